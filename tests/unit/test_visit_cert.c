/*
 * Certificates (card-profile.md §5) and visit record signatures (§3), checked against keys,
 * certificates and signatures made HERE with OpenSSL EVP (SM2 over e = SM3(bytes), no Z),
 * independently of crypto/ and of the code under test: good ones verify, every tampered,
 * expired, untrusted or copied one is refused with the documented error.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "src/cert.h"
#include "src/visit_sign.h"

static const uint8_t CA_ID[4] = { 0x43, 0x41, 0x30, 0x31 };

static EVP_PKEY *
gen_key(uint8_t pub[64])
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "SM2");
	uint8_t enc[65];
	size_t n = 0;

	assert_non_null(k);
	assert_int_equal(EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, enc,
	                                                 sizeof(enc), &n), 1);
	assert_int_equal(n, 65);
	assert_int_equal(enc[0], 0x04);
	memcpy(pub, enc + 1, 64);
	return k;
}

static void
sm3(const uint8_t *p, size_t n, uint8_t e[32])
{
	unsigned int len = 0;

	assert_int_equal(EVP_Digest(p, n, e, &len, EVP_sm3(), NULL), 1);
	assert_int_equal(len, 32);
}

/* SM2 signature of the digest e itself (no Z), as raw r || s. */
static void
sign_e(EVP_PKEY *k, const uint8_t e[32], uint8_t sig[64])
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k, NULL);
	unsigned char der[128];
	const unsigned char *p = der;
	size_t n = sizeof(der);
	ECDSA_SIG *es;
	const BIGNUM *r, *s;

	assert_non_null(ctx);
	assert_int_equal(EVP_PKEY_sign_init(ctx), 1);
	assert_int_equal(EVP_PKEY_sign(ctx, der, &n, e, 32), 1);
	es = d2i_ECDSA_SIG(NULL, &p, (long)n);
	assert_non_null(es);
	ECDSA_SIG_get0(es, &r, &s);
	assert_int_equal(BN_bn2binpad(r, sig, 32), 32);
	assert_int_equal(BN_bn2binpad(s, sig + 32, 32), 32);
	ECDSA_SIG_free(es);
	EVP_PKEY_CTX_free(ctx);
}

static void
put_bcd(uint8_t *out, const char *digits)
{
	size_t i;

	for (i = 0; digits[i] != '\0'; i += 2)
		out[i / 2] = (uint8_t)(((digits[i] - '0') << 4) | (digits[i + 1] - '0'));
}

/* SAM certificate, 190 bytes, laid out per §5 and signed by root over bytes 0..125. */
static void
make_sam_cert(EVP_PKEY *root, const uint8_t ca[4], const char *serial, uint8_t type,
              const char *nb, const char *na, const uint8_t pub[64], uint8_t version,
              uint8_t cert[190])
{
	uint8_t e[32];

	memset(cert, 0, 190);
	cert[0] = version;
	memcpy(cert + 1, ca, 4);
	memcpy(cert + 5, serial, strlen(serial));
	cert[15] = type;
	put_bcd(cert + 16, nb);
	put_bcd(cert + 20, na);
	cert[24] = 0x01;
	memcpy(cert + 25, pub, 64);
	/* 89..125: 37 zero bytes */
	sm3(cert, 126, e);
	sign_e(root, e, cert + 126);
}

/* Issuer certificate, 180 bytes: issuer code cn 11 (here 12 digits, F-padded). */
static void
make_issuer_cert(EVP_PKEY *root, const char *nb, const char *na, const uint8_t pub[64],
                 uint8_t cert[180])
{
	static const uint8_t code[11] = { 0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0xFF, 0xFF,
	                                  0xFF, 0xFF, 0xFF };
	uint8_t e[32];

	memset(cert, 0, 180);
	cert[0] = 0x01;
	memcpy(cert + 1, CA_ID, 4);
	memcpy(cert + 5, code, 11);
	put_bcd(cert + 16, nb);
	put_bcd(cert + 20, na);
	cert[24] = 0x01;
	memcpy(cert + 25, pub, 64);
	sm3(cert, 116, e);
	sign_e(root, e, cert + 116);
}

typedef struct fixture {
	EVP_PKEY *root, *sam, *other;
	uint8_t root_pub[64], sam_pub[64], other_pub[64];
	hc_trust_t *trust;
	uint8_t cert[190];
} fixture_t;

