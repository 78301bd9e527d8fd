/*
 * hcard-sim: card images (sim/image.h). Bounded parsing with hc_reader, CRC-32 over the
 * whole file, atomic save (temp file, fsync, rename, fsync of the directory).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apdu/buf.h"
#include "apdu/log.h"
#include "sim/image.h"
#include "sim/module.h"

#define CARD_SECTION_VERSION 1u
#define FS_SECTION_VERSION   1u

/* CRC-32 (IEEE 802.3, reflected, polynomial EDB88320), bitwise: images are small. */
static uint32_t
crc32_ieee(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xFFFFFFFFu;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		crc ^= p[i];
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

static void
put_ac(hc_writer_t *w, const sim_ac_t *ac)
{
	hc_put_u8(w, ac->kind);
	hc_put_u8(w, ac->key);
	hc_put_u8(w, ac->flags);
}

static int
get_ac(hc_reader_t *r, sim_ac_t *ac)
{
	if (hc_get_u8(r, &ac->kind) != 0 || hc_get_u8(r, &ac->key) != 0 ||
	    hc_get_u8(r, &ac->flags) != 0)
		return -1;
	return ac->kind <= SIM_AC_NEVER && ac->key < 32 ? 0 : -1;
}

static void
encode_card(const sim_card_t *c, hc_writer_t *w)
{
	hc_put_u8(w, CARD_SECTION_VERSION);
	hc_put_u8(w, (uint8_t)c->kind);
	hc_put_u8(w, (uint8_t)c->atr_len);
	hc_put_bytes(w, c->atr, c->atr_len);
	hc_put_u8(w, c->life_cycle);
	hc_put_u8(w, c->card_blocked);
}

static void
encode_fs(const sim_card_t *c, hc_writer_t *w)
{
	uint16_t i;

	hc_put_u8(w, FS_SECTION_VERSION);
	hc_put_u16(w, c->n_files);
	for (i = 0; i < c->n_files; i++) {
		const sim_file_t *f = &c->files[i];

		hc_put_u8(w, f->kind);
		hc_put_u16(w, f->fid);
		hc_put_u16(w, f->parent);
		hc_put_u8(w, f->name_len);
		hc_put_bytes(w, f->name, f->name_len);
		hc_put_u8(w, f->sfi);
		put_ac(w, &f->read);
		put_ac(w, &f->write);
		put_ac(w, &f->erase);
		hc_put_u8(w, f->sm);
		hc_put_u8(w, f->blocked);
		hc_put_u8(w, f->key_version);
		hc_put_u16(w, f->record_len);
		hc_put_u16(w, f->n_records);
		hc_put_bytes(w, f->locked_tags, SIM_MAX_LOCKED_TAGS);
		hc_put_u16(w, f->kind == SIM_FILE_DF ? 0 : f->size);
		if (f->kind != SIM_FILE_DF)
			hc_put_bytes(w, f->data, f->size);
	}
}

/* Writes one section: name, then a u32 length patched after the body is written. */
static int
put_section(hc_writer_t *w, const char *name, void (*body)(const sim_card_t *, hc_writer_t *),
            int (*mbody)(const sim_card_t *, hc_writer_t *), const sim_card_t *c)
{
	size_t len_at, start;
	size_t n = strlen(name);

	if (n == 0 || n > 31)
		return -1;
	hc_put_u8(w, (uint8_t)n);
	hc_put_bytes(w, (const uint8_t *)name, n);
	len_at = w->len;
	hc_put_u32(w, 0);
	start = w->len;
	if (body != NULL)
		body(c, w);
	else if (mbody(c, w) != 0)
		return -1;
	if (!hc_writer_ok(w))
		return -1;
	n = w->len - start;
	w->data[len_at] = (uint8_t)(n >> 24);
	w->data[len_at + 1] = (uint8_t)(n >> 16);
	w->data[len_at + 2] = (uint8_t)(n >> 8);
	w->data[len_at + 3] = (uint8_t)n;
	return 0;
}

int
sim_image_encode(const sim_card_t *c, uint8_t **out, size_t *out_len)
{
	const sim_module_t *const *mods;
	const struct sim_section *s;
	uint8_t *buf;
	hc_writer_t w;
	size_t n, i;
	uint16_t count = 2;
	int rc = -1;

	buf = malloc(SIM_IMAGE_MAX);
	if (buf == NULL)
		return -1;
	mods = sim_modules(&n);
	for (i = 0; i < n; i++)
		if (mods[i] != NULL && mods[i]->name != NULL && mods[i]->save != NULL)
			count++;
	for (s = c->foreign; s != NULL; s = s->next)
		count++;
	hc_writer_init(&w, buf, SIM_IMAGE_MAX - 4);
	hc_put_bytes(&w, (const uint8_t *)SIM_IMAGE_MAGIC, 8);
	hc_put_u16(&w, count);
	if (put_section(&w, "card", encode_card, NULL, c) != 0 ||
	    put_section(&w, "fs", encode_fs, NULL, c) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (mods[i] == NULL || mods[i]->name == NULL || mods[i]->save == NULL)
			continue;
		if (put_section(&w, mods[i]->name, NULL, mods[i]->save, c) != 0) {
			hc_log_error("module %s: save failed", mods[i]->name);
			goto out;
		}
	}
	for (s = c->foreign; s != NULL; s = s->next) {
		hc_put_u8(&w, (uint8_t)strlen(s->name));
		hc_put_bytes(&w, (const uint8_t *)s->name, strlen(s->name));
		hc_put_u32(&w, (uint32_t)s->len);
		hc_put_bytes(&w, s->data, s->len);
	}
	if (!hc_writer_ok(&w))
		goto out;
	w.cap += 4;
	hc_put_u32(&w, crc32_ieee(buf, w.len));
	*out = buf;
	*out_len = w.len;
	buf = NULL;
	rc = 0;
out:
	if (buf != NULL) {
		hc_wipe(buf, SIM_IMAGE_MAX);
		free(buf);
	}
	return rc;
}

static int
decode_card(sim_card_t *c, const uint8_t *p, size_t n)
{
	hc_reader_t r;
	uint8_t ver, kind, atr_len;

	hc_reader_init(&r, p, n);
	if (hc_get_u8(&r, &ver) != 0 || ver != CARD_SECTION_VERSION ||
	    hc_get_u8(&r, &kind) != 0 || (kind != SIM_CARD_USER && kind != SIM_CARD_SAM) ||
	    hc_get_u8(&r, &atr_len) != 0 || atr_len < 2 || atr_len > SIM_MAX_ATR ||
	    hc_get_bytes(&r, c->atr, atr_len) != 0 || hc_get_u8(&r, &c->life_cycle) != 0 ||
	    hc_get_u8(&r, &c->card_blocked) != 0)
		return -1;
	c->kind = (sim_card_kind_t)kind;
	c->atr_len = atr_len;
	return 0;
}

static int
decode_file(hc_reader_t *r, sim_file_t *f, uint16_t index)
{
	uint16_t size;

	memset(f, 0, sizeof(*f));
	if (hc_get_u8(r, &f->kind) != 0 || f->kind < SIM_FILE_DF || f->kind > SIM_EF_CYCLIC ||
	    hc_get_u16(r, &f->fid) != 0 || hc_get_u16(r, &f->parent) != 0 ||
	    hc_get_u8(r, &f->name_len) != 0 || f->name_len > SIM_MAX_NAME ||
	    hc_get_bytes(r, f->name, f->name_len) != 0 || hc_get_u8(r, &f->sfi) != 0 ||
	    get_ac(r, &f->read) != 0 || get_ac(r, &f->write) != 0 || get_ac(r, &f->erase) != 0 ||
	    hc_get_u8(r, &f->sm) != 0 || f->sm > SIM_SM_ENC_MAC ||
	    hc_get_u8(r, &f->blocked) != 0 || f->blocked > SIM_BLOCK_PERMANENT ||
	    hc_get_u8(r, &f->key_version) != 0 || hc_get_u16(r, &f->record_len) != 0 ||
	    hc_get_u16(r, &f->n_records) != 0 ||
	    hc_get_bytes(r, f->locked_tags, SIM_MAX_LOCKED_TAGS) != 0 ||
	    hc_get_u16(r, &size) != 0)
		return -1;
	/* the tree must be well-formed: parents come first and are DFs, only node 0 is root */
	if (index == 0 ? (f->parent != SIM_NO_FILE || f->kind != SIM_FILE_DF)
	    : f->parent >= index)
		return -1;
	if (f->kind == SIM_FILE_DF)
		return size == 0 ? 0 : -1;
	if (size == 0 || size > SIM_MAX_FILE_SIZE)
		return -1;
	if ((f->kind == SIM_EF_FIXED || f->kind == SIM_EF_CYCLIC) &&
	    (f->record_len == 0 || (size_t)f->record_len * f->n_records != size))
		return -1;
	f->size = size;
	f->data = malloc(size);
	if (f->data == NULL || hc_get_bytes(r, f->data, size) != 0) {
		free(f->data);
		f->data = NULL;
		return -1;
	}
	return 0;
}

static int
decode_fs(sim_card_t *c, const uint8_t *p, size_t n)
{
	hc_reader_t r;
	uint8_t ver;
	uint16_t count, i;

	hc_reader_init(&r, p, n);
	if (hc_get_u8(&r, &ver) != 0 || ver != FS_SECTION_VERSION ||
	    hc_get_u16(&r, &count) != 0 || count == 0 || count > SIM_MAX_FILES)
		return -1;
	for (i = 0; i < count; i++) {
		if (decode_file(&r, &c->files[i], i) != 0)
			return -1;
		c->n_files = (uint16_t)(i + 1);
		if (i > 0 && c->files[c->files[i].parent].kind != SIM_FILE_DF)
			return -1;
	}
	return hc_reader_left(&r) == 0 ? 0 : -1;
}

static int
keep_foreign(sim_card_t *c, const char *name, const uint8_t *p, size_t n)
{
	struct sim_section *s = calloc(1, sizeof(*s)), **tail;

	if (s == NULL)
		return -1;
	s->data = malloc(n > 0 ? n : 1);
	if (s->data == NULL) {
		free(s);
		return -1;
	}
	memcpy(s->data, p, n);
	s->len = n;
	snprintf(s->name, sizeof(s->name), "%s", name);
	for (tail = &c->foreign; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = s;
	return 0;
}

static int
decode_section(sim_card_t *c, const char *name, const uint8_t *p, size_t n, int *seen)
{
	const sim_module_t *const *mods;
	size_t count, i;

	if (strcmp(name, "card") == 0) {
		seen[0]++;
		return decode_card(c, p, n);
	}
	if (strcmp(name, "fs") == 0) {
		seen[1]++;
		return decode_fs(c, p, n);
	}
	mods = sim_modules(&count);
	for (i = 0; i < count; i++)
		if (mods[i] != NULL && mods[i]->name != NULL && strcmp(mods[i]->name, name) == 0)
			return mods[i]->load != NULL ? mods[i]->load(c, p, n) : 0;
	return keep_foreign(c, name, p, n);
}

sim_card_t *
sim_image_decode(const uint8_t *p, size_t len)
{
	sim_card_t *c = NULL, *ret = NULL;
	hc_reader_t r;
	uint16_t count, i;
	uint32_t crc;
	int seen[2] = { 0, 0 };

	if (len < 14 || len > SIM_IMAGE_MAX || memcmp(p, SIM_IMAGE_MAGIC, 8) != 0) {
		hc_log_error("not a card image");
		return NULL;
	}
	crc = (uint32_t)p[len - 4] << 24 | (uint32_t)p[len - 3] << 16 |
	      (uint32_t)p[len - 2] << 8 | p[len - 1];
	if (crc != crc32_ieee(p, len - 4)) {
		hc_log_error("card image corrupt (CRC)");
		return NULL;
	}
	c = sim_card_new(SIM_CARD_USER);
	if (c == NULL)
		return NULL;
	hc_reader_init(&r, p + 8, len - 12);
	if (hc_get_u16(&r, &count) != 0)
		goto out;
	for (i = 0; i < count; i++) {
		uint8_t nlen;
		uint32_t slen;
		char name[32];
		const uint8_t *body;

		if (hc_get_u8(&r, &nlen) != 0 || nlen == 0 || nlen > 31 ||
		    hc_get_bytes(&r, (uint8_t *)name, nlen) != 0 || hc_get_u32(&r, &slen) != 0 ||
		    hc_get_ptr(&r, &body, slen) != 0)
			goto malformed;
		name[nlen] = '\0';
		if (decode_section(c, name, body, slen, seen) != 0) {
			hc_log_error("card image: section %s malformed", name);
			goto out;
		}
	}
	if (hc_reader_left(&r) != 0 || seen[0] != 1 || seen[1] != 1)
		goto malformed;
	sim_card_reset(c);
	c->dirty = 0;
	ret = c;
	c = NULL;
	goto out;
malformed:
	hc_log_error("card image malformed");
out:
	sim_card_free(&c);
	return ret;
}

sim_card_t *
sim_image_load(const char *path)
{
	uint8_t *buf = NULL;
	sim_card_t *c = NULL;
	struct stat st;
	ssize_t got;
	size_t off = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		hc_log_error("%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || st.st_size < 14 || (size_t)st.st_size > SIM_IMAGE_MAX) {
		hc_log_error("%s: not a card image (size)", path);
		goto out;
	}
	buf = malloc((size_t)st.st_size);
	if (buf == NULL)
		goto out;
	while (off < (size_t)st.st_size) {
		got = read(fd, buf + off, (size_t)st.st_size - off);
		if (got <= 0) {
			hc_log_error("%s: read failed", path);
			goto out;
		}
		off += (size_t)got;
	}
	c = sim_image_decode(buf, off);
out:
	if (buf != NULL) {
		hc_wipe(buf, off);
		free(buf);
	}
	close(fd);
	return c;
}

static int
write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
sim_image_save(const sim_card_t *card, const char *path)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	uint8_t *buf = NULL;
	size_t len = 0;
	int fd = -1, dfd = -1, rc = -1;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp) ||
	    snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -1;
	if (sim_image_encode(card, &buf, &len) != 0)
		goto out;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, buf, len) != 0 || fsync(fd) != 0) {
		hc_log_error("%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		hc_log_error("rename %s: %s", path, strerror(errno));
		goto out;
	}
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) != 0) {
		hc_log_error("fsync of the image directory: %s", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	if (dfd >= 0)
		close(dfd);
	if (buf != NULL) {
		hc_wipe(buf, len);
		free(buf);
	}
	return rc;
}
