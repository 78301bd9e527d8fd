/*
 * Unit tests of the one transmit path (hc_transmit) through the in-process transport with a
 * scripted fake card: 61xx reassembly and bounds, 6Cxx resend, command chaining, extended
 * APDUs, card reset, short answers, APDU counting, masked logging; and the replay transport.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hcard_err.h"
#include "apdu/apdu.h"
#include "apdu/buf.h"
#include "apdu/log.h"
#include "apdu/sw.h"
#include "apdu/transport.h"

#define FAKE_MAX 40
#define FAKE_CMD_MAX 1024

/* A scripted card: answers[i] (hex) to the i-th command; records every command. */
typedef struct fake {
	const char *answers[FAKE_MAX];
	size_t next;
	const char *forever;            /* answer everything with this once the script ends */
	int fail_at;                    /* 1-based command number that fails with fail_rc */
	int fail_rc;
	uint8_t cmd[FAKE_MAX][FAKE_CMD_MAX];
	size_t cmd_len[FAKE_MAX];
	size_t ncmds;
	int reconnects;
	int last_reset;
} fake_t;

static int
fake_card(void *arg, const uint8_t *cmd, size_t cmd_len, uint8_t *resp, size_t *resp_len)
{
	fake_t *f = arg;
	const char *ans;
	uint8_t tmp[1024];
	int n;

	if (f->ncmds < FAKE_MAX) {
		assert_true(cmd_len <= FAKE_CMD_MAX);
		memcpy(f->cmd[f->ncmds], cmd, cmd_len);
		f->cmd_len[f->ncmds] = cmd_len;
	}
	f->ncmds++;
	if (f->fail_at > 0 && (size_t)f->fail_at == f->ncmds)
		return f->fail_rc;
	if (f->next < FAKE_MAX && f->answers[f->next] != NULL)
		ans = f->answers[f->next++];
	else if (f->forever != NULL)
		ans = f->forever;
	else
		return HC_ERR_CARD_REMOVED;
	/* "R256" = 256 bytes i & 0xFF then the SW in the rest of the string */
	if (strncmp(ans, "R256", 4) == 0) {
		int i;
		for (i = 0; i < 256; i++)
			resp[i] = (uint8_t)i;
		n = hc_hex_decode(ans + 4, tmp, sizeof(tmp));
		assert_true(n >= 0);
		memcpy(resp + 256, tmp, (size_t)n);
		*resp_len = 256 + (size_t)n;
		return HC_OK;
	}
	n = hc_hex_decode(ans, tmp, sizeof(tmp));
	assert_true(n >= 0);
	assert_true((size_t)n <= *resp_len);
	memcpy(resp, tmp, (size_t)n);
	*resp_len = (size_t)n;
	return HC_OK;
}

static void
expect_cmd(const fake_t *f, size_t i, const char *hex)
{
	uint8_t want[FAKE_CMD_MAX];
	int n = hc_hex_decode(hex, want, sizeof(want));

	assert_true(n >= 0);
	assert_true(i < f->ncmds);
	assert_int_equal(f->cmd_len[i], (size_t)n);
	assert_memory_equal(f->cmd[i], want, (size_t)n);
}

typedef struct fixture {
	fake_t *fake;
	hc_transport_t *t;
	hc_resp_t *resp;
} fixture_t;

static int
setup(void **state)
{
	fixture_t *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	fx->fake = calloc(1, sizeof(*fx->fake));
	assert_non_null(fx->fake);
	fx->t = hc_inproc_new(fake_card, fx->fake, (const uint8_t[]){ 0x3B, 0x00 }, 2);
	assert_non_null(fx->t);
	fx->resp = hc_resp_new();
	assert_non_null(fx->resp);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	fixture_t *fx = *state;

	hc_transport_free(&fx->t);
	assert_null(fx->t);
	hc_resp_free(&fx->resp);
	free(fx->fake);
	free(fx);
	hc_log_set_handler(NULL, NULL, 0);
	return 0;
}

static const uint8_t mf[] = { 0x3F, 0x00 };

static hc_apdu_t
select_mf(void)
{
	hc_apdu_t a;

	memset(&a, 0, sizeof(a));
	a.ins = 0xA4;
	a.data = mf;
	a.lc = 2;
	a.has_le = 1;
	a.le = 256;
	return a;
}

static hc_apdu_t
read_binary(size_t le)
{
	hc_apdu_t a;

	memset(&a, 0, sizeof(a));
	a.ins = 0xB0;
	a.has_le = 1;
	a.le = le;
	return a;
}

