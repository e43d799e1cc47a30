/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Page-table engine: unmap and the gather of what it leaves to invalidate.
 * A one-pass fast path for a run of whole entries in one table, and the
 * general two-pass path that also splits blocks cut by the range's edges.
 */
#include "pgtable/pgt_internal.h"

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
		if (pte & PGT_CONT)
			iomm_write_desc(&t[first + k], pte & ~PGT_CONT);
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
				if (pgt->cont_shift[l] && (pte & PGT_CONT)) {
					uint64_t gsz = esz << pgt->cont_shift[l];
					if ((iova & (gsz - 1)) || size < gsz) {
						strip_cont(pgt, t, i, l, iova, g);
						pte &= ~PGT_CONT;
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
					    pte & ~(pgt->oa_mask | pgt->type_mask | PGT_CONT);
					uint64_t npa;
					uint64_t *nt = reserve_take(r, &npa);
					if (off)
						iomm_pgt_map_apply(pgt, nt, l + 1, base, bpa, off, attr, r,
							  false);
					if (off + chunk < esz)
						iomm_pgt_map_apply(pgt, nt, l + 1, iova + chunk,
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
	if (n == 1 && !(pte & PGT_CONT) && !pte_is_table(pgt, pte, l)) {
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
		if ((i & cmask) && (pte & PGT_CONT))
			strip_cont(pgt, t, i, l, iova, g);
		if (((last + 1) & cmask) && (iomm_read_desc(&t[last]) & PGT_CONT))
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
	if (need && iomm_pgt_reserve_fill(pgt, &r, need))
		return IOMM_ENOMEM;
	*bytes = unmap_apply(pgt, iova, size, g, &r);
	iomm_pgt_reserve_drop(pgt, &r);
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

