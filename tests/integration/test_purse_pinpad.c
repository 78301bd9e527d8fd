/*
 * The cardholder PIN typed on a PIN-pad reader, through libpcsclite + pcscd + the simulator's
 * PIN-pad reader driver (sim/ifd) + hcard-sim: run by test_purse_pinpad.sh under
 * `with-sim --pinpad` (the user card in "HCARD PINPAD 00 00", the keypad file
 * $HCARD_PINPAD_KEYPAD consumed by each verify).
 *
 * What the card holds is read back with raw APDUs of purse.md (SELECT, VERIFY with the PIN
 * block, GET BALANCE, READ RECORD of the detail file) through the APDU layer, and decoded here
 * as purse.md lays them out: the expected balances and detail records come from the spec and
 * the amounts the test chose, not from the purse code under test.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "apdu/transport.h"
#include "src/session.h"
#include "tests/integration/test_purse_util.h"

#define ED_LOADED 10000
static penv_t env;

/* What the cardholder types next (the reader consumes the file). */
static void
keypad(const char *keys)
{
	const char *path = getenv("HCARD_PINPAD_KEYPAD");
	char tmp[600];
	FILE *f;

	assert_non_null(path);
	assert_true(path[0] != '\0');
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	f = fopen(tmp, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", keys);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(rename(tmp, path), 0);    /* never half a file for the reader */
}

static int
keypad_consumed(void)
{
	return access(getenv("HCARD_PINPAD_KEYPAD"), F_OK) != 0;
}

/* ---- raw purse.md APDUs through the APDU layer -------------------------------------------- */

static uint16_t
raw(const uint8_t *cmd_data, size_t lc, uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2,
    int le, hc_resp_t *resp)
{
	hc_apdu_t a;

	memset(&a, 0, sizeof(a));
	a.cla = cla;
	a.ins = ins;
	a.p1 = p1;
	a.p2 = p2;
	a.data = cmd_data;
	a.lc = lc;
	a.has_le = le >= 0;
	a.le = le >= 0 ? (size_t)le : 0;
	a.sensitive = ins == 0x20;
	assert_int_equal(hc_transmit(hc_session_card_io(env.card), &a, resp), HC_OK);
	hc_session_invalidate(env.card);           /* we moved the card behind the session */
	return resp->sw;
}

static uint32_t
be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* ED balance: SELECT the debit AID, VERIFY 12 34 56 FF FF FF, GET BALANCE 80 5C 00 01 04. */
static int64_t
raw_ed_balance(void)
{
	static const uint8_t aid[7] = { 0xA0, 0x00, 0x00, 0x03, 0x33, 0x01, 0x01 };
	static const uint8_t block[6] = { 0x12, 0x34, 0x56, 0xFF, 0xFF, 0xFF };
	hc_resp_t *r = hc_resp_new();
	int64_t v;

	assert_non_null(r);
	assert_int_equal(raw(aid, 7, 0x00, 0xA4, 0x04, 0x0C, -1, r), 0x9000);
	/* the card must forget this VERIFY when the session closes (as libhcard's do) */
	hc_transport_set_reset_on_close(hc_session_card_io(env.card), 1);
	assert_int_equal(raw(block, 6, 0x00, 0x20, 0x00, 0x00, -1, r), 0x9000);
	assert_int_equal(raw(NULL, 0, 0x80, 0x5C, 0x00, 0x01, 4, r), 0x9000);
	assert_int_equal(r->len, 4);
	v = be32(r->data);
	hc_resp_free(&r);
	return v;
}

/* Tries left as the card says to VERIFY without data (63Cx; 9000 verified = -1). */
static int
raw_tries(void)
{
	static const uint8_t aid[7] = { 0xA0, 0x00, 0x00, 0x03, 0x33, 0x01, 0x01 };
	hc_resp_t *r = hc_resp_new();
	uint16_t sw;

	assert_non_null(r);
	assert_int_equal(raw(aid, 7, 0x00, 0xA4, 0x04, 0x0C, -1, r), 0x9000);
	sw = raw(NULL, 0, 0x00, 0x20, 0x00, 0x00, -1, r);
	hc_resp_free(&r);
	if (sw == 0x9000)
		return -1;
	assert_int_equal(sw & 0xFFF0, 0x63C0);
	return sw & 0x0F;
}

/* Detail record n (00 B2 n C4 17), decoded per purse.md. */
typedef struct rec {
	uint16_t seq;
	uint32_t amount;
	uint8_t type;
	char date[9];
} rec_t;

static void
raw_record(uint8_t n, rec_t *out)
{
	hc_resp_t *r = hc_resp_new();
	const uint8_t *d;
	int i;

	assert_non_null(r);
	assert_int_equal(raw(NULL, 0, 0x00, 0xB2, n, 0xC4, 0x17, r), 0x9000);
	assert_int_equal(r->len, 23);
	d = r->data;
	out->seq = (uint16_t)((d[0] << 8) | d[1]);         /* sequence 2 */
	assert_memory_equal(d + 2, "\0\0\0", 3);           /* overdraft 3 (000000 in v1) */
	out->amount = be32(d + 5);                         /* amount 4 */
	out->type = d[9];                                  /* type 1; terminal 6 at 10 */
	for (i = 0; i < 4; i++) {                          /* date 4 (BCD) at 16 */
		out->date[2 * i] = (char)('0' + (d[16 + i] >> 4));
		out->date[2 * i + 1] = (char)('0' + (d[16 + i] & 0x0F));
	}
	out->date[8] = '\0';
	hc_resp_free(&r);
}

static void
today(char out[9])
{
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, 9, "%Y%m%d", &tm);
}

