/*
 * The purse API through libpcsclite + pcscd + vpcd + hcard-sim (default harness cards:
 * balances 0, factory PIN 123456, demo key set): load, balance, purchase on EP and ED with
 * the settlement split journalled, transaction log, PIN (wrong, blocked, reload, change),
 * amount checks before anything is sent, insufficient balance, limits, a raw DEBIT with a
 * corrupted MAC1 (9302), and a missing PSAM.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "src/session.h"
#include "tests/integration/test_purse_util.h"

static penv_t env;

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

static void
test_info(void **state)
{
	hc_purse_info_t info;

	(void)state;
	assert_int_equal(hc_purse_info(env.purse, &info), HC_OK);
	assert_int_equal(strlen(info.serial), 20);
	assert_int_equal(strspn(info.serial, "0123456789"), 20);
	assert_int_equal(info.app_type, 1);
	assert_int_equal(strlen(info.expiry_date), 8);
}

static void
test_load_purchase_ep(void **state)
{
	hc_purse_charge_t c = pcharge(HC_LEDGER_EP, 1234);
	hc_purse_receipt_t r;
	hc_purse_log_entry_t log[HC_PURSE_LOG_MAX];
	hc_charge_t ch;
	int64_t limit = 0, single = 0;
	size_t n = 0;

	(void)state;
	assert_int_equal(pbalance(&env, HC_LEDGER_EP), 0);
	assert_int_equal(hc_purse_limits(env.purse, &limit, &single), HC_OK);
	assert_int_equal(limit, 1000000);
	assert_int_equal(single, 100000);
	pload(&env, HC_LEDGER_EP, 10000);
	assert_int_equal(pbalance(&env, HC_LEDGER_EP), 10000);

	assert_int_equal(hc_purse_purchase(env.purse, &c, &r), HC_OK);
	assert_int_equal(r.state, HC_PURSE_COMPLETED);
	assert_int_equal(r.amount, 1234);
	assert_int_equal(r.balance_after, 10000 - 1234);
	assert_int_equal(r.n, 0);
	assert_true(r.mac2_verified);
	assert_int_equal(strlen(r.entry_id), 36);
	assert_int_equal(pbalance(&env, HC_LEDGER_EP), 10000 - 1234);

	/* the journal holds the split, the TAC and the outcome */
	assert_int_equal(hc_store_charge_get(env.store, r.entry_id, &ch), HC_OK);
	assert_int_equal(ch.state, HC_CHARGE_COMPLETED);
	assert_int_equal(ch.fund, 1500);
	assert_int_equal(ch.account, 300);
	assert_int_equal(ch.self_pay, 1234);
	assert_int_equal(ch.amount, 1234);
	assert_int_equal(ch.ledger, HC_LEDGER_EP);
	assert_memory_equal(ch.tac, r.tac, 4);
	assert_memory_equal(ch.mac2, r.mac2, 4);
	assert_int_equal(ch.balance_after, 10000 - 1234);

	/* the card's log: newest first */
	assert_int_equal(hc_purse_log(env.purse, log, &n), HC_OK);
	assert_int_equal(n, 2);
	assert_int_equal(log[0].type, 0x06);
	assert_int_equal(log[0].amount, 1234);
	assert_int_equal(log[0].seq, 0);
	assert_false(log[0].is_load);
	assert_string_equal(log[0].date, r.date);
	assert_string_equal(log[0].time, r.time);
	assert_memory_equal(log[0].terminal, r.terminal, 6);
	assert_int_equal(log[1].type, 0x02);
	assert_int_equal(log[1].amount, 10000);
	assert_true(log[1].is_load);
	assert_int_equal(log[1].ledger, HC_LEDGER_EP);
}

static void
test_purchase_ed(void **state)
{
	hc_purse_charge_t c = pcharge(HC_LEDGER_ED, 1000);
	hc_purse_receipt_t r;
	int64_t v;

	(void)state;
	/* ED without the PIN: refused by the card before anything is taken */
	assert_int_equal(hc_purse_balance(env.purse, HC_LEDGER_ED, &v), HC_ERR_SECURITY_STATUS);
	assert_int_equal(hc_purse_purchase(env.purse, &c, &r), HC_ERR_SECURITY_STATUS);
	assert_int_equal(r.entry_id[0], '\0');
	pload(&env, HC_LEDGER_ED, 3000);
	assert_int_equal(pbalance(&env, HC_LEDGER_ED), 3000);
	c.pin = "123456";
	assert_int_equal(hc_purse_purchase(env.purse, &c, &r), HC_OK);
	assert_int_equal(r.state, HC_PURSE_COMPLETED);
	assert_int_equal(r.balance_after, 2000);
	assert_int_equal(pbalance(&env, HC_LEDGER_ED), 2000);
	/* EP untouched */
	assert_int_equal(pbalance(&env, HC_LEDGER_EP), 10000 - 1234);
}

