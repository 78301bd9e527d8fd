/*
 * libhcard: the issuer's X.509 v3 certificates of the card's PKI keys (pki.md "Certificates"):
 * subject CN = the cardholder's name (UTF-8), serialNumber = the card number; key 01 with
 * keyUsage digitalSignature, key 02 with keyUsage nonRepudiation; signed by the issuer CA
 * (PEM key and certificate files). The builder is crypto/x509.c, shared with the simulator's
 * factory.
 */
#include "config.h"

#include <stddef.h>

#include "crypto/x509.h"
#include "hcard_pki.h"

/* What each key's certificate looks like. Data, not code. */
typedef struct cert_kind {
	int key;
	int sm2;
	const char *key_usage;
} cert_kind_t;

static const cert_kind_t kinds[] = {
	{ HC_PKI_KEY_AUTH, 0, "critical,digitalSignature" },
	{ HC_PKI_KEY_SIGN, 1, "critical,nonRepudiation" },
};

int
hc_pki_make_certificate(int key, const uint8_t pub[64], const char *name,
    const char *card_number, const char *ca_key_path, const char *ca_cert_path,
    unsigned int days, uint8_t *der, size_t cap, size_t *len)
{
	hc_x509_leaf_t leaf;
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].key == key)
			break;
	if (i == sizeof(kinds) / sizeof(kinds[0]))
		return HC_ERR_INVALID_ARGUMENT;
	leaf.sm2 = kinds[i].sm2;
	leaf.pub = pub;
	leaf.cn = name;
	leaf.serial_number = card_number;
	leaf.key_usage = kinds[i].key_usage;
	leaf.days = days;
	return hc_x509_issue(&leaf, ca_key_path, ca_cert_path, der,
	                     cap < HC_PKI_CERT_MAX ? cap : HC_PKI_CERT_MAX, len);
}
