/*
 * Replay transport (transport.h), for fuzzing: every command gets the next response of a
 * script of [u16 big-endian length][bytes] entries. A last entry shorter than its length is
 * delivered as what remains; an exhausted script reads as a pulled card.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hcard_err.h"
#include "apdu/buf.h"
#include "apdu/transport.h"

typedef struct replay {
	uint8_t *script;
	hc_reader_t r;
} replay_t;

static int
replay_transmit(void *io, const uint8_t *cmd, size_t cmd_len, uint8_t *resp, size_t *resp_len)
{
	replay_t *rp = io;
	uint16_t n;
	size_t take;
	const uint8_t *p;

	(void)cmd;
	(void)cmd_len;
	if (hc_get_u16(&rp->r, &n) != 0)
		return HC_ERR_CARD_REMOVED;
	take = n > hc_reader_left(&rp->r) ? hc_reader_left(&rp->r) : n;
	if (take > *resp_len)
		return HC_ERR_RESPONSE_TOO_LONG;
	if (hc_get_ptr(&rp->r, &p, take) != 0)
		return HC_ERR_INTERNAL;
	if (take > 0)
		memcpy(resp, p, take);
	*resp_len = take;
	return HC_OK;
}

static void
replay_close(void *io)
{
	replay_t *rp = io;

	if (rp == NULL)
		return;
	free(rp->script);
	free(rp);
}

static const hc_transport_ops_t replay_ops = {
	.name = "replay",
	.transmit = replay_transmit,
	.close = replay_close,
};

hc_transport_t *
hc_replay_new(const uint8_t *script, size_t len)
{
	replay_t *rp;

	if (script == NULL && len > 0)
		return NULL;
	if ((rp = calloc(1, sizeof(*rp))) == NULL)
		return NULL;
	/* malloc(0) may return NULL: keep one byte */
	if ((rp->script = malloc(len > 0 ? len : 1)) == NULL) {
		free(rp);
		return NULL;
	}
	if (len > 0)
		memcpy(rp->script, script, len);
	hc_reader_init(&rp->r, rp->script, len);
	return hc_transport_new(&replay_ops, rp);
}
