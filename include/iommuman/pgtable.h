/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file pgtable.h
 * @brief Page-table builder: Arm VMSAv8-64 (LPAE) stage 1 and stage 2, Intel
 *        VT-d second stage and x86-64 (VT-d first stage), RISC-V Sv39/48/57
 *        (first stage) and Sv39x4/48x4/57x4 (G-stage).
 * @ingroup pgt
 */
#ifndef IOMMUMAN_PGTABLE_H
#define IOMMUMAN_PGTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pool.h"
#include "port.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup pgt Page tables
 * @{
 * A page table (struct iomm_pgt) is a radix tree in one of the formats of
 * enum iomm_pgt_format, built in pages from a pool. It is usable on its own,
 * without any backend: map, unmap, look up, walk, free.
 *
 * **Rules.** Every call either succeeds completely or fails and leaves the
 * table exactly as it was: a map over an existing mapping fails with
 * ::IOMM_EEXIST, and a map (or an unmap that must split a block) that cannot
 * get all the table pages it needs fails with ::IOMM_ENOMEM before writing
 * anything. The pages a call needs are counted and reserved first.
 *
 * **Invalidation.** iomm_pgt_unmap() never frees a table page the hardware
 * might still walk. It records in a struct iomm_gather what must be
 * invalidated and which pages wait for that; after the invalidation has
 * completed the caller (usually a backend) hands the gather to
 * iomm_pgt_gather_release(). Mapping over invalid entries needs no
 * invalidation (IOMMUs do not cache invalid entries), except on hardware
 * with caching mode, which backends handle.
 *
 * **Cache maintenance.** When the table is not walked coherently (its port
 * lacks ::IOMM_PORT_DMA_COHERENT, or ::IOMM_PGT_NONCOHERENT is set), each run of written entries and each new
 * table page is cleaned with iomm_port::clean_tables once, after it is
 * complete and before anything points to it.
 *
 * **Concurrency.** Different tables may be used from different threads at
 * once. Calls on one table are serialized with the port's lock hooks (the
 * table is the lock object) when the port has them; otherwise the caller
 * serializes. The readers iomm_pgt_iova_to_phys(), iomm_pgt_lookup() and
 * iomm_pgt_walk() take no lock and, like the hardware, may run concurrently
 * with a map or unmap: every entry is read and written with one
 * single-copy-atomic 64-bit access (also on 32-bit hosts), a new table is
 * zeroed (and cleaned) before it is linked, and a table replacing a block is
 * complete before it is linked, so no reader ever sees a torn entry or a
 * half-built table. A reader overlapping a map or unmap sees each entry as
 * it was before or after it; table pages an unmap removed stay intact until
 * its gather is released. Each function's "Context" paragraph says which
 * lock it takes, through which hooks it may sleep and whether it may run in
 * an interrupt handler.
 */

/** Page-table formats. */
enum iomm_pgt_format {
	IOMM_FMT_ARM_LPAE_S1 = 1, /**< Arm VMSAv8-64 stage 1 (SMMUv2/v3 stage 1, TTBR0). */
	IOMM_FMT_ARM_LPAE_S2 = 2, /**< Arm VMSAv8-64 stage 2 (SMMUv2/v3 stage 2, VTTBR). */
	/**
	 * Intel VT-d second-stage (second-level) tables: 4 KiB granule, 3, 4 or
	 * 5 levels (ias 32..39, 40..48, 49..57), 2 MiB / 1 GiB superpages, R/W
	 * permissions, SNP with ::IOMM_PGT_SNOOP.
	 */
	IOMM_FMT_VTD_SL = 3,
	/**
	 * x86-64 paging as VT-d first-stage tables: 4 KiB granule, 4 levels
	 * (ias 32..47) or 5 (48..56), 2 MiB / 1 GiB pages; A and D preset.
	 * First-stage input addresses are canonical, so the top bit a paging
	 * mode translates (47 or 56) is the sign bit and never part of an
	 * IOVA. Write implies read: a write-only mapping is refused.
	 */
	IOMM_FMT_X86_FL = 4,
	/**
	 * RISC-V IOMMU first-stage tables: the Sv39, Sv48 and Sv57 page tables
	 * of the RISC-V privileged architecture (chapter "Supervisor-Level ISA",
	 * sections Sv39/Sv48/Sv57), as the RISC-V IOMMU v1.0 uses them for
	 * first-stage translation (iosatp / FSC). 4 KiB granule; the mode
	 * follows ias: 3 levels (Sv39) up to 38 input bits, 4 (Sv48) up to
	 * 47, 5 (Sv57) up to 56. Input addresses must be sign-extended (the
	 * top bit a mode translates, 38, 47 or 56, is the sign), so like
	 * ::IOMM_FMT_X86_FL only the lower half is used. Leaves of 4 KiB,
	 * 2 MiB, 1 GiB, 512 GiB (Sv48, Sv57) and 256 TiB (Sv57). Output sizes
	 * 32..56 bits. Leaves have A and D preset, U set unless ::IOMM_PRIV
	 * (supervisor-only), X with ::IOMM_EXEC; write implies read (a
	 * write-only mapping is refused: W without R is reserved). PBMT is 0:
	 * the memory type comes from the platform's PMAs and the prot's type
	 * and shareability are not recorded. No contiguous (Svnapot) leaves.
	 */
	IOMM_FMT_RISCV_S1 = 5,
	/**
	 * RISC-V IOMMU G-stage (second-stage) tables: Sv39x4, Sv48x4 and
	 * Sv57x4 (privileged architecture, hypervisor extension, "Two-Stage
	 * Address Translation"; RISC-V IOMMU iohgatp). Like ::IOMM_FMT_RISCV_S1
	 * but the root table is 16 KiB (four concatenated pages, 16 KiB
	 * aligned, 2 more index bits) in every mode, and guest physical
	 * addresses are zero-extended: 3 levels up to 41 input bits, 4 up to
	 * 50, 5 up to 59. Every leaf has U set (G-stage accesses are checked
	 * as user-mode accesses); ::IOMM_PRIV is refused.
	 */
	IOMM_FMT_RISCV_G = 6,
};

