/*
 * Issuance profiles (doc/flows.md): JSON (UTF-8) -> the health structs, and their complete
 * validation before a card is touched. The fields are a table: JSON section and key -> card
 * file and tag (whose length, type and code table come from the card profile, src/profile.h)
 * -> the struct member.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <jansson.h>

#include "src/flow.h"
#include "src/codec.h"
#include "src/profile.h"
#include "apdu/buf.h"
#include "apdu/log.h"

#define P_OFF(m) offsetof(struct hc_issue_profile, m)
#define P_SZ(m) sizeof(((struct hc_issue_profile *)0)->m)

typedef struct pfield {
	const char *section;      /* JSON object ("" = top level) */
	const char *key;
	hc_file_id_t file;
	uint8_t tag;
	size_t off, size;         /* member of struct hc_issue_profile */
	uint8_t required;
} pfield_t;

#define F(sec, key, file, tag, member, req) \
	{ sec, key, file, tag, P_OFF(member), P_SZ(member), req }

static const pfield_t fields[] = {
	F("", "card_number", HC_FILE_DDF1_EF05, 0x08, card_number, 0),
	F("", "issue_serial", HC_FILE_DDF1_EF05, 0x10, issue_serial, 1),
	F("issuer", "card_type", HC_FILE_DDF1_EF05, 0x01, issuer.card_type, 0),
	F("issuer", "spec_version", HC_FILE_DDF1_EF05, 0x02, issuer.spec_version, 0),
	F("issuer", "name", HC_FILE_DDF1_EF05, 0x03, issuer.issuer_name, 1),
	F("issuer", "code", HC_FILE_DDF1_EF05, 0x04, issuer.issuer_code, 1),
	F("issuer", "issue_date", HC_FILE_DDF1_EF05, 0x06, issuer.issue_date, 0),
	F("issuer", "security_code", HC_FILE_DDF1_EF05, 0x09, issuer.security_code, 0),
	F("holder", "name", HC_FILE_DDF1_EF06, 0x11, holder.name, 1),
	F("holder", "sex", HC_FILE_DDF1_EF06, 0x12, holder.sex, 1),
	F("holder", "ethnicity", HC_FILE_DDF1_EF06, 0x13, holder.ethnicity, 0),
	F("holder", "birth_date", HC_FILE_DDF1_EF06, 0x14, holder.birth_date, 1),
	F("holder", "id_number", HC_FILE_DDF1_EF06, 0x15, holder.id_number, 1),
	F("validity", "expiry", HC_FILE_DDF1_EF08, 0x07, validity.expiry, 1),
	F("validity", "phone1", HC_FILE_DDF1_EF08, 0x16, validity.phone1, 0),
	F("validity", "phone2", HC_FILE_DDF1_EF08, 0x17, validity.phone2, 0),
	F("validity", "payment1", HC_FILE_DDF1_EF08, 0x18, validity.payment[0], 0),
	F("validity", "payment2", HC_FILE_DDF1_EF08, 0x19, validity.payment[1], 0),
	F("validity", "payment3", HC_FILE_DDF1_EF08, 0x20, validity.payment[2], 0),
	F("addresses", "type1", HC_FILE_DF01_EF05, 0x21, addresses.type1, 0),
	F("addresses", "address1", HC_FILE_DF01_EF05, 0x22, addresses.address1, 0),
	F("addresses", "type2", HC_FILE_DF01_EF05, 0x23, addresses.type2, 0),
	F("addresses", "address2", HC_FILE_DF01_EF05, 0x24, addresses.address2, 0),
	F("contact1", "name", HC_FILE_DF01_EF06, 0x25, contacts.contact[0].name, 0),
	F("contact1", "relation", HC_FILE_DF01_EF06, 0x26, contacts.contact[0].relation, 0),
	F("contact1", "phone", HC_FILE_DF01_EF06, 0x27, contacts.contact[0].phone, 0),
	F("contact2", "name", HC_FILE_DF01_EF06, 0x28, contacts.contact[1].name, 0),
	F("contact2", "relation", HC_FILE_DF01_EF06, 0x29, contacts.contact[1].relation, 0),
	F("contact2", "phone", HC_FILE_DF01_EF06, 0x30, contacts.contact[1].phone, 0),
	F("contact3", "name", HC_FILE_DF01_EF06, 0x31, contacts.contact[2].name, 0),
	F("contact3", "relation", HC_FILE_DF01_EF06, 0x32, contacts.contact[2].relation, 0),
	F("contact3", "phone", HC_FILE_DF01_EF06, 0x33, contacts.contact[2].phone, 0),
	F("social", "education", HC_FILE_DF01_EF07, 0x34, social.education, 0),
	F("social", "marital_status", HC_FILE_DF01_EF07, 0x35, social.marital_status, 0),
	F("social", "occupation", HC_FILE_DF01_EF07, 0x36, social.occupation, 0),
	F("documents", "document_type", HC_FILE_DF01_EF08, 0x37, documents.document_type, 0),
	F("documents", "document_number", HC_FILE_DF01_EF08, 0x38, documents.document_number, 0),
	F("documents", "health_record_number", HC_FILE_DF01_EF08, 0x39,
	    documents.health_record_number, 0),
	F("documents", "rural_scheme_number", HC_FILE_DF01_EF08, 0x40,
	    documents.rural_scheme_number, 0),
	F("clinical", "abo", HC_FILE_DF02_EF05, 0x41, clinical.abo, 0),
	F("clinical", "rh", HC_FILE_DF02_EF05, 0x42, clinical.rh, 0),
	F("clinical", "asthma", HC_FILE_DF02_EF05, 0x43, clinical.asthma, 0),
	F("clinical", "heart_disease", HC_FILE_DF02_EF05, 0x44, clinical.heart_disease, 0),
	F("clinical", "cardiovascular", HC_FILE_DF02_EF05, 0x45, clinical.cardiovascular, 0),
	F("clinical", "epilepsy", HC_FILE_DF02_EF05, 0x46, clinical.epilepsy, 0),
	F("clinical", "coagulation", HC_FILE_DF02_EF05, 0x47, clinical.coagulation, 0),
	F("clinical", "diabetes", HC_FILE_DF02_EF05, 0x48, clinical.diabetes, 0),
	F("clinical", "glaucoma", HC_FILE_DF02_EF05, 0x49, clinical.glaucoma, 0),
	F("clinical", "dialysis", HC_FILE_DF02_EF05, 0x50, clinical.dialysis, 0),
	F("clinical", "organ_transplant", HC_FILE_DF02_EF05, 0x51, clinical.organ_transplant, 0),
	F("clinical", "missing_organ", HC_FILE_DF02_EF05, 0x52, clinical.missing_organ, 0),
	F("clinical", "removable_prosthesis", HC_FILE_DF02_EF05, 0x53,
	    clinical.removable_prosthesis, 0),
	F("clinical", "pacemaker", HC_FILE_DF02_EF05, 0x54, clinical.pacemaker, 0),
	F("clinical", "other_alert", HC_FILE_DF02_EF05, 0x55, clinical.other_alert, 0),
};
#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

