/*
 * hcard-sim: the PKI application of the user card (pki.md, project extension).
 *
 * Key 01 ECDSA P-256 (authentication), key 02 SM2 (signature / consent). Commands:
 * GENERATE ASYMMETRIC KEY PAIR and READ PUBLIC KEY (00 47), MANAGE SECURITY ENVIRONMENT
 * (00 22 41 B6), PSO: COMPUTE DIGITAL SIGNATURE (00 2A 9E 9A). The certificate EFs C001 and
 * C002 are ordinary binary EFs of the application, served by the core's READ/UPDATE BINARY.
 * The cardholder PIN is the purse's one PIN object (purse.md), reached through sim/card.h.
 * Image section "pki": u8 version (1) ‖ u8 key count ‖ per key: ref ‖ alg ‖ present ‖
 * private 32 ‖ public 64.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "apdu/log.h"
#include "crypto/crypto.h"
#include "sim/module.h"
#include "sim/pki.h"

#define PKI_SECTION_VERSION 1u
#define PKI_UK1_DDF1 0x05u    /* card-profile.md §4: UK1 DDF1, card P2 05 */

/* pki.md key table. Data, not code. */
typedef struct pki_key_def {
	uint8_t ref;
	uint8_t alg;            /* 01 ECDSA P-256, 02 SM2 */
	uint16_t cert_fid;
	int fresh_pin;          /* 1: a VERIFY before every signature (key 02) */
} pki_key_def_t;

static const pki_key_def_t key_defs[SIM_PKI_NKEYS] = {
	{ 0x01, SIM_PKI_ALG_P256, 0xC001, 0 },
	{ 0x02, SIM_PKI_ALG_SM2, 0xC002, 1 },
};

static const uint8_t pki_aid[] = { 0xF0, 0x48, 0x43, 0x41, 0x52, 0x44, 0x50, 0x4B, 0x49 };

typedef struct pki_key {
	int present;
	uint8_t priv[32];
	uint8_t pub[64];
} pki_key_t;

typedef struct pki_state {
	pki_key_t keys[SIM_PKI_NKEYS];
	int mse_key;            /* volatile: index of the key set by MSE, -1 none */
	int issuer_session;     /* volatile: UK1 DDF1 was granted earlier in this card session */
} pki_state_t;

static pki_state_t *
state_of(sim_card_t *card)
{
	void **slot = sim_card_module_state(card, &sim_pki_module);
	pki_state_t *st;

	if (slot == NULL)
		return NULL;
	if (*slot == NULL) {
		if ((st = calloc(1, sizeof(*st))) == NULL)
			return NULL;
		st->mse_key = -1;
		*slot = st;
	}
	return *slot;
}

static const pki_key_def_t *
key_def(uint8_t ref, int *idx)
{
	size_t i;

	for (i = 0; i < SIM_PKI_NKEYS; i++) {
		if (key_defs[i].ref == ref) {
			*idx = (int)i;
			return &key_defs[i];
		}
	}
	return NULL;
}

/* 1 when the PKI application is the current DF. */
static int
pki_current(const sim_card_t *card)
{
	int adf = sim_fs_find_name(card, pki_aid, sizeof(pki_aid));

	return adf >= 0 && card->current_df == (uint16_t)adf;
}

/* 7F49 { 86 41 04 X Y } (pki.md). */
static void
put_pub_template(hc_writer_t *out, const uint8_t pub[64])
{
	hc_put_u16(out, 0x7F49);
	hc_put_u8(out, 0x43);
	hc_put_u8(out, 0x86);
	hc_put_u8(out, 0x41);
	hc_put_u8(out, 0x04);
	hc_put_bytes(out, pub, 64);
}

/* Parses the control reference template AC { [80 01 alg] 84 01 ref }. */
static uint16_t
parse_crt(const hc_apdu_t *cmd, int want_alg, uint8_t *alg, uint8_t *ref)
{
	static const uint8_t gen_head[] = { 0xAC, 0x06, 0x80, 0x01 };
	static const uint8_t read_head[] = { 0xAC, 0x03, 0x84, 0x01 };

	if (want_alg) {
		if (cmd->lc != 8 || memcmp(cmd->data, gen_head, sizeof(gen_head)) != 0 ||
		    cmd->data[5] != 0x84 || cmd->data[6] != 0x01)
			return 0x6A80;
		*alg = cmd->data[4];
		*ref = cmd->data[7];
		return 0x9000;
	}
	if (cmd->lc != 5 || memcmp(cmd->data, read_head, sizeof(read_head)) != 0)
		return 0x6A80;
	*ref = cmd->data[4];
	return 0x9000;
}

