/*
 * Store (internal to libhcard): the journal, the blacklist and the issuer's archive copies.
 * Two back ends behind one small vtable (store_impl.h): SQLite (default; WAL,
 * synchronous=FULL, so a returned hc_store_* write is on disk) and PostgreSQL (libpq, each
 * write one transaction). ARCHITECTURE.md "Data that must never be lost".
 *
 * Ownership: the caller (a flow, the CLI) opens one store and passes it down; the purse
 * engineer's purchase code receives the hc_store_t * and uses the charge-journal calls below:
 *
 *   hc_store_charge_open_list(st, card_number, app_serial, ...)  recover torn charges first
 *   c.card_number.. c.date, c.time, split filled; hc_store_charge_intent(st, &c)   before DEBIT
 *   DEBIT FOR PURCHASE
 *   c.state = HC_CHARGE_COMPLETED, c.tac, c.mac2, c.balance_after;
 *   hc_store_charge_outcome(st, &c)                                                after DEBIT
 *
 * Every function returns HC_OK or an hc_err_t (HC_ERR_STORE, HC_ERR_STORE_UNREACHABLE,
 * HC_ERR_INVALID_ARGUMENT, HC_ERR_NO_MEMORY); the reason is logged at the failure site.
 * A store handle is not thread-safe: one per thread.
 */
#ifndef HC_SRC_STORE_H
#define HC_SRC_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "hcard.h"

typedef struct hc_store hc_store_t;

/* Opens (and migrates to the current schema) the store named by uri:
 *   "sqlite:/path/file.db", or a plain path            SQLite file (created if missing)
 *   "postgresql://..." or "postgres://..." or "host=... dbname=..."   PostgreSQL via libpq
 * NULL or "" = hc_store_default_uri() (the state dir is created 0750 if missing, the file
 * 0600, never world-readable whatever the umask). Schema migrations are versioned (table
 * schema_version) and each runs once. */
int hc_store_open(const char *uri, hc_store_t **out);
/* The state directory of every command and library call: $HCARD_STATE_DIR, else
 * $localstatedir/lib/hcard (configure). The one place this path is decided. */
int hc_state_dir(char *out, size_t cap);
/* "sqlite:" ‖ hc_state_dir() ‖ "/hcard.db": what hc_store_open(NULL) opens. */
int hc_store_default_uri(char *out, size_t cap);
void hc_store_close(hc_store_t **st);
/* "sqlite" or "postgresql". */
const char *hc_store_kind(const hc_store_t *st);
/* Highest schema version applied. */
int hc_store_schema_version(hc_store_t *st, int *version);

/* ---- journal: one row per event; entry_id (36-char UUID text) is unique across
 * terminals, so pushing the same entry twice never duplicates it. ---- */

typedef enum hc_journal_kind {
	HC_JOURNAL_REGISTER = 1,   /* 挂号: patient registered */
	HC_JOURNAL_CHARGE,         /* 扣费: purse purchase (intent + outcome) */
	HC_JOURNAL_RECORD_WRITE,   /* visit record written */
	HC_JOURNAL_LOST,           /* blacklist change: lost / found / replaced / revoked */
	HC_JOURNAL_BLOCK,          /* application block / unblock on the card */
	HC_JOURNAL_ISSUE,          /* 发卡 */
	HC_JOURNAL_LOAD,           /* 圈存 */
	HC_JOURNAL_REFUSED         /* a flow refused the card (blacklisted, expired, ...) */
} hc_journal_kind_t;

/* Name of a kind ("register", "charge", ...); never NULL. */
const char *hc_journal_kind_name(hc_journal_kind_t kind);

#define HC_ENTRY_ID_LEN 36

