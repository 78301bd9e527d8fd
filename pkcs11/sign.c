/*
 * hcard-pkcs11: signatures on the card (pki.md). The card signs exactly 32 bytes: for key 01
 * a hash padded on the left with 00 or cut to its leftmost 32 bytes; for key 02 the SM2 value
 * e = SM3(Z || M). SHA-256/384/512 and SM3-with-Z are computed here; the private keys never
 * leave the card. The Init/one-part/Update/Final shapes here serve verify.c too.
 */
#include "config.h"

#include <string.h>

#include <openssl/evp.h>

#include "apdu/buf.h"
#include "hcard_pki.h"
#include "pkcs11/p11.h"

#define SIG_LEN 64u

/* Mechanism -> key and hash. Data, not code. */
static const struct {
	CK_MECHANISM_TYPE mech;
	int key_ref;
	const char *md;          /* NULL: the caller gives the 32 bytes (or a hash) */
	int sm2_z;               /* prefix Z of the key (GB/T 32918.2 default ID) */
} sign_mechs[] = {
	{ CKM_ECDSA, HC_PKI_KEY_AUTH, NULL, 0 },
	{ CKM_ECDSA_SHA256, HC_PKI_KEY_AUTH, "SHA256", 0 },
	{ CKM_ECDSA_SHA384, HC_PKI_KEY_AUTH, "SHA384", 0 },
	{ CKM_ECDSA_SHA512, HC_PKI_KEY_AUTH, "SHA512", 0 },
	{ CKM_HC_SM2_RAW, HC_PKI_KEY_SIGN, NULL, 0 },
	{ CKM_HC_SM2_SM3, HC_PKI_KEY_SIGN, "SM3", 1 },
};

static int
mech_index(CK_MECHANISM_TYPE m)
{
	size_t i;

	for (i = 0; i < sizeof(sign_mechs) / sizeof(sign_mechs[0]); i++)
		if (sign_mechs[i].mech == m)
			return (int)i;
	return -1;
}

void
p11_crypto_reset(p11_session_t *s, p11_crypto_t k)
{
	p11_crypto_op_t *op = &s->crypto[k];

	EVP_MD_CTX_free(op->md);
	memset(op, 0, sizeof(*op));
}

/* Checks mech against the key object (o: a private or public key of the PKI) and starts its
 * digest (*md: an EVP_MD_CTX, NULL for the raw mechanisms). */
static CK_RV
mech_start(const CK_MECHANISM *mech, const p11_object_t *o, const p11_slot_t *slot,
           EVP_MD_CTX **md_out)
{
	EVP_MD_CTX *md = NULL;
	uint8_t z[32] = { 0 };
	int mi;
	CK_RV rv = CKR_OK;

	*md_out = NULL;
	if ((mi = mech_index(mech->mechanism)) < 0)
		return CKR_MECHANISM_INVALID;
	if (mech->pParameter != NULL || mech->ulParameterLen != 0)
		return CKR_MECHANISM_PARAM_INVALID;
	if (sign_mechs[mi].key_ref != o->key_ref)
		return CKR_KEY_TYPE_INCONSISTENT;
	if (sign_mechs[mi].md == NULL)
		return CKR_OK;
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex2(md, EVP_get_digestbyname(sign_mechs[mi].md), NULL) != 1) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	/* e = SM3(Z || M): the digest starts with Z of the key (GB/T 32918.2) */
	if (sign_mechs[mi].sm2_z &&
	    (hc_pki_sm2_z(slot->pub[o->key_ref - 1], z) != HC_OK ||
	     EVP_DigestUpdate(md, z, sizeof(z)) != 1)) {
		rv = CKR_FUNCTION_FAILED;
		goto out;
	}
	*md_out = md;
	md = NULL;
out:
	EVP_MD_CTX_free(md);
	hc_wipe(z, sizeof(z));
	return rv;
}

