/*
 * The PIN-pad reader driver (sim/ifd) through the real pcscd and libpcsclite, under
 * tests/harness/with-sim --pinpad (test_sim_pinpad.sh): features, VERIFY_PIN_DIRECT with the
 * keypad file (right, wrong, odd-length and 12-digit PINs checked by the card, cancel, timeout,
 * missing file, lengths), malformed structures, card pulled and torn. PIN parameters of
 * purse.md "PIN pads"; the structure bytes are written here by hand from PC/SC part 10.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <reader.h>

#include "tests/integration/test_sim_util.h"

/* doc/simulator.md: SCARD_CTL_CODE(0x330000 + tag), as the CCID driver */
#define VERIFY_CODE 0x42330006UL
#define PIN_PROPERTIES_CODE 0x4233000AUL
#define TLV_PROPERTIES_CODE 0x42330012UL

/* purse.md "PIN pads": bTimerOut T, bTimerOut2 T, 81, 06, 00, wPINMaxExtraDigit 040C (LE
 * 0C 04), validation key 02, no messages, language 0, bMsgIndex 0, bTeoPrologue 0,
 * ulDataLength 11 (LE), template 00 20 00 00 06 FF*6. */
static const uint8_t purse_struct[] = {
	0x1E, 0x1E, 0x81, 0x06, 0x00, 0x0C, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x0B, 0x00, 0x00, 0x00,
	0x00, 0x20, 0x00, 0x00, 0x06, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF
};
#define STRUCT_LEN sizeof(purse_struct)

