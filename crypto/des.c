/*
 * DES, two-key 3DES and the ISO 9797-1 MACs of purse.md.
 *
 * Single DES lives in OpenSSL 3's legacy provider. Rather than load it, single DES is run as
 * two-key DES-EDE with K || K, which the default provider has: E_K(D_K(E_K(x))) = E_K(x).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "apdu/log.h"
#include "crypto/crypto.h"
#include "crypto/evp_cipher.h"

int
hc_des_ecb(const uint8_t key[8], int encrypt, const uint8_t *in, size_t len, uint8_t *out)
{
	uint8_t kk[16];
	int ret;

	if (key == NULL) {
		hc_log_error("bad argument");
		return -1;
	}
	memcpy(kk, key, 8);
	memcpy(kk + 8, key, 8);
	ret = hc_crypto_cipher(EVP_des_ede_ecb(), kk, NULL, encrypt, in, len, out);
	OPENSSL_cleanse(kk, sizeof(kk));
	return ret;
}

int
hc_des3_ecb(const uint8_t key[16], int encrypt, const uint8_t *in, size_t len, uint8_t *out)
{
	return hc_crypto_cipher(EVP_des_ede_ecb(), key, NULL, encrypt, in, len, out);
}

/* DES-CBC (IV 0) under key over data padded by method 2; the last block into h. */
static int
des_cbc_last(const uint8_t key[8], const uint8_t *data, size_t len, uint8_t h[8])
{
	static const uint8_t iv[8];
	uint8_t kk[16];
	uint8_t *buf = NULL;
	size_t cap, padded = 0;
	int ret = -1;

	if ((data == NULL && len > 0) || len > SIZE_MAX - 16) {
		hc_log_error("bad argument");
		goto out;
	}
	cap = len + 8;
	if ((buf = malloc(cap)) == NULL) {
		hc_log_error("out of memory");
		goto out;
	}
	if (len > 0)
		memcpy(buf, data, len);
	if ((padded = hc_pad_m2(buf, len, cap, 8)) == 0)
		goto out;
	memcpy(kk, key, 8);
	memcpy(kk + 8, key, 8);
	if (hc_crypto_cipher(EVP_des_ede_cbc(), kk, iv, 1, buf, padded, buf) != 0)
		goto out;
	memcpy(h, buf + padded - 8, 8);
	ret = 0;
out:
	OPENSSL_cleanse(kk, sizeof(kk));
	if (buf != NULL) {
		OPENSSL_cleanse(buf, padded > 0 ? padded : len);
		free(buf);
	}
	return ret;
}

int
hc_mac_alg1(const uint8_t key[8], const uint8_t *data, size_t len, uint8_t mac4[4])
{
	uint8_t h[8];
	int ret = -1;

	if (key == NULL || mac4 == NULL) {
		hc_log_error("bad argument");
		return -1;
	}
	if (des_cbc_last(key, data, len, h) != 0)
		goto out;
	memcpy(mac4, h, 4);
	ret = 0;
out:
	OPENSSL_cleanse(h, sizeof(h));
	return ret;
}

int
hc_mac_alg3(const uint8_t key[16], const uint8_t *data, size_t len, uint8_t mac4[4])
{
	uint8_t h[8], t[8];
	int ret = -1;

	if (key == NULL || mac4 == NULL) {
		hc_log_error("bad argument");
		return -1;
	}
	/* ISO 9797-1 output transformation 3: H = E_K1(D_K2(H_q)) */
	if (des_cbc_last(key, data, len, h) != 0 ||
	    hc_des_ecb(key + 8, 0, h, 8, t) != 0 ||
	    hc_des_ecb(key, 1, t, 8, h) != 0)
		goto out;
	memcpy(mac4, h, 4);
	ret = 0;
out:
	OPENSSL_cleanse(h, sizeof(h));
	OPENSSL_cleanse(t, sizeof(t));
	return ret;
}

int
hc_des3_diversify(const uint8_t mk[16], const uint8_t factor[8], uint8_t out[16])
{
	uint8_t block[16];
	int ret = -1;
	size_t i;

	if (mk == NULL || factor == NULL || out == NULL) {
		hc_log_error("bad argument");
		return -1;
	}
	/* purse.md: card key = 3DES_MK(F) || 3DES_MK(~F) */
	for (i = 0; i < 8; i++) {
		block[i] = factor[i];
		block[8 + i] = (uint8_t)~factor[i];
	}
	if (hc_des3_ecb(mk, 1, block, sizeof(block), out) != 0)
		goto out;
	ret = 0;
out:
	OPENSSL_cleanse(block, sizeof(block));
	return ret;
}
