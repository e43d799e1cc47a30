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

/* ---- a scalable-mode unit whose paging-structure walks do not snoop ------- */

/* The non-coherent walker's copy of the qword at @pa (0 where nothing was cleaned). */
static uint64_t dram_q(struct fx *f, uint64_t pa)
{
	uint8_t b[8];
	model_dram_read(&f->model.dram, pa, b, sizeof(b));
	return iomm_get_le64(b);
}

/* @n qwords at @p were cleaned within the trace before event @to, and what the
 * non-coherent walker holds is what the CPU wrote. Returns the index of the clean. */
static size_t check_cleaned(struct fx *f, const uint64_t *p, unsigned n, size_t to)
{
	size_t c = bfx_cleaned_in(&f->b, 0, to, (uintptr_t)p, 8u * n);
	assert_true(c != SIZE_MAX);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(dram_q(f, (uint64_t)(uintptr_t)&p[i]), p[i]);
	return c;
}

static const uint64_t *pg(uint64_t e)
{
	return (const uint64_t *)(uintptr_t)(e & 0x000ffffffffff000ull); /* PA == VA */
}

/* Scalable-mode structures of @sid: root entry, context entry, PASID directory entry 0
 * and PASID table entry 0 (RID_PASID), as they sit in memory. */
struct sm_path {
	const uint64_t *re, *ce, *pde, *pte;
};

static struct sm_path sm_path(const struct fx *f, uint16_t sid)
{
	struct sm_path p = {0};
	unsigned bus = sid >> 8, devfn = sid & 0xffu;
	p.re = (const uint64_t *)f->mem.root + bus * 2u + (devfn >> 7);
	assert_true(*p.re & 1u);
	p.ce = pg(*p.re) + (devfn & 0x7fu) * 4u;
	assert_true(p.ce[0] & 1u);
	p.pde = pg(p.ce[0]);
	assert_true(*p.pde & 1u);
	p.pte = pg(*p.pde);
	assert_true(p.pte[0] & 1u);
	return p;
}

/* The leaf (or the entry that ends the walk) of @iova in a 4-level table at @root. */
static const uint64_t *leaf_of(uint64_t root, uint64_t iova)
{
	const uint64_t *t = pg(root);
	for (unsigned lvl = 3;; lvl--) {
		const uint64_t *e = &t[(iova >> (12u + 9u * lvl)) & 511u];
		if (lvl == 0 || !(*e & 3u) || (*e & (1u << 7)))
			return e;
		t = pg(*e);
	}
}

#define PE_PGTT(w0)  (((w0) >> 6) & 7u)
#define PE_PWSNP     (UINT64_C(1) << 23) /* PASID entry bit 87 */
#define PE_PGSNP     (UINT64_C(1) << 24) /* PASID entry bit 88 */
#define FL_PWT_PCD   (UINT64_C(3) << 3)
#define SL_SNP       (UINT64_C(1) << 11)

/* The first write at or after @from to register @reg. */
static size_t first_wr(const struct fx *f, size_t from, uint32_t reg)
{
	return bfx_ev_find(&f->b, from, BFX_EV_WR, FX_REGS + reg);
}

/*
 * One translating domain on the real unit: map (read-write, read-only, device memory),
 * attach on a bus of its own (so the root entry is new too), then the trace of the attach,
 * the entries' attributes, the device's view, and unmap and detach through the queue.
 */
