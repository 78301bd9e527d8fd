/*
 * hcard-sim: the PSAM application of the SAM card (purse.md "Purchase" steps 1, 4, 6).
 *
 * DF 1001 under the SAM's MF ([PC], `00 A4 00 00 02 10 01`, no PIN); the terminal number is
 * the SAM MF's EF0016 (made by the core factory). Commands: MAC1 `80 70 00 00 1C` and MAC2
 * verification `80 72 00 00 04`. The PSAM holds the master DPK of each ledger (key version
 * 01) from the key set, and the terminal transaction counter T, persisted.
 *
 * Image section "psam": u8 version (1) ‖ T u32 ‖ master DPK ED 16 ‖ master DPK EP 16.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "apdu/log.h"
#include "crypto/crypto.h"
#include "sim/keyset.h"
#include "sim/module.h"

#define PSAM_SECTION_VERSION 1u
#define PSAM_DF_FID 0x1001u
#define PSAM_TERMINAL_FID 0x0016u
#define PSAM_KEY_VERSION 0x01u

/* Master purchase keys by transaction type (purse.md: 05 ED, 06 EP), key version 01. */
static const struct { uint8_t type; const char *name; } psam_keys[] = {
	{ 0x05, "purse.ed.dpk" },
	{ 0x06, "purse.ep.dpk" },
};
#define PSAM_NKEYS (sizeof(psam_keys) / sizeof(psam_keys[0]))

typedef struct psam_state {
	uint32_t t;                     /* next terminal transaction number */
	uint8_t mdpk[PSAM_NKEYS][16];
	/* volatile: the session of the last MAC1 */
	int session;
	uint8_t sespk[8];
	uint32_t amount;
} psam_state_t;

static psam_state_t *
psam_state(sim_card_t *card, int create)
{
	void **slot = sim_card_module_state(card, &sim_psam_module);

	if (slot == NULL)
		return NULL;
	if (*slot == NULL && create)
		*slot = calloc(1, sizeof(psam_state_t));
	return *slot;
}

static void
psam_free_state(sim_card_t *card)
{
	void **slot = sim_card_module_state(card, &sim_psam_module);

	if (slot == NULL || *slot == NULL)
		return;
	hc_wipe(*slot, sizeof(psam_state_t));
	free(*slot);
	*slot = NULL;
}

static int
psam_is_current(const sim_card_t *card)
{
	int df = sim_fs_child(card, 0, PSAM_DF_FID);

	return df >= 0 && card->current_df == (uint16_t)df;
}

static void
psam_end_session(psam_state_t *st)
{
	st->session = 0;
	st->amount = 0;
	hc_wipe(st->sespk, sizeof(st->sespk));
}

/* MAC1 80 70 00 00 1C: R 4 ‖ N 2 ‖ amount 4 ‖ type 1 ‖ date 4 ‖ time 3 ‖ key version 1 ‖
 * algorithm 1 ‖ F 8 -> T 4 ‖ MAC1 4. */
static uint16_t
cmd_mac1(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	psam_state_t *st = psam_state(card, 0);
	const uint8_t *d = cmd->data;
	const uint8_t *terminal;
	uint8_t dpk[16], in[8], buf[24], mac1[4];
	uint32_t amount;
	uint16_t sw = 0x6581;
	int term_ef;
	size_t k;
	hc_writer_t w;

	if (st == NULL || !psam_is_current(card))
		return 0x6D00;
	psam_end_session(st);
	if (cmd->p1 != 0x00 || cmd->p2 != 0x00)
		return 0x6A86;
	if (cmd->lc != 0x1C)
		return 0x6700;
	for (k = 0; k < PSAM_NKEYS && psam_keys[k].type != d[10]; k++)
		;
	if (k == PSAM_NKEYS || d[18] != PSAM_KEY_VERSION || d[19] != 0x00)
		return 0x9403;
	term_ef = sim_fs_child(card, 0, PSAM_TERMINAL_FID);
	if (term_ef < 0 || card->files[term_ef].data == NULL || card->files[term_ef].size < 6)
		return 0x6A82;
	terminal = card->files[term_ef].data;
	if (st->t == 0xFFFFFFFFu)
		return 0x6985;
	amount = ((uint32_t)d[6] << 24) | ((uint32_t)d[7] << 16) | ((uint32_t)d[8] << 8) | d[9];
	/* DPK = diversified master by F; SESPK = 3DES_DPK(R ‖ N ‖ last 2 bytes of T) */
	if (hc_des3_diversify(st->mdpk[k], d + 20, dpk) != 0)
		goto out;
	memcpy(in, d, 6);
	in[6] = (uint8_t)(st->t >> 8);
	in[7] = (uint8_t)st->t;
	if (hc_des3_ecb(dpk, 1, in, 8, st->sespk) != 0)
		goto out;
	/* MAC1 = MAC_SESPK(amount ‖ type ‖ terminal ‖ date ‖ time) */
	hc_writer_init(&w, buf, sizeof(buf));
	hc_put_bytes(&w, d + 6, 5);
	hc_put_bytes(&w, terminal, 6);
	hc_put_bytes(&w, d + 11, 7);
	if (!hc_writer_ok(&w) || hc_mac_alg1(st->sespk, buf, w.len, mac1) != 0)
		goto out;
	hc_put_u32(out, st->t);
	hc_put_bytes(out, mac1, 4);
	st->t++;
	st->session = 1;
	st->amount = amount;
	sim_card_changed(card);
	sw = 0x9000;
out:
	if (sw != 0x9000)
		psam_end_session(st);
	hc_wipe(dpk, sizeof(dpk));
	hc_wipe(in, sizeof(in));
	return sw;
}

