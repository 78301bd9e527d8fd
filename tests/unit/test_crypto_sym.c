/*
 * SM4 and SM3 against the published vectors of GB/T 32907 and GB/T 32905; SM4 diversification
 * and CBC-MAC against OpenSSL EVP computed here independently; padding method 2.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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

/* Independent SM4 through EVP, for cross-checks. */
static void
evp_sm4(const EVP_CIPHER *c, const uint8_t key[16], const uint8_t *iv, const uint8_t *in,
        size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int l1 = 0, l2 = 0;

	assert_non_null(ctx);
	assert_int_equal(EVP_EncryptInit_ex(ctx, c, NULL, key, iv), 1);
	EVP_CIPHER_CTX_set_padding(ctx, 0);
	assert_int_equal(EVP_EncryptUpdate(ctx, out, &l1, in, (int)len), 1);
	assert_int_equal(EVP_EncryptFinal_ex(ctx, out + l1, &l2), 1);
	assert_int_equal((size_t)(l1 + l2), len);
	EVP_CIPHER_CTX_free(ctx);
}

static void
test_sm4_gbt32907(void **state)
{
	uint8_t key[16], pt[16], ct[16], exp[16], back[16];
	int i;

	(void)state;
	unhex("0123456789ABCDEFFEDCBA9876543210", key, 16);
	memcpy(pt, key, 16);
	unhex("681EDF34D206965E86B3E94F536E4246", exp, 16);
	assert_int_equal(hc_sm4_ecb(key, 1, pt, 16, ct), 0);
	assert_memory_equal(ct, exp, 16);
	assert_int_equal(hc_sm4_ecb(key, 0, ct, 16, back), 0);
	assert_memory_equal(back, pt, 16);

	/* GB/T 32907 example 2: 1,000,000 encryptions under the same key */
	memcpy(ct, pt, 16);
	for (i = 0; i < 1000000; i++)
		assert_int_equal(hc_sm4_ecb(key, 1, ct, 16, ct), 0);
	unhex("595298C7C6FD271F0402F804C33D3F66", exp, 16);
	assert_memory_equal(ct, exp, 16);
}

static void
test_sm4_bad_length(void **state)
{
	uint8_t key[16] = { 0 }, buf[32] = { 0 };

	(void)state;
	assert_int_equal(hc_sm4_ecb(key, 1, buf, 15, buf), -1);
	assert_int_equal(hc_sm4_ecb(key, 1, buf, 32, buf), 0);
	assert_int_equal(hc_sm4_ecb(NULL, 1, buf, 16, buf), -1);
}

static void
test_sm3_gbt32905(void **state)
{
	uint8_t out[32], exp[32], abcd[64];
	int i;

	(void)state;
	assert_int_equal(hc_sm3((const uint8_t *)"abc", 3, out), 0);
	unhex("66C7F0F462EEEDD9D1F2D46BDC10E4E24167C4875CF2F7A2297DA02B8F4BA8E0", exp, 32);
	assert_memory_equal(out, exp, 32);

	for (i = 0; i < 16; i++)
		memcpy(abcd + 4 * i, "abcd", 4);
	assert_int_equal(hc_sm3(abcd, sizeof(abcd), out), 0);
	unhex("DEBE9FF92275B8A138604889C18E5A4D6FDB70E5387E5765293DCBA39C0C5732", exp, 32);
	assert_memory_equal(out, exp, 32);
}

static void
test_pad_m2(void **state)
{
	uint8_t buf[32];

	(void)state;
	memset(buf, 0xAA, sizeof(buf));
	assert_int_equal(hc_pad_m2(buf, 16, sizeof(buf), 16), 32); /* full block: adds one */
	assert_int_equal(buf[16], 0x80);
	assert_int_equal(buf[31], 0x00);
	memset(buf, 0xAA, sizeof(buf));
	assert_int_equal(hc_pad_m2(buf, 5, sizeof(buf), 8), 8);
	assert_int_equal(buf[5], 0x80);
	assert_int_equal(buf[6], 0x00);
	assert_int_equal(buf[7], 0x00);
	assert_int_equal(buf[8], 0xAA);
	assert_int_equal(hc_pad_m2(buf, 16, 16, 16), 0); /* does not fit */
	assert_int_equal(hc_pad_m2(buf, 0, 16, 16), 16);
	assert_int_equal(buf[0], 0x80);
}

static void
test_sm4_diversify(void **state)
{
	uint8_t key[16], f[8], blk[16], exp[16], out[16];
	int i;

	(void)state;
	unhex("0123456789ABCDEFFEDCBA9876543210", key, 16);
	unhex("1122334455667788", f, 8);
	for (i = 0; i < 8; i++) {
		blk[i] = f[i];
		blk[8 + i] = (uint8_t)(f[i] ^ 0xFF);
	}
	evp_sm4(EVP_sm4_ecb(), key, NULL, blk, 16, exp);
	assert_int_equal(hc_sm4_diversify(key, f, out), 0);
	assert_memory_equal(out, exp, 16);
}

static void
test_sm4_cbc_mac(void **state)
{
	uint8_t key[16], iv[16], data[40], padded[48], enc[48], mac[16];
	size_t n;

	(void)state;
	unhex("00112233445566778899AABBCCDDEEFF", key, 16);
	unhex("0F0E0D0C0B0A09080706050403020100", iv, 16);
	for (n = 0; n < sizeof(data); n++)
		data[n] = (uint8_t)(n * 7 + 1);

	/* 37 bytes: padding to 48 */
	memcpy(padded, data, 37);
	padded[37] = 0x80;
	memset(padded + 38, 0, 10);
	evp_sm4(EVP_sm4_cbc(), key, iv, padded, 48, enc);
	assert_int_equal(hc_sm4_cbc_mac(key, iv, data, 37, mac), 0);
	assert_memory_equal(mac, enc + 32, 16);

	/* exactly 32 bytes: a whole padding block is added */
	memcpy(padded, data, 32);
	padded[32] = 0x80;
	memset(padded + 33, 0, 15);
	evp_sm4(EVP_sm4_cbc(), key, iv, padded, 48, enc);
	assert_int_equal(hc_sm4_cbc_mac(key, iv, data, 32, mac), 0);
	assert_memory_equal(mac, enc + 32, 16);

	/* empty data: one block 80 00.. */
	memset(padded, 0, 16);
	padded[0] = 0x80;
	evp_sm4(EVP_sm4_cbc(), key, iv, padded, 16, enc);
	assert_int_equal(hc_sm4_cbc_mac(key, iv, NULL, 0, mac), 0);
	assert_memory_equal(mac, enc, 16);
}

static void
test_random(void **state)
{
	uint8_t a[16] = { 0 }, b[16] = { 0 };

	(void)state;
	assert_int_equal(hc_random(a, sizeof(a)), 0);
	assert_int_equal(hc_random(b, sizeof(b)), 0);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_int_equal(hc_random(NULL, 4), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sm4_gbt32907),
		cmocka_unit_test(test_sm4_bad_length),
		cmocka_unit_test(test_sm3_gbt32905),
		cmocka_unit_test(test_pad_m2),
		cmocka_unit_test(test_sm4_diversify),
		cmocka_unit_test(test_sm4_cbc_mac),
		cmocka_unit_test(test_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