CK_RV
p11_crypto_init(const p11_crypto_kind_t *k, CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech,
                CK_OBJECT_HANDLE key)
{
	p11_call_t c;
	p11_crypto_op_t *op;
	p11_object_t *o = NULL;
	EVP_MD_CTX *md = NULL;
	CK_RV rv;

	if ((rv = p11_begin_session(&c, p11_args(mech != NULL), h, k->init_need)) != CKR_OK)
		goto out;
	/* the PKI keys are 1 and 2 (pki.md): slot->pub[key - 1] */
	if (p11_object_get(c.ctx, c.s, key, &c.slot, &o) != CKR_OK || o->cls != k->key_class ||
	    o->key_ref < 1 || o->key_ref > 2) {
		rv = CKR_KEY_HANDLE_INVALID;
		goto out;
	}
	if ((rv = mech_start(mech, o, c.slot, &md)) != CKR_OK)
		goto out;
	op = &c.s->crypto[k->index];
	op->active = 1;
	op->mech = mech->mechanism;
	op->key = o->key_ref;
	op->context_login = 0;
	op->md = md;
	md = NULL;
out:
	EVP_MD_CTX_free(md);
	return p11_end(&c, rv);
}

CK_RV
p11_crypto_data(const p11_crypto_kind_t *k, CK_SESSION_HANDLE h, const uint8_t *data,
                CK_ULONG len, CK_BYTE_PTR sig, CK_ULONG_PTR sig_len)
{
	p11_call_t c;
	CK_RV rv;

	if ((rv = p11_begin_session(&c, CKR_OK, h, k->active_need)) != CKR_OK)
		goto out;
	if (data == NULL && len > 0) {
		rv = CKR_ARGUMENTS_BAD;
		p11_crypto_reset(c.s, k->index);
		goto out;
	}
	rv = k->finish(&c, data, len, sig, sig_len);
out:
	return p11_end(&c, rv);
}

CK_RV
p11_crypto_update(const p11_crypto_kind_t *k, CK_SESSION_HANDLE h, const uint8_t *part,
                  CK_ULONG len)
{
	p11_call_t c;
	p11_crypto_op_t *op;
	CK_RV rv;

	if ((rv = p11_begin_session(&c, CKR_OK, h, k->active_need)) != CKR_OK)
		goto out;
	op = &c.s->crypto[k->index];
	/* raw mechanisms are single-part (PKCS#11: CKM_ECDSA has no multi-part form) */
	if (op->md == NULL || (part == NULL && len > 0) ||
	    (len > 0 && EVP_DigestUpdate(op->md, part, len) != 1)) {
		rv = op->md == NULL ? CKR_FUNCTION_NOT_SUPPORTED : CKR_ARGUMENTS_BAD;
		p11_crypto_reset(c.s, k->index);
	}
out:
	return p11_end(&c, rv);
}

CK_RV
p11_crypto_final(const p11_crypto_kind_t *k, CK_SESSION_HANDLE h, CK_BYTE_PTR sig,
                 CK_ULONG_PTR sig_len)
{
	p11_call_t c;
	CK_RV rv;

	if ((rv = p11_begin_session(&c, CKR_OK, h, k->active_need)) != CKR_OK)
		goto out;
	if (c.s->crypto[k->index].md == NULL) {
		rv = CKR_OPERATION_NOT_INITIALIZED;   /* a raw mechanism has no Final */
		goto out;
	}
	rv = k->finish(&c, NULL, 0, sig, sig_len);
out:
	return p11_end(&c, rv);
}

