/*
 * hcard CLI: where PINs come from. Never the command line if it can be helped: the
 * controlling terminal without echo (echo restored on SIGINT/SIGTERM/SIGHUP/SIGQUIT too), a
 * file readable by its owner only (first line), or an environment variable for test rigs and
 * kiosks. The old options (--pin PIN, --new-pin PIN, --sam-pin PIN) still work for one
 * release with a warning; their argv copy is wiped at once so /proc/PID/cmdline no longer
 * shows it. PINs are read with read(2) into the caller's buffer (no stdio buffer keeps a copy)
 * and never printed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "tools/cli.h"
#include "apdu/buf.h"

/* The messages of this file, English and Chinese ("%s" stands for an option or a path, never
 * a PIN; filled in by fill()). */
enum {
	M_DEPRECATED, M_FILE_OPEN, M_FILE_MODE, M_FILE_EMPTY, M_NO_TTY, M_DIFFER, M__COUNT
};
static const struct { const char *en, *zh; } msgs[M__COUNT] = {
	[M_DEPRECATED] = { "warning: %s puts the PIN on the command line, where every local user"
	    " sees it (ps, /proc) and the shell history keeps it; this option goes away in the next"
	    " release: use %s", "警告：%s 把密码放在命令行上，本机所有用户都能看到（ps、/proc），"
	    "shell 历史也会保存；该选项将在下一版本删除，请改用 %s" },
	[M_FILE_OPEN] = { "cannot read the PIN file %s", "无法读取密码文件 %s" },
	[M_FILE_MODE] = { "PIN file %s is accessible by other users: it must be readable by its"
	    " owner only (chmod 600 %s); not used", "密码文件 %s 可被其他用户访问，必须仅属主可读"
	    "（chmod 600 %s）；未使用" },
	[M_FILE_EMPTY] = { "no PIN in %s (its first line is empty)", "%s 中没有密码（首行为空）" },
	[M_NO_TTY] = { "no terminal to ask the PIN on: give %s", "没有可输入密码的终端：请用 %s" },
	[M_DIFFER] = { "the two new PINs differ", "两次输入的新密码不一致" },
};

/* Message id in the user's language into out, each "%s" replaced by a, then b. */
static const char *
fill(const cli_t *c, int id, const char *a, const char *b, char *out, size_t cap)
{
	const char *t = c->zh ? msgs[id].zh : msgs[id].en, *arg[2] = { a, b };
	size_t n = 0, k = 0;

	while (*t != '\0' && n + 1 < cap) {
		if (t[0] == '%' && t[1] == 's' && k < 2) {
			const char *v = arg[k++] != NULL ? arg[k - 1] : "";
			while (*v != '\0' && n + 1 < cap)
				out[n++] = *v++;
			t += 2;
		} else {
			out[n++] = *t++;
		}
	}
	out[n] = '\0';
	return out;
}

/* Reads one line from fd into buf (without the end of line), at most cap - 1 bytes; the rest
 * of a longer line is read and dropped. 0, or -1 (read error or end of input before any
 * byte). */
