/* SPDX-License-Identifier: BSD-3-Clause */
/* test_smmuv3.c, sections 5. commands per operation; 6. a command queue the SMMU stops consuming; 8. event queue overflow; 9. init failures. */
#include "test_smmuv3.h"

#include <stdlib.h>
#include <string.h>

/* ==== 5. commands per operation ============================================ */

/* Mapping over invalid entries needs no invalidation: no command at all. */
void test_cmds_map_sends_none(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom a, b;
	struct iomm_dev da, db;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	pdom_up(f, &b, IOMM_DOMAIN_S2);
	fx_attach(f, &da, &a.dom, 1, 0);
	fx_attach(f, &db, &b.dom, 2, 0);
	fx_snap(f);
	assert_int_equal(iomm_map(&a.dom, 0x100000, 0x40000000, 16 * SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&a.dom, SZ2M, 0x40200000, SZ2M, RW), IOMM_OK);
	assert_int_equal(iomm_map(&b.dom, 0x100000, 0x50000000, 16 * SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&b.dom, SZ2M, 0x50200000, SZ2M, IOMM_READ), IOMM_OK);
	assert_int_equal(f->smmu.stats.cmds, f->snap_stats.cmds);
	assert_int_equal(f->smmu.stats.syncs, f->snap_stats.syncs);
	assert_int_equal(fx_consumed(f), 0);
	assert_int_equal(fx_nlog(f), 0);
	/* and the mappings are live anyway */
	assert_int_equal(fx_xlate(f, 1, 0x10f008, RD), 0x4000f008);
	assert_int_equal(fx_xlate(f, 1, 0x3ff000, WR), 0x403ff000);
	assert_int_equal(fx_xlate(f, 2, 0x100000, WR), 0x50000000);
	assert_int_equal(fx_xlate(f, 2, 0x300000, RD), 0x50300000);
	fx_check_hygiene(f);
}

