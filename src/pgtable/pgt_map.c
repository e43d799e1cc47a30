/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Page-table engine: map, unmap, and the gather of what an unmap leaves to
 * invalidate. Both have a one-pass fast path for the common case (the tables
 * exist, one run of same-sized entries in one table) and a general two-pass
 * path: count and check, reserve the table pages, write. The unmap's general
 * path also splits blocks cut by the range's edges, building the new tables
 * with the map's second pass. One file, so that the helpers both use exist
 * once in the object. In-place updates of live mappings are in pgt_update.c.
 */
#include "pgtable/pgt_internal.h"

/* ---- helpers of map and unmap ---- */
/* Entries of a table at level l (the root's count differs). */
static inline size_t lvl_entries(const struct iomm_pgt *pgt, unsigned l)
{
	return (size_t)pgt->idx_mask[l] + 1;
}

static inline uint64_t *table_va(const struct iomm_pgt *pgt, uint64_t pa)
{
	if (IOMM_LIKELY(pgt->linear))
		return (uint64_t *)(uintptr_t)(pa - pgt->va_pa_off);
	return pgt->port->phys_to_virt(pgt->port->ctx, pa);
}

static inline bool leaf_ok(const struct iomm_pgt *pgt, unsigned l, uint64_t iova, uint64_t pa,
			   uint64_t size)
{
	uint64_t esz = 1ull << lvl_shift(pgt, l);
	return (pgt->leaf_sizes & esz) && size >= esz && !((iova | pa) & (esz - 1));
}

/* ---- reserved table pages: a list linked through word 0 (page va) and 1 (pa) ---- */
struct reserve {
	uint64_t *head;
	size_t n;
};

/*
 * The links are written with the descriptor stores: a lock-free reader that
 * raced the unmap which freed this page may still be reading it.
 */
static inline void reserve_put(struct reserve *r, uint64_t *page, uint64_t pa)
{
	iomm_write_desc(&page[0], (uint64_t)(uintptr_t)r->head);
	iomm_write_desc(&page[1], pa);
	r->head = page;
	r->n++;
}

/* A reserved page as it is: the caller writes every entry before linking it. */
static inline uint64_t *reserve_take_raw(struct reserve *r, uint64_t *pa)
{
	uint64_t *page = r->head;
	r->head = (uint64_t *)(uintptr_t)iomm_read_desc(&page[0]);
	*pa = iomm_read_desc(&page[1]);
	r->n--;
	return page;
}

/* A reserved page, zeroed (and cleaned for the walker). */
static uint64_t *reserve_take(const struct iomm_pgt *pgt, struct reserve *r, uint64_t *pa)
{
	uint64_t *page = reserve_take_raw(r, pa);
	size_t len = (size_t)1 << pgt->page_shift;
	iomm_zero_table(page, len);
	clean(pgt, page, len);
	return page;
}

/* Return every reserved page to the pool. */
static void reserve_drop(struct iomm_pgt *pgt, struct reserve *r)
{
	while (r->n) {
		uint64_t pa;
		iomm_pool_put(pgt->pool, reserve_take_raw(r, &pa), 1);
	}
}

/*
 * Reserve @n pages: IOMM_OK, or IOMM_ENOMEM with nothing reserved. They are
 * not zeroed here: a page that one run of leaves fills whole is never
 * zeroed (map_apply()), the others are when taken (reserve_take()); the
 * writer orders either before the link to the page.
 */
static int reserve_fill(struct iomm_pgt *pgt, struct reserve *r, size_t n)
{
	r->head = NULL;
	r->n = 0;
	while (r->n < n) {
		uint64_t pa;
		uint64_t *page = iomm_pool_alloc_raw(pgt->pool, 1, &pa);
		if (!page) {
			reserve_drop(pgt, r);
			return IOMM_ENOMEM;
		}
		reserve_put(r, page, pa);
	}
	return IOMM_OK;
}

int iomm_pgt_range_refuse(const struct iomm_pgt *pgt, uint64_t iova, uint64_t size,
			  const char *fn)
{
	uint64_t end = iova + size;
	if (!size || ((iova | size) & pgt->gmask) || end < iova)
		return IOMM_REFUSE_AS(pgt->port, IOMM_EINVAL, fn,
				      "iova, size: zero, wrapping or not granule-aligned");
	return IOMM_REFUSE_AS(pgt->port, IOMM_ERANGE, fn,
			      "iova + size: beyond the table's input size (cfg.ias)");
}

uint64_t *iomm_pgt_next_table_slow(const struct iomm_pgt *pgt, uint64_t pte)
{
	return table_va(pgt, pte_to_pa(pgt, pte));
}

/* Shifted (RISC-V PPN: no fold) or Arm 52-bit (PA[51:48] in bits 15:12, no shift). */
uint64_t iomm_pgt_pte_to_pa_slow(const struct iomm_pgt *pgt, uint64_t oa)
{
	return ((oa & ~pgt->oa_fold) << pgt->oa_shift) | ((oa & pgt->oa_fold) << 36);
}

