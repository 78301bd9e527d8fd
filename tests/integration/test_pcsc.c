/*
 * The PC/SC transport through the real pcscd + vpcd + hcard-sim (run under
 * tests/harness/with-sim): readers with state, connect, SELECT and a free READ RECORD with
 * hc_transmit (T=0 61xx handled), access rule refused, APDU count against the simulator's,
 * insertion/removal waits, a reset by another handle, a card torn mid-command, a reader held
 * exclusively, and an unreachable pcscd.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <PCSC/winscard.h>

#include "hcard_err.h"
#include "apdu/apdu.h"
#include "apdu/buf.h"
#include "apdu/pcsc.h"
#include "apdu/sw.h"
#include "apdu/tlv.h"
#include "apdu/transport.h"

static const char *card_reader;
static const char *sam_reader;
static const char *control;
static const char *card_image;
static int card_slot;          /* simulator slot of the user card (HCARD_CARD_SLOT) */

/* One control command on the simulator's socket; the answer line into out. 0 on "ok". */
static int
sim_ctl(const char *cmd, char *out, size_t cap)
{
	struct sockaddr_un sa;
	char line[512];
	size_t n = 0;
	ssize_t r;
	int fd, rc = -1;

	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", control);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		goto out;
	snprintf(line, sizeof(line), "%s\n", cmd);
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line))
		goto out;
	while (n + 1 < sizeof(line) && (r = read(fd, line + n, 1)) == 1 && line[n] != '\n')
		n++;
	line[n] = '\0';
	if (out != NULL)
		snprintf(out, cap, "%s", line);
	rc = strncmp(line, "ok", 2) == 0 ? 0 : -1;
out:
	close(fd);
	return rc;
}

/* "verb <user card's slot><rest>" */
static int
slot_ctl(const char *verb, const char *rest, char *out, size_t cap)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "%s %d%s", verb, card_slot, rest);
	return sim_ctl(cmd, out, cap);
}

/* Puts the user card back (slot 0, the harness's image). */
static int
sim_insert_card(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "insert %d %s", card_slot, card_image);
	return sim_ctl(cmd, NULL, 0);
}