static void
test_amounts_checked_first(void **state)
{
	hc_purse_charge_t c;
	hc_purse_receipt_t r;
	hc_purse_load_receipt_t lr;
	unsigned long before;
	int tries = -1;

	(void)state;
	before = pcard_apdus(&env);
	c = pcharge(HC_LEDGER_EP, 0);
	assert_int_equal(hc_purse_purchase(env.purse, &c, &r), HC_ERR_AMOUNT);
	c = pcharge(HC_LEDGER_EP, -5);
	assert_int_equal(hc_purse_purchase(env.purse, &c, &r), HC_ERR_AMOUNT);
	c = pcharge(HC_LEDGER_EP, (int64_t)UINT32_MAX + 1);
	assert_int_equal(hc_purse_purchase(env.purse, &c, &r), HC_ERR_AMOUNT);
	c = pcharge(HC_LEDGER_EP, 100);
	c.total += 1;
	assert_int_equal(hc_purse_purchase(env.purse, &c, &r), HC_ERR_SPLIT);
	c = pcharge(HC_LEDGER_EP, 100);
	c.fund = INT64_MAX;
	assert_int_equal(hc_purse_purchase(env.purse, &c, &r), HC_ERR_AMOUNT);
	c = pcharge(HC_LEDGER_EP, 100);
	c.account = -1;
	assert_int_equal(hc_purse_purchase(env.purse, &c, &r), HC_ERR_AMOUNT);
	c = pcharge((hc_ledger_t)3, 100);
	assert_int_equal(hc_purse_purchase(env.purse, &c, &r), HC_ERR_INVALID_ARGUMENT);
	assert_int_equal(hc_purse_load(env.purse, env.issuer, HC_LEDGER_EP, 0, NULL, &lr),
	    HC_ERR_AMOUNT);
	assert_int_equal(hc_purse_load(env.purse, env.issuer, HC_LEDGER_EP, -1, NULL, &lr),
	    HC_ERR_AMOUNT);
	assert_int_equal(hc_purse_verify_pin(env.purse, "12a456", &tries), HC_ERR_PIN_FORMAT);
	assert_int_equal(hc_purse_verify_pin(env.purse, "123", &tries), HC_ERR_PIN_FORMAT);
	assert_int_equal(hc_purse_verify_pin(env.purse, "1234567890123", &tries), HC_ERR_PIN_FORMAT);
	assert_int_equal(hc_purse_verify_pin(env.purse, NULL, &tries), HC_ERR_PIN_FORMAT);
	assert_int_equal(tries, -1);
	/* nothing went to the card or the PSAM */
	assert_int_equal(pcard_apdus(&env), before);
}

static void
test_insufficient_and_limits(void **state)
{
	hc_purse_charge_t c;
	hc_purse_receipt_t r;
	hc_purse_load_receipt_t lr;
	hc_purse_log_entry_t log[HC_PURSE_LOG_MAX];
	size_t n0 = 0, n1 = 0;
	int64_t bal;

	(void)state;
	bal = pbalance(&env, HC_LEDGER_EP);
	assert_int_equal(hc_purse_log(env.purse, log, &n0), HC_OK);
	c = pcharge(HC_LEDGER_EP, bal + 1);
	assert_int_equal(hc_purse_purchase(env.purse, &c, &r), HC_ERR_INSUFFICIENT_BALANCE);
	assert_int_equal(r.entry_id[0], '\0');
	assert_int_equal(pbalance(&env, HC_LEDGER_EP), bal);
	/* over the EP single-transaction limit (9F78 = 100000) with enough money */
	pload(&env, HC_LEDGER_EP, 150000);
	c = pcharge(HC_LEDGER_EP, 100001);
	assert_int_equal(hc_purse_purchase(env.purse, &c, &r), HC_ERR_AMOUNT_OVER_LIMIT);
	/* over the EP balance limit (9F77 = 1000000) */
	assert_int_equal(hc_purse_load(env.purse, env.issuer, HC_LEDGER_EP, 1000000 - bal - 150000 + 1,
	    NULL, &lr), HC_ERR_AMOUNT_OVER_LIMIT);
	assert_int_equal(pbalance(&env, HC_LEDGER_EP), bal + 150000);
	/* exactly one new record (the load) */
	assert_int_equal(hc_purse_log(env.purse, log, &n1), HC_OK);
	assert_int_equal(n1, n0 + 1);
	assert_int_equal(log[0].type, 0x02);
	assert_int_equal(log[0].amount, 150000);
}

