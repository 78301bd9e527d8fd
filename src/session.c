/*
 * Card session (session.h): the user card's connection, the current application, granted
 * rights, APDU counts and the SAM's state, so that nothing is selected or authenticated
 * twice. A card reset (HC_ERR_CARD_RESET from the transport, which has reconnected) drops
 * that state; hc_session_run() then redoes the operation.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apdu/buf.h"
#include "apdu/log.h"
#include "apdu/pinpad.h"
#include "apdu/sw.h"
#include "apdu/tlv.h"
#include "src/context.h"
#include "src/health_io.h"
#include "src/session_sec.h"

/* How each application is selected (card-profile.md §2, purse.md, pki.md). */
static const struct app_id {
	hc_app_t app;
	uint8_t p1;
	uint8_t len;
	uint8_t id[16];
} app_ids[] = {
	{ HC_APP_MF, 0x00, 2, { 0x3F, 0x00 } },
	{ HC_APP_DDF1, 0x04, 12, { 'W', 'S', '.', 'S', 'Y', 'S', '.', 'D', 'D', 'F', '0', '1' } },
	{ HC_APP_DF01, 0x04, 6, { 0x91, 0x56, 0x00, 0x01, 0x32, 0x00 } },
	{ HC_APP_DF02, 0x04, 6, { 0x91, 0x56, 0x00, 0x01, 0x32, 0x01 } },
	{ HC_APP_DF03, 0x04, 6, { 0x91, 0x56, 0x00, 0x01, 0x32, 0x02 } },
	{ HC_APP_DEBIT, 0x04, 7, { 0xA0, 0x00, 0x00, 0x03, 0x33, 0x01, 0x01 } },
	{ HC_APP_PKI, 0x04, 9, { 0xF0, 0x48, 0x43, 0x41, 0x52, 0x44, 0x50, 0x4B, 0x49 } },
};

static void
drop_state(hc_card_t *card)
{
	card->app = HC_APP_NONE;
	card->ef = 0;
	card->rights = 0;
}

