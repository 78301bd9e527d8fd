/*
 * libhcard: the cardholder PIN typed on the reader's PIN pad (purse.md "Cardholder PIN" and
 * "PIN pads"), through PC/SC part 10 FEATURE_VERIFY_PIN_DIRECT (apdu/pinpad.h): the reader
 * reads the PIN on its keypad and sends the VERIFY itself, so the PIN never reaches the host.
 *
 * A pad verify is done in one PC/SC transaction, after a VERIFY without data (purse.md:
 * "9000 if verified, else 63Cx"): it makes sure the debit application is current (re-selected
 * by hc_purse_card_cmd if another process moved the card between our transactions, which a
 * VERIFY typed on the pad could not be resent for without asking the cardholder again), and a
 * blocked PIN (6983) is reported without making the cardholder type for nothing.
 */
#include "config.h"

#include <string.h>

#include "hcard_purse.h"
#include "apdu/log.h"
#include "apdu/pinpad.h"
#include "apdu/sw.h"
#include "src/purse_int.h"
#include "src/session.h"

/* HC_PURSE_PIN_PAD: recognised by its address; an empty text, so never a valid PIN. */
static const char pin_pad_marker[1] = "";

const char *
hc_purse_pin_pad_marker(void)
{
	return pin_pad_marker;
}

int
hc_purse_is_pin_pad(const char *pin)
{
	return pin == pin_pad_marker;
}

int
hc_purse_reader_has_pinpad(hc_card_t *card, int *has)
{
	if (card == NULL || has == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	*has = 0;
	return hc_transport_has_pinpad(hc_session_card_io(card), has);
}

int
hc_purse_has_pinpad(hc_purse_t *p, int *has)
{
	if (p == NULL || has == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	return hc_purse_reader_has_pinpad(p->card, has);
}

int
hc_purse_need_pinpad(hc_purse_t *p)
{
	int has = 0, rc;

	if ((rc = hc_purse_has_pinpad(p, &has)) != HC_OK)
		return rc;
	if (!has) {
		hc_log_error("the user card's reader has no PIN pad (FEATURE_VERIFY_PIN_DIRECT)");
		return HC_ERR_NO_PINPAD;
	}
	return HC_OK;
}

/* The pad verify inside the caller's transaction (nested: hc_session_begin counts). */
static int
pad_verify_locked(hc_purse_t *p, int *tries_left)
{
	hc_apdu_t status = { 0x00, 0x20, 0x00, 0x00, NULL, 0, 0, 0, 0, 0 };
	uint16_t sw = 0;
	int rc;

	if ((rc = hc_purse_select(p)) != HC_OK)
		return rc;
	/* VERIFY without data: 9000 (verified) or 63Cx go on to the pad; 6983 is final */
	rc = hc_purse_card_cmd(p, &status, &sw);
	if (rc != HC_OK) {
		if (sw == 0)
			return rc;                      /* no answer: transport error */
		if (hc_sw_tries_left(sw) <= 0)
			return hc_purse_pin_result(rc, sw, tries_left);   /* 6983, 63C0, 6A88... */
	}
	rc = hc_session_pin_pad(p->card, HC_PURSE_PINPAD_TIMEOUT_S, &sw);
	if (rc != HC_OK)
		return rc;                          /* reader-side end: nothing reached the card */
	if (sw == HC_SW_OK)
		return HC_OK;
	return hc_purse_pin_result(hc_sw_to_err(sw), sw, tries_left);
}

int
hc_purse_pad_verify(hc_purse_t *p, int *tries_left)
{
	int rc;

	if ((rc = hc_purse_need_pinpad(p)) != HC_OK)
		return rc;
	if ((rc = hc_session_begin(p->card)) != HC_OK)
		return rc;
	rc = pad_verify_locked(p, tries_left);
	hc_session_end(p->card);
	return rc;
}

int
hc_purse_verify_pin_pad(hc_purse_t *p, int *tries_left)
{
	if (p == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	return hc_purse_pad_verify(p, tries_left);
}

int
hc_purse_cardholder_pin(hc_purse_t *p, const char *pin, int pad, int *tries_left)
{
	if (pad || hc_purse_is_pin_pad(pin))
		return hc_purse_pad_verify(p, tries_left);
	if (pin != NULL)
		return hc_purse_pin_verify(p, pin, tries_left);
	return HC_OK;
}
