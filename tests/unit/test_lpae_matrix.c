/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The LPAE geometry matrix: granule {4K, 16K, 64K} x stage {1, 2} x ias
 * {32, 36, 39, 40, 42, 48, and 52 with 64K} x oas {32, 40, 44, 48, and 52
 * with 64K}. Each configuration is its own cmocka test. For each:
 *
 *  - the register values (T0SZ, TG0, PS, TTBR, SL0/start level/concatenation
 *    checked by the independent walker against the architecture's rules);
 *  - a set of ranges that exercises every leaf size (pages, every block
 *    size, contiguous groups of pages and blocks, ranges whose output is not
 *    aligned enough for a group), iova 0, the last page of the input range
 *    mapped to the last page of the output range, high output addresses,
 *    and (alternately) a table pool at the top of the output range;
 *  - every leaf the independent walker finds equals what the documented
 *    leaf-selection rule predicts, with exactly the requested permissions
 *    and attributes; iomm_pgt_walk reports the same leaves;
 *    iomm_pgt_iova_to_phys and iomm_pgt_lookup agree on sampled addresses;
 *    unmapped addresses do not translate;
 *  - out-of-range calls return IOMM_ERANGE, misaligned ones IOMM_EINVAL,
 *    overlapping ones IOMM_EEXIST, and none of them change the table;
 *  - unmapping everything leaves only the root, destroying frees it.
 *
 * The same for the VT-d second stage ("vtd": ias 39, 48, 57 = 3, 4, 5 levels,
 * superpages on and off, snoop) and x86-64 first stage ("x86": ias 47 and
 * 56 = 4 and 5 levels, 48 = 5 levels, oas 39..52), checked with the VT-d /
 * x86-64 walker; the prot list is reduced to what the format accepts. And
 * for RISC-V first stage ("rv1": ias 38, 47, 56 = Sv39, Sv48, Sv57) and
 * G-stage ("rvg": ias 41, 50, 59 = Sv39x4, Sv48x4, Sv57x4), oas 39, 46
 * and 56, checked with the RISC-V walker.
 *
 * Usage: test_lpae_matrix [4k|16k|64k|vtd|x86|rv1|rvg|CONFIG-NAME]...  (no argument: everything)
 */
#include "test_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mcfg {
	uint32_t granule;
	enum iomm_pgt_format fmt;
	unsigned ias, oas;
	uint32_t flags;
	uint64_t leaf_sizes;
	unsigned idx;
	char name[96];
};

static bool is_x86(const struct mcfg *c)
{
	return t_fmt_x(c->fmt);
}

struct mrange {
	uint64_t iova, pa, size;
	uint32_t prot;
};

#define MAX_RANGES 40

struct mstate {
	const struct mcfg *c;
	struct tfix f;
	bool fix_live;
	struct mrange r[MAX_RANGES];
	unsigned nr;
	struct tleaves exp, got, lib;
	/* placement cursors */
	uint64_t bottom, top, pa_cursor, pa_top;
};

static const uint32_t prots[] = {
	IOMM_READ | IOMM_WRITE,
	IOMM_READ,
	IOMM_WRITE,
	IOMM_READ | IOMM_EXEC,
	IOMM_READ | IOMM_WRITE | IOMM_EXEC,
	IOMM_READ | IOMM_WRITE | IOMM_PRIV,
	IOMM_READ | IOMM_EXEC | IOMM_PRIV,
	IOMM_READ | IOMM_WRITE | IOMM_MEM_NC,
	IOMM_READ | IOMM_WRITE | IOMM_MEM_DEVICE,
	IOMM_READ | IOMM_MEM_DEVICE | IOMM_SH_OUTER,
	IOMM_READ | IOMM_WRITE | IOMM_SH_NONE,
	IOMM_READ | IOMM_WRITE | IOMM_SH_OUTER,
	IOMM_READ | IOMM_WRITE | IOMM_SH_INNER,
	IOMM_READ | IOMM_MEM_NC | IOMM_SH_INNER,
	IOMM_WRITE | IOMM_MEM_NC | IOMM_PRIV,
	IOMM_READ | IOMM_WRITE | IOMM_EXEC | IOMM_PRIV | IOMM_MEM_WB | IOMM_SH_OUTER,
	IOMM_READ | IOMM_WRITE | IOMM_MEM_DEVICE | IOMM_SH_NONE,
	IOMM_WRITE | IOMM_EXEC,
};
#define NPROTS (sizeof(prots) / sizeof(prots[0]))

static uint64_t align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

static uint64_t align_down(uint64_t x, uint64_t a)
{
	return x & ~(a - 1);
}

/* ---- placement ------------------------------------------------------------ */

static uint32_t next_prot(struct mstate *s)
{
	uint32_t p = prots[(s->c->idx * 7u + s->nr) % NPROTS];
	/* refused combinations are checked in check_errors() */
	if (t_fmt_no_priv(s->c->fmt))
		p &= ~IOMM_PRIV;
	if (t_fmt_read_implied(s->c->fmt))
		p |= IOMM_READ;
	return p;
}

/* Choose an output address with pa == iova + off (mod m), below the PA
 * cursor (top-down, so early ranges land near 2^oas). Aliasing is fine: when
 * the output space is used up, start again from the top. */
