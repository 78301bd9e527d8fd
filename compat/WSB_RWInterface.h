/*
 * libwsbrw: the national reader interface of the Resident Health Card (居民健康卡应用接口技术规范,
 * 2012-07; spec/national-api.md) on Linux, over libhcard, so that hospital software (HIS)
 * written against a vendor's WSB_RWInterface.dll keeps working unchanged.
 *
 * Every function returns 0 (IRV_OK) or one of the codes 101-113 below. The calls are plain C
 * (the Windows DLLs use __stdcall). One device per process: iDOpenPort() opens it (reader,
 * SAM and configuration from hcard.conf, see doc/compat.md) and returns its handle;
 * iDClosePort() closes it. Every call takes the handle iDOpenPort returned, or NULL (many
 * HIS pass 0, which the vendor DLLs ignore); any other value is IRV_PARA_ERR. Calls are
 * serialised: the library may be used from several threads.
 *
 * Strings are NUL-terminated. Text (ans) is GBK, as the HIS expects; with the environment
 * variable HCARD_COMPAT_UTF8=1 at iDOpenPort it is UTF-8 instead (a build with
 * CPPFLAGS=-DHC_COMPAT_UTF8_DEFAULT=1 makes UTF-8 the default, HCARD_COMPAT_UTF8=0 then
 * selects GBK). b fields are upper-case
 * hex ("01"); cn fields are their digits with the card's F padding left out (codes as
 * written on the card, "01" for ethnicity 01, "1" for Rh 1F; an empty field is ""); dates
 * are YYYYMMDD. The caller's buffers must hold the field: an ans field of n bytes needs
 * n + 1 chars in GBK (up to 3n/2 + 1 in UTF-8), a b or cn field of n bytes 2n + 1.
 * NULL buffers give IRV_PARA_ERR.
 *
 * The user card session opens at the first call that needs the card and again after the
 * card was pulled; PowerOn() resets a card explicitly.
 */
#ifndef WSB_RWINTERFACE_H
#define WSB_RWINTERFACE_H

