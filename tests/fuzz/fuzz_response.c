/*
 * Fuzz target: card answers. The input is a replay script ([u16 length][answer]...) fed to
 * hc_transmit through the replay transport, for a few commands covering 61xx, 6Cxx,
 * chaining and extended APDUs; the reassembled answer is then walked as TLV.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hcard_err.h"
#include "apdu/apdu.h"
#include "apdu/sw.h"
#include "apdu/tlv.h"
#include "apdu/transport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
touch(const hc_tlv_t *t, void *arg)
{
	unsigned *sum = arg;

	if (t->len > 0)
		*sum += t->value[t->len - 1];
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mf[] = { 0x3F, 0x00 };
	static uint8_t big[600];
	hc_transport_t *t;
	hc_resp_t *resp;
	hc_apdu_t a[4];
	hc_tlv_t tlv;
	unsigned sum = 0;
	size_t i;
	int rc;

	if ((t = hc_replay_new(data, size)) == NULL || (resp = hc_resp_new()) == NULL) {
		hc_transport_free(&t);
		return 0;
	}
	memset(a, 0, sizeof(a));
	a[0].ins = 0xA4; a[0].data = mf; a[0].lc = 2; a[0].has_le = 1; a[0].le = 256;
	a[1].ins = 0xB2; a[1].p1 = 0x01; a[1].p2 = 0x2D; a[1].has_le = 1; a[1].le = 256;
	a[2].ins = 0xB0; a[2].has_le = 1; a[2].le = 3074;
	a[3].cla = 0x80; a[3].ins = 0xF8; a[3].p1 = 0x03; a[3].data = big; a[3].lc = sizeof(big);
	a[3].has_le = 1; a[3].le = 0x20;
	hc_transport_set_extended(t, size > 0 ? data[0] & 1 : 1);
	for (i = 0; i < 4; i++) {
		rc = hc_transmit(t, &a[i], resp);
		if (rc != HC_OK) {
			if (resp->len != 0)
				__builtin_trap();       /* an error never leaves data */
			continue;
		}
		if (resp->len > resp->cap)
			__builtin_trap();
		(void)hc_sw_to_err(resp->sw);
		(void)hc_sw_text(resp->sw);
		if (resp->len > 0) {
			if (hc_ber_find(resp->data, resp->len, 0x6F, &tlv) == 0)
				sum += (unsigned)tlv.total;
			(void)hc_stlv_walk(resp->data, resp->len, touch, &sum);
		}
	}
	/* never more wire APDUs than the bounds allow: 4 commands x (1 + 16 + 1) x 3 links */
	if (hc_transport_apdu_count(t) > 4 * 18 * 3)
		__builtin_trap();
	hc_resp_free(&resp);
	hc_transport_free(&t);
	return sum == 0xFFFFFFFFu;
}
