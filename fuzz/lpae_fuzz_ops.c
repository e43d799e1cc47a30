/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_lpae, continued: checks against the walker and the shadow model,
 * operations and the generation of their addresses. See fuzz_lpae.c.
 */
#include "lpae_fuzz.h"

/* ---- checks ------------------------------------------------------------------- */

static int lib_cb(void *arg, const struct iomm_mapping *m)
{
	struct st *s = arg;
	struct leaf x = {m->iova,  m->pa,    m->size, canon_prot(m->prot, s->stage),
			 m->level, m->contig};
	leaves_push(&s->a, &x);
	return 0;
}

struct walk_arg {
	struct st *s;
	uint64_t pages; /* table pages reachable */
};

static int walker_cb(void *arg, const struct wleaf *l)
{
	struct walk_arg *wa = arg;
	struct leaf x = {l->iova, l->oa, l->size, l->prot, (uint8_t)l->level, l->contig};
	leaves_push(&wa->s->b, &x);
	return 0;
}

static int table_cb(void *arg, uint64_t pa, uint64_t bytes, unsigned level)
{
	struct walk_arg *wa = arg;
	(void)pa;
	(void)level;
	wa->pages += (bytes + wa->s->P - 1) / wa->s->P;
	return 0;
}

static void check_addr(struct st *s, uint64_t addr)
{
	uint64_t pa = 0;
	int rc = iomm_pgt_iova_to_phys(&s->pgt, addr, &pa);
	const struct shadow_ext *e = addr < s->in_top ? shadow_find(&s->sh, addr) : NULL;
	struct iomm_mapping m;
	int lrc = iomm_pgt_lookup(&s->pgt, addr, &m);
	if (!e) {
		FZ_CHECK(rc == IOMM_ENOENT,
			 "op %lu: iova_to_phys(0x%llx) = %d pa 0x%llx, model: unmapped", s->op,
			 FZ_ULL(addr), rc, FZ_ULL(pa));
		FZ_CHECK(lrc == IOMM_ENOENT, "op %lu: lookup(0x%llx) = %d, model: unmapped", s->op,
			 FZ_ULL(addr), lrc);
		return;
	}
	uint64_t want = e->pa + (addr - e->iova);
	FZ_CHECK(rc == IOMM_OK && pa == want,
		 "op %lu: iova_to_phys(0x%llx) = %d pa 0x%llx, model 0x%llx", s->op, FZ_ULL(addr),
		 rc, FZ_ULL(pa), FZ_ULL(want));
	FZ_CHECK(lrc == IOMM_OK, "op %lu: lookup(0x%llx) = %d, model: mapped", s->op, FZ_ULL(addr),
		 lrc);
	FZ_CHECK(m.iova <= addr && addr - m.iova < m.size && m.size == lsize(s, m.level) &&
		     !(m.iova & (m.size - 1)) && m.pa + (addr - m.iova) == want &&
		     canon_prot(m.prot, s->stage) == canon_prot(e->prot, s->stage),
		 "op %lu: lookup(0x%llx): leaf 0x%llx +0x%llx level %u -> 0x%llx prot 0x%x; model "
		 "0x%llx prot 0x%x",
		 s->op, FZ_ULL(addr), FZ_ULL(m.iova), FZ_ULL(m.size), m.level, FZ_ULL(m.pa), m.prot,
		 FZ_ULL(want), e->prot);
	/* the whole leaf lies inside mappings the model has, at the same offset */
	for (uint64_t a = m.iova; a < m.iova + m.size;) {
		const struct shadow_ext *x = shadow_find(&s->sh, a);
		FZ_CHECK(x && x->pa + (a - x->iova) == m.pa + (a - m.iova),
			 "op %lu: leaf 0x%llx +0x%llx not backed by the model at 0x%llx", s->op,
			 FZ_ULL(m.iova), FZ_ULL(m.size), FZ_ULL(a));
		a = x->iova + x->size;
	}
	struct wleaf wl;
	int wrc = w_translate(s, addr, &wl);
	FZ_CHECK(wrc == AW_OK && wl.iova == m.iova && wl.size == m.size && wl.oa == m.pa &&
		     wl.level == m.level && wl.prot == canon_prot(m.prot, s->stage),
		 "op %lu: walker at 0x%llx: %d %s", s->op, FZ_ULL(addr), wrc,
		 wrc == AW_BAD ? w_err(s) : "leaf differs");
}