/** Deepest tree any format builds (5-level VT-d / x86-64, Sv57, Sv57x4). */
#define IOMM_PGT_MAX_LEVELS 5

/** @name Configuration flags (iomm_pgt_cfg::flags)
 * @{ */
/**
 * The walker of this table does not snoop CPU caches although the platform
 * does: clean written entries with iomm_port::clean_tables. One rule decides
 * cache maintenance: a table is walked coherently exactly when its port has
 * ::IOMM_PORT_DMA_COHERENT and this flag is clear. Domains set it themselves
 * when their unit reports non-coherent walks; stand-alone tables set it for
 * such a walker. (Bit 0, once a "coherent" flag, is refused.)
 */
#define IOMM_PGT_NONCOHERENT (1u << 5)
/** Never set the contiguous hint, even where a range allows it. */
#define IOMM_PGT_NO_CONTIG (1u << 1)
/** Stage 1: mark leaves not-global (nG) so TLB entries are tagged with the ASID. */
#define IOMM_PGT_NG (1u << 2)
/** Stage 1: mark leaves non-secure (NS). */
#define IOMM_PGT_NS (1u << 3)
/** VT-d second stage: set SNP (snoop) in leaves, for units with ECAP.SC. */
#define IOMM_PGT_SNOOP (1u << 4)
/** @} */

struct iomm_gather;

/**
 * @brief Synchronous invalidation, for break-before-make (iomm_pgt_cfg::inval_sync).
 *
 * The engine calls it in the middle of an operation, with the table's lock
 * held, after it has written the entries of @p range invalid (and cleaned
 * them for a non-coherent walker), and before it writes their replacements.
 * It must invalidate every TLB entry the hardware may hold for @p range in
 * the table's context, and, when range->tables is set, the walk caches for
 * it too, and return only once the invalidation has completed (the
 * equivalent of a CMD_TLBI_* followed by CMD_SYNC, or a TLBI plus sync).
 * Its leaf_sizes and levels describe the entries that were broken, as in an
 * unmap's gather. Three uses: an unmap breaking a contiguous group (leaves,
 * tables false), an unmap splitting a block on an Arm table (the block's
 * span, size and level, tables false), and a map replacing empty tables by
 * a block (tables true;
 * the gather lists those table pages, which the engine returns to the pool
 * itself once the callback returned IOMM_OK: the callback must not release
 * them).
 *
 * @param arg   iomm_pgt_cfg::inval_arg.
 * @param range What to invalidate: [start, end), leaf size and level.
 * @retval IOMM_OK The hardware has forgotten every translation of @p range.
 * @return Any other value: not confirmed. The engine fails the call with
 *         this value, leaving what the table translates as it was: a broken
 *         contiguous group or block is restored, empty tables a map unlinked stay
 *         unlinked and their pages are held back (never reused).
 */
