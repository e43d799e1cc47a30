/* SPDX-License-Identifier: BSD-3-Clause */
/* test_smmuv2.c, sections 1. probe of each ID configuration; MMU-500; 2. stream mapping; 3. context banks. */
#include "test_smmuv2.h"

#include <stdlib.h>
#include <string.h>

/* ==== 1. probe of each ID configuration ================================== */

static void check_fail_closed_reset(struct fx *f)
{
	/* client access enabled, unmatched streams fault, broadcast TLBI ignored */
	uint32_t scr0 = f->model.scr0;
	assert_int_equal(scr0 & SMMUV2_M_SCR0_CLIENTPD, 0);
	assert_true(scr0 & SMMUV2_M_SCR0_USFCFG);
	assert_true(scr0 & SMMUV2_M_SCR0_PTM);
	for (unsigned i = 0; i < f->smmu.nsmr; i++) {
		if (f->mcfg.sms)
			assert_int_equal(f->model.smr[i] & SMR_VALID, 0);
		assert_int_equal(S2CR_TYPE(f->model.s2cr[i]), 2);
	}
	for (unsigned cb = 0; cb < f->smmu.ncb; cb++)
		assert_int_equal(f->model.cb[cb].sctlr & SMMUV2_M_SCTLR_M, 0);
}

void test_probe_generic(void **state)
{
	struct fx *f = *state;
	/* before init the model bypasses (CLIENTPD) and firmware left an SMR matching all */
	assert_int_equal(smmuv2_model_init(&f->model, &f->mcfg), 0);
	f->model_up = true;
	uint64_t pa;
	assert_int_equal(fx_dma(f, 7, 0x1000, RD, &pa), 0);
	fx_start(f);
	const struct iomm_smmuv2 *s = &f->smmu;
	uint32_t want = IOMM_SMMUV2_F_S1 | IOMM_SMMUV2_F_S2 | IOMM_SMMUV2_F_NESTED |
			IOMM_SMMUV2_F_SMS | IOMM_SMMUV2_F_CTTW | IOMM_SMMUV2_F_ATOS |
			IOMM_SMMUV2_F_AARCH64;
	assert_int_equal(s->features, want);
	assert_int_equal(s->nsmr, 16);
	assert_int_equal(s->ncb, 16);
	assert_int_equal(s->ns2cb, 4);
	assert_int_equal(s->unit.caps, IOMM_CAP_S1 | IOMM_CAP_S2 | IOMM_CAP_NESTED |
					   IOMM_CAP_BYPASS | IOMM_CAP_COHERENT);
	assert_int_equal(s->unit.granules, (1u << 12) | (1u << 14) | (1u << 16));
	assert_int_equal(s->unit.sid_bits, 15);
	assert_int_equal(s->unit.ias, 48);
	assert_int_equal(s->unit.oas, 48);
	assert_string_equal(s->unit.name, "smmuv2");
	check_fail_closed_reset(f);
	/* one TLBIALLNSNH and a global sync at reset */
	assert_int_equal(f->model.stats.ops[OP_ALLNS], 1);
	assert_int_equal(f->model.stats.ops[OP_GSYNC], 1);
	/* every stream faults now: unidentified */
	assert_int_equal(fx_dma(f, 7, 0x1000, RD, NULL), SMMUV2_MODEL_G_USF);
	/* not an MMU-500: its auxiliary register is left alone */
	assert_int_equal(f->model.sacr, 0);
	fx_check_hygiene(f);
}

void test_probe_indexing(void **state)
{
	struct fx *f = *state;
	smmuv2_model_cfg_preset(&f->mcfg, SMMUV2_MODEL_INDEXING);
	fx_start(f);
	assert_int_equal(f->smmu.features & IOMM_SMMUV2_F_SMS, 0);
	assert_int_equal(f->smmu.nsmr, 32);
	assert_int_equal(f->smmu.unit.sid_bits, 5);
	check_fail_closed_reset(f);
	struct pdom d = {0};
	pdom_up(f, &d, IOMM_DOMAIN_S1, 0, NULL);
	assert_int_equal(iomm_map(&d.dom, 0x10000, 0x80000000, SZ4K, RW), IOMM_OK);
	struct iomm_dev dev, wide;
	fx_attach(f, &dev, &d.dom, 4, 0x1); /* streams 4 and 5 */
	assert_int_equal(S2CR_TYPE(f->model.s2cr[4]), 0);
	assert_int_equal(S2CR_CB(f->model.s2cr[5]), cb_of(&d.dom));
	assert_int_equal(S2CR_TYPE(f->model.s2cr[6]), 2);
	assert_int_equal(fx_xlate(f, 5, 0x10000, RD), 0x80000000);
	assert_int_equal(fx_dma(f, 6, 0x10000, RD, NULL), SMMUV2_MODEL_ABORT);
	/* a stream ID beyond NUMSIDB is refused */
	assert_int_equal(fx_dev(f, &wide, 32, 0), IOMM_ERANGE);
	/* overlapping devices conflict; nothing changes */
	struct iomm_dev other;
	assert_int_equal(fx_dev(f, &other, 5, 0x2), IOMM_OK); /* 5 and 7 */
	assert_int_equal(iomm_attach(&d.dom, &other), IOMM_EBUSY);
	assert_int_equal(S2CR_TYPE(f->model.s2cr[7]), 2);
	assert_int_equal(iomm_detach(&dev), IOMM_OK);
	assert_int_equal(S2CR_TYPE(f->model.s2cr[4]), 2);
	assert_int_equal(fx_dma(f, 5, 0x10000, RD, NULL), SMMUV2_MODEL_ABORT);
	assert_int_equal(iomm_attach(&d.dom, &other), IOMM_OK);
	assert_int_equal(fx_xlate(f, 7, 0x10000, RD), 0x80000000);
	fx_check_hygiene(f);
}

