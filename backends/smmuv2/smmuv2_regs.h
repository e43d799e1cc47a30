/* SPDX-License-Identifier: BSD-3-Clause */
/* SMMUv2 register layouts (Arm IHI 0062, chapter 10), as masks. */
#ifndef IOMM_SMMUV2_REGS_H
#define IOMM_SMMUV2_REGS_H

#include "iomm_internal.h"

/* ---- global register space 0 (page 0) ---- */
#define GR0_SCR0	     0x000u
#define SCR0_CLIENTPD	     IOMM_BIT(0)
#define SCR0_GFRE	     IOMM_BIT(1)
#define SCR0_GFIE	     IOMM_BIT(2)
#define SCR0_EXIDENABLE	     IOMM_BIT(3)
#define SCR0_GCFGFRE	     IOMM_BIT(4)
#define SCR0_GCFGFIE	     IOMM_BIT(5)
#define SCR0_USFCFG	     IOMM_BIT(10)
#define SCR0_VMIDPNE	     IOMM_BIT(11)
#define SCR0_PTM	     IOMM_BIT(12)
#define SCR0_FB		     IOMM_BIT(13)
#define SCR0_BSU	     IOMM_GENMASK(15, 14)
#define SCR0_VMID16EN	     IOMM_BIT(31)
#define GR0_SACR	     0x010u
#define GR0_ID0		     0x020u
#define ID0_NUMSMRG	     IOMM_GENMASK(7, 0)
#define ID0_EXIDS	     IOMM_BIT(8)
#define ID0_NUMSIDB	     IOMM_GENMASK(12, 9)
#define ID0_BTM		     IOMM_BIT(13)
#define ID0_CTTW	     IOMM_BIT(14)
#define ID0_NUMIRPT	     IOMM_GENMASK(23, 16)
#define ID0_PTFS	     IOMM_GENMASK(25, 24)
#define ID0_ATOSNS	     IOMM_BIT(26)
#define ID0_SMS		     IOMM_BIT(27)
#define ID0_NTS		     IOMM_BIT(28)
#define ID0_S2TS	     IOMM_BIT(29)
#define ID0_S1TS	     IOMM_BIT(30)
#define GR0_ID1		     0x024u
#define ID1_NUMCB	     IOMM_GENMASK(7, 0)
#define ID1_NUMS2CB	     IOMM_GENMASK(23, 16)
#define ID1_NUMPAGENDXB	     IOMM_GENMASK(30, 28)
#define ID1_PAGESIZE	     IOMM_BIT(31)
#define GR0_ID2		     0x028u
#define ID2_IAS		     IOMM_GENMASK(3, 0)
#define ID2_OAS		     IOMM_GENMASK(7, 4)
#define ID2_UBS		     IOMM_GENMASK(11, 8)
#define ID2_PTFS_4K	     IOMM_BIT(12)
#define ID2_PTFS_16K	     IOMM_BIT(13)
#define ID2_PTFS_64K	     IOMM_BIT(14)
#define GR0_ID7		     0x03cu
#define ID7_MINOR	     IOMM_GENMASK(3, 0)
#define ID7_MAJOR	     IOMM_GENMASK(7, 4)
#define GR0_SGFAR	     0x040u /* 64-bit */
#define GR0_SGFSR	     0x048u
#define GFSR_ICF	     IOMM_BIT(0)
#define GFSR_USF	     IOMM_BIT(1)
#define GFSR_SMCF	     IOMM_BIT(2)
#define GFSR_UCBF	     IOMM_BIT(3)
#define GFSR_UCIF	     IOMM_BIT(4)
#define GFSR_CAF	     IOMM_BIT(5)
#define GFSR_EF		     IOMM_BIT(6)
#define GFSR_PF		     IOMM_BIT(7)
#define GFSR_UUT	     IOMM_BIT(8)
#define GFSR_MULTI	     IOMM_BIT(31)
#define GFSR_FAULTS	     (IOMM_GENMASK(8, 0) | GFSR_MULTI)
#define GR0_SGFSYNR0	     0x050u
#define GFSYNR0_NESTED	     IOMM_BIT(0)
#define GFSYNR0_WNR	     IOMM_BIT(1)
#define GFSYNR0_PNU	     IOMM_BIT(2)
#define GFSYNR0_IND	     IOMM_BIT(3)
#define GR0_SGFSYNR1	     0x054u
#define GFSYNR1_SID	     IOMM_GENMASK(15, 0)
#define GR0_TLBIVMID	     0x064u
#define GR0_TLBIALLNSNH	     0x068u
#define GR0_STLBGSYNC	     0x070u
#define GR0_STLBGSTATUS	     0x074u
#define TLBGSTATUS_GSACTIVE  IOMM_BIT(0)
#define GR0_SMR(n)	     (0x800u + 4u * (n))
#define SMR_VALID	     IOMM_BIT(31)
#define SMR_MASK	     IOMM_GENMASK(30, 16)
#define SMR_ID		     IOMM_GENMASK(14, 0)
#define GR0_S2CR(n)	     (0xc00u + 4u * (n))
#define S2CR_CBNDX	     IOMM_GENMASK(7, 0)
#define S2CR_TYPE	     IOMM_GENMASK(17, 16)
#define S2CR_TYPE_TRANS	     0u
#define S2CR_TYPE_BYPASS     1u
#define S2CR_TYPE_FAULT	     2u
#define GR0_PIDR0	     0xfe0u
#define GR0_PIDR1	     0xfe4u

