/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Intel VT-d register and in-memory structure layouts (Intel Virtualization
 * Technology for Directed I/O, Architecture Specification, chapters 9-11).
 * Masks and shifts only; structures are little-endian 64-bit word arrays.
 */
#ifndef VTD_REGS_H
#define VTD_REGS_H

#include "iomm_internal.h"

/* ---- register offsets (chapter 11) ---- */
#define VTD_VER	    0x000u
#define VTD_CAP	    0x008u
#define VTD_ECAP    0x010u
#define VTD_GCMD    0x018u
#define VTD_GSTS    0x01cu
#define VTD_RTADDR  0x020u
#define VTD_CCMD    0x028u
#define VTD_FSTS    0x034u
#define VTD_FECTL   0x038u
#define VTD_IQH	    0x080u
#define VTD_IQT	    0x088u
#define IQ_HT_MASK  0x7fff0u /* IQH.QH / IQT.QT: byte offset of a descriptor in the queue */
#define VTD_IQA	    0x090u
#define VTD_ICS	    0x09cu
#define VTD_IRTA    0x0b8u
#define VTD_IVA_OFF 0x0u /* from ECAP.IRO */
#define VTD_IOTLB_OFF 0x8u

/* VER_REG */
#define VER_MAX IOMM_GENMASK(7, 4)
#define VER_MIN IOMM_GENMASK(3, 0)

/* CAP_REG */
#define CAP_ND	   IOMM_GENMASK(2, 0)
#define CAP_RWBF   IOMM_BIT(4)
#define CAP_CM	   IOMM_BIT(7)
#define CAP_SAGAW  IOMM_GENMASK(12, 8)
/* SAGAW values the backend uses: bit 1 = 3 levels, 2 = 4 levels, 3 = 5 levels */
#define SAGAW_SUPPORTED 0xeu
#define CAP_MGAW   IOMM_GENMASK(21, 16)
#define CAP_FRO	   IOMM_GENMASK(33, 24) /* in units of CAP_OFF_UNIT bytes */
#define CAP_OFF_UNIT	   16u
#define CAP_SLLPS  IOMM_GENMASK(37, 34)
#define CAP_SLLPS_2M IOMM_BIT(34) /* second-stage 2 MiB pages */
#define CAP_SLLPS_1G IOMM_BIT(35) /* second-stage 1 GiB pages */
#define CAP_PSI	   IOMM_BIT(39)
#define CAP_NFR	   IOMM_GENMASK(47, 40)
#define CAP_MAMV   IOMM_GENMASK(53, 48)
#define CAP_FL1GP  IOMM_BIT(56)
#define CAP_FL5LP  IOMM_BIT(60)

/* ECAP_REG */
#define ECAP_C	   IOMM_BIT(0)
#define ECAP_QI	   IOMM_BIT(1)
#define ECAP_DT	   IOMM_BIT(2)
#define ECAP_IR	   IOMM_BIT(3)
#define ECAP_EIM   IOMM_BIT(4) /* extended interrupt mode: 32-bit destinations (x2APIC) */
#define ECAP_PT	   IOMM_BIT(6)
#define ECAP_SC	   IOMM_BIT(7)
#define ECAP_IRO   IOMM_GENMASK(17, 8)
#define ECAP_NEST  IOMM_BIT(26)
#define ECAP_PASID IOMM_BIT(40)
#define ECAP_SMTS  IOMM_BIT(43)
#define ECAP_SLTS  IOMM_BIT(46)
#define ECAP_FLTS  IOMM_BIT(47)
#define ECAP_SMPWC IOMM_BIT(48) /* scalable-mode paging-structure walks may snoop (PWSNP) */

