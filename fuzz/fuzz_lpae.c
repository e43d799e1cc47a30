/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_lpae: differential fuzzing of the page-table builder: Arm LPAE,
 * VT-d second stage, x86-64 (VT-d first stage) and RISC-V (Sv39/48/57
 * first stage, Sv39x4/48x4/57x4 G-stage).
 *
 * The first bytes choose a configuration (format, granule, stage, input and
 * output size, coherent or not, contiguous hint, nG/NS or snoop, restricted
 * leaf sizes, the
 * size of a deliberately small region pool, and where in the input range
 * the operations land). The rest is a sequence of operations: map, unmap
 * (with gathers batched across several unmaps or released at once),
 * iova_to_phys / lookup, calls with raw (mostly invalid) arguments, walks of
 * sub-ranges, and full checks.
 *
 * Every result is predicted before the call, from a shadow model
 * (tests/unit/shadow.c) and from the independent walker of the format
 * (tools/walker/arm_walker.c, x86_walker.c or rv_walker.c), and must match:
 *  - the status code: EINVAL / ERANGE from the documented argument rules,
 *    EEXIST from the model, ENOMEM exactly when the table pages the call
 *    needs (counted here from the walker's view of the table) exceed the
 *    free pages of the pool;
 *  - the pool use after a map or unmap (exactly the counted pages more);
 *  - unmap's byte count and gather; a failed call changes nothing.
 * Every 32 operations, after every ENOMEM and at the end, the walker
 * validates every table against the architecture and its leaves must equal
 * iomm_pgt_walk()'s leaf for leaf, and, merged, the model's mappings; the
 * pool must hold exactly the reachable table pages. For tables that are not
 * walked coherently the walker reads an image of memory that only
 * clean_tables() updates, so a missing cache clean shows up as a mismatch.
 * Any disagreement abort()s.
 */
#include "lpae_fuzz.h"

/* ---- leaf lists ------------------------------------------------------------ */

void leaves_push(struct leaves *l, const struct leaf *x)
{
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 256;
		struct leaf *nv = realloc(l->v, ncap * sizeof(*nv));
		FZ_CHECK(nv != NULL, "out of memory");
		l->v = nv;
		l->cap = ncap;
	}
	l->v[l->n++] = *x;
}

/* Merge neighbours with contiguous input and output and equal prot (in place). */
void leaves_merge(struct leaves *l)
{
	size_t o = 0;
	for (size_t i = 0; i < l->n; i++) {
		struct leaf *x = &l->v[i];
		if (o > 0) {
			struct leaf *y = &l->v[o - 1];
			if (y->iova + y->size == x->iova && y->pa + y->size == x->pa &&
			    y->prot == x->prot) {
				y->size += x->size;
				continue;
			}
		}
		l->v[o] = *x;
		l->v[o].level = 0;
		l->v[o].contig = false;
		o++;
	}
	l->n = o;
}

/* ---- prot canonicalisation (what a table can express) -------------------------- */

uint32_t canon_prot(uint32_t prot, unsigned stage)
{
	uint32_t acc = prot & IOMM_PROT_ACCESS;
	if (stage == ST_VTD)
		return acc & (IOMM_READ | IOMM_WRITE);
	if (stage == ST_X86)
		return (acc & (IOMM_WRITE | IOMM_PRIV)) | IOMM_READ |
		       ((prot & IOMM_MEM_MASK) == IOMM_MEM_WB ? IOMM_MEM_WB : IOMM_MEM_NC);
	if (stage == ST_RV1 || stage == ST_RVG) /* read implied; the PMAs give the type */
		return (acc | IOMM_READ) & ~(stage == ST_RVG ? (uint32_t)IOMM_PRIV : 0u);
	if (stage == 1) {
		if (acc & IOMM_WRITE)
			acc |= IOMM_READ; /* no write-only permission at stage 1 */
	} else {
		acc &= ~(uint32_t)IOMM_PRIV; /* no privilege distinction at stage 2 */
	}
	uint32_t mem = prot & IOMM_MEM_MASK;
	uint32_t sh = prot & IOMM_SH_MASK;
	if (sh == IOMM_SH_DEFAULT)
		sh = mem == IOMM_MEM_WB ? IOMM_SH_INNER : IOMM_SH_OUTER;
	return acc | mem | sh;
}

/* A prot value from what the walker decoded; 0x100 / 0x200 mark combinations
 * the library never writes. */
