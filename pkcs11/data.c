/*
 * hcard-pkcs11: one CKO_DATA object per file of the health environment (card-profile.md §2),
 * CKA_APPLICATION "hcard", CKA_LABEL the file's name ("DDF1/EF06 cardholder"), CKA_VALUE the
 * file's raw content as the card stores it (records back to back). The issuer data
 * (DDF1/EF05) is public; everything else is private (after C_Login) and read through the SAM
 * by libhcard. Values are read on first use and kept until the card goes.
 *
 * Writes (R/W session, logged in): C_SetAttributeValue(CKA_VALUE) of a variable-record file
 * updates the elements that changed (same tags and lengths), of a binary file its content;
 * C_CreateObject with the label of DF02/EF07 (allergies) or DF02/EF08 (immunisations) and
 * CKA_VALUE = one entry appends it (cyclic files). CKA_MODIFIABLE says whether the
 * terminal's SAM type holds the file's update key.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "apdu/buf.h"
#include "apdu/tlv.h"
#include "hcard_pki.h"
#include "pkcs11/p11.h"
#include "src/health_io.h"
#include "src/profile.h"

#define DATA_APPLICATION "hcard"
#define DATA_VALUE_MAX 4096u

/*
 * CKA_OBJECT_ID [PC]: 2.25.<UUID 5f1c8a8e-0b7e-4d57-9a53-8d7c4c1e2a11>.<DF FID>.<EF FID>
 * (X.667 UUID arc: needs no registration). DER prefix of 2.25.<uuid>, the FIDs appended.
 */
static const uint8_t oid_prefix[] = {
	0x69, 0x81, 0xBE, 0x9C, 0xC5, 0xA3, 0xC1, 0xB7, 0xF2, 0xB5, 0xAF, 0x9A, 0xA9, 0xE3,
	0xAF, 0xC4, 0xE0, 0xF8, 0xD4, 0x11
};

static size_t
put_arc(uint8_t *p, unsigned v)
{
	/* base-128, at most 3 bytes for 16-bit FIDs */
	if (v >= 1u << 14) {
		p[0] = (uint8_t)(0x80 | (v >> 14));
		p[1] = (uint8_t)(0x80 | ((v >> 7) & 0x7F));
		p[2] = (uint8_t)(v & 0x7F);
		return 3;
	}
	if (v >= 1u << 7) {
		p[0] = (uint8_t)(0x80 | (v >> 7));
		p[1] = (uint8_t)(v & 0x7F);
		return 2;
	}
	p[0] = (uint8_t)v;
	return 1;
}

static const uint16_t app_fid[] = {
	[HC_APP_DDF1] = 0xDDF1, [HC_APP_DF01] = 0xDF01, [HC_APP_DF02] = 0xDF02,
	[HC_APP_DF03] = 0xDF03,
};

static size_t
object_id(const hc_file_def_t *f, uint8_t *out, size_t cap)
{
	size_t n = 2;

	if (cap < 2 + sizeof(oid_prefix) + 6 || (size_t)f->app >= sizeof(app_fid) / sizeof(app_fid[0]))
		return 0;
	memcpy(out + n, oid_prefix, sizeof(oid_prefix));
	n += sizeof(oid_prefix);
	n += put_arc(out + n, app_fid[f->app]);
	n += put_arc(out + n, f->fid);
	out[0] = 0x06;
	out[1] = (uint8_t)(n - 2);
	return n;
}

static size_t
file_bytes(const hc_file_def_t *f)
{
	if (f->kind == HC_FILE_VARIABLE)
		return hc_profile_record_bytes(f);
	if (f->kind == HC_FILE_BINARY)
		return f->size;
	return (size_t)f->size * f->records;
}

