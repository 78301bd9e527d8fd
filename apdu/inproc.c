/* In-process transport (transport.h): a function answers raw APDUs; for tests and fault
 * injection, never for cards. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hcard_err.h"
#include "apdu/buf.h"
#include "apdu/pcsc.h"
#include "apdu/transport.h"

typedef struct inproc {
	hc_inproc_fn fn;
	void *arg;
	uint8_t atr[HC_ATR_MAX];
	size_t atr_len;
} inproc_t;

static int
inproc_transmit(void *io, const uint8_t *cmd, size_t cmd_len, uint8_t *resp, size_t *resp_len)
{
	inproc_t *ip = io;

	return ip->fn(ip->arg, cmd, cmd_len, resp, resp_len);
}

static int
inproc_get_atr(void *io, uint8_t *atr, size_t *atr_len)
{
	inproc_t *ip = io;

	if (*atr_len < ip->atr_len)
		return HC_ERR_BUFFER_TOO_SMALL;
	memcpy(atr, ip->atr, ip->atr_len);
	*atr_len = ip->atr_len;
	return HC_OK;
}

static void
inproc_close(void *io)
{
	if (io != NULL)
		hc_wipe(io, sizeof(inproc_t));
	free(io);
}

static const hc_transport_ops_t inproc_ops = {
	.name = "inproc",
	.transmit = inproc_transmit,
	.get_atr = inproc_get_atr,
	.close = inproc_close,
};

hc_transport_t *
hc_inproc_new(hc_inproc_fn fn, void *arg, const uint8_t *atr, size_t atr_len)
{
	inproc_t *ip;

	if (fn == NULL || atr_len > HC_ATR_MAX || (atr == NULL && atr_len > 0))
		return NULL;
	if ((ip = calloc(1, sizeof(*ip))) == NULL)
		return NULL;
	ip->fn = fn;
	ip->arg = arg;
	if (atr_len > 0)
		memcpy(ip->atr, atr, atr_len);
	ip->atr_len = atr_len;
	return hc_transport_new(&inproc_ops, ip);
}
