/*
 * The card session against in-process fakes of the user card and the SAM (fault injection):
 * rights and selections are not repeated, a reset reported by the transport is redone, a
 * pulled card is not, malformed records and key failures give clear errors, and secure
 * messaging is laid out as card-profile.md §4 says (checked byte by byte in the fakes).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "apdu/transport.h"
#include "hcard_health.h"
#include "src/session_sec.h"
#include "tests/unit/fake_io.h"

typedef struct fake {
	/* card */
	unsigned n_select, n_auth, n_read, n_update;
	int fail_next_read;           /* an hc_err_t the next READ RECORD returns, once */
	uint16_t auth_sw;             /* answer to EXTERNAL AUTHENTICATE */
	uint8_t ef06[64];             /* DDF1/EF06 as READ RECORD all returns it */
	size_t ef06_len;
	uint8_t last_update[300];     /* the last UPDATE RECORD as received */
	size_t last_update_len;
	/* SAM */
	uint8_t sam_type;
	uint16_t session_key_sw;
	uint8_t last_mac_input[300];
	size_t last_mac_input_len;
} fake_t;

static const uint8_t atr[] = { 0x3B, 0x6C, 0x00, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 0x48, 0x43, 0x01, 0x00 };

/* DDF1/EF05 as the factory leaves it, with city 110100 */
static size_t
ef05(uint8_t *out)
{
	static const struct { uint8_t tag, len; } el[] = {
		{ 0x01, 1 }, { 0x02, 4 }, { 0x03, 30 }, { 0x04, 11 }, { 0x05, 180 }, { 0x06, 4 },
		{ 0x08, 18 }, { 0x09, 3 }, { 0x10, 10 }, { 0x57, 3 },
	};
	size_t i, n = 0;

	for (i = 0; i < sizeof(el) / sizeof(el[0]); i++) {
		out[n++] = el[i].tag;
		out[n++] = el[i].len;
		memset(out + n, el[i].tag == 0x04 || el[i].tag == 0x06 ? 0xFF : 0x00, el[i].len);
		if (el[i].tag == 0x57)
			memcpy(out + n, "\x11\x01\x00", 3);
		n += el[i].len;
	}
	return n;
}

static int
card_fn(void *arg, const uint8_t *cmd, size_t len, uint8_t *resp, size_t *resp_len)
{
	fake_t *f = arg;
	uint8_t buf[400];
	static const uint8_t chal[8] = { 9, 8, 7, 6, 5, 4, 3, 2 };
	int rc;

	(void)len;
	switch (cmd[1]) {
	case 0xA4:
		f->n_select++;
		return fake_reply(resp, resp_len, NULL, 0, 0x9000);
	case 0x84:
		return fake_reply(resp, resp_len, chal, 8, 0x9000);
	case 0x82:
		f->n_auth++;
		return fake_reply(resp, resp_len, NULL, 0, f->auth_sw);
	case 0xB2:
		f->n_read++;
		if (f->fail_next_read != HC_OK) {
			rc = f->fail_next_read;
			f->fail_next_read = HC_OK;
			return rc;
		}
		if ((cmd[3] >> 3) == 0x05)
			return fake_reply(resp, resp_len, buf, ef05(buf), 0x9000);
		if ((cmd[3] >> 3) == 0x06)
			return fake_reply(resp, resp_len, f->ef06, f->ef06_len, 0x9000);
		return fake_reply(resp, resp_len, NULL, 0, 0x6A83);
	case 0xDC:
		f->n_update++;
		f->last_update_len = len < sizeof(f->last_update) ? len : sizeof(f->last_update);
		memcpy(f->last_update, cmd, f->last_update_len);
		return fake_reply(resp, resp_len, NULL, 0, 0x9000);
	default:
		return fake_reply(resp, resp_len, NULL, 0, 0x6D00);
	}
}

/* "Encryption" of the fake SAM: every byte + 1, padded 80 00.. to 16 as the SAM does. */
static int
sam_fn(void *arg, const uint8_t *cmd, size_t len, uint8_t *resp, size_t *resp_len)
{
	fake_t *f = arg;
	uint8_t buf[300];
	size_t lc = len > 5 ? cmd[4] : 0, n, i;

	switch (cmd[1]) {
	case 0xA4:
	case 0x20:
		return fake_reply(resp, resp_len, NULL, 0, 0x9000);
	case 0xB0:
		if (cmd[2] == 0x95) {
			memcpy(buf, "SAM0000042", 10);
			buf[10] = f->sam_type;
			buf[11] = 1;
			buf[12] = buf[13] = 0;
			return fake_reply(resp, resp_len, buf, 14, 0x9000);
		}
		return fake_reply(resp, resp_len, (const uint8_t *)"\0\0\0\0\0\1", 6, 0x9000);
	case 0x84:
		return fake_reply(resp, resp_len, (const uint8_t *)"RANDOM!!", 8, 0x9000);
	case 0xDE:
		return fake_reply(resp, resp_len, NULL, 0, f->session_key_sw);
	case 0xFA:
		if (cmd[2] == 0x05) {
			f->last_mac_input_len = lc;
			memcpy(f->last_mac_input, cmd + 5, lc);
			return fake_reply(resp, resp_len, (const uint8_t *)"\xA1\xB2\xC3\xD4", 4, 0x9000);
		}
		for (i = 0; i < lc; i++)
			buf[i] = (uint8_t)(cmd[5 + i] + 1);
		n = lc;
		buf[n++] = 0x80;
		while (n % 16 != 0)
			buf[n++] = 0x00;
		if (lc % 16 == 0)
			n = lc;
		return fake_reply(resp, resp_len, buf, n, 0x9000);
	default:
		return fake_reply(resp, resp_len, NULL, 0, 0x6D00);
	}
}

