/* Fuzz target: every TLV parser on arbitrary bytes (apdu/tlv.h). */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "apdu/buf.h"
#include "apdu/tlv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
touch(const hc_tlv_t *t, void *arg)
{
	unsigned *sum = arg;
	size_t i;

	for (i = 0; i < t->len; i++)    /* reads every value byte: ASan checks the bounds */
		*sum += t->value[i];
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t paths[][3] = {
		{ 0x6F, 0xA5, 0xC0 }, { 0x6F, 0x84, 0 }, { 0x62, 0x82, 0 }, { 0x7F49, 0x86, 0 },
	};
	hc_tlv_t t;
	hc_writer_t w;
	uint8_t out[512];
	unsigned sum = 0;
	size_t i;

	if (hc_ber_parse(data, size, &t) == 0) {
		(void)touch(&t, &sum);
		/* re-encode what was parsed and parse it again: same tag and value */
		hc_writer_init(&w, out, sizeof(out));
		if (hc_ber_put(&w, t.tag, t.value, t.len) == 0) {
			hc_tlv_t u;
			if (hc_ber_parse(out, w.len, &u) != 0 || u.tag != t.tag || u.len != t.len)
				__builtin_trap();
		}
	}
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (hc_ber_find_path(data, size, paths[i], paths[i][2] ? 3 : 2, &t) == 0)
			(void)touch(&t, &sum);
	if (hc_ber_find(data, size, 0x9F79, &t) == 0)
		(void)touch(&t, &sum);
	(void)hc_stlv_walk(data, size, touch, &sum);
	if (hc_stlv_find(data, size, 0x57, &t) == 0)
		(void)touch(&t, &sum);
	return sum == 0xFFFFFFFFu;      /* keep sum alive */
}
