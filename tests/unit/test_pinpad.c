/*
 * Unit tests of PIN-pad support (apdu/pinpad.h): the PC/SC part 10 PIN_VERIFY_STRUCTURE
 * against its byte layout written out by hand from the spec's parameters, refused templates,
 * the feature list parser on good, empty and truncated lists, and hc_pinpad_verify through
 * the in-process transport with a fake PIN-pad reader in front of a fake card (the reader
 * builds the VERIFY from the structure, as a CCID driver does), with the APDU count.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hcard_err.h"
#include "apdu/buf.h"
#include "apdu/pinpad.h"
#include "apdu/transport.h"

/* PC/SC part 10 §2.5.2 PIN_VERIFY_STRUCTURE for purse.md's parameters, field by field. */
static const uint8_t cardholder_30s[] = {
	0x1E,                   /* bTimerOut 30 s */
	0x1E,                   /* bTimerOut2 */
	0x81,                   /* bmFormatString */
	0x06,                   /* bmPINBlockString */
	0x00,                   /* bmPINLengthFormat */
	0x0C, 0x04,             /* wPINMaxExtraDigit 0x040C, little-endian */
	0x02,                   /* bEntryValidationCondition: validation key */
	0x00,                   /* bNumberMessage */
	0x00, 0x00,             /* wLangId */
	0x00,                   /* bMsgIndex */
	0x00, 0x00, 0x00,       /* bTeoPrologue */
	0x0B, 0x00, 0x00, 0x00, /* ulDataLength 11, little-endian */
	0x00, 0x20, 0x00, 0x00, 0x06, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
};

static void
test_encode_cardholder(void **state)
{
	hc_pinpad_verify_t p;
	uint8_t out[300];
	size_t len = 0;

	(void)state;
	hc_pinpad_cardholder(&p, 30);
	assert_int_equal(hc_pinpad_encode_verify(&p, out, sizeof(out), &len), HC_OK);
	assert_int_equal(len, sizeof(cardholder_30s));
	assert_memory_equal(out, cardholder_30s, sizeof(cardholder_30s));
	/* exactly the size fits; one byte less does not */
	assert_int_equal(hc_pinpad_encode_verify(&p, out, sizeof(cardholder_30s), &len), HC_OK);
	assert_int_equal(hc_pinpad_encode_verify(&p, out, sizeof(cardholder_30s) - 1, &len),
	                 HC_ERR_BUFFER_TOO_SMALL);
	assert_int_equal(len, 0);
}

