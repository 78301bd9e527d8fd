/*
 * DDF1, DF01 and DF02 at the national interface: iR_/iW_ over hcard_health.h.
 *
 * The parameters of each iR_/iW_ pair are the elements of the file in the order of
 * libhcard's profile table (src/profile.h, which names each element's national field), so
 * the presentation of every field (text, cn digits, code digits, b hex) comes from that
 * table; this file only says where each element lives in the hcard_health.h struct.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hcard_health.h"
#include "apdu/buf.h"
#include "apdu/log.h"
#include "compat/compat.h"
#include "src/profile.h"

/* Where an element lives in the struct: offset and size. */
typedef struct slot {
	size_t off, size;
} slot_t;

typedef struct wsb_file {
	hc_file_id_t file;
	size_t obj_size;
	int (*read)(hc_card_t *card, void *obj);
	int (*write)(hc_card_t *card, const void *obj);
	const slot_t *slots;         /* one per element of the profile's file, in its order */
	size_t n;
} wsb_file_t;

#define S(type, member) { offsetof(type, member), sizeof(((type *)0)->member) }
#define N(a) (sizeof(a) / sizeof((a)[0]))

static int rd_issuer(hc_card_t *c, void *o) { return hc_read_issuer(c, o); }
static int wr_issuer(hc_card_t *c, const void *o) { return hc_write_issuer(c, o); }
static int rd_holder(hc_card_t *c, void *o) { return hc_read_cardholder(c, o); }
static int wr_holder(hc_card_t *c, const void *o) { return hc_write_cardholder(c, o); }
static int rd_validity(hc_card_t *c, void *o) { return hc_read_validity(c, o); }
static int wr_validity(hc_card_t *c, const void *o) { return hc_write_validity(c, o); }
static int rd_addresses(hc_card_t *c, void *o) { return hc_read_addresses(c, o); }
static int wr_addresses(hc_card_t *c, const void *o) { return hc_write_addresses(c, o); }
static int rd_contacts(hc_card_t *c, void *o) { return hc_read_contacts(c, o); }
static int wr_contacts(hc_card_t *c, const void *o) { return hc_write_contacts(c, o); }
static int rd_social(hc_card_t *c, void *o) { return hc_read_social(c, o); }
static int wr_social(hc_card_t *c, const void *o) { return hc_write_social(c, o); }
static int rd_documents(hc_card_t *c, void *o) { return hc_read_documents(c, o); }
static int wr_documents(hc_card_t *c, const void *o) { return hc_write_documents(c, o); }
static int rd_clinical(hc_card_t *c, void *o) { return hc_read_clinical(c, o); }
static int wr_clinical(hc_card_t *c, const void *o) { return hc_write_clinical(c, o); }

typedef struct psychiatric { int flag; } psychiatric_t;
static int rd_psy(hc_card_t *c, void *o) { return hc_read_psychiatric(c, &((psychiatric_t *)o)->flag); }
static int wr_psy(hc_card_t *c, const void *o) { return hc_write_psychiatric(c, ((const psychiatric_t *)o)->flag); }

