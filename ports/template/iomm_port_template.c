/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iommuman port template.
 *
 * Copy this file into your firmware, hypervisor or kernel, rename the
 * `tmpl_` prefix if you like, and replace every body marked PORT: with what
 * your platform does. It compiles as it stands (freestanding, only
 * <stdint.h>, <stddef.h>, <stdbool.h> and the iommuman headers)
 * and is a usable starting point for a single-core, identity-mapped system
 * with coherent IOMMU table walks, but every choice below is an assumption
 * about your platform that you must check.
 *
 * Contract shared by all hooks (see include/iommuman/port.h):
 *  - `ctx` is iomm_port::ctx, passed back unchanged. This template does not
 *    need one; point it at your own state if you do.
 *  - Unless a hook says otherwise it may be called with the port's lock
 *    held: it must never call back into iommuman.
 *  - A hook left NULL in the table means "not provided"; the library then
 *    falls back (documented per hook) or fails the operation that needs it
 *    with IOMM_EINVAL. It never crashes on a NULL hook.
 *
 * What to change first (search for "PORT:"):
 *  1. TMPL_PA_TO_VA_OFFSET if physical and virtual addresses differ.
 *  2. The barriers and cache maintenance for your architecture, if it is
 *     not one of those handled below.
 *  3. The lock, if more than one CPU or an interrupt handler calls iommuman.
 *  4. The clock (TMPL_COUNTER_HZ on x86, or your own timer).
 *  5. Logging: forward to your console.
 *  6. Table memory: keep page_alloc/page_free NULL and use region pools
 *     (iomm_pool_init()) unless you have a page allocator.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iommuman/iommuman.h>

/* ------------------------------------------------------------------------
 * Platform parameters. PORT: adjust.
 * ---------------------------------------------------------------------- */

/*
 * Virtual address of a table page = physical address + this offset. Zero on
 * identity-mapped systems. Must match what you pass as mem / mem_pa to
 * iomm_pool_init() for region pools.
 */
#ifndef TMPL_PA_TO_VA_OFFSET
#define TMPL_PA_TO_VA_OFFSET 0u
#endif

/* Frequency of the free-running counter read by tmpl_now_ns() on x86 (TSC). */
#ifndef TMPL_COUNTER_HZ
#define TMPL_COUNTER_HZ 1000000000u
#endif

/* Smallest data cache line on the system, used where it cannot be read (x86). */
#ifndef TMPL_CACHE_LINE
#define TMPL_CACHE_LINE 64u
#endif

/* A compiler barrier: stops the compiler moving memory accesses across it. */
#define TMPL_COMPILER_BARRIER() __asm__ __volatile__("" ::: "memory")

/* ------------------------------------------------------------------------
 * MMIO access
 *
 * When: probe, configuration, command/invalidation queues, fault polling;
 * never on the iomm_pgt_map()/iomm_pgt_unmap() path of a standalone table.
 * May block: no.
 * Must: perform exactly ONE device access of the given width at `addr`
 * (the unit's register base you passed to the backend + an offset), in
 * program order with every other MMIO hook call. Use the mapping your
 * platform gives device memory (Device-nGnRE on Arm, UC on x86).
 * Getting it wrong: a split or merged access, or one the compiler reorders
 * or elides, makes the IOMMU see torn command-queue pointers or misses
 * register acknowledgements: timeouts, lost invalidations, stale TLBs.
 * ---------------------------------------------------------------------- */

static uint32_t tmpl_read32(void *ctx, uintptr_t addr)
{
	(void)ctx;
	/* PORT: use your platform's MMIO accessor if it has one. */
	return *(const volatile uint32_t *)addr;
}

static void tmpl_write32(void *ctx, uintptr_t addr, uint32_t val)
{
	(void)ctx;
	*(volatile uint32_t *)addr = val;
}

/*
 * 64-bit accesses. Optional: if NULL, the library does two 32-bit accesses,
 * low word first, which is what the SMMU and VT-d specifications allow for
 * 64-bit registers. Provide them only if a single 64-bit access is atomic on
 * your interconnect; on 32-bit CPUs leave them NULL.
 */
