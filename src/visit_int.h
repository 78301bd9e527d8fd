/* Shared between src/visit.c (read) and src/visit_write.c (write, erase). Internal. */
#ifndef HC_SRC_VISIT_INT_H
#define HC_SRC_VISIT_INT_H

#include <stdint.h>
#include "hcard_visit.h"
#include "src/visit_card.h"

/* HC_OK when 1 <= slot <= slots of kind. */
int visit_check_slot(hc_visit_kind_t kind, int slot);
/* EF05 (inpatient) or EF06 (outpatient). */
uint16_t visit_index_fid(hc_visit_kind_t kind);
/* RK1 DF03, then the index file in one READ RECORD "all records" (or one per record). Every
 * byte must be 00 or FF (else HC_ERR_MALFORMED_RESPONSE). */
int visit_read_index(visit_op_t *op, hc_visit_kind_t kind, uint8_t index[HC_VISIT_MAX_SLOTS]);

/* trust: the caller's, else the trust anchor file of hcard.conf loaded into *owned (free it);
 * none configured: HC_ERR_CONFIG. */
int visit_trust_of(hc_card_t *card, const hc_trust_t *trust, hc_trust_t **owned,
                   const hc_trust_t **use);

#endif
