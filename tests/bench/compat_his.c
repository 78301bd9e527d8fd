/*
 * Benchmark (make bench, under tests/harness/with-sim): national interface calls through
 * libwsbrw -> libhcard -> pcscd -> vpcd -> hcard-sim, default cards (type 5 SAM). Reports the
 * median and p99 wall time and the APDUs (user card and SAM, counted by the simulator) of each
 * call as a HIS makes it. Numbers only; it fails only when a call fails.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compat/WSB_RWInterface.h"

#define ROUNDS 20

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* APDUs the simulator received on slot (0 user card, 1 SAM) since it started. */
static unsigned long
apdus(int slot)
{
	char cmd[1024], answer[128] = "";
	const char *sim = getenv("HCARD_SIM"), *ctl = getenv("HCARD_SIM_CONTROL");
	FILE *p;

	if (sim == NULL || ctl == NULL)
		return 0;
	snprintf(cmd, sizeof(cmd), "'%s' ctl '%s' count %d", sim, ctl, slot);
	if ((p = popen(cmd, "r")) == NULL)
		return 0;
	if (fgets(answer, sizeof(answer), p) == NULL)
		answer[0] = '\0';
	pclose(p);
	return strncmp(answer, "ok ", 3) == 0 ? strtoul(answer + 3, NULL, 10) : 0;
}

typedef struct sample {
	double t[ROUNDS];
	unsigned long card, sam;     /* of the last round */
} sample_t;

static void
report(const char *what, sample_t *s)
{
	qsort(s->t, ROUNDS, sizeof(s->t[0]), cmp_double);
	printf("%-34s median %7.2f ms  p99 %7.2f ms  card APDUs %lu  SAM APDUs %lu\n", what,
	       s->t[ROUNDS / 2], s->t[(ROUNDS * 99) / 100], s->card, s->sam);
}

/* Times one call; the APDU counts are read around it, outside the timing. */
#define MEASURE(s, i, call) do { \
	unsigned long c0 = apdus(0), s0 = apdus(1); \
	double t0 = now_ms(); \
	int rc_ = (call); \
	(s)->t[i] = now_ms() - t0; \
	(s)->card = apdus(0) - c0; \
	(s)->sam = apdus(1) - s0; \
	if (rc_ != IRV_OK) { fprintf(stderr, "compat_his: %s: %d\n", #call, rc_); goto out; } \
} while (0)

int
main(void)
{
	static sample_t r06, r_df01, w_df01, w_item, r_item, r_item_cached, r_all, sam_cert, sam_sign,
	                sam_change;
	static char buf[16384];
	BYTE hash[32], sig[64], sig_len = 0;
	char xm[64], xb[8], mz[8], csrq[16], sfzh[40], v[9][64], path[1024], s1[8], s2[8], s3[8];
	const char *tmp = getenv("HCARD_TEST_TMP"), *top = getenv("top_srcdir");
	HANDLE h = NULL;
	FILE *f;
	int i, ret = 1;

	if (tmp == NULL || top == NULL) {
		fprintf(stderr, "compat_his: run under tests/harness/with-sim\n");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/hcard.conf", tmp);
	if ((f = fopen(path, "w")) == NULL)
		return 1;
	fprintf(f, "trust_anchor = %s/sim/demo.keyset\n", top);
	fclose(f);
	setenv("HCARD_CONF", path, 1);
	if ((h = iDOpenPort()) == NULL || iVerifyPIN(h, "12345678") != IRV_OK
	    || iW_DDF1EF05Info(h, "1", "1.10", "X", "12345678901", "", "20240131", "11010519491231002X",
	                       "123", "0000000001", "") != IRV_OK
	    || iW_DDF1EF06Info(h, "\xD5\xC5\xC8\xFD", "01", "01", "19491231", "11010519491231002X") != IRV_OK
	    || iW_DF03EEInfo(h, 1, "20240131", 80, 4, CN_style) != IRV_OK) {
		fprintf(stderr, "compat_his: setup failed\n");
		goto out;
	}
	for (i = 0; i < ROUNDS; i++) {
		MEASURE(&r06, i, iR_DDF1EF06Info(h, xm, xb, mz, csrq, sfzh));
		MEASURE(&r_df01, i, iR_DF01EF06Info(h, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]));
		MEASURE(&w_df01, i, iW_DF01EF05Info(h, "1", "No. 1 Road", "", ""));
		MEASURE(&w_item, i, iW_DF03EEInfo(h, 1, "20240131", 80, 4, CN_style));
		if (iR_DF03EF05Info(h, s1, s2, s3) != IRV_OK)   /* any other call: no cached record */
			goto out;
		MEASURE(&r_item, i, iR_DF03EEInfo(h, 1, buf, 80, 4, CN_style));
		MEASURE(&r_item_cached, i, iR_DF03EEInfo(h, 1, buf, 0, 70, AN_style));
		MEASURE(&r_all, i, iR_DF03EE_ALLInfo(h, 1, buf));
		MEASURE(&sam_cert, i, iReader_SAM_Certificate(h, buf));
		memset(hash, i, sizeof(hash));
		MEASURE(&sam_sign, i, SM2SignHash(h, hash, 32, sig, &sig_len));
		/* there and back: the SAM PIN is 12345678 again after each round */
		MEASURE(&sam_change, i, iChange_Pin(h, "12345678", "7654321"));
		if (iChange_Pin(h, "7654321", "12345678") != IRV_OK)
			goto out;
	}
	report("iR_DDF1EF06Info", &r06);
	report("iR_DF01EF06Info", &r_df01);
	report("iW_DF01EF05Info", &w_df01);
	report("iW_DF03EEInfo (item, signed)", &w_item);
	report("iR_DF03EEInfo (item, verified)", &r_item);
	report("iR_DF03EEInfo (next item, same)", &r_item_cached);
	report("iR_DF03EE_ALLInfo (same record)", &r_all);
	report("iReader_SAM_Certificate", &sam_cert);
	report("SM2SignHash", &sam_sign);
	report("iChange_Pin", &sam_change);
	ret = 0;
out:
	iDClosePort();
	return ret;
}
