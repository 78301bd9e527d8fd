/* hcard.conf: defaults, file, environment (conf.h). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/conf.h"

#ifndef HC_SYSCONFDIR
#define HC_SYSCONFDIR "/etc"
#endif

#define HC_CONF_FILE_MAX (64u * 1024u)

/* The keys of hcard.conf: where each value goes (data, not code). */
typedef struct conf_key {
	const char *name;
	size_t offset;     /* into hc_config_t */
	size_t size;       /* 0: an int (log_level) */
} conf_key_t;

#define STR(f) { #f, offsetof(hc_config_t, f), sizeof(((hc_config_t *)0)->f) }
static const conf_key_t conf_keys[] = {
	STR(card_reader), STR(sam_reader), STR(psam_reader), STR(sam_pin_file),
	STR(trust_anchor), STR(store), STR(location), STR(chip_profile),
	{ "log_level", offsetof(hc_config_t, log_level), 0 },
	/* bank / issuing station keys, used by the hcard CLI (doc/flows.md "hcard.conf") */
	STR(issuer_keys), { "operator", offsetof(hc_config_t, operator_id), HC_CONF_STR },
	STR(pki_ca_key), STR(pki_ca_cert), STR(pki_sm2_ca_key), STR(pki_sm2_ca_cert),
};

static const struct { const char *var; size_t offset; size_t size; } env_overrides[] = {
	{ "HCARD_CARD_READER", offsetof(hc_config_t, card_reader), HC_CONF_STR },
	{ "HCARD_SAM_READER", offsetof(hc_config_t, sam_reader), HC_CONF_STR },
	{ "HCARD_PSAM_READER", offsetof(hc_config_t, psam_reader), HC_CONF_STR },
};

static const char *
env(const char *name)
{
#ifdef HAVE_SECURE_GETENV
	return secure_getenv(name);
#else
	return getenv(name);
#endif
}

void
hc_config_defaults(hc_config_t *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	/* store "" = the library's default (hc_store_default_uri: $HCARD_STATE_DIR, else
	 * $localstatedir/lib/hcard), the same for card and store-only commands */
	cfg->store[0] = '\0';
	snprintf(cfg->trust_anchor, sizeof(cfg->trust_anchor), "%s/hcard/trust", HC_SYSCONFDIR);
	snprintf(cfg->location, sizeof(cfg->location), "%s", "unnamed terminal");
	snprintf(cfg->chip_profile, sizeof(cfg->chip_profile), "%s", "auto");
}

static void
say(char *detail, size_t cap, int line, const char *what, const char *arg)
{
	if (detail != NULL && cap > 0)
		snprintf(detail, cap, "hcard.conf line %d: %s%s", line, what, arg);
}

static char *
trim(char *s)
{
	char *e;

	while (*s != '\0' && isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int
hc_config_parse(hc_config_t *cfg, const char *text, char *detail, size_t detail_cap)
{
	char *copy = NULL, *line, *next, *key, *val, *eq, *end;
	size_t k;
	long lv;
	int ret = HC_ERR_CONFIG, lineno = 0;

	if (cfg == NULL || text == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	if ((copy = strdup(text)) == NULL)
		return HC_ERR_NO_MEMORY;
	for (line = copy; line != NULL; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if ((eq = strchr(line, '#')) != NULL)
			*eq = '\0';
		key = trim(line);
		if (*key == '\0')
			continue;
		if ((eq = strchr(key, '=')) == NULL) {
			say(detail, detail_cap, lineno, "expected `key = value`", "");
			goto out;
		}
		*eq = '\0';
		key = trim(key);
		val = trim(eq + 1);
		for (k = 0; k < sizeof(conf_keys) / sizeof(conf_keys[0]); k++)
			if (strcmp(conf_keys[k].name, key) == 0)
				break;
		if (k == sizeof(conf_keys) / sizeof(conf_keys[0])) {
			say(detail, detail_cap, lineno, "unknown key ", key);
			goto out;
		}
		if (conf_keys[k].size == 0) {
			errno = 0;
			lv = strtol(val, &end, 10);
			if (errno != 0 || *val == '\0' || *end != '\0' || lv < 0 || lv > 5) {
				say(detail, detail_cap, lineno, "log_level must be 0-5, not ", val);
				goto out;
			}
			*(int *)(void *)((char *)cfg + conf_keys[k].offset) = (int)lv;
		} else {
			if (strlen(val) >= conf_keys[k].size) {
				say(detail, detail_cap, lineno, "value too long for ", key);
				goto out;
			}
			memcpy((char *)cfg + conf_keys[k].offset, val, strlen(val) + 1);
		}
	}
	ret = HC_OK;
out:
	free(copy);
	return ret;
}

/* Reads a whole (small) file; HC_ERR_IO if it cannot be read. */
static int
read_file(const char *path, char **out)
{
	FILE *f = NULL;
	char *buf = NULL;
	size_t n;
	int ret = HC_ERR_IO;

	if ((f = fopen(path, "re")) == NULL)
		goto out;
	if ((buf = malloc(HC_CONF_FILE_MAX + 1)) == NULL) {
		ret = HC_ERR_NO_MEMORY;
		goto out;
	}
	n = fread(buf, 1, HC_CONF_FILE_MAX + 1, f);
	if (ferror(f) || n > HC_CONF_FILE_MAX)
		goto out;
	buf[n] = '\0';
	*out = buf;
	buf = NULL;
	ret = HC_OK;
out:
	free(buf);
	if (f != NULL)
		fclose(f);
	return ret;
}

int
hc_config_load(hc_config_t *cfg, const char *path, char *detail, size_t detail_cap)
{
	char sys[HC_CONF_PATH];
	char *text = NULL;
	const char *v;
	size_t i;
	int ret, must_exist = 1;

	if (cfg == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	hc_config_defaults(cfg);
	if (detail != NULL && detail_cap > 0)
		detail[0] = '\0';
	if (path == NULL)
		path = env("HCARD_CONF");
	if (path == NULL || *path == '\0') {
		snprintf(sys, sizeof(sys), "%s/hcard.conf", HC_SYSCONFDIR);
		path = sys;
		must_exist = 0;
	}
	ret = read_file(path, &text);
	if (ret == HC_ERR_IO && !must_exist && errno == ENOENT) {
		ret = HC_OK;          /* no system file: defaults */
	} else if (ret != HC_OK) {
		if (detail != NULL && detail_cap > 0)
			snprintf(detail, detail_cap, "cannot read %s: %s", path, strerror(errno));
		goto out;
	} else {
		if ((ret = hc_config_parse(cfg, text, detail, detail_cap)) != HC_OK)
			goto out;
		snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	}
	for (i = 0; i < sizeof(env_overrides) / sizeof(env_overrides[0]); i++)
		if ((v = env(env_overrides[i].var)) != NULL && *v != '\0')
			snprintf((char *)cfg + env_overrides[i].offset, env_overrides[i].size, "%s", v);
	ret = HC_OK;
out:
	free(text);
	return ret;
}
