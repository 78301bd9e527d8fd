/*
 * Authentication and secure messaging through the SAM (card-profile.md §4). The middleware
 * never holds a key: the SAM derives the session key (80 DE) and encrypts or MACs (80 FA).
 */
#include "config.h"

#include <string.h>

#include <openssl/crypto.h>

#include "apdu/buf.h"
#include "apdu/log.h"
#include "apdu/sw.h"
#include "src/context.h"
#include "src/session_sec.h"

/* §4: the constant both sides encrypt in authentication. */
static const uint8_t auth_const[8] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };

/* The STK that protects writes in each DF (§4: the current DF's; the MF's for CARD BLOCK). */
static const struct { hc_app_t app; hc_key_id_t stk; } stk_of[] = {
	{ HC_APP_MF, HC_KEY_STK_MF }, { HC_APP_DDF1, HC_KEY_STK_DDF1 },
	{ HC_APP_DF01, HC_KEY_STK_DF01 }, { HC_APP_DF02, HC_KEY_STK_DF02 },
	{ HC_APP_DF03, HC_KEY_STK_DF03 },
};

int
hc_session_need_key(hc_card_t *card, hc_key_id_t key)
{
	const hc_key_def_t *k = hc_profile_key(key);
	char types[32];
	int type;

	if (card == NULL || k == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	type = card->term->info.type;
	if (type >= 1 && type <= 5 && (k->sam_types & (1u << type)))
		return HC_OK;
	hc_profile_key_sam_types(k, types, sizeof(types));
	hc_session_set_detail(card, "this SAM (type %d) holds no %s key: %s needs a type %s SAM",
	                      type, k->name, k->purpose, types);
	return HC_ERR_SAM_TYPE;
}

int
hc_session_has_right(const hc_card_t *card, hc_key_id_t key)
{
	const hc_key_def_t *k = hc_profile_key(key);

	return card != NULL && k != NULL && card->app == k->app && (card->rights & (1u << key)) != 0;
}

/* SAM DELIVERY SESSION KEY for k: card factor ‖ city factor [‖ challenge]. */
static int
sam_session_key(hc_card_t *card, const hc_key_def_t *k, const uint8_t *challenge)
{
	uint8_t data[24];
	hc_apdu_t a = { 0x80, 0xDE, k->sam_p1, 0, data, challenge != NULL ? 24u : 16u, 0, 0, 0, 1 };
	uint16_t sw = 0;
	int rc;

	a.p2 = (uint8_t)(k->sam_tag | (uint8_t)(hc_session_key_version(card) << 5));
	memcpy(data, card->card_factor, 8);
	memcpy(data + 8, card->city_factor, 8);
	if (challenge != NULL)
		memcpy(data + 16, challenge, 8);
	rc = hc_session_sam_cmd(card, &a, card->resp, &sw);
	hc_wipe(data, sizeof(data));
	if (rc == HC_ERR_KEY_NOT_FOUND) {
		hc_session_set_detail(card, "the SAM refused the %s key (6A88): its type lacks it", k->name);
		return HC_ERR_SAM_TYPE;
	}
	if (rc == HC_ERR_SECURITY_STATUS) {
		hc_session_set_detail(card, "the SAM wants its PIN verified first (set sam_pin_file or HCARD_SAM_PIN)");
		return HC_ERR_SAM_PIN;
	}
	return rc;
}

/* SAM CIPHER DATA (80 FA 00 00): SM4-ECB under S of data (the SAM pads to 16). */
static int
sam_encrypt(hc_card_t *card, const uint8_t *data, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	hc_apdu_t a = { 0x80, 0xFA, 0x00, 0x00, data, len, 256, 1, 0, 1 };
	uint16_t sw = 0;
	int rc;

	if ((rc = hc_session_sam_cmd(card, &a, card->resp, &sw)) != HC_OK)
		return rc;
	if (card->resp->len == 0 || card->resp->len % 16 != 0 || card->resp->len > cap
	    || card->resp->len < len) {
		hc_resp_clear(card->resp);
		return HC_ERR_SAM;
	}
	memcpy(out, card->resp->data, card->resp->len);
	*out_len = card->resp->len;
	hc_resp_clear(card->resp);
	return HC_OK;
}

/* GET CHALLENGE (00 84 00 00 08) on the user card. */
static int
card_challenge(hc_card_t *card, uint8_t c[8])
{
	hc_apdu_t a = { 0x00, 0x84, 0x00, 0x00, NULL, 0, 8, 1, 0, 0 };
	int rc;

	if ((rc = hc_session_card_cmd(card, &a, card->resp, NULL)) != HC_OK)
		return rc;
	if (card->resp->len != 8)
		return HC_ERR_MALFORMED_RESPONSE;
	memcpy(c, card->resp->data, 8);
	return HC_OK;
}

int
hc_session_external_auth(hc_card_t *card, hc_key_id_t key)
{
	const hc_key_def_t *k = hc_profile_key(key);
	uint8_t chal[8], enc[32], body[17];
	hc_apdu_t a = { 0x00, 0x82, 0x00, 0, body, sizeof(body), 0, 0, 0, 1 };
	size_t enc_len = 0, i;
	uint16_t sw = 0;
	int rc;

	if (card == NULL || k == NULL || k->card_p2 < 0)
		return HC_ERR_INVALID_ARGUMENT;
	if ((rc = hc_session_need_key(card, key)) != HC_OK)
		return rc;
	if ((rc = hc_session_select(card, k->app)) != HC_OK)
		return rc;
	if (card->rights & (1u << key))
		return HC_OK;
	if ((rc = hc_session_sam_select(card, HC_SAM_APP_HEALTH)) != HC_OK)
		goto out;
	if ((rc = card_challenge(card, chal)) != HC_OK)
		goto out;
	if ((rc = sam_session_key(card, k, chal)) != HC_OK)
		goto out;
	if ((rc = sam_encrypt(card, auth_const, sizeof(auth_const), enc, sizeof(enc), &enc_len)) != HC_OK)
		goto out;
	for (i = 0; i < 8; i++)                       /* A = left 8 XOR right 8 */
		body[i] = (uint8_t)(enc[i] ^ enc[8 + i]);
	memcpy(body + 8, auth_const, 8);
	body[16] = hc_session_key_version(card);
	a.p2 = (uint8_t)k->card_p2;
	rc = hc_session_card_cmd(card, &a, card->resp, &sw);
	if (rc == HC_OK) {
		card->rights |= 1u << key;
	} else if (rc == HC_ERR_VERIFY_FAILED) {
		hc_session_set_detail(card, "external authentication with %s refused: %d tries left",
		                      k->name, hc_sw_tries_left(sw));
	} else if (rc == HC_ERR_AUTH_BLOCKED) {
		hc_session_set_detail(card, "the card's %s key is blocked", k->name);
	}
out:
	hc_wipe(enc, sizeof(enc));
	hc_wipe(body, sizeof(body));
	hc_wipe(chal, sizeof(chal));
	return rc;
}

static int
authenticate_op(hc_card_t *card, void *arg)
{
	const hc_key_def_t *k = hc_profile_key(HC_KEY_IRK_DDF1);
	uint8_t data[16], enc[32], expect[8];
	hc_apdu_t get = { 0x00, 0x84, 0x00, 0x00, NULL, 0, 8, 1, 0, 0 };
	hc_apdu_t ia = { 0x00, 0x88, 0x00, 0x00, NULL, 17, 8, 1, 0, 0 };
	uint8_t body[17];
	size_t enc_len = 0, i;
	int rc;

	(void)arg;
	if (card->genuine)             /* once per session: the card cannot change under it */
		return HC_OK;
	if ((rc = hc_session_need_key(card, HC_KEY_IRK_DDF1)) != HC_OK)
		return rc;
	if ((rc = hc_session_select(card, HC_APP_DDF1)) != HC_OK)
		return rc;
	if ((rc = hc_session_sam_select(card, HC_SAM_APP_HEALTH)) != HC_OK)
		return rc;
	/* R from the SAM; S = IRK (80 DE without challenge); A = L ^ R of SM4_S(R ‖ const) */
	if ((rc = hc_session_sam_cmd(card, &get, card->resp, NULL)) != HC_OK)
		goto out;
	if (card->resp->len != 8) {
		rc = HC_ERR_SAM;
		goto out;
	}
	memcpy(data, card->resp->data, 8);
	memcpy(data + 8, auth_const, 8);
	if ((rc = sam_session_key(card, k, NULL)) != HC_OK)
		goto out;
	if ((rc = sam_encrypt(card, data, sizeof(data), enc, sizeof(enc), &enc_len)) != HC_OK)
		goto out;
	for (i = 0; i < 8; i++)
		expect[i] = (uint8_t)(enc[i] ^ enc[8 + i]);
	memcpy(body, data, 16);
	body[16] = hc_session_key_version(card);
	ia.data = body;
	rc = hc_session_card_cmd(card, &ia, card->resp, NULL);
	if (rc == HC_ERR_CARD_RESET || rc == HC_ERR_CARD_REMOVED || rc == HC_ERR_TRANSPORT
	    || rc == HC_ERR_NO_CARD || rc == HC_ERR_TIMEOUT)
		goto out;
	if (rc != HC_OK || card->resp->len != 8 || CRYPTO_memcmp(card->resp->data, expect, 8) != 0) {
		hc_session_set_detail(card, "internal authentication failed (%s): the card is not genuine",
		                      rc != HC_OK ? hc_errname(rc) : "answer differs from the SAM's");
		rc = HC_ERR_NOT_GENUINE;
	} else {
		card->genuine = 1;
	}
out:
	hc_wipe(data, sizeof(data));
	hc_wipe(enc, sizeof(enc));
	hc_wipe(expect, sizeof(expect));
	hc_wipe(body, sizeof(body));
	return rc;
}

int
hc_card_authenticate(hc_card_t *card)
{
	return hc_session_run(card, authenticate_op, NULL);
}

int
hc_session_sm_command(hc_card_t *card, hc_sm_mode_t mode, uint8_t ins, uint8_t p1,
                      uint8_t p2, const uint8_t *data, size_t len, uint16_t *sw)
{
	uint8_t plain[256], body[256 + 4], mac_in[16 + 5 + 256], chal[8];
	hc_apdu_t cmd = { 0x00, ins, p1, p2, body, 0, 0, 0, 0, 0 };
	hc_apdu_t mac = { 0x80, 0xFA, 0x05, 0x00, mac_in, 0, 4, 1, 0, 1 };
	const hc_key_def_t *stk = NULL;
	size_t body_len = 0, i;
	int rc = HC_ERR_INVALID_ARGUMENT;

	if (card == NULL || (data == NULL && len > 0) || len > 200)
		return HC_ERR_INVALID_ARGUMENT;
	if (mode == HC_SM_PLAIN) {
		cmd.data = data;
		cmd.lc = len;
		return hc_session_card_cmd(card, &cmd, card->resp, sw);
	}
	for (i = 0; i < sizeof(stk_of) / sizeof(stk_of[0]); i++)
		if (stk_of[i].app == card->app)
			stk = hc_profile_key(stk_of[i].stk);
	if (stk == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	if ((rc = hc_session_need_key(card, stk->id)) != HC_OK)
		return rc;
	if ((rc = hc_session_sam_select(card, HC_SAM_APP_HEALTH)) != HC_OK)
		goto out;
	if ((rc = card_challenge(card, chal)) != HC_OK)
		goto out;
	if ((rc = sam_session_key(card, stk, chal)) != HC_OK)
		goto out;
	if (mode == HC_SM_CIPHER_MAC) {
		/* §4: SM4-ECB_S(L ‖ element, padded 80 00.. by the SAM) */
		cmd.cla = 0x04;
		plain[0] = (uint8_t)len;
		memcpy(plain + 1, data, len);
		if ((rc = sam_encrypt(card, plain, len + 1, body, sizeof(body) - 4, &body_len)) != HC_OK)
			goto out;
	} else {
		cmd.cla = 0x84;
		memcpy(body, data, len);
		body_len = len;
	}
	/* MAC over IV 00x16 ‖ CLA INS P1 P2 Lc ‖ data field without the MAC (Lc counts it) */
	memset(mac_in, 0, 16);
	mac_in[16] = cmd.cla;
	mac_in[17] = ins;
	mac_in[18] = p1;
	mac_in[19] = p2;
	mac_in[20] = (uint8_t)(body_len + 4);
	memcpy(mac_in + 21, body, body_len);
	mac.lc = 21 + body_len;
	if ((rc = hc_session_sam_cmd(card, &mac, card->resp, NULL)) != HC_OK)
		goto out;
	if (card->resp->len != 4) {
		rc = HC_ERR_SAM;
		goto out;
	}
	memcpy(body + body_len, card->resp->data, 4);
	cmd.lc = body_len + 4;
	rc = hc_session_card_cmd(card, &cmd, card->resp, sw);
out:
	hc_wipe(plain, sizeof(plain));
	hc_wipe(body, sizeof(body));
	hc_wipe(mac_in, sizeof(mac_in));
	hc_wipe(chal, sizeof(chal));
	return rc;
}
