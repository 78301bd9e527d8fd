/*
 * crypto-sam: the health SAM of card-profile.md §1 and §4 through pcscd, vpcd and hcard-sim:
 * PIN, key sets of the five types, DELIVERY SESSION KEY checks, SM3 in blocks, SM2 signature,
 * the SAM certificate (§5) checked with the demo root key.
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

static void
insert_sam(int type, const char *extra)
{
	char name[32];

	snprintf(name, sizeof(name), "sam%d.img", type);
	sec_sim("factory --type sam --sam-type %d --sam-serial SAMT%06d %s --out %s", type, type,
	        extra, name);
	sec_insert(&env_, 1, sec_tmp(name));
	assert_int_equal(sec_hex(&env_, env_.sam, "00A4000002DF01"), 0x9000);
}

static int
setup(void **state)
{
	(void)state;
	sec_connect(&env_);
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

/* DELIVERY SESSION KEY for SAM tag (P2 with version 1) and its usage byte, with a dummy
 * challenge. */
static uint16_t
deliver(uint8_t p1, uint8_t tag)
{
	uint8_t apdu[29];

	apdu[0] = 0x80; apdu[1] = 0xDE; apdu[2] = p1; apdu[3] = (uint8_t)(0x20 | tag);
	apdu[4] = 0x18;
	memcpy(apdu + 5, env_.card_factor, 8);
	memcpy(apdu + 13, env_.city_factor, 8);
	memset(apdu + 21, 0xA5, 8);
	return sec_raw(&env_, env_.sam, apdu, sizeof(apdu));
}

static void
test_pin(void **state)
{
	sec_env_t *e = &env_;

	(void)state;
	insert_sam(1, "--sam-pin 246810");
	/* no key command before VERIFY */
	assert_int_equal(deliver(0x47, 0x11), 0x6982);
	assert_int_equal(sec_hex(e, e->sam, "00200000"), 0x63C3);
	assert_int_equal(sec_hex(e, e->sam, "0020000006 313131313131"), 0x63C2);
	assert_int_equal(sec_hex(e, e->sam, "0020000006 323436383130"), 0x9000);  /* resets */
	assert_int_equal(deliver(0x47, 0x11), 0x9000);
	assert_int_equal(sec_hex(e, e->sam, "00200000"), 0x9000);
	/* malformed PINs are refused without costing a try */
	assert_int_equal(sec_hex(e, e->sam, "0020000005 3131313131"), 0x6A80);
	assert_int_equal(sec_hex(e, e->sam, "0020000006 313131313141"), 0x6A80);
	/* CHANGE REFERENCE DATA old || new, then the new PIN works and the old does not */
	assert_int_equal(sec_hex(e, e->sam, "002400000E 323436383130 3937353331333537"), 0x9000);
	assert_int_equal(sec_hex(e, e->sam, "0020000006 323436383130"), 0x63C2);
	/* a wrong VERIFY drops the verified state */
	assert_int_equal(deliver(0x47, 0x11), 0x6982);
	assert_int_equal(sec_hex(e, e->sam, "0020000008 3937353331333537"), 0x9000);
	assert_int_equal(sec_hex(e, e->sam, "002400000E 313131313131 3937353331333537"), 0x63C2);
	assert_int_equal(sec_hex(e, e->sam, "0020000006 313131313131"), 0x63C1);
	assert_int_equal(sec_hex(e, e->sam, "0020000006 313131313131"), 0x63C0);
	assert_int_equal(sec_hex(e, e->sam, "0020000008 3937353331333537"), 0x6983);
	assert_int_equal(deliver(0x47, 0x11), 0x6983);
	/* blocked for good: also after a reset */
	assert_int_equal(hc_transport_reconnect(e->sam, 1), 0);
	assert_int_equal(sec_hex(e, e->sam, "00A4000002DF01"), 0x9000);
	assert_int_equal(sec_hex(e, e->sam, "0020000008 3937353331333537"), 0x6983);
}

