/*
 * The card profile as static const data (card-profile.md §1-§4). Nothing here is computed:
 * a real chip that differs changes these tables, not the code that walks them.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "src/profile.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define TABLE(std, list) { std, list, N(list), 0, -1 }

/* Code tables named by the spec (§3). Chinese names as in the standards. */
static const hc_code_t sex_codes[] = {               /* GB/T 2261.1 */
	{ 0, "未知的性别" }, { 1, "男" }, { 2, "女" }, { 9, "未说明的性别" },
};
static const hc_code_t abo_codes[] = {               /* card-profile.md §3; 0 = not recorded */
	{ 0, "未记录" }, { 1, "A" }, { 2, "B" }, { 3, "O" }, { 4, "AB" }, { 5, "不详" },
};
static const hc_code_t rh_codes[] = {
	{ 1, "阳性" }, { 2, "阴性" }, { 3, "不详" },
};
static const hc_code_t flag_codes[] = { { 0, "否" }, { 1, "是" } };
static const hc_code_t address_type_codes[] = { { 1, "户籍地址" }, { 2, "现住地址" } };
static const hc_code_t relation_codes[] = {          /* GB/T 4761 categories */
	{ 0, "本人或户主" }, { 1, "配偶" }, { 2, "子" }, { 3, "女" },
	{ 4, "孙子女或外孙子女" }, { 5, "父母" }, { 6, "祖父母或外祖父母" },
	{ 7, "兄弟姐妹" }, { 8, "其他" }, { 9, "非亲属" },
};
static const hc_code_t marital_codes[] = {           /* GB/T 2261.2 */
	{ 10, "未婚" }, { 20, "已婚" }, { 21, "初婚" }, { 22, "再婚" }, { 23, "复婚" },
	{ 30, "丧偶" }, { 40, "离婚" }, { 90, "未说明的婚姻状况" },
};
static const hc_code_t payment_codes[] = {           /* WS 364.13 CV07.10.003 */
	{ 1, "城镇职工基本医疗保险" }, { 2, "城镇居民基本医疗保险" }, { 3, "新型农村合作医疗" },
	{ 4, "贫困救助" }, { 5, "商业医疗保险" }, { 6, "全公费" }, { 7, "全自费" },
	{ 8, "其他社会保险" }, { 99, "其他" },
};
static const hc_code_t document_codes[] = {          /* WS 364.3 CV02.01.101 */
	{ 1, "居民身份证" }, { 2, "居民户口簿" }, { 3, "护照" }, { 4, "军官证" },
	{ 5, "驾驶证" }, { 6, "港澳居民来往内地通行证" }, { 7, "台湾居民来往内地通行证" },
	{ 99, "其他法定有效证件" },
};
static const hc_code_t ethnicity_extra[] = {         /* GB 3304: 01-56 and these */
	{ 97, "其他" }, { 98, "外国血统中国籍人士" },
};

static const hc_code_table_t sex_table = TABLE("GB/T 2261.1", sex_codes);
static const hc_code_table_t abo_table = TABLE("ABO", abo_codes);
static const hc_code_table_t rh_table = TABLE("Rh", rh_codes);
static const hc_code_table_t flag_table = TABLE("flag", flag_codes);
static const hc_code_table_t address_type_table = TABLE("address type", address_type_codes);
static const hc_code_table_t relation_table = TABLE("GB/T 4761", relation_codes);
static const hc_code_table_t marital_table = TABLE("GB/T 2261.2", marital_codes);
static const hc_code_table_t payment_table = TABLE("CV07.10.003", payment_codes);
static const hc_code_table_t document_table = TABLE("CV02.01.101", document_codes);
static const hc_code_table_t ethnicity_table = { "GB 3304", ethnicity_extra, N(ethnicity_extra), 1, 56 };
/* GB/T 4658: two-digit codes 10-99 (categories and their subdivisions). */
static const hc_code_table_t education_table = { "GB/T 4658", NULL, 0, 10, 99 };

