/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RISC-V IOMMU register, data-structure and command layouts (RISC-V IOMMU
 * Architecture Specification v1.0), as masks. Section numbers are the
 * specification's.
 */
#ifndef IOMM_RISCV_REGS_H
#define IOMM_RISCV_REGS_H

#include "iomm_internal.h"

/* ---- registers (chapter 5) ---- */
#define RV_CAPS	 0x00u /* 64-bit, 5.3 */
#define RV_FCTL	 0x08u /* 32-bit, 5.4 */
#define RV_DDTP	 0x10u /* 64-bit, 5.5 */
#define RV_CQB	 0x18u /* 64-bit, 5.6 */
#define RV_CQH	 0x20u /* 32-bit, 5.7 */
#define RV_CQT	 0x24u /* 32-bit, 5.8 */
#define RV_FQB	 0x28u /* 64-bit, 5.9 */
#define RV_FQH	 0x30u /* 32-bit, 5.10 */
#define RV_FQT	 0x34u /* 32-bit, 5.11 */
#define RV_CQCSR 0x48u /* 32-bit, 5.15 */
#define RV_FQCSR 0x4cu /* 32-bit, 5.16 */
#define RV_IPSR	 0x54u /* 32-bit, 5.18 */

#define CAPS_VERSION_MAJOR IOMM_GENMASK(7, 4)

#define FCTL_BE	 IOMM_BIT(0)
#define FCTL_WSI IOMM_BIT(1)
#define FCTL_GXL IOMM_BIT(2)

#define IGS_MSI	 0u
#define IGS_WSI	 1u
#define IGS_BOTH 2u

#define DDTP_MODE      IOMM_GENMASK(3, 0)
#define DDTP_MODE_OFF  0u
#define DDTP_MODE_BARE 1u
#define DDTP_MODE_1LVL 2u /* 2LVL = 3, 3LVL = 4 */
#define DDTP_BUSY      IOMM_BIT(4)
#define PPN_FIELD      IOMM_GENMASK(53, 10) /* ddtp, cqb, fqb, non-leaf DDT entries */

#define QB_LOG2SZ_1 IOMM_GENMASK(4, 0) /* log2(entries) - 1 */

/* cqcsr and fqcsr share the enable/status layout */
#define QCSR_EN	   IOMM_BIT(0)
#define QCSR_IE	   IOMM_BIT(1)
#define QCSR_MF	   IOMM_BIT(8)	/* cqmf / fqmf, RW1C */
#define QCSR_OF	   IOMM_BIT(9)	/* cq: cmd_to; fq: fqof, RW1C */
#define CQCSR_ILL  IOMM_BIT(10) /* cmd_ill, RW1C */
#define CQCSR_FWI  IOMM_BIT(11) /* fence_w_ip, RW1C */
#define QCSR_ON	   IOMM_BIT(16)
#define QCSR_BUSY  IOMM_BIT(17)
#define CQCSR_ERRS (QCSR_MF | QCSR_OF | CQCSR_ILL | CQCSR_FWI)
#define FQCSR_ERRS (QCSR_MF | QCSR_OF)

#define IPSR_CIP IOMM_BIT(0)
#define IPSR_FIP IOMM_BIT(1)

/* ---- device directory (2.1, 2.2) ---- */
#define DDTE_V IOMM_BIT(0) /* non-leaf entry: V, PPN[53:10] */

/* Device context: tc, iohgatp, ta, fsc (+ msiptp, msi_addr_mask, msi_addr_pattern,
 * reserved in the 64-byte extended format), 64-bit words. */
#define DC_TC	      0u
#define DC_IOHGATP    1u
#define DC_TA	      2u
#define DC_FSC	      3u
#define DC_MSIPTP     4u /* extended format only (capabilities.MSI_FLAT) */
#define DC_MSI_MASK   5u
#define DC_MSI_PAT    6u
#define DC_BASE_WORDS 4u
#define DC_MAX_WORDS  8u

/* msiptp (2.1.6): MODE Off 0 / Flat 1, PPN of the flat MSI page table */
#define MSIPTP_PPN	 IOMM_GENMASK(43, 0)
#define MSIPTP_MODE	 IOMM_GENMASK(63, 60)
#define MSIPTP_MODE_FLAT 1u
#define MSI_ADDR_BITS	 IOMM_GENMASK(51, 0) /* msi_addr_mask / msi_addr_pattern */

/* MSI PTE, basic translate mode (AIA, "MSI page tables"): 16 bytes, the second word
 * ignored in this mode and written 0 */
