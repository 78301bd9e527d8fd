/*
 * libhcard: the issuer key service of the debit application (purse.md "Load", RELOAD PIN).
 * The bank side holds the master DLK of each ledger and the master PRK; it derives the
 * card's keys from F, checks the card's load MAC1 and answers the host MAC2.
 *
 * Keys come from a key-set file (`name hex` lines, `#` comments; the format written by
 * `hcard-sim keyset`): purse.ed.dlk, purse.ep.dlk, purse.ed.prk.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "hcard_purse.h"
#include "apdu/buf.h"
#include "apdu/log.h"
#include "crypto/crypto.h"
#include "src/purse_int.h"

#define LINE_MAX_LEN 512
#define LINES_MAX 4096

struct hc_purse_issuer {
	uint8_t dlk[2][16];             /* master DLK: [0] ED, [1] EP */
	uint8_t prk[16];                /* master PRK (ED's: the one PIN) */
};

static const struct { const char *name; size_t slot; } wanted[] = {
	{ "purse.ed.dlk", 0 }, { "purse.ep.dlk", 1 }, { "purse.ed.prk", 2 },
};

int
hc_purse_issuer_open(const char *path, hc_purse_issuer_t **out)
{
	hc_purse_issuer_t *is = NULL;
	FILE *f = NULL;
	char line[LINE_MAX_LEN];
	uint8_t val[16];
	unsigned found = 0, lines = 0;
	int rc = HC_ERR_CONFIG;
	size_t k;

	if (path == NULL || out == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	*out = NULL;
	if ((is = calloc(1, sizeof(*is))) == NULL) {
		rc = HC_ERR_NO_MEMORY;
		goto out;
	}
	if ((f = fopen(path, "re")) == NULL) {
		hc_log_error("cannot open the key set");
		goto out;
	}
	while (fgets(line, sizeof(line), f) != NULL && lines++ < LINES_MAX) {
		char *name, *hex, *save = NULL;

		name = strtok_r(line, " \t\r\n", &save);
		if (name == NULL || name[0] == '#')
			continue;
		hex = strtok_r(NULL, " \t\r\n", &save);
		for (k = 0; k < sizeof(wanted) / sizeof(wanted[0]); k++) {
			if (strcmp(name, wanted[k].name) != 0)
				continue;
			if (hex == NULL || strlen(hex) != 32 || hc_hex_decode(hex, val, sizeof(val)) != 16) {
				hc_log_error("key set: %s is not 16 bytes of hex", name);
				goto out;
			}
			memcpy(wanted[k].slot < 2 ? is->dlk[wanted[k].slot] : is->prk, val, 16);
			found |= 1u << k;
		}
		hc_wipe(line, sizeof(line));
	}
	if (found != 7u) {
		hc_log_error("key set lacks a purse master key (purse.ed.dlk, purse.ep.dlk, purse.ed.prk)");
		goto out;
	}
	*out = is;
	is = NULL;
	rc = HC_OK;
out:
	hc_wipe(line, sizeof(line));
	hc_wipe(val, sizeof(val));
	if (f != NULL)
		fclose(f);
	hc_purse_issuer_free(&is);
	return rc;
}

void
hc_purse_issuer_free(hc_purse_issuer_t **pis)
{
	if (pis == NULL || *pis == NULL)
		return;
	hc_wipe(*pis, sizeof(**pis));
	free(*pis);
	*pis = NULL;
}

int
hc_purse_issuer_load_mac2(const hc_purse_issuer_t *is, const hc_purse_load_req_t *req,
    uint8_t mac2[4])
{
	uint8_t dlk[16], in[8], seslk[8], buf[24], mac[4];
	hc_writer_t w;
	uint8_t type;
	int rc = HC_ERR_INTERNAL;

	if (is == NULL || req == NULL || mac2 == NULL ||
	    (req->ledger != HC_LEDGER_ED && req->ledger != HC_LEDGER_EP))
		return HC_ERR_INVALID_ARGUMENT;
	type = HC_PURSE_TYPE_LOAD(req->ledger);
	/* DLK = diversified master; SESLK = 3DES_DLK(R ‖ M ‖ 80 00) */
	if (hc_des3_diversify(is->dlk[req->ledger == HC_LEDGER_ED ? 0 : 1], req->factor, dlk) != 0)
		goto out;
	memcpy(in, req->random, 4);
	in[4] = (uint8_t)(req->m >> 8);
	in[5] = (uint8_t)req->m;
	in[6] = 0x80;
	in[7] = 0x00;
	if (hc_des3_ecb(dlk, 1, in, 8, seslk) != 0)
		goto out;
	/* MAC1 = MAC_SESLK(balance ‖ amount ‖ type ‖ terminal) */
	hc_writer_init(&w, buf, sizeof(buf));
	hc_put_u32(&w, req->balance);
	hc_put_u32(&w, req->amount);
	hc_put_u8(&w, type);
	hc_put_bytes(&w, req->terminal, 6);
	if (!hc_writer_ok(&w) || hc_mac_alg1(seslk, buf, w.len, mac) != 0)
		goto out;
	if (CRYPTO_memcmp(mac, req->mac1, 4) != 0) {    /* constant time (issue 12 item 16) */
		hc_log_error("load MAC1 wrong: not our card, or a forged request");
		rc = HC_ERR_MAC_INVALID;
		goto out;
	}
	/* MAC2 = MAC_SESLK(amount ‖ type ‖ terminal ‖ date ‖ time) */
	hc_writer_init(&w, buf, sizeof(buf));
	hc_put_u32(&w, req->amount);
	hc_put_u8(&w, type);
	hc_put_bytes(&w, req->terminal, 6);
	hc_put_bytes(&w, req->date, 4);
	hc_put_bytes(&w, req->time, 3);
	if (!hc_writer_ok(&w) || hc_mac_alg1(seslk, buf, w.len, mac2) != 0)
		goto out;
	rc = HC_OK;
out:
	hc_wipe(dlk, sizeof(dlk));
	hc_wipe(seslk, sizeof(seslk));
	hc_wipe(in, sizeof(in));
	return rc;
}

int
hc_purse_issuer_pin_mac(const hc_purse_issuer_t *is, const uint8_t factor[8],
    const uint8_t block[6], uint8_t mac[4])
{
	uint8_t prk[16];
	int rc = HC_ERR_INTERNAL;

	if (is == NULL || factor == NULL || block == NULL || mac == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	/* RELOAD PIN: ISO 9797-1 alg. 3 under the card's PRK over the 6-byte block */
	if (hc_des3_diversify(is->prk, factor, prk) == 0 && hc_mac_alg3(prk, block, 6, mac) == 0)
		rc = HC_OK;
	hc_wipe(prk, sizeof(prk));
	return rc;
}
