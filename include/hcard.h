/*
 * libhcard: the public API of hcard, middleware for China's Resident Health Card.
 *
 * Handles are opaque. Every function returns an hc_err_t (0 = HC_OK) unless documented
 * otherwise; hc_strerror() says what happened and what to do. x_free(&x) frees and NULLs.
 *
 * Sections (added by the areas that own them):
 *   context and terminal ........ this file, below
 *   health application .......... hcard_health.h
 *   debit application (purse) ... hcard_purse.h
 *   flows (register, charge ...)  hcard_flows.h
 */
#ifndef HCARD_H
#define HCARD_H

#include <stddef.h>
#include <stdint.h>
#include "hcard_err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hc_ctx hc_ctx_t;           /* library context: configuration, PC/SC, store */
typedef struct hc_terminal hc_terminal_t; /* a user-card reader with its SAM (and PSAM) */
typedef struct hc_card hc_card_t;         /* a session with the card in a terminal */

/* Creates a context. conf_path NULL: $HCARD_CONF, then $sysconfdir/hcard.conf, then defaults
 * (which suit the simulator). No card I/O happens here. */
int hc_ctx_new(hc_ctx_t **out, const char *conf_path);
void hc_ctx_free(hc_ctx_t **ctx);

/* Optional log callback (quiet by default; HCARD_DEBUG=1 logs to stderr). */
typedef void (*hc_log_cb)(int level, const char *msg, void *arg);
void hc_set_log(hc_log_cb cb, void *arg, int level);

/* Terminal options; NULL fields come from hcard.conf or auto-detection (the user card reader
 * is the one whose card answers like a health card; the SAM reader the one whose card has
 * the SAM's EF0015). */
typedef struct hc_terminal_opts {
	const char *card_reader;      /* PC/SC reader name or substring */
	const char *sam_reader;       /* reader holding the health SAM */
	const char *psam_reader;      /* reader holding the PSAM; NULL = same card as the SAM */
	const char *sam_pin;          /* SAM PIN; NULL = from the configured PIN file */
} hc_terminal_opts_t;

int hc_terminal_open(hc_ctx_t *ctx, const hc_terminal_opts_t *opts, hc_terminal_t **out);
void hc_terminal_close(hc_terminal_t **term);

/* SAM information (EF0015 and certificate). */
typedef struct hc_sam_info {
	char serial[11];              /* ans 10 */
	int type;                     /* 1..5, card-profile.md §1 */
	int key_version;
	uint8_t terminal_number[6];
} hc_sam_info_t;
int hc_terminal_sam_info(hc_terminal_t *term, hc_sam_info_t *out);
/* Verifies the SAM PIN; on HC_ERR_SAM_PIN *tries_left (may be NULL) gets the tries left. */
int hc_terminal_verify_sam_pin(hc_terminal_t *term, const char *pin, int *tries_left);

#define HC_SAM_CERT_LEN 190           /* card-profile.md §5 */
#define HC_SAM_SIG_LEN 64             /* SM2 r || s */
/* The SAM certificate, DF01/EF0017 (card-profile.md §5: version, CA id, SAM serial, type,
 * validity, SM2 public key, root CA signature), as the SAM holds it, not verified. Needs no
 * PIN. One READ BINARY when the SAM's DF01 is current. */
int hc_terminal_sam_certificate(hc_terminal_t *term, uint8_t cert[HC_SAM_CERT_LEN]);
/* Changes the SAM PIN (CHANGE REFERENCE DATA 00 24 00 00, old || new [PC]). Both PINs must
 * be 6-8 ASCII digits, else HC_ERR_PIN_FORMAT before anything is sent. A wrong old PIN:
 * HC_ERR_SAM_PIN with *tries_left (may be NULL; -1 when not a PIN failure), 0 when blocked.
 * On success the terminal keeps the new PIN (to verify again after a SAM reset) and the
 * SAM counts as verified. The terminal's copies of both PINs are wiped. */
int hc_terminal_change_sam_pin(hc_terminal_t *term, const char *old_pin, const char *new_pin,
                               int *tries_left);
/* SM2 signature by the SAM's key over a caller's 32-byte hash (80 F4 00 00 20 hash 40):
 * sig = r || s with e = hash, no Z (card-profile.md "The SAM"); verify it with the public
 * key of hc_terminal_sam_certificate. Needs the SAM PIN (verified, or kept by the terminal
 * and verified again now): else HC_ERR_SECURITY_STATUS. */
int hc_terminal_sam_sign_hash(hc_terminal_t *term, const uint8_t hash[32],
                              uint8_t sig[HC_SAM_SIG_LEN]);
/* The PC/SC name of the terminal's user-card reader. */
const char *hc_terminal_card_reader(const hc_terminal_t *term);
/* What the last failed call on ctx (hc_ctx_new, hc_terminal_open, SAM PIN) was about, e.g.
 * "SAM PIN wrong: 2 tries left before the SAM blocks"; "" if nothing. Never NULL. */
const char *hc_ctx_error_detail(const hc_ctx_t *ctx);

/* Opens a session with the card in the terminal's user-card reader: reads the ATR and card
 * factor, the city code (EF05 tag 57). Nothing is authenticated yet. */
int hc_card_open(hc_terminal_t *term, hc_card_t **out);
void hc_card_close(hc_card_t **card);
/* Internal authentication: HC_OK if the card is genuine, HC_ERR_NOT_GENUINE otherwise. */
int hc_card_authenticate(hc_card_t *card);
/* APDUs sent to the user card and to the SAM since the session opened (for benchmarks). */
void hc_card_apdu_counts(const hc_card_t *card, unsigned long *card_apdus, unsigned long *sam_apdus);
/* What the last failed call on this card was about: the field and its limit ("DDF1/EF06
 * name: 32 bytes in GBK, the field holds 30"), the key a SAM lacks, the tries left. Never NULL. */
const char *hc_card_error_detail(const hc_card_t *card);
/* The card number (EF05 tag 08, the cardholder's citizen ID number) read when the session
 * opened; "" on a card not issued yet. */
const char *hc_card_number(const hc_card_t *card);

#ifdef __cplusplus
}
#endif
#endif