static void real_part_translating(struct fx *f, enum iomm_domain_type type, uint16_t sid,
				  unsigned pgtt)
{
	const uint64_t iova = 0x40000, pa = 0xb0000;
	struct iomm_domain d = {0};
	struct iomm_dev dev;
	assert_int_equal(fx_domain(f, &d, type, 0), IOMM_OK);
	assert_int_equal(iomm_pgt_levels(&d.pgt), 4);
	map_ok(&d, iova, pa, 0x1000, RW);
	map_ok(&d, iova + 0x1000, pa + 0x1000, 0x1000, IOMM_READ);
	map_ok(&d, iova + 0x2000, pa + 0x2000, 0x1000, RW | IOMM_MEM_DEVICE);
	uint64_t root = iomm_pgt_root_pa(&d.pgt);
	for (unsigned i = 0; i < 3; i++) { /* the leaves reached the walker (not snooped) */
		const uint64_t *l = leaf_of(root, iova + 0x1000u * i);
		assert_true(*l & 1u);
		assert_int_equal(dram_q(f, (uint64_t)(uintptr_t)l), *l);
	}

	hooks_on(f);
	fx_attach(f, &dev, &d, sid);
	f->b.hook_on = false;
	struct sm_path p = sm_path(f, sid);
	size_t end = f->b.hook_count;
	check_cleaned(f, p.re, 1, end);
	size_t cpe = check_cleaned(f, p.pte, 8, end);
	check_cleaned(f, p.pde, 1, end);
	size_t cce = check_cleaned(f, p.ce, 4, end);
	assert_true(cpe < cce); /* the PASID entry before the context entry made present */
	/* what the backend programs: PASID entry 0 of the device */
	assert_int_equal(PE_PGTT(p.pte[0]), pgtt);
	assert_int_equal(p.pte[1] & 0xffffu, d.id);
	assert_false(p.pte[1] & PE_PWSNP); /* no ECAP.SMPWC: walks must not be told to snoop */
	assert_false(p.pte[1] & PE_PGSNP);
	if (pgtt == 1) { /* first stage: FSPTPTR, 4 levels (FSPM 0), no supervisor requests */
		assert_int_equal(p.pte[2] & 0x000ffffffffff000ull, root);
		assert_int_equal((p.pte[2] >> 2) & 3u, 0);
		assert_false(p.pte[2] & 1u); /* SRE */
	} else { /* second stage: SSPTPTR, AW 4 levels */
		assert_int_equal(p.pte[0] & 0x000ffffffffff000ull, root);
		assert_int_equal((p.pte[0] >> 2) & 7u, 2);
	}
	assert_int_equal(p.ce[1] & 0xfffffu, 0); /* RID_PASID 0 */
	/* the leaves' memory type as programmed */
	const uint64_t *wb = leaf_of(root, iova), *dv = leaf_of(root, iova + 0x2000);
	if (pgtt == 1) {
		assert_int_equal(*wb & FL_PWT_PCD, 0);		 /* write-back */
		assert_int_equal(*dv & FL_PWT_PCD, FL_PWT_PCD); /* uncached */
		assert_false(*leaf_of(root, iova + 0x1000) & 2u); /* R/W clear */
	} else {
		assert_false(*wb & SL_SNP);
		assert_int_equal(*leaf_of(root, iova + 0x1000) & 3u, 1u); /* read only */
	}

	/* the device: hits, a permission fault, a translation fault */
	assert_int_equal(fx_xlate(f, sid, iova + 0x10, false), pa + 0x10);
	assert_int_equal(fx_xlate(f, sid, iova + 0x20, true), pa + 0x20);
	assert_int_equal(fx_xlate(f, sid, iova + 0x2010, true), pa + 0x2010);
	assert_int_equal(fx_xlate(f, sid, iova + 0x1010, false), pa + 0x1010);
	assert_int_not_equal(fx_dma(f, sid, iova + 0x1010, true, NULL), 0);
	assert_int_equal(fx_poll(f), 1);
	assert_int_equal(f->faults[0].reason, IOMM_FAULT_PERMISSION);
	/* an unmapped page: first stage, not present (0x71); second-stage entries have no
	 * present bit, R = W = 0 refuses the access (0x79), decoded as a permission fault */
	assert_int_equal(fx_dma(f, sid, iova + 0x3010, false, NULL), pgtt == 1 ? 0x71 : 0x79);
	assert_int_equal(fx_poll(f), 1);
	assert_int_equal(f->faults[0].reason,
			 pgtt == 1 ? IOMM_FAULT_TRANSLATION : IOMM_FAULT_PERMISSION);

	/* unmap: the cleared leaf is cleaned before the queue's tail moves, after a barrier */
	const uint64_t *l0 = leaf_of(root, iova);
	hooks_on(f);
	unmap_ok(&d, iova, 0x1000);
	f->b.hook_on = false;
	size_t iqt = first_wr(f, 0, VTD_M_IQT);
	assert_true(iqt < f->b.hook_count);
	assert_false(*l0 & 3u);
	check_cleaned(f, l0, 1, iqt);
	assert_true(check_ordered(f, VTD_M_IQT, 0) >= 1);
	assert_int_not_equal(fx_dma(f, sid, iova + 0x10, false, NULL), 0);
	assert_int_equal(fx_poll(f), 1);
	assert_int_equal(fx_xlate(f, sid, iova + 0x1010, false), pa + 0x1010);

	/* detach: the context entry cleared and cleaned before the queue's tail moves */
	hooks_on(f);
	assert_int_equal(iomm_detach(&dev), IOMM_OK);
	f->b.hook_on = false;
	iqt = first_wr(f, 0, VTD_M_IQT);
	assert_true(iqt < f->b.hook_count);
	assert_false(p.ce[0] & 1u);
	check_cleaned(f, p.ce, 4, iqt);
	assert_true(check_ordered(f, VTD_M_IQT, 0) >= 1);
	assert_int_not_equal(fx_dma(f, sid, iova + 0x1010, false, NULL), 0);
	(void)fx_poll(f);
	assert_int_equal(iomm_domain_destroy(&d), IOMM_OK);
}

