/*
 * SM2 (GB/T 32918) and ECDSA P-256 over raw keys: private d (32), public X || Y (64),
 * signatures r || s (64). The signing functions sign exactly the 32 bytes given (for SM2 the
 * value e, with no Z added: card-profile.md §5); hc_sm2_z computes Z for callers that need it.
 */
#include "config.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "apdu/log.h"
#include "crypto/crypto.h"
#include "crypto/x509.h"

/* The two curves, as data. */
typedef struct curve {
	const char *key_type;   /* EVP_PKEY type name */
	const char *group;      /* OSSL_PKEY_PARAM_GROUP_NAME */
	int nid;
} curve_t;

static const curve_t curve_sm2 = { "SM2", "SM2", NID_sm2 };
static const curve_t curve_p256 = { "EC", "prime256v1", NID_X9_62_prime256v1 };

/* pub (X || Y) from priv on the curve; also checks 0 < d < n. */
static int
pub_from_priv(const curve_t *c, const uint8_t priv[32], uint8_t pub[64])
{
	EC_GROUP *g = NULL;
	EC_POINT *p = NULL;
	BIGNUM *d = NULL;
	BN_CTX *bn = NULL;
	uint8_t enc[65];
	int ret = -1;

	if ((g = EC_GROUP_new_by_curve_name(c->nid)) == NULL || (p = EC_POINT_new(g)) == NULL ||
	    (bn = BN_CTX_secure_new()) == NULL || (d = BN_secure_new()) == NULL ||
	    BN_bin2bn(priv, 32, d) == NULL) {
		hc_log_error("allocation failed");
		goto out;
	}
	if (BN_is_zero(d) || BN_cmp(d, EC_GROUP_get0_order(g)) >= 0) {
		hc_log_error("private key out of range");
		goto out;
	}
	if (EC_POINT_mul(g, p, d, NULL, NULL, bn) != 1 ||
	    EC_POINT_point2oct(g, p, POINT_CONVERSION_UNCOMPRESSED, enc, sizeof(enc), bn) !=
	    sizeof(enc)) {
		hc_log_error("point multiplication failed");
		goto out;
	}
	memcpy(pub, enc + 1, 64);
	ret = 0;
out:
	BN_clear_free(d);
	BN_CTX_free(bn);
	EC_POINT_free(p);
	EC_GROUP_free(g);
	return ret;
}

/* An EVP_PKEY from raw parts: priv may be NULL (public key only). */
static EVP_PKEY *
pkey_from_raw(const curve_t *c, const uint8_t *priv, const uint8_t pub[64])
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *d = NULL;
	uint8_t enc[65];

	enc[0] = 0x04;
	memcpy(enc + 1, pub, 64);
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, c->group, 0) != 1 ||
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, enc, sizeof(enc)) != 1) {
		hc_log_error("parameter build failed");
		goto out;
	}
	if (priv != NULL) {
		if ((d = BN_secure_new()) == NULL || BN_bin2bn(priv, 32, d) == NULL ||
		    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) != 1) {
			hc_log_error("parameter build failed");
			goto out;
		}
	}
	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, c->key_type, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, priv != NULL ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
	                      params) != 1) {
		hc_log_error("%s key import failed", c->key_type);
		pkey = NULL;
		goto out;
	}
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params); /* priv params are cleared by the builder's secure BN */
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(d);
	return pkey;
}

EVP_PKEY *
hc_ec_public_pkey(int sm2, const uint8_t pub[64])
{
	if (pub == NULL)
		return NULL;
	return pkey_from_raw(sm2 ? &curve_sm2 : &curve_p256, NULL, pub);
}

static int
keygen(const curve_t *c, uint8_t priv[32], uint8_t pub[64])
{
	EVP_PKEY *pkey = NULL;
	BIGNUM *d = NULL;
	int ret = -1;

	if (priv == NULL || pub == NULL) {
		hc_log_error("bad argument");
		return -1;
	}
	if ((pkey = EVP_PKEY_Q_keygen(NULL, NULL, c->key_type, c->group)) == NULL &&
	    (pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", c->group)) == NULL) {
		hc_log_error("%s key generation failed", c->key_type);
		goto out;
	}
	if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d) != 1 ||
	    BN_bn2binpad(d, priv, 32) != 32) {
		hc_log_error("private key export failed");
		goto out;
	}
	if (pub_from_priv(c, priv, pub) != 0)
		goto out;
	ret = 0;
out:
	if (ret != 0 && priv != NULL)
		OPENSSL_cleanse(priv, 32);
	BN_clear_free(d);
	EVP_PKEY_free(pkey);
	return ret;
}

static int
sign_raw(const curve_t *c, const uint8_t priv[32], const uint8_t e[32], uint8_t sig[64])
{
	EVP_PKEY *pkey = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	ECDSA_SIG *es = NULL;
	const BIGNUM *r, *s;
	const unsigned char *p;
	uint8_t pub[64], der[80];
	size_t derlen = sizeof(der);
	int ret = -1;

	if (priv == NULL || e == NULL || sig == NULL) {
		hc_log_error("bad argument");
		return -1;
	}
	if (pub_from_priv(c, priv, pub) != 0 || (pkey = pkey_from_raw(c, priv, pub)) == NULL)
		goto out;
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL ||
	    EVP_PKEY_sign_init(ctx) != 1 || EVP_PKEY_sign(ctx, der, &derlen, e, 32) != 1) {
		hc_log_error("%s signature failed", c->key_type);
		goto out;
	}
	p = der;
	if ((es = d2i_ECDSA_SIG(NULL, &p, (long)derlen)) == NULL) {
		hc_log_error("signature decoding failed");
		goto out;
	}
	ECDSA_SIG_get0(es, &r, &s);
	if (BN_bn2binpad(r, sig, 32) != 32 || BN_bn2binpad(s, sig + 32, 32) != 32) {
		hc_log_error("signature encoding failed");
		goto out;
	}
	ret = 0;
