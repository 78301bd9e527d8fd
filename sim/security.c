/*
 * hcard-sim user-card keys (crypto-sam): the key store of card-profile.md §4 (image section
 * "keys"), INTERNAL AUTHENTICATE, EXTERNAL AUTHENTICATE with try counters, the factory that
 * loads diversified keys, and the secure-messaging hook (sim/security_sm.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "apdu/buf.h"
#include "apdu/log.h"
#include "apdu/tlv.h"
#include "crypto/crypto.h"
#include "sim/keyset.h"
#include "sim/module.h"
#include "sim/security.h"

#define SECTION_FORMAT 1u
#define KEY_TRIES      3u

/* §4: the key version byte ending INTERNAL/EXTERNAL AUTHENTICATE data (the 8 bytes before it,
 * 1122334455667788 in the spec, are whatever the host sends: the card encrypts them) */
#define KEY_VERSION 0x01u

sim_sec_state_t *
sim_sec_state(sim_card_t *card)
{
	void **slot = sim_card_module_state(card, &sim_keys_module);

	return slot != NULL ? *slot : NULL;
}

static sim_sec_state_t *
state_create(sim_card_t *card)
{
	void **slot = sim_card_module_state(card, &sim_keys_module);

	if (slot == NULL)
		return NULL;
	if (*slot == NULL)
		*slot = calloc(1, sizeof(sim_sec_state_t));
	return *slot;
}

sim_sec_key_t *
sim_sec_find_key(sim_card_t *card, sim_key_kind_t kind, uint8_t card_id)
{
	sim_sec_state_t *st = sim_sec_state(card);
	const sim_key_def_t *def;
	char path[64];
	size_t i;

	if (st == NULL || sim_fs_path(card, card->current_df, path, sizeof(path)) != 0 ||
	    (def = sim_key_find(path, kind, card_id)) == NULL)
		return NULL;
	for (i = 0; i < st->n; i++)
		if (st->keys[i].tag == def->sam_tag)
			return &st->keys[i];
	return NULL;
}

/* EXTERNAL AUTHENTICATE addresses one of the keys that grant a right. */
static sim_sec_key_t *
find_right_key(sim_card_t *card, uint8_t card_id, const sim_key_def_t **def)
{
	static const sim_key_kind_t kinds[] = { SIM_KEY_RK, SIM_KEY_UK, SIM_KEY_LK, SIM_KEY_BK };
	sim_sec_key_t *k;
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if ((k = sim_sec_find_key(card, kinds[i], card_id)) != NULL) {
			*def = sim_key_by_tag(k->tag);
			return k;
		}
	}
	return NULL;
}

/* §4: A = left 8 XOR right 8 of SM4_key(block16). */
static int
fold_encrypt(const uint8_t key[16], const uint8_t block[16], uint8_t out[8])
{
	uint8_t y[16];
	size_t i;
	int ret = -1;

	if (hc_sm4_ecb(key, 1, block, 16, y) != 0)
		goto out;
	for (i = 0; i < 8; i++)
		out[i] = (uint8_t)(y[i] ^ y[8 + i]);
	ret = 0;
out:
	OPENSSL_cleanse(y, sizeof(y));
	return ret;
}

int
sim_sec_session_key(const uint8_t key[16], const uint8_t challenge[8], uint8_t s[16])
{
	uint8_t block[16];
	int ret;

	/* §4: S = SM4_K(challenge || 00 x 8) */
	memcpy(block, challenge, 8);
	memset(block + 8, 0, 8);
	ret = hc_sm4_ecb(key, 1, block, 16, s);
	OPENSSL_cleanse(block, sizeof(block));
	return ret;
}

/* INTERNAL AUTHENTICATE 00 88 00 00 11 R || 1122334455667788 || 01 [08]: DDF1 current. */
static uint16_t
cmd_internal_auth(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	sim_sec_key_t *k;
	uint8_t b[8];
	uint16_t sw = 0x6F00;

	if (cmd->cla != 0x00)
		return 0x6E00;
	if (cmd->p1 != 0x00 || cmd->p2 != 0x00)
		return 0x6A86;
	if (cmd->lc != 0x11 || (cmd->has_le && cmd->le != 8 && cmd->le != 256))
		return 0x6700;
	if ((k = sim_sec_find_key(card, SIM_KEY_IRK, 0)) == NULL)
		return 0x6A88;   /* the IRK lives in DDF1 only */
	if (cmd->data[16] != KEY_VERSION || k->version != KEY_VERSION)
		return 0x6A88;
	if (fold_encrypt(k->value, cmd->data, b) != 0)
		goto out;
	hc_put_bytes(out, b, sizeof(b));
	sw = 0x9000;
out:
	OPENSSL_cleanse(b, sizeof(b));
	return sw;
}

