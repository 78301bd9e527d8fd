/*
 * hcard-pkcs11: token objects. For each PKI key (pki.md): a private key, a public key and an
 * X.509 certificate sharing CKA_ID = the key reference. Objects are read from the card once
 * per card (the certificates, which carry the public keys) and kept until the card goes.
 * Handles encode (slot, card generation, index), so a handle of a removed card is invalid.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "apdu/buf.h"
#include "apdu/tlv.h"
#include "hcard_pki.h"
#include "pkcs11/p11.h"
#include "src/session_sec.h"

/* DER OIDs of CKA_EC_PARAMS (pki.md): prime256v1 and the SM2 curve 1.2.156.10197.1.301. */
static const uint8_t oid_p256[] = { 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07 };
static const uint8_t oid_sm2[] = { 0x06, 0x08, 0x2A, 0x81, 0x1C, 0xCF, 0x55, 0x01, 0x82, 0x2D };

/* The PKI keys as data. */
static const struct {
	int ref;
	const char *label;
	const uint8_t *ec_params;
	size_t ec_params_len;
	CK_MECHANISM_TYPE mechs[4];
	size_t n_mechs;
	CK_BBOOL always_auth;
} pki_keys[] = {
	{ HC_PKI_KEY_AUTH, "Authentication key", oid_p256, sizeof(oid_p256),
	  { CKM_ECDSA, CKM_ECDSA_SHA256, CKM_ECDSA_SHA384, CKM_ECDSA_SHA512 }, 4, CK_FALSE },
	{ HC_PKI_KEY_SIGN, "Signature key (SM2)", oid_sm2, sizeof(oid_sm2),
	  { CKM_HC_SM2_RAW, CKM_HC_SM2_SM3, 0, 0 }, 2, CK_TRUE },
};

CK_OBJECT_HANDLE
p11_object_handle(CK_SLOT_ID slot, unsigned generation, size_t idx)
{
	return ((CK_OBJECT_HANDLE)(slot + 1) << 24) | ((CK_OBJECT_HANDLE)(generation & 0xFFFu) << 12) |
	       (CK_OBJECT_HANDLE)(idx + 1);
}

const p11_attr_t *
p11_object_attr(const p11_object_t *o, CK_ATTRIBUTE_TYPE type)
{
	size_t i;

	for (i = 0; i < o->n_attrs; i++)
		if (o->attrs[i].type == type)
			return &o->attrs[i];
	return NULL;
}

int
p11_attr_add(p11_object_t *o, CK_ATTRIBUTE_TYPE type, const void *value, size_t len)
{
	p11_attr_t *a;

	if (o->n_attrs >= P11_MAX_ATTRS)
		return -1;
	a = &o->attrs[o->n_attrs];
	a->value = NULL;
	if (len > 0 && (a->value = malloc(len)) == NULL)
		return -1;
	if (len > 0)
		memcpy(a->value, value, len);
	a->type = type;
	a->len = (CK_ULONG)len;
	o->n_attrs++;
	return 0;
}

static int
add_bool(p11_object_t *o, CK_ATTRIBUTE_TYPE type, CK_BBOOL v)
{
	return p11_attr_add(o, type, &v, sizeof(v));
}

static int
add_ulong(p11_object_t *o, CK_ATTRIBUTE_TYPE type, CK_ULONG v)
{
	return p11_attr_add(o, type, &v, sizeof(v));
}

static p11_object_t *
new_object(p11_slot_t *slot, CK_OBJECT_CLASS cls, int key_ref, int private_obj)
{
	p11_object_t *o;

	if (slot->n_objects >= P11_MAX_OBJECTS)
		return NULL;
	o = &slot->objects[slot->n_objects++];
	memset(o, 0, sizeof(*o));
	o->cls = cls;
	o->file_id = -1;
	o->key_ref = key_ref;
	o->private_obj = private_obj;
	return o;
}

void
p11_objects_free(p11_slot_t *slot)
{
	size_t i, j;

	for (i = 0; i < slot->n_objects; i++) {
		for (j = 0; j < slot->objects[i].n_attrs; j++) {
			/* data values are card contents: wiped */
			hc_wipe(slot->objects[i].attrs[j].value, slot->objects[i].attrs[j].len);
			free(slot->objects[i].attrs[j].value);
			slot->objects[i].attrs[j].value = NULL;
		}
		slot->objects[i].n_attrs = 0;
	}
	slot->n_objects = 0;
	slot->objects_loaded = 0;
}

