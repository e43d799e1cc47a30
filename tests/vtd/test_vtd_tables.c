/* SPDX-License-Identifier: BSD-3-Clause */
/* test_vtd.c, sections 1. probe; 2. tables; 3. fail closed, attach, detach, bypass; 4. invalidation per operation; 5. caching mode and write buffers; 6. scalable mode. */
#include "test_vtd.h"

#include <stdlib.h>
#include <string.h>

/* ==== 1. probe ================================================================ */

void test_probe_default(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	const struct iomm_vtd *v = &f->vtd;
	uint32_t want = IOMM_VTD_F_QI | IOMM_VTD_F_SMTS | IOMM_VTD_F_FLTS | IOMM_VTD_F_SLTS |
			IOMM_VTD_F_PT | IOMM_VTD_F_COHERENT | IOMM_VTD_F_SC | IOMM_VTD_F_PSI |
			IOMM_VTD_F_SP2M | IOMM_VTD_F_SP1G | IOMM_VTD_F_FL1G | IOMM_VTD_F_FL5LP |
			IOMM_VTD_F_PASID | IOMM_VTD_F_IR | IOMM_VTD_F_DT | IOMM_VTD_F_EIM;
	assert_int_equal(v->features, want);
	assert_int_equal(v->sagaw, 0xe);
	assert_int_equal(v->mgaw, 57);
	assert_int_equal(v->did_bits, 16);
	assert_int_equal(v->nfr, 8);
	assert_int_equal(v->fro, 0x400);
	assert_int_equal(v->iro, 0x500);
	assert_true(v->qi);
	assert_false(v->scalable);
	assert_int_equal(v->unit.ias, 57);
	assert_int_equal(v->unit.page_sizes, (1u << 12) | (1u << 21) | (UINT64_C(1) << 30));
	assert_int_equal(v->unit.fmt_s2, IOMM_FMT_VTD_SL);
	assert_int_equal(v->unit.fmt_s1, IOMM_FMT_VTD_SL);
	assert_true(v->unit.caps & IOMM_CAP_BYPASS);
	assert_true(v->unit.caps & IOMM_CAP_COHERENT);
	/* the unit is on: root table latched, queue on, translation on */
	uint32_t g = gsts(f);
	assert_true(g & VTD_M_GCMD_TE);
	assert_true(g & VTD_M_GCMD_QIE);
	assert_true(g & VTD_M_GCMD_SRTP);
	assert_int_equal(f->model.rta_active, f->mem.root_pa);
	assert_int_equal(f->model.ttm_active, VTD_M_TTM_LEGACY);
	/* caches dropped once, through the queue, and waited for */
	assert_int_equal(f->model.stats.cc_global, 1);
	assert_int_equal(f->model.stats.iotlb_global, 1);
	assert_int_equal(f->model.stats.waits, 1);
	assert_int_equal(f->model.stats.reg_ccmd + f->model.stats.reg_iotlb, 0);
	/* every source ID is blocked */
	assert_int_equal(fx_dma(f, 0x0000, 0x1000, false, NULL), VTD_M_FR_ROOT_NP);
	assert_int_equal(fx_dma(f, 0xff07, 0x1000, true, NULL), VTD_M_FR_ROOT_NP);
	fx_check_hygiene(f);
}

void test_probe_configurations(void **state)
{
	/* 3-level only, 39-bit, no superpages, no QI, 16 domain IDs, no PT, no PSI */
	struct fx *f = fresh(state);
	f->mcfg.sagaw = 2;
	f->mcfg.mgaw = 39;
	f->mcfg.sllps = 0;
	f->mcfg.qi = false;
	f->mcfg.nd = 0;
	f->mcfg.pt = false;
	f->mcfg.psi = false;
	f->mcfg.smts = f->mcfg.flts = f->mcfg.slts = false;
	fx_start(f);
	assert_false(f->vtd.qi);
	assert_int_equal(f->vtd.unit.ias, 39);
	assert_int_equal(f->vtd.unit.page_sizes, 1u << 12);
	assert_int_equal(f->vtd.did_bits, 4);
	assert_false(f->vtd.unit.caps & IOMM_CAP_BYPASS);
	assert_false(gsts(f) & VTD_M_GCMD_QIE);
	assert_int_equal(f->model.stats.reg_ccmd, 1);
	assert_int_equal(f->model.stats.reg_iotlb, 1);
	assert_int_equal(f->model.stats.qi_descs, 0);
	fx_check_hygiene(f);

	/* 4-level, 48-bit, 2 MiB only, caching mode and write-buffer flushing, 256 IDs */
	f = fresh(state);
	f->mcfg.sagaw = 4;
	f->mcfg.mgaw = 48;
	f->mcfg.sllps = 1;
	f->mcfg.cm = true;
	f->mcfg.rwbf = true;
	f->mcfg.nd = 2;
	f->mcfg.nfr = 16;
	f->mcfg.fro = 0x200;
	fx_start(f);
	assert_int_equal(f->vtd.unit.ias, 48);
	assert_int_equal(f->vtd.unit.page_sizes, (1u << 12) | (1u << 21));
	assert_true(f->vtd.features & IOMM_VTD_F_CM);
	assert_true(f->vtd.features & IOMM_VTD_F_RWBF);
	assert_int_equal(f->vtd.did_bits, 8);
	assert_int_equal(f->vtd.nfr, 16);
	assert_int_equal(f->vtd.fro, 0x200);
	fx_check_hygiene(f);

	/* 5-level only, 52-bit MGAW */
	f = fresh(state);
	f->mcfg.sagaw = 8;
	f->mcfg.mgaw = 52;
	fx_start(f);
	assert_int_equal(f->vtd.unit.ias, 52);

	/* scalable, first stage only: stage-1 domains get x86-64 tables, no stage 2 */
	f = fresh(state);
	f->mcfg.slts = false;
	f->cfg.flags = IOMM_VTD_CFG_SCALABLE;
	fx_start(f);
	assert_true(f->vtd.scalable);
	assert_int_equal(f->vtd.unit.fmt_s1, IOMM_FMT_X86_FL);
	assert_false(f->vtd.unit.caps & IOMM_CAP_S2);
	assert_int_equal(f->model.ttm_active, VTD_M_TTM_SCALABLE);
	assert_true(f->model.iqa & VTD_M_IQA_DW);
	assert_int_equal(f->model.stats.pc_global, 1);
	fx_check_hygiene(f);
}

