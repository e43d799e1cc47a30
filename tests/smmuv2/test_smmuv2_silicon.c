/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What real SMMUs need beyond what an emulator forgives: table walks that do
 * not snoop, barriers between table writes and the register writes that
 * publish them, reads of fault records ordered after their status, and the
 * memory type a stage-1 bank gives to DMA.
 */
#include "test_smmuv2.h"

#define RD SMMUV2_MODEL_ACC_R

/* Re-run the fixture from scratch. */
static struct fx *fresh(void **state)
{
	fx_teardown(state);
	assert_int_equal(fx_setup(state), 0);
	return *state;
}

/* ID0.CTTW = 0: every table write must be cleaned for the walker to see it. */
void test_walk_without_cttw(void **state)
{
	struct fx *f = *state;
	f->mcfg.cttw = false;
	fx_start(f);
	assert_false(f->smmu.unit.caps & IOMM_CAP_COHERENT);
	enum iomm_domain_type types[] = {IOMM_DOMAIN_S1, IOMM_DOMAIN_S2};
	struct pdom doms[2] = {0};
	struct iomm_dev devs[2];
	for (unsigned t = 0; t < 2; t++) {
		struct pdom *d = &doms[t];
		uint32_t sid = 1u + t;
		pdom_up(f, d, types[t], 0, NULL);
		fx_attach(f, &devs[t], &d->dom, sid, 0);
		assert_int_equal(iomm_map(&d->dom, 0x100000, 0x3000000, SZ4K, RW), IOMM_OK);
		assert_int_equal(fx_xlate(f, sid, 0x100010, RD), 0x3000010);
		uint64_t n = 0;
		assert_int_equal(iomm_unmap(&d->dom, 0x100000, SZ4K, &n), IOMM_OK);
		assert_int_equal(fx_dma(f, sid, 0x100010, RD, NULL), SMMUV2_MODEL_F_TF);
	}
	fx_check_hygiene(f);
}

/* Start recording port hook calls. */
static void hooks_on(struct fx *f)
{
	f->b.hook_count = 0;
	f->b.hook_on = true;
}

/* The first write at or after @from to a TLB maintenance register of bank @cb. */
static size_t first_tlbi(const struct fx *f, size_t from, unsigned cb)
{
	uintptr_t lo = FX_REGS + (uintptr_t)fx_cb_off(f, cb, SMMUV2_M_CB_TLBIVA);
	uintptr_t hi = FX_REGS + (uintptr_t)fx_cb_off(f, cb, SMMUV2_M_CB_TLBIIPAS2L);
	for (size_t i = from; i < f->b.hook_count && i < f->b.hook_cap; i++) {
		const struct bfx_event *e = &f->b.hook_log[i];
		if (e->kind == BFX_EV_WR && e->addr >= lo && e->addr <= hi)
			return i;
	}
	return f->b.hook_count;
}

/* Table writes are ordered before the TLB maintenance that publishes them. */
static void check_unmap_ordered(struct fx *f, enum iomm_domain_type type, uint32_t sid)
{
	struct pdom d = {0};
	struct iomm_dev dev;
	pdom_up(f, &d, type, 0, NULL);
	fx_attach(f, &dev, &d.dom, sid, 0);
	assert_int_equal(iomm_map(&d.dom, 0x100000, 0x3000000, 2 * SZ4K, RW), IOMM_OK);
	hooks_on(f);
	uint64_t n = 0;
	assert_int_equal(iomm_unmap(&d.dom, 0x100000, SZ4K, &n), IOMM_OK);
	f->b.hook_on = false;
	size_t t = first_tlbi(f, 0, cb_of(&d.dom));
	assert_true(t < f->b.hook_count);
	assert_true(bfx_barrier_before(&f->b, 0, t));
	assert_int_equal(iomm_detach(&dev), IOMM_OK);
	assert_int_equal(iomm_domain_destroy(&d.dom), IOMM_OK);
}

void test_barrier_before_tlbi(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	check_unmap_ordered(f, IOMM_DOMAIN_S1, 1);
	check_unmap_ordered(f, IOMM_DOMAIN_S2, 2);
	/* non-coherent: after the last clean */
	f = fresh(state);
	f->mcfg.cttw = false;
	fx_start(f);
	check_unmap_ordered(f, IOMM_DOMAIN_S1, 1);
}

