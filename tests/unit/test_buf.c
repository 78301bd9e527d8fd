/* Unit tests: bounded reader/writer (apdu/buf.h), hex helpers, wipe. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "apdu/buf.h"

static void
test_reader_gets(void **state)
{
	static const uint8_t in[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09 };
	hc_reader_t r;
	uint8_t u8, out[3];
	uint16_t u16;
	uint32_t u32;
	const uint8_t *p;

	(void)state;
	hc_reader_init(&r, in, sizeof(in));
	assert_int_equal(hc_reader_left(&r), 9);
	assert_int_equal(hc_get_u8(&r, &u8), 0);
	assert_int_equal(u8, 0x01);
	assert_int_equal(hc_get_u16(&r, &u16), 0);
	assert_int_equal(u16, 0x0203);
	assert_int_equal(hc_get_u32(&r, &u32), 0);
	assert_int_equal(u32, 0x04050607);
	assert_int_equal(hc_reader_left(&r), 2);
	/* 3 bytes do not fit: fails and consumes nothing */
	memset(out, 0xAA, sizeof(out));
	assert_int_equal(hc_get_bytes(&r, out, 3), -1);
	assert_int_equal(out[0], 0xAA);
	assert_int_equal(hc_reader_left(&r), 2);
	assert_int_equal(hc_get_u32(&r, &u32), -1);
	assert_int_equal(hc_reader_left(&r), 2);
	assert_int_equal(hc_get_ptr(&r, &p, 2), 0);
	assert_ptr_equal(p, in + 7);
	assert_int_equal(hc_reader_left(&r), 0);
	assert_int_equal(hc_get_u8(&r, &u8), -1);
	/* zero-length gets at the end are fine */
	assert_int_equal(hc_get_bytes(&r, out, 0), 0);
	assert_int_equal(hc_skip(&r, 0), 0);
	assert_int_equal(hc_skip(&r, 1), -1);
}

/* Offsets near SIZE_MAX: `off + n` would wrap; the reader must still refuse. */
static void
test_reader_huge_offsets(void **state)
{
	uint8_t buf[8] = { 0 };
	hc_reader_t r;
	uint16_t u16;
	uint32_t u32;
	const uint8_t *p = NULL;

	(void)state;
	hc_reader_init(&r, buf, sizeof(buf));
	assert_int_equal(hc_skip(&r, 4), 0);
	/* 4 + (SIZE_MAX - 2) wraps to 1 < 8 */
	assert_int_equal(hc_skip(&r, SIZE_MAX - 2), -1);
	assert_int_equal(hc_get_ptr(&r, &p, SIZE_MAX), -1);
	assert_null(p);
	assert_int_equal(r.off, 4);

	/* a reader whose len and off are near SIZE_MAX (never dereferenced on failure) */
	r.data = buf;
	r.len = SIZE_MAX;
	r.off = SIZE_MAX - 1;
	assert_int_equal(hc_reader_left(&r), 1);
	assert_int_equal(hc_get_u16(&r, &u16), -1);
	assert_int_equal(hc_get_u32(&r, &u32), -1);
	assert_int_equal(hc_skip(&r, 2), -1);
	assert_int_equal(hc_skip(&r, SIZE_MAX), -1);
	assert_int_equal(r.off, SIZE_MAX - 1);

	/* a corrupted reader (off past len) gives nothing */
	r.len = 4;
	r.off = 5;
	assert_int_equal(hc_skip(&r, 0), -1);
}

static void
test_reader_null(void **state)
{
	hc_reader_t r;
	uint8_t u8;

	(void)state;
	hc_reader_init(&r, NULL, 100);          /* no data: length 0 */
	assert_int_equal(hc_reader_left(&r), 0);
	assert_int_equal(hc_get_u8(&r, &u8), -1);
	assert_int_equal(hc_get_bytes(&r, NULL, 1), -1);
}