/* DER of a certificate's parts, for CKA_SUBJECT / CKA_ISSUER / CKA_SERIAL_NUMBER. */
typedef struct cert_parts {
	unsigned char *subject, *issuer, *serial;
	int subject_len, issuer_len, serial_len;
	uint8_t pub[64];
	char cn[128];
	char number[32];
} cert_parts_t;

static void
cert_parts_free(cert_parts_t *cp)
{
	OPENSSL_free(cp->subject);
	OPENSSL_free(cp->issuer);
	OPENSSL_free(cp->serial);
	memset(cp, 0, sizeof(*cp));
}

static void
name_entry(const X509_NAME *name, int nid, char *out, size_t cap)
{
	int i = X509_NAME_get_index_by_NID(name, nid, -1);
	unsigned char *utf8 = NULL;
	int n;

	out[0] = '\0';
	if (i < 0)
		return;
	n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
	if (n > 0 && (size_t)n < cap) {
		memcpy(out, utf8, (size_t)n);
		out[n] = '\0';
	}
	OPENSSL_free(utf8);
}

static int
cert_parse(const uint8_t *der, size_t len, cert_parts_t *cp)
{
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	EVP_PKEY *pk;
	uint8_t enc[65];
	size_t enc_len = 0;
	int ret = -1;

	memset(cp, 0, sizeof(*cp));
	if (x == NULL)
		return -1;
	cp->subject_len = i2d_X509_NAME(X509_get_subject_name(x), &cp->subject);
	cp->issuer_len = i2d_X509_NAME(X509_get_issuer_name(x), &cp->issuer);
	cp->serial_len = i2d_ASN1_INTEGER(X509_get0_serialNumber(x), &cp->serial);
	if (cp->subject_len <= 0 || cp->issuer_len <= 0 || cp->serial_len <= 0)
		goto out;
	if ((pk = X509_get0_pubkey(x)) == NULL ||
	    EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_PUB_KEY, enc, sizeof(enc),
	                                    &enc_len) != 1 || enc_len != 65 || enc[0] != 0x04)
		goto out;
	memcpy(cp->pub, enc + 1, 64);
	name_entry(X509_get_subject_name(x), NID_commonName, cp->cn, sizeof(cp->cn));
	name_entry(X509_get_subject_name(x), NID_serialNumber, cp->number, sizeof(cp->number));
	ret = 0;
out:
	if (ret != 0)
		cert_parts_free(cp);
	X509_free(x);
	return ret;
}

static int
add_common(p11_object_t *o, const char *label, uint8_t id, CK_BBOOL priv)
{
	return add_ulong(o, CKA_CLASS, o->cls) | add_bool(o, CKA_TOKEN, CK_TRUE) |
	       add_bool(o, CKA_PRIVATE, priv) | add_bool(o, CKA_MODIFIABLE, CK_FALSE) |
	       add_bool(o, CKA_COPYABLE, CK_FALSE) | add_bool(o, CKA_DESTROYABLE, CK_FALSE) |
	       p11_attr_add(o, CKA_LABEL, label, strlen(label)) | p11_attr_add(o, CKA_ID, &id, 1);
}

