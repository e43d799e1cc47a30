/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The struct iomm_port of every bare-metal port, built on the board API of
 * its qemu_board.h: MMIO accessors, barriers, the clock, the console and the
 * static table arena are the port's; what differs per architecture is only
 * the cache maintenance of clean_tables (qemu_clean_tables()), the CPU hint
 * of relax (qemu_cpu_relax()), whether 64-bit MMIO is one access
 * (QEMU_BOARD_MMIO64) and whether table walks snoop (QEMU_BOARD_PORT_FLAGS).
 */
#include <iommuman/iommuman.h>

#include "qemu_board.h"

struct qemu_port_stats qemu_port_stats;

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

#ifdef QEMU_BOARD_MMIO64
static uint64_t hook_read64(void *ctx, uintptr_t addr)
{
	(void)ctx;
	return qemu_mmio_read64(addr);
}

static void hook_write64(void *ctx, uintptr_t addr, uint64_t val)
{
	(void)ctx;
	qemu_mmio_write64(addr, val);
}
#else
#define hook_read64  NULL /* two 32-bit reads, low word first */
#define hook_write64 NULL
#endif

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

static void hook_clean_tables(void *ctx, const void *va, size_t len)
{
	(void)ctx;
	qemu_port_stats.cleans++;
	qemu_port_stats.clean_bytes += len;
	qemu_clean_tables(va, len);
}

static uint64_t hook_now_ns(void *ctx)
{
	(void)ctx;
	return qemu_now_ns();
}

static void hook_relax(void *ctx)
{
	(void)ctx;
	qemu_cpu_relax();
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
    .flags = QEMU_BOARD_PORT_FLAGS,
    .read32 = hook_read32,
    .write32 = hook_write32,
    .read64 = hook_read64,
    .write64 = hook_write64,
    .wmb = hook_wmb,
    .mb = hook_mb,
    .page_alloc = NULL,
    .page_free = NULL,
    .phys_to_virt = hook_phys_to_virt,
    .clean_tables = hook_clean_tables,
    .lock = NULL,
    .unlock = NULL,
    .now_ns = hook_now_ns,
    .relax = hook_relax,
    .log = hook_log,
    .log_level = IOMM_LOG_INFO,
};
