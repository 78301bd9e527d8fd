/*
 * The store's behaviour, run against SQLite (a temporary file) and, when HCARD_PG_URI is set
 * (tests/harness/with-postgres), against a real PostgreSQL: the same tests, both back ends.
 * Sync is tested SQLite -> PostgreSQL under with-postgres, SQLite -> SQLite otherwise.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "src/store.h"
#include "src/store_impl.h"

static char tmpdir[] = "/tmp/hcard-store-test.XXXXXX";
static char local_path[256], remote_path[256], term_path[256];
static const char *uri;      /* back end under test */

/* A card number unique to this run, so runs against a shared database never collide. */
static void
card_number(char out[19])
{
	static unsigned counter;
	snprintf(out, 19, "T%05u%06u%06u", (unsigned)(getpid() % 100000), (unsigned)(rand() % 1000000),
	    ++counter);
}

static hc_store_t *
open_or_fail(const char *u)
{
	hc_store_t *st = NULL;
	assert_int_equal(hc_store_open(u, &st), HC_OK);
	assert_non_null(st);
	return st;
}

static void
test_open_migrates_once(void **state)
{
	hc_store_t *st = open_or_fail(uri);
	int v = 0;

	(void)state;
	assert_int_equal(hc_store_schema_version(st, &v), HC_OK);
	assert_int_equal(v, 2);
	hc_store_close(&st);
	assert_null(st);
	/* a second open must not re-run a migration (CREATE TABLE would fail) */
	st = open_or_fail(uri);
	assert_int_equal(hc_store_schema_version(st, &v), HC_OK);
	assert_int_equal(v, 2);
	hc_store_close(&st);
}

static void
test_journal(void **state)
{
	hc_store_t *st = open_or_fail(uri);
	hc_journal_entry_t e, list[8];
	char card[19];
	size_t n = 0, k;

	(void)state;
	card_number(card);
	for (k = 0; k < 3; k++) {
		memset(&e, 0, sizeof(e));
		e.kind = k == 0 ? HC_JOURNAL_ISSUE : HC_JOURNAL_REGISTER;
		snprintf(e.card_number, sizeof(e.card_number), "%s", card);
		snprintf(e.issue_serial, sizeof(e.issue_serial), "S000000001");
		snprintf(e.who, sizeof(e.who), "前台%zu", k);
		snprintf(e.detail, sizeof(e.detail), "{\"name\":\"张三\",\"n\":%zu}", k);
		assert_int_equal(hc_store_journal_add(st, &e), HC_OK);
		assert_true(e.id > 0);
		assert_int_equal(strlen(e.entry_id), HC_ENTRY_ID_LEN);
		assert_true(e.at > 1600000000);
	}
	assert_int_equal(hc_store_journal_list(st, card, list, 8, &n), HC_OK);
	assert_int_equal(n, 3);
	/* newest first, round-tripped UTF-8 */
	assert_string_equal(list[0].who, "前台2");
	assert_string_equal(list[0].detail, "{\"name\":\"张三\",\"n\":2}");
	assert_int_equal(list[2].kind, HC_JOURNAL_ISSUE);
	assert_int_equal(list[0].charge_state, -1);
	assert_string_not_equal(list[0].entry_id, list[1].entry_id);
	/* limit respected */
	assert_int_equal(hc_store_journal_list(st, card, list, 2, &n), HC_OK);
	assert_int_equal(n, 2);
	/* a bad kind is refused */
	memset(&e, 0, sizeof(e));
	e.kind = (hc_journal_kind_t)99;
	assert_int_equal(hc_store_journal_add(st, &e), HC_ERR_INVALID_ARGUMENT);
	hc_store_close(&st);
}

static void
fill_charge(hc_charge_t *c, const char *card, uint16_t n)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->card_number, sizeof(c->card_number), "%s", card);
	snprintf(c->app_serial, sizeof(c->app_serial), "12345678901234567890");
	c->ledger = 2;
	c->n = n;
	c->amount = 597;
	c->t = 0x01020304;
	memcpy(c->terminal, "\x11\x22\x33\x44\x55\x66", 6);
	snprintf(c->date, sizeof(c->date), "20261123");
	snprintf(c->time, sizeof(c->time), "113000");
	c->fund = 2728;
	c->account = 54;
	c->self_pay = 597;
	c->balance_after = -1;
}

