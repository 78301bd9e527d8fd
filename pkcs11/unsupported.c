/*
 * hcard-pkcs11: the functions a health card token does not offer. Each still checks that the
 * module is initialised, so that a call after C_Finalize fails cleanly with
 * CKR_CRYPTOKI_NOT_INITIALIZED.
 */
#include "config.h"

#include "pkcs11/p11.h"

/* The parameters of these functions are unused by design. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

static CK_RV
not_supported(CK_RV what)
{
	p11_call_t c;

	return p11_end(&c, p11_begin(&c, what));
}

#define NS(decl) CK_RV decl { return not_supported(CKR_FUNCTION_NOT_SUPPORTED); }

NS(C_InitToken(CK_SLOT_ID a, CK_UTF8CHAR_PTR b, CK_ULONG c, CK_UTF8CHAR_PTR d))
NS(C_InitPIN(CK_SESSION_HANDLE a, CK_UTF8CHAR_PTR b, CK_ULONG c))
NS(C_GetOperationState(CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG_PTR c))
NS(C_SetOperationState(CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c, CK_OBJECT_HANDLE d,
                       CK_OBJECT_HANDLE e))
NS(C_CopyObject(CK_SESSION_HANDLE a, CK_OBJECT_HANDLE b, CK_ATTRIBUTE_PTR c, CK_ULONG d,
                CK_OBJECT_HANDLE_PTR e))
NS(C_DestroyObject(CK_SESSION_HANDLE a, CK_OBJECT_HANDLE b))
NS(C_GetObjectSize(CK_SESSION_HANDLE a, CK_OBJECT_HANDLE b, CK_ULONG_PTR c))
NS(C_EncryptInit(CK_SESSION_HANDLE a, CK_MECHANISM_PTR b, CK_OBJECT_HANDLE c))
NS(C_Encrypt(CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c, CK_BYTE_PTR d, CK_ULONG_PTR e))
NS(C_EncryptUpdate(CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c, CK_BYTE_PTR d, CK_ULONG_PTR e))
NS(C_EncryptFinal(CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG_PTR c))
NS(C_DecryptInit(CK_SESSION_HANDLE a, CK_MECHANISM_PTR b, CK_OBJECT_HANDLE c))
NS(C_Decrypt(CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c, CK_BYTE_PTR d, CK_ULONG_PTR e))
NS(C_DecryptUpdate(CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c, CK_BYTE_PTR d, CK_ULONG_PTR e))
NS(C_DecryptFinal(CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG_PTR c))
NS(C_DigestInit(CK_SESSION_HANDLE a, CK_MECHANISM_PTR b))
NS(C_Digest(CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c, CK_BYTE_PTR d, CK_ULONG_PTR e))
NS(C_DigestUpdate(CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c))
NS(C_DigestKey(CK_SESSION_HANDLE a, CK_OBJECT_HANDLE b))
NS(C_DigestFinal(CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG_PTR c))
NS(C_SignRecoverInit(CK_SESSION_HANDLE a, CK_MECHANISM_PTR b, CK_OBJECT_HANDLE c))
NS(C_SignRecover(CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c, CK_BYTE_PTR d, CK_ULONG_PTR e))
NS(C_VerifyRecoverInit(CK_SESSION_HANDLE a, CK_MECHANISM_PTR b, CK_OBJECT_HANDLE c))
NS(C_VerifyRecover(CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c, CK_BYTE_PTR d, CK_ULONG_PTR e))
NS(C_DigestEncryptUpdate(CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c, CK_BYTE_PTR d,
                         CK_ULONG_PTR e))
NS(C_DecryptDigestUpdate(CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c, CK_BYTE_PTR d,
                         CK_ULONG_PTR e))
NS(C_SignEncryptUpdate(CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c, CK_BYTE_PTR d,
                       CK_ULONG_PTR e))
NS(C_DecryptVerifyUpdate(CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c, CK_BYTE_PTR d,
                         CK_ULONG_PTR e))
NS(C_GenerateKey(CK_SESSION_HANDLE a, CK_MECHANISM_PTR b, CK_ATTRIBUTE_PTR c, CK_ULONG d,
                 CK_OBJECT_HANDLE_PTR e))
NS(C_GenerateKeyPair(CK_SESSION_HANDLE a, CK_MECHANISM_PTR b, CK_ATTRIBUTE_PTR c, CK_ULONG d,
                     CK_ATTRIBUTE_PTR e, CK_ULONG f, CK_OBJECT_HANDLE_PTR g,
                     CK_OBJECT_HANDLE_PTR h))
NS(C_WrapKey(CK_SESSION_HANDLE a, CK_MECHANISM_PTR b, CK_OBJECT_HANDLE c, CK_OBJECT_HANDLE d,
             CK_BYTE_PTR e, CK_ULONG_PTR f))
NS(C_UnwrapKey(CK_SESSION_HANDLE a, CK_MECHANISM_PTR b, CK_OBJECT_HANDLE c, CK_BYTE_PTR d,
               CK_ULONG e, CK_ATTRIBUTE_PTR f, CK_ULONG g, CK_OBJECT_HANDLE_PTR h))
NS(C_DeriveKey(CK_SESSION_HANDLE a, CK_MECHANISM_PTR b, CK_OBJECT_HANDLE c, CK_ATTRIBUTE_PTR d,
               CK_ULONG e, CK_OBJECT_HANDLE_PTR f))
NS(C_SessionCancel(CK_SESSION_HANDLE a, CK_FLAGS b))
NS(C_MessageEncryptInit(CK_SESSION_HANDLE a, CK_MECHANISM_PTR b, CK_OBJECT_HANDLE c))
NS(C_EncryptMessage(CK_SESSION_HANDLE a, CK_VOID_PTR b, CK_ULONG c, CK_BYTE_PTR d, CK_ULONG e,
                    CK_BYTE_PTR f, CK_ULONG g, CK_BYTE_PTR h, CK_ULONG_PTR i))
NS(C_EncryptMessageBegin(CK_SESSION_HANDLE a, CK_VOID_PTR b, CK_ULONG c, CK_BYTE_PTR d,
                         CK_ULONG e))
NS(C_EncryptMessageNext(CK_SESSION_HANDLE a, CK_VOID_PTR b, CK_ULONG c, CK_BYTE_PTR d, CK_ULONG e,
                        CK_BYTE_PTR f, CK_ULONG_PTR g, CK_FLAGS h))
NS(C_MessageEncryptFinal(CK_SESSION_HANDLE a))
NS(C_MessageDecryptInit(CK_SESSION_HANDLE a, CK_MECHANISM_PTR b, CK_OBJECT_HANDLE c))
NS(C_DecryptMessage(CK_SESSION_HANDLE a, CK_VOID_PTR b, CK_ULONG c, CK_BYTE_PTR d, CK_ULONG e,
                    CK_BYTE_PTR f, CK_ULONG g, CK_BYTE_PTR h, CK_ULONG_PTR i))
NS(C_DecryptMessageBegin(CK_SESSION_HANDLE a, CK_VOID_PTR b, CK_ULONG c, CK_BYTE_PTR d,
                         CK_ULONG e))
NS(C_DecryptMessageNext(CK_SESSION_HANDLE a, CK_VOID_PTR b, CK_ULONG c, CK_BYTE_PTR d, CK_ULONG e,
                        CK_BYTE_PTR f, CK_ULONG_PTR g, CK_FLAGS h))
NS(C_MessageDecryptFinal(CK_SESSION_HANDLE a))
NS(C_MessageSignInit(CK_SESSION_HANDLE a, CK_MECHANISM_PTR b, CK_OBJECT_HANDLE c))
NS(C_SignMessage(CK_SESSION_HANDLE a, CK_VOID_PTR b, CK_ULONG c, CK_BYTE_PTR d, CK_ULONG e,
                 CK_BYTE_PTR f, CK_ULONG_PTR g))
NS(C_SignMessageBegin(CK_SESSION_HANDLE a, CK_VOID_PTR b, CK_ULONG c))
NS(C_SignMessageNext(CK_SESSION_HANDLE a, CK_VOID_PTR b, CK_ULONG c, CK_BYTE_PTR d, CK_ULONG e,
                     CK_BYTE_PTR f, CK_ULONG_PTR g))
NS(C_MessageSignFinal(CK_SESSION_HANDLE a))
NS(C_MessageVerifyInit(CK_SESSION_HANDLE a, CK_MECHANISM_PTR b, CK_OBJECT_HANDLE c))
NS(C_VerifyMessage(CK_SESSION_HANDLE a, CK_VOID_PTR b, CK_ULONG c, CK_BYTE_PTR d, CK_ULONG e,
                   CK_BYTE_PTR f, CK_ULONG g))
NS(C_VerifyMessageBegin(CK_SESSION_HANDLE a, CK_VOID_PTR b, CK_ULONG c))
NS(C_VerifyMessageNext(CK_SESSION_HANDLE a, CK_VOID_PTR b, CK_ULONG c, CK_BYTE_PTR d, CK_ULONG e,
                       CK_BYTE_PTR f, CK_ULONG g))
NS(C_MessageVerifyFinal(CK_SESSION_HANDLE a))

CK_RV
C_GetFunctionStatus(CK_SESSION_HANDLE a)
{
	return not_supported(CKR_FUNCTION_NOT_PARALLEL);
}

CK_RV
C_CancelFunction(CK_SESSION_HANDLE a)
{
	return not_supported(CKR_FUNCTION_NOT_PARALLEL);
}


/* The card's generator takes no seed; the session handle and the arguments are checked
 * first (PKCS#11 3.0 §5.1.7 priorities: CKR_SESSION_HANDLE_INVALID before the function's own
 * answer; doc/pkcs11.md "Return values"). */
CK_RV
C_SeedRandom(CK_SESSION_HANDLE h, CK_BYTE_PTR seed, CK_ULONG len)
{
	p11_call_t c;
	CK_RV rv;

	if ((rv = p11_begin_session(&c, p11_args(seed != NULL || len == 0), h, 0)) == CKR_OK)
		rv = CKR_RANDOM_SEED_NOT_SUPPORTED;
	return p11_end(&c, rv);
}
