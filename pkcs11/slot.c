/*
 * hcard-pkcs11: slots (one per PC/SC reader that can hold a user card; the SAM and PSAM
 * readers are configuration, not tokens), token information, mechanisms and slot events.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hcard_pki.h"
#include "pkcs11/p11.h"
#include "src/session.h"

#define P11_READERS_MAX_BYTES 65536u
#define P11_MIN_PIN 4u
#define P11_MAX_PIN 12u
#define P11_PIN_TRIES 3

/* Mechanisms (pki.md): all on the card (CKF_HW); the SHA-2 and SM3 hashing in the module. */
static const struct {
	CK_MECHANISM_TYPE type;
	int key_ref;
} mechanisms[] = {
	{ CKM_ECDSA, 1 },
	{ CKM_ECDSA_SHA256, 1 },
	{ CKM_ECDSA_SHA384, 1 },
	{ CKM_ECDSA_SHA512, 1 },
	{ CKM_HC_SM2_RAW, 2 },
	{ CKM_HC_SM2_SM3, 2 },
};

/* The simulator's SAM card ATR ends in 48 43 53 01 ("HCS", card-profile.md §4 / doc/simulator.md);
 * a real SAM is named in the configuration. */
static int
atr_is_sam(const BYTE *atr, DWORD len)
{
	static const BYTE sam_tail[] = { 0x48, 0x43, 0x53 };

	return len >= 4 && memcmp(atr + len - 4, sam_tail, sizeof(sam_tail)) == 0;
}

static int
reader_is_config(const p11_ctx_t *ctx, const char *name)
{
	return (ctx->sam_reader[0] != '\0' && strcmp(ctx->sam_reader, name) == 0) ||
	       (ctx->psam_reader[0] != '\0' && strcmp(ctx->psam_reader, name) == 0);
}

static p11_slot_t *
slot_for_reader(p11_ctx_t *ctx, const char *name)
{
	size_t i;
	p11_slot_t *s;

	for (i = 0; i < ctx->n_slots; i++)
		if (strcmp(ctx->slots[i].reader, name) == 0)
			return &ctx->slots[i];
	if (ctx->n_slots >= P11_MAX_SLOTS || strlen(name) >= P11_READER_MAX)
		return NULL;
	s = &ctx->slots[ctx->n_slots++];
	memset(s, 0, sizeof(*s));
	s->used = 1;
	snprintf(s->reader, sizeof(s->reader), "%s", name);
	return s;
}

void
p11_slot_card_lost(p11_ctx_t *ctx, p11_slot_t *slot)
{
	unsigned long c = 0, sam = 0;

	if (slot->card != NULL) {
		hc_card_apdu_counts(slot->card, &c, &sam);
		ctx->card_apdus += c + sam;
	}
	hc_card_close(&slot->card);
	/* the terminal (SAM connection, its PIN state) stays: the SAM was not pulled */
	p11_objects_free(slot);
	p11_sessions_close_slot(ctx, (CK_SLOT_ID)(slot - ctx->slots));
	slot->logged_in = 0;
	slot->generation++;
}

/* Re-creates the PC/SC context after pcscd restarted. */
static int
pcsc_revive(p11_ctx_t *ctx)
{
	if (ctx->pcsc_ok && SCardIsValidContext(ctx->pcsc) == SCARD_S_SUCCESS)
		return 0;
	if (ctx->pcsc_ok)
		SCardReleaseContext(ctx->pcsc);
	ctx->pcsc_ok = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx->pcsc) ==
	               SCARD_S_SUCCESS;
	return ctx->pcsc_ok ? 0 : -1;
}

