/* Helpers of the compat integration test (see test_compat_util.h). */
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

#include "tests/integration/test_compat_util.h"

void
nap(void)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

/* One control command to the simulator; the answer line without "ok ". */
const char *
sim_ctl(const char *args)
{
	static char answer[256];
	char cmd[1024];
	const char *sim = getenv("HCARD_SIM"), *ctl = getenv("HCARD_SIM_CONTROL");
	FILE *p;

	assert_non_null(sim);
	assert_non_null(ctl);
	snprintf(cmd, sizeof(cmd), "'%s' ctl '%s' %s", sim, ctl, args);
	assert_non_null(p = popen(cmd, "r"));
	if (fgets(answer, sizeof(answer), p) == NULL)
		answer[0] = '\0';
	assert_int_equal(pclose(p), 0);
	if (strncmp(answer, "ok", 2) != 0)
		fail_msg("ctl %s: %s", args, answer);
	answer[strcspn(answer, "\n")] = '\0';
	return answer[2] == ' ' ? answer + 3 : answer + 2;
}

unsigned long
card_apdus(void)
{
	return strtoul(sim_ctl("count 0"), NULL, 10);
}

void
hex(const uint8_t *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02X", p[i]);
	out[2 * n] = '\0';
}

void
direct_open(direct_t *x)
{
	hc_terminal_opts_t opts = { NULL, NULL, NULL, "12345678" };

	memset(x, 0, sizeof(*x));
	assert_int_equal(hc_ctx_new(&x->ctx, NULL), HC_OK);
	assert_int_equal(hc_terminal_open(x->ctx, &opts, &x->term), HC_OK);
	assert_int_equal(hc_card_open(x->term, &x->card), HC_OK);
}

void
direct_close(direct_t *x)
{
	hc_card_close(&x->card);
	hc_terminal_close(&x->term);
	hc_ctx_free(&x->ctx);
}

int
compat_test_conf(void)
{
	char path[1024];
	const char *tmp = getenv("HCARD_TEST_TMP"), *top = getenv("top_srcdir");
	FILE *f;

	if (tmp == NULL || top == NULL)
		return -1;
	/* hcard.conf of the HIS workstation: the trust anchor of the demo key set */
	snprintf(path, sizeof(path), "%s/hcard.conf", tmp);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fprintf(f, "# compat test\ntrust_anchor = %s/sim/demo.keyset\n", top);
	fclose(f);
	setenv("HCARD_CONF", path, 1);
	unsetenv("HCARD_SAM_PIN");
	unsetenv("HCARD_COMPAT_UTF8");
	return 0;
}

HANDLE
compat_test_open(void)
{
	HANDLE h = NULL;
	int i;

	if (compat_test_conf() != 0)
		return NULL;
	for (i = 0; i < 50 && (h = iDOpenPort()) == NULL; i++)
		nap();
	return h;
}
