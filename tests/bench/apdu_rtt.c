/*
 * Benchmark: round trip of trivial APDUs through libpcsclite -> pcscd -> vpcd -> hcard-sim
 * (run under tests/harness/with-sim; `make bench` does it). Reports the median and 99th
 * percentile of hc_transmit() and the APDUs per second on the wire, for GET CHALLENGE (one
 * APDU) and SELECT MF with FCI (two under T=0: the command and its GET RESPONSE).
 * Usage: apdu_rtt [N]   (default 2000 of each)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hcard_err.h"
#include "apdu/apdu.h"
#include "apdu/pcsc.h"
#include "apdu/transport.h"

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sends a n times; prints median, p99 and wire APDUs per second. 0 on success. */
static int
run(hc_transport_t *t, const char *label, const hc_apdu_t *a, size_t expect_len, long n,
    hc_resp_t *resp, double *us)
{
	double t0, start, total;
	unsigned long wire;
	long i;
	int rc;

	hc_transport_reset_count(t);
	start = now_us();
	for (i = 0; i < n; i++) {
		t0 = now_us();
		rc = hc_transmit(t, a, resp);
		us[i] = now_us() - t0;
		if (rc != HC_OK || resp->sw != 0x9000 || (expect_len > 0 && resp->len != expect_len)) {
			fprintf(stderr, "apdu_rtt: %s #%ld: %s, SW %04X, %zu bytes\n", label, i,
			    hc_errname(rc), resp->sw, resp->len);
			return -1;
		}
	}
	total = now_us() - start;
	wire = hc_transport_apdu_count(t);
	qsort(us, (size_t)n, sizeof(us[0]), cmp_double);
	printf("apdu_rtt: %-22s n=%ld  median %7.1f us  p99 %7.1f us  max %8.1f us  "
	    "%6.0f commands/s  %6.0f wire APDUs/s (%lu APDUs)\n", label, n, us[n / 2],
	    us[(size_t)((double)n * 0.99)], us[n - 1], (double)n / (total / 1e6),
	    (double)wire / (total / 1e6), wire);
	return 0;
}

int
main(int argc, char **argv)
{
	static const uint8_t mf[] = { 0x3F, 0x00 };
	const char *reader = getenv("HCARD_CARD_READER");
	hc_pcsc_t *p = NULL;
	hc_transport_t *t = NULL;
	hc_resp_t *resp = NULL;
	hc_apdu_t challenge, select;
	double *us = NULL;
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 2000;
	int rc, status = 1;

	if (reader == NULL) {
		fprintf(stderr, "apdu_rtt: run under tests/harness/with-sim (HCARD_CARD_READER)\n");
		return 1;
	}
	if (n < 10 || n > 10000000) {
		fprintf(stderr, "usage: apdu_rtt [N >= 10]\n");
		return 1;
	}
	if ((us = calloc((size_t)n, sizeof(*us))) == NULL || (resp = hc_resp_new()) == NULL)
		goto out;
	if ((rc = hc_pcsc_new(&p)) != HC_OK || (rc = hc_pcsc_connect(p, reader, &t)) != HC_OK) {
		fprintf(stderr, "apdu_rtt: %s: %s\n", reader, hc_strerror(rc));
		goto out;
	}
	memset(&challenge, 0, sizeof(challenge));
	challenge.ins = 0x84;                   /* GET CHALLENGE 00 84 00 00 08 */
	challenge.has_le = 1;
	challenge.le = 8;
	memset(&select, 0, sizeof(select));
	select.ins = 0xA4;                      /* SELECT MF 00 A4 00 00 02 3F 00 00 */
	select.data = mf;
	select.lc = 2;
	select.has_le = 1;
	select.le = 256;
	/* warm up: connections, caches */
	if (run(t, "warm-up", &challenge, 8, 10, resp, us) != 0 ||
	    run(t, "GET CHALLENGE", &challenge, 8, n, resp, us) != 0 ||
	    run(t, "SELECT MF (61xx+C0)", &select, 0, n, resp, us) != 0)
		goto out;
	status = 0;
out:
	free(us);
	hc_resp_free(&resp);
	hc_transport_free(&t);
	hc_pcsc_free(&p);
	return status;
}