void test_init_rejects(void **state)
{
	struct fx *f = fresh(state);
	f->mcfg.ver_major = 0;
	assert_int_equal(fx_boot(f), IOMM_ENODEV);

	f = fresh(state);
	f->mcfg.sagaw = 0;
	assert_int_equal(fx_boot(f), IOMM_ENODEV);

	f = fresh(state);
	f->mcfg.smts = false;
	f->cfg.flags = IOMM_VTD_CFG_SCALABLE;
	assert_int_equal(fx_boot(f), IOMM_ENOTSUP);
	f->mcfg.smts = true;
	f = fresh(state);
	f->cfg.flags = IOMM_VTD_CFG_SCALABLE | IOMM_VTD_CFG_REGINV;
	assert_int_equal(fx_boot(f), IOMM_ENOTSUP);
	f = fresh(state);
	f->iq_size = 0;
	f->cfg.flags = IOMM_VTD_CFG_SCALABLE;
	assert_int_equal(fx_boot(f), IOMM_ENOTSUP);

	/* domain IDs beyond CAP.ND */
	f = fresh(state);
	f->mcfg.nd = 0;
	f->cfg.did_first = 16;
	assert_int_equal(fx_boot(f), IOMM_ERANGE);
	f->cfg.did_first = 8;
	f->cfg.did_count = 9;
	assert_int_equal(fx_boot(f), IOMM_ERANGE);
	f->cfg.did_count = 0;
	f->cfg.bus_first = 9;
	f->cfg.bus_last = 8;
	assert_int_equal(fx_boot(f), IOMM_EINVAL);
	f->cfg.bus_first = f->cfg.bus_last = 0;
	f->cfg.flags = 1u << 30;
	assert_int_equal(fx_boot(f), IOMM_EINVAL);
	f->cfg.flags = 0;
	/* misaligned or badly sized memory */
	f->mem.root = (uint8_t *)f->mem.root + 64;
	f->mem.root_pa += 64;
	assert_int_equal(fx_boot(f), IOMM_EINVAL);
	f->mem.root = (uint8_t *)f->mem.root - 64;
	f->mem.root_pa -= 64;
	f->mem.iq_size = 3 * 4096;
	assert_int_equal(fx_boot(f), IOMM_EINVAL);
	f->mem.iq_size = 4096;
	f->mem.iq_pa += 16;
	assert_int_equal(fx_boot(f), IOMM_EINVAL);
	f->mem.iq_pa -= 16;
	assert_int_equal(iomm_vtd_init(&f->vtd, iomm_posix_port(&f->px), FX_REGS, NULL, f->pool,
				       NULL),
			 IOMM_EINVAL);
	assert_int_equal(iomm_vtd_init(&f->vtd, iomm_posix_port(&f->px), FX_REGS, &f->mem, NULL,
				       NULL),
			 IOMM_EINVAL);
	/* none of this wrote a register */
	assert_int_equal(f->px.mmio_writes, 0);
	assert_int_equal(gsts(f), 0);
	/* and then it works */
	fx_start(f);
	assert_true(gsts(f) & VTD_M_GCMD_TE);
}

/* ==== 2. tables =============================================================== */

void test_legacy_table_levels(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	static const uint8_t ias[3] = {39, 48, 57};
	struct iomm_domain d[3] = {0};
	struct iomm_dev dev[3];
	for (unsigned i = 0; i < 3; i++) {
		uint16_t sid = (uint16_t)(0x0100 + i);
		/* the 5-level input (57 bits) is wider than the output (52): fine on VT-d */
		assert_int_equal(fx_domain(f, &d[i], IOMM_DOMAIN_S2, ias[i]), IOMM_OK);
		fx_attach(f, &dev[i], &d[i], sid);
		uint64_t top = (UINT64_C(1) << ias[i]) - 0x1000;
		map_ok(&d[i], 0x1000, 0x100000, 0x1000, RW);
		map_ok(&d[i], top, 0x200000, 0x1000, IOMM_READ);
		assert_int_equal(fx_xlate(f, sid, 0x1234, true), 0x100234);
		assert_int_equal(fx_xlate(f, sid, top + 8, false), 0x200008);
		assert_int_equal(fx_dma(f, sid, top, true, NULL), VTD_M_FR_WRITE);
		const struct vtd_model_ctx_entry *ce = model_ctx(f, sid);
		assert_non_null(ce);
		assert_int_equal(ce->w[1] & 7, i + 1); /* AW: 3, 4, 5 levels */
		assert_int_equal(ce->did, d[i].id);
		if (ias[i] < 57)
			assert_int_equal(fx_dma(f, sid, UINT64_C(1) << ias[i], false, NULL),
					 VTD_M_FR_ADDR_BEYOND);
	}
	/* distinct domain IDs */
	assert_true(d[0].id != d[1].id && d[1].id != d[2].id && d[0].id != 0);
	fx_check_hygiene(f);
}

