/*
 * PC/SC transport through libpcsclite (pcsc.h). One SCARDCONTEXT per hc_pcsc_t, established
 * on demand and dropped when pcscd goes away, so a restarted pcscd is picked up by the next
 * call. Connections keep their hc_pcsc_t alive (reference count), so the order of the frees
 * does not matter.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <PCSC/winscard.h>
#include <PCSC/wintypes.h>

#include "hcard_err.h"
#include "apdu/buf.h"
#include "apdu/log.h"
#include "apdu/pcsc.h"
#include "apdu/pinpad.h"

/* SCardGetStatusChange rounds in one hc_pcsc_wait (state changes that are not an insertion
 * or a removal, e.g. another application connecting, wake it up). */
#define PCSC_WAIT_MAX_ROUNDS 1000

struct hc_pcsc {
	pthread_mutex_t lock;   /* guards ctx, established and refs */
	SCARDCONTEXT ctx;
	int established;
	unsigned refs;          /* the owner's reference + one per open connection */
};

typedef struct pcsc_conn {
	hc_pcsc_t *p;
	SCARDCONTEXT ctx;       /* the context the handle was made in */
	SCARDHANDLE card;
	DWORD protocol;
	int in_transaction;
	int reset_on_close;     /* disconnect with SCARD_RESET_CARD: no PIN/right outlives us */
	char reader[HC_READER_NAME_MAX];
} pcsc_conn_t;

/* How long a transmit that got no status word waits for pcscd to report the card gone. */
#define PCSC_REMOVAL_GRACE_MS 1500

static const struct {
	LONG rv;
	int err;
} pcsc_errors[] = {
	{ SCARD_S_SUCCESS,              HC_OK },
	{ SCARD_E_NO_SERVICE,           HC_ERR_NO_SERVICE },
	{ SCARD_E_SERVICE_STOPPED,      HC_ERR_NO_SERVICE },
	{ SCARD_F_COMM_ERROR,           HC_ERR_NO_SERVICE },     /* the socket to pcscd broke */
	{ SCARD_E_NO_SMARTCARD,         HC_ERR_NO_CARD },
	{ SCARD_W_REMOVED_CARD,         HC_ERR_CARD_REMOVED },
	{ SCARD_W_RESET_CARD,           HC_ERR_CARD_RESET },
	{ SCARD_E_SHARING_VIOLATION,    HC_ERR_SHARING },
	{ SCARD_E_TIMEOUT,              HC_ERR_TIMEOUT },
	{ SCARD_E_CANCELLED,            HC_ERR_TIMEOUT },        /* hc_pcsc_cancel */
	{ SCARD_E_UNKNOWN_READER,       HC_ERR_NO_READER },
	{ SCARD_E_READER_UNAVAILABLE,   HC_ERR_NO_READER },
	{ SCARD_E_NO_READERS_AVAILABLE, HC_ERR_NO_READER },
	{ SCARD_W_UNRESPONSIVE_CARD,    HC_ERR_UNRESPONSIVE_CARD },
	{ SCARD_W_UNPOWERED_CARD,       HC_ERR_UNRESPONSIVE_CARD },
	{ SCARD_W_UNSUPPORTED_CARD,     HC_ERR_UNRESPONSIVE_CARD },
	{ SCARD_E_PROTO_MISMATCH,       HC_ERR_UNRESPONSIVE_CARD },
	{ SCARD_E_NO_MEMORY,            HC_ERR_NO_MEMORY },
	{ SCARD_E_INSUFFICIENT_BUFFER,  HC_ERR_RESPONSE_TOO_LONG },
	{ SCARD_E_INVALID_PARAMETER,    HC_ERR_INVALID_ARGUMENT },
	{ SCARD_E_INVALID_VALUE,        HC_ERR_INVALID_ARGUMENT },
	{ SCARD_E_INVALID_HANDLE,       HC_ERR_TRANSPORT },
	{ SCARD_E_NOT_TRANSACTED,       HC_ERR_TRANSPORT },
};