/* Every field different, so that a swapped or misplaced field shows. */
static void
test_encode_every_field(void **state)
{
	static const uint8_t tmpl[] = { 0x00, 0x20, 0x00, 0x81, 0x08,
	                                0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
	static const uint8_t want[] = {
		0x2D, 0x2D, 0x89, 0x47, 0x04, 0x0A, 0x05, 0x03,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x0D, 0x00, 0x00, 0x00,
		0x00, 0x20, 0x00, 0x81, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	};
	hc_pinpad_verify_t p = { 0x2D, 0x89, 0x47, 0x04, 5, 10, 0x03, tmpl, sizeof(tmpl) };
	uint8_t out[64];
	size_t len = 0;

	(void)state;
	assert_int_equal(hc_pinpad_encode_verify(&p, out, sizeof(out), &len), HC_OK);
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
}

/* ulDataLength of a 255-byte template (the largest short case 3) is FF 00 00 00. */
static void
test_encode_long_template(void **state)
{
	uint8_t tmpl[256], out[300];
	hc_pinpad_verify_t p;
	size_t len = 0;

	(void)state;
	hc_pinpad_cardholder(&p, 0);
	memset(tmpl, 0xFF, sizeof(tmpl));
	tmpl[0] = 0x00;
	tmpl[1] = 0x20;
	tmpl[2] = 0x00;
	tmpl[3] = 0x00;
	tmpl[4] = 250;
	p.apdu = tmpl;
	p.apdu_len = 255;
	assert_int_equal(hc_pinpad_encode_verify(&p, out, sizeof(out), &len), HC_OK);
	assert_int_equal(len, 19 + 255);
	assert_int_equal(out[0], 0);
	assert_memory_equal(out + 15, "\xFF\x00\x00\x00", 4);
	/* 256 bytes: not a short APDU */
	tmpl[4] = 251;
	p.apdu_len = 256;
	assert_int_equal(hc_pinpad_encode_verify(&p, out, sizeof(out), &len),
	                 HC_ERR_INVALID_ARGUMENT);
}

static void
test_encode_bad_templates(void **state)
{
	static const uint8_t case1[] = { 0x00, 0x20, 0x00, 0x00 };
	static const uint8_t case2[] = { 0x00, 0x20, 0x00, 0x00, 0x06 };
	static const uint8_t lc_short[] = { 0x00, 0x20, 0x00, 0x00, 0x06, 0xFF, 0xFF, 0xFF };
	static const uint8_t lc_long[] = { 0x00, 0x20, 0x00, 0x00, 0x02, 0xFF, 0xFF, 0xFF };
	static const uint8_t lc_zero[] = { 0x00, 0x20, 0x00, 0x00, 0x00, 0xFF };
	static const uint8_t case4[] = { 0x00, 0x20, 0x00, 0x00, 0x02, 0xFF, 0xFF, 0x00 };
	const struct { const uint8_t *a; size_t n; } bad[] = {
		{ NULL, 11 }, { case1, sizeof(case1) }, { case2, sizeof(case2) },
		{ lc_short, sizeof(lc_short) }, { lc_long, sizeof(lc_long) },
		{ lc_zero, sizeof(lc_zero) }, { case4, sizeof(case4) },
	};
	hc_pinpad_verify_t p;
	uint8_t out[64];
	size_t len = 99, i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hc_pinpad_cardholder(&p, 30);
		p.apdu = bad[i].a;
		p.apdu_len = bad[i].n;
		len = 99;
		assert_int_equal(hc_pinpad_encode_verify(&p, out, sizeof(out), &len),
		                 HC_ERR_INVALID_ARGUMENT);
		assert_int_equal(len, 0);
	}
	/* minimum above maximum */
	hc_pinpad_cardholder(&p, 30);
	p.min_digits = 13;
	assert_int_equal(hc_pinpad_encode_verify(&p, out, sizeof(out), &len), HC_ERR_INVALID_ARGUMENT);
	hc_pinpad_cardholder(&p, 30);
	assert_int_equal(hc_pinpad_encode_verify(NULL, out, sizeof(out), &len), HC_ERR_INVALID_ARGUMENT);
	assert_int_equal(hc_pinpad_encode_verify(&p, NULL, sizeof(out), &len), HC_ERR_INVALID_ARGUMENT);
	assert_int_equal(hc_pinpad_encode_verify(&p, out, sizeof(out), NULL), HC_ERR_INVALID_ARGUMENT);
}

/* What pcscd's CCID driver answers for a PIN-pad reader (tags 06, 07, 0A, 12, 13). */
static const uint8_t ccid_features[] = {
	0x06, 0x04, 0x42, 0x33, 0x00, 0x06,
	0x07, 0x04, 0x42, 0x33, 0x00, 0x07,
	0x0A, 0x04, 0x42, 0x33, 0x00, 0x0A,
	0x12, 0x04, 0x42, 0x33, 0x00, 0x12,
	0x13, 0x04, 0x42, 0x33, 0x00, 0x13,
};

static void
test_find_feature(void **state)
{
	/* an entry of another length before ours is skipped by its length */
	static const uint8_t odd_first[] = { 0x12, 0x02, 0xAA, 0xBB, 0x06, 0x04, 0x01, 0x02, 0x03, 0x04 };
	static const uint8_t no_verify[] = { 0x12, 0x04, 0x42, 0x33, 0x00, 0x12 };
	uint32_t code = 1;

	(void)state;
	assert_int_equal(hc_pinpad_find_feature(ccid_features, sizeof(ccid_features),
	                 HC_FEATURE_VERIFY_PIN_DIRECT, &code), HC_OK);
	assert_int_equal(code, 0x42330006UL);
	assert_int_equal(hc_pinpad_find_feature(ccid_features, sizeof(ccid_features), 0x13, &code),
	                 HC_OK);
	assert_int_equal(code, 0x42330013UL);
	assert_int_equal(hc_pinpad_find_feature(odd_first, sizeof(odd_first), 0x06, &code), HC_OK);
	assert_int_equal(code, 0x01020304UL);
	code = 1;
	assert_int_equal(hc_pinpad_find_feature(no_verify, sizeof(no_verify), 0x06, &code),
	                 HC_ERR_NO_PINPAD);
	assert_int_equal(code, 0);
	/* empty list: no pad */
	assert_int_equal(hc_pinpad_find_feature(NULL, 0, 0x06, &code), HC_ERR_NO_PINPAD);
	assert_int_equal(hc_pinpad_find_feature(ccid_features, 0, 0x06, &code), HC_ERR_NO_PINPAD);
	assert_int_equal(hc_pinpad_find_feature(ccid_features, 6, 0x06, NULL), HC_ERR_INVALID_ARGUMENT);
	assert_int_equal(hc_pinpad_find_feature(NULL, 6, 0x06, &code), HC_ERR_INVALID_ARGUMENT);
}

