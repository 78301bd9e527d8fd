/*
 * DF03 visit records through the real path: libhcard -> libpcsclite -> pcscd -> vpcd ->
 * hcard-sim (tests/harness/with-sim, default cards: a factory user card and a type 5 SAM).
 * Write and read back outpatient and inpatient records (item by item and whole, verified),
 * empty slots, full card (oldest overwritten), torn writes at every APDU of a write (the
 * simulator pulls the card before or after the Nth APDU), a record copied to another card
 * (signature error), a type 1 SAM (refused), and the exact APDU counts of
 * doc/visit-records.md, cross-checked with the simulator's own count.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "src/session_sec.h"
#include "tests/integration/test_visit_util.h"

/*
 * Expected APDU counts, derived from the command sequences of card-profile.md (see
 * doc/visit-records.md), for the simulator's chip profile (READ RECORD "all records",
 * extended Le/Lc) and T=0 cards (a case-4 SAM command costs 2: 61xx + GET RESPONSE).
 * Fresh session: DF03 not selected, no right granted; the terminal already selected the
 * SAM's DF01 and verified its PIN.
 */
/* SELECT DF03; GET CHALLENGE + EXTERNAL AUTHENTICATE (RK1); READ RECORD EF05; EF06 */
#define HC_VISIT_TEST_CARD_INDEXES 5
/* 80 DE + 80 FA (2) for RK1 */
#define HC_VISIT_TEST_SAM_INDEXES 3
/* SELECT DF03, GET CHALLENGE, EXTERNAL AUTHENTICATE, READ RECORD EF06 */
#define HC_VISIT_TEST_CARD_INDEX_ONE 4
/* + SELECT EDnn + READ BINARY (3267 bytes, one extended APDU) */
#define HC_VISIT_TEST_CARD_ONE (HC_VISIT_TEST_CARD_INDEX_ONE + 2)
#define HC_VISIT_TEST_SAM_ONE 3
/* index read (4); GET CHALLENGE + EXTERNAL AUTHENTICATE (UK1); SELECT EDnn; UPDATE BINARY
 * data; UPDATE BINARY signature + certificate; SELECT EF06; GET CHALLENGE; 84 DC (index) */
#define HC_VISIT_TEST_CARD_WRITE (HC_VISIT_TEST_CARD_INDEX_ONE + 8)
/* RK1 (3); certificate READ BINARY (1); SM3: 18 + 2 + 3013 = 3033 bytes in 12 blocks of at
 * most 255, the last with Le (13); SM2 sign (2); UK1 (3); MAC: 80 DE + 80 FA (3) */
#define HC_VISIT_TEST_SAM_WRITE (3 + 1 + 13 + 2 + 3 + 3)

static visit_env_t env;

static int
group_setup(void **state)
{
	(void)state;
	venv_open(&env);
	venv_issue(&env, VISIT_CARD_A);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	venv_close(&env);
	return 0;
}

/* Every item of a as text equals b's. */
static void
assert_items_equal(const hc_visit_record_t *a, const hc_visit_record_t *b)
{
	const hc_visit_item_t *it;
	char va[512], vb[512];
	size_t i;

	for (i = 0; (it = hc_visit_item_at(hc_visit_record_kind(a), i)) != NULL; i++) {
		assert_int_equal(hc_visit_record_get(a, it, va, sizeof(va)), HC_OK);
		assert_int_equal(hc_visit_record_get_id(b, it->data_id, vb, sizeof(vb)), HC_OK);
		assert_string_equal(va, vb);
	}
}

static unsigned long
sim_count(void)
{
	const char *a = venv_ctl("count 0");

	return strtoul(a + 3, NULL, 10);
}