/* ---- map ---- */
/*
 * Pass 1 of a map: count the table pages needed to map [iova, iova+size)
 * below @table (NULL: a table that does not exist yet) at level @l.
 * Returns IOMM_EEXIST if anything in the range is mapped. Sets *subtables
 * when an existing (empty) table sits where a block could go; with
 * inval_sync that table is replaced by the block (map_unlink()), so nothing
 * below it is counted.
 */
static long map_count(const struct iomm_pgt *pgt, const uint64_t *table, unsigned l, uint64_t iova,
		      uint64_t pa, uint64_t size, bool *subtables)
{
	if (l == pgt->last) {
		/* pages only: the range is free if no entry of it is valid */
		if (!table)
			return 0;
		const uint64_t *p = &table[lvl_index(pgt, l, iova)];
		size_t n = (size_t)(size >> lvl_shift(pgt, l));
		uint64_t any = 0;
		for (size_t k = 0; k < n; k++)
			any |= iomm_read_desc(&p[k]);
		return (any & pgt->v_mask) ? IOMM_EEXIST : 0;
	}
	long need = 0;
	uint64_t esz = 1ull << lvl_shift(pgt, l);
	/* a new table filled with leaves of this level needs nothing below */
	if (!table && (pgt->leaf_sizes & esz) && !((iova | pa | size) & (esz - 1)))
		return 0;
	while (size) {
		uint64_t chunk = esz - (iova & (esz - 1));
		if (chunk > size)
			chunk = size;
		uint64_t pte = table ? iomm_read_desc(&table[lvl_index(pgt, l, iova)]) : 0;
		if (pte_valid(pgt, pte)) {
			if (!pte_is_table(pgt, pte, l))
				return IOMM_EEXIST;
			long n = map_count(pgt, iomm_pgt_next_table_slow(pgt, pte), l + 1, iova, pa,
					   chunk, subtables);
			if (n < 0)
				return n;
			if (leaf_ok(pgt, l, iova, pa, chunk)) {
				*subtables = true;
				if (pgt->cfg.inval_sync)
					n = 0;
			}
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

/* Store @n running descriptors d, d + step, ... at @p; four per turn (bulk
 * maps spend their time here), except at -Os where the plain loop does it. */
static inline __attribute__((always_inline)) void store_run(uint64_t *p, size_t n, uint64_t d,
							    uint64_t step)
{
	size_t k = 0;
#ifndef __OPTIMIZE_SIZE__
	for (; k + 4 <= n; k += 4, d += 4 * step) {
		iomm_write_desc(&p[k], d);
		iomm_write_desc(&p[k + 1], d + step);
		iomm_write_desc(&p[k + 2], d + 2 * step);
		iomm_write_desc(&p[k + 3], d + 3 * step);
	}
#endif
	for (; k < n; k++, d += step)
		iomm_write_desc(&p[k], d);
}

/*
 * Write leaves t[i..i+n) at level l for [iova, pa...), setting the
 * contiguous hint on complete aligned groups. Cleans the run once. Out of
 * line: the one-leaf case of the fast path is write_leaves().
 */
static __attribute__((noinline)) void write_run(const struct iomm_pgt *pgt, uint64_t *t, size_t i,
						size_t n, unsigned l, uint64_t pa, uint64_t attr)
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
					cont = PGT_CONT;
			}
			iomm_write_desc(&p[k], pa_to_pte(pgt, pa) | attr | cont);
		}
	} else {
		/* the running descriptor and its step, encoded (RISC-V: PA >> 2) */
		uint64_t d = (pa >> pgt->oa_shift) | attr, step = esz >> pgt->oa_shift;
		size_t k = 0;
		/* Decided once per run: a group can carry the hint only if the
		 * output is as aligned as the input within the group's span. */
		if (cs && ((pa ^ ((uint64_t)i << sh)) & ((esz << cs) - 1)))
			cs = 0;
		while (k < n) {
			size_t run = n - k;
			uint64_t first = d; /* with the hint when the run is a group */
			if (cs) {
				size_t g = (size_t)1 << cs, off = (i + k) & (g - 1);
				if (!off && run >= g && !((d & pgt->oa_mask) & ((esz << cs) - 1))) {
					run = g;
					first = d | PGT_CONT;
				} else if (run > g - off) {
					run = g - off;
				}
			}
			store_run(&p[k], run, first, step);
			k += run;
			d += (uint64_t)run * step;
		}
	}
	clean(pgt, p, n * sizeof(*p));
}

/*
 * The full bit of a table link (formats with full_bit): set when one run of
 * leaves filled the table (map), cleared before an unmap changes an entry of
 * the table. So a link with it names a table of valid leaves only, whose
 * bytes drop_subtree() computes without reading it. The hardware ignores
 * the bit; it is cleaned with the link all the same, so that the walker's
 * view equals the CPU's.
 */
