/*
 * hcard-sim health SAM (crypto-sam), card-profile.md §1 and §4: state (image section "sam"),
 * factory (keys of its type, SM2 key, certificate signed by the root CA), VERIFY and CHANGE
 * REFERENCE DATA for the SAM PIN, events. Key commands are in sim/sam_cmds.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "apdu/buf.h"
#include "apdu/log.h"
#include "crypto/crypto.h"
#include "sim/cert.h"
#include "sim/keyset.h"
#include "sim/sam.h"

#define SECTION_FORMAT 1u
#define KEY_VERSION    0x01u
#define EF_PUBLIC      0x0015u  /* serial ans 10 || type || key version || RFU 2 */
#define EF_TERMINAL    0x0016u  /* terminal number b 6 */
#define EF_CERT        0x0017u  /* under DF01 */
#define CERT_YEARS     10

sim_sam_state_t *
sim_sam_state(sim_card_t *card)
{
	void **slot;

	if (card->kind != SIM_CARD_SAM || (slot = sim_card_module_state(card, &sim_sam_module)) == NULL)
		return NULL;
	return *slot;
}

static sim_sam_state_t *
state_create(sim_card_t *card)
{
	void **slot = sim_card_module_state(card, &sim_sam_module);

	if (slot == NULL)
		return NULL;
	if (*slot == NULL)
		*slot = calloc(1, sizeof(sim_sam_state_t));
	return *slot;
}

void
sim_sam_forget_session(sim_sam_state_t *st)
{
	OPENSSL_cleanse(st->session, sizeof(st->session));
	st->has_session = 0;
}

void
sim_sam_abandon_digest(sim_sam_state_t *st)
{
	if (st->digest != NULL) {
		OPENSSL_cleanse(st->digest, st->digest_len);
		free(st->digest);
	}
	st->digest = NULL;
	st->digest_len = 0;
	st->digesting = 0;
}

uint16_t
sim_sam_key_gate(sim_card_t *card, sim_sam_state_t *st)
{
	char path[32];

	/* the health application is DF01 (§4): its key commands run with it current [PC] */
	if (sim_fs_path(card, card->current_df, path, sizeof(path)) != 0 ||
	    strcmp(path, SIM_SAM_HEALTH_DF) != 0)
		return 0x6985;
	if (st->pin_tries == 0)
		return 0x6983;
	if (!st->pin_ok)
		return 0x6982;   /* §4: no key command before VERIFY */
	return 0x9000;
}

