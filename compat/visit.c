/*
 * DF03 visit records at the national interface, over hcard_visit.h: the index files, the
 * byte-range item access (pos/len/style) and the whole-record text ('|'-joined items).
 *
 * Reads verify the record (index 00, SAM signature, SAM certificate under the trust anchor
 * of hcard.conf). Every write ends as a complete, signed record (national-api.md): the
 * record is read (or blank for an empty slot), changed, and written by hc_visit_write, which
 * erases the index, writes the data, has the SAM sign, writes signature and certificate and
 * sets the index last. A record read is kept while the calls that follow only read items of
 * the same record, so that a HIS reading a record item by item reads the card once.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hcard_visit.h"
#include "apdu/buf.h"
#include "apdu/log.h"
#include "compat/compat.h"
#include "src/session.h"

typedef struct visit_op {
	hc_visit_kind_t kind;
	int slot;                        /* 1-based */
	uint8_t index[HC_VISIT_MAX_SLOTS];
	int n_slots;
	hc_visit_record_t *rec;
	/* a change: byte range (pos, len, style, value) or whole text (text != NULL) */
	size_t pos, len;
	int style;
	const char *value;
	const char *text;
	int bad_item;
	/* the caller's buffers: data (an item, a range, the whole text) or the index strings */
	char *data;
	char *const *out;
	/* a text conversion's buffer, wiped and freed by visit_call */
	char *tmp;
	size_t tmp_cap;
} visit_op_t;

/* One kind of national DF03 call, as data: how it enters (a record read keeps the record
 * cache), what its arguments need besides the slot, what it runs and its failure code. */
typedef struct visit_call {
	int keep_cache;
	int needs_data;                  /* data must not be NULL */
	int (*run)(wsb_dev_t *d, visit_op_t *op);    /* hc_err_t */
	wsb_op_t fail;
} visit_call_t;

static int
slot_ok(hc_visit_kind_t kind, int n)
{
	return n >= 1 && n <= hc_visit_slots(kind);
}

/* Cache key: kind * 8 + slot (0 = nothing cached). */
static int
cache_key(const visit_op_t *op)
{
	return (int)op->kind * 8 + op->slot;
}

/* The frame of every DF03 call: lock and handle check, IRV_PARA_ERR unless args_ok, else
 * call->run mapped with its failure code; frees what run left in op; unlocks. */
static int
visit_call(HANDLE h, const visit_call_t *call, visit_op_t *op, int args_ok)
{
	wsb_dev_t *d;
	int ret;

	if ((ret = (call->keep_cache ? wsb_enter_keep : wsb_enter)(h, &d)) != IRV_OK)
		return ret;
	ret = args_ok ? wsb_irv(call->run(d, op), call->fail) : IRV_PARA_ERR;
	hc_visit_record_free(&op->rec);
	if (op->tmp != NULL)
		hc_wipe(op->tmp, op->tmp_cap);
	free(op->tmp);
	op->tmp = NULL;
	wsb_leave(d);
	return ret;
}

/* --- index files ------------------------------------------------------------------------ */

static int
index_read(hc_card_t *card, void *arg)
{
	visit_op_t *op = arg;

	return hc_visit_read_index(card, op->kind, op->index, &op->n_slots);
}

static int
index_erase(hc_card_t *card, void *arg)
{
	visit_op_t *op = arg;

	return hc_visit_erase(card, op->kind, op->slot);
}

static int
run_read_index(wsb_dev_t *d, visit_op_t *op)
{
	int rc, i, n = hc_visit_slots(op->kind);

	if ((rc = wsb_run(d, index_read, op, 1)) == HC_OK && op->n_slots != n)
		rc = HC_ERR_MALFORMED_RESPONSE;
	for (i = 0; rc == HC_OK && i < n; i++)
		wsb_hex_out(&op->index[i], 1, op->out[i]);
	return rc;
}

/* iW_DF03EF05/06Info: a slot's index is set only as the last step of writing a signed
 * record; here it is confirmed, never set on data that were not verified. */
static int
run_confirm_index(wsb_dev_t *d, visit_op_t *op)
{
	int rc;

	if ((rc = wsb_run(d, index_read, op, 1)) == HC_OK && op->index[op->slot - 1] != 0x00) {
		hc_log_error("slot %d is empty: a slot becomes valid only by writing a signed record (iW_DF03EEInfo/EDInfo)", op->slot);
		rc = HC_ERR_CONDITIONS_OF_USE;   /* a command failure: the call's own code, 110 */
	}
	return rc;
}

static int
run_erase_index(wsb_dev_t *d, visit_op_t *op)
{
	return wsb_run(d, index_erase, op, 0);
}

static int
read_index(HANDLE h, hc_visit_kind_t kind, char *const *out)
{
	static const visit_call_t call = { 0, 0, run_read_index, WSB_OP_READ_RECORD };
	visit_op_t op;
	int i, args_ok = 1;

	memset(&op, 0, sizeof(op));
	op.kind = kind;
	op.out = out;
	for (i = 0; i < hc_visit_slots(kind); i++)
		args_ok = args_ok && out[i] != NULL;
	return visit_call(h, &call, &op, args_ok);
}

