/*
 * The simulator's file system through pcscd + vpcd (run under tests/harness/with-sim):
 * SELECT by FID/name with the search order and FCI templates of card-profile.md §2,
 * READ RECORD in every addressing mode, READ BINARY offsets, access conditions, status words.
 * Expected values are written here from the spec, not taken from the simulator's tables.
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
#include "tests/integration/test_sim_util.h"

#define SELECT_DDF1 "00 A4 04 00 0C 57 53 2E 53 59 53 2E 44 44 46 30 31 00"

/* card-profile.md §3, DDF1/EF05: tags and lengths in file order, and cn elements */
static const struct { uint8_t tag, len, cn; } ef05[] = {
	{ 0x01, 1, 0 }, { 0x02, 4, 0 }, { 0x03, 30, 0 }, { 0x04, 11, 1 }, { 0x05, 180, 0 },
	{ 0x06, 4, 1 }, { 0x08, 18, 0 }, { 0x09, 3, 0 }, { 0x10, 10, 0 }, { 0x57, 3, 1 },
};

static uint8_t resp[70000];

static void
expect(st_conn_t *c, const char *apdu, uint16_t want_sw, size_t *len)
{
	uint16_t sw = 0;
	size_t n = 0;

	assert_int_equal(st_apdu(c, apdu, resp, sizeof(resp), &n, &sw), SCARD_S_SUCCESS);
	if (sw != want_sw)
		fail_msg("%s: SW %04X, expected %04X", apdu, sw, want_sw);
	if (len != NULL)
		*len = n;
}

static int
setup(void **state)
{
	static st_conn_t c;

	assert_int_equal(st_connect(&c, st_env("HCARD_CARD_READER")), SCARD_S_SUCCESS);
	*state = &c;
	return 0;
}

static int
teardown(void **state)
{
	st_disconnect(*state);
	return 0;
}

static void
test_select_mf_fci_t0(void **state)
{
	st_conn_t *c = *state;
	uint8_t atr[33];
	DWORD atr_len = sizeof(atr), rstate, proto, rlen = 0;
	static const uint32_t p_c0[] = { 0x6F, 0xA5, 0xC0 }, p_8a[] = { 0x6F, 0xA5, 0x8A },
	                      p_84[] = { 0x6F, 0x84 };
	hc_tlv_t t;
	size_t n = 0;
	uint16_t sw = 0;

	assert_int_equal(SCardStatus(c->card, NULL, &rlen, &rstate, &proto, atr, &atr_len),
	                 SCARD_S_SUCCESS);
	/* §4: default ATR 3B 6C 00 00 ‖ card factor ‖ 48 43 01 00, T=0 */
	assert_int_equal(atr_len, 16);
	assert_memory_equal(atr, "\x3B\x6C\x00\x00", 4);
	assert_memory_equal(atr + 12, "\x48\x43\x01\x00", 4);
	assert_int_equal(proto, SCARD_PROTOCOL_T0);

	/* T=0: a case-4 SELECT answers 61xx, GET RESPONSE with a wrong Le gives 6Cxx */
	assert_int_equal(st_raw(c, "00 A4 00 00 02 3F 00 00", resp, sizeof(resp), &n, &sw),
	                 SCARD_S_SUCCESS);
	assert_int_equal(sw & 0xFF00, 0x6100);
	assert_int_equal(n, 0);
	assert_int_equal(st_raw(c, "00 C0 00 00 01", resp, sizeof(resp), &n, &sw), SCARD_S_SUCCESS);
	assert_int_equal(sw, 0x6C15);
	expect(c, "00 C0 00 00 15", 0x9000, &n);
	assert_int_equal(n, 0x15);
	assert_int_equal(hc_ber_find_path(resp, n, p_84, 2, &t), 0);
	assert_int_equal(t.len, 2);
	assert_memory_equal(t.value, "\x3F\x00", 2);
	assert_int_equal(hc_ber_find_path(resp, n, p_c0, 3, &t), 0);
	assert_int_equal(t.len, 8);
	assert_memory_equal(t.value, atr + 4, 8);   /* card factor = ATR[4..11] */
	assert_int_equal(hc_ber_find_path(resp, n, p_8a, 3, &t), 0);
	assert_int_equal(t.len, 1);
	assert_int_equal(t.value[0], 0x03);          /* factory: initialisation */
	/* GET RESPONSE with nothing pending */
	expect(c, "00 C0 00 00 10", 0x6985, NULL);
}

