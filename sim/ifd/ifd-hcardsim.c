/*
 * ifd-hcardsim: a pcscd reader driver (IFD handler API v3) that behaves like a PIN-pad reader,
 * for the simulator (doc/simulator.md "PIN-pad reader"). Towards hcard-sim it speaks vpcd's
 * protocol: it LISTENS on a loopback address, the simulator's slot connects to it (connected =
 * card present, closed = card pulled); frames are a 2-byte big-endian length and the payload;
 * 1-byte payloads 00 power off, 01 power on, 02 reset, 04 ATR; anything else is an APDU
 * answered by the card's response. Towards pcscd it adds IFDHControl: PC/SC v2 part 10
 * CM_IOCTL_GET_FEATURE_REQUEST and FEATURE_VERIFY_PIN_DIRECT, reading the "keypad" from a
 * file (sim/ifd/keypad.h) and formatting the PIN into the APDU itself (sim/ifd/pinblock.h).
 *
 * reader.conf: DEVICENAME HOST:PORT:KEYPAD, e.g. 127.0.0.1:35965:/tmp/run/keypad.
 *
 * pcscd serialises the calls of one reader (TAG_IFD_THREAD_SAFE 0: one lock for all readers of
 * this driver); the reader table has its own lock for channel creation and closing.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <debuglog.h>
#include <ifdhandler.h>
#include <reader.h>

#include "apdu/buf.h"
#include "sim/frame.h"
#include "sim/ifd/keypad.h"
#include "sim/ifd/pinblock.h"

#define IFD_MAX_READERS 4
#define CTRL_OFF   0x00u
#define CTRL_ON    0x01u
#define CTRL_RESET 0x02u
#define CTRL_ATR   0x04u
#define LINK_TIMEOUT_S 5            /* a simulator that stops answering is a pulled card */
#define KEYPAD_DEFAULT_S 30         /* bTimerOut 0 */
/* Feature control codes chosen as the CCID driver does: SCARD_CTL_CODE(0x330000 + tag). */
#define FEATURE_CODE(tag) ((DWORD)SCARD_CTL_CODE(0x330000u + (tag)))
/* reader SWs (PC/SC part 10, CCID drivers) */
#define SW_PINPAD_TIMEOUT   0x6400u
#define SW_PINPAD_CANCELLED 0x6401u
#define SW_PINPAD_LENGTH    0x6403u

typedef struct ifd_reader {
	int used;
	DWORD lun;
	int listen_fd;
	int fd;                     /* the simulator's connection: card present, or -1 */
	uint8_t atr[MAX_ATR_SIZE];
	size_t atr_len;
	char keypad[PATH_MAX];
} ifd_reader_t;

/* The driver's one context. */
static struct {
	pthread_mutex_t lock;
	ifd_reader_t readers[IFD_MAX_READERS];
} ifd = { PTHREAD_MUTEX_INITIALIZER, { { 0 } } };

/* Features listed by CM_IOCTL_GET_FEATURE_REQUEST, in this order. */
static const uint8_t features[] = {
	FEATURE_VERIFY_PIN_DIRECT, FEATURE_IFD_PIN_PROPERTIES, FEATURE_GET_TLV_PROPERTIES
};

/* FEATURE_GET_TLV_PROPERTIES: tag, length, value (words little-endian). No display, the
 * validation key ends an entry, PINs of 4 to 12 digits. */
static const uint8_t tlv_properties[] = {
	PCSCv2_PART10_PROPERTY_wLcdLayout, 2, 0x00, 0x00,
	PCSCv2_PART10_PROPERTY_bEntryValidationCondition, 1, 0x02,
	PCSCv2_PART10_PROPERTY_bTimeOut2, 1, 0x00,
	PCSCv2_PART10_PROPERTY_bMinPINSize, 1, 4,
	PCSCv2_PART10_PROPERTY_bMaxPINSize, 1, 12,
};

/* FEATURE_IFD_PIN_PROPERTIES: wLcdLayout 0000, bEntryValidationCondition 02, bTimeOut2 0 */
static const uint8_t pin_properties[] = { 0x00, 0x00, 0x02, 0x00 };

