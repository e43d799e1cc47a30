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
#include "test_lpae_edges_internal.h"

struct iomm_pgt_cfg mkcfg(enum iomm_pgt_format fmt, uint32_t granule, unsigned ias, unsigned oas,
			  uint32_t flags)
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

void unmap_ok(struct tfix *f, uint64_t iova, uint64_t size, uint64_t want_unmapped)
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

void expect_pa(struct tfix *f, uint64_t iova, uint64_t want)
{
	uint64_t pa = 0;
	T_RC(iomm_pgt_iova_to_phys(&f->pgt, iova, &pa), IOMM_OK);
	T_CHECK(pa == want, "iova_to_phys(0x%llx) = 0x%llx, expected 0x%llx",
		(unsigned long long)iova, (unsigned long long)pa, (unsigned long long)want);
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
	} geo[] = {
	    {4096, 48, 48}, {4096, 39, 40}, {16384, 47, 48}, {65536, 52, 52}, {65536, 42, 44}};
	for (size_t i = 0; i < sizeof(geo) / sizeof(geo[0]); i++) {
		for (int st = 1; st <= 2; st++) {
			struct tfix f;
			struct iomm_pgt_cfg pc =
			    mkcfg(st == 1 ? S1 : S2, geo[i].g, geo[i].ias, geo[i].oas, COH);
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
		T_CHECK(m.level == 4 && m.size == P,
			"lookup of the last page: level %u size 0x%llx", m.level,
			(unsigned long long)m.size);
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
		uint8_t *mem =
		    aligned_alloc(1u << 20, (64 * P + (1u << 20) - 1) & ~(size_t)((1u << 20) - 1));
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
					 "%zuK s2 ias %u: concatenated root of %u tables at 0x%llx "
					 "is not "
					 "aligned to its size 0x%llx",
					 P >> 10, geo[i].ias, regs.concat,
					 (unsigned long long)regs.ttbr,
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
	    {4096, 40, 40, 1, 2}, /* level 0 needs a 44-bit PA range: level 1, two tables */
	    {4096, 42, 42, 1, 8},   {4096, 43, 44, 1, 16},
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
			(unsigned long long)idx, (unsigned long long)entry_pa,
			(unsigned long long)d);
		tfix_validate(&f);
		unmap_ok(&f, 0, top, 2 * P);
		T_CHECK(iomm_pool_used(&f.pool) == geo[i].concat,
			"tables left after unmapping all");
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
			t_context("%uK s%d: split a 0x%llx block", g >> 10, st,
				  (unsigned long long)blk);
			T_RC(tfix_init(&f, &pc, 64 * P, POOL_PA(P), false), IOMM_OK);
			uint64_t iova = 3 * blk, pa = 7 * blk;
			T_RC(iomm_pgt_map(&f.pgt, iova, pa, blk, prot), IOMM_OK);
			struct aw_leaf l;
			T_CHECK(aw_translate(&f.w, iova, &l) == AW_OK && l.size == blk,
				"block not used");
			size_t used = iomm_pool_used(&f.pool);
			uint64_t hole = iova + blk / 2 + 3 * P;
			struct iomm_gather g2;
			uint64_t unmapped = 0;
			iomm_gather_init(&g2);
			T_RC(iomm_pgt_unmap(&f.pgt, hole, P, &g2, &unmapped), IOMM_OK);
			T_CHECK(unmapped == P, "unmapped 0x%llx", (unsigned long long)unmapped);
			T_CHECK(t_gather_covers(&g2, hole, P),
				"gather [0x%llx, 0x%llx) misses the page",
				(unsigned long long)g2.start, (unsigned long long)g2.end);
			T_CHECK(g2.leaf_sizes & blk,
				"gather leaf_sizes 0x%llx lacks the block size",
				(unsigned long long)g2.leaf_sizes);
			T_CHECK(g2.levels & (1u << cases[i].level),
				"gather levels 0x%x lack level %u", g2.levels, cases[i].level);
			iomm_pgt_gather_release(&g2);
			T_CHECK(iomm_pool_used(&f.pool) == used + (3 - cases[i].level),
				"split used %zu table pages", iomm_pool_used(&f.pool) - used);
			expect_none(&f, hole);
			/* everything else still maps, with the same attributes, in the largest
			 * leaves */
			struct tleaves got = {0}, want = {0};
			tleaves_from_walker(&got, &f);
			size_t nblk = 0, npages = 0;
			for (size_t k = 0; k < got.n; k++) {
				T_CHECK(got.v[k].prot == t_canon_prot(prot, f.stage),
					"attributes changed: %s", t_prot_str(got.v[k].prot));
				if (got.v[k].size == P)
					npages++;
				else
					nblk++;
			}
			uint64_t entries = 1ull << (aw_granule_shift(g) - 3);
			if (cases[i].level == 2) {
				T_CHECK(npages == entries - 1 && nblk == 0,
					"%zu pages and %zu others", npages, nblk);
			} else {
				/* 1G: 511 2M blocks and 511 pages */
				T_CHECK(npages == entries - 1 && nblk == entries - 1,
					"%zu pages and %zu blocks, expected %llu of each", npages,
					nblk, (unsigned long long)(entries - 1));
			}
			tleaves_merge(&got);
			uint32_t cp = t_canon_prot(prot, f.stage);
			struct tleaf a = {iova, pa, hole - iova, cp, 0, false};
			struct tleaf b = {
			    hole + P, pa + (hole + P - iova), iova + blk - hole - P, cp, 0, false};
			tleaves_push(&want, &a);
			tleaves_push(&want, &b);
			tleaves_expect_equal(&want, "expected", &got, "walker", true);
			/* a whole block unmapped at once needs no table */
			used = iomm_pool_used(&f.pool);
			T_RC(iomm_pgt_map(&f.pgt, 5 * blk, pa, blk, prot), IOMM_OK);
			unmap_ok(&f, 5 * blk, blk, blk);
			T_CHECK(iomm_pool_used(&f.pool) == used,
				"unmapping a whole block changed pool use");
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
				uint64_t iova =
				    ((uint64_t)k << 40) + ((uint64_t)k << 31) + k * 7 * P;
				T_RC(iomm_pgt_map(&f.pgt, iova, 0x40000000ull + k * P, P, RW),
				     IOMM_OK);
			}
			size_t used = iomm_pool_used(&f.pool);
			T_CHECK(used > root + 12, "only %zu pages for 12 scattered mappings", used);
			/* unmapping the pages alone does not free their tables' spans... */
			struct iomm_gather gat;
			uint64_t unmapped = 0;
			iomm_gather_init(&gat);
			T_RC(iomm_pgt_unmap(&f.pgt, 0, 1ull << 48, &gat, &unmapped), IOMM_OK);
			T_CHECK(unmapped == 12 * P, "unmapped 0x%llx",
				(unsigned long long)unmapped);
			T_CHECK(gat.tables && gat.nfreed > 0,
				"no table pages queued (tables %d nfreed %u)", gat.tables,
				gat.nfreed);
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
			T_CHECK(iomm_pool_used(&f.pool) == root,
				"%zu pages after release, root %zu", iomm_pool_used(&f.pool), root);
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