static void
test_select_search_order(void **state)
{
	st_conn_t *c = *state;
	static const uint32_t p_84[] = { 0x6F, 0x84 }, p_c1[] = { 0x6F, 0xA5, 0xC1 };
	hc_tlv_t t;
	size_t n;

	expect(c, "00 A4 00 0C 02 3F 00", 0x9000, &n);
	assert_int_equal(n, 0);                       /* P2 0C: no FCI */
	expect(c, "00 A4 00 0C 02 DF 01", 0x6A82, NULL); /* DF01 is not a child of the MF */
	expect(c, "00 A4 00 00 02 DD F1 00", 0x9000, &n);
	assert_int_equal(hc_ber_find_path(resp, n, p_84, 2, &t), 0);
	assert_int_equal(t.len, 12);
	assert_memory_equal(t.value, "WS.SYS.DDF01", 12);
	assert_int_equal(hc_ber_find_path(resp, n, p_c1, 3, &t), 0);
	assert_int_equal(t.value[0], 0x01);          /* key version 01 */
	expect(c, "00 A4 00 0C 02 DF 01", 0x9000, NULL); /* child of DDF1 */
	expect(c, "00 A4 00 0C 02 DD F1", 0x9000, NULL); /* the parent */
	expect(c, "00 A4 00 0C 02 DF 02", 0x9000, NULL);
	expect(c, "00 A4 00 0C 02 DF 02", 0x9000, NULL); /* the current DF itself */
	expect(c, "00 A4 00 0C 02 DF 03", 0x6A82, NULL); /* a sibling is not searched */
	/* a DF AID works from anywhere, exact match only */
	expect(c, "00 A4 04 00 06 91 56 00 01 32 02 00", 0x9000, &n);
	assert_int_equal(hc_ber_find_path(resp, n, p_84, 2, &t), 0);
	assert_memory_equal(t.value, "\x91\x56\x00\x01\x32\x02", 6);
	expect(c, "00 A4 04 00 05 91 56 00 01 32 00", 0x6A82, NULL);
	expect(c, "00 A4 04 00 07 91 56 00 01 32 02 00 00", 0x6A82, NULL);
	/* wrong parameters */
	expect(c, "00 A4 08 00 02 3F 00", 0x6A86, NULL);
	expect(c, "00 A4 00 04 02 3F 00", 0x6A86, NULL);
	expect(c, "00 A4 00 0C 03 3F 00 00", 0x6700, NULL);
	expect(c, "00 A4 02 0C 02 DF 01", 0x6A82, NULL); /* P1 02 selects EFs only */
}

static void
check_ef_fci(st_conn_t *c, const char *select, uint8_t type, uint16_t fid, uint16_t size)
{
	static const uint32_t p82[] = { 0x62, 0x82 }, p83[] = { 0x62, 0x83 }, p80[] = { 0x62, 0x80 };
	hc_tlv_t t;
	size_t n;

	expect(c, select, 0x9000, &n);
	assert_int_equal(hc_ber_find_path(resp, n, p82, 2, &t), 0);
	assert_int_equal(t.len, 1);
	assert_int_equal(t.value[0], type);
	assert_int_equal(hc_ber_find_path(resp, n, p83, 2, &t), 0);
	assert_int_equal(t.len, 2);
	assert_int_equal(t.value[0] << 8 | t.value[1], fid);
	assert_int_equal(hc_ber_find_path(resp, n, p80, 2, &t), 0);
	assert_int_equal(t.len, 2);
	assert_int_equal(t.value[0] << 8 | t.value[1], size);
}

static void
test_ef_fci(void **state)
{
	st_conn_t *c = *state;

	expect(c, SELECT_DDF1, 0x9000, NULL);
	check_ef_fci(c, "00 A4 02 00 02 EF 05 00", 0x04, 0xEF05, 284);  /* §3 sizes */
	check_ef_fci(c, "00 A4 02 00 02 EF 07 00", 0x01, 0xEF07, 3074);
	expect(c, "00 A4 04 0C 06 91 56 00 01 32 01", 0x9000, NULL);
	check_ef_fci(c, "00 A4 02 00 02 EF 07 00", 0x06, 0xEF07, 120);  /* cyclic 3 x 120 */
	check_ef_fci(c, "00 A4 00 00 02 EF 08 00", 0x06, 0xEF08, 24);   /* cyclic 10 x 24 */
	expect(c, "00 A4 04 0C 06 91 56 00 01 32 02", 0x9000, NULL);
	check_ef_fci(c, "00 A4 02 00 02 EF 06 00", 0x02, 0xEF06, 1);    /* fixed 5 x 1 */
	check_ef_fci(c, "00 A4 02 00 02 EE 02 00", 0x01, 0xEE02, 1893);
	check_ef_fci(c, "00 A4 02 00 02 ED 05 00", 0x01, 0xED05, 3267);
	expect(c, "00 A4 02 00 02 ED 06 00", 0x6A82, NULL);
}

