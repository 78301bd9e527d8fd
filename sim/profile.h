/*
 * hcard-sim: the factory. Builds a blank user card or SAM card from the static profile
 * tables of sim/profile.c (card-profile.md §2, §3, §4, written independently of the
 * middleware's tables), then lets every linked module add its part (sim/module.h).
 */
#ifndef HC_SIM_PROFILE_H
#define HC_SIM_PROFILE_H

#include "sim/card.h"
#include "sim/module.h"

#define SIM_FACTORY_MAX_OPTS 32u

struct sim_factory_opts {
	const char *name[SIM_FACTORY_MAX_OPTS];
	const char *value[SIM_FACTORY_MAX_OPTS];
	size_t n;
};

/* Default card factor (ATR[4..11]) and city code (EF05 tag 57) of a factory card. */
#define SIM_DEFAULT_CARD_FACTOR "4843415244000001"
#define SIM_DEFAULT_SAM_FACTOR  "48434153414D0001"
#define SIM_DEFAULT_CITY        "110100"

/*
 * Makes a new card of kind: file structure with factory contents, ATR, life cycle 03, then
 * the modules' factory hooks. opts carries "card-factor" (16 hex digits), "city" (6 digits)
 * and the modules' options. NULL on failure (reason logged).
 */
sim_card_t *sim_factory(sim_card_kind_t kind, const sim_factory_opts_t *opts);

#endif
