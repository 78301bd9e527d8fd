/*
 * Terminal: what the SAM does for the caller alone, without a user card (national-api.md
 * iReader_SAM_Certificate, iChange_Pin, SM2SignHash): its certificate (DF01/EF0017,
 * card-profile.md §4-§5), the change of its PIN (CHANGE REFERENCE DATA [PC]) and its SM2
 * signature over a caller's hash (80 F4). The SAM's current application and PIN state are
 * the terminal's (src/context.h), shared with the card sessions: nothing is selected or
 * verified twice.
 */
#include "config.h"

#include <string.h>

#include "apdu/buf.h"
#include "apdu/log.h"
#include "src/context.h"

#define SAM_PIN_MIN 6u
#define SAM_PIN_MAX 8u

typedef int (*sam_op_fn)(hc_terminal_t *t, hc_resp_t *resp, void *arg);

/*
 * Runs op in one PC/SC transaction on the SAM (nobody selects another DF between our SELECT
 * and our command), and once more from scratch when the SAM lost its state: a reset PC/SC
 * reported (nothing was sent then), or a refusal that says "no PIN" (6982) while the terminal
 * believed the PIN verified, or "not in DF01" (6985, 6A82) while it believed DF01 current:
 * a warm reset it did not see.
 */
static int
sam_run(hc_terminal_t *t, sam_op_fn op, void *arg)
{
	hc_sam_card_t *sc = &t->sam;
	hc_resp_t *resp = NULL;
	int rc = HC_ERR_NO_SAM, attempt, relied_pin, relied_df;

	if (sc->io == NULL)
		goto out;
	rc = HC_ERR_NO_MEMORY;
	if ((resp = hc_resp_new()) == NULL)
		goto out;
	for (attempt = 0; attempt < 2; attempt++) {
		relied_pin = sc->pin_verified;
		relied_df = sc->app == HC_SAM_APP_HEALTH;
		if ((rc = hc_transport_begin(sc->io)) == HC_OK) {
			rc = op(t, resp, arg);
			(void)hc_transport_end(sc->io);
		}
		if (rc != HC_ERR_CARD_RESET && !(relied_pin && rc == HC_ERR_SECURITY_STATUS)
		    && !(relied_df && (rc == HC_ERR_CONDITIONS_OF_USE || rc == HC_ERR_FILE_NOT_FOUND)))
			break;
		hc_log_debug("SAM state lost (%s): verifying and selecting again", hc_errname(rc));
		sc->app = HC_SAM_APP_NONE;
		sc->pin_verified = 0;
	}
out:
	hc_resp_free(&resp);
	return rc;
}

/* One command to the SAM with its health application DF01 current; the answer must have
 * exactly want bytes. */
static int
health_cmd(hc_terminal_t *t, hc_resp_t *resp, const hc_apdu_t *a, size_t want)
{
	uint16_t sw = 0;
	int rc;

	if ((rc = hc_terminal_sam_select(t, &t->sam, HC_SAM_APP_HEALTH, resp)) != HC_OK)
		return rc;
	hc_resp_clear(resp);
	if ((rc = hc_terminal_sam_cmd(&t->sam, a, resp, &sw)) != HC_OK)
		return rc;
	if (resp->len != want) {
		hc_ctx_set_detail(t->ctx, "the SAM answered %zu bytes to %02X %02X, %zu expected",
		                  resp->len, a->cla, a->ins, want);
		return HC_ERR_SAM;
	}
	return HC_OK;
}

static int
cert_op(hc_terminal_t *t, hc_resp_t *resp, void *arg)
{
	/* READ BINARY by SFI 17 (EF0017), offset 0, Le BE */
	const hc_apdu_t a = { 0x00, 0xB0, 0x97, 0x00, NULL, 0, HC_SAM_CERT_LEN, 1, 0, 0 };
	int rc = health_cmd(t, resp, &a, HC_SAM_CERT_LEN);

	if (rc == HC_OK)
		memcpy(arg, resp->data, HC_SAM_CERT_LEN);
	return rc;
}