static void release_gather(struct st *s)
{
	uint32_t nfreed = s->g.nfreed;
	size_t used = iomm_pool_used(&s->pool);
	iomm_pgt_gather_release(&s->g);
	FZ_CHECK(iomm_pool_used(&s->pool) + nfreed == used,
		 "op %lu: releasing a gather of %u pages took pool use %zu -> %zu", s->op, nfreed,
		 used, iomm_pool_used(&s->pool));
	FZ_CHECK(!iomm_gather_pending(&s->g), "a released gather is still pending");
}

void full_check(struct st *s)
{
	release_gather(s);
	s->a.n = 0;
	s->b.n = 0;
	struct walk_arg wa = {s, 0};
	int rc = w_walk(s, walker_cb, table_cb, &wa);
	FZ_CHECK(rc == AW_OK, "op %lu: the walker rejects the tables: %s", s->op, w_err(s));
	FZ_CHECK(iomm_pool_used(&s->pool) == wa.pages,
		 "op %lu: the pool holds %zu pages, %llu table pages are reachable", s->op,
		 iomm_pool_used(&s->pool), FZ_ULL(wa.pages));
	rc = iomm_pgt_walk(&s->pgt, 0, 0, lib_cb, s);
	FZ_CHECK(rc == IOMM_OK, "iomm_pgt_walk: %d", rc);
	FZ_CHECK(s->a.n == s->b.n, "op %lu: iomm_pgt_walk found %zu leaves, the walker %zu", s->op,
		 s->a.n, s->b.n);
	for (size_t i = 0; i < s->a.n; i++) {
		const struct leaf *x = &s->a.v[i], *y = &s->b.v[i];
		FZ_CHECK(
		    x->iova == y->iova && x->pa == y->pa && x->size == y->size &&
			x->prot == y->prot && x->level == y->level && x->contig == y->contig,
		    "op %lu: leaf %zu: iomm_pgt_walk 0x%llx +0x%llx -> 0x%llx prot 0x%x L%u c%d; "
		    "walker 0x%llx +0x%llx -> 0x%llx prot 0x%x L%u c%d",
		    s->op, i, FZ_ULL(x->iova), FZ_ULL(x->size), FZ_ULL(x->pa), x->prot, x->level,
		    x->contig, FZ_ULL(y->iova), FZ_ULL(y->size), FZ_ULL(y->pa), y->prot, y->level,
		    y->contig);
	}
	/* merged, the leaves are the model's mappings */
	leaves_merge(&s->b);
	s->a.n = 0;
	for (size_t i = 0; i < s->sh.n; i++) {
		const struct shadow_ext *e = &s->sh.v[i];
		struct leaf x = {e->iova, e->pa, e->size, canon_prot(e->prot, s->stage), 0, false};
		leaves_push(&s->a, &x);
	}
	leaves_merge(&s->a);
	FZ_CHECK(s->a.n == s->b.n, "op %lu: the model has %zu extents, the tables %zu", s->op,
		 s->a.n, s->b.n);
	for (size_t i = 0; i < s->a.n; i++) {
		const struct leaf *x = &s->a.v[i], *y = &s->b.v[i];
		FZ_CHECK(
		    x->iova == y->iova && x->pa == y->pa && x->size == y->size &&
			x->prot == y->prot,
		    "op %lu: extent %zu: model 0x%llx +0x%llx -> 0x%llx prot 0x%x; tables 0x%llx "
		    "+0x%llx -> 0x%llx prot 0x%x",
		    s->op, i, FZ_ULL(x->iova), FZ_ULL(x->size), FZ_ULL(x->pa), x->prot,
		    FZ_ULL(y->iova), FZ_ULL(y->size), FZ_ULL(y->pa), y->prot);
	}
	FZ_CHECK(s->depth == 0, "lock depth %d after a call", s->depth);
}

