/* Helpers of the simulator's integration tests (test_sim_util.h). */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "apdu/buf.h"
#include "tests/integration/test_sim_util.h"

const char *
st_env(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL || v[0] == '\0')
		fail_msg("%s not set: run under tests/harness/with-sim", name);
	return v;
}

LONG
st_connect(st_conn_t *c, const char *reader)
{
	LONG rc;

	memset(c, 0, sizeof(*c));
	snprintf(c->reader, sizeof(c->reader), "%s", reader);
	rc = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &c->ctx);
	if (rc != SCARD_S_SUCCESS)
		return rc;
	return SCardConnect(c->ctx, reader, SCARD_SHARE_SHARED,
	                    SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &c->card, &c->proto);
}

void
st_disconnect(st_conn_t *c)
{
	if (c->card != 0)
		SCardDisconnect(c->card, SCARD_RESET_CARD);
	if (c->ctx != 0)
		SCardReleaseContext(c->ctx);
	memset(c, 0, sizeof(*c));
}

LONG
st_raw(st_conn_t *c, const char *hex, uint8_t *resp, size_t cap, size_t *len, uint16_t *sw)
{
	uint8_t cmd[70000], buf[70000];
	DWORD n = sizeof(buf);
	int clen = hc_hex_decode(hex, cmd, sizeof(cmd));
	const SCARD_IO_REQUEST *pci = c->proto == SCARD_PROTOCOL_T1 ? SCARD_PCI_T1 : SCARD_PCI_T0;
	LONG rc;

	assert_true(clen >= 4);
	*len = 0;
	*sw = 0;
	rc = SCardTransmit(c->card, pci, cmd, (DWORD)clen, NULL, buf, &n);
	if (rc != SCARD_S_SUCCESS)
		return rc;
	if (n < 2)
		return SCARD_E_NOT_TRANSACTED;   /* vpcd answers nothing when the card is gone */
	assert_true(n - 2 <= cap);
	memcpy(resp, buf, n - 2);
	*len = n - 2;
	*sw = (uint16_t)(buf[n - 2] << 8 | buf[n - 1]);
	return rc;
}

LONG
st_apdu(st_conn_t *c, const char *hex, uint8_t *resp, size_t cap, size_t *len, uint16_t *sw)
{
	LONG rc = st_raw(c, hex, resp, cap, len, sw);
	size_t total = *len;
	int guard;

	for (guard = 0; rc == SCARD_S_SUCCESS && (*sw & 0xFF00) == 0x6100 && guard < 300; guard++) {
		char get[32];
		size_t n = 0;

		snprintf(get, sizeof(get), "00 C0 00 00 %02X", *sw & 0xFF);
		rc = st_raw(c, get, resp + total, cap - total, &n, sw);
		total += n;
	}
	*len = total;
	return rc;
}

int
st_ctl(const char *line, char *out, size_t cap)
{
	struct sockaddr_un a;
	const char *path = st_env("HCARD_SIM_CONTROL");
	size_t len = 0;
	int fd;

	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_true(write(fd, line, strlen(line)) == (ssize_t)strlen(line));
	assert_true(write(fd, "\n", 1) == 1);
	while (len < cap - 1) {
		ssize_t got = read(fd, out + len, cap - 1 - len);

		if (got <= 0)
			break;
		len += (size_t)got;
		if (memchr(out, '\n', len) != NULL)
			break;
	}
	close(fd);
	out[len] = '\0';
	if (len > 0 && out[len - 1] == '\n')
		out[len - 1] = '\0';
	return strncmp(out, "ok", 2) == 0 ? 0 : -1;
}

int
st_wait_state(const char *reader, int want, long ms)
{
	SCARDCONTEXT ctx;
	SCARD_READERSTATE rs;
	int rc = -1, guard;

	if (SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx) != SCARD_S_SUCCESS)
		return -1;
	memset(&rs, 0, sizeof(rs));
	rs.szReader = reader;
	rs.dwCurrentState = SCARD_STATE_UNAWARE;
	for (guard = 0; guard < 50; guard++) {
		int present;

		if (SCardGetStatusChange(ctx, guard == 0 ? 0 : (DWORD)ms, &rs, 1) !=
		    SCARD_S_SUCCESS)
			break;
		present = (rs.dwEventState & SCARD_STATE_PRESENT) != 0;
		if (present == want) {
			rc = 0;
			break;
		}
		rs.dwCurrentState = rs.dwEventState;
	}
	SCardReleaseContext(ctx);
	return rc;
}

uint8_t *
st_read_file(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *p;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	p = malloc((size_t)st.st_size + 1);
	assert_non_null(p);
	assert_true(read(fd, p, (size_t)st.st_size) == st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return p;
}
