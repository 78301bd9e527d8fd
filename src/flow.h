/*
 * Flows (internal): shared helpers of src/flow_*.c and the issuance profile's layout.
 */
#ifndef HC_SRC_FLOW_H
#define HC_SRC_FLOW_H

#include <stddef.h>
#include <stdint.h>
#include "hcard_flows.h"
#include "src/store.h"

/* The issuance profile (doc/flows.md): the health structs as the card takes them. */
struct hc_issue_profile {
	char card_number[19];
	char issue_serial[11];
	hc_issuer_t issuer;
	hc_cardholder_t holder;
	hc_validity_t validity;
	hc_addresses_t addresses;
	hc_contacts_t contacts;
	hc_social_t social;
	hc_documents_t documents;
	int has_df02;                          /* the issuer has clinical data */
	hc_clinical_t clinical;
	hc_allergy_t allergies[HC_ALLERGIES_MAX];
	size_t n_allergies;
	hc_immunisation_t immunisations[HC_IMMUNISATIONS_MAX];
	size_t n_immunisations;
	int household_register;                /* child issued against the 户口本 */
	uint8_t photo[HC_PHOTO_MAX];
	size_t photo_len;
	char photo_path[512];                  /* as given (resolved against the profile's dir) */
	char pin[13];                          /* "" = keep the factory PIN; never archived */
	int64_t opening_balance;               /* fen, 0 = none */
	int ledger;                            /* HC_LEDGER_EP or HC_LEDGER_ED for the balance */
};

/* Timer and APDU counter around a flow. */
typedef struct hc_flow_meter {
	double t0;
	unsigned long card0, sam0;
} hc_flow_meter_t;

void hc_flow_meter_start(hc_flow_meter_t *m, const hc_card_t *card);
void hc_flow_meter_stop(const hc_flow_meter_t *m, const hc_card_t *card, hc_flow_cost_t *cost);

/* Appends a journal entry (kind, card, serial, result, detail) with env->who and the
 * terminal's number; entry_id (may be NULL) gets its id. */
int hc_flow_journal(const hc_flow_env_t *env, hc_card_t *card, hc_journal_kind_t kind,
    const char *card_number, const char *issue_serial, int result, const char *detail,
    char entry_id[37]);

/* Writes "what: reason" into why (may be NULL). */
void hc_flow_why(char *why, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Type of the terminal's SAM (1..5), 0 if unknown. */
int hc_flow_sam_type(hc_card_t *card);

/* APPLICATION BLOCK / UNBLOCK of DF01-DF03 (card-profile.md §6), src/flow_lock.c.
 * *done gets how many applications changed state. */
int hc_flow_lock_apps(hc_card_t *card, int block, int permanent, int *done);

/* Kind of a profile key (section "" = top level, "contact1".."contact3"): 0 unknown,
 * 1 string, 2 integer, 3 boolean (src/flow_profile.c; used by the CSV reader). */
int hc_flow_profile_key_kind(const char *section, const char *key);

/* Archive copy of the clinical data read at registration (written only when it changed), and
 * its use by a replacement (src/flow_archive.c). */
int hc_flow_archive_clinical(hc_store_t *st, const char *card_number, const char *issue_serial,
    const hc_clinical_t *clinical, const hc_allergy_t *allergies, size_t n);
int hc_flow_archive_apply_clinical(hc_store_t *st, const char *card_number,
    const char *issue_serial, hc_issue_profile_t *p);

/* JSON escaping of a UTF-8 string into out (always NUL-terminated). */
void hc_flow_json_str(char *out, size_t cap, const char *s);

#endif
