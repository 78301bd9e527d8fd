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
} visit_op_t;

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
read_index(HANDLE h, hc_visit_kind_t kind, char *const *out)
{
	visit_op_t op;
	wsb_dev_t *d;
	int ret, rc, i, n = hc_visit_slots(kind);

	if ((ret = wsb_enter(h, &d)) != IRV_OK)
		return ret;
	memset(&op, 0, sizeof(op));
	op.kind = kind;
	ret = IRV_PARA_ERR;
	for (i = 0; i < n; i++)
		if (out[i] == NULL)
			goto out;
	if ((rc = wsb_run(d, index_read, &op, 1)) == HC_OK && op.n_slots != n)
		rc = HC_ERR_MALFORMED_RESPONSE;
	for (i = 0; rc == HC_OK && i < n; i++)
		wsb_hex_out(&op.index[i], 1, out[i]);
	ret = wsb_irv(rc, WSB_OP_READ_RECORD);
out:
	wsb_leave(d);
	return ret;
}

/* iW_DF03EF05/06Info: a slot's index is set only as the last step of writing a signed
 * record; here it is confirmed, never set on data that were not verified. */
static int
confirm_index(HANDLE h, hc_visit_kind_t kind, int n)
{
	visit_op_t op;
	wsb_dev_t *d;
	int ret, rc;

	if ((ret = wsb_enter(h, &d)) != IRV_OK)
		return ret;
	memset(&op, 0, sizeof(op));
	op.kind = kind;
	if (!slot_ok(kind, n)) {
		ret = IRV_PARA_ERR;
		goto out;
	}
	if ((rc = wsb_run(d, index_read, &op, 1)) != HC_OK) {
		ret = wsb_irv(rc, WSB_OP_SET_INDEX);
		goto out;
	}
	if (op.index[n - 1] != 0x00) {
		hc_log_error("slot %d is empty: a slot becomes valid only by writing a signed record (iW_DF03EEInfo/EDInfo)", n);
		ret = IRV_W_DF03EF05ERR;
		goto out;
	}
	ret = IRV_OK;
out:
	wsb_leave(d);
	return ret;
}

