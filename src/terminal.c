/*
 * Terminal: the PC/SC context, the user-card reader's name and the SAM (and PSAM) card.
 * Readers come from options, hcard.conf or the environment, else auto-detection: the SAM is
 * the card answering READ BINARY of EF0015 (`00 B0 95 00 0E`, card-profile.md §4); the user
 * card reader is another reader (its card need not be present yet).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apdu/buf.h"
#include "apdu/log.h"
#include "apdu/sw.h"
#include "src/context.h"
#include "src/session_sec.h"

#define MAX_READERS 16

static const uint8_t sam_ef0015[] = { 0x00, 0xB0, 0x95, 0x00 };   /* + Le 0E */

int
hc_terminal_sam_cmd(hc_sam_card_t *sc, const hc_apdu_t *a, hc_resp_t *resp, uint16_t *sw)
{
	int rc = hc_transmit_ok(sc->io, a, resp, sw);

	if (rc == HC_ERR_CARD_RESET || rc == HC_ERR_CARD_REMOVED) {
		sc->app = HC_SAM_APP_NONE;     /* the SAM forgot its PIN state and DF */
		sc->pin_verified = 0;
	}
	return rc;
}

/* SELECT MF, then READ BINARY EF0015 (14 bytes: serial 10, type, key version, RFU 2) into
 * info. The MF is selected first: another application may have left a DF current. */
static int
read_sam_public(hc_sam_card_t *sc, hc_resp_t *resp, hc_sam_info_t *info)
{
	static const uint8_t mf[2] = { 0x3F, 0x00 };
	hc_apdu_t sel = { 0x00, 0xA4, 0x00, 0x0C, mf, 2, 0, 0, 0, 0 };
	hc_apdu_t a = { sam_ef0015[0], sam_ef0015[1], sam_ef0015[2], sam_ef0015[3], NULL, 0, 14, 1, 0, 0 };
	uint16_t sw = 0;
	int rc;

	if (sc->app != HC_SAM_APP_MF) {
		if ((rc = hc_terminal_sam_cmd(sc, &sel, resp, &sw)) != HC_OK)
			return rc;
		sc->app = HC_SAM_APP_MF;
	}
	if ((rc = hc_terminal_sam_cmd(sc, &a, resp, &sw)) != HC_OK)
		return rc;
	if (resp->len != 14 || resp->data[10] < 1 || resp->data[10] > 5)
		return HC_ERR_SAM;
	memcpy(info->serial, resp->data, 10);
	info->serial[10] = '\0';
	info->type = resp->data[10];
	info->key_version = resp->data[11];
	return HC_OK;
}

static int
reader_matches(const char *name, const char *pattern)
{
	return pattern != NULL && *pattern != '\0' && strstr(name, pattern) != NULL;
}

/* Connects sc to a reader: the one matching pattern, else the first whose card answers as
 * a SAM (skipping `avoid`). HC_ERR_NO_SAM if none. */
static int
connect_sam(hc_terminal_t *t, hc_sam_card_t *sc, const hc_reader_info_t *rd, size_t n,
            const char *pattern, const char *avoid, hc_resp_t *resp)
{
	size_t i;
	int rc, tried = 0;

	for (i = 0; i < n; i++) {
		if (pattern != NULL && *pattern != '\0' ? !reader_matches(rd[i].name, pattern)
		                                         : (!rd[i].card_present || (avoid != NULL && *avoid != '\0' && reader_matches(rd[i].name, avoid))))
			continue;
		tried++;
		if ((rc = hc_pcsc_connect(t->pcsc, rd[i].name, &sc->io)) != HC_OK) {
			if (pattern != NULL && *pattern != '\0') {
				hc_ctx_set_detail(t->ctx, "SAM reader %s: %s", rd[i].name, hc_strerror(rc));
				return rc == HC_ERR_NO_CARD ? HC_ERR_NO_SAM : rc;
			}
			continue;
		}
		sc->app = HC_SAM_APP_NONE;
		if (read_sam_public(sc, resp, &t->info) == HC_OK) {
			snprintf(sc->reader, sizeof(sc->reader), "%s", rd[i].name);
			return HC_OK;
		}
		hc_transport_free(&sc->io);
		if (pattern != NULL && *pattern != '\0')
			break;
	}
	if (pattern != NULL && *pattern != '\0' && tried == 0)
		hc_ctx_set_detail(t->ctx, "no reader matches \"%s\" (the configured SAM reader)", pattern);
	else
		hc_ctx_set_detail(t->ctx, "no SAM found: put the SAM in a reader or name its reader in hcard.conf (sam_reader)");
	return HC_ERR_NO_SAM;
}

