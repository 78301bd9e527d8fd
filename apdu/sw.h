/* Status words -> hc_err_t through one table (card-profile.md §7, purse.md). */
#ifndef HC_APDU_SW_H
#define HC_APDU_SW_H

#include <stdint.h>

#define HC_SW_OK 0x9000u

/* HC_OK for 9000 (and 61xx is never seen by callers of hc_transmit); otherwise the mapped error. */
int hc_sw_to_err(uint16_t sw);
/* 63Cx -> x; -1 for any other SW. */
int hc_sw_tries_left(uint16_t sw);
/* Short English description ("6A82 file not found"). */
const char *hc_sw_text(uint16_t sw);

#endif
