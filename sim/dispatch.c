/*
 * hcard-sim: command dispatch. One place for everything that is not one command's business:
 * parsing, CLA/INS lookup in the core's and the modules' tables, card block (6A81), blocked
 * applications (6985), the one-command life of a challenge, T=0 61xx + GET RESPONSE.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "apdu/apdu.h"
#include "apdu/buf.h"
#include "apdu/log.h"
#include "hcard_err.h"
#include "sim/cmds.h"
#include "sim/module.h"

#define SIM_DATA_MAX 65536u

/* The core's commands (card-profile.md §2, §6). Searched before the modules' tables. */
static const sim_cmd_t core_cmds[] = {
	{ 0xFF, 0x00, 0xA4, SIM_CMD_ANY_CARD | SIM_CMD_BLOCKED_APP, sim_cmd_select, "SELECT" },
	{ 0xFF, 0x00, 0xB0, SIM_CMD_ANY_CARD, sim_cmd_read_binary, "READ BINARY" },
	{ 0x7B, 0x00, 0xD6, SIM_CMD_ANY_CARD, sim_cmd_update_binary, "UPDATE BINARY" },
	{ 0xFF, 0x00, 0xB2, SIM_CMD_ANY_CARD, sim_cmd_read_record, "READ RECORD" },
	{ 0x7B, 0x00, 0xDC, SIM_CMD_ANY_CARD, sim_cmd_update_record, "UPDATE RECORD" },
	{ 0x7B, 0x00, 0xE2, SIM_CMD_ANY_CARD, sim_cmd_append_record, "APPEND RECORD" },
	{ 0xFF, 0x00, 0x84, SIM_CMD_ANY_CARD | SIM_CMD_BLOCKED_APP | SIM_CMD_SETS_CHALLENGE,
	  sim_cmd_get_challenge, "GET CHALLENGE" },
	{ 0xFF, 0x00, 0x44, SIM_CMD_USER, sim_cmd_activate, "ACTIVATE" },
	{ 0x7B, 0x00, 0x1E, SIM_CMD_USER | SIM_CMD_BLOCKED_APP, sim_cmd_app_block,
	  "APPLICATION BLOCK" },
	{ 0x7B, 0x00, 0x18, SIM_CMD_USER | SIM_CMD_BLOCKED_APP, sim_cmd_app_unblock,
	  "APPLICATION UNBLOCK" },
	{ 0x7B, 0x00, 0x16, SIM_CMD_USER, sim_cmd_card_block, "CARD BLOCK" },
};

static void
drop_get_response(sim_card_t *card)
{
	if (card->get_response != NULL) {
		hc_wipe(card->get_response, card->get_response_len);
		free(card->get_response);
		card->get_response = NULL;
	}
	card->get_response_len = 0;
}

static size_t
put_sw(uint8_t *resp, size_t off, uint16_t sw)
{
	resp[off] = (uint8_t)(sw >> 8);
	resp[off + 1] = (uint8_t)sw;
	return off + 2;
}

/* GET RESPONSE 00 C0 00 00 Le (T=0). Le 00 = up to 256; any other Le than the length
 * available gives 6Cxx (card-profile.md §7) and keeps the data; more than 256 bytes are
 * fetched 256 at a time, each answered 61xx while more remain. */
static size_t
get_response(sim_card_t *card, const hc_apdu_t *cmd, uint8_t *resp)
{
	size_t n, left = card->get_response_len;

	if (card->get_response == NULL || left == 0)
		return put_sw(resp, 0, 0x6985);
	if (cmd->p1 != 0 || cmd->p2 != 0)
		return put_sw(resp, 0, 0x6A86);
	if (cmd->lc != 0 || !cmd->has_le)
		return put_sw(resp, 0, 0x6700);
	n = left < 256 ? left : 256;
	if (cmd->le != 256 && cmd->le != 65536 && cmd->le != n)
		return put_sw(resp, 0, (uint16_t)(0x6C00 | (n & 0xFF)));
	memcpy(resp, card->get_response, n);
	if (n < left) {
		memmove(card->get_response, card->get_response + n, left - n);
		card->get_response_len = left - n;
		left -= n;
		return put_sw(resp, n, (uint16_t)(0x6100 | (left > 255 ? 0 : left)));
	}
	drop_get_response(card);
	return put_sw(resp, n, 0x9000);
}

