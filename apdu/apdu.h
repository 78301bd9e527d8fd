/*
 * ISO 7816-4 command APDUs (cases 1-4, short and extended), checked before transmit,
 * and responses with their status word.
 */
#ifndef HC_APDU_APDU_H
#define HC_APDU_APDU_H

#include <stddef.h>
#include <stdint.h>

#define HC_APDU_MAX_DATA     65535u     /* Lc limit, extended */
#define HC_APDU_MAX_SHORT_LC 255u
#define HC_APDU_MAX_CMD      (7u + 65535u + 3u)
#define HC_RESP_MAX          65538u     /* 65536 data + SW */

typedef enum hc_apdu_case {
	HC_APDU_CASE_1 = 1,  /* no data, no Le */
	HC_APDU_CASE_2,      /* Le only */
	HC_APDU_CASE_3,      /* data only */
	HC_APDU_CASE_4       /* data and Le */
} hc_apdu_case_t;

typedef struct hc_apdu {
	uint8_t cla, ins, p1, p2;
	const uint8_t *data;   /* Lc bytes, not owned */
	size_t lc;
	size_t le;             /* expected length; 256 (short) / 65536 (extended) mean "Le 00" */
	int has_le;            /* Le field present (case 2/4) */
	int extended;          /* force extended encoding (also chosen when lc > 255 or le > 256) */
	int sensitive;         /* data is a PIN or key: never logged in clear */
} hc_apdu_t;

/* Case of an APDU from lc/has_le. */
hc_apdu_case_t hc_apdu_case(const hc_apdu_t *a);
/* Validates (Lc/Le ranges, data pointer, CLA/INS sanity: INS 6x/9x invalid). HC_OK or HC_ERR_INVALID_APDU. */
int hc_apdu_check(const hc_apdu_t *a);
/* Encodes into out; returns HC_OK and sets *out_len, or an error. */
int hc_apdu_encode(const hc_apdu_t *a, uint8_t *out, size_t cap, size_t *out_len);
/* Parses raw command bytes (the simulator side). data points into raw. HC_OK or HC_ERR_INVALID_APDU. */
int hc_apdu_parse(const uint8_t *raw, size_t len, hc_apdu_t *a);

typedef struct hc_resp {
	uint8_t *data;         /* owned by caller or by hc_resp_new */
	size_t len;            /* data bytes, SW excluded */
	size_t cap;
	uint16_t sw;
} hc_resp_t;

/* A response buffer of HC_RESP_MAX bytes; hc_resp_free wipes and frees, and NULLs *r. */
hc_resp_t *hc_resp_new(void);
void hc_resp_free(hc_resp_t **r);
void hc_resp_clear(hc_resp_t *r);     /* wipes data, len = 0, sw = 0 */

#endif
