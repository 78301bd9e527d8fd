/* Helpers of the health integration tests. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "test_health_util.h"

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
	    rc == HC_ERR_TRANSPORT || rc == HC_ERR_NO_SAM || rc == HC_ERR_SHARING;
}

int
henv_try_open(henv_t *e, const char *conf, const char *pin)
{
	hc_terminal_opts_t o = { NULL, NULL, NULL, NULL };
	int rc, i;

	memset(e, 0, sizeof(*e));
	o.sam_pin = pin;
	if ((rc = hc_ctx_new(&e->ctx, conf)) != HC_OK)
		return rc;
	for (i = 0; i < 50; i++) {
		if ((rc = hc_terminal_open(e->ctx, &o, &e->term)) == HC_OK || !transient(rc))
			break;
		nap();
	}
	if (rc != HC_OK)
		return rc;
	for (i = 0; i < 50; i++) {
		if ((rc = hc_card_open(e->term, &e->card)) == HC_OK || !transient(rc))
			break;
		nap();
	}
	return rc;
}

void
henv_open(henv_t *e, const char *conf)
{
	int rc = henv_try_open(e, conf, "12345678");

	if (rc != HC_OK)
		fail_msg("opening context, terminal and card: %s (%s)", hc_errname(rc),
		         e->ctx != NULL ? hc_ctx_error_detail(e->ctx) : "");
}

void
henv_close(henv_t *e)
{
	hc_card_close(&e->card);
	hc_terminal_close(&e->term);
	hc_ctx_free(&e->ctx);
}

int
henv_ctl(const char *line)
{
	const char *path = getenv("HCARD_SIM_CONTROL");
	struct sockaddr_un sa;
	char buf[256];
	ssize_t n;
	int fd, ok = -1;

	if (path == NULL || strlen(path) >= sizeof(sa.sun_path))
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	snprintf(buf, sizeof(buf), "%s\n", line);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    write(fd, buf, strlen(buf)) == (ssize_t)strlen(buf) &&
	    (n = read(fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		ok = strncmp(buf, "ok", 2) == 0 ? 0 : -1;
	}
	close(fd);
	return ok;
}

const char *
henv_factory(const char *name, const char *args)
{
	static char path[1024];
	char cmd[2048];
	const char *sim = getenv("HCARD_SIM"), *tmp = getenv("HCARD_TEST_TMP");

	if (sim == NULL || tmp == NULL)
		fail_msg("HCARD_SIM / HCARD_TEST_TMP not set: run under tests/harness/with-sim");
	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	snprintf(cmd, sizeof(cmd), "'%s' factory %s --out '%s'", sim, args, path);
	if (system(cmd) != 0)
		fail_msg("%s failed", cmd);
	return path;
}

void
henv_insert(int slot, const char *image)
{
	char line[1200];

	snprintf(line, sizeof(line), "remove %d", slot);
	(void)henv_ctl(line);
	snprintf(line, sizeof(line), "insert %d %s", slot, image);
	if (henv_ctl(line) != 0)
		fail_msg("simulator: %s refused", line);
	nap();
	nap();
}

void
henv_write_file(const char *name, const char *text, char *path, size_t cap)
{
	const char *tmp = getenv("HCARD_TEST_TMP");
	FILE *f;

	if (tmp == NULL)
		fail_msg("HCARD_TEST_TMP not set");
	snprintf(path, cap, "%s/%s", tmp, name);
	if ((f = fopen(path, "w")) == NULL || fputs(text, f) < 0 || fclose(f) != 0)
		fail_msg("cannot write %s", path);
}
