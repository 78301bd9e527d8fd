/*
 * hcard-sim secure messaging (crypto-sam), card-profile.md §4: the session key S comes from
 * the current DF's STK and the challenge of the GET CHALLENGE just before; MAC4 = first 4
 * bytes of SM4-CBC-MAC_S (IV 00 x 16, ISO 9797-1 method 2) over CLA INS P1 P2 Lc ‖ data
 * without the MAC; CLA 04 also enciphers L ‖ element (padded) with SM4-ECB_S.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "apdu/log.h"
#include "crypto/crypto.h"
#include "sim/security.h"

#define MAC_LEN 4u
#define SM_MAX  255u     /* short APDUs only */

/* The MAC of the command as sent, its data field ending before the MAC. */
static int
command_mac(const uint8_t s[16], const hc_apdu_t *cmd, size_t body_len, uint8_t mac[MAC_LEN])
{
	static const uint8_t iv[16];
	uint8_t input[5 + SM_MAX], full[16];
	int ret = -1;

	input[0] = cmd->cla;
	input[1] = cmd->ins;
	input[2] = cmd->p1;
	input[3] = cmd->p2;
	input[4] = (uint8_t)cmd->lc;    /* Lc counts the MAC */
	memcpy(input + 5, cmd->data, body_len);
	if (hc_sm4_cbc_mac(s, iv, input, 5 + body_len, full) != 0)
		goto out;
	memcpy(mac, full, MAC_LEN);
	ret = 0;
out:
	OPENSSL_cleanse(full, sizeof(full));
	OPENSSL_cleanse(input, sizeof(input));
	return ret;
}

uint16_t
sim_sec_sm_unwrap(sim_card_t *card, const hc_apdu_t *cmd, sim_sm_mode_t mode, uint8_t *plain,
                  size_t cap, size_t *plain_len)
{
	uint8_t c[SIM_CHALLENGE_LEN], s[16], mac[MAC_LEN], dec[SM_MAX];
	sim_sec_key_t *stk;
	size_t body_len = 0, l;
	uint16_t sw = 0x6F00;

	*plain_len = 0;
	if (mode != SIM_SM_MAC && mode != SIM_SM_ENC_MAC)
		return 0x6982;
	if (cmd->lc > SM_MAX || cmd->extended)
		return 0x6700;
	/* §4: a command that needs a challenge without one -> 6984 */
	if (sim_card_challenge(card, c) != 0)
		return 0x6984;
	if (cmd->lc < MAC_LEN) {
		sw = 0x6987;
		goto out;
	}
	body_len = cmd->lc - MAC_LEN;
	if (mode == SIM_SM_ENC_MAC) {
		/* cryptogram: whole SM4 blocks; a multiple of 16 in all means the MAC is missing */
		if (cmd->lc % 16 == 0) {
			sw = 0x6987;
			goto out;
		}
		if (body_len == 0 || body_len % 16 != 0) {
			sw = 0x6A80;
			goto out;
		}
	}
	if ((stk = sim_sec_find_key(card, SIM_KEY_STK, 0)) == NULL) {
		sw = 0x6A88;    /* this DF has no STK: no secure messaging here */
		goto out;
	}
	if (sim_sec_session_key(stk->value, c, s) != 0 || command_mac(s, cmd, body_len, mac) != 0)
		goto out;
	if (CRYPTO_memcmp(mac, cmd->data + body_len, MAC_LEN) != 0) {
		sw = 0x6988;
		goto out;
	}
	if (mode == SIM_SM_MAC) {
		if (body_len > cap) {
			sw = 0x6700;
			goto out;
		}
		memcpy(plain, cmd->data, body_len);
		*plain_len = body_len;
		sw = 0x9000;
		goto out;
	}
	if (hc_sm4_ecb(s, 0, cmd->data, body_len, dec) != 0)
		goto out;
	/* L || element, then padding the card ignores */
	l = dec[0];
	if (l + 1 > body_len || l > cap) {
		sw = 0x6A80;
		goto out;
	}
	memcpy(plain, dec + 1, l);
	*plain_len = l;
	sw = 0x9000;
out:
	OPENSSL_cleanse(c, sizeof(c));
	OPENSSL_cleanse(s, sizeof(s));
	OPENSSL_cleanse(dec, sizeof(dec));
	return sw;
}
