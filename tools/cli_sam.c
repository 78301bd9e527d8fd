/*
 * hcard sam: the terminal's SAM on its own, for the engineer who installs or services a desk:
 * what it is (EF0015, EF0016 and its certificate DF01/EF0017, card-profile.md §5), the raw
 * certificate, and the change of its PIN. No user card is needed. The SAM is opened without
 * verifying its PIN (hcard.conf, $HCARD_SAM_PIN and --sam-pin are not used here): reading
 * needs no PIN and a PIN change must not spend a try on a stale configured PIN.
 * The PINs of "sam pin change" never come from the command line: the terminal (no echo) or
 * a file (--old-pin-file / --new-pin-file, first line).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tools/cli.h"
#include "apdu/buf.h"
#include "src/cert.h"
#include "src/conf.h"

#define SAM_PIN_BUF 32

/* The context and the terminal (no user card, no SAM PIN). */
static int
need_terminal(cli_t *c)
{
	hc_terminal_opts_t o;
	int rc;

	if (c->term != NULL)
		return CLI_EXIT_OK;
	if (c->ctx == NULL && (rc = hc_ctx_new(&c->ctx, c->conf)) != HC_OK)
		return cli_fail(c, rc, "hcard.conf");
	if (c->trust_path == NULL && hc_ctx_config(c->ctx)->trust_anchor[0] != '\0')
		c->trust_path = hc_ctx_config(c->ctx)->trust_anchor;
	memset(&o, 0, sizeof(o));
	o.card_reader = c->reader;
	o.sam_reader = c->sam_reader;
	o.sam_pin = "";           /* "": no PIN at all (NULL would take the configured one) */
	if ((rc = hc_terminal_open(c->ctx, &o, &c->term)) != HC_OK)
		return cli_fail(c, rc, hc_ctx_error_detail(c->ctx));
	return CLI_EXIT_OK;
}

/* The certificate into cert; the error reported. */
static int
read_cert(cli_t *c, uint8_t cert[HC_SAM_CERT_LEN])
{
	int rc;

	if ((rc = hc_terminal_sam_certificate(c->term, cert)) != HC_OK)
		return cli_fail(c, rc, *hc_ctx_error_detail(c->ctx) ? hc_ctx_error_detail(c->ctx) :
		    "SAM DF01/EF0017");
	return CLI_EXIT_OK;
}

/* Today as YYYYMMDD: --today, else the local date. */
static void
today(const cli_t *c, char out[9])
{
	time_t now = time(NULL);
	struct tm tm;

	if (c->today != NULL && strlen(c->today) == 8) {
		memcpy(out, c->today, 9);
		return;
	}
	if (localtime_r(&now, &tm) == NULL || strftime(out, 9, "%Y%m%d", &tm) != 8)
		out[0] = '\0';
}

/* Why the certificate does not verify (hc_cert_sam_verify only logs it). */
static const char *
why_not(const cli_t *c, int zh, const hc_cert_sam_t *cs, const char *day)
{
	if (hc_trust_find(c->trust, cs->ca_id) == NULL)
		return zh ? "信任文件中没有此 CA" : "its CA is not in the trust file";
	if (strcmp(day, cs->not_before) < 0)
		return zh ? "尚未生效" : "not valid yet";
	if (strcmp(day, cs->not_after) > 0)
		return zh ? "已过期" : "expired";
	return zh ? "CA 签名不正确" : "the CA signature does not verify";
}