/*
 * New tables come from pages that held anything before: a table that one
 * run of leaves fills whole is written without being zeroed first, every
 * other new table is zeroed. Every free page of the pool is filled with
 * 0xa5 bytes (valid-looking entries in every format), then maps that need
 * whole and partly filled new tables at every level: the independent walker
 * must find exactly the leaves mapped, nothing of the poison.
 */
static void test_new_tables_over_stale_pages(void **state)
{
	(void)state;
	static const struct {
		enum iomm_pgt_format fmt;
		unsigned ias;
		const char *name;
	} fmts[] = {{S1, 48, "s1"}, {S2, 48, "s2"}, {VTD, 48, "vtd"}, {X86, 48, "x86"}};
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		for (int nc = 0; nc < 2; nc++) {
			struct tfix f;
			uint64_t P = 4096;
			struct iomm_pgt_cfg pc = mkcfg(fmts[i].fmt, 4096, fmts[i].ias, 48,
						       nc ? NONCOH : COH);
			t_context("%s %s: new tables over stale pages", fmts[i].name,
				  nc ? "non-coherent" : "coherent");
			T_RC(tfix_init(&f, &pc, 1200 * P, POOL_PA(P), false), IOMM_OK);
			/* poison every free page, then give them back */
			static void *pages[1200];
			size_t n = 0;
			uint64_t pa;
			while (n < 1200 && (pages[n] = iomm_pool_alloc(&f.pool, 1, &pa)) != NULL)
				memset(pages[n++], 0xa5, P);
			T_CHECK(n > 1100, "only %zu free pages", n);
			while (n)
				T_RC(iomm_pool_release(&f.pool, pages[--n], 1), IOMM_OK);
			/* 1 GiB of 4 KiB pages, output one page off 2 MiB: 512 whole
			 * leaf tables and a partly filled level-1/2 table */
			const uint64_t G = 1ull << 30, M2 = 2ull << 20;
			T_RC(iomm_pgt_map(&f.pgt, 4 * G, 0x80000000ull + P, G, RW), IOMM_OK);
			/* a 2 MiB + 3 pages run: a whole leaf table, then a partial one */
			T_RC(iomm_pgt_map(&f.pgt, 8 * G, 0x100000000ull + P, M2 + 3 * P, RW),
			     IOMM_OK);
			/* one page alone: every table on its path partly filled */
			T_RC(iomm_pgt_map(&f.pgt, 12 * G + 5 * P, 0x200000000ull, P, RW), IOMM_OK);
			tfix_validate(&f);
			struct tleaves got = {0};
			tleaves_from_walker(&got, &f);
			tleaves_merge(&got);
			T_CHECK(got.n == 3, "%zu extents, expected 3", got.n);
			if (got.n == 3) {
				T_CHECK(got.v[0].iova == 4 * G && got.v[0].size == G &&
					    got.v[0].pa == 0x80000000ull + P,
					"extent 0: 0x%llx+0x%llx -> 0x%llx",
					(unsigned long long)got.v[0].iova,
					(unsigned long long)got.v[0].size,
					(unsigned long long)got.v[0].pa);
				T_CHECK(got.v[1].iova == 8 * G && got.v[1].size == M2 + 3 * P &&
					    got.v[1].pa == 0x100000000ull + P,
					"extent 1: 0x%llx+0x%llx", (unsigned long long)got.v[1].iova,
					(unsigned long long)got.v[1].size);
				T_CHECK(got.v[2].iova == 12 * G + 5 * P && got.v[2].size == P &&
					    got.v[2].pa == 0x200000000ull,
					"extent 2: 0x%llx+0x%llx", (unsigned long long)got.v[2].iova,
					(unsigned long long)got.v[2].size);
			}
			tleaves_free(&got);
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
	T_CHECK(g.leaf_sizes & SZ_1G, "leaf_sizes 0x%llx lacks 1G",
		(unsigned long long)g.leaf_sizes);
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
			struct iomm_pgt_cfg pc =
			    mkcfg(S1, g, 48, 48, COH | (nocontig ? IOMM_PGT_NO_CONTIG : 0));
			t_context("%uK: contiguous group of %llu pages%s", g >> 10,
				  (unsigned long long)N, nocontig ? " with NO_CONTIG" : "");
			T_RC(tfix_init(&f, &pc, 64 * P, POOL_PA(P), false), IOMM_OK);
			uint64_t iova = 16 * grp, pa = 5 * grp;
			T_RC(iomm_pgt_map(&f.pgt, iova, pa, grp, RW), IOMM_OK);
			tfix_validate(&f);
			size_t n = count_contig(&f, iova, grp);
			if (nocontig) {
				T_CHECK(n == 0, "IOMM_PGT_NO_CONTIG but %zu entries carry the hint",
					n);
			} else {
				T_CHECK(n == N, "%zu of %llu entries carry the hint", n,
					(unsigned long long)N);
				struct iomm_mapping m;
				T_RC(iomm_pgt_lookup(&f.pgt, iova + P, &m), IOMM_OK);
				T_CHECK(m.contig && m.size == P, "lookup: contig %d size 0x%llx",
					m.contig, (unsigned long long)m.size);
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
			T_CHECK(n == 0,
				"%zu entries still carry the hint after the group was broken", n);
			for (uint64_t a = iova; a < iova + grp; a += P) {
				if (a == iova + 3 * P)
					expect_none(&f, a);
				else
					expect_pa(&f, a, pa + (a - iova));
			}
			/* a group whose output is not group-aligned gets no hint */
			T_RC(iomm_pgt_map(&f.pgt, 32 * grp, 5 * grp + P, grp, RW), IOMM_OK);
			T_CHECK(count_contig(&f, 32 * grp, grp) == 0,
				"hint on a misaligned output");
			/* a group mapped by two calls: valid either way */
			T_RC(iomm_pgt_map(&f.pgt, 40 * grp, 6 * grp, grp / 2, RW), IOMM_OK);
			T_RC(iomm_pgt_map(&f.pgt, 40 * grp + grp / 2, 6 * grp + grp / 2, grp / 2,
					  RW),
			     IOMM_OK);
			tfix_validate(&f);
			/* block groups: 16 x 2M (4K), 32 x 32M (16K), 32 x 512M (64K) */
			uint64_t B2 = aw_level_size(g, 2), bgrp = B2 * aw_contig_entries(g, 2);
			T_RC(iomm_pgt_map(&f.pgt, 4 * bgrp, 2 * bgrp, bgrp, RW | IOMM_MEM_DEVICE),
			     IOMM_OK);
			size_t nb = 0;
			for (uint64_t a = 4 * bgrp; a < 5 * bgrp; a += B2) {
				struct aw_leaf l;
				T_CHECK(aw_translate(&f.w, a, &l) == AW_OK && l.size == B2,
					"block missing");
				nb += l.contig;
			}
			T_CHECK(nb == (nocontig ? 0 : aw_contig_entries(g, 2)),
				"%zu blocks carry the hint", nb);
			/* cut one block out of the block group */
			unmap_ok(&f, 4 * bgrp + 2 * B2, B2, B2);
			tfix_validate(&f);
			tfix_fini(&f);
		}
	}
	t_context("%s", "");
}