static const hc_element_def_t *element_of(hc_file_id_t file, uint8_t tag);
static int is_int_format(const hc_element_def_t *e);

/* Untagged parts of the cyclic entries (element index in the file's table). */
typedef struct pentry_field {
	const char *key;
	size_t element;
	size_t off, size;         /* member of the entry struct */
} pentry_field_t;

static const pentry_field_t allergy_fields[] = {
	{ "allergen", 0, offsetof(hc_allergy_t, allergen), sizeof(((hc_allergy_t *)0)->allergen) },
	{ "reaction", 1, offsetof(hc_allergy_t, reaction), sizeof(((hc_allergy_t *)0)->reaction) },
};
static const pentry_field_t immunisation_fields[] = {
	{ "vaccine", 0, offsetof(hc_immunisation_t, vaccine),
	  sizeof(((hc_immunisation_t *)0)->vaccine) },
	{ "date", 1, offsetof(hc_immunisation_t, date), sizeof(((hc_immunisation_t *)0)->date) },
};

int
hc_flow_profile_key_kind(const char *section, const char *key)
{
	size_t k;

	if (*section == '\0' && (strcmp(key, "opening_balance") == 0))
		return 2;
	if (*section == '\0' && strcmp(key, "household_register") == 0)
		return 3;
	if (*section == '\0' && (strcmp(key, "pin") == 0 || strcmp(key, "ledger") == 0 ||
	    strcmp(key, "photo") == 0))
		return 1;
	for (k = 0; k < N_FIELDS; k++)
		if (strcmp(fields[k].section, section) == 0 && strcmp(fields[k].key, key) == 0) {
			const hc_element_def_t *e = element_of(fields[k].file, fields[k].tag);
			return e != NULL && is_int_format(e) ? 2 : 1;
		}
	return 0;
}