typedef int (*iomm_pgt_inval_fn)(void *arg, const struct iomm_gather *range);

/**
 * @brief Geometry and behaviour of a page table.
 *
 * A zero means "the largest available" here as in iomm_domain_cfg: for a
 * table alone, the largest the format offers; for a domain, the largest its
 * unit and the format share. Backends fill this from what the hardware
 * reports; standalone users fill it themselves.
 */
struct iomm_pgt_cfg {
	enum iomm_pgt_format format; /**< Required. */
	uint32_t granule;            /**< 4096, 16384 or 65536 (4096 only for VT-d, x86-64 and RISC-V). 0: 4096, the smallest. */
	/** Input address bits: 32..48 (32..52 with a 64 KiB granule); VT-d
	 *  second stage 32..57, x86-64 32..56, RISC-V first stage 32..56,
	 *  RISC-V G-stage 32..59. 0: the largest the format offers at this
	 *  granule, capped at 48 (47 for x86-64 and RISC-V first stage, 50
	 *  for RISC-V G-stage), and for Arm stage 2 at the output size.
	 *  iomm_pgt_init() stores the size chosen in iomm_pgt::cfg. */
	uint8_t ias;
	/** Output address bits: 32, 36, 40, 42, 44, 48, or 52 with 64 KiB;
	 *  VT-d and x86-64 any of 32..52; RISC-V any of 32..56. 0: the largest
	 *  the format offers at this granule (48, or 52 with 64 KiB; 52 for
	 *  VT-d and x86-64; 56 for RISC-V). */
	uint8_t oas;
	uint32_t flags;              /**< IOMM_PGT_* flags. */
	/**
	 * Leaf sizes allowed (bit n = 2^n bytes), to honour hardware that lacks
	 * some block sizes. 0: every size the format offers for the granule.
	 * The granule itself is always allowed.
	 */
	uint64_t leaf_sizes;
	/**
	 * Synchronous invalidation for break-before-make; NULL: none. The Arm
	 * architecture requires break-before-make (entry invalid, TLB
	 * invalidated, new entry written) to change the Contiguous bit of
	 * entries that stay mapped, which an unmap of part of a contiguous
	 * group must do. Only a table with this callback therefore uses the
	 * contiguous hint: without it the engine never sets the hint (as with
	 * ::IOMM_PGT_NO_CONTIG) and never needs an invalidation in the middle
	 * of a call. Domains wire it to their backend's invalidation.
	 */
	iomm_pgt_inval_fn inval_sync;
	void *inval_arg; /**< Passed to inval_sync. */
};

/**
 * @brief What an unmap left to invalidate. Caller-allocated; initialise with
 *        iomm_gather_init() and reuse across several unmaps to batch them.
 *
 * The fields are public so that backends can turn them into the fewest
 * invalidation commands; users treat the struct as opaque.
 */
struct iomm_gather {
	uint64_t start;      /**< First address to invalidate (valid when end > start). */
	uint64_t end;        /**< One past the last address to invalidate. */
	uint64_t leaf_sizes; /**< Bit n set: a leaf of 2^n bytes was removed or changed. */
	uint32_t levels;     /**< Bit n set: an entry at lookup level n was removed or changed. */
	bool tables;         /**< Table entries changed: walk caches must be invalidated too. */
	uint32_t nfreed;     /**< Table pages waiting for the invalidation. */
	void *freed;         /**< @private List of those pages. */
	struct iomm_pgt *pgt; /**< @private Table the freed pages belong to. */
};

/** @brief One mapping, as iomm_pgt_lookup() and iomm_pgt_walk() report it. */
struct iomm_mapping {
	uint64_t iova;  /**< First input address of the leaf. */
	uint64_t pa;    /**< Output address it translates to. */
	uint64_t size;  /**< Size of the leaf in bytes (page, block or contiguous group member). */
	uint32_t prot;  /**< IOMM_READ/WRITE/EXEC/PRIV plus memory type and shareability. */
	/**
	 * Lookup level of the leaf entry. Arm LPAE: 0..3, 3 holds pages. VT-d,
	 * x86-64 and RISC-V: 0..4 counted from a 5-level root, 4 holds 4 KiB
	 * pages, 3 2 MiB and 2 1 GiB pages (a 4-level table starts at level 1;
	 * RISC-V has 512 GiB leaves at level 1 and 256 TiB at level 0).
	 */
	uint8_t level;
	bool contig;    /**< The entry carries the contiguous hint. */
};