static uint32_t walker_prot(const struct aw_leaf *l, unsigned stage)
{
	uint32_t p = 0;
	if (l->pr)
		p |= IOMM_READ;
	if (l->pw)
		p |= IOMM_WRITE;
	if (stage == 1) {
		if (l->px)
			p |= IOMM_EXEC;
		if (!l->ur) {
			p |= IOMM_PRIV;
			if (l->uw || l->ux)
				p |= 0x100;
		} else if (l->uw != l->pw || l->ux != l->px) {
			p |= 0x100;
		}
	} else {
		if (l->px && l->ux)
			p |= IOMM_EXEC;
		else if (l->px != l->ux)
			p |= 0x100;
	}
	switch (l->mem) {
	case AW_MEM_WB:
		p |= IOMM_MEM_WB;
		break;
	case AW_MEM_NC:
		p |= IOMM_MEM_NC;
		break;
	case AW_MEM_DEVICE:
		p |= l->devtype == AW_DEV_nGnRE ? IOMM_MEM_DEVICE : 0x200u;
		break;
	default:
		p |= 0x200;
		break;
	}
	switch (l->sh) {
	case 0:
		p |= IOMM_SH_NONE;
		break;
	case 2:
		p |= IOMM_SH_OUTER;
		break;
	case 3:
		p |= IOMM_SH_INNER;
		break;
	default:
		p |= 0x200;
		break;
	}
	return p;
}

/* The same for a VT-d / x86-64 leaf. */
static uint32_t xwalker_prot(const struct xw_leaf *l, unsigned stage, bool snoop)
{
	uint32_t p = 0;
	if (stage == ST_VTD) {
		if (l->r)
			p |= IOMM_READ;
		if (l->w)
			p |= IOMM_WRITE;
		return p | (l->snp != snoop ? 0x200u : 0u);
	}
	p = IOMM_READ;
	if (l->w)
		p |= IOMM_WRITE;
	if (!l->user)
		p |= IOMM_PRIV;
	if (l->pcd && l->pwt)
		p |= IOMM_MEM_NC;
	else if (l->pcd || l->pwt || l->pat)
		p |= 0x200;
	if (l->g || l->xd)
		p |= 0x100;
	return p;
}

/* The same for a RISC-V leaf. */
static uint32_t rwalker_prot(const struct rw_leaf *l, unsigned stage)
{
	uint32_t p = 0;
	if (l->r)
		p |= IOMM_READ;
	if (l->w)
		p |= IOMM_WRITE;
	if (l->x)
		p |= IOMM_EXEC;
	if (!l->u)
		p |= stage == ST_RVG ? 0x100u : IOMM_PRIV;
	if (l->g || !l->a || !l->d)
		p |= 0x100;
	return p | (l->pbmt ? 0x200u : 0u);
}

/* ---- port hooks ------------------------------------------------------------------ */

static void hook_clean(void *ctx, const void *va, size_t len)
{
	struct st *s = ctx;
	const uint8_t *p = va;
	FZ_CHECK(p >= s->mem && len <= s->mem_size && (size_t)(p - s->mem) <= s->mem_size - len,
		 "clean_tables(%p, %zu) outside the pool memory", va, len);
	FZ_CHECK(!s->coherent, "clean_tables on a coherent table");
	memcpy(s->image + (p - s->mem), p, len);
}

/*
 * Break-before-make (iomm_pgt_cfg::inval_sync): when the invalidation runs,
 * every address of its range must be unmapped for the library and for the
 * walker (which sees only cleaned bytes of a non-coherent table).
 */
static int hook_inval(void *ctx, const struct iomm_gather *r)
{
	struct st *s = ctx;
	FZ_CHECK(r->end > r->start && r->levels &&
		     (r->leaf_sizes ? !r->tables && !r->nfreed : r->tables && r->nfreed),
		 "inval_sync: malformed range [0x%llx, 0x%llx)", FZ_ULL(r->start), FZ_ULL(r->end));
	FZ_CHECK(s->depth == 1, "inval_sync with lock depth %d", s->depth);
	uint64_t step = r->leaf_sizes ? r->leaf_sizes & -r->leaf_sizes
				      : lsize(s, (unsigned)__builtin_ctz(r->levels));
	for (uint64_t a = r->start; a < r->end; a += step) {
		uint64_t pa;
		struct aw_leaf l;
		FZ_CHECK(iomm_pgt_iova_to_phys(&s->pgt, a, &pa) == IOMM_ENOENT,
			 "op %lu: inval_sync: 0x%llx still mapped", s->op, FZ_ULL(a));
		FZ_CHECK(s->x86 || aw_translate(&s->w, a, &l) == AW_UNMAPPED,
			 "op %lu: inval_sync: 0x%llx still mapped for the walker", s->op, FZ_ULL(a));
	}
	return IOMM_OK;
}

