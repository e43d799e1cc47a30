/* SPDX-License-Identifier: BSD-3-Clause */
/* test_vtd.c, sections 7. faults; 8. timeouts and hardware errors; 9. enable, disable, coherency; 10. more corners. */
#include "test_vtd.h"

#include <stdlib.h>
#include <string.h>

/* ==== 7. faults =================================================================== */

void test_fault_poll_decodes(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct iomm_domain d = {0};
	struct iomm_dev dev;
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 48), IOMM_OK);
	fx_attach(f, &dev, &d, 0x0110);
	map_ok(&d, 0x3000, 0x33000, 0x1000, IOMM_READ);
	assert_int_equal(fx_poll(f), 0);
	assert_int_equal(fx_dma(f, 0x0110, 0x7123, false, NULL), VTD_M_FR_READ);
	assert_int_equal(fx_dma(f, 0x0110, 0x3000, true, NULL), VTD_M_FR_WRITE);
	assert_int_equal(fx_dma(f, 0x0111, 0x9000, false, NULL), VTD_M_FR_CTX_NP);
	assert_int_equal(fx_dma(f, 0x0200, 0xa000, true, NULL), VTD_M_FR_ROOT_NP);
	assert_int_equal(fx_poll(f), 4);
	assert_int_equal(f->nfaults, 4);
	const struct iomm_fault *x = f->faults;
	assert_int_equal(x[0].sid, 0x0110);
	assert_int_equal(x[0].addr, 0x7000);
	assert_int_equal(x[0].raw, VTD_M_FR_READ);
	assert_true(x[0].flags & IOMM_FAULT_READ);
	assert_false(x[0].flags & IOMM_FAULT_WRITE);
	assert_int_equal(x[0].reason, IOMM_FAULT_PERMISSION);
	assert_int_equal(x[1].addr, 0x3000);
	assert_int_equal(x[1].raw, VTD_M_FR_WRITE);
	assert_true(x[1].flags & IOMM_FAULT_WRITE);
	assert_int_equal(x[2].sid, 0x0111);
	assert_int_equal(x[2].raw, VTD_M_FR_CTX_NP);
	assert_int_equal(x[2].reason, IOMM_FAULT_BAD_STREAM);
	assert_int_equal(x[3].sid, 0x0200);
	assert_int_equal(x[3].addr, 0xa000);
	assert_int_equal(x[3].raw, VTD_M_FR_ROOT_NP);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(x[i].lost, 0);
	assert_int_equal(vtd_model_pending_faults(&f->model), 0);
	assert_false(vtd_model_read(&f->model, VTD_M_FSTS, 4) & VTD_M_FSTS_PPF);
	assert_int_equal(fx_poll(f), 0);
	assert_int_equal(f->vtd.stats.faults, 4);
	/* records wrap around the register file: oldest first */
	for (unsigned i = 0; i < 6; i++)
		fx_dma(f, 0x0110, 0x100000 + i * 0x1000, false, NULL);
	assert_int_equal(fx_poll(f), 6);
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(f->faults[i].addr, 0x100000 + i * 0x1000);
	assert_int_equal(iomm_fault_poll(NULL, NULL, NULL), IOMM_EINVAL);
	fx_check_hygiene(f);
}

void test_fault_overflow(void **state)
{
	struct fx *f = *state;
	f->mcfg.nfr = 2;
	f->mcfg.fro = 0x200;
	fx_start(f);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(fx_dma(f, (uint16_t)(0x0900 + i), 0x1000, false, NULL),
				 VTD_M_FR_ROOT_NP);
	assert_true(vtd_model_read(&f->model, VTD_M_FSTS, 4) & VTD_M_FSTS_PFO);
	assert_int_equal(f->model.stats.faults_dropped, 2);
	assert_int_equal(fx_poll(f), 2);
	assert_int_equal(f->faults[0].sid, 0x0900);
	assert_int_equal(f->faults[1].sid, 0x0901);
	assert_true(f->faults[0].lost >= 1);
	assert_int_equal(f->faults[1].lost, 0);
	assert_int_equal(f->vtd.stats.lost, 1);
	assert_false(vtd_model_read(&f->model, VTD_M_FSTS, 4) & VTD_M_FSTS_PFO);
	/* recording goes on */
	assert_int_equal(fx_dma(f, 0x0a00, 0x2000, true, NULL), VTD_M_FR_ROOT_NP);
	assert_int_equal(fx_poll(f), 1);
	assert_int_equal(f->faults[0].sid, 0x0a00);
	assert_int_equal(f->faults[0].lost, 0);
	fx_check_hygiene(f);
}

