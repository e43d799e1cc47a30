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
 * still hold the level-2 block entry, so a range invalidation with a level
 * hint must name level 2 or none: with TTL = 3 it only reaches level-3
 * entries (IHI 0070 4.4.1, "TTL": an entry of another level need not be
 * invalidated) and the unmapped page stays reachable.
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

	/* planted defect: the split reported as a change of level 3 only */
	assert_int_equal(fx_xlate(f, 1, 0x512340, RD), 0x40112340);
	assert_int_equal(f->model.tlb[0].level, 2);
	struct iomm_gather g;
	iomm_gather_init(&g);
	assert_int_equal(iomm_pgt_unmap(&a.dom.pgt, 0x500000, SZ4K, &g, NULL), IOMM_OK);
	assert_true(g.tables);		     /* a block became a table */
	assert_int_equal(g.levels, 1u << 2); /* the entry changed is the level-2 one */
	struct iomm_gather wrong = g;
	wrong.tables = false;
	wrong.levels = 1u << 3;
	fx_snap(f);
	flush_gather(&a.dom, &wrong);
	const struct smmuv3_model_cmd_log_entry *e = fx_find(f, OP_NH_VA, 0);
	assert_non_null(e);
	assert_int_equal(C_TG(e->w[1]), 1);
	assert_int_equal(C_TTL(e->w[1]), 3);
	assert_int_equal(f->model.stats.cmd_errors, f->snap_cmd_errors);
	/* the block entry survived: the unmapped page still reaches its old memory */
	assert_int_equal(fx_xlate(f, 1, 0x500000, RD), 0x40100000);

	/* the gather the table really produced: no level hint, the block goes */
	fx_snap(f);
	flush_gather(&a.dom, &g);
	e = fx_find(f, OP_NH_VA, 0);
	assert_non_null(e);
	assert_int_equal(C_TTL(e->w[1]), 0);
	iomm_pgt_gather_release(&g);
	assert_int_equal(fx_dma(f, 1, 0x500000, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(fx_xlate(f, 1, 0x501008, RD), 0x40101008);

	/* the library's own path on the second block */
	assert_int_equal(fx_xlate(f, 1, 0x9ff000, RD), 0x501ff000);
	fx_snap(f);
	assert_int_equal(iomm_unmap(&a.dom, 0x9ff000, SZ4K, NULL), IOMM_OK);
	e = fx_find(f, OP_NH_VA, 0);
	assert_non_null(e);
	assert_true(C_TTL(e->w[1]) == 0 || C_TTL(e->w[1]) == 2);
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
