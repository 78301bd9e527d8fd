/*
 * Issue (发卡, 个人化) with a type 5 SAM (card-profile.md §6), and replacement (补办).
 * The whole profile is validated before the first APDU; then EF05 and EF06 in plain, EF07
 * photo, EF08, DF01, DF02, the cardholder PIN (RELOAD PIN with the issuer key service,
 * purse.md), the opening balance (a load), the PKI key pairs with their certificates from the
 * issuer CA (pki.md; skipped with a note when no CA is configured), ACTIVATE (DDF1 current,
 * UK1 DDF1 right); then the issuer's archive copy (the profile without the PIN, and the
 * photo) goes to the store.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <time.h>
#include <unistd.h>

#include "src/flow.h"
#include "src/codec.h"
#include "src/session.h"
#include "src/session_sec.h"
#include "apdu/buf.h"
#include "apdu/log.h"
#include "apdu/tlv.h"
#include "hcard_pki.h"

enum { ST_VALIDATE, ST_EF05, ST_EF06, ST_PHOTO, ST_EF08, ST_DF01, ST_DF02, ST_PIN,
	ST_BALANCE, ST_PKI, ST_ACTIVATE, ST_ARCHIVE, ST__COUNT };

static const char *const step_names[ST__COUNT] = {
	"validate", "DDF1/EF05 issuer", "DDF1/EF06 cardholder", "DDF1/EF07 photo",
	"DDF1/EF08 validity", "DF01 identity", "DF02 clinical", "PIN", "opening balance",
	"PKI keys", "activate", "archive",
};

const char *
hc_issue_step_name(size_t i)
{
	return i < ST__COUNT ? step_names[i] : NULL;
}

/* The issuer certificate from the issuer's key set (`issuer.cert HEX` line). */
static int
issuer_cert(const char *keyset, uint8_t cert[180])
{
	char line[1024];
	FILE *f;
	int rc = HC_ERR_CONFIG;

	if (keyset == NULL) {
		hc_log_error("no issuer key set: give the issuer's key-set file (issuer_keys)");
		return HC_ERR_CONFIG;
	}
	if ((f = fopen(keyset, "r")) == NULL) {
		hc_log_error("%s: cannot be read", keyset);
		return HC_ERR_CONFIG;
	}
	while (rc != HC_OK && fgets(line, sizeof(line), f) != NULL) {
		char *nl = strpbrk(line, "\r\n");
		if (nl != NULL)
			*nl = '\0';
		if (strncmp(line, "issuer.cert ", 12) == 0 && hc_hex_decode(line + 12, cert, 180) == 180)
			rc = HC_OK;
	}
	fclose(f);
	if (rc != HC_OK)
		hc_log_error("%s: no 180-byte issuer.cert", keyset);
	return rc;
}

/* The issuer CA of each PKI key (pki.md): key 01 by pki_ca_*, key 02 by pki_sm2_ca_* or,
 * when unset, pki_ca_*. Data, not code. */
typedef struct pki_ca_sel {
	int key;
	int sm2_ca;                          /* 1: pki_sm2_ca_* first */
} pki_ca_sel_t;

static const pki_ca_sel_t pki_cas[] = {
	{ HC_PKI_KEY_AUTH, 0 },
	{ HC_PKI_KEY_SIGN, 1 },
};

static void
pki_ca_of(const hc_flow_env_t *env, const pki_ca_sel_t *c, const char **key, const char **cert)
{
	*key = c->sm2_ca ? env->pki_sm2_ca_key : NULL;
	*cert = c->sm2_ca ? env->pki_sm2_ca_cert : NULL;
	if (*key == NULL && *cert == NULL) {
		*key = env->pki_ca_key;
		*cert = env->pki_ca_cert;
	}
}

static int
pki_configured(const hc_flow_env_t *env)
{
	return env->pki_ca_key != NULL || env->pki_ca_cert != NULL || env->pki_sm2_ca_key != NULL ||
	    env->pki_sm2_ca_cert != NULL;
}

/* Before the first APDU: a configured CA names both files of each key, and they can be read
 * (their content is checked when the first certificate is made). */
