/*
 * libhcard: the debit application (purse.md): open, EF15, balance, limits, cardholder PIN,
 * transaction log and load. Purchases and their recovery are in purse_charge.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hcard_purse.h"
#include "apdu/buf.h"
#include "apdu/log.h"
#include "apdu/sw.h"
#include "src/purse_int.h"
#include "src/session.h"
#include "src/store.h"

static int
send(hc_purse_t *p, const hc_apdu_t *a, uint16_t *sw)
{
	*sw = 0;
	hc_resp_clear(p->resp);
	return hc_session_card_cmd(p->card, a, p->resp, sw);    /* *sw stays 0: no answer */
}

/*
 * Every command to the debit application: in a PC/SC transaction (nested in a purchase's),
 * after selecting the application (cached by the session: no APDU when current). Another
 * process may have selected something else between our transactions: on 6D00/6E00/6A82 the
 * application is selected again and the command resent, once (those SWs change nothing).
 */
int
hc_purse_card_cmd(hc_purse_t *p, const hc_apdu_t *a, uint16_t *sw)
{
	int rc;

	*sw = 0;
	if ((rc = hc_session_begin(p->card)) != HC_OK)
		return rc;
	if ((rc = hc_purse_select(p)) == HC_OK) {
		rc = send(p, a, sw);
		if (rc != HC_OK && (*sw == 0x6D00 || *sw == 0x6E00 || *sw == 0x6A82)) {
			hc_session_invalidate(p->card);
			if ((rc = hc_purse_select(p)) == HC_OK)
				rc = send(p, a, sw);
		}
	}
	hc_session_end(p->card);
	return rc;
}

int
hc_purse_select(hc_purse_t *p)
{
	return hc_session_select(p->card, HC_APP_DEBIT);
}

int
hc_purse_open(hc_card_t *card, struct hc_store *store, hc_purse_t **out)
{
	hc_purse_t *p = NULL;
	hc_apdu_t a = { 0x00, 0xB0, 0x95, 0x00, NULL, 0, 30, 1, 0, 0 };
	uint16_t sw;
	int rc;

	if (card == NULL || out == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	*out = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL || (p->resp = hc_resp_new()) == NULL) {
		rc = HC_ERR_NO_MEMORY;
		goto out;
	}
	p->card = card;
	p->store = store;
	if ((rc = hc_purse_select(p)) != HC_OK)
		goto out;
	/* EF15 by SFI: 00 B0 95 00 1E (purse.md) */
	if ((rc = hc_purse_card_cmd(p, &a, &sw)) != HC_OK)
		goto out;
	if (p->resp->len != sizeof(p->ef15)) {
		hc_log_error("EF15: %zu bytes instead of 30", p->resp->len);
		rc = HC_ERR_MALFORMED_RESPONSE;
		goto out;
	}
	memcpy(p->ef15, p->resp->data, sizeof(p->ef15));
	hc_purse_bcd_text(p->ef15 + 10, 10, p->serial);
	if (strspn(p->serial, "0123456789") != 20) {
		hc_log_error("EF15: application serial is not 20 digits");
		rc = HC_ERR_MALFORMED_RESPONSE;
		goto out;
	}
	memcpy(p->factor, p->ef15 + 12, 8);      /* purse.md: F = EF15 bytes 12-19 */
	*out = p;
	p = NULL;
	rc = HC_OK;
out:
	hc_purse_free(&p);
	return rc;
}

void
hc_purse_free(hc_purse_t **pp)
{
	hc_purse_t *p;

	if (pp == NULL || (p = *pp) == NULL)
		return;
	hc_resp_free(&p->resp);
	hc_wipe(p, sizeof(*p));
	free(p);
	*pp = NULL;
}

