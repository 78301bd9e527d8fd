/*
 * hcard CLI: the card session and the front-desk commands (readers, status, read, register,
 * block, unblock, lost).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools/cli.h"
#include "apdu/buf.h"
#include "apdu/pcsc.h"
#include "src/store.h"
#include "src/conf.h"


void
cli_card_release(cli_t *c)
{
	hc_card_close(&c->card);
	hc_terminal_close(&c->term);
	hc_ctx_free(&c->ctx);
}

int
cli_need_card(cli_t *c)
{
	hc_terminal_opts_t o;
	int rc;

	if (c->card != NULL)
		return CLI_EXIT_OK;
	if (c->ctx == NULL && (rc = hc_ctx_new(&c->ctx, c->conf)) != HC_OK)
		return cli_fail(c, rc, "hcard.conf");
	/* the store and the trust anchor of hcard.conf, unless given */
	if (c->store_uri == NULL && hc_ctx_config(c->ctx)->store[0] != '\0')
		c->store_uri = hc_ctx_config(c->ctx)->store;
	if (c->trust_path == NULL && hc_ctx_config(c->ctx)->trust_anchor[0] != '\0')
		c->trust_path = hc_ctx_config(c->ctx)->trust_anchor;
	memset(&o, 0, sizeof(o));
	o.card_reader = c->reader;
	o.sam_reader = c->sam_reader;
	o.sam_pin = c->sam_pin;
	if (c->term == NULL && (rc = hc_terminal_open(c->ctx, &o, &c->term)) != HC_OK)
		return cli_fail(c, rc, hc_ctx_error_detail(c->ctx));
	if ((rc = hc_card_open(c->term, &c->card)) != HC_OK)
		return cli_fail(c, rc, hc_ctx_error_detail(c->ctx));
	return CLI_EXIT_OK;
}

/* The detail of the last card error, for cli_fail. */
static const char *
card_detail(const cli_t *c)
{
	return c->card != NULL ? hc_card_error_detail(c->card) : NULL;
}

int
cli_cmd_readers(cli_t *c, int argc, char **argv)
{
	hc_pcsc_t *p = NULL;
	hc_reader_info_t r[16];
	json_t *arr = json_array();
	size_t n = 0, k;
	int rc;

	(void)argv;
	if (argc != 1) {
		json_decref(arr);
		return cli_usage(c, "readers takes no arguments");
	}
	if ((rc = hc_pcsc_new(&p)) != HC_OK || (rc = hc_pcsc_list(p, r, 16, &n)) != HC_OK) {
		hc_pcsc_free(&p);
		json_decref(arr);
		return cli_fail(c, rc, "PC/SC");
	}
	for (k = 0; k < n; k++) {
		char atr[2 * HC_ATR_MAX + 1] = "";
		json_t *o = json_object();

		(void)hc_hex_encode(r[k].atr, r[k].atr_len, atr, sizeof(atr));
		cli_say(c, "%-40s %s %s", "%-40s %s %s", r[k].name,
		    r[k].card_present ? (c->zh ? "有卡" : "card") : (c->zh ? "无卡" : "empty"), atr);
		json_object_set_new(o, "name", json_string(r[k].name));
		json_object_set_new(o, "card_present", json_boolean(r[k].card_present));
		json_object_set_new(o, "atr", json_string(atr));
		json_array_append_new(arr, o);
	}
	if (n == 0)
		cli_say(c, "No reader: connect one (hcard doctor says more).",
		    "没有读卡器：请连接读卡器（hcard doctor 可给出详情）。");
	cli_jset(c, "readers", arr);
	hc_pcsc_free(&p);
	return CLI_EXIT_OK;
}

/* The blacklist state in the user's language. */
static const char *
state_name(const cli_t *c, int state)
{
	static const char *const zh[] = { "正常", "挂失", "已解挂", "已补办（作废）", "已注销" };

	if (c->zh && state >= 0 && state <= 4)
		return zh[state];
	return hc_bl_state_name((hc_bl_state_t)state);
}