/* Updates one slot from a PC/SC reader state; a change of card records an event. */
static void
slot_update(p11_ctx_t *ctx, p11_slot_t *slot, const SCARD_READERSTATE *rs)
{
	int present = (rs->dwEventState & SCARD_STATE_PRESENT) != 0 &&
	              !(rs->dwEventState & SCARD_STATE_MUTE) && !atr_is_sam(rs->rgbAtr, rs->cbAtr);
	/* the high word counts card events in pcsc-lite: insert+remove between two looks */
	int changed = present != slot->card_present ||
	              ((rs->dwEventState ^ slot->pcsc_state) & 0xFFFF0000u) != 0;

	if (!slot->seen) {
		/* the first look at a reader is no event: the state since C_Initialize */
		slot->seen = 1;
		changed = 0;
	}
	if (changed) {
		if (slot->card != NULL || slot->objects_loaded || slot->card_present)
			p11_slot_card_lost(ctx, slot);
		else
			slot->generation++;
		slot->event_pending = 1;
	}
	slot->card_present = present;
	slot->pcsc_state = rs->dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
}

CK_RV
p11_slots_refresh(p11_ctx_t *ctx)
{
	SCARD_READERSTATE rs[P11_MAX_SLOTS];
	p11_slot_t *map[P11_MAX_SLOTS];
	char *names = NULL, *p;
	DWORD len = 0;
	LONG r;
	size_t i, n = 0;
	int seen[P11_MAX_SLOTS] = { 0 };

	if (pcsc_revive(ctx) != 0)
		goto none;
	r = SCardListReaders(ctx->pcsc, NULL, NULL, &len);
	if (r == SCARD_E_NO_READERS_AVAILABLE || r != SCARD_S_SUCCESS || len == 0 ||
	    len > P11_READERS_MAX_BYTES)
		goto none;
	if ((names = calloc(1, len + 1)) == NULL)
		return CKR_HOST_MEMORY;
	if (SCardListReaders(ctx->pcsc, NULL, names, &len) != SCARD_S_SUCCESS)
		goto none;
	names[len] = '\0';
	/* multi-string, bounded by len */
	for (p = names; p < names + len && *p != '\0' && n < P11_MAX_SLOTS; p += strlen(p) + 1) {
		p11_slot_t *s;

		if (reader_is_config(ctx, p) || (s = slot_for_reader(ctx, p)) == NULL)
			continue;
		memset(&rs[n], 0, sizeof(rs[n]));
		rs[n].szReader = s->reader;
		rs[n].dwCurrentState = SCARD_STATE_UNAWARE;
		map[n++] = s;
	}
	if (n > 0 && SCardGetStatusChange(ctx->pcsc, 0, rs, (DWORD)n) != SCARD_S_SUCCESS)
		goto none;
	for (i = 0; i < n; i++) {
		slot_update(ctx, map[i], &rs[i]);
		seen[map[i] - ctx->slots] = 1;
	}
	/* readers that went away: their slots stay, without a token */
	for (i = 0; i < ctx->n_slots; i++) {
		if (!seen[i] && ctx->slots[i].card_present) {
			p11_slot_card_lost(ctx, &ctx->slots[i]);
			ctx->slots[i].card_present = 0;
			ctx->slots[i].event_pending = 1;
		}
	}
	free(names);
	return CKR_OK;
none:
	free(names);
	for (i = 0; i < ctx->n_slots; i++) {
		if (ctx->slots[i].card_present) {
			p11_slot_card_lost(ctx, &ctx->slots[i]);
			ctx->slots[i].card_present = 0;
			ctx->slots[i].event_pending = 1;
		}
	}
	return CKR_OK;
}

CK_RV
p11_slot_get(p11_ctx_t *ctx, CK_SLOT_ID id, p11_slot_t **out)
{
	/* an application may use a slot id without listing the slots first */
	if (id >= ctx->n_slots && p11_slots_refresh(ctx) != CKR_OK)
		return CKR_SLOT_ID_INVALID;
	if (id >= ctx->n_slots || !ctx->slots[id].used)
		return CKR_SLOT_ID_INVALID;
	*out = &ctx->slots[id];
	return CKR_OK;
}

CK_RV
p11_begin_slot(p11_call_t *c, CK_RV args, CK_SLOT_ID id)
{
	CK_RV rv;

	if ((rv = p11_begin(c, args)) != CKR_OK)
		return rv;
	return p11_slot_get(c->ctx, id, &c->slot);
}

