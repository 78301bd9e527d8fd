/*
 * hcard CLI: issue (发卡) one card from a profile, or a batch from a directory of profiles
 * with a progress bar, one result line per card and a state file to resume after an
 * interruption.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/cli.h"
#include "apdu/pcsc.h"

static void
say_steps(cli_t *c, const hc_issue_result_t *r)
{
	json_t *arr = json_array();
	size_t k;

	for (k = 0; k < r->n_steps && hc_issue_step_name(k) != NULL; k++) {
		json_t *o = json_object();
		cli_say(c, "    %-22s %3lu + %3lu APDUs %8.1f ms%s%s",
		    "    %-22s %3lu + %3lu 条指令 %8.1f 毫秒%s%s",
		    hc_issue_step_name(k), r->steps[k].card_apdus, r->steps[k].sam_apdus, r->steps[k].ms,
		    r->step_note[k] != NULL ? "  " : "", r->step_note[k] != NULL ? r->step_note[k] : "");
		json_object_set_new(o, "step", json_string(hc_issue_step_name(k)));
		if (r->step_note[k] != NULL)
			json_object_set_new(o, "note", json_string(r->step_note[k]));
		json_object_set_new(o, "card_apdus", json_integer((json_int_t)r->steps[k].card_apdus));
		json_object_set_new(o, "sam_apdus", json_integer((json_int_t)r->steps[k].sam_apdus));
		json_object_set_new(o, "ms", json_real(r->steps[k].ms));
		json_array_append_new(arr, o);
	}
	cli_jset(c, "steps", arr);
}

/* Issues from a profile file (path) or profile JSON text (json, when path is NULL). */
static int
issue_one(cli_t *c, const char *path, const char *json, int check_only, int verbose,
    hc_issue_result_t *r, char *why, size_t why_cap)
{
	hc_issue_profile_t *p = NULL;
	hc_flow_env_t env;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = path != NULL ? hc_issue_profile_load(path, &p, why, why_cap) :
	    hc_issue_profile_parse(json, &p, why, why_cap);
	if (rc == HC_OK)
		rc = hc_issue_profile_validate(p, c->today, why, why_cap);
	if (rc != HC_OK || check_only)
		goto out;
	why[0] = '\0';
	cli_env(c, &env);
	rc = hc_flow_issue(c->card, &env, p, r);
	if (rc != HC_OK)
		snprintf(why, why_cap, "%s: %s", r->failed_step, hc_card_error_detail(c->card));
	if (verbose)
		say_steps(c, r);
out:
	if (p != NULL) {
		snprintf(r->card_number, sizeof(r->card_number), "%s", hc_issue_profile_card_number(p));
		snprintf(r->issue_serial, sizeof(r->issue_serial), "%s", hc_issue_profile_issue_serial(p));
	}
	hc_issue_profile_free(&p);
	return rc;
}

/* ---- batch ---- */

typedef struct batch {
	char **names;      /* profile file names, or "row-N" */
	char **jsons;      /* CSV: the rows as profile JSON; NULL for a directory */
	size_t n, cap;
} batch_t;

static int
batch_add(batch_t *b, const char *name, const char *json)
{
	if (b->n >= 100000)
		return -1;
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 64;
		char **nn = realloc(b->names, cap * sizeof(*nn)), **nj;
		if (nn == NULL)
			return -1;
		b->names = nn;
		if ((nj = realloc(b->jsons, cap * sizeof(*nj))) == NULL)
			return -1;
		b->jsons = nj;
		b->cap = cap;
	}
	b->names[b->n] = strdup(name);
	b->jsons[b->n] = json != NULL ? strdup(json) : NULL;
	if (b->names[b->n] == NULL || (json != NULL && b->jsons[b->n] == NULL)) {
		free(b->names[b->n]);
		free(b->jsons[b->n]);
		return -1;
	}
	b->n++;
	return 0;
}

static int
csv_row(size_t row, const char *json, void *arg)
{
	char name[32];

	snprintf(name, sizeof(name), "row-%05zu", row);
	return batch_add(arg, name, json);
}