static bool choose_pa(struct mstate *s, uint64_t iova, uint64_t size, uint64_t m, uint64_t off,
		      uint64_t *pa)
{
	uint64_t P = s->c->granule;
	if (size > s->pa_top || m > s->pa_top)
		return false;
	for (int attempt = 0; attempt < 2; attempt++) {
		uint64_t cur = s->pa_cursor;
		if (cur >= size) {
			uint64_t base = align_down(cur - size, m) + ((iova + off) & (m - 1));
			bool ok = true;
			if (base + size > cur) {
				if (base < m)
					ok = false;
				else
					base -= m;
			}
			if (ok) {
				*pa = base;
				s->pa_cursor = base >= P ? base - P : 0;
				return true;
			}
		}
		s->pa_cursor = s->pa_top;
	}
	return false;
}

static void add_range(struct mstate *s, uint64_t iova, uint64_t pa, uint64_t size)
{
	T_CHECK(s->nr < MAX_RANGES, "too many ranges");
	struct mrange *r = &s->r[s->nr];
	r->iova = iova;
	r->pa = pa;
	r->size = size;
	r->prot = next_prot(s);
	s->nr++;
}

/* Place a range upwards: its iova is L bytes before an A-aligned anchor. */
static bool place(struct mstate *s, uint64_t A, uint64_t L, uint64_t S, uint64_t M, uint64_t O)
{
	uint64_t P = s->c->granule;
	uint64_t iova = align_up(s->bottom + L, A) - L;
	if (iova < s->bottom || iova + S < iova || iova + S + P > s->top)
		return false;
	uint64_t pa;
	if (!choose_pa(s, iova, S, M, O, &pa))
		return false;
	add_range(s, iova, pa, S);
	s->bottom = iova + S + P;
	return true;
}

/* Place a range downwards from the top of the input range, A-aligned. */
static bool place_top(struct mstate *s, uint64_t A, uint64_t S, uint64_t M, uint64_t O)
{
	uint64_t P = s->c->granule;
	if (s->top < S + P)
		return false;
	uint64_t iova = align_down(s->top - S, A);
	if (iova < s->bottom)
		return false;
	uint64_t pa;
	if (!choose_pa(s, iova, S, M, O, &pa))
		return false;
	add_range(s, iova, pa, S);
	s->top = iova >= P ? iova - P : 0;
	return true;
}

static void plan_ranges(struct mstate *s)
{
	const struct mcfg *c = s->c;
	const struct tfix *f = &s->f;
	const unsigned last = tfix_last_level(f);
	const uint64_t P = c->granule;
	const uint64_t B2 = tfix_level_size(f, last - 1);
	/* VT-d / x86-64 have no contiguous hint: groups of 16 are a range pattern there */
	const unsigned n3 = is_x86(c) ? 16 : tfix_contig_entries(f, last);
	const unsigned n2 = is_x86(c) ? 16 : tfix_contig_entries(f, last - 1);
	const uint64_t C3 = P * n3;
	const uint64_t C2 = B2 * n2;
	const uint64_t in_top = 1ull << c->ias;
	const uint64_t out_top = 1ull << c->oas;

	s->bottom = 0;
	s->top = in_top;
	s->pa_top = out_top;

	/* the last page of the input range -> the last page of the output range */
	add_range(s, in_top - P, out_top - P, P);
	s->top = in_top - 2 * P;
	s->pa_cursor = out_top - 2 * P;
	/* a block just below it, and a few pages below that */
	place_top(s, B2, B2, B2, 0);
	place_top(s, P, 5 * P, P, 0);

	/* iova 0, one page */
	place(s, P, 0, P, P, 0);
	/* one page whose output is not aligned to a group */
	place(s, C3, 0, P, C3, P);
	/* a full contiguous group of pages */
	place(s, C3, 0, C3, C3, 0);
	/* a group-sized range whose output is one page off: no hint */
	place(s, C3, 0, C3, C3, P);
	/* pages, a group, pages */
	place(s, C3, 2 * P, 2 * P + C3 + 3 * P, C3, 0);
	/* one block */
	place(s, B2, 0, B2, B2, 0);
	/* a block-sized range whose output is only group-aligned: pages in groups */
	place(s, B2, 0, B2, B2, C3);
	/* pages, two blocks, pages */
	place(s, B2, 3 * P, 3 * P + 2 * B2 + 5 * P, B2, 0);
	/* (1 GiB ranges in 4 KiB pages would not fit the table pool) */
	if (c->granule == 4096 && (tfix_allowed_leaves(f) & tfix_level_size(f, last - 2))) {
		const uint64_t B1 = tfix_level_size(f, last - 2);
		const uint64_t C1 = B1 * (is_x86(c) ? 4 : tfix_contig_entries(f, last - 2));
		/* pages, a 2M block, a 1G block, a 2M block, pages */
		place(s, B1, B2 + P, B2 + P + B1 + B2 + P, B1, 0);
		/* a full group of 1G blocks */
		place(s, C1, 0, C1, C1, 0);
		/* one 1G block */
		place(s, B1, 0, B1, B1, 0);
	}
	/* a full contiguous group of blocks */
	place(s, C2, 0, C2, C2, 0);
	/* RISC-V: one 512 GiB and one 256 TiB leaf where the geometry has them */
	for (unsigned k = 3; t_fmt_rv(c->fmt) && k <= 4; k++) {
		const uint64_t BK = tfix_level_size(f, last - k);
		if (tfix_allowed_leaves(f) & BK)
			place(s, BK, 0, BK, BK, 0);
	}
	if (c->granule == 65536 && c->oas == 52 && c->ias == 52) {
		const uint64_t B1 = aw_level_size(65536, 1); /* 4 TB */
		place(s, B1, 0, B1, B1, 0);
	}
}

/* ---- checks ------------------------------------------------------------------- */

