/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Radix translation tables: Arm VMSAv8-64 (LPAE) stage 1 and stage 2 for
 * 4, 16 and 64 KiB granules, Intel VT-d second stage and x86-64 paging
 * (VT-d first stage) with 4 KiB pages.
 *
 * Geometry: a level-n table entry maps 2^shift[n] bytes, with
 * shift[n] = granule_shift + (last - n) * bits and bits = granule_shift - 3.
 * Lookups start at start_level and end at `last`: 3 for Arm, 4 for the
 * x86 formats (so that a 5-level root is level 0). The formats differ only
 * in descriptor bits, which the table object carries as masks (v_mask,
 * t_mask/t_val, t_bits, type_mask, page_bits, block_bits) so the walks
 * below are shared.
 *
 * Every mutating call runs in two passes. The first only reads: it checks
 * the request against what is mapped and counts the table pages the second
 * pass will need. Those pages are then reserved from the pool in one go, so
 * the second pass, which writes, cannot fail half way.
 */
#include "iomm_internal.h"

/* ---- descriptor layout (Arm ARM D8.3, SMMUv3 5.x) ---- */
#define D_VALID	    IOMM_BIT(0)
#define D_TYPE_MASK 3ull
#define D_TABLE	    3ull /* table at levels 0-2 */
#define D_PAGE	    3ull /* page at level 3 */
#define D_BLOCK	    1ull /* block at levels 1-2 */

#define D_ATTRIDX_SHIFT	   2
#define D_NS		   IOMM_BIT(5)
#define D_AP_UNPRIV	   IOMM_BIT(6) /* stage 1 AP[1] */
#define D_AP_RDONLY	   IOMM_BIT(7) /* stage 1 AP[2] */
#define D_S2AP_R	   IOMM_BIT(6)
#define D_S2AP_W	   IOMM_BIT(7)
#define D_S2_MEMATTR_SHIFT 2
#define D_SH_SHIFT	   8
#define D_SH_MASK	   (3ull << D_SH_SHIFT)
#define D_AF		   IOMM_BIT(10)
#define D_NG		   IOMM_BIT(11)
#define D_CONT		   IOMM_BIT(52)
#define D_PXN		   IOMM_BIT(53)
#define D_UXN		   IOMM_BIT(54) /* stage 1 UXN/XN; stage 2 XN[1] */

#define SH_NONE	 0ull
#define SH_OUTER 2ull
#define SH_INNER 3ull

/* MAIR attribute indices and the MAIR value that goes with them. */
#define MAIR_IDX_WB  0u
#define MAIR_IDX_NC  1u
#define MAIR_IDX_DEV 2u
#define MAIR_WB	     0xffull /* normal, inner/outer write-back RW-allocate */
#define MAIR_NC	     0x44ull /* normal, inner/outer non-cacheable */
#define MAIR_DEV     0x04ull /* device nGnRE */

/* Stage-2 MemAttr[3:0] */
#define S2_MEMATTR_WB  0xfull
#define S2_MEMATTR_NC  0x5ull
#define S2_MEMATTR_DEV 0x1ull

#define FOLD52_MASK IOMM_GENMASK(15, 12) /* PA[51:48] with a 64 KiB granule */

/* ---- VT-d second-stage entries (VT-d spec 9.8) ---- */
#define SL_R   IOMM_BIT(0)
#define SL_W   IOMM_BIT(1)
#define SL_PS  IOMM_BIT(7) /* superpage, above the last level */
#define SL_SNP IOMM_BIT(11)

/* ---- x86-64 paging entries as VT-d first stage (VT-d spec 9.7, SDM vol. 3 4.5) ---- */
#define FL_P   IOMM_BIT(0)
#define FL_RW  IOMM_BIT(1)
#define FL_US  IOMM_BIT(2)
#define FL_PWT IOMM_BIT(3)
#define FL_PCD IOMM_BIT(4)
#define FL_A   IOMM_BIT(5)
#define FL_D   IOMM_BIT(6)
#define FL_PS  IOMM_BIT(7) /* large page, above the last level */

static inline bool is_arm(const struct iomm_pgt *pgt)
{
	return pgt->cfg.format <= IOMM_FMT_ARM_LPAE_S2;
}

static inline bool is_s2(const struct iomm_pgt *pgt)
{
	return pgt->cfg.format == IOMM_FMT_ARM_LPAE_S2;
}

static inline unsigned lvl_shift(const struct iomm_pgt *pgt, unsigned l)
{
	return pgt->shift[l];
}

static inline size_t lvl_index(const struct iomm_pgt *pgt, unsigned l, uint64_t iova)
{
	return (size_t)(iova >> pgt->shift[l]) & pgt->idx_mask[l];
}

/* Entries of a table at level l (the root's count differs). */
static inline size_t lvl_entries(const struct iomm_pgt *pgt, unsigned l)
{
	return (size_t)pgt->idx_mask[l] + 1;
}

static inline bool pte_valid(const struct iomm_pgt *pgt, uint64_t pte)
{
	return (pte & pgt->v_mask) != 0;
}

/* A table entry: valid, above the last level, and of the table kind. */
static inline bool pte_is_table(const struct iomm_pgt *pgt, uint64_t pte, unsigned l)
{
	return l < pgt->last && (pte & pgt->t_mask) == pgt->t_val;
}

static inline uint64_t pa_to_pte(const struct iomm_pgt *pgt, uint64_t pa)
{
	if (IOMM_LIKELY(!pgt->oa_fold))
		return pa;
	return (pa & IOMM_GENMASK(47, 0)) | ((pa >> 36) & pgt->oa_fold);
}

static inline uint64_t pte_to_pa(const struct iomm_pgt *pgt, uint64_t pte)
{
	uint64_t oa = pte & pgt->oa_mask;
	if (IOMM_LIKELY(!pgt->oa_fold))
		return oa;
	return (oa & ~pgt->oa_fold) | ((oa & pgt->oa_fold) << 36);
}

static inline uint64_t *table_va(const struct iomm_pgt *pgt, uint64_t pa)
{
	if (IOMM_LIKELY(pgt->linear))
		return (uint64_t *)(uintptr_t)(pa - pgt->va_pa_off);
	return pgt->port->phys_to_virt(pgt->port->ctx, pa);
}

static __attribute__((noinline)) uint64_t *next_table_slow(const struct iomm_pgt *pgt, uint64_t pte)
{
	return table_va(pgt, pte_to_pa(pgt, pte));
}

/* The table a table descriptor points to; one test on the common path. */
static inline uint64_t *next_table(const struct iomm_pgt *pgt, uint64_t pte)
{
	if (IOMM_LIKELY(pgt->plain))
		return (uint64_t *)(uintptr_t)((pte & pgt->oa_mask) - pgt->va_pa_off);
	return next_table_slow(pgt, pte);
}

static inline bool leaf_ok(const struct iomm_pgt *pgt, unsigned l, uint64_t iova, uint64_t pa,
			   uint64_t size)
{
	uint64_t esz = 1ull << lvl_shift(pgt, l);
	return (pgt->leaf_sizes & esz) && size >= esz && !((iova | pa) & (esz - 1));
}

