/*
 * Benchmark (make bench, under tests/harness/with-sim): APDUs and time of
 *   "front desk": open the session, issuer data, cardholder, validity, clinical alerts,
 *                 allergies, the two visit indexes (DF03/EF05, EF06);
 *   "whole card": every DDF1/DF01/DF02 file incl. the photo, both indexes and all eight
 *                 visit records (DF03/EE01-EE03, ED01-ED05) read raw as binary;
 * on a card filled first (type 5 SAM), with the default chip profile (READ RECORD of all
 * records, extended length) and with the "short-apdu" profile (one READ RECORD per record,
 * 256-byte chunks). Reports the median and 90th percentile of 20 fresh sessions each.
 * Reports numbers only: it fails only if the card cannot be read.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hcard.h"
#include "hcard_health.h"
#include "src/health_io.h"
#include "src/profile.h"
#include "src/session_sec.h"

#define ROUNDS 20

static hc_ctx_t *ctx;
static hc_terminal_t *term;

static int
check(int rc, const char *what, hc_card_t *card)
{
	if (rc != HC_OK)
		fprintf(stderr, "health_read: %s: %s (%s)\n", what, hc_errname(rc),
		        card != NULL ? hc_card_error_detail(card) : hc_ctx_error_detail(ctx));
	return rc != HC_OK;
}

static int
open_terminal(const char *conf)
{
	hc_terminal_opts_t o = { NULL, NULL, NULL, "12345678" };
	int rc, i;

	hc_terminal_close(&term);
	hc_ctx_free(&ctx);
	if (check(hc_ctx_new(&ctx, conf), "context", NULL))
		return -1;
	for (i = 0; i < 50; i++) {
		if ((rc = hc_terminal_open(ctx, &o, &term)) == HC_OK)
			return 0;
		nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
	}
	return check(rc, "terminal", NULL) ? -1 : 0;
}

static int
fill(void)
{
	hc_card_t *card = NULL;
	hc_issuer_t is;
	hc_cardholder_t ch;
	hc_validity_t v;
	hc_addresses_t ad;
	hc_contacts_t co;
	hc_social_t so;
	hc_documents_t doc;
	hc_clinical_t cl;
	hc_allergy_t al;
	hc_immunisation_t im;
	static uint8_t jpeg[HC_PHOTO_MAX], rec[3267];
	static const uint8_t valid = 0x00;
	size_t i;
	int f, bad = 1;

	memset(&is, 0, sizeof(is));
	strcpy(is.card_type, "1");
	strcpy(is.spec_version, "1.10");
	strcpy(is.issuer_name, "北京市卫生健康委员会");
	strcpy(is.issuer_code, "1101000000000000000001");
	strcpy(is.issue_date, "20240131");
	strcpy(is.card_number, "11010519491231002X");
	strcpy(is.security_code, "123");
	strcpy(is.issue_serial, "A000000001");
	memset(&ch, 0, sizeof(ch));
	strcpy(ch.name, "王堃");
	ch.sex = HC_SEX_FEMALE;
	ch.ethnicity = 1;
	strcpy(ch.birth_date, "19491231");
	strcpy(ch.id_number, "11010519491231002X");
	memset(&v, 0, sizeof(v));
	strcpy(v.expiry, "20991231");
	strcpy(v.phone1, "13800138000");
	v.payment[0] = 1; v.payment[1] = v.payment[2] = -1;
	memset(&ad, 0, sizeof(ad));
	ad.type1 = 1; ad.type2 = 2;
	strcpy(ad.address1, "北京市西城区西直门外南路1号");
	strcpy(ad.address2, "北京市海淀区中关村大街27号");
	memset(&co, 0, sizeof(co));
	for (i = 0; i < 3; i++) {
		snprintf(co.contact[i].name, sizeof(co.contact[i].name), "联系人%zu", i + 1);
		co.contact[i].relation = (int)i + 1;
		strcpy(co.contact[i].phone, "13900139000");
	}
	memset(&so, 0, sizeof(so));
	so.education = 20; so.marital_status = 20;
	strcpy(so.occupation, "2A1");
	memset(&doc, 0, sizeof(doc));
	doc.document_type = 1;
	strcpy(doc.document_number, "11010519491231002X");
	memset(&cl, 0, sizeof(cl));
	cl.abo = HC_ABO_A; cl.rh = HC_RH_POSITIVE; cl.diabetes = 1;
	strcpy(cl.other_alert, "青霉素过敏");
	for (i = 0; i < sizeof(jpeg); i++)
		jpeg[i] = (uint8_t)(i * 13 + 5);
	jpeg[0] = 0xFF; jpeg[1] = 0xD8; jpeg[2] = 0xFF;
	jpeg[sizeof(jpeg) - 2] = 0xFF; jpeg[sizeof(jpeg) - 1] = 0xD9;

	if (check(hc_card_open(term, &card), "card", NULL) ||
	    check(hc_write_issuer(card, &is), "issuer", card) ||
	    check(hc_write_cardholder(card, &ch), "cardholder", card) ||
	    check(hc_write_validity(card, &v), "validity", card) ||
	    check(hc_write_photo(card, jpeg, sizeof(jpeg)), "photo", card) ||
	    check(hc_write_addresses(card, &ad), "addresses", card) ||
	    check(hc_write_contacts(card, &co), "contacts", card) ||
	    check(hc_write_social(card, &so), "social", card) ||
	    check(hc_write_documents(card, &doc), "documents", card) ||
	    check(hc_write_clinical(card, &cl), "clinical", card) ||
	    check(hc_write_psychiatric(card, 0), "psychiatric", card))
		goto out;
	for (i = 0; i < HC_ALLERGIES_MAX; i++) {
		memset(&al, 0, sizeof(al));
		snprintf(al.allergen, sizeof(al.allergen), "过敏原%zu", i);
		strcpy(al.reaction, "皮疹，呼吸困难");
		if (check(hc_append_allergy(card, &al), "allergy", card))
			goto out;
	}
	for (i = 0; i < HC_IMMUNISATIONS_MAX; i++) {
		memset(&im, 0, sizeof(im));
		snprintf(im.vaccine, sizeof(im.vaccine), "疫苗%zu", i);
		strcpy(im.date, "20240315");
		if (check(hc_append_immunisation(card, &im), "immunisation", card))
			goto out;
	}
	/* eight visit records, raw (this benchmark reads them raw), and their index bytes */
	for (f = HC_FILE_DF03_EE01; f <= HC_FILE_DF03_ED05; f++) {
		const hc_file_def_t *fd = hc_profile_file((hc_file_id_t)f);

		for (i = 0; i < fd->size; i++)
			rec[i] = (uint8_t)(i + (size_t)f);
		if (check(hc_io_update_binary(card, fd, 0, rec, fd->size), fd->name, card))
			goto out;
	}
	for (f = HC_FILE_DF03_EF05; f <= HC_FILE_DF03_EF06; f++) {
		const hc_file_def_t *fd = hc_profile_file((hc_file_id_t)f);

		for (i = 1; i <= fd->records; i++)
			if (check(hc_session_select_ef(card, fd->fid), "select index", card) ||
			    check(hc_io_write_right(card, fd), "index right", card) ||
			    check(hc_session_sm_command(card, HC_SM_MAC, 0xDC, (uint8_t)i, 0x04, &valid, 1, NULL),
			          "set index", card))
				goto out;
	}
	bad = 0;
