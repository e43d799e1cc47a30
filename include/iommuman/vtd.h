/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vtd.h
 * @brief Intel VT-d backend (Intel Virtualization Technology for Directed I/O).
 * @ingroup vtd
 */
#ifndef IOMMUMAN_VTD_H
#define IOMMUMAN_VTD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommu.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup vtd VT-d backend
 * @{
 * iomm_vtd_init() probes CAP and ECAP, installs an empty root table (every
 * source ID blocked; under live translation if firmware left it on in the
 * same table mode, so nothing passes untranslated meanwhile), sets up
 * queued invalidation when the unit has it, invalidates the context cache
 * and the IOTLB globally and enables translation. From then on the unit is
 * driven through the generic API of iommu.h:
 *
 * - **Legacy mode** (the default): root table, one context table per bus
 *   (pages from the pool), second-level tables (::IOMM_FMT_VTD_SL) for both
 *   ::IOMM_DOMAIN_S1 and ::IOMM_DOMAIN_S2 domains, pass-through contexts for
 *   ::IOMM_DOMAIN_BYPASS when ECAP.PT is set.
 * - **Scalable mode** (::IOMM_VTD_CFG_SCALABLE, needs ECAP.SMTS): scalable
 *   root and context entries, a PASID directory and PASID table per device
 *   (two pool pages, RID_PASID 0). ::IOMM_DOMAIN_S1 domains use first-stage
 *   x86-64 tables (::IOMM_FMT_X86_FL) when ECAP.FLTS is set, second-stage
 *   tables otherwise; ::IOMM_DOMAIN_S2 domains need ECAP.SLTS.
 *
 * Device identities are PCI requester IDs (source ID = bus << 8 | devfn);
 * IOMM_PCI() wildcards cover every function, device or bus they name.
 * iomm_attach() returns ::IOMM_ERANGE for a device on a bus outside
 * iomm_vtd_cfg::bus_first .. bus_last (nothing changed). Domain IDs are
 * handed out from iomm_vtd_cfg::did_first upwards (::IOMM_ENOSPC when
 * did_count are in use).
 *
 * Invalidation uses the invalidation queue when ECAP.QI is set and an
 * invalidation queue was given (unless ::IOMM_VTD_CFG_REGINV), otherwise the
 * context-command and IOTLB registers. An unmap becomes the fewest
 * page-selective IOTLB invalidations (or one domain-selective one) followed
 * by one wait descriptor. On caching-mode hardware (CAP.CM) maps are
 * invalidated too. iomm_fault_poll() drains the fault recording registers;
 * when FSTS.PFO (primary fault overflow) was set, the first fault that poll
 * delivers carries iomm_fault::lost = 1 (at least one record was lost), or,
 * with no record pending, one extra fault with reason ::IOMM_FAULT_OTHER,
 * raw 0 and lost 1 is delivered.
 *
 * With an interrupt remapping table (iomm_vtd_mem::irt; ECAP.IR and the
 * queue required) init also enables interrupt remapping with compatibility
 * format blocked, and the unit serves iomm_irq_alloc() / iomm_irq_update() /
 * iomm_irq_free(): remapped-format entries with source validation, each
 * change invalidated in the interrupt entry cache. Posted interrupts are not
 * used. See docs/vtd.md.
 *
 * The unit's output address size is CAP.MGAW capped at 52 bits. A domain's
 * input defaults to at most 48 bits; a 5-level second-stage table (ias
 * 49..57, where SAGAW allows) takes an explicit iomm_domain_cfg::ias, for
 * ::IOMM_DOMAIN_S2 as for ::IOMM_DOMAIN_S1 on second-stage tables.
 */

/** @name Feature bits found at probe (iomm_vtd::features)
 * @{ */
#define IOMM_VTD_F_QI       (1u << 0)  /**< Queued invalidation (ECAP.QI). */
#define IOMM_VTD_F_SMTS     (1u << 1)  /**< Scalable-mode translation (ECAP.SMTS). */
#define IOMM_VTD_F_FLTS     (1u << 2)  /**< First-stage translation in scalable mode (ECAP.FLTS). */
#define IOMM_VTD_F_SLTS     (1u << 3)  /**< Second-stage translation in scalable mode (ECAP.SLTS). */
#define IOMM_VTD_F_PT       (1u << 4)  /**< Pass-through (ECAP.PT). */
#define IOMM_VTD_F_CM       (1u << 5)  /**< Caching mode: not-present entries may be cached (CAP.CM). */
#define IOMM_VTD_F_RWBF     (1u << 6)  /**< Write buffer must be flushed (CAP.RWBF). */
#define IOMM_VTD_F_COHERENT (1u << 7)  /**< Coherent table walks (ECAP.C). */
#define IOMM_VTD_F_SC       (1u << 8)  /**< Snoop control (ECAP.SC). */
#define IOMM_VTD_F_PSI      (1u << 9)  /**< Page-selective IOTLB invalidation (CAP.PSI). */
#define IOMM_VTD_F_SP2M     (1u << 10) /**< 2 MiB second-level pages (CAP.SLLPS bit 0). */
#define IOMM_VTD_F_SP1G     (1u << 11) /**< 1 GiB second-level pages (CAP.SLLPS bit 1). */
#define IOMM_VTD_F_FL1G     (1u << 12) /**< 1 GiB first-stage pages (CAP.FL1GP). */
#define IOMM_VTD_F_FL5LP    (1u << 13) /**< 5-level first-stage paging (CAP.FL5LP). */
#define IOMM_VTD_F_PASID    (1u << 14) /**< PASID support (ECAP.PASID), reported only. */
#define IOMM_VTD_F_NEST     (1u << 15) /**< Nested translation (ECAP.NEST), reported only. */
#define IOMM_VTD_F_IR       (1u << 16) /**< Interrupt remapping (ECAP.IR): used when iomm_vtd_mem::irt is given. */
#define IOMM_VTD_F_DT       (1u << 17) /**< Device-TLB (ECAP.DT), reported only. */
#define IOMM_VTD_F_EIM      (1u << 18) /**< Extended interrupt mode, 32-bit destinations (ECAP.EIM). */
/** @} */

/** @name Configuration flags (iomm_vtd_cfg::flags)
 * @{ */
/** Use the register-based invalidation interface even when ECAP.QI is set (legacy mode only). */
#define IOMM_VTD_CFG_REGINV (1u << 0)
/** Use scalable-mode translation structures. Needs ECAP.SMTS and queued invalidation. */
#define IOMM_VTD_CFG_SCALABLE (1u << 1)
/** Scalable mode: give ::IOMM_DOMAIN_S1 domains second-stage tables even when ECAP.FLTS is set. */
#define IOMM_VTD_CFG_S1_SECOND_STAGE (1u << 2)
/** Leave translation disabled after init (iomm_vtd_enable() turns it on). */
#define IOMM_VTD_CFG_NO_ENABLE (1u << 3)
/**
 * Interrupt remapping in extended interrupt mode (IRTA.EIME): 32-bit
 * (x2APIC) destinations. Needs ECAP.EIM and an interrupt remapping table.
 * Without it destinations are 8-bit xAPIC IDs. Either way
 * compatibility-format interrupts are blocked (GCMD.CFI stays off).
 */
#define IOMM_VTD_CFG_EIM (1u << 4)
/** @} */

/**
 * @brief Memory the caller hands to the unit (physical addresses as the
 *        unit sees them).
 */
struct iomm_vtd_mem {
	void *root;	  /**< Root table: 4 KiB, 4 KiB aligned. Required. */
	uint64_t root_pa; /**< Its physical address. */
	/**
	 * Invalidation queue, aligned to 4 KiB; NULL: register-based
	 * invalidation (then scalable mode is refused).
	 */
	void *iq;
	uint64_t iq_pa; /**< Its physical address (4 KiB aligned). */
	/**
	 * Bytes: 4 KiB times a power of two, 4 KiB to 512 KiB (IQA.QS). It
	 * holds 16-byte descriptors in legacy mode and 32-byte descriptors in
	 * scalable mode.
	 */
	size_t iq_size;
	/**
	 * Interrupt remapping table, aligned to 4 KiB; NULL: interrupt
	 * remapping is not used (iomm_irq_alloc() returns ::IOMM_ENOTSUP).
	 * Needs ECAP.IR and the invalidation queue (the interrupt entry cache
	 * is invalidated only through it).
	 */
	void *irt;
	uint64_t irt_pa;      /**< Its physical address (4 KiB aligned). */
	uint32_t irt_entries; /**< Entries of 16 bytes: a power of two, 2 to 65536. */
};

/** @brief Tuning of the backend. Zeroed fields mean the defaults. */
struct iomm_vtd_cfg {
	uint32_t flags;	     /**< IOMM_VTD_CFG_* flags. */
	uint8_t bus_first;   /**< First PCI bus behind this unit (default 0). */
	uint8_t bus_last;    /**< Last PCI bus behind this unit; 0: 255 (when bus_first is 0). */
	uint16_t did_first;  /**< First domain ID to hand out; 0: 1 (ID 0 is never used). */
	uint32_t did_count;  /**< Domain IDs to hand out; 0: up to the limit CAP.ND allows. */
	uint64_t timeout_ns; /**< Bound on every hardware wait; 0: 100 ms. */
	/**
	 * An unmap (or caching-mode map) becomes one page-selective
	 * invalidation whose address mask names the smallest naturally
	 * aligned block covering the range; when that block spans more than
	 * this many 4 KiB pages (or more than CAP.MAMV allows, or CAP.PSI is
	 * clear) it becomes one domain-selective invalidation instead.
	 * 0: 512 (2 MiB).
	 */
	uint32_t inv_threshold;
	/**
	 * Host address width in bits: the widest physical address the tables
	 * may output (the DMAR table's Host Address Width field plus one).
	 * Addresses above it are reserved in table entries. 0: 46. Tables
	 * output at most 52 bits, whatever this says.
	 */
	uint8_t haw;
};

/** @brief Counters of what the backend asked the hardware to do. */
struct iomm_vtd_stats {
	uint64_t qi_descs;     /**< Descriptors written to the invalidation queue (waits included). */
	uint64_t qi_waits;     /**< Invalidation wait descriptors among them. */
	uint64_t reg_ccmd;     /**< Context-cache invalidations through CCMD_REG. */
	uint64_t reg_iotlb;    /**< IOTLB invalidations through IOTLB_REG (and IVA_REG). */
	uint64_t cc_global;    /**< Global context-cache invalidations (either interface). */
	uint64_t cc_domain;    /**< Domain-selective context-cache invalidations. */
	uint64_t cc_device;    /**< Device-selective context-cache invalidations. */
	uint64_t iotlb_global; /**< Global IOTLB invalidations. */
	uint64_t iotlb_domain; /**< Domain-selective IOTLB invalidations. */
	uint64_t iotlb_page;   /**< Page-selective IOTLB invalidations (each with its address mask). */
	uint64_t pc;	       /**< PASID-cache invalidations. */
	uint64_t piotlb_pasid; /**< PASID-based IOTLB invalidations of a whole PASID. */
	uint64_t piotlb_page;  /**< PASID-based page-selective IOTLB invalidations. */
	uint64_t wbf;	       /**< Write-buffer flushes (GCMD.WBF). */
	uint64_t map_syncs;    /**< Maps that were invalidated because of caching mode. */
	uint64_t faults;       /**< Fault records consumed. */
	uint64_t lost;	       /**< Fault records lost (FSTS.PFO seen). */
	uint64_t qi_errors;    /**< Invalidation queue errors (FSTS.IQE / ITE / ICE). */
	uint64_t iec_global;   /**< Global interrupt-entry-cache invalidations. */
	uint64_t iec_index;    /**< Index-selective interrupt-entry-cache invalidations. */
	uint64_t irq_entries;  /**< Interrupt entries in use (allocated, or held after an unconfirmed free). */
};

/** @brief A VT-d remapping unit. Caller-allocated; fields are private except as documented. */
struct iomm_vtd {
	struct iomm_unit unit;	     /**< Generic unit: pass &vtd->unit to the iommu.h API. */
	uint32_t features;	     /**< IOMM_VTD_F_* found at probe. */
	uint32_t ver;		     /**< Raw VER_REG. */
	uint64_t cap;		     /**< Raw CAP_REG. */
	uint64_t ecap;		     /**< Raw ECAP_REG. */
	uint8_t sagaw;		     /**< CAP.SAGAW: bit 1 = 3-level, 2 = 4-level, 3 = 5-level. */
	uint8_t mgaw;		     /**< CAP.MGAW + 1: widest input address (bits). */
	uint8_t did_bits;	     /**< Domain-ID width from CAP.ND. */
	uint16_t nfr;		     /**< Fault recording registers (CAP.NFR + 1). */
	uint32_t fro;		     /**< Offset of the first fault recording register (bytes). */
	uint32_t iro;		     /**< Offset of the IOTLB registers (bytes). */
	bool scalable;		     /**< Scalable mode is in use. */
	bool qi;		     /**< Queued invalidation is in use. */
	bool ir;		     /**< Interrupt remapping is in use (GSTS.IRES). */
	bool eime;		     /**< ... in extended interrupt mode (32-bit destinations). */
	struct iomm_vtd_stats stats; /**< Counters. */
	/** @cond INTERNAL */
	struct iomm_vtd_cfg cfg;
	struct iomm_vtd_mem mem;
	struct iomm_pool *pool;
	uint64_t *root;
	void *ctx[512]; /* context table per bus (legacy) or per half bus (scalable) */
	uint32_t gcmd;	/* shadow of the enabled GCMD bits */
	uint32_t iq_tail, iq_head, iq_entries, iq_shift;
	uint32_t *status;   /* wait-descriptor status word (pool page) */
	uint64_t status_pa;
	uint32_t seq;
	uint32_t next_did;
	uint32_t did_end;
	uint8_t mamv; /* CAP.MAMV */
	bool enabled;
	uint64_t *irt;	     /* interrupt remapping table (mem.irt) */
	uint32_t irt_next;   /* where the search for a free entry starts */
	/** @endcond */
};

/**
 * @brief Probe, reset and (unless ::IOMM_VTD_CFG_NO_ENABLE) enable a VT-d unit.
 *        Every source ID is blocked afterwards.
 *
 * @param vtd  Backend object (caller-allocated).
 * @param port Port with MMIO hooks, now_ns and, when ECAP.C is clear or the
 *             port lacks ::IOMM_PORT_DMA_COHERENT, clean_tables.
 * @param regs Virtual address of the register set.
 * @param mem  Root table and invalidation queue memory.
 * @param pool Pool of 4 KiB pages for context tables, PASID directories and
 *             tables and the wait-status word. Required.
 * @param cfg  Options; NULL for the defaults.
 *
 * @retval IOMM_OK        Enabled (or ready, with ::IOMM_VTD_CFG_NO_ENABLE); every source ID blocked.
 * @retval IOMM_EINVAL    NULL or missing hook; misaligned or badly sized root
 *                        table, queue or interrupt remapping table memory
 *                        (entries not a power of two from 2 to 65536); a pool
 *                        whose pages are not 4 KiB; bus_last below bus_first;
 *                        ::IOMM_VTD_CFG_EIM without an interrupt remapping table.
 * @retval IOMM_ENODEV    The registers do not look like a VT-d unit (version 0,
 *                        no supported address width).
 * @retval IOMM_ENOTSUP   Scalable mode asked for but absent (or without
 *                        queued invalidation); an interrupt remapping table
 *                        given to a unit without ECAP.IR or without the
 *                        invalidation queue; ::IOMM_VTD_CFG_EIM without ECAP.EIM.
 * @retval IOMM_ERANGE    did_first / did_count beyond what CAP.ND allows.
 * @retval IOMM_ENOMEM    The pool has no page for the wait-status word.
 * @retval IOMM_ETIMEDOUT The unit did not acknowledge a command.
 * @retval IOMM_EIO       The unit reported an invalidation queue error.
 *
 * @par Context
 * Takes no lock (the unit is not shared until this returns); writes MMIO, polls
 * the hardware with iomm_port::now_ns/relax while it acknowledges each step,
 * and takes the invalidation wait-status page from @p pool (pool's lock,
 * page_alloc for a port pool). May sleep only if those hooks (or log) can.
 * Meant for initialisation, not for interrupt handlers.
 */
int iomm_vtd_init(struct iomm_vtd *vtd, const struct iomm_port *port, uintptr_t regs,
		  const struct iomm_vtd_mem *mem, struct iomm_pool *pool,
		  const struct iomm_vtd_cfg *cfg);

/**
 * @brief Enable translation on a unit initialised with ::IOMM_VTD_CFG_NO_ENABLE
 *        or disabled with iomm_vtd_disable().
 *
 * After iomm_vtd_disable() the invalidation queue is restarted and every
 * cache invalidated before translation is turned back on.
 *
 * @param vtd The unit.
 * @retval IOMM_OK        Translation enabled (also when it already was).
 * @retval IOMM_EINVAL    NULL or never initialised.
 * @retval IOMM_ETIMEDOUT The unit did not acknowledge.
 * @retval IOMM_EIO       The unit reported an invalidation queue error.
 *
 * @par Context
 * Takes the unit's lock (iomm_port::lock, the unit is the lock object); writes
 * MMIO and polls the status register with now_ns/relax. May sleep only if those
 * hooks can; not meant for interrupt handlers.
 */
int iomm_vtd_enable(struct iomm_vtd *vtd);

/**
 * @brief Disable translation and queued invalidation.
 *
 * With translation disabled a VT-d unit passes DMA through untranslated:
 * call this only when the devices behind the unit are quiet or may access
 * all memory. Domains and devices may still be changed meanwhile; their
 * invalidations are skipped, and iomm_vtd_enable() invalidates every cache
 * before translation resumes.
 *
 * @param vtd The unit.
 * @retval IOMM_OK        Disabled.
 * @retval IOMM_EINVAL    NULL or never initialised.
 * @retval IOMM_ETIMEDOUT The unit did not acknowledge.
 *
 * @par Context
 * Takes the unit's lock; writes MMIO and polls the status register with
 * now_ns/relax. May sleep only if those hooks can; not meant for interrupt
 * handlers.
 */
int iomm_vtd_disable(struct iomm_vtd *vtd);

/**
 * @brief Invalidate every context-cache and IOTLB entry of the unit and wait.
 * @param vtd The unit.
 * @retval IOMM_OK        Done.
 * @retval IOMM_EINVAL    NULL or never initialised.
 * @retval IOMM_ETIMEDOUT The unit did not complete the invalidation.
 * @retval IOMM_EIO       The unit reported an invalidation queue error.
 *
 * @par Context
 * Takes the unit's lock; queues invalidations and waits for their completion
 * with now_ns/relax (clean_tables on a non-coherent unit). May sleep only if
 * those hooks can; not meant for interrupt handlers.
 */
int iomm_vtd_flush_all(struct iomm_vtd *vtd);

/** @name Fault reasons (iomm_fault::raw holds the reason code of a VT-d fault record)
 * Legacy-mode codes; scalable-mode codes are 0x30 and above.
 * @{ */
#define IOMM_VTD_FR_ROOT_NP     0x01u /**< Root entry not present. */
#define IOMM_VTD_FR_CTX_NP      0x02u /**< Context entry not present. */
#define IOMM_VTD_FR_CTX_INV     0x03u /**< Invalid context entry. */
#define IOMM_VTD_FR_ADDR_BEYOND 0x04u /**< Address beyond MGAW / AGAW. */
#define IOMM_VTD_FR_WRITE       0x05u /**< Write to an entry without write permission (or not present). */
#define IOMM_VTD_FR_READ        0x06u /**< Read from an entry without read permission (or not present). */
/** @} */

/**
 * @brief Decode one 128-bit fault recording register into the common fault record.
 *
 * Exposed for tools and fuzzing; iomm_fault_poll() uses it. Source ID goes
 * to iomm_fault::sid, the page address to iomm_fault::addr, the PASID (if
 * present) to iomm_fault::ssid with ::IOMM_FAULT_SSID, the reason code to
 * iomm_fault::raw and, mapped, to iomm_fault::reason; the request type sets
 * ::IOMM_FAULT_READ or ::IOMM_FAULT_WRITE, plus ::IOMM_FAULT_EXEC and
 * ::IOMM_FAULT_PRIV when the record says so.
 *
 * @param rec   rec[0]: bits 63:0 of the record (fault information, the
 *              page address); rec[1]: bits 127:64 (source ID, reason, type,
 *              PASID, F).
 * @param fault Receives the decoded fault (lost is set to 0).
 * @retval IOMM_OK     Decoded (unknown reasons become ::IOMM_FAULT_OTHER).
 * @retval IOMM_EINVAL NULL argument.
 * @retval IOMM_ENOENT The record's F (fault) bit is clear; @p fault is still filled.
 *
 * @par Context
 * Pure computation on its arguments: no lock, no hook. Never sleeps; any
 * context.
 */
int iomm_vtd_decode_fault(const uint64_t rec[2], struct iomm_fault *fault);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* IOMMUMAN_VTD_H */
