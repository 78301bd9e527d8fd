/* hcard-sim: command line (doc/simulator.md). */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apdu/log.h"
#include "sim/image.h"
#include "sim/keyset.h"
#include "sim/profile.h"
#include "sim/server.h"

/* The one piece of process state a signal handler may touch. */
static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void
log_to_stderr(int level, const char *msg, void *arg)
{
	(void)arg;
	(void)level;
	fprintf(stderr, "hcard-sim: %s\n", msg);
}

static int
usage(void)
{
	fprintf(stderr,
	        "usage: hcard-sim serve --port P [--slot N=IMAGE]... [--control SOCKET]"
	        " [--host 127.0.0.1] [-v]\n"
	        "       hcard-sim factory --type user|sam --out IMAGE [--card-factor HEX16]"
	        " [--city DIGITS6] [module options]\n"
	        "       hcard-sim dump [--free] IMAGE\n"
	        "       hcard-sim keyset [--demo] --out FILE\n"
	        "       hcard-sim ctl SOCKET COMMAND...\n"
	        "See doc/simulator.md.\n");
	return 2;
}

static int
cmd_serve(int argc, char **argv)
{
	const char *host = "127.0.0.1", *control = NULL;
	sim_server_t *s = NULL;
	struct sigaction sa;
	unsigned long port = 0;
	int i, rc = 1;
	struct { unsigned slot; const char *image; } slots[SIM_MAX_SLOTS];
	unsigned n_slots = 0, k;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
			port = strtoul(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--host") == 0 && i + 1 < argc) {
			host = argv[++i];
		} else if (strcmp(argv[i], "--control") == 0 && i + 1 < argc) {
			control = argv[++i];
		} else if (strcmp(argv[i], "--slot") == 0 && i + 1 < argc) {
			char *eq, *end;
			unsigned long n;

			eq = strchr(argv[++i], '=');
			if (eq == NULL || n_slots >= SIM_MAX_SLOTS)
				return usage();
			n = strtoul(argv[i], &end, 10);
			if (end != eq || n >= SIM_MAX_SLOTS)
				return usage();
			slots[n_slots].slot = (unsigned)n;
			slots[n_slots++].image = eq + 1;
		} else if (strcmp(argv[i], "-v") == 0) {
			hc_log_set_handler(log_to_stderr, NULL, HC_LOG_DEBUG);
		} else {
			return usage();
		}
	}
	if (port == 0 || port > 65000)
		return usage();
	s = sim_server_new(host, (uint16_t)port);
	if (s == NULL)
		goto out;
	for (k = 0; k < n_slots; k++)
		if (sim_server_set_slot(s, slots[k].slot, slots[k].image) != 0)
			goto out;
	if (control != NULL && sim_server_control(s, control) != 0)
		goto out;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	rc = sim_server_run(s, &stop_requested) == 0 ? 0 : 1;
out:
	sim_server_free(&s);
	return rc;
}

static int
cmd_factory(int argc, char **argv)
{
	sim_factory_opts_t opts;
	const char *type = NULL, *out = NULL;
	sim_card_t *c = NULL;
	const sim_module_t *const *mods;
	size_t n, m, j;
	int i, rc = 1;

	memset(&opts, 0, sizeof(opts));
	for (i = 0; i < argc; i++) {
		char *name = argv[i], *eq;
		const char *value;

		if (strncmp(name, "--", 2) != 0)
			return usage();
		name += 2;
		eq = strchr(name, '=');
		if (eq != NULL) {
			*eq = '\0';
			value = eq + 1;
		} else if (i + 1 < argc) {
			value = argv[++i];
		} else {
			return usage();
		}
		if (strcmp(name, "type") == 0) {
			type = value;
			continue;
		}
		if (strcmp(name, "out") == 0) {
			out = value;
			continue;
		}
		if (opts.n >= SIM_FACTORY_MAX_OPTS)
			return usage();
		/* every option must be known to the core or to a linked module */
		if (strcmp(name, "card-factor") != 0 && strcmp(name, "city") != 0) {
			int known = 0;

			mods = sim_modules(&n);
			for (m = 0; m < n && !known; m++)
				for (j = 0; mods[m] != NULL && mods[m]->factory_options != NULL &&
				     mods[m]->factory_options[j] != NULL; j++)
					if (strcmp(mods[m]->factory_options[j], name) == 0)
						known = 1;
			if (!known) {
				fprintf(stderr, "hcard-sim factory: unknown option --%s\n", name);
				return 2;
			}
		}
		opts.name[opts.n] = name;
		opts.value[opts.n++] = value;
	}
	if (type == NULL || out == NULL ||
	    (strcmp(type, "user") != 0 && strcmp(type, "sam") != 0))
		return usage();
	c = sim_factory(strcmp(type, "sam") == 0 ? SIM_CARD_SAM : SIM_CARD_USER, &opts);
	if (c == NULL) {
		fprintf(stderr, "hcard-sim factory: failed\n");
		goto done;
	}
	if (sim_image_save(c, out) != 0) {
		fprintf(stderr, "hcard-sim factory: cannot write %s\n", out);
		goto done;
	}
	rc = 0;
done:
	sim_card_free(&c);
	return rc;
}

static int
cmd_dump(int argc, char **argv)
{
	sim_card_t *c;
	int free_only = 0, rc;

	if (argc >= 1 && strcmp(argv[0], "--free") == 0) {
		free_only = 1;
		argc--;
		argv++;
	}
	if (argc != 1)
		return usage();
	c = sim_image_load(argv[0]);
	if (c == NULL) {
		fprintf(stderr, "hcard-sim dump: %s is not a valid card image\n", argv[0]);
		return 1;
	}
	rc = sim_image_dump(c, stdout, free_only) == 0 ? 0 : 1;
	sim_card_free(&c);
	return rc;
}

static int
cmd_ctl(int argc, char **argv)
{
	char line[4200], answer[4200];
	size_t len = 0;
	int i, rc;

	if (argc < 2)
		return usage();
	line[0] = '\0';
	for (i = 1; i < argc; i++) {
		int w = snprintf(line + len, sizeof(line) - len, "%s%s", i > 1 ? " " : "", argv[i]);

		if (w < 0 || (size_t)w >= sizeof(line) - len)
			return usage();
		len += (size_t)w;
	}
	rc = sim_control_request(argv[0], line, answer, sizeof(answer));
	if (rc < 0) {
		fprintf(stderr, "hcard-sim ctl: cannot reach %s\n", argv[0]);
		return 1;
	}
	printf("%s\n", answer);
	return rc;
}

int
main(int argc, char **argv)
{
	hc_log_set_handler(log_to_stderr, NULL, HC_LOG_ERROR);
	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "serve") == 0)
		return cmd_serve(argc - 2, argv + 2);
	if (strcmp(argv[1], "factory") == 0)
		return cmd_factory(argc - 2, argv + 2);
	if (strcmp(argv[1], "keyset") == 0)
		return sim_keyset_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "dump") == 0)
		return cmd_dump(argc - 2, argv + 2);
	if (strcmp(argv[1], "ctl") == 0)
		return cmd_ctl(argc - 2, argv + 2);
	return usage();
}
