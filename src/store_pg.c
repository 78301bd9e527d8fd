/*
 * PostgreSQL back end of the store (libpq). Parameters are sent separately from the SQL
 * (PQexecParams), text for numbers and strings, binary for blobs; results come as text and
 * bytea is decoded from its hex form. Every write the store makes runs in a transaction.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <libpq-fe.h>

#include "store_impl.h"
#include "apdu/log.h"

#define PG_MAX_PARAMS 32
#define PG_SQL_MAX 4096

typedef struct pg_row {
	PGresult *res;
	uint8_t *blob;      /* last decoded bytea */
} pg_row_t;

static const char *
row_text(const hc_sql_row_t *row, int col)
{
	const pg_row_t *r = row->impl;
	return PQgetvalue(r->res, row->index, col);
}

static int64_t
row_int64(const hc_sql_row_t *row, int col)
{
	const pg_row_t *r = row->impl;
	return strtoll(PQgetvalue(r->res, row->index, col), NULL, 10);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static const uint8_t *
row_blob(const hc_sql_row_t *row, int col, size_t *n)
{
	pg_row_t *r = row->impl;
	const char *v = PQgetvalue(r->res, row->index, col);
	size_t len = strlen(v), k;

	*n = 0;
	free(r->blob);
	r->blob = NULL;
	/* bytea_output = hex (set at connect): "\x" then two digits per byte */
	if (len < 2 || v[0] != '\\' || v[1] != 'x' || (len - 2) % 2 != 0)
		return NULL;
	if ((r->blob = malloc((len - 2) / 2 + 1)) == NULL)
		return NULL;
	for (k = 0; k < (len - 2) / 2; k++) {
		int hi = hexval(v[2 + 2 * k]), lo = hexval(v[3 + 2 * k]);
		if (hi < 0 || lo < 0)
			return NULL;
		r->blob[k] = (uint8_t)(hi << 4 | lo);
	}
	*n = (len - 2) / 2;
	return r->blob;
}

/* Rewrites `?` placeholders to $1..$n (our SQL has no `?` inside literals). */
static int
pg_renumber(const char *sql, char *out, size_t cap)
{
	size_t o = 0;
	int k = 0;

	for (; *sql != '\0'; sql++) {
		if (*sql == '?') {
			int w = snprintf(out + o, cap - o, "$%d", ++k);
			if (w < 0 || (size_t)w >= cap - o)
				return -1;
			o += (size_t)w;
		} else {
			if (o + 1 >= cap)
				return -1;
			out[o++] = *sql;
		}
	}
	out[o] = '\0';
	return 0;
}

static int
pg_exec(hc_store_t *st, const char *sql, const hc_sql_val_t *p, size_t np,
    hc_sql_row_cb cb, void *arg, int64_t *changes)
{
	char text[PG_MAX_PARAMS][24];
	const char *values[PG_MAX_PARAMS];
	int lengths[PG_MAX_PARAMS], formats[PG_MAX_PARAMS];
	char *q = NULL;
	PGresult *res = NULL;
	pg_row_t r = { NULL, NULL };
	hc_sql_row_t row = { row_text, row_int64, row_blob, &r, 0 };
	ExecStatusType status;
	size_t k;
	int err = HC_ERR_STORE, nrows, i;

	if (np > PG_MAX_PARAMS || (q = malloc(PG_SQL_MAX)) == NULL ||
	    pg_renumber(sql, q, PG_SQL_MAX) != 0) {
		hc_log_error("statement too large");
		goto out;
	}
	for (k = 0; k < np; k++) {
		lengths[k] = 0;
		formats[k] = 0;
		switch (p[k].type) {
		case HC_SQL_INT:
			snprintf(text[k], sizeof(text[k]), "%" PRId64, p[k].i);
			values[k] = text[k];
			break;
		case HC_SQL_TEXT:
			values[k] = p[k].s;
			break;
		case HC_SQL_BLOB:
			values[k] = (const char *)p[k].b;
			lengths[k] = (int)p[k].n;
			formats[k] = 1;
			break;
		default:
			values[k] = NULL;
			break;
		}
	}
	res = PQexecParams(st->db, q, (int)np, NULL, values, lengths, formats, 0);
	status = PQresultStatus(res);
	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
		hc_log_error("%s: %s", st->where, PQerrorMessage(st->db));
		err = PQstatus(st->db) == CONNECTION_OK ? HC_ERR_STORE : HC_ERR_STORE_UNREACHABLE;
		goto out;
	}
	r.res = res;
	nrows = PQntuples(res);
	for (i = 0; cb != NULL && i < nrows; i++) {
		row.index = i;
		if (cb(&row, arg) != 0)
			break;
	}
	if (changes != NULL) {
		const char *c = PQcmdTuples(res);
		*changes = (c != NULL && *c != '\0') ? strtoll(c, NULL, 10) : 0;
	}
	err = HC_OK;
out:
	free(r.blob);
	PQclear(res);
	free(q);
	return err;
}

