/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Randomised map/unmap sequences against a shadow model.
 *
 * Each configuration runs IOMM_TEST_ITERATIONS operations (default 100000;
 * the "geometry" group runs a tenth of that per configuration) in two input
 * arenas: one in the middle of the input range, one ending at its last page.
 * Operations: maps of pages, contiguous groups, blocks and mixtures (output
 * congruent with the input so blocks can be used, or random); maps that
 * overlap existing mappings (must fail with IOMM_EEXIST and change nothing);
 * unmaps of arbitrary granule-aligned sub-ranges (cutting blocks and groups,
 * spanning holes, whole arenas, the whole input range); out-of-range and
 * misaligned calls; in-place updates of live ranges (permissions, memory
 * type, output address). After every operation:
 *  - the status matches the model (IOMM_ENOMEM never: the pool is big enough);
 *  - unmap's byte count equals the model's, the gather covers every removed
 *    piece, and is then released;
 *  - the first and last pages of the range translate as the model says, and
 *    a new mapping's leaves are exactly the documented leaf choice.
 * Periodically and at the end: the independent walker validates every table
 * and its leaves equal the model; the table's shape (leaf sizes, levels,
 * hints) equals a fresh map of each live range (largest leaves always, also
 * where earlier unmaps left empty tables); iomm_pgt_walk reports the same leaves;
 * iova_to_phys agrees on random addresses; the pool holds exactly the
 * reachable table pages. At the end everything is unmapped and only the root
 * remains.
 *
 * The VT-d second-stage ("vtd") and x86-64 first-stage ("x86") groups run
 * the same operations with the prot values those formats accept, and are
 * checked with the VT-d / x86-64 walker.
 *
 * The "riscv" group runs RISC-V first-stage and G-stage tables (all three
 * modes of each), checked with the RISC-V walker.
 *
 * Usage: test_lpae_random [4k|16k|64k|geometry|vtd|x86|riscv]...  (no argument: all)
 * Environment: IOMM_TEST_SEED, IOMM_TEST_ITERATIONS.
 */
#include "test_common.h"

#include "shadow.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rcfg {
	const char *group;
	const char *name;
	uint32_t granule;
	enum iomm_pgt_format fmt;
	unsigned ias, oas;
	uint32_t flags;
	uint64_t leaf_sizes;
	unsigned divisor; /* iterations / divisor */
};