/* ---- operations ------------------------------------------------------------------ */

static int predict_range(const struct st *s, uint64_t iova, uint64_t size)
{
	uint64_t end = iova + size;
	if (!size || ((iova | size) & (s->P - 1)) || end < iova)
		return IOMM_EINVAL;
	if (end > s->in_top)
		return IOMM_ERANGE;
	return IOMM_OK;
}

static void do_map(struct st *s, uint64_t iova, uint64_t pa, uint64_t size, uint32_t prot)
{
	int want = predict_range(s, iova, size);
	if (want == IOMM_OK) {
		if ((pa & (s->P - 1)) || pa + size < pa)
			want = IOMM_EINVAL;
		else if (pa + size > s->out_top)
			want = IOMM_ERANGE;
		else if ((prot & ~(uint32_t)IOMM_PROT_ALL) || !(prot & (IOMM_READ | IOMM_WRITE)) ||
			 (prot & IOMM_MEM_MASK) == IOMM_MEM_MASK)
			want = IOMM_EINVAL;
		else if ((s->stage == ST_VTD || s->stage == 2 || s->stage == ST_RVG) &&
			 (prot & IOMM_PRIV))
			want = IOMM_EINVAL; /* no privilege distinction: refused */
		else if ((s->stage == ST_X86 || s->rv) && !(prot & IOMM_READ))
			want = IOMM_EINVAL; /* no write-only pages (RISC-V: W without R reserved) */
		else if (shadow_overlaps(&s->sh, iova, size))
			want = IOMM_EEXIST;
	}
	uint64_t need = 0;
	if (want == IOMM_OK) {
		s->budget = free_pages(s);
		s->replaced = 0;
		need = map_need(s, s->start, true, iova, pa, size);
		if (need > s->budget)
			want = IOMM_ENOMEM;
	}
	size_t used = iomm_pool_used(&s->pool);
	int rc = iomm_pgt_map(&s->pgt, iova, pa, size, prot);
	FZ_CHECK(
	    rc == want,
	    "op %lu: map(0x%llx, 0x%llx, 0x%llx, 0x%x) = %d, expected %d (need %llu, free %llu)",
	    s->op, FZ_ULL(iova), FZ_ULL(pa), FZ_ULL(size), prot, rc, want, FZ_ULL(need),
	    FZ_ULL(s->budget));
	FZ_CHECK(s->depth == 0, "lock depth %d after map", s->depth);
	if (rc != IOMM_OK) {
		FZ_CHECK(iomm_pool_used(&s->pool) == used,
			 "op %lu: a failed map changed pool use %zu -> %zu", s->op, used,
			 iomm_pool_used(&s->pool));
		if (rc == IOMM_ENOMEM)
			full_check(s);
		return;
	}
	FZ_CHECK(iomm_pool_used(&s->pool) == used + need - s->replaced,
		 "op %lu: map took %zu table pages (net), expected %llu - %llu replaced", s->op,
		 iomm_pool_used(&s->pool) - used, FZ_ULL(need), FZ_ULL(s->replaced));
	FZ_CHECK(shadow_map(&s->sh, iova, pa, size, prot), "model refused");
	check_addr(s, iova);
	check_addr(s, iova + size - 1);
}

struct cover_arg {
	struct st *s;
};

static void check_piece(void *arg, const struct shadow_ext *piece)
{
	struct st *s = ((struct cover_arg *)arg)->s;
	FZ_CHECK(s->g.end > s->g.start && s->g.start <= piece->iova &&
		     piece->iova + piece->size <= s->g.end,
		 "op %lu: gather [0x%llx, 0x%llx) misses the unmapped piece [0x%llx, +0x%llx)",
		 s->op, FZ_ULL(s->g.start), FZ_ULL(s->g.end), FZ_ULL(piece->iova),
		 FZ_ULL(piece->size));
}

