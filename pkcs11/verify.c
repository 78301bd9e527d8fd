/*
 * hcard-pkcs11: signature verification with the PKI public keys, on the host (the card has no
 * verify command): the same mechanisms and the same 32-byte input as signing (sign.c), then
 * ECDSA P-256 or SM2 verification by libhcard (hc_pki_verify).
 */
#include "config.h"

#include <string.h>

#include "apdu/buf.h"
#include "hcard_pki.h"
#include "pkcs11/p11.h"

#define SIG_LEN 64u

/* The last call of a verification: PKCS#11 ends the operation whatever the outcome. */
static CK_RV
verify_finish(p11_call_t *c, const uint8_t *data, CK_ULONG len, CK_BYTE_PTR sig,
              CK_ULONG_PTR sig_len)
{
	p11_crypto_op_t *op = &c->s->crypto[P11_CRYPTO_VERIFY];
	uint8_t in[32];
	CK_RV rv;

	if (sig == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else if (*sig_len != SIG_LEN)
		rv = CKR_SIGNATURE_LEN_RANGE;
	else if ((rv = p11_mech_input(op->mech, op->md, data, len, in)) == CKR_OK &&
	         hc_pki_verify(op->key, c->slot->pub[op->key - 1], in, sig) != HC_OK)
		rv = CKR_SIGNATURE_INVALID;
	hc_wipe(in, sizeof(in));
	p11_crypto_reset(c->s, P11_CRYPTO_VERIFY);
	return rv;
}

static const p11_crypto_kind_t verify_kind = {
	P11_CRYPTO_VERIFY, P11_NEED_NO_VERIFY, P11_NEED_VERIFY, CKO_PUBLIC_KEY, verify_finish
};

CK_RV
C_VerifyInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key)
{
	return p11_crypto_init(&verify_kind, h, mech, key);
}

/* sig_len is a value here: the shared shapes take it by address. */
CK_RV
C_Verify(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig, CK_ULONG sig_len)
{
	return p11_crypto_data(&verify_kind, h, data, len, sig, &sig_len);
}

CK_RV
C_VerifyUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR part, CK_ULONG len)
{
	return p11_crypto_update(&verify_kind, h, part, len);
}

CK_RV
C_VerifyFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR sig, CK_ULONG sig_len)
{
	return p11_crypto_final(&verify_kind, h, sig, &sig_len);
}