typedef struct env {
	fake_t f;
	hc_ctx_t *ctx;
	hc_terminal_t *term;
	hc_card_t *card;
} env_t;

static int
setup(void **state)
{
	static env_t e;
	static const uint8_t holder[] = { 0x11, 0x1E };
	size_t n = 0;

	memset(&e, 0, sizeof(e));
	e.f.auth_sw = 0x9000;
	e.f.session_key_sw = 0x9000;
	e.f.sam_type = 5;
	memcpy(e.f.ef06, holder, 2);
	memcpy(e.f.ef06 + 2, "\xCD\xF5", 2);               /* 王 */
	n = 2 + 30;
	memcpy(e.f.ef06 + n, "\x12\x01\x01\x13\x01\x01\x14\x04\x19\x49\x12\x31\x15\x12", 14);
	n += 14;
	memcpy(e.f.ef06 + n, "11010519491231002X", 18);
	e.f.ef06_len = n + 18;
	if (hc_ctx_new(&e.ctx, "/dev/null") != HC_OK ||
	    hc_terminal_open_io(e.ctx, hc_inproc_new(sam_fn, &e.f, atr, sizeof(atr)), "12345678", &e.term) != HC_OK ||
	    hc_card_open_io(e.term, hc_inproc_new(card_fn, &e.f, atr, sizeof(atr)), &e.card) != HC_OK)
		return -1;
	*state = &e;
	return 0;
}

static int
teardown(void **state)
{
	env_t *e = *state;

	hc_card_close(&e->card);
	hc_terminal_close(&e->term);
	hc_ctx_free(&e->ctx);
	return 0;
}

static void
test_open_and_rights(void **state)
{
	env_t *e = *state;
	hc_cardholder_t ch;
	hc_issuer_t is;

	assert_memory_equal(hc_session_card_factor(e->card), atr + 4, 8);
	assert_memory_equal(hc_session_city_factor(e->card), "\x11\x01\x00\x30\x30\x30\x30\x30", 8);
	assert_int_equal(hc_read_issuer(e->card, &is), HC_OK);
	assert_string_equal(is.city_code, "110100");
	assert_int_equal(hc_read_cardholder(e->card, &ch), HC_OK);
	assert_string_equal(ch.name, "王");
	assert_string_equal(ch.id_number, "11010519491231002X");
	assert_int_equal(hc_read_cardholder(e->card, &ch), HC_OK);
	assert_int_equal(e->f.n_select, 1);          /* DDF1 once */
	assert_int_equal(e->f.n_auth, 1);            /* RK1 DDF1 once */
	assert_int_equal(e->f.n_read, 3);            /* EF05 at open, EF06 twice */
}

static void
test_reset_is_redone(void **state)
{
	env_t *e = *state;
	hc_cardholder_t ch;

	assert_int_equal(hc_read_cardholder(e->card, &ch), HC_OK);
	e->f.n_select = e->f.n_auth = 0;
	e->f.fail_next_read = HC_ERR_CARD_RESET;
	assert_int_equal(hc_read_cardholder(e->card, &ch), HC_OK);
	assert_string_equal(ch.name, "王");
	assert_int_equal(e->f.n_select, 1);          /* state dropped: selected and authenticated again */
	assert_int_equal(e->f.n_auth, 1);
	e->f.fail_next_read = HC_ERR_CARD_REMOVED;   /* a pulled card is reported, not retried */
	assert_int_equal(hc_read_cardholder(e->card, &ch), HC_ERR_CARD_REMOVED);
}