/* ---- largest leaves over empty tables ------------------------------------------ */

/*
 * A map whose range allows a block where an empty table sits (left by a map
 * and unmap of a page) writes the block: the table is unlinked, inval_sync
 * invalidates its span and the walk caches, its page returns to the pool.
 * A failed invalidation maps nothing and holds the page back. Without
 * inval_sync the empty table is reused. Every format.
 */
static void test_block_over_empty_table(void **state)
{
	(void)state;
	static const struct {
		enum iomm_pgt_format fmt;
		uint32_t g;
	} cases[] = {{S1, 4096}, {S2, 16384}, {S1, 65536}, {VTD, 4096}, {X86, 4096}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t g = cases[i].g;
		uint64_t P = g;
		bool x86 = cases[i].fmt == VTD || cases[i].fmt == X86;
		struct tfix f;
		struct iomm_pgt_cfg pc = mkcfg(cases[i].fmt, g, x86 ? 39 : 48, x86 ? 39 : 48,
					       COH);
		t_context("%uK %s: block over an empty table", g >> 10,
			  t_fmt_name(cases[i].fmt));
		T_RC(tfix_init(&f, &pc, 64 * P, POOL_PA(P), false), IOMM_OK);
		unsigned last = tfix_last_level(&f);
		uint64_t B = tfix_level_size(&f, last - 1), B1 = tfix_level_size(&f, last - 2);
		uint64_t base = 4 * B1;
		/* a page, then unmapped: its table stays, empty */
		T_RC(iomm_pgt_map(&f.pgt, base + 3 * P, 0x100000ull, P, RW), IOMM_OK);
		unmap_ok(&f, base + 3 * P, P, P);
		size_t used = iomm_pool_used(&f.pool);

		/* the invalidation fails: nothing mapped, the table held back */
		f.bbm_fail = IOMM_ETIMEDOUT;
		T_RC(iomm_pgt_map(&f.pgt, base, 2 * B, B, RW), IOMM_ETIMEDOUT);
		f.bbm_fail = 0;
		T_CHECK(f.bbm_calls == 1, "%lu invalidations", f.bbm_calls);
		expect_none(&f, base);
		expect_none(&f, base + B - P);
		T_CHECK(iomm_pool_used(&f.pool) == used, "pool %zu -> %zu", used,
			iomm_pool_used(&f.pool));
		tfix_validate(&f);

		/* again over a fresh empty table: one block, the table freed */
		T_RC(iomm_pgt_map(&f.pgt, base + B + 5 * P, 0x100000ull, P, RW), IOMM_OK);
		unmap_ok(&f, base + B + 5 * P, P, P);
		used = iomm_pool_used(&f.pool);
		f.bbm_calls = 0;
		f.bbm_bytes = 0;
		T_RC(iomm_pgt_map(&f.pgt, base + B, 2 * B, B, RW), IOMM_OK);
		T_CHECK(f.bbm_calls == 1 && f.bbm_bytes == B, "%lu invalidations of 0x%llx bytes",
			f.bbm_calls, (unsigned long long)f.bbm_bytes);
		struct twleaf l;
		T_CHECK(tfix_translate(&f, base + B + P, &l) == TW_OK && l.size == B &&
				l.oa == 2 * B,
			"not one block: size 0x%llx oa 0x%llx", (unsigned long long)l.size,
			(unsigned long long)l.oa);
		T_CHECK(iomm_pool_used(&f.pool) == used - 1, "pool %zu -> %zu, the table not freed",
			used, iomm_pool_used(&f.pool));
		tfix_validate(&f);

		/* a larger block over a table holding empty tables: all freed at once */
		uint64_t b1 = 8 * B1;
		if (tfix_allowed_leaves(&f) & B1) {
			T_RC(iomm_pgt_map(&f.pgt, b1 + P, 0x100000ull, P, RW), IOMM_OK);
			T_RC(iomm_pgt_map(&f.pgt, b1 + 7 * B, 0x200000ull, P, RW), IOMM_OK);
			unmap_ok(&f, b1 + P, P, P);
			unmap_ok(&f, b1 + 7 * B, P, P);
			used = iomm_pool_used(&f.pool);
			f.bbm_calls = 0;
			T_RC(iomm_pgt_map(&f.pgt, b1, 4 * B1, B1, RW), IOMM_OK);
			T_CHECK(f.bbm_calls == 1, "%lu invalidations", f.bbm_calls);
			T_CHECK(tfix_translate(&f, b1 + 7 * B, &l) == TW_OK && l.size == B1,
				"not one block of 0x%llx", (unsigned long long)B1);
			T_CHECK(iomm_pool_used(&f.pool) == used - 3, "pool %zu -> %zu", used,
				iomm_pool_used(&f.pool));
			tfix_validate(&f);
		}

		/* a block split: Arm breaks the block before linking its table (one
		 * invalidation of the block, which the fixture checks is unmapped
		 * then); VT-d and x86-64 have no such rule. A failed invalidation
		 * restores the block and returns the new table to the pool. */
		uint64_t sb = 12 * B1 + 2 * B;
		T_RC(iomm_pgt_map(&f.pgt, sb, 6 * B, B, RW), IOMM_OK);
		used = iomm_pool_used(&f.pool);
		f.bbm_calls = 0;
		f.bbm_bytes = 0;
		if (!x86) {
			struct iomm_gather gat;
			iomm_gather_init(&gat);
			f.bbm_fail = IOMM_ETIMEDOUT;
			T_RC(iomm_pgt_unmap(&f.pgt, sb + P, P, &gat, NULL), IOMM_ETIMEDOUT);
			f.bbm_fail = 0;
			iomm_pgt_gather_release(&gat);
			T_CHECK(f.bbm_calls == 1 && f.bbm_bytes == B,
				"split: %lu invalidations of 0x%llx bytes", f.bbm_calls,
				(unsigned long long)f.bbm_bytes);
			T_CHECK(tfix_translate(&f, sb + P, &l) == TW_OK && l.size == B && l.oa == 6 * B,
				"the block was not restored");
			T_CHECK(iomm_pool_used(&f.pool) == used, "pool %zu -> %zu", used,
				iomm_pool_used(&f.pool));
			tfix_validate(&f);
			f.bbm_calls = 0;
			f.bbm_bytes = 0;
		}
		unmap_ok(&f, sb + P, P, P);
		T_CHECK(f.bbm_calls == (x86 ? 0u : 1u) && f.bbm_bytes == (x86 ? 0 : B),
			"split: %lu invalidations of 0x%llx bytes", f.bbm_calls,
			(unsigned long long)f.bbm_bytes);
		expect_none(&f, sb + P);
		T_CHECK(tfix_translate(&f, sb + 2 * P, &l) == TW_OK && l.size == P &&
				l.oa == 6 * B + 2 * P,
			"the rest of the block is not kept");
		tfix_validate(&f);
		tfix_fini(&f);

		/* without inval_sync: the empty table is reused */
		T_RC(tfix_init(&f, &pc, 64 * P, POOL_PA(P), false), IOMM_OK);
		iomm_pgt_destroy(&f.pgt);
		T_RC(iomm_pgt_init(&f.pgt, &pc, &f.pool, &f.tp.port), IOMM_OK);
		f.cfg = pc;
		tfix_walker(&f);
		T_RC(iomm_pgt_map(&f.pgt, base + 3 * P, 0x100000ull, P, RW), IOMM_OK);
		unmap_ok(&f, base + 3 * P, P, P);
		used = iomm_pool_used(&f.pool);
		T_RC(iomm_pgt_map(&f.pgt, base, 2 * B, B, RW), IOMM_OK);
		T_CHECK(tfix_translate(&f, base + P, &l) == TW_OK && l.size == P,
			"without inval_sync the table is reused (leaf 0x%llx)",
			(unsigned long long)l.size);
		T_CHECK(iomm_pool_used(&f.pool) == used, "pool %zu -> %zu", used,
			iomm_pool_used(&f.pool));
		tfix_validate(&f);
		tfix_fini(&f);
	}
	t_context("%s", "");
}