static int
pki_check_config(const hc_flow_env_t *env, char *why, size_t cap)
{
	const char *key, *cert;
	size_t i;

	if (!pki_configured(env))
		return HC_OK;
	for (i = 0; i < sizeof(pki_cas) / sizeof(pki_cas[0]); i++) {
		pki_ca_of(env, &pki_cas[i], &key, &cert);
		if (key == NULL || cert == NULL) {
			snprintf(why, cap, "issuer CA of PKI key %02X: give both the CA key and the CA "
			    "certificate", pki_cas[i].key);
			return HC_ERR_CONFIG;
		}
		if (access(key, R_OK) != 0 || access(cert, R_OK) != 0) {
			snprintf(why, cap, "issuer CA of PKI key %02X: %s cannot be read", pki_cas[i].key,
			    access(key, R_OK) != 0 ? key : cert);
			return HC_ERR_CONFIG;
		}
	}
	return HC_OK;
}

/* Days from today until the card's expiry date (YYYYMMDD), the certificates' validity;
 * 10 years when the expiry cannot be used. */
static unsigned int
cert_days(const char *expiry)
{
	struct tm tm;
	time_t end, now = time(NULL);
	unsigned int y, m, d;

	memset(&tm, 0, sizeof(tm));
	if (expiry == NULL || strlen(expiry) != 8 || sscanf(expiry, "%4u%2u%2u", &y, &m, &d) != 3 ||
	    y < 1970 || m < 1 || m > 12 || d < 1 || d > 31)
		return 3650;
	tm.tm_year = (int)y - 1900;
	tm.tm_mon = (int)m - 1;
	tm.tm_mday = (int)d;
	tm.tm_hour = 23;
	tm.tm_min = 59;
	if ((end = timegm(&tm)) == (time_t)-1 || end <= now)
		return 3650;
	return (unsigned int)((end - now) / 86400) + 1;
}

/* pki.md "Commands": the issuer right (UK1 DDF1, external authentication in DDF1 in this card
 * session), then for key 01 and 02: GENERATE on the card, the CA's certificate of the public
 * key, UPDATE BINARY of C001 / C002. */
static int
step_pki(hc_card_t *card, const hc_flow_env_t *env, const hc_issue_profile_t *p,
    hc_issue_result_t *out)
{
	uint8_t pub[64], der[HC_PKI_CERT_MAX];
	const char *key, *cert;
	size_t i, len = 0;
	int rc;

	if (!pki_configured(env)) {
		out->step_note[ST_PKI] = "skipped: no issuer CA configured";
		hc_log_info("issuance of %s: PKI keys skipped: no issuer CA configured", p->card_number);
		return HC_OK;
	}
	if ((rc = hc_session_external_auth(card, HC_KEY_UK1_DDF1)) != HC_OK)
		return rc;
	for (i = 0; i < sizeof(pki_cas) / sizeof(pki_cas[0]); i++) {
		pki_ca_of(env, &pki_cas[i], &key, &cert);
		if ((rc = hc_pki_generate_key(card, pki_cas[i].key, pub)) != HC_OK)
			return rc;
		rc = hc_pki_make_certificate(pki_cas[i].key, pub, p->holder.name, p->card_number, key,
		    cert, cert_days(p->validity.expiry), der, sizeof(der), &len);
		if (rc != HC_OK) {
			hc_session_set_detail(card, "certificate of PKI key %02X: %s", pki_cas[i].key,
			    hc_strerror(rc));
			return rc;
		}
		if ((rc = hc_pki_write_certificate(card, pki_cas[i].key, der, len)) != HC_OK)
			return rc;
	}
	return HC_OK;
}

static int
activate(hc_card_t *card)
{
	hc_apdu_t a = { 0x00, 0x44, 0x00, 0x00, NULL, 0, 0, 0, 0, 0 };
	uint16_t sw = 0;
	int rc;

	/* §6: the UK1 DDF1 right, DDF1 (or the MF) current: the last step, nothing selected after */
	if ((rc = hc_session_external_auth(card, HC_KEY_UK1_DDF1)) != HC_OK)
		return rc;
	rc = hc_session_card_cmd(card, &a, hc_session_resp(card), &sw);
	hc_session_invalidate(card);
	return rc;
}

