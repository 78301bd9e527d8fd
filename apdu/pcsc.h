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

#endif