/* One page, no range invalidation: one TLBI by address plus one CMD_SYNC. */
void test_cmds_unmap_page(void **state)
{
	struct fx *f = *state;
	f->mcfg.ril = false;
	fx_start(f);
	struct pdom a, b;
	struct iomm_dev da, db;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	pdom_up(f, &b, IOMM_DOMAIN_S2);
	fx_attach(f, &da, &a.dom, 1, 0);
	fx_attach(f, &db, &b.dom, 2, 0);
	assert_int_equal(iomm_map(&a.dom, 0x123000, 0x40000000, SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&b.dom, 0x456000, 0x50000000, SZ4K, RW), IOMM_OK);
	assert_int_equal(fx_xlate(f, 1, 0x123000, RD), 0x40000000);
	assert_int_equal(fx_xlate(f, 2, 0x456000, RD), 0x50000000);

	/* stage 1: TLBI_NH_VA with the domain's ASID */
	fx_snap(f);
	assert_int_equal(iomm_unmap(&a.dom, 0x123000, SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_consumed(f), 2);
	assert_int_equal(fx_ops(f, OP_NH_VA), 1);
	assert_int_equal(fx_ops(f, OP_SYNC), 1);
	assert_int_equal(f->smmu.stats.cmds - f->snap_stats.cmds, 2);
	assert_int_equal(f->smmu.stats.tlbi - f->snap_stats.tlbi, 1);
	assert_int_equal(f->smmu.stats.syncs - f->snap_stats.syncs, 1);
	const struct smmuv3_model_cmd_log_entry *e = fx_log(f, 0);
	assert_int_equal(e->op, OP_NH_VA);
	assert_int_not_equal(a.dom.id, 0);
	assert_int_equal(C_ASID(e->w[0]), a.dom.id);
	assert_int_equal(C_VMID(e->w[0]), 0);
	assert_int_equal(C_ADDR(e->w[1]), 0x123000);
	assert_int_equal(C_LEAF(e->w[1]), 1);
	assert_int_equal(fx_log(f, 1)->op, OP_SYNC);
	assert_int_equal(fx_dma(f, 1, 0x123000, RD, NULL), -EV_TRANSLATION);

	/* stage 2: TLBI_S2_IPA with the domain's VMID */
	fx_snap(f);
	assert_int_equal(iomm_unmap(&b.dom, 0x456000, SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_consumed(f), 2);
	assert_int_equal(fx_ops(f, OP_S2_IPA), 1);
	assert_int_equal(fx_ops(f, OP_SYNC), 1);
	e = fx_log(f, 0);
	assert_int_equal(e->op, OP_S2_IPA);
	assert_int_not_equal(b.dom.id, 0);
	assert_int_equal(C_VMID(e->w[0]), b.dom.id);
	assert_int_equal(C_ADDR(e->w[1]), 0x456000);
	assert_int_equal(C_LEAF(e->w[1]), 1);
	assert_int_equal(fx_log(f, 1)->op, OP_SYNC);
	assert_int_equal(fx_dma(f, 2, 0x456000, RD, NULL), -EV_TRANSLATION);

	/* unmapping nothing sends nothing */
	fx_snap(f);
	assert_int_equal(iomm_unmap(&a.dom, 0x900000, SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_consumed(f), 0);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	fx_check_hygiene(f);
}

/* One page with range invalidation: the range form with TG and the level hint. */
void test_cmds_unmap_page_ril(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	assert_true(f->smmu.features & IOMM_SMMUV3_F_RIL);
	struct pdom a, b;
	struct iomm_dev da, db;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	pdom_up(f, &b, IOMM_DOMAIN_S2);
	fx_attach(f, &da, &a.dom, 1, 0);
	fx_attach(f, &db, &b.dom, 2, 0);
	assert_int_equal(iomm_map(&a.dom, 0x123000, 0x40000000, SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&b.dom, 0x456000, 0x50000000, SZ4K, RW), IOMM_OK);
	assert_int_equal(fx_xlate(f, 1, 0x123000, RD), 0x40000000);
	assert_int_equal(fx_xlate(f, 2, 0x456000, RD), 0x50000000);

	fx_snap(f);
	assert_int_equal(iomm_unmap(&a.dom, 0x123000, SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_consumed(f), 2);
	const struct smmuv3_model_cmd_log_entry *e = fx_find(f, OP_NH_VA, 0);
	assert_non_null(e);
	assert_int_equal(C_ASID(e->w[0]), a.dom.id);
	assert_int_equal(C_TG(e->w[1]), 1);  /* 4 KiB */
	assert_int_equal(C_TTL(e->w[1]), 3); /* a level-3 page */
	assert_int_equal(C_NUM(e->w[0]), 0); /* (0 + 1) << 0 = one page */
	assert_int_equal(C_SCALE(e->w[0]), 0);
	assert_int_equal(C_ADDR(e->w[1]), 0x123000);
	assert_int_equal(fx_dma(f, 1, 0x123000, RD, NULL), -EV_TRANSLATION);

	fx_snap(f);
	assert_int_equal(iomm_unmap(&b.dom, 0x456000, SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_consumed(f), 2);
	e = fx_find(f, OP_S2_IPA, 0);
	assert_non_null(e);
	assert_int_equal(C_VMID(e->w[0]), b.dom.id);
	assert_int_equal(C_TG(e->w[1]), 1);
	assert_int_equal(C_TTL(e->w[1]), 3);
	assert_int_equal(C_NUM(e->w[0]) | C_SCALE(e->w[0]), 0);
	assert_int_equal(fx_dma(f, 2, 0x456000, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	fx_check_hygiene(f);
}

/* Without range invalidation: up to the threshold (32) one TLBI per page and
 * still one CMD_SYNC; beyond it one ASID- or VMID-wide command. */
void test_cmds_unmap_wide(void **state)
{
	struct fx *f = *state;
	f->mcfg.ril = false;
	fx_start(f);
	struct pdom a, b;
	struct iomm_dev da, db;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	pdom_up(f, &b, IOMM_DOMAIN_S2);
	fx_attach(f, &da, &a.dom, 1, 0);
	fx_attach(f, &db, &b.dom, 2, 0);
	const uint64_t base = 0x100000;
	assert_int_equal(iomm_map(&a.dom, base, 0x40000000, 256 * SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&b.dom, base, 0x50000000, 256 * SZ4K, RW), IOMM_OK);
	for (uint64_t i = 0; i < 256; i++) {
		fx_xlate(f, 1, base + i * SZ4K, RD);
		fx_xlate(f, 2, base + i * SZ4K, RD);
	}
	assert_int_equal(smmuv3_model_tlb_count(&f->model), 512);

	/* exactly the threshold: 32 page commands, one sync */
	fx_snap(f);
	assert_int_equal(iomm_unmap(&a.dom, base, 32 * SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_ops(f, OP_NH_VA), 32);
	assert_int_equal(fx_ops(f, OP_NH_ASID), 0);
	assert_int_equal(fx_ops(f, OP_SYNC), 1);
	assert_int_equal(fx_consumed(f), 33);
	assert_int_equal(smmuv3_model_tlb_count(&f->model), 512 - 32);

	/* 224 pages: one TLBI_NH_ASID */
	fx_snap(f);
	assert_int_equal(iomm_unmap(&a.dom, base + 32 * SZ4K, 224 * SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_ops(f, OP_NH_ASID), 1);
	assert_int_equal(fx_ops(f, OP_NH_VA), 0);
	assert_int_equal(fx_ops(f, OP_SYNC), 1);
	assert_int_equal(fx_consumed(f), 2);
	assert_int_equal(f->smmu.stats.tlbi - f->snap_stats.tlbi, 1);
	assert_int_equal(C_ASID(fx_find(f, OP_NH_ASID, 0)->w[0]), a.dom.id);
	assert_int_equal(smmuv3_model_tlb_count(&f->model), 256);

	/* stage 2, 256 pages: one TLBI_S12_VMALL */
	fx_snap(f);
	assert_int_equal(iomm_unmap(&b.dom, base, 256 * SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_ops(f, OP_S12_VMALL), 1);
	assert_int_equal(fx_ops(f, OP_S2_IPA), 0);
	assert_int_equal(fx_ops(f, OP_SYNC), 1);
	assert_int_equal(fx_consumed(f), 2);
	assert_int_equal(C_VMID(fx_find(f, OP_S12_VMALL, 0)->w[0]), b.dom.id);
	assert_int_equal(smmuv3_model_tlb_count(&f->model), 0);

	assert_int_equal(fx_dma(f, 1, base, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(fx_dma(f, 1, base + 255 * SZ4K, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(fx_dma(f, 2, base + 128 * SZ4K, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	fx_check_hygiene(f);
}

/* cfg.inv_threshold moves the point where per-page commands become one
 * ASID-wide command. */
void test_cmds_threshold_option(void **state)
{
	struct fx *f = *state;
	f->mcfg.ril = false;
	f->cfg.inv_threshold = 4;
	fx_start(f);
	struct pdom a = {0};
	struct iomm_dev da;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	fx_attach(f, &da, &a.dom, 1, 0);
	assert_int_equal(iomm_map(&a.dom, 0x100000, 0x40000000, 9 * SZ4K, RW), IOMM_OK);
	fx_snap(f);
	assert_int_equal(iomm_unmap(&a.dom, 0x100000, 4 * SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_ops(f, OP_NH_VA), 4);
	assert_int_equal(fx_ops(f, OP_NH_ASID), 0);
	fx_snap(f);
	assert_int_equal(iomm_unmap(&a.dom, 0x104000, 5 * SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_ops(f, OP_NH_VA), 0);
	assert_int_equal(fx_ops(f, OP_NH_ASID), 1);
	assert_int_equal(fx_ops(f, OP_SYNC), 1);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	fx_check_hygiene(f);
}

/* With range invalidation, 256 aligned pages are one command, and the model
 * drops exactly those 256 translations, not their neighbours. */
void test_cmds_unmap_range_ril(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom a = {0};
	struct iomm_dev da;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	fx_attach(f, &da, &a.dom, 1, 0);
	const uint64_t lo = 0xff000, hi = 0x200000; /* one page either side */
	assert_int_equal(iomm_map(&a.dom, lo, 0x40000000, hi + SZ4K - lo, RW), IOMM_OK);
	for (uint64_t v = lo; v <= hi; v += SZ4K)
		fx_xlate(f, 1, v, RD);
	assert_int_equal(smmuv3_model_tlb_count(&f->model), 258);

	fx_snap(f);
	uint64_t inv = f->model.stats.tlb_invalidated;
	assert_int_equal(iomm_unmap(&a.dom, 0x100000, 256 * SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_ops(f, OP_NH_VA), 1);
	assert_int_equal(fx_ops(f, OP_SYNC), 1);
	assert_int_equal(fx_consumed(f), 2);
	const struct smmuv3_model_cmd_log_entry *e = fx_find(f, OP_NH_VA, 0);
	assert_int_equal(C_ADDR(e->w[1]), 0x100000);
	assert_int_equal(C_TG(e->w[1]), 1);
	assert_int_equal(C_SCALE(e->w[0]), 8); /* (0 + 1) << 8 pages */
	assert_int_equal(C_NUM(e->w[0]), 0);
	assert_int_equal(C_TTL(e->w[1]), 3);
	assert_int_equal(f->model.stats.tlb_invalidated - inv, 256);
	assert_int_equal(smmuv3_model_tlb_count(&f->model), 2);

	/* the neighbours are still served from the TLB */
	uint64_t hits = f->model.stats.tlb_hits, misses = f->model.stats.tlb_misses;
	assert_int_equal(fx_xlate(f, 1, lo, RD), 0x40000000);
	assert_int_equal(fx_xlate(f, 1, hi, RD), 0x40000000 + hi - lo);
	assert_int_equal(f->model.stats.tlb_hits - hits, 2);
	assert_int_equal(f->model.stats.tlb_misses, misses);
	assert_int_equal(fx_dma(f, 1, 0x100000, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(fx_dma(f, 1, hi - SZ4K, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	fx_check_hygiene(f);
}

/* A 2 MiB block, with range invalidation: one command, TG 4K, level hint 2. */
void test_cmds_unmap_block_ril(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom a = {0};
	struct iomm_dev da;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	fx_attach(f, &da, &a.dom, 1, 0);
	assert_int_equal(iomm_map(&a.dom, 0x400000, 0x40000000, SZ2M, RW), IOMM_OK);
	assert_int_equal(fx_xlate(f, 1, 0x512340, RD), 0x40112340);
	assert_int_equal(f->model.tlb[0].level, 2); /* it is a block */

	fx_snap(f);
	assert_int_equal(iomm_unmap(&a.dom, 0x400000, SZ2M, NULL), IOMM_OK);
	assert_int_equal(fx_ops(f, OP_NH_VA), 1);
	assert_int_equal(fx_ops(f, OP_SYNC), 1);
	assert_int_equal(fx_consumed(f), 2);
	assert_int_equal(f->smmu.stats.tlbi - f->snap_stats.tlbi, 1);
	const struct smmuv3_model_cmd_log_entry *e = fx_find(f, OP_NH_VA, 0);
	assert_int_equal(C_ADDR(e->w[1]), 0x400000);
	assert_int_equal(C_TG(e->w[1]), 1);
	assert_int_equal(C_TTL(e->w[1]), 2);
	assert_int_equal(C_SCALE(e->w[0]), 9);
	assert_int_equal(C_NUM(e->w[0]), 0);
	assert_int_equal(fx_dma(f, 1, 0x512340, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	fx_check_hygiene(f);
}

/* With range invalidation, one unmap removing a page and a block (two leaf
 * levels, so no level hint): every command must be legal and every removed
 * translation must go. A range command with TTL, NUM and SCALE all zero is
 * a reserved encoding (the model rejects it with CERROR_ILL). */
void test_cmds_unmap_mixed_levels_ril(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom a = {0};
	struct iomm_dev da;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	fx_attach(f, &da, &a.dom, 1, 0);
	assert_int_equal(iomm_map(&a.dom, 0x1ff000, 0x30000000, SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&a.dom, 0x200000, 0x40000000, SZ2M, RW), IOMM_OK);
	assert_int_equal(fx_xlate(f, 1, 0x1ff000, RD), 0x30000000);
	assert_int_equal(fx_xlate(f, 1, 0x300000, RD), 0x40100000);

	fx_snap(f);
	uint64_t unmapped = 0;
	int rc = iomm_unmap(&a.dom, 0x1ff000, 0x400000 - 0x1ff000, &unmapped);
	assert_int_equal(unmapped, SZ4K + SZ2M);
	/* both translations are gone */
	assert_int_equal(fx_dma(f, 1, 0x300000, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(fx_dma(f, 1, 0x1ff000, RD, NULL), -EV_TRANSLATION);
	/* and the SMMU accepted every command */
	assert_int_equal(f->model.stats.cmd_errors, f->snap_cmd_errors);
	assert_int_equal(f->smmu.stats.cmd_errors, 0);
	assert_int_equal(rc, IOMM_OK);
	fx_check_hygiene(f);
}

/* Detach: the streams abort at once (their cached STEs are gone); one
 * CFGI_STE for each stream of the device, then one CMD_SYNC. */
void test_cmds_detach(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom a = {0};
	struct iomm_dev dev;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	assert_int_equal(iomm_map(&a.dom, 0x100000, 0x40000000, SZ4K, RW), IOMM_OK);
	fx_attach(f, &dev, &a.dom, 8, 3); /* streams 8..11 */
	for (uint32_t sid = 8; sid < 12; sid++) {
		assert_int_equal(fx_xlate(f, sid, 0x100000, RD), 0x40000000);
		assert_true(smmuv3_model_ste_cached(&f->model, sid));
	}
	assert_int_equal(fx_dma(f, 12, 0x100000, RD, NULL), SMMUV3_MODEL_ABORT);

	fx_snap(f);
	assert_int_equal(iomm_detach(&dev), IOMM_OK);
	for (uint32_t sid = 8; sid < 12; sid++) {
		assert_false(smmuv3_model_ste_cached(&f->model, sid));
		assert_int_equal(fx_dma(f, sid, 0x100000, RD, NULL), SMMUV3_MODEL_ABORT);
	}
	for (unsigned i = 0; i < 4; i++) {
		const struct smmuv3_model_cmd_log_entry *e = fx_find(f, OP_CFGI_STE, i);
		assert_non_null(e);
		assert_int_equal(C_SID(e->w[0]), 8 + i);
	}
	assert_int_equal(fx_log(f, fx_nlog(f) - 1)->op, OP_SYNC);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	assert_int_equal(fx_poll(f), 0);
	fx_check_hygiene(f);
	/* one round is enough: the new entry (abort) grants nothing, so there
	 * is no intermediate state to pass through first */
	assert_int_equal(fx_ops(f, OP_CFGI_STE), 4);
	assert_int_equal(fx_ops(f, OP_SYNC), 1);
	assert_int_equal(fx_consumed(f), 5);
}

/* Attach of a fresh (aborting) stream: its STE is written and invalidated
 * once. Attach of a stream whose STE still grants access (left by an earlier
 * owner: white-box, written into the table by hand) goes through abort
 * first: CFGI_STE + CMD_SYNC, then the new STE, CFGI_STE + CMD_SYNC. */
void test_cmds_attach(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom a = {0};
	struct iomm_dev fresh, live;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	assert_int_equal(iomm_map(&a.dom, 0x100000, 0x40000000, SZ4K, RW), IOMM_OK);

	assert_int_equal(fx_dma(f, 30, 0x100000, RD, NULL), SMMUV3_MODEL_ABORT);
	fx_snap(f);
	fx_attach(f, &fresh, &a.dom, 30, 0);
	assert_int_equal(fx_ops(f, OP_CFGI_STE), 1);
	assert_int_equal(fx_ops(f, OP_SYNC), 1);
	assert_int_equal(fx_consumed(f), 2);
	assert_int_equal(C_SID(fx_log(f, 0)->w[0]), 30);
	assert_int_equal(fx_xlate(f, 30, 0x100000, RD), 0x40000000);

	/* stream 31 bypasses (V = 1, Config = 0b100), and the SMMU has it cached */
	uint64_t *ste = fx_ste(f, 31);
	for (unsigned w = 1; w < 8; w++)
		le64_store(&ste[w], 0);
	le64_store(&ste[0], 1u | (4u << 1));
	smmuv3_model_drop_caches(&f->model);
	assert_int_equal(fx_xlate(f, 31, 0x100000, RD), 0x100000);
	assert_true(smmuv3_model_ste_cached(&f->model, 31));

	fx_snap(f);
	fx_attach(f, &live, &a.dom, 31, 0);
	assert_int_equal(fx_consumed(f), 4);
	assert_int_equal(fx_log(f, 0)->op, OP_CFGI_STE);
	assert_int_equal(C_SID(fx_log(f, 0)->w[0]), 31);
	assert_int_equal(fx_log(f, 1)->op, OP_SYNC);
	assert_int_equal(fx_log(f, 2)->op, OP_CFGI_STE);
	assert_int_equal(C_SID(fx_log(f, 2)->w[0]), 31);
	assert_int_equal(fx_log(f, 3)->op, OP_SYNC);
	assert_int_equal(fx_xlate(f, 31, 0x100000, RD), 0x40000000);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	fx_check_hygiene(f);
}

/* 2-level stream table: a level-2 span comes from the pool on the first
 * attach of a stream in it, and only then; a descriptor the SMMU cached
 * while it was invalid is invalidated. */
void test_stream_table_2lvl(void **state)
{
	struct fx *f = *state;
	f->cfg.flags = IOMM_SMMUV3_CFG_2LVL;
	f->strtab_size = 64u * 8u; /* 64 spans of 64 streams: 12 SID bits */
	f->mcfg.cache_invalid_cfg = true;
	fx_start(f);
	assert_int_equal(f->smmu.unit.sid_bits, 12);
	assert_int_equal(iomm_pool_used(f->st_pool), 0);

	struct pdom a = {0};
	struct iomm_dev d70, d71, d128, d4095, bad;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	assert_int_equal(iomm_map(&a.dom, 0x100000, 0x40000000, SZ4K, RW), IOMM_OK);

	/* no span yet: the stream is unknown, and its empty descriptor gets cached */
	assert_int_equal(fx_dma(f, 70, 0x100000, RD, NULL), -EV_BAD_STREAMID);
	assert_int_equal(fx_poll(f), 1);
	assert_int_equal(f->faults[0].reason, IOMM_FAULT_BAD_STREAM);

	fx_attach(f, &d70, &a.dom, 70, 0);
	assert_int_equal(iomm_pool_used(f->st_pool), 1);
	assert_int_equal(fx_xlate(f, 70, 0x100008, RD), 0x40000008);
	fx_attach(f, &d71, &a.dom, 71, 0);
	assert_int_equal(iomm_pool_used(f->st_pool), 1);
	assert_int_equal(fx_xlate(f, 71, 0x100008, RD), 0x40000008);
	/* a neighbour in the span aborts */
	assert_int_equal(fx_dma(f, 72, 0x100000, RD, NULL), SMMUV3_MODEL_ABORT);

	fx_attach(f, &d128, &a.dom, 128, 0);
	assert_int_equal(iomm_pool_used(f->st_pool), 2);
	fx_attach(f, &d4095, &a.dom, 4095, 0);
	assert_int_equal(iomm_pool_used(f->st_pool), 3);
	assert_int_equal(fx_xlate(f, 128, 0x100010, RD), 0x40000010);
	assert_int_equal(fx_xlate(f, 4095, 0x100010, WR), 0x40000010);

	struct iomm_devid id = IOMM_SID(4096);
	assert_int_equal(iomm_dev_init(&bad, &f->smmu.unit, &id), IOMM_ERANGE);

	assert_int_equal(iomm_detach(&d70), IOMM_OK);
	assert_int_equal(fx_dma(f, 70, 0x100000, RD, NULL), SMMUV3_MODEL_ABORT);
	assert_int_equal(fx_xlate(f, 71, 0x100000, RD), 0x40000000);
	fx_attach(f, &d70, &a.dom, 70, 0);
	assert_int_equal(iomm_pool_used(f->st_pool), 3);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	assert_int_equal(fx_poll(f), 0);
	fx_check_hygiene(f);
}

/* 2-level stream table whose span pool runs dry: the attach fails with
 * ENOMEM and the stream stays unusable. */
void test_stream_table_2lvl_no_memory(void **state)
{
	struct fx *f = *state;
	f->cfg.flags = IOMM_SMMUV3_CFG_2LVL;
	f->strtab_size = 64u * 8u;
	f->st_pool = fx_pool(f, 4096, 1);
	fx_start(f);
	struct pdom a = {0};
	struct iomm_dev d0, d64;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	assert_int_equal(iomm_map(&a.dom, 0x100000, 0x40000000, SZ4K, RW), IOMM_OK);
	fx_attach(f, &d0, &a.dom, 0, 0);
	struct iomm_devid id = IOMM_SID(64);
	assert_int_equal(iomm_dev_init(&d64, &f->smmu.unit, &id), IOMM_OK);
	assert_int_equal(iomm_attach(&a.dom, &d64), IOMM_ENOMEM);
	assert_int_equal(iomm_detach(&d64), IOMM_ENOENT);
	assert_int_not_equal(fx_dma(f, 64, 0x100000, RD, NULL), 0);
	assert_int_equal(fx_xlate(f, 0, 0x100000, RD), 0x40000000);
	fx_poll(f);
	fx_check_hygiene(f);
}

/* ==== 6. a command queue the SMMU stops consuming ========================== */

/* The unmap gives up after the timeout (fake time), reporting that the page
 * is out of the table but may still be cached; nothing hangs. Once the SMMU
 * runs again the queued invalidation takes effect and later calls work. */
void test_cmdq_stall_timeout(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom a, b;
	struct iomm_dev dev;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	pdom_up(f, &b, IOMM_DOMAIN_S1);
	assert_int_equal(iomm_map(&a.dom, 0x100000, 0x40000000, 2 * SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&b.dom, 0x100000, 0x41000000, SZ4K, RW), IOMM_OK);
	fx_attach(f, &dev, &a.dom, 1, 0);
	assert_int_equal(fx_xlate(f, 1, 0x100000, RD), 0x40000000);

	f->model.cfg.stall_cmdq = true;
	uint64_t t0 = f->px.fake_now, calls0 = f->px.now_calls;
	uint64_t errors = iomm_posix_log_count(&f->px, IOMM_LOG_ERROR);
	uint64_t unmapped = 0;
	assert_int_equal(iomm_unmap(&a.dom, 0x100000, SZ4K, &unmapped), IOMM_ETIMEDOUT);
	assert_int_equal(unmapped, SZ4K);
	assert_true(f->px.fake_now - t0 >= UINT64_C(100000000)); /* the default bound */
	assert_true(f->px.now_calls - calls0 < 10000);		 /* and not much more */
	assert_true(iomm_posix_log_count(&f->px, IOMM_LOG_ERROR) > errors);
	assert_int_equal(iomm_iova_to_phys(&a.dom, 0x100000, &(uint64_t){0}), IOMM_ENOENT);
	/* as documented: still cached, the SMMU never saw the TLBI */
	assert_int_equal(fx_xlate(f, 1, 0x100000, RD), 0x40000000);

	/* a domain whose teardown is not confirmed keeps its table pages */
	size_t used = iomm_pool_used(b.pool);
	assert_int_equal(iomm_domain_destroy(&b.dom), IOMM_ETIMEDOUT);
	assert_int_equal(iomm_pool_used(b.pool), used);

	/* the SMMU comes back and drains what was queued */
	f->model.cfg.stall_cmdq = false;
	smmuv3_model_process(&f->model);
	assert_int_equal(fx_dma(f, 1, 0x100000, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(fx_xlate(f, 1, 0x101000, RD), 0x40001000);
	assert_int_equal(iomm_unmap(&a.dom, 0x101000, SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_dma(f, 1, 0x101000, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(iomm_map(&a.dom, 0x100000, 0x42000000, SZ4K, RW), IOMM_OK);
	assert_int_equal(fx_xlate(f, 1, 0x100000, RD), 0x42000000);
	assert_int_equal(fx_poll(f), 2);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	fx_check_hygiene(f);
}

/* A command the SMMU rejects (white-box: an unknown opcode put in the queue
 * behind the backend's back): the backend finds GERROR.CMDQ_ERR, replaces
 * the command, acknowledges, counts and reports it; its own invalidation
 * still happens. */
void test_cmdq_error_recovery(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom a = {0};
	struct iomm_dev dev;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	assert_int_equal(iomm_map(&a.dom, 0x100000, 0x40000000, 2 * SZ4K, RW), IOMM_OK);
	fx_attach(f, &dev, &a.dom, 1, 0);
	assert_int_equal(fx_xlate(f, 1, 0x100000, RD), 0x40000000);
	assert_int_equal(fx_xlate(f, 1, 0x101000, RD), 0x40001000);

	struct iomm_smmuv3 *s = &f->smmu;
	uint32_t entries = 1u << s->cmdq_shift;
	uint8_t *slot = (uint8_t *)f->mem.cmdq + 16u * (s->cmdq_prod & (entries - 1));
	le64_store(slot, 0xffu); /* a reserved opcode */
	le64_store(slot + 8, 0);
	s->cmdq_prod = (s->cmdq_prod + 1) & ((2u << s->cmdq_shift) - 1);

	fx_snap(f);
	uint64_t errors = iomm_posix_log_count(&f->px, IOMM_LOG_ERROR);
	int rc = iomm_unmap(&a.dom, 0x100000, SZ4K, NULL);
	/* the backend reports a recovered command error as IOMM_EIO */
	assert_int_equal(rc, IOMM_EIO);
	assert_int_equal(s->stats.cmd_errors, 1);
	assert_int_equal(f->model.stats.cmd_errors - f->snap_cmd_errors, 1);
	assert_int_equal(fx_log(f, 0)->op, 0xffu);
	assert_int_equal(fx_log(f, 0)->err, SMMUV3_M_CERROR_ILL);
	assert_false(smmuv3_model_cmdq_error(&f->model));
	assert_true(iomm_posix_log_count(&f->px, IOMM_LOG_ERROR) > errors);
	/* the invalidation behind it was executed */
	assert_int_equal(fx_ops(f, OP_NH_VA), 1);
	assert_int_equal(fx_dma(f, 1, 0x100000, RD, NULL), -EV_TRANSLATION);

	/* and the queue is healthy again */
	fx_snap(f);
	assert_int_equal(iomm_unmap(&a.dom, 0x101000, SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_consumed(f), 2);
	assert_int_equal(s->stats.cmd_errors, 1);
	assert_int_equal(fx_dma(f, 1, 0x101000, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(fx_poll(f), 2); /* a command error is not a global error left active */
	fx_check_hygiene(f);
}

/* An external abort on every command fetch (CERROR_ABT) for a while: the
 * wait is still bounded by the timeout (about 100 polls of the fake clock),
 * and the command that could not be fetched is not lost: it is legal, and
 * once memory answers again the page is invalidated. */
void test_cmdq_fetch_abort(void **state)
{
	struct fx *f = *state;
	f->phys_base = UINT64_C(0x80000000);
	fx_start(f);
	struct pdom a = {0};
	struct iomm_dev dev;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	assert_int_equal(iomm_map(&a.dom, 0x100000, 0x40000000, 2 * SZ4K, RW), IOMM_OK);
	fx_attach(f, &dev, &a.dom, 1, 0);
	assert_int_equal(fx_xlate(f, 1, 0x100000, RD), 0x40000000);
	assert_int_equal(fx_xlate(f, 1, 0x101000, RD), 0x40001000);

	f->fail_lo = f->mem.cmdq_pa;
	f->fail_hi = f->mem.cmdq_pa + f->mem.cmdq_size;
	f->fail_budget = 5000;
	int rc = iomm_unmap(&a.dom, 0x100000, SZ4K, NULL);
	uint64_t tries = f->fail_hits;
	f->fail_budget = 0;
	assert_true(f->model.stats.cmd_errors > 0);
	assert_int_not_equal(rc, IOMM_OK);
	assert_true(tries < 1000); /* gave up near the timeout, not when memory came back */

	/* memory is back: the next call drains the queue, the first page went too */
	assert_int_equal(iomm_unmap(&a.dom, 0x101000, SZ4K, NULL) == IOMM_ETIMEDOUT, false);
	assert_int_equal(fx_dma(f, 1, 0x101000, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(fx_dma(f, 1, 0x100000, RD, NULL), -EV_TRANSLATION);
	assert_false(smmuv3_model_cmdq_error(&f->model));
}

/* The smallest queue (two slots) wraps many times in one call. */
void test_cmdq_tiny_queue(void **state)
{
	struct fx *f = *state;
	f->cmdq_size = 32;
	f->mcfg.ril = false;
	fx_start(f);
	struct pdom a = {0};
	struct iomm_dev dev;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	assert_int_equal(iomm_map(&a.dom, 0x100000, 0x40000000, 20 * SZ4K, RW), IOMM_OK);
	fx_attach(f, &dev, &a.dom, 1, 3);
	for (uint64_t i = 0; i < 20; i++)
		fx_xlate(f, 1, 0x100000 + i * SZ4K, RD);
	fx_snap(f);
	assert_int_equal(iomm_unmap(&a.dom, 0x100000, 20 * SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_ops(f, OP_NH_VA), 20);
	assert_int_equal(fx_ops(f, OP_SYNC), 1);
	for (uint64_t i = 0; i < 20; i++)
		assert_int_equal(fx_dma(f, 1, 0x100000 + i * SZ4K, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(iomm_detach(&dev), IOMM_OK);
	assert_int_equal(fx_dma(f, 2, 0x100000, RD, NULL), SMMUV3_MODEL_ABORT);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	assert_int_equal(fx_poll(f), 20);
	fx_check_hygiene(f);
}

/* ==== 8. event queue overflow ============================================== */

void test_evtq_overflow(void **state)
{
	struct fx *f = *state;
	f->mcfg.evtq_max_entries = 4;
	fx_start(f);
	struct pdom a = {0};
	struct iomm_dev dev;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	fx_attach(f, &dev, &a.dom, 7, 0);
	for (uint64_t i = 0; i < 10; i++)
		assert_int_equal(fx_dma(f, 7, 0x100000 + i * SZ4K, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(f->model.stats.events_written, 4);
	assert_int_equal(f->model.stats.events_overflowed, 6);

	assert_int_equal(fx_poll(f), 4);
	assert_int_equal(f->nfaults, 4);
	uint32_t lost = 0;
	unsigned with_lost = 0;
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(f->faults[i].addr, 0x100000 + i * SZ4K); /* the oldest ones */
		assert_int_equal(f->faults[i].sid, 7);
		lost += f->faults[i].lost;
		with_lost += f->faults[i].lost != 0;
	}
	assert_true(lost > 0);
	assert_int_equal(with_lost, 1);
	assert_int_equal(f->smmu.stats.overflows, 1);
	assert_true(iomm_posix_log_count(&f->px, IOMM_LOG_WARN) > 0);

	/* acknowledged: new faults are recorded again, with nothing lost */
	for (uint64_t i = 0; i < 2; i++)
		assert_int_equal(fx_dma(f, 7, 0x200000 + i * SZ4K, WR, NULL), -EV_TRANSLATION);
	assert_int_equal(f->model.stats.events_written, 6);
	assert_int_equal(fx_poll(f), 2);
	assert_int_equal(f->faults[0].addr, 0x200000);
	assert_int_equal(f->faults[1].addr, 0x201000);
	assert_int_equal(f->faults[0].lost + f->faults[1].lost, 0);
	assert_int_equal(f->smmu.stats.overflows, 1);
	assert_int_equal(fx_poll(f), 0);
	assert_int_equal(f->smmu.stats.events, 6);
	fx_check_hygiene(f);
}

/* The SMMU cannot write its event queue (GERROR.EVTQ_ABT_ERR): the poll
 * reports the global error once and acknowledges it; events flow again. */
void test_evtq_write_abort(void **state)
{
	struct fx *f = *state;
	f->phys_base = UINT64_C(0x80000000);
	fx_start(f);
	struct pdom a = {0};
	struct iomm_dev dev;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	fx_attach(f, &dev, &a.dom, 7, 0);
	f->wfail_lo = f->mem.evtq_pa;
	f->wfail_hi = f->mem.evtq_pa + f->mem.evtq_size;
	f->wfail_budget = 1;
	assert_int_equal(fx_dma(f, 7, 0x100000, RD, NULL), -EV_TRANSLATION);
	assert_true((f->model.gerror ^ f->model.gerrorn) & SMMUV3_M_GERROR_EVTQ_ABT);
	uint64_t errors = iomm_posix_log_count(&f->px, IOMM_LOG_ERROR);
	assert_int_equal(fx_poll(f), IOMM_EIO);
	assert_true(iomm_posix_log_count(&f->px, IOMM_LOG_ERROR) > errors);
	assert_false((f->model.gerror ^ f->model.gerrorn) & SMMUV3_M_GERROR_EVTQ_ABT);
	assert_int_equal(fx_poll(f), 0);
	assert_int_equal(fx_dma(f, 7, 0x200000, WR, NULL), -EV_TRANSLATION);
	assert_int_equal(fx_poll(f), 1);
	assert_int_equal(f->faults[0].addr, 0x200000);
	fx_check_hygiene(f);
}

/* ==== 9. init failures ===================================================== */

void test_init_cr0ack_timeout(void **state)
{
	struct fx *f = *state;
	f->mcfg.cr0ack_broken = true;
	assert_int_equal(fx_boot(f), IOMM_ETIMEDOUT);
	assert_true(f->px.fake_now >= UINT64_C(100000000));
	assert_true(iomm_posix_log_count(&f->px, IOMM_LOG_ERROR) > 0);
	/* translation never came on */
	assert_int_equal(f->model.cr0 & CR0_SMMUEN, 0);
	assert_int_equal(fx_dma(f, 0, 0x1000, RD, NULL), SMMUV3_MODEL_ABORT);
	/* a bounded wait with its own timeout */
	f->cfg.timeout_ns = 5000000;
	uint64_t t0 = f->px.fake_now;
	assert_int_equal(fx_boot(f), IOMM_ETIMEDOUT);
	assert_true(f->px.fake_now - t0 >= UINT64_C(5000000));
	assert_true(f->px.fake_now - t0 < UINT64_C(100000000));
}

void test_init_gbpa_timeout(void **state)
{
	struct fx *f = *state;
	f->mcfg.gbpa_broken = true;
	fx_port_up(f);
	iomm_posix_trace_enable(&f->px, true);
	assert_int_equal(fx_boot(f), IOMM_ETIMEDOUT);
	assert_true(f->px.fake_now >= UINT64_C(100000000));
	/* it gave up before touching CR0 or the stream table */
	for (size_t i = 0; i < iomm_posix_trace_count(&f->px) && i < FX_TRACE_CAP; i++) {
		const struct iomm_posix_mmio_access *a = iomm_posix_trace_get(&f->px, i);
		if (a->write)
			assert_int_equal(a->addr - FX_REGS, R_GBPA);
	}
}

static uint64_t zero_read(void *ctx, uint64_t offset, unsigned width)
{
	(void)ctx;
	(void)offset;
	(void)width;
	return 0;
}

/* Malformed memory, missing hooks and missing hardware are refused before
 * the SMMU is touched; then a correct init still works. */
void test_init_bad_arguments(void **state)
{
	struct fx *f = *state;
	fx_start(f); /* model, window and memory */
	const struct iomm_port *port = iomm_posix_port(&f->px);
	struct iomm_smmuv3 *s = &f->smmu;
	struct iomm_smmuv3_mem good = f->mem, m;
	uint64_t writes;

	assert_int_equal(iomm_smmuv3_init(NULL, port, FX_REGS, &good, NULL, NULL), IOMM_EINVAL);
	assert_int_equal(iomm_smmuv3_init(s, NULL, FX_REGS, &good, NULL, NULL), IOMM_EINVAL);
	assert_int_equal(iomm_smmuv3_init(s, port, FX_REGS, NULL, NULL, NULL), IOMM_EINVAL);

	writes = f->px.mmio_writes;
	uint8_t *big = fx_mem(f, 8192, 8192);
	/* command queue: misaligned (VA and PA), PA alone misaligned, too small, not 2^n */
	m = good;
	m.cmdq = big + 16;
	m.cmdq_pa = (uint64_t)(uintptr_t)(big + 16);
	assert_int_equal(iomm_smmuv3_init(s, port, FX_REGS, &m, NULL, NULL), IOMM_EINVAL);
	m = good;
	m.cmdq_pa += 2048;
	assert_int_equal(iomm_smmuv3_init(s, port, FX_REGS, &m, NULL, NULL), IOMM_EINVAL);
	m = good;
	m.cmdq_size = 16;
	assert_int_equal(iomm_smmuv3_init(s, port, FX_REGS, &m, NULL, NULL), IOMM_EINVAL);
	m = good;
	m.cmdq_size = 48;
	assert_int_equal(iomm_smmuv3_init(s, port, FX_REGS, &m, NULL, NULL), IOMM_EINVAL);
	/* event queue: misaligned, too small */
	m = good;
	m.evtq = big + 32;
	m.evtq_pa = (uint64_t)(uintptr_t)(big + 32);
	assert_int_equal(iomm_smmuv3_init(s, port, FX_REGS, &m, NULL, NULL), IOMM_EINVAL);
	m = good;
	m.evtq_size = 16;
	assert_int_equal(iomm_smmuv3_init(s, port, FX_REGS, &m, NULL, NULL), IOMM_EINVAL);
	/* stream table: too small, PA not 64-byte aligned, not aligned to its size */
	m = good;
	m.strtab_size = 32;
	assert_int_equal(iomm_smmuv3_init(s, port, FX_REGS, &m, NULL, NULL), IOMM_EINVAL);
	m = good;
	m.strtab_pa += 8;
	assert_int_equal(iomm_smmuv3_init(s, port, FX_REGS, &m, NULL, NULL), IOMM_EINVAL);
	m = good;
	{
		uint8_t *t = fx_mem(f, 65536, 32768);
		m.strtab = t + 4096; /* a 16 KiB table on a 4 KiB boundary */
		m.strtab_pa = (uint64_t)(uintptr_t)(t + 4096);
		m.strtab_size = 16384;
	}
	assert_int_equal(iomm_smmuv3_init(s, port, FX_REGS, &m, NULL, NULL), IOMM_EINVAL);
	m = good;
	m.strtab = NULL;
	assert_int_equal(iomm_smmuv3_init(s, port, FX_REGS, &m, NULL, NULL), IOMM_EINVAL);
	/* 2-level without a pool for its spans */
	struct iomm_smmuv3_cfg c2 = {.flags = IOMM_SMMUV3_CFG_2LVL};
	assert_int_equal(iomm_smmuv3_init(s, port, FX_REGS, &good, NULL, &c2), IOMM_EINVAL);
	/* more stream IDs asked for than the memory holds */
	struct iomm_smmuv3_cfg cs = {.sid_bits = 9};
	assert_int_equal(iomm_smmuv3_init(s, port, FX_REGS, &good, NULL, &cs), IOMM_EINVAL);
	assert_int_equal(f->px.mmio_writes, writes); /* none of these touched the SMMU */

	/* hooks: no clock, no MMIO, no cache clean on a non-coherent SMMU */
	struct iomm_port p = *port;
	p.now_ns = NULL;
	assert_int_equal(iomm_smmuv3_init(s, &p, FX_REGS, &good, NULL, NULL), IOMM_EINVAL);
	p = *port;
	p.read32 = NULL;
	assert_int_equal(iomm_smmuv3_init(s, &p, FX_REGS, &good, NULL, NULL), IOMM_EINVAL);
	p = *port;
	p.write32 = NULL;
	assert_int_equal(iomm_smmuv3_init(s, &p, FX_REGS, &good, NULL, NULL), IOMM_EINVAL);
	p = *port;
	p.flags = 0;	       /* not coherent... */
	p.clean_tables = NULL; /* ...and nothing to clean with */
	assert_int_equal(iomm_smmuv3_init(s, &p, FX_REGS, &good, NULL, NULL), IOMM_EINVAL);
	assert_int_equal(f->px.mmio_writes, writes);

	/* registers that are not an SMMUv3 */
	static const struct iomm_posix_mmio_ops zero_ops = {.read = zero_read, .write = NULL};
	const uintptr_t other = FX_REGS + 0x100000;
	assert_int_equal(iomm_posix_add_mmio_model(&f->px, other, 0x20000, &zero_ops, NULL),
			 IOMM_OK);
	assert_int_equal(iomm_smmuv3_init(s, port, other, &good, NULL, NULL), IOMM_ENODEV);

	assert_int_equal(iomm_smmuv3_init(s, port, FX_REGS, &good, NULL, NULL), IOMM_OK);
	fx_check_hygiene(f);
}

/*
 * Batched invalidation: 1,000 single-page unmaps (pages 8 KiB apart, as
 * per-I/O buffers), one by one with iomm_unmap(), then with
 * iomm_unmap_gather() and one iomm_gather_sync() per 32 unmaps, then all
 * in one batch. Prints the commands the SMMU consumed per 1,000 unmaps;
 * after each sync the pages fault.
 */
static uint64_t batched_unmaps(struct fx *f, struct iomm_domain *dom, unsigned batch,
			       uint64_t *syncs)
{
	const unsigned n = 1000;
	const uint64_t base = 0x10000000;
	for (unsigned k = 0; k < n; k++)
		assert_int_equal(iomm_map(dom, base + k * 2 * SZ4K, 0x40000000 + k * SZ4K, SZ4K, RW),
				 IOMM_OK);
	for (unsigned k = 0; k < n; k += 97)
		assert_int_equal(fx_xlate(f, 1, base + k * 2 * SZ4K, RD), 0x40000000 + k * SZ4K);
	fx_snap(f);
	struct iomm_gather g;
	iomm_gather_init(&g);
	for (unsigned k = 0; k < n; k++) {
		uint64_t iova = base + k * 2 * SZ4K, unmapped = 0;
		if (!batch) {
			assert_int_equal(iomm_unmap(dom, iova, SZ4K, &unmapped), IOMM_OK);
		} else {
			assert_int_equal(iomm_unmap_gather(dom, iova, SZ4K, &g, &unmapped), IOMM_OK);
			if ((k + 1) % batch == 0 || k + 1 == n)
				assert_int_equal(iomm_gather_sync(dom, &g), IOMM_OK);
		}
		assert_int_equal(unmapped, SZ4K);
	}
	uint64_t consumed = fx_consumed(f);
	*syncs = fx_ops(f, OP_SYNC);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	assert_false(iomm_gather_pending(&g));
	for (unsigned k = 0; k < n; k += 97)
		assert_int_equal(fx_dma(f, 1, base + k * 2 * SZ4K, RD, NULL), -EV_TRANSLATION);
	return consumed;
}

static void batched_unmaps_run(struct fx *f)
{
	fx_start(f);
	struct pdom a;
	struct iomm_dev da;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	fx_attach(f, &da, &a.dom, 1, 0);
	uint64_t s1, s32, sall;
	uint64_t one = batched_unmaps(f, &a.dom, 0, &s1);
	uint64_t b32 = batched_unmaps(f, &a.dom, 32, &s32);
	uint64_t all = batched_unmaps(f, &a.dom, 1000, &sall);
	print_message("SMMUv3 (RIL %s): commands per 1,000 single-page unmaps: %llu one by one "
		      "(iomm_unmap, %llu CMD_SYNC), %llu in batches of 32 (%llu CMD_SYNC), %llu in "
		      "one batch (%llu CMD_SYNC) (iomm_unmap_gather + iomm_gather_sync)\n",
		      f->mcfg.ril ? "on" : "off", (unsigned long long)one, (unsigned long long)s1,
		      (unsigned long long)b32, (unsigned long long)s32, (unsigned long long)all,
		      (unsigned long long)sall);
	assert_int_equal(one, 2000); /* a TLBI and a CMD_SYNC each */
	assert_int_equal(s1, 1000);
	assert_int_equal(s32, 32); /* one wait per batch */
	assert_int_equal(sall, 1);
	assert_true(b32 < one / 4);
	assert_true(all < 32);
	/* a gather of another domain's table is refused; an empty one syncs to nothing */
	struct iomm_gather g;
	iomm_gather_init(&g);
	assert_int_equal(iomm_gather_sync(&a.dom, &g), IOMM_OK);
	assert_int_equal(iomm_unmap_gather(&a.dom, 0x10000000, SZ4K, NULL, NULL), IOMM_EINVAL);
	fx_check_hygiene(f);
}

void test_cmds_batched_unmaps(void **state)
{
	batched_unmaps_run(*state);
}

void test_cmds_batched_unmaps_noril(void **state)
{
	struct fx *f = *state;
	f->mcfg.ril = false;
	batched_unmaps_run(f);
}
