/* hcard-sim: the core's command handlers (sim/fs_cmds.c, sim/record_cmds.c,
 * sim/life_cmds.c), dispatched by sim/dispatch.c. Signature: sim_cmd_fn (sim/module.h). */
#ifndef HC_SIM_CMDS_H
#define HC_SIM_CMDS_H

#include "sim/module.h"

/* SELECT 00 A4: P1 00 FID (search order of card-profile.md §2), 02 EF, 04 name; P2 00/0C. */
uint16_t sim_cmd_select(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out);
/* READ BINARY 00 B0 (offset or SFI form, 6B00/6282). */
uint16_t sim_cmd_read_binary(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out);
/* UPDATE BINARY 00/04/84 D6. */
uint16_t sim_cmd_update_binary(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out);
/* READ RECORD 00 B2: by number, by tag, all from P1; SFI or current EF. */
uint16_t sim_cmd_read_record(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out);
/* UPDATE RECORD 00/04/84 DC: same tag and length. */
uint16_t sim_cmd_update_record(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out);
/* APPEND RECORD 00/04/84 E2: cyclic files only. */
uint16_t sim_cmd_append_record(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out);
/* GET CHALLENGE 00 84 00 00 08: 8 random bytes, pending for the next command. */
uint16_t sim_cmd_get_challenge(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out);
/* ACTIVATE 00 44 00 00: life cycle 03 -> 05 with the UK1 DDF1 right. */
uint16_t sim_cmd_activate(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out);
/* APPLICATION BLOCK 84 1E 00 00|01, APPLICATION UNBLOCK 84 18, CARD BLOCK 84 16 (MAC). */
uint16_t sim_cmd_app_block(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out);
uint16_t sim_cmd_app_unblock(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out);
uint16_t sim_cmd_card_block(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out);

/* Helpers shared by the handlers. */
/* Le "00": short 256 or extended 65536. */
int sim_le_is_max(const hc_apdu_t *cmd);
/* Resolves the EF a command addresses: sfi 0 = the current EF, else the EF with that SFI in
 * the current DF (which becomes the current EF). Returns the index, or -1 with *sw set
 * (6A82 not found, 6986 no current EF). */
int sim_target_ef(sim_card_t *card, uint8_t sfi, uint16_t *sw);
/*
 * Secure messaging of a write to ef: CLA 00 -> the data field as is (6982 when the file
 * needs SM); CLA 84/04 -> unwrapped by the SM hook (6982 when the mode is weaker than the
 * file needs; the hook's SW when it refuses). On 9000, *data and *len point into buf (cap bytes)
 * or into cmd. The caller then checks the access condition (write or erase).
 */
uint16_t sim_write_unwrap(sim_card_t *card, const sim_file_t *ef, const hc_apdu_t *cmd,
                          uint8_t *buf, size_t cap, const uint8_t **data, size_t *len);

#endif
