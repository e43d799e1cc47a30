/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Allocation failure at every possible point.
 *
 * For a map that needs several new table pages (and an unmap that must split
 * a block), make the port's page_alloc fail on its k-th call, k = 0, 1, 2...
 * until the call succeeds. Every failing call must return IOMM_ENOMEM and
 * leave the table exactly as it was: the same leaves (independent walker and
 * iomm_pgt_walk), the same pool use, no allocation outstanding that was not
 * outstanding before, nothing in the gather. The same with a pool quota
 * (port pool max_pages) and a region pool that is too small, and for
 * iomm_pgt_init itself. Arm, VT-d second-stage, x86-64 and RISC-V configurations.
 *
 * Usage: test_lpae_allocfail [arm|vtd|x86|riscv] [cmocka test filter]
 */
#include "test_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct acfg {
	const char *group;
	const char *name;
	uint32_t granule;
	enum iomm_pgt_format fmt;
	unsigned ias, oas;
	uint32_t flags;
};

static const struct acfg cfgs[] = {
	{"arm", "4k_s1_ias48", 4096, IOMM_FMT_ARM_LPAE_S1, 48, 48, 0},
	{"arm", "4k_s2_ias40_concat_noncoh", 4096, IOMM_FMT_ARM_LPAE_S2, 40, 40, IOMM_PGT_NONCOHERENT},
	{"arm", "16k_s1_ias48", 16384, IOMM_FMT_ARM_LPAE_S1, 48, 48, 0},
	{"arm", "16k_s2_ias48", 16384, IOMM_FMT_ARM_LPAE_S2, 48, 48, 0},
	{"arm", "64k_s1_ias52_oas52", 65536, IOMM_FMT_ARM_LPAE_S1, 52, 52, 0},
	{"arm", "64k_s2_ias48_noncoh", 65536, IOMM_FMT_ARM_LPAE_S2, 48, 48, IOMM_PGT_NONCOHERENT},
	{"vtd", "vtd_ias39_snoop_noncoh", 4096, IOMM_FMT_VTD_SL, 39, 39, IOMM_PGT_NONCOHERENT | IOMM_PGT_SNOOP},
	{"vtd", "vtd_ias48", 4096, IOMM_FMT_VTD_SL, 48, 48, 0},
	{"vtd", "vtd_ias57_snoop", 4096, IOMM_FMT_VTD_SL, 57, 52,
	 IOMM_PGT_SNOOP},
	{"x86", "x86_ias47", 4096, IOMM_FMT_X86_FL, 47, 46, 0},
	{"x86", "x86_ias56_noncoh", 4096, IOMM_FMT_X86_FL, 56, 52, IOMM_PGT_NONCOHERENT},
	{"riscv", "rv1_ias38", 4096, IOMM_FMT_RISCV_S1, 38, 56, 0},
	{"riscv", "rv1_ias56_noncoh", 4096, IOMM_FMT_RISCV_S1, 56, 52, IOMM_PGT_NONCOHERENT},
	{"riscv", "rvg_ias41_noncoh", 4096, IOMM_FMT_RISCV_G, 41, 41, IOMM_PGT_NONCOHERENT},
	{"riscv", "rvg_ias59", 4096, IOMM_FMT_RISCV_G, 59, 56, 0},
};
#define NCFGS (sizeof(cfgs) / sizeof(cfgs[0]))

/* the configuration group to run (NULL: all) */
static const char *g_group;

static bool skip_cfg(const struct acfg *c)
{
	return g_group && strcmp(g_group, c->group) != 0;
}

#define ARENA_PA 0x40000000ull

struct snap {
	struct tleaves walker, lib;
	size_t used;
	size_t outstanding;
};

static void snap_take(struct tfix *f, struct snap *s)
{
	s->walker.n = 0;
	s->lib.n = 0;
	tleaves_from_walker(&s->walker, f);
	T_RC(tleaves_from_lib(&s->lib, &f->pgt, f->stage, 0, 0), IOMM_OK);
	s->used = iomm_pool_used(&f->pool);
	s->outstanding = f->tp.outstanding;
}

