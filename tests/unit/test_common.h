/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared code of the unit tests: cmocka glue, seeds and iteration counts,
 * a PRNG, a page-table fixture on a region pool, leaf lists from the library
 * walk and from the independent walker, and prot canonicalisation.
 */
#ifndef IOMM_TEST_COMMON_H
#define IOMM_TEST_COMMON_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <cmocka.h>

#include <iommuman/iommuman.h>

#include "arm_walker.h"
#include "x86_walker.h"
#include "rv_walker.h"
#include "posix_check.h"

#define SZ_4K 0x1000ull
#define SZ_16K 0x4000ull
#define SZ_64K 0x10000ull
#define SZ_2M 0x200000ull
#define SZ_32M 0x2000000ull
#define SZ_512M 0x20000000ull
#define SZ_1G 0x40000000ull

#if defined(__GNUC__)
#define T_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define T_PRINTF(a, b)
#endif

/* ---- failure reporting ----------------------------------------------------- */

/** Describe what the test is doing; printed with every failure. */
void t_context(const char *fmt, ...) T_PRINTF(1, 2);
/** Print a failure with the seed and context, then fail the cmocka test. */
void t_fail(const char *file, int line, const char *fmt, ...) T_PRINTF(3, 4);

/** Fail with a message unless @p cond holds. */
#define T_CHECK(cond, ...)                                                                         \
	do {                                                                                       \
		if (!(cond))                                                                       \
			t_fail(__FILE__, __LINE__, __VA_ARGS__);                                  \
	} while (0)

/** Fail unless status @p got equals @p want (prints both names). */
#define T_RC(got, want)                                                                            \
	do {                                                                                       \
		int t_got_ = (got), t_want_ = (want);                                              \
		if (t_got_ != t_want_)                                                             \
			t_fail(__FILE__, __LINE__, "%s returned %d (%s), expected %d (%s)", #got,  \
			       t_got_, iomm_strerror(t_got_), t_want_, iomm_strerror(t_want_));    \
	} while (0)

/* ---- seeds, iterations, PRNG ----------------------------------------------- */

/** IOMM_TEST_SEED (decimal or 0x hex) or a time-based seed; printed on first use. */
uint64_t t_seed(void);
/** IOMM_TEST_ITERATIONS or @p dflt. */
unsigned long t_iterations(unsigned long dflt);

struct t_rng {
	uint64_t s[4];
};
void t_rng_seed(struct t_rng *r, uint64_t seed);
uint64_t t_rng_next(struct t_rng *r);
/** Uniform in [0, n) (n > 0). */
uint64_t t_rng_below(struct t_rng *r, uint64_t n);
/** True with probability num / den. */
bool t_rng_chance(struct t_rng *r, unsigned num, unsigned den);

/* ---- geometry -------------------------------------------------------------- */

const char *t_fmt_name(enum iomm_pgt_format f);
/** Leaf sizes the architecture offers for a granule (pages and blocks), as a bitmap. */
uint64_t t_arch_leaf_sizes(uint32_t granule, unsigned oas);
/*
 * A "stage" below names what a table expresses: 1 and 2 the Arm stages,
 * T_VTD (VT-d second stage) and T_X86 (x86-64 first stage): the values of
 * enum iomm_pgt_format.
 */
#define T_VTD 3u
#define T_X86 4u
#define T_RV1 5u /* RISC-V first stage */
#define T_RVG 6u /* RISC-V G-stage */

/** RISC-V formats (walked by rv_walker; levels and sizes as VT-d / x86-64). */
static inline bool t_fmt_rv(enum iomm_pgt_format f)
{
	return f == IOMM_FMT_RISCV_S1 || f == IOMM_FMT_RISCV_G;
}
/** Formats with levels 0..4 and no contiguous hint: VT-d, x86-64, RISC-V. */
static inline bool t_fmt_x(enum iomm_pgt_format f)
{
	return f == IOMM_FMT_VTD_SL || f == IOMM_FMT_X86_FL || t_fmt_rv(f);
}
/** Formats that refuse IOMM_PRIV (no privilege check). */
static inline bool t_fmt_no_priv(enum iomm_pgt_format f)
{
	return f == IOMM_FMT_VTD_SL || f == IOMM_FMT_ARM_LPAE_S2 || f == IOMM_FMT_RISCV_G;
}
/** Formats where write implies read (write-only refused). */
static inline bool t_fmt_read_implied(enum iomm_pgt_format f)
{
	return f == IOMM_FMT_X86_FL || t_fmt_rv(f);
}