/* The zeroed root (and the bank's registers) are ordered before the bank walks. */
void test_barrier_before_bank_enable(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	hooks_on(f);
	struct pdom d = {0};
	pdom_up(f, &d, IOMM_DOMAIN_S1, 0, NULL);
	f->b.hook_on = false;
	unsigned cb = cb_of(&d.dom);
	uintptr_t sctlr = FX_REGS + (uintptr_t)fx_cb_off(f, cb, SMMUV2_M_CB_SCTLR);
	size_t first = bfx_ev_find(&f->b, 0, BFX_EV_WR, 0); /* the backend's first register write */
	assert_true(first < f->b.hook_count);
	size_t en = first;
	while ((en = bfx_ev_find(&f->b, en + 1u, BFX_EV_WR, sctlr)) < f->b.hook_count)
		if (f->b.hook_log[en].val & SMMUV2_M_SCTLR_M)
			break;
	assert_true(en < f->b.hook_count);
	size_t t = first_tlbi(f, first, cb);
	assert_true(t < en);
	assert_true(bfx_barrier_before(&f->b, first, t));
	assert_true(bfx_barrier_before(&f->b, first, en));
}

/* Is there an mb strictly between events @a and @c? */
static bool mb_between(const struct fx *f, size_t a, size_t c)
{
	return bfx_ev_find(&f->b, a + 1u, BFX_EV_MB, 0) < c;
}

/* Fault syndrome registers are read after the status that says they are valid,
 * and the status is cleared only after they were read. */
static void check_fault_order(const struct fx *f, uintptr_t fsr, uintptr_t far)
{
	size_t st = 0;
	while ((st = bfx_ev_find(&f->b, st, BFX_EV_RD, fsr)) < f->b.hook_count &&
	       !f->b.hook_log[st].val)
		st++;
	assert_true(st < f->b.hook_count);
	size_t rec = bfx_ev_find(&f->b, st, BFX_EV_RD, far);
	size_t clr = bfx_ev_find(&f->b, st, BFX_EV_WR, fsr);
	assert_true(rec < clr && clr < f->b.hook_count);
	assert_true(mb_between(f, st, rec));
	assert_true(mb_between(f, bfx_ev_last(&f->b, clr, BFX_EV_RD, 0), clr));
}

void test_fault_record_ordering(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom d = {0};
	struct iomm_dev dev;
	pdom_up(f, &d, IOMM_DOMAIN_S1, 0, NULL);
	fx_attach(f, &dev, &d.dom, 1, 0);
	assert_int_equal(fx_dma(f, 1, 0x100000, RD, NULL), SMMUV2_MODEL_F_TF);
	hooks_on(f);
	assert_int_equal(fx_poll(f), 1);
	f->b.hook_on = false;
	unsigned cb = cb_of(&d.dom);
	check_fault_order(f, FX_REGS + (uintptr_t)fx_cb_off(f, cb, SMMUV2_M_CB_FSR),
			  FX_REGS + (uintptr_t)fx_cb_off(f, cb, SMMUV2_M_CB_FAR));
	/* a global fault: an unmatched stream */
	assert_int_equal(fx_dma(f, 0x77, 0x1000, RD, NULL), SMMUV2_MODEL_G_USF);
	hooks_on(f);
	assert_true(fx_poll(f) >= 1);
	f->b.hook_on = false;
	check_fault_order(f, FX_REGS + SMMUV2_M_SGFSR, FX_REGS + SMMUV2_M_SGFAR);
}