static const slot_t issuer_slots[] = {
	S(hc_issuer_t, card_type), S(hc_issuer_t, spec_version), S(hc_issuer_t, issuer_name),
	S(hc_issuer_t, issuer_code), S(hc_issuer_t, issuer_certificate), S(hc_issuer_t, issue_date),
	S(hc_issuer_t, card_number), S(hc_issuer_t, security_code), S(hc_issuer_t, issue_serial),
	S(hc_issuer_t, city_code),
};
static const slot_t holder_slots[] = {
	S(hc_cardholder_t, name), S(hc_cardholder_t, sex), S(hc_cardholder_t, ethnicity),
	S(hc_cardholder_t, birth_date), S(hc_cardholder_t, id_number),
};
static const slot_t validity_slots[] = {
	S(hc_validity_t, expiry), S(hc_validity_t, phone1), S(hc_validity_t, phone2),
	S(hc_validity_t, payment[0]), S(hc_validity_t, payment[1]), S(hc_validity_t, payment[2]),
};
static const slot_t address_slots[] = {
	S(hc_addresses_t, type1), S(hc_addresses_t, address1), S(hc_addresses_t, type2),
	S(hc_addresses_t, address2),
};
static const slot_t contact_slots[] = {
	S(hc_contacts_t, contact[0].name), S(hc_contacts_t, contact[0].relation), S(hc_contacts_t, contact[0].phone),
	S(hc_contacts_t, contact[1].name), S(hc_contacts_t, contact[1].relation), S(hc_contacts_t, contact[1].phone),
	S(hc_contacts_t, contact[2].name), S(hc_contacts_t, contact[2].relation), S(hc_contacts_t, contact[2].phone),
};
static const slot_t social_slots[] = {
	S(hc_social_t, education), S(hc_social_t, marital_status), S(hc_social_t, occupation),
};
static const slot_t document_slots[] = {
	S(hc_documents_t, document_type), S(hc_documents_t, document_number),
	S(hc_documents_t, health_record_number), S(hc_documents_t, rural_scheme_number),
};
static const slot_t clinical_slots[] = {
	S(hc_clinical_t, abo), S(hc_clinical_t, rh), S(hc_clinical_t, asthma),
	S(hc_clinical_t, heart_disease), S(hc_clinical_t, cardiovascular), S(hc_clinical_t, epilepsy),
	S(hc_clinical_t, coagulation), S(hc_clinical_t, diabetes), S(hc_clinical_t, glaucoma),
	S(hc_clinical_t, dialysis), S(hc_clinical_t, organ_transplant), S(hc_clinical_t, missing_organ),
	S(hc_clinical_t, removable_prosthesis), S(hc_clinical_t, pacemaker), S(hc_clinical_t, other_alert),
};
static const slot_t psy_slots[] = { S(psychiatric_t, flag) };

#define F(id, type, rd, wr, slots) { id, sizeof(type), rd, wr, slots, N(slots) }
static const wsb_file_t f_ddf1_ef05 = F(HC_FILE_DDF1_EF05, hc_issuer_t, rd_issuer, wr_issuer, issuer_slots);
static const wsb_file_t f_ddf1_ef06 = F(HC_FILE_DDF1_EF06, hc_cardholder_t, rd_holder, wr_holder, holder_slots);
static const wsb_file_t f_ddf1_ef08 = F(HC_FILE_DDF1_EF08, hc_validity_t, rd_validity, wr_validity, validity_slots);
static const wsb_file_t f_df01_ef05 = F(HC_FILE_DF01_EF05, hc_addresses_t, rd_addresses, wr_addresses, address_slots);
static const wsb_file_t f_df01_ef06 = F(HC_FILE_DF01_EF06, hc_contacts_t, rd_contacts, wr_contacts, contact_slots);
static const wsb_file_t f_df01_ef07 = F(HC_FILE_DF01_EF07, hc_social_t, rd_social, wr_social, social_slots);
static const wsb_file_t f_df01_ef08 = F(HC_FILE_DF01_EF08, hc_documents_t, rd_documents, wr_documents, document_slots);
static const wsb_file_t f_df02_ef05 = F(HC_FILE_DF02_EF05, hc_clinical_t, rd_clinical, wr_clinical, clinical_slots);
static const wsb_file_t f_df02_ef06 = F(HC_FILE_DF02_EF06, psychiatric_t, rd_psy, wr_psy, psy_slots);

/* --- one element <-> the caller's string ---------------------------------------------- */

static int
field_out(const wsb_dev_t *d, const hc_element_def_t *e, const void *v, char *out)
{
	int x;

	switch (e->format) {
	case HC_FMT_TEXT:
		return wsb_text_out(d, v, out);
	case HC_FMT_DIGITS:
	case HC_FMT_DATE:
		memcpy(out, v, strlen(v) + 1);     /* digits, F padding already stripped */
		return HC_OK;
	case HC_FMT_CODE:
		memcpy(&x, v, sizeof(x));
		if (x < 0)
			out[0] = '\0';
		else
			snprintf(out, 2u * e->len + 1u, "%0*d", (int)e->code_digits, x);
		return HC_OK;
	case HC_FMT_BYTE:
		memcpy(&x, v, sizeof(x));
		snprintf(out, 3, "%02X", (unsigned)x & 0xFFu);
		return HC_OK;
	case HC_FMT_BYTES:
		wsb_hex_out(v, e->len, out);
		return HC_OK;
	}
	return HC_ERR_INTERNAL;
}