/* Which SAM tags each type holds (§1; [PC] types 2/3 hold UK2 DF03 = tag 10). */
static void
test_key_sets_of_types(void **state)
{
	static const struct { uint8_t p1, tag; } keys[] = {
		{ 0x47, 0x01 }, { 0x28, 0x02 }, { 0x28, 0x03 }, { 0x48, 0x04 }, { 0x48, 0x05 },
		{ 0x27, 0x07 }, { 0x27, 0x08 }, { 0x27, 0x09 }, { 0x27, 0x15 }, { 0x28, 0x16 },
		{ 0x47, 0x11 }, { 0x47, 0x12 }, { 0x47, 0x13 }, { 0x47, 0x14 }, { 0x27, 0x0A },
		{ 0x27, 0x0B }, { 0x47, 0x0C }, { 0x47, 0x0D }, { 0x47, 0x0E }, { 0x47, 0x0F },
		{ 0x27, 0x10 },
	};
	/* expected, per type 1..5, in the order of keys[] */
	static const char *const expect[6] = {
		NULL,
		"100000000011110000000",
		"100110000011110011111",
		"100110000011110010111",
		"111111111100000000000",
		"111111111111111111111",
	};
	int type;
	size_t i;

	(void)state;
	for (type = 1; type <= 5; type++) {
		insert_sam(type, "");
		assert_int_equal(sec_hex(&env_, env_.sam, "0020000008 3132333435363738"), 0x9000);
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			uint16_t sw = deliver(keys[i].p1, keys[i].tag);

			if (expect[type][i] == '1' && sw != 0x9000)
				fail_msg("type %d lacks tag %02X (%04X)", type, keys[i].tag, sw);
			if (expect[type][i] == '0' && sw != 0x6A88)
				fail_msg("type %d has tag %02X (%04X)", type, keys[i].tag, sw);
		}
		/* usage byte checked: 6A86; unknown tag / version 2: 6A88 */
		assert_int_equal(deliver(0x28, 0x01), 0x6A86);
		assert_int_equal(deliver(0x47, 0x1F), 0x6A88);
		assert_int_equal(sec_hex(&env_, env_.sam,
		                         "80DE474118 0000000000000000 0000000000000000 0000000000000000"),
		                 0x6A88);
		/* MF/EF0015: serial, type, key version */
		assert_int_equal(sec_hex(&env_, env_.sam, "00A4000C023F00"), 0x9000);
		assert_int_equal(sec_hex(&env_, env_.sam, "00B095000E"), 0x9000);
		assert_int_equal(env_.resp_len, 14);
		assert_int_equal(env_.resp[10], type);
		assert_int_equal(env_.resp[11], 0x01);
	}
}

static void
test_session_key_and_cipher(void **state)
{
	sec_env_t *e = &env_;
	uint8_t mk[16], k[16], s[16], blk[32], exp[32], mac[16], iv[16] = { 0 };
	uint8_t data[20];
	size_t i;

	(void)state;
	insert_sam(2, "");
	/* CIPHER DATA before any session key -> 6985 */
	assert_int_equal(sec_hex(e, e->sam, "0020000008 3132333435363738"), 0x9000);
	assert_int_equal(sec_hex(e, e->sam, "80FA000010 00112233445566778899AABBCCDDEEFF 00"),
	                 0x6985);
	/* S for STK DF02 with challenge A5.., checked against the host computation */
	assert_int_equal(deliver(0x48, 0x04), 0x9000);
	sec_demo_key("mk.04", mk, 16);
	sec_card_key(mk, e->city_factor, e->card_factor, k);
	memset(blk, 0xA5, 8);
	memset(blk + 8, 0, 8);
	assert_int_equal(hc_sm4_ecb(k, 1, blk, 16, s), 0);
	/* 20 bytes: padded to 32 with 80 00.. */
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i + 1);
	assert_int_equal(sec_hex(e, e->sam,
	                         "80FA000014 0102030405060708090A0B0C0D0E0F1011121314 00"), 0x9000);
	assert_int_equal(e->resp_len, 32);
	memcpy(blk, data, 20);
	blk[20] = 0x80;
	memset(blk + 21, 0, 11);
	assert_int_equal(hc_sm4_ecb(s, 1, blk, 32, exp), 0);
	assert_memory_equal(e->resp, exp, 32);
	/* MAC */
	assert_int_equal(sec_sam_mac(e, data, sizeof(data), blk), 0x9000);
	assert_int_equal(hc_sm4_cbc_mac(s, iv, data, sizeof(data), mac), 0);
	assert_memory_equal(blk, mac, 4);
	/* a SELECT ends the session key */
	assert_int_equal(sec_hex(e, e->sam, "00A4000002DF01"), 0x9000);
	assert_int_equal(sec_hex(e, e->sam, "80FA000010 00112233445566778899AABBCCDDEEFF 00"),
	                 0x6985);
	/* key commands need DF01 current */
	assert_int_equal(sec_hex(e, e->sam, "00A4000002 3F00"), 0x9000);
	assert_int_equal(deliver(0x48, 0x04), 0x6985);
}

