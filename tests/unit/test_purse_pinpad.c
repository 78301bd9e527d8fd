/*
 * The cardholder PIN on a reader's PIN pad (purse.md "Cardholder PIN", "PIN pads"):
 * hc_purse_verify_pin_pad, charges and loads with the PIN typed on the pad.
 *
 * The user card and the SAM/PSAM are the simulator's card operating system run in-process
 * (sim_dispatch behind in-process transports): the card enforces the PIN, its tries and the
 * purse rules exactly as through pcscd. The fake reader's pad (hc_inproc_set_pinpad) does
 * what a CCID reader does with FEATURE_VERIFY_PIN_DIRECT: it checks the PIN_VERIFY_STRUCTURE
 * against purse.md's parameters byte by byte, puts the "typed" digits into the APDU template
 * (BCD, left-justified, F-padded) and sends it to the card, or answers 6401 (cancel key) or
 * 6400 (timeout) itself. Balances are read from the simulator's state, the journal with
 * SQLite directly: nothing of the expected results comes from the code under test.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "hcard_purse.h"
#include "apdu/transport.h"
#include "src/session_sec.h"
#include "src/store.h"
#include "sim/card.h"
#include "sim/module.h"
#include "sim/profile.h"
#include "sim/purse.h"

#define FACTORY_PIN "123456"
#define ED_START 50000u

typedef struct fixture {
	sim_card_t *user, *sam;
	uint8_t resp[65538];
	char dir[64], db[128], keyset[512];
	/* the pad: what the cardholder "types" next ("cancel", "timeout" or digits) */
	const char *keys;
	unsigned pad_calls;
	unsigned card_apdus;          /* APDUs the user card received (pad VERIFY included) */
	unsigned ins_count[256];      /* per INS, user card */
	unsigned sam_apdus;
	hc_ctx_t *ctx;
	hc_terminal_t *term;
	hc_card_t *card;
	hc_store_t *store;
	hc_purse_t *purse;
	hc_purse_issuer_t *issuer;
} fixture_t;

static int
dispatch(fixture_t *fx, sim_card_t *c, const uint8_t *cmd, size_t len, uint8_t *resp,
    size_t *resp_len)
{
	size_t n = sim_dispatch(c, cmd, len, fx->resp, sizeof(fx->resp));

	if (n > *resp_len)
		return HC_ERR_BUFFER_TOO_SMALL;
	memcpy(resp, fx->resp, n);
	*resp_len = n;
	return HC_OK;
}

static int
card_fn(void *arg, const uint8_t *cmd, size_t len, uint8_t *resp, size_t *resp_len)
{
	fixture_t *fx = arg;

	fx->card_apdus++;
	if (len >= 2)
		fx->ins_count[cmd[1]]++;
	return dispatch(fx, fx->user, cmd, len, resp, resp_len);
}

static int
sam_fn(void *arg, const uint8_t *cmd, size_t len, uint8_t *resp, size_t *resp_len)
{
	fixture_t *fx = arg;

	fx->sam_apdus++;
	return dispatch(fx, fx->sam, cmd, len, resp, resp_len);
}

static int
reader_sw(uint8_t *resp, size_t *resp_len, uint16_t sw)
{
	resp[0] = (uint8_t)(sw >> 8);
	resp[1] = (uint8_t)sw;
	*resp_len = 2;
	return HC_OK;
}

