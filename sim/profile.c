/*
 * hcard-sim: the card profiles as data (card-profile.md §2 file table, §3 elements, §4 SAM
 * files) and the factory that walks them. Written from the spec, not shared with src/.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "apdu/buf.h"
#include "apdu/log.h"
#include "sim/profile.h"

/* Element types of §3: the factory fills ans/b with 00 and cn with FF. */
enum { T_ANS, T_B, T_CN };

typedef struct element {
	uint8_t tag;
	uint8_t type;
	uint8_t len;
} element_t;

#define MAX_ELEMENTS 16

/* Access conditions (key ids = card P2 & 1F, card-profile.md §4). */
#define AC_FREE   { SIM_AC_FREE, 0, 0 }
#define AC_NEVER  { SIM_AC_NEVER, 0, 0 }
#define AC_RK1    { SIM_AC_KEY, 0x04, 0 }
#define AC_UK1    { SIM_AC_KEY, 0x05, 0 }
#define AC_UK1_PRE { SIM_AC_KEY, 0x05, SIM_AC_BEFORE_ACTIVATION }
#define AC_UK2    { SIM_AC_KEY, 0x06, 0 }
#define AC_UK3    { SIM_AC_KEY, 0x07, 0 }

typedef struct ef_spec {
	uint8_t df;             /* index into the profile's DF table */
	uint16_t fid;
	uint8_t kind;           /* sim_file_kind_t */
	uint8_t sfi;
	uint16_t size;          /* binary */
	uint8_t record_len;     /* fixed / cyclic */
	uint8_t n_records;
	uint8_t fill;
	uint8_t fill_tail;      /* cyclic: last tail_len bytes of each entry (cn part) */
	uint8_t tail_len;
	sim_ac_t read, write, erase;
	uint8_t sm;
	uint8_t locked_tag;     /* variable: a never-writable tag (0 = none) */
	element_t elements[MAX_ELEMENTS];
} ef_spec_t;

typedef struct df_spec {
	int8_t parent;          /* index in the same table; -1 = the MF itself */
	uint16_t fid;
	uint8_t name[SIM_MAX_NAME];
	uint8_t name_len;
	uint8_t key_version;
} df_spec_t;

/* --- user card --------------------------------------------------------------------------- */

enum { U_MF, U_DDF1, U_DF01, U_DF02, U_DF03 };

static const df_spec_t user_dfs[] = {
	[U_MF] = { -1, 0x3F00, { 0 }, 0, 0 },
	[U_DDF1] = { U_MF, 0xDDF1, "WS.SYS.DDF01", 12, 0x01 },
	[U_DF01] = { U_DDF1, 0xDF01, { 0x91, 0x56, 0x00, 0x01, 0x32, 0x00 }, 6, 0 },
	[U_DF02] = { U_DDF1, 0xDF02, { 0x91, 0x56, 0x00, 0x01, 0x32, 0x01 }, 6, 0 },
	[U_DF03] = { U_DDF1, 0xDF03, { 0x91, 0x56, 0x00, 0x01, 0x32, 0x02 }, 6, 0 },
};

#define VAR(dfi, f, rd, wr, smm, lock, ...) \
	{ dfi, f, SIM_EF_VARIABLE, (uint8_t)(f & 0xFF), 0, 0, 0, 0, 0, 0, rd, wr, AC_FREE, smm, \
	  lock, { __VA_ARGS__ } }
#define BIN(dfi, f, sfi_, sz, rd, wr, smm) \
	{ dfi, f, SIM_EF_BINARY, sfi_, sz, 0, 0, 0x00, 0, 0, rd, wr, AC_FREE, smm, 0, { { 0 } } }