#define MSIPTE_V       IOMM_BIT(0)
#define MSIPTE_M       IOMM_GENMASK(2, 1)
#define MSIPTE_M_BASIC 3u
#define MSIPTE_PPN     IOMM_GENMASK(53, 10)
#define MSIPTE_BYTES   16u

#define TC_V IOMM_BIT(0)

#define ATP_PPN	      IOMM_GENMASK(43, 0) /* iohgatp, fsc (iosatp) */
#define ATP_MODE      IOMM_GENMASK(63, 60)
#define ATP_MODE_BARE 0u
#define ATP_MODE_SV39 8u /* Sv39 / Sv39x4; Sv48 9, Sv57 10 */
#define IOHGATP_GSCID IOMM_GENMASK(59, 44)
#define TA_PSCID      IOMM_GENMASK(31, 12)

/* ---- commands (3.1): two 64-bit words ---- */
#define CMD_OPCODE IOMM_GENMASK(6, 0)
#define CMD_FUNC3  IOMM_GENMASK(9, 7)

#define OP_IOTINVAL    1u
#define FUNC_VMA       0u
#define FUNC_GVMA      1u
#define IOTINVAL_AV    IOMM_BIT(10)
#define IOTINVAL_PSCID IOMM_GENMASK(31, 12)
#define IOTINVAL_PSCV  IOMM_BIT(32)
#define IOTINVAL_GV    IOMM_BIT(33)
#define IOTINVAL_GSCID IOMM_GENMASK(59, 44)
#define IOTINVAL_ADDR  IOMM_GENMASK(61, 10) /* word 1: ADDR[63:12] */

#define OP_IOFENCE   2u
#define FUNC_FENCE_C 0u

#define OP_IODIR       3u
#define FUNC_INVAL_DDT 0u
#define IODIR_DV       IOMM_BIT(33)
#define IODIR_DID      IOMM_GENMASK(63, 40)

/* ---- fault record (3.2): four 64-bit words ---- */
#define FQ_REC_WORDS 4u
#define FQ_CAUSE     IOMM_GENMASK(11, 0)
#define FQ_PID	     IOMM_GENMASK(31, 12)
#define FQ_PV	     IOMM_BIT(32)
#define FQ_PRIV	     IOMM_BIT(33)
#define FQ_TTYP	     IOMM_GENMASK(39, 34)
#define FQ_DID	     IOMM_GENMASK(63, 40)

/* Causes (3.2, table "Fault-queue event causes") */
enum {
	CAUSE_INST_ACCESS = 1,
	CAUSE_READ_MISALIGNED = 4,
	CAUSE_READ_ACCESS = 5,
	CAUSE_WRITE_MISALIGNED = 6,
	CAUSE_WRITE_ACCESS = 7,
	CAUSE_INST_PAGE = 12,
	CAUSE_READ_PAGE = 13,
	CAUSE_WRITE_PAGE = 15,
	CAUSE_INST_GUEST_PAGE = 20,
	CAUSE_READ_GUEST_PAGE = 21,
	CAUSE_WRITE_GUEST_PAGE = 23,
	CAUSE_DMA_DISALLOWED = 256,
	CAUSE_DDT_LOAD = 257,
	CAUSE_DDT_INVALID = 258,
	CAUSE_DDT_MISCONFIG = 259,
	CAUSE_TTYP_BLOCKED = 260,
	CAUSE_MSI_LOAD = 261,
	CAUSE_MSI_INVALID = 262,
	CAUSE_MSI_MISCONFIG = 263,
	CAUSE_MRIF = 264,
	CAUSE_PDT_LOAD = 265,
	CAUSE_PDT_INVALID = 266,
	CAUSE_PDT_MISCONFIG = 267,
	CAUSE_DDT_CORRUPT = 268,
	CAUSE_PDT_CORRUPT = 269,
	CAUSE_MSI_CORRUPT = 270,
	CAUSE_MRIF_CORRUPT = 271,
	CAUSE_INTERNAL = 272,
	CAUSE_MSI_WRITE = 273,
	CAUSE_PT_CORRUPT = 274,
};

/* Transaction types */
enum {
	TTYP_NONE = 0,
	TTYP_UADDR_EXEC = 1,
	TTYP_UADDR_READ = 2,
	TTYP_UADDR_WRITE = 3,
	TTYP_TADDR_EXEC = 5,
	TTYP_TADDR_READ = 6,
	TTYP_TADDR_WRITE = 7,
	TTYP_ATS = 8,
	TTYP_MSG = 9,
};

#endif /* IOMM_RISCV_REGS_H */