void
hc_flow_why(char *why, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || cap == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, cap, fmt, ap);
	va_end(ap);
}

static const hc_element_def_t *
element_of(hc_file_id_t file, uint8_t tag)
{
	const hc_file_def_t *f = hc_profile_file(file);
	return f != NULL ? hc_profile_element(f, tag) : NULL;
}

static int
is_int_format(const hc_element_def_t *e)
{
	return e->format == HC_FMT_CODE || e->format == HC_FMT_BYTE;
}

static void
profile_defaults(hc_issue_profile_t *p)
{
	size_t k;

	memset(p, 0, sizeof(*p));
	for (k = 0; k < N_FIELDS; k++) {
		const hc_element_def_t *e = element_of(fields[k].file, fields[k].tag);
		if (e != NULL && e->format == HC_FMT_CODE)
			*(int *)(void *)((uint8_t *)p + fields[k].off) = -1;
	}
	snprintf(p->issuer.card_type, sizeof(p->issuer.card_type), "1");
	snprintf(p->issuer.spec_version, sizeof(p->issuer.spec_version), "1.10");
	p->ledger = HC_LEDGER_EP;
}

/* Stores a JSON value into a member per the element's format. */
static int
set_member(void *member, size_t size, const hc_element_def_t *e, json_t *v, const char *name,
    char *why, size_t cap)
{
	if (is_int_format(e)) {
		if (json_is_null(v) && e->format == HC_FMT_CODE) {
			*(int *)member = -1;
			return HC_OK;
		}
		if (!json_is_integer(v) || json_integer_value(v) < -1 || json_integer_value(v) > 999) {
			hc_flow_why(why, cap, "%s: expected a code (integer)", name);
			return HC_ERR_PROFILE;
		}
		*(int *)member = (int)json_integer_value(v);
		return HC_OK;
	}
	if (!json_is_string(v)) {
		hc_flow_why(why, cap, "%s: expected a string", name);
		return HC_ERR_PROFILE;
	}
	if (json_string_length(v) >= size) {
		hc_flow_why(why, cap, "%s: too long (%zu bytes of UTF-8)", name, json_string_length(v));
		return HC_ERR_TEXT_TOO_LONG;
	}
	memcpy(member, json_string_value(v), json_string_length(v) + 1);
	return HC_OK;
}

static int
parse_section(hc_issue_profile_t *p, const char *section, json_t *obj, char *why, size_t cap)
{
	const char *key;
	json_t *v;
	size_t k;
	int rc;

	if (!json_is_object(obj)) {
		hc_flow_why(why, cap, "%s: expected an object", section);
		return HC_ERR_PROFILE;
	}
	json_object_foreach(obj, key, v) {
		const pfield_t *f = NULL;
		const hc_element_def_t *e;
		char name[64];

		for (k = 0; k < N_FIELDS && f == NULL; k++)
			if (strcmp(fields[k].section, section) == 0 && strcmp(fields[k].key, key) == 0)
				f = &fields[k];
		snprintf(name, sizeof(name), "%s%s%s", section, *section ? "." : "", key);
		if (f == NULL) {
			hc_flow_why(why, cap, "%s: unknown field", name);
			return HC_ERR_PROFILE;
		}
		if ((e = element_of(f->file, f->tag)) == NULL)
			return HC_ERR_INTERNAL;
		if ((rc = set_member((uint8_t *)p + f->off, f->size, e, v, name, why, cap)) != HC_OK)
			return rc;
		if (strcmp(section, "clinical") == 0)
			p->has_df02 = 1;
	}
	return HC_OK;
}