static void snap_expect_same(struct tfix *f, const struct snap *before)
{
	struct snap after = {{0}, {0}, 0, 0};
	snap_take(f, &after);
	tleaves_expect_equal(&before->walker, "walker before", &after.walker, "walker after", false);
	tleaves_expect_equal(&before->lib, "iomm_pgt_walk before", &after.lib, "iomm_pgt_walk after",
			     false);
	T_CHECK(after.used == before->used, "pool use changed %zu -> %zu", before->used, after.used);
	T_CHECK(after.outstanding == before->outstanding,
		"allocations outstanding changed %zu -> %zu (leak)", before->outstanding,
		after.outstanding);
	T_CHECK(f->tp.bad_frees == 0, "page_free of memory that was not allocated");
	T_CHECK(f->tp.depth == 0 && f->tp.lock_errors == 0, "lock imbalance");
	tleaves_free(&after.walker);
	tleaves_free(&after.lib);
}

static void snap_free(struct snap *s)
{
	tleaves_free(&s->walker);
	tleaves_free(&s->lib);
}

static struct iomm_pgt_cfg pgt_cfg(const struct acfg *c)
{
	struct iomm_pgt_cfg pc;
	memset(&pc, 0, sizeof(pc));
	pc.format = c->fmt;
	pc.granule = c->granule;
	pc.ias = (uint8_t)c->ias;
	pc.oas = (uint8_t)c->oas;
	pc.flags = c->flags;
	return pc;
}

/* A range that needs many new tables: it crosses the boundary between two
 * root entries, starting and ending with pages. */
static void big_range(const struct acfg *c, const struct tfix *f, uint64_t *iova, uint64_t *size)
{
	uint64_t P = c->granule;
	uint64_t B2 = tfix_level_size(f, tfix_last_level(f) - 1);
	uint64_t boundary = tfix_level_size(f, tfix_start_level(f));
	if (boundary * 2 > (1ull << c->ias))
		boundary = (1ull << c->ias) / 2;
	*iova = boundary - B2 - 3 * P;
	*size = 2 * B2 + 6 * P;
}

/* Existing mappings so the failing map has tables to reuse as well as to create. */
static void premap(const struct acfg *c, struct tfix *f, uint64_t iova)
{
	uint64_t P = c->granule;
	T_RC(iomm_pgt_map(&f->pgt, iova - 8 * P, 0x10000000ull, P, IOMM_READ), IOMM_OK);
}

static void test_map_fail_every_point(void **state)
{
	(void)state;
	for (size_t ci = 0; ci < NCFGS; ci++) {
		const struct acfg *c = &cfgs[ci];
		if (skip_cfg(c))
			continue;
		for (int sticky = 0; sticky < 2; sticky++) {
			struct tfix f;
			struct iomm_pgt_cfg pc = pgt_cfg(c);
			t_context("%s: init", c->name);
			T_RC(tfix_init(&f, &pc, 256 * (size_t)c->granule, ARENA_PA, true), IOMM_OK);
			uint64_t iova, size;
			big_range(c, &f, &iova, &size);
			premap(c, &f, iova);
			uint64_t pa = 0x7000000000ull & ((1ull << c->oas) - 1);
			uint64_t B2 = tfix_level_size(&f, tfix_last_level(&f) - 1);
			pa = (pa & ~(B2 - 1)) + (iova & (B2 - 1));
			struct tleaves expect = {0};
			t_expect_leaves(&expect, &f, iova, pa, size, IOMM_READ | IOMM_WRITE);
			struct snap before = {{0}, {0}, 0, 0};
			snap_take(&f, &before);
			unsigned k;
			int rc = IOMM_ENOMEM;
			for (k = 0; k < 64; k++) {
				t_context("%s: map [0x%llx, +0x%llx) with page_alloc call %u failing%s",
					  c->name, (unsigned long long)iova, (unsigned long long)size, k,
					  sticky ? " (and every later one)" : "");
				f.tp.fail_at = (long)(f.tp.alloc_calls + k);
				f.tp.fail_sticky = sticky != 0;
				unsigned long calls0 = f.tp.alloc_calls;
				rc = iomm_pgt_map(&f.pgt, iova, pa, size, IOMM_READ | IOMM_WRITE);
				unsigned long made = f.tp.alloc_calls - calls0;
				if (rc == IOMM_OK) {
					T_CHECK(made <= k, "map succeeded although allocation %u failed", k);
					break;
				}
				T_RC(rc, IOMM_ENOMEM);
				T_CHECK(made == k + 1 || sticky, "map made %lu allocations, the %u-th failed",
					made, k);
				snap_expect_same(&f, &before);
			}
			f.tp.fail_at = -1;
			T_RC(rc, IOMM_OK);
			T_CHECK(k >= 2, "the map needed only %u new table pages; the test wants several", k);
			struct tleaves got = {0};
			tleaves_from_walker(&got, &f);
			/* the new leaves, after the premapped page */
			struct tleaves mine = {0};
			for (size_t i = 0; i < got.n; i++)
				if (got.v[i].iova >= iova)
					tleaves_push(&mine, &got.v[i]);
			tleaves_expect_equal(&expect, "expected", &mine, "walker", false);
			printf("%s: map needing %u table pages failed cleanly at each of them%s\n", c->name,
			       k, sticky ? " (sticky)" : "");
			tleaves_free(&got);
			tleaves_free(&mine);
			tleaves_free(&expect);
			snap_free(&before);
			tfix_fini(&f);
		}
	}
	t_context("%s", "");
}