static __attribute__((noinline)) void mark_full(const struct iomm_pgt *pgt, uint64_t *pe)
{
	iomm_write_desc(pe, iomm_read_desc(pe) | pgt->full_bit);
	clean(pgt, pe, sizeof(*pe));
}

static __attribute__((noinline)) void clear_full(const struct iomm_pgt *pgt, uint64_t *pe,
						 uint64_t link)
{
	iomm_write_desc(pe, link & ~pgt->full_bit);
	clean(pgt, pe, sizeof(*pe));
}

/* The link to the table holding the level-@l entry of @iova (l below the start level). */
static uint64_t *link_of(const struct iomm_pgt *pgt, uint64_t iova, unsigned l)
{
	uint64_t *t = pgt->root;
	for (unsigned k = pgt->start_level;; k++) {
		uint64_t *e = &t[lvl_index(pgt, k, iova)];
		if (k + 1 == l)
			return e;
		t = iomm_pgt_next_table_slow(pgt, iomm_read_desc(e));
	}
}

/* The fast paths keep no pointer to the link: found again when needed (rare). */
static __attribute__((noinline)) void mark_full_at(const struct iomm_pgt *pgt, uint64_t iova,
						   unsigned l)
{
	if (l > pgt->start_level && pgt->full_bit)
		mark_full(pgt, link_of(pgt, iova, l));
}


/* write_run() with the one-leaf case (no contiguous group, address in place) inline. */
static inline __attribute__((always_inline)) void write_leaves(const struct iomm_pgt *pgt,
							       uint64_t *t, size_t i, size_t n,
							       unsigned l, uint64_t pa,
							       uint64_t attr)
{
#ifndef __OPTIMIZE_SIZE__ /* at -Os write_run() does it, the code once */
	if (IOMM_LIKELY(n == 1 && !pgt->oa_enc)) {
		attr |= l == pgt->last ? pgt->page_bits : pgt->block_bits;
		iomm_write_desc(&t[i], pa | attr);
		clean(pgt, &t[i], sizeof(*t));
		return;
	}
#endif
	write_run(pgt, t, i, n, l, pa, attr);
}

/*
 * Pass 2 of a map, below @table0 at level @l0 (the root, or a detached
 * table being built for a block split). Cannot fail: pass 1 checked the
 * range and the reserve holds every table page needed.
 */
static void map_apply(const struct iomm_pgt *pgt, uint64_t *table0, unsigned l0, uint64_t iova,
			uint64_t pa, uint64_t size, uint64_t attr, struct reserve *r,
			bool subtables)
{
	while (size) {
		uint64_t *t = table0;
		uint64_t *pe = NULL; /* the link to t (NULL: table0) */
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
				write_run(pgt, t, i, n, l, pa, attr);
				if (pe && pgt->full_bit && n == lvl_entries(pgt, l))
					mark_full(pgt, pe);
				uint64_t done = (uint64_t)n << sh;
				iova += done;
				pa += done;
				size -= done;
				break;
			}
			pte = iomm_read_desc(&t[i]);
			pe = &t[i];
			if (pte_valid(pgt, pte)) {
				t = iomm_pgt_next_table_slow(pgt, pte);
			} else {
				uint64_t npa, span = 1ull << lvl_shift(pgt, l);
				uint64_t link = pgt->t_bits;
				/* A new table that one run of leaves fills whole is
				 * written once, before its link (no zeroing first). */
				bool whole = !(iova & (span - 1)) && size >= span &&
					     leaf_ok(pgt, l + 1, iova, pa, span);
				uint64_t *nt;
				if (whole) {
					nt = reserve_take_raw(r, &npa);
					write_run(pgt, nt, 0, lvl_entries(pgt, l + 1), l + 1, pa, attr);
					link |= pgt->full_bit;
				} else {
					nt = reserve_take(pgt, r, &npa);
				}
				if (pgt->coherent)
					iomm_port_wmb(pgt->port); /* the table before its link */
				iomm_write_link(&t[i], link | pa_to_pte(pgt, npa));
				clean(pgt, &t[i], sizeof(*t));
				if (whole) {
					iova += span;
					pa += span;
					size -= span;
					break;
				}
				t = nt;
			}
			l++;
		}
	}
}

static uint64_t drop_subtree(const struct iomm_pgt *pgt, uint64_t *table, unsigned l, bool full,
			     bool count, struct iomm_gather *g);

/* Unlink, below @t at level @l, every table where map_apply() will put a leaf. */
static void unlink_where_leaves_go(const struct iomm_pgt *pgt, uint64_t *t, unsigned l,
				   uint64_t iova, uint64_t pa, uint64_t size, struct iomm_gather *g)
{
	uint64_t esz = 1ull << lvl_shift(pgt, l);
	while (size) {
		uint64_t chunk = esz - (iova & (esz - 1));
		if (chunk > size)
			chunk = size;
		uint64_t *e = &t[lvl_index(pgt, l, iova)];
		uint64_t pte = iomm_read_desc(e);
		/* map_count() checked: a valid entry here is an empty table */
		if (pte_valid(pgt, pte)) {
			uint64_t *nt = iomm_pgt_next_table_slow(pgt, pte);
			if (leaf_ok(pgt, l, iova, pa, chunk)) {
				iomm_write_desc(e, 0);
				clean(pgt, e, sizeof(*e));
				drop_subtree(pgt, nt, l + 1, false, false, g);
				gather_add(g, iova, esz, 0, l);
			} else {
				unlink_where_leaves_go(pgt, nt, l + 1, iova, pa, chunk, g);
			}
		}
		iova += chunk;
		pa += chunk;
		size -= chunk;
	}
}

