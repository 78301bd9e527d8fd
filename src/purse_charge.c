/*
 * libhcard: purchases (purse.md "Purchase") with the journal, and recovery of torn
 * purchases (purse.md "Torn purchases").
 *
 * Money rules: the intent is durable in the journal before DEBIT FOR PURCHASE is sent; an
 * error is returned only when the card did not debit (or the outcome is unknown, then
 * HC_ERR_RECOVERY_PENDING with the entry id); once the card has debited, the purchase
 * returns HC_OK whatever happens afterwards (outcome write, MAC2 check).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hcard_purse.h"
#include "apdu/buf.h"
#include "apdu/log.h"
#include "apdu/sw.h"
#include "src/purse_int.h"
#include "src/session.h"
#include "src/store.h"

#define OPEN_MAX 16u   /* open intents resolved per call (more wait for the next contact) */

static void
step(hc_purse_t *p, int s)
{
	if (p->step_cb != NULL)
		p->step_cb(s, p->step_arg);
}

int
hc_purse_card_number(hc_purse_t *p)
{
	int rc;

	if (p->have_card_number)
		return HC_OK;
	rc = hc_session_card_number(p->card, p->card_number);
	if (rc != HC_OK) {
		/* a card without a card number (not issued yet): the serial keys the journal */
		hc_log_debug("no card number (%s): journal keyed by application serial",
		    hc_errname(rc));
		memset(p->card_number, 0, sizeof(p->card_number));
		if (rc != HC_ERR_NO_MEMORY && rc != HC_ERR_CARD_REMOVED && rc != HC_ERR_NO_CARD &&
		    rc != HC_ERR_TRANSPORT && rc != HC_ERR_CARD_RESET)
			rc = HC_OK;
		if (rc != HC_OK)
			return rc;
	}
	if (p->card_number[0] == '\0') {
		/* not issued yet (EF05 tag 08 blank): the journal needs a card key, and the
		 * application serial is unique per card (doc/spec-notes.md, purse) */
		memcpy(p->card_number, p->serial + 2, 18);
		p->card_number[18] = '\0';
	}
	p->have_card_number = 1;
	return HC_OK;
}

/* ---- PSAM ----------------------------------------------------------------------------------- */

static int
psam_cmd(hc_purse_t *p, const hc_apdu_t *a, uint16_t *sw)
{
	*sw = 0;
	hc_resp_clear(p->resp);
	return hc_session_psam_cmd(p->card, a, p->resp, sw);
}

/* A PSAM that does not answer, or has no PSAM application, is "no PSAM". */
static int
no_psam(int rc, uint16_t sw)
{
	if (sw == 0 || sw == 0x6A82 || sw == 0x6D00 || rc == HC_ERR_NO_SAM)
		return HC_ERR_NO_PSAM;
	return rc == HC_OK ? HC_ERR_SAM : rc;
}

/* Terminal number (once per purse handle) and the PSAM application selected. */
static int
psam_prepare(hc_purse_t *p)
{
	hc_apdu_t rd = { 0x00, 0xB0, 0x96, 0x00, NULL, 0, 6, 1, 0, 0 };
	uint16_t sw = 0;
	int rc;

	if (!p->have_terminal) {
		/* purse.md step 1: MF current, READ BINARY SFI 16 */
		if ((rc = hc_session_sam_select(p->card, HC_SAM_APP_MF)) != HC_OK)
			return no_psam(rc, 0);
		rc = psam_cmd(p, &rd, &sw);
		if (rc != HC_OK && sw != 0) {
			/* another process moved the SAM since our session saw it: select the MF
			 * explicitly and read again (once) */
			static const uint8_t mf[2] = { 0x3F, 0x00 };
			hc_apdu_t sel = { 0x00, 0xA4, 0x00, 0x0C, mf, 2, 0, 0, 0, 0 };

			if ((rc = psam_cmd(p, &sel, &sw)) == HC_OK)
				rc = psam_cmd(p, &rd, &sw);
		}
		if (rc != HC_OK)
			return no_psam(rc, sw);
		if (p->resp->len != 6)
			return HC_ERR_SAM;
		memcpy(p->terminal, p->resp->data, 6);
		p->have_terminal = 1;
	}
	if ((rc = hc_session_sam_select(p->card, HC_SAM_APP_PSAM)) != HC_OK)
		return no_psam(rc, 0);
	return HC_OK;
}