#if UINTPTR_MAX > 0xffffffffu
static uint64_t tmpl_read64(void *ctx, uintptr_t addr)
{
	(void)ctx;
	return *(const volatile uint64_t *)addr;
}

static void tmpl_write64(void *ctx, uintptr_t addr, uint64_t val)
{
	(void)ctx;
	*(volatile uint64_t *)addr = val;
}
#define TMPL_READ64 tmpl_read64
#define TMPL_WRITE64 tmpl_write64
#else
#define TMPL_READ64 NULL
#define TMPL_WRITE64 NULL
#endif

/* ------------------------------------------------------------------------
 * Ordering
 * ---------------------------------------------------------------------- */

/*
 * wmb: make every earlier write to normal memory (table entries, queue
 * slots) visible to the IOMMU before any later write to memory or MMIO.
 * When: before a new table is linked into its parent, before a queue's
 * producer index is published. May block: no.
 * Getting it wrong: the IOMMU walks a half-initialised table or reads a
 * command slot before it is written: random translation faults, or
 * translations to garbage addresses. NULL means a compiler barrier only,
 * which is correct on x86 (stores are ordered) but NOT on Arm or RISC-V.
 */
static void tmpl_wmb(void *ctx)
{
	(void)ctx;
#if defined(__aarch64__)
	__asm__ __volatile__("dsb st" ::: "memory");
#elif defined(__arm__)
	__asm__ __volatile__("dsb st" ::: "memory");
#elif defined(__riscv)
	__asm__ __volatile__("fence w,ow" ::: "memory");
#elif defined(__x86_64__) || defined(__i386__)
	__asm__ __volatile__("sfence" ::: "memory");
#else
	/* PORT: your architecture's store barrier towards devices. */
	TMPL_COMPILER_BARRIER();
#endif
}

/*
 * mb: full barrier between earlier and later accesses to memory and MMIO.
 * When: between writing memory the IOMMU reads and an MMIO access that
 * makes it read it, and around completion polling. May block: no.
 * Getting it wrong: the IOMMU acts on stale queue contents; a completion
 * read is satisfied before the command it waits for.
 */
static void tmpl_mb(void *ctx)
{
	(void)ctx;
#if defined(__aarch64__) || defined(__arm__)
	__asm__ __volatile__("dsb sy" ::: "memory");
#elif defined(__riscv)
	__asm__ __volatile__("fence iorw,iorw" ::: "memory");
#elif defined(__x86_64__) || defined(__i386__)
	__asm__ __volatile__("mfence" ::: "memory");
#else
	/* PORT: your architecture's full barrier. */
	TMPL_COMPILER_BARRIER();
#endif
}

/* ------------------------------------------------------------------------
 * Table memory
 * ---------------------------------------------------------------------- */

/*
 * page_alloc: return `size` bytes aligned to `align` (both powers of two,
 * at least 4 KiB) of memory the IOMMU can walk and DMA into, put its
 * physical address in *pa, or return NULL when out of memory. It need not
 * be zeroed (the pool zeroes it).
 * When: only for pools made with iomm_pool_init_port(), from
 * iomm_pgt_map(), iomm_pgt_unmap() (block split), table and backend init.
 * May block: only if every caller of those functions may sleep; with a
 * spinning lock held (see tmpl_lock) it must not.
 * Getting it wrong: memory the IOMMU cannot reach, or a wrong *pa, makes
 * every walk through that page fault or read someone else's memory.
 * Returning the same memory twice corrupts tables silently.
 *
 * PORT: this template has no allocator, so page_alloc and page_free stay
 * NULL in iomm_port_template below and the library uses region pools
 * (iomm_pool_init() on memory you reserve, the freestanding choice): with
 * NULL hooks iomm_pool_init_port() fails with IOMM_EINVAL at once, rather
 * than succeeding and every table allocation failing later. To use your
 * page allocator, define TMPL_PAGE_ALLOCATOR to 1 and call it from these
 * two functions.
 */
#ifndef TMPL_PAGE_ALLOCATOR
#define TMPL_PAGE_ALLOCATOR 0
#endif

