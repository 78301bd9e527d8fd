/*
 * hcard-sim extension points: command handlers, image sections, events, factory options
 * and the secure-messaging hook. See doc/simulator.md, "Extension points".
 *
 * A module (crypto-sam's security/keys/SAM, purse, PSAM, PKI) defines ONE object
 *
 *     const sim_module_t sim_<name>_module = { ... };
 *
 * with one of the names declared at the end of this header (weak references in
 * sim/modules.c: a module that is not linked is simply absent), and adds its .c files to
 * sim_hcard_sim_SOURCES in sim/local.mk (one line; allowed edit).
 */
#ifndef HC_SIM_MODULE_H
#define HC_SIM_MODULE_H

#include <stddef.h>
#include <stdint.h>

#include "apdu/apdu.h"
#include "apdu/buf.h"
#include "sim/card.h"

/*
 * A command handler. cmd is the parsed APDU (hc_apdu_parse: cmd->le is 256/65536 for "Le 00",
 * cmd->has_le says whether Le was present). The handler writes response data to out (cap
 * 65536) and returns the status word. It must:
 *   - check P1/P2 (6A86), Lc/Le (6700) and the card state itself;
 *   - call sim_card_changed() after changing non-volatile state (the image is saved after
 *     the command, before the answer is sent);
 *   - never write data with an error SW other than 6282/63Cx (the dispatcher drops it).
 * Under T=0 the dispatcher turns a case-4 answer with data into 61xx + GET RESPONSE, so
 * handlers never deal with 61xx.
 */
typedef uint16_t (*sim_cmd_fn)(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out);

/* Command flags. */
#define SIM_CMD_USER          0x0001u /* served by user cards */
#define SIM_CMD_SAM           0x0002u /* served by SAM cards */
#define SIM_CMD_ANY_CARD      (SIM_CMD_USER | SIM_CMD_SAM)
#define SIM_CMD_BLOCKED_APP   0x0004u /* allowed while the current DF is blocked (handler
                                       * refines, e.g. EXTERNAL AUTHENTICATE with LK only) */
#define SIM_CMD_SETS_CHALLENGE 0x0008u /* GET CHALLENGE: the challenge it sets survives */

/* One dispatch-table entry: served when (CLA & cla_mask) == cla and INS == ins. */
typedef struct sim_cmd {
	uint8_t cla_mask;
	uint8_t cla;
	uint8_t ins;
	uint16_t flags;
	sim_cmd_fn fn;
	const char *name;       /* for logs: "READ BINARY" */
} sim_cmd_t;

/* Events delivered to every module's event hook. */
typedef enum sim_event {
	SIM_EVENT_RESET = 1,     /* power on, warm reset, insertion: clear volatile state */
	SIM_EVENT_SELECT_DF,     /* a DF was selected successfully (rights were cleared) */
	SIM_EVENT_COMMAND        /* before any command other than GET RESPONSE is dispatched:
	                          * e.g. "the card remembers INITIALIZE for the next command
	                          * only", "any other SAM command abandons the SM3 digest" */
} sim_event_t;

/* Factory options: `--name=value` or `--name value` arguments of `hcard-sim factory` that the
 * core did not consume; a module lists the names it accepts in factory_options. */
typedef struct sim_factory_opts sim_factory_opts_t;
/* The value of option name (without "--"), or NULL when not given. */
const char *sim_factory_opt(const sim_factory_opts_t *o, const char *name);

typedef struct sim_module {
	/* Section name in card images ("keys", "sam", "purse", "psam", "pki"); unique; NULL =
	 * the module keeps no non-volatile state. */
	const char *name;
	/* Commands, searched after the core's table (first match wins). */
	const sim_cmd_t *commands;
	size_t n_commands;
	/* NULL-terminated option names for `hcard-sim factory` (e.g. "keyset", "sam-type"). */
	const char *const *factory_options;

	/* Creates this module's part of a new card: files (sim_fs_add_*), keys, state.
	 * Called after the core has built the card's base file structure, in module order.
	 * Returns 0 or -1 (the factory fails with the module's logged reason). May be NULL. */
	int (*factory)(sim_card_t *card, const sim_factory_opts_t *opts);
	/* Restores state from the image section p[0..n); bounded parsing with hc_reader.
	 * 0 or -1 (the image is refused). Not called when the image has no such section. */
	int (*load)(sim_card_t *card, const uint8_t *p, size_t n);
	/* Serialises state into w (sticky failure flag). 0 or -1. */
	int (*save)(const sim_card_t *card, hc_writer_t *w);
	/* Frees (and wipes) this module's state. */
	void (*free_state)(sim_card_t *card);
	/* Event hook; may be NULL. cmd is non-NULL for SIM_EVENT_COMMAND only. */
	void (*event)(sim_card_t *card, sim_event_t ev, const hc_apdu_t *cmd);

	/*
	 * Secure messaging (crypto-sam): verifies and unwraps the data field of a CLA 84 (MAC)
	 * or 04 (cipher + MAC) command addressed to the current DF, with the session key
	 * derived from the DF's STK and the pending challenge (sim_card_challenge). On success
	 * writes the plain data (cipher + MAC: the element after L, without L and padding;
	 * MAC: the data field without the MAC) to plain and returns 0x9000; otherwise returns the
	 * SW: 6984 no challenge, 6987 MAC missing, 6988 MAC wrong, 6A80 malformed. The first
	 * linked module with a non-NULL hook is used; without one, the core answers 6982.
	 */
	uint16_t (*sm_unwrap)(sim_card_t *card, const hc_apdu_t *cmd, sim_sm_mode_t mode,
	                      uint8_t *plain, size_t cap, size_t *plain_len);
} sim_module_t;

/* This module's state pointer slot in card (NULL when the module is not linked). */
void **sim_card_module_state(sim_card_t *card, const sim_module_t *m);

/* Modules, defined by their owners (weak in sim/modules.c). Add a name here and in
 * sim/modules.c for a new module. */
extern const sim_module_t sim_keys_module;     /* crypto-sam: card keys, EXTERNAL/INTERNAL AUTH, SM */
extern const sim_module_t sim_sam_module;      /* crypto-sam: health SAM application */
extern const sim_module_t sim_purse_module;    /* purse: debit application on the user card */
extern const sim_module_t sim_psam_module;     /* purse: PSAM application on the SAM card */
extern const sim_module_t sim_pki_module;      /* pkcs11: PKI application on the user card */

/* The module registry in its fixed order (keys, sam, purse, psam, pki), n entries; an
 * entry is NULL when that module is not linked into this build: skip NULLs. */
const sim_module_t *const *sim_modules(size_t *n);

/* The secure-messaging hook of the linked modules, or the core's default (6982). */
uint16_t sim_sm_unwrap(sim_card_t *card, const hc_apdu_t *cmd, sim_sm_mode_t mode,
                       uint8_t *plain, size_t cap, size_t *plain_len);

/* Sends ev to every linked module. */
void sim_modules_event(sim_card_t *card, sim_event_t ev, const hc_apdu_t *cmd);

/*
 * Processes one command APDU (raw bytes from vpcd) on card and writes the response (data ‖
 * SW1 SW2) to resp; returns the response length (>= 2). Handles parsing (6700 / 6E00 /
 * 6D00), card block (6A81), blocked applications (6985), T=0 61xx + GET RESPONSE, the
 * one-command life of challenges, and events. resp_cap must be >= 65538.
 */
size_t sim_dispatch(sim_card_t *card, const uint8_t *apdu, size_t len,
                    uint8_t *resp, size_t resp_cap);

#endif
