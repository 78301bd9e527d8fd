/*
 * Helpers of the simulator's integration tests: raw PC/SC to the harness's readers
 * (tests/harness/with-sim exports HCARD_CARD_READER, HCARD_SAM_READER, HCARD_SIM_CONTROL),
 * APDUs written in hex, and the control socket.
 */
#ifndef HC_TEST_SIM_UTIL_H
#define HC_TEST_SIM_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <winscard.h>

typedef struct st_conn {
	SCARDCONTEXT ctx;
	SCARDHANDLE card;
	DWORD proto;
	char reader[128];
} st_conn_t;

/* Reader name from an environment variable set by the harness; fails the test if unset. */
const char *st_env(const char *name);
/* Establishes a context and connects (shared, T=0|T=1) to reader. SCARD_S_SUCCESS or the
 * PC/SC error. */
LONG st_connect(st_conn_t *c, const char *reader);
void st_disconnect(st_conn_t *c);
/* Sends the APDU given in hex ("00 A4 00 00 00"); raw: no 61xx handling. Fills resp (data
 * without SW), *len and *sw. Returns the SCardTransmit result; an answer shorter than a
 * status word (vpcd's answer when the card vanished) gives SCARD_E_NOT_TRANSACTED. */
LONG st_raw(st_conn_t *c, const char *hex, uint8_t *resp, size_t cap, size_t *len,
            uint16_t *sw);
/* As st_raw, then follows 61xx with GET RESPONSE (bounded) like a T=0 host. */
LONG st_apdu(st_conn_t *c, const char *hex, uint8_t *resp, size_t cap, size_t *len,
             uint16_t *sw);
/* Sends one control command; copies the answer line to out. 0 if it starts with "ok". */
int st_ctl(const char *line, char *out, size_t cap);
/* Waits up to ms for reader to be present (want 1) or empty (want 0) with
 * SCardGetStatusChange. 0 when reached, -1 on timeout/error. */
int st_wait_state(const char *reader, int want, long ms);
/* Reads a whole file into a malloc'd buffer. */
uint8_t *st_read_file(const char *path, size_t *len);

#endif
