/*
 * Status words -> hc_err_t, through one table: card-profile.md §7 and purse.md, then the
 * ISO/IEC 7816-4 classes as a fallback. The first entry with (sw & mask) == value wins, so
 * exact entries come before the class entries.
 */
#include "config.h"

#include <stddef.h>

#include "hcard_err.h"
#include "apdu/sw.h"

typedef struct sw_entry {
	uint16_t value;
	uint16_t mask;
	int err;
	const char *text;
} sw_entry_t;

static const sw_entry_t sw_table[] = {
	{ 0x9000, 0xFFFF, HC_OK,                        "9000 success" },
	/* card-profile.md §7 */
	{ 0x6281, 0xFFFF, HC_ERR_DATA_CORRUPTED,        "6281 part of the returned data may be corrupted" },
	{ 0x6282, 0xFFFF, HC_ERR_END_OF_FILE,           "6282 end of file reached before Le bytes" },
	{ 0x6283, 0xFFFF, HC_ERR_APP_BLOCKED,           "6283 selected file or application blocked" },
	{ 0x63C0, 0xFFF0, HC_ERR_VERIFY_FAILED,         "63Cx verification failed, x tries left" },
	{ 0x6581, 0xFFFF, HC_ERR_MEMORY_FAILURE,        "6581 memory failure" },
	{ 0x6700, 0xFFFF, HC_ERR_WRONG_LENGTH,          "6700 wrong length" },
	{ 0x6982, 0xFFFF, HC_ERR_SECURITY_STATUS,       "6982 security status not satisfied" },
	{ 0x6983, 0xFFFF, HC_ERR_AUTH_BLOCKED,          "6983 authentication method blocked" },
	{ 0x6984, 0xFFFF, HC_ERR_NO_CHALLENGE,          "6984 reference data not usable (no challenge)" },
	{ 0x6985, 0xFFFF, HC_ERR_CONDITIONS_OF_USE,     "6985 conditions of use not satisfied" },
	{ 0x6987, 0xFFFF, HC_ERR_SM_MISSING,            "6987 secure messaging data object missing" },
	{ 0x6988, 0xFFFF, HC_ERR_SM_INCORRECT,          "6988 secure messaging data object incorrect" },
	{ 0x6A80, 0xFFFF, HC_ERR_INCORRECT_DATA,        "6A80 incorrect data in the command" },
	{ 0x6A81, 0xFFFF, HC_ERR_CARD_BLOCKED,          "6A81 card blocked" },
	{ 0x6A82, 0xFFFF, HC_ERR_FILE_NOT_FOUND,        "6A82 file or application not found" },
	{ 0x6A83, 0xFFFF, HC_ERR_RECORD_NOT_FOUND,      "6A83 record not found" },
	{ 0x6A84, 0xFFFF, HC_ERR_NOT_ENOUGH_MEMORY,     "6A84 not enough memory space in the file" },
	{ 0x6A86, 0xFFFF, HC_ERR_WRONG_P1P2,            "6A86 incorrect P1-P2" },
	{ 0x6A88, 0xFFFF, HC_ERR_KEY_NOT_FOUND,         "6A88 key or referenced data not found" },
	{ 0x6B00, 0xFFFF, HC_ERR_OFFSET_OUT_OF_FILE,    "6B00 offset beyond the end of the file" },
	{ 0x6D00, 0xFFFF, HC_ERR_INS_NOT_SUPPORTED,     "6D00 instruction not supported" },
	{ 0x6E00, 0xFFFF, HC_ERR_CLA_NOT_SUPPORTED,     "6E00 class not supported" },
	/* purse.md */
	{ 0x9302, 0xFFFF, HC_ERR_MAC_INVALID,           "9302 MAC invalid" },
	{ 0x9303, 0xFFFF, HC_ERR_APP_BLOCKED,           "9303 application permanently blocked" },
	{ 0x9401, 0xFFFF, HC_ERR_INSUFFICIENT_BALANCE,  "9401 insufficient balance" },
	{ 0x9403, 0xFFFF, HC_ERR_KEY_INDEX,             "9403 key index or algorithm not supported" },
	{ 0x9406, 0xFFFF, HC_ERR_TRANSACTION_NOT_FOUND, "9406 transaction not found" },
	/* ISO/IEC 7816-4 classes; never seen by callers of hc_transmit: 61xx, 6Cxx handled there */
	{ 0x6100, 0xFF00, HC_ERR_UNEXPECTED_SW,         "61xx more response data available" },
	{ 0x6C00, 0xFF00, HC_ERR_WRONG_LENGTH,          "6Cxx wrong Le, xx bytes available" },
	{ 0x6300, 0xFFFF, HC_ERR_VERIFY_FAILED,         "6300 verification failed" },
	{ 0x6A87, 0xFFFF, HC_ERR_WRONG_LENGTH,          "6A87 Lc inconsistent with P1-P2" },
	{ 0x6A00, 0xFF00, HC_ERR_WRONG_P1P2,            "6Axx wrong parameters P1-P2" },
	{ 0x6900, 0xFF00, HC_ERR_CONDITIONS_OF_USE,     "69xx command not allowed" },
	{ 0x6800, 0xFF00, HC_ERR_CLA_NOT_SUPPORTED,     "68xx functions in CLA not supported" },
	{ 0x6500, 0xFF00, HC_ERR_MEMORY_FAILURE,        "65xx execution error, memory changed" },
	{ 0x6200, 0xFF00, HC_ERR_UNEXPECTED_SW,         "62xx warning, memory unchanged" },
	{ 0x6300, 0xFF00, HC_ERR_UNEXPECTED_SW,         "63xx warning, memory changed" },
	{ 0x6400, 0xFF00, HC_ERR_UNEXPECTED_SW,         "64xx execution error, memory unchanged" },
	{ 0x6600, 0xFF00, HC_ERR_UNEXPECTED_SW,         "66xx security-related issue" },
	{ 0x6F00, 0xFF00, HC_ERR_UNEXPECTED_SW,         "6Fxx no precise diagnosis" },
};

static const sw_entry_t *
sw_lookup(uint16_t sw)
{
	size_t i;

	for (i = 0; i < sizeof(sw_table) / sizeof(sw_table[0]); i++)
		if ((sw & sw_table[i].mask) == sw_table[i].value)
			return &sw_table[i];
	return NULL;
}

int
hc_sw_to_err(uint16_t sw)
{
	const sw_entry_t *e = sw_lookup(sw);

	return e != NULL ? e->err : HC_ERR_UNEXPECTED_SW;
}

int
hc_sw_tries_left(uint16_t sw)
{
	return (sw & 0xFFF0) == 0x63C0 ? (int)(sw & 0x0F) : -1;
}

const char *
hc_sw_text(uint16_t sw)
{
	const sw_entry_t *e = sw_lookup(sw);

	return e != NULL ? e->text : "unknown status word";
}
