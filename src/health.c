/*
 * Typed read and write of DDF1, DF01 and DF02 (hcard_health.h). One engine walks the profile
 * tables (src/profile.c) and the field maps below (element tag -> struct member); the files
 * differ only in data.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "apdu/buf.h"
#include "apdu/log.h"
#include "apdu/tlv.h"
#include "hcard_health.h"
#include "src/codec.h"
#include "src/health_io.h"
#include "src/session_sec.h"

#define MAX_FILE_BYTES 400u     /* the largest record file: DF02/EF07, 3 x 120 */
#define MAX_ELEMENT 180u

/* A struct member holding one element: tag (or, in cyclic entries, the part's index). */
typedef struct field {
	uint8_t tag;
	uint8_t id_number;          /* checked as a citizen ID number on write */
	size_t off;
	size_t size;
} field_t;

#define FLD(tag, T, m) { tag, 0, offsetof(T, m), sizeof(((T *)0)->m) }
#define FID(tag, T, m) { tag, 1, offsetof(T, m), sizeof(((T *)0)->m) }
#define N(a) (sizeof(a) / sizeof((a)[0]))

static const field_t issuer_fields[] = {
	FLD(0x01, hc_issuer_t, card_type), FLD(0x02, hc_issuer_t, spec_version),
	FLD(0x03, hc_issuer_t, issuer_name), FLD(0x04, hc_issuer_t, issuer_code),
	FLD(0x05, hc_issuer_t, issuer_certificate), FLD(0x06, hc_issuer_t, issue_date),
	FID(0x08, hc_issuer_t, card_number), FLD(0x09, hc_issuer_t, security_code),
	FLD(0x10, hc_issuer_t, issue_serial), FLD(0x57, hc_issuer_t, city_code),
};
static const field_t cardholder_fields[] = {
	FLD(0x11, hc_cardholder_t, name), FLD(0x12, hc_cardholder_t, sex),
	FLD(0x13, hc_cardholder_t, ethnicity), FLD(0x14, hc_cardholder_t, birth_date),
	FID(0x15, hc_cardholder_t, id_number),
};
static const field_t validity_fields[] = {
	FLD(0x07, hc_validity_t, expiry), FLD(0x16, hc_validity_t, phone1),
	FLD(0x17, hc_validity_t, phone2), FLD(0x18, hc_validity_t, payment[0]),
	FLD(0x19, hc_validity_t, payment[1]), FLD(0x20, hc_validity_t, payment[2]),
};
static const field_t addresses_fields[] = {
	FLD(0x21, hc_addresses_t, type1), FLD(0x22, hc_addresses_t, address1),
	FLD(0x23, hc_addresses_t, type2), FLD(0x24, hc_addresses_t, address2),
};
static const field_t contacts_fields[] = {
	FLD(0x25, hc_contacts_t, contact[0].name), FLD(0x26, hc_contacts_t, contact[0].relation),
	FLD(0x27, hc_contacts_t, contact[0].phone),
	FLD(0x28, hc_contacts_t, contact[1].name), FLD(0x29, hc_contacts_t, contact[1].relation),
	FLD(0x30, hc_contacts_t, contact[1].phone),
	FLD(0x31, hc_contacts_t, contact[2].name), FLD(0x32, hc_contacts_t, contact[2].relation),
	FLD(0x33, hc_contacts_t, contact[2].phone),
};
static const field_t social_fields[] = {
	FLD(0x34, hc_social_t, education), FLD(0x35, hc_social_t, marital_status),
	FLD(0x36, hc_social_t, occupation),
};
static const field_t documents_fields[] = {
	FLD(0x37, hc_documents_t, document_type), FLD(0x38, hc_documents_t, document_number),
	FLD(0x39, hc_documents_t, health_record_number), FLD(0x40, hc_documents_t, rural_scheme_number),
};
static const field_t clinical_fields[] = {
	FLD(0x41, hc_clinical_t, abo), FLD(0x42, hc_clinical_t, rh),
	FLD(0x43, hc_clinical_t, asthma), FLD(0x44, hc_clinical_t, heart_disease),
	FLD(0x45, hc_clinical_t, cardiovascular), FLD(0x46, hc_clinical_t, epilepsy),
	FLD(0x47, hc_clinical_t, coagulation), FLD(0x48, hc_clinical_t, diabetes),
	FLD(0x49, hc_clinical_t, glaucoma), FLD(0x50, hc_clinical_t, dialysis),
	FLD(0x51, hc_clinical_t, organ_transplant), FLD(0x52, hc_clinical_t, missing_organ),
	FLD(0x53, hc_clinical_t, removable_prosthesis), FLD(0x54, hc_clinical_t, pacemaker),
	FLD(0x55, hc_clinical_t, other_alert),
};
typedef struct psychiatric { int flag; } psychiatric_t;
static const field_t psychiatric_fields[] = { FLD(0x56, psychiatric_t, flag) };
static const field_t allergy_fields[] = {
	FLD(0, hc_allergy_t, allergen), FLD(1, hc_allergy_t, reaction),
};
static const field_t immunisation_fields[] = {
	FLD(0, hc_immunisation_t, vaccine), FLD(1, hc_immunisation_t, date),
};

