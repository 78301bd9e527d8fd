/*
 * The simulator's run-time controls through pcscd (under tests/harness/with-sim): removal
 * and insertion seen by SCardGetStatusChange, tearing before/after execution, the APDU
 * counter, and the record-update rules of card-profile.md §2 on a card whose EF05 write
 * condition was opened for the test (the access-condition model is data: the test edits it
 * with the simulator's own image library, everything else is the card OS through PC/SC).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apdu/buf.h"
#include "sim/image.h"
#include "tests/integration/test_sim_util.h"

#define SELECT_DDF1 "00 A4 04 0C 0C 57 53 2E 53 59 53 2E 44 44 46 30 31"
/* UPDATE RECORD tag 03 (issuer name, ans 30) by tag with SFI 5: P2 = 5 << 3 */
#define UPDATE_03_HEAD "00 DC 03 28 20 03 1E "

static uint8_t resp[70000];
static char open_img[4096];

static uint16_t
sw_of(st_conn_t *c, const char *apdu, size_t *len)
{
	uint16_t sw = 0;
	size_t n = 0;

	assert_int_equal(st_apdu(c, apdu, resp, sizeof(resp), &n, &sw), SCARD_S_SUCCESS);
	if (len != NULL)
		*len = n;
	return sw;
}

/* Sends "cmd arg" on the control socket; fails the test unless the answer is ok. */
static void
ctl_ok(const char *cmd, const char *arg)
{
	char line[4200], out[4200];

	snprintf(line, sizeof(line), "%s %s", cmd, arg);
	if (st_ctl(line, out, sizeof(out)) != 0)
		fail_msg("control '%s': %s", line, out);
}

static unsigned long
count0(void)
{
	char out[256];

	assert_int_equal(st_ctl("count 0", out, sizeof(out)), 0);
	return strtoul(out + 3, NULL, 10);
}

/* "00 DC ... " with 30 bytes of value v */
static void
update_03(char *apdu, size_t cap, uint8_t v)
{
	size_t off, i;

	off = (size_t)snprintf(apdu, cap, "%s", UPDATE_03_HEAD);
	for (i = 0; i < 30 && off + 3 < cap; i++)
		off += (size_t)snprintf(apdu + off, cap - off, "%02X ", v);
}

/* The value of EF05 tag 03 in the image on disk (first byte). */
static uint8_t
image_tag03(const char *path)
{
	sim_card_t *card = sim_image_load(path);
	int ddf1, ef05;
	uint8_t v;

	assert_non_null(card);
	ddf1 = sim_fs_child(card, 0, 0xDDF1);
	assert_true(ddf1 > 0);
	ef05 = sim_fs_child(card, (uint16_t)ddf1, 0xEF05);
	assert_true(ef05 > 0);
	/* tag 01 (3 bytes) ‖ tag 02 (6) ‖ tag 03 len 1E value */
	assert_int_equal(card->files[ef05].data[9], 0x03);
	v = card->files[ef05].data[11];
	sim_card_free(&card);
	return v;
}

/* Makes a copy of the harness's card whose DDF1/EF05 is writable without keys, and puts
 * it into slot 0 instead of the default card. */
static int
setup_open_card(void **state)
{
	sim_card_t *card = sim_image_load(st_env("HCARD_SIM_IMAGE_CARD"));
	int ddf1, ef05;

	(void)state;
	assert_non_null(card);
	ddf1 = sim_fs_child(card, 0, 0xDDF1);
	ef05 = sim_fs_child(card, (uint16_t)ddf1, 0xEF05);
	assert_true(ef05 > 0);
	card->files[ef05].write.kind = SIM_AC_FREE;
	card->files[ef05].write.flags = 0;
	snprintf(open_img, sizeof(open_img), "%s/open.img", st_env("HCARD_TEST_TMP"));
	assert_int_equal(sim_image_save(card, open_img), 0);
	sim_card_free(&card);
	ctl_ok("remove", "0");
	assert_int_equal(st_wait_state(st_env("HCARD_CARD_READER"), 0, 3000), 0);
	ctl_ok("insert 0", open_img);
	assert_int_equal(st_wait_state(st_env("HCARD_CARD_READER"), 1, 3000), 0);
	return 0;
}

static void
test_remove_insert(void **state)
{
	const char *reader = st_env("HCARD_CARD_READER");
	char out[4200];
	st_conn_t c;
	size_t n;
	uint16_t sw;

	(void)state;
	assert_int_equal(st_connect(&c, reader), SCARD_S_SUCCESS);
	assert_int_equal(sw_of(&c, SELECT_DDF1, NULL), 0x9000);
	ctl_ok("remove", "0");
	assert_int_equal(st_wait_state(reader, 0, 3000), 0);
	assert_int_equal(st_ctl("status 0", out, sizeof(out)), 0);
	assert_string_equal(out, "ok empty");
	assert_int_not_equal(st_raw(&c, SELECT_DDF1, resp, sizeof(resp), &n, &sw),
	                     SCARD_S_SUCCESS);
	st_disconnect(&c);
	ctl_ok("insert 0", open_img);
	assert_int_equal(st_wait_state(reader, 1, 3000), 0);
	assert_int_equal(st_connect(&c, reader), SCARD_S_SUCCESS);
	assert_int_equal(sw_of(&c, SELECT_DDF1, NULL), 0x9000);
	st_disconnect(&c);
	/* control errors */
	assert_int_not_equal(st_ctl("insert 0", out, sizeof(out)), 0);   /* already in */
	assert_int_not_equal(st_ctl("insert 3 /nonexistent.img", out, sizeof(out)), 0);
	assert_int_not_equal(st_ctl("tear 0 0 before", out, sizeof(out)), 0);
	assert_int_not_equal(st_ctl("tear 0 1 sideways", out, sizeof(out)), 0);
	assert_int_not_equal(st_ctl("count 9", out, sizeof(out)), 0);
	assert_int_not_equal(st_ctl("frobnicate 0", out, sizeof(out)), 0);
}

