/*
 * hc-wait-readers: waits (bounded) until pcscd lists the given readers in the given state.
 * Used by tests/harness/with-sim after starting pcscd and hcard-sim.
 *
 *   hc-wait-readers [--timeout MS] READER=present|empty|any ...
 *
 * Exit 0 when every reader is listed and in its state, 1 on timeout (what is missing is
 * printed), 2 on usage errors.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <winscard.h>

#define MAX_READERS 16

typedef struct want {
	const char *name;
	int state;          /* 1 present, 0 empty, -1 any */
} want_t;

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 when every wanted reader is in its state; *why names the first that is not. */
static int
check(SCARDCONTEXT ctx, const want_t *w, size_t n, const char **why)
{
	SCARD_READERSTATE rs[MAX_READERS];
	char *list = NULL;
	DWORD len = SCARD_AUTOALLOCATE;
	size_t i;
	int ok = 0;
	const char *p;

	*why = "no readers";
	if (SCardListReaders(ctx, NULL, (LPSTR)&list, &len) != SCARD_S_SUCCESS)
		return 0;
	for (i = 0; i < n; i++) {
		int found = 0;

		for (p = list; p < list + len && *p != '\0'; p += strlen(p) + 1)
			if (strcmp(p, w[i].name) == 0)
				found = 1;
		if (!found) {
			*why = w[i].name;
			goto out;
		}
		memset(&rs[i], 0, sizeof(rs[i]));
		rs[i].szReader = w[i].name;
		rs[i].dwCurrentState = SCARD_STATE_UNAWARE;
	}
	if (SCardGetStatusChange(ctx, 0, rs, (DWORD)n) != SCARD_S_SUCCESS)
		goto out;
	for (i = 0; i < n; i++) {
		int present = (rs[i].dwEventState & SCARD_STATE_PRESENT) != 0;

		if (w[i].state >= 0 && present != w[i].state) {
			*why = w[i].name;
			goto out;
		}
	}
	ok = 1;
out:
	SCardFreeMemory(ctx, list);
	return ok;
}

int
main(int argc, char **argv)
{
	want_t w[MAX_READERS];
	size_t n = 0;
	long timeout = 5000;
	long long deadline;
	SCARDCONTEXT ctx = 0;
	const char *why = "pcscd not reachable";
	int i, rc = 1;

	for (i = 1; i < argc; i++) {
		char *eq;

		if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
			timeout = strtol(argv[++i], NULL, 10);
			continue;
		}
		eq = strrchr(argv[i], '=');
		if (eq == NULL || n >= MAX_READERS) {
			fprintf(stderr, "usage: hc-wait-readers [--timeout MS] READER=present|empty|any...\n");
			return 2;
		}
		*eq = '\0';
		w[n].name = argv[i];
		if (strcmp(eq + 1, "present") == 0)
			w[n].state = 1;
		else if (strcmp(eq + 1, "empty") == 0)
			w[n].state = 0;
		else if (strcmp(eq + 1, "any") == 0)
			w[n].state = -1;
		else
			return 2;
		n++;
	}
	deadline = now_ms() + timeout;
	do {
		if (ctx == 0 && SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx) !=
		    SCARD_S_SUCCESS)
			ctx = 0;
		if (ctx != 0 && check(ctx, w, n, &why)) {
			rc = 0;
			break;
		}
		usleep(10000);
	} while (now_ms() < deadline);
	if (rc != 0)
		fprintf(stderr, "hc-wait-readers: timeout after %ld ms waiting for %s\n", timeout, why);
	if (ctx != 0)
		SCardReleaseContext(ctx);
	return rc;
}
