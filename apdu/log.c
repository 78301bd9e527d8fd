/*
 * Logging (log.h). Quiet by default. The one piece of process-wide state: the handler, its
 * argument and the level, set by the application or, once, from HCARD_DEBUG (secure_getenv,
 * so a setuid program never takes it from the environment).
 */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apdu/buf.h"
#include "apdu/log.h"

#define LOG_LINE_MAX 1024
/* An APDU dump shows at most this many bytes, then "..." */
#define LOG_APDU_MAX_BYTES 300

static struct {
	pthread_mutex_t lock;
	pthread_once_t once;
	hc_log_fn fn;
	void *arg;
	int level;
	int set_by_app;
} hc_log_state = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_ONCE_INIT, NULL, NULL, 0, 0 };

static const struct {
	const char *name;
	int level;
} hc_log_levels[] = {
	{ "0", 0 }, { "off", 0 }, { "no", 0 },
	{ "1", HC_LOG_APDU }, { "yes", HC_LOG_APDU }, { "all", HC_LOG_APDU },
	{ "error", HC_LOG_ERROR }, { "warn", HC_LOG_WARN }, { "info", HC_LOG_INFO },
	{ "debug", HC_LOG_DEBUG }, { "apdu", HC_LOG_APDU },
};

static const char *const hc_log_level_names[] = {
	"", "error", "warn", "info", "debug", "apdu"
};

/* Commands whose data is a PIN whatever the caller says: VERIFY, CHANGE REFERENCE DATA,
 * RESET RETRY COUNTER, CHANGE/RELOAD PIN (purse.md 80 5E). */
static const uint8_t hc_log_pin_ins[] = { 0x20, 0x24, 0x2C, 0x5E };

static void
log_to_stderr(int level, const char *msg, void *arg)
{
	(void)arg;
	fprintf(stderr, "hcard %s: %s\n",
	    level >= 0 && level <= HC_LOG_APDU ? hc_log_level_names[level] : "?", msg);
}

static void
log_init_from_env(void)
{
	const char *v;
	size_t i;

#ifdef HAVE_SECURE_GETENV
	v = secure_getenv("HCARD_DEBUG");
#else
	v = NULL;       /* no secure_getenv: never trust the environment */
#endif
	if (v == NULL || *v == '\0')
		return;
	pthread_mutex_lock(&hc_log_state.lock);
	if (!hc_log_state.set_by_app) {
		hc_log_state.level = HC_LOG_DEBUG;      /* any unknown value: debug */
		for (i = 0; i < sizeof(hc_log_levels) / sizeof(hc_log_levels[0]); i++)
			if (strcmp(v, hc_log_levels[i].name) == 0)
				hc_log_state.level = hc_log_levels[i].level;
		hc_log_state.fn = hc_log_state.level > 0 ? log_to_stderr : NULL;
		hc_log_state.arg = NULL;
	}
	pthread_mutex_unlock(&hc_log_state.lock);
}

void
hc_log_set_handler(hc_log_fn fn, void *arg, int level)
{
	pthread_once(&hc_log_state.once, log_init_from_env);
	pthread_mutex_lock(&hc_log_state.lock);
	hc_log_state.fn = fn;
	hc_log_state.arg = arg;
	hc_log_state.level = fn != NULL ? level : 0;
	hc_log_state.set_by_app = 1;
	pthread_mutex_unlock(&hc_log_state.lock);
}

int
hc_log_level(void)
{
	int level;

	pthread_once(&hc_log_state.once, log_init_from_env);
	pthread_mutex_lock(&hc_log_state.lock);
	level = hc_log_state.fn != NULL ? hc_log_state.level : 0;
	pthread_mutex_unlock(&hc_log_state.lock);
	return level;
}

/* Delivers one finished line to the handler, if level is enabled. */
static void
log_emit(int level, const char *msg)
{
	hc_log_fn fn;
	void *arg;

	pthread_once(&hc_log_state.once, log_init_from_env);
	pthread_mutex_lock(&hc_log_state.lock);
	fn = hc_log_state.fn;
	arg = hc_log_state.arg;
	if (level > hc_log_state.level)
		fn = NULL;
	pthread_mutex_unlock(&hc_log_state.lock);
	if (fn != NULL)
		fn(level, msg, arg);
}

void
hc_log(int level, const char *func, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	int n;
	va_list ap;

	if (hc_log_level() < level)
		return;
	n = snprintf(line, sizeof(line), "%s: ", func != NULL ? func : "?");
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	log_emit(level, line);
}

int
hc_log_apdu_is_pin_ins(uint8_t ins)
{
	size_t i;

	for (i = 0; i < sizeof(hc_log_pin_ins); i++)
		if (hc_log_pin_ins[i] == ins)
			return 1;
	return 0;
}

void
hc_log_apdu(char dir, const uint8_t *p, size_t n, int sensitive)
{
	char line[LOG_LINE_MAX];
	size_t shown, head, i, pos;
	int masked;

	if (hc_log_level() < HC_LOG_APDU || p == NULL)
		return;
	/* A command shows its 4-byte header (and the Lc byte) in clear; a response its SW. */
	if (dir == '>') {
		masked = sensitive || (n >= 4 && hc_log_apdu_is_pin_ins(p[1]));
		head = n < 5 ? n : 5;
	} else {
		masked = sensitive;
		head = 0;
	}
	pos = (size_t)snprintf(line, sizeof(line), "%c %zu:", dir, n);
	shown = n > LOG_APDU_MAX_BYTES ? LOG_APDU_MAX_BYTES : n;
	for (i = 0; i < shown && pos + 4 < sizeof(line); i++) {
		int clear = !masked || i < head || (dir != '>' && n >= 2 && i >= n - 2);
		if (clear)
			pos += (size_t)snprintf(line + pos, sizeof(line) - pos, " %02X", p[i]);
		else
			pos += (size_t)snprintf(line + pos, sizeof(line) - pos, " **");
	}
	if (shown < n && dir != '>' && n >= 2)
		snprintf(line + pos, sizeof(line) - pos, " ... %02X %02X", p[n - 2], p[n - 1]);
	else if (shown < n)
		snprintf(line + pos, sizeof(line) - pos, " ...");
	log_emit(HC_LOG_APDU, line);
	hc_wipe(line, sizeof(line));
}
