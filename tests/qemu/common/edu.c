/* SPDX-License-Identifier: BSD-3-Clause */
/* Driver for QEMU's edu PCI device: see edu.h. */
#include "edu.h"

#include "qemu_board.h"

#define EDU_ID	       0x00u
#define EDU_LIVENESS   0x04u
#define EDU_IRQ_STATUS 0x24u
#define EDU_IRQ_RAISE  0x60u
#define EDU_IRQ_ACK    0x64u
#define EDU_DMA_SRC    0x80u
#define EDU_DMA_DST    0x88u
#define EDU_DMA_CNT    0x90u
#define EDU_DMA_CMD    0x98u
#define EDU_CMD_RUN    0x1u
#define EDU_CMD_TO_RAM 0x2u
#define EDU_BUF_ADDR   0x40000u
/*
 * edu completes a transfer about 100 ms of virtual time after it starts: wait
 * up to 10 s of guest time, which holds on a slow, loaded host (the clock of
 * both ports follows QEMU's virtual clock, so no calibration can shrink it).
 */
#define EDU_TIMEOUT_NS 10000000000ull

const char *edu_strerror(int rc)
{
	switch (rc) {
	case EDU_OK:
		return "ok";
	case EDU_EINVAL:
		return "invalid transfer";
	case EDU_ETIMEDOUT:
		return "transfer timed out";
	case EDU_EBUSY:
		return "device busy";
	case EDU_ENODEV:
		return "no edu device";
	default:
		return "unknown edu status";
	}
}

/*
 * The DMA registers are 64-bit. A 32-bit write sets the whole register (upper
 * half zero), which is what 32-bit hosts use; their addresses fit.
 */
static void reg_write64(const struct edu *e, uint32_t off, uint64_t v)
{
#if UINTPTR_MAX > 0xffffffffu
	qemu_mmio_write64(e->bar0 + off, v);
#else
	qemu_mmio_write32(e->bar0 + off, (uint32_t)v);
#endif
}

static uint32_t reg_read32(const struct edu *e, uint32_t off)
{
	return qemu_mmio_read32(e->bar0 + off);
}

static void put_hex2(uint8_t v)
{
	static const char digits[] = "0123456789abcdef";

	qemu_putc(digits[v >> 4]);
	qemu_putc(digits[v & 15u]);
}

int edu_init(struct edu *e, struct pci_loc want)
{
	uint64_t addr = 0, size = 0;
	uint32_t id, live;

	e->last_ns = 0;
	if (!pci_find(EDU_VENDOR, EDU_DEVICE, &e->loc)) {
		qemu_puts("edu: no 1234:11e8 on bus 0 (is -device edu on the command line?)\n");
		return EDU_ENODEV;
	}
	qemu_puts("edu: at ");
	put_hex2(e->loc.bus);
	qemu_putc(':');
	put_hex2(e->loc.dev);
	qemu_putc('.');
	qemu_putc((char)('0' + (e->loc.fn & 7u)));
	if (e->loc.bus != want.bus || e->loc.dev != want.dev || e->loc.fn != want.fn) {
		qemu_puts(": not where the harness put it (its addr= value)\n");
		return EDU_ENODEV;
	}
	if (!pci_bar_setup(e->loc, 0, &addr, &size) || size < 0x100) {
		qemu_puts(": BAR0 cannot be set up\n");
		return EDU_ENODEV;
	}
	e->bar0 = (uintptr_t)addr;
	pci_enable(e->loc, true, true);
	qemu_puts(", BAR0 ");
	qemu_puthex(addr);
	qemu_puts(" size ");
	qemu_puthex(size);

	id = reg_read32(e, EDU_ID);
	qemu_mmio_write32(e->bar0 + EDU_LIVENESS, 0x5a5aa5a5u);
	live = reg_read32(e, EDU_LIVENESS);
	qemu_puts(", id ");
	qemu_puthex(id);
	qemu_putc('\n');
	if ((id & 0xffu) != 0xedu || live != ~0x5a5aa5a5u) {
		qemu_puts("edu: identification or liveness register wrong\n");
		return EDU_ENODEV;
	}
	return EDU_OK;
}