/* The SAM PIN: options, else the PIN file of hcard.conf, else $HCARD_SAM_PIN. 0 if none. */
static size_t
find_pin(hc_terminal_t *t, const char *opt_pin, char *out, size_t cap)
{
	const hc_config_t *cfg = hc_ctx_config(t->ctx);
	const char *v = NULL;
	FILE *f;
	size_t n = 0;

	if (opt_pin != NULL) {
		v = opt_pin;
	} else if (cfg->sam_pin_file[0] != '\0') {
		if ((f = fopen(cfg->sam_pin_file, "re")) == NULL)
			return 0;
		if (fgets(out, (int)cap, f) != NULL)
			n = strcspn(out, "\r\n");
		fclose(f);
		out[n] = '\0';
		return n;
	} else {
#ifdef HAVE_SECURE_GETENV
		v = secure_getenv("HCARD_SAM_PIN");
#endif
	}
	if (v == NULL || (n = strlen(v)) >= cap)
		return 0;
	memcpy(out, v, n + 1);
	return n;
}

static int
verify_pin(hc_terminal_t *t, hc_sam_card_t *sc, const char *pin, size_t len, int *tries_left)
{
	hc_apdu_t a = { 0x00, 0x20, 0x00, 0x00, (const uint8_t *)pin, len, 0, 0, 0, 1 };
	hc_resp_t *resp = NULL;
	uint16_t sw = 0;
	int rc;

	if (tries_left != NULL)
		*tries_left = -1;
	if ((resp = hc_resp_new()) == NULL)
		return HC_ERR_NO_MEMORY;
	rc = hc_terminal_sam_cmd(sc, &a, resp, &sw);
	rc = hc_terminal_sam_pin_result(t, rc, sw, tries_left);
	if (rc == HC_OK)
		sc->pin_verified = 1;
	hc_resp_free(&resp);
	return rc;
}

int
hc_terminal_sam_pin_result(hc_terminal_t *t, int rc, uint16_t sw, int *tries_left)
{
	int left;

	if (rc != HC_ERR_VERIFY_FAILED && rc != HC_ERR_AUTH_BLOCKED && rc != HC_ERR_INCORRECT_DATA)
		return rc;
	left = rc == HC_ERR_VERIFY_FAILED ? hc_sw_tries_left(sw) : 0;
	if (tries_left != NULL)
		*tries_left = left;
	if (rc == HC_ERR_INCORRECT_DATA)
		hc_ctx_set_detail(t->ctx, "the SAM PIN must be 6-8 digits");
	else if (left > 0)
		hc_ctx_set_detail(t->ctx, "SAM PIN wrong: %d tries left before the SAM blocks", left);
	else
		hc_ctx_set_detail(t->ctx, "SAM PIN blocked: the SAM must be unblocked by its issuer");
	return HC_ERR_SAM_PIN;
}

int
hc_terminal_sam_verify_again(hc_terminal_t *t, hc_sam_card_t *sc)
{
	if (sc->pin_verified || t->pin_len == 0)
		return HC_OK;
	return verify_pin(t, sc, t->pin, t->pin_len, NULL);
}

/* SAM applications [PC]: MF, the health application DF01, the PSAM application 1001. */
static const uint8_t sam_app_fid[][2] = {
	[HC_SAM_APP_MF] = { 0x3F, 0x00 }, [HC_SAM_APP_HEALTH] = { 0xDF, 0x01 },
	[HC_SAM_APP_PSAM] = { 0x10, 0x01 },
};

