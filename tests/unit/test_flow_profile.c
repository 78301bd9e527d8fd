/*
 * Issuance profiles: JSON parsing and complete validation (pure, no card). The ID numbers
 * below were computed independently (ISO 7064 MOD 11-2 by hand / Python), not by hcard.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "hcard_flows.h"

#define TODAY "20261123"

/* A complete adult profile; %s slots let a test replace one piece. */
static const char adult[] =
    "{ \"issue_serial\": \"0000000001\","
    "  \"issuer\": { \"name\": \"北京市卫生健康委员会\", \"code\": \"11010000000\","
    "               \"issue_date\": \"20261123\", \"security_code\": \"123\" },"
    "  \"holder\": { \"name\": \"张三\", \"sex\": 1, \"ethnicity\": 1,"
    "               \"birth_date\": \"19900307\", \"id_number\": \"110101199003071233\" },"
    "  \"validity\": { \"expiry\": \"20361123\", \"phone1\": \"13800138000\", \"payment1\": 1 },"
    "  \"addresses\": { \"type1\": 1, \"address1\": \"北京市东城区东华门街道1号\" },"
    "  \"contacts\": [ { \"name\": \"李四\", \"relation\": 1, \"phone\": \"13900139000\" } ],"
    "  \"clinical\": { \"abo\": 1, \"rh\": 1, \"asthma\": 1, \"other_alert\": \"青霉素过敏\" },"
    "  \"allergies\": [ { \"allergen\": \"青霉素\", \"reaction\": \"皮疹\" } ],"
    "  \"pin\": \"123456\", \"opening_balance\": 10000 }";

static int
check(const char *json, char *why, size_t cap)
{
	hc_issue_profile_t *p = NULL;
	int rc = hc_issue_profile_parse(json, &p, why, cap);

	if (rc == HC_OK)
		rc = hc_issue_profile_validate(p, TODAY, why, cap);
	hc_issue_profile_free(&p);
	assert_null(p);
	return rc;
}

/* The adult profile with one substring replaced. */
static int
check_with(const char *from, const char *to, char *why, size_t cap)
{
	char buf[4096];
	const char *at = strstr(adult, from);

	assert_non_null(at);
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - adult), adult, to, at + strlen(from));
	return check(buf, why, cap);
}

static void
test_valid_adult(void **state)
{
	hc_issue_profile_t *p = NULL;
	char why[256];

	(void)state;
	assert_int_equal(hc_issue_profile_parse(adult, &p, why, sizeof(why)), HC_OK);
	assert_int_equal(hc_issue_profile_validate(p, TODAY, why, sizeof(why)), HC_OK);
	/* the card number defaults to the ID number */
	assert_string_equal(hc_issue_profile_card_number(p), "110101199003071233");
	assert_string_equal(hc_issue_profile_issue_serial(p), "0000000001");
	assert_int_equal(hc_issue_profile_set_issue_serial(p, "0000000002"), HC_OK);
	assert_string_equal(hc_issue_profile_issue_serial(p), "0000000002");
	assert_int_equal(hc_issue_profile_set_issue_serial(p, "01234567890"), HC_ERR_INVALID_ARGUMENT);
	hc_issue_profile_free(&p);
}

static void
test_round_trip_without_pin(void **state)
{
	hc_issue_profile_t *p = NULL, *q = NULL;
	char why[256], *json, *again;

	(void)state;
	assert_int_equal(hc_issue_profile_parse(adult, &p, why, sizeof(why)), HC_OK);
	json = hc_issue_profile_to_json(p);
	assert_non_null(json);
	assert_null(strstr(json, "123456"));           /* the PIN is never archived */
	assert_non_null(strstr(json, "张三"));
	assert_non_null(strstr(json, "青霉素过敏"));
	assert_int_equal(hc_issue_profile_parse(json, &q, why, sizeof(why)), HC_OK);
	assert_int_equal(hc_issue_profile_validate(q, TODAY, why, sizeof(why)), HC_OK);
	again = hc_issue_profile_to_json(q);
	assert_string_equal(json, again);
	free(json);
	free(again);
	hc_issue_profile_free(&p);
	hc_issue_profile_free(&q);
}

static void
test_bad_id_number(void **state)
{
	char why[256];

	(void)state;
	/* check digit 1 instead of 3 */
	assert_int_equal(check_with("\"id_number\": \"110101199003071233\"",
	    "\"id_number\": \"110101199003071231\"", why, sizeof(why)), HC_ERR_BAD_ID_NUMBER);
	assert_non_null(strstr(why, "holder.id_number"));
	/* 17 characters */
	assert_int_equal(check_with("\"id_number\": \"110101199003071233\"",
	    "\"id_number\": \"11010119900307123\"", why, sizeof(why)), HC_ERR_BAD_ID_NUMBER);
}