/* VT-d / x86-64: levels, root and leaf sizes (no Arm registers). */
static void check_geometry_x86(struct mstate *s)
{
	const struct mcfg *c = s->c;
	struct tfix *f = &s->f;
	struct iomm_lpae_regs regs;
	/* RISC-V: Sv39/48/57 up to 38/47/56 bits (sign bit excluded), x4 up to 41/50/59 */
	unsigned want = c->fmt == IOMM_FMT_VTD_SL	 ? (c->ias + 8u - 12u) / 9u
			: c->fmt == IOMM_FMT_RISCV_S1 ? (c->ias <= 38 ? 3u : c->ias <= 47 ? 4u : 5u)
			: c->fmt == IOMM_FMT_RISCV_G  ? (c->ias <= 41 ? 3u : c->ias <= 50 ? 4u : 5u)
			: c->ias <= 47		      ? 4u
						      : 5u;
	T_CHECK(iomm_pgt_levels(&f->pgt) == want, "%u levels, expected %u", iomm_pgt_levels(&f->pgt),
		want);
	T_RC(iomm_pgt_lpae_regs(&f->pgt, &regs), IOMM_EINVAL);
	uint64_t root = iomm_pgt_root_pa(&f->pgt);
	/* the G-stage root: 16 KiB, 16 KiB aligned */
	uint64_t rsz = 4096ull * tfix_root_pages(f);
	T_CHECK(root >= f->mem_pa && root < f->mem_pa + f->mem_size && !(root & (rsz - 1)),
		"root 0x%llx outside the table pool or misaligned", (unsigned long long)root);
	T_CHECK(iomm_pool_used(&f->pool) == tfix_root_pages(f), "pool holds %zu pages after init",
		iomm_pool_used(&f->pool));
	uint64_t ps = iomm_pgt_page_sizes(&f->pgt);
	T_CHECK(ps == tfix_allowed_leaves(f), "page_sizes 0x%llx, expected 0x%llx",
		(unsigned long long)ps, (unsigned long long)tfix_allowed_leaves(f));
}

static void check_regs(struct mstate *s)
{
	const struct mcfg *c = s->c;
	struct tfix *f = &s->f;
	if (is_x86(c)) {
		check_geometry_x86(s);
		return;
	}
	const struct iomm_lpae_regs *r = &f->regs;
	T_CHECK(r->tsz == 64 - c->ias, "tsz %u, expected %u", r->tsz, 64 - c->ias);
	T_CHECK(r->tg == aw_tg0(c->granule), "tg %u, expected %d", r->tg, aw_tg0(c->granule));
	T_CHECK(r->ps == aw_ps(c->oas), "ps %u, expected %d", r->ps, aw_ps(c->oas));
	T_CHECK(r->ttbr == iomm_pgt_root_pa(&f->pgt), "ttbr 0x%llx but root_pa 0x%llx",
		(unsigned long long)r->ttbr, (unsigned long long)iomm_pgt_root_pa(&f->pgt));
	T_CHECK(r->ttbr >= f->mem_pa && r->ttbr < f->mem_pa + f->mem_size,
		"ttbr 0x%llx outside the table pool", (unsigned long long)r->ttbr);
	if (f->stage == 1) {
		int sl = aw_s1_start_level(c->granule, c->ias);
		T_CHECK(r->start_level == sl, "stage 1 start level %u, expected %d", r->start_level,
			sl);
	} else {
		/* SL0, start level and concat were checked by the walker (tfix_walker) */
		T_CHECK(r->concat >= 1 && r->concat <= 16, "concat %u", r->concat);
	}
	if (!(c->flags & IOMM_PGT_NONCOHERENT)) {
		T_CHECK(r->irgn == 1 && r->orgn == 1 && r->sh == 3,
			"coherent walks: irgn %u orgn %u sh %u, expected 1 1 3", r->irgn, r->orgn,
			r->sh);
	} else {
		T_CHECK(r->irgn == 0 && r->orgn == 0 && r->sh != 1,
			"non-coherent walks: irgn %u orgn %u sh %u, expected 0 0 and a valid sh",
			r->irgn, r->orgn, r->sh);
	}
	T_CHECK(iomm_pool_used(&f->pool) == tfix_root_pages(f),
		"pool holds %zu pages after init, the root needs %u", iomm_pool_used(&f->pool),
		tfix_root_pages(f));

	uint64_t ps = iomm_pgt_page_sizes(&f->pgt);
	uint64_t arch = t_arch_leaf_sizes(c->granule, c->oas);
	T_CHECK((ps & ~arch) == 0, "page_sizes 0x%llx has sizes the format lacks (arch 0x%llx)",
		(unsigned long long)ps, (unsigned long long)arch);
	uint64_t must = arch & ~aw_level_size(65536, 1);
	for (unsigned level = 0; level < f->w.start_level; level++)
		must &= ~aw_level_size(c->granule, level);
	T_CHECK((ps & must) == must, "page_sizes 0x%llx lacks some of 0x%llx",
		(unsigned long long)ps, (unsigned long long)must);
}

struct ngns_arg {
	bool ng, ns;
	unsigned stage;
	struct tfix *f;
};

static int check_leaf_flags(void *arg, const struct aw_leaf *l)
{
	struct ngns_arg *a = arg;
	if (a->stage == 1) {
		T_CHECK(l->ng == a->ng, "leaf at 0x%llx: nG %d, expected %d",
			(unsigned long long)l->iova, l->ng, a->ng);
		T_CHECK(l->ns == a->ns, "leaf at 0x%llx: NS %d, expected %d",
			(unsigned long long)l->iova, l->ns, a->ns);
	}
	return 0;
}

