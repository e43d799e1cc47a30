/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Firmware data on the bare-metal QEMU machines, read through the library's
 * discovery API: physical memory and PCI configuration access for the ACPI
 * parsers, and the VT-d unit that serves a PCI function as the DMAR that
 * SeaBIOS publishes for q35 describes it. Compiled into the scenarios that
 * use it (x86).
 */
#ifndef IOMM_QEMU_FIRMWARE_H
#define IOMM_QEMU_FIRMWARE_H

#include <stdbool.h>
#include <stdint.h>

#include <iommuman/discovery.h>

/** Physical memory below 4 GiB, byte by byte (the MMU is off or identity). */
extern const struct iomm_acpi_mem qemu_fw_mem;
/** PCI configuration space through the board's PCI helper. */
extern const struct iomm_acpi_pci qemu_fw_pci;

/**
 * Find the RSDP, walk to the DMAR and return the register base of the
 * VT-d unit whose device scope names PCI function @p bus:@p dev.@p fn
 * (segment 0). Returns IOMM_OK, or the first error (IOMM_ENOENT: no unit
 * names it).
 */
int qemu_fw_vtd_for(uint8_t bus, uint8_t dev, uint8_t fn, uint64_t *base);

#endif
