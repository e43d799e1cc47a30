/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bare-metal iommuman port for QEMU's q35 machine, 32-bit x86, paging off.
 * See qemu_board.h for what it offers and README.md for how to reuse it.
 *
 * Choices an integrator must revisit:
 *  - The platform snoops DMA (IOMM_PORT_DMA_COHERENT), but whether a VT-d
 *    unit's table walks snoop is the unit's to say (ECAP.C, and ECAP.SMPWC
 *    in scalable mode): QEMU's unit reports ECAP.C = 0. The backend decides
 *    from both, and cleans through clean_tables when walks do not snoop:
 *    clflush of every line (CPUID.01H:EDX.CLFSH; wbinvd where it is
 *    missing), fenced by locked adds (no SSE, so no mfence).
 *  - x86 keeps stores in order; wmb/mb are a locked add (a full barrier that
 *    needs no SSE) so that they also order against uncached MMIO.
 *  - The clock is the HPET's main counter, whose rate the HPET states: no
 *    calibration, nothing the host's load can skew.
 *  - No locks: one CPU and no interrupts, so every caller is serialized.
 *  - 64-bit MMIO is two 32-bit accesses (read64/write64 hooks NULL), as the
 *    VT-d specification allows.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iommuman/iommuman.h>

#include "qemu_board.h"

/* ---- 16550 console on COM1 --------------------------------------------------- */

#define UART_THR      0u
#define UART_IER      1u
#define UART_FCR      2u
#define UART_LCR      3u
#define UART_MCR      4u
#define UART_LSR      5u
#define UART_LSR_THRE 0x20u

static void uart_init(void)
{
	uint16_t b = QEMU_BOARD_COM1;

	qemu_outb(b + UART_IER, 0x00);
	qemu_outb(b + UART_LCR, 0x80); /* DLAB: divisor follows */
	qemu_outb(b + 0, 0x01);	       /* 115200 baud */
	qemu_outb(b + 1, 0x00);
	qemu_outb(b + UART_LCR, 0x03); /* 8N1 */
	qemu_outb(b + UART_FCR, 0xc7); /* FIFOs on and cleared */
	qemu_outb(b + UART_MCR, 0x03); /* DTR, RTS */
}

void qemu_putc(char c)
{
	unsigned spins = 0;

	if (c == '\n')
		qemu_putc('\r');
	/* Bounded: a missing UART must not hang the program. */
	while (!(qemu_inb(QEMU_BOARD_COM1 + UART_LSR) & UART_LSR_THRE) && ++spins < 1000000u)
		;
	qemu_outb(QEMU_BOARD_COM1 + UART_THR, (uint8_t)c);
}

/* ---- MMIO and barriers ------------------------------------------------------------ */

/* Paging is off: every access is uncached and in program order (strong order). */
uint32_t qemu_mmio_read32(uintptr_t addr)
{
	return *(const volatile uint32_t *)addr;
}

void qemu_mmio_write32(uintptr_t addr, uint32_t val)
{
	*(volatile uint32_t *)addr = val;
}

uint16_t qemu_mmio_read16(uintptr_t addr)
{
	return *(const volatile uint16_t *)addr;
}

void qemu_mmio_write16(uintptr_t addr, uint16_t val)
{
	*(volatile uint16_t *)addr = val;
}

uint8_t qemu_mmio_read8(uintptr_t addr)
{
	return *(const volatile uint8_t *)addr;
}

void qemu_mmio_write8(uintptr_t addr, uint8_t val)
{
	*(volatile uint8_t *)addr = val;
}

uint64_t qemu_mmio_read64(uintptr_t addr)
{
	uint64_t lo = qemu_mmio_read32(addr);

	return lo | (uint64_t)qemu_mmio_read32(addr + 4) << 32;
}

void qemu_mmio_write64(uintptr_t addr, uint64_t val)
{
	qemu_mmio_write32(addr, (uint32_t)val);
	qemu_mmio_write32(addr + 4, (uint32_t)(val >> 32));
}