static const struct rcfg cfgs[] = {
	{"4k", "4k_s1_ias48_oas48", 4096, IOMM_FMT_ARM_LPAE_S1, 48, 48, 0, 0, 1},
	{"4k", "4k_s2_ias48_oas48", 4096, IOMM_FMT_ARM_LPAE_S2, 48, 48, 0, 0, 1},
	{"16k", "16k_s1_ias48_oas48", 16384, IOMM_FMT_ARM_LPAE_S1, 48, 48, 0, 0, 1},
	{"16k", "16k_s2_ias48_oas48", 16384, IOMM_FMT_ARM_LPAE_S2, 48, 48, 0, 0, 1},
	{"64k", "64k_s1_ias48_oas48", 65536, IOMM_FMT_ARM_LPAE_S1, 48, 48, 0, 0, 1},
	{"64k", "64k_s2_ias48_oas48", 65536, IOMM_FMT_ARM_LPAE_S2, 48, 48, 0, 0, 1},
	{"geometry", "4k_s1_ias32_oas32", 4096, IOMM_FMT_ARM_LPAE_S1, 32, 32, 0, 0, 10},
	{"geometry", "4k_s2_ias40_oas40_concat", 4096, IOMM_FMT_ARM_LPAE_S2, 40, 40, 0, 0, 10},
	{"geometry", "4k_s1_ias39_oas44_noncoh_ng", 4096, IOMM_FMT_ARM_LPAE_S1, 39, 44, IOMM_PGT_NONCOHERENT | IOMM_PGT_NG, 0, 10},
	{"geometry", "4k_s2_ias36_oas36_nocontig", 4096, IOMM_FMT_ARM_LPAE_S2, 36, 36,
	 IOMM_PGT_NO_CONTIG, 0, 10},
	{"geometry", "4k_s1_ias48_oas48_no1g", 4096, IOMM_FMT_ARM_LPAE_S1, 48, 48, 0,
	 0x201000ull, 10},
	{"geometry", "16k_s2_ias40_oas40_concat", 16384, IOMM_FMT_ARM_LPAE_S2, 40, 40, 0, 0, 10},
	{"geometry", "16k_s1_ias36_oas42", 16384, IOMM_FMT_ARM_LPAE_S1, 36, 42, 0, 0, 10},
	{"geometry", "64k_s1_ias52_oas52", 65536, IOMM_FMT_ARM_LPAE_S1, 52, 52, 0, 0, 10},
	{"geometry", "64k_s2_ias52_oas52", 65536, IOMM_FMT_ARM_LPAE_S2, 52, 52, 0, 0, 10},
	{"geometry", "64k_s2_ias42_oas40_noncoh", 65536, IOMM_FMT_ARM_LPAE_S2, 42, 40, IOMM_PGT_NONCOHERENT, 0, 10},
	{"geometry", "64k_s1_ias32_oas32_pagesonly", 65536, IOMM_FMT_ARM_LPAE_S1, 32, 32,
	 0, 0x10000ull, 10},
	/* VT-d second stage: 3, 4 and 5 levels, superpages on and off, snoop */
	{"vtd", "vtd_ias39_oas39_snoop", 4096, IOMM_FMT_VTD_SL, 39, 39,
	 IOMM_PGT_SNOOP, 0, 1},
	{"vtd", "vtd_ias48_oas46_noncoh", 4096, IOMM_FMT_VTD_SL, 48, 46, IOMM_PGT_NONCOHERENT, 0, 1},
	{"vtd", "vtd_ias57_oas52_snoop", 4096, IOMM_FMT_VTD_SL, 57, 52,
	 IOMM_PGT_SNOOP, 0, 1},
	{"vtd", "vtd_ias48_oas48_nosuperpages", 4096, IOMM_FMT_VTD_SL, 48, 48, 0,
	 0x1000ull, 10},
	{"vtd", "vtd_ias39_oas39_2m_snoop", 4096, IOMM_FMT_VTD_SL, 39, 39,
	 IOMM_PGT_SNOOP, 0x201000ull, 10},
	/* x86-64 first stage: 4 and 5 levels, oas 39..52 */
	{"x86", "x86_ias47_oas39", 4096, IOMM_FMT_X86_FL, 47, 39, 0, 0, 1},
	{"x86", "x86_ias56_oas52_noncoh", 4096, IOMM_FMT_X86_FL, 56, 52, IOMM_PGT_NONCOHERENT, 0, 1},
	{"x86", "x86_ias48_oas46_no1g", 4096, IOMM_FMT_X86_FL, 48, 46, 0, 0x201000ull,
	 10},
	{"x86", "x86_ias32_oas32", 4096, IOMM_FMT_X86_FL, 32, 32, 0, 0, 10},
	/* RISC-V first stage (Sv39/48/57) and G-stage (Sv39x4/48x4/57x4), oas up to 56 */
	{"riscv", "rv1_ias38_oas56", 4096, IOMM_FMT_RISCV_S1, 38, 56, 0, 0, 1},
	{"riscv", "rv1_ias47_oas46_noncoh", 4096, IOMM_FMT_RISCV_S1, 47, 46, IOMM_PGT_NONCOHERENT, 0, 1},
	{"riscv", "rv1_ias56_oas52", 4096, IOMM_FMT_RISCV_S1, 56, 52, 0, 0, 10},
	{"riscv", "rvg_ias41_oas41_noncoh", 4096, IOMM_FMT_RISCV_G, 41, 41, IOMM_PGT_NONCOHERENT, 0, 1},
	{"riscv", "rvg_ias50_oas56", 4096, IOMM_FMT_RISCV_G, 50, 56, 0, 0, 1},
	{"riscv", "rvg_ias59_oas56_no1g", 4096, IOMM_FMT_RISCV_G, 59, 56, 0, 0x201000ull, 10},
	{"riscv", "rvg_ias32_oas32", 4096, IOMM_FMT_RISCV_G, 32, 32, 0, 0, 10},
};
#define NCFGS (sizeof(cfgs) / sizeof(cfgs[0]))

struct arena {
	uint64_t base, size;
};

struct rstate {
	const struct rcfg *c;
	struct tfix f;
	bool fix_live;
	struct shadow model;
	struct t_rng rng;
	struct arena ar[2];
	uint64_t P, B2, C3, C2, B1;
	unsigned long op;
	char hist[8][160];
	unsigned nhist;
	struct tleaves a, b, tmp;
	unsigned long n_map_ok, n_map_exist, n_unmap, n_split_bytes, n_full;
};

static struct rstate *g_cur;

static void record(struct rstate *s, const char *fmt, ...) T_PRINTF(2, 3);
static void record(struct rstate *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->hist[s->nhist++ & 7], sizeof(s->hist[0]), fmt, ap);
	va_end(ap);
	t_context("%s op %lu: %s (earlier ops above)", s->c->name, s->op, s->hist[(s->nhist - 1) & 7]);
}

