/* DDF1/EF07 photo: 2-byte length, a JPEG of at most 3072 bytes, the rest 00 (§3). */
#include "config.h"

#include <string.h>

#include "apdu/buf.h"
#include "hcard_health.h"
#include "src/health_io.h"
#include "src/session_sec.h"

#define PHOTO_FILE (2u + HC_PHOTO_MAX)
#define FIRST_CHUNK 256u

typedef struct photo_op {
	uint8_t *buf;
	size_t cap;
	size_t *len;
	const uint8_t *jpeg;
	size_t jpeg_len;
} photo_op_t;

static int
read_photo_op(hc_card_t *card, void *arg)
{
	const photo_op_t *op = arg;
	const hc_file_def_t *f = hc_profile_file(HC_FILE_DDF1_EF07);
	uint8_t file[PHOTO_FILE];
	size_t got = 0, more = 0, len;
	int rc;

	*op->len = 0;
	/* extended length: the whole file in one READ BINARY; else the first chunk tells how
	 * much more to read */
	len = hc_session_chip(card)->extended_length ? PHOTO_FILE : FIRST_CHUNK;
	if ((rc = hc_io_read_binary(card, f, 0, len, file, &got)) != HC_OK)
		goto out;
	if (got < 2 || (size_t)(file[0] << 8 | file[1]) > HC_PHOTO_MAX) {
		hc_session_set_detail(card, "DDF1/EF07: photo length field is %u, the file holds at most %u",
		                      got < 2 ? 0u : (unsigned)(file[0] << 8 | file[1]), HC_PHOTO_MAX);
		rc = HC_ERR_PHOTO;
		goto out;
	}
	len = (size_t)(file[0] << 8 | file[1]);
	if (got < 2 + len) {
		if ((rc = hc_io_read_binary(card, f, got, 2 + len - got, file + got, &more)) != HC_OK)
			goto out;
		got += more;
		if (got < 2 + len) {
			rc = HC_ERR_MALFORMED_RESPONSE;
			goto out;
		}
	}
	*op->len = len;
	if (len > op->cap) {
		rc = HC_ERR_BUFFER_TOO_SMALL;
		goto out;
	}
	memcpy(op->buf, file + 2, len);
out:
	hc_wipe(file, sizeof(file));
	return rc;
}

int
hc_read_photo(hc_card_t *card, uint8_t *buf, size_t cap, size_t *len)
{
	photo_op_t op = { buf, cap, len, NULL, 0 };

	if (card == NULL || len == NULL || (buf == NULL && cap > 0))
		return HC_ERR_INVALID_ARGUMENT;
	return hc_session_run(card, read_photo_op, &op);
}

static int
write_photo_op(hc_card_t *card, void *arg)
{
	const photo_op_t *op = arg;
	uint8_t file[PHOTO_FILE];
	int rc;

	memset(file, 0, sizeof(file));
	file[0] = (uint8_t)(op->jpeg_len >> 8);
	file[1] = (uint8_t)op->jpeg_len;
	if (op->jpeg_len > 0)
		memcpy(file + 2, op->jpeg, op->jpeg_len);
	/* writers write the full defined length (§2) */
	rc = hc_io_update_binary(card, hc_profile_file(HC_FILE_DDF1_EF07), 0, file, sizeof(file));
	hc_wipe(file, sizeof(file));
	return rc;
}

int
hc_write_photo(hc_card_t *card, const uint8_t *jpeg, size_t len)
{
	photo_op_t op = { NULL, 0, NULL, jpeg, len };

	if (card == NULL || (jpeg == NULL && len > 0))
		return HC_ERR_INVALID_ARGUMENT;
	if (len > HC_PHOTO_MAX) {
		hc_session_set_detail(card, "DDF1/EF07 photo: %zu bytes, the card holds at most %u", len,
		                      HC_PHOTO_MAX);
		return HC_ERR_PHOTO;
	}
	if (len > 0 && (len < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8 || jpeg[2] != 0xFF
	                || jpeg[len - 2] != 0xFF || jpeg[len - 1] != 0xD9)) {
		hc_session_set_detail(card, "DDF1/EF07 photo: not a JPEG (FF D8 FF ... FF D9)");
		return HC_ERR_PHOTO;
	}
	return hc_session_run(card, write_photo_op, &op);
}
