/*
 * libhcard purse: pure helpers (no card I/O): PIN block, BCD text, date and time.
 * Unit-tested in tests/unit/test_purse_codec.c.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "hcard_purse.h"
#include "src/purse_int.h"

void
hc_purse_bcd_text(const uint8_t *p, size_t n, char *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 0x0F];
	}
	out[2 * n] = '\0';
}

void
hc_purse_now(uint8_t date[4], uint8_t tm[3], char date_s[9], char time_s[7])
{
	struct tm t;
	time_t now = time(NULL);
	int y;

	localtime_r(&now, &t);
	y = t.tm_year + 1900;
	date[0] = (uint8_t)(((y / 1000) << 4) | (y / 100 % 10));
	date[1] = (uint8_t)(((y / 10 % 10) << 4) | (y % 10));
	date[2] = (uint8_t)((((t.tm_mon + 1) / 10) << 4) | ((t.tm_mon + 1) % 10));
	date[3] = (uint8_t)(((t.tm_mday / 10) << 4) | (t.tm_mday % 10));
	tm[0] = (uint8_t)(((t.tm_hour / 10) << 4) | (t.tm_hour % 10));
	tm[1] = (uint8_t)(((t.tm_min / 10) << 4) | (t.tm_min % 10));
	tm[2] = (uint8_t)(((t.tm_sec / 10) << 4) | (t.tm_sec % 10));
	hc_purse_bcd_text(date, 4, date_s);
	hc_purse_bcd_text(tm, 3, time_s);
}

int
hc_purse_pin_block(const char *pin, uint8_t block[6])
{
	size_t n, i;

	if (pin == NULL)
		return HC_ERR_PIN_FORMAT;
	n = strnlen(pin, 13);
	if (n < 4 || n > 12 || strspn(pin, "0123456789") != n)
		return HC_ERR_PIN_FORMAT;
	memset(block, 0xFF, 6);
	for (i = 0; i < n; i++) {
		uint8_t d = (uint8_t)(pin[i] - '0');

		if (i % 2 == 0)
			block[i / 2] = (uint8_t)((d << 4) | 0x0F);
		else
			block[i / 2] = (uint8_t)((block[i / 2] & 0xF0) | d);
	}
	return HC_OK;
}

