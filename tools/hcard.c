/*
 * hcard: the command-line face of libhcard for a hospital front desk and an issuing station.
 * doc/hcard.1 is its manual. Human output in Chinese or English by locale, --json for
 * machines, exit codes per tools/cli.h.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "tools/cli.h"
#include "apdu/buf.h"

static const cli_cmd_t commands[] = {
	{ "readers", cli_cmd_readers, "readers", "list the PC/SC readers and their cards",
	  "列出读卡器及其中的卡" },
	{ "status", cli_cmd_status, "status", "card number, life cycle, blacklist state, SAM",
	  "卡号、生命周期、黑名单状态、SAM" },
	{ "read", cli_cmd_read, "read [--all | SECTION]", "read the cardholder's data",
	  "读取持卡人信息" },
	{ "register", cli_cmd_register, "register", "register a patient (挂号)", "挂号" },
	{ "charge", cli_cmd_charge,
	  "charge AMOUNT [--fund X --account Y] [--ed [--pin-file F | --pin-pad]] [--visit FILE]",
	  "charge the card (扣费); AMOUNT and the split in yuan", "扣费（金额单位：元）" },
	{ "balance", cli_cmd_balance, "balance [--ed [--pin-file F | --pin-pad]]", "purse balance",
	  "查询余额" },
	{ "load", cli_cmd_load, "load AMOUNT [--ed [--pin-file F | --pin-pad]]", "load the purse (圈存)",
	  "圈存" },
	{ "pin", cli_cmd_pin, "pin verify [--pin-file F | --pin-pad] | pin change [--pin-file F]"
	  " [--new-pin-file F]",
	  "verify (keyboard or the reader's PIN pad) or change (keyboard) the cardholder PIN",
	  "校验（键盘或读卡器密码键盘）或修改（仅键盘）持卡人密码" },
	{ "lost", cli_cmd_lost, "lost report|found|revoke [CARD [SERIAL]] | lost replace SERIAL",
	  "report a card lost, found, revoked; issue a replacement (补办)", "挂失、解挂、注销、补办" },
	{ "block", cli_cmd_block, "block [--permanent]", "block the card's applications (type 4/5 SAM)",
	  "锁定卡片应用（需 4/5 类 SAM）" },
	{ "unblock", cli_cmd_unblock, "unblock", "unblock a temporarily blocked card", "解锁卡片应用" },
	{ "issue", cli_cmd_issue, "issue PROFILE.json [--check] | issue --batch DIR|CSV [--state FILE]",
	  "issue a card from a profile (发卡, type 5 SAM)", "发卡（需 5 类 SAM）" },
	{ "journal", cli_cmd_journal, "journal [--card CARD] [--limit N]", "show the journal",
	  "查看交易日志" },
	{ "sync", cli_cmd_sync, "sync REMOTE-URI", "sync journal and blacklist with the shared store",
	  "与共享存储同步日志和黑名单" },
	{ "sam", cli_cmd_sam, "sam info | sam cert [--out FILE] | sam pin change [--old-pin-file F"
	  " --new-pin-file F]", "the terminal's SAM: identity and certificate, its PIN (no user card)",
	  "终端 SAM：身份与证书、修改 SAM 密码（无需用户卡）" },
	{ "doctor", cli_cmd_doctor, "doctor", "check readers, pcscd, udev access and the SAM",
	  "检查读卡器、pcscd、设备权限和 SAM" },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
help(const cli_t *c, FILE *f)
{
	size_t k;

	fprintf(f, c->zh ? "用法：hcard [选项] 命令 [参数]\n\n命令：\n" :
	    "usage: hcard [options] COMMAND [ARGS]\n\ncommands:\n");
	for (k = 0; k < N_COMMANDS; k++)
		fprintf(f, "  %-72s\n      %s\n", commands[k].usage,
		    c->zh ? commands[k].help_zh : commands[k].help_en);
	fprintf(f, c->zh ? "\n选项：" : "\noptions:");
	fprintf(f, " --json --lang zh|en --conf FILE --store URI --trust FILE --issuer-keys FILE\n"
	    "         --operator NAME --reader NAME --sam-reader NAME\n"
	    "PINs: the terminal (no echo), --pin-file FILE, HCARD_PIN (tests); the SAM's from\n"
	    "HCARD_SAM_PIN or hcard.conf; --pin PIN, --new-pin PIN, --sam-pin PIN are deprecated\n");
	fprintf(f, c->zh ? "\n退出码：0 成功，1 用法错误，2 卡被拒绝，3 环境/读卡器/SAM 问题，"
	    "4 输入数据无效，5 卡片拒绝操作，6 存储故障，7 内部错误（详见 man hcard）\n" :
	    "\nexit status: 0 ok, 1 usage, 2 card refused, 3 setup (pcscd, reader, SAM), "
	    "4 invalid input, 5 the card said no, 6 store, 7 internal (see man hcard)\n");
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* The hcard.conf keys the CLI reads itself ("key = value"; the library reads the rest,
 * src/conf.h), for commands that open no card too, and the setting each one fills when
 * neither its option nor its environment variable gave a value (doc/flows.md "hcard.conf"). */