#define ANS(tag, len, name, nat) { tag, HC_EL_ANS, len, HC_FMT_TEXT, 0, NULL, 1, name, nat }
#define DIG(tag, len, name, nat) { tag, HC_EL_CN, len, HC_FMT_DIGITS, 0, NULL, 1, name, nat }
#define DATE(tag, len, name, nat) { tag, HC_EL_CN, len, HC_FMT_DATE, 0, NULL, 1, name, nat }
#define CODE(tag, d, tbl, name, nat) { tag, HC_EL_CN, 1, HC_FMT_CODE, d, &tbl, 1, name, nat }
#define BYTE(tag, tbl, name, nat) { tag, HC_EL_B, 1, HC_FMT_BYTE, 0, &tbl, 1, name, nat }
#define FLAG(tag, name, nat) BYTE(tag, flag_table, name, nat)

static const hc_element_def_t ddf1_ef05[] = {
	ANS(0x01, 1, "card type", "KLB"),
	ANS(0x02, 4, "spec version", "GFBB"),
	ANS(0x03, 30, "issuer name", "FKJGMC"),
	DIG(0x04, 11, "issuer code", "FKJGDM"),
	{ 0x05, HC_EL_B, 180, HC_FMT_BYTES, 0, NULL, 1, "issuer certificate", "FKJGZS" },
	DATE(0x06, 4, "issue date", "FKSJ"),
	ANS(0x08, 18, "card number", "KH"),
	ANS(0x09, 3, "security code", "AQM"),
	ANS(0x10, 10, "issue serial number", "XPXLH"),
	/* written by the factory only, free to read */
	{ 0x57, HC_EL_CN, 3, HC_FMT_DIGITS, 0, NULL, 0, "application city code", "YYCSDM" },
};
static const hc_element_def_t ddf1_ef06[] = {
	ANS(0x11, 30, "name", "XM"),
	BYTE(0x12, sex_table, "sex", "XB"),
	CODE(0x13, 2, ethnicity_table, "ethnicity", "MZ"),
	DATE(0x14, 4, "birth date", "CSRQ"),
	ANS(0x15, 18, "citizen ID number", "SFZH"),
};
static const hc_element_def_t ddf1_ef08[] = {
	DATE(0x07, 4, "card expiry", "KYXQ"),
	ANS(0x16, 20, "phone 1", "BRDH1"),
	ANS(0x17, 20, "phone 2", "BRDH2"),
	CODE(0x18, 2, payment_table, "payment method 1", "YLFYZFFS1"),
	CODE(0x19, 2, payment_table, "payment method 2", "YLFYZFFS2"),
	CODE(0x20, 2, payment_table, "payment method 3", "YLFYZFFS3"),
};
static const hc_element_def_t df01_ef05[] = {
	CODE(0x21, 1, address_type_table, "address type 1", "DZLB1"),
	ANS(0x22, 100, "address 1", "DZ1"),
	CODE(0x23, 1, address_type_table, "address type 2", "DZLB2"),
	ANS(0x24, 100, "address 2", "DZ2"),
};
static const hc_element_def_t df01_ef06[] = {
	ANS(0x25, 30, "contact 1 name", "LXRXM1"),
	CODE(0x26, 1, relation_table, "contact 1 relation", "LXRGX1"),
	ANS(0x27, 20, "contact 1 phone", "LXRDH1"),
	ANS(0x28, 30, "contact 2 name", "LXRXM2"),
	CODE(0x29, 1, relation_table, "contact 2 relation", "LXRGX2"),
	ANS(0x30, 20, "contact 2 phone", "LXRDH2"),
	ANS(0x31, 30, "contact 3 name", "LXRXM3"),
	CODE(0x32, 1, relation_table, "contact 3 relation", "LXRGX3"),
	ANS(0x33, 20, "contact 3 phone", "LXRDH3"),
};
static const hc_element_def_t df01_ef07[] = {
	CODE(0x34, 2, education_table, "education", "WHCD"),
	CODE(0x35, 2, marital_table, "marital status", "HYZK"),
	ANS(0x36, 3, "occupation", "ZY"),
};
static const hc_element_def_t df01_ef08[] = {
	CODE(0x37, 2, document_table, "document type", "ZJLB"),
	ANS(0x38, 18, "document number", "ZJHM"),
	ANS(0x39, 17, "health record number", "JKDAH"),
	ANS(0x40, 18, "rural cooperative scheme number", "XNHZH"),
};
static const hc_element_def_t df02_ef05[] = {
	BYTE(0x41, abo_table, "ABO blood group", "ABOXX"),
	CODE(0x42, 1, rh_table, "Rh blood group", "RHXX"),
	FLAG(0x43, "asthma", "XCBZ"),
	FLAG(0x44, "heart disease", "XZBBZ"),
	FLAG(0x45, "cardio-/cerebrovascular disease", "XNXGBBZ"),
	FLAG(0x46, "epilepsy", "DXBBZ"),
	FLAG(0x47, "coagulation disorder", "NXWLBZ"),
	FLAG(0x48, "diabetes", "TNBBZ"),
	FLAG(0x49, "glaucoma", "QGYBZ"),
	FLAG(0x50, "dialysis", "TXBZ"),
	FLAG(0x51, "organ transplant", "QGYZBZ"),
	FLAG(0x52, "missing organ", "QGQSBZ"),
	FLAG(0x53, "removable prosthesis", "KZXYZBZ"),
	FLAG(0x54, "pacemaker", "XZQBQBZ"),
	ANS(0x55, 40, "other medical alert", "QTYXJSMC"),
};
static const hc_element_def_t df02_ef06[] = {
	FLAG(0x56, "psychiatric flag", "JSBBZ"),
};
static const hc_element_def_t df02_ef07[] = {       /* cyclic entry, no tags */
	ANS(0x00, 20, "allergen", "GMWZMC"),
	ANS(0x00, 100, "allergic reaction", "GMFY"),
};
static const hc_element_def_t df02_ef08[] = {
	ANS(0x00, 20, "vaccine", "MYJZMC"),
	DATE(0x00, 4, "immunisation date", "MYJZSJ"),
};

