/*
 * hcard-pkcs11: sessions and login. The login state belongs to the token (all sessions of a
 * slot); it is dropped when the card is removed or reset, and when the card itself forgets
 * the PIN (a key-02 signature clears it, pki.md).
 */
#include "config.h"

#include <string.h>

#include "apdu/buf.h"
#include "hcard_pki.h"
#include "pkcs11/p11.h"

#define P11_PIN_MAX 12u
#define P11_PIN_MIN 4u

CK_RV
p11_session_get(p11_ctx_t *ctx, CK_SESSION_HANDLE h, p11_session_t **out, p11_slot_t **slot)
{
	p11_session_t *s;
	size_t i;
	CK_RV rv;

	if (h == 0)
		return CKR_SESSION_HANDLE_INVALID;
	for (i = 0; i < P11_MAX_SESSIONS; i++) {
		s = &ctx->sessions[i];
		if (s->handle != h)
			continue;
		/* notices a removed card (cheap PC/SC status query, no card I/O) */
		if ((rv = p11_slots_refresh(ctx)) != CKR_OK)
			return rv;
		if (s->handle != h)
			return CKR_SESSION_HANDLE_INVALID;   /* closed with its card */
		*out = s;
		*slot = &ctx->slots[s->slot];
		return CKR_OK;
	}
	return CKR_SESSION_HANDLE_INVALID;
}

CK_RV
p11_session_check(const p11_call_t *c, unsigned need)
{
	const p11_session_t *s = c->s;
	const int signing = s->crypto[P11_CRYPTO_SIGN].active;
	const int verifying = s->crypto[P11_CRYPTO_VERIFY].active;

	if ((need & P11_NEED_IDLE) && (s->op != P11_OP_NONE || signing))
		return CKR_OPERATION_ACTIVE;
	if ((need & P11_NEED_NO_VERIFY) && verifying)
		return CKR_OPERATION_ACTIVE;
	if ((need & P11_NEED_FIND) && s->op != P11_OP_FIND)
		return CKR_OPERATION_NOT_INITIALIZED;
	if ((need & P11_NEED_SIGN) && !signing)
		return CKR_OPERATION_NOT_INITIALIZED;
	if ((need & P11_NEED_VERIFY) && !verifying)
		return CKR_OPERATION_NOT_INITIALIZED;
	if ((need & P11_NEED_RW) && !(s->flags & CKF_RW_SESSION))
		return CKR_SESSION_READ_ONLY;
	if ((need & P11_NEED_LOGIN) && !c->slot->logged_in)
		return CKR_USER_NOT_LOGGED_IN;
	return CKR_OK;
}

CK_RV
p11_begin_session(p11_call_t *c, CK_RV args, CK_SESSION_HANDLE h, unsigned need)
{
	CK_RV rv;

	if ((rv = p11_begin(c, args)) != CKR_OK ||
	    (rv = p11_session_get(c->ctx, h, &c->s, &c->slot)) != CKR_OK)
		return rv;
	return p11_session_check(c, need);
}

void
p11_session_close(p11_ctx_t *ctx, p11_session_t *s)
{
	(void)ctx;
	p11_crypto_reset(s, P11_CRYPTO_SIGN);
	p11_crypto_reset(s, P11_CRYPTO_VERIFY);
	memset(s, 0, sizeof(*s));
}

void
p11_sessions_close_slot(p11_ctx_t *ctx, CK_SLOT_ID slot)
{
	size_t i;

	for (i = 0; i < P11_MAX_SESSIONS; i++)
		if (ctx->sessions[i].handle != 0 && ctx->sessions[i].slot == slot)
			p11_session_close(ctx, &ctx->sessions[i]);
}

/* Logs out: the module forgets the login and the card its PIN state (libhcard ends a card
 * session with a reset); the card session reopens when next needed. */
static void
logout(p11_slot_t *slot)
{
	slot->logged_in = 0;
	hc_card_close(&slot->card);
}

static size_t
slot_sessions(const p11_ctx_t *ctx, CK_SLOT_ID slot)
{
	size_t i, n = 0;

	for (i = 0; i < P11_MAX_SESSIONS; i++)
		if (ctx->sessions[i].handle != 0 && ctx->sessions[i].slot == slot)
			n++;
	return n;
}

CK_RV
C_OpenSession(CK_SLOT_ID id, CK_FLAGS flags, CK_VOID_PTR app, CK_NOTIFY notify,
              CK_SESSION_HANDLE_PTR out)
{
	p11_call_t c;
	p11_ctx_t *ctx;
	p11_session_t *s = NULL;
	size_t i;
	CK_RV rv, args = p11_args(out != NULL);

	(void)app;
	(void)notify;   /* no callbacks: notifications are optional (PKCS#11 §5.6) */
	if (args == CKR_OK && !(flags & CKF_SERIAL_SESSION))
		args = CKR_SESSION_PARALLEL_NOT_SUPPORTED;
	if ((rv = p11_begin_slot(&c, args, id)) != CKR_OK ||
	    (rv = p11_slots_refresh(c.ctx)) != CKR_OK ||
	    (rv = p11_slot_card(c.ctx, c.slot)) != CKR_OK)
		goto out;
	ctx = c.ctx;
	for (i = 0; i < P11_MAX_SESSIONS && s == NULL; i++)
		if (ctx->sessions[i].handle == 0)
			s = &ctx->sessions[i];
	if (s == NULL) {
		rv = CKR_SESSION_COUNT;
		goto out;
	}
	memset(s, 0, sizeof(*s));
	s->handle = ctx->next_session++;
	if (ctx->next_session == 0)
		ctx->next_session = 1;
	s->slot = id;
	s->generation = c.slot->generation;
	s->flags = flags & (CKF_RW_SESSION | CKF_SERIAL_SESSION);
	*out = s->handle;
out:
	return p11_end(&c, rv);
}

