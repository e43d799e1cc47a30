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

/**
 * The read-only part of A: the last 64 KiB of guest RAM. The CPU's stage 2
 * maps it read/write; the VM's memory map A (and so the SMMU) gives devices
 * read access only, and a guest MAP may never grant more.
 */
#define HV_GUEST_RO_IPA	 (HV_GUEST_RAM_IPA + 0x1f0000ull)
#define HV_GUEST_RO_SIZE 0x10000ull

/** @name The virtio-iommu cases (HV_CASE_VIOMMU_*)
 * @{ */
/** Endpoint ID of the passed-through edu in the guest's virtio-iommu (its PCI requester ID). */
#define HV_GUEST_EDU_ENDPOINT 8u
/** Buffer B: the one page of A the guest maps for edu, at IOVA HV_IOVA_B. */
#define HV_GUEST_B_IPA	(HV_GUEST_RAM_IPA + 0x110000ull)
#define HV_IOVA_B	0x40000000ull
/** The source page of the guest's DMA (HV_GUEST_DMA_SRC_IPA), mapped read-only at this IOVA. */
#define HV_IOVA_SRC	0x40010000ull
/** IOVAs the refused MAPs ask for. */
#define HV_IOVA_REFUSED 0x40100000ull
/** The MSI doorbell window (virt's GICv2m frame) the VM reserves: RESV_MEM, subtype MSI. */
#define HV_MSI_START 0x08020000ull
#define HV_MSI_END   0x08020fffull
/** @} */

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
#define HV_KEY_RESULT	  7u /**< x2: which step (HV_STEP_*), x3: its result (an IOMM_* status, or a value). */
#define HV_KEY_FAULT	  8u /**< x2: endpoint, x3: address of a fault the guest read from its event queue. */
/** @} */

/** @name Steps the virtio-iommu cases report with HV_KEY_RESULT
 * @{ */
#define HV_STEP_UP	     1u /**< transport + backend up, edu attached: status */
#define HV_STEP_MAP_B	     2u /**< MAP B read/write at HV_IOVA_B: status */
#define HV_STEP_DMA_B	     3u /**< edu DMA through HV_IOVA_B: 0 the pattern arrived in B */
#define HV_STEP_DMA_OUTSIDE_B 4u /**< edu DMA to an unmapped IOVA: 0 nothing arrived */
#define HV_STEP_MAP_OUTSIDE_A 5u /**< MAP of a guest-physical page outside A: status */
#define HV_STEP_MAP_HOST     6u /**< MAP of the host's image address: status */
#define HV_STEP_MAP_RO_W     7u /**< writable MAP of the read-only part of A: status */
#define HV_STEP_MAP_RO_R     8u /**< read-only MAP of the read-only part of A: status */
#define HV_STEP_MAP_MSI	     9u /**< MAP over the MSI window: status */
#define HV_STEP_CHAIN_LOOP   10u /**< descriptor loop: device Status after the notify */
#define HV_STEP_CHAIN_OUTSIDE 11u /**< response buffer outside A: device Status after the notify */
#define HV_STEP_CHAIN_HOST   12u /**< request buffer at the host's image: device Status after the notify */
#define HV_STEP_UNMAP_B	     13u /**< UNMAP B: status */
#define HV_STEP_DMA_AFTER    14u /**< edu DMA to HV_IOVA_B after UNMAP / after reset and bypass: 0 nothing arrived */
#define HV_STEP_RESET	     15u /**< Status 0 written: Status read back */
#define HV_STEP_DMA_POLICY   16u /**< after reset, edu DMA to a guest-physical address of A: 0 it arrived */
#define HV_STEP_FAULTS	     17u /**< fault events the guest read from its event queue */
#define HV_STEP_DMA_BLOCKED  18u /**< after reset, edu DMA inside A: 0 nothing arrived */
#define HV_STEP_BYPASS	     19u /**< config.bypass = 1 written: read back */
/** @} */

/** Cases: the host passes one in x0 when it enters the guest. */
#define HV_CASE_HELLO 1u /**< Run at EL1, report, take a virtual IRQ. */
#define HV_CASE_MMIO  2u /**< 8/16/32/64-bit accesses to the emulated window. */
#define HV_CASE_DMA   3u /**< edu DMA to a device address inside A. */
#define HV_CASE_DMA_OUTSIDE 4u /**< edu DMA outside A and at the host's image: blocked. */
#define HV_CASE_CPU_OUTSIDE 5u /**< CPU loads/stores outside A: stage-2 aborts. */
#define HV_CASE_UNDECODABLE 6u /**< A load pair from the window (ISV = 0): the host stops the guest. */
#define HV_CASE_VIOMMU_MAP    7u /**< virtio-iommu over virtio-mmio: MAP B, edu DMA lands in B. */
#define HV_CASE_VIOMMU_FAULT  8u /**< DMA inside A outside B: blocked, fault in the event queue. */
#define HV_CASE_VIOMMU_REFUSE 9u /**< MAPs outside A / RO / MSI and hostile chains: refused. */
#define HV_CASE_VIOMMU_UNMAP  10u /**< UNMAP B: the next DMA is blocked. */
#define HV_CASE_VIOMMU_RESET  11u /**< Status 0: back to the host policy. */

/** Value the host makes a read of unbacked guest memory return (like a bus error). */
#define HV_UNBACKED_READ 0xffffffffffffffffull

#endif /* HV_ABI_H */
