/*
 * hcard CLI: charge, balance, load, PIN.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>

#include "tools/cli.h"
#include "apdu/buf.h"

/* A visit file: one `ITEM-NUMBER=VALUE` per line (items of visit-records.csv, outpatient),
 * '#' comments; at most VISIT_FILE_MAX bytes (`--visit /dev/zero` must not hang, issue 12
 * item 16). */
#define VISIT_FILE_MAX (64u * 1024u)
static int
load_visit(cli_t *c, const char *path, hc_visit_record_t **out)
{
	hc_visit_record_t *rec = NULL;
	char line[1024];
	FILE *f;
	int rc, lineno = 0;
	size_t total = 0, n;

	if ((f = fopen(path, "r")) == NULL)
		return cli_fail(c, HC_ERR_IO, path);
	if ((rc = hc_visit_record_new(HC_VISIT_OUTPATIENT, &rec)) != HC_OK)
		goto out;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *eq = strchr(line, '='), *nl = strpbrk(line, "\r\n"), *end;
		long item;

		lineno++;
		n = strlen(line);
		total += n;
		/* a line cut short by a NUL byte (not text), or too much */
		if (total > VISIT_FILE_MAX || (n < sizeof(line) - 1 &&
		    (n == 0 || line[n - 1] != '\n') && !feof(f))) {
			fclose(f);
			hc_visit_record_free(&rec);
			return cli_usage(c, "--visit %s: not a text file of at most %u bytes", path,
			    VISIT_FILE_MAX);
		}
		if (nl != NULL)
			*nl = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (eq == NULL || (item = strtol(line, &end, 10)) <= 0 || end != eq) {
			rc = HC_ERR_BAD_VALUE;
			break;
		}
		if ((rc = hc_visit_record_set_no(rec, (int)item, eq + 1)) != HC_OK)
			break;
	}
out:
	fclose(f);
	if (rc != HC_OK) {
		char what[600];
		snprintf(what, sizeof(what), "%s line %d", path, lineno);
		hc_visit_record_free(&rec);
		return cli_fail(c, rc, what);
	}
	*out = rec;
	return CLI_EXIT_OK;
}

static int64_t
yuan_opt(cli_t *c, const char *name, const char *v, int *bad)
{
	int64_t fen = cli_parse_yuan(v);

	if (fen < 0) {
		*bad = cli_usage(c, "%s: an amount in yuan like 27.28, not %s", name, v);
		return 0;
	}
	return fen;
}

/* The cardholder PIN's sources: --pin (deprecated), --pin-file, $HCARD_PIN, the terminal. */
static void
pin_src_init(cli_pin_src_t *s)
{
	static const cli_pin_src_t cardholder = {
		.opt_name = "--pin", .file_name = "--pin-file FILE", .env = "HCARD_PIN",
		.prompt_en = "Cardholder PIN: ", .prompt_zh = "持卡人密码：",
	};

	*s = cardholder;
}

/* The PIN given by an option, a file or $HCARD_PIN, read before the card is opened (a bad
 * file fails before anything is sent); none with --pin-pad, $HCARD_PIN only for the ED. */
static int
pin_given(cli_t *c, int ed, int pad, const cli_pin_src_t *s, char *buf, const char **pin)
{
	cli_pin_src_t src = *s;

	*pin = NULL;
	if (pad || (!ed && s->opt == NULL && s->file == NULL))
		return CLI_EXIT_OK;
	if (!ed)
		src.env = NULL;
	return cli_pin_get(c, &src, CLI_PIN_TTY_NO, buf, CLI_PIN_BUF, pin);
}

/*
 * How an ED operation gets the cardholder PIN: given (--pin-file, $HCARD_PIN, the deprecated
 * --pin), on the reader's PIN pad (--pin-pad), or, when neither was given, on the pad if the
 * reader has one, else typed on the terminal without echo (into buf; no terminal: ask says,
 * CLI_PIN_TTY_OPTIONAL goes on without a PIN and the card decides). The pad prompt (stderr, not with --json) tells the cashier to hand the pad
 * to the cardholder; JSON gets "pin_pad". --pin-pad on a reader without a pad fails before
 * anything is sent.
 */