static int
parse_entries(void *base, size_t stride, size_t max, size_t *n, const pentry_field_t *pf,
    size_t npf, json_t *arr, const char *what, char *why, size_t cap)
{
	size_t i, k;
	json_t *item;

	if (!json_is_array(arr)) {
		hc_flow_why(why, cap, "%s: expected an array", what);
		return HC_ERR_PROFILE;
	}
	if (json_array_size(arr) > max) {
		hc_flow_why(why, cap, "%s: at most %zu entries", what, max);
		return HC_ERR_PROFILE;
	}
	json_array_foreach(arr, i, item) {
		const char *key;
		json_t *v;

		if (!json_is_object(item)) {
			hc_flow_why(why, cap, "%s[%zu]: expected an object", what, i);
			return HC_ERR_PROFILE;
		}
		json_object_foreach(item, key, v) {
			const pentry_field_t *f = NULL;
			for (k = 0; k < npf && f == NULL; k++)
				if (strcmp(pf[k].key, key) == 0)
					f = &pf[k];
			if (f == NULL || !json_is_string(v)) {
				hc_flow_why(why, cap, "%s[%zu].%s: %s", what, i, key,
				    f == NULL ? "unknown field" : "expected a string");
				return HC_ERR_PROFILE;
			}
			if (json_string_length(v) >= f->size) {
				hc_flow_why(why, cap, "%s[%zu].%s: too long", what, i, key);
				return HC_ERR_TEXT_TOO_LONG;
			}
			memcpy((uint8_t *)base + i * stride + f->off, json_string_value(v),
			    json_string_length(v) + 1);
		}
	}
	*n = json_array_size(arr);
	return HC_OK;
}

static int
read_file(const char *path, uint8_t *buf, size_t cap, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t n;
	int rc = HC_ERR_IO;

	if (f == NULL)
		return HC_ERR_IO;
	n = fread(buf, 1, cap, f);
	if (ferror(f) == 0) {
		*len = n;
		rc = fgetc(f) == EOF ? HC_OK : HC_ERR_PHOTO;   /* larger than cap */
	}
	fclose(f);
	return rc;
}

static int
parse_top(hc_issue_profile_t *p, json_t *root, const char *base_dir, char *why, size_t cap)
{
	const char *key;
	json_t *v;
	int rc = HC_OK;

	json_object_foreach(root, key, v) {
		if (strcmp(key, "card_number") == 0 || strcmp(key, "issue_serial") == 0) {
			const pfield_t *f = &fields[strcmp(key, "card_number") == 0 ? 0 : 1];
			rc = set_member((uint8_t *)p + f->off, f->size, element_of(f->file, f->tag), v, key,
			    why, cap);
		} else if (strcmp(key, "contacts") == 0) {
			size_t n = 0, i;
			json_t *item;
			if (!json_is_array(v) || json_array_size(v) > 3) {
				hc_flow_why(why, cap, "contacts: expected an array of at most 3");
				return HC_ERR_PROFILE;
			}
			json_array_foreach(v, i, item) {
				char sec[32];
				snprintf(sec, sizeof(sec), "contact%zu", i + 1);
				if ((rc = parse_section(p, sec, item, why, cap)) != HC_OK)
					return rc;
				n++;
			}
		} else if (strcmp(key, "allergies") == 0) {
			rc = parse_entries(p->allergies, sizeof(hc_allergy_t), HC_ALLERGIES_MAX,
			    &p->n_allergies, allergy_fields, 2, v, key, why, cap);
			p->has_df02 = 1;
		} else if (strcmp(key, "immunisations") == 0) {
			rc = parse_entries(p->immunisations, sizeof(hc_immunisation_t),
			    HC_IMMUNISATIONS_MAX, &p->n_immunisations, immunisation_fields, 2, v, key,
			    why, cap);
			p->has_df02 = 1;
		} else if (strcmp(key, "household_register") == 0) {
			if (!json_is_boolean(v)) {
				hc_flow_why(why, cap, "household_register: expected true or false");
				return HC_ERR_PROFILE;
			}
			p->household_register = json_is_true(v);
		} else if (strcmp(key, "pin") == 0) {
			if (!json_is_string(v) || json_string_length(v) >= sizeof(p->pin)) {
				hc_flow_why(why, cap, "pin: expected a string of 4-12 digits");
				return HC_ERR_PIN_FORMAT;
			}
			memcpy(p->pin, json_string_value(v), json_string_length(v) + 1);
		} else if (strcmp(key, "opening_balance") == 0) {
			if (!json_is_integer(v)) {
				hc_flow_why(why, cap, "opening_balance: expected an integer number of fen");
				return HC_ERR_AMOUNT;
			}
			p->opening_balance = (int64_t)json_integer_value(v);
		} else if (strcmp(key, "ledger") == 0) {
			const char *s = json_is_string(v) ? json_string_value(v) : "";
			if (strcmp(s, "EP") != 0 && strcmp(s, "ED") != 0) {
				hc_flow_why(why, cap, "ledger: \"EP\" or \"ED\"");
				return HC_ERR_PROFILE;
			}
			p->ledger = s[1] == 'P' ? HC_LEDGER_EP : HC_LEDGER_ED;
		} else if (strcmp(key, "photo") == 0) {
			int n;
			if (!json_is_string(v)) {
				hc_flow_why(why, cap, "photo: expected a file name");
				return HC_ERR_PROFILE;
			}
			n = json_string_value(v)[0] == '/' || base_dir == NULL ?
			    snprintf(p->photo_path, sizeof(p->photo_path), "%s", json_string_value(v)) :
			    snprintf(p->photo_path, sizeof(p->photo_path), "%s/%s", base_dir,
			    json_string_value(v));
			if (n < 0 || (size_t)n >= sizeof(p->photo_path)) {
				hc_flow_why(why, cap, "photo: path too long");
				return HC_ERR_PROFILE;
			}
			rc = read_file(p->photo_path, p->photo, sizeof(p->photo), &p->photo_len);
			if (rc != HC_OK) {
				hc_flow_why(why, cap, "photo: %s %s", p->photo_path,
				    rc == HC_ERR_IO ? "cannot be read" : "is larger than 3072 bytes");
				return rc;
			}
		} else if (json_is_object(v) && strcmp(key, "issuer") != 0 && strcmp(key, "holder") != 0 &&
		    strcmp(key, "validity") != 0 && strcmp(key, "addresses") != 0 &&
		    strcmp(key, "social") != 0 && strcmp(key, "documents") != 0 &&
		    strcmp(key, "clinical") != 0) {
			hc_flow_why(why, cap, "%s: unknown section", key);
			return HC_ERR_PROFILE;
		} else if (json_is_object(v)) {
			rc = parse_section(p, key, v, why, cap);
		} else {
			hc_flow_why(why, cap, "%s: unknown field", key);
			return HC_ERR_PROFILE;
		}
		if (rc != HC_OK)
			return rc;
	}
	return HC_OK;
}