static const struct conf_slot {
	const char *key;
	size_t field;             /* offset of the const char * in cli_t */
} conf_slots[CLI_CONF_KEYS] = {
	{ "store", offsetof(cli_t, store_uri) },
	{ "trust_anchor", offsetof(cli_t, trust_path) },
	{ "issuer_keys", offsetof(cli_t, issuer_keys) },
	{ "operator", offsetof(cli_t, who) },
	{ "pki_ca_key", offsetof(cli_t, pki_ca_key) },
	{ "pki_ca_cert", offsetof(cli_t, pki_ca_cert) },
	{ "pki_sm2_ca_key", offsetof(cli_t, pki_sm2_ca_key) },
	{ "pki_sm2_ca_cert", offsetof(cli_t, pki_sm2_ca_cert) },
};

/* Reads those keys from hcard.conf (--conf, $HCARD_CONF, $sysconfdir/hcard.conf). A missing
 * file is fine: the defaults suit the simulator. A file larger than CLI_CONF_MAX (the
 * library's bound, src/config.c) is refused: `--conf /dev/urandom` must not hang (issue 12
 * item 16). */
#define CLI_CONF_MAX (64u * 1024u)
static int
read_conf(cli_t *c)
{
	const char *path = c->conf != NULL ? c->conf : getenv("HCARD_CONF");
	char line[600];
	FILE *f;
	size_t k, total = 0;

	if (path == NULL)
		path = SYSCONFDIR "/hcard.conf";
	if ((f = fopen(path, "r")) == NULL)
		return CLI_EXIT_OK;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *eq = strchr(line, '='), *key, *val, *hash;

		size_t n = strlen(line);

		total += n;
		/* a line cut short by a NUL byte (not text), or too much */
		if (total > CLI_CONF_MAX || (n < sizeof(line) - 1 &&
		    (n == 0 || line[n - 1] != '\n') && !feof(f))) {
			fclose(f);
			return cli_usage(c, c->zh ? "%s：不是不超过 %u 字节的文本配置文件" :
			    "%s: not a text configuration file of at most %u bytes", path, CLI_CONF_MAX);
		}
		if (line[0] == '#' || eq == NULL)
			continue;
		*eq = '\0';
		key = trim(line);
		val = eq + 1;
		if ((hash = strchr(val, '#')) != NULL)
			*hash = '\0';    /* a comment after the value, as the library reads it */
		val = trim(val);
		for (k = 0; k < CLI_CONF_KEYS; k++)
			if (strcmp(key, conf_slots[k].key) == 0)
				snprintf(c->conf_buf[k], sizeof(c->conf_buf[k]), "%s", val);
	}
	fclose(f);
	for (k = 0; k < CLI_CONF_KEYS; k++) {
		const char **slot = (const char **)(void *)((char *)c + conf_slots[k].field);

		if (*slot == NULL && c->conf_buf[k][0] != '\0')
			*slot = c->conf_buf[k];
	}
	return CLI_EXIT_OK;
}

static const char *
env_or(const char *v, const char *name)
{
	return v != NULL ? v : getenv(name);
}