static void hook_lock(void *ctx, void *obj)
{
	struct st *s = ctx;
	FZ_CHECK(obj == &s->pgt || obj == &s->pool, "lock of an unknown object %p", obj);
	s->depth++;
	FZ_CHECK(s->depth <= 2, "lock nesting %d", s->depth);
}

static void hook_unlock(void *ctx, void *obj)
{
	struct st *s = ctx;
	(void)obj;
	FZ_CHECK(s->depth > 0, "unlock without lock");
	s->depth--;
}

static void *hook_p2v(void *ctx, uint64_t pa)
{
	(void)ctx;
	FZ_CHECK(false, "phys_to_virt(0x%llx) called for a region pool", FZ_ULL(pa));
	return NULL;
}

/* The walker's memory: the pool region at its fake physical address. */
static int walker_read(void *ctx, uint64_t pa, uint64_t *val)
{
	struct st *s = ctx;
	if (pa < s->mem_pa || pa - s->mem_pa > s->mem_size - 8 || (pa & 7))
		return -1;
	const uint8_t *src = (s->coherent ? s->mem : s->image) + (pa - s->mem_pa);
	uint64_t v = 0;
	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)src[i] << (8 * i);
	*val = v;
	return 0;
}

/* ---- geometry ------------------------------------------------------------------ */

uint64_t lsize(const struct st *s, unsigned level)
{
	return 1ull << (s->gshift + (s->last - level) * (s->gshift - 3));
}

const char *w_err(const struct st *s)
{
	if (s->rv)
		return s->rw.err;
	return s->x86 ? s->xw.err : s->w.err;
}

int w_translate(struct st *s, uint64_t va, struct wleaf *out)
{
	int rc;
	if (s->rv) {
		/* the walker counts levels up from the pages */
		struct rw_leaf l;
		rc = rw_translate(&s->rw, va, &l);
		if (rc == RW_OK) {
			struct wleaf x = {l.iova, l.oa, l.size, 4u - l.level, false,
					  rwalker_prot(&l, s->stage)};
			*out = x;
		}
	} else if (s->x86) {
		struct xw_leaf l;
		rc = xw_translate(&s->xw, va, &l);
		if (rc == XW_OK) {
			struct wleaf x = {
			    l.iova,
			    l.oa,
			    l.size,
			    l.level,
			    false,
			    xwalker_prot(&l, s->stage, (s->cfg.flags & IOMM_PGT_SNOOP) != 0)};
			*out = x;
		}
	} else {
		struct aw_leaf l;
		rc = aw_translate(&s->w, va, &l);
		if (rc == AW_OK) {
			struct wleaf x = {l.iova,  l.oa,     l.size,
					  l.level, l.contig, walker_prot(&l, s->stage)};
			*out = x;
		}
	}
	return rc;
}

static int w_descend(struct st *s, uint64_t va, unsigned *level, bool *leaf)
{
	if (s->rv) {
		int rc = rw_descend(&s->rw, va, level, leaf);
		if (rc == RW_OK)
			*level = 4u - *level;
		return rc;
	}
	return s->x86 ? xw_descend(&s->xw, va, level, leaf) : aw_descend(&s->w, va, level, leaf);
}

struct wwalk {
	struct st *s;
	wleaf_fn fn;
	aw_table_fn table_fn;
	void *arg;
};

static int w_table_cb(void *arg, uint64_t pa, uint64_t bytes, unsigned level)
{
	struct wwalk *w = arg;
	return w->table_fn(w->arg, pa, bytes, w->s->rv ? 4u - level : level);
}

static int w_rw_cb(void *arg, const struct rw_leaf *l)
{
	struct wwalk *w = arg;
	struct wleaf x = {l->iova, l->oa, l->size, 4u - l->level, false,
			  rwalker_prot(l, w->s->stage)};
	return w->fn(w->arg, &x);
}

static int w_aw_cb(void *arg, const struct aw_leaf *l)
{
	struct wwalk *w = arg;
	struct wleaf x = {l->iova,  l->oa,     l->size,
			  l->level, l->contig, walker_prot(l, w->s->stage)};
	return w->fn(w->arg, &x);
}

static int w_xw_cb(void *arg, const struct xw_leaf *l)
{
	struct wwalk *w = arg;
	struct wleaf x = {
	    l->iova,  l->oa, l->size,
	    l->level, false, xwalker_prot(l, w->s->stage, (w->s->cfg.flags & IOMM_PGT_SNOOP) != 0)};
	return w->fn(w->arg, &x);
}