/* EXTERNAL AUTHENTICATE 00 82 00 P2 11 A || 1122334455667788 || 01 against the challenge. */
static uint16_t
cmd_external_auth(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	const sim_key_def_t *def = NULL;
	sim_sec_key_t *k;
	uint8_t c[SIM_CHALLENGE_LEN], s[16], block[16], a[8];
	uint16_t sw = 0x6F00;

	(void)out;
	if (cmd->cla != 0x00)
		return 0x6E00;
	if (cmd->p1 != 0x00)
		return 0x6A86;
	if (cmd->lc != 0x11 || cmd->has_le)
		return 0x6700;
	if ((k = find_right_key(card, cmd->p2 & 0x1F, &def)) == NULL || def == NULL)
		return 0x6A88;
	if (cmd->data[16] != KEY_VERSION || k->version != KEY_VERSION)
		return 0x6A88;
	/* §6: a blocked application accepts EXTERNAL AUTHENTICATE with its LK only */
	if (card->files[card->current_df].blocked != SIM_BLOCK_NONE && def->kind != SIM_KEY_LK)
		return 0x6985;
	if (k->tries == 0)
		return 0x6983;
	if (sim_card_challenge(card, c) != 0)
		return 0x6984;
	/* the card encrypts the 8 bytes it receives, padded, under S from its key and C */
	memcpy(block, cmd->data + 8, 8);
	block[8] = 0x80;
	memset(block + 9, 0, 7);
	if (sim_sec_session_key(k->value, c, s) != 0 || fold_encrypt(s, block, a) != 0)
		goto out;
	if (CRYPTO_memcmp(a, cmd->data, 8) != 0) {
		k->tries--;
		sim_card_changed(card);
		sw = (uint16_t)(0x63C0 | k->tries);
		goto out;
	}
	if (k->tries != KEY_TRIES) {
		k->tries = KEY_TRIES;
		sim_card_changed(card);
	}
	sim_card_grant(card, def->card_id);
	sw = 0x9000;
out:
	OPENSSL_cleanse(c, sizeof(c));
	OPENSSL_cleanse(s, sizeof(s));
	OPENSSL_cleanse(a, sizeof(a));
	return sw;
}

/* --- image section: u8 format || u8 n || n x (tag, version, tries, value 16) ------------ */

static int
keys_save(const sim_card_t *card, hc_writer_t *w)
{
	sim_sec_state_t *st = sim_sec_state((sim_card_t *)card);
	size_t i;

	if (st == NULL)
		return 0;
	hc_put_u8(w, SECTION_FORMAT);
	hc_put_u8(w, (uint8_t)st->n);
	for (i = 0; i < st->n; i++) {
		hc_put_u8(w, st->keys[i].tag);
		hc_put_u8(w, st->keys[i].version);
		hc_put_u8(w, st->keys[i].tries);
		hc_put_bytes(w, st->keys[i].value, 16);
	}
	return hc_writer_ok(w) ? 0 : -1;
}

static int
keys_load(sim_card_t *card, const uint8_t *p, size_t n)
{
	sim_sec_state_t *st;
	hc_reader_t r;
	uint8_t fmt = 0, count = 0;
	size_t i, j;

	if (n == 0)
		return 0;       /* a card without keys (the SAM card) */
	if ((st = state_create(card)) == NULL)
		return -1;
	hc_reader_init(&r, p, n);
	if (hc_get_u8(&r, &fmt) != 0 || fmt != SECTION_FORMAT || hc_get_u8(&r, &count) != 0 ||
	    count > SIM_SEC_MAX_KEYS) {
		hc_log_error("keys section: bad header");
		return -1;
	}
	for (i = 0; i < count; i++) {
		sim_sec_key_t *k = &st->keys[i];

		if (hc_get_u8(&r, &k->tag) != 0 || hc_get_u8(&r, &k->version) != 0 ||
		    hc_get_u8(&r, &k->tries) != 0 || hc_get_bytes(&r, k->value, 16) != 0 ||
		    sim_key_by_tag(k->tag) == NULL || k->tries > KEY_TRIES) {
			hc_log_error("keys section: bad key %zu", i);
			return -1;
		}
		for (j = 0; j < i; j++)
			if (st->keys[j].tag == k->tag) {
				hc_log_error("keys section: key %02X twice", k->tag);
				return -1;
			}
	}
	if (hc_reader_left(&r) != 0) {
		hc_log_error("keys section: trailing bytes");
		return -1;
	}
	st->n = count;
	return 0;
}

static void
keys_free_state(sim_card_t *card)
{
	void **slot = sim_card_module_state(card, &sim_keys_module);

	if (slot == NULL || *slot == NULL)
		return;
	OPENSSL_cleanse(*slot, sizeof(sim_sec_state_t));
	free(*slot);
	*slot = NULL;
}