/* Re-selects the PSAM application explicitly (another process may have moved it). */
static int
psam_reselect(hc_purse_t *p)
{
	static const uint8_t fid[2] = { 0x10, 0x01 };
	hc_apdu_t sel = { 0x00, 0xA4, 0x00, 0x00, fid, 2, 0, 0, 0, 0 };
	uint16_t sw;
	int rc;

	if ((rc = psam_cmd(p, &sel, &sw)) != HC_OK)
		return no_psam(rc, sw);
	return HC_OK;
}

/* ---- recovery ------------------------------------------------------------------------------ */

static void
receipt_from_charge(const hc_charge_t *c, hc_purse_receipt_t *r)
{
	memset(r, 0, sizeof(*r));
	r->pin_tries_left = -1;
	memcpy(r->entry_id, c->entry_id, sizeof(r->entry_id));
	r->state = (hc_purse_state_t)c->state;
	r->ledger = (hc_ledger_t)c->ledger;
	r->amount = c->amount;
	r->balance_after = c->balance_after;
	r->n = c->n;
	r->t = c->t;
	memcpy(r->terminal, c->terminal, 6);
	memcpy(r->date, c->date, sizeof(r->date));
	memcpy(r->time, c->time, sizeof(r->time));
	memcpy(r->tac, c->tac, 4);
	memcpy(r->mac2, c->mac2, 4);
}

/*
 * Decides an open charge c from GET TRANSACTION PROVE and the detail records; writes the
 * outcome when decided (c->state changed). HC_OK also when undecidable (c stays OPEN).
 */
static int
resolve_one(hc_purse_t *p, hc_charge_t *c)
{
	uint8_t n_be[2];
	hc_apdu_t prove = { 0x80, 0x5A, 0x00, 0x00, NULL, 2, 8, 1, 0, 0 };
	hc_purse_rec_t recs[10];
	size_t nrec = 0, i;
	uint8_t type = HC_PURSE_TYPE_PURCHASE(c->ledger);
	int have_prove = 0, match = 0, other_at_n = 0, greater = 0, less = 0, used = 0;
	uint8_t mac2[4] = { 0 }, tac[4] = { 0 };
	uint16_t sw;
	int rc;

	if (c->ledger != HC_LEDGER_ED && c->ledger != HC_LEDGER_EP)
		return HC_ERR_STORE;
	if ((rc = hc_purse_select(p)) != HC_OK)
		return rc;
	n_be[0] = (uint8_t)(c->n >> 8);
	n_be[1] = (uint8_t)c->n;
	prove.p2 = type;
	prove.data = n_be;
	rc = hc_purse_card_cmd(p, &prove, &sw);
	if (rc == HC_OK && p->resp->len == 8) {
		have_prove = 1;
		memcpy(mac2, p->resp->data, 4);
		memcpy(tac, p->resp->data + 4, 4);
	} else if (sw != 0x9406) {
		return rc == HC_OK ? HC_ERR_MALFORMED_RESPONSE : rc;
	}
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
		if (r->seq == c->n) {
			if (r->amount == (uint64_t)c->amount && memcmp(r->terminal, c->terminal, 6) == 0 &&
			    strcmp(d, c->date) == 0 && strcmp(t, c->time) == 0)
				match = 1;
			else
				other_at_n = 1;
		} else if (r->seq > c->n) {
			greater = 1;
		} else {
			less = 1;
		}
	}
	if (match && have_prove) {
		c->state = HC_CHARGE_COMPLETED;
		memcpy(c->mac2, mac2, 4);
		memcpy(c->tac, tac, 4);
	} else if (match) {
		c->state = HC_CHARGE_COMPLETED_TAC_UNKNOWN;
	} else if (other_at_n) {
		c->state = HC_CHARGE_VOID;          /* another debit used N: ours never happened */
	} else if (have_prove) {
		/* the card's last debit on this ledger is N; its record rolled out */
		c->state = HC_CHARGE_COMPLETED;
		memcpy(c->mac2, mac2, 4);
		memcpy(c->tac, tac, 4);
	} else if (greater) {
		hc_log_error("charge %s: N %u rolled out of the detail file: left open for clearing",
		    c->entry_id, (unsigned)c->n);
		return HC_OK;
	} else if (less || used < 10) {
		c->state = HC_CHARGE_VOID;          /* the card's counter never passed N */
	} else {
		hc_log_error("charge %s: undecidable from the card: left open", c->entry_id);
		return HC_OK;
	}
	c->balance_after = -1;
	if ((rc = hc_store_charge_outcome(p->store, c)) != HC_OK)
		return rc;
	hc_log_debug("charge %s resolved: %s", c->entry_id, hc_charge_state_name(c->state));
	return HC_OK;
}