void do_unmap(struct st *s, uint64_t iova, uint64_t size, bool release)
{
	int want = predict_range(s, iova, size);
	uint64_t need = 0;
	if (want == IOMM_OK) {
		s->budget = free_pages(s);
		need = unmap_need(s, iova, iova + size);
		if (need > s->budget)
			want = IOMM_ENOMEM;
	}
	size_t used = iomm_pool_used(&s->pool);
	struct iomm_gather before = s->g;
	uint64_t unmapped = ~0ull;
	int rc = iomm_pgt_unmap(&s->pgt, iova, size, &s->g, &unmapped);
	FZ_CHECK(rc == want,
		 "op %lu: unmap(0x%llx, 0x%llx) = %d, expected %d (need %llu, free %llu)", s->op,
		 FZ_ULL(iova), FZ_ULL(size), rc, want, FZ_ULL(need), FZ_ULL(s->budget));
	FZ_CHECK(s->depth == 0, "lock depth %d after unmap", s->depth);
	if (rc != IOMM_OK) {
		FZ_CHECK(iomm_pool_used(&s->pool) == used,
			 "op %lu: a failed unmap changed pool use %zu -> %zu", s->op, used,
			 iomm_pool_used(&s->pool));
		FZ_CHECK(unmapped == ~0ull, "a failed unmap reported bytes");
		FZ_CHECK(s->g.start == before.start && s->g.end == before.end &&
			     s->g.leaf_sizes == before.leaf_sizes && s->g.levels == before.levels &&
			     s->g.tables == before.tables && s->g.nfreed == before.nfreed,
			 "op %lu: a failed unmap changed the gather", s->op);
		if (rc == IOMM_ENOMEM)
			full_check(s);
		return;
	}
	FZ_CHECK(iomm_pool_used(&s->pool) == used + need,
		 "op %lu: unmap took %zu table pages, expected %llu", s->op,
		 iomm_pool_used(&s->pool) - used, FZ_ULL(need));
	struct cover_arg ca = {s};
	uint64_t removed = shadow_unmap(&s->sh, iova, size, check_piece, &ca);
	FZ_CHECK(unmapped == removed,
		 "op %lu: unmap reported 0x%llx bytes, the model removed 0x%llx", s->op,
		 FZ_ULL(unmapped), FZ_ULL(removed));
	if (removed)
		FZ_CHECK(iomm_gather_pending(&s->g), "op %lu: bytes unmapped, gather empty", s->op);
	if (release)
		release_gather(s);
	check_addr(s, iova);
	check_addr(s, iova + size - 1);
	if (iova >= s->P)
		check_addr(s, iova - 1);
	if (iova + size < s->in_top)
		check_addr(s, iova + size);
}

/* ---- generating addresses ---------------------------------------------------------- */

/* The block size one level above pages (2 MiB with 4 KiB pages). */
uint64_t blk(const struct st *s)
{
	return lsize(s, s->last - 1);
}

/* Entries of a contiguous group @up levels above pages; VT-d, x86-64 and RISC-V have
 * none: 16 entries as an alignment pattern. */
uint64_t group(const struct st *s, unsigned up)
{
	return s->x86 ? 16 : aw_contig_entries((unsigned)s->P, 3 - up);
}

static uint64_t pick_align(struct st *s, uint8_t k)
{
	uint64_t c3 = s->P * group(s, 0);
	uint64_t b2 = blk(s);
	uint64_t c2 = b2 * group(s, 1);
	uint64_t a;
	switch (k % 6) {
	case 0:
	case 1:
		a = s->P;
		break;
	case 2:
		a = c3;
		break;
	case 3:
		a = b2;
		break;
	case 4:
		a = c2;
		break;
	default:
		a = s->big;
		break;
	}
	return a > s->win_size ? s->win_size : a;
}

