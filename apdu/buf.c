/*
 * Bounded byte reader and writer (buf.h). Every check compares `n > len - off`, which cannot
 * overflow because off <= len is an invariant; nothing is consumed or written on failure.
 */
#include "config.h"

#include <string.h>

#include "apdu/buf.h"

void
hc_reader_init(hc_reader_t *r, const uint8_t *data, size_t len)
{
	r->data = data;
	r->len = data != NULL ? len : 0;
	r->off = 0;
}

size_t
hc_reader_left(const hc_reader_t *r)
{
	return r->len - r->off;
}

/* Points *p at the next n bytes and consumes them, or fails touching nothing. */
int
hc_get_ptr(hc_reader_t *r, const uint8_t **p, size_t n)
{
	if (r == NULL || p == NULL || r->off > r->len || n > r->len - r->off)
		return -1;
	*p = r->data + r->off;
	r->off += n;
	return 0;
}

int
hc_get_u8(hc_reader_t *r, uint8_t *v)
{
	const uint8_t *p;

	if (hc_get_ptr(r, &p, 1) != 0)
		return -1;
	*v = p[0];
	return 0;
}

int
hc_get_u16(hc_reader_t *r, uint16_t *v)
{
	const uint8_t *p;

	if (hc_get_ptr(r, &p, 2) != 0)
		return -1;
	*v = (uint16_t)((unsigned)p[0] << 8 | p[1]);
	return 0;
}

int
hc_get_u32(hc_reader_t *r, uint32_t *v)
{
	const uint8_t *p;

	if (hc_get_ptr(r, &p, 4) != 0)
		return -1;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return 0;
}

int
hc_get_bytes(hc_reader_t *r, uint8_t *out, size_t n)
{
	const uint8_t *p;

	if (out == NULL && n > 0)
		return -1;
	if (hc_get_ptr(r, &p, n) != 0)
		return -1;
	if (n > 0)
		memcpy(out, p, n);
	return 0;
}

int
hc_skip(hc_reader_t *r, size_t n)
{
	const uint8_t *p;

	return hc_get_ptr(r, &p, n);
}

void
hc_writer_init(hc_writer_t *w, uint8_t *data, size_t cap)
{
	w->data = data;
	w->cap = data != NULL ? cap : 0;
	w->len = 0;
	w->failed = 0;
}

/* Reserves n bytes at the end, or sets the sticky failure flag. */
static uint8_t *
writer_reserve(hc_writer_t *w, size_t n)
{
	uint8_t *p;

	if (w == NULL)
		return NULL;
	if (w->failed || w->len > w->cap || n > w->cap - w->len) {
		w->failed = 1;
		return NULL;
	}
	p = w->data + w->len;
	w->len += n;
	return p;
}

int
hc_put_u8(hc_writer_t *w, uint8_t v)
{
	uint8_t *p = writer_reserve(w, 1);

	if (p == NULL)
		return -1;
	p[0] = v;
	return 0;
}

int
hc_put_u16(hc_writer_t *w, uint16_t v)
{
	uint8_t *p = writer_reserve(w, 2);

	if (p == NULL)
		return -1;
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return 0;
}

int
hc_put_u32(hc_writer_t *w, uint32_t v)
{
	uint8_t *p = writer_reserve(w, 4);

	if (p == NULL)
		return -1;
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return 0;
}

int
hc_put_bytes(hc_writer_t *w, const uint8_t *src, size_t n)
{
	uint8_t *p;

	if (src == NULL && n > 0) {
		if (w != NULL)
			w->failed = 1;
		return -1;
	}
	if ((p = writer_reserve(w, n)) == NULL)
		return -1;
	if (n > 0)
		memmove(p, src, n);
	return 0;
}

int
hc_put_fill(hc_writer_t *w, uint8_t v, size_t n)
{
	uint8_t *p = writer_reserve(w, n);

	if (p == NULL)
		return -1;
	if (n > 0)
		memset(p, v, n);
	return 0;
}

int
hc_writer_ok(const hc_writer_t *w)
{
	return w != NULL && !w->failed;
}

void
hc_wipe(void *p, size_t n)
{
	if (p == NULL || n == 0)
		return;
#ifdef HAVE_EXPLICIT_BZERO
	explicit_bzero(p, n);
#else
	{
		volatile uint8_t *v = p;
		while (n-- > 0)
			*v++ = 0;
	}
#endif
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
hc_hex_decode(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int high = -1;
	int d;

	if (hex == NULL || (out == NULL && cap > 0))
		return -1;
	for (; *hex != '\0'; hex++) {
		if (*hex == ' ' || *hex == '\t' || *hex == '\n' || *hex == ':')
			continue;
		if ((d = hex_digit(*hex)) < 0)
			return -1;
		if (high < 0) {
			high = d;
			continue;
		}
		if (n >= cap || n >= (size_t)INT32_MAX)
			return -1;
		out[n++] = (uint8_t)(high << 4 | d);
		high = -1;
	}
	if (high >= 0)
		return -1;       /* odd number of digits */
	return (int)n;
}

int
hc_hex_encode(const uint8_t *p, size_t n, char *out, size_t cap)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i;

	if (out == NULL || (p == NULL && n > 0) || n > (SIZE_MAX - 1) / 2 || cap < 2 * n + 1)
		return -1;
	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0x0F];
	}
	out[2 * n] = '\0';
	return 0;
}
