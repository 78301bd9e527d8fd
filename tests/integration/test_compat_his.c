/*
 * compat: a hospital information system calling the national interface (libwsbrw) as it
 * would call a vendor's WSB_RWInterface.dll, through pcscd + vpcd + hcard-sim (run under
 * tests/harness/with-sim; default cards: a blank user card, a type 5 SAM with PIN 12345678).
 *
 * (DF03 visit records: test_compat_visit.c.)
 *
 * Expected values come from the test's own inputs, from GBK bytes written out here, from
 * raw APDUs and from libhcard read independently (UTF-8, its own codec), never from the
 * code under test. The tests run in order on one card.
 */
#include "config.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "compat/WSB_RWInterface.h"
#include "hcard.h"
#include "hcard_health.h"
#include "hcard_visit.h"
#include "tests/integration/test_compat_util.h"

/* GBK bytes of the test's text (independent of any converter) */
#define GBK_ZHANGSAN "\xD5\xC5\xC8\xFD"                       /* 张三 */
#define GBK_LISI "\xC0\xEE\xCB\xC4"                           /* 李四 */
#define GBK_ISSUER "\xB1\xB1\xBE\xA9\xCA\xD0\xCE\xC0\xC9\xFA\xBE\xD6"   /* 北京市卫生局 */
#define GBK_ADDRESS "\xB1\xB1\xBE\xA9\xCA\xD0\xB6\xAB\xB3\xC7\xC7\xF8"  /* 北京市东城区 */
#define GBK_PENICILLIN "\xC7\xE0\xC3\xB9\xCB\xD8"             /* 青霉素 */
#define GBK_RASH "\xC6\xA4\xD5\xEE"                           /* 皮疹 */
#define GBK_HEPB "\xD2\xD2\xB8\xCE\xD2\xDF\xC3\xE7"           /* 乙肝疫苗 */
#define LONG_TEXT "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQ"  /* 43 bytes: over any 20-byte text */
#define GBK_ZHUYUAN "\xD7\xA1\xD4\xBA"                        /* 住院 */
#define GBK_DOCTOR "\xD2\xBD\xC9\xFA"                         /* 医生 */
#define ID_NUMBER "11010519491231002X"                        /* GB 11643 example */

static HANDLE dev;

/* --- device and SAM ---------------------------------------------------------------------- */

static int
setup(void **state)
{
	(void)state;
	return compat_test_conf();
}

static void
test_open(void **state)
{
	int i;

	(void)state;
	assert_int_equal(iR_DDF1EF06Info(NULL, NULL, NULL, NULL, NULL, NULL), IRV_PARA_ERR);
	for (i = 0; i < 50 && (dev = iDOpenPort()) == NULL; i++)
		nap();
	assert_non_null(dev);
	assert_ptr_equal(iDOpenPort(), dev);            /* opening again: the same device */
}

static void
test_sam(void **state)
{
	unsigned char cmd[] = { 0x00, 0xB0, 0x95, 0x00, 0x0E }, cmd16[] = { 0x00, 0xB0, 0x96, 0x00, 0x06 };
	unsigned char resp[300];
	char info[400], expect[64], tn[13];
	int n = 0;

	(void)state;
	/* before the SAM PIN: the SAM refuses its keys, the user card's protected files stay shut */
	{
		char xm[64], xb[8], mz[8], csrq[16], sfzh[40];
		assert_int_equal(iR_DDF1EF06Info(dev, xm, xb, mz, csrq, sfzh), IRV_IRK_VERR);
	}
	/* a wrong SAM PIN is refused (and counts), the right one resets the counter */
	assert_int_equal(iVerifyPIN(dev, "11111111"), IRV_IRK_VERR);
	assert_int_equal(iVerifyPIN(dev, NULL), IRV_PARA_ERR);
	assert_int_equal(iVerifyPIN(dev, "12345678"), IRV_OK);
	assert_int_equal(iVerifyPIN((HANDLE)(uintptr_t)0x1234, "12345678"), IRV_PARA_ERR);

	/* public information against EF0015 read raw (MF first: the library left DF01 current):
	 * serial 10 | type | key version */
	{
		unsigned char mf[] = { 0x00, 0xA4, 0x00, 0x00, 0x02, 0x3F, 0x00 };
		assert_int_equal(SendAPDU(dev, SLOT_PSAM, mf, sizeof(mf), resp, &n), IRV_OK);
		assert_int_equal(resp[n - 2], 0x90);
	}
	assert_int_equal(SendAPDU(dev, SLOT_PSAM, cmd, sizeof(cmd), resp, &n), IRV_OK);
	assert_int_equal(n, 16);
	assert_int_equal(resp[14], 0x90);
	assert_int_equal(resp[15], 0x00);
	snprintf(expect, sizeof(expect), "%.10s|%02X|%02X", (const char *)resp, resp[10], resp[11]);
	assert_int_equal(iReader_SAM_Public(dev, info), IRV_OK);
	assert_string_equal(info, expect);
	assert_int_equal(resp[10], 5);                   /* the harness SAM is type 5 */
	assert_int_equal(SendAPDU(dev, SLOT_PSAM, cmd16, sizeof(cmd16), resp, &n), IRV_OK);
	assert_int_equal(n, 8);
	hex(resp, 6, tn);
	assert_int_equal(iReader_SAM_Terminal(dev, info), IRV_OK);
	assert_string_equal(info, tn);
	assert_int_equal(iReader_SAM_Public(dev, NULL), IRV_PARA_ERR);
	assert_int_equal(iReader_SAM_Terminal(dev, NULL), IRV_PARA_ERR);
	assert_int_equal(iReader_SAM_Public((HANDLE)(uintptr_t)0x1234, info), IRV_PARA_ERR);
	assert_int_equal(iReader_SAM_Terminal((HANDLE)(uintptr_t)0x1234, info), IRV_PARA_ERR);
	/* files card profile v1 does not give the SAM: 113 and an empty string */
	strcpy(info, "x");
	assert_int_equal(iReader_SAM_PublicApp(dev, info), IRV_NO_FILE);
	assert_string_equal(info, "");
	strcpy(info, "x");
	assert_int_equal(iReader_SAM_OrgCertificate(dev, info), IRV_NO_FILE);
	assert_string_equal(info, "");
	assert_int_equal(iReader_SAM_PublicApp(dev, NULL), IRV_PARA_ERR);
	assert_int_equal(iReader_SAM_OrgCertificate(dev, NULL), IRV_PARA_ERR);
}