static ifd_reader_t *
reader_find(DWORD lun)
{
	ifd_reader_t *r = NULL;
	size_t i;

	pthread_mutex_lock(&ifd.lock);
	for (i = 0; i < IFD_MAX_READERS; i++)
		if (ifd.readers[i].used && ifd.readers[i].lun == lun)
			r = &ifd.readers[i];
	pthread_mutex_unlock(&ifd.lock);
	return r;
}

/* The card is pulled: the simulator closed, stopped answering or broke the protocol. */
static void
link_drop(ifd_reader_t *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->atr_len = 0;
}

static int
send_frame(ifd_reader_t *r, const uint8_t *p, size_t n)
{
	if (r->fd < 0 || sim_frame_send(r->fd, p, n) != 0) {
		link_drop(r);
		return -1;
	}
	return 0;
}

/* Receives one frame into out (cap bytes). A frame longer than cap desynchronises the link:
 * dropped. */
static int
recv_frame(ifd_reader_t *r, uint8_t *out, size_t cap, size_t *len)
{
	*len = 0;
	if (r->fd < 0 || sim_frame_recv(r->fd, out, cap, len) != 0) {
		link_drop(r);
		return -1;
	}
	return 0;
}

/* One APDU (or control byte that has an answer) to the card and its answer. */
static int
exchange(ifd_reader_t *r, const uint8_t *cmd, size_t n, uint8_t *out, size_t cap, size_t *len)
{
	if (send_frame(r, cmd, n) != 0)
		return -1;
	return recv_frame(r, out, cap, len);
}

/* The simulator closed (0 bytes), errs, or sent what nobody asked for: not a card any more. */
static int
link_alive(int fd)
{
	uint8_t b;
	ssize_t got = recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);

	return got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
}

static void
link_accept(ifd_reader_t *r)
{
	struct timeval tv = { LINK_TIMEOUT_S, 0 };
	int one = 1, fd;

	fd = accept4(r->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	r->fd = fd;
	r->atr_len = 0;
}

/* DEVICENAME "HOST:PORT:KEYPAD": a loopback IPv4 address, a port, an absolute path. */
static int
parse_device(const char *name, struct sockaddr_in *a, char *keypad, size_t cap)
{
	char host[INET_ADDRSTRLEN];
	const char *c1, *c2;
	char *end = NULL;
	unsigned long port;

	memset(a, 0, sizeof(*a));
	c1 = name != NULL ? strchr(name, ':') : NULL;
	if (c1 == NULL || (size_t)(c1 - name) >= sizeof(host))
		return -1;
	memcpy(host, name, (size_t)(c1 - name));
	host[c1 - name] = '\0';
	c2 = strchr(c1 + 1, ':');
	if (c2 == NULL)
		return -1;
	errno = 0;
	port = strtoul(c1 + 1, &end, 10);
	if (end != c2 || c2 == c1 + 1 || errno != 0 || port == 0 || port > 65535)
		return -1;
	if (c2[1] != '/' || strlen(c2 + 1) >= cap)
		return -1;
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	/* loopback only: the card's link is nobody else's business */
	if (inet_pton(AF_INET, host, &a->sin_addr) != 1 || (ntohl(a->sin_addr.s_addr) >> 24) != 127)
		return -1;
	snprintf(keypad, cap, "%s", c2 + 1);
	return 0;
}

RESPONSECODE
IFDHCreateChannelByName(DWORD Lun, LPSTR DeviceName)
{
	struct sockaddr_in a;
	char keypad[PATH_MAX];
	ifd_reader_t *r = NULL;
	int fd = -1, one = 1;
	RESPONSECODE rc = IFD_COMMUNICATION_ERROR;
	size_t i;

	if (parse_device(DeviceName, &a, keypad, sizeof(keypad)) != 0) {
		Log2(PCSC_LOG_CRITICAL, "DEVICENAME must be 127.x.x.x:PORT:/KEYPAD, not %s",
		     DeviceName != NULL ? DeviceName : "(none)");
		return IFD_COMMUNICATION_ERROR;
	}
	pthread_mutex_lock(&ifd.lock);
	for (i = 0; i < IFD_MAX_READERS && r == NULL; i++)
		if (!ifd.readers[i].used)
			r = &ifd.readers[i];
	if (r == NULL) {
		Log2(PCSC_LOG_CRITICAL, "more than %d readers", IFD_MAX_READERS);
		goto out;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto out;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 1) != 0) {
		Log3(PCSC_LOG_CRITICAL, "cannot listen on %s: %s", DeviceName, strerror(errno));
		goto out;
	}
	memset(r, 0, sizeof(*r));
	r->used = 1;
	r->lun = Lun;
	r->listen_fd = fd;
	r->fd = -1;
	snprintf(r->keypad, sizeof(r->keypad), "%s", keypad);
	fd = -1;
	rc = IFD_SUCCESS;
out:
	pthread_mutex_unlock(&ifd.lock);
	if (fd >= 0)
		close(fd);
	return rc;
}

