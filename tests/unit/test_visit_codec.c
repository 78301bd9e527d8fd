/*
 * Visit record codec: item values <-> bytes with the padding rules of card-profile.md §3
 * (expected bytes written out here from the spec's examples and from iconv's GBK table),
 * refusal of values that do not fit, and whole-record round trips (text form, byte ranges).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "hcard_visit.h"

static hc_visit_record_t *
new_rec(hc_visit_kind_t kind)
{
	hc_visit_record_t *r = NULL;

	assert_int_equal(hc_visit_record_new(kind, &r), HC_OK);
	assert_non_null(r);
	return r;
}

static void
assert_field(const hc_visit_record_t *r, int item_no, const uint8_t *want, size_t n)
{
	const hc_visit_item_t *it = hc_visit_item_by_no(hc_visit_record_kind(r), item_no);
	const uint8_t *d = hc_visit_record_data(r, NULL);

	assert_non_null(it);
	assert_int_equal(it->length, n);
	assert_memory_equal(d + it->offset, want, n);
}

static void
test_ans(void **state)
{
	hc_visit_record_t *r = new_rec(HC_VISIT_INPATIENT);
	uint8_t want[70] = { 0xB1, 0xB1, 0xBE, 0xA9, 0xD0, 0xAD, 0xBA, 0xCD, 0xD2, 0xBD, 0xD4, 0xBA };
	char out[256], longtext[256];
	size_t i;

	(void)state;
	/* item 1: inpatient institution name, ans 70: GBK, right-padded with 00 */
	assert_int_equal(hc_visit_record_set_no(r, 1, "北京协和医院"), HC_OK);
	assert_field(r, 1, want, sizeof(want));
	assert_int_equal(hc_visit_record_get_no(r, 1, out, sizeof(out)), HC_OK);
	assert_string_equal(out, "北京协和医院");
	/* by data id (64 = the same item) */
	assert_int_equal(hc_visit_record_get_id(r, 64, out, sizeof(out)), HC_OK);
	assert_string_equal(out, "北京协和医院");

	/* 35 Chinese characters = 70 GBK bytes fit; 36 do not; the field stays as it was */
	longtext[0] = '\0';
	for (i = 0; i < 35; i++)
		strcat(longtext, "院");
	assert_int_equal(hc_visit_record_set_no(r, 1, longtext), HC_OK);
	strcat(longtext, "院");
	memset(want, 0, sizeof(want));
	for (i = 0; i < 35; i++) {
		want[2 * i] = 0xD4;
		want[2 * i + 1] = 0xBA;
	}
	assert_int_equal(hc_visit_record_set_no(r, 1, longtext), HC_ERR_TEXT_TOO_LONG);
	assert_field(r, 1, want, sizeof(want));
	/* not representable in GBK; not UTF-8 at all */
	assert_int_equal(hc_visit_record_set_no(r, 1, "\xF0\x9F\x98\x80"), HC_ERR_TEXT_NOT_GBK);
	assert_int_equal(hc_visit_record_set_no(r, 1, "\xFF\xFE"), HC_ERR_INVALID_ARGUMENT);
	assert_field(r, 1, want, sizeof(want));
	/* a card field that is not GBK */
	hc_visit_record_free(&r);
	assert_null(r);
}

