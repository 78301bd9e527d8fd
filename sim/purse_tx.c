/*
 * hcard-sim: purse transactions (purse.md "Purchase", "Load"): INITIALIZE FOR PURCHASE /
 * LOAD, DEBIT FOR PURCHASE, CREDIT FOR LOAD and the transaction detail file (SFI 18).
 * Every amount and counter check happens before anything changes; a change is made in the
 * state, then sim_card_changed() makes the server save the image before answering.
 */
#include "config.h"

#include <string.h>

#include "apdu/log.h"
#include "crypto/crypto.h"
#include "sim/purse.h"

#define PURSE_EF18_SFI 0x18u

/* Transaction type bytes (purse.md): loads 01/02, purchases 05/06, by ledger. */
static const uint8_t load_type[SIM_PURSE_LEDGERS] = { 0x01, 0x02 };
static const uint8_t purchase_type[SIM_PURSE_LEDGERS] = { 0x05, 0x06 };

/* Prepends a detail record: sequence 2 ‖ overdraft 3 ‖ amount 4 ‖ type 1 ‖ terminal 6 ‖
 * date 4 ‖ time 3 (record 1 = newest, the oldest drops off). */
static int
append_detail(sim_card_t *card, uint16_t seq, uint32_t amount, uint8_t type,
              const uint8_t terminal[6], const uint8_t date[4], const uint8_t tm[3])
{
	int adf = (int)card->current_df;
	int ef = sim_fs_find_sfi(card, (uint16_t)adf, PURSE_EF18_SFI);
	sim_file_t *f;
	uint8_t rec[SIM_PURSE_REC_LEN];
	hc_writer_t w;

	if (ef < 0)
		return -1;
	f = &card->files[ef];
	if (f->kind != SIM_EF_CYCLIC || f->record_len != SIM_PURSE_REC_LEN || f->n_records == 0 ||
	    f->data == NULL || f->size != (uint16_t)(f->record_len * f->n_records))
		return -1;
	hc_writer_init(&w, rec, sizeof(rec));
	hc_put_u16(&w, seq);
	hc_put_fill(&w, 0x00, 3);
	hc_put_u32(&w, amount);
	hc_put_u8(&w, type);
	hc_put_bytes(&w, terminal, 6);
	hc_put_bytes(&w, date, 4);
	hc_put_bytes(&w, tm, 3);
	if (!hc_writer_ok(&w) || w.len != sizeof(rec))
		return -1;
	memmove(f->data + SIM_PURSE_REC_LEN, f->data, (size_t)f->size - SIM_PURSE_REC_LEN);
	memcpy(f->data, rec, sizeof(rec));
	return 0;
}

/* 1 if the 4 date and 3 time bytes are plausible BCD (YYYYMMDD, hhmmss). */
static int
bcd_ok(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((p[i] >> 4) > 9 || (p[i] & 0x0F) > 9)
			return 0;
	return 1;
}

/* TAC key = DTK left 8 XOR right 8 (purse.md). */
static void
tac_key(const sim_purse_ledger_t *l, uint8_t k[8])
{
	unsigned i;

	for (i = 0; i < 8; i++)
		k[i] = (uint8_t)(l->dtk[i] ^ l->dtk[8 + i]);
}

/* INITIALIZE FOR PURCHASE 80 50 01 <01|02> 0B, FOR LOAD 80 50 00 <01|02> 0B:
 * key index 1 ‖ amount 4 ‖ terminal 6. */
