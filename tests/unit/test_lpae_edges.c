/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * LPAE edge cases: the last page of the input range; concatenated stage-2
 * roots (alignment, and mappings through the second root page); block
 * splits; unmapping everything frees every table page (only after the
 * gather is released); the contiguous hint (set, cleared on partial unmap,
 * disabled by IOMM_PGT_NO_CONTIG); leaf_sizes restrictions; non-coherent
 * tables (a simulated device view that only sees cleaned bytes must always
 * walk correctly, every written descriptor is cleaned, cleaning is batched);
 * bad arguments of every call. The *_x86 tests do the same for the VT-d
 * second-stage and x86-64 first-stage formats (3, 4 and 5 levels).
 */
#include "test_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct iomm_pgt_cfg mkcfg(enum iomm_pgt_format fmt, uint32_t granule, unsigned ias,
				 unsigned oas, uint32_t flags)
{
	struct iomm_pgt_cfg pc;
	memset(&pc, 0, sizeof(pc));
	pc.format = fmt;
	pc.granule = granule;
	pc.ias = (uint8_t)ias;
	pc.oas = (uint8_t)oas;
	pc.flags = flags;
	return pc;
}

#define S1 IOMM_FMT_ARM_LPAE_S1
#define S2 IOMM_FMT_ARM_LPAE_S2
#define COH IOMM_PGT_COHERENT
#define RW (IOMM_READ | IOMM_WRITE)
/* a region pool whose first page sits on a 1 MiB boundary */
#define POOL_PA(g) (0x10000000ull - (g))

static void unmap_ok(struct tfix *f, uint64_t iova, uint64_t size, uint64_t want_unmapped)
{
	struct iomm_gather g;
	uint64_t unmapped = ~0ull;
	iomm_gather_init(&g);
	T_RC(iomm_pgt_unmap(&f->pgt, iova, size, &g, &unmapped), IOMM_OK);
	T_CHECK(unmapped == want_unmapped, "unmap [0x%llx, +0x%llx): 0x%llx bytes, expected 0x%llx",
		(unsigned long long)iova, (unsigned long long)size, (unsigned long long)unmapped,
		(unsigned long long)want_unmapped);
	if (want_unmapped)
		T_CHECK(iomm_gather_pending(&g), "nothing pending");
	iomm_pgt_gather_release(&g);
}

static void expect_pa(struct tfix *f, uint64_t iova, uint64_t want)
{
	uint64_t pa = 0;
	T_RC(iomm_pgt_iova_to_phys(&f->pgt, iova, &pa), IOMM_OK);
	T_CHECK(pa == want, "iova_to_phys(0x%llx) = 0x%llx, expected 0x%llx", (unsigned long long)iova,
		(unsigned long long)pa, (unsigned long long)want);
	struct twleaf l;
	int rc = tfix_translate(f, iova, &l);
	T_CHECK(rc == TW_OK, "walker at 0x%llx: %d %s", (unsigned long long)iova, rc,
		rc == TW_BAD ? tfix_err(f) : "");
	T_CHECK(l.oa + (iova - l.iova) == want, "walker: 0x%llx -> 0x%llx, expected 0x%llx",
		(unsigned long long)iova, (unsigned long long)(l.oa + (iova - l.iova)),
		(unsigned long long)want);
}

static void expect_none(struct tfix *f, uint64_t iova)
{
	uint64_t pa;
	struct twleaf l;
	T_RC(iomm_pgt_iova_to_phys(&f->pgt, iova, &pa), IOMM_ENOENT);
	int rc = tfix_translate(f, iova, &l);
	T_CHECK(rc == TW_UNMAPPED, "walker at 0x%llx: %d %s", (unsigned long long)iova, rc,
		rc == TW_BAD ? tfix_err(f) : "translates");
}

/* ---- last page -------------------------------------------------------------- */

static void test_last_page(void **state)
{
	(void)state;
	static const struct {
		uint32_t g;
		unsigned ias, oas;
	} geo[] = {{4096, 48, 48}, {4096, 39, 40}, {16384, 47, 48}, {65536, 52, 52}, {65536, 42, 44}};
	for (size_t i = 0; i < sizeof(geo) / sizeof(geo[0]); i++) {
		for (int st = 1; st <= 2; st++) {
			struct tfix f;
			struct iomm_pgt_cfg pc = mkcfg(st == 1 ? S1 : S2, geo[i].g, geo[i].ias, geo[i].oas, COH);
			uint64_t P = geo[i].g, top = 1ull << geo[i].ias, otop = 1ull << geo[i].oas;
			t_context("%uK s%d ias %u: last page", geo[i].g >> 10, st, geo[i].ias);
			T_RC(tfix_init(&f, &pc, 64 * P, POOL_PA(P), false), IOMM_OK);
			T_RC(iomm_pgt_map(&f.pgt, top - P, otop - P, P, RW), IOMM_OK);
			expect_pa(&f, top - 1, otop - 1);
			expect_pa(&f, top - P, otop - P);
			expect_none(&f, top - 2 * P);
			T_RC(iomm_pgt_map(&f.pgt, top - P, 0, P, RW), IOMM_EEXIST);
			T_RC(iomm_pgt_map(&f.pgt, top, 0, P, RW), IOMM_ERANGE);
			/* the last block below the last page's block */
			uint64_t B2 = aw_level_size(geo[i].g, 2);
			T_RC(iomm_pgt_map(&f.pgt, top - 2 * B2, otop - 2 * B2, B2, RW), IOMM_OK);
			struct aw_leaf l;
			T_CHECK(aw_translate(&f.w, top - 2 * B2, &l) == AW_OK && l.size == B2,
				"no block below the top");
			tfix_validate(&f);
			unmap_ok(&f, top - P, P, P);
			expect_none(&f, top - P);
			unmap_ok(&f, top - 2 * B2, 2 * B2, B2);
			unmap_ok(&f, 0, top, 0);
			T_CHECK(iomm_pool_used(&f.pool) == tfix_root_pages(&f), "tables left");
			tfix_fini(&f);
		}
	}
	t_context("%s", "");
}

#define VTD IOMM_FMT_VTD_SL
#define X86 IOMM_FMT_X86_FL

/* VT-d / x86-64 geometries: 3, 4 and 5 levels */
static const struct {
	enum iomm_pgt_format fmt;
	unsigned ias, oas;
} xgeo[] = {
	{VTD, 39, 39}, {VTD, 48, 46}, {VTD, 57, 52}, {X86, 47, 39}, {X86, 48, 46}, {X86, 56, 52},
};
#define NXGEO (sizeof(xgeo) / sizeof(xgeo[0]))

static void test_last_page_x86(void **state)
{
	(void)state;
	for (size_t i = 0; i < NXGEO; i++) {
		struct tfix f;
		uint32_t flags = COH | (xgeo[i].fmt == VTD ? IOMM_PGT_SNOOP : 0);
		struct iomm_pgt_cfg pc = mkcfg(xgeo[i].fmt, 4096, xgeo[i].ias, xgeo[i].oas, flags);
		uint64_t P = 4096, top = 1ull << xgeo[i].ias, otop = 1ull << xgeo[i].oas;
		t_context("%s ias %u oas %u: last page", t_fmt_name(xgeo[i].fmt), xgeo[i].ias,
			  xgeo[i].oas);
		T_RC(tfix_init(&f, &pc, 64 * P, POOL_PA(P), false), IOMM_OK);
		T_RC(iomm_pgt_map(&f.pgt, top - P, otop - P, P, RW), IOMM_OK);
		expect_pa(&f, top - 1, otop - 1);
		expect_pa(&f, top - P, otop - P);
		expect_none(&f, top - 2 * P);
		expect_none(&f, top);
		T_RC(iomm_pgt_map(&f.pgt, top - P, 0, P, RW), IOMM_EEXIST);
		T_RC(iomm_pgt_map(&f.pgt, top, 0, P, RW), IOMM_ERANGE);
		/* a 1 GiB page and a 2 MiB page below the top */
		T_RC(iomm_pgt_map(&f.pgt, top - 2 * SZ_2M, otop - 2 * SZ_2M, SZ_2M, RW), IOMM_OK);
		T_RC(iomm_pgt_map(&f.pgt, top - 2 * SZ_1G, otop - 2 * SZ_1G, SZ_1G, IOMM_READ),
		     IOMM_OK);
		struct twleaf l;
		T_CHECK(tfix_translate(&f, top - 2 * SZ_2M, &l) == TW_OK && l.size == SZ_2M &&
				l.level == 3,
			"no 2 MiB page below the top");
		T_CHECK(tfix_translate(&f, top - 2 * SZ_1G, &l) == TW_OK && l.size == SZ_1G &&
				l.level == 2,
			"no 1 GiB page below the top");
		struct iomm_mapping m;
		T_RC(iomm_pgt_lookup(&f.pgt, top - 1, &m), IOMM_OK);
		T_CHECK(m.level == 4 && m.size == P, "lookup of the last page: level %u size 0x%llx",
			m.level, (unsigned long long)m.size);
		tfix_validate(&f);
		unmap_ok(&f, top - P, P, P);
		expect_none(&f, top - P);
		unmap_ok(&f, top - 2 * SZ_1G, 2 * SZ_1G, SZ_1G + SZ_2M);
		unmap_ok(&f, 0, top, 0);
		T_CHECK(iomm_pool_used(&f.pool) == tfix_min_tables(&f), "tables left");
		tfix_fini(&f);
	}
	t_context("%s", "");
}

