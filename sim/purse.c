/*
 * hcard-sim: the debit application of the user card (purse.md): module object, image
 * section "purse", factory, cardholder PIN, GET BALANCE, GET DATA, GET TRANSACTION PROVE.
 * Transactions are in sim/purse_tx.c.
 *
 * Image section "purse": u8 version (1) ‖ per ledger (ED, EP): balance u32 ‖ N u16 ‖ M u16 ‖
 * prove valid u8 ‖ prove N u16 ‖ MAC2 4 ‖ TAC 4 ‖ DPK 16 ‖ DLK 16 ‖ DTK 16 ‖ then PRK 16 ‖
 * PIN block 6 ‖ PIN tries u8 ‖ EP single limit u32 ‖ EP balance limit u32.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apdu/log.h"
#include "crypto/crypto.h"
#include "sim/keyset.h"
#include "sim/purse.h"

#define PURSE_SECTION_VERSION 1u
#define PURSE_ADF_FID 0xAD01u        /* [PC] FID of the debit ADF (selected by AID) */
#define PURSE_EF15_FID 0xEF15u
#define PURSE_EF18_FID 0xEF18u
#define PURSE_EF15_SFI 0x15u
#define PURSE_EF18_SFI 0x18u

static const uint8_t purse_aid[] = { 0xA0, 0x00, 0x00, 0x03, 0x33, 0x01, 0x01 };
static const uint8_t pki_aid[] = { 0xF0, 0x48, 0x43, 0x41, 0x52, 0x44, 0x50, 0x4B, 0x49 };
/* purse.md: factory PIN 123456 */
static const uint8_t factory_pin[6] = { 0x12, 0x34, 0x56, 0xFF, 0xFF, 0xFF };
/* [PC] issuer id of simulated cards */
static const uint8_t issuer_id[8] = { 0x48, 0x43, 0x41, 0x52, 0x44, 0x00, 0x00, 0x01 };

/* Key-set names per ledger (sim/keyset.h: purse.L.K). */
static const char *const key_names[SIM_PURSE_LEDGERS][3] = {
	{ "purse.ed.dpk", "purse.ed.dlk", "purse.ed.dtk" },
	{ "purse.ep.dpk", "purse.ep.dlk", "purse.ep.dtk" },
};
/* [PC] the one PIN's reload key is the ED ledger's PRK (the ledger that needs the PIN). */
static const char prk_name[] = "purse.ed.prk";

static void
purse_free_state(sim_card_t *card)
{
	void **slot = sim_card_module_state(card, &sim_purse_module);

	if (slot == NULL || *slot == NULL)
		return;
	hc_wipe(*slot, sizeof(sim_purse_state_t));
	free(*slot);
	*slot = NULL;
}

sim_purse_state_t *
sim_purse_state(sim_card_t *card)
{
	void **slot = sim_card_module_state(card, &sim_purse_module);

	if (slot == NULL)
		return NULL;
	return *slot;
}

static sim_purse_state_t *
purse_state_new(sim_card_t *card)
{
	void **slot = sim_card_module_state(card, &sim_purse_module);

	if (slot == NULL)
		return NULL;
	if (*slot == NULL)
		*slot = calloc(1, sizeof(sim_purse_state_t));
	return *slot;
}

int
sim_purse_is_current(const sim_card_t *card)
{
	int adf = sim_fs_find_name(card, purse_aid, sizeof(purse_aid));

	return adf >= 0 && card->current_df == (uint16_t)adf;
}

static int
pki_is_current(const sim_card_t *card)
{
	int adf = sim_fs_find_name(card, pki_aid, sizeof(pki_aid));

	return adf >= 0 && card->current_df == (uint16_t)adf;
}

int
sim_purse_mac(const uint8_t key[8], const uint8_t *data, size_t len, uint8_t mac[4])
{
	return hc_mac_alg1(key, data, len, mac);
}

/* ---- PIN (purse.md "Cardholder PIN") ---------------------------------------------------- */

