/* Helpers of the health integration tests (run inside tests/harness/with-sim). */
#ifndef HC_TEST_HEALTH_UTIL_H
#define HC_TEST_HEALTH_UTIL_H

#include "hcard.h"
#include "hcard_health.h"

typedef struct henv {
	hc_ctx_t *ctx;
	hc_terminal_t *term;
	hc_card_t *card;
} henv_t;

/* Opens context (conf may be NULL), terminal (SAM PIN of the simulator) and card, retrying
 * while pcscd settles after an insert. Fails the test on error. */
void henv_open(henv_t *e, const char *conf);
/* The same, returning the error of hc_terminal_open / hc_card_open instead of failing. */
int henv_try_open(henv_t *e, const char *conf, const char *pin);
void henv_close(henv_t *e);
/* One control command on the simulator's socket; 0 if answered "ok". */
int henv_ctl(const char *line);
/* Runs `hcard-sim factory ARGS --out $HCARD_TEST_TMP/name` and returns the path (static). */
const char *henv_factory(const char *name, const char *args);
/* Puts image into slot (0 user card, 1 SAM) and waits until the card is seen. */
void henv_insert(int slot, const char *image);
/* A file in $HCARD_TEST_TMP with text; returns its path (static buffer per call site). */
void henv_write_file(const char *name, const char *text, char *path, size_t cap);

#endif