static int
pg_simple(hc_store_t *st, const char *sql)
{
	return pg_exec(st, sql, NULL, 0, NULL, NULL, NULL);
}

static int
pg_begin(hc_store_t *st)
{
	return pg_simple(st, "BEGIN");
}

/* A COMMIT of a transaction that failed answers PGRES_COMMAND_OK with the tag "ROLLBACK":
 * only the tag "COMMIT" means committed (issue 12 item 1). */
static int
pg_commit(hc_store_t *st)
{
	PGresult *res = PQexec(st->db, "COMMIT");
	int err = HC_OK;

	if (PQresultStatus(res) != PGRES_COMMAND_OK || strcmp(PQcmdStatus(res), "COMMIT") != 0) {
		hc_log_error("%s: COMMIT failed: %s", st->where, PQerrorMessage(st->db));
		err = PQstatus(st->db) == CONNECTION_OK ? HC_ERR_STORE : HC_ERR_STORE_UNREACHABLE;
	}
	PQclear(res);
	return err;
}

static void
pg_rollback(hc_store_t *st)
{
	(void)pg_simple(st, "ROLLBACK");
}

static void
pg_close(hc_store_t *st)
{
	PQfinish(st->db);
	st->db = NULL;
}

static const hc_store_ops_t pg_ops = {
	"postgresql", HC_DIALECT_PG, pg_exec, pg_begin, pg_commit, pg_rollback, pg_close,
};

/* Libpq's notices (e.g. "relation already exists, skipping") go to our debug log. */
static void
pg_notice(void *arg, const char *message)
{
	(void)arg;
	hc_log_debug("postgresql: %s", message);
}

int
hc_store_pg_open(const char *conninfo, hc_store_t *st)
{
	PGconn *conn;
	const char *host, *db;
	int err = HC_ERR_STORE_UNREACHABLE;

	conn = PQconnectdb(conninfo);
	if (conn == NULL) {
		err = HC_ERR_NO_MEMORY;
		goto out;
	}
	st->db = conn;
	st->ops = &pg_ops;
	host = PQhost(conn);
	db = PQdb(conn);
	/* never the password */
	snprintf(st->where, sizeof(st->where), "postgresql %s/%s", host != NULL ? host : "?",
	    db != NULL ? db : "?");
	if (PQstatus(conn) != CONNECTION_OK) {
		hc_log_error("%s: %s", st->where, PQerrorMessage(conn));
		goto out;
	}
	PQsetNoticeProcessor(conn, pg_notice, NULL);
	if (pg_simple(st, "SET bytea_output = 'hex'") != HC_OK ||
	    pg_simple(st, "SET client_min_messages = warning") != HC_OK) {
		err = HC_ERR_STORE;
		goto out;
	}
	err = HC_OK;
out:
	return err;
}