/**
 * @brief Callback of iomm_pgt_walk().
 * @param arg The argument given to iomm_pgt_walk().
 * @param m   The mapping (valid only during the call).
 * @return 0 to continue, any other value to stop the walk with that value.
 */
typedef int (*iomm_walk_fn)(void *arg, const struct iomm_mapping *m);

/**
 * @brief Values for a translation regime's control registers (TCR/VTCR, CD, STE, TTBR, MAIR).
 *
 * Encodings are the architectural ones, so SMMUv2 context banks and SMMUv3
 * context descriptors and stream table entries can copy them.
 */
struct iomm_lpae_regs {
	uint64_t ttbr;   /**< Physical address of the root table. */
	uint64_t mair;   /**< Stage 1 only: MAIR value matching the AttrIndx the builder writes. */
	uint8_t tsz;     /**< T0SZ / S2T0SZ = 64 - ias. */
	uint8_t tg;      /**< TG0 encoding: 0 = 4K, 1 = 64K, 2 = 16K. */
	uint8_t sl0;     /**< Stage 2 only: SL0 encoding of the start level. */
	uint8_t ps;      /**< IPS/PS encoding of oas: 0 = 32 bits ... 5 = 48, 6 = 52. */
	uint8_t irgn;    /**< Inner cacheability of walks: 1 = WB-WA (coherent), 0 = non-cacheable. */
	uint8_t orgn;    /**< Outer cacheability of walks, same encoding. */
	uint8_t sh;      /**< Shareability of walks: 3 = inner (coherent), 2 = outer (non-cacheable walks, which are Outer Shareable). */
	uint8_t start_level; /**< Lookup level of the root table. */
	uint8_t concat;  /**< Stage 2: number of concatenated root tables (1 = none). */
};

/** @cond INTERNAL */
struct iomm_pgt_fmt;
/** @endcond */

/**
 * @brief A page table. Caller-allocated; fields are private.
 *
 * Before iomm_pgt_init() the object must be zeroed (static storage, `= {0}`,
 * memset) or have been passed to iomm_pgt_destroy(): init refuses a live
 * table with ::IOMM_EBUSY rather than leak its pages.
 */
struct iomm_pgt {
	/** @cond INTERNAL */
	struct iomm_pgt_cfg cfg;
	const struct iomm_pgt_fmt *fmt; /* the format's descriptor */
	const struct iomm_port *port;
	struct iomm_pool *pool;
	uint64_t *root;
	uint64_t root_pa;
	uint64_t oa_mask;       /* output address bits of a descriptor */
	uint64_t gmask;         /* granule - 1 */
	uint64_t in_limit;      /* 2^ias */
	uint64_t out_limit;     /* 2^oas */
	uint64_t oa_fold;       /* descriptor bits holding PA[51:48] (52-bit, 64 KiB) */
	uint64_t va_pa_off;     /* table pointer = pa - va_pa_off (linear pools) */
	uint64_t leaf_sizes;    /* allowed leaf sizes */
	uint32_t last_prot;     /* prot of the previous map ... */
	uint64_t last_attr;     /* ... and its descriptor attributes */
	uint64_t v_mask;        /* descriptor bits of which one makes an entry valid */
	uint64_t t_mask, t_val; /* (pte & t_mask) == t_val: a table entry (above the last level) */
	uint64_t t_bits;        /* bits of a table entry besides the address */
	uint64_t type_mask;     /* bits telling leaf kinds apart ... */
	uint64_t page_bits;     /* ... in a last-level leaf */
	uint64_t block_bits;    /* ... in a leaf above the last level */
	uint64_t full_bit;      /* link bit: the table holds only valid leaves (0: unused) */
	uint32_t idx_mask[IOMM_PGT_MAX_LEVELS]; /* index mask per level (the root's differs) */
	uint8_t shift[IOMM_PGT_MAX_LEVELS];     /* log2 of the bytes one entry maps, per level */
	uint8_t lvl_for[64];    /* first level whose entries map at most 2^k bytes */
	uint8_t cont_shift[IOMM_PGT_MAX_LEVELS]; /* log2(entries per contiguous group), 0 = none */
	uint8_t last;           /* the level holding granule-sized leaves */
	uint8_t start_level;
	uint8_t page_shift;     /* log2(granule) */
	uint8_t bits;           /* index bits per level */
	uint8_t root_bits;      /* index bits of the (possibly concatenated) root */
	uint8_t root_pages;     /* pages in the root */
	uint8_t oa_shift;       /* descriptors hold PA >> oa_shift (RISC-V: 2) */
	bool oa_enc;            /* output addresses not in place (oa_fold or oa_shift) */
	bool linear;            /* pool with a fixed va/pa offset */
	bool plain;             /* linear, addresses in place: the fastest walk */
	bool coherent;
	uint32_t live;          /* set by init, cleared by destroy */
	struct iomm_pgt *pool_next; /* the pool's next live table */
	/** @endcond */
};