int
hc_pcsc_map_error(long rv)
{
	size_t i;

	for (i = 0; i < sizeof(pcsc_errors) / sizeof(pcsc_errors[0]); i++)
		if (pcsc_errors[i].rv == (LONG)rv)
			return pcsc_errors[i].err;
	return HC_ERR_TRANSPORT;
}

/* Errors after which the context is useless: pcscd died or was restarted. */
static int
pcsc_context_lost(LONG rv)
{
	return rv == SCARD_E_NO_SERVICE || rv == SCARD_E_SERVICE_STOPPED ||
	    rv == SCARD_F_COMM_ERROR || rv == SCARD_E_INVALID_HANDLE;
}

/* The context, established now if needed. *fresh says whether it was just made. */
static LONG
pcsc_get_context(hc_pcsc_t *p, SCARDCONTEXT *ctx, int *fresh)
{
	LONG rv = SCARD_S_SUCCESS;

	pthread_mutex_lock(&p->lock);
	*fresh = 0;
	if (!p->established) {
		rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &p->ctx);
		if (rv == SCARD_S_SUCCESS) {
			p->established = 1;
			*fresh = 1;
		}
	}
	*ctx = p->ctx;
	pthread_mutex_unlock(&p->lock);
	return rv;
}

/* Forgets a context that pcscd no longer knows; the next call establishes a new one. */
static void
pcsc_drop_context(hc_pcsc_t *p, SCARDCONTEXT ctx)
{
	pthread_mutex_lock(&p->lock);
	if (p->established && p->ctx == ctx) {
		(void)SCardReleaseContext(p->ctx);
		p->established = 0;
	}
	pthread_mutex_unlock(&p->lock);
}

