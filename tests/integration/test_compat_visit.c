/*
 * compat: DF03 visit records through the national interface (libwsbrw), as a HIS calls them,
 * through pcscd + vpcd + hcard-sim (run under tests/harness/with-sim; default cards: a blank
 * user card, a type 5 SAM with PIN 12345678). The issuer data are written first: the card
 * number is part of the signed bytes of every record. Expected values come from the test's
 * inputs, GBK bytes written out here, the item table of hcard_visit.h and libhcard read
 * independently. The tests run in order on one card.
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

#include "compat/WSB_RWInterface.h"
#include "hcard.h"
#include "hcard_visit.h"
#include "tests/integration/test_compat_util.h"

#define GBK_ZHUYUAN "\xD7\xA1\xD4\xBA"                        /* 住院 */
#define GBK_DOCTOR "\xD2\xBD\xC9\xFA"                         /* 医生 */
#define ID_NUMBER "11010519491231002X"                        /* GB 11643 example */

static HANDLE dev;

static int
setup(void **state)
{
	(void)state;
	if ((dev = compat_test_open()) == NULL || iVerifyPIN(dev, "12345678") != IRV_OK)
		return -1;
	/* the issuer writes the card number (type 5 SAM, before activation) */
	return iW_DDF1EF05Info(dev, "1", "1.10", "X", "12345678901", "", "20240131", ID_NUMBER, "123",
	                       "0000000001", "") == IRV_OK ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	return iDClosePort();
}

/* --- DF03 ------------------------------------------------------------------------------- */

static void
test_visit_items(void **state)
{
	const hc_visit_item_t *name = hc_visit_item_by_no(HC_VISIT_INPATIENT, 1);    /* ans 70 */
	const hc_visit_item_t *date = hc_visit_item_by_no(HC_VISIT_INPATIENT, 3);    /* cn 4 */
	const hc_visit_item_t *flag = hc_visit_item_by_no(HC_VISIT_INPATIENT, 75);   /* b 1 */
	static char buf[8192], expect[8192];
	char s1[8], s2[8], s3[8];
	unsigned long before;
	size_t i;

	(void)state;
	assert_non_null(name);
	assert_non_null(date);
	assert_non_null(flag);
	assert_int_equal(iR_DF03EF05Info(dev, s1, s2, s3), IRV_OK);
	assert_string_equal(s1, "FF");
	assert_string_equal(s2, "FF");
	assert_string_equal(s3, "FF");
	/* an empty slot: 112; it cannot be declared valid without a signed record */
	assert_int_equal(iR_DF03EEInfo(dev, 1, buf, name->offset, name->length, AN_style), IRV_RCINVALID);
	assert_int_equal(iR_DF03EE_ALLInfo(dev, 1, buf), IRV_RCINVALID);
	assert_int_equal(iW_DF03EF05Info(dev, 1), IRV_W_DF03EF05ERR);

	/* item writes, each a complete signed record */
	assert_int_equal(iW_DF03EEInfo(dev, 1, GBK_ZHUYUAN, name->offset, name->length, AN_style), IRV_OK);
	assert_int_equal(iW_DF03EEInfo(dev, 1, "20240131", date->offset, date->length, CN_style), IRV_OK);
	assert_int_equal(iW_DF03EEInfo(dev, 1, "01", flag->offset, flag->length, B_style), IRV_OK);
	assert_int_equal(iR_DF03EF05Info(dev, s1, s2, s3), IRV_OK);
	assert_string_equal(s1, "00");
	assert_string_equal(s2, "FF");
	assert_int_equal(iW_DF03EF05Info(dev, 1), IRV_OK);

	/* read back in each style */
	assert_int_equal(iR_DF03EEInfo(dev, 1, buf, name->offset, name->length, AN_style), IRV_OK);
	assert_string_equal(buf, GBK_ZHUYUAN);
	assert_int_equal(iR_DF03EEInfo(dev, 1, buf, name->offset, name->length, NO_style), IRV_OK);
	strcpy(expect, "D7A1D4BA");                      /* GBK 住院, then 00 to 70 bytes */
	for (i = 4; i < name->length; i++)
		strcat(expect, "00");
	assert_string_equal(buf, expect);
	assert_int_equal(iR_DF03EEInfo(dev, 1, buf, date->offset, date->length, CN_style), IRV_OK);
	assert_string_equal(buf, "20240131");
	assert_int_equal(iR_DF03EEInfo(dev, 1, buf, flag->offset, flag->length, B_style), IRV_OK);
	assert_string_equal(buf, "01");
	/* consecutive item reads of one record read the card once */
	before = card_apdus();
	assert_int_equal(iR_DF03EEInfo(dev, 1, buf, date->offset, date->length, CN_style), IRV_OK);
	assert_int_equal(card_apdus(), before);

	/* the whole record: 1639 bytes as 3278 hex digits, the items at their offsets */
	assert_int_equal(iR_DF03EEInfo(dev, 1, buf, 0, HC_VISIT_INPATIENT_LEN, NO_style), IRV_OK);
	assert_int_equal(strlen(buf), 2 * HC_VISIT_INPATIENT_LEN);
	assert_memory_equal(buf + 2 * date->offset, "20240131", 8);
	assert_memory_equal(buf + 2 * flag->offset, "01", 2);
	assert_memory_equal(buf, "D7A1D4BA00", 10);

	/* bad parameters: 101, the card untouched */
	assert_int_equal(iR_DF03EEInfo(dev, 1, buf, -1, 4, CN_style), IRV_PARA_ERR);
	assert_int_equal(iR_DF03EEInfo(dev, 1, buf, 0, 0, CN_style), IRV_PARA_ERR);
	assert_int_equal(iR_DF03EEInfo(dev, 1, buf, 1636, 4, CN_style), IRV_PARA_ERR);
	assert_int_equal(iR_DF03EEInfo(dev, 1, buf, 0, 4, 0x02), IRV_PARA_ERR);
	assert_int_equal(iR_DF03EEInfo(dev, 4, buf, 0, 4, CN_style), IRV_PARA_ERR);
	assert_int_equal(iR_DF03EEInfo(dev, 0, buf, 0, 4, CN_style), IRV_PARA_ERR);
	assert_int_equal(iR_DF03EEInfo(dev, 1, NULL, 0, 4, CN_style), IRV_PARA_ERR);
	assert_int_equal(iW_DF03EEInfo(dev, 1, "2024", date->offset, date->length, CN_style), IRV_PARA_ERR);
	assert_int_equal(iW_DF03EEInfo(dev, 1, "ZZZZZZZZ", date->offset, date->length, CN_style), IRV_PARA_ERR);
	assert_int_equal(iW_DF03EEInfo(dev, 1, "20240131", 1638, 4, CN_style), IRV_PARA_ERR);
	assert_int_equal(iR_DF03EEInfo(dev, 1, buf, date->offset, date->length, CN_style), IRV_OK);
	assert_string_equal(buf, "20240131");
}

