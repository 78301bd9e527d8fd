/*
 * DDF1/EF07 photo at the national interface (2-byte length, then the JPEG), over
 * hc_read_photo / hc_write_photo of hcard_health.h.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "hcard_health.h"
#include "compat/compat.h"

/* --- photo: 2-byte big-endian length, then the JPEG ------------------------------------ */

typedef struct photo_op {
	uint8_t *buf;               /* the caller's buffer: length (2) then JPEG */
	size_t len;
} photo_op_t;

static int
photo_read(hc_card_t *card, void *arg)
{
	photo_op_t *op = arg;

	return hc_read_photo(card, op->buf + 2, HC_PHOTO_MAX, &op->len);
}

static int
photo_write(hc_card_t *card, void *arg)
{
	photo_op_t *op = arg;

	return hc_write_photo(card, op->buf + 2, op->len);
}

static int
card_read_photo(wsb_dev_t *d, void *arg)
{
	photo_op_t *op = arg;
	int rc;

	if ((rc = wsb_run(d, photo_read, op, 1)) == HC_OK) {
		op->buf[0] = (uint8_t)(op->len >> 8);
		op->buf[1] = (uint8_t)op->len;
	}
	return rc;
}

static int
card_write_photo(wsb_dev_t *d, void *arg)
{
	photo_op_t *op = arg;

	op->len = (size_t)op->buf[0] << 8 | op->buf[1];
	/* the length field says more than the file holds: 113, the card untouched */
	return op->len > HC_PHOTO_MAX ? HC_ERR_PHOTO : wsb_run(d, photo_write, op, 0);
}

static const wsb_call_t read_photo_call = { NULL, 0, card_read_photo, WSB_OP_READ_BINARY };
static const wsb_call_t write_photo_call = { NULL, 0, card_write_photo, WSB_OP_WRITE_BINARY };

int
iR_DDF1EF07Info(HANDLE h, BYTE *ZHAOPIAN)
{
	photo_op_t op = { ZHAOPIAN, 0 };

	return wsb_call(h, &read_photo_call, ZHAOPIAN != NULL, &op);
}

int
iW_DDF1EF07Info(HANDLE h, BYTE *ZHAOPIAN)
{
	photo_op_t op = { ZHAOPIAN, 0 };

	return wsb_call(h, &write_photo_call, ZHAOPIAN != NULL, &op);
}
