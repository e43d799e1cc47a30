/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal helpers shared by the core and the backends. Not installed. */
#ifndef IOMM_INTERNAL_H
#define IOMM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iommuman/iommuman.h>

#if defined(__GNUC__) || defined(__clang__)
#define IOMM_LIKELY(x) __builtin_expect(!!(x), 1)
#define IOMM_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define IOMM_LIKELY(x) (x)
#define IOMM_UNLIKELY(x) (x)
#endif

/* Bit helpers: masks and shifts, arguments evaluated once. */
#define IOMM_BIT(n) (1ull << (n))
#define IOMM_GENMASK(hi, lo) ((~0ull >> (63 - (hi))) & (~0ull << (lo)))

static inline uint64_t iomm_field_get(uint64_t reg, uint64_t mask)
{
	return (reg & mask) >> __builtin_ctzll(mask);
}

static inline uint64_t iomm_field_prep(uint64_t mask, uint64_t val)
{
	return (val << __builtin_ctzll(mask)) & mask;
}

static inline unsigned iomm_ctz64(uint64_t v)
{
	return (unsigned)__builtin_ctzll(v);
}

static inline unsigned iomm_clz64(uint64_t v)
{
	return (unsigned)__builtin_clzll(v);
}

/* Set bits of @v, without the compiler's helper (freestanding images may lack
 * libgcc's __popcountdi2). */
static inline unsigned iomm_popcount64(uint64_t v)
{
	v -= (v >> 1) & 0x5555555555555555ull;
	v = (v & 0x3333333333333333ull) + ((v >> 2) & 0x3333333333333333ull);
	v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (unsigned)((v * 0x0101010101010101ull) >> 56);
}

/* Marks a domain between iomm_domain_init() and iomm_domain_destroy(). */
#define IOMM_LIVE_COOKIE 0x4c495645u /* "LIVE" */

/* ---- stream sets ----
 * A device's streams are a set: a stream ID whose don't-care bits are zero
 * and a mask of those don't-care bits (struct iomm_dev::sid / ::mask, and
 * what iomm_devid_resolve() gives). The set holds sid | sub for every
 * subset sub of the mask.
 */

/*
 * Whether the stream sets (@a, @amask) and (@b, @bmask) share at least one
 * stream ID: they do exactly when a and b agree on every bit that neither
 * mask ignores. A single stream ID is the set (id, 0). This is the one rule
 * for stream conflicts: the core, the configuration and every backend use it.
 */
static inline bool iomm_sids_overlap(uint32_t a, uint32_t amask, uint32_t b, uint32_t bmask)
{
	return ((a ^ b) & ~(amask | bmask)) == 0;
}

/*
 * Step *@sid to the next stream ID of the set (@base, @mask), in increasing
 * order of the don't-care bits; start from *sid == base. Returns false (and
 * leaves *sid == base) once every ID has been visited.
 */
static inline bool iomm_sid_next(uint32_t base, uint32_t mask, uint32_t *sid)
{
	uint32_t sub = ((*sid & mask) - mask) & mask;
	*sid = base | sub;
	return sub != 0;
}

/*
 * Loop over every stream ID of device @dev (a struct iomm_dev pointer),
 * declaring uint32_t @var for the body:
 *	IOMM_FOR_EACH_SID(dev, sid) { ... sid ... }
 */