static void
test_malformed(void **state)
{
	env_t *e = *state;
	hc_cardholder_t ch;

	e->f.ef06[1] = 0x1D;                          /* name 29 bytes: not the profile's 30 */
	assert_int_equal(hc_read_cardholder(e->card, &ch), HC_ERR_MALFORMED_RESPONSE);
	assert_non_null(strstr(hc_card_error_detail(e->card), "the profile says 30"));
	e->f.ef06[1] = 0x1E;
	e->f.ef06_len = 40;                           /* truncated inside an element */
	assert_int_equal(hc_read_cardholder(e->card, &ch), HC_ERR_MALFORMED_RESPONSE);
	e->f.ef06_len = 32 + 14 + 18;
	e->f.ef06[2 + 30 + 8] = 0x1A;                 /* birth date with a nibble A */
	assert_int_equal(hc_read_cardholder(e->card, &ch), HC_ERR_MALFORMED_RESPONSE);
	assert_non_null(strstr(hc_card_error_detail(e->card), "birth date"));
}

static void
test_key_failures(void **state)
{
	env_t *e = *state;
	hc_clinical_t cl;

	e->f.auth_sw = 0x63C1;
	assert_int_equal(hc_read_clinical(e->card, &cl), HC_ERR_VERIFY_FAILED);
	assert_non_null(strstr(hc_card_error_detail(e->card), "RK1 DF02 refused: 1 tries left"));
	e->f.auth_sw = 0x6983;
	assert_int_equal(hc_read_clinical(e->card, &cl), HC_ERR_AUTH_BLOCKED);
	e->f.auth_sw = 0x9000;
	e->f.session_key_sw = 0x6A88;
	assert_int_equal(hc_read_clinical(e->card, &cl), HC_ERR_SAM_TYPE);
	e->f.session_key_sw = 0x9000;
}

/* §4 cipher + MAC: CLA 04, data = SM4_S(L ‖ tag len value, padded) ‖ MAC4; MAC over
 * IV 00x16 ‖ CLA INS P1 P2 Lc ‖ data without the MAC. */
static void
test_secure_messaging_layout(void **state)
{
	env_t *e = *state;
	hc_validity_t v;
	const uint8_t *u = e->f.last_update, *m = e->f.last_mac_input;
	uint8_t expect[32];
	size_t i;

	memset(&v, 0, sizeof(v));
	v.payment[0] = v.payment[1] = v.payment[2] = -1;
	strcpy(v.expiry, "20991231");
	assert_int_equal(hc_write_validity(e->card, &v), HC_OK);
	assert_int_equal(e->f.n_update, 6);           /* every element of EF08 */
	/* the last element written: tag 20, payment method 3, empty (FF): L = 3 */
	assert_int_equal(u[0], 0x04);
	assert_int_equal(u[1], 0xDC);
	assert_int_equal(u[2], 0x20);                 /* P1 = tag */
	assert_int_equal(u[3], 0x08 << 3);            /* P2 = SFI 8, b3-b1 000 */
	assert_int_equal(u[4], 16 + 4);
	expect[0] = 3 + 1;                            /* the fake SAM adds 1 to every byte */
	expect[1] = 0x20 + 1;
	expect[2] = 0x01 + 1;
	expect[3] = 0x00;                             /* 0xFF + 1 */
	expect[4] = 0x80;
	for (i = 5; i < 16; i++)
		expect[i] = 0;
	assert_memory_equal(u + 5, expect, 16);
	assert_memory_equal(u + 21, "\xA1\xB2\xC3\xD4", 4);
	assert_int_equal(e->f.last_update_len, 25);
	assert_int_equal(e->f.last_mac_input_len, 16 + 5 + 16);
	for (i = 0; i < 16; i++)
		assert_int_equal(m[i], 0);
	assert_memory_equal(m + 16, u, 5);            /* header as sent, Lc counting the MAC */
	assert_memory_equal(m + 21, u + 5, 16);
}

static void
test_sam_type_before_sending(void **state)
{
	env_t *e = *state;
	hc_cardholder_t ch;
	unsigned long c0, s0, c1, s1;

	memset(&ch, 0, sizeof(ch));
	ch.ethnicity = -1;
	e->f.sam_type = 1;                            /* only read at terminal open: reopen */
	{
		hc_terminal_t *t = NULL;
		hc_card_t *c = NULL;

		assert_int_equal(hc_terminal_open_io(e->ctx, hc_inproc_new(sam_fn, &e->f, atr, sizeof(atr)), "12345678", &t), HC_OK);
		assert_int_equal(hc_card_open_io(t, hc_inproc_new(card_fn, &e->f, atr, sizeof(atr)), &c), HC_OK);
		hc_card_apdu_counts(c, &c0, &s0);
		assert_int_equal(hc_write_cardholder(c, &ch), HC_ERR_SAM_TYPE);
		assert_string_equal(hc_card_error_detail(c),
		    "this SAM (type 1) holds no UK1 DDF1 key: writing issuer and cardholder data needs a type 5 SAM");
		hc_card_apdu_counts(c, &c1, &s1);
		assert_int_equal(c1, c0);
		assert_int_equal(s1, s0);
		hc_card_close(&c);
		hc_terminal_close(&t);
	}
	e->f.sam_type = 5;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_and_rights, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_is_redone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_secure_messaging_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sam_type_before_sending, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
