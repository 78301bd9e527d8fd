/*
 * libhcard: loads (圈存, purse.md "Load") with the issuer key service, journalled, and the
 * resolution of a torn load from the card's detail records ("A torn load is recovered from
 * the intent (old balance, M) ... and the detail record with sequence M").
 *
 * The store has no load-intent table; loads are journal entries (kind load) whose detail
 * JSON carries the phase: "intent" before CREDIT FOR LOAD, then "completed" (with the TAC),
 * "void" or "completed-tac-unknown" (doc/purse.md).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hcard_purse.h"
#include "apdu/buf.h"
#include "apdu/log.h"
#include "src/purse_int.h"
#include "src/session.h"
#include "src/store.h"

static const char *const phase_names[] = {
	[HC_PURSE_OPEN] = "intent",
	[HC_PURSE_COMPLETED] = "completed",
	[HC_PURSE_VOID] = "void",
	[HC_PURSE_COMPLETED_TAC_UNKNOWN] = "completed-tac-unknown",
};

/* HC_OK when journalled (or no store); the store's error otherwise. */
static int
journal_load(hc_purse_t *p, const hc_purse_load_receipt_t *lr)
{
	hc_journal_entry_t e;
	char tac[9];
	int rc;

	if (p->store == NULL)
		return HC_OK;
	memset(&e, 0, sizeof(e));
	e.kind = HC_JOURNAL_LOAD;
	e.result = lr->state == HC_PURSE_OPEN ? HC_ERR_RECOVERY_PENDING : HC_OK;
	if (hc_purse_card_number(p) == HC_OK)
		memcpy(e.card_number, p->card_number, sizeof(e.card_number));
	hc_purse_bcd_text(lr->terminal, 6, e.terminal);
	hc_purse_bcd_text(lr->tac, 4, tac);
	snprintf(e.detail, sizeof(e.detail),
	    "{\"phase\":\"%s\",\"app_serial\":\"%s\",\"ledger\":%d,\"m\":%u,\"amount\":%lld,"
	    "\"balance_before\":%lld,\"balance_after\":%lld,\"tac\":\"%s\",\"date\":\"%s\","
	    "\"time\":\"%s\"}",
	    phase_names[lr->state], p->serial, (int)lr->ledger, (unsigned)lr->m,
	    (long long)lr->amount, (long long)lr->balance_before, (long long)lr->balance_after,
	    lr->state == HC_PURSE_COMPLETED ? tac : "", lr->date, lr->time);
	if ((rc = hc_store_journal_add(p->store, &e)) != HC_OK)
		hc_log_error("load %s not journalled: the store cannot record (full?)",
		    phase_names[lr->state]);
	return rc;
}