static void gen_range(struct st *s, struct fz *in, uint64_t *iova_out, uint64_t *size_out)
{
	uint8_t k = fz_u8(in);
	uint64_t a = pick_align(s, k);
	uint64_t slots = s->win_size / a;
	uint64_t iova = s->win_base + (fz_u8(in) % slots) * a;
	uint8_t j = fz_u8(in);
	switch (j >> 6) {
	case 1:
		iova += (uint64_t)(j & 0x3f) * s->P;
		break;
	case 2:
		if (iova - s->win_base >= (uint64_t)(j & 0x3f) * s->P)
			iova -= (uint64_t)(j & 0x3f) * s->P;
		break;
	case 3:
		iova += blk(s) * (j & 7);
		break;
	default:
		break;
	}
	uint8_t z = fz_u8(in);
	uint64_t size;
	switch (z >> 6) {
	case 0:
		size = (uint64_t)(1 + (z & 63)) * s->P;
		break;
	case 1:
		size = a * (1 + (z & 3)) + (uint64_t)((z >> 2) & 7) * s->P;
		break;
	case 2:
		size = blk(s) * (uint64_t)(1 + (z & 15));
		break;
	default:
		if ((z & 0x3f) == 0)
			size = 0;
		else if (z & 1)
			size = s->big * (uint64_t)(1 + ((z >> 1) & 1));
		else
			size = s->win_base + s->win_size > iova ? s->win_base + s->win_size - iova
								: s->P;
		break;
	}
	*iova_out = iova;
	*size_out = size;
}

static uint64_t gen_pa(struct st *s, struct fz *in, uint64_t iova, uint64_t size)
{
	uint8_t m = fz_u8(in);
	unsigned kbits = s->cfg.oas - 2 < 36 ? s->cfg.oas - 2u : 36u;
	uint64_t K = 1ull << kbits;
	switch (m & 3) {
	case 0:
		return (uint64_t)((m >> 2) & 3) * K + (iova & (K - 1)); /* congruent */
	case 1:
		return ((uint64_t)fz_u32(in) << s->gshift) & (s->out_top - 1);
	case 2:
		return s->out_top - size - (uint64_t)(m >> 2) * s->P;
	default:
		return iova;
	}
}

void op_map(struct st *s, struct fz *in)
{
	uint64_t iova, size;
	gen_range(s, in, &iova, &size);
	uint64_t pa = gen_pa(s, in, iova, size);
	uint32_t prot = fz_u8(in);
	/* Keep the number of leaves (and so the cost of the checks) moderate:
	 * a range that can only be mapped with pages gets at most 2048. */
	if (((iova ^ pa) & (blk(s) - 1)) && size > 2048 * s->P)
		size = 2048 * s->P;
	do_map(s, iova, pa, size, prot);
}

void op_unmap(struct st *s, struct fz *in)
{
	uint8_t k = fz_u8(in);
	uint64_t iova, size;
	if ((k & 3) == 0 && s->sh.n) {
		/* exactly one mapping, or a cut into one */
		const struct shadow_ext *e = &s->sh.v[fz_u8(in) % s->sh.n];
		uint64_t pages = e->size / s->P;
		uint64_t off = (fz_u16(in) % pages) * s->P;
		uint64_t len = (fz_u16(in) % (pages - off / s->P) + 1) * s->P;
		iova = e->iova + ((k & 4) ? off : 0);
		size = (k & 8) ? len : e->size - ((k & 4) ? off : 0);
		if (k & 16)
			size += (uint64_t)(fz_u8(in) & 15) * s->P;
	} else {
		gen_range(s, in, &iova, &size);
	}
	do_unmap(s, iova, size, (k & 0x80) == 0);
}

/*
 * Update one live mapping in place (iomm_pgt_update), whole: a new prot from
 * the input and, with an output size of 46 bits or more, maybe an output
 * address 8 TiB away (a multiple of every leaf and group span, so its leaves
 * keep their sizes and hints). Allocates nothing; fails only on a prot the
 * format refuses, changing nothing.
 */
