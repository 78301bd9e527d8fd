/* hcard-sim: the card object, its file tree and its security state (sim/card.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "apdu/buf.h"
#include "apdu/log.h"
#include "apdu/tlv.h"
#include "sim/card.h"
#include "sim/image.h"
#include "sim/module.h"

sim_card_t *
sim_card_new(sim_card_kind_t kind)
{
	sim_card_t *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->kind = kind;
	c->life_cycle = 0x03;
	c->current_df = 0;
	c->current_ef = SIM_NO_FILE;
	return c;
}

void
sim_card_free(sim_card_t **cp)
{
	sim_card_t *c;
	const sim_module_t *const *mods;
	size_t n, i;
	struct sim_section *s, *next;

	if (cp == NULL || *cp == NULL)
		return;
	c = *cp;
	mods = sim_modules(&n);
	for (i = 0; i < n; i++)
		if (mods[i] != NULL && mods[i]->free_state != NULL)
			mods[i]->free_state(c);
	for (i = 0; i < c->n_files; i++) {
		if (c->files[i].data != NULL) {
			hc_wipe(c->files[i].data, c->files[i].size);
			free(c->files[i].data);
		}
	}
	for (s = c->foreign; s != NULL; s = next) {
		next = s->next;
		hc_wipe(s->data, s->len);
		free(s->data);
		free(s);
	}
	if (c->get_response != NULL) {
		hc_wipe(c->get_response, c->get_response_len);
		free(c->get_response);
	}
	hc_wipe(c, sizeof(*c));
	free(c);
	*cp = NULL;
}

void
sim_card_reset(sim_card_t *c)
{
	c->current_df = 0;
	c->current_ef = SIM_NO_FILE;
	c->rights = 0;
	c->issuer_right = 0;
	c->pin_verified = 0;
	hc_wipe(c->challenge, sizeof(c->challenge));
	c->challenge_pending = 0;
	c->challenge_usable = 0;
	if (c->get_response != NULL) {
		hc_wipe(c->get_response, c->get_response_len);
		free(c->get_response);
		c->get_response = NULL;
	}
	c->get_response_len = 0;
	sim_modules_event(c, SIM_EVENT_RESET, NULL);
}

void
sim_card_changed(sim_card_t *c)
{
	c->dirty = 1;
}

/* ISO 7816-3: T0 = Y1|K; TA1/TB1/TC1 as Y1 says, then TD1 whose low nibble is the first
 * protocol offered. No TD1 means T=0 only. */
int
sim_card_is_t0(const sim_card_t *c)
{
	size_t off = 2;
	uint8_t y;

	if (c->atr_len < 2)
		return 1;
	y = c->atr[1];
	if (!(y & 0x80))
		return 1;
	off += (y & 0x10) ? 1u : 0u;
	off += (y & 0x20) ? 1u : 0u;
	off += (y & 0x40) ? 1u : 0u;
	if (off >= c->atr_len)
		return 1;
	return (c->atr[off] & 0x0F) == 0;
}

static int
add_node(sim_card_t *c, const sim_file_t *f)
{
	if (c->n_files >= SIM_MAX_FILES) {
		hc_log_error("file table full");
		return -1;
	}
	c->files[c->n_files] = *f;
	return c->n_files++;
}

int
sim_fs_add_df(sim_card_t *c, uint16_t parent, uint16_t fid, const uint8_t *name,
              size_t name_len)
{
	sim_file_t f;

	if (name_len > SIM_MAX_NAME || (name_len > 0 && name == NULL))
		return -1;
	if (parent == SIM_NO_FILE ? c->n_files != 0
	    : (parent >= c->n_files || c->files[parent].kind != SIM_FILE_DF))
		return -1;
	memset(&f, 0, sizeof(f));
	f.kind = SIM_FILE_DF;
	f.fid = fid;
	f.parent = parent;
	if (name_len > 0)
		memcpy(f.name, name, name_len);
	f.name_len = (uint8_t)name_len;
	return add_node(c, &f);
}

int
sim_fs_add_ef(sim_card_t *c, uint16_t parent, uint16_t fid, sim_file_kind_t kind, uint8_t sfi,
              uint16_t size, uint16_t record_len, uint16_t n_records, uint8_t fill,
              sim_ac_t read, sim_ac_t write, sim_sm_mode_t sm)
{
	sim_file_t f;
	int idx;

	if (parent >= c->n_files || c->files[parent].kind != SIM_FILE_DF || sfi > 30)
		return -1;
	memset(&f, 0, sizeof(f));
	f.kind = (uint8_t)kind;
	f.fid = fid;
	f.parent = parent;
	f.sfi = sfi;
	f.read = read;
	f.write = write;
	f.sm = (uint8_t)sm;
	switch (kind) {
	case SIM_EF_BINARY:
	case SIM_EF_VARIABLE:
		break;
	case SIM_EF_FIXED:
	case SIM_EF_CYCLIC:
		if (record_len == 0 || record_len > 255 || n_records == 0 || n_records > 254 ||
		    (size_t)record_len * n_records > SIM_MAX_FILE_SIZE)
			return -1;
		size = (uint16_t)(record_len * n_records);
		f.record_len = record_len;
		f.n_records = n_records;
		break;
	default:
		return -1;
	}
	if (size == 0 || size > SIM_MAX_FILE_SIZE)
		return -1;
	f.size = size;
	f.data = malloc(size);
	if (f.data == NULL)
		return -1;
	memset(f.data, fill, size);
	idx = add_node(c, &f);
	if (idx < 0)
		free(f.data);
	return idx;
}

