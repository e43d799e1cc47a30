/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers shared by the firmware parsers (ACPI, device tree). Not installed. */
#ifndef IOMM_DISCOVERY_INTERNAL_H
#define IOMM_DISCOVERY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iommuman/discovery.h>

/* Counts at the start of a parser call, restored when it fails. */
struct iomm_disc_mark {
	uint32_t nunits, ndevices, nresv;
};

void iomm_disc_begin(struct iomm_discovery *d, struct iomm_disc_mark *m);
/* Record why and where, restore the counts of @m, return @status. */
int iomm_disc_fail(struct iomm_discovery *d, const struct iomm_disc_mark *m, int status,
		   uint32_t offset, const char *msg);

/* Append one entry (copied); IOMM_ENOSPC when full. */
int iomm_disc_add_unit(struct iomm_discovery *d, const struct iomm_cfg_unit *u);
int iomm_disc_add_device(struct iomm_discovery *d, const struct iomm_cfg_device *dev);
int iomm_disc_add_resv(struct iomm_discovery *d, const struct iomm_cfg_resv *r);

/* Append the stream IDs [first, first + count) of @unit as devices whose
 * identities are aligned power-of-two groups. @count >= 1, no wrap beyond
 * 32 bits (IOMM_EINVAL otherwise). */
int iomm_disc_add_sid_range(struct iomm_discovery *d, uint32_t unit, uint32_t first, uint64_t count,
			    const char *name);

/* Index of the unit added since @m whose fw_ref is @ref, or -1. */
int iomm_disc_find_unit(const struct iomm_discovery *d, const struct iomm_disc_mark *m,
			uint32_t ref);

#endif /* IOMM_DISCOVERY_INTERNAL_H */
