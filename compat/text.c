/*
 * Text and hex at the national interface: the HIS speaks GBK (or UTF-8 with
 * HCARD_COMPAT_UTF8=1), libhcard UTF-8. glibc iconv "GBK", the same table libhcard's codec
 * uses for the card, so text crosses both conversions unchanged.
 */
#include "config.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <string.h>

#include "compat/compat.h"

/* Converts in (NUL-terminated) into out[cap], NUL-terminated. hc_err_t. */
static int
convert(const char *to, const char *from, const char *in, char *out, size_t cap)
{
	iconv_t cd;
	char *ip = (char *)(uintptr_t)in, *op = out;
	size_t il = strlen(in), ol = cap - 1;
	int ret = HC_ERR_INTERNAL;

	if ((cd = iconv_open(to, from)) == (iconv_t)-1)
		return HC_ERR_INTERNAL;
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 || iconv(cd, NULL, NULL, &op, &ol) == (size_t)-1) {
		ret = errno == E2BIG ? HC_ERR_TEXT_TOO_LONG
		    : strcmp(to, "GBK") == 0 ? HC_ERR_TEXT_NOT_GBK : HC_ERR_INVALID_ARGUMENT;
		goto out;
	}
	*op = '\0';
	ret = HC_OK;
out:
	iconv_close(cd);
	return ret;
}

int
wsb_text_out(const wsb_dev_t *d, const char *utf8, char *out)
{
	size_t n = strlen(utf8);

	if (d->utf8) {
		memcpy(out, utf8, n + 1);
		return HC_OK;
	}
	/* GBK is never longer than the UTF-8 it comes from: iconv writes at most the GBK bytes
	 * (which the caller's buffer holds), never n + 1 */
	return convert("GBK", "UTF-8", utf8, out, n + 1);
}

int
wsb_text_in(const wsb_dev_t *d, const char *in, char *utf8, size_t cap)
{
	size_t n = strlen(in);

	if (d->utf8) {
		if (n >= cap)
			return HC_ERR_TEXT_TOO_LONG;
		memcpy(utf8, in, n + 1);
		return HC_OK;
	}
	return convert("UTF-8", "GBK", in, utf8, cap);
}

void
wsb_hex_out(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0x0F];
	}
	out[2 * n] = '\0';
}

static int
nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
wsb_hex_in(const char *hex, uint8_t *p, size_t n)
{
	size_t i;
	int hi, lo;

	if (strlen(hex) != 2 * n)
		return HC_ERR_INVALID_ARGUMENT;
	for (i = 0; i < n; i++) {
		if ((hi = nibble(hex[2 * i])) < 0 || (lo = nibble(hex[2 * i + 1])) < 0)
			return HC_ERR_INVALID_ARGUMENT;
		p[i] = (uint8_t)(hi << 4 | lo);
	}
	return HC_OK;
}
