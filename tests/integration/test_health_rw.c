/*
 * Health files through pcscd + vpcd + hcard-sim (type 5 SAM, the harness default): every
 * DDF1/DF01/DF02 file empty, written and read back in a new session; Chinese text incl. rare
 * GBK characters; refusals that send nothing; photo limits; expiry; cyclic files; APDU counts.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "src/health_io.h"
#include "src/profile.h"
#include "test_health_util.h"

static void
counts(const henv_t *e, unsigned long *c, unsigned long *s)
{
	hc_card_apdu_counts(e->card, c, s);
}

static void
test_empty_card(void **state)
{
	henv_t e;
	hc_issuer_t is;
	hc_cardholder_t ch;
	hc_validity_t v;
	hc_addresses_t ad;
	hc_contacts_t co;
	hc_social_t so;
	hc_documents_t doc;
	hc_clinical_t cl;
	hc_allergy_t al[HC_ALLERGIES_MAX];
	hc_immunisation_t im[HC_IMMUNISATIONS_MAX];
	uint8_t photo[HC_PHOTO_MAX];
	size_t n = 99, plen = 99;
	int psy = -5, i;

	(void)state;
	henv_open(&e, NULL);
	assert_int_equal(hc_read_issuer(e.card, &is), HC_OK);
	assert_string_equal(is.issuer_name, "");
	assert_string_equal(is.card_number, "");
	assert_string_equal(is.issue_date, "");
	assert_string_equal(is.issuer_code, "");
	assert_string_equal(is.city_code, "110100");       /* the factory's default city */
	assert_string_equal(hc_card_number(e.card), "");
	assert_int_equal(hc_read_cardholder(e.card, &ch), HC_OK);
	assert_string_equal(ch.name, "");
	assert_int_equal(ch.sex, 0);
	assert_int_equal(ch.ethnicity, -1);
	assert_string_equal(ch.birth_date, "");
	assert_int_equal(hc_read_validity(e.card, &v), HC_OK);
	assert_string_equal(v.expiry, "");
	assert_string_equal(v.phone1, "");
	for (i = 0; i < 3; i++)
		assert_int_equal(v.payment[i], -1);
	assert_int_equal(hc_validity_check(&v, NULL), HC_OK);      /* no expiry: not expired */
	assert_int_equal(hc_read_addresses(e.card, &ad), HC_OK);
	assert_int_equal(ad.type1, -1);
	assert_string_equal(ad.address2, "");
	assert_int_equal(hc_read_contacts(e.card, &co), HC_OK);
	for (i = 0; i < 3; i++) {
		assert_string_equal(co.contact[i].name, "");
		assert_int_equal(co.contact[i].relation, -1);
	}
	assert_int_equal(hc_read_social(e.card, &so), HC_OK);
	assert_int_equal(so.education, -1);
	assert_string_equal(so.occupation, "");
	assert_int_equal(hc_read_documents(e.card, &doc), HC_OK);
	assert_int_equal(doc.document_type, -1);
	assert_int_equal(hc_read_clinical(e.card, &cl), HC_OK);
	assert_int_equal(cl.abo, 0);
	assert_int_equal(cl.rh, -1);
	assert_int_equal(cl.pacemaker, 0);
	assert_string_equal(cl.other_alert, "");
	assert_int_equal(hc_read_psychiatric(e.card, &psy), HC_OK);
	assert_int_equal(psy, 0);
	assert_int_equal(hc_read_allergies(e.card, al, &n), HC_OK);
	assert_int_equal(n, 0);
	assert_int_equal(hc_read_immunisations(e.card, im, &n), HC_OK);
	assert_int_equal(n, 0);
	assert_int_equal(hc_read_photo(e.card, photo, sizeof(photo), &plen), HC_OK);
	assert_int_equal(plen, 0);
	henv_close(&e);
}

