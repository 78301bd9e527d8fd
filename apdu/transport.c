/*
 * The transport object and the one transmit path (transport.h): check, encode, send, then
 * 61xx (GET RESPONSE), 6Cxx (one resend with Le = xx) and command chaining, every loop
 * bounded and the reassembled answer bounded. The card is untrusted input.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hcard_err.h"
#include "apdu/buf.h"
#include "apdu/log.h"
#include "apdu/sw.h"
#include "apdu/transport.h"

#define DEFAULT_MAX_GET_RESPONSE 16u
#define DEFAULT_MAX_TOTAL        (64u * 1024u)
#define MAX_WRONG_LE_RESENDS     1u
#define FEATURES_MAX             256u     /* a feature list: 6 bytes per feature, < 20 features */
#define CM_IOCTL_GET_FEATURE_REQUEST 0x42000D48UL   /* apdu/pinpad.h; SCARD_CTL_CODE(3400) */

struct hc_transport {
	const hc_transport_ops_t *ops;
	void *io;
	unsigned max_get_response;
	size_t max_total;
	int extended_allowed;
	unsigned long apdu_count;
	uint8_t *cmd;           /* encoded command (HC_APDU_MAX_CMD), wiped after each send */
	uint8_t *rx;            /* raw answer (HC_RESP_MAX), wiped after each send */
	int features_known;     /* the reader's feature list was asked (once per connection) */
	size_t features_len;
	uint8_t features[FEATURES_MAX];
};

hc_transport_t *
hc_transport_new(const hc_transport_ops_t *ops, void *io)
{
	hc_transport_t *t = NULL;

	if (ops == NULL || ops->transmit == NULL)
		goto fail;
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->cmd = calloc(1, HC_APDU_MAX_CMD)) == NULL ||
	    (t->rx = calloc(1, HC_RESP_MAX)) == NULL)
		goto fail;
	t->ops = ops;
	t->io = io;
	t->max_get_response = DEFAULT_MAX_GET_RESPONSE;
	t->max_total = DEFAULT_MAX_TOTAL;
	t->extended_allowed = 1;
	return t;
fail:
	if (t != NULL) {
		free(t->cmd);
		free(t->rx);
		free(t);
	}
	if (ops != NULL && ops->close != NULL && io != NULL)
		ops->close(io);
	return NULL;
}

void
hc_transport_free(hc_transport_t **tp)
{
	hc_transport_t *t;

	if (tp == NULL || (t = *tp) == NULL)
		return;
	if (t->ops->close != NULL)
		t->ops->close(t->io);
	hc_wipe(t->cmd, HC_APDU_MAX_CMD);
	hc_wipe(t->rx, HC_RESP_MAX);
	free(t->cmd);
	free(t->rx);
	free(t);
	*tp = NULL;
}

void *
hc_transport_io(const hc_transport_t *t)
{
	return t != NULL ? t->io : NULL;
}

const char *
hc_transport_name(const hc_transport_t *t)
{
	return t != NULL && t->ops->name != NULL ? t->ops->name : "?";
}

void
hc_transport_set_limits(hc_transport_t *t, unsigned max_get_response, size_t max_total)
{
	if (t == NULL)
		return;
	t->max_get_response = max_get_response;
	t->max_total = max_total;
}

void
hc_transport_set_extended(hc_transport_t *t, int allowed)
{
	if (t != NULL)
		t->extended_allowed = allowed != 0;
}

unsigned long
hc_transport_apdu_count(const hc_transport_t *t)
{
	return t != NULL ? t->apdu_count : 0;
}

void
hc_transport_reset_count(hc_transport_t *t)
{
	if (t != NULL)
		t->apdu_count = 0;
}

/* A reset by another handle: reconnect once (keeping the card's state as it is now) and
 * tell the caller, who must drop what it knew about selections and rights. */
static int
transport_after_reset(hc_transport_t *t)
{
	int rc;

	if (t->ops->reconnect != NULL && (rc = t->ops->reconnect(t->io, 0)) != HC_OK)
		hc_log_error("reconnect after reset failed: %s", hc_errname(rc));
	return HC_ERR_CARD_RESET;
}