RESPONSECODE
IFDHCreateChannel(DWORD Lun, DWORD Channel)
{
	(void)Lun;
	(void)Channel;
	/* the keypad file has no CHANNELID form */
	Log1(PCSC_LOG_CRITICAL, "needs DEVICENAME HOST:PORT:KEYPAD in reader.conf");
	return IFD_COMMUNICATION_ERROR;
}

RESPONSECODE
IFDHCloseChannel(DWORD Lun)
{
	ifd_reader_t *r = reader_find(Lun);

	if (r == NULL)
		return IFD_COMMUNICATION_ERROR;
	pthread_mutex_lock(&ifd.lock);
	link_drop(r);
	if (r->listen_fd >= 0)
		close(r->listen_fd);
	memset(r, 0, sizeof(*r));
	pthread_mutex_unlock(&ifd.lock);
	return IFD_SUCCESS;
}

static RESPONSECODE
put_value(PDWORD length, PUCHAR value, const void *p, size_t n)
{
	if (*length < n) {
		*length = (DWORD)n;
		return IFD_ERROR_INSUFFICIENT_BUFFER;
	}
	memcpy(value, p, n);
	*length = (DWORD)n;
	return IFD_SUCCESS;
}

RESPONSECODE
IFDHGetCapabilities(DWORD Lun, DWORD Tag, PDWORD Length, PUCHAR Value)
{
	ifd_reader_t *r = reader_find(Lun);
	uint8_t b;

	if (r == NULL || Length == NULL || Value == NULL)
		return IFD_COMMUNICATION_ERROR;
	switch (Tag) {
	case TAG_IFD_ATR:
	case SCARD_ATTR_ATR_STRING:
		return put_value(Length, Value, r->atr, r->atr_len);
	case TAG_IFD_SIMULTANEOUS_ACCESS:
		b = IFD_MAX_READERS;
		return put_value(Length, Value, &b, 1);
	case TAG_IFD_SLOTS_NUMBER:
		b = 1;
		return put_value(Length, Value, &b, 1);
	case TAG_IFD_THREAD_SAFE:
	case TAG_IFD_SLOT_THREAD_SAFE:
		b = 0;
		return put_value(Length, Value, &b, 1);
	default:
		return IFD_ERROR_TAG;
	}
}

RESPONSECODE
IFDHSetCapabilities(DWORD Lun, DWORD Tag, DWORD Length, PUCHAR Value)
{
	(void)Lun;
	(void)Tag;
	(void)Length;
	(void)Value;
	return IFD_ERROR_TAG;
}

RESPONSECODE
IFDHSetProtocolParameters(DWORD Lun, DWORD Protocol, UCHAR Flags, UCHAR PTS1, UCHAR PTS2,
                          UCHAR PTS3)
{
	(void)Flags;
	(void)PTS1;
	(void)PTS2;
	(void)PTS3;
	if (reader_find(Lun) == NULL)
		return IFD_COMMUNICATION_ERROR;
	/* the simulator takes APDUs whatever the protocol, as behind vpcd */
	return Protocol == SCARD_PROTOCOL_T0 || Protocol == SCARD_PROTOCOL_T1 ?
	    IFD_SUCCESS : IFD_PROTOCOL_NOT_SUPPORTED;
}