/* The data written by test_write_read_back (and checked again by later tests). */
static void
sample(hc_issuer_t *is, hc_cardholder_t *ch, hc_validity_t *v, hc_addresses_t *ad,
       hc_contacts_t *co, hc_social_t *so, hc_documents_t *doc, hc_clinical_t *cl)
{
	memset(is, 0, sizeof(*is));
	strcpy(is->card_type, "1");
	strcpy(is->spec_version, "1.10");
	strcpy(is->issuer_name, "北京市卫生健康委员会");
	strcpy(is->issuer_code, "1101000000012345678901");
	for (size_t i = 0; i < sizeof(is->issuer_certificate); i++)
		is->issuer_certificate[i] = (uint8_t)(i * 7 + 1);
	strcpy(is->issue_date, "20240131");
	strcpy(is->card_number, "11010519491231002X");
	strcpy(is->security_code, "123");
	strcpy(is->issue_serial, "A000000001");
	memset(ch, 0, sizeof(*ch));
	strcpy(ch->name, "王堃喆镕");           /* GBK extensions beyond GB 2312 */
	ch->sex = HC_SEX_FEMALE;
	ch->ethnicity = 1;
	strcpy(ch->birth_date, "19491231");
	strcpy(ch->id_number, "11010519491231002X");
	memset(v, 0, sizeof(*v));
	strcpy(v->expiry, "20991231");
	strcpy(v->phone1, "13800138000");
	strcpy(v->phone2, "010-12345678");
	v->payment[0] = 1;
	v->payment[1] = 99;
	v->payment[2] = -1;
	memset(ad, 0, sizeof(*ad));
	ad->type1 = HC_ADDRESS_REGISTERED;
	strcpy(ad->address1, "北京市西城区西直门外南路1号");
	ad->type2 = HC_ADDRESS_CURRENT;
	/* exactly 100 GBK bytes: 50 Chinese characters */
	ad->address2[0] = '\0';
	for (int i = 0; i < 50; i++)
		strcat(ad->address2, "路");
	memset(co, 0, sizeof(*co));
	strcpy(co->contact[0].name, "王大明");
	co->contact[0].relation = 5;
	strcpy(co->contact[0].phone, "13900139000");
	strcpy(co->contact[2].name, "Li Lei");
	co->contact[2].relation = 9;
	co->contact[1].relation = -1;
	memset(so, 0, sizeof(*so));
	so->education = 20;
	so->marital_status = 21;
	strcpy(so->occupation, "2A1");
	memset(doc, 0, sizeof(*doc));
	doc->document_type = 1;
	strcpy(doc->document_number, "11010519491231002X");
	strcpy(doc->health_record_number, "11010500000000001");
	strcpy(doc->rural_scheme_number, "");
	memset(cl, 0, sizeof(*cl));
	cl->abo = HC_ABO_AB;
	cl->rh = HC_RH_NEGATIVE;
	cl->asthma = 1;
	cl->diabetes = 1;
	cl->pacemaker = 1;
	strcpy(cl->other_alert, "青霉素过敏，对花粉敏感");
}

static void
test_write_read_back(void **state)
{
	henv_t e;
	hc_issuer_t is, is2;
	hc_cardholder_t ch, ch2;
	hc_validity_t v, v2;
	hc_addresses_t ad, ad2;
	hc_contacts_t co, co2;
	hc_social_t so, so2;
	hc_documents_t doc, doc2;
	hc_clinical_t cl, cl2;
	int psy = 0;

	(void)state;
	sample(&is, &ch, &v, &ad, &co, &so, &doc, &cl);
	henv_open(&e, NULL);
	assert_int_equal(hc_write_issuer(e.card, &is), HC_OK);
	assert_int_equal(hc_write_cardholder(e.card, &ch), HC_OK);
	assert_int_equal(hc_write_validity(e.card, &v), HC_OK);
	assert_int_equal(hc_write_addresses(e.card, &ad), HC_OK);
	assert_int_equal(hc_write_contacts(e.card, &co), HC_OK);
	assert_int_equal(hc_write_social(e.card, &so), HC_OK);
	assert_int_equal(hc_write_documents(e.card, &doc), HC_OK);
	assert_int_equal(hc_write_clinical(e.card, &cl), HC_OK);
	assert_int_equal(hc_write_psychiatric(e.card, 1), HC_OK);
	/* the session re-read EF05 after writing it */
	assert_string_equal(hc_card_number(e.card), "11010519491231002X");
	henv_close(&e);

	henv_open(&e, NULL);                          /* a new session reads what the card holds */
	assert_string_equal(hc_card_number(e.card), "11010519491231002X");
	assert_int_equal(hc_read_issuer(e.card, &is2), HC_OK);
	strcpy(is.city_code, "110100");
	assert_memory_equal(&is, &is2, sizeof(is));
	assert_int_equal(hc_read_cardholder(e.card, &ch2), HC_OK);
	assert_string_equal(ch2.name, "王堃喆镕");
	assert_memory_equal(&ch, &ch2, sizeof(ch));
	assert_int_equal(hc_read_validity(e.card, &v2), HC_OK);
	assert_memory_equal(&v, &v2, sizeof(v));
	assert_int_equal(hc_read_addresses(e.card, &ad2), HC_OK);
	assert_memory_equal(&ad, &ad2, sizeof(ad));
	assert_int_equal(hc_read_contacts(e.card, &co2), HC_OK);
	assert_memory_equal(&co, &co2, sizeof(co));
	assert_int_equal(hc_read_social(e.card, &so2), HC_OK);
	assert_memory_equal(&so, &so2, sizeof(so));
	assert_int_equal(hc_read_documents(e.card, &doc2), HC_OK);
	assert_memory_equal(&doc, &doc2, sizeof(doc));
	assert_int_equal(hc_read_clinical(e.card, &cl2), HC_OK);
	assert_memory_equal(&cl, &cl2, sizeof(cl));
	assert_int_equal(hc_read_psychiatric(e.card, &psy), HC_OK);
	assert_int_equal(psy, 1);
	assert_int_equal(hc_write_psychiatric(e.card, 0), HC_OK);
	assert_int_equal(hc_read_psychiatric(e.card, &psy), HC_OK);
	assert_int_equal(psy, 0);
	henv_close(&e);
}