void test_fault_scalable_codes(void **state)
{
	struct fx *f = *state;
	f->cfg.flags = IOMM_VTD_CFG_SCALABLE;
	fx_start(f);
	struct iomm_domain d = {0};
	struct iomm_dev dev;
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S1, 48), IOMM_OK);
	fx_attach(f, &dev, &d, 0x0440);
	map_ok(&d, 0x1000, 0x31000, 0x1000, IOMM_READ);
	assert_int_equal(fx_dma(f, 0x0440, 0x1000, true, NULL), VTD_M_FR_SM_WRITE);
	assert_int_equal(fx_dma(f, 0x0440, 0x5000, false, NULL), VTD_M_FR_SM_FS_NP);
	assert_int_equal(fx_dma(f, 0x0441, 0x5000, false, NULL), VTD_M_FR_SM_CTX_NP);
	assert_int_equal(fx_poll(f), 3);
	assert_int_equal(f->faults[0].raw, VTD_M_FR_SM_WRITE);
	assert_int_equal(f->faults[0].reason, IOMM_FAULT_PERMISSION);
	assert_true(f->faults[0].flags & IOMM_FAULT_WRITE);
	assert_int_equal(f->faults[1].raw, VTD_M_FR_SM_FS_NP);
	assert_int_equal(f->faults[1].reason, IOMM_FAULT_TRANSLATION);
	assert_int_equal(f->faults[2].raw, VTD_M_FR_SM_CTX_NP);
	assert_int_equal(f->faults[2].reason, IOMM_FAULT_BAD_STREAM);
	fx_check_hygiene(f);
}

void test_decode_fault_records(void **state)
{
	(void)state;
	struct iomm_fault fl;
	uint64_t rec[2] = {0x123456789000ull | 0xabc,
			   VTD_M_FRCD_F | VTD_M_FRCD_T1 | (uint64_t)0x06 << 32 | 0x1234};
	assert_int_equal(iomm_vtd_decode_fault(rec, &fl), IOMM_OK);
	assert_int_equal(fl.sid, 0x1234);
	assert_int_equal(fl.addr, 0x123456789000ull);
	assert_int_equal(fl.raw, 6);
	assert_true(fl.flags & IOMM_FAULT_READ);
	assert_false(fl.flags & (IOMM_FAULT_WRITE | IOMM_FAULT_SSID));
	assert_int_equal(fl.lost, 0);
	/* a write with PASID, execute and privilege */
	rec[1] = VTD_M_FRCD_F | (uint64_t)0x85 << 32 | VTD_M_FRCD_PP | (uint64_t)0x4321 << 40 |
		 (1ull << 30) | (1ull << 29) | 0x0042;
	assert_int_equal(iomm_vtd_decode_fault(rec, &fl), IOMM_OK);
	assert_true(fl.flags & IOMM_FAULT_WRITE);
	assert_true(fl.flags & IOMM_FAULT_SSID);
	assert_true(fl.flags & IOMM_FAULT_EXEC);
	assert_true(fl.flags & IOMM_FAULT_PRIV);
	assert_int_equal(fl.ssid, 0x4321);
	assert_int_equal(fl.reason, IOMM_FAULT_PERMISSION);
	/* unknown reason, F clear, NULL */
	rec[1] = VTD_M_FRCD_F | (uint64_t)0xee << 32;
	assert_int_equal(iomm_vtd_decode_fault(rec, &fl), IOMM_OK);
	assert_int_equal(fl.reason, IOMM_FAULT_OTHER);
	assert_int_equal(fl.raw, 0xee);
	rec[1] &= ~VTD_M_FRCD_F;
	assert_int_equal(iomm_vtd_decode_fault(rec, &fl), IOMM_ENOENT);
	assert_int_equal(fl.raw, 0xee);
	assert_int_equal(iomm_vtd_decode_fault(NULL, &fl), IOMM_EINVAL);
	assert_int_equal(iomm_vtd_decode_fault(rec, NULL), IOMM_EINVAL);
}

