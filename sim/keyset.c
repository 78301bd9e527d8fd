/*
 * Key-set files (sim/keyset.h): parsing, lookup, generation and `hcard-sim keyset`.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "apdu/buf.h"
#include "apdu/log.h"
#include "crypto/crypto.h"
#include "sim/cert.h"
#include "sim/keyset.h"

#define KS_MAX_ENTRIES 256u
#define KS_MAX_NAME    31u
#define KS_MAX_VALUE   512u
#define KS_MAX_FILE    (256u * 1024u)

typedef struct ks_entry {
	char name[KS_MAX_NAME + 1];
	uint8_t *value;
	size_t len;
} ks_entry_t;

struct sim_keyset {
	ks_entry_t e[KS_MAX_ENTRIES];
	size_t n;
};

void
sim_keyset_free(sim_keyset_t **ksp)
{
	sim_keyset_t *ks;
	size_t i;

	if (ksp == NULL || *ksp == NULL)
		return;
	ks = *ksp;
	for (i = 0; i < ks->n; i++) {
		OPENSSL_cleanse(ks->e[i].value, ks->e[i].len);
		free(ks->e[i].value);
	}
	OPENSSL_cleanse(ks, sizeof(*ks));
	free(ks);
	*ksp = NULL;
}

static int
valid_name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '.' || ch == '_' || ch == '-';
}

/* One line "name hex" (already stripped of comments); blank lines are fine. */
static int
parse_line(sim_keyset_t *ks, const char *line, size_t len, unsigned lineno)
{
	char hex[2 * KS_MAX_VALUE + 1];
	size_t i = 0, name_len = 0, hex_len = 0;
	uint8_t buf[KS_MAX_VALUE];
	ks_entry_t *ent;
	int n, ret = -1;

	while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
		i++;
	if (i == len)
		return 0;
	ent = &ks->e[ks->n];
	while (i < len && valid_name_char(line[i])) {
		if (name_len == KS_MAX_NAME) {
			hc_log_error("key set line %u: name too long", lineno);
			goto out;
		}
		ent->name[name_len++] = line[i++];
	}
	ent->name[name_len] = '\0';
	if (name_len == 0 || i == len || (line[i] != ' ' && line[i] != '\t')) {
		hc_log_error("key set line %u: expected `name hex`", lineno);
		goto out;
	}
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	while (i < len && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') {
		if (hex_len == sizeof(hex) - 1) {
			hc_log_error("key set line %u: value too long", lineno);
			goto out;
		}
		hex[hex_len++] = line[i++];
	}
	hex[hex_len] = '\0';
	while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
		i++;
	if (i != len || hex_len == 0 || hex_len % 2 != 0 ||
	    (n = hc_hex_decode(hex, buf, sizeof(buf))) <= 0 || (size_t)n * 2 != hex_len) {
		hc_log_error("key set line %u: value is not hex", lineno);
		goto out;
	}
	if (ks->n == KS_MAX_ENTRIES) {
		hc_log_error("key set line %u: too many entries", lineno);
		goto out;
	}
	for (i = 0; i < ks->n; i++)
		if (strcmp(ks->e[i].name, ent->name) == 0) {
			hc_log_error("key set line %u: %s given twice", lineno, ent->name);
			goto out;
		}
	if ((ent->value = malloc((size_t)n)) == NULL)
		goto out;
	memcpy(ent->value, buf, (size_t)n);
	ent->len = (size_t)n;
	ks->n++;
	ret = 0;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	OPENSSL_cleanse(hex, sizeof(hex));
	return ret;
}

sim_keyset_t *
sim_keyset_parse(const char *text, size_t len)
{
	sim_keyset_t *ks = NULL;
	size_t start = 0, end, content;
	unsigned lineno = 0;

	if (text == NULL || len > KS_MAX_FILE || (ks = calloc(1, sizeof(*ks))) == NULL)
		goto fail;
	while (start < len) {
		lineno++;
		end = start;
		while (end < len && text[end] != '\n')
			end++;
		content = start;
		while (content < end && text[content] != '#')
			content++;
		if (parse_line(ks, text + start, content - start, lineno) != 0)
			goto fail;
		start = end + 1;
	}
	return ks;
fail:
	sim_keyset_free(&ks);
	return NULL;
}

sim_keyset_t *
sim_keyset_load(const char *path)
{
	sim_keyset_t *ks = NULL;
	char *buf = NULL;
	size_t n = 0;
	FILE *f = NULL;

	if (path == NULL)
		return sim_keyset_parse(sim_keyset_demo_text(), strlen(sim_keyset_demo_text()));
	if ((f = fopen(path, "re")) == NULL) {
		hc_log_error("%s: %s", path, strerror(errno));
		goto out;
	}
	if ((buf = malloc(KS_MAX_FILE + 1)) == NULL)
		goto out;
	n = fread(buf, 1, KS_MAX_FILE + 1, f);
	if (ferror(f) || n > KS_MAX_FILE) {
		hc_log_error("%s: unreadable or larger than %u bytes", path, KS_MAX_FILE);
		goto out;
	}
	ks = sim_keyset_parse(buf, n);
out:
	if (buf != NULL) {
		OPENSSL_cleanse(buf, n);
		free(buf);
	}
	if (f != NULL)
		fclose(f);
	return ks;
}

