/*
 * hcard-sim: issuance of the PKI application's keys and certificates for test and demo cards
 * (pki.md "Certificates"), done by the factory with an OpenSSL CA given on the command line.
 * A real issuer does the same through the card (GENERATE ASYMMETRIC KEY PAIR, then UPDATE
 * BINARY of C001/C002 before activation), which libhcard offers as hc_pki_generate_key() and
 * hc_pki_write_certificate().
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "apdu/buf.h"
#include "apdu/log.h"
#include "crypto/x509.h"
#include "hcard_err.h"
#include "sim/pki.h"

#define CERT_DAYS (10u * 365u)

/* What each key's certificate looks like. Data, not code. */
typedef struct cert_profile {
	uint8_t ref;
	uint8_t alg;
	const char *ca_base;        /* CA files DIR/<base>.key and DIR/<base>.crt */
	const char *key_usage;      /* pki.md: 01 digitalSignature, 02 nonRepudiation */
} cert_profile_t;

static const cert_profile_t profiles[SIM_PKI_NKEYS] = {
	{ 0x01, SIM_PKI_ALG_P256, "p256-ca", "critical,digitalSignature" },
	{ 0x02, SIM_PKI_ALG_SM2, "sm2-ca", "critical,nonRepudiation" },
};

static int
issue_one(sim_card_t *card, const cert_profile_t *pr, const char *ca_dir, const char *name,
          const char *number)
{
	char key_path[PATH_MAX], crt_path[PATH_MAX];
	uint8_t pub[64], der[SIM_PKI_CERT_MAX];
	hc_x509_leaf_t leaf;
	size_t len = 0;
	int ef, ret = -1;

	if (snprintf(key_path, sizeof(key_path), "%s/%s.key", ca_dir, pr->ca_base) >=
	        (int)sizeof(key_path) ||
	    snprintf(crt_path, sizeof(crt_path), "%s/%s.crt", ca_dir, pr->ca_base) >=
	        (int)sizeof(crt_path)) {
		hc_log_error("CA directory name too long: %s", ca_dir);
		goto out;
	}
	if (sim_pki_generate(card, pr->ref) != 0 || sim_pki_key(card, pr->ref, pub, NULL) != 0)
		goto out;
	leaf.sm2 = pr->alg == SIM_PKI_ALG_SM2;
	leaf.pub = pub;
	leaf.cn = name;
	leaf.serial_number = number;
	leaf.key_usage = pr->key_usage;
	leaf.days = CERT_DAYS;
	if (hc_x509_issue(&leaf, key_path, crt_path, der, sizeof(der), &len) != HC_OK)
		goto out;
	if ((ef = sim_pki_cert_file(card, pr->ref)) < 0 || card->files[ef].size < (uint16_t)len)
		goto out;
	/* pki.md: the EF holds the DER certificate followed by 00s */
	memset(card->files[ef].data, 0, card->files[ef].size);
	memcpy(card->files[ef].data, der, len);
	sim_card_changed(card);
	ret = 0;
out:
	if (ret != 0)
		hc_log_error("issuing key %02X failed", pr->ref);
	return ret;
}

int
sim_pki_issue(sim_card_t *card, const char *ca_dir, const char *name, const char *number)
{
	size_t i;

	if (card == NULL || ca_dir == NULL)
		return -1;
	if (name == NULL)
		name = "\xE5\xBC\xA0\xE4\xB8\x89";     /* 张三 */
	if (number == NULL)
		number = "11010519491231002X";
	for (i = 0; i < SIM_PKI_NKEYS; i++) {
		if (issue_one(card, &profiles[i], ca_dir, name, number) != 0)
			return -1;
	}
	return 0;
}
