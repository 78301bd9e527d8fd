/* Unit tests: APDU case, check, encode (short/extended) and parse (ISO/IEC 7816-3 §12.1.3). */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hcard_err.h"
#include "apdu/apdu.h"

static uint8_t big[70000];

/* Encodes a and compares with the expected bytes written out by hand. */
static void
expect_encoding(const hc_apdu_t *a, const uint8_t *want, size_t want_len)
{
	uint8_t out[64];
	size_t len = 0;

	assert_int_equal(hc_apdu_encode(a, out, sizeof(out), &len), HC_OK);
	assert_int_equal(len, want_len);
	assert_memory_equal(out, want, want_len);
}

static void
test_encode_short(void **state)
{
	static const uint8_t data[] = { 0x3F, 0x00 };
	hc_apdu_t a;

	(void)state;
	/* case 1: ACTIVATE 00 44 00 00 */
	memset(&a, 0, sizeof(a));
	a.ins = 0x44;
	assert_int_equal(hc_apdu_case(&a), HC_APDU_CASE_1);
	expect_encoding(&a, (const uint8_t[]){ 0x00, 0x44, 0x00, 0x00 }, 4);
	/* case 2S: GET CHALLENGE 00 84 00 00 08 */
	memset(&a, 0, sizeof(a));
	a.ins = 0x84; a.has_le = 1; a.le = 8;
	assert_int_equal(hc_apdu_case(&a), HC_APDU_CASE_2);
	expect_encoding(&a, (const uint8_t[]){ 0x00, 0x84, 0x00, 0x00, 0x08 }, 5);
	/* Le 256 is the byte 00 */
	a.le = 256;
	expect_encoding(&a, (const uint8_t[]){ 0x00, 0x84, 0x00, 0x00, 0x00 }, 5);
	/* case 3S: SELECT MF without FCI 00 A4 00 0C 02 3F 00 */
	memset(&a, 0, sizeof(a));
	a.ins = 0xA4; a.p2 = 0x0C; a.data = data; a.lc = 2;
	assert_int_equal(hc_apdu_case(&a), HC_APDU_CASE_3);
	expect_encoding(&a, (const uint8_t[]){ 0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00 }, 7);
	/* case 4S: SELECT MF with FCI 00 A4 00 00 02 3F 00 00 */
	a.p2 = 0x00; a.has_le = 1; a.le = 256;
	assert_int_equal(hc_apdu_case(&a), HC_APDU_CASE_4);
	expect_encoding(&a, (const uint8_t[]){ 0x00, 0xA4, 0x00, 0x00, 0x02, 0x3F, 0x00, 0x00 }, 8);
}

static void
test_encode_extended(void **state)
{
	static const uint8_t data[] = { 0xAA, 0xBB };
	hc_apdu_t a;

	(void)state;
	/* case 2E, Le 65536 = 00 00 00 */
	memset(&a, 0, sizeof(a));
	a.ins = 0xB0; a.has_le = 1; a.le = 65536;
	expect_encoding(&a, (const uint8_t[]){ 0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00 }, 7);
	/* case 2E chosen by Le 257 */
	a.le = 257;
	expect_encoding(&a, (const uint8_t[]){ 0x00, 0xB0, 0x00, 0x00, 0x00, 0x01, 0x01 }, 7);
	/* case 2E forced with a small Le: 256 is 01 00 in extended form */
	a.le = 256; a.extended = 1;
	expect_encoding(&a, (const uint8_t[]){ 0x00, 0xB0, 0x00, 0x00, 0x00, 0x01, 0x00 }, 7);
	/* case 3E forced */
	memset(&a, 0, sizeof(a));
	a.ins = 0xD6; a.data = data; a.lc = 2; a.extended = 1;
	expect_encoding(&a, (const uint8_t[]){ 0x00, 0xD6, 0x00, 0x00, 0x00, 0x00, 0x02, 0xAA, 0xBB }, 9);
	/* case 4E: Lc 3 bytes, Le 2 bytes (no leading 00) */
	a.has_le = 1; a.le = 0x1234;
	expect_encoding(&a, (const uint8_t[]){ 0x00, 0xD6, 0x00, 0x00, 0x00, 0x00, 0x02, 0xAA, 0xBB,
	    0x12, 0x34 }, 11);
	a.le = 65536;
	expect_encoding(&a, (const uint8_t[]){ 0x00, 0xD6, 0x00, 0x00, 0x00, 0x00, 0x02, 0xAA, 0xBB,
	    0x00, 0x00 }, 11);
}