int
sim_keyset_get(const sim_keyset_t *ks, const char *name, uint8_t *out, size_t len)
{
	size_t i;

	if (ks == NULL || name == NULL || out == NULL)
		return -1;
	for (i = 0; i < ks->n; i++) {
		if (strcmp(ks->e[i].name, name) != 0)
			continue;
		if (ks->e[i].len != len) {
			hc_log_error("key set: %s has %zu bytes, expected %zu", name, ks->e[i].len,
			             len);
			return -1;
		}
		memcpy(out, ks->e[i].value, len);
		return 0;
	}
	hc_log_error("key set: %s missing", name);
	return -1;
}

static void
put_hex_line(FILE *f, const char *name, const uint8_t *p, size_t n)
{
	char hex[2 * KS_MAX_VALUE + 1];

	if (hc_hex_encode(p, n, hex, sizeof(hex)) == 0)
		fprintf(f, "%s %s\n", name, hex);
	OPENSSL_cleanse(hex, sizeof(hex));
}

/* Fresh random key material, written as key-set text. */
int
sim_keyset_generate(FILE *f)
{
	static const char *const ledgers[] = { "ed", "ep" };
	static const char *const purse_keys[] = { "dpk", "dlk", "dtk", "prk" };
	const sim_key_def_t *table;
	sim_cert_info_t info;
	uint8_t key[16], ca_priv[32], ca_pub[64], is_priv[32], cert[SIM_ISSUER_CERT_LEN];
	char name[32];
	size_t n, i, j;
	int ret = -1;

	memset(&info, 0, sizeof(info));
	fprintf(f, "# hcard key set (card-profile.md §4-§5, purse.md): keep secret\n");
	table = sim_key_table(&n);
	for (i = 0; i < n; i++) {
		if (hc_random(key, sizeof(key)) != 0)
			goto out;
		snprintf(name, sizeof(name), "mk.%02X", table[i].sam_tag);
		fprintf(f, "# %s\n", table[i].name);
		put_hex_line(f, name, key, sizeof(key));
	}
	if (hc_random(info.ca_id, 4) != 0 || hc_sm2_keygen(ca_priv, ca_pub) != 0 ||
	    hc_sm2_keygen(is_priv, info.pub) != 0)
		goto out;
	fprintf(f, "# root CA (SM2)\n");
	put_hex_line(f, "ca.id", info.ca_id, 4);
	put_hex_line(f, "ca.priv", ca_priv, 32);
	put_hex_line(f, "ca.pub", ca_pub, 64);
	/* issuer code cn 11: 22 digits, F-free; a fixed demo-like code with random tail */
	if (hc_random(info.subject + 6, 5) != 0)
		goto out;
	memcpy(info.subject, "\x11\x01\x00\x00\x00\x00", 6);
	for (i = 6; i < 11; i++)
		info.subject[i] = (uint8_t)(((info.subject[i] >> 4) % 10) << 4 |
		                            ((info.subject[i] & 0x0F) % 10));
	sim_cert_validity(time(NULL), 20, info.not_before, info.not_after);
	if (sim_cert_make_issuer(&info, ca_priv, cert) != 0)
		goto out;
	fprintf(f, "# issuer (SM2) and its certificate (EF05 tag 05)\n");
	put_hex_line(f, "issuer.code", info.subject, 11);
	put_hex_line(f, "issuer.priv", is_priv, 32);
	put_hex_line(f, "issuer.pub", info.pub, 64);
	put_hex_line(f, "issuer.cert", cert, sizeof(cert));
	fprintf(f, "# purse master keys (3DES, purse.md)\n");
	for (i = 0; i < 2; i++)
		for (j = 0; j < 4; j++) {
			if (hc_random(key, sizeof(key)) != 0)
				goto out;
			snprintf(name, sizeof(name), "purse.%s.%s", ledgers[i], purse_keys[j]);
			put_hex_line(f, name, key, sizeof(key));
		}
	ret = ferror(f) ? -1 : 0;
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(ca_priv, sizeof(ca_priv));
	OPENSSL_cleanse(is_priv, sizeof(is_priv));
	return ret;
}

int
sim_keyset_main(int argc, char **argv)
{
	const char *out = NULL;
	int demo = 0, fd = -1, i, ret = 1;
	FILE *f = NULL;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--demo") == 0)
			demo = 1;
		else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strncmp(argv[i], "--out=", 6) == 0)
			out = argv[i] + 6;
		else {
			fprintf(stderr, "usage: hcard-sim keyset [--demo] --out FILE\n");
			return 2;
		}
	}
	if (out == NULL) {
		fprintf(stderr, "usage: hcard-sim keyset [--demo] --out FILE\n");
		return 2;
	}
	if (strcmp(out, "-") == 0) {
		f = stdout;
	} else {
		if ((fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0 ||
		    (f = fdopen(fd, "w")) == NULL) {
			fprintf(stderr, "hcard-sim keyset: %s: %s\n", out, strerror(errno));
			goto out;
		}
		fd = -1;
	}
	if (demo)
		fputs(sim_keyset_demo_text(), f);
	else if (sim_keyset_generate(f) != 0) {
		fprintf(stderr, "hcard-sim keyset: generation failed\n");
		goto out;
	}
	if (fflush(f) != 0 || ferror(f)) {
		fprintf(stderr, "hcard-sim keyset: %s: write failed\n", out);
		goto out;
	}
	ret = 0;
out:
	if (f != NULL && f != stdout && fclose(f) != 0)
		ret = 1;
	if (fd >= 0)
		close(fd);
	return ret;
}
