/*
 * DES against a published vector; 3DES, diversification and the ISO 9797-1 MACs against
 * OpenSSL EVP (DES-EDE-ECB / DES-EDE-CBC) computed here independently.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "crypto/crypto.h"

static void
unhex(const char *s, uint8_t *out, size_t n)
{
	size_t i;
	unsigned v;

	for (i = 0; i < n; i++) {
		assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

static void
evp_run(const EVP_CIPHER *c, const uint8_t *key, const uint8_t *iv, int enc, const uint8_t *in,
        size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int l1 = 0, l2 = 0;

	assert_non_null(ctx);
	assert_int_equal(EVP_CipherInit_ex(ctx, c, NULL, key, iv, enc), 1);
	EVP_CIPHER_CTX_set_padding(ctx, 0);
	assert_int_equal(EVP_CipherUpdate(ctx, out, &l1, in, (int)len), 1);
	assert_int_equal(EVP_CipherFinal_ex(ctx, out + l1, &l2), 1);
	assert_int_equal((size_t)(l1 + l2), len);
	EVP_CIPHER_CTX_free(ctx);
}

static void
test_des_published(void **state)
{
	uint8_t key[8], pt[8], ct[8], exp[8], back[8];

	(void)state;
	/* the classic worked example (Grabbe, "The DES algorithm illustrated") */
	unhex("133457799BBCDFF1", key, 8);
	unhex("0123456789ABCDEF", pt, 8);
	unhex("85E813540F0AB405", exp, 8);
	assert_int_equal(hc_des_ecb(key, 1, pt, 8, ct), 0);
	assert_memory_equal(ct, exp, 8);
	assert_int_equal(hc_des_ecb(key, 0, ct, 8, back), 0);
	assert_memory_equal(back, pt, 8);
	assert_int_equal(hc_des_ecb(key, 1, pt, 7, ct), -1);
}

static void
test_des3(void **state)
{
	uint8_t key[16], in[24], out[24], exp[24];
	size_t i;

	(void)state;
	unhex("0123456789ABCDEFFEDCBA9876543210", key, 16);
	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(0x30 + i);
	evp_run(EVP_des_ede_ecb(), key, NULL, 1, in, sizeof(in), exp);
	assert_int_equal(hc_des3_ecb(key, 1, in, sizeof(in), out), 0);
	assert_memory_equal(out, exp, sizeof(exp));
	assert_int_equal(hc_des3_ecb(key, 0, out, sizeof(out), out), 0);
	assert_memory_equal(out, in, sizeof(in));
	/* two-key EDE is not single DES: the right half matters */
	key[8] ^= 0x10;
	assert_int_equal(hc_des3_ecb(key, 1, in, 8, out), 0);
	assert_memory_not_equal(out, exp, 8);
}

static void
test_des3_diversify(void **state)
{
	uint8_t mk[16], f[8], blk[16], exp[16], out[16];
	int i;

	(void)state;
	unhex("404142434445464748494A4B4C4D4E4F", mk, 16);
	unhex("0000000000000001", f, 8);
	for (i = 0; i < 8; i++) {
		blk[i] = f[i];
		blk[8 + i] = (uint8_t)~f[i];
	}
	evp_run(EVP_des_ede_ecb(), mk, NULL, 1, blk, 16, exp);
	assert_int_equal(hc_des3_diversify(mk, f, out), 0);
	assert_memory_equal(out, exp, 16);
}

/* Reference MAC algorithm 1 via DES-EDE-CBC with K || K over the padded data. */
static void
ref_alg1(const uint8_t key[8], const uint8_t *data, size_t len, uint8_t mac4[4])
{
	uint8_t kk[16], buf[64], enc[64], iv[8] = { 0 };
	size_t padded = (len / 8 + 1) * 8;

	assert_true(padded <= sizeof(buf));
	memcpy(kk, key, 8);
	memcpy(kk + 8, key, 8);
	memcpy(buf, data, len);
	buf[len] = 0x80;
	memset(buf + len + 1, 0, padded - len - 1);
	evp_run(EVP_des_ede_cbc(), kk, iv, 1, buf, padded, enc);
	memcpy(mac4, enc + padded - 8, 4);
}

static void
test_mac_alg1(void **state)
{
	uint8_t key[8], data[20], mac[4], exp[4];
	size_t n;

	(void)state;
	unhex("3132333435363738", key, 8);
	for (n = 0; n < sizeof(data); n++)
		data[n] = (uint8_t)(0xA0 ^ n);
	for (n = 0; n <= sizeof(data); n += 4) {
		ref_alg1(key, data, n, exp);
		assert_int_equal(hc_mac_alg1(key, data, n, mac), 0);
		assert_memory_equal(mac, exp, 4);
	}
}

static void
test_mac_alg3(void **state)
{
	uint8_t key[16], kk[16], data[6], blk[8], ct[8], mac[4];
	uint8_t long_data[19], buf[24], enc[24], iv[8] = { 0 }, last[8];
	int i;

	(void)state;
	unhex("0123456789ABCDEFFEDCBA9876543210", key, 16);
	/* one block (a 6-byte PIN block, purse.md RELOAD PIN): alg 3 == 2-key 3DES-CBC of it */
	unhex("123456FFFFFF", data, 6);
	memcpy(blk, data, 6);
	blk[6] = 0x80;
	blk[7] = 0x00;
	evp_run(EVP_des_ede_cbc(), key, iv, 1, blk, 8, ct);
	assert_int_equal(hc_mac_alg3(key, data, 6, mac), 0);
	assert_memory_equal(mac, ct, 4);

	/* three blocks: single DES-CBC under K1 over the first two (DES-EDE with K1 || K1),
	 * then 3DES (K1, K2) of the last block xor that chaining value */
	for (i = 0; i < 19; i++)
		long_data[i] = (uint8_t)(i * 13);
	memcpy(buf, long_data, 19);
	buf[19] = 0x80;
	memset(buf + 20, 0, 4);
	memcpy(kk, key, 8);
	memcpy(kk + 8, key, 8);
	evp_run(EVP_des_ede_cbc(), kk, iv, 1, buf, 16, enc);
	for (i = 0; i < 8; i++)
		last[i] = (uint8_t)(buf[16 + i] ^ enc[8 + i]);
	evp_run(EVP_des_ede_ecb(), key, NULL, 1, last, 8, ct);
	assert_int_equal(hc_mac_alg3(key, long_data, 19, mac), 0);
	assert_memory_equal(mac, ct, 4);

	/* the second key half changes the MAC */
	key[15] ^= 0x02;
	assert_int_equal(hc_mac_alg3(key, long_data, 19, buf), 0);
	assert_memory_not_equal(buf, mac, 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_des_published),
		cmocka_unit_test(test_des3),
		cmocka_unit_test(test_des3_diversify),
		cmocka_unit_test(test_mac_alg1),
		cmocka_unit_test(test_mac_alg3),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
