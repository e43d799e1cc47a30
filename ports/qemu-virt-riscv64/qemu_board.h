/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bare-metal iommuman port for QEMU's `virt` machine, RV64 (riscv64).
 *
 * The program runs in M-mode on hart 0 with no firmware (`-bios none`):
 * satp is never set, so PA == VA, and no PMP is needed in M-mode. It
 * provides:
 *
 *  - qemu_port: the struct iomm_port hook table (MMIO, fences, clock, log;
 *    no locks: one hart runs, interrupts stay off);
 *  - an NS16550 console (0x10000000) and printf-free print functions;
 *  - the verdict: qemu_exit() ends QEMU through the SiFive test device
 *    (0x100000): 0x5555 makes QEMU exit with status 0 (pass), (code << 16) |
 *    0x3333 with status code (fail);
 *  - static table memory for region pools (iomm_pool_init()).
 *
 * The application defines qemu_main(); its return value is passed to
 * qemu_exit(). Every function here is also offered, with the same names and
 * meaning, by the aarch64 virt and q35 x86 ports (ports/qemu-virt-aarch64,
 * ports/qemu-q35-x86), so one program can be built for all three.
 */
#ifndef QEMU_BOARD_H
#define QEMU_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iommuman/port.h>

/** Name of the board, for logs. */
#define QEMU_BOARD_NAME "qemu-virt-riscv64"

/** @name Memory map of `-M virt` (riscv64)
 * @{ */
#define QEMU_BOARD_RAM_BASE   0x80000000ull
#define QEMU_BOARD_TEST_BASE  0x00100000ull /**< SiFive test device (exit) */
#define QEMU_BOARD_CLINT_BASE 0x02000000ull /**< CLINT; mtime at +0xbff8 */
#define QEMU_BOARD_MTIME_HZ   10000000ull   /**< mtime runs at 10 MHz on virt */
#define QEMU_BOARD_UART_BASE  0x10000000ull /**< NS16550A */
#define QEMU_BOARD_ECAM_BASE  0x30000000ull /**< PCIe ECAM, 256 buses */
/**
 * Where the port assigns memory BARs: the 32-bit PCI memory window
 * (0x40000000, 1 GiB; CPU PA == PCI address). The 64-bit window at
 * 0x300000000 is not used: every BAR of the scenarios fits below 4 GiB.
 */
#define QEMU_BOARD_PCI_MMIO32_BASE 0x40000000ull
#define QEMU_BOARD_PCI_MMIO32_SIZE 0x40000000ull
/** @} */

/** The iommuman hook table of this port. ctx is unused (NULL). */
extern const struct iomm_port qemu_port;

/** What the port's hooks did, for tests that want to prove a hook ran. */
struct qemu_port_stats {
	uint64_t cleans;      /**< clean_tables calls */
	uint64_t clean_bytes; /**< bytes they covered */
	uint64_t logs;	      /**< log hook calls */
};
/** Counters of the hooks since boot. */
extern struct qemu_port_stats qemu_port_stats;

/** @name Console (blocking, polled)
 * @{ */
void qemu_putc(char c);
void qemu_puts(const char *s);
/** "0x" followed by the hex digits of @p v, no leading zeros. */
void qemu_puthex(uint64_t v);
void qemu_putdec(uint64_t v);
/** @} */

/** Monotonic nanoseconds since an arbitrary start (the CLINT's mtime at 10 MHz). */
uint64_t qemu_now_ns(void);

/**
 * Carve @p size bytes aligned to @p align (a power of two) from the static
 * table arena (zeroed at boot, never given back) and store their physical
 * address in @p pa. Returns NULL when the arena is exhausted.
 */
void *qemu_table_mem(size_t size, size_t align, uint64_t *pa);

/** Physical (= bus, without IOMMU) address of a CPU pointer: identity here. */
static inline uint64_t qemu_virt_to_phys(const volatile void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/** @name MMIO: one access of the given width, ordered by fences
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

/** Store barrier towards devices (`fence w,ow`). */
void qemu_wmb(void);
/** Full barrier (`fence iorw,iorw`): e.g. before starting and after completing a DMA. */
void qemu_mb(void);

/** End the program: QEMU exits with @p status (0 = pass). Never returns. */
_Noreturn void qemu_exit(int status);

/** Provided by the application: called after the board is set up. */
int qemu_main(void);

#endif /* QEMU_BOARD_H */
