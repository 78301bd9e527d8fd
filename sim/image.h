/*
 * hcard-sim card images: one file per card holding everything non-volatile (file tree and
 * contents, life cycle, ATR, block flags, and one opaque section per module: keys, purse,
 * pki...). Format (all integers big-endian), see doc/simulator.md "Card images":
 *
 *   "HCSIMG01"                                   magic, 8 bytes
 *   u16 section count
 *   section*: u8 name length ‖ name ‖ u32 length ‖ bytes
 *   u32 CRC-32 (IEEE) of every byte before it
 *
 * Core sections: "card" (kind, ATR, life cycle, card block) and "fs" (the file tree).
 * Sections no linked module knows are kept and written back unchanged.
 */
#ifndef HC_SIM_IMAGE_H
#define HC_SIM_IMAGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/card.h"

#define SIM_IMAGE_MAGIC "HCSIMG01"
#define SIM_IMAGE_MAX   (1u << 20)   /* bytes; a bigger file is refused */

/* An opaque section kept for modules this build lacks (sim_card_t.foreign list). */
struct sim_section {
	struct sim_section *next;
	char name[32];
	uint8_t *data;
	size_t len;
};

/* Reads and checks (magic, CRC, bounds) an image; NULL with the reason logged. */
sim_card_t *sim_image_load(const char *path);
/* Serialises card into a malloc'd buffer; 0 or -1. */
int sim_image_encode(const sim_card_t *card, uint8_t **out, size_t *out_len);
/* Parses an image held in memory; NULL on malformed input. */
sim_card_t *sim_image_decode(const uint8_t *p, size_t len);
/*
 * Saves atomically: writes path.tmp, fsync, rename over path, fsync of the directory.
 * A crash at any point leaves either the old or the new image. 0 or -1.
 */
int sim_image_save(const sim_card_t *card, const char *path);
/* Human-readable dump (tree, ACs, contents; records split as tag/len/value). */
int sim_image_dump(const sim_card_t *card, FILE *f, int free_only);

#endif