static int
setup(void **state)
{
	fixture_t *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->root = gen_key(f->root_pub);
	f->sam = gen_key(f->sam_pub);
	f->other = gen_key(f->other_pub);
	assert_int_equal(hc_trust_new(&f->trust), HC_OK);
	assert_int_equal(hc_trust_add(f->trust, CA_ID, f->root_pub), HC_OK);
	make_sam_cert(f->root, CA_ID, "SAM0000001", 2, "20240101", "20341231", f->sam_pub, 1,
	              f->cert);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	fixture_t *f = *state;

	EVP_PKEY_free(f->root);
	EVP_PKEY_free(f->sam);
	EVP_PKEY_free(f->other);
	hc_trust_free(&f->trust);
	assert_null(f->trust);
	free(f);
	return 0;
}

static void
test_sam_cert_good(void **state)
{
	fixture_t *f = *state;
	hc_cert_sam_t c;

	assert_int_equal(hc_cert_sam_verify(f->cert, 190, f->trust, "20250601", &c), HC_OK);
	assert_string_equal(c.serial, "SAM0000001");
	assert_int_equal(c.sam_type, 2);
	assert_string_equal(c.not_before, "20240101");
	assert_string_equal(c.not_after, "20341231");
	assert_memory_equal(c.pub, f->sam_pub, 64);
	assert_memory_equal(c.ca_id, CA_ID, 4);
	/* the validity bounds are inclusive */
	assert_int_equal(hc_cert_sam_verify(f->cert, 190, f->trust, "20240101", NULL), HC_OK);
	assert_int_equal(hc_cert_sam_verify(f->cert, 190, f->trust, "20341231", NULL), HC_OK);
	/* the host clock (this test runs between 2024 and 2034) */
	assert_int_equal(hc_cert_sam_verify(f->cert, 190, f->trust, NULL, NULL), HC_OK);
}

static void
test_sam_cert_bad(void **state)
{
	fixture_t *f = *state;
	uint8_t c[190];
	hc_trust_t *t = NULL;
	size_t i;
	static const size_t flip_at[] = { 1, 5, 15, 17, 30, 100, 126, 189 };
	uint8_t bad_ca[4] = { 0x43, 0x41, 0x30, 0x32 };

	/* any byte changed: the CA signature (or the layout) fails */
	for (i = 0; i < sizeof(flip_at) / sizeof(flip_at[0]); i++) {
		memcpy(c, f->cert, 190);
		c[flip_at[i]] ^= 0x01;
		assert_int_equal(hc_cert_sam_verify(c, 190, f->trust, "20250601", NULL),
		                 HC_ERR_CERTIFICATE);
	}
	/* expired, not yet valid */
	assert_int_equal(hc_cert_sam_verify(f->cert, 190, f->trust, "20350101", NULL), HC_ERR_CERTIFICATE);
	assert_int_equal(hc_cert_sam_verify(f->cert, 190, f->trust, "20231231", NULL), HC_ERR_CERTIFICATE);
	/* wrong length */
	assert_int_equal(hc_cert_sam_verify(f->cert, 189, f->trust, "20250601", NULL), HC_ERR_CERTIFICATE);
	/* signed by another key claiming the same CA id */
	make_sam_cert(f->other, CA_ID, "SAM0000001", 2, "20240101", "20341231", f->sam_pub, 1, c);
	assert_int_equal(hc_cert_sam_verify(c, 190, f->trust, "20250601", NULL), HC_ERR_CERTIFICATE);
	/* a CA the trust does not know */
	make_sam_cert(f->root, bad_ca, "SAM0000001", 2, "20240101", "20341231", f->sam_pub, 1, c);
	assert_int_equal(hc_cert_sam_verify(c, 190, f->trust, "20250601", NULL), HC_ERR_CERTIFICATE);
	/* well signed but malformed: version 2, type 7, dates reversed, not a date */
	make_sam_cert(f->root, CA_ID, "SAM0000001", 2, "20240101", "20341231", f->sam_pub, 2, c);
	assert_int_equal(hc_cert_sam_verify(c, 190, f->trust, "20250601", NULL), HC_ERR_CERTIFICATE);
	make_sam_cert(f->root, CA_ID, "SAM0000001", 7, "20240101", "20341231", f->sam_pub, 1, c);
	assert_int_equal(hc_cert_sam_verify(c, 190, f->trust, "20250601", NULL), HC_ERR_CERTIFICATE);
	make_sam_cert(f->root, CA_ID, "SAM0000001", 2, "20341231", "20240101", f->sam_pub, 1, c);
	assert_int_equal(hc_cert_sam_verify(c, 190, f->trust, "20250601", NULL), HC_ERR_CERTIFICATE);
	make_sam_cert(f->root, CA_ID, "SAM0000001", 2, "20241301", "20341231", f->sam_pub, 1, c);
	assert_int_equal(hc_cert_sam_verify(c, 190, f->trust, "20250601", NULL), HC_ERR_CERTIFICATE);
	/* an empty trust */
	assert_int_equal(hc_trust_new(&t), HC_OK);
	assert_int_equal(hc_cert_sam_verify(f->cert, 190, t, "20250601", NULL), HC_ERR_CERTIFICATE);
	hc_trust_free(&t);
}

