/* Library context: the configuration and the last error detail. No card I/O here. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apdu/buf.h"
#include "apdu/log.h"
#include "src/conf.h"
#include "src/context.h"

static void
log_stderr(int level, const char *msg, void *arg)
{
	(void)arg;
	fprintf(stderr, "hcard[%d]: %s\n", level, msg);
}

int
hc_ctx_new(hc_ctx_t **out, const char *conf_path)
{
	hc_ctx_t *ctx = NULL;
	int ret = HC_ERR_INVALID_ARGUMENT;

	if (out == NULL)
		goto out;
	*out = NULL;
	ret = HC_ERR_NO_MEMORY;
	if ((ctx = calloc(1, sizeof(*ctx))) == NULL)
		goto out;
	if ((ret = hc_config_load(&ctx->cfg, conf_path, ctx->detail, sizeof(ctx->detail))) != HC_OK) {
		hc_log_error("%s", ctx->detail);
		goto out;
	}
	/* hcard.conf log_level applies unless the application installed a handler already */
	if (ctx->cfg.log_level > 0 && hc_log_level() == 0)
		hc_log_set_handler(log_stderr, NULL, ctx->cfg.log_level);
	*out = ctx;
	ctx = NULL;
	ret = HC_OK;
out:
	free(ctx);
	return ret;
}

void
hc_ctx_free(hc_ctx_t **ctx)
{
	if (ctx == NULL || *ctx == NULL)
		return;
	hc_wipe(*ctx, sizeof(**ctx));
	free(*ctx);
	*ctx = NULL;
}

void
hc_set_log(hc_log_cb cb, void *arg, int level)
{
	hc_log_set_handler(cb, arg, level);
}

const hc_config_t *
hc_ctx_config(const hc_ctx_t *ctx)
{
	return &ctx->cfg;
}

const char *
hc_ctx_error_detail(const hc_ctx_t *ctx)
{
	return ctx != NULL ? ctx->detail : "";
}

void
hc_ctx_set_detail(hc_ctx_t *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(ctx->detail, sizeof(ctx->detail), fmt, ap);
	va_end(ap);
	hc_log_error("%s", ctx->detail);
}
