/*
 * Store: the blacklist (card-profile.md §6 "Lost card") and the issuer's archive copies.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <time.h>

#include "store_impl.h"
#include "apdu/log.h"

static const char *const bl_names[] = { "none", "lost", "found", "replaced", "revoked" };

const char *
hc_bl_state_name(hc_bl_state_t s)
{
	if ((int)s < 0 || (size_t)s >= sizeof(bl_names) / sizeof(bl_names[0]))
		return "?";
	return bl_names[s];
}

int
hc_bl_state_parse(const char *name)
{
	size_t k;

	for (k = 0; name != NULL && k < sizeof(bl_names) / sizeof(bl_names[0]); k++)
		if (strcmp(name, bl_names[k]) == 0)
			return (int)k;
	return -1;
}

int
hc_bl_refused(hc_bl_state_t s)
{
	return s == HC_BL_LOST || s == HC_BL_REPLACED || s == HC_BL_REVOKED;
}

typedef struct bl_list {
	hc_bl_entry_t *out;
	size_t max, n;
} bl_list_t;

#define BL_SELECT "SELECT card_number, issue_serial, state, who, at, version, note FROM blacklist"

static int
bl_row(const hc_sql_row_t *row, void *arg)
{
	bl_list_t *l = arg;
	hc_bl_entry_t *e;

	if (l->n >= l->max)
		return 1;
	e = &l->out[l->n++];
	memset(e, 0, sizeof(*e));
	(void)hc_store_copy(e->card_number, sizeof(e->card_number), row->text(row, 0));
	(void)hc_store_copy(e->issue_serial, sizeof(e->issue_serial), row->text(row, 1));
	e->state = (hc_bl_state_t)row->int64(row, 2);
	(void)hc_store_copy(e->who, sizeof(e->who), row->text(row, 3));
	e->at = row->int64(row, 4);
	e->version = row->int64(row, 5);
	(void)hc_store_copy(e->note, sizeof(e->note), row->text(row, 6));
	return 0;
}

static int
max_cb(const hc_sql_row_t *row, void *arg)
{
	*(int64_t *)arg = row->int64(row, 0);
	return 1;
}

/*
 * The next blacklist version, inside the caller's write transaction, which holds the
 * blacklist's write lock (SQLite BEGIN IMMEDIATE; PostgreSQL bl_lock): versions are given in
 * commit order, so a puller that has seen version v has seen every version below v
 * (doc/store.md "Blacklist versions"). A sequence (PostgreSQL before) hands out numbers at
 * nextval, not at commit: a smaller number committed after a larger one was pulled was lost.
 */
static int
next_version(hc_store_t *st, int64_t *v)
{
	*v = 0;
	return st->ops->exec(st, "SELECT COALESCE(MAX(version), 0) + 1 FROM blacklist", NULL, 0,
	    max_cb, v, NULL);
}

/* PostgreSQL: one blacklist writer at a time until its COMMIT (readers are not blocked:
 * SHARE ROW EXCLUSIVE conflicts with writers and itself, not with SELECT). */
static int
bl_lock(hc_store_t *st)
{
	if (st->ops->dialect != HC_DIALECT_PG)
		return HC_OK;     /* SQLite: BEGIN IMMEDIATE already holds the file's write lock */
	return st->ops->exec(st, "LOCK TABLE blacklist IN SHARE ROW EXCLUSIVE MODE", NULL, 0,
	    NULL, NULL, NULL);
}

/* Inserts or replaces an entry with the next version, inside the caller's transaction. */
static int
bl_write(hc_store_t *st, hc_bl_entry_t *e, int dirty)
{
	int64_t v = 0;
	int rc;

	if ((rc = next_version(st, &v)) != HC_OK)
		return rc;
	e->version = v;
	{
		hc_sql_val_t p[8] = {
			HC_SQL_S(e->card_number), HC_SQL_S(e->issue_serial), HC_SQL_I(e->state),
			HC_SQL_S(e->who), HC_SQL_I(e->at), HC_SQL_I(e->version), HC_SQL_S(e->note),
			HC_SQL_I(dirty),
		};
		rc = st->ops->exec(st, "INSERT INTO blacklist (card_number, issue_serial, state, who,"
		    " at, version, note, dirty) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
		    " ON CONFLICT (card_number, issue_serial) DO UPDATE SET state = excluded.state,"
		    " who = excluded.who, at = excluded.at, version = excluded.version,"
		    " note = excluded.note, dirty = excluded.dirty", p, 8, NULL, NULL, NULL);
	}
	return rc;
}