#define VAR(id, name, app, fid, rk, wk, sm, els) \
	{ id, name, app, fid, (uint8_t)((fid) & 0xFF), HC_FILE_VARIABLE, 0, N(els), rk, wk, HC_KEY_NONE, sm, els, N(els) }
#define EE(id, name, fid, size) \
	{ id, name, HC_APP_DF03, fid, 0, HC_FILE_BINARY, size, 0, HC_KEY_RK1_DF03, HC_KEY_UK1_DF03, HC_KEY_NONE, HC_SM_PLAIN, NULL, 0 }

static const hc_file_def_t files[HC_FILE__COUNT] = {
	VAR(HC_FILE_DDF1_EF05, "DDF1/EF05 issuer data", HC_APP_DDF1, 0xEF05, HC_KEY_NONE, HC_KEY_UK1_DDF1, HC_SM_PLAIN, ddf1_ef05),
	VAR(HC_FILE_DDF1_EF06, "DDF1/EF06 cardholder", HC_APP_DDF1, 0xEF06, HC_KEY_RK1_DDF1, HC_KEY_UK1_DDF1, HC_SM_PLAIN, ddf1_ef06),
	{ HC_FILE_DDF1_EF07, "DDF1/EF07 photo", HC_APP_DDF1, 0xEF07, 0x07, HC_FILE_BINARY, 3074, 0,
	  HC_KEY_RK1_DDF1, HC_KEY_UK1_DDF1, HC_KEY_NONE, HC_SM_PLAIN, NULL, 0 },
	VAR(HC_FILE_DDF1_EF08, "DDF1/EF08 validity", HC_APP_DDF1, 0xEF08, HC_KEY_RK1_DDF1, HC_KEY_UK1_DDF1, HC_SM_CIPHER_MAC, ddf1_ef08),
	VAR(HC_FILE_DF01_EF05, "DF01/EF05 addresses", HC_APP_DF01, 0xEF05, HC_KEY_RK1_DF01, HC_KEY_UK1_DF01, HC_SM_CIPHER_MAC, df01_ef05),
	VAR(HC_FILE_DF01_EF06, "DF01/EF06 contacts", HC_APP_DF01, 0xEF06, HC_KEY_RK1_DF01, HC_KEY_UK1_DF01, HC_SM_CIPHER_MAC, df01_ef06),
	VAR(HC_FILE_DF01_EF07, "DF01/EF07 education, marriage, occupation", HC_APP_DF01, 0xEF07, HC_KEY_RK1_DF01, HC_KEY_UK1_DF01, HC_SM_CIPHER_MAC, df01_ef07),
	VAR(HC_FILE_DF01_EF08, "DF01/EF08 documents", HC_APP_DF01, 0xEF08, HC_KEY_RK1_DF01, HC_KEY_UK1_DF01, HC_SM_CIPHER_MAC, df01_ef08),
	VAR(HC_FILE_DF02_EF05, "DF02/EF05 clinical basics", HC_APP_DF02, 0xEF05, HC_KEY_RK1_DF02, HC_KEY_UK1_DF02, HC_SM_CIPHER_MAC, df02_ef05),
	VAR(HC_FILE_DF02_EF06, "DF02/EF06 psychiatric flag", HC_APP_DF02, 0xEF06, HC_KEY_RK1_DF02, HC_KEY_UK2_DF02, HC_SM_CIPHER_MAC, df02_ef06),
	{ HC_FILE_DF02_EF07, "DF02/EF07 allergies", HC_APP_DF02, 0xEF07, 0x07, HC_FILE_CYCLIC, 120, 3,
	  HC_KEY_RK1_DF02, HC_KEY_UK3_DF02, HC_KEY_NONE, HC_SM_CIPHER_MAC, df02_ef07, N(df02_ef07) },
	{ HC_FILE_DF02_EF08, "DF02/EF08 immunisations", HC_APP_DF02, 0xEF08, 0x08, HC_FILE_CYCLIC, 24, 10,
	  HC_KEY_RK1_DF02, HC_KEY_UK3_DF02, HC_KEY_NONE, HC_SM_CIPHER_MAC, df02_ef08, N(df02_ef08) },
	{ HC_FILE_DF03_EF05, "DF03/EF05 inpatient index", HC_APP_DF03, 0xEF05, 0x05, HC_FILE_FIXED, 1, 3,
	  HC_KEY_RK1_DF03, HC_KEY_UK1_DF03, HC_KEY_UK2_DF03, HC_SM_MAC, NULL, 0 },
	{ HC_FILE_DF03_EF06, "DF03/EF06 outpatient index", HC_APP_DF03, 0xEF06, 0x06, HC_FILE_FIXED, 1, 5,
	  HC_KEY_RK1_DF03, HC_KEY_UK1_DF03, HC_KEY_UK2_DF03, HC_SM_MAC, NULL, 0 },
	EE(HC_FILE_DF03_EE01, "DF03/EE01 inpatient record 1", 0xEE01, 1893),
	EE(HC_FILE_DF03_EE02, "DF03/EE02 inpatient record 2", 0xEE02, 1893),
	EE(HC_FILE_DF03_EE03, "DF03/EE03 inpatient record 3", 0xEE03, 1893),
	EE(HC_FILE_DF03_ED01, "DF03/ED01 outpatient record 1", 0xED01, 3267),
	EE(HC_FILE_DF03_ED02, "DF03/ED02 outpatient record 2", 0xED02, 3267),
	EE(HC_FILE_DF03_ED03, "DF03/ED03 outpatient record 3", 0xED03, 3267),
	EE(HC_FILE_DF03_ED04, "DF03/ED04 outpatient record 4", 0xED04, 3267),
	EE(HC_FILE_DF03_ED05, "DF03/ED05 outpatient record 5", 0xED05, 3267),
};

