/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bare-metal iommuman port for QEMU's `virt` machine, RV64, M-mode, no
 * firmware. See qemu_board.h for what it offers and README.md for how to
 * reuse it.
 *
 * Choices an integrator must revisit:
 *  - Coherence: RV64GC has no cache-maintenance instructions (that is the
 *    Zicbom extension), and QEMU's IOMMU reads memory directly. The
 *    clean_tables hook is a `fence rw,rw` (so the table stores are ordered
 *    before whatever tells the IOMMU about them); the port does not claim
 *    IOMM_PORT_DMA_COHERENT, so the library still calls it. A platform with
 *    non-coherent IOMMU walks needs cbo.clean over the range here.
 *  - No locks: one hart and no interrupts, so every caller is serialized.
 *  - Table memory: a static arena handed out by qemu_table_mem() and turned
 *    into region pools with iomm_pool_init(); page_alloc stays NULL.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iommuman/iommuman.h>

#include "qemu_board.h"

/* ---- NS16550 console --------------------------------------------------------- */

#define UART_THR      0x0u /* transmit holding (DLAB = 0) */
#define UART_IER      0x1u
#define UART_FCR      0x2u
#define UART_LCR      0x3u
#define UART_LSR      0x5u
#define UART_LSR_THRE (1u << 5)

static void uart_init(void)
{
	uintptr_t b = (uintptr_t)QEMU_BOARD_UART_BASE;

	qemu_mmio_write8(b + UART_IER, 0);    /* no interrupts */
	qemu_mmio_write8(b + UART_LCR, 0x03); /* 8N1, DLAB = 0 (QEMU ignores the rate) */
	qemu_mmio_write8(b + UART_FCR, 0x07); /* FIFOs on and cleared */
}

void qemu_putc(char c)
{
	uintptr_t b = (uintptr_t)QEMU_BOARD_UART_BASE;

	if (c == '\n')
		qemu_putc('\r');
	while (!(qemu_mmio_read8(b + UART_LSR) & UART_LSR_THRE))
		;
	qemu_mmio_write8(b + UART_THR, (uint8_t)c);
}

/* ---- MMIO and fences ---------------------------------------------------------- */

/*
 * RVWMO orders device (I/O) accesses against memory accesses only through
 * fences. Before an MMIO write, `fence rw,o` makes earlier memory accesses
 * (a DMA buffer, a table entry) visible before the write that tells the
 * device about them; after an MMIO read, `fence i,r` keeps later memory reads
 * (data a device wrote before it reported completion) after it. Accesses to
 * the same device stay in program order (channel 0 of the I/O regions).
 */
#define MMIO_READ(type, addr)                                                                      \
	__extension__({                                                                            \
		type v_ = *(const volatile type *)(addr);                                          \
		__asm__ __volatile__("fence i,r" ::: "memory");                                    \
		v_;                                                                                \
	})
#define MMIO_WRITE(type, addr, val)                                                                \
	do {                                                                                       \
		__asm__ __volatile__("fence rw,o" ::: "memory");                                   \
		*(volatile type *)(addr) = (val);                                                  \
	} while (0)

uint32_t qemu_mmio_read32(uintptr_t addr)
{
	return MMIO_READ(uint32_t, addr);
}

void qemu_mmio_write32(uintptr_t addr, uint32_t val)
{
	MMIO_WRITE(uint32_t, addr, val);
}

uint16_t qemu_mmio_read16(uintptr_t addr)
{
	return MMIO_READ(uint16_t, addr);
}

void qemu_mmio_write16(uintptr_t addr, uint16_t val)
{
	MMIO_WRITE(uint16_t, addr, val);
}

uint8_t qemu_mmio_read8(uintptr_t addr)
{
	return MMIO_READ(uint8_t, addr);
}

void qemu_mmio_write8(uintptr_t addr, uint8_t val)
{
	MMIO_WRITE(uint8_t, addr, val);
}