static unsigned long
sim_count(int slot)
{
	char cmd[32], ans[64];
	unsigned long n = 0;

	snprintf(cmd, sizeof(cmd), "count %d", slot);
	assert_int_equal(sim_ctl(cmd, ans, sizeof(ans)), 0);
	assert_int_equal(sscanf(ans, "ok %lu", &n), 1);
	return n;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static hc_apdu_t
apdu_hex(const char *hex, uint8_t *buf, size_t cap)
{
	hc_apdu_t a;
	int n = hc_hex_decode(hex, buf, cap);

	assert_true(n >= 4);
	assert_int_equal(hc_apdu_parse(buf, (size_t)n, &a), HC_OK);
	return a;
}

/* Sends hex through hc_transmit; returns hc_transmit's result, SW in resp. */
static int
send_hex(hc_transport_t *t, const char *hex, hc_resp_t *resp)
{
	uint8_t buf[300];
	hc_apdu_t a = apdu_hex(hex, buf, sizeof(buf));

	return hc_transmit(t, &a, resp);
}

typedef struct fixture {
	hc_pcsc_t *pcsc;
	hc_transport_t *t;
	hc_resp_t *resp;
} fixture_t;

static int
setup(void **state)
{
	fixture_t *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	assert_int_equal(hc_pcsc_new(&fx->pcsc), HC_OK);
	assert_int_equal(hc_pcsc_connect(fx->pcsc, card_reader, &fx->t), HC_OK);
	fx->resp = hc_resp_new();
	assert_non_null(fx->resp);
	*state = fx;
	return 0;
}

/* Leaves the card inserted for the next test, whatever happened. */
static int
teardown(void **state)
{
	fixture_t *fx = *state;
	char ans[128];

	hc_transport_free(&fx->t);
	hc_pcsc_free(&fx->pcsc);
	hc_resp_free(&fx->resp);
	free(fx);
	(void)slot_ctl("untear", "", NULL, 0);
	if (slot_ctl("status", "", ans, sizeof(ans)) == 0 && strstr(ans, "present") == NULL) {
		(void)sim_insert_card();
		sleep_ms(300);
	}
	return 0;
}

static void
test_list_readers(void **state)
{
	hc_reader_info_t info[8];
	size_t n = 0, i;
	int card = -1, sam = -1;
	/* card-profile.md §4: default simulator ATR 3B 6C 00 00 ‖ card factor ‖ 48 43 01 00 */
	static const uint8_t atr[] = { 0x3B, 0x6C, 0x00, 0x00, 0x48, 0x43, 0x41, 0x52, 0x44,
	    0x00, 0x00, 0x01, 0x48, 0x43, 0x01, 0x00 };
	hc_pcsc_t *p = NULL;

	(void)state;
	assert_int_equal(hc_pcsc_new(&p), HC_OK);
	assert_int_equal(hc_pcsc_list(p, info, 8, &n), HC_OK);
	assert_true(n >= 2);
	for (i = 0; i < n; i++) {
		if (strcmp(info[i].name, card_reader) == 0)
			card = (int)i;
		if (strcmp(info[i].name, sam_reader) == 0)
			sam = (int)i;
	}
	assert_true(card >= 0 && sam >= 0);
	assert_true(info[card].card_present);
	assert_false(info[card].exclusive);
	assert_false(info[card].mute);
	assert_int_equal(info[card].atr_len, sizeof(atr));
	assert_memory_equal(info[card].atr, atr, sizeof(atr));
	assert_true(info[sam].card_present);
	/* cap 1: one entry, no overrun */
	memset(info, 0xEE, sizeof(info));
	assert_int_equal(hc_pcsc_list(p, info, 1, &n), HC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(info[1].name[0], (char)0xEE);
	/* an empty reader */
	assert_int_equal(slot_ctl("remove", "", NULL, 0), 0);
	assert_int_equal(hc_pcsc_wait(p, card_reader, 5000, &(int){ 0 }), HC_OK);
	assert_int_equal(hc_pcsc_list(p, info, 8, &n), HC_OK);
	for (i = 0; i < n; i++)
		if (strcmp(info[i].name, card_reader) == 0) {
			assert_false(info[i].card_present);
			assert_int_equal(info[i].atr_len, 0);
		}
	{
		hc_transport_t *t = NULL;
		assert_int_equal(hc_pcsc_connect(p, card_reader, &t), HC_ERR_NO_CARD);
		assert_null(t);
		assert_int_equal(hc_pcsc_connect(p, "NO SUCH READER 00 00", &t), HC_ERR_NO_READER);
	}
	assert_int_equal(sim_insert_card(), 0);
	assert_int_equal(hc_pcsc_wait(p, card_reader, 5000, &(int){ 0 }), HC_OK);
	hc_pcsc_free(&p);
}

/* SELECT MF with FCI (T=0: 61xx + GET RESPONSE), DDF1, then EF05 tag 57 (free to read). */
static void
test_select_and_read_free(void **state)
{
	fixture_t *fx = *state;
	static const uint32_t life_path[] = { 0x6F, 0xA5, 0x8A };
	static const uint8_t city[] = { 0x57, 0x03, 0x11, 0x01, 0x00 };   /* factory default 110100 */
	uint8_t atr[HC_ATR_MAX];
	size_t atr_len = sizeof(atr);
	unsigned long sim_before = sim_count(card_slot);
	hc_tlv_t tlv;
	uint16_t sw = 0;

	assert_int_equal(hc_transport_get_atr(fx->t, atr, &atr_len), HC_OK);
	assert_int_equal(atr_len, 16);
	assert_int_equal(atr[0], 0x3B);

	assert_int_equal(send_hex(fx->t, "00 A4 00 00 02 3F 00 00", fx->resp), HC_OK);
	assert_int_equal(fx->resp->sw, 0x9000);
	assert_int_equal(hc_ber_find_path(fx->resp->data, fx->resp->len, life_path, 3, &tlv), 0);
	assert_int_equal(tlv.len, 1);
	assert_int_equal(tlv.value[0], 0x03);   /* factory card: life cycle 03 */
	assert_int_equal(send_hex(fx->t, "00 A4 00 0C 02 DD F1", fx->resp), HC_OK);
	assert_int_equal(fx->resp->sw, 0x9000);
	/* READ RECORD, P1 = tag 57, P2 = SFI 5 << 3 | 000 (record identifier) */
	assert_int_equal(send_hex(fx->t, "00 B2 57 28 00", fx->resp), HC_OK);
	assert_int_equal(fx->resp->sw, 0x9000);
	assert_int_equal(fx->resp->len, sizeof(city));
	assert_memory_equal(fx->resp->data, city, sizeof(city));
	/* EF06 needs RK1 DDF1: the card refuses */
	{
		uint8_t buf[16];
		hc_apdu_t a = apdu_hex("00 B2 11 30 00", buf, sizeof(buf));
		assert_int_equal(hc_transmit_ok(fx->t, &a, fx->resp, &sw), HC_ERR_SECURITY_STATUS);
		assert_int_equal(sw, 0x6982);
		assert_int_equal(fx->resp->len, 0);
	}
	/* every APDU the simulator received was counted here, and no more */
	assert_int_equal(sim_count(card_slot) - sim_before, hc_transport_apdu_count(fx->t));
	assert_true(hc_transport_apdu_count(fx->t) >= 4);
}

/* Extended and short Le through pcscd and vpcd, on the SAM's free public file (EF0015,
 * card-profile.md §4: 14 bytes, SFI 15); and Le > 256 without extended lengths. */
static void
test_extended_le(void **state)
{
	fixture_t *fx = *state;
	hc_transport_t *sam = NULL;
	uint8_t first[14];

	assert_int_equal(hc_pcsc_connect(fx->pcsc, sam_reader, &sam), HC_OK);
	assert_int_equal(send_hex(sam, "00 B0 95 00 0E", fx->resp), HC_OK);
	assert_int_equal(fx->resp->sw, 0x9000);
	assert_int_equal(fx->resp->len, 14);
	memcpy(first, fx->resp->data, sizeof(first));
	assert_true(first[10] >= 1 && first[10] <= 5);          /* SAM type */
	/* the same with an extended Le (case 2E) */
	assert_int_equal(send_hex(sam, "00 B0 95 00 00 00 0E", fx->resp), HC_OK);
	assert_int_equal(fx->resp->sw, 0x9000);
	assert_int_equal(fx->resp->len, 14);
	assert_memory_equal(fx->resp->data, first, sizeof(first));
	/* Le 1000 without extended lengths goes as Le 00: the whole 14-byte file */
	hc_transport_set_extended(sam, 0);
	{
		hc_apdu_t a;
		memset(&a, 0, sizeof(a));
		a.ins = 0xB0; a.p1 = 0x95; a.has_le = 1; a.le = 1000;
		assert_int_equal(hc_transmit(sam, &a, fx->resp), HC_OK);
		assert_true(fx->resp->sw == 0x9000 || fx->resp->sw == 0x6282);
		assert_int_equal(fx->resp->len, 14);
		assert_memory_equal(fx->resp->data, first, sizeof(first));
	}
	hc_transport_free(&sam);
}

typedef struct delayed {
	char cmd[600];
	long ms;
} delayed_t;

static void *
delayed_ctl(void *arg)
{
	delayed_t *d = arg;

	sleep_ms(d->ms);
	(void)sim_ctl(d->cmd, NULL, 0);
	return NULL;
}

/* Waits for removal and insertion; the old handle sees the removal, reconnect recovers. */
static void
test_wait_remove_insert(void **state)
{
	fixture_t *fx = *state;
	delayed_t d = { "", 200 };
	pthread_t th;
	int present = -1;

	snprintf(d.cmd, sizeof(d.cmd), "remove %d", card_slot);

	/* nothing happens: timeout */
	assert_int_equal(hc_pcsc_wait(fx->pcsc, card_reader, 200, &present), HC_ERR_TIMEOUT);
	assert_int_equal(present, -1);

	assert_int_equal(pthread_create(&th, NULL, delayed_ctl, &d), 0);
	assert_int_equal(hc_pcsc_wait(fx->pcsc, card_reader, 5000, &present), HC_OK);
	pthread_join(th, NULL);
	assert_int_equal(present, 0);
	assert_int_equal(send_hex(fx->t, "00 84 00 00 08", fx->resp), HC_ERR_CARD_REMOVED);

	snprintf(d.cmd, sizeof(d.cmd), "insert %d %s", card_slot, card_image);
	assert_int_equal(pthread_create(&th, NULL, delayed_ctl, &d), 0);
	assert_int_equal(hc_pcsc_wait(fx->pcsc, card_reader, 5000, &present), HC_OK);
	pthread_join(th, NULL);
	assert_int_equal(present, 1);
	assert_int_equal(hc_transport_reconnect(fx->t, 0), HC_OK);
	assert_int_equal(send_hex(fx->t, "00 84 00 00 08", fx->resp), HC_OK);
	assert_int_equal(fx->resp->sw, 0x9000);
	assert_int_equal(fx->resp->len, 8);
}

static void *
delayed_cancel(void *arg)
{
	sleep_ms(200);
	(void)hc_pcsc_cancel(arg);
	return NULL;
}

static void
test_wait_cancel(void **state)
{
	fixture_t *fx = *state;
	pthread_t th;
	int present = -1;
	struct timespec t0, t1;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(pthread_create(&th, NULL, delayed_cancel, fx->pcsc), 0);
	assert_int_equal(hc_pcsc_wait(fx->pcsc, card_reader, -1, &present), HC_ERR_TIMEOUT);
	pthread_join(th, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 150 && ms < 5000);
	assert_int_equal(present, -1);
}

/* Another application resets the card: our next command reports it once, then works. */
static void
test_reset_by_other_handle(void **state)
{
	fixture_t *fx = *state;
	hc_transport_t *other = NULL;

	assert_int_equal(send_hex(fx->t, "00 A4 00 0C 02 DD F1", fx->resp), HC_OK);
	assert_int_equal(fx->resp->sw, 0x9000);
	assert_int_equal(hc_pcsc_connect(fx->pcsc, card_reader, &other), HC_OK);
	assert_int_equal(hc_transport_reconnect(other, 1), HC_OK);         /* SCARD_RESET_CARD */
	assert_int_equal(send_hex(fx->t, "00 B2 57 28 00", fx->resp), HC_ERR_CARD_RESET);
	assert_int_equal(fx->resp->len, 0);
	/* reconnected by hc_transmit: the card works, and DDF1 is no longer current after the
	 * reset, so EF05 by SFI is not found from the MF */
	assert_int_equal(send_hex(fx->t, "00 B2 57 28 00", fx->resp), HC_OK);
	assert_int_equal(fx->resp->sw, 0x6A82);
	assert_int_equal(send_hex(fx->t, "00 A4 00 0C 02 DD F1", fx->resp), HC_OK);
	assert_int_equal(send_hex(fx->t, "00 B2 57 28 00", fx->resp), HC_OK);
	assert_int_equal(fx->resp->sw, 0x9000);
	hc_transport_free(&other);
}

/* The card is pulled when the command arrives, or after executing it without answering. */
static void
test_tear(void **state)
{
	fixture_t *fx = *state;
	static const char *modes[] = { " 1 before", " 2 after" };
	size_t i;
	int rc, present = -1;

	for (i = 0; i < 2; i++) {
		assert_int_equal(slot_ctl("tear", modes[i], NULL, 0), 0);
		/* SELECT MF with FCI: 2 APDUs under T=0 (the second is the GET RESPONSE) */
		rc = send_hex(fx->t, "00 A4 00 00 02 3F 00 00", fx->resp);
		assert_int_equal(rc, HC_ERR_CARD_REMOVED);
		assert_int_equal(fx->resp->len, 0);
		/* a later command gets the same clear answer, not a hang */
		assert_int_equal(send_hex(fx->t, "00 84 00 00 08", fx->resp), HC_ERR_CARD_REMOVED);
		assert_int_equal(sim_insert_card(), 0);
		(void)hc_pcsc_wait(fx->pcsc, card_reader, 2000, &present);
		sleep_ms(100);
		assert_int_equal(hc_transport_reconnect(fx->t, 0), HC_OK);
		assert_int_equal(send_hex(fx->t, "00 84 00 00 08", fx->resp), HC_OK);
		assert_int_equal(fx->resp->sw, 0x9000);
	}
}

typedef struct begin_arg {
	hc_transport_t *t;
	int rc;
	double done_ms;
} begin_arg_t;

static double
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void *
begin_other(void *arg)
{
	begin_arg_t *b = arg;

	b->rc = hc_transport_begin(b->t);
	b->done_ms = mono_ms();
	return NULL;
}

/* A transaction keeps another handle out until it ends. */
static void
test_transaction(void **state)
{
	fixture_t *fx = *state;
	begin_arg_t b = { NULL, -1, 0 };
	pthread_t th;
	double ended;

	assert_int_equal(hc_pcsc_connect(fx->pcsc, card_reader, &b.t), HC_OK);
	assert_int_equal(hc_transport_begin(fx->t), HC_OK);
	assert_int_equal(pthread_create(&th, NULL, begin_other, &b), 0);
	sleep_ms(300);
	assert_int_equal(send_hex(fx->t, "00 84 00 00 08", fx->resp), HC_OK);
	assert_int_equal(fx->resp->sw, 0x9000);
	ended = mono_ms();
	assert_int_equal(hc_transport_end(fx->t), HC_OK);
	pthread_join(th, NULL);
	assert_int_equal(b.rc, HC_OK);
	/* the other handle got the card only after our end */
	assert_true(b.done_ms >= ended);
	assert_int_equal(hc_transport_end(b.t), HC_OK);
	hc_transport_free(&b.t);
}

/* Another application holds the reader exclusively. */
static void
test_sharing(void **state)
{
	fixture_t *fx = *state;
	SCARDCONTEXT ctx;
	SCARDHANDLE h;
	DWORD proto;
	hc_transport_t *t = NULL;
	hc_reader_info_t info[8];
	size_t n = 0, i;
	int seen = 0;

	hc_transport_free(&fx->t);      /* our shared handle would block exclusive access */
	assert_int_equal(SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx), SCARD_S_SUCCESS);
	assert_int_equal(SCardConnect(ctx, card_reader, SCARD_SHARE_EXCLUSIVE,
	    SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &h, &proto), SCARD_S_SUCCESS);
	assert_int_equal(hc_pcsc_connect(fx->pcsc, card_reader, &t), HC_ERR_SHARING);
	assert_null(t);
	assert_int_equal(hc_pcsc_list(fx->pcsc, info, 8, &n), HC_OK);
	for (i = 0; i < n; i++)
		if (strcmp(info[i].name, card_reader) == 0) {
			assert_true(info[i].exclusive);
			seen = 1;
		}
	assert_true(seen);
	SCardDisconnect(h, SCARD_LEAVE_CARD);
	SCardReleaseContext(ctx);
	assert_int_equal(hc_pcsc_connect(fx->pcsc, card_reader, &fx->t), HC_OK);
}

/*
 * pcscd unreachable: a fresh process of this program (libpcsclite reads PCSCLITE_CSOCK_NAME
 * once per process, so a fork would inherit the parent's socket name) points the client at
 * a missing socket and at the socket of a dead daemon (a socket file nobody listens on).
 * Each must give HC_ERR_NO_SERVICE from hc_pcsc_new; the exit status carries the code.
 */
static int
child_no_service(void)
{
	hc_pcsc_t *p = NULL;
	int rc;

	rc = hc_pcsc_new(&p);
	hc_pcsc_free(&p);
	return rc;
}

static void
test_dead_pcscd(void **state)
{
	const char *tmp = getenv("HCARD_TEST_TMP");
	char missing[256], dead[256];
	struct sockaddr_un sa;
	const char *socks[2];
	int fd, status, i;
	pid_t pid;

	(void)state;
	assert_non_null(tmp);
	snprintf(missing, sizeof(missing), "%s/no-pcscd.comm", tmp);
	snprintf(dead, sizeof(dead), "%s/dead-pcscd.comm", tmp);
	/* a socket file left by a daemon that is gone: bound, then closed */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	assert_true(strlen(dead) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, dead, strlen(dead) + 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	socks[0] = missing;
	socks[1] = dead;
	for (i = 0; i < 2; i++) {
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			setenv("PCSCLITE_CSOCK_NAME", socks[i], 1);
			execl("/proc/self/exe", "test_pcsc", "--no-service-child", (char *)NULL);
			_exit(127);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), HC_ERR_NO_SERVICE);
	}
	unlink(dead);
}