/* Length of s without trailing F/f (the card's padding of cn digits). */
static size_t
strip_f(const char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == 'F' || s[n - 1] == 'f'))
		n--;
	return n;
}

static int
all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int
field_in(const wsb_dev_t *d, const hc_element_def_t *e, const slot_t *sl, const char *in, void *v)
{
	size_t n;
	int x;
	unsigned b;

	switch (e->format) {
	case HC_FMT_TEXT:
		return wsb_text_in(d, in, v, sl->size);
	case HC_FMT_DIGITS:
	case HC_FMT_DATE:
		if ((n = strip_f(in)) >= sl->size || !all_digits(in, n))
			return HC_ERR_BAD_VALUE;
		memcpy(v, in, n);
		((char *)v)[n] = '\0';
		return HC_OK;
	case HC_FMT_CODE:
		if ((n = strip_f(in)) > e->code_digits || !all_digits(in, n))
			return HC_ERR_BAD_VALUE;
		x = n == 0 ? -1 : atoi(in);
		memcpy(v, &x, sizeof(x));
		return HC_OK;
	case HC_FMT_BYTE:
		n = strlen(in);
		if (n == 0) {
			x = 0;
		} else {
			if (n > 2 || sscanf(in, "%2x", &b) != 1 || strspn(in, "0123456789abcdefABCDEF") != n)
				return HC_ERR_BAD_VALUE;
			x = (int)b;
		}
		memcpy(v, &x, sizeof(x));
		return HC_OK;
	case HC_FMT_BYTES:
		if (in[0] == '\0') {
			memset(v, 0, e->len);
			return HC_OK;
		}
		return wsb_hex_in(in, v, e->len) == HC_OK ? HC_OK : HC_ERR_BAD_VALUE;
	}
	return HC_ERR_INTERNAL;
}

/* --- a whole file --------------------------------------------------------------------- */

typedef struct file_op {
	const wsb_file_t *wf;
	void *obj;
} file_op_t;

static int run_read(hc_card_t *card, void *arg) { file_op_t *op = arg; return op->wf->read(card, op->obj); }
static int run_write(hc_card_t *card, void *arg) { file_op_t *op = arg; return op->wf->write(card, op->obj); }

/* The file's elements in obj as the caller's strings. */
static int
strings_out(const wsb_dev_t *d, const hc_file_def_t *f, const wsb_file_t *wf, char *const *v, void *obj)
{
	size_t i;
	int rc = HC_OK;

	for (i = 0; i < wf->n && rc == HC_OK; i++)
		rc = field_out(d, &f->elements[i], (const uint8_t *)obj + wf->slots[i].off, v[i]);
	return rc;
}

/* The caller's strings into the file's writable elements in obj. */
static int
strings_in(const wsb_dev_t *d, const hc_file_def_t *f, const wsb_file_t *wf, char *const *v, void *obj)
{
	size_t i;
	int rc = HC_OK;

	for (i = 0; i < wf->n && rc == HC_OK; i++) {
		if (!f->elements[i].writable)
			continue;                    /* the city code: the factory's */
		if ((rc = field_in(d, &f->elements[i], &wf->slots[i], v[i], (uint8_t *)obj + wf->slots[i].off)) != HC_OK)
			hc_log_error("%s %s: not a valid value", f->name, f->elements[i].national);
	}
	return rc;
}

/* A read or a write of a whole file, as data: the card call (a read runs again on a new
 * session, a write does not), the conversion of the strings (after a read, before a
 * write) and the failure code. */
typedef struct file_access {
	int (*run)(hc_card_t *card, void *arg);
	int idempotent;
	int (*strings)(const wsb_dev_t *d, const hc_file_def_t *f, const wsb_file_t *wf, char *const *v, void *obj);
	int strings_first;
	wsb_op_t fail;
} file_access_t;

static const file_access_t file_read = { run_read, 1, strings_out, 0, WSB_OP_READ_RECORD };
static const file_access_t file_write = { run_write, 0, strings_in, 1, WSB_OP_WRITE_RECORD };