static int
pin_source(cli_t *c, int ed, const cli_pin_src_t *s, char *buf, const char **pin, int *pad,
    int ask)
{
	int has = 0, rc;

	if (!ed) {
		cli_jset(c, "pin_pad", json_false());    /* EP: no PIN at all */
		return CLI_EXIT_OK;
	}
	if (*pin == NULL || *pad) {
		if ((rc = hc_purse_reader_has_pinpad(c->card, &has)) != HC_OK)
			return cli_fail(c, rc, hc_card_error_detail(c->card));
		if (*pad && !has)
			return cli_fail(c, HC_ERR_NO_PINPAD, "--pin-pad");
		if (*pin == NULL && has)
			*pad = 1;
	}
	cli_jset(c, "pin_pad", json_boolean(*pad));
	if (*pad && !c->json) {
		fprintf(stderr, c->zh ? "请持卡人在读卡器的密码键盘上输入密码并按确认键（%d 秒内；"
		    "按取消键放弃）。\n" : "Cardholder: type the PIN on the reader's PIN pad and press OK"
		    " (within %d s; the cancel key gives up).\n", HC_PURSE_PINPAD_TIMEOUT_S);
		fflush(stderr);
	}
	if (!*pad && *pin == NULL)
		return cli_pin_get(c, s, ask, buf, CLI_PIN_BUF, pin);
	return CLI_EXIT_OK;
}

/* A refused PIN: its tries into JSON and the detail. */
static int
pin_fail(cli_t *c, int rc, int tries)
{
	char what[96];

	if (tries < 0 || (rc != HC_ERR_PIN_WRONG && rc != HC_ERR_PIN_BLOCKED))
		return cli_fail(c, rc, hc_card_error_detail(c->card));
	cli_jset_int(c, "tries_left", tries);
	snprintf(what, sizeof(what), c->zh ? "持卡人密码（还可尝试 %d 次）" :
	    "cardholder PIN (%d tries left)", tries);
	return cli_fail(c, rc, what);
}

/* Decides the torn loads of this card (CREDIT ran, its answer lost) before any new purse
 * operation and says what became of each (issue 12 item 3). *same (may be NULL) = 1 when
 * one of them was loaded with this ledger and amount: a repeated `load` after a torn one. */
static int
resolve_loads(cli_t *c, hc_purse_t *p, hc_ledger_t ledger, int64_t amount, int *same)
{
	hc_purse_load_receipt_t done[4];
	size_t n = 0, open = 0, i;
	char s[32];
	int rc;

	if ((rc = hc_purse_load_recover(p, done, 4, &n, &open)) != HC_OK)
		return rc;
	cli_jset_int(c, "loads_resolved", (int64_t)n);
	for (i = 0; i < n && i < 4; i++) {
		cli_fmt_yuan(done[i].amount, s, sizeof(s));
		if (done[i].state == HC_PURSE_COMPLETED_TAC_UNKNOWN && same != NULL &&
		    done[i].ledger == ledger && done[i].amount == amount)
			*same = 1;
		if (done[i].state == HC_PURSE_COMPLETED_TAC_UNKNOWN)
			cli_say(c, "An interrupted load of %s yuan was completed: the card holds it.",
			    "一笔中断的圈存 %s 元已完成：卡内已有这笔金额。", s);
		else
			cli_say(c, "An interrupted load of %s yuan was not done: nothing was loaded.",
			    "一笔中断的圈存 %s 元未完成：卡内未增加金额。", s);
	}
	if (open > 0) {
		cli_jset_int(c, "loads_open", (int64_t)open);
		cli_say(c, "%zu interrupted load(s) of this card cannot be decided from the card"
		    " (its record is gone): clear them by hand (hcard journal).",
		    "此卡有 %zu 笔中断的圈存无法从卡上判定（记录已滚出）：请人工核对（hcard journal）。",
		    open);
	}
	return HC_OK;
}

/* The charge is done, its visit record is not (issue 12 item 4): never "repeat the
 * operation" without saying that a repeat only finishes the record. */
