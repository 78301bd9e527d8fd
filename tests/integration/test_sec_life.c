/*
 * crypto-sam: life cycle and lost-card commands (card-profile.md §6) with real keys through
 * pcscd, vpcd and hcard-sim: EF05 tag 57 never writable, ACTIVATE, writes after activation,
 * APPLICATION BLOCK / UNBLOCK, CARD BLOCK.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/crypto.h"
#include "tests/integration/test_sec_common.h"

static sec_env_t env_;

static int
setup(void **state)
{
	(void)state;
	sec_connect(&env_);
	sec_sim("factory --type sam --sam-type 5 --out sam5.img");
	sec_insert(&env_, 1, sec_tmp("sam5.img"));
	sec_sim("factory --type user --out card.img");
	sec_insert(&env_, 0, sec_tmp("card.img"));
	assert_int_equal(sec_sam_login(&env_, "12345678"), 0x9000);
	sec_card_factors(&env_);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	sec_disconnect(&env_);
	return 0;
}

/* MAC-only command `84 ins p1 p2 04 MAC` with the STK (SAM tag stk_tag, usage p1 28/48). */
static uint16_t
mac_command(uint8_t ins, uint8_t p1, uint8_t p2, uint8_t stk_usage, uint8_t stk_tag)
{
	sec_env_t *e = &env_;
	uint8_t apdu[9], mac[4];

	assert_int_equal(sec_sm_session(e, stk_usage, (uint8_t)(0x20 | stk_tag)), 0x9000);
	apdu[0] = 0x84; apdu[1] = ins; apdu[2] = p1; apdu[3] = p2; apdu[4] = 0x04;
	assert_int_equal(sec_sam_mac(e, apdu, 5, mac), 0x9000);
	memcpy(apdu + 5, mac, 4);
	return sec_raw(e, e->card, apdu, sizeof(apdu));
}

static void
test_activation(void **state)
{
	sec_env_t *e = &env_;

	(void)state;
	/* DDF1 current: UK1 DDF1 */
	assert_int_equal(sec_hex(e, e->card, "00DC012803 010131"), 0x6982);
	assert_int_equal(sec_ext_auth(e, 0x27, 0x2A, 0x05), 0x9000);
	assert_int_equal(sec_hex(e, e->card, "00DC012803 010131"), 0x9000);
	/* tag 57 (city code) is never writable */
	assert_int_equal(sec_hex(e, e->card, "00DC572805 5703120100"), 0x6985);
	/* ACTIVATE: MF current, UK1 DDF1 right */
	assert_int_equal(sec_hex(e, e->card, "00A4000C023F00"), 0x9000);
	assert_int_equal(sec_hex(e, e->card, "00440000"), 0x9000);
	assert_int_equal(sec_hex(e, e->card, "00A40000023F0000"), 0x9000);
	{
		/* MF FCI: life cycle 05 */
		size_t i;
		int found = 0;

		for (i = 0; i + 2 < e->resp_len; i++)
			if (e->resp[i] == 0x8A && e->resp[i + 1] == 0x01 && e->resp[i + 2] == 0x05)
				found = 1;
		assert_true(found);
	}
	/* after activation EF05/EF06 writes give 6985, even with the right */
	assert_int_equal(sec_hex(e, e->card, "00A4000C02DDF1"), 0x9000);
	assert_int_equal(sec_ext_auth(e, 0x27, 0x2A, 0x05), 0x9000);
	assert_int_equal(sec_hex(e, e->card, "00DC012803 010132"), 0x6985);
	assert_int_equal(sec_hex(e, e->card, "00DC113020 11" "1E"
	                         "000000000000000000000000000000000000000000000000000000000000"),
	                 0x6985);
	/* a second ACTIVATE is refused */
	assert_int_equal(sec_hex(e, e->card, "00A4000C023F00"), 0x9000);
	assert_int_equal(sec_hex(e, e->card, "00440000"), 0x6985);
}

static void
test_activation_needs_right(void **state)
{
	sec_env_t *e = &env_;

	(void)state;
	assert_int_equal(sec_hex(e, e->card, "00A4000C023F00"), 0x9000);
	assert_int_equal(sec_hex(e, e->card, "00440000"), 0x6982);
	/* RK1 DDF1 is not UK1 DDF1 */
	assert_int_equal(sec_hex(e, e->card, "00A4000C02DDF1"), 0x9000);
	assert_int_equal(sec_ext_auth(e, 0x47, 0x31, 0x04), 0x9000);
	assert_int_equal(sec_hex(e, e->card, "00A4000C023F00"), 0x9000);
	assert_int_equal(sec_hex(e, e->card, "00440000"), 0x6982);
}