static const ef_spec_t user_efs[] = {
	/* DDF1: issuer data (tag 57 city code: factory only), cardholder, photo, EF08 */
	VAR(U_DDF1, 0xEF05, AC_FREE, AC_UK1_PRE, SIM_SM_PLAIN, 0x57,
	    { 0x01, T_ANS, 1 }, { 0x02, T_ANS, 4 }, { 0x03, T_ANS, 30 }, { 0x04, T_CN, 11 },
	    { 0x05, T_B, 180 }, { 0x06, T_CN, 4 }, { 0x08, T_ANS, 18 }, { 0x09, T_ANS, 3 },
	    { 0x10, T_ANS, 10 }, { 0x57, T_CN, 3 }),
	VAR(U_DDF1, 0xEF06, AC_RK1, AC_UK1_PRE, SIM_SM_PLAIN, 0,
	    { 0x11, T_ANS, 30 }, { 0x12, T_B, 1 }, { 0x13, T_CN, 1 }, { 0x14, T_CN, 4 },
	    { 0x15, T_ANS, 18 }),
	BIN(U_DDF1, 0xEF07, 0x07, 3074, AC_RK1, AC_UK1, SIM_SM_PLAIN),
	VAR(U_DDF1, 0xEF08, AC_RK1, AC_UK1, SIM_SM_ENC_MAC, 0,
	    { 0x07, T_CN, 4 }, { 0x16, T_ANS, 20 }, { 0x17, T_ANS, 20 }, { 0x18, T_CN, 1 },
	    { 0x19, T_CN, 1 }, { 0x20, T_CN, 1 }),
	/* DF01 identity */
	VAR(U_DF01, 0xEF05, AC_RK1, AC_UK1, SIM_SM_ENC_MAC, 0,
	    { 0x21, T_CN, 1 }, { 0x22, T_ANS, 100 }, { 0x23, T_CN, 1 }, { 0x24, T_ANS, 100 }),
	VAR(U_DF01, 0xEF06, AC_RK1, AC_UK1, SIM_SM_ENC_MAC, 0,
	    { 0x25, T_ANS, 30 }, { 0x26, T_CN, 1 }, { 0x27, T_ANS, 20 },
	    { 0x28, T_ANS, 30 }, { 0x29, T_CN, 1 }, { 0x30, T_ANS, 20 },
	    { 0x31, T_ANS, 30 }, { 0x32, T_CN, 1 }, { 0x33, T_ANS, 20 }),
	VAR(U_DF01, 0xEF07, AC_RK1, AC_UK1, SIM_SM_ENC_MAC, 0,
	    { 0x34, T_CN, 1 }, { 0x35, T_CN, 1 }, { 0x36, T_ANS, 3 }),
	VAR(U_DF01, 0xEF08, AC_RK1, AC_UK1, SIM_SM_ENC_MAC, 0,
	    { 0x37, T_CN, 1 }, { 0x38, T_ANS, 18 }, { 0x39, T_ANS, 17 }, { 0x40, T_ANS, 18 }),
	/* DF02 basic health */
	VAR(U_DF02, 0xEF05, AC_RK1, AC_UK1, SIM_SM_ENC_MAC, 0,
	    { 0x41, T_B, 1 }, { 0x42, T_CN, 1 }, { 0x43, T_B, 1 }, { 0x44, T_B, 1 },
	    { 0x45, T_B, 1 }, { 0x46, T_B, 1 }, { 0x47, T_B, 1 }, { 0x48, T_B, 1 },
	    { 0x49, T_B, 1 }, { 0x50, T_B, 1 }, { 0x51, T_B, 1 }, { 0x52, T_B, 1 },
	    { 0x53, T_B, 1 }, { 0x54, T_B, 1 }, { 0x55, T_ANS, 40 }),
	VAR(U_DF02, 0xEF06, AC_RK1, AC_UK2, SIM_SM_ENC_MAC, 0, { 0x56, T_B, 1 }),
	/* allergies: allergen ans 20 ‖ reaction ans 100; immunisations: vaccine ans 20 ‖ date cn 4 */
	{ U_DF02, 0xEF07, SIM_EF_CYCLIC, 0x07, 0, 120, 3, 0x00, 0x00, 0, AC_RK1, AC_UK3, AC_FREE,
	  SIM_SM_ENC_MAC, 0, { { 0 } } },
	{ U_DF02, 0xEF08, SIM_EF_CYCLIC, 0x08, 0, 24, 10, 0x00, 0xFF, 4, AC_RK1, AC_UK3, AC_FREE,
	  SIM_SM_ENC_MAC, 0, { { 0 } } },
	/* DF03 visit records: index files (FF = empty), then the records (no SFI) */
	{ U_DF03, 0xEF05, SIM_EF_FIXED, 0x05, 0, 1, 3, 0xFF, 0xFF, 0, AC_RK1, AC_UK1, AC_UK2,
	  SIM_SM_MAC, 0, { { 0 } } },
	{ U_DF03, 0xEF06, SIM_EF_FIXED, 0x06, 0, 1, 5, 0xFF, 0xFF, 0, AC_RK1, AC_UK1, AC_UK2,
	  SIM_SM_MAC, 0, { { 0 } } },
	BIN(U_DF03, 0xEE01, 0, 1893, AC_RK1, AC_UK1, SIM_SM_PLAIN),
	BIN(U_DF03, 0xEE02, 0, 1893, AC_RK1, AC_UK1, SIM_SM_PLAIN),
	BIN(U_DF03, 0xEE03, 0, 1893, AC_RK1, AC_UK1, SIM_SM_PLAIN),
	BIN(U_DF03, 0xED01, 0, 3267, AC_RK1, AC_UK1, SIM_SM_PLAIN),
	BIN(U_DF03, 0xED02, 0, 3267, AC_RK1, AC_UK1, SIM_SM_PLAIN),
	BIN(U_DF03, 0xED03, 0, 3267, AC_RK1, AC_UK1, SIM_SM_PLAIN),
	BIN(U_DF03, 0xED04, 0, 3267, AC_RK1, AC_UK1, SIM_SM_PLAIN),
	BIN(U_DF03, 0xED05, 0, 3267, AC_RK1, AC_UK1, SIM_SM_PLAIN),
};