static int
visit_fail(cli_t *c, int err, const char *total, const char *entry, const char *visit_path)
{
	fflush(stdout);
	fprintf(stderr, c->zh ? "hcard: 扣费 %s 元已完成（记录 %s），门诊记录未写入（%s）。请勿重新扣费；"
	    "补写记录：hcard charge %s --retry %s --visit %s（重复同一命令也只补写记录）。\n" :
	    "hcard: the charge of %s yuan is done (entry %s); the visit record was not written (%s)."
	    " Do not charge again; finish the record with: hcard charge %s --retry %s --visit %s"
	    " (repeating the same command also only finishes the record).\n", total, entry,
	    c->zh ? hc_strerror_zh(err) : hc_strerror(err), total, entry, visit_path);
	cli_jset_str(c, "error", hc_errname(err));
	cli_jset_int(c, "code", err);
	cli_jset_str(c, "message", "the charge is done; the visit record was not written: finish"
	    " it with --retry ENTRY --visit FILE");
	cli_jset_str(c, "retry", entry);
	return cli_exit_code(err);
}

/* A load whose CREDIT answer was lost: its own words, not those of a charge. */
static int
load_torn(cli_t *c, const char *amount)
{
	fflush(stdout);
	fprintf(stderr, c->zh ? "hcard: 圈存 %s 元中断（卡的应答丢失），是否已圈存尚不确定：请再次出示"
	    "同一张卡，下一次操作会先判定它（不要重复圈存）。\n" : "hcard: the load of %s yuan was"
	    " interrupted (the card's answer was lost) and may or may not be on the card: present"
	    " the same card again; the next operation decides it first (do not load it again).\n",
	    amount);
	cli_jset_str(c, "error", hc_errname(HC_ERR_RECOVERY_PENDING));
	cli_jset_int(c, "code", HC_ERR_RECOVERY_PENDING);
	cli_jset_str(c, "message", "the load was interrupted: the next operation on this card"
	    " decides it");
	return cli_exit_code(HC_ERR_RECOVERY_PENDING);
}

