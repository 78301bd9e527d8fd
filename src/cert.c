/* SAM / issuer certificates and trust anchors (card-profile.md §5). See src/cert.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apdu/buf.h"
#include "apdu/log.h"
#include "crypto/crypto.h"
#include "src/cert.h"
#include "src/codec.h"
#include "src/record_codec.h"

#define TRUST_MAX 16u
#define TRUST_LINE_MAX 2048u

struct hc_trust {
	size_t n;
	uint8_t ca_id[TRUST_MAX][4];
	uint8_t pub[TRUST_MAX][64];
};

int
hc_trust_new(hc_trust_t **out)
{
	if (out == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	*out = calloc(1, sizeof(**out));
	return *out != NULL ? HC_OK : HC_ERR_NO_MEMORY;
}

void
hc_trust_free(hc_trust_t **trust)
{
	if (trust == NULL || *trust == NULL)
		return;
	free(*trust);
	*trust = NULL;
}

int
hc_trust_add(hc_trust_t *trust, const uint8_t ca_id[4], const uint8_t pub[64])
{
	size_t i;

	if (trust == NULL || ca_id == NULL || pub == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	for (i = 0; i < trust->n; i++)
		if (memcmp(trust->ca_id[i], ca_id, 4) == 0)
			break;
	if (i == trust->n) {
		if (trust->n == TRUST_MAX)
			return HC_ERR_CONFIG;
		trust->n++;
	}
	memcpy(trust->ca_id[i], ca_id, 4);
	memcpy(trust->pub[i], pub, 64);
	return HC_OK;
}

const uint8_t *
hc_trust_find(const hc_trust_t *trust, const uint8_t ca_id[4])
{
	size_t i;

	if (trust == NULL || ca_id == NULL)
		return NULL;
	for (i = 0; i < trust->n; i++)
		if (memcmp(trust->ca_id[i], ca_id, 4) == 0)
			return trust->pub[i];
	return NULL;
}

/* A key-set line "ca.id HEX8" / "ca.pub HEX128" (the simulator's key-set files, see
 * doc/visit-records.md); other dotted names of a key set are skipped. 1 used, 0 skipped,
 * -1 malformed. */
static int
keyset_line(const char *name, const char *hex, uint8_t id[4], int *have_id, uint8_t pub[64],
            int *have_pub)
{
	if (strcmp(name, "ca.id") == 0) {
		if (strlen(hex) != 8 || hc_hex_decode(hex, id, 4) != 4)
			return -1;
		*have_id = 1;
		return 1;
	}
	if (strcmp(name, "ca.pub") == 0) {
		if (strlen(hex) != 128 || hc_hex_decode(hex, pub, 64) != 64)
			return -1;
		*have_pub = 1;
		return 1;
	}
	return 0;
}

