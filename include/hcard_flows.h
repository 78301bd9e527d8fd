/*
 * libhcard: the business flows of a hospital front desk and an issuing station
 * (card-profile.md §5-§6, purse.md): register (挂号), charge (扣费), report lost / found /
 * replace (挂失 / 解挂 / 补办), block / unblock, issue (发卡, 个人化).
 *
 * Each flow is one call with a result struct; each is journaled in the store (hc_store_t:
 * SQLite by default, PostgreSQL when shared; see doc/store.md). Every result carries the
 * hc_err_t of the flow, the journal entry id and the APDUs and time it cost.
 */
#ifndef HCARD_FLOWS_H
#define HCARD_FLOWS_H

#include <stddef.h>
#include <stdint.h>
#include "hcard.h"
#include "hcard_health.h"
#include "hcard_visit.h"
#include "hcard_purse.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the store (journal, blacklist, archive) ---- */

typedef struct hc_store hc_store_t;

/* Opens the store: "sqlite:/path", a path, "postgresql://..." (libpq URI or "key=value"
 * conninfo); NULL or "" = hc_store_default_uri(): sqlite:$HCARD_STATE_DIR/hcard.db, default
 * $localstatedir/lib/hcard/hcard.db, for every command alike. Creates and migrates the
 * schema. HC_ERR_STORE_UNREACHABLE when PostgreSQL cannot be reached. */
int hc_store_open(const char *uri, hc_store_t **out);
/* The state directory ($HCARD_STATE_DIR, else $localstatedir/lib/hcard) and the default store
 * URI built from it (the only place either is decided). */
int hc_state_dir(char *out, size_t cap);
int hc_store_default_uri(char *out, size_t cap);
void hc_store_close(hc_store_t **st);

/* Blacklist states (card number + issue serial). */
enum { HC_CARD_OK = 0, HC_CARD_LOST = 1, HC_CARD_FOUND = 2, HC_CARD_REPLACED = 3,
	HC_CARD_REVOKED = 4 };

/* ---- what every flow needs ---- */

typedef struct hc_flow_env {
	hc_store_t *store;          /* required */
	const hc_trust_t *trust;    /* root CAs for the issuer certificate (register) */
	const char *who;            /* operator, for the journal and the blacklist ("" if NULL) */
	const char *today;          /* "YYYYMMDD" for validity checks; NULL = host date */
	const char *issuer_keys;    /* issuance: the issuer's key-set file (issuer.cert, purse
	                               PRK/DLK masters: hc_purse_issuer_open) */
	/* issuance, step "PKI keys" (pki.md): the issuer CA that certifies the card's key pairs,
	 * PEM private key and PEM certificate files. Key 01 (P-256) by pki_ca_*, key 02 (SM2) by
	 * pki_sm2_ca_* (an SM2 CA), which default to pki_ca_*. No CA at all: the step is
	 * skipped and says so (hc_issue_result_t.step_note). */
	const char *pki_ca_key;
	const char *pki_ca_cert;
	const char *pki_sm2_ca_key;
	const char *pki_sm2_ca_cert;
} hc_flow_env_t;

/* Cost of a flow: APDUs to the user card and the SAM/PSAM, wall time. */
typedef struct hc_flow_cost {
	unsigned long card_apdus;
	unsigned long sam_apdus;
	double ms;
} hc_flow_cost_t;

/* ---- register (挂号) ---- */

typedef struct hc_patient {
	hc_issuer_t issuer;                         /* card number, issue serial, issuer */
	hc_cardholder_t holder;                     /* name, sex, birth date, ID */
	hc_validity_t validity;                     /* expiry, phones */
	int clinical_read;                          /* 1 if the SAM could read DF02 */
	hc_clinical_t clinical;                     /* blood group and alerts */
	hc_allergy_t allergies[HC_ALLERGIES_MAX];
	size_t n_allergies;
	uint8_t outpatient_index[HC_VISIT_OUTPATIENT_SLOTS];  /* 00 valid, FF empty */
	uint8_t inpatient_index[HC_VISIT_INPATIENT_SLOTS];
} hc_patient_t;

typedef struct hc_register_result {
	int result;                 /* hc_err_t, also returned */
	int blacklist_state;        /* HC_CARD_*: why a card was refused */
	int blocked_on_card;        /* 1: DF01-DF03 blocked now (type 4/5 SAM), 2: already blocked */
	hc_patient_t patient;       /* valid when result is HC_OK */
	char entry_id[37];          /* journal entry */
	hc_flow_cost_t cost;
} hc_register_result_t;