static void
test_power_on_send_apdu(void **state)
{
	unsigned char select_mf[] = { 0x00, 0xA4, 0x00, 0x00, 0x02, 0x3F, 0x00, 0x00 };
	unsigned char select_sam_mf[] = { 0x00, 0xA4, 0x00, 0x00, 0x02, 0x3F, 0x00 };
	unsigned char bad_ins[] = { 0x00, 0x60, 0x00, 0x00 };
	unsigned char resp[300];
	char atr[80], xm[64], xb[8], mz[8], csrq[16], sfzh[40];
	int n = 0;

	(void)state;
	/* the simulator's ATRs (doc/simulator.md): 3B 6C 00 00 | 8 bytes | 48 43 01 00 / 48 43 53 01 */
	assert_int_equal(PowerOn(dev, SLOT_USER, atr), IRV_OK);
	assert_string_equal(atr, "3B6C0000" "4843415244000001" "48430100");
	assert_int_equal(PowerOn(dev, SLOT_PSAM, atr), IRV_OK);
	assert_int_equal(strlen(atr), 32);
	assert_memory_equal(atr, "3B6C0000", 8);
	assert_string_equal(atr + 24, "48435301");
	assert_int_equal(PowerOn(dev, 0x02, atr), IRV_PARA_ERR);
	assert_int_equal(PowerOn(dev, SLOT_USER, NULL), IRV_PARA_ERR);
	/* SAM PIN state went with the reset: the library verifies its kept PIN again itself */

	/* SELECT MF with Le: T=0 61xx is fetched, the FCI (6F ...) and 9000 come back */
	assert_int_equal(SendAPDU(dev, SLOT_USER, select_mf, sizeof(select_mf), resp, &n), IRV_OK);
	assert_true(n > 2);
	assert_int_equal(resp[0], 0x6F);
	assert_int_equal(resp[n - 2], 0x90);
	assert_int_equal(resp[n - 1], 0x00);
	/* a status word other than 9000 is the card's answer, not an error of SendAPDU */
	resp[0] = 0;
	{
		unsigned char read_missing[] = { 0x00, 0xB2, 0x01, 0xFC, 0x00 };   /* SFI 31 */
		assert_int_equal(SendAPDU(dev, SLOT_USER, read_missing, sizeof(read_missing), resp, &n), IRV_OK);
		assert_int_equal(n, 2);
		assert_true(resp[0] == 0x6A || resp[0] == 0x69);
	}
	/* Le 04 for a longer FCI: the card's 6Cxx resend gives more than the caller asked for,
	 * refused rather than written past its buffer */
	select_mf[7] = 0x04;
	assert_int_equal(SendAPDU(dev, SLOT_USER, select_mf, sizeof(select_mf), resp, &n), IRV_CARD_ERR);
	select_mf[7] = 0x00;
	/* bad parameters */
	assert_int_equal(SendAPDU(dev, 0x05, select_mf, sizeof(select_mf), resp, &n), IRV_PARA_ERR);
	assert_int_equal(SendAPDU(dev, SLOT_USER, select_mf, 2, resp, &n), IRV_PARA_ERR);
	assert_int_equal(SendAPDU(dev, SLOT_USER, NULL, 5, resp, &n), IRV_PARA_ERR);
	assert_int_equal(SendAPDU(dev, SLOT_USER, select_mf, sizeof(select_mf), NULL, &n), IRV_PARA_ERR);
	assert_int_equal(SendAPDU(dev, SLOT_USER, bad_ins, sizeof(bad_ins), resp, &n), IRV_PARA_ERR);
	assert_int_equal(SendAPDU(dev, SLOT_USER, select_mf, 6, resp, &n), IRV_PARA_ERR);  /* Lc 2, 1 byte */
	/* a library call leaves the SAM's health DF01 current; a raw SELECT of its MF behind the
	 * library's back: the next library call must still work (the SAM is reset first) */
	assert_int_equal(iR_DDF1EF06Info(dev, xm, xb, mz, csrq, sfzh), IRV_OK);
	assert_int_equal(SendAPDU(dev, SLOT_PSAM, select_sam_mf, sizeof(select_sam_mf), resp, &n), IRV_OK);
	/* the same on the user card: DDF1 with its read right current, then a raw SELECT of DF02 */
	assert_int_equal(iR_DDF1EF06Info(dev, xm, xb, mz, csrq, sfzh), IRV_OK);
	{
		unsigned char select_df02[] = { 0x00, 0xA4, 0x04, 0x00, 0x06, 0x91, 0x56, 0x00, 0x01, 0x32, 0x01 };
		assert_int_equal(SendAPDU(dev, SLOT_USER, select_df02, sizeof(select_df02), resp, &n), IRV_OK);
		assert_int_equal(resp[n - 2], 0x90);
	}
	assert_int_equal(iR_DDF1EF06Info(dev, xm, xb, mz, csrq, sfzh), IRV_OK);
	assert_int_equal(resp[n - 2], 0x90);
}