static void
test_plain(void **state)
{
	fixture_t *fx = *state;
	hc_apdu_t a = select_mf();
	uint8_t atr[33];
	size_t atr_len = sizeof(atr);

	fx->fake->answers[0] = "6F 04 84 02 3F 00 90 00";
	assert_int_equal(hc_transmit(fx->t, &a, fx->resp), HC_OK);
	assert_int_equal(fx->resp->sw, 0x9000);
	assert_int_equal(fx->resp->len, 6);
	assert_memory_equal(fx->resp->data, ((const uint8_t[]){ 0x6F, 0x04, 0x84, 0x02, 0x3F, 0x00 }), 6);
	expect_cmd(fx->fake, 0, "00 A4 00 00 02 3F 00 00");
	assert_int_equal(hc_transport_apdu_count(fx->t), 1);
	assert_string_equal(hc_transport_name(fx->t), "inproc");
	assert_int_equal(hc_transport_get_atr(fx->t, atr, &atr_len), HC_OK);
	assert_int_equal(atr_len, 2);
	assert_int_equal(atr[0], 0x3B);
	hc_transport_reset_count(fx->t);
	assert_int_equal(hc_transport_apdu_count(fx->t), 0);
}

/* T=0 style: the FCI arrives as 61xx, then GET RESPONSE, reassembled in order. */
static void
test_61xx_chain(void **state)
{
	fixture_t *fx = *state;
	hc_apdu_t a = select_mf();
	size_t i;

	fx->fake->answers[0] = "AA BB 61 03";
	fx->fake->answers[1] = "CC DD EE 61 00";
	fx->fake->answers[2] = "R256 90 00";
	assert_int_equal(hc_transmit(fx->t, &a, fx->resp), HC_OK);
	assert_int_equal(fx->resp->sw, 0x9000);
	assert_int_equal(fx->resp->len, 5 + 256);
	assert_memory_equal(fx->resp->data, ((const uint8_t[]){ 0xAA, 0xBB, 0xCC, 0xDD, 0xEE }), 5);
	for (i = 0; i < 256; i++)
		assert_int_equal(fx->resp->data[5 + i], (uint8_t)i);
	expect_cmd(fx->fake, 1, "00 C0 00 00 03");
	expect_cmd(fx->fake, 2, "00 C0 00 00 00");
	assert_int_equal(hc_transport_apdu_count(fx->t), 3);
}

/* A card that answers 61xx for ever is stopped after the bound; nothing is returned. */
static void
test_61xx_forever(void **state)
{
	fixture_t *fx = *state;
	hc_apdu_t a = select_mf();

	fx->fake->forever = "01 02 03 04 61 04";
	assert_int_equal(hc_transmit(fx->t, &a, fx->resp), HC_ERR_RESPONSE_TOO_LONG);
	assert_int_equal(fx->resp->len, 0);
	assert_int_equal(fx->resp->data[0], 0);         /* partial data wiped */
	assert_int_equal(hc_transport_apdu_count(fx->t), 1 + 16);      /* default bound */

	hc_transport_reset_count(fx->t);
	hc_transport_set_limits(fx->t, 2, 65536);
	assert_int_equal(hc_transmit(fx->t, &a, fx->resp), HC_ERR_RESPONSE_TOO_LONG);
	assert_int_equal(hc_transport_apdu_count(fx->t), 3);
}

/* The total size bound holds even while rounds are left. */
static void
test_61xx_total_bound(void **state)
{
	fixture_t *fx = *state;
	hc_apdu_t a = read_binary(256);

	fx->fake->forever = "R256 61 00";
	hc_transport_set_limits(fx->t, 16, 600);
	assert_int_equal(hc_transmit(fx->t, &a, fx->resp), HC_ERR_RESPONSE_TOO_LONG);
	assert_int_equal(hc_transport_apdu_count(fx->t), 3);   /* 256 + 256 fit, 768 does not */
	assert_int_equal(fx->resp->len, 0);
}

/* A caller buffer smaller than the answer: refused, not overrun. */
static void
test_small_resp_buffer(void **state)
{
	fixture_t *fx = *state;
	hc_apdu_t a = read_binary(16);
	uint8_t small[8] = { 0 };
	hc_resp_t r = { small, 0, 4, 0 };

	fx->fake->answers[0] = "01 02 03 04 05 06 90 00";
	assert_int_equal(hc_transmit(fx->t, &a, &r), HC_ERR_RESPONSE_TOO_LONG);
	assert_int_equal(small[4], 0);
	assert_int_equal(r.len, 0);
}

