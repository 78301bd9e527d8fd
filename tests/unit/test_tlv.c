/* Unit tests: BER-TLV and simple TLV (apdu/tlv.h), with the FCI templates of
 * card-profile.md §2 and edge cases (truncated, overlong, zero-length, long forms). */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "apdu/buf.h"
#include "apdu/tlv.h"

/* MF FCI: 6F { 84 02 3F00  A5 { C0 08 <factor>  8A 01 05 } } */
static const uint8_t mf_fci[] = {
	0x6F, 0x13,
	0x84, 0x02, 0x3F, 0x00,
	0xA5, 0x0D,
	0xC0, 0x08, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	0x8A, 0x01, 0x05,
};

static void
test_ber_fci_path(void **state)
{
	static const uint32_t path_factor[] = { 0x6F, 0xA5, 0xC0 };
	static const uint32_t path_life[] = { 0x6F, 0xA5, 0x8A };
	static const uint32_t path_fid[] = { 0x6F, 0x84 };
	static const uint32_t path_through_primitive[] = { 0x6F, 0x84, 0x3F };
	hc_tlv_t t;

	(void)state;
	assert_int_equal(hc_ber_parse(mf_fci, sizeof(mf_fci), &t), 0);
	assert_int_equal(t.tag, 0x6F);
	assert_true(t.constructed);
	assert_int_equal(t.len, 0x13);
	assert_int_equal(t.total, sizeof(mf_fci));
	assert_int_equal(hc_ber_find_path(mf_fci, sizeof(mf_fci), path_factor, 3, &t), 0);
	assert_int_equal(t.len, 8);
	assert_false(t.constructed);
	assert_ptr_equal(t.value, mf_fci + 10);
	assert_int_equal(hc_ber_find_path(mf_fci, sizeof(mf_fci), path_life, 3, &t), 0);
	assert_int_equal(t.value[0], 0x05);
	assert_int_equal(hc_ber_find_path(mf_fci, sizeof(mf_fci), path_fid, 2, &t), 0);
	assert_int_equal(t.len, 2);
	assert_int_equal(hc_ber_find_path(mf_fci, sizeof(mf_fci), path_through_primitive, 3, &t), -1);
	assert_int_equal(hc_ber_find_path(mf_fci, sizeof(mf_fci), path_fid, 0, &t), -1);
	/* tag not present */
	assert_int_equal(hc_ber_find(mf_fci + 2, 4, 0x85, &t), -1);
}

static void
test_ber_multibyte_tags(void **state)
{
	/* 9F79 06 n12; 7F49 constructed; 5F 81 02 three-byte tag */
	static const uint8_t in[] = {
		0x9F, 0x79, 0x06, 0x00, 0x00, 0x00, 0x01, 0x23, 0x45,
		0x7F, 0x49, 0x03, 0x86, 0x01, 0x04,
		0x5F, 0x81, 0x02, 0x01, 0xEE,
	};
	hc_tlv_t t;

	(void)state;
	assert_int_equal(hc_ber_find(in, sizeof(in), 0x9F79, &t), 0);
	assert_int_equal(t.len, 6);
	assert_int_equal(t.total, 9);
	assert_false(t.constructed);
	assert_int_equal(hc_ber_find(in, sizeof(in), 0x7F49, &t), 0);
	assert_true(t.constructed);
	assert_int_equal(hc_ber_find(in, sizeof(in), 0x5F8102, &t), 0);
	assert_int_equal(t.len, 1);
	assert_int_equal(t.value[0], 0xEE);
	/* a 4-byte tag is refused */
	assert_int_equal(hc_ber_parse((const uint8_t[]){ 0x5F, 0x81, 0x82, 0x03, 0x00 }, 5, &t), -1);
	/* tag number with leading zero bits (1F 80 ..) is refused */
	assert_int_equal(hc_ber_parse((const uint8_t[]){ 0x1F, 0x80, 0x01, 0x00 }, 4, &t), -1);
	/* a multi-byte tag cut after its first byte */
	assert_int_equal(hc_ber_parse((const uint8_t[]){ 0x9F }, 1, &t), -1);
	assert_int_equal(hc_ber_parse((const uint8_t[]){ 0x9F, 0x81 }, 2, &t), -1);
	/* padding bytes are not tags */
	assert_int_equal(hc_ber_parse((const uint8_t[]){ 0x00, 0x00 }, 2, &t), -1);
	assert_int_equal(hc_ber_parse((const uint8_t[]){ 0xFF, 0x00 }, 2, &t), -1);
}