static void
test_birth_date_and_sex_must_match_id(void **state)
{
	char why[256];

	(void)state;
	assert_int_equal(check_with("\"birth_date\": \"19900307\"", "\"birth_date\": \"19900308\"",
	    why, sizeof(why)), HC_ERR_BAD_VALUE);
	assert_non_null(strstr(why, "19900307"));
	assert_int_equal(check_with("\"sex\": 1", "\"sex\": 2", why, sizeof(why)), HC_ERR_BAD_VALUE);
	assert_non_null(strstr(why, "holder.sex"));
}

static void
test_text_limits(void **state)
{
	char why[256];

	(void)state;
	/* 16 Chinese characters = 32 GBK bytes > 30 */
	assert_int_equal(check_with("\"name\": \"张三\"",
	    "\"name\": \"张三张三张三张三张三张三张三张三\"", why, sizeof(why)), HC_ERR_TEXT_TOO_LONG);
	assert_non_null(strstr(why, "holder.name"));
	/* 15 characters = 30 bytes: fits exactly */
	assert_int_equal(check_with("\"name\": \"张三\"",
	    "\"name\": \"张三张三张三张三张三张三张三张\"", why, sizeof(why)), HC_OK);
	/* an emoji has no GBK form */
	assert_int_equal(check_with("\"name\": \"张三\"", "\"name\": \"张\xF0\x9F\x98\x80\"", why,
	    sizeof(why)), HC_ERR_TEXT_NOT_GBK);
	assert_non_null(strstr(why, "U+1F600"));
}

static void
test_codes_dates_and_amounts(void **state)
{
	char why[256];

	(void)state;
	assert_int_equal(check_with("\"ethnicity\": 1", "\"ethnicity\": 77", why, sizeof(why)),
	    HC_ERR_BAD_VALUE);
	assert_int_equal(check_with("\"abo\": 1", "\"abo\": 9", why, sizeof(why)), HC_ERR_BAD_VALUE);
	assert_int_equal(check_with("\"expiry\": \"20361123\"", "\"expiry\": \"20260101\"", why,
	    sizeof(why)), HC_ERR_CARD_EXPIRED);
	assert_int_equal(check_with("\"expiry\": \"20361123\"", "\"expiry\": \"20360231\"", why,
	    sizeof(why)), HC_ERR_BAD_VALUE);
	assert_int_equal(check_with("\"pin\": \"123456\"", "\"pin\": \"12a456\"", why, sizeof(why)),
	    HC_ERR_PIN_FORMAT);
	assert_int_equal(check_with("\"pin\": \"123456\"", "\"pin\": \"123\"", why, sizeof(why)),
	    HC_ERR_PIN_FORMAT);
	assert_int_equal(check_with("\"opening_balance\": 10000", "\"opening_balance\": -1", why,
	    sizeof(why)), HC_ERR_AMOUNT);
	assert_int_equal(check_with("\"code\": \"11010000000\"", "\"code\": \"1101000000A\"", why,
	    sizeof(why)), HC_ERR_BAD_VALUE);
}

static void
test_structure_errors(void **state)
{
	char why[256];

	(void)state;
	assert_int_equal(check("{ \"holder\": ", why, sizeof(why)), HC_ERR_PROFILE);
	assert_int_equal(check("[1, 2]", why, sizeof(why)), HC_ERR_PROFILE);
	assert_int_equal(check_with("\"pin\"", "\"pn\"", why, sizeof(why)), HC_ERR_PROFILE);
	assert_non_null(strstr(why, "pn"));
	assert_int_equal(check_with("\"ethnicity\"", "\"ethnicty\"", why, sizeof(why)),
	    HC_ERR_PROFILE);
	assert_non_null(strstr(why, "holder.ethnicty"));
	assert_int_equal(check_with("\"sex\": 1", "\"sex\": \"1\"", why, sizeof(why)),
	    HC_ERR_PROFILE);
	/* a required field missing */
	assert_int_equal(check_with("\"issue_serial\": \"0000000001\",", "", why, sizeof(why)),
	    HC_ERR_BAD_VALUE);
	assert_non_null(strstr(why, "issue_serial"));
}

