/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The page-table engine: format lookup, init (a format descriptor resolved
 * into the table's cached fields), destroy, lookups and walks. Map and unmap
 * live in pgt_map.c, the formats in fmt_*.c.
 *
 * Every mutating call runs in two passes. The first only reads: it checks
 * the request against what is mapped and counts the table pages the second
 * pass will need. Those pages are then reserved from the pool in one go, so
 * the second pass, which writes, cannot fail half way.
 */
#include "pgtable/pgt_internal.h"

/* Default input-size cap of a format this library does not know. */
#define PGT_DFLT_IAS_CAP 48u

/* The descriptors, by enum iomm_pgt_format value. */
static const struct iomm_pgt_fmt *const fmts[] = {
	[IOMM_FMT_ARM_LPAE_S1] = &iomm_pgt_fmt_lpae_s1,
	[IOMM_FMT_ARM_LPAE_S2] = &iomm_pgt_fmt_lpae_s2,
	[IOMM_FMT_VTD_SL] = &iomm_pgt_fmt_vtd_sl,
	[IOMM_FMT_X86_FL] = &iomm_pgt_fmt_x86_fl,
	[IOMM_FMT_RISCV_S1] = &iomm_pgt_fmt_riscv_s1,
	[IOMM_FMT_RISCV_G] = &iomm_pgt_fmt_riscv_g,
};

/* The descriptor of @format; NULL if unknown. */
static __attribute__((noinline)) const struct iomm_pgt_fmt *fmt_get(enum iomm_pgt_format format)
{
	return (unsigned)format < sizeof(fmts) / sizeof(fmts[0]) ? fmts[format] : NULL;
}

void iomm_pgt_fmt_defaults(enum iomm_pgt_format unit_fmt, bool stage2,
			   struct iomm_pgt_fmt_rules *rules)
{
	enum iomm_pgt_format f = unit_fmt	 ? unit_fmt
				 : stage2 ? IOMM_FMT_ARM_LPAE_S2
					  : IOMM_FMT_ARM_LPAE_S1;
	const struct iomm_pgt_fmt *fmt = fmt_get(f);
	static const struct iomm_pgt_fmt_rules unknown = {.ias_cap = PGT_DFLT_IAS_CAP};
	*rules = fmt ? fmt->dflt : unknown;
	rules->format = f;
	rules->oas_cap = fmt ? fmt->oas_max : 64;
	rules->wide_oas_cap = fmt ? fmt->wide_max : 64;
	rules->wide_granule = fmt ? fmt->wide_granule : 0;
}

/* ---- init ---- */

/* The format's rules for cfg->granule; NULL if it has none. */
static const struct iomm_pgt_gran *find_granule(const struct iomm_pgt_fmt *fmt, uint32_t granule)
{
	for (unsigned i = 0; i < PGT_MAX_GRANULES && fmt->gran[i].size; i++)
		if (fmt->gran[i].size == granule)
			return &fmt->gran[i];
	return NULL;
}

/*
 * Zero sizes mean what they mean everywhere in the library: the largest
 * that is available, the input capped at the format's default (48 bits;
 * 47 for x86-64 paging, whose bit 47 is the sign of a canonical address).
 * A table alone has only its format and granule to go by.
 */
static void pgt_cfg_defaults(struct iomm_pgt_cfg *c, const struct iomm_pgt_fmt *fmt)
{
	if (!c->granule)
		c->granule = fmt->gran[0].size;
	bool wide = fmt->wide_granule && c->granule == fmt->wide_granule;
	unsigned ias_max = wide ? fmt->wide_max : fmt->ias_max;
	if (!c->oas) {
		unsigned oas = wide ? fmt->wide_max : fmt->oas_max;
		while (oas > 32 && !((fmt->oas_sizes >> oas) & 1u))
			oas--;
		c->oas = (uint8_t)oas;
	}
	if (!c->ias) {
		unsigned ias = fmt->dflt.ias_cap < ias_max ? fmt->dflt.ias_cap : ias_max;
		if (fmt->dflt.ias_within_oas && ias > c->oas)
			ias = c->oas;
		c->ias = (uint8_t)ias;
	}
}

/* Whether the format can translate cfg's input and output sizes. */
static bool sizes_ok(const struct iomm_pgt_fmt *fmt, const struct iomm_pgt_cfg *cfg)
{
	bool wide = fmt->wide_granule && cfg->granule == fmt->wide_granule;
	unsigned ias_max = wide ? fmt->wide_max : fmt->ias_max;
	unsigned oas_max = wide ? fmt->wide_max : fmt->oas_max;
	return cfg->ias >= fmt->ias_min && cfg->ias <= ias_max && cfg->oas <= oas_max &&
	       ((fmt->oas_sizes >> cfg->oas) & 1u);
}

/* Lookup level of the root table, by the format's rule. */
static unsigned start_level(const struct iomm_pgt_fmt *fmt, const struct iomm_pgt_gran *gr,
			    unsigned ias, unsigned g, unsigned bits)
{
	unsigned last = fmt->last, levels;
	switch (fmt->start_rule) {
	case PGT_START_CONCAT:
		for (unsigned l = gr->start_max + 1u; l-- > gr->start_min;) {
			unsigned sh = g + (last - l) * bits;
			if (ias > sh && ias - sh <= bits + PGT_CONCAT_BITS)
				return l;
		}
		return gr->start_min;
	case PGT_START_PAGING:
		levels = fmt->short_levels;
		if (ias > fmt->short_ias)
			levels += (ias - fmt->short_ias + bits - 1u) / bits;
		return last + 1u - levels;
	case PGT_START_FEWEST:
	default:
		levels = (ias - g + bits - 1u) / bits;
		return last + 1u - levels;
	}
}

/*
 * Resolve @fmt into @t for cfg: granule, levels, descriptor bits, leaf
 * sizes, contiguous groups. IOMM_ENOTSUP if the configuration does not exist.
 */
static int resolve_format(struct iomm_pgt *t, const struct iomm_pgt_fmt *fmt,
			  const struct iomm_pgt_cfg *cfg, const struct iomm_port *port)
{
	const struct iomm_pgt_gran *gr = find_granule(fmt, cfg->granule);
	if (!gr)
		return IOMM_REFUSE_AS(port, IOMM_ENOTSUP, "iomm_pgt_init",
				      "cfg->granule: not a granule of this format");
	if (!sizes_ok(fmt, cfg))
		return IOMM_REFUSE_AS(port, IOMM_ENOTSUP, "iomm_pgt_init",
				      "cfg->ias/oas: sizes this format cannot translate at this granule");
	unsigned g = iomm_ctz64(gr->size);
	t->fmt = fmt;
	t->page_shift = (uint8_t)g;
	t->bits = (uint8_t)(g - 3);
	t->last = fmt->last;
	t->oa_shift = fmt->oa_shift;
	t->oa_enc = fmt->oa_shift != 0;
	t->oa_mask = IOMM_GENMASK(fmt->oa_hi, g - fmt->oa_shift);
	if (cfg->oas == 52 && fmt->oa_fold_52) {
		t->oa_fold = fmt->oa_fold_52;
		t->oa_mask |= fmt->oa_fold_52;
		t->oa_enc = true;
	}
	t->v_mask = fmt->v_mask;
	t->t_mask = fmt->t_mask;
	t->t_val = fmt->t_val;
	t->t_bits = fmt->t_bits;
	t->type_mask = fmt->type_mask;
	t->page_bits = fmt->page_bits;
	t->block_bits = fmt->block_bits;
	t->full_bit = fmt->full_bit;
	t->start_level = (uint8_t)start_level(fmt, gr, cfg->ias, g, t->bits);
	t->leaf_sizes = gr->leaf_sizes;
	/* The hint only with a way to break it: changing the Contiguous bit of
	 * live entries needs break-before-make (strip_cont()). */
	if (!(cfg->flags & IOMM_PGT_NO_CONTIG) && cfg->inval_sync)
		for (unsigned l = 0; l < IOMM_PGT_MAX_LEVELS; l++)
			t->cont_shift[l] = gr->cont_shift[l];
	return IOMM_OK;
}

/* Level shifts, index masks, the root's size, leaf sizes and contiguous groups. */
static int layout(struct iomm_pgt *t, const struct iomm_pgt_cfg *cfg, const struct iomm_port *port)
{
	unsigned g = t->page_shift, last = t->last, start = t->start_level;
	for (unsigned l = 0; l <= last; l++) {
		t->shift[l] = (uint8_t)(g + (last - l) * t->bits);
		t->idx_mask[l] = (1u << t->bits) - 1;
	}
	/* x86-64 paging has 4 levels even for a narrow input: one root entry then. */
	unsigned span = cfg->ias > t->shift[start] ? cfg->ias : t->shift[start] + 1u;
	unsigned root_bits = span - t->shift[start];
	/* RISC-V G-stage: the root is 16 KiB (2 more index bits) in every mode. */
	if (t->fmt->root_extra)
		root_bits = t->bits + t->fmt->root_extra;
	if (root_bits > t->bits + PGT_CONCAT_BITS)
		return IOMM_REFUSE_AS(port, IOMM_ENOTSUP, "iomm_pgt_init",
				      "cfg->ias: wider than the root table can hold");
	t->root_bits = (uint8_t)root_bits;
	t->idx_mask[start] = (1u << root_bits) - 1;
	/* lvl_for[k]: the first level (from the root) whose entries map at most 2^k bytes */
	for (unsigned k = 0; k < 64; k++) {
		unsigned l = start;
		while (l < last && t->shift[l] > k)
			l++;
		t->lvl_for[k] = (uint8_t)l;
	}
	t->root_pages = (uint8_t)(root_bits > t->bits ? 1u << (root_bits - t->bits) : 1u);

	uint64_t sizes = t->leaf_sizes;
	if (cfg->leaf_sizes)
		sizes &= cfg->leaf_sizes | (1ull << g);
	/* No leaves above the start level's entries. */
	sizes &= (1ull << (lvl_shift(t, start) + 1)) - 1;
	t->leaf_sizes = sizes;
	for (unsigned l = 0; l <= last; l++)
		if (!(sizes & (1ull << lvl_shift(t, l))) || l < start ||
		    (l == start && root_bits < t->cont_shift[l]))
			t->cont_shift[l] = 0;
	return IOMM_OK;
}

int iomm_pgt_init(struct iomm_pgt *pgt, const struct iomm_pgt_cfg *cfg, struct iomm_pool *pool,
		  const struct iomm_port *port)
{
	if (!pgt || !cfg || !pool || !port)
		return IOMM_REFUSE(port, IOMM_EINVAL, "pgt, cfg, pool, port: must not be NULL");
	if (pgt->live == PGT_LIVE) /* re-initialising would leak its pages */
		return IOMM_REFUSE(port, IOMM_EBUSY, "pgt: live; iomm_pgt_destroy() it first");
	const struct iomm_pgt_fmt *fmt = fmt_get(cfg->format);
	if (!fmt)
		return IOMM_REFUSE(port, IOMM_EINVAL, "cfg->format: no such format");
	if (cfg->flags & ~(IOMM_PGT_NONCOHERENT | IOMM_PGT_NO_CONTIG | IOMM_PGT_NG | IOMM_PGT_NS |
			   IOMM_PGT_SNOOP))
		return IOMM_REFUSE(port, IOMM_EINVAL, "cfg->flags: a bit that is no IOMM_PGT_* flag");
	if (cfg->flags & ~fmt->flags)
		return IOMM_REFUSE(port, IOMM_EINVAL, "cfg->flags: a flag this format does not have");

	struct iomm_pgt t = {0};
	t.cfg = *cfg;
	pgt_cfg_defaults(&t.cfg, fmt);
	int rc = resolve_format(&t, fmt, &t.cfg, port);
	if (rc)
		return rc;
	if (iomm_pool_page_size(pool) != t.cfg.granule)
		return IOMM_REFUSE(port, IOMM_EINVAL, "pool: its page size is not cfg->granule");
	/* One rule: a walk is coherent when the platform is (IOMM_PORT_DMA_COHERENT)
	 * and the table's walker does not say otherwise (IOMM_PGT_NONCOHERENT). */
	t.coherent = (port->flags & IOMM_PORT_DMA_COHERENT) && !(cfg->flags & IOMM_PGT_NONCOHERENT);
	if (!t.coherent && !port->clean_tables)
		return IOMM_REFUSE(port, IOMM_EINVAL,
				   "port: walks are not coherent (no IOMM_PORT_DMA_COHERENT, or "
				   "IOMM_PGT_NONCOHERENT) and clean_tables is NULL");
	if (pool->kind != IOMM_POOL_REGION && !port->phys_to_virt)
		return IOMM_REFUSE(port, IOMM_EINVAL,
				   "port: phys_to_virt is NULL but the pool's pages are not one region");

	t.port = port;
	t.pool = pool;
	t.gmask = (1ull << t.page_shift) - 1;
	t.in_limit = 1ull << t.cfg.ias;
	t.out_limit = 1ull << t.cfg.oas;
	rc = layout(&t, &t.cfg, port);
	if (rc)
		return rc;
	t.last_prot = IOMM_READ;
	t.last_attr = fmt->prot_to_attr(&t, IOMM_READ);

	if (pool->kind == IOMM_POOL_REGION) {
		t.linear = true;
		t.plain = !t.oa_enc;
		t.va_pa_off = pool->base_pa - (uint64_t)(uintptr_t)pool->base;
	}
	uint64_t root_pa;
	uint64_t *root = iomm_pool_alloc(pool, t.root_pages, &root_pa);
	if (!root)
		return IOMM_ENOMEM;
	t.root = root;
	t.root_pa = root_pa;
	clean(&t, root, (size_t)t.root_pages << t.page_shift);
	t.live = PGT_LIVE;
	*pgt = t;
	iomm_port_lock(pool->port, pool);
	pgt->pool_next = pool->tables;
	pool->tables = pgt;
	iomm_port_unlock(pool->port, pool);
	return IOMM_OK;
}

/*
 * Free a table of @n entries and @pages pages at level @l, and everything
 * below it (pages go straight to the pool).
 */
static void free_subtree(struct iomm_pgt *pgt, uint64_t *table, unsigned l, size_t n, size_t pages)
{
	if (l < pgt->last) {
		for (size_t i = 0; i < n; i++) {
			uint64_t pte = iomm_read_desc(&table[i]);
			if (pte_valid(pgt, pte) && pte_is_table(pgt, pte, l))
				free_subtree(pgt, next_table(pgt, pte), l + 1,
					     (size_t)1 << pgt->bits, 1);
		}
	}
	iomm_pool_put(pgt->pool, table, pages);
}

/* Take @pgt off its pool's list of live tables. */
static void pool_forget(struct iomm_pgt *pgt)
{
	struct iomm_pool *pool = pgt->pool;
	iomm_port_lock(pool->port, pool);
	for (struct iomm_pgt **p = &pool->tables; *p; p = &(*p)->pool_next) {
		if (*p == pgt) {
			*p = pgt->pool_next;
			break;
		}
	}
	iomm_port_unlock(pool->port, pool);
	pgt->pool_next = NULL;
}

void iomm_pgt_abandon(struct iomm_pgt *pgt)
{
	pool_forget(pgt);
	pgt->root = NULL;
	pgt->live = 0;
}

void iomm_pgt_destroy(struct iomm_pgt *pgt)
{
	if (!pgt || !pgt->root)
		return;
	pool_forget(pgt);
	free_subtree(pgt, pgt->root, pgt->start_level, (size_t)1 << pgt->root_bits,
		     pgt->root_pages);
	pgt->root = NULL;
	pgt->live = 0;
}

static bool holds_below(const struct iomm_pgt *pgt, const uint64_t *table, unsigned l, size_t n,
			size_t pages, uintptr_t lo, uintptr_t hi)
{
	uintptr_t t = (uintptr_t)table;
	if (t < hi && lo < t + (pages << pgt->page_shift))
		return true;
	if (l < pgt->last) {
		for (size_t i = 0; i < n; i++) {
			uint64_t pte = iomm_read_link(&table[i]);
			if (pte_valid(pgt, pte) && pte_is_table(pgt, pte, l) &&
			    holds_below(pgt, next_table(pgt, pte), l + 1, (size_t)1 << pgt->bits, 1,
					lo, hi))
				return true;
		}
	}
	return false;
}

bool iomm_pgt_holds(const struct iomm_pgt *pgt, const void *va, size_t bytes)
{
	uintptr_t lo = (uintptr_t)va;
	return holds_below(pgt, pgt->root, pgt->start_level, (size_t)1 << pgt->root_bits,
			   pgt->root_pages, lo, lo + bytes);
}

/* ---- lookups ---- */

/*
 * The leaf descriptor that maps @addr (0 if none), with its level and, when
 * @ep is not NULL, its address. One read per level: what the caller gets is
 * what was checked, even while another thread changes the table. Inlined
 * into iomm_pgt_iova_to_phys() (the hot reader); everything else calls the
 * out-of-line copy below, which keeps the code small.
 */
static inline __attribute__((always_inline)) uint64_t leaf_of(const struct iomm_pgt *pgt,
							     uint64_t addr, unsigned *lp,
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

uint64_t iomm_pgt_leaf_of(const struct iomm_pgt *pgt, uint64_t addr, unsigned *lp,
			  const uint64_t **ep)
{
	return leaf_of(pgt, addr, lp, ep);
}

int iomm_pgt_iova_to_phys(const struct iomm_pgt *pgt, uint64_t iova, uint64_t *pa)
{
	/* NULL pa and a NULL or dead table share one cold branch: the fast path
	 * makes the same tests as when a dead table was ENOENT */
	if (IOMM_UNLIKELY(!pa || !pgt || !pgt->root))
		return IOMM_REFUSE(pgt ? pgt->port : NULL, IOMM_EINVAL,
				   "pgt (live) and pa: must not be NULL");
	if (IOMM_UNLIKELY(iova >> pgt->cfg.ias))
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
	m->prot = pgt->fmt->pte_to_prot(pte);
	m->level = (uint8_t)l;
	/* bit 52 is an address bit in RISC-V entries (PA[54]) */
	m->contig = (pte & PGT_CONT & ~pgt->oa_mask) != 0;
}

int iomm_pgt_lookup(const struct iomm_pgt *pgt, uint64_t iova, struct iomm_mapping *m)
{
	if (!m || !pgt || !pgt->root)
		return IOMM_REFUSE(pgt ? pgt->port : NULL, IOMM_EINVAL,
				   "pgt (live) and m: must not be NULL");
	if (iova >> pgt->cfg.ias)
		return IOMM_ENOENT;
	unsigned l;
	uint64_t pte = iomm_pgt_leaf_of(pgt, iova, &l, NULL);
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
				rc = walk_table(pgt, next_table(pgt, pte), l + 1,
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
		return IOMM_REFUSE(pgt ? pgt->port : NULL, IOMM_EINVAL,
				   "pgt (live) and fn: must not be NULL");
	uint64_t top = 1ull << pgt->cfg.ias;
	uint64_t end = size ? iova + size : top;
	if (end < iova)
		return IOMM_REFUSE(pgt->port, IOMM_EINVAL, "iova, size: the range wraps");
	if (end > top)
		end = top;
	if (iova >= end)
		return IOMM_OK;
	return walk_table(pgt, pgt->root, pgt->start_level, iova, end, fn, arg);
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
