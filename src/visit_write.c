/*
 * DF03 visit records, writing side (card-profile.md §1 [PC] oldest-record rule, §3 write
 * order, §4 SAM SM3/SM2 and MAC-only index writes).
 *
 * Order on the card: erase the slot's index (FF, UK2 DF03) if it was valid; write the data;
 * write signature and SAM certificate; set the index (00, UK1 DF03) last. The SAM computes
 * the digest and the signature before the first card write (the SAM's work does not change
 * the card, and a SAM failure then leaves the card untouched); the host checks the SAM's
 * digest and signature against the SAM certificate before anything is written.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "apdu/buf.h"
#include "apdu/log.h"
#include "crypto/crypto.h"
#include "src/cert.h"
#include "src/conf.h"
#include "src/record_codec.h"
#include "src/visit_card.h"
#include "src/visit_int.h"
#include "src/visit_sign.h"

/* The slot to write when the caller lets the library choose: the first empty slot, else the
 * oldest record by its date item (EE item 3 admission date, ED item 3 visit date-time);
 * an empty or unreadable date counts as oldest, ties go to the lowest slot. */
static int
choose_slot(visit_op_t *op, hc_visit_kind_t kind, const uint8_t *index, int *slot)
{
	const hc_visit_item_t *date = hc_visit_item_by_no(kind, 3);
	uint8_t raw[8];
	char best[16] = "", cur[16];
	int i, n = hc_visit_slots(kind), rc, found = 0;

	for (i = 0; i < n; i++)
		if (index[i] != 0x00) {
			*slot = i + 1;
			return HC_OK;
		}
	if (date == NULL || date->type != HC_VT_CN || date->length > sizeof(raw))
		return HC_ERR_INTERNAL;
	for (i = 0; i < n; i++) {
		if ((rc = hc_session_select_ef(op->card, hc_visit_fid(kind, i + 1))) != HC_OK ||
		    (rc = visit_read_binary(op, date->offset, raw, date->length)) != HC_OK)
			return rc;
		if (hc_visit_item_decode(date, raw, cur, sizeof(cur)) != HC_OK)
			cur[0] = '\0';
		if (!found || strcmp(cur, best) < 0) {
			memcpy(best, cur, sizeof(best));
			*slot = i + 1;
			found = 1;
		}
	}
	hc_log_debug("card full: overwriting slot %d (date \"%s\")", *slot, best);
	return HC_OK;
}

/* Index record n of the current index EF to value: CLA 84 with a MAC by the SAM under
 * STK DF03 (card-profile.md §4 "MAC only": 84 DC n 04 05 value || MAC4). */
static int
index_write(hc_card_t *card, int n, uint8_t value)
{
	uint16_t sw = 0;

	return hc_session_sm_command(card, HC_SM_MAC, 0xDC, (uint8_t)n, 0x04, &value, 1, &sw);
}

/* SAM certificate, SAM digest and signature, all checked on the host. */
static int
sam_sign_record(visit_op_t *op, const uint8_t *signed_bytes, size_t n,
                uint8_t sig[HC_VISIT_SIG_LEN], uint8_t cert[HC_VISIT_CERT_LEN])
{
	const hc_config_t *cfg = hc_ctx_config(hc_session_ctx(op->card));
	hc_trust_t *trust = NULL;
	const hc_trust_t *use = NULL;
	uint8_t hash[32], e[32];
	hc_cert_sam_t c;
	int rc;

	if ((rc = visit_sam_cert(op, cert)) != HC_OK)
		return rc;
	/* with a trust anchor file in place, a SAM whose certificate would not verify (expired,
	 * unknown CA) writes nothing: its records could never be read back. Without one (the
	 * default path does not exist) the certificate is only parsed. */
	if (cfg != NULL && cfg->trust_anchor[0] != '\0' && access(cfg->trust_anchor, F_OK) == 0) {
		rc = visit_trust_of(op->card, NULL, &trust, &use);
		if (rc == HC_OK)
			rc = hc_cert_sam_verify(cert, HC_VISIT_CERT_LEN, use, NULL, &c);
		hc_trust_free(&trust);
		if (rc != HC_OK) {
			hc_log_error("the SAM's certificate does not verify: nothing written");
			return rc;
		}
	} else if (hc_cert_sam_parse(cert, HC_VISIT_CERT_LEN, &c) != HC_OK) {
		hc_log_error("the SAM's certificate is malformed");
		return HC_ERR_CERTIFICATE;
	}
	if ((rc = visit_sam_sign(op, signed_bytes, n, hash, sig)) != HC_OK)
		return rc;
	if (hc_sm3(signed_bytes, n, e) != 0)
		return HC_ERR_INTERNAL;
	if (memcmp(hash, e, 32) != 0) {
		hc_log_error("SAM SM3 digest differs from the host's");
		return HC_ERR_SAM;
	}
	if (hc_sm2_verify_e(c.pub, e, sig) != 0) {
		hc_log_error("SAM signature does not verify under its certificate");
		return HC_ERR_SAM;
	}
	return HC_OK;
}