typedef struct hc_journal_entry {
	int64_t id;                        /* local row id (set by the store) */
	char entry_id[HC_ENTRY_ID_LEN + 1];/* set by the store when empty */
	hc_journal_kind_t kind;
	int64_t at;                        /* unix seconds UTC; 0 = now (set by the store) */
	char card_number[19];              /* EF05 tag 08 */
	char issue_serial[11];             /* EF05 tag 10 */
	char terminal[13];                 /* terminal number, hex of 6 bytes */
	char who[33];                      /* operator */
	int result;                        /* hc_err_t of the flow (0 = success) */
	char detail[1024];                 /* free text or JSON, UTF-8 */
	int charge_state;                  /* listing only: hc_charge_state_t of a charge, else -1 */
} hc_journal_entry_t;

/* Appends e durably (fills id, entry_id, at when unset). */
int hc_store_journal_add(hc_store_t *st, hc_journal_entry_t *e);

/* Fills who, issue serial and terminal of an entry written without them (a charge journaled by
 * the purse); fields already set are kept. HC_ERR_STORE if no such entry. */
int hc_store_journal_annotate(hc_store_t *st, const char *entry_id, const char *who,
    const char *issue_serial, const char *terminal);

/* Lists entries, newest first: card_number NULL = all cards; at most max entries into
 * out[]; *n gets the count written. */
int hc_store_journal_list(hc_store_t *st, const char *card_number, hc_journal_entry_t *out,
    size_t max, size_t *n);

/* ---- charges: the intent is written before DEBIT FOR PURCHASE, the outcome after
 * (purse.md "Torn purchases"). A charge is also a journal entry (kind CHARGE) with the same
 * entry_id. ---- */

typedef enum hc_charge_state {
	HC_CHARGE_OPEN = 0,              /* intent recorded, outcome unknown */
	HC_CHARGE_COMPLETED,             /* debit done, TAC and MAC2 known */
	HC_CHARGE_VOID,                  /* proven not debited */
	HC_CHARGE_COMPLETED_TAC_UNKNOWN  /* detail record shows the debit; TAC lost: manual clearing */
} hc_charge_state_t;

/* Name of a state ("open", "completed", "void", "completed-tac-unknown"); never NULL. */
const char *hc_charge_state_name(hc_charge_state_t s);

typedef struct hc_charge {
	int64_t id;                        /* local row id (set by hc_store_charge_intent) */
	char entry_id[HC_ENTRY_ID_LEN + 1];/* set by the store when empty */
	char card_number[19];
	char app_serial[21];               /* debit application serial, 20 digits (EF15) */
	int ledger;                        /* 1 ED, 2 EP (INITIALIZE P2) */
	uint16_t n;                        /* card counter N before increment */
	int64_t amount;                    /* fen taken from the card (the self-pay part) */
	uint32_t t;                        /* PSAM terminal transaction number */
	uint8_t terminal[6];
	char date[9];                      /* YYYYMMDD */
	char time[7];                      /* hhmmss */
	int64_t fund;                      /* 统筹基金支付, fen */
	int64_t account;                   /* 个人账户, fen */
	int64_t self_pay;                  /* 个人自付, fen */
	/* outcome */
	hc_charge_state_t state;
	uint8_t tac[4];
	uint8_t mac2[4];
	int64_t balance_after;             /* fen; -1 unknown */
	int64_t at;                        /* intent time, unix seconds (set by the store) */
} hc_charge_t;

/* Records the intent durably (state must be OPEN); fills id, entry_id, at. Returns only
 * once the row is committed (SQLite synchronous=FULL / PostgreSQL COMMIT). */
int hc_store_charge_intent(hc_store_t *st, hc_charge_t *c);
/* Records the outcome of the intent c->id (or c->entry_id when id is 0): state, tac, mac2,
 * balance_after. An outcome is final: a completed or void charge is not changed again
 * (HC_ERR_STORE). */
int hc_store_charge_outcome(hc_store_t *st, const hc_charge_t *c);
/* Open intents (state OPEN) of a card, oldest first; app_serial NULL = any. */
int hc_store_charge_open_list(hc_store_t *st, const char *card_number, const char *app_serial,
    hc_charge_t *out, size_t max, size_t *n);
/* One charge by entry id. HC_ERR_STORE if not found. */
int hc_store_charge_get(hc_store_t *st, const char *entry_id, hc_charge_t *out);