static void
test_writer_puts_and_sticky_failure(void **state)
{
	static const uint8_t expect[] = { 0xAB, 0x12, 0x34, 0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x02, 0x00, 0x00 };
	static const uint8_t two[] = { 0x01, 0x02 };
	uint8_t buf[12];
	hc_writer_t w;

	(void)state;
	memset(buf, 0x77, sizeof(buf));
	hc_writer_init(&w, buf, 11);
	assert_int_equal(hc_put_u8(&w, 0xAB), 0);
	assert_int_equal(hc_put_u16(&w, 0x1234), 0);
	assert_int_equal(hc_put_u32(&w, 0xDEADBEEF), 0);
	assert_int_equal(hc_put_bytes(&w, two, 2), 0);
	assert_int_equal(hc_put_fill(&w, 0x00, 2), 0);
	assert_true(hc_writer_ok(&w));
	assert_int_equal(w.len, 11);
	assert_memory_equal(buf, expect, sizeof(expect));
	/* full: one more byte fails and stays failed, nothing written past cap */
	assert_int_equal(hc_put_u8(&w, 0x99), -1);
	assert_false(hc_writer_ok(&w));
	assert_int_equal(buf[11], 0x77);
	assert_int_equal(hc_put_bytes(&w, two, 0), -1);    /* sticky even for 0 bytes */
	assert_int_equal(w.len, 11);
}

static void
test_writer_partial_does_not_write(void **state)
{
	uint8_t buf[4];
	hc_writer_t w;

	(void)state;
	memset(buf, 0x55, sizeof(buf));
	hc_writer_init(&w, buf, 3);
	assert_int_equal(hc_put_u16(&w, 0x0102), 0);
	assert_int_equal(hc_put_u16(&w, 0x0304), -1);      /* 2 > 1 left */
	assert_int_equal(buf[2], 0x55);
	assert_false(hc_writer_ok(&w));
	/* after a failure even what would fit is refused */
	assert_int_equal(hc_put_u8(&w, 0x09), -1);
	assert_int_equal(buf[2], 0x55);
}

static void
test_writer_huge(void **state)
{
	uint8_t buf[4];
	hc_writer_t w;

	(void)state;
	hc_writer_init(&w, buf, sizeof(buf));
	assert_int_equal(hc_put_u8(&w, 1), 0);
	assert_int_equal(hc_put_fill(&w, 0, SIZE_MAX), -1);
	assert_false(hc_writer_ok(&w));

	hc_writer_init(&w, buf, sizeof(buf));
	w.cap = SIZE_MAX;
	w.len = SIZE_MAX - 1;
	assert_int_equal(hc_put_u16(&w, 1), -1);
	assert_int_equal(hc_put_bytes(&w, buf, SIZE_MAX), -1);
	assert_int_equal(w.len, SIZE_MAX - 1);

	hc_writer_init(&w, buf, sizeof(buf));
	assert_int_equal(hc_put_bytes(&w, NULL, 1), -1);   /* NULL source */
	assert_false(hc_writer_ok(&w));
	assert_false(hc_writer_ok(NULL));
}

static void
test_hex(void **state)
{
	uint8_t out[4];
	char txt[9];
	static const uint8_t bytes[] = { 0x0A, 0x1B, 0xFF, 0x00 };

	(void)state;
	assert_int_equal(hc_hex_decode("0a 1B:ff\n00", out, sizeof(out)), 4);
	assert_memory_equal(out, bytes, 4);
	assert_int_equal(hc_hex_decode("", out, sizeof(out)), 0);
	assert_int_equal(hc_hex_decode("0A1", out, sizeof(out)), -1);       /* odd */
	assert_int_equal(hc_hex_decode("0G", out, sizeof(out)), -1);        /* bad char */
	assert_int_equal(hc_hex_decode("0011223344", out, sizeof(out)), -1); /* too long */
	assert_int_equal(hc_hex_encode(bytes, 4, txt, sizeof(txt)), 0);
	assert_string_equal(txt, "0A1BFF00");
	assert_int_equal(hc_hex_encode(bytes, 4, txt, 8), -1);              /* no room for NUL */
	assert_int_equal(hc_hex_encode(bytes, SIZE_MAX, txt, sizeof(txt)), -1);
}

static void
test_wipe(void **state)
{
	uint8_t secret[16];
	static const uint8_t zero[16];

	(void)state;
	memset(secret, 0x31, sizeof(secret));
	hc_wipe(secret, sizeof(secret));
	assert_memory_equal(secret, zero, sizeof(zero));
	hc_wipe(NULL, 10);      /* no crash */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_gets),
		cmocka_unit_test(test_reader_huge_offsets),
		cmocka_unit_test(test_reader_null),
		cmocka_unit_test(test_writer_puts_and_sticky_failure),
		cmocka_unit_test(test_writer_partial_does_not_write),
		cmocka_unit_test(test_writer_huge),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_wipe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
