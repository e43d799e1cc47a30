/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file port.h
 * @brief The port: every service iommuman needs from its host environment.
 * @ingroup port
 *
 * iommuman never touches hardware, memory management, time or locks on its
 * own. An integrator fills one struct iomm_port with function pointers and a
 * context pointer and hands it to every object that needs it. There are no
 * weak symbols and no globals: two ports can coexist in one image.
 *
 * Each hook documents when it is called, whether it may block and what a
 * NULL pointer means. Hooks are grouped by purpose. Unless a hook says
 * otherwise it may be called with the port's lock (see @ref iomm_port::lock)
 * held, so it must not call back into iommuman.
 */
#ifndef IOMMUMAN_PORT_H
#define IOMMUMAN_PORT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup port Port hook table
 * @{
 */

/** Log levels passed to iomm_port::log. */
enum iomm_log_level {
	IOMM_LOG_ERROR = 0, /**< Something failed; the caller gets an error code too. */
	IOMM_LOG_WARN = 1,  /**< Suspicious but handled (lost fault records, quirks). */
	IOMM_LOG_INFO = 2,  /**< Probe results and state changes. */
	IOMM_LOG_DEBUG = 3, /**< Per-operation detail; never on the map/unmap fast path. */
};

/**
 * @brief Port flag: the platform makes IOMMU table walks cache-coherent.
 *
 * This is the one coherence switch. Backends combine it with what the
 * hardware reports (SMMUv3 IDR0.COHACC, SMMUv2 ID0.CTTW, VT-d ECAP.C), and a
 * stand-alone table with ::IOMM_PGT_NONCOHERENT; when either says "not
 * coherent", every table write is cleaned with iomm_port::clean_tables. This corresponds to a device
 * tree's `dma-coherent` property or IORT's coherent-access flag.
 */
#define IOMM_PORT_DMA_COHERENT (1u << 0)

/**
 * @brief The hook table an integrator provides.
 *
 * A zeroed field means "not provided". Operations that need a hook that is
 * NULL fail with ::IOMM_EINVAL (documented per function) instead of crashing.
 */
struct iomm_port {
	/** Passed unchanged as the first argument of every hook. */
	void *ctx;
	/** Combination of IOMM_PORT_* flags. */
	uint32_t flags;

	/** @name MMIO access
	 * Called from probe, configuration, invalidation and fault polling. They
	 * must perform exactly one device access of the given width, in program
	 * order with respect to each other, and must not block. Addresses are
	 * the virtual addresses the integrator passed as a unit's register base
	 * plus a register offset. @{ */
	/** 32-bit read of the register at @p addr. Required by every backend. */
	uint32_t (*read32)(void *ctx, uintptr_t addr);
	/** 32-bit write of @p val to the register at @p addr. Required by every backend. */
	void (*write32)(void *ctx, uintptr_t addr, uint32_t val);
	/** 64-bit read. NULL: two 32-bit reads, low word first. */
	uint64_t (*read64)(void *ctx, uintptr_t addr);
	/** 64-bit write. NULL: two 32-bit writes, low word first. */
	void (*write64)(void *ctx, uintptr_t addr, uint64_t val);
	/** @} */

	/** @name Ordering
	 * @{ */
	/**
	 * Make all earlier writes to normal memory (tables, queues) visible to
	 * the IOMMU before any later write to normal memory or MMIO (Arm
	 * `dsb ishst` / `dmb oshst`, x86 `sfence` or a compiler barrier).
	 * Called before a new table is linked and before a queue producer index
	 * is published. Must not block. NULL: a compiler barrier only (correct
	 * on strongly ordered hosts and hosted models only).
	 */
	void (*wmb)(void *ctx);
	/** Full barrier between memory and MMIO accesses. Must not block. NULL: compiler barrier. */
	void (*mb)(void *ctx);
	/** @} */

	/** @name Table memory
	 * Used by pools created with iomm_pool_init_port() and whenever a
	 * table's physical address must be turned into a pointer and back.
	 * @{ */
	/**
	 * Allocate @p size bytes aligned to @p align (both powers of two, at
	 * least 4 KiB) of memory the IOMMU can walk, store its physical address
	 * in @p *pa and return its virtual address, or return NULL when none is
	 * left. The memory need not be zeroed. Called from iomm_pgt_map(),
	 * iomm_pgt_unmap() (block split) and init functions; may block only if
	 * every caller of those functions can sleep.
	 */
	void *(*page_alloc)(void *ctx, size_t size, size_t align, uint64_t *pa);
	/** Give back memory from page_alloc(). Called from the same contexts. */
	void (*page_free)(void *ctx, void *va, size_t size);
	/**
	 * Translate a table physical address back to a pointer. Called on every
	 * table walk for memory from page_alloc(); tables in a caller region
	 * pool use the region's fixed offset instead. Must not block.
	 */
	void *(*phys_to_virt)(void *ctx, uint64_t pa);
	/**
	 * Clean and invalidate @p len bytes at @p va to the point of coherency
	 * so a non-coherent table walker sees them and the CPU then reads what
	 * the IOMMU wrote (event records), and wait for completion (Arm
	 * `dc civac` + `dsb`). Called in batches: once per run of written
	 * entries and once per new table page, only when walks are not
	 * coherent. Must not block. NULL is an error for non-coherent tables.
	 */
	void (*clean_tables)(void *ctx, const void *va, size_t len);
	/** @} */

	/** @name Locking
	 * @{ */
	/**
	 * Take the lock that guards @p obj (a pool, a page table, a unit).
	 * A port may use one lock for everything or hash @p obj over several.
	 * The library nests at most two: a page table's (or unit's) lock, then
	 * the lock of the pool the table takes pages from, or a page table's
	 * lock, then its unit's (a break-before-make invalidation in the middle
	 * of an unmap); a port with one lock for everything must make it
	 * recursive. May spin or block as the
	 * port's callers allow. NULL (together with
	 * unlock): the caller serializes every call on one object itself.
	 */
	void (*lock)(void *ctx, void *obj);
	/** Release the lock taken by lock() for the same @p obj. */
	void (*unlock)(void *ctx, void *obj);
	/** @} */

	/** @name Time
	 * @{ */
	/**
	 * Monotonic time in nanoseconds. Every hardware poll (command sync,
	 * register acknowledgement, queue space) reads it to bound the wait.
	 * Must not block. NULL: operations that must poll hardware fail with
	 * ::IOMM_EINVAL.
	 */
	uint64_t (*now_ns)(void *ctx);
	/** Called between two polls of a busy register; may yield or sleep briefly. NULL: spin. */
	void (*relax)(void *ctx);
	/** @} */

	/** @name Logging
	 * @{ */
	/**
	 * Emit one NUL-terminated line (without newline). @p msg is only valid
	 * during the call. May be called with locks held; must not block for
	 * long. NULL: messages are dropped.
	 */
	void (*log)(void *ctx, enum iomm_log_level level, const char *msg);
	/** Most verbose level passed to log(); higher levels are not formatted at all. */
	enum iomm_log_level log_level;
	/** @} */
};

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* IOMMUMAN_PORT_H */