/* --- records ----------------------------------------------------------------------------- */

static int
record_read(hc_card_t *card, void *arg)
{
	visit_op_t *op = arg;

	hc_visit_record_free(&op->rec);
	return hc_visit_read(card, NULL, op->kind, op->slot, &op->rec);
}

/* Read (or blank), change, write: one PC/SC transaction, so that no other application
 * writes the card between the read and the write. */
static int
record_update(hc_card_t *card, void *arg)
{
	visit_op_t *op = arg;
	int rc;

	if ((rc = hc_session_begin(card)) != HC_OK)
		return rc;
	hc_visit_record_free(&op->rec);
	if (op->text != NULL) {
		rc = hc_visit_record_new(op->kind, &op->rec);
	} else if ((rc = hc_visit_read(card, NULL, op->kind, op->slot, &op->rec)) == HC_ERR_RECORD_EMPTY) {
		rc = hc_visit_record_new(op->kind, &op->rec);   /* an empty slot starts blank */
	}
	if (rc == HC_OK)
		rc = op->text != NULL ? hc_visit_record_from_text(op->rec, op->text, &op->bad_item)
		                      : hc_visit_record_set_range(op->rec, op->pos, op->len, op->style, op->value);
	if (rc == HC_OK)
		rc = hc_visit_write(card, op->rec, op->slot, NULL);
	hc_session_end(card);
	return rc;
}

/* The verified record of op's slot, from the cache or the card; on HC_OK d->rec_cache holds it. */
static int
cached_record(wsb_dev_t *d, visit_op_t *op)
{
	int rc;

	if (d->rec_cache != NULL && d->rec_cache_slot == cache_key(op))
		return HC_OK;
	hc_visit_record_free(&d->rec_cache);
	if ((rc = wsb_run(d, record_read, op, 1)) != HC_OK)
		return rc;
	d->rec_cache = op->rec;
	d->rec_cache_slot = cache_key(op);
	op->rec = NULL;
	return HC_OK;
}

static int
style_ok(int style)
{
	return style == HC_VISIT_STYLE_RAW || style == HC_VISIT_STYLE_ANS
	    || style == HC_VISIT_STYLE_CN || style == HC_VISIT_STYLE_B;
}

static int
run_read_range(wsb_dev_t *d, visit_op_t *op)
{
	int rc;

	if ((rc = cached_record(d, op)) != HC_OK) {
		/* nothing read */
	} else if (op->style != HC_VISIT_STYLE_ANS) {
		rc = hc_visit_record_get_range(d->rec_cache, op->pos, op->len, op->style, op->data, 2 * op->len + 1);
	} else {
		op->tmp_cap = 3 * op->len + 1;   /* GBK -> UTF-8: at most 3 bytes per 2, 1 per 1 */
		if ((op->tmp = malloc(op->tmp_cap)) == NULL)
			rc = HC_ERR_NO_MEMORY;
		else if ((rc = hc_visit_record_get_range(d->rec_cache, op->pos, op->len, op->style, op->tmp, op->tmp_cap)) == HC_OK)
			rc = wsb_text_out(d, op->tmp, op->data);
	}
	return rc;
}

static int
run_write_range(wsb_dev_t *d, visit_op_t *op)
{
	int rc = HC_OK;

	op->value = op->data;
	if (op->style == HC_VISIT_STYLE_ANS) {
		op->tmp_cap = 2 * strlen(op->data) + 1;
		if ((op->tmp = malloc(op->tmp_cap)) == NULL)
			rc = HC_ERR_NO_MEMORY;
		else if ((rc = wsb_text_in(d, op->data, op->tmp, op->tmp_cap)) == HC_OK)
			op->value = op->tmp;
	}
	if (rc == HC_OK)
		rc = wsb_run(d, record_update, op, 0);
	return rc;
}

static int
run_read_all(wsb_dev_t *d, visit_op_t *op)
{
	int rc;

	if ((rc = cached_record(d, op)) == HC_OK) {
		hc_visit_record_to_text(d->rec_cache, NULL, 0, &op->tmp_cap);
		if (op->tmp_cap == 0 || (op->tmp = malloc(op->tmp_cap)) == NULL)
			rc = HC_ERR_NO_MEMORY;
		else if ((rc = hc_visit_record_to_text(d->rec_cache, op->tmp, op->tmp_cap, NULL)) == HC_OK)
			rc = wsb_text_out(d, op->tmp, op->data);
	}
	return rc;
}

static int
run_write_all(wsb_dev_t *d, visit_op_t *op)
{
	int rc;

	op->tmp_cap = 2 * strlen(op->data) + 1;
	if ((op->tmp = malloc(op->tmp_cap)) == NULL) {
		rc = HC_ERR_NO_MEMORY;
	} else if ((rc = wsb_text_in(d, op->data, op->tmp, op->tmp_cap)) == HC_OK) {
		op->text = op->tmp;
		if ((rc = wsb_run(d, record_update, op, 0)) != HC_OK && op->bad_item > 0)
			hc_log_error("record text: item %d refused", op->bad_item);
	}
	return rc;
}