#define IOMM_FOR_EACH_SID(dev, var)                                                                \
	for (uint32_t var = (dev)->sid, var##_more_ = 1; var##_more_;                              \
	     var##_more_ = iomm_sid_next((dev)->sid, (dev)->mask, &var))

/* ---- byte order: hardware structures are little-endian in memory ---- */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
static inline uint64_t iomm_cpu_to_le64(uint64_t v)
{
	return __builtin_bswap64(v);
}
static inline uint32_t iomm_cpu_to_le32(uint32_t v)
{
	return __builtin_bswap32(v);
}
#else
static inline uint64_t iomm_cpu_to_le64(uint64_t v)
{
	return v;
}
static inline uint32_t iomm_cpu_to_le32(uint32_t v)
{
	return v;
}
#endif
#define iomm_le64_to_cpu iomm_cpu_to_le64
#define iomm_le32_to_cpu iomm_cpu_to_le32

/* ---- memory ---- */
static inline void iomm_zero(void *p, size_t len)
{
	uint64_t *q = p;
	for (size_t i = 0; i < len / 8; i++)
		q[i] = 0;
}

/*
 * Zero a table page with single-copy-atomic stores. A page freed by an
 * unmap may still be read by a lock-free reader that found it before it
 * was unlinked (iomm_pgt_iova_to_phys() racing the unmap of the same
 * address); when the pool hands the page out again, that reader sees old
 * entries or zeroes, never a torn value, and the C11 model sees no data race.
 */
static inline void iomm_zero_table(void *p, size_t len)
{
	uint64_t *q = p;
	size_t n = len / 8, i = 0;
#ifndef __OPTIMIZE_SIZE__
	/* four stores per turn: a table page is a multiple of 32 bytes (not
	 * at -Os, where the plain loop below does it all) */
	for (; i + 4 <= n; i += 4) {
		__atomic_store_n(&q[i], 0, __ATOMIC_RELAXED);
		__atomic_store_n(&q[i + 1], 0, __ATOMIC_RELAXED);
		__atomic_store_n(&q[i + 2], 0, __ATOMIC_RELAXED);
		__atomic_store_n(&q[i + 3], 0, __ATOMIC_RELAXED);
	}
#endif
	for (; i < n; i++)
		__atomic_store_n(&q[i], 0, __ATOMIC_RELAXED);
}

static inline void iomm_compiler_barrier(void)
{
	__asm__ __volatile__("" ::: "memory");
}

/*
 * Read and write one 64-bit descriptor so that no walker (and no concurrent
 * lookup) sees it torn: single-copy-atomic 64-bit accesses, which compilers
 * emit inline on every target we support (LDRD/STRD or LDREXD/STREXD on
 * 32-bit Arm, SSE/x87 moves on 32-bit x86).
 */
static inline void iomm_write_desc(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, iomm_cpu_to_le64(v), __ATOMIC_RELAXED);
}

static inline uint64_t iomm_read_desc(const uint64_t *p)
{
	return iomm_le64_to_cpu(__atomic_load_n(p, __ATOMIC_RELAXED));
}

/*
 * Publish a descriptor that links a new table (or anything a reader will
 * follow): a release store, so that everything written to the new table
 * before (its zeroing and entries) happens before a reader that finds the
 * link with iomm_read_link() reads through it. On x86 both are plain
 * moves; on Arm they are STLR / LDAR. The port's wmb still orders the table
 * for the IOMMU's walker, which is not a party to the C11 memory model.
 */
static inline void iomm_write_link(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, iomm_cpu_to_le64(v), __ATOMIC_RELEASE);
}

/* Read a descriptor that may link a table a lock-free reader then follows. */
static inline uint64_t iomm_read_link(const uint64_t *p)
{
	return iomm_le64_to_cpu(__atomic_load_n(p, __ATOMIC_ACQUIRE));
}

/* ---- port helpers ---- */
static inline void iomm_port_lock(const struct iomm_port *port, void *obj)
{
	if (port->lock)
		port->lock(port->ctx, obj);
}

static inline void iomm_port_unlock(const struct iomm_port *port, void *obj)
{
	if (port->unlock)
		port->unlock(port->ctx, obj);
}

static inline void iomm_port_wmb(const struct iomm_port *port)
{
	if (port->wmb)
		port->wmb(port->ctx);
	else
		iomm_compiler_barrier();
}

static inline void iomm_port_mb(const struct iomm_port *port)
{
	if (port->mb)
		port->mb(port->ctx);
	else
		iomm_compiler_barrier();
}

uint32_t iomm_mmio_read32(const struct iomm_port *port, uintptr_t addr);
void iomm_mmio_write32(const struct iomm_port *port, uintptr_t addr, uint32_t val);
uint64_t iomm_mmio_read64(const struct iomm_port *port, uintptr_t addr);
void iomm_mmio_write64(const struct iomm_port *port, uintptr_t addr, uint64_t val);

/* ---- MMIO and polling (mmio.c) ---- */

/*
 * Poll until (read32(addr) & mask) == want or the port's clock says
 * timeout_ns passed. Returns IOMM_OK, IOMM_ETIMEDOUT, or IOMM_EINVAL when
 * the port has no clock.
 */
int iomm_poll32(const struct iomm_port *port, uintptr_t addr, uint32_t mask, uint32_t want,
		uint64_t timeout_ns);

