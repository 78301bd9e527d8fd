/*
 * PIN pads (pinpad.h): PC/SC v2 part 10 FEATURE_VERIFY_PIN_DIRECT. The reader reads the PIN
 * on its keypad, puts it into the APDU template as the structure says and sends the VERIFY
 * itself: the PIN never reaches the host. The reader's answer is the card's SW, or one of
 * its own (64xx) when no PIN was sent.
 */
#include "config.h"

#include <string.h>

#include "hcard_err.h"
#include "apdu/buf.h"
#include "apdu/log.h"
#include "apdu/pinpad.h"
#include "apdu/transport.h"

/* PIN_VERIFY_STRUCTURE (PC/SC part 10 §2.5.2): 19 bytes of header, then abData. */
#define PINPAD_VERIFY_HEADER 19u
#define PINPAD_TEMPLATE_MAX 255u
#define PINPAD_ANSWER_MAX 258u          /* a reader answers the card's SW (data + SW at most) */

/* purse.md "PIN pads": the cardholder PIN's VERIFY, block filled by the reader. */
static const uint8_t cardholder_template[] = {
	0x00, 0x20, 0x00, 0x00, 0x06, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF
};

/* Reader SWs of a PIN-pad operation that mean nothing reached the card. */
static const struct {
	uint16_t sw;
	int err;
} reader_sws[] = {
	{ HC_SW_PINPAD_TIMEOUT,   HC_ERR_PINPAD_TIMEOUT },
	{ HC_SW_PINPAD_CANCELLED, HC_ERR_PINPAD_CANCELLED },
	{ HC_SW_PINPAD_LENGTH,    HC_ERR_PINPAD_LENGTH },
};

void
hc_pinpad_cardholder(hc_pinpad_verify_t *p, uint8_t timeout_s)
{
	if (p == NULL)
		return;
	memset(p, 0, sizeof(*p));
	p->timeout_s = timeout_s;
	p->format = 0x81;               /* byte units, PIN at offset 0, left-justified, BCD */
	p->block = 0x06;                /* no length field, 6-byte PIN block */
	p->length_format = 0x00;        /* no PIN length in the APDU */
	p->min_digits = 4;              /* wPINMaxExtraDigit 040C */
	p->max_digits = 12;
	p->entry_condition = 0x02;      /* validation key pressed */
	p->apdu = cardholder_template;
	p->apdu_len = sizeof(cardholder_template);
}

/* Short case 3 (CLA INS P1 P2 Lc data, Lc = data length, no Le), at most 255 bytes. */
static int
template_ok(const uint8_t *apdu, size_t len)
{
	return apdu != NULL && len > 5 && len <= PINPAD_TEMPLATE_MAX && apdu[4] != 0 &&
	    (size_t)apdu[4] == len - 5;
}

int
hc_pinpad_encode_verify(const hc_pinpad_verify_t *p, uint8_t *out, size_t cap, size_t *len)
{
	hc_writer_t w;
	uint16_t digits;
	int rc = HC_ERR_INVALID_ARGUMENT;

	if (len != NULL)
		*len = 0;
	if (p == NULL || out == NULL || len == NULL || !template_ok(p->apdu, p->apdu_len) ||
	    p->min_digits > p->max_digits)
		goto out;
	if (cap < PINPAD_VERIFY_HEADER + p->apdu_len) {
		rc = HC_ERR_BUFFER_TOO_SMALL;
		goto out;
	}
	/* XXYY: XX the minimum, YY the maximum number of digits; words little-endian */
	digits = (uint16_t)(p->min_digits << 8 | p->max_digits);
	hc_writer_init(&w, out, cap);
	hc_put_u8(&w, p->timeout_s);            /* bTimerOut */
	hc_put_u8(&w, p->timeout_s);            /* bTimerOut2 (after the first key) */
	hc_put_u8(&w, p->format);               /* bmFormatString */
	hc_put_u8(&w, p->block);                /* bmPINBlockString */
	hc_put_u8(&w, p->length_format);        /* bmPINLengthFormat */
	hc_put_u8(&w, (uint8_t)digits);         /* wPINMaxExtraDigit */
	hc_put_u8(&w, (uint8_t)(digits >> 8));
	hc_put_u8(&w, p->entry_condition);      /* bEntryValidationCondition */
	hc_put_u8(&w, 0x00);                    /* bNumberMessage: none */
	hc_put_u8(&w, 0x00);                    /* wLangId 0 */
	hc_put_u8(&w, 0x00);
	hc_put_u8(&w, 0x00);                    /* bMsgIndex */
	hc_put_u8(&w, 0x00);                    /* bTeoPrologue: T=0/T=1 handled by the reader */
	hc_put_u8(&w, 0x00);
	hc_put_u8(&w, 0x00);
	hc_put_u8(&w, (uint8_t)p->apdu_len);    /* ulDataLength (<= 255) */
	hc_put_u8(&w, 0x00);
	hc_put_u8(&w, 0x00);
	hc_put_u8(&w, 0x00);
	hc_put_bytes(&w, p->apdu, p->apdu_len);
	if (!hc_writer_ok(&w)) {
		rc = HC_ERR_INTERNAL;
		goto out;
	}
	*len = w.len;
	rc = HC_OK;
out:
	return rc;
}