#ifdef __cplusplus
extern "C" {
#endif

#ifndef HCARD_COMPAT_NO_WIN_TYPES
typedef void *HANDLE;
typedef unsigned char BYTE;
#endif

/* Return codes (national-api.md). */
#define IRV_OK                 0
#define IRV_PARA_ERR         101   /* bad parameter */
#define IRV_NO_FILE          102   /* file not found */
#define IRV_RD_RCDERR        103   /* read record failed */
#define IRV_CARD_ERR         104   /* abnormal user card response (or no card) */
#define IRV_PSAM_ERR         105   /* abnormal SAM response (or no SAM) */
#define IRV_IRK_VERR         106   /* authentication failed (keys, PINs, signatures) */
#define IRV_RD_BINERR        107   /* read binary failed */
#define IRV_WR_RCDERR        108   /* write record failed */
#define IRV_WR_BINERR        109   /* write binary failed */
#define IRV_W_DF03EF05ERR    110   /* write DF03 index failed */
#define IRV_ER_DF03EF05ERR   111   /* erase DF03 index failed */
#define IRV_RCINVALID        112   /* record flag is FF */
#define IRV_DDF1EF07_DATAERR 113   /* bad photo data */

/* Slots of PowerOn / SendAPDU. */
#define SLOT_USER 0x01
#define SLOT_PSAM 0x11

/* Styles of iR_/iW_DF03EEInfo and EDInfo. */
#define NO_style 0x00   /* raw bytes as hex */
#define AN_style 0x01   /* ans text */
#define CN_style 0x0F   /* cn bytes as hex */
#define B_style  0xFF   /* b bytes as hex */

/* --- device and SAM ----------------------------------------------------------------- */

/* Opens the device: hcard.conf ($HCARD_CONF), PC/SC, the SAM (its PIN is verified here when
 * hcard.conf names a PIN file or $HCARD_SAM_PIN is set). The handle, or NULL on failure (the
 * reason is logged; HCARD_DEBUG=1 shows it). Opening an open device returns its handle. */
HANDLE iDOpenPort(void);
/* Closes the device; 0 also when it was not open. */
int iDClosePort(void);
/* Resets the card in slot (SLOT_USER or SLOT_PSAM) and writes its ATR as upper-case hex
 * into atr (at least 67 chars). */
int PowerOn(HANDLE h, int slot, char *atr);
/* Sends the command APDU cmd[0..len) unchanged to slot (SLOT_USER or SLOT_PSAM); resp gets
 * the answer data and the status word (61xx and 6Cxx are handled: the final answer comes
 * back), *resp_len its length. resp must hold Le + 2 bytes (258 for a short APDU, and
 * without Le); an answer longer than that is refused with IRV_CARD_ERR. A status
 * word other than 9000 is not an error of SendAPDU: look at the last two bytes. The
 * library's next own command to that card starts from a state it establishes itself. */
int SendAPDU(HANDLE h, unsigned char slot, unsigned char *cmd, unsigned long len,
             unsigned char *resp, int *resp_len);
/* Verifies the SAM PIN (6-8 digits); kept by the library to verify again after a SAM
 * reset, wiped at iDClosePort. Wrong or blocked: IRV_IRK_VERR. */
int iVerifyPIN(HANDLE h, char *pin);
/* Changes the SAM PIN (CHANGE REFERENCE DATA 00 24 00 00, old || new). Both 6-8 digits,
 * else IRV_PARA_ERR with nothing sent; wrong old PIN (3 tries) or blocked: IRV_IRK_VERR. The
 * library then keeps the new PIN (to verify again after a SAM reset), as after iVerifyPIN. */
int iChange_Pin(HANDLE h, char *old_pin, char *new_pin);
/* SAM public information (EF0015): "serial|type|key version", e.g. "SIM0000001|05|01"
 * (type and key version as 2 hex digits). */
int iReader_SAM_Public(HANDLE h, char *info);
/* SAM terminal number (EF0016): 12 hex digits. */
int iReader_SAM_Terminal(HANDLE h, char *info);
/* The SAM's health-application public file and issuer certificate do not exist in card
 * profile v1: IRV_NO_FILE. */
int iReader_SAM_PublicApp(HANDLE h, char *info);
int iReader_SAM_OrgCertificate(HANDLE h, char *info);
/* The SAM certificate (DF01/EF0017, 190 bytes, card-profile.md §5) as 380 upper-case hex
 * digits (info: 381 bytes): version, CA id, SAM serial, type, validity, SM2 public key, root
 * CA signature. Read as the SAM holds it, not verified. */
int iReader_SAM_Certificate(HANDLE h, char *info);

/* --- DDF1: issuer, cardholder, photo, validity --------------------------------------- */

/* Issuer data (EF05). XPXLH is the issue serial number (tag 10), FKJGZS the issuer
 * certificate (360 hex digits), YYCSDM the city code (read only: ignored by iW_). The
 * issuer writes EF05 and EF06 before activation only. */
int iR_DDF1EF05Info(HANDLE h, char *KLB, char *GFBB, char *FKJGMC, char *FKJGDM, char *FKJGZS,
                    char *FKSJ, char *KH, char *AQM, char *XPXLH, char *YYCSDM);
int iW_DDF1EF05Info(HANDLE h, char *KLB, char *GFBB, char *FKJGMC, char *FKJGDM, char *FKJGZS,
                    char *FKSJ, char *KH, char *AQM, char *XPXLH, char *YYCSDM);
/* Cardholder (EF06): name, sex (b, "01"), ethnicity (cn, "01"), birth date, ID number. */
int iR_DDF1EF06Info(HANDLE h, char *XM, char *XB, char *MZ, char *CSRQ, char *SFZH);
int iW_DDF1EF06Info(HANDLE h, char *XM, char *XB, char *MZ, char *CSRQ, char *SFZH);
/* Photo (EF07): 2-byte big-endian length, then the JPEG (at most 3072 bytes); the buffer
 * must hold 3074 bytes. iW_ with length 0 erases the photo; a length over 3072 or data that
 * is not a JPEG: IRV_DDF1EF07_DATAERR. */
int iR_DDF1EF07Info(HANDLE h, BYTE *ZHAOPIAN);
int iW_DDF1EF07Info(HANDLE h, BYTE *ZHAOPIAN);
/* Validity (EF08): expiry, phones, payment methods 1-3. */
int iR_DDF1EF08Info(HANDLE h, char *KYXQ, char *BRDH1, char *BRDH2, char *YLFYZFFS1,
                    char *YLFYZFFS2, char *YLFYZFFS3);
int iW_DDF1EF08Info(HANDLE h, char *KYXQ, char *BRDH1, char *BRDH2, char *YLFYZFFS1,
                    char *YLFYZFFS2, char *YLFYZFFS3);

/* --- DF01: identity application ----------------------------------------------------- */

int iR_DF01EF05Info(HANDLE h, char *DZLB1, char *DZ1, char *DZLB2, char *DZ2);
int iW_DF01EF05Info(HANDLE h, char *DZLB1, char *DZ1, char *DZLB2, char *DZ2);
int iR_DF01EF06Info(HANDLE h, char *LXRXM1, char *LXRGX1, char *LXRDH1, char *LXRXM2,
                    char *LXRGX2, char *LXRDH2, char *LXRXM3, char *LXRGX3, char *LXRDH3);
int iW_DF01EF06Info(HANDLE h, char *LXRXM1, char *LXRGX1, char *LXRDH1, char *LXRXM2,
                    char *LXRGX2, char *LXRDH2, char *LXRXM3, char *LXRGX3, char *LXRDH3);
int iR_DF01EF07Info(HANDLE h, char *WHCD, char *HYZK, char *ZY);
int iW_DF01EF07Info(HANDLE h, char *WHCD, char *HYZK, char *ZY);
int iR_DF01EF08Info(HANDLE h, char *ZJLB, char *ZJHM, char *JKDAH, char *XNHZH);
int iW_DF01EF08Info(HANDLE h, char *ZJLB, char *ZJHM, char *JKDAH, char *XNHZH);

/* --- DF02: basic health application ------------------------------------------------- */

/* Clinical basics (EF05): ABO (b), Rh (cn), 12 flags (b "00"/"01"), other alert (ans). */
int iR_DF02EF05Info(HANDLE h, char *ABOXX, char *RHXX, char *XCBZ, char *XZBBZ, char *XNXGBBZ,
                    char *DXBBZ, char *NXWLBZ, char *TNBBZ, char *QGYBZ, char *TXBZ,
                    char *QGYZBZ, char *QGQSBZ, char *KZXYZBZ, char *XZQBQBZ, char *QTYXJSMC);
int iW_DF02EF05Info(HANDLE h, char *ABOXX, char *RHXX, char *XCBZ, char *XZBBZ, char *XNXGBBZ,
                    char *DXBBZ, char *NXWLBZ, char *TNBBZ, char *QGYBZ, char *TXBZ,
                    char *QGYZBZ, char *QGQSBZ, char *KZXYZBZ, char *XZQBQBZ, char *QTYXJSMC);
/* Psychiatric flag (EF06, b "00"/"01"); writing needs a type 2 or 5 SAM. */
int iR_DF02EF06Info(HANDLE h, char *JSBBZ);
int iW_DF02EF06Info(HANDLE h, char *JSBBZ);
/* Allergies (EF07, 3 entries) and immunisations (EF08, 10 entries): record 1 is the newest;
 * a record number within the file but not written yet gives empty strings. iW_ appends
 * (the oldest entry is dropped when the file is full). */
int iR_DF02EF07Info(HANDLE h, int nRecorderNo, char *GMWZMC, char *GMFY);
int iW_DF02EF07Info(HANDLE h, char *GMWZMC, char *GMFY);
int iR_DF02EF08Info(HANDLE h, int nRecorderNo, char *MYJZMC, char *MYJZSJ);
int iW_DF02EF08Info(HANDLE h, char *MYJZMC, char *MYJZSJ);

/* --- DF03: visit records -------------------------------------------------------------- */

/* Index files: each flag "00" (valid) or "FF" (empty). iW_ confirms that slot n holds a
 * valid record (a slot becomes valid only by writing a signed record with iW_DF03EEInfo or
 * iW_DF03EE_ALLInfo, which sets the index last: IRV_W_DF03EF05ERR for an empty slot);
 * iErase_ sets the slot's flag to FF. */
int iR_DF03EF05Info(HANDLE h, char *ZYJLBS1, char *ZYJLBS2, char *ZYJLBS3);
int iW_DF03EF05Info(HANDLE h, int nRecorderNo);
int iErase_DF03EF05Info(HANDLE h, int nRecorderNo);
int iR_DF03EF06Info(HANDLE h, char *MZJLBS1, char *MZJLBS2, char *MZJLBS3, char *MZJLBS4,
                    char *MZJLBS5);
int iW_DF03EF06Info(HANDLE h, int nRecorderNo);
int iErase_DF03EF06Info(HANDLE h, int nRecorderNo);

/* Inpatient record n (1-3) bytes [nPos, nPos + nLen) of the 1639 data bytes in nStyle
 * (NO_style, CN_style, B_style: 2 * nLen hex digits; AN_style: text, trailing 00 left out).
 * Reads verify the record's signature and SAM certificate (IRV_IRK_VERR if they fail); an
 * empty slot gives IRV_RCINVALID. Every write ends as a complete, signed record: the rest of
 * the record is kept (or blank for an empty slot), then signed by the SAM, index set last. */
int iR_DF03EEInfo(HANDLE h, int nRecorderNo, char *szData, int nPos, int nLen, int nStyle);
int iW_DF03EEInfo(HANDLE h, int nRecorderNo, char *szData, int nPos, int nLen, int nStyle);
/* The whole record as text: every item's value in item order (visit-records.csv), joined
 * with '|'; szData must hold 2 * 1639 + 147 chars (EE) or 2 * 3013 + 170 (ED). iW_ takes
 * exactly one value per item. */
int iR_DF03EE_ALLInfo(HANDLE h, int nRecorderNo, char *szData);
int iW_DF03EE_ALLInfo(HANDLE h, int nRecorderNo, char *szData);
/* Outpatient records n (1-5), 3013 data bytes: as the EE calls. */
int iR_DF03EDInfo(HANDLE h, int nRecorderNo, char *szData, int nPos, int nLen, int nStyle);
int iW_DF03EDInfo(HANDLE h, int nRecorderNo, char *szData, int nPos, int nLen, int nStyle);
int iR_DF03ED_ALLInfo(HANDLE h, int nRecorderNo, char *szData);
int iW_DF03ED_ALLInfo(HANDLE h, int nRecorderNo, char *szData);

/* --- algorithms ----------------------------------------------------------------------- */

/* Verifies the cardholder PIN (4-12 digits) on the user card; on a wrong PIN *pbRetry (may be
 * NULL) gets the tries left and the result is IRV_IRK_VERR. */
int VerifyPin(HANDLE h, char *szPin, BYTE *pbRetry);
/* SM3 (GB/T 32905) of pbData[0..nDataLen): 32 bytes into pbHash, *pbHashLen = 32. */
int SM3Digest(HANDLE h, BYTE *pbData, unsigned int nDataLen, BYTE *pbHash, BYTE *pbHashLen);
/* SM2 signature by the SAM over a 32-byte hash (80 F4): pbSignedData gets r || s (64 bytes,
 * *pbLength = 64), e = the hash as given (no Z), verifiable with the public key of
 * iReader_SAM_Certificate. bLen other than 32: IRV_PARA_ERR. Needs the SAM PIN (iVerifyPIN
 * or hcard.conf sam_pin_file): else IRV_IRK_VERR. */
int SM2SignHash(HANDLE h, BYTE *pbData, BYTE bLen, BYTE *pbSignedData, BYTE *pbLength);

#ifdef __cplusplus
}
#endif
#endif