static void test_map_quota(void **state)
{
	(void)state;
	for (size_t ci = 0; ci < NCFGS; ci++) {
		const struct acfg *c = &cfgs[ci];
		if (skip_cfg(c))
			continue;
		struct iomm_pgt_cfg pc = pgt_cfg(c);
		size_t base_used = 0;
		int rc = IOMM_ENOMEM;
		unsigned k;
		for (k = 0; k < 64 && rc != IOMM_OK; k++) {
			struct tfix f;
			/* first a roomy pool to learn the use after premap, then tight quotas */
			size_t cap = k == 0 ? 256 : base_used + (k - 1);
			t_context("%s: quota of %zu pages", c->name, cap);
			T_RC(tfix_init(&f, &pc, cap * c->granule, ARENA_PA, true), IOMM_OK);
			uint64_t iova, size;
			big_range(c, &f, &iova, &size);
			premap(c, &f, iova);
			if (k == 0) {
				base_used = iomm_pool_used(&f.pool);
				tfix_fini(&f);
				continue;
			}
			struct snap before = {{0}, {0}, 0, 0};
			snap_take(&f, &before);
			rc = iomm_pgt_map(&f.pgt, iova, 0, size, IOMM_READ);
			if (rc != IOMM_OK) {
				T_RC(rc, IOMM_ENOMEM);
				snap_expect_same(&f, &before);
			} else {
				T_CHECK(iomm_pool_used(&f.pool) <= cap, "quota exceeded");
			}
			snap_free(&before);
			tfix_fini(&f);
		}
		T_RC(rc, IOMM_OK);
		T_CHECK(k >= 3, "%s: the map needed too few pages for this test", c->name);
	}
	t_context("%s", "");
}

static void test_region_pool_too_small(void **state)
{
	(void)state;
	for (size_t ci = 0; ci < NCFGS; ci++) {
		const struct acfg *c = &cfgs[ci];
		if (skip_cfg(c))
			continue;
		struct iomm_pgt_cfg pc = pgt_cfg(c);
		int rc = IOMM_ENOMEM;
		unsigned k;
		for (k = 2; k < 64 && rc != IOMM_OK; k++) {
			struct tfix f;
			/* a region of k pages: k - 1 usable after the bookkeeping page */
			t_context("%s: region pool of %u pages", c->name, k);
			rc = tfix_init(&f, &pc, (size_t)k * c->granule, 0x2000000ull - c->granule, false);
			if (rc != IOMM_OK) {
				T_RC(rc, IOMM_ENOMEM);
				T_CHECK(iomm_pool_used(&f.pool) == 0, "failed init kept pages");
				tfix_fini(&f);
				continue;
			}
			rc = IOMM_ENOMEM;
			uint64_t iova, size;
			big_range(c, &f, &iova, &size);
			struct snap before = {{0}, {0}, 0, 0};
			snap_take(&f, &before);
			rc = iomm_pgt_map(&f.pgt, iova, 0, size, IOMM_READ | IOMM_WRITE);
			if (rc != IOMM_OK) {
				T_RC(rc, IOMM_ENOMEM);
				snap_expect_same(&f, &before);
			}
			snap_free(&before);
			tfix_fini(&f);
		}
		T_RC(rc, IOMM_OK);
	}
	t_context("%s", "");
}