/* The reader: PC/SC part 10 PIN_VERIFY_STRUCTURE, 19 bytes then the APDU template. */
static int
pad_fn(void *arg, const uint8_t *v, size_t len, uint8_t *resp, size_t *resp_len)
{
	static const uint8_t template[] = { 0x00, 0x20, 0x00, 0x00, 0x06,
	    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
	fixture_t *fx = arg;
	uint8_t apdu[sizeof(template)];
	size_t i, nd;

	fx->pad_calls++;
	/* purse.md "PIN pads": bmFormatString 81, bmPINBlockString 06, bmPINLengthFormat 00,
	 * wPINMaxExtraDigit 040C (little-endian), ulDataLength = template length */
	assert_int_equal(len, 19 + sizeof(template));
	assert_int_equal(v[2], 0x81);
	assert_int_equal(v[3], 0x06);
	assert_int_equal(v[4], 0x00);
	assert_int_equal(v[5], 0x0C);
	assert_int_equal(v[6], 0x04);
	assert_int_equal(v[15], sizeof(template));
	assert_int_equal(v[16] | v[17] | v[18], 0);
	assert_memory_equal(v + 19, template, sizeof(template));
	assert_non_null(fx->keys);
	if (strcmp(fx->keys, "cancel") == 0)
		return reader_sw(resp, resp_len, 0x6401);
	if (strcmp(fx->keys, "timeout") == 0)
		return reader_sw(resp, resp_len, 0x6400);
	if (strncmp(fx->keys, "sw:", 3) == 0)        /* what a card answered, injected */
		return reader_sw(resp, resp_len, (uint16_t)strtoul(fx->keys + 3, NULL, 16));
	nd = strlen(fx->keys);
	if (nd < v[6] || nd > v[5])
		return reader_sw(resp, resp_len, 0x6403);
	/* 81: byte units, PIN at offset 0 of the block, left-justified, BCD; the rest stays FF */
	memcpy(apdu, template, sizeof(apdu));
	for (i = 0; i < nd; i++) {
		uint8_t d = (uint8_t)(fx->keys[i] - '0');
		uint8_t *b = &apdu[5 + i / 2];

		*b = (i % 2 == 0) ? (uint8_t)((d << 4) | (*b & 0x0F)) : (uint8_t)((*b & 0xF0) | d);
	}
	return card_fn(fx, apdu, sizeof(apdu), resp, resp_len);
}

static fixture_t *
open_fixture(int with_pad)
{
	fixture_t *fx = calloc(1, sizeof(*fx));
	const char *top = getenv("top_srcdir");
	sim_factory_opts_t o;
	hc_transport_t *card_io, *sam_io;
	char ed[16];

	assert_non_null(fx);
	snprintf(fx->keyset, sizeof(fx->keyset), "%s/sim/demo.keyset", top != NULL ? top : ".");
	snprintf(ed, sizeof(ed), "%u", ED_START);
	memset(&o, 0, sizeof(o));
	o.name[0] = "keyset";   o.value[0] = fx->keyset;
	o.name[1] = "purse-ed"; o.value[1] = ed;
	o.n = 2;
	fx->user = sim_factory(SIM_CARD_USER, &o);
	fx->sam = sim_factory(SIM_CARD_SAM, &o);
	assert_non_null(fx->user);
	assert_non_null(fx->sam);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/hcard-pinpad.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->db, sizeof(fx->db), "%s/j.db", fx->dir);
	{
		char uri[160];

		snprintf(uri, sizeof(uri), "sqlite:%s", fx->db);
		assert_int_equal(hc_store_open(uri, &fx->store), HC_OK);
	}
	assert_int_equal(hc_purse_issuer_open(fx->keyset, &fx->issuer), HC_OK);
	card_io = hc_inproc_new(card_fn, fx, fx->user->atr, fx->user->atr_len);
	sam_io = hc_inproc_new(sam_fn, fx, fx->sam->atr, fx->sam->atr_len);
	assert_non_null(card_io);
	assert_non_null(sam_io);
	if (with_pad)
		assert_int_equal(hc_inproc_set_pinpad(card_io, pad_fn, fx), HC_OK);
	assert_int_equal(hc_ctx_new(&fx->ctx, "/dev/null"), HC_OK);
	assert_int_equal(hc_terminal_open_io(fx->ctx, sam_io, "12345678", &fx->term), HC_OK);
	assert_int_equal(hc_card_open_io(fx->term, card_io, &fx->card), HC_OK);
	assert_int_equal(hc_purse_open(fx->card, fx->store, &fx->purse), HC_OK);
	return fx;
}

static int
setup_pad(void **state)
{
	*state = open_fixture(1);
	return 0;
}

static int
setup_no_pad(void **state)
{
	*state = open_fixture(0);
	return 0;
}

