/*
 * The simulator's debit application and PSAM (sim/purse*.c, sim/psam.c), driven in-process
 * through sim_dispatch, and the library's issuer key service (src/purse_issuer.c).
 * Every session key, MAC1, MAC2 and TAC is recomputed here independently with OpenSSL EVP
 * (DES-EDE-ECB for 3DES, DES-EDE-CBC with K || K for single-DES CBC-MAC) from the master
 * keys of the demo key-set file, never with the code under test.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "hcard_purse.h"
#include "sim/card.h"
#include "sim/image.h"
#include "sim/module.h"
#include "sim/profile.h"

static const uint8_t AID[7] = { 0xA0, 0x00, 0x00, 0x03, 0x33, 0x01, 0x01 };
static const char SERIAL[] = "88600000000000012345";

typedef struct fixture {
	sim_card_t *user, *sam;
	char keyset[512];
	uint8_t ef15[30], f[8], terminal[6];
	uint8_t resp[65538];
	size_t rlen;                      /* data bytes of the last answer */
} fixture_t;

/* ---- independent crypto (OpenSSL EVP) ---------------------------------------------------- */

static void
evp(const EVP_CIPHER *c, const uint8_t *key, int enc, const uint8_t *in, size_t len, uint8_t *out)
{
	static const uint8_t iv[8];
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int l1 = 0, l2 = 0;

	assert_non_null(ctx);
	assert_int_equal(EVP_CipherInit_ex(ctx, c, NULL, key, iv, enc), 1);
	EVP_CIPHER_CTX_set_padding(ctx, 0);
	assert_int_equal(EVP_CipherUpdate(ctx, out, &l1, in, (int)len), 1);
	assert_int_equal(EVP_CipherFinal_ex(ctx, out + l1, &l2), 1);
	EVP_CIPHER_CTX_free(ctx);
}

static void
ref_3des(const uint8_t k[16], const uint8_t *in, uint8_t *out)
{
	evp(EVP_des_ede_ecb(), k, 1, in, 8, out);
}

static void
ref_diversify(const uint8_t mk[16], const uint8_t f[8], uint8_t out[16])
{
	uint8_t b[16];
	int i;

	for (i = 0; i < 8; i++) {
		b[i] = f[i];
		b[8 + i] = (uint8_t)~f[i];
	}
	evp(EVP_des_ede_ecb(), mk, 1, b, 16, out);
}

/* ISO 9797-1 padding method 2 into buf; returns the padded length. */
static size_t
ref_pad(const uint8_t *d, size_t n, uint8_t *buf)
{
	size_t len = n + 1;

	memcpy(buf, d, n);
	buf[n] = 0x80;
	while (len % 8 != 0)
		buf[len++] = 0x00;
	return len;
}

/* MAC_K = DES-CBC-MAC (single DES as DES-EDE with K || K), IV 0, first 4 bytes. */
static void
ref_mac(const uint8_t k8[8], const uint8_t *d, size_t n, uint8_t mac[4])
{
	uint8_t kk[16], buf[64], out[64];
	size_t len = ref_pad(d, n, buf);

	memcpy(kk, k8, 8);
	memcpy(kk + 8, k8, 8);
	evp(EVP_des_ede_cbc(), kk, 1, buf, len, out);
	memcpy(mac, out + len - 8, 4);
}

/* Retail MAC (ISO 9797-1 alg. 3) under K1 || K2. */
static void
ref_retail(const uint8_t k[16], const uint8_t *d, size_t n, uint8_t mac[4])
{
	uint8_t k1[16], k2[16], buf[64], out[64], h[8], t[8];
	size_t len = ref_pad(d, n, buf);

	memcpy(k1, k, 8);
	memcpy(k1 + 8, k, 8);
	memcpy(k2, k + 8, 8);
	memcpy(k2 + 8, k + 8, 8);
	evp(EVP_des_ede_cbc(), k1, 1, buf, len, out);
	memcpy(h, out + len - 8, 8);
	evp(EVP_des_ede_ecb(), k2, 0, h, 8, t);
	evp(EVP_des_ede_ecb(), k1, 1, t, 8, h);
	memcpy(mac, h, 4);
}