typedef struct issue_ctx {
	hc_card_t *card;
	const hc_flow_env_t *env;
	const hc_issue_profile_t *p;
	hc_issue_result_t *out;
	hc_purse_t *purse;
	hc_purse_issuer_t *keys;
	hc_issuer_t issuer;
} issue_ctx_t;

/*
 * The opening balance is loaded once (issue 12 item 2): a torn load of an earlier run is
 * decided first (journal intent + the card's detail record, hc_purse_load_recover), then the
 * card's transaction log says whether a load of this ledger and amount is already on it
 * (an issuance makes no other load, and a new card has at most this one).
 */
static int
opening_load(issue_ctx_t *x)
{
	hc_purse_log_entry_t log[HC_PURSE_LOG_MAX];
	hc_purse_load_receipt_t r;
	hc_ledger_t ledger = x->p->ledger == HC_LEDGER_ED ? HC_LEDGER_ED : HC_LEDGER_EP;
	size_t n = 0, i;
	int rc;

	if ((rc = hc_purse_load_recover(x->purse, NULL, 0, NULL, NULL)) != HC_OK ||
	    (rc = hc_purse_log(x->purse, log, &n)) != HC_OK)
		return rc;
	for (i = 0; i < n; i++)
		if (log[i].is_load && log[i].ledger == ledger &&
		    log[i].amount == x->p->opening_balance) {
			x->out->step_note[ST_BALANCE] = "already on the card (an earlier run)";
			hc_log_info("issuance of %s: opening balance already loaded (M %u)",
			    x->p->card_number, (unsigned)log[i].seq);
			return HC_OK;
		}
	return hc_purse_load(x->purse, x->keys, ledger, x->p->opening_balance,
	    ledger == HC_LEDGER_ED && x->p->pin[0] ? x->p->pin : NULL, &r);
}

static int
step_purse(issue_ctx_t *x, int step)
{
	int rc = HC_OK;

	if (x->purse == NULL && (rc = hc_purse_open(x->card, x->env->store, &x->purse)) != HC_OK)
		return rc;
	if (x->keys == NULL && (rc = hc_purse_issuer_open(x->env->issuer_keys, &x->keys)) != HC_OK)
		return rc;
	if (step == ST_PIN)
		return hc_purse_reload_pin(x->purse, x->keys, x->p->pin);
	return opening_load(x);
}

/* The life cycle byte of the MF FCI (card-profile.md: `6F { ... A5 { ... 8A 01 <lc> } }`):
 * 03 personalisation, 05 activated; 0 when the FCI has none. Leaves nothing selected for the
 * session. */
static int
life_cycle(hc_card_t *card, uint8_t *lc)
{
	static const uint8_t mf[2] = { 0x3F, 0x00 };
	static const uint32_t path[] = { 0x6F, 0xA5, 0x8A };
	const hc_apdu_t sel = {
		.cla = 0x00, .ins = 0xA4, .p1 = 0x00, .p2 = 0x00, .data = mf, .lc = 2, .le = 256,
		.has_le = 1,
	};
	hc_resp_t *resp = hc_session_resp(card);
	hc_tlv_t t;
	int rc;

	rc = hc_session_card_cmd(card, &sel, resp, NULL);
	hc_session_invalidate(card);
	if (rc != HC_OK)
		return rc;
	/* no life cycle byte: taken as not activated (the card steps run and the card decides) */
	*lc = 0;
	if (hc_ber_find_path(resp->data, resp->len, path, 3, &t) == 0 && t.len == 1)
		*lc = t.value[0];
	else
		hc_log_debug("the MF FCI has no life cycle (tag 8A)");
	return HC_OK;
}

static int
step_archive(issue_ctx_t *x)
{
	char *json = hc_issue_profile_to_json(x->p);
	int rc;

	if (json == NULL)
		return HC_ERR_NO_MEMORY;
	rc = hc_store_archive_put(x->env->store, x->p->card_number, x->p->issue_serial, "profile",
	    (const uint8_t *)json, strlen(json));
	free(json);
	if (rc == HC_OK && x->p->photo_len > 0)
		rc = hc_store_archive_put(x->env->store, x->p->card_number, x->p->issue_serial, "photo",
		    x->p->photo, x->p->photo_len);
	return rc;
}

