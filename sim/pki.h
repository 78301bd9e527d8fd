/*
 * hcard-sim: the PKI application (pki.md), internal interface between sim/pki.c (the card
 * side) and sim/pki_issue.c (issuance of keys and X.509 certificates for test and demo
 * cards, with an OpenSSL CA).
 */
#ifndef HC_SIM_PKI_H
#define HC_SIM_PKI_H

#include <stdint.h>

#include "sim/card.h"

#define SIM_PKI_NKEYS     2u
#define SIM_PKI_ALG_P256  0x01u
#define SIM_PKI_ALG_SM2   0x02u
#define SIM_PKI_CERT_MAX  2048u     /* pki.md: certificate EFs hold up to 2048 bytes */
#define SIM_PKI_FID       0x504Bu   /* [PC] FID of the PKI ADF under the MF ("PK") */

/* The public key (X || Y) and, if priv is non-NULL, a pointer to the private key of key
 * ref. 0, or -1 when the key does not exist. */
int sim_pki_key(sim_card_t *card, uint8_t ref, uint8_t pub[64], const uint8_t **priv);
/* Generates (replaces) key ref on the card. 0 or -1. */
int sim_pki_generate(sim_card_t *card, uint8_t ref);
/* File index of the certificate EF of key ref (C001 / C002), -1 if none. */
int sim_pki_cert_file(const sim_card_t *card, uint8_t ref);

/*
 * Factory issuance (`hcard-sim factory --pki-ca DIR [--pki-name NAME] [--pki-number N]`):
 * generates both keys and writes X.509 v3 certificates into C001/C002, signed by the CA in
 * DIR: p256-ca.key/p256-ca.crt (signs key 01's certificate, ecdsa-with-SHA256) and
 * sm2-ca.key/sm2-ca.crt (signs key 02's, SM2-with-SM3 with Z over the default user ID).
 * Subject CN = name (UTF-8), serialNumber = card number (pki.md). 0 or -1.
 */
int sim_pki_issue(sim_card_t *card, const char *ca_dir, const char *name, const char *number);

#endif
