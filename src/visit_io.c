/*
 * Card-side helpers of the visit area: binary I/O, SAM SM3 + SM2, SAM certificate
 * (card-profile.md §2, §4). See src/visit_card.h.
 */
#include "config.h"

#include <string.h>

#include "apdu/buf.h"
#include "apdu/log.h"
#include "src/visit_card.h"

#define SAM_BLOCK 255u             /* 80 F8: at most 255 bytes per block */
#define SHORT_READ 256u
#define SHORT_WRITE 255u
#define EXT_MAX 4096u              /* bigger than any DF03 file (3267) */
#define MAX_ROUNDS 64u             /* 3267 / 255 < 13: every loop ends long before */

static void
apdu_init(hc_apdu_t *a, uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2)
{
	memset(a, 0, sizeof(*a));
	a->cla = cla;
	a->ins = ins;
	a->p1 = p1;
	a->p2 = p2;
}

static int
card_cmd(visit_op_t *op, const hc_apdu_t *a, hc_resp_t **resp)
{
	uint16_t sw = 0;

	*resp = hc_session_resp(op->card);
	if (*resp == NULL)
		return HC_ERR_INTERNAL;
	hc_resp_clear(*resp);
	return hc_session_card_cmd(op->card, a, *resp, &sw);
}

static int
sam_cmd(visit_op_t *op, const hc_apdu_t *a, hc_resp_t **resp)
{
	uint16_t sw = 0;

	*resp = hc_session_resp(op->card);
	if (*resp == NULL)
		return HC_ERR_INTERNAL;
	hc_resp_clear(*resp);
	return hc_session_sam_cmd(op->card, a, *resp, &sw);
}

int
visit_op_begin(visit_op_t *op, hc_card_t *card)
{
	const hc_chip_profile_t *chip = hc_session_chip(card);

	memset(op, 0, sizeof(*op));
	op->card = card;
	op->extended = chip != NULL && chip->extended_length;
	op->read_all = chip != NULL && chip->read_all_records;
	return hc_session_select(card, HC_APP_DF03);
}

int
visit_auth(visit_op_t *op, hc_key_id_t key)
{
	int rc = hc_session_need_key(op->card, key);

	if (rc == HC_OK)
		rc = hc_session_external_auth(op->card, key);
	return rc;
}

int
visit_read_binary(visit_op_t *op, size_t off, uint8_t *out, size_t len)
{
	hc_apdu_t a;
	hc_resp_t *resp;
	size_t done = 0, n, chunk = op->extended ? EXT_MAX : SHORT_READ;
	unsigned rounds = 0;
	int rc = HC_OK;

	while (done < len && rounds++ < MAX_ROUNDS) {
		n = len - done < chunk ? len - done : chunk;
		if (off + done > 0x7FFF)
			return HC_ERR_INTERNAL;
		apdu_init(&a, 0x00, 0xB0, (uint8_t)((off + done) >> 8), (uint8_t)(off + done));
		a.has_le = 1;
		a.le = n;
		if ((rc = card_cmd(op, &a, &resp)) != HC_OK)
			return rc;
		if (resp->len != n) {
			hc_log_error("READ BINARY: %zu bytes for %zu", resp->len, n);
			return HC_ERR_MALFORMED_RESPONSE;
		}
		memcpy(out + done, resp->data, n);
		hc_resp_clear(resp);
		done += n;
	}
	return done == len ? rc : HC_ERR_INTERNAL;
}

int
visit_update_binary(visit_op_t *op, size_t off, const uint8_t *data, size_t len)
{
	hc_apdu_t a;
	hc_resp_t *resp;
	size_t done = 0, n, chunk = op->extended ? EXT_MAX : SHORT_WRITE;
	unsigned rounds = 0;
	int rc = HC_OK;

	while (done < len && rounds++ < MAX_ROUNDS) {
		n = len - done < chunk ? len - done : chunk;
		if (off + done > 0x7FFF)
			return HC_ERR_INTERNAL;
		apdu_init(&a, 0x00, 0xD6, (uint8_t)((off + done) >> 8), (uint8_t)(off + done));
		a.data = data + done;
		a.lc = n;
		if ((rc = card_cmd(op, &a, &resp)) != HC_OK)
			return rc;
		done += n;
	}
	return done == len ? rc : HC_ERR_INTERNAL;
}

int
visit_sam_sign(visit_op_t *op, const uint8_t *data, size_t len, uint8_t hash[32],
               uint8_t sig[64])
{
	hc_apdu_t a;
	hc_resp_t *resp = NULL;
	size_t done = 0, n;
	unsigned blocks = 0;
	int rc;

	if (len == 0)
		return HC_ERR_INTERNAL;
	if ((rc = hc_session_sam_select(op->card, HC_SAM_APP_HEALTH)) != HC_OK)
		return rc;
	while (done < len && blocks++ < MAX_ROUNDS) {
		n = len - done < SAM_BLOCK ? len - done : SAM_BLOCK;
		/* P1: 00 first, 01 middle, 02 last, 03 only block */
		apdu_init(&a, 0x80, 0xF8,
		          (uint8_t)(done == 0 ? (n == len ? 0x03 : 0x00)
		                              : (done + n == len ? 0x02 : 0x01)), 0x00);
		a.data = data + done;
		a.lc = n;
		if (done + n == len) {
			a.has_le = 1;
			a.le = 32;
		}
		if ((rc = sam_cmd(op, &a, &resp)) != HC_OK)
			return rc;
		done += n;
	}
	if (done != len || resp == NULL || resp->len != 32) {
		hc_log_error("SAM SM3: no 32-byte hash");
		return HC_ERR_SAM;
	}
	memcpy(hash, resp->data, 32);
	apdu_init(&a, 0x80, 0xF4, 0x00, 0x00);
	a.data = hash;
	a.lc = 32;
	a.has_le = 1;
	a.le = 64;
	if ((rc = sam_cmd(op, &a, &resp)) != HC_OK)
		return rc;
	if (resp->len != 64) {
		hc_log_error("SAM SM2 signature: %zu bytes", resp->len);
		return HC_ERR_SAM;
	}
	memcpy(sig, resp->data, 64);
	return HC_OK;
}

int
visit_sam_cert(visit_op_t *op, uint8_t cert[HC_VISIT_CERT_LEN])
{
	hc_apdu_t a;
	hc_resp_t *resp;
	int rc;

	if ((rc = hc_session_sam_select(op->card, HC_SAM_APP_HEALTH)) != HC_OK)
		return rc;
	apdu_init(&a, 0x00, 0xB0, 0x97, 0x00);   /* SFI 17 (EF0017), offset 0 */
	a.has_le = 1;
	a.le = HC_VISIT_CERT_LEN;
	if ((rc = sam_cmd(op, &a, &resp)) != HC_OK)
		return rc;
	if (resp->len != HC_VISIT_CERT_LEN) {
		hc_log_error("SAM certificate: %zu bytes", resp->len);
		return HC_ERR_SAM;
	}
	memcpy(cert, resp->data, HC_VISIT_CERT_LEN);
	return HC_OK;
}
