/*
 * The flows' C API through pcscd and hcard-sim (run under tests/harness/with-sim): issue,
 * a hospital adds an allergy, register (which refreshes the issuer's archive copy), report
 * lost, register refused and blocked, replacement on a new blank card carrying the allergy
 * added after issuance, register with the new card; result structs checked field by field.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hcard_flows.h"
#include "apdu/buf.h"

typedef struct fx {
	char dir[256];
	hc_store_t *store;
	hc_trust_t *trust;
	hc_ctx_t *ctx;
	hc_terminal_t *term;
	hc_card_t *card;
	hc_flow_env_t env;
} fx_t;

static const char *
env_or_fail(const char *name)
{
	const char *v = getenv(name);
	assert_non_null(v);
	return v;
}

/* The demo key set's root CA (sim/demo.keyset) as the trust anchor. */
static void
load_trust(fx_t *f)
{
	char path[512], line[512], id_hex[16] = "", pub_hex[160] = "";
	uint8_t id[4], pub[64];
	FILE *in;

	snprintf(path, sizeof(path), "%s/sim/demo.keyset", env_or_fail("top_srcdir"));
	in = fopen(path, "r");
	assert_non_null(in);
	while (fgets(line, sizeof(line), in) != NULL) {
		if (strncmp(line, "ca.id ", 6) == 0)
			sscanf(line + 6, "%15s", id_hex);
		if (strncmp(line, "ca.pub ", 7) == 0)
			sscanf(line + 7, "%159s", pub_hex);
	}
	fclose(in);
	assert_int_equal(hc_hex_decode(id_hex, id, sizeof(id)), 4);
	assert_int_equal(hc_hex_decode(pub_hex, pub, sizeof(pub)), 64);
	assert_int_equal(hc_trust_new(&f->trust), HC_OK);
	assert_int_equal(hc_trust_add(f->trust, id, pub), HC_OK);
}

static void
open_card(fx_t *f)
{
	hc_card_close(&f->card);
	assert_int_equal(hc_card_open(f->term, &f->card), HC_OK);
}

/* Pulls the card in slot 0 and inserts a fresh blank one. */
static void
new_blank_card(fx_t *f, const char *factor)
{
	char cmd[2048];
	const char *sim = env_or_fail("HCARD_SIM"), *ctl = env_or_fail("HCARD_SIM_CONTROL");
	const char *reader = env_or_fail("HCARD_CARD_READER"), *b = env_or_fail("top_builddir");

	hc_card_close(&f->card);
	snprintf(cmd, sizeof(cmd), "'%s' factory --type user --card-factor %s --out '%s/new.img' &&"
	    " '%s' ctl '%s' remove 0 >/dev/null &&"
	    " '%s/tests/harness/hc-wait-readers' --timeout 5000 '%s=empty' >/dev/null &&"
	    " '%s' ctl '%s' insert 0 '%s/new.img' >/dev/null &&"
	    " '%s/tests/harness/hc-wait-readers' --timeout 5000 '%s=present' >/dev/null",
	    sim, factor, f->dir, sim, ctl, b, reader, sim, ctl, f->dir, b, reader);
	assert_int_equal(system(cmd), 0);
	open_card(f);
}

static int
setup(void **state)
{
	fx_t *f = calloc(1, sizeof(*f));
	hc_terminal_opts_t o;
	char uri[300];

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "%s", env_or_fail("HCARD_TEST_TMP"));
	snprintf(uri, sizeof(uri), "sqlite:%s/flows.db", f->dir);
	assert_int_equal(hc_store_open(uri, &f->store), HC_OK);
	load_trust(f);
	assert_int_equal(hc_ctx_new(&f->ctx, "/dev/null"), HC_OK);
	memset(&o, 0, sizeof(o));
	o.sam_pin = "12345678";
	assert_int_equal(hc_terminal_open(f->ctx, &o, &f->term), HC_OK);
	open_card(f);
	f->env.store = f->store;
	f->env.trust = f->trust;
	f->env.who = "test";
	f->env.issuer_keys = NULL;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	fx_t *f = *state;

	hc_card_close(&f->card);
	hc_terminal_close(&f->term);
	hc_ctx_free(&f->ctx);
	hc_trust_free(&f->trust);
	hc_store_close(&f->store);
	free(f);
	return 0;
}

static int
has_allergen(const hc_patient_t *p, const char *allergen)
{
	size_t k;

	for (k = 0; k < p->n_allergies; k++)
		if (strcmp(p->allergies[k].allergen, allergen) == 0)
			return 1;
	return 0;
}