/* The three objects of one PKI key. */
static int
add_key_objects(p11_slot_t *slot, size_t k, const uint8_t pub[64], const uint8_t *cert,
                size_t cert_len, const cert_parts_t *cp)
{
	uint8_t id = (uint8_t)pki_keys[k].ref, point[67];
	const char *label = pki_keys[k].label;
	p11_object_t *o;
	int r;

	/* CKA_EC_POINT: DER OCTET STRING of the uncompressed point */
	point[0] = 0x04;
	point[1] = 0x41;
	point[2] = 0x04;
	memcpy(point + 3, pub, 64);

	if ((o = new_object(slot, CKO_PRIVATE_KEY, pki_keys[k].ref, 1)) == NULL)
		return -1;
	r = add_common(o, label, id, CK_TRUE) | add_ulong(o, CKA_KEY_TYPE, CKK_EC) |
	    p11_attr_add(o, CKA_EC_PARAMS, pki_keys[k].ec_params, pki_keys[k].ec_params_len) |
	    add_bool(o, CKA_SIGN, CK_TRUE) | add_bool(o, CKA_SIGN_RECOVER, CK_FALSE) |
	    add_bool(o, CKA_DECRYPT, CK_FALSE) | add_bool(o, CKA_UNWRAP, CK_FALSE) |
	    add_bool(o, CKA_DERIVE, CK_FALSE) | add_bool(o, CKA_SENSITIVE, CK_TRUE) |
	    add_bool(o, CKA_ALWAYS_SENSITIVE, CK_TRUE) | add_bool(o, CKA_EXTRACTABLE, CK_FALSE) |
	    add_bool(o, CKA_NEVER_EXTRACTABLE, CK_TRUE) | add_bool(o, CKA_LOCAL, CK_TRUE) |
	    add_ulong(o, CKA_KEY_GEN_MECHANISM, CKM_EC_KEY_PAIR_GEN) |
	    add_bool(o, CKA_ALWAYS_AUTHENTICATE, pki_keys[k].always_auth) |
	    p11_attr_add(o, CKA_ALLOWED_MECHANISMS, pki_keys[k].mechs,
	             pki_keys[k].n_mechs * sizeof(CK_MECHANISM_TYPE));
	if (cp != NULL)
		r |= p11_attr_add(o, CKA_SUBJECT, cp->subject, (size_t)cp->subject_len);
	if (r != 0)
		return -1;

	if ((o = new_object(slot, CKO_PUBLIC_KEY, pki_keys[k].ref, 0)) == NULL)
		return -1;
	r = add_common(o, label, id, CK_FALSE) | add_ulong(o, CKA_KEY_TYPE, CKK_EC) |
	    p11_attr_add(o, CKA_EC_PARAMS, pki_keys[k].ec_params, pki_keys[k].ec_params_len) |
	    p11_attr_add(o, CKA_EC_POINT, point, sizeof(point)) | add_bool(o, CKA_VERIFY, CK_TRUE) |
	    add_bool(o, CKA_VERIFY_RECOVER, CK_FALSE) | add_bool(o, CKA_ENCRYPT, CK_FALSE) |
	    add_bool(o, CKA_WRAP, CK_FALSE) | add_bool(o, CKA_DERIVE, CK_FALSE) |
	    add_bool(o, CKA_LOCAL, CK_TRUE) | add_bool(o, CKA_TRUSTED, CK_FALSE);
	if (cp != NULL)
		r |= p11_attr_add(o, CKA_SUBJECT, cp->subject, (size_t)cp->subject_len);
	if (r != 0)
		return -1;

	if (cert == NULL)
		return 0;
	if ((o = new_object(slot, CKO_CERTIFICATE, pki_keys[k].ref, 0)) == NULL)
		return -1;
	r = add_common(o, label, id, CK_FALSE) | add_ulong(o, CKA_CERTIFICATE_TYPE, CKC_X_509) |
	    add_bool(o, CKA_TRUSTED, CK_FALSE) | add_ulong(o, CKA_CERTIFICATE_CATEGORY, 1) |
	    p11_attr_add(o, CKA_VALUE, cert, cert_len) |
	    p11_attr_add(o, CKA_SUBJECT, cp->subject, (size_t)cp->subject_len) |
	    p11_attr_add(o, CKA_ISSUER, cp->issuer, (size_t)cp->issuer_len) |
	    p11_attr_add(o, CKA_SERIAL_NUMBER, cp->serial, (size_t)cp->serial_len);
	return r != 0 ? -1 : 0;
}