static void
test_encode_large_lc(void **state)
{
	hc_apdu_t a;
	uint8_t *out;
	size_t len = 0;

	(void)state;
	out = malloc(HC_APDU_MAX_CMD);
	assert_non_null(out);
	memset(&a, 0, sizeof(a));
	a.ins = 0xD6; a.data = big; a.lc = 300;          /* > 255: extended */
	assert_int_equal(hc_apdu_encode(&a, out, HC_APDU_MAX_CMD, &len), HC_OK);
	assert_int_equal(len, 7 + 300);
	assert_int_equal(out[4], 0x00);
	assert_int_equal(out[5], 0x01);
	assert_int_equal(out[6], 0x2C);
	a.lc = 65535; a.has_le = 1; a.le = 65536;      /* the largest command */
	assert_int_equal(hc_apdu_encode(&a, out, HC_APDU_MAX_CMD, &len), HC_OK);
	assert_int_equal(len, HC_APDU_MAX_CMD - 1);
	/* too small an output buffer */
	assert_int_equal(hc_apdu_encode(&a, out, 100, &len), HC_ERR_BUFFER_TOO_SMALL);
	free(out);
}

static void
test_check_rejects(void **state)
{
	hc_apdu_t a;

	(void)state;
	assert_int_equal(hc_apdu_check(NULL), HC_ERR_INVALID_APDU);
	memset(&a, 0, sizeof(a));
	a.ins = 0xB0;
	assert_int_equal(hc_apdu_check(&a), HC_OK);
	a.ins = 0x61;                   /* 6x is a status byte */
	assert_int_equal(hc_apdu_check(&a), HC_ERR_INVALID_APDU);
	a.ins = 0x90;
	assert_int_equal(hc_apdu_check(&a), HC_ERR_INVALID_APDU);
	a.ins = 0xB0; a.cla = 0xFF;     /* PPS */
	assert_int_equal(hc_apdu_check(&a), HC_ERR_INVALID_APDU);
	a.cla = 0x00; a.lc = 2;         /* data missing */
	assert_int_equal(hc_apdu_check(&a), HC_ERR_INVALID_APDU);
	a.data = big; a.lc = 65536;     /* Lc too large */
	assert_int_equal(hc_apdu_check(&a), HC_ERR_INVALID_APDU);
	a.lc = 0; a.has_le = 1; a.le = 0;
	assert_int_equal(hc_apdu_check(&a), HC_ERR_INVALID_APDU);
	a.le = 65537;
	assert_int_equal(hc_apdu_check(&a), HC_ERR_INVALID_APDU);
	a.has_le = 0; a.le = 5;         /* Le without has_le: a caller bug */
	assert_int_equal(hc_apdu_check(&a), HC_ERR_INVALID_APDU);
	/* encode refuses what check refuses */
	{
		uint8_t out[16];
		size_t len = 0;
		assert_int_equal(hc_apdu_encode(&a, out, sizeof(out), &len), HC_ERR_INVALID_APDU);
	}
}