static void dump_history(void)
{
	struct rstate *s = g_cur;
	if (!s)
		return;
	fprintf(stderr, "    last operations of %s (oldest first):\n", s->c->name);
	unsigned n = s->nhist < 8 ? s->nhist : 8;
	for (unsigned i = s->nhist - n; i < s->nhist; i++)
		fprintf(stderr, "      %s\n", s->hist[i & 7]);
}

#define R_CHECK(cond, ...)                                                                         \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			dump_history();                                                            \
			t_fail(__FILE__, __LINE__, __VA_ARGS__);                                  \
		}                                                                                  \
	} while (0)

/* ---- random choices ----------------------------------------------------------- */

static uint32_t rand_prot(struct rstate *s)
{
	static const uint32_t acc[] = {
		IOMM_READ,
		IOMM_WRITE,
		IOMM_READ | IOMM_WRITE,
		IOMM_READ | IOMM_EXEC,
		IOMM_READ | IOMM_WRITE | IOMM_EXEC,
		IOMM_READ | IOMM_PRIV,
		IOMM_READ | IOMM_WRITE | IOMM_PRIV,
		IOMM_READ | IOMM_WRITE | IOMM_EXEC | IOMM_PRIV,
		IOMM_WRITE | IOMM_EXEC,
	};
	static const uint32_t mem[] = {IOMM_MEM_WB, IOMM_MEM_WB, IOMM_MEM_NC, IOMM_MEM_DEVICE};
	uint32_t p = acc[t_rng_below(&s->rng, sizeof(acc) / sizeof(acc[0]))];
	p |= mem[t_rng_below(&s->rng, 4)];
	p |= (uint32_t)t_rng_below(&s->rng, 4) << IOMM_SH_SHIFT;
	/* what the format refuses is tried in op_bad() */
	if (t_fmt_no_priv(s->c->fmt))
		p &= ~IOMM_PRIV;
	if (t_fmt_read_implied(s->c->fmt))
		p |= IOMM_READ;
	return p;
}

static uint64_t align_down(uint64_t x, uint64_t a)
{
	return x & ~(a - 1);
}

/* A page-aligned range inside arena @a: start aligned to @align minus @lead pages. */
static void pick_in_arena(struct rstate *s, const struct arena *a, uint64_t align, uint64_t size,
			  int64_t shift_pages, uint64_t *iova, uint64_t *sz)
{
	uint64_t P = s->P;
	if (size > a->size)
		size = a->size;
	if (align > a->size)
		align = a->size;
	uint64_t slots = a->size / align;
	uint64_t start = a->base + t_rng_below(&s->rng, slots) * align;
	int64_t sh = shift_pages * (int64_t)P;
	if (sh < 0 && (uint64_t)(-sh) <= start - a->base)
		start -= (uint64_t)(-sh);
	else if (sh > 0 && start + (uint64_t)sh < a->base + a->size)
		start += (uint64_t)sh;
	if (start + size > a->base + a->size)
		size = a->base + a->size - start;
	if (size == 0) {
		start = a->base + a->size - P;
		size = P;
	}
	*iova = start;
	*sz = size;
}

static uint64_t pick_pa(struct rstate *s, uint64_t iova, uint64_t size)
{
	const uint64_t top = 1ull << s->c->oas;
	uint64_t P = s->P;
	if (t_rng_chance(&s->rng, 7, 10)) {
		/* congruent with the input modulo 2^k, so blocks and groups can be used */
		unsigned k = s->c->oas - 2 < 34 ? s->c->oas - 2 : 34;
		uint64_t m = 1ull << k;
		uint64_t off = iova & (m - 1);
		uint64_t slots = top / m;
		for (int tries = 0; tries < 4; tries++) {
			uint64_t pa = t_rng_below(&s->rng, slots) * m + off;
			if (pa + size <= top && pa + size > pa)
				return pa;
		}
	}
	if (size >= top)
		return 0;
	return t_rng_below(&s->rng, (top - size) / P + 1) * P;
}

static uint64_t pages(struct rstate *s, uint64_t lo, uint64_t hi)
{
	return (lo + t_rng_below(&s->rng, hi - lo + 1)) * s->P;
}

/* ---- checks ------------------------------------------------------------------- */

static void model_to_leaves(struct rstate *s, struct tleaves *out)
{
	out->n = 0;
	for (size_t i = 0; i < s->model.n; i++) {
		const struct shadow_ext *e = &s->model.v[i];
		struct tleaf x = {e->iova, e->pa, e->size, t_canon_prot(e->prot, s->f.stage), 0, false};
		tleaves_push(out, &x);
	}
	tleaves_merge(out);
}

