/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Minimal PCI configuration access for the QEMU scenarios.
 *
 * virt (AArch64): ECAM at QEMU_BOARD_ECAM_BASE (0x4010000000, the default
 * highmem layout). No firmware runs, so memory BARs are assigned here from
 * the 32-bit window QEMU_BOARD_PCI_MMIO32_BASE.
 * q35 (x86): configuration mechanism #1 (ports 0xcf8/0xcfc); SeaBIOS has
 * already assigned the BARs, which are kept.
 */
#ifndef IOMM_QEMU_PCI_H
#define IOMM_QEMU_PCI_H

#include <stdbool.h>
#include <stdint.h>

/** A function on the PCI bus. */
struct pci_loc {
	uint8_t bus, dev, fn;
};

#define PCI_VENDOR_ID	   0x00u
#define PCI_DEVICE_ID	   0x02u
#define PCI_COMMAND	   0x04u
#define PCI_COMMAND_MEMORY 0x0002u
#define PCI_COMMAND_MASTER 0x0004u
#define PCI_HEADER_TYPE	   0x0eu
#define PCI_BAR0	   0x10u

uint32_t pci_cfg_read32(struct pci_loc loc, uint16_t off);
void pci_cfg_write32(struct pci_loc loc, uint16_t off, uint32_t val);
uint16_t pci_cfg_read16(struct pci_loc loc, uint16_t off);
void pci_cfg_write16(struct pci_loc loc, uint16_t off, uint16_t val);

/** Requester ID (bus << 8 | dev << 3 | fn): the stream / source ID without remapping. */
static inline uint16_t pci_rid(struct pci_loc loc)
{
	return (uint16_t)(loc.bus << 8 | loc.dev << 3 | loc.fn);
}

/** Find the first function with @p vendor / @p device on bus 0. */
bool pci_find(uint16_t vendor, uint16_t device, struct pci_loc *out);

/**
 * Give memory BAR @p bar (0-5) an address and return it in @p addr and its
 * size in @p size. An unassigned BAR (no firmware) is assigned from the
 * board's 32-bit window (64-bit BARs get a zero upper half); an assigned one
 * is kept. Memory decoding is left as it was. Returns false for an I/O BAR,
 * an unimplemented BAR or a full window.
 */
bool pci_bar_setup(struct pci_loc loc, unsigned bar, uint64_t *addr, uint64_t *size);

/** Set (or clear) memory decoding and bus mastering in the command register. */
void pci_enable(struct pci_loc loc, bool memory, bool master);

#endif /* IOMM_QEMU_PCI_H */