/* 1 if b is a valid PIN block: 4-12 BCD digits, left-justified, F-padded. */
static int
pin_block_valid(const uint8_t b[6])
{
	unsigned i, digits = 0;
	int pad = 0;

	for (i = 0; i < 12; i++) {
		uint8_t nib = (uint8_t)((i % 2 == 0) ? (b[i / 2] >> 4) : (b[i / 2] & 0x0F));

		if (nib == 0x0F) {
			pad = 1;
		} else if (nib <= 9 && !pad) {
			digits++;
		} else {
			return 0;
		}
	}
	return digits >= 4 && digits <= 12;
}

static uint16_t
pin_tries_sw(const sim_purse_state_t *st)
{
	return st->pin_tries == 0 ? 0x6983 : (uint16_t)(0x63C0u | st->pin_tries);
}

/* Compares block with the PIN, counting a failure. Returns 9000 / 63Cx / 6983. */
static uint16_t
pin_check(sim_card_t *card, sim_purse_state_t *st, const uint8_t block[6])
{
	uint8_t diff = 0;
	unsigned i;

	if (st->pin_tries == 0)
		return 0x6983;
	for (i = 0; i < 6; i++)
		diff |= (uint8_t)(block[i] ^ st->pin[i]);
	if (diff != 0) {
		st->pin_tries--;
		card->pin_verified = 0;
		card->pin_blocked = st->pin_tries == 0;
		sim_card_changed(card);
		return (uint16_t)(0x63C0u | st->pin_tries);
	}
	if (st->pin_tries != SIM_PURSE_PIN_TRIES) {
		st->pin_tries = SIM_PURSE_PIN_TRIES;
		sim_card_changed(card);
	}
	return 0x9000;
}

/* The PIN commands work in the debit and the PKI application (one PIN object). */
static uint16_t
pin_context(sim_card_t *card, sim_purse_state_t **st)
{
	*st = sim_purse_state(card);
	if (*st == NULL)
		return 0x6D00;
	if (!sim_purse_is_current(card) && !pki_is_current(card))
		return 0x6A88;
	return 0x9000;
}

/* VERIFY 00 20 00 00 06 <block>; without data: state query. */
static uint16_t
cmd_verify(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	sim_purse_state_t *st;
	uint16_t sw;

	(void)out;
	if ((sw = pin_context(card, &st)) != 0x9000)
		return sw;
	if (cmd->p1 != 0x00 || cmd->p2 != 0x00)
		return 0x6A86;
	if (cmd->lc == 0) {
		if (st->pin_tries == 0)
			return 0x6983;
		return card->pin_verified ? 0x9000 : pin_tries_sw(st);
	}
	if (cmd->lc != 6 || cmd->has_le)
		return 0x6700;
	if (!pin_block_valid(cmd->data))
		return 0x6A80;
	sw = pin_check(card, st, cmd->data);
	card->pin_verified = sw == 0x9000;
	return sw;
}

/* CHANGE PIN 80 5E 01 00 0D <old> FF <new>; RELOAD PIN 80 5E 00 00 0A <block> MAC4. */
static uint16_t
cmd_change_reload_pin(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	sim_purse_state_t *st;
	uint8_t mac[4];
	uint16_t sw;

	(void)out;
	if ((sw = pin_context(card, &st)) != 0x9000)
		return sw;
	if (cmd->p2 != 0x00 || cmd->p1 > 0x01)
		return 0x6A86;
	if (cmd->p1 == 0x01) {
		if (cmd->lc != 13 || cmd->has_le)
			return 0x6700;
		if (cmd->data[6] != 0xFF || !pin_block_valid(cmd->data) ||
		    !pin_block_valid(cmd->data + 7))
			return 0x6A80;
		if ((sw = pin_check(card, st, cmd->data)) != 0x9000)
			return sw;
		memcpy(st->pin, cmd->data + 7, 6);
		card->pin_verified = 0;
		sim_card_changed(card);
		return 0x9000;
	}
	/* RELOAD PIN: retail MAC under PRK over the block (purse.md) */
	if (cmd->lc != 10 || cmd->has_le)
		return 0x6700;
	if (!pin_block_valid(cmd->data))
		return 0x6A80;
	if (hc_mac_alg3(st->prk, cmd->data, 6, mac) != 0)
		return 0x6581;
	if (memcmp(mac, cmd->data + 6, 4) != 0)
		return 0x9302;
	memcpy(st->pin, cmd->data, 6);
	st->pin_tries = SIM_PURSE_PIN_TRIES;
	card->pin_blocked = 0;
	card->pin_verified = 0;
	sim_card_changed(card);
	return 0x9000;
}

