/* SPDX-License-Identifier: BSD-3-Clause */
/* Built instead of discovery_fdt.c when IOMM_DISCOVERY_FDT is off. */
#include "../discovery_internal.h"

int iomm_fdt_parse(struct iomm_discovery *d, const void *fdt, size_t len)
{
	(void)fdt;
	(void)len;
	if (d)
		d->msg = "iomm_fdt_parse: built without device-tree support (IOMM_DISCOVERY_FDT off)";
	return IOMM_ENOTSUP;
}

int iomm_fdt_map_rid(const void *fdt, size_t len, uint32_t rid, uint32_t *iommu_phandle,
		     uint32_t *sid)
{
	(void)fdt;
	(void)len;
	(void)rid;
	if (iommu_phandle)
		*iommu_phandle = 0;
	if (sid)
		*sid = 0;
	return IOMM_ENOTSUP;
}

int iomm_fdt_map_msi(const void *fdt, size_t len, uint32_t rid, uint32_t *msi_phandle,
		     uint32_t *devid)
{
	return iomm_fdt_map_rid(fdt, len, rid, msi_phandle, devid);
}

int iomm_fdt_msi_parent(const void *fdt, size_t len, const char *path, uint32_t *msi_phandle,
			uint32_t *devid)
{
	(void)path;
	return iomm_fdt_map_rid(fdt, len, 0, msi_phandle, devid);
}

int iomm_fdt_msi_doorbell(const void *fdt, size_t len, uint32_t msi_phandle, uint64_t *doorbell)
{
	(void)fdt;
	(void)len;
	(void)msi_phandle;
	if (doorbell)
		*doorbell = 0;
	return IOMM_ENOTSUP;
}
