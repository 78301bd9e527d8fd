/*
 * hcard-pkcs11: internal interface of the PKCS#11 module (not installed).
 *
 * All module state lives in ONE context (p11_ctx_t) behind ONE mutex. Every entry point
 * takes the lock with p11_enter() (which also detects C_Finalize and fork) and releases it
 * with p11_leave(); only C_WaitForSlotEvent blocks, and it does so without the lock.
 * Card I/O happens under the lock in short PC/SC transactions (libhcard's session).
 */
#ifndef HC_P11_H
#define HC_P11_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <PCSC/winscard.h>
#include <openssl/types.h>

#include "pkcs11/p11_v3.h"
#include "hcard.h"

#define P11_MAX_SLOTS     8u
#define P11_MAX_SESSIONS  64u
#define P11_MAX_OBJECTS   48u
#define P11_MAX_ATTRS     24u
#define P11_READER_MAX    128u

/* Vendor mechanisms (pki.md). */
#define CKM_HC_SM2_RAW        (CKM_VENDOR_DEFINED | 0x48430001UL)  /* sign a given e */
#define CKM_HC_SM2_SM3        (CKM_VENDOR_DEFINED | 0x48430002UL)  /* e = SM3(Z || M) */

/* One attribute of an object (value owned by the object). */
typedef struct p11_attr {
	CK_ATTRIBUTE_TYPE type;
	uint8_t *value;
	CK_ULONG len;
} p11_attr_t;

typedef struct p11_object {
	CK_OBJECT_CLASS cls;
	int key_ref;                   /* PKI key reference (1, 2) for keys and certs, else 0 */
	int private_obj;               /* CKA_PRIVATE: visible after C_Login only */
	int file_id;                   /* CKO_DATA: hc_file_id_t of the card file */
	int value_loaded;              /* CKO_DATA: CKA_VALUE read from the card */
	p11_attr_t attrs[P11_MAX_ATTRS];
	size_t n_attrs;
} p11_object_t;

typedef struct p11_slot {
	int used;                      /* a reader was seen under this slot id */
	char reader[P11_READER_MAX];
	int seen;                      /* the reader's state was looked at once */
	int card_present;              /* from the last PC/SC state */
	DWORD pcsc_state;              /* dwEventState seen last (event counter in the high word) */
	int event_pending;             /* C_WaitForSlotEvent has a change to report */
	unsigned generation;           /* increments with every card insertion / removal / reset */
	int has_pinpad;                /* reader offers FEATURE_VERIFY_PIN_DIRECT */
	int sam_type;                  /* type of the terminal's SAM (writable data objects) */

	hc_terminal_t *term;           /* open while a card session is needed */
	hc_card_t *card;
	int logged_in;                 /* CKU_USER login done on this card */
	int objects_loaded;
	p11_object_t objects[P11_MAX_OBJECTS];
	size_t n_objects;
	char label[33], serial[17];
	uint8_t pub[2][64];            /* PKI public keys, for SM3-with-Z */
} p11_slot_t;

/* Active search of a session (a signature is in crypto[P11_CRYPTO_SIGN]; the two exclude
 * each other, a verification does not). */
typedef enum p11_op { P11_OP_NONE = 0, P11_OP_FIND } p11_op_t;

/* The crypto operations of a session, by index. */
typedef enum p11_crypto { P11_CRYPTO_SIGN = 0, P11_CRYPTO_VERIFY, P11_CRYPTO__COUNT } p11_crypto_t;

/* One sign or verify operation (verification in software, with the public key). */
typedef struct p11_crypto_op {
	int active;
	CK_MECHANISM_TYPE mech;
	int key;                       /* PKI key ref */
	int context_login;             /* sign: CKU_CONTEXT_SPECIFIC done for this operation */
	void *md;                      /* EVP_MD_CTX for multi-part hashing mechanisms */
} p11_crypto_op_t;

typedef struct p11_session {
	CK_SESSION_HANDLE handle;      /* 0 = free entry */
	CK_SLOT_ID slot;
	unsigned generation;           /* slot generation at open: a mismatch = card removed */
	CK_FLAGS flags;                /* CKF_RW_SESSION | CKF_SERIAL_SESSION */
	p11_op_t op;
	/* find */
	CK_OBJECT_HANDLE found[P11_MAX_OBJECTS];
	size_t n_found, found_pos;
	p11_crypto_op_t crypto[P11_CRYPTO__COUNT];
} p11_session_t;

