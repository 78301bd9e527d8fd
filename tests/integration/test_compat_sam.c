/*
 * compat: the SAM functions of the national interface that serve the HIS itself, through
 * pcscd + vpcd + hcard-sim (under tests/harness/with-sim: a fresh type 5 SAM, PIN 12345678,
 * its certificate signed by the root of sim/demo.keyset):
 * iReader_SAM_Certificate, SM2SignHash and iChange_Pin.
 *
 * Checked independently of libwsbrw and libhcard: the certificate against the bytes read
 * raw from the SAM (SendAPDU) and parsed here per card-profile.md §5, its root signature and
 * the SAM's signatures with OpenSSL EVP (SM2, e = SM3 / the hash, no Z) against the keys of
 * the trust file; the PIN tries from the SAM's own VERIFY status; "nothing sent" from the
 * simulator's APDU counter of the SAM slot. The tests run in order on one SAM; the last one
 * blocks its PIN.
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
#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "compat/WSB_RWInterface.h"
#include "hcard.h"
#include "tests/integration/test_compat_util.h"

#define PIN "12345678"
#define PIN2 "7654321"

static HANDLE dev;
static uint8_t sam_cert[190];        /* as read raw from the SAM */

/* --- independent helpers: trust file, OpenSSL EVP, the SAM read raw ---------------------- */

/* ca.id (4) and ca.pub (64) from the trust file of hcard.conf (sim/demo.keyset). */
static void
root_key(uint8_t id[4], uint8_t pub[64])
{
	char path[1024], line[512], hexv[256];
	const char *top = getenv("top_srcdir");
	int got = 0;
	FILE *f;

	assert_non_null(top);
	snprintf(path, sizeof(path), "%s/sim/demo.keyset", top);
	assert_non_null(f = fopen(path, "r"));
	while (fgets(line, sizeof(line), f) != NULL) {
		uint8_t *dst = NULL;
		size_t n = 0, i;

		if (sscanf(line, "ca.id %255s", hexv) == 1) {
			dst = id;
			n = 4;
		} else if (sscanf(line, "ca.pub %255s", hexv) == 1) {
			dst = pub;
			n = 64;
		}
		if (dst == NULL)
			continue;
		assert_int_equal(strlen(hexv), 2 * n);
		for (i = 0; i < n; i++) {
			unsigned v;
			assert_int_equal(sscanf(hexv + 2 * i, "%2x", &v), 1);
			dst[i] = (uint8_t)v;
		}
		got++;
	}
	fclose(f);
	assert_int_equal(got, 2);
}

static void
sm3(const void *data, size_t n, uint8_t e[32])
{
	unsigned len = 0;

	assert_int_equal(EVP_Digest(data, n, e, &len, EVP_sm3(), NULL), 1);
	assert_int_equal(len, 32);
}

/* 1 if sig (r || s) is an SM2 signature of e (no Z) by pub (X || Y), per OpenSSL EVP. */
static int
sm2_verifies(const uint8_t pub[64], const uint8_t e[32], const uint8_t sig[64])
{
	unsigned char point[65], *der = NULL;
	char group[] = "SM2";
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *kctx, *vctx;
	EVP_PKEY *key = NULL;
	ECDSA_SIG *es;
	int der_len, ok;

	point[0] = 0x04;
	memcpy(point + 1, pub, 64);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point));
	params[2] = OSSL_PARAM_construct_end();
	assert_non_null(kctx = EVP_PKEY_CTX_new_from_name(NULL, "SM2", NULL));
	assert_int_equal(EVP_PKEY_fromdata_init(kctx), 1);
	assert_int_equal(EVP_PKEY_fromdata(kctx, &key, EVP_PKEY_PUBLIC_KEY, params), 1);
	assert_non_null(es = ECDSA_SIG_new());
	assert_int_equal(ECDSA_SIG_set0(es, BN_bin2bn(sig, 32, NULL), BN_bin2bn(sig + 32, 32, NULL)), 1);
	assert_true((der_len = i2d_ECDSA_SIG(es, &der)) > 0);
	assert_non_null(vctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL));
	assert_int_equal(EVP_PKEY_verify_init(vctx), 1);
	ok = EVP_PKEY_verify(vctx, der, (size_t)der_len, e, 32) == 1;
	EVP_PKEY_CTX_free(vctx);
	OPENSSL_free(der);
	ECDSA_SIG_free(es);
	EVP_PKEY_free(key);
	EVP_PKEY_CTX_free(kctx);
	return ok;
}

