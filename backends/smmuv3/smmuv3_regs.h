/* SPDX-License-Identifier: BSD-3-Clause */
/* SMMUv3 register, structure and command layouts (Arm IHI 0070), as masks. */
#ifndef IOMM_SMMUV3_REGS_H
#define IOMM_SMMUV3_REGS_H

#include "iomm_internal.h"

/* ---- registers (page 0 unless noted) ---- */
#define SMMU_IDR0	      0x00
#define IDR0_S2P	      IOMM_BIT(0)
#define IDR0_S1P	      IOMM_BIT(1)
#define IDR0_TTF	      IOMM_GENMASK(3, 2)
#define IDR0_TTF_AARCH64      2u
#define IDR0_TTF_BOTH	      3u
#define IDR0_COHACC	      IOMM_BIT(4)
#define IDR0_BTM	      IOMM_BIT(5)
#define IDR0_HTTU	      IOMM_GENMASK(7, 6)
#define IDR0_HYP	      IOMM_BIT(9)
#define IDR0_ATS	      IOMM_BIT(10)
#define IDR0_ASID16	      IOMM_BIT(12)
#define IDR0_MSI	      IOMM_BIT(13)
#define IDR0_PRI	      IOMM_BIT(16)
#define IDR0_VMID16	      IOMM_BIT(18)
#define IDR0_STALL_MODEL      IOMM_GENMASK(25, 24)
#define IDR0_STALL_FORCE      2u
#define IDR0_ST_LEVEL	      IOMM_GENMASK(28, 27)
#define SMMU_IDR1	      0x04
#define IDR1_SIDSIZE	      IOMM_GENMASK(5, 0)
#define IDR1_SSIDSIZE	      IOMM_GENMASK(10, 6)
#define IDR1_EVTQS	      IOMM_GENMASK(20, 16)
#define IDR1_CMDQS	      IOMM_GENMASK(25, 21)
#define IDR1_REL	      IOMM_BIT(28)
#define IDR1_QUEUES_PRESET    IOMM_BIT(29)
#define IDR1_TABLES_PRESET    IOMM_BIT(30)
#define SMMU_IDR2	      0x08
#define SMMU_IDR3	      0x0c
#define IDR3_RIL	      IOMM_BIT(10)
#define IDR3_BBML	      IOMM_GENMASK(12, 11) /* 6.3.4: break-before-make level (v3.2) */
#define SMMU_IDR4	      0x10
#define SMMU_IDR5	      0x14
#define IDR5_OAS	      IOMM_GENMASK(2, 0)
#define IDR5_GRAN4K	      IOMM_BIT(4)
#define IDR5_GRAN16K	      IOMM_BIT(5)
#define IDR5_GRAN64K	      IOMM_BIT(6)
#define SMMU_IIDR	      0x18
#define SMMU_AIDR	      0x1c
#define SMMU_CR0	      0x20
#define CR0_SMMUEN	      IOMM_BIT(0)
#define CR0_EVTQEN	      IOMM_BIT(2)
#define CR0_CMDQEN	      IOMM_BIT(3)
#define SMMU_CR0ACK	      0x24
#define SMMU_CR1	      0x28
#define CR1_QUEUE_IC	      IOMM_GENMASK(1, 0)
#define CR1_QUEUE_OC	      IOMM_GENMASK(3, 2)
#define CR1_QUEUE_SH	      IOMM_GENMASK(5, 4)
#define CR1_TABLE_IC	      IOMM_GENMASK(7, 6)
#define CR1_TABLE_OC	      IOMM_GENMASK(9, 8)
#define CR1_TABLE_SH	      IOMM_GENMASK(11, 10)
#define CR1_CACHE_WB	      1u
#define CR1_SH_OSH	      2u /* what Normal Non-cacheable memory is */
#define CR1_SH_ISH	      3u
#define SMMU_CR2	      0x2c
#define CR2_E2H		      IOMM_BIT(0)
#define CR2_RECINVSID	      IOMM_BIT(1)
#define CR2_PTM		      IOMM_BIT(2)
#define SMMU_GBPA	      0x44
#define GBPA_ABORT	      IOMM_BIT(20)
#define GBPA_UPDATE	      IOMM_BIT(31)
#define SMMU_IRQ_CTRL	      0x50
#define SMMU_IRQ_CTRLACK      0x54
#define IRQ_CTRL_GERROR_IRQEN IOMM_BIT(0)
#define IRQ_CTRL_EVTQ_IRQEN   IOMM_BIT(2)
#define SMMU_GERROR_IRQ_CFG0  0x68
#define SMMU_EVTQ_IRQ_CFG0    0xb0
#define SMMU_PRIQ_IRQ_CFG0    0xd0
#define SMMU_GERROR	      0x60
#define SMMU_GERRORN	      0x64
#define GERROR_CMDQ_ERR	      IOMM_BIT(0)
#define GERROR_EVTQ_ABT	      IOMM_BIT(2)
#define GERROR_PRIQ_ABT	      IOMM_BIT(3)
#define GERROR_MSI_CMDQ_ABT   IOMM_BIT(4)
#define GERROR_MSI_EVTQ_ABT   IOMM_BIT(5)
#define GERROR_MSI_PRIQ_ABT   IOMM_BIT(6)
#define GERROR_MSI_GERROR_ABT IOMM_BIT(7)
#define GERROR_SFM_ERR	      IOMM_BIT(8)
#define GERROR_ALL	      0x1fdu
#define SMMU_STRTAB_BASE      0x80
#define STRTAB_BASE_RA	      IOMM_BIT(62)
#define STRTAB_BASE_ADDR      IOMM_GENMASK(51, 6)
#define SMMU_STRTAB_BASE_CFG  0x88
#define STRTAB_CFG_LOG2SIZE   IOMM_GENMASK(5, 0)
#define STRTAB_CFG_SPLIT      IOMM_GENMASK(10, 6)
#define STRTAB_CFG_FMT	      IOMM_GENMASK(17, 16)
#define STRTAB_FMT_LINEAR     0u
#define STRTAB_FMT_2LVL	      1u
#define SMMU_CMDQ_BASE	      0x90
#define SMMU_CMDQ_PROD	      0x98
#define SMMU_CMDQ_CONS	      0x9c
#define CMDQ_CONS_ERR	      IOMM_GENMASK(30, 24)
#define SMMU_EVTQ_BASE	      0xa0
#define Q_BASE_RWA	      IOMM_BIT(62)
#define Q_BASE_ADDR	      IOMM_GENMASK(51, 5)
#define Q_BASE_LOG2SIZE	      IOMM_GENMASK(4, 0)
#define SMMU_EVTQ_PROD	      0x100a8
#define SMMU_EVTQ_CONS	      0x100ac
#define EVTQ_OVFLG	      IOMM_BIT(31)