typedef struct fixture {
	st_conn_t c;
	char keypad[512];
	char slot[8];
} fixture_t;

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What the cardholder types: written whole (temp file, rename). */
static void
keypad_type(fixture_t *f, const char *text)
{
	char tmp[600];
	FILE *fp;

	snprintf(tmp, sizeof(tmp), "%s.tmp", f->keypad);
	fp = fopen(tmp, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(rename(tmp, f->keypad), 0);
}

static int
keypad_exists(const fixture_t *f)
{
	return access(f->keypad, F_OK) == 0;
}

/* APDUs the simulator received on the card's slot. */
static unsigned long
card_count(const fixture_t *f)
{
	char line[32], out[64];

	snprintf(line, sizeof(line), "count %s", f->slot);
	assert_int_equal(st_ctl(line, out, sizeof(out)), 0);
	return strtoul(out + 3, NULL, 10);
}

static uint16_t
sw_of(st_conn_t *c, const char *hex)
{
	uint8_t resp[300];
	size_t len = 0;
	uint16_t sw = 0;

	assert_int_equal(st_apdu(c, hex, resp, sizeof(resp), &len, &sw), SCARD_S_SUCCESS);
	return sw;
}

static void
select_purse(st_conn_t *c)
{
	assert_int_equal(sw_of(c, "00 A4 04 00 07 A0 00 00 03 33 01 01"), 0x9000);
}

/* VERIFY_PIN_DIRECT; the answer into ans (*n bytes). */
static LONG
pad_verify(fixture_t *f, const uint8_t *st, size_t len, uint8_t *ans, DWORD *n)
{
	DWORD cap = *n;

	*n = 0;
	return SCardControl(f->c.card, VERIFY_CODE, st, (DWORD)len, ans, cap, n);
}

/* VERIFY_PIN_DIRECT with the purse structure (timeout t) after typing text; the SW. */
static uint16_t
pad_sw(fixture_t *f, const char *text, uint8_t timeout)
{
	uint8_t st[STRUCT_LEN], ans[64];
	DWORD n = sizeof(ans);

	memcpy(st, purse_struct, sizeof(st));
	st[0] = st[1] = timeout;
	if (text != NULL)
		keypad_type(f, text);
	assert_int_equal(pad_verify(f, st, sizeof(st), ans, &n), SCARD_S_SUCCESS);
	assert_int_equal(n, 2);
	assert_false(keypad_exists(f));         /* each entry is used once */
	return (uint16_t)(ans[0] << 8 | ans[1]);
}

static int
setup(void **state)
{
	fixture_t *f = calloc(1, sizeof(*f));
	DWORD proto = 0;

	assert_non_null(f);
	snprintf(f->keypad, sizeof(f->keypad), "%s", st_env("HCARD_PINPAD_KEYPAD"));
	snprintf(f->slot, sizeof(f->slot), "%s", st_env("HCARD_CARD_SLOT"));
	assert_int_equal(st_wait_state(st_env("HCARD_CARD_READER"), 1, 5000), 0);
	assert_int_equal(st_connect(&f->c, st_env("HCARD_CARD_READER")), SCARD_S_SUCCESS);
	/* a fresh card session: no verified PIN */
	assert_int_equal(SCardReconnect(f->c.card, SCARD_SHARE_SHARED,
	                                SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, SCARD_RESET_CARD,
	                                &proto), SCARD_S_SUCCESS);
	f->c.proto = proto;
	select_purse(&f->c);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	fixture_t *f = *state;

	(void)unlink(f->keypad);
	st_disconnect(&f->c);
	free(f);
	return 0;
}

/* --- features ------------------------------------------------------------------------- */

/* The 4-byte big-endian value of tag in a part 10 TLV list, or 0. */
static unsigned long
feature(const uint8_t *p, DWORD n, uint8_t tag)
{
	DWORD i;

	for (i = 0; i + 2 <= n; i += 2u + p[i + 1]) {
		if (p[i] == tag && p[i + 1] == 4 && i + 6 <= n)
			return (unsigned long)p[i + 2] << 24 | (unsigned long)p[i + 3] << 16 |
			    (unsigned long)p[i + 4] << 8 | p[i + 5];
	}
	return 0;
}

static void
test_features(void **state)
{
	fixture_t *f = *state;
	uint8_t out[256];
	DWORD n = 0;
	size_t i;

	assert_int_equal(SCardControl(f->c.card, CM_IOCTL_GET_FEATURE_REQUEST, NULL, 0, out,
	                              sizeof(out), &n), SCARD_S_SUCCESS);
	assert_int_equal(n % 6, 0);
	assert_int_equal(feature(out, n, FEATURE_VERIFY_PIN_DIRECT), VERIFY_CODE);
	assert_int_equal(feature(out, n, FEATURE_IFD_PIN_PROPERTIES), PIN_PROPERTIES_CODE);
	assert_int_equal(feature(out, n, FEATURE_GET_TLV_PROPERTIES), TLV_PROPERTIES_CODE);
	assert_int_equal(feature(out, n, FEATURE_MODIFY_PIN_DIRECT), 0);
	/* TLV properties: bMinPINSize 4, bMaxPINSize 12 (tag, length, value) */
	n = 0;
	assert_int_equal(SCardControl(f->c.card, TLV_PROPERTIES_CODE, NULL, 0, out, sizeof(out),
	                              &n), SCARD_S_SUCCESS);
	for (i = 0; i + 2 <= n; i += 2u + out[i + 1]) {
		if (out[i] == PCSCv2_PART10_PROPERTY_bMinPINSize)
			assert_int_equal(out[i + 2], 4);
		if (out[i] == PCSCv2_PART10_PROPERTY_bMaxPINSize)
			assert_int_equal(out[i + 2], 12);
	}
	n = 0;
	assert_int_equal(SCardControl(f->c.card, PIN_PROPERTIES_CODE, NULL, 0, out, sizeof(out),
	                              &n), SCARD_S_SUCCESS);
	assert_int_equal(n, 4);
	/* an unknown control code */
	n = 0;
	assert_int_equal(SCardControl(f->c.card, 0x42339999UL, NULL, 0, out, sizeof(out), &n),
	                 SCARD_E_UNSUPPORTED_FEATURE);
}

/* vpcd's readers have no PIN pad: pcscd answers the feature request with an error. */
static void
test_vpcd_no_features(void **state)
{
	st_conn_t sam;
	SCARDHANDLE direct = 0;
	DWORD proto = 0, n = 0;
	uint8_t out[256];

	(void)state;
	assert_int_equal(st_connect(&sam, st_env("HCARD_SAM_READER")), SCARD_S_SUCCESS);
	assert_int_equal(SCardControl(sam.card, CM_IOCTL_GET_FEATURE_REQUEST, NULL, 0, out,
	                              sizeof(out), &n), SCARD_E_UNSUPPORTED_FEATURE);
	assert_int_equal(n, 0);
	/* the empty vpcd reader (slot 0 under --pinpad), connected directly */
	assert_int_equal(SCardConnect(sam.ctx, "HCARD SIM 00 00", SCARD_SHARE_DIRECT, 0, &direct,
	                              &proto), SCARD_S_SUCCESS);
	n = 0;
	assert_int_equal(SCardControl(direct, CM_IOCTL_GET_FEATURE_REQUEST, NULL, 0, out,
	                              sizeof(out), &n), SCARD_E_UNSUPPORTED_FEATURE);
	assert_int_equal(n, 0);
	SCardDisconnect(direct, SCARD_LEAVE_CARD);
	st_disconnect(&sam);
}

/* --- the card checks the block the reader made ------------------------------------------- */

static void
test_verify_right(void **state)
{
	fixture_t *f = *state;
	unsigned long before;

	assert_int_equal(sw_of(&f->c, "00 20 00 00"), 0x63C3);     /* not verified yet */
	before = card_count(f);
	assert_int_equal(pad_sw(f, "123456\n", 30), 0x9000);
	assert_int_equal(card_count(f), before + 1);                /* one VERIFY reached the card */
	assert_int_equal(sw_of(&f->c, "00 20 00 00"), 0x9000);     /* and it verified the PIN */
}

static void
test_verify_wrong(void **state)
{
	fixture_t *f = *state;

	assert_int_equal(pad_sw(f, "654321", 30), 0x63C2);
	assert_int_equal(sw_of(&f->c, "00 20 00 00"), 0x63C2);
	assert_int_equal(pad_sw(f, "1234567", 30), 0x63C1);        /* 12 34 56 7F FF FF */
	assert_int_equal(pad_sw(f, "123456", 30), 0x9000);         /* counter back to 3 */
	assert_int_equal(sw_of(&f->c, "00 20 00 00"), 0x9000);
}

/* The card's PIN changed by the host to 12345 (block 12 34 5F FF FF FF, made here) and to 12
 * digits: the reader's blocks for the same digits match the card's. */
static void
test_odd_and_long_pins(void **state)
{
	fixture_t *f = *state;

	assert_int_equal(sw_of(&f->c, "80 5E 01 00 0D 12 34 56 FF FF FF FF 12 34 5F FF FF FF"),
	                 0x9000);
	assert_int_equal(pad_sw(f, "12345", 30), 0x9000);
	assert_int_equal(pad_sw(f, "123456", 30), 0x63C2);         /* 12 34 56 FF: not 12 34 5F */
	assert_int_equal(pad_sw(f, "12345", 30), 0x9000);
	assert_int_equal(sw_of(&f->c, "80 5E 01 00 0D 12 34 5F FF FF FF FF 12 34 56 78 90 12"),
	                 0x9000);
	assert_int_equal(pad_sw(f, "123456789012", 30), 0x9000);
	assert_int_equal(pad_sw(f, "1234", 30), 0x63C2);
	/* back to the factory PIN */
	assert_int_equal(sw_of(&f->c, "80 5E 01 00 0D 12 34 56 78 90 12 FF 12 34 56 FF FF FF"),
	                 0x9000);
	assert_int_equal(pad_sw(f, "123456", 30), 0x9000);
}

/* --- reader-side ends: nothing reaches the card ------------------------------------------ */

static void
test_cancel(void **state)
{
	fixture_t *f = *state;
	unsigned long before = card_count(f);

	assert_int_equal(pad_sw(f, "cancel\n", 30), 0x6401);
	assert_int_equal(card_count(f), before);
	assert_int_equal(sw_of(&f->c, "00 20 00 00"), 0x63C3);     /* counter unchanged */
}

static void
test_timeout_word(void **state)
{
	fixture_t *f = *state;
	unsigned long before = card_count(f);
	long long t0 = now_ms();

	assert_int_equal(pad_sw(f, "timeout", 30), 0x6400);
	assert_true(now_ms() - t0 < 1000);                          /* at once, not after 30 s */
	assert_int_equal(card_count(f), before);
}

static void
test_no_keypad_file(void **state)
{
	fixture_t *f = *state;
	unsigned long before = card_count(f);
	long long t0 = now_ms(), dt;

	assert_false(keypad_exists(f));
	assert_int_equal(pad_sw(f, NULL, 1), 0x6400);              /* bTimerOut 1 s */
	dt = now_ms() - t0;
	print_message("keypad timeout after %lld ms (bTimerOut 1 s)\n", dt);
	assert_true(dt >= 950 && dt < 3000);
	assert_int_equal(card_count(f), before);
	assert_int_equal(sw_of(&f->c, "00 20 00 00"), 0x63C3);
}

static void
test_lengths(void **state)
{
	fixture_t *f = *state;
	unsigned long before = card_count(f);

	assert_int_equal(pad_sw(f, "12", 30), 0x6403);
	assert_int_equal(pad_sw(f, "123", 30), 0x6403);
	assert_int_equal(pad_sw(f, "1234567890123", 30), 0x6403);
	assert_int_equal(pad_sw(f, "\n", 30), 0x6403);              /* validation key alone */
	assert_int_equal(card_count(f), before);
	assert_int_equal(sw_of(&f->c, "00 20 00 00"), 0x63C3);
}

/* --- bad input ------------------------------------------------------------------------ */

static void
test_malformed_structures(void **state)
{
	fixture_t *f = *state;
	uint8_t st[STRUCT_LEN + 8], ans[64];
	unsigned long before = card_count(f);
	DWORD n;

	keypad_type(f, "123456");
	/* ulDataLength 12, 11 bytes follow */
	memcpy(st, purse_struct, STRUCT_LEN);
	st[15] = 0x0C;
	n = sizeof(ans);
	assert_int_equal(pad_verify(f, st, STRUCT_LEN, ans, &n), SCARD_E_UNSUPPORTED_FEATURE);
	/* ulDataLength 0x0100000B (a high byte set) */
	memcpy(st, purse_struct, STRUCT_LEN);
	st[18] = 0x01;
	n = sizeof(ans);
	assert_int_equal(pad_verify(f, st, STRUCT_LEN, ans, &n), SCARD_E_UNSUPPORTED_FEATURE);
	/* the header cut short */
	n = sizeof(ans);
	assert_int_equal(pad_verify(f, purse_struct, 12, ans, &n), SCARD_E_UNSUPPORTED_FEATURE);
	/* Lc 05 in a template with 6 data bytes */
	memcpy(st, purse_struct, STRUCT_LEN);
	st[19 + 4] = 0x05;
	n = sizeof(ans);
	assert_int_equal(pad_verify(f, st, STRUCT_LEN, ans, &n), SCARD_E_UNSUPPORTED_FEATURE);
	/* binary digits; min 8 > max 6 */
	memcpy(st, purse_struct, STRUCT_LEN);
	st[2] = 0x80;
	n = sizeof(ans);
	assert_int_equal(pad_verify(f, st, STRUCT_LEN, ans, &n), SCARD_E_UNSUPPORTED_FEATURE);
	memcpy(st, purse_struct, STRUCT_LEN);
	st[5] = 0x06;
	st[6] = 0x08;
	n = sizeof(ans);
	assert_int_equal(pad_verify(f, st, STRUCT_LEN, ans, &n), SCARD_E_UNSUPPORTED_FEATURE);
	/* nothing was read from the keypad nor sent to the card */
	assert_true(keypad_exists(f));
	assert_int_equal(card_count(f), before);
	/* the reader works on: APDUs and a good verify with the entry still waiting */
	select_purse(&f->c);
	assert_int_equal(pad_sw(f, NULL, 30), 0x9000);
	assert_int_equal(sw_of(&f->c, "00 20 00 00"), 0x9000);
}

/* A keypad entry no keypad can produce is a reader error; consumed; the next one works. */
static void
test_keypad_garbage(void **state)
{
	fixture_t *f = *state;
	uint8_t ans[64];
	DWORD n = sizeof(ans);
	unsigned long before = card_count(f);

	keypad_type(f, "12a456");
	assert_int_equal(pad_verify(f, purse_struct, STRUCT_LEN, ans, &n), SCARD_E_NOT_TRANSACTED);
	assert_false(keypad_exists(f));
	assert_int_equal(card_count(f), before);
	assert_int_equal(pad_sw(f, "123456", 30), 0x9000);
}

/* --- the card leaves the PIN-pad reader ----------------------------------------------- */

static void
ctl_slot(const fixture_t *f, const char *cmd)
{
	char line[64], out[256];

	snprintf(line, sizeof(line), "%s %s", cmd, f->slot);
	assert_int_equal(st_ctl(line, out, sizeof(out)), 0);
}

static void
test_card_removed(void **state)
{
	fixture_t *f = *state;
	const char *reader = st_env("HCARD_CARD_READER");
	uint8_t resp[64], ans[64];
	size_t len = 0;
	uint16_t sw = 0;
	DWORD n = sizeof(ans), proto = 0;

	assert_int_equal(sw_of(&f->c, "00 B0 95 00 1E"), 0x9000);   /* EF15, free read */
	ctl_slot(f, "remove");
	assert_int_equal(st_wait_state(reader, 0, 5000), 0);
	assert_int_equal(st_raw(&f->c, "00 B0 95 00 1E", resp, sizeof(resp), &len, &sw),
	                 SCARD_W_REMOVED_CARD);
	/* pcscd passes SCardControl to the driver even without a card; the driver answers "no
	 * card" (IFD_ICC_NOT_PRESENT), which pcscd returns as SCARD_E_NOT_TRANSACTED */
	keypad_type(f, "123456");
	assert_int_equal(pad_verify(f, purse_struct, STRUCT_LEN, ans, &n), SCARD_E_NOT_TRANSACTED);
	assert_true(keypad_exists(f));                              /* not read */
	ctl_slot(f, "insert");
	assert_int_equal(st_wait_state(reader, 1, 5000), 0);
	assert_int_equal(SCardReconnect(f->c.card, SCARD_SHARE_SHARED,
	                                SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, SCARD_RESET_CARD,
	                                &proto), SCARD_S_SUCCESS);
	select_purse(&f->c);
	assert_int_equal(pad_sw(f, NULL, 30), 0x9000);
}

/* Torn: the simulator drops the link when the APDU arrives; the driver reports the exchange
 * failed and the card absent. */
static void
test_card_torn(void **state)
{
	fixture_t *f = *state;
	const char *reader = st_env("HCARD_CARD_READER");
	char line[64], out[256];
	uint8_t resp[64];
	size_t len = 0;
	uint16_t sw = 0;
	DWORD proto = 0;
	LONG rc;

	snprintf(line, sizeof(line), "tear %s 1 before", f->slot);
	assert_int_equal(st_ctl(line, out, sizeof(out)), 0);
	rc = st_raw(&f->c, "00 B0 95 00 1E", resp, sizeof(resp), &len, &sw);
	assert_int_equal(rc, SCARD_E_NOT_TRANSACTED);
	assert_int_equal(st_wait_state(reader, 0, 5000), 0);
	snprintf(line, sizeof(line), "status %s", f->slot);
	assert_int_equal(st_ctl(line, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "torn"));
	ctl_slot(f, "insert");
	assert_int_equal(st_wait_state(reader, 1, 5000), 0);
	assert_int_equal(SCardReconnect(f->c.card, SCARD_SHARE_SHARED,
	                                SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, SCARD_RESET_CARD,
	                                &proto), SCARD_S_SUCCESS);
	select_purse(&f->c);
	assert_int_equal(sw_of(&f->c, "00 20 00 00"), 0x63C3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_features, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vpcd_no_features, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_right, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_wrong, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odd_and_long_pins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_word, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_keypad_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lengths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_structures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keypad_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_card_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_card_torn, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
