/* Codecs of ans / cn / dates (card-profile.md §3). See codec.h. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <iconv.h>
#include <string.h>
#include <time.h>

#include "src/codec.h"

/* Decodes one UTF-8 sequence at s[0..len): the code point and its length, or -1 when the
 * sequence is invalid (overlong, surrogate, beyond U+10FFFF, truncated). */
static int
utf8_next(const unsigned char *s, size_t len, uint32_t *cp, size_t *n)
{
	static const struct { unsigned char mask, lead; size_t n; uint32_t min; } forms[] = {
		{ 0x80, 0x00, 1, 0 }, { 0xE0, 0xC0, 2, 0x80 },
		{ 0xF0, 0xE0, 3, 0x800 }, { 0xF8, 0xF0, 4, 0x10000 },
	};
	size_t f, i;
	uint32_t v;

	if (len == 0)
		return -1;
	for (f = 0; f < sizeof(forms) / sizeof(forms[0]); f++)
		if ((s[0] & forms[f].mask) == forms[f].lead)
			break;
	if (f == sizeof(forms) / sizeof(forms[0]) || forms[f].n > len)
		return -1;
	v = (uint32_t)(s[0] & (unsigned char)~forms[f].mask);
	for (i = 1; i < forms[f].n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return -1;
		v = (v << 6) | (uint32_t)(s[i] & 0x3F);
	}
	if (v < forms[f].min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return -1;
	*cp = v;
	*n = forms[f].n;
	return 0;
}

/* Converts with iconv; returns 0, or -1 with errno (EILSEQ, EINVAL, E2BIG) and *stop at
 * the input offset where conversion stopped. */
static int
convert(const char *to, const char *from, const char *in, size_t in_len,
        char *out, size_t cap, size_t *out_len, size_t *stop)
{
	iconv_t cd;
	char *ip = (char *)(uintptr_t)in, *op = out;
	size_t il = in_len, ol = cap;
	int ret = -1, saved = 0;

	cd = iconv_open(to, from);
	if (cd == (iconv_t)-1)
		return -1;
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) {
		saved = errno;
		goto out;
	}
	if (iconv(cd, NULL, NULL, &op, &ol) == (size_t)-1) {
		saved = errno;
		goto out;
	}
	ret = 0;
out:
	*out_len = cap - ol;
	*stop = in_len - il;
	iconv_close(cd);
	errno = saved;
	return ret;
}

int
hc_codec_text_encode(const char *utf8, uint8_t *out, size_t field_len,
                     size_t *needed, uint32_t *bad_cp)
{
	const unsigned char *s = (const unsigned char *)utf8;
	size_t len, off, n, gbk_len = 0, stop = 0;
	uint32_t cp = 0;
	char *tmp = NULL;
	int ret = HC_ERR_INVALID_ARGUMENT;

	if (needed != NULL)
		*needed = 0;
	if (utf8 == NULL || out == NULL)
		goto out;
	len = strlen(utf8);
	for (off = 0; off < len; off += n)
		if (utf8_next(s + off, len - off, &cp, &n) != 0)
			goto out;
	/* no control characters on the card: C0, DEL, C1 (card-profile.md §3 ans is text) */
	for (off = 0; off < len; off += n) {
		(void)utf8_next(s + off, len - off, &cp, &n);
		if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
			if (bad_cp != NULL)
				*bad_cp = cp;
			ret = HC_ERR_TEXT_NOT_GBK;
			goto out;
		}
	}
	/* GBK never takes more bytes than UTF-8 for the same text. */
	ret = HC_ERR_NO_MEMORY;
	if ((tmp = malloc(len + 1)) == NULL)
		goto out;
	if (convert("GBK", "UTF-8", utf8, len, tmp, len + 1, &gbk_len, &stop) != 0) {
		ret = HC_ERR_TEXT_NOT_GBK;
		if (errno == EILSEQ && stop < len && utf8_next(s + stop, len - stop, &cp, &n) == 0
		    && bad_cp != NULL)
			*bad_cp = cp;
		if (errno != EILSEQ)
			ret = HC_ERR_INTERNAL;
		goto out;
	}
	if (needed != NULL)
		*needed = gbk_len;
	if (gbk_len > field_len) {
		ret = HC_ERR_TEXT_TOO_LONG;
		goto out;
	}
	memcpy(out, tmp, gbk_len);
	memset(out + gbk_len, 0, field_len - gbk_len);
	ret = HC_OK;
