/*
 * hcard-sim: READ RECORD, UPDATE RECORD, APPEND RECORD (card-profile.md §2, ISO 7816-4).
 * Variable-record files hold one `tag len value` element per record; fixed and cyclic files
 * hold n_records of record_len bytes, record 1 of a cyclic file being the newest.
 */
#include "config.h"

#include <string.h>

#include "apdu/buf.h"
#include "apdu/tlv.h"
#include "sim/cmds.h"

/* One record located in a file's content. */
typedef struct rec_pos {
	size_t off;     /* of the whole record (tag for variable files) */
	size_t len;     /* whole record length */
	uint8_t tag;    /* variable files: the element's tag */
	size_t number;  /* 1-based */
} rec_pos_t;

/* Finds record `number` (by_tag == 0) or the first record with tag `tag`. 0 or -1. */
static int
find_record(const sim_file_t *f, int by_tag, uint8_t key, rec_pos_t *pos)
{
	size_t n;

	if (f->kind == SIM_EF_VARIABLE) {
		hc_reader_t r;

		hc_reader_init(&r, f->data, f->size);
		for (n = 1; n <= 254 && hc_reader_left(&r) > 0; n++) {
			hc_tlv_t t;
			size_t off = r.off;

			if (hc_stlv_parse(f->data + off, f->size - off, &t) != 0)
				return -1;
			if (by_tag ? t.tag == key : n == key) {
				pos->off = off;
				pos->len = t.total;
				pos->tag = (uint8_t)t.tag;
				pos->number = n;
				return 0;
			}
			if (hc_skip(&r, t.total) != 0)
				return -1;
		}
		return -1;
	}
	for (n = 1; n <= f->n_records; n++) {
		const uint8_t *rec = f->data + (n - 1) * f->record_len;

		if (by_tag ? rec[0] == key : n == key) {
			pos->off = (n - 1) * f->record_len;
			pos->len = f->record_len;
			pos->tag = rec[0];
			pos->number = n;
			return 0;
		}
	}
	return -1;
}

static int
is_record_file(const sim_file_t *f)
{
	return f->kind == SIM_EF_FIXED || f->kind == SIM_EF_VARIABLE || f->kind == SIM_EF_CYCLIC;
}

/* Common addressing: P2 b8-b4 SFI, b3-b1 mode. Returns the EF index or -1 with *sw. */
static int
record_target(sim_card_t *card, const hc_apdu_t *cmd, uint16_t *sw)
{
	int idx = sim_target_ef(card, (uint8_t)(cmd->p2 >> 3), sw);

	if (idx >= 0 && !is_record_file(&card->files[idx])) {
		*sw = 0x6981;
		return -1;
	}
	return idx;
}

/* All records from `from` to the last, whole records only, at most limit bytes. */
static uint16_t
read_all(const sim_file_t *f, uint8_t from, const hc_apdu_t *cmd, hc_writer_t *out)
{
	rec_pos_t first, pos;
	size_t limit = cmd->le, total, fit = 0, n;

	if (find_record(f, 0, from, &first) != 0)
		return 0x6A83;
	total = f->size - first.off;   /* records are contiguous up to the end of the file */
	if (total <= limit && (sim_le_is_max(cmd) || total == cmd->le)) {
		hc_put_bytes(out, f->data + first.off, total);
		return 0x9000;
	}
	if (!sim_le_is_max(cmd) && total <= 256)
		return (uint16_t)(0x6C00 | (total & 0xFF));
	/* doc/spec-notes.md (sim): more than Le -> the whole records that fit, 6282 */
	for (n = from; n <= 254; n++) {
		if (find_record(f, 0, (uint8_t)n, &pos) != 0 || fit + pos.len > limit)
			break;
		fit += pos.len;
	}
	hc_put_bytes(out, f->data + first.off, fit);
	return 0x6282;
}

uint16_t
sim_cmd_read_record(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	const sim_file_t *f;
	rec_pos_t pos;
	uint16_t sw = 0x9000;
	uint8_t mode = cmd->p2 & 0x07;
	int idx;

	if (cmd->lc != 0 || !cmd->has_le)
		return 0x6700;
	if ((mode != 0 && mode != 4 && mode != 5) || cmd->p2 >> 3 == 0x1F ||
	    (mode != 0 && cmd->p1 == 0))
		return 0x6A86;
	idx = record_target(card, cmd, &sw);
	if (idx < 0)
		return sw;
	f = &card->files[idx];
	sw = sim_ac_check(card, &f->read);
	if (sw != 0x9000)
		return sw;
	if (mode == 5)
		return read_all(f, cmd->p1, cmd, out);
	if (find_record(f, mode == 0, cmd->p1, &pos) != 0)
		return 0x6A83;
	if (!sim_le_is_max(cmd) && cmd->le != pos.len)
		return (uint16_t)(0x6C00 | (pos.len & 0xFF));
	hc_put_bytes(out, f->data + pos.off, pos.len);
	return 0x9000;
}

