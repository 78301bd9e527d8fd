/* Signed bytes and verification of visit records (card-profile.md §3 [PC], §5). */
#include "config.h"

#include <string.h>

#include "apdu/buf.h"
#include "apdu/log.h"
#include "crypto/crypto.h"
#include "src/visit_sign.h"

uint16_t
hc_visit_fid(hc_visit_kind_t kind, int slot)
{
	if (slot < 1 || slot > hc_visit_slots(kind))
		return 0;
	return (uint16_t)((kind == HC_VISIT_INPATIENT ? 0xEE00u : 0xED00u) + (unsigned)slot);
}

int
hc_visit_signed_bytes(const char *card_number, uint16_t fid, const uint8_t *data,
                      size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	hc_writer_t w;
	size_t n;

	if (card_number == NULL || data == NULL || out == NULL || out_len == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	n = strlen(card_number);
	if (n == 0 || n > HC_VISIT_CARD_NUMBER_LEN)
		return HC_ERR_INVALID_ARGUMENT;
	hc_writer_init(&w, out, cap);
	hc_put_bytes(&w, (const uint8_t *)card_number, n);
	hc_put_fill(&w, 0x00, HC_VISIT_CARD_NUMBER_LEN - n);
	hc_put_u16(&w, fid);
	hc_put_bytes(&w, data, len);
	if (!hc_writer_ok(&w))
		return HC_ERR_BUFFER_TOO_SMALL;
	*out_len = w.len;
	return HC_OK;
}

int
hc_visit_verify(const char *card_number, uint16_t fid, const uint8_t *data, size_t len,
                const uint8_t sig[HC_VISIT_SIG_LEN], const uint8_t cert[HC_VISIT_CERT_LEN],
                const hc_trust_t *trust, const char *today, hc_cert_sam_t *signer)
{
	uint8_t signed_bytes[HC_VISIT_SIGNED_MAX], e[32];
	size_t n = 0;
	hc_cert_sam_t c;
	int rc;

	if (sig == NULL || cert == NULL || trust == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	rc = hc_cert_sam_verify(cert, HC_VISIT_CERT_LEN, trust, today, &c);
	if (rc != HC_OK)
		goto out;
	rc = hc_visit_signed_bytes(card_number, fid, data, len, signed_bytes,
	                           sizeof(signed_bytes), &n);
	if (rc != HC_OK)
		goto out;
	if (hc_sm3(signed_bytes, n, e) != 0) {
		rc = HC_ERR_INTERNAL;
		goto out;
	}
	if (hc_sm2_verify_e(c.pub, e, sig) != 0) {
		hc_log_error("visit record %04X: signature does not verify", fid);
		rc = HC_ERR_SIGNATURE;
		goto out;
	}
	if (signer != NULL)
		*signer = c;
	rc = HC_OK;
out:
	hc_wipe(signed_bytes, sizeof(signed_bytes));
	return rc;
}