int
hc_trust_load(hc_trust_t *trust, const char *path)
{
	FILE *f = NULL;
	char line[TRUST_LINE_MAX], first[64], second[160], extra[2];
	uint8_t id[4], pub[64], ks_id[4], ks_pub[64];
	unsigned lineno = 0, added = 0;
	int rc = HC_ERR_INVALID_ARGUMENT, have_id = 0, have_pub = 0, k;

	if (trust == NULL || path == NULL)
		goto out;
	f = fopen(path, "r");
	if (f == NULL) {
		/* a trust anchor that is not there is a configuration error (hcard.conf
		 * trust_anchor); other failures to read it are I/O errors */
		hc_log_error("trust anchor %s: %s", path, strerror(errno));
		rc = errno == ENOENT || errno == ENOTDIR ? HC_ERR_CONFIG : HC_ERR_IO;
		goto out;
	}
	rc = HC_ERR_CONFIG;
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			hc_log_error("%s:%u: line too long", path, lineno);
			goto out;
		}
		if (line[strspn(line, " \t\r\n")] == '\0' || line[strspn(line, " \t")] == '#')
			continue;
		if (sscanf(line, "%63s", first) == 1 && strchr(first, '.') != NULL &&
		    strncmp(first, "ca.", 3) != 0)
			continue;           /* another key of a key-set file */
		if (sscanf(line, "%63s %159s %1s", first, second, extra) != 2) {
			hc_log_error("%s:%u: expected two fields", path, lineno);
			goto out;
		}
		if (strchr(first, '.') != NULL) {
			k = keyset_line(first, second, ks_id, &have_id, ks_pub, &have_pub);
			if (k < 0) {
				hc_log_error("%s:%u: bad %s", path, lineno, first);
				goto out;
			}
			if (have_id && have_pub) {
				if ((rc = hc_trust_add(trust, ks_id, ks_pub)) != HC_OK)
					goto out;
				rc = HC_ERR_CONFIG;
				have_id = have_pub = 0;
				added++;
			}
			continue;
		}
		if (strlen(first) != 8 || strlen(second) != 128 ||
		    hc_hex_decode(first, id, sizeof(id)) != 4 ||
		    hc_hex_decode(second, pub, sizeof(pub)) != 64) {
			hc_log_error("%s:%u: expected \"CAID-HEX8 PUBKEY-HEX128\"", path, lineno);
			goto out;
		}
		if ((rc = hc_trust_add(trust, id, pub)) != HC_OK)
			goto out;
		rc = HC_ERR_CONFIG;
		added++;
	}
	if (ferror(f)) {
		rc = HC_ERR_IO;
		goto out;
	}
	if (added == 0 || have_id || have_pub) {
		hc_log_error("%s: no complete root key", path);
		goto out;
	}
	rc = HC_OK;
out:
	if (f != NULL)
		fclose(f);
	return rc;
}

/* Certificate fields in layout order; the offsets are the [PC] layout of §5. */
typedef struct cert_layout {
	size_t len, signed_len;
	size_t subject_len;       /* SAM: serial 10 + type 1; issuer: code 11 */
	size_t zeros;             /* filler after the public key */
} cert_layout_t;

static const cert_layout_t sam_layout = { HC_CERT_SAM_LEN, HC_CERT_SAM_SIGNED, 11, 37 };
static const cert_layout_t issuer_layout = { HC_CERT_ISSUER_LEN, HC_CERT_ISSUER_SIGNED, 11, 27 };

/* Common fields; subject points at the subject bytes. */
static int
parse_common(const cert_layout_t *l, const uint8_t *p, size_t len, uint8_t ca_id[4],
             const uint8_t **subject, char nb[9], char na[9], uint8_t pub[64], uint8_t sig[64])
{
	hc_reader_t r;
	uint8_t version, curve, b;
	const uint8_t *dates;
	size_t i;

	if (p == NULL || len != l->len) {
		hc_log_error("certificate: %zu bytes, expected %zu", len, l->len);
		return -1;
	}
	hc_reader_init(&r, p, len);
	if (hc_get_u8(&r, &version) != 0 || version != 0x01 ||
	    hc_get_bytes(&r, ca_id, 4) != 0 ||
	    hc_get_ptr(&r, subject, l->subject_len) != 0 ||
	    hc_get_ptr(&r, &dates, 8) != 0 ||
	    hc_get_u8(&r, &curve) != 0 || curve != 0x01 ||
	    hc_get_bytes(&r, pub, 64) != 0) {
		hc_log_error("certificate: bad version or curve");
		return -1;
	}
	for (i = 0; i < l->zeros; i++)
		if (hc_get_u8(&r, &b) != 0 || b != 0) {
			hc_log_error("certificate: filler not zero");
			return -1;
		}
	if (r.off != l->signed_len || hc_get_bytes(&r, sig, 64) != 0 || hc_reader_left(&r) != 0)
		return -1;
	if (hc_codec_date_decode(dates, 4, nb, 9) != HC_OK ||
	    hc_codec_date_decode(dates + 4, 4, na, 9) != HC_OK || nb[0] == '\0' ||
	    na[0] == '\0' || strcmp(nb, na) > 0) {
		hc_log_error("certificate: bad validity dates");
		return -1;
	}
	return 0;
}