int
cli_cmd_status(cli_t *c, int argc, char **argv)
{
	hc_sam_info_t sam;
	hc_issuer_t is;
	hc_flow_env_t env;
	int rc, state = 0;
	char who[33] = "";

	(void)argv;
	if (argc != 1)
		return cli_usage(c, "status takes no arguments");
	if ((rc = cli_need_card(c)) != CLI_EXIT_OK || (rc = cli_need_store(c)) != CLI_EXIT_OK)
		return rc;
	if ((rc = hc_terminal_sam_info(c->term, &sam)) != HC_OK)
		return cli_fail(c, rc, "SAM");
	if ((rc = hc_read_issuer(c->card, &is)) != HC_OK)
		return cli_fail(c, rc, card_detail(c));
	cli_env(c, &env);
	if (is.card_number[0] != '\0' &&
	    (rc = hc_flow_card_state(&env, is.card_number, is.issue_serial, &state, who, NULL)) != HC_OK)
		return cli_fail(c, rc, "blacklist");
	cli_jset_str(c, "card_number", is.card_number);
	cli_jset_str(c, "issue_serial", is.issue_serial);
	cli_jset_str(c, "city_code", is.city_code);
	cli_jset_str(c, "blacklist", hc_bl_state_name((hc_bl_state_t)state));
	cli_jset_str(c, "sam_serial", sam.serial);
	cli_jset_int(c, "sam_type", sam.type);
	if (is.card_number[0] == '\0')
		cli_say(c, "Card: blank (not issued yet), city %s", "卡片：空白卡（未发卡），城市代码 %s",
		    is.city_code);
	else
		cli_say(c, "Card: %s, issue serial %s, issuer %s, blacklist: %s",
		    "卡号：%s，发卡序列号 %s，发卡机构 %s，黑名单：%s", is.card_number,
		    is.issue_serial, is.issuer_name, state_name(c, state));
	cli_say(c, "SAM: serial %s, type %d", "SAM：序列号 %s，类型 %d", sam.serial, sam.type);
	return CLI_EXIT_OK;
}

static const char *
sex_name(const cli_t *c, int sex)
{
	switch (sex) {
	case HC_SEX_MALE: return c->zh ? "男" : "male";
	case HC_SEX_FEMALE: return c->zh ? "女" : "female";
	default: return c->zh ? "未说明" : "unstated";
	}
}

static const char *const abo_names[] = { "-", "A", "B", "O", "AB", "?" };


static void
show_patient(cli_t *c, const hc_patient_t *p)
{
	json_t *o = json_object(), *al = json_array();
	size_t k;
	int used = 0;

	cli_say(c, "  Name:       %s (%s, born %s)", "  姓名：      %s（%s，出生日期 %s）",
	    p->holder.name, sex_name(c, p->holder.sex), p->holder.birth_date);
	cli_say(c, "  Card:       %s / %s, valid until %s", "  卡号：      %s / %s，有效期至 %s",
	    p->issuer.card_number, p->issuer.issue_serial, p->validity.expiry);
	if (p->clinical_read) {
		cli_say(c, "  Blood:      %s Rh%s%s%s", "  血型：      %s Rh%s%s%s",
		    abo_names[p->clinical.abo >= 0 && p->clinical.abo <= 5 ? p->clinical.abo : 0],
		    p->clinical.rh == HC_RH_POSITIVE ? "+" : p->clinical.rh == HC_RH_NEGATIVE ? "-" : "?",
		    p->clinical.other_alert[0] ? (c->zh ? "；警示：" : "; alert: ") : "",
		    p->clinical.other_alert);
		for (k = 0; k < p->n_allergies; k++) {
			json_t *a = json_object();
			cli_say(c, "  Allergy:    %s -> %s", "  过敏：      %s → %s",
			    p->allergies[k].allergen, p->allergies[k].reaction);
			json_object_set_new(a, "allergen", json_string(p->allergies[k].allergen));
			json_object_set_new(a, "reaction", json_string(p->allergies[k].reaction));
			json_array_append_new(al, a);
		}
	}
	for (k = 0; k < HC_VISIT_OUTPATIENT_SLOTS; k++)
		used += p->outpatient_index[k] == 0x00;
	cli_say(c, "  Visits:     %d outpatient record(s) on the card", "  就诊记录：  卡内门诊记录 %d 条",
	    used);
	json_object_set_new(o, "name", json_string(p->holder.name));
	json_object_set_new(o, "sex", json_integer(p->holder.sex));
	json_object_set_new(o, "birth_date", json_string(p->holder.birth_date));
	json_object_set_new(o, "id_number", json_string(p->holder.id_number));
	json_object_set_new(o, "card_number", json_string(p->issuer.card_number));
	json_object_set_new(o, "issue_serial", json_string(p->issuer.issue_serial));
	json_object_set_new(o, "expiry", json_string(p->validity.expiry));
	if (p->clinical_read) {
		json_object_set_new(o, "abo", json_integer(p->clinical.abo));
		json_object_set_new(o, "rh", json_integer(p->clinical.rh));
		json_object_set_new(o, "other_alert", json_string(p->clinical.other_alert));
	}
	json_object_set_new(o, "allergies", al);
	json_object_set_new(o, "outpatient_records", json_integer(used));
	cli_jset(c, "patient", o);
}