typedef struct write_args {
	const hc_visit_record_t *rec;
	int slot;                      /* as asked: 0 = choose */
	int written;                   /* the slot written */
	hc_visit_kind_t kind;          /* erase */
} write_args_t;

static int
write_op(hc_card_t *card, void *arg)
{
	write_args_t *a = arg;
	const hc_visit_record_t *rec = a->rec;
	int slot = a->slot;
	uint8_t index[HC_VISIT_MAX_SLOTS], trailer[HC_VISIT_SIG_LEN + HC_VISIT_CERT_LEN];
	uint8_t signed_bytes[HC_VISIT_SIGNED_MAX];
	char number[19];
	size_t n = 0;
	visit_op_t op;
	hc_visit_kind_t kind;
	int rc, began = 0;
	uint16_t fid;

	kind = rec->kind;
	if ((rc = hc_session_begin(card)) != HC_OK)
		return rc;
	began = 1;
	/* a SAM without UK1 DF03 (type 1 or 4) is refused before anything is sent */
	if ((rc = hc_session_need_key(card, HC_KEY_UK1_DF03)) != HC_OK ||
	    (rc = visit_op_begin(&op, card)) != HC_OK)
		goto out;
	if ((rc = hc_session_card_number(card, number)) != HC_OK ||
	    (rc = visit_read_index(&op, kind, index)) != HC_OK)
		goto out;
	if (slot == 0 && (rc = choose_slot(&op, kind, index, &slot)) != HC_OK)
		goto out;
	fid = hc_visit_fid(kind, slot);
	if ((rc = hc_visit_signed_bytes(number, fid, rec->data, rec->len, signed_bytes,
	                                sizeof(signed_bytes), &n)) != HC_OK ||
	    (rc = sam_sign_record(&op, signed_bytes, n, trailer, trailer + HC_VISIT_SIG_LEN)) != HC_OK)
		goto out;
	/* 1. a valid slot loses its index before its data change */
	if (index[slot - 1] == 0x00) {
		if ((rc = visit_auth(&op, HC_KEY_UK2_DF03)) != HC_OK ||
		    (rc = hc_session_select_ef(card, visit_index_fid(kind))) != HC_OK ||
		    (rc = index_write(card, slot, 0xFF)) != HC_OK)
			goto out;
	}
	/* 2. data, 3. signature and certificate, 4. index */
	if ((rc = visit_auth(&op, HC_KEY_UK1_DF03)) != HC_OK ||
	    (rc = hc_session_select_ef(card, fid)) != HC_OK ||
	    (rc = visit_update_binary(&op, 0, rec->data, rec->len)) != HC_OK ||
	    (rc = visit_update_binary(&op, rec->len, trailer, sizeof(trailer))) != HC_OK ||
	    (rc = hc_session_select_ef(card, visit_index_fid(kind))) != HC_OK ||
	    (rc = index_write(card, slot, 0x00)) != HC_OK)
		goto out;
	a->written = slot;
	rc = HC_OK;
out:
	if (rc != HC_OK)
		hc_log_error("visit record write (slot %d): %s", slot, hc_errname(rc));
	if (began)
		(void)hc_session_end(card);
	hc_wipe(signed_bytes, sizeof(signed_bytes));
	return rc;
}

int
hc_visit_write(hc_card_t *card, const hc_visit_record_t *rec, int slot, int *slot_out)
{
	write_args_t a;
	int rc;

	if (slot_out != NULL)
		*slot_out = 0;
	if (card == NULL || rec == NULL ||
	    (slot != 0 && visit_check_slot(rec->kind, slot) != HC_OK))
		return HC_ERR_INVALID_ARGUMENT;
	memset(&a, 0, sizeof(a));
	a.rec = rec;
	a.slot = slot;
	/* a card reset by another application midway: the order is crash-safe, so the whole
	 * write is simply redone once (session.h hc_session_run) */
	rc = hc_session_run(card, write_op, &a);
	if (rc == HC_OK && slot_out != NULL)
		*slot_out = a.written;
	return rc;
}

static int
erase_op(hc_card_t *card, void *arg)
{
	write_args_t *a = arg;
	visit_op_t op;
	int rc;

	if ((rc = hc_session_begin(card)) != HC_OK)
		return rc;
	if ((rc = visit_op_begin(&op, card)) == HC_OK &&
	    (rc = visit_auth(&op, HC_KEY_UK2_DF03)) == HC_OK &&
	    (rc = hc_session_select_ef(card, visit_index_fid(a->kind))) == HC_OK)
		rc = index_write(card, a->slot, 0xFF);
	(void)hc_session_end(card);
	return rc;
}

int
hc_visit_erase(hc_card_t *card, hc_visit_kind_t kind, int slot)
{
	write_args_t a;
	int rc;

	if (card == NULL || visit_check_slot(kind, slot) != HC_OK)
		return HC_ERR_INVALID_ARGUMENT;
	if ((rc = hc_session_need_key(card, HC_KEY_UK2_DF03)) != HC_OK)
		return rc;
	memset(&a, 0, sizeof(a));
	a.kind = kind;
	a.slot = slot;
	return hc_session_run(card, erase_op, &a);
}