/* ==== 8. timeouts and hardware errors ============================================= */

void test_gcmd_timeouts(void **state)
{
	static const uint32_t bits[] = {VTD_M_GCMD_SRTP, VTD_M_GCMD_QIE, VTD_M_GCMD_TE};
	for (unsigned i = 0; i < 3; i++) {
		struct fx *f = fresh(state);
		f->mcfg.gsts_stuck = bits[i];
		assert_int_equal(fx_boot(f), IOMM_ETIMEDOUT);
		/* bounded by the (fake) clock: 100 ms and not much more */
		assert_true(f->px.fake_now >= UINT64_C(100000000));
		assert_true(f->px.fake_now < UINT64_C(2000000000));
		assert_false(gsts(f) & VTD_M_GCMD_TE);
	}
	/* a unit initialised without enable times out in iomm_vtd_enable() */
	struct fx *f = fresh(state);
	f->cfg.flags = IOMM_VTD_CFG_NO_ENABLE;
	fx_start(f);
	assert_false(gsts(f) & VTD_M_GCMD_TE);
	f->model.cfg.gsts_stuck = VTD_M_GCMD_TE;
	assert_int_equal(iomm_vtd_enable(&f->vtd), IOMM_ETIMEDOUT);
	f->model.cfg.gsts_stuck = 0;
	assert_int_equal(iomm_vtd_enable(&f->vtd), IOMM_OK);
	assert_true(gsts(f) & VTD_M_GCMD_TE);
}

void test_queue_wait_timeout(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct iomm_domain d = {0};
	struct iomm_dev dev;
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 48), IOMM_OK);
	fx_attach(f, &dev, &d, 0x0b00);
	map_ok(&d, 0x1000, 0x11000, 0x2000, RW);
	f->model.cfg.wait_stuck = true;
	uint64_t t0 = f->px.fake_now;
	assert_int_equal(iomm_unmap(&d, 0x1000, 0x1000, NULL), IOMM_ETIMEDOUT);
	assert_true(f->px.fake_now - t0 >= UINT64_C(100000000));
	uint64_t pa;
	assert_int_equal(iomm_iova_to_phys(&d, 0x1000, &pa), IOMM_ENOENT);
	/* the unit recovers: later operations complete */
	f->model.cfg.wait_stuck = false;
	vtd_model_process(&f->model);
	unmap_ok(&d, 0x2000, 0x1000);
	assert_int_equal(fx_dma(f, 0x0b00, 0x2000, false, NULL), VTD_M_FR_READ);
	fx_check_hygiene(f);
}

void test_register_timeouts(void **state)
{
	struct fx *f = *state;
	f->cfg.flags = IOMM_VTD_CFG_REGINV;
	fx_start(f);
	struct iomm_domain d = {0};
	struct iomm_dev dev;
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 48), IOMM_OK);
	fx_attach(f, &dev, &d, 0x0b10);
	map_ok(&d, 0x1000, 0x11000, 0x1000, RW);
	f->model.cfg.iotlb_stuck = true;
	assert_int_equal(iomm_unmap(&d, 0x1000, 0x1000, NULL), IOMM_ETIMEDOUT);
	f->model.cfg.iotlb_stuck = false;
	f->model.iotlb_reg = 0; /* the stuck command is abandoned */
	f->model.cfg.ccmd_stuck = true;
	assert_int_equal(iomm_vtd_flush_all(&f->vtd), IOMM_ETIMEDOUT);
	/* a detach that is not confirmed keeps the device recorded as attached */
	assert_int_equal(iomm_detach(&dev), IOMM_ETIMEDOUT);
	f->model.cfg.ccmd_stuck = false;
	f->model.ccmd = 0;
	assert_int_equal(iomm_detach(&dev), IOMM_OK);
	assert_int_equal(fx_dma(f, 0x0b10, 0x1000, false, NULL), VTD_M_FR_CTX_NP);
}