/* Walk every table with the format's walker (the table callback gets @arg). */
int w_walk(struct st *s, wleaf_fn fn, aw_table_fn table_fn, void *arg)
{
	struct wwalk w = {s, fn, table_fn, arg};
	aw_table_fn tf = table_fn ? w_table_cb : NULL;
	if (s->rv)
		return rw_walk(&s->rw, fn ? w_rw_cb : NULL, tf, &w);
	if (s->x86)
		return xw_walk(&s->xw, fn ? w_xw_cb : NULL, tf, &w);
	return aw_walk(&s->w, fn ? w_aw_cb : NULL, tf, &w);
}

uint64_t free_pages(const struct st *s)
{
	return (uint64_t)(s->capacity - iomm_pool_used(&s->pool));
}

static bool entry_is_table(struct st *s, uint64_t va, unsigned level)
{
	unsigned d = 0;
	bool leaf = false;
	int rc = w_descend(s, va, &d, &leaf);
	FZ_CHECK(rc == AW_OK, "walker at 0x%llx: %d %s", FZ_ULL(va), rc, w_err(s));
	return d > level;
}

static bool leafable(const struct st *s, unsigned level, uint64_t iova, uint64_t pa, uint64_t len)
{
	uint64_t e = lsize(s, level);
	return (s->allowed & e) && len == e && !((iova | pa) & (e - 1));
}

/*
 * Table pages a map of [iova, iova + len) -> pa needs below level @level
 * (@exists: the table at this level is linked already), leaves chosen
 * greedily as documented (the largest allowed leaf that alignment and the
 * remaining size permit; a linked table where a leaf would go is reused).
 * Counting stops once it passes s->budget.
 */
/* Table pages of the subtree of the table the level-@level entry at @iova links. */
static uint64_t subtree_tables(struct st *s, uint64_t iova, unsigned level)
{
	uint64_t n = 1, e = lsize(s, level), f = lsize(s, level + 1);
	uint64_t base = iova & ~(e - 1);
	if (level + 1 < s->last)
		for (uint64_t b = base; b < base + e; b += f)
			if (entry_is_table(s, b, level + 1))
				n += subtree_tables(s, b, level + 1);
	return n;
}

uint64_t map_need(struct st *s, unsigned level, bool exists, uint64_t iova, uint64_t pa,
		  uint64_t len)
{
	uint64_t need = 0, e = lsize(s, level);
	while (len && need <= s->budget) {
		uint64_t chunk = e - (iova & (e - 1));
		if (chunk > len)
			chunk = len;
		bool table = exists && level < s->last && entry_is_table(s, iova, level);
		if (table && s->cfg.inval_sync && leafable(s, level, iova, pa, chunk)) {
			/* an empty table where a leaf goes: replaced, its pages freed */
			s->replaced += subtree_tables(s, iova, level);
		} else if (table) {
			need += map_need(s, level + 1, true, iova, pa, chunk);
		} else if (!leafable(s, level, iova, pa, chunk)) {
			FZ_CHECK(level < s->last, "no leaf fits a page");
			need += 1 + map_need(s, level + 1, false, iova, pa, chunk);
		}
		iova += chunk;
		pa += chunk;
		len -= chunk;
	}
	return need;
}

/*
 * Table pages needed to keep, with the largest leaves, what lies outside the
 * hole [rs, re) of the level-@level entry at @eb when that entry is a block.
 */
static uint64_t split_need(struct st *s, unsigned level, uint64_t eb, uint64_t rs, uint64_t re)
{
	uint64_t e = lsize(s, level), ee = eb + e;
	if (rs <= eb && re >= ee)
		return 0; /* removed whole */
	bool cut = rs < ee && re > eb;
	if (!cut && (s->allowed & e))
		return 0; /* kept whole as one leaf */
	if (level == s->last)
		return 0;
	uint64_t need = 1, f = lsize(s, level + 1);
	for (uint64_t b = eb; b < ee && need <= s->budget; b += f)
		need += split_need(s, level + 1, b, rs, re);
	return need;
}

uint64_t unmap_need(struct st *s, uint64_t iova, uint64_t end)
{
	struct wleaf l1, l2;
	bool cut1 = false, cut2 = false;
	int rc = w_translate(s, iova, &l1);
	FZ_CHECK(rc != AW_BAD, "walker: %s", w_err(s));
	if (rc == AW_OK && (iova & (l1.size - 1)))
		cut1 = true;
	if (end < s->in_top) {
		rc = w_translate(s, end, &l2);
		FZ_CHECK(rc != AW_BAD, "walker: %s", w_err(s));
		if (rc == AW_OK && (end & (l2.size - 1)))
			cut2 = true;
	}
	uint64_t need = 0;
	if (cut1)
		need += split_need(s, l1.level, l1.iova, iova, end);
	if (cut2 && !(cut1 && l1.iova == l2.iova && l1.level == l2.level))
		need += split_need(s, l2.level, l2.iova, iova, end);
	return need;
}