static int
tag_locked(const sim_file_t *f, uint8_t tag)
{
	size_t i;

	for (i = 0; i < SIM_MAX_LOCKED_TAGS; i++)
		if (f->locked_tags[i] != 0 && f->locked_tags[i] == tag)
			return 1;
	return 0;
}

static int
all_ff(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0xFF)
			return 0;
	return n > 0;
}

uint16_t
sim_cmd_update_record(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	uint8_t buf[512];
	const uint8_t *data = NULL;
	const sim_ac_t *ac;
	sim_file_t *f;
	rec_pos_t pos;
	size_t len = 0;
	uint16_t sw = 0x9000;
	uint8_t mode = cmd->p2 & 0x07;
	int idx;

	(void)out;
	if (cmd->lc == 0 || cmd->has_le)
		return 0x6700;
	if ((mode != 0 && mode != 4) || cmd->p2 >> 3 == 0x1F || (mode == 4 && cmd->p1 == 0))
		return 0x6A86;
	idx = record_target(card, cmd, &sw);
	if (idx < 0)
		return sw;
	f = &card->files[idx];
	sw = sim_write_unwrap(card, f, cmd, buf, sizeof(buf), &data, &len);
	if (sw != 0x9000)
		goto out;
	if (find_record(f, mode == 0, cmd->p1, &pos) != 0) {
		sw = 0x6A83;
		goto out;
	}
	ac = (f->kind == SIM_EF_FIXED && f->erase.kind != SIM_AC_FREE && all_ff(data, len)) ?
	     &f->erase : &f->write;
	sw = sim_ac_check(card, ac);
	if (sw != 0x9000)
		goto out;
	if (f->kind == SIM_EF_VARIABLE) {
		hc_tlv_t t;

		/* §2: the same tag and length, or 6A80 */
		if (hc_stlv_parse(data, len, &t) != 0 || t.total != len || t.tag != pos.tag ||
		    len != pos.len) {
			sw = 0x6A80;
			goto out;
		}
		if (tag_locked(f, pos.tag)) {
			sw = 0x6985;   /* e.g. DDF1/EF05 tag 57: written by the factory only */
			goto out;
		}
	} else if (len != f->record_len) {
		sw = 0x6700;
		goto out;
	}
	memcpy(f->data + pos.off, data, len);
	sim_card_changed(card);
out:
	hc_wipe(buf, sizeof(buf));
	return sw;
}

uint16_t
sim_cmd_append_record(sim_card_t *card, const hc_apdu_t *cmd, hc_writer_t *out)
{
	uint8_t buf[512];
	const uint8_t *data = NULL;
	sim_file_t *f;
	size_t len = 0;
	uint16_t sw = 0x9000;
	int idx;

	(void)out;
	if (cmd->lc == 0 || cmd->has_le)
		return 0x6700;
	if (cmd->p1 != 0 || (cmd->p2 & 0x07) != 0 || cmd->p2 >> 3 == 0x1F)
		return 0x6A86;
	idx = record_target(card, cmd, &sw);
	if (idx < 0)
		return sw;
	f = &card->files[idx];
	if (f->kind != SIM_EF_CYCLIC)
		return 0x6981;   /* §2: APPEND RECORD exists only for cyclic files */
	sw = sim_write_unwrap(card, f, cmd, buf, sizeof(buf), &data, &len);
	if (sw == 0x9000)
		sw = sim_ac_check(card, &f->write);
	if (sw != 0x9000)
		goto out;
	if (len != f->record_len) {
		sw = 0x6700;
		goto out;
	}
	/* the new entry becomes record 1, the oldest is dropped */
	memmove(f->data + f->record_len, f->data, (size_t)f->record_len * (f->n_records - 1u));
	memcpy(f->data, data, len);
	sim_card_changed(card);
out:
	hc_wipe(buf, sizeof(buf));
	return sw;
}