/* ---- subtree unmap ------------------------------------------------------------- */

/*
 * Unmapping ranges that cover whole tables: tables filled by one run carry
 * the full bit on their link, so their bytes are computed; an unmap of part
 * of such a table clears it; a partly filled table is counted. The counts
 * must be exact in every case.
 */
static void test_subtree_unmap(void **state)
{
	(void)state;
	static const enum iomm_pgt_format fmts[] = {S1, S2, VTD};
	for (size_t fi = 0; fi < 3; fi++) {
		struct tfix f;
		uint64_t P = 4096;
		struct iomm_pgt_cfg pc = mkcfg(fmts[fi], 4096, 48, 48, COH);
		t_context("%s: subtree unmap", t_fmt_name(fmts[fi]));
		T_RC(tfix_init(&f, &pc, 1200 * P, POOL_PA(P), false), IOMM_OK);
		unsigned last = tfix_last_level(&f);
		uint64_t B = tfix_level_size(&f, last - 1), B1 = tfix_level_size(&f, last - 2);
		/* 1 GiB of pages (the output one page off): 512 full leaf tables
		 * below one table; the tables above it stay */
		T_RC(iomm_pgt_map(&f.pgt, 2 * B1, B1 + P, B1, RW), IOMM_OK);
		size_t base_used = iomm_pool_used(&f.pool) - 513;
		/* one page out of table 5, then table 7 whole without a count */
		unmap_ok(&f, 2 * B1 + 5 * B + 9 * P, P, P);
		struct iomm_gather g;
		iomm_gather_init(&g);
		T_RC(iomm_pgt_unmap(&f.pgt, 2 * B1 + 7 * B, B, &g, NULL), IOMM_OK);
		T_CHECK(g.nfreed == 1 && t_gather_covers(&g, 2 * B1 + 7 * B, B),
			"table 7: %u pages freed", g.nfreed);
		iomm_pgt_gather_release(&g);
		/* half of table 9, then the first 16 tables whole */
		unmap_ok(&f, 2 * B1 + 9 * B, B / 2, B / 2);
		unmap_ok(&f, 2 * B1, 16 * B, 16 * B - P - B - B / 2);
		tfix_validate(&f);
		/* a table refilled page by page is counted, not trusted */
		T_RC(iomm_pgt_map(&f.pgt, 2 * B1, B1 + P, B / 2, RW), IOMM_OK);
		T_RC(iomm_pgt_map(&f.pgt, 2 * B1 + B / 2, B1 + P + B / 2, B / 2, RW), IOMM_OK);
		/* the rest, across the level-1 boundary into nothing */
		unmap_ok(&f, 2 * B1, 2 * B1, B1 - 15 * B);
		T_CHECK(iomm_pool_used(&f.pool) == base_used, "pool %zu, expected %zu",
			iomm_pool_used(&f.pool), base_used);
		/* the same without a byte count asked for */
		T_RC(iomm_pgt_map(&f.pgt, 2 * B1, B1 + P, B1, RW), IOMM_OK);
		iomm_gather_init(&g);
		T_RC(iomm_pgt_unmap(&f.pgt, 2 * B1, B1, &g, NULL), IOMM_OK);
		T_CHECK(g.nfreed == 513 && (g.leaf_sizes & P) && g.tables, "nfreed %u", g.nfreed);
		iomm_pgt_gather_release(&g);
		T_CHECK(iomm_pool_used(&f.pool) == base_used, "pool %zu, expected %zu",
			iomm_pool_used(&f.pool), base_used);
		tfix_fini(&f);
	}
	t_context("%s", "");
}