/* 1 when the card's cyclic file holds the profile's entries, newest first, as an earlier run
 * of this issuance wrote them (the file of a new card is empty); 0 otherwise or unreadable. */
static int
allergies_on_card(hc_card_t *card, const hc_issue_profile_t *p)
{
	hc_allergy_t on[HC_ALLERGIES_MAX];
	size_t n = 0, k;

	if (p->n_allergies == 0 || hc_read_allergies(card, on, &n) != HC_OK || n < p->n_allergies)
		return 0;
	for (k = 0; k < p->n_allergies; k++)
		if (strcmp(on[k].allergen, p->allergies[k].allergen) != 0 ||
		    strcmp(on[k].reaction, p->allergies[k].reaction) != 0)
			return 0;
	return 1;
}

static int
immunisations_on_card(hc_card_t *card, const hc_issue_profile_t *p)
{
	hc_immunisation_t on[HC_IMMUNISATIONS_MAX];
	size_t n = 0, k;

	if (p->n_immunisations == 0 || hc_read_immunisations(card, on, &n) != HC_OK ||
	    n < p->n_immunisations)
		return 0;
	for (k = 0; k < p->n_immunisations; k++)
		if (strcmp(on[k].vaccine, p->immunisations[k].vaccine) != 0 ||
		    strcmp(on[k].date, p->immunisations[k].date) != 0)
			return 0;
	return 1;
}

static int
run_step(issue_ctx_t *x, int step)
{
	const hc_issue_profile_t *p = x->p;
	hc_card_t *card = x->card;
	size_t k;
	int rc = HC_OK;

	switch (step) {
	case ST_EF05:
		return hc_write_issuer(card, &x->issuer);
	case ST_EF06:
		return hc_write_cardholder(card, &p->holder);
	case ST_PHOTO:
		return p->photo_len > 0 ? hc_write_photo(card, p->photo, p->photo_len) : HC_OK;
	case ST_EF08:
		return hc_write_validity(card, &p->validity);
	case ST_DF01:
		if ((rc = hc_write_addresses(card, &p->addresses)) == HC_OK &&
		    (rc = hc_write_contacts(card, &p->contacts)) == HC_OK &&
		    (rc = hc_write_social(card, &p->social)) == HC_OK)
			rc = hc_write_documents(card, &p->documents);
		return rc;
	case ST_DF02:
		if (!p->has_df02)
			return HC_OK;
		rc = hc_write_clinical(card, &p->clinical);
		/* cyclic files: the newest entry becomes record 1, so append oldest first; a re-run
		 * appends none when an earlier run put them all there (issue 12 item 5) */
		if (rc == HC_OK && !allergies_on_card(card, p))
			for (k = p->n_allergies; rc == HC_OK && k > 0; k--)
				rc = hc_append_allergy(card, &p->allergies[k - 1]);
		if (rc == HC_OK && !immunisations_on_card(card, p))
			for (k = p->n_immunisations; rc == HC_OK && k > 0; k--)
				rc = hc_append_immunisation(card, &p->immunisations[k - 1]);
		return rc;
	case ST_PIN:
		return p->pin[0] != '\0' ? step_purse(x, ST_PIN) : HC_OK;
	case ST_BALANCE:
		return p->opening_balance > 0 ? step_purse(x, ST_BALANCE) : HC_OK;
	case ST_PKI:
		return step_pki(card, x->env, p, x->out);
	case ST_ACTIVATE:
		return activate(card);
	case ST_ARCHIVE:
		return step_archive(x);
	default:
		return HC_ERR_INTERNAL;
	}
}

