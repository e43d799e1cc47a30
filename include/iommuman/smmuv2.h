/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file smmuv2.h
 * @brief Arm SMMUv2 backend (Arm IHI 0062; CoreLink MMU-400, MMU-401, MMU-500).
 * @ingroup smmuv2
 */
#ifndef IOMMUMAN_SMMUV2_H
#define IOMMUMAN_SMMUV2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommu.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup smmuv2 SMMUv2 backend
 * @{
 * iomm_smmuv2_init() probes the ID registers, puts every stream mapping
 * group and every context bank into a safe state (SMRs invalid, S2CRs
 * fault, banks disabled), applies the MMU-500 auxiliary settings when the
 * SMMU is an MMU-500, invalidates the TLBs and enables client access with
 * unmatched streams faulting (sCR0.USFCFG = 1). From then on the unit is
 * driven through the generic API of iommu.h:
 *
 * - a translating domain owns one context bank: stage 1 (CBAR type 1,
 *   AArch64 tables), stage 2 (type 0) or nested (type 3, chained to the
 *   bank of its stage-2 parent);
 * - a device owns one stream match register (its stream ID and don't-care
 *   mask) and the S2CR beside it (translate, bypass or fault), or, on an
 *   SMMU that indexes S2CRs by stream ID, the S2CRs of its stream IDs;
 * - an unmap becomes TLBIVA/TLBIVAL or TLBIIPAS2/TLBIIPAS2L writes (or one
 *   TLBIASID/TLBIVMID above a threshold) and exactly one TLB sync;
 * - iomm_fault_poll() drains the global and the per-bank fault registers.
 */

/** @name Feature bits found at probe (iomm_smmuv2::features)
 * @{ */
#define IOMM_SMMUV2_F_S1      (1u << 0)  /**< Stage 1 (ID0.S1TS). */
#define IOMM_SMMUV2_F_S2      (1u << 1)  /**< Stage 2 (ID0.S2TS). */
#define IOMM_SMMUV2_F_NESTED  (1u << 2)  /**< Nested stage 1 + 2 (ID0.NTS). */
#define IOMM_SMMUV2_F_SMS     (1u << 3)  /**< Stream matching (ID0.SMS); otherwise indexing. */
#define IOMM_SMMUV2_F_CTTW    (1u << 4)  /**< Coherent table walks (ID0.CTTW). */
#define IOMM_SMMUV2_F_BTM     (1u << 5)  /**< Broadcast TLB maintenance (ID0.BTM, reported only). */
#define IOMM_SMMUV2_F_ATOS    (1u << 6)  /**< Address translation operations (ID0.ATOSNS clear). */
#define IOMM_SMMUV2_F_AARCH64 (1u << 7)  /**< AArch64 tables (ID2.PTFSv8_*). */
#define IOMM_SMMUV2_F_MMU500  (1u << 8)  /**< The SMMU is an Arm CoreLink MMU-500. */
/** @} */

/** @name Configuration flags (iomm_smmuv2_cfg::flags)
 * @{ */
/**
 * Treat the SMMU as an MMU-500 even if its peripheral ID does not say so
 * (firmware said so: a devicetree "arm,mmu-500" compatible or an IORT model).
 */
#define IOMM_SMMUV2_CFG_MMU500 (1u << 0)
/** @} */

/** Part number of the MMU-500 in its peripheral ID registers (PIDR1[3:0], PIDR0[7:0]). */
#define IOMM_SMMUV2_PART_MMU500 0x481u

/** @brief Tuning of the backend. Zeroed fields mean the defaults. */
struct iomm_smmuv2_cfg {
	uint32_t flags;		/**< IOMM_SMMUV2_CFG_* flags. */
	uint64_t timeout_ns;	/**< Bound on every TLB sync; 0: 100 ms. */
	uint32_t inv_threshold; /**< More TLBI writes than this become one TLBIASID/TLBIVMID;
				     0: 32. */
};

/** @brief Counters of the register operations the backend performed. */
struct iomm_smmuv2_stats {
	uint64_t tlbiva;	/**< CB_TLBIVA writes (stage 1, leaf and table entries). */
	uint64_t tlbival;	/**< CB_TLBIVAL writes (stage 1, leaf entries only). */
	uint64_t tlbiasid;	/**< CB_TLBIASID writes. */
	uint64_t tlbiipas2;	/**< CB_TLBIIPAS2 writes (stage 2, leaf and table entries). */
	uint64_t tlbiipas2l;	/**< CB_TLBIIPAS2L writes (stage 2, leaf entries only). */
	uint64_t tlbivmid;	/**< TLBIVMID writes (global). */
	uint64_t tlbiallnsnh;	/**< TLBIALLNSNH writes (global). */
	uint64_t syncs;		/**< Per-bank TLBSYNC operations. */
	uint64_t gsyncs;	/**< Global sTLBGSYNC operations. */
	uint64_t sync_timeouts; /**< Syncs that did not complete in time. */
	uint64_t faults;	/**< Context-bank faults delivered. */
	uint64_t gfaults;	/**< Global faults delivered. */
};

/** Most stream mapping groups (SMR/S2CR pairs) and context banks handled. */
#define IOMM_SMMUV2_MAX_SMR 128
/** Most context banks handled. */
#define IOMM_SMMUV2_MAX_CB 128

/** @brief An SMMUv2 instance. Caller-allocated; fields are private except as documented. */
struct iomm_smmuv2 {
	struct iomm_unit unit;		/**< Generic unit: pass &smmu->unit to the iommu.h API. */
	uint32_t features;		/**< IOMM_SMMUV2_F_* found at probe. */
	uint32_t id[8];			/**< Raw ID0..ID7. */
	uint32_t part;			/**< Part number from the peripheral ID registers. */
	uint16_t nsmr;			/**< Stream mapping groups (SMRs, or S2CRs when indexing). */
	uint16_t ncb;			/**< Context banks (ID1.NUMCB). */
	uint16_t ns2cb;			/**< Of which stage-2-only (ID1.NUMS2CB). */
	struct iomm_smmuv2_stats stats; /**< Counters. */
	/** @cond INTERNAL */
	struct iomm_smmuv2_cfg cfg;
	uint32_t pgshift;	/* register page size */
	uint32_t cb_base;	/* offset of context bank 0 */
	uint8_t s1_ias;		/* ID2.UBS: stage-1 input size */
	uint8_t ipa_bits;	/* ID2.IAS: stage-1 output, stage-2 input size */
	struct iomm_domain *cb_dom[IOMM_SMMUV2_MAX_CB];	 /* owner of each bank */
	const struct iomm_dev *owner[IOMM_SMMUV2_MAX_SMR]; /* owner of each SMR / S2CR */
	uint32_t smr[IOMM_SMMUV2_MAX_SMR];		 /* shadow of the SMRs written */
	uint16_t smr_mask;				 /* SMR.MASK bits implemented (probed) */
	/** @endcond */
};

/**
 * @brief Probe, reset and enable an SMMUv2. Every stream faults afterwards.
 *
 * @param smmu Backend object (caller-allocated).
 * @param port Port with MMIO hooks, now_ns and, for walks that are not
 *             coherent, clean_tables.
 * @param regs Virtual address of the register frame (global space 0 at offset 0).
 * @param cfg  Options; NULL for the defaults.
 *
 * @retval IOMM_OK        Enabled; every stream faults (sCR0.USFCFG = 1, S2CRs fault).
 * @retval IOMM_EINVAL    NULL or missing hook.
 * @retval IOMM_ENODEV    The registers do not describe an SMMUv2 with AArch64
 *                        tables, a stage, and stream mapping resources.
 * @retval IOMM_ETIMEDOUT The initial TLB invalidation did not complete.
 *
 * @par Context
 * Takes no lock (the unit is not shared until this returns); writes MMIO, polls
 * the hardware with iomm_port::now_ns/relax while it acknowledges each step,
 * May sleep only if those hooks (or log) can. Meant for initialisation, not for
 * interrupt handlers.
 */
int iomm_smmuv2_init(struct iomm_smmuv2 *smmu, const struct iomm_port *port, uintptr_t regs,
		     const struct iomm_smmuv2_cfg *cfg);

/**
 * @brief Raw fault registers, as iomm_smmuv2_decode_fault() takes them.
 *
 * For a context fault: CB_FSR, CB_FAR, CB_FSYNR0, the bank's GR1 CBFRSYNRA
 * and CBAR. For a global fault: sGFSR, sGFAR, sGFSYNR0 and sGFSYNR1.
 */
struct iomm_smmuv2_fault_regs {
	bool global;	 /**< true: sGFSR & co; false: a context bank's registers. */
	uint32_t fsr;	 /**< CB_FSR or sGFSR. */
	uint64_t far;	 /**< CB_FAR or sGFAR. */
	uint32_t fsynr0; /**< CB_FSYNR0 or sGFSYNR0. */
	uint32_t synr1;	 /**< CBFRSYNRA (bank) or sGFSYNR1 (global): the stream ID. */
	uint32_t cbar;	 /**< Bank only: its CBAR (the type says which stage faulted). */
};

/**
 * @brief Decode raw fault registers into the common fault record.
 *
 * Exposed for tools and fuzzing; iomm_fault_poll() uses it.
 *
 * @param regs  The registers.
 * @param fault Receives the decoded fault; fault->raw is the FSR value.
 * @retval IOMM_OK     Decoded (unknown syndromes become IOMM_FAULT_OTHER).
 * @retval IOMM_ENOENT The status register holds no fault: @p fault is zeroed.
 * @retval IOMM_EINVAL NULL argument.
 *
 * @par Context
 * Pure computation on its arguments: no lock, no hook. Never sleeps; any
 * context.
 */
int iomm_smmuv2_decode_fault(const struct iomm_smmuv2_fault_regs *regs, struct iomm_fault *fault);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* IOMMUMAN_SMMUV2_H */