static inline void clean(const struct iomm_pgt *pgt, const void *va, size_t len)
{
	if (!pgt->coherent)
		pgt->port->clean_tables(pgt->port->ctx, va, len);
}

/* ---- reserved table pages: a list linked through word 0 (page va) and 1 (pa) ---- */
struct reserve {
	uint64_t *head;
	size_t n;
};

static void reserve_put(struct reserve *r, uint64_t *page, uint64_t pa)
{
	page[0] = (uint64_t)(uintptr_t)r->head;
	page[1] = pa;
	r->head = page;
	r->n++;
}

static uint64_t *reserve_take(struct reserve *r, uint64_t *pa)
{
	uint64_t *page = r->head;
	r->head = (uint64_t *)(uintptr_t)page[0];
	*pa = page[1];
	page[0] = 0;
	page[1] = 0;
	r->n--;
	return page;
}

static void reserve_drop(struct iomm_pgt *pgt, struct reserve *r)
{
	while (r->n) {
		uint64_t pa;
		iomm_pool_release(pgt->pool, reserve_take(r, &pa), 1);
	}
}

static int reserve_fill(struct iomm_pgt *pgt, struct reserve *r, size_t n)
{
	r->head = NULL;
	r->n = 0;
	while (r->n < n) {
		uint64_t pa;
		uint64_t *page = iomm_pool_alloc(pgt->pool, 1, &pa);
		if (!page) {
			reserve_drop(pgt, r);
			return IOMM_ENOMEM;
		}
		reserve_put(r, page, pa);
	}
	/* The pages were zeroed by the CPU: order that before any link to them. */
	if (n && pgt->coherent)
		iomm_port_wmb(pgt->port);
	return IOMM_OK;
}

/* ---- prot <-> attributes ---- */
static uint64_t x86_prot_to_attr(const struct iomm_pgt *pgt, uint32_t prot)
{
	if (pgt->cfg.format == IOMM_FMT_VTD_SL) {
		uint64_t attr = (pgt->cfg.flags & IOMM_PGT_SNOOP) ? SL_SNP : 0;
		if (prot & IOMM_READ)
			attr |= SL_R;
		if (prot & IOMM_WRITE)
			attr |= SL_W;
		return attr;
	}
	/* A and D preset: the walker has nothing to write back. */
	uint64_t attr = FL_P | FL_A;
	if (prot & IOMM_WRITE)
		attr |= FL_RW | FL_D;
	if (!(prot & IOMM_PRIV))
		attr |= FL_US;
	if ((prot & IOMM_MEM_MASK) != IOMM_MEM_WB)
		attr |= FL_PCD | FL_PWT;
	return attr;
}

static uint32_t x86_pte_to_prot(const struct iomm_pgt *pgt, uint64_t pte)
{
	uint32_t prot = 0;
	if (pgt->cfg.format == IOMM_FMT_VTD_SL) {
		if (pte & SL_R)
			prot |= IOMM_READ;
		if (pte & SL_W)
			prot |= IOMM_WRITE;
		return prot;
	}
	prot = IOMM_READ;
	if (pte & FL_RW)
		prot |= IOMM_WRITE;
	if (!(pte & FL_US))
		prot |= IOMM_PRIV;
	if (pte & FL_PCD)
		prot |= IOMM_MEM_NC;
	return prot;
}

/* Whether the format can express @prot (checked before it is memoised). */
static bool prot_ok(const struct iomm_pgt *pgt, uint32_t prot)
{
	if ((prot & ~(uint32_t)IOMM_PROT_ALL) || !(prot & (IOMM_READ | IOMM_WRITE)) ||
	    (prot & IOMM_MEM_MASK) == IOMM_MEM_MASK)
		return false;
	if (pgt->cfg.format == IOMM_FMT_X86_FL)
		return (prot & IOMM_READ) != 0; /* no write-only pages */
	if (pgt->cfg.format == IOMM_FMT_VTD_SL)
		return !(prot & IOMM_PRIV); /* no privilege distinction */
	return true;
}

static uint64_t prot_to_attr(const struct iomm_pgt *pgt, uint32_t prot)
{
	if (!is_arm(pgt))
		return x86_prot_to_attr(pgt, prot);
	uint32_t mem = prot & IOMM_MEM_MASK;
	uint64_t sh;
	switch (prot & IOMM_SH_MASK) {
	case IOMM_SH_NONE:
		sh = SH_NONE;
		break;
	case IOMM_SH_OUTER:
		sh = SH_OUTER;
		break;
	case IOMM_SH_INNER:
		sh = SH_INNER;
		break;
	default:
		sh = mem == IOMM_MEM_WB ? SH_INNER : SH_OUTER;
		break;
	}
	uint64_t attr = D_AF | (sh << D_SH_SHIFT);

	if (is_s2(pgt)) {
		uint64_t memattr = mem == IOMM_MEM_WB	? S2_MEMATTR_WB
				   : mem == IOMM_MEM_NC ? S2_MEMATTR_NC
							: S2_MEMATTR_DEV;
		attr |= memattr << D_S2_MEMATTR_SHIFT;
		if (prot & IOMM_READ)
			attr |= D_S2AP_R;
		if (prot & IOMM_WRITE)
			attr |= D_S2AP_W;
		if (!(prot & IOMM_EXEC))
			attr |= D_UXN;
	} else {
		attr |= (uint64_t)pgt->mair_idx[mem >> IOMM_MEM_SHIFT] << D_ATTRIDX_SHIFT;
		if (!(prot & IOMM_WRITE))
			attr |= D_AP_RDONLY;
		if (!(prot & IOMM_PRIV))
			attr |= D_AP_UNPRIV;
		if (!(prot & IOMM_EXEC))
			attr |= D_UXN | D_PXN;
		if (pgt->cfg.flags & IOMM_PGT_NG)
			attr |= D_NG;
		if (pgt->cfg.flags & IOMM_PGT_NS)
			attr |= D_NS;
	}
	return attr;
}

static uint32_t pte_to_prot(const struct iomm_pgt *pgt, uint64_t pte)
{
	if (!is_arm(pgt))
		return x86_pte_to_prot(pgt, pte);
	uint32_t prot = 0;
	uint64_t sh = (pte & D_SH_MASK) >> D_SH_SHIFT;
	uint32_t mem;
	if (is_s2(pgt)) {
		uint64_t memattr = (pte >> D_S2_MEMATTR_SHIFT) & 0xf;
		mem = memattr == S2_MEMATTR_WB	 ? IOMM_MEM_WB
		      : memattr == S2_MEMATTR_NC ? IOMM_MEM_NC
						 : IOMM_MEM_DEVICE;
		if (pte & D_S2AP_R)
			prot |= IOMM_READ;
		if (pte & D_S2AP_W)
			prot |= IOMM_WRITE;
		if (!(pte & D_UXN))
			prot |= IOMM_EXEC;
	} else {
		uint32_t idx = (uint32_t)(pte >> D_ATTRIDX_SHIFT) & 7u;
		mem = idx == MAIR_IDX_WB   ? IOMM_MEM_WB
		      : idx == MAIR_IDX_NC ? IOMM_MEM_NC
					   : IOMM_MEM_DEVICE;
		prot |= IOMM_READ;
		if (!(pte & D_AP_RDONLY))
			prot |= IOMM_WRITE;
		if (!(pte & D_AP_UNPRIV))
			prot |= IOMM_PRIV;
		if (!(pte & D_UXN))
			prot |= IOMM_EXEC;
	}
	uint32_t dflt = mem == IOMM_MEM_WB ? (uint32_t)SH_INNER : (uint32_t)SH_OUTER;
	if (sh != dflt)
		prot |= sh == SH_NONE	 ? IOMM_SH_NONE
			: sh == SH_OUTER ? IOMM_SH_OUTER
					 : IOMM_SH_INNER;
	return prot | mem;
}