static const char child[] =
    "{ \"issue_serial\": \"0000000009\", \"household_register\": true,"
    "  \"issuer\": { \"name\": \"北京市卫生健康委员会\", \"code\": \"11010000000\" },"
    "  \"holder\": { \"name\": \"王小花\", \"sex\": 2, \"birth_date\": \"20180615\","
    "               \"id_number\": \"110105201806150029\" },"
    "  \"validity\": { \"expiry\": \"20361123\" }%s }";

static void
test_household_register_child(void **state)
{
	char buf[2048], why[256];

	(void)state;
	snprintf(buf, sizeof(buf), child, "");
	assert_int_equal(check(buf, why, sizeof(why)), HC_ERR_PROFILE);
	assert_non_null(strstr(why, "guardian"));
	snprintf(buf, sizeof(buf), child, ", \"contacts\": [ { \"name\": \"王大明\", \"relation\": 1,"
	    " \"phone\": \"13700137000\" } ]");
	assert_int_equal(check(buf, why, sizeof(why)), HC_OK);
	/* an adult cannot be issued on the household register */
	assert_int_equal(check_with("\"issue_serial\"", "\"household_register\": true, \"issue_serial\"",
	    why, sizeof(why)), HC_ERR_PROFILE);
	assert_non_null(strstr(why, "16"));
}

typedef struct csv_rows {
	int n, valid;
	char names[4][1024];
} csv_rows_t;

static int
csv_row(size_t row, const char *json, void *arg)
{
	csv_rows_t *r = arg;
	hc_issue_profile_t *p = NULL;
	char why[256];

	assert_int_equal(row, (size_t)r->n + 1);
	if (hc_issue_profile_parse(json, &p, why, sizeof(why)) == HC_OK &&
	    hc_issue_profile_validate(p, TODAY, why, sizeof(why)) == HC_OK)
		r->valid++;
	snprintf(r->names[r->n++ % 4], sizeof(r->names[0]), "%s", json);
	hc_issue_profile_free(&p);
	return 0;
}

static void
test_csv(void **state)
{
	char path[] = "/tmp/hcard-csv-test.XXXXXX", why[256];
	csv_rows_t rows;
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("issue_serial,holder.name,holder.sex,holder.birth_date,holder.id_number,issuer.name,"
	    "issuer.code,validity.expiry,contact1.name,contact1.relation,contact1.phone,"
	    "household_register,pin\r\n", f);
	fputs("0000000001,张三,1,19900307,110101199003071233,\"卫健委, 东城\",11010000000,20361231,"
	    ",,,,123456\r\n", f);
	fputs("0000000101,王小花,2,20180615,110105201806150029,卫健委,11010200000,20361231,"
	    "\"王\"\"大\"\"明\",1,13700137000,true,\r\n", f);
	fputs("0000000102,王小草,2,20180615,110105201806150029,卫健委,11010200000,20361231,"
	    ",,,true,\r\n", f);
	fclose(f);
	memset(&rows, 0, sizeof(rows));
	assert_int_equal(hc_issue_profile_csv(path, csv_row, &rows, why, sizeof(why)), HC_OK);
	assert_int_equal(rows.n, 3);
	assert_int_equal(rows.valid, 2);       /* the third child has no guardian */
	assert_non_null(strstr(rows.names[0], "卫健委, 东城"));
	assert_non_null(strstr(rows.names[1], "王\\\"大\\\"明"));
	assert_non_null(strstr(rows.names[1], "\"relation\": 1"));
	/* an unknown column is refused with its name */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("issue_serial,holder.nam\n1,x\n", f);
	fclose(f);
	memset(&rows, 0, sizeof(rows));
	assert_int_equal(hc_issue_profile_csv(path, csv_row, &rows, why, sizeof(why)), HC_ERR_PROFILE);
	assert_non_null(strstr(why, "holder.nam"));
	assert_int_equal(rows.n, 0);
	/* a broken quote */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("issue_serial,holder.name\n1,\"x\n", f);
	fclose(f);
	assert_int_equal(hc_issue_profile_csv(path, csv_row, &rows, why, sizeof(why)), HC_ERR_PROFILE);
	assert_non_null(strstr(why, "line 2"));
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_adult),
		cmocka_unit_test(test_round_trip_without_pin),
		cmocka_unit_test(test_bad_id_number),
		cmocka_unit_test(test_birth_date_and_sex_must_match_id),
		cmocka_unit_test(test_text_limits),
		cmocka_unit_test(test_codes_dates_and_amounts),
		cmocka_unit_test(test_structure_errors),
		cmocka_unit_test(test_household_register_child),
		cmocka_unit_test(test_csv),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
