/*
 * hcard-sim: SELECT, READ/UPDATE BINARY, GET CHALLENGE (card-profile.md §2, §4) and the
 * helpers every EF command shares (target EF, secure messaging of writes).
 */
#include "config.h"

#include <string.h>

#include "apdu/buf.h"
#include "apdu/tlv.h"
#include "crypto/crypto.h"
#include "hcard_err.h"
#include "sim/cmds.h"

int
sim_le_is_max(const hc_apdu_t *cmd)
{
	return cmd->has_le && (cmd->le == 256 || cmd->le == 65536);
}

int
sim_target_ef(sim_card_t *card, uint8_t sfi, uint16_t *sw)
{
	int idx;

	if (sfi == 0) {
		if (card->current_ef == SIM_NO_FILE) {
			*sw = 0x6986;   /* no current EF */
			return -1;
		}
		return card->current_ef;
	}
	idx = sim_fs_find_sfi(card, card->current_df, sfi);
	if (idx < 0) {
		*sw = 0x6A82;
		return -1;
	}
	card->current_ef = (uint16_t)idx;   /* ISO 7816-4: a command with an SFI selects it */
	return idx;
}

uint16_t
sim_write_unwrap(sim_card_t *card, const sim_file_t *ef, const hc_apdu_t *cmd, uint8_t *buf,
                 size_t cap, const uint8_t **data, size_t *len)
{
	sim_sm_mode_t mode;
	uint16_t sw;

	switch (cmd->cla) {
	case 0x00:
		mode = SIM_SM_PLAIN;
		break;
	case 0x84:
		mode = SIM_SM_MAC;
		break;
	case 0x04:
		mode = SIM_SM_ENC_MAC;
		break;
	default:
		return 0x6E00;
	}
	if (mode < ef->sm)
		return 0x6982;   /* card-profile.md §4: plain write to an SM file */
	if (mode == SIM_SM_PLAIN) {
		*data = cmd->data;
		*len = cmd->lc;
		return 0x9000;
	}
	sw = sim_sm_unwrap(card, cmd, mode, buf, cap, len);
	if (sw != 0x9000)
		return sw;
	*data = buf;
	return 0x9000;
}

/* --- SELECT ------------------------------------------------------------------------------ */

static uint8_t
fci_type(const sim_file_t *f)
{
	switch (f->kind) {
	case SIM_EF_BINARY: return 0x01;
	case SIM_EF_FIXED: return 0x02;
	case SIM_EF_VARIABLE: return 0x04;
	default: return 0x06;
	}
}

/* FCI templates of card-profile.md §2 [PC]. */
static void
put_fci(const sim_card_t *card, uint16_t idx, hc_writer_t *out)
{
	const sim_file_t *f = &card->files[idx];
	uint8_t inner[64], body[96];
	hc_writer_t wi, wb;

	hc_writer_init(&wi, inner, sizeof(inner));
	hc_writer_init(&wb, body, sizeof(body));
	if (f->kind != SIM_FILE_DF) {
		uint8_t t = fci_type(f), fid[2], sz[2];
		uint16_t n = (f->kind == SIM_EF_FIXED || f->kind == SIM_EF_CYCLIC) ?
		             f->record_len : f->size;

		fid[0] = (uint8_t)(f->fid >> 8);
		fid[1] = (uint8_t)f->fid;
		sz[0] = (uint8_t)(n >> 8);
		sz[1] = (uint8_t)n;
		hc_ber_put(&wb, 0x82, &t, 1);
		hc_ber_put(&wb, 0x83, fid, 2);
		hc_ber_put(&wb, 0x80, sz, 2);
		hc_ber_put(out, 0x62, body, wb.len);
		return;
	}
	if (idx == 0) {
		/* MF: card factor = ATR[4..11] (default chip profile), life cycle */
		uint8_t mf[2] = { 0x3F, 0x00 };
		uint8_t factor[8] = { 0 };

		if (card->atr_len >= 12)
			memcpy(factor, card->atr + 4, 8);
		hc_ber_put(&wi, 0xC0, factor, 8);
		hc_ber_put(&wi, 0x8A, &card->life_cycle, 1);
		hc_ber_put(&wb, 0x84, mf, 2);
	} else {
		if (f->key_version != 0)
			hc_ber_put(&wi, 0xC1, &f->key_version, 1);
		if (f->name_len > 0) {
			hc_ber_put(&wb, 0x84, f->name, f->name_len);
		} else {
			uint8_t fid[2] = { (uint8_t)(f->fid >> 8), (uint8_t)f->fid };

			hc_ber_put(&wb, 0x84, fid, 2);
		}
	}
	hc_ber_put(&wb, 0xA5, inner, wi.len);
	hc_ber_put(out, 0x6F, body, wb.len);
}

/* card-profile.md §2: children of the current DF, the current DF itself, its parent, MF. */
static int
select_by_fid(const sim_card_t *card, uint16_t fid)
{
	const sim_file_t *cur = &card->files[card->current_df];
	int idx;

	if (fid == 0x3F00)
		return 0;
	idx = sim_fs_child(card, card->current_df, fid);
	if (idx >= 0)
		return idx;
	if (cur->fid == fid)
		return card->current_df;
	if (cur->parent != SIM_NO_FILE && card->files[cur->parent].fid == fid)
		return cur->parent;
	return -1;
}