static int
profile_parse(const char *json, const char *base_dir, hc_issue_profile_t **out, char *why,
    size_t cap)
{
	hc_issue_profile_t *p = NULL;
	json_error_t err;
	json_t *root = NULL;
	int rc = HC_ERR_INVALID_ARGUMENT;

	if (json == NULL || out == NULL)
		goto out;
	*out = NULL;
	hc_flow_why(why, cap, "ok");
	root = json_loads(json, JSON_REJECT_DUPLICATES, &err);
	if (root == NULL || !json_is_object(root)) {
		hc_flow_why(why, cap, "not a JSON object (line %d: %s)", err.line,
		    root == NULL ? err.text : "top level");
		rc = HC_ERR_PROFILE;
		goto out;
	}
	if ((p = malloc(sizeof(*p))) == NULL) {
		rc = HC_ERR_NO_MEMORY;
		goto out;
	}
	profile_defaults(p);
	if ((rc = parse_top(p, root, base_dir, why, cap)) != HC_OK)
		goto out;
	if (p->card_number[0] == '\0')
		memcpy(p->card_number, p->holder.id_number,
		    strlen(p->holder.id_number) < sizeof(p->card_number) ?
		    strlen(p->holder.id_number) + 1 : 0);
	*out = p;
	p = NULL;
out:
	hc_issue_profile_free(&p);
	json_decref(root);
	return rc;
}

int
hc_issue_profile_parse(const char *json, hc_issue_profile_t **out, char *why, size_t why_cap)
{
	return profile_parse(json, NULL, out, why, why_cap);
}

int
hc_issue_profile_load(const char *path, hc_issue_profile_t **out, char *why, size_t why_cap)
{
	char *text = NULL, dir[512];
	const char *slash;
	FILE *f = NULL;
	long size;
	int rc = HC_ERR_IO;

	if (path == NULL || out == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	*out = NULL;
	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (size = ftell(f)) < 0 || size > 1024 * 1024 || fseek(f, 0, SEEK_SET) != 0) {
		hc_flow_why(why, why_cap, "%s: cannot be read", path);
		goto out;
	}
	if ((text = malloc((size_t)size + 1)) == NULL) {
		rc = HC_ERR_NO_MEMORY;
		goto out;
	}
	if (fread(text, 1, (size_t)size, f) != (size_t)size) {
		hc_flow_why(why, why_cap, "%s: cannot be read", path);
		goto out;
	}
	text[size] = '\0';
	slash = strrchr(path, '/');
	snprintf(dir, sizeof(dir), "%.*s", slash != NULL ? (int)(slash - path) : 1,
	    slash != NULL ? path : ".");
	rc = profile_parse(text, dir, out, why, why_cap);
out:
	if (f != NULL)
		fclose(f);
	free(text);
	return rc;
}