static int
teardown(void **state)
{
	fixture_t *fx = *state;
	char path[160];

	hc_purse_free(&fx->purse);
	hc_card_close(&fx->card);
	hc_terminal_close(&fx->term);
	hc_ctx_free(&fx->ctx);
	hc_store_close(&fx->store);
	hc_purse_issuer_free(&fx->issuer);
	sim_card_free(&fx->user);
	sim_card_free(&fx->sam);
	snprintf(path, sizeof(path), "%s-wal", fx->db);
	(void)unlink(path);
	snprintf(path, sizeof(path), "%s-shm", fx->db);
	(void)unlink(path);
	(void)unlink(fx->db);
	(void)rmdir(fx->dir);
	free(fx);
	return 0;
}

/* ---- independent views: the card's state, the journal's rows ---------------------------- */

static uint32_t
sim_balance(fixture_t *fx, unsigned ledger)
{
	sim_purse_state_t *st = sim_purse_state(fx->user);

	assert_non_null(st);
	return st->led[ledger].balance;
}

static unsigned
sim_tries(fixture_t *fx)
{
	return sim_purse_state(fx->user)->pin_tries;
}

static int64_t
journal_rows(fixture_t *fx)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t n = -1;

	assert_int_equal(sqlite3_open_v2(fx->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM journal", -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static hc_purse_charge_t
ed_charge(int64_t self_pay)
{
	hc_purse_charge_t c;

	memset(&c, 0, sizeof(c));
	c.ledger = HC_LEDGER_ED;
	c.fund = 1000;
	c.account = 200;
	c.self_pay = self_pay;
	c.total = c.fund + c.account + self_pay;
	c.pin_pad = 1;
	return c;
}

/* ---- tests ---------------------------------------------------------------------------------- */

static void
test_has_pinpad(void **state)
{
	fixture_t *fx = *state;
	int has = -1;

	assert_int_equal(hc_purse_has_pinpad(fx->purse, &has), HC_OK);
	assert_int_equal(has, 1);
}

static void
test_verify_ok(void **state)
{
	fixture_t *fx = *state;
	unsigned before = fx->card_apdus;
	int tries = -1;
	int64_t v = -1;

	fx->keys = FACTORY_PIN;
	assert_int_equal(hc_purse_verify_pin_pad(fx->purse, &tries), HC_OK);
	assert_int_equal(fx->pad_calls, 1);
	/* VERIFY without data (application current, not blocked), then the pad's VERIFY */
	assert_int_equal(fx->card_apdus - before, 2);
	assert_int_equal(fx->ins_count[0x20], 2);
	assert_int_equal(fx->user->pin_verified, 1);
	/* ED is readable now: the card saw the PIN */
	assert_int_equal(hc_purse_balance(fx->purse, HC_LEDGER_ED, &v), HC_OK);
	assert_int_equal(v, ED_START);
	/* the marker through hc_purse_verify_pin works the same */
	assert_int_equal(hc_purse_verify_pin(fx->purse, HC_PURSE_PIN_PAD, NULL), HC_OK);
	assert_int_equal(fx->pad_calls, 2);
}

static void
test_wrong_then_blocked(void **state)
{
	fixture_t *fx = *state;
	unsigned calls;
	int tries = -1;

	fx->keys = "111111";
	assert_int_equal(hc_purse_verify_pin_pad(fx->purse, &tries), HC_ERR_PIN_WRONG);
	assert_int_equal(tries, 2);                 /* 63C2 */
	assert_int_equal(sim_tries(fx), 2);
	assert_int_equal(fx->user->pin_verified, 0);
	fx->keys = "7777";
	assert_int_equal(hc_purse_verify_pin_pad(fx->purse, &tries), HC_ERR_PIN_WRONG);
	assert_int_equal(tries, 1);
	fx->keys = "999999999999";
	assert_int_equal(hc_purse_verify_pin_pad(fx->purse, &tries), HC_ERR_PIN_BLOCKED);
	assert_int_equal(tries, 0);
	assert_int_equal(sim_tries(fx), 0);
	/* blocked (6983 to VERIFY without data): the cardholder is not asked to type */
	calls = fx->pad_calls;
	tries = -1;
	fx->keys = FACTORY_PIN;
	assert_int_equal(hc_purse_verify_pin_pad(fx->purse, &tries), HC_ERR_PIN_BLOCKED);
	assert_int_equal(tries, 0);
	assert_int_equal(fx->pad_calls, calls);
	/* the issuer's RELOAD PIN resets the counter; the pad works again */
	assert_int_equal(hc_purse_reload_pin(fx->purse, fx->issuer, FACTORY_PIN), HC_OK);
	assert_int_equal(hc_purse_verify_pin_pad(fx->purse, &tries), HC_OK);
}

/* The card's answer to the pad's VERIFY, mapped as for a typed PIN (injected at the reader). */
static void
test_pad_card_answers(void **state)
{
	fixture_t *fx = *state;
	int tries = -1;

	fx->keys = "sw:6983";
	assert_int_equal(hc_purse_verify_pin_pad(fx->purse, &tries), HC_ERR_PIN_BLOCKED);
	assert_int_equal(tries, 0);
	fx->keys = "sw:63C1";
	assert_int_equal(hc_purse_verify_pin_pad(fx->purse, &tries), HC_ERR_PIN_WRONG);
	assert_int_equal(tries, 1);
	fx->keys = "sw:6A80";
	assert_int_equal(hc_purse_verify_pin_pad(fx->purse, &tries), HC_ERR_PIN_FORMAT);
	fx->keys = "sw:6B80";                       /* the reader refused the structure */
	assert_int_not_equal(hc_purse_verify_pin_pad(fx->purse, &tries), HC_OK);
	assert_int_equal(fx->pad_calls, 4);
}

static void
test_right_after_wrong_resets(void **state)
{
	fixture_t *fx = *state;
	int tries = -1;

	fx->keys = "000000";
	assert_int_equal(hc_purse_verify_pin_pad(fx->purse, &tries), HC_ERR_PIN_WRONG);
	assert_int_equal(tries, 2);
	fx->keys = FACTORY_PIN;
	assert_int_equal(hc_purse_verify_pin_pad(fx->purse, &tries), HC_OK);
	assert_int_equal(sim_tries(fx), 3);
}

static void
test_cancel_timeout_length(void **state)
{
	fixture_t *fx = *state;
	int tries = -1;

	fx->keys = "cancel";
	assert_int_equal(hc_purse_verify_pin_pad(fx->purse, &tries), HC_ERR_PINPAD_CANCELLED);
	fx->keys = "timeout";
	assert_int_equal(hc_purse_verify_pin_pad(fx->purse, &tries), HC_ERR_PINPAD_TIMEOUT);
	fx->keys = "123";                           /* the reader refuses under 4 digits */
	assert_int_equal(hc_purse_verify_pin_pad(fx->purse, &tries), HC_ERR_PINPAD_LENGTH);
	/* nothing reached the card: tries untouched, not verified */
	assert_int_equal(sim_tries(fx), 3);
	assert_int_equal(fx->user->pin_verified, 0);
	assert_int_equal(fx->ins_count[0x20], 3);   /* the three VERIFYs without data only */
}

static void
test_charge_with_pad(void **state)
{
	fixture_t *fx = *state;
	hc_purse_charge_t c = ed_charge(2345);
	hc_purse_receipt_t r;
	hc_charge_t ch;
	unsigned card0, sam0, pad_card, pad_sam;

	fx->keys = FACTORY_PIN;
	card0 = fx->card_apdus;
	sam0 = fx->sam_apdus;
	assert_int_equal(hc_purse_purchase(fx->purse, &c, &r), HC_OK);
	pad_card = fx->card_apdus - card0;
	pad_sam = fx->sam_apdus - sam0;
	assert_int_equal(fx->pad_calls, 1);
	assert_int_equal(r.state, HC_PURSE_COMPLETED);
	assert_int_equal(r.pin_tries_left, -1);
	assert_int_equal(sim_balance(fx, SIM_PURSE_ED), ED_START - 2345);
	assert_int_equal(r.balance_after, ED_START - 2345);
	assert_int_equal(hc_store_charge_get(fx->store, r.entry_id, &ch), HC_OK);
	assert_int_equal(ch.state, HC_CHARGE_COMPLETED);
	assert_int_equal(ch.self_pay, 2345);
	assert_int_equal(ch.fund, 1000);
	assert_int_equal(journal_rows(fx), 1);

	/* the same charge with the PIN typed on the keyboard: one card APDU less (no VERIFY
	 * without data), the SAM side identical */
	hc_purse_free(&fx->purse);
	hc_card_close(&fx->card);
	{
		hc_transport_t *io = hc_inproc_new(card_fn, fx, fx->user->atr, fx->user->atr_len);

		sim_card_reset(fx->user);
		assert_int_equal(hc_card_open_io(fx->term, io, &fx->card), HC_OK);
		assert_int_equal(hc_purse_open(fx->card, fx->store, &fx->purse), HC_OK);
	}
	c.pin_pad = 0;
	c.pin = FACTORY_PIN;
	card0 = fx->card_apdus;
	sam0 = fx->sam_apdus;
	assert_int_equal(hc_purse_purchase(fx->purse, &c, &r), HC_OK);
	assert_int_equal(sim_balance(fx, SIM_PURSE_ED), ED_START - 2 * 2345);
	print_message("ED charge: PIN pad %u card + %u SAM APDUs, typed PIN %u + %u\n", pad_card,
	    pad_sam, fx->card_apdus - card0, fx->sam_apdus - sam0);
	assert_int_equal(pad_card, fx->card_apdus - card0 + 1);
}

/* A cancelled or timed-out PIN: no INITIALIZE, no DEBIT, balance and journal untouched. */
static void
charge_refused(fixture_t *fx, const char *keys, int want)
{
	hc_purse_charge_t c = ed_charge(500);
	hc_purse_receipt_t r;
	size_t n = 99;
	hc_charge_t open[4];
	hc_purse_info_t info;
	int64_t rows = journal_rows(fx);

	fx->keys = keys;
	assert_int_equal(hc_purse_purchase(fx->purse, &c, &r), want);
	assert_string_equal(r.entry_id, "");
	assert_int_equal(r.state, HC_PURSE_VOID);
	assert_int_equal(fx->ins_count[0x50], 0);    /* INITIALIZE never sent */
	assert_int_equal(fx->ins_count[0x54], 0);    /* DEBIT never sent */
	assert_int_equal(sim_balance(fx, SIM_PURSE_ED), ED_START);
	assert_int_equal(journal_rows(fx), rows);
	assert_int_equal(hc_purse_info(fx->purse, &info), HC_OK);
	assert_int_equal(hc_store_charge_open_list(fx->store, info.serial + 2, info.serial, open, 4,
	    &n), HC_OK);
	assert_int_equal(n, 0);
}

static void
test_charge_cancelled(void **state)
{
	fixture_t *fx = *state;

	charge_refused(fx, "cancel", HC_ERR_PINPAD_CANCELLED);
	charge_refused(fx, "timeout", HC_ERR_PINPAD_TIMEOUT);
	assert_int_equal(journal_rows(fx), 0);
	assert_int_equal(sim_tries(fx), 3);
}

static void
test_charge_wrong_pin(void **state)
{
	fixture_t *fx = *state;
	hc_purse_charge_t c = ed_charge(500);
	hc_purse_receipt_t r;

	fx->keys = "654321";
	assert_int_equal(hc_purse_purchase(fx->purse, &c, &r), HC_ERR_PIN_WRONG);
	assert_int_equal(r.pin_tries_left, 2);
	assert_string_equal(r.entry_id, "");
	assert_int_equal(fx->ins_count[0x50], 0);
	assert_int_equal(sim_balance(fx, SIM_PURSE_ED), ED_START);
	assert_int_equal(journal_rows(fx), 0);
	/* a typed PIN and the pad at once: refused before anything */
	c.pin = FACTORY_PIN;
	assert_int_equal(hc_purse_purchase(fx->purse, &c, &r), HC_ERR_INVALID_ARGUMENT);
}

static void
test_load_with_pad(void **state)
{
	fixture_t *fx = *state;
	hc_purse_load_receipt_t lr;
	int64_t rows;

	fx->keys = "cancel";
	assert_int_equal(hc_purse_load(fx->purse, fx->issuer, HC_LEDGER_ED, 700, HC_PURSE_PIN_PAD,
	    &lr), HC_ERR_PINPAD_CANCELLED);
	assert_int_equal(fx->ins_count[0x50], 0);
	assert_int_equal(sim_balance(fx, SIM_PURSE_ED), ED_START);
	assert_int_equal(journal_rows(fx), 0);
	fx->keys = FACTORY_PIN;
	rows = journal_rows(fx);
	assert_int_equal(hc_purse_load(fx->purse, fx->issuer, HC_LEDGER_ED, 700, HC_PURSE_PIN_PAD,
	    &lr), HC_OK);
	assert_int_equal(sim_balance(fx, SIM_PURSE_ED), ED_START + 700);
	assert_int_equal(lr.balance_after, ED_START + 700);
	assert_int_equal(journal_rows(fx), rows + 2);    /* intent, then completed */
	/* CHANGE PIN needs two PINs: keyboard only */
	assert_int_equal(hc_purse_change_pin(fx->purse, HC_PURSE_PIN_PAD, "654321", NULL),
	    HC_ERR_INVALID_ARGUMENT);
}

/* A reader without a pad: HC_ERR_NO_PINPAD and not one APDU to the card or the SAM. */
static void
test_no_pad(void **state)
{
	fixture_t *fx = *state;
	hc_purse_charge_t c = ed_charge(500);
	hc_purse_receipt_t r;
	hc_purse_load_receipt_t lr;
	unsigned card0 = fx->card_apdus, sam0 = fx->sam_apdus;
	int has = -1, tries = -1;

	assert_int_equal(hc_purse_has_pinpad(fx->purse, &has), HC_OK);
	assert_int_equal(has, 0);
	assert_int_equal(hc_purse_verify_pin_pad(fx->purse, &tries), HC_ERR_NO_PINPAD);
	assert_int_equal(hc_purse_verify_pin(fx->purse, HC_PURSE_PIN_PAD, &tries), HC_ERR_NO_PINPAD);
	assert_int_equal(hc_purse_purchase(fx->purse, &c, &r), HC_ERR_NO_PINPAD);
	assert_int_equal(hc_purse_load(fx->purse, fx->issuer, HC_LEDGER_ED, 700, HC_PURSE_PIN_PAD,
	    &lr), HC_ERR_NO_PINPAD);
	assert_int_equal(fx->card_apdus, card0);
	assert_int_equal(fx->sam_apdus, sam0);
	assert_int_equal(fx->pad_calls, 0);
	assert_int_equal(journal_rows(fx), 0);
	/* EP needs no PIN: the flag is ignored there */
	c.ledger = HC_LEDGER_EP;
	assert_int_equal(hc_purse_purchase(fx->purse, &c, &r), HC_ERR_INSUFFICIENT_BALANCE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_has_pinpad, setup_pad, teardown),
		cmocka_unit_test_setup_teardown(test_verify_ok, setup_pad, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_then_blocked, setup_pad, teardown),
		cmocka_unit_test_setup_teardown(test_pad_card_answers, setup_pad, teardown),
		cmocka_unit_test_setup_teardown(test_right_after_wrong_resets, setup_pad, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_timeout_length, setup_pad, teardown),
		cmocka_unit_test_setup_teardown(test_charge_with_pad, setup_pad, teardown),
		cmocka_unit_test_setup_teardown(test_charge_cancelled, setup_pad, teardown),
		cmocka_unit_test_setup_teardown(test_charge_wrong_pin, setup_pad, teardown),
		cmocka_unit_test_setup_teardown(test_load_with_pad, setup_pad, teardown),
		cmocka_unit_test_setup_teardown(test_no_pad, setup_no_pad, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