static void
test_application_block(void **state)
{
	sec_env_t *e = &env_;

	(void)state;
	assert_int_equal(sec_hex(e, e->card, "00A4040006915600013200"), 0x9000);
	/* without the LK right -> 6982; with it but no MAC -> 6987 */
	assert_int_equal(mac_command(0x1E, 0x00, 0x00, 0x28, 0x03), 0x6982);
	assert_int_equal(sec_ext_auth(e, 0x27, 0x27, 0x83), 0x9000);
	assert_int_equal(sec_hex(e, e->card, "0084000008"), 0x9000);
	assert_int_equal(sec_hex(e, e->card, "841E0000"), 0x6987);
	/* a MAC under another DF's STK -> 6988 */
	assert_int_equal(mac_command(0x1E, 0x00, 0x00, 0x48, 0x04), 0x6988);
	assert_int_equal(mac_command(0x1E, 0x00, 0x00, 0x28, 0x03), 0x9000);
	/* blocked: commands 6985, SELECT 6283, EXTERNAL AUTHENTICATE only with LK */
	assert_int_equal(sec_hex(e, e->card, "00B2012D00"), 0x6985);
	assert_int_equal(sec_hex(e, e->card, "00A4040006915600013200"), 0x6283);
	assert_int_equal(sec_ext_auth(e, 0x47, 0x32, 0x84), 0x6985);
	assert_int_equal(sec_ext_auth(e, 0x27, 0x27, 0x83), 0x9000);
	/* other applications still work */
	assert_int_equal(sec_hex(e, e->card, "00A4040006915600013201"), 0x9000);
	assert_int_equal(sec_ext_auth(e, 0x47, 0x33, 0x84), 0x9000);
	/* unblock (temporary) */
	assert_int_equal(sec_hex(e, e->card, "00A4040006915600013200"), 0x6283);
	assert_int_equal(sec_ext_auth(e, 0x27, 0x27, 0x83), 0x9000);
	assert_int_equal(mac_command(0x18, 0x00, 0x00, 0x28, 0x03), 0x9000);
	assert_int_equal(sec_hex(e, e->card, "00A4040006915600013200"), 0x9000);
	assert_int_equal(sec_ext_auth(e, 0x47, 0x32, 0x84), 0x9000);
	assert_int_equal(sec_hex(e, e->card, "00B2012D00"), 0x9000);

	/* permanent block of DF02: UNBLOCK -> 6985 */
	assert_int_equal(sec_hex(e, e->card, "00A4040006915600013201"), 0x9000);
	assert_int_equal(sec_ext_auth(e, 0x27, 0x28, 0x83), 0x9000);
	assert_int_equal(mac_command(0x1E, 0x00, 0x01, 0x48, 0x04), 0x9000);
	assert_int_equal(sec_hex(e, e->card, "00A4040006915600013201"), 0x6283);
	assert_int_equal(sec_ext_auth(e, 0x27, 0x28, 0x83), 0x9000);
	assert_int_equal(mac_command(0x18, 0x00, 0x00, 0x48, 0x04), 0x6985);
}

static void
test_card_block(void **state)
{
	sec_env_t *e = &env_;

	(void)state;
	assert_int_equal(sec_hex(e, e->card, "00A4000C023F00"), 0x9000);
	/* BK MF (P2 03) and the MF's STK */
	assert_int_equal(mac_command(0x16, 0x00, 0x00, 0x28, 0x16), 0x6982);
	assert_int_equal(sec_ext_auth(e, 0x27, 0x35, 0x03), 0x9000);
	assert_int_equal(mac_command(0x16, 0x00, 0x00, 0x28, 0x16), 0x9000);
	/* every command -> 6A81, also after a reset */
	assert_int_equal(sec_hex(e, e->card, "00A4000C02DDF1"), 0x6A81);
	assert_int_equal(sec_hex(e, e->card, "0084000008"), 0x6A81);
	assert_int_equal(hc_transport_reconnect(e->card, 1), 0);
	assert_int_equal(sec_hex(e, e->card, "00A40000023F0000"), 0x6A81);
}

/* --issuer-cert: EF05 tag 05 holds the key set's issuer certificate (§5), root-signed. */
static void
test_issuer_certificate(void **state)
{
	sec_env_t *e = &env_;
	uint8_t cert[180], ca_pub[64], ca_id[4], h[32];

	(void)state;
	sec_sim("factory --type user --issuer-cert yes --out issued.img");
	sec_insert(e, 0, sec_tmp("issued.img"));
	assert_int_equal(sec_hex(e, e->card, "00A4000C02DDF1"), 0x9000);
	assert_int_equal(sec_hex(e, e->card, "00B2052800"), 0x9000);   /* free to read */
	assert_int_equal(e->resp_len, 182);
	assert_int_equal(e->resp[0], 0x05);
	assert_int_equal(e->resp[1], 180);
	memcpy(cert, e->resp + 2, 180);
	sec_demo_key("ca.pub", ca_pub, 64);
	sec_demo_key("ca.id", ca_id, 4);
	assert_int_equal(cert[0], 0x01);
	assert_memory_equal(cert + 1, ca_id, 4);
	assert_int_equal(cert[24], 0x01);          /* curve SM2 */
	assert_int_equal(hc_sm3(cert, 116, h), 0);
	assert_int_equal(hc_sm2_verify_e(ca_pub, h, cert + 116), 0);
	/* the card without --issuer-cert has zeros there */
	sec_insert(e, 0, sec_tmp("card.img"));
	assert_int_equal(sec_hex(e, e->card, "00A4000C02DDF1"), 0x9000);
	assert_int_equal(sec_hex(e, e->card, "00B2052800"), 0x9000);
	assert_int_equal(e->resp[2], 0x00);
	assert_int_equal(e->resp[181], 0x00);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_activation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_activation_needs_right, setup, teardown),
		cmocka_unit_test_setup_teardown(test_application_block, setup, teardown),
		cmocka_unit_test_setup_teardown(test_card_block, setup, teardown),
		cmocka_unit_test_setup_teardown(test_issuer_certificate, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