int
hc_terminal_sam_certificate(hc_terminal_t *term, uint8_t cert[HC_SAM_CERT_LEN])
{
	if (term == NULL || cert == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	term->ctx->detail[0] = '\0';
	return sam_run(term, cert_op, cert);
}

typedef struct sign_op {
	const uint8_t *hash;
	uint8_t *sig;
} sign_op_t;

static int
sign_op(hc_terminal_t *t, hc_resp_t *resp, void *arg)
{
	sign_op_t *op = arg;
	const hc_apdu_t a = { 0x80, 0xF4, 0x00, 0x00, op->hash, 32, HC_SAM_SIG_LEN, 1, 0, 0 };
	int rc = health_cmd(t, resp, &a, HC_SAM_SIG_LEN);

	if (rc == HC_OK)
		memcpy(op->sig, resp->data, HC_SAM_SIG_LEN);
	return rc;
}

int
hc_terminal_sam_sign_hash(hc_terminal_t *term, const uint8_t hash[32], uint8_t sig[HC_SAM_SIG_LEN])
{
	sign_op_t op = { hash, sig };
	int rc;

	if (term == NULL || hash == NULL || sig == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	term->ctx->detail[0] = '\0';
	rc = sam_run(term, sign_op, &op);
	if (rc == HC_ERR_SECURITY_STATUS)
		hc_ctx_set_detail(term->ctx, "the SAM signs only after its PIN was verified "
		                  "(hc_terminal_verify_sam_pin, or sam_pin_file in hcard.conf)");
	return rc;
}

/* 6-8 ASCII digits (card-profile.md §4): its length, or 0. */
static size_t
sam_pin_length(const char *pin)
{
	size_t n;

	for (n = 0; n <= SAM_PIN_MAX && pin[n] != '\0'; n++)
		if (pin[n] < '0' || pin[n] > '9')
			return 0;
	return n >= SAM_PIN_MIN && n <= SAM_PIN_MAX ? n : 0;
}

typedef struct change_op {
	uint8_t data[2 * SAM_PIN_MAX];     /* old || new */
	size_t len;
	int tries;
} change_op_t;

static int
change_op(hc_terminal_t *t, hc_resp_t *resp, void *arg)
{
	change_op_t *op = arg;
	/* no DF needed: the PIN is the SAM's own (the simulator takes it in any DF) */
	const hc_apdu_t a = { 0x00, 0x24, 0x00, 0x00, op->data, op->len, 0, 0, 0, 1 };
	uint16_t sw = 0;
	int rc;

	rc = hc_terminal_sam_cmd(&t->sam, &a, resp, &sw);
	if (rc != HC_OK && rc != HC_ERR_CARD_RESET)
		t->sam.pin_verified = 0;           /* a wrong PIN also ends a verified state */
	/* both PINs are well formed here: the SAM split old || new at the length of the PIN it
	 * holds, and the old one has another length (6A80 / 6700, no try counted) */
	if (rc == HC_ERR_INCORRECT_DATA || rc == HC_ERR_WRONG_LENGTH) {
		hc_ctx_set_detail(t->ctx, "SAM PIN wrong: the old PIN does not have the length of the SAM's PIN");
		return HC_ERR_SAM_PIN;
	}
	return hc_terminal_sam_pin_result(t, rc, sw, &op->tries);
}

int
hc_terminal_change_sam_pin(hc_terminal_t *term, const char *old_pin, const char *new_pin,
                           int *tries_left)
{
	change_op_t op;
	size_t old_len, new_len;
	int rc = HC_ERR_INVALID_ARGUMENT;

	memset(&op, 0, sizeof(op));
	op.tries = -1;
	if (term == NULL || old_pin == NULL || new_pin == NULL)
		goto out;
	term->ctx->detail[0] = '\0';
	old_len = sam_pin_length(old_pin);
	new_len = sam_pin_length(new_pin);
	if (old_len == 0 || new_len == 0) {
		hc_ctx_set_detail(term->ctx, "the SAM PIN must be 6-8 digits (%s PIN)",
		                  old_len == 0 ? "old" : "new");
		rc = HC_ERR_PIN_FORMAT;
		goto out;
	}
	memcpy(op.data, old_pin, old_len);
	memcpy(op.data + old_len, new_pin, new_len);
	op.len = old_len + new_len;
	if ((rc = sam_run(term, change_op, &op)) != HC_OK)
		goto out;
	/* the SAM holds the new PIN and counts as verified (ISO 7816-4 CHANGE REFERENCE DATA) */
	hc_wipe(term->pin, sizeof(term->pin));
	memcpy(term->pin, new_pin, new_len);
	term->pin_len = new_len;
	term->sam.pin_verified = 1;
out:
	if (tries_left != NULL)
		*tries_left = op.tries;
	hc_wipe(&op, sizeof(op));
	return rc;
}
