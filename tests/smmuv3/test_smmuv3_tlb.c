/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hosted SMMUv3 tests, part: TLB matching the way silicon may do it.
 *
 * An emulator's TLB can hide defects a real SMMU shows: a range
 * invalidation whose level hint (TTL) names the wrong level is still
 * honoured as a plain range, and a TLB never holds two entries for one
 * address. The model keeps what the architecture allows: a TTL-qualified
 * invalidation misses an entry of another level, and (opt-in) a lookup
 * that hits two entries is a TLB conflict. Each test below plants the
 * defect on purpose and checks the model shows it, then checks the
 * library's own path does not.
 */

#include "test_smmuv3.h"

/* The backend's invalidation of @g, as iomm_unmap() would ask for it. */
static void flush_gather(struct iomm_domain *d, const struct iomm_gather *g)
{
	assert_int_equal(d->unit->ops->flush(d->unit, d, g), IOMM_OK);
}

/*
 * A partial unmap splits a 2 MiB block into a table of pages. The TLB may
 * hold the level-2 block entry, so an invalidation of it with a level hint
 * must name level 2 or none: with TTL = 3 it only reaches level-3 entries
 * (IHI 0070 4.4.1, "TTL": an entry of another level need not be
 * invalidated). The planted defect shows the model honours the hint; the
 * library's own split then breaks the block before it links the table
 * (break-before-make: the block's entry is gone when the unmap returns) and
 * its gather names level 2.
 */