void test_address_width_unit_lacks(void **state)
{
	struct fx *f = *state;
	f->mcfg.sagaw = 4; /* 4-level only */
	f->mcfg.mgaw = 48;
	fx_start(f);
	struct iomm_domain d = {0};
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 39), IOMM_ENOTSUP);
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 57), IOMM_ENOTSUP);
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 48), IOMM_OK);
	assert_int_equal(iomm_map(&d, UINT64_C(1) << 48, 0x1000, 0x1000, RW), IOMM_ERANGE);
	fx_check_hygiene(f);
}

/* A domain created with the defaults (iomm_domain_cfg::oas 0: the unit's)
 * must work on every unit, including the common 57-bit MGAW one. */
void test_default_domain_on_57bit_unit(void **state)
{
	struct fx *f = *state;
	f->oas = 0;
	fx_start(f);
	assert_int_equal(f->vtd.mgaw, 57);
	struct iomm_domain d = {0};
	struct iomm_dev dev;
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 0), IOMM_OK);
	fx_attach(f, &dev, &d, 0x0010);
	map_ok(&d, 0x1000, 0x21000, 0x1000, RW);
	assert_int_equal(fx_xlate(f, 0x0010, 0x1000, false), 0x21000);
}

void test_superpages(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct iomm_domain d = {0};
	struct iomm_dev dev;
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 48), IOMM_OK);
	fx_attach(f, &dev, &d, 0x0300);
	map_ok(&d, MiB(2), GiB(1), MiB(2), RW);
	map_ok(&d, GiB(1), GiB(4), GiB(1), RW);
	assert_int_equal(fx_xlate(f, 0x0300, MiB(2) + 0xabcde, true), GiB(1) + 0xabcde);
	assert_int_equal(tlb_size_log2(f, MiB(2)), 21);
	assert_int_equal(fx_xlate(f, 0x0300, GiB(1) + 0x12345678, false), GiB(4) + 0x12345678);
	assert_int_equal(tlb_size_log2(f, GiB(1)), 30);
	/* unmapping part of a superpage leaves the rest, and the stale entry goes */
	unmap_ok(&d, MiB(2), 0x1000);
	assert_int_equal(fx_dma(f, 0x0300, MiB(2), false, NULL), VTD_M_FR_READ);
	assert_int_equal(fx_xlate(f, 0x0300, MiB(2) + 0x1000, false), GiB(1) + 0x1000);
	fx_check_hygiene(f);

	/* without SLLPS the same maps are built from 4 KiB pages the model accepts */
	f = fresh(state);
	d = (struct iomm_domain){0}; /* its unit went with the old fixture */
	f->mcfg.sllps = 0;
	fx_start(f);
	assert_int_equal(f->vtd.unit.page_sizes, 1u << 12);
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 48), IOMM_OK);
	fx_attach(f, &dev, &d, 0x0300);
	map_ok(&d, MiB(2), GiB(1), MiB(2), RW);
	assert_int_equal(fx_xlate(f, 0x0300, MiB(2) + 0xabcde, true), GiB(1) + 0xabcde);
	assert_int_equal(tlb_size_log2(f, MiB(2) + 0xabcde), 12);
	assert_int_equal(fx_xlate(f, 0x0300, MiB(4) - 1, false), GiB(1) + MiB(2) - 1);
	fx_check_hygiene(f);
}

/* ==== 3. fail closed, attach, detach, bypass ====================================== */

void test_blocked_attach_detach(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct iomm_domain d = {0};
	struct iomm_dev dev, other;
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 48), IOMM_OK);
	assert_int_equal(fx_dma(f, 0x0208, 0x4000, false, NULL), VTD_M_FR_ROOT_NP);
	map_ok(&d, 0x4000, 0x44000, 0x1000, RW);
	/* made known, not attached: still blocked */
	struct iomm_devid id = IOMM_SID(0x0208);
	assert_int_equal(iomm_dev_init(&dev, &f->vtd.unit, &id), IOMM_OK);
	assert_int_equal(fx_dma(f, 0x0208, 0x4000, false, NULL), VTD_M_FR_ROOT_NP);
	assert_int_equal(iomm_attach(&d, &dev), IOMM_OK);
	assert_int_equal(fx_xlate(f, 0x0208, 0x4000, true), 0x44000);
	/* its neighbour on the same bus stays blocked */
	assert_int_equal(fx_dma(f, 0x0209, 0x4000, false, NULL), VTD_M_FR_CTX_NP);
	/* detach drops the cached context and translations */
	fx_snap(f);
	assert_int_equal(iomm_detach(&dev), IOMM_OK);
	assert_int_equal(fx_dma(f, 0x0208, 0x4000, false, NULL), VTD_M_FR_CTX_NP);
	const struct vtd_model_inv *cc = fx_inv(f, 0);
	assert_non_null(cc);
	assert_int_equal(cc->type, VTD_M_DSC_CC);
	assert_int_equal(cc->g, VTD_M_G_DEVICE);
	assert_int_equal(cc->sid, 0x0208);
	assert_int_equal(cc->did, d.id);
	assert_int_equal(FX_D(f, waits), 1);
	assert_int_equal(iomm_detach(&dev), IOMM_ENOENT);
	/* attach again; a second device on the domain */
	assert_int_equal(iomm_attach(&d, &dev), IOMM_OK);
	fx_attach(f, &other, &d, 0x0209);
	assert_int_equal(fx_xlate(f, 0x0208, 0x4000, false), 0x44000);
	assert_int_equal(fx_xlate(f, 0x0209, 0x4000, false), 0x44000);
	assert_int_equal(iomm_attach(&d, &dev), IOMM_EBUSY);
	assert_int_equal(iomm_domain_destroy(&d), IOMM_EBUSY);
	/* a blocked domain blocks */
	struct iomm_domain blk = {0};
	assert_int_equal(fx_domain(f, &blk, IOMM_DOMAIN_BLOCKED, 0), IOMM_OK);
	assert_int_equal(iomm_detach(&other), IOMM_OK);
	assert_int_equal(iomm_attach(&blk, &other), IOMM_OK);
	assert_int_equal(fx_dma(f, 0x0209, 0x4000, false, NULL), VTD_M_FR_CTX_NP);
	fx_check_hygiene(f);
}