out:
	hc_card_close(&card);
	return bad ? -1 : 0;
}

typedef struct sample {
	double ms;
	unsigned long card, sam;
} sample_t;

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
read_indexes(hc_card_t *card, uint8_t *buf, size_t cap)
{
	size_t len = 0;

	return hc_io_read_records(card, hc_profile_file(HC_FILE_DF03_EF05), buf, cap, &len) != HC_OK ||
	       hc_io_read_records(card, hc_profile_file(HC_FILE_DF03_EF06), buf, cap, &len) != HC_OK;
}

static int
front_desk(hc_card_t *card)
{
	hc_issuer_t is;
	hc_cardholder_t ch;
	hc_validity_t v;
	hc_clinical_t cl;
	hc_allergy_t al[HC_ALLERGIES_MAX];
	uint8_t idx[8];
	size_t n;

	return hc_read_issuer(card, &is) || hc_read_cardholder(card, &ch) ||
	       hc_read_validity(card, &v) || hc_validity_check(&v, NULL) ||
	       hc_read_clinical(card, &cl) || hc_read_allergies(card, al, &n) ||
	       read_indexes(card, idx, sizeof(idx));
}

/* Grouped by DF, so that each DF is selected and authenticated once (§4: selecting a DF
 * clears the rights of the previous one). */