typedef struct p11_ctx {
	pid_t pid;                     /* process that called C_Initialize (fork detection) */
	hc_ctx_t *hc;
	SCARDCONTEXT pcsc;             /* slot enumeration and events, used under the lock */
	SCARDCONTEXT pcsc_wait;        /* C_WaitForSlotEvent, used without the lock */
	int pcsc_ok, pcsc_wait_ok;
	int waiting;                   /* a thread blocks in C_WaitForSlotEvent */
	char sam_reader[P11_READER_MAX], psam_reader[P11_READER_MAX];
	p11_slot_t slots[P11_MAX_SLOTS];
	size_t n_slots;
	p11_session_t sessions[P11_MAX_SESSIONS];
	CK_SESSION_HANDLE next_session;
	unsigned long card_apdus;      /* for benchmarks: APDUs of closed card sessions */
} p11_ctx_t;

/*
 * What an entry point works on. p11_begin*() fill it; every entry point ends with
 * `return p11_end(&c, rv);`, which releases the lock when a begin took it (ctx non-NULL).
 * The begin functions check in the order every entry point has always checked: initialised
 * (CKR_CRYPTOKI_NOT_INITIALIZED), then the arguments (the caller's verdict, args), then the
 * handle, then the session's state (P11_NEED_*).
 */
typedef struct p11_call {
	p11_ctx_t *ctx;                /* non-NULL: the lock is held */
	p11_session_t *s;
	p11_slot_t *slot;
} p11_call_t;

/* What p11_begin_session / p11_session_check require of the session, checked in this order. */
#define P11_NEED_IDLE       0x01u  /* no search, no signature: else CKR_OPERATION_ACTIVE */
#define P11_NEED_NO_VERIFY  0x02u  /* no verification: else CKR_OPERATION_ACTIVE */
#define P11_NEED_FIND       0x04u  /* a search: else CKR_OPERATION_NOT_INITIALIZED */
#define P11_NEED_SIGN       0x08u  /* a signature: else CKR_OPERATION_NOT_INITIALIZED */
#define P11_NEED_VERIFY     0x10u  /* a verification: else CKR_OPERATION_NOT_INITIALIZED */
#define P11_NEED_RW         0x20u  /* a R/W session: else CKR_SESSION_READ_ONLY */
#define P11_NEED_LOGIN      0x40u  /* the user logged in: else CKR_USER_NOT_LOGGED_IN */

/* CKR_OK if ok, else CKR_ARGUMENTS_BAD: the args of the begin functions. */
static inline CK_RV
p11_args(int ok)
{
	return ok ? CKR_OK : CKR_ARGUMENTS_BAD;
}

/* module.c: the lock and the context. p11_enter returns CKR_OK with the lock held and
 * *ctx set, or CKR_CRYPTOKI_NOT_INITIALIZED (also in a forked child) without the lock. */
CK_RV p11_enter(p11_ctx_t **ctx);
void p11_leave(void);
/* p11_enter into c (zeroed first), then args (CKR_OK or the caller's argument error). */
CK_RV p11_begin(p11_call_t *c, CK_RV args);
/* Releases the lock if c holds it; returns rv. */
CK_RV p11_end(p11_call_t *c, CK_RV rv);
/* C_WaitForSlotEvent: waits in PC/SC without the lock, then re-takes it; returns
 * CKR_CRYPTOKI_NOT_INITIALIZED, with the lock released (c->ctx NULL), when C_Finalize ran
 * meanwhile. */
CK_RV p11_wait_unlocked(p11_call_t *c, SCARD_READERSTATE *rs, DWORD n);
/* Spaces-padded copy into a fixed-size PKCS#11 text field (not NUL-terminated). */
void p11_pad_copy(CK_UTF8CHAR *dst, size_t n, const char *src);
/* hc_err_t -> CK_RV through one table. */
CK_RV p11_rv(int hc_err);

/* slot.c */
CK_RV p11_slots_refresh(p11_ctx_t *ctx);
CK_RV p11_slot_get(p11_ctx_t *ctx, CK_SLOT_ID id, p11_slot_t **out);
/* p11_begin, then the slot id (c->slot). */
CK_RV p11_begin_slot(p11_call_t *c, CK_RV args, CK_SLOT_ID id);
/* Opens the card session of a slot with a token (no-op when open). */
CK_RV p11_slot_card(p11_ctx_t *ctx, p11_slot_t *slot);
/* Card gone / reset: closes the card session, drops login and objects, bumps generation. */
void p11_slot_card_lost(p11_ctx_t *ctx, p11_slot_t *slot);
/* Maps an hc error of a card operation on slot, handling removal and reset. */
CK_RV p11_slot_error(p11_ctx_t *ctx, p11_slot_t *slot, int hc_err);
void p11_slots_free(p11_ctx_t *ctx);