static void
test_update_record_rules(void **state)
{
	st_conn_t c;
	char apdu[256];
	size_t n;

	(void)state;
	assert_int_equal(st_connect(&c, st_env("HCARD_CARD_READER")), SCARD_S_SUCCESS);
	assert_int_equal(sw_of(&c, SELECT_DDF1, NULL), 0x9000);
	update_03(apdu, sizeof(apdu), 0x41);
	assert_int_equal(sw_of(&c, apdu, NULL), 0x9000);
	assert_int_equal(sw_of(&c, "00 B2 03 28 00", &n), 0x9000);
	assert_int_equal(n, 32);
	assert_int_equal(resp[0], 0x03);
	assert_int_equal(resp[2], 0x41);
	assert_int_equal(resp[31], 0x41);
	assert_int_equal(image_tag03(open_img), 0x41);   /* saved before the answer */
	/* same tag and length or 6A80; unknown tag 6A83; the factory's tag 57 never */
	assert_int_equal(sw_of(&c, "00 DC 03 28 03 04 01 41", NULL), 0x6A80);
	assert_int_equal(sw_of(&c, "00 DC 03 28 03 03 01 41", NULL), 0x6A80);
	assert_int_equal(sw_of(&c, "00 DC 01 2C 03 02 01 41", NULL), 0x6A80);
	assert_int_equal(sw_of(&c, "00 DC 7F 28 03 7F 01 41", NULL), 0x6A83);
	assert_int_equal(sw_of(&c, "00 DC 57 28 05 57 03 99 99 99", NULL), 0x6985);
	assert_int_equal(sw_of(&c, "00 DC 01 2C 03 01 01 32", NULL), 0x9000);   /* by number */
	assert_int_equal(sw_of(&c, "00 B2 01 2C 00", &n), 0x9000);
	assert_memory_equal(resp, "\x01\x01\x32", 3);
	assert_int_equal(image_tag03(open_img), 0x41);
	st_disconnect(&c);
}

static void
tear_once(const char *mode, uint8_t value, uint8_t expect_on_disk)
{
	const char *reader = st_env("HCARD_CARD_READER");
	char apdu[256], out[4200], line[64];
	st_conn_t c;
	size_t n;
	uint16_t sw;

	assert_int_equal(st_connect(&c, reader), SCARD_S_SUCCESS);
	/* APDU 1: SELECT, answered; APDU 2: the write, torn */
	snprintf(line, sizeof(line), "tear 0 2 %s", mode);
	assert_int_equal(st_ctl(line, out, sizeof(out)), 0);
	assert_int_equal(sw_of(&c, SELECT_DDF1, NULL), 0x9000);
	update_03(apdu, sizeof(apdu), value);
	assert_int_not_equal(st_raw(&c, apdu, resp, sizeof(resp), &n, &sw), SCARD_S_SUCCESS);
	st_disconnect(&c);
	assert_int_equal(st_wait_state(reader, 0, 3000), 0);
	assert_int_equal(st_ctl("status 0", out, sizeof(out)), 0);
	assert_true(strncmp(out, "ok torn ", 8) == 0);
	assert_int_equal(image_tag03(open_img), expect_on_disk);
	/* the same card goes back in and answers with what it has */
	assert_int_equal(st_ctl("insert 0", out, sizeof(out)), 0);
	assert_int_equal(st_wait_state(reader, 1, 3000), 0);
	assert_int_equal(st_connect(&c, reader), SCARD_S_SUCCESS);
	assert_int_equal(sw_of(&c, SELECT_DDF1, NULL), 0x9000);
	assert_int_equal(sw_of(&c, "00 B2 03 28 00", &n), 0x9000);
	assert_int_equal(resp[2], expect_on_disk);
	st_disconnect(&c);
}

static void
test_tear(void **state)
{
	(void)state;
	tear_once("before", 0x42, 0x41);   /* pulled before executing: old value */
	tear_once("after", 0x43, 0x43);    /* executed, answer lost: new value */
}

static void
test_count(void **state)
{
	st_conn_t c;
	unsigned long before;

	(void)state;
	assert_int_equal(st_connect(&c, st_env("HCARD_CARD_READER")), SCARD_S_SUCCESS);
	before = count0();
	assert_int_equal(sw_of(&c, SELECT_DDF1, NULL), 0x9000);
	assert_int_equal(sw_of(&c, "00 B2 57 28 00", NULL), 0x9000);
	assert_int_equal(sw_of(&c, "00 84 00 00 08", NULL), 0x9000);
	assert_int_equal(count0(), before + 3);
	/* a case-4 command under T=0 costs two: 61xx then GET RESPONSE */
	assert_int_equal(sw_of(&c, "00 A4 00 00 02 3F 00 00", NULL), 0x9000);
	assert_int_equal(count0(), before + 5);
	st_disconnect(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_remove_insert),
		cmocka_unit_test(test_update_record_rules),
		cmocka_unit_test(test_tear),
		cmocka_unit_test(test_count),
	};

	return cmocka_run_group_tests(tests, setup_open_card, NULL);
}