/* One typed file operation (the argument of hc_session_run). */
typedef struct file_op {
	hc_file_id_t file;
	const field_t *fields;
	size_t n_fields;
	void *obj;                  /* struct read into */
	const void *in;             /* struct written from */
	size_t obj_size;
	size_t max_entries;         /* cyclic reads */
	size_t *count;
} file_op_t;

static const field_t *
field_for(const file_op_t *op, uint8_t tag)
{
	size_t i;

	for (i = 0; i < op->n_fields; i++)
		if (op->fields[i].tag == tag)
			return &op->fields[i];
	return NULL;
}

static int
decode_element(hc_card_t *card, const hc_file_def_t *f, const hc_element_def_t *e,
               const uint8_t *v, void *obj, const field_t *fd)
{
	void *dst = (char *)obj + fd->off;
	int rc = HC_OK, code = -1;

	switch (e->format) {
	case HC_FMT_TEXT:
		rc = hc_codec_text_decode(v, e->len, dst, fd->size);
		break;
	case HC_FMT_DIGITS:
		rc = hc_codec_cn_decode_digits(v, e->len, dst, fd->size);
		break;
	case HC_FMT_DATE:
		rc = hc_codec_date_decode(v, e->len, dst, fd->size);
		break;
	case HC_FMT_CODE:
		rc = hc_codec_cn_decode_code(v, e->len, &code);
		*(int *)dst = code;
		break;
	case HC_FMT_BYTE:
		*(int *)dst = v[0];
		break;
	case HC_FMT_BYTES:
		if (fd->size < e->len)
			return HC_ERR_INTERNAL;
		memcpy(dst, v, e->len);
		break;
	}
	if (rc != HC_OK)
		hc_session_set_detail(card, "%s %s: the card holds a malformed value (%s)",
		                      f->name, e->name, hc_errname(rc));
	return rc;
}

/* Encodes one member into out[0..e->len). Every refusal names the field and the limit. */
static int
encode_element(hc_card_t *card, const hc_file_def_t *f, const hc_element_def_t *e,
               const void *obj, const field_t *fd, uint8_t *out)
{
	const void *src = (const char *)obj + fd->off;
	const char *s = src;
	char why[160];
	size_t need = 0;
	uint32_t cp = 0;
	int rc = HC_OK, v;

	if (e->format == HC_FMT_TEXT || e->format == HC_FMT_DIGITS || e->format == HC_FMT_DATE) {
		if (memchr(s, '\0', fd->size) == NULL) {
			hc_session_set_detail(card, "%s %s: the string is not terminated", f->name, e->name);
			return HC_ERR_INVALID_ARGUMENT;
		}
	}
	switch (e->format) {
	case HC_FMT_TEXT:
		rc = hc_codec_text_encode(s, out, e->len, &need, &cp);
		if (rc == HC_ERR_TEXT_TOO_LONG)
			hc_session_set_detail(card, "%s %s: %zu bytes in GBK, the field holds %u",
			                      f->name, e->name, need, e->len);
		else if (rc == HC_ERR_TEXT_NOT_GBK)
			hc_session_set_detail(card, "%s %s: the character U+%04X cannot be written in GBK",
			                      f->name, e->name, (unsigned)cp);
		else if (rc != HC_OK)
			hc_session_set_detail(card, "%s %s: not valid UTF-8", f->name, e->name);
		if (rc == HC_OK && fd->id_number && *s != '\0'
		    && (rc = hc_id_number_check(s, NULL, why, sizeof(why))) != HC_OK)
			hc_session_set_detail(card, "%s %s: %s", f->name, e->name, why);
		break;
	case HC_FMT_DIGITS:
		if ((rc = hc_codec_cn_encode_digits(s, out, e->len)) != HC_OK)
			hc_session_set_detail(card, "%s %s: at most %u digits 0-9", f->name, e->name, 2u * e->len);
		break;
	case HC_FMT_DATE:
		if ((rc = hc_codec_date_encode(s, out, e->len)) != HC_OK)
			hc_session_set_detail(card, "%s %s: \"%.20s\" is not a date %s", f->name, e->name, s,
			                      e->len == 4 ? "YYYYMMDD" : "YYYYMMDDhhmmss");
		break;
	case HC_FMT_CODE:
		v = *(const int *)src;
		if (!hc_profile_code_valid(e, v) || (rc = hc_codec_cn_encode_code(v, e->code_digits, out, e->len)) != HC_OK) {
			hc_session_set_detail(card, "%s %s: %d is not a code of %s (-1 = empty)", f->name,
			                      e->name, v, e->codes != NULL ? e->codes->standard : "its table");
			rc = HC_ERR_BAD_VALUE;
		}
		break;
	case HC_FMT_BYTE:
		v = *(const int *)src;
		if (v < 0 || v > 255 || !hc_profile_code_valid(e, v)) {
			hc_session_set_detail(card, "%s %s: %d is not a value of %s", f->name, e->name, v,
			                      e->codes != NULL ? e->codes->standard : "a byte");
			rc = HC_ERR_BAD_VALUE;
		} else {
			out[0] = (uint8_t)v;
		}
		break;
	case HC_FMT_BYTES:
		memcpy(out, src, e->len);
		break;
	}
	return rc;
}