/* Unmapping a page from the middle of a block needs new tables for the rest. */
static void test_split_fail_every_point(void **state)
{
	(void)state;
	for (size_t ci = 0; ci < NCFGS; ci++) {
		const struct acfg *c = &cfgs[ci];
		if (skip_cfg(c))
			continue;
		struct tfix f;
		struct iomm_pgt_cfg pc = pgt_cfg(c);
		uint64_t P = c->granule;
		t_context("%s: init", c->name);
		T_RC(tfix_init(&f, &pc, 256 * (size_t)c->granule, ARENA_PA, true), IOMM_OK);
		/* the largest block the table can use */
		uint64_t allowed = tfix_allowed_leaves(&f);
		uint64_t blk = 0;
		unsigned last = tfix_last_level(&f);
		for (unsigned level = 0; level < last; level++)
			if (allowed & tfix_level_size(&f, level)) {
				blk = tfix_level_size(&f, level);
				break;
			}
		if (blk >= (1ull << 42))
			blk = tfix_level_size(&f, last - 1); /* skip 4 TB blocks */
		T_CHECK(blk != 0, "no block size");
		uint64_t iova = 4 * blk < (1ull << c->ias) ? 2 * blk : 0;
		uint64_t pa = 3 * blk < (1ull << c->oas) ? blk : 0;
		T_RC(iomm_pgt_map(&f.pgt, iova, pa, blk, IOMM_READ | IOMM_WRITE | IOMM_MEM_NC), IOMM_OK);
		struct twleaf l;
		T_CHECK(tfix_translate(&f, iova, &l) == TW_OK && l.size == blk, "block not used");
		/* a page in the middle, not at a 2nd-level boundary */
		uint64_t hole = iova + blk / 2 + 5 * P;
		struct snap before = {{0}, {0}, 0, 0};
		snap_take(&f, &before);
		unsigned k;
		int rc = IOMM_ENOMEM;
		for (k = 0; k < 16; k++) {
			struct iomm_gather g;
			uint64_t unmapped = 0;
			iomm_gather_init(&g);
			t_context("%s: unmap a page inside a 0x%llx block, page_alloc call %u failing",
				  c->name, (unsigned long long)blk, k);
			f.tp.fail_at = (long)(f.tp.alloc_calls + k);
			rc = iomm_pgt_unmap(&f.pgt, hole, P, &g, &unmapped);
			if (rc == IOMM_OK) {
				T_CHECK(unmapped == P, "unmapped 0x%llx", (unsigned long long)unmapped);
				T_CHECK(t_gather_covers(&g, hole, P), "gather misses the page");
				iomm_pgt_gather_release(&g);
				break;
			}
			T_RC(rc, IOMM_ENOMEM);
			T_CHECK(!iomm_gather_pending(&g), "a failed split left work in the gather");
			iomm_pgt_gather_release(&g);
			snap_expect_same(&f, &before);
		}
		f.tp.fail_at = -1;
		T_RC(rc, IOMM_OK);
		unsigned levels_below = last - l.level;
		T_CHECK(k == levels_below, "the split needed %u table pages, expected %u", k,
			levels_below);
		/* everything but the page still maps, with the block's attributes */
		struct tleaves got = {0}, want = {0};
		tleaves_from_walker(&got, &f);
		tleaves_merge(&got);
		uint32_t cp = t_canon_prot(IOMM_READ | IOMM_WRITE | IOMM_MEM_NC, f.stage);
		struct tleaf a = {iova, pa, hole - iova, cp, 0, false};
		struct tleaf b = {hole + P, pa + (hole + P - iova), iova + blk - hole - P, cp, 0, false};
		tleaves_push(&want, &a);
		tleaves_push(&want, &b);
		tleaves_expect_equal(&want, "expected", &got, "walker", true);
		T_CHECK(iomm_pool_used(&f.pool) == before.used + levels_below,
			"pool use %zu, expected %zu", iomm_pool_used(&f.pool), before.used + levels_below);
		tleaves_free(&got);
		tleaves_free(&want);
		snap_free(&before);
		tfix_fini(&f);
	}
	t_context("%s", "");
}