static void
test_parse_cases(void **state)
{
	hc_apdu_t a;

	(void)state;
	assert_int_equal(hc_apdu_parse((const uint8_t[]){ 0x00, 0x44, 0x00, 0x00 }, 4, &a), HC_OK);
	assert_int_equal(hc_apdu_case(&a), HC_APDU_CASE_1);
	assert_int_equal(a.ins, 0x44);

	assert_int_equal(hc_apdu_parse((const uint8_t[]){ 0x00, 0x84, 0x00, 0x00, 0x08 }, 5, &a), HC_OK);
	assert_int_equal(hc_apdu_case(&a), HC_APDU_CASE_2);
	assert_int_equal(a.le, 8);
	assert_int_equal(hc_apdu_parse((const uint8_t[]){ 0x00, 0xB0, 0x00, 0x00, 0x00 }, 5, &a), HC_OK);
	assert_int_equal(a.le, 256);
	assert_false(a.extended);

	{
		static const uint8_t c3[] = { 0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00 };
		assert_int_equal(hc_apdu_parse(c3, sizeof(c3), &a), HC_OK);
		assert_int_equal(hc_apdu_case(&a), HC_APDU_CASE_3);
		assert_int_equal(a.lc, 2);
		assert_ptr_equal(a.data, c3 + 5);
	}
	{
		static const uint8_t c4[] = { 0x80, 0x50, 0x01, 0x02, 0x01, 0x01, 0x0F };
		assert_int_equal(hc_apdu_parse(c4, sizeof(c4), &a), HC_OK);
		assert_int_equal(hc_apdu_case(&a), HC_APDU_CASE_4);
		assert_int_equal(a.cla, 0x80);
		assert_int_equal(a.p1, 0x01);
		assert_int_equal(a.p2, 0x02);
		assert_int_equal(a.lc, 1);
		assert_int_equal(a.le, 15);
	}
	{
		static const uint8_t c2e[] = { 0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00 };
		assert_int_equal(hc_apdu_parse(c2e, sizeof(c2e), &a), HC_OK);
		assert_int_equal(hc_apdu_case(&a), HC_APDU_CASE_2);
		assert_int_equal(a.le, 65536);
		assert_true(a.extended);
	}
	{
		static const uint8_t c3e[] = { 0x00, 0xD6, 0x00, 0x00, 0x00, 0x00, 0x02, 0xAA, 0xBB };
		assert_int_equal(hc_apdu_parse(c3e, sizeof(c3e), &a), HC_OK);
		assert_int_equal(hc_apdu_case(&a), HC_APDU_CASE_3);
		assert_int_equal(a.lc, 2);
		assert_ptr_equal(a.data, c3e + 7);
		assert_true(a.extended);
	}
	{
		static const uint8_t c4e[] = { 0x00, 0xD6, 0x00, 0x00, 0x00, 0x00, 0x02, 0xAA, 0xBB, 0x01, 0x00 };
		assert_int_equal(hc_apdu_parse(c4e, sizeof(c4e), &a), HC_OK);
		assert_int_equal(hc_apdu_case(&a), HC_APDU_CASE_4);
		assert_int_equal(a.le, 256);
	}
}

static void
test_parse_invalid(void **state)
{
	hc_apdu_t a;

	(void)state;
	assert_int_equal(hc_apdu_parse((const uint8_t[]){ 0x00, 0xA4, 0x00 }, 3, &a), HC_ERR_INVALID_APDU);
	assert_int_equal(hc_apdu_parse(NULL, 4, &a), HC_ERR_INVALID_APDU);
	/* Lc 2 but 1 data byte */
	assert_int_equal(hc_apdu_parse((const uint8_t[]){ 0x00, 0xA4, 0x00, 0x00, 0x02, 0x3F }, 6, &a),
	    HC_ERR_INVALID_APDU);
	/* Lc 1 with 3 bytes after it */
	assert_int_equal(hc_apdu_parse((const uint8_t[]){ 0x00, 0xA4, 0x00, 0x00, 0x01, 0x3F, 0x00, 0x00 }, 8, &a),
	    HC_ERR_INVALID_APDU);
	/* 00 then one byte: neither short nor extended */
	assert_int_equal(hc_apdu_parse((const uint8_t[]){ 0x00, 0xB0, 0x00, 0x00, 0x00, 0x01 }, 6, &a),
	    HC_ERR_INVALID_APDU);
	/* extended Lc 0 with data */
	assert_int_equal(hc_apdu_parse((const uint8_t[]){ 0x00, 0xD6, 0x00, 0x00, 0x00, 0x00, 0x00, 0xAA }, 8, &a),
	    HC_ERR_INVALID_APDU);
	/* extended Lc 3 but 2 bytes of data */
	assert_int_equal(hc_apdu_parse((const uint8_t[]){ 0x00, 0xD6, 0x00, 0x00, 0x00, 0x00, 0x03, 0xAA, 0xBB }, 9, &a),
	    HC_ERR_INVALID_APDU);
	/* extended Lc 2 with one byte left over (neither 3E nor 4E) */
	assert_int_equal(hc_apdu_parse((const uint8_t[]){ 0x00, 0xD6, 0x00, 0x00, 0x00, 0x00, 0x02, 0xAA, 0xBB, 0x01 }, 10, &a),
	    HC_ERR_INVALID_APDU);
	/* extended Lc larger than the whole command (no wrap) */
	assert_int_equal(hc_apdu_parse((const uint8_t[]){ 0x00, 0xD6, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xAA }, 8, &a),
	    HC_ERR_INVALID_APDU);
}

