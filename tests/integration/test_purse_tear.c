/*
 * Torn purchases through pcscd + hcard-sim: the card (slot 0) or the SAM (slot 1) is pulled
 * at EVERY APDU of the charge flow, before the APDU is executed and after it was executed
 * (answer lost), using the simulator's control socket (`tear SLOT N before|after`).
 * Afterwards: the card is put back, the charge is retried as the API says (retry_of the
 * open entry), and balance, journal and card log must agree: the amount was taken exactly
 * once, no intent stays open, the log holds exactly one record of it. Loads torn the same
 * way are resolved from the detail records (hc_purse_load_resolve). The same for the ED
 * ledger (the cardholder PIN verified in each charge and load), whose torn loads are left to
 * the next ordinary load to decide (hc_purse_load_recover, issue 12 item 3). Table of points
 * and outcomes: doc/tearing.md.
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

#include "tests/integration/test_purse_util.h"

static penv_t env;
static int64_t next_amount = 101;
static hc_ledger_t led = HC_LEDGER_EP;   /* the ledger under test */
#define ED_PIN "123456"                   /* the factory PIN (doc/purse.md) */

/* The balance of the ledger under test (ED: the PIN verified first, in this session). */
static int64_t
bal(void)
{
	int tries = -1;

	if (led == HC_LEDGER_ED)
		assert_int_equal(hc_purse_verify_pin(env.purse, ED_PIN, &tries), HC_OK);
	return pbalance(&env, led);
}

static hc_purse_charge_t
lcharge(int64_t self_pay)
{
	hc_purse_charge_t c = pcharge(led, self_pay);

	if (led == HC_LEDGER_ED)
		c.pin = ED_PIN;
	return c;
}

static int
lload(int64_t amount, hc_purse_load_receipt_t *lr)
{
	return hc_purse_load(env.purse, env.issuer, led, amount, led == HC_LEDGER_ED ? ED_PIN :
	    NULL, lr);
}

static unsigned long
slot_count(int slot)
{
	char cmd[32], ans[128];
	unsigned long n = 0;

	snprintf(cmd, sizeof(cmd), "count %d", slot);
	assert_int_equal(pctl(cmd, ans, sizeof(ans)), 0);
	assert_int_equal(sscanf(ans, "ok %lu", &n), 1);
	return n;
}

static void
fresh(int slot)
{
	if (slot == 0)
		penv_reopen_card(&env);
	else
		penv_reopen_terminal(&env);
}

/* APDUs a clean purchase sends to slot, from the state fresh(slot) + a balance query. */
static unsigned long
apdus_per_charge(int slot)
{
	hc_purse_charge_t c = lcharge(7);
	hc_purse_receipt_t r;
	unsigned long before;

	fresh(slot);
	(void)bal();
	before = slot_count(slot);
	assert_int_equal(hc_purse_purchase(env.purse, &c, &r), HC_OK);
	return slot_count(slot) - before;
}

static void
check_once(int64_t bal0, int64_t amount, const char *entry_id)
{
	hc_charge_t ch;
	hc_purse_log_entry_t log[HC_PURSE_LOG_MAX];
	hc_charge_t open[4];
	size_t n = 0, i, seen = 0;
	hc_purse_info_t info;

	assert_int_equal(bal(), bal0 - amount);
	assert_int_equal(hc_purse_info(env.purse, &info), HC_OK);
	/* the default card is not issued: journalled under the serial's last 18 digits */
	assert_int_equal(hc_store_charge_open_list(env.store, info.serial + 2, info.serial, open, 4,
	    &n), HC_OK);
	assert_int_equal(n, 0);
	assert_int_equal(hc_store_charge_get(env.store, entry_id, &ch), HC_OK);
	assert_string_equal(ch.card_number, info.serial + 2);
	assert_true(ch.state == HC_CHARGE_COMPLETED || ch.state == HC_CHARGE_COMPLETED_TAC_UNKNOWN);
	assert_int_equal(ch.amount, amount);
	assert_int_equal(hc_purse_log(env.purse, log, &n), HC_OK);
	for (i = 0; i < n; i++)
		if (!log[i].is_load && log[i].amount == amount)
			seen++;
	assert_int_equal(seen, 1);
	assert_int_equal(log[0].amount, amount);
}

