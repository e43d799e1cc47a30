/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Page-table engine: in-place update of live mappings (permissions, output
 * address), with break-before-make where the architecture asks for it.
 */
#include "pgtable/pgt_internal.h"

/* The entry that maps @a: a leaf, or the first invalid entry on the way (level in *lp). */
static uint64_t *entry_of(const struct iomm_pgt *pgt, uint64_t a, unsigned *lp)
{
	uint64_t *t = pgt->root;
	for (unsigned l = pgt->start_level;; l++) {
		uint64_t *e = &t[lvl_index(pgt, l, a)];
		uint64_t pte = iomm_read_desc(e);
		if (!pte_valid(pgt, pte) || !pte_is_table(pgt, pte, l)) {
			*lp = l;
			return e;
		}
		t = iomm_pgt_next_table_slow(pgt, pte);
	}
}

/*
 * The leaf that replaces @old (level @l, mapping @a) when [iova, end) is
 * updated to start at @pa with @attr. The contiguous hint is kept (never
 * added) on a group the update covers whole and keeps aligned; only the
 * hint bit of @old is looked at.
 */
static uint64_t update_desc(const struct iomm_pgt *pgt, uint64_t old, unsigned l, uint64_t a,
			    uint64_t iova, uint64_t end, uint64_t pa, uint64_t attr)
{
	uint64_t npa = pa + (a - iova);
	uint64_t d = pa_to_pte(pgt, npa) | attr | (l == pgt->last ? pgt->page_bits : pgt->block_bits);
	unsigned cs = pgt->cont_shift[l];
	if (cs && (old & PGT_CONT)) {
		uint64_t gsz = 1ull << (lvl_shift(pgt, l) + cs);
		uint64_t gs = a & ~(gsz - 1);
		if (gs >= iova && gs + gsz <= end && !((npa - (a - gs)) & (gsz - 1)))
			d |= PGT_CONT;
	}
	return d;
}

/* Whether the group of @old (level @l, at @a) has the hint and is cut by [iova, end). */
static bool group_cut(const struct iomm_pgt *pgt, uint64_t old, unsigned l, uint64_t a,
		      uint64_t iova, uint64_t end)
{
	unsigned cs = pgt->cont_shift[l];
	if (!cs || !(old & PGT_CONT))
		return false;
	uint64_t gsz = 1ull << (lvl_shift(pgt, l) + cs);
	uint64_t gs = a & ~(gsz - 1);
	return gs < iova || gs + gsz > end;
}

/* The update; the lock is held and the arguments are checked. */
static int update_locked(struct iomm_pgt *pgt, uint64_t iova, uint64_t pa, uint64_t size,
			 uint64_t attr, struct iomm_gather *g)
{
	const uint64_t end = iova + size, keep = pgt->fmt->inplace_mask;
	bool bbm = false;
	unsigned l;
	/* pass 1: whole leaves only, every one mapped; is break-before-make needed? */
	for (uint64_t a = iova, esz; a < end; a += esz) {
		uint64_t old = iomm_read_desc(entry_of(pgt, a, &l));
		esz = 1ull << lvl_shift(pgt, l);
		if (!pte_valid(pgt, old))
			return IOMM_ENOENT;
		if ((a & (esz - 1)) || esz > end - a || ((pa + (a - iova)) & (esz - 1)))
			return IOMM_REFUSE_AS(pgt->port, IOMM_EINVAL, "iomm_pgt_update",
					      "iova, size, pa: cut a live leaf (update whole leaves)");
		if (group_cut(pgt, old, l, a, iova, end))
			old &= ~PGT_CONT; /* iomm_pgt_iomm_pgt_strip_edges() breaks that group first */
		if ((old ^ update_desc(pgt, old, l, a, iova, end, pa, attr)) & ~keep)
			bbm = true;
	}
	if (bbm && !pgt->cfg.inval_sync)
		return IOMM_REFUSE_AS(pgt->port, IOMM_ENOTSUP, "iomm_pgt_update",
				      "pa/prot: need break-before-make, cfg.inval_sync is NULL");
	int rc = iomm_pgt_strip_edges(pgt, iova, end);
	if (rc)
		return rc;

	/* pass 2: permissions in place (for the caller's invalidation); break
	 * the others, leaving their hint bit in the invalid entry */
	uint64_t bs = UINT64_MAX, be = 0, bsizes = 0;
	uint32_t blevels = 0;
	for (uint64_t a = iova, esz; a < end; a += esz) {
		uint64_t *e = entry_of(pgt, a, &l);
		uint64_t old = iomm_read_desc(e);
		uint64_t d = update_desc(pgt, old, l, a, iova, end, pa, attr);
		esz = 1ull << lvl_shift(pgt, l);
		if (old == d)
			continue;
		if ((old ^ d) & ~keep) {
			iomm_write_desc(e, old & PGT_CONT); /* invalid: bit 0 clear */
			if (a < bs)
				bs = a;
			be = a + esz;
			bsizes |= esz;
			blevels |= 1u << l;
		} else {
			iomm_write_desc(e, d);
			gather_add(g, a, esz, esz, l);
		}
		clean(pgt, e, sizeof(*e));
	}
	if (!bsizes)
		return IOMM_OK;
	iomm_port_wmb(pgt->port);
	struct iomm_gather r;
	iomm_gather_init(&r);
	r.start = bs;
	r.end = be;
	r.leaf_sizes = bsizes;
	r.levels = blevels;
	rc = pgt->cfg.inval_sync(pgt->cfg.inval_arg, &r);

	/* pass 3: make (or, if the invalidation failed, leave them unmapped) */
	for (uint64_t a = bs, esz; a < be; a += esz) {
		uint64_t *e = entry_of(pgt, a, &l);
		uint64_t old = iomm_read_desc(e);
		esz = 1ull << lvl_shift(pgt, l);
		if (pte_valid(pgt, old))
			continue;
		iomm_write_desc(e, rc ? 0 : update_desc(pgt, old, l, a, iova, end, pa, attr));
		clean(pgt, e, sizeof(*e));
		if (rc)
			gather_add(g, a, esz, esz, l);
	}
	return rc;
}

int iomm_pgt_update(struct iomm_pgt *pgt, uint64_t iova, uint64_t pa, uint64_t size, uint32_t prot,
		    struct iomm_gather *gather)
{
	if (!pgt || !pgt->root || !gather)
		return IOMM_REFUSE(pgt ? pgt->port : NULL, IOMM_EINVAL,
				   "pgt (live) and gather: must not be NULL");
	int rc = check_range(pgt, iova, size, __func__);
	if (rc)
		return rc;
	rc = check_out(pgt, pa, size, __func__);
	if (!rc)
		rc = bind_gather(pgt, gather, __func__);
	if (rc)
		return rc;
	const struct iomm_port *port = pgt->port;
	iomm_port_lock(port, pgt);
	if (IOMM_UNLIKELY(!prot_memo_locked(pgt, prot))) {
		iomm_port_unlock(port, pgt);
		return IOMM_REFUSE(port, IOMM_EINVAL,
				   "prot: malformed, or a combination this format cannot express");
	}
	rc = update_locked(pgt, iova, pa, size, pgt->last_attr, gather);
	iomm_port_unlock(port, pgt);
	return rc;
}
