/*
 * libhcard's PKI functions (hcard_pki.h) against an in-process fake card (fault injection):
 * malformed or hostile answers give clear errors and nothing is read out of bounds, the
 * APDUs sent are pki.md's bytes, the PIN block is purse.md's, PIN errors carry the tries
 * left, and e = SM3(Z || M) agrees with OpenSSL's own SM2 verification.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "apdu/transport.h"
#include "crypto/crypto.h"
#include "hcard_pki.h"
#include "src/session_sec.h"
#include "tests/unit/fake_io.h"

typedef struct fake {
	uint8_t pub_answer[80];       /* READ PUBLIC KEY / GENERATE answer data */
	size_t pub_answer_len;
	uint16_t pub_sw;
	uint8_t ef[2048];             /* the certificate EF */
	int over_answer;              /* READ BINARY answers one byte more than asked */
	size_t pso_len;               /* bytes PSO answers */
	uint16_t pso_sw, verify_sw;
	size_t challenge_len;
	unsigned n_read_binary, n_mse, n_pso, n_verify, n_challenge;
	uint8_t last_verify[16];
	size_t last_verify_len;
	uint8_t last_mse[16];
} fake_t;


/* DDF1/EF05 with the city code only (what hc_card_open needs). */
static size_t
ef05(uint8_t *out)
{
	memcpy(out, "\x57\x03\x11\x01\x00", 5);
	return 5;
}

static int
card_fn(void *arg, const uint8_t *cmd, size_t len, uint8_t *resp, size_t *resp_len)
{
	fake_t *f = arg;
	uint8_t buf[300];
	size_t off, le, n;

	switch (cmd[1]) {
	case 0xA4:
		return fake_reply(resp, resp_len, NULL, 0, 0x9000);
	case 0xB2:
		return fake_reply(resp, resp_len, buf, ef05(buf), 0x9000);
	case 0x47:
		return fake_reply(resp, resp_len, f->pub_answer, f->pub_answer_len, f->pub_sw);
	case 0xB0:
		f->n_read_binary++;
		off = (size_t)cmd[2] << 8 | cmd[3];
		le = len == 5 ? (cmd[4] == 0 ? 256 : cmd[4]) : 256;
		if (off >= sizeof(f->ef))
			return fake_reply(resp, resp_len, NULL, 0, 0x6B00);
		n = sizeof(f->ef) - off < le ? sizeof(f->ef) - off : le;
		if (f->over_answer)
			n++;
		return fake_reply(resp, resp_len, f->ef + off, n, n < le ? 0x6282 : 0x9000);
	case 0x22:
		f->n_mse++;
		memcpy(f->last_mse, cmd, len < sizeof(f->last_mse) ? len : sizeof(f->last_mse));
		return fake_reply(resp, resp_len, NULL, 0, 0x9000);
	case 0x2A:
		f->n_pso++;
		memset(buf, 0x5A, sizeof(buf));
		return fake_reply(resp, resp_len, buf, f->pso_sw == 0x9000 ? f->pso_len : 0, f->pso_sw);
	case 0x20:
		f->n_verify++;
		f->last_verify_len = len < sizeof(f->last_verify) ? len : sizeof(f->last_verify);
		memcpy(f->last_verify, cmd, f->last_verify_len);
		return fake_reply(resp, resp_len, NULL, 0, f->verify_sw);
	case 0x84:
		f->n_challenge++;
		memset(buf, 0xC3, sizeof(buf));
		return fake_reply(resp, resp_len, buf, f->challenge_len, 0x9000);
	default:
		return fake_reply(resp, resp_len, NULL, 0, 0x6D00);
	}
}

typedef struct env {
	fake_t f;
	fake_env_t io;
} env_t;

static int
setup(void **state)
{
	static env_t e;

	memset(&e, 0, sizeof(e));
	e.f.pub_sw = 0x9000;
	e.f.pso_sw = 0x9000;
	e.f.pso_len = 64;
	e.f.verify_sw = 0x9000;
	e.f.challenge_len = 8;
	if (fake_open(&e.io, fake_card_io(card_fn, &e.f)) != 0)
		return -1;
	*state = &e;
	return 0;
}

static int
teardown(void **state)
{
	env_t *e = *state;

	fake_close(&e->io);
	return 0;
}

