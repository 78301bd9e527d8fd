/*
 * Pure helpers of the purse library (src/purse_codec.c): the cardholder PIN block of
 * purse.md (BCD, left-justified, F-padded, 4-12 digits), BCD text, the date/time stamp.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "src/purse_int.h"

static void
test_pin_block(void **state)
{
	uint8_t b[6];

	(void)state;
	/* purse.md: 1234 -> 12 34 FF FF FF FF */
	assert_int_equal(hc_purse_pin_block("1234", b), HC_OK);
	assert_memory_equal(b, "\x12\x34\xFF\xFF\xFF\xFF", 6);
	assert_int_equal(hc_purse_pin_block("12345", b), HC_OK);
	assert_memory_equal(b, "\x12\x34\x5F\xFF\xFF\xFF", 6);
	assert_int_equal(hc_purse_pin_block("123456", b), HC_OK);
	assert_memory_equal(b, "\x12\x34\x56\xFF\xFF\xFF", 6);
	assert_int_equal(hc_purse_pin_block("098765432101", b), HC_OK);
	assert_memory_equal(b, "\x09\x87\x65\x43\x21\x01", 6);
	assert_int_equal(hc_purse_pin_block("123", b), HC_ERR_PIN_FORMAT);
	assert_int_equal(hc_purse_pin_block("", b), HC_ERR_PIN_FORMAT);
	assert_int_equal(hc_purse_pin_block("1234567890123", b), HC_ERR_PIN_FORMAT);
	assert_int_equal(hc_purse_pin_block("12 34", b), HC_ERR_PIN_FORMAT);
	assert_int_equal(hc_purse_pin_block("12a4", b), HC_ERR_PIN_FORMAT);
	assert_int_equal(hc_purse_pin_block("-1234", b), HC_ERR_PIN_FORMAT);
	assert_int_equal(hc_purse_pin_block(NULL, b), HC_ERR_PIN_FORMAT);
}

static void
test_bcd_and_now(void **state)
{
	uint8_t d[4], t[3];
	char ds[9], ts[7], exp_d[9], exp_t[7];
	struct tm tm;
	time_t before, after;

	(void)state;
	hc_purse_bcd_text((const uint8_t *)"\x20\x26\x11\x23", 4, ds);
	assert_string_equal(ds, "20261123");
	before = time(NULL);
	hc_purse_now(d, t, ds, ts);
	after = time(NULL);
	assert_int_equal(strlen(ds), 8);
	assert_int_equal(strlen(ts), 6);
	localtime_r(&before, &tm);
	strftime(exp_d, sizeof(exp_d), "%Y%m%d", &tm);
	strftime(exp_t, sizeof(exp_t), "%H%M%S", &tm);
	if (before == after) {
		assert_string_equal(ds, exp_d);
		assert_string_equal(ts, exp_t);
	}
	hc_purse_bcd_text(d, 4, exp_d);
	hc_purse_bcd_text(t, 3, exp_t);
	assert_string_equal(ds, exp_d);
	assert_string_equal(ts, exp_t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pin_block),
		cmocka_unit_test(test_bcd_and_now),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
