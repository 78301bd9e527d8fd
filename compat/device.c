/*
 * The device of the national interface: iDOpenPort/iDClosePort, the user card session,
 * PowerOn and SendAPDU (the raw pass-through the interface demands) and the SAM calls.
 *
 * The national interface has one device per process (iDClosePort takes no handle), so its
 * state is this file's one context, behind one lock. The raw pass-through uses its own
 * PC/SC connections (apdu/pcsc.h) to the terminal's readers; after raw commands the
 * library re-establishes its state: the card session re-selects (hc_session_invalidate),
 * and the SAM, whose selected DF and PIN state the library cannot see, is reset before the
 * library uses it again (the library then verifies its kept PIN and selects again).
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apdu/apdu.h"
#include "apdu/buf.h"
#include "apdu/log.h"
#include "apdu/transport.h"
#include "compat/compat.h"
#include "src/conf.h"
#include "src/session.h"

#define MAX_READERS 16

static struct {
	pthread_mutex_t lock;
	wsb_dev_t dev;
} g = { PTHREAD_MUTEX_INITIALIZER, { 0, 0, NULL, NULL, NULL, NULL, { NULL, NULL }, 0, NULL, 0 } };

static int raw_io(wsb_dev_t *d, int slot, hc_transport_t **out);

static void
dev_close(wsb_dev_t *d)
{
	hc_transport_t *t = NULL;
	size_t i;

	/* the SAM as after power-on: its verified PIN does not outlive the HIS session (another
	 * program sharing the reader cannot use the SAM's keys without presenting the PIN) */
	if (d->term != NULL && d->pcsc != NULL && raw_io(d, SLOT_PSAM, &t) == HC_OK)
		(void)hc_transport_reconnect(t, 1);
	hc_visit_record_free(&d->rec_cache);
	hc_card_close(&d->card);
	for (i = 0; i < WSB_RAW__COUNT; i++)
		hc_transport_free(&d->raw[i]);
	hc_pcsc_free(&d->pcsc);
	hc_terminal_close(&d->term);    /* wipes the kept SAM PIN */
	hc_ctx_free(&d->ctx);
	memset(d, 0, sizeof(*d));
}

/* Text in UTF-8 instead of GBK: HCARD_COMPAT_UTF8=1/yes or 0/no at iDOpenPort, else the
 * build's default (./configure CPPFLAGS=-DHC_COMPAT_UTF8_DEFAULT=1). */
#ifndef HC_COMPAT_UTF8_DEFAULT
#define HC_COMPAT_UTF8_DEFAULT 0
#endif

static int
want_utf8(void)
{
	const char *v = getenv("HCARD_COMPAT_UTF8");

	if (v != NULL && (strcmp(v, "1") == 0 || strcmp(v, "yes") == 0))
		return 1;
	if (v != NULL && (strcmp(v, "0") == 0 || strcmp(v, "no") == 0))
		return 0;
	return HC_COMPAT_UTF8_DEFAULT;
}

HANDLE
iDOpenPort(void)
{
	wsb_dev_t *d = &g.dev;
	HANDLE h = NULL;
	int rc;

	pthread_mutex_lock(&g.lock);
	if (d->open) {
		h = d;
		goto out;
	}
	if ((rc = hc_ctx_new(&d->ctx, NULL)) != HC_OK) {
		hc_log_error("hcard.conf: %s %s", hc_strerror(rc), d->ctx != NULL ? hc_ctx_error_detail(d->ctx) : "");
		goto fail;
	}
	if ((rc = hc_terminal_open(d->ctx, NULL, &d->term)) != HC_OK) {
		hc_log_error("terminal: %s %s", hc_strerror(rc), hc_ctx_error_detail(d->ctx));
		goto fail;
	}
	if ((rc = hc_pcsc_new(&d->pcsc)) != HC_OK) {
		hc_log_error("PC/SC: %s", hc_strerror(rc));
		goto fail;
	}
	d->utf8 = want_utf8();
	d->open = 1;
	h = d;
	goto out;
fail:
	dev_close(d);
out:
	pthread_mutex_unlock(&g.lock);
	return h;
}