/* APDUs the simulator received on the SAM's slot (1) since it started. */
static unsigned long
sam_apdus(void)
{
	return strtoul(sim_ctl("count 1"), NULL, 10);
}

/* One raw command to the SAM; returns its status word, data into out. */
static unsigned
sam_raw(unsigned char *cmd, int len, unsigned char *out, int *out_len)
{
	unsigned char resp[300];
	int n = 0;

	assert_int_equal(SendAPDU(dev, SLOT_PSAM, cmd, len, resp, &n), IRV_OK);
	assert_true(n >= 2);
	if (out != NULL) {
		memcpy(out, resp, (size_t)n - 2);
		*out_len = n - 2;
	}
	return (unsigned)resp[n - 2] << 8 | resp[n - 1];
}

/* The SAM PIN status (VERIFY without data): 9000 verified, 63Cx tries left, 6983 blocked. */
static unsigned
sam_pin_status(void)
{
	unsigned char status[] = { 0x00, 0x20, 0x00, 0x00 };

	return sam_raw(status, sizeof(status), NULL, NULL);
}

/* --- tests ------------------------------------------------------------------------------- */

static int
setup(void **state)
{
	(void)state;
	return (dev = compat_test_open()) != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	iDClosePort();
	return 0;
}

static void
test_certificate(void **state)
{
	unsigned char sel_df01[] = { 0x00, 0xA4, 0x00, 0x00, 0x02, 0xDF, 0x01 };
	unsigned char read_cert[] = { 0x00, 0xB0, 0x97, 0x00, 0xBE };
	char info[400], expect[400], pub_info[64], today[9], nb[9], na[9];
	uint8_t ca_id[4], ca_pub[64], e[32], bad[190];
	unsigned long before;
	struct tm tm;
	time_t now = time(NULL);
	int n = 0;

	(void)state;
	assert_int_equal(iReader_SAM_Certificate(dev, NULL), IRV_PARA_ERR);
	assert_int_equal(iReader_SAM_Certificate((HANDLE)(uintptr_t)0x1234, info), IRV_PARA_ERR);
	/* readable without the SAM PIN: a certificate is public. After open the SAM's MF is
	 * current: SELECT DF01 + READ BINARY */
	before = sam_apdus();
	assert_int_equal(iReader_SAM_Certificate(dev, info), IRV_OK);
	print_message("iReader_SAM_Certificate (MF current): %lu SAM APDUs\n", sam_apdus() - before);
	assert_int_equal(sam_apdus() - before, 2);
	/* DF01 current now: one READ BINARY */
	before = sam_apdus();
	assert_int_equal(iReader_SAM_Certificate(dev, info), IRV_OK);
	print_message("iReader_SAM_Certificate (DF01 current): %lu SAM APDU\n", sam_apdus() - before);
	assert_int_equal(sam_apdus() - before, 1);
	assert_int_equal(strlen(info), 380);

	/* the same bytes read raw from the SAM */
	assert_int_equal(sam_raw(sel_df01, sizeof(sel_df01), NULL, NULL), 0x9000);
	assert_int_equal(sam_raw(read_cert, sizeof(read_cert), sam_cert, &n), 0x9000);
	assert_int_equal(n, 190);
	hex(sam_cert, sizeof(sam_cert), expect);
	assert_string_equal(info, expect);
	/* and the library reads right after raw commands moved the SAM (it resets it first) */
	assert_int_equal(iReader_SAM_Certificate(dev, info), IRV_OK);
	assert_string_equal(info, expect);

	/* card-profile.md §5: version 01 | CA id 4 | serial ans 10 | type | not-before cn 4 |
	 * not-after cn 4 | curve 01 | public key 64 | 00 x 37 | CA signature over bytes 0-125 */
	root_key(ca_id, ca_pub);
	assert_int_equal(sam_cert[0], 0x01);
	assert_memory_equal(sam_cert + 1, ca_id, 4);
	assert_int_equal(iReader_SAM_Public(dev, pub_info), IRV_OK);     /* "serial|type|kv" */
	assert_int_equal(strlen(pub_info), 16);
	assert_memory_equal(sam_cert + 5, pub_info, 10);                 /* SAM serial */
	snprintf(expect, sizeof(expect), "%02X", sam_cert[15]);
	assert_memory_equal(pub_info + 11, expect, 2);                   /* SAM type */
	assert_int_equal(sam_cert[15], 5);
	gmtime_r(&now, &tm);
	strftime(today, sizeof(today), "%Y%m%d", &tm);
	hex(sam_cert + 16, 4, nb);                       /* cn: BCD digits YYYYMMDD */
	hex(sam_cert + 20, 4, na);
	assert_true(strcmp(nb, today) <= 0);
	assert_true(strcmp(today, na) <= 0);
	assert_int_equal(sam_cert[24], 0x01);
	for (n = 89; n < 126; n++)
		assert_int_equal(sam_cert[n], 0x00);
	sm3(sam_cert, 126, e);
	assert_true(sm2_verifies(ca_pub, e, sam_cert + 126));
	/* the check can fail: another serial does not verify */
	memcpy(bad, sam_cert, sizeof(bad));
	bad[5] ^= 0x01;
	sm3(bad, 126, e);
	assert_false(sm2_verifies(ca_pub, e, bad + 126));
}