/*
 * Page-table format rules a domain applies (src/pgtable/): the format of a
 * stage when the unit names none, and what a domain's defaults must respect.
 */
struct iomm_pgt_fmt_rules {
	enum iomm_pgt_format format; /* the format to use */
	uint8_t ias_cap;             /* widest default input size */
	uint8_t oas_cap, wide_oas_cap; /* widest output size: other granules, wide_granule */
	uint32_t wide_granule;       /* the granule wide_oas_cap applies to (0: none) */
	bool ias_within_oas;         /* stage 2: no input wider than the output */
	uint32_t flags;              /* IOMM_PGT_* flags a domain's table sets */
};

/* Rules for @unit_fmt (0: the unit names none) at stage 2 or stage 1. */
void iomm_pgt_fmt_defaults(enum iomm_pgt_format unit_fmt, bool stage2,
			   struct iomm_pgt_fmt_rules *rules);

/* ---- devices (core.c) ---- */

/*
 * Whether the streams of @dev overlap those of a device attached on @unit
 * (other than @dev itself). Backends that must keep stream sets disjoint
 * call it from their attach hook, while the core holds the unit's lock.
 */
bool iomm_dev_conflicts(const struct iomm_unit *unit, const struct iomm_dev *dev);

/* ---- pools (pool.c) and their tables ---- */

/* Give back pages the library itself took (no check against live tables). */
void iomm_pool_put(struct iomm_pool *pool, void *va, size_t count);

/* The virtual address of page @pa that @pool handed out: by offset in a region pool,
 * through the port's phys_to_virt for a port pool. */
static inline void *iomm_pool_page_va(const struct iomm_pool *pool, const struct iomm_port *port,
				      uint64_t pa)
{
	if (pool->kind == IOMM_POOL_REGION)
		return (void *)(uintptr_t)(pa - pool->base_pa + (uintptr_t)pool->base);
	return port->phys_to_virt(port->ctx, pa);
}

/* iomm_pool_alloc() without the zeroing: the caller writes every entry (with
 * single-copy-atomic stores) before any link to the pages. */
void *iomm_pool_alloc_raw(struct iomm_pool *pool, size_t count, uint64_t *pa);

/* Forget a live table whose pages must never be reused (the hardware did not
 * confirm it stopped walking them): they stay counted as used, the object
 * may be initialised again. */
void iomm_pgt_abandon(struct iomm_pgt *pgt);

/* Whether [va, va + bytes) overlaps a table page of @pgt. Walks the table. */
bool iomm_pgt_holds(const struct iomm_pgt *pgt, const void *va, size_t bytes);

/* ---- logging (log.c) ---- */

/* Logging without stdio: one line "<prefix>0x<value><suffix>". */
void iomm_log(const struct iomm_port *port, enum iomm_log_level level, const char *prefix,
	      uint64_t value, const char *suffix);
void iomm_log_str(const struct iomm_port *port, enum iomm_log_level level, const char *msg);

/*
 * Refusals. Every call refused for a bad argument or an unsupported request
 * (IOMM_EINVAL, IOMM_ERANGE, IOMM_ENOTSUP) says why at IOMM_LOG_DEBUG, as one
 * line "<function>: <argument>: <rule> (<status>)", and returns the status:
 *
 *	if (size & pgt->gmask)
 *		return IOMM_REFUSE(pgt->port, IOMM_EINVAL, "size: not a multiple of the granule");
 *
 * Nothing is formatted unless the port logs at DEBUG, and the call sits on
 * an error path only, so the fast paths do not pay for it. A static helper
 * that refuses on behalf of a public function names that function with
 * IOMM_REFUSE_AS. Builds that must not carry the texts define
 * IOMM_NO_REFUSE_TEXT: the calls then return the status only.
 */
void iomm_refuse(const struct iomm_port *port, int status, const char *func, const char *why);
#ifdef IOMM_NO_REFUSE_TEXT
#define IOMM_REFUSE_AS(port, status, func, why) ((void)(port), (void)(func), (status))
#else
#define IOMM_REFUSE_AS(port, status, func, why) (iomm_refuse((port), (status), (func), (why)), (status))
#endif
#define IOMM_REFUSE(port, status, why) IOMM_REFUSE_AS(port, status, __func__, why)

#endif /* IOMM_INTERNAL_H */
