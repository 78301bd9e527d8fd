/*
 * The PKI application's issuance and use through libhcard (hcard_pki.h), pcscd, vpcd and
 * hcard-sim (default cards: a factory card in life cycle 03, a type-5 SAM): key generation
 * needs the issuer's UK1 DDF1 right, certificates made here with an OpenSSL CA are written
 * and read back, signatures of both keys verify with OpenSSL EVP (SM2: OpenSSL computes Z
 * and e itself), key 02 needs a fresh VERIFY, and after ACTIVATE nothing can be changed.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include "hcard.h"
#include "hcard_pki.h"
#include "src/session.h"
#include "src/session_sec.h"

typedef struct fixture {
	hc_ctx_t *ctx;
	hc_terminal_t *term;
	hc_card_t *card;
} fixture_t;

static int
setup(void **state)
{
	static fixture_t f;
	hc_terminal_opts_t o;

	memset(&f, 0, sizeof(f));
	memset(&o, 0, sizeof(o));
	o.card_reader = getenv("HCARD_CARD_READER");
	o.sam_reader = getenv("HCARD_SAM_READER");
	o.sam_pin = getenv("HCARD_SAM_PIN") != NULL ? getenv("HCARD_SAM_PIN") : "12345678";
	if (hc_ctx_new(&f.ctx, NULL) != HC_OK || hc_terminal_open(f.ctx, &o, &f.term) != HC_OK ||
	    hc_card_open(f.term, &f.card) != HC_OK)
		return -1;
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	fixture_t *f = *state;

	hc_card_close(&f->card);
	hc_terminal_close(&f->term);
	hc_ctx_free(&f->ctx);
	return 0;
}

static EVP_PKEY *
pkey_of(const uint8_t pub[64], int sm2)
{
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	OSSL_PARAM *p = NULL;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, sm2 ? "SM2" : "EC", NULL);
	EVP_PKEY *k = NULL;
	uint8_t enc[65];

	enc[0] = 4;
	memcpy(enc + 1, pub, 64);
	if (OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, sm2 ? "SM2" : "prime256v1", 0) == 1 &&
	    OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, enc, 65) == 1 &&
	    (p = OSSL_PARAM_BLD_to_param(b)) != NULL && EVP_PKEY_fromdata_init(c) == 1)
		EVP_PKEY_fromdata(c, &k, EVP_PKEY_PUBLIC_KEY, p);
	OSSL_PARAM_free(p);
	OSSL_PARAM_BLD_free(b);
	EVP_PKEY_CTX_free(c);
	return k;
}

/* r || s -> DER ECDSA-Sig-Value. */
static size_t
sig_der(const uint8_t sig[64], uint8_t out[72])
{
	size_t n = 2, i;

	out[0] = 0x30;
	for (i = 0; i < 2; i++) {
		const uint8_t *v = sig + 32 * i;
		size_t l = 32;

		while (l > 1 && *v == 0) {
			v++;
			l--;
		}
		out[n++] = 2;
		out[n++] = (uint8_t)(l + ((*v & 0x80) ? 1 : 0));
		if (*v & 0x80)
			out[n++] = 0;
		memcpy(out + n, v, l);
		n += l;
	}
	out[1] = (uint8_t)(n - 2);
	return n;
}

/* OpenSSL's own verification of msg: ECDSA-SHA256, or SM2 with SM3, Z and the default ID. */
static int
evp_verify(const uint8_t pub[64], int sm2, const uint8_t *msg, size_t len, const uint8_t sig[64])
{
	EVP_PKEY *k = pkey_of(pub, sm2);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pc = NULL;
	uint8_t der[72];
	size_t dl = sig_der(sig, der);
	int ok = 0;

	if (k != NULL && md != NULL &&
	    EVP_DigestVerifyInit(md, &pc, sm2 ? EVP_sm3() : EVP_sha256(), NULL, k) == 1 &&
	    (!sm2 || EVP_PKEY_CTX_set1_id(pc, "1234567812345678", 16) == 1))
		ok = EVP_DigestVerify(md, der, dl, msg, len) == 1;
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(k);
	return ok;
}

/* A self-issued test certificate for pub, signed by a throwaway P-256 CA key. */
static int
make_cert(const uint8_t pub[64], int sm2, uint8_t **der)
{
	EVP_PKEY *ca = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "prime256v1");
	EVP_PKEY *k = pkey_of(pub, sm2);
	X509 *x = X509_new();
	int len = -1;

	if (ca != NULL && k != NULL && x != NULL && X509_set_version(x, 2) == 1 &&
	    ASN1_INTEGER_set(X509_get_serialNumber(x), 7) == 1 &&
	    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_UTF8,
	                               (const unsigned char *)"\xE6\x9D\x8E\xE5\x9B\x9B", -1, -1, 0) == 1 &&
	    X509_set_issuer_name(x, X509_get_subject_name(x)) == 1 &&
	    X509_gmtime_adj(X509_getm_notBefore(x), 0) != NULL &&
	    X509_gmtime_adj(X509_getm_notAfter(x), 86400) != NULL && X509_set_pubkey(x, k) == 1 &&
	    X509_sign(x, ca, EVP_sha256()) > 0)
		len = i2d_X509(x, der);
	X509_free(x);
	EVP_PKEY_free(k);
	EVP_PKEY_free(ca);
	return len;
}

