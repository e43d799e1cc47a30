/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * LPAE edge cases, continued: non-coherent tables and bad arguments of every
 * call. See test_lpae_edges.c.
 */
#include "test_lpae_edges_internal.h"

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
		uint64_t bytes =
		    i == 0 ? (uint64_t)tfix_root_pages(f) * f->cfg.granule : tl.bytes[i];
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

/*
 * A non-coherent table whose clean hook feeds @d's device view; the cleans
 * during init are recorded too. Set up by hand: the hook must be in place
 * before the table exists. @f is zeroed first; pc->inval_arg may point to it.
 */
static void nc_fix_init(struct tfix *f, struct devview *d, const struct iomm_pgt_cfg *pc,
			size_t pool_bytes, unsigned oas)
{
	uint64_t P = pc->granule;
	bool x86 = pc->format == VTD || pc->format == X86;
	memset(f, 0, sizeof(*f));
	tport_init(&f->tp, 0, 0, 0);
	f->tp.clean_cb = dev_clean;
	f->tp.clean_arg = d;
	f->tp.record_cleans = true;
	f->cfg = *pc;
	f->stage = pc->format == S2 ? 2 : pc->format == S1 ? 1 : (unsigned)pc->format;
	f->x86 = x86;
	f->pa_range = oas;
	size_t size = (pool_bytes + 65535) / 65536 * 65536;
	f->mem = aligned_alloc(65536, size);
	assert_non_null(f->mem);
	memset(f->mem, 0xa5, size);
	f->mem_size = size;
	f->mem_pa = ((1ull << oas) - (64ull << 20)) - P; /* high PA: tests FEAT_LPA for 64K */
	tport_add_region(&f->tp, f->mem, f->mem_pa, size);
	T_RC(iomm_pool_init(&f->pool, &f->tp.port, f->mem, size, f->mem_pa, pc->granule), IOMM_OK);
	T_RC(iomm_pgt_init(&f->pgt, pc, &f->pool, &f->tp.port), IOMM_OK);
	f->initialised = true;
	if (!x86)
		T_RC(iomm_pgt_lpae_regs(&f->pgt, &f->regs), IOMM_OK);
	tfix_walker(f);
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
		struct iomm_pgt_cfg pc = mkcfg(cases[i].fmt, g, cases[i].ias, oas,
					       NONCOH | (cases[i].fmt == VTD ? IOMM_PGT_SNOOP : 0));
		t_context("%uK %s ias %u non-coherent", g >> 10, t_fmt_name(cases[i].fmt),
			  cases[i].ias);
		/* the pool memory is garbage; so is the device's view of it */
		size_t pool_bytes = 128 * P;
		d->f = f;
		d->img = malloc((pool_bytes + 65535) / 65536 * 65536);
		assert_non_null(d->img);
		memset(d->img, 0xa5, (pool_bytes + 65535) / 65536 * 65536);
		pc.inval_sync = tfix_inval_sync;
		pc.inval_arg = f;
		nc_fix_init(f, d, &pc, pool_bytes, oas);
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
		    {B2 - 3 * P, 0x3000000ull - 3 * P, 2 * B2 + 6 * P},	 /* pages, blocks, pages */
		    {8 * B2, 16 * B2, 16 * P * 8},			 /* contiguous groups */
		    {(1ull << cases[i].ias) - P, 0x200000ull, P},	 /* last page */
		    {(1ull << (cases[i].ias - 1)) + 3 * B2, 4 * B2, B2}, /* another subtree */
		};
		for (size_t k = 0; k < sizeof(maps) / sizeof(maps[0]); k++) {
			char when[96];
			snprintf(when, sizeof(when), "map %zu [0x%llx, +0x%llx)", k,
				 (unsigned long long)maps[k].iova,
				 (unsigned long long)maps[k].size);
			memcpy(before, f->mem, f->mem_size);
			tport_clear_cleans(&f->tp);
			T_RC(iomm_pgt_map(&f->pgt, maps[k].iova, maps[k].pa, maps[k].size, RW),
			     IOMM_OK);
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
				 (unsigned long long)unmaps[k].iova,
				 (unsigned long long)unmaps[k].size);
			memcpy(before, f->mem, f->mem_size);
			tport_clear_cleans(&f->tp);
			struct iomm_gather gat;
			uint64_t unmapped;
			iomm_gather_init(&gat);
			T_RC(iomm_pgt_unmap(&f->pgt, unmaps[k].iova, unmaps[k].size, &gat,
					    &unmapped),
			     IOMM_OK);
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
		T_CHECK(calls >= 1 && calls <= 4,
			"mapping 256 pages into one table took %lu clean calls", calls);
		c0 = f->tp.clean_calls;
		unmap_ok(f, base + P, 256 * P, 256 * P);
		calls = f->tp.clean_calls - c0;
		T_CHECK(calls >= 1 && calls <= 4,
			"unmapping 256 pages from one table took %lu clean calls", calls);
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