static int
whole_card(hc_card_t *card)
{
	static uint8_t photo[HC_PHOTO_MAX], rec[3267];
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
	uint8_t idx[8];
	size_t len, got;
	int psy, f;

	if (hc_read_issuer(card, &is) || hc_read_cardholder(card, &ch) ||
	    hc_read_validity(card, &v) || hc_read_photo(card, photo, sizeof(photo), &len) ||
	    hc_read_addresses(card, &ad) || hc_read_contacts(card, &co) ||
	    hc_read_social(card, &so) || hc_read_documents(card, &doc) ||
	    hc_read_clinical(card, &cl) || hc_read_psychiatric(card, &psy) ||
	    hc_read_allergies(card, al, &len) || hc_read_immunisations(card, im, &len) ||
	    read_indexes(card, idx, sizeof(idx)))
		return 1;
	for (f = HC_FILE_DF03_EE01; f <= HC_FILE_DF03_ED05; f++) {
		const hc_file_def_t *fd = hc_profile_file((hc_file_id_t)f);

		if (hc_io_read_binary(card, fd, 0, fd->size, rec, &got) != HC_OK || got != fd->size)
			return 1;
	}
	return 0;
}

static int
cmp(const void *a, const void *b)
{
	double x = ((const sample_t *)a)->ms, y = ((const sample_t *)b)->ms;

	return x < y ? -1 : x > y;
}

static int
run(const char *label, int (*fn)(hc_card_t *))
{
	sample_t s[ROUNDS];
	hc_card_t *card = NULL;
	double t0;
	int i;

	for (i = 0; i < ROUNDS; i++) {
		t0 = now_ms();
		if (check(hc_card_open(term, &card), "open", NULL))
			return -1;
		if (fn(card) != 0) {
			fprintf(stderr, "health_read: %s failed: %s\n", label, hc_card_error_detail(card));
			hc_card_close(&card);
			return -1;
		}
		s[i].ms = now_ms() - t0;
		hc_card_apdu_counts(card, &s[i].card, &s[i].sam);
		hc_card_close(&card);
	}
	qsort(s, ROUNDS, sizeof(s[0]), cmp);
	printf("%-34s %6lu %6lu %6lu %9.2f %9.2f\n", label, s[0].card, s[0].sam,
	       s[0].card + s[0].sam, s[ROUNDS / 2].ms, s[ROUNDS * 9 / 10].ms);
	return 0;
}

int
main(void)
{
	char conf[1024];
	const char *tmp = getenv("HCARD_TEST_TMP");
	FILE *f;
	int rc = 1;

	if (tmp == NULL) {
		fprintf(stderr, "health_read: run under tests/harness/with-sim\n");
		return 1;
	}
	if (open_terminal(NULL) != 0 || fill() != 0)
		goto out;
	printf("health_read: %d fresh sessions each (pcscd + vpcd + hcard-sim), type 5 SAM\n", ROUNDS);
	printf("%-34s %6s %6s %6s %9s %9s\n", "scenario", "card", "SAM", "total", "median ms", "p90 ms");
	if (run("front desk", front_desk) != 0 || run("whole card (raw visit records)", whole_card) != 0)
		goto out;
	snprintf(conf, sizeof(conf), "%s/short-apdu.conf", tmp);
	if ((f = fopen(conf, "w")) == NULL || fputs("chip_profile = short-apdu\n", f) < 0 || fclose(f) != 0)
		goto out;
	if (open_terminal(conf) != 0 || run("front desk, short-apdu chip", front_desk) != 0 ||
	    run("whole card, short-apdu chip", whole_card) != 0)
		goto out;
	rc = 0;
out:
	hc_terminal_close(&term);
	hc_ctx_free(&ctx);
	return rc;
}
