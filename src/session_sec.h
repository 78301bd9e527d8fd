/*
 * Card session, part 2 (internal to libhcard): SAM key checks, external and internal
 * authentication, secure messaging, EF selection, retry after a card reset. Everything here
 * asks the SAM for keys and MACs (card-profile.md §1: the middleware never computes them).
 */
#ifndef HC_SRC_SESSION_SEC_H
#define HC_SRC_SESSION_SEC_H

#include <stdint.h>
#include "src/profile.h"
#include "src/session.h"

/* HC_OK if the terminal's SAM type holds key; else HC_ERR_SAM_TYPE with a detail naming the
 * key and the SAM types that hold it. Sends nothing. */
int hc_session_need_key(hc_card_t *card, hc_key_id_t key);
/* Makes key's DF current and authenticates externally with key (card GET CHALLENGE, SAM
 * 80 DE + CIPHER DATA, card EXTERNAL AUTHENTICATE), unless the right is already granted
 * since the DF was selected. 63Cx: HC_ERR_VERIFY_FAILED (tries left in the detail). */
int hc_session_external_auth(hc_card_t *card, hc_key_id_t key);
/* 1 if key's right is granted in the current DF. */
int hc_session_has_right(const hc_card_t *card, hc_key_id_t key);

/* Sends INS P1 P2 with data to the user card with secure messaging `mode` under the
 * current DF's STK (MF: STK MF): HC_SM_CIPHER_MAC sends CLA 04 with SM4(L ‖ data) ‖ MAC,
 * HC_SM_MAC sends CLA 84 with data ‖ MAC, HC_SM_PLAIN sends CLA 00 with data. The write
 * right (external authentication) must be granted first. HC_OK only on 9000. */
int hc_session_sm_command(hc_card_t *card, hc_sm_mode_t mode, uint8_t ins, uint8_t p1,
                          uint8_t p2, const uint8_t *data, size_t len, uint16_t *sw);

/* Selects EF fid under the current DF (P1 02, P2 0C) unless it is current. */
int hc_session_select_ef(hc_card_t *card, uint16_t fid);

/* Runs op(card, arg); when it fails with HC_ERR_CARD_RESET (the session's state is dropped
 * then), runs it once more from scratch. */
int hc_session_run(hc_card_t *card, int (*op)(hc_card_t *card, void *arg), void *arg);

/* Records the detail of an error (hc_card_error_detail) and logs it. */
void hc_session_set_detail(hc_card_t *card, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const hc_chip_profile_t *hc_session_chip(const hc_card_t *card);
/* The SAM's type (1-5) from EF0015. */
int hc_session_sam_type(const hc_card_t *card);
/* The SAM's key version (EF0015), used in authentication commands. */
uint8_t hc_session_key_version(const hc_card_t *card);
/* The DDF1/EF05 bytes (all records) read at open; NULL with *len 0 if not cached. */
const uint8_t *hc_session_ef05(const hc_card_t *card, size_t *len);
/* Drops the EF05 cache (after writing EF05) and re-reads it. */
int hc_session_reload_ef05(hc_card_t *card);

/* Fault injection and tests: a terminal whose SAM is sam_io (an in-process transport; taken
 * over), verifying pin when not NULL; and a session over card_io (taken over). */
int hc_terminal_open_io(hc_ctx_t *ctx, hc_transport_t *sam_io, const char *pin, hc_terminal_t **out);
int hc_card_open_io(hc_terminal_t *term, hc_transport_t *card_io, hc_card_t **out);

#endif
