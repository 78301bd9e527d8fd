/*
 * libhcard: DF03 visit records of the health card (card-profile.md §3, visit-records.csv).
 *
 * Inpatient records (住院, EE01-EE03, 1639 data bytes, 147 items) and outpatient records
 * (门诊, ED01-ED05, 3013 data bytes, 170 items), each followed on the card by the SAM's SM2
 * signature (64) and the SAM certificate (190). The index files DF03/EF05 (3 records) and
 * EF06 (5 records) hold 00 for a valid slot, FF for an empty one.
 *
 * Values cross this API as NUL-terminated UTF-8 strings whatever the item type:
 *   ans  text (GBK on the card);
 *   cn   digits with the padding of card-profile.md §3 stripped (dates YYYYMMDD,
 *        date-times YYYYMMDDhhmmss, amounts in fen and counts as plain integers, codes as
 *        written); "" is an empty field (all F);
 *   b    upper-case hex of the bytes.
 * Values that do not fit are refused (HC_ERR_TEXT_TOO_LONG, HC_ERR_TEXT_NOT_GBK,
 * HC_ERR_BAD_VALUE), never truncated.
 */
#ifndef HCARD_VISIT_H
#define HCARD_VISIT_H

#include <stddef.h>
#include <stdint.h>
#include "hcard.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hc_visit_kind {
	HC_VISIT_INPATIENT = 1,          /* EE01-EE03, index DF03/EF05 */
	HC_VISIT_OUTPATIENT = 2          /* ED01-ED05, index DF03/EF06 */
} hc_visit_kind_t;

#define HC_VISIT_INPATIENT_SLOTS  3
#define HC_VISIT_OUTPATIENT_SLOTS 5
#define HC_VISIT_MAX_SLOTS        5
#define HC_VISIT_INPATIENT_LEN    1639   /* data bytes of an EE record */
#define HC_VISIT_OUTPATIENT_LEN   3013   /* data bytes of an ED record */
#define HC_VISIT_SIG_LEN          64     /* SM2 r || s */
#define HC_VISIT_CERT_LEN         190    /* SAM certificate, card-profile.md §5 */
#define HC_VISIT_CARD_NUMBER_LEN  18     /* DDF1/EF05 tag 08, first part of the signed bytes */

/* Item value types (visit-records.csv column "type"). */
typedef enum hc_visit_type { HC_VT_ANS = 1, HC_VT_CN = 2, HC_VT_B = 3 } hc_visit_type_t;

/* How a cn item is padded and presented (card-profile.md §3 "Types"). */
typedef enum hc_cn_kind {
	HC_CN_NONE = 0,      /* not a cn item */
	HC_CN_DIGITS,        /* codes and other digit strings: left-justified, F-padded */
	HC_CN_NUMBER,        /* amounts (fen) and counts/quantities: right-justified, 0-padded */
	HC_CN_DATE,          /* YYYYMMDD, fills cn 4 */
	HC_CN_DATETIME       /* YYYYMMDDhhmmss, fills cn 7 */
} hc_cn_kind_t;

/* One item of a visit record: a row of visit-records.csv (generated table). */
typedef struct hc_visit_item {
	uint8_t file;        /* hc_visit_kind_t */
	uint8_t type;        /* hc_visit_type_t */
	uint8_t cn_kind;     /* hc_cn_kind_t */
	uint16_t item_no;    /* 1..147 (EE) / 1..170 (ED) */
	uint16_t data_id;    /* data id of the national API's item interfaces, unique */
	uint16_t offset;     /* byte offset in the record data */
	uint16_t length;     /* bytes */
	const char *name_zh; /* UTF-8 */
	const char *name_en;
} hc_visit_item_t;

/* --- item tables ----------------------------------------------------------------------- */

/* Items of a record kind (147 or 170); 0 for an unknown kind. */
size_t hc_visit_item_count(hc_visit_kind_t kind);
/* The i-th item (0-based, in offset order), NULL when out of range. */
const hc_visit_item_t *hc_visit_item_at(hc_visit_kind_t kind, size_t i);
/* Item by its number in the record kind, NULL if none. */
const hc_visit_item_t *hc_visit_item_by_no(hc_visit_kind_t kind, int item_no);
/* Item by data id (64..210 inpatient, 213..382 outpatient), NULL if none. */
const hc_visit_item_t *hc_visit_item_by_id(int data_id);
/* Data bytes of a record kind (1639 / 3013), 0 for an unknown kind. */
size_t hc_visit_data_len(hc_visit_kind_t kind);
/* Slots of a record kind (3 / 5), 0 for an unknown kind. */
int hc_visit_slots(hc_visit_kind_t kind);

/* --- records (pure, no card I/O) -------------------------------------------------------- */

typedef struct hc_visit_record hc_visit_record_t;

/* A blank record: ans and b items 00, cn items FF (card-profile.md §2 factory values). */
int hc_visit_record_new(hc_visit_kind_t kind, hc_visit_record_t **out);
/* Wipes and frees; NULLs *rec. */
void hc_visit_record_free(hc_visit_record_t **rec);
hc_visit_kind_t hc_visit_record_kind(const hc_visit_record_t *rec);
/* The slot (1-based) the record was read from or last written to; 0 if none. */
int hc_visit_record_slot(const hc_visit_record_t *rec);

/* Sets one item from its value (see the top of this file); on error the record is unchanged. */
int hc_visit_record_set(hc_visit_record_t *rec, const hc_visit_item_t *item, const char *value);
/* Writes one item's value into out (cap bytes, NUL-terminated). A field the card filled with
 * bytes its type does not allow: HC_ERR_MALFORMED_RESPONSE. */
int hc_visit_record_get(const hc_visit_record_t *rec, const hc_visit_item_t *item,
                        char *out, size_t cap);