/**
 * @brief Create an empty page table.
 *
 * Allocates the root table (one page, or up to 16 concatenated pages for a
 * stage-2 table whose start level was lowered) from @p pool.
 *
 * @param pgt  Table object to initialise (caller-allocated): zeroed, or
 *             destroyed with iomm_pgt_destroy() since its last init.
 * @param cfg  Geometry and behaviour; copied.
 * @param pool Pool with page size equal to cfg->granule.
 * @param port Port for cache cleaning, locking and phys_to_virt; must stay valid.
 *
 * @retval IOMM_OK      The table is empty and ready.
 * @retval IOMM_EBUSY   @p pgt is a live table (initialised and not
 *                      destroyed); it is left as it was.
 * @retval IOMM_EINVAL  NULL argument; unknown format; a flag that is unknown
 *                      or not the format's; pool page size differs from the
 *                      granule; non-coherent walk (see ::IOMM_PGT_NONCOHERENT)
 *                      without a clean_tables hook; port pool without
 *                      phys_to_virt.
 * @retval IOMM_ENOTSUP Granule, input or output size not supported by the
 *                      format (e.g. 52 bits with a 4 KiB granule).
 * @retval IOMM_ENOMEM  The pool has no room for the root table.
 *
 * @par Context
 * Takes no table lock (the table is not shared yet); allocates the root from
 * the pool under the pool's lock (page_alloc for a port pool) and cleans it
 * with iomm_port::clean_tables if the table is not coherent. May sleep only if
 * the pool's lock or page_alloc can. Callable from an interrupt handler only if
 * those hooks are safe there.
 */
int iomm_pgt_init(struct iomm_pgt *pgt, const struct iomm_pgt_cfg *cfg, struct iomm_pool *pool,
		  const struct iomm_port *port);

/**
 * @brief Free every table page, the root included.
 *
 * The table must no longer be reachable by the hardware (detached and
 * invalidated). The object may be re-initialised afterwards; until it is
 * destroyed, iomm_pgt_init() refuses it with ::IOMM_EBUSY.
 *
 * @param pgt The table; NULL is ignored.
 *
 * @par Context
 * Takes no table lock: nothing else may use the table, and no hardware may walk
 * it any more. Returns every page to the pool under the pool's lock (page_free
 * for a port pool); calls no other hook and never waits for hardware. May sleep
 * only if the pool's lock or page_free can; callable from an interrupt handler
 * only if those hooks are safe there.
 */
void iomm_pgt_destroy(struct iomm_pgt *pgt);

/**
 * @brief Map [@p iova, @p iova + @p size) to [@p pa, @p pa + @p size).
 *
 * Uses the largest leaves that alignment of @p iova and @p pa, the remaining
 * size and cfg.leaf_sizes allow, and sets the contiguous hint on every
 * complete, aligned group (Arm formats, on a table with
 * iomm_pgt_cfg::inval_sync and without ::IOMM_PGT_NO_CONTIG). Existing
 * tables are reused, except that on a table with iomm_pgt_cfg::inval_sync a
 * block also goes where an empty table sits (left by earlier unmaps): the
 * table is unlinked, inval_sync invalidates its span and the walk caches,
 * its pages return to the pool, then the block is written. Without
 * inval_sync the empty table is reused and filled with smaller leaves.
 *
 * The VT-d and x86-64 formats keep what they can express: read and write
 * (VT-d second stage), or read, write and IOMM_PRIV (clear U/S) with
 * IOMM_MEM_NC / IOMM_MEM_DEVICE as uncached (PCD|PWT) on x86-64. They grant
 * no execute permission, and ignore shareability.
 *
 * @param pgt  The table.
 * @param iova Input address, aligned to the granule.
 * @param pa   Output address, aligned to the granule.
 * @param size Bytes, a non-zero multiple of the granule.
 * @param prot IOMM_READ / IOMM_WRITE / IOMM_EXEC / IOMM_PRIV and memory
 *             type bits; at least one of READ and WRITE.
 *
 * @retval IOMM_OK      Everything is mapped.
 * @retval IOMM_EINVAL  Misaligned or zero size, unknown or empty @p prot,
 *                      a permission the format cannot express (write
 *                      without read on ::IOMM_FMT_X86_FL and the RISC-V
 *                      formats, IOMM_PRIV on ::IOMM_FMT_VTD_SL,
 *                      ::IOMM_FMT_ARM_LPAE_S2 or ::IOMM_FMT_RISCV_G), or a
 *                      range that wraps.
 * @retval IOMM_ERANGE  The input range exceeds ias or the output range oas.
 * @retval IOMM_EEXIST  Part of the range is already mapped; nothing changed.
 * @retval IOMM_ENOMEM  Not enough table pages; nothing changed, nothing leaked.
 * @return Any other value iomm_pgt_cfg::inval_sync returned when the map
 *         replaced empty tables by a block: nothing is mapped, the empty
 *         tables stay unlinked and their pages are held back.
 *
 * @par Context
 * Takes the table's lock (iomm_port::lock, the table is the lock object), and
 * within it the pool's lock for each table page (page_alloc for a port pool);
 * calls clean_tables for a non-coherent table, and iomm_pgt_cfg::inval_sync
 * (with the table's lock held) when it replaces empty tables by a block. May sleep only if one of those
 * hooks can. Callable from an interrupt handler only if they are all safe
 * there. Serialized against other map/unmap calls on the table; readers
 * (iova_to_phys, lookup, walk) may run alongside.
 */