/* ---- configuration ---------------------------------------------------------------- */

static bool s2_any_valid(unsigned granule, unsigned ias, unsigned pa_range)
{
	char err[256];
	for (unsigned sl0 = 0; sl0 < 4; sl0++) {
		unsigned sl, concat;
		if (aw_s2_check(granule, ias, sl0, pa_range, &sl, &concat, err, sizeof(err)) ==
		    AW_OK)
			return true;
	}
	return false;
}

static bool setup_common(struct st *s, uint8_t c4);

/* Sets up s from the configuration bytes; false if the input is not worth running. */
static bool setup(struct st *s, struct fz *in)
{
	static const uint32_t granules[4] = {4096, 16384, 65536, 4096};
	static const uint8_t oases[7] = {32, 36, 40, 42, 44, 48, 52};
	uint8_t c0 = fz_u8(in), c1 = fz_u8(in), c2 = fz_u8(in), c3 = fz_u8(in), c4 = fz_u8(in);
	uint8_t c5 = fz_u8(in);

	static const uint8_t xoases[9] = {32, 36, 39, 40, 42, 44, 46, 48, 52};

	memset(&s->cfg, 0, sizeof(s->cfg));
	s->cfg.granule = granules[c0 & 3];
	/* granule choice 3: the VT-d second-stage or x86-64 format, or with
	 * bit 6 (NS, an Arm stage-1 flag) RISC-V first stage or G-stage */
	s->x86 = (c0 & 3) == 3;
	s->rv = s->x86 && (c0 & 0x40);
	if (s->rv) {
		s->stage = (c0 & 4) ? ST_RVG : ST_RV1;
		s->cfg.format = s->stage == ST_RVG ? IOMM_FMT_RISCV_G : IOMM_FMT_RISCV_S1;
	} else if (s->x86) {
		s->stage = (c0 & 4) ? ST_X86 : ST_VTD;
		s->cfg.format = s->stage == ST_X86 ? IOMM_FMT_X86_FL : IOMM_FMT_VTD_SL;
	} else {
		s->stage = (c0 & 4) ? 2 : 1;
		s->cfg.format = s->stage == 2 ? IOMM_FMT_ARM_LPAE_S2 : IOMM_FMT_ARM_LPAE_S1;
	}
	s->last = s->x86 ? 4 : 3;
	s->coherent = !(c0 & 8);
	if (!s->coherent)
		s->cfg.flags |= IOMM_PGT_NONCOHERENT;
	if (c0 & 0x10)
		s->cfg.flags |= IOMM_PGT_NO_CONTIG;
	s->cfg.inval_sync = hook_inval; /* the hint needs a way to break it */
	s->cfg.inval_arg = s;
	if (s->stage == 1 && (c0 & 0x20))
		s->cfg.flags |= IOMM_PGT_NG;
	if (s->stage == 1 && (c0 & 0x40))
		s->cfg.flags |= IOMM_PGT_NS;
	if (s->stage == ST_VTD && (c0 & 0x20))
		s->cfg.flags |= IOMM_PGT_SNOOP;
	s->P = s->cfg.granule;
	s->gshift = (unsigned)__builtin_ctzll(s->P);
	unsigned max_bits = s->P == 65536 ? 52 : 48;
	if (s->rv) {
		/* first stage: 32..56 bits (canonical); G-stage 32..59; oas up to 56 */
		static const uint8_t roases[9] = {32, 36, 39, 41, 46, 48, 52, 54, 56};
		max_bits = s->stage == ST_RVG ? 59 : 56;
		s->cfg.ias = (uint8_t)(32 + c1 % (max_bits - 31));
		s->cfg.oas = roases[c2 % 9];
	} else if (s->x86) {
		/* VT-d second stage: 32..57 bits; x86-64: 32..56 (canonical) */
		max_bits = s->stage == ST_VTD ? 57 : 56;
		s->cfg.ias = (uint8_t)(32 + c1 % (max_bits - 31));
		s->cfg.oas = xoases[c2 % 9];
	} else {
		s->cfg.ias = (uint8_t)(32 + c1 % (max_bits - 31));
		s->cfg.oas = oases[c2 % (s->P == 65536 ? 7 : 6)];
	}
	if (c0 & 0x80) {
		/* pages always; each block size on or off */
		s->cfg.leaf_sizes = s->P;
		if (c5 & 1)
			s->cfg.leaf_sizes |= blk(s);
		if (c5 & 2)
			s->cfg.leaf_sizes |= lsize(s, s->last - 2);
	}
	s->in_top = 1ull << s->cfg.ias;
	s->out_top = 1ull << s->cfg.oas;
	s->pa_range = s->cfg.oas;
	if (!s->x86 && s->stage == 2 && !s2_any_valid(s->cfg.granule, s->cfg.ias, s->cfg.oas))
		s->pa_range = max_bits;

	/* a small pool: ENOMEM must happen */
	size_t max_pages = s->P == 4096 ? 96 : s->P == 16384 ? 40 : 20;
	size_t npages = 1 + c3 % max_pages;
	s->mem_size = (npages + 1) * s->P;
	s->mem = aligned_alloc(65536, (s->mem_size + 65535) & ~(size_t)65535);
	s->image = malloc(s->mem_size);
	FZ_CHECK(s->mem && s->image, "out of memory");
	memset(s->mem, 0xa5, s->mem_size);
	memset(s->image, 0x5a, s->mem_size);
	/* near the top of the output range, so folded PA bits and wide addresses show */
	s->mem_pa = (s->out_top - s->mem_size - 0x40000) & ~0xffffull;

	memset(&s->port, 0, sizeof(s->port));
	s->port.ctx = s;
	s->port.flags = IOMM_PORT_DMA_COHERENT; /* tables opt out with IOMM_PGT_NONCOHERENT */
	s->port.clean_tables = hook_clean;
	s->port.lock = hook_lock;
	s->port.unlock = hook_unlock;
	s->port.phys_to_virt = hook_p2v;
	FZ_CHECK(iomm_pool_init(&s->pool, &s->port, s->mem, s->mem_size, s->mem_pa, s->P) ==
		     IOMM_OK,
		 "pool init");
	s->capacity = iomm_pool_capacity(&s->pool);
	FZ_CHECK(s->capacity == npages, "a pool of %zu + 1 pages holds %zu", npages, s->capacity);

	/* the root: one page, or (stage 2) the 2..16 concatenated pages of the
	 * deepest start level the architecture allows, aligned to their size */
	unsigned root_pages = 1, root_level = 0;
	if (s->stage == 2) {
		char err[256];
		bool found = false;
		for (unsigned sl0 = 0; sl0 < 4; sl0++) {
			unsigned sl, concat;
			if (aw_s2_check(s->cfg.granule, s->cfg.ias, sl0, s->pa_range, &sl, &concat,
					err, sizeof(err)) == AW_OK &&
			    (!found || sl > root_level)) {
				root_pages = concat;
				root_level = sl;
				found = true;
			}
		}
		FZ_CHECK(found, "no valid stage-2 start level");
	}
	if (s->stage == ST_RVG)
		root_pages = 4; /* 16 KiB, 16 KiB aligned, in every mode */
	uint64_t first = (s->mem_pa + s->P) / s->P; /* the bitmap takes the first page */
	bool fits = false;
	for (uint64_t p = 0; p + root_pages <= npages; p++)
		if ((first + p) % root_pages == 0)
			fits = true;

	int rc = iomm_pgt_init(&s->pgt, &s->cfg, &s->pool, &s->port);
	if (rc == IOMM_ENOMEM) {
		FZ_CHECK(!fits, "init: ENOMEM with room for a %u-page root in %zu pages",
			 root_pages, npages);
		FZ_CHECK(iomm_pool_used(&s->pool) == 0, "a failed init kept pages");
		return false;
	}
	FZ_CHECK(rc == IOMM_OK, "init(%u, stage %u, ias %u, oas %u, flags 0x%x) = %d",
		 (unsigned)s->P, s->stage, s->cfg.ias, s->cfg.oas, s->cfg.flags, rc);
	s->pgt_live = true;
	if (s->rv) {
		FZ_CHECK(iomm_pgt_lpae_regs(&s->pgt, &s->regs) == IOMM_EINVAL, "lpae_regs on RISC-V");
		FZ_CHECK(fits, "init succeeded without room for the root");
		FZ_CHECK(iomm_pool_used(&s->pool) == root_pages, "the root takes %zu pages",
			 iomm_pool_used(&s->pool));
		unsigned short_ias = s->stage == ST_RVG ? 41u : 38u;
		unsigned levels = s->cfg.ias <= short_ias ? 3u : s->cfg.ias <= short_ias + 9u ? 4u : 5u;
		FZ_CHECK(iomm_pgt_levels(&s->pgt) == levels, "ias %u: %u levels, expected %u",
			 s->cfg.ias, iomm_pgt_levels(&s->pgt), levels);
		s->regs.concat = (uint8_t)root_pages;
		s->regs.ttbr = iomm_pgt_root_pa(&s->pgt);
		struct rw_config rc2;
		memset(&rc2, 0, sizeof(rc2));
		rc2.stage = s->stage == ST_RVG ? RW_GSTAGE : RW_FIRST;
		rc2.levels = levels;
		rc2.ias = s->cfg.ias;
		rc2.pa_bits = s->cfg.oas;
		rc2.root_pa = s->regs.ttbr;
		rc2.require_ad = true;
		rc2.require_u = s->stage == ST_RVG;
		rc2.read = walker_read;
		rc2.ctx = s;
		rc = rw_init(&s->rw, &rc2);
		FZ_CHECK(rc == RW_OK, "RISC-V ias %u oas %u: the walker rejects the table: %s",
			 s->cfg.ias, s->cfg.oas, s->rw.err);
		s->start = 4u - (levels - 1u);
		return setup_common(s, c4);
	}
	if (s->x86) {
		FZ_CHECK(iomm_pgt_lpae_regs(&s->pgt, &s->regs) == IOMM_EINVAL, "lpae_regs on %s",
			 s->stage == ST_VTD ? "VT-d" : "x86-64");
		FZ_CHECK(fits, "init succeeded without room for the root");
		FZ_CHECK(iomm_pool_used(&s->pool) == 1, "the root takes %zu pages",
			 iomm_pool_used(&s->pool));
		unsigned levels = s->stage == ST_VTD ? (s->cfg.ias - 4u) / 9u
				  : s->cfg.ias <= 47 ? 4u
						     : 5u;
		FZ_CHECK(iomm_pgt_levels(&s->pgt) == levels, "ias %u: %u levels, expected %u",
			 s->cfg.ias, iomm_pgt_levels(&s->pgt), levels);
		s->regs.concat = 1;
		s->regs.ttbr = iomm_pgt_root_pa(&s->pgt);
		struct xw_config xc;
		memset(&xc, 0, sizeof(xc));
		xc.format = s->stage == ST_VTD ? XW_VTD_SL : XW_X86_FL;
		xc.levels = levels;
		xc.ias = s->cfg.ias;
		xc.haw = s->cfg.oas;
		xc.root_pa = s->regs.ttbr;
		xc.large_pages = (1ull << 21) | (1ull << 30);
		if (s->cfg.leaf_sizes)
			xc.large_pages &= s->cfg.leaf_sizes;
		xc.snoop_ctl = (s->cfg.flags & IOMM_PGT_SNOOP) != 0;
		xc.require_ad = true;
		xc.read = walker_read;
		xc.ctx = s;
		rc = xw_init(&s->xw, &xc);
		FZ_CHECK(rc == XW_OK, "%s ias %u oas %u: the walker rejects the table: %s",
			 s->stage == ST_VTD ? "VT-d" : "x86-64", s->cfg.ias, s->cfg.oas, s->xw.err);
		s->start = s->xw.start_level;
		return setup_common(s, c4);
	}
	FZ_CHECK(iomm_pgt_lpae_regs(&s->pgt, &s->regs) == IOMM_OK, "lpae_regs");
	FZ_CHECK(fits, "init succeeded without room for a %u-page root", root_pages);
	FZ_CHECK(iomm_pool_used(&s->pool) == s->regs.concat,
		 "the root takes %zu pages, regs say %u", iomm_pool_used(&s->pool), s->regs.concat);
	FZ_CHECK(iomm_pgt_root_pa(&s->pgt) == s->regs.ttbr, "root_pa differs from ttbr");

	struct aw_config ac;
	memset(&ac, 0, sizeof(ac));
	ac.granule = s->cfg.granule;
	ac.ias = s->cfg.ias;
	ac.oas = s->cfg.oas;
	ac.stage = s->stage;
	ac.root_pa = s->regs.ttbr;
	ac.mair = s->regs.mair;
	ac.sl0 = s->regs.sl0;
	ac.start_level = s->regs.start_level;
	ac.concat = s->regs.concat;
	ac.start_level_valid = true;
	ac.pa_range = s->pa_range;
	ac.s2_xnx = true;
	ac.read = walker_read;
	ac.ctx = s;
	rc = aw_init(&s->w, &ac);
	FZ_CHECK(rc == AW_OK,
		 "%uK stage %u ias %u oas %u: the walker rejects the registers (sl0 %u start "
		 "level %u concat %u): %s",
		 (unsigned)(s->P >> 10), s->stage, s->cfg.ias, s->cfg.oas, s->regs.sl0,
		 s->regs.start_level, s->regs.concat, s->w.err);
	FZ_CHECK(s->regs.concat == root_pages &&
		     (s->stage == 1 || s->regs.start_level == root_level),
		 "root of %u pages at level %u, expected %u at level %u", s->regs.concat,
		 s->regs.start_level, root_pages, root_level);
	s->start = s->w.start_level;
	return setup_common(s, c4);
}