static void
test_visit_whole_records(void **state)
{
	static char text[16384], back[16384];
	char s1[8], s2[8], s3[8], m[5][8];
	const char *p;
	size_t bars = 0;
	direct_t x;
	hc_visit_record_t *rec = NULL;
	char value[256];
	unsigned long before;

	(void)state;
	/* the '|'-joined text: one value per item, the ans item in GBK */
	assert_int_equal(iR_DF03EE_ALLInfo(dev, 1, text), IRV_OK);
	for (p = text; *p != '\0'; p++)
		bars += *p == '|';
	assert_int_equal(bars, hc_visit_item_count(HC_VISIT_INPATIENT) - 1);
	assert_memory_equal(text, GBK_ZHUYUAN "|", 5);
	assert_non_null(strstr(text, "|20240131|"));

	/* written whole into slot 2, read back the same; then erased: FF and 112 */
	assert_int_equal(iW_DF03EE_ALLInfo(dev, 2, text), IRV_OK);
	assert_int_equal(iR_DF03EE_ALLInfo(dev, 2, back), IRV_OK);
	assert_string_equal(back, text);
	/* libhcard verifies slot 2 on its own: signed, item 1 in UTF-8 */
	direct_open(&x);
	assert_int_equal(hc_visit_read(x.card, NULL, HC_VISIT_INPATIENT, 2, &rec), HC_OK);
	assert_int_equal(hc_visit_record_get_no(rec, 1, value, sizeof(value)), HC_OK);
	assert_string_equal(value, "住院");
	hc_visit_record_free(&rec);
	direct_close(&x);

	assert_int_equal(iErase_DF03EF05Info(dev, 2), IRV_OK);
	assert_int_equal(iR_DF03EF05Info(dev, s1, s2, s3), IRV_OK);
	assert_string_equal(s1, "00");
	assert_string_equal(s2, "FF");
	assert_int_equal(iR_DF03EE_ALLInfo(dev, 2, back), IRV_RCINVALID);
	assert_int_equal(iR_DF03EEInfo(dev, 2, back, 0, 4, NO_style), IRV_RCINVALID);
	assert_int_equal(iErase_DF03EF05Info(dev, 4), IRV_PARA_ERR);
	/* a GBK character whose second byte is '|' (亅 = 81 7C) inside a value: not a separator */
	back[0] = '\x81';
	back[1] = '\x7C';
	memcpy(back + 2, GBK_ZHUYUAN, 2);             /* 亅住 */
	memcpy(back + 4, text + 4, strlen(text + 4) + 1);
	assert_int_equal(iW_DF03EE_ALLInfo(dev, 3, back), IRV_OK);
	assert_int_equal(iR_DF03EEInfo(dev, 3, value, 0, 4, AN_style), IRV_OK);
	assert_string_equal(value, "\x81\x7C\xD7\xA1");
	assert_int_equal(iR_DF03EE_ALLInfo(dev, 3, text + 8192), IRV_OK);
	assert_string_equal(text + 8192, back);
	/* a text with one value too few is refused */
	*strrchr(text, '|') = '\0';
	assert_int_equal(iW_DF03EE_ALLInfo(dev, 3, text), IRV_PARA_ERR);

	/* outpatient: slot 5 by item text, read back; the index of EF06 */
	assert_int_equal(iW_DF03EDInfo(dev, 5, GBK_DOCTOR, hc_visit_item_by_no(HC_VISIT_OUTPATIENT, 1)->offset,
	                               hc_visit_item_by_no(HC_VISIT_OUTPATIENT, 1)->length, AN_style), IRV_OK);
	assert_int_equal(iR_DF03EDInfo(dev, 5, back, hc_visit_item_by_no(HC_VISIT_OUTPATIENT, 1)->offset,
	                               hc_visit_item_by_no(HC_VISIT_OUTPATIENT, 1)->length, AN_style), IRV_OK);
	assert_string_equal(back, GBK_DOCTOR);
	assert_int_equal(iR_DF03ED_ALLInfo(dev, 5, text), IRV_OK);
	assert_memory_equal(text, GBK_DOCTOR "|", 5);
	assert_int_equal(iR_DF03EF06Info(dev, m[0], m[1], m[2], m[3], m[4]), IRV_OK);
	assert_string_equal(m[0], "FF");
	assert_string_equal(m[4], "00");
	assert_int_equal(iW_DF03EF06Info(dev, 5), IRV_OK);
	assert_int_equal(iW_DF03EF06Info(dev, 6), IRV_PARA_ERR);
	assert_int_equal(iR_DF03EDInfo(dev, 5, back, 0, HC_VISIT_OUTPATIENT_LEN, NO_style), IRV_OK);
	assert_int_equal(strlen(back), 2 * HC_VISIT_OUTPATIENT_LEN);
	assert_int_equal(iR_DF03EDInfo(dev, 5, back, 0, HC_VISIT_OUTPATIENT_LEN + 1, NO_style), IRV_PARA_ERR);

	/* outpatient whole text: slot 5 copied into slot 4, read back the same; libhcard
	 * verifies it on its own */
	assert_int_equal(iR_DF03ED_ALLInfo(dev, 5, text), IRV_OK);
	assert_int_equal(iW_DF03ED_ALLInfo(dev, 4, text), IRV_OK);
	assert_int_equal(iR_DF03ED_ALLInfo(dev, 4, back), IRV_OK);
	assert_string_equal(back, text);
	direct_open(&x);
	assert_int_equal(hc_visit_read(x.card, NULL, HC_VISIT_OUTPATIENT, 4, &rec), HC_OK);
	assert_int_equal(hc_visit_record_get_no(rec, 1, value, sizeof(value)), HC_OK);
	assert_string_equal(value, "医生");
	hc_visit_record_free(&rec);
	direct_close(&x);
	assert_int_equal(iR_DF03EF06Info(dev, m[0], m[1], m[2], m[3], m[4]), IRV_OK);
	assert_string_equal(m[3], "00");
	assert_string_equal(m[4], "00");
	/* erased: FF, 112 for both kinds of read, the other slot kept */
	assert_int_equal(iErase_DF03EF06Info(dev, 4), IRV_OK);
	assert_int_equal(iR_DF03EF06Info(dev, m[0], m[1], m[2], m[3], m[4]), IRV_OK);
	assert_string_equal(m[3], "FF");
	assert_string_equal(m[4], "00");
	assert_int_equal(iR_DF03ED_ALLInfo(dev, 4, back), IRV_RCINVALID);
	assert_int_equal(iR_DF03EDInfo(dev, 4, back, 0, 4, NO_style), IRV_RCINVALID);
	assert_int_equal(iW_DF03EF06Info(dev, 4), IRV_W_DF03EF05ERR);

	/* bad slots, NULL buffers, bad styles: 101 and the card untouched */
	before = card_apdus();
	assert_int_equal(iErase_DF03EF06Info(dev, 6), IRV_PARA_ERR);
	assert_int_equal(iErase_DF03EF06Info(dev, 0), IRV_PARA_ERR);
	assert_int_equal(iErase_DF03EF05Info(dev, 0), IRV_PARA_ERR);
	assert_int_equal(iW_DF03EF05Info(dev, 0), IRV_PARA_ERR);
	assert_int_equal(iW_DF03EF05Info(dev, 4), IRV_PARA_ERR);
	assert_int_equal(iW_DF03EF06Info(dev, 0), IRV_PARA_ERR);
	assert_int_equal(iR_DF03EF05Info(dev, s1, NULL, s3), IRV_PARA_ERR);
	assert_int_equal(iR_DF03EF06Info(dev, m[0], m[1], m[2], m[3], NULL), IRV_PARA_ERR);
	assert_int_equal(iR_DF03ED_ALLInfo(dev, 6, back), IRV_PARA_ERR);
	assert_int_equal(iR_DF03ED_ALLInfo(dev, 5, NULL), IRV_PARA_ERR);
	assert_int_equal(iW_DF03ED_ALLInfo(dev, 0, text), IRV_PARA_ERR);
	assert_int_equal(iW_DF03ED_ALLInfo(dev, 5, NULL), IRV_PARA_ERR);
	assert_int_equal(iR_DF03EE_ALLInfo(dev, 4, back), IRV_PARA_ERR);
	assert_int_equal(iR_DF03EE_ALLInfo(dev, 1, NULL), IRV_PARA_ERR);
	assert_int_equal(iW_DF03EE_ALLInfo(dev, 4, text), IRV_PARA_ERR);
	assert_int_equal(iW_DF03EE_ALLInfo(dev, 1, NULL), IRV_PARA_ERR);
	assert_int_equal(iW_DF03EDInfo(dev, 5, GBK_DOCTOR, 0, 4, 0x02), IRV_PARA_ERR);
	assert_int_equal(iW_DF03EDInfo(dev, 5, NULL, 0, 4, AN_style), IRV_PARA_ERR);
	assert_int_equal(iW_DF03EDInfo(dev, 6, GBK_DOCTOR, 0, 4, AN_style), IRV_PARA_ERR);
	assert_int_equal(iR_DF03EDInfo(dev, 6, back, 0, 4, AN_style), IRV_PARA_ERR);
	assert_int_equal(iW_DF03EEInfo(dev, 1, "20240131", 0, 0, CN_style), IRV_PARA_ERR);
	assert_int_equal(card_apdus(), before);
	assert_int_equal(iR_DF03ED_ALLInfo(dev, 5, back), IRV_OK);
	assert_memory_equal(back, GBK_DOCTOR "|", 5);
}

