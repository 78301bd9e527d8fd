/*
 * Helpers of the crypto-sam integration tests (tests/integration/test_sec_*.c): raw APDUs to
 * the user card and the SAM through pcscd + vpcd + hcard-sim (apdu/pcsc.h), host-side
 * computations with crypto/ and the demo key set read from sim/demo.keyset.
 */
#ifndef HC_TEST_SEC_COMMON_H
#define HC_TEST_SEC_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "apdu/pcsc.h"
#include "apdu/transport.h"

typedef struct sec_env {
	hc_pcsc_t *pcsc;
	hc_transport_t *card;
	hc_transport_t *sam;
	uint8_t card_factor[8];
	uint8_t city_factor[8];
	uint8_t resp[HC_RESP_MAX];
	size_t resp_len;
} sec_env_t;

/* Connects to both readers of the harness (HCARD_CARD_READER, HCARD_SAM_READER). Asserts. */
void sec_connect(sec_env_t *e);
void sec_disconnect(sec_env_t *e);
/* Puts a new image in slot (0 card, 1 SAM) with the control socket and reconnects. */
void sec_insert(sec_env_t *e, int slot, const char *image);
/* Runs `$HCARD_SIM ARGS` (a shell command tail); asserts exit 0. Paths relative to
 * $HCARD_TEST_TMP are fine: the command runs there. */
void sec_sim(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A path in the run's temp dir (static buffer, one at a time). */
const char *sec_tmp(const char *name);

/* Sends a raw APDU given as hex (spaces allowed) or bytes; returns the SW; data in e->resp. */
uint16_t sec_hex(sec_env_t *e, hc_transport_t *t, const char *hex);
uint16_t sec_raw(sec_env_t *e, hc_transport_t *t, const uint8_t *apdu, size_t len);

/* Card factor (ATR[4..11]) and city factor (EF05 tag 57 || 3030303030) into e. Leaves the
 * card with DDF1 current. */
void sec_card_factors(sec_env_t *e);
/* SAM: SELECT DF01 and VERIFY the PIN; returns the VERIFY SW. */
uint16_t sec_sam_login(sec_env_t *e, const char *pin);
/* External authentication with the SAM, card key (sam_p1, sam_p2) under card_p2 in the
 * current DF; returns the card's SW (or the SAM's, when the SAM refused). */
uint16_t sec_ext_auth(sec_env_t *e, uint8_t sam_p1, uint8_t sam_p2, uint8_t card_p2);
/* Card GET CHALLENGE then SAM 80 DE for the STK (sam_p1, sam_p2): the SAM holds S.
 * Returns the SAM's SW. */
uint16_t sec_sm_session(sec_env_t *e, uint8_t sam_p1, uint8_t sam_p2);
/* SAM MAC (80 FA 05 00) over IV 0 || hdr || data -> mac4. Returns SW. */
uint16_t sec_sam_mac(sec_env_t *e, const uint8_t *data, size_t len, uint8_t mac4[4]);

/* Demo key set value (sim/demo.keyset under $top_srcdir): asserts it exists with len bytes. */
void sec_demo_key(const char *name, uint8_t *out, size_t len);
/* Host-side card key: D(D(master, city factor), card factor). */
void sec_card_key(const uint8_t master[16], const uint8_t city_factor[8],
                  const uint8_t card_factor[8], uint8_t out[16]);

#define SEC_SW(x) ((uint16_t)(x))

#endif