CK_RV
p11_slot_error(p11_ctx_t *ctx, p11_slot_t *slot, int err)
{
	if (err == HC_ERR_CARD_REMOVED || err == HC_ERR_NO_CARD) {
		p11_slot_card_lost(ctx, slot);
		slot->card_present = 0;
		slot->event_pending = 1;
		return CKR_DEVICE_REMOVED;
	}
	if (err == HC_ERR_CARD_RESET) {
		/* another process reset the card (the transport has reconnected): the card's PIN
		 * state is gone, so is the login; sessions and objects stay (same card) */
		slot->logged_in = 0;
		if (slot->card != NULL)
			hc_session_invalidate(slot->card);   /* selections are gone too */
		return CKR_USER_NOT_LOGGED_IN;
	}
	return p11_rv(err);
}

CK_RV
p11_slot_card(p11_ctx_t *ctx, p11_slot_t *slot)
{
	hc_terminal_opts_t opts;
	int err;

	if (!slot->card_present)
		return CKR_TOKEN_NOT_PRESENT;
	if (slot->card != NULL)
		return CKR_OK;
	memset(&opts, 0, sizeof(opts));
	opts.card_reader = slot->reader;
	opts.sam_reader = ctx->sam_reader[0] != '\0' ? ctx->sam_reader : NULL;
	opts.psam_reader = ctx->psam_reader[0] != '\0' ? ctx->psam_reader : NULL;
	if ((slot->term == NULL && (err = hc_terminal_open(ctx->hc, &opts, &slot->term)) != HC_OK) ||
	    (err = hc_card_open(slot->term, &slot->card)) != HC_OK) {
		hc_card_close(&slot->card);
		hc_terminal_close(&slot->term);
		return err == HC_ERR_NO_CARD || err == HC_ERR_CARD_REMOVED ? CKR_TOKEN_NOT_PRESENT
		                                                           : CKR_TOKEN_NOT_RECOGNIZED;
	}
	/* a reader control on the new connection (cached by it), not an APDU: the token flag
	 * CKF_PROTECTED_AUTHENTICATION_PATH; a reader that cannot say has no pad */
	if (hc_pki_has_pinpad(slot->card, &slot->has_pinpad) != HC_OK)
		slot->has_pinpad = 0;
	return CKR_OK;
}

void
p11_slots_free(p11_ctx_t *ctx)
{
	size_t i;

	for (i = 0; i < ctx->n_slots; i++) {
		hc_card_close(&ctx->slots[i].card);
		hc_terminal_close(&ctx->slots[i].term);
		p11_objects_free(&ctx->slots[i]);
	}
}

CK_RV
C_GetSlotList(CK_BBOOL token_present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count)
{
	p11_call_t c;
	CK_ULONG n = 0, i;
	CK_RV rv;

	/* readers and cards as PC/SC sees them now (no card I/O) */
	if ((rv = p11_begin(&c, p11_args(count != NULL))) != CKR_OK ||
	    (rv = p11_slots_refresh(c.ctx)) != CKR_OK)
		goto out;
	for (i = 0; i < c.ctx->n_slots; i++) {
		if (token_present && !c.ctx->slots[i].card_present)
			continue;
		if (list != NULL && n < *count)
			list[n] = i;
		n++;
	}
	if (list != NULL && n > *count)
		rv = CKR_BUFFER_TOO_SMALL;
	*count = n;
out:
	return p11_end(&c, rv);
}

