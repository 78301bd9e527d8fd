/*
 * PIN_VERIFY_STRUCTURE parsing and PIN block formatting (pinblock.h). Field meanings from PC/SC
 * v2 part 10 §2.5.2 and the CCID specification (PC_to_RDR_Secure, PIN verification data
 * structure), which part 10 refers to:
 *   bmFormatString    b7 units (1 bytes, 0 bits), b6-3 PIN position in units from the first
 *                     byte after Lc, b2 justification (1 right), b1-0 00 binary 01 BCD 10 ASCII
 *   bmPINBlockString  b7-4 size of the PIN length field in bits, b3-0 PIN block size in bytes
 *   bmPINLengthFormat b7-5 RFU, b4 units (1 bytes, 0 bits), b3-0 length field position
 * Words are little-endian; wPINMaxExtraDigit is 0xXXYY, XX the minimum, YY the maximum.
 */
#include "config.h"

#include <string.h>

#include "apdu/buf.h"
#include "sim/ifd/pinblock.h"

#define FORMAT_UNITS_BYTES 0x80u
#define FORMAT_RIGHT       0x04u
#define FORMAT_TYPE_MASK   0x03u
#define FORMAT_BCD         0x01u
#define FORMAT_ASCII       0x02u
#define LENGTH_UNITS_BYTES 0x10u
#define LENGTH_RFU         0xE0u
#define ENTRY_CONDITIONS   0x07u    /* max size reached, validation key, timeout */

static unsigned
units_to_bits(unsigned value, int bytes)
{
	return bytes ? value * 8u : value;
}

/* [a, a+alen) and [b, b+blen) share a bit */
static int
overlap(unsigned a, unsigned alen, unsigned b, unsigned blen)
{
	return alen > 0 && blen > 0 && a < b + blen && b < a + alen;
}

int
ifd_pin_verify_parse(const uint8_t *req, size_t len, ifd_pin_verify_t *v)
{
	hc_reader_t r;
	uint8_t max_lo = 0, min_hi = 0, skip[6], dl[4];
	uint32_t data_len;
	unsigned data_bits;

	if (req == NULL || v == NULL)
		return -1;
	memset(v, 0, sizeof(*v));
	hc_reader_init(&r, req, len);
	if (hc_get_u8(&r, &v->timeout_s) != 0 || hc_get_u8(&r, &v->timeout2_s) != 0 ||
	    hc_get_u8(&r, &v->format) != 0 || hc_get_u8(&r, &v->block) != 0 ||
	    hc_get_u8(&r, &v->length_format) != 0 || hc_get_u8(&r, &max_lo) != 0 ||
	    hc_get_u8(&r, &min_hi) != 0 || hc_get_u8(&r, &v->entry_condition) != 0 ||
	    /* bNumberMessage, wLangId, bMsgIndex, bTeoPrologue[3]: nothing to display, T=0 */
	    hc_get_bytes(&r, skip, 4) != 0 || hc_get_bytes(&r, skip, 3) != 0 ||
	    hc_get_bytes(&r, dl, 4) != 0)
		return -1;
	data_len = (uint32_t)dl[0] | (uint32_t)dl[1] << 8 | (uint32_t)dl[2] << 16 |
	    (uint32_t)dl[3] << 24;
	/* exactly the bytes announced: neither more nor fewer than ulDataLength */
	if (data_len != hc_reader_left(&r) || data_len < 6 || data_len > IFD_PIN_APDU_MAX)
		return -1;
	v->apdu = req + IFD_PIN_VERIFY_HEADER;
	v->apdu_len = data_len;
	if ((size_t)v->apdu[4] != data_len - 5)   /* short case 3: Lc covers the rest, no Le */
		return -1;
	v->min_digits = min_hi;
	v->max_digits = max_lo;
	if (v->min_digits == 0 || v->min_digits > v->max_digits)
		return -1;
	if (v->entry_condition == 0 || (v->entry_condition & ~ENTRY_CONDITIONS) != 0 ||
	    (v->length_format & LENGTH_RFU) != 0)
		return -1;
	switch (v->format & FORMAT_TYPE_MASK) {
	case FORMAT_BCD:
		v->digit_bits = 4;
		break;
	case FORMAT_ASCII:
		v->digit_bits = 8;
		break;
	default:
		return -1;  /* binary (no agreed digit width) and RFU */
	}
	data_bits = (unsigned)(data_len - 5) * 8u;
	v->pin_pos = units_to_bits((v->format >> 3) & 0x0Fu, (v->format & FORMAT_UNITS_BYTES) != 0);
	v->pin_bits = (v->block & 0x0Fu) * 8u;
	v->len_bits = (v->block >> 4) & 0x0Fu;
	v->len_pos = units_to_bits(v->length_format & 0x0Fu,
	                           (v->length_format & LENGTH_UNITS_BYTES) != 0);
	if (v->pin_bits == 0 || v->pin_pos > data_bits || v->pin_bits > data_bits - v->pin_pos)
		return -1;
	if ((unsigned)v->max_digits * v->digit_bits > v->pin_bits)
		return -1;
	if (v->len_bits > 0) {
		if (v->len_pos > data_bits || v->len_bits > data_bits - v->len_pos ||
		    overlap(v->len_pos, v->len_bits, v->pin_pos, v->pin_bits) ||
		    v->max_digits >= (1u << v->len_bits))
			return -1;
	}
	return 0;
}

/* Writes the low nbits of value at bit offset pos of p, most significant bit first. */
static void
put_bits(uint8_t *p, unsigned pos, unsigned nbits, unsigned value)
{
	unsigned i;

	for (i = 0; i < nbits; i++) {
		unsigned bit = (value >> (nbits - 1u - i)) & 1u;
		unsigned at = pos + i;
		uint8_t mask = (uint8_t)(0x80u >> (at % 8u));

		if (bit)
			p[at / 8u] = (uint8_t)(p[at / 8u] | mask);
		else
			p[at / 8u] = (uint8_t)(p[at / 8u] & ~mask);
	}
}

int
ifd_pin_apdu_build(const ifd_pin_verify_t *v, const char *digits, size_t n, uint8_t *out,
                   size_t cap, size_t *out_len)
{
	uint8_t *data;
	unsigned start;
	size_t i;

	if (out_len != NULL)
		*out_len = 0;
	if (v == NULL || v->apdu == NULL || digits == NULL || out == NULL || out_len == NULL ||
	    cap < v->apdu_len || n < v->min_digits || n > v->max_digits)
		return -1;
	for (i = 0; i < n; i++)
		if (digits[i] < '0' || digits[i] > '9')
			return -1;
	memcpy(out, v->apdu, v->apdu_len);
	data = out + 5;
	/* parse checked max * digit_bits <= pin_bits, so the digits fit either way */
	start = v->pin_pos;
	if (v->format & FORMAT_RIGHT)
		start += v->pin_bits - (unsigned)n * v->digit_bits;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)(digits[i] - '0');

		put_bits(data, start + (unsigned)i * v->digit_bits, v->digit_bits,
		         v->digit_bits == 8 ? 0x30u + d : d);
	}
	if (v->len_bits > 0)
		put_bits(data, v->len_pos, v->len_bits, (unsigned)n);
	*out_len = v->apdu_len;
	return 0;
}