/* ---- global register space 1 (page 1) ---- */
#define GR1_CBAR(n)	     (0x000u + 4u * (n))
#define CBAR_VMID	     IOMM_GENMASK(7, 0)
#define CBAR_CBNDX	     IOMM_GENMASK(15, 8) /* type 3: the stage-2 bank */
#define CBAR_TYPE	     IOMM_GENMASK(17, 16)
/* Stage 1 with stage 2 bypass (type 1): the attributes that stand in for stage 2 */
#define CBAR_BPSHCFG	     IOMM_GENMASK(9, 8)
#define CBAR_BPSHCFG_NSH     3u /* non-shareable: the weakest, stage 1's wins */
#define CBAR_MEMATTR	     IOMM_GENMASK(15, 12)
#define CBAR_MEMATTR_WB	     0xfu /* outer and inner write-back: stage 1's type wins */
#define CBAR_TYPE_S2	     0u
#define CBAR_TYPE_S1_BYPASS  1u
#define CBAR_TYPE_S1_FAULT   2u
#define CBAR_TYPE_NESTED     3u
#define GR1_CBFRSYNRA(n)     (0x400u + 4u * (n))
#define GR1_CBA2R(n)	     (0x800u + 4u * (n))
#define CBA2R_VA64	     IOMM_BIT(0)

/* ---- translation context bank (page NUMPAGE + n) ---- */
#define CB_SCTLR	     0x000u
#define SCTLR_M		     IOMM_BIT(0)
#define SCTLR_TRE	     IOMM_BIT(1)
#define SCTLR_AFE	     IOMM_BIT(2)
#define SCTLR_CFRE	     IOMM_BIT(5)
#define SCTLR_CFIE	     IOMM_BIT(6)
#define SCTLR_ASIDPNE	     IOMM_BIT(12)
#define CB_ACTLR	     0x004u
#define CB_TCR2		     0x010u
#define TCR2_PASIZE	     IOMM_GENMASK(2, 0)
#define TCR2_SEP	     IOMM_GENMASK(17, 15)
#define TCR2_SEP_UPSTREAM    7u
#define CB_TTBR0	     0x020u /* 64-bit */
#define TTBR_ASID	     IOMM_GENMASK(63, 48)
#define CB_TCR		     0x030u
#define TCR_T0SZ	     IOMM_GENMASK(5, 0)
#define TCR_SL0		     IOMM_GENMASK(7, 6) /* stage 2 */
#define TCR_IRGN0	     IOMM_GENMASK(9, 8)
#define TCR_ORGN0	     IOMM_GENMASK(11, 10)
#define TCR_SH0		     IOMM_GENMASK(13, 12)
#define TCR_TG0		     IOMM_GENMASK(15, 14)
#define TCR_PS		     IOMM_GENMASK(18, 16) /* stage 2 */
#define TCR_EPD1	     IOMM_BIT(23)	  /* stage 1 */
#define TCR_S2_RES1	     IOMM_BIT(31)
#define CB_MAIR0	     0x038u
#define CB_MAIR1	     0x03cu
#define CB_FSR		     0x058u
#define FSR_TF		     IOMM_BIT(1)
#define FSR_AFF		     IOMM_BIT(2)
#define FSR_PF		     IOMM_BIT(3)
#define FSR_EF		     IOMM_BIT(4)
#define FSR_TLBMCF	     IOMM_BIT(5)
#define FSR_TLBLKF	     IOMM_BIT(6)
#define FSR_ASF		     IOMM_BIT(7)
#define FSR_UUT		     IOMM_BIT(8)
#define FSR_SS		     IOMM_BIT(30)
#define FSR_MULTI	     IOMM_BIT(31)
#define FSR_FAULTS	     (IOMM_GENMASK(8, 1) | FSR_SS | FSR_MULTI)
#define CB_FAR		     0x060u /* 64-bit */
#define CB_FSYNR0	     0x068u
#define FSYNR0_S1PTWF	     IOMM_BIT(3)
#define FSYNR0_WNR	     IOMM_BIT(4)
#define FSYNR0_PNU	     IOMM_BIT(5)
#define FSYNR0_IND	     IOMM_BIT(6)
#define CB_TLBIVA	     0x600u /* 64-bit: VA[55:12] in [43:0], ASID in [63:48] */
#define CB_TLBIASID	     0x610u
#define CB_TLBIVAL	     0x620u
#define CB_TLBIIPAS2	     0x630u /* 64-bit: IPA[47:12] in [35:0] */
#define CB_TLBIIPAS2L	     0x638u
#define TLBI_ADDR	     IOMM_GENMASK(43, 0)
#define CB_TLBSYNC	     0x7f0u
#define CB_TLBSTATUS	     0x7f4u
#define TLBSTATUS_SACTIVE    IOMM_BIT(0)

/* ---- MMU-500 implementation-defined registers (MMU-500 TRM, 3.5.1, 3.7.1) ---- */
#define MMU500_ACR_SMTNMB_TLBEN IOMM_BIT(8)
#define MMU500_ACR_S2CRB_TLBEN	IOMM_BIT(10)
#define MMU500_ACR_CACHE_LOCK	IOMM_BIT(26)
#define MMU500_ACTLR_CPRE	IOMM_BIT(1)

#endif /* IOMM_SMMUV2_REGS_H */
