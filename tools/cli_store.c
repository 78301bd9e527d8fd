/*
 * hcard CLI: commands on the store only (journal, sync, lost report/found/revoke).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <inttypes.h>

#include "tools/cli.h"
#include "src/store.h"

static void
fmt_time(int64_t at, char *out, size_t cap)
{
	time_t t = (time_t)at;
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL || strftime(out, cap, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(out, cap, "%" PRId64, at);
}

/* The store the command uses, for --json "store": the option/environment/hcard.conf value,
 * else the library's default (hc_store_default_uri, the same for every command). */
static void
jset_store(cli_t *c)
{
	char uri[1100];

	if (c->store_uri != NULL && *c->store_uri != '\0')
		cli_jset_str(c, "store", c->store_uri);
	else if (hc_store_default_uri(uri, sizeof(uri)) == HC_OK)
		cli_jset_str(c, "store", uri);
}

int
cli_cmd_journal(cli_t *c, int argc, char **argv)
{
	const char *card = NULL;
	long limit = 20;
	hc_journal_entry_t *e = NULL;
	json_t *arr;
	size_t n = 0, k;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--card") == 0 && i + 1 < argc)
			card = argv[++i];
		else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc)
			limit = strtol(argv[++i], NULL, 10);
		else
			return cli_usage(c, "journal: unexpected argument %s", argv[i]);
	}
	if (limit < 1 || limit > 10000)
		return cli_usage(c, "journal: --limit between 1 and 10000");
	if ((rc = cli_need_store(c)) != CLI_EXIT_OK)
		return rc;
	jset_store(c);
	if ((e = calloc((size_t)limit, sizeof(*e))) == NULL)
		return cli_fail(c, HC_ERR_NO_MEMORY, NULL);
	if ((rc = hc_store_journal_list(c->store, card, e, (size_t)limit, &n)) != HC_OK) {
		free(e);
		return cli_fail(c, rc, "journal");
	}
	arr = json_array();
	for (k = 0; k < n; k++) {
		char when[32];
		json_t *o = json_object();

		fmt_time(e[k].at, when, sizeof(when));
		cli_say(c, "%s  %-12s %-18s %-10s %-8s %s %s", "%s  %-12s %-18s %-10s %-8s %s %s", when,
		    hc_journal_kind_name(e[k].kind), e[k].card_number, e[k].issue_serial, e[k].who,
		    e[k].charge_state >= 0 ? hc_charge_state_name((hc_charge_state_t)e[k].charge_state) :
		    e[k].result == 0 ? "ok" : hc_errname(e[k].result), e[k].detail);
		if (o == NULL)
			continue;
		json_object_set_new(o, "entry_id", json_string(e[k].entry_id));
		json_object_set_new(o, "kind", json_string(hc_journal_kind_name(e[k].kind)));
		json_object_set_new(o, "at", json_integer((json_int_t)e[k].at));
		json_object_set_new(o, "card_number", json_string(e[k].card_number));
		json_object_set_new(o, "issue_serial", json_string(e[k].issue_serial));
		json_object_set_new(o, "terminal", json_string(e[k].terminal));
		json_object_set_new(o, "who", json_string(e[k].who));
		json_object_set_new(o, "result", json_string(e[k].result == 0 ? "HC_OK" :
		    hc_errname(e[k].result)));
		json_object_set_new(o, "detail", json_string(e[k].detail));
		if (e[k].charge_state >= 0)
			json_object_set_new(o, "charge_state", json_string(hc_charge_state_name(
			    (hc_charge_state_t)e[k].charge_state)));
		json_array_append_new(arr, o);
	}
	if (n == 0)
		cli_say(c, "The journal is empty.", "日志为空。");
	cli_jset(c, "entries", arr);
	free(e);
	return CLI_EXIT_OK;
}

