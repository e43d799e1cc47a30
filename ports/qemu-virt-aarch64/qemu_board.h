/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bare-metal iommuman port for QEMU's `virt` machine, AArch64.
 *
 * The program runs at EL1 with the MMU and caches off (PA == VA, every data
 * access is Device memory: build with -mstrict-align and never make
 * unaligned accesses). It provides:
 *
 *  - qemu_port: the struct iomm_port hook table (MMIO, barriers, table
 *    cache cleaning, clock, log; no locks: single core, no interrupts);
 *  - a PL011 console (0x09000000) and printf-free print functions;
 *  - the verdict: qemu_exit() ends QEMU through semihosting SYS_EXIT
 *    (QEMU must run with -semihosting), so the status becomes QEMU's exit
 *    status: 0 = pass, anything else = fail;
 *  - static table memory for region pools (iomm_pool_init()).
 *
 * The application defines qemu_main(); its return value is passed to
 * qemu_exit(). Every function here is also offered, with the same names and
 * meaning, by the q35 x86 port (ports/qemu-q35-x86/qemu_board.h), so one
 * program can be built for both.
 */
#ifndef QEMU_BOARD_H
#define QEMU_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iommuman/port.h>

/** Name of the board, for logs. */
#define QEMU_BOARD_NAME "qemu-virt-aarch64"

/** @name Memory map of `-M virt` (default highmem layout)
 * @{ */
#define QEMU_BOARD_RAM_BASE  0x40000000ull
#define QEMU_BOARD_UART_BASE 0x09000000ull   /**< PL011 */
#define QEMU_BOARD_SMMU_BASE 0x09050000ull   /**< SMMUv3 with -M virt,iommu=smmuv3 */
#define QEMU_BOARD_ECAM_BASE 0x4010000000ull /**< PCIe ECAM, 256 buses */
#define QEMU_BOARD_PCI_MMIO32_BASE                                                                 \
	0x10000000ull /**< 32-bit PCI memory window (CPU PA == PCI address) */
#define QEMU_BOARD_PCI_MMIO32_SIZE 0x2eff0000ull
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
 *  - Monotonic nanoseconds since an arbitrary start (CNTVCT_EL0 / CNTFRQ_EL0).
 *  - MMIO: one access of the given width, ordered (Device-nGnRnE + barriers)
 *  - Store barrier towards devices (`dsb st`).
 *  - Full barrier (`dsb sy`): e.g. before starting and after completing a DMA.
 *  - End the program: QEMU exits with @p status (0 = pass). Never returns.
 */
#include "board_api.h"

#endif /* QEMU_BOARD_H */