CK_RV
C_CloseSession(CK_SESSION_HANDLE h)
{
	p11_call_t c;
	CK_RV rv;

	if ((rv = p11_begin_session(&c, CKR_OK, h, 0)) != CKR_OK)
		goto out;
	p11_session_close(c.ctx, c.s);
	/* PKCS#11: closing the last session of a token logs the user out */
	if (slot_sessions(c.ctx, (CK_SLOT_ID)(c.slot - c.ctx->slots)) == 0 && c.slot->logged_in)
		logout(c.slot);
out:
	return p11_end(&c, rv);
}

CK_RV
C_CloseAllSessions(CK_SLOT_ID id)
{
	p11_call_t c;
	CK_RV rv;

	if ((rv = p11_begin_slot(&c, CKR_OK, id)) != CKR_OK)
		goto out;
	p11_sessions_close_slot(c.ctx, id);
	if (c.slot->logged_in)
		logout(c.slot);
out:
	return p11_end(&c, rv);
}

CK_RV
C_GetSessionInfo(CK_SESSION_HANDLE h, CK_SESSION_INFO_PTR info)
{
	p11_call_t c;
	int rw;
	CK_RV rv;

	if ((rv = p11_begin_session(&c, p11_args(info != NULL), h, 0)) != CKR_OK)
		goto out;
	rw = (c.s->flags & CKF_RW_SESSION) != 0;
	memset(info, 0, sizeof(*info));
	info->slotID = c.s->slot;
	info->flags = c.s->flags;
	if (c.slot->logged_in)
		info->state = rw ? CKS_RW_USER_FUNCTIONS : CKS_RO_USER_FUNCTIONS;
	else
		info->state = rw ? CKS_RW_PUBLIC_SESSION : CKS_RO_PUBLIC_SESSION;
out:
	return p11_end(&c, rv);
}

/* VERIFY on the card; the PIN copy is wiped on every path. A NULL PIN on a token with
 * CKF_PROTECTED_AUTHENTICATION_PATH: the reader's PIN pad reads it (PKCS#11 §5.8 C_Login);
 * a PIN given explicitly is still sent from the host, as OpenSC does. */
static CK_RV
verify_pin(p11_ctx_t *ctx, p11_slot_t *slot, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	char buf[P11_PIN_MAX + 1];
	int err;
	CK_RV rv;

	memset(buf, 0, sizeof(buf));
	if (pin == NULL) {
		if ((rv = p11_slot_card(ctx, slot)) != CKR_OK)
			goto out;
		/* the card session knows its reader: no pad gives HC_ERR_NO_PINPAD, mapped to
		 * CKR_ARGUMENTS_BAD (a NULL PIN without a protected path) */
		err = hc_pki_verify_pin_pad(slot->card, NULL);
		/* a reset reported before the pad asked anything (begin, SELECT, status, or the
		 * control refused by pcscd for the reset handle): reconnected, ask once more */
		if (err == HC_ERR_CARD_RESET)
			err = hc_pki_verify_pin_pad(slot->card, NULL);
		rv = err == HC_OK ? CKR_OK : p11_slot_error(ctx, slot, err);
		goto out;
	}
	if (len < P11_PIN_MIN || len > P11_PIN_MAX)
		return CKR_PIN_LEN_RANGE;
	memcpy(buf, pin, len);
	buf[len] = '\0';
	if ((rv = p11_slot_card(ctx, slot)) != CKR_OK)
		goto out;
	err = hc_pki_verify_pin(slot->card, buf, NULL);
	if (err == HC_ERR_CARD_RESET)
		err = hc_pki_verify_pin(slot->card, buf, NULL);   /* reconnected: once more */
	/* a PIN of the right length with characters the cardholder PIN cannot hold (not digits)
	 * is a wrong PIN: CKR_PIN_INVALID is for setting a PIN (C_InitPIN/C_SetPIN), C_Login
	 * answers CKR_PIN_INCORRECT; it is not presented, so no try is spent on it
	 * (doc/pkcs11.md "Return values") */
	if (err == HC_ERR_PIN_FORMAT)
		rv = CKR_PIN_INCORRECT;
	else
		rv = err == HC_OK ? CKR_OK : p11_slot_error(ctx, slot, err);
out:
	hc_wipe(buf, sizeof(buf));
	return rv;
}

