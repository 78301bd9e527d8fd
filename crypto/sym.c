/*
 * SM4 (GB/T 32907), SM3 (GB/T 32905), ISO 9797-1 padding method 2, random bytes.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "apdu/log.h"
#include "crypto/crypto.h"
#include "crypto/evp_cipher.h"

int
hc_crypto_cipher(const EVP_CIPHER *cipher, const uint8_t *key, const uint8_t *iv, int encrypt,
                 const uint8_t *in, size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = NULL;
	int outl = 0, finl = 0;
	int ret = -1;

	if (cipher == NULL || key == NULL || (len > 0 && (in == NULL || out == NULL))) {
		hc_log_error("bad argument");
		goto out;
	}
	if (len > INT_MAX || len % (size_t)EVP_CIPHER_get_block_size(cipher) != 0) {
		hc_log_error("length %zu not a multiple of the block", len);
		goto out;
	}
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_CipherInit_ex(ctx, cipher, NULL, key, iv, encrypt ? 1 : 0) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1) {
		hc_log_error("cipher init failed");
		goto out;
	}
	if (len > 0 && EVP_CipherUpdate(ctx, out, &outl, in, (int)len) != 1) {
		hc_log_error("cipher update failed");
		goto out;
	}
	if (EVP_CipherFinal_ex(ctx, out + outl, &finl) != 1 || (size_t)(outl + finl) != len) {
		hc_log_error("cipher final failed");
		goto out;
	}
	ret = 0;
out:
	EVP_CIPHER_CTX_free(ctx); /* clears the key schedule */
	return ret;
}

int
hc_sm4_ecb(const uint8_t key[16], int encrypt, const uint8_t *in, size_t len, uint8_t *out)
{
	return hc_crypto_cipher(EVP_sm4_ecb(), key, NULL, encrypt, in, len, out);
}

int
hc_sm4_diversify(const uint8_t key[16], const uint8_t factor[8], uint8_t out[16])
{
	uint8_t block[16];
	int ret = -1;
	size_t i;

	if (key == NULL || factor == NULL || out == NULL) {
		hc_log_error("bad argument");
		return -1;
	}
	/* card-profile.md §4: D(K, f) = SM4_K(f || ~f) */
	for (i = 0; i < 8; i++) {
		block[i] = factor[i];
		block[8 + i] = (uint8_t)~factor[i];
	}
	if (hc_sm4_ecb(key, 1, block, sizeof(block), out) != 0)
		goto out;
	ret = 0;
out:
	OPENSSL_cleanse(block, sizeof(block));
	return ret;
}

size_t
hc_pad_m2(uint8_t *buf, size_t len, size_t cap, size_t block)
{
	size_t padded;

	if (buf == NULL || block == 0 || len > cap)
		return 0;
	padded = (len / block + 1) * block;
	if (padded > cap || padded < len)
		return 0;
	buf[len] = 0x80;
	memset(buf + len + 1, 0, padded - len - 1);
	return padded;
}

int
hc_sm4_cbc_mac(const uint8_t key[16], const uint8_t iv[16], const uint8_t *data, size_t len,
               uint8_t mac16[16])
{
	uint8_t *buf = NULL;
	size_t cap, padded = 0;
	int ret = -1;

	if (key == NULL || iv == NULL || (data == NULL && len > 0) || mac16 == NULL ||
	    len > SIZE_MAX - 32) {
		hc_log_error("bad argument");
		goto out;
	}
	cap = len + 16;
	if ((buf = malloc(cap)) == NULL) {
		hc_log_error("out of memory");
		goto out;
	}
	if (len > 0)
		memcpy(buf, data, len);
	if ((padded = hc_pad_m2(buf, len, cap, 16)) == 0) {
		hc_log_error("padding failed");
		goto out;
	}
	/* CBC in place: the last cipher block is the MAC */
	if (hc_crypto_cipher(EVP_sm4_cbc(), key, iv, 1, buf, padded, buf) != 0)
		goto out;
	memcpy(mac16, buf + padded - 16, 16);
	ret = 0;
out:
	if (buf != NULL) {
		OPENSSL_cleanse(buf, padded > 0 ? padded : len);
		free(buf);
	}
	return ret;
}

int
hc_sm3(const uint8_t *data, size_t len, uint8_t out[32])
{
	unsigned int n = 0;

	if ((data == NULL && len > 0) || out == NULL) {
		hc_log_error("bad argument");
		return -1;
	}
	if (EVP_Digest(len > 0 ? data : (const uint8_t *)"", len, out, &n, EVP_sm3(), NULL) != 1 ||
	    n != 32) {
		hc_log_error("SM3 digest failed");
		return -1;
	}
	return 0;
}

int
hc_random(uint8_t *out, size_t len)
{
	if (out == NULL || len > INT_MAX) {
		hc_log_error("bad argument");
		return -1;
	}
	if (len > 0 && RAND_bytes(out, (int)len) != 1) {
		hc_log_error("RAND_bytes failed");
		return -1;
	}
	return 0;
}