static void
pcsc_unref(hc_pcsc_t *p)
{
	int last;

	pthread_mutex_lock(&p->lock);
	last = --p->refs == 0;
	pthread_mutex_unlock(&p->lock);
	if (!last)
		return;
	if (p->established)
		(void)SCardReleaseContext(p->ctx);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

/* An error on a connection. A handle whose context was dropped because pcscd went away
 * is invalid now: that is pcscd's absence, not a reader failure. */
static int
pcsc_conn_error(pcsc_conn_t *c, LONG rv, const char *what)
{
	int rc = hc_pcsc_map_error(rv);

	if (rv == SCARD_E_INVALID_HANDLE) {
		pthread_mutex_lock(&c->p->lock);
		if (!c->p->established || c->p->ctx != c->ctx)
			rc = HC_ERR_NO_SERVICE;
		pthread_mutex_unlock(&c->p->lock);
	} else if (pcsc_context_lost(rv)) {
		/* the context died with pcscd: the next hc_pcsc_* call makes a new one */
		pcsc_drop_context(c->p, c->ctx);
	}
	hc_log_debug("%s: %s (%s)", what, pcsc_stringify_error(rv), hc_errname(rc));
	return rc;
}

int
hc_pcsc_new(hc_pcsc_t **out)
{
	hc_pcsc_t *p;
	SCARDCONTEXT ctx;
	LONG rv;
	int fresh, rc;

	if (out == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	*out = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return HC_ERR_NO_MEMORY;
	pthread_mutex_init(&p->lock, NULL);
	p->refs = 1;
	/* established now so that a missing pcscd is reported here, where it is expected */
	if ((rv = pcsc_get_context(p, &ctx, &fresh)) != SCARD_S_SUCCESS) {
		rc = hc_pcsc_map_error(rv);
		hc_log_error("SCardEstablishContext: %s (%s)", pcsc_stringify_error(rv), hc_errname(rc));
		pcsc_unref(p);
		return rc;
	}
	*out = p;
	return HC_OK;
}

void
hc_pcsc_free(hc_pcsc_t **pp)
{
	if (pp == NULL || *pp == NULL)
		return;
	pcsc_unref(*pp);
	*pp = NULL;
}

/* Fills one entry from the reader's current state. */
static LONG
pcsc_reader_state(SCARDCONTEXT ctx, const char *name, hc_reader_info_t *info)
{
	SCARD_READERSTATE rs;
	LONG rv;

	memset(&rs, 0, sizeof(rs));
	rs.szReader = name;
	rs.dwCurrentState = SCARD_STATE_UNAWARE;
	if ((rv = SCardGetStatusChange(ctx, 0, &rs, 1)) != SCARD_S_SUCCESS)
		return rv;
	memset(info, 0, sizeof(*info));
	memcpy(info->name, name, strlen(name) + 1);
	info->card_present = (rs.dwEventState & SCARD_STATE_PRESENT) != 0;
	info->exclusive = (rs.dwEventState & SCARD_STATE_EXCLUSIVE) != 0;
	info->mute = (rs.dwEventState & SCARD_STATE_MUTE) != 0;
	if (info->card_present && rs.cbAtr <= HC_ATR_MAX) {
		memcpy(info->atr, rs.rgbAtr, rs.cbAtr);
		info->atr_len = rs.cbAtr;
	}
	return SCARD_S_SUCCESS;
}

/* One listing attempt with the current context. */
static LONG
pcsc_list_once(SCARDCONTEXT ctx, hc_reader_info_t *out, size_t cap, size_t *count)
{
	LPSTR names = NULL;
	DWORD len = SCARD_AUTOALLOCATE;
	size_t off = 0, n = 0, name_len;
	LONG rv;

	rv = SCardListReaders(ctx, NULL, (LPSTR)&names, &len);
	if (rv == SCARD_E_NO_READERS_AVAILABLE) {
		rv = SCARD_S_SUCCESS;
		goto out;
	}
	if (rv != SCARD_S_SUCCESS)
		goto out;
	/* multi-string: names separated by NUL, ended by an empty name; bounded by len */
	while (off < len && names[off] != '\0' && n < cap) {
		name_len = strnlen(names + off, len - off);
		if (name_len == len - off)
			break;                          /* not terminated: stop */
		if (name_len >= HC_READER_NAME_MAX) {
			hc_log_error("reader name of %zu bytes skipped", name_len);
		} else {
			rv = pcsc_reader_state(ctx, names + off, &out[n]);
			if (rv == SCARD_S_SUCCESS)
				n++;
			else if (rv != SCARD_E_UNKNOWN_READER)  /* unplugged meanwhile */
				goto out;
			rv = SCARD_S_SUCCESS;
		}
		off += name_len + 1;
	}
out:
	if (names != NULL)
		(void)SCardFreeMemory(ctx, names);
	*count = n;
	return rv;
}

int
hc_pcsc_list(hc_pcsc_t *p, hc_reader_info_t *out, size_t cap, size_t *count)
{
	SCARDCONTEXT ctx;
	LONG rv;
	int fresh, attempt;

	if (p == NULL || count == NULL || (out == NULL && cap > 0))
		return HC_ERR_INVALID_ARGUMENT;
	*count = 0;
	/* a second attempt with a new context if pcscd was restarted under the old one */
	for (attempt = 0; attempt < 2; attempt++) {
		if ((rv = pcsc_get_context(p, &ctx, &fresh)) != SCARD_S_SUCCESS)
			break;
		rv = pcsc_list_once(ctx, out, cap, count);
		if (!pcsc_context_lost(rv))
			break;
		pcsc_drop_context(p, ctx);
		if (fresh)
			break;
	}
	if (rv != SCARD_S_SUCCESS)
		hc_log_error("list readers: %s", pcsc_stringify_error(rv));
	return hc_pcsc_map_error(rv);
}

/*
 * An answer without a status word. vpcd (and some readers) answer nothing when the card
 * vanished during the command; pcscd notices the removal only at its next poll of the
 * reader. So ask, and wait a bounded moment: a pulled card is HC_ERR_CARD_REMOVED, a card
 * still there gets the short answer (HC_ERR_MALFORMED_RESPONSE in hc_transmit).
 */
static int
pcsc_answer_missing(pcsc_conn_t *c)
{
	SCARD_READERSTATE rs;
	SCARDCONTEXT ctx;
	DWORD state = 0, protocol, name_len = 0, atr_len = MAX_ATR_SIZE;
	BYTE atr[MAX_ATR_SIZE];
	LONG rv;
	int fresh;

	rv = SCardStatus(c->card, NULL, &name_len, &state, &protocol, atr, &atr_len);
	if (rv == SCARD_W_REMOVED_CARD || rv == SCARD_E_NO_SMARTCARD ||
	    (rv == SCARD_S_SUCCESS && (state & SCARD_PRESENT) == 0))
		return HC_ERR_CARD_REMOVED;
	if (pcsc_get_context(c->p, &ctx, &fresh) != SCARD_S_SUCCESS)
		return HC_OK;
	memset(&rs, 0, sizeof(rs));
	rs.szReader = c->reader;
	rs.dwCurrentState = SCARD_STATE_PRESENT;
	rv = SCardGetStatusChange(ctx, PCSC_REMOVAL_GRACE_MS, &rs, 1);
	if (rv == SCARD_S_SUCCESS && (rs.dwEventState & SCARD_STATE_EMPTY) != 0)
		return HC_ERR_CARD_REMOVED;
	return HC_OK;
}

static int
pcsc_transmit(void *io, const uint8_t *cmd, size_t cmd_len, uint8_t *resp, size_t *resp_len)
{
	pcsc_conn_t *c = io;
	const SCARD_IO_REQUEST *pci = c->protocol == SCARD_PROTOCOL_T1 ? SCARD_PCI_T1 : SCARD_PCI_T0;
	DWORD rlen = (DWORD)*resp_len;
	LONG rv;
	int rc;

	rv = SCardTransmit(c->card, pci, cmd, (DWORD)cmd_len, NULL, resp, &rlen);
	if (rv != SCARD_S_SUCCESS) {
		rc = pcsc_conn_error(c, rv, "SCardTransmit");
		/* we were connected, so an empty reader now means the card was pulled; a driver
		 * that fails the exchange (e.g. SCARD_E_NOT_TRANSACTED) before pcscd has seen the
		 * reader empty is told apart the same way as a missing answer */
		if (rc == HC_ERR_TRANSPORT && pcsc_answer_missing(c) == HC_ERR_CARD_REMOVED)
			rc = HC_ERR_CARD_REMOVED;
		return rc == HC_ERR_NO_CARD ? HC_ERR_CARD_REMOVED : rc;
	}
	*resp_len = rlen;
	if (rlen < 2 && (rc = pcsc_answer_missing(c)) != HC_OK) {
		hc_log_debug("no answer: the card was pulled");
		return rc;
	}
	return HC_OK;
}

/* CM_IOCTL_GET_FEATURE_REQUEST (pinpad.h), asked once per connection by the transport
 * (hc_transport_features caches it), and the PIN-pad VERIFY_PIN_DIRECT. */
static int
pcsc_control(void *io, uint32_t code, const uint8_t *in, size_t in_len, uint8_t *out,
             size_t *out_len)
{
	pcsc_conn_t *c = io;
	DWORD got = 0;
	LONG rv;
	int rc;

	rv = SCardControl(c->card, (DWORD)code, in, (DWORD)in_len, out, (DWORD)*out_len, &got);
	if (rv == SCARD_E_UNSUPPORTED_FEATURE && code == HC_CM_IOCTL_GET_FEATURE_REQUEST) {
		/* a driver without controls (vpcd, many non-pad readers): no features */
		*out_len = 0;
		return HC_OK;
	}
	if (rv != SCARD_S_SUCCESS) {
		rc = pcsc_conn_error(c, rv, "SCardControl");
		return rc == HC_ERR_NO_CARD ? HC_ERR_CARD_REMOVED : rc;
	}
	if ((size_t)got > *out_len)
		return HC_ERR_MALFORMED_RESPONSE;
	*out_len = got;
	return HC_OK;
}

static int
pcsc_begin(void *io)
{
	pcsc_conn_t *c = io;
	LONG rv = SCardBeginTransaction(c->card);

	if (rv != SCARD_S_SUCCESS)
		return pcsc_conn_error(c, rv, "SCardBeginTransaction");
	c->in_transaction = 1;
	return HC_OK;
}

static int
pcsc_end(void *io)
{
	pcsc_conn_t *c = io;
	LONG rv = SCardEndTransaction(c->card, SCARD_LEAVE_CARD);

	c->in_transaction = 0;
	if (rv != SCARD_S_SUCCESS)
		return pcsc_conn_error(c, rv, "SCardEndTransaction");
	return HC_OK;
}

static int
pcsc_reconnect(void *io, int reset)
{
	pcsc_conn_t *c = io;
	LONG rv;

	rv = SCardReconnect(c->card, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
	    reset ? SCARD_RESET_CARD : SCARD_LEAVE_CARD, &c->protocol);
	if (rv != SCARD_S_SUCCESS)
		return pcsc_conn_error(c, rv, "SCardReconnect");
	c->in_transaction = 0;
	return HC_OK;
}

static int
pcsc_get_atr(void *io, uint8_t *atr, size_t *atr_len)
{
	pcsc_conn_t *c = io;
	char name[MAX_READERNAME];
	DWORD name_len = sizeof(name), state, protocol, len = MAX_ATR_SIZE;
	BYTE buf[MAX_ATR_SIZE];
	LONG rv;

	rv = SCardStatus(c->card, name, &name_len, &state, &protocol, buf, &len);
	if (rv != SCARD_S_SUCCESS)
		return pcsc_conn_error(c, rv, "SCardStatus");
	if (len > *atr_len)
		return HC_ERR_BUFFER_TOO_SMALL;
	memcpy(atr, buf, len);
	*atr_len = len;
	return HC_OK;
}

static void
pcsc_close(void *io)
{
	pcsc_conn_t *c = io;

	if (c == NULL)
		return;
	if (c->in_transaction)
		(void)SCardEndTransaction(c->card, SCARD_LEAVE_CARD);
	(void)SCardDisconnect(c->card, c->reset_on_close ? SCARD_RESET_CARD : SCARD_LEAVE_CARD);
	pcsc_unref(c->p);
	free(c);
}

static void
pcsc_set_reset_on_close(void *io, int reset)
{
	pcsc_conn_t *c = io;

	if (c != NULL)
		c->reset_on_close = reset != 0;
}

static const hc_transport_ops_t pcsc_ops = {
	.name = "pcsc",
	.transmit = pcsc_transmit,
	.begin = pcsc_begin,
	.end = pcsc_end,
	.reconnect = pcsc_reconnect,
	.get_atr = pcsc_get_atr,
	.close = pcsc_close,
	.set_reset_on_close = pcsc_set_reset_on_close,
	.control = pcsc_control,
};

int
hc_pcsc_connect(hc_pcsc_t *p, const char *reader, hc_transport_t **out)
{
	pcsc_conn_t *c = NULL;
	SCARDCONTEXT ctx;
	SCARDHANDLE card;
	DWORD protocol = 0;
	LONG rv;
	int fresh, attempt, rc;

	if (p == NULL || reader == NULL || out == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	*out = NULL;
	if (strnlen(reader, HC_READER_NAME_MAX) >= HC_READER_NAME_MAX)
		return HC_ERR_NO_READER;
	for (attempt = 0; attempt < 2; attempt++) {
		if ((rv = pcsc_get_context(p, &ctx, &fresh)) != SCARD_S_SUCCESS)
			break;
		rv = SCardConnect(ctx, reader, SCARD_SHARE_SHARED,
		    SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &card, &protocol);
		if (!pcsc_context_lost(rv))
			break;
		pcsc_drop_context(p, ctx);
		if (fresh)
			break;
	}
	if (rv != SCARD_S_SUCCESS) {
		rc = hc_pcsc_map_error(rv);
		hc_log_debug("SCardConnect %s: %s", reader, pcsc_stringify_error(rv));
		return rc;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		(void)SCardDisconnect(card, SCARD_LEAVE_CARD);
		return HC_ERR_NO_MEMORY;
	}
	pthread_mutex_lock(&p->lock);
	p->refs++;
	pthread_mutex_unlock(&p->lock);
	c->p = p;
	c->ctx = ctx;
	c->card = card;
	c->protocol = protocol;
	memcpy(c->reader, reader, strlen(reader) + 1);
	/* hc_transport_new closes c on failure */
	if ((*out = hc_transport_new(&pcsc_ops, c)) == NULL)
		return HC_ERR_NO_MEMORY;
	return HC_OK;
}

static long
monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int
hc_pcsc_wait(hc_pcsc_t *p, const char *reader, int timeout_ms, int *present)
{
	SCARD_READERSTATE rs;
	SCARDCONTEXT ctx = 0;
	DWORD events, was_present, is_present;
	long deadline = 0, left;
	LONG rv;
	int fresh, round, rc = HC_ERR_TIMEOUT;

	if (p == NULL || reader == NULL || present == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	if ((rv = pcsc_get_context(p, &ctx, &fresh)) != SCARD_S_SUCCESS)
		goto fail;
	memset(&rs, 0, sizeof(rs));
	rs.szReader = reader;
	rs.dwCurrentState = SCARD_STATE_UNAWARE;
	if ((rv = SCardGetStatusChange(ctx, 0, &rs, 1)) != SCARD_S_SUCCESS)
		goto fail;
	was_present = rs.dwEventState & SCARD_STATE_PRESENT;
	events = rs.dwEventState >> 16;         /* pcsc-lite: insertion/removal counter */
	if (timeout_ms >= 0)
		deadline = monotonic_ms() + timeout_ms;
	for (round = 0; round < PCSC_WAIT_MAX_ROUNDS; round++) {
		rs.dwCurrentState = rs.dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
		left = timeout_ms < 0 ? (long)INFINITE : deadline - monotonic_ms();
		if (left < 0)
			left = 0;
		rv = SCardGetStatusChange(ctx, (DWORD)left, &rs, 1);
		if (rv != SCARD_S_SUCCESS)
			goto fail;
		if (rs.dwEventState & (SCARD_STATE_UNKNOWN | SCARD_STATE_UNAVAILABLE)) {
			rc = HC_ERR_NO_READER;
			goto out;
		}
		is_present = rs.dwEventState & SCARD_STATE_PRESENT;
		if (is_present != was_present || (rs.dwEventState >> 16) != events) {
			*present = is_present != 0;
			rc = HC_OK;
			goto out;
		}
	}
	rc = HC_ERR_TIMEOUT;
	goto out;
fail:
	rc = hc_pcsc_map_error(rv);
	if (pcsc_context_lost(rv))
		pcsc_drop_context(p, ctx);
	if (rc != HC_ERR_TIMEOUT)
		hc_log_debug("wait %s: %s", reader, pcsc_stringify_error(rv));
out:
	return rc;
}

int
hc_pcsc_cancel(hc_pcsc_t *p)
{
	LONG rv = SCARD_S_SUCCESS;

	if (p == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	pthread_mutex_lock(&p->lock);
	if (p->established)
		rv = SCardCancel(p->ctx);
	pthread_mutex_unlock(&p->lock);
	return hc_pcsc_map_error(rv);
}
