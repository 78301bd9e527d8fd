/*
 * The terminal's own SAM calls (hc_terminal_sam_certificate, _change_sam_pin, _sam_sign_hash)
 * against an in-process fake SAM (fault injection): the commands byte by byte as
 * card-profile.md §4 and national-api.md [PC] lay them out, nothing selected or verified
 * twice, formats refused before anything is sent, malformed answers and refusals as clear
 * errors, a reset redone once with the kept (changed) PIN. The simulator counterpart, through
 * pcscd, is tests/integration/test_compat_sam.
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
#include "hcard.h"
#include "src/session_sec.h"

enum { DF_MF, DF_01 };

typedef struct fake {
	int df, pin_ok, tries;
	char pin[20];
	size_t cert_len, sig_len;     /* lengths the SAM answers with (faults: not 190 / 64) */
	uint16_t cert_sw;
	int fail_next;                /* an hc_err_t the transport reports for the next command */
	unsigned n_cmds;
	uint8_t last[300];            /* the last command as received */
	size_t last_len;
} fake_t;

static const uint8_t atr[] = { 0x3B, 0x6C, 0x00, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 0x48, 0x43, 0x53, 0x01 };

/* A SAM of card-profile.md §4, small: MF/DF01, EF0015, EF0017, VERIFY, CHANGE, 80 F4. */
static uint16_t
sam_answer(fake_t *f, const uint8_t *cmd, size_t len, uint8_t *data, size_t *n)
{
	size_t lc = len > 5 ? cmd[4] : 0, i;

	*n = 0;
	switch (cmd[1]) {
	case 0xA4:
		f->df = cmd[5] == 0xDF ? DF_01 : DF_MF;
		return 0x9000;
	case 0x20:
		if (f->tries == 0)
			return 0x6983;
		if (lc == strlen(f->pin) && memcmp(cmd + 5, f->pin, lc) == 0) {
			f->pin_ok = 1;
			f->tries = 3;
			return 0x9000;
		}
		f->pin_ok = 0;
		return (uint16_t)(0x63C0 | --f->tries);
	case 0x24:
		if (f->tries == 0)
			return 0x6983;
		if (lc <= strlen(f->pin))
			return 0x6700;
		if (memcmp(cmd + 5, f->pin, strlen(f->pin)) != 0) {
			f->pin_ok = 0;
			return (uint16_t)(0x63C0 | --f->tries);
		}
		i = strlen(f->pin);
		memcpy(f->pin, cmd + 5 + i, lc - i);
		f->pin[lc - i] = '\0';
		f->pin_ok = 1;
		return 0x9000;
	case 0xB0:
		if (cmd[2] == 0x95) {              /* EF0015: serial, type 5, key version 1 */
			memcpy(data, "FAKESAM001\x05\x01\0\0", 14);
			*n = 14;
			return 0x9000;
		}
		if (cmd[2] != 0x97 || f->df != DF_01)
			return 0x6A82;
		for (i = 0; i < f->cert_len; i++)
			data[i] = (uint8_t)i;
		*n = f->cert_len;
		return f->cert_sw;
	case 0xF4:
		if (f->df != DF_01)
			return 0x6985;
		if (!f->pin_ok)
			return 0x6982;
		for (i = 0; i < f->sig_len; i++)        /* "signature": the hash twice */
			data[i] = cmd[5 + i % 32];
		*n = f->sig_len;
		return 0x9000;
	default:
		return 0x6D00;
	}
}

static int
sam_fn(void *arg, const uint8_t *cmd, size_t len, uint8_t *resp, size_t *resp_len)
{
	fake_t *f = arg;
	uint16_t sw;
	size_t n = 0;
	int rc;

	f->n_cmds++;
	f->last_len = len < sizeof(f->last) ? len : sizeof(f->last);
	memcpy(f->last, cmd, f->last_len);
	if ((rc = f->fail_next) != HC_OK) {
		f->fail_next = HC_OK;
		if (rc == HC_ERR_CARD_RESET) {     /* as a reset by another program: state gone */
			f->df = DF_MF;
			f->pin_ok = 0;
		}
		return rc;
	}
	sw = sam_answer(f, cmd, len, resp, &n);
	resp[n] = (uint8_t)(sw >> 8);
	resp[n + 1] = (uint8_t)(sw & 0xFF);
	*resp_len = n + 2;
	return HC_OK;
}

typedef struct env {
	fake_t f;
	hc_ctx_t *ctx;
	hc_terminal_t *term;
} env_t;