/* Polls hc_pcsc_list until it returns want (bounded); the last result. */
static int
list_until(hc_pcsc_t *p, int want, int card_present, long ms)
{
	hc_reader_info_t info[8];
	size_t n, i;
	long waited;
	int rc = -1, ok;

	for (waited = 0; waited <= ms; waited += 50) {
		n = 0;
		rc = hc_pcsc_list(p, info, 8, &n);
		ok = rc == want;
		if (ok && rc == HC_OK && card_present) {
			ok = 0;
			for (i = 0; i < n; i++)
				if (strcmp(info[i].name, card_reader) == 0 && info[i].card_present)
					ok = 1;
		}
		if (ok)
			return rc;
		sleep_ms(50);
	}
	return rc;
}

/*
 * pcscd dies under an open context and connection (the harness's pcscd, by the PID it
 * exports), then a new pcscd starts (ours, stopped by PID at the end): the same hc_pcsc_t
 * reports HC_ERR_NO_SERVICE meanwhile, and works again afterwards without being recreated.
 * Runs last: the harness's pcscd is gone afterwards.
 */
static void
test_pcscd_restart(void **state)
{
	const char *pid_text = getenv("HCARD_PCSCD_PID");
	const char *tmp = getenv("HCARD_TEST_TMP");
	const char *pcscd = getenv("PCSCD");
	hc_pcsc_t *p = NULL;
	hc_transport_t *t = NULL;
	hc_resp_t *resp = hc_resp_new();
	char conf[600];
	pid_t old_pid, new_pid;
	int rc, status;

	(void)state;
	assert_non_null(pid_text);
	assert_non_null(tmp);
	assert_non_null(resp);
	if (pcscd == NULL || *pcscd == '\0')
		pcscd = "/usr/sbin/pcscd";
	old_pid = (pid_t)atol(pid_text);
	assert_true(old_pid > 1);
	assert_int_equal(hc_pcsc_new(&p), HC_OK);
	assert_int_equal(hc_pcsc_connect(p, card_reader, &t), HC_OK);
	assert_int_equal(send_hex(t, "00 84 00 00 08", resp), HC_OK);

	assert_int_equal(kill(old_pid, SIGTERM), 0);
	assert_int_equal(list_until(p, HC_ERR_NO_SERVICE, 0, 5000), HC_ERR_NO_SERVICE);
	rc = send_hex(t, "00 84 00 00 08", resp);
	fprintf(stderr, "transmit after pcscd died: %s\n", hc_errname(rc));
	assert_int_equal(rc, HC_ERR_NO_SERVICE);
	assert_int_equal(resp->len, 0);
	hc_transport_free(&t);

	snprintf(conf, sizeof(conf), "%s/conf", tmp);
	new_pid = fork();
	assert_true(new_pid >= 0);
	if (new_pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0) {
			dup2(devnull, 1);
			dup2(devnull, 2);
		}
		execl(pcscd, pcscd, "-f", "-c", conf, (char *)NULL);
		_exit(127);
	}
	rc = list_until(p, HC_OK, 1, 10000);
	if (rc == HC_OK) {
		rc = hc_pcsc_connect(p, card_reader, &t);
		if (rc == HC_OK)
			rc = send_hex(t, "00 84 00 00 08", resp);
	}
	hc_transport_free(&t);
	hc_pcsc_free(&p);
	hc_resp_free(&resp);
	kill(new_pid, SIGTERM);
	assert_int_equal(waitpid(new_pid, &status, 0), new_pid);
	assert_int_equal(rc, HC_OK);
}

int
main(int argc, char **argv)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_list_readers),
		T(test_select_and_read_free),
		T(test_extended_le),
		T(test_wait_remove_insert),
		T(test_wait_cancel),
		T(test_reset_by_other_handle),
		T(test_tear),
		T(test_sharing),
		T(test_transaction),
		cmocka_unit_test(test_dead_pcscd),
		cmocka_unit_test(test_pcscd_restart),        /* last: stops the harness's pcscd */
	};

	if (argc == 2 && strcmp(argv[1], "--no-service-child") == 0)
		return child_no_service();
	card_reader = getenv("HCARD_CARD_READER");
	card_image = getenv("HCARD_SIM_IMAGE_CARD");
	sam_reader = getenv("HCARD_SAM_READER");
	control = getenv("HCARD_SIM_CONTROL");
	card_slot = getenv("HCARD_CARD_SLOT") != NULL ? atoi(getenv("HCARD_CARD_SLOT")) : 0;
	if (card_reader == NULL || sam_reader == NULL || control == NULL || card_image == NULL) {
		fprintf(stderr, "run under tests/harness/with-sim\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
