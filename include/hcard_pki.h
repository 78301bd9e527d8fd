/*
 * libhcard: the card's PKI application (pki.md, project extension): key 01 ECDSA P-256 for
 * cardholder authentication, key 02 SM2 for signatures and consent, their X.509 certificates,
 * and the issuer's key generation and certificate installation.
 *
 * All functions select the PKI application through the card session (nothing is selected
 * twice) and return an hc_err_t. The cardholder PIN is the one PIN object of the debit
 * application (purse.md): a VERIFY done here also serves the debit application.
 */
#ifndef HCARD_PKI_H
#define HCARD_PKI_H

#include <stddef.h>
#include <stdint.h>
#include "hcard.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Key references (pki.md). */
#define HC_PKI_KEY_AUTH 0x01   /* ECDSA P-256, cardholder PIN verified in this card session */
#define HC_PKI_KEY_SIGN 0x02   /* SM2, a fresh VERIFY before every signature */

#define HC_PKI_CERT_MAX 2048u  /* size of a certificate EF */

/* The PKI application is present on the card: HC_OK, or HC_ERR_FILE_NOT_FOUND. */
int hc_pki_select(hc_card_t *card);

/* READ PUBLIC KEY: pub gets X || Y (64 bytes, big-endian). HC_ERR_KEY_NOT_FOUND if the key
 * was never generated. */
int hc_pki_read_public_key(hc_card_t *card, int key, uint8_t pub[64]);

/* Reads the DER certificate of key (C001 / C002) into der (cap bytes, HC_PKI_CERT_MAX
 * suffices); *len gets the DER length (the trailing 00s of the EF are not returned).
 * HC_ERR_CERTIFICATE when the EF holds no DER certificate (never written). */
int hc_pki_read_certificate(hc_card_t *card, int key, uint8_t *der, size_t cap, size_t *len);

/* VERIFY of the cardholder PIN (4-12 digits, HC_ERR_PIN_FORMAT otherwise; never logged,
 * the PIN block is wiped). HC_ERR_PIN_WRONG with *tries_left (may be NULL) on a wrong PIN,
 * HC_ERR_PIN_BLOCKED when blocked. */
int hc_pki_verify_pin(hc_card_t *card, const char *pin, int *tries_left);

/* How long a PIN pad waits for the cardholder (bTimerOut), in seconds. */
#define HC_PKI_PINPAD_TIMEOUT_S 30

/* Whether the user card's reader has a PIN pad (PC/SC part 10 FEATURE_VERIFY_PIN_DIRECT):
 * a reader control asked once per card connection, not an APDU. *has 1/0. */
int hc_pki_has_pinpad(hc_card_t *card, int *has);

/* VERIFY of the cardholder PIN typed on the reader's PIN pad (purse.md "PIN pads"): the PIN
 * never reaches the host. In one PC/SC transaction: the PKI application selected (unless
 * current), a VERIFY without data (a blocked PIN is reported without asking the cardholder
 * to type), then the pad, which waits at most HC_PKI_PINPAD_TIMEOUT_S. Errors as
 * hc_pki_verify_pin (HC_ERR_PIN_WRONG with *tries_left, HC_ERR_PIN_BLOCKED), and from the
 * reader: HC_ERR_NO_PINPAD, HC_ERR_PINPAD_CANCELLED, HC_ERR_PINPAD_TIMEOUT,
 * HC_ERR_PINPAD_LENGTH (nothing reached the card: PIN state and tries unchanged). */
int hc_pki_verify_pin_pad(hc_card_t *card, int *tries_left);

/* CHANGE PIN (purse.md `80 5E 01 00 0D <old> FF <new>`) of the one cardholder PIN, from the
 * PKI application. Errors as hc_pki_verify_pin for a wrong old PIN; both PINs are wiped. */
int hc_pki_change_pin(hc_card_t *card, const char *old_pin, const char *new_pin, int *tries_left);

/* PIN state without presenting it: *verified 1/0, *tries_left (3 when verified, -1 if the
 * card did not say). HC_ERR_PIN_BLOCKED when blocked (then *tries_left = 0). */
int hc_pki_pin_status(hc_card_t *card, int *verified, int *tries_left);

/* MSE + PSO COMPUTE DIGITAL SIGNATURE over exactly 32 bytes (a SHA-256 hash for key 01, the
 * SM2 value e = SM3(Z || M) for key 02); sig gets r || s. HC_ERR_SECURITY_STATUS when the PIN
 * state required by the key is missing, HC_ERR_PIN_BLOCKED when the PIN is blocked. */
int hc_pki_sign(hc_card_t *card, int key, const uint8_t in[32], uint8_t sig[64]);

/* Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA) of pub with the default user ID
 * 1234567812345678 (GB/T 32918.2), for hashing a message in parts. */
int hc_pki_sm2_z(const uint8_t pub[64], uint8_t z[32]);

/* Verifies a card signature r || s over in (32 bytes, as for hc_pki_sign) with the public
 * key X || Y of key (P-256 for key 01, SM2 for key 02), on the host. HC_OK or
 * HC_ERR_SIGNATURE. */
int hc_pki_verify(int key, const uint8_t pub[64], const uint8_t in[32], const uint8_t sig[64]);

/* e = SM3(Z || msg) with Z over pub and the default user ID (GB/T 32918.2), for key 02. */
int hc_pki_sm2_e(const uint8_t pub[64], const uint8_t *msg, size_t len, uint8_t e[32]);

/* Random bytes from the card (GET CHALLENGE, 8 bytes per APDU), at most 4096. */
int hc_pki_random(hc_card_t *card, uint8_t *out, size_t len);

/* Issuer (life cycle 03, after external authentication with UK1 DDF1 in this card session):
 * generates (replaces) key and returns its public key. HC_ERR_CONDITIONS_OF_USE after
 * activation, HC_ERR_SECURITY_STATUS without the issuer right. */
int hc_pki_generate_key(hc_card_t *card, int key, uint8_t pub[64]);

/* Issuer: writes a DER certificate (at most HC_PKI_CERT_MAX bytes) into key's certificate
 * EF, followed by 00s to the end of the EF. Same right as hc_pki_generate_key. */
int hc_pki_write_certificate(hc_card_t *card, int key, const uint8_t *der, size_t len);

/* Issuer, on the host: builds the X.509 v3 certificate of the card's key (pki.md
 * "Certificates") for its public key X || Y (as returned by hc_pki_generate_key): subject
 * CN = name (UTF-8), serialNumber = card_number; a random 128-bit serial; valid from now for
 * days; key 01 with keyUsage digitalSignature, key 02 with nonRepudiation (both critical,
 * CA:FALSE, subject and authority key identifiers); issued by the CA of ca_key_path (PEM
 * private key) and ca_cert_path (PEM certificate): signed ecdsa-with-SHA256 by an EC CA,
 * SM2-with-SM3 with Z over the default ID 1234567812345678 by an SM2 CA (key 02 needs an
 * SM2 CA). der (cap bytes, HC_PKI_CERT_MAX suffices) gets the DER, *len its length.
 * HC_ERR_CONFIG when the CA files cannot be read, do not match or key 02's CA is not SM2;
 * HC_ERR_CERTIFICATE when the public key is not on the curve or signing fails. */
int hc_pki_make_certificate(int key, const uint8_t pub[64], const char *name,
    const char *card_number, const char *ca_key_path, const char *ca_cert_path,
    unsigned int days, uint8_t *der, size_t cap, size_t *len);

#ifdef __cplusplus
}
#endif
#endif
