/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Page-table engine internals: the format descriptor, and the helpers the
 * engine's files (pgt_engine.c, pgt_map.c) share. Not installed.
 *
 * One engine walks, maps, unmaps and looks up every format. What tells the
 * formats apart is a const struct iomm_pgt_fmt, one per format, defined in
 * the file of its family (fmt_lpae.c: Arm VMSAv8-64 stage 1 and 2; fmt_vtd.c:
 * VT-d second stage and x86-64 paging; fmt_riscv.c: RISC-V Sv39/48/57 and
 * Sv39x4/48x4/57x4). iomm_pgt_init() resolves the
 * descriptor once into the table's cached fields (descriptor bits, level
 * shifts, leaf sizes, contiguous groups); the hot paths read only those,
 * and call into the descriptor only to convert a new prot (the attributes
 * of the last prot are memoised) or to report a leaf's prot.
 *
 * Geometry: a level-n table entry maps 2^shift[n] bytes, with
 * shift[n] = granule_shift + (last - n) * bits and bits = granule_shift - 3.
 * Lookups start at start_level and end at `last`: 3 for Arm, 4 for the
 * x86 and RISC-V formats (so that a 5-level root is level 0).
 */
#ifndef IOMM_PGT_INTERNAL_H
#define IOMM_PGT_INTERNAL_H

#include "iomm_internal.h"

/*
 * The contiguous hint (Arm's bit 52). The engine knows this one bit: formats
 * without contiguous groups get no cont_shift from their descriptor, so they
 * never set it. In VT-d and x86-64 entries the hardware ignores bit 52; in
 * RISC-V entries it is an address bit (PA[54]): lookups report the hint only
 * at levels with groups, and the one-entry unmap merely takes its general
 * loop for such a leaf.
 */
#define PGT_CONT IOMM_BIT(52)

/* Most root tables a format may concatenate: 2^PGT_CONCAT_BITS (Arm stage 2). */
#define PGT_CONCAT_BITS 4u

/* Value of iomm_pgt::live while a table is initialised and not destroyed. */
#define PGT_LIVE 0x70677421u

/* How a format picks the lookup level of its root table. */
enum pgt_start_rule {
	/* As few levels as the input size needs (Arm stage 1, VT-d second stage). */
	PGT_START_FEWEST = 1,
	/* The deepest start whose root, concatenated up to 2^PGT_CONCAT_BITS
	 * pages, covers the input size, within the granule's start levels
	 * (Arm stage 2). */
	PGT_START_CONCAT,
	/* Fixed paging modes: short_levels levels up to short_ias input bits,
	 * one more level for each further `bits` input bits (x86-64 4- and
	 * 5-level paging; RISC-V Sv39/48/57 and Sv39x4/48x4/57x4). */
	PGT_START_PAGING,
};

/* Rules of a format for one granule. */
struct iomm_pgt_gran {
	uint32_t size;        /* granule in bytes; 0 ends the list */
	uint64_t leaf_sizes;  /* leaves the format offers (bit n = 2^n bytes) */
	/* log2(entries per contiguous group) per lookup level, 0 = none */
	uint8_t cont_shift[IOMM_PGT_MAX_LEVELS];
	uint8_t start_min;    /* PGT_START_CONCAT: shallowest start level */
	uint8_t start_max;    /* PGT_START_CONCAT: deepest start level */
};

#define PGT_MAX_GRANULES 3

/* A page-table format. Const; one per enum iomm_pgt_format value. */
struct iomm_pgt_fmt {
	enum iomm_pgt_format format;
	struct iomm_pgt_gran gran[PGT_MAX_GRANULES]; /* granules the format supports */
	uint32_t flags;       /* IOMM_PGT_* configuration flags the format accepts */

	/* ---- limits ---- */
	uint8_t ias_min;      /* narrowest input size */
	uint8_t ias_max;      /* widest input size ... */
	uint8_t oas_max;      /* ... and output size ... */
	uint32_t wide_granule; /* ... except with this granule (0: none) ... */
	uint8_t wide_max;     /* ... which allows this many bits for both */
	uint64_t oas_sizes;   /* bit n: an output size of n bits can be encoded */
	uint8_t oa_hi;        /* top bit of the output address in a descriptor */
	/* The descriptor holds PA >> oa_shift (RISC-V: PPN = PA[55:12] in bits
	 * 53:10, so 2); 0: the address in place, as Arm and x86 store it. */
	uint8_t oa_shift;
	/* Root tables always of 2^(bits + root_extra) entries (RISC-V G-stage
	 * x4 modes: 4 pages), whatever the input size; 0: as ias needs. */
	uint8_t root_extra;

	/* ---- levels ---- */
	uint8_t last;         /* lookup level of granule-sized leaves */
	enum pgt_start_rule start_rule;
	uint8_t short_ias;    /* PGT_START_PAGING: widest input of the short mode */
	uint8_t short_levels; /* PGT_START_PAGING: levels of the short mode */