/* §4 key table; sam_types bit n = a type n SAM holds the key (§1). */
#define T(n) (uint8_t)(1u << (n))
#define READERS (T(1) | T(2) | T(3) | T(5))
#define CLINICS (T(2) | T(3) | T(5))
#define LOCKERS (T(4) | T(5))
static const hc_key_def_t keys[HC_KEY__COUNT] = {
	{ HC_KEY_IRK_DDF1, "IRK DDF1", HC_APP_DDF1, -1, 0x47, 0x01, T(1) | T(2) | T(3) | T(4) | T(5), "checking the card is genuine" },
	{ HC_KEY_STK_MF, "STK MF", HC_APP_MF, -1, 0x28, 0x16, LOCKERS, "blocking the card" },
	{ HC_KEY_STK_DDF1, "STK DDF1", HC_APP_DDF1, -1, 0x28, 0x02, LOCKERS, "writing DDF1 with secure messaging" },
	{ HC_KEY_STK_DF01, "STK DF01", HC_APP_DF01, -1, 0x28, 0x03, LOCKERS, "writing identity data" },
	{ HC_KEY_STK_DF02, "STK DF02", HC_APP_DF02, -1, 0x48, 0x04, CLINICS | T(4), "writing clinical data" },
	{ HC_KEY_STK_DF03, "STK DF03", HC_APP_DF03, -1, 0x48, 0x05, CLINICS | T(4), "writing visit indexes" },
	{ HC_KEY_LK_DF01, "LK DF01", HC_APP_DF01, 0x83, 0x27, 0x07, LOCKERS, "blocking an application" },
	{ HC_KEY_LK_DF02, "LK DF02", HC_APP_DF02, 0x83, 0x27, 0x08, LOCKERS, "blocking an application" },
	{ HC_KEY_LK_DF03, "LK DF03", HC_APP_DF03, 0x83, 0x27, 0x09, LOCKERS, "blocking an application" },
	{ HC_KEY_BK_MF, "BK MF", HC_APP_MF, 0x03, 0x27, 0x15, LOCKERS, "blocking the card" },
	{ HC_KEY_RK1_DDF1, "RK1 DDF1", HC_APP_DDF1, 0x04, 0x47, 0x11, READERS, "reading cardholder data" },
	{ HC_KEY_RK1_DF01, "RK1 DF01", HC_APP_DF01, 0x84, 0x47, 0x12, READERS, "reading identity data" },
	{ HC_KEY_RK1_DF02, "RK1 DF02", HC_APP_DF02, 0x84, 0x47, 0x13, READERS, "reading clinical data" },
	{ HC_KEY_RK1_DF03, "RK1 DF03", HC_APP_DF03, 0x84, 0x47, 0x14, READERS, "reading visit records" },
	{ HC_KEY_UK1_DDF1, "UK1 DDF1", HC_APP_DDF1, 0x05, 0x27, 0x0A, T(5), "writing issuer and cardholder data" },
	{ HC_KEY_UK1_DF01, "UK1 DF01", HC_APP_DF01, 0x85, 0x27, 0x0B, T(5), "writing identity data" },
	{ HC_KEY_UK1_DF02, "UK1 DF02", HC_APP_DF02, 0x85, 0x47, 0x0C, CLINICS, "writing clinical data" },
	{ HC_KEY_UK2_DF02, "UK2 DF02", HC_APP_DF02, 0x86, 0x47, 0x0D, T(2) | T(5), "writing the psychiatric flag" },
	{ HC_KEY_UK3_DF02, "UK3 DF02", HC_APP_DF02, 0x87, 0x47, 0x0E, CLINICS, "writing allergies and immunisations" },
	{ HC_KEY_UK1_DF03, "UK1 DF03", HC_APP_DF03, 0x85, 0x47, 0x0F, CLINICS, "writing visit records" },
	/* [PC] types 2 and 3 hold UK2 DF03 too (card-profile.md §1) */
	{ HC_KEY_UK2_DF03, "UK2 DF03", HC_APP_DF03, 0x86, 0x27, 0x10, CLINICS, "erasing a visit record" },
};