int
cli_cmd_charge(cli_t *c, int argc, char **argv)
{
	hc_charge_request_t req;
	hc_charge_result_t r;
	hc_flow_env_t env;
	hc_visit_record_t *visit = NULL;
	const char *visit_path = NULL;
	char total_s[32], self_s[32], fund_s[32], acct_s[32], bal_s[32], tac[9];
	char pinbuf[CLI_PIN_BUF] = "";
	cli_pin_src_t src;
	int i, rc, bad = 0;

	memset(&req, 0, sizeof(req));
	pin_src_init(&src);
	req.ledger = HC_LEDGER_EP;
	if (argc < 2)
		return cli_usage(c, "charge AMOUNT [--fund X --account Y] [--ed [--pin-file F | --pin-pad]]"
		    " [--visit FILE]");
	req.total = yuan_opt(c, "AMOUNT", argv[1], &bad);
	for (i = 2; i < argc && !bad; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(argv[i], "--ed") == 0) {
			req.ledger = HC_LEDGER_ED;
			continue;
		}
		if (strcmp(argv[i], "--pin-pad") == 0) {
			req.pin_pad = 1;
			continue;
		}
		if (v == NULL)
			return cli_usage(c, "charge: %s needs a value", argv[i]);
		if (strcmp(argv[i], "--fund") == 0)
			req.fund = yuan_opt(c, "--fund", v, &bad);
		else if (strcmp(argv[i], "--account") == 0)
			req.account = yuan_opt(c, "--account", v, &bad);
		else if (strcmp(argv[i], "--pin") == 0)
			src.opt = argv[i + 1];
		else if (strcmp(argv[i], "--pin-file") == 0)
			src.file = v;
		else if (strcmp(argv[i], "--visit") == 0)
			visit_path = v;
		else if (strcmp(argv[i], "--retry") == 0)
			req.retry_of = v;
		else
			return cli_usage(c, "charge: unknown option %s", argv[i][0] == '-' ? argv[i] :
			    "(a value without its option)");
		i++;
	}
	if (bad)
		return bad;
	if (req.pin_pad && (src.opt != NULL || src.file != NULL || req.ledger != HC_LEDGER_ED))
		return cli_usage(c, "charge: --pin-pad is for the ED ledger (--ed), instead of"
		    " --pin-file");
	req.self_pay = req.total - req.fund - req.account;
	if (req.self_pay < 0)
		return cli_fail(c, HC_ERR_SPLIT, "fund + account exceed the amount");
	if (visit_path != NULL && (rc = load_visit(c, visit_path, &visit)) != CLI_EXIT_OK)
		return rc;
	req.visit = visit;
	if ((rc = pin_given(c, req.ledger == HC_LEDGER_ED, req.pin_pad, &src, pinbuf, &req.pin)) !=
	    CLI_EXIT_OK)
		goto out;
	if ((rc = cli_need_card(c)) != CLI_EXIT_OK || (rc = cli_need_store(c)) != CLI_EXIT_OK)
		goto out;
	if ((rc = pin_source(c, req.ledger == HC_LEDGER_ED, &src, pinbuf, &req.pin,
	    &req.pin_pad, CLI_PIN_TTY_OPTIONAL)) != CLI_EXIT_OK)
		goto out;
	{
		hc_purse_t *p = NULL;

		/* a torn load first, with its words (the flow resolves torn charges) */
		if ((rc = hc_purse_open(c->card, c->store, &p)) == HC_OK)
			rc = resolve_loads(c, p, req.ledger, 0, NULL);
		hc_purse_free(&p);
		if (rc != HC_OK) {
			rc = cli_fail(c, rc, hc_card_error_detail(c->card));
			goto out;
		}
	}
	cli_env(c, &env);
	rc = hc_flow_charge(c->card, &env, &req, &r);
	cli_fmt_yuan(req.total, total_s, sizeof(total_s));
	cli_fmt_yuan(req.fund, fund_s, sizeof(fund_s));
	cli_fmt_yuan(req.account, acct_s, sizeof(acct_s));
	cli_fmt_yuan(req.self_pay, self_s, sizeof(self_s));
	cli_jset_str(c, "total", total_s);
	cli_jset_str(c, "fund", fund_s);
	cli_jset_str(c, "account", acct_s);
	cli_jset_str(c, "self_pay", self_s);
	cli_jset_str(c, "entry_id", r.receipt.entry_id);
	cli_jset_int(c, "recovered", (int64_t)r.recovered);
	cli_jset_cost(c, &r.cost);
	if (rc != HC_OK) {
		rc = pin_fail(c, rc, r.receipt.pin_tries_left);
		goto out;
	}
	(void)hc_hex_encode(r.receipt.tac, 4, tac, sizeof(tac));
	cli_fmt_yuan(r.receipt.balance_after, bal_s, sizeof(bal_s));
	cli_jset_str(c, "tac", tac);
	cli_jset_str(c, "balance", bal_s);
	if (r.recovered > 0)
		cli_say(c, "Resolved %zu interrupted charge(s) of this card first.",
		    "已先处理此卡 %zu 笔中断的扣款。", r.recovered);
	cli_jset_int(c, "repeated", r.repeated);
	if (r.repeated)
		cli_say(c, "This charge was already taken (entry %s): not charged again.",
		    "这笔扣费已经完成（记录 %s）：不再重复扣费。", r.receipt.entry_id);
	cli_say(c, "Charged %s yuan: fund %s, account %s, self-pay %s from the card (TAC %s)."
	    " Balance %s yuan.", "扣费 %s 元：统筹基金 %s，个人账户 %s，个人自付 %s 由卡支付（TAC %s）。"
	    "余额 %s 元。", total_s, fund_s, acct_s, self_s, tac, bal_s);
	if (visit != NULL) {
		cli_jset_int(c, "visit_slot", r.visit_slot);
		cli_jset_str(c, "visit_result", hc_errname(r.visit_result));
		if (r.visit_result == HC_OK)
			cli_say(c, "Outpatient record written and signed in slot %d.",
			    "门诊记录已写入并签名（第 %d 条）。", r.visit_slot);
		else
			rc = visit_fail(c, r.visit_result, total_s, r.receipt.entry_id, visit_path);
	}
	cli_say_cost(c, &r.cost);
