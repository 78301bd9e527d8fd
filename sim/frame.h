/*
 * vpcd's wire protocol, both ends: a frame is a 2-byte big-endian length and that many bytes
 * (1-byte frames are control: 00 off, 01 on, 02 reset, 04 ATR; others carry an APDU or an
 * answer). hcard-sim speaks it as vpcd's client (sim/server.c), the PIN-pad reader driver as
 * the listening end (sim/ifd/ifd-hcardsim.c). Sockets are TCP on loopback with TCP_NODELAY.
 */
#ifndef HC_SIM_FRAME_H
#define HC_SIM_FRAME_H

#include <stddef.h>
#include <stdint.h>

/* Sends length and bytes in one sendmsg (one segment; a rare partial send is finished with
 * plain sends). n must be 1..65535. 0, or -1 when the peer is gone (no SIGPIPE). */
int sim_frame_send(int fd, const uint8_t *p, size_t n);

/* Receives exactly n bytes, re-arming TCP_QUICKACK after each recv (else every APDU waits
 * for a delayed ACK). 0, or -1 on EOF, error or timeout. */
int sim_frame_recv_all(int fd, uint8_t *p, size_t n);

/* Receives one frame into out (cap bytes); *len gets its length. -1 on EOF/error or a frame
 * longer than cap (the link is then out of step: the caller drops it). */
int sim_frame_recv(int fd, uint8_t *out, size_t cap, size_t *len);

#endif