int
main(int argc, char **argv)
{
	cli_t c;
	const cli_cmd_t *cmd = NULL;
	int i, rc;

	memset(&c, 0, sizeof(c));
	/* PINs (cardholder, SAM) pass through this process's memory: no core dump, no ptrace
	 * by another process of the same user (issue 12 item 16) */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	c.zh = cli_lang_is_zh();
	/* global options come before the command */
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		const char **slot = NULL;

		if (strcmp(o, "--json") == 0) {
			c.json = 1;
			continue;
		}
		if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
			help(&c, stdout);
			return CLI_EXIT_OK;
		}
		if (strcmp(o, "--version") == 0) {
			printf("hcard %s\n", PACKAGE_VERSION);
			return CLI_EXIT_OK;
		}
		if (strcmp(o, "--lang") == 0 && v != NULL) {
			c.zh = strncmp(v, "zh", 2) == 0;
			i++;
			continue;
		}
		if (strcmp(o, "--conf") == 0) slot = &c.conf;
		else if (strcmp(o, "--store") == 0) slot = &c.store_uri;
		else if (strcmp(o, "--trust") == 0) slot = &c.trust_path;
		else if (strcmp(o, "--issuer-keys") == 0) slot = &c.issuer_keys;
		else if (strcmp(o, "--pki-ca-key") == 0) slot = &c.pki_ca_key;
		else if (strcmp(o, "--pki-ca-cert") == 0) slot = &c.pki_ca_cert;
		else if (strcmp(o, "--pki-sm2-ca-key") == 0) slot = &c.pki_sm2_ca_key;
		else if (strcmp(o, "--pki-sm2-ca-cert") == 0) slot = &c.pki_sm2_ca_cert;
		else if (strcmp(o, "--operator") == 0) slot = &c.who;
		else if (strcmp(o, "--reader") == 0) slot = &c.reader;
		else if (strcmp(o, "--sam-reader") == 0) slot = &c.sam_reader;
		else if (strcmp(o, "--sam-pin") == 0 && v != NULL) {
			/* deprecated: warned, copied, and wiped from argv (ps, /proc/PID/cmdline) */
			cli_pin_deprecated(&c, "--sam-pin", "HCARD_SAM_PIN or sam_pin_file in hcard.conf");
			cli_pin_take_arg(argv[i + 1], c.sam_pin_buf, sizeof(c.sam_pin_buf));
			c.sam_pin = c.sam_pin_buf;
			i++;
			continue;
		}
		else if (strcmp(o, "--today") == 0) slot = &c.today;
		if (slot == NULL || v == NULL) {
			rc = cli_usage(&c, "unknown option or missing value: %s", o);
			goto out;
		}
		*slot = v;
		i++;
	}
	c.store_uri = env_or(c.store_uri, "HCARD_STORE");
	c.trust_path = env_or(c.trust_path, "HCARD_TRUST");
	c.issuer_keys = env_or(c.issuer_keys, "HCARD_ISSUER_KEYS");
	c.pki_ca_key = env_or(c.pki_ca_key, "HCARD_PKI_CA_KEY");
	c.pki_ca_cert = env_or(c.pki_ca_cert, "HCARD_PKI_CA_CERT");
	c.pki_sm2_ca_key = env_or(c.pki_sm2_ca_key, "HCARD_PKI_SM2_CA_KEY");
	c.pki_sm2_ca_cert = env_or(c.pki_sm2_ca_cert, "HCARD_PKI_SM2_CA_CERT");
	c.who = env_or(c.who, "HCARD_OPERATOR");
	c.sam_pin = env_or(c.sam_pin, "HCARD_SAM_PIN");
	if ((rc = read_conf(&c)) != CLI_EXIT_OK)
		goto out;
	if (c.who == NULL)
		c.who = getenv("USER") != NULL ? getenv("USER") : "hcard";
	if (i >= argc) {
		help(&c, stderr);
		rc = CLI_EXIT_USAGE;
		goto out;
	}
	for (size_t k = 0; k < N_COMMANDS && cmd == NULL; k++)
		if (strcmp(commands[k].name, argv[i]) == 0)
			cmd = &commands[k];
	if (cmd == NULL) {
		rc = cli_usage(&c, c.zh ? "未知命令：%s" : "unknown command: %s", argv[i]);
		goto out;
	}
	cli_jset_str(&c, "command", cmd->name);
	rc = cmd->run(&c, argc - i, argv + i);
out:
	cli_emit(&c, rc == CLI_EXIT_OK);
	cli_close(&c);
	return rc;
}