static void
set_pub_answer(fake_t *f, const uint8_t *p, size_t n, uint16_t sw)
{
	memcpy(f->pub_answer, p, n);
	f->pub_answer_len = n;
	f->pub_sw = sw;
}

static void
test_public_key_template(void **state)
{
	env_t *e = *state;
	uint8_t good[70], pub[64];
	size_t i;

	good[0] = 0x7F;
	good[1] = 0x49;
	good[2] = 0x43;
	good[3] = 0x86;
	good[4] = 0x41;
	good[5] = 0x04;
	for (i = 0; i < 64; i++)
		good[6 + i] = (uint8_t)i;
	set_pub_answer(&e->f, good, 70, 0x9000);
	assert_int_equal(hc_pki_read_public_key(e->io.card, HC_PKI_KEY_AUTH, pub), HC_OK);
	assert_memory_equal(pub, good + 6, 64);

	good[1] = 0x48;   /* not a public key template */
	set_pub_answer(&e->f, good, 70, 0x9000);
	assert_int_equal(hc_pki_read_public_key(e->io.card, HC_PKI_KEY_AUTH, pub), HC_ERR_MALFORMED_RESPONSE);
	good[1] = 0x49;
	good[5] = 0x02;   /* compressed point: refused */
	set_pub_answer(&e->f, good, 70, 0x9000);
	assert_int_equal(hc_pki_read_public_key(e->io.card, HC_PKI_KEY_AUTH, pub), HC_ERR_MALFORMED_RESPONSE);
	good[5] = 0x04;
	set_pub_answer(&e->f, good, 40, 0x9000);   /* truncated: the template claims more */
	assert_int_equal(hc_pki_read_public_key(e->io.card, HC_PKI_KEY_AUTH, pub), HC_ERR_MALFORMED_RESPONSE);
	set_pub_answer(&e->f, good, 0, 0x6A88);
	assert_int_equal(hc_pki_read_public_key(e->io.card, HC_PKI_KEY_AUTH, pub), HC_ERR_KEY_NOT_FOUND);
	assert_int_equal(hc_pki_read_public_key(e->io.card, 3, pub), HC_ERR_INVALID_ARGUMENT);
}

static void
test_certificate_reads(void **state)
{
	env_t *e = *state;
	uint8_t out[HC_PKI_CERT_MAX];
	size_t len = 99;
	unsigned before;

	/* never written: 00s */
	memset(e->f.ef, 0, sizeof(e->f.ef));
	assert_int_equal(hc_pki_read_certificate(e->io.card, HC_PKI_KEY_AUTH, out, sizeof(out), &len),
	                 HC_ERR_CERTIFICATE);
	assert_int_equal(len, 0);
	/* a DER header claiming more than the EF holds */
	memcpy(e->f.ef, "\x30\x82\x0B\xB8", 4);
	assert_int_equal(hc_pki_read_certificate(e->io.card, HC_PKI_KEY_AUTH, out, sizeof(out), &len),
	                 HC_ERR_CERTIFICATE);
	/* 600 bytes: read in 256-byte chunks, exactly to the end of the DER */
	memcpy(e->f.ef, "\x30\x82\x02\x54", 4);
	memset(e->f.ef + 4, 0xAB, 596);
	before = e->f.n_read_binary;
	assert_int_equal(hc_pki_read_certificate(e->io.card, HC_PKI_KEY_AUTH, out, sizeof(out), &len), HC_OK);
	assert_int_equal(len, 600);
	assert_memory_equal(out, e->f.ef, 600);
	assert_int_equal(e->f.n_read_binary - before, 3);
	/* too small a buffer: said so, nothing written past it */
	memset(out, 0xEE, sizeof(out));
	assert_int_equal(hc_pki_read_certificate(e->io.card, HC_PKI_KEY_AUTH, out, 300, &len),
	                 HC_ERR_BUFFER_TOO_SMALL);
	assert_int_equal(out[300], 0xEE);
	/* a card answering more than asked */
	e->f.over_answer = 1;
	assert_int_equal(hc_pki_read_certificate(e->io.card, HC_PKI_KEY_AUTH, out, sizeof(out), &len),
	                 HC_ERR_MALFORMED_RESPONSE);
	e->f.over_answer = 0;
}

