/*
 * hcard-sim serve (sim/server.h): slots connected to vpcd, the control socket, the loop.
 * The simulator is a vpcd *client* on 127.0.0.1; the only listening socket is the
 * Unix-domain control socket.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "apdu/buf.h"
#include "apdu/log.h"
#include "sim/frame.h"
#include "sim/image.h"
#include "sim/module.h"
#include "sim/server.h"

#define VPCD_CTRL_OFF   0x00
#define VPCD_CTRL_ON    0x01
#define VPCD_CTRL_RESET 0x02
#define VPCD_CTRL_ATR   0x04
#define RETRY_MS        50
/* A pulled card stays out at least this long before `insert` connects it again: pcscd
 * polls vpcd's presence every 400 ms and would otherwise never see the reader empty (it then
 * misses the swap, e.g. after a reset that failed on the torn card). */
#define MIN_OUT_MS      600
#define MAX_CLIENTS     8
#define LINE_MAX_LEN    (PATH_MAX + 64)
#define RESP_CAP        (65536u + 2u)

typedef struct slot {
	int fd;                     /* vpcd connection or -1 */
	int inserted;               /* a card is in the reader (connect / keep connected) */
	int torn;                   /* pulled by a tear; `insert` puts it back */
	char image[PATH_MAX];       /* "" = no card ever */
	sim_card_t *card;
	unsigned long count;        /* APDUs received */
	unsigned long tear_at;      /* count at which to tear, 0 = none */
	int tear_after;             /* 1: execute then drop the answer; 0: drop before */
	long long next_try_ms;
} slot_t;

typedef struct client {
	int fd;
	char buf[LINE_MAX_LEN];
	size_t len;
} client_t;

