/* PC/SC transport through libpcsclite. */
#ifndef HC_APDU_PCSC_H
#define HC_APDU_PCSC_H

#include <stddef.h>
#include <stdint.h>
#include "apdu/transport.h"

typedef struct hc_pcsc hc_pcsc_t;           /* one SCardEstablishContext */

#define HC_READER_NAME_MAX 128
#define HC_ATR_MAX 33

typedef struct hc_reader_info {
	char name[HC_READER_NAME_MAX];
	int card_present;
	int exclusive;                          /* in use exclusively by another application */
	int mute;                               /* card present but does not answer */
	uint8_t atr[HC_ATR_MAX];
	size_t atr_len;
} hc_reader_info_t;

/* HC_ERR_NO_SERVICE when pcscd is not running. */
int hc_pcsc_new(hc_pcsc_t **out);
void hc_pcsc_free(hc_pcsc_t **p);
/* Lists up to cap readers into out; *count gets the number found (HC_OK with 0 readers). */
int hc_pcsc_list(hc_pcsc_t *p, hc_reader_info_t *out, size_t cap, size_t *count);
/* Connects (shared, T=0 or T=1) to the named reader. HC_ERR_NO_CARD if empty. */
int hc_pcsc_connect(hc_pcsc_t *p, const char *reader, hc_transport_t **out);
/* Waits until the card state of reader changes (inserted/removed) or timeout_ms passes
 * (HC_ERR_TIMEOUT). *present gets the new state. timeout_ms < 0 waits for ever. */
int hc_pcsc_wait(hc_pcsc_t *p, const char *reader, int timeout_ms, int *present);
/* Makes a blocking hc_pcsc_wait return HC_ERR_TIMEOUT (SCardCancel). Thread-safe. */
int hc_pcsc_cancel(hc_pcsc_t *p);

/* Maps a PC/SC return value (SCARD_*) to hc_err_t through one table: SCARD_E_NO_SERVICE,
 * SCARD_E_SERVICE_STOPPED and SCARD_F_COMM_ERROR -> HC_ERR_NO_SERVICE, SCARD_E_NO_SMARTCARD
 * -> HC_ERR_NO_CARD, SCARD_W_REMOVED_CARD -> HC_ERR_CARD_REMOVED, SCARD_W_RESET_CARD ->
 * HC_ERR_CARD_RESET, SCARD_E_SHARING_VIOLATION -> HC_ERR_SHARING, SCARD_E_TIMEOUT and
 * SCARD_E_CANCELLED -> HC_ERR_TIMEOUT, SCARD_E_UNKNOWN_READER -> HC_ERR_NO_READER, ...;
 * anything unknown -> HC_ERR_TRANSPORT. */
int hc_pcsc_map_error(long rv);

/*
 * Notes. The context is established by hc_pcsc_new and again, on demand, after pcscd went
 * away (the next call after HC_ERR_NO_SERVICE retries). A transport from hc_pcsc_connect
 * keeps its hc_pcsc_t alive, so the two may be freed in any order. hc_pcsc_list fills at
 * most cap entries and sets *count to the number filled; reader names of
 * HC_READER_NAME_MAX bytes or more are skipped. On the transport, a card pulled during a
 * command gives HC_ERR_CARD_REMOVED; a reset by another handle gives HC_ERR_CARD_RESET
 * after hc_transmit has reconnected.
 */

#endif
