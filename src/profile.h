/*
 * The card profile as data (card-profile.md §2-§4): files, elements, keys, code tables and
 * chip profiles. The code walks these tables; a real chip's difference is a change of data.
 */
#ifndef HC_SRC_PROFILE_H
#define HC_SRC_PROFILE_H

#include <stddef.h>
#include <stdint.h>
#include "src/session.h"

/* Element types of §3. */
typedef enum hc_el_type { HC_EL_ANS = 1, HC_EL_B, HC_EL_CN } hc_el_type_t;

/* How an element is presented to the caller (struct field kind). */
typedef enum hc_el_format {
	HC_FMT_TEXT = 1,   /* ans -> UTF-8 char[], capacity HC_ANS_UTF8_CAP(len) */
	HC_FMT_DIGITS,     /* cn digit string, F stripped -> char[2*len+1] */
	HC_FMT_DATE,       /* cn 4 YYYYMMDD / cn 7 YYYYMMDDhhmmss -> char[2*len+1] */
	HC_FMT_CODE,       /* cn code of a code table -> int, -1 empty */
	HC_FMT_BYTE,       /* b 1 -> int (flags 0/1, sex, ABO) */
	HC_FMT_BYTES       /* b n -> uint8_t[len] */
} hc_el_format_t;

/* A code table: the valid values of a coded element (code table in the element). */
typedef struct hc_code {
	int value;
	const char *name;          /* Chinese name, UTF-8 */
} hc_code_t;
typedef struct hc_code_table {
	const char *standard;      /* "GB/T 2261.1" */
	const hc_code_t *codes;
	size_t count;
	int range_lo, range_hi;    /* also valid: lo..hi (unused when lo > hi) */
} hc_code_table_t;

typedef struct hc_element_def {
	uint8_t tag;               /* 0 for the untagged parts of a cyclic entry */
	hc_el_type_t type;
	uint16_t len;
	hc_el_format_t format;
	uint8_t code_digits;       /* HC_FMT_CODE: digits written (1: Rh 1 -> 1F, 2: 01) */
	const hc_code_table_t *codes;  /* NULL: any value of the format */
	uint8_t writable;          /* 0: written by the factory only (EF05 tag 57) */
	const char *name;          /* English, used in error messages */
	const char *national;      /* the national API's field name (KLB, XM, ...) */
} hc_element_def_t;

typedef enum hc_file_kind {
	HC_FILE_BINARY = 1, HC_FILE_FIXED = 2, HC_FILE_VARIABLE = 4, HC_FILE_CYCLIC = 6
} hc_file_kind_t;

typedef enum hc_sm_mode { HC_SM_PLAIN = 0, HC_SM_CIPHER_MAC, HC_SM_MAC } hc_sm_mode_t;

/* Keys of card-profile.md §4. */
typedef enum hc_key_id {
	HC_KEY_IRK_DDF1 = 0,
	HC_KEY_STK_MF, HC_KEY_STK_DDF1, HC_KEY_STK_DF01, HC_KEY_STK_DF02, HC_KEY_STK_DF03,
	HC_KEY_LK_DF01, HC_KEY_LK_DF02, HC_KEY_LK_DF03, HC_KEY_BK_MF,
	HC_KEY_RK1_DDF1, HC_KEY_RK1_DF01, HC_KEY_RK1_DF02, HC_KEY_RK1_DF03,
	HC_KEY_UK1_DDF1, HC_KEY_UK1_DF01, HC_KEY_UK1_DF02, HC_KEY_UK2_DF02, HC_KEY_UK3_DF02,
	HC_KEY_UK1_DF03, HC_KEY_UK2_DF03,
	HC_KEY__COUNT,
	HC_KEY_NONE = -1
} hc_key_id_t;

