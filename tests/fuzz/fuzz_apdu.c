/* Fuzz target: command parsing as the simulator does it (hc_apdu_parse), then encode the
 * parsed APDU again: a valid command must come back byte for byte. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hcard_err.h"
#include "apdu/apdu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[HC_APDU_MAX_CMD];
	hc_apdu_t a;
	size_t len = 0;
	unsigned sum = 0;
	size_t i;

	if (hc_apdu_parse(data, size, &a) != HC_OK)
		return 0;
	for (i = 0; i < a.lc; i++)
		sum += a.data[i];
	if (hc_apdu_check(&a) != HC_OK)
		return 0;               /* e.g. INS 6x: parsed, but never sent */
	if (hc_apdu_encode(&a, out, sizeof(out), &len) != HC_OK)
		__builtin_trap();
	if (len != size || memcmp(out, data, size) != 0)
		__builtin_trap();
	return sum == 0xFFFFFFFFu;
}