int
cli_cmd_sync(cli_t *c, int argc, char **argv)
{
	hc_store_t *remote = NULL;
	hc_sync_stats_t s;
	int rc;

	if (argc != 2)
		return cli_usage(c, "sync: give the shared store, e.g. postgresql://host/db");
	if ((rc = cli_need_store(c)) != CLI_EXIT_OK)
		return rc;
	if ((rc = hc_store_open(argv[1], &remote)) != HC_OK)
		return cli_fail(c, rc, "sync");
	rc = hc_store_sync(c->store, remote, &s);
	hc_store_close(&remote);
	cli_jset_int(c, "journal_pushed", (int64_t)s.journal_pushed);
	cli_jset_int(c, "blacklist_pushed", (int64_t)s.bl_pushed);
	cli_jset_int(c, "blacklist_pulled", (int64_t)s.bl_pulled);
	cli_jset_int(c, "blacklist_version", s.bl_version);
	if (rc != HC_OK)
		return cli_fail(c, rc, "sync");
	cli_say(c, "Synced: %zu journal entries sent, %zu blacklist changes sent, %zu received"
	    " (version %" PRId64 ").", "同步完成：上传日志 %zu 条，上传黑名单变更 %zu 条，下载 %zu 条"
	    "（版本 %" PRId64 "）。", s.journal_pushed, s.bl_pushed, s.bl_pulled, s.bl_version);
	return CLI_EXIT_OK;
}

static const struct {
	const char *verb;
	int state;
	const char *en, *zh;
} lost_verbs[] = {
	{ "report", HC_CARD_LOST, "reported lost", "已挂失" },
	{ "found", HC_CARD_FOUND, "found again (usable)", "已解挂（可继续使用）" },
	{ "revoke", HC_CARD_REVOKED, "revoked", "已注销" },
};

/* lost report|found|revoke CARD [SERIAL] (system side); lost replace: tools/cli_issue.c */
int
cli_lost_system(cli_t *c, const char *verb, const char *card, const char *serial)
{
	hc_flow_env_t env;
	char who[33], sbuf[11];
	int64_t when = 0;
	int state = 0, rc;
	size_t k;

	for (k = 0; k < sizeof(lost_verbs) / sizeof(lost_verbs[0]); k++)
		if (strcmp(lost_verbs[k].verb, verb) == 0)
			break;
	if (k == sizeof(lost_verbs) / sizeof(lost_verbs[0]))
		return cli_usage(c, "lost: report, found, revoke or replace");
	if ((rc = cli_need_store(c)) != CLI_EXIT_OK)
		return rc;
	cli_env(c, &env);
	jset_store(c);
	cli_jset_str(c, "card_number", card);
	rc = hc_flow_report(&env, card, serial, lost_verbs[k].state);
	if (rc != HC_OK)
		return cli_fail(c, rc, card);
	/* show what the store holds now (serial resolved when not given) */
	if (serial == NULL) {
		hc_bl_entry_t e[1];
		size_t n = 0;
		if (hc_store_bl_list_card(c->store, card, e, 1, &n) == HC_OK && n == 1) {
			snprintf(sbuf, sizeof(sbuf), "%s", e[0].issue_serial);
			serial = sbuf;
		}
	}
	if (serial != NULL &&
	    hc_flow_card_state(&env, card, serial, &state, who, &when) == HC_OK) {
		cli_jset_str(c, "issue_serial", serial);
		cli_jset_str(c, "state", hc_bl_state_name((hc_bl_state_t)state));
		cli_jset_str(c, "who", who);
		cli_jset_int(c, "at", when);
	}
	cli_say(c, "Card %s (serial %s) %s by %s.", "卡 %s（发卡序列号 %s）%s，操作员 %s。", card,
	    serial == NULL ? "?" : *serial == '\0' ? (c->zh ? "任意" : "any") : serial,
	    c->zh ? lost_verbs[k].zh : lost_verbs[k].en, env.who);
	return CLI_EXIT_OK;
}