/* ---- concatenated stage-2 roots --------------------------------------------- */

static void test_concat_root_aligned(void **state)
{
	(void)state;
	/* A region pool as a user would make it: memory aligned to 1 MiB, the
	 * bookkeeping first, so the first page is at +granule. The concatenated
	 * root must still be aligned to its whole size (VTTBR.BADDR). */
	static const struct {
		uint32_t g;
		unsigned ias, oas, concat;
	} geo[] = {{4096, 40, 40, 2}, {4096, 42, 48, 8}, {16384, 48, 48, 2}, {65536, 46, 48, 16}};
	char first_failure[256] = "";
	unsigned failures = 0;
	for (size_t i = 0; i < sizeof(geo) / sizeof(geo[0]); i++) {
		struct tport tp;
		struct iomm_pool pool;
		struct iomm_pgt pgt = {0};
		struct iomm_lpae_regs regs;
		size_t P = geo[i].g;
		tport_init(&tp, 0, 0, 0);
		uint8_t *mem = aligned_alloc(1u << 20, (64 * P + (1u << 20) - 1) & ~(size_t)((1u << 20) - 1));
		assert_non_null(mem);
		struct iomm_pgt_cfg pc = mkcfg(S2, geo[i].g, geo[i].ias, geo[i].oas, COH);
		T_RC(iomm_pool_init(&pool, &tp.port, mem, 64 * P, 0x40000000ull, P), IOMM_OK);
		t_context("%zuK s2 ias %u: root of %u tables", P >> 10, geo[i].ias, geo[i].concat);
		T_RC(iomm_pgt_init(&pgt, &pc, &pool, &tp.port), IOMM_OK);
		T_RC(iomm_pgt_lpae_regs(&pgt, &regs), IOMM_OK);
		T_CHECK(regs.concat == geo[i].concat, "concat %u, expected %u", regs.concat,
			geo[i].concat);
		uint64_t root_bytes = (uint64_t)regs.concat * P;
		if (regs.ttbr & (root_bytes - 1)) {
			if (!failures++)
				snprintf(first_failure, sizeof(first_failure),
					 "%zuK s2 ias %u: concatenated root of %u tables at 0x%llx is not "
					 "aligned to its size 0x%llx",
					 P >> 10, geo[i].ias, regs.concat, (unsigned long long)regs.ttbr,
					 (unsigned long long)root_bytes);
		}
		iomm_pgt_destroy(&pgt);
		free(mem);
		tport_fini(&tp);
	}
	t_context("%s", "");
	T_CHECK(failures == 0, "%u of %zu roots misaligned; first: %s", failures,
		sizeof(geo) / sizeof(geo[0]), first_failure);
}

static void test_concat_s2(void **state)
{
	(void)state;
	static const struct {
		uint32_t g;
		unsigned ias, oas, start, concat;
	} geo[] = {
		{4096, 40, 40, 1, 2},   /* level 0 needs a 44-bit PA range: level 1, two tables */
		{4096, 42, 42, 1, 8},
		{4096, 43, 44, 1, 16},
		{16384, 48, 48, 1, 2},  /* level 0 needs TCR.DS: level 1, two tables */
		{16384, 40, 40, 2, 16}, /* level 1 needs a 42-bit PA range */
	};
	for (size_t i = 0; i < sizeof(geo) / sizeof(geo[0]); i++) {
		struct tfix f;
		uint64_t P = geo[i].g;
		struct iomm_pgt_cfg pc = mkcfg(S2, geo[i].g, geo[i].ias, geo[i].oas, COH);
		t_context("%uK s2 ias %u oas %u", geo[i].g >> 10, geo[i].ias, geo[i].oas);
		T_RC(tfix_init(&f, &pc, 64 * P, POOL_PA(P), false), IOMM_OK);
		T_CHECK(f.regs.start_level == geo[i].start && f.regs.concat == geo[i].concat,
			"start level %u with %u tables, expected %u with %u", f.regs.start_level,
			f.regs.concat, geo[i].start, geo[i].concat);
		T_CHECK(iomm_pool_used(&f.pool) == geo[i].concat, "root takes %zu pages",
			iomm_pool_used(&f.pool));
		/* map something resolved by the last root page and by the first */
		uint64_t top = 1ull << geo[i].ias;
		uint64_t hi = top - aw_level_size(geo[i].g, geo[i].start) + 7 * P;
		T_RC(iomm_pgt_map(&f.pgt, hi, 0x123450000ull & ~(P - 1), P, RW), IOMM_OK);
		T_RC(iomm_pgt_map(&f.pgt, 5 * P, 0x5550000ull & ~(P - 1), P, RW), IOMM_OK);
		expect_pa(&f, hi + 3, (0x123450000ull & ~(P - 1)) + 3);
		expect_pa(&f, 5 * P, 0x5550000ull & ~(P - 1));
		/* the entry for hi lives in the last root page */
		struct aw_leaf l;
		T_CHECK(aw_translate(&f.w, hi, &l) == AW_OK, "no translation");
		unsigned gs = aw_granule_shift(geo[i].g);
		uint64_t idx = hi >> (gs + (3 - geo[i].start) * (gs - 3));
		uint64_t entry_pa = f.regs.ttbr + idx * 8;
		T_CHECK(entry_pa >= f.regs.ttbr + (uint64_t)(geo[i].concat - 1) * P,
			"entry 0x%llx not in the last root page", (unsigned long long)entry_pa);
		uint64_t d = 0;
		T_CHECK(tport_read64(&f.tp, entry_pa, &d) == 0 && (d & 3) == 3,
			"root entry %llu (0x%llx) is not a table descriptor: 0x%llx",
			(unsigned long long)idx, (unsigned long long)entry_pa, (unsigned long long)d);
		tfix_validate(&f);
		unmap_ok(&f, 0, top, 2 * P);
		T_CHECK(iomm_pool_used(&f.pool) == geo[i].concat, "tables left after unmapping all");
		tfix_fini(&f);
	}
	t_context("%s", "");
}

/* ---- block split ------------------------------------------------------------ */

static void test_block_split(void **state)
{
	(void)state;
	static const struct {
		uint32_t g;
		unsigned level;
	} cases[] = {{4096, 2}, {4096, 1}, {16384, 2}, {65536, 2}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int st = 1; st <= 2; st++) {
			struct tfix f;
			uint32_t g = cases[i].g;
			uint64_t P = g, blk = aw_level_size(g, cases[i].level);
			struct iomm_pgt_cfg pc = mkcfg(st == 1 ? S1 : S2, g, 48, 48, COH);
			uint32_t prot = IOMM_READ | IOMM_EXEC | IOMM_MEM_NC | IOMM_SH_INNER;
			t_context("%uK s%d: split a 0x%llx block", g >> 10, st, (unsigned long long)blk);
			T_RC(tfix_init(&f, &pc, 64 * P, POOL_PA(P), false), IOMM_OK);
			uint64_t iova = 3 * blk, pa = 7 * blk;
			T_RC(iomm_pgt_map(&f.pgt, iova, pa, blk, prot), IOMM_OK);
			struct aw_leaf l;
			T_CHECK(aw_translate(&f.w, iova, &l) == AW_OK && l.size == blk, "block not used");
			size_t used = iomm_pool_used(&f.pool);
			uint64_t hole = iova + blk / 2 + 3 * P;
			struct iomm_gather g2;
			uint64_t unmapped = 0;
			iomm_gather_init(&g2);
			T_RC(iomm_pgt_unmap(&f.pgt, hole, P, &g2, &unmapped), IOMM_OK);
			T_CHECK(unmapped == P, "unmapped 0x%llx", (unsigned long long)unmapped);
			T_CHECK(t_gather_covers(&g2, hole, P), "gather [0x%llx, 0x%llx) misses the page",
				(unsigned long long)g2.start, (unsigned long long)g2.end);
			T_CHECK(g2.leaf_sizes & blk, "gather leaf_sizes 0x%llx lacks the block size",
				(unsigned long long)g2.leaf_sizes);
			T_CHECK(g2.levels & (1u << cases[i].level), "gather levels 0x%x lack level %u",
				g2.levels, cases[i].level);
			iomm_pgt_gather_release(&g2);
			T_CHECK(iomm_pool_used(&f.pool) == used + (3 - cases[i].level),
				"split used %zu table pages", iomm_pool_used(&f.pool) - used);
			expect_none(&f, hole);
			/* everything else still maps, with the same attributes, in the largest leaves */
			struct tleaves got = {0}, want = {0};
			tleaves_from_walker(&got, &f);
			size_t nblk = 0, npages = 0;
			for (size_t k = 0; k < got.n; k++) {
				T_CHECK(got.v[k].prot == t_canon_prot(prot, f.stage), "attributes changed: %s",
					t_prot_str(got.v[k].prot));
				if (got.v[k].size == P)
					npages++;
				else
					nblk++;
			}
			uint64_t entries = 1ull << (aw_granule_shift(g) - 3);
			if (cases[i].level == 2) {
				T_CHECK(npages == entries - 1 && nblk == 0, "%zu pages and %zu others", npages,
					nblk);
			} else {
				/* 1G: 511 2M blocks and 511 pages */
				T_CHECK(npages == entries - 1 && nblk == entries - 1,
					"%zu pages and %zu blocks, expected %llu of each", npages, nblk,
					(unsigned long long)(entries - 1));
			}
			tleaves_merge(&got);
			uint32_t cp = t_canon_prot(prot, f.stage);
			struct tleaf a = {iova, pa, hole - iova, cp, 0, false};
			struct tleaf b = {hole + P, pa + (hole + P - iova), iova + blk - hole - P, cp, 0, false};
			tleaves_push(&want, &a);
			tleaves_push(&want, &b);
			tleaves_expect_equal(&want, "expected", &got, "walker", true);
			/* a whole block unmapped at once needs no table */
			used = iomm_pool_used(&f.pool);
			T_RC(iomm_pgt_map(&f.pgt, 5 * blk, pa, blk, prot), IOMM_OK);
			unmap_ok(&f, 5 * blk, blk, blk);
			T_CHECK(iomm_pool_used(&f.pool) == used, "unmapping a whole block changed pool use");
			tleaves_free(&got);
			tleaves_free(&want);
			tfix_fini(&f);
		}
	}
	t_context("%s", "");
}