/* --- SAM card (§4 [PC]): contents are written by crypto-sam's factory hook ----------------- */

enum { S_MF, S_DF01 };

static const df_spec_t sam_dfs[] = {
	[S_MF] = { -1, 0x3F00, { 0 }, 0, 0 },
	[S_DF01] = { S_MF, 0xDF01, { 0 }, 0, 0 },
};

static const ef_spec_t sam_efs[] = {
	BIN(S_MF, 0x0015, 0x15, 14, AC_FREE, AC_NEVER, SIM_SM_PLAIN),
	BIN(S_MF, 0x0016, 0x16, 6, AC_FREE, AC_NEVER, SIM_SM_PLAIN),
	BIN(S_DF01, 0x0017, 0x17, 190, AC_FREE, AC_NEVER, SIM_SM_PLAIN),
};

typedef struct profile {
	const df_spec_t *dfs;
	size_t n_dfs;
	const ef_spec_t *efs;
	size_t n_efs;
	uint8_t historical_tail[4];   /* ATR bytes after the card factor */
	const char *default_factor;
} profile_t;

static const profile_t profiles[] = {
	{ user_dfs, sizeof(user_dfs) / sizeof(user_dfs[0]),
	  user_efs, sizeof(user_efs) / sizeof(user_efs[0]),
	  { 0x48, 0x43, 0x01, 0x00 }, SIM_DEFAULT_CARD_FACTOR },
	{ sam_dfs, sizeof(sam_dfs) / sizeof(sam_dfs[0]),
	  sam_efs, sizeof(sam_efs) / sizeof(sam_efs[0]),
	  { 0x48, 0x43, 0x53, 0x01 }, SIM_DEFAULT_SAM_FACTOR },
};

const char *
sim_factory_opt(const sim_factory_opts_t *o, const char *name)
{
	size_t i;

	for (i = 0; o != NULL && i < o->n; i++)
		if (strcmp(o->name[i], name) == 0)
			return o->value[i];
	return NULL;
}

/* Elements of a variable file at full length: tag len value (00 or FF). */
static int
variable_content(const ef_spec_t *e, uint8_t *buf, size_t cap, size_t *len)
{
	hc_writer_t w;
	size_t i;

	hc_writer_init(&w, buf, cap);
	for (i = 0; i < MAX_ELEMENTS && e->elements[i].len != 0; i++) {
		hc_put_u8(&w, e->elements[i].tag);
		hc_put_u8(&w, e->elements[i].len);
		hc_put_fill(&w, e->elements[i].type == T_CN ? 0xFF : 0x00, e->elements[i].len);
	}
	*len = w.len;
	return hc_writer_ok(&w) && w.len > 0 ? 0 : -1;
}