static int
setup(void **state)
{
	static env_t e;

	memset(&e, 0, sizeof(e));
	strcpy(e.f.pin, "12345678");
	e.f.tries = 3;
	e.f.cert_len = 190;
	e.f.cert_sw = 0x9000;
	e.f.sig_len = 64;
	if (hc_ctx_new(&e.ctx, "/dev/null") != HC_OK ||
	    hc_terminal_open_io(e.ctx, hc_inproc_new(sam_fn, &e.f, atr, sizeof(atr)), "12345678",
	                        &e.term) != HC_OK)
		return -1;
	*state = &e;
	return 0;
}

static int
teardown(void **state)
{
	env_t *e = *state;

	hc_terminal_close(&e->term);
	hc_ctx_free(&e->ctx);
	return 0;
}

static void
test_certificate(void **state)
{
	static const uint8_t read_cert[] = { 0x00, 0xB0, 0x97, 0x00, 0xBE };
	env_t *e = *state;
	uint8_t cert[HC_SAM_CERT_LEN];
	unsigned before = e->f.n_cmds;
	size_t i;

	/* the terminal left DF01 current after its PIN: one READ BINARY, SFI 17, Le BE */
	assert_int_equal(hc_terminal_sam_certificate(e->term, cert), HC_OK);
	assert_int_equal(e->f.n_cmds - before, 1);
	assert_int_equal(e->f.last_len, sizeof(read_cert));
	assert_memory_equal(e->f.last, read_cert, sizeof(read_cert));
	for (i = 0; i < sizeof(cert); i++)
		assert_int_equal(cert[i], (uint8_t)i);
	assert_int_equal(hc_terminal_sam_certificate(NULL, cert), HC_ERR_INVALID_ARGUMENT);
	assert_int_equal(hc_terminal_sam_certificate(e->term, NULL), HC_ERR_INVALID_ARGUMENT);
	/* a short or long answer is the SAM's fault, said so */
	e->f.cert_len = 189;
	assert_int_equal(hc_terminal_sam_certificate(e->term, cert), HC_ERR_SAM);
	assert_non_null(strstr(hc_ctx_error_detail(e->ctx), "189 bytes"));
	e->f.cert_len = 200;
	assert_int_equal(hc_terminal_sam_certificate(e->term, cert), HC_ERR_SAM);
	e->f.cert_len = 0;
	e->f.cert_sw = 0x6A82;
	assert_int_equal(hc_terminal_sam_certificate(e->term, cert), HC_ERR_FILE_NOT_FOUND);
	e->f.cert_len = 190;
	e->f.cert_sw = 0x9000;
	/* a warm reset the terminal did not see (MF current, PIN forgotten): 6A82 while it
	 * believed DF01 current, so verified, selected and read again, once */
	e->f.df = DF_MF;
	e->f.pin_ok = 0;
	before = e->f.n_cmds;
	assert_int_equal(hc_terminal_sam_certificate(e->term, cert), HC_OK);
	assert_int_equal(e->f.n_cmds - before, 5);      /* B0, VERIFY, SELECT MF, DF01, B0 */
	assert_int_equal(e->f.pin_ok, 1);
}

static void
test_sign(void **state)
{
	env_t *e = *state;
	uint8_t hash[32], sig[HC_SAM_SIG_LEN];
	unsigned before;
	size_t i;

	for (i = 0; i < sizeof(hash); i++)
		hash[i] = (uint8_t)(0xA0 + i);
	before = e->f.n_cmds;
	assert_int_equal(hc_terminal_sam_sign_hash(e->term, hash, sig), HC_OK);
	assert_int_equal(e->f.n_cmds - before, 1);
	/* 80 F4 00 00 20 hash 40 */
	assert_int_equal(e->f.last_len, 5 + 32 + 1);
	assert_memory_equal(e->f.last, "\x80\xF4\x00\x00\x20", 5);
	assert_memory_equal(e->f.last + 5, hash, 32);
	assert_int_equal(e->f.last[37], 0x40);
	assert_memory_equal(sig, hash, 32);
	assert_memory_equal(sig + 32, hash, 32);
	assert_int_equal(hc_terminal_sam_sign_hash(e->term, NULL, sig), HC_ERR_INVALID_ARGUMENT);
	assert_int_equal(hc_terminal_sam_sign_hash(e->term, hash, NULL), HC_ERR_INVALID_ARGUMENT);
	/* a signature of another length is refused */
	e->f.sig_len = 63;
	assert_int_equal(hc_terminal_sam_sign_hash(e->term, hash, sig), HC_ERR_SAM);
	e->f.sig_len = 64;

	/* the SAM lost PIN and DF behind the terminal's back (no reset reported): refused with
	 * 6985, then verified, selected and signed again, once */
	e->f.df = DF_MF;
	e->f.pin_ok = 0;
	before = e->f.n_cmds;
	assert_int_equal(hc_terminal_sam_sign_hash(e->term, hash, sig), HC_OK);
	assert_int_equal(e->f.n_cmds - before, 5);      /* F4, VERIFY, SELECT MF, DF01, F4 */
	/* a reset PC/SC reports: nothing was sent, done again from scratch */
	e->f.fail_next = HC_ERR_CARD_RESET;
	before = e->f.n_cmds;
	assert_int_equal(hc_terminal_sam_sign_hash(e->term, hash, sig), HC_OK);
	assert_int_equal(e->f.n_cmds - before, 5);      /* (reset), VERIFY, MF, DF01, F4 */
	/* a card pulled is not redone */
	e->f.fail_next = HC_ERR_CARD_REMOVED;
	before = e->f.n_cmds;
	assert_int_equal(hc_terminal_sam_sign_hash(e->term, hash, sig), HC_ERR_CARD_REMOVED);
	assert_int_equal(e->f.n_cmds - before, 1);
}

