/*
 * TLV (tlv.h): BER-TLV with tags of up to 3 bytes and lengths of up to 3 bytes (81/82/83),
 * and the card's simple `tag len value` records (card-profile.md §2). All parsing goes
 * through the bounded reader; every loop is bounded by the input length.
 */
#include "config.h"

#include <string.h>

#include "apdu/buf.h"
#include "apdu/tlv.h"

#define BER_MAX_TAG_BYTES 3
#define BER_MAX_DEPTH     8

/* Reads a BER tag (ISO/IEC 7816-4 §5.2.2.1). */
static int
ber_get_tag(hc_reader_t *r, uint32_t *tag, int *constructed)
{
	uint8_t b;
	uint32_t t;
	int i;

	if (hc_get_u8(r, &b) != 0 || b == 0x00 || b == 0xFF)
		return -1;      /* 00 and FF are padding, not tags */
	t = b;
	*constructed = (b & 0x20) != 0;
	if ((b & 0x1F) != 0x1F) {
		*tag = t;
		return 0;
	}
	for (i = 1; i < BER_MAX_TAG_BYTES; i++) {
		if (hc_get_u8(r, &b) != 0)
			return -1;
		if (i == 1 && b == 0x80)
			return -1;      /* leading zero bits in the tag number */
		t = t << 8 | b;
		if ((b & 0x80) == 0) {
			*tag = t;
			return 0;
		}
	}
	return -1;              /* tag longer than 3 bytes */
}

/* Reads a definite length: short form or 81/82/83. */
static int
ber_get_len(hc_reader_t *r, size_t *len)
{
	uint8_t b, n, i;
	size_t v = 0;

	if (hc_get_u8(r, &b) != 0)
		return -1;
	if (b < 0x80) {
		*len = b;
		return 0;
	}
	n = b & 0x7F;
	if (n == 0 || n > 3)
		return -1;      /* indefinite form, or longer than 3 bytes */
	for (i = 0; i < n; i++) {
		if (hc_get_u8(r, &b) != 0)
			return -1;
		v = v << 8 | b;
	}
	*len = v;
	return 0;
}

int
hc_ber_parse(const uint8_t *p, size_t len, hc_tlv_t *out)
{
	hc_reader_t r;
	hc_tlv_t t;
	const uint8_t *value;

	if (p == NULL || len == 0 || out == NULL)
		return -1;
	memset(&t, 0, sizeof(t));
	hc_reader_init(&r, p, len);
	if (ber_get_tag(&r, &t.tag, &t.constructed) != 0 ||
	    ber_get_len(&r, &t.len) != 0 ||
	    hc_get_ptr(&r, &value, t.len) != 0)
		return -1;
	t.value = value;
	t.total = r.off;
	*out = t;
	return 0;
}

int
hc_ber_find(const uint8_t *p, size_t len, uint32_t tag, hc_tlv_t *out)
{
	hc_tlv_t t;
	size_t off = 0;

	if (p == NULL || out == NULL)
		return -1;
	/* each element consumes at least 2 bytes, so this ends within len/2 rounds */
	while (off < len) {
		if (hc_ber_parse(p + off, len - off, &t) != 0)
			return -1;
		if (t.tag == tag) {
			*out = t;
			return 0;
		}
		off += t.total;
	}
	return -1;
}

int
hc_ber_find_path(const uint8_t *p, size_t len, const uint32_t *path, size_t depth, hc_tlv_t *out)
{
	hc_tlv_t t;
	size_t i;

	if (p == NULL || path == NULL || out == NULL || depth == 0 || depth > BER_MAX_DEPTH)
		return -1;
	for (i = 0; i < depth; i++) {
		if (hc_ber_find(p, len, path[i], &t) != 0)
			return -1;
		if (i + 1 < depth) {
			if (!t.constructed)
				return -1;
			p = t.value;
			len = t.len;
		}
	}
	*out = t;
	return 0;
}

size_t
hc_ber_len_size(size_t len)
{
	if (len < 0x80)
		return 1;
	if (len <= 0xFF)
		return 2;
	if (len <= 0xFFFF)
		return 3;
	if (len <= 0xFFFFFF)
		return 4;
	return 0;       /* not encodable here */
}

int
hc_ber_put(struct hc_writer *w, uint32_t tag, const uint8_t *value, size_t len)
{
	size_t lsize = hc_ber_len_size(len);

	if (w == NULL)
		return -1;
	if (tag == 0 || tag > 0xFFFFFF || lsize == 0 || (value == NULL && len > 0)) {
		w->failed = 1;
		return -1;
	}
	if (tag > 0xFFFF)
		hc_put_u8(w, (uint8_t)(tag >> 16));
	if (tag > 0xFF)
		hc_put_u8(w, (uint8_t)(tag >> 8));
	hc_put_u8(w, (uint8_t)tag);
	if (lsize > 1)
		hc_put_u8(w, (uint8_t)(0x80 | (lsize - 1)));
	if (lsize > 3)
		hc_put_u8(w, (uint8_t)(len >> 16));
	if (lsize > 2)
		hc_put_u8(w, (uint8_t)(len >> 8));
	hc_put_u8(w, (uint8_t)len);
	hc_put_bytes(w, value, len);
	return hc_writer_ok(w) ? 0 : -1;
}

int
hc_stlv_parse(const uint8_t *p, size_t len, hc_tlv_t *out)
{
	hc_reader_t r;
	hc_tlv_t t;
	uint8_t tag, l;
	const uint8_t *value;

	if (p == NULL || len == 0 || out == NULL)
		return -1;
	memset(&t, 0, sizeof(t));
	hc_reader_init(&r, p, len);
	if (hc_get_u8(&r, &tag) != 0 || hc_get_u8(&r, &l) != 0 || hc_get_ptr(&r, &value, l) != 0)
		return -1;
	t.tag = tag;
	t.len = l;
	t.value = value;
	t.total = r.off;
	*out = t;
	return 0;
}

int
hc_stlv_walk(const uint8_t *p, size_t len,
             int (*fn)(const hc_tlv_t *tlv, void *arg), void *arg)
{
	hc_tlv_t t;
	size_t off = 0;

	if (p == NULL || len == 0 || fn == NULL)
		return -1;
	while (off < len) {     /* at least 2 bytes per element */
		if (hc_stlv_parse(p + off, len - off, &t) != 0)
			return -1;
		if (fn(&t, arg) != 0)
			return -1;
		off += t.total;
	}
	return 0;
}

int
hc_stlv_find(const uint8_t *p, size_t len, uint8_t tag, hc_tlv_t *out)
{
	hc_tlv_t t;
	size_t off = 0;

	if (p == NULL || out == NULL)
		return -1;
	while (off < len) {
		if (hc_stlv_parse(p + off, len - off, &t) != 0)
			return -1;
		if (t.tag == tag) {
			*out = t;
			return 0;
		}
		off += t.total;
	}
	return -1;
}
