/*
 * hcard-sim: the simulated card (user card or SAM card) and its ISO 7816-4 file system.
 *
 * Internal header of the simulator program (not installed). Modules that plug into the
 * simulator (sim/security*.c, sim/sam*.c, sim/keyset*.c, sim/purse*.c, sim/psam*.c,
 * sim/pki*.c) use this header and sim/module.h; see doc/simulator.md, "Extension points".
 *
 * The card is data: a tree of sim_file_t (MF, DFs, EFs), a life cycle, an ATR, volatile
 * security state (current DF/EF, rights, pending challenge) and one opaque state pointer per
 * module. The whole non-volatile part is saved as one image file after every command that
 * changed it (sim/image.h).
 */
#ifndef HC_SIM_CARD_H
#define HC_SIM_CARD_H

#include <stddef.h>
#include <stdint.h>

#define SIM_MAX_FILES      96u      /* nodes per card (MF, DFs, EFs) */
#define SIM_MAX_NAME       16u      /* DF name / AID bytes (ISO 7816-4: 1..16) */
#define SIM_MAX_FILE_SIZE  8192u    /* bytes of one EF's content */
#define SIM_MAX_ATR        33u
#define SIM_MAX_MODULES    16u
#define SIM_CHALLENGE_LEN  8u
#define SIM_NO_FILE        0xFFFFu  /* "no parent" / "no current EF" */

/* What kind of card an image holds. */
typedef enum sim_card_kind {
	SIM_CARD_USER = 1,      /* the resident health card (card-profile.md §2) */
	SIM_CARD_SAM = 2        /* the health SAM (+ PSAM application) card (card-profile.md §4) */
} sim_card_kind_t;

/* Node kinds. The values are stored in images: never renumber. */
typedef enum sim_file_kind {
	SIM_FILE_DF = 1,        /* MF, DDF, DF or application (ADF) */
	SIM_EF_BINARY = 2,      /* transparent; FCI type 01 */
	SIM_EF_FIXED = 3,       /* fixed-length records; FCI type 02 */
	SIM_EF_VARIABLE = 4,    /* one `tag len value` element per record; FCI type 04 */
	SIM_EF_CYCLIC = 5       /* fixed-length records, record 1 = newest; FCI type 06 */
} sim_file_kind_t;

/* Access condition kinds (card-profile.md §2 table). Stored in images. */
typedef enum sim_ac_kind {
	SIM_AC_FREE = 0,        /* always */
	SIM_AC_KEY = 1,         /* the right of key `key` in the EF's DF (external authentication) */
	SIM_AC_NEVER = 2        /* never: 6985 */
} sim_ac_kind_t;

/* Access-condition flags. */
#define SIM_AC_BEFORE_ACTIVATION 0x01u  /* allowed only in life cycle 03; afterwards 6985 */

/*
 * One access condition. `key` is the key id inside the DF: the card P2 of EXTERNAL
 * AUTHENTICATE masked with 0x1F (card-profile.md §4: RK1 04, UK1 05, UK2 06, UK3 07, LK 03,
 * BK 03 in the MF). A right is one bit (1u << key) of sim_card_t.rights.
 */
typedef struct sim_ac {
	uint8_t kind;           /* sim_ac_kind_t */
	uint8_t key;            /* 0..31 when kind == SIM_AC_KEY */
	uint8_t flags;          /* SIM_AC_* flags */
} sim_ac_t;

/* Secure-messaging mode a write needs (card-profile.md §4). Stored in images. */
typedef enum sim_sm_mode {
	SIM_SM_PLAIN = 0,       /* CLA 00 */
	SIM_SM_MAC = 1,         /* CLA 84: data ‖ MAC4 */
	SIM_SM_ENC_MAC = 2      /* CLA 04: SM4-ECB(L ‖ data ‖ pad) ‖ MAC4 */
} sim_sm_mode_t;

/* Application block state of a DF (card-profile.md §6). Stored in images. */
typedef enum sim_block {
	SIM_BLOCK_NONE = 0,
	SIM_BLOCK_TEMPORARY = 1,
	SIM_BLOCK_PERMANENT = 2
} sim_block_t;

