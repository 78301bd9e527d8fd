/*
 * libhcard purse internals (src/purse*.c): the purse handle and the helpers shared by the
 * PIN/balance/load code (purse.c), purchases and recovery (purse_charge.c) and the issuer
 * key service (purse_issuer.c).
 */
#ifndef HC_SRC_PURSE_INT_H
#define HC_SRC_PURSE_INT_H

#include <stdint.h>
#include "hcard_purse.h"
#include "apdu/apdu.h"

#define HC_PURSE_REC_LEN 23u

struct hc_purse {
	hc_card_t *card;                 /* borrowed */
	struct hc_store *store;          /* borrowed, may be NULL */
	hc_resp_t *resp;
	uint8_t ef15[30];
	char serial[21];
	uint8_t factor[8];               /* F = EF15 bytes 12-19 */
	int have_card_number;
	char card_number[19];
	int have_terminal;
	uint8_t terminal[6];             /* PSAM MF/EF0016 */
	hc_purse_step_cb step_cb;
	void *step_arg;
};

/* One decoded detail record; type 0 = empty slot. */
typedef struct hc_purse_rec {
	uint16_t seq;
	uint32_t amount;
	uint8_t type;
	uint8_t terminal[6];
	uint8_t date[4];
	uint8_t time[3];
} hc_purse_rec_t;

/* Sends apdu to the user card. Returns HC_OK on 9000, the SW's error otherwise; *sw = the
 * SW, or 0 when no answer arrived (transport error). */
int hc_purse_card_cmd(hc_purse_t *p, const hc_apdu_t *a, uint16_t *sw);
/* Card number for the journal (read once; the serial's last 18 digits on a card not yet
 * issued). */
int hc_purse_card_number(hc_purse_t *p);
/* Selects the debit application (once per session; hc_session_select). */
int hc_purse_select(hc_purse_t *p);
/* Reads the detail records (all at once, or one by one if the card refuses). */
int hc_purse_read_records(hc_purse_t *p, hc_purse_rec_t out[10], size_t *n);
/* hc_purse_load_recover inside the caller's transaction (purse_load.c). */
int hc_purse_load_recover_locked(hc_purse_t *p, hc_purse_load_receipt_t *done, size_t max,
    size_t *resolved, size_t *still_open);
/* Verifies pin (4-12 digits) with VERIFY; tries_left as in hc_purse_verify_pin. */
int hc_purse_pin_verify(hc_purse_t *p, const char *pin, int *tries_left);
/* Maps the SW of a PIN command (63Cx wrong with tries, 6983 blocked, 6A80 format); rc is
 * returned for other SWs; tries_left may be NULL. */
int hc_purse_pin_result(int rc, uint16_t sw, int *tries_left);
/* PIN pads (purse_pinpad.c): whether pin is HC_PURSE_PIN_PAD; HC_ERR_NO_PINPAD unless the
 * reader has one (no APDU); the pad verify in its own (nested) transaction. */
int hc_purse_is_pin_pad(const char *pin);
int hc_purse_need_pinpad(hc_purse_t *p);
int hc_purse_pad_verify(hc_purse_t *p, int *tries_left);
/* The cardholder PIN an operation was given: on the pad when pad or pin is HC_PURSE_PIN_PAD,
 * typed when pin is not NULL, nothing (HC_OK) otherwise. */
int hc_purse_cardholder_pin(hc_purse_t *p, const char *pin, int pad, int *tries_left);
/* "1234" -> 12 34 FF FF FF FF. HC_ERR_PIN_FORMAT unless 4-12 digits. */
int hc_purse_pin_block(const char *pin, uint8_t block[6]);
/* Local date and time as BCD (YYYYMMDD, hhmmss) and as text. */
void hc_purse_now(uint8_t date[4], uint8_t tm[3], char date_s[9], char time_s[7]);
/* BCD bytes to digits (n bytes -> 2n chars + NUL). */
void hc_purse_bcd_text(const uint8_t *p, size_t n, char *out);

/* Transaction types (purse.md). */
#define HC_PURSE_TYPE_LOAD(ledger)     ((uint8_t)((ledger) == HC_LEDGER_ED ? 0x01 : 0x02))
#define HC_PURSE_TYPE_PURCHASE(ledger) ((uint8_t)((ledger) == HC_LEDGER_ED ? 0x05 : 0x06))

#endif
