/*
 * Batch issuance from CSV: each data row becomes a profile in JSON (doc/flows.md), typed by
 * the profile's field table (codes are integers, texts strings).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "src/flow.h"

#define CSV_MAX_COLS 96
#define CSV_LINE_MAX 8192

/* Splits one CSV line in place (RFC 4180 quotes, "" inside quotes); -1 when malformed. */
static int
csv_split(char *line, char **cols, size_t max, size_t *n)
{
	char *r = line, *w = line;

	*n = 0;
	for (;;) {
		if (*n >= max)
			return -1;
		cols[(*n)++] = w;
		if (*r == '"') {
			for (r++;; r++) {
				if (*r == '\0')
					return -1;
				if (*r == '"' && r[1] == '"') {
					*w++ = '"';
					r++;
				} else if (*r == '"') {
					r++;
					break;
				} else {
					*w++ = *r;
				}
			}
			if (*r != ',' && *r != '\0')
				return -1;
		} else {
			while (*r != ',' && *r != '\0')
				*w++ = *r++;
		}
		if (*r == '\0') {
			*w = '\0';
			return 0;
		}
		*w++ = '\0';   /* w <= r: the field is copied down in place */
		r++;
	}
}

typedef struct column {
	char section[16];
	char key[32];
	int kind;          /* hc_flow_profile_key_kind */
} column_t;

static int
parse_header(char **cols, size_t n, column_t *c, char *why, size_t cap)
{
	size_t k;

	for (k = 0; k < n; k++) {
		const char *dot = strchr(cols[k], '.');
		int w;

		if (dot != NULL)
			w = snprintf(c[k].section, sizeof(c[k].section), "%.*s", (int)(dot - cols[k]),
			    cols[k]) < 0 || snprintf(c[k].key, sizeof(c[k].key), "%s", dot + 1) < 0;
		else
			w = snprintf(c[k].key, sizeof(c[k].key), "%s", cols[k]) < 0;
		c[k].kind = w ? 0 : hc_flow_profile_key_kind(c[k].section, c[k].key);
		if (c[k].kind == 0) {
			hc_flow_why(why, cap, "CSV column %zu \"%s\": not a profile field", k + 1, cols[k]);
			return HC_ERR_PROFILE;
		}
	}
	return HC_OK;
}

static json_t *
section_of(json_t *root, const char *section)
{
	json_t *s;

	if (*section == '\0')
		return root;
	if (strncmp(section, "contact", 7) == 0 && section[7] >= '1' && section[7] <= '3' &&
	    section[8] == '\0') {
		json_t *arr = json_object_get(root, "contacts");
		size_t idx = (size_t)(section[7] - '1');
		if (arr == NULL) {
			json_object_set_new(root, "contacts", json_array());
			arr = json_object_get(root, "contacts");
		}
		while (json_array_size(arr) <= idx)
			json_array_append_new(arr, json_object());
		return json_array_get(arr, idx);
	}
	if ((s = json_object_get(root, section)) == NULL) {
		json_object_set_new(root, section, json_object());
		s = json_object_get(root, section);
	}
	return s;
}

static int
row_json(const column_t *c, char **cols, size_t n, const char *dir, char **out, char *why,
    size_t cap, size_t line)
{
	json_t *root = json_object();
	size_t k;
	int rc = HC_OK;

	for (k = 0; rc == HC_OK && k < n; k++) {
		json_t *v = NULL;
		char *end = NULL;

		if (cols[k][0] == '\0')
			continue;
		if (c[k].kind == 2) {
			long long i = strtoll(cols[k], &end, 10);
			if (*end != '\0') {
				hc_flow_why(why, cap, "CSV line %zu, column %s: not an integer", line, c[k].key);
				rc = HC_ERR_PROFILE;
				break;
			}
			v = json_integer(i);
		} else if (c[k].kind == 3) {
			v = json_boolean(strcmp(cols[k], "true") == 0 || strcmp(cols[k], "1") == 0);
		} else if (strcmp(c[k].key, "photo") == 0 && *c[k].section == '\0' &&
		    cols[k][0] != '/') {
			char path[1024];
			snprintf(path, sizeof(path), "%s/%s", dir, cols[k]);
			v = json_string(path);
		} else {
			v = json_string(cols[k]);
		}
		if (v == NULL) {
			hc_flow_why(why, cap, "CSV line %zu, column %s: not UTF-8", line, c[k].key);
			rc = HC_ERR_PROFILE;
			break;
		}
		json_object_set_new(section_of(root, c[k].section), c[k].key, v);
	}
	if (rc == HC_OK && (*out = json_dumps(root, JSON_PRESERVE_ORDER)) == NULL)
		rc = HC_ERR_NO_MEMORY;
	json_decref(root);
	return rc;
}

int
hc_issue_profile_csv(const char *path, int (*cb)(size_t row, const char *json, void *arg),
    void *arg, char *why, size_t why_cap)
{
	char *line = NULL, *cols[CSV_MAX_COLS], dir[512];
	column_t *head = NULL;
	const char *slash;
	size_t n = 0, ncols = 0, lineno = 0, row = 0;
	FILE *f = NULL;
	int rc = HC_ERR_IO;

	if (path == NULL || cb == NULL)
		return HC_ERR_INVALID_ARGUMENT;
	slash = strrchr(path, '/');
	snprintf(dir, sizeof(dir), "%.*s", slash != NULL ? (int)(slash - path) : 1,
	    slash != NULL ? path : ".");
	if ((f = fopen(path, "r")) == NULL) {
		hc_flow_why(why, why_cap, "%s: cannot be read", path);
		goto out;
	}
	if ((line = malloc(CSV_LINE_MAX)) == NULL ||
	    (head = calloc(CSV_MAX_COLS, sizeof(*head))) == NULL) {
		rc = HC_ERR_NO_MEMORY;
		goto out;
	}
	rc = HC_OK;
	while (rc == HC_OK && fgets(line, CSV_LINE_MAX, f) != NULL) {
		size_t len = strcspn(line, "\r\n");
		char *json = NULL;

		lineno++;
		if (line[len] == '\0' && !feof(f)) {
			hc_flow_why(why, why_cap, "CSV line %zu: too long", lineno);
			rc = HC_ERR_PROFILE;
			break;
		}
		line[len] = '\0';
		if (len == 0)
			continue;
		if (csv_split(line, cols, CSV_MAX_COLS, &n) != 0) {
			hc_flow_why(why, why_cap, "CSV line %zu: malformed (quotes, or over %d columns)",
			    lineno, CSV_MAX_COLS);
			rc = HC_ERR_PROFILE;
			break;
		}
		if (ncols == 0) {
			ncols = n;
			rc = parse_header(cols, n, head, why, why_cap);
			continue;
		}
		if (n != ncols) {
			hc_flow_why(why, why_cap, "CSV line %zu: %zu columns, the header has %zu", lineno,
			    n, ncols);
			rc = HC_ERR_PROFILE;
			break;
		}
		if ((rc = row_json(head, cols, n, dir, &json, why, why_cap, lineno)) == HC_OK &&
		    cb(++row, json, arg) != 0) {
			free(json);
			break;
		}
		free(json);
	}
out:
	if (f != NULL)
		fclose(f);
	free(line);
	free(head);
	return rc;
}