/* session.c */
CK_RV p11_session_get(p11_ctx_t *ctx, CK_SESSION_HANDLE h, p11_session_t **s, p11_slot_t **slot);
/* p11_begin, then the session handle (c->s, c->slot), then p11_session_check(c, need). */
CK_RV p11_begin_session(p11_call_t *c, CK_RV args, CK_SESSION_HANDLE h, unsigned need);
/* The P11_NEED_* conditions of need on c's session, in their order; CKR_OK or the first
 * one's error. */
CK_RV p11_session_check(const p11_call_t *c, unsigned need);
void p11_session_close(p11_ctx_t *ctx, p11_session_t *s);
void p11_sessions_close_slot(p11_ctx_t *ctx, CK_SLOT_ID slot);

/* object.c */
CK_RV p11_objects_load(p11_ctx_t *ctx, p11_slot_t *slot);
void p11_objects_free(p11_slot_t *slot);
/* Object of handle h visible in the session's login state. */
CK_RV p11_object_get(p11_ctx_t *ctx, p11_session_t *s, CK_OBJECT_HANDLE h, p11_slot_t **slot,
                     p11_object_t **obj);
CK_OBJECT_HANDLE p11_object_handle(CK_SLOT_ID slot, unsigned generation, size_t idx);
const p11_attr_t *p11_object_attr(const p11_object_t *o, CK_ATTRIBUTE_TYPE type);
/* Adds an attribute (value copied). 0 or -1. */
int p11_attr_add(p11_object_t *o, CK_ATTRIBUTE_TYPE type, const void *value, size_t len);

/* data.c: CKO_DATA objects of the card files */
int p11_data_add_objects(p11_slot_t *slot);
CK_RV p11_data_value(p11_ctx_t *ctx, p11_slot_t *slot, p11_object_t *o);
CK_RV p11_data_set_value(p11_ctx_t *ctx, p11_slot_t *slot, p11_object_t *o, const uint8_t *v,
                         CK_ULONG len);
CK_RV p11_data_append(p11_ctx_t *ctx, p11_slot_t *slot, p11_object_t *o, const uint8_t *entry,
                      CK_ULONG len);

/*
 * sign.c: the shapes of a sign or verify operation, shared by sign.c and verify.c. A kind
 * says what its Init requires and how its last call ends; the C_* functions of both pass
 * their kind to p11_crypto_init / _data (one-part) / _update / _final, which do the entry
 * checks, the argument checks and the multi-part hashing in one place.
 */
typedef struct p11_crypto_kind {
	p11_crypto_t index;
	unsigned init_need;            /* P11_NEED_* of Init, e.g. no operation of this kind */
	unsigned active_need;          /* P11_NEED_* of the other calls: the operation is on */
	CK_OBJECT_CLASS key_class;     /* the key object Init takes */
	/* The last call, with data (one-part) or NULL, 0 (after Update): signs or verifies
	 * into/against sig, *sig_len, and ends the operation where PKCS#11 says it ends. */
	CK_RV (*finish)(p11_call_t *c, const uint8_t *data, CK_ULONG len, CK_BYTE_PTR sig,
	                CK_ULONG_PTR sig_len);
} p11_crypto_kind_t;

CK_RV p11_crypto_init(const p11_crypto_kind_t *k, CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech,
                      CK_OBJECT_HANDLE key);
CK_RV p11_crypto_data(const p11_crypto_kind_t *k, CK_SESSION_HANDLE h, const uint8_t *data,
                      CK_ULONG len, CK_BYTE_PTR sig, CK_ULONG_PTR sig_len);
CK_RV p11_crypto_update(const p11_crypto_kind_t *k, CK_SESSION_HANDLE h, const uint8_t *part,
                        CK_ULONG len);
CK_RV p11_crypto_final(const p11_crypto_kind_t *k, CK_SESSION_HANDLE h, CK_BYTE_PTR sig,
                       CK_ULONG_PTR sig_len);
/* Ends the operation k of s (frees its digest). */
void p11_crypto_reset(p11_session_t *s, p11_crypto_t k);
/* The 32 bytes a signature covers (pki.md): the digest (md non-NULL), e as given, or a hash
 * padded left with 00 / cut to its leftmost 32 bytes. */
CK_RV p11_mech_input(CK_MECHANISM_TYPE mech, void *md, const uint8_t *data, CK_ULONG len,
                     uint8_t in[32]);

#endif
