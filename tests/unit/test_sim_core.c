/*
 * The simulator's card OS in process (sim/libhcsim.la, no pcscd): what needs a key right or
 * secure messaging, exercised through sim_dispatch with TEST DOUBLES of the keys module:
 * a command that grants a right (instead of EXTERNAL AUTHENTICATE) and an SM hook that
 * accepts a data field ending in "MACO" (instead of an SM4 MAC). The real keys module and
 * its crypto are tested by crypto-sam's tests through pcscd; this tests the core's rules:
 * challenge life, SM modes, DF03 index set/erase, cyclic APPEND, application and card
 * block, ACTIVATE, T=0 vs T=1, image round trip.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "apdu/buf.h"
#include "apdu/tlv.h"
#include "sim/image.h"
#include "sim/module.h"
#include "sim/profile.h"

static int challenge_seen = -1;   /* what the probe command saw */

/* Test double of EXTERNAL AUTHENTICATE: grants key P2 & 1F, no cryptogram. */
static uint16_t
fake_grant(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	(void)out;
	sim_card_grant(card, cmd->p2 & 0x1F);
	return 0x9000;
}

/* Reports whether a challenge is usable during this command. */
static uint16_t
probe_challenge(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	uint8_t c[SIM_CHALLENGE_LEN];

	(void)cmd;
	(void)out;
	challenge_seen = sim_card_challenge(card, c) == 0;
	return 0x9000;
}

/* Test double of the SM hook: needs the challenge; "MAC" = the 4 bytes "MACO". */
static uint16_t
fake_unwrap(sim_card_t *card, const hc_apdu_t *cmd, sim_sm_mode_t mode, uint8_t *plain,
            size_t cap, size_t *plain_len)
{
	uint8_t c[SIM_CHALLENGE_LEN];

	(void)mode;
	if (sim_card_challenge(card, c) != 0)
		return 0x6984;
	if (cmd->lc < 4)
		return 0x6987;
	if (memcmp(cmd->data + cmd->lc - 4, "MACO", 4) != 0)
		return 0x6988;
	if (cmd->lc - 4 > cap)
		return 0x6A80;
	memcpy(plain, cmd->data, cmd->lc - 4);
	*plain_len = cmd->lc - 4;
	return 0x9000;
}

static const sim_cmd_t fake_cmds[] = {
	{ 0xFF, 0x00, 0x82, SIM_CMD_ANY_CARD | SIM_CMD_BLOCKED_APP, fake_grant, "GRANT (test)" },
	{ 0xFF, 0x80, 0x01, SIM_CMD_ANY_CARD, probe_challenge, "PROBE (test)" },
};

/* Occupies the keys module's slot of the registry in this test program only. */
const sim_module_t sim_keys_module = {
	NULL, fake_cmds, sizeof(fake_cmds) / sizeof(fake_cmds[0]), NULL,
	NULL, NULL, NULL, NULL, NULL, fake_unwrap
};

static uint8_t resp[70000];
static size_t resp_len;

/* Sends hex, returns the SW; resp/resp_len hold the data. */
static uint16_t
tx(sim_card_t *card, const char *hex)
{
	uint8_t cmd[600];
	int n = hc_hex_decode(hex, cmd, sizeof(cmd));
	size_t r;

	assert_true(n >= 4);
	r = sim_dispatch(card, cmd, (size_t)n, resp, sizeof(resp));
	assert_true(r >= 2);
	resp_len = r - 2;
	return (uint16_t)(resp[r - 2] << 8 | resp[r - 1]);
}

#define SEL_DDF1 "00 A4 04 0C 0C 57 53 2E 53 59 53 2E 44 44 46 30 31"
#define SEL_DF01 "00 A4 04 0C 06 91 56 00 01 32 00"
#define SEL_DF02 "00 A4 04 0C 06 91 56 00 01 32 01"
#define SEL_DF03 "00 A4 04 0C 06 91 56 00 01 32 02"
/* "MACO" */
#define MAC " 4D 41 43 4F"

static int
setup(void **state)
{
	sim_card_t *card = sim_factory(SIM_CARD_USER, NULL);

	assert_non_null(card);
	*state = card;
	return 0;
}

static int
teardown(void **state)
{
	sim_card_t *card = *state;

	sim_card_free(&card);
	return 0;
}

