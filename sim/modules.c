/*
 * hcard-sim: the module registry. Modules are referenced weakly so that each lands when
 * its owner links it (sim/local.mk); an unlinked module's address is NULL and it is absent.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "sim/module.h"

#pragma weak sim_keys_module
#pragma weak sim_sam_module
#pragma weak sim_purse_module
#pragma weak sim_psam_module
#pragma weak sim_pki_module

/* Fixed order: keys first (SM hook, EXTERNAL AUTHENTICATE), then the applications. */
static const sim_module_t *const all_modules[] = {
	&sim_keys_module,
	&sim_sam_module,
	&sim_purse_module,
	&sim_psam_module,
	&sim_pki_module,
};

const sim_module_t *const *
sim_modules(size_t *n)
{
	*n = sizeof(all_modules) / sizeof(all_modules[0]);
	return all_modules;
}

void **
sim_card_module_state(sim_card_t *card, const sim_module_t *m)
{
	size_t i;

	for (i = 0; i < sizeof(all_modules) / sizeof(all_modules[0]) && i < SIM_MAX_MODULES; i++)
		if (all_modules[i] == m && m != NULL)
			return &card->module_state[i];
	return NULL;
}

uint16_t
sim_sm_unwrap(sim_card_t *card, const hc_apdu_t *cmd, sim_sm_mode_t mode, uint8_t *plain,
              size_t cap, size_t *plain_len)
{
	const sim_module_t *const *mods;
	size_t n, i;

	mods = sim_modules(&n);
	for (i = 0; i < n; i++)
		if (mods[i] != NULL && mods[i]->sm_unwrap != NULL)
			return mods[i]->sm_unwrap(card, cmd, mode, plain, cap, plain_len);
	/* no secure-messaging module linked: nothing can satisfy the condition */
	*plain_len = 0;
	return 0x6982;
}

void
sim_modules_event(sim_card_t *card, sim_event_t ev, const hc_apdu_t *cmd)
{
	const sim_module_t *const *mods;
	size_t n, i;

	mods = sim_modules(&n);
	for (i = 0; i < n; i++)
		if (mods[i] != NULL && mods[i]->event != NULL)
			mods[i]->event(card, ev, cmd);
}
