/*
 * Store sync: an offline terminal (SQLite) and the shared store (PostgreSQL).
 * - Journal: rows whose revision was not pushed yet are upserted remotely by entry_id (so a
 *   retried push never duplicates), the remote row only taking a newer revision (a charge's
 *   outcome); then the local row remembers the pushed revision.
 * - Blacklist: local changes made offline are applied remotely (the remote's rules decide);
 *   then changes with a version above the last pulled one come down.
 * Every step is idempotent: an interruption anywhere is repaired by the next sync.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>

#include "store_impl.h"
#include "apdu/log.h"

#define SYNC_BATCH 200
#define SYNC_MAX_ROUNDS 100000   /* bound: 20 million rows per sync */

enum { J_ID, J_ENTRY, J_KIND, J_AT, J_CARD, J_SERIAL, J_TERM, J_WHO, J_RESULT, J_DETAIL,
	J_APP, J_LEDGER, J_N, J_AMOUNT, J_T, J_DATE, J_TIME, J_FUND, J_ACCOUNT, J_SELF,
	J_STATE, J_TAC, J_MAC2, J_BAL, J_REV, J_NCOLS };

static const int j_is_int[J_NCOLS] = {
	[J_ID] = 1, [J_KIND] = 1, [J_AT] = 1, [J_RESULT] = 1, [J_LEDGER] = 1, [J_N] = 1,
	[J_AMOUNT] = 1, [J_T] = 1, [J_FUND] = 1, [J_ACCOUNT] = 1, [J_SELF] = 1, [J_STATE] = 1,
	[J_BAL] = 1, [J_REV] = 1,
};

#define J_SELECT "SELECT id, entry_id, kind, at, card_number, issue_serial, terminal, who," \
	" result, detail, app_serial, ledger, n, amount, t, tdate, ttime, fund, account, self_pay," \
	" state, tac, mac2, balance_after, rev FROM journal"

typedef struct jrow {
	char *text[J_NCOLS];      /* NULL for SQL NULL */
	int64_t num[J_NCOLS];
} jrow_t;

typedef struct jbatch {
	jrow_t rows[SYNC_BATCH];
	size_t n;
	int oom;
} jbatch_t;

static void
jbatch_clear(jbatch_t *b)
{
	size_t r, c;

	for (r = 0; r < b->n; r++)
		for (c = 0; c < J_NCOLS; c++)
			free(b->rows[r].text[c]);
	b->n = 0;
}

static int
jrow_cb(const hc_sql_row_t *row, void *arg)
{
	jbatch_t *b = arg;
	jrow_t *j;
	int c;

	if (b->n >= SYNC_BATCH)
		return 1;
	j = &b->rows[b->n++];
	memset(j, 0, sizeof(*j));
	for (c = 0; c < J_NCOLS; c++) {
		const char *t = row->text(row, c);
		/* charge columns are NULL on other kinds: keep them NULL */
		if (c >= J_APP && c <= J_BAL && *t == '\0')
			continue;
		if (j_is_int[c])
			j->num[c] = row->int64(row, c);
		if ((j->text[c] = strdup(t)) == NULL)
			b->oom = 1;
	}
	return 0;
}

static hc_sql_val_t
jval(const jrow_t *j, int c)
{
	if (j->text[c] == NULL)
		return (hc_sql_val_t){ .type = HC_SQL_NULL };
	if (j_is_int[c])
		return HC_SQL_I(j->num[c]);
	return HC_SQL_S(j->text[c]);
}

static int
push_journal(hc_store_t *local, hc_store_t *remote, hc_sync_stats_t *stats)
{
	jbatch_t *b;
	hc_sql_val_t p[J_NCOLS - 1];
	size_t r, rounds;
	int c, rc = HC_OK;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return HC_ERR_NO_MEMORY;
	for (rounds = 0; rc == HC_OK && rounds < SYNC_MAX_ROUNDS; rounds++) {
		hc_sql_val_t lim[1] = { HC_SQL_I(SYNC_BATCH) };

		jbatch_clear(b);
		rc = local->ops->exec(local, J_SELECT " WHERE pushed_rev < rev ORDER BY id LIMIT ?",
		    lim, 1, jrow_cb, b, NULL);
		if (rc == HC_OK && b->oom)
			rc = HC_ERR_NO_MEMORY;
		if (rc != HC_OK || b->n == 0)
			break;
		if ((rc = hc_store_tx_begin(remote)) != HC_OK)
			break;
		for (r = 0; rc == HC_OK && r < b->n; r++) {
			for (c = J_ENTRY; c < J_NCOLS; c++)
				p[c - 1] = jval(&b->rows[r], c);
			/* the remote id is its own; rev decides which outcome is newer */
			rc = remote->ops->exec(remote, "INSERT INTO journal (entry_id, kind, at,"
			    " card_number, issue_serial, terminal, who, result, detail, app_serial, ledger,"
			    " n, amount, t, tdate, ttime, fund, account, self_pay, state, tac, mac2,"
			    " balance_after, rev, pushed_rev) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
			    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0) ON CONFLICT (entry_id) DO UPDATE SET"
			    " state = excluded.state, tac = excluded.tac, mac2 = excluded.mac2,"
			    " who = excluded.who, issue_serial = excluded.issue_serial,"
			    " balance_after = excluded.balance_after, result = excluded.result,"
			    " rev = excluded.rev WHERE journal.rev < excluded.rev",
			    p, J_NCOLS - 1, NULL, NULL, NULL);
		}
		if ((rc = hc_store_tx_end(remote, rc)) != HC_OK)
			break;
		/* Remote committed; now remember it locally. A crash in between only re-pushes. */
		if ((rc = hc_store_tx_begin(local)) != HC_OK)
			break;
		for (r = 0; rc == HC_OK && r < b->n; r++) {
			hc_sql_val_t q[2] = { HC_SQL_I(b->rows[r].num[J_REV]),
			    HC_SQL_I(b->rows[r].num[J_ID]) };
			rc = local->ops->exec(local, "UPDATE journal SET pushed_rev = ? WHERE id = ?", q, 2,
			    NULL, NULL, NULL);
		}
		if ((rc = hc_store_tx_end(local, rc)) == HC_OK)
			stats->journal_pushed += b->n;
	}
	jbatch_clear(b);
	free(b);
	return rc;
}