static int cmp_leaf(const void *a, const void *b)
{
	const struct tleaf *x = a, *y = b;
	return x->iova < y->iova ? -1 : x->iova > y->iova;
}

static const struct mrange *range_of(const struct mstate *s, uint64_t addr)
{
	for (unsigned i = 0; i < s->nr; i++)
		if (addr >= s->r[i].iova && addr - s->r[i].iova < s->r[i].size)
			return &s->r[i];
	return NULL;
}

static void check_addr(struct mstate *s, uint64_t addr)
{
	struct tfix *f = &s->f;
	const struct mrange *r = range_of(s, addr);
	struct twleaf l;
	struct iomm_mapping m;
	uint64_t pa = 0;
	int wrc = tfix_translate(f, addr, &l);
	T_CHECK(wrc != TW_BAD, "walker at 0x%llx: %s", (unsigned long long)addr, tfix_err(f));
	int prc = iomm_pgt_iova_to_phys(&f->pgt, addr, &pa);
	memset(&m, 0, sizeof(m));
	int lrc = iomm_pgt_lookup(&f->pgt, addr, &m);
	if (!r) {
		T_CHECK(wrc == AW_UNMAPPED, "0x%llx is not mapped but the walker translates it to 0x%llx",
			(unsigned long long)addr, (unsigned long long)(l.oa + (addr - l.iova)));
		T_RC(prc, IOMM_ENOENT);
		T_RC(lrc, IOMM_ENOENT);
		return;
	}
	uint64_t want = r->pa + (addr - r->iova);
	T_CHECK(wrc == AW_OK, "0x%llx is mapped but the walker finds no translation",
		(unsigned long long)addr);
	T_CHECK(l.oa + (addr - l.iova) == want, "walker: 0x%llx -> 0x%llx, expected 0x%llx",
		(unsigned long long)addr, (unsigned long long)(l.oa + (addr - l.iova)),
		(unsigned long long)want);
	uint32_t wp = l.prot, ep = t_canon_prot(r->prot, f->stage);
	T_CHECK(wp == ep, "walker: 0x%llx has %s, mapped with %s (canonical %s)",
		(unsigned long long)addr, t_prot_str(wp), t_prot_str(r->prot), t_prot_str(ep));
	T_RC(prc, IOMM_OK);
	T_CHECK(pa == want, "iova_to_phys(0x%llx) = 0x%llx, expected 0x%llx",
		(unsigned long long)addr, (unsigned long long)pa, (unsigned long long)want);
	T_RC(lrc, IOMM_OK);
	T_CHECK(m.iova == l.iova && m.size == l.size && m.pa == l.oa && m.level == l.level &&
			m.contig == l.contig,
		"lookup(0x%llx): iova 0x%llx pa 0x%llx size 0x%llx L%u contig %d; walker: iova "
		"0x%llx pa 0x%llx size 0x%llx L%u contig %d",
		(unsigned long long)addr, (unsigned long long)m.iova, (unsigned long long)m.pa,
		(unsigned long long)m.size, m.level, m.contig, (unsigned long long)l.iova,
		(unsigned long long)l.oa, (unsigned long long)l.size, l.level, l.contig);
	T_CHECK(t_canon_prot(m.prot, f->stage) == ep, "lookup(0x%llx) prot %s, mapped with %s",
		(unsigned long long)addr, t_prot_str(m.prot), t_prot_str(r->prot));
}

static int stop_after_first(void *arg, const struct iomm_mapping *m)
{
	(void)m;
	unsigned *n = arg;
	(*n)++;
	return 7;
}

static void snapshot(struct mstate *s, struct tleaves *out)
{
	out->n = 0;
	tleaves_from_walker(out, &s->f);
}