void test_bypass_only_when_asked(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct iomm_domain s2 = {0}, by = {0};
	struct iomm_dev a, b;
	assert_int_equal(fx_domain(f, &s2, IOMM_DOMAIN_S2, 0), IOMM_OK);
	fx_attach(f, &a, &s2, 0x0400);
	assert_int_equal(fx_dma(f, 0x0400, 0x123000, false, NULL), VTD_M_FR_READ);
	assert_int_equal(fx_domain(f, &by, IOMM_DOMAIN_BYPASS, 0), IOMM_OK);
	fx_attach(f, &b, &by, 0x0401);
	assert_int_equal(fx_xlate(f, 0x0401, 0x123456789a, true), 0x123456789a);
	const struct vtd_model_ctx_entry *ce = model_ctx(f, 0x0401);
	assert_non_null(ce);
	assert_int_equal((ce->w[0] >> 2) & 3, 2); /* TT pass-through */
	assert_int_equal(iomm_map(&by, 0, 0, 0x1000, RW), IOMM_EINVAL);
	/* detach from bypass blocks again */
	assert_int_equal(iomm_detach(&b), IOMM_OK);
	assert_int_equal(fx_dma(f, 0x0401, 0x1000, false, NULL), VTD_M_FR_CTX_NP);
	fx_check_hygiene(f);

	/* without ECAP.PT there is no bypass */
	f = fresh(state);
	by = (struct iomm_domain){0}; /* its unit went with the old fixture */
	f->mcfg.pt = false;
	fx_start(f);
	assert_false(f->vtd.unit.caps & IOMM_CAP_BYPASS);
	assert_int_equal(fx_domain(f, &by, IOMM_DOMAIN_BYPASS, 0), IOMM_ENOTSUP);
}

void test_wildcard_device(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct iomm_domain d = {0};
	struct iomm_dev dev, one;
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 48), IOMM_OK);
	map_ok(&d, 0x8000, 0x88000, 0x1000, RW);
	struct iomm_devid id = IOMM_PCI(3, 4, IOMM_ANY);
	assert_int_equal(iomm_dev_init(&dev, &f->vtd.unit, &id), IOMM_OK);
	assert_int_equal(iomm_attach(&d, &dev), IOMM_OK);
	for (uint16_t fn = 0; fn < 8; fn++)
		assert_int_equal(fx_xlate(f, (uint16_t)(0x0320 | fn), 0x8000, false), 0x88000);
	assert_int_equal(fx_dma(f, 0x0328, 0x8000, false, NULL), VTD_M_FR_CTX_NP);
	/* a single function inside the wildcard is busy */
	struct iomm_devid id1 = IOMM_PCI(3, 4, 2);
	assert_int_equal(iomm_dev_init(&one, &f->vtd.unit, &id1), IOMM_OK);
	assert_int_equal(iomm_attach(&d, &one), IOMM_EBUSY);
	assert_int_equal(iomm_detach(&dev), IOMM_OK);
	for (uint16_t fn = 0; fn < 8; fn++)
		assert_int_equal(fx_dma(f, (uint16_t)(0x0320 | fn), 0x8000, false, NULL),
				 VTD_M_FR_CTX_NP);
	fx_check_hygiene(f);
}

void test_bus_range(void **state)
{
	struct fx *f = *state;
	f->cfg.bus_first = 1;
	f->cfg.bus_last = 2;
	fx_start(f);
	struct iomm_domain d = {0};
	struct iomm_dev dev;
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 48), IOMM_OK);
	struct iomm_devid id = IOMM_SID(0x0500);
	int rc = iomm_dev_init(&dev, &f->vtd.unit, &id);
	if (rc == IOMM_OK)
		rc = iomm_attach(&d, &dev);
	assert_int_equal(rc, IOMM_ERANGE);
	/* nothing written: bus 5's root entry is still empty */
	const uint64_t *root = f->mem.root;
	assert_int_equal(root[5 * 2], 0);
	assert_int_equal(root[5 * 2 + 1], 0);
	assert_int_equal(fx_dma(f, 0x0500, 0, false, NULL), VTD_M_FR_ROOT_NP);
	fx_attach(f, &dev, &d, 0x0200);
	fx_check_hygiene(f);
}

