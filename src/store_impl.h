/*
 * Store back ends (internal): a small vtable over one SQL statement at a time. The logic
 * (schema, journal, blacklist, archive, sync) lives once in store*.c and speaks SQL with `?`
 * placeholders; each back end binds them (PostgreSQL renumbers them to $1..$n) and hands
 * result rows to a callback.
 */
#ifndef HC_SRC_STORE_IMPL_H
#define HC_SRC_STORE_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include "store.h"

typedef enum hc_sql_type { HC_SQL_NULL = 0, HC_SQL_INT, HC_SQL_TEXT, HC_SQL_BLOB } hc_sql_type_t;

typedef struct hc_sql_val {
	hc_sql_type_t type;
	int64_t i;
	const char *s;
	const uint8_t *b;
	size_t n;
} hc_sql_val_t;

#define HC_SQL_I(v) ((hc_sql_val_t){ .type = HC_SQL_INT, .i = (int64_t)(v) })
#define HC_SQL_S(v) ((hc_sql_val_t){ .type = HC_SQL_TEXT, .s = (v) })
#define HC_SQL_B(p, len) ((hc_sql_val_t){ .type = HC_SQL_BLOB, .b = (p), .n = (len) })

/* A result row, valid only during the callback. Column indexes from 0. */
typedef struct hc_sql_row hc_sql_row_t;
struct hc_sql_row {
	/* Text of a column ("" for NULL); never NULL. */
	const char *(*text)(const hc_sql_row_t *row, int col);
	int64_t (*int64)(const hc_sql_row_t *row, int col);
	/* Blob of a column; *n its length (0 for NULL). */
	const uint8_t *(*blob)(const hc_sql_row_t *row, int col, size_t *n);
	void *impl;
	int index;
};

/* Row callback: return 0 to continue, nonzero to stop (not an error). */
typedef int (*hc_sql_row_cb)(const hc_sql_row_t *row, void *arg);

typedef enum hc_sql_dialect { HC_DIALECT_SQLITE = 0, HC_DIALECT_PG } hc_sql_dialect_t;

typedef struct hc_store_ops {
	const char *kind;
	hc_sql_dialect_t dialect;
	/* Runs one statement with np parameters; rows (if any) go to cb (may be NULL).
	 * *changes (may be NULL) gets the number of rows changed. */
	int (*exec)(hc_store_t *st, const char *sql, const hc_sql_val_t *p, size_t np,
	    hc_sql_row_cb cb, void *arg, int64_t *changes);
	/* Starts a write transaction (SQLite BEGIN IMMEDIATE, PostgreSQL BEGIN). */
	int (*begin)(hc_store_t *st);
	int (*commit)(hc_store_t *st);
	void (*rollback)(hc_store_t *st);
	void (*close)(hc_store_t *st);
} hc_store_ops_t;

struct hc_store {
	const hc_store_ops_t *ops;
	void *db;            /* sqlite3 * or PGconn * */
	char where[256];     /* the file or the connection, for messages (no password) */
};

/* Back-end constructors: open db and set ops; migrations run in store.c. */
int hc_store_sqlite_open(const char *path, hc_store_t *st);
int hc_store_pg_open(const char *conninfo, hc_store_t *st);

/* Helpers of store.c used by store_sync.c. */
int hc_store_tx_begin(hc_store_t *st);
int hc_store_tx_end(hc_store_t *st, int rc);
/* Local blacklist changes not pushed yet, by version. */
int hc_store_bl_dirty(hc_store_t *st, hc_bl_entry_t *out, size_t max, size_t *n);
int hc_store_bl_upsert(hc_store_t *st, const hc_bl_entry_t *e, int dirty);
void hc_store_entry_id(char out[HC_ENTRY_ID_LEN + 1]);
/* Copies src into dst[cap] (always NUL-terminated); -1 if it did not fit. */
int hc_store_copy(char *dst, size_t cap, const char *src);

#endif