int iomm_pgt_map(struct iomm_pgt *pgt, uint64_t iova, uint64_t pa, uint64_t size, uint32_t prot);

/**
 * @brief Remove every mapping in [@p iova, @p iova + @p size).
 *
 * Holes in the range are allowed. A block only partly inside the range is
 * split: the part outside stays mapped with the same attributes, using the
 * largest leaves possible. Tables whose whole span lies inside the range are
 * unlinked and queued in @p gather; they are reusable only after
 * iomm_pgt_gather_release().
 *
 * A contiguous group only partly inside the range loses its hint by
 * break-before-make: the group's entries are written invalid (and cleaned),
 * iomm_pgt_cfg::inval_sync invalidates the group's range and returns once
 * that has completed, then the entries outside the range are rewritten
 * without the hint. During that window the rest of the group is unmapped
 * (a device access there faults, a concurrent lookup finds nothing), as the
 * architecture requires. Only tables with inval_sync use the hint at all.
 *
 * A block split on an Arm table with inval_sync is break-before-make too
 * (a change of block size): the new table is built aside, the block's entry
 * is written invalid, inval_sync invalidates the block's span, then the
 * link to the table is written; meanwhile the whole block is unmapped. An
 * unmap cuts at most two blocks (at its edges), both broken before either
 * is replaced, with one inval_sync call each. Without inval_sync, and on VT-d and x86-64 tables (no such rule),
 * the link replaces the block at once and @p gather carries the block.
 *
 * @param pgt      The table.
 * @param iova     Start, aligned to the granule.
 * @param size     Bytes, a non-zero multiple of the granule.
 * @param gather   Receives what must be invalidated. Must have been
 *                 initialised; may carry earlier unmaps of the same table.
 * @param unmapped If not NULL, receives the number of bytes that were
 *                 mapped and are now unmapped.
 *
 * @retval IOMM_OK      Done (also when nothing was mapped).
 * @retval IOMM_EINVAL  Misaligned, zero or wrapping range; NULL @p gather,
 *                      or a gather holding pages of another table.
 * @retval IOMM_ERANGE  The range exceeds ias.
 * @retval IOMM_ENOMEM  A block had to be split and no table page was left;
 *                      nothing changed.
 * @return Any other value iomm_pgt_cfg::inval_sync returned: a
 *         break-before-make invalidation was not confirmed; the entries it
 *         broke were restored and nothing was unmapped.
 *
 * @par Context
 * Takes the table's lock, and within it the pool's lock when a block split
 * needs a table page (page_alloc for a port pool); calls clean_tables for a
 * non-coherent table, and iomm_pgt_cfg::inval_sync (with the table's lock
 * held) when it must break a contiguous group or split a block. Frees nothing: removed table
 * pages wait in @p gather. May sleep only if one of those hooks can; callable
 * from an interrupt handler only if they are all safe there.
 */
int iomm_pgt_unmap(struct iomm_pgt *pgt, uint64_t iova, uint64_t size, struct iomm_gather *gather,
		   uint64_t *unmapped);

