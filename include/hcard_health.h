/*
 * libhcard: the health application of the Resident Health Card (card-profile.md §2-§3):
 * typed read and write of DDF1, DF01 and DF02, and the citizen ID number check.
 *
 * Strings are UTF-8 and NUL-terminated; the card stores GBK and the library converts. Text
 * that does not fit its field is refused (HC_ERR_TEXT_TOO_LONG), as is text GBK cannot
 * represent (HC_ERR_TEXT_NOT_GBK); nothing is ever truncated. After an error,
 * hc_card_error_detail() names the field and the limit.
 *
 * Coded elements are ints: cn codes are -1 when the field is empty (all F on the card); b
 * bytes (sex, ABO, flags) are the byte value, 0 for the factory default. Dates are
 * "YYYYMMDD" strings, "" when empty.
 *
 * Reads need a SAM holding the DF's read key (any type but 4); writes need the file's update
 * key (HC_ERR_SAM_TYPE names it before anything is sent). Reads cost one APDU per file on
 * chips that read all records at once.
 */
#ifndef HCARD_HEALTH_H
#define HCARD_HEALTH_H

#include <stddef.h>
#include <stdint.h>
#include "hcard.h"

#ifdef __cplusplus
extern "C" {
#endif

/* UTF-8 capacity of an ans field of n bytes (GBK: 2 bytes -> at most 3 UTF-8 bytes). */
#define HC_TEXT_CAP(n) (2 * (n) + 1)

enum { HC_SEX_UNKNOWN = 0, HC_SEX_MALE = 1, HC_SEX_FEMALE = 2, HC_SEX_UNSTATED = 9 };
enum { HC_ABO_NONE = 0, HC_ABO_A = 1, HC_ABO_B = 2, HC_ABO_O = 3, HC_ABO_AB = 4, HC_ABO_UNKNOWN = 5 };
enum { HC_RH_POSITIVE = 1, HC_RH_NEGATIVE = 2, HC_RH_UNKNOWN = 3 };
enum { HC_ADDRESS_REGISTERED = 1, HC_ADDRESS_CURRENT = 2 };

/* DDF1/EF05 issuer data. Written before activation only; city_code is the factory's. */
typedef struct hc_issuer {
	char card_type[HC_TEXT_CAP(1)];       /* 01 "1" standard, "2" advanced */
	char spec_version[HC_TEXT_CAP(4)];    /* 02 e.g. "1.10" */
	char issuer_name[HC_TEXT_CAP(30)];    /* 03 */
	char issuer_code[23];                 /* 04 cn 11 digits */
	uint8_t issuer_certificate[180];      /* 05 card-profile.md §5 */
	char issue_date[9];                   /* 06 */
	char card_number[HC_TEXT_CAP(18)];    /* 08 the citizen ID number */
	char security_code[HC_TEXT_CAP(3)];   /* 09 */
	char issue_serial[HC_TEXT_CAP(10)];   /* 10 */
	char city_code[7];                    /* 57 GB/T 2260, read only */
} hc_issuer_t;

/* DDF1/EF06 cardholder. */
typedef struct hc_cardholder {
	char name[HC_TEXT_CAP(30)];           /* 11 */
	int sex;                              /* 12 GB/T 2261.1: 0, 1, 2, 9 */
	int ethnicity;                        /* 13 GB 3304: 1-56, 97, 98; -1 empty */
	char birth_date[9];                   /* 14 */
	char id_number[HC_TEXT_CAP(18)];      /* 15 checked on write (GB 11643) */
} hc_cardholder_t;

/* DDF1/EF08 validity, phones, payment methods. */
typedef struct hc_validity {
	char expiry[9];                       /* 07 */
	char phone1[HC_TEXT_CAP(20)];         /* 16 */
	char phone2[HC_TEXT_CAP(20)];         /* 17 */
	int payment[3];                       /* 18-20 CV07.10.003: 1-8, 99; -1 empty */
} hc_validity_t;

/* DF01/EF05 addresses. */
typedef struct hc_addresses {
	int type1;                            /* 21 HC_ADDRESS_*, -1 empty */
	char address1[HC_TEXT_CAP(100)];      /* 22 */
	int type2;                            /* 23 */
	char address2[HC_TEXT_CAP(100)];      /* 24 */
} hc_addresses_t;

/* DF01/EF06 contacts (contact 1 is the guardian of a child). */
typedef struct hc_contact {
	char name[HC_TEXT_CAP(30)];
	int relation;                         /* GB/T 4761 category 0-9, -1 empty */
	char phone[HC_TEXT_CAP(20)];
} hc_contact_t;
typedef struct hc_contacts {
	hc_contact_t contact[3];              /* tags 25-27, 28-30, 31-33 */
} hc_contacts_t;

/* DF01/EF07 education, marital status, occupation. */
typedef struct hc_social {
	int education;                        /* 34 GB/T 4658 10-99, -1 empty */
	int marital_status;                   /* 35 GB/T 2261.2, -1 empty */
	char occupation[HC_TEXT_CAP(3)];      /* 36 GB/T 6565 code, text */
} hc_social_t;

/* DF01/EF08 documents. */
typedef struct hc_documents {
	int document_type;                    /* 37 CV02.01.101: 1-7, 99; -1 empty */
	char document_number[HC_TEXT_CAP(18)];        /* 38 */
	char health_record_number[HC_TEXT_CAP(17)];   /* 39 */
	char rural_scheme_number[HC_TEXT_CAP(18)];    /* 40 */
} hc_documents_t;

/* DF02/EF05 clinical basics. Flags are 0 no, 1 yes. */
typedef struct hc_clinical {
	int abo;                              /* 41 HC_ABO_* */
	int rh;                               /* 42 HC_RH_*, -1 empty */
	int asthma, heart_disease, cardiovascular, epilepsy, coagulation, diabetes,
	    glaucoma, dialysis, organ_transplant, missing_organ, removable_prosthesis,
	    pacemaker;                        /* 43-54 */
	char other_alert[HC_TEXT_CAP(40)];    /* 55 */
} hc_clinical_t;

/* DF02/EF07 allergy entry and DF02/EF08 immunisation entry (cyclic files). */
typedef struct hc_allergy {
	char allergen[HC_TEXT_CAP(20)];
	char reaction[HC_TEXT_CAP(100)];
} hc_allergy_t;
typedef struct hc_immunisation {
	char vaccine[HC_TEXT_CAP(20)];
	char date[9];
} hc_immunisation_t;

#define HC_ALLERGIES_MAX 3
#define HC_IMMUNISATIONS_MAX 10
#define HC_PHOTO_MAX 3072

/* Reads: fill *out. Writes: validate every field first, then write each element at its full
 * defined length; a refused field means nothing of the file was written. */
int hc_read_issuer(hc_card_t *card, hc_issuer_t *out);
int hc_write_issuer(hc_card_t *card, const hc_issuer_t *in);
int hc_read_cardholder(hc_card_t *card, hc_cardholder_t *out);
int hc_write_cardholder(hc_card_t *card, const hc_cardholder_t *in);
int hc_read_validity(hc_card_t *card, hc_validity_t *out);
int hc_write_validity(hc_card_t *card, const hc_validity_t *in);
int hc_read_addresses(hc_card_t *card, hc_addresses_t *out);
int hc_write_addresses(hc_card_t *card, const hc_addresses_t *in);
int hc_read_contacts(hc_card_t *card, hc_contacts_t *out);
int hc_write_contacts(hc_card_t *card, const hc_contacts_t *in);
int hc_read_social(hc_card_t *card, hc_social_t *out);
int hc_write_social(hc_card_t *card, const hc_social_t *in);
int hc_read_documents(hc_card_t *card, hc_documents_t *out);
int hc_write_documents(hc_card_t *card, const hc_documents_t *in);
int hc_read_clinical(hc_card_t *card, hc_clinical_t *out);
int hc_write_clinical(hc_card_t *card, const hc_clinical_t *in);
/* DF02/EF06: needs UK2 DF02 to write (type 2 or 5 SAM). */
int hc_read_psychiatric(hc_card_t *card, int *flag);
int hc_write_psychiatric(hc_card_t *card, int flag);

/* Cyclic files: all non-empty entries, newest first; *count gets their number. */
int hc_read_allergies(hc_card_t *card, hc_allergy_t out[HC_ALLERGIES_MAX], size_t *count);
/* Appends one entry; the oldest is dropped when the file is full. */
int hc_append_allergy(hc_card_t *card, const hc_allergy_t *in);
int hc_read_immunisations(hc_card_t *card, hc_immunisation_t out[HC_IMMUNISATIONS_MAX], size_t *count);
int hc_append_immunisation(hc_card_t *card, const hc_immunisation_t *in);

/* DDF1/EF07 photo: the JPEG (at most HC_PHOTO_MAX bytes) into buf; *len gets its size (0: no
 * photo). HC_ERR_BUFFER_TOO_SMALL sets *len to the size needed. */
int hc_read_photo(hc_card_t *card, uint8_t *buf, size_t cap, size_t *len);
/* Writes the 2-byte length, the JPEG and zeros to the end of the file. HC_ERR_PHOTO unless
 * jpeg starts with FF D8 FF, ends with FF D9 and has at most HC_PHOTO_MAX bytes. len 0
 * erases the photo. */
int hc_write_photo(hc_card_t *card, const uint8_t *jpeg, size_t len);

/* HC_ERR_CARD_EXPIRED if the expiry (EF08 tag 07) is before today (YYYYMMDD; NULL = the
 * host's local date); HC_OK if it is today or later, or not set. */
int hc_validity_check(const hc_validity_t *v, const char *today);
/* Reads EF08 and checks it against the host's date. */
int hc_card_check_validity(hc_card_t *card);

/* Citizen ID number (GB 11643): 18 characters, a GB/T 2260 province, a calendar birth date
 * not after today (YYYYMMDD; NULL = host date), sequence not 000, ISO 7064 MOD 11-2 check
 * character (upper-case X). HC_OK or HC_ERR_BAD_ID_NUMBER with the reason in why (may be NULL). */
int hc_id_number_check(const char *id, const char *today, char *why, size_t why_cap);
/* The check character of the first 17 digits ('0'-'9' or 'X'); 0 if they are not digits. */
char hc_id_number_check_char(const char *first17);
/* Birth date and sex (HC_SEX_MALE/FEMALE) of a valid ID number. */
int hc_id_number_info(const char *id, char birth_date[9], int *sex);

#ifdef __cplusplus
}
#endif
#endif
