/*
 * hcard CLI: language, output, exit codes, settings and on-demand resources.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>

#include "tools/cli.h"
#include "apdu/buf.h"

/* Exit code classes of hc_err_t (doc/hcard.1). Unlisted errors: CLI_EXIT_CARD if they are a
 * card status word (60..99), else CLI_EXIT_INTERNAL. */
static const struct { int err; int code; } exit_table[] = {
	{ HC_OK, CLI_EXIT_OK },
	{ HC_ERR_INVALID_ARGUMENT, CLI_EXIT_USAGE },
	{ HC_ERR_BLACKLISTED, CLI_EXIT_REFUSED }, { HC_ERR_NOT_GENUINE, CLI_EXIT_REFUSED },
	{ HC_ERR_CARD_EXPIRED, CLI_EXIT_REFUSED }, { HC_ERR_CARD_BLOCKED, CLI_EXIT_REFUSED },
	{ HC_ERR_APP_BLOCKED, CLI_EXIT_REFUSED }, { HC_ERR_CERTIFICATE, CLI_EXIT_REFUSED },
	{ HC_ERR_NOT_ACTIVATED, CLI_EXIT_REFUSED }, { HC_ERR_NOT_PERMITTED, CLI_EXIT_REFUSED },
	{ HC_ERR_NOT_HEALTH_CARD, CLI_EXIT_REFUSED },
	{ HC_ERR_CONFIG, CLI_EXIT_SETUP }, { HC_ERR_NO_SERVICE, CLI_EXIT_SETUP },
	{ HC_ERR_NO_READER, CLI_EXIT_SETUP }, { HC_ERR_NO_CARD, CLI_EXIT_SETUP },
	{ HC_ERR_CARD_REMOVED, CLI_EXIT_SETUP }, { HC_ERR_CARD_RESET, CLI_EXIT_SETUP },
	{ HC_ERR_SHARING, CLI_EXIT_SETUP }, { HC_ERR_TIMEOUT, CLI_EXIT_SETUP },
	{ HC_ERR_TRANSPORT, CLI_EXIT_SETUP }, { HC_ERR_UNRESPONSIVE_CARD, CLI_EXIT_SETUP },
	{ HC_ERR_NO_SAM, CLI_EXIT_SETUP }, { HC_ERR_SAM_PIN, CLI_EXIT_SETUP },
	{ HC_ERR_SAM_TYPE, CLI_EXIT_SETUP }, { HC_ERR_SAM, CLI_EXIT_SETUP },
	{ HC_ERR_NO_PSAM, CLI_EXIT_SETUP },
	{ HC_ERR_PROFILE, CLI_EXIT_DATA }, { HC_ERR_BAD_ID_NUMBER, CLI_EXIT_DATA },
	{ HC_ERR_TEXT_TOO_LONG, CLI_EXIT_DATA }, { HC_ERR_TEXT_NOT_GBK, CLI_EXIT_DATA },
	{ HC_ERR_BAD_VALUE, CLI_EXIT_DATA }, { HC_ERR_PHOTO, CLI_EXIT_DATA },
	{ HC_ERR_AMOUNT, CLI_EXIT_DATA }, { HC_ERR_SPLIT, CLI_EXIT_DATA },
	{ HC_ERR_PIN_FORMAT, CLI_EXIT_DATA }, { HC_ERR_PINPAD_LENGTH, CLI_EXIT_DATA },
	{ HC_ERR_NO_PINPAD, CLI_EXIT_SETUP },
	{ HC_ERR_PINPAD_CANCELLED, CLI_EXIT_CARD }, { HC_ERR_PINPAD_TIMEOUT, CLI_EXIT_CARD },
	{ HC_ERR_PIN_WRONG, CLI_EXIT_CARD }, { HC_ERR_PIN_BLOCKED, CLI_EXIT_CARD },
	{ HC_ERR_INSUFFICIENT_BALANCE, CLI_EXIT_CARD }, { HC_ERR_AMOUNT_OVER_LIMIT, CLI_EXIT_CARD },
	{ HC_ERR_RECOVERY_PENDING, CLI_EXIT_CARD }, { HC_ERR_RECORD_EMPTY, CLI_EXIT_CARD },
	{ HC_ERR_FILE_FULL, CLI_EXIT_CARD }, { HC_ERR_SIGNATURE, CLI_EXIT_CARD },
	{ HC_ERR_STORE, CLI_EXIT_STORE }, { HC_ERR_STORE_UNREACHABLE, CLI_EXIT_STORE },
	{ HC_ERR_IO, CLI_EXIT_SETUP },
};

int
cli_exit_code(int err)
{
	size_t k;

	for (k = 0; k < sizeof(exit_table) / sizeof(exit_table[0]); k++)
		if (exit_table[k].err == err)
			return exit_table[k].code;
	if (err >= 60 && err < 100)
		return CLI_EXIT_CARD;
	return CLI_EXIT_INTERNAL;
}

int
cli_lang_is_zh(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
	size_t k;

	for (k = 0; k < sizeof(vars) / sizeof(vars[0]); k++) {
		const char *v = getenv(vars[k]);
		if (v != NULL && *v != '\0')
			return strncmp(v, "zh", 2) == 0;
	}
	return 0;
}

void
cli_say(const cli_t *c, const char *fmt_en, const char *fmt_zh, ...)
{
	va_list ap;

	if (c->json)
		return;
	va_start(ap, fmt_zh);
	vprintf(c->zh ? fmt_zh : fmt_en, ap);
	va_end(ap);
	fputc('\n', stdout);
}

