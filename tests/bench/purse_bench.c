/*
 * Benchmark of the purse through pcscd + vpcd + hcard-sim (run by `make bench` under
 * tests/harness/with-sim): APDUs (user card + SAM/PSAM) and wall time per EP charge, ED
 * charge, balance query and load, each the median of ROUNDS operations on one open card.
 * Reports numbers; never fails on timing.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/integration/test_purse_util.h"

#define ROUNDS 20

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static unsigned long
apdus(penv_t *e)
{
	unsigned long card = 0, sam = 0;

	hc_card_apdu_counts(e->card, &card, &sam);
	return card + sam;
}

typedef int (*op_fn)(penv_t *e, int i);

static int
op_charge_ep(penv_t *e, int i)
{
	hc_purse_charge_t c;
	hc_purse_receipt_t r;

	memset(&c, 0, sizeof(c));
	c.ledger = HC_LEDGER_EP;
	c.fund = 1000;
	c.account = 200;
	c.self_pay = 10 + i;
	c.total = c.fund + c.account + c.self_pay;
	return hc_purse_purchase(e->purse, &c, &r);
}

static int
op_charge_ed(penv_t *e, int i)
{
	hc_purse_charge_t c;
	hc_purse_receipt_t r;

	memset(&c, 0, sizeof(c));
	c.ledger = HC_LEDGER_ED;
	c.self_pay = 10 + i;
	c.total = c.self_pay;
	return hc_purse_purchase(e->purse, &c, &r);
}

static int
op_balance(penv_t *e, int i)
{
	int64_t v;

	(void)i;
	return hc_purse_balance(e->purse, HC_LEDGER_EP, &v);
}

static int
op_load(penv_t *e, int i)
{
	hc_purse_load_receipt_t r;

	return hc_purse_load(e->purse, e->issuer, HC_LEDGER_EP, 100 + i, NULL, &r);
}

static int
run(penv_t *e, const char *name, op_fn fn)
{
	double t[ROUNDS], sum = 0;
	unsigned long a0, a1;
	int i, rc;

	/* one warm-up (selects the applications, reads the terminal number) */
	if ((rc = fn(e, 0)) != HC_OK) {
		fprintf(stderr, "purse_bench: %s: %s\n", name, hc_errname(rc));
		return -1;
	}
	a0 = apdus(e);
	for (i = 0; i < ROUNDS; i++) {
		double s = now_ms();

		if ((rc = fn(e, i + 1)) != HC_OK) {
			fprintf(stderr, "purse_bench: %s: %s\n", name, hc_errname(rc));
			return -1;
		}
		t[i] = now_ms() - s;
		sum += t[i];
	}
	a1 = apdus(e);
	qsort(t, ROUNDS, sizeof(t[0]), cmp_double);
	printf("purse %-12s %5.2f APDUs/op  median %7.3f ms  mean %7.3f ms  (%d ops)\n", name,
	    (double)(a1 - a0) / ROUNDS, t[ROUNDS / 2], sum / ROUNDS, ROUNDS);
	return 0;
}

int
main(void)
{
	penv_t e;
	hc_purse_load_receipt_t lr;
	int rc, status = 1;

	if ((rc = penv_try_open(&e)) != HC_OK) {
		fprintf(stderr, "purse_bench: open: %s\n", hc_errname(rc));
		goto out;
	}
	if ((rc = hc_purse_load(e.purse, e.issuer, HC_LEDGER_EP, 500000, NULL, &lr)) != HC_OK ||
	    (rc = hc_purse_load(e.purse, e.issuer, HC_LEDGER_ED, 500000, "123456", &lr)) != HC_OK) {
		fprintf(stderr, "purse_bench: initial load: %s\n", hc_errname(rc));
		goto out;
	}
	if (run(&e, "charge-EP", op_charge_ep) != 0 || run(&e, "balance-EP", op_balance) != 0 ||
	    run(&e, "load-EP", op_load) != 0)
		goto out;
	/* ED: the PIN is verified once per card session, before the charges */
	if ((rc = hc_purse_verify_pin(e.purse, "123456", NULL)) != HC_OK) {
		fprintf(stderr, "purse_bench: PIN: %s\n", hc_errname(rc));
		goto out;
	}
	if (run(&e, "charge-ED", op_charge_ed) != 0)
		goto out;
	status = 0;
out:
	penv_close(&e);
	return status;
}
