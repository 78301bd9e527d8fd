/*
 * Certificates of card-profile.md §5 [PC], built by the factory and the key-set generator.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "apdu/buf.h"
#include "apdu/log.h"
#include "crypto/crypto.h"
#include "sim/cert.h"

static void
put_bcd4(struct tm *tm, uint8_t out[4])
{
	int y = tm->tm_year + 1900, m = tm->tm_mon + 1, d = tm->tm_mday;

	out[0] = (uint8_t)(((y / 1000) % 10) << 4 | ((y / 100) % 10));
	out[1] = (uint8_t)(((y / 10) % 10) << 4 | (y % 10));
	out[2] = (uint8_t)((m / 10) << 4 | (m % 10));
	out[3] = (uint8_t)((d / 10) << 4 | (d % 10));
}

void
sim_cert_validity(time_t now, int years, uint8_t not_before[4], uint8_t not_after[4])
{
	struct tm tm;

	gmtime_r(&now, &tm);
	put_bcd4(&tm, not_before);
	tm.tm_year += years;
	if (tm.tm_mon == 1 && tm.tm_mday == 29)
		tm.tm_mday = 28;
	put_bcd4(&tm, not_after);
}

/* Signs out[0..signed_len) into out[signed_len..signed_len + 64). */
static int
sign_tail(uint8_t *out, size_t signed_len, const uint8_t ca_priv[32])
{
	uint8_t e[32];

	if (hc_sm3(out, signed_len, e) != 0 || hc_sm2_sign_e(ca_priv, e, out + signed_len) != 0)
		return -1;
	return 0;
}

int
sim_cert_make_sam(const sim_cert_info_t *info, const uint8_t ca_priv[32],
                  uint8_t out[SIM_SAM_CERT_LEN])
{
	hc_writer_t w;

	/* version 01 || CA id 4 || serial ans 10 || type 1 || not-before 4 || not-after 4 ||
	 * curve 01 || public key 64 || 00 x 37 || signature 64 over bytes 0-125 */
	hc_writer_init(&w, out, SIM_SAM_CERT_LEN);
	hc_put_u8(&w, 0x01);
	hc_put_bytes(&w, info->ca_id, 4);
	hc_put_bytes(&w, info->subject, 10);
	hc_put_u8(&w, info->sam_type);
	hc_put_bytes(&w, info->not_before, 4);
	hc_put_bytes(&w, info->not_after, 4);
	hc_put_u8(&w, 0x01);
	hc_put_bytes(&w, info->pub, 64);
	hc_put_fill(&w, 0x00, 37);
	if (!hc_writer_ok(&w) || w.len != SIM_SAM_CERT_SIGNED) {
		hc_log_error("SAM certificate layout");
		return -1;
	}
	return sign_tail(out, SIM_SAM_CERT_SIGNED, ca_priv);
}

int
sim_cert_make_issuer(const sim_cert_info_t *info, const uint8_t ca_priv[32],
                     uint8_t out[SIM_ISSUER_CERT_LEN])
{
	hc_writer_t w;

	/* version 01 || CA id 4 || issuer code cn 11 || not-before 4 || not-after 4 || curve 01
	 * || public key 64 || 00 x 27 || signature 64 over bytes 0-115 */
	hc_writer_init(&w, out, SIM_ISSUER_CERT_LEN);
	hc_put_u8(&w, 0x01);
	hc_put_bytes(&w, info->ca_id, 4);
	hc_put_bytes(&w, info->subject, 11);
	hc_put_bytes(&w, info->not_before, 4);
	hc_put_bytes(&w, info->not_after, 4);
	hc_put_u8(&w, 0x01);
	hc_put_bytes(&w, info->pub, 64);
	hc_put_fill(&w, 0x00, 27);
	if (!hc_writer_ok(&w) || w.len != SIM_ISSUER_CERT_SIGNED) {
		hc_log_error("issuer certificate layout");
		return -1;
	}
	return sign_tail(out, SIM_ISSUER_CERT_SIGNED, ca_priv);
}

int
sim_cert_verify(const uint8_t *cert, size_t len, const uint8_t ca_pub[64])
{
	size_t signed_len;
	uint8_t e[32];

	if (len == SIM_SAM_CERT_LEN)
		signed_len = SIM_SAM_CERT_SIGNED;
	else if (len == SIM_ISSUER_CERT_LEN)
		signed_len = SIM_ISSUER_CERT_SIGNED;
	else
		return -1;
	if (hc_sm3(cert, signed_len, e) != 0)
		return -1;
	return hc_sm2_verify_e(ca_pub, e, cert + signed_len);
}