int
cli_cmd_register(cli_t *c, int argc, char **argv)
{
	hc_register_result_t r;
	hc_flow_env_t env;
	int rc;

	(void)argv;
	if (argc != 1)
		return cli_usage(c, "register takes no arguments");
	if ((rc = cli_need_card(c)) != CLI_EXIT_OK || (rc = cli_need_store(c)) != CLI_EXIT_OK ||
	    (rc = cli_need_trust(c)) != CLI_EXIT_OK)
		return rc;
	if (c->trust == NULL)
		return cli_fail(c, HC_ERR_CONFIG, c->zh ? "没有信任根：用 --trust FILE 或 hcard.conf 的 trust_anchor 指定" :
		    "no trust anchor: give --trust FILE or trust_anchor in hcard.conf");
	cli_env(c, &env);
	rc = hc_flow_register(c->card, &env, &r);
	cli_jset_str(c, "entry_id", r.entry_id);
	cli_jset_cost(c, &r.cost);
	if (rc == HC_ERR_BLACKLISTED) {
		cli_jset_str(c, "card_number", r.patient.issuer.card_number);
		cli_jset_str(c, "blacklist", hc_bl_state_name((hc_bl_state_t)r.blacklist_state));
		cli_jset_int(c, "blocked_on_card", r.blocked_on_card);
		cli_say(c, "REFUSED: card %s / %s is %s.%s", "拒绝受理：卡 %s / %s 状态为 %s。%s",
		    r.patient.issuer.card_number, r.patient.issuer.issue_serial,
		    state_name(c, r.blacklist_state),
		    r.blocked_on_card == 1 ? (c->zh ? "已在卡上锁定应用。" : " Its applications are now blocked on the card.") :
		    r.blocked_on_card == 2 ? (c->zh ? "卡上应用此前已锁定。" : " Its applications were already blocked.") : "");
	}
	if (rc != HC_OK)
		return cli_fail(c, rc, card_detail(c));
	cli_say(c, "Registered (journal %s):", "挂号成功（日志 %s）：", r.entry_id);
	show_patient(c, &r.patient);
	cli_say_cost(c, &r.cost);
	return CLI_EXIT_OK;
}

static int
lock_cmd(cli_t *c, int block, int permanent)
{
	hc_flow_env_t env;
	hc_flow_cost_t cost;
	int rc;

	if ((rc = cli_need_card(c)) != CLI_EXIT_OK || (rc = cli_need_store(c)) != CLI_EXIT_OK)
		return rc;
	cli_env(c, &env);
	rc = block ? hc_flow_block(c->card, &env, permanent, &cost) :
	    hc_flow_unblock(c->card, &env, &cost);
	if (rc != HC_OK)
		return cli_fail(c, rc, card_detail(c));
	cli_jset_cost(c, &cost);
	cli_say(c, "%s", "%s", block ? (c->zh ? "卡片应用已锁定。" : "The card's applications are blocked.") :
	    (c->zh ? "卡片应用已解锁。" : "The card's applications are unblocked."));
	return CLI_EXIT_OK;
}

int
cli_cmd_block(cli_t *c, int argc, char **argv)
{
	int permanent = argc == 2 && strcmp(argv[1], "--permanent") == 0;

	if (argc > 2 || (argc == 2 && !permanent))
		return cli_usage(c, "block [--permanent]");
	return lock_cmd(c, 1, permanent);
}

int
cli_cmd_unblock(cli_t *c, int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return cli_usage(c, "unblock takes no arguments");
	return lock_cmd(c, 0, 0);
}

/* lost replace CARD OLD-SERIAL NEW-SERIAL, with the blank card in the reader. */
static int
lost_replace(cli_t *c, int argc, char **argv)
{
	hc_issue_result_t r;
	hc_flow_env_t env;
	int rc;

	if (argc != 5)
		return cli_usage(c, "lost replace CARD OLD-SERIAL NEW-SERIAL (a blank card in the reader)");
	if ((rc = cli_need_card(c)) != CLI_EXIT_OK || (rc = cli_need_store(c)) != CLI_EXIT_OK)
		return rc;
	cli_env(c, &env);
	rc = hc_flow_replace(c->card, &env, argv[2], argv[3], argv[4], &r);
	cli_jset_str(c, "card_number", argv[2]);
	cli_jset_str(c, "old_serial", argv[3]);
	cli_jset_str(c, "new_serial", argv[4]);
	cli_jset_cost(c, &r.cost);
	if (rc != HC_OK) {
		cli_jset_str(c, "failed_step", r.failed_step);
		return cli_fail(c, rc, r.failed_step[0] ? r.failed_step : card_detail(c));
	}
	cli_say(c, "Replacement issued: card %s, serial %s (the old serial %s is now replaced; the"
	    " new card has the factory PIN).", "补办成功：卡号 %s，新发卡序列号 %s（原序列号 %s 已作废；"
	    "新卡为出厂密码）。", argv[2], argv[4], argv[3]);
	cli_say_cost(c, &r.cost);
	return CLI_EXIT_OK;
}