static void
test_empty(void **state)
{
	uint8_t index[HC_VISIT_MAX_SLOTS];
	hc_visit_record_t *r = NULL, *all[HC_VISIT_MAX_SLOTS];
	int n = 0, errs[HC_VISIT_MAX_SLOTS], i;

	(void)state;
	assert_int_equal(hc_visit_read_index(env.card, HC_VISIT_OUTPATIENT, index, &n), HC_OK);
	assert_int_equal(n, 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(index[i], 0xFF);
	assert_int_equal(hc_visit_read_index(env.card, HC_VISIT_INPATIENT, index, &n), HC_OK);
	assert_int_equal(n, 3);
	assert_int_equal(hc_visit_read(env.card, env.trust, HC_VISIT_OUTPATIENT, 1, &r),
	                 HC_ERR_RECORD_EMPTY);
	assert_null(r);
	assert_int_equal(hc_visit_read(env.card, env.trust, HC_VISIT_INPATIENT, 3, &r),
	                 HC_ERR_RECORD_EMPTY);
	assert_int_equal(hc_visit_read(env.card, env.trust, HC_VISIT_INPATIENT, 4, &r),
	                 HC_ERR_INVALID_ARGUMENT);
	assert_int_equal(hc_visit_read_all(env.card, env.trust, HC_VISIT_OUTPATIENT, all, errs), HC_OK);
	for (i = 0; i < 5; i++) {
		assert_null(all[i]);
		assert_int_equal(errs[i], HC_ERR_RECORD_EMPTY);
	}
}

static void
write_read(hc_visit_kind_t kind, const char *date)
{
	hc_visit_record_t *w = venv_record(kind, date, "7"), *r = NULL;
	uint8_t index[HC_VISIT_MAX_SLOTS];
	char *ta, *tb;
	size_t need = 0;
	int slot = 0;

	assert_int_equal(hc_visit_write(env.card, w, 0, &slot), HC_OK);
	assert_int_equal(slot, 1);
	assert_int_equal(hc_visit_read_index(env.card, kind, index, NULL), HC_OK);
	assert_int_equal(index[0], 0x00);
	assert_int_equal(index[1], 0xFF);
	/* read back in a new session: nothing cached */
	venv_reopen_card(&env);
	assert_int_equal(hc_visit_read(env.card, env.trust, kind, 1, &r), HC_OK);
	assert_int_equal(hc_visit_record_slot(r), 1);
	venv_assert_same(w, r);
	assert_items_equal(w, r);
	/* whole record as text */
	assert_int_equal(hc_visit_record_to_text(r, NULL, 0, &need), HC_ERR_BUFFER_TOO_SMALL);
	ta = test_malloc(need);
	tb = test_malloc(need);
	assert_int_equal(hc_visit_record_to_text(w, ta, need, NULL), HC_OK);
	assert_int_equal(hc_visit_record_to_text(r, tb, need, NULL), HC_OK);
	assert_string_equal(ta, tb);
	assert_non_null(strstr(tb, "北京协和医院|40000619X|"));
	test_free(ta);
	test_free(tb);
	hc_visit_record_free(&w);
	hc_visit_record_free(&r);
}

static void
test_outpatient(void **state)
{
	(void)state;
	write_read(HC_VISIT_OUTPATIENT, "20240105093000");
}

static void
test_inpatient(void **state)
{
	(void)state;
	write_read(HC_VISIT_INPATIENT, "20240105");
}

/*
 * APDU counts of doc/visit-records.md, from a fresh session (DF03 not selected, no right
 * granted, SAM application already selected and its PIN verified by the terminal); the
 * simulator's count of the user card's APDUs must agree with the library's.
 */
static void
measure(const char *what, unsigned long *card, unsigned long *sam, unsigned long *sim)
{
	static unsigned long c0, s0, k0;
	unsigned long c, s, k;

	venv_counts(&env, &c, &s);
	k = sim_count();
	if (what == NULL) {
		c0 = c;
		s0 = s;
		k0 = k;
		return;
	}
	*card = c - c0;
	*sam = s - s0;
	*sim = k - k0;
	print_message("%-28s card %lu  SAM %lu  (simulator saw %lu)\n", what, *card, *sam, *sim);
}

static void
test_apdu_counts(void **state)
{
	hc_visit_record_t *w = venv_record(HC_VISIT_OUTPATIENT, "20240106100000", "8"), *r = NULL;
	hc_visit_record_t *all[HC_VISIT_MAX_SLOTS];
	uint8_t index[HC_VISIT_MAX_SLOTS];
	unsigned long card, sam, sim;
	int slot = 0, i;

	(void)state;
	/* read the indexes of both kinds: SELECT DF03, GET CHALLENGE, EXTERNAL AUTHENTICATE
	 * (RK1), READ RECORD EF05 (all), READ RECORD EF06 (all) */
	venv_reopen_card(&env);
	measure(NULL, NULL, NULL, NULL);
	assert_int_equal(hc_visit_read_index(env.card, HC_VISIT_INPATIENT, index, NULL), HC_OK);
	assert_int_equal(hc_visit_read_index(env.card, HC_VISIT_OUTPATIENT, index, NULL), HC_OK);
	measure("read both indexes", &card, &sam, &sim);
	assert_int_equal(sim, card);
	assert_int_equal(card, HC_VISIT_TEST_CARD_INDEXES);
	assert_int_equal(sam, HC_VISIT_TEST_SAM_INDEXES);

	/* one record: + SELECT EDnn, READ BINARY (extended Le, 3267 bytes) */
	venv_reopen_card(&env);
	measure(NULL, NULL, NULL, NULL);
	assert_int_equal(hc_visit_read(env.card, env.trust, HC_VISIT_OUTPATIENT, 1, &r), HC_OK);
	measure("read one record", &card, &sam, &sim);
	assert_int_equal(sim, card);
	assert_int_equal(card, HC_VISIT_TEST_CARD_ONE);
	assert_int_equal(sam, HC_VISIT_TEST_SAM_ONE);
	hc_visit_record_free(&r);

	/* write one record into an empty slot */
	venv_reopen_card(&env);
	measure(NULL, NULL, NULL, NULL);
	assert_int_equal(hc_visit_write(env.card, w, 0, &slot), HC_OK);
	assert_int_equal(slot, 2);
	measure("write one record", &card, &sam, &sim);
	assert_int_equal(sim, card);
	assert_int_equal(card, HC_VISIT_TEST_CARD_WRITE);
	assert_int_equal(sam, HC_VISIT_TEST_SAM_WRITE);

	/* all records (two valid): + SELECT and READ BINARY per valid slot */
	venv_reopen_card(&env);
	measure(NULL, NULL, NULL, NULL);
	assert_int_equal(hc_visit_read_all(env.card, env.trust, HC_VISIT_OUTPATIENT, all, NULL), HC_OK);
	measure("read all (2 valid)", &card, &sam, &sim);
	assert_int_equal(sim, card);
	assert_non_null(all[0]);
	assert_non_null(all[1]);
	venv_assert_same(all[1], w);
	assert_int_equal(card, HC_VISIT_TEST_CARD_INDEX_ONE + 2 * 2);
	assert_int_equal(sam, HC_VISIT_TEST_SAM_ONE);
	for (i = 0; i < HC_VISIT_MAX_SLOTS; i++)
		hc_visit_record_free(&all[i]);
	hc_visit_record_free(&w);
}

/* Card full: the record with the earliest date item is the one overwritten. */
static void
test_full_card(void **state)
{
	static const char *dates[5] = {
		/* slot 1 and 2 hold 20240105093000 and 20240106100000 from the tests above */
		NULL, NULL, "20230301080000", "20240201080000", "20240301080000",
	};
	hc_visit_record_t *w, *r = NULL;
	uint8_t index[HC_VISIT_MAX_SLOTS];
	int slot = 0, i;

	(void)state;
	for (i = 2; i < 5; i++) {
		w = venv_record(HC_VISIT_OUTPATIENT, dates[i], "9");
		assert_int_equal(hc_visit_write(env.card, w, 0, &slot), HC_OK);
		assert_int_equal(slot, i + 1);
		hc_visit_record_free(&w);
	}
	assert_int_equal(hc_visit_read_index(env.card, HC_VISIT_OUTPATIENT, index, NULL), HC_OK);
	for (i = 0; i < 5; i++)
		assert_int_equal(index[i], 0x00);
	/* full: slot 3 (2023-03-01) is the oldest */
	w = venv_record(HC_VISIT_OUTPATIENT, "20240401080000", "10");
	assert_int_equal(hc_visit_write(env.card, w, 0, &slot), HC_OK);
	assert_int_equal(slot, 3);
	assert_int_equal(hc_visit_read(env.card, env.trust, HC_VISIT_OUTPATIENT, 3, &r), HC_OK);
	venv_assert_same(w, r);
	hc_visit_record_free(&r);
	hc_visit_record_free(&w);
	/* next: slot 1 (2024-01-05) */
	w = venv_record(HC_VISIT_OUTPATIENT, "20240402080000", "11");
	assert_int_equal(hc_visit_write(env.card, w, 0, &slot), HC_OK);
	assert_int_equal(slot, 1);
	hc_visit_record_free(&w);
	/* the others are untouched and still verify */
	assert_int_equal(hc_visit_read(env.card, env.trust, HC_VISIT_OUTPATIENT, 2, &r), HC_OK);
	hc_visit_record_free(&r);
	assert_int_equal(hc_visit_read(env.card, env.trust, HC_VISIT_OUTPATIENT, 5, &r), HC_OK);
	hc_visit_record_free(&r);
	/* erase frees a slot: the next automatic write takes it */
	assert_int_equal(hc_visit_erase(env.card, HC_VISIT_OUTPATIENT, 4), HC_OK);
	assert_int_equal(hc_visit_read(env.card, env.trust, HC_VISIT_OUTPATIENT, 4, &r),
	                 HC_ERR_RECORD_EMPTY);
	w = venv_record(HC_VISIT_OUTPATIENT, "20240403080000", "12");
	assert_int_equal(hc_visit_write(env.card, w, 0, &slot), HC_OK);
	assert_int_equal(slot, 4);
	hc_visit_record_free(&w);
}

enum { SAW_OLD = 1, SAW_NEW = 2, SAW_EMPTY = 4 };

/*
 * Torn writes: the simulator pulls the card before (not executed) or after (executed, answer
 * lost) the Nth user-card APDU of an overwrite of a valid slot, for every N of the write.
 * Afterwards the slot reads as the old record, as empty (index erased, never set), or - only
 * when the last APDU (index set) was executed - as the new record; never as anything else.
 * The next write always works.
 */
static void
test_torn(void **state)
{
	hc_visit_record_t *old = venv_record(HC_VISIT_INPATIENT, "20240110", "1");
	hc_visit_record_t *neu, *r = NULL;
	uint8_t index[HC_VISIT_MAX_SLOTS];
	unsigned long c0, c1, s, s1, k, n;
	char tag[8];
	int mode, rc, seen = 0, result;
	static const char *const modes[2] = { "before", "after" };

	(void)state;
	/* the APDU count of one overwrite of slot 2 (valid) */
	assert_int_equal(hc_visit_write(env.card, old, 2, NULL), HC_OK);
	neu = venv_record(HC_VISIT_INPATIENT, "20240111", "2");
	venv_reopen_card(&env);
	venv_counts(&env, &c0, &s);
	assert_int_equal(hc_visit_write(env.card, neu, 2, NULL), HC_OK);
	venv_counts(&env, &c1, &s1);
	k = c1 - c0;
	/* doc/visit-records.md: an overwrite of a valid slot in a fresh session costs the write
	 * into an empty slot + UK2 (2) + SELECT EF06 + GET CHALLENGE + 84 DC (erase) on the card,
	 * + UK2 (3) + MAC (3) on the SAM */
	assert_int_equal(k, HC_VISIT_TEST_CARD_WRITE + 5);
	/* SAM for an inpatient record: SM3 over 18 + 2 + 1639 = 1659 bytes is 7 blocks + GET
	 * RESPONSE (8 instead of 13): RK1 3, certificate 1, SM3 8, SM2 2, UK2 3, MAC 3, UK1 3,
	 * MAC 3 */
	assert_int_equal(s1 - s, 3 + 1 + 8 + 2 + 3 + 3 + 3 + 3);
	hc_visit_record_free(&old);
	old = neu;
	for (mode = 0; mode < 2; mode++) {
		for (n = 1; n <= k; n++) {
			snprintf(tag, sizeof(tag), "%lu", 10 + n + 50 * (unsigned long)mode);
			neu = venv_record(HC_VISIT_INPATIENT, "20240112", tag);
			venv_reopen_card(&env);
			venv_ctl("tear 0 %lu %s", n, modes[mode]);
			rc = hc_visit_write(env.card, neu, 2, NULL);
			assert_int_not_equal(rc, HC_OK);
			assert_non_null(strstr(venv_ctl("status 0"), "torn"));
			venv_ctl("insert 0");
			venv_reopen_card(&env);
			rc = hc_visit_read(env.card, env.trust, HC_VISIT_INPATIENT, 2, &r);
			if (rc == HC_OK) {
				size_t len = 0;
				const uint8_t *d = hc_visit_record_data(r, &len);
				result = memcmp(d, hc_visit_record_data(old, NULL), len) == 0 ? SAW_OLD : SAW_NEW;
				if (result == SAW_NEW)
					venv_assert_same(r, neu);
				hc_visit_record_free(&r);
			} else {
				if (rc != HC_ERR_RECORD_EMPTY)
					fail_msg("tear %s APDU %lu: read gave %s", modes[mode], n, hc_errname(rc));
				assert_int_equal(hc_visit_read_index(env.card, HC_VISIT_INPATIENT, index, NULL), HC_OK);
				assert_int_equal(index[1], 0xFF);
				result = SAW_EMPTY;
			}
			/* only the executed last APDU (index set) may leave the new record */
			if (result == SAW_NEW && !(mode == 1 && n == k))
				fail_msg("tear %s APDU %lu: new record valid before its index was set",
				         modes[mode], n);
			if (mode == 1 && n == k)
				assert_int_equal(result, SAW_NEW);
			if (n == 1 && mode == 0)
				assert_int_equal(result, SAW_OLD);
			seen |= result;
			hc_visit_record_free(&neu);
			/* the next write works */
			neu = venv_record(HC_VISIT_INPATIENT, "20240113", tag);
			assert_int_equal(hc_visit_write(env.card, neu, 2, NULL), HC_OK);
			assert_int_equal(hc_visit_read(env.card, env.trust, HC_VISIT_INPATIENT, 2, &r), HC_OK);
			venv_assert_same(r, neu);
			hc_visit_record_free(&r);
			hc_visit_record_free(&old);
			old = neu;
		}
	}
	assert_int_equal(seen, SAW_OLD | SAW_NEW | SAW_EMPTY);
	hc_visit_record_free(&old);
	(void)k;
	venv_ctl("untear 0");
}

/* The same record bytes on another card (the image copied, the card number changed):
 * the signature covers the card number, so the copy does not verify. */
static void
test_copied_to_other_card(void **state)
{
	const char *img_a = getenv("HCARD_SIM_IMAGE_CARD");
	hc_visit_record_t *r = NULL, *all[HC_VISIT_MAX_SLOTS];
	int errs[HC_VISIT_MAX_SLOTS], i;
	char cmd[2048];

	(void)state;
	assert_non_null(img_a);
	assert_int_equal(hc_visit_read(env.card, env.trust, HC_VISIT_INPATIENT, 1, &r), HC_OK);
	hc_visit_record_free(&r);
	hc_card_close(&env.card);
	venv_ctl("remove 0");
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", img_a, venv_tmp("card-b.img"));
	assert_int_equal(system(cmd), 0);
	venv_ctl("insert 0 %s", venv_tmp("card-b.img"));
	venv_reopen_card(&env);
	venv_issue(&env, VISIT_CARD_B);
	assert_int_equal(hc_visit_read(env.card, env.trust, HC_VISIT_INPATIENT, 1, &r),
	                 HC_ERR_SIGNATURE);
	assert_null(r);
	assert_int_equal(hc_visit_read_all(env.card, env.trust, HC_VISIT_OUTPATIENT, all, errs), HC_OK);
	for (i = 0; i < 5; i++) {
		assert_null(all[i]);
		assert_int_equal(errs[i], HC_ERR_SIGNATURE);
	}
	/* card B's own write verifies */
	r = venv_record(HC_VISIT_INPATIENT, "20240301", "3");
	assert_int_equal(hc_visit_write(env.card, r, 1, NULL), HC_OK);
	hc_visit_record_free(&r);
	assert_int_equal(hc_visit_read(env.card, env.trust, HC_VISIT_INPATIENT, 1, &r), HC_OK);
	hc_visit_record_free(&r);
	/* back to card A: its records still verify */
	hc_card_close(&env.card);
	venv_ctl("remove 0");
	venv_ctl("insert 0 %s", img_a);
	venv_reopen_card(&env);
	assert_int_equal(hc_visit_read(env.card, env.trust, HC_VISIT_INPATIENT, 1, &r), HC_OK);
	hc_visit_record_free(&r);
	/* a trust without the simulator's root: certificate error */
	{
		hc_trust_t *t = NULL;
		static const uint8_t id[4] = { 1, 2, 3, 4 };
		uint8_t pub[64];

		memset(pub, 0x11, sizeof(pub));
		assert_int_equal(hc_trust_new(&t), HC_OK);
		assert_int_equal(hc_trust_add(t, id, pub), HC_OK);
		assert_int_equal(hc_visit_read(env.card, t, HC_VISIT_INPATIENT, 1, &r), HC_ERR_CERTIFICATE);
		hc_trust_free(&t);
	}
}

/*
 * A chip without READ RECORD "all records" nor extended length (hcard.conf chip_profile =
 * short-apdu): one READ RECORD per index record, READ BINARY in 256-byte and UPDATE BINARY
 * in 255-byte chunks; the trust anchor comes from hcard.conf (trust = NULL).
 */
static void
test_short_apdu(void **state)
{
	hc_visit_record_t *w = venv_record(HC_VISIT_OUTPATIENT, "20240601080000", "14"), *r = NULL;
	uint8_t index[HC_VISIT_MAX_SLOTS];
	unsigned long card, sam, sim;
	char conf[2048];
	FILE *f;

	(void)state;
	snprintf(conf, sizeof(conf), "%s", venv_tmp("short.conf"));
	f = fopen(conf, "w");
	assert_non_null(f);
	fprintf(f, "# visit test\nchip_profile = short-apdu\ntrust_anchor = %s/sim/demo.keyset\n",
	        getenv("top_srcdir"));
	fclose(f);
	venv_close(&env);
	venv_open_conf(&env, conf);

	measure(NULL, NULL, NULL, NULL);
	assert_int_equal(hc_visit_read_index(env.card, HC_VISIT_OUTPATIENT, index, NULL), HC_OK);
	measure("short: read index", &card, &sam, &sim);
	/* SELECT DF03, GET CHALLENGE, EXTERNAL AUTHENTICATE, 5 x READ RECORD */
	assert_int_equal(card, 3 + 5);
	assert_int_equal(sim, card);

	/* an overwrite of valid slot 1: + UK2 (2), SELECT EF06, GET CHALLENGE + 84 DC (erase),
	 * UK1 (2), SELECT ED01, 12 x UPDATE BINARY (3013 = 11 x 255 + 208), 1 x UPDATE BINARY
	 * (signature + certificate, 254), SELECT EF06, GET CHALLENGE + 84 DC (set) */
	measure(NULL, NULL, NULL, NULL);
	assert_int_equal(hc_visit_write(env.card, w, 1, NULL), HC_OK);
	measure("short: overwrite slot 1", &card, &sam, &sim);
	assert_int_equal(card, 5 + 2 + 1 + 2 + 2 + 1 + 12 + 1 + 1 + 2);
	assert_int_equal(sim, card);

	/* trust from hcard.conf; the record in 13 READ BINARY of at most 256 (3267 bytes) */
	venv_reopen_card(&env);
	measure(NULL, NULL, NULL, NULL);
	assert_int_equal(hc_visit_read(env.card, NULL, HC_VISIT_OUTPATIENT, 1, &r), HC_OK);
	measure("short: read one record", &card, &sam, &sim);
	assert_int_equal(card, 3 + 5 + 1 + 13);
	assert_int_equal(sim, card);
	venv_assert_same(w, r);
	hc_visit_record_free(&r);
	hc_visit_record_free(&w);

	/* a trust anchor that does not hold the SAM certificate's root (same CA id, another
	 * key: the key set's issuer key): the write is refused before the card changes */
	f = fopen(venv_tmp("wrong.trust"), "w");
	assert_non_null(f);
	fprintf(f, "92D2926B C7E372212CB61855954E167B5EB751878928E051A93D54DCD7D77A27D57EFD15"
	        "B88A88D835DC7260226A6DBEE07E993B587FC4E114A9AA12F9DD6540C1ECA609\n");
	fclose(f);
	f = fopen(conf, "w");
	assert_non_null(f);
	fprintf(f, "chip_profile = short-apdu\ntrust_anchor = %s\n", venv_tmp("wrong.trust"));
	fclose(f);
	venv_close(&env);
	venv_open_conf(&env, conf);
	assert_int_equal(hc_visit_read_index(env.card, HC_VISIT_OUTPATIENT, index, NULL), HC_OK);
	w = venv_record(HC_VISIT_OUTPATIENT, "20240602080000", "16");
	measure(NULL, NULL, NULL, NULL);
	assert_int_equal(hc_visit_write(env.card, w, 2, NULL), HC_ERR_CERTIFICATE);
	measure("short: refused (untrusted)", &card, &sam, &sim);
	assert_int_equal(card, 5);             /* the index read only */
	assert_int_equal(hc_visit_read(env.card, NULL, HC_VISIT_OUTPATIENT, 1, &r), HC_ERR_CERTIFICATE);
	assert_int_equal(hc_visit_read(env.card, env.trust, HC_VISIT_OUTPATIENT, 2, &r), HC_OK);
	hc_visit_record_free(&r);
	hc_visit_record_free(&w);
	/* back to the default configuration for the tests that follow */
	venv_close(&env);
	venv_open(&env);
}

/* A card pulled while a record is read: a clear error, nothing changed; then it reads. */
static void
test_pulled_during_read(void **state)
{
	hc_visit_record_t *r = NULL;
	unsigned long n;
	int rc;

	(void)state;
	for (n = 1; n <= 3; n++) {
		venv_reopen_card(&env);
		venv_ctl("tear 0 %lu before", n);
		rc = hc_visit_read(env.card, env.trust, HC_VISIT_OUTPATIENT, 2, &r);
		assert_null(r);
		if (rc != HC_ERR_CARD_REMOVED && rc != HC_ERR_NO_CARD && rc != HC_ERR_TRANSPORT)
			fail_msg("card pulled at APDU %lu: %s", n, hc_errname(rc));
		venv_ctl("insert 0");
		venv_reopen_card(&env);
		assert_int_equal(hc_visit_read(env.card, env.trust, HC_VISIT_OUTPATIENT, 2, &r), HC_OK);
		hc_visit_record_free(&r);
	}
}

/* An index byte other than 00 or FF (written here with the card's own rights) is a
 * malformed card answer, not a valid slot; erasing the slot repairs it. */
static void
test_bad_index_byte(void **state)
{
	uint8_t index[HC_VISIT_MAX_SLOTS], bad = 0x42;
	uint16_t sw = 0;
	int rc;

	(void)state;
	venv_reopen_card(&env);
	assert_int_equal(hc_session_select(env.card, HC_APP_DF03), HC_OK);
	assert_int_equal(hc_session_external_auth(env.card, HC_KEY_UK1_DF03), HC_OK);
	assert_int_equal(hc_session_select_ef(env.card, 0xEF06), HC_OK);
	/* the profile does not restrict the byte: the card takes it (UK1, MAC) */
	rc = hc_session_sm_command(env.card, HC_SM_MAC, 0xDC, 3, 0x04, &bad, 1, &sw);
	assert_int_equal(rc, HC_OK);
	assert_int_equal(hc_visit_read_index(env.card, HC_VISIT_OUTPATIENT, index, NULL),
	                 HC_ERR_MALFORMED_RESPONSE);
	assert_int_equal(hc_visit_erase(env.card, HC_VISIT_OUTPATIENT, 3), HC_OK);
	assert_int_equal(hc_visit_read_index(env.card, HC_VISIT_OUTPATIENT, index, NULL), HC_OK);
	assert_int_equal(index[2], 0xFF);
}

/* A type 3 SAM (other medical institution) writes and erases visit records: it holds UK1
 * and, by the [PC] of card-profile.md §1, UK2 DF03. */
static void
test_sam_type3(void **state)
{
	hc_visit_record_t *w = venv_record(HC_VISIT_INPATIENT, "20240502", "15"), *r = NULL;
	int slot = 0;

	(void)state;
	venv_sim("factory --type sam --sam-type 3 --sam-serial SAM3 --out sam3.img");
	hc_card_close(&env.card);
	venv_ctl("remove 1");
	venv_ctl("insert 1 %s", venv_tmp("sam3.img"));
	venv_reopen_terminal(&env);
	/* the inpatient slots are all valid: the oldest is overwritten (erase needs UK2) */
	assert_int_equal(hc_visit_write(env.card, w, 0, &slot), HC_OK);
	assert_int_equal(hc_visit_read(env.card, env.trust, HC_VISIT_INPATIENT, slot, &r), HC_OK);
	venv_assert_same(w, r);
	hc_visit_record_free(&r);
	assert_int_equal(hc_visit_erase(env.card, HC_VISIT_INPATIENT, slot), HC_OK);
	assert_int_equal(hc_visit_read(env.card, env.trust, HC_VISIT_INPATIENT, slot, &r),
	                 HC_ERR_RECORD_EMPTY);
	hc_visit_record_free(&w);
}

/* A type 1 SAM (check terminal) may read but not write. */
static void
test_sam_type1(void **state)
{
	hc_visit_record_t *w = venv_record(HC_VISIT_OUTPATIENT, "20240501080000", "13"), *r = NULL;
	uint8_t before[HC_VISIT_MAX_SLOTS], after[HC_VISIT_MAX_SLOTS];
	unsigned long c0, c1, s0, s1;

	(void)state;
	venv_sim("factory --type sam --sam-type 1 --out sam1.img");
	hc_card_close(&env.card);
	venv_ctl("remove 1");
	venv_ctl("insert 1 %s", venv_tmp("sam1.img"));
	venv_reopen_terminal(&env);
	assert_int_equal(hc_visit_read_index(env.card, HC_VISIT_OUTPATIENT, before, NULL), HC_OK);
	venv_counts(&env, &c0, &s0);
	assert_int_equal(hc_visit_write(env.card, w, 0, NULL), HC_ERR_SAM_TYPE);
	assert_int_equal(hc_visit_erase(env.card, HC_VISIT_OUTPATIENT, 1), HC_ERR_SAM_TYPE);
	venv_counts(&env, &c1, &s1);
	assert_int_equal(c1 - c0, 0);          /* refused before anything was sent */
	assert_int_equal(hc_visit_read_index(env.card, HC_VISIT_OUTPATIENT, after, NULL), HC_OK);
	assert_memory_equal(before, after, sizeof(before));
	assert_int_equal(hc_visit_read(env.card, env.trust, HC_VISIT_OUTPATIENT, 2, &r), HC_OK);
	hc_visit_record_free(&r);
	hc_visit_record_free(&w);
	/* back to the default configuration for the tests that follow */
	venv_close(&env);
	venv_open(&env);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_outpatient),
		cmocka_unit_test(test_inpatient),
		cmocka_unit_test(test_apdu_counts),
		cmocka_unit_test(test_full_card),
		cmocka_unit_test(test_torn),
		cmocka_unit_test(test_copied_to_other_card),
		cmocka_unit_test(test_pulled_during_read),
		cmocka_unit_test(test_bad_index_byte),
		cmocka_unit_test(test_short_apdu),
		cmocka_unit_test(test_sam_type3),
		cmocka_unit_test(test_sam_type1),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