static int
meta_cb(const hc_sql_row_t *row, void *arg)
{
	*(int64_t *)arg = strtoll(row->text(row, 0), NULL, 10);
	return 1;
}

static int
push_blacklist(hc_store_t *local, hc_store_t *remote, hc_sync_stats_t *stats)
{
	hc_bl_entry_t *e;
	size_t n = 0, k, rounds;
	int rc = HC_OK;

	if ((e = calloc(SYNC_BATCH, sizeof(*e))) == NULL)
		return HC_ERR_NO_MEMORY;
	for (rounds = 0; rc == HC_OK && rounds < SYNC_MAX_ROUNDS; rounds++) {
		size_t done = 0;

		n = 0;
		rc = hc_store_bl_dirty(local, e, SYNC_BATCH, &n);
		if (rc != HC_OK || n == 0)
			break;
		for (k = 0; rc == HC_OK && k < n; k++) {
			hc_bl_entry_t r = e[k];
			int64_t local_version = e[k].version;
			int prc = hc_store_bl_set(remote, &r);

			if (prc == HC_ERR_STORE_UNREACHABLE || prc == HC_ERR_STORE) {
				rc = prc;
				break;
			}
			/* NOT_PERMITTED: the shared store knows better (e.g. replaced); pull fixes it */
			if (prc == HC_OK)
				stats->bl_pushed++;
			{
				hc_sql_val_t q[3] = { HC_SQL_S(e[k].card_number), HC_SQL_S(e[k].issue_serial),
				    HC_SQL_I(local_version) };
				rc = local->ops->exec(local, "UPDATE blacklist SET dirty = 0 WHERE"
				    " card_number = ? AND issue_serial = ? AND version = ?", q, 3, NULL, NULL,
				    NULL);
			}
			done++;
		}
		if (done < n)
			break;
	}
	free(e);
	return rc;
}

static int
pull_blacklist(hc_store_t *local, hc_store_t *remote, hc_sync_stats_t *stats)
{
	hc_bl_entry_t *e;
	int64_t since = 0;
	size_t n, k, rounds;
	int rc;

	if ((e = calloc(SYNC_BATCH, sizeof(*e))) == NULL)
		return HC_ERR_NO_MEMORY;
	rc = local->ops->exec(local, "SELECT value FROM meta WHERE key = 'remote_bl_version'", NULL,
	    0, meta_cb, &since, NULL);
	for (rounds = 0; rc == HC_OK && rounds < SYNC_MAX_ROUNDS; rounds++) {
		char v[24];

		n = 0;
		if ((rc = hc_store_bl_changes(remote, since, e, SYNC_BATCH, &n)) != HC_OK || n == 0)
			break;
		if ((rc = hc_store_tx_begin(local)) != HC_OK)
			break;
		for (k = 0; rc == HC_OK && k < n; k++)
			rc = hc_store_bl_upsert(local, &e[k], 0);
		snprintf(v, sizeof(v), "%" PRId64, e[n - 1].version);
		if (rc == HC_OK) {
			hc_sql_val_t q[1] = { HC_SQL_S(v) };
			rc = local->ops->exec(local, "INSERT INTO meta (key, value) VALUES"
			    " ('remote_bl_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
			    q, 1, NULL, NULL, NULL);
		}
		if ((rc = hc_store_tx_end(local, rc)) != HC_OK)
			break;
		stats->bl_pulled += n;
		since = e[n - 1].version;
	}
	stats->bl_version = since;
	free(e);
	return rc;
}

int
hc_store_sync(hc_store_t *local, hc_store_t *remote, hc_sync_stats_t *stats)
{
	hc_sync_stats_t dummy;
	int rc;

	if (local == NULL || remote == NULL || local == remote)
		return HC_ERR_INVALID_ARGUMENT;
	if (stats == NULL)
		stats = &dummy;
	memset(stats, 0, sizeof(*stats));
	if ((rc = push_journal(local, remote, stats)) != HC_OK)
		goto out;
	if ((rc = push_blacklist(local, remote, stats)) != HC_OK)
		goto out;
	rc = pull_blacklist(local, remote, stats);
out:
	if (rc != HC_OK)
		hc_log_error("sync %s -> %s stopped (error %d)", local->where, remote->where, rc);
	return rc;
}
