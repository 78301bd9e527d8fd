/*
 * Visit record codec: item values <-> bytes (card-profile.md §3 types, padding rules) and the
 * record object. Text goes through the GBK codec of src/codec.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "apdu/buf.h"
#include "apdu/log.h"
#include "src/codec.h"
#include "src/record_codec.h"

#define MAX_FIELD 256u   /* longest item of visit-records.csv is ans 200 (ED) */
#define CN_UINT_MAX_LEN 9u

/* "" or only decimal digits. */
static int
all_digits(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* Right-justified, zero-padded integer of any digit count that fits 2*len digits. */
static int
encode_number(const char *value, uint8_t *out, size_t len)
{
	size_t n, i, nib;
	const char *p = value;

	if (!all_digits(value))
		return HC_ERR_BAD_VALUE;
	if (*value == '\0') {
		memset(out, 0xFF, len);
		return HC_OK;
	}
	while (p[0] == '0' && p[1] != '\0')
		p++;
	n = strlen(p);
	if (n > 2 * len)
		return HC_ERR_BAD_VALUE;
	memset(out, 0, len);
	for (i = 0; i < n; i++) {
		nib = 2 * len - n + i;
		out[nib / 2] |= (uint8_t)((unsigned)(p[i] - '0') << ((nib % 2) ? 0 : 4));
	}
	return HC_OK;
}

/* All F: "". Otherwise every nibble a digit; leading zeros stripped (one kept). */
static int
decode_number(const uint8_t *in, size_t len, char *out, size_t cap)
{
	size_t i, o = 0, all_f = 1;
	unsigned nib;

	if (cap < 2 * len + 1)
		return HC_ERR_BUFFER_TOO_SMALL;
	for (i = 0; i < len; i++)
		if (in[i] != 0xFF)
			all_f = 0;
	if (all_f) {
		out[0] = '\0';
		return HC_OK;
	}
	for (i = 0; i < 2 * len; i++) {
		nib = (i % 2) ? (in[i / 2] & 0x0Fu) : (in[i / 2] >> 4);
		if (nib > 9) {
			hc_log_error("cn number field: nibble %X", nib);
			return HC_ERR_MALFORMED_RESPONSE;
		}
		if (o == 0 && nib == 0)
			continue;
		out[o++] = (char)('0' + nib);
	}
	if (o == 0)
		out[o++] = '0';
	out[o] = '\0';
	return HC_OK;
}

int
hc_visit_item_encode(const hc_visit_item_t *item, const char *value, uint8_t *field)
{
	uint8_t tmp[MAX_FIELD];
	size_t len;
	int rc = HC_ERR_INVALID_ARGUMENT;

	if (item == NULL || value == NULL || field == NULL || item->length > MAX_FIELD)
		goto out;
	len = item->length;
	switch (item->type) {
	case HC_VT_ANS:
		rc = hc_codec_text_encode(value, tmp, len, NULL, NULL);
		break;
	case HC_VT_B:
		if (strlen(value) != 2 * len || hc_hex_decode(value, tmp, len) != (int)len)
			rc = HC_ERR_BAD_VALUE;
		else
			rc = HC_OK;
		break;
	case HC_VT_CN:
		switch (item->cn_kind) {
		case HC_CN_DIGITS:
			rc = hc_codec_cn_encode_digits(value, tmp, len);
			break;
		case HC_CN_NUMBER:
			rc = encode_number(value, tmp, len);
			break;
		case HC_CN_DATE:
			rc = len == 4 ? hc_codec_date_encode(value, tmp, len) : HC_ERR_INTERNAL;
			break;
		case HC_CN_DATETIME:
			rc = len == 7 ? hc_codec_date_encode(value, tmp, len) : HC_ERR_INTERNAL;
			break;
		default:
			rc = HC_ERR_INTERNAL;
			break;
		}
		break;
	default:
		rc = HC_ERR_INTERNAL;
		break;
	}
	if (rc == HC_OK)
		memcpy(field, tmp, len);
out:
	hc_wipe(tmp, sizeof(tmp));
	return rc;
}

int
hc_visit_item_decode(const hc_visit_item_t *item, const uint8_t *field, char *out, size_t cap)
{
	int rc = HC_ERR_INVALID_ARGUMENT;

	if (item == NULL || field == NULL || out == NULL || cap == 0)
		goto out;
	rc = HC_ERR_BUFFER_TOO_SMALL;
	if (item->type != HC_VT_ANS && cap < 2u * item->length + 1u)
		goto out;
	switch (item->type) {
	case HC_VT_ANS:
		rc = hc_codec_text_decode(field, item->length, out, cap);
		break;
	case HC_VT_B:
		rc = cap < 2u * item->length + 1 ? HC_ERR_BUFFER_TOO_SMALL
			: hc_hex_encode(field, item->length, out, cap) == 0 ? HC_OK : HC_ERR_INTERNAL;
		break;
	case HC_VT_CN:
		switch (item->cn_kind) {
		case HC_CN_DIGITS:
			rc = hc_codec_cn_decode_digits(field, item->length, out, cap);
			break;
		case HC_CN_NUMBER:
			rc = decode_number(field, item->length, out, cap);
			break;
		case HC_CN_DATE:
		case HC_CN_DATETIME:
			rc = hc_codec_date_decode(field, item->length, out, cap);
			break;
		default:
			rc = HC_ERR_INTERNAL;
			break;
		}
		break;
	default:
		rc = HC_ERR_INTERNAL;
		break;
	}
out:
	return rc;
}

size_t
hc_visit_value_cap(const hc_visit_item_t *item)
{
	if (item == NULL)
		return 0;
	/* ans: HC_ANS_UTF8_CAP; cn and b: 2 characters per byte */
	return item->type == HC_VT_ANS ? HC_ANS_UTF8_CAP((size_t)item->length)
		: 2u * item->length + 1u;
}

void
hc_visit_record_blank(hc_visit_kind_t kind, uint8_t *data, size_t len)
{
	size_t i;
	const hc_visit_item_t *it;

	memset(data, 0, len);
	for (i = 0; (it = hc_visit_item_at(kind, i)) != NULL; i++)
		if (it->type == HC_VT_CN && (size_t)it->offset + it->length <= len)
			memset(data + it->offset, 0xFF, it->length);
}

int
hc_visit_record_new(hc_visit_kind_t kind, hc_visit_record_t **out)
{
	hc_visit_record_t *rec;
	size_t len = hc_visit_data_len(kind);

	if (out == NULL || len == 0)
		return HC_ERR_INVALID_ARGUMENT;
	*out = NULL;
	rec = calloc(1, sizeof(*rec));
	if (rec == NULL)
		return HC_ERR_NO_MEMORY;
	rec->kind = kind;
	rec->len = len;
	hc_visit_record_blank(kind, rec->data, len);
	*out = rec;
	return HC_OK;
}

void
hc_visit_record_free(hc_visit_record_t **rec)
{
	if (rec == NULL || *rec == NULL)
		return;
	hc_wipe(*rec, sizeof(**rec));
	free(*rec);
	*rec = NULL;
}

hc_visit_kind_t
hc_visit_record_kind(const hc_visit_record_t *rec)
{
	return rec != NULL ? rec->kind : (hc_visit_kind_t)0;
}

int
hc_visit_record_slot(const hc_visit_record_t *rec)
{
	return rec != NULL ? rec->slot : 0;
}

/* The item must belong to the record's kind and lie inside its data. */
static int
item_ok(const hc_visit_record_t *rec, const hc_visit_item_t *item)
{
	return rec != NULL && item != NULL && item->file == (uint8_t)rec->kind &&
	       item->length <= rec->len && item->offset <= rec->len - item->length;
}

int
hc_visit_record_set(hc_visit_record_t *rec, const hc_visit_item_t *item, const char *value)
{
	if (!item_ok(rec, item) || value == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	return hc_visit_item_encode(item, value, rec->data + item->offset);
}

int
hc_visit_record_get(const hc_visit_record_t *rec, const hc_visit_item_t *item,
                    char *out, size_t cap)
{
	if (!item_ok(rec, item))
		return HC_ERR_INVALID_ARGUMENT;
	return hc_visit_item_decode(item, rec->data + item->offset, out, cap);
}

int
hc_visit_record_set_no(hc_visit_record_t *rec, int item_no, const char *value)
{
	if (rec == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	return hc_visit_record_set(rec, hc_visit_item_by_no(rec->kind, item_no), value);
}

int
hc_visit_record_get_no(const hc_visit_record_t *rec, int item_no, char *out, size_t cap)
{
	if (rec == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	return hc_visit_record_get(rec, hc_visit_item_by_no(rec->kind, item_no), out, cap);
}

int
hc_visit_record_set_id(hc_visit_record_t *rec, int data_id, const char *value)
{
	return hc_visit_record_set(rec, hc_visit_item_by_id(data_id), value);
}

int
hc_visit_record_get_id(const hc_visit_record_t *rec, int data_id, char *out, size_t cap)
{
	return hc_visit_record_get(rec, hc_visit_item_by_id(data_id), out, cap);
}

const uint8_t *
hc_visit_record_data(const hc_visit_record_t *rec, size_t *len)
{
	if (rec == NULL)
		return NULL;
	if (len != NULL)
		*len = rec->len;
	return rec->data;
}

int
hc_visit_record_set_data(hc_visit_record_t *rec, const uint8_t *data, size_t len)
{
	if (rec == NULL || data == NULL || len != rec->len)
		return HC_ERR_INVALID_ARGUMENT;
	memmove(rec->data, data, len);
	return HC_OK;
}