/* --- DDF1 ------------------------------------------------------------------------------- */

static void
test_ddf1_ef05(void **state)
{
	char klb[4], gfbb[8], name[64], code[32], cert[400], date[16], kh[40], aqm[8], serial[24], city[16];
	char zeros[361];

	(void)state;
	memset(zeros, '0', 360);
	zeros[360] = '\0';
	/* the issuer (type 5 SAM) writes EF05 before activation; YYCSDM is the factory's */
	assert_int_equal(iW_DDF1EF05Info(dev, "1", "1.10", GBK_ISSUER, "12345678901", "", "20240131",
	                                 ID_NUMBER, "123", "0000000001", "999999"), IRV_OK);
	assert_int_equal(iR_DDF1EF05Info(dev, klb, gfbb, name, code, cert, date, kh, aqm, serial, city), IRV_OK);
	assert_string_equal(klb, "1");
	assert_string_equal(gfbb, "1.10");
	assert_string_equal(name, GBK_ISSUER);
	assert_string_equal(code, "12345678901");
	assert_string_equal(cert, zeros);
	assert_string_equal(date, "20240131");
	assert_string_equal(kh, ID_NUMBER);
	assert_string_equal(aqm, "123");
	assert_string_equal(serial, "0000000001");
	assert_string_equal(city, "110100");             /* factory default, not the 999999 given */
	assert_int_equal(iR_DDF1EF05Info(dev, klb, gfbb, name, code, NULL, date, kh, aqm, serial, city), IRV_PARA_ERR);
}

static void
test_ddf1_ef06(void **state)
{
	char xm[64], xb[8], mz[8], csrq[16], sfzh[40];
	char long_name[40];
	hc_cardholder_t ch;
	direct_t x;

	(void)state;
	assert_int_equal(iW_DDF1EF06Info(dev, GBK_ZHANGSAN, "01", "01", "19491231", ID_NUMBER), IRV_OK);
	assert_int_equal(iR_DDF1EF06Info(dev, xm, xb, mz, csrq, sfzh), IRV_OK);
	assert_string_equal(xm, GBK_ZHANGSAN);
	assert_string_equal(xb, "01");
	assert_string_equal(mz, "01");
	assert_string_equal(csrq, "19491231");
	assert_string_equal(sfzh, ID_NUMBER);
	/* what the card holds, read by libhcard in UTF-8 on its own connection */
	direct_open(&x);
	assert_int_equal(hc_read_cardholder(x.card, &ch), HC_OK);
	assert_string_equal(ch.name, "张三");
	assert_int_equal(ch.sex, 1);
	assert_int_equal(ch.ethnicity, 1);
	direct_close(&x);

	/* refused, and nothing written: too long (31 bytes for 30), not GBK, bad code, bad ID */
	memset(long_name, 'A', 31);
	long_name[31] = '\0';
	assert_int_equal(iW_DDF1EF06Info(dev, long_name, "01", "01", "19491231", ID_NUMBER), IRV_PARA_ERR);
	assert_int_equal(iW_DDF1EF06Info(dev, "\xFF\xFE", "01", "01", "19491231", ID_NUMBER), IRV_PARA_ERR);
	assert_int_equal(iW_DDF1EF06Info(dev, GBK_LISI, "XX", "01", "19491231", ID_NUMBER), IRV_PARA_ERR);
	assert_int_equal(iW_DDF1EF06Info(dev, GBK_LISI, "01", "A1", "19491231", ID_NUMBER), IRV_PARA_ERR);
	assert_int_equal(iW_DDF1EF06Info(dev, GBK_LISI, "01", "01", "19491231", "110105194912310021"), IRV_PARA_ERR);
	assert_int_equal(iW_DDF1EF06Info(dev, NULL, "01", "01", "19491231", ID_NUMBER), IRV_PARA_ERR);
	assert_int_equal(iR_DDF1EF06Info(dev, xm, xb, mz, csrq, sfzh), IRV_OK);
	assert_string_equal(xm, GBK_ZHANGSAN);
}