static void
test_charge_lifecycle(void **state)
{
	hc_store_t *st = open_or_fail(uri);
	hc_charge_t c, open[4], got;
	char card[19];
	size_t n = 9;

	(void)state;
	card_number(card);
	fill_charge(&c, card, 7);
	assert_int_equal(hc_store_charge_intent(st, &c), HC_OK);
	assert_true(c.id > 0);
	assert_int_equal(hc_store_charge_open_list(st, card, "12345678901234567890", open, 4, &n),
	    HC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(open[0].n, 7);
	assert_int_equal(open[0].amount, 597);
	assert_int_equal(open[0].t, 0x01020304);
	assert_memory_equal(open[0].terminal, "\x11\x22\x33\x44\x55\x66", 6);
	assert_int_equal(open[0].fund + open[0].account + open[0].self_pay, 3379);
	assert_int_equal(open[0].state, HC_CHARGE_OPEN);
	/* another application serial has nothing open */
	assert_int_equal(hc_store_charge_open_list(st, card, "99999999999999999999", open, 4, &n),
	    HC_OK);
	assert_int_equal(n, 0);

	c.state = HC_CHARGE_COMPLETED;
	memcpy(c.tac, "\xde\xad\xbe\xef", 4);
	memcpy(c.mac2, "\x01\x02\x03\x04", 4);
	c.balance_after = 9403;
	assert_int_equal(hc_store_charge_outcome(st, &c), HC_OK);
	assert_int_equal(hc_store_charge_open_list(st, card, NULL, open, 4, &n), HC_OK);
	assert_int_equal(n, 0);
	assert_int_equal(hc_store_charge_get(st, c.entry_id, &got), HC_OK);
	assert_int_equal(got.state, HC_CHARGE_COMPLETED);
	assert_memory_equal(got.tac, "\xde\xad\xbe\xef", 4);
	assert_memory_equal(got.mac2, "\x01\x02\x03\x04", 4);
	assert_int_equal(got.balance_after, 9403);
	{
		hc_journal_entry_t j[2];
		size_t nj = 0;
		assert_int_equal(hc_store_journal_list(st, card, j, 2, &nj), HC_OK);
		assert_int_equal(nj, 1);
		assert_int_equal(j[0].kind, HC_JOURNAL_CHARGE);
		assert_int_equal(j[0].charge_state, HC_CHARGE_COMPLETED);
		assert_string_equal(j[0].who, "");
		assert_int_equal(hc_store_journal_annotate(st, c.entry_id, "收费1", "S1", NULL), HC_OK);
		assert_int_equal(hc_store_journal_annotate(st, c.entry_id, "other", "S2", NULL), HC_OK);
		assert_int_equal(hc_store_journal_list(st, card, j, 2, &nj), HC_OK);
		assert_string_equal(j[0].who, "收费1");          /* kept: set once */
		assert_string_equal(j[0].issue_serial, "S1");
		assert_int_equal(hc_store_journal_annotate(st, "no-such-entry", "x", "y", NULL),
		    HC_ERR_STORE);
	}
	/* an outcome is final */
	c.state = HC_CHARGE_VOID;
	assert_int_equal(hc_store_charge_outcome(st, &c), HC_ERR_STORE);
	assert_int_equal(hc_store_charge_get(st, c.entry_id, &got), HC_OK);
	assert_int_equal(got.state, HC_CHARGE_COMPLETED);

	/* bad intents are refused before anything is written */
	fill_charge(&c, card, 8);
	c.amount = 0;
	assert_int_equal(hc_store_charge_intent(st, &c), HC_ERR_INVALID_ARGUMENT);
	fill_charge(&c, card, 8);
	c.fund = -1;
	assert_int_equal(hc_store_charge_intent(st, &c), HC_ERR_INVALID_ARGUMENT);
	fill_charge(&c, card, 8);
	c.ledger = 3;
	assert_int_equal(hc_store_charge_intent(st, &c), HC_ERR_INVALID_ARGUMENT);
	assert_int_equal(hc_store_charge_open_list(st, card, NULL, open, 4, &n), HC_OK);
	assert_int_equal(n, 0);
	hc_store_close(&st);
}

/* An intent survives the process dying right after hc_store_charge_intent returns. */
static void
test_charge_intent_survives_crash(void **state)
{
	hc_charge_t c, open[4];
	char card[19];
	hc_store_t *st;
	pid_t pid;
	int status = 0;
	size_t n = 0;

	(void)state;
	card_number(card);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		hc_store_t *child = NULL;
		if (hc_store_open(uri, &child) != HC_OK)
			_exit(2);
		fill_charge(&c, card, 11);
		if (hc_store_charge_intent(child, &c) != HC_OK)
			_exit(3);
		_exit(0);   /* no close, no outcome: the debit was torn */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	st = open_or_fail(uri);
	assert_int_equal(hc_store_charge_open_list(st, card, NULL, open, 4, &n), HC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(open[0].n, 11);
	open[0].state = HC_CHARGE_VOID;
	assert_int_equal(hc_store_charge_outcome(st, &open[0]), HC_OK);
	assert_int_equal(hc_store_charge_open_list(st, card, NULL, open, 4, &n), HC_OK);
	assert_int_equal(n, 0);
	hc_store_close(&st);
}

static void
bl_entry(hc_bl_entry_t *e, const char *card, const char *serial, hc_bl_state_t s)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->card_number, sizeof(e->card_number), "%s", card);
	snprintf(e->issue_serial, sizeof(e->issue_serial), "%s", serial);
	e->state = s;
	snprintf(e->who, sizeof(e->who), "窗口3");
}