static int
sam_info(cli_t *c, int argc)
{
	uint8_t cert[HC_SAM_CERT_LEN];
	hc_sam_info_t info;
	hc_cert_sam_t cs;
	json_t *o;
	char term_hex[13], ca_hex[9], pub_hex[129], day[9];
	const char *reason = NULL, *no_trust = NULL;
	int rc, verified = -1;

	if (argc != 2)
		return cli_usage(c, "sam info takes no arguments");
	if ((rc = need_terminal(c)) != CLI_EXIT_OK)
		return rc;
	/* the trust anchor only adds the verdict: without a readable one the SAM is still shown */
	if (c->trust == NULL && c->trust_path != NULL && (hc_trust_new(&c->trust) != HC_OK ||
	    hc_trust_load(c->trust, c->trust_path) != HC_OK)) {
		hc_trust_free(&c->trust);
		no_trust = c->trust_path;
	}
	if ((rc = hc_terminal_sam_info(c->term, &info)) != HC_OK)
		return cli_fail(c, rc, "SAM EF0015");
	(void)hc_hex_encode(info.terminal_number, 6, term_hex, sizeof(term_hex));
	cli_jset_str(c, "serial", info.serial);
	cli_jset_int(c, "type", info.type);
	cli_jset_int(c, "key_version", info.key_version);
	cli_jset_str(c, "terminal_number", term_hex);
	cli_say(c, "SAM: serial %s, type %d, key version %d, terminal number %s",
	    "SAM：序列号 %s，类型 %d，密钥版本 %d，终端机编号 %s", info.serial, info.type,
	    info.key_version, term_hex);
	if ((rc = read_cert(c, cert)) != CLI_EXIT_OK)
		return rc;
	if (hc_cert_sam_parse(cert, sizeof(cert), &cs) != HC_OK)
		return cli_fail(c, HC_ERR_CERTIFICATE, c->zh ? "SAM 证书（DF01/EF0017）格式不符" :
		    "the SAM certificate (DF01/EF0017) is malformed");
	today(c, day);
	if (c->trust != NULL) {
		verified = hc_cert_sam_verify(cert, sizeof(cert), c->trust, day[0] ? day : NULL,
		    NULL) == HC_OK;
		if (!verified)
			reason = why_not(c, 0, &cs, day);
	}
	(void)hc_hex_encode(cs.ca_id, 4, ca_hex, sizeof(ca_hex));
	(void)hc_hex_encode(cs.pub, 64, pub_hex, sizeof(pub_hex));
	if ((o = json_object()) != NULL) {
		json_object_set_new(o, "ca_id", json_string(ca_hex));
		json_object_set_new(o, "serial", json_string(cs.serial));
		json_object_set_new(o, "type", json_integer(cs.sam_type));
		json_object_set_new(o, "not_before", json_string(cs.not_before));
		json_object_set_new(o, "not_after", json_string(cs.not_after));
		json_object_set_new(o, "public_key", json_string(pub_hex));
		json_object_set_new(o, "matches_sam", json_boolean(strcmp(cs.serial, info.serial) == 0
		    && cs.sam_type == info.type));
		json_object_set_new(o, "verified", verified < 0 ? json_null() : json_boolean(verified));
		if (reason != NULL)
			json_object_set_new(o, "not_verified_because", json_string(reason));
		if (no_trust != NULL)
			json_object_set_new(o, "trust_unreadable", json_string(no_trust));
		cli_jset(c, "certificate", o);
	}
	cli_say(c, "Certificate: CA %s, SAM %s, type %d, valid %s to %s",
	    "证书：CA %s，SAM %s，类型 %d，有效期 %s 至 %s", ca_hex, cs.serial, cs.sam_type,
	    cs.not_before, cs.not_after);
	if (strcmp(cs.serial, info.serial) != 0 || cs.sam_type != info.type)
		cli_say(c, "  WARNING: the certificate names another SAM than EF0015",
		    "  警告：证书中的 SAM 与 EF0015 不一致");
	if (verified < 0 && no_trust != NULL)
		cli_say(c, "  not checked: the trust anchor %s cannot be read",
		    "  未校验：无法读取信任根 %s", no_trust);
	else if (verified < 0)
		cli_say(c, "  not checked: no trust anchor (--trust FILE or trust_anchor in hcard.conf)",
		    "  未校验：没有信任根（--trust FILE 或 hcard.conf 的 trust_anchor）");
	else if (verified)
		cli_say(c, "  verified against the trust anchor, valid today",
		    "  已用信任根校验，今天有效");
	else
		cli_say(c, "  NOT verified: %s", "  校验未通过：%s", why_not(c, c->zh, &cs, day));
	hc_wipe(cert, sizeof(cert));
	return CLI_EXIT_OK;
}

static int
sam_cert(cli_t *c, int argc, char **argv)
{
	uint8_t cert[HC_SAM_CERT_LEN];
	char hex[2 * HC_SAM_CERT_LEN + 1];
	const char *out = NULL;
	FILE *f;
	int rc;

	if (argc == 4 && strcmp(argv[2], "--out") == 0)
		out = argv[3];
	else if (argc != 2)
		return cli_usage(c, "sam cert [--out FILE]");
	if ((rc = need_terminal(c)) != CLI_EXIT_OK || (rc = read_cert(c, cert)) != CLI_EXIT_OK)
		return rc;
	(void)hc_hex_encode(cert, sizeof(cert), hex, sizeof(hex));
	cli_jset_str(c, "certificate", hex);
	if (out == NULL) {
		cli_say(c, "%s", "%s", hex);
		return CLI_EXIT_OK;
	}
	if ((f = fopen(out, "wb")) == NULL)
		return cli_fail(c, HC_ERR_IO, out);
	rc = fwrite(cert, 1, sizeof(cert), f) == sizeof(cert);
	if (fclose(f) != 0 || !rc) {
		(void)remove(out);
		return cli_fail(c, HC_ERR_IO, out);
	}
	cli_jset_str(c, "out", out);
	cli_say(c, "SAM certificate (%zu bytes) written to %s", "SAM 证书（%zu 字节）已写入 %s",
	    sizeof(cert), out);
	return CLI_EXIT_OK;
}