void
cli_jset(cli_t *c, const char *key, json_t *v)
{
	if (c->out == NULL)
		c->out = json_object();
	if (c->out == NULL || v == NULL) {
		json_decref(v);
		return;
	}
	json_object_set_new(c->out, key, v);
}

void
cli_jset_str(cli_t *c, const char *key, const char *v)
{
	cli_jset(c, key, json_string(v != NULL ? v : ""));
}

void
cli_jset_int(cli_t *c, const char *key, int64_t v)
{
	cli_jset(c, key, json_integer((json_int_t)v));
}

int
cli_fail(cli_t *c, int err, const char *detail)
{
	const char *msg = c->zh ? hc_strerror_zh(err) : hc_strerror(err);

	fflush(stdout);   /* what was said before the error comes first */
	if (detail != NULL && *detail != '\0')
		fprintf(stderr, "hcard: %s: %s\n", detail, msg);
	else
		fprintf(stderr, "hcard: %s\n", msg);
	cli_jset_str(c, "error", hc_errname(err));
	cli_jset_int(c, "code", err);
	cli_jset_str(c, "message", hc_strerror(err));
	cli_jset_str(c, "message_zh", hc_strerror_zh(err));
	if (detail != NULL)
		cli_jset_str(c, "detail", detail);
	return cli_exit_code(err);
}

int
cli_usage(cli_t *c, const char *fmt, ...)
{
	va_list ap;
	char buf[256];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "hcard: %s (%s)\n", buf, c->zh ? "用法见 hcard --help" : "see hcard --help");
	cli_jset_str(c, "error", "usage");
	cli_jset_str(c, "detail", buf);
	return CLI_EXIT_USAGE;
}

void
cli_emit(cli_t *c, int ok)
{
	char *s;

	if (!c->json)
		return;
	cli_jset(c, "ok", json_boolean(ok));
	if (c->out == NULL)
		return;
	s = json_dumps(c->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s != NULL) {
		puts(s);
		free(s);
	}
}

int
cli_need_store(cli_t *c)
{
	int rc;

	if (c->store != NULL)
		return CLI_EXIT_OK;
	if ((rc = hc_store_open(c->store_uri, &c->store)) != HC_OK)
		return cli_fail(c, rc, c->store_uri != NULL ? c->store_uri : "store");
	return CLI_EXIT_OK;
}

int
cli_need_trust(cli_t *c)
{
	int rc;

	if (c->trust != NULL || c->trust_path == NULL)
		return CLI_EXIT_OK;
	if ((rc = hc_trust_new(&c->trust)) != HC_OK ||
	    (rc = hc_trust_load(c->trust, c->trust_path)) != HC_OK)
		return cli_fail(c, rc, c->trust_path);
	return CLI_EXIT_OK;
}

void
cli_env(cli_t *c, hc_flow_env_t *env)
{
	memset(env, 0, sizeof(*env));
	env->store = c->store;
	env->trust = c->trust;
	env->who = c->who;
	env->today = c->today;
	env->issuer_keys = c->issuer_keys;
	env->pki_ca_key = c->pki_ca_key;
	env->pki_ca_cert = c->pki_ca_cert;
	env->pki_sm2_ca_key = c->pki_sm2_ca_key;
	env->pki_sm2_ca_cert = c->pki_sm2_ca_cert;
}

int64_t
cli_parse_yuan(const char *s)
{
	int64_t yuan = 0;
	int frac = 0, digits = 0, fd = 0;
	const char *p = s;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		if (yuan > 100000000)          /* 1 billion yuan: nonsense for a hospital charge */
			return -1;
		yuan = yuan * 10 + (*p - '0');
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9' && fd < 2; p++, fd++)
			frac = frac * 10 + (*p - '0');
		if (fd == 0)
			return -1;
		if (fd == 1)
			frac *= 10;
	}
	if (*p != '\0' || digits == 0)
		return -1;
	return yuan * 100 + frac;
}

void
cli_fmt_yuan(int64_t fen, char *out, size_t cap)
{
	snprintf(out, cap, "%s%" PRId64 ".%02" PRId64, fen < 0 ? "-" : "",
	    (fen < 0 ? -fen : fen) / 100, (fen < 0 ? -fen : fen) % 100);
}

void
cli_say_cost(const cli_t *c, const hc_flow_cost_t *cost)
{
	cli_say(c, "  (%lu card + %lu SAM APDUs, %.1f ms)", "  （卡片 %lu + SAM %lu 条指令，%.1f 毫秒）",
	    cost->card_apdus, cost->sam_apdus, cost->ms);
}

void
cli_jset_cost(cli_t *c, const hc_flow_cost_t *cost)
{
	json_t *o = json_object();

	if (o == NULL)
		return;
	json_object_set_new(o, "card_apdus", json_integer((json_int_t)cost->card_apdus));
	json_object_set_new(o, "sam_apdus", json_integer((json_int_t)cost->sam_apdus));
	json_object_set_new(o, "ms", json_real(cost->ms));
	cli_jset(c, "cost", o);
}

void
cli_close(cli_t *c)
{
	cli_card_release(c);
	hc_store_close(&c->store);
	hc_trust_free(&c->trust);
	json_decref(c->out);
	c->out = NULL;
	hc_wipe(c->sam_pin_buf, sizeof(c->sam_pin_buf));
}