/* ---- queries ------------------------------------------------------------------------------ */

static uint16_t
ledger_of_p2(uint8_t p2, unsigned *ledger)
{
	if (p2 == 0x01)
		*ledger = SIM_PURSE_ED;
	else if (p2 == 0x02)
		*ledger = SIM_PURSE_EP;
	else
		return 0x6A86;
	return 0x9000;
}

/* GET BALANCE 80 5C 00 <01|02> 04 (ED needs the PIN). */
static uint16_t
cmd_get_balance(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	sim_purse_state_t *st = sim_purse_state(card);
	unsigned ledger;
	uint16_t sw;

	if (st == NULL || !sim_purse_is_current(card))
		return 0x6D00;
	if (cmd->p1 != 0x00 || (sw = ledger_of_p2(cmd->p2, &ledger)) != 0x9000)
		return 0x6A86;
	if (cmd->lc != 0 || !cmd->has_le || (cmd->le != 4 && cmd->le != 256))
		return 0x6700;
	if (ledger == SIM_PURSE_ED && !card->pin_verified)
		return 0x6982;
	hc_put_u32(out, st->led[ledger].balance);
	return 0x9000;
}

/* n12: 6 bytes BCD, right-justified. */
static void
put_n12(hc_writer_t *out, uint32_t v)
{
	uint8_t b[6];
	int i;

	for (i = 5; i >= 0; i--) {
		b[i] = (uint8_t)((v % 10u) | ((v / 10u % 10u) << 4));
		v /= 100u;
	}
	hc_put_bytes(out, b, sizeof(b));
}

/* GET DATA 80 CA 9F <79|77|78> 00 -> the whole TLV. */
static uint16_t
cmd_get_data(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	sim_purse_state_t *st = sim_purse_state(card);
	uint32_t v;

	if (st == NULL || !sim_purse_is_current(card))
		return 0x6D00;
	if (cmd->lc != 0)
		return 0x6700;
	if (cmd->p1 != 0x9F)
		return 0x6A88;
	switch (cmd->p2) {
	case 0x79: v = st->led[SIM_PURSE_EP].balance; break;
	case 0x77: v = st->ep_balance_limit; break;
	case 0x78: v = st->ep_single_limit; break;
	default: return 0x6A88;
	}
	hc_put_u8(out, cmd->p1);
	hc_put_u8(out, cmd->p2);
	hc_put_u8(out, 6);
	put_n12(out, v);
	return 0x9000;
}

/* GET TRANSACTION PROVE 80 5A 00 <05|06> 02 N 08 -> MAC2 ‖ TAC of the last completed debit
 * of that ledger when N matches, else 9406. No PIN needed. */
static uint16_t
cmd_get_prove(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	sim_purse_state_t *st = sim_purse_state(card);
	const sim_purse_ledger_t *l;
	uint16_t n;

	if (st == NULL || !sim_purse_is_current(card))
		return 0x6D00;
	if (cmd->p1 != 0x00 || (cmd->p2 != 0x05 && cmd->p2 != 0x06))
		return 0x6A86;
	if (cmd->lc != 2)
		return 0x6700;
	l = &st->led[cmd->p2 == 0x05 ? SIM_PURSE_ED : SIM_PURSE_EP];
	n = (uint16_t)((cmd->data[0] << 8) | cmd->data[1]);
	if (!l->prove_valid || l->prove_n != n)
		return 0x9406;
	hc_put_bytes(out, l->prove_mac2, 4);
	hc_put_bytes(out, l->prove_tac, 4);
	return 0x9000;
}

/* ---- image section ------------------------------------------------------------------------ */

