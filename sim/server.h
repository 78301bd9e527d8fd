/*
 * hcard-sim serve: one vpcd client connection per slot (ARCHITECTURE.md: 2-byte big-endian
 * length framing, control bytes 00 off, 01 on, 02 reset, 04 ATR), a Unix-domain control
 * socket (doc/simulator.md), one poll loop.
 */
#ifndef HC_SIM_SERVER_H
#define HC_SIM_SERVER_H

#include <signal.h>
#include <stdint.h>

#define SIM_MAX_SLOTS 8u

typedef struct sim_server sim_server_t;

/* A server whose slot N talks to vpcd on host:port+N. NULL on bad arguments / no memory. */
sim_server_t *sim_server_new(const char *host, uint16_t port);
void sim_server_free(sim_server_t **s);
/* Puts the image at path into slot (loaded and connected when the loop runs). 0 or -1. */
int sim_server_set_slot(sim_server_t *s, unsigned slot, const char *image);
/* Listens on a Unix-domain control socket at path (mode 0600, replaced if stale). 0 or -1. */
int sim_server_control(sim_server_t *s, const char *path);
/* Runs until *stop becomes non-zero (signal handler) or the control command `quit`. */
int sim_server_run(sim_server_t *s, volatile sig_atomic_t *stop);

/* Client side of the control socket: sends one line, writes the answer line to out.
 * 0 when the answer starts with "ok", 1 for "err", -1 on connection failure. */
int sim_control_request(const char *path, const char *line, char *out, size_t cap);

#endif