/* ---- init ---- */
static int ps_encoding(unsigned oas)
{
	switch (oas) {
	case 32:
		return 0;
	case 36:
		return 1;
	case 40:
		return 2;
	case 42:
		return 3;
	case 44:
		return 4;
	case 48:
		return 5;
	case 52:
		return 6;
	default:
		return -1;
	}
}

/*
 * Arm geometry: granule, start level (stage 2 with concatenated roots),
 * leaf sizes and contiguous groups. Fills @t; IOMM_ENOTSUP if the
 * configuration does not exist.
 */
static int geometry_arm(struct iomm_pgt *t, const struct iomm_pgt_cfg *cfg)
{
	unsigned g;
	switch (cfg->granule) {
	case 4096:
		g = 12;
		break;
	case 16384:
		g = 14;
		break;
	case 65536:
		g = 16;
		break;
	default:
		return IOMM_ENOTSUP;
	}
	unsigned max_bits = g == 16 ? 52 : 48;
	if (cfg->ias < 32 || cfg->ias > max_bits || ps_encoding(cfg->oas) < 0 ||
	    cfg->oas > max_bits)
		return IOMM_ENOTSUP;
	t->page_shift = (uint8_t)g;
	t->bits = (uint8_t)(g - 3);
	t->last = 3;
	t->oa_mask = IOMM_GENMASK(47, g);
	if (cfg->oas == 52) {
		t->oa_fold = FOLD52_MASK;
		t->oa_mask |= FOLD52_MASK;
	}
	t->v_mask = D_VALID;
	t->t_mask = D_TYPE_MASK;
	t->t_val = D_TABLE;
	t->t_bits = D_TABLE;
	t->type_mask = D_TYPE_MASK;
	t->page_bits = D_PAGE;
	t->block_bits = D_BLOCK;

	/* Start level: stage 1 uses as few levels as the input size needs;
	 * stage 2 starts as deep as up to 16 concatenated root tables allow,
	 * within the start levels SL0 can encode. */
	unsigned start;
	if (cfg->format == IOMM_FMT_ARM_LPAE_S1) {
		unsigned levels = (cfg->ias - g + t->bits - 1) / t->bits;
		start = 4 - levels;
	} else {
		unsigned shallowest = g == 12 ? 0 : 1, deepest = g == 12 ? 2 : 3;
		start = shallowest;
		for (unsigned l = deepest + 1; l-- > shallowest;) {
			unsigned sh = g + (3 - l) * t->bits;
			if (cfg->ias > sh && cfg->ias - sh <= t->bits + 4u) {
				start = l;
				break;
			}
		}
	}
	t->start_level = (uint8_t)start;

	/* Leaf sizes: pages, plus blocks where the granule allows them. */
	t->leaf_sizes = 1ull << g;
	if (g == 12)
		t->leaf_sizes |= IOMM_BIT(21) | IOMM_BIT(30);
	else if (g == 14)
		t->leaf_sizes |= IOMM_BIT(25);
	else
		t->leaf_sizes |= IOMM_BIT(29);

	if (!(cfg->flags & IOMM_PGT_NO_CONTIG)) {
		/* Entries per contiguous group, by granule (Arm ARM D8.6.1). */
		if (g == 12) {
			t->cont_shift[1] = 4;
			t->cont_shift[2] = 4;
			t->cont_shift[3] = 4;
		} else if (g == 14) {
			t->cont_shift[2] = 5;
			t->cont_shift[3] = 7;
		} else {
			t->cont_shift[2] = 5;
			t->cont_shift[3] = 5;
		}
	}
	t->mair_idx[0] = MAIR_IDX_WB;
	t->mair_idx[1] = MAIR_IDX_NC;
	t->mair_idx[2] = MAIR_IDX_DEV;
	return IOMM_OK;
}

/*
 * VT-d second stage and x86-64 geometry: 4 KiB pages, 9 index bits per
 * level, leaves of 4 KiB, 2 MiB and 1 GiB. The second stage walks as many
 * levels as ias needs (the context's AW); x86-64 paging has 4 or 5.
 */
static int geometry_x86(struct iomm_pgt *t, const struct iomm_pgt_cfg *cfg)
{
	if (cfg->granule != 4096 || cfg->ias < 32 || cfg->ias > 57 || cfg->oas < 32 ||
	    cfg->oas > 52)
		return IOMM_ENOTSUP;
	t->page_shift = 12;
	t->bits = 9;
	t->last = 4;
	t->oa_mask = IOMM_GENMASK(51, 12);
	unsigned levels;
	if (cfg->format == IOMM_FMT_VTD_SL) {
		levels = ((unsigned)cfg->ias - 12u + 8u) / 9u;
		t->v_mask = SL_R | SL_W;
		t->t_mask = SL_R | SL_W | SL_PS;
		t->t_val = SL_R | SL_W; /* tables grant everything; leaves decide */
		t->t_bits = SL_R | SL_W;
		t->type_mask = SL_PS;
		t->block_bits = SL_PS;
	} else {
		/* First-stage input addresses must be canonical: bit 47 (bit 56
		 * with 5 levels) is the sign bit, and a device address with it set
		 * is not canonical. 4 levels translate 47 bits, 5 levels 56. */
		if (cfg->ias > 56)
			return IOMM_ENOTSUP;
		levels = cfg->ias <= 47 ? 4 : 5;
		t->v_mask = FL_P;
		t->t_mask = FL_P | FL_PS;
		t->t_val = FL_P;
		t->t_bits = FL_P | FL_RW | FL_US | FL_A;
		t->type_mask = FL_PS;
		t->block_bits = FL_PS;
	}
	t->start_level = (uint8_t)(5 - levels);
	t->leaf_sizes = IOMM_BIT(12) | IOMM_BIT(21) | IOMM_BIT(30);
	return IOMM_OK;
}