static void
tear_round(int slot, unsigned long k, const char *mode)
{
	hc_purse_charge_t c = lcharge(next_amount++);
	hc_purse_receipt_t r, r2;
	const char *final_id = r.entry_id;
	hc_charge_t ch;
	char cmd[64];
	int64_t bal0;
	int rc;

	fresh(slot);
	bal0 = bal();
	snprintf(cmd, sizeof(cmd), "tear %d %lu %s", slot, k, mode);
	assert_int_equal(pctl(cmd, NULL, 0), 0);
	rc = hc_purse_purchase(env.purse, &c, &r);
	snprintf(cmd, sizeof(cmd), "untear %d", slot);
	assert_int_equal(pctl(cmd, NULL, 0), 0);
	pinsert(slot);
	fresh(slot);
	print_message("%s slot %d APDU %lu %s: %s, entry %s\n", led == HC_LEDGER_ED ? "ED" : "EP",
	    slot, k, mode, hc_errname(rc),
	    r.entry_id[0] != '\0' ? r.entry_id : "-");
	if (rc == HC_OK) {
		/* only a SAM pulled after the debit may leave the charge complete */
		assert_int_equal(slot, 1);
		assert_int_equal(r.state, HC_PURSE_COMPLETED);
		assert_false(r.mac2_verified);
	} else {
		if (rc == HC_ERR_RECOVERY_PENDING)
			assert_int_equal(r.state, HC_PURSE_OPEN);
		else if (r.entry_id[0] == '\0')
			assert_int_equal(bal(), bal0);
		c.retry_of = r.entry_id[0] != '\0' ? r.entry_id : NULL;
		rc = hc_purse_purchase(env.purse, &c, &r2);
		if (rc != HC_OK)
			fail_msg("retry: %s", hc_errname(rc));
		final_id = r2.entry_id;
		assert_true(r2.state == HC_PURSE_COMPLETED ||
		    r2.state == HC_PURSE_COMPLETED_TAC_UNKNOWN);
		if (r.entry_id[0] != '\0') {
			assert_int_equal(hc_store_charge_get(env.store, r.entry_id, &ch), HC_OK);
			assert_int_not_equal(ch.state, HC_CHARGE_OPEN);
			if (ch.state == HC_CHARGE_VOID)
				assert_string_not_equal(r2.entry_id, r.entry_id);
			else
				assert_string_equal(r2.entry_id, r.entry_id);
		}
	}
	check_once(bal0, c.self_pay, final_id);
}

static void
tear_all(int slot)
{
	unsigned long k, n = apdus_per_charge(slot);

	print_message("slot %d: %lu APDUs per charge\n", slot, n);
	assert_true(n >= 3 && n <= 20);
	for (k = 1; k <= n; k++) {
		tear_round(slot, k, "before");
		tear_round(slot, k, "after");
	}
}

static void
test_tear_card(void **state)
{
	(void)state;
	tear_all(0);
}

static void
test_tear_sam(void **state)
{
	(void)state;
	tear_all(1);
}

static void
test_tear_card_ed(void **state)
{
	(void)state;
	led = HC_LEDGER_ED;
	fresh(0);
	pload(&env, HC_LEDGER_ED, 100000);
	tear_all(0);
	led = HC_LEDGER_EP;
}

static void
test_tear_sam_ed(void **state)
{
	(void)state;
	led = HC_LEDGER_ED;
	tear_all(1);
	led = HC_LEDGER_EP;
}

/* The phase of the newest load entry of the card in the journal. */
static void
newest_load_phase(char *out, size_t cap)
{
	hc_journal_entry_t *e = calloc(32, sizeof(*e));
	hc_purse_info_t info;
	size_t n = 0, i;
	const char *ph;

	assert_non_null(e);
	out[0] = '\0';
	assert_int_equal(hc_purse_info(env.purse, &info), HC_OK);
	assert_int_equal(hc_store_journal_list(env.store, info.serial + 2, e, 32, &n), HC_OK);
	for (i = 0; i < n; i++) {
		if (e[i].kind == HC_JOURNAL_LOAD && (ph = strstr(e[i].detail, "\"phase\":\"")) != NULL) {
			snprintf(out, cap, "%.*s", (int)strcspn(ph + 9, "\""), ph + 9);
			break;
		}
	}
	free(e);
}

/* Loads torn at every card APDU. EP: the torn load decided with hc_purse_load_resolve; ED:
 * by the next ordinary load (hc_purse_load runs hc_purse_load_recover first). */