/* Chip profiles [PC]. The simulator's ATR: 3B 6C 00 00 ‖ card factor ‖ 48 43 01 00; the
 * "no-read-all" profile describes a chip without READ RECORD "all records" nor extended
 * length (selected by hcard.conf chip_profile = short-apdu). */
static const hc_chip_profile_t chips[] = {
	{ "hcard-sim", (const uint8_t *)"\x3B\x6C\x00\x00", 4, 4, 1, 1 },
	{ "short-apdu", NULL, 0, 4, 0, 0 },
};

const hc_file_def_t *
hc_profile_file(hc_file_id_t id)
{
	if ((int)id < 0 || id >= HC_FILE__COUNT)
		return NULL;
	return &files[id];
}

const hc_key_def_t *
hc_profile_key(hc_key_id_t id)
{
	if ((int)id < 0 || id >= HC_KEY__COUNT)
		return NULL;
	return &keys[id];
}

const hc_element_def_t *
hc_profile_element(const hc_file_def_t *f, uint8_t tag)
{
	size_t i;

	if (f == NULL || f->kind != HC_FILE_VARIABLE)
		return NULL;
	for (i = 0; i < f->n_elements; i++)
		if (f->elements[i].tag == tag)
			return &f->elements[i];
	return NULL;
}

size_t
hc_profile_value_bytes(const hc_file_def_t *f)
{
	size_t i, n = 0;

	for (i = 0; f != NULL && i < f->n_elements; i++)
		n += f->elements[i].len;
	return n;
}

