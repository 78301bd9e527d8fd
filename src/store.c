/*
 * Store: open, versioned schema migrations, journal and charges. The blacklist, archive and
 * sync are in store_list.c and store_sync.c. All SQL here is written once for both back ends;
 * the few dialect differences are in the migration table.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <time.h>
#include <sys/stat.h>
#include <openssl/rand.h>

#include "store_impl.h"
#include "apdu/log.h"

/* The one default of every command and library call (issue 12 item 9): configure's
 * $localstatedir/lib/hcard (src/store.mk), /var/lib/hcard when built without it. */
#ifdef HC_LOCALSTATEDIR
#define HC_STATE_DIR_DEFAULT HC_LOCALSTATEDIR "/lib/hcard"
#else
#define HC_STATE_DIR_DEFAULT "/var/lib/hcard"
#endif

/* ---- migrations: each runs once, in order, recorded in schema_version ---- */

typedef struct migration {
	int version;
	const char *sql[2][12];   /* [dialect][statement], NULL-terminated */
} migration_t;

#define JOURNAL_COLS \
	"entry_id TEXT NOT NULL UNIQUE, kind INTEGER NOT NULL, at BIGINT NOT NULL," \
	" card_number TEXT NOT NULL DEFAULT '', issue_serial TEXT NOT NULL DEFAULT ''," \
	" terminal TEXT NOT NULL DEFAULT '', who TEXT NOT NULL DEFAULT ''," \
	" result INTEGER NOT NULL DEFAULT 0, detail TEXT NOT NULL DEFAULT ''," \
	" app_serial TEXT, ledger INTEGER, n INTEGER, amount BIGINT, t BIGINT, tdate TEXT," \
	" ttime TEXT, fund BIGINT, account BIGINT, self_pay BIGINT, state INTEGER, tac TEXT," \
	" mac2 TEXT, balance_after BIGINT," \
	" rev INTEGER NOT NULL DEFAULT 1, pushed_rev INTEGER NOT NULL DEFAULT 0)"
#define BLACKLIST_COLS \
	"(card_number TEXT NOT NULL, issue_serial TEXT NOT NULL, state INTEGER NOT NULL," \
	" who TEXT NOT NULL DEFAULT '', at BIGINT NOT NULL, version BIGINT NOT NULL," \
	" note TEXT NOT NULL DEFAULT '', dirty INTEGER NOT NULL DEFAULT 0," \
	" PRIMARY KEY (card_number, issue_serial))"
#define COMMON_INDEXES \
	"CREATE INDEX journal_card ON journal(card_number, id)", \
	"CREATE INDEX journal_open ON journal(card_number) WHERE state = 0", \
	"CREATE INDEX journal_unpushed ON journal(id) WHERE pushed_rev < rev", \
	"CREATE INDEX blacklist_version ON blacklist(version)", \
	"CREATE INDEX blacklist_dirty ON blacklist(version) WHERE dirty = 1", \
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"

static const migration_t migrations[] = {
	{ 1, {
		{ /* SQLite */
		"CREATE TABLE journal (id INTEGER PRIMARY KEY AUTOINCREMENT, " JOURNAL_COLS,
		/* WITHOUT ROWID: the primary key is the table, one B-tree lookup per card */
		"CREATE TABLE blacklist " BLACKLIST_COLS " WITHOUT ROWID",
		"CREATE TABLE archive (card_number TEXT NOT NULL, issue_serial TEXT NOT NULL,"
		" name TEXT NOT NULL, data BLOB NOT NULL, at BIGINT NOT NULL,"
		" PRIMARY KEY (card_number, issue_serial, name))",
		COMMON_INDEXES, NULL },
		{ /* PostgreSQL */
		"CREATE TABLE journal (id BIGSERIAL PRIMARY KEY, " JOURNAL_COLS,
		"CREATE TABLE blacklist " BLACKLIST_COLS,
		"CREATE TABLE archive (card_number TEXT NOT NULL, issue_serial TEXT NOT NULL,"
		" name TEXT NOT NULL, data BYTEA NOT NULL, at BIGINT NOT NULL,"
		" PRIMARY KEY (card_number, issue_serial, name))",
		"CREATE SEQUENCE blacklist_version_seq",
		COMMON_INDEXES, NULL },
	} },
	{ 2, {
		{ "CREATE INDEX journal_kind ON journal(kind, at)", NULL },
		{ "CREATE INDEX journal_kind ON journal(kind, at)", NULL },
	} },
};