static int
count_stlv(const hc_tlv_t *tlv, void *arg)
{
	size_t *n = arg;

	(void)tlv;
	(*n)++;
	return *n > 254 ? -1 : 0;
}

int
sim_fs_set_content(sim_card_t *c, uint16_t ef, const uint8_t *p, size_t len)
{
	sim_file_t *f;
	uint8_t *copy;
	size_t n = 0;

	if (ef >= c->n_files || c->files[ef].kind == SIM_FILE_DF || len == 0 ||
	    len > SIM_MAX_FILE_SIZE)
		return -1;
	f = &c->files[ef];
	if (f->kind == SIM_EF_VARIABLE) {
		if (hc_stlv_walk(p, len, count_stlv, &n) != 0)
			return -1;
	} else if (len != f->size) {
		return -1;
	}
	copy = malloc(len);
	if (copy == NULL)
		return -1;
	memcpy(copy, p, len);
	if (f->data != NULL) {
		hc_wipe(f->data, f->size);
		free(f->data);
	}
	f->data = copy;
	f->size = (uint16_t)len;
	sim_card_changed(c);
	return 0;
}

int
sim_fs_child(const sim_card_t *c, uint16_t df, uint16_t fid)
{
	uint16_t i;

	for (i = 1; i < c->n_files; i++)
		if (c->files[i].parent == df && c->files[i].fid == fid)
			return i;
	return -1;
}

int
sim_fs_find_name(const sim_card_t *c, const uint8_t *name, size_t len)
{
	uint16_t i;

	if (len == 0 || len > SIM_MAX_NAME)
		return -1;
	for (i = 0; i < c->n_files; i++)
		if (c->files[i].kind == SIM_FILE_DF && c->files[i].name_len == len &&
		    memcmp(c->files[i].name, name, len) == 0)
			return i;
	return -1;
}

int
sim_fs_find_sfi(const sim_card_t *c, uint16_t df, uint8_t sfi)
{
	uint16_t i;

	if (sfi == 0)
		return -1;
	for (i = 1; i < c->n_files; i++)
		if (c->files[i].parent == df && c->files[i].kind != SIM_FILE_DF &&
		    c->files[i].sfi == sfi)
			return i;
	return -1;
}

uint16_t
sim_fs_df_of(const sim_card_t *c, uint16_t idx)
{
	if (idx >= c->n_files)
		return 0;
	return c->files[idx].kind == SIM_FILE_DF ? idx : c->files[idx].parent;
}

int
sim_fs_path(const sim_card_t *c, uint16_t idx, char *out, size_t cap)
{
	uint16_t chain[SIM_MAX_FILES];
	size_t depth = 0, pos = 0;
	hc_writer_t w;
	char hex[5];

	if (cap == 0 || idx >= c->n_files)
		return -1;
	while (idx != SIM_NO_FILE && depth < SIM_MAX_FILES) {
		chain[depth++] = idx;
		idx = c->files[idx].parent;
	}
	hc_writer_init(&w, (uint8_t *)out, cap - 1);
	while (depth > 0) {
		uint8_t fid[2];
		uint16_t f = c->files[chain[--depth]].fid;

		fid[0] = (uint8_t)(f >> 8);
		fid[1] = (uint8_t)f;
		hc_hex_encode(fid, 2, hex, sizeof(hex));
		if (pos++ > 0)
			hc_put_u8(&w, '/');
		hc_put_bytes(&w, (const uint8_t *)hex, 4);
	}
	out[w.len] = '\0';
	return hc_writer_ok(&w) ? 0 : -1;
}

void
sim_card_grant(sim_card_t *c, uint8_t key_id)
{
	if (key_id < 32)
		c->rights |= 1u << key_id;
	/* doc/spec-notes.md: the UK1 DDF1 right also allows ACTIVATE with the MF current */
	if (key_id == 0x05 && c->current_df < c->n_files && c->files[c->current_df].fid == 0xDDF1)
		c->issuer_right = 1;
}

int
sim_card_has_right(const sim_card_t *c, uint8_t key_id)
{
	return key_id < 32 && (c->rights & (1u << key_id)) != 0;
}

int
sim_card_challenge(const sim_card_t *c, uint8_t out[SIM_CHALLENGE_LEN])
{
	if (!c->challenge_usable)
		return -1;
	memcpy(out, c->challenge, SIM_CHALLENGE_LEN);
	return 0;
}

uint16_t
sim_ac_check(const sim_card_t *c, const sim_ac_t *ac)
{
	if ((ac->flags & SIM_AC_BEFORE_ACTIVATION) && c->life_cycle != 0x03)
		return 0x6985;
	switch (ac->kind) {
	case SIM_AC_FREE:
		return 0x9000;
	case SIM_AC_KEY:
		return sim_card_has_right(c, ac->key) ? 0x9000 : 0x6982;
	default:
		return 0x6985;
	}
}
