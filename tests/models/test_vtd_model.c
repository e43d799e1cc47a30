/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Self-test of the VT-d model: tables written by hand here (from the
 * specification's layouts), registers programmed like a driver would, DMA
 * checked against what the hardware must do.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vtd_model.h"

#define PG 4096u

struct mt {
	struct vtd_model m;
	struct vtd_model_cfg cfg;
	void *pages[64];
	unsigned npages;
	uint64_t *root;
	uint64_t *iq;
	uint32_t *status;
};

static int setup(void **state)
{
	struct mt *t = calloc(1, sizeof(*t));
	if (!t)
		return -1;
	vtd_model_cfg_default(&t->cfg);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct mt *t = *state;
	vtd_model_fini(&t->m);
	for (unsigned i = 0; i < t->npages; i++)
		free(t->pages[i]);
	free(t);
	return 0;
}

static void *page(struct mt *t)
{
	assert_true(t->npages < 64);
	void *p = aligned_alloc(PG, PG);
	assert_non_null(p);
	memset(p, 0, PG);
	t->pages[t->npages++] = p;
	return p;
}

static uint64_t pa(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static void w32(struct mt *t, uint64_t off, uint32_t v)
{
	vtd_model_write(&t->m, off, v, 4);
}
static void w64(struct mt *t, uint64_t off, uint64_t v)
{
	vtd_model_write(&t->m, off, v, 8);
}
static uint32_t r32(struct mt *t, uint64_t off)
{
	return (uint32_t)vtd_model_read(&t->m, off, 4);
}
static uint64_t r64(struct mt *t, uint64_t off)
{
	return vtd_model_read(&t->m, off, 8);
}

/* Model up; root table installed (TTM @ttm) and translation enabled. */
static void boot(struct mt *t, unsigned ttm)
{
	assert_int_equal(vtd_model_init(&t->m, &t->cfg), 0);
	t->root = page(t);
	w64(t, VTD_M_RTADDR, pa(t->root) | (uint64_t)ttm << 10);
	w32(t, VTD_M_GCMD, VTD_M_GCMD_SRTP);
	assert_true(r32(t, VTD_M_GSTS) & VTD_M_GCMD_SRTP);
	w32(t, VTD_M_GCMD, VTD_M_GCMD_TE);
	assert_true(r32(t, VTD_M_GSTS) & VTD_M_GCMD_TE);
}

/* Queued invalidation on, 256-bit descriptors if @dw. */
static void qi_on(struct mt *t, bool dw)
{
	t->iq = page(t);
	t->status = page(t);
	w64(t, VTD_M_IQT, 0);
	w64(t, VTD_M_IQA, pa(t->iq) | (dw ? VTD_M_IQA_DW : 0));
	w32(t, VTD_M_GCMD, VTD_M_GCMD_TE | VTD_M_GCMD_QIE);
	assert_true(r32(t, VTD_M_GSTS) & VTD_M_GCMD_QIE);
}

static void qi_submit(struct mt *t, uint64_t a, uint64_t b)
{
	bool dw = (r64(t, VTD_M_IQA) & VTD_M_IQA_DW) != 0;
	uint64_t tail = r64(t, VTD_M_IQT);
	uint64_t *d = t->iq + tail / 8;
	d[0] = a;
	d[1] = b;
	if (dw)
		d[2] = d[3] = 0;
	w64(t, VTD_M_IQT, (tail + (dw ? 32u : 16u)) % PG);
}

static uint64_t wait_dsc(uint32_t data)
{
	return VTD_M_DSC_WAIT | (1u << 5) | (uint64_t)data << 32;
}

/* Legacy context entry for @sid: second-stage table @slpt with AW @aw. */
static void legacy_ctx(struct mt *t, uint16_t sid, uint64_t slpt, unsigned aw, uint16_t did,
		       unsigned tt)
{
	uint64_t *re = t->root + (sid >> 8) * 2;
	uint64_t *ct;
	if (!(re[0] & 1)) {
		ct = page(t);
		re[0] = pa(ct) | 1;
	} else {
		ct = (uint64_t *)(uintptr_t)(re[0] & ~UINT64_C(0xfff));
	}
	ct[(sid & 0xff) * 2] = slpt | (uint64_t)tt << 2 | 1;
	ct[(sid & 0xff) * 2 + 1] = aw | (uint64_t)did << 8;
}

/* Second-stage map of one 4 KiB page in a @levels-level table. */
static void sl_map(struct mt *t, uint64_t *top, unsigned levels, uint64_t iova, uint64_t out,
		   uint64_t perm)
{
	uint64_t *tbl = top;
	for (unsigned lvl = levels; lvl > 1; lvl--) {
		unsigned idx = (unsigned)(iova >> (12 + 9 * (lvl - 1))) & 511;
		if (!(tbl[idx] & 3))
			tbl[idx] = pa(page(t)) | 3;
		tbl = (uint64_t *)(uintptr_t)(tbl[idx] & 0x000ffffffffff000ull);
	}
	tbl[(iova >> 12) & 511] = out | perm;
}

static uint64_t *sl_leaf(uint64_t *top, unsigned levels, uint64_t iova)
{
	uint64_t *tbl = top;
	for (unsigned lvl = levels; lvl > 1; lvl--)
		tbl = (uint64_t *)(uintptr_t)(tbl[(iova >> (12 + 9 * (lvl - 1))) & 511] &
					      0x000ffffffffff000ull);
	return &tbl[(iova >> 12) & 511];
}

static int dma(struct mt *t, uint16_t sid, uint64_t iova, bool write, uint64_t *out)
{
	return vtd_model_dma(&t->m, sid, iova, 4, write, out);
}

/* ---- tests ---------------------------------------------------------------- */

static void test_ids(void **state)
{
	struct mt *t = *state;
	t->cfg.cm = true;
	t->cfg.sagaw = 4;
	t->cfg.mgaw = 48;
	t->cfg.nfr = 4;
	t->cfg.nd = 2;
	assert_int_equal(vtd_model_init(&t->m, &t->cfg), 0);
	uint64_t cap = r64(t, VTD_M_CAP);
	assert_int_equal(cap & 7, 2);
	assert_true(cap & (1u << 7));
	assert_int_equal((cap >> 8) & 0x1f, 4);
	assert_int_equal((cap >> 16) & 0x3f, 47);
	assert_int_equal(((cap >> 24) & 0x3ff) * 16, 0x400);
	assert_int_equal((cap >> 40) & 0xff, 3);
	assert_int_equal((cap >> 34) & 0xf, 3);
	uint64_t ecap = r64(t, VTD_M_ECAP);
	assert_int_equal(((ecap >> 8) & 0x3ff) * 16, 0x500);
	assert_true(ecap & (UINT64_C(1) << 43));
	assert_true(ecap & 2);
	assert_int_equal(r32(t, VTD_M_VER), 0x60);
	/* upper half of a 64-bit register with a 32-bit read */
	assert_int_equal(r32(t, VTD_M_CAP + 4), (uint32_t)(cap >> 32));
	w64(t, VTD_M_CAP, 0);
	assert_int_equal(t->m.stats.ro_writes, 1);
	vtd_model_read(&t->m, 0x3, 4);
	vtd_model_read(&t->m, VTD_M_GSTS, 8);
	assert_int_equal(t->m.stats.bad_accesses, 2);
	vtd_model_fini(&t->m);

	struct vtd_model_cfg bad = t->cfg;
	bad.fro = 0x508; /* overlaps IRO, misaligned */
	assert_int_equal(vtd_model_init(&t->m, &bad), -1);
	bad = t->cfg;
	bad.nfr = 0;
	assert_int_equal(vtd_model_init(&t->m, &bad), -1);
	bad = t->cfg;
	bad.read_mem = NULL;
	assert_int_equal(vtd_model_init(&t->m, &bad), -1);
	bad = t->cfg;
	bad.iro = t->cfg.fro;
	assert_int_equal(vtd_model_init(&t->m, &bad), -1);
}

static void test_disabled_passes_through(void **state)
{
	struct mt *t = *state;
	assert_int_equal(vtd_model_init(&t->m, &t->cfg), 0);
	uint64_t out = 0;
	assert_int_equal(dma(t, 0x10, 0x12345678, true, &out), 0);
	assert_int_equal(out, 0x12345678);
}

static void test_legacy_walk(void **state)
{
	struct mt *t = *state;
	boot(t, VTD_M_TTM_LEGACY);
	uint64_t *top = page(t);
	legacy_ctx(t, 0x0108, pa(top), 2, 5, 0);
	sl_map(t, top, 4, 0x5000, 0xabc000, 3);
	sl_map(t, top, 4, 0x6000, 0xdef000, 1); /* read-only */
	/* a 2 MiB superpage at 0x40000000 */
	uint64_t *l3 = (uint64_t *)(uintptr_t)(top[0] & ~0xfffull);
	uint64_t *l2 = page(t);
	l3[1] = pa(l2) | 3;
	l2[0] = 0x200000 | (1u << 7) | 3;
	uint64_t out;
	assert_int_equal(dma(t, 0x0108, 0x5123, false, &out), 0);
	assert_int_equal(out, 0xabc123);
	assert_int_equal(dma(t, 0x0108, 0x6000, false, &out), 0);
	assert_int_equal(dma(t, 0x0108, 0x6000, true, &out), VTD_M_FR_WRITE);
	assert_int_equal(dma(t, 0x0108, 0x7000, false, &out), VTD_M_FR_READ);
	assert_int_equal(dma(t, 0x0108, 0x7000, true, &out), VTD_M_FR_WRITE);
	assert_int_equal(dma(t, 0x0108, 0x40012345, true, &out), 0);
	assert_int_equal(out, 0x212345);
	assert_int_equal(dma(t, 0x0108, UINT64_C(1) << 48, false, &out), VTD_M_FR_ADDR_BEYOND);
	/* superpages off: the same entry is reserved */
	t->m.cfg.sllps = 0;
	vtd_model_drop_caches(&t->m);
	assert_int_equal(dma(t, 0x0108, 0x40012345, true, &out), VTD_M_FR_PTE_RSVD);
	/* a DMA spanning two pages faults on the second */
	uint64_t comp = t->m.stats.faults_compressed;
	assert_int_equal(vtd_model_dma(&t->m, 0x0108, 0x6ff0, 0x20, false, &out), VTD_M_FR_READ);
	assert_int_equal(t->m.stats.faults_compressed, comp + 1); /* same as the 0x7000 read */
}

static void test_legacy_3_and_5_levels(void **state)
{
	struct mt *t = *state;
	boot(t, VTD_M_TTM_LEGACY);
	uint64_t *t3 = page(t), *t5 = page(t);
	legacy_ctx(t, 0x0001, pa(t3), 1, 1, 0);
	legacy_ctx(t, 0x0002, pa(t5), 3, 2, 0);
	sl_map(t, t3, 3, 0x7fff000000, 0x1000000, 3);
	sl_map(t, t5, 5, UINT64_C(0x100000000000000), 0x2000000, 3);
	uint64_t out;
	assert_int_equal(dma(t, 1, 0x7fff000010, false, &out), 0);
	assert_int_equal(out, 0x1000010);
	assert_int_equal(dma(t, 1, UINT64_C(1) << 39, false, &out), VTD_M_FR_ADDR_BEYOND);
	assert_int_equal(dma(t, 2, UINT64_C(0x100000000000000), true, &out), 0);
	assert_int_equal(out, 0x2000000);
	/* a unit without 5-level SAGAW refuses the context */
	t->m.cfg.sagaw = 4;
	vtd_model_drop_caches(&t->m);
	assert_int_equal(dma(t, 2, 0, false, &out), VTD_M_FR_CTX_INV);
}

static void test_root_and_context_faults(void **state)
{
	struct mt *t = *state;
	boot(t, VTD_M_TTM_LEGACY);
	w32(t, VTD_M_FECTL, 0); /* unmask: events counted as interrupts */
	uint64_t out;
	assert_int_equal(dma(t, 0x0310, 0x1000, true, &out), VTD_M_FR_ROOT_NP);
	uint32_t fsts = r32(t, VTD_M_FSTS);
	assert_true(fsts & VTD_M_FSTS_PPF);
	unsigned fri = (fsts >> 8) & 0xff;
	uint64_t lo = r64(t, 0x400 + fri * 16), hi = r64(t, 0x408 + fri * 16);
	assert_int_equal(lo, 0x1000);
	assert_int_equal(hi & 0xffff, 0x0310);
	assert_int_equal((hi >> 32) & 0xff, VTD_M_FR_ROOT_NP);
	assert_true(hi & VTD_M_FRCD_F);
	assert_false(hi & VTD_M_FRCD_T1); /* a write */
	assert_int_equal(t->m.stats.fault_irqs, 1);
	/* clear it (RW1C on F, 32-bit write of the upper dword) */
	vtd_model_write(&t->m, 0x40c + fri * 16, (uint32_t)(VTD_M_FRCD_F >> 32), 4);
	assert_false(r32(t, VTD_M_FSTS) & VTD_M_FSTS_PPF);

	uint64_t *top = page(t);
	legacy_ctx(t, 0x0300, pa(top), 2, 1, 0);
	assert_int_equal(dma(t, 0x0311, 0x2000, false, &out), VTD_M_FR_CTX_NP);
	hi = r64(t, 0x408 + 16 * ((r32(t, VTD_M_FSTS) >> 8) & 0xff));
	assert_true(hi & VTD_M_FRCD_T1); /* a read */
	/* TT 2 (pass-through) without ECAP.PT is invalid; reserved bits */
	legacy_ctx(t, 0x0312, 0, 2, 1, 2);
	assert_int_equal(dma(t, 0x0312, 0x2000, false, &out), 0);
	assert_int_equal(out, 0x2000);
	t->m.cfg.pt = false;
	vtd_model_drop_caches(&t->m);
	assert_int_equal(dma(t, 0x0312, 0x2000, false, &out), VTD_M_FR_CTX_INV);
	legacy_ctx(t, 0x0313, pa(top), 2, 1, 0);
	uint64_t *ct = (uint64_t *)(uintptr_t)(t->root[3 * 2] & ~0xfffull);
	ct[0x13 * 2] |= 0x10; /* reserved bit 4 */
	assert_int_equal(dma(t, 0x0313, 0x2000, false, &out), VTD_M_FR_CTX_RSVD);
	/* root table unreadable */
	w64(t, VTD_M_RTADDR, 0x1000);
	w32(t, VTD_M_GCMD, VTD_M_GCMD_TE | VTD_M_GCMD_SRTP);
	assert_int_equal(t->m.stats.gcmd_multi, 0); /* TE unchanged: one command */
	vtd_model_drop_caches(&t->m);
	assert_int_equal(dma(t, 0x0313, 0x2000, false, &out), VTD_M_FR_ROOT_ACCESS);
}

static void test_iotlb_stale_until_page_invalidation(void **state)
{
	struct mt *t = *state;
	boot(t, VTD_M_TTM_LEGACY);
	uint64_t *top = page(t);
	legacy_ctx(t, 0x20, pa(top), 2, 7, 0);
	sl_map(t, top, 4, 0x10000, 0x111000, 3);
	uint64_t out;
	assert_int_equal(dma(t, 0x20, 0x10000, false, &out), 0);
	assert_int_equal(out, 0x111000);
	*sl_leaf(top, 4, 0x10000) = 0; /* unmap in memory */
	assert_int_equal(dma(t, 0x20, 0x10000, false, &out), 0); /* still cached */
	/* page-selective for another domain: still stale */
	uint64_t iro = 0x500;
	w64(t, iro + VTD_M_IVA_OFF, 0x10000);
	w64(t, iro + VTD_M_IOTLB_OFF, VTD_M_IOTLB_IVT | (uint64_t)3 << 60 | (uint64_t)8 << 32);
	assert_false(r64(t, iro + 8) & VTD_M_IOTLB_IVT);
	assert_int_equal((r64(t, iro + 8) >> 57) & 3, 3);
	assert_int_equal(dma(t, 0x20, 0x10000, false, &out), 0);
	/* a page next to it: still stale */
	w64(t, iro + VTD_M_IVA_OFF, 0x11000);
	w64(t, iro + VTD_M_IOTLB_OFF, VTD_M_IOTLB_IVT | (uint64_t)3 << 60 | (uint64_t)7 << 32);
	assert_int_equal(dma(t, 0x20, 0x10000, false, &out), 0);
	/* mask 1 covering both, written as two 32-bit halves */
	w64(t, iro + VTD_M_IVA_OFF, 0x10000 | 1);
	uint64_t cmd = VTD_M_IOTLB_IVT | (uint64_t)3 << 60 | (uint64_t)7 << 32;
	vtd_model_write(&t->m, iro + 8, (uint32_t)cmd, 4);
	assert_int_equal(dma(t, 0x20, 0x10000, false, &out), 0);
	vtd_model_write(&t->m, iro + 12, (uint32_t)(cmd >> 32), 4);
	assert_int_equal(dma(t, 0x20, 0x10000, false, &out), VTD_M_FR_READ);
	assert_int_equal(t->m.stats.iotlb_page, 3);
	assert_int_equal(t->m.stats.reg_iotlb, 3);
	const struct vtd_model_inv *inv = vtd_model_inv_log(&t->m, 0);
	assert_non_null(inv);
	assert_int_equal(inv->am, 1);
	assert_int_equal(inv->did, 7);
	assert_false(inv->queued);
	/* mask beyond MAMV: refused (IAIG 0) */
	w64(t, iro + VTD_M_IVA_OFF, 0x10000 | 20);
	w64(t, iro + VTD_M_IOTLB_OFF, cmd);
	assert_int_equal((r64(t, iro + 8) >> 57) & 3, 0);
	/* without PSI a page request is done domain-selectively */
	t->m.cfg.psi = false;
	w64(t, iro + VTD_M_IVA_OFF, 0x10000);
	w64(t, iro + VTD_M_IOTLB_OFF, cmd);
	assert_int_equal((r64(t, iro + 8) >> 57) & 3, 2);
	/* global */
	w64(t, iro + VTD_M_IOTLB_OFF, VTD_M_IOTLB_IVT | (uint64_t)1 << 60);
	assert_int_equal(t->m.stats.iotlb_global, 1);
}

static void test_context_cache_stale(void **state)
{
	struct mt *t = *state;
	boot(t, VTD_M_TTM_LEGACY);
	uint64_t *top = page(t);
	legacy_ctx(t, 0x41, pa(top), 2, 3, 0);
	sl_map(t, top, 4, 0x3000, 0x333000, 3);
	uint64_t out;
	assert_int_equal(dma(t, 0x41, 0x3000, true, &out), 0);
	assert_true(vtd_model_ctx_cached(&t->m, 0x41));
	uint64_t *ct = (uint64_t *)(uintptr_t)(t->root[0] & ~0xfffull);
	ct[0x41 * 2] = 0; /* detach in memory */
	assert_int_equal(dma(t, 0x41, 0x3000, true, &out), 0);
	/* device-selective with the wrong domain: no effect */
	w64(t, VTD_M_CCMD, VTD_M_CCMD_ICC | (uint64_t)3 << 61 | (uint64_t)0x41 << 16 | 4);
	assert_false(r64(t, VTD_M_CCMD) & VTD_M_CCMD_ICC);
	assert_int_equal((r64(t, VTD_M_CCMD) >> 59) & 3, 3);
	assert_int_equal(dma(t, 0x41, 0x3000, true, &out), 0);
	/* function mask 3 covers the device's functions 0..7 */
	w64(t, VTD_M_CCMD, VTD_M_CCMD_ICC | (uint64_t)3 << 61 | (uint64_t)3 << 32 |
			       (uint64_t)0x40 << 16 | 3);
	assert_false(vtd_model_ctx_cached(&t->m, 0x41));
	/* the IOTLB still holds the translation (domain 3) until invalidated */
	ct[0x41 * 2] = pa(top) | 1;
	assert_int_equal(t->m.stats.cc_device, 2);
	w64(t, VTD_M_CCMD, VTD_M_CCMD_ICC | (uint64_t)2 << 61 | 3);
	w64(t, VTD_M_CCMD, VTD_M_CCMD_ICC | (uint64_t)1 << 61);
	assert_int_equal(t->m.stats.cc_domain, 1);
	assert_int_equal(t->m.stats.cc_global, 1);
	assert_int_equal(t->m.stats.reg_ccmd, 4);
	/* CIRG 0 is refused */
	w64(t, VTD_M_CCMD, VTD_M_CCMD_ICC);
	assert_int_equal((r64(t, VTD_M_CCMD) >> 59) & 3, 0);
	assert_int_equal(t->m.stats.reg_ccmd, 4);
}

static void test_queue_descriptors(void **state)
{
	struct mt *t = *state;
	boot(t, VTD_M_TTM_LEGACY);
	qi_on(t, true);
	uint64_t *top = page(t);
	legacy_ctx(t, 0x20, pa(top), 2, 9, 0);
	sl_map(t, top, 4, 0x8000, 0x888000, 3);
	uint64_t out;
	assert_int_equal(dma(t, 0x20, 0x8000, true, &out), 0);
	*sl_leaf(top, 4, 0x8000) = 0;
	/* register invalidation while QI is on is ignored */
	w64(t, VTD_M_CCMD, VTD_M_CCMD_ICC | (uint64_t)1 << 61);
	assert_true(r64(t, VTD_M_CCMD) & VTD_M_CCMD_ICC);
	assert_int_equal(t->m.stats.reg_inv_while_qi, 1);
	qi_submit(t, VTD_M_DSC_IOTLB | (3u << 4) | (uint64_t)9 << 16, 0x8000);
	qi_submit(t, wait_dsc(0x1234), pa(t->status));
	assert_int_equal(*t->status, 0x1234);
	assert_int_equal(r64(t, VTD_M_IQH), r64(t, VTD_M_IQT));
	assert_int_equal(dma(t, 0x20, 0x8000, true, &out), VTD_M_FR_WRITE);
	assert_int_equal(t->m.stats.qi_descs, 2);
	assert_int_equal(t->m.stats.waits, 1);
	assert_int_equal(t->m.stats.iotlb_page, 1);
	const struct vtd_model_inv *inv = vtd_model_inv_log(&t->m, 1);
	assert_int_equal(inv->type, VTD_M_DSC_IOTLB);
	assert_int_equal(inv->addr, 0x8000);
	assert_true(inv->queued);
	/* context cache, device TLB, IEC, PASID cache, PASID IOTLB, wait with IF */
	qi_submit(t, VTD_M_DSC_CC | (1u << 4), 0);
	qi_submit(t, VTD_M_DSC_DEVTLB, 0);
	qi_submit(t, VTD_M_DSC_IEC, 0);
	qi_submit(t, VTD_M_DSC_PC | (3u << 4), 0);
	qi_submit(t, VTD_M_DSC_PIOTLB | (2u << 4) | (uint64_t)9 << 16, 0);
	qi_submit(t, VTD_M_DSC_WAIT | (1u << 4), 0);
	assert_int_equal(t->m.stats.cc_global, 1);
	assert_int_equal(t->m.stats.devtlb, 1);
	assert_int_equal(t->m.stats.iec, 1);
	assert_int_equal(t->m.stats.pc_global, 1);
	assert_int_equal(t->m.stats.piotlb_pasid, 1);
	assert_true(r32(t, VTD_M_ICS) & VTD_M_ICS_IWC);
	w32(t, VTD_M_ICS, VTD_M_ICS_IWC);
	assert_false(r32(t, VTD_M_ICS) & VTD_M_ICS_IWC);
	assert_int_equal(t->m.stats.iqe, 0);

	/* malformed: unknown type, reserved bits, bad granularity, big mask */
	static const uint64_t bad[][2] = {
	    {0, 0},
	    {0xf, 0},
	    {VTD_M_DSC_CC | (1u << 4) | (1u << 7), 0},
	    {VTD_M_DSC_CC, 0},
	    {VTD_M_DSC_IOTLB | (3u << 4), 20},
	    {VTD_M_DSC_IOTLB | (1u << 4), 0x80},
	    {VTD_M_DSC_WAIT | (1u << 8), 0},
	    {VTD_M_DSC_PC | (2u << 4), 0},
	    {VTD_M_DSC_PIOTLB | (1u << 4), 0},
	};
	uint64_t iqe = 0;
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t head = r64(t, VTD_M_IQH);
		qi_submit(t, bad[i][0], bad[i][1]);
		assert_true(r32(t, VTD_M_FSTS) & VTD_M_FSTS_IQE);
		assert_int_equal(r64(t, VTD_M_IQH), head); /* stopped at the bad one */
		assert_int_equal(t->m.stats.iqe, ++iqe);
		unsigned iqei = (unsigned)(r64(t, VTD_M_IQERCD) & 0xf);
		assert_true(iqei == VTD_M_IQEI_TYPE || iqei == VTD_M_IQEI_RSVD);
		/* replace it with a wait, clear IQE: the queue goes on */
		t->iq[head / 8] = wait_dsc(i);
		t->iq[head / 8 + 1] = pa(t->status);
		w32(t, VTD_M_FSTS, VTD_M_FSTS_IQE);
		assert_int_equal(*t->status, i);
		assert_int_equal(r64(t, VTD_M_IQH), r64(t, VTD_M_IQT));
	}
	/* tail misaligned for 256-bit descriptors, tail beyond the queue */
	w64(t, VTD_M_IQT, r64(t, VTD_M_IQT) + 16);
	assert_int_equal(r64(t, VTD_M_IQERCD) & 0xf, VTD_M_IQEI_TAIL_ALIGN);
	w32(t, VTD_M_FSTS, VTD_M_FSTS_IQE);
}

static void test_queue_128bit(void **state)
{
	struct mt *t = *state;
	t->cfg.dt = false;
	t->cfg.ir = false;
	boot(t, VTD_M_TTM_LEGACY);
	qi_on(t, false);
	qi_submit(t, VTD_M_DSC_CC | (1u << 4), 0);
	qi_submit(t, wait_dsc(7), pa(t->status));
	assert_int_equal(*t->status, 7);
	assert_int_equal(r64(t, VTD_M_IQH), 32);
	qi_submit(t, VTD_M_DSC_PIOTLB | (2u << 4), 0);
	assert_int_equal(r64(t, VTD_M_IQERCD) & 0xf, VTD_M_IQEI_WIDTH);
	uint64_t head = r64(t, VTD_M_IQH);
	t->iq[head / 8] = VTD_M_DSC_DEVTLB; /* not supported here */
	w32(t, VTD_M_FSTS, VTD_M_FSTS_IQE);
	assert_int_equal(r64(t, VTD_M_IQERCD) & 0xf, VTD_M_IQEI_TYPE);
	t->iq[head / 8] = VTD_M_DSC_PC | (3u << 4);
	w32(t, VTD_M_FSTS, VTD_M_FSTS_IQE);
	assert_int_equal(r64(t, VTD_M_IQERCD) & 0xf, VTD_M_IQEI_WIDTH);
	t->iq[head / 8] = wait_dsc(8);
	t->iq[head / 8 + 1] = pa(t->status);
	w32(t, VTD_M_FSTS, VTD_M_FSTS_IQE);
	assert_int_equal(*t->status, 8);
	/* tail beyond the (one page) queue */
	w64(t, VTD_M_IQT, 0x2000);
	assert_int_equal(r64(t, VTD_M_IQERCD) & 0xf, VTD_M_IQEI_TAIL);
	w64(t, VTD_M_IQT, r64(t, VTD_M_IQH));
	w32(t, VTD_M_FSTS, VTD_M_FSTS_IQE);
	/* the queue wraps */
	for (unsigned i = 0; i < 300; i++)
		qi_submit(t, wait_dsc(100 + i), pa(t->status));
	assert_int_equal(*t->status, 399);
	assert_int_equal(t->m.stats.iqe, 4);
	/* disabling QI */
	w32(t, VTD_M_GCMD, VTD_M_GCMD_TE);
	assert_false(r32(t, VTD_M_GSTS) & VTD_M_GCMD_QIE);
	assert_int_equal(r64(t, VTD_M_IQH), 0);
}

static void test_fault_overflow_and_compression(void **state)
{
	struct mt *t = *state;
	t->cfg.nfr = 2;
	t->cfg.fro = 0x200;
	boot(t, VTD_M_TTM_LEGACY);
	uint64_t out;
	assert_int_equal(dma(t, 1, 0x1000, false, &out), VTD_M_FR_ROOT_NP);
	assert_int_equal(dma(t, 1, 0x1000, false, &out), VTD_M_FR_ROOT_NP); /* compressed */
	assert_int_equal(t->m.stats.faults_compressed, 1);
	assert_int_equal(vtd_model_pending_faults(&t->m), 1);
	assert_int_equal(dma(t, 1, 0x1000, true, &out), VTD_M_FR_ROOT_NP); /* differs: write */
	assert_int_equal(vtd_model_pending_faults(&t->m), 2);
	assert_int_equal(dma(t, 2, 0x1000, true, &out), VTD_M_FR_ROOT_NP);
	assert_true(r32(t, VTD_M_FSTS) & VTD_M_FSTS_PFO);
	assert_int_equal(t->m.stats.faults_dropped, 1);
	assert_int_equal(dma(t, 3, 0x1000, true, &out), VTD_M_FR_ROOT_NP);
	assert_int_equal(t->m.stats.faults_dropped, 2); /* PFO still set */
	assert_int_equal((r32(t, VTD_M_FSTS) >> 8) & 0xff, 0);
	/* drain record 0, clear PFO: the next fault goes to record 0 again after 1 */
	w64(t, 0x208, VTD_M_FRCD_F);
	w32(t, VTD_M_FSTS, VTD_M_FSTS_PFO);
	assert_int_equal((r32(t, VTD_M_FSTS) >> 8) & 0xff, 0);
	assert_int_equal(dma(t, 4, 0x1000, true, &out), VTD_M_FR_ROOT_NP);
	assert_int_equal(vtd_model_pending_faults(&t->m), 2);
	assert_int_equal(r64(t, 0x208) & 0xffff, 4);
	w64(t, 0x218, VTD_M_FRCD_F);
	w64(t, 0x208, VTD_M_FRCD_F);
	assert_false(r32(t, VTD_M_FSTS) & VTD_M_FSTS_PPF);
	assert_true(r32(t, VTD_M_FECTL) & VTD_M_CTL_IP); /* masked: pending */
	w32(t, VTD_M_FECTL, 0);
	assert_int_equal(t->m.stats.fault_irqs, 1);
	/* the record's low half is read-only */
	w64(t, 0x200, 0);
	assert_int_equal(t->m.stats.ro_writes, 1);
}

static void test_fpd_suppresses(void **state)
{
	struct mt *t = *state;
	boot(t, VTD_M_TTM_LEGACY);
	uint64_t *top = page(t);
	legacy_ctx(t, 0x30, pa(top), 2, 1, 0);
	uint64_t *ct = (uint64_t *)(uintptr_t)(t->root[0] & ~0xfffull);
	ct[0x30 * 2] |= 2; /* FPD */
	uint64_t out;
	assert_int_equal(dma(t, 0x30, 0x1000, false, &out), VTD_M_FR_READ);
	assert_int_equal(vtd_model_pending_faults(&t->m), 0);
	assert_int_equal(t->m.stats.faults_suppressed, 1);
}

static void test_caching_mode_negative_entries(void **state)
{
	struct mt *t = *state;
	t->cfg.cm = true;
	boot(t, VTD_M_TTM_LEGACY);
	uint64_t *top = page(t);
	uint64_t out;
	/* a not-present context is cached */
	assert_int_equal(dma(t, 0x0050, 0x1000, false, &out), VTD_M_FR_ROOT_NP);
	legacy_ctx(t, 0x0050, pa(top), 2, 4, 0);
	sl_map(t, top, 4, 0x1000, 0x77000, 3);
	assert_int_equal(dma(t, 0x0050, 0x1000, false, &out), VTD_M_FR_ROOT_NP);
	w64(t, VTD_M_CCMD, VTD_M_CCMD_ICC | (uint64_t)3 << 61 | (uint64_t)0x50 << 16);
	assert_int_equal(dma(t, 0x0050, 0x1000, false, &out), 0);
	/* a not-present leaf is cached */
	assert_int_equal(dma(t, 0x0050, 0x2000, true, &out), VTD_M_FR_WRITE);
	sl_map(t, top, 4, 0x2000, 0x78000, 3);
	assert_int_equal(dma(t, 0x0050, 0x2000, true, &out), VTD_M_FR_WRITE);
	assert_int_equal(dma(t, 0x0050, 0x2000, false, &out), VTD_M_FR_READ);
	w64(t, 0x500, 0x2000);
	w64(t, 0x508, VTD_M_IOTLB_IVT | (uint64_t)3 << 60 | (uint64_t)4 << 32);
	assert_int_equal(dma(t, 0x0050, 0x2000, true, &out), 0);
	assert_int_equal(out, 0x78000);
	/* without caching mode the same sequence works at once */
	t->m.cfg.cm = false;
	assert_int_equal(dma(t, 0x0050, 0x3000, true, &out), VTD_M_FR_WRITE);
	sl_map(t, top, 4, 0x3000, 0x79000, 3);
	assert_int_equal(dma(t, 0x0050, 0x3000, true, &out), 0);
}

/* Scalable mode: root, context, PASID directory and table for RID_PASID 0. */
static uint64_t *sm_pasid_entry(struct mt *t, uint16_t sid)
{
	uint64_t *re = t->root + (sid >> 8) * 2 + ((sid & 0x80) ? 1 : 0);
	uint64_t *ct = page(t);
	*re = pa(ct) | 1;
	uint64_t *ce = ct + (sid & 0x7f) * 4;
	uint64_t *dir = page(t);
	uint64_t *ptbl = page(t);
	ce[0] = pa(dir) | 1; /* PDTS 0 */
	dir[0] = pa(ptbl) | 1;
	return ptbl; /* entry 0 */
}

static void test_scalable_first_stage(void **state)
{
	struct mt *t = *state;
	boot(t, VTD_M_TTM_SCALABLE);
	qi_on(t, true);
	uint64_t *pe = sm_pasid_entry(t, 0x0185);
	uint64_t *pml4 = page(t), *pdpt = page(t), *pd = page(t), *pt = page(t);
	pml4[0] = pa(pdpt) | 7;
	pdpt[0] = pa(pd) | 7;
	pd[0] = pa(pt) | 7;
	pt[4] = 0x44000 | 7;	  /* user, writable */
	pt[5] = 0x45000 | 1 | 4;  /* user, read-only */
	pt[6] = 0x46000 | 1 | 2;  /* supervisor only */
	pdpt[1] = 0x80000000 | (1u << 7) | 7; /* 1 GiB */
	pe[0] = (1u << 6) | 1;		       /* PGTT first stage */
	pe[1] = 12;			       /* DID */
	pe[2] = pa(pml4);		       /* 4-level */
	uint64_t out;
	assert_int_equal(dma(t, 0x0185, 0x4010, true, &out), 0);
	assert_int_equal(out, 0x44010);
	assert_true(pt[4] & (1u << 5));
	assert_true(pt[4] & (1u << 6));
	assert_true(pml4[0] & (1u << 5));
	assert_int_equal(dma(t, 0x0185, 0x5000, false, &out), 0);
	assert_false(pt[5] & (1u << 6));
	assert_int_equal(dma(t, 0x0185, 0x5000, true, &out), VTD_M_FR_SM_WRITE);
	assert_int_equal(dma(t, 0x0185, 0x6000, false, &out), VTD_M_FR_SM_PRIV);
	assert_int_equal(dma(t, 0x0185, 0x7000, false, &out), VTD_M_FR_SM_FS_NP);
	assert_int_equal(dma(t, 0x0185, 0x40001000, true, &out), 0);
	assert_int_equal(out, 0x80001000);
	assert_int_equal(dma(t, 0x0185, UINT64_C(0x0000900000000000), false, &out),
			 VTD_M_FR_SM_CANONICAL);
	/* the PASID-based IOTLB invalidation drops first-stage entries, the IOTLB one does not */
	pt[4] = 0;
	qi_submit(t, VTD_M_DSC_IOTLB | (3u << 4) | (uint64_t)12 << 16, 0x4000);
	assert_int_equal(dma(t, 0x0185, 0x4010, true, &out), 0);
	qi_submit(t, VTD_M_DSC_PIOTLB | (3u << 4) | (uint64_t)12 << 16 | (uint64_t)1 << 32, 0x4000);
	assert_int_equal(dma(t, 0x0185, 0x4010, true, &out), 0); /* wrong PASID */
	qi_submit(t, VTD_M_DSC_PIOTLB | (3u << 4) | (uint64_t)12 << 16, 0x4000);
	assert_int_equal(dma(t, 0x0185, 0x4010, true, &out), VTD_M_FR_SM_FS_NP);
	/* the PASID entry is cached until a PASID-cache invalidation */
	pe[0] = 0;
	assert_int_equal(dma(t, 0x0185, 0x5000, false, &out), 0);
	qi_submit(t, VTD_M_DSC_PC | (1u << 4) | (uint64_t)12 << 16, 0);
	assert_false(vtd_model_pasid_cached(&t->m, 0x0185, 0));
	assert_int_equal(dma(t, 0x0185, 0x5000, false, &out), VTD_M_FR_SM_PT_NP);
	const struct vtd_model_fault *f = vtd_model_last_fault(&t->m);
	assert_true(f->recorded);
	assert_int_equal((f->rec[1] >> 32) & 0xff, VTD_M_FR_SM_PT_NP);
	/* 5-level paging mode without FL5LP is invalid */
	pe[0] = (1u << 6) | 1;
	pe[2] = pa(pml4) | (1u << 2);
	t->m.cfg.fl5lp = false;
	qi_submit(t, VTD_M_DSC_PC | (3u << 4), 0);
	assert_int_equal(dma(t, 0x0185, 0x5000, false, &out), VTD_M_FR_SM_PT_INV);
}

static void test_scalable_second_stage_and_pt(void **state)
{
	struct mt *t = *state;
	boot(t, VTD_M_TTM_SCALABLE);
	qi_on(t, true);
	uint64_t *pe = sm_pasid_entry(t, 0x0200);
	uint64_t *top = page(t);
	sl_map(t, top, 4, 0x9000, 0x99000, 1);
	pe[0] = pa(top) | (2u << 6) | (2u << 2) | 1; /* PGTT second stage, AW 4-level */
	pe[1] = 3;
	uint64_t out;
	assert_int_equal(dma(t, 0x0200, 0x9000, false, &out), 0);
	assert_int_equal(out, 0x99000);
	assert_int_equal(dma(t, 0x0200, 0x9000, true, &out), VTD_M_FR_SM_WRITE);
	assert_int_equal(dma(t, 0x0200, 0xa000, false, &out), VTD_M_FR_SM_SS_NP);
	assert_int_equal(dma(t, 0x0200, UINT64_C(1) << 50, false, &out), VTD_M_FR_SM_BEYOND);
	/* the upper half of the root entry for devfn >= 0x80 */
	uint64_t *pe2 = sm_pasid_entry(t, 0x0281);
	pe2[0] = (4u << 6) | 1; /* pass-through */
	pe2[1] = 4;
	assert_int_equal(dma(t, 0x0281, 0x123456, true, &out), 0);
	assert_int_equal(out, 0x123456);
	assert_int_equal(dma(t, 0x0201, 0x1000, false, &out), VTD_M_FR_SM_CTX_NP);
	/* bad PGTT, reserved bit */
	pe2[0] = (3u << 6) | 1;
	qi_submit(t, VTD_M_DSC_PC | (3u << 4), 0);
	assert_int_equal(dma(t, 0x0281, 0x1000, false, &out), VTD_M_FR_SM_PT_INV);
	pe2[0] = (4u << 6) | 1 | (1u << 10);
	qi_submit(t, VTD_M_DSC_PC | (3u << 4), 0);
	assert_int_equal(dma(t, 0x0281, 0x1000, false, &out), VTD_M_FR_SM_PT_RSVD);
	/* translation table mode the unit lacks */
	t->m.cfg.smts = false;
	assert_int_equal(dma(t, 0x0281, 0x1000, false, &out), VTD_M_FR_SM_TTM);
}

static void test_stuck_knobs(void **state)
{
	struct mt *t = *state;
	t->cfg.gsts_stuck = VTD_M_GCMD_TE;
	t->cfg.rwbf = true;
	assert_int_equal(vtd_model_init(&t->m, &t->cfg), 0);
	w32(t, VTD_M_GCMD, VTD_M_GCMD_TE);
	assert_false(r32(t, VTD_M_GSTS) & VTD_M_GCMD_TE);
	t->m.cfg.gsts_stuck = VTD_M_GCMD_SRTP | VTD_M_GCMD_WBF;
	w32(t, VTD_M_GCMD, VTD_M_GCMD_SRTP);
	assert_false(r32(t, VTD_M_GSTS) & VTD_M_GCMD_SRTP);
	w32(t, VTD_M_GCMD, VTD_M_GCMD_WBF);
	assert_true(r32(t, VTD_M_GSTS) & VTD_M_GCMD_WBF);
	assert_int_equal(t->m.stats.wbf, 1);
	t->m.cfg.gsts_stuck = 0;
	t->m.cfg.ccmd_stuck = true;
	t->m.cfg.iotlb_stuck = true;
	w64(t, VTD_M_CCMD, VTD_M_CCMD_ICC | (uint64_t)1 << 61);
	assert_true(r64(t, VTD_M_CCMD) & VTD_M_CCMD_ICC);
	w64(t, 0x508, VTD_M_IOTLB_IVT | (uint64_t)1 << 60);
	assert_true(r64(t, 0x508) & VTD_M_IOTLB_IVT);
	assert_int_equal(t->m.stats.reg_ccmd + t->m.stats.reg_iotlb, 0);
	t->m.cfg.ccmd_stuck = false;
	/* the wait descriptor that never completes, then completes */
	t->m.cfg.wait_stuck = true;
	qi_on(t, false);
	qi_submit(t, wait_dsc(5), pa(t->status));
	assert_int_equal(*t->status, 0);
	assert_int_equal(r64(t, VTD_M_IQH), 0);
	t->m.cfg.wait_stuck = false;
	vtd_model_process(&t->m);
	assert_int_equal(*t->status, 5);
	/* QIE that never acknowledges */
	w32(t, VTD_M_GCMD, VTD_M_GCMD_TE);
	t->m.cfg.gsts_stuck = VTD_M_GCMD_QIE;
	w32(t, VTD_M_GCMD, VTD_M_GCMD_TE | VTD_M_GCMD_QIE);
	assert_false(r32(t, VTD_M_GSTS) & VTD_M_GCMD_QIE);
	/* two commands at once are counted */
	t->m.cfg.gsts_stuck = 0;
	uint64_t multi = t->m.stats.gcmd_multi;
	w32(t, VTD_M_GCMD, VTD_M_GCMD_TE | VTD_M_GCMD_QIE | VTD_M_GCMD_SRTP);
	assert_int_equal(t->m.stats.gcmd_multi, multi + 1);
}


static void test_registers_misc(void **state)
{
	struct mt *t = *state;
	t->cfg.iotlb_capacity = 2;
	assert_int_equal(vtd_model_init(&t->m, &t->cfg), 0);
	static const uint64_t regs32[] = {VTD_M_FEDATA, VTD_M_FEADDR, VTD_M_FEUADDR,
					  VTD_M_IEDATA, VTD_M_IEADDR, VTD_M_IEUADDR};
	for (unsigned i = 0; i < 6; i++) {
		w32(t, regs32[i], 0x1230 + i);
		assert_int_equal(r32(t, regs32[i]), 0x1230 + i);
	}
	w64(t, VTD_M_IRTA, 0xabc000);
	assert_int_equal(r64(t, VTD_M_IRTA), 0xabc000);
	w32(t, VTD_M_IECTL, 0);
	assert_int_equal(r32(t, VTD_M_IECTL), 0);
	assert_int_equal(r32(t, VTD_M_GCMD), 0); /* write-only */
	w32(t, VTD_M_VER, 0);
	assert_int_equal(t->m.stats.ro_writes, 1);
	/* unknown offsets, wrong sizes, outside the page */
	r32(t, 0x300);
	w32(t, 0x300, 1);
	w64(t, VTD_M_GCMD, 0);
	vtd_model_write(&t->m, VTD_M_MMIO_SIZE, 0, 4);
	vtd_model_write(&t->m, VTD_M_CAP, 0, 2);
	assert_int_equal(t->m.stats.bad_accesses, 5);
	/* interrupt remapping commands follow */
	w32(t, VTD_M_GCMD, VTD_M_GCMD_SIRTP);
	assert_true(r32(t, VTD_M_GSTS) & VTD_M_GCMD_SIRTP);
	w32(t, VTD_M_GCMD, VTD_M_GCMD_IRE);
	assert_true(r32(t, VTD_M_GSTS) & VTD_M_GCMD_IRE);
	/* oddities are counted: WBF without RWBF, IQA while the queue runs,
	 * disabling a queue with work in it, QIE without QI */
	w32(t, VTD_M_GCMD, VTD_M_GCMD_IRE | VTD_M_GCMD_WBF);
	assert_int_equal(t->m.stats.anomalies, 1);
	t->iq = page(t);
	w64(t, VTD_M_IQA, pa(t->iq));
	w32(t, VTD_M_GCMD, VTD_M_GCMD_IRE | VTD_M_GCMD_QIE);
	w64(t, VTD_M_IQA, pa(t->iq));
	assert_int_equal(t->m.stats.anomalies, 2);
	t->m.cfg.qi_stuck = true;
	w64(t, VTD_M_IQT, 16);
	w32(t, VTD_M_GCMD, VTD_M_GCMD_IRE);
	assert_int_equal(t->m.stats.anomalies, 3);
	t->m.cfg.qi = false;
	w32(t, VTD_M_GCMD, VTD_M_GCMD_IRE | VTD_M_GCMD_QIE);
	assert_int_equal(t->m.stats.anomalies, 4);
	assert_false(r32(t, VTD_M_GSTS) & VTD_M_GCMD_QIE);
	t->m.cfg.qi = true;
	t->m.cfg.qi_stuck = false;
	/* a queue the unit cannot read */
	w64(t, VTD_M_IQT, 0);
	w64(t, VTD_M_IQA, 0x1000);
	w32(t, VTD_M_GCMD, VTD_M_GCMD_IRE | VTD_M_GCMD_QIE);
	w64(t, VTD_M_IQT, 16);
	assert_int_equal(r64(t, VTD_M_IQERCD) & 0xf, VTD_M_IQEI_FETCH);
	assert_null(vtd_model_inv_log(&t->m, 0));
	/* reset */
	vtd_model_reset(&t->m);
	assert_int_equal(r32(t, VTD_M_GSTS), 0);
	assert_int_equal(t->m.stats.iqe, 0);
}

/* qi_fail_next: the next descriptor, however well formed, stops the queue
 * with IQE (IQEI 4) unexecuted; the knob clears itself. */
static void test_qi_fail_next(void **state)
{
	struct mt *t = *state;
	boot(t, VTD_M_TTM_LEGACY);
	qi_on(t, false);
	t->m.cfg.qi_fail_next = true;
	uint64_t descs = t->m.stats.qi_descs;
	qi_submit(t, wait_dsc(7), pa(t->status));
	assert_true(r32(t, VTD_M_FSTS) & VTD_M_FSTS_IQE);
	assert_int_equal(r64(t, VTD_M_IQERCD) & 0xf, VTD_M_IQEI_RSVD);
	assert_int_equal(r64(t, VTD_M_IQH), 0);
	assert_int_equal(t->status[0], 0); /* the wait never wrote its status */
	assert_int_equal(t->m.stats.qi_descs, descs);
	assert_false(t->m.cfg.qi_fail_next);
}

static void test_queue_misc(void **state)
{
	struct mt *t = *state;
	t->cfg.iotlb_capacity = 2;
	boot(t, VTD_M_TTM_LEGACY);
	qi_on(t, true);
	uint64_t *top = page(t);
	legacy_ctx(t, 0x10, pa(top), 2, 6, 0);
	for (unsigned i = 0; i < 3; i++)
		sl_map(t, top, 4, 0x1000u * (i + 1), 0x100000u * (i + 1), 3);
	uint64_t out;
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(dma(t, 0x10, 0x1000u * (i + 1), false, &out), 0);
	assert_int_equal(vtd_model_iotlb_count(&t->m), 2);
	assert_int_equal(t->m.stats.iotlb_evictions, 1);
	/* PASID cache domain-selective, a wait whose status write fails, page
	 * invalidation without PSI done domain-selectively */
	qi_submit(t, VTD_M_DSC_PC | (0u << 4) | (uint64_t)6 << 16, 0);
	assert_int_equal(t->m.stats.pc_domain, 1);
	qi_submit(t, wait_dsc(1), 0x100);
	assert_int_equal(t->m.stats.anomalies, 1);
	t->m.cfg.psi = false;
	qi_submit(t, VTD_M_DSC_IOTLB | (3u << 4) | (uint64_t)6 << 16, 0x1000);
	assert_int_equal(vtd_model_iotlb_count(&t->m), 0);
	/* misaligned page address */
	t->m.cfg.psi = true;
	qi_submit(t, VTD_M_DSC_IOTLB | (3u << 4) | (uint64_t)6 << 16, 0x1000 | 1);
	qi_submit(t, VTD_M_DSC_PIOTLB | (3u << 4), 0x1000 | 1);
	assert_int_equal(t->m.stats.anomalies, 3);
	/* types the unit lacks; a full log */
	t->m.cfg.smts = false;
	qi_submit(t, VTD_M_DSC_PIOTLB | (2u << 4), 0);
	assert_int_equal(r64(t, VTD_M_IQERCD) & 0xf, VTD_M_IQEI_TYPE);
	uint64_t head = r64(t, VTD_M_IQH);
	t->iq[head / 8] = VTD_M_DSC_PC | (3u << 4);
	w32(t, VTD_M_FSTS, VTD_M_FSTS_IQE);
	t->iq[head / 8] = VTD_M_DSC_PDEVTLB;
	w32(t, VTD_M_FSTS, VTD_M_FSTS_IQE);
	t->iq[head / 8] = VTD_M_DSC_WAIT;
	t->iq[head / 8 + 2] = 1; /* 256-bit descriptor, reserved upper half */
	w32(t, VTD_M_FSTS, VTD_M_FSTS_IQE);
	assert_int_equal(r64(t, VTD_M_IQERCD) & 0xf, VTD_M_IQEI_RSVD);
	t->iq[head / 8 + 2] = 0;
	w32(t, VTD_M_FSTS, VTD_M_FSTS_IQE);
	assert_int_equal(t->m.stats.iqe, 4);
	for (unsigned i = 0; i < 140; i++)
		qi_submit(t, VTD_M_DSC_WAIT, 0);
	assert_non_null(vtd_model_inv_log(&t->m, VTD_MODEL_LOG - 1));
	assert_null(vtd_model_inv_log(&t->m, VTD_MODEL_LOG));
	/* register invalidation while the queue runs is ignored */
	w64(t, 0x508, VTD_M_IOTLB_IVT | (uint64_t)1 << 60);
	assert_true(r64(t, 0x508) & VTD_M_IOTLB_IVT);
	assert_int_equal(t->m.stats.reg_inv_while_qi, 1);
	vtd_model_drop_caches(&t->m);
	assert_false(vtd_model_ctx_cached(&t->m, 0x10));
}

static void test_walk_errors(void **state)
{
	struct mt *t = *state;
	t->cfg.cm = true;
	boot(t, VTD_M_TTM_LEGACY);
	uint64_t out;
	uint64_t *top = page(t);
	legacy_ctx(t, 0x10, pa(top), 2, 6, 0);
	sl_map(t, top, 4, 0x1000, 0x11000, 3);
	*sl_leaf(top, 4, 0x1000) |= UINT64_C(1) << 62; /* reserved */
	assert_int_equal(dma(t, 0x10, 0x1000, false, &out), VTD_M_FR_PTE_RSVD);
	*sl_leaf(top, 4, 0x1000) = 0x11000 | 3 | (1u << 11); /* SNP without ECAP.SC */
	vtd_model_drop_caches(&t->m);
	t->m.cfg.sc = false;
	assert_int_equal(dma(t, 0x10, 0x1000, false, &out), VTD_M_FR_PTE_RSVD);
	t->m.cfg.sc = true;
	/* a table the unit cannot read */
	top[1] = 0x1000 | 3;
	assert_int_equal(dma(t, 0x10, UINT64_C(1) << 39, false, &out), VTD_M_FR_PTE_ACCESS);
	/* root entry with a reserved bit */
	t->root[2 * 2] = pa(page(t)) | 1 | 2;
	assert_int_equal(dma(t, 0x0200, 0, false, &out), VTD_M_FR_ROOT_RSVD);
	/* zero-length and wrapping accesses */
	vtd_model_drop_caches(&t->m);
	*sl_leaf(top, 4, 0x1000) = 0x11000 | 3;
	assert_int_equal(vtd_model_dma(&t->m, 0x10, 0x1000, 0, false, &out), 0);
	assert_int_equal(out, 0x11000);
	w32(t, VTD_M_GCMD, 0);
	assert_int_equal(vtd_model_dma(&t->m, 0x10, ~UINT64_C(0) - 4, 64, false, &out), 0);
}

static void test_scalable_errors(void **state)
{
	struct mt *t = *state;
	t->cfg.cm = true;
	boot(t, VTD_M_TTM_SCALABLE);
	uint64_t out;
	uint64_t *pe = sm_pasid_entry(t, 0x0010);
	/* PASID directory entry not present: cached (caching mode) */
	uint64_t *ct = (uint64_t *)(uintptr_t)(t->root[0] & ~0xfffull);
	uint64_t *dir = (uint64_t *)(uintptr_t)(ct[0x10 * 4] & ~0xfffull);
	uint64_t de = dir[0];
	dir[0] = 0;
	assert_int_equal(dma(t, 0x10, 0, false, &out), VTD_M_FR_SM_PD_NP);
	dir[0] = de;
	pe[0] = (4u << 6) | 1;
	pe[1] = 1;
	assert_int_equal(dma(t, 0x10, 0, false, &out), VTD_M_FR_SM_PD_NP);
	assert_true(vtd_model_pasid_cached(&t->m, 0x10, 0));
	vtd_model_drop_caches(&t->m);
	assert_int_equal(dma(t, 0x10, 0x77000, false, &out), 0);
	assert_int_equal(out, 0x77000);
	/* reserved and unsupported fields */
	dir[0] = de | 4;
	vtd_model_drop_caches(&t->m);
	assert_int_equal(dma(t, 0x10, 0, false, &out), VTD_M_FR_SM_PD_RSVD);
	dir[0] = de;
	ct[0x10 * 4 + 2] = 1;
	vtd_model_drop_caches(&t->m);
	assert_int_equal(dma(t, 0x10, 0, false, &out), VTD_M_FR_SM_CTX_RSVD);
	ct[0x10 * 4 + 2] = 0;
	ct[0x10 * 4] |= 1u << 4; /* PRE */
	vtd_model_drop_caches(&t->m);
	assert_int_equal(dma(t, 0x10, 0, false, &out), VTD_M_FR_SM_CTX_INV);
	ct[0x10 * 4] &= ~(uint64_t)(1u << 4);
	pe[0] = (2u << 6) | (5u << 2) | 1; /* second stage with a bad AW */
	vtd_model_drop_caches(&t->m);
	assert_int_equal(dma(t, 0x10, 0, false, &out), VTD_M_FR_SM_PT_INV);
	/* first-stage large page at the top level is reserved */
	uint64_t *pml4 = page(t);
	pml4[0] = 0x80 | 7;
	pe[0] = (1u << 6) | 1;
	pe[2] = pa(pml4);
	vtd_model_drop_caches(&t->m);
	assert_int_equal(dma(t, 0x10, 0, false, &out), VTD_M_FR_SM_FS_RSVD);
	/* root table the unit cannot read */
	w64(t, VTD_M_RTADDR, 0x1000 | (uint64_t)VTD_M_TTM_SCALABLE << 10);
	w32(t, VTD_M_GCMD, VTD_M_GCMD_TE | VTD_M_GCMD_SRTP);
	vtd_model_drop_caches(&t->m);
	assert_int_equal(dma(t, 0x10, 0, false, &out), VTD_M_FR_SM_ROOT_ACCESS);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(int argc, char **argv)
{
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	const struct CMUnitTest tests[] = {
	    T(test_ids),
	    T(test_disabled_passes_through),
	    T(test_legacy_walk),
	    T(test_legacy_3_and_5_levels),
	    T(test_root_and_context_faults),
	    T(test_iotlb_stale_until_page_invalidation),
	    T(test_context_cache_stale),
	    T(test_queue_descriptors),
	    T(test_queue_128bit),
	    T(test_fault_overflow_and_compression),
	    T(test_fpd_suppresses),
	    T(test_caching_mode_negative_entries),
	    T(test_scalable_first_stage),
	    T(test_scalable_second_stage_and_pt),
	    T(test_stuck_knobs),
	    T(test_registers_misc),
	    T(test_qi_fail_next),
	    T(test_queue_misc),
	    T(test_walk_errors),
	    T(test_scalable_errors),
	};
	return cmocka_run_group_tests_name("vtd_model", tests, NULL, NULL);
}