void test_probe_4k_only(void **state)
{
	struct fx *f = *state;
	smmuv2_model_cfg_preset(&f->mcfg, SMMUV2_MODEL_4K_ONLY);
	fx_start(f);
	assert_int_equal(f->smmu.features, IOMM_SMMUV2_F_S1 | IOMM_SMMUV2_F_SMS |
					       IOMM_SMMUV2_F_CTTW | IOMM_SMMUV2_F_AARCH64);
	assert_int_equal(f->smmu.unit.granules, 1u << 12);
	assert_int_equal(f->smmu.unit.caps, IOMM_CAP_S1 | IOMM_CAP_BYPASS | IOMM_CAP_COHERENT);
	struct iomm_pool *p16 = fx_pool(f, 16384, 8), *p4 = fx_pool(f, 4096, 8);
	struct iomm_domain d = {0};
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S1, 16384, p16, NULL), IOMM_ENOTSUP);
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 0, p4, NULL), IOMM_ENOTSUP);
	assert_int_equal(iomm_pool_used(p4), 0);
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S1, 0, p4, NULL), IOMM_OK);
	assert_int_equal(iomm_map(&d, 0x40000000, 0x90000000, SZ2M, RW), IOMM_OK);
	struct iomm_dev dev;
	fx_attach(f, &dev, &d, 0x21, 0);
	assert_int_equal(fx_xlate(f, 0x21, 0x40012345, WR), 0x90012345);
	fx_check_hygiene(f);
}

void test_probe_stage2_only(void **state)
{
	struct fx *f = *state;
	smmuv2_model_cfg_preset(&f->mcfg, SMMUV2_MODEL_S2_ONLY);
	fx_start(f);
	assert_int_equal(f->smmu.features & (IOMM_SMMUV2_F_S1 | IOMM_SMMUV2_F_NESTED |
					     IOMM_SMMUV2_F_CTTW),
			 0);
	/* no CTTW: tables are cleaned for the walker */
	assert_int_equal(f->smmu.unit.caps, IOMM_CAP_S2 | IOMM_CAP_BYPASS);
	struct iomm_pool *p = fx_pool(f, 4096, 64);
	struct iomm_domain d = {0};
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S1, 0, p, NULL), IOMM_ENOTSUP);
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 0, p, NULL), IOMM_OK);
	assert_int_equal(CBAR_TYPE(f->model.cbar[cb_of(&d)]), 0);
	uint64_t cleans = iomm_posix_clean_calls(&f->px);
	assert_int_equal(iomm_map(&d, 0x100000, 0x7000000, 4 * SZ4K, RW), IOMM_OK);
	assert_true(iomm_posix_clean_calls(&f->px) > cleans);
	struct iomm_dev dev;
	fx_attach(f, &dev, &d, 3, 0);
	assert_int_equal(fx_xlate(f, 3, 0x102008, RD), 0x7002008);
	fx_check_hygiene(f);
}

