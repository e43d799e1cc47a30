/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file smmuv3.h
 * @brief Arm SMMUv3 backend (Arm IHI 0070).
 * @ingroup smmuv3
 */
#ifndef IOMMUMAN_SMMUV3_H
#define IOMMUMAN_SMMUV3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommu.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup smmuv3 SMMUv3 backend
 * @{
 * iomm_smmuv3_init() probes the ID registers, forces global bypass to abort,
 * sets up the stream table (every stream aborts), the command and event
 * queues in caller memory, invalidates everything and enables translation.
 * From then on the unit is driven through the generic API of iommu.h:
 * domains become context descriptors (stage 1) or stream-table stage-2
 * fields, devices become stream table entries, unmaps become batched TLBI
 * commands with exactly one CMD_SYNC, and iomm_fault_poll() drains the
 * event queue.
 */

/** @name Feature bits found at probe (iomm_smmuv3::features)
 * @{ */
#define IOMM_SMMUV3_F_S1      (1u << 0)	 /**< Stage 1 (IDR0.S1P). */
#define IOMM_SMMUV3_F_S2      (1u << 1)	 /**< Stage 2 (IDR0.S2P). */
#define IOMM_SMMUV3_F_2LVL    (1u << 2)	 /**< 2-level stream tables (IDR0.ST_LEVEL). */
#define IOMM_SMMUV3_F_COHACC  (1u << 3)	 /**< Coherent table and queue access (IDR0.COHACC). */
#define IOMM_SMMUV3_F_RIL     (1u << 4)	 /**< Range invalidation (IDR3.RIL). */
#define IOMM_SMMUV3_F_ASID16  (1u << 5)	 /**< 16-bit ASIDs. */
#define IOMM_SMMUV3_F_VMID16  (1u << 6)	 /**< 16-bit VMIDs. */
#define IOMM_SMMUV3_F_HYP     (1u << 7)	 /**< EL2 stream world (IDR0.HYP). */
#define IOMM_SMMUV3_F_BTM     (1u << 8)	 /**< Broadcast TLB maintenance. */
#define IOMM_SMMUV3_F_MSI     (1u << 9)	 /**< MSIs (reported only). */
#define IOMM_SMMUV3_F_ATS     (1u << 10) /**< ATS (reported only). */
#define IOMM_SMMUV3_F_PRI     (1u << 11) /**< PRI (reported only). */
#define IOMM_SMMUV3_F_HTTU    (1u << 12) /**< Hardware access/dirty flag updates (reported only). */
#define IOMM_SMMUV3_F_AARCH64 (1u << 13) /**< AArch64 translation tables (IDR0.TTF). */
#define IOMM_SMMUV3_F_STALL_FORCE (1u << 14) /**< Stalls forced (IDR0.STALL_MODEL 0b10): CD.S and
						STE.S2S are set. */
#define IOMM_SMMUV3_F_BBML1 (1u << 15) /**< Break-before-make level 1 (IDR3.BBML 0b01): reported
					   only. */
#define IOMM_SMMUV3_F_BBML2 (1u << 16) /**< Break-before-make level 2 (IDR3.BBML 0b10): reported
					   only. */
/** @} */

/** @name Configuration flags (iomm_smmuv3_cfg::flags)
 * @{ */
/** Use a 2-level stream table (level-2 spans come from the pool when first needed). */
#define IOMM_SMMUV3_CFG_2LVL (1u << 0)
/** Stage-1 domains run in the EL2 (E2H) translation regime: STRW=EL2, TLBI_EL2_*. Needs HYP. */
#define IOMM_SMMUV3_CFG_EL2 (1u << 1)
/** Enable the wired event queue and global error interrupts (IRQ_CTRL.EVTQ_IRQEN and
 *  GERROR_IRQEN). Off by default: iomm_fault_poll() polls. Either way, interrupts left
 *  on by firmware are turned off and MSI addresses cleared first. */
#define IOMM_SMMUV3_CFG_IRQ (1u << 2)
/** @} */

/** @brief Memory the caller hands to the SMMU (physical addresses as the SMMU sees them). */
struct iomm_smmuv3_mem {
	void *strtab;	    /**< Linear stream table, or level-1 table when 2-level. */
	uint64_t strtab_pa; /**< Its physical address (aligned to its size, at least 64 bytes). */
	size_t strtab_size; /**< Bytes: 64 per stream (linear) or 8 per span (2-level). */
	void *cmdq;	    /**< Command queue (16 bytes per command), aligned to its size. */
	uint64_t cmdq_pa;   /**< Its physical address. */
	size_t cmdq_size;   /**< Bytes, a power of two, at least 32. */
	void *evtq;	    /**< Event queue (32 bytes per record), aligned to its size. */
	uint64_t evtq_pa;   /**< Its physical address. */
	size_t evtq_size;   /**< Bytes, a power of two, at least 32. */
};

/** @brief Tuning of the backend. Zeroed fields mean the defaults. */
struct iomm_smmuv3_cfg {
	uint32_t flags;	  /**< IOMM_SMMUV3_CFG_* flags. */
	uint8_t sid_bits; /**< Stream IDs covered; 0: as many as the stream table memory holds. */
	uint64_t timeout_ns;	/**< Bound on every hardware wait; 0: 100 ms. */
	uint32_t inv_threshold; /**< More TLBI commands than this become one ASID/VMID-wide command;
				   0: 32. */
};

/** @brief Counters of what the backend asked the hardware to do. */
struct iomm_smmuv3_stats {
	uint64_t cmds;	     /**< Commands written to the queue. */
	uint64_t syncs;	     /**< CMD_SYNCs among them. */
	uint64_t tlbi;	     /**< TLB invalidation commands among them. */
	uint64_t cfgi;	     /**< Configuration invalidation commands among them. */
	uint64_t cmd_errors; /**< Command errors the hardware reported (GERROR.CMDQ_ERR). */
	uint64_t events;     /**< Event records consumed. */
	uint64_t overflows;  /**< Event queue overflows seen. */
};

/** @brief An SMMUv3 instance. Caller-allocated; fields are private except as documented. */
struct iomm_smmuv3 {
	struct iomm_unit unit;		/**< Generic unit: pass &smmu->unit to the iommu.h API. */
	uint32_t features;		/**< IOMM_SMMUV3_F_* found at probe. */
	uint32_t idr[6];		/**< Raw IDR0..IDR5. */
	uint32_t iidr;			/**< Raw IIDR. */
	uint32_t aidr;			/**< Raw AIDR. */
	struct iomm_smmuv3_stats stats; /**< Counters. */
	/** @cond INTERNAL */
	struct iomm_smmuv3_cfg cfg;
	struct iomm_smmuv3_mem mem;
	struct iomm_pool *pool; /* level-2 stream table spans */
	uint8_t sid_bits, split, cmdq_shift, evtq_shift;
	uint8_t asid_bits, vmid_bits, oas_enc;
	uint32_t quirks; /* errata workarounds, by IIDR */
	uint32_t cmdq_prod;	     /* shadow of CMDQ_PROD */
	uint32_t evtq_cons;	     /* shadow of EVTQ_CONS */
	uint32_t next_asid, next_vmid;
	bool enabled;
	/** @endcond */
};

/**
 * @brief Probe, reset and enable an SMMUv3. Every stream aborts afterwards.
 *
 * @param smmu Backend object (caller-allocated).
 * @param port Port with MMIO hooks, now_ns and, for non-coherent SMMUs,
 *             clean_tables.
 * @param regs Virtual address of the register frame (page 0; page 1 at +64 KiB).
 * @param mem  Stream table and queue memory.
 * @param pool Pool for level-2 stream-table spans (may be NULL for a linear table).
 * @param cfg  Options; NULL for the defaults.
 *
 * @retval IOMM_OK        Enabled; every stream aborts.
 * @retval IOMM_EINVAL    NULL or missing hook, misaligned or too small memory.
 * @retval IOMM_ENODEV    The registers do not look like an SMMUv3 with AArch64 tables.
 * @retval IOMM_ENOTSUP   2-level table or EL2 regime asked for but absent, or an
 *                        embedded SMMU whose tables or queues are preset by
 *                        firmware (IDR1.TABLES_PRESET, QUEUES_PRESET, REL): refused
 *                        before any register is written.
 * @retval IOMM_ETIMEDOUT The SMMU did not acknowledge a register update.
 * @retval IOMM_EIO       The SMMU reported a command error during reset.
 *
 * @par Context
 * Takes no lock (the unit is not shared until this returns); writes MMIO, polls
 * the hardware with iomm_port::now_ns/relax while it acknowledges each step,
 * and takes stream-table pages from @p pool (pool's lock, page_alloc for a port
 * pool) when two-level stream tables are configured. May sleep only if those
 * hooks (or log) can. Meant for initialisation, not for interrupt handlers.
 */
int iomm_smmuv3_init(struct iomm_smmuv3 *smmu, const struct iomm_port *port, uintptr_t regs,
		     const struct iomm_smmuv3_mem *mem, struct iomm_pool *pool,
		     const struct iomm_smmuv3_cfg *cfg);

/**
 * @brief Disable translation and put global bypass back to abort.
 *
 * Streams then abort (GBPA.ABORT) until iomm_smmuv3_init() runs again.
 *
 * @param smmu The SMMU.
 * @retval IOMM_OK        Disabled.
 * @retval IOMM_EINVAL    NULL or never initialised.
 * @retval IOMM_ETIMEDOUT The SMMU did not acknowledge.
 *
 * @par Context
 * Takes no lock: nothing else may use the unit during or after the call. Writes
 * MMIO and polls for the acknowledgement with now_ns/relax. May sleep only if
 * those hooks can; callable from a shutdown or crash path, not meant for
 * interrupt handlers in normal operation.
 */
int iomm_smmuv3_disable(struct iomm_smmuv3 *smmu);

/**
 * @brief Decode one 32-byte event record into the common fault record.
 *
 * Exposed for tools and fuzzing; iomm_fault_poll() uses it.
 *
 * @param rec   Four little-endian 64-bit words as the SMMU wrote them.
 * @param fault Receives the decoded fault.
 * @retval IOMM_OK     Decoded (unknown event types become IOMM_FAULT_OTHER).
 * @retval IOMM_EINVAL NULL argument.
 *
 * @par Context
 * Pure computation on its arguments: no lock, no hook. Never sleeps; any
 * context.
 */
int iomm_smmuv3_decode_event(const uint64_t rec[4], struct iomm_fault *fault);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* IOMMUMAN_SMMUV3_H */