static void
test_change_pin(void **state)
{
	static const char *const bad[] = { "12345", "123456789", "1234567a", "", " 123456", "12345678\n" };
	env_t *e = *state;
	uint8_t hash[32] = { 1 }, sig[HC_SAM_SIG_LEN];
	unsigned before = e->f.n_cmds;
	size_t i;
	int tries = 99;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(hc_terminal_change_sam_pin(e->term, bad[i], "654321", &tries), HC_ERR_PIN_FORMAT);
		assert_int_equal(tries, -1);
		assert_int_equal(hc_terminal_change_sam_pin(e->term, "12345678", bad[i], NULL), HC_ERR_PIN_FORMAT);
	}
	assert_int_equal(hc_terminal_change_sam_pin(e->term, NULL, "654321", &tries), HC_ERR_INVALID_ARGUMENT);
	assert_int_equal(hc_terminal_change_sam_pin(e->term, "12345678", NULL, &tries), HC_ERR_INVALID_ARGUMENT);
	assert_int_equal(e->f.n_cmds, before);           /* nothing sent */

	/* wrong: 63C2 → tries 2; the command is 00 24 00 00 Lc old || new */
	assert_int_equal(hc_terminal_change_sam_pin(e->term, "87654321", "654321", &tries), HC_ERR_SAM_PIN);
	assert_int_equal(tries, 2);
	assert_int_equal(e->f.last_len, 5 + 14);
	assert_memory_equal(e->f.last, "\x00\x24\x00\x00\x0E" "87654321" "654321", 19);
	/* right: one command, the kept PIN becomes the new one */
	before = e->f.n_cmds;
	assert_int_equal(hc_terminal_change_sam_pin(e->term, "12345678", "654321", &tries), HC_OK);
	assert_int_equal(e->f.n_cmds - before, 1);
	assert_string_equal(e->f.pin, "654321");
	/* after a reset the terminal verifies the new PIN */
	e->f.fail_next = HC_ERR_CARD_RESET;
	assert_int_equal(hc_terminal_sam_sign_hash(e->term, hash, sig), HC_OK);
	/* a SAM that takes the old PIN as of another length (6700): SAM_PIN, no tries known */
	assert_int_equal(hc_terminal_change_sam_pin(e->term, "123456", "7", &tries), HC_ERR_PIN_FORMAT);
	e->f.tries = 3;
	strcpy(e->f.pin, "1234567890123456");             /* as long as old || new: 6700 */
	assert_int_equal(hc_terminal_change_sam_pin(e->term, "654321", "123456", &tries), HC_ERR_SAM_PIN);
	assert_int_equal(tries, -1);
	strcpy(e->f.pin, "654321");
	/* blocked: tries 0 */
	e->f.tries = 0;
	assert_int_equal(hc_terminal_change_sam_pin(e->term, "654321", "12345678", &tries), HC_ERR_SAM_PIN);
	assert_int_equal(tries, 0);
	assert_non_null(strstr(hc_ctx_error_detail(e->ctx), "blocked"));
	e->f.tries = 3;
	assert_int_equal(hc_terminal_change_sam_pin(e->term, "654321", "12345678", &tries), HC_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_certificate),
		cmocka_unit_test(test_sign),
		cmocka_unit_test(test_change_pin),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