void test_domain_ids(void **state)
{
	struct fx *f = *state;
	f->mcfg.nd = 0; /* 16 domain IDs */
	f->cfg.did_first = 14;
	fx_start(f);
	struct iomm_domain d[3] = {0};
	assert_int_equal(fx_domain(f, &d[0], IOMM_DOMAIN_S2, 48), IOMM_OK);
	assert_int_equal(fx_domain(f, &d[1], IOMM_DOMAIN_S2, 48), IOMM_OK);
	assert_int_equal(fx_domain(f, &d[2], IOMM_DOMAIN_S2, 48), IOMM_ENOSPC);
	assert_true(d[0].id >= 14 && d[0].id < 16 && d[1].id >= 14 && d[1].id < 16);
	/* the model accepts the contexts (a DID beyond ND would be a reserved-bit fault) */
	struct iomm_dev a, b;
	fx_attach(f, &a, &d[0], 0x10);
	fx_attach(f, &b, &d[1], 0x11);
	map_ok(&d[1], 0, 0x5000, 0x1000, RW);
	assert_int_equal(fx_xlate(f, 0x11, 0x10, false), 0x5010);
	assert_int_equal(fx_dma(f, 0x10, 0x10, false, NULL), VTD_M_FR_READ);
	/* an ID comes back with its domain */
	assert_int_equal(iomm_detach(&a), IOMM_OK);
	assert_int_equal(iomm_domain_destroy(&d[0]), IOMM_OK);
	assert_int_equal(fx_domain(f, &d[2], IOMM_DOMAIN_S2, 48), IOMM_OK);
	fx_check_hygiene(f);
}

/* ==== 4. invalidation per operation ============================================= */

void test_unmap_queued_fewest_descriptors(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct iomm_domain d = {0};
	struct iomm_dev dev;
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 48), IOMM_OK);
	fx_attach(f, &dev, &d, 0x0600);
	map_ok(&d, 0, MiB(64), 64 * 0x1000, RW);
	for (uint64_t a = 0; a < 64 * 0x1000; a += 0x1000)
		fx_xlate(f, 0x0600, a, false);

	/* one page: one page-selective invalidation and one wait */
	fx_snap(f);
	unmap_ok(&d, 0x5000, 0x1000);
	assert_int_equal(FX_D(f, qi_descs), 2);
	assert_int_equal(FX_D(f, iotlb_page), 1);
	assert_int_equal(FX_D(f, waits), 1);
	assert_int_equal(fx_ninv(f), 2);
	const struct vtd_model_inv *inv = fx_inv(f, 0);
	assert_int_equal(inv->type, VTD_M_DSC_IOTLB);
	assert_int_equal(inv->g, VTD_M_G_PAGE);
	assert_int_equal(inv->did, d.id);
	assert_int_equal(inv->addr, 0x5000);
	assert_int_equal(inv->am, 0);
	assert_int_equal(fx_inv(f, 1)->type, VTD_M_DSC_WAIT);
	assert_int_equal(fx_dma(f, 0x0600, 0x5000, false, NULL), VTD_M_FR_READ);
	assert_int_equal(fx_xlate(f, 0x0600, 0x6000, false), MiB(64) + 0x6000);

	/* three pages: still one descriptor, its mask covering them */
	fx_snap(f);
	unmap_ok(&d, 0x9000, 0x3000);
	assert_int_equal(FX_D(f, qi_descs), 2);
	inv = fx_inv(f, 0);
	assert_int_equal(inv->g, VTD_M_G_PAGE);
	uint64_t span = UINT64_C(0x1000) << inv->am;
	assert_true(inv->addr <= 0x9000 && inv->addr + span >= 0xc000);
	assert_int_equal(inv->addr & (span - 1), 0);
	for (uint64_t a = 0x9000; a < 0xc000; a += 0x1000)
		assert_int_equal(fx_dma(f, 0x0600, a, true, NULL), VTD_M_FR_WRITE);
	assert_int_equal(fx_xlate(f, 0x0600, 0xc000, false), MiB(64) + 0xc000);

	/* more pages than the threshold (0: 512): one domain-selective invalidation */
	fx_snap(f);
	unmap_ok(&d, 0x20000, 0x20000);
	assert_int_equal(FX_D(f, qi_descs), 2);
	assert_int_equal(FX_D(f, iotlb_page), 1); /* 32 pages: still page-selective */
	map_ok(&d, 0x20000, MiB(64) + 0x20000, 0x20000, RW);
	f->vtd.cfg.inv_threshold = 16;
	fx_snap(f);
	unmap_ok(&d, 0x20000, 0x20000);
	assert_int_equal(FX_D(f, qi_descs), 2);
	assert_int_equal(FX_D(f, iotlb_domain), 1);
	assert_int_equal(fx_dma(f, 0x0600, 0x3f000, false, NULL), VTD_M_FR_READ);
	assert_int_equal(f->vtd.stats.qi_waits, f->model.stats.waits);
	fx_check_hygiene(f);
}

