/* Helpers of the crypto-sam integration tests (see test_sec_common.h). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "apdu/apdu.h"
#include "apdu/buf.h"
#include "apdu/pcsc.h"
#include "apdu/transport.h"
#include "crypto/crypto.h"
#include "hcard_err.h"
#include "tests/integration/test_sec_common.h"

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL || *v == '\0')
		fail_msg("%s not set: run under tests/harness/with-sim", name);
	return v;
}

static hc_transport_t *
connect_reader(hc_pcsc_t *p, const char *reader)
{
	hc_transport_t *t = NULL;
	int present = 0, i, rc;

	for (i = 0; i < 50; i++) {
		rc = hc_pcsc_connect(p, reader, &t);
		if (rc == HC_OK)
			return t;
		(void)hc_pcsc_wait(p, reader, 100, &present);
	}
	fail_msg("cannot connect to %s", reader);
	return NULL;
}

void
sec_connect(sec_env_t *e)
{
	memset(e, 0, sizeof(*e));
	assert_int_equal(hc_pcsc_new(&e->pcsc), HC_OK);
	e->card = connect_reader(e->pcsc, env("HCARD_CARD_READER"));
	e->sam = connect_reader(e->pcsc, env("HCARD_SAM_READER"));
}

void
sec_disconnect(sec_env_t *e)
{
	hc_transport_free(&e->card);
	hc_transport_free(&e->sam);
	hc_pcsc_free(&e->pcsc);
}

const char *
sec_tmp(const char *name)
{
	static char path[1024];

	snprintf(path, sizeof(path), "%s/%s", env("HCARD_TEST_TMP"), name);
	return path;
}

void
sec_sim(const char *fmt, ...)
{
	char args[1024], cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' %s >/dev/null", env("HCARD_TEST_TMP"),
	         env("HCARD_SIM"), args);
	if (system(cmd) != 0)
		fail_msg("failed: %s", cmd);
}

void
sec_insert(sec_env_t *e, int slot, const char *image)
{
	hc_transport_t **t = slot == 0 ? &e->card : &e->sam;
	const char *reader = env(slot == 0 ? "HCARD_CARD_READER" : "HCARD_SAM_READER");
	int present = 1, i;

	hc_transport_free(t);
	sec_sim("ctl '%s' remove %d", env("HCARD_SIM_CONTROL"), slot);
	for (i = 0; i < 50 && present; i++)
		(void)hc_pcsc_wait(e->pcsc, reader, 100, &present);
	sec_sim("ctl '%s' insert %d '%s'", env("HCARD_SIM_CONTROL"), slot, image);
	*t = connect_reader(e->pcsc, reader);
}

uint16_t
sec_raw(sec_env_t *e, hc_transport_t *t, const uint8_t *raw, size_t len)
{
	hc_apdu_t a;
	hc_resp_t r;

	assert_int_equal(hc_apdu_parse(raw, len, &a), HC_OK);
	memset(&r, 0, sizeof(r));
	r.data = e->resp;
	r.cap = sizeof(e->resp);
	assert_int_equal(hc_transmit(t, &a, &r), HC_OK);
	e->resp_len = r.len;
	return (uint16_t)r.sw;
}

uint16_t
sec_hex(sec_env_t *e, hc_transport_t *t, const char *hex)
{
	uint8_t raw[600];
	int n = hc_hex_decode(hex, raw, sizeof(raw));

	assert_true(n >= 4);
	return sec_raw(e, t, raw, (size_t)n);
}

void
sec_card_factors(sec_env_t *e)
{
	uint8_t atr[HC_ATR_MAX];
	size_t atr_len = sizeof(atr);

	assert_int_equal(hc_transport_get_atr(e->card, atr, &atr_len), HC_OK);
	assert_true(atr_len >= 12);
	memcpy(e->card_factor, atr + 4, 8);
	/* DDF1 by name, then EF05 tag 57 by SFI 5 (free to read) */
	assert_int_equal(sec_hex(e, e->card, "00A404000C57532E5359532E4444463031"), 0x9000);
	assert_int_equal(sec_hex(e, e->card, "00B2572800"), 0x9000);
	assert_int_equal(e->resp_len, 5);
	assert_int_equal(e->resp[0], 0x57);
	memcpy(e->city_factor, e->resp + 2, 3);
	memset(e->city_factor + 3, 0x30, 5);
}