static void
test_ber_lengths(void **state)
{
	static uint8_t big[4 + 70000];
	hc_tlv_t t;

	(void)state;
	/* 81 xx */
	big[0] = 0x53; big[1] = 0x81; big[2] = 0xC8;
	assert_int_equal(hc_ber_parse(big, 3 + 200, &t), 0);
	assert_int_equal(t.len, 200);
	assert_int_equal(t.total, 203);
	assert_int_equal(hc_ber_parse(big, 3 + 199, &t), -1);          /* one byte short */
	/* 82 xx xx */
	big[1] = 0x82; big[2] = 0x01; big[3] = 0x2C;
	assert_int_equal(hc_ber_parse(big, 4 + 300, &t), 0);
	assert_int_equal(t.len, 300);
	/* 83 xx xx xx */
	big[1] = 0x83; big[2] = 0x01; big[3] = 0x00; big[4] = 0x00;
	assert_int_equal(hc_ber_parse(big, 5 + 65536, &t), 0);
	assert_int_equal(t.len, 65536);
	assert_int_equal(hc_ber_parse(big, 5 + 65535, &t), -1);
	/* 84: 4 length bytes, refused; 80: indefinite, refused */
	assert_int_equal(hc_ber_parse((const uint8_t[]){ 0x53, 0x84, 0x00, 0x00, 0x00, 0x01, 0xAA }, 7, &t), -1);
	assert_int_equal(hc_ber_parse((const uint8_t[]){ 0x53, 0x80, 0xAA, 0x00, 0x00 }, 5, &t), -1);
	/* an overlong length that would wrap a naive pointer check */
	assert_int_equal(hc_ber_parse((const uint8_t[]){ 0x53, 0x83, 0xFF, 0xFF, 0xFF, 0xAA }, 6, &t), -1);
	/* length bytes cut off */
	assert_int_equal(hc_ber_parse((const uint8_t[]){ 0x53, 0x82, 0x01 }, 3, &t), -1);
	assert_int_equal(hc_ber_parse((const uint8_t[]){ 0x53 }, 1, &t), -1);
	/* zero-length input and NULL */
	assert_int_equal(hc_ber_parse(big, 0, &t), -1);
	assert_int_equal(hc_ber_parse(NULL, 10, &t), -1);
	/* zero-length value is fine */
	assert_int_equal(hc_ber_parse((const uint8_t[]){ 0xA5, 0x00 }, 2, &t), 0);
	assert_int_equal(t.len, 0);
	assert_int_equal(t.total, 2);
}

/* A malformed element after the sought one's predecessors makes find fail, not read on. */
static void
test_ber_find_malformed(void **state)
{
	static const uint8_t in[] = { 0x84, 0x01, 0xAA, 0x85, 0x05, 0x01 };
	hc_tlv_t t;

	(void)state;
	assert_int_equal(hc_ber_find(in, sizeof(in), 0x84, &t), 0);
	assert_int_equal(hc_ber_find(in, sizeof(in), 0x85, &t), -1);
	assert_int_equal(hc_ber_find(in, sizeof(in), 0x86, &t), -1);
}

