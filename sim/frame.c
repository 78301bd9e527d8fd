/*
 * vpcd's wire protocol (sim/frame.h), shared by hcard-sim and the PIN-pad reader driver.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "sim/frame.h"

static void
quickack(int fd)
{
	int one = 1;

	/* ARCHITECTURE.md: re-armed after every recv, else each APDU waits for a delayed ACK */
	setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
}

int
sim_frame_recv_all(int fd, uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t got = recv(fd, p, n, 0);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		quickack(fd);
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

int
sim_frame_recv(int fd, uint8_t *out, size_t cap, size_t *len)
{
	uint8_t hdr[2];
	size_t n;

	*len = 0;
	if (sim_frame_recv_all(fd, hdr, 2) != 0)
		return -1;
	n = (size_t)hdr[0] << 8 | hdr[1];
	if (n > cap || sim_frame_recv_all(fd, out, n) != 0)
		return -1;
	*len = n;
	return 0;
}

int
sim_frame_send(int fd, const uint8_t *p, size_t n)
{
	uint8_t hdr[2] = { (uint8_t)(n >> 8), (uint8_t)n };
	struct iovec iov[2] = { { hdr, 2 }, { (void *)p, n } };
	struct msghdr msg;
	size_t total = n + 2, done = 0;
	ssize_t w;

	if (n == 0 || n > 0xFFFFu)
		return -1;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = iov;
	msg.msg_iovlen = 2;
	while ((w = sendmsg(fd, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	if (w <= 0)
		return -1;
	/* rare partial send: finish with plain sends */
	for (done = (size_t)w; done < total; done += (size_t)w) {
		const uint8_t *src = done < 2 ? hdr + done : p + (done - 2);
		size_t len = done < 2 ? 2 - done : total - done;

		w = send(fd, src, len, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR) {
			w = 0;
			continue;
		}
		if (w <= 0)
			return -1;
	}
	return 0;
}