static int
bl_valid_key(const char *card, const char *serial)
{
	return card != NULL && serial != NULL && *card != '\0' && strlen(card) <= 18 &&
	    strlen(serial) <= 10;
}

/* The row of (card, serial) as it is now, locked for this transaction on PostgreSQL
 * (SELECT ... FOR UPDATE; SQLite holds the write lock since BEGIN IMMEDIATE). */
static int
bl_get_row(hc_store_t *st, const char *card, const char *serial, hc_bl_entry_t *out, int *found)
{
	bl_list_t l = { out, 1, 0 };
	hc_sql_val_t p[2] = { HC_SQL_S(card), HC_SQL_S(serial) };
	int rc;

	rc = st->ops->exec(st, st->ops->dialect == HC_DIALECT_PG ?
	    BL_SELECT " WHERE card_number = ? AND issue_serial = ? FOR UPDATE" :
	    BL_SELECT " WHERE card_number = ? AND issue_serial = ?", p, 2, bl_row, &l, NULL);
	*found = l.n == 1;
	if (rc == HC_OK && l.n == 0) {
		memset(out, 0, sizeof(*out));
		(void)hc_store_copy(out->card_number, sizeof(out->card_number), card);
		(void)hc_store_copy(out->issue_serial, sizeof(out->issue_serial), serial);
		out->state = HC_BL_NONE;
	}
	return rc;
}

/*
 * The state rules (doc/store.md "Rules"), read and written in one transaction under the
 * blacklist's write lock, so two desks changing one card at once are serialised: the second
 * sees the first's result (a revoked card never becomes found).
 */
int
hc_store_bl_set(hc_store_t *st, hc_bl_entry_t *e)
{
	hc_bl_entry_t cur, any;
	int rc, found = 0;

	if (st == NULL || e == NULL || !bl_valid_key(e->card_number, e->issue_serial) ||
	    e->state < HC_BL_LOST || e->state > HC_BL_REVOKED)
		return HC_ERR_INVALID_ARGUMENT;
	if (e->at == 0)
		e->at = (int64_t)time(NULL);
	if ((rc = hc_store_tx_begin(st)) != HC_OK)
		return rc;
	if ((rc = bl_lock(st)) == HC_OK)
		rc = bl_get_row(st, e->card_number, e->issue_serial, &cur, &found);
	/* the state that applies (the card number's own entry included), now it is locked */
	if (rc == HC_OK)
		rc = hc_store_bl_get(st, e->card_number, e->issue_serial, &cur);
	/* replaced and revoked are final; "found" only undoes "lost" */
	if (rc == HC_OK && (cur.state == HC_BL_REPLACED || cur.state == HC_BL_REVOKED) &&
	    cur.state != e->state) {
		hc_log_error("card %s/%s is %s: cannot become %s", e->card_number, e->issue_serial,
		    hc_bl_state_name(cur.state), hc_bl_state_name(e->state));
		rc = HC_ERR_NOT_PERMITTED;
	}
	if (rc == HC_OK && e->state == HC_BL_FOUND && cur.state != HC_BL_LOST) {
		hc_log_error("card %s/%s is not reported lost", e->card_number, e->issue_serial);
		rc = HC_ERR_NOT_PERMITTED;
	}
	/* A change made on a local SQLite store is pushed at the next sync. */
	if (rc == HC_OK)
		rc = bl_write(st, e, st->ops->dialect == HC_DIALECT_SQLITE);
	/* A card reported lost by its number alone (serial "", the patient phoned in) is settled
	 * by what the desk later does to its actual card: found or replaced. */
	if (rc == HC_OK && e->issue_serial[0] != '\0' &&
	    (e->state == HC_BL_FOUND || e->state == HC_BL_REPLACED) &&
	    (rc = bl_get_row(st, e->card_number, "", &any, &found)) == HC_OK && found &&
	    any.state == HC_BL_LOST) {
		any.state = HC_BL_FOUND;
		any.at = e->at;
		(void)hc_store_copy(any.who, sizeof(any.who), e->who);
		snprintf(any.note, sizeof(any.note), "settled by serial %s", e->issue_serial);
		rc = bl_write(st, &any, st->ops->dialect == HC_DIALECT_SQLITE);
	}
	return hc_store_tx_end(st, rc);
}

