/* SPDX-License-Identifier: BSD-3-Clause */
/* Discovery results: caller arrays the firmware parsers append to. */
#include "discovery_internal.h"

#include "iomm_internal.h"

int iomm_discovery_init(struct iomm_discovery *d, struct iomm_cfg_unit *units, uint32_t units_cap,
			struct iomm_cfg_device *devices, uint32_t devices_cap,
			struct iomm_cfg_resv *resv, uint32_t resv_cap)
{
	if (!d || (units_cap && !units) || (devices_cap && !devices) || (resv_cap && !resv))
		return IOMM_EINVAL;
	d->units = units;
	d->units_cap = units_cap;
	d->nunits = 0;
	d->devices = devices;
	d->devices_cap = devices_cap;
	d->ndevices = 0;
	d->resv = resv;
	d->resv_cap = resv_cap;
	d->nresv = 0;
	d->msg = NULL;
	d->offset = 0;
	return IOMM_OK;
}

int iomm_discovery_board(const struct iomm_discovery *d, struct iomm_board *board)
{
	if (!d || !board)
		return IOMM_EINVAL;
	board->units = d->units;
	board->nunits = d->nunits;
	board->devices = d->devices;
	board->ndevices = d->ndevices;
	board->resv = d->resv;
	board->nresv = d->nresv;
	return IOMM_OK;
}

/* Discovery has no port: a refused call says why in d->msg. */
static int refuse(struct iomm_discovery *d, int status, const char *why)
{
	if (d)
		d->msg = why;
	return status;
}

int iomm_discovery_add_device(struct iomm_discovery *d, const struct iomm_cfg_device *dev)
{
	if (!d || !dev || dev->unit >= d->nunits)
		return refuse(d, IOMM_EINVAL,
			      "iomm_discovery_add_device: dev: NULL, or names no discovered unit");
	return iomm_disc_add_device(d, dev);
}

int iomm_discovery_set_policy(struct iomm_discovery *d, uint64_t unit_base,
			      const struct iomm_devid *id, enum iomm_cfg_policy policy,
			      const struct iomm_cfg_region *regions, uint32_t nregions)
{
	uint32_t s, m;
	if (!d || iomm_devid_resolve(id, &s, &m) || (nregions && !regions))
		return refuse(d, IOMM_EINVAL,
			      "iomm_discovery_set_policy: id malformed, or regions NULL with nregions");
	int n = 0;
	for (uint32_t i = 0; i < d->ndevices; i++) {
		struct iomm_cfg_device *dev = &d->devices[i];
		const struct iomm_cfg_unit *u = &d->units[dev->unit];
		uint32_t ds, dm;
		if (u->base != unit_base && (u->base || u->fw_ref != unit_base))
			continue;
		if (iomm_devid_resolve(&dev->id, &ds, &dm) || (dm & ~m) || ((ds ^ s) & ~m))
			continue;
		dev->policy = policy;
		dev->regions = regions;
		dev->nregions = nregions;
		n++;
	}
	return n ? n : IOMM_ENOENT;
}

/* ---- helpers of the parsers ---- */

void iomm_disc_begin(struct iomm_discovery *d, struct iomm_disc_mark *m)
{
	m->nunits = d->nunits;
	m->ndevices = d->ndevices;
	m->nresv = d->nresv;
	d->msg = NULL;
	d->offset = 0;
}

int iomm_disc_fail(struct iomm_discovery *d, const struct iomm_disc_mark *m, int status,
		   uint32_t offset, const char *msg)
{
	d->nunits = m->nunits;
	d->ndevices = m->ndevices;
	d->nresv = m->nresv;
	d->msg = msg;
	d->offset = offset;
	return status;
}

int iomm_disc_add_unit(struct iomm_discovery *d, const struct iomm_cfg_unit *u)
{
	if (d->nunits >= d->units_cap)
		return IOMM_ENOSPC;
	d->units[d->nunits++] = *u;
	return IOMM_OK;
}

int iomm_disc_add_device(struct iomm_discovery *d, const struct iomm_cfg_device *dev)
{
	if (d->ndevices >= d->devices_cap)
		return IOMM_ENOSPC;
	d->devices[d->ndevices++] = *dev;
	return IOMM_OK;
}

int iomm_disc_add_resv(struct iomm_discovery *d, const struct iomm_cfg_resv *r)
{
	if (d->nresv >= d->resv_cap)
		return IOMM_ENOSPC;
	d->resv[d->nresv++] = *r;
	return IOMM_OK;
}

int iomm_disc_add_sid_range(struct iomm_discovery *d, uint32_t unit, uint32_t first, uint64_t count,
			    const char *name)
{
	if (!count || (uint64_t)first + count > (UINT64_C(1) << 32))
		return IOMM_EINVAL;
	uint64_t at = first, end = (uint64_t)first + count;
	while (at < end) {
		/* the largest aligned power-of-two block that starts at @at and fits */
		uint64_t blk = at ? (UINT64_C(1) << iomm_ctz64(at)) : (UINT64_C(1) << 32);
		while (blk > end - at)
			blk >>= 1;
		struct iomm_cfg_device dev = {
		    .name = name,
		    .unit = unit,
		    .id = {.kind = IOMM_DEVID_SID, .sid = (uint32_t)at, .mask = (uint32_t)(blk - 1)},
		    .policy = IOMM_POLICY_BLOCKED,
		};
		int rc = iomm_disc_add_device(d, &dev);
		if (rc)
			return rc;
		at += blk;
	}
	return IOMM_OK;
}

int iomm_disc_find_unit(const struct iomm_discovery *d, const struct iomm_disc_mark *m,
			uint32_t ref)
{
	for (uint32_t i = m->nunits; i < d->nunits; i++)
		if (d->units[i].fw_ref == ref)
			return (int)i;
	return -1;
}