/* ---- blacklist: (card number, issue serial) -> state, with who and when; every change
 * takes the next version number, so terminals pull changes incrementally. ---- */

typedef enum hc_bl_state {
	HC_BL_NONE = 0,      /* not on the list (or only ever "found") */
	HC_BL_LOST,          /* 挂失: blocked temporarily */
	HC_BL_FOUND,         /* 解挂: usable again */
	HC_BL_REPLACED,      /* 补办: superseded by a new card; permanent */
	HC_BL_REVOKED        /* 注销: permanent */
} hc_bl_state_t;

/* "none", "lost", "found", "replaced", "revoked"; never NULL. hc_bl_state_parse returns -1
 * for an unknown name. */
const char *hc_bl_state_name(hc_bl_state_t s);
int hc_bl_state_parse(const char *name);
/* 1 if a card in state s must be refused (lost, replaced, revoked). */
int hc_bl_refused(hc_bl_state_t s);

typedef struct hc_bl_entry {
	char card_number[19];
	char issue_serial[11];
	hc_bl_state_t state;
	char who[33];
	int64_t at;           /* unix seconds UTC */
	int64_t version;      /* store-wide change number */
	char note[129];
} hc_bl_entry_t;

/* Sets the state of (card, serial); fills e->version and e->at (when 0). A replaced or
 * revoked card cannot become lost or found again (HC_ERR_NOT_PERMITTED). */
int hc_store_bl_set(hc_store_t *st, hc_bl_entry_t *e);
/* Looks up (card, serial): HC_OK and *out filled (state NONE if absent). */
int hc_store_bl_get(hc_store_t *st, const char *card_number, const char *issue_serial,
    hc_bl_entry_t *out);
/* All issue serials of a card number on the list, newest first. */
int hc_store_bl_list_card(hc_store_t *st, const char *card_number, hc_bl_entry_t *out,
    size_t max, size_t *n);
/* Entries with version > since, by version; for pull sync. */
int hc_store_bl_changes(hc_store_t *st, int64_t since, hc_bl_entry_t *out, size_t max,
    size_t *n);
/* Highest version present (0 if empty). */
int hc_store_bl_max_version(hc_store_t *st, int64_t *version);

/* ---- archive: the issuer's copy of a holder's data (DDF1/DF01/DF02 elements), by card
 * number + issue serial and a name such as "DF01/EF05"; carried to a replacement card. ---- */

#define HC_ARCHIVE_MAX 16384

int hc_store_archive_put(hc_store_t *st, const char *card_number, const char *issue_serial,
    const char *name, const uint8_t *data, size_t len);
/* *len in: capacity of data; out: length. HC_ERR_STORE if absent, HC_ERR_BUFFER_TOO_SMALL. */
int hc_store_archive_get(hc_store_t *st, const char *card_number, const char *issue_serial,
    const char *name, uint8_t *data, size_t *len);
/* Names stored for (card, serial), callback per name; stops at the first nonzero return. */
int hc_store_archive_names(hc_store_t *st, const char *card_number, const char *issue_serial,
    int (*cb)(const char *name, void *arg), void *arg);

/* ---- sync (offline terminal on SQLite <-> shared PostgreSQL) ---- */

typedef struct hc_sync_stats {
	size_t journal_pushed;    /* local journal/charge rows sent (upserts by entry_id) */
	size_t bl_pulled;         /* blacklist entries pulled */
	size_t bl_pushed;         /* local blacklist changes sent */
	int64_t bl_version;       /* remote version now known locally */
} hc_sync_stats_t;

/* Pushes local journal entries and charges not yet pushed (and charges whose outcome changed)
 * to remote, idempotently by entry_id; pushes local blacklist changes made offline; pulls
 * blacklist changes with version > the last pulled one. HC_ERR_STORE_UNREACHABLE leaves
 * everything for the next attempt. */
int hc_store_sync(hc_store_t *local, hc_store_t *remote, hc_sync_stats_t *stats);

#endif
