/* In-process fakes shared by libhcard's unit tests (tests/unit/fake_io.h). */
#include "config.h"

#include <string.h>

#include "src/session_sec.h"
#include "tests/unit/fake_io.h"

static const uint8_t fake_atr[] = {
	0x3B, 0x6C, 0x00, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 0x48, 0x43, 0x01, 0x00
};

int
fake_reply(uint8_t *resp, size_t *len, const uint8_t *data, size_t n, uint16_t sw)
{
	if (n > 0)
		memcpy(resp, data, n);
	resp[n] = (uint8_t)(sw >> 8);
	resp[n + 1] = (uint8_t)sw;
	*len = n + 2;
	return HC_OK;
}

int
fake_sam_fn(void *arg, const uint8_t *cmd, size_t len, uint8_t *resp, size_t *resp_len)
{
	static const uint8_t info[14] = { 'S', 'A', 'M', '0', '0', '0', '0', '0', '0', '1', 5, 1, 0, 0 };

	(void)arg;
	(void)len;
	if (cmd[1] == 0xB0 && cmd[2] == 0x95)
		return fake_reply(resp, resp_len, info, sizeof(info), 0x9000);
	if (cmd[1] == 0xB0)
		return fake_reply(resp, resp_len, (const uint8_t *)"\0\0\0\0\0\1", 6, 0x9000);
	return fake_reply(resp, resp_len, NULL, 0, 0x9000);
}

hc_transport_t *
fake_card_io(hc_inproc_fn fn, void *arg)
{
	return hc_inproc_new(fn, arg, fake_atr, sizeof(fake_atr));
}

int
fake_open(fake_env_t *e, hc_transport_t *card_io)
{
	memset(e, 0, sizeof(*e));
	if (card_io == NULL)
		return -1;
	if (hc_ctx_new(&e->ctx, "/dev/null") != HC_OK ||
	    hc_terminal_open_io(e->ctx, fake_card_io(fake_sam_fn, NULL), "12345678", &e->term) != HC_OK) {
		hc_transport_free(&card_io);
		return -1;
	}
	return hc_card_open_io(e->term, card_io, &e->card) == HC_OK ? 0 : -1;
}

void
fake_close(fake_env_t *e)
{
	hc_card_close(&e->card);
	hc_terminal_close(&e->term);
	hc_ctx_free(&e->ctx);
}