out:
	hc_visit_record_free(&visit);
	hc_wipe(pinbuf, sizeof(pinbuf));
	return rc;
}

/* --ed, --pin-file FILE, --pin PIN (deprecated; "-": from standard input), --pin-pad into
 * *s (values point into argv) */
static int
ledger_opts(cli_t *c, int argc, char **argv, int first, hc_ledger_t *ledger, cli_pin_src_t *s,
    int *pad)
{
	int i;

	*ledger = HC_LEDGER_EP;
	*pad = 0;
	pin_src_init(s);
	for (i = first; i < argc; i++) {
		if (strcmp(argv[i], "--ed") == 0)
			*ledger = HC_LEDGER_ED;
		else if (strcmp(argv[i], "--pin") == 0 && i + 1 < argc)
			s->opt = argv[++i];
		else if (strcmp(argv[i], "--pin-file") == 0 && i + 1 < argc)
			s->file = argv[++i];
		else if (strcmp(argv[i], "--pin-pad") == 0)
			*pad = 1;
		else
			return cli_usage(c, "%s: unknown option %s", argv[0], argv[i][0] == '-' ?
			    argv[i] : "(a value without its option)");
	}
	if (*pad && (s->opt != NULL || s->file != NULL || *ledger != HC_LEDGER_ED))
		return cli_usage(c, "%s: --pin-pad is for the ED ledger (--ed), instead of"
		    " --pin-file", argv[0]);
	return CLI_EXIT_OK;
}

int
cli_cmd_balance(cli_t *c, int argc, char **argv)
{
	hc_purse_t *p = NULL;
	hc_ledger_t ledger;
	const char *pin = NULL;
	int64_t fen = 0;
	char s[32], pinbuf[CLI_PIN_BUF] = "";
	cli_pin_src_t src;
	int rc, tries = -1, pad = 0;

	if ((rc = ledger_opts(c, argc, argv, 1, &ledger, &src, &pad)) != CLI_EXIT_OK ||
	    (rc = pin_given(c, ledger == HC_LEDGER_ED, pad, &src, pinbuf, &pin)) != CLI_EXIT_OK)
		goto out;
	if ((rc = cli_need_card(c)) != CLI_EXIT_OK ||
	    (rc = pin_source(c, ledger == HC_LEDGER_ED, &src, pinbuf, &pin, &pad,
	    CLI_PIN_TTY_OPTIONAL)) != CLI_EXIT_OK)
		goto out;
	if ((rc = hc_purse_open(c->card, NULL, &p)) == HC_OK && (pin != NULL || pad))
		rc = pad ? hc_purse_verify_pin_pad(p, &tries) : hc_purse_verify_pin(p, pin, &tries);
	if (rc == HC_OK)
		rc = hc_purse_balance(p, ledger, &fen);
	hc_purse_free(&p);
	if (rc != HC_OK) {
		rc = pin_fail(c, rc, tries);
		goto out;
	}
	cli_fmt_yuan(fen, s, sizeof(s));
	cli_jset_str(c, "ledger", ledger == HC_LEDGER_ED ? "ED" : "EP");
	cli_jset_str(c, "balance", s);
	cli_jset_int(c, "balance_fen", fen);
	cli_say(c, "Balance (%s): %s yuan", "余额（%s）：%s 元", ledger == HC_LEDGER_ED ?
	    (c->zh ? "电子存折" : "ED") : (c->zh ? "电子钱包" : "EP"), s);
	rc = CLI_EXIT_OK;
out:
	hc_wipe(pinbuf, sizeof(pinbuf));
	return rc;
}

