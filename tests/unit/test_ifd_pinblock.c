/*
 * The PIN-pad reader's structure parser and PIN formatting (sim/ifd/pinblock.h), against
 * blocks written by hand from PC/SC part 10 / CCID and purse.md ("PIN pads").
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include "sim/ifd/pinblock.h"

#define MAXREQ (IFD_PIN_VERIFY_HEADER + IFD_PIN_APDU_MAX + 4)

/* A PIN_VERIFY_STRUCTURE: the header fields, then the template (ulDataLength = tlen). */
static size_t
make_req(uint8_t *req, uint8_t format, uint8_t block, uint8_t length_format, uint8_t min,
         uint8_t max, const uint8_t *tpl, size_t tlen)
{
	size_t n = 0;

	memset(req, 0, MAXREQ);
	req[n++] = 30;                  /* bTimerOut */
	req[n++] = 30;                  /* bTimerOut2 */
	req[n++] = format;
	req[n++] = block;
	req[n++] = length_format;
	req[n++] = max;                 /* wPINMaxExtraDigit little-endian: max, then min */
	req[n++] = min;
	req[n++] = 0x02;                /* validation key */
	n += 7;                         /* bNumberMessage, wLangId, bMsgIndex, bTeoPrologue */
	req[n++] = (uint8_t)tlen;
	req[n++] = (uint8_t)(tlen >> 8);
	req[n++] = 0;
	req[n++] = 0;
	memcpy(req + n, tpl, tlen);
	return n + tlen;
}

/* purse.md: 81 06 00 040C, 00 20 00 00 06 FF*6 */
static const uint8_t purse_tpl[] = { 0x00, 0x20, 0x00, 0x00, 0x06, 0xFF, 0xFF, 0xFF, 0xFF,
	                             0xFF, 0xFF };

static void
expect_apdu(const uint8_t *req, size_t rlen, const char *pin, const uint8_t *want,
            size_t wlen)
{
	ifd_pin_verify_t v;
	uint8_t out[IFD_PIN_APDU_MAX];
	size_t olen = 0;

	assert_int_equal(ifd_pin_verify_parse(req, rlen, &v), 0);
	assert_int_equal(ifd_pin_apdu_build(&v, pin, strlen(pin), out, sizeof(out), &olen), 0);
	assert_int_equal(olen, wlen);
	assert_memory_equal(out, want, wlen);
}

static void
test_purse_parameters(void **state)
{
	uint8_t req[MAXREQ];
	size_t n = make_req(req, 0x81, 0x06, 0x00, 4, 12, purse_tpl, sizeof(purse_tpl));
	ifd_pin_verify_t v;
	static const uint8_t six[] = { 0x00, 0x20, 0x00, 0x00, 0x06, 0x12, 0x34, 0x56, 0xFF, 0xFF,
		                       0xFF };
	static const uint8_t four[] = { 0x00, 0x20, 0x00, 0x00, 0x06, 0x12, 0x34, 0xFF, 0xFF,
		                        0xFF, 0xFF };
	static const uint8_t five[] = { 0x00, 0x20, 0x00, 0x00, 0x06, 0x12, 0x34, 0x5F, 0xFF,
		                        0xFF, 0xFF };
	static const uint8_t twelve[] = { 0x00, 0x20, 0x00, 0x00, 0x06, 0x12, 0x34, 0x56, 0x78,
		                          0x90, 0x12 };

	(void)state;
	assert_int_equal(ifd_pin_verify_parse(req, n, &v), 0);
	assert_int_equal(v.min_digits, 4);
	assert_int_equal(v.max_digits, 12);
	assert_int_equal(v.timeout_s, 30);
	assert_int_equal(v.apdu_len, sizeof(purse_tpl));
	expect_apdu(req, n, "123456", six, sizeof(six));
	expect_apdu(req, n, "1234", four, sizeof(four));
	expect_apdu(req, n, "12345", five, sizeof(five));
	expect_apdu(req, n, "123456789012", twelve, sizeof(twelve));
}

static void
test_right_justified_and_position(void **state)
{
	uint8_t req[MAXREQ];
	size_t n;
	/* right-justified BCD in the 6-byte block */
	static const uint8_t right[] = { 0x00, 0x20, 0x00, 0x00, 0x06, 0xFF, 0xFF, 0xFF, 0xF1,
		                         0x23, 0x45 };
	/* PIN block at data byte 2 (position 2 bytes), 4-byte block, template bytes kept */
	static const uint8_t tpl8[] = { 0x00, 0x20, 0x00, 0x81, 0x06, 0xAA, 0xBB, 0xFF, 0xFF,
		                        0xFF, 0xFF };
	static const uint8_t pos2[] = { 0x00, 0x20, 0x00, 0x81, 0x06, 0xAA, 0xBB, 0x98, 0x76,
		                        0xFF, 0xFF };

	(void)state;
	n = make_req(req, 0x85, 0x06, 0x00, 4, 12, purse_tpl, sizeof(purse_tpl));
	expect_apdu(req, n, "12345", right, sizeof(right));
	n = make_req(req, 0x80 | (2 << 3) | 0x01, 0x04, 0x00, 4, 8, tpl8, sizeof(tpl8));
	expect_apdu(req, n, "9876", pos2, sizeof(pos2));
}