int
iDClosePort(void)
{
	pthread_mutex_lock(&g.lock);
	dev_close(&g.dev);
	pthread_mutex_unlock(&g.lock);
	return IRV_OK;
}

int
wsb_enter(HANDLE h, wsb_dev_t **out)
{
	int ret;

	if ((ret = wsb_enter_keep(h, out)) == IRV_OK)
		hc_visit_record_free(&(*out)->rec_cache);
	return ret;
}

int
wsb_enter_keep(HANDLE h, wsb_dev_t **out)
{
	pthread_mutex_lock(&g.lock);
	if ((h != NULL && h != (HANDLE)&g.dev) || !g.dev.open) {
		pthread_mutex_unlock(&g.lock);
		hc_log_error("%s", h != NULL && h != (HANDLE)&g.dev ? "not the handle of iDOpenPort" : "device not open (iDOpenPort)");
		return IRV_PARA_ERR;
	}
	*out = &g.dev;
	return IRV_OK;
}

void
wsb_leave(wsb_dev_t *d)
{
	(void)d;
	pthread_mutex_unlock(&g.lock);
}

void
wsb_sync_sam(wsb_dev_t *d)
{
	if (!d->sam_dirty)
		return;
	if (d->raw[WSB_RAW_SAM] != NULL && hc_transport_reconnect(d->raw[WSB_RAW_SAM], 1) != HC_OK)
		hc_transport_free(&d->raw[WSB_RAW_SAM]);
	d->sam_dirty = 0;
}

int
wsb_card_lost(int rc)
{
	return rc == HC_ERR_NO_CARD || rc == HC_ERR_CARD_REMOVED || rc == HC_ERR_CARD_RESET
	    || rc == HC_ERR_TRANSPORT || rc == HC_ERR_UNRESPONSIVE_CARD || rc == HC_ERR_NO_SERVICE;
}

int
wsb_card(wsb_dev_t *d, hc_card_t **out)
{
	int rc;

	wsb_sync_sam(d);
	if (d->card == NULL && (rc = hc_card_open(d->term, &d->card)) != HC_OK) {
		hc_log_error("user card: %s %s", hc_strerror(rc), hc_ctx_error_detail(d->ctx));
		return rc;
	}
	*out = d->card;
	return HC_OK;
}

int
wsb_card_done(wsb_dev_t *d, int rc)
{
	if (rc != HC_OK && d->card != NULL)
		hc_log_error("%s: %s", hc_strerror(rc), hc_card_error_detail(d->card));
	if (wsb_card_lost(rc)) {
		hc_visit_record_free(&d->rec_cache);
		hc_card_close(&d->card);
	}
	return rc;
}

int
wsb_run(wsb_dev_t *d, int (*fn)(hc_card_t *card, void *arg), void *arg, int idempotent)
{
	hc_card_t *card = NULL;
	int fresh = d->card == NULL;
	int rc;

	if ((rc = wsb_card(d, &card)) != HC_OK)
		return wsb_card_done(d, rc);
	rc = fn(card, arg);
	/* libhcard redoes an operation once after a reset by another application; when a second
	 * disturbance follows (the user card and the SAM each report their reset once, another
	 * application changed the card's DF), do what its message says: repeat it */
	if (rc == HC_ERR_CARD_RESET)
		rc = fn(card, arg);
	/* the session was older than this call and the card went away meanwhile (pulled,
	 * replaced, reset): a read runs once more on the card now present */
	if (wsb_card_lost(rc) && idempotent && !fresh) {
		hc_visit_record_free(&d->rec_cache);
		hc_card_close(&d->card);
		if ((rc = wsb_card(d, &card)) == HC_OK)
			rc = fn(card, arg);
	}
	return wsb_card_done(d, rc);
}