/*
 * Largest leaves also over empty tables (tables with inval_sync): unlink
 * every empty table where a leaf of the map goes (break), invalidate their
 * span and the walk caches once with inval_sync, then return their pages to
 * the pool; map_apply() then writes the leaves (make). Runs before anything
 * else is written. If the invalidation fails the unlinked tables are held
 * back (never reused: a walk may still reach them) and its error returned;
 * what the table translates is unchanged, as the tables were empty.
 */
static __attribute__((noinline)) int map_unlink(struct iomm_pgt *pgt, uint64_t iova, uint64_t pa,
						uint64_t size)
{
	struct iomm_gather g;
	iomm_gather_init(&g);
	g.pgt = pgt;
	unlink_where_leaves_go(pgt, pgt->root, pgt->start_level, iova, pa, size, &g);
	g.leaf_sizes = 0; /* the tables were empty: no leaf to invalidate */
	iomm_port_wmb(pgt->port); /* the unlinks before the invalidation */
	int rc = pgt->cfg.inval_sync(pgt->cfg.inval_arg, &g);
	if (rc == IOMM_OK)
		iomm_gather_free_pages(&g);
	return rc;
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
#ifdef __OPTIMIZE_SIZE__
		return 1; /* at -Os map_count() tells EEXIST from tables to replace */
#else
		for (size_t k = 0;; k++) {
			uint64_t pte = iomm_read_desc(&t[i + k]);
			if (pte_valid(pgt, pte))
				return pte_is_table(pgt, pte, l) ? 1 : IOMM_EEXIST;
		}
#endif
	}
	write_leaves(pgt, t, i, (size_t)n, l, pa, attr);
	/* a whole table written (n > 2^bits only for a concatenated root) */
	if (IOMM_UNLIKELY(n >> pgt->bits))
		mark_full_at(pgt, iova, l);
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
	if (subtables && pgt->cfg.inval_sync) {
		int rc = map_unlink(pgt, iova, pa, size);
		if (rc) {
			reserve_drop(pgt, &r);
			return rc;
		}
		subtables = false;
	}
	map_apply(pgt, pgt->root, pgt->start_level, iova, pa, size, attr, &r, subtables);
	reserve_drop(pgt, &r); /* empty: the count is exact */
	return IOMM_OK;
}

int iomm_pgt_map(struct iomm_pgt *pgt, uint64_t iova, uint64_t pa, uint64_t size, uint32_t prot)
{
	if (IOMM_UNLIKELY(!pgt || !pgt->root))
		return IOMM_REFUSE(pgt ? pgt->port : NULL, IOMM_EINVAL, "pgt: NULL or not live");
	int rc = check_range(pgt, iova, size, __func__);
	if (IOMM_UNLIKELY(rc))
		return rc;
	rc = check_out(pgt, pa, size, __func__);
	if (IOMM_UNLIKELY(rc))
		return rc;

	const struct iomm_port *port = pgt->port;
	iomm_port_lock(port, pgt);
	if (IOMM_UNLIKELY(!prot_memo_locked(pgt, prot))) {
		iomm_port_unlock(port, pgt);
		return IOMM_REFUSE(port, IOMM_EINVAL,
				   "prot: malformed, or a combination this format cannot express");
	}
	uint64_t attr = pgt->last_attr;
	rc = map_fast(pgt, iova, pa, size, attr);
	if (IOMM_UNLIKELY(rc > 0))
		rc = map_slow(pgt, iova, pa, size, attr);
	iomm_port_unlock(port, pgt);
	return rc;
}



/* ---- gather ---- */
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
		iomm_pool_put(gather->pgt->pool, p, 1);
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

/* Whether @addr lies strictly inside a block (so an unmap edge there cuts it). */
static bool cuts_block(const struct iomm_pgt *pgt, uint64_t addr, unsigned *lp, const uint64_t **ep)
{
	return iomm_pgt_leaf_of(pgt, addr, lp, ep) && (addr & ((1ull << lvl_shift(pgt, *lp)) - 1));
}

/* A block an unmap's edge cuts: its entry and level (e NULL: none). */
struct cut {
	uint64_t *e;
	unsigned l;
};

/*
 * Pass 1 of an unmap: the blocks cut by the range's edges (@cut[0] holds the
 * start, or both edges when one block holds them; @cut[1] the end) and the
 * table pages needed to split them.
 */