RESPONSECODE
IFDHPowerICC(DWORD Lun, DWORD Action, PUCHAR Atr, PDWORD AtrLength)
{
	ifd_reader_t *r = reader_find(Lun);
	uint8_t ctrl, atr_req = CTRL_ATR;
	size_t len = 0;

	if (AtrLength != NULL)
		*AtrLength = 0;
	if (r == NULL || Atr == NULL || AtrLength == NULL)
		return IFD_COMMUNICATION_ERROR;
	switch (Action) {
	case IFD_POWER_DOWN:
		ctrl = CTRL_OFF;
		break;
	case IFD_POWER_UP:
		ctrl = CTRL_ON;
		break;
	case IFD_RESET:
		ctrl = CTRL_RESET;
		break;
	default:
		return IFD_NOT_SUPPORTED;
	}
	if (r->fd < 0)
		return IFD_ERROR_POWER_ACTION;
	if (send_frame(r, &ctrl, 1) != 0)
		return IFD_ERROR_POWER_ACTION;
	r->atr_len = 0;
	if (Action == IFD_POWER_DOWN)
		return IFD_SUCCESS;
	if (exchange(r, &atr_req, 1, r->atr, sizeof(r->atr), &len) != 0 || len == 0)
		return IFD_ERROR_POWER_ACTION;
	r->atr_len = len;
	memcpy(Atr, r->atr, len);
	*AtrLength = (DWORD)len;
	return IFD_SUCCESS;
}

RESPONSECODE
IFDHTransmitToICC(DWORD Lun, SCARD_IO_HEADER SendPci, PUCHAR TxBuffer, DWORD TxLength,
                  PUCHAR RxBuffer, PDWORD RxLength, PSCARD_IO_HEADER RecvPci)
{
	ifd_reader_t *r = reader_find(Lun);
	size_t cap, len = 0;

	(void)SendPci;
	(void)RecvPci;
	if (RxLength == NULL)
		return IFD_COMMUNICATION_ERROR;
	cap = *RxLength;
	*RxLength = 0;
	if (r == NULL || TxBuffer == NULL || RxBuffer == NULL || TxLength < 4)
		return IFD_COMMUNICATION_ERROR;
	if (r->fd < 0)
		return IFD_ICC_NOT_PRESENT;
	if (exchange(r, TxBuffer, TxLength, RxBuffer, cap, &len) != 0)
		return IFD_COMMUNICATION_ERROR;
	*RxLength = (DWORD)len;
	return IFD_SUCCESS;
}

RESPONSECODE
IFDHICCPresence(DWORD Lun)
{
	ifd_reader_t *r = reader_find(Lun);

	if (r == NULL)
		return IFD_COMMUNICATION_ERROR;
	if (r->fd >= 0) {
		if (link_alive(r->fd))
			return IFD_ICC_PRESENT;
		/* reported absent once before a new connection is taken, so pcscd sees the swap */
		link_drop(r);
		return IFD_ICC_NOT_PRESENT;
	}
	link_accept(r);
	return r->fd >= 0 ? IFD_ICC_PRESENT : IFD_ICC_NOT_PRESENT;
}

static RESPONSECODE
answer_sw(uint16_t sw, PUCHAR out, DWORD cap, LPDWORD len)
{
	if (cap < 2)
		return IFD_ERROR_INSUFFICIENT_BUFFER;
	out[0] = (uint8_t)(sw >> 8);
	out[1] = (uint8_t)sw;
	*len = 2;
	return IFD_SUCCESS;
}

