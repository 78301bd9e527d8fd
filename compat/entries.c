/*
 * The cyclic files DF02/EF07 (allergies) and DF02/EF08 (immunisations) at the national
 * interface, over hcard_health.h.
 *
 * Both files are a list of entries of two fields, record 1 the newest; a table says per
 * file where each field lives in libhcard's entry struct and how it crosses the interface
 * (text in the caller's encoding, or digits as they are), so that the national calls only
 * name their file and their two strings.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hcard_health.h"
#include "apdu/buf.h"
#include "compat/compat.h"

/* --- the two files as data --------------------------------------------------------------- */

typedef enum entry_format {
	ENTRY_TEXT,                 /* the caller's encoding <-> UTF-8 (wsb_text_out/in) */
	ENTRY_DIGITS                /* a date: copied as it is, libhcard checks it on write */
} entry_format_t;

typedef struct entry_field {
	size_t off, size;           /* in the entry struct */
	entry_format_t format;
} entry_field_t;

enum { ENTRY_FIELDS = 2 };

typedef union entries {
	hc_allergy_t allergy[HC_ALLERGIES_MAX];
	hc_immunisation_t imm[HC_IMMUNISATIONS_MAX];
} entries_t;

typedef struct cyclic_file {
	size_t max;                 /* records the file holds */
	size_t entry_size;
	entry_field_t field[ENTRY_FIELDS];   /* in the order of the national call's parameters */
	int (*read)(hc_card_t *card, entries_t *e, size_t *count);
	int (*append)(hc_card_t *card, const entries_t *e);   /* appends entry 0 */
} cyclic_file_t;

static int rd_allergies(hc_card_t *c, entries_t *e, size_t *n) { return hc_read_allergies(c, e->allergy, n); }
static int ap_allergy(hc_card_t *c, const entries_t *e) { return hc_append_allergy(c, &e->allergy[0]); }
static int rd_imms(hc_card_t *c, entries_t *e, size_t *n) { return hc_read_immunisations(c, e->imm, n); }
static int ap_imm(hc_card_t *c, const entries_t *e) { return hc_append_immunisation(c, &e->imm[0]); }

#define FIELD(type, member, format) { offsetof(type, member), sizeof(((type *)0)->member), format }

static const cyclic_file_t df02_ef07 = {
	HC_ALLERGIES_MAX, sizeof(hc_allergy_t),
	{ FIELD(hc_allergy_t, allergen, ENTRY_TEXT), FIELD(hc_allergy_t, reaction, ENTRY_TEXT) },
	rd_allergies, ap_allergy,
};
static const cyclic_file_t df02_ef08 = {
	HC_IMMUNISATIONS_MAX, sizeof(hc_immunisation_t),
	{ FIELD(hc_immunisation_t, vaccine, ENTRY_TEXT), FIELD(hc_immunisation_t, date, ENTRY_DIGITS) },
	rd_imms, ap_imm,
};

/* --- one helper for reading, one for appending ------------------------------------------ */

typedef struct cyclic_op {
	const cyclic_file_t *file;
	entries_t e;
	size_t count;
} cyclic_op_t;

static int run_read(hc_card_t *card, void *arg) { cyclic_op_t *op = arg; return op->file->read(card, &op->e, &op->count); }
static int run_append(hc_card_t *card, void *arg) { cyclic_op_t *op = arg; return op->file->append(card, &op->e); }

/* Field i of entry n (0-based) of op. */
static char *
field_at(cyclic_op_t *op, size_t n, size_t i)
{
	return (char *)&op->e + n * op->file->entry_size + op->file->field[i].off;
}

/* Entry n (1-based) into out[0..1]; an entry not written yet reads as two empty strings. */
static int
read_entry(HANDLE h, const cyclic_file_t *file, int n, char *const *out)
{
	cyclic_op_t op;
	wsb_dev_t *d;
	const char *v;
	size_t i;
	int ret, rc;

	if ((ret = wsb_enter(h, &d)) != IRV_OK)
		return ret;
	memset(&op, 0, sizeof(op));
	op.file = file;
	ret = IRV_PARA_ERR;
	if (out[0] == NULL || out[1] == NULL || n < 1 || (size_t)n > file->max)
		goto out;
	rc = wsb_run(d, run_read, &op, 1);
	for (i = 0; rc == HC_OK && (size_t)n <= op.count && i < ENTRY_FIELDS; i++) {
		v = field_at(&op, (size_t)n - 1, i);
		if (file->field[i].format == ENTRY_TEXT)
			rc = wsb_text_out(d, v, out[i]);
		else
			memcpy(out[i], v, strlen(v) + 1);
	}
	if (rc == HC_OK && (size_t)n > op.count)
		out[0][0] = out[1][0] = '\0';     /* an entry not written yet */
	ret = wsb_irv(rc, WSB_OP_READ_RECORD);
out:
	hc_wipe(&op, sizeof(op));
	wsb_leave(d);
	return ret;
}

/* in[0..1] as a new entry (record 1; the oldest drops out of a full file). */
static int
append_entry(HANDLE h, const cyclic_file_t *file, char *const *in)
{
	cyclic_op_t op;
	wsb_dev_t *d;
	size_t i;
	int ret, rc = HC_OK;

	if ((ret = wsb_enter(h, &d)) != IRV_OK)
		return ret;
	memset(&op, 0, sizeof(op));
	op.file = file;
	ret = IRV_PARA_ERR;
	for (i = 0; i < ENTRY_FIELDS; i++)
		if (in[i] == NULL || (file->field[i].format == ENTRY_DIGITS && strlen(in[i]) >= file->field[i].size))
			goto out;
	for (i = 0; i < ENTRY_FIELDS && rc == HC_OK; i++) {
		if (file->field[i].format == ENTRY_TEXT)
			rc = wsb_text_in(d, in[i], field_at(&op, 0, i), file->field[i].size);
		else
			memcpy(field_at(&op, 0, i), in[i], strlen(in[i]) + 1);
	}
	if (rc == HC_OK)
		rc = wsb_run(d, run_append, &op, 0);
	ret = wsb_irv(rc, WSB_OP_WRITE_RECORD);
out:
	hc_wipe(&op, sizeof(op));
	wsb_leave(d);
	return ret;
}

/* --- the national calls ------------------------------------------------------------------ */

int
iR_DF02EF07Info(HANDLE h, int nRecorderNo, char *GMWZMC, char *GMFY)
{
	char *const v[ENTRY_FIELDS] = { GMWZMC, GMFY };
	return read_entry(h, &df02_ef07, nRecorderNo, v);
}

int
iW_DF02EF07Info(HANDLE h, char *GMWZMC, char *GMFY)
{
	char *const v[ENTRY_FIELDS] = { GMWZMC, GMFY };
	return append_entry(h, &df02_ef07, v);
}

int
iR_DF02EF08Info(HANDLE h, int nRecorderNo, char *MYJZMC, char *MYJZSJ)
{
	char *const v[ENTRY_FIELDS] = { MYJZMC, MYJZSJ };
	return read_entry(h, &df02_ef08, nRecorderNo, v);
}

int
iW_DF02EF08Info(HANDLE h, char *MYJZMC, char *MYJZSJ)
{
	char *const v[ENTRY_FIELDS] = { MYJZMC, MYJZSJ };
	return append_entry(h, &df02_ef08, v);
}