/* ---- freeing tables ---------------------------------------------------------- */

static void test_unmap_all_frees_tables(void **state)
{
	(void)state;
	static const uint32_t granules[] = {4096, 16384, 65536};
	for (size_t i = 0; i < 3; i++) {
		for (int st = 1; st <= 2; st++) {
			struct tfix f;
			uint32_t g = granules[i];
			uint64_t P = g;
			struct iomm_pgt_cfg pc = mkcfg(st == 1 ? S1 : S2, g, 48, 48, COH);
			t_context("%uK s%d: unmap all", g >> 10, st);
			T_RC(tfix_init(&f, &pc, 256 * P, POOL_PA(P), false), IOMM_OK);
			size_t root = tfix_root_pages(&f);
			/* scattered pages: many tables */
			for (unsigned k = 0; k < 12; k++) {
				uint64_t iova = ((uint64_t)k << 40) + ((uint64_t)k << 31) + k * 7 * P;
				T_RC(iomm_pgt_map(&f.pgt, iova, 0x40000000ull + k * P, P, RW), IOMM_OK);
			}
			size_t used = iomm_pool_used(&f.pool);
			T_CHECK(used > root + 12, "only %zu pages for 12 scattered mappings", used);
			/* unmapping the pages alone does not free their tables' spans... */
			struct iomm_gather gat;
			uint64_t unmapped = 0;
			iomm_gather_init(&gat);
			T_RC(iomm_pgt_unmap(&f.pgt, 0, 1ull << 48, &gat, &unmapped), IOMM_OK);
			T_CHECK(unmapped == 12 * P, "unmapped 0x%llx", (unsigned long long)unmapped);
			T_CHECK(gat.tables && gat.nfreed > 0, "no table pages queued (tables %d nfreed %u)",
				gat.tables, gat.nfreed);
			/* ...the freed tables stay allocated until the gather is released */
			T_CHECK(iomm_pool_used(&f.pool) == used,
				"table pages returned before the invalidation (%zu -> %zu)", used,
				iomm_pool_used(&f.pool));
			T_CHECK(gat.nfreed == used - root, "nfreed %u, expected %zu", gat.nfreed,
				used - root);
			/* the unlinked tables are no longer reachable */
			tfix_validate(&f);
			struct tleaves got = {0};
			tleaves_from_walker(&got, &f);
			T_CHECK(got.n == 0, "%zu leaves left", got.n);
			tleaves_free(&got);
			iomm_pgt_gather_release(&gat);
			T_CHECK(iomm_pool_used(&f.pool) == root, "%zu pages after release, root %zu",
				iomm_pool_used(&f.pool), root);
			T_CHECK(!iomm_gather_pending(&gat), "gather not empty after release");
			/* the table is still usable */
			T_RC(iomm_pgt_map(&f.pgt, 5 * P, 0, P, RW), IOMM_OK);
			expect_pa(&f, 5 * P, 0);
			iomm_pgt_destroy(&f.pgt);
			f.initialised = false;
			T_CHECK(iomm_pool_used(&f.pool) == 0, "destroy left %zu pages",
				iomm_pool_used(&f.pool));
			/* re-initialise the same object */
			T_RC(iomm_pgt_init(&f.pgt, &pc, &f.pool, &f.tp.port), IOMM_OK);
			f.initialised = true;
			tfix_fini(&f);
		}
	}
	t_context("%s", "");
}

static void test_gather_batching(void **state)
{
	(void)state;
	struct tfix f;
	struct iomm_pgt_cfg pc = mkcfg(S1, 4096, 48, 48, COH);
	T_RC(tfix_init(&f, &pc, 256 * 4096, POOL_PA(4096), false), IOMM_OK);
	T_RC(iomm_pgt_map(&f.pgt, SZ_1G, SZ_1G, SZ_2M, RW), IOMM_OK);
	T_RC(iomm_pgt_map(&f.pgt, 5 * SZ_1G, 0x1000, 0x10000, RW), IOMM_OK);
	T_RC(iomm_pgt_map(&f.pgt, 9 * SZ_1G, SZ_1G, SZ_1G, RW), IOMM_OK);
	size_t used = iomm_pool_used(&f.pool);
	struct iomm_gather g;
	uint64_t u1 = 0, u2 = 0, u3 = 0;
	iomm_gather_init(&g);
	T_CHECK(!iomm_gather_pending(&g), "fresh gather pending");
	T_RC(iomm_pgt_unmap(&f.pgt, SZ_1G, SZ_2M, &g, &u1), IOMM_OK);
	T_RC(iomm_pgt_unmap(&f.pgt, 5 * SZ_1G, SZ_1G, &g, &u2), IOMM_OK);
	T_RC(iomm_pgt_unmap(&f.pgt, 9 * SZ_1G, SZ_1G, &g, &u3), IOMM_OK);
	T_CHECK(u1 == SZ_2M && u2 == 0x10000 && u3 == SZ_1G, "unmapped 0x%llx 0x%llx 0x%llx",
		(unsigned long long)u1, (unsigned long long)u2, (unsigned long long)u3);
	T_CHECK(t_gather_covers(&g, SZ_1G, SZ_2M) && t_gather_covers(&g, 5 * SZ_1G, 0x10000) &&
			t_gather_covers(&g, 9 * SZ_1G, SZ_1G),
		"one gather over three unmaps [0x%llx, 0x%llx) misses part of them",
		(unsigned long long)g.start, (unsigned long long)g.end);
	T_CHECK(g.leaf_sizes & SZ_1G, "leaf_sizes 0x%llx lacks 1G", (unsigned long long)g.leaf_sizes);
	T_CHECK(iomm_pool_used(&f.pool) == used, "pages released before the gather");
	iomm_pgt_gather_release(&g);
	T_CHECK(iomm_pool_used(&f.pool) <= used, "release grew the pool");
	/* a gather holding pages of one table is refused by another */
	struct tfix f2;
	T_RC(tfix_init(&f2, &pc, 64 * 4096, POOL_PA(4096), false), IOMM_OK);
	T_RC(iomm_pgt_map(&f.pgt, 3 * SZ_1G, 0x1000, SZ_2M, RW), IOMM_OK);
	T_RC(iomm_pgt_map(&f2.pgt, 3 * SZ_1G, 0x1000, SZ_2M, RW), IOMM_OK);
	iomm_gather_init(&g);
	T_RC(iomm_pgt_unmap(&f.pgt, 0, 1ull << 48, &g, &u1), IOMM_OK);
	T_CHECK(g.nfreed > 0, "no pages queued");
	T_RC(iomm_pgt_unmap(&f2.pgt, 3 * SZ_1G, SZ_2M, &g, &u2), IOMM_EINVAL);
	expect_pa(&f2, 3 * SZ_1G, 0x1000);
	iomm_pgt_gather_release(&g);
	tfix_fini(&f2);
	tfix_fini(&f);
}

/* ---- contiguous hint ---------------------------------------------------------- */

static size_t count_contig(struct tfix *f, uint64_t iova, uint64_t size)
{
	size_t n = 0;
	for (uint64_t a = iova; a < iova + size; a += f->cfg.granule) {
		struct aw_leaf l;
		if (aw_translate(&f->w, a, &l) == AW_OK && l.contig)
			n++;
	}
	return n;
}