/* hc_purse_recover without its own transaction. */
static int
recover_locked(hc_purse_t *p, size_t *resolved, size_t *still_open)
{
	hc_charge_t *list = NULL;
	size_t n = 0, i = 0, done = 0, open = 0;
	int rc;

	if ((rc = hc_purse_card_number(p)) != HC_OK)
		goto out;
	if ((list = calloc(OPEN_MAX, sizeof(*list))) == NULL) {
		rc = HC_ERR_NO_MEMORY;
		goto out;
	}
	if ((rc = hc_store_charge_open_list(p->store, p->card_number, p->serial, list, OPEN_MAX,
	    &n)) != HC_OK)
		goto out;
	if (n < OPEN_MAX && strcmp(p->card_number, p->serial + 2) != 0) {
		/* intents of the time before issuance, journalled under the serial */
		size_t more = 0;

		if ((rc = hc_store_charge_open_list(p->store, p->serial + 2, p->serial, list + n,
		    OPEN_MAX - n, &more)) != HC_OK)
			goto out;
		n += more;
	}
	for (i = 0; i < n && i < OPEN_MAX; i++) {
		if ((rc = resolve_one(p, &list[i])) != HC_OK)
			goto out;
		if (list[i].state == HC_CHARGE_OPEN)
			open++;
		else
			done++;
	}
	rc = HC_OK;
out:
	if (resolved != NULL)
		*resolved = done;
	if (still_open != NULL)
		*still_open = open + (n > i ? n - i : 0);
	free(list);
	return rc;
}