static void check_addr(struct rstate *s, uint64_t addr)
{
	uint64_t pa = 0;
	int rc = iomm_pgt_iova_to_phys(&s->f.pgt, addr, &pa);
	const struct shadow_ext *e = shadow_find(&s->model, addr);
	if (!e) {
		R_CHECK(rc == IOMM_ENOENT, "iova_to_phys(0x%llx) = %d (pa 0x%llx), the model has nothing",
			(unsigned long long)addr, rc, (unsigned long long)pa);
		return;
	}
	uint64_t want = e->pa + (addr - e->iova);
	R_CHECK(rc == IOMM_OK && pa == want, "iova_to_phys(0x%llx) = %d pa 0x%llx, model 0x%llx",
		(unsigned long long)addr, rc, (unsigned long long)pa, (unsigned long long)want);
}

struct count_arg {
	unsigned long tables;
	unsigned root_pages;
	bool root_seen;
};

static int count_tables(void *arg, uint64_t pa, uint64_t bytes, unsigned level)
{
	(void)pa;
	(void)bytes;
	(void)level;
	struct count_arg *a = arg;
	if (!a->root_seen) {
		a->root_seen = true;
		a->tables += a->root_pages;
	} else {
		a->tables++;
	}
	return 0;
}

static void full_check(struct rstate *s)
{
	struct tfix *f = &s->f;
	s->n_full++;
	/* the independent walker: every table valid, leaves == model */
	s->a.n = 0;
	tleaves_from_walker(&s->a, f);
	s->tmp.n = 0;
	T_RC(tleaves_from_lib(&s->tmp, &f->pgt, f->stage, 0, 0), IOMM_OK);
	tleaves_expect_equal(&s->a, "walker", &s->tmp, "iomm_pgt_walk", false);
	/* largest leaves always: the table's shape is what a fresh map of each
	 * live range (as mapped, minus what was unmapped) would build, leaf
	 * sizes, levels and contiguous hints included */
	s->tmp.n = 0;
	for (size_t i = 0; i < s->model.n; i++) {
		const struct shadow_ext *e = &s->model.v[i];
		t_fresh_leaves(&s->tmp, f, e->iova, e->pa, e->size, e->prot);
	}
	if (!tleaves_equal(&s->a, &s->tmp, false)) {
		dump_history();
		tleaves_expect_equal(&s->tmp, "fresh map of the live ranges", &s->a, "walker",
				     false);
	}
	tleaves_merge(&s->a);
	model_to_leaves(s, &s->b);
	if (!tleaves_equal(&s->a, &s->b, true)) {
		dump_history();
		tleaves_expect_equal(&s->b, "model", &s->a, "walker (merged)", true);
	}
	/* table pages: the pool holds exactly what is reachable */
	struct count_arg ca = {0, tfix_root_pages(f), false};
	R_CHECK(tfix_walk_tables(f, count_tables, &ca) == TW_OK, "walker: %s", tfix_err(f));
	R_CHECK(iomm_pool_used(&f->pool) == ca.tables,
		"pool holds %zu pages but %lu table pages are reachable (leak or double use)",
		iomm_pool_used(&f->pool), ca.tables);
	/* random translations */
	for (int k = 0; k < 32; k++) {
		if (s->model.n && (k & 1)) {
			const struct shadow_ext *e = &s->model.v[t_rng_below(&s->rng, s->model.n)];
			check_addr(s, e->iova + t_rng_below(&s->rng, e->size));
		} else {
			const struct arena *a = &s->ar[k & 2 ? 1 : 0];
			check_addr(s, a->base + t_rng_below(&s->rng, a->size));
		}
	}
	R_CHECK(f->tp.depth == 0 && f->tp.lock_errors == 0, "lock imbalance (depth %d, errors %lu)",
		f->tp.depth, f->tp.lock_errors);
}

/* After a successful map into an empty range: the leaves are the documented
 * choice, which t_expect_leaves() put into s->tmp before the map. */
static void check_new_leaves(struct rstate *s, uint64_t iova, uint64_t size)
{
	struct tfix *f = &s->f;
	if (s->tmp.n > 48) {
		/* check the first and last few only */
		for (size_t i = 0; i < s->tmp.n; i++) {
			if (i == 8 && s->tmp.n > 16)
				i = s->tmp.n - 8;
			const struct tleaf *x = &s->tmp.v[i];
			struct twleaf l;
			int rc = tfix_translate(f, x->iova, &l);
			R_CHECK(rc == TW_OK, "walker at 0x%llx: %d %s", (unsigned long long)x->iova, rc,
				rc == TW_BAD ? tfix_err(f) : "");
			R_CHECK(l.iova == x->iova && l.size == x->size && l.oa == x->pa &&
					l.contig == x->contig && l.prot == x->prot,
				"leaf at 0x%llx: size 0x%llx oa 0x%llx contig %d %s; expected size 0x%llx "
				"oa 0x%llx contig %d %s",
				(unsigned long long)x->iova, (unsigned long long)l.size,
				(unsigned long long)l.oa, l.contig, t_prot_str(l.prot),
				(unsigned long long)x->size, (unsigned long long)x->pa, x->contig,
				t_prot_str(x->prot));
		}
		return;
	}
	s->a.n = 0;
	for (uint64_t a = iova; a < iova + size;) {
		struct twleaf l;
		int rc = tfix_translate(f, a, &l);
		R_CHECK(rc == TW_OK, "walker at 0x%llx: %d %s", (unsigned long long)a, rc,
			rc == TW_BAD ? tfix_err(f) : "");
		struct tleaf x = {l.iova, l.oa, l.size, l.prot, (uint8_t)l.level, l.contig};
		tleaves_push(&s->a, &x);
		a = l.iova + l.size;
	}
	if (!tleaves_equal(&s->tmp, &s->a, false)) {
		dump_history();
		tleaves_expect_equal(&s->tmp, "documented leaf choice", &s->a, "walker", false);
	}
}