static void
test_blacklist(void **state)
{
	hc_store_t *st = open_or_fail(uri);
	hc_bl_entry_t e, got, list[4];
	char card[19];
	int64_t v0 = 0, v1 = 0;
	size_t n = 0;

	(void)state;
	card_number(card);
	assert_int_equal(hc_store_bl_get(st, card, "A000000001", &got), HC_OK);
	assert_int_equal(got.state, HC_BL_NONE);
	assert_false(hc_bl_refused(got.state));
	assert_int_equal(hc_store_bl_max_version(st, &v0), HC_OK);

	bl_entry(&e, card, "A000000001", HC_BL_LOST);
	assert_int_equal(hc_store_bl_set(st, &e), HC_OK);
	assert_true(e.version > v0);
	assert_int_equal(hc_store_bl_get(st, card, "A000000001", &got), HC_OK);
	assert_int_equal(got.state, HC_BL_LOST);
	assert_true(hc_bl_refused(got.state));
	assert_string_equal(got.who, "窗口3");
	assert_true(got.at > 1600000000);
	/* another serial of the same card number is not affected */
	assert_int_equal(hc_store_bl_get(st, card, "A000000002", &got), HC_OK);
	assert_int_equal(got.state, HC_BL_NONE);

	bl_entry(&e, card, "A000000001", HC_BL_FOUND);
	assert_int_equal(hc_store_bl_set(st, &e), HC_OK);
	assert_int_equal(hc_store_bl_get(st, card, "A000000001", &got), HC_OK);
	assert_int_equal(got.state, HC_BL_FOUND);
	assert_false(hc_bl_refused(got.state));
	/* found twice: nothing is lost */
	assert_int_equal(hc_store_bl_set(st, &e), HC_ERR_NOT_PERMITTED);

	bl_entry(&e, card, "A000000001", HC_BL_REPLACED);
	assert_int_equal(hc_store_bl_set(st, &e), HC_OK);
	v1 = e.version;
	bl_entry(&e, card, "A000000001", HC_BL_LOST);
	assert_int_equal(hc_store_bl_set(st, &e), HC_ERR_NOT_PERMITTED);
	bl_entry(&e, card, "A000000001", HC_BL_FOUND);
	assert_int_equal(hc_store_bl_set(st, &e), HC_ERR_NOT_PERMITTED);
	assert_int_equal(hc_store_bl_get(st, card, "A000000001", &got), HC_OK);
	assert_int_equal(got.state, HC_BL_REPLACED);
	assert_int_equal(got.version, v1);

	/* changes since v0: only the latest state of the entry */
	assert_int_equal(hc_store_bl_changes(st, v0, list, 4, &n), HC_OK);
	assert_true(n >= 1);
	assert_int_equal(list[n - 1].version, v1);
	assert_int_equal(list[n - 1].state, HC_BL_REPLACED);
	assert_int_equal(hc_store_bl_list_card(st, card, list, 4, &n), HC_OK);
	assert_int_equal(n, 1);

	bl_entry(&e, card, "A000000001", HC_BL_NONE);
	assert_int_equal(hc_store_bl_set(st, &e), HC_ERR_INVALID_ARGUMENT);
	assert_int_equal(hc_bl_state_parse("lost"), HC_BL_LOST);
	assert_int_equal(hc_bl_state_parse("stolen"), -1);
	hc_store_close(&st);
}

