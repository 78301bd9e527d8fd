/*
 * SAM and issuer certificates (card-profile.md §5 [PC]) and their verification against the
 * trust anchors (hc_trust_t, hcard_visit.h). Internal to libhcard: the visit area verifies
 * the SAM certificate stored with each record; registration (health/flows) verifies the
 * issuer certificate of DDF1/EF05 tag 05 with hc_cert_issuer_verify().
 *
 * Layouts (all signatures SM2 over e = SM3(signed bytes), no Z, raw r || s):
 *   SAM, 190:    version 01 | CA id 4 | SAM serial ans 10 | SAM type b 1 | not-before cn 4 |
 *                not-after cn 4 | curve 01 | public key X||Y 64 | 00 x 37 | sig 64 over 0..125
 *   issuer, 180: version 01 | CA id 4 | issuer code cn 11 | not-before cn 4 | not-after cn 4 |
 *                curve 01 | public key 64 | 00 x 27 | sig 64 over 0..115
 */
#ifndef HC_SRC_CERT_H
#define HC_SRC_CERT_H

#include <stddef.h>
#include <stdint.h>
#include "hcard_visit.h"

#define HC_CERT_SAM_LEN        190u
#define HC_CERT_SAM_SIGNED     126u
#define HC_CERT_ISSUER_LEN     180u
#define HC_CERT_ISSUER_SIGNED  116u

typedef struct hc_cert_sam {
	uint8_t ca_id[4];
	char serial[11];          /* ans 10, trailing 00 stripped */
	int sam_type;             /* 1..5 */
	char not_before[9];       /* YYYYMMDD */
	char not_after[9];
	uint8_t pub[64];          /* X || Y */
	uint8_t sig[64];          /* the CA's r || s */
} hc_cert_sam_t;

typedef struct hc_cert_issuer {
	uint8_t ca_id[4];
	char issuer_code[23];     /* cn 11, F padding stripped */
	char not_before[9];
	char not_after[9];
	uint8_t pub[64];
	uint8_t sig[64];
} hc_cert_issuer_t;

/* Parses the layout (length, version 01, curve 01, zero filler, printable serial, type 1..5,
 * real dates, not-before <= not-after); no signature check. HC_OK or HC_ERR_CERTIFICATE. */
int hc_cert_sam_parse(const uint8_t *p, size_t len, hc_cert_sam_t *out);
int hc_cert_issuer_parse(const uint8_t *p, size_t len, hc_cert_issuer_t *out);

/* Parses, finds the CA's root key in trust, verifies the CA signature and the validity
 * dates against today ("YYYYMMDD"; NULL = the host's local date). HC_OK, or
 * HC_ERR_CERTIFICATE with the reason logged (malformed, unknown CA, bad CA signature, not yet
 * valid, expired). out (may be NULL) gets the parsed certificate. */
int hc_cert_sam_verify(const uint8_t *p, size_t len, const hc_trust_t *trust,
                       const char *today, hc_cert_sam_t *out);
int hc_cert_issuer_verify(const uint8_t *p, size_t len, const hc_trust_t *trust,
                          const char *today, hc_cert_issuer_t *out);

/* The root key of a CA id, NULL if the trust has none. */
const uint8_t *hc_trust_find(const hc_trust_t *trust, const uint8_t ca_id[4]);

#endif
