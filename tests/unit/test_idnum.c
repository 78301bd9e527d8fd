/* Citizen ID number check (GB 11643, ISO 7064 MOD 11-2). The valid numbers below were
 * computed by hand from the published weights (7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2) and
 * check characters (1 0 X 9 8 7 6 5 4 3 2), not by the code under test. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hcard_health.h"

static const char *valid[] = {
	"11010519491231002X",   /* the standard's example */
	"440304199001011233",
	"320102198002294567",   /* 29 Feb of a leap year */
	"510108200012310018",
	"370285198506157895",
	"110101200001011005",
};

static void
test_valid(void **state)
{
	char why[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		assert_int_equal(hc_id_number_check(valid[i], "20261123", why, sizeof(why)), HC_OK);
		assert_string_equal(why, "");
	}
}

static void
test_check_char(void **state)
{
	(void)state;
	assert_int_equal(hc_id_number_check_char("11010519491231002"), 'X');
	assert_int_equal(hc_id_number_check_char("44030419900101123"), '3');
	assert_int_equal(hc_id_number_check_char("51010820001231001"), '8');
	assert_int_equal(hc_id_number_check_char("1101051949123100A"), 0);
}

static void
expect_bad(const char *id, const char *reason_part)
{
	char why[160];

	assert_int_equal(hc_id_number_check(id, "20261123", why, sizeof(why)), HC_ERR_BAD_ID_NUMBER);
	if (strstr(why, reason_part) == NULL)
		fail_msg("%s: reason \"%s\" lacks \"%s\"", id, why, reason_part);
}

static void
test_wrong_check_digit(void **state)
{
	(void)state;
	expect_bad("110105194912310021", "check character 1 is wrong");
	expect_bad("440304199001011234", "check character 4 is wrong");
	expect_bad("11010519491231002x", "upper-case X");
}

static void
test_bad_dates(void **state)
{
	(void)state;
	/* check characters made right, so that only the date is wrong */
	expect_bad("110105199002301231", "not a calendar date");      /* Feb 30 */
	expect_bad("110105190002291239", "not a calendar date");      /* 1900 is not leap */
	expect_bad("11010519901301123X", "not a calendar date");      /* month 13 */
	expect_bad("110105203001011231", "in the future");
}

static void
test_length_and_form(void **state)
{
	char why[160];

	(void)state;
	expect_bad("11010519491231002", "18 characters");
	expect_bad("11010519491231002XX", "18 characters");
	expect_bad("110105491231002", "15-digit");
	expect_bad("1101051949123A002X", "digits");
	expect_bad("99010519491231002X", "region code");
	expect_bad("110105194912310003", "000");
	assert_int_equal(hc_id_number_check(NULL, NULL, why, sizeof(why)), HC_ERR_BAD_ID_NUMBER);
	assert_int_equal(hc_id_number_check("", NULL, NULL, 0), HC_ERR_BAD_ID_NUMBER);
}

static void
test_info(void **state)
{
	char date[9];
	int sex = -1;

	(void)state;
	assert_int_equal(hc_id_number_info("11010519491231002X", date, &sex), HC_OK);
	assert_string_equal(date, "19491231");
	assert_int_equal(sex, HC_SEX_FEMALE);           /* 002: even */
	assert_int_equal(hc_id_number_info("440304199001011233", date, &sex), HC_OK);
	assert_int_equal(sex, HC_SEX_MALE);             /* 123: odd */
	assert_int_equal(hc_id_number_info("440304199001011234", date, &sex), HC_ERR_BAD_ID_NUMBER);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_check_char),
		cmocka_unit_test(test_wrong_check_digit),
		cmocka_unit_test(test_bad_dates),
		cmocka_unit_test(test_length_and_form),
		cmocka_unit_test(test_info),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
