/*
 * The cyclic files DF02/EF07 (allergies) and DF02/EF08 (immunisations) at the national
 * interface, over hcard_health.h.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hcard_health.h"
#include "apdu/buf.h"
#include "compat/compat.h"

/* --- cyclic files: record 1 is the newest ---------------------------------------------- */

typedef struct cyclic_op {
	hc_allergy_t allergy[HC_ALLERGIES_MAX];
	hc_immunisation_t imm[HC_IMMUNISATIONS_MAX];
	size_t count;
	int immunisation;           /* 0 allergies, 1 immunisations */
} cyclic_op_t;

static int
cyclic_read(hc_card_t *card, void *arg)
{
	cyclic_op_t *op = arg;

	return op->immunisation ? hc_read_immunisations(card, op->imm, &op->count)
	                        : hc_read_allergies(card, op->allergy, &op->count);
}

static int
cyclic_append(hc_card_t *card, void *arg)
{
	cyclic_op_t *op = arg;

	return op->immunisation ? hc_append_immunisation(card, &op->imm[0])
	                        : hc_append_allergy(card, &op->allergy[0]);
}

int
iR_DF02EF07Info(HANDLE h, int nRecorderNo, char *GMWZMC, char *GMFY)
{
	cyclic_op_t op;
	wsb_dev_t *d;
	int ret, rc;

	if ((ret = wsb_enter(h, &d)) != IRV_OK)
		return ret;
	memset(&op, 0, sizeof(op));
	ret = IRV_PARA_ERR;
	if (GMWZMC == NULL || GMFY == NULL || nRecorderNo < 1 || nRecorderNo > HC_ALLERGIES_MAX)
		goto out;
	if ((rc = wsb_run(d, cyclic_read, &op, 1)) == HC_OK && (size_t)nRecorderNo <= op.count
	    && (rc = wsb_text_out(d, op.allergy[nRecorderNo - 1].allergen, GMWZMC)) == HC_OK)
		rc = wsb_text_out(d, op.allergy[nRecorderNo - 1].reaction, GMFY);
	if (rc == HC_OK && (size_t)nRecorderNo > op.count)
		GMWZMC[0] = GMFY[0] = '\0';     /* an entry not written yet */
	ret = wsb_irv(rc, WSB_OP_READ_RECORD);
out:
	hc_wipe(&op, sizeof(op));
	wsb_leave(d);
	return ret;
}

int
iW_DF02EF07Info(HANDLE h, char *GMWZMC, char *GMFY)
{
	cyclic_op_t op;
	wsb_dev_t *d;
	int ret, rc;

	if ((ret = wsb_enter(h, &d)) != IRV_OK)
		return ret;
	memset(&op, 0, sizeof(op));
	ret = IRV_PARA_ERR;
	if (GMWZMC == NULL || GMFY == NULL)
		goto out;
	if ((rc = wsb_text_in(d, GMWZMC, op.allergy[0].allergen, sizeof(op.allergy[0].allergen))) == HC_OK
	    && (rc = wsb_text_in(d, GMFY, op.allergy[0].reaction, sizeof(op.allergy[0].reaction))) == HC_OK)
		rc = wsb_run(d, cyclic_append, &op, 0);
	ret = wsb_irv(rc, WSB_OP_WRITE_RECORD);
out:
	hc_wipe(&op, sizeof(op));
	wsb_leave(d);
	return ret;
}

int
iR_DF02EF08Info(HANDLE h, int nRecorderNo, char *MYJZMC, char *MYJZSJ)
{
	cyclic_op_t op;
	wsb_dev_t *d;
	int ret, rc;

	if ((ret = wsb_enter(h, &d)) != IRV_OK)
		return ret;
	memset(&op, 0, sizeof(op));
	op.immunisation = 1;
	ret = IRV_PARA_ERR;
	if (MYJZMC == NULL || MYJZSJ == NULL || nRecorderNo < 1 || nRecorderNo > HC_IMMUNISATIONS_MAX)
		goto out;
	if ((rc = wsb_run(d, cyclic_read, &op, 1)) == HC_OK && (size_t)nRecorderNo <= op.count
	    && (rc = wsb_text_out(d, op.imm[nRecorderNo - 1].vaccine, MYJZMC)) == HC_OK)
		memcpy(MYJZSJ, op.imm[nRecorderNo - 1].date, strlen(op.imm[nRecorderNo - 1].date) + 1);
	if (rc == HC_OK && (size_t)nRecorderNo > op.count)
		MYJZMC[0] = MYJZSJ[0] = '\0';
	ret = wsb_irv(rc, WSB_OP_READ_RECORD);
out:
	hc_wipe(&op, sizeof(op));
	wsb_leave(d);
	return ret;
}

int
iW_DF02EF08Info(HANDLE h, char *MYJZMC, char *MYJZSJ)
{
	cyclic_op_t op;
	wsb_dev_t *d;
	int ret, rc;

	if ((ret = wsb_enter(h, &d)) != IRV_OK)
		return ret;
	memset(&op, 0, sizeof(op));
	op.immunisation = 1;
	ret = IRV_PARA_ERR;
	if (MYJZMC == NULL || MYJZSJ == NULL || strlen(MYJZSJ) >= sizeof(op.imm[0].date))
		goto out;
	memcpy(op.imm[0].date, MYJZSJ, strlen(MYJZSJ) + 1);
	if ((rc = wsb_text_in(d, MYJZMC, op.imm[0].vaccine, sizeof(op.imm[0].vaccine))) == HC_OK)
		rc = wsb_run(d, cyclic_append, &op, 0);
	ret = wsb_irv(rc, WSB_OP_WRITE_RECORD);
out:
	hc_wipe(&op, sizeof(op));
	wsb_leave(d);
	return ret;
}