int
hc_terminal_sam_select(hc_terminal_t *t, hc_sam_card_t *sc, hc_sam_app_t app, hc_resp_t *resp)
{
	/* P2 0C: no FCI (under T=0 an FCI would cost a GET RESPONSE) */
	hc_apdu_t a = { 0x00, 0xA4, 0x00, 0x0C, NULL, 2, 0, 0, 0, 0 };
	uint16_t sw = 0;
	int rc;

	if (sc->io == NULL)
		return HC_ERR_NO_SAM;
	if (app <= HC_SAM_APP_NONE || app > HC_SAM_APP_PSAM)
		return HC_ERR_INVALID_ARGUMENT;
	if ((rc = hc_terminal_sam_verify_again(t, sc)) != HC_OK)
		return rc;
	if (sc->app == app)
		return HC_OK;
	/* DF01 and 1001 are siblings under the MF: go through the MF unless it is current */
	if (app != HC_SAM_APP_MF && sc->app != HC_SAM_APP_MF) {
		a.data = sam_app_fid[HC_SAM_APP_MF];
		sc->app = HC_SAM_APP_NONE;
		if ((rc = hc_terminal_sam_cmd(sc, &a, resp, &sw)) != HC_OK)
			return rc;
		sc->app = HC_SAM_APP_MF;
		if (app == HC_SAM_APP_MF)
			return HC_OK;
	}
	a.data = sam_app_fid[app];
	sc->app = HC_SAM_APP_NONE;
	if ((rc = hc_terminal_sam_cmd(sc, &a, resp, &sw)) == HC_OK)
		sc->app = app;
	return rc;
}

int
hc_terminal_open(hc_ctx_t *ctx, const hc_terminal_opts_t *opts, hc_terminal_t **out)
{
	static const hc_terminal_opts_t none = { NULL, NULL, NULL, NULL };
	const hc_config_t *cfg;
	hc_reader_info_t *rd = NULL;
	hc_terminal_t *t = NULL;
	hc_resp_t *resp = NULL;
	const char *card_pat, *sam_pat, *psam_pat;
	size_t n = 0, i;
	int ret = HC_ERR_INVALID_ARGUMENT, tries = -1;

	if (ctx == NULL || out == NULL)
		goto out;
	*out = NULL;
	if (opts == NULL)
		opts = &none;
	cfg = hc_ctx_config(ctx);
	card_pat = opts->card_reader != NULL ? opts->card_reader : cfg->card_reader;
	sam_pat = opts->sam_reader != NULL ? opts->sam_reader : cfg->sam_reader;
	psam_pat = opts->psam_reader != NULL ? opts->psam_reader : cfg->psam_reader;
	ret = HC_ERR_NO_MEMORY;
	if ((t = calloc(1, sizeof(*t))) == NULL || (resp = hc_resp_new()) == NULL
	    || (rd = calloc(MAX_READERS, sizeof(*rd))) == NULL)
		goto out;
	t->ctx = ctx;
	t->psam = &t->sam;
	if ((ret = hc_pcsc_new(&t->pcsc)) != HC_OK) {
		hc_ctx_set_detail(ctx, "%s", ret == HC_ERR_NO_SERVICE ?
		    "pcscd is not running: start it (systemctl start pcscd)" : hc_strerror(ret));
		goto out;
	}
	if ((ret = hc_pcsc_list(t->pcsc, rd, MAX_READERS, &n)) != HC_OK)
		goto out;
	if (n > MAX_READERS)
		n = MAX_READERS;
	if ((ret = connect_sam(t, &t->sam, rd, n, sam_pat, card_pat, resp)) != HC_OK)
		goto out;
	if (psam_pat != NULL && *psam_pat != '\0' && !reader_matches(t->sam.reader, psam_pat)) {
		if ((ret = hc_pcsc_connect(t->pcsc, psam_pat, &t->psam_own.io)) != HC_OK) {
			for (i = 0; i < n && ret != HC_OK; i++)
				if (reader_matches(rd[i].name, psam_pat))
					ret = hc_pcsc_connect(t->pcsc, rd[i].name, &t->psam_own.io);
			if (ret != HC_OK) {
				hc_ctx_set_detail(ctx, "PSAM reader \"%s\": %s", psam_pat, hc_strerror(ret));
				ret = HC_ERR_NO_PSAM;
				goto out;
			}
		}
		t->psam_own.app = HC_SAM_APP_MF;
		t->psam = &t->psam_own;
	}
	/* the user-card reader: configured, else the first reader that is not the SAM's */
	ret = HC_ERR_NO_READER;
	for (i = 0; i < n && t->card_reader[0] == '\0'; i++) {
		if (card_pat != NULL && *card_pat != '\0' ? reader_matches(rd[i].name, card_pat)
		    : (strcmp(rd[i].name, t->sam.reader) != 0 && !reader_matches(rd[i].name, psam_pat)))
			snprintf(t->card_reader, sizeof(t->card_reader), "%s", rd[i].name);
	}
	if (t->card_reader[0] == '\0') {
		hc_ctx_set_detail(ctx, "no user-card reader%s%s", card_pat != NULL && *card_pat ? " matches " : "",
		                  card_pat != NULL ? card_pat : "");
		goto out;
	}
	{
		hc_apdu_t a = { 0x00, 0xB0, 0x96, 0x00, NULL, 0, 6, 1, 0, 0 };
		uint16_t sw = 0;

		if (hc_terminal_sam_cmd(&t->sam, &a, resp, &sw) == HC_OK && resp->len == 6)
			memcpy(t->info.terminal_number, resp->data, 6);
	}
	t->have_info = 1;
	t->pin_len = find_pin(t, opts->sam_pin, t->pin, sizeof(t->pin));
	if (t->pin_len > 0 && (ret = verify_pin(t, &t->sam, t->pin, t->pin_len, &tries)) != HC_OK) {
		hc_wipe(t->pin, sizeof(t->pin));
		t->pin_len = 0;
		goto out;
	}
	/* the SAM waits in its health application, so that a card session need not select it */
	if (t->sam.pin_verified && hc_terminal_sam_select(t, &t->sam, HC_SAM_APP_HEALTH, resp) != HC_OK)
		hc_log_debug("could not select the SAM's health application; sessions will retry");
	hc_log_debug("terminal: card reader \"%s\", SAM \"%s\" (type %d, serial %s)",
	             t->card_reader, t->sam.reader, t->info.type, t->info.serial);
	*out = t;
	t = NULL;
	ret = HC_OK;
out:
	hc_resp_free(&resp);
	free(rd);
	hc_terminal_close(&t);
	return ret;
}