/* ---- fixture ------------------------------------------------------------------------------- */

static int
setup(void **state)
{
	(void)state;
	penv_open(&env);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	penv_close(&env);
	return 0;
}

/* The PIN-pad reader has a pad; the harness's plain reader has none. */
static void
test_reader_has_pad(void **state)
{
	int has = -1;

	(void)state;
	assert_string_equal(getenv("HCARD_CARD_READER"), "HCARD PINPAD 00 00");
	assert_int_equal(hc_purse_has_pinpad(env.purse, &has), HC_OK);
	assert_int_equal(has, 1);
	has = -1;
	assert_int_equal(hc_purse_reader_has_pinpad(env.card, &has), HC_OK);
	assert_int_equal(has, 1);
}

/* Load ED with the PIN on the pad, then charge ED with the PIN on the pad. */
static void
test_load_and_charge_on_pad(void **state)
{
	hc_purse_load_receipt_t lr;
	hc_purse_charge_t c = pcharge(HC_LEDGER_ED, 2345);
	hc_purse_receipt_t r;
	hc_charge_t ch;
	rec_t rec;
	char day[9];

	(void)state;
	keypad("123456");
	assert_int_equal(hc_purse_load(env.purse, env.issuer, HC_LEDGER_ED, ED_LOADED,
	    HC_PURSE_PIN_PAD, &lr), HC_OK);
	assert_true(keypad_consumed());
	penv_reopen_card(&env);
	assert_int_equal(raw_ed_balance(), ED_LOADED);

	penv_reopen_card(&env);
	c.pin_pad = 1;
	keypad("123456");
	assert_int_equal(hc_purse_purchase(env.purse, &c, &r), HC_OK);
	assert_true(keypad_consumed());
	assert_int_equal(r.state, HC_PURSE_COMPLETED);
	assert_true(r.mac2_verified);
	assert_int_equal(hc_store_charge_get(env.store, r.entry_id, &ch), HC_OK);
	assert_int_equal(ch.state, HC_CHARGE_COMPLETED);
	assert_int_equal(ch.self_pay, 2345);
	assert_int_equal(ch.fund, 1500);
	assert_int_equal(ch.account, 300);
	print_message("ED charge with the PIN on the pad: %lu APDUs (card + SAM) in this session\n",
	    pcard_apdus(&env));

	/* the card: balance 10000 - 2345; newest detail record = this purchase (type 05, the
	 * first ED purchase so N = 0, amount 2345, today), the one before = the ED load (01, M 0) */
	penv_reopen_card(&env);
	assert_int_equal(raw_ed_balance(), ED_LOADED - 2345);
	today(day);
	raw_record(1, &rec);
	assert_int_equal(rec.type, 0x05);
	assert_int_equal(rec.seq, 0);
	assert_int_equal(rec.amount, 2345);
	assert_string_equal(rec.date, day);
	raw_record(2, &rec);
	assert_int_equal(rec.type, 0x01);
	assert_int_equal(rec.seq, 0);
	assert_int_equal(rec.amount, ED_LOADED);
}