void test_unmap_register_interface(void **state)
{
	struct fx *f = *state;
	f->cfg.flags = IOMM_VTD_CFG_REGINV;
	fx_start(f);
	assert_false(f->vtd.qi);
	assert_false(gsts(f) & VTD_M_GCMD_QIE);
	struct iomm_domain d = {0};
	struct iomm_dev dev;
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 48), IOMM_OK);
	fx_attach(f, &dev, &d, 0x0601);
	map_ok(&d, 0x10000, 0x70000, 0x4000, RW);
	fx_xlate(f, 0x0601, 0x11000, true);
	fx_snap(f);
	unmap_ok(&d, 0x11000, 0x1000);
	assert_int_equal(FX_D(f, reg_iotlb), 1);
	assert_int_equal(FX_D(f, reg_ccmd), 0);
	assert_int_equal(FX_D(f, qi_descs), 0);
	const struct vtd_model_inv *inv = fx_inv(f, 0);
	assert_false(inv->queued);
	assert_int_equal(inv->g, VTD_M_G_PAGE);
	assert_int_equal(inv->addr, 0x11000);
	assert_int_equal(inv->did, d.id);
	assert_int_equal(fx_dma(f, 0x0601, 0x11000, true, NULL), VTD_M_FR_WRITE);
	/* detach: context cache by register, device-selective */
	fx_snap(f);
	assert_int_equal(iomm_detach(&dev), IOMM_OK);
	assert_int_equal(FX_D(f, reg_ccmd), 1);
	assert_int_equal(FX_D(f, cc_device), 1);
	assert_int_equal(fx_dma(f, 0x0601, 0x10000, false, NULL), VTD_M_FR_CTX_NP);
	fx_check_hygiene(f);
}

void test_unmap_without_psi(void **state)
{
	struct fx *f = *state;
	f->mcfg.psi = false;
	fx_start(f);
	struct iomm_domain d = {0};
	struct iomm_dev dev;
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 48), IOMM_OK);
	fx_attach(f, &dev, &d, 0x0602);
	map_ok(&d, 0x10000, 0x70000, 0x2000, RW);
	fx_xlate(f, 0x0602, 0x10000, true);
	fx_snap(f);
	unmap_ok(&d, 0x10000, 0x1000);
	assert_int_equal(FX_D(f, iotlb_domain), 1);
	assert_int_equal(FX_D(f, iotlb_page), 0);
	assert_int_equal(fx_dma(f, 0x0602, 0x10000, true, NULL), VTD_M_FR_WRITE);
	fx_check_hygiene(f);
}

void test_flush_all_and_destroy(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	fx_snap(f);
	assert_int_equal(iomm_vtd_flush_all(&f->vtd), IOMM_OK);
	assert_int_equal(FX_D(f, cc_global), 1);
	assert_int_equal(FX_D(f, iotlb_global), 1);
	assert_int_equal(FX_D(f, waits), 1);
	assert_int_equal(FX_D(f, qi_descs), 3);
	assert_int_equal(iomm_vtd_flush_all(NULL), IOMM_EINVAL);

	struct iomm_domain d = {0};
	struct iomm_dev dev;
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 48), IOMM_OK);
	fx_attach(f, &dev, &d, 0x0700);
	map_ok(&d, 0, 0x90000, 0x1000, RW);
	fx_xlate(f, 0x0700, 0, false);
	assert_int_equal(iomm_detach(&dev), IOMM_OK);
	fx_snap(f);
	assert_int_equal(iomm_domain_destroy(&d), IOMM_OK);
	assert_int_equal(FX_D(f, iotlb_domain), 1);
	assert_int_equal(FX_D(f, waits), 1);
	fx_check_hygiene(f);
}

/* ==== 5. caching mode and write buffers ========================================= */

void test_caching_mode_map_sync(void **state)
{
	struct fx *f = *state;
	f->mcfg.cm = true;
	fx_start(f);
	struct iomm_domain d = {0};
	struct iomm_dev dev;
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 48), IOMM_OK);
	/* the device faults before attach: the model caches its not-present context */
	assert_int_equal(fx_dma(f, 0x0810, 0x1000, false, NULL), VTD_M_FR_ROOT_NP);
	fx_attach(f, &dev, &d, 0x0810);
	/* a not-present leaf is cached too */
	assert_int_equal(fx_dma(f, 0x0810, 0x5000, true, NULL), VTD_M_FR_WRITE);
	fx_snap(f);
	map_ok(&d, 0x5000, 0x55000, 0x1000, RW);
	assert_int_equal(fx_xlate(f, 0x0810, 0x5000, true), 0x55000);
	assert_int_equal(f->vtd.stats.map_syncs, 1);
	assert_int_equal(FX_D(f, iotlb_page), 1);
	assert_int_equal(FX_D(f, waits), 1);
	const struct vtd_model_inv *inv = fx_inv(f, 0);
	assert_int_equal(inv->addr, 0x5000);
	assert_int_equal(inv->did, d.id);

	/* the same map written into the table without the backend's sync keeps
	 * faulting: the model really hides new entries behind cached ones */
	assert_int_equal(fx_dma(f, 0x0810, 0x6000, true, NULL), VTD_M_FR_WRITE);
	assert_int_equal(iomm_pgt_map(&d.pgt, 0x6000, 0x66000, 0x1000, RW), IOMM_OK);
	assert_int_equal(fx_dma(f, 0x0810, 0x6000, true, NULL), VTD_M_FR_WRITE);
	assert_int_equal(iomm_vtd_flush_all(&f->vtd), IOMM_OK);
	assert_int_equal(fx_xlate(f, 0x0810, 0x6000, true), 0x66000);
	fx_check_hygiene(f);
}

void test_write_buffer_flush(void **state)
{
	struct fx *f = *state;
	f->mcfg.rwbf = true;
	f->mcfg.qi = false;
	fx_start(f);
	struct iomm_domain d = {0};
	struct iomm_dev dev;
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 48), IOMM_OK);
	fx_snap(f);
	fx_attach(f, &dev, &d, 0x0820);
	assert_int_equal(FX_D(f, wbf), 1);
	map_ok(&d, 0, 0x10000, 0x1000, RW);
	assert_int_equal(FX_D(f, wbf), 2);
	assert_int_equal(f->vtd.stats.wbf, 2);
	assert_int_equal(fx_xlate(f, 0x0820, 0, false), 0x10000);
	fx_check_hygiene(f);
}