/* --- raw pass-through --------------------------------------------------------------- */

/* The SAM reader: the configured name (hcard.conf sam_reader, $HCARD_SAM_READER), else
 * the first reader with a card that is not the user card's. */
static int
sam_reader(wsb_dev_t *d, char *out, size_t cap)
{
	const char *pattern = hc_ctx_config(d->ctx)->sam_reader;
	const char *card_reader = hc_terminal_card_reader(d->term);
	hc_reader_info_t *rd = NULL;
	size_t n = 0, i;
	int rc;

	if ((rd = calloc(MAX_READERS, sizeof(*rd))) == NULL)
		return HC_ERR_NO_MEMORY;
	if ((rc = hc_pcsc_list(d->pcsc, rd, MAX_READERS, &n)) != HC_OK)
		goto out;
	rc = HC_ERR_NO_SAM;
	for (i = 0; i < n && i < MAX_READERS && rc != HC_OK; i++) {
		if (pattern[0] != '\0' ? strstr(rd[i].name, pattern) != NULL
		                       : rd[i].card_present && strcmp(rd[i].name, card_reader) != 0) {
			snprintf(out, cap, "%s", rd[i].name);
			rc = HC_OK;
		}
	}
out:
	free(rd);
	return rc;
}

/* The raw connection to slot (SLOT_USER / SLOT_PSAM), connected now if needed. */
static int
raw_io(wsb_dev_t *d, int slot, hc_transport_t **out)
{
	char name[HC_READER_NAME_MAX];
	int i = slot == SLOT_PSAM ? WSB_RAW_SAM : WSB_RAW_CARD;
	int rc;

	if (d->raw[i] == NULL) {
		if (i == WSB_RAW_SAM) {
			if ((rc = sam_reader(d, name, sizeof(name))) != HC_OK)
				return rc;
		} else {
			snprintf(name, sizeof(name), "%s", hc_terminal_card_reader(d->term));
		}
		if ((rc = hc_pcsc_connect(d->pcsc, name, &d->raw[i])) != HC_OK)
			return rc == HC_ERR_NO_CARD && i == WSB_RAW_SAM ? HC_ERR_NO_SAM : rc;
	}
	*out = d->raw[i];
	return HC_OK;
}

static int
raw_failed(wsb_dev_t *d, int slot, int rc)
{
	int i = slot == SLOT_PSAM ? WSB_RAW_SAM : WSB_RAW_CARD;

	if (rc == HC_ERR_CARD_REMOVED || rc == HC_ERR_NO_CARD || rc == HC_ERR_TRANSPORT || rc == HC_ERR_NO_SERVICE)
		hc_transport_free(&d->raw[i]);
	if (i == WSB_RAW_SAM && rc == HC_ERR_NO_CARD)
		rc = HC_ERR_NO_SAM;
	return wsb_irv(rc, i == WSB_RAW_SAM ? WSB_OP_SAM : WSB_OP_CARD);
}

int
PowerOn(HANDLE h, int slot, char *atr)
{
	wsb_dev_t *d;
	hc_transport_t *t = NULL;
	uint8_t buf[HC_ATR_MAX];
	size_t len = sizeof(buf);
	int ret, rc;

	if ((ret = wsb_enter(h, &d)) != IRV_OK)
		return ret;
	ret = IRV_PARA_ERR;
	if (atr == NULL || (slot != SLOT_USER && slot != SLOT_PSAM))
		goto out;
	if (slot == SLOT_USER) {
		hc_visit_record_free(&d->rec_cache);
		hc_card_close(&d->card);         /* the next call opens a session on this card */
	}
	if ((rc = raw_io(d, slot, &t)) != HC_OK || (rc = hc_transport_reconnect(t, 1)) != HC_OK
	    || (rc = hc_transport_get_atr(t, buf, &len)) != HC_OK) {
		ret = raw_failed(d, slot, rc);
		goto out;
	}
	if (slot == SLOT_PSAM)
		d->sam_dirty = 0;                /* reset just now: the library will see it */
	wsb_hex_out(buf, len, atr);
	ret = IRV_OK;
out:
	wsb_leave(d);
	return ret;
}