static size_t unmap_count(const struct iomm_pgt *pgt, uint64_t iova, uint64_t size,
			  struct cut cut[2])
{
	uint64_t end = iova + size;
	unsigned l1 = 0, l2 = 0;
	const uint64_t *e1 = NULL, *e2 = NULL;
	size_t need = 0;
	bool c1 = cuts_block(pgt, iova, &l1, &e1);
	bool c2 = end < pgt->in_limit && cuts_block(pgt, end, &l2, &e2);
	cut[0].e = cut[1].e = NULL;
	if (c1) {
		uint64_t bsz = 1ull << lvl_shift(pgt, l1);
		uint64_t base = iova & ~(bsz - 1);
		need += split_count(pgt, l1 + 1, base, iova, end < base + bsz ? end : base + bsz);
		cut[0] = (struct cut){(uint64_t *)(uintptr_t)e1, l1};
	}
	if (c2 && !(c1 && e2 == e1)) { /* both edges in one block: counted above */
		uint64_t base = end & ~((1ull << lvl_shift(pgt, l2)) - 1);
		need += split_count(pgt, l2 + 1, base, base, end);
		cut[1] = (struct cut){(uint64_t *)(uintptr_t)e2, l2};
	}
	return need;
}

/*
 * Whether changing a live block into a table needs break-before-make: Arm
 * formats (a change of block size, Arm ARM D8.16.1), told apart by their
 * in-place mask; VT-d and x86-64 have no such rule (inplace_mask all ones).
 * It needs inval_sync: without it the block is replaced in place and the
 * unmap's gather invalidates it afterwards.
 */
static inline bool split_needs_bbm(const struct iomm_pgt *pgt)
{
	return pgt->cfg.inval_sync && pgt->fmt->inplace_mask != ~0ull;
}

/*
 * Replace the blocks an unmap of [iova, end) cuts (from unmap_count()) by
 * tables of smaller leaves holding what lies outside the range, built from
 * the reserve before they are linked. With break-before-make (see
 * split_needs_bbm()) the blocks' entries are written invalid, each block's
 * span invalidated by an inval_sync call, and then linked to their tables;
 * if an invalidation fails the blocks are written back, the new tables go
 * to the pool unseen, and its status is returned: the table translates
 * what it did. Otherwise the links replace the blocks at once. Either way
 * the part of the range in the blocks is added to @g at the blocks' levels
 * (a walker may still hold them until the caller invalidates) and to *bytes.
 */
static int split_blocks(const struct iomm_pgt *pgt, const struct cut cut[2], uint64_t iova,
			uint64_t end, struct reserve *r, struct iomm_gather *g, uint64_t *bytes)
{
	uint64_t old[2] = {0, 0}, link[2] = {0, 0}, rs[2] = {0, 0}, re[2] = {0, 0};
	uint64_t *nt[2] = {NULL, NULL};
	struct iomm_gather brk[2];
	for (unsigned k = 0; k < 2; k++) {
		if (!cut[k].e)
			continue;
		unsigned l = cut[k].l;
		uint64_t bsz = 1ull << lvl_shift(pgt, l);
		uint64_t base = (k ? end : iova) & ~(bsz - 1), top = base + bsz;
		uint64_t pte = iomm_read_desc(cut[k].e);
		uint64_t bpa = pte_to_pa(pgt, pte);
		/* iomm_pgt_strip_edges() took the hint off a group this block was in */
		uint64_t attr = pte & ~(pgt->oa_mask | pgt->type_mask | PGT_CONT);
		uint64_t npa;
		rs[k] = iova > base ? iova : base;
		re[k] = end < top ? end : top;
		nt[k] = reserve_take(pgt, r, &npa);
		if (rs[k] > base)
			map_apply(pgt, nt[k], l + 1, base, bpa, rs[k] - base, attr, r, false);
		if (re[k] < top)
			map_apply(pgt, nt[k], l + 1, re[k], bpa + (re[k] - base), top - re[k], attr,
				  r, false);
		old[k] = pte;
		link[k] = pa_to_pte(pgt, npa) | pgt->t_bits;
		iomm_gather_init(&brk[k]);
		gather_add(&brk[k], base, bsz, bsz, l);
	}
	if (pgt->coherent)
		iomm_port_wmb(pgt->port); /* the new tables before the links to them */
	if (split_needs_bbm(pgt)) {
		/* break */
		for (unsigned k = 0; k < 2; k++) {
			if (!cut[k].e)
				continue;
			iomm_write_desc(cut[k].e, 0);
			clean(pgt, cut[k].e, sizeof(uint64_t));
		}
		iomm_port_wmb(pgt->port); /* the invalid entries before the invalidation */
		int rc = IOMM_OK;
		for (unsigned k = 0; k < 2 && !rc; k++)
			if (cut[k].e)
				rc = pgt->cfg.inval_sync(pgt->cfg.inval_arg, &brk[k]);
		if (rc) {
			struct iomm_gather tmp;
			iomm_gather_init(&tmp);
			tmp.pgt = (struct iomm_pgt *)(uintptr_t)pgt;
			for (unsigned k = 0; k < 2; k++) {
				if (!cut[k].e)
					continue;
				iomm_write_desc(cut[k].e, old[k]);
				clean(pgt, cut[k].e, sizeof(uint64_t));
				drop_subtree(pgt, nt[k], cut[k].l + 1, false, false, &tmp);
			}
			iomm_gather_free_pages(&tmp); /* never linked: no walker saw them */
			return rc;
		}
	}
	/* make */
	for (unsigned k = 0; k < 2; k++) {
		if (!cut[k].e)
			continue;
		iomm_write_link(cut[k].e, link[k]);
		clean(pgt, cut[k].e, sizeof(uint64_t));
		gather_add(g, rs[k], re[k] - rs[k], 1ull << lvl_shift(pgt, cut[k].l), cut[k].l);
		g->tables = true;
		*bytes += re[k] - rs[k];
	}
	return IOMM_OK;
}

