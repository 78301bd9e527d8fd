/*
 * hcard-pkcs11: module entry points (C_GetFunctionList, C_GetInterfaceList, C_GetInterface,
 * C_Initialize, C_Finalize, C_GetInfo), the one context, its lock, fork detection and the
 * error table.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apdu/buf.h"
#include "pkcs11/p11.h"

/* The one module context and its lock (STYLE.md: state in one context behind one lock). */
static pthread_mutex_t p11_lock = PTHREAD_MUTEX_INITIALIZER;
static p11_ctx_t *p11_context;

CK_RV
p11_enter(p11_ctx_t **ctx)
{
	pthread_mutex_lock(&p11_lock);
	/* a forked child sees its parent's context: it is not initialised here */
	if (p11_context == NULL || p11_context->pid != getpid()) {
		pthread_mutex_unlock(&p11_lock);
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	}
	*ctx = p11_context;
	return CKR_OK;
}

void
p11_leave(void)
{
	pthread_mutex_unlock(&p11_lock);
}

CK_RV
p11_begin(p11_call_t *c, CK_RV args)
{
	CK_RV rv;

	memset(c, 0, sizeof(*c));
	if ((rv = p11_enter(&c->ctx)) != CKR_OK) {
		c->ctx = NULL;   /* the lock is not held */
		return rv;
	}
	return args;
}

CK_RV
p11_end(p11_call_t *c, CK_RV rv)
{
	if (c->ctx != NULL)
		p11_leave();
	c->ctx = NULL;
	return rv;
}

/* libhcard errors -> PKCS#11 return values. Data, not code. */
static const struct {
	int err;
	CK_RV rv;
} rv_table[] = {
	{ HC_OK, CKR_OK },
	{ HC_ERR_INVALID_ARGUMENT, CKR_ARGUMENTS_BAD },
	{ HC_ERR_NO_MEMORY, CKR_HOST_MEMORY },
	{ HC_ERR_BUFFER_TOO_SMALL, CKR_BUFFER_TOO_SMALL },
	{ HC_ERR_NO_SERVICE, CKR_DEVICE_ERROR },
	{ HC_ERR_NO_READER, CKR_TOKEN_NOT_PRESENT },
	{ HC_ERR_NO_CARD, CKR_TOKEN_NOT_PRESENT },
	{ HC_ERR_CARD_REMOVED, CKR_DEVICE_REMOVED },
	{ HC_ERR_CARD_RESET, CKR_DEVICE_ERROR },
	{ HC_ERR_SHARING, CKR_DEVICE_ERROR },
	{ HC_ERR_TIMEOUT, CKR_DEVICE_ERROR },
	{ HC_ERR_TRANSPORT, CKR_DEVICE_ERROR },
	{ HC_ERR_UNRESPONSIVE_CARD, CKR_TOKEN_NOT_RECOGNIZED },
	{ HC_ERR_MALFORMED_RESPONSE, CKR_DEVICE_ERROR },
	{ HC_ERR_VERIFY_FAILED, CKR_PIN_INCORRECT },
	{ HC_ERR_PIN_WRONG, CKR_PIN_INCORRECT },
	{ HC_ERR_PIN_BLOCKED, CKR_PIN_LOCKED },
	{ HC_ERR_AUTH_BLOCKED, CKR_PIN_LOCKED },
	{ HC_ERR_PIN_FORMAT, CKR_PIN_LEN_RANGE },
	{ HC_ERR_SECURITY_STATUS, CKR_USER_NOT_LOGGED_IN },
	{ HC_ERR_CONDITIONS_OF_USE, CKR_FUNCTION_REJECTED },
	{ HC_ERR_KEY_NOT_FOUND, CKR_KEY_HANDLE_INVALID },
	{ HC_ERR_FILE_NOT_FOUND, CKR_TOKEN_NOT_RECOGNIZED },
	{ HC_ERR_NOT_HEALTH_CARD, CKR_TOKEN_NOT_RECOGNIZED },
	{ HC_ERR_CARD_BLOCKED, CKR_TOKEN_NOT_RECOGNIZED },
	{ HC_ERR_APP_BLOCKED, CKR_FUNCTION_REJECTED },
	{ HC_ERR_NO_SAM, CKR_FUNCTION_REJECTED },
	{ HC_ERR_SAM_TYPE, CKR_FUNCTION_REJECTED },
	{ HC_ERR_SAM_PIN, CKR_FUNCTION_REJECTED },
	{ HC_ERR_TEXT_TOO_LONG, CKR_ATTRIBUTE_VALUE_INVALID },
	{ HC_ERR_TEXT_NOT_GBK, CKR_ATTRIBUTE_VALUE_INVALID },
	{ HC_ERR_BAD_VALUE, CKR_ATTRIBUTE_VALUE_INVALID },
	{ HC_ERR_BAD_ID_NUMBER, CKR_ATTRIBUTE_VALUE_INVALID },
	{ HC_ERR_WRONG_LENGTH, CKR_DEVICE_ERROR },
	{ HC_ERR_MEMORY_FAILURE, CKR_DEVICE_MEMORY },
	{ HC_ERR_NOT_ENOUGH_MEMORY, CKR_DEVICE_MEMORY },
	/* PIN pads: nothing reached the card on cancel, timeout or a bad length */
	{ HC_ERR_NO_PINPAD, CKR_ARGUMENTS_BAD },        /* NULL PIN, no protected path */
	{ HC_ERR_PINPAD_CANCELLED, CKR_FUNCTION_CANCELED },
	{ HC_ERR_PINPAD_TIMEOUT, CKR_FUNCTION_CANCELED },
	{ HC_ERR_PINPAD_LENGTH, CKR_PIN_LEN_RANGE },
};

