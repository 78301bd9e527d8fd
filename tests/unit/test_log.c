/*
 * Unit test: logging is quiet by default and HCARD_DEBUG (read once per process with
 * secure_getenv) turns it on, with PIN data masked. Each setting runs in a fresh process of
 * this program (re-executed), whose stderr goes to a file that the parent then reads.
 */
#include "config.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "hcard_err.h"
#include "apdu/apdu.h"
#include "apdu/log.h"
#include "apdu/transport.h"

static int
answer_63c2(void *arg, const uint8_t *cmd, size_t cmd_len, uint8_t *resp, size_t *resp_len)
{
	(void)arg;
	(void)cmd;
	(void)cmd_len;
	resp[0] = 0x63;
	resp[1] = 0xC2;
	*resp_len = 2;
	return HC_OK;
}

/* The child: a VERIFY with PIN 975318 and a debug message, whatever the log settings. */
static int
child(void)
{
	static const uint8_t pin[] = { 0x97, 0x53, 0x18, 0xFF, 0xFF, 0xFF };
	hc_transport_t *t = hc_inproc_new(answer_63c2, NULL, NULL, 0);
	hc_resp_t *r = hc_resp_new();
	hc_apdu_t a;
	int rc;

	memset(&a, 0, sizeof(a));
	a.ins = 0x20;
	a.data = pin;
	a.lc = sizeof(pin);
	rc = hc_transmit(t, &a, r);
	hc_log_debug("child level %d", hc_log_level());
	hc_resp_free(&r);
	hc_transport_free(&t);
	return rc == HC_OK ? 0 : 1;
}

/* Runs this program with HCARD_DEBUG=value (NULL: unset); returns its stderr. */
static char *
run_child(const char *self, const char *value)
{
	char path[] = "/tmp/hcard-test-log.XXXXXX";
	static char text[8192];
	int fd, status;
	ssize_t n;
	pid_t pid;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (value != NULL)
			setenv("HCARD_DEBUG", value, 1);
		else
			unsetenv("HCARD_DEBUG");
		dup2(fd, 2);
		execl(self, self, "--child", (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	n = read(fd, text, sizeof(text) - 1);
	assert_true(n >= 0);
	text[n] = '\0';
	close(fd);
	unlink(path);
	return text;
}

static const char *self_path;

static void
test_quiet_by_default(void **state)
{
	(void)state;
	assert_string_equal(run_child(self_path, NULL), "");
	assert_string_equal(run_child(self_path, ""), "");
	assert_string_equal(run_child(self_path, "0"), "");
}

static void
test_debug_masks_pin(void **state)
{
	const char *out;

	(void)state;
	out = run_child(self_path, "1");
	assert_non_null(strstr(out, "00 20 00 00 06 ** ** ** ** ** **"));
	assert_non_null(strstr(out, "63 C2"));
	assert_non_null(strstr(out, "child level 5"));
	assert_null(strstr(out, "97 53"));
	assert_null(strstr(out, "53 18"));
}

static void
test_debug_level_without_dumps(void **state)
{
	const char *out;

	(void)state;
	out = run_child(self_path, "debug");
	assert_non_null(strstr(out, "child level 4"));
	assert_null(strstr(out, "00 20 00 00"));
	assert_string_equal(run_child(self_path, "error"), "");
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quiet_by_default),
		cmocka_unit_test(test_debug_masks_pin),
		cmocka_unit_test(test_debug_level_without_dumps),
	};

	if (argc == 2 && strcmp(argv[1], "--child") == 0)
		return child();
	self_path = "/proc/self/exe";
	return cmocka_run_group_tests(tests, NULL, NULL);
}