/* Register: the card is genuine (internal authentication), its issuer certificate verifies
 * under env->trust, it has not expired, it is not blacklisted (card number + issue serial);
 * then cardholder, clinical alerts, allergies and the visit indexes are read and a
 * registration is journaled. A blacklisted card is refused with HC_ERR_BLACKLISTED (and the
 * refusal journaled); when the terminal's SAM is type 4 or 5 its applications are blocked on
 * the spot (temporary for lost, permanent for replaced or revoked). */
int hc_flow_register(hc_card_t *card, const hc_flow_env_t *env, hc_register_result_t *out);

/* ---- charge (扣费) ---- */

typedef struct hc_charge_request {
	int64_t total;              /* fen: fund + account + self_pay (HC_ERR_SPLIT otherwise) */
	int64_t fund;               /* 统筹基金支付: journaled for clearing */
	int64_t account;            /* 个人账户: journaled for clearing */
	int64_t self_pay;           /* 个人自付: debited from the card */
	int ledger;                 /* HC_LEDGER_EP (0 means EP) or HC_LEDGER_ED (needs pin) */
	const char *pin;            /* ED: the cardholder PIN (wiped by the purse, never logged) */
	const char *retry_of;       /* entry id of a charge that ended HC_ERR_RECOVERY_PENDING */
	const hc_visit_record_t *visit;  /* optional: outpatient record written and signed after */
	int pin_pad;                /* ED: the cardholder types the PIN on the reader's PIN pad
	                             * (pin NULL); HC_ERR_NO_PINPAD before any APDU when the
	                             * reader has none (hc_purse_charge_t.pin_pad) */
} hc_charge_request_t;

typedef struct hc_charge_result {
	int result;                 /* of the charge; the visit record has its own */
	hc_purse_receipt_t receipt; /* TAC, balance, journal entry id */
	size_t recovered;           /* torn charges of this card resolved first */
	int visit_result;           /* hc_err_t of the visit record write (-1: none asked) */
	int visit_slot;
	hc_flow_cost_t cost;
	int repeated;               /* 1: not charged again; receipt is the earlier charge
	                             * (retry_of, or a plain repeat of a charge taken whose visit
	                             * record failed: only the record is written now) */
} hc_charge_result_t;

/* Charge: refuses a blacklisted card; resolves any open intent of the card (purse.md "Torn
 * purchases"); debits self_pay with the split journaled; then, if asked and the charge
 * succeeded, writes and signs the outpatient visit record (type 2, 3 or 5 SAM). A wrong ED
 * PIN leaves its tries in out->receipt.pin_tries_left; a PIN entry cancelled or timed out on
 * the pad charges and journals nothing. */
int hc_flow_charge(hc_card_t *card, const hc_flow_env_t *env, const hc_charge_request_t *req,
    hc_charge_result_t *out);

/* ---- block / unblock on the card (type 4 or 5 SAM: LK of DF01-DF03) ---- */

/* Blocks DF01, DF02 and DF03 (APPLICATION BLOCK, temporary or permanent); an application
 * already blocked is left as is. Journaled. */
int hc_flow_block(hc_card_t *card, const hc_flow_env_t *env, int permanent, hc_flow_cost_t *cost);
/* Unblocks temporarily blocked applications (APPLICATION UNBLOCK); refused when the card is
 * still on the blacklist (HC_ERR_BLACKLISTED). Journaled. */
int hc_flow_unblock(hc_card_t *card, const hc_flow_env_t *env, hc_flow_cost_t *cost);

/* ---- report lost / found (system side; no card needed) ---- */

/* Sets the blacklist state of (card number, issue serial) to HC_CARD_LOST, HC_CARD_FOUND or
 * HC_CARD_REVOKED, with env->who and the time; journaled. issue_serial NULL = the newest
 * serial known for that card number in the journal or the blacklist (HC_ERR_INVALID_ARGUMENT
 * if none). HC_ERR_NOT_PERMITTED for a replaced or revoked card, or "found" for a card that
 * is not lost. */
int hc_flow_report(const hc_flow_env_t *env, const char *card_number, const char *issue_serial,
    int state);

/* State of (card number, issue serial): HC_CARD_*; who and when (may be NULL). */
int hc_flow_card_state(const hc_flow_env_t *env, const char *card_number, const char *issue_serial,
    int *state, char who[33], int64_t *when);

/* The blacklist check every flow makes, for the faces' direct purse operations (load, PIN):
 * HC_ERR_BLACKLISTED (journaled as refused) for a lost, replaced or revoked card; *state (may
 * be NULL) gets HC_CARD_*. A blank card passes. */