	/* ---- descriptor bits ---- */
	uint64_t v_mask;      /* bits of which one makes an entry valid */
	uint64_t t_mask, t_val; /* (pte & t_mask) == t_val: a table (above the last level) */
	uint64_t t_bits;      /* bits of a table entry besides the address */
	uint64_t type_mask;   /* bits telling leaf kinds apart ... */
	uint64_t page_bits;   /* ... in a last-level leaf */
	uint64_t block_bits;  /* ... in a leaf above the last level */
	uint64_t oa_fold_52;  /* bits holding PA[51:48] when oas is 52 (0: none) */
	/* A bit the walker ignores in table entries: the engine sets it on the
	 * link to a table whose entries are all valid leaves (0: not used). */
	uint64_t full_bit;
	/* Leaf bits that may change on a live entry without break-before-make
	 * (permissions on Arm; everything on VT-d and x86-64, whose units have
	 * no such rule: an atomic store, then the invalidation). */
	uint64_t inplace_mask;

	/* ---- domain defaults (iomm_pgt_fmt_defaults(); .format unused) ---- */
	struct iomm_pgt_fmt_rules dflt;

	/* ---- permissions and attributes ---- */
	/* Whether the format can express @prot (already known to be well formed). */
	bool (*prot_ok)(uint32_t prot);
	/* Leaf attributes for @prot, without address and leaf-kind bits. */
	uint64_t (*prot_to_attr)(const struct iomm_pgt *pgt, uint32_t prot);
	/* The prot a leaf grants. */
	uint32_t (*pte_to_prot)(uint64_t pte);
};

extern const struct iomm_pgt_fmt iomm_pgt_fmt_lpae_s1;
extern const struct iomm_pgt_fmt iomm_pgt_fmt_lpae_s2;
extern const struct iomm_pgt_fmt iomm_pgt_fmt_vtd_sl;
extern const struct iomm_pgt_fmt iomm_pgt_fmt_x86_fl;
extern const struct iomm_pgt_fmt iomm_pgt_fmt_riscv_s1;
extern const struct iomm_pgt_fmt iomm_pgt_fmt_riscv_g;

/* ---- geometry ---- */
static inline unsigned lvl_shift(const struct iomm_pgt *pgt, unsigned l)
{
	return pgt->shift[l];
}

static inline size_t lvl_index(const struct iomm_pgt *pgt, unsigned l, uint64_t iova)
{
	return (size_t)(iova >> pgt->shift[l]) & pgt->idx_mask[l];
}

/* ---- descriptors ---- */
static inline bool pte_valid(const struct iomm_pgt *pgt, uint64_t pte)
{
	return (pte & pgt->v_mask) != 0;
}

/* A table entry: valid, above the last level, and of the table kind. */
static inline bool pte_is_table(const struct iomm_pgt *pgt, uint64_t pte, unsigned l)
{
	return l < pgt->last && (pte & pgt->t_mask) == pgt->t_val;
}

/* Descriptor address bits -> output address when they differ (oa_enc; pgt_map.c). */
uint64_t iomm_pgt_pte_to_pa_slow(const struct iomm_pgt *pgt, uint64_t oa);

static inline uint64_t pte_to_pa(const struct iomm_pgt *pgt, uint64_t pte)
{
	uint64_t oa = pte & pgt->oa_mask;
	if (IOMM_LIKELY(!pgt->oa_enc))
		return oa;
	return iomm_pgt_pte_to_pa_slow(pgt, oa);
}

/* The table a table descriptor points to, in general (pgt_map.c). */
uint64_t *iomm_pgt_next_table_slow(const struct iomm_pgt *pgt, uint64_t pte);

/* The table a table descriptor points to; one test on the common path. */
static inline uint64_t *next_table(const struct iomm_pgt *pgt, uint64_t pte)
{
	if (IOMM_LIKELY(pgt->plain))
		return (uint64_t *)(uintptr_t)((pte & pgt->oa_mask) - pgt->va_pa_off);
	return iomm_pgt_next_table_slow(pgt, pte);
}

static inline void clean(const struct iomm_pgt *pgt, const void *va, size_t len)
{
	if (!pgt->coherent)
		pgt->port->clean_tables(pgt->port->ctx, va, len);
}

/*
 * The leaf descriptor that maps @addr (0 if none), with its level and, when
 * @ep is not NULL, its address. One read per level: what the caller gets is
 * what was checked, even while another thread changes the table. Links are
 * read with acquire semantics: a table found through one is complete.
 */
uint64_t iomm_pgt_leaf_of(const struct iomm_pgt *pgt, uint64_t addr, unsigned *lp,
			  const uint64_t **ep);

/* ---- shared by map, unmap and update (pgt_map.c, pgt_update.c) ---- */