size_t
hc_profile_record_bytes(const hc_file_def_t *f)
{
	return f == NULL ? 0 : hc_profile_value_bytes(f) + 2 * f->n_elements;
}

int
hc_profile_code_valid(const hc_element_def_t *e, int code)
{
	const hc_code_table_t *t;
	size_t i;

	if (e == NULL)
		return 0;
	if ((t = e->codes) == NULL)
		return 1;
	if (code == -1 && e->format == HC_FMT_CODE)
		return 1;
	if (t->range_lo <= t->range_hi && code >= t->range_lo && code <= t->range_hi)
		return 1;
	for (i = 0; i < t->count; i++)
		if (t->codes[i].value == code)
			return 1;
	return 0;
}

const hc_chip_profile_t *
hc_chip_profile_by_name(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < N(chips); i++)
		if (strcmp(chips[i].name, name) == 0)
			return &chips[i];
	return NULL;
}

const hc_chip_profile_t *
hc_chip_profile_for_atr(const uint8_t *atr, size_t len)
{
	size_t i;

	for (i = 0; atr != NULL && i < N(chips); i++)
		if (chips[i].atr_prefix != NULL && len >= chips[i].atr_prefix_len
		    && memcmp(atr, chips[i].atr_prefix, chips[i].atr_prefix_len) == 0)
			return &chips[i];
	return &chips[0];
}

size_t
hc_chip_profile_count(void)
{
	return N(chips);
}

const hc_chip_profile_t *
hc_chip_profile_at(size_t i)
{
	return i < N(chips) ? &chips[i] : NULL;
}

void
hc_profile_key_sam_types(const hc_key_def_t *k, char *out, size_t cap)
{
	char buf[32] = "";
	int n, count = 0, total = 0;
	size_t len;

	for (n = 1; n <= 5; n++)
		if (k != NULL && (k->sam_types & T(n)))
			total++;
	for (n = 1; n <= 5; n++) {
		if (k == NULL || !(k->sam_types & T(n)))
			continue;
		count++;
		len = strlen(buf);
		snprintf(buf + len, sizeof(buf) - len, "%s%d",
		         count == 1 ? "" : count == total ? " or " : ", ", n);
	}
	snprintf(out, cap, "%s", buf);
}