void test_probe_refuses(void **state)
{
	struct fx *f = *state;
	struct iomm_smmuv2 s;
	/* no AArch64 table format */
	f->mcfg.ptfs4k = f->mcfg.ptfs16k = f->mcfg.ptfs64k = false;
	assert_int_equal(fx_boot(f), IOMM_ENODEV);
	/* no stage */
	f->mcfg.ptfs4k = true;
	f->mcfg.s1ts = f->mcfg.s2ts = false;
	assert_int_equal(smmuv2_model_init(&f->model, &f->mcfg), 0);
	assert_int_equal(fx_boot(f), IOMM_ENODEV);
	/* stream matching without any SMR */
	f->mcfg.s1ts = true;
	f->mcfg.numsmrg = 0;
	assert_int_equal(smmuv2_model_init(&f->model, &f->mcfg), 0);
	assert_int_equal(fx_boot(f), IOMM_ENODEV);
	/* bad arguments */
	assert_int_equal(iomm_smmuv2_init(NULL, iomm_posix_port(&f->px), FX_REGS, NULL),
			 IOMM_EINVAL);
	assert_int_equal(iomm_smmuv2_init(&s, NULL, FX_REGS, NULL), IOMM_EINVAL);
	struct iomm_port noclock = *iomm_posix_port(&f->px);
	noclock.now_ns = NULL;
	assert_int_equal(iomm_smmuv2_init(&s, &noclock, FX_REGS, NULL), IOMM_EINVAL);
	/* a non-coherent walker needs clean_tables */
	f->mcfg.numsmrg = 4;
	f->mcfg.cttw = false;
	assert_int_equal(smmuv2_model_init(&f->model, &f->mcfg), 0);
	struct iomm_port noclean = *iomm_posix_port(&f->px);
	noclean.clean_tables = NULL;
	assert_int_equal(iomm_smmuv2_init(&s, &noclean, FX_REGS, NULL), IOMM_EINVAL);
	/* and a sync that never completes fails the init */
	f->model.cfg.stall_sync = true;
	assert_int_equal(fx_boot(f), IOMM_ETIMEDOUT);
	assert_int_equal(f->smmu.stats.sync_timeouts, 1);
	/* client access was never enabled */
	assert_true(f->model.scr0 & SMMUV2_M_SCR0_CLIENTPD);
}

void test_probe_sizes_and_limits(void **state)
{
	struct fx *f = *state;
	/* UBS 40, IAS 44: one input size that suits both stages; stage 1 outputs 44 bits */
	f->mcfg.ubs = 40;
	f->mcfg.ias = 44;
	fx_start(f);
	assert_int_equal(f->smmu.unit.ias, 40);
	assert_int_equal(f->smmu.unit.oas, 44);
	/* UBS 40, IAS and OAS 48: DMA through a 40-bit stage 1 */
	f->mcfg.ias = 48;
	assert_int_equal(smmuv2_model_init(&f->model, &f->mcfg), 0);
	fx_start(f);
	assert_int_equal(f->smmu.unit.ias, 40);
	assert_int_equal(f->smmu.unit.oas, 48);
	struct iomm_pool *p = fx_pool(f, 4096, 16);
	struct iomm_domain d = {0};
	struct iomm_domain_cfg c = {.type = IOMM_DOMAIN_S1, .pool = p, .ias = 44};
	assert_int_equal(iomm_domain_init(&d, &f->smmu.unit, &c), IOMM_ENOTSUP);
	c.ias = 0;
	assert_int_equal(iomm_domain_init(&d, &f->smmu.unit, &c), IOMM_OK);
	assert_int_equal(d.pgt.cfg.ias, 40);
	assert_int_equal(iomm_map(&d, 0xfffff000, 0x3ffffff000, SZ4K, RW), IOMM_OK);
	struct iomm_dev dev;
	fx_attach(f, &dev, &d, 1, 0);
	assert_int_equal(fx_xlate(f, 1, 0xfffff008, RD), 0x3ffffff008);
	assert_int_equal(iomm_map(&d, 0x10000000000, 0x1000, SZ4K, RW), IOMM_ERANGE);
	fx_check_hygiene(f);
}

void test_probe_odd_layouts(void **state)
{
	struct fx *f = *state;
	/* stream indexing with 9 stream ID bits: only 128 S2CRs fit in the register page */
	smmuv2_model_cfg_preset(&f->mcfg, SMMUV2_MODEL_INDEXING);
	f->mcfg.numsidb = 9;
	fx_start(f);
	assert_int_equal(f->smmu.nsmr, 128);
	assert_int_equal(f->smmu.unit.sid_bits, 7);
	struct iomm_dev dev;
	assert_int_equal(fx_dev(f, &dev, 128, 0), IOMM_ERANGE);
	/* ID1 claiming more banks than the context bank space holds (16 pages) */
	smmuv2_model_cfg_preset(&f->mcfg, SMMUV2_MODEL_GENERIC);
	assert_int_equal(smmuv2_model_init(&f->model, &f->mcfg), 0);
	f->model.id[1] = (f->model.id[1] & ~0x00ff00ffu) | (40u << 16) | 40u;
	fx_start(f);
	assert_int_equal(f->smmu.ncb, 16);
	assert_int_equal(f->smmu.ns2cb, 16);
	assert_int_equal(f->smmu.unit.caps & IOMM_CAP_S1, 0); /* no bank left for stage 1 */
	fx_check_hygiene(f);
}

/* ==== MMU-500 =============================================================== */

