/*
 * Helpers of the purse integration tests (see test_purse_util.h).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "tests/integration/test_purse_util.h"

static void
nap(void)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

static int
transient(int rc)
{
	return rc == HC_ERR_NO_CARD || rc == HC_ERR_CARD_REMOVED || rc == HC_ERR_CARD_RESET ||
	    rc == HC_ERR_TRANSPORT || rc == HC_ERR_UNRESPONSIVE_CARD || rc == HC_ERR_NO_SAM ||
	    rc == HC_ERR_SHARING;
}

static int
open_terminal(penv_t *e)
{
	hc_terminal_opts_t o;
	int rc = HC_ERR_INTERNAL, i;

	memset(&o, 0, sizeof(o));
	o.card_reader = getenv("HCARD_CARD_READER");
	o.sam_reader = getenv("HCARD_SAM_READER");
	o.sam_pin = "12345678";
	for (i = 0; i < 50; i++) {
		if ((rc = hc_terminal_open(e->ctx, &o, &e->term)) == HC_OK || !transient(rc))
			break;
		nap();
	}
	if (rc != HC_OK)
		fprintf(stderr, "hc_terminal_open: %s\n", hc_errname(rc));
	return rc;
}

static int
open_card(penv_t *e)
{
	int rc = HC_ERR_INTERNAL, i;

	for (i = 0; i < 50; i++) {
		if ((rc = hc_card_open(e->term, &e->card)) == HC_OK || !transient(rc))
			break;
		nap();
	}
	if (rc != HC_OK) {
		fprintf(stderr, "hc_card_open: %s\n", hc_errname(rc));
		return rc;
	}
	if ((rc = hc_purse_open(e->card, e->store, &e->purse)) != HC_OK)
		fprintf(stderr, "hc_purse_open: %s\n", hc_errname(rc));
	return rc;
}

int
penv_try_open(penv_t *e)
{
	const char *tmp = getenv("HCARD_TEST_TMP"), *top = getenv("top_srcdir");
	char path[1024];
	int rc;

	memset(e, 0, sizeof(*e));
	if (tmp == NULL || top == NULL)
		return HC_ERR_CONFIG;
	snprintf(e->db, sizeof(e->db), "sqlite:%s/purse-journal.db", tmp);
	snprintf(path, sizeof(path), "%s/sim/demo.keyset", top);
	if ((rc = hc_store_open(e->db, &e->store)) != HC_OK ||
	    (rc = hc_purse_issuer_open(path, &e->issuer)) != HC_OK ||
	    (rc = hc_ctx_new(&e->ctx, NULL)) != HC_OK || (rc = open_terminal(e)) != HC_OK ||
	    (rc = open_card(e)) != HC_OK)
		return rc;
	return HC_OK;
}

void
penv_open(penv_t *e)
{
	int rc = penv_try_open(e);

	if (rc != HC_OK)
		fail_msg("opening terminal, card, purse, store: %s", hc_errname(rc));
}

void
penv_close(penv_t *e)
{
	hc_purse_free(&e->purse);
	hc_card_close(&e->card);
	hc_terminal_close(&e->term);
	hc_ctx_free(&e->ctx);
	hc_store_close(&e->store);
	hc_purse_issuer_free(&e->issuer);
}

void
penv_reopen_card(penv_t *e)
{
	hc_purse_free(&e->purse);
	hc_card_close(&e->card);
	if (open_card(e) != HC_OK)
		fail_msg("reopening the card failed");
}

void
penv_reopen_terminal(penv_t *e)
{
	hc_purse_free(&e->purse);
	hc_card_close(&e->card);
	hc_terminal_close(&e->term);
	if (open_terminal(e) != HC_OK || open_card(e) != HC_OK)
		fail_msg("reopening the terminal failed");
}

int
pctl(const char *line, char *out, size_t cap)
{
	const char *path = getenv("HCARD_SIM_CONTROL");
	struct sockaddr_un sa;
	char buf[256];
	ssize_t n;
	size_t got = 0;
	int fd, ret = -1;

	assert_non_null(path);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	assert_true(strlen(path) < sizeof(sa.sun_path));
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		goto out;
	snprintf(buf, sizeof(buf), "%s\n", line);
	if (write(fd, buf, strlen(buf)) != (ssize_t)strlen(buf))
		goto out;
	while (got < sizeof(buf) - 1 && (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0) {
		got += (size_t)n;
		if (memchr(buf, '\n', got) != NULL)
			break;
	}
	buf[got] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (out != NULL)
		snprintf(out, cap, "%s", buf);
	ret = strncmp(buf, "ok", 2) == 0 ? 0 : -1;
out:
	close(fd);
	return ret;
}

void
pinsert(int slot)
{
	char cmd[64], ans[256];

	snprintf(cmd, sizeof(cmd), "status %d", slot);
	assert_int_equal(pctl(cmd, ans, sizeof(ans)), 0);
	if (strncmp(ans, "ok present", 10) == 0)
		return;
	snprintf(cmd, sizeof(cmd), "insert %d", slot);
	assert_int_equal(pctl(cmd, ans, sizeof(ans)), 0);
}

int64_t
pbalance(penv_t *e, hc_ledger_t ledger)
{
	int64_t v = -1;
	int rc = hc_purse_balance(e->purse, ledger, &v);

	if (rc != HC_OK)
		fail_msg("hc_purse_balance: %s", hc_errname(rc));
	return v;
}

void
pload(penv_t *e, hc_ledger_t ledger, int64_t amount)
{
	hc_purse_load_receipt_t r;
	int rc = hc_purse_load(e->purse, e->issuer, ledger, amount,
	    ledger == HC_LEDGER_ED ? "123456" : NULL, &r);

	if (rc != HC_OK)
		fail_msg("hc_purse_load: %s", hc_errname(rc));
	assert_int_equal(r.amount, amount);
}

hc_purse_charge_t
pcharge(hc_ledger_t ledger, int64_t self_pay)
{
	hc_purse_charge_t c;

	memset(&c, 0, sizeof(c));
	c.ledger = ledger;
	c.fund = 1500;
	c.account = 300;
	c.self_pay = self_pay;
	c.total = c.fund + c.account + self_pay;
	return c;
}

unsigned long
pcard_apdus(penv_t *e)
{
	unsigned long card = 0, sam = 0;

	hc_card_apdu_counts(e->card, &card, &sam);
	return card + sam;
}