/*
 * The real part for VT-d: scalable mode, ECAP.C = 1 (root, context and
 * PASID structures snooped), ECAP.SMPWC = 0 (paging structures not snooped:
 * the model's walker reads only what was cleaned). Every domain type the
 * backend offers: first stage, second stage, pass-through, blocked; nested is
 * refused (the backend does not program nested PASID entries).
 */
void test_real_part(void **state)
{
	struct fx *f = *state;
	f->cfg.flags = IOMM_VTD_CFG_SCALABLE;
	f->mcfg.c = true;
	f->mcfg.smpwc = false;
	f->mcfg.dram = true;
	hooks_on(f);
	fx_start(f);
	f->b.hook_on = false;
	assert_false(f->vtd.unit.caps & IOMM_CAP_COHERENT);
	/* init: the root table cleaned before SRTP latches it; TE and the queue tail after a
	 * barrier */
	size_t srtp = bfx_ev_find(&f->b, 0, BFX_EV_WR, FX_REGS + VTD_M_GCMD);
	while (srtp < f->b.hook_count && !(f->b.hook_log[srtp].val & VTD_M_GCMD_SRTP))
		srtp = bfx_ev_find(&f->b, srtp + 1u, BFX_EV_WR, FX_REGS + VTD_M_GCMD);
	assert_true(srtp < f->b.hook_count);
	assert_true(bfx_cleaned_in(&f->b, 0, srtp, (uintptr_t)f->mem.root, 4096) != SIZE_MAX);
	assert_true(bfx_barrier_before(&f->b, 0, srtp));
	assert_int_equal(check_ordered(f, VTD_M_GCMD, VTD_M_GCMD_TE), 1);
	check_ordered(f, VTD_M_IQT, 0);
	assert_int_equal(f->model.rta_active & ~UINT64_C(0xfff), f->mem.root_pa);
	assert_int_equal(f->model.ttm_active, 1); /* RTADDR.TTM 01: scalable mode */

	real_part_translating(f, IOMM_DOMAIN_S1, 0x0310, 1);
	real_part_translating(f, IOMM_DOMAIN_S2, 0x0410, 2);

	/* nested: refused, nothing programmed */
	struct iomm_domain s2 = {0}, nd = {0};
	assert_int_equal(fx_domain(f, &s2, IOMM_DOMAIN_S2, 0), IOMM_OK);
	struct iomm_domain_cfg nc = {.type = IOMM_DOMAIN_NESTED, .parent = &s2};
	nc.pool = fx_pool(f, 4096, 8);
	assert_int_equal(iomm_domain_init(&nd, &f->vtd.unit, &nc), IOMM_ENOTSUP);

	/* pass-through: PGTT 4, the address unchanged */
	struct iomm_domain pt = {0}, bl = {0};
	struct iomm_dev dpt, dbl;
	assert_int_equal(fx_domain(f, &pt, IOMM_DOMAIN_BYPASS, 0), IOMM_OK);
	hooks_on(f);
	fx_attach(f, &dpt, &pt, 0x0510);
	f->b.hook_on = false;
	struct sm_path p = sm_path(f, 0x0510);
	check_cleaned(f, p.pte, 8, f->b.hook_count);
	check_cleaned(f, p.ce, 4, f->b.hook_count);
	assert_int_equal(PE_PGTT(p.pte[0]), 4);
	assert_false(p.pte[1] & (PE_PWSNP | PE_PGSNP));
	assert_int_equal(fx_xlate(f, 0x0510, 0x12345000, true), 0x12345000);

	/* blocked: no context entry, every access faults */
	assert_int_equal(fx_domain(f, &bl, IOMM_DOMAIN_BLOCKED, 0), IOMM_OK);
	fx_attach(f, &dbl, &bl, 0x0610);
	assert_int_not_equal(fx_dma(f, 0x0610, 0x40000, false, NULL), 0);
	assert_int_not_equal(fx_dma(f, 0x0610, 0x40000, true, NULL), 0);
	assert_int_equal(fx_poll(f), 2);
	fx_check_hygiene(f);
}