/*
 * Per-element flags of variable-record files, kept with the file as a small table so that
 * e.g. DDF1/EF05 tag 57 (city code, written by the factory) can be never-writable while the
 * other tags of the same file follow the file's write AC.
 */
#define SIM_MAX_LOCKED_TAGS 4u

/* A node of the file tree. Index 0 is always the MF. */
typedef struct sim_file {
	uint8_t kind;                   /* sim_file_kind_t */
	uint16_t fid;                   /* file identifier, e.g. 0x3F00, 0xDDF1, 0xEF05 */
	uint16_t parent;                /* index of the parent DF; SIM_NO_FILE for the MF */
	uint8_t name[SIM_MAX_NAME];     /* DF: DF name or AID, matched exactly by SELECT P1 04 */
	uint8_t name_len;
	uint8_t sfi;                    /* EF: short file identifier 1..30, 0 = none */
	sim_ac_t read;                  /* EF: READ BINARY / READ RECORD */
	sim_ac_t write;                 /* EF: UPDATE BINARY / UPDATE RECORD / APPEND RECORD */
	sim_ac_t erase;                 /* EF fixed: an UPDATE RECORD writing only FF bytes
	                                 * (DF03 index erase, UK2 DF03); kind FREE = same as write */
	uint8_t sm;                     /* EF: sim_sm_mode_t the writes need */
	uint8_t blocked;                /* DF: sim_block_t */
	uint8_t key_version;            /* DF: FCI tag C1 of DDF1 (0 = no C1 in the FCI) */
	uint16_t record_len;            /* fixed/cyclic: bytes per record */
	uint16_t n_records;             /* fixed/cyclic: record count */
	uint8_t locked_tags[SIM_MAX_LOCKED_TAGS]; /* variable: tags never writable (0 = unused) */
	uint16_t size;                  /* EF content bytes (binary size; records: total) */
	uint8_t *data;                  /* EF content, `size` bytes; NULL for a DF */
} sim_file_t;

/* The card. Modules read and write these fields through the functions below when one
 * exists, directly otherwise (it is one program). */
typedef struct sim_card {
	sim_card_kind_t kind;
	uint8_t atr[SIM_MAX_ATR];
	size_t atr_len;
	uint8_t life_cycle;             /* 03 initialisation, 05 operational (card-profile.md §6) */
	uint8_t card_blocked;           /* CARD BLOCK done: every command answers 6A81 */

	sim_file_t files[SIM_MAX_FILES];
	uint16_t n_files;

	/* volatile: cleared by power off/on, reset, insertion (sim_card_reset) */
	uint16_t current_df;            /* index of the current DF (MF after reset) */
	uint16_t current_ef;            /* index of the current EF or SIM_NO_FILE */
	uint32_t rights;                /* bit k = right of key k of the current DF */
	int issuer_right;               /* UK1 DDF1 authenticated: ACTIVATE allowed with MF or
	                                 * DDF1 current (see doc/spec-notes.md, sim section) */
	uint8_t challenge[SIM_CHALLENGE_LEN];
	int challenge_pending;          /* set by GET CHALLENGE for the next command only */
	int challenge_usable;           /* during the command right after GET CHALLENGE */
	/* Cardholder PIN (purse.md: ONE PIN object, shared by the debit and PKI applications).
	 * The purse module owns the PIN, its try counter and VERIFY, and keeps these two in
	 * step; the PKI module (sim/pki.c) reads them and clears pin_verified after a key-02
	 * signature. pin_verified survives SELECT; reset, a failed VERIFY and a key-02
	 * signature clear it. pin_blocked mirrors "try counter is 0" (set on load too). */
	int pin_verified;
	int pin_blocked;
	uint8_t *get_response;          /* T=0: data kept for GET RESPONSE (dispatcher only) */
	size_t get_response_len;

	int dirty;                      /* non-volatile state changed: save the image */

	/* opaque sections of images written by modules this build does not have, kept as is */
	struct sim_section *foreign;

	void *module_state[SIM_MAX_MODULES]; /* see sim_card_module_state() */
} sim_card_t;

