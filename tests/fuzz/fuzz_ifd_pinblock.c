/*
 * Fuzz target: the PIN-pad reader's PIN_VERIFY_STRUCTURE parser and PIN formatting
 * (sim/ifd/pinblock.h). Input: one byte choosing the number of digits, then the structure.
 * A structure that parses must format every allowed length, change no bit of the template
 * outside the PIN block and the length field, and refuse lengths outside min..max.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/ifd/pinblock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
bit_at(const uint8_t *p, unsigned pos)
{
	return (p[pos / 8u] >> (7u - pos % 8u)) & 1;
}

static int
inside(unsigned pos, unsigned start, unsigned len)
{
	return pos >= start && pos - start < len;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char digits[256];
	uint8_t out[IFD_PIN_APDU_MAX];
	ifd_pin_verify_t v;
	size_t olen = 0, n, i;
	unsigned pos, data_bits;

	if (size < 1 || ifd_pin_verify_parse(data + 1, size - 1, &v) != 0)
		return 0;
	for (i = 0; i < sizeof(digits); i++)
		digits[i] = (char)('0' + (data[0] + i) % 10u);
	if (v.apdu_len + IFD_PIN_VERIFY_HEADER != size - 1 || v.min_digits < 1 ||
	    v.min_digits > v.max_digits)
		abort();
	n = v.min_digits + data[0] % ((size_t)v.max_digits - v.min_digits + 1u);
	if (ifd_pin_apdu_build(&v, digits, n, out, sizeof(out), &olen) != 0 ||
	    olen != v.apdu_len || memcmp(out, v.apdu, 5) != 0)
		abort();
	data_bits = (unsigned)(v.apdu_len - 5) * 8u;
	for (pos = 0; pos < data_bits; pos++)
		if (!inside(pos, v.pin_pos, v.pin_bits) &&
		    !(v.len_bits > 0 && inside(pos, v.len_pos, v.len_bits)) &&
		    bit_at(out + 5, pos) != bit_at(v.apdu + 5, pos))
			abort();
	if (ifd_pin_apdu_build(&v, digits, (size_t)v.min_digits - 1u, out, sizeof(out), &olen) == 0)
		abort();
	if (v.max_digits < 255 &&
	    ifd_pin_apdu_build(&v, digits, (size_t)v.max_digits + 1u, out, sizeof(out), &olen) == 0)
		abort();
	return 0;
}