/** Canonical form of a prot value for a stage: what the tables can express. */
uint32_t t_canon_prot(uint32_t prot, unsigned stage);
/** A prot value decoded from what the walker found; 0x100/0x200 mark inexpressible combinations. */
uint32_t t_leaf_prot(const struct aw_leaf *l, unsigned stage);
/** The same for a RISC-V leaf (PBMT, G or a path the library never builds: 0x100/0x200). */
uint32_t t_rleaf_prot(const struct rw_leaf *l, unsigned stage);
/**
 * The same for a VT-d / x86-64 leaf. @p snoop: SNP expected on second-stage
 * leaves (otherwise its presence, or its absence, is marked 0x200).
 */
uint32_t t_xleaf_prot(const struct xw_leaf *l, unsigned stage, bool snoop);
/** Human-readable prot, in a static rotating buffer. */
const char *t_prot_str(uint32_t prot);

/* ---- fixture: a table on a region pool (or a port pool) ---------------------- */

struct tfix {
	struct tport tp;
	struct iomm_pool pool;
	struct iomm_pgt pgt;
	struct iomm_pgt_cfg cfg;
	struct iomm_lpae_regs regs;
	struct aw_walker w;   /* Arm formats */
	struct xw_walker xw;  /* VT-d and x86-64 formats */
	struct rw_walker rw;  /* RISC-V formats */
	bool x86;             /* levels 0..4, no Arm registers: VT-d, x86-64, RISC-V */
	bool rv;              /* RISC-V: rw applies (x86 is set too) */
	uint8_t *mem;         /* region pool memory (NULL for a port pool) */
	size_t mem_size;
	uint64_t mem_pa;
	unsigned stage;       /* 1, 2, T_VTD, T_X86, T_RV1 or T_RVG */
	unsigned pa_range;    /* PA range given to the walker's SL0 rules */
	bool initialised;
	/* Break-before-make invalidations (iomm_pgt_cfg::inval_sync): tfix_init
	 * installs tfix_inval_sync when the cfg has none, so that Arm tables use
	 * the contiguous hint. Each call checks with the independent walker that
	 * every address of the range reads as unmapped. */
	unsigned long bbm_calls;
	uint64_t bbm_bytes;    /* sum of the ranges' sizes */
	int bbm_fail;          /* non-zero: the callback returns this (after its checks) */
};

/** The fixture's iomm_pgt_cfg::inval_sync; @p arg is the struct tfix. */
int tfix_inval_sync(void *arg, const struct iomm_gather *range);

/**
 * Build a table: a region pool of @p pool_bytes at fake PA @p pool_pa
 * (garbage-filled first), or a port pool capped at @p pool_bytes / granule
 * pages if @p port_pool. The region pool memory is registered with the port
 * so the walker can read it. Returns iomm_pgt_init's status; on success the
 * walker is set up from iomm_pgt_lpae_regs (Arm) or iomm_pgt_levels and
 * iomm_pgt_root_pa (VT-d, x86-64); a walker error fails the test.
 */
int tfix_init(struct tfix *f, const struct iomm_pgt_cfg *cfg, size_t pool_bytes, uint64_t pool_pa,
	      bool port_pool);
/** Destroy the table (if any) and free everything. */
void tfix_fini(struct tfix *f);
/** (Re)initialise the walker from the table's registers. */
void tfix_walker(struct tfix *f);
/** Number of pages the root takes (concatenated tables at stage 2). */
unsigned tfix_root_pages(const struct tfix *f);
/**
 * Table pages that stay after unmapping the whole input range: the root,
 * plus (x86-64 with fewer input bits than one root entry maps) the tables
 * below root entry 0 whose span reaches beyond ias, which an unmap of the
 * input range never covers whole (documented: only tables whose whole span
 * lies inside the range are unlinked).
 */
unsigned tfix_min_tables(const struct tfix *f);

/* ---- the independent walker of the table's format ----------------------------- */

/** Walker results: the same values for both walkers. */
#define TW_OK AW_OK
#define TW_UNMAPPED AW_UNMAPPED
#define TW_BAD AW_BAD