static void
test_sign_hash(void **state)
{
	static const char msg[] = "outpatient 2026-11-23 prescription #42";
	BYTE hash[32], sig[64], sig2[64], len = 0;
	unsigned long before;

	(void)state;
	sm3(msg, sizeof(msg) - 1, hash);
	/* before the SAM PIN the SAM refuses its key */
	assert_int_equal(SM2SignHash(dev, hash, 32, sig, &len), IRV_IRK_VERR);
	assert_int_equal(iVerifyPIN(dev, PIN), IRV_OK);
	/* bad parameters: nothing sent */
	before = sam_apdus();
	assert_int_equal(SM2SignHash(dev, NULL, 32, sig, &len), IRV_PARA_ERR);
	assert_int_equal(SM2SignHash(dev, hash, 31, sig, &len), IRV_PARA_ERR);
	assert_int_equal(SM2SignHash(dev, hash, 33, sig, &len), IRV_PARA_ERR);
	assert_int_equal(SM2SignHash(dev, hash, 0, sig, &len), IRV_PARA_ERR);
	assert_int_equal(SM2SignHash(dev, hash, 32, NULL, &len), IRV_PARA_ERR);
	assert_int_equal(SM2SignHash(dev, hash, 32, sig, NULL), IRV_PARA_ERR);
	assert_int_equal(sam_apdus(), before);

	/* PIN verified, DF01 current: one 80 F4, whose answer the T=0 SAM gives through 6140 and
	 * GET RESPONSE (2 on the wire) */
	before = sam_apdus();
	assert_int_equal(SM2SignHash(dev, hash, 32, sig, &len), IRV_OK);
	print_message("SM2SignHash (DF01 current, PIN verified): %lu SAM APDUs\n", sam_apdus() - before);
	assert_int_equal(sam_apdus() - before, 2);
	assert_int_equal(len, 64);
	/* e = the hash as given, no Z; the key of the SAM's certificate */
	assert_true(sm2_verifies(sam_cert + 25, hash, sig));
	/* a fresh k each time: another signature, which verifies too */
	len = 0;
	assert_int_equal(SM2SignHash(dev, hash, 32, sig2, &len), IRV_OK);
	assert_int_equal(len, 64);
	assert_memory_not_equal(sig, sig2, 64);
	assert_true(sm2_verifies(sam_cert + 25, hash, sig2));
	/* a changed hash does not verify, nor does a changed signature */
	hash[31] ^= 0x01;
	assert_false(sm2_verifies(sam_cert + 25, hash, sig));
	hash[31] ^= 0x01;
	sig[40] ^= 0x01;
	assert_false(sm2_verifies(sam_cert + 25, hash, sig));
	/* the SAM signs what it is given: another hash, its own signature */
	hash[0] ^= 0xFF;
	assert_int_equal(SM2SignHash(dev, hash, 32, sig, &len), IRV_OK);
	assert_true(sm2_verifies(sam_cert + 25, hash, sig));

	/* after a warm reset the library did not see (the SAM forgot PIN and DF), the library
	 * verifies its kept PIN, selects DF01 and signs again */
	sim_ctl("reset 1");
	before = sam_apdus();
	assert_int_equal(SM2SignHash(dev, hash, 32, sig2, &len), IRV_OK);
	print_message("SM2SignHash after an unseen SAM reset: %lu SAM APDUs\n", sam_apdus() - before);
	assert_true(sm2_verifies(sam_cert + 25, hash, sig2));
}

