/*
 * Bounded byte reader and writer: every card byte goes through these.
 * Reader: each get checks `n > len - off` before consuming; on failure nothing is consumed
 * and -1 is returned. Writer: a sticky failure flag; once a put does not fit, every later
 * put fails and hc_writer_ok() says so.
 */
#ifndef HC_APDU_BUF_H
#define HC_APDU_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct hc_reader {
	const uint8_t *data;
	size_t len;
	size_t off;
} hc_reader_t;

typedef struct hc_writer {
	uint8_t *data;
	size_t cap;
	size_t len;
	int failed;
} hc_writer_t;

void hc_reader_init(hc_reader_t *r, const uint8_t *data, size_t len);
size_t hc_reader_left(const hc_reader_t *r);
int hc_get_u8(hc_reader_t *r, uint8_t *v);
int hc_get_u16(hc_reader_t *r, uint16_t *v);   /* big-endian */
int hc_get_u32(hc_reader_t *r, uint32_t *v);   /* big-endian */
int hc_get_bytes(hc_reader_t *r, uint8_t *out, size_t n);
/* Points *p at the next n bytes without copying. */
int hc_get_ptr(hc_reader_t *r, const uint8_t **p, size_t n);
int hc_skip(hc_reader_t *r, size_t n);

void hc_writer_init(hc_writer_t *w, uint8_t *data, size_t cap);
int hc_put_u8(hc_writer_t *w, uint8_t v);
int hc_put_u16(hc_writer_t *w, uint16_t v);
int hc_put_u32(hc_writer_t *w, uint32_t v);
int hc_put_bytes(hc_writer_t *w, const uint8_t *p, size_t n);
int hc_put_fill(hc_writer_t *w, uint8_t v, size_t n);
int hc_writer_ok(const hc_writer_t *w);        /* 1 while nothing overflowed */

/* Wipe secrets (PINs, keys, session keys, receive buffers); never optimised away. */
void hc_wipe(void *p, size_t n);

/* Hex helpers for logs, tests and tools: "0A1B" <-> bytes. hc_hex_decode ignores spaces,
 * tabs, newlines and colons;
 * returns the byte count or -1 (odd digits, bad character, does not fit). */
int hc_hex_decode(const char *hex, uint8_t *out, size_t cap);
/* Writes 2n+1 chars (upper case, NUL-terminated) into out; cap must be >= 2n+1. */
int hc_hex_encode(const uint8_t *p, size_t n, char *out, size_t cap);

#endif