int
hc_store_copy(char *dst, size_t cap, const char *src)
{
	size_t n = src != NULL ? strlen(src) : 0;

	if (cap == 0)
		return -1;
	if (n >= cap) {
		memcpy(dst, src, cap - 1);
		dst[cap - 1] = '\0';
		return -1;
	}
	if (n > 0)
		memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}

void
hc_store_entry_id(char out[HC_ENTRY_ID_LEN + 1])
{
	uint8_t b[16];
	size_t k, o = 0;

	if (RAND_bytes(b, sizeof(b)) != 1) {
		/* never reached with a working OpenSSL; a time-based id still stays unique enough */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		memset(b, 0, sizeof(b));
		memcpy(b, &ts, sizeof(ts) < sizeof(b) ? sizeof(ts) : sizeof(b));
	}
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);   /* UUID version 4 */
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	for (k = 0; k < 16; k++) {
		if (k == 4 || k == 6 || k == 8 || k == 10)
			out[o++] = '-';
		snprintf(out + o, 3, "%02x", b[k]);
		o += 2;
	}
	out[o] = '\0';
}

int
hc_store_tx_begin(hc_store_t *st)
{
	return st->ops->begin(st);
}

/* Commits when rc is HC_OK, rolls back otherwise; returns the final result. */
int
hc_store_tx_end(hc_store_t *st, int rc)
{
	if (rc == HC_OK)
		return st->ops->commit(st);
	st->ops->rollback(st);
	return rc;
}

static int
get_int_cb(const hc_sql_row_t *row, void *arg)
{
	*(int64_t *)arg = row->int64(row, 0);
	return 1;
}

static int
table_exists(hc_store_t *st, const char *table, int *exists)
{
	hc_sql_val_t p[1] = { HC_SQL_S(table) };
	int64_t n = 0;
	const char *sql = st->ops->dialect == HC_DIALECT_PG ?
	    "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = ?"
	    " AND table_schema = current_schema()" :
	    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?";
	int rc = st->ops->exec(st, sql, p, 1, get_int_cb, &n, NULL);

	*exists = n > 0;
	return rc;
}

