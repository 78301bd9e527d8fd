/*
 * The PIN-pad reader's half of PC/SC v2 part 10 FEATURE_VERIFY_PIN_DIRECT: parsing a
 * PIN_VERIFY_STRUCTURE (part 10 §2.5.2) and putting the typed digits into its APDU template
 * as the structure says. Pure functions, no I/O (tests/unit/test_ifd_pinblock).
 */
#ifndef HC_SIM_IFD_PINBLOCK_H
#define HC_SIM_IFD_PINBLOCK_H

#include <stddef.h>
#include <stdint.h>

/* bTimerOut ... ulDataLength: the fixed part before abData */
#define IFD_PIN_VERIFY_HEADER 19u
/* the longest short case-3 APDU: CLA INS P1 P2 Lc + 255 bytes */
#define IFD_PIN_APDU_MAX (5u + 255u)

/* A parsed PIN_VERIFY_STRUCTURE; apdu points into the parsed buffer. */
typedef struct ifd_pin_verify {
	uint8_t timeout_s;          /* bTimerOut, 0 = the reader's default */
	uint8_t timeout2_s;         /* bTimerOut2 */
	uint8_t format;             /* bmFormatString */
	uint8_t block;              /* bmPINBlockString */
	uint8_t length_format;      /* bmPINLengthFormat */
	uint8_t min_digits;         /* wPINMaxExtraDigit high byte */
	uint8_t max_digits;         /* wPINMaxExtraDigit low byte */
	uint8_t entry_condition;    /* bEntryValidationCondition */
	const uint8_t *apdu;        /* abData: the APDU template */
	size_t apdu_len;            /* ulDataLength */
	/* derived, in bits from the first byte after Lc */
	unsigned pin_pos;           /* where the PIN block starts */
	unsigned pin_bits;          /* PIN block size */
	unsigned digit_bits;        /* 4 (BCD) or 8 (ASCII) */
	unsigned len_pos;           /* PIN length field, when len_bits > 0 */
	unsigned len_bits;
} ifd_pin_verify_t;

/* Parses req (len bytes) strictly: ulDataLength (little-endian) must equal the bytes that
 * follow the header; the template must be a short case-3 APDU (Lc = its data length, no Le);
 * format BCD or ASCII (binary and RFU refused), bytes or bits as units; the PIN block and the
 * length field inside the data field and apart; max digits fit the block; 1 <= min <= max;
 * bEntryValidationCondition one of bits 0-2 and not 0; RFU bits 0. 0, or -1 with v
 * unspecified. Nothing of req is copied: v->apdu points into it. */
int ifd_pin_verify_parse(const uint8_t *req, size_t len, ifd_pin_verify_t *v);

/* Builds the APDU of v with the n digits (ASCII '0'..'9') into out (cap bytes): the template,
 * the digits written BCD (one nibble each) or ASCII (one byte each) into the PIN block, left-
 * or right-justified, the rest of the block as the template holds it (the filler), and the
 * number of digits in the length field when there is one. min <= n <= max is the caller's
 * check (the reader answers 6403 otherwise) and is checked again here. 0, or -1 (nothing
 * usable in out). */
int ifd_pin_apdu_build(const ifd_pin_verify_t *v, const char *digits, size_t n, uint8_t *out,
                       size_t cap, size_t *out_len);

#endif