static void
test_6cxx_resend(void **state)
{
	fixture_t *fx = *state;
	hc_apdu_t a = read_binary(0x20);

	fx->fake->answers[0] = "6C 04";
	fx->fake->answers[1] = "01 02 03 04 90 00";
	assert_int_equal(hc_transmit(fx->t, &a, fx->resp), HC_OK);
	assert_int_equal(fx->resp->sw, 0x9000);
	assert_int_equal(fx->resp->len, 4);
	expect_cmd(fx->fake, 0, "00 B0 00 00 20");
	expect_cmd(fx->fake, 1, "00 B0 00 00 04");
	assert_int_equal(hc_transport_apdu_count(fx->t), 2);
}

/* Only one resend: a second 6Cxx goes to the caller as the SW. */
static void
test_6cxx_once(void **state)
{
	fixture_t *fx = *state;
	hc_apdu_t a = read_binary(0x20);
	uint16_t sw = 0;

	fx->fake->forever = "6C 08";
	assert_int_equal(hc_transmit_ok(fx->t, &a, fx->resp, &sw), HC_ERR_WRONG_LENGTH);
	assert_int_equal(sw, 0x6C08);
	assert_int_equal(hc_transport_apdu_count(fx->t), 2);
	expect_cmd(fx->fake, 1, "00 B0 00 00 08");
}

/* 6Cxx then 61xx: resend, then GET RESPONSE. */
static void
test_6cxx_then_61xx(void **state)
{
	fixture_t *fx = *state;
	hc_apdu_t a = read_binary(0x10);

	fx->fake->answers[0] = "6C 00";         /* 00 means 256 */
	fx->fake->answers[1] = "AA 61 01";
	fx->fake->answers[2] = "BB 90 00";
	assert_int_equal(hc_transmit(fx->t, &a, fx->resp), HC_OK);
	expect_cmd(fx->fake, 1, "00 B0 00 00 00");
	expect_cmd(fx->fake, 2, "00 C0 00 00 01");
	assert_int_equal(fx->resp->len, 2);
	assert_int_equal(fx->resp->sw, 0x9000);
}

/* Lc > 255 with extended lengths disabled: chained links of 255 bytes, CLA b5 set. */
static void
test_chaining(void **state)
{
	fixture_t *fx = *state;
	static uint8_t data[600];
	uint8_t joined[600];
	hc_apdu_t a;
	size_t i, off = 0;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13);
	memset(&a, 0, sizeof(a));
	a.cla = 0x80; a.ins = 0xF8; a.p1 = 0x03; a.data = data; a.lc = sizeof(data);
	a.has_le = 1; a.le = 0x20;
	hc_transport_set_extended(fx->t, 0);
	fx->fake->answers[0] = "90 00";
	fx->fake->answers[1] = "90 00";
	fx->fake->answers[2] = "11 22 90 00";
	assert_int_equal(hc_transmit(fx->t, &a, fx->resp), HC_OK);
	assert_int_equal(fx->fake->ncmds, 3);
	/* link 1, 2: CLA 90, Lc FF, no Le; link 3: CLA 80, Lc 5A, Le 20 */
	for (i = 0; i < 3; i++) {
		size_t lc = i < 2 ? 255 : 90;
		assert_int_equal(fx->fake->cmd[i][0], i < 2 ? 0x90 : 0x80);
		assert_int_equal(fx->fake->cmd[i][1], 0xF8);
		assert_int_equal(fx->fake->cmd[i][2], 0x03);
		assert_int_equal(fx->fake->cmd[i][4], lc);
		assert_int_equal(fx->fake->cmd_len[i], 5 + lc + (i == 2 ? 1 : 0));
		memcpy(joined + off, fx->fake->cmd[i] + 5, lc);
		off += lc;
	}
	assert_int_equal(fx->fake->cmd[2][5 + 90], 0x20);
	assert_memory_equal(joined, data, sizeof(data));
	assert_int_equal(fx->resp->len, 2);
	assert_int_equal(hc_transport_apdu_count(fx->t), 3);
}