static void
init_obj(const file_op_t *op, const hc_file_def_t *f, void *obj)
{
	const hc_element_def_t *e;
	size_t i;

	memset(obj, 0, op->obj_size);
	for (i = 0; i < op->n_fields; i++) {
		e = f->kind == HC_FILE_VARIABLE ? hc_profile_element(f, op->fields[i].tag)
		                                : &f->elements[op->fields[i].tag];
		if (e != NULL && e->format == HC_FMT_CODE)
			*(int *)(void *)((char *)obj + op->fields[i].off) = -1;
	}
}

/* Parses `tag len value` records into op->obj. Unknown tags are skipped. */
static int
parse_records(hc_card_t *card, const hc_file_def_t *f, const file_op_t *op,
              const uint8_t *buf, size_t len)
{
	const hc_element_def_t *e;
	const field_t *fd;
	hc_tlv_t t;
	size_t off = 0;
	int rc;

	init_obj(op, f, op->obj);
	while (off < len) {            /* each record consumes at least 2 bytes */
		if (hc_stlv_parse(buf + off, len - off, &t) != 0) {
			hc_session_set_detail(card, "%s: malformed record at byte %zu", f->name, off);
			return HC_ERR_MALFORMED_RESPONSE;
		}
		off += t.total;
		if ((e = hc_profile_element(f, (uint8_t)t.tag)) == NULL || (fd = field_for(op, e->tag)) == NULL)
			continue;
		if (t.len != e->len) {
			hc_session_set_detail(card, "%s %s: %zu bytes on the card, the profile says %u",
			                      f->name, e->name, t.len, e->len);
			return HC_ERR_MALFORMED_RESPONSE;
		}
		if ((rc = decode_element(card, f, e, t.value, op->obj, fd)) != HC_OK)
			return rc;
	}
	return HC_OK;
}

static int
read_op(hc_card_t *card, void *arg)
{
	const file_op_t *op = arg;
	const hc_file_def_t *f = hc_profile_file(op->file);
	uint8_t buf[MAX_FILE_BYTES];
	const uint8_t *cached;
	size_t len = 0;
	int rc;

	if (op->file == HC_FILE_DDF1_EF05) {     /* read once at open (free), kept */
		if ((cached = hc_session_ef05(card, &len)) == NULL) {
			if ((rc = hc_session_reload_ef05(card)) != HC_OK)
				return rc;
			cached = hc_session_ef05(card, &len);
		}
		return parse_records(card, f, op, cached, len);
	}
	rc = hc_io_read_records(card, f, buf, sizeof(buf), &len);
	if (rc == HC_OK)
		rc = parse_records(card, f, op, buf, len);
	hc_wipe(buf, sizeof(buf));
	return rc;
}

