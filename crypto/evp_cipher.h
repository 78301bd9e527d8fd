/*
 * Internal to crypto/: one EVP cipher pass, shared by the SM4 and DES helpers.
 */
#ifndef HC_CRYPTO_EVP_CIPHER_H
#define HC_CRYPTO_EVP_CIPHER_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>

/* Runs cipher (no padding) over len bytes, a multiple of its block; iv may be NULL for ECB.
 * Returns 0 or -1 (logged). */
int hc_crypto_cipher(const EVP_CIPHER *cipher, const uint8_t *key, const uint8_t *iv,
                     int encrypt, const uint8_t *in, size_t len, uint8_t *out);

#endif