static void
test_digest_and_signature(void **state)
{
	sec_env_t *e = &env_;
	uint8_t data[600], apdu[5 + 255 + 1], hash[32], cert[190], ca_pub[64], pub[64], sig[64];
	uint8_t e2[32];
	size_t i, off, n;

	(void)state;
	insert_sam(3, "");
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 31 + 7);
	/* middle block without a first one -> 6985 */
	assert_int_equal(sec_hex(e, e->sam, "80F8010003 616263"), 0x6985);
	/* 600 bytes as 255 + 255 + 90 */
	for (off = 0; off < sizeof(data); off += n) {
		n = sizeof(data) - off > 255 ? 255 : sizeof(data) - off;
		apdu[0] = 0x80; apdu[1] = 0xF8;
		apdu[2] = off == 0 ? 0x00 : (off + n == sizeof(data) ? 0x02 : 0x01);
		apdu[3] = 0x00; apdu[4] = (uint8_t)n;
		memcpy(apdu + 5, data + off, n);
		apdu[5 + n] = 0x20;
		assert_int_equal(sec_raw(e, e->sam, apdu, off + n == sizeof(data) ? 6 + n : 5 + n),
		                 0x9000);
	}
	assert_int_equal(e->resp_len, 32);
	assert_int_equal(hc_sm3(data, sizeof(data), hash), 0);
	assert_memory_equal(e->resp, hash, 32);
	/* only block: "abc" */
	assert_int_equal(sec_hex(e, e->sam, "80F8030003 616263 20"), 0x9000);
	assert_int_equal(hc_sm3((const uint8_t *)"abc", 3, hash), 0);
	assert_memory_equal(e->resp, hash, 32);
	/* any other command abandons a digest */
	assert_int_equal(sec_hex(e, e->sam, "80F8000003 616263"), 0x9000);
	assert_int_equal(sec_hex(e, e->sam, "00B0970001"), 0x9000);
	assert_int_equal(sec_hex(e, e->sam, "80F8020003 616263 20"), 0x6985);

	/* the certificate: root-signed, type 3, this SAM's serial */
	assert_int_equal(sec_hex(e, e->sam, "00B09700BE"), 0x9000);
	assert_int_equal(e->resp_len, 190);
	memcpy(cert, e->resp, 190);
	sec_demo_key("ca.pub", ca_pub, 64);
	assert_int_equal(cert[0], 0x01);
	sec_demo_key("ca.id", hash, 4);
	assert_memory_equal(cert + 1, hash, 4);
	assert_memory_equal(cert + 5, "SAMT000003", 10);
	assert_int_equal(cert[15], 3);
	assert_int_equal(cert[24], 0x01);
	assert_int_equal(hc_sm3(cert, 126, e2), 0);
	assert_int_equal(hc_sm2_verify_e(ca_pub, e2, cert + 126), 0);
	cert[10] ^= 1;
	assert_int_equal(hc_sm3(cert, 126, e2), 0);
	assert_int_equal(hc_sm2_verify_e(ca_pub, e2, cert + 126), -1);
	memcpy(pub, cert + 25, 64);

	/* SM2 signature of a hash needs the PIN; it verifies with the certificate's key (no Z) */
	assert_int_equal(hc_sm3((const uint8_t *)"visit record", 12, hash), 0);
	apdu[0] = 0x80; apdu[1] = 0xF4; apdu[2] = 0; apdu[3] = 0; apdu[4] = 0x20;
	memcpy(apdu + 5, hash, 32);
	apdu[37] = 0x40;
	assert_int_equal(sec_raw(e, e->sam, apdu, 38), 0x6982);
	assert_int_equal(sec_hex(e, e->sam, "0020000008 3132333435363738"), 0x9000);
	assert_int_equal(sec_raw(e, e->sam, apdu, 38), 0x9000);
	assert_int_equal(e->resp_len, 64);
	memcpy(sig, e->resp, 64);
	assert_int_equal(hc_sm2_verify_e(pub, hash, sig), 0);
	hash[0] ^= 1;
	assert_int_equal(hc_sm2_verify_e(pub, hash, sig), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_sets_of_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_key_and_cipher, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_and_signature, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
