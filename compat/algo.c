/*
 * Algorithms of the national interface: the cardholder PIN (VerifyPin: the PIN object of the
 * debit application, purse.md, which also serves the PKI application; over hcard_purse.h),
 * SM3 (SM3Digest: a public hash, computed on the host by crypto/ over OpenSSL, which gives
 * the same bytes as the SAM's 80 F8) and the SAM's SM2 signature over the caller's hash
 * (SM2SignHash: 80 F4, e = hash, no Z; hc_terminal_sam_sign_hash).
 */
#include "config.h"

#include <string.h>

#include "hcard_purse.h"
#include "compat/compat.h"
#include "crypto/crypto.h"

typedef struct pin_op {
	const char *pin;
	int tries;
	BYTE *retry;                /* the caller's, may be NULL */
} pin_op_t;

static int
pin_verify(hc_card_t *card, void *arg)
{
	pin_op_t *op = arg;
	hc_purse_t *purse = NULL;
	int rc;

	if ((rc = hc_purse_open(card, NULL, &purse)) == HC_OK)
		rc = hc_purse_verify_pin(purse, op->pin, &op->tries);
	hc_purse_free(&purse);
	return rc;
}

/* not retried on a new session: a PIN is presented once */
static int
card_verify_pin(wsb_dev_t *d, void *arg)
{
	pin_op_t *op = arg;
	int rc;

	rc = wsb_run(d, pin_verify, op, 0);
	if (op->retry != NULL && (rc == HC_ERR_PIN_WRONG || rc == HC_ERR_PIN_BLOCKED))
		*op->retry = (BYTE)(rc == HC_ERR_PIN_BLOCKED || op->tries < 0 ? 0 : op->tries);
	return rc;
}

static const wsb_call_t verify_pin_call = { NULL, 0, card_verify_pin, WSB_OP_CARD };

int
VerifyPin(HANDLE h, char *szPin, BYTE *pbRetry)
{
	pin_op_t op = { szPin, -1, pbRetry };

	return wsb_call(h, &verify_pin_call, szPin != NULL, &op);
}

int
SM3Digest(HANDLE h, BYTE *pbData, unsigned int nDataLen, BYTE *pbHash, BYTE *pbHashLen)
{
	wsb_dev_t *d;
	int ret;

	if ((ret = wsb_enter(h, &d)) != IRV_OK)
		return ret;
	if ((pbData == NULL && nDataLen > 0) || pbHash == NULL || pbHashLen == NULL) {
		ret = IRV_PARA_ERR;
	} else if (hc_sm3(nDataLen > 0 ? pbData : (const uint8_t *)"", nDataLen, pbHash) != 0) {
		ret = IRV_PSAM_ERR;
	} else {
		*pbHashLen = 32;
		ret = IRV_OK;
	}
	wsb_leave(d);
	return ret;
}

typedef struct sign_hash {
	const BYTE *hash;
	BYTE *sig, *sig_len;
} sign_hash_t;

static int
sam_sign_hash(wsb_dev_t *d, void *arg)
{
	sign_hash_t *sh = arg;
	int rc;

	if ((rc = hc_terminal_sam_sign_hash(d->term, sh->hash, sh->sig)) == HC_OK)
		*sh->sig_len = HC_SAM_SIG_LEN;
	return rc;
}

static const wsb_call_t sign_hash_call = { "SAM signature", 1, sam_sign_hash, WSB_OP_SAM };

int
SM2SignHash(HANDLE h, BYTE *pbData, BYTE bLen, BYTE *pbSignedData, BYTE *pbLength)
{
	sign_hash_t sh = { pbData, pbSignedData, pbLength };

	return wsb_call(h, &sign_hash_call,
	                    pbData != NULL && bLen == 32 && pbSignedData != NULL && pbLength != NULL, &sh);
}