int
hc_store_schema_version(hc_store_t *st, int *version)
{
	int64_t v = 0;
	int rc;

	if (st == NULL || version == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	rc = st->ops->exec(st, "SELECT COALESCE(MAX(version), 0) FROM schema_version", NULL, 0,
	    get_int_cb, &v, NULL);
	*version = (int)v;
	return rc;
}

static int
migrate(hc_store_t *st)
{
	size_t m, k;
	int exists = 0, current = 0, rc;
	int d = st->ops->dialect == HC_DIALECT_PG ? 1 : 0;

	if ((rc = table_exists(st, "schema_version", &exists)) != HC_OK)
		return rc;
	if (!exists && (rc = st->ops->exec(st, d ?
	    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, at BIGINT NOT NULL)" :
	    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, at BIGINT NOT NULL)",
	    NULL, 0, NULL, NULL, NULL)) != HC_OK)
		return rc;
	for (m = 0; m < sizeof(migrations) / sizeof(migrations[0]); m++) {
		const migration_t *mg = &migrations[m];
		hc_sql_val_t p[2] = { HC_SQL_I(mg->version), HC_SQL_I(time(NULL)) };

		if ((rc = hc_store_tx_begin(st)) != HC_OK)
			return rc;
		/* Re-read inside the transaction: another process may have migrated meanwhile. */
		if (d)
			rc = st->ops->exec(st, "LOCK TABLE schema_version IN EXCLUSIVE MODE", NULL, 0,
			    NULL, NULL, NULL);
		if (rc == HC_OK)
			rc = hc_store_schema_version(st, &current);
		if (rc == HC_OK && current < mg->version) {
			for (k = 0; rc == HC_OK && mg->sql[d][k] != NULL; k++)
				rc = st->ops->exec(st, mg->sql[d][k], NULL, 0, NULL, NULL, NULL);
			if (rc == HC_OK)
				rc = st->ops->exec(st, "INSERT INTO schema_version (version, at) VALUES (?, ?)",
				    p, 2, NULL, NULL, NULL);
			if (rc == HC_OK)
				hc_log_debug("%s: schema migrated to version %d", st->where, mg->version);
		}
		if ((rc = hc_store_tx_end(st, rc)) != HC_OK) {
			hc_log_error("%s: migration %d failed", st->where, mg->version);
			return rc;
		}
	}
	return HC_OK;
}

/* mkdir with exactly mode (umask-independent); an existing directory is kept as it is. */
static int
mkdir_mode(const char *dir, mode_t mode)
{
	if (mkdir(dir, mode) != 0)
		return errno == EEXIST ? 0 : -1;
	return chmod(dir, mode);
}

/* The state directory and its missing parents: parents 0755 (as `make install` makes
 * $localstatedir/lib), the directory itself 0750 (doc/store.md "Files"). */
static int
make_state_dir(const char *dir)
{
	char buf[1024];
	size_t k;

	if (hc_store_copy(buf, sizeof(buf), dir) != 0)
		return HC_ERR_INVALID_ARGUMENT;
	for (k = 1; buf[k] != '\0'; k++) {
		if (buf[k] != '/')
			continue;
		buf[k] = '\0';
		if (mkdir_mode(buf, 0755) != 0)
			goto fail;
		buf[k] = '/';
	}
	if (mkdir_mode(buf, 0750) != 0)
		goto fail;
	return HC_OK;
fail:
	hc_log_error("cannot create the state directory %s (%s): %s", dir, buf, strerror(errno));
	return HC_ERR_IO;
}

int
hc_state_dir(char *out, size_t cap)
{
	const char *dir;

	if (out == NULL || cap == 0)
		return HC_ERR_INVALID_ARGUMENT;
#ifdef HAVE_SECURE_GETENV
	dir = secure_getenv("HCARD_STATE_DIR");
#else
	dir = getenv("HCARD_STATE_DIR");
#endif
	if (dir == NULL || *dir == '\0')
		dir = HC_STATE_DIR_DEFAULT;
	return hc_store_copy(out, cap, dir) == 0 ? HC_OK : HC_ERR_INVALID_ARGUMENT;
}

int
hc_store_default_uri(char *out, size_t cap)
{
	char dir[1024];
	int rc, n;

	if (out == NULL || cap == 0)
		return HC_ERR_INVALID_ARGUMENT;
	if ((rc = hc_state_dir(dir, sizeof(dir))) != HC_OK)
		return rc;
	n = snprintf(out, cap, "sqlite:%s/hcard.db", dir);
	return n > 0 && (size_t)n < cap ? HC_OK : HC_ERR_INVALID_ARGUMENT;
}

static int
default_path(char *out, size_t cap)
{
	char dir[1024];
	int rc, n;

	if ((rc = hc_state_dir(dir, sizeof(dir))) != HC_OK)
		return rc;
	if ((rc = make_state_dir(dir)) != HC_OK)
		return rc;
	n = snprintf(out, cap, "%s/hcard.db", dir);
	return n > 0 && (size_t)n < cap ? HC_OK : HC_ERR_INVALID_ARGUMENT;
}