/* A stage-1 bank (stage 2 bypassed) gives DMA the memory type its page tables ask for. */
void test_stage1_memory_type(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom d = {0};
	struct iomm_dev dev;
	pdom_up(f, &d, IOMM_DOMAIN_S1, 0, NULL);
	fx_attach(f, &dev, &d.dom, 1, 0);
	assert_int_equal(iomm_map(&d.dom, 0x100000, 0x3000000, SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&d.dom, 0x200000, 0x4000000, SZ4K, RW | IOMM_MEM_NC), IOMM_OK);
	assert_int_equal(iomm_map(&d.dom, 0x300000, 0x5000000, SZ4K, RW | IOMM_MEM_DEVICE),
			 IOMM_OK);
	assert_int_equal(fx_xlate(f, 1, 0x100000, RD), 0x3000000);
	assert_int_equal(f->model.last_mem, SMMUV2_MODEL_MEM_WB);
	assert_int_equal(fx_xlate(f, 1, 0x100000, RD), 0x3000000); /* from the TLB */
	assert_int_equal(f->model.last_mem, SMMUV2_MODEL_MEM_WB);
	assert_int_equal(fx_xlate(f, 1, 0x200000, RD), 0x4000000);
	assert_int_equal(f->model.last_mem, SMMUV2_MODEL_MEM_NC);
	assert_int_equal(fx_xlate(f, 1, 0x300000, RD), 0x5000000);
	assert_int_equal(f->model.last_mem, SMMUV2_MODEL_MEM_DEVICE);
	/* CBAR: BPSHCFG non-shareable (3), MemAttr outer and inner write-back (0xf) */
	uint32_t cbar = fx_rd(f, ((uint64_t)1 << f->model.pgshift) + SMMUV2_M_CBAR(cb_of(&d.dom)));
	assert_int_equal((cbar >> 8) & 3u, 3u);
	assert_int_equal((cbar >> 12) & 0xfu, 0xfu);
	fx_check_hygiene(f);
}

/* SMR.MASK may implement fewer bits than stream IDs have: the width is probed, and a
 * device whose mask needs more is refused (its SMR would match fewer streams). */
void test_smr_mask_width(void **state)
{
	struct fx *f = *state;
	f->mcfg.smr_mask_bits = 8;
	fx_start(f);
	struct pdom d = {0};
	struct iomm_dev wide, ok;
	pdom_up(f, &d, IOMM_DOMAIN_S1, 0, NULL);
	assert_int_equal(fx_dev(f, &wide, 0x1000, 0x1ff), IOMM_OK);
	assert_int_equal(iomm_attach(&d.dom, &wide), IOMM_ERANGE);
	fx_attach(f, &ok, &d.dom, 0x2000, 0xff);
	assert_int_equal(iomm_map(&d.dom, 0x100000, 0x3000000, SZ4K, RW), IOMM_OK);
	assert_int_equal(fx_xlate(f, 0x20ff, 0x100000, RD), 0x3000000);
	fx_check_hygiene(f);
}

/*
 * MMU-500 reports TLB match conflicts (CB_FSR.TLBMCF, IHI 0062). Pages cached
 * one by one, then the Contiguous hint set on them in place without
 * break-before-make: the next walk caches the whole group over the page
 * entries already held, and an access to a cached page hits two entries.
 * The defect is planted by rewriting the descriptors; the model caches the
 * group as one entry and detects the conflict (both opt-in).
 */
void test_tlb_conflict_contig(void **state)
{
	struct fx *f = *state;
	f->mcfg.contig_hint = true;
	f->mcfg.tlb_conflict = true;
	fx_start(f);
	struct pdom d = {0};
	struct iomm_dev dev;
	const uint64_t va = 0x300000, pa = 0x50000000, cont = UINT64_C(1) << 52;
	pdom_up(f, &d, IOMM_DOMAIN_S1, 0, NULL);
	fx_attach(f, &dev, &d.dom, 1, 0);
	for (uint64_t o = 0; o < 16 * SZ4K; o += SZ4K)
		assert_int_equal(iomm_map(&d.dom, va + o, pa + o, SZ4K, RW), IOMM_OK);
	assert_false(*bfx_lpae_desc(&d.dom, va) & cont);
	assert_int_equal(fx_xlate(f, 1, va + 0x3010, RD), pa + 0x3010);
	assert_int_equal(smmuv2_model_tlb_count(&f->model), 1);

	/* planted defect: the hint set on the live pages, nothing invalidated */
	for (uint64_t o = 0; o < 16 * SZ4K; o += SZ4K)
		*bfx_lpae_desc(&d.dom, va + o) |= cont;
	assert_int_equal(fx_xlate(f, 1, va + 0x8010, RD), pa + 0x8010); /* caches the group */
	assert_int_equal(smmuv2_model_tlb_count(&f->model), 2);
	assert_int_equal(f->model.tlb[1].size_log2, 16);
	assert_int_equal(fx_dma(f, 1, va + 0x3010, RD, NULL), SMMUV2_MODEL_F_TLBMCF);
	assert_int_equal(fx_poll(f), 1);
	assert_int_equal(f->faults[0].reason, IOMM_FAULT_TLB_CONFLICT);
	assert_int_equal(f->faults[0].addr, va + 0x3010);

	/* the library's own map of a group: one entry, no conflict */
	assert_int_equal(iomm_map(&d.dom, 0x400000, 0x60000000, 16 * SZ4K, RW), IOMM_OK);
	assert_true(*bfx_lpae_desc(&d.dom, 0x400000) & cont);
	assert_int_equal(fx_xlate(f, 1, 0x405010, RD), 0x60005010);
	assert_int_equal(fx_xlate(f, 1, 0x40f010, RD), 0x6000f010);
	assert_int_equal(smmuv2_model_tlb_count(&f->model), 3);
	fx_check_hygiene(f);
}