out:
	ECDSA_SIG_free(es);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return ret;
}

static int
verify_raw(const curve_t *c, const uint8_t pub[64], const uint8_t e[32], const uint8_t sig[64])
{
	EVP_PKEY *pkey = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	ECDSA_SIG *es = NULL;
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *der = NULL;
	int derlen, ret = -1;

	if (pub == NULL || e == NULL || sig == NULL) {
		hc_log_error("bad argument");
		return -1;
	}
	if ((es = ECDSA_SIG_new()) == NULL || (r = BN_bin2bn(sig, 32, NULL)) == NULL ||
	    (s = BN_bin2bn(sig + 32, 32, NULL)) == NULL) {
		hc_log_error("allocation failed");
		goto out;
	}
	if (ECDSA_SIG_set0(es, r, s) != 1) {
		hc_log_error("allocation failed");
		goto out;
	}
	r = s = NULL; /* owned by es */
	if ((derlen = i2d_ECDSA_SIG(es, &der)) <= 0) {
		hc_log_error("signature encoding failed");
		goto out;
	}
	if ((pkey = pkey_from_raw(c, NULL, pub)) == NULL)
		goto out;
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL ||
	    EVP_PKEY_verify_init(ctx) != 1) {
		hc_log_error("verify init failed");
		goto out;
	}
	if (EVP_PKEY_verify(ctx, der, (size_t)derlen, e, 32) != 1) {
		hc_log_debug("%s signature does not verify", c->key_type);
		goto out;
	}
	ret = 0;
out:
	OPENSSL_free(der);
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return ret;
}

int
hc_sm2_keygen(uint8_t priv[32], uint8_t pub[64])
{
	return keygen(&curve_sm2, priv, pub);
}

int
hc_sm2_pub_from_priv(const uint8_t priv[32], uint8_t pub[64])
{
	if (priv == NULL || pub == NULL) {
		hc_log_error("bad argument");
		return -1;
	}
	return pub_from_priv(&curve_sm2, priv, pub);
}

int
hc_sm2_sign_e(const uint8_t priv[32], const uint8_t e[32], uint8_t sig[64])
{
	return sign_raw(&curve_sm2, priv, e, sig);
}

int
hc_sm2_verify_e(const uint8_t pub[64], const uint8_t e[32], const uint8_t sig[64])
{
	return verify_raw(&curve_sm2, pub, e, sig);
}

int
hc_sm2_z(const uint8_t pub[64], const uint8_t *id, size_t id_len, uint8_t z[32])
{
	static const uint8_t default_id[] = "1234567812345678";
	EVP_MD_CTX *md = NULL;
	EC_GROUP *g = NULL;
	BIGNUM *a = NULL, *b = NULL, *x = NULL, *y = NULL;
	uint8_t buf[32 * 4], entl[2];
	unsigned int n = 0;
	int ret = -1;

	if (pub == NULL || z == NULL || (id != NULL && id_len > 8191)) {
		hc_log_error("bad argument");
		return -1;
	}
	if (id == NULL) {
		id = default_id;
		id_len = sizeof(default_id) - 1;
	}
	entl[0] = (uint8_t)((id_len * 8) >> 8);
	entl[1] = (uint8_t)(id_len * 8);
	if ((g = EC_GROUP_new_by_curve_name(NID_sm2)) == NULL || (a = BN_new()) == NULL ||
	    (b = BN_new()) == NULL || (x = BN_new()) == NULL || (y = BN_new()) == NULL ||
	    EC_GROUP_get_curve(g, NULL, a, b, NULL) != 1 ||
	    EC_POINT_get_affine_coordinates(g, EC_GROUP_get0_generator(g), x, y, NULL) != 1 ||
	    BN_bn2binpad(a, buf, 32) != 32 || BN_bn2binpad(b, buf + 32, 32) != 32 ||
	    BN_bn2binpad(x, buf + 64, 32) != 32 || BN_bn2binpad(y, buf + 96, 32) != 32) {
		hc_log_error("curve parameters unavailable");
		goto out;
	}
	/* Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA) */
	if ((md = EVP_MD_CTX_new()) == NULL || EVP_DigestInit_ex(md, EVP_sm3(), NULL) != 1 ||
	    EVP_DigestUpdate(md, entl, 2) != 1 || EVP_DigestUpdate(md, id, id_len) != 1 ||
	    EVP_DigestUpdate(md, buf, sizeof(buf)) != 1 || EVP_DigestUpdate(md, pub, 64) != 1 ||
	    EVP_DigestFinal_ex(md, z, &n) != 1 || n != 32) {
		hc_log_error("SM3 failed");
		goto out;
	}
	ret = 0;
out:
	EVP_MD_CTX_free(md);
	BN_free(a);
	BN_free(b);
	BN_free(x);
	BN_free(y);
	EC_GROUP_free(g);
	return ret;
}

int
hc_p256_keygen(uint8_t priv[32], uint8_t pub[64])
{
	return keygen(&curve_p256, priv, pub);
}

int
hc_p256_sign(const uint8_t priv[32], const uint8_t hash[32], uint8_t sig[64])
{
	return sign_raw(&curve_p256, priv, hash, sig);
}

int
hc_p256_verify(const uint8_t pub[64], const uint8_t hash[32], const uint8_t sig[64])
{
	return verify_raw(&curve_p256, pub, hash, sig);
}