CK_RV
p11_rv(int err)
{
	size_t i;

	for (i = 0; i < sizeof(rv_table) / sizeof(rv_table[0]); i++)
		if (rv_table[i].err == err)
			return rv_table[i].rv;
	return CKR_DEVICE_ERROR;
}

/* Reader names that hold configuration (SAM, PSAM), not tokens: environment first (what the
 * test harness and hcard.conf users set), then nothing (auto-detection by ATR). */
static void
read_config(p11_ctx_t *ctx)
{
	const char *v;

	if ((v = secure_getenv("HCARD_SAM_READER")) != NULL)
		snprintf(ctx->sam_reader, sizeof(ctx->sam_reader), "%s", v);
	if ((v = secure_getenv("HCARD_PSAM_READER")) != NULL)
		snprintf(ctx->psam_reader, sizeof(ctx->psam_reader), "%s", v);
}

static void
ctx_free(p11_ctx_t *ctx, int same_process)
{
	if (ctx == NULL)
		return;
	if (same_process) {
		p11_slots_free(ctx);
		if (ctx->pcsc_ok)
			SCardReleaseContext(ctx->pcsc);
		if (ctx->pcsc_wait_ok)
			SCardReleaseContext(ctx->pcsc_wait);
		hc_ctx_free(&ctx->hc);
	}
	/* in a forked child the parent's PC/SC handles are not ours to use: drop them */
	hc_wipe(ctx, sizeof(*ctx));
	free(ctx);
}

CK_RV
C_Initialize(CK_VOID_PTR init_args)
{
	CK_C_INITIALIZE_ARGS *args = init_args;
	p11_ctx_t *ctx = NULL;
	CK_RV rv = CKR_OK;
	int err;

	if (args != NULL) {
		if (args->pReserved != NULL)
			return CKR_ARGUMENTS_BAD;
		/* all four mutex functions or none */
		if (!((args->CreateMutex == NULL && args->DestroyMutex == NULL &&
		       args->LockMutex == NULL && args->UnlockMutex == NULL) ||
		      (args->CreateMutex != NULL && args->DestroyMutex != NULL &&
		       args->LockMutex != NULL && args->UnlockMutex != NULL)))
			return CKR_ARGUMENTS_BAD;
		/* we lock with the OS; application-only locking is not offered */
		if (args->CreateMutex != NULL && !(args->flags & CKF_OS_LOCKING_OK))
			return CKR_CANT_LOCK;
	}
	pthread_mutex_lock(&p11_lock);
	if (p11_context != NULL) {
		if (p11_context->pid == getpid()) {
			rv = CKR_CRYPTOKI_ALREADY_INITIALIZED;
			goto out;
		}
		ctx_free(p11_context, 0);   /* forked child: start afresh */
		p11_context = NULL;
	}
	if ((ctx = calloc(1, sizeof(*ctx))) == NULL) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	ctx->pid = getpid();
	ctx->next_session = 1;
	read_config(ctx);
	/* no card I/O here: the library context and PC/SC contexts only */
	if ((err = hc_ctx_new(&ctx->hc, NULL)) != HC_OK) {
		rv = err == HC_ERR_NO_MEMORY ? CKR_HOST_MEMORY : CKR_GENERAL_ERROR;
		goto out;
	}
	ctx->pcsc_ok = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx->pcsc) ==
	               SCARD_S_SUCCESS;
	ctx->pcsc_wait_ok = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL,
	                                          &ctx->pcsc_wait) == SCARD_S_SUCCESS;
	p11_context = ctx;
	ctx = NULL;
