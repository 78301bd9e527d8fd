/*
 * Benchmark: a blacklist of N generated entries (default 10 million) in the SQLite store;
 * the median, 99th percentile and maximum time of hc_store_bl_get() over random lookups,
 * half of them present, half absent. Usage: flows_blacklist [N [LOOKUPS]].
 * The store file lives in a temporary directory removed at the end ($HCARD_BENCH_DIR keeps
 * it instead, and reuses it when it already holds N entries).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>

#include "src/store.h"

static double
now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Entry i: an 18-character card number and a 10-character issue serial. */
static void
key(long i, char card[19], char serial[11])
{
	unsigned long u = (unsigned long)i % 10000000000UL;

	snprintf(card, 19, "11010119%010lu", u);
	snprintf(serial, 11, "S%09lu", u % 1000000000UL);
}

static int
count_rows(const char *path, long *n)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc = -1;

	*n = 0;
	if (sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM blacklist", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		*n = (long)sqlite3_column_int64(st, 0);
		rc = 0;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

/* Bulk load straight into the store's table (the schema is the store's, created by
 * hc_store_open); one transaction, in key order. */
static int
generate(const char *path, long n)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	char card[19], serial[11];
	long i;
	int rc = -1;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		goto out;
	sqlite3_exec(db, "PRAGMA synchronous=OFF; PRAGMA cache_size=-262144; BEGIN", NULL, NULL, NULL);
	if (sqlite3_prepare_v2(db, "INSERT INTO blacklist (card_number, issue_serial, state, who, at,"
	    " version) VALUES (?, ?, ?, 'bench', 1700000000, ?)", -1, &st, NULL) != SQLITE_OK)
		goto out;
	for (i = 0; i < n; i++) {
		key(i, card, serial);
		sqlite3_bind_text(st, 1, card, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, serial, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, 1 + (int)(i % 4));
		sqlite3_bind_int64(st, 4, i + 1);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto out;
		sqlite3_reset(st);
		if (i % 1000000 == 999999) {
			fprintf(stderr, "\r  generated %ld / %ld", i + 1, n);
			fflush(stderr);
		}
	}
	fprintf(stderr, "\n");
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "generate: %s\n", db != NULL ? sqlite3_errmsg(db) : "open failed");
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10000000L;
	long lookups = argc > 2 ? atol(argv[2]) : 20000;
	const char *keep = getenv("HCARD_BENCH_DIR");
	char dir[256] = "/tmp/hcard-bench-bl.XXXXXX", path[300], uri[310], cmd[300];
	double *t = NULL, t0, gen_s = 0;
	hc_store_t *st = NULL;
	hc_bl_entry_t e;
	long i, have = 0, hits = 0;
	int rc = 1;

	if (n < 1 || lookups < 1 || (t = calloc((size_t)lookups, sizeof(*t))) == NULL)
		return 2;
	if (keep != NULL)
		snprintf(dir, sizeof(dir), "%s", keep);
	else if (mkdtemp(dir) == NULL)
		return 2;
	snprintf(path, sizeof(path), "%s/blacklist.db", dir);
	snprintf(uri, sizeof(uri), "sqlite:%s", path);
	if (hc_store_open(uri, &st) != HC_OK)
		goto out;
	hc_store_close(&st);
	(void)count_rows(path, &have);
	if (have != n) {
		if (have != 0) {
			fprintf(stderr, "%s holds %ld entries, not %ld: remove it\n", path, have, n);
			goto out;
		}
		fprintf(stderr, "generating %ld blacklist entries in %s\n", n, path);
		t0 = now_us();
		if (generate(path, n) != 0)
			goto out;
		gen_s = (now_us() - t0) / 1e6;
	}
	if (hc_store_open(uri, &st) != HC_OK)
		goto out;
	srand(12345);
	for (i = 0; i < lookups; i++) {
		/* even i: a present entry; odd i: a card number beyond the generated range */
		long k = ((long)rand() * 32768L + rand()) % n;
		char card[19], serial[11];
		if (i % 2 == 1)
			k += n;
		key(k, card, serial);
		t0 = now_us();
		if (hc_store_bl_get(st, card, serial, &e) != HC_OK)
			goto out;
		t[i] = now_us() - t0;
		if (e.state != HC_BL_NONE)
			hits++;
		else if (i % 2 == 0) {
			fprintf(stderr, "entry %ld missing\n", k);
			goto out;
		}
	}
	if (hits != (lookups + 1) / 2) {
		fprintf(stderr, "%ld hits, expected %ld\n", hits, (lookups + 1) / 2);
		goto out;
	}
	qsort(t, (size_t)lookups, sizeof(*t), cmp_double);
	printf("flows_blacklist: %ld entries (SQLite, generated in %.1f s), %ld lookups:"
	    " median %.1f us, p99 %.1f us, max %.1f us\n", n, gen_s, lookups,
	    t[lookups / 2], t[lookups * 99 / 100], t[lookups - 1]);
	rc = 0;
out:
	hc_store_close(&st);
	free(t);
	if (keep == NULL) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
	return rc;
}