/* Sync: writes a pulled entry as is (no state rules: the shared store decided). */
int
hc_store_bl_upsert(hc_store_t *st, const hc_bl_entry_t *e, int dirty)
{
	hc_bl_entry_t copy = *e;
	int rc = bl_lock(st);

	return rc == HC_OK ? bl_write(st, &copy, dirty) : rc;
}

/*
 * The state of (card, serial). An entry for the card number alone (serial "": reported lost
 * by phone by a store that never saw the card) also applies to every serial of that number:
 * a serial's own replaced/revoked is final; otherwise the newer of the two entries decides.
 */
int
hc_store_bl_get(hc_store_t *st, const char *card_number, const char *issue_serial,
    hc_bl_entry_t *out)
{
	hc_bl_entry_t rows[2];
	bl_list_t l = { rows, 2, 0 };
	hc_sql_val_t p[2] = { HC_SQL_S(card_number), HC_SQL_S(issue_serial) };
	const hc_bl_entry_t *own = NULL, *any = NULL, *pick;
	size_t k;
	int rc;

	if (st == NULL || out == NULL || !bl_valid_key(card_number, issue_serial))
		return HC_ERR_INVALID_ARGUMENT;
	rc = st->ops->exec(st, BL_SELECT " WHERE card_number = ? AND (issue_serial = ? OR"
	    " issue_serial = '')", p, 2, bl_row, &l, NULL);
	if (rc != HC_OK)
		return rc;
	for (k = 0; k < l.n; k++) {
		if (strcmp(rows[k].issue_serial, issue_serial) == 0)
			own = &rows[k];
		else
			any = &rows[k];
	}
	pick = own;
	if (any != NULL && (own == NULL || (own->state != HC_BL_REPLACED &&
	    own->state != HC_BL_REVOKED && any->version > own->version)))
		pick = any;
	if (pick == NULL) {
		memset(out, 0, sizeof(*out));
		out->state = HC_BL_NONE;
	} else {
		*out = *pick;
	}
	(void)hc_store_copy(out->card_number, sizeof(out->card_number), card_number);
	(void)hc_store_copy(out->issue_serial, sizeof(out->issue_serial), issue_serial);
	return HC_OK;
}

