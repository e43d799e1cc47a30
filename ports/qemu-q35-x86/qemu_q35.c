/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bare-metal iommuman port for QEMU's q35 machine, 32-bit x86, paging off.
 * See qemu_board.h for what it offers and README.md for how to reuse it.
 *
 * Choices an integrator must revisit:
 *  - IOMMU table walks are cache-coherent on x86 (VT-d ECAP.C or snooping
 *    of the root complex): the port claims IOMM_PORT_DMA_COHERENT and has
 *    no clean_tables hook. A VT-d unit without ECAP.C would need clflush.
 *  - x86 keeps stores in order; wmb/mb are a locked add (a full barrier that
 *    needs no SSE) so that they also order against uncached MMIO.
 *  - The clock is the TSC, calibrated once against PIT channel 2. QEMU's
 *    TSC runs at the host's rate, the PIT on the virtual clock; both follow
 *    real time, so the measured rate is right to about a percent.
 *  - No locks: one CPU and no interrupts, so every caller is serialized.
 *  - 64-bit MMIO is two 32-bit accesses (read64/write64 hooks NULL), as the
 *    VT-d specification allows.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iommuman/iommuman.h>

#include "qemu_board.h"

struct qemu_port_stats qemu_port_stats;

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

void qemu_puts(const char *s)
{
	while (*s)
		qemu_putc(*s++);
}

void qemu_puthex(uint64_t v)
{
	char buf[16];
	unsigned n = 0;

	qemu_puts("0x");
	do {
		unsigned d = (unsigned)(v & 0xf);
		buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v >>= 4;
	} while (v);
	while (n)
		qemu_putc(buf[--n]);
}

void qemu_putdec(uint64_t v)
{
	char buf[20];
	unsigned n = 0;

	do {
		buf[n++] = (char)('0' + (unsigned)(v % 10));
		v /= 10;
	} while (v);
	while (n)
		qemu_putc(buf[--n]);
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

/* ---- clock: TSC calibrated against the PIT --------------------------------------- */

#define PIT_HZ	1193182u
#define PIT_CH2 0x42u
#define PIT_CMD 0x43u
#define PORT_B	0x61u /* bit 0: channel 2 gate, bit 1: speaker, bit 5: channel 2 OUT */

static uint64_t tsc_hz;

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return (uint64_t)hi << 32 | lo;
}

/* TSC ticks per second, or 0 when channel 2 does not count. */
static uint64_t calibrate_tsc(void)
{
	const uint32_t latch = PIT_HZ / 100; /* 10 ms */
	uint64_t t0, t1;
	uint32_t spins = 0;

	/* Gate on, speaker off; channel 2, lobyte/hibyte, mode 0 (interrupt on terminal count). */
	qemu_outb(PORT_B, (uint8_t)((qemu_inb(PORT_B) & ~0x02u) | 0x01u));
	qemu_outb(PIT_CMD, 0xb0);
	qemu_outb(PIT_CH2, (uint8_t)(latch & 0xff));
	qemu_outb(PIT_CH2, (uint8_t)(latch >> 8));
	t0 = rdtsc();
	while (!(qemu_inb(PORT_B) & 0x20u)) {
		if (++spins > 100000000u)
			return 0;
	}
	t1 = rdtsc();
	return (t1 - t0) * 100u;
}

uint64_t qemu_now_ns(void)
{
	uint64_t c = rdtsc();

	/* Split so that c * 1e9 cannot overflow: (c % f) * 1e9 < f * 1e9 < 2^64. */
	return (c / tsc_hz) * 1000000000ull + (c % tsc_hz) * 1000000000ull / tsc_hz;
}

/* ---- table memory ---------------------------------------------------------------- */

#ifndef QEMU_TABLE_ARENA_SIZE
#define QEMU_TABLE_ARENA_SIZE (4u << 20)
#endif

/* 64 KiB aligned so that pools of every granule fit. Zeroed with .bss. */
static uint8_t table_arena[QEMU_TABLE_ARENA_SIZE] __attribute__((aligned(65536)));
static size_t table_arena_used;

void *qemu_table_mem(size_t size, size_t align, uint64_t *pa)
{
	size_t start;

	if (!size || !align || (align & (align - 1)) || !pa)
		return NULL;
	start = (table_arena_used + align - 1) & ~(align - 1);
	if (start > sizeof(table_arena) || size > sizeof(table_arena) - start)
		return NULL;
	table_arena_used = start + size;
	*pa = qemu_virt_to_phys(&table_arena[start]);
	return &table_arena[start];
}

/* ---- iommuman hooks -------------------------------------------------------------- */

static uint32_t hook_read32(void *ctx, uintptr_t addr)
{
	(void)ctx;
	return qemu_mmio_read32(addr);
}

static void hook_write32(void *ctx, uintptr_t addr, uint32_t val)
{
	(void)ctx;
	qemu_mmio_write32(addr, val);
}

static void hook_wmb(void *ctx)
{
	(void)ctx;
	qemu_wmb();
}

static void hook_mb(void *ctx)
{
	(void)ctx;
	qemu_mb();
}

static void *hook_phys_to_virt(void *ctx, uint64_t pa)
{
	(void)ctx;
	return (void *)(uintptr_t)pa;
}

static uint64_t hook_now_ns(void *ctx)
{
	(void)ctx;
	return qemu_now_ns();
}

static void hook_relax(void *ctx)
{
	(void)ctx;
	__asm__ __volatile__("pause" ::: "memory");
}

static void hook_log(void *ctx, enum iomm_log_level level, const char *msg)
{
	static const char tag[] = "EWID";

	(void)ctx;
	qemu_port_stats.logs++;
	qemu_puts("[iommuman ");
	qemu_putc((unsigned)level < 4u ? tag[level] : '?');
	qemu_puts("] ");
	qemu_puts(msg);
	qemu_putc('\n');
}

const struct iomm_port qemu_port = {
    .ctx = NULL,
    .flags = IOMM_PORT_DMA_COHERENT,
    .read32 = hook_read32,
    .write32 = hook_write32,
    .read64 = NULL, /* two 32-bit reads, low word first */
    .write64 = NULL,
    .wmb = hook_wmb,
    .mb = hook_mb,
    .page_alloc = NULL,
    .page_free = NULL,
    .phys_to_virt = hook_phys_to_virt,
    .clean_tables = NULL, /* coherent: page tables must set IOMM_PGT_COHERENT */
    .lock = NULL,
    .unlock = NULL,
    .now_ns = hook_now_ns,
    .relax = hook_relax,
    .log = hook_log,
    .log_level = IOMM_LOG_INFO,
};

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
	tsc_hz = calibrate_tsc();
	if (!tsc_hz) {
		qemu_puts(" (PIT channel 2 does not count: assuming a 1 GHz TSC)");
		tsc_hz = 1000000000u;
	}
	qemu_puts(", TSC ");
	qemu_putdec(tsc_hz / 1000000u);
	qemu_puts(" MHz, image ");
	qemu_puthex((uint64_t)(uintptr_t)__image_start);
	qemu_puts("-");
	qemu_puthex((uint64_t)(uintptr_t)__image_end);
	qemu_puts("\n");
	if (magic != 0x2badb002u)
		qemu_puts("warning: not started by a multiboot loader\n");
	qemu_exit(qemu_main());
}