/* A new empty card (no files) of that kind, all volatile state cleared. NULL on no memory. */
sim_card_t *sim_card_new(sim_card_kind_t kind);
/* Frees the card, its file contents (wiped), module states (module free hooks) and NULLs *c. */
void sim_card_free(sim_card_t **c);
/* Power on / warm reset: MF current, no EF, rights and challenge cleared, module reset hooks
 * called (SIM_EVENT_RESET). Non-volatile state is untouched. */
void sim_card_reset(sim_card_t *c);
/* Marks non-volatile state as changed; the server saves the image after the command. */
void sim_card_changed(sim_card_t *c);

/* T=0 (1) or T=1 (0), from the ATR's interface bytes: decides whether case-4 answers go
 * through 61xx + GET RESPONSE. */
int sim_card_is_t0(const sim_card_t *c);

/* --- file system construction (factory and module factory hooks) ------------------------ */

/* Adds a DF under parent (SIM_NO_FILE only for the MF, which must be the first node).
 * name may be NULL. Returns the new index or -1 (table full, bad arguments). */
int sim_fs_add_df(sim_card_t *c, uint16_t parent, uint16_t fid,
                  const uint8_t *name, size_t name_len);
/* Adds an EF under the DF parent: binary (size bytes), fixed/cyclic (n_records of
 * record_len) or variable (size = total bytes of its elements, filled later with
 * sim_fs_set_content). Content is filled with `fill`. Returns the index or -1. */
int sim_fs_add_ef(sim_card_t *c, uint16_t parent, uint16_t fid, sim_file_kind_t kind,
                  uint8_t sfi, uint16_t size, uint16_t record_len, uint16_t n_records,
                  uint8_t fill, sim_ac_t read, sim_ac_t write, sim_sm_mode_t sm);
/* Replaces an EF's content (len must equal its size for binary/fixed/cyclic; for variable
 * files it must be a well-formed sequence of `tag len value` and becomes the new size). */
int sim_fs_set_content(sim_card_t *c, uint16_t ef, const uint8_t *p, size_t len);

/* --- lookup ----------------------------------------------------------------------------- */

/* Child of DF df with that FID; -1 if none. */
int sim_fs_child(const sim_card_t *c, uint16_t df, uint16_t fid);
/* DF (anywhere) whose name/AID equals name exactly; -1 if none. */
int sim_fs_find_name(const sim_card_t *c, const uint8_t *name, size_t len);
/* EF child of DF df with that SFI; -1 if none. */
int sim_fs_find_sfi(const sim_card_t *c, uint16_t df, uint8_t sfi);
/* Path "3F00/DDF1/DF01" of a node into out (NUL-terminated); for module keys and logs. */
int sim_fs_path(const sim_card_t *c, uint16_t idx, char *out, size_t cap);
/* The DF of a node (itself if it is a DF). */
uint16_t sim_fs_df_of(const sim_card_t *c, uint16_t idx);

/* --- security state (used by crypto-sam's EXTERNAL AUTHENTICATE, purse, pki) ------------- */

/* Grants the right of key id (0..31) in the current DF. */
void sim_card_grant(sim_card_t *c, uint8_t key_id);
/* 1 if the right of key id is held in the current DF. */
int sim_card_has_right(const sim_card_t *c, uint8_t key_id);
/* The challenge of the GET CHALLENGE that was the previous command (GET RESPONSE not
 * counted), copied to out; 0, or -1 when there is none (caller answers 6984). It stays
 * usable until the end of the current command, then it is wiped whatever the outcome. */
int sim_card_challenge(const sim_card_t *c, uint8_t out[SIM_CHALLENGE_LEN]);

/* Access check of one condition against the current security state: 0x9000 when allowed,
 * 6982 when the key right is missing, 6985 for never or (SIM_AC_BEFORE_ACTIVATION) after
 * activation. The secure-messaging mode is checked separately by the caller. */
uint16_t sim_ac_check(const sim_card_t *c, const sim_ac_t *ac);

#endif