CK_RV
C_GetSlotInfo(CK_SLOT_ID id, CK_SLOT_INFO_PTR info)
{
	p11_call_t c;
	CK_RV rv;

	/* the card's presence as PC/SC sees it now (no card I/O): an application that does not
	 * call C_GetSlotList again (p11-kit's server, whose slot list is fixed at C_Initialize)
	 * must still see the card go */
	if ((rv = p11_begin(&c, p11_args(info != NULL))) != CKR_OK ||
	    (rv = p11_slots_refresh(c.ctx)) != CKR_OK ||
	    (rv = p11_slot_get(c.ctx, id, &c.slot)) != CKR_OK)
		goto out;
	memset(info, 0, sizeof(*info));
	p11_pad_copy(info->slotDescription, sizeof(info->slotDescription), c.slot->reader);
	p11_pad_copy(info->manufacturerID, sizeof(info->manufacturerID), "PC/SC reader");
	info->flags = CKF_REMOVABLE_DEVICE | CKF_HW_SLOT;
	if (c.slot->card_present)
		info->flags |= CKF_TOKEN_PRESENT;
out:
	return p11_end(&c, rv);
}

/* Loads the token's objects and identity (label, serial) once per card. */
static CK_RV
token_ready(p11_ctx_t *ctx, p11_slot_t *slot)
{
	CK_RV rv;

	if ((rv = p11_slot_card(ctx, slot)) != CKR_OK)
		return rv;
	return p11_objects_load(ctx, slot);
}

CK_RV
C_GetTokenInfo(CK_SLOT_ID id, CK_TOKEN_INFO_PTR info)
{
	p11_call_t c;
	p11_ctx_t *ctx;
	p11_slot_t *slot;
	int verified = 0, tries = -1, err;
	size_t i;
	CK_RV rv;

	if ((rv = p11_begin_slot(&c, p11_args(info != NULL), id)) != CKR_OK ||
	    (rv = token_ready(c.ctx, c.slot)) != CKR_OK)
		goto out;
	ctx = c.ctx;
	slot = c.slot;
	err = hc_pki_pin_status(slot->card, &verified, &tries);
	if (err == HC_ERR_CARD_RESET && (slot->logged_in = 0) == 0)
		err = hc_pki_pin_status(slot->card, &verified, &tries);   /* once more */
	if (err == HC_ERR_FILE_NOT_FOUND)
		err = HC_OK;   /* a card without the PKI application: no PIN counters to show */
	if (err != HC_OK && err != HC_ERR_PIN_BLOCKED) {
		rv = p11_slot_error(ctx, slot, err);
		goto out;
	}
	memset(info, 0, sizeof(*info));
	p11_pad_copy(info->label, sizeof(info->label), slot->label);
	p11_pad_copy(info->manufacturerID, sizeof(info->manufacturerID), "hcard");
	p11_pad_copy(info->model, sizeof(info->model), "Health card v1");
	p11_pad_copy(info->serialNumber, sizeof(info->serialNumber), slot->serial);
	info->flags = CKF_RNG | CKF_TOKEN_INITIALIZED | CKF_USER_PIN_INITIALIZED | CKF_LOGIN_REQUIRED;
	if (slot->has_pinpad)
		info->flags |= CKF_PROTECTED_AUTHENTICATION_PATH;
	if (err == HC_ERR_PIN_BLOCKED)
		info->flags |= CKF_USER_PIN_LOCKED;
	else if (tries >= 0 && tries < P11_PIN_TRIES)
		info->flags |= CKF_USER_PIN_COUNT_LOW | (tries == 1 ? CKF_USER_PIN_FINAL_TRY : 0);
	info->ulMaxSessionCount = P11_MAX_SESSIONS;
	info->ulMaxRwSessionCount = P11_MAX_SESSIONS;
	for (i = 0; i < P11_MAX_SESSIONS; i++) {
		if (ctx->sessions[i].handle == 0 || ctx->sessions[i].slot != id)
			continue;
		info->ulSessionCount++;
		if (ctx->sessions[i].flags & CKF_RW_SESSION)
			info->ulRwSessionCount++;
	}
	info->ulMaxPinLen = P11_MAX_PIN;
	info->ulMinPinLen = P11_MIN_PIN;
	info->ulTotalPublicMemory = CK_UNAVAILABLE_INFORMATION;
	info->ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
	info->ulTotalPrivateMemory = CK_UNAVAILABLE_INFORMATION;
	info->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
	info->hardwareVersion.major = 1;
	info->firmwareVersion.major = 1;
out:
	return p11_end(&c, rv);
}