/* The demo key-set file, parsed here (not by the key-set code). */
static void
master_key(const fixture_t *fx, const char *name, uint8_t out[16])
{
	FILE *f = fopen(fx->keyset, "r");
	char line[512], n[64], hex[64];
	int found = 0, i;
	unsigned v;

	assert_non_null(f);
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%63s %63s", n, hex) == 2 && strcmp(n, name) == 0) {
			assert_int_equal(strlen(hex), 32);
			for (i = 0; i < 16; i++) {
				assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
				out[i] = (uint8_t)v;
			}
			found = 1;
		}
	}
	fclose(f);
	assert_true(found);
}

static void
card_key(const fixture_t *fx, const char *name, uint8_t out[16])
{
	uint8_t mk[16];

	master_key(fx, name, mk);
	ref_diversify(mk, fx->f, out);
}

/* ---- APDUs ---------------------------------------------------------------------------------- */

/* Sends an APDU; follows 61xx with GET RESPONSE. Returns the SW; data in fx->resp. */
static uint16_t
apdu(fixture_t *fx, sim_card_t *c, const uint8_t *cmd, size_t len)
{
	size_t n = sim_dispatch(c, cmd, len, fx->resp, sizeof(fx->resp));
	uint16_t sw;

	assert_true(n >= 2);
	sw = (uint16_t)((fx->resp[n - 2] << 8) | fx->resp[n - 1]);
	fx->rlen = n - 2;
	if ((sw >> 8) == 0x61) {
		uint8_t gr[5] = { 0x00, 0xC0, 0x00, 0x00, (uint8_t)sw };

		return apdu(fx, c, gr, sizeof(gr));
	}
	return sw;
}

