/*
 * hcard-sim certificates of card-profile.md §5 [PC] (crypto-sam): SAM certificate (190
 * bytes) and issuer certificate (180 bytes), signed by the root CA with SM2 over
 * e = SM3(signed bytes), no Z, raw r || s.
 */
#ifndef HC_SIM_CERT_H
#define HC_SIM_CERT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define SIM_SAM_CERT_LEN     190u
#define SIM_SAM_CERT_SIGNED  126u
#define SIM_ISSUER_CERT_LEN  180u
#define SIM_ISSUER_CERT_SIGNED 116u

/* What a certificate says, apart from the signature. */
typedef struct sim_cert_info {
	uint8_t ca_id[4];
	uint8_t subject[11];    /* SAM: serial ans 10 (subject[10] unused); issuer: code cn 11 */
	uint8_t sam_type;       /* SAM certificates only */
	uint8_t not_before[4];  /* cn 4 YYYYMMDD */
	uint8_t not_after[4];
	uint8_t pub[64];        /* SM2 X || Y */
} sim_cert_info_t;

/* Builds and signs a SAM certificate with the root key ca_priv. 0 or -1. */
int sim_cert_make_sam(const sim_cert_info_t *info, const uint8_t ca_priv[32],
                      uint8_t out[SIM_SAM_CERT_LEN]);
/* Builds and signs an issuer certificate. 0 or -1. */
int sim_cert_make_issuer(const sim_cert_info_t *info, const uint8_t ca_priv[32],
                         uint8_t out[SIM_ISSUER_CERT_LEN]);
/* Verifies the root signature of a SAM (len 190) or issuer (len 180) certificate. 0 or -1. */
int sim_cert_verify(const uint8_t *cert, size_t len, const uint8_t ca_pub[64]);
/* not_before = the UTC date of now, not_after = the same day `years` later, as cn 4. */
void sim_cert_validity(time_t now, int years, uint8_t not_before[4], uint8_t not_after[4]);

#endif