/* Validates and encodes every element first (nothing is sent if one is refused), then
 * writes each at its full length. */
static int
write_op(hc_card_t *card, void *arg)
{
	const file_op_t *op = arg;
	const hc_file_def_t *f = hc_profile_file(op->file);
	uint8_t buf[MAX_FILE_BYTES];
	size_t off[32], i, pos = 0, n = 0;
	const field_t *fd;
	int rc = HC_OK;

	for (i = 0; i < f->n_elements && n < N(off); i++) {
		const hc_element_def_t *e = &f->elements[i];

		if (!e->writable || (fd = field_for(op, e->tag)) == NULL)
			continue;
		buf[pos] = e->tag;
		buf[pos + 1] = (uint8_t)e->len;
		if ((rc = encode_element(card, f, e, op->in, fd, buf + pos + 2)) != HC_OK)
			goto out;
		off[n++] = pos;
		pos += 2u + e->len;
	}
	for (i = 0; i < n; i++) {
		if ((rc = hc_io_update_element(card, f, buf + off[i], 2u + buf[off[i] + 1])) != HC_OK) {
			if (card != NULL && hc_card_error_detail(card)[0] == '\0')
				hc_session_set_detail(card, "%s: writing tag %02X failed: %s", f->name,
				                      buf[off[i]], hc_strerror(rc));
			goto out;
		}
	}
	if (op->file == HC_FILE_DDF1_EF05)
		rc = hc_session_reload_ef05(card);
out:
	hc_wipe(buf, sizeof(buf));
	return rc;
}

static int
entry_empty(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0x00 && p[i] != 0xFF)
			return 0;
	return 1;
}

static int
read_cyclic_op(hc_card_t *card, void *arg)
{
	const file_op_t *op = arg;
	const hc_file_def_t *f = hc_profile_file(op->file);
	uint8_t buf[MAX_FILE_BYTES];
	size_t len = 0, i, k, at, found = 0;
	char *dst;
	int rc;

	*op->count = 0;
	if ((rc = hc_io_read_records(card, f, buf, sizeof(buf), &len)) != HC_OK)
		goto out;
	if (len % f->size != 0) {
		hc_session_set_detail(card, "%s: %zu bytes is not a whole number of %u-byte entries",
		                      f->name, len, f->size);
		rc = HC_ERR_MALFORMED_RESPONSE;
		goto out;
	}
	for (i = 0; i < len / f->size && found < op->max_entries; i++) {
		const uint8_t *entry = buf + i * f->size;

		if (entry_empty(entry, f->size))
			continue;
		dst = (char *)op->obj + found * op->obj_size;
		memset(dst, 0, op->obj_size);
		for (k = 0, at = 0; k < f->n_elements; at += f->elements[k].len, k++)
			if ((rc = decode_element(card, f, &f->elements[k], entry + at, dst, &op->fields[k])) != HC_OK)
				goto out;
		found++;
	}
	*op->count = found;
out:
	hc_wipe(buf, sizeof(buf));
	return rc;
}

static int
append_op(hc_card_t *card, void *arg)
{
	const file_op_t *op = arg;
	const hc_file_def_t *f = hc_profile_file(op->file);
	uint8_t entry[MAX_ELEMENT];
	size_t k, at;
	int rc = HC_OK;

	if (f->size > sizeof(entry))
		return HC_ERR_INTERNAL;
	for (k = 0, at = 0; k < f->n_elements; at += f->elements[k].len, k++)
		if ((rc = encode_element(card, f, &f->elements[k], op->in, &op->fields[k], entry + at)) != HC_OK)
			goto out;
	if (entry_empty(entry, f->size)) {
		hc_session_set_detail(card, "%s: an empty entry is not appended", f->name);
		rc = HC_ERR_INVALID_ARGUMENT;
		goto out;
	}
	rc = hc_io_append(card, f, entry, f->size);
out:
	hc_wipe(entry, sizeof(entry));
	return rc;
}