int
cli_cmd_lost(cli_t *c, int argc, char **argv)
{
	hc_issuer_t is;
	int rc;

	if (argc < 2)
		return cli_usage(c, "lost report|found|revoke [CARD [SERIAL]] | lost replace ...");
	if (strcmp(argv[1], "replace") == 0)
		return lost_replace(c, argc, argv);
	if (argc > 4)
		return cli_usage(c, "lost %s [CARD [SERIAL]]", argv[1]);
	if (argc >= 3)
		return cli_lost_system(c, argv[1], argv[2], argc == 4 ? argv[3] : NULL);
	/* no card number: the card in the reader (e.g. found again at the desk) */
	if ((rc = cli_need_card(c)) != CLI_EXIT_OK)
		return rc;
	if ((rc = hc_read_issuer(c->card, &is)) != HC_OK)
		return cli_fail(c, rc, card_detail(c));
	return cli_lost_system(c, argv[1], is.card_number, is.issue_serial);
}

/* Prints a profile JSON object as "section.key: value" lines. */
static void
say_flat(const cli_t *c, const char *prefix, json_t *v)
{
	const char *key;
	json_t *x;
	size_t i;
	char name[128];

	if (json_is_object(v)) {
		json_object_foreach(v, key, x) {
			snprintf(name, sizeof(name), "%s%s%s", prefix, *prefix ? "." : "", key);
			say_flat(c, name, x);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x) {
			snprintf(name, sizeof(name), "%s[%zu]", prefix, i);
			say_flat(c, name, x);
		}
	} else if (json_is_string(v)) {
		cli_say(c, "  %-36s %s", "  %-36s %s", prefix, json_string_value(v));
	} else if (json_is_integer(v)) {
		cli_say(c, "  %-36s %lld", "  %-36s %lld", prefix, (long long)json_integer_value(v));
	} else if (json_is_boolean(v)) {
		cli_say(c, "  %-36s %s", "  %-36s %s", prefix, json_is_true(v) ? "true" : "false");
	}
}

static const char *const read_sections[] = {
	"issuer", "holder", "validity", "addresses", "contacts", "social", "documents", "clinical",
	"allergies", "immunisations",
};

int
cli_cmd_read(cli_t *c, int argc, char **argv)
{
	hc_issue_profile_t *p = NULL;
	const char *section = NULL;
	json_t *root = NULL, *part;
	char *text = NULL;
	size_t k;
	int rc, all = 0;

	if (argc == 2 && strcmp(argv[1], "--all") == 0) {
		all = 1;
	} else if (argc == 2) {
		for (k = 0; k < sizeof(read_sections) / sizeof(read_sections[0]); k++)
			if (strcmp(argv[1], read_sections[k]) == 0)
				section = read_sections[k];
		if (section == NULL)
			return cli_usage(c, "read [--all | issuer|holder|validity|addresses|contacts|social|"
			    "documents|clinical|allergies|immunisations]");
		all = strcmp(section, "issuer") != 0 && strcmp(section, "holder") != 0 &&
		    strcmp(section, "validity") != 0;
	} else if (argc != 1) {
		return cli_usage(c, "read [--all | SECTION]");
	}
	if ((rc = cli_need_card(c)) != CLI_EXIT_OK)
		return rc;
	if ((rc = hc_flow_read_profile(c->card, all, &p)) != HC_OK)
		return cli_fail(c, rc, hc_card_error_detail(c->card));
	text = hc_issue_profile_to_json(p);
	hc_issue_profile_free(&p);
	if (text == NULL || (root = json_loads(text, 0, NULL)) == NULL) {
		free(text);
		return cli_fail(c, HC_ERR_NO_MEMORY, NULL);
	}
	free(text);
	json_object_del(root, "ledger");   /* issuance setting, not card data */
	part = section != NULL ? json_object_get(root, section) : root;
	if (part == NULL)
		part = json_array();    /* an empty cyclic file */
	else
		json_incref(part);
	say_flat(c, section != NULL ? section : "", part);
	cli_jset(c, section != NULL ? section : "card", part);
	json_decref(root);
	return CLI_EXIT_OK;
}