void test_queue_error_is_eio(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct iomm_domain d = {0};
	struct iomm_dev dev;
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 48), IOMM_OK);
	fx_attach(f, &dev, &d, 0x0c00);
	map_ok(&d, 0, 0x40000, 0x8000, RW);
	fx_xlate(f, 0x0c00, 0x2000, false);
	/* the unit now refuses masks above 0: a two-page invalidation is malformed */
	f->model.cfg.mamv = 0;
	assert_int_equal(iomm_unmap(&d, 0x2000, 0x2000, NULL), IOMM_EIO);
	assert_int_equal(f->model.stats.iqe, 1);
	assert_int_equal(f->vtd.stats.qi_errors, 1);
	assert_false(vtd_model_read(&f->model, VTD_M_FSTS, 4) & VTD_M_FSTS_IQE);
	/* the queue runs on */
	f->model.cfg.mamv = 9;
	unmap_ok(&d, 0x5000, 0x1000);
	assert_int_equal(fx_dma(f, 0x0c00, 0x5000, false, NULL), VTD_M_FR_READ);
	assert_int_equal(iomm_vtd_flush_all(&f->vtd), IOMM_OK);
	assert_int_equal(fx_dma(f, 0x0c00, 0x2000, false, NULL), VTD_M_FR_READ);
}

/* ==== 9. enable, disable, coherency ============================================ */

void test_disable_enable(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct iomm_domain d = {0};
	struct iomm_dev dev;
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 48), IOMM_OK);
	fx_attach(f, &dev, &d, 0x0d00);
	map_ok(&d, 0x1000, 0x71000, 0x1000, RW);
	assert_int_equal(iomm_vtd_disable(&f->vtd), IOMM_OK);
	assert_false(gsts(f) & (VTD_M_GCMD_TE | VTD_M_GCMD_QIE));
	assert_int_equal(fx_xlate(f, 0x0d00, 0x1000, false), 0x1000); /* untranslated */
	assert_int_equal(iomm_vtd_enable(&f->vtd), IOMM_OK);
	assert_true(gsts(f) & VTD_M_GCMD_TE);
	assert_true(gsts(f) & VTD_M_GCMD_QIE);
	assert_int_equal(iomm_vtd_enable(&f->vtd), IOMM_OK); /* already on */
	assert_int_equal(fx_xlate(f, 0x0d00, 0x1000, false), 0x71000);
	assert_int_equal(fx_dma(f, 0x0d01, 0x1000, false, NULL), VTD_M_FR_CTX_NP);
	unmap_ok(&d, 0x1000, 0x1000);
	assert_int_equal(fx_dma(f, 0x0d00, 0x1000, false, NULL), VTD_M_FR_READ);
	assert_int_equal(iomm_vtd_enable(NULL), IOMM_EINVAL);
	assert_int_equal(iomm_vtd_disable(NULL), IOMM_EINVAL);
	fx_check_hygiene(f);
}

void test_noncoherent_walks_cleaned(void **state)
{
	struct fx *f = *state;
	f->mcfg.c = false;
	fx_start(f);
	assert_false(f->vtd.unit.caps & IOMM_CAP_COHERENT);
	uint64_t c0 = f->px.clean_calls;
	assert_true(c0 > 0); /* root table and queue at least */
	struct iomm_domain d = {0};
	struct iomm_dev dev;
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 48), IOMM_OK);
	fx_attach(f, &dev, &d, 0x0e00);
	map_ok(&d, 0x1000, 0x81000, 0x1000, RW);
	assert_true(f->px.clean_calls > c0);
	assert_int_equal(fx_xlate(f, 0x0e00, 0x1000, true), 0x81000);
	fx_check_hygiene(f);
}


