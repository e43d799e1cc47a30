/* SPDX-License-Identifier: BSD-3-Clause */
/* Driver for QEMU's edu PCI device: see edu.h. */
#include "edu.h"

#include "qemu_board.h"

#define EDU_ID	       0x00u
#define EDU_LIVENESS   0x04u
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