static void
test_refusals_send_nothing(void **state)
{
	henv_t e;
	hc_cardholder_t ch, before, after;
	hc_clinical_t cl;
	hc_validity_t v;
	unsigned long c0, s0, c1, s1;
	char long_name[128] = "";

	(void)state;
	henv_open(&e, NULL);
	assert_int_equal(hc_read_cardholder(e.card, &before), HC_OK);
	counts(&e, &c0, &s0);

	ch = before;
	strcpy(ch.name, "李䶮");                       /* U+4DAE: GB 18030 only */
	assert_int_equal(hc_write_cardholder(e.card, &ch), HC_ERR_TEXT_NOT_GBK);
	assert_non_null(strstr(hc_card_error_detail(e.card), "U+4DAE"));
	assert_non_null(strstr(hc_card_error_detail(e.card), "name"));

	ch = before;
	for (int i = 0; i < 16; i++)
		strcat(long_name, "张");                  /* 32 GBK bytes in a 30-byte field */
	strcpy(ch.name, long_name);
	assert_int_equal(hc_write_cardholder(e.card, &ch), HC_ERR_TEXT_TOO_LONG);
	assert_non_null(strstr(hc_card_error_detail(e.card), "32 bytes in GBK, the field holds 30"));

	ch = before;
	strcpy(ch.id_number, "110105194912310021");    /* wrong check character */
	assert_int_equal(hc_write_cardholder(e.card, &ch), HC_ERR_BAD_ID_NUMBER);
	assert_non_null(strstr(hc_card_error_detail(e.card), "check character"));

	ch = before;
	strcpy(ch.birth_date, "20230229");
	assert_int_equal(hc_write_cardholder(e.card, &ch), HC_ERR_BAD_VALUE);
	ch = before;
	ch.sex = 3;
	assert_int_equal(hc_write_cardholder(e.card, &ch), HC_ERR_BAD_VALUE);

	memset(&cl, 0, sizeof(cl));
	cl.rh = 7;
	assert_int_equal(hc_write_clinical(e.card, &cl), HC_ERR_BAD_VALUE);
	memset(&v, 0, sizeof(v));
	v.payment[0] = v.payment[1] = v.payment[2] = -1;
	strcpy(v.phone1, "😀");
	assert_int_equal(hc_write_validity(e.card, &v), HC_ERR_TEXT_NOT_GBK);

	/* nothing reached the card or the SAM */
	counts(&e, &c1, &s1);
	assert_int_equal(c1, c0);
	assert_int_equal(s1, s0);
	assert_int_equal(hc_read_cardholder(e.card, &after), HC_OK);
	assert_memory_equal(&before, &after, sizeof(before));
	henv_close(&e);
}