/* ==== 10. more corners =========================================================== */

void test_init_takes_over_from_firmware(void **state)
{
	struct fx *f = *state;
	assert_int_equal(vtd_model_init(&f->model, &f->mcfg), 0);
	f->model_up = true;
	/* firmware left translation and the queue on, and a fault pending */
	uint64_t *old_iq = fx_mem(f, 4096, 4096);
	vtd_model_write(&f->model, VTD_M_IQA, (uint64_t)(uintptr_t)old_iq, 8);
	vtd_model_write(&f->model, VTD_M_GCMD, VTD_M_GCMD_QIE, 4);
	vtd_model_write(&f->model, VTD_M_GCMD, VTD_M_GCMD_QIE | VTD_M_GCMD_TE, 4);
	assert_int_equal(vtd_model_dma(&f->model, 0x0100, 0x1000, 1, false, NULL), VTD_M_FR_ROOT_ACCESS);
	assert_int_equal(vtd_model_pending_faults(&f->model), 1);
	f->model.stats.gcmd_multi = 0;
	fx_start(f);
	assert_true(gsts(f) & VTD_M_GCMD_TE);
	/* same table mode: the empty root table went in under live translation */
	assert_int_equal(f->model.stats.te_off, 0);
	assert_int_equal(f->model.rta_active, f->mem.root_pa);
	assert_int_equal(f->model.iqa & ~UINT64_C(0xfff), f->mem.iq_pa);
	assert_int_equal(vtd_model_pending_faults(&f->model), 0);
	assert_int_equal(fx_dma(f, 0x0100, 0x1000, false, NULL), VTD_M_FR_ROOT_NP);
	fx_check_hygiene(f);
}

void test_init_takes_over_other_mode(void **state)
{
	struct fx *f = *state;
	assert_int_equal(vtd_model_init(&f->model, &f->mcfg), 0);
	f->model_up = true;
	/* firmware translated in scalable mode; the backend runs legacy mode */
	uint64_t *old_root = fx_mem(f, 4096, 4096);
	vtd_model_write(&f->model, VTD_M_RTADDR,
			(uint64_t)(uintptr_t)old_root | ((uint64_t)VTD_M_TTM_SCALABLE << 10), 8);
	vtd_model_write(&f->model, VTD_M_GCMD, VTD_M_GCMD_SRTP, 4);
	vtd_model_write(&f->model, VTD_M_GCMD, VTD_M_GCMD_TE, 4);
	assert_true(gsts(f) & VTD_M_GCMD_TE);
	fx_start(f);
	/* the mode cannot change under live translation: off once, then on again */
	assert_int_equal(f->model.stats.te_off, 1);
	assert_true(gsts(f) & VTD_M_GCMD_TE);
	assert_int_equal(f->model.rta_active, f->mem.root_pa);
	assert_int_equal(fx_dma(f, 0x0100, 0x1000, false, NULL), VTD_M_FR_ROOT_NP);
	fx_check_hygiene(f);
}

void test_init_resources(void **state)
{
	/* a non-coherent unit needs the port's clean_tables */
	struct fx *f = fresh(state);
	f->mcfg.c = false;
	fx_port_up(f);
	f->px.port.clean_tables = NULL;
	assert_int_equal(fx_boot(f), IOMM_EINVAL);
	/* no page for the wait-status word */
	f = fresh(state);
	f->pool = fx_pool(f, 4096, 1);
	uint64_t pa;
	assert_non_null(iomm_pool_alloc(f->pool, 1, &pa));
	assert_int_equal(fx_boot(f), IOMM_ENOMEM);
	/* the wait of the first global invalidation never completes */
	f = fresh(state);
	f->mcfg.wait_stuck = true;
	assert_int_equal(fx_boot(f), IOMM_ETIMEDOUT);
	/* scalable with first stage but no 5-level first stage: 48-bit domains */
	f = fresh(state);
	f->mcfg.fl5lp = false;
	f->cfg.flags = IOMM_VTD_CFG_SCALABLE;
	fx_start(f);
	assert_int_equal(f->vtd.unit.ias, 47); /* 4-level, lower canonical half */
	struct iomm_domain d = {0};
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S1, 56), IOMM_ENOTSUP);
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_NESTED, 48), IOMM_EINVAL);
}

