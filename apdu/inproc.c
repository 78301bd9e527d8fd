/* In-process transport (transport.h): a function answers raw APDUs; for tests and fault
 * injection, never for cards. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hcard_err.h"
#include "apdu/buf.h"
#include "apdu/pcsc.h"
#include "apdu/pinpad.h"
#include "apdu/transport.h"

typedef struct inproc {
	hc_inproc_fn fn;
	void *arg;
	uint8_t atr[HC_ATR_MAX];
	size_t atr_len;
	hc_inproc_pinpad_fn pad;        /* fake PIN pad, NULL: a reader without */
	void *pad_arg;
} inproc_t;

#define INPROC_GET_FEATURE_REQUEST HC_CM_IOCTL_GET_FEATURE_REQUEST

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

/* The reader side of a fake PIN-pad reader: the feature list (FEATURE_VERIFY_PIN_DIRECT,
 * tag 06, when a pad is set) and the verify itself, handed to the test's pad. */
static int
inproc_control(void *io, uint32_t code, const uint8_t *in, size_t in_len, uint8_t *out,
               size_t *out_len)
{
	static const uint8_t features[6] = {
		0x06, 0x04,
		(uint8_t)(HC_INPROC_PINPAD_CODE >> 24), (uint8_t)(HC_INPROC_PINPAD_CODE >> 16),
		(uint8_t)(HC_INPROC_PINPAD_CODE >> 8), (uint8_t)HC_INPROC_PINPAD_CODE,
	};
	inproc_t *ip = io;

	if (code == INPROC_GET_FEATURE_REQUEST) {
		if (ip->pad == NULL) {
			*out_len = 0;
			return HC_OK;
		}
		if (*out_len < sizeof(features))
			return HC_ERR_BUFFER_TOO_SMALL;
		memcpy(out, features, sizeof(features));
		*out_len = sizeof(features);
		return HC_OK;
	}
	if (code == HC_INPROC_PINPAD_CODE && ip->pad != NULL)
		return ip->pad(ip->pad_arg, in, in_len, out, out_len);
	return HC_ERR_INVALID_ARGUMENT;     /* as pcscd: SCARD_E_UNSUPPORTED_FEATURE */
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
	.control = inproc_control,
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

int
hc_inproc_set_pinpad(hc_transport_t *t, hc_inproc_pinpad_fn pad, void *arg)
{
	inproc_t *ip;

	if (t == NULL || strcmp(hc_transport_name(t), inproc_ops.name) != 0)
		return HC_ERR_INVALID_ARGUMENT;
	ip = hc_transport_io(t);
	ip->pad = pad;
	ip->pad_arg = arg;
	return HC_OK;
}
