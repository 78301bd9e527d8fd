/*
 * hcard.conf (internal): `key = value` lines, `#` comments. Keys: card_reader, sam_reader,
 * psam_reader (PC/SC reader name or substring), sam_pin_file, trust_anchor, store,
 * location, log_level (0-5), chip_profile (a name of src/profile.c's chip table, or auto);
 * for bank and issuing stations (read by the hcard CLI, where options and environment
 * override them; doc/flows.md "hcard.conf"): issuer_keys, operator, pki_ca_key, pki_ca_cert,
 * pki_sm2_ca_key, pki_sm2_ca_cert.
 * Search: the explicit path, else $HCARD_CONF (secure_getenv), else $sysconfdir/hcard.conf
 * if it exists, else defaults (which suit the simulator). After the file, the environment
 * overrides the readers: HCARD_CARD_READER, HCARD_SAM_READER, HCARD_PSAM_READER.
 */
#ifndef HC_SRC_CONF_H
#define HC_SRC_CONF_H

#include "hcard.h"

#define HC_CONF_STR 256
#define HC_CONF_PATH 1024

typedef struct hc_config {
	char path[HC_CONF_PATH];            /* file read; "" when only defaults */
	char card_reader[HC_CONF_STR];      /* "" = auto-detect */
	char sam_reader[HC_CONF_STR];       /* "" = auto-detect */
	char psam_reader[HC_CONF_STR];      /* "" = the SAM card */
	char sam_pin_file[HC_CONF_PATH];    /* "" = none */
	char trust_anchor[HC_CONF_PATH];
	char store[HC_CONF_PATH];           /* sqlite:PATH or postgresql://...; "" = default
	                                       (hc_store_default_uri, src/store.h) */
	char location[HC_CONF_STR];         /* terminal location for journals */
	char chip_profile[64];              /* "auto" or a chip profile name */
	int log_level;                      /* 0 quiet .. 5 APDU dumps */
	/* bank / issuing station (the CLI's --issuer-keys, --operator, --pki-*-ca-*) */
	char issuer_keys[HC_CONF_PATH];     /* purse/issuer key-set file */
	char operator_id[HC_CONF_STR];      /* key "operator": who, in the journal */
	char pki_ca_key[HC_CONF_PATH];      /* issuer CA of PKI key 01 (P-256): key, certificate */
	char pki_ca_cert[HC_CONF_PATH];
	char pki_sm2_ca_key[HC_CONF_PATH];  /* issuer CA of PKI key 02 (SM2) */
	char pki_sm2_ca_cert[HC_CONF_PATH];
} hc_config_t;

/* Defaults, then the file (see above), then environment overrides. HC_ERR_CONFIG with the
 * line number in detail (may be NULL) for a malformed file or an unknown key; HC_ERR_IO when
 * an explicitly named file cannot be read. */
int hc_config_load(hc_config_t *cfg, const char *path, char *detail, size_t detail_cap);
/* Parses text (the file's contents) over cfg. */
int hc_config_parse(hc_config_t *cfg, const char *text, char *detail, size_t detail_cap);
void hc_config_defaults(hc_config_t *cfg);

/* The context's configuration (never NULL for a valid ctx). */
const hc_config_t *hc_ctx_config(const hc_ctx_t *ctx);
/* Records a detail message on the context (hc_ctx_error_detail) and logs it. */
void hc_ctx_set_detail(hc_ctx_t *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
