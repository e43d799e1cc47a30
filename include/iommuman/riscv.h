/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file riscv.h
 * @brief RISC-V IOMMU backend (RISC-V IOMMU Architecture Specification v1.0).
 * @ingroup riscv
 */
#ifndef IOMMUMAN_RISCV_H
#define IOMMUMAN_RISCV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommu.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup riscv RISC-V IOMMU backend
 * @{
 * iomm_riscv_init() probes the capabilities register, turns translation off
 * (ddtp Off: every device's DMA is refused) and stops the queues firmware may
 * have left running, sets up the command and fault queues in caller memory,
 * then installs a device directory (1, 2 or 3 levels, as the device-ID width
 * needs) whose every device context is invalid, and invalidates the unit's
 * caches. From then on the unit is driven through the generic API of
 * iommu.h: stage-1 domains are first-stage (Sv39/48/57) tables tagged with
 * a PSCID, stage-2 domains G-stage (Sv39x4/48x4/57x4) tables tagged with a
 * GSCID, nested domains both; devices become device contexts; unmaps become
 * IOTINVAL commands followed by exactly one IOFENCE.C; iomm_fault_poll()
 * drains the fault queue.
 *
 * Tables are the library's ::IOMM_FMT_RISCV_S1 and ::IOMM_FMT_RISCV_G with
 * A and D preset in every leaf, so the unit never needs to update them
 * (DC.tc.GADE and SADE stay 0). Device contexts have PDTV = 0 (no process
 * directory), no ATS/PRI, and the MSI page table off (msiptp Off) unless a
 * G-stage domain was given one with iomm_riscv_msi_enable(): then a guest's
 * writes to its virtual interrupt files are translated through that table
 * to the real interrupt files the host chose (iomm_riscv_msi_map()), and
 * everything else through the G-stage.
 */

/** @name Capabilities register bits (iomm_riscv::caps, spec 5.3)
 * @{ */
#define IOMM_RISCV_CAP_VERSION_MASK 0xffull	 /**< Version: major in 7:4, minor in 3:0. */
#define IOMM_RISCV_CAP_SV39	    (1ull << 9)	 /**< First stage Sv39. */
#define IOMM_RISCV_CAP_SV48	    (1ull << 10) /**< First stage Sv48. */
#define IOMM_RISCV_CAP_SV57	    (1ull << 11) /**< First stage Sv57. */
#define IOMM_RISCV_CAP_SVPBMT	    (1ull << 15) /**< Page-based memory types (reported only). */
#define IOMM_RISCV_CAP_SV39X4	    (1ull << 17) /**< G-stage Sv39x4. */
#define IOMM_RISCV_CAP_SV48X4	    (1ull << 18) /**< G-stage Sv48x4. */
#define IOMM_RISCV_CAP_SV57X4	    (1ull << 19) /**< G-stage Sv57x4. */
#define IOMM_RISCV_CAP_MSI_FLAT	    (1ull << 22) /**< MSI page tables, flat: 64-byte device contexts. \
						  */
#define IOMM_RISCV_CAP_MSI_MRIF	 (1ull << 23)	 /**< MSI page tables, MRIF mode (reported only). */
#define IOMM_RISCV_CAP_AMO_HWAD	 (1ull << 24)	 /**< Hardware A/D updates (reported only). */
#define IOMM_RISCV_CAP_ATS	 (1ull << 25)	 /**< PCIe ATS (reported only). */
#define IOMM_RISCV_CAP_END	 (1ull << 27)	 /**< Both endiannesses (fctl.BE writable). */
#define IOMM_RISCV_CAP_IGS_SHIFT 28u		 /**< Interrupt generation support, 2 bits. */
#define IOMM_RISCV_CAP_IGS_MASK	 (3ull << IOMM_RISCV_CAP_IGS_SHIFT) /**< 0 MSI, 1 WSI, 2 both. */
#define IOMM_RISCV_CAP_PAS_SHIFT 32u /**< Physical address size, 6 bits. */
#define IOMM_RISCV_CAP_PAS_MASK	 (0x3full << IOMM_RISCV_CAP_PAS_SHIFT) /**< PAS field. */
#define IOMM_RISCV_CAP_NL	 (1ull << 42) /**< Non-leaf invalidation extension (reported only). */
/** @} */

/** @name Configuration flags (iomm_riscv_cfg::flags)
 * @{ */
/** Signal command- and fault-queue interrupts (cqcsr.cie, fqcsr.fie). Off by default:
 *  iomm_fault_poll() polls. */
#define IOMM_RISCV_CFG_IRQ (1u << 0)
/** Wired interrupts (fctl.WSI): needs capabilities.IGS WSI or both. Default: MSIs when the
 *  unit can send them, wired when that is all it has. */
#define IOMM_RISCV_CFG_WSI (1u << 1)
/** @} */

/** @brief Memory the caller hands to the unit (physical addresses as the unit sees them). */
struct iomm_riscv_mem {
	void *ddt;	 /**< Root of the device directory: one 4 KiB page, 4 KiB aligned. */
	uint64_t ddt_pa; /**< Its physical address. */
	void *cq;	 /**< Command queue (16 bytes per command). */
	uint64_t cq_pa;	 /**< Its physical address, aligned to max(4 KiB, cq_size). */
	size_t cq_size;	 /**< Bytes, a power of two, at least 32 (two commands). */
	void *fq;	 /**< Fault queue (32 bytes per record). */
	uint64_t fq_pa;	 /**< Its physical address, aligned to max(4 KiB, fq_size). */
	size_t fq_size;	 /**< Bytes, a power of two, at least 64 (two records). */
};

/** @brief Tuning of the backend. Zeroed fields mean the defaults. */
struct iomm_riscv_cfg {
	uint32_t flags; /**< IOMM_RISCV_CFG_* flags. */
	/** Width of the device IDs to cover (1..24); 0: what the root page holds in one level
	 *  (6 bits with 64-byte device contexts, 7 with 32-byte ones). Wider IDs need a pool for
	 *  the lower directory levels. */
	uint8_t did_bits;
	uint8_t gscid_bits;	/**< GSCIDs handed out (1..16); 0: 16. */
	uint8_t pscid_bits;	/**< PSCIDs handed out (1..20); 0: 20. */
	uint64_t timeout_ns;	/**< Bound on every hardware wait; 0: 100 ms. */
	uint32_t inv_threshold; /**< More per-page IOTINVALs than this become one per domain;
				   0: 32. */
};

/** @brief Counters of what the backend asked the hardware to do. */
struct iomm_riscv_stats {
	uint64_t cmds;	     /**< Commands written to the queue. */
	uint64_t fences;     /**< IOFENCE.C among them. */
	uint64_t iotinval;   /**< IOTINVAL.VMA / GVMA among them. */
	uint64_t iodir;	     /**< IODIR.INVAL_DDT among them. */
	uint64_t cmd_errors; /**< Command errors the unit reported (cqcsr.cmd_ill, cqmf). */
	uint64_t faults;     /**< Fault records consumed. */
	uint64_t overflows;  /**< Fault queue overflows seen (fqcsr.fqof). */
};

/** @brief A RISC-V IOMMU instance. Caller-allocated; fields are private except as documented. */
struct iomm_riscv {
	struct iomm_unit unit;	       /**< Generic unit: pass &rv->unit to the iommu.h API. */
	uint64_t caps;		       /**< Raw capabilities register (IOMM_RISCV_CAP_*). */
	uint32_t fctl;		       /**< fctl as programmed. */
	uint8_t ddt_levels;	       /**< Device directory levels in use (1..3). */
	struct iomm_riscv_stats stats; /**< Counters. */
	/** @cond INTERNAL */
	struct iomm_riscv_cfg cfg;
	struct iomm_riscv_mem mem;
	struct iomm_pool *pool;	    /* lower device-directory levels */
	uint8_t dc_shift;	    /* log2 of the device-context size: 5 or 6 */
	uint8_t cq_shift, fq_shift; /* log2 of the entries */
	uint32_t cq_tail;	    /* shadow of cqt */
	uint32_t fq_head;	    /* shadow of fqh */
	uint32_t next_pscid, next_gscid;
	bool enabled;
	bool stale; /* an invalidation did not complete: the next one covers everything */
		    /** @endcond */
};

/**
 * @brief Probe, reset and enable a RISC-V IOMMU. Every device's DMA is refused afterwards
 *        (device contexts invalid, fault cause 258 reported).
 *
 * @param rv   Backend object (caller-allocated).
 * @param port Port with MMIO hooks, now_ns and, for a unit whose memory accesses are not
 *             coherent with the CPU's caches, clean_tables.
 * @param regs Virtual address of the register file (4 KiB).
 * @param mem  Device-directory root and queue memory.
 * @param pool Pool for the lower device-directory levels (may be NULL when one level covers
 *             cfg->did_bits).
 * @param cfg  Options; NULL for the defaults.
 *
 * @retval IOMM_OK        Enabled; every device is refused.
 * @retval IOMM_EINVAL    NULL or missing hook, misaligned or too small memory, memory beyond
 *                        the unit's physical address size, or did_bits wider than one level
 *                        without a pool.
 * @retval IOMM_ENODEV    The registers do not look like a RISC-V IOMMU of version 1.x.
 * @retval IOMM_ENOTSUP   The unit cannot do what is needed: only big-endian data structures,
 *                        wired interrupts asked for but absent, no first-stage and no G-stage
 *                        mode this library builds, or a device-directory mode the unit does
 *                        not retain.
 * @retval IOMM_ETIMEDOUT The unit did not acknowledge a queue or ddtp update, or did not
 *                        finish the initial invalidation.
 * @retval IOMM_EIO       The unit reported a command error or a queue memory fault.
 *
 * @par Context
 * Takes no lock (the unit is not shared until this returns); writes MMIO, polls
 * the hardware with iomm_port::now_ns/relax while it acknowledges each step.
 * May sleep only if those hooks (or log) can. Meant for initialisation, not for
 * interrupt handlers.
 */
int iomm_riscv_init(struct iomm_riscv *rv, const struct iomm_port *port, uintptr_t regs,
		    const struct iomm_riscv_mem *mem, struct iomm_pool *pool,
		    const struct iomm_riscv_cfg *cfg);

/**
 * @brief Turn translation off: ddtp Off (every device's DMA is refused), then the queues off.
 *
 * @param rv The unit.
 * @retval IOMM_OK        Off.
 * @retval IOMM_EINVAL    NULL or never initialised.
 * @retval IOMM_ETIMEDOUT The unit did not acknowledge.
 *
 * @par Context
 * Takes no lock: nothing else may use the unit during or after the call. Writes
 * MMIO and polls for the acknowledgement with now_ns/relax. May sleep only if
 * those hooks can; callable from a shutdown or crash path, not meant for
 * interrupt handlers in normal operation.
 */
int iomm_riscv_disable(struct iomm_riscv *rv);

/** Most bits an MSI address mask may have: 2^12 interrupt files, a 64 KiB table. */
#define IOMM_RISCV_MSI_MAX_BITS 12u

/**
 * @brief A flat MSI page table of a G-stage domain (caller memory).
 *
 * A VM's virtual interrupt files are 4 KiB pages of its guest-physical
 * space. A device write to a guest page whose number matches @c addr_pattern
 * in every bit that is 0 in @c addr_mask is an MSI: the bits under the mask
 * give the interrupt file number I, and MSI PTE I of the table (basic
 * translate mode, AIA "MSI page tables") gives the real interrupt file
 * (spec 2.1.6-2.1.7 and "Process to translate addresses of MSIs"). Such
 * writes never go through the G-stage, so the window needs no G-stage
 * mapping; an interrupt file the host did not map faults (cause 262).
 */
struct iomm_riscv_msi {
	uint64_t addr_mask;    /**< msi_addr_mask: guest page-number bits that select the file. */
	uint64_t addr_pattern; /**< msi_addr_pattern: the other page-number bits of the files. */
	void *table;	       /**< 16 bytes per interrupt file, 2^popcount(addr_mask) files. */
	uint64_t table_pa;     /**< Its physical address, aligned to max(4 KiB, its size). */
	size_t table_bytes;    /**< Bytes at @c table: at least 16 << popcount(addr_mask). */
};

/**
 * @brief Give a G-stage domain an MSI page table: every device context of the domain (and of
 *        its nested children) gets msiptp Flat with its mask and pattern.
 *
 * The table is zeroed (every interrupt file unmapped: an MSI to it faults with cause 262);
 * iomm_riscv_msi_map() fills it. Call it before any device or nested domain uses @p dom.
 * @p msi must stay valid until the domain is destroyed.
 *
 * @param dom A live stage-2 domain of a RISC-V unit.
 * @param msi The table and its window.
 * @retval IOMM_OK      Done; devices attached from now on use it.
 * @retval IOMM_EINVAL  NULL, @p dom not a live RISC-V domain or not stage 2, or the table NULL,
 *                      too small, misaligned or beyond the unit's physical addresses.
 * @retval IOMM_ERANGE  Mask or pattern bits at or above MGPAW - 12, or more than
 *                      ::IOMM_RISCV_MSI_MAX_BITS bits in the mask.
 * @retval IOMM_ENOTSUP The unit has no capabilities.MSI_FLAT.
 * @retval IOMM_EBUSY   Devices or nested domains already use @p dom, or it has a table.
 *
 * @par Context
 * Takes the unit's lock (the unit is the lock object); writes memory only: zeroes the table
 * and, on a non-coherent unit, cleans it with iomm_port::clean_tables. No MMIO, no wait
 * for the hardware. May sleep only if the lock hook or clean_tables can; callable from an
 * interrupt handler only if those hooks are safe there (meant for setting up a VM).
 */
int iomm_riscv_msi_enable(struct iomm_domain *dom, struct iomm_riscv_msi *msi);

/**
 * @brief Point interrupt file @p file of a domain's MSI window at the real interrupt file at
 *        @p pa (an IMSIC guest interrupt file page the host gave this VM).
 *
 * While devices use the domain, the old entry is invalidated (IOTINVAL.GVMA with the
 * file's guest page, then IOFENCE.C) before the call returns.
 *
 * @param dom  A domain given a table with iomm_riscv_msi_enable().
 * @param file Interrupt file number, below 2^popcount(addr_mask).
 * @param pa   Physical address of the 4 KiB interrupt file page.
 * @retval IOMM_OK        Mapped.
 * @retval IOMM_EINVAL    NULL, not a live RISC-V domain with a table, or @p pa not 4 KiB
 *                        aligned or beyond the unit's physical addresses.
 * @retval IOMM_ERANGE    @p file beyond the table.
 * @retval IOMM_ETIMEDOUT The invalidation did not complete (the entry is written; the next
 *                        invalidation covers everything).
 * @retval IOMM_EIO       The unit reported a command error.
 *
 * @par Context
 * Takes the unit's lock (the unit is the lock object); writes the entry and cleans it with
 * clean_tables on a non-coherent unit. While devices use the domain it also writes the
 * command queue (MMIO) and polls for the fence with now_ns/relax. May sleep only if the
 * lock hook, clean_tables or relax can; waits for the hardware, so not meant for interrupt
 * handlers.
 */
int iomm_riscv_msi_map(struct iomm_domain *dom, uint32_t file, uint64_t pa);

/**
 * @brief Unmap interrupt file @p file: MSIs to it fault (cause 262) once the call returns.
 *
 * @param dom  A domain given a table with iomm_riscv_msi_enable().
 * @param file Interrupt file number.
 * @retval IOMM_OK        Unmapped and invalidated.
 * @retval IOMM_EINVAL    NULL, or not a live RISC-V domain with a table.
 * @retval IOMM_ERANGE    @p file beyond the table.
 * @retval IOMM_ETIMEDOUT The invalidation did not complete (the entry is cleared; the next
 *                        invalidation covers everything).
 * @retval IOMM_EIO       The unit reported a command error.
 *
 * @par Context
 * Takes the unit's lock (the unit is the lock object); clears the entry and cleans it with
 * clean_tables on a non-coherent unit. While devices use the domain it also writes the
 * command queue (MMIO) and polls for the fence with now_ns/relax. May sleep only if the
 * lock hook, clean_tables or relax can; waits for the hardware, so not meant for interrupt
 * handlers.
 */
int iomm_riscv_msi_unmap(struct iomm_domain *dom, uint32_t file);

/**
 * @brief Decode one 32-byte fault-queue record into the common fault record.
 *
 * Exposed for tools and fuzzing; iomm_fault_poll() uses it.
 *
 * @param rec   Four little-endian 64-bit words as the unit wrote them.
 * @param fault Receives the decoded fault (raw = the cause).
 * @retval IOMM_OK     Decoded (unknown causes become IOMM_FAULT_OTHER).
 * @retval IOMM_EINVAL NULL argument.
 *
 * @par Context
 * Pure computation on its arguments: no lock, no hook. Never sleeps; any
 * context.
 */
int iomm_riscv_decode_fault(const uint64_t rec[4], struct iomm_fault *fault);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* IOMMUMAN_RISCV_H */
