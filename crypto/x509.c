/*
 * Card certificates (crypto/x509.h): one builder for the issuer side of libhcard and the
 * simulator's factory. OpenSSL 3.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "apdu/log.h"
#include "crypto/x509.h"
#include "hcard_err.h"

/* GB/T 32918.2 default user ID (pki.md): Z of the CA's SM2 signature */
static const char sm2_default_id[] = "1234567812345678";

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

/* Version 3, random positive 128-bit serial (RFC 5280: at most 20 octets, unpredictable),
 * issuer, validity, public key. */
static int
set_frame(X509 *x, X509 *ca, EVP_PKEY *pkey, unsigned int days)
{
	ASN1_INTEGER *serial = NULL;
	BIGNUM *bn = NULL;
	uint8_t rnd[16];
	int ret = -1;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return -1;
	rnd[0] = (uint8_t)((rnd[0] & 0x7F) | 0x01);
	if (X509_set_version(x, 2) == 1 && (bn = BN_bin2bn(rnd, sizeof(rnd), NULL)) != NULL &&
	    (serial = BN_to_ASN1_INTEGER(bn, NULL)) != NULL && X509_set_serialNumber(x, serial) == 1 &&
	    X509_set_issuer_name(x, X509_get_subject_name(ca)) == 1 &&
	    X509_gmtime_adj(X509_getm_notBefore(x), 0) != NULL &&
	    X509_time_adj_ex(X509_getm_notAfter(x), (int)days, 0, NULL) != NULL &&
	    X509_set_pubkey(x, pkey) == 1)
		ret = 0;
	ASN1_INTEGER_free(serial);
	BN_free(bn);
	return ret;
}

static int
set_subject(X509 *x, const char *cn, const char *serial_number)
{
	X509_NAME *subj;
	int ret = -1;

	if ((subj = X509_NAME_new()) == NULL)
		return -1;
	if (X509_NAME_add_entry_by_NID(subj, NID_commonName, MBSTRING_UTF8,
	        (const unsigned char *)cn, -1, -1, 0) == 1 &&
	    X509_NAME_add_entry_by_NID(subj, NID_serialNumber, MBSTRING_ASC,
	        (const unsigned char *)serial_number, -1, -1, 0) == 1 &&
	    X509_set_subject_name(x, subj) == 1)
		ret = 0;
	X509_NAME_free(subj);
	return ret;
}

int
hc_x509_issue(const hc_x509_leaf_t *leaf, const char *ca_key_path, const char *ca_cert_path,
              uint8_t *der, size_t cap, size_t *len)
{
	EVP_PKEY *ca_key = NULL, *pkey = NULL;
	X509 *ca = NULL, *x = NULL;
	unsigned char *p;
	int n, rc;

	if (leaf == NULL || leaf->pub == NULL || leaf->cn == NULL || leaf->cn[0] == '\0' ||
	    leaf->serial_number == NULL || leaf->serial_number[0] == '\0' ||
	    leaf->key_usage == NULL || ca_key_path == NULL || ca_cert_path == NULL ||
	    leaf->days == 0 || leaf->days > 36500 || der == NULL || len == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	*len = 0;
	if ((rc = load_ca(ca_key_path, ca_cert_path, &ca_key, &ca)) != HC_OK)
		goto out;
	/* pki.md: an SM2 certificate is signed with SM2-with-SM3 */
	if (leaf->sm2 && !EVP_PKEY_is_a(ca_key, "SM2")) {
		hc_log_error("an SM2 key's certificate needs an SM2 issuer CA (%s is not SM2)",
		             ca_key_path);
		rc = HC_ERR_CONFIG;
		goto out;
	}
	rc = HC_ERR_CERTIFICATE;
	if ((pkey = hc_ec_public_pkey(leaf->sm2, leaf->pub)) == NULL) {
		hc_log_error("the card's public key is not a point of %s", leaf->sm2 ? "SM2" : "P-256");
		goto out;
	}
	if ((x = X509_new()) == NULL || set_frame(x, ca, pkey, leaf->days) != 0)
		goto out;
	if (set_subject(x, leaf->cn, leaf->serial_number) != 0) {
		hc_log_error("certificate subject: name or card number not encodable");
		rc = HC_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if (add_ext(x, ca, NID_basic_constraints, "critical,CA:FALSE") != 0 ||
	    add_ext(x, ca, NID_key_usage, leaf->key_usage) != 0 ||
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
	if ((size_t)n > cap) {
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
	X509_free(x);
	X509_free(ca);
	EVP_PKEY_free(ca_key);   /* OpenSSL clears private key material when freeing */
	EVP_PKEY_free(pkey);
	return rc;
}