/* Command errors (CMDQ_CONS.ERR) */
#define CERROR_NONE	    0u
#define CERROR_ILL	    1u
#define CERROR_ABT	    2u
#define CERROR_ATC_INV_SYNC 3u

/* ---- entry sizes of the in-memory structures ---- */
#define CMDQ_ENT_WORDS 2u  /* a command: 2 words */
#define CMDQ_ENT_BYTES 16u
#define EVTQ_ENT_WORDS 4u  /* an event record: 4 words */
#define EVTQ_ENT_BYTES 32u
#define STE_BYTES      64u /* a stream table entry (STE_WORDS words) */
#define L1STD_BYTES    8u  /* a level-1 stream table descriptor */
#define QUEUE_MIN_BYTES 32u /* smallest queue accepted: two commands or one record */

/* ---- stream table entry: 8 little-endian words ---- */
#define STE_WORDS	   8
#define STE0_V		   IOMM_BIT(0)
#define STE0_CFG	   IOMM_GENMASK(3, 1)
#define STE_CFG_ABORT	   0u
#define STE_CFG_BYPASS	   4u
#define STE_CFG_S1	   5u
#define STE_CFG_S2	   6u
#define STE_CFG_NESTED	   7u
#define STE0_S1FMT	   IOMM_GENMASK(5, 4)
#define STE0_S1CTXPTR	   IOMM_GENMASK(51, 6)
#define STE0_S1CDMAX	   IOMM_GENMASK(63, 59)
#define STE1_S1DSS	   IOMM_GENMASK(1, 0)
#define STE1_S1CIR	   IOMM_GENMASK(3, 2)
#define STE1_S1COR	   IOMM_GENMASK(5, 4)
#define STE1_S1CSH	   IOMM_GENMASK(7, 6)
#define STE1_STRW	   IOMM_GENMASK(31, 30)
#define STE_STRW_NSEL1	   0u
#define STE_STRW_EL2	   2u
#define STE1_SHCFG	   IOMM_GENMASK(45, 44)
#define STE_SHCFG_INCOMING 1u
#define STE2_S2VMID	   IOMM_GENMASK(15, 0)
#define STE2_S2T0SZ	   IOMM_GENMASK(37, 32)
#define STE2_S2SL0	   IOMM_GENMASK(39, 38)
#define STE2_S2IR0	   IOMM_GENMASK(41, 40)
#define STE2_S2OR0	   IOMM_GENMASK(43, 42)
#define STE2_S2SH0	   IOMM_GENMASK(45, 44)
#define STE2_S2TG	   IOMM_GENMASK(47, 46)
#define STE2_S2PS	   IOMM_GENMASK(50, 48)
#define STE2_S2AA64	   IOMM_BIT(51)
#define STE2_S2PTW	   IOMM_BIT(54)
#define STE2_S2S	   IOMM_BIT(57)
#define STE2_S2R	   IOMM_BIT(58)
#define STE3_S2TTB	   IOMM_GENMASK(51, 4)

/* Level-1 stream table descriptor */
#define L1STD_SPAN  IOMM_GENMASK(4, 0)
#define L1STD_L2PTR IOMM_GENMASK(51, 6)