/**
 * @brief Change the output address and/or permissions of a live mapping in
 *        place, without the window of faults of an unmap and a map.
 *
 * Every leaf of [@p iova, @p iova + @p size) is rewritten to map
 * @p pa + (its address - @p iova) with @p prot, keeping its size. Where the
 * architecture allows a live entry to change without break-before-make the
 * new entry is stored in place and the change is recorded in @p gather, for
 * the caller's invalidation (until then the device may use the old or the
 * new entry): on Arm LPAE a change of permissions only (AP, PXN/UXN, S2AP,
 * XN); on VT-d second-stage and x86-64 tables every change (those units
 * have no break-before-make rule). Where it requires break-before-make (Arm:
 * output address, memory type or shareability, the Contiguous bit) the
 * leaves are written invalid, iomm_pgt_cfg::inval_sync invalidates their
 * range once, and the new leaves are written: devices fault on those leaves
 * only for the duration of that invalidation. A contiguous group keeps its
 * hint when the update covers it whole and keeps it aligned; a group the
 * range cuts loses it first (see iomm_pgt_unmap()).
 *
 * @param pgt    The table.
 * @param iova   Start, aligned to the granule; must be the start of a leaf.
 * @param pa     New output address of @p iova, aligned to every leaf's size
 *               at its offset (the largest leaf of the range decides).
 * @param size   Bytes, a non-zero multiple of the granule; the range must
 *               consist of whole leaves (see iomm_pgt_lookup()).
 * @param prot   New permissions and attributes, as for iomm_pgt_map().
 * @param gather Receives what the caller must invalidate (in-place
 *               changes). Initialised; may carry earlier calls on the table.
 *
 * @retval IOMM_OK      Every leaf is updated; in-place changes are in
 *                      @p gather.
 * @retval IOMM_EINVAL  Misaligned, zero or wrapping range or output; a leaf
 *                      crosses the range's edges or would be misaligned at
 *                      its new output; unknown or inexpressible @p prot;
 *                      NULL @p gather or one of another table. Nothing
 *                      changed.
 * @retval IOMM_ERANGE  The input range exceeds ias or the output range oas.
 * @retval IOMM_ENOENT  Part of the range is not mapped; nothing changed.
 * @retval IOMM_ENOTSUP The change needs break-before-make and the table has
 *                      no iomm_pgt_cfg::inval_sync; nothing changed.
 * @return Any other value inval_sync returned: if it was breaking a
 *         contiguous group the range cuts, nothing changed; if it was
 *         breaking the leaves to update, those leaves are left unmapped and
 *         recorded in @p gather (with the in-place changes already made).
 *
 * @par Context
 * Takes the table's lock; calls clean_tables for a non-coherent table and
 * iomm_pgt_cfg::inval_sync (with the table's lock held) when it must break
 * entries. Allocates nothing. May sleep only if one of those hooks can;
 * callable from an interrupt handler only if they are all safe there.
 */
int iomm_pgt_update(struct iomm_pgt *pgt, uint64_t iova, uint64_t pa, uint64_t size, uint32_t prot,
		    struct iomm_gather *gather);

/**
 * @brief Translate one input address.
 * @param pgt  The table.
 * @param iova Any input address.
 * @param pa   Receives the output address (with the offset inside the page).
 * @retval IOMM_OK     Translated.
 * @retval IOMM_ENOENT Not mapped (or beyond ias).
 * @retval IOMM_EINVAL NULL @p pa, or a NULL, never initialised or destroyed
 *                     @p pgt.
 *
 * @par Context
 * Lock-free: takes no lock and calls no hook (port pools: phys_to_virt only).
 * Never sleeps; callable from any context, also while another thread maps or
 * unmaps on the same table.
 */
int iomm_pgt_iova_to_phys(const struct iomm_pgt *pgt, uint64_t iova, uint64_t *pa);

/**
 * @brief Describe the leaf that maps @p iova.
 * @param pgt  The table.
 * @param iova Any input address.
 * @param m    Receives the leaf (its first address, output address, size, prot).
 * @retval IOMM_OK     Found.
 * @retval IOMM_ENOENT Not mapped (or beyond ias).
 * @retval IOMM_EINVAL NULL @p m, or a NULL, never initialised or destroyed
 *                     @p pgt.
 *
 * @par Context
 * Lock-free: takes no lock and calls no hook (port pools: phys_to_virt only).
 * Never sleeps; callable from any context, also while another thread maps or
 * unmaps on the same table.
 */
int iomm_pgt_lookup(const struct iomm_pgt *pgt, uint64_t iova, struct iomm_mapping *m);

