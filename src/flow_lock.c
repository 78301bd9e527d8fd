/*
 * Block and unblock DF01-DF03 (card-profile.md §6): external authentication with the DF's
 * LK (type 4 or 5 SAM), then APPLICATION BLOCK `84 1E 00 00|01 04 MAC` or APPLICATION
 * UNBLOCK `84 18 00 00 04 MAC` under the DF's STK. A blocked application answers SELECT with
 * 6283 and still takes EXTERNAL AUTHENTICATE with its LK and APPLICATION UNBLOCK.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "src/flow.h"
#include "src/session.h"
#include "src/session_sec.h"
#include "apdu/log.h"

#define INS_APP_BLOCK 0x1E
#define INS_APP_UNBLOCK 0x18

static const struct {
	hc_app_t app;
	hc_key_id_t lk;
} lock_apps[] = {
	{ HC_APP_DF01, HC_KEY_LK_DF01 },
	{ HC_APP_DF02, HC_KEY_LK_DF02 },
	{ HC_APP_DF03, HC_KEY_LK_DF03 },
};

int
hc_flow_lock_apps(hc_card_t *card, int block, int permanent, int *done)
{
	size_t k;
	uint16_t sw = 0;
	int rc = HC_OK, blocked;

	*done = 0;
	for (k = 0; k < sizeof(lock_apps) / sizeof(lock_apps[0]); k++) {
		if ((rc = hc_session_need_key(card, lock_apps[k].lk)) != HC_OK)
			break;
		/* force a fresh SELECT: its answer (9000 / 6283) is the block state */
		hc_session_invalidate(card);
		rc = hc_session_select(card, lock_apps[k].app);
		if (rc != HC_OK && rc != HC_ERR_APP_BLOCKED)
			break;
		blocked = rc == HC_ERR_APP_BLOCKED;
		rc = HC_OK;
		if (blocked == block)
			continue;   /* already in the wanted state */
		/* the application is current now (also when blocked): authenticate in it */
		if ((rc = hc_session_external_auth(card, lock_apps[k].lk)) != HC_OK)
			break;
		rc = hc_session_sm_command(card, HC_SM_MAC, block ? INS_APP_BLOCK : INS_APP_UNBLOCK,
		    0x00, block && permanent ? 0x01 : 0x00, NULL, 0, &sw);
		if (rc != HC_OK) {
			hc_log_error("%s of application %zu refused: SW %04X", block ? "block" : "unblock",
			    k + 1, sw);
			break;
		}
		(*done)++;
	}
	/* the block state changed what SELECT answers: nothing cached stays valid */
	hc_session_invalidate(card);
	return rc;
}

int
hc_flow_block(hc_card_t *card, const hc_flow_env_t *env, int permanent, hc_flow_cost_t *cost)
{
	hc_flow_meter_t m;
	char detail[64];
	int rc, done = 0;

	if (card == NULL || env == NULL || env->store == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	hc_flow_meter_start(&m, card);
	rc = hc_flow_lock_apps(card, 1, permanent, &done);
	snprintf(detail, sizeof(detail), "{\"action\":\"block\",\"permanent\":%d,\"changed\":%d}",
	    permanent ? 1 : 0, done);
	if (hc_flow_journal(env, card, HC_JOURNAL_BLOCK, hc_card_number(card), NULL, rc, detail,
	    NULL) != HC_OK && rc == HC_OK)
		rc = HC_ERR_STORE;
	hc_flow_meter_stop(&m, card, cost);
	return rc;
}

int
hc_flow_unblock(hc_card_t *card, const hc_flow_env_t *env, hc_flow_cost_t *cost)
{
	hc_flow_meter_t m;
	hc_issuer_t is;
	hc_bl_entry_t bl;
	char detail[64];
	int rc, done = 0;

	if (card == NULL || env == NULL || env->store == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	hc_flow_meter_start(&m, card);
	/* a card still on the blacklist stays blocked */
	if ((rc = hc_read_issuer(card, &is)) == HC_OK &&
	    (rc = hc_store_bl_get(env->store, is.card_number, is.issue_serial, &bl)) == HC_OK &&
	    hc_bl_refused(bl.state)) {
		hc_log_error("card %s/%s is %s: not unblocked", is.card_number, is.issue_serial,
		    hc_bl_state_name(bl.state));
		rc = HC_ERR_BLACKLISTED;
	}
	if (rc == HC_OK)
		rc = hc_flow_lock_apps(card, 0, 0, &done);
	snprintf(detail, sizeof(detail), "{\"action\":\"unblock\",\"changed\":%d}", done);
	if (hc_flow_journal(env, card, HC_JOURNAL_BLOCK, hc_card_number(card), NULL, rc, detail,
	    NULL) != HC_OK && rc == HC_OK)
		rc = HC_ERR_STORE;
	hc_flow_meter_stop(&m, card, cost);
	return rc;
}
