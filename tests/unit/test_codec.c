/* Codecs of card-profile.md §3: GBK text, cn BCD, dates. Expected bytes come from the GB 2312
 * and GBK code tables (张 D5C5, 三 C8FD, 丰 B7E1, 堃 88D2, 喆 86B4, 镕 E946) and from the
 * spec's own examples (Rh 1 -> 1F, 12.34 yuan in cn 5 -> 00 00 00 12 34, 3 in cn 2 -> 00 03). */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "src/codec.h"

static void
test_text_gb2312(void **state)
{
	uint8_t f[8];
	char out[HC_ANS_UTF8_CAP(8)];
	size_t need = 0;
	static const uint8_t want[8] = { 0xD5, 0xC5, 0xC8, 0xFD, 0xB7, 0xE1, 0x00, 0x00 };

	(void)state;
	assert_int_equal(hc_codec_text_encode("张三丰", f, sizeof(f), &need, NULL), HC_OK);
	assert_int_equal(need, 6);
	assert_memory_equal(f, want, 8);
	assert_int_equal(hc_codec_text_decode(f, sizeof(f), out, sizeof(out)), HC_OK);
	assert_string_equal(out, "张三丰");
}

static void
test_text_rare_gbk(void **state)
{
	uint8_t f[6];
	char out[HC_ANS_UTF8_CAP(6)];
	static const uint8_t want[6] = { 0x88, 0xD2, 0x86, 0xB4, 0xE9, 0x46 };

	(void)state;
	/* 堃 and 喆 are GBK extensions outside GB 2312, common in names */
	assert_int_equal(hc_codec_text_encode("堃喆镕", f, sizeof(f), NULL, NULL), HC_OK);
	assert_memory_equal(f, want, 6);
	assert_int_equal(hc_codec_text_decode(f, sizeof(f), out, sizeof(out)), HC_OK);
	assert_string_equal(out, "堃喆镕");
}

static void
test_text_not_gbk(void **state)
{
	uint8_t f[20];
	uint32_t cp = 0;

	(void)state;
	memset(f, 0xAA, sizeof(f));
	/* 䶮 (U+4DAE, CJK Ext A) is in GB 18030 but not in GBK */
	assert_int_equal(hc_codec_text_encode("李䶮", f, sizeof(f), NULL, &cp), HC_ERR_TEXT_NOT_GBK);
	assert_int_equal(cp, 0x4DAE);
	/* 𠮷 (U+20BB7, CJK Ext B) and an emoji */
	assert_int_equal(hc_codec_text_encode("𠮷野家", f, sizeof(f), NULL, &cp), HC_ERR_TEXT_NOT_GBK);
	assert_int_equal(cp, 0x20BB7);
	assert_int_equal(hc_codec_text_encode("ok\xF0\x9F\x98\x80", f, sizeof(f), NULL, &cp),
	                 HC_ERR_TEXT_NOT_GBK);
	assert_int_equal(cp, 0x1F600);
	/* nothing was written */
	assert_int_equal(f[0], 0xAA);
	assert_int_equal(f[19], 0xAA);
	/* control characters (C0, DEL, C1) are refused in every text element, nothing written
	 * (issue 12 item 16) */
	assert_int_equal(hc_codec_text_encode("张\a三", f, sizeof(f), NULL, &cp), HC_ERR_TEXT_NOT_GBK);
	assert_int_equal(cp, 0x07);
	assert_int_equal(hc_codec_text_encode("Li\tMing", f, sizeof(f), NULL, &cp), HC_ERR_TEXT_NOT_GBK);
	assert_int_equal(cp, 0x09);
	assert_int_equal(hc_codec_text_encode("a\nb", f, sizeof(f), NULL, &cp), HC_ERR_TEXT_NOT_GBK);
	assert_int_equal(cp, 0x0A);
	assert_int_equal(hc_codec_text_encode("x\x1b[2J", f, sizeof(f), NULL, &cp), HC_ERR_TEXT_NOT_GBK);
	assert_int_equal(cp, 0x1B);
	assert_int_equal(hc_codec_text_encode("del\x7f", f, sizeof(f), NULL, &cp), HC_ERR_TEXT_NOT_GBK);
	assert_int_equal(cp, 0x7F);
	assert_int_equal(hc_codec_text_encode("c1\xC2\x85", f, sizeof(f), NULL, &cp), HC_ERR_TEXT_NOT_GBK);
	assert_int_equal(cp, 0x85);
	assert_int_equal(hc_codec_text_encode("\xC2\x9F", f, sizeof(f), NULL, &cp), HC_ERR_TEXT_NOT_GBK);
	assert_int_equal(cp, 0x9F);
	assert_int_equal(f[0], 0xAA);
	/* the printable neighbours are fine: space, ~ and · (U+00B7) */
	assert_int_equal(hc_codec_text_encode(" ~\xC2\xB7", f, sizeof(f), NULL, NULL), HC_OK);
	/* invalid UTF-8 (overlong, lone continuation) is an argument error */
	assert_int_equal(hc_codec_text_encode("\xC0\xAF", f, sizeof(f), NULL, NULL), HC_ERR_INVALID_ARGUMENT);
	assert_int_equal(hc_codec_text_encode("\x80", f, sizeof(f), NULL, NULL), HC_ERR_INVALID_ARGUMENT);
}

