/*
 * Card session (internal to libhcard): knows which application/DF is selected on the user
 * card and on the SAM, and which key rights are already granted, so that nothing is selected
 * or authenticated twice (the main lever on speed: every APDU costs 5-40 ms on a reader).
 * Owned by the health area; the purse, PKI and flows build on it.
 */
#ifndef HC_SRC_SESSION_H
#define HC_SRC_SESSION_H

#include <stdint.h>
#include "hcard.h"
#include "apdu/apdu.h"
#include "apdu/transport.h"

/* Applications / DFs of the user card (card-profile.md §2, purse.md, pki.md). */
typedef enum hc_app {
	HC_APP_NONE = 0, HC_APP_MF, HC_APP_DDF1, HC_APP_DF01, HC_APP_DF02, HC_APP_DF03,
	HC_APP_DEBIT, HC_APP_PKI
} hc_app_t;

/* Applications of the SAM card. */
typedef enum hc_sam_app { HC_SAM_APP_NONE = 0, HC_SAM_APP_MF, HC_SAM_APP_HEALTH, HC_SAM_APP_PSAM } hc_sam_app_t;

/* Selects app on the user card unless it is already current (and its answer valid). */
int hc_session_select(hc_card_t *card, hc_app_t app);
/* Forces the next hc_session_select to re-select (after an error or another application). */
void hc_session_invalidate(hc_card_t *card);
/* Selects an application of the SAM / PSAM card unless current. */
int hc_session_sam_select(hc_card_t *card, hc_sam_app_t app);

/* User card and SAM/PSAM transports (hc_transmit with the session's counters). */
hc_transport_t *hc_session_card_io(hc_card_t *card);
/* The cardholder PIN typed on the reader's PIN pad (one PIN object for the debit and PKI
 * applications, purse.md), inside the caller's transaction with the caller's application
 * current and its PIN state checked (not blocked). From here on the session ends with a card
 * reset (a verified PIN must not outlive it). On HC_OK *sw is the card's answer to the VERIFY
 * the reader built; reader-side ends (HC_ERR_PINPAD_*, nothing reached the card) and transport
 * errors as hc_pinpad_verify, a reset or pulled card also forgetting the selection. */
int hc_session_pin_pad(hc_card_t *card, uint8_t timeout_s, uint16_t *sw);
hc_transport_t *hc_session_sam_io(hc_card_t *card);
hc_transport_t *hc_session_psam_io(hc_card_t *card);

/* Sends apdu to the user card; HC_OK only on 9000, else the SW's error; *sw gets the SW. */
int hc_session_card_cmd(hc_card_t *card, const hc_apdu_t *apdu, hc_resp_t *resp, uint16_t *sw);
int hc_session_sam_cmd(hc_card_t *card, const hc_apdu_t *apdu, hc_resp_t *resp, uint16_t *sw);
int hc_session_psam_cmd(hc_card_t *card, const hc_apdu_t *apdu, hc_resp_t *resp, uint16_t *sw);

/* Card factor (8) and city factor (8) for SAM key derivation. */
const uint8_t *hc_session_card_factor(const hc_card_t *card);
const uint8_t *hc_session_city_factor(const hc_card_t *card);

/* The card's 18-character card number (EF05 tag 08), read once per session. */
int hc_session_card_number(hc_card_t *card, char out[19]);
/* Shared resp buffer of the session (HC_RESP_MAX), wiped between uses by its users. */
hc_resp_t *hc_session_resp(hc_card_t *card);

/* Exclusive PC/SC transaction on the user card (and SAM) for a multi-APDU operation
 * (purse purchase, visit record write); nests by counting. */
int hc_session_begin(hc_card_t *card);
int hc_session_end(hc_card_t *card);

hc_ctx_t *hc_session_ctx(hc_card_t *card);
hc_terminal_t *hc_session_terminal(hc_card_t *card);

#endif