/* The same by item number of the record's kind, or by data id. */
int hc_visit_record_set_no(hc_visit_record_t *rec, int item_no, const char *value);
int hc_visit_record_get_no(const hc_visit_record_t *rec, int item_no, char *out, size_t cap);
int hc_visit_record_set_id(hc_visit_record_t *rec, int data_id, const char *value);
int hc_visit_record_get_id(const hc_visit_record_t *rec, int data_id, char *out, size_t cap);
/* Capacity that holds any item's value of the kind, NUL included. */
size_t hc_visit_value_cap(const hc_visit_item_t *item);

/* The raw data bytes (1639 / 3013). */
const uint8_t *hc_visit_record_data(const hc_visit_record_t *rec, size_t *len);
/* Replaces the raw data bytes; len must be the kind's data length. */
int hc_visit_record_set_data(hc_visit_record_t *rec, const uint8_t *data, size_t len);

/* Whole record as text: every item's value in item order, joined with '|' (the national
 * API's iR_DF03EE_ALLInfo). *needed (may be NULL) gets the bytes needed incl. the NUL. */
int hc_visit_record_to_text(const hc_visit_record_t *rec, char *out, size_t cap, size_t *needed);
/* Parses such a text (exactly one value per item, no '|' inside ans values); all items are
 * set or, on error, none. *bad_item (may be NULL) gets the item number that was refused. */
int hc_visit_record_from_text(hc_visit_record_t *rec, const char *text, int *bad_item);

/* Styles of the national API's byte-range access (iR_DF03EEInfo). */
#define HC_VISIT_STYLE_RAW 0x00   /* upper-case hex of the bytes */
#define HC_VISIT_STYLE_ANS 0x01   /* GBK text -> UTF-8, trailing 00 stripped */
#define HC_VISIT_STYLE_CN  0x0F   /* upper-case hex */
#define HC_VISIT_STYLE_B   0xFF   /* upper-case hex */
/* Reads bytes [pos, pos+len) of the data in a style into out (hex needs 2*len+1). */
int hc_visit_record_get_range(const hc_visit_record_t *rec, size_t pos, size_t len, int style,
                              char *out, size_t cap);
/* Writes bytes [pos, pos+len): hex styles need exactly 2*len hex digits; ans text is GBK
 * encoded and padded with 00 to len (too long: HC_ERR_TEXT_TOO_LONG). */
int hc_visit_record_set_range(hc_visit_record_t *rec, size_t pos, size_t len, int style,
                              const char *value);

/* --- trust anchors (card-profile.md §5) ------------------------------------------------- */

/* CA id (4 bytes) -> root SM2 public key (X || Y). */
typedef struct hc_trust hc_trust_t;
int hc_trust_new(hc_trust_t **out);
void hc_trust_free(hc_trust_t **trust);
/* Adds (or replaces) a root key. At most 16 CAs. */
int hc_trust_add(hc_trust_t *trust, const uint8_t ca_id[4], const uint8_t pub[64]);
/* Loads a trust file: one CA per line, "CAID-HEX8 PUBKEY-HEX128"; a simulator key-set file
 * also works ("ca.id HEX8" and "ca.pub HEX128" lines, its other "name.x" lines skipped).
 * Blank lines and lines starting with '#' are ignored. A missing file, a malformed line or
 * no complete root key: HC_ERR_CONFIG; a file that exists but cannot be read: HC_ERR_IO. */
int hc_trust_load(hc_trust_t *trust, const char *path);

/* --- card operations (DF03, through the card session) ----------------------------------- */

/* Reads the index file of a kind in one READ RECORD: index[i] is slot i+1's byte (00 valid,
 * FF empty); *n_slots gets 3 or 5. */
int hc_visit_read_index(hc_card_t *card, hc_visit_kind_t kind,
                        uint8_t index[HC_VISIT_MAX_SLOTS], int *n_slots);
/* Reads slot (1-based) and verifies it: index 00 (else HC_ERR_RECORD_EMPTY), signature over
 * card number || FID || data under the SAM certificate (HC_ERR_SIGNATURE), the certificate
 * under a root of trust and valid today (HC_ERR_CERTIFICATE). */
int hc_visit_read(hc_card_t *card, const hc_trust_t *trust, hc_visit_kind_t kind, int slot,
                  hc_visit_record_t **out);
/* Reads every valid slot of a kind: recs[i] (slot i+1) is the verified record or NULL; errs[i]
 * (may be NULL) gets HC_OK, HC_ERR_RECORD_EMPTY or the verification error. HC_OK when the
 * index could be read, whatever the slots hold. Free each record. */
int hc_visit_read_all(hc_card_t *card, const hc_trust_t *trust, hc_visit_kind_t kind,
                      hc_visit_record_t *recs[HC_VISIT_MAX_SLOTS], int errs[HC_VISIT_MAX_SLOTS]);
/* Writes rec as a signed record (needs a type 2, 3 or 5 SAM: else HC_ERR_SAM_TYPE). slot 0
 * chooses: the first empty slot, else the oldest record (earliest admission date EE item 3 /
 * visit date-time ED item 3; empty or unreadable dates count as oldest; ties: lowest slot),
 * which is erased first. Order (card-profile.md §3): erase index if valid, data, SAM SM3 +
 * SM2 signature, signature and certificate, set index. *slot_out (may be NULL) gets the slot. */
int hc_visit_write(hc_card_t *card, const hc_visit_record_t *rec, int slot, int *slot_out);
/* Erases slot's index to FF (UK2 DF03); the data stay but never read as valid. */
int hc_visit_erase(hc_card_t *card, hc_visit_kind_t kind, int slot);

#ifdef __cplusplus
}
#endif
#endif
