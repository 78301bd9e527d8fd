/* Internal layout of the context, terminal and card session (health area only: other areas
 * use the accessors of session.h and conf.h). */
#ifndef HC_SRC_CONTEXT_H
#define HC_SRC_CONTEXT_H

#include "apdu/pcsc.h"
#include "src/conf.h"
#include "src/profile.h"
#include "src/session.h"

#define HC_DETAIL_MAX 320

struct hc_ctx {
	hc_config_t cfg;
	char detail[HC_DETAIL_MAX];
};

/* The SAM card's state, shared when the PSAM is an application of the SAM card. */
typedef struct hc_sam_card {
	hc_transport_t *io;
	char reader[HC_READER_NAME_MAX];
	hc_sam_app_t app;              /* current application (NONE = unknown) */
	int pin_verified;
} hc_sam_card_t;

struct hc_terminal {
	hc_ctx_t *ctx;
	hc_pcsc_t *pcsc;
	char card_reader[HC_READER_NAME_MAX];
	hc_sam_card_t sam;
	hc_sam_card_t psam_own;        /* used when the PSAM is a separate card */
	hc_sam_card_t *psam;           /* &sam or &psam_own */
	hc_sam_info_t info;
	int have_info;
	char pin[16];                  /* kept to verify again after a SAM reset; wiped at close */
	size_t pin_len;
};

struct hc_card {
	hc_terminal_t *term;
	hc_transport_t *io;
	const hc_chip_profile_t *chip;
	uint8_t atr[HC_ATR_MAX];
	size_t atr_len;
	uint8_t card_factor[8];
	uint8_t city_factor[8];
	hc_app_t app;                  /* current application (NONE = unknown) */
	uint16_t ef;                   /* EF made current by SELECT (0 = none) */
	uint32_t rights;               /* bit per hc_key_id_t granted in the current DF */
	uint8_t ef05[320];             /* DDF1/EF05 as read at open (free to read) */
	size_t ef05_len;
	char card_number[19];
	unsigned long sam_base, psam_base;
	int depth;                     /* hc_session_begin nesting */
	int genuine;                   /* internal authentication passed in this session */
	hc_resp_t *resp;
	char detail[HC_DETAIL_MAX];
};

/* Sends one command on a SAM transport; HC_OK only for 9000. A reset or removal reported
 * by PC/SC drops what sc knew (current application, PIN verified). */
int hc_terminal_sam_cmd(hc_sam_card_t *sc, const hc_apdu_t *a, hc_resp_t *resp, uint16_t *sw);
/* The outcome of a SAM PIN command (VERIFY, CHANGE REFERENCE DATA) sent with result rc and
 * status word sw: 63Cx / 6983 / 6A80 become HC_ERR_SAM_PIN with *tries_left (may be NULL)
 * and the context's detail; any other rc is returned as it is. */
int hc_terminal_sam_pin_result(hc_terminal_t *t, int rc, uint16_t sw, int *tries_left);
/* Verifies the kept SAM PIN again after a SAM reset (no-op when verified or no PIN). */
int hc_terminal_sam_verify_again(hc_terminal_t *t, hc_sam_card_t *sc);
/* Selects a SAM application unless current (through the MF; PIN verified again first). */
int hc_terminal_sam_select(hc_terminal_t *t, hc_sam_card_t *sc, hc_sam_app_t app, hc_resp_t *resp);

#endif
