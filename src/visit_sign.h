/*
 * Signed bytes of a visit record and its verification (card-profile.md §3, §5), pure
 * functions used by src/visit.c and the unit tests.
 */
#ifndef HC_SRC_VISIT_SIGN_H
#define HC_SRC_VISIT_SIGN_H

#include <stddef.h>
#include <stdint.h>
#include "hcard_visit.h"
#include "src/cert.h"

/* Longest signed bytes: card number 18 || FID 2 || 3013. */
#define HC_VISIT_SIGNED_MAX (HC_VISIT_CARD_NUMBER_LEN + 2u + HC_VISIT_OUTPATIENT_LEN)

/* FID of a slot: EE01.. / ED01..; 0 for a bad kind or slot. */
uint16_t hc_visit_fid(hc_visit_kind_t kind, int slot);

/* card number (ans 18: the string, right-padded with 00) || FID (big-endian) || data.
 * *out_len gets 20 + len. HC_ERR_BUFFER_TOO_SMALL when cap is short. */
int hc_visit_signed_bytes(const char *card_number, uint16_t fid, const uint8_t *data,
                          size_t len, uint8_t *out, size_t cap, size_t *out_len);

/* Verifies a record as stored: the SAM certificate under trust (valid today, NULL = host
 * date) and the signature sig (r || s) over e = SM3(signed bytes) under the certificate's
 * key. HC_OK, HC_ERR_CERTIFICATE or HC_ERR_SIGNATURE. signer (may be NULL) gets the cert. */
int hc_visit_verify(const char *card_number, uint16_t fid, const uint8_t *data, size_t len,
                    const uint8_t sig[HC_VISIT_SIG_LEN], const uint8_t cert[HC_VISIT_CERT_LEN],
                    const hc_trust_t *trust, const char *today, hc_cert_sam_t *signer);

#endif
