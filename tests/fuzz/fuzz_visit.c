/*
 * Fuzz target: visit record bytes as read from a card (src/record_codec*.c, src/cert.c).
 * Input: byte 0 picks the kind (even inpatient, odd outpatient); the rest fills the record's
 * data (zero-extended or cut), and its last 190 bytes (if there are that many) are also parsed
 * as a SAM certificate and, cut to 180, as an issuer certificate. Every item is decoded, the
 * whole record made text and parsed back, and byte ranges read in every style.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/cert.h"
#include "src/record_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int styles[] = { HC_VISIT_STYLE_RAW, HC_VISIT_STYLE_ANS, HC_VISIT_STYLE_CN,
	                              HC_VISIT_STYLE_B };
	hc_visit_record_t *rec = NULL, *back = NULL;
	hc_visit_kind_t kind;
	const hc_visit_item_t *it;
	uint8_t buf[HC_VISIT_OUTPATIENT_LEN];
	char value[512], *text = NULL, range[2 * 64 + 1];
	hc_cert_sam_t sc;
	hc_cert_issuer_t ic;
	size_t len, i, need = 0;
	int bad = 0;

	if (size < 1)
		return 0;
	kind = (data[0] & 1) ? HC_VISIT_OUTPATIENT : HC_VISIT_INPATIENT;
	data++;
	size--;
	if (size >= HC_CERT_SAM_LEN) {
		(void)hc_cert_sam_parse(data + size - HC_CERT_SAM_LEN, HC_CERT_SAM_LEN, &sc);
		(void)hc_cert_issuer_parse(data + size - HC_CERT_SAM_LEN, HC_CERT_ISSUER_LEN, &ic);
	}
	(void)hc_cert_sam_parse(data, size, &sc);
	len = hc_visit_data_len(kind);
	memset(buf, 0, sizeof(buf));
	memcpy(buf, data, size < len ? size : len);
	if (hc_visit_record_new(kind, &rec) != HC_OK || hc_visit_record_set_data(rec, buf, len) != HC_OK)
		goto out;
	for (i = 0; (it = hc_visit_item_at(kind, i)) != NULL; i++) {
		if (hc_visit_record_get(rec, it, value, sizeof(value)) == HC_OK)
			(void)strlen(value);
		(void)hc_visit_record_get_range(rec, it->offset, it->length < 64 ? it->length : 64,
		                                styles[i % 4], range, sizeof(range));
	}
	if (hc_visit_record_to_text(rec, NULL, 0, &need) == HC_ERR_BUFFER_TOO_SMALL && need > 0 &&
	    (text = malloc(need)) != NULL &&
	    hc_visit_record_to_text(rec, text, need, NULL) == HC_OK &&
	    hc_visit_record_new(kind, &back) == HC_OK)
		(void)hc_visit_record_from_text(back, text, &bad);
out:
	free(text);
	hc_visit_record_free(&rec);
	hc_visit_record_free(&back);
	return 0;
}