static void
batch_free(batch_t *b)
{
	size_t k;

	for (k = 0; k < b->n; k++) {
		free(b->names[k]);
		free(b->jsons[k]);
	}
	free(b->names);
	free(b->jsons);
	memset(b, 0, sizeof(*b));
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.json files of dir, sorted by name. */
static int
list_profiles(const char *dir, batch_t *b)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return HC_ERR_IO;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		if (batch_add(b, e->d_name, NULL) != 0)
			break;
	}
	closedir(d);
	qsort(b->names, b->n, sizeof(*b->names), name_cmp);
	return HC_OK;
}

/* 1 if name is recorded as issued ("NAME ok ...") in the state file. */
static int
already_done(const char *state, const char *name)
{
	char line[512];
	size_t n = strlen(name);
	FILE *f = fopen(state, "r");
	int done = 0;

	if (f == NULL)
		return 0;
	while (!done && fgets(line, sizeof(line), f) != NULL)
		done = strncmp(line, name, n) == 0 && strncmp(line + n, " ok ", 4) == 0;
	fclose(f);
	return done;
}

static void
record_state(const char *state, const char *name, int rc, const hc_issue_result_t *r)
{
	FILE *f = fopen(state, "a");

	if (f == NULL)
		return;
	fprintf(f, "%s %s %s %s\n", name, rc == HC_OK ? "ok" : "failed", r->card_number,
	    rc == HC_OK ? r->issue_serial : hc_errname(rc));
	fflush(f);
	(void)fsync(fileno(f));
	fclose(f);
}

static void
progress(const cli_t *c, size_t done, size_t total)
{
	char bar[31];
	size_t k, fill = total ? done * 30 / total : 30;

	if (c->json)
		return;
	for (k = 0; k < 30; k++)
		bar[k] = k < fill ? '#' : '.';
	bar[30] = '\0';
	fprintf(stderr, "[%s] %zu/%zu\n", bar, done, total);
}

/* Waits until the card in the user-card reader is removed and another is inserted. */
static int
next_card(cli_t *c, hc_pcsc_t *pcsc, const char *reader)
{
	int present = 1, rc = HC_OK, k;

	hc_card_close(&c->card);
	cli_say(c, "Remove the card and insert the next blank card ...",
	    "请取出卡片并插入下一张空白卡……");
	fflush(stdout);
	for (k = 0; k < 1000 && present && rc == HC_OK; k++)
		rc = hc_pcsc_wait(pcsc, reader, 600000, &present);
	for (k = 0; k < 1000 && !present && rc == HC_OK; k++)
		rc = hc_pcsc_wait(pcsc, reader, 600000, &present);
	if (rc == HC_OK)
		rc = hc_card_open(c->term, &c->card);
	return rc;
}