static int edu_dma(struct edu *e, uint64_t src, uint64_t dst, uint32_t len, uint32_t cmd)
{
	uint64_t t0, now;

	if (reg_read32(e, EDU_DMA_CMD) & EDU_CMD_RUN)
		return EDU_EBUSY;
#if UINTPTR_MAX <= 0xffffffffu
	if ((src | dst) >> 32)
		return EDU_EINVAL; /* 32-bit writes cannot set the upper half */
#endif
	/* Buffers written by the CPU must be visible before the device reads them. */
	qemu_mb();
	reg_write64(e, EDU_DMA_SRC, src);
	reg_write64(e, EDU_DMA_DST, dst);
	reg_write64(e, EDU_DMA_CNT, len);
	reg_write64(e, EDU_DMA_CMD, cmd | EDU_CMD_RUN);
	t0 = qemu_now_ns();
	for (;;) {
		if (!(reg_read32(e, EDU_DMA_CMD) & EDU_CMD_RUN))
			break;
		now = qemu_now_ns();
		if (now - t0 > EDU_TIMEOUT_NS) {
			if (!(reg_read32(e, EDU_DMA_CMD) & EDU_CMD_RUN))
				break; /* finished while this CPU was descheduled */
			qemu_puts("edu: timed out waiting for the DMA of ");
			qemu_putdec(len);
			qemu_puts(" bytes from ");
			qemu_puthex(src);
			qemu_puts(" to ");
			qemu_puthex(dst);
			qemu_puts(" to complete (command register still RUN after 10 s)\n");
			return EDU_ETIMEDOUT;
		}
	}
	e->last_ns = qemu_now_ns() - t0;
	/* What the device wrote must be visible to later CPU reads. */
	qemu_mb();
	return EDU_OK;
}

static bool range_ok(uint32_t dev_off, uint32_t len)
{
	return len != 0 && len <= EDU_MAX_XFER && dev_off <= EDU_MAX_XFER - len;
}

int edu_dma_to_device(struct edu *e, uint64_t iova, uint32_t dev_off, uint32_t len)
{
	if (!range_ok(dev_off, len))
		return EDU_EINVAL;
	return edu_dma(e, iova, EDU_BUF_ADDR + dev_off, len, 0);
}

int edu_dma_from_device(struct edu *e, uint64_t iova, uint32_t dev_off, uint32_t len)
{
	if (!range_ok(dev_off, len))
		return EDU_EINVAL;
	return edu_dma(e, EDU_BUF_ADDR + dev_off, iova, len, EDU_CMD_TO_RAM);
}

/* ---- MSI ---- */

#define PCI_STATUS	    0x06u
#define PCI_STATUS_CAPS	    0x0010u
#define PCI_CAP_PTR	    0x34u
#define PCI_CAP_ID_MSI	    0x05u
#define MSI_CTRL	    0x02u
#define MSI_CTRL_ENABLE	    0x0001u
#define MSI_CTRL_MME	    0x0070u
#define MSI_CTRL_64	    0x0080u
#define MSI_ADDR_LO	    0x04u
#define MSI_ADDR_HI	    0x08u
#define MSI_DATA_32	    0x08u
#define MSI_DATA_64	    0x0cu
#define PCI_COMMAND_INTX_OFF 0x0400u

static uint16_t msi_cap(struct pci_loc loc)
{
	if (!(pci_cfg_read16(loc, PCI_STATUS) & PCI_STATUS_CAPS))
		return 0;
	uint16_t p = (uint16_t)(pci_cfg_read16(loc, PCI_CAP_PTR) & 0xfcu);
	for (unsigned n = 0; p && n < 48; n++) {
		uint16_t w = pci_cfg_read16(loc, p);
		if ((w & 0xffu) == PCI_CAP_ID_MSI)
			return p;
		p = (uint16_t)((w >> 8) & 0xfcu);
	}
	return 0;
}

int edu_msi_enable(struct edu *e, uint64_t addr, uint32_t data)
{
	uint16_t cap = msi_cap(e->loc);
	if (!cap)
		return EDU_ENODEV;
	uint16_t ctrl = pci_cfg_read16(e->loc, (uint16_t)(cap + MSI_CTRL));
	/* disable while the message changes; one vector */
	pci_cfg_write16(e->loc, (uint16_t)(cap + MSI_CTRL),
			(uint16_t)(ctrl & ~(MSI_CTRL_ENABLE | MSI_CTRL_MME)));
	pci_cfg_write32(e->loc, (uint16_t)(cap + MSI_ADDR_LO), (uint32_t)addr);
	if (ctrl & MSI_CTRL_64) {
		pci_cfg_write32(e->loc, (uint16_t)(cap + MSI_ADDR_HI), (uint32_t)(addr >> 32));
		pci_cfg_write16(e->loc, (uint16_t)(cap + MSI_DATA_64), (uint16_t)data);
	} else {
		if (addr >> 32)
			return EDU_EINVAL;
		pci_cfg_write16(e->loc, (uint16_t)(cap + MSI_DATA_32), (uint16_t)data);
	}
	uint16_t cmd = pci_cfg_read16(e->loc, PCI_COMMAND);
	pci_cfg_write16(e->loc, PCI_COMMAND, (uint16_t)(cmd | PCI_COMMAND_INTX_OFF));
	pci_cfg_write16(e->loc, (uint16_t)(cap + MSI_CTRL),
			(uint16_t)((ctrl & ~MSI_CTRL_MME) | MSI_CTRL_ENABLE));
	return EDU_OK;
}

void edu_raise_irq(struct edu *e, uint32_t status)
{
	uint32_t pending = reg_read32(e, EDU_IRQ_STATUS);
	if (pending)
		qemu_mmio_write32(e->bar0 + EDU_IRQ_ACK, pending);
	qemu_mmio_write32(e->bar0 + EDU_IRQ_RAISE, status);
}