/* The part of setup() after the table and its walker exist. */
static bool setup_common(struct st *s, uint8_t c4)
{
	/* leaf sizes: the architecture's, restricted, none above the start level */
	uint64_t allowed = s->P | blk(s);
	if (s->P == 4096)
		allowed |= lsize(s, s->last - 2);
	if (s->rv) /* 512 GiB and 256 TiB leaves */
		allowed |= lsize(s, s->last - 3) | lsize(s, s->last - 4);
	if (s->cfg.leaf_sizes)
		allowed &= s->cfg.leaf_sizes | s->P;
	for (unsigned l = 0; l < s->start; l++)
		allowed &= ~lsize(s, l);
	s->allowed = allowed;
	FZ_CHECK(iomm_pgt_page_sizes(&s->pgt) == allowed, "page_sizes 0x%llx, expected 0x%llx",
		 FZ_ULL(iomm_pgt_page_sizes(&s->pgt)), FZ_ULL(allowed));

	/* table pages an unmap of everything leaves: the root, and (x86-64 with
	 * fewer input bits than a root entry maps) the tables whose span reaches
	 * beyond ias, which no unmap covers whole */
	s->min_tables = s->regs.concat;
	for (unsigned l = s->start; s->x86 && l < s->last; l++)
		if (lsize(s, l) > s->in_top)
			s->min_tables++;

	/* the window the operations use */
	uint64_t b2 = blk(s);
	s->big = s->P == 4096 ? lsize(s, s->last - 2) : b2 * group(s, 1);
	s->win_size = 4 * s->big;
	if (s->win_size > s->in_top / 2)
		s->win_size = s->in_top / 2;
	if (s->big > s->win_size)
		s->big = s->win_size;
	switch (c4 & 3) {
	case 0:
		s->win_base = 0;
		break;
	case 1:
		s->win_base = s->in_top / 2;
		break;
	case 2:
		s->win_base = s->in_top - s->win_size;
		break;
	default:
		s->win_base = ((uint64_t)(c4 >> 2) * s->big) % (s->in_top - s->win_size);
		break;
	}
	iomm_gather_init(&s->g);
	return true;
}