/*
 * A partial unmap of a live 2 MiB block: the table code replaces the block by
 * a table with break-before-make (Arm ARM D8.16.1; the SMMUv2 architecture
 * has no relaxation), so the block's TLB entry is invalidated before the
 * table is linked, within the unmap itself, not only by the caller's later
 * invalidation of the gather. Watched here through the table alone: after
 * iomm_pgt_unmap(), with the gather not yet invalidated, the model no longer
 * translates the unmapped page through the old block (it did before the
 * engine broke blocks it split), and the rest of the block translates
 * through the new table.
 */
void test_block_split_bbm(void **state)
{
	struct fx *f = *state;
	f->mcfg.tlb_conflict = true;
	fx_start(f);
	struct pdom d = {0};
	struct iomm_dev dev;
	const uint64_t va = 0x400000, pa = 0x40000000;
	pdom_up(f, &d, IOMM_DOMAIN_S1, 0, NULL);
	fx_attach(f, &dev, &d.dom, 1, 0);
	assert_int_equal(iomm_map(&d.dom, va, pa, SZ2M, RW), IOMM_OK);
	assert_int_equal(fx_xlate(f, 1, va + 0x100010, RD), pa + 0x100010); /* caches the block */
	struct iomm_gather g;
	iomm_gather_init(&g);
	assert_int_equal(iomm_pgt_unmap(&d.dom.pgt, va + 0x100000, SZ4K, &g, NULL), IOMM_OK);
	assert_int_not_equal(fx_dma(f, 1, va + 0x100010, RD, NULL), 0);
	assert_int_equal(fx_xlate(f, 1, va + 0x6010, RD), pa + 0x6010);
	assert_int_equal(fx_xlate(f, 1, va + 0x101010, RD), pa + 0x101010);
	assert_int_equal(d.dom.unit->ops->flush(d.dom.unit, &d.dom, &g), IOMM_OK);
	iomm_pgt_gather_release(&g);
	(void)fx_poll(f);
	fx_check_hygiene(f);
}

/* ---- an MMU-500 as shipped on non-coherent SoCs ---------------------------- */

/* The first write at or after @from to a TLB maintenance register: bank @cb's or global. */
static size_t first_tlb_op(const struct fx *f, size_t from, unsigned cb)
{
	size_t t = first_tlbi(f, from, cb);
	size_t g = bfx_ev_find(&f->b, from, BFX_EV_WR, FX_REGS + SMMUV2_M_TLBIVMID);
	size_t a = bfx_ev_find(&f->b, from, BFX_EV_WR, FX_REGS + SMMUV2_M_TLBIALLNSNH);
	if (g < t)
		t = g;
	return a < t ? a : t;
}

/* Bank @cb's SCTLR write that sets M, at or after @from. */
static size_t sctlr_enable(const struct fx *f, size_t from, unsigned cb)
{
	uintptr_t sctlr = FX_REGS + (uintptr_t)fx_cb_off(f, cb, SMMUV2_M_CB_SCTLR);
	size_t i = from;
	while ((i = bfx_ev_find(&f->b, i, BFX_EV_WR, sctlr)) < f->b.hook_count &&
	       !(f->b.hook_log[i].val & SMMUV2_M_SCTLR_M))
		i++;
	return i;
}