void test_mmu500_settings(void **state)
{
	struct fx *f = *state;
	smmuv2_model_cfg_preset(&f->mcfg, SMMUV2_MODEL_MMU500);
	fx_start(f);
	assert_true(f->smmu.features & IOMM_SMMUV2_F_MMU500);
	assert_int_equal(f->smmu.part, IOMM_SMMUV2_PART_MMU500);
	assert_int_equal(f->smmu.nsmr, 48);
	assert_int_equal(f->smmu.ncb, 8);
	/* r2p4: CACHE_LOCK cleared first, then the prefetcher off in every bank */
	assert_int_equal(f->model.sacr & SMMUV2_M_ACR_CACHE_LOCK, 0);
	assert_true(f->model.sacr & SMMUV2_M_ACR_SMTNMB_TLBEN);
	assert_true(f->model.sacr & SMMUV2_M_ACR_S2CRB_TLBEN);
	for (unsigned cb = 0; cb < 8; cb++)
		assert_int_equal(f->model.cb[cb].actlr & SMMUV2_M_ACTLR_CPRE, 0);
	assert_int_equal(f->model.stats.actlr_ignored, 0);
	assert_int_equal(iomm_posix_log_count(&f->px, IOMM_LOG_WARN), 0);
	/* 64 KiB register pages: banks at 128 KiB; DMA through the last bank */
	struct pdom d[8] = {0};
	for (unsigned i = 0; i < 8; i++)
		pdom_up(f, &d[i], IOMM_DOMAIN_S1, 0, NULL);
	assert_int_equal(cb_of(&d[7].dom), 7);
	assert_int_equal(iomm_map(&d[7].dom, 0x5000, 0x66000, SZ4K, RW), IOMM_OK);
	struct iomm_dev dev;
	fx_attach(f, &dev, &d[7].dom, 0x400, 0);
	assert_int_equal(fx_xlate(f, 0x400, 0x5004, RD), 0x66004);
	fx_check_hygiene(f);
}

void test_mmu500_cache_locked(void **state)
{
	struct fx *f = *state;
	smmuv2_model_cfg_preset(&f->mcfg, SMMUV2_MODEL_MMU500);
	f->mcfg.secure_cache_lock = true; /* Secure software kept the cache locked */
	fx_start(f);
	assert_true(f->model.stats.actlr_ignored > 0);
	assert_true(f->model.cb[0].actlr & SMMUV2_M_ACTLR_CPRE);
	assert_int_equal(iomm_posix_log_count(&f->px, IOMM_LOG_WARN), 1);
}

void test_mmu500_r1_and_forced(void **state)
{
	struct fx *f = *state;
	smmuv2_model_cfg_preset(&f->mcfg, SMMUV2_MODEL_MMU500);
	f->mcfg.id7_major = 1; /* r1pN: CACHE_LOCK is left as it is */
	fx_start(f);
	assert_true(f->model.sacr & SMMUV2_M_ACR_CACHE_LOCK);
	assert_true(f->model.sacr & SMMUV2_M_ACR_S2CRB_TLBEN);
	assert_int_equal(f->model.cb[3].actlr & SMMUV2_M_ACTLR_CPRE, 0);
	/* firmware says MMU-500 although the peripheral ID does not */
	f->mcfg.mmu500 = false;
	assert_int_equal(smmuv2_model_init(&f->model, &f->mcfg), 0);
	fx_start(f);
	assert_int_equal(f->smmu.features & IOMM_SMMUV2_F_MMU500, 0);
	f->cfg.flags = IOMM_SMMUV2_CFG_MMU500;
	fx_start(f);
	assert_true(f->smmu.features & IOMM_SMMUV2_F_MMU500);
}

/* ==== 2. stream mapping ===================================================== */

void test_smr_mask_group(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom d = {0};
	pdom_up(f, &d, IOMM_DOMAIN_S1, 0, NULL);
	assert_int_equal(iomm_map(&d.dom, 0x10000, 0x80000000, SZ4K, RW), IOMM_OK);
	struct iomm_dev dev;
	fx_attach(f, &dev, &d.dom, 0x110, 0x3);
	unsigned i = (unsigned)dev.priv_word;
	assert_int_equal(f->model.smr[i], SMR_VALID | (0x3u << 16) | 0x110u);
	assert_int_equal(S2CR_TYPE(f->model.s2cr[i]), 0);
	assert_int_equal(S2CR_CB(f->model.s2cr[i]), cb_of(&d.dom));
	for (uint32_t sid = 0x110; sid < 0x114; sid++)
		assert_int_equal(fx_xlate(f, sid, 0x10000, RD), 0x80000000);
	assert_int_equal(fx_dma(f, 0x114, 0x10000, RD, NULL), SMMUV2_MODEL_G_USF);
	assert_int_equal(fx_dma(f, 0x10, 0x10000, RD, NULL), SMMUV2_MODEL_G_USF);
	fx_check_hygiene(f);
}

