/*
 * Citizen ID numbers (GB 11643-1999): 6-digit region (GB/T 2260) ‖ birth date YYYYMMDD ‖
 * 3-digit sequence (odd: male, even: female) ‖ ISO 7064 MOD 11-2 check character.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "hcard_health.h"
#include "src/codec.h"

/* GB/T 2260 province-level codes (first two digits), plus 71 Taiwan, 81 Hong Kong, 82 Macao
 * and 83 (residence permits of Taiwan residents, 2018) as issued on mainland documents. */
static const char provinces[][3] = {
	"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36",
	"37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62",
	"63", "64", "65", "71", "81", "82", "83",
};

/* ISO 7064 MOD 11-2 weights 2^(17-i) mod 11 and the check characters for sum mod 11. */
static const int weights[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
static const char check_chars[11] = { '1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2' };

char
hc_id_number_check_char(const char *first17)
{
	int i, sum = 0;

	if (first17 == NULL)
		return 0;
	for (i = 0; i < 17; i++) {
		if (first17[i] < '0' || first17[i] > '9')
			return 0;
		sum += (first17[i] - '0') * weights[i];
	}
	return check_chars[sum % 11];
}

/* why = a ‖ arg ‖ b (the reason for the caller's error message). */
static void
say(char *why, size_t cap, const char *a, const char *arg, const char *b)
{
	if (why != NULL && cap > 0)
		snprintf(why, cap, "%s%s%s", a, arg, b);
}

int
hc_id_number_check(const char *id, const char *today, char *why, size_t why_cap)
{
	char date[9], now[9], expect;
	size_t i, len;
	int known = 0;

	say(why, why_cap, "", "", "");
	if (id == NULL) {
		say(why, why_cap, "no ID number given", "", "");
		return HC_ERR_BAD_ID_NUMBER;
	}
	len = strlen(id);
	if (len == 15) {
		say(why, why_cap, "a 15-digit (first generation) number: the card needs the 18-character number", "", "");
		return HC_ERR_BAD_ID_NUMBER;
	}
	if (len != 18) {
		say(why, why_cap, "an ID number has 18 characters", "", "");
		return HC_ERR_BAD_ID_NUMBER;
	}
	for (i = 0; i < 17; i++)
		if (id[i] < '0' || id[i] > '9') {
			say(why, why_cap, "the first 17 characters must be digits", "", "");
			return HC_ERR_BAD_ID_NUMBER;
		}
	for (i = 0; i < sizeof(provinces) / sizeof(provinces[0]); i++)
		if (memcmp(id, provinces[i], 2) == 0)
			known = 1;
	if (!known || memcmp(id + 2, "0000", 4) == 0) {
		say(why, why_cap, "the region code (first 6 digits) is not a GB/T 2260 code", "", "");
		return HC_ERR_BAD_ID_NUMBER;
	}
	memcpy(date, id + 6, 8);
	date[8] = '\0';
	if (hc_codec_date_check(date) != HC_OK) {
		say(why, why_cap, "the birth date ", date, " (digits 7-14) is not a calendar date");
		return HC_ERR_BAD_ID_NUMBER;
	}
	if (today == NULL) {
		hc_codec_today(now);
		today = now;
	}
	if (strcmp(date, today) > 0) {
		say(why, why_cap, "the birth date ", date, " is in the future");
		return HC_ERR_BAD_ID_NUMBER;
	}
	if (memcmp(id + 14, "000", 3) == 0) {
		say(why, why_cap, "the sequence number (digits 15-17) cannot be 000", "", "");
		return HC_ERR_BAD_ID_NUMBER;
	}
	expect = hc_id_number_check_char(id);
	if (id[17] != expect) {
		char got[2] = { id[17], '\0' };
		if (id[17] == 'x' && expect == 'X')
			say(why, why_cap, "the check character must be an upper-case X", "", "");
		else
			say(why, why_cap, "the check character ", got, " is wrong (GB 11643, ISO 7064 MOD 11-2)");
		return HC_ERR_BAD_ID_NUMBER;
	}
	return HC_OK;
}

int
hc_id_number_info(const char *id, char birth_date[9], int *sex)
{
	int ret;

	if ((ret = hc_id_number_check(id, NULL, NULL, 0)) != HC_OK)
		return ret;
	if (birth_date != NULL) {
		memcpy(birth_date, id + 6, 8);
		birth_date[8] = '\0';
	}
	if (sex != NULL)
		*sex = (id[16] - '0') % 2 == 1 ? HC_SEX_MALE : HC_SEX_FEMALE;
	return HC_OK;
}
