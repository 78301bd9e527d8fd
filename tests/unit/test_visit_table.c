/*
 * The generated visit item tables (src/visit_items.c): offsets contiguous from 0, lengths
 * adding up to the data sizes of card-profile.md §3 (1639 / 3013), item numbers 1..N in order,
 * data ids unique, signature and certificate rows right after the data, cn kinds only on cn
 * items, date kinds on cn 4 / cn 7, and the lookups agreeing with the table.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "src/visit_items.h"

static void
check_kind(hc_visit_kind_t kind, size_t n_items, size_t data_len, int slots,
           const hc_visit_item_t trailer[2])
{
	const hc_visit_item_t *it;
	size_t i, off = 0;

	assert_int_equal(hc_visit_item_count(kind), n_items);
	assert_int_equal(hc_visit_data_len(kind), data_len);
	assert_int_equal(hc_visit_slots(kind), slots);
	for (i = 0; i < n_items; i++) {
		it = hc_visit_item_at(kind, i);
		assert_non_null(it);
		assert_int_equal(it->file, kind);
		assert_int_equal(it->item_no, i + 1);
		assert_int_equal(it->offset, off);
		assert_true(it->length > 0);
		assert_true(it->type == HC_VT_ANS || it->type == HC_VT_CN || it->type == HC_VT_B);
		if (it->type == HC_VT_CN) {
			assert_true(it->cn_kind >= HC_CN_DIGITS && it->cn_kind <= HC_CN_DATETIME);
			if (it->cn_kind == HC_CN_DATE)
				assert_int_equal(it->length, 4);
			if (it->cn_kind == HC_CN_DATETIME)
				assert_int_equal(it->length, 7);
		} else {
			assert_int_equal(it->cn_kind, HC_CN_NONE);
		}
		assert_true(strlen(it->name_zh) > 0 && strlen(it->name_en) > 0);
		assert_ptr_equal(hc_visit_item_by_no(kind, it->item_no), it);
		assert_ptr_equal(hc_visit_item_by_id(it->data_id), it);
		off += it->length;
	}
	assert_int_equal(off, data_len);
	assert_null(hc_visit_item_at(kind, n_items));
	assert_null(hc_visit_item_by_no(kind, 0));
	assert_null(hc_visit_item_by_no(kind, (int)n_items + 1));
	/* signature (64) then SAM certificate (190) follow the data */
	assert_int_equal(trailer[0].offset, data_len);
	assert_int_equal(trailer[0].length, HC_VISIT_SIG_LEN);
	assert_int_equal(trailer[1].offset, data_len + HC_VISIT_SIG_LEN);
	assert_int_equal(trailer[1].length, HC_VISIT_CERT_LEN);
	assert_int_equal(trailer[0].item_no, n_items + 1);
	assert_int_equal(trailer[1].item_no, n_items + 2);
}

static void
test_inpatient(void **state)
{
	(void)state;
	check_kind(HC_VISIT_INPATIENT, 147, 1639, 3, hc_visit_trailer_ee);
	/* spot checks against card-profile.md §3: EE amounts are cn 5, ED cn 4 */
	assert_int_equal(hc_visit_item_by_no(HC_VISIT_INPATIENT, 147)->length, 5);
	assert_int_equal(hc_visit_item_by_no(HC_VISIT_INPATIENT, 147)->cn_kind, HC_CN_NUMBER);
	assert_int_equal(hc_visit_item_by_no(HC_VISIT_INPATIENT, 3)->cn_kind, HC_CN_DATE);
}

static void
test_outpatient(void **state)
{
	(void)state;
	check_kind(HC_VISIT_OUTPATIENT, 170, 3013, 5, hc_visit_trailer_ed);
	assert_int_equal(hc_visit_item_by_no(HC_VISIT_OUTPATIENT, 170)->length, 4);
	assert_int_equal(hc_visit_item_by_no(HC_VISIT_OUTPATIENT, 3)->cn_kind, HC_CN_DATETIME);
}

static void
test_ids_unique(void **state)
{
	size_t i, j;
	const hc_visit_item_t *a, *b;

	(void)state;
	for (i = 0; (a = hc_visit_item_at(HC_VISIT_INPATIENT, i)) != NULL; i++)
		for (j = 0; (b = hc_visit_item_at(HC_VISIT_OUTPATIENT, j)) != NULL; j++)
			assert_int_not_equal(a->data_id, b->data_id);
	assert_null(hc_visit_item_by_id(0));
	assert_null(hc_visit_item_by_id(211));      /* the EE signature row is no data item */
	assert_int_equal(hc_visit_item_count((hc_visit_kind_t)9), 0);
	assert_int_equal(hc_visit_data_len((hc_visit_kind_t)9), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inpatient),
		cmocka_unit_test(test_outpatient),
		cmocka_unit_test(test_ids_unique),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