void test_smr_conflicts(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct iomm_domain byp = {0};
	assert_int_equal(fx_domain(f, &byp, IOMM_DOMAIN_BYPASS, 0, NULL, NULL), IOMM_OK);
	struct iomm_dev a, b, c, e;
	fx_attach(f, &a, &byp, 0x40, 0xf); /* 0x40..0x4f */
	assert_int_equal(fx_dev(f, &b, 0x43, 0), IOMM_OK);
	uint32_t smr_before[16];
	memcpy(smr_before, f->model.smr, sizeof(smr_before));
	assert_int_equal(iomm_attach(&byp, &b), IOMM_EBUSY);
	/* a wider group that contains the first one conflicts too */
	assert_int_equal(fx_dev(f, &c, 0x0, 0x7f), IOMM_OK);
	assert_int_equal(iomm_attach(&byp, &c), IOMM_EBUSY);
	assert_memory_equal(smr_before, f->model.smr, sizeof(smr_before));
	/* disjoint groups coexist */
	fx_attach(f, &e, &byp, 0x50, 0x7);
	assert_int_equal(fx_xlate(f, 0x57, 0x1234000, RD), 0x1234000);
	assert_int_equal(fx_xlate(f, 0x4a, 0x1234000, RD), 0x1234000);
	/* the model raises a stream match conflict if two SMRs match: the backend never lets it */
	assert_int_equal(f->model.gfsr, 0);
	fx_check_hygiene(f);
}

void test_smr_exhaustion(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct iomm_domain blk = {0};
	assert_int_equal(fx_domain(f, &blk, IOMM_DOMAIN_BLOCKED, 0, NULL, NULL), IOMM_OK);
	struct iomm_dev dev[17];
	for (unsigned i = 0; i < 16; i++)
		fx_attach(f, &dev[i], &blk, i, 0);
	assert_int_equal(fx_dev(f, &dev[16], 16, 0), IOMM_OK);
	assert_int_equal(iomm_attach(&blk, &dev[16]), IOMM_ENOSPC);
	assert_null(dev[16].domain);
	assert_int_equal(fx_dma(f, 16, 0, RD, NULL), SMMUV2_MODEL_G_USF);
	/* blocked streams abort; a freed SMR is reused */
	assert_int_equal(fx_dma(f, 3, 0, RD, NULL), SMMUV2_MODEL_ABORT);
	assert_int_equal(iomm_detach(&dev[3]), IOMM_OK);
	assert_int_equal(iomm_attach(&blk, &dev[16]), IOMM_OK);
	assert_int_equal(fx_dma(f, 16, 0, RD, NULL), SMMUV2_MODEL_ABORT);
	assert_int_equal(iomm_detach(&dev[3]), IOMM_ENOENT);
	fx_check_hygiene(f);
}

void test_model_multiple_match(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	/* two valid SMRs that both match stream 5: the model's architected conflict */
	smmuv2_model_write(&f->model, SMMUV2_M_SMR(2), SMR_VALID | 5u, 4);
	smmuv2_model_write(&f->model, SMMUV2_M_SMR(3), SMR_VALID | (1u << 16) | 4u, 4);
	assert_int_equal(fx_dma(f, 5, 0x3000, WR, NULL), SMMUV2_MODEL_G_SMCF);
	assert_int_equal(fx_poll(f), 1);
	assert_int_equal(f->faults[0].reason, IOMM_FAULT_BAD_CONFIG);
	assert_int_equal(f->faults[0].sid, 5);
	assert_int_equal(f->faults[0].flags, IOMM_FAULT_WRITE);
	/* stream 4 matches only one */
	assert_int_equal(fx_dma(f, 4, 0x3000, RD, NULL), SMMUV2_MODEL_ABORT);
}

void test_bypass_blocked_detach(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct iomm_domain byp = {0}, blk = {0};
	assert_int_equal(fx_domain(f, &byp, IOMM_DOMAIN_BYPASS, 0, NULL, NULL), IOMM_OK);
	assert_int_equal(fx_domain(f, &blk, IOMM_DOMAIN_BLOCKED, 0, NULL, NULL), IOMM_OK);
	struct iomm_dev d1, d2;
	fx_attach(f, &d1, &byp, 9, 0);
	fx_attach(f, &d2, &blk, 10, 0);
	assert_int_equal(S2CR_TYPE(f->model.s2cr[d1.priv_word]), 1);
	assert_int_equal(S2CR_TYPE(f->model.s2cr[d2.priv_word]), 2);
	assert_int_equal(fx_xlate(f, 9, 0xabc000, WR), 0xabc000);
	assert_int_equal(fx_dma(f, 10, 0xabc000, WR, NULL), SMMUV2_MODEL_ABORT);
	assert_int_equal(iomm_map(&byp, 0, 0, SZ4K, RW), IOMM_EINVAL);
	unsigned i = (unsigned)d1.priv_word;
	assert_int_equal(iomm_detach(&d1), IOMM_OK);
	assert_int_equal(f->model.smr[i] & SMR_VALID, 0);
	assert_int_equal(S2CR_TYPE(f->model.s2cr[i]), 2);
	assert_int_equal(fx_dma(f, 9, 0xabc000, WR, NULL), SMMUV2_MODEL_G_USF);
	assert_int_equal(iomm_domain_destroy(&byp), IOMM_OK);
	assert_int_equal(iomm_domain_destroy(&blk), IOMM_EBUSY);
	fx_check_hygiene(f);
}

