/*
 * The keypad file of the PIN-pad reader (keypad.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apdu/buf.h"
#include "sim/ifd/keypad.h"

#define KEYPAD_POLL_MS 50

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Reads at most cap bytes of path and deletes it. Byte count, -1 when absent (ENOENT), -2 on
 * another error or a longer file. */
static long
read_and_delete(const char *path, char *buf, size_t cap)
{
	size_t len = 0;
	int fd;
	long rc = -2;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? -1 : -2;
	/* bounded: each round reads at least one byte or ends */
	while (len <= cap) {
		char extra;
		ssize_t got = len < cap ? read(fd, buf + len, cap - len) : read(fd, &extra, 1);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			goto out;
		if (got == 0) {
			rc = (long)len;
			break;
		}
		if (len == cap)
			goto out;       /* longer than any entry */
		len += (size_t)got;
	}
out:
	close(fd);
	(void)unlink(path);     /* consumed, also when malformed: the next verify waits anew */
	if (rc < 0)
		hc_wipe(buf, cap);
	return rc;
}

ifd_keypad_result_t
ifd_keypad_read(const char *path, long timeout_ms, char *digits, size_t cap, size_t *n)
{
	char buf[IFD_KEYPAD_MAX];
	long long deadline = now_ms() + timeout_ms;
	ifd_keypad_result_t res = IFD_KEYPAD_ERROR;
	long got;
	size_t len, i;

	*n = 0;
	/* bounded by the deadline */
	while ((got = read_and_delete(path, buf, sizeof(buf))) == -1) {
		if (now_ms() >= deadline)
			return IFD_KEYPAD_TIMEOUT;
		sleep_ms(KEYPAD_POLL_MS);
	}
	if (got < 0)
		goto out;
	len = (size_t)got;
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r' || buf[len - 1] == ' ' ||
	                   buf[len - 1] == '\t'))
		len--;
	if (len == 6 && memcmp(buf, "cancel", 6) == 0) {
		res = IFD_KEYPAD_CANCEL;
		goto out;
	}
	if (len == 7 && memcmp(buf, "timeout", 7) == 0) {
		res = IFD_KEYPAD_TIMEOUT;
		goto out;
	}
	if (len > cap)
		goto out;
	for (i = 0; i < len; i++)
		if (buf[i] < '0' || buf[i] > '9')
			goto out;
	memcpy(digits, buf, len);
	*n = len;
	res = IFD_KEYPAD_DIGITS;
out:
	hc_wipe(buf, sizeof(buf));
	return res;
}