int
hc_flow_issue(hc_card_t *card, const hc_flow_env_t *env, const hc_issue_profile_t *p,
    hc_issue_result_t *out)
{
	issue_ctx_t x;
	hc_flow_meter_t all, m;
	char why[200], detail[300], jwhy[220];
	int rc, step = ST_VALIDATE, first = ST_EF05;
	uint8_t lc = 0;

	if (out == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	memset(out, 0, sizeof(*out));
	if (card == NULL || env == NULL || env->store == NULL || p == NULL)
		return out->result = HC_ERR_INVALID_ARGUMENT;
	memset(&x, 0, sizeof(x));
	x.card = card;
	x.env = env;
	x.p = p;
	x.out = out;
	snprintf(out->card_number, sizeof(out->card_number), "%s", p->card_number);
	snprintf(out->issue_serial, sizeof(out->issue_serial), "%s", p->issue_serial);
	hc_flow_meter_start(&all, card);
	hc_flow_meter_start(&m, card);
	why[0] = '\0';
	/* everything that can be known before the first write */
	if ((rc = hc_issue_profile_validate(p, env->today, why, sizeof(why))) != HC_OK)
		goto out;
	if (hc_flow_sam_type(card) != 5) {
		snprintf(why, sizeof(why), "issuance needs a type 5 SAM (this one is type %d)",
		    hc_flow_sam_type(card));
		rc = HC_ERR_SAM_TYPE;
		goto out;
	}
	/* a card issued with another number is refused; the same number means an issuance that
	 * was interrupted before ACTIVATE: it is written again (after ACTIVATE the card says 6985) */
	if (hc_card_number(card)[0] != '\0' && strcmp(hc_card_number(card), p->card_number) != 0) {
		snprintf(why, sizeof(why), "the card is already issued (card number %s)",
		    hc_card_number(card));
		rc = HC_ERR_NOT_PERMITTED;
		goto out;
	}
	if ((rc = pki_check_config(env, why, sizeof(why))) != HC_OK) {
		hc_session_set_detail(card, "%s", why);
		goto out;
	}
	x.issuer = p->issuer;
	if ((rc = issuer_cert(env->issuer_keys, x.issuer.issuer_certificate)) != HC_OK) {
		snprintf(why, sizeof(why), "issuer key set: no issuer certificate");
		goto out;
	}
	snprintf(x.issuer.card_number, sizeof(x.issuer.card_number), "%s", p->card_number);
	snprintf(x.issuer.issue_serial, sizeof(x.issuer.issue_serial), "%s", p->issue_serial);
	if (x.issuer.issue_date[0] == '\0') {
		if (env->today != NULL)
			snprintf(x.issuer.issue_date, sizeof(x.issuer.issue_date), "%s", env->today);
		else
			hc_codec_today(x.issuer.issue_date);
	}
	/* issue 12 item 5: an issuance torn after ACTIVATE is finished, not refused. ACTIVATE is
	 * the last card step, so an activated card with this profile's number and serial had every
	 * card step done: only the archive (and the journal) remain. */
	if ((rc = life_cycle(card, &lc)) != HC_OK)
		goto out;
	if (lc == 0x05) {
		hc_issuer_t on_card;

		if ((rc = hc_read_issuer(card, &on_card)) != HC_OK)
			goto out;
		if (strcmp(on_card.card_number, p->card_number) != 0 ||
		    strcmp(on_card.issue_serial, p->issue_serial) != 0) {
			snprintf(why, sizeof(why), "the card is already issued and activated (card %s,"
			    " serial %s)", on_card.card_number, on_card.issue_serial);
			rc = HC_ERR_NOT_PERMITTED;
			goto out;
		}
		first = ST_ARCHIVE;
		for (step = ST_EF05; step < ST_ARCHIVE; step++)
			out->step_note[step] = "done before (the card is activated)";
		hc_log_info("issuance of %s: the card is activated already: archive only",
		    p->card_number);
	}
	hc_flow_meter_stop(&m, card, &out->steps[ST_VALIDATE]);
	for (step = ST_EF05; step < ST__COUNT; step++) {
		hc_flow_meter_start(&m, card);
		rc = step < first ? HC_OK : run_step(&x, step);
		hc_flow_meter_stop(&m, card, &out->steps[step]);
		out->n_steps = (size_t)step + 1;
		if (rc != HC_OK) {
			snprintf(why, sizeof(why), "%s", hc_card_error_detail(card));
			break;
		}
	}
out:
	out->n_steps = out->n_steps == 0 ? 1 : out->n_steps;
	if (rc != HC_OK)
		snprintf(out->failed_step, sizeof(out->failed_step), "%s", step_names[step]);
	hc_flow_json_str(jwhy, sizeof(jwhy), why);
	snprintf(detail, sizeof(detail), "{\"step\":\"%s\",\"why\":\"%s\"}",
	    rc == HC_OK ? "done" : step_names[step], rc == HC_OK ? "" : jwhy);
	if (hc_flow_journal(env, card, HC_JOURNAL_ISSUE, p->card_number, p->issue_serial, rc, detail,
	    out->entry_id) != HC_OK && rc == HC_OK)
		rc = HC_ERR_STORE;
	if (rc != HC_OK && why[0] != '\0')
		hc_log_error("issuance of %s failed at %s: %s", p->card_number, step_names[step], why);
	hc_purse_free(&x.purse);
	hc_purse_issuer_free(&x.keys);
	hc_flow_meter_stop(&all, card, &out->cost);
	return out->result = rc;
}

int
hc_flow_replace(hc_card_t *card, const hc_flow_env_t *env, const char *card_number,
    const char *old_serial, const char *new_serial, hc_issue_result_t *out)
{
	hc_issue_profile_t *p = NULL;
	uint8_t *buf = NULL;
	size_t len = HC_ARCHIVE_MAX;
	hc_bl_entry_t bl;
	char why[200];
	int rc;

	if (out == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	memset(out, 0, sizeof(*out));
	if (card == NULL || env == NULL || env->store == NULL || card_number == NULL ||
	    old_serial == NULL || new_serial == NULL || strcmp(old_serial, new_serial) == 0)
		return out->result = HC_ERR_INVALID_ARGUMENT;
	if ((buf = malloc(HC_ARCHIVE_MAX + 1)) == NULL)
		return out->result = HC_ERR_NO_MEMORY;
	/* the issuer's copy of the old card */
	rc = hc_store_archive_get(env->store, card_number, old_serial, "profile", buf, &len);
	if (rc != HC_OK) {
		hc_log_error("no archive copy of card %s/%s: it cannot be replaced here", card_number,
		    old_serial);
		goto out;
	}
	buf[len] = '\0';
	if ((rc = hc_issue_profile_parse((const char *)buf, &p, why, sizeof(why))) != HC_OK)
		goto out;
	if ((rc = hc_issue_profile_set_issue_serial(p, new_serial)) != HC_OK)
		goto out;
	/* DF02 as last read at a registration, if newer than the issued data */
	if ((rc = hc_flow_archive_apply_clinical(env->store, card_number, old_serial, p)) != HC_OK)
		goto out;
	len = sizeof(p->photo);
	if (hc_store_archive_get(env->store, card_number, old_serial, "photo", p->photo, &len) == HC_OK)
		p->photo_len = len;
	p->opening_balance = 0;   /* the balance moves bank-side, not by a load here */
	p->pin[0] = '\0';         /* never archived: the new card keeps the factory PIN */
	if ((rc = hc_flow_issue(card, env, p, out)) != HC_OK)
		goto out;
	memset(&bl, 0, sizeof(bl));
	snprintf(bl.card_number, sizeof(bl.card_number), "%s", card_number);
	snprintf(bl.issue_serial, sizeof(bl.issue_serial), "%s", old_serial);
	snprintf(bl.who, sizeof(bl.who), "%s", env->who != NULL ? env->who : "");
	snprintf(bl.note, sizeof(bl.note), "replaced by %s", new_serial);
	bl.state = HC_BL_REPLACED;
	rc = hc_store_bl_set(env->store, &bl);
	{
		char detail[96];
		snprintf(detail, sizeof(detail), "{\"state\":\"replaced\",\"new_serial\":\"%s\"}",
		    new_serial);
		if (hc_flow_journal(env, card, HC_JOURNAL_LOST, card_number, old_serial, rc, detail,
		    NULL) != HC_OK && rc == HC_OK)
			rc = HC_ERR_STORE;
	}
out:
	hc_issue_profile_free(&p);
	free(buf);
	return out->result = rc;
}