/*
 * Domain init as recorded since the trace started: the zeroed root is
 * cleaned, and a barrier after the last clean orders it before the first
 * TLB maintenance and before SCTLR.M lets the bank walk.
 */
static void check_bank_publish(const struct fx *f, const struct iomm_domain *d)
{
	unsigned cb = cb_of(d);
	uintptr_t root = (uintptr_t)iomm_pgt_root_pa(&d->pgt); /* PA == VA */
	size_t en = sctlr_enable(f, 0, cb);
	size_t t = first_tlb_op(f, 0, cb);
	assert_true(en < f->b.hook_count);
	assert_true(t < en);
	assert_true(bfx_cleaned_in(&f->b, 0, t, root, 4096) != SIZE_MAX);
	assert_true(bfx_barrier_before(&f->b, 0, t));
	assert_true(bfx_barrier_before(&f->b, 0, en));
}

/* The walker's view of the descriptor at @leaf (DRAM: what was cleaned) is the CPU's. */
static void check_in_dram(struct fx *f, const uint64_t *leaf)
{
	uint64_t seen = 0;
	assert_int_equal(smmuv2_model_walk_mem(&f->model, (uint64_t)(uintptr_t)leaf, &seen, 8), 0);
	assert_int_equal(seen, *leaf);
}

/* Map as recorded since the trace started: the leaf of @iova was cleaned after it was
 * written (the walker's DRAM holds it; a clean of the zeroed table page does not do). */
static void check_map_publish(struct fx *f, struct iomm_domain *d, uint64_t iova)
{
	uint64_t *leaf = bfx_lpae_desc(d, iova);
	assert_true(*leaf & 1u);
	assert_true(bfx_cleaned_in(&f->b, 0, f->b.hook_count, (uintptr_t)leaf, 8) != SIZE_MAX);
	check_in_dram(f, leaf);
}

/* Unmap of @iova as recorded since the trace started: the invalidated leaf was cleaned
 * before the first TLB maintenance, and a barrier follows the last clean before it. */
static void check_unmap_publish(struct fx *f, struct iomm_domain *d, uint64_t iova)
{
	unsigned cb = cb_of(d);
	uint64_t *leaf = bfx_lpae_desc(d, iova);
	size_t t = first_tlb_op(f, 0, cb);
	assert_true(t < f->b.hook_count);
	assert_true(bfx_cleaned_in(&f->b, 0, t, (uintptr_t)leaf, 8) != SIZE_MAX);
	assert_true(bfx_barrier_before(&f->b, 0, t));
	assert_false(*leaf & 1u);
	check_in_dram(f, leaf);
}

/* The S2CR written for the SMR of @sid since the trace started, after a barrier that follows
 * the last table write (and clean) before it; returns its value. */
static uint32_t check_s2cr_publish(const struct fx *f, const struct iomm_dev *dev)
{
	uintptr_t s2cr = FX_REGS + SMMUV2_M_S2CR(dev->priv_word);
	size_t i = bfx_ev_find(&f->b, 0, BFX_EV_WR, s2cr);
	assert_true(i < f->b.hook_count);
	assert_true(bfx_barrier_before(&f->b, 0, i));
	return (uint32_t)f->b.hook_log[i].val;
}

/*
 * A translating domain on the real part: map (normal memory read-write, read-only, and a
 * device mapping), attach, then what the device observes: translations with the memory
 * type CBAR/S2CR and the PTEs combine to, permission and translation faults, and after an
 * unmap a translation fault (the walker reads DRAM, so only cleaned and invalidated state
 * counts). The hook trace of each step is checked as it happens.
 */