static void
test_ber_put(void **state)
{
	static const uint8_t value[300] = { 0 };
	static const uint8_t want_small[] = { 0x9F, 0x79, 0x02, 0x12, 0x34 };
	uint8_t buf[400];
	hc_writer_t w;
	hc_tlv_t t;

	(void)state;
	hc_writer_init(&w, buf, sizeof(buf));
	assert_int_equal(hc_ber_put(&w, 0x9F79, (const uint8_t[]){ 0x12, 0x34 }, 2), 0);
	assert_int_equal(w.len, sizeof(want_small));
	assert_memory_equal(buf, want_small, sizeof(want_small));

	hc_writer_init(&w, buf, sizeof(buf));
	assert_int_equal(hc_ber_put(&w, 0x53, value, 200), 0);
	assert_int_equal(buf[1], 0x81);
	assert_int_equal(buf[2], 200);
	assert_int_equal(w.len, 203);

	hc_writer_init(&w, buf, sizeof(buf));
	assert_int_equal(hc_ber_put(&w, 0x5F8102, value, 300), 0);
	assert_memory_equal(buf, ((const uint8_t[]){ 0x5F, 0x81, 0x02, 0x82, 0x01, 0x2C }), 6);
	assert_int_equal(hc_ber_parse(buf, w.len, &t), 0);
	assert_int_equal(t.tag, 0x5F8102);
	assert_int_equal(t.len, 300);

	assert_int_equal(hc_ber_len_size(0x7F), 1);
	assert_int_equal(hc_ber_len_size(0x80), 2);
	assert_int_equal(hc_ber_len_size(0xFF), 2);
	assert_int_equal(hc_ber_len_size(0x100), 3);
	assert_int_equal(hc_ber_len_size(0x10000), 4);
	assert_int_equal(hc_ber_len_size(0x1000000), 0);

	/* does not fit: sticky failure */
	hc_writer_init(&w, buf, 10);
	assert_int_equal(hc_ber_put(&w, 0x53, value, 20), -1);
	assert_false(hc_writer_ok(&w));
	assert_int_equal(hc_ber_put(&w, 0x53, value, 1), -1);
	/* tag 0 and NULL value refused */
	hc_writer_init(&w, buf, sizeof(buf));
	assert_int_equal(hc_ber_put(&w, 0, value, 1), -1);
	hc_writer_init(&w, buf, sizeof(buf));
	assert_int_equal(hc_ber_put(&w, 0x53, NULL, 1), -1);
}

/* ---- simple TLV: the card's records ---- */

static int
count_cb(const hc_tlv_t *t, void *arg)
{
	unsigned *sum = arg;

	*sum += t->tag;
	return 0;
}

static int
stop_cb(const hc_tlv_t *t, void *arg)
{
	(void)arg;
	return t->tag == 0x12;
}

static void
test_stlv(void **state)
{
	/* EF06: 11 name (3 here), 12 sex, 13 ethnicity */
	static const uint8_t ef06[] = {
		0x11, 0x03, 0xD5, 0xC5, 0x00,
		0x12, 0x01, 0x01,
		0x13, 0x01, 0x01,
	};
	hc_tlv_t t;
	unsigned sum = 0;

	(void)state;
	assert_int_equal(hc_stlv_parse(ef06, sizeof(ef06), &t), 0);
	assert_int_equal(t.tag, 0x11);
	assert_int_equal(t.len, 3);
	assert_int_equal(t.total, 5);
	assert_int_equal(hc_stlv_find(ef06, sizeof(ef06), 0x13, &t), 0);
	assert_ptr_equal(t.value, ef06 + 10);
	assert_int_equal(hc_stlv_find(ef06, sizeof(ef06), 0x15, &t), -1);
	assert_int_equal(hc_stlv_walk(ef06, sizeof(ef06), count_cb, &sum), 0);
	assert_int_equal(sum, 0x11 + 0x12 + 0x13);
	assert_int_equal(hc_stlv_walk(ef06, sizeof(ef06), stop_cb, NULL), -1);
	/* truncated last element */
	sum = 0;
	assert_int_equal(hc_stlv_walk(ef06, sizeof(ef06) - 1, count_cb, &sum), -1);
	assert_int_equal(hc_stlv_find(ef06, sizeof(ef06) - 1, 0x13, &t), -1);
	/* a lone tag byte, zero input, an overlong length */
	assert_int_equal(hc_stlv_parse(ef06, 1, &t), -1);
	assert_int_equal(hc_stlv_parse(ef06, 0, &t), -1);
	assert_int_equal(hc_stlv_walk(ef06, 0, count_cb, &sum), -1);
	assert_int_equal(hc_stlv_parse((const uint8_t[]){ 0x57, 0xFF, 0x01 }, 3, &t), -1);
	/* zero-length value */
	assert_int_equal(hc_stlv_parse((const uint8_t[]){ 0x57, 0x00 }, 2, &t), 0);
	assert_int_equal(t.len, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ber_fci_path),
		cmocka_unit_test(test_ber_multibyte_tags),
		cmocka_unit_test(test_ber_lengths),
		cmocka_unit_test(test_ber_find_malformed),
		cmocka_unit_test(test_ber_put),
		cmocka_unit_test(test_stlv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