/* A workstation that trusts another root: records signed under the demo root do not verify
 * (106), and a partial write refuses to re-sign them; the record stays as it was. */
static void
test_untrusted_records(void **state)
{
	const hc_visit_item_t *date = hc_visit_item_by_no(HC_VISIT_INPATIENT, 3);
	char line[512], pub[160] = "", path[1024], conf[1024], buf[64];
	const char *tmp = getenv("HCARD_TEST_TMP"), *top = getenv("top_srcdir");
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/sim/demo.keyset", top);
	assert_non_null(f = fopen(path, "r"));
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "ca.pub %159s", pub) == 1)
			break;
	fclose(f);
	assert_int_equal(strlen(pub), 128);
	/* the demo root's key under a CA id the SAM certificate does not name */
	snprintf(path, sizeof(path), "%s/other.trust", tmp);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "0000000A %s\n", pub);
	fclose(f);
	snprintf(conf, sizeof(conf), "%s/other.conf", tmp);
	assert_non_null(f = fopen(conf, "w"));
	fprintf(f, "trust_anchor = %s\n", path);
	fclose(f);

	assert_int_equal(iDClosePort(), IRV_OK);
	snprintf(path, sizeof(path), "%s", getenv("HCARD_CONF"));
	setenv("HCARD_CONF", conf, 1);
	assert_non_null(dev = iDOpenPort());
	assert_int_equal(iVerifyPIN(dev, "12345678"), IRV_OK);
	assert_int_equal(iR_DF03EEInfo(dev, 1, buf, date->offset, date->length, CN_style), IRV_IRK_VERR);
	assert_int_equal(iR_DF03EE_ALLInfo(dev, 1, buf), IRV_IRK_VERR);
	assert_int_equal(iW_DF03EEInfo(dev, 1, "20250101", date->offset, date->length, CN_style), IRV_IRK_VERR);
	assert_int_equal(iDClosePort(), IRV_OK);

	setenv("HCARD_CONF", path, 1);
	assert_non_null(dev = iDOpenPort());
	assert_int_equal(iVerifyPIN(dev, "12345678"), IRV_OK);
	assert_int_equal(iR_DF03EEInfo(dev, 1, buf, date->offset, date->length, CN_style), IRV_OK);
	assert_string_equal(buf, "20240131");
}

