/*
 * Logging: quiet by default; HCARD_DEBUG=1 (read with secure_getenv) or a callback enables
 * it. APDU dumps mask the data of sensitive commands (VERIFY, CHANGE/RELOAD PIN, anything
 * flagged sensitive) and of responses to them.
 */
#ifndef HC_APDU_LOG_H
#define HC_APDU_LOG_H

#include <stddef.h>
#include <stdint.h>

typedef void (*hc_log_fn)(int level, const char *msg, void *arg);

enum { HC_LOG_ERROR = 1, HC_LOG_WARN, HC_LOG_INFO, HC_LOG_DEBUG, HC_LOG_APDU };

/* Process-wide: the one piece of global state, set once by the application. */
void hc_log_set_handler(hc_log_fn fn, void *arg, int level);
int hc_log_level(void);
void hc_log(int level, const char *func, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define hc_log_error(...) hc_log(HC_LOG_ERROR, __func__, __VA_ARGS__)
#define hc_log_warn(...)  hc_log(HC_LOG_WARN, __func__, __VA_ARGS__)
#define hc_log_info(...)  hc_log(HC_LOG_INFO, __func__, __VA_ARGS__)
#define hc_log_debug(...) hc_log(HC_LOG_DEBUG, __func__, __VA_ARGS__)
/* Dumps a command (dir '>') or response ('<'), masked when sensitive. */
void hc_log_apdu(char dir, const uint8_t *p, size_t n, int sensitive);
/* 1 for the INS bytes whose data is always a PIN: 20 VERIFY, 24 CHANGE REFERENCE DATA,
 * 2C RESET RETRY COUNTER, 5E CHANGE/RELOAD PIN (purse.md). */
int hc_log_apdu_is_pin_ins(uint8_t ins);

/*
 * Levels: a message is delivered when its level <= the level set. hc_log_set_handler(NULL,
 * ...) silences everything. Without a handler set by the application, HCARD_DEBUG chooses:
 * unset, empty, "0", "off" or "no": quiet; "1", "yes", "all" or "apdu": everything including
 * APDU dumps; "error", "warn", "info", "debug": up to that level; any other value: debug.
 * Messages then go to stderr. Masked dumps show the command header (CLA INS P1 P2 Lc) and
 * the response SW in clear and every data byte as "**".
 */

#endif