int
cli_cmd_load(cli_t *c, int argc, char **argv)
{
	hc_purse_t *p = NULL;
	hc_purse_issuer_t *is = NULL;
	hc_purse_load_receipt_t r;
	hc_ledger_t ledger;
	const char *pin = NULL;
	int64_t fen;
	char s[32], b[32], pinbuf[CLI_PIN_BUF] = "";
	cli_pin_src_t src;
	int rc, bad = 0, pad = 0, same = 0;

	if (argc < 2)
		return cli_usage(c, "load AMOUNT [--ed [--pin-file F | --pin-pad]]");
	fen = yuan_opt(c, "AMOUNT", argv[1], &bad);
	if (bad)
		return bad;
	if ((rc = ledger_opts(c, argc, argv, 2, &ledger, &src, &pad)) != CLI_EXIT_OK ||
	    (rc = pin_given(c, ledger == HC_LEDGER_ED, pad, &src, pinbuf, &pin)) != CLI_EXIT_OK)
		goto out;
	if ((rc = cli_need_card(c)) != CLI_EXIT_OK || (rc = cli_need_store(c)) != CLI_EXIT_OK)
		goto out;
	{
		hc_flow_env_t env;
		cli_env(c, &env);
		if ((rc = hc_flow_check_card(c->card, &env, NULL)) != HC_OK) {
			rc = cli_fail(c, rc, hc_card_error_detail(c->card));
			goto out;
		}
	}
	if ((rc = hc_purse_issuer_open(c->issuer_keys, &is)) != HC_OK) {
		rc = cli_fail(c, rc, "issuer key set (--issuer-keys)");
		goto out;
	}
	if ((rc = pin_source(c, ledger == HC_LEDGER_ED, &src, pinbuf, &pin, &pad,
	    CLI_PIN_TTY_OPTIONAL)) != CLI_EXIT_OK)
		goto out;
	if ((rc = hc_purse_open(c->card, c->store, &p)) == HC_OK &&
	    (rc = resolve_loads(c, p, ledger, fen, &same)) == HC_OK && !same)
		rc = hc_purse_load(p, is, ledger, fen, pad ? HC_PURSE_PIN_PAD : pin, &r);
	hc_purse_free(&p);
	cli_fmt_yuan(fen, s, sizeof(s));
	if (rc == HC_OK && same) {
		/* the repeat of a torn load that was done: not loaded a second time */
		cli_jset_str(c, "amount", s);
		cli_jset_int(c, "loaded_again", 0);
		cli_say(c, "That load of %s yuan is already on the card: not loaded again.",
		    "这笔 %s 元的圈存已在卡上：不再重复圈存。", s);
		rc = CLI_EXIT_OK;
		goto out;
	}
	if (rc == HC_ERR_RECOVERY_PENDING) {
		rc = load_torn(c, s);
		goto out;
	}
	if (rc != HC_OK) {
		rc = cli_fail(c, rc, hc_card_error_detail(c->card));
		goto out;
	}
	cli_fmt_yuan(r.balance_after, b, sizeof(b));
	cli_jset_str(c, "amount", s);
	cli_jset_str(c, "balance", b);
	cli_say(c, "Loaded %s yuan; balance %s yuan.", "圈存 %s 元；余额 %s 元。", s, b);
	rc = CLI_EXIT_OK;
out:
	hc_purse_issuer_free(&is);
	hc_wipe(pinbuf, sizeof(pinbuf));
	return rc;
}