#if TMPL_PAGE_ALLOCATOR
static void *tmpl_page_alloc(void *ctx, size_t size, size_t align, uint64_t *pa)
{
	(void)ctx;
	(void)size;
	(void)align;
	(void)pa;
	return NULL;
}

/*
 * page_free: give back memory from page_alloc(). `size` is the size passed
 * to page_alloc(). When: the same contexts as page_alloc(), plus
 * iomm_pgt_gather_release() and iomm_pgt_destroy(). May block: as
 * page_alloc(). Getting it wrong: freeing memory the IOMMU may still walk
 * is a use-after-free by hardware; the library only frees pages after the
 * invalidation that covers them, so do not defer or reorder frees.
 */
static void tmpl_page_free(void *ctx, void *va, size_t size)
{
	(void)ctx;
	(void)va;
	(void)size;
	/* PORT: return the pages to your allocator. */
}
#endif /* TMPL_PAGE_ALLOCATOR */

/*
 * phys_to_virt: turn the physical address of a table page from page_alloc()
 * back into a pointer. When: on every table walk step through port-pool
 * memory (a hot path: keep it a few instructions). Region pools do not call
 * it. May block: no. Getting it wrong: the library reads and writes table
 * entries through a wrong pointer: memory corruption anywhere.
 */
static void *tmpl_phys_to_virt(void *ctx, uint64_t pa)
{
	(void)ctx;
	/* PORT: your linear-map offset, or a lookup in your page allocator. */
	return (void *)(uintptr_t)(pa + TMPL_PA_TO_VA_OFFSET);
}

/*
 * clean_tables: write `len` bytes at `va` back to the point of coherency
 * so that a non-coherent table walker sees them, and wait until that has
 * completed. When: only for tables that are not walked coherently (see
 * IOMM_PORT_DMA_COHERENT and IOMM_PGT_NONCOHERENT), once per run of written
 * entries and once per new table page, from map and unmap. May block: no.
 * Getting it wrong: the walker reads stale entries from memory: new
 * mappings fault, removed ones keep translating (a security hole). NULL is
 * refused for non-coherent tables.
 */
static void tmpl_clean_tables(void *ctx, const void *va, size_t len)
{
	(void)ctx;
	if (len == 0)
		return;
#if defined(__aarch64__)
	uint64_t ctr;
	__asm__ __volatile__("mrs %0, ctr_el0" : "=r"(ctr));
	/* CTR_EL0.DminLine: log2 of the smallest D-cache line in words. */
	uintptr_t line = (uintptr_t)4u << ((ctr >> 16) & 0xfu);
	uintptr_t p = (uintptr_t)va & ~(line - 1u);
	uintptr_t end = (uintptr_t)va + len;
	/*
	 * Clean and invalidate (dc civac), not only clean (dc cvac): the
	 * backends also call this hook before reading what the IOMMU wrote
	 * (SMMUv3 event records, the VT-d wait status), which needs the stale
	 * line gone; for table writes alone a clean would do.
	 */
	for (; p < end; p += line)
		__asm__ __volatile__("dc civac, %0" : : "r"(p) : "memory");
	__asm__ __volatile__("dsb sy" ::: "memory");
#elif defined(__x86_64__) || defined(__i386__)
	/* Non-coherent walks on x86 (VT-d without ECAP.C): flush each line. */
	uintptr_t p = (uintptr_t)va & ~(uintptr_t)(TMPL_CACHE_LINE - 1u);
	uintptr_t end = (uintptr_t)va + len;
	__asm__ __volatile__("mfence" ::: "memory");
	for (; p < end; p += TMPL_CACHE_LINE)
		__asm__ __volatile__("clflush (%0)" : : "r"(p) : "memory");
	__asm__ __volatile__("mfence" ::: "memory");
#else
	/* PORT: clean [va, va + len) to the point of coherency and wait. */
	(void)va;
	TMPL_COMPILER_BARRIER();
#endif
}