static void test_contig(void **state)
{
	(void)state;
	static const uint32_t granules[] = {4096, 16384, 65536};
	for (size_t i = 0; i < 3; i++) {
		for (int nocontig = 0; nocontig < 2; nocontig++) {
			struct tfix f;
			uint32_t g = granules[i];
			uint64_t P = g;
			uint64_t N = aw_contig_entries(g, 3), grp = N * P;
			struct iomm_pgt_cfg pc = mkcfg(S1, g, 48, 48, COH | (nocontig ? IOMM_PGT_NO_CONTIG : 0));
			t_context("%uK: contiguous group of %llu pages%s", g >> 10, (unsigned long long)N,
				  nocontig ? " with NO_CONTIG" : "");
			T_RC(tfix_init(&f, &pc, 64 * P, POOL_PA(P), false), IOMM_OK);
			uint64_t iova = 16 * grp, pa = 5 * grp;
			T_RC(iomm_pgt_map(&f.pgt, iova, pa, grp, RW), IOMM_OK);
			tfix_validate(&f);
			size_t n = count_contig(&f, iova, grp);
			if (nocontig) {
				T_CHECK(n == 0, "IOMM_PGT_NO_CONTIG but %zu entries carry the hint", n);
			} else {
				T_CHECK(n == N, "%zu of %llu entries carry the hint", n, (unsigned long long)N);
				struct iomm_mapping m;
				T_RC(iomm_pgt_lookup(&f.pgt, iova + P, &m), IOMM_OK);
				T_CHECK(m.contig && m.size == P, "lookup: contig %d size 0x%llx", m.contig,
					(unsigned long long)m.size);
			}
			/* unmapping one page of the group clears the hint on the rest */
			struct iomm_gather gat;
			uint64_t unmapped = 0;
			iomm_gather_init(&gat);
			T_RC(iomm_pgt_unmap(&f.pgt, iova + 3 * P, P, &gat, &unmapped), IOMM_OK);
			T_CHECK(unmapped == P, "unmapped 0x%llx", (unsigned long long)unmapped);
			T_CHECK(t_gather_covers(&gat, iova + 3 * P, P), "gather misses the page");
			iomm_pgt_gather_release(&gat);
			tfix_validate(&f); /* a broken group is an error for the walker */
			n = count_contig(&f, iova, grp);
			T_CHECK(n == 0, "%zu entries still carry the hint after the group was broken", n);
			for (uint64_t a = iova; a < iova + grp; a += P) {
				if (a == iova + 3 * P)
					expect_none(&f, a);
				else
					expect_pa(&f, a, pa + (a - iova));
			}
			/* a group whose output is not group-aligned gets no hint */
			T_RC(iomm_pgt_map(&f.pgt, 32 * grp, 5 * grp + P, grp, RW), IOMM_OK);
			T_CHECK(count_contig(&f, 32 * grp, grp) == 0, "hint on a misaligned output");
			/* a group mapped by two calls: valid either way */
			T_RC(iomm_pgt_map(&f.pgt, 40 * grp, 6 * grp, grp / 2, RW), IOMM_OK);
			T_RC(iomm_pgt_map(&f.pgt, 40 * grp + grp / 2, 6 * grp + grp / 2, grp / 2, RW), IOMM_OK);
			tfix_validate(&f);
			/* block groups: 16 x 2M (4K), 32 x 32M (16K), 32 x 512M (64K) */
			uint64_t B2 = aw_level_size(g, 2), bgrp = B2 * aw_contig_entries(g, 2);
			T_RC(iomm_pgt_map(&f.pgt, 4 * bgrp, 2 * bgrp, bgrp, RW | IOMM_MEM_DEVICE), IOMM_OK);
			size_t nb = 0;
			for (uint64_t a = 4 * bgrp; a < 5 * bgrp; a += B2) {
				struct aw_leaf l;
				T_CHECK(aw_translate(&f.w, a, &l) == AW_OK && l.size == B2, "block missing");
				nb += l.contig;
			}
			T_CHECK(nb == (nocontig ? 0 : aw_contig_entries(g, 2)), "%zu blocks carry the hint", nb);
			/* cut one block out of the block group */
			unmap_ok(&f, 4 * bgrp + 2 * B2, B2, B2);
			tfix_validate(&f);
			tfix_fini(&f);
		}
	}
	t_context("%s", "");
}

/* ---- leaf size restrictions ---------------------------------------------------- */

static void test_leaf_sizes(void **state)
{
	(void)state;
	static const struct {
		uint32_t g;
		uint64_t sizes;
	} cases[] = {
		{4096, SZ_4K},
		{4096, SZ_4K | SZ_1G},
		{4096, SZ_4K | SZ_2M},
		{4096, SZ_2M}, /* the granule is always allowed */
		{16384, SZ_16K},
		{65536, SZ_64K},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tfix f;
		uint32_t g = cases[i].g;
		uint64_t P = g;
		struct iomm_pgt_cfg pc = mkcfg(S2, g, 48, 48, COH);
		pc.leaf_sizes = cases[i].sizes;
		t_context("%uK leaf_sizes 0x%llx", g >> 10, (unsigned long long)cases[i].sizes);
		/* 4K pages only: 1 GiB of pages needs 513 tables */
		T_RC(tfix_init(&f, &pc, (g == 4096 ? 1024 : 128) * P, POOL_PA(P), false), IOMM_OK);
		uint64_t ps = iomm_pgt_page_sizes(&f.pgt);
		T_CHECK((ps & ~(cases[i].sizes | P)) == 0 && (ps & P),
			"page_sizes 0x%llx with leaf_sizes 0x%llx", (unsigned long long)ps,
			(unsigned long long)cases[i].sizes);
		/* 2 blocks of the next size up plus pages, aligned */
		uint64_t B2 = aw_level_size(g, 2);
		uint64_t span = g == 4096 ? SZ_1G + 2 * SZ_2M + 3 * P : 2 * B2 + 3 * P;
		if (g == 65536)
			span = 2 * SZ_2M + 3 * P; /* no 512M blocks anyway: keep it small */
		uint64_t iova = g == 4096 ? 4 * SZ_1G : 4 * B2;
		struct tleaves want = {0}, got = {0};
		t_expect_leaves(&want, &f, iova, iova, span, RW);
		T_RC(iomm_pgt_map(&f.pgt, iova, iova, span, RW), IOMM_OK);
		for (size_t k = 0; k < want.n; k++)
			T_CHECK(want.v[k].size & (cases[i].sizes | P), "reference chose a forbidden size");
		tleaves_from_walker(&got, &f);
		tleaves_expect_equal(&want, "expected", &got, "walker", false);
		for (size_t k = 0; k < got.n; k++)
			T_CHECK((got.v[k].size & (cases[i].sizes | P)) != 0,
				"leaf of 0x%llx bytes not in leaf_sizes", (unsigned long long)got.v[k].size);
		/* split of a block keeps to the allowed sizes too */
		unmap_ok(&f, iova + 7 * P, P, P);
		got.n = 0;
		tleaves_from_walker(&got, &f);
		for (size_t k = 0; k < got.n; k++)
			T_CHECK((got.v[k].size & (cases[i].sizes | P)) != 0,
				"after a split: leaf of 0x%llx bytes not in leaf_sizes",
				(unsigned long long)got.v[k].size);
		tleaves_free(&want);
		tleaves_free(&got);
		tfix_fini(&f);
	}
	t_context("%s", "");
}

static void test_leaf_sizes_x86(void **state)
{
	(void)state;
	static const uint64_t cases[] = {SZ_4K, SZ_4K | SZ_1G, SZ_4K | SZ_2M, SZ_2M};
	for (size_t gi = 0; gi < NXGEO; gi++) {
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			struct tfix f;
			const uint64_t P = SZ_4K;
			struct iomm_pgt_cfg pc =
			    mkcfg(xgeo[gi].fmt, 4096, xgeo[gi].ias, xgeo[gi].oas, COH);
			pc.leaf_sizes = cases[i];
			t_context("%s ias %u leaf_sizes 0x%llx", t_fmt_name(xgeo[gi].fmt),
				  xgeo[gi].ias, (unsigned long long)cases[i]);
			T_RC(tfix_init(&f, &pc, 1024 * P, POOL_PA(P), false), IOMM_OK);
			uint64_t ps = iomm_pgt_page_sizes(&f.pgt);
			T_CHECK(ps == (cases[i] | P), "page_sizes 0x%llx with leaf_sizes 0x%llx",
				(unsigned long long)ps, (unsigned long long)cases[i]);
			uint64_t span = SZ_1G + 2 * SZ_2M + 3 * P;
			uint64_t iova = 4 * SZ_1G - 2 * SZ_2M;
			struct tleaves want = {0}, got = {0};
			t_expect_leaves(&want, &f, iova, iova, span, RW);
			T_RC(iomm_pgt_map(&f.pgt, iova, iova, span, RW), IOMM_OK);
			tleaves_from_walker(&got, &f);
			tleaves_expect_equal(&want, "expected", &got, "walker", false);
			bool big = false;
			for (size_t k = 0; k < got.n; k++) {
				T_CHECK((got.v[k].size & (cases[i] | P)) != 0,
					"leaf of 0x%llx bytes not in leaf_sizes",
					(unsigned long long)got.v[k].size);
				big |= got.v[k].size > P;
			}
			T_CHECK(big == (cases[i] != SZ_4K), "superpages %s", big ? "used" : "unused");
			/* split of a superpage keeps to the allowed sizes too */
			unmap_ok(&f, 4 * SZ_1G + 7 * P, P, P);
			got.n = 0;
			tleaves_from_walker(&got, &f);
			for (size_t k = 0; k < got.n; k++)
				T_CHECK((got.v[k].size & (cases[i] | P)) != 0,
					"after a split: leaf of 0x%llx bytes not in leaf_sizes",
					(unsigned long long)got.v[k].size);
			tleaves_free(&want);
			tleaves_free(&got);
			tfix_fini(&f);
		}
	}
	t_context("%s", "");
}

/* ---- non-coherent tables -------------------------------------------------------- */

/* The device's view of table memory: only bytes cleaned with clean_tables. */
struct devview {
	struct tfix *f;
	uint8_t *img;
	struct aw_walker w;
	struct xw_walker xw;
	bool walker_ready;
	bool check_each;
	unsigned long bad;
	char err[600];
	unsigned long outside;
};