static int
read_line(int fd, char *buf, size_t cap)
{
	size_t n = 0, total = 0;
	char ch;

	buf[0] = '\0';
	for (;;) {
		ssize_t r = read(fd, &ch, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		total++;
		if (ch == '\n')
			break;
		if (ch != '\r' && n + 1 < cap)
			buf[n++] = ch;
	}
	ch = 0;
	buf[n] = '\0';
	return total > 0 ? 0 : -1;
}

void
cli_pin_deprecated(const cli_t *c, const char *opt, const char *instead)
{
	char what[600];

	fflush(stdout);
	fprintf(stderr, "hcard: %s\n", fill(c, M_DEPRECATED, opt, instead, what, sizeof(what)));
}

void
cli_pin_take_arg(char *arg, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s", arg);
	hc_wipe(arg, strlen(arg));   /* /proc/PID/cmdline shows the process's argv memory */
}

int
cli_pin_file(cli_t *c, const char *path, char *buf, size_t cap)
{
	char what[600];
	struct stat st;
	int fd, rc;

	buf[0] = '\0';
	if ((fd = open(path, O_RDONLY | O_NOCTTY)) < 0 || fstat(fd, &st) != 0 ||
	    !S_ISREG(st.st_mode)) {
		rc = cli_usage(c, "%s", fill(c, M_FILE_OPEN, path, NULL, what, sizeof(what)));
		goto out;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		rc = cli_fail(c, HC_ERR_CONFIG, fill(c, M_FILE_MODE, path, path, what, sizeof(what)));
		goto out;
	}
	if (read_line(fd, buf, cap) != 0 || buf[0] == '\0') {
		rc = cli_usage(c, "%s", fill(c, M_FILE_EMPTY, path, NULL, what, sizeof(what)));
		goto out;
	}
	rc = CLI_EXIT_OK;
out:
	if (fd >= 0)
		close(fd);
	if (rc != CLI_EXIT_OK)
		hc_wipe(buf, cap);
	return rc;
}

int
cli_pin_env(const char *name, char *buf, size_t cap)
{
	char *v = getenv(name);

	if (v == NULL || *v == '\0')
		return -1;
	snprintf(buf, cap, "%s", v);
	hc_wipe(v, strlen(v));        /* not left in this process's environment */
	(void)unsetenv(name);
	return 0;
}

/* The terminal being asked on and its settings before the echo was turned off: the one
 * state a signal handler needs (a handler has no context argument). */
static volatile sig_atomic_t tty_fd = -1;
static struct termios tty_saved;

static const int tty_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
#define N_TTY_SIGNALS (sizeof(tty_signals) / sizeof(tty_signals[0]))

static void
tty_restore_and_reraise(int sig)
{
	int saved_errno = errno;

	ssize_t w;

	if (tty_fd >= 0)
		(void)tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
	w = write(tty_fd >= 0 ? tty_fd : 2, "\n", 1);
	(void)w;
	(void)signal(sig, SIG_DFL);
	(void)raise(sig);                 /* dies of it as if it had never been caught */
	errno = saved_errno;
}

int
cli_pin_tty(const cli_t *c, const char *prompt_en, const char *prompt_zh, char *buf, size_t cap)
{
	struct sigaction sa, old[N_TTY_SIGNALS];
	struct termios quiet;
	const char *prompt = c->zh ? prompt_zh : prompt_en;
	size_t k;
	int fd, rc = -1;

	buf[0] = '\0';
	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		return -1;
	if (tcgetattr(fd, &tty_saved) != 0)
		goto out;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = tty_restore_and_reraise;
	sigemptyset(&sa.sa_mask);
	tty_fd = fd;
	for (k = 0; k < N_TTY_SIGNALS; k++)
		(void)sigaction(tty_signals[k], &sa, &old[k]);
	quiet = tty_saved;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	if (write(fd, prompt, strlen(prompt)) >= 0 && tcsetattr(fd, TCSAFLUSH, &quiet) == 0) {
		rc = read_line(fd, buf, cap);
		(void)tcsetattr(fd, TCSAFLUSH, &tty_saved);
		if (write(fd, "\n", 1) < 0)
			rc = rc == 0 ? 0 : -1;    /* the line is in; only the cosmetic newline failed */
	}
	tty_fd = -1;
	for (k = 0; k < N_TTY_SIGNALS; k++)
		(void)sigaction(tty_signals[k], &old[k], NULL);
out:
	close(fd);
	if (rc != 0)
		hc_wipe(buf, cap);
	return rc;
}

int
cli_pin_get(cli_t *c, const cli_pin_src_t *s, int ask_tty, char *buf, size_t cap,
    const char **pin)
{
	char what[160];
	int rc;

	*pin = NULL;
	if (s->opt != NULL) {                        /* --pin -, or the deprecated --pin PIN */
		if (strcmp(s->opt, "-") == 0) {
			if (read_line(0, buf, cap) != 0)
				return cli_usage(c, "%s -: no PIN on standard input", s->opt_name);
		} else {
			cli_pin_deprecated(c, s->opt_name, s->file_name);
			cli_pin_take_arg(s->opt, buf, cap);
		}
		*pin = buf;
		return CLI_EXIT_OK;
	}
	if (s->file != NULL) {
		if ((rc = cli_pin_file(c, s->file, buf, cap)) != CLI_EXIT_OK)
			return rc;
		*pin = buf;
		return CLI_EXIT_OK;
	}
	if (s->env != NULL && cli_pin_env(s->env, buf, cap) == 0) {
		*pin = buf;
		return CLI_EXIT_OK;
	}
	if (!ask_tty)
		return CLI_EXIT_OK;
	if (cli_pin_tty(c, s->prompt_en, s->prompt_zh, buf, cap) != 0) {
		if (ask_tty == CLI_PIN_TTY_OPTIONAL)
			return CLI_EXIT_OK;
		return cli_usage(c, "%s", fill(c, M_NO_TTY, s->file_name, NULL, what, sizeof(what)));
	}
	*pin = buf;
	return CLI_EXIT_OK;
}

int
cli_pin_get_new(cli_t *c, const cli_pin_src_t *s, char *buf, char *again, size_t cap,
    const char **pin)
{
	char what[160];
	int rc;

	*pin = NULL;
	if (s->opt != NULL || s->file != NULL || (s->env != NULL && getenv(s->env) != NULL))
		return cli_pin_get(c, s, 0, buf, cap, pin);
	if (cli_pin_tty(c, s->prompt_en, s->prompt_zh, buf, cap) != 0 ||
	    cli_pin_tty(c, s->prompt2_en, s->prompt2_zh, again, cap) != 0) {
		hc_wipe(buf, cap);
		return cli_usage(c, "%s", fill(c, M_NO_TTY, s->file_name, NULL, what, sizeof(what)));
	}
	rc = strcmp(buf, again) == 0;
	hc_wipe(again, cap);
	if (!rc) {
		hc_wipe(buf, cap);
		return cli_fail(c, HC_ERR_PIN_FORMAT, fill(c, M_DIFFER, NULL, NULL, what,
		    sizeof(what)));
	}
	*pin = buf;
	return CLI_EXIT_OK;
}