CK_RV
p11_mech_input(CK_MECHANISM_TYPE mech, void *mdp, const uint8_t *data, CK_ULONG len, uint8_t in[32])
{
	EVP_MD_CTX *md = mdp;
	uint8_t dig[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;

	memset(in, 0, 32);
	if (md != NULL) {
		if ((data != NULL && len > 0 && EVP_DigestUpdate(md, data, len) != 1) ||
		    EVP_DigestFinal_ex(md, dig, &dlen) != 1 || dlen < 32)
			return CKR_FUNCTION_FAILED;
		memcpy(in, dig, 32);   /* leftmost 32 bytes of SHA-384/512 */
		return CKR_OK;
	}
	if (mech == CKM_HC_SM2_RAW) {
		if (len != 32)
			return CKR_DATA_LEN_RANGE;
		memcpy(in, data, 32);
		return CKR_OK;
	}
	/* CKM_ECDSA: pad shorter hashes on the left with 00, keep the leftmost 32 of longer */
	if (len == 0)
		return CKR_DATA_LEN_RANGE;
	if (len < 32)
		memcpy(in + 32 - len, data, len);
	else
		memcpy(in, data, 32);
	return CKR_OK;
}

/* The last call of a signature: the size query and CKR_BUFFER_TOO_SMALL keep the operation
 * (two-call convention); everything else ends it. */
static CK_RV
sign_finish(p11_call_t *c, const uint8_t *data, CK_ULONG len, CK_BYTE_PTR sig,
            CK_ULONG_PTR sig_len)
{
	p11_session_t *s = c->s;
	p11_slot_t *slot = c->slot;
	p11_crypto_op_t *op = &s->crypto[P11_CRYPTO_SIGN];
	uint8_t in[32], out[SIG_LEN];
	int err;
	CK_RV rv;

	if (sig_len == NULL)
		return CKR_ARGUMENTS_BAD;
	if (sig == NULL) {
		*sig_len = SIG_LEN;
		return CKR_OK;           /* size query: the operation stays active */
	}
	if (*sig_len < SIG_LEN) {
		*sig_len = SIG_LEN;
		return CKR_BUFFER_TOO_SMALL;
	}
	/* pki.md: key 02 needs a fresh VERIFY: C_Login(CKU_CONTEXT_SPECIFIC) for this operation */
	if (op->key == HC_PKI_KEY_SIGN && !op->context_login) {
		rv = CKR_USER_NOT_LOGGED_IN;
		goto out;
	}
	if ((rv = p11_mech_input(op->mech, op->md, data, len, in)) != CKR_OK)
		goto out;
	if ((rv = p11_slot_card(c->ctx, slot)) != CKR_OK)
		goto out;
	err = hc_pki_sign(slot->card, op->key, in, out);
	if (err == HC_ERR_SECURITY_STATUS) {
		/* the card forgot the PIN (a key-02 signature or a reset): so do we */
		slot->logged_in = 0;
		rv = CKR_USER_NOT_LOGGED_IN;
	} else if (err != HC_OK) {
		rv = p11_slot_error(c->ctx, slot, err);
	} else {
		memcpy(sig, out, SIG_LEN);
		*sig_len = SIG_LEN;
	}
out:
	hc_wipe(in, sizeof(in));
	hc_wipe(out, sizeof(out));
	if (s->handle != 0)   /* not closed with a removed card by p11_slot_error */
		p11_crypto_reset(s, P11_CRYPTO_SIGN);
	return rv;
}

static const p11_crypto_kind_t sign_kind = {
	P11_CRYPTO_SIGN, P11_NEED_IDLE | P11_NEED_LOGIN, P11_NEED_SIGN, CKO_PRIVATE_KEY,
	sign_finish
};

CK_RV
C_SignInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key)
{
	return p11_crypto_init(&sign_kind, h, mech, key);
}

CK_RV
C_Sign(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig, CK_ULONG_PTR sig_len)
{
	return p11_crypto_data(&sign_kind, h, data, len, sig, sig_len);
}

CK_RV
C_SignUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR part, CK_ULONG len)
{
	return p11_crypto_update(&sign_kind, h, part, len);
}

CK_RV
C_SignFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR sig, CK_ULONG_PTR sig_len)
{
	return p11_crypto_final(&sign_kind, h, sig, sig_len);
}

/* The card's random numbers (GET CHALLENGE). */
CK_RV
C_GenerateRandom(CK_SESSION_HANDLE h, CK_BYTE_PTR out, CK_ULONG len)
{
	p11_call_t c;
	CK_ULONG done, n;
	int err;
	CK_RV rv;

	if ((rv = p11_begin_session(&c, p11_args(out != NULL || len == 0), h, 0)) != CKR_OK ||
	    (rv = p11_slot_card(c.ctx, c.slot)) != CKR_OK)
		goto out;
	for (done = 0; done < len; done += n) {
		n = len - done > 4096 ? 4096 : len - done;
		if ((err = hc_pki_random(c.slot->card, out + done, n)) != HC_OK) {
			rv = p11_slot_error(c.ctx, c.slot, err);
			break;
		}
	}
out:
	return p11_end(&c, rv);
}
