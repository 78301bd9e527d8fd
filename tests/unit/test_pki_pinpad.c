/*
 * hc_pki_verify_pin_pad (hcard_pki.h) through the in-process transport: a fake card with the
 * one cardholder PIN (purse.md: 123456, 3 tries, VERIFY without data for the status) behind
 * a fake PIN-pad reader that builds the VERIFY from the PC/SC part 10 structure. Checks the
 * APDUs sent (SELECT PKI once, the status, the pad's VERIFY), tries left, a blocked PIN
 * reported without asking the pad, cancel / timeout / bad length leaving the card untouched,
 * a reader without pad, and a reset reported by the reader.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hcard_pki.h"
#include "apdu/transport.h"
#include "src/session_sec.h"
#include "tests/unit/fake_io.h"

typedef struct fake {
	int tries;
	int verified;
	unsigned n_select_pki, n_status, n_verify, n_pad;
	const char *typed;              /* digits, "cancel", "timeout" */
	int reader_rc;                  /* the reader's control fails with this */
} fake_t;

static const uint8_t pki_aid[] = { 0xF0, 0x48, 0x43, 0x41, 0x52, 0x44, 0x50, 0x4B, 0x49 };

static uint16_t
pin_status(const fake_t *f)
{
	if (f->tries == 0)
		return 0x6983;
	return f->verified ? 0x9000 : (uint16_t)(0x63C0 | f->tries);
}

static int
card_fn(void *arg, const uint8_t *cmd, size_t len, uint8_t *resp, size_t *resp_len)
{
	static const uint8_t pin[6] = { 0x12, 0x34, 0x56, 0xFF, 0xFF, 0xFF };
	fake_t *f = arg;

	switch (cmd[1]) {
	case 0xA4:
		if (len == 5 + sizeof(pki_aid) && memcmp(cmd + 5, pki_aid, sizeof(pki_aid)) == 0)
			f->n_select_pki++;
		return fake_reply(resp, resp_len, NULL, 0, 0x9000);
	case 0xB2:              /* DDF1/EF05 with the city code (hc_card_open) */
		return fake_reply(resp, resp_len, (const uint8_t *)"\x57\x03\x11\x01\x00", 5, 0x9000);
	case 0x20:
		if (len == 4) {
			f->n_status++;
			return fake_reply(resp, resp_len, NULL, 0, pin_status(f));
		}
		f->n_verify++;
		assert_int_equal(len, 11);
		if (f->tries == 0)
			return fake_reply(resp, resp_len, NULL, 0, 0x6983);
		if (memcmp(cmd + 5, pin, 6) == 0) {
			f->tries = 3;
			f->verified = 1;
		} else {
			f->tries--;
			f->verified = 0;
		}
		return fake_reply(resp, resp_len, NULL, 0, pin_status(f));
	default:
		return fake_reply(resp, resp_len, NULL, 0, 0x6D00);
	}
}

/* The reader: the typed digits into the template's block (bmFormatString 81, BCD). */
static int
pad_fn(void *arg, const uint8_t *v, size_t n, uint8_t *resp, size_t *resp_len)
{
	fake_t *f = arg;
	uint8_t apdu[64];
	size_t digits, i, data_len;

	f->n_pad++;
	if (f->reader_rc != HC_OK)
		return f->reader_rc;
	assert_true(n > 19 && n - 19 <= sizeof(apdu));
	data_len = n - 19;
	assert_int_equal(v[15], data_len);
	assert_int_equal(v[0], HC_PKI_PINPAD_TIMEOUT_S);
	memcpy(apdu, v + 19, data_len);
	if (strcmp(f->typed, "cancel") == 0)
		return fake_reply(resp, resp_len, NULL, 0, 0x6401);
	if (strcmp(f->typed, "timeout") == 0)
		return fake_reply(resp, resp_len, NULL, 0, 0x6400);
	digits = strlen(f->typed);
	if (digits < v[6] || digits > v[5])
		return fake_reply(resp, resp_len, NULL, 0, 0x6403);
	for (i = 0; i < digits; i++) {
		uint8_t d = (uint8_t)(f->typed[i] - '0');

		apdu[5 + i / 2] = i % 2 == 0 ? (uint8_t)(d << 4 | 0x0F)
		                             : (uint8_t)((apdu[5 + i / 2] & 0xF0) | d);
	}
	return card_fn(f, apdu, data_len, resp, resp_len);
}

typedef struct env {
	fake_t f;
	fake_env_t io;
} env_t;

static int
open_env(env_t *e, int with_pad)
{
	hc_transport_t *io;

	memset(e, 0, sizeof(*e));
	e->f.tries = 3;
	e->f.typed = "123456";
	if ((io = fake_card_io(card_fn, &e->f)) == NULL)
		return -1;
	if (with_pad && hc_inproc_set_pinpad(io, pad_fn, &e->f) != HC_OK) {
		hc_transport_free(&io);
		return -1;
	}
	return fake_open(&e->io, io);
}

static int
setup_pad(void **state)
{
	static env_t e;

	*state = &e;
	return open_env(&e, 1);
}

static int
setup_no_pad(void **state)
{
	static env_t e;

	*state = &e;
	return open_env(&e, 0);
}

static int
teardown(void **state)
{
	env_t *e = *state;

	fake_close(&e->io);
	return 0;
}

