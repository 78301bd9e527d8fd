/*
 * In-process fake card and SAM for unit tests of libhcard (hc_inproc_new): the answer helper,
 * a SAM that answers its identity files and accepts everything else, and one way to open a
 * context, terminal and card over them. Shared by the tests whose fakes are alike.
 */
#ifndef HC_TESTS_FAKE_IO_H
#define HC_TESTS_FAKE_IO_H

#include <stddef.h>
#include <stdint.h>

#include "apdu/transport.h"
#include "hcard.h"

/* data (n bytes) then the SW into resp; *len = n + 2. Returns HC_OK (for `return fake_reply(...)`). */
int fake_reply(uint8_t *resp, size_t *len, const uint8_t *data, size_t n, uint16_t sw);

/* A type-5 SAM "SAM0000001", key version 1, terminal 000000000001: EF0015 and EF0016 read,
 * every other command 9000 without data. arg unused. */
int fake_sam_fn(void *arg, const uint8_t *cmd, size_t len, uint8_t *resp, size_t *resp_len);

/* An in-process transport over fn with a health-card ATR (historical bytes "HC"). */
hc_transport_t *fake_card_io(hc_inproc_fn fn, void *arg);

typedef struct fake_env {
	hc_ctx_t *ctx;
	hc_terminal_t *term;
	hc_card_t *card;
} fake_env_t;

/* Context without a configuration file, terminal over fake_sam_fn (SAM PIN 12345678), card over
 * card_io (taken over, also on failure). 0 or -1. */
int fake_open(fake_env_t *e, hc_transport_t *card_io);
void fake_close(fake_env_t *e);

#endif