static const visit_call_t confirm_index_call = { 0, 0, run_confirm_index, WSB_OP_SET_INDEX };
static const visit_call_t erase_index_call = { 0, 0, run_erase_index, WSB_OP_ERASE_INDEX };
static const visit_call_t read_range_call = { 1, 1, run_read_range, WSB_OP_READ_BINARY };
static const visit_call_t write_range_call = { 0, 1, run_write_range, WSB_OP_WRITE_BINARY };
static const visit_call_t read_all_call = { 1, 1, run_read_all, WSB_OP_READ_BINARY };
static const visit_call_t write_all_call = { 0, 1, run_write_all, WSB_OP_WRITE_BINARY };

/* A call on slot n of kind: the slot checked, and data unless the call takes none. */
static int
slot_call(HANDLE h, const visit_call_t *call, hc_visit_kind_t kind, int n, char *data)
{
	visit_op_t op;

	memset(&op, 0, sizeof(op));
	op.kind = kind;
	op.slot = n;
	op.data = data;
	return visit_call(h, call, &op, slot_ok(kind, n) && (data != NULL || !call->needs_data));
}

/* A byte-range call: slot, buffer, range and style checked. */
static int
range_call(HANDLE h, const visit_call_t *call, hc_visit_kind_t kind, int n, char *data, int pos, int len, int style)
{
	size_t size = hc_visit_data_len(kind);
	visit_op_t op;
	int args_ok = slot_ok(kind, n) && data != NULL && pos >= 0 && len >= 1 && (size_t)pos < size
	           && (size_t)len <= size - (size_t)pos && style_ok(style);

	memset(&op, 0, sizeof(op));
	op.kind = kind;
	op.slot = n;
	op.data = data;
	if (args_ok) {
		op.pos = (size_t)pos;
		op.len = (size_t)len;
		op.style = style;
	}
	return visit_call(h, call, &op, args_ok);
}

/* --- the national calls ------------------------------------------------------------------- */

int
iR_DF03EF05Info(HANDLE h, char *ZYJLBS1, char *ZYJLBS2, char *ZYJLBS3)
{
	char *const v[] = { ZYJLBS1, ZYJLBS2, ZYJLBS3 };
	return read_index(h, HC_VISIT_INPATIENT, v);
}

int
iR_DF03EF06Info(HANDLE h, char *MZJLBS1, char *MZJLBS2, char *MZJLBS3, char *MZJLBS4, char *MZJLBS5)
{
	char *const v[] = { MZJLBS1, MZJLBS2, MZJLBS3, MZJLBS4, MZJLBS5 };
	return read_index(h, HC_VISIT_OUTPATIENT, v);
}

int iW_DF03EF05Info(HANDLE h, int n) { return slot_call(h, &confirm_index_call, HC_VISIT_INPATIENT, n, NULL); }
int iW_DF03EF06Info(HANDLE h, int n) { return slot_call(h, &confirm_index_call, HC_VISIT_OUTPATIENT, n, NULL); }
int iErase_DF03EF05Info(HANDLE h, int n) { return slot_call(h, &erase_index_call, HC_VISIT_INPATIENT, n, NULL); }
int iErase_DF03EF06Info(HANDLE h, int n) { return slot_call(h, &erase_index_call, HC_VISIT_OUTPATIENT, n, NULL); }

int
iR_DF03EEInfo(HANDLE h, int n, char *szData, int nPos, int nLen, int nStyle)
{
	return range_call(h, &read_range_call, HC_VISIT_INPATIENT, n, szData, nPos, nLen, nStyle);
}

int
iW_DF03EEInfo(HANDLE h, int n, char *szData, int nPos, int nLen, int nStyle)
{
	return range_call(h, &write_range_call, HC_VISIT_INPATIENT, n, szData, nPos, nLen, nStyle);
}

int
iR_DF03EDInfo(HANDLE h, int n, char *szData, int nPos, int nLen, int nStyle)
{
	return range_call(h, &read_range_call, HC_VISIT_OUTPATIENT, n, szData, nPos, nLen, nStyle);
}

int
iW_DF03EDInfo(HANDLE h, int n, char *szData, int nPos, int nLen, int nStyle)
{
	return range_call(h, &write_range_call, HC_VISIT_OUTPATIENT, n, szData, nPos, nLen, nStyle);
}

int iR_DF03EE_ALLInfo(HANDLE h, int n, char *szData) { return slot_call(h, &read_all_call, HC_VISIT_INPATIENT, n, szData); }
int iW_DF03EE_ALLInfo(HANDLE h, int n, char *szData) { return slot_call(h, &write_all_call, HC_VISIT_INPATIENT, n, szData); }
int iR_DF03ED_ALLInfo(HANDLE h, int n, char *szData) { return slot_call(h, &read_all_call, HC_VISIT_OUTPATIENT, n, szData); }
int iW_DF03ED_ALLInfo(HANDLE h, int n, char *szData) { return slot_call(h, &write_all_call, HC_VISIT_OUTPATIENT, n, szData); }