/* ------------------------------------------------------------------------
 * Locking
 *
 * lock/unlock guard one object: a pool, a page table or a unit (obj is its
 * address). The library nests at most two locks, always in the order
 * "table (or unit) lock, then pool lock"; with one lock for everything, as
 * here, the lock must therefore be recursive. When: around every map,
 * unmap, walk-modifying call, pool allocation and unit operation. May
 * block: spin or sleep as your callers allow; the library holds it only
 * for bounded work, but unit operations include hardware polls bounded by
 * now_ns(). Getting it wrong: two CPUs modifying one table corrupt it;
 * a non-recursive single lock deadlocks on the first map that allocates.
 * Both NULL: every caller serializes all calls on one object itself.
 *
 * PORT: this is a recursive spinlock keyed by tmpl_cpu_id(). On a single
 * CPU without interrupt-time callers it works as is. On SMP make
 * tmpl_cpu_id() return the current CPU (MPIDR_EL1, APIC ID, hart ID),
 * and if interrupt handlers call iommuman, also mask interrupts.
 * ---------------------------------------------------------------------- */

struct tmpl_lock_state {
	unsigned owner; /* CPU id + 1 of the holder, 0 when free */
	unsigned depth; /* recursion depth of the holder */
};

static struct tmpl_lock_state tmpl_lock_state;

static unsigned tmpl_cpu_id(void)
{
	/* PORT: return this CPU's index. */
	return 0;
}

static void tmpl_cpu_relax(void)
{
#if defined(__aarch64__) || (defined(__arm__) && defined(__ARM_ARCH) && __ARM_ARCH >= 7)
	__asm__ __volatile__("yield" ::: "memory");
#elif defined(__x86_64__) || defined(__i386__)
	__asm__ __volatile__("pause" ::: "memory");
#else
	TMPL_COMPILER_BARRIER();
#endif
}