int
hc_store_open(const char *uri, hc_store_t **out)
{
	hc_store_t *st = NULL;
	char path[1024];
	int rc = HC_ERR_INVALID_ARGUMENT;

	if (out == NULL)
		goto out;
	*out = NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		rc = HC_ERR_NO_MEMORY;
		goto out;
	}
	if (uri == NULL || *uri == '\0') {
		if ((rc = default_path(path, sizeof(path))) != HC_OK)
			goto out;
		rc = hc_store_sqlite_open(path, st);
	} else if (strncmp(uri, "sqlite:", 7) == 0) {
		rc = hc_store_sqlite_open(uri + 7, st);
	} else if (strncmp(uri, "postgresql://", 13) == 0 || strncmp(uri, "postgres://", 11) == 0 ||
	    strchr(uri, '=') != NULL) {
		rc = hc_store_pg_open(uri, st);   /* a libpq URI or "key=value" conninfo */
	} else {
		rc = hc_store_sqlite_open(uri, st);
	}
	if (rc != HC_OK)
		goto out;
	if ((rc = migrate(st)) != HC_OK)
		goto out;
	*out = st;
	st = NULL;
out:
	hc_store_close(&st);
	return rc;
}

void
hc_store_close(hc_store_t **st)
{
	if (st == NULL || *st == NULL)
		return;
	if ((*st)->db != NULL)
		(*st)->ops->close(*st);
	free(*st);
	*st = NULL;
}

const char *
hc_store_kind(const hc_store_t *st)
{
	return st != NULL && st->ops != NULL ? st->ops->kind : "none";
}

/* ---- names ---- */

static const char *const journal_kind_names[] = {
	"?", "register", "charge", "record-write", "blacklist", "block", "issue", "load", "refused",
};

const char *
hc_journal_kind_name(hc_journal_kind_t kind)
{
	if ((int)kind < 1 || (size_t)kind >= sizeof(journal_kind_names) / sizeof(journal_kind_names[0]))
		return "?";
	return journal_kind_names[kind];
}

static const char *const charge_state_names[] = {
	"open", "completed", "void", "completed-tac-unknown",
};

const char *
hc_charge_state_name(hc_charge_state_t s)
{
	if ((int)s < 0 || (size_t)s >= sizeof(charge_state_names) / sizeof(charge_state_names[0]))
		return "?";
	return charge_state_names[s];
}

/* ---- journal ---- */

static void
now_if_zero(int64_t *at)
{
	if (*at == 0)
		*at = (int64_t)time(NULL);
}

int
hc_store_journal_add(hc_store_t *st, hc_journal_entry_t *e)
{
	if (st == NULL || e == NULL || e->kind < HC_JOURNAL_REGISTER || e->kind > HC_JOURNAL_REFUSED)
		return HC_ERR_INVALID_ARGUMENT;
	if (e->entry_id[0] == '\0')
		hc_store_entry_id(e->entry_id);
	now_if_zero(&e->at);
	{
		hc_sql_val_t p[9] = {
			HC_SQL_S(e->entry_id), HC_SQL_I(e->kind), HC_SQL_I(e->at),
			HC_SQL_S(e->card_number), HC_SQL_S(e->issue_serial), HC_SQL_S(e->terminal),
			HC_SQL_S(e->who), HC_SQL_I(e->result), HC_SQL_S(e->detail),
		};
		int64_t id = 0;
		int rc = st->ops->exec(st, "INSERT INTO journal (entry_id, kind, at, card_number,"
		    " issue_serial, terminal, who, result, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
		    " RETURNING id", p, 9, get_int_cb, &id, NULL);
		e->id = id;
		return rc;
	}
}