uint16_t
sim_purse_initialize(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	sim_purse_state_t *st = sim_purse_state(card);
	sim_purse_pending_t *p;
	sim_purse_ledger_t *l;
	hc_reader_t r;
	uint8_t key_index, in[8], mac_in[15];
	uint32_t amount;
	unsigned ledger;
	uint16_t sw = 0x6F00;
	hc_writer_t w;

	if (st == NULL || !sim_purse_is_current(card))
		return 0x6D00;
	p = &st->pend;
	hc_wipe(p, sizeof(*p));
	if (cmd->p1 > 0x01 || (cmd->p2 != 0x01 && cmd->p2 != 0x02))
		return 0x6A86;
	if (cmd->lc != 11)
		return 0x6700;
	ledger = cmd->p2 == 0x01 ? SIM_PURSE_ED : SIM_PURSE_EP;
	l = &st->led[ledger];
	if (ledger == SIM_PURSE_ED && !card->pin_verified)
		return 0x6982;
	hc_reader_init(&r, cmd->data, cmd->lc);
	if (hc_get_u8(&r, &key_index) != 0 || hc_get_u32(&r, &amount) != 0 ||
	    hc_get_bytes(&r, p->terminal, 6) != 0)
		return 0x6700;
	if (key_index != SIM_PURSE_KEY_INDEX)
		return 0x9403;
	if (amount == 0)
		return 0x6A80;
	if (cmd->p1 == 0x01) {
		/* purchase */
		if (amount > l->balance)
			return 0x9401;
		if (ledger == SIM_PURSE_EP && amount > st->ep_single_limit)
			return 0x6985;
		if (l->n == 0xFFFF)
			return 0x6985;          /* counter exhausted */
		if (hc_random(p->random, 4) != 0)
			return 0x6581;
		hc_put_u32(out, l->balance);
		hc_put_u16(out, l->n);
		hc_put_fill(out, 0x00, 3);   /* overdraft limit: 000000 in v1 */
		hc_put_u8(out, SIM_PURSE_KEY_VERSION);
		hc_put_u8(out, SIM_PURSE_ALG_3DES);
		hc_put_bytes(out, p->random, 4);
		p->counter = l->n;
	} else {
		/* load */
		if (amount > 0xFFFFFFFFu - l->balance ||
		    (ledger == SIM_PURSE_EP && l->balance + amount > st->ep_balance_limit))
			return 0x6985;
		if (l->m == 0xFFFF)
			return 0x6985;
		if (hc_random(p->random, 4) != 0)
			return 0x6581;
		/* SESLK = 3DES_DLK(R ‖ M ‖ 80 00) */
		memcpy(in, p->random, 4);
		in[4] = (uint8_t)(l->m >> 8);
		in[5] = (uint8_t)l->m;
		in[6] = 0x80;
		in[7] = 0x00;
		if (hc_des3_ecb(l->dlk, 1, in, 8, p->seslk) != 0)
			goto fail;
		/* MAC1 = MAC_SESLK(balance ‖ amount ‖ type ‖ terminal) */
		hc_writer_init(&w, mac_in, sizeof(mac_in));
		hc_put_u32(&w, l->balance);
		hc_put_u32(&w, amount);
		hc_put_u8(&w, load_type[ledger]);
		hc_put_bytes(&w, p->terminal, 6);
		if (!hc_writer_ok(&w) || sim_purse_mac(p->seslk, mac_in, w.len, in) != 0)
			goto fail;
		hc_put_u32(out, l->balance);
		hc_put_u16(out, l->m);
		hc_put_u8(out, SIM_PURSE_KEY_VERSION);
		hc_put_u8(out, SIM_PURSE_ALG_3DES);
		hc_put_bytes(out, p->random, 4);
		hc_put_bytes(out, in, 4);
		p->counter = l->m;
	}
	if (!hc_writer_ok(out))
		goto fail;
	p->load = cmd->p1 == 0x00;
	p->ledger = ledger;
	p->amount = amount;
	p->balance = l->balance;
	p->valid = 1;
	p->fresh = 1;
	sw = 0x9000;
	goto out;
fail:
	hc_wipe(p, sizeof(*p));
	sw = 0x6581;
out:
	hc_wipe(in, sizeof(in));
	return sw;
}

/* DEBIT FOR PURCHASE 80 54 01 00 0F: T 4 ‖ date 4 ‖ time 3 ‖ MAC1 4 -> TAC ‖ MAC2. */
uint16_t
sim_purse_debit(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	sim_purse_state_t *st = sim_purse_state(card);
	sim_purse_pending_t p;
	sim_purse_ledger_t *l;
	uint8_t in[8], sespk[8], tk[8], buf[32], mac1[4], mac2[4], tac[4];
	const uint8_t *t, *date, *tm;
	uint16_t sw;
	hc_writer_t w;

	if (st == NULL || !sim_purse_is_current(card))
		return 0x6D00;
	/* the pending INITIALIZE is consumed by this command, whatever its outcome */
	p = st->pend;
	hc_wipe(&st->pend, sizeof(st->pend));
	if (cmd->p1 != 0x01 || cmd->p2 != 0x00)
		sw = 0x6A86;
	else if (cmd->lc != 15)
		sw = 0x6700;
	else if (!p.valid || p.load)
		sw = 0x6985;
	else
		sw = 0x9000;
	if (sw != 0x9000)
		goto out;
	l = &st->led[p.ledger];
	t = cmd->data;
	date = cmd->data + 4;
	tm = cmd->data + 8;
	if (!bcd_ok(date, 7)) {
		sw = 0x6A80;
		goto out;
	}
	sw = 0x6581;
	/* SESPK = 3DES_DPK(R ‖ N ‖ last 2 bytes of T) */
	memcpy(in, p.random, 4);
	in[4] = (uint8_t)(p.counter >> 8);
	in[5] = (uint8_t)p.counter;
	in[6] = t[2];
	in[7] = t[3];
	if (hc_des3_ecb(l->dpk, 1, in, 8, sespk) != 0)
		goto out;
	/* MAC1 = MAC_SESPK(amount ‖ type ‖ terminal ‖ date ‖ time) */
	hc_writer_init(&w, buf, sizeof(buf));
	hc_put_u32(&w, p.amount);
	hc_put_u8(&w, purchase_type[p.ledger]);
	hc_put_bytes(&w, p.terminal, 6);
	hc_put_bytes(&w, date, 4);
	hc_put_bytes(&w, tm, 3);
	if (!hc_writer_ok(&w) || sim_purse_mac(sespk, buf, w.len, mac1) != 0)
		goto out;
	if (memcmp(mac1, cmd->data + 11, 4) != 0) {
		sw = 0x9302;
		goto out;
	}
	if (p.amount > l->balance || l->n != p.counter) {
		sw = 0x9401;
		goto out;
	}
	/* MAC2 = MAC_SESPK(amount); TAC = MAC_TACkey(amount ‖ type ‖ terminal ‖ T ‖ date ‖ time) */
	if (sim_purse_mac(sespk, buf, 4, mac2) != 0)
		goto out;
	hc_writer_init(&w, buf, sizeof(buf));
	hc_put_u32(&w, p.amount);
	hc_put_u8(&w, purchase_type[p.ledger]);
	hc_put_bytes(&w, p.terminal, 6);
	hc_put_bytes(&w, t, 4);
	hc_put_bytes(&w, date, 4);
	hc_put_bytes(&w, tm, 3);
	tac_key(l, tk);
	if (!hc_writer_ok(&w) || sim_purse_mac(tk, buf, w.len, tac) != 0)
		goto out;
	if (append_detail(card, p.counter, p.amount, purchase_type[p.ledger], p.terminal,
	    date, tm) != 0) {
		hc_log_error("detail file missing or malformed");
		goto out;
	}
	l->balance -= p.amount;
	l->n = (uint16_t)(p.counter + 1u);
	l->prove_valid = 1;
	l->prove_n = p.counter;
	memcpy(l->prove_mac2, mac2, 4);
	memcpy(l->prove_tac, tac, 4);
	sim_card_changed(card);
	hc_put_bytes(out, tac, 4);
	hc_put_bytes(out, mac2, 4);
	sw = 0x9000;
out:
	hc_wipe(&p, sizeof(p));
	hc_wipe(sespk, sizeof(sespk));
	hc_wipe(tk, sizeof(tk));
	hc_wipe(in, sizeof(in));
	return sw;
}