static void
test_challenge_lives_one_command(void **state)
{
	sim_card_t *card = *state;

	assert_int_equal(tx(card, "80 01 00 00"), 0x9000);
	assert_int_equal(challenge_seen, 0);
	assert_int_equal(tx(card, "00 84 00 00 08"), 0x9000);
	assert_int_equal(resp_len, 8);
	assert_int_equal(tx(card, "80 01 00 00"), 0x9000);
	assert_int_equal(challenge_seen, 1);
	assert_int_equal(tx(card, "80 01 00 00"), 0x9000);
	assert_int_equal(challenge_seen, 0);          /* gone after one command */
	/* a failed command consumes it too; GET RESPONSE does not */
	assert_int_equal(tx(card, "00 84 00 00 08"), 0x9000);
	assert_int_equal(tx(card, "00 C0 00 00 08"), 0x6985);
	assert_int_equal(tx(card, "80 01 00 00"), 0x9000);
	assert_int_equal(challenge_seen, 1);
	assert_int_equal(tx(card, "00 84 00 00 08"), 0x9000);
	assert_int_equal(tx(card, "00 B2 01 04 00"), 0x6986);
	assert_int_equal(tx(card, "80 01 00 00"), 0x9000);
	assert_int_equal(challenge_seen, 0);
	/* reset forgets it */
	assert_int_equal(tx(card, "00 84 00 00 08"), 0x9000);
	sim_card_reset(card);
	assert_int_equal(tx(card, "80 01 00 00"), 0x9000);
	assert_int_equal(challenge_seen, 0);
}

static void
test_sm_modes_on_ef08(void **state)
{
	sim_card_t *card = *state;
	const char *w = "04 DC 07 40 0A 07 04 20 30 01 01" MAC;

	assert_int_equal(tx(card, SEL_DDF1), 0x9000);
	assert_int_equal(tx(card, "00 82 00 05"), 0x9000);          /* UK1 DDF1 */
	assert_int_equal(tx(card, w), 0x6984);                      /* no challenge */
	assert_int_equal(tx(card, "00 84 00 00 08"), 0x9000);
	assert_int_equal(tx(card, "04 DC 07 40 0A 07 04 20 30 01 01 00 00 00 00"), 0x6988);
	assert_int_equal(tx(card, "00 84 00 00 08"), 0x9000);
	assert_int_equal(tx(card, "84 DC 07 40 0A 07 04 20 30 01 01" MAC), 0x6982); /* MAC only */
	assert_int_equal(tx(card, "00 DC 07 40 06 07 04 20 30 01 01"), 0x6982);    /* plain */
	assert_int_equal(tx(card, "00 84 00 00 08"), 0x9000);
	assert_int_equal(tx(card, w), 0x9000);
	assert_int_equal(tx(card, "00 82 00 04"), 0x9000);          /* RK1 DDF1 */
	assert_int_equal(tx(card, "00 B2 07 40 00"), 0x9000);
	assert_int_equal(resp_len, 6);
	assert_memory_equal(resp, "\x07\x04\x20\x30\x01\x01", 6);
	assert_true(card->dirty);
	/* SELECT of a DF, even the current one, clears the rights */
	assert_int_equal(tx(card, SEL_DDF1), 0x9000);
	assert_int_equal(tx(card, "00 B2 07 40 00"), 0x6982);
}

static void
test_df03_index_set_and_erase(void **state)
{
	sim_card_t *card = *state;

	assert_int_equal(tx(card, SEL_DF03), 0x9000);
	assert_int_equal(tx(card, "00 82 00 85"), 0x9000);          /* UK1 DF03: set */
	assert_int_equal(tx(card, "00 84 00 00 08"), 0x9000);
	assert_int_equal(tx(card, "84 DC 02 2C 05 00" MAC), 0x9000);
	assert_int_equal(tx(card, "00 84 00 00 08"), 0x9000);
	assert_int_equal(tx(card, "84 DC 02 2C 05 FF" MAC), 0x6982); /* erase needs UK2 */
	assert_int_equal(tx(card, "00 82 00 86"), 0x9000);          /* UK2 DF03 */
	assert_int_equal(tx(card, "00 84 00 00 08"), 0x9000);
	assert_int_equal(tx(card, "84 DC 02 2C 05 FF" MAC), 0x9000);
	assert_int_equal(tx(card, "00 84 00 00 08"), 0x9000);
	assert_int_equal(tx(card, "84 DC 03 2C 06 00 00" MAC), 0x6700); /* 1-byte records */
	assert_int_equal(tx(card, "00 84 00 00 08"), 0x9000);
	assert_int_equal(tx(card, "84 DC 04 2C 05 00" MAC), 0x6A83); /* 3 records */
	assert_int_equal(tx(card, "00 84 00 00 08"), 0x9000);
	assert_int_equal(tx(card, "84 DC 01 2C 05 00" MAC), 0x9000);
	assert_int_equal(tx(card, "00 82 00 84"), 0x9000);          /* RK1 DF03 */
	assert_int_equal(tx(card, "00 B2 01 2C 01"), 0x9000);
	assert_int_equal(resp[0], 0x00);
	assert_int_equal(tx(card, "00 B2 02 2C 01"), 0x9000);
	assert_int_equal(resp[0], 0xFF);
	assert_int_equal(tx(card, "00 B2 03 2C 01"), 0x9000);
	assert_int_equal(resp[0], 0xFF);                            /* factory value */
}