/* ==== 3. context banks ====================================================== */

void test_bank_stage1(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom d = {0};
	pdom_up(f, &d, IOMM_DOMAIN_S1, 0, NULL);
	unsigned cb = cb_of(&d.dom);
	assert_true(cb >= 4); /* above the stage-2-only banks */
	assert_int_equal(CBAR_TYPE(f->model.cbar[cb]), 1);
	assert_int_equal(f->model.cba2r[cb] & 1u, 1); /* VA64 */
	uint32_t sctlr = f->model.cb[cb].sctlr;
	uint32_t want = SMMUV2_M_SCTLR_M | SMMUV2_M_SCTLR_TRE | SMMUV2_M_SCTLR_AFE |
			SMMUV2_M_SCTLR_CFRE | SMMUV2_M_SCTLR_CFIE;
	assert_int_equal(sctlr & want, want);
	struct iomm_lpae_regs r;
	assert_int_equal(iomm_pgt_lpae_regs(&d.dom.pgt, &r), IOMM_OK);
	assert_int_equal(f->model.cb[cb].ttbr0 & 0xffffffffffffull, r.ttbr);
	assert_int_equal(f->model.cb[cb].ttbr0 >> 48, cb + 1);
	assert_int_equal(((uint64_t)f->model.cb[cb].mair1 << 32) | f->model.cb[cb].mair0, r.mair);
	assert_int_equal(iomm_map(&d.dom, 0x200000, 0x4000000, SZ2M, IOMM_READ), IOMM_OK);
	assert_int_equal(iomm_map(&d.dom, 0x400000, 0x5000000, SZ4K, RW), IOMM_OK);
	struct iomm_dev dev;
	fx_attach(f, &dev, &d.dom, 0x33, 0);
	assert_int_equal(fx_xlate(f, 0x33, 0x2abcde, RD), 0x40abcde);
	assert_int_equal(fx_xlate(f, 0x33, 0x400010, WR), 0x5000010);
	/* write to the read-only block: a permission fault in this bank */
	assert_int_equal(fx_dma(f, 0x33, 0x212340, WR, NULL), SMMUV2_MODEL_F_PF);
	assert_int_equal(fx_dma(f, 0x33, 0x800000, RD, NULL), SMMUV2_MODEL_F_TF);
	assert_int_equal(fx_poll(f), 1);
	assert_int_equal(f->faults[0].reason, IOMM_FAULT_PERMISSION);
	assert_int_equal(f->faults[0].sid, 0x33);
	assert_int_equal(f->faults[0].addr, 0x212340);
	assert_int_equal(f->faults[0].flags, IOMM_FAULT_WRITE);
	assert_int_equal(f->faults[0].lost, 1); /* the translation fault came second: MULTI */
	assert_int_equal(f->model.cb[cb].fsr, 0);
	assert_int_equal(fx_poll(f), 0);
	assert_int_equal(f->smmu.stats.faults, 1);
	fx_check_hygiene(f);
}

void test_bank_stage1_granules(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	static const uint32_t gran[] = {4096, 16384, 65536};
	struct pdom d[3] = {0};
	struct iomm_dev dev[3];
	for (unsigned i = 0; i < 3; i++) {
		pdom_up(f, &d[i], IOMM_DOMAIN_S1, gran[i], NULL);
		assert_int_equal(iomm_map(&d[i].dom, 0x1000000, 0x30000000 + 0x1000000 * i,
					  gran[i], RW),
				 IOMM_OK);
		fx_attach(f, &dev[i], &d[i].dom, 0x100 + i, 0);
	}
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(fx_xlate(f, 0x100 + i, 0x1000040, WR),
				 0x30000040 + 0x1000000 * i);
	fx_check_hygiene(f);
}