int
hc_purse_info(const hc_purse_t *p, hc_purse_info_t *out)
{
	if (p == NULL || out == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	memset(out, 0, sizeof(*out));
	memcpy(out->issuer_id, p->ef15, 8);
	out->app_type = p->ef15[8];
	out->app_version = p->ef15[9];
	memcpy(out->serial, p->serial, sizeof(out->serial));
	hc_purse_bcd_text(p->ef15 + 20, 4, out->start_date);
	hc_purse_bcd_text(p->ef15 + 24, 4, out->expiry_date);
	return HC_OK;
}

void
hc_purse_set_step_cb(hc_purse_t *p, hc_purse_step_cb cb, void *arg)
{
	if (p == NULL)
		return;
	p->step_cb = cb;
	p->step_arg = arg;
}

int
hc_purse_balance(hc_purse_t *p, hc_ledger_t ledger, int64_t *fen)
{
	hc_apdu_t a = { 0x80, 0x5C, 0x00, 0x00, NULL, 0, 4, 1, 0, 0 };
	hc_reader_t r;
	uint32_t v;
	uint16_t sw;
	int rc;

	if (p == NULL || fen == NULL || (ledger != HC_LEDGER_ED && ledger != HC_LEDGER_EP))
		return HC_ERR_INVALID_ARGUMENT;
	a.p2 = (uint8_t)ledger;
	if ((rc = hc_purse_select(p)) != HC_OK || (rc = hc_purse_card_cmd(p, &a, &sw)) != HC_OK)
		return rc;
	hc_reader_init(&r, p->resp->data, p->resp->len);
	if (hc_get_u32(&r, &v) != 0 || hc_reader_left(&r) != 0)
		return HC_ERR_MALFORMED_RESPONSE;
	*fen = v;
	return HC_OK;
}

/* GET DATA 80 CA 9F xx: 9F xx 06 n12. */
static int
get_n12(hc_purse_t *p, uint8_t tag, int64_t *v)
{
	hc_apdu_t a = { 0x80, 0xCA, 0x9F, 0x00, NULL, 0, 256, 1, 0, 0 };
	const uint8_t *d;
	uint16_t sw;
	int64_t x = 0;
	int rc, i;

	a.p2 = tag;
	if ((rc = hc_purse_card_cmd(p, &a, &sw)) != HC_OK)
		return rc;
	d = p->resp->data;
	if (p->resp->len != 9 || d[0] != 0x9F || d[1] != tag || d[2] != 6)
		return HC_ERR_MALFORMED_RESPONSE;
	for (i = 3; i < 9; i++) {
		if ((d[i] >> 4) > 9 || (d[i] & 0x0F) > 9)
			return HC_ERR_MALFORMED_RESPONSE;
		x = x * 100 + (d[i] >> 4) * 10 + (d[i] & 0x0F);
	}
	*v = x;
	return HC_OK;
}

int
hc_purse_limits(hc_purse_t *p, int64_t *balance_limit, int64_t *single_limit)
{
	int rc;

	if (p == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	if ((rc = hc_purse_select(p)) != HC_OK)
		return rc;
	if (balance_limit != NULL && (rc = get_n12(p, 0x77, balance_limit)) != HC_OK)
		return rc;
	if (single_limit != NULL && (rc = get_n12(p, 0x78, single_limit)) != HC_OK)
		return rc;
	return HC_OK;
}

/* ---- PIN ---------------------------------------------------------------------------------- */

/* Maps the SW of a PIN command; tries_left may be NULL. */
int
hc_purse_pin_result(int rc, uint16_t sw, int *tries_left)
{
	int tries = hc_sw_tries_left(sw);

	if (tries >= 0) {
		if (tries_left != NULL)
			*tries_left = tries;
		return tries == 0 ? HC_ERR_PIN_BLOCKED : HC_ERR_PIN_WRONG;
	}
	if (sw == 0x6983) {
		if (tries_left != NULL)
			*tries_left = 0;
		return HC_ERR_PIN_BLOCKED;
	}
	if (sw == 0x6A80)
		return HC_ERR_PIN_FORMAT;
	return rc;
}

int
hc_purse_pin_verify(hc_purse_t *p, const char *pin, int *tries_left)
{
	uint8_t block[6];
	hc_apdu_t a = { 0x00, 0x20, 0x00, 0x00, NULL, 6, 0, 0, 0, 1 };
	uint16_t sw;
	int rc;

	if ((rc = hc_purse_pin_block(pin, block)) != HC_OK)
		goto out;
	a.data = block;
	if ((rc = hc_purse_select(p)) != HC_OK)
		goto out;
	/* A verified PIN must not outlive this session: end it with a card reset. */
	hc_transport_set_reset_on_close(hc_session_card_io(p->card), 1);
	rc = hc_purse_card_cmd(p, &a, &sw);
	if (rc != HC_OK)
		rc = hc_purse_pin_result(rc, sw, tries_left);
out:
	hc_wipe(block, sizeof(block));
	return rc;
}

int
hc_purse_verify_pin(hc_purse_t *p, const char *pin, int *tries_left)
{
	if (p == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	if (hc_purse_is_pin_pad(pin))
		return hc_purse_pad_verify(p, tries_left);
	return hc_purse_pin_verify(p, pin, tries_left);
}

int
hc_purse_pin_status(hc_purse_t *p, int *tries_left)
{
	hc_apdu_t a = { 0x00, 0x20, 0x00, 0x00, NULL, 0, 0, 0, 0, 0 };
	uint16_t sw;
	int rc;

	if (p == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	if ((rc = hc_purse_select(p)) != HC_OK)
		return rc;
	rc = hc_purse_card_cmd(p, &a, &sw);
	if (rc == HC_OK || sw == 0)
		return rc;
	rc = hc_purse_pin_result(rc, sw, tries_left);
	/* not verified yet: tries left reported, nothing was counted */
	return rc == HC_ERR_PIN_WRONG ? HC_ERR_SECURITY_STATUS : rc;
}

int
hc_purse_change_pin(hc_purse_t *p, const char *old_pin, const char *new_pin, int *tries_left)
{
	uint8_t data[13];
	hc_apdu_t a = { 0x80, 0x5E, 0x01, 0x00, NULL, 13, 0, 0, 0, 1 };
	uint16_t sw;
	int rc;

	/* keyboard only: VERIFY_PIN_DIRECT carries one PIN, CHANGE PIN needs two */
	if (p == NULL || hc_purse_is_pin_pad(old_pin) || hc_purse_is_pin_pad(new_pin))
		return HC_ERR_INVALID_ARGUMENT;
	if ((rc = hc_purse_pin_block(old_pin, data)) != HC_OK ||
	    (rc = hc_purse_pin_block(new_pin, data + 7)) != HC_OK)
		goto out;
	data[6] = 0xFF;
	a.data = data;
	if ((rc = hc_purse_select(p)) != HC_OK)
		goto out;
	rc = hc_purse_card_cmd(p, &a, &sw);
	if (rc != HC_OK)
		rc = hc_purse_pin_result(rc, sw, tries_left);
out:
	hc_wipe(data, sizeof(data));
	return rc;
}

int
hc_purse_reload_pin(hc_purse_t *p, const hc_purse_issuer_t *is, const char *new_pin)
{
	uint8_t data[10];
	hc_apdu_t a = { 0x80, 0x5E, 0x00, 0x00, NULL, 10, 0, 0, 0, 1 };
	uint16_t sw;
	int rc;

	if (p == NULL || is == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	if ((rc = hc_purse_pin_block(new_pin, data)) != HC_OK ||
	    (rc = hc_purse_issuer_pin_mac(is, p->factor, data, data + 6)) != HC_OK)
		goto out;
	a.data = data;
	if ((rc = hc_purse_select(p)) != HC_OK)
		goto out;
	rc = hc_purse_card_cmd(p, &a, &sw);
out:
	hc_wipe(data, sizeof(data));
	return rc;
}

/* ---- transaction log ------------------------------------------------------------------------ */

static void
rec_decode(const uint8_t *d, hc_purse_rec_t *r)
{
	r->seq = (uint16_t)((d[0] << 8) | d[1]);
	r->amount = ((uint32_t)d[5] << 24) | ((uint32_t)d[6] << 16) | ((uint32_t)d[7] << 8) | d[8];
	r->type = d[9];
	memcpy(r->terminal, d + 10, 6);
	memcpy(r->date, d + 16, 4);
	memcpy(r->time, d + 20, 3);
}

int
hc_purse_read_records(hc_purse_t *p, hc_purse_rec_t out[10], size_t *n)
{
	/* all records from 1 (P2 b3-b1 = 101, card-profile.md §2), else one by one */
	hc_apdu_t a = { 0x00, 0xB2, 0x01, (0x18 << 3) | 0x05, NULL, 0, 256, 1, 0, 0 };
	uint16_t sw;
	size_t i, k;
	int rc;

	*n = 0;
	if ((rc = hc_purse_select(p)) != HC_OK)
		return rc;
	rc = hc_purse_card_cmd(p, &a, &sw);
	if (rc == HC_OK) {
		if (p->resp->len % HC_PURSE_REC_LEN != 0 || p->resp->len > 10 * HC_PURSE_REC_LEN)
			return HC_ERR_MALFORMED_RESPONSE;
		for (i = 0; i < p->resp->len / HC_PURSE_REC_LEN; i++)
			rec_decode(p->resp->data + i * HC_PURSE_REC_LEN, &out[i]);
		*n = i;
		return HC_OK;
	}
	if (sw == 0 || sw == 0x6A83)
		return sw == 0 ? rc : HC_OK;
	/* 00 B2 n C4 17 for n = 1..10 (purse.md) */
	a.p2 = (0x18 << 3) | 0x04;
	a.le = HC_PURSE_REC_LEN;
	for (k = 1; k <= 10; k++) {
		a.p1 = (uint8_t)k;
		rc = hc_purse_card_cmd(p, &a, &sw);
		if (sw == 0x6A83)
			break;
		if (rc != HC_OK)
			return rc;
		if (p->resp->len != HC_PURSE_REC_LEN)
			return HC_ERR_MALFORMED_RESPONSE;
		rec_decode(p->resp->data, &out[*n]);
		(*n)++;
	}
	return HC_OK;
}

int
hc_purse_log(hc_purse_t *p, hc_purse_log_entry_t out[HC_PURSE_LOG_MAX], size_t *n)
{
	hc_purse_rec_t recs[10];
	size_t nrec = 0, i;
	int rc;

	if (p == NULL || out == NULL || n == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	*n = 0;
	if ((rc = hc_purse_read_records(p, recs, &nrec)) != HC_OK)
		return rc;
	for (i = 0; i < nrec; i++) {
		hc_purse_log_entry_t *e = &out[*n];
		const hc_purse_rec_t *r = &recs[i];

		if (r->type == 0x00)
			continue;           /* never written */
		memset(e, 0, sizeof(*e));
		e->seq = r->seq;
		e->amount = r->amount;
		e->type = r->type;
		e->is_load = r->type == 0x01 || r->type == 0x02;
		e->ledger = (r->type == 0x01 || r->type == 0x05) ? HC_LEDGER_ED : HC_LEDGER_EP;
		memcpy(e->terminal, r->terminal, 6);
		hc_purse_bcd_text(r->date, 4, e->date);
		hc_purse_bcd_text(r->time, 3, e->time);
		(*n)++;
	}
	return HC_OK;
}