/* NUL-terminated copy of a PIN of 4..12 bytes; CKR_PIN_LEN_RANGE otherwise. */
static CK_RV
pin_copy(char out[P11_PIN_MAX + 1], CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	if (pin == NULL)
		return CKR_ARGUMENTS_BAD;
	if (len < P11_PIN_MIN || len > P11_PIN_MAX)
		return CKR_PIN_LEN_RANGE;
	memcpy(out, pin, len);
	out[len] = '\0';
	return CKR_OK;
}

/* CHANGE PIN of the cardholder PIN (the only user); needs a R/W session. */
CK_RV
C_SetPIN(CK_SESSION_HANDLE h, CK_UTF8CHAR_PTR old_pin, CK_ULONG old_len, CK_UTF8CHAR_PTR new_pin,
         CK_ULONG new_len)
{
	p11_call_t c;
	char o[P11_PIN_MAX + 1], n[P11_PIN_MAX + 1];
	int err;
	CK_RV rv;

	memset(o, 0, sizeof(o));
	memset(n, 0, sizeof(n));
	if ((rv = p11_begin_session(&c, CKR_OK, h, P11_NEED_RW)) != CKR_OK ||
	    (rv = pin_copy(o, old_pin, old_len)) != CKR_OK ||
	    (rv = pin_copy(n, new_pin, new_len)) != CKR_OK ||
	    (rv = p11_slot_card(c.ctx, c.slot)) != CKR_OK)
		goto out;
	/* an old PIN that cannot be the PIN is incorrect; a new one that cannot be a PIN invalid */
	if (strspn(o, "0123456789") != strlen(o)) {
		rv = CKR_PIN_INCORRECT;
		goto out;
	}
	err = hc_pki_change_pin(c.slot->card, o, n, NULL);
	if (err == HC_ERR_PIN_FORMAT)
		rv = CKR_PIN_INVALID;
	else if (err != HC_OK)
		rv = p11_slot_error(c.ctx, c.slot, err);
out:
	hc_wipe(o, sizeof(o));
	hc_wipe(n, sizeof(n));
	return p11_end(&c, rv);
}

/* 1 if a read-only session is open on the slot (an SO cannot log in then). */
static int
ro_session_exists(const p11_ctx_t *ctx, CK_SLOT_ID slot)
{
	size_t i;

	for (i = 0; i < P11_MAX_SESSIONS; i++)
		if (ctx->sessions[i].handle != 0 && ctx->sessions[i].slot == slot &&
		    !(ctx->sessions[i].flags & CKF_RW_SESSION))
			return 1;
	return 0;
}

CK_RV
C_Login(CK_SESSION_HANDLE h, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	p11_call_t c;
	CK_RV rv;

	if ((rv = p11_begin_session(&c, CKR_OK, h, 0)) != CKR_OK)
		goto out;
	switch (user) {
	case CKU_USER:
		if (c.slot->logged_in) {
			rv = CKR_USER_ALREADY_LOGGED_IN;
			break;
		}
		if ((rv = verify_pin(c.ctx, c.slot, pin, len)) == CKR_OK)
			c.slot->logged_in = 1;
		break;
	case CKU_CONTEXT_SPECIFIC:
		/* pki.md: key 02 needs a fresh VERIFY before every signature */
		if ((rv = p11_session_check(&c, P11_NEED_SIGN)) != CKR_OK)
			break;
		if ((rv = verify_pin(c.ctx, c.slot, pin, len)) == CKR_OK)
			c.s->crypto[P11_CRYPTO_SIGN].context_login = 1;
		break;
	case CKU_SO:
		/* CKU_SO is a valid user type (CKR_USER_TYPE_INVALID is for values other than
		 * CKU_SO, CKU_USER, CKU_CONTEXT_SPECIFIC), but this token has no SO PIN (the issuer
		 * works through libhcard): no PIN is the SO's, so CKR_PIN_INCORRECT after the
		 * session-state checks C_Login has for an SO; nothing reaches the card, no
		 * CKF_SO_PIN_* flag changes (doc/pkcs11.md "Return values") */
		if (c.slot->logged_in)
			rv = CKR_USER_ANOTHER_ALREADY_LOGGED_IN;
		else if (ro_session_exists(c.ctx, c.s->slot))
			rv = CKR_SESSION_READ_ONLY_EXISTS;
		else
			rv = CKR_PIN_INCORRECT;
		break;
	default:
		rv = CKR_USER_TYPE_INVALID;
		break;
	}
out:
	return p11_end(&c, rv);
}

CK_RV
C_LoginUser(CK_SESSION_HANDLE h, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG len,
            CK_UTF8CHAR_PTR name, CK_ULONG name_len)
{
	(void)name;
	(void)name_len;   /* one cardholder: the user name is not used */
	return C_Login(h, user, pin, len);
}

CK_RV
C_Logout(CK_SESSION_HANDLE h)
{
	p11_call_t c;
	CK_RV rv;

	if ((rv = p11_begin_session(&c, CKR_OK, h, P11_NEED_LOGIN)) == CKR_OK)
		logout(c.slot);
	return p11_end(&c, rv);
}