static void
append_immunisation(sim_card_t *card, uint8_t v, uint16_t want)
{
	char apdu[300];
	size_t off, i;

	assert_int_equal(tx(card, "00 84 00 00 08"), 0x9000);
	off = (size_t)snprintf(apdu, sizeof(apdu), "04 E2 00 40 1C");
	for (i = 0; i < 24; i++)
		off += (size_t)snprintf(apdu + off, sizeof(apdu) - off, " %02X", v);
	snprintf(apdu + off, sizeof(apdu) - off, "%s", MAC);
	assert_int_equal(tx(card, apdu), want);
}

static void
test_cyclic_append(void **state)
{
	sim_card_t *card = *state;
	size_t i;

	assert_int_equal(tx(card, SEL_DF02), 0x9000);
	assert_int_equal(tx(card, "00 82 00 87"), 0x9000);          /* UK3 DF02 */
	append_immunisation(card, 0x11, 0x9000);
	append_immunisation(card, 0x22, 0x9000);
	assert_int_equal(tx(card, "00 84 00 00 08"), 0x9000);
	assert_int_equal(tx(card, "04 E2 00 40 05 01" MAC), 0x6700); /* not an entry */
	assert_int_equal(tx(card, "00 84 00 00 08"), 0x9000);
	assert_int_equal(tx(card, "04 E2 00 28 05 01" MAC), 0x6981); /* EF05 not cyclic */
	assert_int_equal(tx(card, "00 82 00 84"), 0x9000);
	assert_int_equal(tx(card, "00 B2 01 44 18"), 0x9000);      /* newest first */
	assert_int_equal(resp[0], 0x22);
	assert_int_equal(tx(card, "00 B2 02 44 18"), 0x9000);
	assert_int_equal(resp[0], 0x11);
	assert_int_equal(tx(card, "00 B2 03 44 18"), 0x9000);
	assert_int_equal(resp[0], 0x00);                            /* factory entry */
	assert_int_equal(resp[23], 0xFF);                           /* its cn date */
	/* ten more: the first two fall out */
	assert_int_equal(tx(card, "00 82 00 87"), 0x9000);
	for (i = 0; i < 10; i++)
		append_immunisation(card, (uint8_t)(0x30 + i), 0x9000);
	assert_int_equal(tx(card, "00 B2 0A 44 18"), 0x9000);
	assert_int_equal(resp[0], 0x30);
	assert_int_equal(tx(card, "00 B2 0B 44 18"), 0x6A83);
}

static void
test_application_block(void **state)
{
	sim_card_t *card = *state;

	assert_int_equal(tx(card, SEL_DF01), 0x9000);
	assert_int_equal(tx(card, "00 84 00 00 08"), 0x9000);
	assert_int_equal(tx(card, "84 1E 00 00 04" MAC), 0x6982);  /* LK right missing */
	assert_int_equal(tx(card, "00 82 00 83"), 0x9000);          /* LK DF01 */
	assert_int_equal(tx(card, "84 1E 00 00 04" MAC), 0x6984);  /* no challenge */
	assert_int_equal(tx(card, "00 84 00 00 08"), 0x9000);
	assert_int_equal(tx(card, "00 1E 00 00"), 0x6982);          /* plain */
	assert_int_equal(tx(card, "00 84 00 00 08"), 0x9000);
	assert_int_equal(tx(card, "84 1E 00 00 04" MAC), 0x9000);
	assert_int_equal(card->files[card->current_df].blocked, SIM_BLOCK_TEMPORARY);
	/* blocked: 6985 for all but the allowed commands; SELECT 6283 with the FCI */
	assert_int_equal(tx(card, "00 B2 01 2C 00"), 0x6985);
	assert_int_equal(tx(card, "80 01 00 00"), 0x6985);
	assert_int_equal(tx(card, "00 A4 04 00 06 91 56 00 01 32 00 00"), 0x6283);
	assert_true(resp_len > 0 && resp[0] == 0x6F);
	assert_int_equal(tx(card, SEL_DF02), 0x9000);               /* others unaffected */
	assert_int_equal(tx(card, "80 01 00 00"), 0x9000);
	assert_int_equal(tx(card, SEL_DF01), 0x6283);
	assert_int_equal(tx(card, "00 82 00 83"), 0x9000);
	assert_int_equal(tx(card, "00 84 00 00 08"), 0x9000);
	assert_int_equal(tx(card, "84 18 00 00 04" MAC), 0x9000);  /* unblock */
	assert_int_equal(tx(card, "00 B2 01 2C 00"), 0x6982);      /* no longer 6985 */
	/* a permanent block cannot be undone */
	assert_int_equal(tx(card, "00 84 00 00 08"), 0x9000);
	assert_int_equal(tx(card, "84 1E 00 01 04" MAC), 0x9000);
	assert_int_equal(tx(card, "00 84 00 00 08"), 0x9000);
	assert_int_equal(tx(card, "84 18 00 00 04" MAC), 0x6985);
	assert_int_equal(tx(card, "84 1E 00 02 04" MAC), 0x6A86);
}