static void tmpl_lock(void *ctx, void *obj)
{
	unsigned me = tmpl_cpu_id() + 1u;
	(void)ctx;
	(void)obj;

	if (__atomic_load_n(&tmpl_lock_state.owner, __ATOMIC_RELAXED) == me) {
		tmpl_lock_state.depth++;
		return;
	}
	for (;;) {
		unsigned expected = 0;
		if (__atomic_compare_exchange_n(&tmpl_lock_state.owner, &expected, me, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			break;
		while (__atomic_load_n(&tmpl_lock_state.owner, __ATOMIC_RELAXED) != 0)
			tmpl_cpu_relax();
	}
	tmpl_lock_state.depth = 1;
}

static void tmpl_unlock(void *ctx, void *obj)
{
	(void)ctx;
	(void)obj;
	if (--tmpl_lock_state.depth == 0)
		__atomic_store_n(&tmpl_lock_state.owner, 0u, __ATOMIC_RELEASE);
}

/* ------------------------------------------------------------------------
 * Time
 * ---------------------------------------------------------------------- */

#if !defined(__aarch64__) && !defined(__x86_64__) && !defined(__i386__)
/* Fallback "clock": advances 1 us per call so that polls still time out. */
static unsigned long tmpl_fake_us;
#endif

/*
 * now_ns: monotonic nanoseconds. When: by every hardware poll (queue
 * space, command sync, register acknowledgement) to bound its wait; never
 * on the page-table map/unmap path. May block: no.
 * Getting it wrong: a clock that stands still turns a dead IOMMU into a
 * hang instead of IOMM_ETIMEDOUT; one that runs fast gives spurious
 * timeouts. NULL: operations that must poll fail with IOMM_EINVAL.
 */
static uint64_t tmpl_now_ns(void *ctx)
{
	(void)ctx;
#if defined(__aarch64__)
	uint64_t cnt, frq;
	__asm__ __volatile__("isb; mrs %0, cntvct_el0" : "=r"(cnt)::"memory");
	__asm__ __volatile__("mrs %0, cntfrq_el0" : "=r"(frq));
	if (frq == 0)
		return cnt;
	/* Split to avoid overflowing cnt * 1e9. */
	return (cnt / frq) * 1000000000u + ((cnt % frq) * 1000000000u) / frq;
#elif defined(__x86_64__) || defined(__i386__)
	/* PORT: set TMPL_COUNTER_HZ to your (invariant) TSC frequency. */
	uint32_t lo, hi;
	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	uint64_t cnt = ((uint64_t)hi << 32) | lo;
	const uint64_t hz = TMPL_COUNTER_HZ;
	return (cnt / hz) * 1000000000u + ((cnt % hz) * 1000000000u) / hz;
#else
	/* PORT: read your timer. */
	return (uint64_t)__atomic_add_fetch(&tmpl_fake_us, 1ul, __ATOMIC_RELAXED) * 1000u;
#endif
}

/*
 * relax: called between two polls of a busy register. May yield the CPU or
 * sleep briefly if the caller can sleep; a spin hint otherwise. NULL: spin.
 * Getting it wrong: sleeping here with a spinlock held (see tmpl_lock)
 * deadlocks or stalls other CPUs.
 */
static void tmpl_relax(void *ctx)
{
	(void)ctx;
	tmpl_cpu_relax();
}

/* ------------------------------------------------------------------------
 * Logging
 *
 * log: emit one line (no trailing newline in msg; msg valid only during
 * the call). When: errors, warnings (lost faults, quirks), probe results;
 * never on the map/unmap fast path. May block: not for long; locks may be
 * held. Messages above iomm_port::log_level are never formatted, so that
 * field is the cheap filter. NULL: messages are dropped.
 * ---------------------------------------------------------------------- */

static void tmpl_log(void *ctx, enum iomm_log_level level, const char *msg)
{
	static const char *const prefix[] = {"E", "W", "I", "D"};
	const char *p = prefix[(unsigned)level <= 3u ? (unsigned)level : 3u];
	(void)ctx;
	/* PORT: e.g. console_printf("iommuman %s: %s\n", p, msg); */
	(void)p;
	(void)msg;
}

/* ------------------------------------------------------------------------
 * The table an integrator hands to the library.
 *
 * PORT: set .flags to IOMM_PORT_DMA_COHERENT if the platform makes IOMMU
 * walks coherent (device tree "dma-coherent", IORT coherent access);
 * otherwise every table write is cleaned with clean_tables().
 * page_alloc/page_free are NULL (region pools only) unless
 * TMPL_PAGE_ALLOCATOR is 1.
 * ---------------------------------------------------------------------- */

/* Declare it in one of your headers; repeated here so the file stands alone. */
extern const struct iomm_port iomm_port_template;

const struct iomm_port iomm_port_template = {
	.ctx = NULL,
	.flags = IOMM_PORT_DMA_COHERENT,

	.read32 = tmpl_read32,
	.write32 = tmpl_write32,
	.read64 = TMPL_READ64,
	.write64 = TMPL_WRITE64,

	.wmb = tmpl_wmb,
	.mb = tmpl_mb,

#if TMPL_PAGE_ALLOCATOR
	.page_alloc = tmpl_page_alloc,
	.page_free = tmpl_page_free,
#else
	.page_alloc = NULL, /* region pools only: see tmpl_page_alloc() */
	.page_free = NULL,
#endif
	.phys_to_virt = tmpl_phys_to_virt,
	.clean_tables = tmpl_clean_tables,

	.lock = tmpl_lock,
	.unlock = tmpl_unlock,

	.now_ns = tmpl_now_ns,
	.relax = tmpl_relax,

	.log = tmpl_log,
	.log_level = IOMM_LOG_WARN,
};

/*
 * Example use (region pool, no allocator needed):
 *
 *   static uint8_t tables[2u << 20] __attribute__((aligned(4096)));
 *   struct iomm_pool pool;
 *   struct iomm_pgt pgt = {0};   (zeroed before iomm_pgt_init)
 *   const struct iomm_pgt_cfg cfg = {
 *       .format = IOMM_FMT_ARM_LPAE_S1, .granule = 4096,
 *       .ias = 48, .oas = 48,   (coherent iff .flags above has IOMM_PORT_DMA_COHERENT)
 *   };
 *   iomm_pool_init(&pool, &iomm_port_template, tables, sizeof(tables),
 *                  (uint64_t)(uintptr_t)tables - TMPL_PA_TO_VA_OFFSET, 4096);
 *   iomm_pgt_init(&pgt, &cfg, &pool, &iomm_port_template);
 *   iomm_pgt_map(&pgt, 0x100000, 0x80000000, 0x1000, IOMM_READ | IOMM_WRITE);
 */