/* The card pulled in the middle of a record write (the simulator tears it after the 8th
 * APDU): 104, and afterwards the slot holds the old record, the new one, or reads as empty
 * (112), never a record that fails verification. */
static void
test_torn_write(void **state)
{
	const hc_visit_item_t *date = hc_visit_item_by_no(HC_VISIT_INPATIENT, 3);
	char buf[64];
	int rc = -1, i;

	(void)state;
	/* the record is cached by the last test's read: any other call drops it */
	assert_int_equal(iR_DF03EF05Info(dev, buf, buf + 8, buf + 16), IRV_OK);
	sim_ctl("tear 0 8 after");
	assert_int_equal(iW_DF03EEInfo(dev, 1, "20250202", date->offset, date->length, CN_style), IRV_CARD_ERR);
	sim_ctl("insert 0");
	for (i = 0; i < 50 && (rc = iR_DF03EEInfo(dev, 1, buf, date->offset, date->length, CN_style)) == IRV_CARD_ERR; i++)
		nap();
	assert_true(rc == IRV_OK || rc == IRV_RCINVALID);
	if (rc == IRV_OK)
		assert_true(strcmp(buf, "20240131") == 0 || strcmp(buf, "20250202") == 0);
	/* written again whole: valid, as the tests after this one expect */
	assert_int_equal(iW_DF03EEInfo(dev, 1, "20240131", date->offset, date->length, CN_style), IRV_OK);
	assert_int_equal(iR_DF03EEInfo(dev, 1, buf, date->offset, date->length, CN_style), IRV_OK);
	assert_string_equal(buf, "20240131");
}

/* UTF-8 mode: the ans item in UTF-8 */
static void
test_visit_utf8(void **state)
{
	const hc_visit_item_t *name = hc_visit_item_by_no(HC_VISIT_INPATIENT, 1);
	char buf[256];

	(void)state;
	assert_int_equal(iDClosePort(), IRV_OK);
	setenv("HCARD_COMPAT_UTF8", "1", 1);
	assert_non_null(dev = iDOpenPort());
	unsetenv("HCARD_COMPAT_UTF8");
	assert_int_equal(iVerifyPIN(dev, "12345678"), IRV_OK);
	assert_int_equal(iR_DF03EEInfo(dev, 1, buf, name->offset, name->length, AN_style), IRV_OK);
	assert_string_equal(buf, "住院");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_visit_items),
		cmocka_unit_test(test_visit_whole_records),
		cmocka_unit_test(test_untrusted_records),
		cmocka_unit_test(test_torn_write),
		cmocka_unit_test(test_visit_utf8),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