static void
test_sign(void **state)
{
	env_t *e = *state;
	uint8_t in[32] = { 1 }, sig[64];
	static const uint8_t mse2[] = { 0x00, 0x22, 0x41, 0xB6, 0x06, 0x84, 0x01, 0x02, 0x80, 0x01, 0x02 };

	assert_int_equal(hc_pki_sign(e->io.card, HC_PKI_KEY_SIGN, in, sig), HC_OK);
	assert_memory_equal(e->f.last_mse, mse2, sizeof(mse2));   /* pki.md bytes */
	e->f.pso_len = 63;
	assert_int_equal(hc_pki_sign(e->io.card, HC_PKI_KEY_AUTH, in, sig), HC_ERR_MALFORMED_RESPONSE);
	e->f.pso_len = 64;
	e->f.pso_sw = 0x6982;
	assert_int_equal(hc_pki_sign(e->io.card, HC_PKI_KEY_AUTH, in, sig), HC_ERR_SECURITY_STATUS);
	e->f.pso_sw = 0x6983;
	assert_int_equal(hc_pki_sign(e->io.card, HC_PKI_KEY_AUTH, in, sig), HC_ERR_PIN_BLOCKED);
	e->f.pso_sw = 0x9000;
}

static void
test_pin(void **state)
{
	env_t *e = *state;
	unsigned before;
	int tries = 9, verified = 9;

	assert_int_equal(hc_pki_verify_pin(e->io.card, "1234", &tries), HC_OK);
	/* purse.md: BCD, left-justified, F-padded, 6 bytes */
	assert_memory_equal(e->f.last_verify, "\x00\x20\x00\x00\x06\x12\x34\xFF\xFF\xFF\xFF", 11);
	assert_int_equal(hc_pki_verify_pin(e->io.card, "123456789012", NULL), HC_OK);
	assert_memory_equal(e->f.last_verify + 5, "\x12\x34\x56\x78\x90\x12", 6);
	before = e->f.n_verify;
	assert_int_equal(hc_pki_verify_pin(e->io.card, "123", NULL), HC_ERR_PIN_FORMAT);
	assert_int_equal(hc_pki_verify_pin(e->io.card, "1234567890123", NULL), HC_ERR_PIN_FORMAT);
	assert_int_equal(hc_pki_verify_pin(e->io.card, "12345a", NULL), HC_ERR_PIN_FORMAT);
	assert_int_equal(hc_pki_verify_pin(e->io.card, NULL, NULL), HC_ERR_PIN_FORMAT);
	assert_int_equal(e->f.n_verify, before);   /* nothing sent */
	e->f.verify_sw = 0x63C1;
	assert_int_equal(hc_pki_verify_pin(e->io.card, "654321", &tries), HC_ERR_PIN_WRONG);
	assert_int_equal(tries, 1);
	assert_int_equal(hc_pki_pin_status(e->io.card, &verified, &tries), HC_OK);
	assert_int_equal(verified, 0);
	assert_int_equal(tries, 1);
	e->f.verify_sw = 0x6983;
	assert_int_equal(hc_pki_verify_pin(e->io.card, "654321", &tries), HC_ERR_PIN_BLOCKED);
	assert_int_equal(tries, 0);
	e->f.verify_sw = 0x9000;
	assert_int_equal(hc_pki_pin_status(e->io.card, &verified, &tries), HC_OK);
	assert_int_equal(verified, 1);
}

static void
test_random(void **state)
{
	env_t *e = *state;
	uint8_t out[20];
	unsigned before = e->f.n_challenge;

	assert_int_equal(hc_pki_random(e->io.card, out, sizeof(out)), HC_OK);
	assert_int_equal(e->f.n_challenge - before, 3);
	e->f.challenge_len = 4;
	assert_int_equal(hc_pki_random(e->io.card, out, sizeof(out)), HC_ERR_MALFORMED_RESPONSE);
	e->f.challenge_len = 8;
	assert_int_equal(hc_pki_random(e->io.card, out, 5000), HC_ERR_INVALID_ARGUMENT);
}

