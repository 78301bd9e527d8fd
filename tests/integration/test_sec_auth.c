/*
 * crypto-sam: internal and external authentication of card-profile.md §4 through pcscd, vpcd
 * and hcard-sim (run under tests/harness/with-sim). The SAM's answers are checked against
 * host-side computations from the demo key set with crypto/.
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

/* A SAM of type t in slot 1, logged in; the card's factors read. */
static void
use_sam(int type)
{
	char name[32];

	snprintf(name, sizeof(name), "sam%d.img", type);
	sec_sim("factory --type sam --sam-type %d --out %s", type, name);
	sec_insert(&env_, 1, sec_tmp(name));
	assert_int_equal(sec_sam_login(&env_, "12345678"), 0x9000);
	sec_card_factors(&env_);
}

static int
setup(void **state)
{
	(void)state;
	sec_connect(&env_);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	sec_disconnect(&env_);
	return 0;
}

/* SAM A and card B of internal authentication over R; returns 1 when equal. Also checks B
 * against the host-side value under the demo key set when demo is set. */
static int
internal_auth(int demo)
{
	sec_env_t *e = &env_;
	uint8_t r[8], apdu[5 + 17 + 1], a[8], b[8], blk[16], k[16], mk[16], y[16];
	size_t i;

	assert_int_equal(sec_hex(e, e->sam, "0084000008"), 0x9000);
	memcpy(r, e->resp, 8);
	apdu[0] = 0x80; apdu[1] = 0xDE; apdu[2] = 0x47; apdu[3] = 0x21; apdu[4] = 0x10;
	memcpy(apdu + 5, e->card_factor, 8);
	memcpy(apdu + 13, e->city_factor, 8);
	assert_int_equal(sec_raw(e, e->sam, apdu, 21), 0x9000);
	memcpy(blk, r, 8);
	memcpy(blk + 8, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	apdu[0] = 0x80; apdu[1] = 0xFA; apdu[2] = 0x00; apdu[3] = 0x00; apdu[4] = 0x10;
	memcpy(apdu + 5, blk, 16);
	apdu[21] = 0x00;
	assert_int_equal(sec_raw(e, e->sam, apdu, 22), 0x9000);
	assert_int_equal(e->resp_len, 16);
	for (i = 0; i < 8; i++)
		a[i] = (uint8_t)(e->resp[i] ^ e->resp[8 + i]);

	/* card, DDF1 current (sec_card_factors left it so) */
	apdu[0] = 0x00; apdu[1] = 0x88; apdu[2] = 0x00; apdu[3] = 0x00; apdu[4] = 0x11;
	memcpy(apdu + 5, blk, 16);
	apdu[21] = 0x01;
	apdu[22] = 0x08;
	assert_int_equal(sec_raw(e, e->card, apdu, 23), 0x9000);
	assert_int_equal(e->resp_len, 8);
	memcpy(b, e->resp, 8);

	if (demo) {
		sec_demo_key("mk.01", mk, 16);
		sec_card_key(mk, e->city_factor, e->card_factor, k);
		assert_int_equal(hc_sm4_ecb(k, 1, blk, 16, y), 0);
		for (i = 0; i < 8; i++)
			assert_int_equal(b[i], (uint8_t)(y[i] ^ y[8 + i]));
	}
	return memcmp(a, b, 8) == 0;
}

static void
test_internal_auth_genuine(void **state)
{
	(void)state;
	use_sam(1);
	assert_true(internal_auth(1));
	/* key version other than 01 -> 6A88; DF01 current has no IRK -> 6A88 */
	assert_int_equal(sec_hex(&env_, env_.card,
	                         "0088000011 0102030405060708 1122334455667788 02 08"), 0x6A88);
	assert_int_equal(sec_hex(&env_, env_.card, "00A4040006915600013200"), 0x9000);
	assert_int_equal(sec_hex(&env_, env_.card,
	                         "0088000011 0102030405060708 1122334455667788 01 08"), 0x6A88);
}

static void
test_external_auth_grants_read(void **state)
{
	sec_env_t *e = &env_;

	(void)state;
	use_sam(1);
	/* EF06 cardholder needs RK1 DDF1 */
	assert_int_equal(sec_hex(e, e->card, "00B2013500"), 0x6982);
	assert_int_equal(sec_ext_auth(e, 0x47, 0x31, 0x04), 0x9000);
	assert_int_equal(sec_hex(e, e->card, "00B2013500"), 0x9000);
	assert_true(e->resp_len > 0);
	/* SELECT of an EF keeps the right */
	assert_int_equal(sec_hex(e, e->card, "00A4020C02EF06"), 0x9000);
	assert_int_equal(sec_hex(e, e->card, "00B2013500"), 0x9000);
	/* SELECT of a DF, even the current one, clears it */
	assert_int_equal(sec_hex(e, e->card, "00A4000C02DDF1"), 0x9000);
	assert_int_equal(sec_hex(e, e->card, "00B2013500"), 0x6982);
	/* rights of DF01 come from DF01's RK1 (P2 84) */
	assert_int_equal(sec_hex(e, e->card, "00A4000C02DF01"), 0x9000);
	assert_int_equal(sec_hex(e, e->card, "00B2012D00"), 0x6982);
	assert_int_equal(sec_ext_auth(e, 0x47, 0x32, 0x84), 0x9000);
	assert_int_equal(sec_hex(e, e->card, "00B2012D00"), 0x9000);
	/* the RK1 DDF1 session key does not open DF01 */
	assert_int_equal(sec_hex(e, e->card, "00A4000C02DF01"), 0x9000);
	assert_int_equal(sec_ext_auth(e, 0x47, 0x31, 0x84), 0x63C2);
	/* a reset clears rights */
	assert_int_equal(sec_ext_auth(e, 0x47, 0x32, 0x84), 0x9000);
	assert_int_equal(hc_transport_reconnect(e->card, 1), 0);
	assert_int_equal(sec_hex(e, e->card, "00A4040006915600013200"), 0x9000);
	assert_int_equal(sec_hex(e, e->card, "00B2012D00"), 0x6982);
}

static void
test_external_auth_tries(void **state)
{
	sec_env_t *e = &env_;
	const char *wrong = "0082000411 0011223344556677 1122334455667788 01";

	(void)state;
	use_sam(1);
	/* without a challenge -> 6984; key version 02 -> 6A88; unknown key -> 6A88 */
	assert_int_equal(sec_hex(e, e->card, wrong), 0x6984);
	assert_int_equal(sec_hex(e, e->card, "0084000008"), 0x9000);
	assert_int_equal(sec_hex(e, e->card, "0082000411 0011223344556677 1122334455667788 02"),
	                 0x6A88);
	assert_int_equal(sec_hex(e, e->card, "0084000008"), 0x9000);
	assert_int_equal(sec_hex(e, e->card, "0082000911 0011223344556677 1122334455667788 01"),
	                 0x6A88);
	/* a challenge serves one command only */
	assert_int_equal(sec_hex(e, e->card, "0084000008"), 0x9000);
	assert_int_equal(sec_hex(e, e->card, "00B2572800"), 0x9000);
	assert_int_equal(sec_hex(e, e->card, wrong), 0x6984);

	/* one failure, then success resets the counter */
	assert_int_equal(sec_hex(e, e->card, "0084000008"), 0x9000);
	assert_int_equal(sec_hex(e, e->card, wrong), 0x63C2);
	assert_int_equal(sec_ext_auth(e, 0x47, 0x31, 0x04), 0x9000);
	/* a failure revokes nothing */
	assert_int_equal(sec_hex(e, e->card, "0084000008"), 0x9000);
	assert_int_equal(sec_hex(e, e->card, wrong), 0x63C2);
	assert_int_equal(sec_hex(e, e->card, "00B2013500"), 0x9000);
	assert_int_equal(sec_hex(e, e->card, "0084000008"), 0x9000);
	assert_int_equal(sec_hex(e, e->card, wrong), 0x63C1);
	assert_int_equal(sec_hex(e, e->card, "0084000008"), 0x9000);
	assert_int_equal(sec_hex(e, e->card, wrong), 0x63C0);
	assert_int_equal(sec_hex(e, e->card, "0084000008"), 0x9000);
	assert_int_equal(sec_hex(e, e->card, wrong), 0x6983);
	/* blocked: even the right value is refused, also after a reset (non-volatile) */
	assert_int_equal(sec_ext_auth(e, 0x47, 0x31, 0x04), 0x6983);
	assert_int_equal(hc_transport_reconnect(e->card, 1), 0);
	assert_int_equal(sec_hex(e, e->card, "00A4000C02DDF1"), 0x9000);
	assert_int_equal(sec_ext_auth(e, 0x47, 0x31, 0x04), 0x6983);
	/* other keys are unaffected */
	assert_int_equal(sec_hex(e, e->card, "00A4000C02DF01"), 0x9000);
	assert_int_equal(sec_ext_auth(e, 0x47, 0x32, 0x84), 0x9000);
}

static void
test_type1_sam_cannot_write(void **state)
{
	sec_env_t *e = &env_;

	(void)state;
	use_sam(1);
	/* UK1 DDF1 (tag 0A), UK1 DF02 (0C), STK DF02 (04): not in a type 1 SAM */
	assert_int_equal(sec_ext_auth(e, 0x27, 0x2A, 0x05), 0x6A88);
	assert_int_equal(sec_hex(e, e->card, "00A4000C02DF02"), 0x9000);
	assert_int_equal(sec_ext_auth(e, 0x47, 0x2C, 0x85), 0x6A88);
	assert_int_equal(sec_sm_session(e, 0x48, 0x24), 0x6A88);
	/* wrong usage byte for a key it has -> 6A86; no session key of RK1 without challenge */
	assert_int_equal(sec_ext_auth(e, 0x27, 0x33, 0x84), 0x6A86);
	assert_int_equal(sec_hex(e, e->sam, "80DE473110 0000000000000000 0000000000000000"),
	                 0x6A80);
}

static void
test_internal_auth_wrong_card_key(void **state)
{
	(void)state;
	/* a card whose keys come from another key set is not genuine for the demo SAM */
	sec_sim("keyset --out other.keyset");
	sec_sim("factory --type user --keyset other.keyset --out other.img");
	sec_insert(&env_, 0, sec_tmp("other.img"));
	use_sam(1);
	assert_false(internal_auth(0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_internal_auth_genuine, setup, teardown),
		cmocka_unit_test_setup_teardown(test_external_auth_grants_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_external_auth_tries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_type1_sam_cannot_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_internal_auth_wrong_card_key, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