/* Checks EF05 records starting at element `first` in p[0..n); returns how many. */
static size_t
check_ef05_records(const uint8_t *p, size_t n, size_t first)
{
	size_t i = first, off = 0, k;

	while (off < n) {
		hc_tlv_t t;

		assert_true(i < sizeof(ef05) / sizeof(ef05[0]));
		assert_int_equal(hc_stlv_parse(p + off, n - off, &t), 0);
		assert_int_equal(t.tag, ef05[i].tag);
		assert_int_equal(t.len, ef05[i].len);
		if (t.tag == 0x57) {
			assert_memory_equal(t.value, "\x11\x01\x00", 3);  /* factory city 110100 */
		} else {
			for (k = 0; k < t.len; k++)     /* factory fill: cn FF, ans/b 00 */
				assert_int_equal(t.value[k], ef05[i].cn ? 0xFF : 0x00);
		}
		off += t.total;
		i++;
	}
	return i - first;
}

static void
test_read_record_modes(void **state)
{
	st_conn_t *c = *state;
	size_t n;

	expect(c, SELECT_DDF1, 0x9000, NULL);
	/* by tag with SFI 5 (P2 = 5 << 3 | 000) and by number (| 100) */
	expect(c, "00 B2 57 28 00", 0x9000, &n);
	assert_int_equal(n, 5);
	assert_memory_equal(resp, "\x57\x03\x11\x01\x00", 5);
	expect(c, "00 B2 0A 2C 00", 0x9000, &n);
	assert_memory_equal(resp, "\x57\x03\x11\x01\x00", 5);
	expect(c, "00 B2 01 2C 03", 0x9000, &n);
	assert_int_equal(n, 3);
	expect(c, "00 B2 01 2C 05", 0x6C03, NULL);   /* wrong Le: resend with 03 */
	expect(c, "00 B2 0B 2C 00", 0x6A83, NULL);
	expect(c, "00 B2 7F 28 00", 0x6A83, NULL);
	expect(c, "00 B2 01 2A 00", 0x6A86, NULL);   /* P2 mode 010 */
	expect(c, "00 B2 00 2C 00", 0x6A86, NULL);   /* record 0 */
	/* all records from P1 (mode 101): extended Le reads the whole file */
	expect(c, "00 B2 01 2D 00 00 00", 0x9000, &n);
	assert_int_equal(n, 284);
	assert_int_equal(check_ef05_records(resp, n, 0), 10);
	/* short Le 00: the whole records that fit in 256 bytes, 6282 */
	expect(c, "00 B2 01 2D 00", 0x6282, &n);
	assert_int_equal(n, 242);
	assert_int_equal(check_ef05_records(resp, n, 0), 6);
	expect(c, "00 B2 09 2D 00", 0x9000, &n);
	assert_int_equal(n, 17);
	assert_int_equal(check_ef05_records(resp, n, 8), 2);   /* tags 10, 57 */
	/* SFI of a file that does not exist */
	expect(c, "00 B2 01 4C 00", 0x6A82, NULL);
	/* current-EF form after SELECT: EF06 needs RK1 DDF1 */
	expect(c, "00 A4 02 0C 02 EF 06", 0x9000, NULL);
	expect(c, "00 B2 01 04 00", 0x6982, NULL);
	expect(c, "00 B2 15 30 00", 0x6982, NULL);
	expect(c, "00 B0 87 00 10", 0x6982, NULL);   /* EF07 photo: RK1 */
	/* READ BINARY on a record file, and without a current EF */
	expect(c, "00 B0 85 00 10", 0x6981, NULL);
	expect(c, SELECT_DDF1, 0x9000, NULL);
	expect(c, "00 B0 00 00 10", 0x6986, NULL);
}