/* Batch from a directory of *.json profiles or from a CSV file (doc/flows.md). */
static int
issue_batch(cli_t *c, const char *dir, const char *state_arg)
{
	char state[1024], path[1024], why[256], reader[HC_READER_NAME_MAX];
	hc_pcsc_t *pcsc = NULL;
	json_t *arr = json_array();
	batch_t b;
	size_t n, k, ok = 0, failed = 0, skipped = 0, len = strlen(dir);
	int rc, first = 1, csv = len > 4 && strcmp(dir + len - 4, ".csv") == 0;
	char **names;

	memset(&b, 0, sizeof(b));
	rc = csv ? hc_issue_profile_csv(dir, csv_row, &b, why, sizeof(why)) : list_profiles(dir, &b);
	if (rc != HC_OK || b.n == 0) {
		json_decref(arr);
		batch_free(&b);
		return cli_fail(c, rc != HC_OK ? rc : HC_ERR_PROFILE, rc != HC_OK && csv ? why :
		    c->zh ? "没有可发卡的配置" : "no profiles found");
	}
	names = b.names;
	n = b.n;
	snprintf(state, sizeof(state), "%s", state_arg != NULL ? state_arg : "");
	if (state_arg == NULL)
		snprintf(state, sizeof(state), "%s%s", dir, csv ? ".state" : "/.hcard-batch-state");
	if ((rc = cli_need_card(c)) != CLI_EXIT_OK || (rc = cli_need_store(c)) != CLI_EXIT_OK)
		goto out;
	snprintf(reader, sizeof(reader), "%s", hc_terminal_card_reader(c->term));
	if ((rc = hc_pcsc_new(&pcsc)) != HC_OK) {
		rc = cli_fail(c, rc, "PC/SC");
		goto out;
	}
	rc = CLI_EXIT_OK;
	for (k = 0; k < n; k++) {
		hc_issue_result_t r;
		json_t *o;
		int irc;

		if (already_done(state, names[k])) {
			skipped++;
			continue;
		}
		if (!first && (irc = next_card(c, pcsc, reader)) != HC_OK) {
			rc = cli_fail(c, irc, "waiting for the next card");
			break;
		}
		first = 0;
		snprintf(path, sizeof(path), "%s/%s", dir, names[k]);
		irc = issue_one(c, csv ? NULL : path, b.jsons[k], 0, 0, &r, why, sizeof(why));
		record_state(state, names[k], irc, &r);
		irc == HC_OK ? ok++ : failed++;
		cli_say(c, "%s: %s %s %s%s%s", "%s：%s %s %s%s%s", names[k],
		    irc == HC_OK ? (c->zh ? "成功" : "issued") : (c->zh ? "失败" : "FAILED"),
		    r.card_number, irc == HC_OK ? r.issue_serial : hc_errname(irc),
		    irc == HC_OK ? "" : " ", irc == HC_OK ? "" : why);
		o = json_object();
		json_object_set_new(o, "profile", json_string(names[k]));
		json_object_set_new(o, "result", json_string(hc_errname(irc)));
		json_object_set_new(o, "card_number", json_string(r.card_number));
		json_object_set_new(o, "issue_serial", json_string(r.issue_serial));
		if (irc != HC_OK)
			json_object_set_new(o, "why", json_string(why));
		json_array_append_new(arr, o);
		progress(c, ok + failed + skipped, n);
	}
	cli_say(c, "Batch: %zu issued, %zu failed, %zu already done (state file %s).",
	    "批量发卡：成功 %zu，失败 %zu，此前已完成 %zu（状态文件 %s）。", ok, failed, skipped, state);
	cli_jset_int(c, "issued", (int64_t)ok);
	cli_jset_int(c, "failed", (int64_t)failed);
	cli_jset_int(c, "skipped", (int64_t)skipped);
	if (rc == CLI_EXIT_OK && failed > 0)
		rc = CLI_EXIT_DATA;
out:
	cli_jset(c, "cards", arr);
	batch_free(&b);
	hc_pcsc_free(&pcsc);
	return rc;
}

int
cli_cmd_issue(cli_t *c, int argc, char **argv)
{
	hc_issue_result_t r;
	char why[256];
	int rc, check = 0;

	if (argc >= 3 && strcmp(argv[1], "--batch") == 0) {
		if (argc == 3)
			return issue_batch(c, argv[2], NULL);
		if (argc == 5 && strcmp(argv[3], "--state") == 0)
			return issue_batch(c, argv[2], argv[4]);
		return cli_usage(c, "issue --batch DIR|FILE.csv [--state FILE]");
	}
	if (argc == 3 && strcmp(argv[2], "--check") == 0)
		check = 1;
	else if (argc != 2)
		return cli_usage(c, "issue PROFILE.json [--check] | issue --batch DIR [--state FILE]");
	if (!check && ((rc = cli_need_card(c)) != CLI_EXIT_OK ||
	    (rc = cli_need_store(c)) != CLI_EXIT_OK))
		return rc;
	rc = issue_one(c, argv[1], NULL, check, 1, &r, why, sizeof(why));
	cli_jset_str(c, "card_number", r.card_number);
	cli_jset_str(c, "issue_serial", r.issue_serial);
	if (rc != HC_OK) {
		cli_jset_str(c, "why", why);
		return cli_fail(c, rc, why);
	}
	if (check) {
		cli_say(c, "Profile %s is valid (card %s, serial %s).", "配置 %s 有效（卡号 %s，序列号 %s）。",
		    argv[1], r.card_number, r.issue_serial);
		return CLI_EXIT_OK;
	}
	cli_jset_str(c, "entry_id", r.entry_id);
	cli_jset_cost(c, &r.cost);
	cli_say(c, "Issued card %s, serial %s (journal %s).", "发卡成功：卡号 %s，序列号 %s（日志 %s）。",
	    r.card_number, r.issue_serial, r.entry_id);
	cli_say_cost(c, &r.cost);
	return CLI_EXIT_OK;
}
