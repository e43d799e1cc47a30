/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Registers of a RISC-V IOMMU (RISC-V IOMMU Architecture Specification
 * v1.0, chapter "Memory-mapped register interface") that the riscv64
 * scenarios touch directly; the library has no RISC-V backend yet. Masks
 * and shifts only. QEMU's model is the PCI function riscv-iommu-pci
 * (1b36:0014) with the registers in BAR0.
 */
#ifndef IOMM_QEMU_RISCV_IOMMU_REGS_H
#define IOMM_QEMU_RISCV_IOMMU_REGS_H

#include <stdint.h>

#define RIOMMU_PCI_VENDOR 0x1b36u
#define RIOMMU_PCI_DEVICE 0x0014u

/** @name Register offsets
 * @{ */
#define RIOMMU_CAPABILITIES 0x00u /* 64-bit */
#define RIOMMU_FCTL	    0x08u /* 32-bit */
#define RIOMMU_DDTP	    0x10u /* 64-bit */
#define RIOMMU_CQB	    0x18u /* 64-bit */
#define RIOMMU_CQH	    0x20u /* 32-bit */
#define RIOMMU_CQT	    0x24u /* 32-bit */
#define RIOMMU_FQB	    0x28u /* 64-bit */
#define RIOMMU_FQH	    0x30u /* 32-bit */
#define RIOMMU_FQT	    0x34u /* 32-bit */
#define RIOMMU_CQCSR	    0x48u /* 32-bit */
#define RIOMMU_FQCSR	    0x4cu /* 32-bit */
#define RIOMMU_IPSR	    0x54u /* 32-bit */
/** @} */

/** @name capabilities
 * @{ */
#define RIOMMU_CAP_VERSION_MASK 0xffull /* major in 7:4, minor in 3:0 */
#define RIOMMU_CAP_VERSION_1_0	0x10u
#define RIOMMU_CAP_SV32		(1ull << 8)
#define RIOMMU_CAP_SV39		(1ull << 9)
#define RIOMMU_CAP_SV48		(1ull << 10)
#define RIOMMU_CAP_SV57		(1ull << 11)
#define RIOMMU_CAP_SV32X4	(1ull << 16)
#define RIOMMU_CAP_SV39X4	(1ull << 17)
#define RIOMMU_CAP_SV48X4	(1ull << 18)
#define RIOMMU_CAP_SV57X4	(1ull << 19)
#define RIOMMU_CAP_PAS_SHIFT	32u
#define RIOMMU_CAP_PAS_MASK	(0x3full << RIOMMU_CAP_PAS_SHIFT)
/** @} */

/** @name ddtp
 * @{ */
#define RIOMMU_DDTP_MODE_MASK 0xfull
#define RIOMMU_DDTP_MODE_OFF  0u
#define RIOMMU_DDTP_MODE_BARE 1u
#define RIOMMU_DDTP_MODE_1LVL 2u
#define RIOMMU_DDTP_MODE_2LVL 3u
#define RIOMMU_DDTP_MODE_3LVL 4u
#define RIOMMU_DDTP_BUSY      (1ull << 4)
#define RIOMMU_DDTP_PPN_SHIFT 10u
#define RIOMMU_DDTP_PPN_MASK  (0xfffffffffffull << RIOMMU_DDTP_PPN_SHIFT) /* bits 53:10 */
/** @} */

/** @name cqcsr / fqcsr (the same layout for the bits used here)
 * @{ */
#define RIOMMU_QCSR_EN	    (1u << 0)
#define RIOMMU_QCSR_IE	    (1u << 1)
#define RIOMMU_QCSR_MF	    (1u << 8) /* memory fault */
#define RIOMMU_QCSR_OF	    (1u << 9) /* cq: command timeout; fq: overflow */
#define RIOMMU_QCSR_ON	    (1u << 16)
#define RIOMMU_QCSR_BUSY    (1u << 17)
#define RIOMMU_QB_LOG2SZ_1  0x1full /* cqb/fqb bits 4:0: log2(entries) - 1 */
#define RIOMMU_QB_PPN_SHIFT 10u
/** @} */

/** @name ipsr
 * @{ */
#define RIOMMU_IPSR_CIP (1u << 0)
#define RIOMMU_IPSR_FIP (1u << 1)
/** @} */

/** @name Fault-queue record (32 bytes: four little-endian 64-bit words)
 * @{ */
#define RIOMMU_FQ_REC_SIZE	    32u
#define RIOMMU_FQ_CAUSE_MASK	    0xfffull /* word 0, bits 11:0 */
#define RIOMMU_FQ_TTYP_SHIFT	    34u	     /* word 0, bits 39:34 */
#define RIOMMU_FQ_TTYP_MASK	    (0x3full << RIOMMU_FQ_TTYP_SHIFT)
#define RIOMMU_FQ_DID_SHIFT	    40u /* word 0, bits 63:40 */
#define RIOMMU_FQ_DID_MASK	    (0xffffffull << RIOMMU_FQ_DID_SHIFT)
#define RIOMMU_CAUSE_DMA_DISALLOWED 256u /* "all inbound transactions disallowed" */
#define RIOMMU_TTYP_UADDR_RD	    2u
#define RIOMMU_TTYP_UADDR_WR	    3u
/** @} */

/** @name Commands (16 bytes: two little-endian 64-bit words)
 * @{ */
#define RIOMMU_CMD_SIZE			16u
#define RIOMMU_CMD_OPCODE_MASK		0x7full /* word 0, bits 6:0 */
#define RIOMMU_CMD_FUNC3_SHIFT		7u	/* word 0, bits 9:7 */
#define RIOMMU_CMD_IOFENCE		2u
#define RIOMMU_CMD_IOFENCE_FUNC_C	0u
#define RIOMMU_CMD_IOFENCE_AV		(1ull << 10)
#define RIOMMU_CMD_IOFENCE_DATA_SHIFT	32u /* word 0, bits 63:32; word 1 = ADDR >> 2 */
#define RIOMMU_CMD_IODIR		3u
#define RIOMMU_CMD_IODIR_FUNC_INVAL_DDT 0u
#define RIOMMU_CMD_IODIR_DV		(1ull << 33)
#define RIOMMU_CMD_IODIR_DID_SHIFT	40u /* word 0, bits 63:40 */
/** @} */

#endif /* IOMM_QEMU_RISCV_IOMMU_REGS_H */
