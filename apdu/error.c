/*
 * Error texts (include/hcard_err.h): for every code its symbolic name, what happened and
 * what to do, in English and in simplified Chinese. One table, indexed by the code.
 * Every area adds the texts of the codes it adds, in the same commit.
 */
#include "config.h"

#include <stddef.h>

#include "hcard_err.h"

typedef struct err_text {
	const char *name;
	const char *en;
	const char *zh;
} err_text_t;

#define E(code, en, zh) [code] = { #code, en, zh }

static const err_text_t err_table[HC_ERR__COUNT] = {
	E(HC_OK, "Success.", "成功。"),
	/* caller and host */
	E(HC_ERR_INVALID_ARGUMENT,
	    "Invalid argument: a parameter is missing, out of range or malformed; check the call.",
	    "参数无效：某个参数缺失、超出范围或格式错误，请检查调用。"),
	E(HC_ERR_NO_MEMORY,
	    "Out of memory: close other programs or add memory, then retry.",
	    "内存不足：请关闭其他程序或增加内存后重试。"),
	E(HC_ERR_INTERNAL,
	    "Internal error in hcard: please report it with the log (HCARD_DEBUG=debug).",
	    "hcard 内部错误：请附上日志（HCARD_DEBUG=debug）报告此问题。"),
	E(HC_ERR_BUFFER_TOO_SMALL,
	    "Buffer too small for the answer: pass a larger buffer.",
	    "缓冲区太小，无法容纳应答：请提供更大的缓冲区。"),
	E(HC_ERR_CONFIG,
	    "Configuration error: hcard.conf (HCARD_CONF or the system path) is unreadable or wrong; fix the named setting.",
	    "配置错误：hcard.conf（HCARD_CONF 或系统路径）无法读取或有误，请修正所指的设置项。"),
	E(HC_ERR_IO,
	    "A local file could not be read or written: check the path, permissions and free disk space.",
	    "无法读写本地文件：请检查路径、权限和磁盘剩余空间。"),
	/* PC/SC and transport */
	E(HC_ERR_NO_SERVICE,
	    "The smart-card service (pcscd) is not running: start it (systemctl start pcscd.socket) and retry.",
	    "智能卡服务（pcscd）未运行：请启动它（systemctl start pcscd.socket）后重试。"),
	E(HC_ERR_NO_READER,
	    "Card reader not found: plug in the reader, check its name in hcard.conf, and retry.",
	    "未找到读卡器：请连接读卡器，检查 hcard.conf 中的读卡器名称后重试。"),
	E(HC_ERR_NO_CARD,
	    "No card in the reader: insert the card and retry.",
	    "读卡器中没有卡：请插入卡片后重试。"),
	E(HC_ERR_CARD_REMOVED,
	    "The card was removed during the operation: reinsert it and repeat the operation.",
	    "操作过程中卡片被拔出：请重新插入卡片并重做此操作。"),
	E(HC_ERR_CARD_RESET,
	    "The card was reset by another application: the operation was interrupted, repeat it.",
	    "卡片被其他应用程序复位，操作已中断：请重做此操作。"),
	E(HC_ERR_SHARING,
	    "The reader is in exclusive use by another application: close that application and retry.",
	    "读卡器正被其他应用程序独占使用：请关闭该程序后重试。"),
	E(HC_ERR_TIMEOUT,
	    "Timed out waiting for the card or reader: check the reader and the card, then retry.",
	    "等待卡片或读卡器超时：请检查读卡器和卡片后重试。"),
	E(HC_ERR_TRANSPORT,
	    "Communication with the reader failed: reconnect the reader and retry.",
	    "与读卡器通信失败：请重新连接读卡器后重试。"),
	E(HC_ERR_UNRESPONSIVE_CARD,
	    "The card does not answer: clean the contacts, insert it the right way round, or try another reader.",
	    "卡片无应答：请清洁触点、按正确方向插入，或换一个读卡器试试。"),
	/* card answers the APDU layer could not accept */
	E(HC_ERR_MALFORMED_RESPONSE,
	    "The card gave a malformed answer: remove and reinsert the card; if it persists the card may be faulty.",
	    "卡片应答格式错误：请拔出并重新插入卡片；如仍出现，卡片可能已损坏。"),
	E(HC_ERR_RESPONSE_TOO_LONG,
	    "The card's answer exceeded the allowed length: the card misbehaves; reinsert it or replace the card.",
	    "卡片应答超出允许长度，卡片工作异常：请重新插入或更换卡片。"),
	E(HC_ERR_UNEXPECTED_SW,
	    "The card returned an unexpected status: retry; if it persists, report it with the log.",
	    "卡片返回了意外的状态字：请重试；如仍出现，请附日志报告。"),
	E(HC_ERR_INVALID_APDU,
	    "Invalid command (case, Lc or Le) refused before sending: this is a bug in the caller; report it.",
	    "命令（类别、Lc 或 Le）无效，已在发送前拒绝：这是调用方的缺陷，请报告。"),
	E(HC_ERR_DATA_CORRUPTED,
	    "The card reports that returned data may be corrupted: read again; if it persists the card needs replacing.",
	    "卡片报告返回的数据可能已损坏：请重新读取；如仍出现，需要换卡。"),
	/* status words */
	E(HC_ERR_END_OF_FILE,
	    "End of file reached before the requested length: fewer bytes were returned than asked for.",
	    "在达到请求长度之前已到文件末尾：返回的字节数少于请求数。"),
	E(HC_ERR_APP_BLOCKED,
	    "The card application is blocked: have it unblocked at a lock/unlock station or card issuing office.",
	    "卡片应用已锁定：请到解锁终端或发卡网点解锁。"),
	E(HC_ERR_VERIFY_FAILED,
	    "Verification failed (wrong PIN or key): check it; the number of tries left is reported.",
	    "校验失败（PIN 或密钥错误）：请核对；剩余尝试次数已返回。"),
	E(HC_ERR_MEMORY_FAILURE,
	    "The card's memory failed while writing: the card needs replacing.",
	    "卡片写入时存储器故障：需要换卡。"),
	E(HC_ERR_WRONG_LENGTH,
	    "The card refused the command length: this is a bug in the caller or a card profile mismatch; report it.",
	    "卡片拒绝了命令长度：这是调用方缺陷或卡片配置不符，请报告。"),
	E(HC_ERR_SECURITY_STATUS,
	    "Access right missing (authentication or PIN needed first): check the SAM type and that the PIN was entered.",
	    "缺少访问权限（需先认证或验证 PIN）：请检查 SAM 类型并确认已输入 PIN。"),
	E(HC_ERR_AUTH_BLOCKED,
	    "The PIN or key is blocked after too many failures: have it reset by the card issuer.",
	    "PIN 或密钥因错误次数过多已锁定：请到发卡机构重置。"),
	E(HC_ERR_NO_CHALLENGE,
	    "The card has no valid challenge for this command: repeat the operation.",
	    "卡片没有可用于此命令的随机数：请重做此操作。"),
	E(HC_ERR_CONDITIONS_OF_USE,
	    "The card refuses this command in its current state (e.g. already activated or application blocked).",
	    "卡片在当前状态下拒绝此命令（例如已激活或应用已锁定）。"),
	E(HC_ERR_SM_MISSING,
	    "The card requires secure messaging for this command: this is a bug in the caller; report it.",
	    "卡片要求此命令使用安全报文：这是调用方缺陷，请报告。"),
	E(HC_ERR_SM_INCORRECT,
	    "The card rejected the secure-messaging MAC: check that the SAM matches this card and retry.",
	    "卡片拒绝了安全报文 MAC：请确认 SAM 与该卡匹配后重试。"),
	E(HC_ERR_INCORRECT_DATA,
	    "The card rejected the data sent (wrong format or length): check the input.",
	    "卡片拒绝了发送的数据（格式或长度错误）：请检查输入。"),
	E(HC_ERR_CARD_BLOCKED,
	    "The card is blocked: it cannot be used; issue a replacement card.",
	    "卡片已锁定，无法使用：请补办新卡。"),
	E(HC_ERR_FILE_NOT_FOUND,
	    "File or application not found on the card: the card may not be of this type or not be issued.",
	    "卡片上找不到文件或应用：卡片类型可能不符或尚未发行。"),
	E(HC_ERR_RECORD_NOT_FOUND,
	    "Record not found on the card: the data element does not exist on this card.",
	    "卡片上找不到记录：此卡不存在该数据项。"),
	E(HC_ERR_NOT_ENOUGH_MEMORY,
	    "Not enough memory space on the card for this write.",
	    "卡片存储空间不足，无法写入。"),
	E(HC_ERR_WRONG_P1P2,
	    "The card rejected the command parameters (P1-P2): check the SAM type and card profile; report it if it persists.",
	    "卡片拒绝了命令参数（P1-P2）：请检查 SAM 类型和卡片配置；如仍出现请报告。"),
	E(HC_ERR_KEY_NOT_FOUND,
	    "Key or data not found: the SAM's type lacks this key, or the key version is not supported.",
	    "未找到密钥或数据：SAM 类型不含此密钥，或不支持该密钥版本。"),
	E(HC_ERR_OFFSET_OUT_OF_FILE,
	    "Offset beyond the end of the file: this is a bug in the caller or a card profile mismatch.",
	    "偏移量超出文件末尾：这是调用方缺陷或卡片配置不符。"),
	E(HC_ERR_INS_NOT_SUPPORTED,
	    "The card does not support this command: check the card type and chip profile.",
	    "卡片不支持此命令：请检查卡片类型和芯片配置。"),
	E(HC_ERR_CLA_NOT_SUPPORTED,
	    "The card does not support this command class: check the card type and chip profile.",
	    "卡片不支持此命令类别：请检查卡片类型和芯片配置。"),
	E(HC_ERR_MAC_INVALID,
	    "The transaction MAC was rejected: check that the PSAM matches the card's issuer and retry.",
	    "交易 MAC 校验失败：请确认 PSAM 与发卡方匹配后重试。"),
	E(HC_ERR_INSUFFICIENT_BALANCE,
	    "Insufficient balance on the card: load the card or pay another way.",
	    "卡内余额不足：请充值或改用其他方式支付。"),
	E(HC_ERR_KEY_INDEX,
	    "Key index or algorithm not supported by the card or PSAM: check the PSAM and key version.",
	    "卡片或 PSAM 不支持该密钥索引或算法：请检查 PSAM 和密钥版本。"),
	E(HC_ERR_TRANSACTION_NOT_FOUND,
	    "The card has no record of this transaction: the transaction log is checked next.",
	    "卡片中没有此交易的记录：将继续核对交易明细。"),
	/* health card and SAM */
	E(HC_ERR_NO_SAM,
	    "No SAM found: insert the SAM into the second reader slot or set sam_reader in hcard.conf.",
	    "未找到 SAM 卡：请将 SAM 卡插入第二个读卡器卡槽，或在 hcard.conf 中设置 sam_reader。"),
	E(HC_ERR_SAM_PIN,
	    "The SAM PIN is wrong or blocked: check the SAM PIN file named in hcard.conf; a blocked SAM goes back to its issuer.",
	    "SAM PIN 错误或已锁定：请检查 hcard.conf 中指定的 SAM PIN 文件；已锁定的 SAM 需交回发放机构。"),
	E(HC_ERR_SAM_TYPE,
	    "The SAM's type does not hold the key this operation needs: use a SAM of the right type.",
	    "SAM 类型不含此操作所需的密钥：请使用相应类型的 SAM。"),
	E(HC_ERR_SAM,
	    "The SAM answered abnormally: reinsert the SAM and retry; replace it if it persists.",
	    "SAM 应答异常：请重新插入 SAM 后重试；如仍出现请更换。"),
	E(HC_ERR_NOT_HEALTH_CARD,
	    "This is not a resident health card: insert a resident health card.",
	    "这不是居民健康卡：请插入居民健康卡。"),
	E(HC_ERR_NOT_GENUINE,
	    "The card failed internal authentication and may be counterfeit: do not accept it.",
	    "卡片内部认证失败，可能是伪卡：请勿受理。"),
	E(HC_ERR_CARD_EXPIRED,
	    "The card has expired: the cardholder should apply for a new card.",
	    "卡片已过有效期：持卡人需申领新卡。"),
	E(HC_ERR_NOT_ACTIVATED,
	    "The card is not activated yet: complete issuance (personalisation) first.",
	    "卡片尚未激活：请先完成个人化发卡。"),
	E(HC_ERR_TEXT_TOO_LONG,
	    "Text too long for the card field: shorten it.",
	    "文本超出卡片字段长度：请缩短。"),
	E(HC_ERR_TEXT_NOT_GBK,
	    "The text contains a character that GBK cannot represent: replace that character.",
	    "文本包含 GBK 无法表示的字符：请替换该字符。"),
	E(HC_ERR_BAD_ID_NUMBER,
	    "Invalid citizen ID number (length, birth date or check digit): check the number.",
	    "身份证号码无效（长度、出生日期或校验位错误）：请核对号码。"),
	E(HC_ERR_BAD_VALUE,
	    "A field value is outside its code table or format: check the value.",
	    "字段值不在代码表或格式范围内：请检查该值。"),
	E(HC_ERR_RECORD_EMPTY,
	    "The visit record slot is empty.",
	    "该就诊记录位置为空。"),
	E(HC_ERR_FILE_FULL,
	    "The card file is full: erase an old entry first.",
	    "卡片文件已满：请先清除旧记录。"),
	E(HC_ERR_CERTIFICATE,
	    "Certificate malformed, expired or not issued by a trusted CA: check the trust anchor in hcard.conf.",
	    "证书格式错误、已过期或非受信任 CA 签发：请检查 hcard.conf 中的信任根。"),
	E(HC_ERR_SIGNATURE,
	    "The signature does not verify: the data was altered or signed by another key; do not trust it.",
	    "签名验证失败：数据已被篡改或由其他密钥签名，请勿信任。"),
	E(HC_ERR_PHOTO,
	    "The photo is not a JPEG or is larger than 3072 bytes: convert or shrink it.",
	    "照片不是 JPEG 格式或大于 3072 字节：请转换或压缩。"),
	/* debit application */
	E(HC_ERR_NO_PSAM,
	    "No PSAM found: insert the PSAM or set psam_reader in hcard.conf.",
	    "未找到 PSAM 卡：请插入 PSAM 卡，或在 hcard.conf 中设置 psam_reader。"),
	E(HC_ERR_PIN_WRONG,
	    "Wrong PIN: ask the cardholder to enter it again; the number of tries left is reported.",
	    "PIN 错误：请持卡人重新输入；剩余尝试次数已返回。"),
	E(HC_ERR_PIN_BLOCKED,
	    "The PIN is blocked: the cardholder must have it reset at the card issuer.",
	    "PIN 已锁定：持卡人需到发卡机构重置。"),
	E(HC_ERR_PIN_FORMAT,
	    "The PIN must be 4 to 12 digits: enter it again.",
	    "PIN 必须为 4 到 12 位数字：请重新输入。"),
	E(HC_ERR_AMOUNT,
	    "Invalid amount (zero, negative or too large): check the amount.",
	    "金额无效（为零、负数或过大）：请检查金额。"),
	E(HC_ERR_AMOUNT_OVER_LIMIT,
	    "The amount exceeds the card's transaction or balance limit: use a smaller amount or another payment.",
	    "金额超出卡片单笔交易或余额上限：请减少金额或改用其他支付方式。"),
	E(HC_ERR_SPLIT,
	    "The settlement split does not add up to the total: correct the amounts.",
	    "结算分摊金额之和与总额不符：请更正金额。"),
	E(HC_ERR_RECOVERY_PENDING,
	    "An interrupted charge on this card is not resolved yet: present the same card again to complete it.",
	    "此卡有一笔中断的扣款尚未处理：请再次出示同一张卡以完成处理。"),
	/* flows and store */
	E(HC_ERR_BLACKLISTED,
	    "The card is on the blacklist (lost, replaced or revoked): do not accept it.",
	    "此卡在黑名单中（挂失、补办或注销）：请勿受理。"),
	E(HC_ERR_STORE,
	    "The journal or blacklist store failed: check the store path in hcard.conf and disk space.",
	    "交易日志或黑名单存储失败：请检查 hcard.conf 中的存储路径和磁盘空间。"),
	E(HC_ERR_STORE_UNREACHABLE,
	    "The shared store (PostgreSQL) is not reachable: check the network and the store URI in hcard.conf.",
	    "无法连接共享存储（PostgreSQL）：请检查网络和 hcard.conf 中的存储地址。"),
	E(HC_ERR_PROFILE,
	    "The issuance profile is invalid: fix the named field of the profile.",
	    "发卡配置无效：请修正配置中所指的字段。"),
	E(HC_ERR_NOT_PERMITTED,
	    "This terminal is not allowed to do this: check its SAM type and configuration.",
	    "此终端无权执行该操作：请检查其 SAM 类型和配置。"),
	/* PIN pads */
	E(HC_ERR_NO_PINPAD,
	    "This reader has no PIN pad: type the PIN on the keyboard, or use a reader with a PIN pad.",
	    "此读卡器没有密码键盘：请在键盘上输入 PIN，或改用带密码键盘的读卡器。"),
	E(HC_ERR_PINPAD_TIMEOUT,
	    "No PIN was typed on the PIN pad in time: ask the cardholder to try again.",
	    "未在规定时间内于密码键盘输入 PIN：请持卡人重试。"),
	E(HC_ERR_PINPAD_CANCELLED,
	    "The cardholder pressed Cancel on the PIN pad: nothing was sent to the card.",
	    "持卡人在密码键盘上按了取消键：未向卡片发送任何内容。"),
	E(HC_ERR_PINPAD_LENGTH,
	    "The PIN typed on the PIN pad must be 4 to 12 digits: ask the cardholder to enter it again.",
	    "在密码键盘上输入的 PIN 必须为 4 到 12 位数字：请持卡人重新输入。"),
};

static const err_text_t *
err_lookup(int err)
{
	if (err < 0 || err >= HC_ERR__COUNT || err_table[err].name == NULL)
		return NULL;
	return &err_table[err];
}

const char *
hc_strerror(int err)
{
	const err_text_t *e = err_lookup(err);

	return e != NULL ? e->en : "Unknown error code: this hcard is older than the program using it, or a bug.";
}

const char *
hc_strerror_zh(int err)
{
	const err_text_t *e = err_lookup(err);

	return e != NULL ? e->zh : "未知错误代码：hcard 版本过旧或存在缺陷。";
}

const char *
hc_errname(int err)
{
	const err_text_t *e = err_lookup(err);

	return e != NULL ? e->name : "HC_ERR_UNKNOWN";
}