void test_noncoherent(void **state)
{
	(void)state;
	static const struct nccase cases[] = {
	    {4096, S1, 48}, {4096, S2, 40}, {16384, S2, 48}, {65536, S1, 52}};
	run_noncoherent(cases, sizeof(cases) / sizeof(cases[0]));
}

void test_noncoherent_x86(void **state)
{
	(void)state;
	static const struct nccase cases[] = {
	    {4096, VTD, 39}, {4096, VTD, 48}, {4096, VTD, 57}, {4096, X86, 47}, {4096, X86, 56}};
	run_noncoherent(cases, sizeof(cases) / sizeof(cases[0]));
}

/* ---- bad arguments ------------------------------------------------------------- */

void test_bad_init(void **state)
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
	c.format = (enum iomm_pgt_format)7; /* one past the last format */
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
	    {4096, 53, 48},  {4096, 31, 48}, {4096, 52, 48},  {16384, 52, 48}, {65536, 53, 52},
	    {4096, 48, 33},  {4096, 48, 52}, {16384, 48, 52}, {4096, 48, 34},  {4096, 48, 56},
	    {4096, 48, 31},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = mkcfg(S1, bad[i].g, bad[i].ias, bad[i].oas, COH);
		struct iomm_pool *pp = bad[i].g == 16384 ? &pool16 : &pool;
		struct iomm_pool pool64;
		uint8_t *mem64 = NULL;
		if (bad[i].g == 65536) {
			mem64 = aligned_alloc(1u << 20, 1u << 20);
			assert_non_null(mem64);
			T_RC(iomm_pool_init(&pool64, &tp.port, mem64, 1u << 20, 0x60000000ull,
					    65536),
			     IOMM_OK);
			pp = &pool64;
		}
		for (int st = 1; st <= 2; st++) {
			c.format = st == 1 ? S1 : S2;
			t_context("%uK s%d ias %u oas %u", bad[i].g >> 10, st, bad[i].ias,
				  bad[i].oas);
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
	/* zero sizes and granule: the largest the format offers (input capped at
	 * 48, stage 2 input at the output), the smallest granule; init says what
	 * it chose in pgt.cfg */
	static const struct {
		enum iomm_pgt_format fmt;
		uint32_t g;
		unsigned ias, oas, want_ias, want_oas, want_g;
	} dflt[] = {
	    {S1, 4096, 0, 0, 48, 48, 4096},  {S2, 4096, 0, 0, 48, 48, 4096},
	    {S1, 0, 0, 40, 48, 40, 4096},    {S2, 4096, 0, 40, 40, 40, 4096},
	    {S1, 4096, 39, 0, 39, 48, 4096}, {S2, 16384, 0, 0, 48, 48, 16384},
	};
	for (size_t i = 0; i < sizeof(dflt) / sizeof(dflt[0]); i++) {
		c = mkcfg(dflt[i].fmt, dflt[i].g, dflt[i].ias, dflt[i].oas, COH);
		t_context("defaults %zu", i);
		T_RC(iomm_pgt_init(&pgt, &c, dflt[i].want_g == 16384 ? &pool16 : &pool, &tp.port),
		     IOMM_OK);
		T_CHECK(pgt.cfg.ias == dflt[i].want_ias && pgt.cfg.oas == dflt[i].want_oas &&
			    pgt.cfg.granule == dflt[i].want_g,
			"chose ias %u oas %u granule %u", pgt.cfg.ias, pgt.cfg.oas,
			(unsigned)pgt.cfg.granule);
		iomm_pgt_destroy(&pgt);
	}
	t_context("%s", "");
	/* RISC-V: 4 KiB only; first stage up to 56 input bits (the sign bit of
	 * Sv57 excluded), G-stage up to 59, output up to 56; no Arm or VT-d
	 * flags; nothing kept on failure */
	static const struct {
		enum iomm_pgt_format fmt;
		uint32_t g;
		unsigned ias, oas;
		uint32_t flags;
		int want;
	} rvbad[] = {
	    {IOMM_FMT_RISCV_S1, 4096, 57, 56, COH, IOMM_ENOTSUP},
	    {IOMM_FMT_RISCV_G, 4096, 60, 56, COH, IOMM_ENOTSUP},
	    {IOMM_FMT_RISCV_S1, 4096, 48, 57, COH, IOMM_ENOTSUP},
	    {IOMM_FMT_RISCV_G, 4096, 31, 48, COH, IOMM_ENOTSUP},
	    {IOMM_FMT_RISCV_G, 16384, 48, 48, COH, IOMM_ENOTSUP},
	    {IOMM_FMT_RISCV_S1, 4096, 48, 48, IOMM_PGT_NG, IOMM_EINVAL},
	    {IOMM_FMT_RISCV_G, 4096, 48, 48, IOMM_PGT_SNOOP, IOMM_EINVAL},
	};
	for (size_t i = 0; i < sizeof(rvbad) / sizeof(rvbad[0]); i++) {
		c = mkcfg(rvbad[i].fmt, rvbad[i].g, rvbad[i].ias, rvbad[i].oas, rvbad[i].flags);
		struct iomm_pool *pp = rvbad[i].g == 16384 ? &pool16 : &pool;
		t_context("riscv bad %zu", i);
		T_RC(iomm_pgt_init(&pgt, &c, pp, &tp.port), rvbad[i].want);
		T_CHECK(iomm_pool_used(pp) == 0, "failed init kept pages");
	}
	/* RISC-V defaults: Sv48 (47 bits) and Sv48x4 (50 bits), 56-bit output;
	 * the G-stage root is 4 pages, 16 KiB aligned */
	static const struct {
		enum iomm_pgt_format fmt;
		unsigned want_ias, levels, pages;
	} rvdflt[] = {{IOMM_FMT_RISCV_S1, 47, 4, 1}, {IOMM_FMT_RISCV_G, 50, 4, 4}};
	for (size_t i = 0; i < sizeof(rvdflt) / sizeof(rvdflt[0]); i++) {
		c = mkcfg(rvdflt[i].fmt, 0, 0, 0, COH);
		t_context("riscv defaults %zu", i);
		T_RC(iomm_pgt_init(&pgt, &c, &pool, &tp.port), IOMM_OK);
		T_CHECK(pgt.cfg.ias == rvdflt[i].want_ias && pgt.cfg.oas == 56 &&
				pgt.cfg.granule == 4096 && iomm_pgt_levels(&pgt) == rvdflt[i].levels &&
				iomm_pool_used(&pool) == rvdflt[i].pages &&
				!(iomm_pgt_root_pa(&pgt) & (4096ull * rvdflt[i].pages - 1)),
			"chose ias %u oas %u granule %u, %u levels, root 0x%llx of %zu pages",
			pgt.cfg.ias, pgt.cfg.oas, (unsigned)pgt.cfg.granule, iomm_pgt_levels(&pgt),
			(unsigned long long)iomm_pgt_root_pa(&pgt), iomm_pool_used(&pool));
		iomm_pgt_destroy(&pgt);
	}
	t_context("%s", "");
	/* non-coherent without clean_tables */
	tp.port.clean_tables = NULL;
	c = mkcfg(S1, 4096, 48, 48, NONCOH);
	T_RC(iomm_pgt_init(&pgt, &c, &pool, &tp.port), IOMM_EINVAL);
	T_CHECK(iomm_pool_used(&pool) == 0, "failed init kept pages");
	/* the one switch: a port that is not coherent makes every table non-coherent */
	c.flags = COH;
	tp.port.flags &= ~IOMM_PORT_DMA_COHERENT;
	T_RC(iomm_pgt_init(&pgt, &c, &pool, &tp.port), IOMM_EINVAL);
	T_CHECK(iomm_pool_used(&pool) == 0, "failed init kept pages");
	tp.port.flags |= IOMM_PORT_DMA_COHERENT;
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
void test_64k_lva_sizes(void **state)
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

void test_bad_calls(void **state)
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

void test_bad_init_x86(void **state)
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
	    {VTD, 31, 48}, {VTD, 58, 48}, {VTD, 48, 31}, {VTD, 48, 53},
	    {X86, 31, 48}, {X86, 57, 48}, {X86, 58, 48}, {X86, 48, 31}, {X86, 48, 53},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = mkcfg(bad[i].fmt, 4096, bad[i].ias, bad[i].oas, COH);
		t_context("%s ias %u oas %u", t_fmt_name(bad[i].fmt), bad[i].ias, bad[i].oas);
		T_RC(iomm_pgt_init(&pgt, &c, &pool, &tp.port), IOMM_ENOTSUP);
		T_CHECK(iomm_pool_used(&pool) == 0, "failed init kept pages");
	}
	t_context("%s", "");
	/* zero sizes: 48-bit VT-d input, 47-bit x86-64 input, 52-bit output */
	c = mkcfg(VTD, 4096, 0, 0, COH);
	T_RC(iomm_pgt_init(&pgt, &c, &pool, &tp.port), IOMM_OK);
	T_CHECK(pgt.cfg.ias == 48 && pgt.cfg.oas == 52, "VT-d chose %u/%u", pgt.cfg.ias, pgt.cfg.oas);
	iomm_pgt_destroy(&pgt);
	c = mkcfg(X86, 4096, 0, 0, COH);
	T_RC(iomm_pgt_init(&pgt, &c, &pool, &tp.port), IOMM_OK);
	T_CHECK(pgt.cfg.ias == 47 && pgt.cfg.oas == 52, "x86 chose %u/%u", pgt.cfg.ias, pgt.cfg.oas);
	iomm_pgt_destroy(&pgt);
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
	c = mkcfg(VTD, 4096, 48, 48, COH | (1u << 6));
	T_RC(iomm_pgt_init(&pgt, &c, &pool, &tp.port), IOMM_EINVAL);
	c = mkcfg(S1, 4096, 48, 48, 1u << 0); /* the retired "coherent" bit */
	T_RC(iomm_pgt_init(&pgt, &c, &pool, &tp.port), IOMM_EINVAL);
	T_CHECK(iomm_pool_used(&pool) == 0, "failed init kept pages");

	/* levels: second stage by AGAW, first stage 4 up to 47 bits (canonical), 5 above */
	static const struct {
		enum iomm_pgt_format fmt;
		unsigned ias, levels;
	} lv[] = {
	    {VTD, 32, 3}, {VTD, 39, 3}, {VTD, 40, 4}, {VTD, 48, 4}, {VTD, 49, 5},
	    {VTD, 57, 5}, {X86, 32, 4}, {X86, 47, 4}, {X86, 48, 5}, {X86, 56, 5},
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

void test_bad_calls_x86(void **state)
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
			T_RC(iomm_pgt_map(pgt, 0x400000, 0, P, IOMM_WRITE | IOMM_EXEC),
			     IOMM_EINVAL);
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
			T_RC(iomm_pgt_map(pgt, 0x401000, 0x801000, P, IOMM_READ | IOMM_PRIV),
			     IOMM_OK);
			T_RC(iomm_pgt_lookup(pgt, 0x401000, &m), IOMM_OK);
			T_CHECK(m.prot == (IOMM_READ | IOMM_PRIV), "supervisor: %s",
				t_prot_str(m.prot));
		}
		tfix_validate(&f);
		tleaves_free(&before);
		tleaves_free(&after);
		tfix_fini(&f);
	}
	t_context("%s", "");
}