uint64_t qemu_mmio_read64(uintptr_t addr)
{
	return MMIO_READ(uint64_t, addr);
}

void qemu_mmio_write64(uintptr_t addr, uint64_t val)
{
	MMIO_WRITE(uint64_t, addr, val);
}

void qemu_wmb(void)
{
	__asm__ __volatile__("fence w,ow" ::: "memory");
}

void qemu_mb(void)
{
	__asm__ __volatile__("fence iorw,iorw" ::: "memory");
}

/* ---- clock ------------------------------------------------------------------------ */

#define CLINT_MTIME 0xbff8u

uint64_t qemu_now_ns(void)
{
	/* 10 MHz: one tick is 100 ns; 2^64 ns is 584 years away. */
	return qemu_mmio_read64((uintptr_t)(QEMU_BOARD_CLINT_BASE + CLINT_MTIME)) *
	       (1000000000ull / QEMU_BOARD_MTIME_HZ);
}

/* ---- what port_hooks.c (tests/qemu/common) asks of this architecture ---------- */

void qemu_clean_tables(const void *va, size_t len)
{
	(void)va;
	(void)len;
	/* No cache maintenance in RV64GC (see the top of this file): order only. */
	__asm__ __volatile__("fence rw,rw" ::: "memory");
}

void qemu_cpu_relax(void)
{
	__asm__ __volatile__("nop" ::: "memory");
}

/* ---- exit, traps, start ---------------------------------------------------------- */

#define TEST_FINISHER_FAIL 0x3333u
#define TEST_FINISHER_PASS 0x5555u

_Noreturn void qemu_exit(int status)
{
	uint32_t v = TEST_FINISHER_PASS;
	uint64_t t0;

	if (status != 0) {
		/* QEMU exits with the upper 16 bits; keep a failure a failure. */
		uint32_t code = (uint32_t)status & 0xffffu;

		v = (code ? code : 1u) << 16 | TEST_FINISHER_FAIL;
	}
	qemu_mmio_write32((uintptr_t)QEMU_BOARD_TEST_BASE, v);
	/*
	 * QEMU stops a moment after the write (the hart runs on meanwhile):
	 * wait a second of mtime before saying that it did not.
	 */
	t0 = qemu_now_ns();
	while (qemu_now_ns() - t0 < 1000000000ull)
		;
	qemu_puts("qemu_exit: the SiFive test device did not stop QEMU\n");
	for (;;)
		__asm__ __volatile__("wfi");
}

void qemu_trap(uint64_t mcause, uint64_t mepc, uint64_t mtval);

void qemu_trap(uint64_t mcause, uint64_t mepc, uint64_t mtval)
{
	qemu_puts("\n*** trap: mcause=");
	qemu_puthex(mcause);
	qemu_puts(" mepc=");
	qemu_puthex(mepc);
	qemu_puts(" mtval=");
	qemu_puthex(mtval);
	qemu_puts("\n");
	if (mcause == 5 || mcause == 7)
		qemu_puts("*** access fault: no device or memory at mtval\n");
	qemu_exit(3);
}

/* Defined by link.ld. */
extern char __image_start[], __image_end[];

void qemu_start(void);

void qemu_start(void)
{
	uint64_t hart, isa;

	uart_init();
	__asm__ __volatile__("csrr %0, mhartid" : "=r"(hart));
	__asm__ __volatile__("csrr %0, misa" : "=r"(isa));
	qemu_puts(QEMU_BOARD_NAME ": M-mode, hart ");
	qemu_putdec(hart);
	qemu_puts(", misa ");
	qemu_puthex(isa);
	qemu_puts(", mtime ");
	qemu_putdec(QEMU_BOARD_MTIME_HZ);
	qemu_puts(" Hz, image ");
	qemu_puthex((uint64_t)(uintptr_t)__image_start);
	qemu_puts("-");
	qemu_puthex((uint64_t)(uintptr_t)__image_end);
	qemu_puts("\n");
	qemu_exit(qemu_main());
}