/* ==== 6. scalable mode =========================================================== */

void test_scalable_second_stage(void **state)
{
	struct fx *f = *state;
	f->cfg.flags = IOMM_VTD_CFG_SCALABLE;
	fx_start(f);
	struct iomm_domain d = {0};
	struct iomm_dev dev;
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 48), IOMM_OK);
	fx_attach(f, &dev, &d, 0x0385); /* devfn >= 0x80: upper context table */
	map_ok(&d, 0x3000, 0x33000, 0x1000, IOMM_READ);
	assert_int_equal(fx_xlate(f, 0x0385, 0x3008, false), 0x33008);
	assert_int_equal(fx_dma(f, 0x0385, 0x3008, true, NULL), VTD_M_FR_SM_WRITE);
	const struct vtd_model_pasid_entry *pe = model_pasid(f, 0x0385);
	assert_non_null(pe);
	assert_int_equal((pe->w[0] >> 6) & 7, 2); /* PGTT second stage */
	assert_int_equal(pe->did, d.id);
	assert_int_equal(fx_dma(f, 0x0305, 0x3008, false, NULL), VTD_M_FR_SM_ROOT_NP);
	fx_snap(f);
	unmap_ok(&d, 0x3000, 0x1000);
	assert_int_equal(FX_D(f, iotlb_page), 1);
	assert_int_equal(FX_D(f, waits), 1);
	assert_int_equal(fx_dma(f, 0x0385, 0x3008, false, NULL), VTD_M_FR_SM_SS_NP);
	map_ok(&d, 0x3000, 0x34000, 0x1000, RW);
	assert_int_equal(fx_xlate(f, 0x0385, 0x3008, true), 0x34008);
	fx_snap(f);
	assert_int_equal(iomm_detach(&dev), IOMM_OK);
	assert_int_equal(FX_D(f, cc_device), 1);
	assert_int_equal(FX_D(f, pc_pasid), 1);
	assert_int_equal(FX_D(f, iotlb_domain), 1);
	assert_int_equal(FX_D(f, waits), 1);
	assert_int_equal(fx_dma(f, 0x0385, 0x3008, false, NULL), VTD_M_FR_SM_CTX_NP);
	/* bypass in scalable mode: PGTT pass-through */
	struct iomm_domain by = {0};
	assert_int_equal(fx_domain(f, &by, IOMM_DOMAIN_BYPASS, 0), IOMM_OK);
	assert_int_equal(iomm_attach(&by, &dev), IOMM_OK);
	assert_int_equal(fx_xlate(f, 0x0385, 0xdead000, true), 0xdead000);
	fx_check_hygiene(f);
}

void test_scalable_first_stage(void **state)
{
	struct fx *f = *state;
	f->cfg.flags = IOMM_VTD_CFG_SCALABLE;
	fx_start(f);
	assert_int_equal(f->vtd.unit.fmt_s1, IOMM_FMT_X86_FL);
	struct iomm_domain d = {0};
	struct iomm_dev dev;
	/* 4-level first stage: the lower canonical half, 47 bits */
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S1, 47), IOMM_OK);
	fx_attach(f, &dev, &d, 0x0410);
	map_ok(&d, 0x10000, 0xa0000, 0x1000, RW);
	map_ok(&d, 0x11000, 0xa1000, 0x1000, IOMM_READ);
	map_ok(&d, 0x12000, 0xa2000, 0x1000, IOMM_READ | IOMM_PRIV);
	map_ok(&d, MiB(2), MiB(8), MiB(2), RW);
	assert_int_equal(fx_xlate(f, 0x0410, 0x10010, true), 0xa0010);
	assert_int_equal(fx_xlate(f, 0x0410, 0x11010, false), 0xa1010);
	assert_int_equal(fx_dma(f, 0x0410, 0x11010, true, NULL), VTD_M_FR_SM_WRITE);
	assert_int_equal(fx_dma(f, 0x0410, 0x12000, false, NULL), VTD_M_FR_SM_PRIV);
	assert_int_equal(fx_xlate(f, 0x0410, MiB(3), true), MiB(9));
	assert_int_equal(tlb_size_log2(f, MiB(3)), 21);
	const struct vtd_model_pasid_entry *pe = model_pasid(f, 0x0410);
	assert_non_null(pe);
	assert_int_equal((pe->w[0] >> 6) & 7, 1); /* PGTT first stage */
	assert_int_equal((pe->w[2] >> 2) & 3, 0); /* 4-level */
	/* unmap: one PASID-based page invalidation and a wait */
	fx_snap(f);
	unmap_ok(&d, 0x10000, 0x1000);
	assert_int_equal(FX_D(f, qi_descs), 2);
	assert_int_equal(FX_D(f, piotlb_page), 1);
	const struct vtd_model_inv *inv = fx_inv(f, 0);
	assert_int_equal(inv->type, VTD_M_DSC_PIOTLB);
	assert_int_equal(inv->g, 3);
	assert_int_equal(inv->did, d.id);
	assert_int_equal(inv->pasid, 0);
	assert_int_equal(inv->addr, 0x10000);
	assert_int_equal(fx_dma(f, 0x0410, 0x10010, true, NULL), VTD_M_FR_SM_FS_NP);
	/* 5-level first-stage table */
	struct iomm_domain d5 = {0};
	struct iomm_dev dev5;
	assert_int_equal(fx_domain(f, &d5, IOMM_DOMAIN_S1, 56), IOMM_OK);
	fx_attach(f, &dev5, &d5, 0x0411);
	map_ok(&d5, UINT64_C(1) << 50, 0xb0000, 0x1000, RW);
	assert_int_equal(fx_xlate(f, 0x0411, (UINT64_C(1) << 50) + 4, true), 0xb0004);
	pe = model_pasid(f, 0x0411);
	assert_non_null(pe);
	assert_int_equal((pe->w[2] >> 2) & 3, 1);
	fx_check_hygiene(f);
}

