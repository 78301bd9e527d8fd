/*
 * Crypto helpers over OpenSSL 3 (libcrypto), shared by the middleware and the simulator.
 * Every function returns 0 on success, -1 on failure (logged with its reason). Keys and
 * intermediate buffers are wiped (OPENSSL_cleanse) on every path.
 */
#ifndef HC_CRYPTO_H
#define HC_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

/* SM4 (GB/T 32907), 16-byte key; ECB over whole blocks (len multiple of 16). */
int hc_sm4_ecb(const uint8_t key[16], int encrypt, const uint8_t *in, size_t len, uint8_t *out);
/* card-profile.md §4: D(K, f) = SM4_K(f || ~f), 8-byte factor -> 16-byte key. */
int hc_sm4_diversify(const uint8_t key[16], const uint8_t factor[8], uint8_t out[16]);
/* SM4-CBC-MAC from iv over data padded by ISO 9797-1 method 2; full last block into mac16. */
int hc_sm4_cbc_mac(const uint8_t key[16], const uint8_t iv[16], const uint8_t *data, size_t len,
                   uint8_t mac16[16]);
/* Pads with 80 00.. to a multiple of block (ISO 9797-1 method 2, always adds 80). Returns
 * the padded length or 0 if it does not fit cap. */
size_t hc_pad_m2(uint8_t *buf, size_t len, size_t cap, size_t block);

/* SM3 (GB/T 32905). */
int hc_sm3(const uint8_t *data, size_t len, uint8_t out[32]);

/* SM2 (GB/T 32918) keys as raw big-endian: private d (32), public X || Y (64). */
int hc_sm2_keygen(uint8_t priv[32], uint8_t pub[64]);
int hc_sm2_pub_from_priv(const uint8_t priv[32], uint8_t pub[64]);
/* Signs e (32 bytes, already the hash; no Z) -> r || s (64). */
int hc_sm2_sign_e(const uint8_t priv[32], const uint8_t e[32], uint8_t sig[64]);
/* 0 if sig verifies for e under pub, -1 otherwise. */
int hc_sm2_verify_e(const uint8_t pub[64], const uint8_t e[32], const uint8_t sig[64]);
/* Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA) (GB/T 32918.2), default id
 * "1234567812345678" when id is NULL. */
int hc_sm2_z(const uint8_t pub[64], const uint8_t *id, size_t id_len, uint8_t z[32]);

/* ECDSA P-256 raw keys. */
int hc_p256_keygen(uint8_t priv[32], uint8_t pub[64]);
int hc_p256_sign(const uint8_t priv[32], const uint8_t hash[32], uint8_t sig[64]);
int hc_p256_verify(const uint8_t pub[64], const uint8_t hash[32], const uint8_t sig[64]);

/* DES / 3DES (purse.md). des: 8-byte key; des3: 16-byte two-key EDE. ECB over 8-byte blocks. */
int hc_des_ecb(const uint8_t key[8], int encrypt, const uint8_t *in, size_t len, uint8_t *out);
int hc_des3_ecb(const uint8_t key[16], int encrypt, const uint8_t *in, size_t len, uint8_t *out);
/* ISO 9797-1 algorithm 1 (DES-CBC MAC, IV 0, padding method 2), first 4 bytes. */
int hc_mac_alg1(const uint8_t key[8], const uint8_t *data, size_t len, uint8_t mac4[4]);
/* ISO 9797-1 algorithm 3 (retail MAC, 16-byte key, IV 0, padding method 2), first 4 bytes. */
int hc_mac_alg3(const uint8_t key[16], const uint8_t *data, size_t len, uint8_t mac4[4]);
/* purse.md: card key = 3DES_MK(F) || 3DES_MK(~F). */
int hc_des3_diversify(const uint8_t mk[16], const uint8_t factor[8], uint8_t out[16]);

/* Random bytes from the OpenSSL DRBG. */
int hc_random(uint8_t *out, size_t len);

#endif