int
hc_purse_load(hc_purse_t *p, const hc_purse_issuer_t *is, hc_ledger_t ledger, int64_t amount,
    const char *pin, hc_purse_load_receipt_t *receipt)
{
	uint8_t data[11];
	hc_apdu_t init = { 0x80, 0x50, 0x00, 0x00, NULL, 11, 16, 1, 0, 0 };
	hc_apdu_t credit = { 0x80, 0x52, 0x00, 0x00, NULL, 11, 4, 1, 0, 0 };
	hc_purse_load_req_t req;
	hc_reader_t r;
	uint8_t kv, alg;
	uint16_t sw;
	int rc, began = 0;

	if (p == NULL || is == NULL || receipt == NULL ||
	    (ledger != HC_LEDGER_ED && ledger != HC_LEDGER_EP))
		return HC_ERR_INVALID_ARGUMENT;
	memset(receipt, 0, sizeof(*receipt));
	memset(&req, 0, sizeof(req));
	receipt->state = HC_PURSE_VOID;
	receipt->balance_after = -1;
	receipt->balance_before = -1;
	if (amount <= 0 || amount > (int64_t)UINT32_MAX)
		return HC_ERR_AMOUNT;
	if (!p->have_terminal) {
		hc_sam_info_t si;

		/* the bank station's terminal number: its SAM's EF0016 */
		if (hc_terminal_sam_info(hc_session_terminal(p->card), &si) == HC_OK) {
			memcpy(p->terminal, si.terminal_number, 6);
			p->have_terminal = 1;
		}
	}
	/* PIN pad asked for and none: refused before anything is sent */
	if (ledger == HC_LEDGER_ED && hc_purse_is_pin_pad(pin) && (rc = hc_purse_need_pinpad(p)) !=
	    HC_OK)
		return rc;
	if ((rc = hc_session_begin(p->card)) != HC_OK)
		return rc;
	began = 1;
	/* ED: typed or on the pad (in this transaction), before INITIALIZE FOR LOAD and before
	 * the intent is journalled: a cancelled PIN leaves nothing */
	if (ledger == HC_LEDGER_ED && (rc = hc_purse_cardholder_pin(p, pin, 0, NULL)) != HC_OK)
		goto out;
	/* INITIALIZE FOR LOAD: key index ‖ amount ‖ terminal */
	data[0] = 0x01;
	data[1] = (uint8_t)(amount >> 24);
	data[2] = (uint8_t)(amount >> 16);
	data[3] = (uint8_t)(amount >> 8);
	data[4] = (uint8_t)amount;
	memcpy(data + 5, p->terminal, 6);
	init.p2 = (uint8_t)ledger;
	init.data = data;
	if ((rc = hc_purse_card_cmd(p, &init, &sw)) != HC_OK) {
		if (sw == 0x6985)
			rc = HC_ERR_AMOUNT_OVER_LIMIT;
		goto out;
	}
	hc_reader_init(&r, p->resp->data, p->resp->len);
	if (hc_get_u32(&r, &req.balance) != 0 || hc_get_u16(&r, &req.m) != 0 ||
	    hc_get_u8(&r, &kv) != 0 || hc_get_u8(&r, &alg) != 0 ||
	    hc_get_bytes(&r, req.random, 4) != 0 || hc_get_bytes(&r, req.mac1, 4) != 0 ||
	    hc_reader_left(&r) != 0 || alg != 0x00) {
		rc = HC_ERR_MALFORMED_RESPONSE;
		goto out;
	}
	req.ledger = ledger;
	memcpy(req.factor, p->factor, 8);
	req.amount = (uint32_t)amount;
	memcpy(req.terminal, p->terminal, 6);
	hc_purse_now(req.date, req.time, receipt->date, receipt->time);
	if ((rc = hc_purse_issuer_load_mac2(is, &req, data + 7)) != HC_OK)
		goto out;
	receipt->ledger = ledger;
	receipt->amount = amount;
	receipt->m = req.m;
	memcpy(receipt->terminal, p->terminal, 6);
	receipt->balance_before = req.balance;
	receipt->state = HC_PURSE_OPEN;
	/* never CREDIT without a committed intent (issue 12 item 1) */
	if ((rc = journal_load(p, receipt)) != HC_OK) {
		hc_log_error("cannot record the load in the journal: nothing was loaded");
		receipt->state = HC_PURSE_VOID;
		goto out;
	}

	/* CREDIT FOR LOAD: date ‖ time ‖ MAC2 */
	memcpy(data, req.date, 4);
	memcpy(data + 4, req.time, 3);
	credit.data = data;
	rc = hc_purse_card_cmd(p, &credit, &sw);
	if (sw == 0 || (rc == HC_OK && p->resp->len != 4)) {
		hc_log_error("CREDIT FOR LOAD unanswered (M %u): resolve with hc_purse_load_resolve",
		    (unsigned)req.m);
		rc = HC_ERR_RECOVERY_PENDING;
		goto out;
	}
	if (rc != HC_OK) {
		receipt->state = HC_PURSE_VOID;
		(void)journal_load(p, receipt);
		goto out;
	}
	receipt->state = HC_PURSE_COMPLETED;
	receipt->balance_after = (int64_t)req.balance + amount;
	memcpy(receipt->tac, p->resp->data, 4);
	(void)journal_load(p, receipt);
	rc = HC_OK;
out:
	hc_wipe(&req, sizeof(req));
	hc_wipe(data, sizeof(data));
	if (began)
		hc_session_end(p->card);
	return rc;
}

int
hc_purse_load_resolve(hc_purse_t *p, hc_purse_load_receipt_t *lr)
{
	hc_purse_rec_t recs[10];
	size_t nrec = 0, i;
	int match = 0, other = 0, greater = 0, less = 0, used = 0, rc;
	uint8_t type;

	if (p == NULL || lr == NULL || (lr->ledger != HC_LEDGER_ED && lr->ledger != HC_LEDGER_EP))
		return HC_ERR_INVALID_ARGUMENT;
	if (lr->state != HC_PURSE_OPEN)
		return HC_OK;
	type = HC_PURSE_TYPE_LOAD(lr->ledger);
	if ((rc = hc_purse_read_records(p, recs, &nrec)) != HC_OK)
		return rc;
	for (i = 0; i < nrec; i++) {
		const hc_purse_rec_t *r = &recs[i];
		char d[9], t[7];

		if (r->type == 0x00)
			continue;
		used++;
		if (r->type != type)
			continue;
		hc_purse_bcd_text(r->date, 4, d);
		hc_purse_bcd_text(r->time, 3, t);
		if (r->seq == lr->m) {
			if ((int64_t)r->amount == lr->amount && strcmp(d, lr->date) == 0 &&
			    strcmp(t, lr->time) == 0 && memcmp(r->terminal, lr->terminal, 6) == 0)
				match = 1;
			else
				other = 1;
		} else if (r->seq > lr->m) {
			greater = 1;
		} else {
			less = 1;
		}
	}
	if (match)
		lr->state = HC_PURSE_COMPLETED_TAC_UNKNOWN;
	else if (other || (!greater && (less || used < 10)))
		lr->state = HC_PURSE_VOID;
	else
		return HC_ERR_RECOVERY_PENDING;    /* record rolled out: manual clearing */
	return journal_load(p, lr);
}
