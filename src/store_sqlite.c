/*
 * SQLite back end of the store: WAL, synchronous=FULL (a committed write survives a crash
 * or power loss), a busy timeout for a second process on the same file.
 */
#include "config.h"

#include <string.h>
#include <sqlite3.h>

#include "store_impl.h"
#include "apdu/log.h"

static const char *
row_text(const hc_sql_row_t *row, int col)
{
	const unsigned char *t = sqlite3_column_text(row->impl, col);
	return t != NULL ? (const char *)t : "";
}

static int64_t
row_int64(const hc_sql_row_t *row, int col)
{
	return sqlite3_column_int64(row->impl, col);
}

static const uint8_t *
row_blob(const hc_sql_row_t *row, int col, size_t *n)
{
	const void *p = sqlite3_column_blob(row->impl, col);
	int len = sqlite3_column_bytes(row->impl, col);
	*n = len > 0 ? (size_t)len : 0;
	return p;
}

static int
sqlite_bind(sqlite3_stmt *stmt, const hc_sql_val_t *p, size_t np)
{
	size_t k;
	int rc = SQLITE_OK;

	for (k = 0; k < np && rc == SQLITE_OK; k++) {
		int idx = (int)k + 1;
		switch (p[k].type) {
		case HC_SQL_INT:
			rc = sqlite3_bind_int64(stmt, idx, p[k].i);
			break;
		case HC_SQL_TEXT:
			rc = p[k].s != NULL ?
			    sqlite3_bind_text(stmt, idx, p[k].s, -1, SQLITE_STATIC) :
			    sqlite3_bind_null(stmt, idx);
			break;
		case HC_SQL_BLOB:
			rc = sqlite3_bind_blob(stmt, idx, p[k].b, (int)p[k].n, SQLITE_STATIC);
			break;
		default:
			rc = sqlite3_bind_null(stmt, idx);
			break;
		}
	}
	return rc;
}

static int
sqlite_exec(hc_store_t *st, const char *sql, const hc_sql_val_t *p, size_t np,
    hc_sql_row_cb cb, void *arg, int64_t *changes)
{
	sqlite3 *db = st->db;
	sqlite3_stmt *stmt = NULL;
	hc_sql_row_t row = { row_text, row_int64, row_blob, NULL, 0 };
	int rc, err = HC_ERR_STORE;

	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		hc_log_error("%s: prepare: %s", st->where, sqlite3_errmsg(db));
		goto out;
	}
	if (sqlite_bind(stmt, p, np) != SQLITE_OK) {
		hc_log_error("%s: bind: %s", st->where, sqlite3_errmsg(db));
		goto out;
	}
	row.impl = stmt;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (cb != NULL && cb(&row, arg) != 0)
			break;
		row.index++;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		hc_log_error("%s: %s", st->where, sqlite3_errmsg(db));
		goto out;
	}
	if (changes != NULL)
		*changes = sqlite3_changes(db);
	err = HC_OK;
out:
	sqlite3_finalize(stmt);
	return err;
}

static int
sqlite_simple(hc_store_t *st, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		hc_log_error("%s: %s: %s", st->where, sql, msg != NULL ? msg : "?");
		sqlite3_free(msg);
		return HC_ERR_STORE;
	}
	return HC_OK;
}

static int
sqlite_begin(hc_store_t *st)
{
	return sqlite_simple(st, "BEGIN IMMEDIATE");
}

static int
sqlite_commit(hc_store_t *st)
{
	return sqlite_simple(st, "COMMIT");
}

static void
sqlite_rollback(hc_store_t *st)
{
	(void)sqlite_simple(st, "ROLLBACK");
}

static void
sqlite_close(hc_store_t *st)
{
	sqlite3_close(st->db);
	st->db = NULL;
}

static const hc_store_ops_t sqlite_ops = {
	"sqlite", HC_DIALECT_SQLITE, sqlite_exec, sqlite_begin, sqlite_commit, sqlite_rollback,
	sqlite_close,
};

int
hc_store_sqlite_open(const char *path, hc_store_t *st)
{
	sqlite3 *db = NULL;
	int err = HC_ERR_STORE;

	(void)hc_store_copy(st->where, sizeof(st->where), path);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		hc_log_error("%s: %s", path, db != NULL ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	st->db = db;
	st->ops = &sqlite_ops;
	db = NULL;
	sqlite3_busy_timeout(st->db, 5000);
	/* ARCHITECTURE.md: WAL with synchronous=FULL, so a committed intent is on disk. */
	if (sqlite_simple(st, "PRAGMA journal_mode=WAL") != HC_OK ||
	    sqlite_simple(st, "PRAGMA synchronous=FULL") != HC_OK ||
	    sqlite_simple(st, "PRAGMA foreign_keys=ON") != HC_OK)
		goto out;
	err = HC_OK;
out:
	if (db != NULL)
		sqlite3_close(db);
	return err;
}