out:
	if (tmp != NULL) {
		memset(tmp, 0, len + 1);
		free(tmp);
	}
	return ret;
}

int
hc_codec_text_decode(const uint8_t *in, size_t len, char *out, size_t cap)
{
	const uint8_t *nul;
	size_t used = 0, stop = 0;

	if (in == NULL || out == NULL || cap == 0)
		return HC_ERR_INVALID_ARGUMENT;
	if ((nul = memchr(in, 0, len)) != NULL)
		len = (size_t)(nul - in);
	if (convert("UTF-8", "GBK", (const char *)in, len, out, cap - 1, &used, &stop) != 0) {
		out[0] = '\0';
		return errno == E2BIG ? HC_ERR_BUFFER_TOO_SMALL : HC_ERR_MALFORMED_RESPONSE;
	}
	out[used] = '\0';
	return HC_OK;
}

int
hc_codec_cn_encode_digits(const char *digits, uint8_t *out, size_t len)
{
	size_t n, i;
	uint8_t nib;

	if (digits == NULL || out == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	n = strlen(digits);
	if (n > 2 * len)
		return HC_ERR_BAD_VALUE;
	for (i = 0; i < n; i++)
		if (digits[i] < '0' || digits[i] > '9')
			return HC_ERR_BAD_VALUE;
	for (i = 0; i < 2 * len; i++) {
		nib = i < n ? (uint8_t)(digits[i] - '0') : 0x0F;
		if (i % 2 == 0)
			out[i / 2] = (uint8_t)(nib << 4);
		else
			out[i / 2] = (uint8_t)(out[i / 2] | nib);
	}
	return HC_OK;
}

int
hc_codec_cn_decode_digits(const uint8_t *in, size_t len, char *out, size_t cap)
{
	size_t i, n = 0;
	uint8_t nib;
	int padding = 0;

	if (in == NULL || out == NULL || cap < 2 * len + 1)
		return HC_ERR_INVALID_ARGUMENT;
	for (i = 0; i < 2 * len; i++) {
		nib = (uint8_t)(i % 2 == 0 ? in[i / 2] >> 4 : in[i / 2] & 0x0F);
		if (nib == 0x0F) {
			padding = 1;
			continue;
		}
		if (nib > 9 || padding) {
			out[0] = '\0';
			return HC_ERR_MALFORMED_RESPONSE;
		}
		out[n++] = (char)('0' + nib);
	}
	out[n] = '\0';
	return HC_OK;
}

int
hc_codec_cn_encode_uint(uint64_t v, uint8_t *out, size_t len)
{
	size_t i;
	uint8_t tmp[16];

	if (out == NULL || len == 0 || len > sizeof(tmp))
		return HC_ERR_INVALID_ARGUMENT;
	for (i = len; i-- > 0;) {
		tmp[i] = (uint8_t)(v % 10);
		v /= 10;
		tmp[i] = (uint8_t)(tmp[i] | (uint8_t)((v % 10) << 4));
		v /= 10;
	}
	if (v != 0)
		return HC_ERR_BAD_VALUE;
	memcpy(out, tmp, len);
	return HC_OK;
}

int
hc_codec_cn_decode_uint(const uint8_t *in, size_t len, uint64_t *v, int *empty)
{
	size_t i;
	uint64_t acc = 0;
	uint8_t hi, lo;
	int all_f = 1;

	if (in == NULL || v == NULL || len == 0 || len > 9)
		return HC_ERR_INVALID_ARGUMENT;
	for (i = 0; i < len; i++)
		if (in[i] != 0xFF)
			all_f = 0;
	if (empty != NULL)
		*empty = all_f;
	*v = 0;
	if (all_f)
		return HC_OK;
	for (i = 0; i < len; i++) {
		hi = (uint8_t)(in[i] >> 4);
		lo = (uint8_t)(in[i] & 0x0F);
		if (hi > 9 || lo > 9)
			return HC_ERR_MALFORMED_RESPONSE;
		acc = acc * 100 + hi * 10u + lo;
	}
	*v = acc;
	return HC_OK;
}

int
hc_codec_cn_encode_code(int code, unsigned digits, uint8_t *out, size_t len)
{
	char buf[16];
	unsigned i;
	int c = code;

	if (out == NULL || digits == 0 || digits > 2 * len || digits >= sizeof(buf))
		return HC_ERR_INVALID_ARGUMENT;
	if (code < 0)
		return hc_codec_cn_encode_digits("", out, len);
	for (i = digits; i-- > 0;) {
		buf[i] = (char)('0' + c % 10);
		c /= 10;
	}
	if (c != 0)
		return HC_ERR_BAD_VALUE;
	buf[digits] = '\0';
	return hc_codec_cn_encode_digits(buf, out, len);
}

int
hc_codec_cn_decode_code(const uint8_t *in, size_t len, int *code)
{
	char buf[20];
	size_t i;
	int ret, v = 0;

	if (code == NULL || len == 0 || len > 4)
		return HC_ERR_INVALID_ARGUMENT;
	*code = -1;
	if ((ret = hc_codec_cn_decode_digits(in, len, buf, sizeof(buf))) != HC_OK)
		return ret;
	if (buf[0] == '\0')
		return HC_OK;
	for (i = 0; buf[i] != '\0'; i++)
		v = v * 10 + (buf[i] - '0');
	*code = v;
	return HC_OK;
}

static int
digits_value(const char *s, size_t n, int *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

int
hc_codec_date_check(const char *date)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, leap;

	if (date == NULL || strlen(date) != 8 || digits_value(date, 4, &y) != 0
	    || digits_value(date + 4, 2, &m) != 0 || digits_value(date + 6, 2, &d) != 0)
		return HC_ERR_BAD_VALUE;
	if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1)
		return HC_ERR_BAD_VALUE;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[m - 1] + (m == 2 && leap ? 1 : 0))
		return HC_ERR_BAD_VALUE;
	return HC_OK;
}

