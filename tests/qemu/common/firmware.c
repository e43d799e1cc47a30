/* SPDX-License-Identifier: BSD-3-Clause */
#include "firmware.h"

#include "pci.h"

static int mem_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	(void)ctx;
	if (pa >= (1ull << 32) || len > (1ull << 32) - pa)
		return IOMM_EFAULT;
	const volatile uint8_t *src = (const volatile uint8_t *)(uintptr_t)pa;
	uint8_t *dst = buf;
	for (size_t i = 0; i < len; i++)
		dst[i] = src[i];
	return IOMM_OK;
}

static int cfg_read8(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	(void)ctx;
	if (seg)
		return -1;
	struct pci_loc loc = {bus, dev, fn};
	if ((pci_cfg_read32(loc, 0) & 0xffffu) == 0xffffu)
		return -1;
	return (int)((pci_cfg_read32(loc, (uint16_t)(off & ~3u)) >> (8 * (off & 3u))) & 0xffu);
}

const struct iomm_acpi_mem qemu_fw_mem = {NULL, mem_read};
const struct iomm_acpi_pci qemu_fw_pci = {NULL, cfg_read8};

int qemu_fw_vtd_for(uint8_t bus, uint8_t dev, uint8_t fn, uint64_t *base)
{
	static uint8_t dmar[4096];
	static struct iomm_cfg_unit units[4];
	static struct iomm_cfg_device devs[32];
	static struct iomm_cfg_resv resv[4];
	uint64_t rsdp = 0;
	uint32_t len = 0;
	struct iomm_discovery d;
	int rc = iomm_acpi_find_rsdp(&qemu_fw_mem, &rsdp);
	if (rc == IOMM_OK)
		rc = iomm_acpi_find_table(&qemu_fw_mem, rsdp, "DMAR", dmar, sizeof(dmar), &len,
					  NULL);
	if (rc == IOMM_OK)
		rc = iomm_discovery_init(&d, units, 4, devs, 32, resv, 4);
	if (rc == IOMM_OK)
		rc = iomm_acpi_parse_dmar(&d, dmar, len, &qemu_fw_pci);
	if (rc)
		return rc;
	for (uint32_t i = 0; i < d.ndevices; i++) {
		const struct iomm_devid *id = &devs[i].id;
		if (id->kind == IOMM_DEVID_PCI && id->seg == 0 && id->bus == bus && id->dev == dev &&
		    id->fn == fn && devs[i].unit < d.nunits) {
			*base = units[devs[i].unit].base;
			return IOMM_OK;
		}
	}
	return IOMM_ENOENT;
}
