/* Consistency of the profile tables against card-profile.md: sizes, tags, keys. The expected
 * numbers are the spec's (§2 table, §3 element lists, §4 key table), typed in by hand. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "src/profile.h"

static void
test_tags_unique(void **state)
{
	size_t f, i, j;
	const hc_file_def_t *fd;

	(void)state;
	for (f = 0; f < HC_FILE__COUNT; f++) {
		fd = hc_profile_file((hc_file_id_t)f);
		assert_non_null(fd);
		assert_int_equal(fd->id, f);
		if (fd->kind != HC_FILE_VARIABLE)
			continue;
		for (i = 0; i < fd->n_elements; i++) {
			assert_int_not_equal(fd->elements[i].tag, 0);
			assert_ptr_equal(hc_profile_element(fd, fd->elements[i].tag), &fd->elements[i]);
			for (j = i + 1; j < fd->n_elements; j++)
				assert_int_not_equal(fd->elements[i].tag, fd->elements[j].tag);
		}
	}
}

static void
test_sizes(void **state)
{
	static const struct { hc_file_id_t id; size_t value_bytes; size_t n; } want[] = {
		{ HC_FILE_DDF1_EF05, 1 + 4 + 30 + 11 + 180 + 4 + 18 + 3 + 10 + 3, 10 },
		{ HC_FILE_DDF1_EF06, 30 + 1 + 1 + 4 + 18, 5 },
		{ HC_FILE_DDF1_EF08, 4 + 20 + 20 + 1 + 1 + 1, 6 },
		{ HC_FILE_DF01_EF05, 1 + 100 + 1 + 100, 4 },
		{ HC_FILE_DF01_EF06, 3 * (30 + 1 + 20), 9 },
		{ HC_FILE_DF01_EF07, 1 + 1 + 3, 3 },
		{ HC_FILE_DF01_EF08, 1 + 18 + 17 + 18, 4 },
		{ HC_FILE_DF02_EF05, 1 + 1 + 12 + 40, 15 },
		{ HC_FILE_DF02_EF06, 1, 1 },
		{ HC_FILE_DF02_EF07, 20 + 100, 2 },
		{ HC_FILE_DF02_EF08, 20 + 4, 2 },
	};
	const hc_file_def_t *fd;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		fd = hc_profile_file(want[i].id);
		assert_int_equal(hc_profile_value_bytes(fd), want[i].value_bytes);
		assert_int_equal(fd->n_elements, want[i].n);
		if (fd->kind == HC_FILE_VARIABLE)
			assert_int_equal(hc_profile_record_bytes(fd), want[i].value_bytes + 2 * want[i].n);
		else
			assert_int_equal(fd->size, want[i].value_bytes);   /* cyclic record length */
	}
	assert_int_equal(hc_profile_file(HC_FILE_DF02_EF07)->records, 3);
	assert_int_equal(hc_profile_file(HC_FILE_DF02_EF08)->records, 10);
	assert_int_equal(hc_profile_file(HC_FILE_DDF1_EF07)->size, 2 + 3072);
	assert_int_equal(hc_profile_file(HC_FILE_DF03_EE01)->size, 1639 + 64 + 190);
	assert_int_equal(hc_profile_file(HC_FILE_DF03_ED05)->size, 3013 + 64 + 190);
	assert_int_equal(hc_profile_file(HC_FILE_DF03_EF05)->records, 3);
	assert_int_equal(hc_profile_file(HC_FILE_DF03_EF06)->records, 5);
}

static void
test_sfi_and_fid(void **state)
{
	size_t f;
	const hc_file_def_t *fd;

	(void)state;
	for (f = 0; f < HC_FILE__COUNT; f++) {
		fd = hc_profile_file((hc_file_id_t)f);
		if ((fd->fid & 0xFF00) == 0xEF00)   /* [PC] SFI of EFnn is nn's value */
			assert_int_equal(fd->sfi, fd->fid & 0xFF);
		assert_true(fd->sfi <= 0x1F);
	}
}

