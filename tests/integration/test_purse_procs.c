/*
 * Charging processes that die, and two processes charging one card at once, through
 * pcscd + hcard-sim and one SQLite journal:
 * - a child process charging the card is killed with SIGKILL right after each step of the
 *   purchase (hc_purse_set_step_cb); the next process resolves the journal
 *   (hc_purse_recover): the amount was taken exactly when DEBIT had executed, the journal
 *   says so (void / completed), nothing stays open;
 * - two processes charge the same card concurrently: each charge is one PC/SC transaction,
 *   so both go through in sequence (or one gets a clear error) and the balance is exact.
 */
#include "config.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "tests/integration/test_purse_util.h"

static penv_t env;

static void
kill_at(int step, void *arg)
{
	if (step == *(int *)arg)
		raise(SIGKILL);
}

/* The newest charge entry of the card in the journal ("" if none). */
static void
newest_charge(char out[37])
{
	hc_journal_entry_t *e = calloc(64, sizeof(*e));
	hc_purse_info_t info;
	size_t n = 0, i;

	assert_non_null(e);
	out[0] = '\0';
	assert_int_equal(hc_purse_info(env.purse, &info), HC_OK);
	assert_int_equal(hc_store_journal_list(env.store, info.serial + 2, e, 64, &n), HC_OK);
	for (i = 0; i < n; i++) {
		if (e[i].kind == HC_JOURNAL_CHARGE) {
			memcpy(out, e[i].entry_id, 37);
			break;
		}
	}
	free(e);
}

static size_t
open_count(void)
{
	hc_purse_info_t info;
	hc_charge_t open[4];
	size_t n = 0;

	assert_int_equal(hc_purse_info(env.purse, &info), HC_OK);
	assert_int_equal(hc_store_charge_open_list(env.store, info.serial + 2, info.serial, open, 4,
	    &n), HC_OK);
	return n;
}

static void
test_killed(void **state)
{
	int step;

	(void)state;
	for (step = HC_PURSE_STEP_PSAM; step <= HC_PURSE_STEP_MAC2; step++) {
		hc_purse_charge_t c = pcharge(HC_LEDGER_EP, 200 + step);
		char before_id[37], after_id[37];
		hc_charge_t ch;
		size_t resolved = 9, still = 9;
		int64_t bal0;
		int status = 0;
		pid_t pid;

		bal0 = pbalance(&env, HC_LEDGER_EP);
		newest_charge(before_id);
		penv_close(&env);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			penv_t ce;
			hc_purse_receipt_t r;

			if (penv_try_open(&ce) != HC_OK)
				_exit(98);
			hc_purse_set_step_cb(ce.purse, kill_at, &step);
			(void)hc_purse_purchase(ce.purse, &c, &r);
			_exit(3);           /* not reached when the step came */
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status));
		assert_int_equal(WTERMSIG(status), SIGKILL);

		penv_open(&env);
		newest_charge(after_id);
		/* an intent exists from step INTENT on; it is open until the outcome step */
		if (step < HC_PURSE_STEP_INTENT)
			assert_string_equal(after_id, before_id);
		else
			assert_string_not_equal(after_id, before_id);
		assert_int_equal(open_count(),
		    step == HC_PURSE_STEP_INTENT || step == HC_PURSE_STEP_DEBIT ? 1 : 0);
		assert_int_equal(hc_purse_recover(env.purse, &resolved, &still), HC_OK);
		assert_int_equal(still, 0);
		assert_int_equal(resolved,
		    step == HC_PURSE_STEP_INTENT || step == HC_PURSE_STEP_DEBIT ? 1 : 0);
		assert_int_equal(open_count(), 0);
		print_message("killed after step %d: balance %lld -> %lld\n", step, (long long)bal0,
		    (long long)pbalance(&env, HC_LEDGER_EP));
		if (step < HC_PURSE_STEP_DEBIT) {
			assert_int_equal(pbalance(&env, HC_LEDGER_EP), bal0);
		} else {
			assert_int_equal(pbalance(&env, HC_LEDGER_EP), bal0 - c.self_pay);
		}
		if (step >= HC_PURSE_STEP_INTENT) {
			assert_int_equal(hc_store_charge_get(env.store, after_id, &ch), HC_OK);
			assert_int_equal(ch.amount, c.self_pay);
			if (step == HC_PURSE_STEP_INTENT) {
				assert_int_equal(ch.state, HC_CHARGE_VOID);
			} else {
				/* recovered by GET TRANSACTION PROVE: completed with the TAC */
				assert_int_equal(ch.state, HC_CHARGE_COMPLETED);
				assert_memory_not_equal(ch.tac, "\0\0\0\0", 4);
			}
		}
	}
}