static void
test_wrong_mac1_raw(void **state)
{
	hc_purse_info_t info;
	hc_sam_info_t si;
	hc_resp_t *resp = hc_resp_new();
	uint8_t init[11], m1[28], debit[15], f[8], rnd[4];
	hc_apdu_t a;
	uint16_t sw = 0, n;
	int64_t bal;
	int i;

	(void)state;
	assert_non_null(resp);
	bal = pbalance(&env, HC_LEDGER_EP);
	assert_int_equal(hc_purse_info(env.purse, &info), HC_OK);
	for (i = 0; i < 8; i++)
		f[i] = (uint8_t)(((info.serial[4 + 2 * i] - '0') << 4) | (info.serial[5 + 2 * i] - '0'));
	assert_int_equal(hc_terminal_sam_info(env.term, &si), HC_OK);
	assert_int_equal(hc_session_begin(env.card), HC_OK);
	assert_int_equal(hc_session_select(env.card, HC_APP_DEBIT), HC_OK);
	init[0] = 0x01;
	init[1] = 0; init[2] = 0; init[3] = 0x01; init[4] = 0x00;   /* 256 fen */
	memcpy(init + 5, si.terminal_number, 6);
	memset(&a, 0, sizeof(a));
	a.cla = 0x80; a.ins = 0x50; a.p1 = 0x01; a.p2 = 0x02;
	a.data = init; a.lc = 11; a.le = 15; a.has_le = 1;
	assert_int_equal(hc_session_card_cmd(env.card, &a, resp, &sw), HC_OK);
	assert_int_equal(resp->len, 15);
	n = (uint16_t)((resp->data[4] << 8) | resp->data[5]);
	memcpy(rnd, resp->data + 11, 4);
	/* PSAM MAC1 */
	assert_int_equal(hc_session_sam_select(env.card, HC_SAM_APP_PSAM), HC_OK);
	memcpy(m1, rnd, 4);
	m1[4] = (uint8_t)(n >> 8); m1[5] = (uint8_t)n;
	memcpy(m1 + 6, init + 1, 4);
	m1[10] = 0x06;
	memcpy(m1 + 11, "\x20\x26\x11\x23\x12\x00\x00", 7);
	m1[18] = 0x01; m1[19] = 0x00;
	memcpy(m1 + 20, f, 8);
	memset(&a, 0, sizeof(a));
	a.cla = 0x80; a.ins = 0x70; a.data = m1; a.lc = 28; a.le = 8; a.has_le = 1;
	assert_int_equal(hc_session_psam_cmd(env.card, &a, resp, &sw), HC_OK);
	assert_int_equal(resp->len, 8);
	/* DEBIT with MAC1 corrupted: 9302 */
	memcpy(debit, resp->data, 4);
	memcpy(debit + 4, m1 + 11, 7);
	memcpy(debit + 11, resp->data + 4, 4);
	debit[14] ^= 0x80;
	memset(&a, 0, sizeof(a));
	a.cla = 0x80; a.ins = 0x54; a.p1 = 0x01; a.data = debit; a.lc = 15; a.le = 8; a.has_le = 1;
	assert_int_equal(hc_session_card_cmd(env.card, &a, resp, &sw), HC_ERR_MAC_INVALID);
	assert_int_equal(sw, 0x9302);
	/* and the card forgot the INITIALIZE: the right MAC1 now gets 6985 */
	debit[14] ^= 0x80;
	assert_int_equal(hc_session_card_cmd(env.card, &a, resp, &sw), HC_ERR_CONDITIONS_OF_USE);
	assert_int_equal(hc_session_end(env.card), HC_OK);
	hc_resp_free(&resp);
	assert_int_equal(pbalance(&env, HC_LEDGER_EP), bal);
}