void test_scalable_s1_on_second_stage(void **state)
{
	struct fx *f = *state;
	f->cfg.flags = IOMM_VTD_CFG_SCALABLE | IOMM_VTD_CFG_S1_SECOND_STAGE;
	fx_start(f);
	assert_int_equal(f->vtd.unit.fmt_s1, IOMM_FMT_VTD_SL);
	struct iomm_domain d = {0};
	struct iomm_dev dev;
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S1, 48), IOMM_OK);
	fx_attach(f, &dev, &d, 0x0420);
	map_ok(&d, 0x1000, 0x21000, 0x1000, RW);
	assert_int_equal(fx_xlate(f, 0x0420, 0x1000, true), 0x21000);
	const struct vtd_model_pasid_entry *pe = model_pasid(f, 0x0420);
	assert_non_null(pe);
	assert_int_equal((pe->w[0] >> 6) & 7, 2);
	fx_check_hygiene(f);
}

void test_scalable_caching_mode(void **state)
{
	struct fx *f = *state;
	f->mcfg.cm = true;
	f->cfg.flags = IOMM_VTD_CFG_SCALABLE;
	fx_start(f);
	struct iomm_domain d = {0};
	struct iomm_dev dev;
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S1, 48), IOMM_OK);
	assert_int_equal(fx_dma(f, 0x0430, 0x1000, false, NULL), VTD_M_FR_SM_ROOT_NP);
	fx_attach(f, &dev, &d, 0x0430);
	assert_int_equal(fx_dma(f, 0x0430, 0x1000, false, NULL), VTD_M_FR_SM_FS_NP);
	map_ok(&d, 0x1000, 0x31000, 0x1000, RW);
	assert_int_equal(fx_xlate(f, 0x0430, 0x1000, false), 0x31000);
	fx_check_hygiene(f);
}

/*
 * Batched invalidation: 1,000 single-page unmaps (pages 8 KiB apart, as
 * per-I/O buffers) one by one with iomm_unmap(), in batches of 32 with
 * iomm_unmap_gather() and iomm_gather_sync(), and in one batch. Prints the
 * queued-invalidation descriptors consumed per 1,000 unmaps; after each
 * sync the pages fault.
 */
static uint64_t vtd_batched_unmaps(struct fx *f, struct iomm_domain *d, unsigned batch,
				   uint64_t *waits)
{
	const unsigned n = 1000;
	const uint64_t base = 0x10000000;
	for (unsigned k = 0; k < n; k++)
		assert_int_equal(iomm_map(d, base + k * 0x2000, MiB(64) + k * 0x1000, 0x1000, RW),
				 IOMM_OK);
	for (unsigned k = 0; k < n; k += 97)
		assert_int_equal(fx_xlate(f, 0x0600, base + k * 0x2000, false),
				 MiB(64) + k * 0x1000);
	fx_snap(f);
	struct iomm_gather g;
	iomm_gather_init(&g);
	for (unsigned k = 0; k < n; k++) {
		uint64_t iova = base + k * 0x2000, unmapped = 0;
		if (!batch) {
			assert_int_equal(iomm_unmap(d, iova, 0x1000, &unmapped), IOMM_OK);
		} else {
			assert_int_equal(iomm_unmap_gather(d, iova, 0x1000, &g, &unmapped), IOMM_OK);
			if ((k + 1) % batch == 0 || k + 1 == n)
				assert_int_equal(iomm_gather_sync(d, &g), IOMM_OK);
		}
		assert_int_equal(unmapped, 0x1000);
	}
	uint64_t descs = FX_D(f, qi_descs);
	*waits = FX_D(f, waits);
	for (unsigned k = 0; k < n; k += 97)
		assert_int_equal(fx_dma(f, 0x0600, base + k * 0x2000, false, NULL), VTD_M_FR_READ);
	return descs;
}

void test_unmap_batched(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct iomm_domain d = {0};
	struct iomm_dev dev;
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 48), IOMM_OK);
	fx_attach(f, &dev, &d, 0x0600);
	uint64_t w1, w32, wall;
	uint64_t one = vtd_batched_unmaps(f, &d, 0, &w1);
	uint64_t b32 = vtd_batched_unmaps(f, &d, 32, &w32);
	uint64_t all = vtd_batched_unmaps(f, &d, 1000, &wall);
	print_message("VT-d: queued-invalidation descriptors per 1,000 single-page unmaps: %llu one "
		      "by one (iomm_unmap, %llu waits), %llu in batches of 32 (%llu waits), %llu in "
		      "one batch (%llu wait) (iomm_unmap_gather + iomm_gather_sync)\n",
		      (unsigned long long)one, (unsigned long long)w1, (unsigned long long)b32,
		      (unsigned long long)w32, (unsigned long long)all, (unsigned long long)wall);
	assert_int_equal(one, 2000); /* a page-selective invalidation and a wait each */
	assert_int_equal(w1, 1000);
	assert_int_equal(w32, 32);
	assert_int_equal(wall, 1);
	assert_true(b32 < one / 4);
	assert_true(all < 32);
	fx_check_hygiene(f);
}
