/*
 * hc_pki_make_certificate (src/pki_cert.c) without a card: certificates for keys made here
 * with OpenSSL EVP, checked with OpenSSL (X509_verify against the CA, subject, key usage,
 * public key), and the errors: CA files missing or not matching, an EC CA for the SM2 key,
 * a public key not on the curve, a name that is not UTF-8, a buffer too small.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "hcard.h"
#include "hcard_pki.h"

typedef struct fixture {
	char dir[64];
	char p256_key[96], p256_crt[96], sm2_key[96], sm2_crt[96];
} fixture_t;

static const char holder[] = "\xE5\xBC\xA0\xE4\xB8\x89";   /* 张三 */
static const char number[] = "110101199003071233";

static EVP_PKEY *
new_key(int sm2)
{
	return sm2 ? EVP_PKEY_Q_keygen(NULL, NULL, "SM2") :
	    EVP_PKEY_Q_keygen(NULL, NULL, "EC", "prime256v1");
}

/* X || Y of an EC / SM2 key */
static void
raw_pub(EVP_PKEY *k, uint8_t pub[64])
{
	uint8_t enc[65];
	size_t len = 0;

	assert_int_equal(EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, enc,
	    sizeof(enc), &len), 1);
	assert_int_equal(len, 65);
	memcpy(pub, enc + 1, 64);
}

/* a self-signed CA (SM2: SM2-with-SM3 with the default ID) into key / crt PEM files */
static void
make_ca(int sm2, const char *key_path, const char *crt_path)
{
	EVP_PKEY *k = new_key(sm2);
	X509 *x = X509_new();
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	FILE *f;

	assert_non_null(k);
	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
	    (const unsigned char *)(sm2 ? "test SM2 CA" : "test P-256 CA"), -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600L * 24 * 365);
	X509_set_pubkey(x, k);
	assert_int_equal(EVP_DigestSignInit(md, &pctx, sm2 ? EVP_sm3() : EVP_sha256(), NULL, k), 1);
	if (sm2)
		assert_int_equal(EVP_PKEY_CTX_set1_id(pctx, "1234567812345678", 16), 1);
	assert_true(X509_sign_ctx(x, md) > 0);
	assert_non_null(f = fopen(key_path, "w"));
	assert_int_equal(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL), 1);
	fclose(f);
	assert_non_null(f = fopen(crt_path, "w"));
	assert_int_equal(PEM_write_X509(f, x), 1);
	fclose(f);
	EVP_MD_CTX_free(md);
	X509_free(x);
	EVP_PKEY_free(k);
}

static X509 *
read_ca(const char *crt_path)
{
	FILE *f = fopen(crt_path, "r");
	X509 *x;

	assert_non_null(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(x);
	return x;
}

static int
setup(void **state)
{
	fixture_t *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/hc-pki-cert-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->p256_key, sizeof(f->p256_key), "%s/p256.key", f->dir);
	snprintf(f->p256_crt, sizeof(f->p256_crt), "%s/p256.crt", f->dir);
	snprintf(f->sm2_key, sizeof(f->sm2_key), "%s/sm2.key", f->dir);
	snprintf(f->sm2_crt, sizeof(f->sm2_crt), "%s/sm2.crt", f->dir);
	make_ca(0, f->p256_key, f->p256_crt);
	make_ca(1, f->sm2_key, f->sm2_crt);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	fixture_t *f = *state;

	unlink(f->p256_key);
	unlink(f->p256_crt);
	unlink(f->sm2_key);
	unlink(f->sm2_crt);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* the certificate verifies under the CA (SM2: with the default ID), has the subject, the
 * key usage and the public key asked for */
static void
check_cert(const uint8_t *der, size_t len, const char *ca_crt, int sm2_ca, EVP_PKEY *card,
    uint32_t want_ku)
{
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len), *ca = read_ca(ca_crt);
	X509_NAME *subj;
	char buf[128];
	unsigned char *cn = NULL;
	int n;

	assert_non_null(x);
	assert_int_equal(X509_get_version(x), 2);
	if (sm2_ca) {
		/* Z over the default ID: X509_verify uses the certificate's distinguishing ID */
		ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
		assert_non_null(os);
		assert_int_equal(ASN1_OCTET_STRING_set(os, (const unsigned char *)"1234567812345678", 16), 1);
		X509_set0_distinguishing_id(x, os);
		assert_int_equal(X509_get_signature_nid(x), NID_SM2_with_SM3);
	} else {
		assert_int_equal(X509_get_signature_nid(x), NID_ecdsa_with_SHA256);
	}
	assert_int_equal(X509_verify(x, X509_get0_pubkey(ca)), 1);
	assert_int_equal(X509_check_issued(ca, x), X509_V_OK);
	subj = X509_get_subject_name(x);
	n = X509_NAME_get_index_by_NID(subj, NID_commonName, -1);
	assert_true(n >= 0);
	assert_true(ASN1_STRING_to_UTF8(&cn, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, n))) > 0);
	assert_string_equal((char *)cn, holder);
	OPENSSL_free(cn);
	assert_true(X509_NAME_get_text_by_NID(subj, NID_serialNumber, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, number);
	assert_int_equal(X509_get_key_usage(x), want_ku);
	assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(x), card), 1);
	X509_free(x);
	X509_free(ca);
}

