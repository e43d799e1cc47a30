/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared by fuzz_fdt, fuzz_iort and fuzz_dmar: result arrays and the checks
 * every parser result must pass, whatever the input:
 *  - on failure nothing was appended (counts as before) and a message says why;
 *  - on success every device and reserved region names a unit that exists,
 *    identities resolve, and reserved regions are non-empty;
 *  - the counts never exceed the capacities.
 */
#ifndef IOMM_FUZZ_DISCOVERY_H
#define IOMM_FUZZ_DISCOVERY_H

#include <iommuman/discovery.h>

#include "fuzz_common.h"

struct fz_disc {
	struct iomm_cfg_unit units[8];
	struct iomm_cfg_device devs[64];
	struct iomm_cfg_resv resv[8];
	struct iomm_discovery d;
};

static inline void fz_disc_init(struct fz_disc *x)
{
	FZ_CHECK(iomm_discovery_init(&x->d, x->units, 8, x->devs, 64, x->resv, 8) == IOMM_OK,
		 "init failed");
}

static inline void fz_disc_check(const struct fz_disc *x, int rc)
{
	const struct iomm_discovery *d = &x->d;
	FZ_CHECK(d->nunits <= 8 && d->ndevices <= 64 && d->nresv <= 8, "counts beyond capacity");
	if (rc != IOMM_OK) {
		FZ_CHECK(rc == IOMM_EINVAL || rc == IOMM_EIO || rc == IOMM_ENOSPC ||
				 rc == IOMM_ENOTSUP || rc == IOMM_ENODEV,
			 "unexpected status %d", rc);
		FZ_CHECK(d->nunits == 0 && d->ndevices == 0 && d->nresv == 0,
			 "a failed parse left entries behind");
		FZ_CHECK(d->msg != NULL, "a failed parse gave no reason");
		return;
	}
	for (uint32_t i = 0; i < d->nunits; i++)
		FZ_CHECK(d->units[i].type >= IOMM_UNIT_SMMUV3 && d->units[i].type <= IOMM_UNIT_RISCV &&
				 d->units[i].nirqs <= IOMM_CFG_UNIT_IRQS,
			 "unit %u malformed", i);
	for (uint32_t i = 0; i < d->ndevices; i++) {
		uint32_t s, m;
		FZ_CHECK(d->devices[i].unit < d->nunits, "device %u names unit %u of %u", i,
			 d->devices[i].unit, d->nunits);
		FZ_CHECK(iomm_devid_resolve(&d->devices[i].id, &s, &m) == IOMM_OK,
			 "device %u identity does not resolve", i);
		FZ_CHECK(d->devices[i].policy == IOMM_POLICY_BLOCKED, "device %u not blocked", i);
	}
	for (uint32_t i = 0; i < d->nresv; i++) {
		uint32_t s, m;
		FZ_CHECK(d->resv[i].unit < d->nunits, "reserved region %u names a missing unit", i);
		FZ_CHECK(d->resv[i].size != 0, "reserved region %u is empty", i);
		FZ_CHECK(iomm_devid_resolve(&d->resv[i].id, &s, &m) == IOMM_OK,
			 "reserved region %u identity does not resolve", i);
	}
	/* whatever was found is a board the validator can judge without crashing */
	struct iomm_board b;
	struct iomm_config_error err;
	FZ_CHECK(iomm_discovery_board(d, &b) == IOMM_OK, "board failed");
	(void)iomm_config_validate(&b, NULL, &err);
}

#endif /* IOMM_FUZZ_DISCOVERY_H */