int
hc_terminal_open_io(hc_ctx_t *ctx, hc_transport_t *sam_io, const char *pin, hc_terminal_t **out)
{
	hc_terminal_t *t = NULL;
	hc_resp_t *resp = NULL;
	int ret = HC_ERR_INVALID_ARGUMENT;

	if (ctx == NULL || sam_io == NULL || out == NULL)
		goto out;
	*out = NULL;
	ret = HC_ERR_NO_MEMORY;
	if ((t = calloc(1, sizeof(*t))) == NULL || (resp = hc_resp_new()) == NULL)
		goto out;
	t->ctx = ctx;
	t->psam = &t->sam;
	t->sam.io = sam_io;
	sam_io = NULL;
	snprintf(t->card_reader, sizeof(t->card_reader), "%s", "in-process");
	snprintf(t->sam.reader, sizeof(t->sam.reader), "%s", "in-process");
	if ((ret = read_sam_public(&t->sam, resp, &t->info)) != HC_OK)
		goto out;
	t->have_info = 1;
	if (pin != NULL && (ret = hc_terminal_verify_sam_pin(t, pin, NULL)) != HC_OK)
		goto out;
	if (t->sam.pin_verified && (ret = hc_terminal_sam_select(t, &t->sam, HC_SAM_APP_HEALTH, resp)) != HC_OK)
		goto out;
	*out = t;
	t = NULL;
	ret = HC_OK;
out:
	hc_transport_free(&sam_io);
	hc_resp_free(&resp);
	hc_terminal_close(&t);
	return ret;
}

void
hc_terminal_close(hc_terminal_t **term)
{
	hc_terminal_t *t;

	if (term == NULL || (t = *term) == NULL)
		return;
	hc_transport_free(&t->sam.io);
	hc_transport_free(&t->psam_own.io);
	hc_pcsc_free(&t->pcsc);
	hc_wipe(t, sizeof(*t));
	free(t);
	*term = NULL;
}

int
hc_terminal_sam_info(hc_terminal_t *term, hc_sam_info_t *out)
{
	if (term == NULL || out == NULL || !term->have_info)
		return HC_ERR_INVALID_ARGUMENT;
	*out = term->info;
	return HC_OK;
}

int
hc_terminal_verify_sam_pin(hc_terminal_t *term, const char *pin, int *tries_left)
{
	size_t len;
	int rc;

	if (term == NULL || pin == NULL || (len = strlen(pin)) >= sizeof(term->pin))
		return HC_ERR_INVALID_ARGUMENT;
	term->sam.pin_verified = 0;
	rc = verify_pin(term, &term->sam, pin, len, tries_left);
	hc_wipe(term->pin, sizeof(term->pin));
	term->pin_len = 0;
	if (rc == HC_OK) {
		memcpy(term->pin, pin, len);
		term->pin_len = len;
	}
	return rc;
}

const char *
hc_terminal_card_reader(const hc_terminal_t *term)
{
	return term != NULL ? term->card_reader : "";
}