static void
test_issuer_cert(void **state)
{
	fixture_t *f = *state;
	uint8_t c[180];
	hc_cert_issuer_t ic;

	make_issuer_cert(f->root, "20200101", "20401231", f->other_pub, c);
	assert_int_equal(hc_cert_issuer_verify(c, 180, f->trust, "20250601", &ic), HC_OK);
	assert_string_equal(ic.issuer_code, "123456789012");
	assert_memory_equal(ic.pub, f->other_pub, 64);
	c[10] ^= 0x10;
	assert_int_equal(hc_cert_issuer_verify(c, 180, f->trust, "20250601", NULL), HC_ERR_CERTIFICATE);
	make_issuer_cert(f->root, "20200101", "20201231", f->other_pub, c);
	assert_int_equal(hc_cert_issuer_verify(c, 180, f->trust, "20250601", NULL), HC_ERR_CERTIFICATE);
	/* a SAM certificate is no issuer certificate */
	assert_int_equal(hc_cert_issuer_verify(f->cert, 190, f->trust, "20250601", NULL),
	                 HC_ERR_CERTIFICATE);
}

static void
test_record_signature(void **state)
{
	fixture_t *f = *state;
	static const char card_no[] = "11010519491231002X";
	uint8_t data[HC_VISIT_OUTPATIENT_LEN], manual[18 + 2 + HC_VISIT_OUTPATIENT_LEN];
	uint8_t built[HC_VISIT_SIGNED_MAX], e[32], sig[64], bad[64], cert2[190];
	size_t n = 0;
	hc_cert_sam_t signer;

	assert_int_equal(RAND_bytes(data, sizeof(data)), 1);
	/* signed bytes written out by hand: card number (18) || FID ED02 || data */
	memcpy(manual, card_no, 18);
	manual[18] = 0xED;
	manual[19] = 0x02;
	memcpy(manual + 20, data, sizeof(data));
	assert_int_equal(hc_visit_fid(HC_VISIT_OUTPATIENT, 2), 0xED02);
	assert_int_equal(hc_visit_fid(HC_VISIT_INPATIENT, 3), 0xEE03);
	assert_int_equal(hc_visit_fid(HC_VISIT_INPATIENT, 4), 0);
	assert_int_equal(hc_visit_signed_bytes(card_no, 0xED02, data, sizeof(data), built,
	                                       sizeof(built), &n), HC_OK);
	assert_int_equal(n, sizeof(manual));
	assert_memory_equal(built, manual, n);
	assert_int_equal(hc_visit_signed_bytes(card_no, 0xED02, data, sizeof(data), built, 100, &n),
	                 HC_ERR_BUFFER_TOO_SMALL);

	/* the SAM's signature, made with EVP */
	sm3(manual, sizeof(manual), e);
	sign_e(f->sam, e, sig);
	assert_int_equal(hc_visit_verify(card_no, 0xED02, data, sizeof(data), sig, f->cert,
	                                 f->trust, "20250601", &signer), HC_OK);
	assert_string_equal(signer.serial, "SAM0000001");
	/* copied to another card, to another slot, data or signature changed */
	assert_int_equal(hc_visit_verify("110105194912310038", 0xED02, data, sizeof(data), sig,
	                                 f->cert, f->trust, "20250601", NULL), HC_ERR_SIGNATURE);
	assert_int_equal(hc_visit_verify(card_no, 0xED03, data, sizeof(data), sig, f->cert,
	                                 f->trust, "20250601", NULL), HC_ERR_SIGNATURE);
	data[3000] ^= 0x80;
	assert_int_equal(hc_visit_verify(card_no, 0xED02, data, sizeof(data), sig, f->cert,
	                                 f->trust, "20250601", NULL), HC_ERR_SIGNATURE);
	data[3000] ^= 0x80;
	memcpy(bad, sig, 64);
	bad[63] ^= 0x01;
	assert_int_equal(hc_visit_verify(card_no, 0xED02, data, sizeof(data), bad, f->cert,
	                                 f->trust, "20250601", NULL), HC_ERR_SIGNATURE);
	/* signature by a key that is not the certificate's */
	sign_e(f->other, e, bad);
	assert_int_equal(hc_visit_verify(card_no, 0xED02, data, sizeof(data), bad, f->cert,
	                                 f->trust, "20250601", NULL), HC_ERR_SIGNATURE);
	/* a good signature under a certificate from an untrusted root */
	make_sam_cert(f->other, CA_ID, "SAM0000001", 2, "20240101", "20341231", f->sam_pub, 1, cert2);
	assert_int_equal(hc_visit_verify(card_no, 0xED02, data, sizeof(data), sig, cert2,
	                                 f->trust, "20250601", NULL), HC_ERR_CERTIFICATE);
	/* expired SAM certificate */
	assert_int_equal(hc_visit_verify(card_no, 0xED02, data, sizeof(data), sig, f->cert,
	                                 f->trust, "20400101", NULL), HC_ERR_CERTIFICATE);
}

