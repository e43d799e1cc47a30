/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Page-table engine: map. A one-pass fast path for the common case (the
 * tables exist, one run of same-sized leaves), and the general two-pass
 * path: count and check, reserve the table pages, write.
 */
#include "pgtable/pgt_internal.h"

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
					cont = PGT_CONT;
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
					cont = PGT_CONT;
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
void iomm_pgt_map_apply(const struct iomm_pgt *pgt, uint64_t *table0, unsigned l0, uint64_t iova,
			uint64_t pa, uint64_t size, uint64_t attr, struct reserve *r,
			bool subtables)
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

/* Whether @prot is a valid combination of known bits, whatever the format. */
static bool prot_well_formed(uint32_t prot)
{
	return !(prot & ~(uint32_t)IOMM_PROT_ALL) && (prot & (IOMM_READ | IOMM_WRITE)) &&
	       (prot & IOMM_MEM_MASK) != IOMM_MEM_MASK;
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
	if (need > 0 && iomm_pgt_reserve_fill(pgt, &r, (size_t)need))
		return IOMM_ENOMEM;
	iomm_pgt_map_apply(pgt, pgt->root, pgt->start_level, iova, pa, size, attr, &r, subtables);
	iomm_pgt_reserve_drop(pgt, &r); /* empty: the count is exact */
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
		if (!prot_well_formed(prot) || !pgt->fmt->prot_ok(prot)) {
			iomm_port_unlock(port, pgt);
			return IOMM_EINVAL;
		}
		pgt->last_attr = pgt->fmt->prot_to_attr(pgt, prot);
		pgt->last_prot = prot;
	}
	uint64_t attr = pgt->last_attr;
	rc = map_fast(pgt, iova, pa, size, attr);
	if (IOMM_UNLIKELY(rc > 0))
		rc = map_slow(pgt, iova, pa, size, attr);
	iomm_port_unlock(port, pgt);
	return rc;
}