static void
test_change_pin(void **state)
{
	static const char *const bad[][2] = {
		{ "12345", "87654321" }, { PIN, "12345" }, { "123456789", PIN2 }, { PIN, "123456789" },
		{ "1234567a", PIN2 }, { PIN, "12 34567" }, { "", PIN2 }, { PIN, "" },
		{ PIN, "１２３４５６" },
	};
	BYTE hash[32], sig[64], len = 0;
	unsigned long before;
	size_t i;

	(void)state;
	sm3("x", 1, hash);
	/* formats and NULL: 101, nothing sent */
	before = sam_apdus();
	assert_int_equal(iChange_Pin(dev, NULL, PIN2), IRV_PARA_ERR);
	assert_int_equal(iChange_Pin(dev, PIN, NULL), IRV_PARA_ERR);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(iChange_Pin(dev, (char *)bad[i][0], (char *)bad[i][1]), IRV_PARA_ERR);
	assert_int_equal(sam_apdus(), before);
	assert_int_equal(sam_pin_status(), 0x9000);      /* nothing counted against the PIN */

	/* a wrong old PIN: 106, one try less (the SAM's own count) */
	before = sam_apdus();
	assert_int_equal(iChange_Pin(dev, "11111111", PIN2), IRV_IRK_VERR);
	print_message("iChange_Pin (wrong old PIN): %lu SAM APDU\n", sam_apdus() - before);
	assert_int_equal(sam_pin_status(), 0x63C2);
	/* of another length than the SAM's PIN: the SAM splits old || new at the length of the
	 * PIN it holds (8), which leaves 5 digits for the new one: refused (6A80), not counted */
	assert_int_equal(iChange_Pin(dev, "111111", PIN2), IRV_IRK_VERR);
	assert_int_equal(sam_pin_status(), 0x63C2);
	assert_int_equal(iChange_Pin(dev, "111111", "87654321"), IRV_IRK_VERR);
	assert_int_equal(sam_pin_status(), 0x63C1);

	/* the right one: 0, one APDU (no SELECT: the PIN is the SAM's own) */
	before = sam_apdus();
	assert_int_equal(iChange_Pin(dev, PIN, PIN2), IRV_OK);
	print_message("iChange_Pin: %lu SAM APDU\n", sam_apdus() - before);
	assert_int_equal(sam_apdus() - before, 1);
	assert_int_equal(sam_pin_status(), 0x9000);      /* verified, counter back to 3 */

	/* the library keeps the new PIN: after a SAM reset it verifies it again itself */
	sim_ctl("reset 1");
	assert_int_equal(SM2SignHash(dev, hash, 32, sig, &len), IRV_OK);
	assert_true(sm2_verifies(sam_cert + 25, hash, sig));

	/* the new PIN works, the old one is refused */
	assert_int_equal(iVerifyPIN(dev, PIN2), IRV_OK);
	assert_int_equal(iVerifyPIN(dev, PIN), IRV_IRK_VERR);
	assert_int_equal(sam_pin_status(), 0x63C2);
	assert_int_equal(iVerifyPIN(dev, PIN2), IRV_OK);

	/* and back; 8 digits again */
	assert_int_equal(iChange_Pin(dev, PIN2, PIN), IRV_OK);
	assert_int_equal(iVerifyPIN(dev, PIN2), IRV_IRK_VERR);
	assert_int_equal(iVerifyPIN(dev, PIN), IRV_OK);
	assert_int_equal(SM2SignHash(dev, hash, 32, sig, &len), IRV_OK);
	assert_true(sm2_verifies(sam_cert + 25, hash, sig));
}

