/*
 * The key table of card-profile.md §4 and the SAM types of §1, as data.
 */
#include "config.h"

#include <string.h>

#include <openssl/crypto.h>

#include "crypto/crypto.h"
#include "sim/keyset.h"

#define T(t) SIM_SAM_TYPE_BIT(t)
#define READERS (T(1) | T(2) | T(3) | T(5))          /* RK1 holders */
#define ALL     (T(1) | T(2) | T(3) | T(4) | T(5))
#define LOCKERS (T(4) | T(5))                        /* lock/unlock station and issuer */
#define WRITERS (T(2) | T(3) | T(5))                 /* medical institutions and issuer */

#define MF   "3F00"
#define DDF1 "3F00/DDF1"
#define DF01 "3F00/DDF1/DF01"
#define DF02 "3F00/DDF1/DF02"
#define DF03 "3F00/DDF1/DF03"

static const sim_key_def_t key_table[] = {
	/* name        DF    kind          id    P2    P1    tag   SAM types */
	{ "IRK DDF1", DDF1, SIM_KEY_IRK, 0x00, 0x00, 0x47, 0x01, ALL },
	{ "STK DDF1", DDF1, SIM_KEY_STK, SIM_KEY_NO_ID, 0x00, 0x28, 0x02, LOCKERS },
	{ "STK DF01", DF01, SIM_KEY_STK, SIM_KEY_NO_ID, 0x00, 0x28, 0x03, LOCKERS },
	{ "STK DF02", DF02, SIM_KEY_STK, SIM_KEY_NO_ID, 0x00, 0x48, 0x04, WRITERS | T(4) },
	{ "STK DF03", DF03, SIM_KEY_STK, SIM_KEY_NO_ID, 0x00, 0x48, 0x05, WRITERS | T(4) },
	{ "LK DF01",  DF01, SIM_KEY_LK,  0x03, 0x83, 0x27, 0x07, LOCKERS },
	{ "LK DF02",  DF02, SIM_KEY_LK,  0x03, 0x83, 0x27, 0x08, LOCKERS },
	{ "LK DF03",  DF03, SIM_KEY_LK,  0x03, 0x83, 0x27, 0x09, LOCKERS },
	{ "BK MF",    MF,   SIM_KEY_BK,  0x03, 0x03, 0x27, 0x15, LOCKERS },
	{ "STK MF",   MF,   SIM_KEY_STK, SIM_KEY_NO_ID, 0x00, 0x28, 0x16, LOCKERS },
	{ "RK1 DDF1", DDF1, SIM_KEY_RK,  0x04, 0x04, 0x47, 0x11, READERS },
	{ "RK1 DF01", DF01, SIM_KEY_RK,  0x04, 0x84, 0x47, 0x12, READERS },
	{ "RK1 DF02", DF02, SIM_KEY_RK,  0x04, 0x84, 0x47, 0x13, READERS },
	{ "RK1 DF03", DF03, SIM_KEY_RK,  0x04, 0x84, 0x47, 0x14, READERS },
	{ "UK1 DDF1", DDF1, SIM_KEY_UK,  0x05, 0x05, 0x27, 0x0A, T(5) },
	{ "UK1 DF01", DF01, SIM_KEY_UK,  0x05, 0x85, 0x27, 0x0B, T(5) },
	{ "UK1 DF02", DF02, SIM_KEY_UK,  0x05, 0x85, 0x47, 0x0C, WRITERS },
	/* the psychiatric flag: type 3 lacks it (§1) */
	{ "UK2 DF02", DF02, SIM_KEY_UK,  0x06, 0x86, 0x47, 0x0D, T(2) | T(5) },
	{ "UK3 DF02", DF02, SIM_KEY_UK,  0x07, 0x87, 0x47, 0x0E, WRITERS },
	{ "UK1 DF03", DF03, SIM_KEY_UK,  0x05, 0x85, 0x47, 0x0F, WRITERS },
	/* [PC] §1: types 2 and 3 hold UK2 DF03 too (erase the oldest visit index) */
	{ "UK2 DF03", DF03, SIM_KEY_UK,  0x06, 0x86, 0x27, 0x10, WRITERS },
};

const sim_key_def_t *
sim_key_table(size_t *n)
{
	*n = sizeof(key_table) / sizeof(key_table[0]);
	return key_table;
}

const sim_key_def_t *
sim_key_by_tag(uint8_t tag)
{
	size_t i;

	for (i = 0; i < sizeof(key_table) / sizeof(key_table[0]); i++)
		if (key_table[i].sam_tag == tag)
			return &key_table[i];
	return NULL;
}

const sim_key_def_t *
sim_key_find(const char *df_path, sim_key_kind_t kind, uint8_t card_id)
{
	size_t i;

	for (i = 0; i < sizeof(key_table) / sizeof(key_table[0]); i++) {
		const sim_key_def_t *k = &key_table[i];

		if (k->kind != kind || strcmp(k->df_path, df_path) != 0)
			continue;
		if (kind == SIM_KEY_STK || kind == SIM_KEY_IRK || k->card_id == card_id)
			return k;
	}
	return NULL;
}

int
sim_key_diversify(const uint8_t master[16], const uint8_t city[3], const uint8_t card_factor[8],
                  uint8_t out[16])
{
	uint8_t city_factor[8], city_key[16];
	int ret = -1;

	/* §4: city factor = city code || 30 30 30 30 30 */
	memcpy(city_factor, city, 3);
	memset(city_factor + 3, 0x30, 5);
	if (hc_sm4_diversify(master, city_factor, city_key) != 0 ||
	    hc_sm4_diversify(city_key, card_factor, out) != 0)
		goto out;
	ret = 0;
out:
	OPENSSL_cleanse(city_key, sizeof(city_key));
	return ret;
}