static void
test_ddf1_photo(void **state)
{
	static BYTE photo[3074], back[3074];
	size_t i, len = 1000;
	unsigned long before;

	(void)state;
	/* a JPEG shape: SOI, APP0, bytes, EOI */
	photo[0] = (BYTE)(len >> 8);
	photo[1] = (BYTE)len;
	photo[2] = 0xFF; photo[3] = 0xD8; photo[4] = 0xFF; photo[5] = 0xE0;
	for (i = 6; i < len; i++)
		photo[i] = (BYTE)(i * 7);
	photo[len] = 0xFF;
	photo[len + 1] = 0xD9;
	assert_int_equal(iW_DDF1EF07Info(dev, photo), IRV_OK);
	memset(back, 0xAA, sizeof(back));
	assert_int_equal(iR_DDF1EF07Info(dev, back), IRV_OK);
	assert_memory_equal(back, photo, len + 2);
	/* not a JPEG, and a length beyond 3072: 113, the photo on the card unchanged */
	photo[2] = 0x00;
	assert_int_equal(iW_DDF1EF07Info(dev, photo), IRV_DDF1EF07_DATAERR);
	photo[2] = 0xFF;
	photo[0] = 0x0F;
	photo[1] = 0xA0;                                  /* 4000 */
	before = card_apdus();
	assert_int_equal(iW_DDF1EF07Info(dev, photo), IRV_DDF1EF07_DATAERR);
	assert_int_equal(iW_DDF1EF07Info(dev, NULL), IRV_PARA_ERR);
	assert_int_equal(card_apdus(), before);           /* refused before the card */
	assert_int_equal(iR_DDF1EF07Info(dev, back), IRV_OK);
	assert_int_equal(back[0] << 8 | back[1], (int)len);
	assert_int_equal(iR_DDF1EF07Info(dev, NULL), IRV_PARA_ERR);
}

static void
test_ddf1_ef08(void **state)
{
	char kyxq[16], p1[32], p2[32], z1[8], z2[8], z3[8];

	(void)state;
	assert_int_equal(iW_DDF1EF08Info(dev, "20341231", "13800138000", "", "01", "99", ""), IRV_OK);
	assert_int_equal(iR_DDF1EF08Info(dev, kyxq, p1, p2, z1, z2, z3), IRV_OK);
	assert_string_equal(kyxq, "20341231");
	assert_string_equal(p1, "13800138000");
	assert_string_equal(p2, "");
	assert_string_equal(z1, "01");
	assert_string_equal(z2, "99");
	assert_string_equal(z3, "");
	/* payment method 50 is not in CV07.10.003; a date that is not one */
	assert_int_equal(iW_DDF1EF08Info(dev, "20341231", "1", "", "50", "", ""), IRV_PARA_ERR);
	assert_int_equal(iW_DDF1EF08Info(dev, "20341331", "1", "", "01", "", ""), IRV_PARA_ERR);
}

/* --- DF01, DF02 ------------------------------------------------------------------------- */

