/*
 * hcard-sim health SAM (crypto-sam), internal to sim/sam*.c: card-profile.md §1 and §4.
 */
#ifndef HC_SIM_SAM_H
#define HC_SIM_SAM_H

#include <stddef.h>
#include <stdint.h>

#include "sim/card.h"
#include "sim/module.h"

#define SIM_SAM_MAX_KEYS   32u
#define SIM_SAM_PIN_MIN    6u
#define SIM_SAM_PIN_MAX    8u
#define SIM_SAM_PIN_TRIES  3u
#define SIM_SAM_DIGEST_MAX 65536u   /* bytes one SM3 digest may span [PC] */
#define SIM_SAM_DEFAULT_PIN "12345678"
#define SIM_SAM_HEALTH_DF  "3F00/DF01"

/* A national master key the SAM holds: (tag, version) as in P2 of DELIVERY SESSION KEY. */
typedef struct sim_sam_key {
	uint8_t tag;
	uint8_t version;
	uint8_t value[16];
} sim_sam_key_t;

typedef struct sim_sam_state {
	/* non-volatile (image section "sam") */
	uint8_t type;                   /* 1..5 (§1) */
	uint8_t pin[SIM_SAM_PIN_MAX];
	uint8_t pin_len;
	uint8_t pin_tries;
	uint8_t priv[32];               /* SM2 key of the SAM certificate */
	sim_sam_key_t keys[SIM_SAM_MAX_KEYS];
	size_t n_keys;
	/* volatile */
	int pin_ok;
	int has_session;
	uint8_t session[16];            /* S of the last DELIVERY SESSION KEY */
	int digesting;                  /* an SM3 digest in blocks is open */
	uint8_t *digest;
	size_t digest_len;
} sim_sam_state_t;

/* The SAM state of card (NULL for user cards or a SAM without the module's section). */
sim_sam_state_t *sim_sam_state(sim_card_t *card);
/* Forgets S and any open digest (wipes). */
void sim_sam_forget_session(sim_sam_state_t *st);
void sim_sam_abandon_digest(sim_sam_state_t *st);
/* 0x9000 when a key command may run: health DF01 current (6985), PIN verified (6982). */
uint16_t sim_sam_key_gate(sim_card_t *card, sim_sam_state_t *st);

/* Key commands (sim/sam_cmds.c). */
uint16_t sim_sam_cmd_delivery(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out);
uint16_t sim_sam_cmd_cipher(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out);
uint16_t sim_sam_cmd_digest(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out);
uint16_t sim_sam_cmd_sign(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out);

#endif