/* Sends one APDU on the wire; the answer (data + SW, >= 2 bytes) lands in t->rx. */
static int
send_one(hc_transport_t *t, const hc_apdu_t *a, int sensitive, size_t *rx_len)
{
	size_t cmd_len = 0, len = HC_RESP_MAX;
	int rc;

	if ((rc = hc_apdu_encode(a, t->cmd, HC_APDU_MAX_CMD, &cmd_len)) != HC_OK)
		return rc;
	hc_log_apdu('>', t->cmd, cmd_len, sensitive);
	t->apdu_count++;
	rc = t->ops->transmit(t->io, t->cmd, cmd_len, t->rx, &len);
	hc_wipe(t->cmd, cmd_len);
	if (rc == HC_ERR_CARD_RESET)
		return transport_after_reset(t);
	if (rc != HC_OK) {
		hc_log_debug("%s transmit: %s", hc_transport_name(t), hc_errname(rc));
		return rc;
	}
	if (len < 2 || len > HC_RESP_MAX) {
		hc_log_error("answer of %zu bytes: no status word", len);
		return HC_ERR_MALFORMED_RESPONSE;
	}
	hc_log_apdu('<', t->rx, len, sensitive);
	*rx_len = len;
	return HC_OK;
}

/* One command with its 61xx/6Cxx follow-ups; appends data to resp and sets resp->sw. */
static int
exchange(hc_transport_t *t, const hc_apdu_t *a, int sensitive, hc_resp_t *resp)
{
	hc_apdu_t cur = *a;
	unsigned rounds = 0, resends = 0;
	unsigned long iter;
	size_t rx_len = 0, data_len, rx_seen = 0;
	uint8_t sw1, sw2;
	int rc = HC_ERR_RESPONSE_TOO_LONG;

	/* each pass either returns, or uses one GET RESPONSE round or one resend */
	for (iter = 0; iter <= (unsigned long)t->max_get_response + MAX_WRONG_LE_RESENDS; iter++) {
		if ((rc = send_one(t, &cur, sensitive, &rx_len)) != HC_OK)
			goto out;
		if (rx_len > rx_seen)
			rx_seen = rx_len;
		data_len = rx_len - 2;
		sw1 = t->rx[data_len];
		sw2 = t->rx[data_len + 1];
		if (sw1 == 0x6C && cur.has_le && resends < MAX_WRONG_LE_RESENDS) {
			/* card-profile.md §7: resend with Le = xx (00 means 256) */
			resends++;
			cur.le = sw2 == 0 ? 256 : sw2;
			cur.extended = 0;
			continue;
		}
		if (data_len > resp->cap - resp->len || data_len > t->max_total - resp->len) {
			hc_log_error("answer exceeds %zu bytes", t->max_total < resp->cap ? t->max_total : resp->cap);
			rc = HC_ERR_RESPONSE_TOO_LONG;
			goto out;
		}
		memcpy(resp->data + resp->len, t->rx, data_len);
		resp->len += data_len;
		if (sw1 == 0x61) {
			if (rounds >= t->max_get_response) {
				hc_log_error("card still has data after %u GET RESPONSE", rounds);
				rc = HC_ERR_RESPONSE_TOO_LONG;
				goto out;
			}
			rounds++;
			memset(&cur, 0, sizeof(cur));
			cur.cla = 0x00;                 /* GET RESPONSE 00 C0 00 00 xx */
			cur.ins = 0xC0;
			cur.has_le = 1;
			cur.le = sw2 == 0 ? 256 : sw2;
			continue;
		}
		resp->sw = (uint16_t)(sw1 << 8 | sw2);
		rc = HC_OK;
		goto out;
	}
	rc = HC_ERR_RESPONSE_TOO_LONG;
out:
	hc_wipe(t->rx, rx_seen);
	return rc;
}

/* Command chaining (ISO/IEC 7816-4 §5.1.1.1): CLA b5 set on every link but the last; each
 * link but the last must answer 9000, else its SW ends the command. */
static int
chain(hc_transport_t *t, const hc_apdu_t *a, int sensitive, hc_resp_t *resp)
{
	hc_apdu_t link;
	size_t off = 0, chunk, links, i;
	int rc = HC_ERR_INTERNAL;

	links = (a->lc + HC_APDU_MAX_SHORT_LC - 1) / HC_APDU_MAX_SHORT_LC;
	for (i = 0; i < links; i++) {
		link = *a;
		chunk = a->lc - off > HC_APDU_MAX_SHORT_LC ? HC_APDU_MAX_SHORT_LC : a->lc - off;
		link.data = a->data + off;
		link.lc = chunk;
		link.extended = 0;
		off += chunk;
		if (off < a->lc) {
			link.cla = (uint8_t)(a->cla | 0x10);
			link.has_le = 0;
			link.le = 0;
		}
		if ((rc = exchange(t, &link, sensitive, resp)) != HC_OK)
			return rc;
		if (off < a->lc && resp->sw != HC_SW_OK)
			return HC_OK;           /* the caller maps the SW */
		if (off < a->lc) {
			hc_wipe(resp->data, resp->len);
			resp->len = 0;          /* data from a middle link is not the answer */
		}
	}
	return rc;
}