void qemu_wmb(void)
{
	__asm__ __volatile__("lock; addl $0, (%%esp)" ::: "memory", "cc");
}

void qemu_mb(void)
{
	__asm__ __volatile__("lock; addl $0, (%%esp)" ::: "memory", "cc");
}

/* ---- clock: the HPET main counter ------------------------------------------------ */

/*
 * The clock is the HPET's main counter (q35 has one at 0xfed00000): it counts
 * at the rate its capabilities register states, on QEMU's virtual clock, so
 * no calibration is needed. A rate measured at boot (the TSC against 10 ms
 * of the PIT, as this port once did) is at the mercy of the host scheduler:
 * under load a preempted vCPU measured anywhere from 2.7 to 6.2 GHz for one
 * TSC, and a rate measured 20 times too low turns a 2 s wait into 100 ms.
 */
#define HPET_BASE	    0xfed00000u
#define HPET_GCAP_ID	    0x000u /* bits 63:32: counter period in femtoseconds */
#define HPET_GCAP_ID_HI	    0x004u
#define HPET_GEN_CONF	    0x010u
#define HPET_GEN_CONF_EN    0x1u
#define HPET_MAIN_CNT	    0x0f0u
#define HPET_MAIN_CNT_HI    0x0f4u
#define HPET_MAX_PERIOD_FS  100000000u /* the HPET specification's limit: 100 ns */
#define FS_PER_NS	    1000000u

static uint32_t hpet_period_fs;

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return (uint64_t)hi << 32 | lo;
}

/* Start the HPET's main counter; false when there is no usable HPET. */
static bool hpet_init(void)
{
	uint32_t period = qemu_mmio_read32(HPET_BASE + HPET_GCAP_ID_HI);
	uint32_t conf;

	if (period == 0 || period > HPET_MAX_PERIOD_FS)
		return false;
	conf = qemu_mmio_read32(HPET_BASE + HPET_GEN_CONF);
	qemu_mmio_write32(HPET_BASE + HPET_GEN_CONF, conf | HPET_GEN_CONF_EN);
	hpet_period_fs = period;
	return true;
}

/* The 64-bit main counter through 32-bit reads: high, low, high again. */
static uint64_t hpet_count(void)
{
	uint32_t hi, lo, hi2;

	do {
		hi = qemu_mmio_read32(HPET_BASE + HPET_MAIN_CNT_HI);
		lo = qemu_mmio_read32(HPET_BASE + HPET_MAIN_CNT);
		hi2 = qemu_mmio_read32(HPET_BASE + HPET_MAIN_CNT_HI);
	} while (hi != hi2);
	return (uint64_t)hi << 32 | lo;
}

uint64_t qemu_now_ns(void)
{
	uint64_t c = hpet_count();

	/* Split so that c * period cannot overflow: (c % 1e6) * period < 1e6 * 1e8 < 2^64. */
	return (c / FS_PER_NS) * hpet_period_fs + (c % FS_PER_NS) * hpet_period_fs / FS_PER_NS;
}

/* ---- what port_hooks.c (tests/qemu/common) asks of this architecture ---------- */