/* Child of the concurrency test: waits for "go", charges `rounds` times, exits with the
 * number of successes, or 100 + an unexpected error. */
static void
charger(int go_fd, int64_t amount, int rounds)
{
	penv_t ce;
	char b;
	int i, ok = 0, rc;

	if ((rc = penv_try_open(&ce)) != HC_OK) {
		fprintf(stderr, "charger %lld: open failed: %s\n", (long long)amount, hc_errname(rc));
		_exit(98);
	}
	if (read(go_fd, &b, 1) != 1)
		_exit(99);
	for (i = 0; i < rounds; i++) {
		hc_purse_charge_t c = pcharge(HC_LEDGER_EP, amount);
		hc_purse_receipt_t r;

		rc = hc_purse_purchase(ce.purse, &c, &r);
		if (rc == HC_OK) {
			ok++;
		} else if (rc == HC_ERR_CARD_RESET || rc == HC_ERR_SHARING || rc == HC_ERR_TIMEOUT) {
			fprintf(stderr, "charger %lld: %s (clear error, nothing taken)\n",
			    (long long)amount, hc_errname(rc));
			hc_purse_free(&ce.purse);
			hc_card_close(&ce.card);
			if (hc_card_open(ce.term, &ce.card) != HC_OK ||
			    hc_purse_open(ce.card, ce.store, &ce.purse) != HC_OK)
				_exit(97);
		} else {
			fprintf(stderr, "charger %lld: unexpected %s\n", (long long)amount,
			    hc_errname(rc));
			_exit(100 + (rc & 0x7F) % 100);
		}
	}
	penv_close(&ce);
	_exit(ok);
}

static void
test_concurrent(void **state)
{
	hc_purse_log_entry_t log[HC_PURSE_LOG_MAX];
	int go[2], st1 = 0, st2 = 0, s1, s2;
	size_t n = 0, i, c11 = 0, c13 = 0;
	int64_t bal0;
	pid_t p1, p2;

	(void)state;
	bal0 = pbalance(&env, HC_LEDGER_EP);
	penv_close(&env);
	assert_int_equal(pipe(go), 0);
	if ((p1 = fork()) == 0)
		charger(go[0], 11, 5);
	if ((p2 = fork()) == 0)
		charger(go[0], 13, 5);
	assert_true(p1 > 0 && p2 > 0);
	sleep(2);                    /* both children opened their terminal and card */
	assert_int_equal(write(go[1], "gg", 2), 2);
	assert_int_equal(waitpid(p1, &st1, 0), p1);
	assert_int_equal(waitpid(p2, &st2, 0), p2);
	close(go[0]);
	close(go[1]);
	assert_true(WIFEXITED(st1) && WIFEXITED(st2));
	s1 = WEXITSTATUS(st1);
	s2 = WEXITSTATUS(st2);
	print_message("concurrent: %d and %d charges went through\n", s1, s2);
	assert_true(s1 <= 5 && s2 <= 5);
	assert_true(s1 >= 1 && s2 >= 1 && s1 + s2 >= 5);
	penv_open(&env);
	assert_int_equal(pbalance(&env, HC_LEDGER_EP), bal0 - 11 * s1 - 13 * s2);
	assert_int_equal(open_count(), 0);
	assert_int_equal(hc_purse_log(env.purse, log, &n), HC_OK);
	for (i = 0; i < n && i < (size_t)(s1 + s2); i++) {
		c11 += log[i].amount == 11;
		c13 += log[i].amount == 13;
	}
	assert_int_equal(c11, (size_t)s1);
	assert_int_equal(c13, (size_t)s2);
}

static int
setup(void **state)
{
	(void)state;
	penv_open(&env);
	pload(&env, HC_LEDGER_EP, 50000);
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
		cmocka_unit_test(test_killed),
		cmocka_unit_test(test_concurrent),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
