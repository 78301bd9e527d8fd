/*
 * SQLite back end of the store: WAL, synchronous=FULL (a committed write survives a crash
 * or power loss), a busy timeout for a second process on the same file.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
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
	/* Stepped to SQLITE_DONE even when the callback wants no more rows: an INSERT ...
	 * RETURNING (or any write in autocommit) commits only when the statement ends, and a
	 * commit that fails there (disk full) must be seen (issue 12 item 1). */
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (cb != NULL && cb(&row, arg) != 0)
			cb = NULL;
		row.index++;
	}
	if (rc != SQLITE_DONE) {
		hc_log_error("%s: %s", st->where, sqlite3_errmsg(db));
		goto out;
	}
	if (changes != NULL)
		*changes = sqlite3_changes(db);
	err = HC_OK;
out:
	if (sqlite3_finalize(stmt) != SQLITE_OK && err == HC_OK) {
		hc_log_error("%s: %s", st->where, sqlite3_errmsg(db));
		err = HC_ERR_STORE;
	}
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

static void
sqlite_rollback_quiet(hc_store_t *st)
{
	(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

static int
sqlite_begin(hc_store_t *st)
{
	return sqlite_simple(st, "BEGIN IMMEDIATE");
}

static int
sqlite_commit(hc_store_t *st)
{
	int rc = sqlite_simple(st, "COMMIT");

	/* a COMMIT that failed (disk full) may leave the transaction open: end it */
	if (rc != HC_OK && !sqlite3_get_autocommit(st->db))
		sqlite_rollback_quiet(st);
	return rc;
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

/*
 * The store holds ID numbers (journal) and clinical data (archive): the file is created 0600
 * with an explicit mode whatever the umask, an existing one loses any access for others, and
 * the -wal/-shm files (SQLite gives them the database's mode when it creates them) are held
 * to the same (doc/store.md "Files").
 */
/* 0: done; -1: a file created here could not be given mode 0600 (errno). An existing file
 * that cannot be tightened (another owner) is only warned about: SQLite decides then.
 * An existing file is never opened and closed here: closing any descriptor of a file drops
 * the POSIX locks SQLite holds on it in this process (sqlite.org/howtocorrupt.html 2.2). */
static int
secure_file(const char *path, int create)
{
	struct stat sb;
	int fd;

	if (create && (fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0600)) >= 0) {
		int rc = fchmod(fd, 0600);   /* the umask may have taken bits off; never added */
		close(fd);
		return rc;
	}
	if (create && errno != EEXIST)
		return -1;
	if (lstat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
		return 0;                    /* absent side file, or SQLite will say why */
	if ((sb.st_mode & 0007) != 0 && chmod(path, sb.st_mode & 0770) != 0)
		hc_log_warn("%s is accessible to others and cannot be changed: %s", path,
		    strerror(errno));
	return 0;
}

static int
secure_files(const char *path, int create)
{
	static const char *const side[] = { "-wal", "-shm", "-journal" };
	char p[1100];
	size_t k;

	if (secure_file(path, create) != 0) {
		hc_log_error("%s: cannot create it with mode 0600: %s", path, strerror(errno));
		return HC_ERR_STORE;
	}
	for (k = 0; k < sizeof(side) / sizeof(side[0]); k++) {
		int n = snprintf(p, sizeof(p), "%s%s", path, side[k]);
		if (n > 0 && (size_t)n < sizeof(p))
			(void)secure_file(p, 0);
	}
	return HC_OK;
}

int
hc_store_sqlite_open(const char *path, hc_store_t *st)
{
	sqlite3 *db = NULL;
	int err = HC_ERR_STORE;
	int ondisk = path != NULL && *path != '\0' && strcmp(path, ":memory:") != 0 &&
	    strncmp(path, "file:", 5) != 0;

	(void)hc_store_copy(st->where, sizeof(st->where), path);
	if (ondisk && secure_files(path, 1) != HC_OK)
		goto out;
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
	/* the -wal and -shm files exist now: same protection */
	if (ondisk && secure_files(path, 0) != HC_OK)
		goto out;
	err = HC_OK;
out:
	if (db != NULL)
		sqlite3_close(db);
	return err;
}