static int
count_name(const char *name, void *arg)
{
	(void)name;
	(*(int *)arg)++;
	return 0;
}

static void
test_archive(void **state)
{
	hc_store_t *st = open_or_fail(uri);
	uint8_t data[300], back[300];
	char card[19];
	size_t len, k;
	int names = 0;

	(void)state;
	card_number(card);
	for (k = 0; k < sizeof(data); k++)
		data[k] = (uint8_t)(k * 7);   /* includes 00 and bytes >= 80 */
	assert_int_equal(hc_store_archive_put(st, card, "S1", "DF01/EF05", data, sizeof(data)), HC_OK);
	assert_int_equal(hc_store_archive_put(st, card, "S1", "DF02/EF05", data, 10), HC_OK);
	len = sizeof(back);
	assert_int_equal(hc_store_archive_get(st, card, "S1", "DF01/EF05", back, &len), HC_OK);
	assert_int_equal(len, sizeof(data));
	assert_memory_equal(back, data, sizeof(data));
	/* overwrite */
	data[0] = 0xAA;
	assert_int_equal(hc_store_archive_put(st, card, "S1", "DF01/EF05", data, 5), HC_OK);
	len = sizeof(back);
	assert_int_equal(hc_store_archive_get(st, card, "S1", "DF01/EF05", back, &len), HC_OK);
	assert_int_equal(len, 5);
	assert_int_equal(back[0], 0xAA);
	len = 4;
	assert_int_equal(hc_store_archive_get(st, card, "S1", "DF01/EF05", back, &len),
	    HC_ERR_BUFFER_TOO_SMALL);
	len = sizeof(back);
	assert_int_equal(hc_store_archive_get(st, card, "S2", "DF01/EF05", back, &len), HC_ERR_STORE);
	assert_int_equal(hc_store_archive_names(st, card, "S1", count_name, &names), HC_OK);
	assert_int_equal(names, 2);
	hc_store_close(&st);
}

static void
test_sync(void **state)
{
	const char *pg = getenv("HCARD_PG_URI");
	hc_store_t *local = open_or_fail(term_path);   /* a fresh terminal */
	hc_store_t *remote = open_or_fail(pg != NULL ? pg : remote_path);
	hc_sync_stats_t s;
	hc_journal_entry_t e, list[8];
	hc_charge_t c, got;
	hc_bl_entry_t b, bg;
	char card[19];
	size_t n = 0, k;

	(void)state;
	card_number(card);
	/* offline: two registrations and an open charge on the terminal */
	for (k = 0; k < 2; k++) {
		memset(&e, 0, sizeof(e));
		e.kind = HC_JOURNAL_REGISTER;
		snprintf(e.card_number, sizeof(e.card_number), "%s", card);
		assert_int_equal(hc_store_journal_add(local, &e), HC_OK);
	}
	fill_charge(&c, card, 3);
	assert_int_equal(hc_store_charge_intent(local, &c), HC_OK);
	/* meanwhile the card is reported lost at the central desk */
	bl_entry(&b, card, "S1", HC_BL_LOST);
	assert_int_equal(hc_store_bl_set(remote, &b), HC_OK);
	/* and the terminal, offline, marks another card revoked */
	bl_entry(&b, card, "S0", HC_BL_REVOKED);
	assert_int_equal(hc_store_bl_set(local, &b), HC_OK);

	assert_int_equal(hc_store_sync(local, remote, &s), HC_OK);
	assert_true(s.journal_pushed >= 3);
	assert_true(s.bl_pulled >= 1);
	assert_int_equal(s.bl_pushed, 1);
	assert_int_equal(hc_store_bl_get(local, card, "S1", &bg), HC_OK);
	assert_int_equal(bg.state, HC_BL_LOST);
	assert_int_equal(hc_store_bl_get(remote, card, "S0", &bg), HC_OK);
	assert_int_equal(bg.state, HC_BL_REVOKED);
	assert_int_equal(hc_store_journal_list(remote, card, list, 8, &n), HC_OK);
	assert_int_equal(n, 3);

	/* again: nothing new, no duplicates */
	assert_int_equal(hc_store_sync(local, remote, &s), HC_OK);
	assert_int_equal(s.journal_pushed, 0);
	assert_int_equal(s.bl_pushed, 0);
	assert_int_equal(hc_store_journal_list(remote, card, list, 8, &n), HC_OK);
	assert_int_equal(n, 3);

	/* the charge's outcome arrives later: pushed as an update of the same entry */
	c.state = HC_CHARGE_COMPLETED;
	memcpy(c.tac, "\x0a\x0b\x0c\x0d", 4);
	c.balance_after = 100;
	assert_int_equal(hc_store_charge_outcome(local, &c), HC_OK);
	assert_int_equal(hc_store_sync(local, remote, &s), HC_OK);
	assert_int_equal(s.journal_pushed, 1);
	assert_int_equal(hc_store_journal_list(remote, card, list, 8, &n), HC_OK);
	assert_int_equal(n, 3);
	assert_int_equal(hc_store_charge_get(remote, c.entry_id, &got), HC_OK);
	assert_int_equal(got.state, HC_CHARGE_COMPLETED);
	assert_memory_equal(got.tac, "\x0a\x0b\x0c\x0d", 4);
	assert_int_equal(got.fund, 2728);
	hc_store_close(&local);
	hc_store_close(&remote);
}