static void
test_photo(void **state)
{
	henv_t e;
	static uint8_t jpeg[HC_PHOTO_MAX + 1], back[HC_PHOTO_MAX];
	size_t i, len = 0;

	(void)state;
	for (i = 0; i < sizeof(jpeg); i++)
		jpeg[i] = (uint8_t)(i * 31 + 7);
	jpeg[0] = 0xFF; jpeg[1] = 0xD8; jpeg[2] = 0xFF; jpeg[3] = 0xE0;
	henv_open(&e, NULL);
	/* 3073 bytes: one too many */
	jpeg[HC_PHOTO_MAX - 1] = 0xFF; jpeg[HC_PHOTO_MAX] = 0xD9;
	assert_int_equal(hc_write_photo(e.card, jpeg, HC_PHOTO_MAX + 1), HC_ERR_PHOTO);
	/* exactly 3072 */
	jpeg[HC_PHOTO_MAX - 2] = 0xFF; jpeg[HC_PHOTO_MAX - 1] = 0xD9;
	assert_int_equal(hc_write_photo(e.card, jpeg, HC_PHOTO_MAX), HC_OK);
	assert_int_equal(hc_read_photo(e.card, back, sizeof(back), &len), HC_OK);
	assert_int_equal(len, HC_PHOTO_MAX);
	assert_memory_equal(back, jpeg, HC_PHOTO_MAX);
	/* not a JPEG */
	assert_int_equal(hc_write_photo(e.card, (const uint8_t *)"GIF89a...", 9), HC_ERR_PHOTO);
	/* a small one; the rest of the file is zeroed */
	jpeg[1000] = 0xFF; jpeg[1001] = 0xD9;
	assert_int_equal(hc_write_photo(e.card, jpeg, 1002), HC_OK);
	assert_int_equal(hc_read_photo(e.card, back, 10, &len), HC_ERR_BUFFER_TOO_SMALL);
	assert_int_equal(len, 1002);
	henv_close(&e);
	henv_open(&e, NULL);
	assert_int_equal(hc_read_photo(e.card, back, sizeof(back), &len), HC_OK);
	assert_int_equal(len, 1002);
	assert_memory_equal(back, jpeg, 1002);
	henv_close(&e);
}

static void
test_cyclic(void **state)
{
	henv_t e;
	hc_allergy_t a, out[HC_ALLERGIES_MAX];
	hc_immunisation_t im, imo[HC_IMMUNISATIONS_MAX];
	size_t n = 0;
	int i;

	(void)state;
	henv_open(&e, NULL);
	for (i = 1; i <= 4; i++) {
		memset(&a, 0, sizeof(a));
		snprintf(a.allergen, sizeof(a.allergen), "青霉素%d", i);
		snprintf(a.reaction, sizeof(a.reaction), "皮疹 grade %d", i);
		assert_int_equal(hc_append_allergy(e.card, &a), HC_OK);
	}
	assert_int_equal(hc_read_allergies(e.card, out, &n), HC_OK);
	assert_int_equal(n, 3);                       /* the oldest was dropped */
	assert_string_equal(out[0].allergen, "青霉素4");  /* newest first */
	assert_string_equal(out[2].allergen, "青霉素2");
	assert_string_equal(out[1].reaction, "皮疹 grade 3");
	memset(&a, 0, sizeof(a));
	for (i = 0; i < 11; i++)
		strcat(a.allergen, "药");                 /* 22 bytes > 20 */
	assert_int_equal(hc_append_allergy(e.card, &a), HC_ERR_TEXT_TOO_LONG);

	memset(&im, 0, sizeof(im));
	strcpy(im.vaccine, "乙肝疫苗");
	strcpy(im.date, "20240315");
	assert_int_equal(hc_append_immunisation(e.card, &im), HC_OK);
	strcpy(im.vaccine, "麻疹");
	strcpy(im.date, "20240230");
	assert_int_equal(hc_append_immunisation(e.card, &im), HC_ERR_BAD_VALUE);
	assert_int_equal(hc_read_immunisations(e.card, imo, &n), HC_OK);
	assert_int_equal(n, 1);
	assert_string_equal(imo[0].vaccine, "乙肝疫苗");
	assert_string_equal(imo[0].date, "20240315");
	henv_close(&e);
}