static void
test_card_block_and_image(void **state)
{
	sim_card_t *card = *state, *copy;
	uint8_t *img = NULL, *img2 = NULL;
	size_t n = 0, n2 = 0;

	assert_int_equal(tx(card, SEL_DDF1), 0x9000);
	assert_int_equal(tx(card, "00 82 00 03"), 0x9000);
	assert_int_equal(tx(card, "00 84 00 00 08"), 0x9000);
	assert_int_equal(tx(card, "84 16 00 00 04" MAC), 0x6985);  /* MF must be current */
	assert_int_equal(tx(card, "00 A4 00 0C 02 3F 00"), 0x9000);
	assert_int_equal(tx(card, "00 82 00 03"), 0x9000);          /* BK MF */
	assert_int_equal(tx(card, "00 84 00 00 08"), 0x9000);
	assert_int_equal(tx(card, "84 16 00 00 04" MAC), 0x9000);
	assert_int_equal(tx(card, "00 A4 00 0C 02 3F 00"), 0x6A81);
	assert_int_equal(tx(card, "00 84 00 00 08"), 0x6A81);
	/* the block is non-volatile: through an image and a reset */
	assert_int_equal(sim_image_encode(card, &img, &n), 0);
	copy = sim_image_decode(img, n);
	assert_non_null(copy);
	assert_int_equal(tx(copy, "00 A4 00 0C 02 3F 00"), 0x6A81);
	assert_int_equal(sim_image_encode(copy, &img2, &n2), 0);
	assert_int_equal(n, n2);
	assert_memory_equal(img, img2, n);                          /* round trip is exact */
	sim_card_free(&copy);
	free(img);
	free(img2);
}

static void
test_activate(void **state)
{
	sim_card_t *card = *state;
	static const uint32_t p8a[] = { 0x6F, 0xA5, 0x8A };
	hc_tlv_t t;

	assert_int_equal(tx(card, "00 44 00 00"), 0x6982);
	assert_int_equal(tx(card, SEL_DF01), 0x9000);
	assert_int_equal(tx(card, "00 82 00 85"), 0x9000);          /* UK1 of DF01: not it */
	assert_int_equal(tx(card, "00 A4 00 0C 02 3F 00"), 0x9000);
	assert_int_equal(tx(card, "00 44 00 00"), 0x6982);
	assert_int_equal(tx(card, SEL_DDF1), 0x9000);
	assert_int_equal(tx(card, "00 82 00 05"), 0x9000);          /* UK1 DDF1 */
	assert_int_equal(tx(card, "00 DC 01 2C 03 01 01 31"), 0x9000); /* EF05 before activation */
	assert_int_equal(tx(card, "00 A4 00 0C 02 3F 00"), 0x9000);
	assert_int_equal(tx(card, "00 44 00 00"), 0x9000);
	assert_int_equal(card->life_cycle, 0x05);
	assert_int_equal(tx(card, "00 44 00 00"), 0x6985);
	assert_int_equal(tx(card, "00 A4 00 00 02 3F 00 00"), 0x6115);
	assert_int_equal(tx(card, "00 C0 00 00 15"), 0x9000);
	assert_int_equal(hc_ber_find_path(resp, resp_len, p8a, 3, &t), 0);
	assert_int_equal(t.value[0], 0x05);
	assert_int_equal(tx(card, SEL_DDF1), 0x9000);
	assert_int_equal(tx(card, "00 82 00 05"), 0x9000);
	assert_int_equal(tx(card, "00 DC 01 2C 03 01 01 32"), 0x6985); /* after activation */
	assert_int_equal(tx(card, "00 A4 02 0C 02 EF 07"), 0x9000);
	assert_int_equal(tx(card, "00 D6 00 00 02 00 10"), 0x9000);   /* EF07: UK1, always */
}