int
hc_store_journal_annotate(hc_store_t *st, const char *entry_id, const char *who,
    const char *issue_serial, const char *terminal)
{
	hc_sql_val_t p[4] = { HC_SQL_S(who != NULL ? who : ""),
	    HC_SQL_S(issue_serial != NULL ? issue_serial : ""),
	    HC_SQL_S(terminal != NULL ? terminal : ""), HC_SQL_S(entry_id) };
	int64_t changes = 0;
	int rc;

	if (st == NULL || entry_id == NULL || *entry_id == '\0')
		return HC_ERR_INVALID_ARGUMENT;
	/* rev + 1: a synced terminal sends the annotated row again */
	rc = st->ops->exec(st, "UPDATE journal SET"
	    " who = CASE WHEN who = '' THEN ? ELSE who END,"
	    " issue_serial = CASE WHEN issue_serial = '' THEN ? ELSE issue_serial END,"
	    " terminal = CASE WHEN terminal = '' THEN ? ELSE terminal END,"
	    " rev = rev + 1 WHERE entry_id = ?", p, 4, NULL, NULL, &changes);
	if (rc == HC_OK && changes != 1)
		rc = HC_ERR_STORE;
	return rc;
}

typedef struct list_ctx {
	void *out;
	size_t max, n;
} list_ctx_t;

#define JOURNAL_SELECT "SELECT id, entry_id, kind, at, card_number, issue_serial, terminal," \
	" who, result, detail, COALESCE(state, -1) FROM journal"

static int
journal_row(const hc_sql_row_t *row, void *arg)
{
	list_ctx_t *l = arg;
	hc_journal_entry_t *e;

	if (l->n >= l->max)
		return 1;
	e = &((hc_journal_entry_t *)l->out)[l->n++];
	memset(e, 0, sizeof(*e));
	e->id = row->int64(row, 0);
	(void)hc_store_copy(e->entry_id, sizeof(e->entry_id), row->text(row, 1));
	e->kind = (hc_journal_kind_t)row->int64(row, 2);
	e->at = row->int64(row, 3);
	(void)hc_store_copy(e->card_number, sizeof(e->card_number), row->text(row, 4));
	(void)hc_store_copy(e->issue_serial, sizeof(e->issue_serial), row->text(row, 5));
	(void)hc_store_copy(e->terminal, sizeof(e->terminal), row->text(row, 6));
	(void)hc_store_copy(e->who, sizeof(e->who), row->text(row, 7));
	e->result = (int)row->int64(row, 8);
	(void)hc_store_copy(e->detail, sizeof(e->detail), row->text(row, 9));
	e->charge_state = (int)row->int64(row, 10);
	return 0;
}

