/*
 * hcard-sim health SAM key commands (crypto-sam), card-profile.md §4: DELIVERY SESSION KEY,
 * CIPHER DATA (encrypt, MAC), SM3 digest in blocks, SM2 signature of a hash (no Z).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "apdu/buf.h"
#include "apdu/log.h"
#include "crypto/crypto.h"
#include "sim/keyset.h"
#include "sim/sam.h"

#define IRK_DDF1_TAG 0x01u

/* 80 DE P1 P2 Lc card factor 8 || city factor 8 [|| card challenge 8] */
uint16_t
sim_sam_cmd_delivery(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	sim_sam_state_t *st = sim_sam_state(card);
	const sim_key_def_t *def;
	const sim_sam_key_t *k = NULL;
	uint8_t tag = cmd->p2 & 0x1F, version = (uint8_t)(cmd->p2 >> 5), city_key[16], kcard[16];
	uint16_t sw;
	size_t i;

	(void)out;
	if (st == NULL)
		return 0x6D00;
	/* S lasts until the next 80 DE, whatever its outcome */
	sim_sam_forget_session(st);
	if ((sw = sim_sam_key_gate(card, st)) != 0x9000)
		return sw;
	if (cmd->lc != 0x10 && cmd->lc != 0x18)
		return 0x6700;
	if ((def = sim_key_by_tag(tag)) == NULL)
		return 0x6A88;
	if (cmd->p1 != def->sam_usage)
		return 0x6A86;
	for (i = 0; i < st->n_keys; i++)
		if (st->keys[i].tag == tag && st->keys[i].version == version)
			k = &st->keys[i];
	if (k == NULL)
		return 0x6A88;   /* this SAM's type lacks the key (§1) */
	/* only IRK DDF1 may be held as the plain card key: no other key can be exported */
	if (cmd->lc == 0x10 && tag != IRK_DDF1_TAG)
		return 0x6A80;
	sw = 0x6F00;
	/* Kcard = D(D(master, city factor), card factor) */
	if (hc_sm4_diversify(k->value, cmd->data + 8, city_key) != 0 ||
	    hc_sm4_diversify(city_key, cmd->data, kcard) != 0)
		goto out;
	if (cmd->lc == 0x18) {
		uint8_t block[16];
		int rc;

		memcpy(block, cmd->data + 16, 8);
		memset(block + 8, 0, 8);
		rc = hc_sm4_ecb(kcard, 1, block, 16, st->session);
		OPENSSL_cleanse(block, sizeof(block));
		if (rc != 0)
			goto out;
	} else {
		memcpy(st->session, kcard, 16);
	}
	st->has_session = 1;
	sw = 0x9000;
out:
	OPENSSL_cleanse(city_key, sizeof(city_key));
	OPENSSL_cleanse(kcard, sizeof(kcard));
	return sw;
}

/* 80 FA 00 00 Lc data 00 (encrypt) / 80 FA 05 00 Lc IV 16 || data 04 (MAC) under S */
uint16_t
sim_sam_cmd_cipher(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	sim_sam_state_t *st = sim_sam_state(card);
	uint8_t buf[256 + 16], mac[16];
	size_t len;
	uint16_t sw;

	if (st == NULL)
		return 0x6D00;
	if ((sw = sim_sam_key_gate(card, st)) != 0x9000)
		return sw;
	if (cmd->p2 != 0x00 || (cmd->p1 != 0x00 && cmd->p1 != 0x05))
		return 0x6A86;
	if (cmd->lc == 0 || cmd->lc > 255)
		return 0x6700;
	if (!st->has_session)
		return 0x6985;   /* no DELIVERY SESSION KEY before */
	sw = 0x6F00;
	if (cmd->p1 == 0x00) {
		memcpy(buf, cmd->data, cmd->lc);
		len = cmd->lc;
		/* not a multiple of 16: padded with 80 00.. first */
		if (len % 16 != 0 && (len = hc_pad_m2(buf, len, sizeof(buf), 16)) == 0)
			goto out;
		if (hc_sm4_ecb(st->session, 1, buf, len, buf) != 0)
			goto out;
		hc_put_bytes(out, buf, len);
	} else {
		if (cmd->lc < 16) {
			sw = 0x6700;
			goto out;
		}
		if (hc_sm4_cbc_mac(st->session, cmd->data, cmd->data + 16, cmd->lc - 16, mac) != 0)
			goto out;
		hc_put_bytes(out, mac, 4);
	}
	sw = 0x9000;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	OPENSSL_cleanse(mac, sizeof(mac));
	return sw;
}

/* 80 F8 P1 00 Lc data [20]: P1 00 first, 01 middle, 02 last, 03 only block */
uint16_t
sim_sam_cmd_digest(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	sim_sam_state_t *st = sim_sam_state(card);
	uint8_t hash[32], *grown;
	uint16_t sw = 0x6F00;

	if (st == NULL)
		return 0x6D00;
	if (cmd->p1 > 0x03 || cmd->p2 != 0x00) {
		sim_sam_abandon_digest(st);
		return 0x6A86;
	}
	if (cmd->lc > 255) {
		sim_sam_abandon_digest(st);
		return 0x6700;
	}
	if (cmd->p1 == 0x00 || cmd->p1 == 0x03) {
		sim_sam_abandon_digest(st);
		st->digesting = 1;
	} else if (!st->digesting) {
		return 0x6985;   /* middle or last block without a first one */
	}
	if (cmd->lc > 0) {
		if (cmd->lc > SIM_SAM_DIGEST_MAX - st->digest_len) {
			sim_sam_abandon_digest(st);
			return 0x6A84;
		}
		if ((grown = realloc(st->digest, st->digest_len + cmd->lc)) == NULL) {
			sim_sam_abandon_digest(st);
			return 0x6A84;
		}
		st->digest = grown;
		memcpy(st->digest + st->digest_len, cmd->data, cmd->lc);
		st->digest_len += cmd->lc;
	}
	if (cmd->p1 == 0x00 || cmd->p1 == 0x01)
		return 0x9000;
	if (hc_sm3(st->digest, st->digest_len, hash) != 0)
		goto out;
	hc_put_bytes(out, hash, sizeof(hash));
	sw = 0x9000;
out:
	sim_sam_abandon_digest(st);
	return sw;
}

/* 80 F4 00 00 20 hash 40 -> r || s with the SAM's key, e = hash (no Z) */
uint16_t
sim_sam_cmd_sign(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	sim_sam_state_t *st = sim_sam_state(card);
	uint8_t sig[64];
	uint16_t sw;

	if (st == NULL)
		return 0x6D00;
	if ((sw = sim_sam_key_gate(card, st)) != 0x9000)
		return sw;
	if (cmd->p1 != 0x00 || cmd->p2 != 0x00)
		return 0x6A86;
	if (cmd->lc != 32 || (cmd->has_le && cmd->le != 64 && cmd->le != 256))
		return 0x6700;
	if (hc_sm2_sign_e(st->priv, cmd->data, sig) != 0)
		return 0x6F00;
	hc_put_bytes(out, sig, sizeof(sig));
	return 0x9000;
}
