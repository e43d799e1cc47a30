/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bare-metal iommuman port for QEMU's `virt` machine, AArch64, EL1, MMU off.
 * See qemu_board.h for what it offers and README.md for how to reuse it.
 *
 * Choices an integrator must revisit:
 *  - MMU and caches stay off, so CPU accesses are non-cacheable and the
 *    IOMMU's table walks see every store without cache maintenance. The
 *    clean_tables hook still does `dc civac` + `dsb sy` over the range and the
 *    port does not claim IOMM_PORT_DMA_COHERENT, so the same code stays
 *    correct once the MMU and data cache are turned on with non-coherent
 *    walks. (Cleaning by VA works with the MMU off: VA == PA.)
 *  - No locks: one CPU and no interrupts, so every caller is serialized.
 *  - Table memory: a static arena handed out by qemu_table_mem() and turned
 *    into region pools with iomm_pool_init(); page_alloc stays NULL.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iommuman/iommuman.h>

#include "qemu_board.h"

/* ---- PL011 console --------------------------------------------------------- */

#define PL011_DR      0x00u
#define PL011_FR      0x18u
#define PL011_IBRD    0x24u
#define PL011_FBRD    0x28u
#define PL011_LCRH    0x2cu
#define PL011_CR      0x30u
#define PL011_IMSC    0x38u
#define PL011_FR_TXFF (1u << 5)

static void uart_init(void)
{
	uintptr_t b = (uintptr_t)QEMU_BOARD_UART_BASE;

	qemu_mmio_write32(b + PL011_CR, 0);
	qemu_mmio_write32(b + PL011_IMSC, 0);
	/* 115200 8N1 from the 24 MHz reference clock (QEMU ignores the rate). */
	qemu_mmio_write32(b + PL011_IBRD, 13);
	qemu_mmio_write32(b + PL011_FBRD, 1);
	qemu_mmio_write32(b + PL011_LCRH, 0x70); /* 8 bits, FIFOs on */
	qemu_mmio_write32(b + PL011_CR, 0x301);	 /* UARTEN | TXE | RXE */
}

void qemu_putc(char c)
{
	uintptr_t b = (uintptr_t)QEMU_BOARD_UART_BASE;

	if (c == '\n')
		qemu_putc('\r');
	while (qemu_mmio_read32(b + PL011_FR) & PL011_FR_TXFF)
		;
	qemu_mmio_write32(b + PL011_DR, (uint8_t)c);
}

/* ---- MMIO and barriers ---------------------------------------------------------- */

/*
 * Device-nGnRnE (MMU off) keeps device accesses in program order with each
 * other; the `dmb` before a read and after a write orders them against
 * normal-memory accesses too, like Linux's readl()/writel() do.
 */
uint32_t qemu_mmio_read32(uintptr_t addr)
{
	uint32_t v = *(const volatile uint32_t *)addr;
	__asm__ __volatile__("dmb oshld" ::: "memory");
	return v;
}

void qemu_mmio_write32(uintptr_t addr, uint32_t val)
{
	__asm__ __volatile__("dmb oshst" ::: "memory");
	*(volatile uint32_t *)addr = val;
}

uint16_t qemu_mmio_read16(uintptr_t addr)
{
	uint16_t v = *(const volatile uint16_t *)addr;
	__asm__ __volatile__("dmb oshld" ::: "memory");
	return v;
}

void qemu_mmio_write16(uintptr_t addr, uint16_t val)
{
	__asm__ __volatile__("dmb oshst" ::: "memory");
	*(volatile uint16_t *)addr = val;
}

uint8_t qemu_mmio_read8(uintptr_t addr)
{
	uint8_t v = *(const volatile uint8_t *)addr;
	__asm__ __volatile__("dmb oshld" ::: "memory");
	return v;
}

void qemu_mmio_write8(uintptr_t addr, uint8_t val)
{
	__asm__ __volatile__("dmb oshst" ::: "memory");
	*(volatile uint8_t *)addr = val;
}

uint64_t qemu_mmio_read64(uintptr_t addr)
{
	uint64_t v = *(const volatile uint64_t *)addr;
	__asm__ __volatile__("dmb oshld" ::: "memory");
	return v;
}

void qemu_mmio_write64(uintptr_t addr, uint64_t val)
{
	__asm__ __volatile__("dmb oshst" ::: "memory");
	*(volatile uint64_t *)addr = val;
}

