/*
 * Visit record codec (internal): one item's value <-> its bytes, and the record object
 * behind hc_visit_record_t (hcard_visit.h). Pure functions, no card I/O.
 */
#ifndef HC_SRC_RECORD_CODEC_H
#define HC_SRC_RECORD_CODEC_H

#include <stddef.h>
#include <stdint.h>
#include "hcard_visit.h"

struct hc_visit_record {
	hc_visit_kind_t kind;
	int slot;                                 /* 1-based, 0 = none */
	size_t len;                               /* 1639 or 3013 */
	uint8_t data[HC_VISIT_OUTPATIENT_LEN];
};

/* Encodes value (see hcard_visit.h) into field[0..item->length); field is untouched on error. */
int hc_visit_item_encode(const hc_visit_item_t *item, const char *value, uint8_t *field);
/* Decodes field[0..item->length) into out. */
int hc_visit_item_decode(const hc_visit_item_t *item, const uint8_t *field, char *out, size_t cap);

/* Fills data[0..len) with the blank record of kind (ans/b 00, cn FF). */
void hc_visit_record_blank(hc_visit_kind_t kind, uint8_t *data, size_t len);

#endif