void test_attach_out_of_pool_memory(void **state)
{
	struct fx *f = *state;
	f->pool = fx_pool(f, 4096, 2); /* status word + one context table */
	fx_start(f);
	struct iomm_domain d = {0};
	struct iomm_dev a, b;
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 48), IOMM_OK);
	map_ok(&d, 0, 0x50000, 0x1000, RW);
	fx_attach(f, &a, &d, 0x0100);
	struct iomm_devid id = IOMM_SID(0x0200);
	assert_int_equal(iomm_dev_init(&b, &f->vtd.unit, &id), IOMM_OK);
	assert_int_equal(iomm_attach(&d, &b), IOMM_ENOMEM);
	assert_int_equal(fx_dma(f, 0x0200, 0, false, NULL), VTD_M_FR_ROOT_NP);
	assert_int_equal(fx_xlate(f, 0x0100, 0, false), 0x50000);
	fx_check_hygiene(f);

	/* scalable mode: two pages of PASID structures per device */
	f = fresh(state);
	d = (struct iomm_domain){0}; /* its unit went with the old fixture */
	f->cfg.flags = IOMM_VTD_CFG_SCALABLE;
	f->pool = fx_pool(f, 4096, 3);
	fx_start(f);
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S1, 48), IOMM_OK);
	id = IOMM_SID(0x0100);
	assert_int_equal(iomm_dev_init(&a, &f->vtd.unit, &id), IOMM_OK);
	assert_int_equal(iomm_attach(&d, &a), IOMM_ENOMEM);
	assert_int_equal(fx_dma(f, 0x0100, 0, false, NULL), VTD_M_FR_SM_CTX_NP);
}

void test_caching_mode_attach_variants(void **state)
{
	struct fx *f = *state;
	f->mcfg.cm = true;
	fx_start(f);
	struct iomm_domain d = {0}, by = {0};
	struct iomm_dev a, b, c;
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 48), IOMM_OK);
	assert_int_equal(fx_domain(f, &by, IOMM_DOMAIN_BYPASS, 0), IOMM_OK);
	map_ok(&d, 0, 0x60000, 0x1000, RW);
	fx_attach(f, &a, &d, 0x0100);
	/* same bus: the context table exists, its not-present entry was cached */
	assert_int_equal(fx_dma(f, 0x0101, 0, false, NULL), VTD_M_FR_CTX_NP);
	fx_snap(f);
	fx_attach(f, &b, &by, 0x0101);
	assert_int_equal(FX_D(f, cc_device), 1);
	assert_int_equal(fx_xlate(f, 0x0101, 0x7777000, true), 0x7777000);
	/* an attach whose invalidation never completes leaves the device blocked */
	struct iomm_devid id = IOMM_SID(0x0102);
	assert_int_equal(iomm_dev_init(&c, &f->vtd.unit, &id), IOMM_OK);
	f->model.cfg.wait_stuck = true;
	assert_int_equal(iomm_attach(&d, &c), IOMM_ETIMEDOUT);
	f->model.cfg.wait_stuck = false;
	vtd_model_process(&f->model);
	assert_int_equal(iomm_vtd_flush_all(&f->vtd), IOMM_OK);
	assert_int_equal(fx_dma(f, 0x0102, 0, false, NULL), VTD_M_FR_CTX_NP);
	assert_int_equal(iomm_attach(&d, &c), IOMM_OK);
	assert_int_equal(fx_xlate(f, 0x0102, 0, false), 0x60000);
}