int
hc_pinpad_find_feature(const uint8_t *tlv, size_t len, uint8_t tag, uint32_t *code)
{
	hc_reader_t r;
	uint8_t t = 0, vlen = 0;
	uint32_t value = 0;
	int rc = HC_ERR_NO_PINPAD;

	if ((tlv == NULL && len > 0) || code == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	*code = 0;
	hc_reader_init(&r, tlv, len);
	/* each round consumes at least 2 bytes: bounded by len */
	while (hc_reader_left(&r) > 0) {
		if (hc_get_u8(&r, &t) != 0 || hc_get_u8(&r, &vlen) != 0 ||
		    vlen > hc_reader_left(&r)) {
			rc = HC_ERR_MALFORMED_RESPONSE;
			break;
		}
		if (t != tag) {
			(void)hc_skip(&r, vlen);
			continue;
		}
		if (vlen != 4 || hc_get_u32(&r, &value) != 0) {
			rc = HC_ERR_MALFORMED_RESPONSE;
			break;
		}
		*code = value;
		rc = HC_OK;
		break;
	}
	if (rc == HC_ERR_MALFORMED_RESPONSE)
		hc_log_error("malformed reader feature list (%zu bytes)", len);
	return rc;
}

/* The reader's VERIFY_PIN_DIRECT control code, HC_ERR_NO_PINPAD if it has none. */
static int
verify_code(hc_transport_t *t, uint32_t *code)
{
	const uint8_t *tlv = NULL;
	size_t len = 0;
	int rc;

	if ((rc = hc_transport_features(t, &tlv, &len)) != HC_OK)
		return rc;
	return hc_pinpad_find_feature(tlv, len, HC_FEATURE_VERIFY_PIN_DIRECT, code);
}

int
hc_transport_has_pinpad(hc_transport_t *t, int *has)
{
	uint32_t code = 0;
	int rc;

	if (t == NULL || has == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	*has = 0;
	rc = verify_code(t, &code);
	if (rc == HC_OK)
		*has = 1;
	return rc == HC_ERR_NO_PINPAD ? HC_OK : rc;
}

int
hc_pinpad_verify(hc_transport_t *t, const hc_pinpad_verify_t *p, uint16_t *sw)
{
	uint8_t req[PINPAD_VERIFY_HEADER + PINPAD_TEMPLATE_MAX];
	uint8_t ans[PINPAD_ANSWER_MAX];
	size_t req_len = 0, ans_len = sizeof(ans), i;
	uint32_t code = 0;
	uint16_t got;
	int rc;

	if (sw != NULL)
		*sw = 0;
	if (t == NULL || p == NULL || sw == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	if ((rc = hc_pinpad_encode_verify(p, req, sizeof(req), &req_len)) != HC_OK ||
	    (rc = verify_code(t, &code)) != HC_OK)
		goto out;
	hc_log_debug("PIN pad verify: %02X %02X %02X %02X, the reader reads the PIN", p->apdu[0],
	             p->apdu[1], p->apdu[2], p->apdu[3]);
	if ((rc = hc_transport_control_apdu(t, code, req, req_len, ans, &ans_len)) != HC_OK)
		goto out;
	/* the reader answers exactly a status word for a VERIFY (no data) */
	if (ans_len != 2) {
		hc_log_error("PIN pad answer of %zu bytes: no status word", ans_len);
		rc = HC_ERR_MALFORMED_RESPONSE;
		goto out;
	}
	got = (uint16_t)(ans[0] << 8 | ans[1]);
	hc_log_debug("PIN pad verify: SW %04X", got);
	for (i = 0; i < sizeof(reader_sws) / sizeof(reader_sws[0]); i++)
		if (reader_sws[i].sw == got) {
			rc = reader_sws[i].err;
			goto out;
		}
	*sw = got;
	rc = HC_OK;
out:
	hc_wipe(req, sizeof(req));
	hc_wipe(ans, sizeof(ans));
	return rc;
}