static void
test_cn(void **state)
{
	hc_visit_record_t *r = new_rec(HC_VISIT_INPATIENT);
	hc_visit_record_t *o = new_rec(HC_VISIT_OUTPATIENT);
	static const uint8_t amount[5] = { 0x00, 0x00, 0x00, 0x12, 0x34 };
	static const uint8_t count[2] = { 0x00, 0x03 };
	static const uint8_t code[1] = { 0x2F };
	static const uint8_t date[4] = { 0x20, 0x24, 0x01, 0x31 };
	static const uint8_t dt[7] = { 0x20, 0x24, 0x01, 0x31, 0x08, 0x30, 0x05 };
	static const uint8_t empty5[5] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
	static const uint8_t zero5[5] = { 0, 0, 0, 0, 0 };
	static const uint8_t ed_amount[4] = { 0x00, 0x00, 0x99, 0x99 };
	char out[64];

	(void)state;
	/* blank record: cn all F, presented as "" */
	assert_field(r, 80, empty5, 5);
	assert_int_equal(hc_visit_record_get_no(r, 80, out, sizeof(out)), HC_OK);
	assert_string_equal(out, "");
	/* item 80: inpatient fee amount #1, cn 5, 12.34 yuan = 1234 fen -> 00 00 00 12 34 */
	assert_int_equal(hc_visit_record_set_no(r, 80, "1234"), HC_OK);
	assert_field(r, 80, amount, 5);
	assert_int_equal(hc_visit_record_get_no(r, 80, out, sizeof(out)), HC_OK);
	assert_string_equal(out, "1234");
	assert_int_equal(hc_visit_record_set_no(r, 80, "0"), HC_OK);
	assert_field(r, 80, zero5, 5);
	assert_int_equal(hc_visit_record_get_no(r, 80, out, sizeof(out)), HC_OK);
	assert_string_equal(out, "0");
	assert_int_equal(hc_visit_record_set_no(r, 80, "9999999999"), HC_OK);
	assert_int_equal(hc_visit_record_set_no(r, 80, "10000000000"), HC_ERR_BAD_VALUE);
	assert_int_equal(hc_visit_record_set_no(r, 80, "12.34"), HC_ERR_BAD_VALUE);
	assert_int_equal(hc_visit_record_set_no(r, 80, "-1"), HC_ERR_BAD_VALUE);
	assert_int_equal(hc_visit_record_get_no(r, 80, out, sizeof(out)), HC_OK);
	assert_string_equal(out, "9999999999");
	/* item 4: number of admissions, cn 2: 3 -> 00 03 */
	assert_int_equal(hc_visit_record_set_no(r, 4, "3"), HC_OK);
	assert_field(r, 4, count, 2);
	/* item 7: condition-on-admission code, cn 1: "2" -> 2F (left-justified, F-padded) */
	assert_int_equal(hc_visit_record_set_no(r, 7, "2"), HC_OK);
	assert_field(r, 7, code, 1);
	assert_int_equal(hc_visit_record_get_no(r, 7, out, sizeof(out)), HC_OK);
	assert_string_equal(out, "2");
	assert_int_equal(hc_visit_record_set_no(r, 7, "123"), HC_ERR_BAD_VALUE);
	assert_int_equal(hc_visit_record_set_no(r, 7, "A"), HC_ERR_BAD_VALUE);
	/* item 3: admission date, cn 4 */
	assert_int_equal(hc_visit_record_set_no(r, 3, "20240131"), HC_OK);
	assert_field(r, 3, date, 4);
	assert_int_equal(hc_visit_record_set_no(r, 3, "20240230"), HC_ERR_BAD_VALUE);
	assert_int_equal(hc_visit_record_set_no(r, 3, "2024013"), HC_ERR_BAD_VALUE);
	assert_int_equal(hc_visit_record_set_no(r, 3, "20230229"), HC_ERR_BAD_VALUE);
	assert_int_equal(hc_visit_record_set_no(r, 3, "20240229"), HC_OK);
	/* ED item 3: visit date-time, cn 7 */
	assert_int_equal(hc_visit_record_set_no(o, 3, "20240131083005"), HC_OK);
	assert_field(o, 3, dt, 7);
	assert_int_equal(hc_visit_record_set_no(o, 3, "20240131246000"), HC_ERR_BAD_VALUE);
	assert_int_equal(hc_visit_record_get_no(o, 3, out, sizeof(out)), HC_OK);
	assert_string_equal(out, "20240131083005");
	/* ED item 143: outpatient fee amount #1, cn 4 */
	assert_int_equal(hc_visit_record_set_no(o, 143, "9999"), HC_OK);
	assert_field(o, 143, ed_amount, 4);
	assert_int_equal(hc_visit_record_set_no(o, 143, "123456789"), HC_ERR_BAD_VALUE);
	/* too small an output buffer */
	assert_int_equal(hc_visit_record_get_no(o, 3, out, 10), HC_ERR_BUFFER_TOO_SMALL);
	hc_visit_record_free(&r);
	hc_visit_record_free(&o);
}