/* ---- context descriptor: 8 words ---- */
#define CD_WORDS  8
#define CD0_T0SZ  IOMM_GENMASK(5, 0)
#define CD0_TG0	  IOMM_GENMASK(7, 6)
#define CD0_IRGN0 IOMM_GENMASK(9, 8)
#define CD0_ORGN0 IOMM_GENMASK(11, 10)
#define CD0_SH0	  IOMM_GENMASK(13, 12)
#define CD0_EPD0  IOMM_BIT(14)
#define CD0_EPD1  IOMM_BIT(30)
#define CD0_V	  IOMM_BIT(31)
#define CD0_IPS	  IOMM_GENMASK(34, 32)
#define CD0_AA64  IOMM_BIT(41)
#define CD0_S	  IOMM_BIT(44)
#define CD0_R	  IOMM_BIT(45)
#define CD0_A	  IOMM_BIT(46)
#define CD0_ASET  IOMM_BIT(47)
#define CD0_ASID  IOMM_GENMASK(63, 48)
#define CD1_TTB0  IOMM_GENMASK(51, 4)

/* ---- commands: 2 words ---- */
#define CMD0_OP		   IOMM_GENMASK(7, 0)
#define CMD_PREFETCH_CFG   0x01u
#define CMD_CFGI_STE	   0x03u
#define CMD_CFGI_STE_RANGE 0x04u
#define CMD_CFGI_CD	   0x05u
#define CMD_CFGI_CD_ALL	   0x06u
#define CMD_TLBI_NH_ALL	   0x10u
#define CMD_TLBI_NH_ASID   0x11u
#define CMD_TLBI_NH_VA	   0x12u
#define CMD_TLBI_EL2_ALL   0x20u
#define CMD_TLBI_EL2_ASID  0x21u
#define CMD_TLBI_EL2_VA	   0x22u
#define CMD_TLBI_S12_VMALL 0x28u
#define CMD_TLBI_S2_IPA	   0x2au
#define CMD_TLBI_NSNH_ALL  0x30u
#define CMD_SYNC	   0x46u
#define CMD0_SID	   IOMM_GENMASK(63, 32)
#define CMD0_SSID	   IOMM_GENMASK(31, 12)
#define CMD1_LEAF	   IOMM_BIT(0)
#define CMD1_RANGE	   IOMM_GENMASK(4, 0)
#define CMD_RANGE_ALL	   31u /* CMD1_RANGE: 2^(31+1) stream IDs, all of them */
#define CMD0_TLBI_NUM	   IOMM_GENMASK(16, 12)
#define CMD0_TLBI_SCALE	   IOMM_GENMASK(24, 20)
#define CMD0_VMID	   IOMM_GENMASK(47, 32)
#define CMD0_ASID	   IOMM_GENMASK(63, 48)
#define CMD1_TLBI_TTL	   IOMM_GENMASK(9, 8)
#define CMD1_TLBI_TG	   IOMM_GENMASK(11, 10)
#define CMD_TLBI_TG_4K	   1u /* CMD1_TLBI_TG: translation granule */
#define CMD_TLBI_TG_16K	   2u
#define CMD_TLBI_TG_64K	   3u
#define CMD_TLBI_NUM_PEEL  0x1fu /* page-count bits one range command takes */
#define CMD1_TLBI_ADDR	   IOMM_GENMASK(63, 12)
#define CMD0_SYNC_CS	   IOMM_GENMASK(13, 12)
#define SYNC_CS_NONE	   0u

/* ---- event records: 4 words ---- */
#define EVT0_ID	   IOMM_GENMASK(7, 0)
#define EVT0_SSV   IOMM_BIT(11)
#define EVT0_SSID  IOMM_GENMASK(31, 12)
#define EVT0_SID   IOMM_GENMASK(63, 32)
#define EVT1_PNU   IOMM_BIT(33)
#define EVT1_IND   IOMM_BIT(34)
#define EVT1_RNW   IOMM_BIT(35)
#define EVT1_S2	   IOMM_BIT(39)
#define EVT1_CLASS IOMM_GENMASK(41, 40)
#define EVT3_IPA   IOMM_GENMASK(51, 12)

#define EVT_F_UUT	       0x01u
#define EVT_C_BAD_STREAMID     0x02u
#define EVT_F_STE_FETCH	       0x03u
#define EVT_C_BAD_STE	       0x04u
#define EVT_F_BAD_ATS_TREQ     0x05u
#define EVT_F_STREAM_DISABLED  0x06u
#define EVT_F_TRANSL_FORBIDDEN 0x07u
#define EVT_C_BAD_SUBSTREAMID  0x08u
#define EVT_F_CD_FETCH	       0x09u
#define EVT_C_BAD_CD	       0x0au
#define EVT_F_WALK_EABT	       0x0bu
#define EVT_F_TRANSLATION      0x10u
#define EVT_F_ADDR_SIZE	       0x11u
#define EVT_F_ACCESS	       0x12u
#define EVT_F_PERMISSION       0x13u
#define EVT_F_TLB_CONFLICT     0x20u
#define EVT_F_CFG_CONFLICT     0x21u
#define EVT_E_PAGE_REQUEST     0x24u
#define EVT_F_VMS_FETCH	       0x25u

#endif /* IOMM_SMMUV3_REGS_H */