static void
test_pin(void **state)
{
	int tries = -1;

	(void)state;
	assert_int_equal(hc_purse_verify_pin(env.purse, "111111", &tries), HC_ERR_PIN_WRONG);
	assert_int_equal(tries, 2);
	assert_int_equal(hc_purse_pin_status(env.purse, &tries), HC_ERR_SECURITY_STATUS);
	assert_int_equal(tries, 2);
	assert_int_equal(hc_purse_verify_pin(env.purse, "123456", &tries), HC_OK);
	assert_int_equal(hc_purse_pin_status(env.purse, &tries), HC_OK);
	assert_int_equal(hc_purse_verify_pin(env.purse, "111111", &tries), HC_ERR_PIN_WRONG);
	assert_int_equal(tries, 2);
	assert_int_equal(hc_purse_verify_pin(env.purse, "1111", &tries), HC_ERR_PIN_WRONG);
	assert_int_equal(tries, 1);
	assert_int_equal(hc_purse_verify_pin(env.purse, "111111111111", &tries), HC_ERR_PIN_BLOCKED);
	assert_int_equal(tries, 0);
	tries = -1;
	assert_int_equal(hc_purse_verify_pin(env.purse, "123456", &tries), HC_ERR_PIN_BLOCKED);
	assert_int_equal(tries, 0);
	/* the issuer reloads it */
	assert_int_equal(hc_purse_reload_pin(env.purse, env.issuer, "8642"), HC_OK);
	assert_int_equal(hc_purse_verify_pin(env.purse, "123456", &tries), HC_ERR_PIN_WRONG);
	assert_int_equal(tries, 2);
	assert_int_equal(hc_purse_verify_pin(env.purse, "8642", &tries), HC_OK);
	/* change it back; a wrong old PIN counts */
	assert_int_equal(hc_purse_change_pin(env.purse, "0000", "123456", &tries), HC_ERR_PIN_WRONG);
	assert_int_equal(tries, 2);
	assert_int_equal(hc_purse_change_pin(env.purse, "8642", "123456", &tries), HC_OK);
	assert_int_equal(hc_purse_verify_pin(env.purse, "123456", &tries), HC_OK);
}

/* One PIN object: verified in the debit application, still verified in the PKI application
 * and back; a reset clears it. */
static void
test_pin_shared_with_pki(void **state)
{
	hc_apdu_t status;
	hc_resp_t *resp = hc_resp_new();
	uint16_t sw = 0;
	int tries = -1;

	(void)state;
	assert_non_null(resp);
	memset(&status, 0, sizeof(status));
	status.ins = 0x20;                       /* VERIFY without data */
	assert_int_equal(hc_purse_verify_pin(env.purse, "123456", &tries), HC_OK);
	assert_int_equal(hc_session_select(env.card, HC_APP_PKI), HC_OK);
	assert_int_equal(hc_session_card_cmd(env.card, &status, resp, &sw), HC_OK);
	assert_int_equal(sw, 0x9000);
	assert_int_equal(hc_purse_pin_status(env.purse, &tries), HC_OK);
	assert_true(pbalance(&env, HC_LEDGER_ED) >= 0);
	/* a reset (another application, or the reader) clears it */
	assert_int_equal(pctl("reset 0", NULL, 0), 0);
	penv_reopen_card(&env);
	assert_int_equal(hc_purse_pin_status(env.purse, &tries), HC_ERR_SECURITY_STATUS);
	assert_int_equal(tries, 3);
	hc_resp_free(&resp);
}

/* A verified PIN must not outlive the session: closing it resets the card, so the next
 * session (here, or in another process) starts without the PIN (doc/spec-notes.md). */
static void
test_pin_not_inherited_after_close(void **state)
{
	int tries = -1;

	(void)state;
	assert_int_equal(hc_purse_verify_pin(env.purse, "123456", &tries), HC_OK);
	assert_int_equal(hc_purse_pin_status(env.purse, &tries), HC_OK);
	penv_reopen_card(&env);
	assert_int_equal(hc_purse_pin_status(env.purse, &tries), HC_ERR_SECURITY_STATUS);
	assert_int_equal(tries, 3);
}

static void
test_no_psam(void **state)
{
	hc_purse_charge_t c = pcharge(HC_LEDGER_EP, 50);
	hc_purse_receipt_t r;
	int64_t bal;

	(void)state;
	bal = pbalance(&env, HC_LEDGER_EP);
	assert_int_equal(pctl("remove 1", NULL, 0), 0);
	assert_int_equal(hc_purse_purchase(env.purse, &c, &r), HC_ERR_NO_PSAM);
	assert_int_equal(r.entry_id[0], '\0');
	pinsert(1);
	penv_reopen_terminal(&env);
	assert_int_equal(pbalance(&env, HC_LEDGER_EP), bal);
	/* and with the PSAM back the charge goes through */
	assert_int_equal(hc_purse_purchase(env.purse, &c, &r), HC_OK);
	assert_int_equal(pbalance(&env, HC_LEDGER_EP), bal - 50);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info),
		cmocka_unit_test(test_load_purchase_ep),
		cmocka_unit_test(test_purchase_ed),
		cmocka_unit_test(test_amounts_checked_first),
		cmocka_unit_test(test_insufficient_and_limits),
		cmocka_unit_test(test_wrong_mac1_raw),
		cmocka_unit_test(test_pin),
		cmocka_unit_test(test_pin_shared_with_pki),
		cmocka_unit_test(test_pin_not_inherited_after_close),
		cmocka_unit_test(test_no_psam),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