/** A leaf as either walker reports it. */
struct twleaf {
	uint64_t iova, oa, size;
	unsigned level;
	bool contig;
	uint32_t prot; /* t_leaf_prot / t_xleaf_prot */
};

/** Translate @p va with the walker of @p f's format. TW_OK, TW_UNMAPPED or TW_BAD. */
int tfix_translate(struct tfix *f, uint64_t va, struct twleaf *l);
/** aw_descend / xw_descend. */
int tfix_descend(struct tfix *f, uint64_t va, unsigned *level, bool *leaf);
/** Walk the whole table, reporting each table page (aw_table_fn / xw_table_fn). */
int tfix_walk_tables(struct tfix *f, aw_table_fn fn, void *arg);
/** Why the last walker call returned TW_BAD. */
const char *tfix_err(const struct tfix *f);
/** Bytes one entry maps at @p level in @p f's format. */
uint64_t tfix_level_size(const struct tfix *f, unsigned level);
/** Entries of a contiguous group at @p level (0: none; always 0 for VT-d / x86-64). */
unsigned tfix_contig_entries(const struct tfix *f, unsigned level);
/** Level of the root table. */
unsigned tfix_start_level(const struct tfix *f);
/** Level holding granule-sized pages (3 Arm, 4 VT-d / x86-64). */
unsigned tfix_last_level(const struct tfix *f);

/* ---- leaf lists ------------------------------------------------------------------ */

struct tleaf {
	uint64_t iova, pa, size;
	uint32_t prot;   /* canonical */
	uint8_t level;
	bool contig;
};

struct tleaves {
	struct tleaf *v;
	size_t n, cap;
};

void tleaves_free(struct tleaves *l);
void tleaves_push(struct tleaves *l, const struct tleaf *x);
/** All leaves via iomm_pgt_walk over [iova, iova + size) (size 0: all). Returns walk's status. */
int tleaves_from_lib(struct tleaves *out, const struct iomm_pgt *pgt, unsigned stage, uint64_t iova,
		     uint64_t size);
/** All leaves via the independent walker; fails the test on a walker error. */
void tleaves_from_walker(struct tleaves *out, struct tfix *f);
/** Merge adjacent leaves with contiguous input and output and equal prot into extents (in place). */
void tleaves_merge(struct tleaves *l);
/** Whether two leaf lists are equal (levels and contig too unless @p extents_only). */
bool tleaves_equal(const struct tleaves *a, const struct tleaves *b, bool extents_only);
/** Compare two leaf lists exactly (levels and contig too unless @p extents_only). */
void tleaves_expect_equal(const struct tleaves *a, const char *an, const struct tleaves *b,
			  const char *bn, bool extents_only);

/**
 * Leaf sizes a table of @p f may use: the architecture's for the granule,
 * restricted by cfg.leaf_sizes (the granule always allowed). Level-1 blocks
 * of the 64K granule (52-bit output only) count only if the table reports
 * them in iomm_pgt_page_sizes().
 */
uint64_t tfix_allowed_leaves(const struct tfix *f);
/**
 * Append the leaves iomm_pgt_map(iova, pa, size, prot) must create according
 * to its documentation, computed from the table as it is BEFORE the call:
 * greedily the largest allowed leaf that the alignment of both addresses and
 * the remaining size permit (the largest-leaf rule), except that without
 * cfg.inval_sync a table already linked where the leaf would go is reused
 * (replacing it needs an invalidation); the contiguous hint on every
 * complete aligned group of equal leaves inside the range (unless
 * IOMM_PGT_NO_CONTIG or without inval_sync).
 */
void t_expect_leaves(struct tleaves *out, const struct tfix *f, uint64_t iova, uint64_t pa,
		     uint64_t size, uint32_t prot);

/**
 * Append the leaves a map of [iova, iova + size) into an empty table would
 * create (t_expect_leaves() without looking at the table): with the
 * largest-leaf rule, the shape the table must have for each live range.
 */
void t_fresh_leaves(struct tleaves *out, const struct tfix *f, uint64_t iova, uint64_t pa,
		    uint64_t size, uint32_t prot);

/** Check that the independent walker validates the whole table (AW_OK). */
void tfix_validate(struct tfix *f);

/** Fill a fresh gather covers [iova, iova + size)? */
bool t_gather_covers(const struct iomm_gather *g, uint64_t iova, uint64_t size);

#endif /* IOMM_TEST_COMMON_H */