int iomm_pgt_init(struct iomm_pgt *pgt, const struct iomm_pgt_cfg *cfg, struct iomm_pool *pool,
		  const struct iomm_port *port)
{
	if (!pgt || !cfg || !pool || !port)
		return IOMM_EINVAL;
	if (cfg->format < IOMM_FMT_ARM_LPAE_S1 || cfg->format > IOMM_FMT_X86_FL)
		return IOMM_EINVAL;
	if (cfg->flags & ~(IOMM_PGT_COHERENT | IOMM_PGT_NO_CONTIG | IOMM_PGT_NG | IOMM_PGT_NS |
			   IOMM_PGT_SNOOP))
		return IOMM_EINVAL;

	struct iomm_pgt t = {0};
	t.cfg = *cfg;
	int rc = cfg->format <= IOMM_FMT_ARM_LPAE_S2 ? geometry_arm(&t, cfg)
						     : geometry_x86(&t, cfg);
	if (rc)
		return rc;
	if ((cfg->flags & IOMM_PGT_SNOOP) && cfg->format != IOMM_FMT_VTD_SL)
		return IOMM_EINVAL;
	if (iomm_pool_page_size(pool) != cfg->granule)
		return IOMM_EINVAL;
	if (!(cfg->flags & IOMM_PGT_COHERENT) && !port->clean_tables)
		return IOMM_EINVAL;
	if (pool->kind != IOMM_POOL_REGION && !port->phys_to_virt)
		return IOMM_EINVAL;

	t.port = port;
	t.pool = pool;
	unsigned g = t.page_shift, last = t.last, start = t.start_level;
	for (unsigned l = 0; l <= last; l++) {
		t.shift[l] = (uint8_t)(g + (last - l) * t.bits);
		t.idx_mask[l] = (1u << t.bits) - 1;
	}
	t.coherent = (cfg->flags & IOMM_PGT_COHERENT) != 0;
	t.gmask = (1ull << g) - 1;
	t.in_limit = 1ull << cfg->ias;
	t.out_limit = 1ull << cfg->oas;

	/* x86-64 paging has 4 levels even for a narrow input: one root entry then. */
	unsigned span = cfg->ias > t.shift[start] ? cfg->ias : t.shift[start] + 1u;
	unsigned root_bits = span - t.shift[start];
	if (root_bits > t.bits + 4u)
		return IOMM_ENOTSUP;
	t.root_bits = (uint8_t)root_bits;
	t.idx_mask[start] = (1u << root_bits) - 1;
	/* lvl_for[k]: the first level (from the root) whose entries map at most 2^k bytes */
	for (unsigned k = 0; k < 64; k++) {
		unsigned l = start;
		while (l < last && t.shift[l] > k)
			l++;
		t.lvl_for[k] = (uint8_t)l;
	}
	t.root_pages = (uint8_t)(root_bits > t.bits ? 1u << (root_bits - t.bits) : 1u);

	uint64_t sizes = t.leaf_sizes;
	if (cfg->leaf_sizes)
		sizes &= cfg->leaf_sizes | (1ull << g);
	/* No leaves above the start level's entries. */
	sizes &= (1ull << (lvl_shift(&t, start) + 1)) - 1;
	t.leaf_sizes = sizes;
	for (unsigned l = 0; l <= last; l++)
		if (!(sizes & (1ull << lvl_shift(&t, l))) || l < start ||
		    (l == start && root_bits < t.cont_shift[l]))
			t.cont_shift[l] = 0;
	t.last_prot = IOMM_READ;
	t.last_attr = prot_to_attr(&t, IOMM_READ);

	if (pool->kind == IOMM_POOL_REGION) {
		t.linear = true;
		t.plain = !t.oa_fold;
		t.va_pa_off = pool->base_pa - (uint64_t)(uintptr_t)pool->base;
	}
	uint64_t root_pa;
	uint64_t *root = iomm_pool_alloc(pool, t.root_pages, &root_pa);
	if (!root)
		return IOMM_ENOMEM;
	t.root = root;
	t.root_pa = root_pa;
	clean(&t, root, (size_t)t.root_pages << g);
	*pgt = t;
	return IOMM_OK;
}

/* Free a table and everything below it (pages go straight to the pool). */
static void free_subtree(struct iomm_pgt *pgt, uint64_t *table, unsigned l)
{
	if (l < pgt->last) {
		size_t n = (size_t)1 << pgt->bits;
		for (size_t i = 0; i < n; i++) {
			uint64_t pte = iomm_read_desc(&table[i]);
			if (pte_valid(pgt, pte) && pte_is_table(pgt, pte, l))
				free_subtree(pgt, table_va(pgt, pte_to_pa(pgt, pte)), l + 1);
		}
	}
	iomm_pool_release(pgt->pool, table, 1);
}

void iomm_pgt_destroy(struct iomm_pgt *pgt)
{
	if (!pgt || !pgt->root)
		return;
	unsigned l = pgt->start_level;
	size_t n = (size_t)1 << pgt->root_bits;
	for (size_t i = 0; i < n; i++) {
		uint64_t pte = iomm_read_desc(&pgt->root[i]);
		if (pte_valid(pgt, pte) && pte_is_table(pgt, pte, l))
			free_subtree(pgt, table_va(pgt, pte_to_pa(pgt, pte)), l + 1);
	}
	iomm_pool_release(pgt->pool, pgt->root, pgt->root_pages);
	pgt->root = NULL;
}

/* ---- map ---- */

/*
 * Pass 1 of a map: count the table pages needed to map [iova, iova+size)
 * below @table (NULL: a table that does not exist yet) at level @l.
 * Returns IOMM_EEXIST if anything in the range is mapped. Sets *subtables
 * when an existing (empty) table sits where a block could go.
 */
static long map_count(const struct iomm_pgt *pgt, const uint64_t *table, unsigned l, uint64_t iova,
		      uint64_t pa, uint64_t size, bool *subtables)
{
	if (!table && l == pgt->last)
		return 0;
	long need = 0;
	uint64_t esz = 1ull << lvl_shift(pgt, l);
	while (size) {
		uint64_t chunk = esz - (iova & (esz - 1));
		if (chunk > size)
			chunk = size;
		uint64_t pte = table ? iomm_read_desc(&table[lvl_index(pgt, l, iova)]) : 0;
		if (pte_valid(pgt, pte)) {
			if (!pte_is_table(pgt, pte, l))
				return IOMM_EEXIST;
			if (leaf_ok(pgt, l, iova, pa, chunk))
				*subtables = true;
			long n = map_count(pgt, table_va(pgt, pte_to_pa(pgt, pte)), l + 1, iova, pa,
					   chunk, subtables);
			if (n < 0)
				return n;
			need += n;
		} else if (!leaf_ok(pgt, l, iova, pa, chunk)) {
			need += 1 + map_count(pgt, NULL, l + 1, iova, pa, chunk, subtables);
		}
		iova += chunk;
		pa += chunk;
		size -= chunk;
	}
	return need;
}

/*
 * Write leaves t[i..i+n) at level l for [iova, pa...), setting the
 * contiguous hint on complete aligned groups. Cleans the run once.
 */