void test_fault_overflow_without_records(void **state)
{
	struct fx *f = *state;
	f->mcfg.nfr = 1;
	f->mcfg.fro = 0x200;
	fx_start(f);
	assert_int_equal(fx_dma(f, 0x0100, 0x1000, false, NULL), VTD_M_FR_ROOT_NP);
	assert_int_equal(fx_dma(f, 0x0101, 0x1000, false, NULL), VTD_M_FR_ROOT_NP);
	assert_true(vtd_model_read(&f->model, VTD_M_FSTS, 4) & VTD_M_FSTS_PFO);
	/* someone else drained the record: only the overflow is left to report */
	vtd_model_write(&f->model, 0x20c, 1u << 31, 4);
	assert_int_equal(fx_poll(f), 1);
	assert_int_equal(f->faults[0].reason, IOMM_FAULT_OTHER);
	assert_true(f->faults[0].lost >= 1);
	assert_int_equal(f->vtd.stats.lost, 1);
}

void test_decode_reason_table(void **state)
{
	(void)state;
	static const struct {
		uint32_t fr;
		enum iomm_fault_reason reason;
	} map[] = {
	    {0x01, IOMM_FAULT_BAD_STREAM}, {0x02, IOMM_FAULT_BAD_STREAM},
	    {0x03, IOMM_FAULT_BAD_CONFIG}, {0x0b, IOMM_FAULT_BAD_CONFIG},
	    {0x04, IOMM_FAULT_ADDR_SIZE},  {0x05, IOMM_FAULT_PERMISSION},
	    {0x06, IOMM_FAULT_PERMISSION}, {0x07, IOMM_FAULT_WALK},
	    {0x08, IOMM_FAULT_WALK},	   {0x41, IOMM_FAULT_BAD_STREAM},
	    {0x59, IOMM_FAULT_BAD_STREAM}, {0x5b, IOMM_FAULT_BAD_CONFIG},
	    {0x71, IOMM_FAULT_TRANSLATION}, {0x80, IOMM_FAULT_ADDR_SIZE},
	    {0x85, IOMM_FAULT_PERMISSION}, {0x7c, IOMM_FAULT_ACCESS_FLAG},
	};
	for (unsigned i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		uint64_t rec[2] = {0x5000, VTD_M_FRCD_F | (uint64_t)map[i].fr << 32};
		struct iomm_fault fl;
		assert_int_equal(iomm_vtd_decode_fault(rec, &fl), IOMM_OK);
		assert_int_equal(fl.raw, map[i].fr);
		assert_int_equal(fl.reason, map[i].reason);
		assert_true(fl.flags & IOMM_FAULT_WRITE); /* T1 clear */
	}
}

void test_queue_wraps_and_fills(void **state)
{
	struct fx *f = *state;
	fx_start(f); /* 4 KiB queue: 256 descriptors */
	struct iomm_domain d = {0};
	struct iomm_dev dev;
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 48), IOMM_OK);
	fx_attach(f, &dev, &d, 0x0f00);
	for (unsigned i = 0; i < 300; i++) {
		map_ok(&d, 0x1000, 0x11000 + i * 0x1000, 0x1000, RW);
		assert_int_equal(fx_xlate(f, 0x0f00, 0x1000, false), 0x11000 + i * 0x1000);
		unmap_ok(&d, 0x1000, 0x1000);
		assert_int_equal(fx_dma(f, 0x0f00, 0x1000, false, NULL), VTD_M_FR_READ);
	}
	assert_true(f->model.stats.qi_descs > 600);
	fx_check_hygiene(f);
	/* the unit stops consuming: each wait times out, then the ring fills */
	f->model.cfg.qi_stuck = true;
	int rc = IOMM_OK;
	unsigned n;
	for (n = 0; n < 200; n++) {
		map_ok(&d, 0x2000, 0x22000, 0x1000, RW);
		rc = iomm_unmap(&d, 0x2000, 0x1000, NULL);
		assert_int_equal(rc, IOMM_ETIMEDOUT);
	}
	f->model.cfg.qi_stuck = false;
	vtd_model_process(&f->model);
	assert_int_equal(iomm_vtd_flush_all(&f->vtd), IOMM_OK);
	map_ok(&d, 0x2000, 0x23000, 0x1000, RW);
	assert_int_equal(fx_xlate(f, 0x0f00, 0x2000, false), 0x23000);
}
