/* Unit tests: status word table (card-profile.md §7, purse.md), error texts and names for
 * every code of include/hcard_err.h, PC/SC error mapping. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <PCSC/winscard.h>

#include "hcard_err.h"
#include "apdu/pcsc.h"
#include "apdu/sw.h"

/* card-profile.md §7 and purse.md, transcribed from the spec. */
static const struct {
	uint16_t sw;
	int err;
} spec_sws[] = {
	{ 0x9000, HC_OK },
	{ 0x6281, HC_ERR_DATA_CORRUPTED },
	{ 0x6282, HC_ERR_END_OF_FILE },
	{ 0x6283, HC_ERR_APP_BLOCKED },
	{ 0x6581, HC_ERR_MEMORY_FAILURE },
	{ 0x6700, HC_ERR_WRONG_LENGTH },
	{ 0x6982, HC_ERR_SECURITY_STATUS },
	{ 0x6983, HC_ERR_AUTH_BLOCKED },
	{ 0x6984, HC_ERR_NO_CHALLENGE },
	{ 0x6985, HC_ERR_CONDITIONS_OF_USE },
	{ 0x6987, HC_ERR_SM_MISSING },
	{ 0x6988, HC_ERR_SM_INCORRECT },
	{ 0x6A80, HC_ERR_INCORRECT_DATA },
	{ 0x6A81, HC_ERR_CARD_BLOCKED },
	{ 0x6A82, HC_ERR_FILE_NOT_FOUND },
	{ 0x6A83, HC_ERR_RECORD_NOT_FOUND },
	{ 0x6A84, HC_ERR_NOT_ENOUGH_MEMORY },
	{ 0x6A86, HC_ERR_WRONG_P1P2 },
	{ 0x6A88, HC_ERR_KEY_NOT_FOUND },
	{ 0x6B00, HC_ERR_OFFSET_OUT_OF_FILE },
	{ 0x6D00, HC_ERR_INS_NOT_SUPPORTED },
	{ 0x6E00, HC_ERR_CLA_NOT_SUPPORTED },
	{ 0x9302, HC_ERR_MAC_INVALID },
	{ 0x9303, HC_ERR_APP_BLOCKED },
	{ 0x9401, HC_ERR_INSUFFICIENT_BALANCE },
	{ 0x9403, HC_ERR_KEY_INDEX },
	{ 0x9406, HC_ERR_TRANSACTION_NOT_FOUND },
};

static void
test_spec_sws(void **state)
{
	size_t i;
	char hex[5];

	(void)state;
	for (i = 0; i < sizeof(spec_sws) / sizeof(spec_sws[0]); i++) {
		assert_int_equal(hc_sw_to_err(spec_sws[i].sw), spec_sws[i].err);
		assert_int_equal(hc_sw_tries_left(spec_sws[i].sw), -1);
		/* the text starts with the SW itself */
		snprintf(hex, sizeof(hex), "%04X", spec_sws[i].sw);
		assert_memory_equal(hc_sw_text(spec_sws[i].sw), hex, 4);
	}
}

static void
test_63cx(void **state)
{
	unsigned x;

	(void)state;
	for (x = 0; x <= 0xF; x++) {
		uint16_t sw = (uint16_t)(0x63C0 | x);
		assert_int_equal(hc_sw_to_err(sw), HC_ERR_VERIFY_FAILED);
		assert_int_equal(hc_sw_tries_left(sw), (int)x);
		assert_non_null(strstr(hc_sw_text(sw), "63Cx"));
	}
	assert_int_equal(hc_sw_tries_left(0x63B3), -1);
	assert_int_equal(hc_sw_tries_left(0x6300), -1);
	assert_int_equal(hc_sw_tries_left(0x9000), -1);
}

static void
test_other_sws(void **state)
{
	(void)state;
	assert_int_equal(hc_sw_to_err(0x6C10), HC_ERR_WRONG_LENGTH);
	assert_int_equal(hc_sw_to_err(0x6110), HC_ERR_UNEXPECTED_SW);
	assert_int_equal(hc_sw_to_err(0x6A89), HC_ERR_WRONG_P1P2);   /* 6Axx class */
	assert_int_equal(hc_sw_to_err(0x6F00), HC_ERR_UNEXPECTED_SW);
	assert_int_equal(hc_sw_to_err(0x0000), HC_ERR_UNEXPECTED_SW);
	assert_int_equal(hc_sw_to_err(0x9001), HC_ERR_UNEXPECTED_SW);
	assert_int_equal(hc_sw_to_err(0xFFFF), HC_ERR_UNEXPECTED_SW);
	assert_string_equal(hc_sw_text(0x1234), "unknown status word");
}

