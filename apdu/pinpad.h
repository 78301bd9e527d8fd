/*
 * PIN pads (PC/SC v2 part 10): the reader reads the PIN on its own keypad and builds the
 * VERIFY itself, so the PIN never passes through the host. We use FEATURE_VERIFY_PIN_DIRECT,
 * found with CM_IOCTL_GET_FEATURE_REQUEST; the parameters for the cardholder PIN are in
 * spec purse.md ("PIN pads").
 */
#ifndef HC_APDU_PINPAD_H
#define HC_APDU_PINPAD_H

#include <stddef.h>
#include <stdint.h>
#include "apdu/transport.h"

/* PC/SC part 10 control codes and feature tags */
#define HC_CM_IOCTL_GET_FEATURE_REQUEST 0x42000D48UL   /* SCARD_CTL_CODE(3400) on pcsc-lite */
#define HC_FEATURE_VERIFY_PIN_DIRECT 0x06u

/* Reader SWs of a PIN pad operation (PC/SC part 10, CCID drivers). */
#define HC_SW_PINPAD_TIMEOUT 0x6400u
#define HC_SW_PINPAD_CANCELLED 0x6401u
#define HC_SW_PINPAD_LENGTH 0x6403u

/* The PIN_VERIFY_STRUCTURE fields we set (the rest are 0: no message, language 0). */
typedef struct hc_pinpad_verify {
	uint8_t timeout_s;              /* bTimerOut: seconds for the PIN to be typed; 0 = reader's default */
	uint8_t format;                 /* bmFormatString */
	uint8_t block;                  /* bmPINBlockString */
	uint8_t length_format;          /* bmPINLengthFormat */
	uint8_t min_digits;             /* wPINMaxExtraDigit high byte */
	uint8_t max_digits;             /* wPINMaxExtraDigit low byte */
	uint8_t entry_condition;        /* bEntryValidationCondition: 0x02 = validation key pressed */
	const uint8_t *apdu;            /* APDU template (abData) */
	size_t apdu_len;
} hc_pinpad_verify_t;

/* Fills p with purse.md's parameters for the cardholder PIN: bmFormatString 81, bmPINBlockString
 * 06, bmPINLengthFormat 00, wPINMaxExtraDigit 040C, template 00 20 00 00 06 FF*6, validation
 * key, timeout_s as given. */
void hc_pinpad_cardholder(hc_pinpad_verify_t *p, uint8_t timeout_s);

/* Encodes p as a PC/SC part 10 PIN_VERIFY_STRUCTURE (little-endian words, ulDataLength then
 * the template) into out; *len gets its size. HC_ERR_BUFFER_TOO_SMALL, HC_ERR_INVALID_ARGUMENT
 * for a template that is not a case-3 APDU or longer than 255 bytes. Pure function. */
int hc_pinpad_encode_verify(const hc_pinpad_verify_t *p, uint8_t *out, size_t cap, size_t *len);

/* Parses a CM_IOCTL_GET_FEATURE_REQUEST answer (tag 1, length 4, control code big-endian,
 * repeated) and returns in *code the control code of feature tag, or HC_ERR_NO_PINPAD when the
 * tag is absent; HC_ERR_MALFORMED_RESPONSE for a truncated list. Pure function. */
int hc_pinpad_find_feature(const uint8_t *tlv, size_t len, uint8_t tag, uint32_t *code);

/* Whether the reader behind t has a PIN pad (FEATURE_VERIFY_PIN_DIRECT); asked once per
 * connection and cached. Transports without the notion (replay, inproc without a pad) say 0. */
int hc_transport_has_pinpad(hc_transport_t *t, int *has);

/* The reader reads the PIN on its keypad and sends the VERIFY built from p's template: counts
 * one APDU. On HC_OK, *sw is the card's answer (9000, 63Cx, 6983, ...). Reader-side ends:
 * HC_ERR_PINPAD_TIMEOUT (6400), HC_ERR_PINPAD_CANCELLED (6401), HC_ERR_PINPAD_LENGTH (6403),
 * HC_ERR_NO_PINPAD when the reader has none; transport errors as hc_transmit. */
int hc_pinpad_verify(hc_transport_t *t, const hc_pinpad_verify_t *p, uint16_t *sw);

#endif
