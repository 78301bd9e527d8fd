/*
 * hcard: the one error enum of the project (apdu/, src/, faces).
 * hc_strerror() gives what happened and what to do about it.
 * Values are stable ABI: append new codes before HC_ERR__COUNT, never renumber.
 */
#ifndef HCARD_ERR_H
#define HCARD_ERR_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hc_err {
	HC_OK = 0,
	/* caller and host */
	HC_ERR_INVALID_ARGUMENT = 1,   /* a parameter is NULL, out of range or malformed */
	HC_ERR_NO_MEMORY,
	HC_ERR_INTERNAL,               /* a bug in hcard: please report it */
	HC_ERR_BUFFER_TOO_SMALL,
	HC_ERR_CONFIG,                 /* hcard.conf unreadable or wrong */
	HC_ERR_IO,                     /* a local file could not be read or written */
	/* PC/SC and transport */
	HC_ERR_NO_SERVICE = 20,        /* pcscd not running / not reachable */
	HC_ERR_NO_READER,              /* no such reader */
	HC_ERR_NO_CARD,                /* reader empty */
	HC_ERR_CARD_REMOVED,           /* card pulled during the operation */
	HC_ERR_CARD_RESET,             /* card was reset by another application */
	HC_ERR_SHARING,                /* reader held exclusively by another application */
	HC_ERR_TIMEOUT,
	HC_ERR_TRANSPORT,              /* reader communication failed */
	HC_ERR_UNRESPONSIVE_CARD,      /* card does not answer to reset */
	/* card answers the APDU layer could not accept */
	HC_ERR_MALFORMED_RESPONSE = 40,/* answer too short, inconsistent or not parseable */
	HC_ERR_RESPONSE_TOO_LONG,      /* 61xx/chaining beyond the bound: card misbehaves */
	HC_ERR_UNEXPECTED_SW,          /* a status word with no specific meaning here */
	HC_ERR_INVALID_APDU,           /* command rejected before transmit (case, Lc, Le) */
	HC_ERR_DATA_CORRUPTED,         /* 6281: part of the returned data may be corrupted */
	/* status words of the card profile (card-profile.md §7, purse.md) */
	HC_ERR_END_OF_FILE = 60,       /* 6282 */
	HC_ERR_APP_BLOCKED,            /* 6283 / 9303: application blocked */
	HC_ERR_VERIFY_FAILED,          /* 63Cx: wrong PIN or key, tries left in the answer */
	HC_ERR_MEMORY_FAILURE,         /* 6581 */
	HC_ERR_WRONG_LENGTH,           /* 6700 */
	HC_ERR_SECURITY_STATUS,        /* 6982: access right missing */
	HC_ERR_AUTH_BLOCKED,           /* 6983: PIN or key blocked */
	HC_ERR_NO_CHALLENGE,           /* 6984 */
	HC_ERR_CONDITIONS_OF_USE,      /* 6985 */
	HC_ERR_SM_MISSING,             /* 6987 */
	HC_ERR_SM_INCORRECT,           /* 6988: MAC wrong */
	HC_ERR_INCORRECT_DATA,         /* 6A80 */
	HC_ERR_CARD_BLOCKED,           /* 6A81 */
	HC_ERR_FILE_NOT_FOUND,         /* 6A82 */
	HC_ERR_RECORD_NOT_FOUND,       /* 6A83 */
	HC_ERR_NOT_ENOUGH_MEMORY,      /* 6A84 */
	HC_ERR_WRONG_P1P2,             /* 6A86 */
	HC_ERR_KEY_NOT_FOUND,          /* 6A88 */
	HC_ERR_OFFSET_OUT_OF_FILE,     /* 6B00 */
	HC_ERR_INS_NOT_SUPPORTED,      /* 6D00 */
	HC_ERR_CLA_NOT_SUPPORTED,      /* 6E00 */
	HC_ERR_MAC_INVALID,            /* 9302 */
	HC_ERR_INSUFFICIENT_BALANCE,   /* 9401 */
	HC_ERR_KEY_INDEX,              /* 9403 */
	HC_ERR_TRANSACTION_NOT_FOUND,  /* 9406 */
	/* health card and SAM */
	HC_ERR_NO_SAM = 100,           /* no SAM reader / SAM card */
	HC_ERR_SAM_PIN,                /* SAM PIN wrong (tries left) or blocked */
	HC_ERR_SAM_TYPE,               /* the SAM's type lacks the key this needs */
	HC_ERR_SAM,                    /* SAM answered abnormally */
	HC_ERR_NOT_HEALTH_CARD,        /* not a resident health card */
	HC_ERR_NOT_GENUINE,            /* internal authentication failed */
	HC_ERR_CARD_EXPIRED,
	HC_ERR_NOT_ACTIVATED,          /* card still in life cycle 03 */
	HC_ERR_TEXT_TOO_LONG,
	HC_ERR_TEXT_NOT_GBK,           /* a character GBK cannot represent */
	HC_ERR_BAD_ID_NUMBER,          /* citizen ID number invalid (check digit, date, length) */
	HC_ERR_BAD_VALUE,              /* a field value outside its code table or format */
	HC_ERR_RECORD_EMPTY,           /* visit record slot empty (index FF) */
	HC_ERR_FILE_FULL,
	HC_ERR_CERTIFICATE,            /* certificate malformed, expired or not from a trusted CA */
	HC_ERR_SIGNATURE,              /* signature does not verify */
	HC_ERR_PHOTO,                  /* photo not a JPEG or larger than 3072 bytes */
	/* debit application */
	HC_ERR_NO_PSAM = 140,
	HC_ERR_PIN_WRONG,              /* cardholder PIN wrong (tries left) */
	HC_ERR_PIN_BLOCKED,
	HC_ERR_PIN_FORMAT,             /* PIN not 4-12 digits */
	HC_ERR_AMOUNT,                 /* zero, negative or overflowing amount */
	HC_ERR_AMOUNT_OVER_LIMIT,      /* over the card's single-transaction or balance limit */
	HC_ERR_SPLIT,                  /* settlement split does not add up */
	HC_ERR_RECOVERY_PENDING,       /* a torn charge could not be resolved yet */
	/* flows and store */
	HC_ERR_BLACKLISTED = 170,      /* card reported lost / replaced / revoked */
	HC_ERR_STORE,                  /* journal / blacklist store failed */
	HC_ERR_STORE_UNREACHABLE,      /* shared PostgreSQL store not reachable */
	HC_ERR_PROFILE,                /* issuance profile invalid */
	HC_ERR_NOT_PERMITTED,          /* terminal not allowed to do this */
	/* PIN pads (PC/SC part 10) */
	HC_ERR_NO_PINPAD = 190,        /* the reader has no PIN pad (no FEATURE_VERIFY_PIN_DIRECT) */
	HC_ERR_PINPAD_TIMEOUT,         /* nobody typed the PIN in time (reader SW 6400) */
	HC_ERR_PINPAD_CANCELLED,       /* cancel key pressed (reader SW 6401) */
	HC_ERR_PINPAD_LENGTH,          /* PIN typed on the pad too short or too long (reader SW 6403) */
	HC_ERR__COUNT
} hc_err_t;

/* What happened and what to do, in English; never NULL. */
const char *hc_strerror(int err);
/* The same in simplified Chinese (UTF-8); never NULL. */
const char *hc_strerror_zh(int err);
/* The symbolic name ("HC_ERR_NO_SAM"); never NULL. */
const char *hc_errname(int err);

#ifdef __cplusplus
}
#endif
#endif