void test_destroy_with_mappings(void **state)
{
	(void)state;
	struct tfix f;
	struct iomm_pgt_cfg pc = mkcfg(S2, 16384, 48, 48, COH);
	T_RC(tfix_init(&f, &pc, 128 * 16384, POOL_PA(16384), false), IOMM_OK);
	for (unsigned k = 0; k < 8; k++)
		T_RC(iomm_pgt_map(&f.pgt, ((uint64_t)k << 38) + 0x4000 * k, 0x4000 * k,
				  0x4000 * (k + 1), RW),
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

/* ---- break-before-make of contiguous groups --------------------------------------- */

static size_t count_contig_nc(struct tfix *f, uint64_t iova, uint64_t size, uint64_t step)
{
	size_t n = 0;
	for (uint64_t a = iova; a < iova + size; a += step) {
		struct twleaf l;
		if (tfix_translate(f, a, &l) == TW_OK && l.contig)
			n++;
	}
	return n;
}

/* What the recording inval_sync saw. */
struct bbm_rec {
	struct tfix *f;
	struct devview *d;
	unsigned calls;
	uint64_t start[8], end[8], leaf[8];
	size_t cleans_before[8]; /* cleans recorded when the invalidation ran */
	unsigned long unmapped_cpu, unmapped_dev, steps;
	int fail;
};

static int bbm_record(void *arg, const struct iomm_gather *range)
{
	struct bbm_rec *r = arg;
	uint64_t step = range->leaf_sizes
			    ? range->leaf_sizes & -range->leaf_sizes
			    : tfix_level_size(r->f, (unsigned)__builtin_ctz(range->levels));
	for (uint64_t a = range->start; a < range->end; a += step) {
		struct twleaf l;
		struct aw_leaf dl;
		uint64_t pa;
		r->steps++;
		/* the CPU's view, through the library and the independent walker */
		if (iomm_pgt_iova_to_phys(&r->f->pgt, a, &pa) == IOMM_ENOENT &&
		    tfix_translate(r->f, a, &l) == TW_UNMAPPED)
			r->unmapped_cpu++;
		/* the device's: only cleaned bytes */
		if (aw_translate(&r->d->w, a, &dl) == AW_UNMAPPED)
			r->unmapped_dev++;
	}
	if (r->calls < 8) {
		r->start[r->calls] = range->start;
		r->end[r->calls] = range->end;
		r->leaf[r->calls] = range->leaf_sizes;
		r->cleans_before[r->calls] = r->f->tp.ncleans;
	}
	r->calls++;
	return r->fail;
}

/* Pages or blocks of [iova, iova + size) outside [hole, hole + hsz) map linearly from pa, without the hint. */
static void expect_kept(struct tfix *f, uint64_t iova, uint64_t pa, uint64_t size, uint64_t step,
			uint64_t hole, uint64_t hsz, uint64_t hinted_size)
{
	for (uint64_t a = iova; a < iova + size; a += step) {
		struct twleaf l;
		int rc = tfix_translate(f, a, &l);
		if (a >= hole && a < hole + hsz) {
			T_CHECK(rc == TW_UNMAPPED, "0x%llx still mapped", (unsigned long long)a);
			continue;
		}
		uint64_t oa = l.oa + (a - l.iova);
		T_CHECK(rc == TW_OK && oa == pa + (a - iova) && (!l.contig || l.size == hinted_size),
			"0x%llx: rc %d oa 0x%llx contig %d, expected 0x%llx without the hint",
			(unsigned long long)a, rc, (unsigned long long)oa, l.contig,
			(unsigned long long)(pa + (a - iova)));
	}
}

/*
 * Unmapping part of a contiguous group: the group's entries are written
 * invalid and cleaned, then inval_sync invalidates exactly the group's range,
 * then the entries are rewritten without the hint (and cleaned); everything
 * of the group outside the unmapped range is mapped afterwards. A failed
 * invalidation leaves the table as it was. A table without inval_sync gets
 * no hint at all.
 */
void test_contig_bbm(void **state)
{
	(void)state;
	static const uint32_t granules[] = {4096, 16384, 65536};
	for (size_t gi = 0; gi < 3; gi++) {
		for (int st = 1; st <= 2; st++) {
			uint32_t g = granules[gi];
			uint64_t P = g;
			unsigned oas = g == 65536 ? 52 : 48;
			struct tfix *f = calloc(1, sizeof(*f));
			struct devview *d = calloc(1, sizeof(*d));
			struct bbm_rec r;
			assert_non_null(f);
			assert_non_null(d);
			memset(&r, 0, sizeof(r));
			r.f = f;
			r.d = d;
			struct iomm_pgt_cfg pc = mkcfg(st == 1 ? S1 : S2, g, 48, oas, NONCOH);
			pc.inval_sync = bbm_record;
			pc.inval_arg = &r;
			t_context("%uK stage %d: break-before-make", g >> 10, st);
			size_t pool_bytes = 64 * P;
			d->f = f;
			d->img = malloc((pool_bytes + 65535) / 65536 * 65536);
			assert_non_null(d->img);
			memset(d->img, 0xa5, (pool_bytes + 65535) / 65536 * 65536);
			nc_fix_init(f, d, &pc, pool_bytes, oas);
			dev_walker(d);
			d->check_each = true;

			uint64_t N = aw_contig_entries(g, 3), grp = N * P;
			uint64_t iova = 16 * grp, pa = 5 * grp;
			T_RC(iomm_pgt_map(&f->pgt, iova, pa, 2 * grp, RW), IOMM_OK);
			T_CHECK(count_contig_nc(f, iova, 2 * grp, P) == 2 * N, "groups not hinted");

			/* a failed invalidation: nothing changes */
			struct tleaves before = {0}, after = {0};
			tleaves_from_walker(&before, f);
			struct iomm_gather gat;
			uint64_t unmapped = 0;
			iomm_gather_init(&gat);
			r.fail = IOMM_ETIMEDOUT;
			T_RC(iomm_pgt_unmap(&f->pgt, iova + 3 * P, P, &gat, &unmapped),
			     IOMM_ETIMEDOUT);
			r.fail = 0;
			T_CHECK(r.calls == 1 && !iomm_gather_pending(&gat),
				"failed invalidation: %u calls, gather pending %d", r.calls,
				iomm_gather_pending(&gat));
			tleaves_from_walker(&after, f);
			tleaves_expect_equal(&before, "before", &after, "after a failed invalidation",
					     false);
			dev_expect_same(d, "after a failed invalidation");
			tleaves_free(&before);
			tleaves_free(&after);

			/* one page out of the first group (fast path) */
			r.calls = 0;
			r.steps = r.unmapped_cpu = r.unmapped_dev = 0;
			tport_clear_cleans(&f->tp);
			T_RC(iomm_pgt_unmap(&f->pgt, iova + 3 * P, P, &gat, &unmapped), IOMM_OK);
			T_CHECK(unmapped == P, "unmapped 0x%llx", (unsigned long long)unmapped);
			T_CHECK(r.calls == 1 && r.start[0] == iova && r.end[0] == iova + grp &&
					r.leaf[0] == P,
				"%u invalidations, first [0x%llx, 0x%llx) leaf 0x%llx", r.calls,
				(unsigned long long)r.start[0], (unsigned long long)r.end[0],
				(unsigned long long)r.leaf[0]);
			/* order: entries invalid (and cleaned) -> invalidation -> rewritten */
			T_CHECK(r.steps == N && r.unmapped_cpu == N && r.unmapped_dev == N,
				"at the invalidation %lu/%lu (CPU) %lu/%lu (device) entries invalid",
				r.unmapped_cpu, r.steps, r.unmapped_dev, r.steps);
			T_CHECK(r.cleans_before[0] >= 1 &&
					f->tp.cleans[r.cleans_before[0] - 1].len == N * 8,
				"the broken group was not cleaned before the invalidation");
			T_CHECK(f->tp.ncleans > r.cleans_before[0] &&
					f->tp.cleans[r.cleans_before[0]].len == N * 8,
				"the rewritten group was not cleaned after the invalidation");
			T_CHECK(t_gather_covers(&gat, iova + 3 * P, P), "gather misses the page");
			iomm_pgt_gather_release(&gat);
			dev_expect_same(d, "after breaking a group");
			expect_kept(f, iova, pa, grp, P, iova + 3 * P, P, 0);
			T_CHECK(count_contig_nc(f, iova + grp, grp, P) == N,
				"the next group lost its hint");

			/* across two groups: both edges break one group each */
			r.calls = 0;
			unmap_ok(f, iova + grp - 2 * P, 4 * P, 4 * P); /* the first group is hint-free already */
			T_CHECK(r.calls == 1 && r.start[0] == iova + grp,
				"%u invalidations, first at 0x%llx", r.calls,
				(unsigned long long)r.start[0]);
			expect_kept(f, iova + grp, pa + grp, grp, P, iova + grp, 2 * P, 0);
			dev_expect_same(d, "across two groups");

			/* a block group cut inside one block (slow path, block split) */
			uint64_t B2 = aw_level_size(g, 2), NB = aw_contig_entries(g, 2);
			uint64_t bgrp = B2 * NB, bi = 4 * bgrp, bpa = 2 * bgrp;
			if (bi + bgrp <= (1ull << 48) && bpa + bgrp <= (1ull << oas) - (64ull << 20) - P) {
				T_RC(iomm_pgt_map(&f->pgt, bi, bpa, bgrp, RW), IOMM_OK);
				r.calls = 0;
				r.steps = r.unmapped_cpu = r.unmapped_dev = 0;
				unmap_ok(f, bi + 2 * B2 + P, P, P);
				/* two: the group loses its hint, then the block is split
				 * (break-before-make: the block alone, at its level) */
				T_CHECK(r.calls == 2 && r.start[0] == bi && r.end[0] == bi + bgrp &&
						r.leaf[0] == B2 && r.start[1] == bi + 2 * B2 &&
						r.end[1] == bi + 3 * B2 && r.leaf[1] == B2 &&
						r.steps == NB + 1 && r.unmapped_cpu == NB + 1 &&
						r.unmapped_dev == NB + 1,
					"block group: %u invalidations [0x%llx, 0x%llx), %lu/%lu "
					"invalid",
					r.calls, (unsigned long long)r.start[0],
					(unsigned long long)r.end[0], r.unmapped_dev, r.steps);
				/* the blocks lose the hint; the split block's new table may
				 * carry it on its complete page groups (written detached) */
				expect_kept(f, bi, bpa, bgrp, P, bi + 2 * B2 + P, P, P);
				dev_expect_same(d, "block group");
			}
			d->check_each = false;
			tfix_fini(f);
			free(d->img);
			free(d);
			free(f);
		}
	}

	/* without inval_sync: no hint, and nothing needs one */
	struct tfix f;
	struct iomm_pgt_cfg pc = mkcfg(S1, 4096, 48, 48, COH);
	T_RC(tfix_init(&f, &pc, 64 * 4096, POOL_PA(4096), false), IOMM_OK);
	iomm_pgt_destroy(&f.pgt);
	T_RC(iomm_pgt_init(&f.pgt, &pc, &f.pool, &f.tp.port), IOMM_OK);
	f.cfg = pc;
	tfix_walker(&f);
	T_RC(iomm_pgt_map(&f.pgt, 0x200000, 0x400000, 0x200000 + 0x10000, RW), IOMM_OK);
	T_RC(iomm_pgt_map(&f.pgt, 0x800000, 0x400000 + 0x10000, 16 * 0x200000, RW), IOMM_OK);
	T_CHECK(count_contig_nc(&f, 0x200000, 0x210000, 4096) == 0, "a hint without inval_sync");
	unmap_ok(&f, 0x201000, 0x1000, 0x1000);
	tfix_validate(&f);
	tfix_fini(&f);
	t_context("%s", "");
}