out:
	if (ctx != NULL)
		ctx_free(ctx, 1);
	pthread_mutex_unlock(&p11_lock);
	return rv;
}

CK_RV
C_Finalize(CK_VOID_PTR reserved)
{
	p11_ctx_t *ctx = NULL;
	CK_RV rv;
	unsigned rounds;

	if (reserved != NULL)
		return CKR_ARGUMENTS_BAD;
	if ((rv = p11_enter(&ctx)) != CKR_OK)
		return rv;
	/* wake a thread blocked in C_WaitForSlotEvent; it returns NOT_INITIALIZED */
	if (ctx->pcsc_wait_ok && ctx->waiting)
		SCardCancel(ctx->pcsc_wait);
	p11_context = NULL;
	/* let the waiter leave before its PC/SC context goes (bounded) */
	for (rounds = 0; ctx->waiting && rounds < 1000; rounds++) {   /* 5 s */
		p11_leave();
		usleep(5000);
		pthread_mutex_lock(&p11_lock);
	}
	if (!ctx->waiting)
		ctx_free(ctx, 1);   /* else leaked on purpose: the waiter still points at it */
	p11_leave();
	return CKR_OK;
}

void
p11_pad_copy(CK_UTF8CHAR *dst, size_t n, const char *src)
{
	size_t l = strlen(src);

	memset(dst, ' ', n);
	memcpy(dst, src, l < n ? l : n);
}

CK_RV
C_GetInfo(CK_INFO_PTR info)
{
	p11_call_t c;
	CK_RV rv;

	if ((rv = p11_begin(&c, p11_args(info != NULL))) != CKR_OK)
		goto out;
	memset(info, 0, sizeof(*info));
	info->cryptokiVersion.major = 3;
	info->cryptokiVersion.minor = 0;
	p11_pad_copy(info->manufacturerID, sizeof(info->manufacturerID), "hcard project");
	p11_pad_copy(info->libraryDescription, sizeof(info->libraryDescription),
	             "Resident Health Card PKCS#11");
	info->libraryVersion.major = 0;
	info->libraryVersion.minor = 1;
out:
	return p11_end(&c, rv);
}

#define P11_FUNCTIONS_2_40 \
	C_Initialize, C_Finalize, C_GetInfo, C_GetFunctionList, C_GetSlotList, C_GetSlotInfo, \
	C_GetTokenInfo, C_GetMechanismList, C_GetMechanismInfo, C_InitToken, C_InitPIN, \
	C_SetPIN, C_OpenSession, C_CloseSession, C_CloseAllSessions, C_GetSessionInfo, \
	C_GetOperationState, C_SetOperationState, C_Login, C_Logout, C_CreateObject, \
	C_CopyObject, C_DestroyObject, C_GetObjectSize, C_GetAttributeValue, \
	C_SetAttributeValue, C_FindObjectsInit, C_FindObjects, C_FindObjectsFinal, \
	C_EncryptInit, C_Encrypt, C_EncryptUpdate, C_EncryptFinal, C_DecryptInit, C_Decrypt, \
	C_DecryptUpdate, C_DecryptFinal, C_DigestInit, C_Digest, C_DigestUpdate, C_DigestKey, \
	C_DigestFinal, C_SignInit, C_Sign, C_SignUpdate, C_SignFinal, C_SignRecoverInit, \
	C_SignRecover, C_VerifyInit, C_Verify, C_VerifyUpdate, C_VerifyFinal, \
	C_VerifyRecoverInit, C_VerifyRecover, C_DigestEncryptUpdate, C_DecryptDigestUpdate, \
	C_SignEncryptUpdate, C_DecryptVerifyUpdate, C_GenerateKey, C_GenerateKeyPair, \
	C_WrapKey, C_UnwrapKey, C_DeriveKey, C_SeedRandom, C_GenerateRandom, \
	C_GetFunctionStatus, C_CancelFunction, C_WaitForSlotEvent

static CK_FUNCTION_LIST function_list_2_40 = {
	{ 2, 40 }, P11_FUNCTIONS_2_40
};