static void
test_df01(void **state)
{
	char t1[8], a1[256], t2[8], a2[256];
	char n1[64], r1[8], d1[32], n2[64], r2[8], d2[32], n3[64], r3[8], d3[32];
	char e[8], m[8], o[16], zt[8], zh[40], jk[40], xn[40];

	(void)state;
	assert_int_equal(iW_DF01EF05Info(dev, "1", GBK_ADDRESS, "2", "No. 1 Road"), IRV_OK);
	assert_int_equal(iR_DF01EF05Info(dev, t1, a1, t2, a2), IRV_OK);
	assert_string_equal(t1, "1");                    /* cn 1 "1F": the padding left out */
	assert_string_equal(a1, GBK_ADDRESS);
	assert_string_equal(t2, "2");
	assert_string_equal(a2, "No. 1 Road");
	/* the card's own hex form "1F" is accepted too */
	assert_int_equal(iW_DF01EF05Info(dev, "1F", GBK_ADDRESS, "", ""), IRV_OK);
	assert_int_equal(iR_DF01EF05Info(dev, t1, a1, t2, a2), IRV_OK);
	assert_string_equal(t1, "1");
	assert_string_equal(t2, "");
	assert_string_equal(a2, "");

	assert_int_equal(iW_DF01EF06Info(dev, GBK_LISI, "1", "010-1234", "", "", "", "C", "9", "3"), IRV_OK);
	assert_int_equal(iR_DF01EF06Info(dev, n1, r1, d1, n2, r2, d2, n3, r3, d3), IRV_OK);
	assert_string_equal(n1, GBK_LISI);
	assert_string_equal(r1, "1");
	assert_string_equal(d1, "010-1234");
	assert_string_equal(n2, "");
	assert_string_equal(r2, "");
	assert_string_equal(n3, "C");
	assert_string_equal(r3, "9");
	assert_string_equal(d3, "3");

	assert_int_equal(iW_DF01EF07Info(dev, "20", "10", "1-1"), IRV_OK);
	assert_int_equal(iR_DF01EF07Info(dev, e, m, o), IRV_OK);
	assert_string_equal(e, "20");
	assert_string_equal(m, "10");
	assert_string_equal(o, "1-1");

	assert_int_equal(iW_DF01EF08Info(dev, "01", ID_NUMBER, "HR0001", ""), IRV_OK);
	assert_int_equal(iR_DF01EF08Info(dev, zt, zh, jk, xn), IRV_OK);
	assert_string_equal(zt, "01");
	assert_string_equal(zh, ID_NUMBER);
	assert_string_equal(jk, "HR0001");
	assert_string_equal(xn, "");
}