static unsigned long
card_apdus(const env_t *e)
{
	unsigned long c = 0, s = 0;

	hc_card_apdu_counts(e->io.card, &c, &s);
	return c;
}

static void
test_pad_login(void **state)
{
	env_t *e = *state;
	unsigned long before;
	int has = 0, tries = 0;

	assert_int_equal(hc_pki_has_pinpad(e->io.card, &has), HC_OK);
	assert_int_equal(has, 1);
	before = card_apdus(e);
	assert_int_equal(hc_pki_verify_pin_pad(e->io.card, &tries), HC_OK);
	assert_int_equal(e->f.verified, 1);
	/* SELECT PKI, status VERIFY, the pad's VERIFY */
	assert_int_equal(card_apdus(e) - before, 3);
	assert_int_equal(e->f.n_select_pki, 1);
	assert_int_equal(e->f.n_status, 1);
	assert_int_equal(e->f.n_pad, 1);
	assert_int_equal(e->f.n_verify, 1);
	/* PKI current: no second SELECT */
	before = card_apdus(e);
	assert_int_equal(hc_pki_verify_pin_pad(e->io.card, &tries), HC_OK);
	assert_int_equal(card_apdus(e) - before, 2);
	assert_int_equal(e->f.n_select_pki, 1);
}

static void
test_pad_wrong_then_blocked(void **state)
{
	env_t *e = *state;
	int tries = 0;

	e->f.typed = "654321";
	assert_int_equal(hc_pki_verify_pin_pad(e->io.card, &tries), HC_ERR_PIN_WRONG);
	assert_int_equal(tries, 2);
	assert_int_equal(hc_pki_verify_pin_pad(e->io.card, &tries), HC_ERR_PIN_WRONG);
	assert_int_equal(tries, 1);
	assert_int_equal(hc_pki_verify_pin_pad(e->io.card, &tries), HC_ERR_PIN_BLOCKED);
	assert_int_equal(tries, 0);
	assert_int_equal(e->f.n_pad, 3);
	/* blocked: the status says so, the cardholder is not asked to type */
	e->f.typed = "123456";
	assert_int_equal(hc_pki_verify_pin_pad(e->io.card, &tries), HC_ERR_PIN_BLOCKED);
	assert_int_equal(tries, 0);
	assert_int_equal(e->f.n_pad, 3);
	assert_int_equal(e->f.n_verify, 3);
}

static void
test_pad_reader_ends(void **state)
{
	const struct { const char *typed; int err; } cases[] = {
		{ "cancel", HC_ERR_PINPAD_CANCELLED },
		{ "timeout", HC_ERR_PINPAD_TIMEOUT },
		{ "12", HC_ERR_PINPAD_LENGTH },
	};
	env_t *e = *state;
	size_t i;
	int tries = 7;

	e->f.tries = 2;             /* one wrong PIN before: the counter must stay at 2 */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		e->f.typed = cases[i].typed;
		assert_int_equal(hc_pki_verify_pin_pad(e->io.card, &tries), cases[i].err);
	}
	assert_int_equal(e->f.n_verify, 0);
	assert_int_equal(e->f.tries, 2);
	assert_int_equal(e->f.verified, 0);
	/* then the right PIN */
	e->f.typed = "123456";
	assert_int_equal(hc_pki_verify_pin_pad(e->io.card, &tries), HC_OK);
	assert_int_equal(e->f.tries, 3);
}

static void
test_pad_reset_by_reader(void **state)
{
	env_t *e = *state;

	e->f.reader_rc = HC_ERR_CARD_RESET;
	assert_int_equal(hc_pki_verify_pin_pad(e->io.card, NULL), HC_ERR_CARD_RESET);
	/* the session forgot the selection: the next verify selects PKI again */
	e->f.reader_rc = HC_OK;
	assert_int_equal(hc_pki_verify_pin_pad(e->io.card, NULL), HC_OK);
	assert_int_equal(e->f.n_select_pki, 2);
}

static void
test_no_pad(void **state)
{
	env_t *e = *state;
	unsigned long before = card_apdus(e);
	int has = 1, tries = 7;

	assert_int_equal(hc_pki_has_pinpad(e->io.card, &has), HC_OK);
	assert_int_equal(has, 0);
	assert_int_equal(hc_pki_verify_pin_pad(e->io.card, &tries), HC_ERR_NO_PINPAD);
	assert_int_equal(tries, -1);
	assert_int_equal(card_apdus(e), before);
	assert_int_equal(hc_pki_has_pinpad(NULL, &has), HC_ERR_INVALID_ARGUMENT);
	assert_int_equal(hc_pki_verify_pin_pad(NULL, &tries), HC_ERR_INVALID_ARGUMENT);
	/* the keyboard path still works */
	assert_int_equal(hc_pki_verify_pin(e->io.card, "123456", &tries), HC_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pad_login, setup_pad, teardown),
		cmocka_unit_test_setup_teardown(test_pad_wrong_then_blocked, setup_pad, teardown),
		cmocka_unit_test_setup_teardown(test_pad_reader_ends, setup_pad, teardown),
		cmocka_unit_test_setup_teardown(test_pad_reset_by_reader, setup_pad, teardown),
		cmocka_unit_test_setup_teardown(test_no_pad, setup_no_pad, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