void
hc_issue_profile_free(hc_issue_profile_t **p)
{
	if (p == NULL || *p == NULL)
		return;
	hc_wipe(*p, sizeof(**p));   /* the PIN */
	free(*p);
	*p = NULL;
}

const char *
hc_issue_profile_card_number(const hc_issue_profile_t *p)
{
	return p != NULL ? p->card_number : "";
}

const char *
hc_issue_profile_issue_serial(const hc_issue_profile_t *p)
{
	return p != NULL ? p->issue_serial : "";
}

int
hc_issue_profile_set_issue_serial(hc_issue_profile_t *p, const char *serial)
{
	if (p == NULL || serial == NULL || *serial == '\0' || strlen(serial) >= sizeof(p->issue_serial))
		return HC_ERR_INVALID_ARGUMENT;
	memcpy(p->issue_serial, serial, strlen(serial) + 1);
	return HC_OK;
}

/* ---- validation ---- */

static int
check_value(const hc_element_def_t *e, const void *member, int required, const char *name,
    char *why, size_t cap)
{
	uint8_t buf[128];
	size_t needed = 0;
	uint32_t bad = 0;
	int rc;

	if (is_int_format(e)) {
		int v = *(const int *)member;
		if (required && v <= 0) {
			hc_flow_why(why, cap, "%s: required", name);
			return HC_ERR_BAD_VALUE;
		}
		if ((e->format == HC_FMT_BYTE && (v < 0 || v > 255)) || !hc_profile_code_valid(e, v)) {
			hc_flow_why(why, cap, "%s: %d is not a valid code%s%s", name, v,
			    e->codes != NULL ? " of " : "", e->codes != NULL ? e->codes->standard : "");
			return HC_ERR_BAD_VALUE;
		}
		return HC_OK;
	}
	if (*(const char *)member == '\0') {
		if (required) {
			hc_flow_why(why, cap, "%s: required", name);
			return HC_ERR_BAD_VALUE;
		}
		return HC_OK;
	}
	if (e->len > sizeof(buf))
		return HC_ERR_INTERNAL;
	switch (e->format) {
	case HC_FMT_TEXT:
		rc = hc_codec_text_encode(member, buf, e->len, &needed, &bad);
		if (rc == HC_ERR_TEXT_TOO_LONG)
			hc_flow_why(why, cap, "%s: too long (%zu bytes in GBK, at most %u)", name, needed,
			    (unsigned)e->len);
		else if (rc == HC_ERR_TEXT_NOT_GBK)
			hc_flow_why(why, cap, "%s: character U+%04X cannot be written in GBK", name,
			    (unsigned)bad);
		else if (rc != HC_OK)
			hc_flow_why(why, cap, "%s: not valid UTF-8", name);
		return rc;
	case HC_FMT_DIGITS:
		rc = hc_codec_cn_encode_digits(member, buf, e->len);
		if (rc != HC_OK)
			hc_flow_why(why, cap, "%s: expected at most %u digits", name, 2u * e->len);
		return rc;
	case HC_FMT_DATE:
		rc = hc_codec_date_check(member);
		if (rc != HC_OK)
			hc_flow_why(why, cap, "%s: \"%s\" is not a date YYYYMMDD", name,
			    (const char *)member);
		return rc;
	default:
		return HC_ERR_INTERNAL;
	}
}