static void
test_df02(void **state)
{
	char v[15][100], flag[8], a[64], r[256], vac[64], dt[16];
	unsigned long before;
	size_t i;

	(void)state;
	assert_int_equal(iW_DF02EF05Info(dev, "01", "1", "00", "01", "00", "00", "00", "01", "00", "00",
	                                 "00", "00", "00", "01", GBK_PENICILLIN), IRV_OK);
	assert_int_equal(iR_DF02EF05Info(dev, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9],
	                                 v[10], v[11], v[12], v[13], v[14]), IRV_OK);
	assert_string_equal(v[0], "01");
	assert_string_equal(v[1], "1");
	for (i = 2; i < 14; i++)
		assert_string_equal(v[i], i == 3 || i == 7 || i == 13 ? "01" : "00");
	assert_string_equal(v[14], GBK_PENICILLIN);
	/* ABO 7 does not exist */
	assert_int_equal(iW_DF02EF05Info(dev, "07", "1", "00", "00", "00", "00", "00", "00", "00", "00",
	                                 "00", "00", "00", "00", ""), IRV_PARA_ERR);

	/* psychiatric flag (UK2 DF02: the type 5 SAM holds it) */
	assert_int_equal(iW_DF02EF06Info(dev, "01"), IRV_OK);
	assert_int_equal(iR_DF02EF06Info(dev, flag), IRV_OK);
	assert_string_equal(flag, "01");
	assert_int_equal(iW_DF02EF06Info(dev, "00"), IRV_OK);
	assert_int_equal(iR_DF02EF06Info(dev, flag), IRV_OK);
	assert_string_equal(flag, "00");
	/* a NULL parameter, first or last: 101 before the card is touched, nothing written */
	before = card_apdus();
	assert_int_equal(iR_DF02EF06Info(dev, NULL), IRV_PARA_ERR);
	assert_int_equal(iW_DF02EF06Info(dev, NULL), IRV_PARA_ERR);
	assert_int_equal(iW_DF01EF07Info(dev, "20", "10", NULL), IRV_PARA_ERR);
	assert_int_equal(iR_DF01EF07Info(dev, NULL, v[1], v[2]), IRV_PARA_ERR);
	assert_int_equal(card_apdus(), before);
	assert_int_equal(iR_DF01EF07Info(dev, v[0], v[1], v[2]), IRV_OK);
	assert_string_equal(v[2], "1-1");

	/* allergies: record 1 is the newest; a record not written yet is empty */
	assert_int_equal(iW_DF02EF07Info(dev, GBK_PENICILLIN, GBK_RASH), IRV_OK);
	assert_int_equal(iW_DF02EF07Info(dev, "X", "Y"), IRV_OK);
	assert_int_equal(iR_DF02EF07Info(dev, 1, a, r), IRV_OK);
	assert_string_equal(a, "X");
	assert_string_equal(r, "Y");
	assert_int_equal(iR_DF02EF07Info(dev, 2, a, r), IRV_OK);
	assert_string_equal(a, GBK_PENICILLIN);
	assert_string_equal(r, GBK_RASH);
	assert_int_equal(iR_DF02EF07Info(dev, 3, a, r), IRV_OK);
	assert_string_equal(a, "");
	assert_string_equal(r, "");
	assert_int_equal(iR_DF02EF07Info(dev, 4, a, r), IRV_PARA_ERR);
	assert_int_equal(iR_DF02EF07Info(dev, 0, a, r), IRV_PARA_ERR);
	/* NULL buffers and a text over the card's 20 bytes: 101, nothing sent, nothing written */
	before = card_apdus();
	assert_int_equal(iR_DF02EF07Info(dev, 1, NULL, r), IRV_PARA_ERR);
	assert_int_equal(iR_DF02EF07Info(dev, 1, a, NULL), IRV_PARA_ERR);
	assert_int_equal(iW_DF02EF07Info(dev, NULL, "Y"), IRV_PARA_ERR);
	assert_int_equal(iW_DF02EF07Info(dev, "X", NULL), IRV_PARA_ERR);
	assert_int_equal(iW_DF02EF07Info(dev, LONG_TEXT, "Y"), IRV_PARA_ERR);
	assert_int_equal(card_apdus(), before);
	assert_int_equal(iR_DF02EF07Info(dev, 1, a, r), IRV_OK);
	assert_string_equal(a, "X");
	assert_string_equal(r, "Y");

	assert_int_equal(iW_DF02EF08Info(dev, GBK_HEPB, "20240301"), IRV_OK);
	assert_int_equal(iR_DF02EF08Info(dev, 1, vac, dt), IRV_OK);
	assert_string_equal(vac, GBK_HEPB);
	assert_string_equal(dt, "20240301");
	assert_int_equal(iR_DF02EF08Info(dev, 10, vac, dt), IRV_OK);
	assert_string_equal(vac, "");
	assert_string_equal(dt, "");
	assert_int_equal(iR_DF02EF08Info(dev, 11, vac, dt), IRV_PARA_ERR);
	assert_int_equal(iR_DF02EF08Info(dev, 0, vac, dt), IRV_PARA_ERR);
	assert_int_equal(iW_DF02EF08Info(dev, GBK_HEPB, "20241301"), IRV_PARA_ERR);
	before = card_apdus();
	assert_int_equal(iR_DF02EF08Info(dev, 1, NULL, dt), IRV_PARA_ERR);
	assert_int_equal(iR_DF02EF08Info(dev, 1, vac, NULL), IRV_PARA_ERR);
	assert_int_equal(iW_DF02EF08Info(dev, NULL, "20240301"), IRV_PARA_ERR);
	assert_int_equal(iW_DF02EF08Info(dev, GBK_HEPB, NULL), IRV_PARA_ERR);
	assert_int_equal(iW_DF02EF08Info(dev, GBK_HEPB, "202403011"), IRV_PARA_ERR);
	assert_int_equal(iW_DF02EF08Info(dev, LONG_TEXT, "20240301"), IRV_PARA_ERR);
	assert_int_equal(card_apdus(), before);
	assert_int_equal(iR_DF02EF08Info(dev, 2, vac, dt), IRV_OK);
	assert_string_equal(vac, "");
	assert_int_equal(iR_DF02EF08Info(dev, 1, vac, dt), IRV_OK);
	assert_string_equal(vac, GBK_HEPB);
	assert_string_equal(dt, "20240301");
}

/* --- algorithms, encodings, card removal, close --------------------------------------- */

static void
test_sm3(void **state)
{
	/* GB/T 32905 annex A example 1: SM3("abc") */
	static const char abc_hash[] = "66C7F0F462EEEDD9D1F2D46BDC10E4E24167C4875CF2F7A2297DA02B8F4BA8E0";
	BYTE hash[32], len = 0;
	char h[65];

	(void)state;
	assert_int_equal(SM3Digest(dev, (BYTE *)"abc", 3, hash, &len), IRV_OK);
	assert_int_equal(len, 32);
	hex(hash, 32, h);
	assert_string_equal(h, abc_hash);
	assert_int_equal(SM3Digest(dev, NULL, 3, hash, &len), IRV_PARA_ERR);
}

