/*
 * hcard-sim key material (crypto-sam): the key table of card-profile.md §4 (data), the SAM
 * types of §1, and key-set files holding the national master keys, the root CA key pair,
 * the issuer key pair and certificate, and the purse master keys.
 *
 * Key-set file format (doc/simulator.md, "Keys, authentication and the health SAM"): UTF-8
 * text, one `name hex` pair per line, `#` comments and blank lines ignored, names
 * [A-Za-z0-9._-]{1,31}, values even-length hex (no spaces). Unknown names are kept, so other
 * areas can add their own keys. Names written by `hcard-sim keyset`:
 *   mk.TT          national master key (16 bytes) of the key with SAM tag TT (hex, 01..16)
 *   ca.id          root CA id (4)            ca.priv / ca.pub   root SM2 key (32 / 64)
 *   issuer.code    issuer code cn 11 (11)    issuer.priv / issuer.pub  issuer SM2 key
 *   issuer.cert    the issuer certificate of §5 (180), signed by the root
 *   purse.L.K      purse master key (16), L = ed | ep (ledger), K = dpk | dlk | dtk | prk
 */
#ifndef HC_SIM_KEYSET_H
#define HC_SIM_KEYSET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Kinds of user-card keys (§4). Stored in images: never renumber. */
typedef enum sim_key_kind {
	SIM_KEY_IRK = 1,        /* internal authentication */
	SIM_KEY_RK = 2,         /* read right */
	SIM_KEY_UK = 3,         /* update right */
	SIM_KEY_STK = 4,        /* secure messaging */
	SIM_KEY_LK = 5,         /* application lock/unlock right */
	SIM_KEY_BK = 6          /* card block right (MF) */
} sim_key_kind_t;

#define SIM_KEY_NO_ID   0xFFu   /* STK: not addressed by P2, grants nothing */
#define SIM_SAM_TYPES   5u
#define SIM_SAM_TYPE_BIT(t) (1u << (t))

/* One row of the §4 key table. */
typedef struct sim_key_def {
	const char *name;       /* "RK1 DF01" */
	const char *df_path;    /* the DF holding it on the user card, as sim_fs_path prints */
	uint8_t kind;           /* sim_key_kind_t */
	uint8_t card_id;        /* card P2 & 1F (the right's id); IRK 00; STK SIM_KEY_NO_ID */
	uint8_t card_p2;        /* card P2 as in the table (for tests and logs) */
	uint8_t sam_usage;      /* SAM P1 of DELIVERY SESSION KEY */
	uint8_t sam_tag;        /* SAM tag (P2 & 1F) */
	uint8_t sam_types;      /* SIM_SAM_TYPE_BIT(t) for each SAM type t holding it (§1) */
} sim_key_def_t;

/* The table, n rows. */
const sim_key_def_t *sim_key_table(size_t *n);
/* The row with SAM tag tag, or NULL. */
const sim_key_def_t *sim_key_by_tag(uint8_t tag);
/* The row for (DF path, kind, card id); card_id is ignored for STK and IRK. NULL if none. */
const sim_key_def_t *sim_key_find(const char *df_path, sim_key_kind_t kind, uint8_t card_id);

/* A loaded key set. */
typedef struct sim_keyset sim_keyset_t;

/* Parses key-set text; NULL with the reason (and line number) logged. */
sim_keyset_t *sim_keyset_parse(const char *text, size_t len);
/* Reads and parses a file; path NULL = the built-in demo key set. */
sim_keyset_t *sim_keyset_load(const char *path);
/* Copies the value of name into out; 0, or -1 when absent or not exactly len bytes. */
int sim_keyset_get(const sim_keyset_t *ks, const char *name, uint8_t *out, size_t len);
/* Wipes and frees; NULLs *ks. */
void sim_keyset_free(sim_keyset_t **ks);

/* The fixed demo key set (text): reproducible demos and tests, never for real use. */
const char *sim_keyset_demo_text(void);
/* Writes a freshly generated random key set to f. 0 or -1. */
int sim_keyset_generate(FILE *f);

/* `hcard-sim keyset [--demo] --out FILE`: writes a fresh (or the demo) key set, mode 0600.
 * argv[0] is "keyset". Returns the process exit status. */
int sim_keyset_main(int argc, char **argv);

/* User-card key from the national master: D(D(master, city factor), card factor), §4.
 * city factor = city code (3) || 30 30 30 30 30. 0 or -1. */
int sim_key_diversify(const uint8_t master[16], const uint8_t city[3],
                      const uint8_t card_factor[8], uint8_t out[16]);

#endif
