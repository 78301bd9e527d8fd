/* Whole-file reads and element writes (health_io.h), card-profile.md §2 and §4. */
#include "config.h"

#include <string.h>

#include "apdu/buf.h"
#include "apdu/log.h"
#include "apdu/sw.h"
#include "src/context.h"
#include "src/health_io.h"
#include "src/session_sec.h"

#define SHORT_LE 256u
#define EXTENDED_LE 65536u
#define CHUNK 256u
#define WRITE_CHUNK 255u

static int
read_right(hc_card_t *card, const hc_file_def_t *f)
{
	if (f->read_key == HC_KEY_NONE)
		return hc_session_select(card, f->app);
	return hc_session_external_auth(card, f->read_key);
}

/* Bytes of all records of f as the card stores them. */
static size_t
file_bytes(const hc_file_def_t *f)
{
	if (f->kind == HC_FILE_VARIABLE)
		return hc_profile_record_bytes(f);
	return (size_t)f->size * f->records;
}

static size_t
record_count(const hc_file_def_t *f)
{
	return f->kind == HC_FILE_VARIABLE ? f->n_elements : f->records;
}

int
hc_io_read_records(hc_card_t *card, const hc_file_def_t *f, uint8_t *out, size_t cap, size_t *len)
{
	const hc_chip_profile_t *chip = hc_session_chip(card);
	hc_apdu_t a = { 0x00, 0xB2, 0x01, 0, NULL, 0, SHORT_LE, 1, 0, 0 };
	hc_resp_t *resp = hc_session_resp(card);
	size_t want = file_bytes(f), n, i;
	uint16_t sw = 0;
	int rc;

	*len = 0;
	if (f->kind == HC_FILE_BINARY || want > cap)
		return HC_ERR_INVALID_ARGUMENT;
	if ((rc = read_right(card, f)) != HC_OK)
		return rc;
	if (chip->read_all_records && (want <= SHORT_LE || chip->extended_length)) {
		/* §2: P2 b3-b1 = 101, all records from P1 to the last, in one APDU */
		a.p2 = (uint8_t)(f->sfi << 3 | 0x05);
		a.le = want <= SHORT_LE ? SHORT_LE : EXTENDED_LE;
		rc = hc_session_card_cmd(card, &a, resp, &sw);
		if (rc == HC_OK && resp->len > cap)
			rc = HC_ERR_MALFORMED_RESPONSE;
		if (rc == HC_OK) {
			memcpy(out, resp->data, resp->len);
			*len = resp->len;
		}
		hc_resp_clear(resp);
		return rc;
	}
	/* one READ RECORD per record (P2 b3-b1 = 100), bounded by the profile's count */
	n = record_count(f);
	a.p2 = (uint8_t)(f->sfi << 3 | 0x04);
	for (i = 1; i <= n; i++) {
		a.p1 = (uint8_t)i;
		rc = hc_session_card_cmd(card, &a, resp, &sw);
		if (rc == HC_ERR_RECORD_NOT_FOUND && i > 1) {
			rc = HC_OK;        /* fewer records than the profile lists */
			break;
		}
		if (rc == HC_OK && resp->len > cap - *len)
			rc = HC_ERR_MALFORMED_RESPONSE;
		if (rc != HC_OK)
			break;
		memcpy(out + *len, resp->data, resp->len);
		*len += resp->len;
	}
	hc_resp_clear(resp);
	return rc;
}

int
hc_io_read_binary(hc_card_t *card, const hc_file_def_t *f, size_t off, size_t len,
                  uint8_t *out, size_t *got)
{
	const hc_chip_profile_t *chip = hc_session_chip(card);
	hc_apdu_t a = { 0x00, 0xB0, 0, 0, NULL, 0, 0, 1, 0, 0 };
	hc_resp_t *resp = hc_session_resp(card);
	size_t chunk, rounds;
	uint16_t sw = 0;
	int rc;

	*got = 0;
	if (f->kind != HC_FILE_BINARY || off > f->size || len > (size_t)f->size - off)
		return HC_ERR_INVALID_ARGUMENT;
	if ((rc = read_right(card, f)) != HC_OK)
		return rc;
	if (chip->extended_length && f->sfi != 0 && off <= 0xFF) {
		/* READ BINARY by SFI: P1 = 80 | SFI, P2 = offset; extended Le for the rest */
		a.p1 = (uint8_t)(0x80 | f->sfi);
		a.p2 = (uint8_t)off;
		a.le = len;
		a.extended = len > SHORT_LE;
		rc = hc_session_card_cmd(card, &a, resp, &sw);
		if (rc == HC_ERR_END_OF_FILE)
			rc = HC_OK;                   /* 6282: fewer bytes than Le, data returned */
		if (rc == HC_OK && resp->len > len)
			rc = HC_ERR_MALFORMED_RESPONSE;
		if (rc == HC_OK) {
			memcpy(out, resp->data, resp->len);
			*got = resp->len;
		}
		hc_resp_clear(resp);
		return rc;
	}
	if ((rc = hc_session_select_ef(card, f->fid)) != HC_OK)
		return rc;
	for (rounds = 0; *got < len && rounds <= f->size / CHUNK + 1; rounds++) {
		chunk = len - *got < CHUNK ? len - *got : CHUNK;
		a.p1 = (uint8_t)((off + *got) >> 8 & 0x7F);
		a.p2 = (uint8_t)(off + *got);
		a.le = chunk;
		a.extended = 0;
		if (chip->extended_length && len - *got > CHUNK) {
			a.le = len - *got;       /* a file without SFI: one read after SELECT */
			a.extended = 1;
		}
		rc = hc_session_card_cmd(card, &a, resp, &sw);
		if (rc == HC_ERR_END_OF_FILE)
			rc = HC_OK;
		if (rc == HC_OK && (resp->len > a.le || resp->len == 0))
			rc = HC_ERR_MALFORMED_RESPONSE;
		if (rc != HC_OK)
			break;
		memcpy(out + *got, resp->data, resp->len);
		*got += resp->len;
		if (sw == 0x6282)
			break;
	}
	hc_resp_clear(resp);
	return rc;
}