static void
test_t1_answers_directly(void **state)
{
	sim_card_t *card = *state;

	/* 3B 80 01 ...: TD1 says T=1 */
	memcpy(card->atr, "\x3B\x80\x01\x01", 4);
	card->atr_len = 4;
	assert_int_equal(tx(card, "00 A4 00 00 02 3F 00 00"), 0x9000);
	assert_true(resp_len > 0 && resp[0] == 0x6F);
	assert_int_equal(tx(card, "00 C0 00 00 10"), 0x6985);
}

/* xorshift32: a fixed sequence, so a failure is reproducible */
static uint32_t
next_rand(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* 20000 arbitrary commands: every answer is data + 2 SW bytes, within bounds. */
static void
test_random_apdus(void **state)
{
	static const uint8_t classes[] = { 0x00, 0x04, 0x80, 0x84, 0x0C, 0xA0 };
	sim_card_t *card = *state;
	uint8_t cmd[300];
	uint32_t x = 0x2545F491u;
	size_t i, k, n, r;

	for (i = 0; i < 20000; i++) {
		n = 4 + next_rand(&x) % 40;
		for (k = 0; k < n; k++)
			cmd[k] = (uint8_t)next_rand(&x);
		cmd[0] = classes[next_rand(&x) % sizeof(classes)];
		if (n > 5 && (next_rand(&x) & 1))
			cmd[4] = (uint8_t)(n - 5);   /* often a well-formed case 3 */
		r = sim_dispatch(card, cmd, n, resp, sizeof(resp));
		assert_true(r >= 2 && r <= 65538);
		if (i % 97 == 0)
			sim_card_reset(card);
	}
}

/* CRC-32 (IEEE), written here independently of sim/image.c */
static uint32_t
crc32_test(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	size_t i;
	int b;

	for (i = 0; i < n; i++) {
		c ^= p[i];
		for (b = 0; b < 8; b++)
			c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
	}
	return ~c;
}

/* Mutated images with a valid CRC reach the section parsers: refused or loaded, no crash. */
static void
test_mutated_images(void **state)
{
	sim_card_t *card = *state, *c2;
	uint8_t *img = NULL, *m;
	size_t n = 0, i, k;
	uint32_t x = 0x12345678u, crc;

	assert_int_equal(sim_image_encode(card, &img, &n), 0);
	assert_int_equal(crc32_test(img, n - 4),
	                 (uint32_t)img[n - 4] << 24 | (uint32_t)img[n - 3] << 16 |
	                 (uint32_t)img[n - 2] << 8 | img[n - 1]);
	m = malloc(n);
	assert_non_null(m);
	for (i = 0; i < 3000; i++) {
		memcpy(m, img, n);
		for (k = 0; k < 1 + next_rand(&x) % 4; k++) {
			/* mostly the headers: where lengths and kinds live */
			size_t at = (next_rand(&x) & 1) ? 8 + next_rand(&x) % 200 : next_rand(&x) % (n - 4);

			m[at] = (uint8_t)next_rand(&x);
		}
		crc = crc32_test(m, n - 4);
		m[n - 4] = (uint8_t)(crc >> 24);
		m[n - 3] = (uint8_t)(crc >> 16);
		m[n - 2] = (uint8_t)(crc >> 8);
		m[n - 1] = (uint8_t)crc;
		c2 = sim_image_decode(m, n);
		if (c2 != NULL) {
			/* whatever loaded must serve commands safely */
			assert_true(tx(c2, "00 A4 00 00 02 3F 00 00") != 0);
			sim_card_free(&c2);
		}
	}
	free(m);
	free(img);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_challenge_lives_one_command, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sm_modes_on_ef08, setup, teardown),
		cmocka_unit_test_setup_teardown(test_df03_index_set_and_erase, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cyclic_append, setup, teardown),
		cmocka_unit_test_setup_teardown(test_application_block, setup, teardown),
		cmocka_unit_test_setup_teardown(test_card_block_and_image, setup, teardown),
		cmocka_unit_test_setup_teardown(test_activate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_t1_answers_directly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_apdus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mutated_images, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