static int dev_read(void *ctx, uint64_t pa, uint64_t *v)
{
	struct devview *d = ctx;
	struct tfix *f = d->f;
	if (pa < f->mem_pa || pa + 8 > f->mem_pa + f->mem_size || (pa & 7))
		return -1;
	memcpy(v, d->img + (pa - f->mem_pa), 8);
	return 0;
}

static void dev_clean(void *arg, const void *va, size_t len)
{
	struct devview *d = arg;
	struct tfix *f = d->f;
	const uint8_t *p = va;
	if (p < f->mem || p + len > f->mem + f->mem_size) {
		d->outside++;
		return;
	}
	memcpy(d->img + (p - f->mem), p, len);
	if (d->check_each && d->walker_ready && !d->bad) {
		/* what the device would walk right now must be well formed */
		bool x86 = d->f->x86;
		int rc = x86 ? xw_walk(&d->xw, NULL, NULL, NULL) : aw_walk(&d->w, NULL, NULL, NULL);
		if (rc != AW_OK) {
			d->bad++;
			snprintf(d->err, sizeof(d->err), "after cleaning [%p, +0x%zx): %s", va, len,
				 x86 ? d->xw.err : d->w.err);
		}
	}
}

static void dev_walker(struct devview *d)
{
	if (d->f->x86) {
		struct xw_config xc = d->f->xw.cfg;
		xc.read = dev_read;
		xc.ctx = d;
		T_CHECK(xw_init(&d->xw, &xc) == XW_OK, "device walker: %s", d->xw.err);
		d->walker_ready = true;
		return;
	}
	struct aw_config c = d->f->w.cfg;
	c.read = dev_read;
	c.ctx = d;
	T_CHECK(aw_init(&d->w, &c) == AW_OK, "device walker: %s", d->w.err);
	d->walker_ready = true;
}

/* The device view must show exactly the tables the CPU sees. */
static void dev_expect_same(struct devview *d, const char *when)
{
	T_CHECK(d->bad == 0, "%s: the device saw a malformed table %s", when, d->err);
	T_CHECK(d->outside == 0, "%s: clean_tables outside table memory", when);
	struct tleaves cpu = {0}, dev = {0};
	tleaves_from_walker(&cpu, d->f);
	bool x86 = d->f->x86;
	int rc = x86 ? xw_walk(&d->xw, NULL, NULL, NULL) : aw_walk(&d->w, NULL, NULL, NULL);
	T_CHECK(rc == AW_OK, "%s: device view: %s", when, x86 ? d->xw.err : d->w.err);
	struct tfix tmp = *d->f; /* walk the device view with the leaf collector */
	tmp.w = d->w;
	tmp.xw = d->xw;
	tleaves_from_walker(&dev, &tmp);
	tleaves_expect_equal(&cpu, "CPU view", &dev, "device view (cleaned bytes only)", false);
	tleaves_free(&cpu);
	tleaves_free(&dev);
}

struct table_list {
	uint64_t pa[512];
	uint64_t bytes[512];
	size_t n;
};

static int collect_table(void *arg, uint64_t pa, uint64_t bytes, unsigned level)
{
	(void)level;
	struct table_list *t = arg;
	if (t->n < 512) {
		t->pa[t->n] = pa;
		t->bytes[t->n] = bytes;
		t->n++;
	}
	return 0;
}

/* Every word of every reachable table that changed since @before was cleaned. */
static void expect_changes_cleaned(struct tfix *f, const uint8_t *before, const char *when)
{
	struct table_list tl;
	tl.n = 0;
	T_CHECK(tfix_walk_tables(f, collect_table, &tl) == TW_OK, "walker: %s", tfix_err(f));
	for (size_t i = 0; i < tl.n; i++) {
		/* the whole root page(s) for the root, the table itself otherwise */
		uint64_t bytes = i == 0 ? (uint64_t)tfix_root_pages(f) * f->cfg.granule : tl.bytes[i];
		size_t off = (size_t)(tl.pa[i] - f->mem_pa);
		for (size_t w = 0; w < bytes; w += 8) {
			if (memcmp(before + off + w, f->mem + off + w, 8) == 0)
				continue;
			T_CHECK(tport_cleaned(&f->tp, f->mem + off + w, 8),
				"%s: descriptor at PA 0x%llx changed but was not cleaned", when,
				(unsigned long long)(tl.pa[i] + w));
		}
	}
}

struct nccase {
	uint32_t g;
	enum iomm_pgt_format fmt;
	unsigned ias;
};

static void run_noncoherent(const struct nccase *cases, size_t ncases)
{
	for (size_t i = 0; i < ncases; i++) {
		struct tfix *f = calloc(1, sizeof(*f));
		struct devview *d = calloc(1, sizeof(*d));
		assert_non_null(f);
		assert_non_null(d);
		uint32_t g = cases[i].g;
		uint64_t P = g;
		unsigned oas = g == 65536 ? 52 : 48;
		bool x86 = cases[i].fmt == VTD || cases[i].fmt == X86;
		struct iomm_pgt_cfg pc =
		    mkcfg(cases[i].fmt, g, cases[i].ias, oas, cases[i].fmt == VTD ? IOMM_PGT_SNOOP : 0);
		t_context("%uK %s ias %u non-coherent", g >> 10, t_fmt_name(cases[i].fmt), cases[i].ias);
		/* the pool memory is garbage; so is the device's view of it */
		size_t pool_bytes = 128 * P;
		d->f = f;
		d->img = malloc((pool_bytes + 65535) / 65536 * 65536);
		assert_non_null(d->img);
		memset(d->img, 0xa5, (pool_bytes + 65535) / 65536 * 65536);
		/* tfix_init creates the table; cleans during init are recorded too */
		memset(f, 0, sizeof(*f));
		{
			/* install the clean hook before the table exists: set up by hand */
			struct tfix *ff = f;
			tport_init(&ff->tp, 0, 0, 0);
			ff->tp.clean_cb = dev_clean;
			ff->tp.clean_arg = d;
			ff->tp.record_cleans = true;
			ff->cfg = pc;
			ff->stage = cases[i].fmt == S2 ? 2 : cases[i].fmt == S1 ? 1 : (unsigned)cases[i].fmt;
			ff->x86 = x86;
			ff->pa_range = oas;
			size_t size = (pool_bytes + 65535) / 65536 * 65536;
			ff->mem = aligned_alloc(65536, size);
			assert_non_null(ff->mem);
			memset(ff->mem, 0xa5, size);
			ff->mem_size = size;
			ff->mem_pa = ((1ull << oas) - (64ull << 20)) - P; /* high PA: tests FEAT_LPA for 64K */
			tport_add_region(&ff->tp, ff->mem, ff->mem_pa, size);
			T_RC(iomm_pool_init(&ff->pool, &ff->tp.port, ff->mem, size, ff->mem_pa, g), IOMM_OK);
			T_RC(iomm_pgt_init(&ff->pgt, &pc, &ff->pool, &ff->tp.port), IOMM_OK);
			ff->initialised = true;
			if (!x86)
				T_RC(iomm_pgt_lpae_regs(&ff->pgt, &ff->regs), IOMM_OK);
			tfix_walker(ff);
		}
		T_CHECK(f->tp.clean_calls >= 1, "the new root was not cleaned");
		dev_walker(d);
		dev_expect_same(d, "after init");
		d->check_each = true;

		uint8_t *before = malloc(f->mem_size);
		assert_non_null(before);
		uint64_t B2 = tfix_level_size(f, tfix_last_level(f) - 1);
		struct {
			uint64_t iova, pa, size;
		} maps[] = {
			{5 * P, 0x100000ull, P},
			{B2 - 3 * P, 0x3000000ull - 3 * P, 2 * B2 + 6 * P},   /* pages, blocks, pages */
			{8 * B2, 16 * B2, 16 * P * 8},                        /* contiguous groups */
			{(1ull << cases[i].ias) - P, 0x200000ull, P},         /* last page */
			{(1ull << (cases[i].ias - 1)) + 3 * B2, 4 * B2, B2},  /* another subtree */
		};
		for (size_t k = 0; k < sizeof(maps) / sizeof(maps[0]); k++) {
			char when[96];
			snprintf(when, sizeof(when), "map %zu [0x%llx, +0x%llx)", k,
				 (unsigned long long)maps[k].iova, (unsigned long long)maps[k].size);
			memcpy(before, f->mem, f->mem_size);
			tport_clear_cleans(&f->tp);
			T_RC(iomm_pgt_map(&f->pgt, maps[k].iova, maps[k].pa, maps[k].size, RW), IOMM_OK);
			expect_changes_cleaned(f, before, when);
			dev_expect_same(d, when);
		}
		/* split a block, break a group, unmap across tables */
		struct {
			uint64_t iova, size;
		} unmaps[] = {
			{B2 + 5 * P, P},
			{8 * B2 + 3 * P, 2 * P},
			{0, B2},
			{(1ull << (cases[i].ias - 1)), 1ull << (cases[i].ias - 1)},
		};
		for (size_t k = 0; k < sizeof(unmaps) / sizeof(unmaps[0]); k++) {
			char when[96];
			snprintf(when, sizeof(when), "unmap %zu [0x%llx, +0x%llx)", k,
				 (unsigned long long)unmaps[k].iova, (unsigned long long)unmaps[k].size);
			memcpy(before, f->mem, f->mem_size);
			tport_clear_cleans(&f->tp);
			struct iomm_gather gat;
			uint64_t unmapped;
			iomm_gather_init(&gat);
			T_RC(iomm_pgt_unmap(&f->pgt, unmaps[k].iova, unmaps[k].size, &gat, &unmapped), IOMM_OK);
			expect_changes_cleaned(f, before, when);
			dev_expect_same(d, when);
			iomm_pgt_gather_release(&gat);
		}

		/* batching: 256 pages into an existing last-level table */
		uint64_t base = 64 * B2;
		T_RC(iomm_pgt_map(&f->pgt, base + B2 - P, 0x100000ull, P, RW), IOMM_OK);
		unsigned long c0 = f->tp.clean_calls;
		T_RC(iomm_pgt_map(&f->pgt, base + P, 0x40000000ull + P, 256 * P, RW), IOMM_OK);
		unsigned long calls = f->tp.clean_calls - c0;
		T_CHECK(calls >= 1 && calls <= 4, "mapping 256 pages into one table took %lu clean calls",
			calls);
		c0 = f->tp.clean_calls;
		unmap_ok(f, base + P, 256 * P, 256 * P);
		calls = f->tp.clean_calls - c0;
		T_CHECK(calls >= 1 && calls <= 4, "unmapping 256 pages from one table took %lu clean calls",
			calls);
		dev_expect_same(d, "batching");

		d->check_each = false;
		free(before);
		tfix_fini(f);
		free(d->img);
		free(d);
		free(f);
	}
	t_context("%s", "");
}