static void
test_expiry(void **state)
{
	henv_t e;
	hc_validity_t v;

	(void)state;
	henv_open(&e, NULL);
	assert_int_equal(hc_read_validity(e.card, &v), HC_OK);
	strcpy(v.expiry, "20200101");
	assert_int_equal(hc_write_validity(e.card, &v), HC_OK);
	assert_int_equal(hc_card_check_validity(e.card), HC_ERR_CARD_EXPIRED);
	assert_non_null(strstr(hc_card_error_detail(e.card), "20200101"));
	strcpy(v.expiry, "20991231");
	assert_int_equal(hc_write_validity(e.card, &v), HC_OK);
	assert_int_equal(hc_card_check_validity(e.card), HC_OK);
	assert_int_equal(hc_validity_check(&v, "21000101"), HC_ERR_CARD_EXPIRED);
	assert_int_equal(hc_validity_check(&v, "20991231"), HC_OK);   /* the last valid day */
	henv_close(&e);
}

/*
 * APDUs of "read the front-desk files" in a fresh session, against the minimum the profile
 * makes necessary (doc/health.md): card: SELECT DDF1, READ EF05 (at open), GET CHALLENGE +
 * EXTERNAL AUTHENTICATE (RK1 DDF1), READ EF06, READ EF08, SELECT DF02, GET CHALLENGE +
 * EXTERNAL AUTHENTICATE (RK1 DF02), READ EF05, READ EF07 = 11. SAM (its health application
 * selected when the terminal opened): per authentication 80 DE + CIPHER DATA (61 10 + GET
 * RESPONSE under T=0) = 2 x 3 = 6.
 * Reading the same again costs one READ RECORD per file and nothing on the SAM.
 */
static void
test_apdu_counts(void **state)
{
	henv_t e;
	hc_issuer_t is;
	hc_cardholder_t ch;
	hc_validity_t v;
	hc_clinical_t cl;
	hc_allergy_t al[HC_ALLERGIES_MAX];
	size_t n;
	unsigned long c, s, c2, s2;
	int round;

	(void)state;
	henv_open(&e, NULL);
	counts(&e, &c, &s);
	assert_int_equal(c, 2);                      /* SELECT DDF1, READ RECORD all of EF05 */
	assert_int_equal(s, 0);
	for (round = 0; round < 2; round++) {
		counts(&e, &c, &s);
		assert_int_equal(hc_read_issuer(e.card, &is), HC_OK);
		assert_int_equal(hc_read_cardholder(e.card, &ch), HC_OK);
		assert_int_equal(hc_read_validity(e.card, &v), HC_OK);
		assert_int_equal(hc_read_clinical(e.card, &cl), HC_OK);
		assert_int_equal(hc_read_allergies(e.card, al, &n), HC_OK);
		counts(&e, &c2, &s2);
		if (round == 0) {
			assert_int_equal(c2, 11);
			assert_int_equal(s2, 6);
		} else {
			/* selecting a DF clears the other DF's right (§4): DDF1 costs SELECT +
			 * authentication + EF06 + EF08, DF02 SELECT + authentication + EF05 + EF07;
			 * EF05 of DDF1 comes from the session's copy */
			assert_int_equal(c2 - c, (1 + 2 + 1 + 1) + (1 + 2 + 1 + 1));
			assert_int_equal(s2 - s, 2 * 3);
		}
	}
	henv_close(&e);
}

/* A chip without READ RECORD "all records" nor extended length: the same data through one
 * READ RECORD per record and 256-byte chunks. */