static void
test_text_too_long(void **state)
{
	uint8_t f[5];
	size_t need = 0;

	(void)state;
	memset(f, 0xAA, sizeof(f));
	/* 3 Chinese characters = 6 GBK bytes > 5 */
	assert_int_equal(hc_codec_text_encode("张三丰", f, sizeof(f), &need, NULL), HC_ERR_TEXT_TOO_LONG);
	assert_int_equal(need, 6);
	assert_int_equal(f[0], 0xAA);
	/* exactly full is fine */
	assert_int_equal(hc_codec_text_encode("ab张", f, 4, &need, NULL), HC_OK);
	assert_int_equal(need, 4);
}

static void
test_text_decode_edges(void **state)
{
	static const uint8_t zeros[4] = { 0 };
	static const uint8_t bad[3] = { 0xD5, 0x20, 0x00 };     /* lead byte then space: not GBK */
	static const uint8_t ascii[5] = { '1', '.', '1', '0', 0 };
	char out[16];

	(void)state;
	assert_int_equal(hc_codec_text_decode(zeros, sizeof(zeros), out, sizeof(out)), HC_OK);
	assert_string_equal(out, "");
	assert_int_equal(hc_codec_text_decode(ascii, sizeof(ascii), out, sizeof(out)), HC_OK);
	assert_string_equal(out, "1.10");
	assert_int_equal(hc_codec_text_decode(bad, sizeof(bad), out, sizeof(out)), HC_ERR_MALFORMED_RESPONSE);
	assert_int_equal(hc_codec_text_decode(ascii, sizeof(ascii), out, 3), HC_ERR_BUFFER_TOO_SMALL);
}

static void
test_cn_digits(void **state)
{
	uint8_t f[3];
	char out[7];
	static const uint8_t city[3] = { 0x11, 0x01, 0x05 };
	static const uint8_t one_f[1] = { 0x1F };
	static const uint8_t part[3] = { 0x12, 0x3F, 0xFF };
	static const uint8_t hole[2] = { 0x1F, 0x2F };
	static const uint8_t hexnib[1] = { 0x1A };

	(void)state;
	assert_int_equal(hc_codec_cn_encode_digits("110105", f, 3), HC_OK);
	assert_memory_equal(f, city, 3);
	assert_int_equal(hc_codec_cn_encode_digits("1", f, 1), HC_OK);
	assert_memory_equal(f, one_f, 1);
	assert_int_equal(hc_codec_cn_encode_digits("123", f, 3), HC_OK);
	assert_memory_equal(f, part, 3);
	assert_int_equal(hc_codec_cn_encode_digits("", f, 3), HC_OK);
	assert_int_equal(f[0] & f[1] & f[2], 0xFF);
	assert_int_equal(hc_codec_cn_encode_digits("1234567", f, 3), HC_ERR_BAD_VALUE);
	assert_int_equal(hc_codec_cn_encode_digits("12a", f, 3), HC_ERR_BAD_VALUE);

	assert_int_equal(hc_codec_cn_decode_digits(part, 3, out, sizeof(out)), HC_OK);
	assert_string_equal(out, "123");
	assert_int_equal(hc_codec_cn_decode_digits(hole, 2, out, sizeof(out)), HC_ERR_MALFORMED_RESPONSE);
	assert_int_equal(hc_codec_cn_decode_digits(hexnib, 1, out, sizeof(out)), HC_ERR_MALFORMED_RESPONSE);
}