void qemu_wmb(void)
{
	__asm__ __volatile__("dsb st" ::: "memory");
}

void qemu_mb(void)
{
	__asm__ __volatile__("dsb sy" ::: "memory");
}

/* ---- clock ------------------------------------------------------------------------ */

static uint64_t cntfrq;

static uint64_t read_cntvct(void)
{
	uint64_t v;

	__asm__ __volatile__("isb\n\tmrs %0, cntvct_el0" : "=r"(v)::"memory");
	return v;
}

uint64_t qemu_now_ns(void)
{
	uint64_t c = read_cntvct();

	/* Split so that c * 1e9 cannot overflow: (c % f) * 1e9 < f * 1e9 < 2^64. */
	return (c / cntfrq) * 1000000000ull + (c % cntfrq) * 1000000000ull / cntfrq;
}

/* ---- what port_hooks.c (tests/qemu/common) asks of this architecture ---------- */

void qemu_clean_tables(const void *va, size_t len)
{
	uint64_t ctr, line, p, end;

	__asm__ __volatile__("mrs %0, ctr_el0" : "=r"(ctr));
	line = 4ull << ((ctr >> 16) & 0xf); /* DminLine: log2 of words */
	p = (uint64_t)(uintptr_t)va & ~(line - 1);
	end = (uint64_t)(uintptr_t)va + len;
	for (; p < end; p += line)
		__asm__ __volatile__("dc civac, %0" ::"r"(p) : "memory");
	__asm__ __volatile__("dsb sy" ::: "memory");
}

void qemu_cpu_relax(void)
{
	__asm__ __volatile__("yield" ::: "memory");
}

/* ---- exit, exceptions, start ---------------------------------------------------------- */

#define SEMIHOSTING_SYS_EXIT	     0x18u
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u

_Noreturn void qemu_exit(int status)
{
	static bool exiting;
	/* AArch64 SYS_EXIT: x1 points at {reason, subcode}; QEMU exits with subcode. */
	uint64_t block[2];
	register uint64_t x0 __asm__("x0") = SEMIHOSTING_SYS_EXIT;
	register uint64_t x1 __asm__("x1");

	if (!exiting) {
		exiting = true;
		block[0] = ADP_STOPPED_APPLICATION_EXIT;
		block[1] = (uint64_t)(int64_t)status;
		x1 = (uint64_t)(uintptr_t)block;
		__asm__ __volatile__("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
	}
	/* Only without -semihosting (the hlt traps, or returns): hang, the harness times out. */
	qemu_puts("qemu_exit: semihosting SYS_EXIT did not stop QEMU (run it with -semihosting)\n");
	for (;;)
		__asm__ __volatile__("wfi");
}

void qemu_exception(uint64_t idx, uint64_t esr, uint64_t elr, uint64_t far);

void qemu_exception(uint64_t idx, uint64_t esr, uint64_t elr, uint64_t far)
{
	qemu_puts("\n*** exception: vector ");
	qemu_putdec(idx);
	qemu_puts(" ESR_EL1=");
	qemu_puthex(esr);
	qemu_puts(" (EC ");
	qemu_puthex(esr >> 26);
	qemu_puts(") ELR_EL1=");
	qemu_puthex(elr);
	qemu_puts(" FAR_EL1=");
	qemu_puthex(far);
	qemu_puts("\n");
	if ((esr >> 26) == 0x25)
		qemu_puts(
		    "*** data abort: an unaligned access with the MMU off, or no device there\n");
	qemu_exit(3);
}

/* Defined by link.ld. */
extern char __image_start[], __image_end[];

void qemu_start(void);

void qemu_start(void)
{
	uint64_t el;

	uart_init();
	__asm__ __volatile__("mrs %0, cntfrq_el0" : "=r"(cntfrq));
	if (!cntfrq)
		cntfrq = 62500000; /* QEMU's value before 9.0; only if firmware left it 0 */
	__asm__ __volatile__("mrs %0, CurrentEL" : "=r"(el));
	qemu_puts(QEMU_BOARD_NAME ": EL");
	qemu_putdec((el >> 2) & 3);
	qemu_puts(", CNTFRQ ");
	qemu_putdec(cntfrq);
	qemu_puts(" Hz, image ");
	qemu_puthex((uint64_t)(uintptr_t)__image_start);
	qemu_puts("-");
	qemu_puthex((uint64_t)(uintptr_t)__image_end);
	qemu_puts("\n");
	qemu_exit(qemu_main());
}