int
hc_store_journal_list(hc_store_t *st, const char *card_number, hc_journal_entry_t *out,
    size_t max, size_t *n)
{
	list_ctx_t l = { out, max, 0 };
	hc_sql_val_t p[2] = { HC_SQL_S(card_number), HC_SQL_I(max) };
	int rc;

	if (st == NULL || out == NULL || n == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	if (card_number != NULL)
		rc = st->ops->exec(st, JOURNAL_SELECT " WHERE card_number = ? ORDER BY id DESC LIMIT ?",
		    p, 2, journal_row, &l, NULL);
	else
		rc = st->ops->exec(st, JOURNAL_SELECT " ORDER BY id DESC LIMIT ?", p + 1, 1,
		    journal_row, &l, NULL);
	*n = l.n;
	return rc;
}

/* Hex text of the small binary columns (terminal, TAC, MAC2). */
static void
hex_put(const uint8_t *b, size_t n, char *out, size_t cap)
{
	size_t k;

	out[0] = '\0';
	for (k = 0; k < n && 2 * k + 2 < cap; k++)
		snprintf(out + 2 * k, 3, "%02X", b[k]);
}

static int
hex_get(const char *s, uint8_t *out, size_t n)
{
	size_t k;
	unsigned v;

	memset(out, 0, n);
	if (strlen(s) != 2 * n)
		return -1;
	for (k = 0; k < n; k++) {
		if (sscanf(s + 2 * k, "%2X", &v) != 1)
			return -1;
		out[k] = (uint8_t)v;
	}
	return 0;
}

/* ---- charges ---- */

#define CHARGE_SELECT "SELECT id, entry_id, card_number, app_serial, ledger, n, amount, t," \
	" terminal, tdate, ttime, fund, account, self_pay, state, tac, mac2, balance_after, at" \
	" FROM journal"

static int
charge_row(const hc_sql_row_t *row, void *arg)
{
	list_ctx_t *l = arg;
	hc_charge_t *c;

	if (l->n >= l->max)
		return 1;
	c = &((hc_charge_t *)l->out)[l->n++];
	memset(c, 0, sizeof(*c));
	c->id = row->int64(row, 0);
	(void)hc_store_copy(c->entry_id, sizeof(c->entry_id), row->text(row, 1));
	(void)hc_store_copy(c->card_number, sizeof(c->card_number), row->text(row, 2));
	(void)hc_store_copy(c->app_serial, sizeof(c->app_serial), row->text(row, 3));
	c->ledger = (int)row->int64(row, 4);
	c->n = (uint16_t)row->int64(row, 5);
	c->amount = row->int64(row, 6);
	c->t = (uint32_t)row->int64(row, 7);
	(void)hex_get(row->text(row, 8), c->terminal, sizeof(c->terminal));
	(void)hc_store_copy(c->date, sizeof(c->date), row->text(row, 9));
	(void)hc_store_copy(c->time, sizeof(c->time), row->text(row, 10));
	c->fund = row->int64(row, 11);
	c->account = row->int64(row, 12);
	c->self_pay = row->int64(row, 13);
	c->state = (hc_charge_state_t)row->int64(row, 14);
	(void)hex_get(row->text(row, 15), c->tac, sizeof(c->tac));
	(void)hex_get(row->text(row, 16), c->mac2, sizeof(c->mac2));
	c->balance_after = row->int64(row, 17);
	c->at = row->int64(row, 18);
	return 0;
}

static int
charge_valid(const hc_charge_t *c)
{
	return c->card_number[0] != '\0' && (c->ledger == 1 || c->ledger == 2) &&
	    c->amount > 0 && c->fund >= 0 && c->account >= 0 && c->self_pay >= 0 &&
	    strlen(c->date) == 8 && strlen(c->time) == 6;
}

int
hc_store_charge_intent(hc_store_t *st, hc_charge_t *c)
{
	char term[13], detail[256];
	int64_t id = 0;
	int rc;

	if (st == NULL || c == NULL || c->state != HC_CHARGE_OPEN || !charge_valid(c))
		return HC_ERR_INVALID_ARGUMENT;
	if (c->entry_id[0] == '\0')
		hc_store_entry_id(c->entry_id);
	now_if_zero(&c->at);
	hex_put(c->terminal, sizeof(c->terminal), term, sizeof(term));
	snprintf(detail, sizeof(detail), "{\"amount\":%" PRId64 ",\"fund\":%" PRId64
	    ",\"account\":%" PRId64 ",\"self_pay\":%" PRId64 "}", c->amount, c->fund, c->account,
	    c->self_pay);
	{
		hc_sql_val_t p[16] = {
			HC_SQL_S(c->entry_id), HC_SQL_I(HC_JOURNAL_CHARGE), HC_SQL_I(c->at),
			HC_SQL_S(c->card_number), HC_SQL_S(term), HC_SQL_S(detail),
			HC_SQL_S(c->app_serial), HC_SQL_I(c->ledger), HC_SQL_I(c->n),
			HC_SQL_I(c->amount), HC_SQL_I(c->t), HC_SQL_S(c->date), HC_SQL_S(c->time),
			HC_SQL_I(c->fund), HC_SQL_I(c->account), HC_SQL_I(c->self_pay),
		};
		rc = st->ops->exec(st, "INSERT INTO journal (entry_id, kind, at, card_number,"
		    " terminal, detail, app_serial, ledger, n, amount, t, tdate, ttime, fund, account,"
		    " self_pay, state, balance_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
		    " ?, ?, 0, -1) RETURNING id", p, 16, get_int_cb, &id, NULL);
	}
	c->id = id;
	return rc;
}

int
hc_store_charge_outcome(hc_store_t *st, const hc_charge_t *c)
{
	char tac[9], mac2[9];
	int64_t changes = 0;
	int rc;

	if (st == NULL || c == NULL || c->state == HC_CHARGE_OPEN ||
	    c->state > HC_CHARGE_COMPLETED_TAC_UNKNOWN || (c->id == 0 && c->entry_id[0] == '\0'))
		return HC_ERR_INVALID_ARGUMENT;
	hex_put(c->tac, sizeof(c->tac), tac, sizeof(tac));
	hex_put(c->mac2, sizeof(c->mac2), mac2, sizeof(mac2));
	{
		int known = c->state == HC_CHARGE_COMPLETED;
		hc_sql_val_t p[7] = {
			HC_SQL_I(c->state), known ? HC_SQL_S(tac) : HC_SQL_S(NULL),
			known ? HC_SQL_S(mac2) : HC_SQL_S(NULL), HC_SQL_I(c->balance_after),
			HC_SQL_I(c->state == HC_CHARGE_VOID ? HC_ERR_TRANSACTION_NOT_FOUND : HC_OK),
			HC_SQL_I(c->id), HC_SQL_S(c->entry_id),
		};
		/* An outcome is final: only an OPEN intent takes one. */
		rc = st->ops->exec(st, "UPDATE journal SET state = ?, tac = ?, mac2 = ?,"
		    " balance_after = ?, result = ?, rev = rev + 1 WHERE kind = 2 AND state = 0 AND"
		    " (id = ? OR entry_id = ?)", p, 7, NULL, NULL, &changes);
	}
	if (rc == HC_OK && changes != 1) {
		hc_log_error("%s: charge %" PRId64 " %s is not an open intent", st->where, c->id,
		    c->entry_id);
		rc = HC_ERR_STORE;
	}
	return rc;
}

int
hc_store_charge_open_list(hc_store_t *st, const char *card_number, const char *app_serial,
    hc_charge_t *out, size_t max, size_t *n)
{
	list_ctx_t l = { out, max, 0 };
	hc_sql_val_t p[3] = { HC_SQL_S(card_number), HC_SQL_S(app_serial), HC_SQL_I(max) };
	int rc;

	if (st == NULL || card_number == NULL || out == NULL || n == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	if (app_serial != NULL)
		rc = st->ops->exec(st, CHARGE_SELECT " WHERE card_number = ? AND app_serial = ? AND"
		    " kind = 2 AND state = 0 ORDER BY id LIMIT ?", p, 3, charge_row, &l, NULL);
	else {
		p[1] = p[2];
		rc = st->ops->exec(st, CHARGE_SELECT " WHERE card_number = ? AND kind = 2 AND"
		    " state = 0 ORDER BY id LIMIT ?", p, 2, charge_row, &l, NULL);
	}
	*n = l.n;
	return rc;
}

int
hc_store_charge_get(hc_store_t *st, const char *entry_id, hc_charge_t *out)
{
	list_ctx_t l = { out, 1, 0 };
	hc_sql_val_t p[1] = { HC_SQL_S(entry_id) };
	int rc;

	if (st == NULL || entry_id == NULL || out == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	rc = st->ops->exec(st, CHARGE_SELECT " WHERE entry_id = ? AND kind = 2", p, 1, charge_row,
	    &l, NULL);
	if (rc == HC_OK && l.n != 1)
		rc = HC_ERR_STORE;
	return rc;
}
