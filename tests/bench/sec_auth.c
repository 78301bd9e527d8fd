/*
 * Benchmark (crypto-sam): crypto/ primitives, and authentication through the real stack
 * (libpcsclite -> pcscd -> vpcd -> hcard-sim): internal authentication (SAM + card),
 * external authentication (RK1 DDF1) and one secure-messaging write (cipher + MAC), each
 * repeated; prints the median and 99th percentile and the APDUs one operation costs.
 * Runs itself under tests/harness/with-sim when not already inside it.
 * Usage: sec_auth [ITERATIONS]   (default 200)
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/crypto.h>

#include "crypto/crypto.h"
#include "tests/integration/test_sec_common.h"

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

static void
report(const char *what, double *t, int n, unsigned long apdus)
{
	qsort(t, (size_t)n, sizeof(double), cmp_double);
	printf("%-34s median %8.3f ms  p99 %8.3f ms  %lu APDUs\n", what, t[n / 2] / 1000.0,
	       t[(n * 99) / 100] / 1000.0, apdus);
}

static void
micro(void)
{
	uint8_t key[16] = { 1 }, blk[16] = { 2 }, buf[1024] = { 3 }, h[32], priv[32], pub[64];
	uint8_t sig[64];
	double t0;
	int i, n = 20000;

	t0 = now_us();
	for (i = 0; i < n; i++)
		hc_sm4_ecb(key, 1, blk, 16, blk);
	printf("%-34s %10.0f /s\n", "SM4 one block (EVP context each)", n / ((now_us() - t0) / 1e6));
	t0 = now_us();
	for (i = 0; i < 2000; i++)
		hc_sm3(buf, sizeof(buf), h);
	printf("%-34s %10.1f MB/s\n", "SM3 over 1 KiB", 2000 * 1024 / (now_us() - t0));
	hc_sm2_keygen(priv, pub);
	t0 = now_us();
	for (i = 0; i < 200; i++)
		hc_sm2_sign_e(priv, h, sig);
	printf("%-34s %10.0f /s\n", "SM2 sign (raw e)", 200 / ((now_us() - t0) / 1e6));
	t0 = now_us();
	for (i = 0; i < 200; i++)
		hc_sm2_verify_e(pub, h, sig);
	printf("%-34s %10.0f /s\n", "SM2 verify (raw e)", 200 / ((now_us() - t0) / 1e6));
	OPENSSL_cleanse(priv, sizeof(priv));
}

static void
internal_auth(sec_env_t *e)
{
	uint8_t r[8], apdu[23];

	sec_hex(e, e->sam, "0084000008");
	memcpy(r, e->resp, 8);
	apdu[0] = 0x80; apdu[1] = 0xDE; apdu[2] = 0x47; apdu[3] = 0x21; apdu[4] = 0x10;
	memcpy(apdu + 5, e->card_factor, 8);
	memcpy(apdu + 13, e->city_factor, 8);
	sec_raw(e, e->sam, apdu, 21);
	apdu[0] = 0x80; apdu[1] = 0xFA; apdu[2] = 0; apdu[3] = 0; apdu[4] = 0x10;
	memcpy(apdu + 5, r, 8);
	memcpy(apdu + 13, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	apdu[21] = 0;
	sec_raw(e, e->sam, apdu, 22);
	apdu[0] = 0x00; apdu[1] = 0x88; apdu[2] = 0; apdu[3] = 0; apdu[4] = 0x11;
	memcpy(apdu + 5, r, 8);
	memcpy(apdu + 13, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	apdu[21] = 0x01;
	apdu[22] = 0x08;
	if (sec_raw(e, e->card, apdu, 23) != 0x9000) {
		fprintf(stderr, "internal authentication failed\n");
		exit(1);
	}
}

static void
sm_write(sec_env_t *e)
{
	uint8_t apdu[5 + 16 + 4], enc[5 + 4 + 1], mac[4];

	sec_sm_session(e, 0x48, 0x24);
	enc[0] = 0x80; enc[1] = 0xFA; enc[2] = 0; enc[3] = 0; enc[4] = 4;
	memcpy(enc + 5, "\x03\x41\x01\x01", 4);
	enc[9] = 0;
	sec_raw(e, e->sam, enc, sizeof(enc));
	apdu[0] = 0x04; apdu[1] = 0xDC; apdu[2] = 0x41; apdu[3] = 0x28; apdu[4] = 0x14;
	memcpy(apdu + 5, e->resp, 16);
	sec_sam_mac(e, apdu, 21, mac);
	memcpy(apdu + 21, mac, 4);
	if (sec_raw(e, e->card, apdu, sizeof(apdu)) != 0x9000) {
		fprintf(stderr, "secure-messaging write failed\n");
		exit(1);
	}
}

static unsigned long
apdus(const sec_env_t *e)
{
	return hc_transport_apdu_count(e->card) + hc_transport_apdu_count(e->sam);
}

int
main(int argc, char **argv)
{
	sec_env_t e;
	double *t;
	unsigned long a0;
	int n = argc > 1 ? atoi(argv[1]) : 200, i;

	if (getenv("HCARD_SIM_CONTROL") == NULL) {
		/* re-run inside the harness (private pcscd + vpcd + hcard-sim) */
		setenv("top_srcdir", HC_TOP_SRCDIR, 0);
		setenv("top_builddir", HC_TOP_BUILDDIR, 0);
		execl("/bin/sh", "sh", HC_TOP_SRCDIR "/tests/harness/with-sim", "--", argv[0],
		      argc > 1 ? argv[1] : NULL, (char *)NULL);
		perror("with-sim");
		return 1;
	}
	if (n < 10 || n > 100000 || (t = calloc((size_t)n, sizeof(double))) == NULL)
		return 2;
	micro();
	sec_connect(&e);
	sec_sim("factory --type sam --sam-type 5 --out bench-sam.img");
	sec_insert(&e, 1, sec_tmp("bench-sam.img"));
	sec_sam_login(&e, "12345678");
	sec_card_factors(&e);

	for (i = 0; i < n; i++) {
		hc_transport_reset_count(e.card);
		hc_transport_reset_count(e.sam);
		t[i] = now_us();
		internal_auth(&e);
		t[i] = now_us() - t[i];
	}
	report("internal authentication", t, n, apdus(&e));
	a0 = 0;
	for (i = 0; i < n; i++) {
		hc_transport_reset_count(e.card);
		hc_transport_reset_count(e.sam);
		t[i] = now_us();
		if (sec_ext_auth(&e, 0x47, 0x31, 0x04) != 0x9000) {
			fprintf(stderr, "external authentication failed\n");
			return 1;
		}
		t[i] = now_us() - t[i];
		a0 = apdus(&e);
	}
	report("external authentication (RK1)", t, n, a0);
	sec_hex(&e, e.card, "00A4040006915600013201");
	sec_ext_auth(&e, 0x47, 0x2C, 0x85);
	for (i = 0; i < n; i++) {
		hc_transport_reset_count(e.card);
		hc_transport_reset_count(e.sam);
		t[i] = now_us();
		sm_write(&e);
		t[i] = now_us() - t[i];
		a0 = apdus(&e);
	}
	report("SM write (cipher + MAC, SAM-made)", t, n, a0);
	sec_disconnect(&e);
	free(t);
	return 0;
}