/* 1 if a SAM of the terminal's type holds f's update key. */
static int
sam_may_write(const p11_slot_t *slot, const hc_file_def_t *f)
{
	const hc_key_def_t *k;

	if (slot->sam_type <= 0 || f->write_key == HC_KEY_NONE ||
	    (k = hc_profile_key(f->write_key)) == NULL)
		return 0;
	/* DF03 index files need the MAC-only set/erase commands: not offered here */
	if (f->kind == HC_FILE_FIXED)
		return 0;
	return (k->sam_types >> slot->sam_type) & 1u;
}

int
p11_data_add_objects(p11_slot_t *slot)
{
	hc_sam_info_t info;
	const hc_file_def_t *f;
	p11_object_t *o;
	uint8_t oid[40];
	size_t n, i;
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BBOOL t = CK_TRUE, priv, mod;

	slot->sam_type = hc_terminal_sam_info(slot->term, &info) == HC_OK ? info.type : 0;
	for (i = 0; i < HC_FILE__COUNT; i++) {
		if ((f = hc_profile_file((hc_file_id_t)i)) == NULL || (n = object_id(f, oid, sizeof(oid))) == 0)
			continue;
		if (slot->n_objects >= P11_MAX_OBJECTS)
			return -1;
		o = &slot->objects[slot->n_objects++];
		memset(o, 0, sizeof(*o));
		o->cls = CKO_DATA;
		o->file_id = (int)i;
		o->private_obj = f->read_key != HC_KEY_NONE;
		priv = o->private_obj ? CK_TRUE : CK_FALSE;
		mod = sam_may_write(slot, f) ? CK_TRUE : CK_FALSE;
		if (p11_attr_add(o, CKA_CLASS, &cls, sizeof(cls)) != 0 ||
		    p11_attr_add(o, CKA_TOKEN, &t, sizeof(t)) != 0 ||
		    p11_attr_add(o, CKA_PRIVATE, &priv, sizeof(priv)) != 0 ||
		    p11_attr_add(o, CKA_MODIFIABLE, &mod, sizeof(mod)) != 0 ||
		    p11_attr_add(o, CKA_LABEL, f->name, strlen(f->name)) != 0 ||
		    p11_attr_add(o, CKA_APPLICATION, DATA_APPLICATION, strlen(DATA_APPLICATION)) != 0 ||
		    p11_attr_add(o, CKA_OBJECT_ID, oid, n) != 0)
			return -1;
	}
	return 0;
}

static int
read_file(hc_card_t *card, const hc_file_def_t *f, uint8_t *buf, size_t want, size_t *len)
{
	if (f->kind == HC_FILE_BINARY)
		return hc_io_read_binary(card, f, 0, want, buf, len);
	return hc_io_read_records(card, f, buf, want, len);
}

/* Reads the file's raw content into the object's CKA_VALUE unless already there. */
CK_RV
p11_data_value(p11_ctx_t *ctx, p11_slot_t *slot, p11_object_t *o)
{
	const hc_file_def_t *f;
	uint8_t *buf = NULL;
	size_t len = 0, want;
	int err;
	CK_RV rv = CKR_OK;

	if (o->cls != CKO_DATA || o->value_loaded)
		return CKR_OK;
	if ((f = hc_profile_file((hc_file_id_t)o->file_id)) == NULL)
		return CKR_GENERAL_ERROR;
	want = file_bytes(f);
	if (want == 0 || want > DATA_VALUE_MAX || (buf = malloc(want)) == NULL)
		return CKR_HOST_MEMORY;
	if ((rv = p11_slot_card(ctx, slot)) != CKR_OK)
		goto out;
	err = read_file(slot->card, f, buf, want, &len);
	if (err == HC_ERR_CARD_RESET && (slot->logged_in = 0) == 0)
		err = read_file(slot->card, f, buf, want, &len);   /* reconnected: once more */
	if (err != HC_OK) {
		rv = p11_slot_error(ctx, slot, err);
		goto out;
	}
	if (p11_attr_add(o, CKA_VALUE, buf, len) != 0) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	o->value_loaded = 1;
out:
	if (buf != NULL)
		hc_wipe(buf, want);
	free(buf);
	return rv;
}