/* 00 47 80 00 (generate) / 00 47 81 00 (read public key). */
static uint16_t
cmd_key_pair(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	pki_state_t *st;
	const pki_key_def_t *def;
	pki_key_t fresh;
	uint8_t alg = 0, ref = 0;
	uint16_t sw;
	int idx = -1, rc;

	if (!pki_current(card))
		return 0x6D00;
	if ((cmd->p1 != 0x80 && cmd->p1 != 0x81) || cmd->p2 != 0x00)
		return 0x6A86;
	/* case 4; under T=0 the reader sends it without Le (the answer comes by 61xx) */
	if ((sw = parse_crt(cmd, cmd->p1 == 0x80, &alg, &ref)) != 0x9000)
		return sw;
	if ((st = state_of(card)) == NULL)
		return 0x6581;
	if ((def = key_def(ref, &idx)) == NULL)
		return 0x6A88;
	if (cmd->p1 == 0x81) {
		if (!st->keys[idx].present)
			return 0x6A88;
		put_pub_template(out, st->keys[idx].pub);
		return 0x9000;
	}
	/* card-profile.md §6: no key generation after activation */
	if (card->life_cycle != 0x03)
		return 0x6985;
	if (!st->issuer_session)
		return 0x6982;
	if (alg != def->alg)
		return 0x6A80;
	memset(&fresh, 0, sizeof(fresh));
	rc = def->alg == SIM_PKI_ALG_SM2 ? hc_sm2_keygen(fresh.priv, fresh.pub)
	                                 : hc_p256_keygen(fresh.priv, fresh.pub);
	if (rc != 0) {
		hc_wipe(&fresh, sizeof(fresh));
		return 0x6581;
	}
	fresh.present = 1;
	hc_wipe(&st->keys[idx], sizeof(st->keys[idx]));
	st->keys[idx] = fresh;
	hc_wipe(&fresh, sizeof(fresh));
	st->mse_key = -1;
	sim_card_changed(card);
	put_pub_template(out, st->keys[idx].pub);
	return 0x9000;
}

/* 00 22 41 B6 06 84 01 <ref> 80 01 <alg>. */
static uint16_t
cmd_mse(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	pki_state_t *st;
	const pki_key_def_t *def;
	int idx = -1;

	(void)out;
	if (!pki_current(card))
		return 0x6D00;
	if (cmd->p1 != 0x41 || cmd->p2 != 0xB6)
		return 0x6A86;
	if (cmd->lc != 6 || cmd->has_le)
		return 0x6700;
	if (cmd->data[0] != 0x84 || cmd->data[1] != 0x01 || cmd->data[3] != 0x80 ||
	    cmd->data[4] != 0x01)
		return 0x6A80;
	if ((st = state_of(card)) == NULL)
		return 0x6581;
	st->mse_key = -1;
	if ((def = key_def(cmd->data[2], &idx)) == NULL || !st->keys[idx].present)
		return 0x6A88;
	if (cmd->data[5] != def->alg)
		return 0x6A80;
	st->mse_key = idx;
	return 0x9000;
}

/* 00 2A 9E 9A 20 <32 bytes> 40 -> r || s. */
static uint16_t
cmd_pso_sign(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	pki_state_t *st;
	const pki_key_def_t *def;
	uint8_t sig[64];
	int rc;

	if (!pki_current(card))
		return 0x6D00;
	if (cmd->p1 != 0x9E || cmd->p2 != 0x9A)
		return 0x6A86;
	/* case 4 (Le 40), sent without Le under T=0 */
	if (cmd->lc != 32 || (cmd->has_le && cmd->le != 64 && cmd->le != 256))
		return 0x6700;
	if ((st = state_of(card)) == NULL)
		return 0x6581;
	if (st->mse_key < 0 || !st->keys[st->mse_key].present)
		return 0x6985;
	def = &key_defs[st->mse_key];
	/* pki.md: PIN blocked -> 6983; without the required PIN state -> 6982 */
	if (card->pin_blocked)
		return 0x6983;
	if (!card->pin_verified)
		return 0x6982;
	rc = def->alg == SIM_PKI_ALG_SM2 ? hc_sm2_sign_e(st->keys[st->mse_key].priv, cmd->data, sig)
	                                 : hc_p256_sign(st->keys[st->mse_key].priv, cmd->data, sig);
	/* pki.md: signing with key 02 clears the verified state, whatever the outcome */
	if (def->fresh_pin)
		card->pin_verified = 0;
	if (rc != 0)
		return 0x6581;
	hc_put_bytes(out, sig, sizeof(sig));
	hc_wipe(sig, sizeof(sig));
	return 0x9000;
}

