/*
 * hcard CLI (internal): the command context, output in Chinese or English or JSON, exit
 * codes. The CLI is a thin face over libhcard (include/hcard_flows.h): no business rules here.
 */
#ifndef HC_TOOLS_CLI_H
#define HC_TOOLS_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "hcard.h"
#include "hcard_flows.h"

/* Exit codes (doc/hcard.1 "EXIT STATUS"). */
enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_USAGE = 1,       /* bad command line */
	CLI_EXIT_REFUSED = 2,     /* the card is refused: blacklisted, expired, not genuine, blocked */
	CLI_EXIT_SETUP = 3,       /* pcscd, reader, card, SAM, configuration or a local file */
	CLI_EXIT_DATA = 4,        /* invalid input: profile, ID number, text, amount, PIN format */
	CLI_EXIT_CARD = 5,        /* the card said no: wrong PIN, balance, limits, pending charge */
	CLI_EXIT_STORE = 6,       /* journal / blacklist store failed or unreachable */
	CLI_EXIT_INTERNAL = 7     /* anything else (a bug: please report) */
};

/* PIN buffers (tools/cli_pin.c): 6-12 digits and room for a too long line. */
#define CLI_PIN_BUF 32

/* hcard.conf keys the CLI reads (tools/hcard.c conf_slots). */
#define CLI_CONF_KEYS 8

typedef struct cli {
	int json;                 /* --json */
	int zh;                   /* Chinese output (LANG=zh_*) */
	const char *conf;         /* --conf */
	const char *store_uri;    /* --store / HCARD_STORE / hcard.conf "store" */
	const char *trust_path;   /* --trust / HCARD_TRUST / "trust_anchor" */
	const char *issuer_keys;  /* --issuer-keys / HCARD_ISSUER_KEYS / "issuer_keys" */
	/* issuer CA of PKI key 01: --pki-ca-key / HCARD_PKI_CA_KEY / "pki_ca_key", and _cert */
	const char *pki_ca_key;
	const char *pki_ca_cert;
	/* of key 02 (SM2): --pki-sm2-ca-key / HCARD_PKI_SM2_CA_KEY / "pki_sm2_ca_key", _cert */
	const char *pki_sm2_ca_key;
	const char *pki_sm2_ca_cert;
	const char *who;          /* --operator / HCARD_OPERATOR / "operator" / $USER */
	const char *today;        /* --today (tests) */
	const char *reader;       /* --reader: user card reader */
	const char *sam_reader;   /* --sam-reader */
	const char *sam_pin;      /* --sam-pin (deprecated) / HCARD_SAM_PIN */
	char sam_pin_buf[CLI_PIN_BUF];   /* --sam-pin's copy (argv wiped), wiped by cli_close */
	char conf_buf[CLI_CONF_KEYS][512];    /* values read from hcard.conf (tools/hcard.c) */
	/* open on demand */
	hc_store_t *store;
	hc_trust_t *trust;
	hc_ctx_t *ctx;
	hc_terminal_t *term;
	hc_card_t *card;
	json_t *out;              /* the JSON answer being built */
} cli_t;

typedef struct cli_cmd {
	const char *name;
	int (*run)(cli_t *c, int argc, char **argv);
	const char *usage;
	const char *help_en;
	const char *help_zh;
} cli_cmd_t;

/* The exit code of an hc_err_t. */
int cli_exit_code(int err);
/* Chooses the language from LC_ALL, LC_MESSAGES, LANG. */
int cli_lang_is_zh(void);

/* Prints a line in the user's language (fmt_en / fmt_zh, printf style) unless --json. */
void cli_say(const cli_t *c, const char *fmt_en, const char *fmt_zh, ...)
	__attribute__((format(printf, 2, 4))) __attribute__((format(printf, 3, 4)));
/* Reports err: to stderr in the user's language with what to do, and into the JSON answer
 * ("error", "code", "message"); detail (may be NULL) names what failed. Returns the exit
 * code. */