static CK_FUNCTION_LIST_3_0 function_list_3_0 = {
	{ 3, 0 }, P11_FUNCTIONS_2_40,
	C_GetInterfaceList, C_GetInterface, C_LoginUser, C_SessionCancel,
	C_MessageEncryptInit, C_EncryptMessage, C_EncryptMessageBegin, C_EncryptMessageNext,
	C_MessageEncryptFinal, C_MessageDecryptInit, C_DecryptMessage, C_DecryptMessageBegin,
	C_DecryptMessageNext, C_MessageDecryptFinal, C_MessageSignInit, C_SignMessage,
	C_SignMessageBegin, C_SignMessageNext, C_MessageSignFinal, C_MessageVerifyInit,
	C_VerifyMessage, C_VerifyMessageBegin, C_VerifyMessageNext, C_MessageVerifyFinal
};

static CK_CHAR interface_name[] = "PKCS 11";

/* Fork safety is by pid: a child must C_Initialize again, so no CKF_INTERFACE_FORK_SAFE. */
static CK_INTERFACE interfaces[] = {
	{ interface_name, &function_list_3_0, 0 },
	{ interface_name, &function_list_2_40, 0 },
};

CK_RV
C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list)
{
	if (list == NULL)
		return CKR_ARGUMENTS_BAD;
	*list = &function_list_2_40;
	return CKR_OK;
}

CK_RV
C_GetInterfaceList(CK_INTERFACE_PTR list, CK_ULONG_PTR count)
{
	CK_ULONG n = sizeof(interfaces) / sizeof(interfaces[0]);

	if (count == NULL)
		return CKR_ARGUMENTS_BAD;
	if (list == NULL) {
		*count = n;
		return CKR_OK;
	}
	if (*count < n) {
		*count = n;
		return CKR_BUFFER_TOO_SMALL;
	}
	memcpy(list, interfaces, sizeof(interfaces));
	*count = n;
	return CKR_OK;
}

CK_RV
C_GetInterface(CK_UTF8CHAR_PTR name, CK_VERSION_PTR version, CK_INTERFACE_PTR_PTR iface,
               CK_FLAGS flags)
{
	size_t i;
	const CK_VERSION *v;

	if (iface == NULL)
		return CKR_ARGUMENTS_BAD;
	for (i = 0; i < sizeof(interfaces) / sizeof(interfaces[0]); i++) {
		v = (const CK_VERSION *)interfaces[i].pFunctionList;
		if (name != NULL && strcmp((const char *)name, (const char *)interface_name) != 0)
			continue;
		if (version != NULL && (version->major != v->major || version->minor != v->minor))
			continue;
		if ((interfaces[i].flags & flags) != flags)
			continue;
		*iface = &interfaces[i];
		return CKR_OK;
	}
	return CKR_ARGUMENTS_BAD;
}


/*
 * C_WaitForSlotEvent's blocking part: called with the lock held, waits in PC/SC without it
 * (other threads keep working), then takes it again. When C_Finalize ran meanwhile it
 * returns CKR_CRYPTOKI_NOT_INITIALIZED with the lock released.
 */
CK_RV
p11_wait_unlocked(p11_call_t *c, SCARD_READERSTATE *rs, DWORD n)
{
	p11_ctx_t *ctx = c->ctx;
	SCARDCONTEXT wait_ctx = ctx->pcsc_wait;
	LONG r;

	ctx->waiting = 1;
	pthread_mutex_unlock(&p11_lock);
	/* the PnP entry's current state must carry pcscd's reader count, or it returns at once */
	r = SCardGetStatusChange(wait_ctx, 0, &rs[n - 1], 1);
	if (r == SCARD_S_SUCCESS || r == SCARD_E_TIMEOUT)
		rs[n - 1].dwCurrentState = rs[n - 1].dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
	r = SCardGetStatusChange(wait_ctx, INFINITE, rs, n);
	if (r != SCARD_S_SUCCESS && r != SCARD_E_TIMEOUT && r != SCARD_E_CANCELLED)
		usleep(100000);   /* pcscd gone or reader vanished: do not spin */
	pthread_mutex_lock(&p11_lock);
	ctx->waiting = 0;
	if (p11_context != ctx) {
		/* C_Finalize is waiting for us to leave before it frees ctx */
		pthread_mutex_unlock(&p11_lock);
		c->ctx = NULL;   /* p11_end: nothing to release */
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	}
	return CKR_OK;
}