int
hc_store_bl_list_card(hc_store_t *st, const char *card_number, hc_bl_entry_t *out,
    size_t max, size_t *n)
{
	bl_list_t l = { out, max, 0 };
	hc_sql_val_t p[2] = { HC_SQL_S(card_number), HC_SQL_I(max) };
	int rc;

	if (st == NULL || card_number == NULL || out == NULL || n == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	rc = st->ops->exec(st, BL_SELECT " WHERE card_number = ? ORDER BY version DESC LIMIT ?",
	    p, 2, bl_row, &l, NULL);
	*n = l.n;
	return rc;
}

int
hc_store_bl_changes(hc_store_t *st, int64_t since, hc_bl_entry_t *out, size_t max, size_t *n)
{
	bl_list_t l = { out, max, 0 };
	hc_sql_val_t p[2] = { HC_SQL_I(since), HC_SQL_I(max) };
	int rc;

	if (st == NULL || out == NULL || n == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	rc = st->ops->exec(st, BL_SELECT " WHERE version > ? ORDER BY version LIMIT ?", p, 2,
	    bl_row, &l, NULL);
	*n = l.n;
	return rc;
}

int
hc_store_bl_dirty(hc_store_t *st, hc_bl_entry_t *out, size_t max, size_t *n)
{
	bl_list_t l = { out, max, 0 };
	hc_sql_val_t p[1] = { HC_SQL_I(max) };
	int rc = st->ops->exec(st, BL_SELECT " WHERE dirty = 1 ORDER BY version LIMIT ?", p, 1,
	    bl_row, &l, NULL);

	*n = l.n;
	return rc;
}

int
hc_store_bl_max_version(hc_store_t *st, int64_t *version)
{
	if (st == NULL || version == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	*version = 0;
	return st->ops->exec(st, "SELECT COALESCE(MAX(version), 0) FROM blacklist", NULL, 0, max_cb,
	    version, NULL);
}

/* ---- archive ---- */

int
hc_store_archive_put(hc_store_t *st, const char *card_number, const char *issue_serial,
    const char *name, const uint8_t *data, size_t len)
{
	hc_sql_val_t p[5];

	if (st == NULL || !bl_valid_key(card_number, issue_serial) || name == NULL ||
	    *name == '\0' || data == NULL || len == 0 || len > HC_ARCHIVE_MAX)
		return HC_ERR_INVALID_ARGUMENT;
	p[0] = HC_SQL_S(card_number);
	p[1] = HC_SQL_S(issue_serial);
	p[2] = HC_SQL_S(name);
	p[3] = HC_SQL_B(data, len);
	p[4] = HC_SQL_I(time(NULL));
	return st->ops->exec(st, "INSERT INTO archive (card_number, issue_serial, name, data, at)"
	    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (card_number, issue_serial, name) DO UPDATE SET"
	    " data = excluded.data, at = excluded.at", p, 5, NULL, NULL, NULL);
}

typedef struct blob_get {
	uint8_t *data;
	size_t cap, len;
	int found, too_small;
} blob_get_t;

static int
blob_cb(const hc_sql_row_t *row, void *arg)
{
	blob_get_t *g = arg;
	size_t n = 0;
	const uint8_t *p = row->blob(row, 0, &n);

	g->found = 1;
	g->len = n;
	if (n > g->cap)
		g->too_small = 1;
	else if (n > 0 && p != NULL)
		memcpy(g->data, p, n);
	return 1;
}

int
hc_store_archive_get(hc_store_t *st, const char *card_number, const char *issue_serial,
    const char *name, uint8_t *data, size_t *len)
{
	blob_get_t g;
	hc_sql_val_t p[3] = { HC_SQL_S(card_number), HC_SQL_S(issue_serial), HC_SQL_S(name) };
	int rc;

	if (st == NULL || !bl_valid_key(card_number, issue_serial) || name == NULL ||
	    data == NULL || len == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	memset(&g, 0, sizeof(g));
	g.data = data;
	g.cap = *len;
	rc = st->ops->exec(st, "SELECT data FROM archive WHERE card_number = ? AND issue_serial = ?"
	    " AND name = ?", p, 3, blob_cb, &g, NULL);
	if (rc != HC_OK)
		return rc;
	if (!g.found)
		return HC_ERR_STORE;
	*len = g.len;
	return g.too_small ? HC_ERR_BUFFER_TOO_SMALL : HC_OK;
}

typedef struct names_ctx {
	int (*cb)(const char *name, void *arg);
	void *arg;
} names_ctx_t;

static int
names_row(const hc_sql_row_t *row, void *arg)
{
	names_ctx_t *c = arg;
	return c->cb(row->text(row, 0), c->arg);
}

int
hc_store_archive_names(hc_store_t *st, const char *card_number, const char *issue_serial,
    int (*cb)(const char *name, void *arg), void *arg)
{
	names_ctx_t c = { cb, arg };
	hc_sql_val_t p[2] = { HC_SQL_S(card_number), HC_SQL_S(issue_serial) };

	if (st == NULL || !bl_valid_key(card_number, issue_serial) || cb == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	return st->ops->exec(st, "SELECT name FROM archive WHERE card_number = ? AND"
	    " issue_serial = ? ORDER BY name", p, 2, names_row, &c, NULL);
}
