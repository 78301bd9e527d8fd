/* hcard-sim: human-readable dump of a card image (`hcard-sim dump`). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "apdu/buf.h"
#include "apdu/tlv.h"
#include "sim/image.h"

static const char *const kind_names[] = {
	"?", "DF", "binary", "fixed", "variable", "cyclic"
};

static void
ac_text(const sim_ac_t *ac, char *out, size_t cap)
{
	switch (ac->kind) {
	case SIM_AC_FREE:
		snprintf(out, cap, "free");
		break;
	case SIM_AC_KEY:
		snprintf(out, cap, "key %02X%s", ac->key,
		         (ac->flags & SIM_AC_BEFORE_ACTIVATION) ? " before activation" : "");
		break;
	default:
		snprintf(out, cap, "never");
		break;
	}
}

/* Hex of p, shortened when it is one repeated byte. */
static void
print_bytes(FILE *f, const uint8_t *p, size_t n)
{
	char hex[2 * 64 + 1];
	size_t i, run = 1;

	for (i = 1; i < n && p[i] == p[0]; i++)
		run++;
	if (n > 4 && run == n) {
		fprintf(f, "%02X x %zu", p[0], n);
		return;
	}
	while (n > 0) {
		size_t k = n > 64 ? 64 : n;

		hc_hex_encode(p, k, hex, sizeof(hex));
		fprintf(f, "%s", hex);
		p += k;
		n -= k;
		if (n > 0)
			fprintf(f, "\n          ");
	}
}

static void
print_text_hint(FILE *f, const uint8_t *p, size_t n)
{
	size_t i, printable = 0;

	for (i = 0; i < n && p[i] != 0; i++)
		if (p[i] >= 0x20 && p[i] < 0x7F)
			printable++;
	if (printable > 0 && printable == i)
		fprintf(f, "  \"%.*s\"", (int)i, (const char *)p);
}

static int
print_element(const hc_tlv_t *t, void *arg)
{
	FILE *f = arg;

	fprintf(f, "    %02X %3zu  ", (unsigned)t->tag, t->len);
	print_bytes(f, t->value, t->len);
	print_text_hint(f, t->value, t->len);
	fprintf(f, "\n");
	return 0;
}

static void
dump_node(const sim_card_t *c, uint16_t i, FILE *f, int free_only)
{
	static const char *const sm_names[] = { "plain", "MAC", "cipher+MAC" };
	const sim_file_t *e = &c->files[i];
	char path[128], rd[40], wr[40], hex[2 * SIM_MAX_NAME + 1];
	size_t r;

	sim_fs_path(c, i, path, sizeof(path));
	if (e->kind == SIM_FILE_DF) {
		fprintf(f, "%s  DF", path);
		if (e->name_len > 0) {
			hc_hex_encode(e->name, e->name_len, hex, sizeof(hex));
			fprintf(f, " name %s", hex);
			print_text_hint(f, e->name, e->name_len);
		}
		if (e->blocked)
			fprintf(f, " BLOCKED (%s)",
			        e->blocked == SIM_BLOCK_PERMANENT ? "permanent" : "temporary");
		fprintf(f, "\n");
		return;
	}
	if (free_only && e->read.kind != SIM_AC_FREE)
		return;
	ac_text(&e->read, rd, sizeof(rd));
	ac_text(&e->write, wr, sizeof(wr));
	fprintf(f, "%s  %s, %u bytes, SFI %02X, read %s, write %s (%s)", path,
	        kind_names[e->kind <= SIM_EF_CYCLIC ? e->kind : 0], e->size, e->sfi, rd, wr,
	        sm_names[e->sm <= SIM_SM_ENC_MAC ? e->sm : 0]);
	if (e->erase.kind != SIM_AC_FREE) {
		ac_text(&e->erase, wr, sizeof(wr));
		fprintf(f, ", erase %s", wr);
	}
	fprintf(f, "\n");
	switch (e->kind) {
	case SIM_EF_VARIABLE:
		hc_stlv_walk(e->data, e->size, print_element, f);
		break;
	case SIM_EF_FIXED:
	case SIM_EF_CYCLIC:
		for (r = 0; r < e->n_records; r++) {
			fprintf(f, "    #%-3zu  ", r + 1);
			print_bytes(f, e->data + r * e->record_len, e->record_len);
			fprintf(f, "\n");
		}
		break;
	default:
		fprintf(f, "          ");
		print_bytes(f, e->data, e->size);
		fprintf(f, "\n");
		break;
	}
}

/* Depth first: a DF, its EFs, then its child DFs. Parents precede children in the table,
 * so the walk uses an explicit stack bounded by the table size. */
int
sim_image_dump(const sim_card_t *c, FILE *f, int free_only)
{
	char hex[2 * SIM_MAX_ATR + 1];
	uint16_t stack[SIM_MAX_FILES];
	size_t top = 0;
	uint16_t i;

	hc_hex_encode(c->atr, c->atr_len, hex, sizeof(hex));
	fprintf(f, "%s card, ATR %s, life cycle %02X%s\n",
	        c->kind == SIM_CARD_SAM ? "SAM" : "user", hex, c->life_cycle,
	        c->card_blocked ? ", CARD BLOCKED" : "");
	if (c->n_files == 0)
		return 0;
	stack[top++] = 0;
	while (top > 0) {
		uint16_t df = stack[--top];
		size_t first = top;

		dump_node(c, df, f, free_only);
		for (i = 1; i < c->n_files; i++)
			if (c->files[i].parent == df && c->files[i].kind != SIM_FILE_DF)
				dump_node(c, i, f, free_only);
		/* push child DFs in reverse so that they come out in table order */
		for (i = 1; i < c->n_files && top < SIM_MAX_FILES; i++)
			if (c->files[i].parent == df && c->files[i].kind == SIM_FILE_DF)
				stack[top++] = i;
		for (size_t a = first, b = top; b > a + 1; a++, b--) {
			uint16_t t = stack[a];

			stack[a] = stack[b - 1];
			stack[b - 1] = t;
		}
	}
	return ferror(f) ? -1 : 0;
}
