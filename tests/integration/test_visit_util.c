/* Helpers of the visit integration tests (see test_visit_util.h). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "hcard_health.h"
#include "tests/integration/test_visit_util.h"

static char answer[256];

const char *
venv_tmp(const char *name)
{
	static char path[1024];
	const char *tmp = getenv("HCARD_TEST_TMP");

	assert_non_null(tmp);
	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	return path;
}

const char *
venv_ctl(const char *fmt, ...)
{
	char args[512], cmd[2048];
	const char *sim = getenv("HCARD_SIM"), *ctl = getenv("HCARD_SIM_CONTROL");
	va_list ap;
	FILE *p;

	assert_non_null(sim);
	assert_non_null(ctl);
	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "'%s' ctl '%s' %s", sim, ctl, args);
	p = popen(cmd, "r");
	assert_non_null(p);
	answer[0] = '\0';
	if (fgets(answer, sizeof(answer), p) == NULL)
		answer[0] = '\0';
	assert_int_equal(pclose(p), 0);
	if (strncmp(answer, "ok", 2) != 0)
		fail_msg("ctl %s: %s", args, answer);
	return answer;
}

void
venv_sim(const char *fmt, ...)
{
	char args[512], cmd[2048];
	const char *sim = getenv("HCARD_SIM"), *tmp = getenv("HCARD_TEST_TMP");
	va_list ap;

	assert_non_null(sim);
	assert_non_null(tmp);
	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' %s >/dev/null", tmp, sim, args);
	assert_int_equal(system(cmd), 0);
}

static void
nap(void)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

static void
open_card(visit_env_t *e)
{
	int rc = HC_ERR_INTERNAL, i;

	/* after an insert, pcscd needs a moment to see the card */
	for (i = 0; i < 50; i++) {
		rc = hc_card_open(e->term, &e->card);
		if (rc != HC_ERR_NO_CARD && rc != HC_ERR_CARD_REMOVED && rc != HC_ERR_CARD_RESET &&
		    rc != HC_ERR_TRANSPORT && rc != HC_ERR_UNRESPONSIVE_CARD)
			break;
		nap();
	}
	if (rc != HC_OK)
		fail_msg("hc_card_open: %s", hc_errname(rc));
}

static void
open_terminal(visit_env_t *e)
{
	hc_terminal_opts_t opts;
	int rc = HC_ERR_INTERNAL, i;

	memset(&opts, 0, sizeof(opts));
	opts.card_reader = getenv("HCARD_CARD_READER");
	opts.sam_reader = getenv("HCARD_SAM_READER");
	opts.sam_pin = "12345678";
	for (i = 0; i < 50; i++) {
		rc = hc_terminal_open(e->ctx, &opts, &e->term);
		if (rc != HC_ERR_NO_CARD && rc != HC_ERR_NO_SAM)
			break;
		nap();
	}
	if (rc != HC_OK)
		fail_msg("hc_terminal_open: %s", hc_errname(rc));
}

void
venv_open(visit_env_t *e)
{
	venv_open_conf(e, NULL);
}

void
venv_open_conf(visit_env_t *e, const char *conf)
{
	char path[1024];
	const char *top = getenv("top_srcdir");

	memset(e, 0, sizeof(*e));
	assert_non_null(top);
	assert_int_equal(hc_ctx_new(&e->ctx, conf), HC_OK);
	open_terminal(e);
	open_card(e);
	snprintf(path, sizeof(path), "%s/sim/demo.keyset", top);
	assert_int_equal(hc_trust_new(&e->trust), HC_OK);
	assert_int_equal(hc_trust_load(e->trust, path), HC_OK);
}

void
venv_close(visit_env_t *e)
{
	hc_card_close(&e->card);
	hc_terminal_close(&e->term);
	hc_ctx_free(&e->ctx);
	hc_trust_free(&e->trust);
}

void
venv_reopen_card(visit_env_t *e)
{
	hc_card_close(&e->card);
	open_card(e);
}

void
venv_reopen_terminal(visit_env_t *e)
{
	hc_card_close(&e->card);
	hc_terminal_close(&e->term);
	open_terminal(e);
	open_card(e);
}

void
venv_issue(visit_env_t *e, const char *card_number)
{
	hc_issuer_t is;
	int rc;

	memset(&is, 0, sizeof(is));
	strcpy(is.card_type, "1");
	strcpy(is.spec_version, "1.10");
	strcpy(is.issuer_name, "测试发卡机构");
	strcpy(is.issuer_code, "11010000000");
	strcpy(is.issue_date, "20240101");
	strcpy(is.card_number, card_number);
	strcpy(is.security_code, "123");
	strcpy(is.issue_serial, "0000000001");
	rc = hc_write_issuer(e->card, &is);
	if (rc != HC_OK)
		fail_msg("hc_write_issuer: %s", hc_errname(rc));
	venv_reopen_card(e);
}

void
venv_counts(const visit_env_t *e, unsigned long *card, unsigned long *sam)
{
	hc_card_apdu_counts(e->card, card, sam);
}

hc_visit_record_t *
venv_record(hc_visit_kind_t kind, const char *date, const char *tag)
{
	hc_visit_record_t *r = NULL;

	assert_int_equal(hc_visit_record_new(kind, &r), HC_OK);
	assert_int_equal(hc_visit_record_set_no(r, 1, "北京协和医院"), HC_OK);
	assert_int_equal(hc_visit_record_set_no(r, 2, "40000619X"), HC_OK);
	assert_int_equal(hc_visit_record_set_no(r, 3, date), HC_OK);
	assert_int_equal(hc_visit_record_set_no(r, 4, tag), HC_OK);
	if (kind == HC_VISIT_INPATIENT) {
		assert_int_equal(hc_visit_record_set_no(r, 6, "心内科"), HC_OK);
		assert_int_equal(hc_visit_record_set_no(r, 75, "01"), HC_OK);
		assert_int_equal(hc_visit_record_set_no(r, 80, "1234"), HC_OK);
		assert_int_equal(hc_visit_record_set_no(r, 147, "9999999999"), HC_OK);
	} else {
		assert_int_equal(hc_visit_record_set_no(r, 5, "急诊科"), HC_OK);
		assert_int_equal(hc_visit_record_set_no(r, 6, "1"), HC_OK);
		assert_int_equal(hc_visit_record_set_no(r, 143, "1234"), HC_OK);
		assert_int_equal(hc_visit_record_set_no(r, 170, "99999999"), HC_OK);
	}
	return r;
}

void
venv_assert_same(const hc_visit_record_t *a, const hc_visit_record_t *b)
{
	size_t la = 0, lb = 0;
	const uint8_t *da = hc_visit_record_data(a, &la);
	const uint8_t *db = hc_visit_record_data(b, &lb);

	assert_int_equal(hc_visit_record_kind(a), hc_visit_record_kind(b));
	assert_int_equal(la, lb);
	assert_memory_equal(da, db, la);
}