static void test_noncoherent(void **state)
{
	(void)state;
	static const struct nccase cases[] = {
		{4096, S1, 48}, {4096, S2, 40}, {16384, S2, 48}, {65536, S1, 52}};
	run_noncoherent(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_noncoherent_x86(void **state)
{
	(void)state;
	static const struct nccase cases[] = {
		{4096, VTD, 39}, {4096, VTD, 48}, {4096, VTD, 57}, {4096, X86, 47}, {4096, X86, 56}};
	run_noncoherent(cases, sizeof(cases) / sizeof(cases[0]));
}

/* ---- bad arguments ------------------------------------------------------------- */

static void test_bad_init(void **state)
{
	(void)state;
	struct tport tp;
	struct iomm_pool pool, pool16;
	struct iomm_pgt pgt = {0};
	tport_init(&tp, 0, 0, 0);
	uint8_t *mem = aligned_alloc(1u << 20, 1u << 20);
	uint8_t *mem16 = aligned_alloc(1u << 20, 1u << 20);
	assert_non_null(mem);
	assert_non_null(mem16);
	T_RC(iomm_pool_init(&pool, &tp.port, mem, 1u << 20, 0x40000000ull, 4096), IOMM_OK);
	T_RC(iomm_pool_init(&pool16, &tp.port, mem16, 1u << 20, 0x50000000ull, 16384), IOMM_OK);
	struct iomm_pgt_cfg ok = mkcfg(S1, 4096, 48, 48, COH);
	struct iomm_pgt_cfg c;

	T_RC(iomm_pgt_init(NULL, &ok, &pool, &tp.port), IOMM_EINVAL);
	T_RC(iomm_pgt_init(&pgt, NULL, &pool, &tp.port), IOMM_EINVAL);
	T_RC(iomm_pgt_init(&pgt, &ok, NULL, &tp.port), IOMM_EINVAL);
	T_RC(iomm_pgt_init(&pgt, &ok, &pool, NULL), IOMM_EINVAL);
	c = ok;
	c.format = (enum iomm_pgt_format)0;
	T_RC(iomm_pgt_init(&pgt, &c, &pool, &tp.port), IOMM_EINVAL);
	c.format = (enum iomm_pgt_format)5;
	T_RC(iomm_pgt_init(&pgt, &c, &pool, &tp.port), IOMM_EINVAL);
	/* pool page size differs from the granule */
	c = ok;
	c.granule = 16384;
	T_RC(iomm_pgt_init(&pgt, &c, &pool, &tp.port), IOMM_EINVAL);
	c = ok;
	T_RC(iomm_pgt_init(&pgt, &c, &pool16, &tp.port), IOMM_EINVAL);
	/* granule 8192: not a granule at all */
	c = ok;
	c.granule = 8192;
	{
		int rc = iomm_pgt_init(&pgt, &c, &pool, &tp.port);
		T_CHECK(rc == IOMM_ENOTSUP || rc == IOMM_EINVAL, "granule 8192: %d (%s)", rc,
			iomm_strerror(rc));
	}
	/* sizes the format does not have */
	static const struct {
		uint32_t g;
		unsigned ias, oas;
	} bad[] = {
		{4096, 53, 48}, {4096, 31, 48}, {4096, 0, 48},  {4096, 52, 48}, {16384, 52, 48},
		{65536, 53, 52}, {4096, 48, 33}, {4096, 48, 52}, {16384, 48, 52},
		{4096, 48, 0},  {4096, 48, 34}, {4096, 48, 56}, {4096, 48, 31},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = mkcfg(S1, bad[i].g, bad[i].ias, bad[i].oas, COH);
		struct iomm_pool *pp = bad[i].g == 16384 ? &pool16 : &pool;
		struct iomm_pool pool64;
		uint8_t *mem64 = NULL;
		if (bad[i].g == 65536) {
			mem64 = aligned_alloc(1u << 20, 1u << 20);
			assert_non_null(mem64);
			T_RC(iomm_pool_init(&pool64, &tp.port, mem64, 1u << 20, 0x60000000ull, 65536), IOMM_OK);
			pp = &pool64;
		}
		for (int st = 1; st <= 2; st++) {
			c.format = st == 1 ? S1 : S2;
			t_context("%uK s%d ias %u oas %u", bad[i].g >> 10, st, bad[i].ias, bad[i].oas);
			T_RC(iomm_pgt_init(&pgt, &c, pp, &tp.port), IOMM_ENOTSUP);
			T_CHECK(iomm_pool_used(pp) == 0, "failed init kept pages");
		}
		free(mem64);
	}
	t_context("%s", "");
	/* every documented size works */
	static const unsigned good_oas[] = {32, 36, 40, 42, 44, 48};
	for (size_t i = 0; i < sizeof(good_oas) / sizeof(good_oas[0]); i++) {
		c = mkcfg(S2, 4096, 32, good_oas[i], COH);
		T_RC(iomm_pgt_init(&pgt, &c, &pool, &tp.port), IOMM_OK);
		iomm_pgt_destroy(&pgt);
	}
	/* non-coherent without clean_tables */
	tp.port.clean_tables = NULL;
	c = mkcfg(S1, 4096, 48, 48, 0);
	T_RC(iomm_pgt_init(&pgt, &c, &pool, &tp.port), IOMM_EINVAL);
	T_CHECK(iomm_pool_used(&pool) == 0, "failed init kept pages");
	c.flags = COH;
	T_RC(iomm_pgt_init(&pgt, &c, &pool, &tp.port), IOMM_OK);
	iomm_pgt_destroy(&pgt);
	tport_fini(&tp);

	/* a port pool, and a table port without phys_to_virt */
	struct tport tp2, tp3;
	tport_init(&tp2, 1u << 22, 0x40000000ull, 0);
	tport_init(&tp3, 0, 0, 0);
	tp3.port.phys_to_virt = NULL;
	struct iomm_pool ppool;
	T_RC(iomm_pool_init_port(&ppool, &tp2.port, 4096, 16), IOMM_OK);
	T_RC(iomm_pgt_init(&pgt, &ok, &ppool, &tp3.port), IOMM_EINVAL);
	T_CHECK(iomm_pool_used(&ppool) == 0 && tp2.outstanding == 0, "failed init kept pages");
	T_RC(iomm_pgt_init(&pgt, &ok, &ppool, &tp2.port), IOMM_OK);
	iomm_pgt_destroy(&pgt);
	T_CHECK(tp2.outstanding == 0, "destroy kept pages");
	tport_fini(&tp2);
	tport_fini(&tp3);
	free(mem);
	free(mem16);
}

/* 64K granule, ias 49..51: valid for the architecture (FEAT_LVA) though the
 * header only names 52; whichever the library does, refuse or build a correct
 * table. */
static void test_64k_lva_sizes(void **state)
{
	(void)state;
	for (unsigned ias = 49; ias <= 51; ias++) {
		for (int st = 1; st <= 2; st++) {
			struct tfix f;
			const uint64_t P = SZ_64K, top = 1ull << ias;
			struct iomm_pgt_cfg pc = mkcfg(st == 1 ? S1 : S2, 65536, ias, 52, COH);
			t_context("64K s%d ias %u", st, ias);
			int rc = tfix_init(&f, &pc, 64 * P, POOL_PA(P), false);
			if (rc != IOMM_OK) {
				T_RC(rc, IOMM_ENOTSUP);
				tfix_fini(&f);
				continue;
			}
			T_CHECK(f.regs.tsz == 64 - ias, "tsz %u", f.regs.tsz);
			T_RC(iomm_pgt_map(&f.pgt, top - P, (1ull << 52) - P, P, RW), IOMM_OK);
			T_RC(iomm_pgt_map(&f.pgt, top / 2, SZ_512M, SZ_512M, RW), IOMM_OK);
			T_RC(iomm_pgt_map(&f.pgt, top, 0, P, RW), IOMM_ERANGE);
			expect_pa(&f, top - 1, (1ull << 52) - 1);
			expect_pa(&f, top / 2 + 0x1234, SZ_512M + 0x1234);
			tfix_validate(&f);
			unmap_ok(&f, 0, top, SZ_512M + P);
			T_CHECK(iomm_pool_used(&f.pool) == tfix_root_pages(&f), "tables left");
			tfix_fini(&f);
		}
	}
	t_context("%s", "");
}

static void test_bad_calls(void **state)
{
	(void)state;
	struct tfix f;
	struct iomm_pgt_cfg pc = mkcfg(S1, 4096, 48, 48, COH);
	T_RC(tfix_init(&f, &pc, 64 * 4096, POOL_PA(4096), false), IOMM_OK);
	struct iomm_pgt *pgt = &f.pgt;
	T_RC(iomm_pgt_map(pgt, 0x100000, 0x200000, 0x3000, RW), IOMM_OK);
	struct tleaves before = {0}, after = {0};
	tleaves_from_walker(&before, &f);
	size_t used = iomm_pool_used(&f.pool);
	const uint64_t P = 4096;

	/* prot */
	T_RC(iomm_pgt_map(pgt, 0x400000, 0, P, 0), IOMM_EINVAL);
	T_RC(iomm_pgt_map(pgt, 0x400000, 0, P, IOMM_EXEC), IOMM_EINVAL);
	T_RC(iomm_pgt_map(pgt, 0x400000, 0, P, IOMM_PRIV), IOMM_EINVAL);
	T_RC(iomm_pgt_map(pgt, 0x400000, 0, P, IOMM_EXEC | IOMM_PRIV | IOMM_MEM_NC), IOMM_EINVAL);
	T_RC(iomm_pgt_map(pgt, 0x400000, 0, P, IOMM_READ | 0x100u), IOMM_EINVAL);
	T_RC(iomm_pgt_map(pgt, 0x400000, 0, P, IOMM_READ | 0x80000000u), IOMM_EINVAL);
	T_RC(iomm_pgt_map(pgt, 0x400000, 0, P, IOMM_READ | IOMM_MEM_MASK), IOMM_EINVAL);
	/* sizes, alignment, wrapping */
	T_RC(iomm_pgt_map(pgt, 0x400000, 0, 0, RW), IOMM_EINVAL);
	T_RC(iomm_pgt_map(pgt, 0x400800, 0, P, RW), IOMM_EINVAL);
	T_RC(iomm_pgt_map(pgt, 0x400000, 0x800, P, RW), IOMM_EINVAL);
	T_RC(iomm_pgt_map(pgt, 0x400000, 0, P + 1, RW), IOMM_EINVAL);
	T_RC(iomm_pgt_map(pgt, 0ull - P, 0, 2 * P, RW), IOMM_EINVAL);
	T_RC(iomm_pgt_map(pgt, 0x400000, 0ull - P, 2 * P, RW), IOMM_EINVAL);
	T_RC(iomm_pgt_map(pgt, 0x400000, 0, 0ull - P, RW), IOMM_EINVAL);
	/* ranges */
	T_RC(iomm_pgt_map(pgt, 1ull << 48, 0, P, RW), IOMM_ERANGE);
	T_RC(iomm_pgt_map(pgt, (1ull << 48) - P, 0, 2 * P, RW), IOMM_ERANGE);
	T_RC(iomm_pgt_map(pgt, 0x400000, 1ull << 48, P, RW), IOMM_ERANGE);
	T_RC(iomm_pgt_map(pgt, 0x400000, (1ull << 48) - P, 2 * P, RW), IOMM_ERANGE);
	/* overlap, partial */
	T_RC(iomm_pgt_map(pgt, 0x100000 - P, 0, 2 * P, RW), IOMM_EEXIST);
	T_RC(iomm_pgt_map(pgt, 0x102000, 0, 4 * P, RW), IOMM_EEXIST);
	/* unmap */
	struct iomm_gather g;
	uint64_t unmapped;
	iomm_gather_init(&g);
	T_RC(iomm_pgt_unmap(pgt, 0x100000, P, NULL, &unmapped), IOMM_EINVAL);
	T_RC(iomm_pgt_unmap(pgt, 0x100000, 0, &g, &unmapped), IOMM_EINVAL);
	T_RC(iomm_pgt_unmap(pgt, 0x100800, P, &g, &unmapped), IOMM_EINVAL);
	T_RC(iomm_pgt_unmap(pgt, 0x100000, P + 8, &g, &unmapped), IOMM_EINVAL);
	T_RC(iomm_pgt_unmap(pgt, 0ull - P, 2 * P, &g, &unmapped), IOMM_EINVAL);
	T_RC(iomm_pgt_unmap(pgt, 1ull << 48, P, &g, &unmapped), IOMM_ERANGE);
	T_CHECK(!iomm_gather_pending(&g), "failed unmaps touched the gather");
	/* walk */
	T_RC(iomm_pgt_walk(pgt, 0, 0, NULL, NULL), IOMM_EINVAL);
	{
		struct tleaves w = {0};
		T_RC(tleaves_from_lib(&w, pgt, 1, 0ull - P, 2 * P), IOMM_EINVAL);
		tleaves_free(&w);
	}
	/* lookups */
	struct iomm_mapping m;
	uint64_t pa;
	T_RC(iomm_pgt_lookup(pgt, 0x100000, NULL), IOMM_EINVAL);
	T_RC(iomm_pgt_iova_to_phys(pgt, 1ull << 48, &pa), IOMM_ENOENT);
	T_RC(iomm_pgt_lookup(pgt, 1ull << 48, &m), IOMM_ENOENT);
	T_RC(iomm_pgt_iova_to_phys(pgt, 0x100000 + 0x2abc, &pa), IOMM_OK);
	T_CHECK(pa == 0x202abc, "pa 0x%llx", (unsigned long long)pa);
	T_RC(iomm_pgt_lookup(pgt, 0x101234, &m), IOMM_OK);
	T_CHECK(m.iova == 0x101000 && m.pa == 0x201000 && m.size == P && m.level == 3,
		"lookup: iova 0x%llx pa 0x%llx size 0x%llx level %u", (unsigned long long)m.iova,
		(unsigned long long)m.pa, (unsigned long long)m.size, m.level);
	/* registers and accessors */
	T_RC(iomm_pgt_lpae_regs(pgt, NULL), IOMM_EINVAL);
	{
		struct iomm_lpae_regs r;
		T_RC(iomm_pgt_lpae_regs(NULL, &r), IOMM_EINVAL);
	}
	T_CHECK(iomm_pgt_page_sizes(NULL) == 0, "page_sizes(NULL)");
	T_CHECK(iomm_pgt_root_pa(NULL) == 0, "root_pa(NULL)");
	iomm_pgt_destroy(NULL);

	tleaves_from_walker(&after, &f);
	tleaves_expect_equal(&before, "before", &after, "after the failing calls", false);
	T_CHECK(iomm_pool_used(&f.pool) == used, "failing calls changed pool use");
	T_CHECK(f.tp.depth == 0 && f.tp.lock_errors == 0, "lock imbalance");
	T_CHECK(f.tp.max_depth <= 2, "locks nested %d deep", f.tp.max_depth);
	tleaves_free(&before);
	tleaves_free(&after);
	tfix_fini(&f);
}

static void test_bad_init_x86(void **state)
{
	(void)state;
	struct tport tp;
	struct iomm_pool pool, pool16;
	struct iomm_pgt pgt = {0};
	tport_init(&tp, 0, 0, 0);
	uint8_t *mem = aligned_alloc(1u << 20, 1u << 20);
	uint8_t *mem16 = aligned_alloc(1u << 20, 1u << 20);
	assert_non_null(mem);
	assert_non_null(mem16);
	T_RC(iomm_pool_init(&pool, &tp.port, mem, 1u << 20, 0x40000000ull, 4096), IOMM_OK);
	T_RC(iomm_pool_init(&pool16, &tp.port, mem16, 1u << 20, 0x50000000ull, 16384), IOMM_OK);
	struct iomm_pgt_cfg c;
	/* sizes the formats do not have */
	static const struct {
		enum iomm_pgt_format fmt;
		unsigned ias, oas;
	} bad[] = {
		{VTD, 31, 48}, {VTD, 58, 48}, {VTD, 48, 31}, {VTD, 48, 53}, {VTD, 0, 48},
		{X86, 31, 48}, {X86, 57, 48}, {X86, 58, 48}, {X86, 48, 31}, {X86, 48, 53},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = mkcfg(bad[i].fmt, 4096, bad[i].ias, bad[i].oas, COH);
		t_context("%s ias %u oas %u", t_fmt_name(bad[i].fmt), bad[i].ias, bad[i].oas);
		T_RC(iomm_pgt_init(&pgt, &c, &pool, &tp.port), IOMM_ENOTSUP);
		T_CHECK(iomm_pool_used(&pool) == 0, "failed init kept pages");
	}
	t_context("%s", "");
	/* 4 KiB only */
	c = mkcfg(VTD, 16384, 48, 48, COH);
	T_RC(iomm_pgt_init(&pgt, &c, &pool16, &tp.port), IOMM_ENOTSUP);
	c = mkcfg(X86, 65536, 48, 48, COH);
	T_RC(iomm_pgt_init(&pgt, &c, &pool16, &tp.port), IOMM_ENOTSUP);
	/* a pool of another page size */
	c = mkcfg(VTD, 4096, 48, 48, COH);
	T_RC(iomm_pgt_init(&pgt, &c, &pool16, &tp.port), IOMM_EINVAL);
	/* snoop is a VT-d second-stage flag */
	c = mkcfg(X86, 4096, 48, 48, COH | IOMM_PGT_SNOOP);
	T_RC(iomm_pgt_init(&pgt, &c, &pool, &tp.port), IOMM_EINVAL);
	c = mkcfg(S2, 4096, 48, 48, COH | IOMM_PGT_SNOOP);
	T_RC(iomm_pgt_init(&pgt, &c, &pool, &tp.port), IOMM_EINVAL);
	c = mkcfg(VTD, 4096, 48, 48, COH | (1u << 5));
	T_RC(iomm_pgt_init(&pgt, &c, &pool, &tp.port), IOMM_EINVAL);
	T_CHECK(iomm_pool_used(&pool) == 0, "failed init kept pages");

	/* levels: second stage by AGAW, first stage 4 up to 47 bits (canonical), 5 above */
	static const struct {
		enum iomm_pgt_format fmt;
		unsigned ias, levels;
	} lv[] = {
		{VTD, 32, 3}, {VTD, 39, 3}, {VTD, 40, 4}, {VTD, 48, 4}, {VTD, 49, 5}, {VTD, 57, 5},
		{X86, 32, 4}, {X86, 47, 4}, {X86, 48, 5}, {X86, 56, 5},
	};
	for (size_t i = 0; i < sizeof(lv) / sizeof(lv[0]); i++) {
		c = mkcfg(lv[i].fmt, 4096, lv[i].ias, 48, COH);
		t_context("%s ias %u levels", t_fmt_name(lv[i].fmt), lv[i].ias);
		T_RC(iomm_pgt_init(&pgt, &c, &pool, &tp.port), IOMM_OK);
		T_CHECK(iomm_pgt_levels(&pgt) == lv[i].levels, "%u levels, expected %u",
			iomm_pgt_levels(&pgt), lv[i].levels);
		struct iomm_lpae_regs r;
		T_RC(iomm_pgt_lpae_regs(&pgt, &r), IOMM_EINVAL);
		T_CHECK(iomm_pgt_page_sizes(&pgt) == (SZ_4K | SZ_2M | SZ_1G), "page sizes 0x%llx",
			(unsigned long long)iomm_pgt_page_sizes(&pgt));
		iomm_pgt_destroy(&pgt);
		T_CHECK(iomm_pgt_levels(&pgt) == 0, "levels of a destroyed table");
	}
	t_context("%s", "");
	T_CHECK(iomm_pgt_levels(NULL) == 0, "levels(NULL)");
	tport_fini(&tp);
	free(mem);
	free(mem16);
}

static void test_bad_calls_x86(void **state)
{
	(void)state;
	for (int k = 0; k < 2; k++) {
		struct tfix f;
		enum iomm_pgt_format fmt = k ? X86 : VTD;
		struct iomm_pgt_cfg pc = mkcfg(fmt, 4096, 48, 48, COH);
		t_context("%s: bad calls", t_fmt_name(fmt));
		T_RC(tfix_init(&f, &pc, 64 * 4096, POOL_PA(4096), false), IOMM_OK);
		struct iomm_pgt *pgt = &f.pgt;
		const uint64_t P = 4096;
		T_RC(iomm_pgt_map(pgt, 0x100000, 0x200000, 0x3000, RW), IOMM_OK);
		struct tleaves before = {0}, after = {0};
		tleaves_from_walker(&before, &f);
		size_t used = iomm_pool_used(&f.pool);
		/* prot: nothing to grant, unknown bits, and what the format cannot express */
		T_RC(iomm_pgt_map(pgt, 0x400000, 0, P, 0), IOMM_EINVAL);
		T_RC(iomm_pgt_map(pgt, 0x400000, 0, P, IOMM_EXEC), IOMM_EINVAL);
		T_RC(iomm_pgt_map(pgt, 0x400000, 0, P, IOMM_PRIV), IOMM_EINVAL);
		T_RC(iomm_pgt_map(pgt, 0x400000, 0, P, IOMM_READ | 0x100u), IOMM_EINVAL);
		T_RC(iomm_pgt_map(pgt, 0x400000, 0, P, IOMM_READ | IOMM_MEM_MASK), IOMM_EINVAL);
		if (fmt == VTD) {
			T_RC(iomm_pgt_map(pgt, 0x400000, 0, P, RW | IOMM_PRIV), IOMM_EINVAL);
		} else {
			T_RC(iomm_pgt_map(pgt, 0x400000, 0, P, IOMM_WRITE), IOMM_EINVAL);
			T_RC(iomm_pgt_map(pgt, 0x400000, 0, P, IOMM_WRITE | IOMM_EXEC), IOMM_EINVAL);
		}
		/* ranges */
		T_RC(iomm_pgt_map(pgt, 1ull << 48, 0, P, RW), IOMM_ERANGE);
		T_RC(iomm_pgt_map(pgt, 0x400000, 1ull << 48, P, RW), IOMM_ERANGE);
		T_RC(iomm_pgt_map(pgt, 0x400800, 0, P, RW), IOMM_EINVAL);
		T_RC(iomm_pgt_map(pgt, 0x102000, 0, 4 * P, RW), IOMM_EEXIST);
		tleaves_from_walker(&after, &f);
		tleaves_expect_equal(&before, "before", &after, "after the failing calls", false);
		T_CHECK(iomm_pool_used(&f.pool) == used, "failing calls changed pool use");
		/* what each format keeps of a prot */
		struct iomm_mapping m;
		uint32_t in = IOMM_READ | IOMM_WRITE | IOMM_EXEC | IOMM_MEM_DEVICE | IOMM_SH_OUTER;
		T_RC(iomm_pgt_map(pgt, 0x400000, 0x800000, P, in), IOMM_OK);
		T_RC(iomm_pgt_lookup(pgt, 0x400000, &m), IOMM_OK);
		uint32_t want = fmt == VTD ? RW : RW | IOMM_MEM_NC;
		T_CHECK(m.prot == want && m.level == 4, "prot %s level %u, expected %s",
			t_prot_str(m.prot), m.level, t_prot_str(want));
		if (fmt == VTD) {
			T_RC(iomm_pgt_map(pgt, 0x401000, 0x801000, P, IOMM_WRITE), IOMM_OK);
			T_RC(iomm_pgt_lookup(pgt, 0x401000, &m), IOMM_OK);
			T_CHECK(m.prot == IOMM_WRITE, "write-only: %s", t_prot_str(m.prot));
		} else {
			T_RC(iomm_pgt_map(pgt, 0x401000, 0x801000, P, IOMM_READ | IOMM_PRIV), IOMM_OK);
			T_RC(iomm_pgt_lookup(pgt, 0x401000, &m), IOMM_OK);
			T_CHECK(m.prot == (IOMM_READ | IOMM_PRIV), "supervisor: %s", t_prot_str(m.prot));
		}
		tfix_validate(&f);
		tleaves_free(&before);
		tleaves_free(&after);
		tfix_fini(&f);
	}
	t_context("%s", "");
}

static void test_destroy_with_mappings(void **state)
{
	(void)state;
	struct tfix f;
	struct iomm_pgt_cfg pc = mkcfg(S2, 16384, 48, 48, COH);
	T_RC(tfix_init(&f, &pc, 128 * 16384, POOL_PA(16384), false), IOMM_OK);
	for (unsigned k = 0; k < 8; k++)
		T_RC(iomm_pgt_map(&f.pgt, ((uint64_t)k << 38) + 0x4000 * k, 0x4000 * k, 0x4000 * (k + 1), RW),
		     IOMM_OK);
	T_CHECK(iomm_pool_used(&f.pool) > 2, "tables expected");
	/* table lock: the table is the lock object, the pool nested inside */
	T_CHECK(f.tp.lock_calls > 0, "no locking with lock hooks present");
	T_CHECK(f.tp.max_depth <= 2, "locks nested %d deep", f.tp.max_depth);
	iomm_pgt_destroy(&f.pgt);
	f.initialised = false;
	T_CHECK(iomm_pool_used(&f.pool) == 0, "destroy left %zu pages", iomm_pool_used(&f.pool));
	tfix_fini(&f);
}

int main(int argc, char **argv)
{
	/* an optional argument selects tests by name (cmocka pattern) */
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	(void)t_seed();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_last_page),
		cmocka_unit_test(test_concat_root_aligned),
		cmocka_unit_test(test_concat_s2),
		cmocka_unit_test(test_block_split),
		cmocka_unit_test(test_unmap_all_frees_tables),
		cmocka_unit_test(test_gather_batching),
		cmocka_unit_test(test_contig),
		cmocka_unit_test(test_leaf_sizes),
		cmocka_unit_test(test_noncoherent),
		cmocka_unit_test(test_bad_init),
		cmocka_unit_test(test_64k_lva_sizes),
		cmocka_unit_test(test_bad_calls),
		cmocka_unit_test(test_destroy_with_mappings),
		cmocka_unit_test(test_last_page_x86),
		cmocka_unit_test(test_leaf_sizes_x86),
		cmocka_unit_test(test_noncoherent_x86),
		cmocka_unit_test(test_bad_init_x86),
		cmocka_unit_test(test_bad_calls_x86),
	};
	return cmocka_run_group_tests_name("lpae_edges", tests, NULL, NULL);
}