static int
build_ef(sim_card_t *c, const ef_spec_t *e, uint16_t parent)
{
	uint8_t buf[512];
	size_t len = 0, r;
	int idx;

	if (e->kind == SIM_EF_VARIABLE && variable_content(e, buf, sizeof(buf), &len) != 0)
		return -1;
	idx = sim_fs_add_ef(c, parent, e->fid, (sim_file_kind_t)e->kind, e->sfi,
	                    e->kind == SIM_EF_VARIABLE ? (uint16_t)len : e->size, e->record_len,
	                    e->n_records, e->fill, e->read, e->write, (sim_sm_mode_t)e->sm);
	if (idx < 0)
		return -1;
	c->files[idx].erase = e->erase;
	c->files[idx].locked_tags[0] = e->locked_tag;
	if (e->kind == SIM_EF_VARIABLE)
		memcpy(c->files[idx].data, buf, len);
	for (r = 0; e->tail_len > 0 && r < e->n_records; r++)
		memset(c->files[idx].data + (r + 1) * e->record_len - e->tail_len, e->fill_tail,
		       e->tail_len);
	return idx;
}

/* EF05 tag 57 (application city code, cn 3): written by the factory. */
static int
set_city(sim_card_t *c, const char *city)
{
	uint8_t bcd[3];
	int ddf1, ef05, i;

	if (city == NULL || strlen(city) != 6 || hc_hex_decode(city, bcd, sizeof(bcd)) != 3)
		return -1;
	for (i = 0; i < 6; i++)
		if (city[i] < '0' || city[i] > '9')
			return -1;
	ddf1 = sim_fs_child(c, 0, 0xDDF1);
	ef05 = ddf1 < 0 ? -1 : sim_fs_child(c, (uint16_t)ddf1, 0xEF05);
	if (ef05 < 0)
		return -1;
	/* tag 57 is the last element of EF05: its value is the last 3 bytes */
	memcpy(c->files[ef05].data + c->files[ef05].size - 3, bcd, 3);
	return 0;
}

sim_card_t *
sim_factory(sim_card_kind_t kind, const sim_factory_opts_t *opts)
{
	const profile_t *p = &profiles[kind == SIM_CARD_SAM ? 1 : 0];
	const sim_module_t *const *mods;
	uint16_t df_index[8];
	sim_card_t *c = NULL, *ret = NULL;
	const char *factor_hex;
	uint8_t factor[8];
	size_t i, n;

	factor_hex = sim_factory_opt(opts, "card-factor");
	if (factor_hex == NULL)
		factor_hex = p->default_factor;
	if (strlen(factor_hex) != 16 || hc_hex_decode(factor_hex, factor, sizeof(factor)) != 8) {
		hc_log_error("card factor must be 16 hex digits");
		goto out;
	}
	c = sim_card_new(kind);
	if (c == NULL)
		goto out;
	/* ATR 3B 6C 00 00 ‖ card factor ‖ 4 bytes: T=0, TB1 TC1, 12 historical bytes */
	c->atr[0] = 0x3B;
	c->atr[1] = 0x6C;
	memcpy(c->atr + 4, factor, 8);
	memcpy(c->atr + 12, p->historical_tail, 4);
	c->atr_len = 16;
	c->life_cycle = 0x03;
	for (i = 0; i < p->n_dfs && i < sizeof(df_index) / sizeof(df_index[0]); i++) {
		const df_spec_t *d = &p->dfs[i];
		int idx = sim_fs_add_df(c, d->parent < 0 ? SIM_NO_FILE : df_index[d->parent],
		                        d->fid, d->name_len ? d->name : NULL, d->name_len);

		if (idx < 0)
			goto out;
		c->files[idx].key_version = d->key_version;
		df_index[i] = (uint16_t)idx;
	}
	for (i = 0; i < p->n_efs; i++)
		if (build_ef(c, &p->efs[i], df_index[p->efs[i].df]) < 0) {
			hc_log_error("profile EF %04X", p->efs[i].fid);
			goto out;
		}
	if (kind == SIM_CARD_USER) {
		const char *city = sim_factory_opt(opts, "city");

		if (set_city(c, city != NULL ? city : SIM_DEFAULT_CITY) != 0) {
			hc_log_error("city code must be 6 digits");
			goto out;
		}
	}
	mods = sim_modules(&n);
	for (i = 0; i < n; i++)
		if (mods[i] != NULL && mods[i]->factory != NULL && mods[i]->factory(c, opts) != 0) {
			hc_log_error("module %s: factory failed", mods[i]->name ? mods[i]->name : "?");
			goto out;
		}
	sim_card_reset(c);
	c->dirty = 0;
	ret = c;
	c = NULL;
out:
	sim_card_free(&c);
	return ret;
}
