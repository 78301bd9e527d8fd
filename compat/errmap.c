/*
 * hc_err_t -> the national interface's return codes (national-api.md), one table.
 * OP marks the codes that only say "this command failed": they take the failure code of
 * the operation (103 read record, 107 read binary, 108/109 write, 110/111 index, 104 other).
 */
#include "config.h"

#include <stddef.h>

#include "compat/compat.h"

#define OP (-1)

static const struct { int hc; int irv; } irv_map[] = {
	{ HC_OK, IRV_OK },
	/* caller and host */
	{ HC_ERR_INVALID_ARGUMENT, IRV_PARA_ERR },
	{ HC_ERR_NO_MEMORY, OP },
	{ HC_ERR_INTERNAL, OP },
	{ HC_ERR_BUFFER_TOO_SMALL, IRV_PARA_ERR },
	{ HC_ERR_CONFIG, OP },
	{ HC_ERR_IO, OP },
	/* PC/SC: the card is not reachable */
	{ HC_ERR_NO_SERVICE, IRV_CARD_ERR },
	{ HC_ERR_NO_READER, IRV_CARD_ERR },
	{ HC_ERR_NO_CARD, IRV_CARD_ERR },
	{ HC_ERR_CARD_REMOVED, IRV_CARD_ERR },
	{ HC_ERR_CARD_RESET, IRV_CARD_ERR },
	{ HC_ERR_SHARING, IRV_CARD_ERR },
	{ HC_ERR_TIMEOUT, IRV_CARD_ERR },
	{ HC_ERR_TRANSPORT, IRV_CARD_ERR },
	{ HC_ERR_UNRESPONSIVE_CARD, IRV_CARD_ERR },
	/* answers the APDU layer refused: an abnormal card */
	{ HC_ERR_MALFORMED_RESPONSE, IRV_CARD_ERR },
	{ HC_ERR_RESPONSE_TOO_LONG, IRV_CARD_ERR },
	{ HC_ERR_UNEXPECTED_SW, OP },
	{ HC_ERR_INVALID_APDU, IRV_PARA_ERR },
	{ HC_ERR_DATA_CORRUPTED, OP },
	/* status words */
	{ HC_ERR_END_OF_FILE, OP },
	{ HC_ERR_APP_BLOCKED, IRV_CARD_ERR },
	{ HC_ERR_VERIFY_FAILED, IRV_IRK_VERR },
	{ HC_ERR_MEMORY_FAILURE, OP },
	{ HC_ERR_WRONG_LENGTH, OP },
	{ HC_ERR_SECURITY_STATUS, IRV_IRK_VERR },
	{ HC_ERR_AUTH_BLOCKED, IRV_IRK_VERR },
	{ HC_ERR_NO_CHALLENGE, IRV_IRK_VERR },
	{ HC_ERR_CONDITIONS_OF_USE, OP },
	{ HC_ERR_SM_MISSING, IRV_IRK_VERR },
	{ HC_ERR_SM_INCORRECT, IRV_IRK_VERR },
	{ HC_ERR_INCORRECT_DATA, OP },
	{ HC_ERR_CARD_BLOCKED, IRV_CARD_ERR },
	{ HC_ERR_FILE_NOT_FOUND, IRV_NO_FILE },
	{ HC_ERR_RECORD_NOT_FOUND, OP },
	{ HC_ERR_NOT_ENOUGH_MEMORY, OP },
	{ HC_ERR_WRONG_P1P2, OP },
	{ HC_ERR_KEY_NOT_FOUND, IRV_IRK_VERR },
	{ HC_ERR_OFFSET_OUT_OF_FILE, OP },
	{ HC_ERR_INS_NOT_SUPPORTED, IRV_CARD_ERR },
	{ HC_ERR_CLA_NOT_SUPPORTED, IRV_CARD_ERR },
	{ HC_ERR_MAC_INVALID, IRV_IRK_VERR },
	{ HC_ERR_INSUFFICIENT_BALANCE, OP },
	{ HC_ERR_KEY_INDEX, IRV_IRK_VERR },
	{ HC_ERR_TRANSACTION_NOT_FOUND, OP },
	/* health card and SAM */
	{ HC_ERR_NO_SAM, IRV_PSAM_ERR },
	{ HC_ERR_SAM_PIN, IRV_IRK_VERR },
	{ HC_ERR_SAM_TYPE, IRV_PSAM_ERR },
	{ HC_ERR_SAM, IRV_PSAM_ERR },
	{ HC_ERR_NOT_HEALTH_CARD, IRV_CARD_ERR },
	{ HC_ERR_NOT_GENUINE, IRV_IRK_VERR },
	{ HC_ERR_CARD_EXPIRED, IRV_CARD_ERR },
	{ HC_ERR_NOT_ACTIVATED, IRV_CARD_ERR },
	{ HC_ERR_TEXT_TOO_LONG, IRV_PARA_ERR },
	{ HC_ERR_TEXT_NOT_GBK, IRV_PARA_ERR },
	{ HC_ERR_BAD_ID_NUMBER, IRV_PARA_ERR },
	{ HC_ERR_BAD_VALUE, IRV_PARA_ERR },
	{ HC_ERR_RECORD_EMPTY, IRV_RCINVALID },
	{ HC_ERR_FILE_FULL, OP },
	{ HC_ERR_CERTIFICATE, IRV_IRK_VERR },
	{ HC_ERR_SIGNATURE, IRV_IRK_VERR },
	{ HC_ERR_PHOTO, IRV_DDF1EF07_DATAERR },
	/* debit application */
	{ HC_ERR_NO_PSAM, IRV_PSAM_ERR },
	{ HC_ERR_PIN_WRONG, IRV_IRK_VERR },
	{ HC_ERR_PIN_BLOCKED, IRV_IRK_VERR },
	{ HC_ERR_PIN_FORMAT, IRV_PARA_ERR },
	{ HC_ERR_AMOUNT, IRV_PARA_ERR },
	{ HC_ERR_AMOUNT_OVER_LIMIT, IRV_PARA_ERR },
	{ HC_ERR_SPLIT, IRV_PARA_ERR },
	{ HC_ERR_RECOVERY_PENDING, OP },
	/* flows and store */
	{ HC_ERR_BLACKLISTED, IRV_CARD_ERR },
	{ HC_ERR_STORE, OP },
	{ HC_ERR_STORE_UNREACHABLE, OP },
	{ HC_ERR_PROFILE, IRV_PARA_ERR },
	{ HC_ERR_NOT_PERMITTED, IRV_IRK_VERR },
	/* PIN pads: the PIN was not verified */
	{ HC_ERR_NO_PINPAD, IRV_PARA_ERR },
	{ HC_ERR_PINPAD_TIMEOUT, IRV_IRK_VERR },
	{ HC_ERR_PINPAD_CANCELLED, IRV_IRK_VERR },
	{ HC_ERR_PINPAD_LENGTH, IRV_IRK_VERR },
};

static int
lookup(int hc_err)
{
	size_t i;

	for (i = 0; i < sizeof(irv_map) / sizeof(irv_map[0]); i++)
		if (irv_map[i].hc == hc_err)
			return (int)i;
	return -1;
}

int
wsb_irv(int hc_err, wsb_op_t op)
{
	int i = lookup(hc_err);

	if (i < 0 || irv_map[i].irv == OP)
		return (int)op;
	return irv_map[i].irv;
}

int
wsb_irv_mapped(int hc_err)
{
	return lookup(hc_err) >= 0;
}