/* GCMD_REG / GSTS_REG (same bit positions) */
#define GCMD_TE	  (1u << 31)
#define GCMD_SRTP (1u << 30)
#define GCMD_WBF  (1u << 27)
#define GCMD_QIE  (1u << 26)
#define GCMD_IRE  (1u << 25)
#define GCMD_SIRTP (1u << 24)
#define GCMD_CFI  (1u << 23)
/* Bits of GCMD that are states (kept in the shadow), not one-shot commands. */
#define GCMD_STATES (GCMD_TE | GCMD_QIE | GCMD_IRE | GCMD_CFI)
#define GSTS_TES  GCMD_TE
#define GSTS_RTPS GCMD_SRTP
#define GSTS_WBFS GCMD_WBF
#define GSTS_QIES GCMD_QIE
#define GSTS_IRES GCMD_IRE
#define GSTS_IRTPS GCMD_SIRTP
#define GSTS_CFIS GCMD_CFI

/* IRTA_REG: interrupt remapping table address (register descriptions, 11.4 / 10.4) */
#define IRTA_ADDR IOMM_GENMASK(63, 12)
#define IRTA_EIME IOMM_BIT(11)
#define IRTA_S	  IOMM_GENMASK(3, 0) /* 2^(S + 1) entries */
#define IRT_MAX_ENTRIES 65536u

/* RTADDR_REG */
#define RTADDR_RTA IOMM_GENMASK(63, 12)
#define RTADDR_SMT IOMM_BIT(10)

/* CCMD_REG */
#define CCMD_ICC     IOMM_BIT(63)
#define CCMD_CIRG    IOMM_GENMASK(62, 61)
#define CCMD_FM	     IOMM_GENMASK(33, 32)
#define CCMD_SID     IOMM_GENMASK(31, 16)
#define CCMD_DID     IOMM_GENMASK(15, 0)

/* CCMD.ICC and IOTLB.IVT (bit 63) seen through 32-bit accesses: bit 31 of
 * the register's upper 32-bit half */
#define REG64_HI_OFF  4u
#define REG64_BUSY_HI ((uint32_t)(CCMD_ICC >> 32))

/* IOTLB_REG and IVA_REG */
#define IOTLB_IVT  IOMM_BIT(63)
#define IOTLB_IIRG IOMM_GENMASK(61, 60)
#define IOTLB_DR   IOMM_BIT(49)
#define IOTLB_DW   IOMM_BIT(48)
#define IOTLB_DID  IOMM_GENMASK(47, 32)
#define IVA_ADDR   IOMM_GENMASK(63, 12)
#define IVA_IH	   IOMM_BIT(6)
#define IVA_AM	   IOMM_GENMASK(5, 0)

/* Invalidation granularities (CCMD.CIRG, IOTLB.IIRG and descriptor G fields) */
#define GRAN_GLOBAL 1u
#define GRAN_DOMAIN 2u
#define GRAN_DEVICE 3u /* context cache */
#define GRAN_PAGE   3u /* IOTLB */

/* FSTS_REG */
#define FSTS_PFO IOMM_BIT(0)
#define FSTS_PPF IOMM_BIT(1)
#define FSTS_IQE IOMM_BIT(4)
#define FSTS_ICE IOMM_BIT(5)
#define FSTS_ITE IOMM_BIT(6)
#define FSTS_FRI IOMM_GENMASK(15, 8)
#define FSTS_QI_ERRORS (FSTS_IQE | FSTS_ICE | FSTS_ITE)

/* IQA_REG */
#define IQA_ADDR IOMM_GENMASK(63, 12)
#define IQA_DW	 IOMM_BIT(11)
#define IQA_QS	 IOMM_GENMASK(2, 0)

/* ICS_REG */
#define ICS_IWC 1u