static int
file_call(HANDLE h, const file_access_t *acc, const wsb_file_t *wf, char *const *v)
{
	const hc_file_def_t *f = hc_profile_file(wf->file);
	file_op_t op = { wf, NULL };
	wsb_dev_t *d;
	size_t i;
	int ret, rc = HC_OK;

	if ((ret = wsb_enter(h, &d)) != IRV_OK)
		return ret;
	ret = IRV_PARA_ERR;
	for (i = 0; i < wf->n; i++)
		if (v[i] == NULL)
			goto out;
	if (f == NULL || f->n_elements != wf->n || (op.obj = calloc(1, wf->obj_size)) == NULL) {
		ret = IRV_CARD_ERR;
		goto out;
	}
	if (acc->strings_first)
		rc = acc->strings(d, f, wf, v, op.obj);
	if (rc == HC_OK)
		rc = wsb_run(d, acc->run, &op, acc->idempotent);
	if (rc == HC_OK && !acc->strings_first)
		rc = acc->strings(d, f, wf, v, op.obj);
	ret = wsb_irv(rc, acc->fail);
out:
	if (op.obj != NULL)
		hc_wipe(op.obj, wf->obj_size);
	free(op.obj);
	wsb_leave(d);
	return ret;
}

/* --- the national calls ----------------------------------------------------------------- */

int
iR_DDF1EF05Info(HANDLE h, char *KLB, char *GFBB, char *FKJGMC, char *FKJGDM, char *FKJGZS,
                char *FKSJ, char *KH, char *AQM, char *XPXLH, char *YYCSDM)
{
	char *const v[] = { KLB, GFBB, FKJGMC, FKJGDM, FKJGZS, FKSJ, KH, AQM, XPXLH, YYCSDM };
	return file_call(h, &file_read, &f_ddf1_ef05, v);
}

int
iW_DDF1EF05Info(HANDLE h, char *KLB, char *GFBB, char *FKJGMC, char *FKJGDM, char *FKJGZS,
                char *FKSJ, char *KH, char *AQM, char *XPXLH, char *YYCSDM)
{
	char *const v[] = { KLB, GFBB, FKJGMC, FKJGDM, FKJGZS, FKSJ, KH, AQM, XPXLH, YYCSDM };
	return file_call(h, &file_write, &f_ddf1_ef05, v);
}

int
iR_DDF1EF06Info(HANDLE h, char *XM, char *XB, char *MZ, char *CSRQ, char *SFZH)
{
	char *const v[] = { XM, XB, MZ, CSRQ, SFZH };
	return file_call(h, &file_read, &f_ddf1_ef06, v);
}

int
iW_DDF1EF06Info(HANDLE h, char *XM, char *XB, char *MZ, char *CSRQ, char *SFZH)
{
	char *const v[] = { XM, XB, MZ, CSRQ, SFZH };
	return file_call(h, &file_write, &f_ddf1_ef06, v);
}

int
iR_DDF1EF08Info(HANDLE h, char *KYXQ, char *BRDH1, char *BRDH2, char *YLFYZFFS1,
                char *YLFYZFFS2, char *YLFYZFFS3)
{
	char *const v[] = { KYXQ, BRDH1, BRDH2, YLFYZFFS1, YLFYZFFS2, YLFYZFFS3 };
	return file_call(h, &file_read, &f_ddf1_ef08, v);
}

int
iW_DDF1EF08Info(HANDLE h, char *KYXQ, char *BRDH1, char *BRDH2, char *YLFYZFFS1,
                char *YLFYZFFS2, char *YLFYZFFS3)
{
	char *const v[] = { KYXQ, BRDH1, BRDH2, YLFYZFFS1, YLFYZFFS2, YLFYZFFS3 };
	return file_call(h, &file_write, &f_ddf1_ef08, v);
}

int
iR_DF01EF05Info(HANDLE h, char *DZLB1, char *DZ1, char *DZLB2, char *DZ2)
{
	char *const v[] = { DZLB1, DZ1, DZLB2, DZ2 };
	return file_call(h, &file_read, &f_df01_ef05, v);
}

int
iW_DF01EF05Info(HANDLE h, char *DZLB1, char *DZ1, char *DZLB2, char *DZ2)
{
	char *const v[] = { DZLB1, DZ1, DZLB2, DZ2 };
	return file_call(h, &file_write, &f_df01_ef05, v);
}