static inline __attribute__((always_inline)) void write_leaves(const struct iomm_pgt *pgt,
							       uint64_t *t, size_t i, size_t n,
							       unsigned l, uint64_t pa,
							       uint64_t attr)
{
	unsigned sh = lvl_shift(pgt, l);
	uint64_t esz = 1ull << sh;
	unsigned cs = pgt->cont_shift[l];
	uint64_t *p = &t[i];
	attr |= l == pgt->last ? pgt->page_bits : pgt->block_bits;

	if (IOMM_UNLIKELY(pgt->oa_fold)) {
		/* PA[51:48] live in bits 15:12: no running descriptor. */
		for (size_t k = 0; k < n; k++, pa += esz) {
			uint64_t cont = 0;
			if (cs) {
				size_t g = (size_t)1 << cs, first = (i + k) & ~(g - 1);
				uint64_t gpa = pa - (uint64_t)(i + k - first) * esz;
				if (first >= i && first + g <= i + n && !(gpa & ((esz << cs) - 1)))
					cont = D_CONT;
			}
			iomm_write_desc(&p[k], pa_to_pte(pgt, pa) | attr | cont);
		}
	} else if (n == 1) {
		iomm_write_desc(p, pa | attr);
	} else {
		uint64_t d = pa | attr;
		size_t k = 0;
		while (k < n) {
			size_t run = n - k;
			uint64_t cont = 0;
			if (cs) {
				size_t g = (size_t)1 << cs, off = (i + k) & (g - 1);
				if (!off && run >= g && !((d & pgt->oa_mask) & ((esz << cs) - 1))) {
					run = g;
					cont = D_CONT;
				} else if (run > g - off) {
					run = g - off;
				}
			}
			for (size_t e = k + run; k < e; k++, d += esz)
				iomm_write_desc(&p[k], d | cont);
		}
	}
	clean(pgt, p, n * sizeof(*p));
}

/*
 * Pass 2 of a map, below @table0 at level @l0 (the root, or a detached
 * table being built for a block split). Cannot fail: pass 1 checked the
 * range and the reserve holds every table page needed.
 */
static void map_apply(const struct iomm_pgt *pgt, uint64_t *table0, unsigned l0, uint64_t iova,
		      uint64_t pa, uint64_t size, uint64_t attr, struct reserve *r, bool subtables)
{
	while (size) {
		uint64_t *t = table0;
		unsigned l = l0;
		for (;;) {
			size_t i = lvl_index(pgt, l, iova);
			uint64_t pte;
			if (leaf_ok(pgt, l, iova, pa, size) &&
			    (!subtables || !pte_valid(pgt, iomm_read_desc(&t[i])))) {
				unsigned sh = lvl_shift(pgt, l);
				size_t left = lvl_entries(pgt, l) - i;
				uint64_t fit = size >> sh;
				size_t n = fit < left ? (size_t)fit : left;
				if (subtables) {
					/* stop before an existing table */
					for (size_t k = 1; k < n; k++)
						if (pte_valid(pgt, iomm_read_desc(&t[i + k]))) {
							n = k;
							break;
						}
				}
				write_leaves(pgt, t, i, n, l, pa, attr);
				uint64_t done = (uint64_t)n << sh;
				iova += done;
				pa += done;
				size -= done;
				break;
			}
			pte = iomm_read_desc(&t[i]);
			if (pte_valid(pgt, pte)) {
				t = table_va(pgt, pte_to_pa(pgt, pte));
			} else {
				uint64_t npa;
				uint64_t *nt = reserve_take(r, &npa);
				clean(pgt, nt, (size_t)1 << pgt->page_shift);
				iomm_write_link(&t[i], pa_to_pte(pgt, npa) | pgt->t_bits);
				clean(pgt, &t[i], sizeof(*t));
				t = nt;
			}
			l++;
		}
	}
}

/*
 * The common case in one pass: every table down to the level of the leaves
 * exists and the whole range is one run of same-sized leaves in one table.
 * Returns 1 when the general two-pass path must take over (nothing written).
 */
static int map_fast(const struct iomm_pgt *pgt, uint64_t iova, uint64_t pa, uint64_t size,
		    uint64_t attr)
{
	/* Largest leaf that alignment and size allow for the first chunk. */
	/* lowest set bit of (iova | pa | top bit of size) = min(alignment, size) */
	unsigned fit = iomm_ctz64(iova | pa | IOMM_BIT(63 - iomm_clz64(size)));
	uint64_t allowed = pgt->leaf_sizes & ((2ull << fit) - 1);
	unsigned sh = 63 - iomm_clz64(allowed);
	uint64_t *t = pgt->root;
	unsigned l = pgt->start_level;

	for (unsigned leaf = pgt->lvl_for[sh]; l < leaf; l++) {
		uint64_t pte = iomm_read_desc(&t[lvl_index(pgt, l, iova)]);
		/* l is above the leaf level here, so it is below the last */
		if ((pte & pgt->t_mask) != pgt->t_val)
			return pte_valid(pgt, pte) ? IOMM_EEXIST : 1;
		t = next_table(pgt, pte);
	}
	size_t i = lvl_index(pgt, l, iova);
	uint64_t n = size >> sh;
	if ((size & ((1ull << sh) - 1)) || n > lvl_entries(pgt, l) - i)
		return 1;
	uint64_t any = 0;
	for (size_t k = 0; k < n; k++)
		any |= iomm_read_desc(&t[i + k]);
	if (any & pgt->v_mask) {
		for (size_t k = 0;; k++) {
			uint64_t pte = iomm_read_desc(&t[i + k]);
			if (pte_valid(pgt, pte))
				return pte_is_table(pgt, pte, l) ? 1 : IOMM_EEXIST;
		}
	}
	write_leaves(pgt, t, i, (size_t)n, l, pa, attr);
	return IOMM_OK;
}

/* The general two-pass map: count, reserve, write. */
static __attribute__((noinline)) int map_slow(struct iomm_pgt *pgt, uint64_t iova, uint64_t pa,
					      uint64_t size, uint64_t attr)
{
	bool subtables = false;
	long need = map_count(pgt, pgt->root, pgt->start_level, iova, pa, size, &subtables);
	if (need < 0)
		return (int)need;
	struct reserve r = {NULL, 0};
	if (need > 0 && reserve_fill(pgt, &r, (size_t)need))
		return IOMM_ENOMEM;
	map_apply(pgt, pgt->root, pgt->start_level, iova, pa, size, attr, &r, subtables);
	reserve_drop(pgt, &r); /* empty: the count is exact */
	return IOMM_OK;
}

static inline int check_range(const struct iomm_pgt *pgt, uint64_t iova, uint64_t size)
{
	uint64_t end = iova + size;
	if (IOMM_UNLIKELY(!size || ((iova | size) & pgt->gmask) || end < iova))
		return IOMM_EINVAL;
	if (IOMM_UNLIKELY(end > pgt->in_limit))
		return IOMM_ERANGE;
	return IOMM_OK;
}

