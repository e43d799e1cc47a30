/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What real units need beyond what an emulator forgives: table walks that do
 * not snoop, barriers between memory writes and the register writes that
 * publish them, reads of fault records ordered after their status.
 */
#include "test_vtd.h"

/* Map, translate, unmap, and the translation must be gone (the walker re-reads the PTE). */
static void map_dma_unmap_faults(struct fx *f, enum iomm_domain_type type)
{
	struct iomm_domain d = {0};
	struct iomm_dev dev;
	assert_int_equal(fx_domain(f, &d, type, 0), IOMM_OK);
	fx_attach(f, &dev, &d, 0x0310);
	map_ok(&d, 0x40000, 0xb0000, 0x1000, RW);
	assert_int_equal(fx_xlate(f, 0x0310, 0x40010, true), 0xb0010);
	unmap_ok(&d, 0x40000, 0x1000);
	assert_int_not_equal(fx_dma(f, 0x0310, 0x40010, false, NULL), 0);
	fx_check_hygiene(f);
}

/* Scalable mode with ECAP.C but not ECAP.SMPWC: paging structures are not snooped. */
void test_scalable_walk_without_smpwc(void **state)
{
	struct fx *f = *state;
	f->cfg.flags = IOMM_VTD_CFG_SCALABLE;
	f->mcfg.smpwc = false;
	fx_start(f);
	assert_false(f->vtd.unit.caps & IOMM_CAP_COHERENT);
	map_dma_unmap_faults(f, IOMM_DOMAIN_S1);

	/* second stage too */
	f = fresh(state);
	f->cfg.flags = IOMM_VTD_CFG_SCALABLE | IOMM_VTD_CFG_S1_SECOND_STAGE;
	f->mcfg.smpwc = false;
	fx_start(f);
	map_dma_unmap_faults(f, IOMM_DOMAIN_S1);
}

/* Scalable mode with SMPWC: PWSNP set in the PASID entry, walks snoop, nothing cleaned. */
void test_scalable_walk_with_smpwc(void **state)
{
	struct fx *f = *state;
	f->cfg.flags = IOMM_VTD_CFG_SCALABLE;
	fx_start(f);
	assert_true(f->vtd.unit.caps & IOMM_CAP_COHERENT);
	uint64_t cleans = iomm_posix_clean_calls(&f->px);
	map_dma_unmap_faults(f, IOMM_DOMAIN_S1);
	const struct vtd_model_pasid_entry *pe = model_pasid(f, 0x0310);
	assert_non_null(pe);
	assert_true(pe->w[1] & (UINT64_C(1) << 23)); /* PWSNP, bit 87 */
	assert_int_equal(iomm_posix_clean_calls(&f->px), cleans);
}

/* Legacy mode without ECAP.C: every walk reads what was cleaned. */
void test_legacy_walk_without_c(void **state)
{
	struct fx *f = *state;
	f->mcfg.c = false;
	fx_start(f);
	assert_false(f->vtd.unit.caps & IOMM_CAP_COHERENT);
	map_dma_unmap_faults(f, IOMM_DOMAIN_S2);
}

static void hooks_on(struct fx *f)
{
	f->b.hook_count = 0;
	f->b.hook_on = true;
}

/* Every write of @reg (with @bits set, 0: any) is ordered after the memory writes before it. */
static unsigned check_ordered(const struct fx *f, uint32_t reg, uint64_t bits)
{
	unsigned n = 0;
	size_t prev = 0;
	for (size_t i = 0; (i = bfx_ev_find(&f->b, i, BFX_EV_WR, FX_REGS + reg)) < f->b.hook_count;
	     i++) {
		if (bits && (f->b.hook_log[i].val & bits) != bits)
			continue;
		assert_true(bfx_barrier_before(&f->b, prev, i));
		prev = i + 1u;
		n++;
	}
	return n;
}

/* The invalidation queue's tail and TE are written after a barrier. */
static void barriers_in(struct fx *f)
{
	hooks_on(f);
	fx_start(f);
	assert_int_equal(check_ordered(f, VTD_M_GCMD, VTD_M_GCMD_TE), 1);
	struct iomm_domain d = {0};
	struct iomm_dev dev;
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S1, 0), IOMM_OK);
	hooks_on(f);
	fx_attach(f, &dev, &d, 0x0310);
	map_ok(&d, 0x40000, 0xb0000, 0x2000, RW);
	unmap_ok(&d, 0x40000, 0x1000);
	f->b.hook_on = false;
	assert_true(check_ordered(f, VTD_M_IQT, 0) >= 1);
	fx_check_hygiene(f);
}

