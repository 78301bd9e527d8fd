/*
 * Report lost / found / revoked (card-profile.md §6 "Lost card", system side): the blacklist
 * entry of (card number, issue serial) with who and when, and a journal entry. No card needed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>

#include "src/flow.h"
#include "apdu/log.h"

void
hc_flow_json_str(char *out, size_t cap, const char *s)
{
	size_t o = 0;

	if (cap == 0)
		return;
	for (; s != NULL && *s != '\0' && o + 7 < cap; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\') {
			out[o++] = '\\';
			out[o++] = (char)ch;
		} else if (ch < 0x20) {
			o += (size_t)snprintf(out + o, cap - o, "\\u%04x", ch);
		} else {
			out[o++] = (char)ch;
		}
	}
	out[o] = '\0';
}

/* The newest issue serial known for a card number: blacklist first, then the journal. */
static int
newest_serial(hc_store_t *st, const char *card_number, char serial[11])
{
	hc_bl_entry_t bl[1];
	hc_journal_entry_t *j = NULL;
	size_t n = 0, k;
	int rc;

	serial[0] = '\0';
	if ((rc = hc_store_bl_list_card(st, card_number, bl, 1, &n)) != HC_OK)
		return rc;
	if (n == 1) {
		snprintf(serial, 11, "%s", bl[0].issue_serial);
		return HC_OK;
	}
	/* the journal: the newest entry of this card that names a serial (issue, register) */
	if ((j = calloc(16, sizeof(*j))) == NULL)
		return HC_ERR_NO_MEMORY;
	rc = hc_store_journal_list(st, card_number, j, 16, &n);
	for (k = 0; rc == HC_OK && k < n && serial[0] == '\0'; k++)
		if (j[k].issue_serial[0] != '\0')
			snprintf(serial, 11, "%s", j[k].issue_serial);
	free(j);
	return rc;
}

int
hc_flow_report(const hc_flow_env_t *env, const char *card_number, const char *issue_serial,
    int state)
{
	hc_bl_entry_t e;
	hc_journal_entry_t j;
	char serial[11], why[128];
	int rc;

	if (env == NULL || env->store == NULL || card_number == NULL ||
	    (state != HC_CARD_LOST && state != HC_CARD_FOUND && state != HC_CARD_REVOKED))
		return HC_ERR_INVALID_ARGUMENT;
	/* the card number is the holder's citizen ID (card-profile.md §4 element 8): checked
	 * before anything is written */
	if (hc_id_number_check(card_number, env->today, why, sizeof(why)) != HC_OK) {
		hc_log_error("card number %.18s: %s", card_number, why);
		return HC_ERR_BAD_ID_NUMBER;
	}
	if (issue_serial == NULL || *issue_serial == '\0') {
		/* a card this store never saw (the patient phones in): the entry of the card number
		 * alone (serial ""), which covers each of its cards (src/store.h) */
		if ((rc = newest_serial(env->store, card_number, serial)) != HC_OK)
			return rc;
	} else if (strlen(issue_serial) > 10 ||
	    strspn(issue_serial, "0123456789") != strlen(issue_serial)) {
		hc_log_error("issue serial %.10s: up to 10 digits", issue_serial);
		return HC_ERR_INVALID_ARGUMENT;
	} else {
		snprintf(serial, sizeof(serial), "%s", issue_serial);
	}
	memset(&e, 0, sizeof(e));
	snprintf(e.card_number, sizeof(e.card_number), "%s", card_number);
	snprintf(e.issue_serial, sizeof(e.issue_serial), "%s", serial);
	snprintf(e.who, sizeof(e.who), "%s", env->who != NULL ? env->who : "");
	e.state = (hc_bl_state_t)state;
	rc = hc_store_bl_set(env->store, &e);

	memset(&j, 0, sizeof(j));
	j.kind = HC_JOURNAL_LOST;
	j.result = rc;
	snprintf(j.card_number, sizeof(j.card_number), "%s", card_number);
	snprintf(j.issue_serial, sizeof(j.issue_serial), "%s", serial);
	snprintf(j.who, sizeof(j.who), "%s", env->who != NULL ? env->who : "");
	snprintf(j.detail, sizeof(j.detail), "{\"state\":\"%s\",\"version\":%" PRId64 "}",
	    hc_bl_state_name((hc_bl_state_t)state), e.version);
	if (hc_store_journal_add(env->store, &j) != HC_OK && rc == HC_OK)
		rc = HC_ERR_STORE;
	return rc;
}

int
hc_flow_card_state(const hc_flow_env_t *env, const char *card_number, const char *issue_serial,
    int *state, char who[33], int64_t *when)
{
	hc_bl_entry_t e;
	int rc;

	if (env == NULL || env->store == NULL || state == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	if ((rc = hc_store_bl_get(env->store, card_number, issue_serial, &e)) != HC_OK)
		return rc;
	*state = (int)e.state;
	if (who != NULL)
		snprintf(who, 33, "%s", e.who);
	if (when != NULL)
		*when = e.at;
	return HC_OK;
}
