/*
 * hcard-sim: life cycle and block commands (card-profile.md §6). The MACs of the block
 * commands are checked by the secure-messaging hook (sim/module.h, crypto-sam); without an
 * SM module they answer 6982, so nothing can be blocked by a host without keys.
 */
#include "config.h"

#include <string.h>

#include "apdu/buf.h"
#include "sim/cmds.h"

#define KEY_LK_BK 0x03u   /* card P2 83 (LK of DF01-DF03) / 03 (BK of the MF), & 1F */

uint16_t
sim_cmd_activate(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	const sim_file_t *cur = &card->files[card->current_df];

	(void)out;
	if (cmd->cla != 0x00)
		return 0x6E00;
	if (cmd->p1 != 0 || cmd->p2 != 0)
		return 0x6A86;
	if (cmd->lc != 0 || cmd->has_le)
		return 0x6700;
	if (card->life_cycle != 0x03)
		return 0x6985;
	/* §6: with the MF current and the UK1 DDF1 right; DDF1 current accepted too */
	if (card->current_df != 0 && cur->fid != 0xDDF1)
		return 0x6985;
	if (!card->issuer_right)
		return 0x6982;
	card->life_cycle = 0x05;
	sim_card_changed(card);
	return 0x9000;
}

/* MAC-only command with an empty plain body: 84 INS P1 P2 04 MAC4. */
static uint16_t
check_mac_command(sim_card_t *card, const hc_apdu_t *cmd)
{
	uint8_t plain[16];
	size_t len = 0;
	uint16_t sw;

	if (cmd->cla != 0x84)
		return 0x6982;   /* §4: secure messaging required */
	if (cmd->has_le)
		return 0x6700;
	if (!sim_card_has_right(card, KEY_LK_BK))
		return 0x6982;
	sw = sim_sm_unwrap(card, cmd, SIM_SM_MAC, plain, sizeof(plain), &len);
	hc_wipe(plain, sizeof(plain));
	if (sw == 0x9000 && len != 0)
		sw = 0x6A80;
	return sw;
}

uint16_t
sim_cmd_app_block(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	sim_file_t *df = &card->files[card->current_df];
	uint16_t sw;

	(void)out;
	if (cmd->p1 != 0 || cmd->p2 > 1)
		return 0x6A86;
	if (card->current_df == 0)
		return 0x6985;   /* the MF is blocked with CARD BLOCK */
	sw = check_mac_command(card, cmd);
	if (sw != 0x9000)
		return sw;
	if (cmd->p2 == 1)
		df->blocked = SIM_BLOCK_PERMANENT;
	else if (df->blocked == SIM_BLOCK_NONE)
		df->blocked = SIM_BLOCK_TEMPORARY;
	sim_card_changed(card);
	return 0x9000;
}

uint16_t
sim_cmd_app_unblock(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	sim_file_t *df = &card->files[card->current_df];
	uint16_t sw;

	(void)out;
	if (cmd->p1 != 0 || cmd->p2 != 0)
		return 0x6A86;
	if (df->blocked == SIM_BLOCK_PERMANENT)
		return 0x6985;   /* §6: temporary blocks only */
	sw = check_mac_command(card, cmd);
	if (sw != 0x9000)
		return sw;
	if (df->blocked != SIM_BLOCK_NONE) {
		df->blocked = SIM_BLOCK_NONE;
		sim_card_changed(card);
	}
	return 0x9000;
}

uint16_t
sim_cmd_card_block(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	uint16_t sw;

	(void)out;
	if (cmd->p1 != 0 || cmd->p2 != 0)
		return 0x6A86;
	if (card->current_df != 0)
		return 0x6985;   /* §6: MF current */
	sw = check_mac_command(card, cmd);
	if (sw != 0x9000)
		return sw;
	card->card_blocked = 1;
	sim_card_changed(card);
	return 0x9000;
}