int
cli_cmd_pin(cli_t *c, int argc, char **argv)
{
	static const char usage[] = "pin verify [--pin-file FILE | --pin-pad] | pin change "
	    "[--pin-file FILE] [--new-pin-file FILE] (asked without echo otherwise)";
	hc_purse_t *p = NULL;
	const char *pin = NULL, *new_pin = NULL;
	char buf1[CLI_PIN_BUF] = "", buf2[CLI_PIN_BUF] = "", again[CLI_PIN_BUF] = "";
	cli_pin_src_t old_src, new_src;
	int i, rc, tries = -1, change, pad = 0;

	static const cli_pin_src_t new_pin_src = {
		.opt_name = "--new-pin", .file_name = "--new-pin-file FILE", .env = "HCARD_NEW_PIN",
		.prompt_en = "New cardholder PIN: ", .prompt_zh = "新持卡人密码：",
		.prompt2_en = "New cardholder PIN again: ", .prompt2_zh = "再次输入新持卡人密码：",
	};

	pin_src_init(&old_src);
	new_src = new_pin_src;
	if (argc < 2 || (strcmp(argv[1], "verify") != 0 && strcmp(argv[1], "change") != 0))
		return cli_usage(c, "%s", usage);
	change = strcmp(argv[1], "change") == 0;
	if (change) {
		old_src.prompt_en = "Current cardholder PIN: ";
		old_src.prompt_zh = "当前持卡人密码：";
	}
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--pin-pad") == 0)
			pad = 1;
		else if (strcmp(argv[i], "--pin") == 0 && i + 1 < argc)
			old_src.opt = argv[++i];
		else if (strcmp(argv[i], "--pin-file") == 0 && i + 1 < argc)
			old_src.file = argv[++i];
		else if (strcmp(argv[i], "--new-pin") == 0 && i + 1 < argc)
			new_src.opt = argv[++i];
		else if (strcmp(argv[i], "--new-pin-file") == 0 && i + 1 < argc)
			new_src.file = argv[++i];
		else {
			rc = cli_usage(c, "pin: unknown option %s", argv[i][0] == '-' ? argv[i] :
			    "(a value without its option)");
			goto out;
		}
	}
	/* CHANGE PIN carries the old and the new PIN in one command; a pad's VERIFY_PIN_DIRECT
	 * reads one PIN into a VERIFY: change is keyboard only */
	if (change && pad) {
		rc = cli_usage(c, "pin change: keyboard only (the terminal, --pin-file FILE,"
		    " --new-pin-file FILE): a PIN pad can only verify a PIN");
		goto out;
	}
	if ((pad && (old_src.opt != NULL || old_src.file != NULL)) ||
	    (!change && (new_src.opt != NULL || new_src.file != NULL))) {
		rc = cli_usage(c, "%s", usage);
		goto out;
	}
	/* PINs first (files, environment, the terminal): nothing is sent before they are in */
	if (change && ((rc = cli_pin_get(c, &old_src, CLI_PIN_TTY_REQUIRED, buf1, sizeof(buf1),
	    &pin)) != CLI_EXIT_OK || (rc = cli_pin_get_new(c, &new_src, buf2, again, sizeof(buf2),
	    &new_pin)) != CLI_EXIT_OK))
		goto out;
	if (!change && !pad &&
	    (rc = pin_given(c, 1, pad, &old_src, buf1, &pin)) != CLI_EXIT_OK)
		goto out;
	if ((rc = cli_need_card(c)) != CLI_EXIT_OK || (rc = cli_need_store(c)) != CLI_EXIT_OK)
		goto out;
	{
		hc_flow_env_t env;
		cli_env(c, &env);
		if ((rc = hc_flow_check_card(c->card, &env, NULL)) != HC_OK) {
			rc = cli_fail(c, rc, NULL);
			goto out;
		}
	}
	if (!change && (rc = pin_source(c, 1, &old_src, buf1, &pin, &pad,
	    CLI_PIN_TTY_REQUIRED)) != CLI_EXIT_OK)
		goto out;
	if (!change && pin == NULL && !pad) {
		/* no PIN, no terminal and no pad on this reader */
		rc = cli_usage(c, "%s (no terminal to ask on and this reader has no PIN pad)", usage);
		goto out;
	}
	if ((rc = hc_purse_open(c->card, NULL, &p)) == HC_OK)
		rc = change ? hc_purse_change_pin(p, pin, new_pin, &tries) :
		    pad ? hc_purse_verify_pin_pad(p, &tries) : hc_purse_verify_pin(p, pin, &tries);
	hc_purse_free(&p);
	if (rc != HC_OK) {
		rc = pin_fail(c, rc, tries);
		goto out;
	}
	cli_say(c, "%s", "%s", change ? (c->zh ? "密码已修改。" : "PIN changed.") :
	    (c->zh ? "密码正确。" : "PIN correct."));
	rc = CLI_EXIT_OK;
out:
	hc_wipe(buf1, sizeof(buf1));
	hc_wipe(buf2, sizeof(buf2));
	hc_wipe(again, sizeof(again));
	return rc;
}