struct gather_arg {
	struct rstate *s;
	const struct iomm_gather *g;
};

static void check_piece(void *arg, const struct shadow_ext *piece)
{
	struct gather_arg *ga = arg;
	R_CHECK(t_gather_covers(ga->g, piece->iova, piece->size),
		"gather [0x%llx, 0x%llx) misses the unmapped piece [0x%llx, 0x%llx)",
		(unsigned long long)ga->g->start, (unsigned long long)ga->g->end,
		(unsigned long long)piece->iova, (unsigned long long)(piece->iova + piece->size));
}

/* ---- operations ----------------------------------------------------------------- */

static void do_map(struct rstate *s, uint64_t iova, uint64_t pa, uint64_t size, uint32_t prot)
{
	record(s, "map [0x%llx, +0x%llx) -> 0x%llx %s", (unsigned long long)iova,
	       (unsigned long long)size, (unsigned long long)pa, t_prot_str(prot));
	bool overlap = shadow_overlaps(&s->model, iova, size);
	size_t used = iomm_pool_used(&s->f.pool);
	s->tmp.n = 0;
	if (!overlap)
		t_expect_leaves(&s->tmp, &s->f, iova, pa, size, prot);
	int rc = iomm_pgt_map(&s->f.pgt, iova, pa, size, prot);
	if (overlap) {
		R_CHECK(rc == IOMM_EEXIST, "map over an existing mapping returned %d (%s), expected EEXIST",
			rc, iomm_strerror(rc));
		R_CHECK(iomm_pool_used(&s->f.pool) == used, "failed map changed pool use %zu -> %zu",
			used, iomm_pool_used(&s->f.pool));
		s->n_map_exist++;
		/* the existing mapping is untouched */
		const struct shadow_ext *e = &s->model.v[shadow_lower_bound(&s->model, iova)];
		check_addr(s, e->iova);
		return;
	}
	R_CHECK(rc == IOMM_OK, "map returned %d (%s), expected OK", rc, iomm_strerror(rc));
	R_CHECK(shadow_map(&s->model, iova, pa, size, prot), "model refused");
	s->n_map_ok++;
	check_new_leaves(s, iova, size);
}

static void do_unmap(struct rstate *s, uint64_t iova, uint64_t size)
{
	record(s, "unmap [0x%llx, +0x%llx)", (unsigned long long)iova, (unsigned long long)size);
	struct iomm_gather g;
	iomm_gather_init(&g);
	uint64_t unmapped = ~0ull;
	int rc = iomm_pgt_unmap(&s->f.pgt, iova, size, &g, &unmapped);
	R_CHECK(rc == IOMM_OK, "unmap returned %d (%s)", rc, iomm_strerror(rc));
	struct gather_arg ga = {s, &g};
	uint64_t removed = shadow_unmap(&s->model, iova, size, check_piece, &ga);
	R_CHECK(unmapped == removed, "unmap reported 0x%llx bytes, the model removed 0x%llx",
		(unsigned long long)unmapped, (unsigned long long)removed);
	if (removed)
		R_CHECK(iomm_gather_pending(&g), "bytes were unmapped but the gather is empty");
	iomm_pgt_gather_release(&g);
	s->n_unmap++;
	check_addr(s, iova);
	check_addr(s, iova + size - 1);
	if (iova >= s->P)
		check_addr(s, iova - 1);
	if (iova + size < (1ull << s->c->ias))
		check_addr(s, iova + size);
}

/*
 * Update a live range in place (iomm_pgt_update): new permissions and
 * attributes, and half of the time a new output address 8 TiB away (a
 * multiple of every leaf and group span, so the range keeps its shape).
 */
