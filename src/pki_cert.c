/*
 * libhcard: the issuer's X.509 v3 certificates of the card's PKI keys (pki.md "Certificates"):
 * subject CN = the cardholder's name (UTF-8), serialNumber = the card number; key 01 with
 * keyUsage digitalSignature, key 02 with keyUsage nonRepudiation; signed by the issuer CA
 * (PEM key and certificate files): ecdsa-with-SHA256 by an EC CA, SM2-with-SM3 with Z over
 * the default user ID 1234567812345678 by an SM2 CA. OpenSSL 3.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "apdu/log.h"
#include "hcard_pki.h"

/* GB/T 32918.2 default user ID (pki.md): Z of the CA's SM2 signature */
static const char sm2_default_id[] = "1234567812345678";

/* What each key's certificate looks like. Data, not code. */
typedef struct cert_kind {
	int key;
	const char *group;          /* the card key's curve */
	const char *keytype;        /* EVP key type to import it */
	const char *key_usage;
} cert_kind_t;

static const cert_kind_t kinds[] = {
	{ HC_PKI_KEY_AUTH, "prime256v1", "EC", "critical,digitalSignature" },
	{ HC_PKI_KEY_SIGN, "SM2", "SM2", "critical,nonRepudiation" },
};

static const cert_kind_t *
kind_of(int key)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].key == key)
			return &kinds[i];
	return NULL;
}

/* The card's public key X || Y as an EVP_PKEY on the key's curve. */
static EVP_PKEY *
card_pkey(const cert_kind_t *k, const uint8_t pub[64])
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	uint8_t enc[65];

	enc[0] = 0x04;
	memcpy(enc + 1, pub, 64);
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, k->group, 0) != 1 ||
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, enc, sizeof(enc)) != 1 ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, k->keytype, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

static int
load_ca(const char *key_path, const char *cert_path, EVP_PKEY **key, X509 **cert)
{
	FILE *f;

	if ((f = fopen(key_path, "r")) == NULL) {
		hc_log_error("issuer CA key %s cannot be read", key_path);
		return HC_ERR_CONFIG;
	}
	*key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (*key == NULL) {
		hc_log_error("issuer CA key %s: no PEM private key", key_path);
		return HC_ERR_CONFIG;
	}
	if ((f = fopen(cert_path, "r")) == NULL) {
		hc_log_error("issuer CA certificate %s cannot be read", cert_path);
		return HC_ERR_CONFIG;
	}
	*cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (*cert == NULL) {
		hc_log_error("issuer CA certificate %s: no PEM certificate", cert_path);
		return HC_ERR_CONFIG;
	}
	if (X509_check_private_key(*cert, *key) != 1) {
		hc_log_error("issuer CA key %s does not match the certificate %s", key_path, cert_path);
		return HC_ERR_CONFIG;
	}
	return HC_OK;
}

static int
add_ext(X509 *x, X509 *ca, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&v3, ca, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value)) == NULL)
		return -1;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok == 1 ? 0 : -1;
}

/* ecdsa-with-SHA256 (EC CA) or SM2-with-SM3 with Z over the default ID (SM2 CA) */
static int
sign_cert(X509 *x, EVP_PKEY *ca_key)
{
	EVP_MD_CTX *md = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	int sm2 = EVP_PKEY_is_a(ca_key, "SM2"), ret = -1;

	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(md, &pctx, sm2 ? EVP_sm3() : EVP_sha256(), NULL, ca_key) != 1)
		goto out;
	if (sm2 && EVP_PKEY_CTX_set1_id(pctx, sm2_default_id, sizeof(sm2_default_id) - 1) != 1)
		goto out;
	if (X509_sign_ctx(x, md) <= 0)
		goto out;
	ret = 0;
out:
	EVP_MD_CTX_free(md);
	return ret;
}