static void check_errors(struct mstate *s)
{
	const struct mcfg *c = s->c;
	struct tfix *f = &s->f;
	struct iomm_pgt *pgt = &f->pgt;
	const uint64_t P = c->granule;
	const uint64_t in_top = 1ull << c->ias;
	const uint64_t out_top = 1ull << c->oas;
	const uint32_t rw = IOMM_READ | IOMM_WRITE;
	struct tleaves before = {0}, after = {0};
	struct iomm_gather g;
	uint64_t unmapped = 0;
	/* a free page to aim at: the gap page after the first bottom range */
	uint64_t free_iova = 0;
	for (unsigned i = 0; i < s->nr; i++) {
		uint64_t cand = s->r[i].iova + s->r[i].size;
		if (cand + P <= in_top && !range_of(s, cand)) {
			free_iova = cand;
			break;
		}
	}
	T_CHECK(range_of(s, free_iova) == NULL, "no free page found");
	snapshot(s, &before);
	size_t used = iomm_pool_used(&f->pool);

	t_context("%s: error cases", c->name);
	/* out of range */
	T_RC(iomm_pgt_map(pgt, in_top - P, 0, 2 * P, rw), IOMM_ERANGE);
	T_RC(iomm_pgt_map(pgt, in_top, 0, P, rw), IOMM_ERANGE);
	if (c->ias < 52)
		T_RC(iomm_pgt_map(pgt, 1ull << 52, 0, P, rw), IOMM_ERANGE);
	T_RC(iomm_pgt_map(pgt, free_iova, out_top - P, 2 * P, rw), IOMM_ERANGE);
	T_RC(iomm_pgt_map(pgt, free_iova, out_top, P, rw), IOMM_ERANGE);
	iomm_gather_init(&g);
	T_RC(iomm_pgt_unmap(pgt, in_top - P, 2 * P, &g, &unmapped), IOMM_ERANGE);
	T_RC(iomm_pgt_unmap(pgt, in_top, P, &g, &unmapped), IOMM_ERANGE);
	/* misaligned */
	T_RC(iomm_pgt_map(pgt, free_iova + P / 2, 0, P, rw), IOMM_EINVAL);
	T_RC(iomm_pgt_map(pgt, free_iova + 8, 0, P, rw), IOMM_EINVAL);
	T_RC(iomm_pgt_map(pgt, free_iova, 0x800, P, rw), IOMM_EINVAL);
	T_RC(iomm_pgt_map(pgt, free_iova, 0, P + 0x800, rw), IOMM_EINVAL);
	T_RC(iomm_pgt_map(pgt, free_iova, 0, 0, rw), IOMM_EINVAL);
	if (P > 4096) {
		T_RC(iomm_pgt_map(pgt, free_iova + 4096, 0, P, rw), IOMM_EINVAL);
		T_RC(iomm_pgt_map(pgt, free_iova, 4096, P, rw), IOMM_EINVAL);
		T_RC(iomm_pgt_map(pgt, free_iova, 0, 4096, rw), IOMM_EINVAL);
	}
	T_RC(iomm_pgt_unmap(pgt, free_iova + P / 2, P, &g, &unmapped), IOMM_EINVAL);
	T_RC(iomm_pgt_unmap(pgt, free_iova, P / 2, &g, &unmapped), IOMM_EINVAL);
	T_RC(iomm_pgt_unmap(pgt, free_iova, 0, &g, &unmapped), IOMM_EINVAL);
	/* permissions the format cannot express */
	if (t_fmt_no_priv(c->fmt)) {
		/* stage 2, VT-d second stage and G-stage check no privilege: refused, not dropped */
		T_RC(iomm_pgt_map(pgt, free_iova, 0, P, rw | IOMM_PRIV), IOMM_EINVAL);
		T_RC(iomm_pgt_map(pgt, free_iova, 0, P, IOMM_READ | IOMM_PRIV), IOMM_EINVAL);
	}
	if (t_fmt_read_implied(c->fmt)) {
		/* W without R is reserved (RISC-V), no write-only pages (x86-64) */
		T_RC(iomm_pgt_map(pgt, free_iova, 0, P, IOMM_WRITE), IOMM_EINVAL);
		T_RC(iomm_pgt_map(pgt, free_iova, 0, P, IOMM_WRITE | IOMM_EXEC | IOMM_MEM_NC),
		     IOMM_EINVAL);
	}
	T_RC(iomm_pgt_map(pgt, free_iova, 0, P, IOMM_EXEC), IOMM_EINVAL);
	T_RC(iomm_pgt_map(pgt, free_iova, 0, P, IOMM_READ | IOMM_MEM_MASK), IOMM_EINVAL);
	/* overlaps: the whole of a range, and a range starting in a free page */
	for (unsigned i = 0; i < s->nr; i++) {
		const struct mrange *r = &s->r[i];
		T_RC(iomm_pgt_map(pgt, r->iova, r->pa, r->size, r->prot), IOMM_EEXIST);
		T_RC(iomm_pgt_map(pgt, r->iova + r->size - P, r->pa, P, rw), IOMM_EEXIST);
		if (r->iova >= P && !range_of(s, r->iova - P))
			T_RC(iomm_pgt_map(pgt, r->iova - P, 0, 2 * P, rw), IOMM_EEXIST);
	}
	T_CHECK(!iomm_gather_pending(&g), "failed unmaps left something in the gather");
	snapshot(s, &after);
	tleaves_expect_equal(&before, "table before the failing calls", &after,
			     "table after them", false);
	T_CHECK(iomm_pool_used(&f->pool) == used, "failing calls changed pool use %zu -> %zu", used,
		iomm_pool_used(&f->pool));
	tleaves_free(&before);
	tleaves_free(&after);
}

/* check_addr() consults the plan; after unmapping, use this instead */
static void expect_unmapped(struct mstate *s, uint64_t addr)
{
	struct tfix *f = &s->f;
	struct twleaf l;
	uint64_t pa;
	struct iomm_mapping m;
	int wrc = tfix_translate(f, addr, &l);
	T_CHECK(wrc == TW_UNMAPPED, "0x%llx still translates after unmap (walker %d: %s)",
		(unsigned long long)addr, wrc, wrc == TW_BAD ? tfix_err(f) : "");
	T_RC(iomm_pgt_iova_to_phys(&f->pgt, addr, &pa), IOMM_ENOENT);
	T_RC(iomm_pgt_lookup(&f->pgt, addr, &m), IOMM_ENOENT);
}

