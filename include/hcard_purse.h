/*
 * libhcard: the debit application of the co-branded health card (purse.md): ED and EP
 * balances, purchases through the PSAM with a settlement split, loads with the issuer key
 * service, the cardholder PIN and the transaction log.
 *
 * Amounts are int64_t fen (分). Purchases are journalled: the intent is written durably
 * before DEBIT FOR PURCHASE and the outcome (TAC, MAC2, new balance) after it; a charge
 * whose answer never arrived is resolved on the next contact with the card (GET TRANSACTION
 * PROVE, then the detail records), automatically before any new charge on that card.
 * A charge is never lost and never taken twice.
 */
#ifndef HCARD_PURSE_H
#define HCARD_PURSE_H

#include <stddef.h>
#include <stdint.h>
#include "hcard.h"

#ifdef __cplusplus
extern "C" {
#endif

struct hc_store;                     /* the journal store (flows area, src/store.h) */

typedef enum hc_ledger {
	HC_LEDGER_ED = 1,                /* 电子存折, deposit: needs the cardholder PIN */
	HC_LEDGER_EP = 2                 /* 电子钱包, purse: no PIN */
} hc_ledger_t;

typedef struct hc_purse hc_purse_t;

/* Opens the debit application of the card in session card: selects it and reads EF15
 * (application data, key diversification factor). store (may be NULL) is the journal that
 * purchases need; it is not owned. The purse borrows card: free the purse first. */
int hc_purse_open(hc_card_t *card, struct hc_store *store, hc_purse_t **out);
/* Frees (wipes) the purse and NULLs *p. */
void hc_purse_free(hc_purse_t **p);

/* EF15, decoded. */
typedef struct hc_purse_info {
	uint8_t issuer_id[8];
	int app_type;
	int app_version;
	char serial[21];                 /* application serial, 20 digits */
	char start_date[9];              /* YYYYMMDD */
	char expiry_date[9];
} hc_purse_info_t;
int hc_purse_info(const hc_purse_t *p, hc_purse_info_t *out);

/* Balance of a ledger in fen. ED needs the PIN verified in this card session
 * (HC_ERR_SECURITY_STATUS otherwise). */
int hc_purse_balance(hc_purse_t *p, hc_ledger_t ledger, int64_t *fen);
/* EP balance limit (9F77) and single-transaction limit (9F78), fen; either may be NULL. */
int hc_purse_limits(hc_purse_t *p, int64_t *balance_limit, int64_t *single_limit);

/* Cardholder PIN (4-12 digits; HC_ERR_PIN_FORMAT otherwise, before anything is sent).
 * Wrong PIN: HC_ERR_PIN_WRONG and *tries_left (may be NULL) set; blocked: HC_ERR_PIN_BLOCKED
 * and *tries_left 0. The PIN is wiped after use and never logged. */
int hc_purse_verify_pin(hc_purse_t *p, const char *pin, int *tries_left);
/* VERIFY without data: HC_OK if the PIN is verified in this card session; otherwise
 * HC_ERR_SECURITY_STATUS with *tries_left, or HC_ERR_PIN_BLOCKED. */
int hc_purse_pin_status(hc_purse_t *p, int *tries_left);
/* ---- cardholder PIN on the reader's PIN pad (PC/SC part 10, purse.md "PIN pads") ---- */

/* *has = 1 when the user card's reader has a PIN pad (FEATURE_VERIFY_PIN_DIRECT), else 0.
 * Asks the reader once per connection (a reader control, no APDU). The _reader_ form needs
 * only the card session (no purse opened, no APDU). */
int hc_purse_has_pinpad(hc_purse_t *p, int *has);
int hc_purse_reader_has_pinpad(hc_card_t *card, int *has);
/* The cardholder types the PIN on the reader's keypad; the reader sends the VERIFY itself, so
 * the PIN never passes through the host. Errors as hc_purse_verify_pin (HC_ERR_PIN_WRONG with
 * *tries_left on 63Cx, HC_ERR_PIN_BLOCKED on 6983: then nothing is shown on the pad), and
 * HC_ERR_NO_PINPAD (the reader has none: nothing sent to the card), HC_ERR_PINPAD_CANCELLED,
 * HC_ERR_PINPAD_TIMEOUT, HC_ERR_PINPAD_LENGTH (the reader sent nothing to the card: the PIN
 * state and tries are unchanged). The pad waits at most HC_PURSE_PINPAD_TIMEOUT_S seconds. */
int hc_purse_verify_pin_pad(hc_purse_t *p, int *tries_left);
#define HC_PURSE_PINPAD_TIMEOUT_S 30
/* A PIN argument that means "typed on the reader's PIN pad" (hc_purse_load's pin; also
 * accepted in hc_purse_charge_t.pin, same as pin_pad = 1). Compared by address: never a PIN
 * text (its text is empty, so code that took it for one would refuse it as a bad format). */
const char *hc_purse_pin_pad_marker(void);
#define HC_PURSE_PIN_PAD (hc_purse_pin_pad_marker())

/* CHANGE PIN: errors as hc_purse_verify_pin for a wrong old PIN. Keyboard only: a PIN pad's
 * VERIFY_PIN_DIRECT carries one PIN (HC_PURSE_PIN_PAD here: HC_ERR_INVALID_ARGUMENT). */
int hc_purse_change_pin(hc_purse_t *p, const char *old_pin, const char *new_pin,
    int *tries_left);

/* ---- issuer key service (bank side: holds the master DLK and PRK) ---- */

typedef struct hc_purse_issuer hc_purse_issuer_t;
/* Loads the purse master keys (purse.ed.dlk, purse.ep.dlk, purse.ed.prk) from a key-set
 * file (`name hex` lines, the format of `hcard-sim keyset`). HC_ERR_CONFIG if unreadable or
 * a key is missing. */
int hc_purse_issuer_open(const char *keyset_path, hc_purse_issuer_t **out);
void hc_purse_issuer_free(hc_purse_issuer_t **is);

/* What the card said to INITIALIZE FOR LOAD, for the issuer to check and answer. */
typedef struct hc_purse_load_req {
	hc_ledger_t ledger;
	uint8_t factor[8];               /* F: the card's EF15 bytes 12-19 */
	uint32_t balance;                /* balance before the load */
	uint32_t amount;
	uint16_t m;                      /* online counter before increment */
	uint8_t random[4];
	uint8_t terminal[6];
	uint8_t mac1[4];
	uint8_t date[4];                 /* BCD YYYYMMDD of the CREDIT */
	uint8_t time[3];                 /* BCD hhmmss */
} hc_purse_load_req_t;
/* Checks MAC1 (HC_ERR_MAC_INVALID when wrong) and computes the host MAC2. */
int hc_purse_issuer_load_mac2(const hc_purse_issuer_t *is, const hc_purse_load_req_t *req,
    uint8_t mac2[4]);
/* MAC of RELOAD PIN over a PIN block for the card with factor F. */
int hc_purse_issuer_pin_mac(const hc_purse_issuer_t *is, const uint8_t factor[8],
    const uint8_t block[6], uint8_t mac[4]);

/* RELOAD PIN (issuer): sets the PIN to new_pin and resets the try counter. */
int hc_purse_reload_pin(hc_purse_t *p, const hc_purse_issuer_t *is, const char *new_pin);

/* ---- purchase ---- */

/*
 * A charge with its settlement split (医保): fund (统筹基金支付) and account (个人账户) are
 * settled by the insurer's systems and only journalled; self_pay (个人自付) is the card-paid
 * part: it is debited from the card's ledger (doc/spec-notes.md, purse section).
 * total must equal fund + account + self_pay (HC_ERR_SPLIT); every part >= 0 and self_pay
 * >= 1 fen and <= 2^32-1 (HC_ERR_AMOUNT).
 */
typedef struct hc_purse_charge {
	hc_ledger_t ledger;
	int64_t total;
	int64_t fund;
	int64_t account;
	int64_t self_pay;
	const char *pin;                 /* ED: verified first when not NULL (else it must be) */
	/* entry id of an earlier charge that ended in HC_ERR_RECOVERY_PENDING: it is resolved
	 * first; if it was taken its receipt is returned and nothing more is charged. */
	const char *retry_of;
	/* ED: the cardholder types the PIN on the reader's pad, verified in the same PC/SC
	 * transaction as the purchase, before anything is journalled (pin must be NULL;
	 * HC_ERR_NO_PINPAD, without any APDU, when the reader has none). Ignored for EP. */
	int pin_pad;
} hc_purse_charge_t;

typedef enum hc_purse_state {
	HC_PURSE_OPEN = 0,               /* outcome unknown: resolved on the next contact */
	HC_PURSE_COMPLETED = 1,          /* taken; TAC and MAC2 known */
	HC_PURSE_VOID = 2,               /* not taken */
	HC_PURSE_COMPLETED_TAC_UNKNOWN = 3 /* taken (detail record); TAC lost: manual clearing */
} hc_purse_state_t;

typedef struct hc_purse_receipt {
	char entry_id[37];               /* journal entry id ("" if nothing was journalled) */
	hc_purse_state_t state;
	hc_ledger_t ledger;
	int64_t amount;                  /* fen taken from the card (self_pay) */
	int64_t balance_after;           /* -1 unknown */
	uint16_t n;                      /* card counter N used */
	uint32_t t;                      /* PSAM terminal transaction number */
	uint8_t terminal[6];
	char date[9];
	char time[7];
	uint8_t tac[4];
	uint8_t mac2[4];
	int mac2_verified;               /* 1: the PSAM accepted MAC2 (the card is genuine) */
	int pin_tries_left;              /* ED PIN refused (wrong/blocked): tries left; else -1 */
} hc_purse_receipt_t;

/*
 * Charges c->self_pay to the card. First resolves the open charges of this card in the
 * journal (hc_purse_recover). HC_OK: taken once, receipt filled. HC_ERR_RECOVERY_PENDING:
 * the card's answer to DEBIT never arrived; receipt->entry_id names the open charge; call
 * again with retry_of = that id once the card is back (never a plain retry). Other errors:
 * nothing was taken (HC_ERR_INSUFFICIENT_BALANCE, HC_ERR_AMOUNT_OVER_LIMIT, HC_ERR_NO_PSAM,
 * HC_ERR_SECURITY_STATUS when ED lacks the PIN, transport errors before DEBIT...).
 * The whole charge runs in one PC/SC transaction. With pin_pad, a cancelled or timed-out
 * PIN entry (HC_ERR_PINPAD_CANCELLED / _TIMEOUT) ends the charge before INITIALIZE: nothing
 * taken, nothing journalled (receipt->entry_id ""). The transaction is held while the
 * cardholder types (at most HC_PURSE_PINPAD_TIMEOUT_S): doc/purse.md "PIN pads" says why.
 */
int hc_purse_purchase(hc_purse_t *p, const hc_purse_charge_t *c, hc_purse_receipt_t *receipt);

/* Resolves every open charge of this card in the journal (purse.md "Torn purchases").
 * *resolved / *still_open (may be NULL) get the counts. */
int hc_purse_recover(hc_purse_t *p, size_t *resolved, size_t *still_open);

/* Progress of a purchase, for UIs and fault-injection tests: cb(step) after each step. */
enum {
	HC_PURSE_STEP_PSAM = 1,          /* PSAM selected, terminal number known */
	HC_PURSE_STEP_INITIALIZE,        /* INITIALIZE FOR PURCHASE answered */
	HC_PURSE_STEP_MAC1,              /* PSAM MAC1 answered */
	HC_PURSE_STEP_INTENT,            /* intent durable in the journal */
	HC_PURSE_STEP_DEBIT,             /* DEBIT FOR PURCHASE answered */
	HC_PURSE_STEP_OUTCOME,           /* outcome durable in the journal */
	HC_PURSE_STEP_MAC2               /* PSAM checked MAC2 */
};
typedef void (*hc_purse_step_cb)(int step, void *arg);
void hc_purse_set_step_cb(hc_purse_t *p, hc_purse_step_cb cb, void *arg);

/* ---- load (圈存) ---- */

typedef struct hc_purse_load_receipt {
	hc_ledger_t ledger;
	int64_t amount;
	int64_t balance_after;           /* -1 unknown */
	uint16_t m;                      /* online counter used */
	uint8_t tac[4];
	char date[9];
	char time[7];
	hc_purse_state_t state;          /* COMPLETED; OPEN when CREDIT went unanswered */
	int64_t balance_before;
	uint8_t terminal[6];
} hc_purse_load_receipt_t;
/* Loads amount fen onto the ledger (ED needs the PIN verified, or pin non-NULL; pin =
 * HC_PURSE_PIN_PAD: typed on the reader's pad inside the load's transaction). Over the
 * balance limit: HC_ERR_AMOUNT_OVER_LIMIT. Journalled (kind load: intent before CREDIT FOR
 * LOAD, outcome after) when the purse has a store. HC_ERR_RECOVERY_PENDING: the card's answer
 * to CREDIT never arrived; receipt->state is OPEN: call hc_purse_load_resolve with it on
 * the next contact. Other errors: nothing was loaded. */
int hc_purse_load(hc_purse_t *p, const hc_purse_issuer_t *is, hc_ledger_t ledger,
    int64_t amount, const char *pin, hc_purse_load_receipt_t *receipt);
/* Decides a torn load from the card's detail records (the record with sequence M):
 * receipt->state becomes COMPLETED_TAC_UNKNOWN (loaded) or VOID (not loaded), journalled.
 * HC_ERR_RECOVERY_PENDING if the record rolled out of the detail file. */
int hc_purse_load_resolve(hc_purse_t *p, hc_purse_load_receipt_t *receipt);
/* Resolves every open load of this card in the journal (an intent with no outcome: CREDIT's
 * answer was lost) with hc_purse_load_resolve. hc_purse_load and hc_purse_purchase run it
 * first, so a torn load is never loaded again by a retry. The first max resolved loads go
 * to done[] (state COMPLETED_TAC_UNKNOWN: loaded; VOID: not loaded), the counts to
 * *resolved / *still_open (may be NULL; still open: the record rolled out). */
int hc_purse_load_recover(hc_purse_t *p, hc_purse_load_receipt_t *done, size_t max,
    size_t *resolved, size_t *still_open);

/* ---- transaction log (SFI 18, newest first) ---- */

typedef struct hc_purse_log_entry {
	uint16_t seq;                    /* N (purchases) or M (loads) before increment */
	int64_t amount;
	int type;                        /* 01 ED load, 02 EP load, 05 ED purchase, 06 EP purchase */
	hc_ledger_t ledger;
	int is_load;
	uint8_t terminal[6];
	char date[9];
	char time[7];
} hc_purse_log_entry_t;
#define HC_PURSE_LOG_MAX 10
/* Reads the detail records, newest first, skipping empty slots; *n gets the count. */
int hc_purse_log(hc_purse_t *p, hc_purse_log_entry_t out[HC_PURSE_LOG_MAX], size_t *n);

#ifdef __cplusplus
}
#endif
#endif