static const sim_cmd_t pki_commands[] = {
	{ 0xFF, 0x00, 0x47, SIM_CMD_USER, cmd_key_pair, "GENERATE/READ KEY PAIR" },
	{ 0xFF, 0x00, 0x22, SIM_CMD_USER, cmd_mse, "MANAGE SECURITY ENVIRONMENT" },
	{ 0xFF, 0x00, 0x2A, SIM_CMD_USER, cmd_pso_sign, "PSO COMPUTE DIGITAL SIGNATURE" },
};

static const char *const pki_factory_options[] = {
	"pki-ca", "pki-name", "pki-number", NULL
};

int
sim_pki_key(sim_card_t *card, uint8_t ref, uint8_t pub[64], const uint8_t **priv)
{
	pki_state_t *st = state_of(card);
	int idx = -1;

	if (st == NULL || key_def(ref, &idx) == NULL || !st->keys[idx].present)
		return -1;
	if (pub != NULL)
		memcpy(pub, st->keys[idx].pub, 64);
	if (priv != NULL)
		*priv = st->keys[idx].priv;
	return 0;
}

int
sim_pki_generate(sim_card_t *card, uint8_t ref)
{
	pki_state_t *st = state_of(card);
	const pki_key_def_t *def;
	int idx = -1, rc;

	if (st == NULL || (def = key_def(ref, &idx)) == NULL)
		return -1;
	hc_wipe(&st->keys[idx], sizeof(st->keys[idx]));
	rc = def->alg == SIM_PKI_ALG_SM2 ? hc_sm2_keygen(st->keys[idx].priv, st->keys[idx].pub)
	                                 : hc_p256_keygen(st->keys[idx].priv, st->keys[idx].pub);
	if (rc != 0)
		return -1;
	st->keys[idx].present = 1;
	sim_card_changed(card);
	return 0;
}

int
sim_pki_cert_file(const sim_card_t *card, uint8_t ref)
{
	int adf = sim_fs_find_name(card, pki_aid, sizeof(pki_aid));
	int idx = -1;

	if (adf < 0 || key_def(ref, &idx) == NULL)
		return -1;
	return sim_fs_child(card, (uint16_t)adf, key_defs[idx].cert_fid);
}

/* Builds the application: ADF under the MF, certificate EFs (read free, write with the
 * issuer's UK1 DDF1 right before activation, see pki_event). */
static int
pki_factory(sim_card_t *card, const sim_factory_opts_t *opts)
{
	const sim_ac_t rd = { SIM_AC_FREE, 0, 0 };
	const sim_ac_t wr = { SIM_AC_KEY, PKI_UK1_DDF1, SIM_AC_BEFORE_ACTIVATION };
	size_t i;
	int adf;

	if (card->kind != SIM_CARD_USER)
		return 0;
	if (state_of(card) == NULL)
		return -1;
	if ((adf = sim_fs_add_df(card, 0, SIM_PKI_FID, pki_aid, sizeof(pki_aid))) < 0) {
		hc_log_error("cannot add the PKI application");
		return -1;
	}
	for (i = 0; i < SIM_PKI_NKEYS; i++) {
		if (sim_fs_add_ef(card, (uint16_t)adf, key_defs[i].cert_fid, SIM_EF_BINARY, 0,
		                  SIM_PKI_CERT_MAX, 0, 0, 0x00, rd, wr, SIM_SM_PLAIN) < 0) {
			hc_log_error("cannot add certificate EF %04X", key_defs[i].cert_fid);
			return -1;
		}
	}
	/* Optional issuance at the factory (test and demo cards): keys and certificates. */
	if (sim_factory_opt(opts, "pki-ca") != NULL)
		return sim_pki_issue(card, sim_factory_opt(opts, "pki-ca"),
		                     sim_factory_opt(opts, "pki-name"),
		                     sim_factory_opt(opts, "pki-number"));
	return 0;
}

