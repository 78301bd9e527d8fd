/*
 * hcard-sim: issuance of the PKI application's keys and certificates for test and demo cards
 * (pki.md "Certificates"), done by the factory with an OpenSSL CA given on the command line.
 * A real issuer does the same through the card (GENERATE ASYMMETRIC KEY PAIR, then UPDATE
 * BINARY of C001/C002 before activation), which libhcard offers as hc_pki_generate_key() and
 * hc_pki_write_certificate().
 */
#include "config.h"

#include <limits.h>
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

#include "apdu/buf.h"
#include "apdu/log.h"
#include "sim/pki.h"

/* GB/T 32918.2 default user ID, used for Z in the CA's SM2 signature (pki.md). */
static const char sm2_default_id[] = "1234567812345678";

#define CERT_YEARS 10L

/* What each key's certificate looks like. Data, not code. */
typedef struct cert_profile {
	uint8_t ref;
	uint8_t alg;
	const char *ca_base;        /* CA files DIR/<base>.key and DIR/<base>.crt */
	const char *key_usage;      /* pki.md: 01 digitalSignature, 02 nonRepudiation */
} cert_profile_t;

static const cert_profile_t profiles[SIM_PKI_NKEYS] = {
	{ 0x01, SIM_PKI_ALG_P256, "p256-ca", "critical,digitalSignature" },
	{ 0x02, SIM_PKI_ALG_SM2, "sm2-ca", "critical,nonRepudiation" },
};

/* An EVP_PKEY holding the public key X || Y on the key's curve. */
static EVP_PKEY *
public_pkey(uint8_t alg, const uint8_t pub[64])
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	uint8_t enc[65];
	int sm2 = alg == SIM_PKI_ALG_SM2;

	enc[0] = 0x04;
	memcpy(enc + 1, pub, 64);
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	                                    sm2 ? "SM2" : "prime256v1", 0) != 1 ||
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, enc, sizeof(enc)) != 1 ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, sm2 ? "SM2" : "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		hc_log_error("cannot build the public key");
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

static int
load_ca(const char *dir, const char *base, EVP_PKEY **key, X509 **cert)
{
	char path[PATH_MAX];
	FILE *f = NULL;
	int ret = -1;

	if (snprintf(path, sizeof(path), "%s/%s.key", dir, base) >= (int)sizeof(path) ||
	    (f = fopen(path, "r")) == NULL || (*key = PEM_read_PrivateKey(f, NULL, NULL, NULL)) == NULL) {
		hc_log_error("cannot read CA key %s", path);
		goto out;
	}
	fclose(f);
	f = NULL;
	if (snprintf(path, sizeof(path), "%s/%s.crt", dir, base) >= (int)sizeof(path) ||
	    (f = fopen(path, "r")) == NULL || (*cert = PEM_read_X509(f, NULL, NULL, NULL)) == NULL) {
		hc_log_error("cannot read CA certificate %s", path);
		goto out;
	}
	ret = 0;
out:
	if (f != NULL)
		fclose(f);
	return ret;
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

/* Signs x with the CA key: ecdsa-with-SHA256, or SM2-with-SM3 with Z (default ID). */
static int
sign_cert(X509 *x, EVP_PKEY *ca_key, uint8_t alg)
{
	EVP_MD_CTX *md = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	int sm2 = alg == SIM_PKI_ALG_SM2, ret = -1;

	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(md, &pctx, sm2 ? EVP_sm3() : EVP_sha256(), NULL, ca_key) != 1)
		goto out;
	if (sm2 && EVP_PKEY_CTX_set1_id(pctx, sm2_default_id, sizeof(sm2_default_id) - 1) != 1)
		goto out;
	if (X509_sign_ctx(x, md) <= 0)
		goto out;
	ret = 0;
out:
	if (ret != 0)
		hc_log_error("certificate signature failed");
	EVP_MD_CTX_free(md);
	return ret;
}