CK_RV
C_GetMechanismList(CK_SLOT_ID id, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR count)
{
	p11_call_t c;
	CK_ULONG n = sizeof(mechanisms) / sizeof(mechanisms[0]), i;
	CK_RV rv;

	if ((rv = p11_begin_slot(&c, p11_args(count != NULL), id)) != CKR_OK)
		goto out;
	if (list != NULL) {
		if (*count < n)
			rv = CKR_BUFFER_TOO_SMALL;
		else
			for (i = 0; i < n; i++)
				list[i] = mechanisms[i].type;
	}
	*count = n;
out:
	return p11_end(&c, rv);
}

CK_RV
C_GetMechanismInfo(CK_SLOT_ID id, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR info)
{
	p11_call_t c;
	size_t i;
	CK_RV rv;

	if ((rv = p11_begin_slot(&c, p11_args(info != NULL), id)) != CKR_OK)
		goto out;
	rv = CKR_MECHANISM_INVALID;
	for (i = 0; i < sizeof(mechanisms) / sizeof(mechanisms[0]); i++) {
		if (mechanisms[i].type != type)
			continue;
		info->ulMinKeySize = 256;
		info->ulMaxKeySize = 256;
		/* signing on the card; verification on the host with the public key */
		info->flags = CKF_HW | CKF_SIGN | CKF_VERIFY | CKF_EC_F_P | CKF_EC_NAMEDCURVE |
		              CKF_EC_UNCOMPRESS;
		rv = CKR_OK;
	}
out:
	return p11_end(&c, rv);
}

/* A slot with a pending event, cleared; -1 if none. */
static long
take_event(p11_ctx_t *ctx)
{
	size_t i;

	for (i = 0; i < ctx->n_slots; i++) {
		if (ctx->slots[i].event_pending) {
			ctx->slots[i].event_pending = 0;
			return (long)i;
		}
	}
	return -1;
}

CK_RV
C_WaitForSlotEvent(CK_FLAGS flags, CK_SLOT_ID_PTR slot_out, CK_VOID_PTR reserved)
{
	p11_call_t c;
	p11_ctx_t *ctx;
	SCARD_READERSTATE rs[P11_MAX_SLOTS + 1];
	DWORD n;
	long ev;
	size_t i;
	unsigned rounds;
	CK_RV rv;

	if ((rv = p11_begin(&c, p11_args(slot_out != NULL && reserved == NULL))) != CKR_OK)
		goto out;
	ctx = c.ctx;
	/* bounded: each round blocks in PC/SC until something changes */
	for (rounds = 0; rounds < 1000000u; rounds++) {
		if ((rv = p11_slots_refresh(ctx)) != CKR_OK)
			goto out;
		if ((ev = take_event(ctx)) >= 0) {
			*slot_out = (CK_SLOT_ID)ev;
			rv = CKR_OK;
			goto out;
		}
		if (flags & CKF_DONT_BLOCK) {
			rv = CKR_NO_EVENT;
			goto out;
		}
		if (ctx->waiting || !ctx->pcsc_wait_ok) {
			rv = CKR_FUNCTION_FAILED;
			goto out;
		}
		memset(rs, 0, sizeof(rs));
		for (i = 0, n = 0; i < ctx->n_slots; i++, n++) {
			rs[n].szReader = ctx->slots[i].reader;
			rs[n].dwCurrentState = ctx->slots[i].pcsc_state;
		}
		/* new readers */
		rs[n].szReader = "\\\\?PnP?\\Notification";
		rs[n].dwCurrentState = 0;
		n++;
		if ((rv = p11_wait_unlocked(&c, rs, n)) != CKR_OK)
			goto out;   /* finalised: lock not held (c.ctx NULL) */
	}
	rv = CKR_FUNCTION_FAILED;
out:
	return p11_end(&c, rv);
}