/* A link refused in the middle ends the command with that SW. */
static void
test_chaining_refused(void **state)
{
	fixture_t *fx = *state;
	static uint8_t data[300];
	hc_apdu_t a;

	memset(&a, 0, sizeof(a));
	a.ins = 0xD6; a.data = data; a.lc = sizeof(data);
	hc_transport_set_extended(fx->t, 0);
	fx->fake->answers[0] = "6A 80";
	assert_int_equal(hc_transmit(fx->t, &a, fx->resp), HC_OK);
	assert_int_equal(fx->resp->sw, 0x6A80);
	assert_int_equal(fx->fake->ncmds, 1);
}

/* With extended lengths allowed the same command goes as one extended APDU. */
static void
test_extended_single(void **state)
{
	fixture_t *fx = *state;
	static uint8_t data[600];
	hc_apdu_t a;

	memset(&a, 0, sizeof(a));
	a.ins = 0xD6; a.data = data; a.lc = sizeof(data); a.has_le = 1; a.le = 1000;
	fx->fake->answers[0] = "90 00";
	assert_int_equal(hc_transmit(fx->t, &a, fx->resp), HC_OK);
	assert_int_equal(fx->fake->ncmds, 1);
	assert_int_equal(fx->fake->cmd_len[0], 7 + 600 + 2);
	assert_int_equal(fx->fake->cmd[0][4], 0x00);
	assert_int_equal(fx->fake->cmd[0][5], 0x02);
	assert_int_equal(fx->fake->cmd[0][6], 0x58);
	assert_int_equal(fx->fake->cmd[0][7 + 600], 0x03);
	assert_int_equal(fx->fake->cmd[0][7 + 601], 0xE8);
}

/* Without extended lengths, Le > 256 is sent as Le 00 and the rest comes by 61xx. */
static void
test_no_extended_le(void **state)
{
	fixture_t *fx = *state;
	hc_apdu_t a = read_binary(1000);

	hc_transport_set_extended(fx->t, 0);
	fx->fake->answers[0] = "R256 61 10";
	fx->fake->answers[1] = "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 90 00";
	assert_int_equal(hc_transmit(fx->t, &a, fx->resp), HC_OK);
	expect_cmd(fx->fake, 0, "00 B0 00 00 00");
	expect_cmd(fx->fake, 1, "00 C0 00 00 10");
	assert_int_equal(fx->resp->len, 256 + 16);
}

static int
counting_reconnect(void *io, int reset)
{
	fake_t *f = io;

	f->reconnects++;
	f->last_reset = reset;
	return HC_OK;
}

static int
fake_transmit(void *io, const uint8_t *cmd, size_t cmd_len, uint8_t *resp, size_t *resp_len)
{
	return fake_card(io, cmd, cmd_len, resp, resp_len);
}

static const hc_transport_ops_t reconnecting_ops = {
	.name = "test",
	.transmit = fake_transmit,
	.reconnect = counting_reconnect,
};

/* A reset by another handle: one reconnect (card left as is), HC_ERR_CARD_RESET up. */
static void
test_card_reset(void **state)
{
	fixture_t *fx = *state;
	hc_transport_t *t = hc_transport_new(&reconnecting_ops, fx->fake);
	hc_apdu_t a = select_mf();

	assert_non_null(t);
	fx->fake->fail_at = 1;
	fx->fake->fail_rc = HC_ERR_CARD_RESET;
	fx->fake->answers[0] = "90 00";
	assert_int_equal(hc_transmit(t, &a, fx->resp), HC_ERR_CARD_RESET);
	assert_int_equal(fx->fake->reconnects, 1);
	assert_int_equal(fx->fake->last_reset, 0);
	assert_int_equal(fx->fake->ncmds, 1);           /* not silently resent */
	/* the next command works */
	assert_int_equal(hc_transmit(t, &a, fx->resp), HC_OK);
	assert_int_equal(fx->resp->sw, 0x9000);
	assert_int_equal(fx->fake->reconnects, 1);
	assert_int_equal(hc_transport_reconnect(t, 1), HC_OK);
	assert_int_equal(fx->fake->last_reset, 1);
	hc_transport_free(&t);
}

static void
test_short_answers(void **state)
{
	fixture_t *fx = *state;
	hc_apdu_t a = select_mf();

	fx->fake->answers[0] = "90";
	fx->fake->answers[1] = "";
	fx->fake->answers[2] = "AA BB 61 02";
	fx->fake->answers[3] = "00";
	assert_int_equal(hc_transmit(fx->t, &a, fx->resp), HC_ERR_MALFORMED_RESPONSE);
	assert_int_equal(hc_transmit(fx->t, &a, fx->resp), HC_ERR_MALFORMED_RESPONSE);
	/* a bad GET RESPONSE answer throws the partial answer away */
	assert_int_equal(hc_transmit(fx->t, &a, fx->resp), HC_ERR_MALFORMED_RESPONSE);
	assert_int_equal(fx->resp->len, 0);
	assert_int_equal(fx->resp->data[0], 0);
}

