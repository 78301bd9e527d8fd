/*
 * hcard-pkcs11: signature verification with the PKI public keys, on the host (the card has no
 * verify command): the same mechanisms and the same 32-byte input as signing (sign.c), then
 * ECDSA P-256 or SM2 verification by libhcard (hc_pki_verify).
 */
#include "config.h"

#include <string.h>

#include <openssl/evp.h>

#include "apdu/buf.h"
#include "hcard_pki.h"
#include "pkcs11/p11.h"

#define SIG_LEN 64u

void
p11_verify_reset(p11_session_t *s)
{
	EVP_MD_CTX_free(s->verify_md);
	s->verify_md = NULL;
	s->verify_active = 0;
	s->verify_key = 0;
}

CK_RV
C_VerifyInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key)
{
	p11_call_t c;
	p11_session_t *s;
	p11_object_t *o = NULL;
	EVP_MD_CTX *md = NULL;
	CK_RV rv;

	if ((rv = p11_begin_session(&c, p11_args(mech != NULL), h, P11_NEED_NO_VERIFY)) != CKR_OK)
		goto out;
	if (p11_object_get(c.ctx, c.s, key, &c.slot, &o) != CKR_OK || o->cls != CKO_PUBLIC_KEY ||
	    o->key_ref < 1 || o->key_ref > 2) {
		rv = CKR_KEY_HANDLE_INVALID;
		goto out;
	}
	if ((rv = p11_mech_start(mech, o, c.slot, &md)) != CKR_OK)
		goto out;
	s = c.s;
	s->verify_active = 1;
	s->verify_mech = mech->mechanism;
	s->verify_key = o->key_ref;
	s->verify_md = md;
out:
	return p11_end(&c, rv);
}

static CK_RV
do_verify(p11_session_t *s, p11_slot_t *slot, const uint8_t *data, CK_ULONG len,
          const uint8_t *sig, CK_ULONG sig_len)
{
	uint8_t in[32];
	CK_RV rv;

	if (sig == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else if (sig_len != SIG_LEN)
		rv = CKR_SIGNATURE_LEN_RANGE;
	else if ((rv = p11_mech_input(s->verify_mech, s->verify_md, data, len, in)) == CKR_OK &&
	         hc_pki_verify(s->verify_key, slot->pub[s->verify_key - 1], in, sig) != HC_OK)
		rv = CKR_SIGNATURE_INVALID;
	hc_wipe(in, sizeof(in));
	p11_verify_reset(s);   /* PKCS#11: a verify call ends the operation */
	return rv;
}

CK_RV
C_Verify(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig, CK_ULONG sig_len)
{
	p11_call_t c;
	CK_RV rv;

	if ((rv = p11_begin_session(&c, CKR_OK, h, P11_NEED_VERIFY)) != CKR_OK)
		goto out;
	if (data == NULL && len > 0) {
		p11_verify_reset(c.s);
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	rv = do_verify(c.s, c.slot, data, len, sig, sig_len);
out:
	return p11_end(&c, rv);
}

CK_RV
C_VerifyUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR part, CK_ULONG len)
{
	p11_call_t c;
	p11_session_t *s;
	CK_RV rv;

	if ((rv = p11_begin_session(&c, CKR_OK, h, P11_NEED_VERIFY)) != CKR_OK)
		goto out;
	s = c.s;
	/* raw mechanisms are single-part */
	if (s->verify_md == NULL || (part == NULL && len > 0) ||
	    (len > 0 && EVP_DigestUpdate(s->verify_md, part, len) != 1)) {
		rv = s->verify_md == NULL ? CKR_FUNCTION_NOT_SUPPORTED : CKR_ARGUMENTS_BAD;
		p11_verify_reset(s);
	}
out:
	return p11_end(&c, rv);
}

CK_RV
C_VerifyFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR sig, CK_ULONG sig_len)
{
	p11_call_t c;
	CK_RV rv;

	if ((rv = p11_begin_session(&c, CKR_OK, h, P11_NEED_VERIFY)) != CKR_OK)
		goto out;
	if (c.s->verify_md == NULL) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
		goto out;
	}
	rv = do_verify(c.s, c.slot, NULL, 0, sig, sig_len);
out:
	return p11_end(&c, rv);
}
