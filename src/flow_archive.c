/*
 * The issuer's archive copy of a holder's clinical data (DF02: basics and allergies), kept
 * up to date by registration, so that a replacement card carries what hospitals wrote after
 * issuance, not only what was issued.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/flow.h"
#include "apdu/log.h"

#define ARCHIVE_CLINICAL "clinical"

int
hc_flow_archive_clinical(hc_store_t *st, const char *card_number, const char *issue_serial,
    const hc_clinical_t *clinical, const hc_allergy_t *allergies, size_t n)
{
	hc_issue_profile_t *p = NULL;
	uint8_t *old = NULL;
	size_t old_len = HC_ARCHIVE_MAX;
	char *json = NULL;
	int rc;

	if (n > HC_ALLERGIES_MAX)
		return HC_ERR_INVALID_ARGUMENT;
	/* the clinical part as a (partial) profile: the same JSON as the issuance profile */
	if ((rc = hc_issue_profile_parse("{}", &p, NULL, 0)) != HC_OK)
		return rc;
	p->has_df02 = 1;
	p->clinical = *clinical;
	memcpy(p->allergies, allergies, n * sizeof(*allergies));
	p->n_allergies = n;
	if ((json = hc_issue_profile_to_json(p)) == NULL) {
		rc = HC_ERR_NO_MEMORY;
		goto out;
	}
	if ((old = malloc(HC_ARCHIVE_MAX)) == NULL) {
		rc = HC_ERR_NO_MEMORY;
		goto out;
	}
	/* unchanged: no write (a registration costs no fsync for nothing) */
	if (hc_store_archive_get(st, card_number, issue_serial, ARCHIVE_CLINICAL, old, &old_len) ==
	    HC_OK && old_len == strlen(json) && memcmp(old, json, old_len) == 0)
		goto out;
	rc = hc_store_archive_put(st, card_number, issue_serial, ARCHIVE_CLINICAL,
	    (const uint8_t *)json, strlen(json));
out:
	free(old);
	free(json);
	hc_issue_profile_free(&p);
	return rc;
}

int
hc_flow_archive_apply_clinical(hc_store_t *st, const char *card_number, const char *issue_serial,
    hc_issue_profile_t *p)
{
	hc_issue_profile_t *c = NULL;
	uint8_t *buf = NULL;
	size_t len = HC_ARCHIVE_MAX;
	int rc;

	if ((buf = malloc(HC_ARCHIVE_MAX + 1)) == NULL)
		return HC_ERR_NO_MEMORY;
	rc = hc_store_archive_get(st, card_number, issue_serial, ARCHIVE_CLINICAL, buf, &len);
	if (rc != HC_OK) {
		rc = HC_OK;          /* never registered since issuance: the profile's data stand */
		goto out;
	}
	buf[len] = '\0';
	if ((rc = hc_issue_profile_parse((const char *)buf, &c, NULL, 0)) != HC_OK)
		goto out;
	p->has_df02 = 1;
	p->clinical = c->clinical;
	memcpy(p->allergies, c->allergies, sizeof(p->allergies));
	p->n_allergies = c->n_allergies;
out:
	hc_issue_profile_free(&c);
	free(buf);
	return rc;
}

int
hc_flow_read_profile(hc_card_t *card, int all, hc_issue_profile_t **out)
{
	hc_issue_profile_t *p = NULL;
	int rc;

	if (card == NULL || out == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	*out = NULL;
	if ((rc = hc_issue_profile_parse("{}", &p, NULL, 0)) != HC_OK)
		return rc;
	if ((rc = hc_read_issuer(card, &p->issuer)) != HC_OK ||
	    (rc = hc_read_cardholder(card, &p->holder)) != HC_OK ||
	    (rc = hc_read_validity(card, &p->validity)) != HC_OK)
		goto out;
	snprintf(p->card_number, sizeof(p->card_number), "%.18s", p->issuer.card_number);
	snprintf(p->issue_serial, sizeof(p->issue_serial), "%.10s", p->issuer.issue_serial);
	if (all) {
		if ((rc = hc_read_addresses(card, &p->addresses)) != HC_OK ||
		    (rc = hc_read_contacts(card, &p->contacts)) != HC_OK ||
		    (rc = hc_read_social(card, &p->social)) != HC_OK ||
		    (rc = hc_read_documents(card, &p->documents)) != HC_OK ||
		    (rc = hc_read_clinical(card, &p->clinical)) != HC_OK ||
		    (rc = hc_read_allergies(card, p->allergies, &p->n_allergies)) != HC_OK ||
		    (rc = hc_read_immunisations(card, p->immunisations, &p->n_immunisations)) != HC_OK)
			goto out;
		p->has_df02 = 1;
	}
	*out = p;
	p = NULL;
out:
	hc_issue_profile_free(&p);
	return rc;
}