/* Copies at most cap-1 bytes of UTF-8 text without cutting a character in two. */
static void
utf8_copy(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n >= cap) {
		n = cap - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;   /* src[n] continues a character: cut before it starts */
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void
set_identity(p11_slot_t *slot, const cert_parts_t *cp)
{
	size_t n;

	if (cp->cn[0] != '\0' && slot->label[0] == '\0')
		utf8_copy(slot->label, sizeof(slot->label), cp->cn);
	if (cp->number[0] != '\0' && slot->serial[0] == '\0') {
		/* the last 16 characters of the card number */
		n = strlen(cp->number);
		snprintf(slot->serial, sizeof(slot->serial), "%s", cp->number + (n > 16 ? n - 16 : 0));
	}
}

/* Token serial = the issue serial (DDF1/EF05 tag 10, read when the card session opened) once
 * the card is issued; before that the card number's end (set_identity). */
static void
issue_serial(p11_slot_t *slot)
{
	const uint8_t *ef05;
	size_t len = 0, i, n = 0;
	hc_tlv_t t;
	char serial[17];

	if ((ef05 = hc_session_ef05(slot->card, &len)) == NULL ||
	    hc_stlv_find(ef05, len, 0x10, &t) != 0)
		return;
	for (i = 0; i < t.len && n < sizeof(serial) - 1; i++) {
		if (t.value[i] == 0x00)
			break;   /* ans: right-padded with 00 */
		if (t.value[i] < 0x20 || t.value[i] > 0x7E)
			return;  /* not printable: leave the fallback */
		serial[n++] = (char)t.value[i];
	}
	if (n == 0)
		return;
	serial[n] = '\0';
	snprintf(slot->serial, sizeof(slot->serial), "%s", serial);
}

CK_RV
p11_objects_load(p11_ctx_t *ctx, p11_slot_t *slot)
{
	uint8_t *cert = NULL, pub[64];
	size_t k, cert_len = 0;
	cert_parts_t cp;
	int err, have_cp;
	CK_RV rv = CKR_OK;

	if (slot->objects_loaded)
		return CKR_OK;
	if ((rv = p11_slot_card(ctx, slot)) != CKR_OK)
		return rv;
	if ((cert = malloc(HC_PKI_CERT_MAX)) == NULL)
		return CKR_HOST_MEMORY;
	memset(&cp, 0, sizeof(cp));
	slot->label[0] = slot->serial[0] = '\0';
	for (k = 0; k < sizeof(pki_keys) / sizeof(pki_keys[0]); k++) {
		have_cp = 0;
		/* the certificate carries the public key: READ PUBLIC KEY only without one */
		err = hc_pki_read_certificate(slot->card, pki_keys[k].ref, cert, HC_PKI_CERT_MAX,
		                              &cert_len);
		if (err == HC_ERR_CARD_RESET && (slot->logged_in = 0) == 0)   /* once more */
			err = hc_pki_read_certificate(slot->card, pki_keys[k].ref, cert,
			                              HC_PKI_CERT_MAX, &cert_len);
		if (err == HC_OK && cert_parse(cert, cert_len, &cp) == 0) {
			have_cp = 1;
			memcpy(pub, cp.pub, 64);
			set_identity(slot, &cp);
		} else if (err == HC_OK || err == HC_ERR_CERTIFICATE) {
			err = hc_pki_read_public_key(slot->card, pki_keys[k].ref, pub);
			if (err == HC_ERR_KEY_NOT_FOUND)
				continue;   /* not issued yet */
		} else if (err == HC_ERR_FILE_NOT_FOUND) {
			break;          /* no PKI application on this card */
		}
		if (err != HC_OK) {
			rv = p11_slot_error(ctx, slot, err);
			goto out;
		}
		memcpy(slot->pub[k], pub, 64);
		if (add_key_objects(slot, k, pub, have_cp ? cert : NULL, cert_len,
		                    have_cp ? &cp : NULL) != 0) {
			rv = CKR_HOST_MEMORY;
			goto out;
		}
		cert_parts_free(&cp);
	}
	if (slot->label[0] == '\0')
		snprintf(slot->label, sizeof(slot->label), "Resident Health Card");
	issue_serial(slot);
	if (p11_data_add_objects(slot) != 0) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	slot->objects_loaded = 1;
out:
	cert_parts_free(&cp);
	if (rv != CKR_OK)
		p11_objects_free(slot);
	free(cert);
	return rv;
}

CK_RV
p11_object_get(p11_ctx_t *ctx, p11_session_t *s, CK_OBJECT_HANDLE h, p11_slot_t **slot_out,
               p11_object_t **obj)
{
	p11_slot_t *slot = &ctx->slots[s->slot];
	size_t idx = (size_t)(h & 0xFFFu);

	if ((h >> 24) != s->slot + 1 || ((h >> 12) & 0xFFFu) != (slot->generation & 0xFFFu) ||
	    idx == 0 || idx > slot->n_objects || !slot->objects_loaded)
		return CKR_OBJECT_HANDLE_INVALID;
	if (slot->objects[idx - 1].private_obj && !slot->logged_in)
		return CKR_OBJECT_HANDLE_INVALID;
	*slot_out = slot;
	*obj = &slot->objects[idx - 1];
	return CKR_OK;
}

CK_RV
C_GetAttributeValue(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE oh, CK_ATTRIBUTE_PTR tmpl, CK_ULONG n)
{
	p11_call_t c;
	p11_object_t *o = NULL;
	const p11_attr_t *a;
	CK_ULONG i;
	CK_RV rv, rv2;

	if ((rv = p11_begin_session(&c, p11_args(tmpl != NULL || n == 0), h, 0)) != CKR_OK ||
	    (rv = p11_object_get(c.ctx, c.s, oh, &c.slot, &o)) != CKR_OK)
		goto out;
	for (i = 0; i < n; i++) {
		/* a data object's value is read from the card when first asked for */
		if (tmpl[i].type == CKA_VALUE && o->cls == CKO_DATA &&
		    (rv2 = p11_data_value(c.ctx, c.slot, o)) != CKR_OK) {
			rv = rv2;
			goto out;
		}
		if (o->cls == CKO_PRIVATE_KEY && (tmpl[i].type == CKA_VALUE ||
		                                  tmpl[i].type == CKA_PRIVATE_EXPONENT)) {
			/* the private key never leaves the card */
			tmpl[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			rv = CKR_ATTRIBUTE_SENSITIVE;
		} else if ((a = p11_object_attr(o, tmpl[i].type)) == NULL) {
			tmpl[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			if (rv == CKR_OK || rv == CKR_BUFFER_TOO_SMALL)
				rv = CKR_ATTRIBUTE_TYPE_INVALID;
		} else if (tmpl[i].pValue == NULL) {
			tmpl[i].ulValueLen = a->len;
		} else if (tmpl[i].ulValueLen < a->len) {
			tmpl[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			if (rv == CKR_OK)
				rv = CKR_BUFFER_TOO_SMALL;
		} else {
			memcpy(tmpl[i].pValue, a->value, a->len);
			tmpl[i].ulValueLen = a->len;
		}
	}
out:
	return p11_end(&c, rv);
}

static int
matches(const p11_object_t *o, const CK_ATTRIBUTE *tmpl, CK_ULONG n)
{
	const p11_attr_t *a;
	CK_ULONG i;

	for (i = 0; i < n; i++) {
		a = p11_object_attr(o, tmpl[i].type);
		if (a == NULL || a->len != tmpl[i].ulValueLen ||
		    (a->len > 0 && (tmpl[i].pValue == NULL ||
		                    memcmp(a->value, tmpl[i].pValue, a->len) != 0)))
			return 0;
	}
	return 1;
}

CK_RV
C_FindObjectsInit(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR tmpl, CK_ULONG n)
{
	p11_call_t c;
	p11_session_t *s;
	p11_slot_t *slot;
	size_t i;
	CK_RV rv;

	if ((rv = p11_begin_session(&c, p11_args(tmpl != NULL || n == 0), h, P11_NEED_IDLE)) !=
	    CKR_OK || (rv = p11_objects_load(c.ctx, c.slot)) != CKR_OK)
		goto out;
	s = c.s;
	slot = c.slot;
	s->n_found = s->found_pos = 0;
	for (i = 0; i < slot->n_objects; i++) {
		if (slot->objects[i].private_obj && !slot->logged_in)
			continue;
		if (matches(&slot->objects[i], tmpl, n))
			s->found[s->n_found++] = p11_object_handle(s->slot, slot->generation, i);
	}
	s->op = P11_OP_FIND;
out:
	return p11_end(&c, rv);
}

CK_RV
C_FindObjects(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE_PTR out_h, CK_ULONG max, CK_ULONG_PTR count)
{
	p11_call_t c;
	p11_session_t *s;
	CK_RV rv;

	if ((rv = p11_begin_session(&c, p11_args(out_h != NULL && count != NULL), h,
	                            P11_NEED_FIND)) != CKR_OK)
		goto out;
	s = c.s;
	*count = 0;
	while (*count < max && s->found_pos < s->n_found)
		out_h[(*count)++] = s->found[s->found_pos++];
out:
	return p11_end(&c, rv);
}

CK_RV
C_FindObjectsFinal(CK_SESSION_HANDLE h)
{
	p11_call_t c;
	CK_RV rv;

	if ((rv = p11_begin_session(&c, CKR_OK, h, P11_NEED_FIND)) == CKR_OK) {
		c.s->op = P11_OP_NONE;
		c.s->n_found = c.s->found_pos = 0;
	}
	return p11_end(&c, rv);
}

/* Writes a data object's CKA_VALUE to the card (the only modifiable attribute). */
CK_RV
C_SetAttributeValue(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE oh, CK_ATTRIBUTE_PTR tmpl, CK_ULONG n)
{
	p11_call_t c;
	p11_object_t *o = NULL;
	const p11_attr_t *mod;
	CK_ULONG i;
	CK_RV rv;

	/* the object before the session's rights: an unknown handle is reported first */
	if ((rv = p11_begin_session(&c, p11_args(tmpl != NULL && n > 0), h, 0)) != CKR_OK ||
	    (rv = p11_object_get(c.ctx, c.s, oh, &c.slot, &o)) != CKR_OK ||
	    (rv = p11_session_check(&c, P11_NEED_RW | P11_NEED_LOGIN)) != CKR_OK)
		goto out;
	mod = p11_object_attr(o, CKA_MODIFIABLE);
	if (o->cls != CKO_DATA || mod == NULL || *(const CK_BBOOL *)mod->value != CK_TRUE) {
		rv = CKR_ACTION_PROHIBITED;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (tmpl[i].type != CKA_VALUE) {
			rv = CKR_ATTRIBUTE_READ_ONLY;
			goto out;
		}
		if (tmpl[i].pValue == NULL && tmpl[i].ulValueLen > 0) {
			rv = CKR_ARGUMENTS_BAD;
			goto out;
		}
	}
	for (i = 0; i < n && rv == CKR_OK; i++)
		rv = p11_data_set_value(c.ctx, c.slot, o, tmpl[i].pValue, tmpl[i].ulValueLen);
out:
	return p11_end(&c, rv);
}

/* Appends an allergy or immunisation entry: CKO_DATA with CKA_TOKEN TRUE, the label of the
 * cyclic file ("DF02/EF07 allergies", "DF02/EF08 immunisations") and CKA_VALUE = the entry.
 * The handle returned is the file's data object. The append is permanent and pushes the
 * oldest entry out, so a template without CKA_TOKEN TRUE (a session object, the default) is
 * CKR_TEMPLATE_INCONSISTENT before anything reaches the card (doc/pkcs11.md "Data objects"). */
CK_RV
C_CreateObject(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR tmpl, CK_ULONG n, CK_OBJECT_HANDLE_PTR out_h)
{
	p11_call_t c;
	p11_slot_t *slot;
	const CK_ATTRIBUTE *label = NULL, *value = NULL;
	const p11_attr_t *l;
	CK_BBOOL token = CK_FALSE;
	CK_ULONG i;
	size_t k;
	CK_RV rv;

	if ((rv = p11_begin_session(&c, p11_args(tmpl != NULL && n > 0 && out_h != NULL), h,
	                            P11_NEED_RW | P11_NEED_LOGIN)) != CKR_OK)
		goto out;
	slot = c.slot;
	for (i = 0; i < n; i++) {
		if (tmpl[i].pValue == NULL && tmpl[i].ulValueLen > 0) {
			rv = CKR_ARGUMENTS_BAD;
			goto out;
		}
		switch (tmpl[i].type) {
		case CKA_CLASS:
			if (tmpl[i].ulValueLen != sizeof(CK_OBJECT_CLASS) ||
			    *(const CK_OBJECT_CLASS *)tmpl[i].pValue != CKO_DATA)
				rv = CKR_TEMPLATE_INCONSISTENT;
			break;
		case CKA_LABEL: label = &tmpl[i]; break;
		case CKA_VALUE: value = &tmpl[i]; break;
		case CKA_TOKEN:
			if (tmpl[i].ulValueLen != sizeof(CK_BBOOL))
				rv = CKR_ATTRIBUTE_VALUE_INVALID;
			else
				token = *(const CK_BBOOL *)tmpl[i].pValue;
			break;
		case CKA_PRIVATE: case CKA_APPLICATION: break;
		default: rv = CKR_ATTRIBUTE_TYPE_INVALID; break;
		}
		if (rv != CKR_OK)
			goto out;
	}
	if (token != CK_TRUE) {
		rv = CKR_TEMPLATE_INCONSISTENT;   /* no session objects: never the card */
		goto out;
	}
	if (label == NULL || value == NULL) {
		rv = CKR_TEMPLATE_INCOMPLETE;
		goto out;
	}
	if ((rv = p11_objects_load(c.ctx, slot)) != CKR_OK)
		goto out;
	rv = CKR_TEMPLATE_INCONSISTENT;
	for (k = 0; k < slot->n_objects; k++) {
		l = p11_object_attr(&slot->objects[k], CKA_LABEL);
		if (slot->objects[k].cls != CKO_DATA || l == NULL || l->len != label->ulValueLen ||
		    memcmp(l->value, label->pValue, l->len) != 0)
			continue;
		rv = p11_data_append(c.ctx, slot, &slot->objects[k], value->pValue, value->ulValueLen);
		if (rv == CKR_OK)
			*out_h = p11_object_handle(c.s->slot, slot->generation, k);
		break;
	}
out:
	return p11_end(&c, rv);
}