void test_barriers_before_publish(void **state)
{
	struct fx *f = *state;
	barriers_in(f);
	f = fresh(state);
	f->mcfg.c = false;
	barriers_in(f);
	f = fresh(state);
	f->cfg.flags = IOMM_VTD_CFG_SCALABLE;
	f->mcfg.smpwc = false;
	barriers_in(f);
}

/* Is there an mb strictly between events @a and @c? */
static bool mb_between(const struct fx *f, size_t a, size_t c)
{
	return bfx_ev_find(&f->b, a + 1u, BFX_EV_MB, 0) < c;
}

/* A fault record is read only after its F bit, and released only after it was read. */
void test_fault_record_ordering(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct iomm_domain d = {0};
	struct iomm_dev dev;
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 0), IOMM_OK);
	fx_attach(f, &dev, &d, 0x0310);
	assert_int_not_equal(fx_dma(f, 0x0310, 0x40000, false, NULL), 0);
	assert_int_not_equal(fx_dma(f, 0x0310, 0x80000, true, NULL), 0);
	hooks_on(f);
	assert_int_equal(fx_poll(f), 2);
	f->b.hook_on = false;
	unsigned checked = 0;
	for (unsigned r = 0; r < f->mcfg.nfr; r++) {
		uintptr_t rec = FX_REGS + f->mcfg.fro + 16u * r;
		size_t hi = 0;
		while ((hi = bfx_ev_find(&f->b, hi, BFX_EV_RD, rec + 8u)) < f->b.hook_count &&
		       !(f->b.hook_log[hi].val & VTD_M_FRCD_F))
			hi++;
		if (hi >= f->b.hook_count)
			continue;
		size_t lo = bfx_ev_find(&f->b, hi, BFX_EV_RD, rec);
		size_t clr = bfx_ev_find(&f->b, hi, BFX_EV_WR, rec + 12u);
		assert_true(lo < clr && clr < f->b.hook_count);
		assert_true(mb_between(f, hi, lo));  /* status before record */
		assert_true(mb_between(f, lo, clr)); /* record before release */
		checked++;
	}
	assert_int_equal(checked, 2);
	fx_check_hygiene(f);
}

/* Queued invalidation is turned off only once the unit consumed the queue (IQH == IQT). */
void test_qie_off_waits_for_empty_queue(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct iomm_domain d = {0};
	struct iomm_dev dev;
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 0), IOMM_OK);
	fx_attach(f, &dev, &d, 0x0310);
	map_ok(&d, 0x40000, 0xb0000, 0x1000, RW);
	f->model.cfg.qi_stuck = true;
	uint64_t n = 0;
	assert_int_equal(iomm_unmap(&d, 0x40000, 0x1000, &n), IOMM_ETIMEDOUT);
	assert_int_not_equal(f->model.iqh, f->model.iqt);
	assert_int_equal(iomm_vtd_disable(&f->vtd), IOMM_ETIMEDOUT);
	assert_true(f->model.gsts & VTD_M_GCMD_QIE);
	/* the unit catches up: now the queue may go off */
	f->model.cfg.qi_stuck = false;
	vtd_model_process(&f->model);
	assert_int_equal(iomm_vtd_disable(&f->vtd), IOMM_OK);
	assert_false(f->model.gsts & VTD_M_GCMD_QIE);
	fx_check_hygiene(f);
}

/* Output addresses are as wide as the host's physical addresses (the DMAR table's host
 * address width), not as the unit's input addresses (CAP.MGAW). */
void test_oas_from_host_address_width(void **state)
{
	struct fx *f = *state;
	f->cfg.haw = 40;
	f->oas = 0;
	fx_start(f);
	assert_int_equal(f->vtd.mgaw, 57);
	assert_int_equal(f->vtd.unit.oas, 40);
	struct iomm_domain d = {0};
	struct iomm_dev dev;
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 0), IOMM_OK);
	fx_attach(f, &dev, &d, 0x0310);
	assert_int_not_equal(iomm_map(&d, 0x40000, UINT64_C(1) << 40, 0x1000, RW), IOMM_OK);
	map_ok(&d, 0x40000, (UINT64_C(1) << 40) - 0x1000, 0x1000, RW);

	/* the documented default: 46 bits */
	f = fresh(state);
	f->cfg.haw = 0;
	f->oas = 0;
	fx_start(f);
	assert_int_equal(f->vtd.unit.oas, 46);
	/* more than 52 bits: no table format outputs more */
	f = fresh(state);
	f->cfg.haw = 57;
	fx_start(f);
	assert_int_equal(f->vtd.unit.oas, 52);
}