int iomm_pgt_map(struct iomm_pgt *pgt, uint64_t iova, uint64_t pa, uint64_t size, uint32_t prot)
{
	if (IOMM_UNLIKELY(!pgt || !pgt->root))
		return IOMM_EINVAL;
	int rc = check_range(pgt, iova, size);
	if (IOMM_UNLIKELY(rc))
		return rc;
	if (IOMM_UNLIKELY((pa & pgt->gmask) || pa + size < pa))
		return IOMM_EINVAL;
	if (IOMM_UNLIKELY(pa + size > pgt->out_limit))
		return IOMM_ERANGE;

	const struct iomm_port *port = pgt->port;
	iomm_port_lock(port, pgt);
	if (IOMM_UNLIKELY(prot != pgt->last_prot)) { /* the memo is guarded by the lock */
		if (!prot_ok(pgt, prot)) {
			iomm_port_unlock(port, pgt);
			return IOMM_EINVAL;
		}
		pgt->last_attr = prot_to_attr(pgt, prot);
		pgt->last_prot = prot;
	}
	uint64_t attr = pgt->last_attr;
	rc = map_fast(pgt, iova, pa, size, attr);
	if (IOMM_UNLIKELY(rc > 0))
		rc = map_slow(pgt, iova, pa, size, attr);
	iomm_port_unlock(port, pgt);
	return rc;
}

/* ---- gather ---- */
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

/*
 * Queue a table page for release after invalidation. The link goes into
 * entry 0 as an aligned pointer, which every format reads as invalid, so a
 * walker that still holds the table sees at most less than before.
 */
static void gather_free_table(struct iomm_gather *g, uint64_t *table)
{
	iomm_write_desc(table, (uint64_t)(uintptr_t)g->freed);
	g->freed = table;
	g->nfreed++;
	g->tables = true;
}

void iomm_gather_free_pages(struct iomm_gather *gather)
{
	uint64_t *p = gather->freed;
	while (p) {
		uint64_t *next = (uint64_t *)(uintptr_t)iomm_read_desc(p);
		iomm_pool_release(gather->pgt->pool, p, 1);
		p = next;
	}
	gather->freed = NULL;
	gather->nfreed = 0;
}

/* ---- unmap ---- */

/*
 * Tables needed to rebuild the block [base, base + 2^shift(l-1)) that sits
 * at level l-1 as a level-l table, minus the hole [rs, re).
 */
static size_t split_count(const struct iomm_pgt *pgt, unsigned l, uint64_t base, uint64_t rs,
			  uint64_t re)
{
	if (l == pgt->last)
		return 1;
	uint64_t esz = 1ull << lvl_shift(pgt, l);
	uint64_t end = base + (esz << pgt->bits);
	size_t need = 1;
	if (!(pgt->leaf_sizes & esz)) {
		/* No leaves at this level: every entry with something kept needs a table. */
		for (uint64_t eb = base; eb < end; eb += esz) {
			uint64_t ee = eb + esz;
			if (rs <= eb && re >= ee)
				continue;
			need += split_count(pgt, l + 1, eb, rs, re);
		}
		return need;
	}
	/* Only entries holding an edge of the hole are partial. */
	uint64_t e1 = rs > base && rs < end && (rs & (esz - 1)) ? rs & ~(esz - 1) : UINT64_MAX;
	uint64_t e2 = re > base && re < end && (re & (esz - 1)) ? re & ~(esz - 1) : UINT64_MAX;
	if (e1 != UINT64_MAX)
		need += split_count(pgt, l + 1, e1, rs, re);
	if (e2 != UINT64_MAX && e2 != e1)
		need += split_count(pgt, l + 1, e2, rs, re);
	return need;
}

/*
 * The leaf descriptor that maps @addr (0 if none), with its level and, when
 * @ep is not NULL, its address. One read per level: what the caller gets is
 * what was checked, even while another thread changes the table.
 */
static inline uint64_t leaf_of(const struct iomm_pgt *pgt, uint64_t addr, unsigned *lp,
			       const uint64_t **ep)
{
	const uint64_t *t = pgt->root;
	/* the format's bits in registers: the atomic reads below pin memory */
	const uint64_t v_mask = pgt->v_mask, t_mask = pgt->t_mask, t_val = pgt->t_val;
	const unsigned last = pgt->last;
	for (unsigned l = pgt->start_level;; l++) {
		const uint64_t *e = &t[lvl_index(pgt, l, addr)];
		uint64_t pte = iomm_read_link(e);
		if (!(pte & v_mask))
			return 0;
		if (l == last || (pte & t_mask) != t_val) {
			*lp = l;
			if (ep)
				*ep = e;
			return pte;
		}
		t = next_table(pgt, pte);
	}
}

/* Whether @addr lies strictly inside a block (so an unmap edge there cuts it). */
static bool cuts_block(const struct iomm_pgt *pgt, uint64_t addr, unsigned *lp, const uint64_t **ep)
{
	return leaf_of(pgt, addr, lp, ep) && (addr & ((1ull << lvl_shift(pgt, *lp)) - 1));
}

/* Pass 1 of an unmap: pages needed to split blocks cut by the range's edges. */
static size_t unmap_count(const struct iomm_pgt *pgt, uint64_t iova, uint64_t size)
{
	uint64_t end = iova + size;
	unsigned l1 = 0, l2 = 0;
	const uint64_t *e1 = NULL, *e2 = NULL;
	size_t need = 0;
	bool c1 = cuts_block(pgt, iova, &l1, &e1);
	bool c2 = end < pgt->in_limit && cuts_block(pgt, end, &l2, &e2);
	if (c1) {
		uint64_t bsz = 1ull << lvl_shift(pgt, l1);
		uint64_t base = iova & ~(bsz - 1);
		need += split_count(pgt, l1 + 1, base, iova, end < base + bsz ? end : base + bsz);
	}
	if (c2 && !(c1 && e2 == e1)) { /* both edges in one block: counted above */
		uint64_t base = end & ~((1ull << lvl_shift(pgt, l2)) - 1);
		need += split_count(pgt, l2 + 1, base, base, end);
	}
	return need;
}

/* Remove the contiguous hint from the group around t[i] (level l). */
static __attribute__((noinline)) void strip_cont(const struct iomm_pgt *pgt, uint64_t *t, size_t i,
						 unsigned l, uint64_t iova, struct iomm_gather *g)
{
	unsigned cs = pgt->cont_shift[l];
	size_t first = i & ~(((size_t)1 << cs) - 1);
	size_t n = (size_t)1 << cs;
	for (size_t k = 0; k < n; k++) {
		uint64_t pte = iomm_read_desc(&t[first + k]);
		if (pte & D_CONT)
			iomm_write_desc(&t[first + k], pte & ~D_CONT);
	}
	clean(pgt, &t[first], n * sizeof(*t));
	unsigned sh = lvl_shift(pgt, l);
	uint64_t gsz = 1ull << (sh + cs);
	gather_add(g, iova & ~(gsz - 1), gsz, 1ull << sh, l);
}

/* Unlink-time walk of a table being dropped whole: count its leaves' bytes
 * and queue every table page of it for release. */