/* ---- in-place update of live mappings -------------------------------------------- */

/* Every leaf of [iova, +size): output pa + offset, @rw permissions, sizes as @sizes_of. */
static void expect_updated(struct tfix *f, uint64_t iova, uint64_t size, uint64_t pa, uint32_t rw,
			   const struct tleaves *shape)
{
	for (size_t i = 0; i < shape->n; i++) {
		const struct tleaf *x = &shape->v[i];
		if (x->iova < iova || x->iova >= iova + size)
			continue;
		struct iomm_mapping m;
		struct twleaf l;
		T_RC(iomm_pgt_lookup(&f->pgt, x->iova, &m), IOMM_OK);
		T_CHECK(tfix_translate(f, x->iova, &l) == TW_OK, "walker: 0x%llx unmapped",
			(unsigned long long)x->iova);
		T_CHECK(m.pa == pa + (x->iova - iova) && l.oa == m.pa && m.size == x->size &&
				l.contig == x->contig && (m.prot & (IOMM_READ | IOMM_WRITE)) == rw,
			"0x%llx: pa 0x%llx (walker 0x%llx) size 0x%llx contig %d prot 0x%x; expected "
			"pa 0x%llx size 0x%llx contig %d rw 0x%x",
			(unsigned long long)x->iova, (unsigned long long)m.pa,
			(unsigned long long)l.oa, (unsigned long long)m.size, l.contig, m.prot,
			(unsigned long long)(pa + (x->iova - iova)), (unsigned long long)x->size,
			x->contig, rw);
	}
}