void test_bank_stage2(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom d = {0};
	pdom_up(f, &d, IOMM_DOMAIN_S2, 0, NULL);
	unsigned cb = cb_of(&d.dom);
	assert_true(cb < 4); /* stage-2-only banks first */
	assert_int_equal(CBAR_TYPE(f->model.cbar[cb]), 0);
	assert_int_equal(f->model.cbar[cb] & 0xffu, cb + 1); /* VMID */
	assert_int_equal(iomm_map(&d.dom, 0x80000000, 0x180000000, 16 * SZ4K, IOMM_READ), IOMM_OK);
	struct iomm_dev dev;
	fx_attach(f, &dev, &d.dom, 0x7, 0);
	assert_int_equal(fx_xlate(f, 7, 0x80003004, RD), 0x180003004);
	assert_int_equal(fx_dma(f, 7, 0x80003004, WR, NULL), SMMUV2_MODEL_F_PF);
	assert_int_equal(fx_poll(f), 1);
	assert_int_equal(f->faults[0].reason, IOMM_FAULT_PERMISSION);
	assert_int_equal(f->faults[0].flags,
			 IOMM_FAULT_WRITE | IOMM_FAULT_STAGE2 | IOMM_FAULT_IPA);
	assert_int_equal(f->faults[0].ipa, 0x80003004);
	fx_check_hygiene(f);
}


void test_bank_nested(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct nested n = {0};
	nested_up(f, &n);
	unsigned cb = cb_of(&n.s1.dom), s2cb = cb_of(&n.s2.dom);
	assert_int_equal(CBAR_TYPE(f->model.cbar[cb]), 3);
	assert_int_equal(CBAR_CBNDX(f->model.cbar[cb]), s2cb);
	struct iomm_dev dev;
	fx_attach(f, &dev, &n.s1.dom, 0x60, 0);
	assert_int_equal(fx_xlate(f, 0x60, 0x7123, WR), 0x90001123);
	/* IPA 0x40008000 has no stage-2 mapping: the stage-2 bank reports it */
	assert_int_equal(fx_dma(f, 0x60, 0x8000, RD, NULL), SMMUV2_MODEL_F_TF);
	assert_int_equal(fx_poll(f), 1);
	assert_int_equal(f->faults[0].reason, IOMM_FAULT_TRANSLATION);
	assert_true(f->faults[0].flags & IOMM_FAULT_STAGE2);
	assert_int_equal(f->faults[0].ipa, 0x40008000);
	/* no nesting on an SMMU without NTS */
	struct iomm_domain d = {0};
	f->smmu.unit.caps &= ~IOMM_CAP_NESTED;
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_NESTED, 0, n.s1.pool, &n.s2.dom),
			 IOMM_ENOTSUP);
	fx_check_hygiene(f);
}

void test_bank_nested_walk_fault(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	/* stage 2 maps the target but not the stage-1 tables: the stage-1 walk faults at stage 2 */
	struct pdom s2, s1;
	pdom_up(f, &s2, IOMM_DOMAIN_S2, 0, NULL);
	assert_int_equal(iomm_map(&s2.dom, 0x40000000, 0x90000000, SZ4K, RW), IOMM_OK);
	pdom_up(f, &s1, IOMM_DOMAIN_NESTED, 0, &s2.dom);
	assert_int_equal(iomm_map(&s1.dom, 0x7000, 0x40000000, SZ4K, RW), IOMM_OK);
	struct iomm_dev dev;
	fx_attach(f, &dev, &s1.dom, 0x61, 0);
	assert_int_equal(fx_dma(f, 0x61, 0x7000, RD, NULL), SMMUV2_MODEL_F_TF);
	assert_int_equal(fx_poll(f), 1);
	assert_int_equal(f->faults[0].reason, IOMM_FAULT_TRANSLATION);
	assert_int_equal(f->faults[0].flags, IOMM_FAULT_READ | IOMM_FAULT_STAGE2);
	assert_int_equal(f->faults[0].addr, 0x7000);
	/* the parent cannot go while its child lives */
	assert_int_equal(iomm_detach(&dev), IOMM_OK);
	assert_int_equal(iomm_domain_destroy(&s2.dom), IOMM_EBUSY);
	assert_int_equal(iomm_domain_destroy(&s1.dom), IOMM_OK);
	assert_int_equal(iomm_domain_destroy(&s2.dom), IOMM_OK);
	assert_int_equal(iomm_pool_used(s1.pool) + iomm_pool_used(s2.pool), 0);
}