int
hc_io_write_right(hc_card_t *card, const hc_file_def_t *f)
{
	static const hc_key_id_t stk[] = {
		[HC_APP_DDF1] = HC_KEY_STK_DDF1, [HC_APP_DF01] = HC_KEY_STK_DF01,
		[HC_APP_DF02] = HC_KEY_STK_DF02, [HC_APP_DF03] = HC_KEY_STK_DF03,
	};
	int rc;

	if ((rc = hc_session_need_key(card, f->write_key)) != HC_OK)
		return rc;
	if (f->sm != HC_SM_PLAIN && (size_t)f->app < sizeof(stk) / sizeof(stk[0])
	    && (rc = hc_session_need_key(card, stk[f->app])) != HC_OK)
		return rc;
	return hc_session_external_auth(card, f->write_key);
}

int
hc_io_update_element(hc_card_t *card, const hc_file_def_t *f, const uint8_t *tlv, size_t len)
{
	int rc;

	if (f->kind != HC_FILE_VARIABLE || len < 2)
		return HC_ERR_INVALID_ARGUMENT;
	if ((rc = hc_io_write_right(card, f)) != HC_OK)
		return rc;
	/* P1 = the tag as record identifier, P2 = SFI with b3-b1 000 */
	return hc_session_sm_command(card, f->sm, 0xDC, tlv[0], (uint8_t)(f->sfi << 3), tlv, len, NULL);
}

int
hc_io_append(hc_card_t *card, const hc_file_def_t *f, const uint8_t *entry, size_t len)
{
	int rc;

	if (f->kind != HC_FILE_CYCLIC || len != f->size)
		return HC_ERR_INVALID_ARGUMENT;
	if ((rc = hc_io_write_right(card, f)) != HC_OK)
		return rc;
	return hc_session_sm_command(card, f->sm, 0xE2, 0x00, (uint8_t)(f->sfi << 3), entry, len, NULL);
}

int
hc_io_update_binary(hc_card_t *card, const hc_file_def_t *f, size_t off,
                    const uint8_t *data, size_t len)
{
	const hc_chip_profile_t *chip = hc_session_chip(card);
	hc_apdu_t a = { 0x00, 0xD6, 0, 0, NULL, 0, 0, 0, 0, 0 };
	size_t done = 0, chunk, rounds;
	int rc;

	if (f->kind != HC_FILE_BINARY || f->sm != HC_SM_PLAIN || off > f->size
	    || len > (size_t)f->size - off)
		return HC_ERR_INVALID_ARGUMENT;
	if ((rc = hc_io_write_right(card, f)) != HC_OK)
		return rc;
	if (chip->extended_length && f->sfi != 0 && off <= 0xFF) {
		a.p1 = (uint8_t)(0x80 | f->sfi);
		a.p2 = (uint8_t)off;
		a.data = data;
		a.lc = len;
		a.extended = len > WRITE_CHUNK;
		return hc_session_card_cmd(card, &a, hc_session_resp(card), NULL);
	}
	if ((rc = hc_session_select_ef(card, f->fid)) != HC_OK)
		return rc;
	for (rounds = 0; done < len && rounds <= f->size / WRITE_CHUNK + 1; rounds++) {
		chunk = len - done < WRITE_CHUNK ? len - done : WRITE_CHUNK;
		a.p1 = (uint8_t)((off + done) >> 8 & 0x7F);
		a.p2 = (uint8_t)(off + done);
		a.data = data + done;
		a.lc = chunk;
		if ((rc = hc_session_card_cmd(card, &a, hc_session_resp(card), NULL)) != HC_OK)
			return rc;
		done += chunk;
	}
	return HC_OK;
}