uint16_t
sec_sam_login(sec_env_t *e, const char *pin)
{
	char hex[64];
	size_t i, n = strlen(pin);

	assert_int_equal(sec_hex(e, e->sam, "00A4000002DF01"), 0x9000);
	snprintf(hex, sizeof(hex), "00200000%02zX", n);
	for (i = 0; i < n; i++)
		snprintf(hex + 10 + 2 * i, sizeof(hex) - 10 - 2 * i, "%02X", (unsigned char)pin[i]);
	return sec_hex(e, e->sam, hex);
}

static uint16_t
delivery(sec_env_t *e, uint8_t p1, uint8_t p2, const uint8_t *challenge)
{
	uint8_t apdu[5 + 24];

	apdu[0] = 0x80;
	apdu[1] = 0xDE;
	apdu[2] = p1;
	apdu[3] = p2;
	apdu[4] = challenge ? 0x18 : 0x10;
	memcpy(apdu + 5, e->card_factor, 8);
	memcpy(apdu + 13, e->city_factor, 8);
	if (challenge)
		memcpy(apdu + 21, challenge, 8);
	return sec_raw(e, e->sam, apdu, challenge ? 29 : 21);
}

uint16_t
sec_ext_auth(sec_env_t *e, uint8_t sam_p1, uint8_t sam_p2, uint8_t card_p2)
{
	uint8_t c[8], apdu[5 + 17], x[16];
	uint16_t sw;
	size_t i;

	assert_int_equal(sec_hex(e, e->card, "0084000008"), 0x9000);
	assert_int_equal(e->resp_len, 8);
	memcpy(c, e->resp, 8);
	if ((sw = delivery(e, sam_p1, sam_p2, c)) != 0x9000)
		return sw;
	if ((sw = sec_hex(e, e->sam, "80FA0000081122334455667788" "00")) != 0x9000)
		return sw;
	assert_int_equal(e->resp_len, 16);
	memcpy(x, e->resp, 16);
	apdu[0] = 0x00;
	apdu[1] = 0x82;
	apdu[2] = 0x00;
	apdu[3] = card_p2;
	apdu[4] = 0x11;
	for (i = 0; i < 8; i++)
		apdu[5 + i] = (uint8_t)(x[i] ^ x[8 + i]);
	memcpy(apdu + 13, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	apdu[21] = 0x01;
	return sec_raw(e, e->card, apdu, sizeof(apdu));
}

uint16_t
sec_sm_session(sec_env_t *e, uint8_t sam_p1, uint8_t sam_p2)
{
	uint8_t c[8];

	assert_int_equal(sec_hex(e, e->card, "0084000008"), 0x9000);
	memcpy(c, e->resp, 8);
	return delivery(e, sam_p1, sam_p2, c);
}

uint16_t
sec_sam_mac(sec_env_t *e, const uint8_t *data, size_t len, uint8_t mac4[4])
{
	uint8_t apdu[5 + 255 + 1];
	uint16_t sw;

	assert_true(len + 16 <= 255);
	apdu[0] = 0x80;
	apdu[1] = 0xFA;
	apdu[2] = 0x05;
	apdu[3] = 0x00;
	apdu[4] = (uint8_t)(16 + len);
	memset(apdu + 5, 0, 16);
	memcpy(apdu + 21, data, len);
	apdu[21 + len] = 0x04;
	sw = sec_raw(e, e->sam, apdu, 22 + len);
	if (sw == 0x9000) {
		assert_int_equal(e->resp_len, 4);
		memcpy(mac4, e->resp, 4);
	}
	return sw;
}

void
sec_demo_key(const char *name, uint8_t *out, size_t len)
{
	char path[1024], line[1024], hex[1024];
	size_t nlen = strlen(name);
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "%s/sim/demo.keyset", env("top_srcdir"));
	assert_non_null(f = fopen(path, "r"));
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, name, nlen) == 0 && line[nlen] == ' ' &&
		    sscanf(line + nlen + 1, "%1000s", hex) == 1) {
			assert_int_equal(hc_hex_decode(hex, out, len), (int)len);
			found = 1;
		}
	}
	fclose(f);
	if (!found)
		fail_msg("%s not in the demo key set", name);
}

void
sec_card_key(const uint8_t master[16], const uint8_t city_factor[8],
             const uint8_t card_factor[8], uint8_t out[16])
{
	uint8_t k[16];

	assert_int_equal(hc_sm4_diversify(master, city_factor, k), 0);
	assert_int_equal(hc_sm4_diversify(k, card_factor, out), 0);
}