static void
test_transport_errors(void **state)
{
	fixture_t *fx = *state;
	hc_apdu_t a = select_mf();

	fx->fake->fail_at = 2;
	fx->fake->fail_rc = HC_ERR_CARD_REMOVED;
	fx->fake->answers[0] = "AA 61 05";
	assert_int_equal(hc_transmit(fx->t, &a, fx->resp), HC_ERR_CARD_REMOVED);
	assert_int_equal(fx->resp->len, 0);
	assert_int_equal(hc_transport_apdu_count(fx->t), 2);
}

/* An invalid APDU never reaches the card. */
static void
test_invalid_not_sent(void **state)
{
	fixture_t *fx = *state;
	hc_apdu_t a = read_binary(16);

	a.ins = 0x6A;
	assert_int_equal(hc_transmit(fx->t, &a, fx->resp), HC_ERR_INVALID_APDU);
	a.ins = 0xB0;
	a.lc = 3;               /* no data pointer */
	assert_int_equal(hc_transmit(fx->t, &a, fx->resp), HC_ERR_INVALID_APDU);
	assert_int_equal(fx->fake->ncmds, 0);
	assert_int_equal(hc_transport_apdu_count(fx->t), 0);
	assert_int_equal(hc_transmit(NULL, &a, fx->resp), HC_ERR_INVALID_ARGUMENT);
	assert_int_equal(hc_transmit(fx->t, &a, NULL), HC_ERR_INVALID_ARGUMENT);
}

static void
test_transmit_ok(void **state)
{
	fixture_t *fx = *state;
	hc_apdu_t a = select_mf();
	uint16_t sw = 0;

	fx->fake->answers[0] = "6A 82";
	fx->fake->answers[1] = "63 C1";
	fx->fake->answers[2] = "01 90 00";
	assert_int_equal(hc_transmit_ok(fx->t, &a, fx->resp, &sw), HC_ERR_FILE_NOT_FOUND);
	assert_int_equal(sw, 0x6A82);
	assert_int_equal(hc_transmit_ok(fx->t, &a, fx->resp, &sw), HC_ERR_VERIFY_FAILED);
	assert_int_equal(hc_sw_tries_left(sw), 1);
	assert_int_equal(hc_transmit_ok(fx->t, &a, fx->resp, NULL), HC_OK);
	assert_int_equal(fx->resp->len, 1);
}

/* ---- logging ---- */

typedef struct capture {
	char text[16384];
	size_t len;
	int lines;
} capture_t;

static void
capture_log(int level, const char *msg, void *arg)
{
	capture_t *c = arg;
	size_t n = strlen(msg);

	(void)level;
	if (n + 2 < sizeof(c->text) - c->len) {
		memcpy(c->text + c->len, msg, n);
		c->len += n;
		c->text[c->len++] = '\n';
		c->text[c->len] = '\0';
	}
	c->lines++;
}