static void
test_keys(void **state)
{
	const hc_key_def_t *k;
	size_t i, j, f;
	const hc_file_def_t *fd;

	(void)state;
	k = hc_profile_key(HC_KEY_RK1_DDF1);     /* §4: "RK1 DDF1 is 80 DE 47 31" */
	assert_int_equal(k->sam_p1, 0x47);
	assert_int_equal(k->sam_tag | (1 << 5), 0x31);
	k = hc_profile_key(HC_KEY_IRK_DDF1);     /* "80 DE 47 21" */
	assert_int_equal(k->sam_tag | (1 << 5), 0x21);
	for (i = 0; i < HC_KEY__COUNT; i++) {
		assert_int_equal(hc_profile_key((hc_key_id_t)i)->id, i);
		for (j = i + 1; j < HC_KEY__COUNT; j++) {
			const hc_key_def_t *a = hc_profile_key((hc_key_id_t)i), *b = hc_profile_key((hc_key_id_t)j);
			assert_int_not_equal(a->sam_tag, b->sam_tag);
			if (a->app == b->app && a->card_p2 >= 0)
				assert_int_not_equal(a->card_p2, b->card_p2);
		}
	}
	/* §1: a type 1 SAM reads only; type 3 lacks UK2 DF02; type 4 reads nothing */
	for (i = 0; i < HC_KEY__COUNT; i++) {
		k = hc_profile_key((hc_key_id_t)i);
		if (strncmp(k->name, "UK", 2) == 0)
			assert_false(k->sam_types & (1 << 1));
		if (strncmp(k->name, "RK", 2) == 0)
			assert_false(k->sam_types & (1 << 4));
		assert_true(k->sam_types & (1 << 5));
	}
	assert_false(hc_profile_key(HC_KEY_UK2_DF02)->sam_types & (1 << 3));
	assert_true(hc_profile_key(HC_KEY_UK1_DF02)->sam_types & (1 << 3));
	/* every file's keys belong to the file's DF */
	for (f = 0; f < HC_FILE__COUNT; f++) {
		fd = hc_profile_file((hc_file_id_t)f);
		if (fd->read_key != HC_KEY_NONE)
			assert_int_equal(hc_profile_key(fd->read_key)->app, fd->app);
		assert_int_equal(hc_profile_key(fd->write_key)->app, fd->app);
	}
}

static void
test_key_sam_types_text(void **state)
{
	char buf[32];

	(void)state;
	hc_profile_key_sam_types(hc_profile_key(HC_KEY_UK1_DF02), buf, sizeof(buf));
	assert_string_equal(buf, "2, 3 or 5");
	hc_profile_key_sam_types(hc_profile_key(HC_KEY_UK1_DDF1), buf, sizeof(buf));
	assert_string_equal(buf, "5");
	hc_profile_key_sam_types(hc_profile_key(HC_KEY_UK2_DF02), buf, sizeof(buf));
	assert_string_equal(buf, "2 or 5");
}

static void
test_codes(void **state)
{
	const hc_file_def_t *f6 = hc_profile_file(HC_FILE_DDF1_EF06);
	const hc_file_def_t *c5 = hc_profile_file(HC_FILE_DF02_EF05);

	(void)state;
	assert_true(hc_profile_code_valid(hc_profile_element(f6, 0x12), 9));
	assert_false(hc_profile_code_valid(hc_profile_element(f6, 0x12), 3));
	assert_true(hc_profile_code_valid(hc_profile_element(f6, 0x13), 56));
	assert_true(hc_profile_code_valid(hc_profile_element(f6, 0x13), 98));
	assert_false(hc_profile_code_valid(hc_profile_element(f6, 0x13), 57));
	assert_true(hc_profile_code_valid(hc_profile_element(f6, 0x13), -1));
	assert_false(hc_profile_code_valid(hc_profile_element(c5, 0x41), 6));
	assert_false(hc_profile_code_valid(hc_profile_element(c5, 0x42), 4));
	assert_false(hc_profile_code_valid(hc_profile_element(c5, 0x43), 2));
}

static void
test_chip_profiles(void **state)
{
	static const uint8_t atr[] = { 0x3B, 0x6C, 0x00, 0x00, 1, 2, 3, 4, 5, 6, 7, 8,
	                               0x48, 0x43, 0x01, 0x00 };
	const hc_chip_profile_t *c;

	(void)state;
	c = hc_chip_profile_for_atr(atr, sizeof(atr));
	assert_string_equal(c->name, "hcard-sim");
	assert_int_equal(c->card_factor_offset, 4);
	assert_true(c->read_all_records);
	c = hc_chip_profile_by_name("short-apdu");
	assert_non_null(c);
	assert_false(c->read_all_records);
	assert_null(hc_chip_profile_by_name("nonesuch"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tags_unique),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_sfi_and_fid),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_key_sam_types_text),
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_chip_profiles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
