/* SPDX-License-Identifier: BSD-3-Clause */
/* test_smmuv3.c, sections 1. probe; 2. fail closed; 3. every kind of stream table entry; 4. invalidation, proven by the model's caches. */
#include "test_smmuv3.h"

#include <stdlib.h>
#include <string.h>

/* ==== 1. probe ============================================================ */

/* The default model (SMMUv3.2 with both stages, RIL, 16-bit IDs, COHACC,
 * HYP, MSI): every ID register field lands in features, caps and geometry,
 * and a coherent SMMU on a coherent port needs no cache cleaning at all. */
void test_probe_default(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	const struct iomm_smmuv3 *s = &f->smmu;
	const struct iomm_unit *u = &s->unit;

	assert_int_equal(s->features, IOMM_SMMUV3_F_S1 | IOMM_SMMUV3_F_S2 | IOMM_SMMUV3_F_2LVL |
					  IOMM_SMMUV3_F_COHACC | IOMM_SMMUV3_F_RIL |
					  IOMM_SMMUV3_F_ASID16 | IOMM_SMMUV3_F_VMID16 |
					  IOMM_SMMUV3_F_HYP | IOMM_SMMUV3_F_MSI |
					  IOMM_SMMUV3_F_AARCH64);
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(s->idr[i], f->model.idr[i]);
	assert_int_equal(s->iidr, f->mcfg.iidr);
	assert_int_equal(s->aidr, f->model.aidr);

	assert_int_equal(u->caps, IOMM_CAP_S1 | IOMM_CAP_S2 | IOMM_CAP_NESTED | IOMM_CAP_BYPASS |
				      IOMM_CAP_COHERENT);
	assert_int_equal(u->granules, (1u << 12) | (1u << 14) | (1u << 16));
	assert_int_equal(u->page_sizes, (UINT64_C(1) << 12) | (UINT64_C(1) << 21) |
					    (UINT64_C(1) << 30) | (UINT64_C(1) << 14) |
					    (UINT64_C(1) << 25) | (UINT64_C(1) << 16) |
					    (UINT64_C(1) << 29));
	assert_int_equal(u->oas, 48);
	assert_int_equal(u->ias, 48);
	assert_int_equal(u->sid_bits, 8); /* 256 STEs of memory, 16 SID bits in IDR1 */
	assert_string_equal(u->name, "smmuv3");

	/* coherent: write-back cacheable, inner shareable queues and tables */
	assert_int_not_equal(f->model.cr1, 0);
	assert_int_equal(f->px.clean_calls, 0);
	fx_check_hygiene(f);
}

/* Optional features off or on as the IDRs say; a narrower OAS and SID space
 * (the SMMU's memory then sits below 2^40: phys_base mode). */