static void
test_cn_amounts(void **state)
{
	uint8_t f[5];
	uint64_t v = 0;
	int empty = -1;
	static const uint8_t yuan[5] = { 0x00, 0x00, 0x00, 0x12, 0x34 };
	static const uint8_t three[2] = { 0x00, 0x03 };
	static const uint8_t ff[2] = { 0xFF, 0xFF };
	static const uint8_t badbcd[2] = { 0x0A, 0x00 };

	(void)state;
	assert_int_equal(hc_codec_cn_encode_uint(1234, f, 5), HC_OK);   /* 12.34 yuan in fen */
	assert_memory_equal(f, yuan, 5);
	assert_int_equal(hc_codec_cn_encode_uint(3, f, 2), HC_OK);
	assert_memory_equal(f, three, 2);
	assert_int_equal(hc_codec_cn_encode_uint(9999, f, 2), HC_OK);
	assert_int_equal(hc_codec_cn_encode_uint(10000, f, 2), HC_ERR_BAD_VALUE);
	assert_int_equal(hc_codec_cn_decode_uint(yuan, 5, &v, &empty), HC_OK);
	assert_int_equal(v, 1234);
	assert_int_equal(empty, 0);
	assert_int_equal(hc_codec_cn_decode_uint(ff, 2, &v, &empty), HC_OK);
	assert_int_equal(empty, 1);
	assert_int_equal(hc_codec_cn_decode_uint(badbcd, 2, &v, &empty), HC_ERR_MALFORMED_RESPONSE);
}

static void
test_cn_codes(void **state)
{
	uint8_t f[1];
	int code = 0;

	(void)state;
	assert_int_equal(hc_codec_cn_encode_code(1, 1, f, 1), HC_OK);   /* Rh 1 -> 1F */
	assert_int_equal(f[0], 0x1F);
	assert_int_equal(hc_codec_cn_encode_code(1, 2, f, 1), HC_OK);   /* ethnicity 01 -> 01 */
	assert_int_equal(f[0], 0x01);
	assert_int_equal(hc_codec_cn_encode_code(97, 2, f, 1), HC_OK);
	assert_int_equal(f[0], 0x97);
	assert_int_equal(hc_codec_cn_encode_code(12, 1, f, 1), HC_ERR_BAD_VALUE);
	assert_int_equal(hc_codec_cn_encode_code(-1, 2, f, 1), HC_OK);
	assert_int_equal(f[0], 0xFF);
	assert_int_equal(hc_codec_cn_decode_code(f, 1, &code), HC_OK);
	assert_int_equal(code, -1);
	f[0] = 0x2F;
	assert_int_equal(hc_codec_cn_decode_code(f, 1, &code), HC_OK);
	assert_int_equal(code, 2);
	f[0] = 0x56;
	assert_int_equal(hc_codec_cn_decode_code(f, 1, &code), HC_OK);
	assert_int_equal(code, 56);
}

static void
test_dates(void **state)
{
	uint8_t f[7];
	char out[15];
	static const uint8_t d[4] = { 0x20, 0x24, 0x01, 0x31 };
	static const uint8_t dt[7] = { 0x20, 0x24, 0x02, 0x29, 0x23, 0x59, 0x58 };
	static const uint8_t feb30[4] = { 0x20, 0x24, 0x02, 0x30 };

	(void)state;
	assert_int_equal(hc_codec_date_encode("20240131", f, 4), HC_OK);
	assert_memory_equal(f, d, 4);
	assert_int_equal(hc_codec_date_encode("20240229235958", f, 7), HC_OK);
	assert_memory_equal(f, dt, 7);
	assert_int_equal(hc_codec_date_encode("20230229", f, 4), HC_ERR_BAD_VALUE);   /* not leap */
	assert_int_equal(hc_codec_date_encode("20240230", f, 4), HC_ERR_BAD_VALUE);
	assert_int_equal(hc_codec_date_encode("20241301", f, 4), HC_ERR_BAD_VALUE);
	assert_int_equal(hc_codec_date_encode("2024013", f, 4), HC_ERR_BAD_VALUE);
	assert_int_equal(hc_codec_date_encode("20240131246000", f, 7), HC_ERR_BAD_VALUE);
	assert_int_equal(hc_codec_date_check("20000229"), HC_OK);                    /* 400 rule */
	assert_int_equal(hc_codec_date_check("21000229"), HC_ERR_BAD_VALUE);         /* 100 rule */
	assert_int_equal(hc_codec_date_encode("", f, 4), HC_OK);
	assert_int_equal(f[0] & f[3], 0xFF);
	assert_int_equal(hc_codec_date_decode(f, 4, out, sizeof(out)), HC_OK);
	assert_string_equal(out, "");
	assert_int_equal(hc_codec_date_decode(dt, 7, out, sizeof(out)), HC_OK);
	assert_string_equal(out, "20240229235958");
	assert_int_equal(hc_codec_date_decode(feb30, 4, out, sizeof(out)), HC_ERR_MALFORMED_RESPONSE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_gb2312),
		cmocka_unit_test(test_text_rare_gbk),
		cmocka_unit_test(test_text_not_gbk),
		cmocka_unit_test(test_text_too_long),
		cmocka_unit_test(test_text_decode_edges),
		cmocka_unit_test(test_cn_digits),
		cmocka_unit_test(test_cn_amounts),
		cmocka_unit_test(test_cn_codes),
		cmocka_unit_test(test_dates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