/* Every case, short and extended, survives encode then parse unchanged. */
static void
test_roundtrip(void **state)
{
	static const size_t lcs[] = { 0, 1, 255, 256, 65535 };
	static const size_t les[] = { 0, 1, 255, 256, 257, 65536 };
	uint8_t *out = malloc(HC_APDU_MAX_CMD);
	hc_apdu_t a, b;
	size_t i, j, len;
	int ext;

	(void)state;
	assert_non_null(out);
	for (i = 0; i < sizeof(lcs) / sizeof(lcs[0]); i++) {
		for (j = 0; j < sizeof(les) / sizeof(les[0]); j++) {
			for (ext = 0; ext < 2; ext++) {
				memset(&a, 0, sizeof(a));
				a.cla = 0x80; a.ins = 0xCA; a.p1 = 0x9F; a.p2 = 0x79;
				a.data = lcs[i] ? big : NULL;
				a.lc = lcs[i];
				a.has_le = les[j] != 0;
				a.le = les[j];
				a.extended = ext;
				assert_int_equal(hc_apdu_encode(&a, out, HC_APDU_MAX_CMD, &len), HC_OK);
				assert_int_equal(hc_apdu_parse(out, len, &b), HC_OK);
				assert_int_equal(b.cla, 0x80);
				assert_int_equal(b.ins, 0xCA);
				assert_int_equal(b.p1, 0x9F);
				assert_int_equal(b.p2, 0x79);
				assert_int_equal(b.lc, a.lc);
				assert_int_equal(b.has_le, a.has_le);
				/* Le 256 encoded short and parsed back is 256; extended 65536 too */
				assert_int_equal(b.le, a.le);
				assert_int_equal(hc_apdu_case(&b), hc_apdu_case(&a));
				if (a.lc)
					assert_memory_equal(b.data, big, a.lc);
				/* case 1 has no extended form */
				if (a.lc || a.has_le)
					assert_int_equal(b.extended, ext || a.lc > 255 || a.le > 256);
			}
		}
	}
	free(out);
}

static void
test_resp(void **state)
{
	hc_resp_t *r = hc_resp_new();

	(void)state;
	assert_non_null(r);
	assert_int_equal(r->cap, HC_RESP_MAX);
	memset(r->data, 0x42, 10);
	r->len = 10;
	r->sw = 0x9000;
	hc_resp_clear(r);
	assert_int_equal(r->len, 0);
	assert_int_equal(r->sw, 0);
	assert_int_equal(r->data[0], 0);
	hc_resp_free(&r);
	assert_null(r);
	hc_resp_free(&r);       /* twice is fine */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_short),
		cmocka_unit_test(test_encode_extended),
		cmocka_unit_test(test_encode_large_lc),
		cmocka_unit_test(test_check_rejects),
		cmocka_unit_test(test_parse_cases),
		cmocka_unit_test(test_parse_invalid),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_resp),
	};
	size_t i;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + 3);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
