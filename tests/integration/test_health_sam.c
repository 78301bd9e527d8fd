/*
 * SAM and terminal cases through pcscd + hcard-sim: internal authentication of a genuine and
 * a counterfeit card, SAM types (refused before sending, and the card refusing a raw
 * attempt), wrong SAM PIN, no SAM, pcscd unreachable.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "apdu/apdu.h"
#include "src/session.h"
#include "src/session_sec.h"
#include "test_health_util.h"

static void
restore_sam(void)
{
	henv_insert(1, getenv("HCARD_SIM_IMAGE_SAM"));
}

static void
test_genuine(void **state)
{
	henv_t e;
	unsigned long c0, s0, c1, s1;

	(void)state;
	henv_open(&e, NULL);
	assert_int_equal(hc_card_authenticate(e.card), HC_OK);
	hc_card_apdu_counts(e.card, &c0, &s0);
	/* card: SELECT DDF1 and READ EF05 at open, INTERNAL AUTHENTICATE (61 08 + GET
	 * RESPONSE); SAM (health application current since the terminal opened): GET CHALLENGE,
	 * 80 DE, CIPHER DATA (61 10 + GET RESPONSE) */
	assert_int_equal(c0, 2 + 2);
	assert_int_equal(s0, 1 + 1 + 2);
	assert_int_equal(hc_card_authenticate(e.card), HC_OK);   /* once per session */
	hc_card_apdu_counts(e.card, &c1, &s1);
	assert_int_equal(c1, c0);
	assert_int_equal(s1, s0);
	henv_close(&e);
}

static void
test_counterfeit(void **state)
{
	henv_t e;
	hc_cardholder_t ch;
	char ks[1024], args[1200];
	const char *img;

	(void)state;
	/* a card made with other master keys than the SAM's */
	henv_write_file("other.keyset", "", ks, sizeof(ks));
	snprintf(args, sizeof(args), "'%s' keyset --out '%s'", getenv("HCARD_SIM"), ks);
	assert_int_equal(system(args), 0);
	snprintf(args, sizeof(args), "--type user --keyset '%s'", ks);
	img = henv_factory("counterfeit.img", args);
	henv_insert(0, img);
	henv_open(&e, NULL);
	assert_int_equal(hc_card_authenticate(e.card), HC_ERR_NOT_GENUINE);
	assert_non_null(strstr(hc_card_error_detail(e.card), "not genuine"));
	assert_int_equal(hc_read_cardholder(e.card, &ch), HC_ERR_VERIFY_FAILED);
	assert_non_null(strstr(hc_card_error_detail(e.card), "RK1 DDF1"));
	henv_close(&e);
	henv_insert(0, getenv("HCARD_SIM_IMAGE_CARD"));
}

static void
test_sam_type1(void **state)
{
	henv_t e;
	hc_clinical_t cl, before, after;
	hc_cardholder_t ch;
	unsigned long c0, s0, c1, s1;
	static const uint8_t rec[] = { 0x41, 0x01, 0x03 };
	hc_apdu_t upd = { 0x00, 0xDC, 0x41, 0x05 << 3, rec, sizeof(rec), 0, 0, 0, 0 };
	uint8_t sk[24];
	hc_apdu_t dsk = { 0x80, 0xDE, 0x47, 0x2C, sk, sizeof(sk), 0, 0, 0, 0 };
	uint16_t sw = 0;

	(void)state;
	henv_insert(1, henv_factory("sam1.img", "--type sam --sam-type 1"));
	henv_open(&e, NULL);
	assert_int_equal(hc_read_cardholder(e.card, &ch), HC_OK);     /* type 1 reads */
	assert_int_equal(hc_read_clinical(e.card, &before), HC_OK);
	hc_card_apdu_counts(e.card, &c0, &s0);
	memset(&cl, 0, sizeof(cl));
	cl.abo = HC_ABO_O;
	cl.rh = HC_RH_POSITIVE;
	assert_int_equal(hc_write_clinical(e.card, &cl), HC_ERR_SAM_TYPE);
	assert_string_equal(hc_card_error_detail(e.card),
	    "this SAM (type 1) holds no UK1 DF02 key: writing clinical data needs a type 2, 3 or 5 SAM");
	assert_int_equal(hc_write_cardholder(e.card, &ch), HC_ERR_SAM_TYPE);
	assert_non_null(strstr(hc_card_error_detail(e.card), "UK1 DDF1"));
	hc_card_apdu_counts(e.card, &c1, &s1);
	assert_int_equal(c1, c0);                     /* refused before anything was sent */
	assert_int_equal(s1, s0);

	/* the card and the SAM refuse a raw attempt too: a plain UPDATE RECORD with only the read
	 * right (6982), and the SAM has no UK1 DF02 to derive (6A88) */
	assert_int_equal(hc_session_external_auth(e.card, HC_KEY_RK1_DF02), HC_OK);
	assert_int_equal(hc_session_card_cmd(e.card, &upd, hc_session_resp(e.card), &sw),
	                 HC_ERR_SECURITY_STATUS);
	assert_int_equal(sw, 0x6982);
	assert_int_equal(hc_session_sam_select(e.card, HC_SAM_APP_HEALTH), HC_OK);
	memset(sk, 0x5A, sizeof(sk));
	assert_int_equal(hc_session_sam_cmd(e.card, &dsk, hc_session_resp(e.card), &sw),
	                 HC_ERR_KEY_NOT_FOUND);
	assert_int_equal(sw, 0x6A88);
	assert_int_equal(hc_read_clinical(e.card, &after), HC_OK);
	assert_memory_equal(&before, &after, sizeof(before));
	henv_close(&e);
	restore_sam();
}

