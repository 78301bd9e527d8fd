/*
 * Flows: helpers shared by the card flows (cost meter, journal with the terminal's number,
 * SAM type).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "src/flow.h"
#include "src/session.h"
#include "src/session_sec.h"
#include "apdu/buf.h"

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void
hc_flow_meter_start(hc_flow_meter_t *m, const hc_card_t *card)
{
	m->card0 = m->sam0 = 0;
	if (card != NULL)
		hc_card_apdu_counts(card, &m->card0, &m->sam0);
	m->t0 = now_ms();
}

void
hc_flow_meter_stop(const hc_flow_meter_t *m, const hc_card_t *card, hc_flow_cost_t *cost)
{
	unsigned long c = 0, s = 0;

	if (cost == NULL)
		return;
	if (card != NULL)
		hc_card_apdu_counts(card, &c, &s);
	cost->card_apdus = c - m->card0;
	cost->sam_apdus = s - m->sam0;
	cost->ms = now_ms() - m->t0;
}

int
hc_flow_sam_type(hc_card_t *card)
{
	int t = card != NULL ? hc_session_sam_type(card) : 0;
	return t >= 1 && t <= 5 ? t : 0;
}

int
hc_flow_journal(const hc_flow_env_t *env, hc_card_t *card, hc_journal_kind_t kind,
    const char *card_number, const char *issue_serial, int result, const char *detail,
    char entry_id[37])
{
	hc_journal_entry_t e;
	hc_sam_info_t info;
	int rc;

	memset(&e, 0, sizeof(e));
	e.kind = kind;
	e.result = result;
	snprintf(e.card_number, sizeof(e.card_number), "%s", card_number != NULL ? card_number : "");
	snprintf(e.issue_serial, sizeof(e.issue_serial), "%s", issue_serial != NULL ? issue_serial : "");
	snprintf(e.who, sizeof(e.who), "%s", env->who != NULL ? env->who : "");
	snprintf(e.detail, sizeof(e.detail), "%s", detail != NULL ? detail : "");
	if (card != NULL && hc_terminal_sam_info(hc_session_terminal(card), &info) == HC_OK)
		(void)hc_hex_encode(info.terminal_number, sizeof(info.terminal_number), e.terminal,
		    sizeof(e.terminal));
	rc = hc_store_journal_add(env->store, &e);
	if (entry_id != NULL)
		snprintf(entry_id, 37, "%s", rc == HC_OK ? e.entry_id : "");
	return rc;
}

int
hc_flow_check_card(hc_card_t *card, const hc_flow_env_t *env, int *state)
{
	hc_issuer_t is;
	hc_bl_entry_t bl;
	int rc;

	if (state != NULL)
		*state = HC_CARD_OK;
	if (card == NULL || env == NULL || env->store == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	if ((rc = hc_read_issuer(card, &is)) != HC_OK)
		return rc;
	if (is.card_number[0] == '\0')
		return HC_OK;            /* blank: nothing to be blacklisted yet */
	if ((rc = hc_store_bl_get(env->store, is.card_number, is.issue_serial, &bl)) != HC_OK)
		return rc;
	if (state != NULL)
		*state = (int)bl.state;
	if (!hc_bl_refused(bl.state))
		return HC_OK;
	(void)hc_flow_journal(env, card, HC_JOURNAL_REFUSED, is.card_number, is.issue_serial,
	    HC_ERR_BLACKLISTED, "{\"refused\":\"purse\"}", NULL);
	return HC_ERR_BLACKLISTED;
}