static void
test_b_and_malformed(void **state)
{
	hc_visit_record_t *r = new_rec(HC_VISIT_INPATIENT);
	const hc_visit_item_t *it = hc_visit_item_by_no(HC_VISIT_INPATIENT, 75);
	const hc_visit_item_t *amt = hc_visit_item_by_no(HC_VISIT_INPATIENT, 80);
	const hc_visit_item_t *date = hc_visit_item_by_no(HC_VISIT_INPATIENT, 3);
	const hc_visit_item_t *name = hc_visit_item_by_no(HC_VISIT_INPATIENT, 1);
	static const uint8_t one[1] = { 0x01 };
	uint8_t data[HC_VISIT_INPATIENT_LEN];
	char out[256];

	(void)state;
	assert_int_equal(it->type, HC_VT_B);
	assert_int_equal(hc_visit_record_set(r, it, "01"), HC_OK);
	assert_field(r, 75, one, 1);
	assert_int_equal(hc_visit_record_get(r, it, out, sizeof(out)), HC_OK);
	assert_string_equal(out, "01");
	assert_int_equal(hc_visit_record_set(r, it, "1"), HC_ERR_BAD_VALUE);
	assert_int_equal(hc_visit_record_set(r, it, "0101"), HC_ERR_BAD_VALUE);
	assert_int_equal(hc_visit_record_set(r, it, "ZZ"), HC_ERR_BAD_VALUE);
	/* an item of the other kind is refused */
	assert_int_equal(hc_visit_record_set(r, hc_visit_item_by_no(HC_VISIT_OUTPATIENT, 1), "x"),
	                 HC_ERR_INVALID_ARGUMENT);
	/* card bytes that break the type rules */
	memcpy(data, hc_visit_record_data(r, NULL), sizeof(data));
	data[amt->offset] = 0xAB;                       /* amount with non-decimal nibbles */
	data[date->offset] = 0x20;                      /* date 2024-13-01 */
	data[date->offset + 1] = 0x24;
	data[date->offset + 2] = 0x13;
	data[date->offset + 3] = 0x01;
	data[name->offset] = 0x81;                      /* GBK lead byte, then 00: not GBK */
	data[name->offset + 1] = 0x00;
	assert_int_equal(hc_visit_record_set_data(r, data, sizeof(data)), HC_OK);
	assert_int_equal(hc_visit_record_get(r, amt, out, sizeof(out)), HC_ERR_MALFORMED_RESPONSE);
	assert_int_equal(hc_visit_record_get(r, date, out, sizeof(out)), HC_ERR_MALFORMED_RESPONSE);
	assert_int_equal(hc_visit_record_get(r, name, out, sizeof(out)), HC_ERR_MALFORMED_RESPONSE);
	assert_int_equal(hc_visit_record_set_data(r, data, sizeof(data) - 1), HC_ERR_INVALID_ARGUMENT);
	hc_visit_record_free(&r);
}

/* A plausible value for every item of a kind, built from the item's type and length. */
static void
fill_all(hc_visit_record_t *r, unsigned seed)
{
	const hc_visit_item_t *it;
	char v[512];
	size_t i, j;

	for (i = 0; (it = hc_visit_item_at(hc_visit_record_kind(r), i)) != NULL; i++) {
		switch (it->type) {
		case HC_VT_ANS:
			snprintf(v, sizeof(v), "项%u-%zu", seed, i);
			if (strlen(v) > it->length)      /* short fields: ASCII digits */
				snprintf(v, sizeof(v), "%.*u", (int)it->length, seed % 10);
			break;
		case HC_VT_B:
			for (j = 0; j < it->length; j++)
				snprintf(v + 2 * j, 3, "%02X", (unsigned)((seed + i + j) & 0xFF));
			break;
		default:
			switch (it->cn_kind) {
			case HC_CN_DATE:
				snprintf(v, sizeof(v), "2024%02u%02u", (unsigned)(i % 12 + 1), seed % 28 + 1);
				break;
			case HC_CN_DATETIME:
				snprintf(v, sizeof(v), "202402%02u1%u3059", seed % 28 + 1, (unsigned)(i % 10));
				break;
			case HC_CN_NUMBER:
				snprintf(v, sizeof(v), "%u", (unsigned)(seed * 7 + i) % 100);
				break;
			default:
				snprintf(v, sizeof(v), "%u", (unsigned)(i % 10));
				break;
			}
		}
		assert_int_equal(hc_visit_record_set(r, it, v), HC_OK);
	}
}