static void
test_issue_and_use(void **state)
{
	fixture_t *f = *state;
	uint8_t pub1[64], pub2[64], again[64], sig[64], hash[32], e[32], back[HC_PKI_CERT_MAX];
	uint8_t *der = NULL;
	static const uint8_t msg[] = "{\"purpose\":\"read history\",\"nonce\":\"42\"}";
	unsigned int hl = 0;
	size_t got = 0;
	int len, tries = -1;

	/* nothing issued: no key, no certificate */
	assert_int_equal(hc_pki_read_public_key(f->card, HC_PKI_KEY_AUTH, pub1), HC_ERR_KEY_NOT_FOUND);
	assert_int_equal(hc_pki_read_certificate(f->card, HC_PKI_KEY_AUTH, back, sizeof(back), &got),
	                 HC_ERR_CERTIFICATE);
	/* the card refuses key generation without the issuer's right */
	assert_int_equal(hc_pki_generate_key(f->card, HC_PKI_KEY_AUTH, pub1), HC_ERR_SECURITY_STATUS);

	assert_int_equal(hc_session_external_auth(f->card, HC_KEY_UK1_DDF1), HC_OK);
	assert_int_equal(hc_pki_generate_key(f->card, HC_PKI_KEY_AUTH, pub1), HC_OK);
	assert_int_equal(hc_pki_generate_key(f->card, HC_PKI_KEY_SIGN, pub2), HC_OK);
	assert_int_equal(hc_pki_read_public_key(f->card, HC_PKI_KEY_AUTH, again), HC_OK);
	assert_memory_equal(again, pub1, 64);

	/* certificates: written, read back identical (the EF's trailing 00s are not returned) */
	assert_true((len = make_cert(pub1, 0, &der)) > 0);
	assert_int_equal(hc_pki_write_certificate(f->card, HC_PKI_KEY_AUTH, der, (size_t)len), HC_OK);
	assert_int_equal(hc_pki_read_certificate(f->card, HC_PKI_KEY_AUTH, back, sizeof(back), &got), HC_OK);
	assert_int_equal(got, (size_t)len);
	assert_memory_equal(back, der, got);
	OPENSSL_free(der);
	der = NULL;
	assert_int_equal(hc_pki_write_certificate(f->card, HC_PKI_KEY_AUTH, back, 10),
	                 HC_ERR_INVALID_ARGUMENT);   /* not a whole DER certificate */

	/* key 01: needs the PIN verified; the signature verifies with OpenSSL */
	EVP_Digest(msg, sizeof(msg) - 1, hash, &hl, EVP_sha256(), NULL);
	assert_int_equal(hc_pki_sign(f->card, HC_PKI_KEY_AUTH, hash, sig), HC_ERR_SECURITY_STATUS);
	assert_int_equal(hc_pki_verify_pin(f->card, "111111", &tries), HC_ERR_PIN_WRONG);
	assert_int_equal(tries, 2);
	assert_int_equal(hc_pki_verify_pin(f->card, "12a456", NULL), HC_ERR_PIN_FORMAT);
	assert_int_equal(hc_pki_verify_pin(f->card, "123456", &tries), HC_OK);
	assert_int_equal(hc_pki_sign(f->card, HC_PKI_KEY_AUTH, hash, sig), HC_OK);
	assert_true(evp_verify(pub1, 0, msg, sizeof(msg) - 1, sig));
	assert_false(evp_verify(pub1, 0, msg, sizeof(msg) - 2, sig));   /* another message */

	/* key 02: e = SM3(Z || M) by the library; OpenSSL verifies from the message itself */
	assert_int_equal(hc_pki_sm2_e(pub2, msg, sizeof(msg) - 1, e), HC_OK);
	assert_int_equal(hc_pki_sign(f->card, HC_PKI_KEY_SIGN, e, sig), HC_OK);
	assert_true(evp_verify(pub2, 1, msg, sizeof(msg) - 1, sig));
	/* pki.md: the signature cleared the PIN: no second one, not even key 01 */
	assert_int_equal(hc_pki_sign(f->card, HC_PKI_KEY_SIGN, e, sig), HC_ERR_SECURITY_STATUS);
	assert_int_equal(hc_pki_sign(f->card, HC_PKI_KEY_AUTH, hash, sig), HC_ERR_SECURITY_STATUS);
	assert_int_equal(hc_pki_verify_pin(f->card, "123456", NULL), HC_OK);
	assert_int_equal(hc_pki_sign(f->card, HC_PKI_KEY_SIGN, e, sig), HC_OK);
	assert_true(evp_verify(pub2, 1, msg, sizeof(msg) - 1, sig));
}

static void
test_after_activation_nothing_changes(void **state)
{
	fixture_t *f = *state;
	hc_apdu_t activate = { 0x00, 0x44, 0x00, 0x00, NULL, 0, 0, 0, 0, 0 };
	uint8_t pub[64], back[HC_PKI_CERT_MAX];
	size_t got = 0;
	uint16_t sw = 0;

	assert_int_equal(hc_session_external_auth(f->card, HC_KEY_UK1_DDF1), HC_OK);
	assert_int_equal(hc_session_card_cmd(f->card, &activate, hc_session_resp(f->card), &sw), HC_OK);
	hc_session_invalidate(f->card);
	assert_int_equal(hc_session_external_auth(f->card, HC_KEY_UK1_DDF1), HC_OK);
	assert_int_equal(hc_pki_generate_key(f->card, HC_PKI_KEY_AUTH, pub), HC_ERR_CONDITIONS_OF_USE);
	assert_int_equal(hc_pki_read_certificate(f->card, HC_PKI_KEY_AUTH, back, sizeof(back), &got), HC_OK);
	assert_int_equal(hc_pki_write_certificate(f->card, HC_PKI_KEY_AUTH, back, got),
	                 HC_ERR_CONDITIONS_OF_USE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_issue_and_use),
		cmocka_unit_test(test_after_activation_nothing_changes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
