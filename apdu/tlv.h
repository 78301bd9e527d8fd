/*
 * TLV: BER-TLV (multi-byte tags, long-form lengths) and the card's simple `tag len value`
 * records (one-byte tag, one-byte length). Every parser refuses truncated, overlong and
 * zero-length input with -1 and touches nothing.
 */
#ifndef HC_APDU_TLV_H
#define HC_APDU_TLV_H

#include <stddef.h>
#include <stdint.h>

typedef struct hc_tlv {
	uint32_t tag;          /* BER: the tag bytes big-endian, e.g. 0x7F49, 0x9F79 */
	int constructed;       /* BER: bit 6 of the first tag byte */
	const uint8_t *value;  /* points into the parsed buffer */
	size_t len;
	size_t total;          /* tag + length + value bytes */
} hc_tlv_t;

/* Parses one BER-TLV at the start of p[0..len). Tags up to 3 bytes, lengths up to 3 bytes
 * (81/82/83). Returns 0 or -1. */
int hc_ber_parse(const uint8_t *p, size_t len, hc_tlv_t *out);
/* Finds tag among the TLVs of p[0..len) (one level, no recursion). 0 found, -1 not found/malformed. */
int hc_ber_find(const uint8_t *p, size_t len, uint32_t tag, hc_tlv_t *out);
/* Finds a tag by a path of constructed tags, e.g. {0x6F, 0xA5, 0xC0}. */
int hc_ber_find_path(const uint8_t *p, size_t len, const uint32_t *path, size_t depth, hc_tlv_t *out);
/* Appends tag, length (short or long form) and value. Uses the writer's sticky failure. */
struct hc_writer;
int hc_ber_put(struct hc_writer *w, uint32_t tag, const uint8_t *value, size_t len);
/* Encoded size of a length field. */
size_t hc_ber_len_size(size_t len);

/* Simple TLV: tag 1 byte, length 1 byte (0..255), value. */
int hc_stlv_parse(const uint8_t *p, size_t len, hc_tlv_t *out);
/* Walks p[0..len) calling fn for each element; stops and returns -1 on malformed input or if
 * fn returns non-zero. Bounded by len. */
int hc_stlv_walk(const uint8_t *p, size_t len,
                 int (*fn)(const hc_tlv_t *tlv, void *arg), void *arg);
int hc_stlv_find(const uint8_t *p, size_t len, uint8_t tag, hc_tlv_t *out);

#endif