uint16_t
sim_cmd_select(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	int idx = -1;
	uint16_t sw = 0x9000;

	if (cmd->p2 != 0x00 && cmd->p2 != 0x0C)
		return 0x6A86;
	switch (cmd->p1) {
	case 0x00:
		if (cmd->lc == 0)
			idx = 0;   /* ISO 7816-4: P1 00 without data selects the MF */
		else if (cmd->lc == 2)
			idx = select_by_fid(card, (uint16_t)(cmd->data[0] << 8 | cmd->data[1]));
		else
			return 0x6700;
		break;
	case 0x02:
		if (cmd->lc != 2)
			return 0x6700;
		idx = sim_fs_child(card, card->current_df,
		                   (uint16_t)(cmd->data[0] << 8 | cmd->data[1]));
		if (idx >= 0 && card->files[idx].kind == SIM_FILE_DF)
			idx = -1;
		break;
	case 0x04:
		if (cmd->lc == 0 || cmd->lc > SIM_MAX_NAME)
			return 0x6700;
		idx = sim_fs_find_name(card, cmd->data, cmd->lc);
		break;
	default:
		return 0x6A86;
	}
	if (idx < 0)
		return 0x6A82;
	if (card->files[idx].kind == SIM_FILE_DF) {
		card->current_df = (uint16_t)idx;
		card->current_ef = SIM_NO_FILE;
		card->rights = 0;   /* §4: any successful SELECT of a DF clears the rights */
		if (idx != 0 && card->files[idx].fid != 0xDDF1)
			card->issuer_right = 0;
		if (card->files[idx].blocked != SIM_BLOCK_NONE)
			sw = 0x6283;
		sim_modules_event(card, SIM_EVENT_SELECT_DF, cmd);
	} else {
		card->current_ef = (uint16_t)idx;
	}
	if (cmd->p2 == 0x00)
		put_fci(card, (uint16_t)idx, out);
	return sw;
}

/* --- READ / UPDATE BINARY ---------------------------------------------------------------- */

/* P1 b8 = 1: SFI in P1 b5-b1, offset P2; else offset P1-P2 (15 bits). */
static int
binary_target(sim_card_t *card, const hc_apdu_t *cmd, size_t *offset, uint16_t *sw)
{
	int idx;

	if (cmd->p1 & 0x80) {
		if (cmd->p1 & 0x60) {
			*sw = 0x6A86;
			return -1;
		}
		idx = sim_target_ef(card, cmd->p1 & 0x1F, sw);
		*offset = cmd->p2;
	} else {
		idx = sim_target_ef(card, 0, sw);
		*offset = (size_t)cmd->p1 << 8 | cmd->p2;
	}
	if (idx >= 0 && card->files[idx].kind != SIM_EF_BINARY) {
		*sw = 0x6981;   /* command incompatible with file structure */
		return -1;
	}
	return idx;
}

uint16_t
sim_cmd_read_binary(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	const sim_file_t *f;
	size_t off, left, n;
	uint16_t sw = 0x9000;
	int idx;

	if (cmd->lc != 0 || !cmd->has_le)
		return 0x6700;
	idx = binary_target(card, cmd, &off, &sw);
	if (idx < 0)
		return sw;
	f = &card->files[idx];
	sw = sim_ac_check(card, &f->read);
	if (sw != 0x9000)
		return sw;
	if (off >= f->size)
		return 0x6B00;
	left = f->size - off;
	if (sim_le_is_max(cmd)) {
		n = left < cmd->le ? left : cmd->le;
	} else if (cmd->le > left) {
		n = left;
		sw = 0x6282;   /* §2: fewer bytes than Le remain, data returned */
	} else {
		n = cmd->le;
	}
	hc_put_bytes(out, f->data + off, n);
	return sw;
}

uint16_t
sim_cmd_update_binary(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	uint8_t buf[SIM_MAX_FILE_SIZE];
	const uint8_t *data = NULL;
	sim_file_t *f;
	size_t off, len = 0;
	uint16_t sw = 0x9000;
	int idx;

	(void)out;
	if (cmd->lc == 0 || cmd->has_le)
		return 0x6700;
	idx = binary_target(card, cmd, &off, &sw);
	if (idx < 0)
		return sw;
	f = &card->files[idx];
	sw = sim_write_unwrap(card, f, cmd, buf, sizeof(buf), &data, &len);
	if (sw == 0x9000)
		sw = sim_ac_check(card, &f->write);
	if (sw != 0x9000)
		goto out;
	if (off >= f->size) {
		sw = 0x6B00;
		goto out;
	}
	if (len == 0 || len > f->size - off) {
		sw = 0x6700;
		goto out;
	}
	memcpy(f->data + off, data, len);
	sim_card_changed(card);
out:
	hc_wipe(buf, sizeof(buf));
	return sw;
}

/* --- GET CHALLENGE ----------------------------------------------------------------------- */

uint16_t
sim_cmd_get_challenge(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	if (cmd->p1 != 0 || cmd->p2 != 0)
		return 0x6A86;
	if (cmd->lc != 0 || !cmd->has_le)
		return 0x6700;
	if (cmd->le != SIM_CHALLENGE_LEN && !sim_le_is_max(cmd))
		return (uint16_t)(0x6C00 | SIM_CHALLENGE_LEN);
	if (hc_random(card->challenge, SIM_CHALLENGE_LEN) != HC_OK)
		return 0x6F00;
	card->challenge_pending = 1;
	hc_put_bytes(out, card->challenge, SIM_CHALLENGE_LEN);
	return 0x9000;
}
