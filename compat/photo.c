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

int
iR_DDF1EF07Info(HANDLE h, BYTE *ZHAOPIAN)
{
	photo_op_t op = { ZHAOPIAN, 0 };
	wsb_dev_t *d;
	int ret, rc;

	if ((ret = wsb_enter(h, &d)) != IRV_OK)
		return ret;
	if (ZHAOPIAN == NULL) {
		ret = IRV_PARA_ERR;
		goto out;
	}
	if ((rc = wsb_run(d, photo_read, &op, 1)) == HC_OK) {
		ZHAOPIAN[0] = (BYTE)(op.len >> 8);
		ZHAOPIAN[1] = (BYTE)op.len;
	}
	ret = wsb_irv(rc, WSB_OP_READ_BINARY);
out:
	wsb_leave(d);
	return ret;
}

int
iW_DDF1EF07Info(HANDLE h, BYTE *ZHAOPIAN)
{
	photo_op_t op = { ZHAOPIAN, 0 };
	wsb_dev_t *d;
	int ret;

	if ((ret = wsb_enter(h, &d)) != IRV_OK)
		return ret;
	if (ZHAOPIAN == NULL) {
		ret = IRV_PARA_ERR;
		goto out;
	}
	op.len = (size_t)ZHAOPIAN[0] << 8 | ZHAOPIAN[1];
	if (op.len > HC_PHOTO_MAX) {
		ret = IRV_DDF1EF07_DATAERR;     /* the length field says more than the file holds */
		goto out;
	}
	ret = wsb_irv(wsb_run(d, photo_write, &op, 0), WSB_OP_WRITE_BINARY);
out:
	wsb_leave(d);
	return ret;
}