static int
purse_save(const sim_card_t *card, hc_writer_t *w)
{
	sim_purse_state_t *st = sim_purse_state((sim_card_t *)card);
	unsigned i;

	if (st == NULL)
		return 0;
	hc_put_u8(w, PURSE_SECTION_VERSION);
	for (i = 0; i < SIM_PURSE_LEDGERS; i++) {
		const sim_purse_ledger_t *l = &st->led[i];

		hc_put_u32(w, l->balance);
		hc_put_u16(w, l->n);
		hc_put_u16(w, l->m);
		hc_put_u8(w, l->prove_valid);
		hc_put_u16(w, l->prove_n);
		hc_put_bytes(w, l->prove_mac2, 4);
		hc_put_bytes(w, l->prove_tac, 4);
		hc_put_bytes(w, l->dpk, 16);
		hc_put_bytes(w, l->dlk, 16);
		hc_put_bytes(w, l->dtk, 16);
	}
	hc_put_bytes(w, st->prk, 16);
	hc_put_bytes(w, st->pin, 6);
	hc_put_u8(w, st->pin_tries);
	hc_put_u32(w, st->ep_single_limit);
	hc_put_u32(w, st->ep_balance_limit);
	return hc_writer_ok(w) ? 0 : -1;
}

static int
purse_load(sim_card_t *card, const uint8_t *p, size_t n)
{
	sim_purse_state_t *st;
	hc_reader_t r;
	uint8_t version;
	unsigned i;
	int ok = 1;

	if (n == 0)
		return 0;
	if ((st = purse_state_new(card)) == NULL)
		return -1;
	hc_reader_init(&r, p, n);
	if (hc_get_u8(&r, &version) != 0 || version != PURSE_SECTION_VERSION) {
		hc_log_error("purse section: unknown version");
		goto fail;
	}
	for (i = 0; i < SIM_PURSE_LEDGERS && ok; i++) {
		sim_purse_ledger_t *l = &st->led[i];

		ok = hc_get_u32(&r, &l->balance) == 0 && hc_get_u16(&r, &l->n) == 0 &&
		    hc_get_u16(&r, &l->m) == 0 && hc_get_u8(&r, &l->prove_valid) == 0 &&
		    hc_get_u16(&r, &l->prove_n) == 0 && hc_get_bytes(&r, l->prove_mac2, 4) == 0 &&
		    hc_get_bytes(&r, l->prove_tac, 4) == 0 && hc_get_bytes(&r, l->dpk, 16) == 0 &&
		    hc_get_bytes(&r, l->dlk, 16) == 0 && hc_get_bytes(&r, l->dtk, 16) == 0;
	}
	ok = ok && hc_get_bytes(&r, st->prk, 16) == 0 && hc_get_bytes(&r, st->pin, 6) == 0 &&
	    hc_get_u8(&r, &st->pin_tries) == 0 && hc_get_u32(&r, &st->ep_single_limit) == 0 &&
	    hc_get_u32(&r, &st->ep_balance_limit) == 0 && hc_reader_left(&r) == 0;
	if (!ok || st->pin_tries > SIM_PURSE_PIN_TRIES) {
		hc_log_error("purse section malformed");
		goto fail;
	}
	card->pin_blocked = st->pin_tries == 0;
	card->pin_verified = 0;
	return 0;
fail:
	purse_free_state(card);
	return -1;
}

static void
purse_event(sim_card_t *card, sim_event_t ev, const hc_apdu_t *cmd)
{
	sim_purse_state_t *st = sim_purse_state(card);

	(void)cmd;
	if (st == NULL)
		return;
	switch (ev) {
	case SIM_EVENT_RESET:
		card->pin_verified = 0;
		hc_wipe(&st->pend, sizeof(st->pend));
		break;
	case SIM_EVENT_COMMAND:
		/* purse.md: INITIALIZE is remembered for the next command only */
		if (st->pend.valid && !st->pend.fresh)
			hc_wipe(&st->pend, sizeof(st->pend));
		st->pend.fresh = 0;
		break;
	default:
		break;
	}
}

/* ---- factory ------------------------------------------------------------------------------ */