static void
test_find_feature_truncated(void **state)
{
	static const uint8_t wrong_len[] = { 0x06, 0x02, 0x42, 0x33 };
	static const uint8_t overrun[] = { 0x12, 0x09, 0x42, 0x33, 0x00, 0x12, 0x06, 0x04 };
	uint32_t code = 0;
	size_t cut;

	(void)state;
	/* every cut inside an entry before tag 13 is found: malformed, never a read past len */
	for (cut = 1; cut < sizeof(ccid_features); cut++) {
		if (cut % 6 == 0)
			continue;
		assert_int_equal(hc_pinpad_find_feature(ccid_features, cut, 0x13, &code),
		                 HC_ERR_MALFORMED_RESPONSE);
	}
	/* cut at an entry boundary before the tag: simply absent */
	assert_int_equal(hc_pinpad_find_feature(ccid_features, 24, 0x13, &code), HC_ERR_NO_PINPAD);
	assert_int_equal(hc_pinpad_find_feature(ccid_features, 5, 0x06, &code),
	                 HC_ERR_MALFORMED_RESPONSE);
	assert_int_equal(hc_pinpad_find_feature(wrong_len, sizeof(wrong_len), 0x06, &code),
	                 HC_ERR_MALFORMED_RESPONSE);
	assert_int_equal(hc_pinpad_find_feature(overrun, sizeof(overrun), 0x06, &code),
	                 HC_ERR_MALFORMED_RESPONSE);
}

/* ---- a fake card behind a fake PIN-pad reader ---- */

typedef struct bench {
	/* card: purse.md cardholder PIN 123456, 3 tries */
	int tries;
	int verified;
	unsigned card_cmds;
	/* reader */
	const char *typed;              /* digits, "cancel", "timeout" */
	const char *raw_answer;         /* hex: answer this instead of anything */
	int reader_rc;                  /* returned instead of answering */
	unsigned pad_calls;
	uint8_t last_struct[300];
	size_t last_struct_len;
} bench_t;

static int
fake_card(void *arg, const uint8_t *cmd, size_t cmd_len, uint8_t *resp, size_t *resp_len)
{
	static const uint8_t pin[6] = { 0x12, 0x34, 0x56, 0xFF, 0xFF, 0xFF };
	bench_t *b = arg;
	uint16_t sw;

	b->card_cmds++;
	if (cmd_len == 11 && memcmp(cmd, "\x00\x20\x00\x00\x06", 5) == 0) {
		if (b->tries == 0) {
			sw = 0x6983;
		} else if (memcmp(cmd + 5, pin, 6) == 0) {
			b->tries = 3;
			b->verified = 1;
			sw = 0x9000;
		} else {
			b->tries--;
			b->verified = 0;
			sw = b->tries == 0 ? 0x6983 : (uint16_t)(0x63C0 | b->tries);
		}
	} else {
		sw = 0x6D00;
	}
	assert_true(*resp_len >= 2);
	resp[0] = (uint8_t)(sw >> 8);
	resp[1] = (uint8_t)sw;
	*resp_len = 2;
	return HC_OK;
}

/* A CCID driver's VERIFY_PIN_DIRECT: reads the structure, takes the typed digits, builds the
 * APDU from the template (bmFormatString 81: BCD from byte 0 of the block, left-justified)
 * and sends it to the card; or answers as the reader itself. */
static int
fake_pad(void *arg, const uint8_t *v, size_t n, uint8_t *resp, size_t *resp_len)
{
	bench_t *b = arg;
	uint8_t apdu[260];
	size_t data_len, digits, i;
	int len;

	b->pad_calls++;
	assert_true(n <= sizeof(b->last_struct));
	memcpy(b->last_struct, v, n);
	b->last_struct_len = n;
	if (b->reader_rc != HC_OK)
		return b->reader_rc;
	if (b->raw_answer != NULL) {
		len = hc_hex_decode(b->raw_answer, resp, *resp_len);
		assert_true(len >= 0);
		*resp_len = (size_t)len;
		return HC_OK;
	}
	assert_true(n >= 19);
	data_len = (size_t)v[15] | (size_t)v[16] << 8 | (size_t)v[17] << 16 | (size_t)v[18] << 24;
	assert_int_equal(data_len, n - 19);
	assert_int_equal(v[2], 0x81);
	assert_int_equal(v[3] & 0x0F, 6);
	memcpy(apdu, v + 19, data_len);
	if (strcmp(b->typed, "cancel") == 0 || strcmp(b->typed, "timeout") == 0) {
		resp[0] = 0x64;
		resp[1] = b->typed[0] == 'c' ? 0x01 : 0x00;
		*resp_len = 2;
		return HC_OK;
	}
	digits = strlen(b->typed);
	if (digits < v[6] || digits > v[5]) {          /* wPINMaxExtraDigit: min high, max low */
		resp[0] = 0x64;
		resp[1] = 0x03;
		*resp_len = 2;
		return HC_OK;
	}
	for (i = 0; i < digits; i++) {
		uint8_t d = (uint8_t)(b->typed[i] - '0');

		if (i % 2 == 0)
			apdu[5 + i / 2] = (uint8_t)(d << 4 | 0x0F);
		else
			apdu[5 + i / 2] = (uint8_t)((apdu[5 + i / 2] & 0xF0) | d);
	}
	return fake_card(b, apdu, data_len, resp, resp_len);
}