/* FEATURE_VERIFY_PIN_DIRECT: parse, read the keypad, format, send, answer the card's reply. */
static RESPONSECODE
verify_pin_direct(ifd_reader_t *r, const uint8_t *in, DWORD in_len, PUCHAR out, DWORD cap,
                  LPDWORD out_len)
{
	ifd_pin_verify_t v;
	char digits[IFD_KEYPAD_MAX];
	uint8_t apdu[IFD_PIN_APDU_MAX];
	size_t n = 0, apdu_len = 0, len = 0;
	long timeout_ms;
	RESPONSECODE rc = IFD_COMMUNICATION_ERROR;

	if (in == NULL || ifd_pin_verify_parse(in, in_len, &v) != 0) {
		Log2(PCSC_LOG_ERROR, "malformed PIN_VERIFY_STRUCTURE (%lu bytes)",
		     (unsigned long)in_len);
		return IFD_NOT_SUPPORTED;
	}
	if (cap < 2)
		return IFD_ERROR_INSUFFICIENT_BUFFER;
	if (r->fd < 0)
		return IFD_ICC_NOT_PRESENT;
	timeout_ms = 1000L * (v.timeout_s != 0 ? v.timeout_s : KEYPAD_DEFAULT_S);
	switch (ifd_keypad_read(r->keypad, timeout_ms, digits, sizeof(digits), &n)) {
	case IFD_KEYPAD_DIGITS:
		break;
	case IFD_KEYPAD_CANCEL:
		Log1(PCSC_LOG_DEBUG, "PIN entry cancelled");
		rc = answer_sw(SW_PINPAD_CANCELLED, out, cap, out_len);
		goto out;
	case IFD_KEYPAD_TIMEOUT:
		Log1(PCSC_LOG_DEBUG, "PIN entry timed out");
		rc = answer_sw(SW_PINPAD_TIMEOUT, out, cap, out_len);
		goto out;
	default:
		Log2(PCSC_LOG_ERROR, "keypad file %s unreadable or malformed", r->keypad);
		goto out;
	}
	if (n < v.min_digits || n > v.max_digits) {
		Log1(PCSC_LOG_DEBUG, "PIN length out of range: nothing sent");
		rc = answer_sw(SW_PINPAD_LENGTH, out, cap, out_len);
		goto out;
	}
	if (ifd_pin_apdu_build(&v, digits, n, apdu, sizeof(apdu), &apdu_len) != 0)
		goto out;
	/* never logged: the APDU holds the PIN */
	if (exchange(r, apdu, apdu_len, out, cap, &len) != 0) {
		Log1(PCSC_LOG_ERROR, "card lost during the PIN-pad VERIFY");
		goto out;
	}
	*out_len = (DWORD)len;
	rc = IFD_SUCCESS;
out:
	hc_wipe(digits, sizeof(digits));
	hc_wipe(apdu, sizeof(apdu));
	return rc;
}

static RESPONSECODE
feature_list(PUCHAR out, DWORD cap, LPDWORD out_len)
{
	size_t i, n = 0;

	if (cap < sizeof(features) * 6u)
		return IFD_ERROR_INSUFFICIENT_BUFFER;
	for (i = 0; i < sizeof(features); i++) {
		DWORD code = FEATURE_CODE(features[i]);

		out[n++] = features[i];
		out[n++] = 4;
		out[n++] = (uint8_t)(code >> 24);   /* part 10: big-endian */
		out[n++] = (uint8_t)(code >> 16);
		out[n++] = (uint8_t)(code >> 8);
		out[n++] = (uint8_t)code;
	}
	*out_len = (DWORD)n;
	return IFD_SUCCESS;
}

static RESPONSECODE
answer_bytes(const uint8_t *p, size_t n, PUCHAR out, DWORD cap, LPDWORD out_len)
{
	if (cap < n)
		return IFD_ERROR_INSUFFICIENT_BUFFER;
	memcpy(out, p, n);
	*out_len = (DWORD)n;
	return IFD_SUCCESS;
}

RESPONSECODE
IFDHControl(DWORD Lun, DWORD dwControlCode, PUCHAR TxBuffer, DWORD TxLength, PUCHAR RxBuffer,
            DWORD RxLength, LPDWORD pdwBytesReturned)
{
	ifd_reader_t *r = reader_find(Lun);

	if (pdwBytesReturned == NULL)
		return IFD_COMMUNICATION_ERROR;
	*pdwBytesReturned = 0;
	if (r == NULL || (RxBuffer == NULL && RxLength > 0))
		return IFD_COMMUNICATION_ERROR;
	if (dwControlCode == CM_IOCTL_GET_FEATURE_REQUEST)
		return feature_list(RxBuffer, RxLength, pdwBytesReturned);
	if (dwControlCode == FEATURE_CODE(FEATURE_VERIFY_PIN_DIRECT))
		return verify_pin_direct(r, TxBuffer, TxLength, RxBuffer, RxLength,
		                         pdwBytesReturned);
	if (dwControlCode == FEATURE_CODE(FEATURE_IFD_PIN_PROPERTIES))
		return answer_bytes(pin_properties, sizeof(pin_properties), RxBuffer, RxLength,
		                    pdwBytesReturned);
	if (dwControlCode == FEATURE_CODE(FEATURE_GET_TLV_PROPERTIES))
		return answer_bytes(tlv_properties, sizeof(tlv_properties), RxBuffer, RxLength,
		                    pdwBytesReturned);
	return IFD_ERROR_NOT_SUPPORTED;
}