/* Where the SAM PINs come from: no option, no environment variable (tools/cli_pin.c). */
static const cli_pin_src_t sam_old_pin = {
	.file_name = "--old-pin-file FILE",
	.prompt_en = "Current SAM PIN: ", .prompt_zh = "当前 SAM 密码：",
};
static const cli_pin_src_t sam_new_pin = {
	.file_name = "--new-pin-file FILE",
	.prompt_en = "New SAM PIN (6-8 digits): ", .prompt_zh = "新 SAM 密码（6-8 位数字）：",
	.prompt2_en = "New SAM PIN again: ", .prompt2_zh = "再次输入新 SAM 密码：",
};

static int
sam_pin_change(cli_t *c, int argc, char **argv)
{
	static const char usage[] = "sam pin change [--old-pin-file FILE] [--new-pin-file FILE]"
	    " (the PINs are asked without echo otherwise; never on the command line)";
	char old_pin[SAM_PIN_BUF] = "", new_pin[SAM_PIN_BUF] = "", again[SAM_PIN_BUF] = "";
	const char *pin = NULL;
	cli_pin_src_t old_src, new_src;
	char what[128];
	int i, rc, tries = -1;

	old_src = sam_old_pin;
	new_src = sam_new_pin;
	for (i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--old-pin-file") == 0 && i + 1 < argc) {
			old_src.file = argv[++i];
		} else if (strcmp(argv[i], "--new-pin-file") == 0 && i + 1 < argc) {
			new_src.file = argv[++i];
		} else {
			rc = cli_usage(c, "%s", usage);
			goto out;
		}
	}
	if ((rc = cli_pin_get(c, &old_src, CLI_PIN_TTY_REQUIRED, old_pin, sizeof(old_pin), &pin)) !=
	    CLI_EXIT_OK ||
	    (rc = cli_pin_get_new(c, &new_src, new_pin, again, sizeof(new_pin), &pin)) != CLI_EXIT_OK)
		goto out;
	if ((rc = need_terminal(c)) != CLI_EXIT_OK)
		goto out;
	rc = hc_terminal_change_sam_pin(c->term, old_pin, new_pin, &tries);
	if (rc != HC_OK) {
		if (rc == HC_ERR_SAM_PIN && tries >= 0) {
			cli_jset_int(c, "tries_left", tries);
			if (tries > 0)
				snprintf(what, sizeof(what), c->zh ? "旧 SAM 密码错误（还可尝试 %d 次）" :
				    "old SAM PIN wrong (%d tries left)", tries);
			else
				snprintf(what, sizeof(what), "%s", c->zh ? "SAM 密码已锁定，须由发卡机构解锁" :
				    "SAM PIN blocked: the SAM must be unblocked by its issuer");
			rc = cli_fail(c, rc, what);
		} else {
			rc = cli_fail(c, rc, hc_ctx_error_detail(c->ctx));
		}
		goto out;
	}
	cli_say(c, "SAM PIN changed: set the new PIN where this desk keeps it (sam_pin_file of"
	    " hcard.conf, HCARD_SAM_PIN).", "SAM 密码已修改：请在本终端保存密码之处同步更新"
	    "（hcard.conf 的 sam_pin_file、HCARD_SAM_PIN）。");
	rc = CLI_EXIT_OK;
out:
	hc_wipe(old_pin, sizeof(old_pin));
	hc_wipe(new_pin, sizeof(new_pin));
	hc_wipe(again, sizeof(again));
	return rc;
}

int
cli_cmd_sam(cli_t *c, int argc, char **argv)
{
	static const char usage[] = "sam info | sam cert [--out FILE] | sam pin change "
	    "[--old-pin-file FILE] [--new-pin-file FILE]";

	if (argc >= 2 && strcmp(argv[1], "info") == 0)
		return sam_info(c, argc);
	if (argc >= 2 && strcmp(argv[1], "cert") == 0)
		return sam_cert(c, argc, argv);
	if (argc >= 3 && strcmp(argv[1], "pin") == 0 && strcmp(argv[2], "change") == 0)
		return sam_pin_change(c, argc, argv);
	return cli_usage(c, "%s", usage);
}