/* MAC2 verification 80 72 00 00 04 MAC2: MAC2 = MAC_SESPK(amount). Ends the session. */
static uint16_t
cmd_mac2(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	psam_state_t *st = psam_state(card, 0);
	uint8_t buf[4], mac2[4];
	uint16_t sw;

	(void)out;
	if (st == NULL || !psam_is_current(card))
		return 0x6D00;
	if (cmd->p1 != 0x00 || cmd->p2 != 0x00)
		return 0x6A86;
	if (cmd->lc != 4)
		return 0x6700;
	if (!st->session)
		return 0x6985;
	buf[0] = (uint8_t)(st->amount >> 24);
	buf[1] = (uint8_t)(st->amount >> 16);
	buf[2] = (uint8_t)(st->amount >> 8);
	buf[3] = (uint8_t)st->amount;
	if (hc_mac_alg1(st->sespk, buf, 4, mac2) != 0)
		sw = 0x6581;
	else
		sw = memcmp(mac2, cmd->data, 4) == 0 ? 0x9000 : 0x9302;
	psam_end_session(st);
	return sw;
}

static int
psam_save(const sim_card_t *card, hc_writer_t *w)
{
	psam_state_t *st = psam_state((sim_card_t *)card, 0);
	size_t k;

	if (st == NULL)
		return 0;
	hc_put_u8(w, PSAM_SECTION_VERSION);
	hc_put_u32(w, st->t);
	for (k = 0; k < PSAM_NKEYS; k++)
		hc_put_bytes(w, st->mdpk[k], 16);
	return hc_writer_ok(w) ? 0 : -1;
}

static int
psam_load(sim_card_t *card, const uint8_t *p, size_t n)
{
	psam_state_t *st;
	hc_reader_t r;
	uint8_t version;
	size_t k;
	int ok;

	if (n == 0)
		return 0;
	if ((st = psam_state(card, 1)) == NULL)
		return -1;
	hc_reader_init(&r, p, n);
	ok = hc_get_u8(&r, &version) == 0 && version == PSAM_SECTION_VERSION &&
	    hc_get_u32(&r, &st->t) == 0;
	for (k = 0; k < PSAM_NKEYS && ok; k++)
		ok = hc_get_bytes(&r, st->mdpk[k], 16) == 0;
	if (!ok || hc_reader_left(&r) != 0) {
		hc_log_error("psam section malformed");
		psam_free_state(card);
		return -1;
	}
	return 0;
}

static void
psam_event(sim_card_t *card, sim_event_t ev, const hc_apdu_t *cmd)
{
	psam_state_t *st = psam_state(card, 0);

	(void)cmd;
	if (st != NULL && ev == SIM_EVENT_RESET)
		psam_end_session(st);
}

static const char *const psam_factory_options[] = {
	"psam-t",           /* initial terminal transaction number (default 1) */
	NULL
};

static int
psam_factory(sim_card_t *card, const sim_factory_opts_t *opts)
{
	sim_keyset_t *ks = NULL;
	psam_state_t *st;
	const char *s;
	char *end = NULL;
	unsigned long long t = 1;
	size_t k;
	int ret = -1;

	if (card->kind != SIM_CARD_SAM)
		return 0;
	if ((s = sim_factory_opt(opts, "psam-t")) != NULL) {
		t = strtoull(s, &end, 10);
		if (*s == '\0' || *s == '-' || *end != '\0' || t >= 0xFFFFFFFFull) {
			hc_log_error("--psam-t: a number below 2^32-1 expected");
			return -1;
		}
	}
	if ((st = psam_state(card, 1)) == NULL)
		goto out;
	st->t = (uint32_t)t;
	if ((ks = sim_keyset_load(sim_factory_opt(opts, "keyset"))) == NULL)
		goto out;
	for (k = 0; k < PSAM_NKEYS; k++) {
		if (sim_keyset_get(ks, psam_keys[k].name, st->mdpk[k], 16) != 0) {
			hc_log_error("key set lacks %s", psam_keys[k].name);
			goto out;
		}
	}
	if (sim_fs_add_df(card, 0, PSAM_DF_FID, NULL, 0) < 0) {
		hc_log_error("cannot create the PSAM application");
		goto out;
	}
	sim_card_changed(card);
	ret = 0;
out:
	sim_keyset_free(&ks);
	if (ret != 0)
		psam_free_state(card);
	return ret;
}

static const sim_cmd_t psam_commands[] = {
	{ 0xFF, 0x80, 0x70, SIM_CMD_SAM, cmd_mac1, "PSAM MAC1" },
	{ 0xFF, 0x80, 0x72, SIM_CMD_SAM, cmd_mac2, "PSAM MAC2" },
};

const sim_module_t sim_psam_module = {
	"psam",
	psam_commands,
	sizeof(psam_commands) / sizeof(psam_commands[0]),
	psam_factory_options,
	psam_factory,
	psam_load,
	psam_save,
	psam_free_state,
	psam_event,
	NULL,
};