static void test_init_fail(void **state)
{
	(void)state;
	for (size_t ci = 0; ci < NCFGS; ci++) {
		const struct acfg *c = &cfgs[ci];
		if (skip_cfg(c))
			continue;
		struct iomm_pgt_cfg pc = pgt_cfg(c);
		struct tfix f;
		/* port pool whose first page_alloc fails */
		memset(&f, 0, sizeof(f));
		tport_init(&f.tp, 64 * (size_t)c->granule, ARENA_PA, 0);
		struct iomm_pool pool;
		struct iomm_pgt pgt = {0};
		T_RC(iomm_pool_init_port(&pool, &f.tp.port, c->granule, 64), IOMM_OK);
		f.tp.fail_at = 0;
		t_context("%s: init with page_alloc failing", c->name);
		T_RC(iomm_pgt_init(&pgt, &pc, &pool, &f.tp.port), IOMM_ENOMEM);
		T_CHECK(iomm_pool_used(&pool) == 0 && f.tp.outstanding == 0, "failed init leaked");
		/* a quota smaller than the root */
		f.tp.fail_at = -1;
		T_RC(iomm_pool_init_port(&pool, &f.tp.port, c->granule, 1), IOMM_OK);
		int rc = iomm_pgt_init(&pgt, &pc, &pool, &f.tp.port);
		if (rc == IOMM_OK) {
			/* a one-page root */
			T_CHECK(iomm_pool_used(&pool) == 1, "root of %zu pages", iomm_pool_used(&pool));
			iomm_pgt_destroy(&pgt);
		} else {
			T_RC(rc, IOMM_ENOMEM);
		}
		T_CHECK(iomm_pool_used(&pool) == 0 && f.tp.outstanding == 0, "pages left behind");
		tport_fini(&f.tp);
	}
	/* concatenated roots need more than one page: 4K stage 2, ias 43 -> 16 pages */
	{
		struct tport tp;
		struct iomm_pool pool;
		struct iomm_pgt pgt = {0};
		struct iomm_pgt_cfg pc;
		memset(&pc, 0, sizeof(pc));
		pc.format = IOMM_FMT_ARM_LPAE_S2;
		pc.granule = 4096;
		pc.ias = 43;
		pc.oas = 44;
		pc.flags = 0;
		tport_init(&tp, 0, 0, 0);
		uint8_t *mem = aligned_alloc(1u << 20, 1u << 20);
		assert_non_null(mem);
		/* 9 pages: 8 usable */
		T_RC(iomm_pool_init(&pool, &tp.port, mem, 9 * 4096, 0x100000ull - 4096, 4096), IOMM_OK);
		t_context("4K stage 2 ias 43 with 8 pages");
		T_RC(iomm_pgt_init(&pgt, &pc, &pool, &tp.port), IOMM_ENOMEM);
		T_CHECK(iomm_pool_used(&pool) == 0, "failed init kept %zu pages", iomm_pool_used(&pool));
		T_RC(iomm_pool_init(&pool, &tp.port, mem, 17 * 4096, 0x100000ull - 4096, 4096), IOMM_OK);
		T_RC(iomm_pgt_init(&pgt, &pc, &pool, &tp.port), IOMM_OK);
		struct iomm_lpae_regs regs;
		T_RC(iomm_pgt_lpae_regs(&pgt, &regs), IOMM_OK);
		T_CHECK(regs.concat == 16 && regs.start_level == 1, "concat %u start level %u",
			regs.concat, regs.start_level);
		T_CHECK(iomm_pool_used(&pool) == 16, "root uses %zu pages", iomm_pool_used(&pool));
		iomm_pgt_destroy(&pgt);
		T_CHECK(iomm_pool_used(&pool) == 0, "destroy left %zu pages", iomm_pool_used(&pool));
		free(mem);
		tport_fini(&tp);
	}
	t_context("%s", "");
}

int main(int argc, char **argv)
{
	/* optional: a configuration group, then a test name (cmocka pattern) */
	int a = 1;
	if (argc > a && (!strcmp(argv[a], "arm") || !strcmp(argv[a], "vtd") || !strcmp(argv[a], "x86") ||
			      !strcmp(argv[a], "riscv")))
		g_group = argv[a++];
	if (argc > a)
		cmocka_set_test_filter(argv[a]);
	(void)t_seed();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_fail_every_point),
		cmocka_unit_test(test_map_quota),
		cmocka_unit_test(test_region_pool_too_small),
		cmocka_unit_test(test_split_fail_every_point),
		cmocka_unit_test(test_init_fail),
	};
	return cmocka_run_group_tests_name("lpae_allocfail", tests, NULL, NULL);
}