static int
pin_format_ok(const uint8_t *p, size_t n)
{
	size_t i;

	if (n < SIM_SAM_PIN_MIN || n > SIM_SAM_PIN_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return 1;
}

static int
pin_matches(const sim_sam_state_t *st, const uint8_t *p, size_t n)
{
	return n == st->pin_len && CRYPTO_memcmp(p, st->pin, n) == 0;
}

/* A wrong PIN: one try less, 63Cx (x = tries left; 63C0 on the last one). */
static uint16_t
pin_failed(sim_card_t *card, sim_sam_state_t *st)
{
	st->pin_ok = 0;
	if (st->pin_tries > 0)
		st->pin_tries--;
	sim_card_changed(card);
	return (uint16_t)(0x63C0 | st->pin_tries);
}

static void
pin_succeeded(sim_card_t *card, sim_sam_state_t *st)
{
	st->pin_ok = 1;
	if (st->pin_tries != SIM_SAM_PIN_TRIES) {
		st->pin_tries = SIM_SAM_PIN_TRIES;
		sim_card_changed(card);
	}
}

/* VERIFY 00 20 00 00 Lc PIN (6-8 ASCII digits); without data: the state (9000 / 63Cx). */
static uint16_t
cmd_verify(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	sim_sam_state_t *st = sim_sam_state(card);

	(void)out;
	if (st == NULL)
		return 0x6D00;
	if (cmd->cla != 0x00)
		return 0x6E00;
	if (cmd->p1 != 0x00 || cmd->p2 != 0x00)
		return 0x6A86;
	if (st->pin_tries == 0)
		return 0x6983;
	if (cmd->lc == 0)
		return st->pin_ok ? 0x9000 : (uint16_t)(0x63C0 | st->pin_tries);
	if (!pin_format_ok(cmd->data, cmd->lc))
		return 0x6A80;
	if (!pin_matches(st, cmd->data, cmd->lc))
		return pin_failed(card, st);
	pin_succeeded(card, st);
	return 0x9000;
}

/*
 * CHANGE REFERENCE DATA 00 24 00 00 Lc old || new (national-api.md iChange_Pin) [PC]: both
 * are 6-8 digits, so the SAM splits the field at the length of the PIN it holds.
 */
static uint16_t
cmd_change_pin(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	sim_sam_state_t *st = sim_sam_state(card);
	size_t new_len;

	(void)out;
	if (st == NULL)
		return 0x6D00;
	if (cmd->cla != 0x00)
		return 0x6E00;
	if (cmd->p1 != 0x00 || cmd->p2 != 0x00)
		return 0x6A86;
	if (st->pin_tries == 0)
		return 0x6983;
	if (cmd->lc < 2 * SIM_SAM_PIN_MIN || cmd->lc > 2 * SIM_SAM_PIN_MAX ||
	    cmd->lc <= st->pin_len)
		return 0x6700;
	new_len = cmd->lc - st->pin_len;
	if (!pin_format_ok(cmd->data, st->pin_len) ||
	    !pin_format_ok(cmd->data + st->pin_len, new_len))
		return 0x6A80;
	if (!pin_matches(st, cmd->data, st->pin_len))
		return pin_failed(card, st);
	OPENSSL_cleanse(st->pin, sizeof(st->pin));
	memcpy(st->pin, cmd->data + st->pin_len, new_len);
	st->pin_len = (uint8_t)new_len;
	st->pin_tries = SIM_SAM_PIN_TRIES;
	st->pin_ok = 1;
	sim_card_changed(card);
	return 0x9000;
}

static void
sam_event(sim_card_t *card, sim_event_t ev, const hc_apdu_t *cmd)
{
	sim_sam_state_t *st = sim_sam_state(card);

	if (st == NULL)
		return;
	switch (ev) {
	case SIM_EVENT_RESET:
		st->pin_ok = 0;
		sim_sam_forget_session(st);
		sim_sam_abandon_digest(st);
		break;
	case SIM_EVENT_SELECT_DF:
		sim_sam_forget_session(st);
		break;
	case SIM_EVENT_COMMAND:
		if (cmd == NULL)
			break;
		/* §4: S lasts until a SELECT; any other command abandons an SM3 digest */
		if (cmd->ins == 0xA4)
			sim_sam_forget_session(st);
		if (!(cmd->cla == 0x80 && cmd->ins == 0xF8))
			sim_sam_abandon_digest(st);
		break;
	default:
		break;
	}
}

/* --- image section ------------------------------------------------------------------------
 * u8 format || u8 type || u8 pin_len || pin 8 || u8 tries || priv 32 || u8 n ||
 * n x (tag, version, value 16) */

static int
sam_save(const sim_card_t *card, hc_writer_t *w)
{
	sim_sam_state_t *st = sim_sam_state((sim_card_t *)card);
	size_t i;

	if (st == NULL)
		return 0;
	hc_put_u8(w, SECTION_FORMAT);
	hc_put_u8(w, st->type);
	hc_put_u8(w, st->pin_len);
	hc_put_bytes(w, st->pin, sizeof(st->pin));
	hc_put_u8(w, st->pin_tries);
	hc_put_bytes(w, st->priv, sizeof(st->priv));
	hc_put_u8(w, (uint8_t)st->n_keys);
	for (i = 0; i < st->n_keys; i++) {
		hc_put_u8(w, st->keys[i].tag);
		hc_put_u8(w, st->keys[i].version);
		hc_put_bytes(w, st->keys[i].value, 16);
	}
	return hc_writer_ok(w) ? 0 : -1;
}

static int
sam_load(sim_card_t *card, const uint8_t *p, size_t n)
{
	sim_sam_state_t *st;
	hc_reader_t r;
	uint8_t fmt = 0, count = 0;
	size_t i;

	if (n == 0)
		return 0;       /* not a SAM (the user card) */
	if (card->kind != SIM_CARD_SAM || (st = state_create(card)) == NULL)
		return -1;
	hc_reader_init(&r, p, n);
	if (hc_get_u8(&r, &fmt) != 0 || fmt != SECTION_FORMAT || hc_get_u8(&r, &st->type) != 0 ||
	    st->type < 1 || st->type > SIM_SAM_TYPES || hc_get_u8(&r, &st->pin_len) != 0 ||
	    hc_get_bytes(&r, st->pin, sizeof(st->pin)) != 0 ||
	    !pin_format_ok(st->pin, st->pin_len) || hc_get_u8(&r, &st->pin_tries) != 0 ||
	    st->pin_tries > SIM_SAM_PIN_TRIES || hc_get_bytes(&r, st->priv, 32) != 0 ||
	    hc_get_u8(&r, &count) != 0 || count > SIM_SAM_MAX_KEYS) {
		hc_log_error("sam section: bad header");
		return -1;
	}
	for (i = 0; i < count; i++) {
		if (hc_get_u8(&r, &st->keys[i].tag) != 0 ||
		    hc_get_u8(&r, &st->keys[i].version) != 0 ||
		    hc_get_bytes(&r, st->keys[i].value, 16) != 0) {
			hc_log_error("sam section: truncated key %zu", i);
			return -1;
		}
	}
	if (hc_reader_left(&r) != 0) {
		hc_log_error("sam section: trailing bytes");
		return -1;
	}
	st->n_keys = count;
	return 0;
}

static void
sam_free_state(sim_card_t *card)
{
	void **slot = sim_card_module_state(card, &sim_sam_module);
	sim_sam_state_t *st;

	if (slot == NULL || (st = *slot) == NULL)
		return;
	sim_sam_abandon_digest(st);
	OPENSSL_cleanse(st, sizeof(*st));
	free(st);
	*slot = NULL;
}

/* --- factory ------------------------------------------------------------------------------ */

static const char *const sam_factory_options[] = {
	"keyset",       /* key-set file (default: the built-in demo key set) */
	"sam-type",     /* 1..5 (§1; default 5, the issuer's) */
	"sam-serial",   /* up to 10 characters (default SIM0000001) */
	"sam-pin",      /* 6-8 digits (default 12345678) */
	"sam-terminal", /* terminal number, 12 hex digits (default 000000000001) */
	NULL
};

#define DEFAULT_TYPE     "5"
#define DEFAULT_SERIAL   "SIM0000001"
#define DEFAULT_TERMINAL "000000000001"

/* EF0015: serial ans 10 (00-padded) || type || key version || RFU 2; EF0016: terminal. */
static int
write_public_files(sim_card_t *card, sim_sam_state_t *st, const sim_factory_opts_t *opts,
                   uint8_t ef15_out[14])
{
	const char *type = sim_factory_opt(opts, "sam-type");
	const char *serial = sim_factory_opt(opts, "sam-serial");
	const char *term = sim_factory_opt(opts, "sam-terminal");
	uint8_t terminal[6];
	int ef15, ef16;

	type = type != NULL ? type : DEFAULT_TYPE;
	serial = serial != NULL ? serial : DEFAULT_SERIAL;
	term = term != NULL ? term : DEFAULT_TERMINAL;
	if (strlen(type) != 1 || type[0] < '1' || type[0] > '0' + (int)SIM_SAM_TYPES) {
		hc_log_error("--sam-type must be 1 to 5");
		return -1;
	}
	if (strlen(serial) == 0 || strlen(serial) > 10) {
		hc_log_error("--sam-serial must have 1 to 10 characters");
		return -1;
	}
	if (strlen(term) != 12 || hc_hex_decode(term, terminal, sizeof(terminal)) != 6) {
		hc_log_error("--sam-terminal must be 12 hex digits");
		return -1;
	}
	st->type = (uint8_t)(type[0] - '0');
	memset(ef15_out, 0, 14);
	memcpy(ef15_out, serial, strlen(serial));
	ef15_out[10] = st->type;
	ef15_out[11] = KEY_VERSION;
	ef15 = sim_fs_child(card, 0, EF_PUBLIC);
	ef16 = sim_fs_child(card, 0, EF_TERMINAL);
	if (ef15 < 0 || ef16 < 0 || sim_fs_set_content(card, (uint16_t)ef15, ef15_out, 14) != 0 ||
	    sim_fs_set_content(card, (uint16_t)ef16, terminal, sizeof(terminal)) != 0) {
		hc_log_error("SAM files EF0015 / EF0016 missing");
		return -1;
	}
	return 0;
}

static int
sam_factory(sim_card_t *card, const sim_factory_opts_t *opts)
{
	const sim_key_def_t *table;
	sim_keyset_t *ks = NULL;
	sim_sam_state_t *st;
	sim_cert_info_t info;
	const char *pin;
	uint8_t ca_priv[32], cert[SIM_SAM_CERT_LEN], ef15[14];
	char name[16];
	size_t n, i;
	int df01, ef17, ret = -1;

	if (card->kind != SIM_CARD_SAM)
		return 0;
	memset(&info, 0, sizeof(info));
	if ((st = state_create(card)) == NULL)
		goto out;
	df01 = sim_fs_child(card, 0, 0xDF01);
	ef17 = df01 < 0 ? -1 : sim_fs_child(card, (uint16_t)df01, EF_CERT);
	if (ef17 < 0 || card->files[ef17].size != SIM_SAM_CERT_LEN) {
		hc_log_error("SAM file DF01/EF0017 missing");
		goto out;
	}
	if (write_public_files(card, st, opts, ef15) != 0)
		goto out;
	pin = sim_factory_opt(opts, "sam-pin");
	if (pin == NULL)
		pin = SIM_SAM_DEFAULT_PIN;
	if (!pin_format_ok((const uint8_t *)pin, strlen(pin))) {
		hc_log_error("--sam-pin must be 6 to 8 digits");
		goto out;
	}
	memcpy(st->pin, pin, strlen(pin));
	st->pin_len = (uint8_t)strlen(pin);
	st->pin_tries = SIM_SAM_PIN_TRIES;

	if ((ks = sim_keyset_load(sim_factory_opt(opts, "keyset"))) == NULL)
		goto out;
	/* exactly the keys of its type (§1) */
	table = sim_key_table(&n);
	for (i = 0; i < n; i++) {
		sim_sam_key_t *k;

		if (!(table[i].sam_types & SIM_SAM_TYPE_BIT(st->type)))
			continue;
		if (st->n_keys == SIM_SAM_MAX_KEYS)
			goto out;
		k = &st->keys[st->n_keys];
		snprintf(name, sizeof(name), "mk.%02X", table[i].sam_tag);
		if (sim_keyset_get(ks, name, k->value, sizeof(k->value)) != 0)
			goto out;
		k->tag = table[i].sam_tag;
		k->version = KEY_VERSION;
		st->n_keys++;
	}
	/* its SM2 key and the certificate of §5, signed by the root CA */
	if (hc_sm2_keygen(st->priv, info.pub) != 0 ||
	    sim_keyset_get(ks, "ca.id", info.ca_id, 4) != 0 ||
	    sim_keyset_get(ks, "ca.priv", ca_priv, sizeof(ca_priv)) != 0)
		goto out;
	memcpy(info.subject, ef15, 10);
	info.sam_type = st->type;
	sim_cert_validity(time(NULL), CERT_YEARS, info.not_before, info.not_after);
	if (sim_cert_make_sam(&info, ca_priv, cert) != 0 ||
	    sim_fs_set_content(card, (uint16_t)ef17, cert, sizeof(cert)) != 0)
		goto out;
	sim_card_changed(card);
	ret = 0;
out:
	OPENSSL_cleanse(ca_priv, sizeof(ca_priv));
	sim_keyset_free(&ks);
	return ret;
}

static const sim_cmd_t sam_commands[] = {
	{ 0xFF, 0x00, 0x20, SIM_CMD_SAM, cmd_verify, "VERIFY" },
	{ 0xFF, 0x00, 0x24, SIM_CMD_SAM, cmd_change_pin, "CHANGE REFERENCE DATA" },
	{ 0xFF, 0x80, 0xDE, SIM_CMD_SAM, sim_sam_cmd_delivery, "DELIVERY SESSION KEY" },
	{ 0xFF, 0x80, 0xFA, SIM_CMD_SAM, sim_sam_cmd_cipher, "CIPHER DATA" },
	{ 0xFF, 0x80, 0xF8, SIM_CMD_SAM, sim_sam_cmd_digest, "SM3 DIGEST" },
	{ 0xFF, 0x80, 0xF4, SIM_CMD_SAM, sim_sam_cmd_sign, "SM2 SIGN" },
};

const sim_module_t sim_sam_module = {
	.name = "sam",
	.commands = sam_commands,
	.n_commands = sizeof(sam_commands) / sizeof(sam_commands[0]),
	.factory_options = sam_factory_options,
	.factory = sam_factory,
	.load = sam_load,
	.save = sam_save,
	.free_state = sam_free_state,
	.event = sam_event,
	.sm_unwrap = NULL,
};