static int
erase_index(HANDLE h, hc_visit_kind_t kind, int n)
{
	visit_op_t op;
	wsb_dev_t *d;
	int ret;

	if ((ret = wsb_enter(h, &d)) != IRV_OK)
		return ret;
	memset(&op, 0, sizeof(op));
	op.kind = kind;
	op.slot = n;
	ret = slot_ok(kind, n) ? wsb_irv(wsb_run(d, index_erase, &op, 0), WSB_OP_ERASE_INDEX) : IRV_PARA_ERR;
	wsb_leave(d);
	return ret;
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

/* Checks slot, buffer, range and style of a byte-range call into op. */
static int
range_args(visit_op_t *op, hc_visit_kind_t kind, int n, const char *data, int pos, int len, int style)
{
	size_t size = hc_visit_data_len(kind);

	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->slot = n;
	if (!slot_ok(kind, n) || data == NULL || pos < 0 || len < 1 || (size_t)pos >= size
	    || (size_t)len > size - (size_t)pos || !style_ok(style))
		return 0;
	op->pos = (size_t)pos;
	op->len = (size_t)len;
	op->style = style;
	return 1;
}

static int
read_range(HANDLE h, hc_visit_kind_t kind, int n, char *data, int pos, int len, int style)
{
	visit_op_t op;
	wsb_dev_t *d;
	char *tmp = NULL;
	size_t cap;
	int ret, rc;

	if ((ret = wsb_enter_keep(h, &d)) != IRV_OK)
		return ret;
	ret = IRV_PARA_ERR;
	if (!range_args(&op, kind, n, data, pos, len, style))
		goto out;
	if ((rc = cached_record(d, &op)) != HC_OK) {
		ret = wsb_irv(rc, WSB_OP_READ_BINARY);
		goto out;
	}
	if (style != HC_VISIT_STYLE_ANS) {
		rc = hc_visit_record_get_range(d->rec_cache, op.pos, op.len, style, data, 2 * op.len + 1);
	} else {
		cap = 3 * op.len + 1;        /* GBK -> UTF-8: at most 3 bytes per 2, 1 per 1 */
		if ((tmp = malloc(cap)) == NULL) {
			rc = HC_ERR_NO_MEMORY;
		} else if ((rc = hc_visit_record_get_range(d->rec_cache, op.pos, op.len, style, tmp, cap)) == HC_OK) {
			rc = wsb_text_out(d, tmp, data);
		}
	}
	ret = wsb_irv(rc, WSB_OP_READ_BINARY);
out:
	if (tmp != NULL)
		hc_wipe(tmp, 3 * op.len + 1);
	free(tmp);
	wsb_leave(d);
	return ret;
}

static int
write_range(HANDLE h, hc_visit_kind_t kind, int n, char *data, int pos, int len, int style)
{
	visit_op_t op;
	wsb_dev_t *d;
	char *tmp = NULL;
	size_t cap = 0;
	int ret, rc = HC_OK;

	if ((ret = wsb_enter(h, &d)) != IRV_OK)
		return ret;
	ret = IRV_PARA_ERR;
	if (!range_args(&op, kind, n, data, pos, len, style))
		goto out;
	op.value = data;
	if (style == HC_VISIT_STYLE_ANS) {
		cap = 2 * strlen(data) + 1;
		if ((tmp = malloc(cap)) == NULL)
			rc = HC_ERR_NO_MEMORY;
		else if ((rc = wsb_text_in(d, data, tmp, cap)) == HC_OK)
			op.value = tmp;
	}
	if (rc == HC_OK)
		rc = wsb_run(d, record_update, &op, 0);
	ret = wsb_irv(rc, WSB_OP_WRITE_BINARY);
out:
	hc_visit_record_free(&op.rec);
	if (tmp != NULL)
		hc_wipe(tmp, cap);
	free(tmp);
	wsb_leave(d);
	return ret;
}

static int
read_all(HANDLE h, hc_visit_kind_t kind, int n, char *data)
{
	visit_op_t op;
	wsb_dev_t *d;
	char *text = NULL;
	size_t need = 0;
	int ret, rc;

	if ((ret = wsb_enter_keep(h, &d)) != IRV_OK)
		return ret;
	memset(&op, 0, sizeof(op));
	op.kind = kind;
	op.slot = n;
	ret = IRV_PARA_ERR;
	if (!slot_ok(kind, n) || data == NULL)
		goto out;
	if ((rc = cached_record(d, &op)) == HC_OK) {
		hc_visit_record_to_text(d->rec_cache, NULL, 0, &need);
		if (need == 0 || (text = malloc(need)) == NULL)
			rc = HC_ERR_NO_MEMORY;
		else if ((rc = hc_visit_record_to_text(d->rec_cache, text, need, NULL)) == HC_OK)
			rc = wsb_text_out(d, text, data);
	}
	ret = wsb_irv(rc, WSB_OP_READ_BINARY);
out:
	if (text != NULL)
		hc_wipe(text, need);
	free(text);
	wsb_leave(d);
	return ret;
}

static int
write_all(HANDLE h, hc_visit_kind_t kind, int n, char *data)
{
	visit_op_t op;
	wsb_dev_t *d;
	char *text = NULL;
	size_t cap = 0;
	int ret, rc;

	if ((ret = wsb_enter(h, &d)) != IRV_OK)
		return ret;
	memset(&op, 0, sizeof(op));
	op.kind = kind;
	op.slot = n;
	ret = IRV_PARA_ERR;
	if (!slot_ok(kind, n) || data == NULL)
		goto out;
	cap = 2 * strlen(data) + 1;
	if ((text = malloc(cap)) == NULL)
		rc = HC_ERR_NO_MEMORY;
	else if ((rc = wsb_text_in(d, data, text, cap)) == HC_OK) {
		op.text = text;
		if ((rc = wsb_run(d, record_update, &op, 0)) != HC_OK && op.bad_item > 0)
			hc_log_error("record text: item %d refused", op.bad_item);
	}
	ret = wsb_irv(rc, WSB_OP_WRITE_BINARY);
out:
	hc_visit_record_free(&op.rec);
	if (text != NULL)
		hc_wipe(text, cap);
	free(text);
	wsb_leave(d);
	return ret;
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

int iW_DF03EF05Info(HANDLE h, int n) { return confirm_index(h, HC_VISIT_INPATIENT, n); }
int iW_DF03EF06Info(HANDLE h, int n) { return confirm_index(h, HC_VISIT_OUTPATIENT, n); }
int iErase_DF03EF05Info(HANDLE h, int n) { return erase_index(h, HC_VISIT_INPATIENT, n); }
int iErase_DF03EF06Info(HANDLE h, int n) { return erase_index(h, HC_VISIT_OUTPATIENT, n); }

int
iR_DF03EEInfo(HANDLE h, int n, char *szData, int nPos, int nLen, int nStyle)
{
	return read_range(h, HC_VISIT_INPATIENT, n, szData, nPos, nLen, nStyle);
}

int
iW_DF03EEInfo(HANDLE h, int n, char *szData, int nPos, int nLen, int nStyle)
{
	return write_range(h, HC_VISIT_INPATIENT, n, szData, nPos, nLen, nStyle);
}

int
iR_DF03EDInfo(HANDLE h, int n, char *szData, int nPos, int nLen, int nStyle)
{
	return read_range(h, HC_VISIT_OUTPATIENT, n, szData, nPos, nLen, nStyle);
}

int
iW_DF03EDInfo(HANDLE h, int n, char *szData, int nPos, int nLen, int nStyle)
{
	return write_range(h, HC_VISIT_OUTPATIENT, n, szData, nPos, nLen, nStyle);
}

int iR_DF03EE_ALLInfo(HANDLE h, int n, char *szData) { return read_all(h, HC_VISIT_INPATIENT, n, szData); }
int iW_DF03EE_ALLInfo(HANDLE h, int n, char *szData) { return write_all(h, HC_VISIT_INPATIENT, n, szData); }
int iR_DF03ED_ALLInfo(HANDLE h, int n, char *szData) { return read_all(h, HC_VISIT_OUTPATIENT, n, szData); }
int iW_DF03ED_ALLInfo(HANDLE h, int n, char *szData) { return write_all(h, HC_VISIT_OUTPATIENT, n, szData); }
