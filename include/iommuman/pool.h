/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file pool.h
 * @brief Table-memory pools: where every page-table page comes from.
 * @ingroup pool
 */
#ifndef IOMMUMAN_POOL_H
#define IOMMUMAN_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "port.h"

#ifdef __cplusplus
extern "C" {
#endif

struct iomm_pgt;

/**
 * @defgroup pool Table-memory pools
 * @{
 * A pool hands out zeroed, naturally aligned pages of one size (the granule
 * of the tables built from it: 4, 16 or 64 KiB). Two kinds exist:
 *
 * - a **region pool** manages memory the caller owns. Its bookkeeping (one
 *   bit per page) lives at the start of that memory, so the library holds no
 *   hidden state; pages are handed out from the first aligned page after it.
 *   Physical addresses are the region's physical base plus the offset.
 * - a **port pool** forwards to iomm_port::page_alloc / iomm_port::page_free
 *   and caps the number of pages it hands out.
 *
 * A pool may be shared by many page tables. If the port has lock hooks, the
 * pool takes its own lock (the pool's address is the lock object) around
 * every allocation and release. A pool doubles as a quota: give each guest
 * its own pool and one guest cannot exhaust another's table memory. Each
 * function's "Context" paragraph says which lock it takes, through which
 * hooks it may sleep and whether it may run in an interrupt handler.
 */

/**
 * @brief Bytes of page-aligned memory a region pool needs to hand out
 *        exactly @p pages pages of @p page_size bytes.
 *
 * The bookkeeping is one bit per page in whole 64-bit words at the start of
 * the memory, and the pages start at the next page boundary after it:
 *
 *     IOMM_POOL_BYTES(n, ps) = roundup(ceil(n / 64) * 8, ps) + n * ps
 *
 * so it costs one extra page until n exceeds ps * 8 pages (32768 pages of
 * 4 KiB), and 65 pages of memory give 64 usable ones. For memory that starts
 * at a page-aligned address (in the virtual and physical views alike),
 * iomm_pool_init() on exactly this many bytes gives a pool whose
 * iomm_pool_capacity() is @p pages: one byte less gives one page less. If
 * the memory is not page aligned, add @p page_size - 1. An integer constant
 * expression when both arguments are, so it can size a static buffer:
 *
 *     static _Alignas(4096) uint8_t table_mem[IOMM_POOL_BYTES(64, 4096)];
 *
 * @param pages     Usable pages wanted (at least 1).
 * @param page_size 4096, 16384 or 65536.
 */
#define IOMM_POOL_BYTES(pages, page_size)                                                  \
	(((((size_t)(pages) + 63u) / 64u * 8u + (size_t)(page_size) - 1u) / (size_t)(page_size)) * \
		 (size_t)(page_size) +                                                     \
	 (size_t)(pages) * (size_t)(page_size))

/** @cond INTERNAL */
#define IOMM_POOL_REGION 1u
#define IOMM_POOL_PORT 2u
/** @endcond */

/**
 * @brief A table-memory pool. Caller-allocated; fields are private.
 */
struct iomm_pool {
	/** @cond INTERNAL */
	const struct iomm_port *port;
	uint32_t kind;
	uint32_t page_shift;
	uint8_t *base;     /* first page (region pools) */
	uint64_t base_pa;  /* its physical address */
	uint64_t *bitmap;  /* one bit per page, set = in use (region pools) */
	size_t npages;     /* pages managed (region) or the cap (port) */
	size_t used;       /* pages handed out */
	size_t hint;       /* bitmap word: every word below it is full */
	struct iomm_pgt *tables; /* live tables taking pages from here */
	/** @endcond */
};

/**
 * @brief Make a pool from caller-owned memory.
 *
 * @param pool      Pool object to initialise (caller-allocated).
 * @param port      Port whose lock hooks guard the pool; may have no hooks
 *                  at all if the caller serializes. Must stay valid.
 * @param mem       Start of the memory. It must stay valid and unused by
 *                  anyone else for as long as the pool lives.
 * @param size      Size of the memory in bytes.
 * @param mem_pa    Physical address of @p mem as the IOMMU sees it.
 * @param page_size Size of each page: 4096, 16384 or 65536.
 *
 * The pool's bookkeeping is placed at the start of @p mem; the remaining
 * memory after the first page-aligned address (aligned in both the virtual
 * and physical views) is divided into pages.
 *
 * @retval IOMM_OK      The pool is ready.
 * @retval IOMM_EINVAL  NULL @p pool, @p port or @p mem; @p mem not 8-byte
 *                      aligned; unsupported @p page_size; @p mem and @p mem_pa not congruent
 *                      modulo @p page_size; or a region that wraps.
 * @retval IOMM_ENOMEM  The region cannot hold its bookkeeping plus one page.
 *
 * IOMM_POOL_BYTES() gives the size for a wanted number of pages.
 *
 * @par Context
 * Calls no hook and takes no lock; the pool must not be in use. Never sleeps;
 * callable from any context, interrupt handlers included.
 */
int iomm_pool_init(struct iomm_pool *pool, const struct iomm_port *port, void *mem, size_t size,
		   uint64_t mem_pa, size_t page_size);

/**
 * @brief Make a pool that takes pages from the port's page_alloc hook.
 *
 * @param pool      Pool object to initialise.
 * @param port      Port with page_alloc, page_free and phys_to_virt hooks.
 * @param page_size 4096, 16384 or 65536.
 * @param max_pages Upper bound on pages out at once (a quota); at least 1.
 *
 * @retval IOMM_OK      The pool is ready.
 * @retval IOMM_EINVAL  NULL argument, a missing hook, unsupported
 *                      @p page_size or @p max_pages of 0.
 *
 * @par Context
 * Calls no hook and takes no lock; the pool must not be in use. Never sleeps;
 * callable from any context, interrupt handlers included.
 */
int iomm_pool_init_port(struct iomm_pool *pool, const struct iomm_port *port, size_t page_size,
			size_t max_pages);

/**
 * @brief Take @p count contiguous pages, aligned to @p count pages.
 *
 * Used by page tables (and backends, for stream tables and queues) when they
 * need table memory. The pages are zeroed. @p count must be a power of two
 * no larger than 64. A region pool hands out single pages first-fit: the
 * lowest free page, most often the one released last, whose lines the
 * caches may still hold.
 *
 * @param pool  The pool.
 * @param count Number of pages.
 * @param pa    Receives the physical address of the first page.
 * @return The virtual address of the first page, or NULL when the pool
 *         cannot satisfy the request (exhausted, quota reached, bad count).
 *
 * @par Context
 * Takes the pool's lock (iomm_port::lock, the pool is the lock object); a port
 * pool calls iomm_port::page_alloc (and page_free on a misaligned result) with
 * it held. May sleep only if that lock or page_alloc can. Callable from an
 * interrupt handler only if the pool's lock hook is safe there and, for a port
 * pool, page_alloc/page_free are too. Safe against concurrent allocations and
 * releases on the same pool.
 */
void *iomm_pool_alloc(struct iomm_pool *pool, size_t count, uint64_t *pa);

/**
 * @brief Return pages taken with iomm_pool_alloc().
 *
 * Pages that page tables took from the pool go back through the table
 * (iomm_pgt_gather_release(), iomm_pgt_destroy()), never through this call:
 * a page still linked into a live table of the pool is refused. Checking
 * that walks the pool's live tables, so the call costs in proportion to
 * their size.
 *
 * @param pool  The pool the pages came from.
 * @param va    Virtual address iomm_pool_alloc() returned.
 * @param count The same count.
 *
 * @retval IOMM_OK     The pages are free again.
 * @retval IOMM_EINVAL NULL @p pool or @p va; @p count not a power of two
 *                     up to 64; or (region pools) pages that are not the
 *                     pool's or not in use. Nothing changed.
 * @retval IOMM_EBUSY  One of the pages is a table page of a live table
 *                     initialised on this pool. Nothing changed.
 *
 * @par Context
 * Takes the pool's lock; a port pool calls iomm_port::page_free with it held.
 * May sleep only if that lock or page_free can. Callable from an interrupt
 * handler only if the pool's lock hook is safe there and, for a port pool,
 * page_alloc/page_free are too.
 */
int iomm_pool_release(struct iomm_pool *pool, void *va, size_t count);

/**
 * @brief Pages currently handed out.
 * @param pool The pool.
 * @return Number of pages in use.
 *
 * @par Context
 * Takes no lock and calls no hook: a plain read, possibly stale while other
 * threads allocate. Never sleeps; any context.
 */
size_t iomm_pool_used(const struct iomm_pool *pool);

/**
 * @brief Pages the pool can hand out in total (region size or cap).
 * @param pool The pool.
 * @return Capacity in pages.
 *
 * @par Context
 * Takes no lock and calls no hook. Never sleeps; any context.
 */
size_t iomm_pool_capacity(const struct iomm_pool *pool);

/**
 * @brief Page size of the pool in bytes.
 * @param pool The pool.
 * @return 4096, 16384 or 65536.
 *
 * @par Context
 * Takes no lock and calls no hook. Never sleeps; any context.
 */
size_t iomm_pool_page_size(const struct iomm_pool *pool);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* IOMMUMAN_POOL_H */
