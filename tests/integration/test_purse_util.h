/*
 * Helpers of the purse integration tests (run under tests/harness/with-sim): a terminal,
 * card, journal store and purse opened through libhcard, the issuer key service on the demo
 * key set, and the simulator's control socket.
 */
#ifndef HC_TEST_PURSE_UTIL_H
#define HC_TEST_PURSE_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include "hcard.h"
#include "hcard_purse.h"
#include "src/store.h"

typedef struct penv {
	hc_ctx_t *ctx;
	hc_terminal_t *term;
	hc_card_t *card;
	hc_store_t *store;
	hc_purse_t *purse;
	hc_purse_issuer_t *issuer;
	char db[512];
} penv_t;

/* Opens everything (retrying while pcscd settles); fails the test on error. */
void penv_open(penv_t *e);
/* The same without cmocka (for child processes): HC_OK or the error. */
int penv_try_open(penv_t *e);
void penv_close(penv_t *e);
/* Closes the purse and card, opens them again (after a tear or another process). */
void penv_reopen_card(penv_t *e);
/* Closes purse, card and terminal and opens them again (after the SAM was pulled). */
void penv_reopen_terminal(penv_t *e);

/* Control socket: sends line, 0 when the answer starts with "ok"; answer copied to out. */
int pctl(const char *line, char *out, size_t cap);
/* Puts back a torn or removed card in slot and waits until it can be opened. */
void pinsert(int slot);

/* EP/ED balance (ED: the PIN must be verified). */
int64_t pbalance(penv_t *e, hc_ledger_t ledger);
/* Loads amount fen (ED with the factory PIN). */
void pload(penv_t *e, hc_ledger_t ledger, int64_t amount);
/* A charge request with the whole amount as self-pay (+ fixed fund/account parts). */
hc_purse_charge_t pcharge(hc_ledger_t ledger, int64_t self_pay);
/* APDUs sent to the card and the SAM/PSAM in this card session. */
unsigned long pcard_apdus(penv_t *e);

#endif