static void real_part_translating(struct fx *f, struct pdom *d, uint32_t sid, uint64_t iova,
				  uint64_t pa, uint64_t out)
{
	struct iomm_dev dev;
	hooks_on(f);
	assert_int_equal(iomm_map(&d->dom, iova, pa, SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&d->dom, iova + SZ4K, pa + SZ4K, SZ4K, IOMM_READ), IOMM_OK);
	if (d->dom.type != IOMM_DOMAIN_NESTED)
		assert_int_equal(iomm_map(&d->dom, iova + 2 * SZ4K, pa + 2 * SZ4K, SZ4K,
					  RW | IOMM_MEM_DEVICE),
				 IOMM_OK);
	f->b.hook_on = false;
	check_map_publish(f, &d->dom, iova);
	check_map_publish(f, &d->dom, iova + SZ4K);

	hooks_on(f);
	fx_attach(f, &dev, &d->dom, sid, 0);
	f->b.hook_on = false;
	uint32_t s2cr = check_s2cr_publish(f, &dev);
	assert_int_equal(S2CR_TYPE(s2cr), 0u); /* translate */
	assert_int_equal(S2CR_CB(s2cr), cb_of(&d->dom));

	/* hit, normal memory: write-back (CBAR.MemAttr, MAIR or stage-2 MemAttr agree) */
	assert_int_equal(fx_xlate(f, sid, iova + 0x10, RD), out + 0x10);
	assert_int_equal(f->model.last_mem, SMMUV2_MODEL_MEM_WB);
	assert_int_equal(fx_xlate(f, sid, iova + 0x20, WR), out + 0x20);
	assert_int_equal(fx_xlate(f, sid, iova + SZ4K, RD), out + SZ4K);
	assert_int_equal(f->model.last_mem, SMMUV2_MODEL_MEM_WB);
	/* permission and translation faults */
	assert_int_equal(fx_dma(f, sid, iova + SZ4K, WR, NULL), SMMUV2_MODEL_F_PF);
	assert_int_equal(fx_poll(f), 1);
	assert_int_equal(f->faults[0].reason, IOMM_FAULT_PERMISSION);
	assert_int_equal(fx_dma(f, sid, iova + 3 * SZ4K, RD, NULL), SMMUV2_MODEL_F_TF);
	assert_int_equal(fx_poll(f), 1);
	assert_int_equal(f->faults[0].reason, IOMM_FAULT_TRANSLATION);
	if (d->dom.type != IOMM_DOMAIN_NESTED) {
		assert_int_equal(fx_xlate(f, sid, iova + 2 * SZ4K, WR), out + 2 * SZ4K);
		assert_int_equal(f->model.last_mem, SMMUV2_MODEL_MEM_DEVICE);
	}

	/* unmap: invalidated (the TLB held the page), the device faults */
	hooks_on(f);
	uint64_t n = 0;
	assert_int_equal(iomm_unmap(&d->dom, iova, SZ4K, &n), IOMM_OK);
	f->b.hook_on = false;
	assert_int_equal(n, SZ4K);
	check_unmap_publish(f, &d->dom, iova);
	assert_int_equal(fx_dma(f, sid, iova + 0x10, RD, NULL), SMMUV2_MODEL_F_TF);
	assert_int_equal(fx_poll(f), 1);
	assert_int_equal(fx_xlate(f, sid, iova + SZ4K, RD), out + SZ4K); /* the rest stays */
	assert_int_equal(iomm_detach(&dev), IOMM_OK);
	assert_int_equal(fx_dma(f, sid, iova + SZ4K, RD, NULL), SMMUV2_MODEL_G_USF);
	(void)fx_poll(f);
}

/*
 * The real part for SMMUv2: an MMU-500 r2p4 (PIDR part 0x481, ID7
 * 2.4, 64 KiB register pages) with ID0.CTTW = 0, its walker reading only
 * what the CPU cleaned (DRAM), behind a port that is not DMA-coherent. Every
 * domain type the backend offers, each through its hook trace and what the
 * device observes.
 */