static void teardown(struct st *s)
{
	if (s->pgt_live) {
		iomm_pgt_destroy(&s->pgt);
		FZ_CHECK(iomm_pool_used(&s->pool) == 0, "%zu pages in use after destroy",
			 iomm_pool_used(&s->pool));
	}
	shadow_fini(&s->sh);
	free(s->a.v);
	free(s->b.v);
	free(s->mem);
	free(s->image);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct st s;
	memset(&s, 0, sizeof(s));
	shadow_init(&s.sh);
	struct fz in = {data, size};
	if (size < 6 || !setup(&s, &in)) {
		teardown(&s);
		return 0;
	}
	for (s.op = 0; fz_more(&in) && s.op < MAX_OPS;) {
		uint8_t op = fz_u8(&in);
		switch (op % 8) {
		case 0:
		case 1:
		case 2:
			op_map(&s, &in);
			break;
		case 3:
		case 4:
			op_unmap(&s, &in);
			break;
		case 5:
			op_lookup(&s, &in);
			break;
		case 6:
			op_edge(&s, &in);
			break;
		default:
			if (op & 8)
				op_update(&s, &in);
			else
				full_check(&s);
			break;
		}
		if (++s.op % CHECK_EVERY == 0)
			full_check(&s);
	}
	full_check(&s);
	/* unmap everything: only the root remains */
	do_unmap(&s, 0, s.in_top, true);
	FZ_CHECK(s.sh.n == 0, "model not empty");
	full_check(&s);
	/* (the tables above ias stay only if something was ever mapped below them) */
	FZ_CHECK(iomm_pool_used(&s.pool) >= s.regs.concat &&
		     iomm_pool_used(&s.pool) <= s.min_tables,
		 "%zu pages in use, the root and the tables above ias take %u..%u",
		 iomm_pool_used(&s.pool), s.regs.concat, s.min_tables);
	teardown(&s);
	return 0;
}