void op_update(struct st *s, struct fz *in)
{
	if (!s->sh.n)
		return;
	struct shadow_ext *e = &s->sh.v[fz_u8(in) % s->sh.n];
	uint32_t prot = fz_u8(in);
	uint8_t k = fz_u8(in);
	uint64_t pa = e->pa, delta = 1ull << 43;
	if ((k & 1) && s->cfg.oas >= 46) {
		if (pa + e->size + delta <= s->out_top)
			pa += delta;
		else if (pa >= delta)
			pa -= delta;
	}
	int want = IOMM_OK;
	if ((prot & ~(uint32_t)IOMM_PROT_ALL) || !(prot & (IOMM_READ | IOMM_WRITE)) ||
	    (prot & IOMM_MEM_MASK) == IOMM_MEM_MASK ||
	    ((s->stage == ST_VTD || s->stage == 2 || s->stage == ST_RVG) && (prot & IOMM_PRIV)) ||
	    ((s->stage == ST_X86 || s->rv) && !(prot & IOMM_READ)))
		want = IOMM_EINVAL;
	size_t used = iomm_pool_used(&s->pool);
	struct iomm_gather g;
	iomm_gather_init(&g);
	int rc = iomm_pgt_update(&s->pgt, e->iova, pa, e->size, prot, &g);
	FZ_CHECK(rc == want, "op %lu: update(0x%llx, 0x%llx, 0x%llx, 0x%x) = %d, expected %d",
		 s->op, FZ_ULL(e->iova), FZ_ULL(pa), FZ_ULL(e->size), prot, rc, want);
	FZ_CHECK(s->depth == 0, "lock depth %d after update", s->depth);
	FZ_CHECK(iomm_pool_used(&s->pool) == used, "op %lu: update changed pool use", s->op);
	if (rc != IOMM_OK) {
		FZ_CHECK(!iomm_gather_pending(&g), "op %lu: a failed update gathered", s->op);
		return;
	}
	iomm_pgt_gather_release(&g);
	e->pa = pa;
	e->prot = prot;
	check_addr(s, e->iova);
	check_addr(s, e->iova + e->size - 1);
}

void op_lookup(struct st *s, struct fz *in)
{
	uint8_t k = fz_u8(in);
	uint64_t addr;
	if ((k & 1) && s->sh.n) {
		const struct shadow_ext *e = &s->sh.v[fz_u8(in) % s->sh.n];
		addr = e->iova + (fz_u64(in) % e->size);
	} else {
		addr = s->win_base + (fz_u64(in) % s->win_size);
	}
	check_addr(s, addr);
}

struct stop_arg {
	unsigned left;
	unsigned seen;
};

static int stop_cb(void *arg, const struct iomm_mapping *m)
{
	struct stop_arg *a = arg;
	(void)m;
	a->seen++;
	return a->left-- == 0 ? 7 : 0;
}

struct range_arg {
	struct st *s;
	uint64_t lo, hi; /* [lo, hi) */
	size_t seen;
};

static int range_cb(void *arg, const struct iomm_mapping *m)
{
	struct range_arg *r = arg;
	FZ_CHECK(m->iova < r->hi && m->iova + m->size > r->lo,
		 "walk of [0x%llx, 0x%llx) reported the leaf 0x%llx +0x%llx", FZ_ULL(r->lo),
		 FZ_ULL(r->hi), FZ_ULL(m->iova), FZ_ULL(m->size));
	r->seen++;
	return 0;
}

static int count_cb(void *arg, const struct wleaf *l)
{
	struct range_arg *r = arg;
	if (l->iova < r->hi && l->iova + l->size > r->lo)
		r->seen++;
	return 0;
}

