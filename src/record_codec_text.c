/*
 * Visit records as text: all items joined with '|' (national-api.md iR_DF03EE_ALLInfo) and
 * the byte-range access with a style (iR_DF03EEInfo). See hcard_visit.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "apdu/buf.h"
#include "src/codec.h"
#include "src/record_codec.h"

#define VALUE_CAP 512u   /* >= hc_visit_value_cap of the longest item (ans 200 -> 401) */

int
hc_visit_record_to_text(const hc_visit_record_t *rec, char *out, size_t cap, size_t *needed)
{
	char value[VALUE_CAP];
	const hc_visit_item_t *it;
	size_t i, n, total = 0;
	int rc = HC_OK, fits = 1;

	if (rec == NULL || (out == NULL && cap != 0)) {
		rc = HC_ERR_INVALID_ARGUMENT;
		goto out;
	}
	for (i = 0; (it = hc_visit_item_at(rec->kind, i)) != NULL; i++) {
		rc = hc_visit_record_get(rec, it, value, sizeof(value));
		if (rc != HC_OK)
			goto out;
		n = strlen(value);
		if (i > 0) {
			if (fits && total + 1 < cap)
				out[total] = '|';
			else
				fits = 0;
			total++;
		}
		if (fits && total + n < cap)
			memcpy(out + total, value, n);
		else
			fits = 0;
		total += n;
	}
	if (needed != NULL)
		*needed = total + 1;
	if (!fits || total >= cap) {
		rc = HC_ERR_BUFFER_TOO_SMALL;
		goto out;
	}
	out[total] = '\0';
out:
	hc_wipe(value, sizeof(value));
	return rc;
}

int
hc_visit_record_from_text(hc_visit_record_t *rec, const char *text, int *bad_item)
{
	uint8_t data[HC_VISIT_OUTPATIENT_LEN];
	char value[VALUE_CAP];
	const hc_visit_item_t *it;
	const char *p, *bar;
	size_t i, n;
	int rc = HC_ERR_INVALID_ARGUMENT;

	if (bad_item != NULL)
		*bad_item = 0;
	if (rec == NULL || text == NULL)
		goto out;
	memcpy(data, rec->data, rec->len);
	p = text;
	for (i = 0; (it = hc_visit_item_at(rec->kind, i)) != NULL; i++) {
		if (p == NULL) {            /* fewer values than items */
			rc = HC_ERR_BAD_VALUE;
			if (bad_item != NULL)
				*bad_item = it->item_no;
			goto out;
		}
		bar = strchr(p, '|');
		n = bar != NULL ? (size_t)(bar - p) : strlen(p);
		if (n >= sizeof(value)) {
			rc = it->type == HC_VT_ANS ? HC_ERR_TEXT_TOO_LONG : HC_ERR_BAD_VALUE;
			if (bad_item != NULL)
				*bad_item = it->item_no;
			goto out;
		}
		memcpy(value, p, n);
		value[n] = '\0';
		rc = hc_visit_item_encode(it, value, data + it->offset);
		if (rc != HC_OK) {
			if (bad_item != NULL)
				*bad_item = it->item_no;
			goto out;
		}
		p = bar != NULL ? bar + 1 : NULL;
	}
	if (p != NULL) {                    /* more values than items */
		rc = HC_ERR_BAD_VALUE;
		goto out;
	}
	memcpy(rec->data, data, rec->len);
	rc = HC_OK;
out:
	hc_wipe(data, sizeof(data));
	hc_wipe(value, sizeof(value));
	return rc;
}

static int
range_ok(const hc_visit_record_t *rec, size_t pos, size_t len)
{
	return rec != NULL && len > 0 && len <= rec->len && pos <= rec->len - len;
}

int
hc_visit_record_get_range(const hc_visit_record_t *rec, size_t pos, size_t len, int style,
                          char *out, size_t cap)
{
	if (!range_ok(rec, pos, len) || out == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	switch (style) {
	case HC_VISIT_STYLE_ANS:
		return hc_codec_text_decode(rec->data + pos, len, out, cap);
	case HC_VISIT_STYLE_RAW:
	case HC_VISIT_STYLE_CN:
	case HC_VISIT_STYLE_B:
		if (cap < 2 * len + 1)
			return HC_ERR_BUFFER_TOO_SMALL;
		return hc_hex_encode(rec->data + pos, len, out, cap) == 0 ? HC_OK : HC_ERR_INTERNAL;
	default:
		return HC_ERR_INVALID_ARGUMENT;
	}
}

int
hc_visit_record_set_range(hc_visit_record_t *rec, size_t pos, size_t len, int style,
                          const char *value)
{
	uint8_t *tmp = NULL;
	int rc = HC_ERR_INVALID_ARGUMENT;

	if (!range_ok(rec, pos, len) || value == NULL)
		goto out;
	tmp = malloc(len);
	if (tmp == NULL) {
		rc = HC_ERR_NO_MEMORY;
		goto out;
	}
	switch (style) {
	case HC_VISIT_STYLE_ANS:
		rc = hc_codec_text_encode(value, tmp, len, NULL, NULL);
		break;
	case HC_VISIT_STYLE_RAW:
	case HC_VISIT_STYLE_CN:
	case HC_VISIT_STYLE_B:
		rc = strlen(value) == 2 * len && hc_hex_decode(value, tmp, len) == (int)len
			? HC_OK : HC_ERR_BAD_VALUE;
		break;
	default:
		rc = HC_ERR_INVALID_ARGUMENT;
		break;
	}
	if (rc == HC_OK)
		memcpy(rec->data + pos, tmp, len);
out:
	if (tmp != NULL) {
		hc_wipe(tmp, len);
		free(tmp);
	}
	return rc;
}
