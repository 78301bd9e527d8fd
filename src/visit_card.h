/*
 * Card-side helpers of the visit area (internal): binary I/O sized by the chip profile, the
 * SAM's SM3 digest and SM2 signature, the SAM certificate. Selection, external
 * authentication and MAC-only writes come from the card session (src/session.h,
 * src/session_sec.h), which remembers what is selected and granted.
 */
#ifndef HC_SRC_VISIT_CARD_H
#define HC_SRC_VISIT_CARD_H

#include <stddef.h>
#include <stdint.h>
#include "hcard_visit.h"
#include "src/profile.h"
#include "src/session.h"
#include "src/session_sec.h"

typedef struct visit_op {
	hc_card_t *card;
	int extended;                  /* chip takes extended Lc/Le */
	int read_all;                  /* chip takes READ RECORD "all records" */
} visit_op_t;

/* DF03 current (session), chip capabilities from the session's chip profile. */
int visit_op_begin(visit_op_t *op, hc_card_t *card);
/* External authentication with key unless already granted (session); a SAM whose type
 * lacks the key: HC_ERR_SAM_TYPE before anything is sent. */
int visit_auth(visit_op_t *op, hc_key_id_t key);
/* READ BINARY of len bytes at off of the current EF into out: one extended APDU when the
 * chip takes it, else 256-byte chunks. */
int visit_read_binary(visit_op_t *op, size_t off, uint8_t *out, size_t len);
/* UPDATE BINARY plain: one extended APDU or 255-byte chunks. */
int visit_update_binary(visit_op_t *op, size_t off, const uint8_t *data, size_t len);
/* SAM SM3 over data (80 F8 blocks of at most 255 bytes), then SM2 signature (80 F4). */
int visit_sam_sign(visit_op_t *op, const uint8_t *data, size_t len, uint8_t hash[32],
                   uint8_t sig[64]);
/* The SAM certificate, DF01/EF0017 (00 B0 97 00 BE). */
int visit_sam_cert(visit_op_t *op, uint8_t cert[HC_VISIT_CERT_LEN]);

#endif
