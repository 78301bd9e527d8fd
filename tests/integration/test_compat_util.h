/* Helpers of the compat integration test: the simulator's control socket, hex, and libhcard
 * on its own connection to check the card independently of libwsbrw. */
#ifndef HC_TEST_COMPAT_UTIL_H
#define HC_TEST_COMPAT_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "compat/WSB_RWInterface.h"
#include "hcard.h"

/* Writes hcard.conf (trust anchor: the demo key set) into $HCARD_TEST_TMP, points
 * HCARD_CONF at it, unsets HCARD_SAM_PIN and HCARD_COMPAT_UTF8. 0, or -1 outside the harness. */
int compat_test_conf(void);
/* compat_test_conf, then iDOpenPort (retried for 5 s while pcscd shows the readers): the
 * device, or NULL. */
HANDLE compat_test_open(void);
/* Sleeps 100 ms (pcscd needs a moment to see an insertion or removal). */
void nap(void);
/* One control command to the simulator (fails the test unless "ok"); the answer after "ok ". */
const char *sim_ctl(const char *args);
/* APDUs the simulator received on the user card's slot since it started. */
unsigned long card_apdus(void);
/* Upper-case hex of p[0..n) into out (2n + 1 chars), written here independently of libwsbrw. */
void hex(const uint8_t *p, size_t n, char *out);

/* libhcard on its own context, terminal and card session. */
typedef struct direct {
	hc_ctx_t *ctx;
	hc_terminal_t *term;
	hc_card_t *card;
} direct_t;
/* Opens one (SAM PIN 12345678) beside libwsbrw's: two applications sharing card and SAM. */
void direct_open(direct_t *x);
void direct_close(direct_t *x);

#endif
