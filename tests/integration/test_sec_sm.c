/*
 * crypto-sam: secure messaging on writes (card-profile.md §4) through pcscd, vpcd and
 * hcard-sim: cipher + MAC (CLA 04) in DF02, MAC only (CLA 84) on the DF03 index files,
 * with the SAM computing the cryptogram and MAC, cross-checked on the host with crypto/.
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
	sec_sim("factory --type sam --sam-type 2 --out sam2.img");
	sec_insert(&env_, 1, sec_tmp("sam2.img"));
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

/* Builds `04 DC p1 p2 Lc SM4_S(L || elem ..pad) || MAC4` with the SAM (S from the STK of
 * the current DF, tag stk_tag); the card challenge is taken just before. */
static size_t
wrap_update(const uint8_t *elem, size_t len, uint8_t p1, uint8_t p2, uint8_t stk_tag,
            uint8_t *apdu)
{
	sec_env_t *e = &env_;
	uint8_t enc[5 + 64 + 1], hdr[5 + 64], mac[4];
	size_t clen;

	assert_true(len + 1 <= 48);
	assert_int_equal(sec_sm_session(e, 0x48, (uint8_t)(0x20 | stk_tag)), 0x9000);
	enc[0] = 0x80; enc[1] = 0xFA; enc[2] = 0; enc[3] = 0; enc[4] = (uint8_t)(len + 1);
	enc[5] = (uint8_t)len;
	memcpy(enc + 6, elem, len);
	enc[6 + len] = 0x00;
	assert_int_equal(sec_raw(e, e->sam, enc, 7 + len), 0x9000);
	clen = e->resp_len;
	assert_int_equal(clen % 16, 0);
	hdr[0] = 0x04; hdr[1] = 0xDC; hdr[2] = p1; hdr[3] = p2; hdr[4] = (uint8_t)(clen + 4);
	memcpy(hdr + 5, e->resp, clen);
	assert_int_equal(sec_sam_mac(e, hdr, 5 + clen, mac), 0x9000);
	memcpy(apdu, hdr, 5 + clen);
	memcpy(apdu + 5 + clen, mac, 4);
	return 5 + clen + 4;
}

static void
test_cipher_mac_update(void **state)
{
	sec_env_t *e = &env_;
	static const uint8_t elem[] = { 0x41, 0x01, 0x03 };   /* ABO blood group: O */
	uint8_t apdu[80], mk[16], k[16], s[16], c[8], blk[16], dec[16], mac[16], iv[16] = { 0 };
	size_t n;

	(void)state;
	/* DF02: UK1 right, then read with RK1 */
	assert_int_equal(sec_hex(e, e->card, "00A4040006915600013201"), 0x9000);
	assert_int_equal(sec_ext_auth(e, 0x47, 0x2C, 0x85), 0x9000);
	assert_int_equal(sec_ext_auth(e, 0x47, 0x33, 0x84), 0x9000);

	/* plain write to an SM file -> 6982 */
	assert_int_equal(sec_hex(e, e->card, "00DC412803 410103"), 0x6982);
	/* without a challenge -> 6984 */
	n = wrap_update(elem, sizeof(elem), 0x41, 0x28, 0x04, apdu);
	assert_int_equal(sec_hex(e, e->card, "00B2412800"), 0x9000);   /* uses up the challenge */
	assert_int_equal(sec_raw(e, e->card, apdu, n), 0x6984);
	/* tampered MAC -> 6988, nothing written */
	n = wrap_update(elem, sizeof(elem), 0x41, 0x28, 0x04, apdu);
	apdu[n - 1] ^= 0x01;
	assert_int_equal(sec_raw(e, e->card, apdu, n), 0x6988);
	assert_int_equal(sec_hex(e, e->card, "00B2412800"), 0x9000);
	assert_int_equal(e->resp[2], 0x00);
	/* tampered cryptogram -> 6988 */
	n = wrap_update(elem, sizeof(elem), 0x41, 0x28, 0x04, apdu);
	apdu[6] ^= 0x01;
	assert_int_equal(sec_raw(e, e->card, apdu, n), 0x6988);
	/* MAC missing (cryptogram only) -> 6987 */
	n = wrap_update(elem, sizeof(elem), 0x41, 0x28, 0x04, apdu);
	apdu[4] = (uint8_t)(apdu[4] - 4);
	assert_int_equal(sec_raw(e, e->card, apdu, n - 4), 0x6987);
	/* MAC of another STK (DF03's) -> 6988 */
	n = wrap_update(elem, sizeof(elem), 0x41, 0x28, 0x05, apdu);
	assert_int_equal(sec_raw(e, e->card, apdu, n), 0x6988);
	/* valid -> 9000 and the element is written */
	n = wrap_update(elem, sizeof(elem), 0x41, 0x28, 0x04, apdu);
	assert_int_equal(sec_raw(e, e->card, apdu, n), 0x9000);
	assert_int_equal(sec_hex(e, e->card, "00B2412800"), 0x9000);
	assert_int_equal(e->resp_len, 3);
	assert_memory_equal(e->resp, elem, 3);
	/* replay of the same APDU: its challenge is gone -> 6984; with a new one -> 6988 */
	assert_int_equal(sec_raw(e, e->card, apdu, n), 0x6984);
	assert_int_equal(sec_hex(e, e->card, "0084000008"), 0x9000);
	memcpy(c, e->resp, 8);
	assert_int_equal(sec_raw(e, e->card, apdu, n), 0x6988);

	/* host side: an APDU wrapped with crypto/ under the demo STK DF02 is accepted */
	sec_demo_key("mk.04", mk, 16);
	sec_card_key(mk, e->city_factor, e->card_factor, k);
	assert_int_equal(sec_hex(e, e->card, "0084000008"), 0x9000);
	memcpy(blk, e->resp, 8);
	memset(blk + 8, 0, 8);
	assert_int_equal(hc_sm4_ecb(k, 1, blk, 16, s), 0);
	memset(dec, 0, sizeof(dec));
	dec[0] = 3; dec[1] = 0x41; dec[2] = 0x01; dec[3] = 0x02; dec[4] = 0x80;
	apdu[0] = 0x04; apdu[1] = 0xDC; apdu[2] = 0x41; apdu[3] = 0x28; apdu[4] = 0x14;
	assert_int_equal(hc_sm4_ecb(s, 1, dec, 16, apdu + 5), 0);
	assert_int_equal(hc_sm4_cbc_mac(s, iv, apdu, 21, mac), 0);
	memcpy(apdu + 21, mac, 4);
	assert_int_equal(sec_raw(e, e->card, apdu, 25), 0x9000);
	assert_int_equal(sec_hex(e, e->card, "00B2412800"), 0x9000);
	assert_int_equal(e->resp[2], 0x02);

	/* the psychiatric flag needs UK2 DF02: the UK1 right is not enough */
	n = wrap_update((const uint8_t *)"\x56\x01\x01", 3, 0x56, 0x30, 0x04, apdu);
	assert_int_equal(sec_raw(e, e->card, apdu, n), 0x6982);
	assert_int_equal(sec_ext_auth(e, 0x47, 0x2D, 0x86), 0x9000);
	n = wrap_update((const uint8_t *)"\x56\x01\x01", 3, 0x56, 0x30, 0x04, apdu);
	assert_int_equal(sec_raw(e, e->card, apdu, n), 0x9000);
}