static const sim_cmd_t *
find_in(const sim_cmd_t *t, size_t n, const sim_card_t *card, const hc_apdu_t *cmd,
        int *ins_known)
{
	uint16_t kind = card->kind == SIM_CARD_SAM ? SIM_CMD_SAM : SIM_CMD_USER;
	size_t i;

	for (i = 0; i < n; i++) {
		if (t[i].ins != cmd->ins || !(t[i].flags & kind))
			continue;
		*ins_known = 1;
		if ((cmd->cla & t[i].cla_mask) == t[i].cla)
			return &t[i];
	}
	return NULL;
}

static const sim_cmd_t *
find_cmd(const sim_card_t *card, const hc_apdu_t *cmd, int *ins_known)
{
	const sim_module_t *const *mods;
	const sim_cmd_t *c;
	size_t n, i;

	*ins_known = 0;
	c = find_in(core_cmds, sizeof(core_cmds) / sizeof(core_cmds[0]), card, cmd, ins_known);
	if (c != NULL)
		return c;
	mods = sim_modules(&n);
	for (i = 0; i < n; i++) {
		if (mods[i] == NULL || mods[i]->commands == NULL)
			continue;
		c = find_in(mods[i]->commands, mods[i]->n_commands, card, cmd, ins_known);
		if (c != NULL)
			return c;
	}
	return NULL;
}

static int
sw_carries_data(uint16_t sw)
{
	return sw == 0x9000 || (sw & 0xFF00) == 0x6200 || (sw & 0xFFF0) == 0x63C0;
}

size_t
sim_dispatch(sim_card_t *card, const uint8_t *apdu, size_t len, uint8_t *resp, size_t resp_cap)
{
	hc_apdu_t cmd;
	hc_writer_t w;
	const sim_cmd_t *c;
	int ins_known;
	uint16_t sw;

	if (resp_cap < SIM_DATA_MAX + 2)
		return 0;
	if (hc_apdu_parse(apdu, len, &cmd) != HC_OK)
		return put_sw(resp, 0, 0x6700);
	if (card->card_blocked) {
		card->challenge_pending = card->challenge_usable = 0;
		drop_get_response(card);
		return put_sw(resp, 0, 0x6A81);
	}
	/* ISO 7816-4 classes this card knows: 00, 04 (SM), 80 (proprietary), 84 (SM) */
	if ((cmd.cla & 0x7B) != 0)
		return put_sw(resp, 0, 0x6E00);
	if (cmd.ins == 0xC0 && cmd.cla == 0x00)
		return get_response(card, &cmd, resp);   /* not "the next command" */

	drop_get_response(card);
	/* a challenge lives for exactly this command */
	card->challenge_usable = card->challenge_pending;
	card->challenge_pending = 0;
	sim_modules_event(card, SIM_EVENT_COMMAND, &cmd);

	c = find_cmd(card, &cmd, &ins_known);
	hc_writer_init(&w, resp, SIM_DATA_MAX);
	if (c == NULL)
		sw = ins_known ? 0x6E00 : 0x6D00;
	else if (card->files[card->current_df].blocked != SIM_BLOCK_NONE &&
	         !(c->flags & SIM_CMD_BLOCKED_APP))
		sw = 0x6985;   /* card-profile.md §6 */
	else
		sw = c->fn(card, &cmd, &w);

	if (c == NULL || !(c->flags & SIM_CMD_SETS_CHALLENGE) || sw != 0x9000)
		card->challenge_pending = 0;
	card->challenge_usable = 0;
	if (!card->challenge_pending)
		hc_wipe(card->challenge, sizeof(card->challenge));

	if (!hc_writer_ok(&w)) {
		hc_log_error("response of INS %02X overflowed", cmd.ins);
		w.len = 0;
		sw = 0x6F00;
	}
	if (!sw_carries_data(sw))
		w.len = 0;
	/* T=0: data answering a command that carried data (case 3/4) goes through 61xx */
	if (w.len > 0 && sim_card_is_t0(card) && cmd.lc > 0 && sw == 0x9000) {
		card->get_response = malloc(w.len);
		if (card->get_response == NULL) {
			hc_wipe(resp, w.len);
			return put_sw(resp, 0, 0x6F00);
		}
		memcpy(card->get_response, resp, w.len);
		card->get_response_len = w.len;
		hc_wipe(resp, w.len);
		return put_sw(resp, 0, (uint16_t)(0x6100 | (w.len > 255 ? 0 : w.len)));
	}
	return put_sw(resp, w.len, sw);
}
