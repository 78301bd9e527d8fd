/*
 * Codecs of the card's data element types (card-profile.md §3), pure functions:
 *   ans  GB 2312/GBK text, left-justified, right-padded with 00  <-> UTF-8
 *   cn   BCD: codes and dates fill their field; amounts and counts right-justified and
 *        zero-padded; other digit strings left-justified and padded with F
 *   dates YYYYMMDD (cn 4) and date-times YYYYMMDDhhmmss (cn 7)
 * Every function returns an hc_err_t; nothing is ever truncated silently.
 */
#ifndef HC_SRC_CODEC_H
#define HC_SRC_CODEC_H

#include <stddef.h>
#include <stdint.h>
#include "hcard_err.h"

/* UTF-8 capacity that always holds the text of an ans field of n bytes (a GBK character of
 * two bytes becomes at most three UTF-8 bytes, an ASCII byte one), plus the NUL. */
#define HC_ANS_UTF8_CAP(n) ((n) * 2u + 1u)

/* UTF-8 -> GBK into out[0..field_len), rest padded with 00. *needed (may be NULL) gets the
 * GBK length (also on HC_ERR_TEXT_TOO_LONG); *bad_cp (may be NULL) gets the first code point
 * GBK cannot represent or a control character (C0 U+0000-001F, DEL, C1 U+0080-009F), never
 * written to a card (HC_ERR_TEXT_NOT_GBK). Invalid UTF-8: HC_ERR_INVALID_ARGUMENT.
 * On error out is left untouched. */
int hc_codec_text_encode(const char *utf8, uint8_t *out, size_t field_len,
                         size_t *needed, uint32_t *bad_cp);
/* GBK bytes in[0..len) (stops at the first 00) -> UTF-8, NUL-terminated. Bytes that are not
 * GBK: HC_ERR_MALFORMED_RESPONSE; out too small: HC_ERR_BUFFER_TOO_SMALL. */
int hc_codec_text_decode(const uint8_t *in, size_t len, char *out, size_t cap);

/* Left-justified digit string, padded with F: "1" in cn 1 -> 1F. "" -> all FF (empty).
 * Not digits or longer than 2*len: HC_ERR_BAD_VALUE. */
int hc_codec_cn_encode_digits(const char *digits, uint8_t *out, size_t len);
/* Strips F padding; "" for an all-F field. A nibble A-E, or a digit after an F:
 * HC_ERR_MALFORMED_RESPONSE. cap must hold 2*len+1. */
int hc_codec_cn_decode_digits(const uint8_t *in, size_t len, char *out, size_t cap);

/* Right-justified zero-padded integer (amounts in fen, counts): 1234 in cn 5 ->
 * 00 00 00 12 34. Does not fit: HC_ERR_BAD_VALUE. */
int hc_codec_cn_encode_uint(uint64_t v, uint8_t *out, size_t len);
/* *empty (may be NULL) is set to 1 for an all-F field (v = 0). A non-decimal nibble:
 * HC_ERR_MALFORMED_RESPONSE. len <= 9. */
int hc_codec_cn_decode_uint(const uint8_t *in, size_t len, uint64_t *v, int *empty);

/* A code of a code table written with `digits` digits (1: Rh 1 -> 1F; 2: ethnicity 1 -> 01),
 * left-justified, F-padded. code < 0 writes an empty field (all F). */
int hc_codec_cn_encode_code(int code, unsigned digits, uint8_t *out, size_t len);
/* -1 for an empty field. */
int hc_codec_cn_decode_code(const uint8_t *in, size_t len, int *code);

/* "YYYYMMDD", a real calendar date, year 1900..2199: HC_OK or HC_ERR_BAD_VALUE. */
int hc_codec_date_check(const char *date);
/* "YYYYMMDDhhmmss", a real date and time: HC_OK or HC_ERR_BAD_VALUE. */
int hc_codec_datetime_check(const char *datetime);
/* Date (len 4) or date-time (len 7) to cn; "" writes an empty field. */
int hc_codec_date_encode(const char *date, uint8_t *out, size_t len);
/* cn 4/7 -> "YYYYMMDD[hhmmss]" or "" when empty; a field that is not a valid date:
 * HC_ERR_MALFORMED_RESPONSE. cap >= 2*len+1. */
int hc_codec_date_decode(const uint8_t *in, size_t len, char *out, size_t cap);
/* Today's date (local time) as "YYYYMMDD". */
void hc_codec_today(char out[9]);

#endif