/* Fault recording register: 128 bits, rec[0] = bits 63:0, rec[1] = bits 127:64 */
#define FRCD_LO_FI   IOMM_GENMASK(63, 12)
#define FRCD_HI_SID  IOMM_GENMASK(15, 0)
#define FRCD_HI_T2   IOMM_BIT(28)
#define FRCD_HI_PRIV IOMM_BIT(29)
#define FRCD_HI_EXE  IOMM_BIT(30)
#define FRCD_HI_PP   IOMM_BIT(31)
#define FRCD_HI_FR   IOMM_GENMASK(39, 32)
#define FRCD_HI_PV   IOMM_GENMASK(59, 40)
#define FRCD_HI_T1   IOMM_BIT(62)
#define FRCD_HI_F    IOMM_BIT(63)
/* Interrupt-remapping faults (reasons 0x20-0x27) carry the interrupt index in FI[63:48]. */
#define FRCD_LO_IIDX IOMM_GENMASK(63, 48)
#define FR_IR_FIRST  0x20u
#define FR_IR_LAST   0x27u
#define FRCD_BYTES   16u
#define FRCD_HI_OFF  8u /* rec[1] within the record */
/* F seen through 32-bit accesses: bit 31 of the record's last 32-bit word */
#define FRCD_F_DW_OFF 12u
#define FRCD_F_DW     ((uint32_t)(FRCD_HI_F >> 32))

/* ---- invalidation descriptors (6.5.2); 128 or 256 bits ---- */
#define DESC_TYPE   IOMM_GENMASK(3, 0)
#define DESC_G	    IOMM_GENMASK(5, 4)
#define DESC_CC	    1u
#define DESC_IOTLB  2u
#define DESC_IEC    4u
#define DESC_WAIT   5u
#define DESC_PIOTLB 6u
#define DESC_PC	    7u
/* context-cache */
#define CC_DID IOMM_GENMASK(31, 16)
#define CC_SID IOMM_GENMASK(47, 32)
#define CC_FM  IOMM_GENMASK(49, 48)
/* IOTLB */
#define IOTLB_D_DR  IOMM_BIT(7)
#define IOTLB_D_DW  IOMM_BIT(6)
#define IOTLB_D_DID IOMM_GENMASK(31, 16)
#define INV_ADDR    IOMM_GENMASK(63, 12)
#define INV_IH	    IOMM_BIT(6)
#define INV_AM	    IOMM_GENMASK(5, 0)
/* PASID-based IOTLB and PASID cache */
#define P_DID	  IOMM_GENMASK(31, 16)
#define P_PASID	  IOMM_GENMASK(51, 32)
#define PIOTLB_G_PASID 2u
#define PIOTLB_G_PAGE  3u
#define PC_G_DOMAIN 0u
#define PC_G_PASID  1u
#define PC_G_GLOBAL 3u
/* interrupt entry cache (6.5.2.7) */
#define IEC_G	  IOMM_BIT(4) /* 0: global, 1: index-selective */
#define IEC_IM	  IOMM_GENMASK(31, 27)
#define IEC_IIDX  IOMM_GENMASK(47, 32)
/* wait */
#define WAIT_IF	    IOMM_BIT(4)
#define WAIT_SW	    IOMM_BIT(5)
#define WAIT_FN	    IOMM_BIT(6)
#define WAIT_DATA   IOMM_GENMASK(63, 32)
#define WAIT_ADDR   IOMM_GENMASK(63, 2)

/* ---- translation structures (chapter 9) ---- */
#define VTD_PAGE 4096u
/* legacy root entry (128 bits) */
#define RE_P	 IOMM_BIT(0)
#define RE_CTP	 IOMM_GENMASK(63, 12)
/* legacy context entry (128 bits) */
#define CE_P	 IOMM_BIT(0)
#define CE_FPD	 IOMM_BIT(1)
#define CE_TT	 IOMM_GENMASK(3, 2)
#define CE_SLPTP IOMM_GENMASK(63, 12)
#define CE1_AW	 IOMM_GENMASK(2, 0)
#define CE1_DID	 IOMM_GENMASK(23, 8)
#define TT_SL	 0u
#define TT_PT	 2u
/* scalable context entry (256 bits) */
#define SCE_P	  IOMM_BIT(0)
#define SCE_PDTS  IOMM_GENMASK(11, 9)
#define SCE_PDIR  IOMM_GENMASK(63, 12)
#define SCE1_RIDPASID IOMM_GENMASK(19, 0)
/* PASID directory entry (64 bits) */
#define PDE_P	IOMM_BIT(0)
#define PDE_PTP IOMM_GENMASK(63, 12)
/* PASID table entry (512 bits) */
#define PTE0_P	  IOMM_BIT(0)
#define PTE0_AW	  IOMM_GENMASK(4, 2)
#define PTE0_PGTT IOMM_GENMASK(8, 6)
#define PTE0_SSPT IOMM_GENMASK(63, 12)
#define PTE1_DID  IOMM_GENMASK(15, 0)
#define PTE1_PWSNP IOMM_BIT(23) /* bit 87: page-walk snoop */
#define PTE2_FSPM IOMM_GENMASK(3, 2)
#define PTE2_FSPT IOMM_GENMASK(63, 12)
#define PGTT_FS	  1u
#define PGTT_SS	  2u
#define PGTT_PT	  4u