void
hc_session_set_detail(hc_card_t *card, const char *fmt, ...)
{
	va_list ap;

	if (card == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(card->detail, sizeof(card->detail), fmt, ap);
	va_end(ap);
	hc_log_error("%s", card->detail);
}

int
hc_session_card_cmd(hc_card_t *card, const hc_apdu_t *apdu, hc_resp_t *resp, uint16_t *sw)
{
	uint16_t got = 0;
	int rc;

	if (card == NULL || card->io == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	rc = hc_transmit_ok(card->io, apdu, resp, &got);
	if (sw != NULL)
		*sw = got;
	/* addressing by SFI makes that EF current (ISO 7816-4): forget the selected EF */
	if (((apdu->ins == 0xB0 || apdu->ins == 0xD6) && (apdu->p1 & 0x80))
	    || ((apdu->ins == 0xB2 || apdu->ins == 0xDC || apdu->ins == 0xE2) && (apdu->p2 >> 3) != 0))
		card->ef = 0;
	if (rc == HC_ERR_CARD_RESET || rc == HC_ERR_CARD_REMOVED || rc == HC_ERR_TRANSPORT)
		drop_state(card);
	return rc;
}

static int
sam_card_cmd(hc_card_t *card, hc_sam_card_t *sc, const hc_apdu_t *apdu, hc_resp_t *resp, uint16_t *sw)
{
	uint16_t got = 0;
	int rc;

	if (sc->io == NULL)
		return HC_ERR_NO_SAM;
	rc = hc_transmit_ok(sc->io, apdu, resp, &got);
	if (sw != NULL)
		*sw = got;
	if (rc == HC_ERR_CARD_RESET || rc == HC_ERR_CARD_REMOVED || rc == HC_ERR_TRANSPORT) {
		sc->app = HC_SAM_APP_NONE;
		sc->pin_verified = 0;
	}
	(void)card;
	return rc;
}

int
hc_session_sam_cmd(hc_card_t *card, const hc_apdu_t *apdu, hc_resp_t *resp, uint16_t *sw)
{
	return card == NULL ? HC_ERR_INVALID_ARGUMENT : sam_card_cmd(card, &card->term->sam, apdu, resp, sw);
}

int
hc_session_psam_cmd(hc_card_t *card, const hc_apdu_t *apdu, hc_resp_t *resp, uint16_t *sw)
{
	return card == NULL ? HC_ERR_INVALID_ARGUMENT : sam_card_cmd(card, card->term->psam, apdu, resp, sw);
}

int
hc_session_select(hc_card_t *card, hc_app_t app)
{
	hc_apdu_t a = { 0x00, 0xA4, 0, 0x0C, NULL, 0, 0, 0, 0, 0 };
	uint16_t sw = 0;
	size_t i;
	int rc;

	if (card == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	if (card->app == app && app != HC_APP_NONE)
		return HC_OK;
	for (i = 0; i < sizeof(app_ids) / sizeof(app_ids[0]); i++)
		if (app_ids[i].app == app)
			break;
	if (i == sizeof(app_ids) / sizeof(app_ids[0]))
		return HC_ERR_INVALID_ARGUMENT;
	a.p1 = app_ids[i].p1;
	a.data = app_ids[i].id;
	a.lc = app_ids[i].len;
	drop_state(card);            /* any SELECT of a DF clears the rights (§4) */
	rc = hc_session_card_cmd(card, &a, card->resp, &sw);
	if (rc == HC_OK || sw == 0x6283) {
		card->app = app;         /* a blocked application becomes current too (§6) */
		if (sw == 0x6283)
			rc = HC_ERR_APP_BLOCKED;
	}
	return rc;
}

void
hc_session_invalidate(hc_card_t *card)
{
	if (card != NULL)
		drop_state(card);
}

int
hc_session_select_ef(hc_card_t *card, uint16_t fid)
{
	uint8_t id[2] = { (uint8_t)(fid >> 8), (uint8_t)fid };
	hc_apdu_t a = { 0x00, 0xA4, 0x02, 0x0C, id, 2, 0, 0, 0, 0 };
	int rc;

	if (card == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	if (card->ef == fid && card->app != HC_APP_NONE)
		return HC_OK;
	card->ef = 0;
	if ((rc = hc_session_card_cmd(card, &a, card->resp, NULL)) == HC_OK)
		card->ef = fid;
	return rc;
}

int
hc_session_sam_select(hc_card_t *card, hc_sam_app_t app)
{
	if (card == NULL || app == HC_SAM_APP_NONE)
		return HC_ERR_INVALID_ARGUMENT;
	return hc_terminal_sam_select(card->term, app == HC_SAM_APP_PSAM ? card->term->psam : &card->term->sam,
	                              app, card->resp);
}

hc_transport_t *hc_session_card_io(hc_card_t *card) { return card != NULL ? card->io : NULL; }

int
hc_session_pin_pad(hc_card_t *card, uint8_t timeout_s, uint16_t *sw)
{
	hc_pinpad_verify_t pv;
	int rc;

	*sw = 0;
	hc_transport_set_reset_on_close(card->io, 1);
	hc_pinpad_cardholder(&pv, timeout_s);
	hc_log_debug("cardholder PIN: waiting for the reader's PIN pad (at most %u s)",
	             (unsigned)timeout_s);
	rc = hc_pinpad_verify(card->io, &pv, sw);
	if (rc == HC_ERR_CARD_RESET || rc == HC_ERR_CARD_REMOVED || rc == HC_ERR_TRANSPORT)
		hc_session_invalidate(card);        /* the card forgot its selection */
	return rc;
}
hc_transport_t *hc_session_sam_io(hc_card_t *card) { return card != NULL ? card->term->sam.io : NULL; }
hc_transport_t *hc_session_psam_io(hc_card_t *card) { return card != NULL ? card->term->psam->io : NULL; }
const uint8_t *hc_session_card_factor(const hc_card_t *card) { return card->card_factor; }
const uint8_t *hc_session_city_factor(const hc_card_t *card) { return card->city_factor; }
hc_resp_t *hc_session_resp(hc_card_t *card) { return card != NULL ? card->resp : NULL; }
hc_ctx_t *hc_session_ctx(hc_card_t *card) { return card != NULL ? card->term->ctx : NULL; }
hc_terminal_t *hc_session_terminal(hc_card_t *card) { return card != NULL ? card->term : NULL; }
const hc_chip_profile_t *hc_session_chip(const hc_card_t *card) { return card->chip; }
int hc_session_sam_type(const hc_card_t *card) { return card->term->info.type; }

uint8_t
hc_session_key_version(const hc_card_t *card)
{
	return card->term->info.key_version != 0 ? (uint8_t)card->term->info.key_version : 1;
}

const uint8_t *
hc_session_ef05(const hc_card_t *card, size_t *len)
{
	*len = card->ef05_len;
	return card->ef05_len > 0 ? card->ef05 : NULL;
}

int
hc_session_card_number(hc_card_t *card, char out[19])
{
	if (card == NULL || out == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	memcpy(out, card->card_number, sizeof(card->card_number));
	return HC_OK;
}

const char *
hc_card_number(const hc_card_t *card)
{
	return card != NULL ? card->card_number : "";
}

const char *
hc_card_error_detail(const hc_card_t *card)
{
	return card != NULL ? card->detail : "";
}

int
hc_session_begin(hc_card_t *card)
{
	int rc;

	if (card == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	if (card->depth++ > 0)
		return HC_OK;
	if ((rc = hc_transport_begin(card->io)) != HC_OK) {
		card->depth = 0;
		return rc;
	}
	if (card->term->sam.io != NULL && (rc = hc_transport_begin(card->term->sam.io)) != HC_OK) {
		/* a reset seen here never reaches sam_card_cmd: the SAM forgot its PIN state and
		 * DF, so verify and select again (else every SAM command of the redo is refused) */
		if (rc == HC_ERR_CARD_RESET || rc == HC_ERR_CARD_REMOVED || rc == HC_ERR_TRANSPORT) {
			card->term->sam.app = HC_SAM_APP_NONE;
			card->term->sam.pin_verified = 0;
		}
		hc_transport_end(card->io);
		card->depth = 0;
	}
	return rc;
}

int
hc_session_end(hc_card_t *card)
{
	int rc = HC_OK, rc2 = HC_OK;

	if (card == NULL || card->depth == 0)
		return HC_ERR_INVALID_ARGUMENT;
	if (--card->depth > 0)
		return HC_OK;
	if (card->term->sam.io != NULL)
		rc2 = hc_transport_end(card->term->sam.io);
	rc = hc_transport_end(card->io);
	return rc != HC_OK ? rc : rc2;
}

int
hc_session_run(hc_card_t *card, int (*op)(hc_card_t *card, void *arg), void *arg)
{
	int rc, attempt;

	if (card == NULL || op == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	card->detail[0] = '\0';
	for (attempt = 0; attempt < 2; attempt++) {
		int relied = card->app != HC_APP_NONE;

		/* One PC/SC transaction per operation: another process sharing the card cannot
		 * select something else between our SELECT and READ (seen: two processes opening
		 * sessions at once, one read EF05 with the other's DF current, 6A82). */
		if ((rc = hc_session_begin(card)) == HC_OK) {
			rc = op(card, arg);
			(void)hc_session_end(card);
		}
		/* A reset PC/SC reported, or one it did not (a warm reset through another shared
		 * connection): a file "not found" or a right "missing" while the session believed a
		 * DF current means the card lost its volatile state. Redo once from scratch. */
		if (rc != HC_ERR_CARD_RESET && !(relied && (rc == HC_ERR_FILE_NOT_FOUND ||
		    rc == HC_ERR_SECURITY_STATUS || rc == HC_ERR_NO_CHALLENGE)))
			break;
		hc_log_debug("card state lost (%s): state dropped, redoing", hc_errname(rc));
		drop_state(card);
		card->detail[0] = '\0';
	}
	return rc;
}

static int
ef05_ok(const hc_tlv_t *tlv, void *arg)
{
	(void)tlv;
	(void)arg;
	return 0;
}

/* EF05 tag 57 (city code) and tag 08 (card number) from the cached EF05. */
static int
parse_ef05(hc_card_t *card)
{
	hc_tlv_t t;
	size_t n;

	if (hc_stlv_walk(card->ef05, card->ef05_len, ef05_ok, NULL) != 0) {
		hc_session_set_detail(card, "DDF1/EF05: malformed records");
		return HC_ERR_MALFORMED_RESPONSE;
	}
	if (hc_stlv_find(card->ef05, card->ef05_len, 0x57, &t) != 0 || t.len != 3) {
		hc_session_set_detail(card, "DDF1/EF05 has no city code (tag 57): not a health card?");
		return HC_ERR_NOT_HEALTH_CARD;
	}
	memcpy(card->city_factor, t.value, 3);          /* §4: city code ‖ 30 30 30 30 30 */
	memset(card->city_factor + 3, 0x30, 5);
	card->card_number[0] = '\0';
	if (hc_stlv_find(card->ef05, card->ef05_len, 0x08, &t) == 0 && t.len == 18) {
		for (n = 0; n < 18 && t.value[n] >= 0x20 && t.value[n] < 0x7F; n++)
			card->card_number[n] = (char)t.value[n];
		card->card_number[n == 18 ? 18 : 0] = '\0';
	}
	return HC_OK;
}

static int
load_ef05(hc_card_t *card, void *arg)
{
	const hc_file_def_t *f = hc_profile_file(HC_FILE_DDF1_EF05);
	int rc;

	(void)arg;
	card->ef05_len = 0;
	rc = hc_session_select(card, HC_APP_DDF1);
	if (rc == HC_ERR_FILE_NOT_FOUND) {
		hc_session_set_detail(card, "no DDF1 (WS.SYS.DDF01) on this card: not a resident health card");
		return HC_ERR_NOT_HEALTH_CARD;
	}
	if (rc != HC_OK)
		return rc;
	if ((rc = hc_io_read_records(card, f, card->ef05, sizeof(card->ef05), &card->ef05_len)) != HC_OK) {
		card->ef05_len = 0;
		return rc;
	}
	return parse_ef05(card);
}

int
hc_session_reload_ef05(hc_card_t *card)
{
	return load_ef05(card, NULL);
}

/* The card factor from the ATR at the chip profile's offset, else from the MF FCI (C0). */
static int
card_factor(hc_card_t *card)
{
	static const uint8_t mf[2] = { 0x3F, 0x00 };
	static const uint32_t path[] = { 0x6F, 0xA5, 0xC0 };
	hc_apdu_t a = { 0x00, 0xA4, 0x00, 0x00, mf, 2, 256, 1, 0, 0 };
	hc_tlv_t t;
	int rc;

	if (card->atr_len >= card->chip->card_factor_offset + 8) {
		memcpy(card->card_factor, card->atr + card->chip->card_factor_offset, 8);
		return HC_OK;
	}
	if ((rc = hc_session_card_cmd(card, &a, card->resp, NULL)) != HC_OK)
		return rc;
	card->app = HC_APP_MF;
	if (hc_ber_find_path(card->resp->data, card->resp->len, path, 3, &t) != 0 || t.len != 8) {
		hc_session_set_detail(card, "the MF FCI has no card factor (tag C0)");
		return HC_ERR_NOT_HEALTH_CARD;
	}
	memcpy(card->card_factor, t.value, 8);
	return HC_OK;
}

/* The session over an open card transport (takes ownership of io). */
static int
card_open_io(hc_terminal_t *term, hc_transport_t *io, hc_card_t **out)
{
	const hc_config_t *cfg = hc_ctx_config(term->ctx);
	hc_card_t *card = NULL;
	int ret = HC_ERR_NO_MEMORY;

	if ((card = calloc(1, sizeof(*card))) == NULL || (card->resp = hc_resp_new()) == NULL) {
		hc_transport_free(&io);
		goto out;
	}
	card->term = term;
	card->io = io;
	card->atr_len = sizeof(card->atr);
	if ((ret = hc_transport_get_atr(card->io, card->atr, &card->atr_len)) != HC_OK)
		goto out;
	if (strcmp(cfg->chip_profile, "auto") == 0 || cfg->chip_profile[0] == '\0') {
		card->chip = hc_chip_profile_for_atr(card->atr, card->atr_len);
	} else if ((card->chip = hc_chip_profile_by_name(cfg->chip_profile)) == NULL) {
		hc_ctx_set_detail(term->ctx, "hcard.conf: unknown chip_profile \"%s\"", cfg->chip_profile);
		ret = HC_ERR_CONFIG;
		goto out;
	}
	if (!card->chip->extended_length)
		hc_transport_set_extended(card->io, 0);
	card->sam_base = hc_transport_apdu_count(term->sam.io);
	card->psam_base = term->psam != &term->sam ? hc_transport_apdu_count(term->psam->io) : 0;
	if ((ret = card_factor(card)) != HC_OK)
		goto out;
	if ((ret = hc_session_run(card, load_ef05, NULL)) != HC_OK) {
		hc_ctx_set_detail(term->ctx, "%s", card->detail[0] ? card->detail : hc_strerror(ret));
		goto out;
	}
	*out = card;
	card = NULL;
	ret = HC_OK;
out:
	hc_card_close(&card);
	return ret;
}

int
hc_card_open(hc_terminal_t *term, hc_card_t **out)
{
	hc_transport_t *io = NULL;
	int ret;

	if (term == NULL || out == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	*out = NULL;
	if ((ret = hc_pcsc_connect(term->pcsc, term->card_reader, &io)) != HC_OK) {
		hc_ctx_set_detail(term->ctx, "user card reader \"%s\": %s", term->card_reader, hc_strerror(ret));
		return ret;
	}
	return card_open_io(term, io, out);
}

int
hc_card_open_io(hc_terminal_t *term, hc_transport_t *io, hc_card_t **out)
{
	if (term == NULL || io == NULL || out == NULL) {
		hc_transport_free(&io);
		return HC_ERR_INVALID_ARGUMENT;
	}
	*out = NULL;
	return card_open_io(term, io, out);
}

void
hc_card_close(hc_card_t **pcard)
{
	hc_card_t *card;

	if (pcard == NULL || (card = *pcard) == NULL)
		return;
	while (card->depth > 0)
		hc_session_end(card);
	hc_transport_free(&card->io);
	hc_resp_free(&card->resp);
	hc_wipe(card, sizeof(*card));
	free(card);
	*pcard = NULL;
}

void
hc_card_apdu_counts(const hc_card_t *card, unsigned long *card_apdus, unsigned long *sam_apdus)
{
	unsigned long sam = 0;

	if (card == NULL)
		return;
	if (card_apdus != NULL)
		*card_apdus = hc_transport_apdu_count(card->io);
	if (card->term->sam.io != NULL)
		sam = hc_transport_apdu_count(card->term->sam.io) - card->sam_base;
	if (card->term->psam != &card->term->sam && card->term->psam->io != NULL)
		sam += hc_transport_apdu_count(card->term->psam->io) - card->psam_base;
	if (sam_apdus != NULL)
		*sam_apdus = sam;
}