static void
test_cardholder_pin(void **state)
{
	BYTE retries = 0xEE;

	(void)state;
	/* the factory cardholder PIN is 123456 (card-profile.md §6) */
	assert_int_equal(VerifyPin(dev, "654321", &retries), IRV_IRK_VERR);
	assert_int_equal(retries, 2);
	retries = 0xEE;
	assert_int_equal(VerifyPin(dev, "123456", &retries), IRV_OK);
	assert_int_equal(retries, 0xEE);                  /* written only for a wrong PIN */
	assert_int_equal(VerifyPin(dev, "12", &retries), IRV_PARA_ERR);
	assert_int_equal(retries, 0xEE);
	assert_int_equal(VerifyPin(dev, NULL, &retries), IRV_PARA_ERR);
	assert_int_equal(VerifyPin((HANDLE)(uintptr_t)0x1234, "123456", &retries), IRV_PARA_ERR);
	/* pbRetry may be NULL */
	assert_int_equal(VerifyPin(dev, "654321", NULL), IRV_IRK_VERR);
	assert_int_equal(VerifyPin(dev, "123456", NULL), IRV_OK);
	assert_int_equal(VerifyPin(dev, "654321", &retries), IRV_IRK_VERR);
	assert_int_equal(retries, 2);                     /* the right PIN reset the count */
	assert_int_equal(VerifyPin(dev, "123456", &retries), IRV_OK);
}

/* two HIS threads on the one device: calls are serialised, every answer whole */
static void *
reader_thread(void *arg)
{
	char xm[64], xb[8], mz[8], csrq[16], sfzh[40], e[8], m[8], o[16];
	int i, *bad = arg;

	for (i = 0; i < 15; i++) {
		if (iR_DDF1EF06Info(dev, xm, xb, mz, csrq, sfzh) != IRV_OK || strcmp(xm, GBK_ZHANGSAN) != 0)
			(*bad)++;
		if (iR_DF01EF07Info(dev, e, m, o) != IRV_OK || strcmp(e, "20") != 0 || strcmp(o, "1-1") != 0)
			(*bad)++;
	}
	return NULL;
}

static void
test_threads(void **state)
{
	pthread_t t[2];
	int bad[2] = { 0, 0 }, i;

	(void)state;
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, reader_thread, &bad[i]), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_int_equal(bad[0] + bad[1], 0);
}

static void
test_card_removed(void **state)
{
	char xm[64], xb[8], mz[8], csrq[16], sfzh[40];
	int i, rc = -1;

	(void)state;
	sim_ctl("remove 0");
	for (i = 0; i < 50 && (rc = iR_DDF1EF06Info(dev, xm, xb, mz, csrq, sfzh)) == IRV_OK; i++)
		nap();
	assert_int_equal(rc, IRV_CARD_ERR);
	sim_ctl("insert 0");
	for (i = 0; i < 50 && (rc = iR_DDF1EF06Info(dev, xm, xb, mz, csrq, sfzh)) != IRV_OK; i++)
		nap();
	assert_int_equal(rc, IRV_OK);
	assert_string_equal(xm, GBK_ZHANGSAN);
}

/* no SAM: iDOpenPort fails (NULL) and every call says the device is not open */
static void
test_no_sam(void **state)
{
	char info[64];
	HANDLE h = NULL;
	int i;

	(void)state;
	assert_int_equal(iDClosePort(), IRV_OK);
	sim_ctl("remove 1");
	for (i = 0; i < 50 && (h = iDOpenPort()) != NULL; i++) {
		iDClosePort();
		nap();
	}
	assert_null(h);
	assert_int_equal(iReader_SAM_Public(dev, info), IRV_PARA_ERR);
	assert_int_equal(iReader_SAM_Public(NULL, info), IRV_PARA_ERR);
	sim_ctl("insert 1");
	for (i = 0; i < 50 && (h = iDOpenPort()) == NULL; i++)
		nap();
	assert_ptr_equal(h, dev);
	assert_int_equal(iReader_SAM_Public(NULL, info), IRV_OK);
}

