/*
 * SM2 and P-256 over raw keys, cross-checked against OpenSSL EVP used directly here: our
 * signatures verify with EVP, EVP's verify with ours, and hc_sm2_z matches the Z that
 * OpenSSL's SM2 digest-sign adds (default ID 1234567812345678); and the published example of
 * GB/T 32918.5 annex A (public key, Z, e, signature).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "crypto/crypto.h"

/* An EVP key built here from the raw parts, independently of crypto/. */
static EVP_PKEY *
evp_key(const char *type, const char *group, const uint8_t *priv, const uint8_t pub[64])
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params;
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *pkey = NULL;
	BIGNUM *d = NULL;
	uint8_t enc[65];

	enc[0] = 4;
	memcpy(enc + 1, pub, 64);
	assert_non_null(bld);
	assert_int_equal(OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	                                                 group, 0), 1);
	assert_int_equal(OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, enc, 65), 1);
	if (priv != NULL) {
		d = BN_bin2bn(priv, 32, NULL);
		assert_int_equal(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d), 1);
	}
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	assert_non_null(ctx);
	assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
	assert_int_equal(EVP_PKEY_fromdata(ctx, &pkey, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
	                                   params), 1);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(d);
	return pkey;
}

static void
raw_to_der(const uint8_t sig[64], unsigned char **der, size_t *len)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	int n;

	assert_int_equal(ECDSA_SIG_set0(es, BN_bin2bn(sig, 32, NULL), BN_bin2bn(sig + 32, 32, NULL)),
	                 1);
	*der = NULL;
	n = i2d_ECDSA_SIG(es, der);
	assert_true(n > 0);
	*len = (size_t)n;
	ECDSA_SIG_free(es);
}

static void
der_to_raw(const unsigned char *der, size_t len, uint8_t sig[64])
{
	const unsigned char *p = der;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)len);
	const BIGNUM *r, *s;

	assert_non_null(es);
	ECDSA_SIG_get0(es, &r, &s);
	assert_int_equal(BN_bn2binpad(r, sig, 32), 32);
	assert_int_equal(BN_bn2binpad(s, sig + 32, 32), 32);
	ECDSA_SIG_free(es);
}

static int
evp_verify_raw(EVP_PKEY *pkey, const uint8_t e[32], const uint8_t sig[64])
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	unsigned char *der;
	size_t len;
	int ok;

	raw_to_der(sig, &der, &len);
	assert_int_equal(EVP_PKEY_verify_init(ctx), 1);
	ok = EVP_PKEY_verify(ctx, der, len, e, 32);
	OPENSSL_free(der);
	EVP_PKEY_CTX_free(ctx);
	return ok;
}

static void
evp_sign_raw(EVP_PKEY *pkey, const uint8_t e[32], uint8_t sig[64])
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	unsigned char der[80];
	size_t len = sizeof(der);

	assert_int_equal(EVP_PKEY_sign_init(ctx), 1);
	assert_int_equal(EVP_PKEY_sign(ctx, der, &len, e, 32), 1);
	der_to_raw(der, len, sig);
	EVP_PKEY_CTX_free(ctx);
}

static void
test_sm2_round_trip(void **state)
{
	uint8_t priv[32], pub[64], pub2[64], e[32], sig[64];

	(void)state;
	assert_int_equal(hc_sm2_keygen(priv, pub), 0);
	assert_int_equal(hc_sm2_pub_from_priv(priv, pub2), 0);
	assert_memory_equal(pub, pub2, 64);
	assert_int_equal(hc_sm3((const uint8_t *)"message", 7, e), 0);
	assert_int_equal(hc_sm2_sign_e(priv, e, sig), 0);
	assert_int_equal(hc_sm2_verify_e(pub, e, sig), 0);
	e[0] ^= 1;
	assert_int_equal(hc_sm2_verify_e(pub, e, sig), -1);
	e[0] ^= 1;
	sig[40] ^= 0x80;
	assert_int_equal(hc_sm2_verify_e(pub, e, sig), -1);
	memset(sig, 0, 64);
	assert_int_equal(hc_sm2_verify_e(pub, e, sig), -1);
}

static void
test_sm2_cross_evp(void **state)
{
	uint8_t priv[32], pub[64], e[32], sig[64];
	EVP_PKEY *pkey;

	(void)state;
	assert_int_equal(hc_sm2_keygen(priv, pub), 0);
	pkey = evp_key("SM2", "SM2", priv, pub);
	assert_int_equal(hc_sm3((const uint8_t *)"cross-check", 11, e), 0);

	assert_int_equal(hc_sm2_sign_e(priv, e, sig), 0);
	assert_int_equal(evp_verify_raw(pkey, e, sig), 1);

	evp_sign_raw(pkey, e, sig);
	assert_int_equal(hc_sm2_verify_e(pub, e, sig), 0);
	EVP_PKEY_free(pkey);
}

static void
test_sm2_bad_private_key(void **state)
{
	uint8_t zero[32] = { 0 }, ff[32], pub[64];

	(void)state;
	memset(ff, 0xFF, sizeof(ff)); /* above the order */
	assert_int_equal(hc_sm2_pub_from_priv(zero, pub), -1);
	assert_int_equal(hc_sm2_pub_from_priv(ff, pub), -1);
}