static void
roundtrip(hc_visit_kind_t kind)
{
	hc_visit_record_t *a = new_rec(kind), *b = new_rec(kind);
	char *text, *p, *longer;
	const uint8_t *da, *db;
	size_t need = 0, bars = 0, la = 0, lb = 0;
	int bad = -1;

	fill_all(a, 5);
	assert_int_equal(hc_visit_record_to_text(a, NULL, 0, &need), HC_ERR_BUFFER_TOO_SMALL);
	assert_true(need > hc_visit_item_count(kind));
	text = test_malloc(need);
	assert_int_equal(hc_visit_record_to_text(a, text, need - 1, NULL), HC_ERR_BUFFER_TOO_SMALL);
	assert_int_equal(hc_visit_record_to_text(a, text, need, NULL), HC_OK);
	for (p = text; *p != '\0'; p++)
		bars += *p == '|';
	assert_int_equal(bars, hc_visit_item_count(kind) - 1);
	assert_int_equal(hc_visit_record_from_text(b, text, &bad), HC_OK);
	assert_int_equal(bad, 0);
	da = hc_visit_record_data(a, &la);
	db = hc_visit_record_data(b, &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(da, db, la);
	assert_int_equal(la, hc_visit_data_len(kind));
	/* one value too many, one too few, a bad value: refused, b unchanged */
	longer = test_malloc(need + 3);
	snprintf(longer, need + 3, "%s|0", text);
	assert_int_equal(hc_visit_record_from_text(b, longer, &bad), HC_ERR_BAD_VALUE);
	test_free(longer);
	*strrchr(text, '|') = '\0';
	assert_int_equal(hc_visit_record_from_text(b, text, &bad), HC_ERR_BAD_VALUE);
	assert_int_equal(bad, (int)hc_visit_item_count(kind));
	assert_int_equal(hc_visit_record_from_text(b, "x", &bad), HC_ERR_BAD_VALUE);
	assert_int_equal(bad, 2);
	/* item 3 is a date in both kinds */
	assert_int_equal(hc_visit_record_from_text(b, "x|y|2024|", &bad), HC_ERR_BAD_VALUE);
	assert_int_equal(bad, 3);
	assert_memory_equal(hc_visit_record_data(a, NULL), hc_visit_record_data(b, NULL), la);
	test_free(text);
	hc_visit_record_free(&a);
	hc_visit_record_free(&b);
}

static void
test_roundtrip(void **state)
{
	(void)state;
	roundtrip(HC_VISIT_INPATIENT);
	roundtrip(HC_VISIT_OUTPATIENT);
}

static void
test_ranges(void **state)
{
	hc_visit_record_t *r = new_rec(HC_VISIT_INPATIENT);
	char out[256];

	(void)state;
	/* pos 0 len 4 raw of a blank record: ans bytes 00 */
	assert_int_equal(hc_visit_record_get_range(r, 0, 4, HC_VISIT_STYLE_RAW, out, sizeof(out)), HC_OK);
	assert_string_equal(out, "00000000");
	assert_int_equal(hc_visit_record_set_range(r, 0, 70, HC_VISIT_STYLE_ANS, "张三"), HC_OK);
	assert_int_equal(hc_visit_record_get_range(r, 0, 6, HC_VISIT_STYLE_RAW, out, sizeof(out)), HC_OK);
	assert_string_equal(out, "D5C5C8FD0000");
	assert_int_equal(hc_visit_record_get_range(r, 0, 70, HC_VISIT_STYLE_ANS, out, sizeof(out)), HC_OK);
	assert_string_equal(out, "张三");
	/* admission date at 80, cn 4, written in hex */
	assert_int_equal(hc_visit_record_set_range(r, 80, 4, HC_VISIT_STYLE_CN, "20240131"), HC_OK);
	assert_int_equal(hc_visit_record_get_no(r, 3, out, sizeof(out)), HC_OK);
	assert_string_equal(out, "20240131");
	assert_int_equal(hc_visit_record_set_range(r, 80, 4, HC_VISIT_STYLE_CN, "202401"), HC_ERR_BAD_VALUE);
	assert_int_equal(hc_visit_record_set_range(r, 1636, 4, HC_VISIT_STYLE_B, "00000000"),
	                 HC_ERR_INVALID_ARGUMENT);
	assert_int_equal(hc_visit_record_set_range(r, 0, 2, HC_VISIT_STYLE_ANS, "张三"), HC_ERR_TEXT_TOO_LONG);
	assert_int_equal(hc_visit_record_get_range(r, 0, 4, 0x42, out, sizeof(out)), HC_ERR_INVALID_ARGUMENT);
	/* whole record, style 0, pos 0, len 1639 */
	{
		char *hex = test_malloc(2 * HC_VISIT_INPATIENT_LEN + 1);
		assert_int_equal(hc_visit_record_get_range(r, 0, HC_VISIT_INPATIENT_LEN,
		                                           HC_VISIT_STYLE_RAW, hex,
		                                           2 * HC_VISIT_INPATIENT_LEN + 1), HC_OK);
		assert_int_equal(strlen(hex), 2 * HC_VISIT_INPATIENT_LEN);
		assert_memory_equal(hex + 160, "20240131", 8);
		test_free(hex);
	}
	hc_visit_record_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ans),
		cmocka_unit_test(test_cn),
		cmocka_unit_test(test_b_and_malformed),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_ranges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
