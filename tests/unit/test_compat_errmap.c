/* compat: every hc_err_t has its row in the national code table, and the rows the national
 * interface names explicitly (national-api.md) map as it says. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "compat/compat.h"

static void
test_every_code_mapped(void **state)
{
	int e, n = 0;

	(void)state;
	for (e = 0; e < HC_ERR__COUNT; e++) {
		if (strcmp(hc_errname(e), "HC_ERR_UNKNOWN") == 0)
			continue;                    /* a gap in the enum */
		n++;
		if (!wsb_irv_mapped(e))
			fail_msg("%s has no national code", hc_errname(e));
		if (wsb_irv(e, WSB_OP_READ_RECORD) != 0 && e == HC_OK)
			fail_msg("HC_OK must be 0");
		if (e != HC_OK && (wsb_irv(e, WSB_OP_READ_RECORD) < 101 || wsb_irv(e, WSB_OP_READ_RECORD) > 113))
			fail_msg("%s maps outside 101-113", hc_errname(e));
	}
	assert_true(n > 60);
}

static void
test_named_codes(void **state)
{
	(void)state;
	assert_int_equal(wsb_irv(HC_OK, WSB_OP_CARD), IRV_OK);
	assert_int_equal(wsb_irv(HC_ERR_INVALID_ARGUMENT, WSB_OP_CARD), IRV_PARA_ERR);
	assert_int_equal(wsb_irv(HC_ERR_TEXT_TOO_LONG, WSB_OP_WRITE_RECORD), IRV_PARA_ERR);
	assert_int_equal(wsb_irv(HC_ERR_FILE_NOT_FOUND, WSB_OP_READ_RECORD), IRV_NO_FILE);
	assert_int_equal(wsb_irv(HC_ERR_NO_CARD, WSB_OP_READ_RECORD), IRV_CARD_ERR);
	assert_int_equal(wsb_irv(HC_ERR_SAM, WSB_OP_READ_RECORD), IRV_PSAM_ERR);
	assert_int_equal(wsb_irv(HC_ERR_NO_SAM, WSB_OP_CARD), IRV_PSAM_ERR);
	assert_int_equal(wsb_irv(HC_ERR_SAM_PIN, WSB_OP_SAM), IRV_IRK_VERR);
	assert_int_equal(wsb_irv(HC_ERR_VERIFY_FAILED, WSB_OP_READ_RECORD), IRV_IRK_VERR);
	assert_int_equal(wsb_irv(HC_ERR_SIGNATURE, WSB_OP_READ_BINARY), IRV_IRK_VERR);
	assert_int_equal(wsb_irv(HC_ERR_RECORD_EMPTY, WSB_OP_READ_BINARY), IRV_RCINVALID);
	assert_int_equal(wsb_irv(HC_ERR_PHOTO, WSB_OP_WRITE_BINARY), IRV_DDF1EF07_DATAERR);
}

/* "the command failed" codes take the operation's own failure code */
static void
test_operation_codes(void **state)
{
	(void)state;
	assert_int_equal(wsb_irv(HC_ERR_UNEXPECTED_SW, WSB_OP_READ_RECORD), IRV_RD_RCDERR);
	assert_int_equal(wsb_irv(HC_ERR_UNEXPECTED_SW, WSB_OP_READ_BINARY), IRV_RD_BINERR);
	assert_int_equal(wsb_irv(HC_ERR_WRONG_LENGTH, WSB_OP_WRITE_RECORD), IRV_WR_RCDERR);
	assert_int_equal(wsb_irv(HC_ERR_CONDITIONS_OF_USE, WSB_OP_WRITE_BINARY), IRV_WR_BINERR);
	assert_int_equal(wsb_irv(HC_ERR_MEMORY_FAILURE, WSB_OP_SET_INDEX), IRV_W_DF03EF05ERR);
	assert_int_equal(wsb_irv(HC_ERR_INCORRECT_DATA, WSB_OP_ERASE_INDEX), IRV_ER_DF03EF05ERR);
	/* a code outside the enum is a failure of the operation, never success */
	assert_int_equal(wsb_irv(9999, WSB_OP_READ_RECORD), IRV_RD_RCDERR);
	assert_int_equal(wsb_irv(-5, WSB_OP_CARD), IRV_CARD_ERR);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_code_mapped),
		cmocka_unit_test(test_named_codes),
		cmocka_unit_test(test_operation_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