static void
test_replacement_carries_later_clinical_data(void **state)
{
	fx_t *f = *state;
	hc_issue_profile_t *p = NULL;
	hc_issue_result_t ir;
	hc_register_result_t rr;
	hc_allergy_t a;
	char path[512], keys[512], why[256];
	int st = -1;

	snprintf(path, sizeof(path), "%s/tests/integration/test_flow_data/zhangsan.json",
	    env_or_fail("top_srcdir"));
	snprintf(keys, sizeof(keys), "%s/sim/demo.keyset", env_or_fail("top_srcdir"));
	f->env.issuer_keys = keys;
	assert_int_equal(hc_issue_profile_load(path, &p, why, sizeof(why)), HC_OK);

	/* issuance without the issuer's key set fails before the first write */
	f->env.issuer_keys = NULL;
	assert_int_equal(hc_flow_issue(f->card, &f->env, p, &ir), HC_ERR_CONFIG);
	assert_int_equal(ir.result, HC_ERR_CONFIG);
	f->env.issuer_keys = keys;

	assert_int_equal(hc_flow_issue(f->card, &f->env, p, &ir), HC_OK);
	assert_string_equal(ir.card_number, "110101199003071233");
	assert_string_equal(ir.issue_serial, "0000000001");
	assert_int_equal(strlen(ir.entry_id), 36);
	assert_true(ir.n_steps >= 10);
	assert_true(ir.cost.card_apdus > 20);
	assert_string_equal(hc_issue_step_name(0), "validate");
	assert_null(hc_issue_step_name(ir.n_steps + 5));
	hc_issue_profile_free(&p);

	/* a hospital adds an allergy after issuance */
	open_card(f);
	memset(&a, 0, sizeof(a));
	snprintf(a.allergen, sizeof(a.allergen), "磺胺类");
	snprintf(a.reaction, sizeof(a.reaction), "荨麻疹");
	assert_int_equal(hc_append_allergy(f->card, &a), HC_OK);

	assert_int_equal(hc_flow_register(f->card, &f->env, &rr), HC_OK);
	assert_int_equal(rr.result, HC_OK);
	assert_string_equal(rr.patient.holder.name, "张三");
	assert_string_equal(rr.patient.holder.id_number, "110101199003071233");
	assert_int_equal(rr.patient.clinical_read, 1);
	assert_int_equal(rr.patient.clinical.abo, HC_ABO_A);
	assert_int_equal(rr.patient.n_allergies, 2);
	assert_true(has_allergen(&rr.patient, "磺胺类"));
	assert_int_equal(rr.blacklist_state, HC_CARD_OK);
	assert_true(rr.cost.card_apdus > 0 && rr.cost.sam_apdus > 0);

	/* lost: refused and blocked; the refusal names the state */
	assert_int_equal(hc_flow_report(&f->env, "110101199003071233", NULL, HC_CARD_LOST), HC_OK);
	assert_int_equal(hc_flow_card_state(&f->env, "110101199003071233", "0000000001", &st, NULL,
	    NULL), HC_OK);
	assert_int_equal(st, HC_CARD_LOST);
	assert_int_equal(hc_flow_register(f->card, &f->env, &rr), HC_ERR_BLACKLISTED);
	assert_int_equal(rr.blacklist_state, HC_CARD_LOST);
	assert_int_equal(rr.blocked_on_card, 1);
	assert_string_equal(rr.patient.holder.name, "");    /* no patient data for a refused card */
	/* found twice is refused: the card is lost only once */
	assert_int_equal(hc_flow_report(&f->env, "110101199003071233", "0000000001", HC_CARD_FOUND),
	    HC_OK);
	assert_int_equal(hc_flow_report(&f->env, "110101199003071233", "0000000001", HC_CARD_FOUND),
	    HC_ERR_NOT_PERMITTED);
	assert_int_equal(hc_flow_report(&f->env, "110101199003071233", "0000000001", HC_CARD_LOST),
	    HC_OK);

	/* the replacement carries the allergy added after issuance */
	new_blank_card(f, "4843415244000901");
	assert_int_equal(hc_flow_replace(f->card, &f->env, "110101199003071233", "0000000001",
	    "0000000001", &ir), HC_ERR_INVALID_ARGUMENT);
	assert_int_equal(hc_flow_replace(f->card, &f->env, "110101199003071233", "0000000001",
	    "0000000002", &ir), HC_OK);
	open_card(f);
	assert_int_equal(hc_flow_register(f->card, &f->env, &rr), HC_OK);
	assert_string_equal(rr.patient.issuer.issue_serial, "0000000002");
	assert_int_equal(rr.patient.n_allergies, 2);
	assert_true(has_allergen(&rr.patient, "磺胺类"));
	assert_true(has_allergen(&rr.patient, "青霉素"));
	assert_int_equal(hc_flow_card_state(&f->env, "110101199003071233", "0000000001", &st, NULL,
	    NULL), HC_OK);
	assert_int_equal(st, HC_CARD_REPLACED);
	/* a replaced card cannot be "found" again */
	assert_int_equal(hc_flow_report(&f->env, "110101199003071233", "0000000001", HC_CARD_FOUND),
	    HC_ERR_NOT_PERMITTED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_replacement_carries_later_clinical_data, setup,
		    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
