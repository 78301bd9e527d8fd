/*
 * hcard-sim: the debit application of the user card (purse.md), internal to sim/purse*.c.
 *
 * sim/purse.c holds the module (state, image section "purse", factory, PIN, GET BALANCE,
 * GET DATA, GET TRANSACTION PROVE); sim/purse_tx.c the transactions (INITIALIZE FOR
 * PURCHASE/LOAD, DEBIT FOR PURCHASE, CREDIT FOR LOAD) and the detail file.
 * The cardholder PIN state lives in sim_card_t (pin_verified, pin_blocked) so that the PKI
 * module can read it and clear pin_verified after a key-02 signature.
 */
#ifndef HC_SIM_PURSE_H
#define HC_SIM_PURSE_H

#include <stdint.h>

#include "sim/module.h"

#define SIM_PURSE_ED 0u              /* ledger index of ED (P2 01) */
#define SIM_PURSE_EP 1u              /* ledger index of EP (P2 02) */
#define SIM_PURSE_LEDGERS 2u
#define SIM_PURSE_PIN_TRIES 3u
#define SIM_PURSE_KEY_INDEX 0x01u    /* the one key index of v1 */
#define SIM_PURSE_KEY_VERSION 0x01u
#define SIM_PURSE_ALG_3DES 0x00u
#define SIM_PURSE_REC_LEN 23u        /* detail record (purse.md) */
#define SIM_PURSE_REC_COUNT 10u
#define SIM_PURSE_EF15_LEN 30u

/* One ledger (ED or EP): balance, counters, card keys, last completed debit. */
typedef struct sim_purse_ledger {
	uint32_t balance;
	uint16_t n;                  /* offline (purchase) counter, next value to use */
	uint16_t m;                  /* online (load) counter, next value to use */
	uint8_t prove_valid;
	uint16_t prove_n;
	uint8_t prove_mac2[4];
	uint8_t prove_tac[4];
	uint8_t dpk[16], dlk[16], dtk[16];
} sim_purse_ledger_t;

/* INITIALIZE remembered for the next command only (volatile). */
typedef struct sim_purse_pending {
	int valid;
	int fresh;                   /* set by INITIALIZE; the next command event ages it */
	int load;                    /* 1 INITIALIZE FOR LOAD, 0 FOR PURCHASE */
	unsigned ledger;             /* SIM_PURSE_ED / SIM_PURSE_EP */
	uint32_t amount;
	uint32_t balance;            /* balance at INITIALIZE */
	uint16_t counter;            /* N or M before increment */
	uint8_t terminal[6];
	uint8_t random[4];
	uint8_t seslk[8];            /* load session key */
} sim_purse_pending_t;

typedef struct sim_purse_state {
	sim_purse_ledger_t led[SIM_PURSE_LEDGERS];
	uint8_t prk[16];             /* PIN reload key */
	uint8_t pin[6];              /* PIN block, BCD F-padded */
	uint8_t pin_tries;
	uint32_t ep_single_limit;    /* 9F78 */
	uint32_t ep_balance_limit;   /* 9F77 */
	sim_purse_pending_t pend;    /* volatile */
} sim_purse_state_t;

/* The module's state of card (NULL on a card without the debit application). */
sim_purse_state_t *sim_purse_state(sim_card_t *card);
/* 1 when the current DF is the debit application. */
int sim_purse_is_current(const sim_card_t *card);

/* sim/purse_tx.c handlers. */
uint16_t sim_purse_initialize(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out);
uint16_t sim_purse_debit(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out);
uint16_t sim_purse_credit(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out);

/* MAC_K(data) of purse.md: ISO 9797-1 alg. 1, 8-byte key. 0 or -1. */
int sim_purse_mac(const uint8_t key[8], const uint8_t *data, size_t len, uint8_t mac[4]);

#endif
