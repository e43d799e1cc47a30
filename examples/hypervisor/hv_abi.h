/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The contract between the EL2 host and its EL1 guest (examples/hypervisor):
 * the guest's physical memory map (IPAs) and the hypercalls. Constants only:
 * the guest image is built from guest/ and this header, with no host code.
 *
 * Guest physical map (what stage 2 gives the guest):
 *   HV_GUEST_RAM_IPA   .. + HV_GUEST_RAM_SIZE  RAM (region A): the guest image, its stack and buffers
 *   HV_GUEST_EDU_IPA   .. + 4 KiB              edu's BAR0, passed through (no trap)
 *   HV_GUEST_VMMIO_IPA .. + HV_GUEST_VMMIO_SIZE emulated MMIO window: every access traps to the
 *                                               host (the virtio-mmio slot of the guest)
 *   everything else                            unmapped: an access is a stage-2 abort that the
 *                                               host reports and does not serve
 *
 * Hypercalls: `hvc #0` with the call number in x0 and arguments in x1..x3;
 * the result comes back in x0.
 */
#ifndef HV_ABI_H
#define HV_ABI_H

#define HV_GUEST_RAM_IPA    0x80000000ull
#define HV_GUEST_RAM_SIZE   0x00200000ull /* 2 MiB: one stage-2 level-2 block */
#define HV_GUEST_EDU_IPA    0x20000000ull
#define HV_GUEST_VMMIO_IPA  0x0a000000ull /* where virt puts its virtio-mmio slots */
#define HV_GUEST_VMMIO_SIZE 0x00000200ull /* one virtio-mmio slot */

/** Guest buffers the DMA cases use (inside A, above the guest image). */
#define HV_GUEST_DMA_SRC_IPA (HV_GUEST_RAM_IPA + 0x100000ull)
#define HV_GUEST_DMA_DST_IPA (HV_GUEST_RAM_IPA + 0x101000ull)

/** @name Hypercalls (x0); plain integers: guest/start.S uses them too
 * @{ */
#define HV_CALL_PUTS   1 /**< x1: IPA of a NUL-terminated string in A; the host prints it. */
#define HV_CALL_REPORT 2 /**< x1: key (HV_KEY_*), x2, x3: values; the host checks them. */
#define HV_CALL_IRQ    3 /**< Ask the host to inject a virtual IRQ (HCR_EL2.VI). */
#define HV_CALL_EOI    4 /**< The guest handled the virtual IRQ: the host withdraws it. */
#define HV_CALL_DONE   5 /**< x1: the guest's own verdict (0: its checks passed). Never returns. */
#define HV_CALL_PANIC  6 /**< x1: ESR_EL1, x2: ELR_EL1, x3: FAR_EL1 of an unexpected exception. */
/** @} */

/** Status in x0 after a hypercall. */
#define HV_OK	   0u
#define HV_EINVAL  1u

/** @name Report keys (HV_CALL_REPORT x1)
 * @{ */
#define HV_KEY_HELLO	  1u /**< x2: CurrentEL, x3: the case number the guest runs. */
#define HV_KEY_IRQ	  2u /**< x2: virtual IRQs the guest's handler took. */
#define HV_KEY_MMIO_READ  3u /**< x2: window offset, x3: value the guest read. */
#define HV_KEY_DMA_DONE	  4u /**< x2: device address, x3: 0 the DMA completed, else the guest's error. */
#define HV_KEY_CPU_READ	  5u /**< x2: IPA the guest read outside its memory, x3: what it got. */
#define HV_KEY_DMA_PEEK	  6u /**< x2: device address edu read from, x3: first 8 bytes that arrived. */
/** @} */

/** Cases: the host passes one in x0 when it enters the guest. */
#define HV_CASE_HELLO 1u /**< Run at EL1, report, take a virtual IRQ. */
#define HV_CASE_MMIO  2u /**< 8/16/32/64-bit accesses to the emulated window. */
#define HV_CASE_DMA   3u /**< edu DMA to a device address inside A. */
#define HV_CASE_DMA_OUTSIDE 4u /**< edu DMA outside A and at the host's image: blocked. */
#define HV_CASE_CPU_OUTSIDE 5u /**< CPU loads/stores outside A: stage-2 aborts. */
#define HV_CASE_UNDECODABLE 6u /**< A load pair from the window (ISV = 0): the host stops the guest. */

/** Value the host makes a read of unbacked guest memory return (like a bus error). */
#define HV_UNBACKED_READ 0xffffffffffffffffull

#endif /* HV_ABI_H */