static __attribute__((noinline)) uint64_t drop_subtree(const struct iomm_pgt *pgt, uint64_t *table,
						       unsigned l, struct iomm_gather *g)
{
	uint64_t bytes = 0;
	uint64_t esz = 1ull << lvl_shift(pgt, l);
	size_t n = (size_t)1 << pgt->bits;
	for (size_t i = 0; i < n; i++) {
		uint64_t pte = iomm_read_desc(&table[i]);
		if (!pte_valid(pgt, pte))
			continue;
		if (pte_is_table(pgt, pte, l)) {
			bytes += drop_subtree(pgt, table_va(pgt, pte_to_pa(pgt, pte)), l + 1, g);
		} else {
			bytes += esz;
			g->leaf_sizes |= esz;
			g->levels |= 1u << l;
		}
	}
	gather_free_table(g, table);
	return bytes;
}

/* Pass 2 of an unmap. Returns the bytes that were mapped. */
static uint64_t unmap_apply(const struct iomm_pgt *pgt, uint64_t iova, uint64_t size,
			    struct iomm_gather *g, struct reserve *r)
{
	uint64_t bytes = 0;
	while (size) {
		uint64_t *t = pgt->root;
		unsigned l = pgt->start_level;
		size_t nent = lvl_entries(pgt, l);
		size_t i = lvl_index(pgt, l, iova);
		size_t run = i; /* first entry written in this table */
		for (;;) {
			unsigned sh = lvl_shift(pgt, l);
			uint64_t esz = 1ull << sh;
			uint64_t off = iova & (esz - 1);
			uint64_t chunk = esz - off;
			if (chunk > size)
				chunk = size;
			uint64_t pte = iomm_read_desc(&t[i]);
			bool whole = chunk == esz;

			if (pte_valid(pgt, pte) && pte_is_table(pgt, pte, l) && !whole) {
				/* descend into a partly covered table */
				if (i > run)
					clean(pgt, &t[run], (i - run) * sizeof(*t));
				t = table_va(pgt, pte_to_pa(pgt, pte));
				l++;
				nent = lvl_entries(pgt, l);
				i = lvl_index(pgt, l, iova);
				run = i;
				continue;
			}
			if (pte_valid(pgt, pte)) {
				if (pgt->cont_shift[l] && (pte & D_CONT)) {
					uint64_t gsz = esz << pgt->cont_shift[l];
					if ((iova & (gsz - 1)) || size < gsz) {
						strip_cont(pgt, t, i, l, iova, g);
						pte &= ~D_CONT;
					}
				}
				if (pte_is_table(pgt, pte, l)) {
					iomm_write_desc(&t[i], 0);
					bytes += drop_subtree(
					    pgt, table_va(pgt, pte_to_pa(pgt, pte)), l + 1, g);
					gather_add(g, iova, esz, 0, l);
				} else if (whole) {
					iomm_write_desc(&t[i], 0);
					bytes += esz;
					gather_add(g, iova, esz, esz, l);
				} else {
					/* split the block, keeping what lies outside the range */
					uint64_t base = iova - off;
					uint64_t bpa = pte_to_pa(pgt, pte);
					uint64_t attr =
					    pte & ~(pgt->oa_mask | pgt->type_mask | D_CONT);
					uint64_t npa;
					uint64_t *nt = reserve_take(r, &npa);
					if (off)
						map_apply(pgt, nt, l + 1, base, bpa, off, attr, r,
							  false);
					if (off + chunk < esz)
						map_apply(pgt, nt, l + 1, iova + chunk,
							  bpa + off + chunk, esz - off - chunk,
							  attr, r, false);
					clean(pgt, nt, (size_t)1 << pgt->page_shift);
					if (pgt->coherent)
						iomm_port_wmb(pgt->port);
					iomm_write_link(&t[i], pa_to_pte(pgt, npa) | pgt->t_bits);
					bytes += chunk;
					gather_add(g, iova, chunk, esz, l);
					g->tables = true;
				}
			}
			iova += chunk;
			size -= chunk;
			i++;
			if (!size || i == nent)
				break;
		}
		if (i > run)
			clean(pgt, &t[run], (i - run) * sizeof(*t));
	}
	return bytes;
}

/*
 * The common case in one pass: the range is one run of whole entries in one
 * table (leaves, holes, or tables dropped whole). No block is cut, so no
 * table page is needed and nothing can fail. Returns 1 (nothing written)
 * when the general path must take over.
 */
static int unmap_fast(const struct iomm_pgt *pgt, uint64_t iova, uint64_t size,
		      struct iomm_gather *g, uint64_t *bytes)
{
	/* Entries wholly inside the range are at most this large. */
	unsigned fit = iomm_ctz64(iova | IOMM_BIT(63 - iomm_clz64(size)));
	uint64_t *t = pgt->root;
	unsigned l = pgt->start_level;
	for (unsigned target = pgt->lvl_for[fit]; l < target; l++) {
		/* the range cuts this entry: only a table can be followed */
		uint64_t pte = iomm_read_desc(&t[lvl_index(pgt, l, iova)]);
		if ((pte & pgt->t_mask) != pgt->t_val)
			return 1;
		t = next_table(pgt, pte);
	}
	unsigned sh = pgt->shift[l];
	uint64_t esz = 1ull << sh;
	size_t i = lvl_index(pgt, l, iova);
	uint64_t n = size >> sh;
	if ((size & (esz - 1)) || n > lvl_entries(pgt, l) - i)
		return 1;
	uint64_t pte = iomm_read_desc(&t[i]);
	unsigned cs = pgt->cont_shift[l];
	if (n == 1 && !(pte & D_CONT) && !pte_is_table(pgt, pte, l)) {
		/* one leaf or hole: the everyday unmap */
		if (pte_valid(pgt, pte)) {
			iomm_write_desc(&t[i], 0);
			clean(pgt, &t[i], sizeof(*t));
			gather_add(g, iova, esz, esz, l);
			*bytes = esz;
		}
		return IOMM_OK;
	}
	if (cs) {
		size_t cmask = ((size_t)1 << cs) - 1;
		size_t last = i + (size_t)n - 1;
		if ((i & cmask) && (pte & D_CONT))
			strip_cont(pgt, t, i, l, iova, g);
		if (((last + 1) & cmask) && (iomm_read_desc(&t[last]) & D_CONT))
			strip_cont(pgt, t, last, l, iova + size - esz, g);
	}
	uint64_t done = 0;
	bool tables = false;
	const uint64_t v_mask = pgt->v_mask, t_mask = pgt->t_mask, t_val = pgt->t_val;
	const bool may_table = l < pgt->last;
	for (size_t k = 0; k < n; k++) {
		pte = iomm_read_desc(&t[i + k]);
		if (!(pte & v_mask))
			continue;
		iomm_write_desc(&t[i + k], 0);
		if (may_table && (pte & t_mask) == t_val) {
			done += drop_subtree(pgt, table_va(pgt, pte_to_pa(pgt, pte)), l + 1, g);
			tables = true;
		} else {
			done += esz;
		}
	}
	clean(pgt, &t[i], (size_t)n * sizeof(*t));
	if (done || tables)
		gather_add(g, iova, size, tables ? 0 : esz, l);
	*bytes = done;
	return IOMM_OK;
}