static const char *const purse_factory_options[] = {
	"purse-serial",     /* 20 digits; default random */
	"purse-ed",         /* initial ED balance, fen (default 0) */
	"purse-ep",         /* initial EP balance, fen (default 0) */
	"purse-ep-limit",   /* 9F78 single-transaction limit, fen (default 100000) */
	"purse-ep-max",     /* 9F77 balance limit, fen (default 1000000) */
	NULL
};

static int
opt_u32(const sim_factory_opts_t *o, const char *name, uint32_t def, uint32_t *v)
{
	const char *s = sim_factory_opt(o, name);
	char *end = NULL;
	unsigned long long x;

	*v = def;
	if (s == NULL)
		return 0;
	x = strtoull(s, &end, 10);
	if (*s == '\0' || *s == '-' || end == NULL || *end != '\0' || x > 0xFFFFFFFFull) {
		hc_log_error("--%s: not an amount in fen", name);
		return -1;
	}
	*v = (uint32_t)x;
	return 0;
}

/* 20-digit serial -> 10 bytes BCD; random digits when s is NULL. */
static int
make_serial(const char *s, uint8_t bcd[10])
{
	uint8_t rnd[16];
	char digits[21];
	unsigned i;

	if (s == NULL) {
		if (hc_random(rnd, sizeof(rnd)) != 0)
			return -1;
		memcpy(digits, "8860", 4);
		for (i = 0; i < 16; i++)
			digits[4 + i] = (char)('0' + rnd[i] % 10u);
		digits[20] = '\0';
		s = digits;
	}
	if (strlen(s) != 20 || strspn(s, "0123456789") != 20) {
		hc_log_error("--purse-serial: 20 digits expected");
		return -1;
	}
	for (i = 0; i < 10; i++)
		bcd[i] = (uint8_t)(((s[2 * i] - '0') << 4) | (s[2 * i + 1] - '0'));
	return 0;
}

static void
put_date_bcd(uint8_t *p, int year, int mon, int day)
{
	p[0] = (uint8_t)(((year / 1000) << 4) | (year / 100 % 10));
	p[1] = (uint8_t)(((year / 10 % 10) << 4) | (year % 10));
	p[2] = (uint8_t)(((mon / 10) << 4) | (mon % 10));
	p[3] = (uint8_t)(((day / 10) << 4) | (day % 10));
}