static int
run_read(hc_card_t *card, hc_file_id_t file, const field_t *fields, size_t n, void *out, size_t size)
{
	file_op_t op = { file, fields, n, out, NULL, size, 0, NULL };

	if (card == NULL || out == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	return hc_session_run(card, read_op, &op);
}

static int
run_write(hc_card_t *card, hc_file_id_t file, const field_t *fields, size_t n, const void *in)
{
	file_op_t op = { file, fields, n, NULL, in, 0, 0, NULL };

	if (card == NULL || in == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	return hc_session_run(card, write_op, &op);
}

#define TYPED(rname, wname, T, file, fields) \
	int rname(hc_card_t *card, T *out) \
	{ return run_read(card, file, fields, N(fields), out, sizeof(T)); } \
	int wname(hc_card_t *card, const T *in) \
	{ return run_write(card, file, fields, N(fields), in); }

TYPED(hc_read_issuer, hc_write_issuer, hc_issuer_t, HC_FILE_DDF1_EF05, issuer_fields)
TYPED(hc_read_cardholder, hc_write_cardholder, hc_cardholder_t, HC_FILE_DDF1_EF06, cardholder_fields)
TYPED(hc_read_validity, hc_write_validity, hc_validity_t, HC_FILE_DDF1_EF08, validity_fields)
TYPED(hc_read_addresses, hc_write_addresses, hc_addresses_t, HC_FILE_DF01_EF05, addresses_fields)
TYPED(hc_read_contacts, hc_write_contacts, hc_contacts_t, HC_FILE_DF01_EF06, contacts_fields)
TYPED(hc_read_social, hc_write_social, hc_social_t, HC_FILE_DF01_EF07, social_fields)
TYPED(hc_read_documents, hc_write_documents, hc_documents_t, HC_FILE_DF01_EF08, documents_fields)
TYPED(hc_read_clinical, hc_write_clinical, hc_clinical_t, HC_FILE_DF02_EF05, clinical_fields)

int
hc_read_psychiatric(hc_card_t *card, int *flag)
{
	psychiatric_t p = { 0 };
	int rc;

	if (flag == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	rc = run_read(card, HC_FILE_DF02_EF06, psychiatric_fields, 1, &p, sizeof(p));
	*flag = p.flag;
	return rc;
}

int
hc_write_psychiatric(hc_card_t *card, int flag)
{
	psychiatric_t p = { flag };

	return run_write(card, HC_FILE_DF02_EF06, psychiatric_fields, 1, &p);
}

int
hc_read_allergies(hc_card_t *card, hc_allergy_t out[HC_ALLERGIES_MAX], size_t *count)
{
	file_op_t op = { HC_FILE_DF02_EF07, allergy_fields, N(allergy_fields), out, NULL,
	                 sizeof(hc_allergy_t), HC_ALLERGIES_MAX, count };

	if (card == NULL || out == NULL || count == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	return hc_session_run(card, read_cyclic_op, &op);
}

int
hc_append_allergy(hc_card_t *card, const hc_allergy_t *in)
{
	file_op_t op = { HC_FILE_DF02_EF07, allergy_fields, N(allergy_fields), NULL, in, 0, 0, NULL };

	if (card == NULL || in == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	return hc_session_run(card, append_op, &op);
}

int
hc_read_immunisations(hc_card_t *card, hc_immunisation_t out[HC_IMMUNISATIONS_MAX], size_t *count)
{
	file_op_t op = { HC_FILE_DF02_EF08, immunisation_fields, N(immunisation_fields), out, NULL,
	                 sizeof(hc_immunisation_t), HC_IMMUNISATIONS_MAX, count };

	if (card == NULL || out == NULL || count == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	return hc_session_run(card, read_cyclic_op, &op);
}

int
hc_append_immunisation(hc_card_t *card, const hc_immunisation_t *in)
{
	file_op_t op = { HC_FILE_DF02_EF08, immunisation_fields, N(immunisation_fields), NULL, in, 0, 0, NULL };

	if (card == NULL || in == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	return hc_session_run(card, append_op, &op);
}

int
hc_validity_check(const hc_validity_t *v, const char *today)
{
	char now[9];

	if (v == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	if (v->expiry[0] == '\0')
		return HC_OK;
	if (today == NULL) {
		hc_codec_today(now);
		today = now;
	}
	return strcmp(v->expiry, today) < 0 ? HC_ERR_CARD_EXPIRED : HC_OK;
}

int
hc_card_check_validity(hc_card_t *card)
{
	hc_validity_t v;
	int rc;

	if ((rc = hc_read_validity(card, &v)) != HC_OK)
		return rc;
	if ((rc = hc_validity_check(&v, NULL)) == HC_ERR_CARD_EXPIRED)
		hc_session_set_detail(card, "the card expired on %s (DDF1/EF08 tag 07)", v.expiry);
	return rc;
}
