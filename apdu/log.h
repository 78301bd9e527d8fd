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
#define hc_log_debug(...) hc_log(HC_LOG_DEBUG, __func__, __VA_ARGS__)
/* Dumps a command (dir '>') or response ('<'), masked when sensitive. */
void hc_log_apdu(char dir, const uint8_t *p, size_t n, int sensitive);

#endif