int
iR_DF01EF06Info(HANDLE h, char *LXRXM1, char *LXRGX1, char *LXRDH1, char *LXRXM2,
                char *LXRGX2, char *LXRDH2, char *LXRXM3, char *LXRGX3, char *LXRDH3)
{
	char *const v[] = { LXRXM1, LXRGX1, LXRDH1, LXRXM2, LXRGX2, LXRDH2, LXRXM3, LXRGX3, LXRDH3 };
	return file_call(h, &file_read, &f_df01_ef06, v);
}

int
iW_DF01EF06Info(HANDLE h, char *LXRXM1, char *LXRGX1, char *LXRDH1, char *LXRXM2,
                char *LXRGX2, char *LXRDH2, char *LXRXM3, char *LXRGX3, char *LXRDH3)
{
	char *const v[] = { LXRXM1, LXRGX1, LXRDH1, LXRXM2, LXRGX2, LXRDH2, LXRXM3, LXRGX3, LXRDH3 };
	return file_call(h, &file_write, &f_df01_ef06, v);
}

int
iR_DF01EF07Info(HANDLE h, char *WHCD, char *HYZK, char *ZY)
{
	char *const v[] = { WHCD, HYZK, ZY };
	return file_call(h, &file_read, &f_df01_ef07, v);
}

int
iW_DF01EF07Info(HANDLE h, char *WHCD, char *HYZK, char *ZY)
{
	char *const v[] = { WHCD, HYZK, ZY };
	return file_call(h, &file_write, &f_df01_ef07, v);
}

int
iR_DF01EF08Info(HANDLE h, char *ZJLB, char *ZJHM, char *JKDAH, char *XNHZH)
{
	char *const v[] = { ZJLB, ZJHM, JKDAH, XNHZH };
	return file_call(h, &file_read, &f_df01_ef08, v);
}

int
iW_DF01EF08Info(HANDLE h, char *ZJLB, char *ZJHM, char *JKDAH, char *XNHZH)
{
	char *const v[] = { ZJLB, ZJHM, JKDAH, XNHZH };
	return file_call(h, &file_write, &f_df01_ef08, v);
}

int
iR_DF02EF05Info(HANDLE h, char *ABOXX, char *RHXX, char *XCBZ, char *XZBBZ, char *XNXGBBZ,
                char *DXBBZ, char *NXWLBZ, char *TNBBZ, char *QGYBZ, char *TXBZ,
                char *QGYZBZ, char *QGQSBZ, char *KZXYZBZ, char *XZQBQBZ, char *QTYXJSMC)
{
	char *const v[] = { ABOXX, RHXX, XCBZ, XZBBZ, XNXGBBZ, DXBBZ, NXWLBZ, TNBBZ, QGYBZ, TXBZ,
	                    QGYZBZ, QGQSBZ, KZXYZBZ, XZQBQBZ, QTYXJSMC };
	return file_call(h, &file_read, &f_df02_ef05, v);
}

int
iW_DF02EF05Info(HANDLE h, char *ABOXX, char *RHXX, char *XCBZ, char *XZBBZ, char *XNXGBBZ,
                char *DXBBZ, char *NXWLBZ, char *TNBBZ, char *QGYBZ, char *TXBZ,
                char *QGYZBZ, char *QGQSBZ, char *KZXYZBZ, char *XZQBQBZ, char *QTYXJSMC)
{
	char *const v[] = { ABOXX, RHXX, XCBZ, XZBBZ, XNXGBBZ, DXBBZ, NXWLBZ, TNBBZ, QGYBZ, TXBZ,
	                    QGYZBZ, QGQSBZ, KZXYZBZ, XZQBQBZ, QTYXJSMC };
	return file_call(h, &file_write, &f_df02_ef05, v);
}

int
iR_DF02EF06Info(HANDLE h, char *JSBBZ)
{
	char *const v[] = { JSBBZ };
	return file_call(h, &file_read, &f_df02_ef06, v);
}

int
iW_DF02EF06Info(HANDLE h, char *JSBBZ)
{
	char *const v[] = { JSBBZ };
	return file_call(h, &file_write, &f_df02_ef06, v);
}