static void
tear_loads(void)
{
	hc_purse_load_receipt_t lr;
	hc_purse_log_entry_t log[HC_PURSE_LOG_MAX];
	unsigned long k, n, before;
	int mode, loaded_any = 0;

	fresh(0);
	(void)bal();
	before = slot_count(0);
	assert_int_equal(lload(5, &lr), HC_OK);
	n = slot_count(0) - before;
	print_message("load: %lu card APDUs\n", n);
	assert_true(n >= 2 && n <= 10);
	for (k = 1; k <= n; k++) {
		for (mode = 0; mode < 2; mode++) {
			int64_t amount = next_amount++, bal0, expect;
			size_t nlog = 0, i, seen = 0;
			char cmd[64], phase[40];
			int rc;

			fresh(0);
			bal0 = bal();
			snprintf(cmd, sizeof(cmd), "tear 0 %lu %s", k, mode ? "after" : "before");
			assert_int_equal(pctl(cmd, NULL, 0), 0);
			rc = lload(amount, &lr);
			assert_int_equal(pctl("untear 0", NULL, 0), 0);
			pinsert(0);
			fresh(0);
			assert_int_not_equal(rc, HC_OK);
			expect = bal0;
			if (rc == HC_ERR_RECOVERY_PENDING && led == HC_LEDGER_ED) {
				/* the next ordinary load decides it first, then loads 1 fen */
				hc_purse_load_receipt_t lr2, done[2];
				size_t nres = 0;

				assert_int_equal(lr.state, HC_PURSE_OPEN);
				assert_int_equal(lload(1, &lr2), HC_OK);
				assert_int_equal(hc_purse_load_recover(env.purse, done, 2, &nres, NULL),
				    HC_OK);
				assert_int_equal(nres, 0);      /* nothing left open */
				newest_load_phase(phase, sizeof(phase));
				assert_string_equal(phase, "completed");
				assert_int_equal(hc_purse_log(env.purse, log, &nlog), HC_OK);
				for (i = 0; i < nlog; i++)
					seen += log[i].is_load && log[i].amount == amount;
				expect = bal0 + 1 + (seen ? amount : 0);
				seen = 0;
				bal0 += 1;      /* the 1 fen is not the torn load */
			} else if (rc == HC_ERR_RECOVERY_PENDING) {
				assert_int_equal(lr.state, HC_PURSE_OPEN);
				assert_int_equal(hc_purse_load_resolve(env.purse, &lr), HC_OK);
				assert_true(lr.state == HC_PURSE_VOID ||
				    lr.state == HC_PURSE_COMPLETED_TAC_UNKNOWN);
				if (lr.state == HC_PURSE_COMPLETED_TAC_UNKNOWN)
					expect = bal0 + amount;
				newest_load_phase(phase, sizeof(phase));
				assert_string_equal(phase, lr.state == HC_PURSE_VOID ? "void" :
				    "completed-tac-unknown");
			}
			print_message("load torn at APDU %lu %s: %s -> %s\n", k, mode ? "after" : "before",
			    hc_errname(rc), expect == bal0 ? "not loaded" : "loaded");
			/* balance and card log agree with the resolution */
			assert_int_equal(bal(), expect);
			assert_int_equal(hc_purse_log(env.purse, log, &nlog), HC_OK);
			for (i = 0; i < nlog; i++)
				seen += log[i].is_load && log[i].amount == amount;
			assert_int_equal(seen, expect == bal0 ? 0 : 1);
			loaded_any |= expect != bal0;
		}
	}
	/* a tear after CREDIT executed (answer lost) was resolved as loaded */
	assert_true(loaded_any);
}

static void
test_tear_load(void **state)
{
	(void)state;
	tear_loads();
}

static void
test_tear_load_ed(void **state)
{
	(void)state;
	led = HC_LEDGER_ED;
	tear_loads();
	led = HC_LEDGER_EP;
}

static int
setup(void **state)
{
	(void)state;
	penv_open(&env);
	pload(&env, HC_LEDGER_EP, 100000);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	penv_close(&env);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tear_card),
		cmocka_unit_test(test_tear_sam),
		cmocka_unit_test(test_tear_load),
		cmocka_unit_test(test_tear_card_ed),
		cmocka_unit_test(test_tear_sam_ed),
		cmocka_unit_test(test_tear_load_ed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
