/*
 * File I/O of the health application (internal): whole-file reads in as few APDUs as the
 * chip allows, element writes with the file's access right and secure messaging.
 */
#ifndef HC_SRC_HEALTH_IO_H
#define HC_SRC_HEALTH_IO_H

#include <stddef.h>
#include <stdint.h>
#include "src/profile.h"

/* Every record of a record file (variable: `tag len value` each; fixed/cyclic: the records
 * back to back, newest first), after obtaining the read right. One READ RECORD "all
 * records" when the chip profile allows (extended Le if over 256 bytes), else one READ
 * RECORD per record. */
int hc_io_read_records(hc_card_t *card, const hc_file_def_t *f, uint8_t *out, size_t cap, size_t *len);
/* len bytes of a binary file from off (fewer at the end of the file), after obtaining the
 * read right: one READ BINARY with extended Le, else 256-byte chunks. */
int hc_io_read_binary(hc_card_t *card, const hc_file_def_t *f, size_t off, size_t len,
                      uint8_t *out, size_t *got);
/* Obtains the write right of f (checking the SAM holds the update key and, with secure
 * messaging, the DF's STK, before sending anything). */
int hc_io_write_right(hc_card_t *card, const hc_file_def_t *f);
/* UPDATE RECORD of one element `tag len value` (P1 = tag, by SFI) with f's SM mode. */
int hc_io_update_element(hc_card_t *card, const hc_file_def_t *f, const uint8_t *tlv, size_t len);
/* APPEND RECORD of one cyclic entry (cipher + MAC). */
int hc_io_append(hc_card_t *card, const hc_file_def_t *f, const uint8_t *entry, size_t len);
/* UPDATE BINARY of data at off (plain): one APDU with extended Lc, else 255-byte chunks. */
int hc_io_update_binary(hc_card_t *card, const hc_file_def_t *f, size_t off,
                        const uint8_t *data, size_t len);

#endif
