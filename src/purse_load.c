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
	/* a torn load of this card is decided first: a retry never loads twice (issue 12 item 3) */
	if ((rc = hc_purse_load_recover_locked(p, NULL, 0, NULL, NULL)) != HC_OK)
		goto out;
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

/* ---- open loads from the journal (issue 12 item 3) ----------------------------------------- */

#define LOAD_SCAN 256u   /* journal entries of this card looked at, newest first */

/* The text of "key":"value" in a detail this file wrote; "" when absent. */
static void
detail_str(const char *d, const char *key, char *out, size_t cap)
{
	char k[32];
	const char *s, *e;

	out[0] = '\0';
	snprintf(k, sizeof(k), "\"%s\":\"", key);
	if ((s = strstr(d, k)) == NULL)
		return;
	s += strlen(k);
	if ((e = strchr(s, '"')) == NULL || (size_t)(e - s) >= cap)
		return;
	memcpy(out, s, (size_t)(e - s));
	out[e - s] = '\0';
}

/* The number of "key":N; -1 when absent. */
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

/* Fills lr from a load entry of this purse; 0 when it is one, with its phase in phase. */
static int
load_from_entry(const hc_purse_t *p, const hc_journal_entry_t *e, hc_purse_load_receipt_t *lr,
    char *phase, size_t cap)
{
	char serial[21];
	long long ledger, m;

	if (e->kind != HC_JOURNAL_LOAD)
		return -1;
	detail_str(e->detail, "app_serial", serial, sizeof(serial));
	detail_str(e->detail, "phase", phase, cap);
	if (strcmp(serial, p->serial) != 0)
		return -1;
	memset(lr, 0, sizeof(*lr));
	ledger = detail_int(e->detail, "ledger");
	m = detail_int(e->detail, "m");
	if ((ledger != HC_LEDGER_ED && ledger != HC_LEDGER_EP) || m < 0 || m > 0xFFFF)
		return -1;
	lr->ledger = (hc_ledger_t)ledger;
	lr->m = (uint16_t)m;
	lr->amount = detail_int(e->detail, "amount");
	lr->balance_before = detail_int(e->detail, "balance_before");
	lr->balance_after = -1;
	detail_str(e->detail, "date", lr->date, sizeof(lr->date));
	detail_str(e->detail, "time", lr->time, sizeof(lr->time));
	if (hc_hex_decode(e->terminal, lr->terminal, sizeof(lr->terminal)) != 6)
		memset(lr->terminal, 0, sizeof(lr->terminal));
	lr->state = HC_PURSE_OPEN;
	return 0;
}

int
hc_purse_load_recover_locked(hc_purse_t *p, hc_purse_load_receipt_t *done, size_t max,
    size_t *resolved, size_t *still_open)
{
	hc_journal_entry_t *list = NULL;
	hc_purse_load_receipt_t lr, other;
	char phase[32], ph2[32];
	size_t n = 0, i, k, nres = 0, nopen = 0;
	int rc = HC_OK;

	if (p->store == NULL)
		goto out;
	if ((rc = hc_purse_card_number(p)) != HC_OK)
		goto out;
	if ((list = calloc(LOAD_SCAN, sizeof(*list))) == NULL) {
		rc = HC_ERR_NO_MEMORY;
		goto out;
	}
	if ((rc = hc_store_journal_list(p->store, p->card_number, list, LOAD_SCAN, &n)) != HC_OK)
		goto out;
	/* oldest first: an intent is open unless a later entry of the same load (serial, ledger,
	 * M) gave it an outcome */
	for (i = n; i-- > 0;) {
		int decided = 0;

		if (load_from_entry(p, &list[i], &lr, phase, sizeof(phase)) != 0 ||
		    strcmp(phase, phase_names[HC_PURSE_OPEN]) != 0)
			continue;
		for (k = 0; k < i && !decided; k++)
			decided = load_from_entry(p, &list[k], &other, ph2, sizeof(ph2)) == 0 &&
			    other.ledger == lr.ledger && other.m == lr.m &&
			    strcmp(ph2, phase_names[HC_PURSE_OPEN]) != 0;
		if (decided)
			continue;
		rc = hc_purse_load_resolve(p, &lr);
		if (rc == HC_ERR_RECOVERY_PENDING) {
			nopen++;         /* record rolled out: manual clearing, logged */
			hc_log_error("load of %lld fen (M %u) open: its detail record is gone",
			    (long long)lr.amount, (unsigned)lr.m);
			continue;
		}
		if (rc != HC_OK)
			goto out;
		if (done != NULL && nres < max)
			done[nres] = lr;
		nres++;
	}
	rc = HC_OK;
out:
	if (resolved != NULL)
		*resolved = nres;
	if (still_open != NULL)
		*still_open = nopen;
	free(list);
	return rc;
}

int
hc_purse_load_recover(hc_purse_t *p, hc_purse_load_receipt_t *done, size_t max,
    size_t *resolved, size_t *still_open)
{
	int rc;

	if (p == NULL || (done == NULL && max != 0))
		return HC_ERR_INVALID_ARGUMENT;
	if ((rc = hc_session_begin(p->card)) != HC_OK)
		return rc;
	rc = hc_purse_load_recover_locked(p, done, max, resolved, still_open);
	hc_session_end(p->card);
	return rc;
}