static void
test_utf8_and_close(void **state)
{
	char xm[64], xb[8], mz[8], csrq[16], sfzh[40], buf[256];

	(void)state;
	assert_int_equal(iDClosePort(), IRV_OK);
	assert_int_equal(iR_DDF1EF06Info(dev, xm, xb, mz, csrq, sfzh), IRV_PARA_ERR);   /* closed */
	setenv("HCARD_COMPAT_UTF8", "1", 1);
	assert_non_null(dev = iDOpenPort());
	assert_int_equal(iVerifyPIN(dev, "12345678"), IRV_OK);
	assert_int_equal(iR_DDF1EF06Info(dev, xm, xb, mz, csrq, sfzh), IRV_OK);
	assert_string_equal(xm, "张三");
	assert_int_equal(iW_DF02EF07Info(dev, "花粉", "哮喘"), IRV_OK);
	assert_int_equal(iR_DF02EF07Info(dev, 1, xm, buf), IRV_OK);
	assert_string_equal(xm, "花粉");
	assert_string_equal(buf, "哮喘");
	/* 0 selects GBK explicitly */
	assert_int_equal(iDClosePort(), IRV_OK);
	setenv("HCARD_COMPAT_UTF8", "0", 1);
	assert_non_null(dev = iDOpenPort());
	assert_int_equal(iVerifyPIN(dev, "12345678"), IRV_OK);
	assert_int_equal(iR_DDF1EF06Info(dev, xm, xb, mz, csrq, sfzh), IRV_OK);
	assert_string_equal(xm, GBK_ZHANGSAN);
	unsetenv("HCARD_COMPAT_UTF8");
	assert_int_equal(iDClosePort(), IRV_OK);
	assert_int_equal(iDClosePort(), IRV_OK);
	/* the SAM PIN verified through libwsbrw ended with iDClosePort: another program that
	 * presents no PIN cannot use the SAM's keys */
	{
		hc_terminal_opts_t none = { NULL, NULL, NULL, NULL };
		hc_ctx_t *ctx = NULL;
		hc_terminal_t *term = NULL;
		hc_card_t *card = NULL;
		hc_cardholder_t ch;

		assert_int_equal(hc_ctx_new(&ctx, NULL), HC_OK);
		assert_int_equal(hc_terminal_open(ctx, &none, &term), HC_OK);
		assert_int_equal(hc_card_open(term, &card), HC_OK);
		assert_int_not_equal(hc_read_cardholder(card, &ch), HC_OK);
		hc_card_close(&card);
		hc_terminal_close(&term);
		hc_ctx_free(&ctx);
	}
}

/* pcscd dies under an open device (the harness's pcscd, by the PID it exports): calls answer
 * 104 and return; a new pcscd (ours, stopped by PID) and iDClosePort/iDOpenPort bring the
 * device back. Runs last: the harness's pcscd is gone afterwards. */
static void
test_pcscd_dies(void **state)
{
	const char *pid_text = getenv("HCARD_PCSCD_PID"), *tmp = getenv("HCARD_TEST_TMP");
	const char *pcscd = getenv("PCSCD");
	char xm[64], xb[8], mz[8], csrq[16], sfzh[40], conf[600];
	pid_t old_pid, new_pid;
	HANDLE h = NULL;
	int rc = -1, i, status;

	(void)state;
	assert_non_null(pid_text);
	assert_non_null(tmp);
	if (pcscd == NULL || *pcscd == '\0')
		pcscd = "/usr/sbin/pcscd";
	old_pid = (pid_t)atol(pid_text);
	assert_true(old_pid > 1);
	assert_non_null(dev = iDOpenPort());
	assert_int_equal(iVerifyPIN(dev, "12345678"), IRV_OK);
	assert_int_equal(iR_DDF1EF06Info(dev, xm, xb, mz, csrq, sfzh), IRV_OK);

	assert_int_equal(kill(old_pid, SIGTERM), 0);
	for (i = 0; i < 50 && (rc = iR_DDF1EF06Info(dev, xm, xb, mz, csrq, sfzh)) == IRV_OK; i++)
		nap();
	assert_int_equal(rc, IRV_CARD_ERR);
	assert_int_equal(iDClosePort(), IRV_OK);
	assert_null(iDOpenPort());                       /* no pcscd: no device */

	snprintf(conf, sizeof(conf), "%s/conf", tmp);
	new_pid = fork();
	assert_true(new_pid >= 0);
	if (new_pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0) {
			dup2(devnull, 1);
			dup2(devnull, 2);
		}
		execl(pcscd, pcscd, "-f", "-c", conf, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 100 && (h = iDOpenPort()) == NULL; i++)
		nap();
	xm[0] = '\0';
	rc = h == NULL ? -1 : iVerifyPIN(h, "12345678");
	for (i = 0; i < 50 && rc == IRV_OK; i++) {
		if ((rc = iR_DDF1EF06Info(h, xm, xb, mz, csrq, sfzh)) != IRV_CARD_ERR)
			break;
		rc = IRV_OK;                             /* the card not seen by the new pcscd yet */
		nap();
	}
	iDClosePort();
	kill(new_pid, SIGTERM);
	assert_int_equal(waitpid(new_pid, &status, 0), new_pid);
	assert_non_null(h);
	assert_int_equal(rc, IRV_OK);
	assert_string_equal(xm, GBK_ZHANGSAN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_sam),
		cmocka_unit_test(test_power_on_send_apdu),
		cmocka_unit_test(test_ddf1_ef05),
		cmocka_unit_test(test_ddf1_ef06),
		cmocka_unit_test(test_ddf1_photo),
		cmocka_unit_test(test_ddf1_ef08),
		cmocka_unit_test(test_df01),
		cmocka_unit_test(test_df02),
		cmocka_unit_test(test_sm3),
		cmocka_unit_test(test_cardholder_pin),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_card_removed),
		cmocka_unit_test(test_no_sam),
		cmocka_unit_test(test_utf8_and_close),
		cmocka_unit_test(test_pcscd_dies),       /* last: stops the harness's pcscd */
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