int
hc_transmit(hc_transport_t *t, const hc_apdu_t *apdu, hc_resp_t *resp)
{
	hc_apdu_t a;
	int sensitive, rc;

	if (t == NULL || resp == NULL || resp->data == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	hc_wipe(resp->data, resp->len < resp->cap ? resp->len : resp->cap);
	resp->len = 0;
	resp->sw = 0;
	if ((rc = hc_apdu_check(apdu)) != HC_OK)
		return rc;
	a = *apdu;
	sensitive = a.sensitive || hc_log_apdu_is_pin_ins(a.ins);
	if (!t->extended_allowed) {
		/* short Le at most 256: the rest arrives through 61xx */
		a.extended = 0;
		if (a.has_le && a.le > 256)
			a.le = 256;
	}
	if (!t->extended_allowed && a.lc > HC_APDU_MAX_SHORT_LC)
		rc = chain(t, &a, sensitive, resp);
	else
		rc = exchange(t, &a, sensitive, resp);
	if (rc != HC_OK) {
		hc_wipe(resp->data, resp->len);
		resp->len = 0;
		resp->sw = 0;
	}
	return rc;
}

int
hc_transmit_ok(hc_transport_t *t, const hc_apdu_t *apdu, hc_resp_t *resp, uint16_t *sw_out)
{
	int rc;

	if (sw_out != NULL)
		*sw_out = 0;
	if ((rc = hc_transmit(t, apdu, resp)) != HC_OK)
		return rc;
	if (sw_out != NULL)
		*sw_out = resp->sw;
	return hc_sw_to_err(resp->sw);
}

void
hc_transport_set_reset_on_close(hc_transport_t *t, int reset)
{
	if (t != NULL && t->ops->set_reset_on_close != NULL)
		t->ops->set_reset_on_close(t->io, reset);
}

int
hc_transport_begin(hc_transport_t *t)
{
	int rc;

	if (t == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	if (t->ops->begin == NULL)
		return HC_OK;
	rc = t->ops->begin(t->io);
	return rc == HC_ERR_CARD_RESET ? transport_after_reset(t) : rc;
}

int
hc_transport_end(hc_transport_t *t)
{
	if (t == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	return t->ops->end != NULL ? t->ops->end(t->io) : HC_OK;
}

int
hc_transport_reconnect(hc_transport_t *t, int reset)
{
	if (t == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	return t->ops->reconnect != NULL ? t->ops->reconnect(t->io, reset) : HC_OK;
}

int
hc_transport_get_atr(hc_transport_t *t, uint8_t *atr, size_t *atr_len)
{
	if (t == NULL || atr == NULL || atr_len == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	if (t->ops->get_atr == NULL) {
		*atr_len = 0;
		return HC_OK;
	}
	return t->ops->get_atr(t->io, atr, atr_len);
}

int
hc_transport_features(hc_transport_t *t, const uint8_t **tlv, size_t *len)
{
	size_t n = sizeof(t->features);
	int rc;

	if (t == NULL || tlv == NULL || len == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	*tlv = t->features;
	*len = 0;
	if (!t->features_known && t->ops->control != NULL) {
		rc = t->ops->control(t->io, CM_IOCTL_GET_FEATURE_REQUEST, NULL, 0, t->features, &n);
		if (rc != HC_OK) {
			hc_log_debug("%s feature request: %s", hc_transport_name(t), hc_errname(rc));
			return rc;
		}
		t->features_len = n <= sizeof(t->features) ? n : 0;
	}
	t->features_known = 1;
	*len = t->features_len;
	return HC_OK;
}

int
hc_transport_control_apdu(hc_transport_t *t, uint32_t code, const uint8_t *in, size_t in_len,
                          uint8_t *out, size_t *out_len)
{
	int rc;

	if (t == NULL || out == NULL || out_len == NULL || (in == NULL && in_len > 0))
		return HC_ERR_INVALID_ARGUMENT;
	if (t->ops->control == NULL)
		return HC_ERR_NO_PINPAD;
	t->apdu_count++;        /* the reader sends one command to the card */
	rc = t->ops->control(t->io, code, in, in_len, out, out_len);
	if (rc == HC_ERR_CARD_RESET)
		return transport_after_reset(t);
	if (rc != HC_OK)
		hc_log_debug("%s control %08lX: %s", hc_transport_name(t), (unsigned long)code,
		             hc_errname(rc));
	return rc;
}