/*
 * Remove the contiguous hint from the group around t[i] (level l, holding
 * @iova) by break-before-make: write the group's entries invalid, clean,
 * have inval_sync invalidate the group's range, write them back without the
 * hint. A group with the hint is whole: every entry a valid leaf with the
 * same attributes, the outputs contiguous, so entry k is rebuilt from the
 * first. If the invalidation fails the entries are restored as they were
 * (hint included, which changes nothing for the hardware) and its error is
 * returned. Only tables with inval_sync have groups (resolve_format()).
 */
static __attribute__((noinline)) int strip_cont(const struct iomm_pgt *pgt, uint64_t *t, size_t i,
						unsigned l, uint64_t iova)
{
	unsigned cs = pgt->cont_shift[l];
	size_t n = (size_t)1 << cs;
	uint64_t *p = &t[i & ~(n - 1)];
	unsigned sh = lvl_shift(pgt, l);
	uint64_t esz = 1ull << sh;
	uint64_t d0 = iomm_read_desc(p);
	uint64_t pa0 = pte_to_pa(pgt, d0);
	uint64_t attr = d0 & ~(pgt->oa_mask | PGT_CONT);

	/* break */
	for (size_t k = 0; k < n; k++)
		iomm_write_desc(&p[k], 0);
	clean(pgt, p, n * sizeof(*p));
	iomm_port_wmb(pgt->port); /* the invalid entries before the invalidation */
	struct iomm_gather r;
	iomm_gather_init(&r);
	r.start = iova & ~((esz << cs) - 1);
	r.end = r.start + (esz << cs);
	r.leaf_sizes = esz;
	r.levels = 1u << l;
	int rc = pgt->cfg.inval_sync(pgt->cfg.inval_arg, &r);

	/* make */
	uint64_t cont = rc ? PGT_CONT : 0;
	for (size_t k = 0; k < n; k++)
		iomm_write_desc(&p[k], pa_to_pte(pgt, pa0 + (uint64_t)k * esz) | attr | cont);
	clean(pgt, p, n * sizeof(*p));
	return rc;
}

/*
 * Remove the hint from the contiguous groups an unmap of [iova, end) cuts:
 * those holding an edge of the range strictly inside (a group the range
 * covers partly contains one of its edges). Done before anything else is
 * written, so that a failed invalidation leaves the table as it was.
 */
int iomm_pgt_strip_edges(const struct iomm_pgt *pgt, uint64_t iova, uint64_t end)
{
	const uint64_t edge[2] = {iova, end};
	for (unsigned e = 0; e < 2; e++) {
		uint64_t a = edge[e];
		unsigned l = 0;
		const uint64_t *ep = NULL;
		if (a >= pgt->in_limit)
			continue;
		uint64_t pte = iomm_pgt_leaf_of(pgt, a, &l, &ep);
		if (!pgt->cont_shift[l] || !(pte & PGT_CONT) ||
		    !(a & ((1ull << (lvl_shift(pgt, l) + pgt->cont_shift[l])) - 1)))
			continue;
		size_t i = lvl_index(pgt, l, a);
		int rc = strip_cont(pgt, (uint64_t *)(uintptr_t)(ep - i), i, l, a);
		if (rc)
			return rc;
	}
	return IOMM_OK;
}

/*
 * Unlink-time walk of a table (at level @l) being dropped whole: queue every
 * table page of it for release and return the bytes its leaves mapped. Reads
 * only what it must to find the tables below (O(tables)): a table of leaves
 * only (the last level, or @full: its link carried the full bit) is not
 * read at all when its bytes are computed (full) or not needed (!@count:
 * the general path when the caller asked for no byte count), and otherwise
 * counted in one tight pass (the one-pass path always counts: a flag there
 * costs every single-entry unmap).
 */