/* Cancel and timeout on the pad: the card's balance, detail file and tries are as before. */
static void
test_cancel_timeout_change_nothing(void **state)
{
	static const char *const what[] = { "cancel", "timeout" };
	static const int want[] = { HC_ERR_PINPAD_CANCELLED, HC_ERR_PINPAD_TIMEOUT };
	hc_purse_charge_t c = pcharge(HC_LEDGER_ED, 500);
	hc_purse_receipt_t r;
	hc_charge_t open[4];
	hc_purse_info_t info;
	rec_t before, after;
	int64_t bal;
	size_t i, n = 99;

	(void)state;
	bal = raw_ed_balance();
	raw_record(1, &before);
	penv_reopen_card(&env);
	assert_int_equal(raw_tries(), 3);
	for (i = 0; i < 2; i++) {
		penv_reopen_card(&env);
		c.pin_pad = 1;
		keypad(what[i]);
		assert_int_equal(hc_purse_purchase(env.purse, &c, &r), want[i]);
		assert_true(keypad_consumed());
		assert_string_equal(r.entry_id, "");
		penv_reopen_card(&env);
		assert_int_equal(raw_tries(), 3);        /* nothing reached the card */
		assert_int_equal(raw_ed_balance(), bal);
		raw_record(1, &after);
		assert_int_equal(after.seq, before.seq);
		assert_int_equal(after.type, before.type);
		assert_int_equal(after.amount, before.amount);
		assert_string_equal(after.date, before.date);
	}
	/* and nothing waits in the journal for recovery */
	assert_int_equal(hc_purse_info(env.purse, &info), HC_OK);
	assert_int_equal(hc_store_charge_open_list(env.store, info.serial + 2, info.serial, open, 4,
	    &n), HC_OK);
	assert_int_equal(n, 0);
}

/* A wrong PIN on the pad: the card counts it (63C2, 63C1); the right one resets the counter. */
static void
test_wrong_pin_on_pad(void **state)
{
	hc_purse_charge_t c = pcharge(HC_LEDGER_ED, 100);
	hc_purse_receipt_t r;
	int tries = -1;
	int64_t bal;

	(void)state;
	bal = raw_ed_balance();
	penv_reopen_card(&env);
	c.pin_pad = 1;
	keypad("654321");
	assert_int_equal(hc_purse_purchase(env.purse, &c, &r), HC_ERR_PIN_WRONG);
	assert_int_equal(r.pin_tries_left, 2);
	assert_string_equal(r.entry_id, "");
	assert_int_equal(raw_tries(), 2);
	penv_reopen_card(&env);
	keypad("0000");
	assert_int_equal(hc_purse_verify_pin_pad(env.purse, &tries), HC_ERR_PIN_WRONG);
	assert_int_equal(tries, 1);
	assert_int_equal(raw_tries(), 1);
	penv_reopen_card(&env);
	keypad("123");                               /* too short: the reader refuses, uncounted */
	assert_int_equal(hc_purse_verify_pin_pad(env.purse, &tries), HC_ERR_PINPAD_LENGTH);
	assert_int_equal(raw_tries(), 1);
	penv_reopen_card(&env);
	keypad("123456");
	assert_int_equal(hc_purse_verify_pin_pad(env.purse, &tries), HC_OK);
	/* the card says 9000 (verified) in this session; its counter is back at 3 */
	assert_int_equal(hc_purse_pin_status(env.purse, &tries), HC_OK);
	penv_reopen_card(&env);
	assert_int_equal(raw_tries(), 3);
	assert_int_equal(raw_ed_balance(), bal);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_has_pad),
		cmocka_unit_test(test_load_and_charge_on_pad),
		cmocka_unit_test(test_cancel_timeout_change_nothing),
		cmocka_unit_test(test_wrong_pin_on_pad),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