static int
purse_factory(sim_card_t *card, const sim_factory_opts_t *opts)
{
	static const sim_ac_t free_ac = { SIM_AC_FREE, 0, 0 };
	static const sim_ac_t never_ac = { SIM_AC_NEVER, 0, 0 };
	sim_keyset_t *ks = NULL;
	sim_purse_state_t *st;
	uint8_t ef15[SIM_PURSE_EF15_LEN], mk[16];
	const uint8_t *factor;
	struct tm tm;
	time_t now;
	int adf, ef, ret = -1;
	unsigned i, k;

	if (card->kind != SIM_CARD_USER)
		return 0;
	if ((st = purse_state_new(card)) == NULL)
		goto out;
	memset(ef15, 0, sizeof(ef15));
	memcpy(ef15, issuer_id, 8);
	ef15[8] = 0x01;                 /* application type */
	ef15[9] = 0x01;                 /* application version */
	if (make_serial(sim_factory_opt(opts, "purse-serial"), ef15 + 10) != 0)
		goto out;
	now = time(NULL);
	gmtime_r(&now, &tm);
	put_date_bcd(ef15 + 20, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	put_date_bcd(ef15 + 24, tm.tm_year + 1910, tm.tm_mon + 1, tm.tm_mday > 28 ? 28 : tm.tm_mday);
	factor = ef15 + 12;             /* purse.md: F = EF15 bytes 12-19 */

	if (opt_u32(opts, "purse-ed", 0, &st->led[SIM_PURSE_ED].balance) != 0 ||
	    opt_u32(opts, "purse-ep", 0, &st->led[SIM_PURSE_EP].balance) != 0 ||
	    opt_u32(opts, "purse-ep-limit", 100000, &st->ep_single_limit) != 0 ||
	    opt_u32(opts, "purse-ep-max", 1000000, &st->ep_balance_limit) != 0)
		goto out;
	if (st->led[SIM_PURSE_EP].balance > st->ep_balance_limit) {
		hc_log_error("--purse-ep above --purse-ep-max");
		goto out;
	}
	if ((ks = sim_keyset_load(sim_factory_opt(opts, "keyset"))) == NULL)
		goto out;
	for (i = 0; i < SIM_PURSE_LEDGERS; i++) {
		uint8_t *dst[3];

		dst[0] = st->led[i].dpk;
		dst[1] = st->led[i].dlk;
		dst[2] = st->led[i].dtk;
		for (k = 0; k < 3; k++) {
			if (sim_keyset_get(ks, key_names[i][k], mk, sizeof(mk)) != 0) {
				hc_log_error("key set lacks %s", key_names[i][k]);
				goto out;
			}
			if (hc_des3_diversify(mk, factor, dst[k]) != 0)
				goto out;
		}
	}
	if (sim_keyset_get(ks, prk_name, mk, sizeof(mk)) != 0) {
		hc_log_error("key set lacks %s", prk_name);
		goto out;
	}
	if (hc_des3_diversify(mk, factor, st->prk) != 0)
		goto out;
	memcpy(st->pin, factory_pin, sizeof(st->pin));
	st->pin_tries = SIM_PURSE_PIN_TRIES;

	if ((adf = sim_fs_add_df(card, 0, PURSE_ADF_FID, purse_aid, sizeof(purse_aid))) < 0 ||
	    (ef = sim_fs_add_ef(card, (uint16_t)adf, PURSE_EF15_FID, SIM_EF_BINARY, PURSE_EF15_SFI,
	        SIM_PURSE_EF15_LEN, 0, 0, 0x00, free_ac, never_ac, SIM_SM_PLAIN)) < 0 ||
	    sim_fs_set_content(card, (uint16_t)ef, ef15, sizeof(ef15)) != 0 ||
	    sim_fs_add_ef(card, (uint16_t)adf, PURSE_EF18_FID, SIM_EF_CYCLIC, PURSE_EF18_SFI,
	        SIM_PURSE_REC_LEN * SIM_PURSE_REC_COUNT, SIM_PURSE_REC_LEN, SIM_PURSE_REC_COUNT,
	        0x00, free_ac, never_ac, SIM_SM_PLAIN) < 0) {
		hc_log_error("cannot create the debit application's files");
		goto out;
	}
	sim_card_changed(card);
	ret = 0;
out:
	hc_wipe(mk, sizeof(mk));
	sim_keyset_free(&ks);
	if (ret != 0)
		purse_free_state(card);
	return ret;
}

static const sim_cmd_t purse_commands[] = {
	{ 0xFF, 0x00, 0x20, SIM_CMD_USER, cmd_verify, "VERIFY" },
	{ 0xFF, 0x80, 0x5E, SIM_CMD_USER, cmd_change_reload_pin, "CHANGE/RELOAD PIN" },
	{ 0xFF, 0x80, 0x50, SIM_CMD_USER, sim_purse_initialize, "INITIALIZE" },
	{ 0xFF, 0x80, 0x54, SIM_CMD_USER, sim_purse_debit, "DEBIT FOR PURCHASE" },
	{ 0xFF, 0x80, 0x52, SIM_CMD_USER, sim_purse_credit, "CREDIT FOR LOAD" },
	{ 0xFF, 0x80, 0x5C, SIM_CMD_USER, cmd_get_balance, "GET BALANCE" },
	{ 0xFF, 0x80, 0x5A, SIM_CMD_USER, cmd_get_prove, "GET TRANSACTION PROVE" },
	{ 0xFF, 0x80, 0xCA, SIM_CMD_USER, cmd_get_data, "GET DATA" },
};

const sim_module_t sim_purse_module = {
	"purse",
	purse_commands,
	sizeof(purse_commands) / sizeof(purse_commands[0]),
	purse_factory_options,
	purse_factory,
	purse_load,
	purse_save,
	purse_free_state,
	purse_event,
	NULL,
};