/* VERIFY with a PIN: the header and the SW are logged, the PIN bytes never. */
static void
test_masked_logging(void **state)
{
	fixture_t *fx = *state;
	static const uint8_t pin[] = { 0x97, 0x53, 0x18, 0xFF, 0xFF, 0xFF };
	static const uint8_t key[] = { 0xC3, 0xA5, 0x5A, 0x3C };
	static const uint8_t plain[] = { 0x3F, 0x00 };
	capture_t *cap = calloc(1, sizeof(*cap));
	hc_apdu_t a;

	assert_non_null(cap);
	hc_log_set_handler(capture_log, cap, HC_LOG_APDU);
	assert_int_equal(hc_log_level(), HC_LOG_APDU);

	/* VERIFY 00 20, not flagged: masked by INS */
	memset(&a, 0, sizeof(a));
	a.ins = 0x20; a.data = pin; a.lc = sizeof(pin);
	fx->fake->answers[0] = "63 C2";
	assert_int_equal(hc_transmit(fx->t, &a, fx->resp), HC_OK);
	/* CHANGE PIN 80 5E, not flagged */
	a.cla = 0x80; a.ins = 0x5E; a.p1 = 0x01;
	fx->fake->answers[1] = "90 00";
	assert_int_equal(hc_transmit(fx->t, &a, fx->resp), HC_OK);
	/* a key flagged sensitive, its response too (through 61xx) */
	memset(&a, 0, sizeof(a));
	a.cla = 0x80; a.ins = 0xFA; a.data = key; a.lc = sizeof(key); a.has_le = 1; a.le = 256;
	a.sensitive = 1;
	fx->fake->answers[2] = "61 04";
	fx->fake->answers[3] = "C3 A5 5A 3C 90 00";
	assert_int_equal(hc_transmit(fx->t, &a, fx->resp), HC_OK);
	/* a plain command for comparison: logged in clear */
	memset(&a, 0, sizeof(a));
	a.ins = 0xA4; a.p2 = 0x0C; a.data = plain; a.lc = 2;
	fx->fake->answers[4] = "90 00";
	assert_int_equal(hc_transmit(fx->t, &a, fx->resp), HC_OK);

	assert_int_equal(cap->lines, 10);
	assert_non_null(strstr(cap->text, "00 20 00 00 06 ** ** ** ** ** **"));
	assert_non_null(strstr(cap->text, "63 C2"));
	assert_non_null(strstr(cap->text, "80 5E 01 00 06 ** **"));
	assert_non_null(strstr(cap->text, "80 FA 00 00 04 ** ** ** ** **"));
	assert_non_null(strstr(cap->text, "** ** ** ** 90 00"));
	assert_non_null(strstr(cap->text, "00 A4 00 0C 02 3F 00"));
	assert_null(strstr(cap->text, "97 53 18"));
	assert_null(strstr(cap->text, "53 18"));
	assert_null(strstr(cap->text, "C3 A5"));
	assert_null(strstr(cap->text, "5A 3C"));

	/* below HC_LOG_APDU no dumps */
	memset(cap, 0, sizeof(*cap));
	hc_log_set_handler(capture_log, cap, HC_LOG_DEBUG);
	fx->fake->answers[5] = "90 00";
	assert_int_equal(hc_transmit(fx->t, &a, fx->resp), HC_OK);
	assert_int_equal(cap->lines, 0);
	hc_log_set_handler(NULL, NULL, 0);
	assert_int_equal(hc_log_level(), 0);
	free(cap);
}

/* ---- replay transport ---- */

static void
test_replay(void **state)
{
	static const uint8_t script[] = {
		0x00, 0x04, 0xAA, 0xBB, 0x90, 0x00,
		0x00, 0x02, 0x6A, 0x82,
		0x00, 0x05, 0x01, 0x90, 0x00,          /* truncated: 3 of 5 bytes */
	};
	hc_transport_t *t = hc_replay_new(script, sizeof(script));
	hc_resp_t *r = hc_resp_new();
	hc_apdu_t a = select_mf();

	(void)state;
	assert_non_null(t);
	assert_string_equal(hc_transport_name(t), "replay");
	assert_int_equal(hc_transmit(t, &a, r), HC_OK);
	assert_int_equal(r->sw, 0x9000);
	assert_int_equal(r->len, 2);
	assert_int_equal(hc_transmit(t, &a, r), HC_OK);
	assert_int_equal(r->sw, 0x6A82);
	assert_int_equal(hc_transmit(t, &a, r), HC_OK);
	assert_int_equal(r->sw, 0x9000);
	assert_int_equal(r->len, 1);
	assert_int_equal(hc_transmit(t, &a, r), HC_ERR_CARD_REMOVED);
	hc_transport_free(&t);
	t = hc_replay_new(NULL, 0);
	assert_non_null(t);
	assert_int_equal(hc_transmit(t, &a, r), HC_ERR_CARD_REMOVED);
	hc_transport_free(&t);
	hc_resp_free(&r);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_plain),
		T(test_61xx_chain),
		T(test_61xx_forever),
		T(test_61xx_total_bound),
		T(test_small_resp_buffer),
		T(test_6cxx_resend),
		T(test_6cxx_once),
		T(test_6cxx_then_61xx),
		T(test_chaining),
		T(test_chaining_refused),
		T(test_extended_single),
		T(test_no_extended_le),
		T(test_card_reset),
		T(test_short_answers),
		T(test_transport_errors),
		T(test_invalid_not_sent),
		T(test_transmit_ok),
		T(test_masked_logging),
		cmocka_unit_test(test_replay),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
