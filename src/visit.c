/*
 * DF03 visit records, reading side: index files, records, verification (card-profile.md §3,
 * §5). A record is returned only when its index byte is 00 and its signature verifies under
 * a SAM certificate that verifies under a root of trust.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "apdu/buf.h"
#include "apdu/log.h"
#include "src/conf.h"
#include "src/record_codec.h"
#include "src/visit_card.h"
#include "src/visit_int.h"
#include "src/visit_sign.h"

#define RECORD_MAX (HC_VISIT_OUTPATIENT_LEN + HC_VISIT_SIG_LEN + HC_VISIT_CERT_LEN)

int
visit_check_slot(hc_visit_kind_t kind, int slot)
{
	return slot >= 1 && slot <= hc_visit_slots(kind) ? HC_OK : HC_ERR_INVALID_ARGUMENT;
}

uint16_t
visit_index_fid(hc_visit_kind_t kind)
{
	return kind == HC_VISIT_INPATIENT ? 0xEF05 : 0xEF06;
}

int
visit_read_index(visit_op_t *op, hc_visit_kind_t kind, uint8_t index[HC_VISIT_MAX_SLOTS])
{
	int n = hc_visit_slots(kind), i, rc;
	uint8_t sfi = kind == HC_VISIT_INPATIENT ? 0x05 : 0x06;
	hc_apdu_t a;
	hc_resp_t *resp = hc_session_resp(op->card);
	uint16_t sw = 0;

	if (n == 0 || resp == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	if ((rc = visit_auth(op, HC_KEY_RK1_DF03)) != HC_OK)
		return rc;
	memset(&a, 0, sizeof(a));
	a.ins = 0xB2;
	a.has_le = 1;
	if (op->read_all) {
		/* all records from record 1, by SFI: P2 = SFI << 3 | 101 */
		a.p1 = 0x01;
		a.p2 = (uint8_t)(sfi << 3 | 0x05);
		a.le = (size_t)n;
		hc_resp_clear(resp);
		if ((rc = hc_session_card_cmd(op->card, &a, resp, &sw)) != HC_OK)
			return rc;
		if (resp->len != (size_t)n) {
			hc_log_error("index EF%02X: %zu bytes for %d records", sfi, resp->len, n);
			return HC_ERR_MALFORMED_RESPONSE;
		}
		memcpy(index, resp->data, (size_t)n);
	} else {
		for (i = 0; i < n; i++) {
			a.p1 = (uint8_t)(i + 1);
			a.p2 = (uint8_t)(sfi << 3 | 0x04);
			a.le = 1;
			hc_resp_clear(resp);
			if ((rc = hc_session_card_cmd(op->card, &a, resp, &sw)) != HC_OK)
				return rc;
			if (resp->len != 1)
				return HC_ERR_MALFORMED_RESPONSE;
			index[i] = resp->data[0];
		}
	}
	for (i = 0; i < n; i++)
		if (index[i] != 0x00 && index[i] != 0xFF) {
			hc_log_error("index EF%02X record %d: %02X", sfi, i + 1, index[i]);
			return HC_ERR_MALFORMED_RESPONSE;
		}
	return HC_OK;
}

int
visit_trust_of(hc_card_t *card, const hc_trust_t *trust, hc_trust_t **owned, const hc_trust_t **use)
{
	const hc_config_t *cfg;
	int rc;

	*use = trust;
	if (trust != NULL)
		return HC_OK;
	cfg = hc_ctx_config(hc_session_ctx(card));
	if (cfg == NULL || cfg->trust_anchor[0] == '\0') {
		hc_log_error("no trust anchor: set trust_anchor in hcard.conf");
		return HC_ERR_CONFIG;
	}
	if ((rc = hc_trust_new(owned)) != HC_OK)
		return rc;
	if ((rc = hc_trust_load(*owned, cfg->trust_anchor)) != HC_OK)
		return rc;
	*use = *owned;
	return HC_OK;
}

/* Reads and verifies slot whose index byte is already known to be 00. */
static int
read_slot(visit_op_t *op, const hc_trust_t *trust, hc_visit_kind_t kind, int slot,
          const char *card_number, hc_visit_record_t **out)
{
	uint8_t buf[RECORD_MAX];
	size_t len = hc_visit_data_len(kind);
	hc_visit_record_t *rec = NULL;
	uint16_t fid = hc_visit_fid(kind, slot);
	int rc;

	if ((rc = hc_session_select_ef(op->card, fid)) != HC_OK ||
	    (rc = visit_read_binary(op, 0, buf, len + HC_VISIT_SIG_LEN + HC_VISIT_CERT_LEN)) != HC_OK)
		goto out;
	rc = hc_visit_verify(card_number, fid, buf, len, buf + len, buf + len + HC_VISIT_SIG_LEN,
	                     trust, NULL, NULL);
	if (rc != HC_OK)
		goto out;
	if ((rc = hc_visit_record_new(kind, &rec)) != HC_OK)
		goto out;
	memcpy(rec->data, buf, len);
	rec->slot = slot;
	*out = rec;
	rec = NULL;
out:
	hc_wipe(buf, sizeof(buf));
	hc_visit_record_free(&rec);
	return rc;
}

/* Arguments of the operations run by hc_session_run (redone once after a card reset). */
typedef struct read_args {
	const hc_trust_t *trust;
	hc_visit_kind_t kind;
	int slot;
	uint8_t *index;
	hc_visit_record_t **out;
	hc_visit_record_t **recs;
	int *errs;
} read_args_t;