static void op_update(struct rstate *s)
{
	if (!s->model.n)
		return;
	struct shadow_ext *e = &s->model.v[t_rng_below(&s->rng, s->model.n)];
	uint32_t prot = rand_prot(s);
	uint64_t pa = e->pa, top = 1ull << s->c->oas, delta = 1ull << 43;
	if (t_rng_chance(&s->rng, 1, 2) && s->c->oas >= 46) {
		if (pa + e->size + delta <= top)
			pa += delta;
		else if (pa >= delta)
			pa -= delta;
	}
	record(s, "update [0x%llx, +0x%llx) -> 0x%llx prot 0x%x", (unsigned long long)e->iova,
	       (unsigned long long)e->size, (unsigned long long)pa, prot);
	struct iomm_gather g;
	iomm_gather_init(&g);
	int rc = iomm_pgt_update(&s->f.pgt, e->iova, pa, e->size, prot, &g);
	R_CHECK(rc == IOMM_OK, "update returned %d (%s)", rc, iomm_strerror(rc));
	iomm_pgt_gather_release(&g);
	e->pa = pa;
	e->prot = prot;
	check_addr(s, e->iova);
	check_addr(s, e->iova + e->size - 1);
}

static void op_map(struct rstate *s)
{
	const struct arena *a = &s->ar[t_rng_chance(&s->rng, 1, 5) ? 1 : 0];
	uint64_t P = s->P, iova, size;
	unsigned kind = (unsigned)t_rng_below(&s->rng, 100);
	if (kind < 40) {
		/* a few pages anywhere */
		pick_in_arena(s, a, P, pages(s, 1, 40), 0, &iova, &size);
	} else if (kind < 55) {
		/* around a contiguous group of pages */
		uint64_t sz = s->C3 * (1 + t_rng_below(&s->rng, 3));
		int64_t sh = t_rng_chance(&s->rng, 1, 2) ? -(int64_t)t_rng_below(&s->rng, 4) : 0;
		sz += pages(s, 0, 3);
		pick_in_arena(s, a, s->C3, sz, sh, &iova, &size);
	} else if (kind < 80) {
		/* around blocks */
		uint64_t sz = s->B2 * (1 + t_rng_below(&s->rng, 3));
		int64_t sh = t_rng_chance(&s->rng, 1, 2) ? -(int64_t)t_rng_below(&s->rng, 5) : 0;
		if (t_rng_chance(&s->rng, 1, 2))
			sz += pages(s, 0, 5);
		pick_in_arena(s, a, s->B2, sz, sh, &iova, &size);
	} else if (kind < 88) {
		/* big: 1G blocks (4K), a group of blocks (16K), several blocks (64K) */
		uint64_t big = s->B1 ? s->B1 : s->C2;
		if (big > a->size / 2)
			big = s->B2 * 4;
		pick_in_arena(s, a, big, big * (1 + t_rng_below(&s->rng, 2)), 0, &iova, &size);
	} else if (kind < 96 && s->model.n) {
		/* deliberately overlap an existing mapping */
		const struct shadow_ext *e = &s->model.v[t_rng_below(&s->rng, s->model.n)];
		uint64_t off = align_down(t_rng_below(&s->rng, e->size), P);
		uint64_t lead = pages(s, 0, 3);
		iova = e->iova + off >= lead ? e->iova + off - lead : e->iova + off;
		size = lead + pages(s, 1, 8);
		if (iova + size > (1ull << s->c->ias))
			size = (1ull << s->c->ias) - iova;
	} else {
		/* the last pages of the input range */
		size = pages(s, 1, 4);
		iova = (1ull << s->c->ias) - size - pages(s, 0, 2);
	}
	do_map(s, iova, pick_pa(s, iova, size), size, rand_prot(s));
}

static void op_unmap(struct rstate *s)
{
	uint64_t P = s->P, iova, size;
	unsigned kind = (unsigned)t_rng_below(&s->rng, 100);
	const struct arena *a = &s->ar[t_rng_chance(&s->rng, 1, 5) ? 1 : 0];
	if (kind < 50 && s->model.n) {
		/* cut into an existing mapping: inside it, or over one of its ends */
		const struct shadow_ext *e = &s->model.v[t_rng_below(&s->rng, s->model.n)];
		uint64_t off = align_down(t_rng_below(&s->rng, e->size), P);
		uint64_t len = align_down(t_rng_below(&s->rng, e->size - off), P) + P;
		iova = e->iova + off;
		size = len;
		if (t_rng_chance(&s->rng, 1, 4)) {
			/* and beyond, over the hole after it */
			size += pages(s, 1, 64);
		}
		if (t_rng_chance(&s->rng, 1, 8) && iova >= 4 * P)
			iova -= pages(s, 1, 4), size += 4 * P;
		if (iova + size > (1ull << s->c->ias) || iova + size < iova)
			size = (1ull << s->c->ias) - iova;
	} else if (kind < 60 && s->model.n) {
		/* exactly one mapping */
		const struct shadow_ext *e = &s->model.v[t_rng_below(&s->rng, s->model.n)];
		iova = e->iova;
		size = e->size;
	} else if (kind < 90) {
		/* a random range: a few pages to a few blocks */
		uint64_t sz = t_rng_chance(&s->rng, 1, 2) ? pages(s, 1, 64)
							   : s->B2 * (1 + t_rng_below(&s->rng, 3)) +
								     pages(s, 0, 7);
		pick_in_arena(s, a, P, sz, 0, &iova, &size);
	} else if (kind < 99) {
		/* a large aligned region */
		uint64_t big = s->B1 ? s->B1 : s->B2 * 8;
		if (big > a->size)
			big = a->size;
		pick_in_arena(s, a, big, big, 0, &iova, &size);
	} else {
		/* a whole arena */
		iova = a->base;
		size = a->size;
	}
	do_unmap(s, iova, size);
}

