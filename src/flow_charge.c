/*
 * Charge (扣费): blacklist check, recovery of torn charges, purchase of the self-pay part
 * with the settlement split journaled (purse.md), then optionally the outpatient visit record
 * written and signed (card-profile.md §3). The purse engineer's hc_purse_* does the purchase
 * and its journal (intent before DEBIT, outcome after).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>

#include "src/flow.h"
#include "apdu/log.h"

#define VISIT_SCAN 64u   /* journal entries of the card looked at for a pending visit record */

/* The amount "key":N of a charge's detail JSON; -1 when absent. */
static long long
detail_int(const char *d, const char *key)
{
	char k[32];
	const char *s;

	snprintf(k, sizeof(k), "\"%s\":", key);
	if ((s = strstr(d, k)) == NULL)
		return -1;
	return strtoll(s + strlen(k), NULL, 10);
}

/*
 * A plain repeat of `charge --visit` after the record failed (issue 12 item 4): the newest
 * charge of this card was taken with this very split, a record write for it failed and none
 * succeeded. Then that charge is the one to finish (its entry id into id), never a new debit.
 */
static int
pending_visit(const hc_flow_env_t *env, const char *card_number, const hc_charge_request_t *req,
    char id[HC_ENTRY_ID_LEN + 1])
{
	hc_journal_entry_t *list;
	char key[HC_ENTRY_ID_LEN + 16];
	size_t n = 0, i, c;
	int failed = 0, written = 0;

	id[0] = '\0';
	if ((list = calloc(VISIT_SCAN, sizeof(*list))) == NULL)
		return HC_ERR_NO_MEMORY;
	if (hc_store_journal_list(env->store, card_number, list, VISIT_SCAN, &n) != HC_OK)
		goto out;
	for (c = 0; c < n && list[c].kind != HC_JOURNAL_CHARGE; c++)
		;
	if (c == n || (list[c].charge_state != HC_CHARGE_COMPLETED &&
	    list[c].charge_state != HC_CHARGE_COMPLETED_TAC_UNKNOWN) ||
	    detail_int(list[c].detail, "amount") != req->self_pay ||
	    detail_int(list[c].detail, "fund") != req->fund ||
	    detail_int(list[c].detail, "account") != req->account)
		goto out;
	snprintf(key, sizeof(key), "\"charge\":\"%s\"", list[c].entry_id);
	for (i = 0; i < c; i++) {
		if (list[i].kind != HC_JOURNAL_RECORD_WRITE || strstr(list[i].detail, key) == NULL)
			continue;
		if (list[i].result == HC_OK)
			written = 1;
		else
			failed = 1;
	}
	if (failed && !written)
		memcpy(id, list[c].entry_id, HC_ENTRY_ID_LEN + 1);
out:
	free(list);
	return HC_OK;
}

int
hc_flow_charge(hc_card_t *card, const hc_flow_env_t *env, const hc_charge_request_t *req,
    hc_charge_result_t *out)
{
	hc_flow_meter_t m;
	hc_purse_t *purse = NULL;
	hc_purse_charge_t pc;
	hc_issuer_t is;
	hc_bl_entry_t bl;
	size_t open_left = 0;
	char detail[160], pending[HC_ENTRY_ID_LEN + 1] = "";
	int rc;

	if (out == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	memset(out, 0, sizeof(*out));
	out->visit_result = -1;
	if (card == NULL || env == NULL || env->store == NULL || req == NULL)
		return out->result = HC_ERR_INVALID_ARGUMENT;
	hc_flow_meter_start(&m, card);
	/* refuse before anything is sent to the purse */
	if (req->total != req->fund + req->account + req->self_pay) {
		rc = HC_ERR_SPLIT;
		goto out;
	}
	/* the PIN on the reader's pad: refused before anything is sent when there is none */
	if (req->ledger == HC_LEDGER_ED && req->pin_pad) {
		int has = 0;

		if ((rc = hc_purse_reader_has_pinpad(card, &has)) != HC_OK)
			goto out;
		if (!has) {
			rc = HC_ERR_NO_PINPAD;
			goto out;
		}
	}
	if ((rc = hc_read_issuer(card, &is)) != HC_OK)
		goto out;
	if ((rc = hc_store_bl_get(env->store, is.card_number, is.issue_serial, &bl)) != HC_OK)
		goto out;
	if (hc_bl_refused(bl.state)) {
		rc = HC_ERR_BLACKLISTED;
		snprintf(detail, sizeof(detail), "{\"refused\":\"charge\",\"blacklist\":\"%s\"}",
		    hc_bl_state_name(bl.state));
		(void)hc_flow_journal(env, card, HC_JOURNAL_REFUSED, is.card_number, is.issue_serial,
		    rc, detail, NULL);
		goto out;
	}
	if ((rc = hc_purse_open(card, env->store, &purse)) != HC_OK)
		goto out;
	/* torn charges of this card first (purse.md); counted for the result */
	if ((rc = hc_purse_recover(purse, &out->recovered, &open_left)) != HC_OK)
		goto out;
	memset(&pc, 0, sizeof(pc));
	pc.ledger = req->ledger == HC_LEDGER_ED ? HC_LEDGER_ED : HC_LEDGER_EP;
	pc.total = req->total;
	pc.fund = req->fund;
	pc.account = req->account;
	pc.self_pay = req->self_pay;
	pc.pin = req->pin;
	pc.retry_of = req->retry_of;
	pc.pin_pad = req->pin_pad;
	if (req->visit != NULL && (req->retry_of == NULL || req->retry_of[0] == '\0')) {
		if ((rc = pending_visit(env, is.card_number, req, pending)) != HC_OK)
			goto out;
		if (pending[0] != '\0') {
			hc_log_info("charge %s was taken and its visit record failed: finishing it",
			    pending);
			pc.retry_of = pending;
		}
	}
	rc = hc_purse_purchase(purse, &pc, &out->receipt);
	if (rc == HC_OK && pc.retry_of != NULL && pc.retry_of[0] != '\0' &&
	    strcmp(out->receipt.entry_id, pc.retry_of) == 0)
		out->repeated = 1;
	/* the purse journals the charge; the flow adds who and which card serial */
	if (out->receipt.entry_id[0] != '\0' &&
	    hc_store_journal_annotate(env->store, out->receipt.entry_id, env->who, is.issue_serial,
	    NULL) != HC_OK)
		hc_log_error("charge %s: operator not journaled", out->receipt.entry_id);
	if (rc != HC_OK || req->visit == NULL)
		goto out;
	/* the visit record: its failure does not undo the charge, it is reported apart */
	out->visit_result = hc_visit_write(card, req->visit, 0, &out->visit_slot);
	snprintf(detail, sizeof(detail), "{\"kind\":\"outpatient\",\"slot\":%d,\"charge\":\"%s\"}",
	    out->visit_slot, out->receipt.entry_id);
	(void)hc_flow_journal(env, card, HC_JOURNAL_RECORD_WRITE, is.card_number, is.issue_serial,
	    out->visit_result, detail, NULL);
out:
	hc_purse_free(&purse);
	hc_flow_meter_stop(&m, card, &out->cost);
	return out->result = rc;
}