/* interrupt remapping table entry, remapped format (9.10); 128 bits */
#define IRTE0_P	    IOMM_BIT(0)
#define IRTE0_FPD   IOMM_BIT(1)
#define IRTE0_DM    IOMM_BIT(2)  /* destination mode: 1 logical */
#define IRTE0_RH    IOMM_BIT(3)  /* redirection hint */
#define IRTE0_TM    IOMM_BIT(4)  /* trigger mode: 1 level */
#define IRTE0_DLM   IOMM_GENMASK(7, 5)
#define IRTE0_HELD  IOMM_BIT(8)  /* AVAIL bit (software's own): cleared, invalidation unconfirmed */
#define IRTE0_IM    IOMM_BIT(15) /* 1: posted format (not used) */
#define IRTE0_V	    IOMM_GENMASK(23, 16)
#define IRTE0_DST   IOMM_GENMASK(63, 32) /* x2APIC: 32-bit APIC ID */
#define IRTE0_DST_X IOMM_GENMASK(47, 40) /* xAPIC: 8-bit APIC ID in DST[15:8] */
#define IRTE1_SID   IOMM_GENMASK(15, 0)
#define IRTE1_SQ    IOMM_GENMASK(17, 16) /* SID bits ignored: 1 bit 2, 2 bits 2:1, 3 bits 2:0 */
#define IRTE1_SVT   IOMM_GENMASK(19, 18)
#define SVT_NONE    0u
#define SVT_SID	    1u /* requester ID with SQ */
#define SVT_BUS	    2u /* bus of the requester in SID[15:8]..SID[7:0] */
#define IRTE_WORDS  2u

/* MSI address in remappable format (5.1.5) */
#define MSI_ADDR_BASE	   0xfee00000u
#define MSI_ADDR_HANDLE_LO IOMM_GENMASK(19, 5) /* handle[14:0] */
#define MSI_ADDR_IF	   IOMM_BIT(4)	       /* 1: remappable format */
#define MSI_ADDR_SHV	   IOMM_BIT(3)	       /* subhandle valid (not used) */
#define MSI_ADDR_HANDLE_HI IOMM_BIT(2)	       /* handle[15] */

#define LEGACY_RE_WORDS 2u
#define LEGACY_CE_WORDS 2u
#define SM_CE_WORDS	4u
#define PASID_E_WORDS	8u

/* Documented sizes of the in-memory structures, in bytes. */
_Static_assert(LEGACY_RE_WORDS * 8u * 256u == VTD_PAGE, "root table is one page");
_Static_assert(LEGACY_CE_WORDS * 8u * 256u == VTD_PAGE, "legacy context table is one page");
_Static_assert(SM_CE_WORDS * 8u * 128u == VTD_PAGE, "scalable context table half is one page");
_Static_assert(PASID_E_WORDS * 8u * 64u == VTD_PAGE, "PASID table is one page");
_Static_assert(IRTE_WORDS * 8u == 16u, "an interrupt remapping table entry is 128 bits");

#endif /* VTD_REGS_H */