static void run_config(void **state)
{
	struct mstate *s = *state;
	const struct mcfg *c = s->c;
	struct tfix *f = &s->f;
	const uint64_t P = c->granule;
	const uint64_t in_top = 1ull << c->ias;
	struct t_rng rng;
	t_rng_seed(&rng, t_seed() ^ ((uint64_t)c->idx << 32));
	/* short runs (IOMM_TEST_ITERATIONS below the default, e.g. under valgrind)
	 * sample fewer addresses and validate the whole table less often */
	const bool quick = t_iterations(100000) < 100000;
	const int samples = quick ? 1 : 4;

	struct iomm_pgt_cfg pc;
	memset(&pc, 0, sizeof(pc));
	pc.format = c->fmt;
	pc.granule = c->granule;
	pc.ias = (uint8_t)c->ias;
	pc.oas = (uint8_t)c->oas;
	pc.flags = c->flags;
	pc.leaf_sizes = c->leaf_sizes;

	/* The region pool keeps its bookkeeping in its first page. Odd configs:
	 * a low, 1 MiB-aligned region, so the first page handed out is NOT on a
	 * large boundary (multi-page roots must still be aligned physically).
	 * Even configs: at the top of the output range, first page on a 1 MiB
	 * boundary (table addresses with the highest bits set). */
	size_t pool_bytes = (size_t)(c->granule == 65536 ? 128 : 256) * c->granule;
	uint64_t pool_pa;
	if (c->idx & 1)
		pool_pa = 0x1000000ull;
	else
		pool_pa = (((1ull << c->oas) - pool_bytes - 0x200000ull) & ~0xfffffull) - c->granule;
	t_context("%s: init", c->name);
	T_RC(tfix_init(f, &pc, pool_bytes, pool_pa, false), IOMM_OK);
	s->fix_live = true;
	check_regs(s);
	T_CHECK(f->tp.depth == 0 && f->tp.lock_errors == 0, "lock imbalance after init");

	/* ---- map ---- */
	plan_ranges(s);
	unsigned long cleans0 = f->tp.clean_calls;
	for (unsigned i = 0; i < s->nr; i++) {
		const struct mrange *r = &s->r[i];
		t_context("%s: map [0x%llx, +0x%llx) -> 0x%llx %s", c->name,
			  (unsigned long long)r->iova, (unsigned long long)r->size,
			  (unsigned long long)r->pa, t_prot_str(r->prot));
		t_expect_leaves(&s->exp, f, r->iova, r->pa, r->size, r->prot);
		T_RC(iomm_pgt_map(&f->pgt, r->iova, r->pa, r->size, r->prot), IOMM_OK);
	}
	T_CHECK(f->tp.depth == 0 && f->tp.lock_errors == 0, "lock imbalance after map");
	if (c->flags & IOMM_PGT_NONCOHERENT)
		T_CHECK(f->tp.clean_calls > cleans0, "non-coherent table: maps cleaned nothing");
	else
		T_CHECK(f->tp.clean_calls == cleans0, "coherent table: %lu clean_tables calls",
			f->tp.clean_calls - cleans0);
	qsort(s->exp.v, s->exp.n, sizeof(s->exp.v[0]), cmp_leaf);

	/* the plan covers every leaf size and contiguous groups where they fit */
	t_context("%s: coverage of the plan", c->name);
	uint64_t allowed = tfix_allowed_leaves(f);
	for (unsigned level = 0; level <= tfix_last_level(f); level++) {
		uint64_t sz = tfix_level_size(f, level);
		if (!(allowed & sz) || sz * 8 > in_top || sz * 8 > (1ull << c->oas))
			continue;
		bool seen = false, seen_contig = false;
		for (size_t i = 0; i < s->exp.n; i++) {
			if (s->exp.v[i].size == sz) {
				seen = true;
				seen_contig |= s->exp.v[i].contig;
			}
		}
		T_CHECK(seen, "the plan has no leaf of 0x%llx bytes", (unsigned long long)sz);
		uint64_t grp = sz * tfix_contig_entries(f, level);
		if (grp && grp * 4 <= in_top && grp * 4 <= (1ull << c->oas) && level != 1)
			T_CHECK(seen_contig, "the plan has no contiguous group of 0x%llx leaves",
				(unsigned long long)sz);
	}

	/* ---- every leaf, through the independent walker and the library walk ---- */
	t_context("%s: full walk", c->name);
	s->got.n = 0;
	tleaves_from_walker(&s->got, f);
	tleaves_expect_equal(&s->exp, "expected", &s->got, "walker", false);
	s->lib.n = 0;
	T_RC(tleaves_from_lib(&s->lib, &f->pgt, f->stage, 0, 0), IOMM_OK);
	tleaves_expect_equal(&s->got, "walker", &s->lib, "iomm_pgt_walk", false);
	struct ngns_arg na = {(c->flags & IOMM_PGT_NG) != 0, (c->flags & IOMM_PGT_NS) != 0,
			      f->stage, f};
	if (!is_x86(c))
		T_CHECK(aw_walk(&f->w, check_leaf_flags, NULL, &na) == AW_OK, "walker: %s",
			f->w.err);

	/* sub-range walks: an unaligned start inside each range reports its leaves */
	for (unsigned i = 0; i < s->nr; i++) {
		const struct mrange *r = &s->r[i];
		struct tleaves part = {0};
		t_context("%s: walk inside range %u", c->name, i);
		T_RC(tleaves_from_lib(&part, &f->pgt, f->stage, r->iova + 1, 1), IOMM_OK);
		T_CHECK(part.n == 1 && part.v[0].iova <= r->iova && part.v[0].iova + part.v[0].size > r->iova,
			"walk(0x%llx, 1) reported %zu leaves", (unsigned long long)(r->iova + 1),
			part.n);
		tleaves_free(&part);
		T_RC(tleaves_from_lib(&part, &f->pgt, f->stage, r->iova, r->size), IOMM_OK);
		uint64_t sum = 0;
		for (size_t k = 0; k < part.n; k++) {
			T_CHECK(part.v[k].iova < r->iova + r->size &&
					part.v[k].iova + part.v[k].size > r->iova,
				"walk of a range reported a leaf outside it");
			sum += part.v[k].size;
		}
		T_CHECK(sum == r->size, "walk of [0x%llx, +0x%llx) covered 0x%llx bytes",
			(unsigned long long)r->iova, (unsigned long long)r->size,
			(unsigned long long)sum);
		tleaves_free(&part);
	}
	unsigned nvisit = 0;
	T_RC(iomm_pgt_walk(&f->pgt, 0, 0, stop_after_first, &nvisit), 7);
	T_CHECK(nvisit == 1, "walk went on after the callback asked to stop (%u calls)", nvisit);

	/* ---- sampled addresses ---- */
	for (unsigned i = 0; i < s->nr; i++) {
		const struct mrange *r = &s->r[i];
		t_context("%s: translate inside range %u [0x%llx, +0x%llx)", c->name, i,
			  (unsigned long long)r->iova, (unsigned long long)r->size);
		check_addr(s, r->iova);
		check_addr(s, r->iova + r->size - 1);
		check_addr(s, r->iova + r->size / 2 + 0x18);
		for (int k = 0; k < samples; k++)
			check_addr(s, r->iova + t_rng_below(&rng, r->size));
		/* the gap pages around it */
		if (r->iova >= P)
			check_addr(s, r->iova - P + t_rng_below(&rng, P));
		if (r->iova + r->size < in_top)
			check_addr(s, r->iova + r->size + t_rng_below(&rng, P));
	}
	t_context("%s: random and out-of-range addresses", c->name);
	for (int k = 0; k < 16 * samples; k++)
		check_addr(s, t_rng_below(&rng, in_top));
	{
		uint64_t pa;
		struct iomm_mapping m;
		T_RC(iomm_pgt_iova_to_phys(&f->pgt, in_top, &pa), IOMM_ENOENT);
		T_RC(iomm_pgt_iova_to_phys(&f->pgt, ~0ull, &pa), IOMM_ENOENT);
		T_RC(iomm_pgt_lookup(&f->pgt, in_top + P, &m), IOMM_ENOENT);
		T_RC(iomm_pgt_lookup(&f->pgt, s->r[0].iova, NULL), IOMM_EINVAL);
	}

	/* ---- failing calls change nothing ---- */
	check_errors(s);

	/* ---- unmap ---- */
	t_context("%s: unmap", c->name);
	unsigned order[MAX_RANGES];
	for (unsigned k = 0; k < s->nr; k++)
		order[k] = k;
	for (unsigned k = s->nr; k > 1; k--) {
		unsigned j = (unsigned)t_rng_below(&rng, k), tmp = order[k - 1];
		order[k - 1] = order[j];
		order[j] = tmp;
	}
	for (unsigned k = 0; k < s->nr; k++) {
		const struct mrange *r = &s->r[order[k]];
		struct iomm_gather g;
		uint64_t unmapped = 0;
		iomm_gather_init(&g);
		t_context("%s: unmap [0x%llx, +0x%llx)", c->name, (unsigned long long)r->iova,
			  (unsigned long long)r->size);
		T_RC(iomm_pgt_unmap(&f->pgt, r->iova, r->size, &g, &unmapped), IOMM_OK);
		T_CHECK(unmapped == r->size, "unmapped 0x%llx bytes, expected 0x%llx",
			(unsigned long long)unmapped, (unsigned long long)r->size);
		T_CHECK(iomm_gather_pending(&g), "nothing pending after unmapping a range");
		T_CHECK(t_gather_covers(&g, r->iova, r->size),
			"gather [0x%llx, 0x%llx) does not cover the unmapped [0x%llx, 0x%llx)",
			(unsigned long long)g.start, (unsigned long long)g.end,
			(unsigned long long)r->iova, (unsigned long long)(r->iova + r->size));
		iomm_pgt_gather_release(&g);
		expect_unmapped(s, r->iova);
		expect_unmapped(s, r->iova + r->size - 1);
		if (!quick || k % 4 == 3)
			tfix_validate(f);
	}
	s->got.n = 0;
	tleaves_from_walker(&s->got, f);
	T_CHECK(s->got.n == 0, "%zu leaves left after unmapping every range", s->got.n);
	/* one unmap of the whole input range frees every table page but the root */
	{
		struct iomm_gather g;
		uint64_t unmapped = 1;
		iomm_gather_init(&g);
		t_context("%s: unmap the whole input range", c->name);
		T_RC(iomm_pgt_unmap(&f->pgt, 0, in_top, &g, &unmapped), IOMM_OK);
		T_CHECK(unmapped == 0, "unmapped 0x%llx bytes of an empty table",
			(unsigned long long)unmapped);
		iomm_pgt_gather_release(&g);
		T_CHECK(iomm_pool_used(&f->pool) == tfix_min_tables(f),
			"%zu pool pages in use after unmapping everything, the root and the tables "
			"above ias take %u",
			iomm_pool_used(&f->pool), tfix_min_tables(f));
		tfix_validate(f);
	}
	T_CHECK(f->tp.depth == 0 && f->tp.lock_errors == 0, "lock imbalance");
	iomm_pgt_destroy(&f->pgt);
	f->initialised = false;
	T_CHECK(iomm_pool_used(&f->pool) == 0, "%zu pool pages in use after destroy",
		iomm_pool_used(&f->pool));
	t_context("%s", "");
}

