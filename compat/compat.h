/*
 * Internal to libwsbrw (the national reader interface over libhcard): the one device
 * context, the error mapping and the text/hex helpers shared by the compat/ sources.
 */
#ifndef HC_COMPAT_COMPAT_H
#define HC_COMPAT_COMPAT_H

#include <stddef.h>
#include <stdint.h>

#include "hcard.h"
#include "hcard_visit.h"
#include "apdu/pcsc.h"
#include "compat/WSB_RWInterface.h"

/* Failure code of an operation, used for the hc_err_t codes that only say "the command
 * failed" (an unexpected status word, a wrong length...): 103 read record, 107 read binary,
 * 108 write record, 109 write binary, 110 set index, 111 erase index, 104 otherwise. */
typedef enum wsb_op {
	WSB_OP_CARD = IRV_CARD_ERR,
	WSB_OP_SAM = IRV_PSAM_ERR,
	WSB_OP_READ_RECORD = IRV_RD_RCDERR,
	WSB_OP_READ_BINARY = IRV_RD_BINERR,
	WSB_OP_WRITE_RECORD = IRV_WR_RCDERR,
	WSB_OP_WRITE_BINARY = IRV_WR_BINERR,
	WSB_OP_SET_INDEX = IRV_W_DF03EF05ERR,
	WSB_OP_ERASE_INDEX = IRV_ER_DF03EF05ERR
} wsb_op_t;

/* The national code (0, 101-113) of an hc_err_t for an operation; one static table. */
int wsb_irv(int hc_err, wsb_op_t op);
/* 1 if hc_err has its own row in the table (for the unit test: every code is mapped). */
int wsb_irv_mapped(int hc_err);

/* Raw pass-through slots. */
enum { WSB_RAW_CARD = 0, WSB_RAW_SAM = 1, WSB_RAW__COUNT };

/* The device: one per process, as the national interface has no handle on iDClosePort. */
typedef struct wsb_dev {
	int open;
	int utf8;                         /* text in UTF-8 instead of GBK */
	hc_ctx_t *ctx;
	hc_terminal_t *term;
	hc_card_t *card;                  /* user card session, opened on demand */
	hc_pcsc_t *pcsc;                  /* raw PowerOn / SendAPDU connections */
	hc_transport_t *raw[WSB_RAW__COUNT];
	int sam_dirty;                    /* raw commands reached the SAM since the library used it */
	/* the last visit record read, kept while the calls that follow only read items of it */
	hc_visit_record_t *rec_cache;
	int rec_cache_slot;
} wsb_dev_t;

/* Locks the device and checks the handle: IRV_OK with *out set, or IRV_PARA_ERR (unlocked)
 * for a foreign handle or a closed device. Every IRV_OK is followed by wsb_leave(). */
int wsb_enter(HANDLE h, wsb_dev_t **out);
void wsb_leave(wsb_dev_t *d);
/* wsb_enter for the record reads of DF03, which keep the visit record cache: every other
 * call drops it, so it serves consecutive item reads of one record only. */
int wsb_enter_keep(HANDLE h, wsb_dev_t **out);
/* Before the library uses the SAM: resets it if raw commands (SendAPDU, PowerOn) reached it
 * since, so that the library's next SAM command meets a reset (its transport reconnects, it
 * verifies its kept PIN and selects again) instead of a state it did not make. */
void wsb_sync_sam(wsb_dev_t *d);
/* The user card session (opened now if needed); hc_err_t. */
int wsb_card(wsb_dev_t *d, hc_card_t **out);
/* After a library call on the card: closes the session when the card went away, so that
 * the next call opens one with the card then present. Returns rc. */
int wsb_card_done(wsb_dev_t *d, int rc);
/* Runs fn(card, arg) on the user card session (opened if needed) and wsb_card_done; an
 * idempotent fn (a read) runs once more when an older session found the card gone. */
int wsb_run(wsb_dev_t *d, int (*fn)(hc_card_t *card, void *arg), void *arg, int idempotent);
/* 1 when rc says the card session is gone (pulled, reset, no card). */
int wsb_card_lost(int rc);

/* A national call as data: what it runs (hc_err_t), whether it first resets a SAM that raw
 * commands reached (wsb_sync_sam; calls on the card get that from wsb_run), its name in the
 * log when it fails (NULL: nothing logged here) and the code of a failed command. */
typedef struct wsb_call {
	const char *what;
	int sync;
	int (*run)(wsb_dev_t *d, void *arg);
	wsb_op_t fail;
} wsb_call_t;
/* Locks the device and checks the handle (wsb_enter), then IRV_PARA_ERR unless args_ok, else
 * call->run(d, arg) mapped with call->fail; unlocks. */
int wsb_call(HANDLE h, const wsb_call_t *call, int args_ok, void *arg);

/* Text: from the library's UTF-8 to the caller's encoding into out (the caller's buffer,
 * sized per WSB_RWInterface.h), and from the caller's encoding to UTF-8 into utf8[cap].
 * hc_err_t (HC_ERR_TEXT_NOT_GBK / HC_ERR_TEXT_TOO_LONG / HC_ERR_INVALID_ARGUMENT). */
int wsb_text_out(const wsb_dev_t *d, const char *utf8, char *out);
int wsb_text_in(const wsb_dev_t *d, const char *in, char *utf8, size_t cap);
/* Upper-case hex of p[0..n) into out (2n + 1 chars). */
void wsb_hex_out(const uint8_t *p, size_t n, char *out);
/* Exactly 2n hex digits (either case) into p[0..n): HC_OK or HC_ERR_INVALID_ARGUMENT. */
int wsb_hex_in(const char *hex, uint8_t *p, size_t n);

#endif
