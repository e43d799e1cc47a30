/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The board API every bare-metal port of the QEMU scenarios offers, with the
 * same names and meaning (ports/qemu-*): included at the end of each port's
 * qemu_board.h, after its memory map, QEMU_BOARD_PORT_FLAGS,
 * QEMU_BOARD_MMIO64 (when 64-bit MMIO is one access) and
 * qemu_virt_to_phys(). What an architecture does under each name (which
 * barrier, which clock) is said in its qemu_board.h and board file.
 */
#ifndef QEMU_BOARD_API_H
#define QEMU_BOARD_API_H

#include <stddef.h>
#include <stdint.h>

#include <iommuman/port.h>

/** The iommuman hook table of the port (tests/qemu/common/port_hooks.c). ctx is unused (NULL). */
extern const struct iomm_port qemu_port;

/** @name What port_hooks.c asks of the architecture
 * @{ */
/** clean_tables: make @p len bytes at @p va visible to a non-snooping walker. */
void qemu_clean_tables(const void *va, size_t len);
/** relax: the CPU's spin-wait hint. */
void qemu_cpu_relax(void);
/** @} */

/** What the port's hooks did, for tests that want to prove a hook ran. */
struct qemu_port_stats {
	uint64_t cleans;      /**< clean_tables calls */
	uint64_t clean_bytes; /**< bytes they covered */
	uint64_t logs;        /**< log hook calls */
};
/** Counters of the hooks since boot. */
extern struct qemu_port_stats qemu_port_stats;

/** @name Console (blocking, polled; the port's UART)
 * @{ */
void qemu_putc(char c);
void qemu_puts(const char *s);
/** "0x" followed by the hex digits of @p v, no leading zeros. */
void qemu_puthex(uint64_t v);
void qemu_putdec(uint64_t v);
/** @} */

/** Monotonic nanoseconds since an arbitrary start (the port's timer). */
uint64_t qemu_now_ns(void);

/**
 * Carve @p size bytes aligned to @p align (a power of two) from the static
 * table arena (zeroed at boot, never given back) and store their physical
 * address in @p pa. Returns NULL when the arena is exhausted.
 */
void *qemu_table_mem(size_t size, size_t align, uint64_t *pa);

/** @name MMIO: one access of the given width, ordered as the port says
 * @{ */
uint32_t qemu_mmio_read32(uintptr_t addr);
void qemu_mmio_write32(uintptr_t addr, uint32_t val);
uint16_t qemu_mmio_read16(uintptr_t addr);
void qemu_mmio_write16(uintptr_t addr, uint16_t val);
uint8_t qemu_mmio_read8(uintptr_t addr);
void qemu_mmio_write8(uintptr_t addr, uint8_t val);
uint64_t qemu_mmio_read64(uintptr_t addr);
void qemu_mmio_write64(uintptr_t addr, uint64_t val);
/** @} */

/** Store barrier towards devices. */
void qemu_wmb(void);
/** Full barrier: e.g. before starting and after completing a DMA. */
void qemu_mb(void);

/** End the program with @p status (0 = pass) as QEMU's verdict. Never returns. */
_Noreturn void qemu_exit(int status);

/** Provided by the application: called after the board is set up. */
int qemu_main(void);

#endif /* QEMU_BOARD_API_H */