static int
check_entries(const void *base, size_t stride, size_t n, const pentry_field_t *pf, size_t npf,
    hc_file_id_t file, const char *what, char *why, size_t cap)
{
	const hc_file_def_t *f = hc_profile_file(file);
	size_t i, k;
	int rc;

	if (f == NULL)
		return HC_ERR_INTERNAL;
	for (i = 0; i < n; i++)
		for (k = 0; k < npf; k++) {
			char name[64];
			snprintf(name, sizeof(name), "%s[%zu].%s", what, i, pf[k].key);
			if (pf[k].element >= f->n_elements)
				return HC_ERR_INTERNAL;
			rc = check_value(&f->elements[pf[k].element],
			    (const uint8_t *)base + i * stride + pf[k].off, 1, name, why, cap);
			if (rc != HC_OK)
				return rc;
		}
	return HC_OK;
}

static int
years_between(const char *from, const char *to)
{
	int a = atoi(from), b = atoi(to);   /* YYYYMMDD as integers */
	return (b - a) / 10000;
}

int
hc_issue_profile_validate(const hc_issue_profile_t *p, const char *today_in, char *why,
    size_t cap)
{
	char today[9], birth[9], idwhy[128];
	int sex = 0, rc;
	size_t k, n;

	if (p == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	if (today_in != NULL)
		snprintf(today, sizeof(today), "%s", today_in);
	else
		hc_codec_today(today);
	hc_flow_why(why, cap, "ok");
	for (k = 0; k < N_FIELDS; k++) {
		const hc_element_def_t *e = element_of(fields[k].file, fields[k].tag);
		char name[64];

		if (e == NULL)
			return HC_ERR_INTERNAL;
		snprintf(name, sizeof(name), "%s%s%s", fields[k].section, *fields[k].section ? "." : "",
		    fields[k].key);
		rc = check_value(e, (const uint8_t *)p + fields[k].off, fields[k].required, name, why,
		    cap);
		if (rc != HC_OK)
			return rc;
	}
	if ((rc = check_entries(p->allergies, sizeof(hc_allergy_t), p->n_allergies, allergy_fields,
	    2, HC_FILE_DF02_EF07, "allergies", why, cap)) != HC_OK ||
	    (rc = check_entries(p->immunisations, sizeof(hc_immunisation_t), p->n_immunisations,
	    immunisation_fields, 2, HC_FILE_DF02_EF08, "immunisations", why, cap)) != HC_OK)
		return rc;
	/* GB 11643: check digit, region, birth date; the card number is the ID number */
	if (hc_id_number_check(p->holder.id_number, today, idwhy, sizeof(idwhy)) != HC_OK) {
		hc_flow_why(why, cap, "holder.id_number: %s", idwhy);
		return HC_ERR_BAD_ID_NUMBER;
	}
	if (strcmp(p->card_number, p->holder.id_number) != 0) {
		hc_flow_why(why, cap, "card_number: must be the ID number %s", p->holder.id_number);
		return HC_ERR_BAD_ID_NUMBER;
	}
	if (hc_id_number_info(p->holder.id_number, birth, &sex) != HC_OK)
		return HC_ERR_BAD_ID_NUMBER;
	if (strcmp(birth, p->holder.birth_date) != 0) {
		hc_flow_why(why, cap, "holder.birth_date: %s, but the ID number says %s",
		    p->holder.birth_date, birth);
		return HC_ERR_BAD_VALUE;
	}
	if ((p->holder.sex == HC_SEX_MALE || p->holder.sex == HC_SEX_FEMALE) && p->holder.sex != sex) {
		hc_flow_why(why, cap, "holder.sex: %d, but the ID number says %d", p->holder.sex, sex);
		return HC_ERR_BAD_VALUE;
	}
	if (strcmp(p->validity.expiry, today) <= 0) {
		hc_flow_why(why, cap, "validity.expiry: %s is not after today (%s)", p->validity.expiry,
		    today);
		return HC_ERR_CARD_EXPIRED;
	}
	if (p->issuer.issue_date[0] != '\0' && strcmp(p->issuer.issue_date, today) > 0) {
		hc_flow_why(why, cap, "issuer.issue_date: %s is in the future", p->issuer.issue_date);
		return HC_ERR_BAD_VALUE;
	}
	/* household register (户口本): a child, the guardian as contact 1 */
	if (p->household_register) {
		const hc_contact_t *g = &p->contacts.contact[0];
		if (years_between(p->holder.birth_date, today) >= 16) {
			hc_flow_why(why, cap, "household_register: the holder is 16 or older and needs an"
			    " ID card");
			return HC_ERR_PROFILE;
		}
		if (g->name[0] == '\0' || g->relation < 0 || g->phone[0] == '\0') {
			hc_flow_why(why, cap, "contacts[0]: a child issued on the household register needs"
			    " the guardian (name, relation, phone) as contact 1");
			return HC_ERR_PROFILE;
		}
	}
	n = strlen(p->pin);
	for (k = 0; k < n && p->pin[k] >= '0' && p->pin[k] <= '9'; k++)
		;
	if (n != 0 && (n < 4 || n > 12 || k != n)) {
		hc_flow_why(why, cap, "pin: 4-12 digits");
		return HC_ERR_PIN_FORMAT;
	}
	if (p->opening_balance < 0 || p->opening_balance > 0xFFFFFFFFLL) {
		hc_flow_why(why, cap, "opening_balance: %" PRId64 " fen is out of range",
		    p->opening_balance);
		return HC_ERR_AMOUNT;
	}
	if (p->photo_len > 0 && (p->photo_len < 4 || p->photo[0] != 0xFF || p->photo[1] != 0xD8 ||
	    p->photo[2] != 0xFF || p->photo[p->photo_len - 2] != 0xFF ||
	    p->photo[p->photo_len - 1] != 0xD9)) {
		hc_flow_why(why, cap, "photo: %s is not a JPEG", p->photo_path);
		return HC_ERR_PHOTO;
	}
	return HC_OK;
}

/* ---- back to JSON (the archive copy; never the PIN) ---- */

static int
member_to_json(json_t *obj, const char *key, const hc_element_def_t *e, const void *member)
{
	json_t *v;

	if (is_int_format(e)) {
		int i = *(const int *)member;
		v = e->format == HC_FMT_CODE && i < 0 ? json_null() : json_integer(i);
	} else {
		if (*(const char *)member == '\0')
			return 0;
		v = json_string(member);
	}
	return json_object_set_new(obj, key, v);
}

static json_t *
entries_to_json(const void *base, size_t stride, size_t n, const pentry_field_t *pf, size_t npf)
{
	json_t *arr = json_array();
	size_t i, k;

	for (i = 0; arr != NULL && i < n; i++) {
		json_t *o = json_object();
		for (k = 0; o != NULL && k < npf; k++)
			json_object_set_new(o, pf[k].key,
			    json_string((const char *)base + i * stride + pf[k].off));
		json_array_append_new(arr, o);
	}
	return arr;
}

char *
hc_issue_profile_to_json(const hc_issue_profile_t *p)
{
	json_t *root = json_object(), *contacts = json_array();
	char *out = NULL;
	size_t k;

	if (p == NULL || root == NULL || contacts == NULL)
		goto out;
	for (k = 0; k < N_FIELDS; k++) {
		const pfield_t *f = &fields[k];
		const hc_element_def_t *e = element_of(f->file, f->tag);
		json_t *sec = root;
		const void *m = (const uint8_t *)p + f->off;

		if (e == NULL)
			goto out;
		if (strncmp(f->section, "contact", 7) == 0) {
			size_t idx = (size_t)(f->section[7] - '1');
			if (!p->contacts.contact[idx].name[0])
				continue;
			while (json_array_size(contacts) <= idx)
				json_array_append_new(contacts, json_object());
			sec = json_array_get(contacts, idx);
		} else if (*f->section != '\0') {
			if (strcmp(f->section, "clinical") == 0 && !p->has_df02)
				continue;
			if ((sec = json_object_get(root, f->section)) == NULL) {
				json_object_set_new(root, f->section, json_object());
				sec = json_object_get(root, f->section);
			}
		}
		if (member_to_json(sec, f->key, e, m) != 0)
			goto out;
	}
	if (json_array_size(contacts) > 0)
		json_object_set(root, "contacts", contacts);
	if (p->n_allergies > 0)
		json_object_set_new(root, "allergies", entries_to_json(p->allergies,
		    sizeof(hc_allergy_t), p->n_allergies, allergy_fields, 2));
	if (p->n_immunisations > 0)
		json_object_set_new(root, "immunisations", entries_to_json(p->immunisations,
		    sizeof(hc_immunisation_t), p->n_immunisations, immunisation_fields, 2));
	if (p->household_register)
		json_object_set_new(root, "household_register", json_true());
	json_object_set_new(root, "ledger", json_string(p->ledger == HC_LEDGER_ED ? "ED" : "EP"));
	out = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
out:
	json_decref(contacts);
	json_decref(root);
	return out;
}