static void
test_ascii(void **state)
{
	uint8_t req[MAXREQ];
	size_t n;
	static const uint8_t tpl[] = { 0x00, 0x20, 0x00, 0x80, 0x08, 0xFF, 0xFF, 0xFF, 0xFF,
		                       0xFF, 0xFF, 0xFF, 0xFF };
	static const uint8_t left[] = { 0x00, 0x20, 0x00, 0x80, 0x08, 0x31, 0x32, 0x33, 0x34,
		                        0xFF, 0xFF, 0xFF, 0xFF };
	static const uint8_t right[] = { 0x00, 0x20, 0x00, 0x80, 0x08, 0xFF, 0xFF, 0xFF, 0x30,
		                         0x35, 0x36, 0x37, 0x38 };

	(void)state;
	n = make_req(req, 0x82, 0x08, 0x00, 4, 8, tpl, sizeof(tpl));
	expect_apdu(req, n, "1234", left, sizeof(left));
	n = make_req(req, 0x86, 0x08, 0x00, 4, 8, tpl, sizeof(tpl));
	expect_apdu(req, n, "05678", right, sizeof(right));
}

/* ISO 9564 format 2: control nibble 2, length nibble, BCD PIN, F padding; the length field
 * is 4 bits at bit 4 (units bits), the PIN from byte 1 (units bytes), block 7 bytes. */