void test_tlb_ttl_after_block_split(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	assert_true(f->smmu.features & IOMM_SMMUV3_F_RIL);
	struct pdom a = {0};
	struct iomm_dev da;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	fx_attach(f, &da, &a.dom, 1, 0);
	assert_int_equal(iomm_map(&a.dom, 0x400000, 0x40000000, SZ2M, RW), IOMM_OK);
	assert_int_equal(iomm_map(&a.dom, 0x800000, 0x50000000, SZ2M, RW), IOMM_OK);

	/* planted defect: the block removed behind the library's back, then
	 * invalidated as a change of level 3 only */
	assert_int_equal(fx_xlate(f, 1, 0x512340, RD), 0x40112340);
	assert_int_equal(f->model.tlb[0].level, 2);
	*bfx_lpae_desc(&a.dom, 0x400000) = 0;
	struct iomm_gather wrong;
	iomm_gather_init(&wrong);
	wrong.start = 0x500000;
	wrong.end = 0x501000;
	wrong.leaf_sizes = SZ4K;
	wrong.levels = 1u << 3;
	fx_snap(f);
	flush_gather(&a.dom, &wrong);
	const struct smmuv3_model_cmd_log_entry *e = fx_find(f, OP_NH_VA, 0);
	assert_non_null(e);
	assert_int_equal(C_TG(e->w[1]), 1);
	assert_int_equal(C_TTL(e->w[1]), 3);
	assert_int_equal(f->model.stats.cmd_errors, f->snap_cmd_errors);
	/* the block entry survived: the removed page still reaches its old memory */
	assert_int_equal(fx_xlate(f, 1, 0x500000, RD), 0x40100000);
	/* the same with the block's level: it goes */
	wrong.leaf_sizes = SZ2M;
	wrong.levels = 1u << 2;
	flush_gather(&a.dom, &wrong);
	assert_int_equal(fx_dma(f, 1, 0x500000, RD, NULL), -EV_TRANSLATION);

	/* the library's own split, on the second block */
	assert_int_equal(fx_xlate(f, 1, 0x9ff000, RD), 0x501ff000);
	struct iomm_gather g;
	iomm_gather_init(&g);
	assert_int_equal(iomm_pgt_unmap(&a.dom.pgt, 0x900000, SZ4K, &g, NULL), IOMM_OK);
	assert_true(g.tables);		     /* a block became a table */
	assert_int_equal(g.levels, 1u << 2); /* the entry changed is the level-2 one */
	/* break-before-make invalidated the block already */
	assert_int_equal(fx_dma(f, 1, 0x900000, RD, NULL), -EV_TRANSLATION);
	fx_snap(f);
	flush_gather(&a.dom, &g);
	e = fx_find(f, OP_NH_VA, 0);
	assert_non_null(e);
	assert_int_equal(C_TTL(e->w[1]), 0);
	iomm_pgt_gather_release(&g);
	assert_int_equal(fx_xlate(f, 1, 0x9fe010, RD), 0x501fe010);
	assert_int_equal(fx_xlate(f, 1, 0x901008, RD), 0x50101008);

	/* and through the domain */
	fx_snap(f);
	assert_int_equal(iomm_unmap(&a.dom, 0x9ff000, SZ4K, NULL), IOMM_OK);
	e = fx_find(f, OP_NH_VA, 0);
	assert_non_null(e);
	assert_int_equal(fx_dma(f, 1, 0x9ff000, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(fx_xlate(f, 1, 0x9fe010, RD), 0x501fe010);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	fx_check_hygiene(f);
}

/* IDR3.BBML (6.3.4) is recorded at probe: level 0 (default), 1 or 2. */
void test_probe_bbml(void **state)
{
	struct fx *f = *state;
	const uint32_t both = IOMM_SMMUV3_F_BBML1 | IOMM_SMMUV3_F_BBML2;
	fx_start(f);
	assert_int_equal(f->smmu.features & both, 0);
	for (unsigned level = 1; level <= 2; level++) {
		fx_teardown(state);
		assert_int_equal(fx_setup(state), 0);
		f = *state;
		f->mcfg.bbml = level;
		fx_start(f);
		assert_int_equal(f->smmu.features & both,
				 level == 1 ? IOMM_SMMUV3_F_BBML1 : IOMM_SMMUV3_F_BBML2);
		/* the other features are those of the default part */
		assert_true(f->smmu.features & IOMM_SMMUV3_F_RIL);
	}
}

/* ---- the Contiguous hint and TLB conflicts ---- */

#define D_CONT (UINT64_C(1) << 52) /* Contiguous hint of a VMSAv8-64 descriptor */
#define SZ64K  UINT64_C(0x10000)

/* A model that caches a contiguous group as one entry and faults on a TLB conflict;
 * stream 1 attached to a stage-1 domain with a 64 KiB group mapped at @va. */
static void conflict_setup(struct fx *f, struct pdom *a, struct iomm_dev *da, uint64_t va,
			   uint64_t pa)
{
	f->mcfg.contig_hint = true;
	f->mcfg.tlb_conflict = true;
	fx_start(f);
	pdom_up(f, a, IOMM_DOMAIN_S1);
	fx_attach(f, da, &a->dom, 1, 0);
	assert_int_equal(iomm_map(&a->dom, va, pa, SZ64K, RW), IOMM_OK);
	for (uint64_t o = 0; o < SZ64K; o += SZ4K)
		assert_true(*bfx_lpae_desc(&a->dom, va + o) & D_CONT);
}

/* The entry the model caches for @iova (the first that covers it). */
static const struct smmuv3_model_tlb_entry *tlb_at(const struct fx *f, uint64_t iova)
{
	for (size_t i = 0; i < f->model.tlb_n; i++) {
		const struct smmuv3_model_tlb_entry *e = &f->model.tlb[i];
		if (iova >= e->ia && iova - e->ia < (UINT64_C(1) << e->size_log2))
			return e;
	}
	return NULL;
}

/*
 * Clearing the Contiguous hint of a live group in place, without break-before-
 * make, lets the TLB hold the group's entry and a page entry inside it at once
 * (Arm ARM D8.6.1, D8.16 "TLB conflict"; IHI 0070 F_TLB_CONFLICT): the SMMU
 * may walk any address at any time, and a transaction hitting both entries
 * faults. The defect is planted by rewriting the descriptors directly.
 */
void test_tlb_conflict_contig_strip(void **state)
{
	struct fx *f = *state;
	struct pdom a = {0};
	struct iomm_dev da;
	const uint64_t va = 0x100000, pa = 0x40000000;
	conflict_setup(f, &a, &da, va, pa);
	/* one entry for the whole group */
	assert_int_equal(fx_xlate(f, 1, va + 0x5008, RD), pa + 0x5008);
	assert_int_equal(smmuv3_model_tlb_count(&f->model), 1);
	assert_int_equal(tlb_at(f, va)->size_log2, 16);
	assert_true(tlb_at(f, va)->contig);
	assert_int_equal(fx_xlate(f, 1, va + 0xf000, RD), pa + 0xf000);
	assert_int_equal(smmuv3_model_tlb_count(&f->model), 1);

	/* planted defect: the hint cleared on the live group, nothing invalidated */
	for (uint64_t o = 0; o < SZ64K; o += SZ4K)
		*bfx_lpae_desc(&a.dom, va + o) &= ~D_CONT;
	/* a speculative walk caches a page entry inside the group */
	assert_int_equal(smmuv3_model_speculate(&f->model, 1, 0, false, va + 0x6000), 0);
	assert_int_equal(smmuv3_model_tlb_count(&f->model), 2);
	/* a transaction there hits both */
	assert_int_equal(fx_dma(f, 1, va + 0x6010, RD, NULL), -(int)E_F_TLB_CONFLICT);
	const struct smmuv3_model_event *ev = smmuv3_model_last_event(&f->model);
	assert_true(ev->recorded);
	assert_int_equal(ev->rec[2], va + 0x6010);
	assert_int_equal(fx_poll(f), 1);
	assert_int_equal(f->nfaults, 1);
	assert_int_equal(f->faults[0].reason, IOMM_FAULT_TLB_CONFLICT);
	assert_int_equal(f->faults[0].sid, 1);
	assert_int_equal(f->faults[0].addr, va + 0x6010);

	/* an invalidation covering the group ends it */
	assert_int_equal(iomm_unmap(&a.dom, va + 0x6000, SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_dma(f, 1, va + 0x6010, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(fx_xlate(f, 1, va + 0x7010, RD), pa + 0x7010);
	assert_int_equal(tlb_at(f, va + 0x7000)->size_log2, 12);
	fx_check_hygiene(f);
}

/*
 * The other direction: pages mapped one by one are cached as page entries;
 * setting the hint on them in place makes the next walk cache the group over
 * the page entries already held, and the overlap is a conflict.
 */
void test_tlb_conflict_contig_set(void **state)
{
	struct fx *f = *state;
	f->mcfg.contig_hint = true;
	f->mcfg.tlb_conflict = true;
	fx_start(f);
	struct pdom a = {0};
	struct iomm_dev da;
	const uint64_t va = 0x300000, pa = 0x50000000;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	fx_attach(f, &da, &a.dom, 1, 0);
	for (uint64_t o = 0; o < SZ64K; o += SZ4K)
		assert_int_equal(iomm_map(&a.dom, va + o, pa + o, SZ4K, RW), IOMM_OK);
	assert_false(*bfx_lpae_desc(&a.dom, va) & D_CONT);
	assert_int_equal(fx_xlate(f, 1, va + 0x3000, RD), pa + 0x3000);
	assert_int_equal(tlb_at(f, va + 0x3000)->size_log2, 12);

	/* planted defect: the hint set on the live pages, nothing invalidated */
	for (uint64_t o = 0; o < SZ64K; o += SZ4K)
		*bfx_lpae_desc(&a.dom, va + o) |= D_CONT;
	assert_int_equal(fx_xlate(f, 1, va, RD), pa); /* walks: caches the group */
	assert_int_equal(smmuv3_model_tlb_count(&f->model), 2);
	assert_int_equal(fx_dma(f, 1, va + 0x3000, WR, NULL), -(int)E_F_TLB_CONFLICT);
	assert_int_equal(fx_dma(f, 1, va + 0x4000, RD, NULL), 0); /* only the group there */
	fx_check_hygiene(f);
}

/* ---- the library's own strip of a live group, watched from inside its cleans ---- */

struct strip_watch {
	struct fx *f;
	uint64_t iova;	   /* where a device keeps accessing */
	unsigned cleans;   /* clean_tables() calls seen */
	unsigned conflicts; /* device accesses that hit a TLB conflict */
};
static struct strip_watch watch;

/* Every clean_tables() is a moment the SMMU may see the tables: it walks the
 * watched address speculatively, and the device accesses it. */
static void watch_clean(void *ctx, const void *va, size_t len)
{
	struct strip_watch *w = ctx;
	(void)va;
	(void)len;
	if (!w->f)
		return;
	w->cleans++;
	(void)smmuv3_model_speculate(&w->f->model, 1, 0, false, w->iova);
	if (smmuv3_model_dma(&w->f->model, 1, 0, false, w->iova, RD, NULL) ==
	    -(int)E_F_TLB_CONFLICT)
		w->conflicts++;
}

/*
 * Unmapping a page of a live contiguous group makes the table code drop the
 * hint from the rest of the group. Done in place, a device using the group
 * meanwhile can hit a TLB conflict; done with break-before-make (invalid,
 * invalidate, rewrite), it cannot. A non-coherent SMMU makes the table code
 * clean after each step, and the fixture watches the device at each clean.
 * The engine does break-before-make: no conflict at any step (the planted
 * versions above keep the model's detection honest; before the engine did,
 * this test saw 3 conflicts).
 */
void test_tlb_conflict_library_strip(void **state)
{
	struct fx *f = *state;
	struct pdom a = {0};
	struct iomm_dev da;
	const uint64_t va = 0x100000, pa = 0x40000000;
	f->mcfg.cohacc = false; /* the table code cleans after every change */
	f->on_clean = watch_clean; /* after the model saw the clean */
	f->on_clean_ctx = &watch;
	watch = (struct strip_watch){.iova = va + 0x6010};
	conflict_setup(f, &a, &da, va, pa);
	assert_int_equal(fx_xlate(f, 1, va + 0x6010, RD), pa + 0x6010);
	assert_true(tlb_at(f, va)->contig);

	watch.f = f;
	assert_int_equal(iomm_unmap(&a.dom, va + 0x5000, SZ4K, NULL), IOMM_OK);
	watch.f = NULL;
	assert_true(watch.cleans > 0);
	/* afterwards the group is gone and the rest translates page by page */
	assert_int_equal(fx_dma(f, 1, va + 0x5000, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(fx_xlate(f, 1, va + 0x6010, RD), pa + 0x6010);
	assert_int_equal(fx_xlate(f, 1, va + 0x4010, RD), pa + 0x4010);
	assert_false(*bfx_lpae_desc(&a.dom, va) & D_CONT);
	if (watch.conflicts)
		fail_msg("%u TLB conflict(s) while the Contiguous hint was cleared (no "
			 "break-before-make)",
			 watch.conflicts);
	fx_check_hygiene(f);
}

/*
 * A partial unmap of a live 2 MiB block replaces the block by a table of
 * smaller leaves. Without break-before-make (the block's entry invalid, its
 * TLB entry invalidated, then the table link written) the TLB may hold the
 * block's entry and a page entry from the new table at once: a TLB conflict
 * (Arm ARM D8.16.1 "Using break-before-make when updating translation table
 * entries", a change of block size; IHI 0070 F_TLB_CONFLICT). Only an SMMU
 * with IDR3.BBML level 2 tolerates the change without it; this model
 * reports BBML 0. The fixture watches the device at every clean of the
 * table code, as above.
 */
void test_tlb_conflict_block_split(void **state)
{
	struct fx *f = *state;
	struct pdom a = {0};
	struct iomm_dev da;
	const uint64_t va = 0x400000, pa = 0x40000000;
	f->mcfg.cohacc = false; /* the table code cleans after every change */
	f->mcfg.tlb_conflict = true;
	f->on_clean = watch_clean; /* after the model saw the clean */
	f->on_clean_ctx = &watch;
	watch = (struct strip_watch){.iova = va + 0x6010};
	fx_start(f);
	assert_int_equal(f->smmu.features & (IOMM_SMMUV3_F_BBML1 | IOMM_SMMUV3_F_BBML2), 0);
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	fx_attach(f, &da, &a.dom, 1, 0);
	assert_int_equal(iomm_map(&a.dom, va, pa, SZ2M, RW), IOMM_OK);
	/* the TLB holds the block */
	assert_int_equal(fx_xlate(f, 1, va + 0x6010, RD), pa + 0x6010);
	assert_int_equal(tlb_at(f, va)->size_log2, 21);

	watch.f = f;
	assert_int_equal(iomm_unmap(&a.dom, va + 0x100000, SZ4K, NULL), IOMM_OK);
	watch.f = NULL;
	assert_true(watch.cleans > 0);
	/* the rest of the block translates through the new table */
	assert_int_equal(fx_dma(f, 1, va + 0x100000, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(fx_xlate(f, 1, va + 0x6010, RD), pa + 0x6010);
	assert_int_equal(fx_xlate(f, 1, va + 0x101010, RD), pa + 0x101010);
	assert_int_equal(tlb_at(f, va + 0x101000)->size_log2, 12);
	if (watch.conflicts)
		fail_msg("%u TLB conflict(s) while a block was split (no break-before-make)",
			 watch.conflicts);
	fx_check_hygiene(f);
}
