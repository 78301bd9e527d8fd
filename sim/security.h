/*
 * hcard-sim user-card key store (crypto-sam), internal to sim/security*.c.
 */
#ifndef HC_SIM_SECURITY_H
#define HC_SIM_SECURITY_H

#include <stddef.h>
#include <stdint.h>

#include "sim/card.h"
#include "sim/keyset.h"
#include "sim/module.h"

#define SIM_SEC_MAX_KEYS 32u

/* One card key: identified by its SAM tag in the §4 table (DF and kind follow from it). */
typedef struct sim_sec_key {
	uint8_t tag;
	uint8_t version;        /* 01 */
	uint8_t tries;          /* 3 .. 0 (0 = blocked, 6983) */
	uint8_t value[16];      /* diversified card key */
} sim_sec_key_t;

typedef struct sim_sec_state {
	sim_sec_key_t keys[SIM_SEC_MAX_KEYS];
	size_t n;
} sim_sec_state_t;

/* The card's key store (NULL when the card has none). */
sim_sec_state_t *sim_sec_state(sim_card_t *card);
/* The key of that kind (and card id for RK/UK/LK/BK) in the current DF, or NULL. */
sim_sec_key_t *sim_sec_find_key(sim_card_t *card, sim_key_kind_t kind, uint8_t card_id);
/* §4: S = SM4_key(challenge || 00 x 8). 0 or -1. */
int sim_sec_session_key(const uint8_t key[16], const uint8_t challenge[8], uint8_t s[16]);
/* The SM hook of sim_keys_module (sim/module.h). */
uint16_t sim_sec_sm_unwrap(sim_card_t *card, const hc_apdu_t *cmd, sim_sm_mode_t mode,
                           uint8_t *plain, size_t cap, size_t *plain_len);

#endif