/* Four processes write the store at once: every blacklist change gets its own version and
 * every journal entry arrives (SQLite: BEGIN IMMEDIATE + busy timeout; PostgreSQL: sequence). */
static void
test_concurrent_writers(void **state)
{
	enum { PROCS = 4, EACH = 25 };
	hc_store_t *st = open_or_fail(uri);
	hc_bl_entry_t *list;
	char prefix[19];
	int64_t v0 = 0;
	size_t n = 0, k, j, mine = 0;
	int p, status;

	(void)state;
	card_number(prefix);
	prefix[12] = '\0';
	assert_int_equal(hc_store_bl_max_version(st, &v0), HC_OK);
	hc_store_close(&st);
	for (p = 0; p < PROCS; p++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			hc_store_t *c = NULL;
			hc_bl_entry_t e;
			int i;
			if (hc_store_open(uri, &c) != HC_OK)
				_exit(2);
			for (i = 0; i < EACH; i++) {
				memset(&e, 0, sizeof(e));
				snprintf(e.card_number, sizeof(e.card_number), "%s%d%05d", prefix, p, i);
				snprintf(e.issue_serial, sizeof(e.issue_serial), "C");
				e.state = HC_BL_LOST;
				if (hc_store_bl_set(c, &e) != HC_OK)
					_exit(3);
			}
			hc_store_close(&c);
			_exit(0);
		}
	}
	for (p = 0; p < PROCS; p++) {
		assert_true(wait(&status) > 0);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	st = open_or_fail(uri);
	list = calloc(4096, sizeof(*list));
	assert_non_null(list);
	assert_int_equal(hc_store_bl_changes(st, v0, list, 4096, &n), HC_OK);
	for (k = 0; k < n; k++) {
		if (strncmp(list[k].card_number, prefix, strlen(prefix)) != 0)
			continue;
		mine++;
		for (j = k + 1; j < n; j++)
			assert_true(list[j].version != list[k].version);
	}
	assert_int_equal(mine, PROCS * EACH);
	free(list);
	hc_store_close(&st);
}

static void
test_unreachable(void **state)
{
	hc_store_t *st = NULL;

	(void)state;
	assert_int_equal(hc_store_open("postgresql://nobody@/none?host=/nonexistent-hcard-dir", &st),
	    HC_ERR_STORE_UNREACHABLE);
	assert_null(st);
	assert_int_not_equal(hc_store_open("sqlite:/nonexistent-hcard-dir/x.db", &st), HC_OK);
	assert_null(st);
}