static hc_transport_t *
bench_new(bench_t *b, int with_pad)
{
	hc_transport_t *t;

	memset(b, 0, sizeof(*b));
	b->tries = 3;
	t = hc_inproc_new(fake_card, b, NULL, 0);
	assert_non_null(t);
	if (with_pad)
		assert_int_equal(hc_inproc_set_pinpad(t, fake_pad, b), HC_OK);
	return t;
}

static void
test_verify_ok_and_count(void **state)
{
	hc_pinpad_verify_t p;
	hc_transport_t *t;
	bench_t b;
	uint16_t sw = 0;
	int has = 0;

	(void)state;
	t = bench_new(&b, 1);
	hc_pinpad_cardholder(&p, 30);
	assert_int_equal(hc_transport_has_pinpad(t, &has), HC_OK);
	assert_int_equal(has, 1);
	assert_int_equal(hc_transport_apdu_count(t), 0);     /* the feature request is no APDU */
	b.typed = "123456";
	assert_int_equal(hc_pinpad_verify(t, &p, &sw), HC_OK);
	assert_int_equal(sw, 0x9000);
	assert_int_equal(b.verified, 1);
	assert_int_equal(hc_transport_apdu_count(t), 1);
	assert_int_equal(b.card_cmds, 1);
	/* the reader got exactly the encoded structure */
	assert_int_equal(b.last_struct_len, sizeof(cardholder_30s));
	assert_memory_equal(b.last_struct, cardholder_30s, sizeof(cardholder_30s));
	/* the feature list is kept: removing the pad afterwards changes nothing for t */
	assert_int_equal(hc_inproc_set_pinpad(t, NULL, NULL), HC_OK);
	assert_int_equal(hc_transport_has_pinpad(t, &has), HC_OK);
	assert_int_equal(has, 1);
	hc_transport_free(&t);
}

static void
test_verify_wrong_then_blocked(void **state)
{
	hc_pinpad_verify_t p;
	hc_transport_t *t;
	bench_t b;
	uint16_t sw = 0;

	(void)state;
	t = bench_new(&b, 1);
	hc_pinpad_cardholder(&p, 30);
	b.typed = "111111";
	assert_int_equal(hc_pinpad_verify(t, &p, &sw), HC_OK);
	assert_int_equal(sw, 0x63C2);
	assert_int_equal(hc_pinpad_verify(t, &p, &sw), HC_OK);
	assert_int_equal(sw, 0x63C1);
	b.typed = "1234";
	assert_int_equal(hc_pinpad_verify(t, &p, &sw), HC_OK);
	assert_int_equal(sw, 0x6983);
	b.typed = "123456";                     /* blocked: even the right PIN */
	assert_int_equal(hc_pinpad_verify(t, &p, &sw), HC_OK);
	assert_int_equal(sw, 0x6983);
	assert_int_equal(b.verified, 0);
	assert_int_equal(hc_transport_apdu_count(t), 4);
	hc_transport_free(&t);
}

static void
test_verify_reader_ends(void **state)
{
	const struct { const char *typed; int err; } cases[] = {
		{ "cancel", HC_ERR_PINPAD_CANCELLED },
		{ "timeout", HC_ERR_PINPAD_TIMEOUT },
		{ "123", HC_ERR_PINPAD_LENGTH },
		{ "1234567890123", HC_ERR_PINPAD_LENGTH },
	};
	hc_pinpad_verify_t p;
	hc_transport_t *t;
	bench_t b;
	uint16_t sw = 0;
	size_t i;

	(void)state;
	t = bench_new(&b, 1);
	hc_pinpad_cardholder(&p, 30);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		b.typed = cases[i].typed;
		sw = 0x1234;
		assert_int_equal(hc_pinpad_verify(t, &p, &sw), cases[i].err);
		assert_int_equal(sw, 0);
	}
	/* nothing reached the card: counter untouched */
	assert_int_equal(b.card_cmds, 0);
	assert_int_equal(b.tries, 3);
	assert_int_equal(b.pad_calls, 4);
	hc_transport_free(&t);
}