int hc_flow_check_card(hc_card_t *card, const hc_flow_env_t *env, int *state);

/* ---- issue (发卡) with a type 5 SAM ---- */

/* An issuance profile: the cardholder's data as JSON (UTF-8), doc/flows.md. */
typedef struct hc_issue_profile hc_issue_profile_t;

/* Parses a profile from JSON text. Fields are checked by hc_issue_profile_validate, not here;
 * unknown keys and wrong JSON types are refused (HC_ERR_PROFILE) with the key in why. */
int hc_issue_profile_parse(const char *json, hc_issue_profile_t **out, char *why, size_t why_cap);
/* Reads and parses a file. */
int hc_issue_profile_load(const char *path, hc_issue_profile_t **out, char *why, size_t why_cap);
void hc_issue_profile_free(hc_issue_profile_t **p);
/* Batch CSV (UTF-8, RFC 4180 quoting, one profile per row): the first row names the columns
 * as profile keys ("issue_serial", "holder.name", "contact1.phone", "pin", ...; doc/flows.md);
 * empty cells are left out. cb(row, json, arg) gets each data row (from 1) as profile JSON
 * (a relative "photo" is made relative to the CSV's directory); a nonzero return stops.
 * HC_ERR_PROFILE with the line in why for an unknown column or a malformed line. */
int hc_issue_profile_csv(const char *path, int (*cb)(size_t row, const char *json, void *arg),
    void *arg, char *why, size_t why_cap);
/* Validates everything before a card is touched: ID number (GB 11643 check digit, birth
 * date, sex), birth date = the ID's, text lengths and GBK, codes, dates, photo, PIN format,
 * opening balance; a child without an ID card (household register) needs a guardian as
 * contact 1. HC_OK or the first error, with the field and the reason in why. */
int hc_issue_profile_validate(const hc_issue_profile_t *p, const char *today, char *why, size_t why_cap);
/* Card number (the ID number) and issue serial of the profile. */
const char *hc_issue_profile_card_number(const hc_issue_profile_t *p);
const char *hc_issue_profile_issue_serial(const hc_issue_profile_t *p);
/* Sets the issue serial (replacement cards); HC_ERR_INVALID_ARGUMENT if longer than 10. */
int hc_issue_profile_set_issue_serial(hc_issue_profile_t *p, const char *serial);
/* The profile as JSON text (malloc'd; free()). NULL on failure. */
char *hc_issue_profile_to_json(const hc_issue_profile_t *p);

/* Reads the card's holder data as a profile (the issuance format, without PIN, balance and
 * photo): DDF1/EF05, EF06, EF08; all != 0 adds DF01 and DF02 (allergies, immunisations).
 * Free with hc_issue_profile_free; hc_issue_profile_to_json prints it. */
int hc_flow_read_profile(hc_card_t *card, int all, hc_issue_profile_t **out);

typedef struct hc_issue_result {
	int result;
	char card_number[19];
	char issue_serial[11];
	char entry_id[37];
	char failed_step[32];       /* the step that failed ("validate", "EF06", "activate" ...) */
	hc_flow_cost_t cost;
	hc_flow_cost_t steps[12];   /* per step, in hc_issue_step_name order */
	size_t n_steps;
	const char *step_note[12];  /* per step: NULL, or a static note such as "skipped: no
	                               issuer CA configured" */
} hc_issue_result_t;

/* Name of issuance step i ("DDF1/EF05", ...), NULL past the last. */
const char *hc_issue_step_name(size_t i);

/* Issues a blank card (life cycle 03) from a validated profile: EF05-EF08, DF01, DF02,
 * photo, cardholder PIN (RELOAD PIN), opening balance, the PKI key pairs 01 and 02 generated
 * on the card with their certificates from the issuer CA (env->pki_*; skipped with a note
 * when none is configured), ACTIVATE; archives the profile in the
 * store under (card number, issue serial) for a later replacement; journaled. The profile
 * is validated first and nothing is written to the card when it is invalid. */
int hc_flow_issue(hc_card_t *card, const hc_flow_env_t *env, const hc_issue_profile_t *p,
    hc_issue_result_t *out);

/* Replacement (补办): issues the card in the reader as a replacement of (card number,
 * old serial) from the archived profile with new_serial, marks the old card replaced on the
 * blacklist, journals both. */
int hc_flow_replace(hc_card_t *card, const hc_flow_env_t *env, const char *card_number,
    const char *old_serial, const char *new_serial, hc_issue_result_t *out);

#ifdef __cplusplus
}
#endif
#endif