int
SendAPDU(HANDLE h, unsigned char slot, unsigned char *cmd, unsigned long len,
         unsigned char *resp, int *resp_len)
{
	wsb_dev_t *d;
	hc_transport_t *t = NULL;
	hc_resp_t *r = NULL;
	hc_apdu_t a;
	int ret, rc, attempt;

	if ((ret = wsb_enter(h, &d)) != IRV_OK)
		return ret;
	ret = IRV_PARA_ERR;
	if (cmd == NULL || resp == NULL || resp_len == NULL || (slot != SLOT_USER && slot != SLOT_PSAM)
	    || len < 4 || len > HC_APDU_MAX_CMD || hc_apdu_parse(cmd, (size_t)len, &a) != HC_OK)
		goto out;
	a.sensitive = hc_log_apdu_is_pin_ins(a.ins);
	if ((r = hc_resp_new()) == NULL) {
		ret = IRV_CARD_ERR;
		goto out;
	}
	if (slot == SLOT_PSAM)
		d->sam_dirty = 1;
	/* a reset by the library's own connection shows here once: send again */
	for (attempt = 0, rc = HC_ERR_CARD_RESET; attempt < 2 && rc == HC_ERR_CARD_RESET; attempt++) {
		if ((rc = raw_io(d, slot, &t)) == HC_OK)
			rc = hc_transmit(t, &a, r);
	}
	if (rc != HC_OK) {
		ret = raw_failed(d, slot, rc);
		goto out;
	}
	if (slot == SLOT_USER && d->card != NULL)
		hc_session_invalidate(d->card);  /* the library selects and authenticates again */
	/* the caller's buffer holds what it asked for (Le, 256 without Le) and the SW: a
	 * longer answer (a 6Cxx resend, chained 61xx) is refused, never written past it */
	if (r->len > (a.has_le ? a.le : 256u)) {
		hc_log_error("the answer has %zu bytes, more than Le %zu", r->len, a.has_le ? a.le : 256u);
		ret = IRV_CARD_ERR;
		goto out;
	}
	memcpy(resp, r->data, r->len);
	resp[r->len] = (unsigned char)(r->sw >> 8);
	resp[r->len + 1] = (unsigned char)r->sw;
	*resp_len = (int)r->len + 2;
	ret = IRV_OK;
out:
	hc_resp_free(&r);
	wsb_leave(d);
	return ret;
}

/* --- SAM ---------------------------------------------------------------------------- */

int
wsb_call(HANDLE h, const wsb_call_t *call, int args_ok, void *arg)
{
	wsb_dev_t *d;
	int ret, rc;

	if ((ret = wsb_enter(h, &d)) != IRV_OK)
		return ret;
	ret = IRV_PARA_ERR;
	if (!args_ok)
		goto out;
	if (call->sync)
		wsb_sync_sam(d);
	if ((rc = call->run(d, arg)) != HC_OK && call->what != NULL)
		hc_log_error("%s: %s %s", call->what, hc_strerror(rc), hc_ctx_error_detail(d->ctx));
	ret = wsb_irv(rc, call->fail);
out:
	wsb_leave(d);
	return ret;
}

static int
sam_verify_pin(wsb_dev_t *d, void *pin)
{
	int rc, tries = -1;

	/* after a reset the SAM transport answers HC_ERR_CARD_RESET once, reconnected */
	if ((rc = hc_terminal_verify_sam_pin(d->term, pin, &tries)) == HC_ERR_CARD_RESET)
		rc = hc_terminal_verify_sam_pin(d->term, pin, &tries);
	return rc;
}