/* CREDIT FOR LOAD 80 52 00 00 0B: date 4 ‖ time 3 ‖ MAC2 4 -> TAC. */
uint16_t
sim_purse_credit(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	sim_purse_state_t *st = sim_purse_state(card);
	sim_purse_pending_t p;
	sim_purse_ledger_t *l;
	uint8_t tk[8], buf[32], mac2[4], tac[4];
	const uint8_t *date, *tm;
	uint32_t new_balance;
	uint16_t sw;
	hc_writer_t w;

	if (st == NULL || !sim_purse_is_current(card))
		return 0x6D00;
	p = st->pend;
	hc_wipe(&st->pend, sizeof(st->pend));
	if (cmd->p1 != 0x00 || cmd->p2 != 0x00)
		sw = 0x6A86;
	else if (cmd->lc != 11)
		sw = 0x6700;
	else if (!p.valid || !p.load)
		sw = 0x6985;
	else
		sw = 0x9000;
	if (sw != 0x9000)
		goto out;
	l = &st->led[p.ledger];
	date = cmd->data;
	tm = cmd->data + 4;
	if (!bcd_ok(date, 7)) {
		sw = 0x6A80;
		goto out;
	}
	sw = 0x6581;
	/* host MAC2 = MAC_SESLK(amount ‖ type ‖ terminal ‖ date ‖ time) */
	hc_writer_init(&w, buf, sizeof(buf));
	hc_put_u32(&w, p.amount);
	hc_put_u8(&w, load_type[p.ledger]);
	hc_put_bytes(&w, p.terminal, 6);
	hc_put_bytes(&w, date, 4);
	hc_put_bytes(&w, tm, 3);
	if (!hc_writer_ok(&w) || sim_purse_mac(p.seslk, buf, w.len, mac2) != 0)
		goto out;
	if (memcmp(mac2, cmd->data + 7, 4) != 0) {
		sw = 0x9302;
		goto out;
	}
	if (p.amount > 0xFFFFFFFFu - l->balance || l->m != p.counter) {
		sw = 0x6985;
		goto out;
	}
	new_balance = l->balance + p.amount;
	/* TAC = MAC_TACkey(new balance ‖ M ‖ amount ‖ type ‖ terminal ‖ date ‖ time) */
	hc_writer_init(&w, buf, sizeof(buf));
	hc_put_u32(&w, new_balance);
	hc_put_u16(&w, p.counter);
	hc_put_u32(&w, p.amount);
	hc_put_u8(&w, load_type[p.ledger]);
	hc_put_bytes(&w, p.terminal, 6);
	hc_put_bytes(&w, date, 4);
	hc_put_bytes(&w, tm, 3);
	tac_key(l, tk);
	if (!hc_writer_ok(&w) || sim_purse_mac(tk, buf, w.len, tac) != 0)
		goto out;
	if (append_detail(card, p.counter, p.amount, load_type[p.ledger], p.terminal,
	    date, tm) != 0) {
		hc_log_error("detail file missing or malformed");
		goto out;
	}
	l->balance = new_balance;
	l->m = (uint16_t)(p.counter + 1u);
	sim_card_changed(card);
	hc_put_bytes(out, tac, 4);
	sw = 0x9000;
out:
	hc_wipe(&p, sizeof(p));
	hc_wipe(tk, sizeof(tk));
	return sw;
}
