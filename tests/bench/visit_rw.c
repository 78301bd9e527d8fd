/*
 * Benchmark (make bench, under tests/harness/with-sim): DF03 visit records through pcscd +
 * vpcd + hcard-sim with the default cards (type 5 SAM). Reports median and p99 wall time
 * and the APDUs of: write an outpatient record, read one (verified), read the index, read
 * all five. Numbers only; it fails only when an operation fails.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hcard.h"
#include "hcard_health.h"
#include "hcard_visit.h"

#define ROUNDS 30

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

static void
report(const char *what, double *t, unsigned long card, unsigned long sam)
{
	qsort(t, ROUNDS, sizeof(t[0]), cmp_double);
	printf("%-26s median %7.2f ms  p99 %7.2f ms  card APDUs %lu  SAM APDUs %lu\n", what,
	       t[ROUNDS / 2], t[(ROUNDS * 99) / 100], card, sam);
}

static int
check(int rc, const char *what)
{
	if (rc != HC_OK)
		fprintf(stderr, "visit_rw: %s: %s\n", what, hc_errname(rc));
	return rc;
}

int
main(void)
{
	hc_ctx_t *ctx = NULL;
	hc_terminal_t *term = NULL;
	hc_card_t *card = NULL;
	hc_trust_t *trust = NULL;
	hc_visit_record_t *rec = NULL, *r = NULL, *all[HC_VISIT_MAX_SLOTS];
	hc_terminal_opts_t opts;
	hc_issuer_t is;
	uint8_t index[HC_VISIT_MAX_SLOTS];
	double tw[ROUNDS], tr[ROUNDS], ti[ROUNDS], ta[ROUNDS], t0;
	unsigned long c0, s0, c1, s1, cw = 0, sw = 0, cr = 0, sr = 0, ci = 0, si = 0, ca = 0, sa = 0;
	char keyset[1024];
	int i, j, rc = 1;

	memset(&opts, 0, sizeof(opts));
	opts.card_reader = getenv("HCARD_CARD_READER");
	opts.sam_reader = getenv("HCARD_SAM_READER");
	opts.sam_pin = "12345678";
	snprintf(keyset, sizeof(keyset), "%s/sim/demo.keyset",
	         getenv("top_srcdir") != NULL ? getenv("top_srcdir") : ".");
	memset(&is, 0, sizeof(is));
	strcpy(is.card_type, "1");
	strcpy(is.spec_version, "1.10");
	strcpy(is.issuer_name, "bench");
	strcpy(is.issuer_code, "11010000000");
	strcpy(is.issue_date, "20240101");
	strcpy(is.card_number, "11010519491231002X");
	strcpy(is.security_code, "123");
	strcpy(is.issue_serial, "0000000001");
	if (check(hc_ctx_new(&ctx, NULL), "context") || check(hc_terminal_open(ctx, &opts, &term), "terminal") ||
	    check(hc_card_open(term, &card), "card") || check(hc_write_issuer(card, &is), "issue") ||
	    check(hc_trust_new(&trust), "trust") || check(hc_trust_load(trust, keyset), "trust file") ||
	    check(hc_visit_record_new(HC_VISIT_OUTPATIENT, &rec), "record") ||
	    check(hc_visit_record_set_no(rec, 1, "北京协和医院"), "item") ||
	    check(hc_visit_record_set_no(rec, 3, "20240105093000"), "item"))
		goto out;
	hc_card_close(&card);
	if (check(hc_card_open(term, &card), "card"))
		goto out;
	for (i = 0; i < ROUNDS; i++) {
		hc_card_apdu_counts(card, &c0, &s0);
		t0 = now_ms();
		if (check(hc_visit_write(card, rec, i % 5 + 1, NULL), "write"))
			goto out;
		tw[i] = now_ms() - t0;
		hc_card_apdu_counts(card, &c1, &s1);
		cw = c1 - c0;
		sw = s1 - s0;

		t0 = now_ms();
		if (check(hc_visit_read(card, trust, HC_VISIT_OUTPATIENT, i % 5 + 1, &r), "read"))
			goto out;
		tr[i] = now_ms() - t0;
		hc_visit_record_free(&r);
		hc_card_apdu_counts(card, &c0, &s0);
		cr = c0 - c1;
		sr = s0 - s1;

		t0 = now_ms();
		if (check(hc_visit_read_index(card, HC_VISIT_OUTPATIENT, index, NULL), "index"))
			goto out;
		ti[i] = now_ms() - t0;
		hc_card_apdu_counts(card, &c1, &s1);
		ci = c1 - c0;
		si = s1 - s0;

		t0 = now_ms();
		if (check(hc_visit_read_all(card, trust, HC_VISIT_OUTPATIENT, all, NULL), "read all"))
			goto out;
		ta[i] = now_ms() - t0;
		for (j = 0; j < HC_VISIT_MAX_SLOTS; j++)
			hc_visit_record_free(&all[j]);
		hc_card_apdu_counts(card, &c0, &s0);
		ca = c0 - c1;
		sa = s0 - s1;
	}
	printf("DF03 visit records, %d rounds, session warm (DF03 current, rights granted)\n", ROUNDS);
	report("write outpatient (slot)", tw, cw, sw);
	report("read one, verified", tr, cr, sr);
	report("read index", ti, ci, si);
	report("read all (5 valid)", ta, ca, sa);
	rc = 0;
out:
	hc_visit_record_free(&rec);
	hc_trust_free(&trust);
	hc_card_close(&card);
	hc_terminal_close(&term);
	hc_ctx_free(&ctx);
	return rc;
}