/*
 * iomm_pgt_update(): a permission change is written in place (no
 * invalidation in the middle, the change in the gather); an output-address
 * or memory-type change on Arm goes through break-before-make with one
 * inval_sync for the range (the fixture checks the range is unmapped then),
 * on VT-d and x86-64 in place; the table's shape stays; a cut contiguous
 * group is broken first; errors change nothing; a failed invalidation leaves
 * the broken leaves unmapped and gathered; no inval_sync: ENOTSUP for
 * changes that need break-before-make.
 */
static void test_update(void **state)
{
	(void)state;
	static const struct {
		enum iomm_pgt_format fmt;
		uint32_t g;
	} cases[] = {{S1, 4096}, {S2, 4096}, {S2, 16384}, {S1, 65536}, {VTD, 4096}, {X86, 4096}};
	for (size_t ci = 0; ci < sizeof(cases) / sizeof(cases[0]); ci++) {
		uint32_t g = cases[ci].g;
		uint64_t P = g;
		bool x86 = cases[ci].fmt == VTD || cases[ci].fmt == X86;
		struct tfix f;
		struct iomm_pgt_cfg pc = mkcfg(cases[ci].fmt, g, x86 ? 39 : 48, x86 ? 39 : 48, COH);
		t_context("%uK %s: update", g >> 10, t_fmt_name(cases[ci].fmt));
		T_RC(tfix_init(&f, &pc, 64 * P, POOL_PA(P), false), IOMM_OK);
		unsigned last = tfix_last_level(&f);
		uint64_t B = tfix_level_size(&f, last - 1);
		unsigned N = tfix_contig_entries(&f, last);
		uint64_t grp = N ? N * P : 16 * P;
		/* pages, two blocks, pages: groups of pages at both ends */
		uint64_t iova = 8 * B - 2 * grp, size = 2 * B + 4 * grp, pa0 = 32 * B - 2 * grp;
		T_RC(iomm_pgt_map(&f.pgt, iova, pa0, size, RW), IOMM_OK);
		struct tleaves shape = {0};
		tleaves_from_walker(&shape, &f);
		struct iomm_gather gat;

		/* permissions only: in place, gathered, no break */
		iomm_gather_init(&gat);
		f.bbm_calls = 0;
		T_RC(iomm_pgt_update(&f.pgt, iova, pa0, size, IOMM_READ, &gat), IOMM_OK);
		T_CHECK(f.bbm_calls == 0, "a permission change broke entries (%lu)", f.bbm_calls);
		T_CHECK(t_gather_covers(&gat, iova, size), "the gather misses the update");
		iomm_pgt_gather_release(&gat);
		expect_updated(&f, iova, size, pa0, IOMM_READ, &shape);

		/* a new output address (blocks stay aligned) */
		uint64_t pa1 = 64 * B - 2 * grp;
		iomm_gather_init(&gat);
		f.bbm_calls = 0;
		f.bbm_bytes = 0;
		T_RC(iomm_pgt_update(&f.pgt, iova, pa1, size, RW, &gat), IOMM_OK);
		if (x86) {
			T_CHECK(f.bbm_calls == 0 && t_gather_covers(&gat, iova, size),
				"VT-d/x86: not in place (%lu breaks)", f.bbm_calls);
		} else {
			T_CHECK(f.bbm_calls == 1 && f.bbm_bytes == size && !iomm_gather_pending(&gat),
				"Arm: %lu breaks of 0x%llx bytes, gather pending %d", f.bbm_calls,
				(unsigned long long)f.bbm_bytes, iomm_gather_pending(&gat));
		}
		iomm_pgt_gather_release(&gat);
		expect_updated(&f, iova, size, pa1, RW, &shape);
		tfix_validate(&f);

		/* errors: nothing changes */
		iomm_gather_init(&gat);
		T_RC(iomm_pgt_update(&f.pgt, iova - P, pa1 - P, P, RW, &gat), IOMM_ENOENT);
		T_RC(iomm_pgt_update(&f.pgt, iova, pa1, size + P, RW, &gat), IOMM_ENOENT);
		T_RC(iomm_pgt_update(&f.pgt, 8 * B + P, pa1, P, RW, &gat), IOMM_EINVAL);
		T_RC(iomm_pgt_update(&f.pgt, 8 * B, pa1 + P, B, RW, &gat), IOMM_EINVAL);
		T_RC(iomm_pgt_update(&f.pgt, iova, pa1, size, 0, &gat), IOMM_EINVAL);
		T_RC(iomm_pgt_update(&f.pgt, iova, pa1, size, RW, NULL), IOMM_EINVAL);
		T_CHECK(!iomm_gather_pending(&gat), "a refused update gathered something");
		expect_updated(&f, iova, size, pa1, RW, &shape);

		/* one page of a group: the group is broken first, then the page */
		if (!x86 && N) {
			f.bbm_calls = 0;
			T_RC(iomm_pgt_update(&f.pgt, iova + 3 * P, 0x100000ull, P, RW, &gat), IOMM_OK);
			T_CHECK(f.bbm_calls == 2, "%lu breaks", f.bbm_calls);
			expect_pa(&f, iova + 3 * P, 0x100000ull);
			expect_pa(&f, iova + 2 * P, pa1 + 2 * P);
			struct twleaf l;
			T_CHECK(tfix_translate(&f, iova + 4 * P, &l) == TW_OK && !l.contig,
				"the cut group kept its hint");
			tfix_validate(&f);
			/* a memory type change breaks too; a failed break leaves the leaf unmapped */
			f.bbm_calls = 0;
			T_RC(iomm_pgt_update(&f.pgt, 8 * B, pa1 + 2 * grp, B, RW | IOMM_MEM_NC, &gat),
			     IOMM_OK);
			T_CHECK(f.bbm_calls == 1, "memory type: %lu breaks", f.bbm_calls);
			f.bbm_fail = IOMM_ETIMEDOUT;
			T_RC(iomm_pgt_update(&f.pgt, 8 * B, pa1 + 2 * grp, B, RW, &gat), IOMM_ETIMEDOUT);
			f.bbm_fail = 0;
			expect_none(&f, 8 * B);
			T_CHECK(t_gather_covers(&gat, 8 * B, B), "the unmapped leaf is not gathered");
			tfix_validate(&f);
		}
		iomm_pgt_gather_release(&gat);
		tleaves_free(&shape);
		tfix_fini(&f);

		/* without inval_sync: permissions in place; Arm refuses the rest */
		T_RC(tfix_init(&f, &pc, 64 * P, POOL_PA(P), false), IOMM_OK);
		iomm_pgt_destroy(&f.pgt);
		T_RC(iomm_pgt_init(&f.pgt, &pc, &f.pool, &f.tp.port), IOMM_OK);
		f.cfg = pc;
		tfix_walker(&f);
		T_RC(iomm_pgt_map(&f.pgt, iova, pa0, size, RW), IOMM_OK);
		iomm_gather_init(&gat);
		T_RC(iomm_pgt_update(&f.pgt, iova, pa0, size, IOMM_READ, &gat), IOMM_OK);
		T_RC(iomm_pgt_update(&f.pgt, iova, pa1, size, IOMM_READ, &gat),
		     x86 ? IOMM_OK : IOMM_ENOTSUP);
		expect_pa(&f, iova, x86 ? pa1 : pa0);
		iomm_pgt_gather_release(&gat);
		tfix_fini(&f);
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
	    {4096, SZ_4K},	   {4096, SZ_4K | SZ_1G},
	    {4096, SZ_4K | SZ_2M}, {4096, SZ_2M}, /* the granule is always allowed */
	    {16384, SZ_16K},	   {65536, SZ_64K},
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
			T_CHECK(want.v[k].size & (cases[i].sizes | P),
				"reference chose a forbidden size");
		tleaves_from_walker(&got, &f);
		tleaves_expect_equal(&want, "expected", &got, "walker", false);
		for (size_t k = 0; k < got.n; k++)
			T_CHECK((got.v[k].size & (cases[i].sizes | P)) != 0,
				"leaf of 0x%llx bytes not in leaf_sizes",
				(unsigned long long)got.v[k].size);
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
			T_CHECK(big == (cases[i] != SZ_4K), "superpages %s",
				big ? "used" : "unused");
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
	    cmocka_unit_test(test_new_tables_over_stale_pages),
	    cmocka_unit_test(test_gather_batching),
	    cmocka_unit_test(test_contig),
	    cmocka_unit_test(test_contig_bbm),
	    cmocka_unit_test(test_block_over_empty_table),
	    cmocka_unit_test(test_subtree_unmap),
	    cmocka_unit_test(test_update),
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