int
hc_codec_datetime_check(const char *datetime)
{
	char date[9];
	int h, mi, s;

	if (datetime == NULL || strlen(datetime) != 14)
		return HC_ERR_BAD_VALUE;
	memcpy(date, datetime, 8);
	date[8] = '\0';
	if (hc_codec_date_check(date) != HC_OK || digits_value(datetime + 8, 2, &h) != 0
	    || digits_value(datetime + 10, 2, &mi) != 0 || digits_value(datetime + 12, 2, &s) != 0)
		return HC_ERR_BAD_VALUE;
	if (h > 23 || mi > 59 || s > 59)
		return HC_ERR_BAD_VALUE;
	return HC_OK;
}

int
hc_codec_date_encode(const char *date, uint8_t *out, size_t len)
{
	int ret;

	if (date == NULL || out == NULL || (len != 4 && len != 7))
		return HC_ERR_INVALID_ARGUMENT;
	if (date[0] == '\0')
		return hc_codec_cn_encode_digits("", out, len);
	ret = len == 4 ? hc_codec_date_check(date) : hc_codec_datetime_check(date);
	if (ret != HC_OK)
		return ret;
	return hc_codec_cn_encode_digits(date, out, len);
}

int
hc_codec_date_decode(const uint8_t *in, size_t len, char *out, size_t cap)
{
	int ret;

	if (in == NULL || out == NULL || (len != 4 && len != 7) || cap < 2 * len + 1)
		return HC_ERR_INVALID_ARGUMENT;
	if ((ret = hc_codec_cn_decode_digits(in, len, out, cap)) != HC_OK)
		return ret;
	if (out[0] == '\0')
		return HC_OK;
	ret = len == 4 ? hc_codec_date_check(out) : hc_codec_datetime_check(out);
	if (ret != HC_OK) {
		out[0] = '\0';
		return HC_ERR_MALFORMED_RESPONSE;
	}
	return HC_OK;
}

void
hc_codec_today(char out[9])
{
	time_t now = time(NULL);
	struct tm tm;

	if (localtime_r(&now, &tm) == NULL || strftime(out, 9, "%Y%m%d", &tm) != 8)
		memcpy(out, "19700101", 9);
}