static uint16_t
index_command(uint8_t rec, uint8_t value, int tamper)
{
	sec_env_t *e = &env_;
	uint8_t apdu[10], mac[4];

	assert_int_equal(sec_sm_session(e, 0x48, 0x25), 0x9000);
	apdu[0] = 0x84; apdu[1] = 0xDC; apdu[2] = rec; apdu[3] = 0x04; apdu[4] = 0x05;
	apdu[5] = value;
	assert_int_equal(sec_sam_mac(e, apdu, 6, mac), 0x9000);
	memcpy(apdu + 6, mac, 4);
	if (tamper)
		apdu[5] ^= 0xFF;
	return sec_raw(e, e->card, apdu, sizeof(apdu));
}

static void
test_mac_only_index(void **state)
{
	sec_env_t *e = &env_;

	(void)state;
	assert_int_equal(sec_hex(e, e->card, "00A4040006915600013202"), 0x9000);
	assert_int_equal(sec_ext_auth(e, 0x47, 0x34, 0x84), 0x9000);   /* RK1 DF03 */
	assert_int_equal(sec_hex(e, e->card, "00A4020C02EF05"), 0x9000);
	/* set needs UK1 DF03 */
	assert_int_equal(index_command(1, 0x00, 0), 0x6982);
	assert_int_equal(sec_ext_auth(e, 0x47, 0x2F, 0x85), 0x9000);
	/* plain -> 6982, tampered -> 6988, MAC missing -> 6987 */
	assert_int_equal(sec_hex(e, e->card, "00DC010401 00"), 0x6982);
	assert_int_equal(index_command(1, 0x00, 1), 0x6988);
	assert_int_equal(sec_hex(e, e->card, "0084000008"), 0x9000);
	assert_int_equal(sec_hex(e, e->card, "84DC010401 00"), 0x6987);
	assert_int_equal(index_command(1, 0x00, 0), 0x9000);
	assert_int_equal(sec_hex(e, e->card, "00B2010400"), 0x9000);
	assert_int_equal(e->resp_len, 1);
	assert_int_equal(e->resp[0], 0x00);
	/* erase needs UK2 DF03 ([PC]: type 2 holds it) */
	assert_int_equal(index_command(1, 0xFF, 0), 0x6982);
	assert_int_equal(sec_ext_auth(e, 0x27, 0x30, 0x86), 0x9000);
	assert_int_equal(index_command(1, 0xFF, 0), 0x9000);
	assert_int_equal(sec_hex(e, e->card, "00B2010400"), 0x9000);
	assert_int_equal(e->resp[0], 0xFF);
}

/* A type 3 SAM (medical institution without psychiatric licence) writes DF02/EF05 but
 * cannot obtain the UK2 DF02 right for the psychiatric flag. */
static void
test_type3_no_psychiatric_flag(void **state)
{
	sec_env_t *e = &env_;
	uint8_t apdu[80];
	size_t n;

	(void)state;
	sec_sim("factory --type sam --sam-type 3 --out sam3.img");
	sec_insert(e, 1, sec_tmp("sam3.img"));
	assert_int_equal(sec_sam_login(e, "12345678"), 0x9000);
	assert_int_equal(sec_hex(e, e->card, "00A4040006915600013201"), 0x9000);
	assert_int_equal(sec_ext_auth(e, 0x47, 0x2D, 0x86), 0x6A88);   /* SAM lacks UK2 DF02 */
	assert_int_equal(sec_ext_auth(e, 0x47, 0x2C, 0x85), 0x9000);   /* UK1 DF02 */
	n = wrap_update((const uint8_t *)"\x56\x01\x01", 3, 0x56, 0x30, 0x04, apdu);
	assert_int_equal(sec_raw(e, e->card, apdu, n), 0x6982);
	n = wrap_update((const uint8_t *)"\x42\x01\x1F", 3, 0x42, 0x28, 0x04, apdu);
	assert_int_equal(sec_raw(e, e->card, apdu, n), 0x9000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cipher_mac_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mac_only_index, setup, teardown),
		cmocka_unit_test_setup_teardown(test_type3_no_psychiatric_flag, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