static void
test_read_binary_offsets(void **state)
{
	st_conn_t sam;
	uint8_t full[14];
	size_t n;

	(void)state;
	assert_int_equal(st_connect(&sam, st_env("HCARD_SAM_READER")), SCARD_S_SUCCESS);
	/* SAM MF/EF0015, 14 bytes, free (§4): SFI form, then offset form on the current EF */
	expect(&sam, "00 B0 95 00 0E", 0x9000, &n);
	assert_int_equal(n, 14);
	memcpy(full, resp, 14);
	expect(&sam, "00 B0 00 0A 08", 0x6282, &n);   /* fewer bytes than Le remain */
	assert_int_equal(n, 4);
	assert_memory_equal(resp, full + 10, 4);
	expect(&sam, "00 B0 00 03 02", 0x9000, &n);
	assert_memory_equal(resp, full + 3, 2);
	expect(&sam, "00 B0 00 0E 01", 0x6B00, NULL); /* offset beyond the file */
	expect(&sam, "00 B0 01 00 01", 0x6B00, NULL);
	expect(&sam, "00 B0 95 00 00", 0x9000, &n);   /* Le 00: to the end */
	assert_int_equal(n, 14);
	expect(&sam, "00 B0 95 00 00 00 00", 0x9000, &n);   /* extended Le */
	assert_int_equal(n, 14);
	assert_memory_equal(resp, full, 14);
	expect(&sam, "00 B0 96 00 06", 0x9000, &n);
	assert_int_equal(n, 6);
	expect(&sam, "00 B0 97 00 10", 0x6A82, NULL); /* EF0017 is in DF01, not the MF */
	expect(&sam, "00 B0 95 00", 0x6700, NULL);    /* no Le */
	expect(&sam, "00 D6 95 00 01 00", 0x6985, NULL); /* never written by a host */
	st_disconnect(&sam);
}

static void
test_access_refused_image_unchanged(void **state)
{
	st_conn_t *c = *state;
	const char *img = st_env("HCARD_SIM_IMAGE_CARD");
	uint8_t *before, *after;
	size_t n0, n1;

	before = st_read_file(img, &n0);
	expect(c, SELECT_DDF1, 0x9000, NULL);
	/* EF05 is free to read but UK1 DDF1 to write (§2) */
	expect(c, "00 DC 01 2C 03 01 01 31", 0x6982, NULL);
	expect(c, "00 DC 57 28 05 57 03 31 00 00", 0x6982, NULL);
	expect(c, "00 A4 02 0C 02 EF 05", 0x9000, NULL);
	expect(c, "00 DC 03 04 03 03 01 41", 0x6982, NULL);
	/* EF08 needs cipher + MAC: a plain write is refused whatever the rights */
	expect(c, "00 DC 07 40 06 07 04 20 30 01 01", 0x6982, NULL);
	/* APPEND RECORD only for cyclic files; cyclic DF02/EF07 needs UK3 and SM */
	expect(c, "00 E2 00 28 03 01 01 31", 0x6981, NULL);
	expect(c, "00 A4 04 0C 06 91 56 00 01 32 01", 0x9000, NULL);
	expect(c, "00 E2 00 38 01 00", 0x6982, NULL);
	/* ACTIVATE without the UK1 DDF1 right */
	expect(c, "00 A4 00 0C 02 3F 00", 0x9000, NULL);
	expect(c, "00 44 00 00", 0x6982, NULL);
	/* block commands need LK/BK and a MAC */
	expect(c, "00 16 00 00", 0x6982, NULL);
	after = st_read_file(img, &n1);
	assert_int_equal(n0, n1);
	assert_memory_equal(before, after, n0);
	free(before);
	free(after);
}

static void
test_challenge_and_unknown(void **state)
{
	st_conn_t *c = *state;
	uint8_t first[8];
	size_t n;

	expect(c, "00 84 00 00 08", 0x9000, &n);
	assert_int_equal(n, 8);
	memcpy(first, resp, 8);
	expect(c, "00 84 00 00 08", 0x9000, &n);
	assert_memory_not_equal(first, resp, 8);
	expect(c, "00 84 00 00 10", 0x6C08, NULL);
	expect(c, "00 84 01 00 08", 0x6A86, NULL);
	expect(c, "00 06 00 00 00", 0x6D00, NULL);   /* INS not supported */
	expect(c, "A0 A4 00 00 02 3F 00", 0x6E00, NULL);   /* CLA not supported */
	expect(c, "80 A4 00 00 02 3F 00", 0x6E00, NULL);   /* INS known, CLA not for it */
	expect(c, "00 A4 00 00 05 3F 00", 0x6700, NULL);   /* Lc says 5, 2 bytes follow */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_select_mf_fci_t0, setup, teardown),
		cmocka_unit_test_setup_teardown(test_select_search_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ef_fci, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_record_modes, setup, teardown),
		cmocka_unit_test(test_read_binary_offsets),
		cmocka_unit_test_setup_teardown(test_access_refused_image_unchanged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_challenge_and_unknown, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