/* Issue 12 item 12: a card reported lost by its number alone (serial "", a store that never
 * issued it) is refused whatever its serial, until the desk settles it on the actual card. */
static void
test_blacklist_number_only(void **state)
{
	hc_store_t *st = open_or_fail(uri);
	hc_bl_entry_t e, got;
	char card[19];

	(void)state;
	card_number(card);
	bl_entry(&e, card, "", HC_BL_LOST);
	assert_int_equal(hc_store_bl_set(st, &e), HC_OK);
	assert_int_equal(hc_store_bl_get(st, card, "0000000007", &got), HC_OK);
	assert_int_equal(got.state, HC_BL_LOST);
	assert_string_equal(got.issue_serial, "0000000007");
	/* found on the card itself: the number-only report is settled too */
	bl_entry(&e, card, "0000000007", HC_BL_FOUND);
	assert_int_equal(hc_store_bl_set(st, &e), HC_OK);
	assert_int_equal(hc_store_bl_get(st, card, "0000000007", &got), HC_OK);
	assert_int_equal(got.state, HC_BL_FOUND);
	assert_int_equal(hc_store_bl_get(st, card, "", &got), HC_OK);
	assert_int_equal(got.state, HC_BL_FOUND);
	/* lost by phone again, then replaced at the desk: the new card is usable, the old not */
	bl_entry(&e, card, "", HC_BL_LOST);
	assert_int_equal(hc_store_bl_set(st, &e), HC_OK);
	assert_int_equal(hc_store_bl_get(st, card, "0000000007", &got), HC_OK);
	assert_int_equal(got.state, HC_BL_LOST);
	bl_entry(&e, card, "0000000007", HC_BL_REPLACED);
	assert_int_equal(hc_store_bl_set(st, &e), HC_OK);
	assert_int_equal(hc_store_bl_get(st, card, "0000000008", &got), HC_OK);
	assert_false(hc_bl_refused(got.state));
	assert_int_equal(hc_store_bl_get(st, card, "0000000007", &got), HC_OK);
	assert_int_equal(got.state, HC_BL_REPLACED);
	/* a later number-only change never revives the replaced card */
	bl_entry(&e, card, "", HC_BL_LOST);
	assert_int_equal(hc_store_bl_set(st, &e), HC_OK);
	bl_entry(&e, card, "", HC_BL_FOUND);
	assert_int_equal(hc_store_bl_set(st, &e), HC_OK);
	assert_int_equal(hc_store_bl_get(st, card, "0000000007", &got), HC_OK);
	assert_int_equal(got.state, HC_BL_REPLACED);
	hc_store_close(&st);
}

static void
sql_or_fail(hc_store_t *st, const char *sql)
{
	assert_int_equal(st->ops->exec(st, sql, NULL, 0, NULL, NULL, NULL), HC_OK);
}

/* PostgreSQL: a trigger that sleeps in a blacklist write whose note says so ("slow N" sleeps
 * N milliseconds), to hold the window between a desk's read and its write wide open. */
static void
pg_slow_trigger(hc_store_t *st)
{
	if (st->ops->dialect != HC_DIALECT_PG)
		return;
	sql_or_fail(st, "CREATE OR REPLACE FUNCTION hc_test_slow() RETURNS trigger AS $$ BEGIN"
	    " IF NEW.note LIKE 'slow %' THEN"
	    " PERFORM pg_sleep(CAST(substr(NEW.note, 6) AS integer) / 1000.0); END IF;"
	    " RETURN NEW; END $$ LANGUAGE plpgsql");
	sql_or_fail(st, "DROP TRIGGER IF EXISTS hc_test_slow ON blacklist");
	sql_or_fail(st, "CREATE TRIGGER hc_test_slow BEFORE INSERT OR UPDATE ON blacklist"
	    " FOR EACH ROW EXECUTE PROCEDURE hc_test_slow()");
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A child process that sets each of cards[0..n) to state s (note "slow MS"), card k at the
 * wall-clock time start + k * slot milliseconds when slot > 0 (two writers meet on each
 * card); exits 0. */
static pid_t
bl_writer(const char cards[][19], size_t n, const char *serial, hc_bl_state_t s, int ms,
    int64_t start, int slot)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		hc_store_t *c = NULL;
		hc_bl_entry_t e;
		size_t k;
		if (hc_store_open(uri, &c) != HC_OK)
			_exit(2);
		for (k = 0; k < n; k++) {
			int64_t at = start + (int64_t)k * slot, d;
			if (slot > 0 && (d = at - now_ms()) > 0)
				usleep((useconds_t)(d * 1000));
			bl_entry(&e, cards[k], serial, s);
			snprintf(e.note, sizeof(e.note), "slow %d", ms);
			int rc = hc_store_bl_set(c, &e);
			if (rc != HC_OK && rc != HC_ERR_NOT_PERMITTED)
				_exit(3);
		}
		hc_store_close(&c);
		_exit(0);
	}
	return pid;
}

