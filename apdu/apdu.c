/*
 * Command APDUs: case, check, encode (short and extended), parse (ISO/IEC 7816-3 §12.1.3
 * length rules), and response buffers.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hcard_err.h"
#include "apdu/apdu.h"
#include "apdu/buf.h"
#include "apdu/log.h"

hc_apdu_case_t
hc_apdu_case(const hc_apdu_t *a)
{
	if (a->lc == 0)
		return a->has_le ? HC_APDU_CASE_2 : HC_APDU_CASE_1;
	return a->has_le ? HC_APDU_CASE_4 : HC_APDU_CASE_3;
}

/* Extended encoding when forced or when a field does not fit the short form. */
static int
apdu_is_extended(const hc_apdu_t *a)
{
	return a->extended || a->lc > HC_APDU_MAX_SHORT_LC || (a->has_le && a->le > 256);
}

int
hc_apdu_check(const hc_apdu_t *a)
{
	if (a == NULL)
		return HC_ERR_INVALID_APDU;
	if (a->cla == 0xFF) {
		hc_log_debug("CLA FF is reserved for PPS");
		return HC_ERR_INVALID_APDU;
	}
	if ((a->ins & 0xF0) == 0x60 || (a->ins & 0xF0) == 0x90) {
		hc_log_debug("INS %02X is a status byte value", a->ins);
		return HC_ERR_INVALID_APDU;
	}
	if (a->lc > HC_APDU_MAX_DATA || (a->lc > 0 && a->data == NULL)) {
		hc_log_debug("Lc %zu invalid or data missing", a->lc);
		return HC_ERR_INVALID_APDU;
	}
	if (a->has_le) {
		if (a->le == 0 || a->le > HC_APDU_MAX_DATA + 1) {
			hc_log_debug("Le %zu out of range", a->le);
			return HC_ERR_INVALID_APDU;
		}
	} else if (a->le != 0) {
		hc_log_debug("Le %zu given without has_le", a->le);
		return HC_ERR_INVALID_APDU;
	}
	return HC_OK;
}

int
hc_apdu_encode(const hc_apdu_t *a, uint8_t *out, size_t cap, size_t *out_len)
{
	hc_writer_t w;
	int ext, rc;

	if (out == NULL || out_len == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	if ((rc = hc_apdu_check(a)) != HC_OK)
		return rc;
	ext = apdu_is_extended(a);
	hc_writer_init(&w, out, cap);
	hc_put_u8(&w, a->cla);
	hc_put_u8(&w, a->ins);
	hc_put_u8(&w, a->p1);
	hc_put_u8(&w, a->p2);
	if (a->lc > 0) {
		if (ext) {
			hc_put_u8(&w, 0x00);
			hc_put_u16(&w, (uint16_t)a->lc);
		} else {
			hc_put_u8(&w, (uint8_t)a->lc);
		}
		hc_put_bytes(&w, a->data, a->lc);
	}
	if (a->has_le) {
		if (ext) {
			if (a->lc == 0)
				hc_put_u8(&w, 0x00);    /* case 2E: 00 Le1 Le2 */
			hc_put_u16(&w, (uint16_t)(a->le == 65536 ? 0 : a->le));
		} else {
			hc_put_u8(&w, (uint8_t)(a->le == 256 ? 0 : a->le));
		}
	}
	if (!hc_writer_ok(&w))
		return HC_ERR_BUFFER_TOO_SMALL;
	*out_len = w.len;
	return HC_OK;
}

int
hc_apdu_parse(const uint8_t *raw, size_t len, hc_apdu_t *a)
{
	size_t body, lc, le;

	if (raw == NULL || a == NULL || len < 4)
		return HC_ERR_INVALID_APDU;
	memset(a, 0, sizeof(*a));
	a->cla = raw[0];
	a->ins = raw[1];
	a->p1 = raw[2];
	a->p2 = raw[3];
	body = len - 4;
	if (body == 0)
		return HC_OK;                                   /* case 1 */
	if (body == 1) {                                        /* case 2S */
		a->has_le = 1;
		a->le = raw[4] == 0 ? 256 : raw[4];
		return HC_OK;
	}
	if (raw[4] != 0) {                                      /* short Lc */
		lc = raw[4];
		if (body == 1 + lc) {                           /* case 3S */
			a->lc = lc;
			a->data = raw + 5;
			return HC_OK;
		}
		if (body == 2 + lc) {                           /* case 4S */
			a->lc = lc;
			a->data = raw + 5;
			a->has_le = 1;
			a->le = raw[len - 1] == 0 ? 256 : raw[len - 1];
			return HC_OK;
		}
		goto invalid;
	}
	/* raw[4] == 00: extended, body >= 3 */
	if (body < 3)
		goto invalid;
	a->extended = 1;
	if (body == 3) {                                        /* case 2E */
		le = (size_t)raw[5] << 8 | raw[6];
		a->has_le = 1;
		a->le = le == 0 ? 65536 : le;
		return HC_OK;
	}
	lc = (size_t)raw[5] << 8 | raw[6];
	if (lc == 0)
		goto invalid;
	if (body == 3 + lc) {                                   /* case 3E */
		a->lc = lc;
		a->data = raw + 7;
		return HC_OK;
	}
	if (lc <= body - 3 && body - 3 - lc == 2) {            /* case 4E */
		a->lc = lc;
		a->data = raw + 7;
		le = (size_t)raw[len - 2] << 8 | raw[len - 1];
		a->has_le = 1;
		a->le = le == 0 ? 65536 : le;
		return HC_OK;
	}
invalid:
	memset(a, 0, sizeof(*a));
	return HC_ERR_INVALID_APDU;
}

hc_resp_t *
hc_resp_new(void)
{
	hc_resp_t *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	if ((r->data = calloc(1, HC_RESP_MAX)) == NULL) {
		free(r);
		return NULL;
	}
	r->cap = HC_RESP_MAX;
	return r;
}

void
hc_resp_free(hc_resp_t **rp)
{
	hc_resp_t *r;

	if (rp == NULL || (r = *rp) == NULL)
		return;
	hc_wipe(r->data, r->cap);
	free(r->data);
	hc_wipe(r, sizeof(*r));
	free(r);
	*rp = NULL;
}

void
hc_resp_clear(hc_resp_t *r)
{
	if (r == NULL)
		return;
	hc_wipe(r->data, r->cap);
	r->len = 0;
	r->sw = 0;
}