static __attribute__((noinline)) uint64_t drop_subtree(const struct iomm_pgt *pgt, uint64_t *table,
						       unsigned l, bool full, bool count,
						       struct iomm_gather *g)
{
	unsigned sh = lvl_shift(pgt, l);
	uint64_t esz = 1ull << sh;
	size_t n = (size_t)1 << pgt->bits;
	uint64_t bytes = 0;
	if (full || l == pgt->last) {
		/* leaves only (maybe none: the gather's sizes may be wider than needed) */
		g->leaf_sizes |= esz;
		g->levels |= 1u << l;
		if (full) {
			bytes = (uint64_t)n << sh;
		} else if (count) {
			const uint64_t v_mask = pgt->v_mask;
			size_t v = 0;
			for (size_t i = 0; i < n; i++)
				v += (iomm_read_desc(&table[i]) & v_mask) != 0;
			bytes = (uint64_t)v << sh;
		}
	} else {
		for (size_t i = 0; i < n; i++) {
			uint64_t pte = iomm_read_desc(&table[i]);
			if (!pte_valid(pgt, pte))
				continue;
			if (pte_is_table(pgt, pte, l)) {
				bytes += drop_subtree(pgt, iomm_pgt_next_table_slow(pgt, pte), l + 1,
						      (pte & pgt->full_bit) != 0, count, g);
			} else {
				bytes += esz;
				g->leaf_sizes |= esz;
				g->levels |= 1u << l;
			}
		}
	}
	gather_free_table(g, table);
	return bytes;
}

/*
 * Clear the leaves among the @m entries at @p (level @l) up to the first
 * table, skipping holes. Returns the entries passed; *v: leaves cleared,
 * *span: entries up to and including the last leaf cleared.
 */
static __attribute__((noinline)) size_t clear_leaves(const struct iomm_pgt *pgt, uint64_t *p,
						     size_t m, unsigned l, size_t *v, size_t *span)
{
	const uint64_t v_mask = pgt->v_mask, t_mask = pgt->t_mask, t_val = pgt->t_val;
	const bool may_table = l < pgt->last;
	size_t k = 0, nv = 0, end = 0;
	for (; k < m; k++) {
		uint64_t e = iomm_read_desc(&p[k]);
		if (!(e & v_mask))
			continue;
		if (may_table && (e & t_mask) == t_val)
			break;
		iomm_write_desc(&p[k], 0);
		nv++;
		end = k + 1;
	}
	*v = nv;
	*span = end;
	return k;
}