/* libhcard directly (its own terminal, no PIN): the tries left, then the SAM blocked. */
static void
test_blocked(void **state)
{
	hc_ctx_t *ctx = NULL;
	hc_terminal_t *term = NULL;
	uint8_t cert[HC_SAM_CERT_LEN], hash[32], sig[64];
	char info[400];
	BYTE len = 0;
	int tries = 99;

	(void)state;
	assert_int_equal(hc_ctx_new(&ctx, NULL), HC_OK);
	assert_int_equal(hc_terminal_open(ctx, NULL, &term), HC_OK);
	memset(hash, 0x5A, sizeof(hash));
	assert_int_equal(hc_terminal_change_sam_pin(term, "1234", PIN2, &tries), HC_ERR_PIN_FORMAT);
	assert_int_equal(tries, -1);
	assert_int_equal(hc_terminal_change_sam_pin(term, NULL, PIN2, &tries), HC_ERR_INVALID_ARGUMENT);
	assert_int_equal(hc_terminal_change_sam_pin(term, "00000000", PIN2, &tries), HC_ERR_SAM_PIN);
	assert_int_equal(tries, 2);
	assert_int_equal(hc_terminal_change_sam_pin(term, "00000000", PIN2, &tries), HC_ERR_SAM_PIN);
	assert_int_equal(tries, 1);
	assert_int_equal(hc_terminal_change_sam_pin(term, "00000000", PIN2, NULL), HC_ERR_SAM_PIN);
	assert_int_equal(sam_pin_status(), 0x6983);      /* no try left: blocked */
	/* blocked: the right PIN no longer changes it */
	assert_int_equal(hc_terminal_change_sam_pin(term, PIN, PIN2, &tries), HC_ERR_SAM_PIN);
	assert_int_equal(tries, 0);
	assert_int_equal(sam_pin_status(), 0x6983);
	assert_true(strstr(hc_ctx_error_detail(ctx), "blocked") != NULL);
	assert_int_equal(hc_terminal_sam_sign_hash(term, hash, sig), HC_ERR_AUTH_BLOCKED);
	/* the certificate stays readable */
	assert_int_equal(hc_terminal_sam_certificate(term, cert), HC_OK);
	assert_memory_equal(cert, sam_cert, sizeof(cert));
	hc_terminal_close(&term);
	hc_ctx_free(&ctx);

	/* the HIS: its kept PIN no longer opens the SAM */
	assert_int_equal(iChange_Pin(dev, PIN, PIN2), IRV_IRK_VERR);
	assert_int_equal(SM2SignHash(dev, hash, 32, sig, &len), IRV_IRK_VERR);
	assert_int_equal(iVerifyPIN(dev, PIN), IRV_IRK_VERR);
	assert_int_equal(iReader_SAM_Certificate(dev, info), IRV_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_certificate),
		cmocka_unit_test(test_sign_hash),
		cmocka_unit_test(test_change_pin),
		cmocka_unit_test(test_blocked),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