/**
 * @brief Visit every leaf that intersects [@p iova, @p iova + @p size), in address order.
 * @param pgt  The table.
 * @param iova Start of the range (need not be aligned).
 * @param size Bytes; 0 means "to the end of the input range".
 * @param fn   Called once per leaf entry.
 * @param arg  Passed to @p fn.
 * @retval IOMM_OK     Every leaf was visited.
 * @retval IOMM_EINVAL NULL @p fn, or a range that wraps.
 * @return Any non-zero value @p fn returned, which stops the walk.
 *
 * @par Context
 * Lock-free: takes no lock; calls only @p fn (and phys_to_virt for port pools).
 * Never sleeps unless @p fn does; callable from any context @p fn allows, also
 * while another thread maps or unmaps on the same table (@p fn then sees each
 * entry as it was before or after that change).
 */
int iomm_pgt_walk(const struct iomm_pgt *pgt, uint64_t iova, uint64_t size, iomm_walk_fn fn,
		  void *arg);

/**
 * @brief Register values for the hardware that will walk this table.
 * @param pgt  The table.
 * @param regs Receives TTBR, MAIR, T0SZ, TG, SL0, PS and walk attributes.
 * @retval IOMM_OK     Filled.
 * @retval IOMM_EINVAL NULL argument, or a table not in an Arm LPAE format.
 *
 * @par Context
 * Reads the table's configuration only: no lock, no hook. Never sleeps; any
 * context.
 */
int iomm_pgt_lpae_regs(const struct iomm_pgt *pgt, struct iomm_lpae_regs *regs);

/**
 * @brief Number of lookup levels the hardware walks for this table (the
 *        AGAW/AW or paging-mode a VT-d context or PASID entry names).
 * @param pgt The table.
 * @return 2..5; 0 for NULL or an uninitialised table.
 *
 * @par Context
 * Reads the table's configuration only: no lock, no hook. Never sleeps; any
 * context.
 */
unsigned iomm_pgt_levels(const struct iomm_pgt *pgt);

/**
 * @brief Leaf sizes this table uses (bit n = 2^n bytes): what a virtio-iommu
 *        page_size_mask or an SMMU's page-size bitmap advertises.
 * @param pgt The table.
 * @return The bitmap; 0 for NULL.
 *
 * @par Context
 * Reads the table's configuration only: no lock, no hook. Never sleeps; any
 * context.
 */
uint64_t iomm_pgt_page_sizes(const struct iomm_pgt *pgt);

/**
 * @brief Physical address of the root table.
 * @param pgt The table.
 * @return The address; 0 for NULL.
 *
 * @par Context
 * Reads the table's configuration only: no lock, no hook. Never sleeps; any
 * context.
 */
uint64_t iomm_pgt_root_pa(const struct iomm_pgt *pgt);

/** @cond INTERNAL */
void iomm_gather_free_pages(struct iomm_gather *gather);
/** @endcond */

/**
 * @brief Prepare an empty gather.
 * @param gather Caller-allocated gather; must not be NULL.
 *
 * @par Context
 * Touches only @p gather: no lock, no hook. Never sleeps; any context.
 */
static inline void iomm_gather_init(struct iomm_gather *gather)
{
	gather->start = 0;
	gather->end = 0;
	gather->leaf_sizes = 0;
	gather->levels = 0;
	gather->tables = false;
	gather->nfreed = 0;
	gather->freed = NULL;
	gather->pgt = NULL;
}

/**
 * @brief Whether a gather holds anything to invalidate.
 * @param gather The gather.
 * @return true if at least one address or table entry changed.
 *
 * @par Context
 * Reads only @p gather: no lock, no hook. Never sleeps; any context.
 */
static inline bool iomm_gather_pending(const struct iomm_gather *gather)
{
	return gather->end > gather->start || gather->tables || gather->nfreed;
}

/**
 * @brief After the invalidation a gather describes has completed, return its
 *        table pages to their pool and empty the gather for reuse.
 * @param gather The gather; must not be NULL.
 *
 * @par Context
 * Returns the gathered pages under the pool's lock (page_free for a port pool);
 * takes no table lock. May sleep only if those hooks can. Callable from an
 * interrupt handler only if they are safe there.
 */
static inline void iomm_pgt_gather_release(struct iomm_gather *gather)
{
	if (gather->freed)
		iomm_gather_free_pages(gather);
	iomm_gather_init(gather);
}

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* IOMMUMAN_PGTABLE_H */