static int cfg_setup(void **state)
{
	struct mstate *s = calloc(1, sizeof(*s));
	if (!s)
		return -1;
	s->c = *state;
	*state = s;
	return 0;
}

static int cfg_teardown(void **state)
{
	struct mstate *s = *state;
	if (s->fix_live)
		tfix_fini(&s->f);
	tleaves_free(&s->exp);
	tleaves_free(&s->got);
	tleaves_free(&s->lib);
	free(s);
	return 0;
}

int main(int argc, char **argv)
{
	static const unsigned granules[] = {4096, 16384, 65536};
	static const unsigned ias_list[] = {32, 36, 39, 40, 42, 48, 52};
	static const unsigned oas_list[] = {32, 40, 44, 48, 52};
	static struct mcfg cfgs[3 * 2 * 7 * 5 + 64];
	static struct CMUnitTest tests[3 * 2 * 7 * 5 + 64];
	size_t n = 0;
	unsigned idx = 0;
	(void)t_seed();
	for (size_t gi = 0; gi < 3; gi++) {
		unsigned g = granules[gi];
		bool want_g = argc < 2;
		char gname[16];
		snprintf(gname, sizeof(gname), "%uk", g >> 10);
		for (int a = 1; a < argc; a++)
			want_g |= strcmp(argv[a], gname) == 0;
		for (int st = 1; st <= 2; st++) {
			for (size_t ii = 0; ii < 7; ii++) {
				for (size_t oi = 0; oi < 5; oi++) {
					unsigned ias = ias_list[ii], oas = oas_list[oi];
					if (g != 65536 && (ias == 52 || oas == 52))
						continue;
					idx++;
					struct mcfg *c = &cfgs[n];
					c->granule = g;
					c->fmt = st == 1 ? IOMM_FMT_ARM_LPAE_S1 : IOMM_FMT_ARM_LPAE_S2;
					c->ias = ias;
					c->oas = oas;
					c->idx = idx;
					c->flags = (idx % 3) ? 0u : IOMM_PGT_NONCOHERENT;
					if (st == 1) {
						if (idx & 2)
							c->flags |= IOMM_PGT_NG;
						if (idx % 4 == 1)
							c->flags |= IOMM_PGT_NS;
					}
					snprintf(c->name, sizeof(c->name),
						 "%uk_s%d_ias%u_oas%u%s%s%s", g >> 10, st, ias, oas,
						 (c->flags & IOMM_PGT_NONCOHERENT) ? "_noncoh" : "",
						 (c->flags & IOMM_PGT_NG) ? "_ng" : "",
						 (c->flags & IOMM_PGT_NS) ? "_ns" : "");
					bool want = want_g;
					for (int a = 1; a < argc; a++)
						want |= strcmp(argv[a], c->name) == 0;
					if (!want)
						continue;
					tests[n].name = c->name;
					tests[n].test_func = run_config;
					tests[n].setup_func = cfg_setup;
					tests[n].teardown_func = cfg_teardown;
					tests[n].initial_state = c;
					n++;
				}
			}
		}
	}
	/* VT-d second stage and x86-64 first stage */
	static const struct {
		enum iomm_pgt_format fmt;
		unsigned ias;
	} xgeo[] = {
		{IOMM_FMT_VTD_SL, 39}, {IOMM_FMT_VTD_SL, 48}, {IOMM_FMT_VTD_SL, 57},
		{IOMM_FMT_X86_FL, 47}, {IOMM_FMT_X86_FL, 48}, {IOMM_FMT_X86_FL, 56},
		{IOMM_FMT_RISCV_S1, 38}, {IOMM_FMT_RISCV_S1, 47}, {IOMM_FMT_RISCV_S1, 56},
		{IOMM_FMT_RISCV_G, 41}, {IOMM_FMT_RISCV_G, 50}, {IOMM_FMT_RISCV_G, 59},
	};
	static const unsigned xoas[] = {39, 46, 52};
	/* superpages: all, none, 2 MiB only */
	static const uint64_t xleaves[] = {0, 0x1000ull, 0x201000ull};
	for (size_t gi = 0; gi < sizeof(xgeo) / sizeof(xgeo[0]); gi++) {
		bool vtd = xgeo[gi].fmt == IOMM_FMT_VTD_SL;
		const char *grp = vtd				    ? "vtd"
				  : xgeo[gi].fmt == IOMM_FMT_X86_FL ? "x86"
				  : xgeo[gi].fmt == IOMM_FMT_RISCV_S1 ? "rv1"
								      : "rvg";
		bool want_g = argc < 2;
		for (int a = 1; a < argc; a++)
			want_g |= strcmp(argv[a], grp) == 0;
		for (size_t oi = 0; oi < 3; oi++) {
			for (size_t li = 0; li < 3; li++) {
				/* every geometry with all superpages; the others once per format */
				if (li && !(oi == 1 && (gi % 3) == li))
					continue;
				idx++;
				struct mcfg *c = &cfgs[n];
				c->granule = 4096;
				c->fmt = xgeo[gi].fmt;
				c->ias = xgeo[gi].ias;
				c->oas = xoas[oi];
				if (t_fmt_rv(c->fmt) && oi == 2)
					c->oas = 56; /* PPN bits 53:52 in use */
				c->idx = idx;
				c->leaf_sizes = xleaves[li];
				c->flags = (idx % 3) ? 0u : IOMM_PGT_NONCOHERENT;
				if (vtd && (idx & 1))
					c->flags |= IOMM_PGT_SNOOP;
				snprintf(c->name, sizeof(c->name), "%s_ias%u_oas%u%s%s%s", grp, c->ias,
					 c->oas, (c->flags & IOMM_PGT_NONCOHERENT) ? "_noncoh" : "",
					 (c->flags & IOMM_PGT_SNOOP) ? "_snoop" : "",
					 li == 1 ? "_pagesonly" : li == 2 ? "_2m" : "");
				bool want = want_g;
				for (int a = 1; a < argc; a++)
					want |= strcmp(argv[a], c->name) == 0;
				if (!want)
					continue;
				tests[n].name = c->name;
				tests[n].test_func = run_config;
				tests[n].setup_func = cfg_setup;
				tests[n].teardown_func = cfg_teardown;
				tests[n].initial_state = c;
				n++;
			}
		}
	}
	return _cmocka_run_group_tests("lpae_matrix", tests, n, NULL, NULL);
}
