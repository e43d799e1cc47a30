/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bare-metal iommuman port for QEMU's q35 machine, 32-bit x86.
 *
 * A Multiboot (v1) ELF loaded with -kernel; it runs in 32-bit protected mode
 * with paging off (PA == VA, all of the low 4 GiB reachable). It provides:
 *
 *  - qemu_port: the struct iomm_port hook table (MMIO, barriers, clock,
 *    log; clean_tables with clflush for units whose walks do not snoop;
 *    no locks);
 *  - a 16550 console on COM1 (0x3f8) and printf-free print functions;
 *  - the verdict through QEMU's isa-debug-exit device (iobase 0xf4): QEMU
 *    exits with (value << 1) | 1. qemu_exit(0) writes QEMU_X86_EXIT_PASS,
 *    so QEMU's status is 67 for a pass; any other status means fail. (A
 *    plain 0 or 1 would be ambiguous: QEMU itself exits 0 after a triple
 *    fault with -no-reboot and 1 on start-up errors.)
 *  - static table memory for region pools (iomm_pool_init()).
 *
 * The same functions, with the same meaning, exist in the virt AArch64 port
 * (ports/qemu-virt-aarch64/qemu_board.h).
 */
#ifndef QEMU_BOARD_H
#define QEMU_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iommuman/port.h>

/** Name of the board, for logs. */
#define QEMU_BOARD_NAME "qemu-q35-x86"

/** @name Platform addresses
 * @{ */
#define QEMU_BOARD_COM1	      0x3f8u	    /**< 16550 UART, I/O port */
#define QEMU_BOARD_DEBUG_EXIT 0xf4u	    /**< isa-debug-exit, I/O port */
#define QEMU_BOARD_VTD_BASE   0xfed90000ull /**< VT-d registers with -device intel-iommu */
#define QEMU_BOARD_PCI_CF8    1		    /**< PCI configuration through ports 0xcf8/0xcfc */
/** @} */

/** @name isa-debug-exit values (QEMU exits with (v << 1) | 1)
 * @{ */
#define QEMU_X86_EXIT_PASS 0x21u /**< QEMU exit status 67 */
#define QEMU_X86_EXIT_FAIL 0x22u /**< QEMU exit status 69 */
/** @} */

/** iomm_port::flags of qemu_port. */
#define QEMU_BOARD_PORT_FLAGS IOMM_PORT_DMA_COHERENT

/** Physical (= bus, without IOMMU) address of a CPU pointer: identity here. */
static inline uint64_t qemu_virt_to_phys(const volatile void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/** @name Port I/O
 * @{ */
static inline void qemu_outb(uint16_t port, uint8_t v)
{
	__asm__ __volatile__("outb %0, %1" ::"a"(v), "Nd"(port) : "memory");
}
static inline void qemu_outl(uint16_t port, uint32_t v)
{
	__asm__ __volatile__("outl %0, %1" ::"a"(v), "Nd"(port) : "memory");
}
static inline uint8_t qemu_inb(uint16_t port)
{
	uint8_t v;
	__asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}
static inline uint16_t qemu_inw(uint16_t port)
{
	uint16_t v;
	__asm__ __volatile__("inw %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}
static inline void qemu_outw(uint16_t port, uint16_t v)
{
	__asm__ __volatile__("outw %0, %1" ::"a"(v), "Nd"(port) : "memory");
}
static inline uint32_t qemu_inl(uint16_t port)
{
	uint32_t v;
	__asm__ __volatile__("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}
/** @} */

/*
 * How this port implements the board API (tests/qemu/common/board_api.h):
 *  - qemu_now_ns(): nanoseconds since boot from the HPET's main counter at the
 *    period its capabilities register states (10 ns on QEMU), on the
 *    machine's virtual clock: needs no calibration, so a loaded host cannot
 *    skew it.
 *  - MMIO: one uncached access of the given width, in program order;
 *    qemu_mmio_read64/write64 are two 32-bit accesses, low word first.
 *  - Store barrier towards devices (`sfence` would need SSE: a locked add).
 *  - Full barrier (a locked add to the stack, like Linux's mb() on 32-bit).
 *  - End the program: QEMU exits with status 67 for @p status 0, 69 otherwise.
 */
#include "board_api.h"

#endif /* QEMU_BOARD_H */