/* --- factory ------------------------------------------------------------------------------ */

static const char *const keys_factory_options[] = {
	"keyset",       /* key-set file (default: the built-in demo key set) */
	"issuer-cert",  /* yes: EF05 tag 05 gets the key set's issuer certificate */
	NULL
};

/* Index of the DF at path, or -1. */
static int
find_df(const sim_card_t *card, const char *want)
{
	char path[64];
	uint16_t i;

	for (i = 0; i < card->n_files; i++)
		if (card->files[i].kind == SIM_FILE_DF &&
		    sim_fs_path(card, i, path, sizeof(path)) == 0 && strcmp(path, want) == 0)
			return i;
	return -1;
}

/* Value of element tag in the variable-record EF ef: pointer into its content. */
static int
element(const sim_card_t *card, int ef, uint8_t tag, uint8_t **val, size_t *len)
{
	const sim_file_t *f;
	hc_reader_t r;
	uint8_t t, l;

	if (ef < 0)
		return -1;
	f = &card->files[ef];
	hc_reader_init(&r, f->data, f->size);
	while (hc_get_u8(&r, &t) == 0 && hc_get_u8(&r, &l) == 0) {
		if (l > hc_reader_left(&r))
			return -1;
		if (t == tag) {
			*val = f->data + r.off;
			*len = l;
			return 0;
		}
		hc_skip(&r, l);
	}
	return -1;
}

static int
keys_factory(sim_card_t *card, const sim_factory_opts_t *opts)
{
	const sim_key_def_t *table;
	sim_keyset_t *ks = NULL;
	sim_sec_state_t *st;
	const char *cert_opt;
	uint8_t mk[16], *city, *tag05;
	size_t n, i, city_len, len05;
	char name[16];
	int ddf1, ef05, ret = -1;

	if (card->kind != SIM_CARD_USER)
		return 0;
	if ((ks = sim_keyset_load(sim_factory_opt(opts, "keyset"))) == NULL)
		goto out;
	if (card->atr_len < 12) {
		hc_log_error("ATR too short for a card factor");
		goto out;
	}
	ddf1 = find_df(card, "3F00/DDF1");
	ef05 = ddf1 < 0 ? -1 : sim_fs_child(card, (uint16_t)ddf1, 0xEF05);
	if (element(card, ef05, 0x57, &city, &city_len) != 0 || city_len != 3) {
		hc_log_error("DDF1/EF05 tag 57 (city code) missing");
		goto out;
	}
	if ((st = state_create(card)) == NULL)
		goto out;
	table = sim_key_table(&n);
	for (i = 0; i < n && i < SIM_SEC_MAX_KEYS; i++) {
		snprintf(name, sizeof(name), "mk.%02X", table[i].sam_tag);
		if (sim_keyset_get(ks, name, mk, sizeof(mk)) != 0)
			goto out;
		/* §4: card key = D(D(master, city factor), card factor); card factor = ATR[4..11] */
		if (sim_key_diversify(mk, city, card->atr + 4, st->keys[i].value) != 0)
			goto out;
		st->keys[i].tag = table[i].sam_tag;
		st->keys[i].version = KEY_VERSION;
		st->keys[i].tries = KEY_TRIES;
	}
	st->n = i;
	cert_opt = sim_factory_opt(opts, "issuer-cert");
	if (cert_opt != NULL && strcmp(cert_opt, "no") != 0 && strcmp(cert_opt, "0") != 0) {
		if (element(card, ef05, 0x05, &tag05, &len05) != 0 || len05 != 180 ||
		    sim_keyset_get(ks, "issuer.cert", tag05, len05) != 0) {
			hc_log_error("cannot write the issuer certificate into EF05 tag 05");
			goto out;
		}
	}
	sim_card_changed(card);
	ret = 0;
out:
	OPENSSL_cleanse(mk, sizeof(mk));
	sim_keyset_free(&ks);
	return ret;
}

static const sim_cmd_t keys_commands[] = {
	{ 0xFF, 0x00, 0x88, SIM_CMD_USER, cmd_internal_auth, "INTERNAL AUTHENTICATE" },
	{ 0xFF, 0x00, 0x82, SIM_CMD_USER | SIM_CMD_BLOCKED_APP, cmd_external_auth,
	  "EXTERNAL AUTHENTICATE" },
};

const sim_module_t sim_keys_module = {
	.name = "keys",
	.commands = keys_commands,
	.n_commands = sizeof(keys_commands) / sizeof(keys_commands[0]),
	.factory_options = keys_factory_options,
	.factory = keys_factory,
	.load = keys_load,
	.save = keys_save,
	.free_state = keys_free_state,
	.event = NULL,
	.sm_unwrap = sim_sec_sm_unwrap,
};