void test_probe_optional_features(void **state)
{
	struct fx *f = *state;
	f->phys_base = UINT64_C(0x40000000);
	f->mcfg.btm = true;
	f->mcfg.ats = true;
	f->mcfg.pri = true;
	f->mcfg.httu = 2;
	f->mcfg.asid16 = false;
	f->mcfg.vmid16 = false;
	f->mcfg.ril = false;
	f->mcfg.cohacc = false;
	f->mcfg.hyp = false;
	f->mcfg.msi = false;
	f->mcfg.st_level_2lvl = false;
	f->mcfg.oas_bits = 40;
	f->mcfg.sidsize = 6;
	fx_start(f);
	const struct iomm_smmuv3 *s = &f->smmu;

	assert_int_equal(s->features, IOMM_SMMUV3_F_S1 | IOMM_SMMUV3_F_S2 | IOMM_SMMUV3_F_BTM |
					  IOMM_SMMUV3_F_ATS | IOMM_SMMUV3_F_PRI |
					  IOMM_SMMUV3_F_HTTU | IOMM_SMMUV3_F_AARCH64);
	assert_int_equal(s->unit.caps,
			 IOMM_CAP_S1 | IOMM_CAP_S2 | IOMM_CAP_NESTED | IOMM_CAP_BYPASS);
	assert_int_equal(s->unit.oas, 40);
	assert_int_equal(s->unit.sid_bits, 6); /* IDR1.SIDSIZE is narrower than the memory */

	/* 8-bit ASIDs and VMIDs, no range invalidation: still translates and invalidates */
	struct pdom d = {0};
	struct iomm_dev dev;
	pdom_up(f, &d, IOMM_DOMAIN_S1);
	assert_int_equal(iomm_map(&d.dom, 0x100000, 0x20000000, SZ4K, RW), IOMM_OK);
	fx_attach(f, &dev, &d.dom, 63, 0);
	assert_int_equal(fx_xlate(f, 63, 0x100010, RD), 0x20000010);
	assert_int_equal(iomm_unmap(&d.dom, 0x100000, SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_dma(f, 63, 0x100010, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	assert_int_equal(f->smmu.stats.cmd_errors, 0);
	assert_int_equal(fx_poll(f), 1);
	assert_int_equal(f->phys_rejected, 0);
	fx_check_hygiene(f);
}

/* Stage 2 only (IDR0.S1P = 0): no stage-1 or nested domains; stage 2 works. */
void test_probe_stage2_only(void **state)
{
	struct fx *f = *state;
	f->mcfg.s1p = false;
	f->mcfg.hyp = false; /* IDR0.Hyp is RES0 unless both stages exist */
	fx_start(f);
	struct iomm_unit *u = &f->smmu.unit;
	assert_false(f->smmu.features & IOMM_SMMUV3_F_S1);
	assert_false(u->caps & IOMM_CAP_S1);
	assert_false(u->caps & IOMM_CAP_NESTED);
	assert_true(u->caps & IOMM_CAP_S2);

	struct iomm_pool *pool = fx_pool(f, 4096, 32);
	struct iomm_domain s1 = {0}, s2 = {0}, nested = {0};
	assert_int_equal(fx_domain(f, &s1, IOMM_DOMAIN_S1, 0, pool, NULL), IOMM_ENOTSUP);
	assert_int_equal(iomm_pool_used(pool), 0);
	assert_int_equal(fx_domain(f, &s2, IOMM_DOMAIN_S2, 0, pool, NULL), IOMM_OK);
	assert_int_equal(fx_domain(f, &nested, IOMM_DOMAIN_NESTED, 0, pool, &s2), IOMM_ENOTSUP);

	struct iomm_dev dev;
	assert_int_equal(iomm_map(&s2, 0x40000000, 0x90000000, SZ4K, RW), IOMM_OK);
	fx_attach(f, &dev, &s2, 2, 0);
	assert_int_equal(fx_xlate(f, 2, 0x40000123, WR), 0x90000123);
	assert_int_equal(iomm_unmap(&s2, 0x40000000, SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_dma(f, 2, 0x40000123, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	fx_check_hygiene(f);
}

/* Stage 1 only (IDR0.S2P = 0): no stage-2 domains; stage-1 commands carry no VMID. */
void test_probe_stage1_only(void **state)
{
	struct fx *f = *state;
	f->mcfg.s2p = false;
	f->mcfg.hyp = false; /* IDR0.Hyp is RES0 unless both stages exist */
	fx_start(f);
	struct iomm_unit *u = &f->smmu.unit;
	assert_true(u->caps & IOMM_CAP_S1);
	assert_false(u->caps & IOMM_CAP_S2);
	assert_false(u->caps & IOMM_CAP_NESTED);

	struct iomm_pool *pool = fx_pool(f, 4096, 32);
	struct iomm_domain s2 = {0};
	assert_int_equal(fx_domain(f, &s2, IOMM_DOMAIN_S2, 0, pool, NULL), IOMM_ENOTSUP);

	struct pdom d = {0};
	struct iomm_dev dev;
	pdom_up(f, &d, IOMM_DOMAIN_S1);
	assert_int_equal(iomm_map(&d.dom, 0x200000, 0x30000000, SZ4K, RW), IOMM_OK);
	fx_attach(f, &dev, &d.dom, 4, 0);
	assert_int_equal(fx_xlate(f, 4, 0x200004, RD), 0x30000004);
	assert_int_equal(iomm_unmap(&d.dom, 0x200000, SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_dma(f, 4, 0x200004, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(iomm_detach(&dev), IOMM_OK);
	assert_int_equal(iomm_domain_destroy(&d.dom), IOMM_OK);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	fx_check_hygiene(f);
}

/* 16 KiB granule only: domains default to it; 4K and 64K are refused. */
void test_probe_granule_16k_only(void **state)
{
	struct fx *f = *state;
	f->mcfg.gran4k = false;
	f->mcfg.gran64k = false;
	fx_start(f);
	struct iomm_unit *u = &f->smmu.unit;
	assert_int_equal(u->granules, 1u << 14);
	assert_int_equal(u->page_sizes, (UINT64_C(1) << 14) | (UINT64_C(1) << 25));

	struct iomm_pool *p4 = fx_pool(f, 4096, 8);
	struct iomm_pool *p16 = fx_pool(f, 16384, 16);
	struct iomm_pool *p64 = fx_pool(f, 65536, 4);
	struct iomm_domain d = {0}, bad = {0};
	assert_int_equal(fx_domain(f, &bad, IOMM_DOMAIN_S1, 4096, p4, NULL), IOMM_ENOTSUP);
	assert_int_equal(fx_domain(f, &bad, IOMM_DOMAIN_S2, 65536, p64, NULL), IOMM_ENOTSUP);
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S1, 0, p16, NULL), IOMM_OK);

	/* the domain's granule is 16K: a 4K mapping is malformed, a 16K one works */
	assert_int_equal(iomm_map(&d, 0x100000, 0x50000000, SZ4K, RW), IOMM_EINVAL);
	assert_int_equal(iomm_map(&d, 0x100000, 0x50000000, 0x4000, RW), IOMM_OK);
	struct iomm_dev dev;
	fx_attach(f, &dev, &d, 9, 0);
	assert_int_equal(fx_xlate(f, 9, 0x103ff8, RD), 0x50003ff8);
	assert_int_equal(iomm_unmap(&d, 0x100000, 0x4000, NULL), IOMM_OK);
	assert_int_equal(fx_dma(f, 9, 0x100000, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	fx_check_hygiene(f);
}

/* Options the hardware lacks: 2-level stream table without IDR0.ST_LEVEL,
 * the EL2 regime without IDR0.HYP. */
void test_probe_refuses_missing_options(void **state)
{
	struct fx *f = *state;
	f->mcfg.st_level_2lvl = false;
	f->cfg.flags = IOMM_SMMUV3_CFG_2LVL;
	f->strtab_size = 64u * 256u;
	assert_int_equal(fx_boot(f), IOMM_ENOTSUP);

	f->model.idr[0] &= ~(1u << 9); /* the model now reports no HYP */
	f->cfg.flags = IOMM_SMMUV3_CFG_EL2;
	assert_int_equal(fx_boot(f), IOMM_ENOTSUP);
	assert_false(f->smmu.features & IOMM_SMMUV3_F_HYP);
	f->cfg.flags = 0;
	uint32_t idr5 = f->model.idr[5];
	f->model.idr[5] &= ~(7u << 4); /* IDR5.GRAN4K/16K/64K: no translation granule */
	assert_int_equal(fx_boot(f), IOMM_ENODEV);
	f->model.idr[5] = idr5;

	/* refusing did not leave anything behind: a plain init still works */
	f->cfg.flags = 0;
	fx_start(f);
	fx_check_hygiene(f);
}

/* A port with 32-bit register accessors only and no relax hook: 64-bit
 * registers are written as two halves, low first, and everything works; a
 * register acknowledgement that never comes times out on the port's clock
 * without relaxing. */
void test_port_32bit_no_relax(void **state)
{
	struct fx *f = *state;
	fx_port_up(f);
	f->px.port.read64 = NULL;
	f->px.port.write64 = NULL;
	f->px.port.relax = NULL;
	iomm_posix_trace_enable(&f->px, true);
	fx_start(f);
	struct pdom a = {0};
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	struct iomm_dev dev;
	fx_attach(f, &dev, &a.dom, 3, 0);
	assert_int_equal(iomm_map(&a.dom, 0x100000, 0x40000000, 0x1000, IOMM_READ | IOMM_WRITE),
			 IOMM_OK);
	assert_int_equal(fx_xlate(f, 3, 0x100010, WR), 0x40000010);
	iomm_posix_trace_enable(&f->px, false);
	size_t n = iomm_posix_trace_count(&f->px);
	assert_true(n > 0 && n <= FX_TRACE_CAP);
	long lo = -1, hi = -1;
	for (size_t i = 0; i < n; i++) {
		const struct iomm_posix_mmio_access *x = iomm_posix_trace_get(&f->px, i);
		assert_int_equal(x->width, 4);
		if (x->write && x->addr - FX_REGS == R_STRTAB_BASE && lo < 0) {
			lo = (long)i;
			assert_int_equal(x->value, (uint32_t)f->mem.strtab_pa);
		}
		if (x->write && x->addr - FX_REGS == R_STRTAB_BASE + 4 && hi < 0)
			hi = (long)i;
	}
	assert_true(lo >= 0 && hi == lo + 1);
	assert_int_equal(iomm_detach(&dev), IOMM_OK);

	f->model.cfg.cr0ack_broken = true;
	uint64_t t0 = f->px.fake_now;
	assert_int_equal(iomm_smmuv3_disable(&f->smmu), IOMM_ETIMEDOUT);
	assert_true(f->px.fake_now - t0 >= UINT64_C(100000000));
	f->model.cfg.cr0ack_broken = false;
	fx_check_hygiene(f);
}

/* ==== 2. fail closed ======================================================= */

/* GBPA is set to abort before anything else is touched, every stream aborts
 * silently once init returns, and streams beyond the table are refused. */
void test_init_fail_closed(void **state)
{
	struct fx *f = *state;
	fx_port_up(f);
	iomm_posix_trace_enable(&f->px, true);
	fx_start(f);
	iomm_posix_trace_enable(&f->px, false);

	size_t n = iomm_posix_trace_count(&f->px);
	assert_true(n > 0 && n <= FX_TRACE_CAP);
	long gbpa = -1, cr0 = -1, strtab = -1, smmuen = -1;
	uint64_t gbpa_val = 0;
	for (size_t i = 0; i < n; i++) {
		const struct iomm_posix_mmio_access *a = iomm_posix_trace_get(&f->px, i);
		assert_non_null(a);
		assert_true(a->model);
		if (!a->write)
			continue;
		uintptr_t off = a->addr - FX_REGS;
		if (off == R_GBPA && gbpa < 0) {
			gbpa = (long)i;
			gbpa_val = a->value;
		}
		if (off == R_CR0 && cr0 < 0)
			cr0 = (long)i;
		if ((off == R_STRTAB_BASE || off == R_STRTAB_CFG) && strtab < 0)
			strtab = (long)i;
		if (off == R_CR0 && (a->value & CR0_SMMUEN) && smmuen < 0)
			smmuen = (long)i;
	}
	assert_true(gbpa >= 0);
	assert_true(cr0 > gbpa);
	assert_true(strtab > gbpa);
	assert_true(smmuen > strtab);
	assert_int_equal(gbpa_val & (GBPA_ABORT | GBPA_UPDATE), GBPA_ABORT | GBPA_UPDATE);
	assert_true(f->model.gbpa_eff & GBPA_ABORT);
	assert_int_equal(f->model.cr0ack & (CR0_SMMUEN | CR0_CMDQEN | CR0_EVTQEN),
			 CR0_SMMUEN | CR0_CMDQEN | CR0_EVTQEN);

	/* every stream of the table aborts, without an event */
	for (uint32_t sid = 0; sid < 256; sid++) {
		assert_int_equal(fx_dma(f, sid, 0x1000, RD, NULL), SMMUV3_MODEL_ABORT);
		assert_int_equal(fx_dma(f, sid, 0x2000, WR, NULL), SMMUV3_MODEL_ABORT);
	}
	assert_int_equal(f->model.stats.events_written, 0);
	assert_int_equal(fx_poll(f), 0);

	/* a stream the table does not cover is refused, and reported */
	assert_int_equal(fx_dma(f, 256, 0x1000, RD, NULL), -EV_BAD_STREAMID);
	assert_int_equal(fx_poll(f), 1);
	assert_int_equal(f->faults[0].reason, IOMM_FAULT_BAD_STREAM);
	assert_int_equal(f->faults[0].sid, 256);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	fx_check_hygiene(f);
}

/* ==== 3. every kind of stream table entry ================================= */

void test_ste_bypass(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct iomm_domain byp = {0};
	struct iomm_dev dev;
	assert_int_equal(fx_domain(f, &byp, IOMM_DOMAIN_BYPASS, 0, NULL, NULL), IOMM_OK);
	assert_int_equal(iomm_map(&byp, 0, 0, SZ4K, RW), IOMM_EINVAL);
	fx_attach(f, &dev, &byp, 3, 0);
	assert_int_equal(fx_xlate(f, 3, UINT64_C(0x123456789), RD), UINT64_C(0x123456789));
	assert_int_equal(fx_xlate(f, 3, UINT64_C(0xfffffff000), WR), UINT64_C(0xfffffff000));
	/* neighbours are still blocked */
	assert_int_equal(fx_dma(f, 2, 0x1000, RD, NULL), SMMUV3_MODEL_ABORT);
	assert_int_equal(fx_dma(f, 7, 0x1000, RD, NULL), SMMUV3_MODEL_ABORT);
	assert_int_equal(iomm_detach(&dev), IOMM_OK);
	assert_int_equal(fx_dma(f, 3, 0x1000, RD, NULL), SMMUV3_MODEL_ABORT);
	assert_int_equal(iomm_domain_destroy(&byp), IOMM_OK);
	assert_int_equal(fx_poll(f), 0);
	fx_check_hygiene(f);
}

struct gran_case {
	uint32_t granule;
	uint64_t block;
};

static const struct gran_case grans[] = {
    {4096, UINT64_C(1) << 21},
    {16384, UINT64_C(1) << 25},
    {65536, UINT64_C(1) << 29},
};

/* Pages and blocks of every granule, at stage 1 and at stage 2. */
static void check_granules(struct fx *f, enum iomm_domain_type type)
{
	struct iomm_domain dom[3] = {0};
	struct iomm_dev dev[3];
	for (unsigned i = 0; i < 3; i++) {
		const struct gran_case *g = &grans[i];
		uint64_t iova = UINT64_C(0x4000000000);
		uint64_t pa = UINT64_C(0x1000000000) * (i + 1);
		uint32_t sid = 10 + i;
		struct iomm_pool *pool = fx_pool(f, g->granule, 16);
		assert_int_equal(fx_domain(f, &dom[i], type, g->granule, pool, NULL), IOMM_OK);
		assert_int_equal(iomm_map(&dom[i], iova, pa, g->granule, RW), IOMM_OK);
		assert_int_equal(
		    iomm_map(&dom[i], iova + g->block, pa + g->block, g->block, IOMM_READ),
		    IOMM_OK);
		fx_attach(f, &dev[i], &dom[i], sid, 0);

		assert_int_equal(fx_xlate(f, sid, iova + 0x10, RD), pa + 0x10);
		assert_int_equal(fx_xlate(f, sid, iova + g->granule - 8, WR), pa + g->granule - 8);
		uint64_t in_block = iova + g->block + g->block / 2 + 0x18;
		assert_int_equal(fx_xlate(f, sid, in_block, RD), in_block - iova + pa);
		assert_int_equal(fx_dma(f, sid, in_block, WR, NULL), -EV_PERMISSION);
		assert_int_equal(fx_dma(f, sid, iova + g->granule, RD, NULL), -EV_TRANSLATION);
	}
	assert_int_equal(fx_poll(f), 6);
	for (unsigned i = 0; i < 6; i++) {
		assert_int_equal(f->faults[i].sid, 10 + i / 2);
		assert_int_equal(f->faults[i].reason,
				 i % 2 ? IOMM_FAULT_TRANSLATION : IOMM_FAULT_PERMISSION);
		assert_int_equal(!!(f->faults[i].flags & IOMM_FAULT_STAGE2),
				 type == IOMM_DOMAIN_S2);
	}
	assert_int_equal(f->model.stats.cmd_errors, 0);
}

void test_ste_stage1_granules(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	check_granules(f, IOMM_DOMAIN_S1);
	fx_check_hygiene(f);
}

void test_ste_stage2_granules(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	check_granules(f, IOMM_DOMAIN_S2);
	fx_check_hygiene(f);
}

/* Nested: the CD and stage-1 tables are fetched through stage 2 (the parent
 * maps the child's pool one to one), the output of stage 1 goes through
 * stage 2 again. */
void test_ste_nested(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct nest n = {0};
	struct iomm_dev dev;
	nest_up(f, &n);
	assert_int_equal(iomm_map(&n.s1, N_IOVA, N_IPA, SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&n.s2, N_IPA, N_PA, SZ4K, RW), IOMM_OK);
	fx_attach(f, &dev, &n.s1, 20, 0);
	assert_int_equal(fx_xlate(f, 20, N_IOVA + 0x44, RD), N_PA + 0x44);
	assert_int_equal(fx_xlate(f, 20, N_IOVA + 0x48, WR), N_PA + 0x48);

	/* stage 1 maps an IPA stage 2 does not: a stage-2 fault on that IPA */
	assert_int_equal(iomm_map(&n.s1, N_IOVA + SZ4K, N_IPA + SZ4K, SZ4K, RW), IOMM_OK);
	assert_int_equal(fx_dma(f, 20, N_IOVA + SZ4K + 8, RD, NULL), -EV_TRANSLATION);
	assert_true(smmuv3_model_last_event(&f->model)->rec[1] & EV1_S2);
	assert_int_equal(fx_poll(f), 1);
	assert_int_equal(f->faults[0].reason, IOMM_FAULT_TRANSLATION);
	assert_true(f->faults[0].flags & IOMM_FAULT_STAGE2);
	assert_true(f->faults[0].flags & IOMM_FAULT_IPA);
	assert_int_equal(f->faults[0].ipa, N_IPA + SZ4K);
	assert_int_equal(f->faults[0].addr, N_IOVA + SZ4K + 8);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	fx_check_hygiene(f);
}

/* Physical addresses that differ from virtual ones (and a 36-bit OAS): every
 * address the backend hands the SMMU (stream table and its level-2 spans,
 * queues, CDs, page tables) is physical, so the SMMU, which can reach only
 * the arena at its physical address, never touches anything else. */
void test_phys_addresses_differ(void **state)
{
	struct fx *f = *state;
	f->phys_base = UINT64_C(0x80000000);
	f->mcfg.oas_bits = 36;
	f->cfg.flags = IOMM_SMMUV3_CFG_2LVL;
	f->strtab_size = 64u * 8u;
	fx_start(f);
	assert_int_equal(f->smmu.unit.oas, 36);
	assert_int_not_equal(f->mem.cmdq_pa, (uint64_t)(uintptr_t)f->mem.cmdq);

	struct pdom a, b;
	struct iomm_dev da, db, dn;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	pdom_up(f, &b, IOMM_DOMAIN_S2);
	assert_int_equal(iomm_map(&a.dom, 0x100000, 0x40000000, SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&b.dom, 0x200000, 0x50000000, SZ4K, RW), IOMM_OK);
	fx_attach(f, &da, &a.dom, 100, 0);
	fx_attach(f, &db, &b.dom, 200, 0);
	assert_int_equal(fx_xlate(f, 100, 0x100010, RD), 0x40000010);
	assert_int_equal(fx_xlate(f, 200, 0x200020, WR), 0x50000020);

	/* nested, inside 36 bits of IPA */
	const uint64_t ipa = UINT64_C(0x900000000), pa = UINT64_C(0x700000000);
	struct nest n = {0};
	nest_up(f, &n);
	assert_int_equal(iomm_map(&n.s1, N_IOVA, ipa, SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&n.s2, ipa, pa, SZ4K, RW), IOMM_OK);
	fx_attach(f, &dn, &n.s1, 300, 0);
	assert_int_equal(fx_xlate(f, 300, N_IOVA + 0x30, RD), pa + 0x30);

	assert_int_equal(iomm_unmap(&a.dom, 0x100000, SZ4K, NULL), IOMM_OK);
	assert_int_equal(iomm_unmap(&b.dom, 0x200000, SZ4K, NULL), IOMM_OK);
	assert_int_equal(iomm_unmap(&n.s2, ipa, SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_dma(f, 100, 0x100010, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(fx_dma(f, 200, 0x200020, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(fx_dma(f, 300, N_IOVA + 0x30, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(fx_poll(f), 3); /* the event queue is in the arena too */
	assert_int_equal(f->faults[0].sid, 100);
	assert_int_equal(f->faults[1].sid, 200);
	assert_int_equal(f->faults[2].sid, 300);
	assert_int_equal(iomm_detach(&dn), IOMM_OK);
	assert_int_equal(fx_dma(f, 300, N_IOVA, RD, NULL), SMMUV3_MODEL_ABORT);

	assert_int_equal(f->phys_rejected, 0);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	fx_check_hygiene(f);
}

/* Detached and blocked streams abort silently; re-attaching works. */
void test_ste_blocked_and_detach(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom d = {0};
	struct iomm_domain blocked = {0};
	struct iomm_dev dev, dev2;
	pdom_up(f, &d, IOMM_DOMAIN_S1);
	assert_int_equal(fx_domain(f, &blocked, IOMM_DOMAIN_BLOCKED, 0, NULL, NULL), IOMM_OK);
	assert_int_equal(iomm_map(&d.dom, 0x300000, 0x60000000, SZ4K, RW), IOMM_OK);
	fx_attach(f, &dev, &d.dom, 5, 0);
	assert_int_equal(fx_xlate(f, 5, 0x300000, RD), 0x60000000);

	assert_int_equal(iomm_detach(&dev), IOMM_OK);
	assert_int_equal(fx_dma(f, 5, 0x300000, RD, NULL), SMMUV3_MODEL_ABORT);
	assert_int_equal(iomm_detach(&dev), IOMM_ENOENT);

	fx_attach(f, &dev2, &blocked, 6, 0);
	assert_int_equal(fx_dma(f, 6, 0x300000, RD, NULL), SMMUV3_MODEL_ABORT);
	assert_int_equal(fx_dma(f, 6, 0x300000, WR, NULL), SMMUV3_MODEL_ABORT);
	assert_int_equal(fx_poll(f), 0);

	assert_int_equal(iomm_attach(&d.dom, &dev), IOMM_OK);
	assert_int_equal(fx_xlate(f, 5, 0x300008, WR), 0x60000008);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	fx_check_hygiene(f);
}

/* Stage-1 faults come back through iomm_fault_poll() with the stream, the
 * address, the reason and the kind of access the device made. */
void test_fault_records_stage1(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom d = {0};
	struct iomm_dev dev;
	const uint64_t ro = 0x500000, hole = 0x600000;
	pdom_up(f, &d, IOMM_DOMAIN_S1);
	assert_int_equal(iomm_map(&d.dom, ro, 0x61000000, SZ4K, IOMM_READ), IOMM_OK);
	fx_attach(f, &dev, &d.dom, 33, 0);

	assert_int_equal(fx_xlate(f, 33, ro + 0x40, RD), 0x61000040);
	assert_int_equal(fx_dma(f, 33, ro + 0x40, WR, NULL), -EV_PERMISSION);
	assert_int_equal(fx_dma(f, 33, hole + 0x80, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(fx_dma(f, 33, hole + 0x88, WR, NULL), -EV_TRANSLATION);
	assert_int_equal(fx_dma(f, 33, hole + 0x90, RD | SMMUV3_MODEL_ACC_PRIV, NULL),
			 -EV_TRANSLATION);
	assert_int_equal(fx_dma(f, 33, hole + 0x98, SMMUV3_MODEL_ACC_X, NULL), -EV_TRANSLATION);

	assert_int_equal(fx_poll(f), 5);
	assert_int_equal(f->nfaults, 5);
	static const uint64_t addr[5] = {0x500040, 0x600080, 0x600088, 0x600090, 0x600098};
	for (unsigned i = 0; i < 5; i++) {
		assert_int_equal(f->faults[i].sid, 33);
		assert_int_equal(f->faults[i].addr, addr[i]);
		assert_int_equal(f->faults[i].reason,
				 i ? IOMM_FAULT_TRANSLATION : IOMM_FAULT_PERMISSION);
		assert_int_equal(f->faults[i].raw, i ? E_F_TRANSLATION : E_F_PERMISSION);
		assert_false(f->faults[i].flags & (IOMM_FAULT_STAGE2 | IOMM_FAULT_IPA));
		assert_false(f->faults[i].flags & IOMM_FAULT_SSID);
		assert_int_equal(f->faults[i].lost, 0);
	}
	/* what the device did: write, read, write, privileged read, fetch */
	const uint32_t rw = IOMM_FAULT_READ | IOMM_FAULT_WRITE;
	assert_int_equal(f->faults[0].flags & rw, IOMM_FAULT_WRITE);
	assert_int_equal(f->faults[1].flags & rw, IOMM_FAULT_READ);
	assert_int_equal(f->faults[2].flags & rw, IOMM_FAULT_WRITE);
	assert_int_equal(f->faults[3].flags & rw, IOMM_FAULT_READ);
	assert_int_equal(f->faults[0].flags & (IOMM_FAULT_PRIV | IOMM_FAULT_EXEC), 0);
	assert_int_equal(f->faults[1].flags & (IOMM_FAULT_PRIV | IOMM_FAULT_EXEC), 0);
	assert_int_equal(f->faults[3].flags & (IOMM_FAULT_PRIV | IOMM_FAULT_EXEC), IOMM_FAULT_PRIV);
	assert_int_equal(f->faults[4].flags & (IOMM_FAULT_PRIV | IOMM_FAULT_EXEC | rw),
			 IOMM_FAULT_EXEC | IOMM_FAULT_READ);
	assert_int_equal(f->smmu.stats.events, 5);
	fx_check_hygiene(f);
}

/* Stage-2 faults carry the stage-2 flag and the IPA. */
void test_fault_records_stage2(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct iomm_pool *pool = fx_pool(f, 4096, 32);
	struct iomm_domain s2 = {0};
	struct iomm_dev dev;
	const uint64_t ro = 0x7000000, hole = 0x7200000;
	assert_int_equal(fx_domain(f, &s2, IOMM_DOMAIN_S2, 0, pool, NULL), IOMM_OK);
	assert_int_equal(iomm_map(&s2, ro, 0x62000000, SZ4K, IOMM_READ), IOMM_OK);
	fx_attach(f, &dev, &s2, 34, 0);

	assert_int_equal(fx_dma(f, 34, ro + 0x10, WR, NULL), -EV_PERMISSION);
	assert_int_equal(fx_dma(f, 34, hole + 0x20, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(fx_poll(f), 2);
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(f->faults[i].sid, 34);
		assert_int_equal(f->faults[i].flags & (IOMM_FAULT_STAGE2 | IOMM_FAULT_IPA),
				 IOMM_FAULT_STAGE2 | IOMM_FAULT_IPA);
	}
	assert_int_equal(f->faults[0].reason, IOMM_FAULT_PERMISSION);
	assert_int_equal(f->faults[0].addr, ro + 0x10);
	assert_int_equal(f->faults[0].ipa, ro);
	assert_int_equal(f->faults[1].reason, IOMM_FAULT_TRANSLATION);
	assert_int_equal(f->faults[1].addr, hole + 0x20);
	assert_int_equal(f->faults[1].ipa, hole);
	assert_int_equal(f->faults[0].flags & (IOMM_FAULT_READ | IOMM_FAULT_WRITE),
			 IOMM_FAULT_WRITE);
	assert_int_equal(f->faults[1].flags & (IOMM_FAULT_READ | IOMM_FAULT_WRITE),
			 IOMM_FAULT_READ);
	fx_check_hygiene(f);
}

/* ==== 4. invalidation, proven by the model's caches ======================= */

/* Translate (now cached), unmap: faults. Remap elsewhere: the new address.
 * Remap read-only: writes refused. */
static void check_invalidation(struct fx *f, struct iomm_domain *dom, uint32_t sid)
{
	const uint64_t a = 0x800000;
	assert_int_equal(iomm_map(dom, a, 0x63000000, SZ4K, RW), IOMM_OK);
	assert_int_equal(fx_xlate(f, sid, a + 0x10, WR), 0x63000010);
	uint64_t hits = f->model.stats.tlb_hits;
	assert_int_equal(fx_xlate(f, sid, a + 0x20, RD), 0x63000020);
	assert_int_equal(f->model.stats.tlb_hits, hits + 1); /* served from the TLB */

	uint64_t unmapped = 0;
	assert_int_equal(iomm_unmap(dom, a, SZ4K, &unmapped), IOMM_OK);
	assert_int_equal(unmapped, SZ4K);
	assert_int_equal(fx_dma(f, sid, a + 0x10, RD, NULL), -EV_TRANSLATION);

	assert_int_equal(iomm_map(dom, a, 0x64000000, SZ4K, RW), IOMM_OK);
	assert_int_equal(fx_xlate(f, sid, a + 0x30, RD), 0x64000030);
	assert_int_equal(fx_xlate(f, sid, a + 0x30, WR), 0x64000030);

	assert_int_equal(iomm_unmap(dom, a, SZ4K, NULL), IOMM_OK);
	assert_int_equal(iomm_map(dom, a, 0x64000000, SZ4K, IOMM_READ), IOMM_OK);
	assert_int_equal(fx_xlate(f, sid, a + 0x40, RD), 0x64000040);
	assert_int_equal(fx_dma(f, sid, a + 0x40, WR, NULL), -EV_PERMISSION);
	assert_int_equal(fx_poll(f), 2);
	assert_int_equal(f->model.stats.cmd_errors, 0);
}

void test_inval_stage1(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom d = {0};
	struct iomm_dev dev;
	pdom_up(f, &d, IOMM_DOMAIN_S1);
	fx_attach(f, &dev, &d.dom, 40, 0);
	check_invalidation(f, &d.dom, 40);
	fx_check_hygiene(f);
}

void test_inval_stage2(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom d = {0};
	struct iomm_dev dev;
	pdom_up(f, &d, IOMM_DOMAIN_S2);
	fx_attach(f, &dev, &d.dom, 41, 0);
	check_invalidation(f, &d.dom, 41);
	fx_check_hygiene(f);
}

/* Nested: stage-2 changes under a live stage 1 reach the combined entries;
 * stage-1 changes are invalidated with the child's ASID and the parent's VMID. */
void test_inval_nested(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct nest n = {0};
	struct iomm_dev dev;
	nest_up(f, &n);
	assert_int_equal(iomm_map(&n.s1, N_IOVA, N_IPA, SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&n.s2, N_IPA, N_PA, SZ4K, RW), IOMM_OK);
	fx_attach(f, &dev, &n.s1, 42, 0);
	assert_int_equal(fx_xlate(f, 42, N_IOVA, RD), N_PA);
	uint64_t hits = f->model.stats.tlb_hits;
	assert_int_equal(fx_xlate(f, 42, N_IOVA + 8, WR), N_PA + 8);
	assert_int_equal(f->model.stats.tlb_hits, hits + 1);

	/* stage 2 moves the page: the device follows */
	fx_snap(f);
	assert_int_equal(iomm_unmap(&n.s2, N_IPA, SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_ops(f, OP_NH_ALL), 1); /* combined entries of the VMID */
	assert_int_equal(C_VMID(fx_find(f, OP_NH_ALL, 0)->w[0]), n.s2.id);
	assert_int_equal(fx_dma(f, 42, N_IOVA, RD, NULL), -EV_TRANSLATION);
	assert_true(smmuv3_model_last_event(&f->model)->rec[1] & EV1_S2);
	assert_int_equal(iomm_map(&n.s2, N_IPA, N_PA2, SZ4K, RW), IOMM_OK);
	assert_int_equal(fx_xlate(f, 42, N_IOVA + 0x10, RD), N_PA2 + 0x10);

	/* stage 2 takes write permission away */
	assert_int_equal(iomm_unmap(&n.s2, N_IPA, SZ4K, NULL), IOMM_OK);
	assert_int_equal(iomm_map(&n.s2, N_IPA, N_PA2, SZ4K, IOMM_READ), IOMM_OK);
	assert_int_equal(fx_xlate(f, 42, N_IOVA + 0x18, RD), N_PA2 + 0x18);
	assert_int_equal(fx_dma(f, 42, N_IOVA + 0x18, WR, NULL), -EV_PERMISSION);

	/* stage 1 unmaps: by VA, tagged with the child's ASID and the parent's VMID */
	fx_snap(f);
	assert_int_equal(iomm_unmap(&n.s1, N_IOVA, SZ4K, NULL), IOMM_OK);
	const struct smmuv3_model_cmd_log_entry *e = fx_find(f, OP_NH_VA, 0);
	assert_non_null(e);
	assert_int_equal(C_ASID(e->w[0]), n.s1.id);
	assert_int_equal(C_VMID(e->w[0]), n.s2.id);
	assert_int_equal(fx_dma(f, 42, N_IOVA, RD, NULL), -EV_TRANSLATION);
	assert_false(smmuv3_model_last_event(&f->model)->rec[1] & EV1_S2);
	assert_int_equal(fx_poll(f), 3);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	fx_check_hygiene(f);
}