static void
wait_ok(pid_t pid)
{
	int status = 0;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Issue 12 item 10: two desks, one revoking and one finding the same lost cards at once:
 * whatever the order, a revoked card never ends found (revoke after found is allowed, found
 * after revoke is not), so every card ends revoked. */
static void
test_revoke_found_race(void **state)
{
	enum { CARDS = 40 };
	hc_store_t *st = open_or_fail(uri);
	char (*cards)[19] = calloc(CARDS, sizeof(*cards));
	hc_bl_entry_t e, got;
	pid_t a, b;
	int64_t start;
	size_t k, found = 0;

	(void)state;
	assert_non_null(cards);
	pg_slow_trigger(st);
	for (k = 0; k < CARDS; k++) {
		card_number(cards[k]);
		bl_entry(&e, cards[k], "R1", HC_BL_LOST);
		assert_int_equal(hc_store_bl_set(st, &e), HC_OK);
	}
	start = now_ms() + 500;
	a = bl_writer((const char (*)[19])cards, CARDS, "R1", HC_BL_REVOKED, 20, start, 80);
	b = bl_writer((const char (*)[19])cards, CARDS, "R1", HC_BL_FOUND, 20, start, 80);
	wait_ok(a);
	wait_ok(b);
	for (k = 0; k < CARDS; k++) {
		assert_int_equal(hc_store_bl_get(st, cards[k], "R1", &got), HC_OK);
		if (got.state != HC_BL_REVOKED) {
			fprintf(stderr, "card %s ended %s\n", cards[k], hc_bl_state_name(got.state));
			found++;
		}
	}
	assert_int_equal(found, 0);
	free(cards);
	hc_store_close(&st);
}

/* Issue 12 item 11: writer A is slow to commit its change, writer B commits one after A
 * started, a terminal pulls in between and again after: it must end with both changes. */
static void
test_pull_gap_free(void **state)
{
	char pull_path[300];
	hc_store_t *st = open_or_fail(uri), *local;
	hc_sync_stats_t s;
	hc_bl_entry_t got;
	char slow[1][19], fast[1][19];
	pid_t a, b;

	(void)state;
	snprintf(pull_path, sizeof(pull_path), "sqlite:%s/pull-%d.db", tmpdir, (int)getpid());
	local = open_or_fail(pull_path);
	pg_slow_trigger(st);
	card_number(slow[0]);
	card_number(fast[0]);
	a = bl_writer((const char (*)[19])slow, 1, "G1", HC_BL_LOST, 1500, 0, 0);
	usleep(300000);                      /* A holds its write (PostgreSQL: in the trigger) */
	b = bl_writer((const char (*)[19])fast, 1, "G1", HC_BL_LOST, 0, 0, 0);
	wait_ok(b);
	assert_int_equal(hc_store_sync(local, st, &s), HC_OK);
	wait_ok(a);
	assert_int_equal(hc_store_sync(local, st, &s), HC_OK);
	assert_int_equal(hc_store_bl_get(local, fast[0], "G1", &got), HC_OK);
	assert_int_equal(got.state, HC_BL_LOST);
	assert_int_equal(hc_store_bl_get(local, slow[0], "G1", &got), HC_OK);
	assert_int_equal(got.state, HC_BL_LOST);
	hc_store_close(&local);
	hc_store_close(&st);
}

static mode_t
mode_of(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	return sb.st_mode & 07777;
}

/* Issue 12 items 9 and 13: the default store is $HCARD_STATE_DIR/hcard.db, else
 * $localstatedir/lib/hcard/hcard.db; under umask 000 the state directory is created 0750
 * (its missing parents 0755), the database and its -wal/-shm 0600; an existing world-readable
 * database loses the access of others. */
static void
test_state_dir_modes(void **state)
{
	char dir[300], path[400], want[400], got[420];
	const char *old = getenv("HCARD_STATE_DIR");
	hc_store_t *st;
	hc_journal_entry_t e;
	mode_t um;
	int fd;

	(void)state;
	unsetenv("HCARD_STATE_DIR");
	assert_int_equal(hc_store_default_uri(got, sizeof(got)), HC_OK);
	assert_string_equal(got, "sqlite:" HC_LOCALSTATEDIR "/lib/hcard/hcard.db");
	assert_int_equal(hc_state_dir(got, sizeof(got)), HC_OK);
	assert_string_equal(got, HC_LOCALSTATEDIR "/lib/hcard");

	snprintf(dir, sizeof(dir), "%s/var/lib/hcard", tmpdir);
	setenv("HCARD_STATE_DIR", dir, 1);
	snprintf(want, sizeof(want), "sqlite:%s/hcard.db", dir);
	assert_int_equal(hc_store_default_uri(got, sizeof(got)), HC_OK);
	assert_string_equal(got, want);
	um = umask(0);
	st = open_or_fail(NULL);
	memset(&e, 0, sizeof(e));
	e.kind = HC_JOURNAL_REGISTER;
	snprintf(e.card_number, sizeof(e.card_number), "110101199003071233");
	assert_int_equal(hc_store_journal_add(st, &e), HC_OK);
	assert_int_equal(mode_of(dir), 0750);
	snprintf(path, sizeof(path), "%s/var/lib", tmpdir);
	assert_int_equal(mode_of(path), 0755);
	snprintf(path, sizeof(path), "%s/hcard.db", dir);
	assert_int_equal(mode_of(path), 0600);
	snprintf(path, sizeof(path), "%s/hcard.db-wal", dir);
	assert_int_equal(mode_of(path), 0600);
	snprintf(path, sizeof(path), "%s/hcard.db-shm", dir);
	assert_int_equal(mode_of(path), 0600);
	hc_store_close(&st);

	/* a store file someone made world-readable */
	snprintf(path, sizeof(path), "%s/open.db", tmpdir);
	fd = open(path, O_CREAT | O_WRONLY, 0666);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(mode_of(path), 0666);
	snprintf(got, sizeof(got), "sqlite:%s", path);
	st = open_or_fail(got);
	hc_store_close(&st);
	assert_int_equal(mode_of(path) & 0007, 0);
	snprintf(path, sizeof(path), "%s/open.db-wal", tmpdir);
	if (access(path, F_OK) == 0)
		assert_int_equal(mode_of(path) & 0007, 0);
	umask(um);
	if (old != NULL)
		setenv("HCARD_STATE_DIR", old, 1);
	else
		unsetenv("HCARD_STATE_DIR");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_migrates_once),
		cmocka_unit_test(test_journal),
		cmocka_unit_test(test_charge_lifecycle),
		cmocka_unit_test(test_charge_intent_survives_crash),
		cmocka_unit_test(test_blacklist),
		cmocka_unit_test(test_archive),
		cmocka_unit_test(test_sync),
		cmocka_unit_test(test_concurrent_writers),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_blacklist_number_only),
		cmocka_unit_test(test_revoke_found_race),
		cmocka_unit_test(test_pull_gap_free),
		cmocka_unit_test(test_state_dir_modes),
	};
	char cmd[300];
	int rc;

	srand((unsigned)getpid());
	if (mkdtemp(tmpdir) == NULL)
		return 99;
	snprintf(local_path, sizeof(local_path), "sqlite:%s/local.db", tmpdir);
	snprintf(remote_path, sizeof(remote_path), "sqlite:%s/remote.db", tmpdir);
	snprintf(term_path, sizeof(term_path), "sqlite:%s/terminal.db", tmpdir);
	uri = getenv("HCARD_PG_URI") != NULL && getenv("HCARD_TEST_PG") != NULL ?
	    getenv("HCARD_PG_URI") : local_path;
	fprintf(stderr, "store under test: %s\n", uri == local_path ? "sqlite" : "postgresql");
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return rc;
}