/* serial ans 10 | type b 1 | key version b 1 (card-profile.md §4, EF0015) */
static int
sam_public(wsb_dev_t *d, void *info)
{
	hc_sam_info_t si;
	int rc;

	if ((rc = hc_terminal_sam_info(d->term, &si)) == HC_OK)
		snprintf(info, 11 + 1 + 2 + 1 + 2 + 1, "%s|%02X|%02X", si.serial,
		         (unsigned)si.type & 0xFFu, (unsigned)si.key_version & 0xFFu);
	return rc;
}

static int
sam_terminal(wsb_dev_t *d, void *info)
{
	hc_sam_info_t si;
	int rc;

	if ((rc = hc_terminal_sam_info(d->term, &si)) == HC_OK)
		wsb_hex_out(si.terminal_number, sizeof(si.terminal_number), info);
	return rc;
}

static int
sam_certificate(wsb_dev_t *d, void *info)
{
	uint8_t cert[HC_SAM_CERT_LEN];
	int rc;

	if ((rc = hc_terminal_sam_certificate(d->term, cert)) == HC_OK)
		wsb_hex_out(cert, sizeof(cert), info);
	return rc;
}

typedef struct pin_change {
	const char *old_pin, *new_pin;
} pin_change_t;

/* the format is checked before anything is sent (HC_ERR_PIN_FORMAT: 101); a wrong old PIN
 * is HC_ERR_SAM_PIN (106), the tries left in the log */
static int
sam_change_pin(wsb_dev_t *d, void *arg)
{
	const pin_change_t *pc = arg;
	int tries = -1;

	return hc_terminal_change_sam_pin(d->term, pc->old_pin, pc->new_pin, &tries);
}

/* Per call: its name in the log, whether raw commands may have changed the SAM's state under
 * it (sam_info is the library's copy read at iDOpenPort: no command), what it runs, its
 * failure code. */
static const wsb_call_t verify_pin_call = { "SAM PIN", 1, sam_verify_pin, WSB_OP_SAM };
static const wsb_call_t public_call = { NULL, 0, sam_public, WSB_OP_SAM };
static const wsb_call_t terminal_call = { NULL, 0, sam_terminal, WSB_OP_SAM };
static const wsb_call_t certificate_call = { "SAM certificate", 1, sam_certificate, WSB_OP_SAM };
static const wsb_call_t change_pin_call = { "SAM PIN change", 1, sam_change_pin, WSB_OP_SAM };

int iVerifyPIN(HANDLE h, char *pin) { return wsb_call(h, &verify_pin_call, pin != NULL, pin); }
int iReader_SAM_Public(HANDLE h, char *info) { return wsb_call(h, &public_call, info != NULL, info); }
int iReader_SAM_Terminal(HANDLE h, char *info) { return wsb_call(h, &terminal_call, info != NULL, info); }
int iReader_SAM_Certificate(HANDLE h, char *info) { return wsb_call(h, &certificate_call, info != NULL, info); }

int
iChange_Pin(HANDLE h, char *old_pin, char *new_pin)
{
	pin_change_t pc = { old_pin, new_pin };

	return wsb_call(h, &change_pin_call, old_pin != NULL && new_pin != NULL, &pc);
}

/* Files the SAM of card profile v1 does not have. */
static int
no_sam_file(HANDLE h, char *info, const char *what)
{
	wsb_dev_t *d;
	int ret;

	if ((ret = wsb_enter(h, &d)) != IRV_OK)
		return ret;
	if (info == NULL) {
		ret = IRV_PARA_ERR;
	} else {
		hc_log_error("the SAM of card profile v1 has no %s", what);
		info[0] = '\0';
		ret = IRV_NO_FILE;
	}
	wsb_leave(d);
	return ret;
}

int
iReader_SAM_PublicApp(HANDLE h, char *info)
{
	return no_sam_file(h, info, "health-application public file");
}

int
iReader_SAM_OrgCertificate(HANDLE h, char *info)
{
	return no_sam_file(h, info, "issuer certificate file");
}
