/*
 * main() for fuzz targets built without libFuzzer: runs LLVMFuzzerTestOneInput on every file
 * named on the command line or found in a named directory; without arguments, on
 * $top_srcdir/tests/fuzz/corpus/<program name>/. Fails when no input was found.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FUZZ_MAX_INPUT (1024 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run_file(const char *path, unsigned *count)
{
	FILE *f;
	uint8_t *buf;
	size_t n;

	if ((buf = malloc(FUZZ_MAX_INPUT)) == NULL)
		return -1;
	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		free(buf);
		return -1;
	}
	n = fread(buf, 1, FUZZ_MAX_INPUT, f);
	fclose(f);
	/* an exact-size copy, so that a read past the input is caught by ASan/valgrind */
	{
		uint8_t *exact = malloc(n > 0 ? n : 1);
		if (exact == NULL) {
			free(buf);
			return -1;
		}
		memcpy(exact, buf, n);
		(void)LLVMFuzzerTestOneInput(exact, n);
		free(exact);
	}
	free(buf);
	(*count)++;
	return 0;
}

static int
run_path(const char *path, unsigned *count)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char child[4096];
	int rc = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path, count);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
		if (stat(child, &st) == 0 && S_ISREG(st.st_mode) && run_file(child, count) != 0)
			rc = -1;
	}
	closedir(d);
	return rc;
}

int
main(int argc, char **argv)
{
	char dir[4096];
	const char *name, *srcdir;
	unsigned count = 0;
	int i, rc = 0;

	if (argc > 1) {
		for (i = 1; i < argc; i++)
			if (run_path(argv[i], &count) != 0)
				rc = 1;
	} else {
		name = strrchr(argv[0], '/');
		name = name != NULL ? name + 1 : argv[0];
		if (strncmp(name, "lt-", 3) == 0)
			name += 3;
		srcdir = getenv("top_srcdir");
		snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", srcdir != NULL ? srcdir : ".", name);
		if (run_path(dir, &count) != 0)
			rc = 1;
	}
	printf("%u inputs\n", count);
	if (count == 0) {
		fprintf(stderr, "no corpus input found\n");
		return 1;
	}
	return rc;
}