static int
pki_load(sim_card_t *card, const uint8_t *p, size_t n)
{
	pki_state_t *st = state_of(card);
	hc_reader_t r;
	uint8_t version = 0, count = 0, ref = 0, alg = 0, present = 0;
	size_t i;
	int idx = -1;

	if (st == NULL)
		return -1;
	hc_reader_init(&r, p, n);
	if (hc_get_u8(&r, &version) != 0 || version != PKI_SECTION_VERSION ||
	    hc_get_u8(&r, &count) != 0 || count > SIM_PKI_NKEYS) {
		hc_log_error("bad pki section header");
		return -1;
	}
	for (i = 0; i < count; i++) {
		if (hc_get_u8(&r, &ref) != 0 || hc_get_u8(&r, &alg) != 0 ||
		    hc_get_u8(&r, &present) != 0 || key_def(ref, &idx) == NULL ||
		    key_defs[idx].alg != alg || present > 1 ||
		    hc_get_bytes(&r, st->keys[idx].priv, 32) != 0 ||
		    hc_get_bytes(&r, st->keys[idx].pub, 64) != 0) {
			hc_log_error("bad pki key entry %zu", i);
			return -1;
		}
		st->keys[idx].present = present;
	}
	if (hc_reader_left(&r) != 0) {
		hc_log_error("trailing bytes in pki section");
		return -1;
	}
	return 0;
}

static int
pki_save(const sim_card_t *card, hc_writer_t *w)
{
	const pki_state_t *st;
	void *const *slot = (void *const *)sim_card_module_state((sim_card_t *)card, &sim_pki_module);
	size_t i;

	hc_put_u8(w, PKI_SECTION_VERSION);
	if (slot == NULL || (st = *slot) == NULL) {
		hc_put_u8(w, 0);   /* a card without the application (SAM card) */
		return hc_writer_ok(w) ? 0 : -1;
	}
	hc_put_u8(w, SIM_PKI_NKEYS);
	for (i = 0; i < SIM_PKI_NKEYS; i++) {
		hc_put_u8(w, key_defs[i].ref);
		hc_put_u8(w, key_defs[i].alg);
		hc_put_u8(w, (uint8_t)(st->keys[i].present ? 1 : 0));
		hc_put_bytes(w, st->keys[i].priv, 32);
		hc_put_bytes(w, st->keys[i].pub, 64);
	}
	return hc_writer_ok(w) ? 0 : -1;
}

static void
pki_free_state(sim_card_t *card)
{
	void **slot = sim_card_module_state(card, &sim_pki_module);

	if (slot == NULL || *slot == NULL)
		return;
	hc_wipe(*slot, sizeof(pki_state_t));
	free(*slot);
	*slot = NULL;
}

static void
pki_event(sim_card_t *card, sim_event_t ev, const hc_apdu_t *cmd)
{
	pki_state_t *st;

	(void)cmd;
	if (card->kind != SIM_CARD_USER || (st = state_of(card)) == NULL)
		return;
	if (ev == SIM_EVENT_RESET || ev == SIM_EVENT_SELECT_DF)
		st->mse_key = -1;
	if (ev == SIM_EVENT_RESET)
		st->issuer_session = 0;
	/*
	 * The core keeps the UK1 DDF1 grant (issuer_right) only while the MF or DDF1 is current;
	 * pki.md wants it for the whole card session: latch it before every command, i.e. also
	 * before the SELECT that leaves DDF1.
	 */
	if (ev == SIM_EVENT_COMMAND && card->issuer_right)
		st->issuer_session = 1;
	/*
	 * pki.md: certificates are written with "the same right as key generation", the UK1
	 * DDF1 right from external authentication earlier in this card session. Rights are per
	 * DF and cleared by SELECT, so the session-wide issuer right becomes the UK1 right of
	 * the PKI application when it is selected (doc/spec-notes.md, pkcs11 section).
	 */
	if (ev == SIM_EVENT_SELECT_DF && st->issuer_session && card->life_cycle == 0x03 &&
	    pki_current(card))
		sim_card_grant(card, PKI_UK1_DDF1);
}

const sim_module_t sim_pki_module = {
	"pki",
	pki_commands,
	sizeof(pki_commands) / sizeof(pki_commands[0]),
	pki_factory_options,
	pki_factory,
	pki_load,
	pki_save,
	pki_free_state,
	pki_event,
	NULL,
};