/* OpenSSL's SM2 DigestSign hashes Z || M; verify its signature with e = SM3(Z || M). */
static void
test_sm2_z_matches_openssl(void **state)
{
	static const char id[] = "1234567812345678";
	static const uint8_t msg[] = "hcard consent text";
	uint8_t priv[32], pub[64], z[32], zm[32 + sizeof(msg)], e[32], sig[64];
	unsigned char der[80];
	size_t len = sizeof(der);
	EVP_PKEY *pkey;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "SM2", NULL);

	(void)state;
	assert_int_equal(hc_sm2_keygen(priv, pub), 0);
	pkey = evp_key("SM2", "SM2", priv, pub);
	EVP_PKEY_CTX_free(pctx);
	pctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	assert_int_equal(EVP_PKEY_CTX_set1_id(pctx, id, 16), 1);
	EVP_MD_CTX_set_pkey_ctx(md, pctx);
	assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sm3(), NULL, pkey), 1);
	assert_int_equal(EVP_DigestSign(md, der, &len, msg, sizeof(msg)), 1);
	der_to_raw(der, len, sig);

	assert_int_equal(hc_sm2_z(pub, NULL, 0, z), 0);
	memcpy(zm, z, 32);
	memcpy(zm + 32, msg, sizeof(msg));
	assert_int_equal(hc_sm3(zm, sizeof(zm), e), 0);
	assert_int_equal(hc_sm2_verify_e(pub, e, sig), 0);

	/* an explicit id equal to the default gives the same Z; another id does not verify */
	assert_int_equal(hc_sm2_z(pub, (const uint8_t *)id, 16, zm), 0);
	assert_memory_equal(zm, z, 32);
	assert_int_equal(hc_sm2_z(pub, (const uint8_t *)"ALICE123@YAHOO.COM", 18, z), 0);
	memcpy(zm, z, 32);
	memcpy(zm + 32, msg, sizeof(msg));
	assert_int_equal(hc_sm3(zm, sizeof(zm), e), 0);
	assert_int_equal(hc_sm2_verify_e(pub, e, sig), -1);

	EVP_MD_CTX_free(md);
	EVP_PKEY_CTX_free(pctx);
	EVP_PKEY_free(pkey);
}

static void
unhex(const char *h, uint8_t *out, size_t n)
{
	size_t i;
	unsigned v;

	for (i = 0; i < n; i++) {
		assert_int_equal(sscanf(h + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

/* GB/T 32918.5 (GM/T 0003.5) annex A, recommended curve: key pair, Z with the default ID,
 * e = SM3(Z || "message digest") and the published signature (r, s). */
static void
test_sm2_gbt32918_example(void **state)
{
	static const char msg[] = "message digest";
	uint8_t d[32], pub[64], exp_pub[64], z[32], exp_z[32], zm[32 + sizeof(msg) - 1], e[32];
	uint8_t exp_e[32], sig[64];

	(void)state;
	unhex("3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8", d, 32);
	unhex("09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
	      "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13", exp_pub, 64);
	unhex("B2E14C5C79C6DF5B85F4FE7ED8DB7A262B9DA7E07CCB0EA9F4747B8CCDA8A4F3", exp_z, 32);
	unhex("F0B43E94BA45ACCAACE692ED534382EB17E6AB5A19CE7B31F4486FDFC0D28640", exp_e, 32);
	unhex("F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3"
	      "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA", sig, 64);

	assert_int_equal(hc_sm2_pub_from_priv(d, pub), 0);
	assert_memory_equal(pub, exp_pub, 64);
	assert_int_equal(hc_sm2_z(pub, NULL, 0, z), 0);
	assert_memory_equal(z, exp_z, 32);
	memcpy(zm, z, 32);
	memcpy(zm + 32, msg, sizeof(msg) - 1);
	assert_int_equal(hc_sm3(zm, sizeof(zm), e), 0);
	assert_memory_equal(e, exp_e, 32);
	assert_int_equal(hc_sm2_verify_e(pub, e, sig), 0);
	sig[63] ^= 1;
	assert_int_equal(hc_sm2_verify_e(pub, e, sig), -1);
	sig[63] ^= 1;
	/* our own signature with the published key verifies too (random k, so not equal) */
	assert_int_equal(hc_sm2_sign_e(d, e, sig), 0);
	assert_int_equal(hc_sm2_verify_e(pub, e, sig), 0);
}

static void
test_p256_cross_evp(void **state)
{
	uint8_t priv[32], pub[64], h[32], sig[64];
	EVP_PKEY *pkey;
	unsigned int n = 0;

	(void)state;
	assert_int_equal(hc_p256_keygen(priv, pub), 0);
	pkey = evp_key("EC", "prime256v1", priv, pub);
	assert_int_equal(EVP_Digest("abc", 3, h, &n, EVP_sha256(), NULL), 1);

	assert_int_equal(hc_p256_sign(priv, h, sig), 0);
	assert_int_equal(hc_p256_verify(pub, h, sig), 0);
	assert_int_equal(evp_verify_raw(pkey, h, sig), 1);
	evp_sign_raw(pkey, h, sig);
	assert_int_equal(hc_p256_verify(pub, h, sig), 0);
	h[31] ^= 1;
	assert_int_equal(hc_p256_verify(pub, h, sig), -1);
	/* an SM2 key does not verify a P-256 signature */
	assert_int_equal(hc_sm2_verify_e(pub, h, sig), -1);
	EVP_PKEY_free(pkey);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sm2_round_trip),
		cmocka_unit_test(test_sm2_cross_evp),
		cmocka_unit_test(test_sm2_bad_private_key),
		cmocka_unit_test(test_sm2_z_matches_openssl),
		cmocka_unit_test(test_sm2_gbt32918_example),
		cmocka_unit_test(test_p256_cross_evp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
