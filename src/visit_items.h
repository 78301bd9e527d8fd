/*
 * The generated item tables of the DF03 visit records (src/visit_items.c, made by
 * scripts/gen-visit-table from spec/visit-records.csv). Internal to libhcard.
 */
#ifndef HC_SRC_VISIT_ITEMS_H
#define HC_SRC_VISIT_ITEMS_H

#include <stddef.h>
#include "hcard_visit.h"

/* Data items in offset order. */
extern const hc_visit_item_t hc_visit_items_ee[];
extern const size_t hc_visit_items_ee_count;
extern const hc_visit_item_t hc_visit_items_ed[];
extern const size_t hc_visit_items_ed_count;
/* The two rows after the data: [0] signature (64), [1] SAM certificate (190). */
extern const hc_visit_item_t hc_visit_trailer_ee[2];
extern const hc_visit_item_t hc_visit_trailer_ed[2];

#endif