static void
test_trust_file(void **state)
{
	fixture_t *f = *state;
	char path[] = "/tmp/hc-visit-trust-XXXXXX", hex[129];
	hc_trust_t *t = NULL;
	FILE *fp;
	int fd;
	size_t i;

	for (i = 0; i < 64; i++)
		snprintf(hex + 2 * i, 3, "%02X", f->root_pub[i]);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fprintf(fp, "# national root\n\n43413031 %s\n", hex);
	fclose(fp);
	assert_int_equal(hc_trust_new(&t), HC_OK);
	assert_int_equal(hc_trust_load(t, path), HC_OK);
	assert_non_null(hc_trust_find(t, CA_ID));
	assert_memory_equal(hc_trust_find(t, CA_ID), f->root_pub, 64);
	assert_int_equal(hc_cert_sam_verify(f->cert, 190, t, "20250601", NULL), HC_OK);
	/* malformed: short key */
	fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "43413031 %.*s\n", 126, hex);
	fclose(fp);
	assert_int_equal(hc_trust_load(t, path), HC_ERR_CONFIG);
	/* a key-set file: ca.id / ca.pub lines, other keys skipped */
	hc_trust_free(&t);
	assert_int_equal(hc_trust_new(&t), HC_OK);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "# IRK DDF1\nmk.01 2600BC28BF850376030419DDBBB09893\nca.id 43413031\n"
	        "ca.priv 00\nca.pub %s\n", hex);
	fclose(fp);
	assert_int_equal(hc_trust_load(t, path), HC_OK);
	assert_memory_equal(hc_trust_find(t, CA_ID), f->root_pub, 64);
	/* ca.id without ca.pub: no root key */
	fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "ca.id 43413031\n");
	fclose(fp);
	assert_int_equal(hc_trust_load(t, path), HC_ERR_CONFIG);
	/* unreadable (a directory), missing */
	assert_int_equal(hc_trust_load(t, "/"), HC_ERR_IO);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(hc_trust_load(t, path), HC_ERR_CONFIG);
	hc_trust_free(&t);
}

/* The demo key set's issuer certificate, made by the simulator's own code (sim/cert.c,
 * crypto-sam), verifies under its root: the two implementations of §5 agree. */
static void
test_demo_keyset_issuer(void **state)
{
	const char *top = getenv("top_srcdir");
	char path[1024], line[1024], name[64], value[512], hex[512] = "";
	uint8_t cert[180];
	hc_trust_t *t = NULL;
	hc_cert_issuer_t ic;
	FILE *f;
	int found = 0;

	(void)state;
	if (top == NULL)
		top = "..";
	snprintf(path, sizeof(path), "%s/sim/demo.keyset", top);
	assert_int_equal(hc_trust_new(&t), HC_OK);
	assert_int_equal(hc_trust_load(t, path), HC_OK);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%63s %511s", name, value) == 2 && strcmp(name, "issuer.cert") == 0) {
			memcpy(hex, value, sizeof(hex));
			found = 1;
		}
	fclose(f);
	assert_true(found);
	assert_int_equal(strlen(hex), 360);
	for (size_t i = 0; i < 180; i++) {
		unsigned v;
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		cert[i] = (uint8_t)v;
	}
	/* valid for 20 years from the key set's generation date */
	assert_int_equal(hc_cert_issuer_parse(cert, 180, &ic), HC_OK);
	assert_int_equal(hc_cert_issuer_verify(cert, 180, t, ic.not_before, NULL), HC_OK);
	assert_int_equal(hc_cert_issuer_verify(cert, 180, t, ic.not_after, NULL), HC_OK);
	cert[100] ^= 1;
	assert_int_equal(hc_cert_issuer_verify(cert, 180, t, ic.not_before, NULL), HC_ERR_CERTIFICATE);
	hc_trust_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sam_cert_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sam_cert_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_issuer_cert, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_signature, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trust_file, setup, teardown),
		cmocka_unit_test(test_demo_keyset_issuer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
