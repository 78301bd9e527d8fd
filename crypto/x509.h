/*
 * X.509 certificates of a card's PKI keys (pki.md "Certificates"), shared by the issuer side
 * of libhcard (hc_pki_make_certificate) and the simulator's factory. Unlike crypto.h, these
 * return hc_err_t codes: the callers must tell a bad CA file from a bad subject.
 */
#ifndef HC_CRYPTO_X509_H
#define HC_CRYPTO_X509_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

/* A public key X || Y on SM2 (sm2 != 0) or P-256 as an EVP_PKEY; NULL when the point is not
 * on the curve (logged). Defined in crypto/ec.c. */
EVP_PKEY *hc_ec_public_pkey(int sm2, const uint8_t pub[64]);

/* What the certificate says. */
typedef struct hc_x509_leaf {
	int sm2;                     /* the key is on SM2 (key 02), else P-256 (key 01) */
	const uint8_t *pub;          /* X || Y, 64 bytes */
	const char *cn;              /* subject commonName, UTF-8 */
	const char *serial_number;   /* subject serialNumber (the card number), printable */
	const char *key_usage;       /* keyUsage as an OpenSSL config value, e.g. "critical,nonRepudiation" */
	unsigned int days;           /* valid from now for days (1..36500) */
} hc_x509_leaf_t;

/* Builds an X.509 v3 certificate for leaf (random positive 128-bit serial, CA:FALSE
 * critical, subject key identifier, authority key identifier by key id or, when the CA
 * certificate has none, by issuer and serial) signed by the CA of ca_key_path / ca_cert_path
 * (PEM): ecdsa-with-SHA256 by an EC CA, SM2-with-SM3 with Z over the default ID
 * 1234567812345678 by an SM2 CA. der (cap bytes) gets the DER, *len its length.
 * HC_ERR_CONFIG: CA files unreadable, not matching, or an SM2 leaf with a non-SM2 CA;
 * HC_ERR_INVALID_ARGUMENT: bad arguments or a subject that cannot be encoded;
 * HC_ERR_BUFFER_TOO_SMALL; HC_ERR_CERTIFICATE: key not on the curve or signing failed. */
int hc_x509_issue(const hc_x509_leaf_t *leaf, const char *ca_key_path, const char *ca_cert_path,
                  uint8_t *der, size_t cap, size_t *len);

#endif