static void
test_length_field(void **state)
{
	uint8_t req[MAXREQ];
	size_t n;
	static const uint8_t tpl[] = { 0x00, 0x20, 0x00, 0x01, 0x08, 0x20, 0xFF, 0xFF, 0xFF,
		                       0xFF, 0xFF, 0xFF, 0xFF };
	static const uint8_t f2[] = { 0x00, 0x20, 0x00, 0x01, 0x08, 0x24, 0x12, 0x34, 0xFF,
		                      0xFF, 0xFF, 0xFF, 0xFF };
	static const uint8_t f2_12[] = { 0x00, 0x20, 0x00, 0x01, 0x08, 0x2C, 0x12, 0x34, 0x56,
		                         0x78, 0x90, 0x12, 0xFF };
	/* an 8-bit length byte at data byte 0 (units bytes), ASCII PIN from byte 1 */
	static const uint8_t tpl_b[] = { 0x00, 0x20, 0x00, 0x00, 0x09, 0x00, 0xFF, 0xFF, 0xFF,
		                         0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
	static const uint8_t lb[] = { 0x00, 0x20, 0x00, 0x00, 0x09, 0x06, 0x31, 0x31, 0x32,
		                      0x32, 0x33, 0x33, 0xFF, 0xFF };

	(void)state;
	n = make_req(req, 0x89, 0x47, 0x04, 4, 12, tpl, sizeof(tpl));
	expect_apdu(req, n, "1234", f2, sizeof(f2));
	expect_apdu(req, n, "123456789012", f2_12, sizeof(f2_12));
	n = make_req(req, 0x8A, 0x88, 0x10, 4, 8, tpl_b, sizeof(tpl_b));
	expect_apdu(req, n, "112233", lb, sizeof(lb));
}

static void
expect_refused(const uint8_t *req, size_t len)
{
	ifd_pin_verify_t v;

	assert_int_equal(ifd_pin_verify_parse(req, len, &v), -1);
}

static void
test_malformed(void **state)
{
	uint8_t req[MAXREQ];
	size_t n;
	static const uint8_t bad_lc[] = { 0x00, 0x20, 0x00, 0x00, 0x05, 0xFF, 0xFF, 0xFF, 0xFF,
		                          0xFF, 0xFF };
	static const uint8_t header_only[] = { 0x00, 0x20, 0x00, 0x00, 0x00 };
	static const uint8_t tpl_f2[] = { 0x00, 0x20, 0x00, 0x01, 0x08, 0x20, 0xFF, 0xFF, 0xFF,
		                          0xFF, 0xFF, 0xFF, 0xFF };

	(void)state;
	n = make_req(req, 0x81, 0x06, 0x00, 4, 12, purse_tpl, sizeof(purse_tpl));
	expect_refused(req, n - 1);             /* ulDataLength larger than what follows */
	expect_refused(req, n + 1);             /* ... smaller */
	expect_refused(req, 10);                /* header cut */
	expect_refused(req, 0);
	req[IFD_PIN_VERIFY_HEADER - 2] = 1;     /* ulDataLength 65547 */
	expect_refused(req, n);
	n = make_req(req, 0x81, 0x06, 0x00, 4, 12, bad_lc, sizeof(bad_lc));
	expect_refused(req, n);                 /* Lc is not the data length */
	n = make_req(req, 0x81, 0x06, 0x00, 4, 12, header_only, sizeof(header_only));
	expect_refused(req, n);                 /* no data field */
	n = make_req(req, 0x80, 0x06, 0x00, 4, 12, purse_tpl, sizeof(purse_tpl));
	expect_refused(req, n);                 /* binary digits */
	n = make_req(req, 0x83, 0x06, 0x00, 4, 12, purse_tpl, sizeof(purse_tpl));
	expect_refused(req, n);                 /* RFU format */
	n = make_req(req, 0x81, 0x06, 0x00, 0, 12, purse_tpl, sizeof(purse_tpl));
	expect_refused(req, n);                 /* min 0 */
	n = make_req(req, 0x81, 0x06, 0x00, 8, 6, purse_tpl, sizeof(purse_tpl));
	expect_refused(req, n);                 /* min > max */
	n = make_req(req, 0x81, 0x05, 0x00, 4, 12, purse_tpl, sizeof(purse_tpl));
	expect_refused(req, n);                 /* 12 BCD digits need 6 bytes */
	n = make_req(req, 0x81, 0x00, 0x00, 4, 12, purse_tpl, sizeof(purse_tpl));
	expect_refused(req, n);                 /* no block */
	n = make_req(req, 0x89, 0x06, 0x00, 4, 12, purse_tpl, sizeof(purse_tpl));
	expect_refused(req, n);                 /* block past the data field */
	n = make_req(req, 0x82, 0x06, 0x00, 4, 12, purse_tpl, sizeof(purse_tpl));
	expect_refused(req, n);                 /* 12 ASCII digits in 6 bytes */
	n = make_req(req, 0x81, 0x06, 0x20, 4, 12, purse_tpl, sizeof(purse_tpl));
	expect_refused(req, n);                 /* RFU bits of bmPINLengthFormat */
	n = make_req(req, 0x81, 0x06, 0x00, 4, 12, purse_tpl, sizeof(purse_tpl));
	req[7] = 0x00;
	expect_refused(req, n);                 /* no validation condition */
	req[7] = 0x08;
	expect_refused(req, n);
	n = make_req(req, 0x89, 0x37, 0x04, 4, 12, tpl_f2, sizeof(tpl_f2));
	expect_refused(req, n);                 /* 3-bit length field cannot say 12 */
	n = make_req(req, 0x89, 0x47, 0x0A, 4, 12, tpl_f2, sizeof(tpl_f2));
	expect_refused(req, n);                 /* length field inside the PIN block */
	n = make_req(req, 0x89, 0x47, 0x1F, 4, 12, tpl_f2, sizeof(tpl_f2));
	expect_refused(req, n);                 /* length field past the data field */
	assert_int_equal(ifd_pin_verify_parse(NULL, 0, NULL), -1);
}

static void
test_build_refuses(void **state)
{
	uint8_t req[MAXREQ], out[IFD_PIN_APDU_MAX];
	size_t n = make_req(req, 0x81, 0x06, 0x00, 4, 12, purse_tpl, sizeof(purse_tpl)), olen = 9;
	ifd_pin_verify_t v;

	(void)state;
	assert_int_equal(ifd_pin_verify_parse(req, n, &v), 0);
	assert_int_equal(ifd_pin_apdu_build(&v, "123", 3, out, sizeof(out), &olen), -1);
	assert_int_equal(olen, 0);
	assert_int_equal(ifd_pin_apdu_build(&v, "1234567890123", 13, out, sizeof(out), &olen), -1);
	assert_int_equal(ifd_pin_apdu_build(&v, "12a456", 6, out, sizeof(out), &olen), -1);
	assert_int_equal(ifd_pin_apdu_build(&v, "123456", 6, out, 10, &olen), -1);
	assert_int_equal(ifd_pin_apdu_build(&v, "123456", 6, out, sizeof(out), &olen), 0);
	assert_int_equal(olen, sizeof(purse_tpl));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_purse_parameters),
		cmocka_unit_test(test_right_justified_and_position),
		cmocka_unit_test(test_ascii),
		cmocka_unit_test(test_length_field),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_build_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
