/*
 * libhcard: the PKI application (pki.md). Every APDU goes through the card session
 * (src/session.h), which selects the application once and counts APDUs.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apdu/apdu.h"
#include "apdu/buf.h"
#include "apdu/log.h"
#include "apdu/pinpad.h"
#include "apdu/sw.h"
#include "apdu/tlv.h"
#include "apdu/transport.h"
#include "crypto/crypto.h"
#include "hcard_pki.h"
#include "src/session.h"
#include "src/session_sec.h"

#define PKI_CHUNK 256u          /* READ BINARY Le 00 */
#define PKI_WRITE_CHUNK 255u    /* UPDATE BINARY short Lc */
#define PKI_PIN_BLOCK 6u

/* pki.md key table: reference, algorithm byte, certificate FID. Data, not code. */
typedef struct pki_key_info {
	int key;
	uint8_t alg;
	uint8_t cert_fid[2];
} pki_key_info_t;

static const pki_key_info_t key_table[] = {
	{ HC_PKI_KEY_AUTH, 0x01, { 0xC0, 0x01 } },
	{ HC_PKI_KEY_SIGN, 0x02, { 0xC0, 0x02 } },
};

static const pki_key_info_t *
key_info(int key)
{
	size_t i;

	for (i = 0; i < sizeof(key_table) / sizeof(key_table[0]); i++)
		if (key_table[i].key == key)
			return &key_table[i];
	return NULL;
}

/* Maps the PIN-related SWs of VERIFY / PSO to the purse's PIN errors. */
static int
pin_err(uint16_t sw, int err, int *tries_left)
{
	int left = hc_sw_tries_left(sw);

	if (tries_left != NULL)
		*tries_left = left;
	if (left >= 0)
		return HC_ERR_PIN_WRONG;
	if (sw == 0x6983) {
		if (tries_left != NULL)
			*tries_left = 0;
		return HC_ERR_PIN_BLOCKED;
	}
	return err;
}

static int
cmd(hc_card_t *card, const hc_apdu_t *a, hc_resp_t **resp, uint16_t *sw)
{
	*resp = hc_session_resp(card);
	hc_resp_clear(*resp);
	return hc_session_card_cmd(card, a, *resp, sw);
}