/*
 * Every HC_ERR_ name in the header has a name, an English and a Chinese text. The names are
 * read from include/hcard_err.h at run time, so a code added without texts fails here.
 */
static void
test_error_texts_cover_header(void **state)
{
	const char *srcdir = getenv("top_srcdir");
	char path[4096], line[512], name[128];
	char seen[HC_ERR__COUNT];
	FILE *f;
	int code, found, header_names = 0;
	const char *unknown_en = hc_strerror(-1);

	(void)state;
	memset(seen, 0, sizeof(seen));
	snprintf(path, sizeof(path), "%s/include/hcard_err.h", srcdir != NULL ? srcdir : TOP_SRCDIR);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, " %127[A-Z_0-9]", name) != 1 || strncmp(name, "HC_", 3) != 0 ||
		    (strncmp(name, "HC_ERR_", 7) != 0 && strcmp(name, "HC_OK") != 0) ||
		    strcmp(name, "HC_ERR__COUNT") == 0 || strchr(line, ',') == NULL)
			continue;
		header_names++;
		found = 0;
		for (code = 0; code < HC_ERR__COUNT; code++) {
			if (strcmp(hc_errname(code), name) == 0) {
				found = 1;
				seen[code]++;
				assert_string_not_equal(hc_strerror(code), unknown_en);
				assert_true(strlen(hc_strerror(code)) > 5);
				assert_true(strlen(hc_strerror_zh(code)) > 3);
				assert_string_not_equal(hc_strerror(code), hc_strerror_zh(code));
			}
		}
		if (!found)
			fail_msg("%s has no entry in apdu/error.c", name);
	}
	fclose(f);
	assert_true(header_names > 70);
	for (code = 0; code < HC_ERR__COUNT; code++)
		assert_true(seen[code] <= 1);
	/* out of range codes */
	assert_string_equal(hc_errname(-5), "HC_ERR_UNKNOWN");
	assert_string_equal(hc_errname(HC_ERR__COUNT), "HC_ERR_UNKNOWN");
	assert_string_equal(hc_errname(7), "HC_ERR_UNKNOWN");    /* a gap in the enum */
	assert_non_null(hc_strerror_zh(HC_ERR__COUNT + 10));
}

static void
test_error_texts_examples(void **state)
{
	(void)state;
	assert_string_equal(hc_errname(HC_ERR_NO_SAM), "HC_ERR_NO_SAM");
	assert_non_null(strstr(hc_strerror(HC_ERR_NO_SAM), "sam_reader"));
	assert_non_null(strstr(hc_strerror_zh(HC_ERR_NO_SAM), "SAM"));
	assert_non_null(strstr(hc_strerror(HC_ERR_NO_SERVICE), "pcscd"));
	assert_string_equal(hc_errname(HC_OK), "HC_OK");
}

static void
test_pcsc_error_map(void **state)
{
	(void)state;
	assert_int_equal(hc_pcsc_map_error(SCARD_S_SUCCESS), HC_OK);
	assert_int_equal(hc_pcsc_map_error(SCARD_E_NO_SERVICE), HC_ERR_NO_SERVICE);
	assert_int_equal(hc_pcsc_map_error(SCARD_E_SERVICE_STOPPED), HC_ERR_NO_SERVICE);
	assert_int_equal(hc_pcsc_map_error(SCARD_E_NO_SMARTCARD), HC_ERR_NO_CARD);
	assert_int_equal(hc_pcsc_map_error(SCARD_W_REMOVED_CARD), HC_ERR_CARD_REMOVED);
	assert_int_equal(hc_pcsc_map_error(SCARD_W_RESET_CARD), HC_ERR_CARD_RESET);
	assert_int_equal(hc_pcsc_map_error(SCARD_E_SHARING_VIOLATION), HC_ERR_SHARING);
	assert_int_equal(hc_pcsc_map_error(SCARD_E_TIMEOUT), HC_ERR_TIMEOUT);
	assert_int_equal(hc_pcsc_map_error(SCARD_E_CANCELLED), HC_ERR_TIMEOUT);
	assert_int_equal(hc_pcsc_map_error(SCARD_E_UNKNOWN_READER), HC_ERR_NO_READER);
	assert_int_equal(hc_pcsc_map_error(SCARD_W_UNRESPONSIVE_CARD), HC_ERR_UNRESPONSIVE_CARD);
	assert_int_equal(hc_pcsc_map_error(SCARD_F_UNKNOWN_ERROR), HC_ERR_TRANSPORT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_sws),
		cmocka_unit_test(test_63cx),
		cmocka_unit_test(test_other_sws),
		cmocka_unit_test(test_error_texts_cover_header),
		cmocka_unit_test(test_error_texts_examples),
		cmocka_unit_test(test_pcsc_error_map),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