static void
test_sam_type3(void **state)
{
	henv_t e;
	hc_clinical_t cl, back;
	int psy = -1;

	(void)state;
	henv_insert(1, henv_factory("sam3.img", "--type sam --sam-type 3"));
	henv_open(&e, NULL);
	assert_int_equal(hc_write_psychiatric(e.card, 1), HC_ERR_SAM_TYPE);
	assert_non_null(strstr(hc_card_error_detail(e.card), "no UK2 DF02 key"));
	assert_non_null(strstr(hc_card_error_detail(e.card), "type 2 or 5 SAM"));
	memset(&cl, 0, sizeof(cl));
	cl.abo = HC_ABO_B;
	cl.rh = HC_RH_UNKNOWN;
	cl.epilepsy = 1;
	strcpy(cl.other_alert, "type 3 wrote this");
	assert_int_equal(hc_write_clinical(e.card, &cl), HC_OK);     /* a clinic may */
	assert_int_equal(hc_read_clinical(e.card, &back), HC_OK);
	assert_memory_equal(&cl, &back, sizeof(cl));
	assert_int_equal(hc_read_psychiatric(e.card, &psy), HC_OK);
	assert_int_equal(psy, 0);
	henv_close(&e);
	restore_sam();
}

static void
test_sam_pin(void **state)
{
	henv_t e;
	int tries = -1;

	(void)state;
	assert_int_equal(henv_try_open(&e, NULL, "00000000"), HC_ERR_SAM_PIN);
	assert_non_null(strstr(hc_ctx_error_detail(e.ctx), "2 tries left"));
	henv_close(&e);
	henv_open(&e, NULL);                         /* the right PIN resets the counter */
	assert_int_equal(hc_terminal_verify_sam_pin(e.term, "11111111", &tries), HC_ERR_SAM_PIN);
	assert_int_equal(tries, 2);
	assert_int_equal(hc_terminal_verify_sam_pin(e.term, "12345678", &tries), HC_OK);
	assert_int_equal(hc_card_authenticate(e.card), HC_OK);
	henv_close(&e);
}

static void
test_no_sam(void **state)
{
	henv_t e;

	(void)state;
	assert_int_equal(henv_ctl("remove 1"), 0);
	usleep(300000);
	assert_int_equal(henv_try_open(&e, NULL, "12345678"), HC_ERR_NO_SAM);
	assert_true(strlen(hc_ctx_error_detail(e.ctx)) > 0);
	henv_close(&e);
	restore_sam();
}

/* pcscd unreachable: libpcsclite is pointed at a socket nobody listens on (in a child, as
 * libpcsclite remembers the socket name). */
static void
test_no_service(void **state)
{
	pid_t pid;
	int status = 0;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		hc_ctx_t *ctx = NULL;
		hc_terminal_t *t = NULL;
		int rc;

		setenv("PCSCLITE_CSOCK_NAME", "/nonexistent/pcscd.comm", 1);
		if (hc_ctx_new(&ctx, NULL) != HC_OK)
			_exit(10);
		rc = hc_terminal_open(ctx, NULL, &t);
		if (rc != HC_ERR_NO_SERVICE || strstr(hc_ctx_error_detail(ctx), "pcscd") == NULL)
			_exit(11);
		hc_ctx_free(&ctx);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void
test_config(void **state)
{
	hc_ctx_t *ctx = NULL;
	char path[1024];

	(void)state;
	henv_write_file("bad.conf", "card_reader = X\nfrobnicate = 1\n", path, sizeof(path));
	assert_int_equal(hc_ctx_new(&ctx, path), HC_ERR_CONFIG);
	henv_write_file("bad2.conf", "log_level = 9\n", path, sizeof(path));
	assert_int_equal(hc_ctx_new(&ctx, path), HC_ERR_CONFIG);
	assert_int_equal(hc_ctx_new(&ctx, "/nonexistent/hcard.conf"), HC_ERR_IO);
	henv_write_file("good.conf", "# comment\n store = sqlite:/tmp/x.db \nlocation=desk 3\n", path, sizeof(path));
	assert_int_equal(hc_ctx_new(&ctx, path), HC_OK);
	hc_ctx_free(&ctx);
	assert_null(ctx);
}

/* No reader configured: the SAM is found by its EF0015, the user card reader is the other. */
static void
test_autodetect(void **state)
{
	char card[256], sam[256];
	henv_t e;
	hc_sam_info_t info;

	(void)state;
	snprintf(card, sizeof(card), "%s", getenv("HCARD_CARD_READER"));
	snprintf(sam, sizeof(sam), "%s", getenv("HCARD_SAM_READER"));
	unsetenv("HCARD_CARD_READER");
	unsetenv("HCARD_SAM_READER");
	henv_open(&e, NULL);
	assert_string_equal(hc_terminal_card_reader(e.term), card);
	assert_int_equal(hc_terminal_sam_info(e.term, &info), HC_OK);
	assert_int_equal(info.type, 5);
	assert_string_equal(info.serial, "SIM0000001");
	assert_int_equal(hc_card_authenticate(e.card), HC_OK);
	henv_close(&e);
	setenv("HCARD_CARD_READER", card, 1);
	setenv("HCARD_SAM_READER", sam, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_no_service),
		cmocka_unit_test(test_genuine),
		cmocka_unit_test(test_autodetect),
		cmocka_unit_test(test_counterfeit),
		cmocka_unit_test(test_sam_type1),
		cmocka_unit_test(test_sam_type3),
		cmocka_unit_test(test_sam_pin),
		cmocka_unit_test(test_no_sam),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
