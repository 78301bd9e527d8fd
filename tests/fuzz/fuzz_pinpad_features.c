/*
 * Fuzz target: the reader's CM_IOCTL_GET_FEATURE_REQUEST answer (untrusted reader data) as
 * hc_pinpad_find_feature parses it (apdu/pinpad.c). Input: one byte, the feature tag looked
 * for, then the answer. The result is checked against a second, independent walk of PC/SC
 * part 10's list (tag 1 | length 1 | value, repeated; the feature's value is its control
 * code, 4 bytes big-endian): same verdict, same code; *code is 0 unless found.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "hcard_err.h"
#include "apdu/pinpad.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The expected verdict: HC_OK with *code, HC_ERR_NO_PINPAD, HC_ERR_MALFORMED_RESPONSE. */
static int
reference(const uint8_t *p, size_t n, uint8_t tag, uint32_t *code)
{
	size_t i = 0;

	*code = 0;
	while (i < n) {
		if (n - i < 2 || p[i + 1] > n - i - 2)
			return HC_ERR_MALFORMED_RESPONSE;
		if (p[i] == tag) {
			if (p[i + 1] != 4)
				return HC_ERR_MALFORMED_RESPONSE;
			*code = (uint32_t)p[i + 2] << 24 | (uint32_t)p[i + 3] << 16 |
			    (uint32_t)p[i + 4] << 8 | p[i + 5];
			return HC_OK;
		}
		i += 2u + p[i + 1];
	}
	return HC_ERR_NO_PINPAD;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t got = 0xA5A5A5A5u, want = 0;
	int rc, expect;

	if (size < 1)
		return 0;
	rc = hc_pinpad_find_feature(data + 1, size - 1, data[0], &got);
	expect = reference(data + 1, size - 1, data[0], &want);
	if (rc != expect || got != want)
		abort();
	/* the same list asked for the PIN pad's tag, as hc_transport_has_pinpad does */
	rc = hc_pinpad_find_feature(data + 1, size - 1, HC_FEATURE_VERIFY_PIN_DIRECT, &got);
	expect = reference(data + 1, size - 1, HC_FEATURE_VERIFY_PIN_DIRECT, &want);
	if (rc != expect || got != want)
		abort();
	/* no list at all (a reader that answers nothing) and a missing out pointer */
	if (hc_pinpad_find_feature(NULL, 0, data[0], &got) != HC_ERR_NO_PINPAD || got != 0 ||
	    hc_pinpad_find_feature(data + 1, size - 1, data[0], NULL) != HC_ERR_INVALID_ARGUMENT)
		abort();
	return 0;
}
