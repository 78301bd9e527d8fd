/*
 * A transport carries raw APDUs to one card: PC/SC, in-process (tests) or replay (fuzzing).
 * hc_transmit() is the one transmit path: it checks and encodes the APDU, handles 61xx
 * (GET RESPONSE), 6Cxx (resend with the right Le) and command chaining, with a bound on
 * every loop and on the total response size, counts APDUs and logs (masked) if enabled.
 */
#ifndef HC_APDU_TRANSPORT_H
#define HC_APDU_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>
#include "apdu/apdu.h"

typedef struct hc_transport_ops {
	const char *name;                              /* "pcsc", "inproc", "replay" */
	/* Sends cmd, receives at most *resp_len bytes (data + SW); sets *resp_len. hc_err_t. */
	int (*transmit)(void *io, const uint8_t *cmd, size_t cmd_len, uint8_t *resp, size_t *resp_len);
	int (*begin)(void *io);                         /* exclusive transaction; may be NULL */
	int (*end)(void *io);                           /* may be NULL */
	int (*reconnect)(void *io, int reset);          /* after a reset by another handle; may be NULL */
	int (*get_atr)(void *io, uint8_t *atr, size_t *atr_len);  /* may be NULL */
	void (*close)(void *io);                        /* frees io; may be NULL */
	/* Whether close resets the card (clears PIN and key rights) instead of leaving it; may be NULL. */
	void (*set_reset_on_close)(void *io, int reset);
	/* A reader control (PC/SC SCardControl: part 10 feature list, PIN pad): sends in, gets at
	 * most *out_len bytes into out and sets *out_len. hc_err_t. May be NULL: the transport
	 * has no reader (then it has no features and no PIN pad). */
	int (*control)(void *io, uint32_t code, const uint8_t *in, size_t in_len,
	               uint8_t *out, size_t *out_len);
} hc_transport_ops_t;

typedef struct hc_transport hc_transport_t;

/* Takes ownership of io (ops->close frees it). NULL on allocation failure. */
hc_transport_t *hc_transport_new(const hc_transport_ops_t *ops, void *io);
void hc_transport_free(hc_transport_t **t);
void *hc_transport_io(const hc_transport_t *t);
const char *hc_transport_name(const hc_transport_t *t);

/* Limits (defaults: 16 GET RESPONSE rounds, 1 6Cxx resend, 64 KiB total). */
void hc_transport_set_limits(hc_transport_t *t, unsigned max_get_response, size_t max_total);
/* Use GET RESPONSE class byte 00 and chaining (CLA b5) for Lc > 255 when the card has no
 * extended length; default: extended APDUs allowed. */
void hc_transport_set_extended(hc_transport_t *t, int allowed);

/* APDUs sent on the wire (each GET RESPONSE, resend and chain link counts). */
unsigned long hc_transport_apdu_count(const hc_transport_t *t);
void hc_transport_reset_count(hc_transport_t *t);

/* One transmit path. On HC_OK resp holds the (reassembled) data and the final SW, whatever
 * it is: the caller maps SW with hc_sw_to_err(). Errors are transport or malformed-answer errors. */
int hc_transmit(hc_transport_t *t, const hc_apdu_t *apdu, hc_resp_t *resp);
/* hc_transmit, then HC_OK only for 9000, else the SW's error; *sw_out (may be NULL) gets the SW. */
int hc_transmit_ok(hc_transport_t *t, const hc_apdu_t *apdu, hc_resp_t *resp, uint16_t *sw_out);

/* Ends the connection, when the transport is freed, with a card reset instead of leaving the
 * card as it is, so that a verified PIN or a granted key right does not outlive the session
 * for the next process (PC/SC: SCARD_RESET_CARD). No-op for transports without the notion. */
void hc_transport_set_reset_on_close(hc_transport_t *t, int reset);

int hc_transport_begin(hc_transport_t *t);
int hc_transport_end(hc_transport_t *t);
int hc_transport_reconnect(hc_transport_t *t, int reset);
int hc_transport_get_atr(hc_transport_t *t, uint8_t *atr, size_t *atr_len);

/* The reader's PC/SC part 10 feature list (the CM_IOCTL_GET_FEATURE_REQUEST answer: tag,
 * length 4, control code big-endian, repeated), asked on the first call and kept for the
 * life of the connection (features belong to the reader, not to the card: a reconnect keeps
 * them). *tlv points into t (valid until t is freed); *len = 0 when the reader reports none
 * or the transport has no controls. Transport errors (pcscd gone, card pulled) are returned
 * and not cached. */
int hc_transport_features(hc_transport_t *t, const uint8_t **tlv, size_t *len);

/* A reader control that makes the reader send a command to the card (PIN pad verify,
 * apdu/pinpad.h): counts one APDU, and a reset by another handle is handled as hc_transmit
 * does (reconnect once, HC_ERR_CARD_RESET). *out_len: capacity in, answer length out (the
 * answer is not checked here). HC_ERR_NO_PINPAD when the transport has no controls. */
int hc_transport_control_apdu(hc_transport_t *t, uint32_t code, const uint8_t *in,
                              size_t in_len, uint8_t *out, size_t *out_len);

/* In-process transport: fn answers raw APDUs (tests, fault injection). */
typedef int (*hc_inproc_fn)(void *arg, const uint8_t *cmd, size_t cmd_len,
                            uint8_t *resp, size_t *resp_len);
hc_transport_t *hc_inproc_new(hc_inproc_fn fn, void *arg, const uint8_t *atr, size_t atr_len);

/* A fake PIN pad for an in-process transport (tests): pad receives the PIN_VERIFY_STRUCTURE
 * encoded by hc_pinpad_encode_verify, as a reader driver would, and answers what the reader
 * would (the card's SW, or 6400/6401/6403); its rc is returned as the control's. With a pad,
 * the transport reports FEATURE_VERIFY_PIN_DIRECT under HC_INPROC_PINPAD_CODE; without
 * (pad NULL, the default) an empty feature list. HC_ERR_INVALID_ARGUMENT if t is not an
 * in-process transport. Set it before the first hc_transport_features (which caches). */
typedef int (*hc_inproc_pinpad_fn)(void *arg, const uint8_t *verify, size_t verify_len,
                                   uint8_t *resp, size_t *resp_len);
#define HC_INPROC_PINPAD_CODE 0x42330006UL     /* what the CCID driver reports */
int hc_inproc_set_pinpad(hc_transport_t *t, hc_inproc_pinpad_fn pad, void *arg);

/* Replay transport (fuzzing): answers every command with the next response from a script.
 * Script format: a sequence of [u16 big-endian length][bytes] responses. When the script is
 * exhausted, transmit fails with HC_ERR_CARD_REMOVED. The buffer is copied. */
hc_transport_t *hc_replay_new(const uint8_t *script, size_t len);

#endif