/* Calls with raw, mostly invalid arguments; sub-range walks. */
void op_edge(struct st *s, struct fz *in)
{
	uint8_t k = fz_u8(in);
	switch (k % 6) {
	case 0: {
		uint64_t iova = fz_u64(in), pa = fz_u64(in), size = fz_u64(in);
		uint32_t prot = fz_u32(in);
		if (k & 0x80)
			iova &= s->in_top - 1;
		if (k & 0x40)
			size &= (s->in_top - 1) & ~(s->P - 1);
		do_map(s, iova, pa, size, prot);
		break;
	}
	case 1: {
		uint64_t iova = fz_u64(in), size = fz_u64(in);
		if (k & 0x80)
			iova &= (s->in_top - 1) & ~(s->P - 1);
		if (k & 0x40)
			size &= (s->in_top - 1) & ~(s->P - 1);
		do_unmap(s, iova, size, true);
		break;
	}
	case 2:
		check_addr(s, fz_u64(in));
		break;
	case 3: {
		/* a gather that belongs to another table */
		struct iomm_pgt other = {0};
		memset(&other, 0, sizeof(other));
		struct iomm_gather g;
		iomm_gather_init(&g);
		g.pgt = &other;
		uint64_t unmapped = 0;
		FZ_CHECK(iomm_pgt_unmap(&s->pgt, s->win_base, s->P, &g, &unmapped) == IOMM_EINVAL,
			 "unmap with another table's gather");
		FZ_CHECK(!iomm_gather_pending(&g), "a refused unmap filled the gather");
		break;
	}
	case 4: {
		/* NULL arguments */
		struct iomm_mapping m;
		uint64_t pa = 0;
		FZ_CHECK(iomm_pgt_map(NULL, 0, 0, s->P, IOMM_READ) == IOMM_EINVAL, "map(NULL)");
		FZ_CHECK(iomm_pgt_unmap(&s->pgt, s->win_base, s->P, NULL, NULL) == IOMM_EINVAL,
			 "unmap with a NULL gather");
		FZ_CHECK(iomm_pgt_lookup(&s->pgt, 0, NULL) == IOMM_EINVAL, "lookup(NULL)");
		FZ_CHECK(iomm_pgt_lookup(NULL, 0, &m) == IOMM_EINVAL, "lookup on NULL");
		FZ_CHECK(iomm_pgt_iova_to_phys(&s->pgt, 0, NULL) == IOMM_EINVAL,
			 "iova_to_phys(NULL)");
		FZ_CHECK(iomm_pgt_iova_to_phys(NULL, 0, &pa) == IOMM_EINVAL,
			 "iova_to_phys on NULL");
		FZ_CHECK(iomm_pgt_walk(&s->pgt, 0, 0, NULL, NULL) == IOMM_EINVAL, "walk(NULL fn)");
		FZ_CHECK(iomm_pgt_walk(&s->pgt, ~0ull - s->P, 2 * s->P, lib_cb, s) == IOMM_EINVAL,
			 "walk of a wrapping range");
		break;
	}
	default: {
		/* walk a sub-range; stop a walk early */
		uint64_t lo = s->win_base + fz_u64(in) % s->win_size;
		uint64_t len = fz_u64(in) % s->win_size + 1;
		struct range_arg r = {s, lo, lo + len, 0}, w = {s, lo, lo + len, 0};
		if (w.hi > s->in_top)
			w.hi = s->in_top;
		int rc = iomm_pgt_walk(&s->pgt, lo, len, range_cb, &r);
		FZ_CHECK(rc == IOMM_OK, "walk of a sub-range: %d", rc);
		FZ_CHECK(w_walk(s, count_cb, NULL, &w) == AW_OK, "walker: %s", w_err(s));
		FZ_CHECK(r.seen == w.seen,
			 "walk of [0x%llx, +0x%llx) saw %zu leaves, the walker %zu", FZ_ULL(lo),
			 FZ_ULL(len), r.seen, w.seen);
		if (r.seen > 1) {
			struct stop_arg st = {(unsigned)(fz_u8(in) % (r.seen - 1)), 0};
			unsigned want = st.left + 1;
			rc = iomm_pgt_walk(&s->pgt, lo, len, stop_cb, &st);
			FZ_CHECK(rc == 7 && st.seen == want,
				 "stopped walk returned %d after %u leaves", rc, st.seen);
		}
		break;
	}
	}
}