int
hc_cert_sam_parse(const uint8_t *p, size_t len, hc_cert_sam_t *out)
{
	const uint8_t *subj = NULL;
	hc_cert_sam_t c;
	size_t i, n;
	int rc = HC_ERR_CERTIFICATE;

	memset(&c, 0, sizeof(c));
	if (out == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	if (parse_common(&sam_layout, p, len, c.ca_id, &subj, c.not_before, c.not_after,
	                 c.pub, c.sig) != 0)
		goto out;
	for (n = 0; n < 10 && subj[n] != 0; n++)
		if (subj[n] < 0x20 || subj[n] > 0x7E) {
			hc_log_error("SAM certificate: serial not printable");
			goto out;
		}
	for (i = n; i < 10; i++)
		if (subj[i] != 0)
			goto out;
	memcpy(c.serial, subj, n);
	c.serial[n] = '\0';
	c.sam_type = subj[10];
	if (c.sam_type < 1 || c.sam_type > 5) {
		hc_log_error("SAM certificate: type %d", c.sam_type);
		goto out;
	}
	*out = c;
	rc = HC_OK;
out:
	return rc;
}

int
hc_cert_issuer_parse(const uint8_t *p, size_t len, hc_cert_issuer_t *out)
{
	const uint8_t *subj = NULL;
	hc_cert_issuer_t c;
	int rc = HC_ERR_CERTIFICATE;

	memset(&c, 0, sizeof(c));
	if (out == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	if (parse_common(&issuer_layout, p, len, c.ca_id, &subj, c.not_before, c.not_after,
	                 c.pub, c.sig) != 0)
		goto out;
	if (hc_codec_cn_decode_digits(subj, 11, c.issuer_code, sizeof(c.issuer_code)) != HC_OK ||
	    c.issuer_code[0] == '\0') {
		hc_log_error("issuer certificate: bad issuer code");
		goto out;
	}
	*out = c;
	rc = HC_OK;
out:
	return rc;
}

/* CA signature over p[0..signed_len) and validity against today. */
static int
check_chain(const uint8_t *p, size_t signed_len, const uint8_t ca_id[4], const uint8_t sig[64],
            const char *nb, const char *na, const hc_trust_t *trust, const char *today)
{
	const uint8_t *root;
	uint8_t e[32];
	char now[9];
	int rc = HC_ERR_CERTIFICATE;

	root = hc_trust_find(trust, ca_id);
	if (root == NULL) {
		hc_log_error("certificate: CA %02X%02X%02X%02X not trusted",
		             ca_id[0], ca_id[1], ca_id[2], ca_id[3]);
		goto out;
	}
	if (hc_sm3(p, signed_len, e) != 0) {
		rc = HC_ERR_INTERNAL;
		goto out;
	}
	if (hc_sm2_verify_e(root, e, sig) != 0) {
		hc_log_error("certificate: CA signature does not verify");
		goto out;
	}
	if (today == NULL) {
		hc_codec_today(now);
		today = now;
	}
	if (strcmp(today, nb) < 0 || strcmp(today, na) > 0) {
		hc_log_error("certificate: valid %s..%s, today %s", nb, na, today);
		goto out;
	}
	rc = HC_OK;
out:
	return rc;
}

int
hc_cert_sam_verify(const uint8_t *p, size_t len, const hc_trust_t *trust,
                   const char *today, hc_cert_sam_t *out)
{
	hc_cert_sam_t c;
	int rc;

	if (trust == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	rc = hc_cert_sam_parse(p, len, &c);
	if (rc == HC_OK)
		rc = check_chain(p, HC_CERT_SAM_SIGNED, c.ca_id, c.sig, c.not_before, c.not_after,
		                 trust, today);
	if (rc == HC_OK && out != NULL)
		*out = c;
	return rc;
}

int
hc_cert_issuer_verify(const uint8_t *p, size_t len, const hc_trust_t *trust,
                      const char *today, hc_cert_issuer_t *out)
{
	hc_cert_issuer_t c;
	int rc;

	if (trust == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	rc = hc_cert_issuer_parse(p, len, &c);
	if (rc == HC_OK)
		rc = check_chain(p, HC_CERT_ISSUER_SIGNED, c.ca_id, c.sig, c.not_before,
		                 c.not_after, trust, today);
	if (rc == HC_OK && out != NULL)
		*out = c;
	return rc;
}