int
hc_pki_make_certificate(int key, const uint8_t pub[64], const char *name,
    const char *card_number, const char *ca_key_path, const char *ca_cert_path,
    unsigned int days, uint8_t *der, size_t cap, size_t *len)
{
	const cert_kind_t *k = kind_of(key);
	EVP_PKEY *ca_key = NULL, *pkey = NULL;
	X509 *ca = NULL, *x = NULL;
	X509_NAME *subj = NULL;
	ASN1_INTEGER *serial = NULL;
	BIGNUM *bn = NULL;
	unsigned char *p;
	uint8_t rnd[16];
	int n, rc = HC_ERR_CERTIFICATE;

	if (k == NULL || pub == NULL || name == NULL || name[0] == '\0' || card_number == NULL ||
	    card_number[0] == '\0' || ca_key_path == NULL || ca_cert_path == NULL || days == 0 ||
	    days > 36500 || der == NULL || len == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	*len = 0;
	if ((rc = load_ca(ca_key_path, ca_cert_path, &ca_key, &ca)) != HC_OK)
		goto out;
	rc = HC_ERR_CERTIFICATE;
	/* pki.md: an SM2 certificate is signed with SM2-with-SM3 */
	if (key == HC_PKI_KEY_SIGN && !EVP_PKEY_is_a(ca_key, "SM2")) {
		hc_log_error("key 02's certificate needs an SM2 issuer CA (%s is not SM2)", ca_key_path);
		rc = HC_ERR_CONFIG;
		goto out;
	}
	if ((pkey = card_pkey(k, pub)) == NULL) {
		hc_log_error("key %02X: the card's public key is not a point of %s", key, k->group);
		rc = HC_ERR_CERTIFICATE;
		goto out;
	}
	/* a random positive 128-bit serial (RFC 5280: at most 20 octets, unpredictable) */
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		goto out;
	rnd[0] = (uint8_t)((rnd[0] & 0x7F) | 0x01);
	if ((x = X509_new()) == NULL || X509_set_version(x, 2) != 1 ||
	    (bn = BN_bin2bn(rnd, sizeof(rnd), NULL)) == NULL ||
	    (serial = BN_to_ASN1_INTEGER(bn, NULL)) == NULL || X509_set_serialNumber(x, serial) != 1 ||
	    X509_set_issuer_name(x, X509_get_subject_name(ca)) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), (int)days, 0, NULL) == NULL ||
	    X509_set_pubkey(x, pkey) != 1)
		goto out;
	if ((subj = X509_NAME_new()) == NULL ||
	    X509_NAME_add_entry_by_NID(subj, NID_commonName, MBSTRING_UTF8,
	        (const unsigned char *)name, -1, -1, 0) != 1 ||
	    X509_NAME_add_entry_by_NID(subj, NID_serialNumber, MBSTRING_ASC,
	        (const unsigned char *)card_number, -1, -1, 0) != 1 ||
	    X509_set_subject_name(x, subj) != 1) {
		hc_log_error("certificate subject: name or card number not encodable");
		rc = HC_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if (add_ext(x, ca, NID_basic_constraints, "critical,CA:FALSE") != 0 ||
	    add_ext(x, ca, NID_key_usage, k->key_usage) != 0 ||
	    add_ext(x, ca, NID_subject_key_identifier, "hash") != 0 ||
	    add_ext(x, ca, NID_authority_key_identifier,
	        X509_get0_subject_key_id(ca) != NULL ? "keyid" : "issuer") != 0) {
		hc_log_error("certificate extensions failed");
		goto out;
	}
	if (sign_cert(x, ca_key) != 0) {
		hc_log_error("the issuer CA's signature of the certificate failed");
		goto out;
	}
	if ((n = i2d_X509(x, NULL)) <= 0)
		goto out;
	if ((size_t)n > cap || (size_t)n > HC_PKI_CERT_MAX) {
		hc_log_error("certificate of %d bytes does not fit (%zu)", n, cap);
		rc = HC_ERR_BUFFER_TOO_SMALL;
		goto out;
	}
	p = der;
	if (i2d_X509(x, &p) != n)
		goto out;
	*len = (size_t)n;
	rc = HC_OK;
out:
	X509_NAME_free(subj);
	ASN1_INTEGER_free(serial);
	BN_free(bn);
	X509_free(x);
	X509_free(ca);
	EVP_PKEY_free(ca_key);   /* OpenSSL clears private key material when freeing */
	EVP_PKEY_free(pkey);
	return rc;
}