static void
test_verify_no_pad(void **state)
{
	static const uint8_t script[] = { 0x00, 0x02, 0x90, 0x00 };
	hc_pinpad_verify_t p;
	hc_transport_t *t;
	bench_t b;
	uint16_t sw = 1;
	int has = 1;

	(void)state;
	hc_pinpad_cardholder(&p, 30);
	t = bench_new(&b, 0);
	assert_int_equal(hc_transport_has_pinpad(t, &has), HC_OK);
	assert_int_equal(has, 0);
	b.typed = "123456";
	assert_int_equal(hc_pinpad_verify(t, &p, &sw), HC_ERR_NO_PINPAD);
	assert_int_equal(sw, 0);
	assert_int_equal(b.pad_calls, 0);
	assert_int_equal(hc_transport_apdu_count(t), 0);
	hc_transport_free(&t);
	/* a transport without reader controls at all (replay) */
	t = hc_replay_new(script, sizeof(script));
	assert_non_null(t);
	has = 1;
	assert_int_equal(hc_transport_has_pinpad(t, &has), HC_OK);
	assert_int_equal(has, 0);
	assert_int_equal(hc_pinpad_verify(t, &p, &sw), HC_ERR_NO_PINPAD);
	assert_int_equal(hc_transport_apdu_count(t), 0);
	hc_transport_free(&t);
	assert_int_equal(hc_transport_has_pinpad(NULL, &has), HC_ERR_INVALID_ARGUMENT);
	assert_int_equal(hc_pinpad_verify(NULL, &p, &sw), HC_ERR_INVALID_ARGUMENT);
}

static void
test_verify_malformed_and_transport(void **state)
{
	const char *answers[] = { "", "90", "009000", "6983AA" };
	hc_pinpad_verify_t p;
	hc_transport_t *t;
	bench_t b;
	uint16_t sw = 0;
	size_t i;

	(void)state;
	hc_pinpad_cardholder(&p, 30);
	t = bench_new(&b, 1);
	for (i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
		b.raw_answer = answers[i];
		sw = 0x1234;
		assert_int_equal(hc_pinpad_verify(t, &p, &sw), HC_ERR_MALFORMED_RESPONSE);
		assert_int_equal(sw, 0);
	}
	b.raw_answer = NULL;
	b.reader_rc = HC_ERR_CARD_REMOVED;
	assert_int_equal(hc_pinpad_verify(t, &p, &sw), HC_ERR_CARD_REMOVED);
	b.reader_rc = HC_ERR_CARD_RESET;
	assert_int_equal(hc_pinpad_verify(t, &p, &sw), HC_ERR_CARD_RESET);
	/* a template the reader must not get */
	b.reader_rc = HC_OK;
	b.typed = "123456";
	p.apdu_len = 5;
	assert_int_equal(hc_pinpad_verify(t, &p, &sw), HC_ERR_INVALID_ARGUMENT);
	assert_int_equal(b.pad_calls, 6);
	assert_int_equal(hc_transport_apdu_count(t), 6);
	assert_int_equal(b.tries, 3);
	hc_transport_free(&t);
}

static void
test_set_pinpad_only_inproc(void **state)
{
	static const uint8_t script[] = { 0x00, 0x02, 0x90, 0x00 };
	hc_transport_t *t = hc_replay_new(script, sizeof(script));
	bench_t b;

	(void)state;
	assert_non_null(t);
	assert_int_equal(hc_inproc_set_pinpad(t, fake_pad, &b), HC_ERR_INVALID_ARGUMENT);
	assert_int_equal(hc_inproc_set_pinpad(NULL, fake_pad, &b), HC_ERR_INVALID_ARGUMENT);
	hc_transport_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_cardholder),
		cmocka_unit_test(test_encode_every_field),
		cmocka_unit_test(test_encode_long_template),
		cmocka_unit_test(test_encode_bad_templates),
		cmocka_unit_test(test_find_feature),
		cmocka_unit_test(test_find_feature_truncated),
		cmocka_unit_test(test_verify_ok_and_count),
		cmocka_unit_test(test_verify_wrong_then_blocked),
		cmocka_unit_test(test_verify_reader_ends),
		cmocka_unit_test(test_verify_no_pad),
		cmocka_unit_test(test_verify_malformed_and_transport),
		cmocka_unit_test(test_set_pinpad_only_inproc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