/*
 * The descriptor bits of output address @pa (granule-aligned, below 2^oas),
 * for every format at once: in place (shift 0, no fold: pa & oa_mask is pa),
 * shifted (RISC-V: PA >> 2 in bits 53:10), or with PA[51:48] folded into
 * bits 15:12 (Arm, 52 bits). Not on the fast paths, which store pa | attr.
 */
static inline uint64_t pa_to_pte(const struct iomm_pgt *pgt, uint64_t pa)
{
	return ((pa >> pgt->oa_shift) & pgt->oa_mask) | ((pa >> 36) & pgt->oa_fold);
}

/* The refusal of a range check_range() found bad (pgt_map.c). */
int iomm_pgt_range_refuse(const struct iomm_pgt *pgt, uint64_t iova, uint64_t size,
			  const char *fn);

/* [iova, iova + size): granule-aligned, not empty, not wrapping, within ias. */
static inline int check_range(const struct iomm_pgt *pgt, uint64_t iova, uint64_t size,
			      const char *fn)
{
	uint64_t end = iova + size;
	/* end <= iova: empty or wrapping; one test for the hot paths */
	if (IOMM_UNLIKELY(((iova | size) & pgt->gmask) || end <= iova || end > pgt->in_limit))
		return iomm_pgt_range_refuse(pgt, iova, size, fn);
	return IOMM_OK;
}

/* Whether @prot is a valid combination of known bits, whatever the format. */
static inline bool prot_well_formed(uint32_t prot)
{
	return !(prot & ~(uint32_t)IOMM_PROT_ALL) && (prot & (IOMM_READ | IOMM_WRITE)) &&
	       (prot & IOMM_MEM_MASK) != IOMM_MEM_MASK;
}

/* Whether @pgt's format can express @prot: what iomm_pgt_map() refuses with
 * IOMM_EINVAL otherwise (the host role asks before it maps a doorbell).
 * prot_memo_locked() spells the same test out: calling this from it costs
 * map_4k and map_2m one instruction each with gcc 12 -O2. */
static inline bool pgt_prot_ok(const struct iomm_pgt *pgt, uint32_t prot)
{
	return prot_well_formed(prot) && pgt->fmt->prot_ok(prot);
}

/*
 * Make pgt->last_attr the descriptor attributes of @prot (the memo of the
 * last prot, guarded by the table's lock, which the caller holds). false:
 * @prot is malformed or a combination this format cannot express.
 */
static inline bool prot_memo_locked(struct iomm_pgt *pgt, uint32_t prot)
{
	if (IOMM_LIKELY(prot == pgt->last_prot))
		return true;
	if (!prot_well_formed(prot) || !pgt->fmt->prot_ok(prot))
		return false;
	pgt->last_attr = pgt->fmt->prot_to_attr(pgt, prot);
	pgt->last_prot = prot;
	return true;
}

static inline void gather_add(struct iomm_gather *g, uint64_t start, uint64_t size,
			      uint64_t leaf_size, unsigned l)
{
	uint64_t end = start + size;
	if (g->end <= g->start) {
		g->start = start;
		g->end = end;
	} else {
		if (start < g->start)
			g->start = start;
		if (end > g->end)
			g->end = end;
	}
	g->leaf_sizes |= leaf_size;
	g->levels |= 1u << l;
}

/* The output range [pa, pa + size): granule-aligned, not wrapping, within oas. */
static inline int check_out(const struct iomm_pgt *pgt, uint64_t pa, uint64_t size, const char *fn)
{
	if (IOMM_UNLIKELY((pa & pgt->gmask) || pa + size < pa))
		return IOMM_REFUSE_AS(pgt->port, IOMM_EINVAL, fn,
				      "pa: not granule-aligned, or pa + size wraps");
	if (IOMM_UNLIKELY(pa + size > pgt->out_limit))
		return IOMM_REFUSE_AS(pgt->port, IOMM_ERANGE, fn,
				      "pa + size: beyond the table's output size (cfg.oas)");
	return IOMM_OK;
}

/* Tie @g to @pgt (an empty gather), or refuse one that holds another table's pages. */
static inline int bind_gather(struct iomm_pgt *pgt, struct iomm_gather *g, const char *fn)
{
	if (IOMM_UNLIKELY(g->pgt != pgt)) {
		if (g->pgt)
			return IOMM_REFUSE_AS(pgt->port, IOMM_EINVAL, fn,
					      "gather: holds pages of another table; release it first");
		g->pgt = pgt;
	}
	return IOMM_OK;
}

/*
 * Break the contiguous groups that [iova, end) cuts, with break-before-make
 * (pgt_map.c). 0, or the status of the table's inval_sync hook.
 */
int iomm_pgt_strip_edges(const struct iomm_pgt *pgt, uint64_t iova, uint64_t end);

#endif /* IOMM_PGT_INTERNAL_H */
