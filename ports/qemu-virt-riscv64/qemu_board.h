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

/** iomm_port::flags of qemu_port. */
#define QEMU_BOARD_PORT_FLAGS 0 /* walks are treated as non-coherent: see the top of qemu_virt.c */

/** 64-bit MMIO is one access: qemu_port has read64/write64. */
#define QEMU_BOARD_MMIO64 1

/** Physical (= bus, without IOMMU) address of a CPU pointer: identity here. */
static inline uint64_t qemu_virt_to_phys(const volatile void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/*
 * How this port implements the board API (tests/qemu/common/board_api.h):
 *  - Monotonic nanoseconds since an arbitrary start (the CLINT's mtime at 10 MHz).
 *  - MMIO: one access of the given width, ordered by fences
 *  - Store barrier towards devices (`fence w,ow`).
 *  - Full barrier (`fence iorw,iorw`): e.g. before starting and after completing a DMA.
 *  - End the program: QEMU exits with @p status (0 = pass). Never returns.
 */
#include "board_api.h"

#endif /* QEMU_BOARD_H */