static void op_bad(struct rstate *s)
{
	uint64_t P = s->P;
	const uint64_t top = 1ull << s->c->ias;
	uint32_t rw = IOMM_READ | IOMM_WRITE;
	struct iomm_gather g;
	uint64_t unmapped;
	iomm_gather_init(&g);
	switch (t_rng_below(&s->rng, 7)) {
	case 6:
		/* a permission the format cannot express: privileged-only on the
		 * VT-d and Arm second stages, write-only on x86-64 */
		record(s, "map with a prot the format refuses");
		if (t_fmt_no_priv(s->c->fmt))
			T_RC(iomm_pgt_map(&s->f.pgt, s->ar[0].base, 0, P,
					  IOMM_READ | IOMM_WRITE | IOMM_PRIV),
			     IOMM_EINVAL);
		else if (t_fmt_read_implied(s->c->fmt))
			T_RC(iomm_pgt_map(&s->f.pgt, s->ar[0].base, 0, P, IOMM_WRITE), IOMM_EINVAL);
		else
			T_RC(iomm_pgt_map(&s->f.pgt, s->ar[0].base, 0, P, 0x100u | IOMM_READ),
			     IOMM_EINVAL);
		break;
	case 0:
		record(s, "map beyond ias");
		T_RC(iomm_pgt_map(&s->f.pgt, top - P, 0, 2 * P, rw), IOMM_ERANGE);
		break;
	case 1:
		record(s, "map output beyond oas");
		T_RC(iomm_pgt_map(&s->f.pgt, s->ar[0].base, (1ull << s->c->oas) - P, 2 * P, rw),
		     IOMM_ERANGE);
		break;
	case 2:
		record(s, "map misaligned");
		T_RC(iomm_pgt_map(&s->f.pgt, s->ar[0].base + P / 2, 0, P, rw), IOMM_EINVAL);
		break;
	case 3:
		record(s, "map with empty prot");
		T_RC(iomm_pgt_map(&s->f.pgt, s->ar[0].base, 0, P, IOMM_EXEC), IOMM_EINVAL);
		break;
	case 4:
		record(s, "unmap beyond ias");
		T_RC(iomm_pgt_unmap(&s->f.pgt, top - P, 2 * P, &g, &unmapped), IOMM_ERANGE);
		break;
	default:
		record(s, "unmap misaligned");
		T_RC(iomm_pgt_unmap(&s->f.pgt, s->ar[0].base, P / 2, &g, &unmapped), IOMM_EINVAL);
		break;
	}
	R_CHECK(!iomm_gather_pending(&g), "a failed unmap left something in the gather");
}

/* ---- driver ------------------------------------------------------------------------ */