int cli_fail(cli_t *c, int err, const char *detail);
/* Usage error: message to stderr, CLI_EXIT_USAGE. */
int cli_usage(cli_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints the JSON answer (--json) with "ok": true/false. */
void cli_emit(cli_t *c, int ok);

/* JSON helpers on c->out (no-ops when allocation fails). */
void cli_jset_str(cli_t *c, const char *key, const char *v);
void cli_jset_int(cli_t *c, const char *key, int64_t v);
void cli_jset(cli_t *c, const char *key, json_t *v);   /* takes v */

/* Opens what a command needs (errors reported with cli_fail; return the exit code). */
int cli_need_store(cli_t *c);
int cli_need_trust(cli_t *c);
int cli_need_card(cli_t *c);
/* The flow environment from the CLI's settings. */
void cli_env(cli_t *c, hc_flow_env_t *env);
void cli_close(cli_t *c);
/* Closes the card session, terminal and context (tools/cli_card.c). */
void cli_card_release(cli_t *c);

/* Amount "33.79" (yuan, at most 2 decimals) -> 3379 fen; -1 if malformed. */
int64_t cli_parse_yuan(const char *s);
/* 3379 -> "33.79" */
void cli_fmt_yuan(int64_t fen, char *out, size_t cap);
/* Cost line (APDUs and milliseconds) for human output. */
void cli_say_cost(const cli_t *c, const hc_flow_cost_t *cost);
void cli_jset_cost(cli_t *c, const hc_flow_cost_t *cost);

/*
 * PIN input (tools/cli_pin.c): never the command line if it can be helped. Every function
 * reads into the caller's buffer (which the caller wipes with hc_wipe on every path) and
 * prints no PIN, only option names and paths.
 */
enum { CLI_PIN_TTY_NO = 0, CLI_PIN_TTY_REQUIRED = 1, CLI_PIN_TTY_OPTIONAL = 2 };
typedef struct cli_pin_src {
	char *opt;                /* value of the deprecated option (--pin), "-" = stdin, or NULL */
	const char *opt_name;     /* "--pin" */
	const char *file;         /* value of --pin-file or NULL */
	const char *file_name;    /* "--pin-file FILE" (named in messages) */
	const char *env;          /* "HCARD_PIN" (tests and kiosk automation only) or NULL */
	const char *prompt_en, *prompt_zh;    /* terminal prompt */
	const char *prompt2_en, *prompt2_zh;  /* a new PIN's second prompt (cli_pin_get_new) */
} cli_pin_src_t;
/* The PIN from, in this order: s->opt ("-": one line of standard input; a PIN: warned as
 * deprecated and its argv copy wiped), s->file (cli_pin_file), s->env (cli_pin_env), then the
 * terminal without echo if ask_tty (CLI_PIN_TTY_REQUIRED: no terminal is a usage error;
 * _OPTIONAL: *pin stays NULL). *pin is buf or NULL. Returns an exit code (errors reported). */
int cli_pin_get(cli_t *c, const cli_pin_src_t *s, int ask_tty, char *buf, size_t cap,
    const char **pin);
/* A new PIN: like cli_pin_get, but on the terminal asked twice (again: a second buffer,
 * wiped here); two different answers are HC_ERR_PIN_FORMAT. */
int cli_pin_get_new(cli_t *c, const cli_pin_src_t *s, char *buf, char *again, size_t cap,
    const char **pin);
/* The first line of the file path into buf. Refuses (HC_ERR_CONFIG, exit 3) a file that
 * group or others may access, like ssh does with keys; a missing, unreadable or empty file is
 * a usage error. Returns an exit code (errors reported). */
int cli_pin_file(cli_t *c, const char *path, char *buf, size_t cap);
/* The environment variable name into buf, then wiped from the environment. 0, or -1 (unset
 * or empty). */
int cli_pin_env(const char *name, char *buf, size_t cap);
/* One line typed on the controlling terminal (/dev/tty) without echo after the prompt (in
 * the user's language); the terminal's settings are restored afterwards and also when
 * SIGINT, SIGTERM, SIGHUP or SIGQUIT arrives during the prompt (then the signal is raised
 * again with its default action). 0, or -1 (no terminal, no line). */
int cli_pin_tty(const cli_t *c, const char *prompt_en, const char *prompt_zh, char *buf,
    size_t cap);
/* The warning (stderr, user's language) that opt puts a PIN on the command line; instead
 * names what to use. */
void cli_pin_deprecated(const cli_t *c, const char *opt, const char *instead);
/* Copies a command-line PIN into buf and wipes arg in place (ps and /proc/PID/cmdline show
 * the process's argv memory). */
void cli_pin_take_arg(char *arg, char *buf, size_t cap);

/* Commands. */
int cli_cmd_readers(cli_t *c, int argc, char **argv);
int cli_cmd_status(cli_t *c, int argc, char **argv);
int cli_cmd_read(cli_t *c, int argc, char **argv);
int cli_cmd_register(cli_t *c, int argc, char **argv);
int cli_cmd_charge(cli_t *c, int argc, char **argv);
int cli_cmd_balance(cli_t *c, int argc, char **argv);
int cli_cmd_load(cli_t *c, int argc, char **argv);
int cli_cmd_pin(cli_t *c, int argc, char **argv);
int cli_cmd_lost(cli_t *c, int argc, char **argv);
int cli_cmd_block(cli_t *c, int argc, char **argv);
int cli_cmd_unblock(cli_t *c, int argc, char **argv);
int cli_cmd_issue(cli_t *c, int argc, char **argv);
int cli_cmd_journal(cli_t *c, int argc, char **argv);
int cli_cmd_sync(cli_t *c, int argc, char **argv);
int cli_cmd_doctor(cli_t *c, int argc, char **argv);
/* sam info | sam cert [--out FILE] | sam pin change (tools/cli_sam.c). */
int cli_cmd_sam(cli_t *c, int argc, char **argv);
/* lost report|found|revoke on the store only (tools/cli_store.c). */
int cli_lost_system(cli_t *c, const char *verb, const char *card, const char *serial);

#endif