/* Builds CLA INS P1 P2 [Lc data] [Le] and sends it. le < 0: none. */
static uint16_t
cmd(fixture_t *fx, sim_card_t *c, uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2,
    const uint8_t *data, size_t lc, int le)
{
	uint8_t b[300];
	size_t n = 0;

	b[n++] = cla;
	b[n++] = ins;
	b[n++] = p1;
	b[n++] = p2;
	if (lc > 0) {
		b[n++] = (uint8_t)lc;
		memcpy(b + n, data, lc);
		n += lc;
	}
	if (le >= 0)
		b[n++] = (uint8_t)le;
	return apdu(fx, c, b, n);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static int
setup(void **state)
{
	fixture_t *fx = calloc(1, sizeof(*fx));
	const char *top = getenv("top_srcdir");
	sim_factory_opts_t o;

	assert_non_null(fx);
	snprintf(fx->keyset, sizeof(fx->keyset), "%s/sim/demo.keyset", top ? top : ".");
	memset(&o, 0, sizeof(o));
	o.name[0] = "keyset";        o.value[0] = fx->keyset;
	o.name[1] = "purse-ep";      o.value[1] = "10000";
	o.name[2] = "purse-ed";      o.value[2] = "50000";
	o.name[3] = "purse-serial";  o.value[3] = SERIAL;
	o.name[4] = "purse-ep-limit"; o.value[4] = "5000";
	o.name[5] = "purse-ep-max";  o.value[5] = "20000";
	o.n = 6;
	fx->user = sim_factory(SIM_CARD_USER, &o);
	fx->sam = sim_factory(SIM_CARD_SAM, &o);
	assert_non_null(fx->user);
	assert_non_null(fx->sam);
	/* user card: select the debit application, read EF15 */
	assert_int_equal(cmd(fx, fx->user, 0x00, 0xA4, 0x04, 0x0C, AID, 7, -1), 0x9000);
	assert_int_equal(cmd(fx, fx->user, 0x00, 0xB0, 0x95, 0x00, NULL, 0, 0x1E), 0x9000);
	assert_int_equal(fx->rlen, 30);
	memcpy(fx->ef15, fx->resp, 30);
	memcpy(fx->f, fx->ef15 + 12, 8);
	/* SAM: terminal number with the MF current, then the PSAM application */
	assert_int_equal(cmd(fx, fx->sam, 0x00, 0xB0, 0x96, 0x00, NULL, 0, 6), 0x9000);
	assert_int_equal(fx->rlen, 6);
	memcpy(fx->terminal, fx->resp, 6);
	assert_int_equal(cmd(fx, fx->sam, 0x00, 0xA4, 0x00, 0x00, (const uint8_t *)"\x10\x01", 2, -1),
	    0x9000);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	fixture_t *fx = *state;

	sim_card_free(&fx->user);
	sim_card_free(&fx->sam);
	free(fx);
	return 0;
}

static const uint8_t DATE[4] = { 0x20, 0x26, 0x11, 0x23 };
static const uint8_t TIME[3] = { 0x11, 0x45, 0x09 };

/* One purchase with every MAC checked; returns the DEBIT SW. ledger 1 ED, 2 EP. */
static uint16_t
purchase(fixture_t *fx, uint8_t ledger, uint32_t amount, int corrupt_mac1, uint32_t *bal_before)
{
	uint8_t d[32], r[4], mac1[4], dpk[16], dtk[16], sespk[8], in[8], tk[8], m[4], buf[32];
	uint8_t tac[4], mac2[4], type = ledger == 1 ? 0x05 : 0x06;
	uint16_t n, sw;
	uint32_t t;
	int i;

	d[0] = 0x01;
	put32(d + 1, amount);
	memcpy(d + 5, fx->terminal, 6);
	sw = cmd(fx, fx->user, 0x80, 0x50, 0x01, ledger, d, 11, 0x0F);
	if (sw != 0x9000)
		return sw;
	assert_int_equal(fx->rlen, 15);
	*bal_before = get32(fx->resp);
	n = (uint16_t)((fx->resp[4] << 8) | fx->resp[5]);
	assert_memory_equal(fx->resp + 6, "\0\0\0", 3);
	assert_int_equal(fx->resp[9], 0x01);      /* key version */
	assert_int_equal(fx->resp[10], 0x00);     /* algorithm 3DES */
	memcpy(r, fx->resp + 11, 4);

	/* PSAM MAC1 */
	memcpy(d, r, 4);
	d[4] = (uint8_t)(n >> 8);
	d[5] = (uint8_t)n;
	put32(d + 6, amount);
	d[10] = type;
	memcpy(d + 11, DATE, 4);
	memcpy(d + 15, TIME, 3);
	d[18] = 0x01;
	d[19] = 0x00;
	memcpy(d + 20, fx->f, 8);
	assert_int_equal(cmd(fx, fx->sam, 0x80, 0x70, 0x00, 0x00, d, 28, 8), 0x9000);
	assert_int_equal(fx->rlen, 8);
	t = get32(fx->resp);
	memcpy(mac1, fx->resp + 4, 4);

	/* independent: DPK, SESPK = 3DES_DPK(R ‖ N ‖ T[2..3]), MAC1 */
	card_key(fx, ledger == 1 ? "purse.ed.dpk" : "purse.ep.dpk", dpk);
	memcpy(in, r, 4);
	in[4] = (uint8_t)(n >> 8);
	in[5] = (uint8_t)n;
	in[6] = (uint8_t)(t >> 8);
	in[7] = (uint8_t)t;
	ref_3des(dpk, in, sespk);
	put32(buf, amount);
	buf[4] = type;
	memcpy(buf + 5, fx->terminal, 6);
	memcpy(buf + 11, DATE, 4);
	memcpy(buf + 15, TIME, 3);
	ref_mac(sespk, buf, 18, m);
	assert_memory_equal(m, mac1, 4);

	/* DEBIT */
	put32(d, t);
	memcpy(d + 4, DATE, 4);
	memcpy(d + 8, TIME, 3);
	memcpy(d + 11, mac1, 4);
	if (corrupt_mac1)
		d[14] ^= 0x01;
	sw = cmd(fx, fx->user, 0x80, 0x54, 0x01, 0x00, d, 15, 8);
	if (sw != 0x9000)
		return sw;
	assert_int_equal(fx->rlen, 8);
	memcpy(tac, fx->resp, 4);
	memcpy(mac2, fx->resp + 4, 4);
	/* MAC2 = MAC_SESPK(amount); TAC = MAC_(DTK L^R)(amount ‖ type ‖ terminal ‖ T ‖ date ‖ time) */
	ref_mac(sespk, buf, 4, m);
	assert_memory_equal(m, mac2, 4);
	card_key(fx, ledger == 1 ? "purse.ed.dtk" : "purse.ep.dtk", dtk);
	for (i = 0; i < 8; i++)
		tk[i] = (uint8_t)(dtk[i] ^ dtk[8 + i]);
	put32(buf, amount);
	buf[4] = type;
	memcpy(buf + 5, fx->terminal, 6);
	put32(buf + 11, t);
	memcpy(buf + 15, DATE, 4);
	memcpy(buf + 19, TIME, 3);
	ref_mac(tk, buf, 22, m);
	assert_memory_equal(m, tac, 4);

	/* PSAM accepts MAC2 once */
	assert_int_equal(cmd(fx, fx->sam, 0x80, 0x72, 0x00, 0x00, mac2, 4, -1), 0x9000);
	assert_int_equal(cmd(fx, fx->sam, 0x80, 0x72, 0x00, 0x00, mac2, 4, -1), 0x6985);

	/* GET TRANSACTION PROVE returns MAC2 ‖ TAC for N, 9406 for another N */
	d[0] = (uint8_t)(n >> 8);
	d[1] = (uint8_t)n;
	assert_int_equal(cmd(fx, fx->user, 0x80, 0x5A, 0x00, type, d, 2, 8), 0x9000);
	assert_memory_equal(fx->resp, mac2, 4);
	assert_memory_equal(fx->resp + 4, tac, 4);
	d[1] ^= 0x40;
	assert_int_equal(cmd(fx, fx->user, 0x80, 0x5A, 0x00, type, d, 2, 8), 0x9406);

	/* detail record 1: N ‖ 000000 ‖ amount ‖ type ‖ terminal ‖ date ‖ time */
	assert_int_equal(cmd(fx, fx->user, 0x00, 0xB2, 0x01, 0xC4, NULL, 0, 0x17), 0x9000);
	assert_int_equal(fx->rlen, 23);
	assert_int_equal((fx->resp[0] << 8) | fx->resp[1], n);
	assert_int_equal(get32(fx->resp + 5), amount);
	assert_int_equal(fx->resp[9], type);
	assert_memory_equal(fx->resp + 10, fx->terminal, 6);
	assert_memory_equal(fx->resp + 16, DATE, 4);
	assert_memory_equal(fx->resp + 20, TIME, 3);
	return 0x9000;
}

static uint32_t
balance(fixture_t *fx, uint8_t ledger)
{
	assert_int_equal(cmd(fx, fx->user, 0x80, 0x5C, 0x00, ledger, NULL, 0, 4), 0x9000);
	assert_int_equal(fx->rlen, 4);
	return get32(fx->resp);
}

static void
test_ef15(void **state)
{
	fixture_t *fx = *state;

	assert_int_equal(fx->ef15[8], 0x01);
	assert_memory_equal(fx->ef15 + 10, "\x88\x60\x00\x00\x00\x00\x00\x01\x23\x45", 10);
	/* EF15 is never writable */
	assert_int_equal(cmd(fx, fx->user, 0x00, 0xD6, 0x95, 0x00, (const uint8_t *)"\1", 1, -1),
	    0x6985);
}

static void
test_purchase_ep(void **state)
{
	fixture_t *fx = *state;
	uint32_t before = 0;

	assert_int_equal(purchase(fx, 2, 1234, 0, &before), 0x9000);
	assert_int_equal(before, 10000);
	assert_int_equal(balance(fx, 2), 10000 - 1234);
	/* GET DATA 9F79: n12 */
	assert_int_equal(cmd(fx, fx->user, 0x80, 0xCA, 0x9F, 0x79, NULL, 0, 0), 0x9000);
	assert_int_equal(fx->rlen, 9);
	assert_memory_equal(fx->resp, "\x9F\x79\x06\x00\x00\x00\x00\x87\x66", 9);
	assert_int_equal(cmd(fx, fx->user, 0x80, 0xCA, 0x9F, 0x78, NULL, 0, 0),
	    0x9000);
	assert_memory_equal(fx->resp, "\x9F\x78\x06\x00\x00\x00\x00\x50\x00", 9);
	assert_int_equal(cmd(fx, fx->user, 0x80, 0xCA, 0x9F, 0x50, NULL, 0, 0), 0x6A88);
	/* a second purchase uses N 1 */
	assert_int_equal(purchase(fx, 2, 1, 0, &before), 0x9000);
	assert_int_equal(before, 10000 - 1234);
}

static void
test_purchase_ed_needs_pin(void **state)
{
	fixture_t *fx = *state;
	uint8_t pin[6] = { 0x12, 0x34, 0x56, 0xFF, 0xFF, 0xFF };
	uint32_t before = 0;

	assert_int_equal(purchase(fx, 1, 500, 0, &before), 0x6982);
	assert_int_equal(cmd(fx, fx->user, 0x80, 0x5C, 0x00, 0x01, NULL, 0, 4), 0x6982);
	assert_int_equal(cmd(fx, fx->user, 0x00, 0x20, 0x00, 0x00, pin, 6, -1), 0x9000);
	assert_int_equal(purchase(fx, 1, 500, 0, &before), 0x9000);
	assert_int_equal(before, 50000);
	assert_int_equal(balance(fx, 1), 49500);
	/* the verified state survives SELECT, and is cleared by reset */
	assert_int_equal(cmd(fx, fx->user, 0x00, 0xA4, 0x04, 0x0C, AID, 7, -1), 0x9000);
	assert_int_equal(cmd(fx, fx->user, 0x00, 0x20, 0x00, 0x00, NULL, 0, -1), 0x9000);
	sim_card_reset(fx->user);
	assert_int_equal(cmd(fx, fx->user, 0x00, 0xA4, 0x04, 0x0C, AID, 7, -1), 0x9000);
	assert_int_equal(cmd(fx, fx->user, 0x00, 0x20, 0x00, 0x00, NULL, 0, -1), 0x63C3);
}

static void
test_refusals(void **state)
{
	fixture_t *fx = *state;
	uint8_t d[16];
	uint32_t before = 0;

	/* wrong MAC1: 9302 and nothing changes */
	assert_int_equal(purchase(fx, 2, 100, 1, &before), 0x9302);
	assert_int_equal(balance(fx, 2), 10000);
	/* the failed debit consumed the INITIALIZE: N is still 0 */
	d[0] = 0x01;
	put32(d + 1, 100);
	memcpy(d + 5, fx->terminal, 6);
	assert_int_equal(cmd(fx, fx->user, 0x80, 0x50, 0x01, 0x02, d, 11, 0x0F), 0x9000);
	assert_int_equal((fx->resp[4] << 8) | fx->resp[5], 0);
	/* INITIALIZE is remembered for the next command only */
	assert_int_equal(balance(fx, 2), 10000);
	memset(d, 0, sizeof(d));
	assert_int_equal(cmd(fx, fx->user, 0x80, 0x54, 0x01, 0x00, d, 15, 8), 0x6985);
	/* DEBIT and CREDIT without INITIALIZE */
	assert_int_equal(cmd(fx, fx->user, 0x80, 0x54, 0x01, 0x00, d, 15, 8), 0x6985);
	assert_int_equal(cmd(fx, fx->user, 0x80, 0x52, 0x00, 0x00, d, 11, 4), 0x6985);
	/* over balance 9401, over the single-transaction limit 6985, key index 9403 */
	d[0] = 0x01;
	put32(d + 1, 10001);
	memcpy(d + 5, fx->terminal, 6);
	assert_int_equal(cmd(fx, fx->user, 0x80, 0x50, 0x01, 0x02, d, 11, 0x0F), 0x9401);
	put32(d + 1, 5001);
	assert_int_equal(cmd(fx, fx->user, 0x80, 0x50, 0x01, 0x02, d, 11, 0x0F), 0x6985);
	put32(d + 1, 100);
	d[0] = 0x02;
	assert_int_equal(cmd(fx, fx->user, 0x80, 0x50, 0x01, 0x02, d, 11, 0x0F), 0x9403);
	/* load above the balance limit (20000) */
	d[0] = 0x01;
	put32(d + 1, 10001);
	assert_int_equal(cmd(fx, fx->user, 0x80, 0x50, 0x00, 0x02, d, 11, 0x10), 0x6985);
	/* PSAM: unknown key version 9403 */
	memset(d, 0, sizeof(d));
	{
		uint8_t m[28] = { 0 };

		m[10] = 0x06;
		m[18] = 0x02;
		assert_int_equal(cmd(fx, fx->sam, 0x80, 0x70, 0x00, 0x00, m, 28, 8), 0x9403);
	}
	assert_int_equal(balance(fx, 2), 10000);
}

static void
test_load_and_issuer(void **state)
{
	fixture_t *fx = *state;
	hc_purse_issuer_t *is = NULL;
	hc_purse_load_req_t req;
	uint8_t d[16], dlk[16], dtk[16], seslk[8], in[8], buf[32], m[4], mac2[4], tk[8];
	uint32_t bal;
	uint16_t mctr;
	int i;

	d[0] = 0x01;
	put32(d + 1, 2500);
	memcpy(d + 5, fx->terminal, 6);
	assert_int_equal(cmd(fx, fx->user, 0x80, 0x50, 0x00, 0x02, d, 11, 0x10), 0x9000);
	assert_int_equal(fx->rlen, 16);
	bal = get32(fx->resp);
	mctr = (uint16_t)((fx->resp[4] << 8) | fx->resp[5]);
	assert_int_equal(bal, 10000);
	assert_int_equal(mctr, 0);
	/* independent: SESLK = 3DES_DLK(R ‖ M ‖ 80 00); MAC1 = MAC(balance ‖ amount ‖ 02 ‖ terminal) */
	card_key(fx, "purse.ep.dlk", dlk);
	memcpy(in, fx->resp + 8, 4);
	in[4] = fx->resp[4];
	in[5] = fx->resp[5];
	in[6] = 0x80;
	in[7] = 0x00;
	ref_3des(dlk, in, seslk);
	put32(buf, bal);
	put32(buf + 4, 2500);
	buf[8] = 0x02;
	memcpy(buf + 9, fx->terminal, 6);
	ref_mac(seslk, buf, 15, m);
	assert_memory_equal(m, fx->resp + 12, 4);

	/* the library's issuer key service checks MAC1 and answers MAC2 */
	memset(&req, 0, sizeof(req));
	req.ledger = HC_LEDGER_EP;
	memcpy(req.factor, fx->f, 8);
	req.balance = bal;
	req.amount = 2500;
	req.m = mctr;
	memcpy(req.random, fx->resp + 8, 4);
	memcpy(req.terminal, fx->terminal, 6);
	memcpy(req.mac1, fx->resp + 12, 4);
	memcpy(req.date, DATE, 4);
	memcpy(req.time, TIME, 3);
	assert_int_equal(hc_purse_issuer_open(fx->keyset, &is), HC_OK);
	assert_int_equal(hc_purse_issuer_load_mac2(is, &req, mac2), HC_OK);
	put32(buf, 2500);
	buf[4] = 0x02;
	memcpy(buf + 5, fx->terminal, 6);
	memcpy(buf + 11, DATE, 4);
	memcpy(buf + 15, TIME, 3);
	ref_mac(seslk, buf, 18, m);
	assert_memory_equal(m, mac2, 4);
	req.mac1[0] ^= 1;
	assert_int_equal(hc_purse_issuer_load_mac2(is, &req, m), HC_ERR_MAC_INVALID);
	hc_purse_issuer_free(&is);
	assert_null(is);

	/* CREDIT FOR LOAD -> TAC = MAC(new balance ‖ M ‖ amount ‖ 02 ‖ terminal ‖ date ‖ time) */
	memcpy(d, DATE, 4);
	memcpy(d + 4, TIME, 3);
	memcpy(d + 7, mac2, 4);
	assert_int_equal(cmd(fx, fx->user, 0x80, 0x52, 0x00, 0x00, d, 11, 4), 0x9000);
	assert_int_equal(fx->rlen, 4);
	card_key(fx, "purse.ep.dtk", dtk);
	for (i = 0; i < 8; i++)
		tk[i] = (uint8_t)(dtk[i] ^ dtk[8 + i]);
	put32(buf, 12500);
	buf[4] = 0;
	buf[5] = 0;
	put32(buf + 6, 2500);
	buf[10] = 0x02;
	memcpy(buf + 11, fx->terminal, 6);
	memcpy(buf + 17, DATE, 4);
	memcpy(buf + 21, TIME, 3);
	ref_mac(tk, buf, 24, m);
	assert_memory_equal(m, fx->resp, 4);
	assert_int_equal(balance(fx, 2), 12500);
	/* a wrong host MAC2 is refused and credits nothing */
	d[0] = 0x01;
	put32(d + 1, 100);
	memcpy(d + 5, fx->terminal, 6);
	assert_int_equal(cmd(fx, fx->user, 0x80, 0x50, 0x00, 0x02, d, 11, 0x10), 0x9000);
	assert_int_equal((fx->resp[4] << 8) | fx->resp[5], 1);
	memcpy(d, DATE, 4);
	memcpy(d + 4, TIME, 3);
	memset(d + 7, 0x5A, 4);
	assert_int_equal(cmd(fx, fx->user, 0x80, 0x52, 0x00, 0x00, d, 11, 4), 0x9302);
	assert_int_equal(balance(fx, 2), 12500);
}

static void
test_pin(void **state)
{
	fixture_t *fx = *state;
	uint8_t good[6] = { 0x12, 0x34, 0x56, 0xFF, 0xFF, 0xFF };
	uint8_t bad[6] = { 0x65, 0x43, 0x21, 0xFF, 0xFF, 0xFF };
	uint8_t newpin[6] = { 0x24, 0x68, 0xFF, 0xFF, 0xFF, 0xFF };
	uint8_t badfmt[6] = { 0x12, 0xF4, 0xFF, 0xFF, 0xFF, 0xFF };
	uint8_t prk[16], reload[10], change[13];

	assert_int_equal(cmd(fx, fx->user, 0x00, 0x20, 0x00, 0x00, badfmt, 6, -1), 0x6A80);
	assert_int_equal(cmd(fx, fx->user, 0x00, 0x20, 0x00, 0x00, good, 6, -1), 0x9000);
	assert_int_equal(cmd(fx, fx->user, 0x00, 0x20, 0x00, 0x00, bad, 6, -1), 0x63C2);
	/* a failed VERIFY clears the verified state */
	assert_int_equal(cmd(fx, fx->user, 0x80, 0x5C, 0x00, 0x01, NULL, 0, 4), 0x6982);
	assert_int_equal(cmd(fx, fx->user, 0x00, 0x20, 0x00, 0x00, bad, 6, -1), 0x63C1);
	assert_int_equal(cmd(fx, fx->user, 0x00, 0x20, 0x00, 0x00, NULL, 0, -1), 0x63C1);
	assert_int_equal(cmd(fx, fx->user, 0x00, 0x20, 0x00, 0x00, bad, 6, -1), 0x63C0);
	assert_int_equal(cmd(fx, fx->user, 0x00, 0x20, 0x00, 0x00, good, 6, -1), 0x6983);
	assert_int_equal(cmd(fx, fx->user, 0x00, 0x20, 0x00, 0x00, NULL, 0, -1), 0x6983);
	assert_true(fx->user->pin_blocked);
	/* RELOAD PIN with the retail MAC under PRK (computed here) */
	card_key(fx, "purse.ed.prk", prk);
	memcpy(reload, newpin, 6);
	ref_retail(prk, newpin, 6, reload + 6);
	reload[9] ^= 1;
	assert_int_equal(cmd(fx, fx->user, 0x80, 0x5E, 0x00, 0x00, reload, 10, -1), 0x9302);
	reload[9] ^= 1;
	assert_int_equal(cmd(fx, fx->user, 0x80, 0x5E, 0x00, 0x00, reload, 10, -1), 0x9000);
	assert_false(fx->user->pin_blocked);
	assert_int_equal(cmd(fx, fx->user, 0x00, 0x20, 0x00, 0x00, good, 6, -1), 0x63C2);
	assert_int_equal(cmd(fx, fx->user, 0x00, 0x20, 0x00, 0x00, newpin, 6, -1), 0x9000);
	/* CHANGE PIN: wrong old counts; right old sets the new one */
	memcpy(change, bad, 6);
	change[6] = 0xFF;
	memcpy(change + 7, good, 6);
	assert_int_equal(cmd(fx, fx->user, 0x80, 0x5E, 0x01, 0x00, change, 13, -1), 0x63C2);
	memcpy(change, newpin, 6);
	assert_int_equal(cmd(fx, fx->user, 0x80, 0x5E, 0x01, 0x00, change, 13, -1), 0x9000);
	assert_int_equal(cmd(fx, fx->user, 0x00, 0x20, 0x00, 0x00, good, 6, -1), 0x9000);
	assert_int_equal(cmd(fx, fx->user, 0x00, 0x20, 0x00, 0x00, NULL, 0, -1), 0x9000);
	/* outside the debit / PKI applications the PIN is not addressed */
	assert_int_equal(cmd(fx, fx->user, 0x00, 0xA4, 0x00, 0x0C, (const uint8_t *)"\x3F\x00", 2, -1),
	    0x9000);
	assert_int_equal(cmd(fx, fx->user, 0x00, 0x20, 0x00, 0x00, good, 6, -1), 0x6A88);
}

static void
test_image_roundtrip(void **state)
{
	fixture_t *fx = *state;
	uint8_t *img = NULL, pin[6] = { 0x12, 0x34, 0x56, 0xFF, 0xFF, 0xFF }, bad[6] = { 0x99, 0x99,
	    0xFF, 0xFF, 0xFF, 0xFF }, d[2] = { 0, 0 };
	sim_card_t *copy;
	uint32_t before = 0;
	size_t len = 0;

	assert_int_equal(purchase(fx, 2, 700, 0, &before), 0x9000);
	assert_int_equal(cmd(fx, fx->user, 0x00, 0x20, 0x00, 0x00, bad, 6, -1), 0x63C2);
	assert_int_equal(sim_image_encode(fx->user, &img, &len), 0);
	copy = sim_image_decode(img, len);
	free(img);
	assert_non_null(copy);
	sim_card_free(&fx->user);
	fx->user = copy;
	sim_card_reset(fx->user);
	assert_int_equal(cmd(fx, fx->user, 0x00, 0xA4, 0x04, 0x0C, AID, 7, -1), 0x9000);
	assert_int_equal(balance(fx, 2), 10000 - 700);
	assert_int_equal(cmd(fx, fx->user, 0x80, 0x5A, 0x00, 0x06, d, 2, 8), 0x9000);
	/* the try counter persisted */
	assert_int_equal(cmd(fx, fx->user, 0x00, 0x20, 0x00, 0x00, NULL, 0, -1), 0x63C2);
	assert_int_equal(cmd(fx, fx->user, 0x00, 0x20, 0x00, 0x00, pin, 6, -1), 0x9000);
	/* the PSAM's counter T persisted too */
	assert_int_equal(sim_image_encode(fx->sam, &img, &len), 0);
	copy = sim_image_decode(img, len);
	free(img);
	assert_non_null(copy);
	sim_card_free(&fx->sam);
	fx->sam = copy;
	sim_card_reset(fx->sam);
	assert_int_equal(cmd(fx, fx->sam, 0x00, 0xA4, 0x00, 0x00, (const uint8_t *)"\x10\x01", 2, -1),
	    0x9000);
	assert_int_equal(purchase(fx, 2, 300, 0, &before), 0x9000);
	assert_int_equal(before, 10000 - 700);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ef15, setup, teardown),
		cmocka_unit_test_setup_teardown(test_purchase_ep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_purchase_ed_needs_pin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_and_issuer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_image_roundtrip, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