/* Architected behaviours of the model that the backend never asks for. */
void test_model_architecture(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom d = {0};
	pdom_up(f, &d, IOMM_DOMAIN_S1, 0, NULL);
	assert_int_equal(iomm_map(&d.dom, 0x1000, 0x5000, SZ4K, RW), IOMM_OK);
	struct iomm_dev dev;
	fx_attach(f, &dev, &d.dom, 0x20, 0);
	unsigned cb = cb_of(&d.dom), i = (unsigned)dev.priv_word;
	/* a bank with SCTLR.M clear does not translate: stage 1 is bypassed */
	uint64_t sctlr = fx_cb_off(f, cb, SMMUV2_M_CB_SCTLR);
	smmuv2_model_write(&f->model, sctlr, 0, 4);
	assert_int_equal(fx_xlate(f, 0x20, 0x1010, RD), 0x1010);
	smmuv2_model_write(&f->model, sctlr, SMMUV2_M_SCTLR_M, 4);
	assert_int_equal(fx_xlate(f, 0x20, 0x1010, RD), 0x5010);
	/* CBAR type 2: stage 1, then the stage-2 fault context terminates it */
	uint32_t cbar = f->model.cbar[cb];
	smmuv2_model_write(&f->model, 0x1000u + SMMUV2_M_CBAR(cb), (cbar & ~(3u << 16)) | (2u << 16),
			   4);
	assert_int_equal(fx_dma(f, 0x20, 0x1010, RD, NULL), SMMUV2_MODEL_ABORT);
	/* stage-2-only banks take no stage-1 type */
	smmuv2_model_write(&f->model, 0x1000u + SMMUV2_M_CBAR(0), 1u << 16, 4);
	assert_int_equal(CBAR_TYPE(f->model.cbar[0]), 0);
	/* an S2CR naming a bank that does not exist */
	smmuv2_model_write(&f->model, SMMUV2_M_S2CR(i), 40u, 4);
	assert_int_equal(fx_dma(f, 0x20, 0x1010, RD, NULL), SMMUV2_MODEL_G_UCBF);
	/* client access disabled: everything bypasses */
	smmuv2_model_write(&f->model, SMMUV2_M_SCR0, f->model.scr0 | SMMUV2_M_SCR0_CLIENTPD, 4);
	assert_int_equal(fx_xlate(f, 0x7ff, 0x1010, RD), 0x1010);
	/* unmatched streams bypass when USFCFG is clear */
	smmuv2_model_write(&f->model, SMMUV2_M_SCR0, 0, 4);
	assert_int_equal(fx_xlate(f, 0x7ff, 0x1010, RD), 0x1010);
	/* TLBIALLNSNH drops everything, at the global sync */
	size_t cached = smmuv2_model_tlb_count(&f->model);
	assert_true(cached > 0);
	smmuv2_model_write(&f->model, SMMUV2_M_TLBIALLNSNH, 0, 4);
	assert_int_equal(smmuv2_model_tlb_count(&f->model), cached);
	smmuv2_model_write(&f->model, SMMUV2_M_STLBGSYNC, 0, 4);
	assert_int_equal(smmuv2_model_tlb_count(&f->model), 0);
	/* ID registers are read-only */
	smmuv2_model_write(&f->model, SMMUV2_M_ID(0), 0, 4);
	assert_int_equal(f->model.stats.ro_writes, 1);
}

void test_bank_exhaustion(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	/* 12 stage-1 banks (16 - 4 stage-2-only) */
	struct pdom s1[13] = {0};
	for (unsigned i = 0; i < 12; i++)
		pdom_up(f, &s1[i], IOMM_DOMAIN_S1, 0, NULL);
	s1[12].pool = fx_pool(f, 4096, 4);
	assert_int_equal(fx_domain(f, &s1[12].dom, IOMM_DOMAIN_S1, 0, s1[12].pool, NULL),
			 IOMM_ENOSPC);
	assert_int_equal(iomm_pool_used(s1[12].pool), 0);
	/* stage 2 still has its 4 banks, then none */
	struct pdom s2[5] = {0};
	for (unsigned i = 0; i < 4; i++)
		pdom_up(f, &s2[i], IOMM_DOMAIN_S2, 0, NULL);
	s2[4].pool = fx_pool(f, 4096, 4);
	assert_int_equal(fx_domain(f, &s2[4].dom, IOMM_DOMAIN_S2, 0, s2[4].pool, NULL),
			 IOMM_ENOSPC);
	/* freeing a stage-1 domain gives its bank to the next */
	unsigned freed = cb_of(&s1[5].dom);
	assert_int_equal(iomm_domain_destroy(&s1[5].dom), IOMM_OK);
	assert_int_equal(f->model.cb[freed].sctlr & SMMUV2_M_SCTLR_M, 0);
	assert_int_equal(fx_domain(f, &s2[4].dom, IOMM_DOMAIN_S2, 0, s2[4].pool, NULL), IOMM_OK);
	assert_int_equal(cb_of(&s2[4].dom), freed);
	assert_int_equal(fx_domain(f, &s1[12].dom, IOMM_DOMAIN_S1, 0, s1[12].pool, NULL),
			 IOMM_ENOSPC);
	fx_check_hygiene(f);
}