void test_real_part(void **state)
{
	struct fx *f = *state;
	smmuv2_model_cfg_preset(&f->mcfg, SMMUV2_MODEL_MMU500);
	f->mcfg.cttw = false;
	f->mcfg.dram = true;
	f->port_flags = 0; /* the library is told the port is not coherent either */
	fx_start(f);
	assert_int_equal(f->smmu.part, 0x481);
	assert_false(f->smmu.unit.caps & IOMM_CAP_COHERENT);
	assert_false(f->smmu.features & IOMM_SMMUV2_F_CTTW);
	/* sCR0 as the backend left it: clients translate, unmatched streams fault */
	uint32_t scr0 = fx_rd(f, SMMUV2_M_SCR0);
	assert_false(scr0 & SMMUV2_M_SCR0_CLIENTPD);
	assert_true(scr0 & SMMUV2_M_SCR0_USFCFG);

	/* stage 1: the bank's CBAR gives WB, non-shareable as stage 2's stand-in */
	struct pdom s1 = {0};
	hooks_on(f);
	pdom_up(f, &s1, IOMM_DOMAIN_S1, 0, NULL);
	f->b.hook_on = false;
	check_bank_publish(f, &s1.dom);
	uint32_t cbar = fx_rd(f, ((uint64_t)1 << f->model.pgshift) + SMMUV2_M_CBAR(cb_of(&s1.dom)));
	assert_int_equal(CBAR_TYPE(cbar), 1u);
	assert_int_equal((cbar >> 12) & 0xfu, 0xfu);
	real_part_translating(f, &s1, 1, 0x100000, 0x3000000, 0x3000000);

	/* stage 2 */
	struct pdom s2 = {0};
	hooks_on(f);
	pdom_up(f, &s2, IOMM_DOMAIN_S2, 0, NULL);
	f->b.hook_on = false;
	check_bank_publish(f, &s2.dom);
	cbar = fx_rd(f, ((uint64_t)1 << f->model.pgshift) + SMMUV2_M_CBAR(cb_of(&s2.dom)));
	assert_int_equal(CBAR_TYPE(cbar), 0u);
	real_part_translating(f, &s2, 2, 0x200000, 0x4000000, 0x4000000);

	/* nested: stage 1 inside a stage 2 that maps IPA 0x40000000.. to PA 0x90000000.. */
	struct pdom p2 = {0}, ns = {0};
	pdom_up(f, &p2, IOMM_DOMAIN_S2, 0, NULL);
	ns.pool = fx_pool(f, 4096, 32);
	void *va;
	uint64_t ppa, size;
	fx_pool_region(f, ns.pool, &va, &ppa, &size);
	assert_int_equal(iomm_map(&p2.dom, ppa, ppa, size, IOMM_READ), IOMM_OK);
	assert_int_equal(iomm_map(&p2.dom, 0x40000000, 0x90000000, 4 * SZ4K, RW), IOMM_OK);
	hooks_on(f);
	assert_int_equal(fx_domain(f, &ns.dom, IOMM_DOMAIN_NESTED, 0, ns.pool, &p2.dom), IOMM_OK);
	f->b.hook_on = false;
	check_bank_publish(f, &ns.dom);
	cbar = fx_rd(f, ((uint64_t)1 << f->model.pgshift) + SMMUV2_M_CBAR(cb_of(&ns.dom)));
	assert_int_equal(CBAR_TYPE(cbar), 3u);
	assert_int_equal(CBAR_CBNDX(cbar), cb_of(&p2.dom));
	real_part_translating(f, &ns, 3, 0x7000, 0x40001000, 0x90001000);

	/* bypass: the request's own attributes, address unchanged */
	struct iomm_domain by = {0}, bl = {0};
	struct iomm_dev dby, dbl;
	assert_int_equal(fx_domain(f, &by, IOMM_DOMAIN_BYPASS, 0, NULL, NULL), IOMM_OK);
	hooks_on(f);
	fx_attach(f, &dby, &by, 4, 0);
	f->b.hook_on = false;
	assert_int_equal(S2CR_TYPE(check_s2cr_publish(f, &dby)), 1u);
	assert_int_equal(fx_xlate(f, 4, 0x12345678, WR), 0x12345678);
	assert_int_equal(f->model.last_mem, SMMUV2_MODEL_MEM_NONE);

	/* blocked: every access aborts */
	assert_int_equal(fx_domain(f, &bl, IOMM_DOMAIN_BLOCKED, 0, NULL, NULL), IOMM_OK);
	hooks_on(f);
	fx_attach(f, &dbl, &bl, 5, 0);
	f->b.hook_on = false;
	assert_int_equal(S2CR_TYPE(check_s2cr_publish(f, &dbl)), 2u);
	assert_int_equal(fx_dma(f, 5, 0x1000, RD, NULL), SMMUV2_MODEL_ABORT);
	assert_int_equal(fx_dma(f, 5, 0x1000, WR, NULL), SMMUV2_MODEL_ABORT);
	fx_check_hygiene(f);
}
