/*
 * Card images survive a killed simulator (under tests/harness/with-sim): a writer updates a
 * record in a loop through pcscd while the simulator is killed with SIGKILL at a random
 * moment; the image on disk must load (CRC, structure) and hold an old or a new value, never
 * anything else. Repeated with a fresh simulator each round; every simulator this test
 * starts is killed and reaped by it. Also: corrupt and truncated images are refused.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "apdu/buf.h"
#include "sim/image.h"
#include "tests/integration/test_sim_util.h"

#define ROUNDS 4

static char img[4096];

static int
ef05_of(const sim_card_t *card)
{
	int ddf1 = sim_fs_child(card, 0, 0xDDF1);

	return ddf1 < 0 ? -1 : sim_fs_child(card, (uint16_t)ddf1, 0xEF05);
}

/* Writer child: UPDATE RECORD tag 03 with values 1, 2, 3... until the card goes away. */
static void
writer(void)
{
	uint8_t resp[300];
	char apdu[256];
	st_conn_t c;
	size_t n, off, i;
	uint16_t sw;
	unsigned v;

	if (st_connect(&c, getenv("HCARD_CARD_READER")) != SCARD_S_SUCCESS)
		_exit(3);
	if (st_apdu(&c, "00 A4 04 0C 0C 57 53 2E 53 59 53 2E 44 44 46 30 31", resp, sizeof(resp),
	            &n, &sw) != SCARD_S_SUCCESS || sw != 0x9000)
		_exit(4);
	for (v = 1; v < 100000; v++) {
		off = (size_t)snprintf(apdu, sizeof(apdu), "00 DC 03 28 20 03 1E ");
		for (i = 0; i < 30; i++)
			off += (size_t)snprintf(apdu + off, sizeof(apdu) - off, "%02X ",
			                        v % 255 + 1);   /* never 00, the factory value */
		if (st_raw(&c, apdu, resp, sizeof(resp), &n, &sw) != SCARD_S_SUCCESS)
			break;
		if (sw != 0x9000)
			_exit(5);
	}
	_exit(v > 1 ? 0 : 6);
}

static pid_t
start_sim(void)
{
	char slot[4200];
	pid_t pid;

	snprintf(slot, sizeof(slot), "0=%s", img);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl(st_env("HCARD_SIM"), "hcard-sim", "serve", "--port", st_env("HCARD_SIM_PORT"),
		      "--slot", slot, "--control", st_env("HCARD_SIM_CONTROL"), (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void
test_sigkill_during_writes(void **state)
{
	const char *reader = st_env("HCARD_CARD_READER");
	sim_card_t *card;
	pid_t sim = (pid_t)atol(st_env("HCARD_SIM_PID")), w;
	int round, status, ef05;

	(void)state;
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	for (round = 0; round < ROUNDS; round++) {
		struct timespec ts = { 0, (long)(60 + rand() % 150) * 1000000L };
		uint8_t v;
		size_t i;

		if (round > 0) {
			sim = start_sim();
			assert_int_equal(st_wait_state(reader, 1, 5000), 0);
		}
		w = fork();
		assert_true(w >= 0);
		if (w == 0)
			writer();
		nanosleep(&ts, NULL);
		assert_int_equal(kill(sim, SIGKILL), 0);
		if (round > 0)
			assert_int_equal(waitpid(sim, &status, 0), sim);   /* ours: reap it */
		assert_int_equal(waitpid(w, &status, 0), w);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);   /* it wrote, then the card vanished */
		/* the image: loadable, and tag 03 holds one written value in all 30 bytes */
		card = sim_image_load(img);
		assert_non_null(card);
		ef05 = ef05_of(card);
		assert_true(ef05 > 0);
		v = card->files[ef05].data[11];
		assert_int_not_equal(v, 0x00);
		for (i = 0; i < 30; i++)
			assert_int_equal(card->files[ef05].data[11 + i], v);
		sim_card_free(&card);
		assert_int_equal(st_wait_state(reader, 0, 5000), 0);
	}
}

static void
test_corrupt_images_refused(void **state)
{
	uint8_t *p;
	size_t n;
	sim_card_t *card;

	(void)state;
	p = st_read_file(img, &n);
	card = sim_image_decode(p, n);
	assert_non_null(card);
	sim_card_free(&card);
	p[n / 2] ^= 0x01;                         /* one bit flipped */
	assert_null(sim_image_decode(p, n));
	p[n / 2] ^= 0x01;
	assert_null(sim_image_decode(p, n - 1));  /* truncated */
	assert_null(sim_image_decode(p, 10));
	p[0] = 'X';                               /* not an image */
	assert_null(sim_image_decode(p, n));
	free(p);
}

static int
setup(void **state)
{
	sim_card_t *card = sim_image_load(st_env("HCARD_SIM_IMAGE_CARD"));
	int ef05;

	(void)state;
	assert_non_null(card);
	ef05 = ef05_of(card);
	assert_true(ef05 > 0);
	card->files[ef05].write.kind = SIM_AC_FREE;   /* writable without keys for this test */
	card->files[ef05].write.flags = 0;
	snprintf(img, sizeof(img), "%s/persist.img", st_env("HCARD_TEST_TMP"));
	assert_int_equal(sim_image_save(card, img), 0);
	sim_card_free(&card);
	assert_int_equal(st_ctl("remove 0", (char[256]){ 0 }, 256), 0);
	assert_int_equal(st_wait_state(st_env("HCARD_CARD_READER"), 0, 3000), 0);
	{
		char line[4200], out[256];

		snprintf(line, sizeof(line), "insert 0 %s", img);
		assert_int_equal(st_ctl(line, out, sizeof(out)), 0);
	}
	assert_int_equal(st_wait_state(st_env("HCARD_CARD_READER"), 1, 3000), 0);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sigkill_during_writes),
		cmocka_unit_test(test_corrupt_images_refused),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