struct sim_server {
	struct sockaddr_in addr;
	uint16_t port;
	slot_t slots[SIM_MAX_SLOTS];
	int ctl_fd;
	char ctl_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	client_t clients[MAX_CLIENTS];
	int quit;
	uint8_t *resp;
	uint8_t *cmd;
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

sim_server_t *
sim_server_new(const char *host, uint16_t port)
{
	sim_server_t *s;
	size_t i;

	if (port == 0 || port > 65535 - SIM_MAX_SLOTS)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->addr.sin_family = AF_INET;
	s->addr.sin_port = htons(port);
	if (inet_pton(AF_INET, host, &s->addr.sin_addr) != 1 ||
	    (ntohl(s->addr.sin_addr.s_addr) >> 24) != 127) {
		hc_log_error("vpcd host must be a loopback address");
		free(s);
		return NULL;
	}
	s->port = port;
	s->ctl_fd = -1;
	for (i = 0; i < SIM_MAX_SLOTS; i++)
		s->slots[i].fd = -1;
	for (i = 0; i < MAX_CLIENTS; i++)
		s->clients[i].fd = -1;
	s->resp = malloc(RESP_CAP);
	s->cmd = malloc(65536u + 8u);
	if (s->resp == NULL || s->cmd == NULL) {
		sim_server_free(&s);
		return NULL;
	}
	return s;
}

static void
slot_disconnect(slot_t *sl)
{
	if (sl->fd >= 0)
		close(sl->fd);
	sl->fd = -1;
	sim_card_free(&sl->card);
}

void
sim_server_free(sim_server_t **sp)
{
	sim_server_t *s;
	size_t i;

	if (sp == NULL || *sp == NULL)
		return;
	s = *sp;
	for (i = 0; i < SIM_MAX_SLOTS; i++)
		slot_disconnect(&s->slots[i]);
	for (i = 0; i < MAX_CLIENTS; i++)
		if (s->clients[i].fd >= 0)
			close(s->clients[i].fd);
	if (s->ctl_fd >= 0) {
		close(s->ctl_fd);
		unlink(s->ctl_path);
	}
	if (s->resp != NULL) {
		hc_wipe(s->resp, RESP_CAP);
		free(s->resp);
	}
	if (s->cmd != NULL) {
		hc_wipe(s->cmd, 65536u + 8u);
		free(s->cmd);
	}
	free(s);
	*sp = NULL;
}

int
sim_server_set_slot(sim_server_t *s, unsigned slot, const char *image)
{
	slot_t *sl;

	if (slot >= SIM_MAX_SLOTS || image == NULL || strlen(image) >= PATH_MAX)
		return -1;
	sl = &s->slots[slot];
	slot_disconnect(sl);
	snprintf(sl->image, sizeof(sl->image), "%s", image);
	sl->inserted = 1;
	sl->torn = 0;
	/* next_try_ms is kept: a card pulled a moment ago stays out MIN_OUT_MS */
	return 0;
}

/* --- vpcd connection ----------------------------------------------------------------- */

static void
slot_try_connect(sim_server_t *s, unsigned i)
{
	slot_t *sl = &s->slots[i];
	struct sockaddr_in a = s->addr;
	struct timeval tv = { 2, 0 };
	int fd, one = 1;

	if (sl->card == NULL) {
		sl->card = sim_image_load(sl->image);
		if (sl->card == NULL) {
			hc_log_error("slot %u: cannot load %s; slot left empty", i, sl->image);
			sl->inserted = 0;
			return;
		}
	}
	a.sin_port = htons((uint16_t)(s->port + i));
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* a frame cut in the middle must not hang every slot: 2 s, then the link is dropped */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		sl->next_try_ms = now_ms() + RETRY_MS;
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
	sl->fd = fd;
	sim_card_reset(sl->card);
	hc_log_debug("slot %u: card %s connected to vpcd port %u", i, sl->image,
	             (unsigned)(s->port + i));
}

/* The card leaves the reader: by `remove`, a tear, or vpcd going away (then reconnect). */
static void
slot_pull(slot_t *sl, int keep_inserted)
{
	if (sl->fd >= 0)
		close(sl->fd);
	sl->fd = -1;
	sim_card_free(&sl->card);
	sl->inserted = keep_inserted;
	sl->next_try_ms = now_ms() + (keep_inserted ? RETRY_MS : MIN_OUT_MS);
}

/* Saves the image when the card changed; 0 or -1 (then the card is reloaded from disk). */
static int
slot_save(slot_t *sl)
{
	if (sl->card == NULL || !sl->card->dirty)
		return 0;
	if (sim_image_save(sl->card, sl->image) != 0) {
		/* the in-memory state is ahead of the disk: go back to what is on disk */
		sim_card_free(&sl->card);
		sl->card = sim_image_load(sl->image);
		return -1;
	}
	sl->card->dirty = 0;
	return 0;
}

/* Executes one APDU and saves the image when the card changed (before answering). */
static size_t
slot_execute(slot_t *sl, const uint8_t *apdu, size_t len, uint8_t *resp)
{
	size_t n = sim_dispatch(sl->card, apdu, len, resp, RESP_CAP);

	if (n < 2) {
		resp[0] = 0x6F;
		resp[1] = 0x00;
		n = 2;
	}
	if (slot_save(sl) != 0) {
		/* nothing the host saw as 9000 may be lost: answer a memory failure */
		hc_wipe(resp, n);
		resp[0] = 0x65;
		resp[1] = 0x81;
		n = 2;
	}
	return n;
}

static void
slot_readable(sim_server_t *s, unsigned i)
{
	slot_t *sl = &s->slots[i];
	size_t len, n;

	if (sim_frame_recv(sl->fd, s->cmd, 65536u, &len) != 0 || len == 0)
		goto lost;
	if (sl->card == NULL)
		goto lost;
	if (len == 1) {
		switch (s->cmd[0]) {
		case VPCD_CTRL_OFF:
		case VPCD_CTRL_ON:
		case VPCD_CTRL_RESET:
			sim_card_reset(sl->card);
			(void)slot_save(sl);
			return;
		case VPCD_CTRL_ATR:
			if (sim_frame_send(sl->fd, sl->card->atr, sl->card->atr_len) != 0)
				goto lost;
			return;
		default:
			hc_log_error("slot %u: unknown vpcd control %02X", i, s->cmd[0]);
			return;
		}
	}
	sl->count++;
	if (sl->tear_at != 0 && sl->count >= sl->tear_at) {
		sl->tear_at = 0;
		if (sl->tear_after)
			(void)slot_execute(sl, s->cmd, len, s->resp);
		hc_wipe(s->resp, RESP_CAP);
		hc_log_debug("slot %u: torn at APDU %lu (%s)", i, sl->count,
		             sl->tear_after ? "after" : "before");
		slot_pull(sl, 0);
		sl->torn = 1;
		return;
	}
	n = slot_execute(sl, s->cmd, len, s->resp);
	hc_wipe(s->cmd, len);
	if (sim_frame_send(sl->fd, s->resp, n) != 0) {
		hc_wipe(s->resp, n);
		goto lost;
	}
	hc_wipe(s->resp, n);
	return;
lost:
	/* vpcd went away (pcscd stopped): keep the card inserted and reconnect */
	hc_log_debug("slot %u: vpcd connection lost", i);
	slot_pull(sl, 1);
}

/* --- control socket ---------------------------------------------------------------------- */

int
sim_server_control(sim_server_t *s, const char *path)
{
	struct sockaddr_un a;
	mode_t old_mask;
	int fd, rc;

	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a.sun_path))
		return -1;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	unlink(path);
	old_mask = umask(077);   /* the socket is created 0600, no window before chmod */
	rc = bind(fd, (struct sockaddr *)&a, sizeof(a));
	umask(old_mask);
	if (rc != 0 || chmod(path, 0600) != 0 || listen(fd, MAX_CLIENTS) != 0) {
		hc_log_error("control socket %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	s->ctl_fd = fd;
	snprintf(s->ctl_path, sizeof(s->ctl_path), "%s", path);
	return 0;
}

static int
parse_slot(const char *tok, unsigned *slot)
{
	char *end;
	unsigned long v;

	if (tok == NULL)
		return -1;
	v = strtoul(tok, &end, 10);
	if (*end != '\0' || end == tok || v >= SIM_MAX_SLOTS)
		return -1;
	*slot = (unsigned)v;
	return 0;
}

static void
control_line(sim_server_t *s, char *line, char *out, size_t cap)
{
	char *save = NULL, *cmd, *a1, *a2, *a3;
	unsigned slot = 0;
	slot_t *sl;

	cmd = strtok_r(line, " \t\r", &save);
	a1 = strtok_r(NULL, " \t\r", &save);
	a2 = strtok_r(NULL, " \t\r", &save);
	a3 = strtok_r(NULL, " \t\r", &save);
	if (cmd == NULL) {
		snprintf(out, cap, "err empty command\n");
		return;
	}
	if (strcmp(cmd, "ping") == 0) {
		snprintf(out, cap, "ok\n");
		return;
	}
	if (strcmp(cmd, "quit") == 0) {
		s->quit = 1;
		snprintf(out, cap, "ok\n");
		return;
	}
	if (parse_slot(a1, &slot) != 0) {
		snprintf(out, cap, "err bad or missing slot (0-%u)\n", SIM_MAX_SLOTS - 1);
		return;
	}
	sl = &s->slots[slot];
	if (strcmp(cmd, "insert") == 0) {
		char img[PATH_MAX];

		/* a copy: set_slot rewrites sl->image */
		snprintf(img, sizeof(img), "%s", a2 != NULL ? a2 : sl->image);

		if (img[0] == '\0') {
			snprintf(out, cap, "err no image for slot %u\n", slot);
		} else if (sl->inserted) {
			snprintf(out, cap, "err slot %u holds a card: remove it first\n", slot);
		} else {
			sim_card_t *probe = sim_image_load(img);

			if (probe == NULL) {
				snprintf(out, cap, "err cannot load image %s\n", img);
				return;
			}
			sim_card_free(&probe);
			sim_server_set_slot(s, slot, img);
			if (now_ms() >= sl->next_try_ms)
				slot_try_connect(s, slot);
			snprintf(out, cap, "ok\n");
		}
	} else if (strcmp(cmd, "remove") == 0) {
		slot_pull(sl, 0);
		sl->torn = 0;
		snprintf(out, cap, "ok\n");
	} else if (strcmp(cmd, "tear") == 0) {
		char *end = NULL;
		unsigned long n = a2 != NULL ? strtoul(a2, &end, 10) : 0;

		if (n == 0 || end == NULL || *end != '\0' || a3 == NULL ||
		    (strcmp(a3, "before") != 0 && strcmp(a3, "after") != 0)) {
			snprintf(out, cap, "err usage: tear SLOT N before|after\n");
			return;
		}
		sl->tear_at = sl->count + n;
		sl->tear_after = strcmp(a3, "after") == 0;
		snprintf(out, cap, "ok\n");
	} else if (strcmp(cmd, "untear") == 0) {
		sl->tear_at = 0;
		snprintf(out, cap, "ok\n");
	} else if (strcmp(cmd, "count") == 0) {
		snprintf(out, cap, "ok %lu\n", sl->count);
	} else if (strcmp(cmd, "reset") == 0) {
		if (sl->card == NULL) {
			snprintf(out, cap, "err slot %u is empty\n", slot);
			return;
		}
		sim_card_reset(sl->card);
		(void)slot_save(sl);
		snprintf(out, cap, "ok\n");
	} else if (strcmp(cmd, "status") == 0) {
		if (sl->inserted)
			snprintf(out, cap, "ok present %s\n", sl->image);
		else if (sl->torn)
			snprintf(out, cap, "ok torn %s\n", sl->image);
		else
			snprintf(out, cap, "ok empty\n");
	} else {
		snprintf(out, cap, "err unknown command %s\n", cmd);
	}
}

static void
client_readable(sim_server_t *s, client_t *c)
{
	char out[LINE_MAX_LEN + 64];
	ssize_t got;
	char *nl;

	got = read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
	if (got <= 0) {
		close(c->fd);
		c->fd = -1;
		return;
	}
	c->len += (size_t)got;
	c->buf[c->len] = '\0';
	while ((nl = strchr(c->buf, '\n')) != NULL) {
		size_t used = (size_t)(nl - c->buf) + 1;

		*nl = '\0';
		control_line(s, c->buf, out, sizeof(out));
		if (write(c->fd, out, strlen(out)) < 0) {
			close(c->fd);
			c->fd = -1;
			return;
		}
		memmove(c->buf, c->buf + used, c->len - used + 1);
		c->len -= used;
	}
	if (c->len >= sizeof(c->buf) - 1) {
		close(c->fd);   /* a line longer than any command */
		c->fd = -1;
	}
}

static void
accept_client(sim_server_t *s)
{
	int fd = accept4(s->ctl_fd, NULL, NULL, SOCK_CLOEXEC);
	size_t i;

	if (fd < 0)
		return;
	for (i = 0; i < MAX_CLIENTS; i++)
		if (s->clients[i].fd < 0) {
			s->clients[i].fd = fd;
			s->clients[i].len = 0;
			return;
		}
	close(fd);
}

/* --- loop -------------------------------------------------------------------------------- */

int
sim_server_run(sim_server_t *s, volatile sig_atomic_t *stop)
{
	struct pollfd pfd[1 + MAX_CLIENTS + SIM_MAX_SLOTS];
	int owner[1 + MAX_CLIENTS + SIM_MAX_SLOTS];
	unsigned i;

	while (!*stop && !s->quit) {
		long long t = now_ms();
		int timeout = 200, rc;
		nfds_t n = 0;

		for (i = 0; i < SIM_MAX_SLOTS; i++) {
			slot_t *sl = &s->slots[i];

			if (sl->inserted && sl->fd < 0 && t >= sl->next_try_ms)
				slot_try_connect(s, i);
			if (sl->inserted && sl->fd < 0)
				timeout = RETRY_MS;
			if (sl->fd >= 0) {
				pfd[n].fd = sl->fd;
				pfd[n].events = POLLIN;
				owner[n++] = (int)i;
			}
		}
		if (s->ctl_fd >= 0) {
			pfd[n].fd = s->ctl_fd;
			pfd[n].events = POLLIN;
			owner[n++] = -1;
		}
		for (i = 0; i < MAX_CLIENTS; i++)
			if (s->clients[i].fd >= 0) {
				pfd[n].fd = s->clients[i].fd;
				pfd[n].events = POLLIN;
				owner[n++] = -2 - (int)i;
			}
		rc = poll(pfd, n, timeout);
		if (rc < 0 && errno != EINTR) {
			hc_log_error("poll: %s", strerror(errno));
			return -1;
		}
		for (i = 0; rc > 0 && i < n; i++) {
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (owner[i] >= 0) {
				if (s->slots[owner[i]].fd == pfd[i].fd)
					slot_readable(s, (unsigned)owner[i]);
			} else if (owner[i] == -1) {
				accept_client(s);
			} else if (s->clients[-2 - owner[i]].fd == pfd[i].fd) {
				client_readable(s, &s->clients[-2 - owner[i]]);
			}
		}
	}
	return 0;
}

int
sim_control_request(const char *path, const char *line, char *out, size_t cap)
{
	struct sockaddr_un a;
	size_t len = 0;
	int fd, rc = -1;

	if (cap == 0 || strlen(path) >= sizeof(a.sun_path))
		return -1;
	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    write(fd, line, strlen(line)) < 0 || write(fd, "\n", 1) != 1)
		goto out;
	while (len < cap - 1) {
		ssize_t got = read(fd, out + len, cap - 1 - len);

		if (got <= 0)
			break;
		len += (size_t)got;
		if (memchr(out, '\n', len) != NULL)
			break;
	}
	out[len] = '\0';
	if (len > 0 && out[len - 1] == '\n')
		out[len - 1] = '\0';
	rc = strncmp(out, "ok", 2) == 0 ? 0 : (len > 0 ? 1 : -1);
out:
	close(fd);
	return rc;
}