static void
test_both_keys(void **state)
{
	fixture_t *f = *state;
	EVP_PKEY *k1 = new_key(0), *k2 = new_key(1);
	uint8_t pub1[64], pub2[64], der[HC_PKI_CERT_MAX];
	size_t len = 0;

	raw_pub(k1, pub1);
	raw_pub(k2, pub2);
	assert_int_equal(hc_pki_make_certificate(HC_PKI_KEY_AUTH, pub1, holder, number, f->p256_key,
	    f->p256_crt, 365, der, sizeof(der), &len), HC_OK);
	check_cert(der, len, f->p256_crt, 0, k1, KU_DIGITAL_SIGNATURE);
	assert_int_equal(hc_pki_make_certificate(HC_PKI_KEY_SIGN, pub2, holder, number, f->sm2_key,
	    f->sm2_crt, 365, der, sizeof(der), &len), HC_OK);
	check_cert(der, len, f->sm2_crt, 1, k2, KU_NON_REPUDIATION);
	/* an SM2 CA may also certify key 01 (one CA for both) */
	assert_int_equal(hc_pki_make_certificate(HC_PKI_KEY_AUTH, pub1, holder, number, f->sm2_key,
	    f->sm2_crt, 365, der, sizeof(der), &len), HC_OK);
	check_cert(der, len, f->sm2_crt, 1, k1, KU_DIGITAL_SIGNATURE);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
}

static void
test_errors(void **state)
{
	fixture_t *f = *state;
	EVP_PKEY *k1 = new_key(0), *k2 = new_key(1);
	uint8_t pub1[64], pub2[64], bad[64], der[HC_PKI_CERT_MAX];
	size_t len = 0;

	raw_pub(k1, pub1);
	raw_pub(k2, pub2);
	/* key 02 needs an SM2 CA (pki.md: SM2-with-SM3) */
	assert_int_equal(hc_pki_make_certificate(HC_PKI_KEY_SIGN, pub2, holder, number, f->p256_key,
	    f->p256_crt, 365, der, sizeof(der), &len), HC_ERR_CONFIG);
	/* CA key and certificate that do not belong together */
	assert_int_equal(hc_pki_make_certificate(HC_PKI_KEY_AUTH, pub1, holder, number, f->sm2_key,
	    f->p256_crt, 365, der, sizeof(der), &len), HC_ERR_CONFIG);
	/* missing file; a certificate where the key should be */
	assert_int_equal(hc_pki_make_certificate(HC_PKI_KEY_AUTH, pub1, holder, number,
	    "/nonexistent/ca.key", f->p256_crt, 365, der, sizeof(der), &len), HC_ERR_CONFIG);
	assert_int_equal(hc_pki_make_certificate(HC_PKI_KEY_AUTH, pub1, holder, number, f->p256_crt,
	    f->p256_crt, 365, der, sizeof(der), &len), HC_ERR_CONFIG);
	/* a point not on the curve; the P-256 key given as key 02 (not on the SM2 curve) */
	memcpy(bad, pub1, 64);
	bad[63] ^= 0x01;
	assert_int_equal(hc_pki_make_certificate(HC_PKI_KEY_AUTH, bad, holder, number, f->p256_key,
	    f->p256_crt, 365, der, sizeof(der), &len), HC_ERR_CERTIFICATE);
	assert_int_equal(hc_pki_make_certificate(HC_PKI_KEY_SIGN, pub1, holder, number, f->sm2_key,
	    f->sm2_crt, 365, der, sizeof(der), &len), HC_ERR_CERTIFICATE);
	/* a name that is not UTF-8; no name; unknown key; zero days */
	assert_int_equal(hc_pki_make_certificate(HC_PKI_KEY_AUTH, pub1, "\xD5\xC5\xC8\xFD", number,
	    f->p256_key, f->p256_crt, 365, der, sizeof(der), &len), HC_ERR_INVALID_ARGUMENT);
	assert_int_equal(hc_pki_make_certificate(HC_PKI_KEY_AUTH, pub1, "", number, f->p256_key,
	    f->p256_crt, 365, der, sizeof(der), &len), HC_ERR_INVALID_ARGUMENT);
	assert_int_equal(hc_pki_make_certificate(3, pub1, holder, number, f->p256_key, f->p256_crt,
	    365, der, sizeof(der), &len), HC_ERR_INVALID_ARGUMENT);
	assert_int_equal(hc_pki_make_certificate(HC_PKI_KEY_AUTH, pub1, holder, number, f->p256_key,
	    f->p256_crt, 0, der, sizeof(der), &len), HC_ERR_INVALID_ARGUMENT);
	/* the buffer too small */
	assert_int_equal(hc_pki_make_certificate(HC_PKI_KEY_AUTH, pub1, holder, number, f->p256_key,
	    f->p256_crt, 365, der, 100, &len), HC_ERR_BUFFER_TOO_SMALL);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both_keys),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