/* The general two-pass unmap: count block splits, reserve, write. */
static __attribute__((noinline)) int unmap_slow(struct iomm_pgt *pgt, uint64_t iova, uint64_t size,
						struct iomm_gather *g, uint64_t *bytes)
{
	struct reserve r = {NULL, 0};
	size_t need = unmap_count(pgt, iova, size);
	if (need && reserve_fill(pgt, &r, need))
		return IOMM_ENOMEM;
	*bytes = unmap_apply(pgt, iova, size, g, &r);
	reserve_drop(pgt, &r);
	return IOMM_OK;
}

int iomm_pgt_unmap(struct iomm_pgt *pgt, uint64_t iova, uint64_t size, struct iomm_gather *gather,
		   uint64_t *unmapped)
{
	if (IOMM_UNLIKELY(!pgt || !pgt->root || !gather))
		return IOMM_EINVAL;
	int rc = check_range(pgt, iova, size);
	if (IOMM_UNLIKELY(rc))
		return rc;
	if (IOMM_UNLIKELY(gather->pgt != pgt)) {
		if (gather->pgt)
			return IOMM_EINVAL;
		gather->pgt = pgt;
	}

	const struct iomm_port *port = pgt->port;
	iomm_port_lock(port, pgt);
	uint64_t bytes = 0;
	rc = unmap_fast(pgt, iova, size, gather, &bytes);
	if (IOMM_UNLIKELY(rc > 0))
		rc = unmap_slow(pgt, iova, size, gather, &bytes);
	if (rc == IOMM_OK && unmapped)
		*unmapped = bytes;
	iomm_port_unlock(port, pgt);
	return rc;
}

/* ---- lookups ---- */
int iomm_pgt_iova_to_phys(const struct iomm_pgt *pgt, uint64_t iova, uint64_t *pa)
{
	if (IOMM_UNLIKELY(!pgt || !pgt->root || !pa || (iova >> pgt->cfg.ias)))
		return IOMM_ENOENT;
	unsigned l;
	uint64_t pte = leaf_of(pgt, iova, &l, NULL);
	if (!pte)
		return IOMM_ENOENT;
	uint64_t mask = (1ull << lvl_shift(pgt, l)) - 1;
	*pa = (pte_to_pa(pgt, pte) & ~mask) | (iova & mask);
	return IOMM_OK;
}

static void fill_mapping(const struct iomm_pgt *pgt, uint64_t pte, unsigned l, uint64_t iova,
			 struct iomm_mapping *m)
{
	uint64_t esz = 1ull << lvl_shift(pgt, l);
	m->iova = iova & ~(esz - 1);
	m->pa = pte_to_pa(pgt, pte) & ~(esz - 1);
	m->size = esz;
	m->prot = pte_to_prot(pgt, pte);
	m->level = (uint8_t)l;
	m->contig = (pte & D_CONT) != 0;
}

int iomm_pgt_lookup(const struct iomm_pgt *pgt, uint64_t iova, struct iomm_mapping *m)
{
	if (!m)
		return IOMM_EINVAL;
	if (!pgt || !pgt->root || (iova >> pgt->cfg.ias))
		return IOMM_ENOENT;
	unsigned l;
	uint64_t pte = leaf_of(pgt, iova, &l, NULL);
	if (!pte)
		return IOMM_ENOENT;
	fill_mapping(pgt, pte, l, iova, m);
	return IOMM_OK;
}

static int walk_table(const struct iomm_pgt *pgt, const uint64_t *t, unsigned l, uint64_t iova,
		      uint64_t end, iomm_walk_fn fn, void *arg)
{
	uint64_t esz = 1ull << lvl_shift(pgt, l);
	while (iova < end) {
		uint64_t next = (iova | (esz - 1)) + 1;
		uint64_t pte = iomm_read_link(&t[lvl_index(pgt, l, iova)]);
		if (pte_valid(pgt, pte)) {
			int rc;
			if (pte_is_table(pgt, pte, l)) {
				rc = walk_table(pgt, table_va(pgt, pte_to_pa(pgt, pte)), l + 1,
						iova, next < end ? next : end, fn, arg);
			} else {
				struct iomm_mapping m;
				fill_mapping(pgt, pte, l, iova, &m);
				rc = fn(arg, &m);
			}
			if (rc)
				return rc;
		}
		if (next >= end)
			break;
		iova = next;
	}
	return IOMM_OK;
}

int iomm_pgt_walk(const struct iomm_pgt *pgt, uint64_t iova, uint64_t size, iomm_walk_fn fn,
		  void *arg)
{
	if (!pgt || !pgt->root || !fn)
		return IOMM_EINVAL;
	uint64_t top = 1ull << pgt->cfg.ias;
	uint64_t end = size ? iova + size : top;
	if (end < iova)
		return IOMM_EINVAL;
	if (end > top)
		end = top;
	if (iova >= end)
		return IOMM_OK;
	return walk_table(pgt, pgt->root, pgt->start_level, iova, end, fn, arg);
}

/* ---- registers ---- */
int iomm_pgt_lpae_regs(const struct iomm_pgt *pgt, struct iomm_lpae_regs *regs)
{
	if (!pgt || !regs || !pgt->root || pgt->cfg.format > IOMM_FMT_ARM_LPAE_S2)
		return IOMM_EINVAL;
	unsigned g = pgt->page_shift;
	regs->ttbr = pgt->root_pa;
	regs->mair = is_s2(pgt) ? 0
				: (MAIR_WB << (8 * MAIR_IDX_WB)) | (MAIR_NC << (8 * MAIR_IDX_NC)) |
				      (MAIR_DEV << (8 * MAIR_IDX_DEV));
	regs->tsz = (uint8_t)(64 - pgt->cfg.ias);
	regs->tg = g == 12 ? 0 : g == 16 ? 1 : 2;
	unsigned sl0 = g == 12 ? 2u - pgt->start_level : 3u - pgt->start_level;
	regs->sl0 = is_s2(pgt) ? (uint8_t)sl0 : 0;
	regs->ps = (uint8_t)ps_encoding(pgt->cfg.oas);
	regs->irgn = pgt->coherent ? 1 : 0;
	regs->orgn = pgt->coherent ? 1 : 0;
	regs->sh = pgt->coherent ? 3 : 0;
	regs->start_level = pgt->start_level;
	regs->concat = pgt->root_pages;
	return IOMM_OK;
}

unsigned iomm_pgt_levels(const struct iomm_pgt *pgt)
{
	return pgt && pgt->root ? pgt->last + 1u - pgt->start_level : 0u;
}

uint64_t iomm_pgt_page_sizes(const struct iomm_pgt *pgt)
{
	return pgt ? pgt->leaf_sizes : 0;
}

uint64_t iomm_pgt_root_pa(const struct iomm_pgt *pgt)
{
	return pgt && pgt->root ? pgt->root_pa : 0;
}
