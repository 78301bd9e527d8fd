/*
 * Register (挂号): is the card genuine, issued by an accredited issuer, not blacklisted, not
 * expired; then the patient's data for the front desk. Lost cards are refused and, at a
 * terminal whose SAM holds LK (type 4 or 5), blocked on the spot (card-profile.md §6).
 *
 * Order: internal authentication, issuer certificate (EF05 is free to read and cached by the
 * session), blacklist (the store: no APDU), expiry (EF08, RK1 DDF1), cardholder, DF02
 * clinical data and allergies, DF03 visit indexes. The blacklist comes before the expiry so
 * that a lock station (type 4 SAM, no read keys) still refuses and blocks a lost card.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "src/flow.h"
#include "src/cert.h"
#include "src/session.h"
#include "apdu/log.h"

static int
refuse_blacklisted(hc_card_t *card, const hc_bl_entry_t *bl, hc_register_result_t *out)
{
	int type = hc_flow_sam_type(card), done = 0, rc;
	int permanent = bl->state == HC_BL_REPLACED || bl->state == HC_BL_REVOKED;

	out->blacklist_state = (int)bl->state;
	if (type == 4 || type == 5) {
		rc = hc_flow_lock_apps(card, 1, permanent, &done);
		if (rc == HC_OK)
			out->blocked_on_card = done > 0 ? 1 : 2;
		else
			hc_log_error("blacklisted card not blocked: error %d", rc);
	}
	return HC_ERR_BLACKLISTED;
}

static int
read_patient(hc_card_t *card, const hc_flow_env_t *env, hc_patient_t *p)
{
	int n = 0, rc;

	if ((rc = hc_read_validity(card, &p->validity)) != HC_OK)
		return rc;
	if ((rc = hc_validity_check(&p->validity, env->today)) != HC_OK)
		return rc;
	if ((rc = hc_read_cardholder(card, &p->holder)) != HC_OK)
		return rc;
	rc = hc_read_clinical(card, &p->clinical);
	if (rc == HC_OK) {
		p->clinical_read = 1;
		if ((rc = hc_read_allergies(card, p->allergies, &p->n_allergies)) != HC_OK)
			return rc;
	} else if (rc != HC_ERR_SAM_TYPE) {
		return rc;
	}
	memset(p->outpatient_index, 0xFF, sizeof(p->outpatient_index));
	memset(p->inpatient_index, 0xFF, sizeof(p->inpatient_index));
	{
		uint8_t idx[HC_VISIT_MAX_SLOTS];
		if ((rc = hc_visit_read_index(card, HC_VISIT_OUTPATIENT, idx, &n)) == HC_OK)
			memcpy(p->outpatient_index, idx, sizeof(p->outpatient_index));
		if (rc == HC_OK && (rc = hc_visit_read_index(card, HC_VISIT_INPATIENT, idx, &n)) == HC_OK)
			memcpy(p->inpatient_index, idx, sizeof(p->inpatient_index));
		if (rc == HC_ERR_SAM_TYPE)
			rc = HC_OK;   /* a SAM without RK1 DF03: no visit index, still registered */
	}
	return rc;
}

int
hc_flow_register(hc_card_t *card, const hc_flow_env_t *env, hc_register_result_t *out)
{
	hc_flow_meter_t m;
	hc_bl_entry_t bl;
	hc_patient_t *p;
	char detail[256], name[96];
	int rc;

	if (out == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	memset(out, 0, sizeof(*out));
	if (card == NULL || env == NULL || env->store == NULL)
		return out->result = HC_ERR_INVALID_ARGUMENT;
	p = &out->patient;
	hc_flow_meter_start(&m, card);
	if ((rc = hc_card_authenticate(card)) != HC_OK)
		goto out;
	if ((rc = hc_read_issuer(card, &p->issuer)) != HC_OK)
		goto out;
	if (p->issuer.card_number[0] == '\0') {
		rc = HC_ERR_NOT_ACTIVATED;      /* a blank card: nothing issued yet */
		goto out;
	}
	if (env->trust == NULL) {
		hc_log_error("no trust anchor: set trust_anchor in hcard.conf");
		rc = HC_ERR_CONFIG;
		goto out;
	}
	if ((rc = hc_cert_issuer_verify(p->issuer.issuer_certificate,
	    sizeof(p->issuer.issuer_certificate), env->trust, env->today, NULL)) != HC_OK)
		goto out;
	if ((rc = hc_store_bl_get(env->store, p->issuer.card_number, p->issuer.issue_serial, &bl))
	    != HC_OK)
		goto out;
	if (hc_bl_refused(bl.state)) {
		rc = refuse_blacklisted(card, &bl, out);
		goto out;
	}
	rc = read_patient(card, env, p);
	/* the issuer's copy follows what hospitals wrote since issuance (for a replacement) */
	if (rc == HC_OK && p->clinical_read &&
	    hc_flow_archive_clinical(env->store, p->issuer.card_number, p->issuer.issue_serial,
	    &p->clinical, p->allergies, p->n_allergies) != HC_OK)
		hc_log_error("archive copy of the clinical data not updated");
out:
	hc_flow_json_str(name, sizeof(name), rc == HC_OK ? p->holder.name : "");
	if (rc == HC_OK)
		snprintf(detail, sizeof(detail), "{\"name\":\"%s\"}", name);
	else
		snprintf(detail, sizeof(detail), "{\"refused\":\"%s\",\"blacklist\":\"%s\","
		    "\"blocked_on_card\":%d}", hc_errname(rc),
		    hc_bl_state_name((hc_bl_state_t)out->blacklist_state), out->blocked_on_card);
	if (hc_flow_journal(env, card, rc == HC_OK ? HC_JOURNAL_REGISTER : HC_JOURNAL_REFUSED,
	    p->issuer.card_number, p->issuer.issue_serial, rc, detail, out->entry_id) != HC_OK &&
	    rc == HC_OK)
		rc = HC_ERR_STORE;
	hc_flow_meter_stop(&m, card, &out->cost);
	if (rc != HC_OK)
		memset(&p->holder, 0, sizeof(p->holder));
	return out->result = rc;
}