static int
index_op(hc_card_t *card, void *arg)
{
	read_args_t *a = arg;
	visit_op_t op;
	int rc;

	if ((rc = hc_session_begin(card)) != HC_OK)
		return rc;
	if ((rc = visit_op_begin(&op, card)) == HC_OK)
		rc = visit_read_index(&op, a->kind, a->index);
	(void)hc_session_end(card);
	return rc;
}

int
hc_visit_read_index(hc_card_t *card, hc_visit_kind_t kind,
                    uint8_t index[HC_VISIT_MAX_SLOTS], int *n_slots)
{
	read_args_t a;
	int rc;

	if (card == NULL || index == NULL || hc_visit_slots(kind) == 0)
		return HC_ERR_INVALID_ARGUMENT;
	memset(index, 0xFF, HC_VISIT_MAX_SLOTS);
	memset(&a, 0, sizeof(a));
	a.kind = kind;
	a.index = index;
	if ((rc = hc_session_run(card, index_op, &a)) != HC_OK)
		return rc;
	if (n_slots != NULL)
		*n_slots = hc_visit_slots(kind);
	return HC_OK;
}

static int
read_op(hc_card_t *card, void *arg)
{
	read_args_t *a = arg;
	uint8_t index[HC_VISIT_MAX_SLOTS];
	char number[19];
	visit_op_t op;
	int rc;

	if ((rc = hc_session_card_number(card, number)) != HC_OK)
		return rc;
	if ((rc = hc_session_begin(card)) != HC_OK)
		return rc;
	if ((rc = visit_op_begin(&op, card)) != HC_OK ||
	    (rc = visit_read_index(&op, a->kind, index)) != HC_OK)
		goto out;
	if (index[a->slot - 1] != 0x00) {
		rc = HC_ERR_RECORD_EMPTY;
		goto out;
	}
	rc = read_slot(&op, a->trust, a->kind, a->slot, number, a->out);
out:
	(void)hc_session_end(card);
	return rc;
}

int
hc_visit_read(hc_card_t *card, const hc_trust_t *trust, hc_visit_kind_t kind, int slot,
              hc_visit_record_t **out)
{
	hc_trust_t *owned = NULL;
	read_args_t a;
	int rc;

	if (out != NULL)
		*out = NULL;
	if (card == NULL || out == NULL || visit_check_slot(kind, slot) != HC_OK)
		return HC_ERR_INVALID_ARGUMENT;
	memset(&a, 0, sizeof(a));
	a.kind = kind;
	a.slot = slot;
	a.out = out;
	if ((rc = visit_trust_of(card, trust, &owned, &a.trust)) == HC_OK)
		rc = hc_session_run(card, read_op, &a);
	hc_trust_free(&owned);
	return rc;
}

static int
read_all_op(hc_card_t *card, void *arg)
{
	read_args_t *a = arg;
	uint8_t index[HC_VISIT_MAX_SLOTS];
	char number[19];
	visit_op_t op;
	int rc, i, e, n = hc_visit_slots(a->kind);

	for (i = 0; i < HC_VISIT_MAX_SLOTS; i++) {
		hc_visit_record_free(&a->recs[i]);
		if (a->errs != NULL)
			a->errs[i] = HC_ERR_RECORD_EMPTY;
	}
	if ((rc = hc_session_card_number(card, number)) != HC_OK)
		return rc;
	if ((rc = hc_session_begin(card)) != HC_OK)
		return rc;
	if ((rc = visit_op_begin(&op, card)) != HC_OK ||
	    (rc = visit_read_index(&op, a->kind, index)) != HC_OK)
		goto out;
	for (i = 0; i < n; i++) {
		if (index[i] != 0x00)
			continue;
		e = read_slot(&op, a->trust, a->kind, i + 1, number, &a->recs[i]);
		if (a->errs != NULL)
			a->errs[i] = e;
		/* a slot that does not verify is reported, the others are still read; a card
		 * or transport failure ends the whole read */
		if (e != HC_OK && e != HC_ERR_SIGNATURE && e != HC_ERR_CERTIFICATE) {
			rc = e;
			goto out;
		}
	}
out:
	(void)hc_session_end(card);
	return rc;
}

int
hc_visit_read_all(hc_card_t *card, const hc_trust_t *trust, hc_visit_kind_t kind,
                  hc_visit_record_t *recs[HC_VISIT_MAX_SLOTS], int errs[HC_VISIT_MAX_SLOTS])
{
	hc_trust_t *owned = NULL;
	read_args_t a;
	int rc, i;

	if (card == NULL || recs == NULL || hc_visit_slots(kind) == 0)
		return HC_ERR_INVALID_ARGUMENT;
	for (i = 0; i < HC_VISIT_MAX_SLOTS; i++)
		recs[i] = NULL;
	memset(&a, 0, sizeof(a));
	a.kind = kind;
	a.recs = recs;
	a.errs = errs;
	if ((rc = visit_trust_of(card, trust, &owned, &a.trust)) == HC_OK)
		rc = hc_session_run(card, read_all_op, &a);
	if (rc != HC_OK)
		for (i = 0; i < HC_VISIT_MAX_SLOTS; i++)
			hc_visit_record_free(&recs[i]);
	if (rc != HC_OK && errs != NULL)
		for (i = 0; i < HC_VISIT_MAX_SLOTS; i++)
			errs[i] = rc;
	hc_trust_free(&owned);
	return rc;
}
