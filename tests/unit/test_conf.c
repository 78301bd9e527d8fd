/* hcard.conf parsing and search order (src/config.c): pure, no card. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "src/conf.h"

static void
test_parse(void **state)
{
	hc_config_t c;
	char detail[160];

	(void)state;
	hc_config_defaults(&c);
	assert_string_equal(c.chip_profile, "auto");
	assert_int_equal(c.log_level, 0);
	assert_int_equal(hc_config_parse(&c,
	    "# a comment\n\n  card_reader = ACS ACR38U  # the desk reader\n"
	    "sam_reader=HCARD SIM 00 01\nstore = postgresql://hcard@db/hcard\nlog_level = 3\n"
	    "location = 门诊 3 号窗口\n", detail, sizeof(detail)), HC_OK);
	assert_string_equal(c.card_reader, "ACS ACR38U");
	assert_string_equal(c.sam_reader, "HCARD SIM 00 01");
	assert_string_equal(c.store, "postgresql://hcard@db/hcard");
	assert_string_equal(c.location, "门诊 3 号窗口");
	assert_int_equal(c.log_level, 3);
}

static void
test_errors(void **state)
{
	hc_config_t c;
	char detail[160], big[400];

	(void)state;
	hc_config_defaults(&c);
	assert_int_equal(hc_config_parse(&c, "card_reader = x\nfrobnicate = 1\n", detail, sizeof(detail)), HC_ERR_CONFIG);
	assert_string_equal(detail, "hcard.conf line 2: unknown key frobnicate");
	assert_int_equal(hc_config_parse(&c, "store\n", detail, sizeof(detail)), HC_ERR_CONFIG);
	assert_non_null(strstr(detail, "line 1"));
	assert_int_equal(hc_config_parse(&c, "log_level = 6\n", detail, sizeof(detail)), HC_ERR_CONFIG);
	assert_int_equal(hc_config_parse(&c, "log_level = 2x\n", detail, sizeof(detail)), HC_ERR_CONFIG);
	memset(big, 'a', sizeof(big));
	memcpy(big, "location = ", 11);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(hc_config_parse(&c, big, detail, sizeof(detail)), HC_ERR_CONFIG);
	assert_non_null(strstr(detail, "too long"));
}

static void
test_search_and_env(void **state)
{
	char path[] = "/tmp/hcard-conf-XXXXXX";
	hc_config_t c;
	char detail[160];
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("card_reader = from file\nsam_reader = file sam\n", f);
	fclose(f);
	unsetenv("HCARD_CARD_READER");
	unsetenv("HCARD_SAM_READER");
	setenv("HCARD_CONF", path, 1);
	assert_int_equal(hc_config_load(&c, NULL, detail, sizeof(detail)), HC_OK);
	assert_string_equal(c.path, path);
	assert_string_equal(c.card_reader, "from file");
	setenv("HCARD_SAM_READER", "from env", 1);      /* the environment overrides the file */
	assert_int_equal(hc_config_load(&c, NULL, detail, sizeof(detail)), HC_OK);
	assert_string_equal(c.sam_reader, "from env");
	assert_string_equal(c.card_reader, "from file");
	unsetenv("HCARD_SAM_READER");
	setenv("HCARD_CONF", "/nonexistent/hcard.conf", 1);   /* named but missing: an error */
	assert_int_equal(hc_config_load(&c, NULL, detail, sizeof(detail)), HC_ERR_IO);
	assert_non_null(strstr(detail, "/nonexistent/hcard.conf"));
	unsetenv("HCARD_CONF");
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_search_and_env),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