/* Drops a cached value so that the next read fetches the card's. */
static void
data_forget(p11_object_t *o)
{
	size_t i;

	for (i = 0; i < o->n_attrs; i++) {
		if (o->attrs[i].type != CKA_VALUE)
			continue;
		hc_wipe(o->attrs[i].value, o->attrs[i].len);
		free(o->attrs[i].value);
		o->attrs[i] = o->attrs[--o->n_attrs];
		break;
	}
	o->value_loaded = 0;
}

typedef struct update_ctx {
	hc_card_t *card;
	const hc_file_def_t *f;
	const uint8_t *old;
	size_t old_len;
	int err;
} update_ctx_t;

/* One element of the new content: written if it differs from the card's. */
static int
update_element(const hc_tlv_t *t, void *arg)
{
	update_ctx_t *u = arg;
	hc_tlv_t cur;
	const hc_element_def_t *e = hc_profile_element(u->f, (uint8_t)t->tag);
	uint8_t tlv[2 + 255];

	if (e == NULL || t->len != e->len) {
		u->err = HC_ERR_BAD_VALUE;   /* card-profile.md §2: same tag and length */
		return -1;
	}
	if (hc_stlv_find(u->old, u->old_len, (uint8_t)t->tag, &cur) == 0 && cur.len == t->len &&
	    memcmp(cur.value, t->value, t->len) == 0)
		return 0;
	tlv[0] = (uint8_t)t->tag;
	tlv[1] = (uint8_t)t->len;
	memcpy(tlv + 2, t->value, t->len);
	u->err = hc_io_update_element(u->card, u->f, tlv, 2 + t->len);
	return u->err == HC_OK ? 0 : -1;
}

CK_RV
p11_data_set_value(p11_ctx_t *ctx, p11_slot_t *slot, p11_object_t *o, const uint8_t *v,
                   CK_ULONG len)
{
	const hc_file_def_t *f = hc_profile_file((hc_file_id_t)o->file_id);
	const p11_attr_t *cur;
	update_ctx_t u;
	CK_RV rv;

	if (f == NULL)
		return CKR_GENERAL_ERROR;
	if (!sam_may_write(slot, f) || f->kind == HC_FILE_CYCLIC)
		return CKR_ACTION_PROHIBITED;
	if ((rv = p11_data_value(ctx, slot, o)) != CKR_OK)
		return rv;
	cur = p11_object_attr(o, CKA_VALUE);
	memset(&u, 0, sizeof(u));
	u.card = slot->card;
	u.f = f;
	u.old = cur != NULL ? cur->value : NULL;
	u.old_len = cur != NULL ? cur->len : 0;
	if (f->kind == HC_FILE_BINARY) {
		if (len > f->size)
			return CKR_ATTRIBUTE_VALUE_INVALID;
		u.err = hc_io_update_binary(slot->card, f, 0, v, len);
	} else if (hc_stlv_walk(v, len, update_element, &u) != 0 && u.err == HC_OK) {
		u.err = HC_ERR_BAD_VALUE;   /* malformed `tag len value` sequence */
	}
	data_forget(o);
	if (u.err == HC_ERR_BAD_VALUE)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	return u.err == HC_OK ? CKR_OK : p11_slot_error(ctx, slot, u.err);
}

CK_RV
p11_data_append(p11_ctx_t *ctx, p11_slot_t *slot, p11_object_t *o, const uint8_t *entry,
                CK_ULONG len)
{
	const hc_file_def_t *f = hc_profile_file((hc_file_id_t)o->file_id);
	int err;

	if (f == NULL || f->kind != HC_FILE_CYCLIC)
		return CKR_TEMPLATE_INCONSISTENT;
	if (!sam_may_write(slot, f))
		return CKR_ACTION_PROHIBITED;
	if (len != f->size)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if ((err = hc_io_append(slot->card, f, entry, len)) != HC_OK)
		return p11_slot_error(ctx, slot, err);
	data_forget(o);
	return CKR_OK;
}