/* Cache line size clflush works on, from CPUID.01H (0: no clflush). */
static uint32_t clflush_line(void)
{
	static uint32_t line = 1u; /* 1: not asked yet */
	if (line == 1u) {
		uint32_t a = 1, b, c = 0, d;
		__asm__ __volatile__("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
		line = (d & (1u << 19)) ? ((b >> 8) & 0xffu) * 8u : 0u;
		if (line && (line & (line - 1u)))
			line = 64u;
	}
	return line;
}

/* Used when the unit's walks do not snoop. */
void qemu_clean_tables(const void *va, size_t len)
{
	uint32_t line = clflush_line();
	qemu_mb(); /* earlier stores reach the cache before the lines are flushed */
	if (!line) {
		__asm__ __volatile__("wbinvd" ::: "memory");
	} else {
		uintptr_t p = (uintptr_t)va & ~(uintptr_t)(line - 1u);
		for (uintptr_t end = (uintptr_t)va + len; p < end; p += line)
			__asm__ __volatile__("clflush %0" : "+m"(*(volatile uint8_t *)p));
	}
	qemu_mb(); /* clflush is ordered by locked instructions: done before what follows */
}

void qemu_cpu_relax(void)
{
	__asm__ __volatile__("pause" ::: "memory");
}

/* ---- exit, exceptions, start ----------------------------------------------------------- */

_Noreturn void qemu_exit(int status)
{
	uint64_t t0;

	qemu_outb(QEMU_BOARD_DEBUG_EXIT, status == 0 ? QEMU_X86_EXIT_PASS : QEMU_X86_EXIT_FAIL);
	/*
	 * QEMU handles the request asynchronously: the CPU runs on for a moment.
	 * Wait about two seconds (raw TSC ticks: no division, this may run before
	 * calibration) before concluding there is no isa-debug-exit device; the
	 * harness then times out.
	 */
	t0 = rdtsc();
	while (rdtsc() - t0 < 5000000000ull)
		__asm__ __volatile__("pause");
	qemu_puts("qemu_exit: no isa-debug-exit device at 0xf4\n");
	for (;;)
		__asm__ __volatile__("cli; hlt");
}

/* The frame trap_common (start.S) hands over: pushal, vector, error code, CPU frame. */
struct trap_frame {
	uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
	uint32_t vector, error;
	uint32_t eip, cs, eflags;
};

void qemu_x86_trap(const struct trap_frame *f);

void qemu_x86_trap(const struct trap_frame *f)
{
	static bool busy;

	if (busy) /* an exception while reporting one: stop here */
		for (;;)
			__asm__ __volatile__("cli; hlt");
	busy = true;
	qemu_puts("\n*** exception: vector ");
	qemu_putdec(f->vector);
	qemu_puts(" error ");
	qemu_puthex(f->error);
	qemu_puts(" EIP ");
	qemu_puthex(f->eip);
	qemu_puts(" EFLAGS ");
	qemu_puthex(f->eflags);
	qemu_puts("\n");
	qemu_exit(3);
}

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t zero;
	uint8_t type;
	uint16_t off_hi;
} __attribute__((packed));

struct idt_ptr {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

extern const uint32_t qemu_x86_trap_stubs[32];
static struct idt_gate idt[32] __attribute__((aligned(8)));

static void idt_init(void)
{
	struct idt_ptr p;

	for (unsigned i = 0; i < 32; i++) {
		idt[i].off_lo = (uint16_t)(qemu_x86_trap_stubs[i] & 0xffff);
		idt[i].sel = 0x08;
		idt[i].zero = 0;
		idt[i].type = 0x8e; /* present, DPL 0, 32-bit interrupt gate */
		idt[i].off_hi = (uint16_t)(qemu_x86_trap_stubs[i] >> 16);
	}
	p.limit = sizeof(idt) - 1;
	p.base = (uint32_t)(uintptr_t)idt;
	__asm__ __volatile__("lidt %0" ::"m"(p) : "memory");
}

/* Defined by link.ld. */
extern char __image_start[], __image_end[];

void qemu_start(uint32_t magic, uint32_t info);

void qemu_start(uint32_t magic, uint32_t info)
{
	(void)info;
	idt_init();
	uart_init();
	qemu_puts(QEMU_BOARD_NAME ": multiboot magic ");
	qemu_puthex(magic);
	if (!hpet_init()) {
		qemu_puts("\nno HPET at 0xfed00000 (is this q35?): no clock for timeouts\n");
		qemu_exit(1);
	}
	qemu_puts(", HPET period ");
	qemu_putdec(hpet_period_fs);
	qemu_puts(" fs, image ");
	qemu_puthex((uint64_t)(uintptr_t)__image_start);
	qemu_puts("-");
	qemu_puthex((uint64_t)(uintptr_t)__image_end);
	qemu_puts("\n");
	if (magic != 0x2badb002u)
		qemu_puts("warning: not started by a multiboot loader\n");
	qemu_exit(qemu_main());
}