typedef struct hc_key_def {
	hc_key_id_t id;
	const char *name;          /* "UK1 DF02" */
	hc_app_t app;              /* the DF whose key it is (current DF when used) */
	int card_p2;               /* EXTERNAL AUTHENTICATE P2; -1: not externally authenticated */
	uint8_t sam_p1;            /* SAM 80 DE P1 (usage byte) */
	uint8_t sam_tag;           /* SAM P2 = tag | version << 5 */
	uint8_t sam_types;         /* bit n set: a type n SAM holds it (§1) */
	const char *purpose;       /* "writing clinical data", for HC_ERR_SAM_TYPE messages */
} hc_key_def_t;

/* Files of DDF1, DF01, DF02 and DF03. */
typedef enum hc_file_id {
	HC_FILE_DDF1_EF05 = 0, HC_FILE_DDF1_EF06, HC_FILE_DDF1_EF07, HC_FILE_DDF1_EF08,
	HC_FILE_DF01_EF05, HC_FILE_DF01_EF06, HC_FILE_DF01_EF07, HC_FILE_DF01_EF08,
	HC_FILE_DF02_EF05, HC_FILE_DF02_EF06, HC_FILE_DF02_EF07, HC_FILE_DF02_EF08,
	HC_FILE_DF03_EF05, HC_FILE_DF03_EF06,
	HC_FILE_DF03_EE01, HC_FILE_DF03_EE02, HC_FILE_DF03_EE03,
	HC_FILE_DF03_ED01, HC_FILE_DF03_ED02, HC_FILE_DF03_ED03, HC_FILE_DF03_ED04, HC_FILE_DF03_ED05,
	HC_FILE__COUNT
} hc_file_id_t;

typedef struct hc_file_def {
	hc_file_id_t id;
	const char *name;          /* "DDF1/EF06 cardholder" */
	hc_app_t app;
	uint16_t fid;
	uint8_t sfi;
	hc_file_kind_t kind;
	uint16_t size;             /* binary: file size; fixed/cyclic: record length */
	uint8_t records;           /* fixed/cyclic: number of records */
	hc_key_id_t read_key;      /* HC_KEY_NONE: free */
	hc_key_id_t write_key;
	hc_key_id_t erase_key;     /* DF03 index: UK2 DF03 */
	hc_sm_mode_t sm;           /* secure messaging on write */
	const hc_element_def_t *elements;  /* variable files: one per record, in record order;
	                                      cyclic: the parts of an entry */
	size_t n_elements;
} hc_file_def_t;

/* Chip profiles [PC]: what a chip supports, as data. */
typedef struct hc_chip_profile {
	const char *name;
	const uint8_t *atr_prefix;  /* matched against the ATR (NULL: matches nothing) */
	size_t atr_prefix_len;
	size_t card_factor_offset;  /* card factor = ATR[off..off+8) */
	int read_all_records;       /* READ RECORD P2 b3-b1 = 101 */
	int extended_length;        /* extended Lc/Le */
} hc_chip_profile_t;

const hc_file_def_t *hc_profile_file(hc_file_id_t id);
const hc_key_def_t *hc_profile_key(hc_key_id_t id);
/* The element of a file by tag; NULL if none. */
const hc_element_def_t *hc_profile_element(const hc_file_def_t *f, uint8_t tag);
/* Sum of the element lengths (an entry of a cyclic file). */
size_t hc_profile_value_bytes(const hc_file_def_t *f);
/* Bytes of READ RECORD "all records" for a variable file: sum of (2 + len). */
size_t hc_profile_record_bytes(const hc_file_def_t *f);
/* 1 if code is in the element's code table (or it has none, or code is -1 = empty). */
int hc_profile_code_valid(const hc_element_def_t *e, int code);

/* Chip profiles: by name (NULL if unknown), or the one whose ATR prefix matches, else the
 * default ("hcard-sim"). */
const hc_chip_profile_t *hc_chip_profile_by_name(const char *name);
const hc_chip_profile_t *hc_chip_profile_for_atr(const uint8_t *atr, size_t len);
size_t hc_chip_profile_count(void);
const hc_chip_profile_t *hc_chip_profile_at(size_t i);

/* The SAM types able to use key (e.g. "2, 3 or 5") into out. */
void hc_profile_key_sam_types(const hc_key_def_t *k, char *out, size_t cap);

#endif