/* e from the library, signed with a raw key, verified by OpenSSL from the message itself. */
static void
test_sm2_e_agrees_with_openssl(void **state)
{
	static const uint8_t msg[] = "consent: share my allergy list with Dr. Li";
	uint8_t priv[32], pub[64], e[32], sig[64], der[72], enc[65];
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	OSSL_PARAM *p = NULL;
	EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_from_name(NULL, "SM2", NULL), *pc = NULL;
	EVP_PKEY *k = NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t n = 2, i;

	(void)state;
	assert_int_equal(hc_sm2_keygen(priv, pub), 0);
	assert_int_equal(hc_pki_sm2_e(pub, msg, sizeof(msg) - 1, e), HC_OK);
	assert_int_equal(hc_sm2_sign_e(priv, e, sig), 0);
	der[0] = 0x30;
	for (i = 0; i < 2; i++) {
		const uint8_t *v = sig + 32 * i;
		size_t l = 32;

		while (l > 1 && *v == 0) {
			v++;
			l--;
		}
		der[n++] = 2;
		der[n++] = (uint8_t)(l + ((*v & 0x80) ? 1 : 0));
		if (*v & 0x80)
			der[n++] = 0;
		memcpy(der + n, v, l);
		n += l;
	}
	der[1] = (uint8_t)(n - 2);
	enc[0] = 4;
	memcpy(enc + 1, pub, 64);
	assert_int_equal(OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, "SM2", 0), 1);
	assert_int_equal(OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, enc, 65), 1);
	assert_non_null(p = OSSL_PARAM_BLD_to_param(b));
	assert_int_equal(EVP_PKEY_fromdata_init(kc), 1);
	assert_int_equal(EVP_PKEY_fromdata(kc, &k, EVP_PKEY_PUBLIC_KEY, p), 1);
	assert_int_equal(EVP_DigestVerifyInit(md, &pc, EVP_sm3(), NULL, k), 1);
	assert_int_equal(EVP_PKEY_CTX_set1_id(pc, "1234567812345678", 16), 1);
	assert_int_equal(EVP_DigestVerify(md, der, n, msg, sizeof(msg) - 1), 1);
	/* and a different message does not verify */
	assert_int_equal(EVP_DigestVerifyInit(md, &pc, EVP_sm3(), NULL, k), 1);
	assert_int_equal(EVP_PKEY_CTX_set1_id(pc, "1234567812345678", 16), 1);
	assert_int_not_equal(EVP_DigestVerify(md, der, n, msg, sizeof(msg) - 2), 1);
	OPENSSL_cleanse(priv, sizeof(priv));
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(k);
	EVP_PKEY_CTX_free(kc);
	OSSL_PARAM_free(p);
	OSSL_PARAM_BLD_free(b);
}

/* Host-side verification: a good signature passes, any changed bit fails, per curve. */
static void
test_verify(void **state)
{
	uint8_t priv[32], pub[64], in[32], sig[64];

	(void)state;
	memset(in, 0x42, sizeof(in));
	assert_int_equal(hc_p256_keygen(priv, pub), 0);
	assert_int_equal(hc_p256_sign(priv, in, sig), 0);
	assert_int_equal(hc_pki_verify(HC_PKI_KEY_AUTH, pub, in, sig), HC_OK);
	/* a P-256 signature is not an SM2 one */
	assert_int_equal(hc_pki_verify(HC_PKI_KEY_SIGN, pub, in, sig), HC_ERR_SIGNATURE);
	sig[10] ^= 0x01;
	assert_int_equal(hc_pki_verify(HC_PKI_KEY_AUTH, pub, in, sig), HC_ERR_SIGNATURE);
	assert_int_equal(hc_sm2_keygen(priv, pub), 0);
	assert_int_equal(hc_sm2_sign_e(priv, in, sig), 0);
	assert_int_equal(hc_pki_verify(HC_PKI_KEY_SIGN, pub, in, sig), HC_OK);
	in[31] ^= 0x80;
	assert_int_equal(hc_pki_verify(HC_PKI_KEY_SIGN, pub, in, sig), HC_ERR_SIGNATURE);
	assert_int_equal(hc_pki_verify(7, pub, in, sig), HC_ERR_INVALID_ARGUMENT);
	OPENSSL_cleanse(priv, sizeof(priv));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_public_key_template),
		cmocka_unit_test(test_certificate_reads),
		cmocka_unit_test(test_sign),
		cmocka_unit_test(test_pin),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_sm2_e_agrees_with_openssl),
		cmocka_unit_test(test_verify),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
