/*
 * Helpers of the visit integration tests: a library session on the harness's readers
 * (tests/harness/with-sim), card issuance with a card number, simulator control, records.
 */
#ifndef HC_TEST_VISIT_UTIL_H
#define HC_TEST_VISIT_UTIL_H

#include "hcard.h"
#include "hcard_visit.h"

typedef struct visit_env {
	hc_ctx_t *ctx;
	hc_terminal_t *term;
	hc_card_t *card;
	hc_trust_t *trust;
} visit_env_t;

#define VISIT_CARD_A "11010519491231002X"
#define VISIT_CARD_B "110105194912310038"

/* Context, terminal (SAM PIN of the factory), card session; trust = sim/demo.keyset. */
void venv_open(visit_env_t *e);
void venv_close(visit_env_t *e);
/* The same with a hcard.conf file. */
void venv_open_conf(visit_env_t *e, const char *conf);
/* Closes and opens the card session (after a tear / new image / EF05 change). */
void venv_reopen_card(visit_env_t *e);
/* Closes and opens the terminal (after a new SAM image) and the card. */
void venv_reopen_terminal(visit_env_t *e);
/* Writes DDF1/EF05 with this card number (type 5 SAM, card in life cycle 03), reopens. */
void venv_issue(visit_env_t *e, const char *card_number);
/* `$HCARD_SIM ctl $HCARD_SIM_CONTROL ARGS`; asserts "ok"; returns the answer line. */
const char *venv_ctl(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* `$HCARD_SIM ARGS` in $HCARD_TEST_TMP; asserts exit 0. */
void venv_sim(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* $HCARD_TEST_TMP/name (static buffer). */
const char *venv_tmp(const char *name);
/* Card and SAM APDUs since the session opened. */
void venv_counts(const visit_env_t *e, unsigned long *card, unsigned long *sam);

/* A record of kind with recognisable values: institution name, date(-time) item 3, an
 * amount, tag in the case/outpatient number. */
hc_visit_record_t *venv_record(hc_visit_kind_t kind, const char *date, const char *tag);
/* Asserts that a and b hold the same data. */
void venv_assert_same(const hc_visit_record_t *a, const hc_visit_record_t *b);

#endif
