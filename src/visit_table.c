/* Lookups over the generated visit item tables (src/visit_items.c). See hcard_visit.h. */
#include "config.h"

#include "src/visit_items.h"

static const hc_visit_item_t *
items_of(hc_visit_kind_t kind, size_t *n)
{
	switch (kind) {
	case HC_VISIT_INPATIENT:
		*n = hc_visit_items_ee_count;
		return hc_visit_items_ee;
	case HC_VISIT_OUTPATIENT:
		*n = hc_visit_items_ed_count;
		return hc_visit_items_ed;
	default:
		*n = 0;
		return NULL;
	}
}

size_t
hc_visit_item_count(hc_visit_kind_t kind)
{
	size_t n;

	(void)items_of(kind, &n);
	return n;
}

const hc_visit_item_t *
hc_visit_item_at(hc_visit_kind_t kind, size_t i)
{
	size_t n;
	const hc_visit_item_t *t = items_of(kind, &n);

	return i < n ? &t[i] : NULL;
}

const hc_visit_item_t *
hc_visit_item_by_no(hc_visit_kind_t kind, int item_no)
{
	size_t n, i;
	const hc_visit_item_t *t = items_of(kind, &n);

	for (i = 0; i < n; i++)
		if (t[i].item_no == item_no)
			return &t[i];
	return NULL;
}

const hc_visit_item_t *
hc_visit_item_by_id(int data_id)
{
	static const hc_visit_kind_t kinds[] = { HC_VISIT_INPATIENT, HC_VISIT_OUTPATIENT };
	size_t k, n, i;
	const hc_visit_item_t *t;

	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		t = items_of(kinds[k], &n);
		for (i = 0; i < n; i++)
			if (t[i].data_id == data_id)
				return &t[i];
	}
	return NULL;
}

size_t
hc_visit_data_len(hc_visit_kind_t kind)
{
	switch (kind) {
	case HC_VISIT_INPATIENT:
		return HC_VISIT_INPATIENT_LEN;
	case HC_VISIT_OUTPATIENT:
		return HC_VISIT_OUTPATIENT_LEN;
	default:
		return 0;
	}
}

int
hc_visit_slots(hc_visit_kind_t kind)
{
	switch (kind) {
	case HC_VISIT_INPATIENT:
		return HC_VISIT_INPATIENT_SLOTS;
	case HC_VISIT_OUTPATIENT:
		return HC_VISIT_OUTPATIENT_SLOTS;
	default:
		return 0;
	}
}