static int
issue_one(sim_card_t *card, const cert_profile_t *pr, const char *ca_dir, const char *name,
          const char *number)
{
	EVP_PKEY *ca_key = NULL, *pkey = NULL;
	X509 *ca = NULL, *x = NULL;
	X509_NAME *subj = NULL;
	ASN1_INTEGER *serial = NULL;
	BIGNUM *bn = NULL;
	unsigned char *der = NULL, *p;
	uint8_t pub[64], rnd[16];
	int len, ef, ret = -1;

	if (sim_pki_generate(card, pr->ref) != 0 || sim_pki_key(card, pr->ref, pub, NULL) != 0 ||
	    (pkey = public_pkey(pr->alg, pub)) == NULL ||
	    load_ca(ca_dir, pr->ca_base, &ca_key, &ca) != 0)
		goto out;
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		goto out;
	rnd[0] &= 0x7F;
	rnd[0] |= 0x01;   /* positive, 16 bytes */
	if ((x = X509_new()) == NULL || X509_set_version(x, 2) != 1 ||
	    (bn = BN_bin2bn(rnd, sizeof(rnd), NULL)) == NULL ||
	    (serial = BN_to_ASN1_INTEGER(bn, NULL)) == NULL || X509_set_serialNumber(x, serial) != 1 ||
	    X509_set_issuer_name(x, X509_get_subject_name(ca)) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), CERT_YEARS * 365 * 24 * 3600) == NULL ||
	    X509_set_pubkey(x, pkey) != 1)
		goto out;
	if ((subj = X509_NAME_new()) == NULL ||
	    X509_NAME_add_entry_by_NID(subj, NID_commonName, MBSTRING_UTF8,
	                               (const unsigned char *)name, -1, -1, 0) != 1 ||
	    X509_NAME_add_entry_by_NID(subj, NID_serialNumber, MBSTRING_ASC,
	                               (const unsigned char *)number, -1, -1, 0) != 1 ||
	    X509_set_subject_name(x, subj) != 1)
		goto out;
	if (add_ext(x, ca, NID_basic_constraints, "critical,CA:FALSE") != 0 ||
	    add_ext(x, ca, NID_key_usage, pr->key_usage) != 0 ||
	    add_ext(x, ca, NID_subject_key_identifier, "hash") != 0 ||
	    add_ext(x, ca, NID_authority_key_identifier, "keyid") != 0) {
		hc_log_error("certificate extensions failed");
		goto out;
	}
	if (sign_cert(x, ca_key, pr->alg) != 0)
		goto out;
	if ((len = i2d_X509(x, NULL)) <= 0 || (size_t)len > SIM_PKI_CERT_MAX ||
	    (der = OPENSSL_malloc((size_t)len)) == NULL)
		goto out;
	p = der;
	if (i2d_X509(x, &p) != len)
		goto out;
	if ((ef = sim_pki_cert_file(card, pr->ref)) < 0 || card->files[ef].size < (uint16_t)len)
		goto out;
	/* pki.md: the EF holds the DER certificate followed by 00s */
	memset(card->files[ef].data, 0, card->files[ef].size);
	memcpy(card->files[ef].data, der, (size_t)len);
	sim_card_changed(card);
	ret = 0;
out:
	if (ret != 0)
		hc_log_error("issuing key %02X failed", pr->ref);
	OPENSSL_free(der);
	X509_NAME_free(subj);
	ASN1_INTEGER_free(serial);
	BN_free(bn);
	X509_free(x);
	X509_free(ca);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(pkey);
	return ret;
}

int
sim_pki_issue(sim_card_t *card, const char *ca_dir, const char *name, const char *number)
{
	size_t i;

	if (card == NULL || ca_dir == NULL)
		return -1;
	if (name == NULL)
		name = "\xE5\xBC\xA0\xE4\xB8\x89";     /* 张三 */
	if (number == NULL)
		number = "11010519491231002X";
	for (i = 0; i < SIM_PKI_NKEYS; i++) {
		if (issue_one(card, &profiles[i], ca_dir, name, number) != 0)
			return -1;
	}
	return 0;
}