static void run_config(void **state)
{
	struct rstate *s = *state;
	const struct rcfg *c = s->c;
	struct tfix *f = &s->f;
	g_cur = s;
	unsigned long iters = t_iterations(100000) / c->divisor;
	if (iters < 100)
		iters = 100;
	uint64_t seed = t_seed() ^ (0x9e3779b97f4a7c15ull * (uint64_t)(c - cfgs + 1));
	t_rng_seed(&s->rng, seed);
	printf("%s: %lu operations\n", c->name, iters);

	bool x86 = t_fmt_x(c->fmt);
	/* levels counted from the last (page) level: 3 on Arm, 4 on VT-d / x86-64 */
	unsigned last = x86 ? 4 : 3;
	s->P = c->granule;
	s->B2 = x86 ? xw_level_size(last - 1) : aw_level_size(c->granule, 2);
	/* no contiguous hint on VT-d / x86-64: groups of 16 are just a range pattern there */
	s->C3 = s->P * (x86 ? 16 : aw_contig_entries(c->granule, 3));
	s->C2 = s->B2 * (x86 ? 16 : aw_contig_entries(c->granule, 2));
	s->B1 = c->granule == 4096 ? (x86 ? xw_level_size(last - 2) : aw_level_size(4096, 1)) : 0;

	/* arenas: one in the middle of the input range, one ending at its end */
	uint64_t main_size = c->granule == 4096 ? 4 * SZ_1G : c->granule == 16384 ? 2 * SZ_1G : 8 * SZ_1G;
	uint64_t top_size = c->granule == 65536 ? 2 * SZ_1G : SZ_1G;
	uint64_t quarter = 1ull << (c->ias - 2);
	if (main_size > quarter)
		main_size = quarter;
	if (top_size > quarter)
		top_size = quarter;
	s->ar[0].base = quarter;
	s->ar[0].size = main_size;
	s->ar[1].base = (1ull << c->ias) - top_size;
	s->ar[1].size = top_size;

	/* a pool large enough for every table the arenas can need */
	uint64_t span = main_size + top_size;
	size_t npages = (size_t)(span / s->B2 + span / (s->B2 << (aw_granule_shift(c->granule) - 3)) + 64);
	size_t pool_bytes = npages * c->granule;
	/* near the top of the output range, 1 MiB aligned: the bookkeeping takes
	 * the first page, so multi-page runs are not aligned by accident */
	uint64_t pool_pa = ((1ull << c->oas) - pool_bytes - 0x400000ull) & ~0xfffffull;

	struct iomm_pgt_cfg pc;
	memset(&pc, 0, sizeof(pc));
	pc.format = c->fmt;
	pc.granule = c->granule;
	pc.ias = (uint8_t)c->ias;
	pc.oas = (uint8_t)c->oas;
	pc.flags = c->flags;
	pc.leaf_sizes = c->leaf_sizes;
	t_context("%s: init", c->name);
	T_RC(tfix_init(f, &pc, pool_bytes, pool_pa, false), IOMM_OK);
	s->fix_live = true;

	/* about 40 full checks at the default count; fewer in short (valgrind) runs */
	unsigned long check_every = iters / 40;
	if (check_every < 250)
		check_every = 250;
	if (check_every > 2500)
		check_every = 2500;
	for (s->op = 0; s->op < iters; s->op++) {
		unsigned r = (unsigned)t_rng_below(&s->rng, 1000);
		if (r < 450)
			op_map(s);
		else if (r < 480)
			op_update(s);
		else if (r < 990)
			op_unmap(s);
		else if (r < 999)
			op_bad(s);
		else
			do_unmap(s, 0, 1ull << c->ias); /* everything */
		if ((s->op + 1) % check_every == 0)
			full_check(s);
	}
	t_context("%s: final check", c->name);
	full_check(s);

	/* unmap everything: only the root remains */
	do_unmap(s, 0, 1ull << c->ias);
	R_CHECK(s->model.n == 0, "model not empty");
	full_check(s);
	R_CHECK(iomm_pool_used(&f->pool) == tfix_min_tables(f),
		"%zu pool pages in use after unmapping everything, the root and the tables "
		"above ias take %u",
		iomm_pool_used(&f->pool), tfix_min_tables(f));
	printf("%s: %lu maps, %lu refused (EEXIST), %lu unmaps, %lu full checks\n", c->name,
	       s->n_map_ok, s->n_map_exist, s->n_unmap, s->n_full);
	g_cur = NULL;
}

static int cfg_setup(void **state)
{
	struct rstate *s = calloc(1, sizeof(*s));
	if (!s)
		return -1;
	s->c = *state;
	shadow_init(&s->model);
	*state = s;
	return 0;
}

static int cfg_teardown(void **state)
{
	struct rstate *s = *state;
	if (s->fix_live)
		tfix_fini(&s->f);
	shadow_fini(&s->model);
	tleaves_free(&s->a);
	tleaves_free(&s->b);
	tleaves_free(&s->tmp);
	free(s);
	g_cur = NULL;
	return 0;
}

int main(int argc, char **argv)
{
	static struct CMUnitTest tests[NCFGS];
	size_t n = 0;
	(void)t_seed();
	for (size_t i = 0; i < NCFGS; i++) {
		bool want = argc < 2;
		for (int a = 1; a < argc; a++)
			want |= strcmp(argv[a], cfgs[i].group) == 0 || strcmp(argv[a], cfgs[i].name) == 0;
		if (!want)
			continue;
		tests[n].name = cfgs[i].name;
		tests[n].test_func = run_config;
		tests[n].setup_func = cfg_setup;
		tests[n].teardown_func = cfg_teardown;
		tests[n].initial_state = (void *)(uintptr_t)&cfgs[i];
		n++;
	}
	return _cmocka_run_group_tests("lpae_random", tests, n, NULL, NULL);
}