int
hc_purse_recover(hc_purse_t *p, size_t *resolved, size_t *still_open)
{
	int rc;

	if (p == NULL || p->store == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	if ((rc = hc_session_begin(p->card)) != HC_OK)
		return rc;
	rc = recover_locked(p, resolved, still_open);
	hc_session_end(p->card);
	return rc;
}

/* ---- purchase ------------------------------------------------------------------------------ */

static int
check_charge(const hc_purse_charge_t *c)
{
	if (c->ledger != HC_LEDGER_ED && c->ledger != HC_LEDGER_EP)
		return HC_ERR_INVALID_ARGUMENT;
	if (c->fund < 0 || c->account < 0 || c->self_pay < 0 || c->total < 0)
		return HC_ERR_AMOUNT;
	if (c->self_pay == 0 || c->self_pay > (int64_t)UINT32_MAX)
		return HC_ERR_AMOUNT;
	if (c->fund > INT64_MAX - c->account || c->fund + c->account > INT64_MAX - c->self_pay)
		return HC_ERR_AMOUNT;
	if (c->fund + c->account + c->self_pay != c->total)
		return HC_ERR_SPLIT;
	return HC_OK;
}

/* retry_of: HC_OK with *done = 1 and the receipt when that charge was taken; *done = 0 when
 * it is void (charge anew). */
static int
resolve_retry(hc_purse_t *p, const char *entry_id, hc_purse_receipt_t *receipt, int *done)
{
	hc_charge_t c;
	int rc;

	*done = 0;
	if ((rc = hc_store_charge_get(p->store, entry_id, &c)) != HC_OK)
		return rc;
	if (strcmp(c.app_serial, p->serial) != 0) {
		hc_log_error("retry_of names a charge of another card");
		return HC_ERR_INVALID_ARGUMENT;
	}
	if (c.state == HC_CHARGE_OPEN && (rc = resolve_one(p, &c)) != HC_OK)
		return rc;
	receipt_from_charge(&c, receipt);
	if (c.state == HC_CHARGE_OPEN)
		return HC_ERR_RECOVERY_PENDING;
	if (c.state != HC_CHARGE_VOID)
		*done = 1;
	return HC_OK;
}

/* INITIALIZE FOR PURCHASE; one retry after re-selecting when the debit application was not
 * current (another application moved the card between our transactions). */
/* INITIALIZE FOR PURCHASE (hc_purse_card_cmd re-selects once if the application moved). */
static int
initialize(hc_purse_t *p, const hc_apdu_t *a, uint16_t *sw)
{
	int rc = hc_purse_card_cmd(p, a, sw);

	if (rc == HC_OK)
		return rc;
	switch (*sw) {
	case 0x9401: return HC_ERR_INSUFFICIENT_BALANCE;
	case 0x6985: return HC_ERR_AMOUNT_OVER_LIMIT;
	default: return rc;
	}
}

static int
mac1(hc_purse_t *p, const hc_apdu_t *a, uint16_t *sw)
{
	int rc = psam_cmd(p, a, sw);

	if (rc != HC_OK && (*sw == 0x6D00 || *sw == 0x6985)) {
		if ((rc = psam_reselect(p)) != HC_OK)
			return rc;
		rc = psam_cmd(p, a, sw);
	}
	if (rc == HC_OK || *sw == 0x9403)
		return rc;
	return no_psam(rc, *sw);
}

static int
purchase_locked(hc_purse_t *p, const hc_purse_charge_t *c, hc_purse_receipt_t *rcpt)
{
	uint8_t init_data[11], mac1_data[28], debit_data[15], date[4], tm[3];
	hc_apdu_t init = { 0x80, 0x50, 0x01, 0x00, NULL, 11, 15, 1, 0, 0 };
	hc_apdu_t m1 = { 0x80, 0x70, 0x00, 0x00, NULL, 28, 8, 1, 0, 0 };
	hc_apdu_t debit = { 0x80, 0x54, 0x01, 0x00, NULL, 15, 8, 1, 0, 0 };
	hc_apdu_t m2 = { 0x80, 0x72, 0x00, 0x00, NULL, 4, 0, 0, 0, 0 };
	hc_charge_t ch;
	hc_reader_t r;
	hc_writer_t w;
	uint32_t balance, t;
	uint16_t n, sw;
	uint8_t kv, alg, rnd[4], mac[4];
	int rc, done;

	memset(&ch, 0, sizeof(ch));
	if ((rc = recover_locked(p, NULL, NULL)) != HC_OK ||
	    (rc = hc_purse_load_recover_locked(p, NULL, 0, NULL, NULL)) != HC_OK)
		goto out;
	if (c->retry_of != NULL && c->retry_of[0] != '\0') {
		if ((rc = resolve_retry(p, c->retry_of, rcpt, &done)) != HC_OK || done)
			goto out;
		memset(rcpt, 0, sizeof(*rcpt));
	}
	rcpt->state = HC_PURSE_VOID;
	rcpt->balance_after = -1;
	rcpt->ledger = c->ledger;
	rcpt->amount = c->self_pay;

	if ((rc = psam_prepare(p)) != HC_OK)
		goto out;
	step(p, HC_PURSE_STEP_PSAM);
	/* ED: the cardholder PIN, typed or on the reader's pad, before INITIALIZE and before
	 * anything is journalled: a wrong, cancelled or timed-out PIN leaves no trace */
	rcpt->pin_tries_left = -1;
	if (c->ledger == HC_LEDGER_ED &&
	    (rc = hc_purse_cardholder_pin(p, c->pin, c->pin_pad, &rcpt->pin_tries_left)) != HC_OK)
		goto out;
	if ((rc = hc_purse_select(p)) != HC_OK)
		goto out;

	/* 3. INITIALIZE FOR PURCHASE: key index ‖ amount ‖ terminal */
	hc_writer_init(&w, init_data, sizeof(init_data));
	hc_put_u8(&w, 0x01);
	hc_put_u32(&w, (uint32_t)c->self_pay);
	hc_put_bytes(&w, p->terminal, 6);
	init.p2 = (uint8_t)c->ledger;
	init.data = init_data;
	if ((rc = initialize(p, &init, &sw)) != HC_OK)
		goto out;
	hc_reader_init(&r, p->resp->data, p->resp->len);
	if (hc_get_u32(&r, &balance) != 0 || hc_get_u16(&r, &n) != 0 || hc_skip(&r, 3) != 0 ||
	    hc_get_u8(&r, &kv) != 0 || hc_get_u8(&r, &alg) != 0 || hc_get_bytes(&r, rnd, 4) != 0 ||
	    hc_reader_left(&r) != 0 || alg != 0x00) {
		rc = HC_ERR_MALFORMED_RESPONSE;
		goto out;
	}
	step(p, HC_PURSE_STEP_INITIALIZE);

	/* 4. PSAM MAC1: R ‖ N ‖ amount ‖ type ‖ date ‖ time ‖ key version ‖ algorithm ‖ F */
	hc_purse_now(date, tm, rcpt->date, rcpt->time);
	hc_writer_init(&w, mac1_data, sizeof(mac1_data));
	hc_put_bytes(&w, rnd, 4);
	hc_put_u16(&w, n);
	hc_put_u32(&w, (uint32_t)c->self_pay);
	hc_put_u8(&w, HC_PURSE_TYPE_PURCHASE(c->ledger));
	hc_put_bytes(&w, date, 4);
	hc_put_bytes(&w, tm, 3);
	hc_put_u8(&w, kv);
	hc_put_u8(&w, alg);
	hc_put_bytes(&w, p->factor, 8);
	m1.data = mac1_data;
	if ((rc = mac1(p, &m1, &sw)) != HC_OK)
		goto out;
	hc_reader_init(&r, p->resp->data, p->resp->len);
	if (hc_get_u32(&r, &t) != 0 || hc_get_bytes(&r, mac, 4) != 0 || hc_reader_left(&r) != 0) {
		rc = HC_ERR_SAM;
		goto out;
	}
	step(p, HC_PURSE_STEP_MAC1);

	/* the intent, durable before DEBIT (purse.md "Torn purchases") */
	memcpy(ch.card_number, p->card_number, sizeof(ch.card_number));
	memcpy(ch.app_serial, p->serial, sizeof(ch.app_serial));
	ch.ledger = (int)c->ledger;
	ch.n = n;
	ch.amount = c->self_pay;
	ch.t = t;
	memcpy(ch.terminal, p->terminal, 6);
	memcpy(ch.date, rcpt->date, sizeof(ch.date));
	memcpy(ch.time, rcpt->time, sizeof(ch.time));
	ch.fund = c->fund;
	ch.account = c->account;
	ch.self_pay = c->self_pay;
	ch.state = HC_CHARGE_OPEN;
	ch.balance_after = -1;
	if ((rc = hc_store_charge_intent(p->store, &ch)) != HC_OK) {
		/* never DEBIT without a committed intent (issue 12 item 1) */
		hc_log_error("cannot record the charge in the journal (store full?): nothing was"
		    " taken");
		goto out;
	}
	memcpy(rcpt->entry_id, ch.entry_id, sizeof(rcpt->entry_id));
	rcpt->state = HC_PURSE_OPEN;
	rcpt->n = n;
	rcpt->t = t;
	memcpy(rcpt->terminal, p->terminal, 6);
	step(p, HC_PURSE_STEP_INTENT);

	/* 5. DEBIT FOR PURCHASE: T ‖ date ‖ time ‖ MAC1 */
	hc_writer_init(&w, debit_data, sizeof(debit_data));
	hc_put_u32(&w, t);
	hc_put_bytes(&w, date, 4);
	hc_put_bytes(&w, tm, 3);
	hc_put_bytes(&w, mac, 4);
	debit.data = debit_data;
	rc = hc_purse_card_cmd(p, &debit, &sw);
	if (sw == 0 || (rc == HC_OK && p->resp->len != 8)) {
		/* no (usable) answer: the outcome is unknown until the card tells */
		hc_log_error("DEBIT FOR PURCHASE unanswered (%s): charge %s open", hc_errname(rc),
		    ch.entry_id);
		if (sw != 0 && resolve_one(p, &ch) == HC_OK && ch.state != HC_CHARGE_OPEN) {
			receipt_from_charge(&ch, rcpt);
			rc = ch.state == HC_CHARGE_VOID ? HC_ERR_MALFORMED_RESPONSE : HC_OK;
			goto out;
		}
		rc = HC_ERR_RECOVERY_PENDING;
		goto out;
	}
	if (rc != HC_OK) {
		/* the card refused: nothing was debited */
		ch.state = HC_CHARGE_VOID;
		rcpt->state = HC_PURSE_VOID;
		if (hc_store_charge_outcome(p->store, &ch) != HC_OK)
			hc_log_error("charge %s void but not journalled (recovery will)", ch.entry_id);
		if (sw == 0x9401)
			rc = HC_ERR_INSUFFICIENT_BALANCE;
		goto out;
	}
	memcpy(ch.tac, p->resp->data, 4);
	memcpy(ch.mac2, p->resp->data + 4, 4);
	ch.state = HC_CHARGE_COMPLETED;
	ch.balance_after = (int64_t)balance - c->self_pay;
	rcpt->state = HC_PURSE_COMPLETED;
	memcpy(rcpt->tac, ch.tac, 4);
	memcpy(rcpt->mac2, ch.mac2, 4);
	rcpt->balance_after = ch.balance_after;
	step(p, HC_PURSE_STEP_DEBIT);
	/* from here on the money is taken: HC_OK whatever follows */
	rc = HC_OK;
	if (hc_store_charge_outcome(p->store, &ch) != HC_OK)
		hc_log_error("charge %s taken but outcome not journalled (recovery will)",
		    ch.entry_id);
	else
		step(p, HC_PURSE_STEP_OUTCOME);

	/* 6. PSAM verifies MAC2 */
	m2.data = ch.mac2;
	if (psam_cmd(p, &m2, &sw) == HC_OK) {
		rcpt->mac2_verified = 1;
		step(p, HC_PURSE_STEP_MAC2);
	} else {
		hc_log_error("charge %s: PSAM did not accept MAC2 (SW %04X)", ch.entry_id,
		    (unsigned)sw);
	}
out:
	hc_wipe(mac, sizeof(mac));
	hc_wipe(rnd, sizeof(rnd));
	return rc;
}

int
hc_purse_purchase(hc_purse_t *p, const hc_purse_charge_t *c, hc_purse_receipt_t *receipt)
{
	int rc;

	if (p == NULL || c == NULL || receipt == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	memset(receipt, 0, sizeof(*receipt));
	receipt->state = HC_PURSE_VOID;
	receipt->balance_after = -1;
	receipt->pin_tries_left = -1;
	if ((rc = check_charge(c)) != HC_OK)
		return rc;
	if (c->pin_pad && c->pin != NULL && !hc_purse_is_pin_pad(c->pin))
		return HC_ERR_INVALID_ARGUMENT;     /* a typed PIN and the pad: which one? */
	/* no pad: refused before anything is sent (no recovery, no PSAM, no APDU) */
	if (c->ledger == HC_LEDGER_ED && (c->pin_pad || hc_purse_is_pin_pad(c->pin)) &&
	    (rc = hc_purse_need_pinpad(p)) != HC_OK)
		return rc;
	if (p->store == NULL) {
		hc_log_error("a purchase needs a journal store");
		return HC_ERR_INVALID_ARGUMENT;
	}
	if ((rc = hc_session_begin(p->card)) != HC_OK)
		return rc;
	rc = purchase_locked(p, c, receipt);
	hc_session_end(p->card);
	return rc;
}