static void
test_short_apdu_chip(void **state)
{
	henv_t e;
	hc_cardholder_t ch, ch2;
	hc_clinical_t cl, cl2;
	hc_issuer_t is, is2;
	hc_allergy_t al[HC_ALLERGIES_MAX], al2[HC_ALLERGIES_MAX];
	static uint8_t p1[HC_PHOTO_MAX], p2[HC_PHOTO_MAX];
	size_t n = 0, n2 = 0, l1 = 0, l2 = 0;
	unsigned long c_all, c_short, s;
	char conf[1024];

	(void)state;
	henv_open(&e, NULL);
	assert_int_equal(hc_read_issuer(e.card, &is), HC_OK);
	assert_int_equal(hc_read_cardholder(e.card, &ch), HC_OK);
	assert_int_equal(hc_read_clinical(e.card, &cl), HC_OK);
	assert_int_equal(hc_read_allergies(e.card, al, &n), HC_OK);
	assert_int_equal(hc_read_photo(e.card, p1, sizeof(p1), &l1), HC_OK);
	counts(&e, &c_all, &s);
	henv_close(&e);

	henv_write_file("short.conf", "chip_profile = short-apdu\n", conf, sizeof(conf));
	henv_open(&e, conf);
	assert_int_equal(hc_read_issuer(e.card, &is2), HC_OK);
	assert_int_equal(hc_read_cardholder(e.card, &ch2), HC_OK);
	assert_int_equal(hc_read_clinical(e.card, &cl2), HC_OK);
	assert_int_equal(hc_read_allergies(e.card, al2, &n2), HC_OK);
	assert_int_equal(hc_read_photo(e.card, p2, sizeof(p2), &l2), HC_OK);
	counts(&e, &c_short, &s);
	assert_memory_equal(&is, &is2, sizeof(is));
	assert_memory_equal(&ch, &ch2, sizeof(ch));
	assert_memory_equal(&cl, &cl2, sizeof(cl));
	assert_int_equal(n, n2);
	assert_memory_equal(al, al2, sizeof(al));
	assert_int_equal(l1, l2);
	assert_memory_equal(p1, p2, l1);
	/* per record: EF05 10 + EF06 5 + DF02/EF05 15 + EF07 3 records instead of 4 reads, and
	 * the photo in chunks after a SELECT */
	assert_true(c_short >= c_all + (10 - 1) + (5 - 1) + (15 - 1) + (3 - 1) + 1);
	henv_close(&e);
}

/* Another application resets the card: the session drops its state and redoes the read. */
static void
test_reset_redo(void **state)
{
	henv_t e;
	hc_cardholder_t ch, ch2;

	(void)state;
	henv_open(&e, NULL);
	assert_int_equal(hc_read_cardholder(e.card, &ch), HC_OK);
	assert_int_equal(henv_ctl("reset 0"), 0);
	assert_int_equal(hc_read_cardholder(e.card, &ch2), HC_OK);
	assert_memory_equal(&ch, &ch2, sizeof(ch));
	henv_close(&e);
}

/* The card holds bytes the profile does not allow (written raw, past the codecs): reads give
 * a clear error naming the field, and a card pulled mid-session is reported, not retried. */
static void
test_malformed_and_pulled(void **state)
{
	henv_t e;
	hc_cardholder_t ch;
	hc_validity_t v;
	static const uint8_t feb30[] = { 0x14, 0x04, 0x20, 0x24, 0x02, 0x30 };
	uint8_t bad_name[32] = { 0x11, 0x1E, 0xD5, 0x20 };      /* a GBK lead byte, then a space */
	const hc_file_def_t *ef06 = hc_profile_file(HC_FILE_DDF1_EF06);

	(void)state;
	henv_open(&e, NULL);
	assert_int_equal(hc_read_cardholder(e.card, &ch), HC_OK);
	assert_int_equal(hc_io_update_element(e.card, ef06, feb30, sizeof(feb30)), HC_OK);
	assert_int_equal(hc_read_cardholder(e.card, &ch), HC_ERR_MALFORMED_RESPONSE);
	assert_non_null(strstr(hc_card_error_detail(e.card), "birth date"));
	assert_int_equal(hc_io_update_element(e.card, ef06, bad_name, sizeof(bad_name)), HC_OK);
	assert_int_equal(hc_read_cardholder(e.card, &ch), HC_ERR_MALFORMED_RESPONSE);
	assert_non_null(strstr(hc_card_error_detail(e.card), "name"));
	henv_close(&e);

	henv_open(&e, NULL);
	assert_int_equal(henv_ctl("tear 0 1 before"), 0);
	assert_int_equal(hc_read_validity(e.card, &v), HC_ERR_CARD_REMOVED);
	henv_close(&e);
	assert_int_equal(henv_ctl("insert 0"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_card),
		cmocka_unit_test(test_write_read_back),
		cmocka_unit_test(test_refusals_send_nothing),
		cmocka_unit_test(test_photo),
		cmocka_unit_test(test_cyclic),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_apdu_counts),
		cmocka_unit_test(test_short_apdu_chip),
		cmocka_unit_test(test_reset_redo),
		cmocka_unit_test(test_malformed_and_pulled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
