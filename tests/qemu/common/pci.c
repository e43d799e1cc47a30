/* SPDX-License-Identifier: BSD-3-Clause */
/* Minimal PCI configuration access for the QEMU scenarios: see pci.h. */
#include "pci.h"

#include "qemu_board.h"

#if defined(QEMU_BOARD_ECAM_BASE)

static uintptr_t ecam(struct pci_loc loc, uint16_t off)
{
	return (uintptr_t)(QEMU_BOARD_ECAM_BASE + ((uint64_t)loc.bus << 20) +
			   ((uint64_t)(loc.dev & 31u) << 15) + ((uint64_t)(loc.fn & 7u) << 12) +
			   (off & 0xfffu));
}

uint32_t pci_cfg_read32(struct pci_loc loc, uint16_t off)
{
	return qemu_mmio_read32(ecam(loc, (uint16_t)(off & ~3u)));
}

void pci_cfg_write32(struct pci_loc loc, uint16_t off, uint32_t val)
{
	qemu_mmio_write32(ecam(loc, (uint16_t)(off & ~3u)), val);
}

uint16_t pci_cfg_read16(struct pci_loc loc, uint16_t off)
{
	return qemu_mmio_read16(ecam(loc, (uint16_t)(off & ~1u)));
}

void pci_cfg_write16(struct pci_loc loc, uint16_t off, uint16_t val)
{
	qemu_mmio_write16(ecam(loc, (uint16_t)(off & ~1u)), val);
}

#elif defined(QEMU_BOARD_PCI_CF8)

static uint32_t cf8(struct pci_loc loc, uint16_t off)
{
	return 0x80000000u | (uint32_t)loc.bus << 16 | (uint32_t)(loc.dev & 31u) << 11 |
	       (uint32_t)(loc.fn & 7u) << 8 | (off & 0xfcu);
}

uint32_t pci_cfg_read32(struct pci_loc loc, uint16_t off)
{
	qemu_outl(0xcf8, cf8(loc, off));
	return qemu_inl(0xcfc);
}

void pci_cfg_write32(struct pci_loc loc, uint16_t off, uint32_t val)
{
	qemu_outl(0xcf8, cf8(loc, off));
	qemu_outl(0xcfc, val);
}

uint16_t pci_cfg_read16(struct pci_loc loc, uint16_t off)
{
	qemu_outl(0xcf8, cf8(loc, off));
	return qemu_inw((uint16_t)(0xcfc + (off & 2u)));
}

void pci_cfg_write16(struct pci_loc loc, uint16_t off, uint16_t val)
{
	qemu_outl(0xcf8, cf8(loc, off));
	qemu_outw((uint16_t)(0xcfc + (off & 2u)), val);
}

#else
#error "the board offers no PCI configuration mechanism"
#endif

bool pci_find(uint16_t vendor, uint16_t device, struct pci_loc *out)
{
	for (uint8_t dev = 0; dev < 32; dev++) {
		uint8_t nfn = 1;

		for (uint8_t fn = 0; fn < nfn; fn++) {
			struct pci_loc loc = {0, dev, fn};
			uint32_t id = pci_cfg_read32(loc, PCI_VENDOR_ID);

			if ((id & 0xffffu) == 0xffffu)
				continue;
			if (fn == 0 && (pci_cfg_read32(loc, 0x0c) >> 16) & 0x80u)
				nfn = 8; /* multi-function device */
			if ((id & 0xffffu) == vendor && (id >> 16) == device) {
				*out = loc;
				return true;
			}
		}
	}
	return false;
}

void pci_enable(struct pci_loc loc, bool memory, bool master)
{
	uint16_t cmd = pci_cfg_read16(loc, PCI_COMMAND);

	cmd = (uint16_t)(memory ? cmd | PCI_COMMAND_MEMORY : cmd & ~PCI_COMMAND_MEMORY);
	cmd = (uint16_t)(master ? cmd | PCI_COMMAND_MASTER : cmd & ~PCI_COMMAND_MASTER);
	pci_cfg_write16(loc, PCI_COMMAND, cmd);
}

#if defined(QEMU_BOARD_PCI_MMIO32_BASE)
static uint64_t window_next = QEMU_BOARD_PCI_MMIO32_BASE;
#endif

bool pci_bar_setup(struct pci_loc loc, unsigned bar, uint64_t *addr, uint64_t *size)
{
	uint16_t off = (uint16_t)(PCI_BAR0 + 4u * bar);
	uint16_t cmd;
	uint32_t orig, probe, mask;
	bool is64;
	uint64_t base;

	if (bar > 5)
		return false;
	orig = pci_cfg_read32(loc, off);
	if (orig & 1u)
		return false; /* I/O BAR */
	is64 = ((orig >> 1) & 3u) == 2u;
	if (is64 && bar == 5)
		return false;

	/* Size it with decoding off, so the probe value never decodes. */
	cmd = pci_cfg_read16(loc, PCI_COMMAND);
	pci_cfg_write16(loc, PCI_COMMAND, (uint16_t)(cmd & ~PCI_COMMAND_MEMORY));
	pci_cfg_write32(loc, off, 0xffffffffu);
	probe = pci_cfg_read32(loc, off);
	pci_cfg_write32(loc, off, orig);
	mask = probe & ~0xfu;
	if (!mask) {
		pci_cfg_write16(loc, PCI_COMMAND, cmd);
		return false; /* not implemented */
	}
	*size = (uint64_t)(~mask + 1u); /* BARs above 4 GiB in size are not handled */

	base = orig & ~0xfull;
	if (is64)
		base |= (uint64_t)pci_cfg_read32(loc, (uint16_t)(off + 4)) << 32;
	if (!base) {
#if defined(QEMU_BOARD_PCI_MMIO32_BASE)
		base = (window_next + *size - 1) & ~(*size - 1);
		if (base + *size > QEMU_BOARD_PCI_MMIO32_BASE + QEMU_BOARD_PCI_MMIO32_SIZE) {
			pci_cfg_write16(loc, PCI_COMMAND, cmd);
			return false;
		}
		window_next = base + *size;
		pci_cfg_write32(loc, off, (uint32_t)base | (orig & 0xfu));
		if (is64)
			pci_cfg_write32(loc, (uint16_t)(off + 4), 0);
#else
		pci_cfg_write16(loc, PCI_COMMAND, cmd);
		return false; /* the firmware should have assigned it */
#endif
	}
	pci_cfg_write16(loc, PCI_COMMAND, cmd);
	*addr = base;
	return true;
}