int
hc_pki_select(hc_card_t *card)
{
	if (card == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	return hc_session_select(card, HC_APP_PKI);
}

/* 7F49 { 86 41 04 X Y } -> X || Y. */
static int
parse_pub(const uint8_t *p, size_t n, uint8_t pub[64])
{
	hc_tlv_t t, pt;

	if (hc_ber_parse(p, n, &t) != 0 || t.tag != 0x7F49 ||
	    hc_ber_find(t.value, t.len, 0x86, &pt) != 0 || pt.len != 65 || pt.value[0] != 0x04) {
		hc_log_error("malformed public key template");
		return HC_ERR_MALFORMED_RESPONSE;
	}
	memcpy(pub, pt.value + 1, 64);
	return HC_OK;
}

int
hc_pki_read_public_key(hc_card_t *card, int key, uint8_t pub[64])
{
	const pki_key_info_t *ki = key_info(key);
	uint8_t data[5] = { 0xAC, 0x03, 0x84, 0x01, 0x00 };
	hc_apdu_t a = { 0x00, 0x47, 0x81, 0x00, data, sizeof(data), 256, 1, 0, 0 };
	hc_resp_t *resp = NULL;
	uint16_t sw = 0;
	int err;

	if (card == NULL || ki == NULL || pub == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	data[4] = (uint8_t)ki->key;
	if ((err = hc_session_select(card, HC_APP_PKI)) != HC_OK)
		return err;
	if ((err = cmd(card, &a, &resp, &sw)) != HC_OK)
		return err;
	return parse_pub(resp->data, resp->len, pub);
}

/* Length of the DER SEQUENCE at the start of p (header + content), 0 if not one. */
static size_t
der_length(const uint8_t *p, size_t n)
{
	hc_reader_t r;
	uint8_t tag = 0, l0 = 0, b = 0;
	size_t len = 0, hdr = 2, i;

	hc_reader_init(&r, p, n);
	if (hc_get_u8(&r, &tag) != 0 || tag != 0x30 || hc_get_u8(&r, &l0) != 0)
		return 0;
	if (l0 < 0x80) {
		len = l0;
	} else {
		if (l0 != 0x81 && l0 != 0x82)
			return 0;
		for (i = 0; i < (size_t)(l0 & 0x7F); i++) {
			if (hc_get_u8(&r, &b) != 0)
				return 0;
			len = (len << 8) | b;
			hdr++;
		}
	}
	return hdr + len;
}

static int
select_cert(hc_card_t *card, const pki_key_info_t *ki)
{
	int err;

	if ((err = hc_session_select(card, HC_APP_PKI)) != HC_OK)
		return err;
	/* through the session, which remembers the current EF */
	return hc_session_select_ef(card, (uint16_t)(ki->cert_fid[0] << 8 | ki->cert_fid[1]));
}

static int
read_certificate(hc_card_t *card, const pki_key_info_t *ki, uint8_t *der, size_t cap,
                 size_t *len)
{
	hc_apdu_t a = { 0x00, 0xB0, 0x00, 0x00, NULL, 0, PKI_CHUNK, 1, 0, 0 };
	hc_resp_t *resp = NULL;
	uint16_t sw = 0;
	size_t total = 0, got = 0, want;
	unsigned rounds;
	int err;

	*len = 0;
	if ((err = select_cert(card, ki)) != HC_OK)
		return err;
	/* bounded: the EF holds at most HC_PKI_CERT_MAX bytes */
	for (rounds = 0; rounds <= HC_PKI_CERT_MAX / PKI_CHUNK; rounds++) {
		want = total == 0 ? PKI_CHUNK : total - got;
		if (want > PKI_CHUNK)
			want = PKI_CHUNK;
		a.p1 = (uint8_t)(got >> 8);
		a.p2 = (uint8_t)got;
		a.le = want;
		err = cmd(card, &a, &resp, &sw);
		if (err != HC_OK && sw != 0x6282)
			return err;
		if (resp->len == 0 || resp->len > want || resp->len > cap - got)
			return resp->len > cap - got ? HC_ERR_BUFFER_TOO_SMALL : HC_ERR_MALFORMED_RESPONSE;
		memcpy(der + got, resp->data, resp->len);
		got += resp->len;
		if (total == 0) {
			total = der_length(der, got);
			if (total == 0 || total > HC_PKI_CERT_MAX) {
				hc_log_debug("certificate EF %02X%02X holds no certificate",
				             ki->cert_fid[0], ki->cert_fid[1]);
				return HC_ERR_CERTIFICATE;
			}
			if (total > cap)
				return HC_ERR_BUFFER_TOO_SMALL;
		}
		if (got >= total) {
			*len = total;
			return HC_OK;
		}
		if (sw == 0x6282)
			return HC_ERR_CERTIFICATE;  /* the EF ended inside the certificate */
	}
	return HC_ERR_RESPONSE_TOO_LONG;
}

int
hc_pki_read_certificate(hc_card_t *card, int key, uint8_t *der, size_t cap, size_t *len)
{
	const pki_key_info_t *ki = key_info(key);
	int err, end;

	if (card == NULL || ki == NULL || der == NULL || len == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	/* SELECT of the EF and its READ BINARYs in one short transaction */
	if ((err = hc_session_begin(card)) != HC_OK)
		return err;
	err = read_certificate(card, ki, der, cap, len);
	end = hc_session_end(card);
	return err != HC_OK ? err : end;
}

/* purse.md PIN block: BCD digits left-justified, F-padded, 6 bytes. */
static int
pin_block(const char *pin, uint8_t block[PKI_PIN_BLOCK])
{
	size_t n, i;

	if (pin == NULL)
		return HC_ERR_PIN_FORMAT;
	n = strnlen(pin, 13);
	if (n < 4 || n > 12)
		return HC_ERR_PIN_FORMAT;
	memset(block, 0xFF, PKI_PIN_BLOCK);
	for (i = 0; i < n; i++) {
		if (pin[i] < '0' || pin[i] > '9') {
			hc_wipe(block, PKI_PIN_BLOCK);
			return HC_ERR_PIN_FORMAT;
		}
		if (i % 2 == 0)
			block[i / 2] = (uint8_t)(((pin[i] - '0') << 4) | 0x0F);
		else
			block[i / 2] = (uint8_t)((block[i / 2] & 0xF0) | (pin[i] - '0'));
	}
	return HC_OK;
}

int
hc_pki_verify_pin(hc_card_t *card, const char *pin, int *tries_left)
{
	uint8_t block[PKI_PIN_BLOCK];
	hc_apdu_t a = { 0x00, 0x20, 0x00, 0x00, block, sizeof(block), 0, 0, 0, 1 };
	hc_resp_t *resp = NULL;
	uint16_t sw = 0;
	int err;

	if (tries_left != NULL)
		*tries_left = -1;
	if (card == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	if ((err = pin_block(pin, block)) != HC_OK)
		return err;
	if ((err = hc_session_select(card, HC_APP_PKI)) != HC_OK)
		goto out;
	/* a verified PIN must not outlive this session: end it with a card reset (spec-notes) */
	hc_transport_set_reset_on_close(hc_session_card_io(card), 1);
	err = cmd(card, &a, &resp, &sw);
	if (err != HC_OK)
		err = pin_err(sw, err, tries_left);
out:
	hc_wipe(block, sizeof(block));
	return err;
}

int
hc_pki_has_pinpad(hc_card_t *card, int *has)
{
	if (has != NULL)
		*has = 0;
	if (card == NULL || has == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	return hc_transport_has_pinpad(hc_session_card_io(card), has);
}

/* The pad verify, inside the caller's transaction. */
static int
verify_pin_pad(hc_card_t *card, int *tries_left)
{
	hc_apdu_t status = { 0x00, 0x20, 0x00, 0x00, NULL, 0, 0, 0, 0, 0 };
	hc_resp_t *resp = NULL;
	uint16_t sw = 0;
	int err;

	if ((err = hc_session_select(card, HC_APP_PKI)) != HC_OK)
		return err;
	/* purse.md: VERIFY without data, 9000 or 63Cx; 6983 (blocked) ends here, untyped */
	if ((err = cmd(card, &status, &resp, &sw)) != HC_OK && hc_sw_tries_left(sw) <= 0)
		return pin_err(sw, err, tries_left);
	if ((err = hc_session_pin_pad(card, HC_PKI_PINPAD_TIMEOUT_S, &sw)) != HC_OK)
		return err;                         /* reader-side end: nothing reached the card */
	if (sw == HC_SW_OK)
		return HC_OK;
	return pin_err(sw, hc_sw_to_err(sw), tries_left);
}

int
hc_pki_verify_pin_pad(hc_card_t *card, int *tries_left)
{
	int err, end, has = 0;

	if (tries_left != NULL)
		*tries_left = -1;
	if (card == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	if ((err = hc_pki_has_pinpad(card, &has)) != HC_OK)
		return err;
	if (!has)
		return HC_ERR_NO_PINPAD;
	/* one transaction: nobody selects another application between status and VERIFY; it
	 * holds the card while the cardholder types (doc/spec-notes.md "PIN pads") */
	if ((err = hc_session_begin(card)) != HC_OK)
		return err;
	err = verify_pin_pad(card, tries_left);
	end = hc_session_end(card);
	return err != HC_OK ? err : end;
}

int
hc_pki_change_pin(hc_card_t *card, const char *old_pin, const char *new_pin, int *tries_left)
{
	uint8_t data[2 * PKI_PIN_BLOCK + 1];
	hc_apdu_t a = { 0x80, 0x5E, 0x01, 0x00, data, sizeof(data), 0, 0, 0, 1 };
	hc_resp_t *resp = NULL;
	uint16_t sw = 0;
	int err;

	if (tries_left != NULL)
		*tries_left = -1;
	if (card == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	data[PKI_PIN_BLOCK] = 0xFF;
	if ((err = pin_block(old_pin, data)) != HC_OK ||
	    (err = pin_block(new_pin, data + PKI_PIN_BLOCK + 1)) != HC_OK)
		goto out;
	if ((err = hc_session_select(card, HC_APP_PKI)) != HC_OK)
		goto out;
	hc_transport_set_reset_on_close(hc_session_card_io(card), 1);   /* as for VERIFY */
	if ((err = cmd(card, &a, &resp, &sw)) != HC_OK)
		err = pin_err(sw, err, tries_left);
out:
	hc_wipe(data, sizeof(data));
	return err;
}

int
hc_pki_pin_status(hc_card_t *card, int *verified, int *tries_left)
{
	hc_apdu_t a = { 0x00, 0x20, 0x00, 0x00, NULL, 0, 0, 0, 0, 0 };
	hc_resp_t *resp = NULL;
	uint16_t sw = 0;
	int err, left = -1;

	if (card == NULL || verified == NULL || tries_left == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	*verified = 0;
	*tries_left = -1;
	if ((err = hc_session_select(card, HC_APP_PKI)) != HC_OK)
		return err;
	err = cmd(card, &a, &resp, &sw);
	if (err == HC_OK) {
		*verified = 1;
		return HC_OK;
	}
	err = pin_err(sw, err, &left);
	*tries_left = left;
	return err == HC_ERR_PIN_WRONG ? HC_OK : err;
}

int
hc_pki_sign(hc_card_t *card, int key, const uint8_t in[32], uint8_t sig[64])
{
	const pki_key_info_t *ki = key_info(key);
	uint8_t mse[6] = { 0x84, 0x01, 0x00, 0x80, 0x01, 0x00 };
	hc_apdu_t a_mse = { 0x00, 0x22, 0x41, 0xB6, mse, sizeof(mse), 0, 0, 0, 0 };
	hc_apdu_t a_pso = { 0x00, 0x2A, 0x9E, 0x9A, in, 32, 64, 1, 0, 0 };
	hc_resp_t *resp = NULL;
	uint16_t sw = 0;
	int err, end;

	if (card == NULL || ki == NULL || in == NULL || sig == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	mse[2] = (uint8_t)ki->key;
	mse[5] = ki->alg;
	/* one short transaction: no other application may SELECT between MSE and PSO */
	if ((err = hc_session_begin(card)) != HC_OK)
		return err;
	if ((err = hc_session_select(card, HC_APP_PKI)) != HC_OK ||
	    (err = cmd(card, &a_mse, &resp, &sw)) != HC_OK)
		goto out;
	if ((err = cmd(card, &a_pso, &resp, &sw)) != HC_OK) {
		if (sw == 0x6983)
			err = HC_ERR_PIN_BLOCKED;
		goto out;
	}
	if (resp->len != 64) {
		err = HC_ERR_MALFORMED_RESPONSE;
		goto out;
	}
	memcpy(sig, resp->data, 64);
out:
	if (resp != NULL)
		hc_resp_clear(resp);
	end = hc_session_end(card);
	return err != HC_OK ? err : end;
}

int
hc_pki_verify(int key, const uint8_t pub[64], const uint8_t in[32], const uint8_t sig[64])
{
	const pki_key_info_t *ki = key_info(key);
	int rc;

	if (ki == NULL || pub == NULL || in == NULL || sig == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	rc = ki->alg == 0x02 ? hc_sm2_verify_e(pub, in, sig) : hc_p256_verify(pub, in, sig);
	return rc == 0 ? HC_OK : HC_ERR_SIGNATURE;
}

int
hc_pki_sm2_z(const uint8_t pub[64], uint8_t z[32])
{
	if (pub == NULL || z == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	return hc_sm2_z(pub, NULL, 0, z) == 0 ? HC_OK : HC_ERR_INTERNAL;
}

int
hc_pki_sm2_e(const uint8_t pub[64], const uint8_t *msg, size_t len, uint8_t e[32])
{
	uint8_t *buf = NULL;
	int err = HC_ERR_INTERNAL;

	if (pub == NULL || e == NULL || (msg == NULL && len > 0) || len > SIZE_MAX - 32)
		return HC_ERR_INVALID_ARGUMENT;
	if ((buf = malloc(32 + len)) == NULL)
		return HC_ERR_NO_MEMORY;
	/* GB/T 32918.2: e = SM3(Z || M) */
	if (hc_sm2_z(pub, NULL, 0, buf) != 0)
		goto out;
	if (len > 0)
		memcpy(buf + 32, msg, len);
	if (hc_sm3(buf, 32 + len, e) == 0)
		err = HC_OK;
out:
	hc_wipe(buf, 32 + len);
	free(buf);
	return err;
}

int
hc_pki_random(hc_card_t *card, uint8_t *out, size_t len)
{
	hc_apdu_t a = { 0x00, 0x84, 0x00, 0x00, NULL, 0, 8, 1, 0, 0 };
	hc_resp_t *resp = NULL;
	uint16_t sw = 0;
	size_t got = 0, n;
	int err = HC_OK;

	if (card == NULL || (out == NULL && len > 0) || len > 4096)
		return HC_ERR_INVALID_ARGUMENT;
	while (got < len) {   /* bounded: len <= 4096 */
		if ((err = cmd(card, &a, &resp, &sw)) != HC_OK)
			break;
		if (resp->len != 8) {
			err = HC_ERR_MALFORMED_RESPONSE;
			break;
		}
		n = len - got < 8 ? len - got : 8;
		memcpy(out + got, resp->data, n);
		got += n;
	}
	if (resp != NULL)
		hc_resp_clear(resp);
	return err;
}

int
hc_pki_generate_key(hc_card_t *card, int key, uint8_t pub[64])
{
	const pki_key_info_t *ki = key_info(key);
	uint8_t data[8] = { 0xAC, 0x06, 0x80, 0x01, 0x00, 0x84, 0x01, 0x00 };
	hc_apdu_t a = { 0x00, 0x47, 0x80, 0x00, data, sizeof(data), 256, 1, 0, 0 };
	hc_resp_t *resp = NULL;
	uint16_t sw = 0;
	int err;

	if (card == NULL || ki == NULL || pub == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	data[4] = ki->alg;
	data[7] = (uint8_t)ki->key;
	if ((err = hc_session_select(card, HC_APP_PKI)) != HC_OK)
		return err;
	if ((err = cmd(card, &a, &resp, &sw)) != HC_OK)
		return err;
	return parse_pub(resp->data, resp->len, pub);
}

int
hc_pki_write_certificate(hc_card_t *card, int key, const uint8_t *der, size_t len)
{
	const pki_key_info_t *ki = key_info(key);
	uint8_t chunk[PKI_WRITE_CHUNK];
	hc_apdu_t a = { 0x00, 0xD6, 0x00, 0x00, chunk, 0, 0, 0, 0, 0 };
	hc_resp_t *resp = NULL;
	uint16_t sw = 0;
	size_t off, n;
	int err;

	if (card == NULL || ki == NULL || der == NULL || len == 0 || len > HC_PKI_CERT_MAX ||
	    der_length(der, len) != len)
		return HC_ERR_INVALID_ARGUMENT;
	if ((err = select_cert(card, ki)) != HC_OK)
		return err;
	/* the certificate, then 00s to the end of the EF (pki.md) */
	for (off = 0; off < HC_PKI_CERT_MAX; off += n) {
		n = HC_PKI_CERT_MAX - off;
		if (n > PKI_WRITE_CHUNK)
			n = PKI_WRITE_CHUNK;
		memset(chunk, 0, sizeof(chunk));
		if (off < len)
			memcpy(chunk, der + off, len - off < n ? len - off : n);
		a.p1 = (uint8_t)(off >> 8);
		a.p2 = (uint8_t)off;
		a.lc = n;
		if ((err = cmd(card, &a, &resp, &sw)) != HC_OK)
			return err;
	}
	return HC_OK;
}