/* Pass 2 of an unmap. Returns the bytes that were mapped (if @count). */
static uint64_t unmap_apply(const struct iomm_pgt *pgt, uint64_t iova, uint64_t size,
			    struct iomm_gather *g, bool count)
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
				if (pte & pgt->full_bit)
					clear_full(pgt, &t[i], pte);
				t = iomm_pgt_next_table_slow(pgt, pte);
				l++;
				nent = lvl_entries(pgt, l);
				i = lvl_index(pgt, l, iova);
				run = i;
				continue;
			}
			if (pte_valid(pgt, pte)) {
				/* A leaf with the hint here lies in a group the range
				 * covers whole: iomm_pgt_strip_edges() stripped the others. */
				if (pte_is_table(pgt, pte, l)) {
					iomm_write_desc(&t[i], 0);
					bytes += drop_subtree(pgt, iomm_pgt_next_table_slow(pgt, pte),
							      l + 1, (pte & pgt->full_bit) != 0,
							      count, g);
					gather_add(g, iova, esz, 0, l);
				} else if (whole) {
					/* a run of whole leaves (and holes): one tight loop */
					uint64_t most = size >> sh;
					size_t m = most < nent - i ? (size_t)most : nent - i;
					size_t v, span;
					size_t k = clear_leaves(pgt, &t[i], m, l, &v, &span);
					bytes += (uint64_t)v << sh;
					gather_add(g, iova, (uint64_t)span << sh, esz, l);
					iova += (uint64_t)k << sh;
					size -= (uint64_t)k << sh;
					i += k;
					if (!size || i == nent)
						break;
					continue;
				}
				/* a leaf the range cuts is not here: split_blocks() split it */
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

#ifndef __OPTIMIZE_SIZE__
/*
 * The one-pass unmap and its helper are left out at -Os: unmap_slow() does
 * everything they do (one more walk per edge), and the code exists once.
 */

/* Clear @n last-level entries at @p; returns how many were valid. Out of
 * line, so that the one-entry unmap keeps its registers. */
static __attribute__((noinline)) size_t clear_pages(uint64_t *p, size_t n, uint64_t v_mask)
{
	size_t v = 0;
	for (size_t k = 0; k < n; k++) {
		v += (iomm_read_desc(&p[k]) & v_mask) != 0;
		iomm_write_desc(&p[k], 0);
	}
	return v;
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
	/* A table whose link has the full bit is left to the general path,
	 * which clears the bit: this path never changes a full table's entries
	 * (it drops such a table whole, from its parent). */
	const uint64_t tm = pgt->t_mask | pgt->full_bit, tv = pgt->t_val;
	for (unsigned target = pgt->lvl_for[fit]; l < target; l++) {
		/* the range cuts this entry: only a table can be followed */
		uint64_t link = iomm_read_desc(&t[lvl_index(pgt, l, iova)]);
		if ((link & tm) != tv)
			return 1;
		t = next_table(pgt, link);
	}
	unsigned sh = pgt->shift[l];
	uint64_t esz = 1ull << sh;
	size_t i = lvl_index(pgt, l, iova);
	uint64_t pte = iomm_read_desc(&t[i]);
	/* one leaf or hole, no group around it: the everyday unmap (a table
	 * test that fails for blocks first, then the level for pages) */
	if (size == esz && !(pte & PGT_CONT) &&
	    ((pte & pgt->t_mask) != pgt->t_val || l == pgt->last)) {
		if (pte_valid(pgt, pte)) {
			iomm_write_desc(&t[i], 0);
			clean(pgt, &t[i], sizeof(*t));
			gather_add(g, iova, esz, esz, l);
			*bytes = esz;
		}
		return IOMM_OK;
	}
	uint64_t n = size >> sh;
	if ((size & (esz - 1)) || n > lvl_entries(pgt, l) - i)
		return 1;
	unsigned cs = pgt->cont_shift[l];
	if (cs) {
		/* groups cut by the range's edges lose the hint first */
		size_t cmask = ((size_t)1 << cs) - 1;
		size_t last = i + (size_t)n - 1;
		int rc;
		if ((i & cmask) && (pte & PGT_CONT) && (rc = strip_cont(pgt, t, i, l, iova)))
			return rc;
		if (((last + 1) & cmask) && (iomm_read_desc(&t[last]) & PGT_CONT) &&
		    (rc = strip_cont(pgt, t, last, l, iova + size - esz)))
			return rc;
	}
	uint64_t done = 0;
	bool tables = false;
	const uint64_t v_mask = pgt->v_mask, t_mask = pgt->t_mask, t_val = pgt->t_val;
	const bool may_table = l < pgt->last;
	if (!may_table)
		done = (uint64_t)clear_pages(&t[i], (size_t)n, v_mask) << sh;
	for (size_t k = 0; may_table && k < n; k++) {
		pte = iomm_read_desc(&t[i + k]);
		if (!(pte & v_mask))
			continue;
		iomm_write_desc(&t[i + k], 0);
		if (may_table && (pte & t_mask) == t_val) {
			done += drop_subtree(pgt, table_va(pgt, pte_to_pa(pgt, pte)), l + 1,
					     (pte & pgt->full_bit) != 0, true, g);
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
#endif /* !__OPTIMIZE_SIZE__ */

/* The general two-pass unmap: count block splits, reserve, write. */
static __attribute__((noinline)) int unmap_slow(struct iomm_pgt *pgt, uint64_t iova, uint64_t size,
						struct iomm_gather *g, uint64_t *bytes, bool count)
{
	struct reserve r = {NULL, 0};
	struct cut cut[2];
	size_t need = unmap_count(pgt, iova, size, cut);
	if (need && reserve_fill(pgt, &r, need))
		return IOMM_ENOMEM;
	int rc = iomm_pgt_strip_edges(pgt, iova, iova + size);
	uint64_t split = 0;
	if (!rc && need)
		rc = split_blocks(pgt, cut, iova, iova + size, &r, g, &split);
	if (rc) {
		reserve_drop(pgt, &r);
		return rc;
	}
	*bytes = split + unmap_apply(pgt, iova, size, g, count);
	reserve_drop(pgt, &r); /* empty: the count is exact */
	return IOMM_OK;
}

int iomm_pgt_unmap(struct iomm_pgt *pgt, uint64_t iova, uint64_t size, struct iomm_gather *gather,
		   uint64_t *unmapped)
{
	if (IOMM_UNLIKELY(!pgt || !pgt->root || !gather))
		return IOMM_REFUSE(pgt ? pgt->port : NULL, IOMM_EINVAL,
				   "pgt (live) and gather: must not be NULL");
	int rc = check_range(pgt, iova, size, __func__);
	if (IOMM_UNLIKELY(rc))
		return rc;
	rc = bind_gather(pgt, gather, __func__);
	if (IOMM_UNLIKELY(rc))
		return rc;

	const struct iomm_port *port = pgt->port;
	iomm_port_lock(port, pgt);
	uint64_t bytes = 0;
	/* the byte count of whole tables costs reads: only when asked for */
#ifdef __OPTIMIZE_SIZE__
	rc = unmap_slow(pgt, iova, size, gather, &bytes, unmapped != NULL);
#else
	rc = unmap_fast(pgt, iova, size, gather, &bytes);
	if (IOMM_UNLIKELY(rc > 0))
		rc = unmap_slow(pgt, iova, size, gather, &bytes, unmapped != NULL);
#endif
	if (rc == IOMM_OK && unmapped)
		*unmapped = bytes;
	iomm_port_unlock(port, pgt);
	return rc;
}
