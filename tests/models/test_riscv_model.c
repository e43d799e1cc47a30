/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Self-test of the RISC-V IOMMU model: device directories, device contexts
 * and page tables written by hand here (from the specification's layouts),
 * registers programmed like a driver would, DMA and the fault queue checked
 * against what the hardware must do.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "riscv_model.h"

#define PG     4096u
#define NPAGES 1024

/* PTE bits (privileged architecture) */
#define V (1ull << 0)
#define R (1ull << 1)
#define W (1ull << 2)
#define X (1ull << 3)
#define U (1ull << 4)
#define G (1ull << 5)
#define A (1ull << 6)
#define D (1ull << 7)

struct mt {
	struct riscv_model m;
	struct riscv_model_cfg cfg;
	void *pages[NPAGES];
	unsigned npages;
	uint64_t *cq, *fq, *ddt;
	unsigned fq_log2;     /* the fqb LOG2SZ-1 field */
	uint64_t *gtables[8]; /* first-stage table pages built at guest-physical addresses */
	unsigned ngtables;
};

static int setup(void **state)
{
	struct mt *t = calloc(1, sizeof(*t));
	if (!t)
		return -1;
	riscv_model_cfg_default(&t->cfg);
	t->fq_log2 = 3;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct mt *t = *state;
	for (unsigned i = 0; i < t->npages; i++)
		free(t->pages[i]);
	free(t);
	return 0;
}

static void *alloc_aligned(struct mt *t, size_t size)
{
	assert_true(t->npages < NPAGES);
	void *p = aligned_alloc(size, size);
	assert_non_null(p);
	memset(p, 0, size);
	t->pages[t->npages++] = p;
	return p;
}

static uint64_t *page(struct mt *t)
{
	return alloc_aligned(t, PG);
}

static uint64_t pa(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static uint64_t ppn10(uint64_t a)
{
	return (a >> 12) << 10;
}

static uint64_t rd(struct mt *t, uint64_t off, unsigned size)
{
	return riscv_model_read(&t->m, off, size);
}

static void wr(struct mt *t, uint64_t off, uint64_t v, unsigned size)
{
	riscv_model_write(&t->m, off, v, size);
}

/* Model with a 16-entry command queue and a 2^(fq_log2+1)-entry fault queue, both on. */
static void start(struct mt *t)
{
	assert_int_equal(riscv_model_init(&t->m, &t->cfg), 0);
	t->cq = page(t);
	t->fq = page(t);
	wr(t, RISCV_M_CQB, ppn10(pa(t->cq)) | 3u, 8);
	wr(t, RISCV_M_CQCSR, RISCV_M_CQCSR_CQEN, 4);
	assert_true(rd(t, RISCV_M_CQCSR, 4) & RISCV_M_CQCSR_CQON);
	wr(t, RISCV_M_FQB, ppn10(pa(t->fq)) | t->fq_log2, 8);
	wr(t, RISCV_M_FQH, 0, 4);
	wr(t, RISCV_M_FQCSR, RISCV_M_FQCSR_FQEN | RISCV_M_FQCSR_FIE, 4);
	assert_true(rd(t, RISCV_M_FQCSR, 4) & RISCV_M_FQCSR_FQON);
}

static void cmd(struct mt *t, uint64_t w0, uint64_t w1)
{
	uint32_t tail = (uint32_t)rd(t, RISCV_M_CQT, 4);
	t->cq[2u * tail] = w0;
	t->cq[2u * tail + 1u] = w1;
	wr(t, RISCV_M_CQT, (tail + 1u) & 15u, 4);
}

static uint64_t op(unsigned opcode, unsigned func3)
{
	return (uint64_t)opcode | ((uint64_t)func3 << RISCV_M_FUNC3_SHIFT);
}

static void iodir(struct mt *t, bool dv, uint32_t did)
{
	cmd(t,
	    op(RISCV_M_CMD_IODIR, RISCV_M_IODIR_DDT) | (dv ? RISCV_M_CMD_DV : 0) |
		((uint64_t)did << RISCV_M_CMD_DID_SHIFT),
	    0);
}

static void vma(struct mt *t, bool pscv, uint32_t pscid, bool gv, uint32_t gscid, bool av,
		uint64_t addr)
{
	cmd(t,
	    op(RISCV_M_CMD_IOTINVAL, RISCV_M_IOTINVAL_VMA) | (av ? RISCV_M_CMD_AV : 0) |
		(pscv ? RISCV_M_CMD_PSCV : 0) | ((uint64_t)pscid << RISCV_M_CMD_PSCID_SHIFT) |
		(gv ? RISCV_M_CMD_GV : 0) | ((uint64_t)gscid << RISCV_M_CMD_GSCID_SHIFT),
	    av ? (addr >> 12) << 10 : 0);
}

static void gvma(struct mt *t, bool gv, uint32_t gscid, bool av, uint64_t addr)
{
	cmd(t,
	    op(RISCV_M_CMD_IOTINVAL, RISCV_M_IOTINVAL_GVMA) | (av ? RISCV_M_CMD_AV : 0) |
		(gv ? RISCV_M_CMD_GV : 0) | ((uint64_t)gscid << RISCV_M_CMD_GSCID_SHIFT),
	    av ? (addr >> 12) << 10 : 0);
}

static unsigned fq_count(struct mt *t)
{
	uint32_t h = (uint32_t)rd(t, RISCV_M_FQH, 4), tl = (uint32_t)rd(t, RISCV_M_FQT, 4);
	uint32_t n = 1u << (t->fq_log2 + 1u);
	return (tl - h) & (n - 1u);
}

/* Pop the oldest fault record. */
static struct riscv_model_fault pop(struct mt *t)
{
	struct riscv_model_fault f;
	uint32_t h = (uint32_t)rd(t, RISCV_M_FQH, 4);
	assert_true(fq_count(t) > 0);
	riscv_model_decode_fault(&t->fq[4u * h], &f);
	wr(t, RISCV_M_FQH, h + 1u, 4);
	return f;
}

static void expect_fault(struct mt *t, uint32_t did, uint64_t iova, unsigned acc, uint32_t cause,
			 uint32_t ttyp)
{
	uint64_t out = 0;
	assert_int_equal(riscv_model_dma(&t->m, did, iova, acc, &out), (int)cause);
	struct riscv_model_fault f = pop(t);
	assert_int_equal(f.cause, cause);
	assert_int_equal(f.ttyp, ttyp);
	assert_int_equal(f.did, did);
	assert_true(f.iotval == iova);
	assert_false(f.pv);
}

static uint64_t dma_ok(struct mt *t, uint32_t did, uint64_t iova, unsigned acc)
{
	uint64_t out = 0;
	int r = riscv_model_dma(&t->m, did, iova, acc, &out);
	if (r)
		fail_msg("dma %#x %#llx: cause %d (%s)", did, (unsigned long long)iova, r,
			 t->m.err);
	return out;
}

/* ---- directory and tables ----------------------------------------------- */

static unsigned dc_bytes(const struct mt *t)
{
	return (t->cfg.caps & RISCV_M_CAP_MSI_FLAT) ? 64u : 32u;
}

static void set_ddtp(struct mt *t, unsigned mode)
{
	t->ddt = page(t);
	wr(t, RISCV_M_DDTP, ppn10(pa(t->ddt)) | mode, 8);
}

/* The DC of @did in the directory (intermediate levels created). */
static uint64_t *dc_of(struct mt *t, uint32_t did)
{
	bool ext = dc_bytes(t) == 64u;
	unsigned mode = (unsigned)(rd(t, RISCV_M_DDTP, 8) & 0xfu);
	unsigned ddi[3] = {ext ? did & 0x3fu : did & 0x7fu,
			   ext ? (did >> 6) & 0x1ffu : (did >> 7) & 0x1ffu,
			   ext ? (did >> 15) & 0x1ffu : (did >> 16) & 0xffu};
	uint64_t *tab = t->ddt;
	for (unsigned i = mode - 2u; i >= 1u; i--) {
		uint64_t *e = &tab[ddi[i]];
		if (!(*e & 1u))
			*e = ppn10(pa(page(t))) | 1u;
		tab = (uint64_t *)(uintptr_t)(((*e >> 10) & ((1ull << 44) - 1u)) << 12);
	}
	return tab + ddi[0] * (dc_bytes(t) / 8u);
}

static uint64_t atp(unsigned mode, uint64_t root, uint32_t gscid)
{
	return ((uint64_t)mode << 60) | ((uint64_t)gscid << 44) | (root >> 12);
}

/* A device with first-stage @fsc_root (Sv39 when not 0) and G-stage @g_root (Sv39x4 when not 0). */
static uint64_t *device(struct mt *t, uint32_t did, unsigned smode, uint64_t s_root, uint32_t pscid,
			unsigned gmode, uint64_t g_root, uint32_t gscid)
{
	uint64_t *dc = dc_of(t, did);
	dc[1] = gmode ? atp(gmode, g_root, gscid) : 0;
	dc[2] = (uint64_t)pscid << 12;
	dc[3] = smode ? atp(smode, s_root, 0) : 0;
	dc[0] = RISCV_M_TC_V;
	return dc;
}

/* Map @va -> @out with a leaf at level @lvl of a @levels-level table (G-stage: 16 KiB root).
 * Table pages are host pages; next-table pointers are written as host address - @goff
 * (not 0: first-stage tables at guest-physical addresses, the pages kept in t->gtables). */
static void map_at(struct mt *t, uint64_t *root, unsigned levels, bool gstage, uint64_t va,
		   uint64_t out, unsigned lvl, uint64_t flags, uint64_t goff)
{
	uint64_t *tab = root;
	for (unsigned i = levels - 1u;; i--) {
		unsigned bits = (i == levels - 1u && gstage) ? 11u : 9u;
		uint64_t idx = (va >> (12u + 9u * i)) & ((1ull << bits) - 1u);
		if (i == lvl) {
			tab[idx] = ppn10(out) | flags | V;
			return;
		}
		if (!(tab[idx] & V)) {
			uint64_t *p = page(t);
			if (goff) {
				assert_true(t->ngtables < 8);
				t->gtables[t->ngtables++] = p;
			}
			tab[idx] = ppn10(pa(p) - goff) | V;
		}
		tab = (uint64_t *)(uintptr_t)(((((tab[idx] >> 10) & ((1ull << 44) - 1u)) << 12)) +
					      goff);
	}
}

static void map(struct mt *t, uint64_t *root, unsigned levels, bool gstage, uint64_t va,
		uint64_t out, unsigned lvl, uint64_t flags)
{
	map_at(t, root, levels, gstage, va, out, lvl, flags, 0);
}

/* ---- tests ------------------------------------------------------------------ */

static void test_reset_off_faults(void **state)
{
	struct mt *t = *state;
	start(t);
	uint64_t caps = rd(t, RISCV_M_CAPS, 8);
	assert_int_equal(caps & 0xffu, 0x10u);
	assert_true(caps & RISCV_M_CAP_SV39X4);
	assert_int_equal(rd(t, RISCV_M_CAPS + 4u, 4), 56u); /* PAS in the upper half */
	assert_int_equal(rd(t, RISCV_M_DDTP, 8) & 0xfu, RISCV_M_DDTP_OFF);
	expect_fault(t, 0x42, 0x1000, RISCV_MODEL_ACC_R, RISCV_M_CAUSE_ALL_DISALLOWED,
		     RISCV_M_TTYP_UNTRANSLATED_READ);
	expect_fault(t, 7, 0x2000, RISCV_MODEL_ACC_W, RISCV_M_CAUSE_ALL_DISALLOWED,
		     RISCV_M_TTYP_UNTRANSLATED_WRITE);
	assert_true(rd(t, RISCV_M_IPSR, 4) & RISCV_M_IPSR_FIP);
	wr(t, RISCV_M_IPSR, RISCV_M_IPSR_FIP, 4);
	assert_false(rd(t, RISCV_M_IPSR, 4) & RISCV_M_IPSR_FIP);
	assert_int_equal(t->m.stats.faults_recorded, 2);
	/* fault queue off: not recorded, counted */
	wr(t, RISCV_M_FQCSR, 0, 4);
	assert_false(rd(t, RISCV_M_FQCSR, 4) & RISCV_M_FQCSR_FQON);
	assert_int_equal(riscv_model_dma(&t->m, 1, 0, RISCV_MODEL_ACC_R, NULL), 256);
	assert_int_equal(t->m.stats.faults_dropped, 1);
}

static void test_bare_passthrough(void **state)
{
	struct mt *t = *state;
	start(t);
	wr(t, RISCV_M_DDTP, RISCV_M_DDTP_BARE, 8);
	assert_true(dma_ok(t, 5, 0x123456789ull, RISCV_MODEL_ACC_W) == 0x123456789ull);
	assert_int_equal(fq_count(t), 0);
	/* unsupported mode values are not taken (WARL) */
	wr(t, RISCV_M_DDTP, 7, 8);
	assert_int_equal(rd(t, RISCV_M_DDTP, 8) & 0xfu, RISCV_M_DDTP_BARE);
}

static void test_1lvl_sv39_permissions(void **state)
{
	struct mt *t = *state;
	start(t);
	set_ddtp(t, RISCV_M_DDTP_1LVL);
	uint64_t *root = page(t);
	device(t, 0x15, RISCV_M_ATP_SV39, pa(root), 9, 0, 0, 0);
	map(t, root, 3, false, 0x40000000, 0x8765000, 0, R | U | A);
	map(t, root, 3, false, 0x40001000, 0x8766000, 0, R | W | U | A | D);
	map(t, root, 3, false, 0x40002000, 0x8767000, 0, R | W | U | A); /* D clear */
	map(t, root, 3, false, 0x40003000, 0x8768000, 0, R | A);	 /* supervisor page */
	assert_true(dma_ok(t, 0x15, 0x40000123, RISCV_MODEL_ACC_R) == 0x8765123);
	assert_true(dma_ok(t, 0x15, 0x40001ff8, RISCV_MODEL_ACC_W) == 0x8766ff8);
	expect_fault(t, 0x15, 0x40000010, RISCV_MODEL_ACC_W, RISCV_M_CAUSE_WRITE_PAGE,
		     RISCV_M_TTYP_UNTRANSLATED_WRITE);
	expect_fault(t, 0x15, 0x40000010, RISCV_MODEL_ACC_X, RISCV_M_CAUSE_INST_PAGE,
		     RISCV_M_TTYP_UNTRANSLATED_EXEC);
	expect_fault(t, 0x15, 0x40002000, RISCV_MODEL_ACC_W, RISCV_M_CAUSE_WRITE_PAGE,
		     RISCV_M_TTYP_UNTRANSLATED_WRITE);
	expect_fault(t, 0x15, 0x50000000, RISCV_MODEL_ACC_R, RISCV_M_CAUSE_READ_PAGE,
		     RISCV_M_TTYP_UNTRANSLATED_READ);
	expect_fault(t, 0x15, 0x40003000, RISCV_MODEL_ACC_R, RISCV_M_CAUSE_READ_PAGE,
		     RISCV_M_TTYP_UNTRANSLATED_READ);
	assert_true(dma_ok(t, 0x15, 0x40003000, RISCV_MODEL_ACC_R | RISCV_MODEL_ACC_PRIV) ==
		    0x8768000);
	assert_int_equal(t->m.stats.ddt_walks, 1); /* the DC was cached */
}

static void test_2lvl_sv48_superpage(void **state)
{
	struct mt *t = *state;
	start(t);
	set_ddtp(t, RISCV_M_DDTP_2LVL);
	uint64_t *root = page(t);
	device(t, 0x1234, RISCV_M_ATP_SV48, pa(root), 3, 0, 0, 0);
	map(t, root, 4, false, 0x7f8000200000ull, 0x40000000, 1, R | W | U | A | D);
	assert_true(dma_ok(t, 0x1234, 0x7f80002abcdeull, RISCV_MODEL_ACC_W) == 0x400abcde);
	/* another DID of the same second-level table has no DC */
	expect_fault(t, 0x1235, 0x1000, RISCV_MODEL_ACC_R, RISCV_M_CAUSE_DDT_INVALID,
		     RISCV_M_TTYP_UNTRANSLATED_READ);
	/* a DID whose first-level entry is not valid */
	expect_fault(t, 0x4000, 0x1000, RISCV_MODEL_ACC_R, RISCV_M_CAUSE_DDT_INVALID,
		     RISCV_M_TTYP_UNTRANSLATED_READ);
}

static void test_3lvl_and_did_width(void **state)
{
	struct mt *t = *state;
	start(t);
	set_ddtp(t, RISCV_M_DDTP_3LVL);
	uint64_t *root = page(t);
	device(t, 0xab1234, RISCV_M_ATP_SV39, pa(root), 1, 0, 0, 0);
	map(t, root, 3, false, 0x1000, 0x9000, 0, R | U | A);
	assert_true(dma_ok(t, 0xab1234, 0x1004, RISCV_MODEL_ACC_R) == 0x9004);
	/* 1LVL covers 7 bits of DID, 2LVL 16 */
	wr(t, RISCV_M_DDTP, ppn10(pa(page(t))) | RISCV_M_DDTP_1LVL, 8);
	expect_fault(t, 0x80, 0, RISCV_MODEL_ACC_R, RISCV_M_CAUSE_TTYP_DISALLOWED,
		     RISCV_M_TTYP_UNTRANSLATED_READ);
	wr(t, RISCV_M_DDTP, ppn10(pa(page(t))) | RISCV_M_DDTP_2LVL, 8);
	expect_fault(t, 0x10000, 0, RISCV_MODEL_ACC_W, RISCV_M_CAUSE_TTYP_DISALLOWED,
		     RISCV_M_TTYP_UNTRANSLATED_WRITE);
}

static void test_ddt_load_fault(void **state)
{
	struct mt *t = *state;
	start(t);
	set_ddtp(t, RISCV_M_DDTP_2LVL);
	t->ddt[0] = ppn10(0x1000) | 1u; /* nothing there */
	expect_fault(t, 5, 0, RISCV_MODEL_ACC_R, RISCV_M_CAUSE_DDT_LOAD,
		     RISCV_M_TTYP_UNTRANSLATED_READ);
	t->ddt[1] = ppn10(pa(page(t))) | 1u | (1ull << 3); /* reserved bit */
	expect_fault(t, 0x80, 0, RISCV_MODEL_ACC_R, RISCV_M_CAUSE_DDT_MISCONF,
		     RISCV_M_TTYP_UNTRANSLATED_READ);
}

static void test_dc_misconfigured(void **state)
{
	struct mt *t = *state;
	t->cfg.caps &= ~RISCV_M_CAP_SV57;
	start(t);
	set_ddtp(t, RISCV_M_DDTP_1LVL);
	uint64_t *root = page(t);
	uint64_t *groot = alloc_aligned(t, 16384);
	uint64_t *dc = device(t, 1, RISCV_M_ATP_SV39, pa(root), 1, 0, 0, 0);
	const uint64_t tc_bad[] = {RISCV_M_TC_V | (1ull << 12), RISCV_M_TC_V | RISCV_M_TC_EN_ATS,
				   RISCV_M_TC_V | RISCV_M_TC_PDTV, RISCV_M_TC_V | RISCV_M_TC_SADE};
	for (unsigned i = 0; i < 4; i++) {
		dc[0] = tc_bad[i];
		expect_fault(t, 1, 0, RISCV_MODEL_ACC_R, RISCV_M_CAUSE_DDT_MISCONF,
			     RISCV_M_TTYP_UNTRANSLATED_READ);
	}
	dc[0] = RISCV_M_TC_V;
	dc[3] = atp(RISCV_M_ATP_SV57, pa(root), 0); /* not in the capabilities */
	expect_fault(t, 1, 0, RISCV_MODEL_ACC_R, RISCV_M_CAUSE_DDT_MISCONF,
		     RISCV_M_TTYP_UNTRANSLATED_READ);
	dc[3] = atp(11, pa(root), 0); /* reserved mode */
	expect_fault(t, 1, 0, RISCV_MODEL_ACC_R, RISCV_M_CAUSE_DDT_MISCONF,
		     RISCV_M_TTYP_UNTRANSLATED_READ);
	dc[3] = 0;
	dc[1] = atp(RISCV_M_ATP_SV39, pa(groot) + 0x1000u, 1); /* root not 16 KiB aligned */
	expect_fault(t, 1, 0, RISCV_MODEL_ACC_R, RISCV_M_CAUSE_DDT_MISCONF,
		     RISCV_M_TTYP_UNTRANSLATED_READ);
	dc[1] = 0;
	dc[2] = 1u; /* ta reserved bits */
	expect_fault(t, 1, 0, RISCV_MODEL_ACC_R, RISCV_M_CAUSE_DDT_MISCONF,
		     RISCV_M_TTYP_UNTRANSLATED_READ);
	assert_int_equal(riscv_model_dc_count(&t->m), 0); /* misconfigured DCs are not cached */
	dc[2] = 0;
	assert_true(dma_ok(t, 1, 0x5000, RISCV_MODEL_ACC_R) == 0x5000); /* both stages bare */
}

static void test_gstage_sv39x4(void **state)
{
	struct mt *t = *state;
	start(t);
	set_ddtp(t, RISCV_M_DDTP_1LVL);
	uint64_t *groot = alloc_aligned(t, 16384);
	device(t, 3, 0, 0, 0, RISCV_M_ATP_SV39, pa(groot), 77);
	/* x4: a guest-physical address above 2^39 is in range */
	map(t, groot, 3, true, 0x10000000000ull, 0x70000000, 0, R | U | A);
	map(t, groot, 3, true, 0x20000, 0x71000000, 0, R | W | A | D); /* U clear */
	assert_true(dma_ok(t, 3, 0x10000000abcull, RISCV_MODEL_ACC_R) == 0x70000abc);
	expect_fault(t, 3, 0x10000000abcull, RISCV_MODEL_ACC_W, RISCV_M_CAUSE_WRITE_GUEST,
		     RISCV_M_TTYP_UNTRANSLATED_WRITE);
	assert_true(t->m.last_fault.iotval2 == 0x10000000abcull);
	expect_fault(t, 3, 0x20006, RISCV_MODEL_ACC_R, RISCV_M_CAUSE_READ_GUEST,
		     RISCV_M_TTYP_UNTRANSLATED_READ);
	assert_true(t->m.last_fault.iotval2 == 0x20004); /* bits 63:2, not implicit */
	expect_fault(t, 3, 0x80000000000ull, RISCV_MODEL_ACC_R, RISCV_M_CAUSE_READ_GUEST,
		     RISCV_M_TTYP_UNTRANSLATED_READ); /* beyond Sv39x4 */
}

static void test_nested(void **state)
{
	struct mt *t = *state;
	start(t);
	set_ddtp(t, RISCV_M_DDTP_1LVL);
	uint64_t *groot = alloc_aligned(t, 16384);
	/* the guest's Sv39 tables: three host pages the G-stage maps at GPA 0x100000.. */
	uint64_t *s1[3] = {page(t), page(t), page(t)};
	const uint64_t gtab = 0x100000;
	for (unsigned i = 0; i < 3; i++)
		map(t, groot, 3, true, gtab + i * PG, pa(s1[i]), 0, R | U | A);
	s1[0][0] = ppn10(gtab + PG) | V;		     /* VPN2 0 -> GPA of s1[1] */
	s1[1][0] = ppn10(gtab + 2 * PG) | V;		     /* VPN1 0 -> GPA of s1[2] */
	s1[2][5] = ppn10(0x3000000) | V | R | W | U | A | D; /* IOVA 0x5000 -> GPA 0x3000000 */
	s1[2][6] = ppn10(0x3001000) | V | R | W | U | A | D; /* GPA not mapped by the G-stage */
	s1[1][1] = ppn10(0x200000) | V;			     /* a table GPA the G-stage lacks */
	map(t, groot, 3, true, 0x3000000, 0x6543000, 0, R | W | U | A | D);
	device(t, 9, RISCV_M_ATP_SV39, gtab, 4, RISCV_M_ATP_SV39, pa(groot), 2);
	assert_true(dma_ok(t, 9, 0x5010, RISCV_MODEL_ACC_W) == 0x6543010);
	expect_fault(t, 9, 0x6000, RISCV_MODEL_ACC_R, RISCV_M_CAUSE_READ_GUEST,
		     RISCV_M_TTYP_UNTRANSLATED_READ);
	assert_true(t->m.last_fault.iotval2 == 0x3001000); /* the leaf's output, not implicit */
	expect_fault(t, 9, 0x200000, RISCV_MODEL_ACC_W, RISCV_M_CAUSE_WRITE_GUEST,
		     RISCV_M_TTYP_UNTRANSLATED_WRITE);
	assert_true(t->m.last_fault.iotval2 == (0x200000 | 1u)); /* implicit access */
	/* nested entries are dropped by a G-stage invalidation of their GSCID */
	s1[2][5] = ppn10(0x3000000) | V | R | U | A;
	assert_true(dma_ok(t, 9, 0x5010, RISCV_MODEL_ACC_W) == 0x6543010);
	gvma(t, true, 3, false, 0);
	assert_true(dma_ok(t, 9, 0x5010, RISCV_MODEL_ACC_W) == 0x6543010);
	gvma(t, true, 2, true, 0x3000000);
	expect_fault(t, 9, 0x5010, RISCV_MODEL_ACC_W, RISCV_M_CAUSE_WRITE_PAGE,
		     RISCV_M_TTYP_UNTRANSLATED_WRITE);
}

static void test_dc_cache_stale_until_iodir(void **state)
{
	struct mt *t = *state;
	start(t);
	set_ddtp(t, RISCV_M_DDTP_1LVL);
	uint64_t *r1 = page(t), *r2 = page(t);
	map(t, r1, 3, false, 0x1000, 0x11000, 0, R | U | A);
	map(t, r2, 3, false, 0x1000, 0x22000, 0, R | U | A);
	uint64_t *dc = device(t, 4, RISCV_M_ATP_SV39, pa(r1), 1, 0, 0, 0);
	device(t, 5, RISCV_M_ATP_SV39, pa(r1), 2, 0, 0, 0);
	assert_true(dma_ok(t, 4, 0x1000, RISCV_MODEL_ACC_R) == 0x11000);
	assert_true(dma_ok(t, 5, 0x1000, RISCV_MODEL_ACC_R) == 0x11000);
	assert_int_equal(riscv_model_dc_count(&t->m), 2);
	dc[3] = atp(RISCV_M_ATP_SV39, pa(r2), 0);
	dc[2] = 3u << 12; /* a new PSCID: no IOTLB entry to hide the change */
	assert_true(dma_ok(t, 4, 0x1000, RISCV_MODEL_ACC_R) == 0x11000); /* stale DC */
	iodir(t, true, 5);						 /* another DID */
	assert_true(dma_ok(t, 4, 0x1000, RISCV_MODEL_ACC_R) == 0x11000);
	assert_int_equal(riscv_model_dc_count(&t->m), 1);
	iodir(t, true, 4);
	assert_true(dma_ok(t, 4, 0x1000, RISCV_MODEL_ACC_R) == 0x22000);
	dc[0] = 0;
	assert_true(dma_ok(t, 4, 0x1000, RISCV_MODEL_ACC_R) == 0x22000);
	iodir(t, false, 0); /* all */
	assert_int_equal(riscv_model_dc_count(&t->m), 0);
	expect_fault(t, 4, 0x1000, RISCV_MODEL_ACC_R, RISCV_M_CAUSE_DDT_INVALID,
		     RISCV_M_TTYP_UNTRANSLATED_READ);
	assert_int_equal(t->m.stats.cmds[RISCV_CMD_IODIR_DDT], 3);
}

static void test_iotlb_stale_until_iotinval_vma(void **state)
{
	struct mt *t = *state;
	start(t);
	set_ddtp(t, RISCV_M_DDTP_1LVL);
	uint64_t *root = page(t);
	device(t, 2, RISCV_M_ATP_SV39, pa(root), 0x55, 0, 0, 0);
	map(t, root, 3, false, 0x7000, 0xa000, 0, R | W | U | A | D);
	assert_true(dma_ok(t, 2, 0x7008, RISCV_MODEL_ACC_W) == 0xa008);
	assert_int_equal(t->m.stats.tlb_misses, 1);
	map(t, root, 3, false, 0x7000, 0xb000, 0, R | U | A); /* read-only elsewhere */
	assert_true(dma_ok(t, 2, 0x7008, RISCV_MODEL_ACC_W) == 0xa008);
	assert_int_equal(t->m.stats.tlb_hits, 1);
	vma(t, true, 0x56, false, 0, false, 0);	    /* another PSCID */
	vma(t, true, 0x55, false, 0, true, 0x8000); /* another address */
	vma(t, false, 0, true, 0x55, false, 0);	    /* GV: only G-stage address spaces */
	gvma(t, false, 0, false, 0);		    /* G-stage: not first-stage entries */
	assert_true(dma_ok(t, 2, 0x7008, RISCV_MODEL_ACC_W) == 0xa008);
	assert_int_equal(t->m.stats.cmds[RISCV_CMD_IOTINVAL_VMA], 3);
	assert_int_equal(t->m.stats.cmds[RISCV_CMD_IOTINVAL_GVMA], 1);
	vma(t, true, 0x55, false, 0, true, 0x7ffc);
	assert_true(dma_ok(t, 2, 0x7008, RISCV_MODEL_ACC_R) == 0xb008);
	expect_fault(t, 2, 0x7008, RISCV_MODEL_ACC_W, RISCV_M_CAUSE_WRITE_PAGE,
		     RISCV_M_TTYP_UNTRANSLATED_WRITE);
	/* global leaves survive a PSCID invalidation, not a global one */
	map(t, root, 3, false, 0x9000, 0xc000, 0, R | U | A | G);
	assert_true(dma_ok(t, 2, 0x9000, RISCV_MODEL_ACC_R) == 0xc000);
	map(t, root, 3, false, 0x9000, 0xd000, 0, R | U | A | G);
	vma(t, true, 0x55, false, 0, false, 0);
	assert_true(dma_ok(t, 2, 0x9000, RISCV_MODEL_ACC_R) == 0xc000);
	vma(t, false, 0, false, 0, false, 0);
	assert_true(dma_ok(t, 2, 0x9000, RISCV_MODEL_ACC_R) == 0xd000);
}

static void test_iotlb_gvma(void **state)
{
	struct mt *t = *state;
	start(t);
	set_ddtp(t, RISCV_M_DDTP_1LVL);
	uint64_t *groot = alloc_aligned(t, 16384);
	device(t, 6, 0, 0, 0, RISCV_M_ATP_SV48, pa(groot), 12);
	map(t, groot, 4, true, 0x400000, 0xe00000, 1, R | W | U | A | D); /* 2 MiB */
	assert_true(dma_ok(t, 6, 0x4abcd0, RISCV_MODEL_ACC_W) == 0xeabcd0);
	map(t, groot, 4, true, 0x400000, 0x1200000, 1, R | W | U | A | D);
	vma(t, false, 0, true, 12, false, 0); /* first stage only */
	gvma(t, true, 13, false, 0);	      /* another GSCID */
	gvma(t, true, 12, true, 0x600000);    /* another GPA */
	assert_true(dma_ok(t, 6, 0x4abcd0, RISCV_MODEL_ACC_W) == 0xeabcd0);
	gvma(t, true, 12, true, 0x5ff000); /* inside the 2 MiB leaf */
	assert_true(dma_ok(t, 6, 0x4abcd0, RISCV_MODEL_ACC_W) == 0x12abcd0);
	map(t, groot, 4, true, 0x400000, 0xe00000, 1, R | W | U | A | D);
	gvma(t, false, 0, false, 0);
	assert_true(dma_ok(t, 6, 0x4abcd0, RISCV_MODEL_ACC_W) == 0xeabcd0);
	assert_int_equal(riscv_model_tlb_count(&t->m), 1);
}

static void test_iofence_writes_data(void **state)
{
	struct mt *t = *state;
	start(t);
	uint32_t *sync = (uint32_t *)page(t);
	sync[3] = 0;
	cmd(t,
	    op(RISCV_M_CMD_IOFENCE, RISCV_M_IOFENCE_C) | RISCV_M_CMD_AV | RISCV_M_CMD_PW |
		(0xfeedbeefull << RISCV_M_CMD_DATA_SHIFT),
	    pa(&sync[3]) >> 2);
	assert_int_equal(sync[3], 0xfeedbeef);
	assert_int_equal(sync[4], 0);
	assert_int_equal(t->m.stats.cmds[RISCV_CMD_IOFENCE_C], 1);
	assert_int_equal(t->m.stats.fence_writes, 1);
	assert_int_equal(rd(t, RISCV_M_CQH, 4), rd(t, RISCV_M_CQT, 4));
	/* WSI while fctl.WSI = 0 is illegal; with it: fence_w_ip */
	cmd(t, op(RISCV_M_CMD_IOFENCE, RISCV_M_IOFENCE_C) | RISCV_M_CMD_WSI, 0);
	assert_true(rd(t, RISCV_M_CQCSR, 4) & RISCV_M_CQCSR_CMD_ILL);
}

static void test_illegal_command_stops_queue(void **state)
{
	struct mt *t = *state;
	start(t);
	wr(t, RISCV_M_CQCSR, RISCV_M_CQCSR_CQEN | RISCV_M_CQCSR_CIE, 4);
	uint32_t *sync = (uint32_t *)page(t);
	const uint64_t fence = op(RISCV_M_CMD_IOFENCE, RISCV_M_IOFENCE_C) | RISCV_M_CMD_AV |
			       (1ull << RISCV_M_CMD_DATA_SHIFT);
	cmd(t, fence, pa(&sync[0]) >> 2);
	cmd(t, op(RISCV_M_CMD_ATS, 0), 0);
	cmd(t, fence, pa(&sync[1]) >> 2);
	uint32_t cq = (uint32_t)rd(t, RISCV_M_CQCSR, 4);
	assert_true(cq & RISCV_M_CQCSR_CMD_ILL);
	assert_true(rd(t, RISCV_M_IPSR, 4) & RISCV_M_IPSR_CIP);
	assert_int_equal(rd(t, RISCV_M_CQH, 4), 1); /* at the illegal command */
	assert_int_equal(sync[0], 1);
	assert_int_equal(sync[1], 0);
	/* clearing cmd_ill without fixing the command stops again at it */
	wr(t, RISCV_M_CQCSR, RISCV_M_CQCSR_CQEN | RISCV_M_CQCSR_CMD_ILL, 4);
	assert_true(rd(t, RISCV_M_CQCSR, 4) & RISCV_M_CQCSR_CMD_ILL);
	assert_int_equal(rd(t, RISCV_M_CQH, 4), 1);
	assert_int_equal(t->m.stats.cmd_ill, 2);
	/* replaced by a valid command: processing resumes there */
	t->cq[2] = op(RISCV_M_CMD_IOFENCE, RISCV_M_IOFENCE_C);
	wr(t, RISCV_M_CQCSR, RISCV_M_CQCSR_CQEN | RISCV_M_CQCSR_CMD_ILL, 4);
	assert_false(rd(t, RISCV_M_CQCSR, 4) & RISCV_M_CQCSR_CMD_ILL);
	assert_int_equal(rd(t, RISCV_M_CQH, 4), 3);
	assert_int_equal(sync[1], 1);
	/* others: GVMA with PSCV, reserved bits, unknown func3 / opcode, PDT without DV */
	const uint64_t bad[][2] = {
	    {op(RISCV_M_CMD_IOTINVAL, RISCV_M_IOTINVAL_GVMA) | RISCV_M_CMD_PSCV, 0},
	    {op(RISCV_M_CMD_IOTINVAL, RISCV_M_IOTINVAL_VMA) | (1ull << 11), 0},
	    {op(RISCV_M_CMD_IOTINVAL, RISCV_M_IOTINVAL_VMA), 1},
	    {op(RISCV_M_CMD_IOTINVAL, 2), 0},
	    {op(RISCV_M_CMD_IODIR, RISCV_M_IODIR_PDT), 0},
	    {op(0x7f, 0), 0},
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t h = (uint32_t)rd(t, RISCV_M_CQH, 4);
		cmd(t, bad[i][0], bad[i][1]);
		assert_true(rd(t, RISCV_M_CQCSR, 4) & RISCV_M_CQCSR_CMD_ILL);
		assert_int_equal(rd(t, RISCV_M_CQH, 4), h);
		t->cq[2u * h] = op(RISCV_M_CMD_IOFENCE, RISCV_M_IOFENCE_C);
		t->cq[2u * h + 1u] = 0;
		wr(t, RISCV_M_CQCSR, RISCV_M_CQCSR_CQEN | RISCV_M_CQCSR_CMD_ILL, 4);
		assert_int_equal(rd(t, RISCV_M_CQH, 4), (h + 1u) & 15u);
	}
}

static void test_queue_wrap(void **state)
{
	struct mt *t = *state;
	start(t);
	uint32_t *sync = (uint32_t *)page(t);
	for (uint32_t i = 0; i < 40; i++) {
		cmd(t,
		    op(RISCV_M_CMD_IOFENCE, RISCV_M_IOFENCE_C) | RISCV_M_CMD_AV |
			((uint64_t)(i + 1u) << RISCV_M_CMD_DATA_SHIFT),
		    pa(&sync[i]) >> 2);
		assert_int_equal(sync[i], i + 1u);
	}
	assert_int_equal(rd(t, RISCV_M_CQH, 4), 40u % 16u);
	assert_int_equal(t->m.stats.cmds[RISCV_CMD_IOFENCE_C], 40);
	/* a batch written at once, wrapping: processed on the one cqt write */
	uint32_t tail = (uint32_t)rd(t, RISCV_M_CQT, 4);
	for (uint32_t i = 0; i < 15; i++) {
		uint32_t s = (tail + i) & 15u;
		t->cq[2u * s] = op(RISCV_M_CMD_IOFENCE, RISCV_M_IOFENCE_C);
		t->cq[2u * s + 1u] = 0;
	}
	wr(t, RISCV_M_CQT, (tail + 15u) & 15u, 4);
	assert_int_equal(rd(t, RISCV_M_CQH, 4), (tail + 15u) & 15u);
	assert_int_equal(t->m.stats.cmds[RISCV_CMD_IOFENCE_C], 55);
}

static void test_fq_overflow(void **state)
{
	struct mt *t = *state;
	t->fq_log2 = 1; /* 4 records: room for 3 */
	start(t);
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(riscv_model_dma(&t->m, i, 0x1000u * i, RISCV_MODEL_ACC_R, NULL),
				 256);
	assert_int_equal(fq_count(t), 3);
	assert_true(rd(t, RISCV_M_FQCSR, 4) & RISCV_M_FQCSR_FQOF);
	assert_int_equal(t->m.stats.faults_overflow, 1);
	assert_int_equal(t->m.stats.faults_dropped, 1); /* fqof set: no more records */
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(pop(t).did, i);
	/* still fqof: nothing recorded until it is cleared */
	riscv_model_dma(&t->m, 9, 0, RISCV_MODEL_ACC_R, NULL);
	assert_int_equal(fq_count(t), 0);
	wr(t, RISCV_M_FQCSR, RISCV_M_FQCSR_FQEN | RISCV_M_FQCSR_FQOF, 4);
	assert_false(rd(t, RISCV_M_FQCSR, 4) & RISCV_M_FQCSR_FQOF);
	riscv_model_dma(&t->m, 10, 0, RISCV_MODEL_ACC_R, NULL);
	assert_int_equal(fq_count(t), 1);
	assert_int_equal(pop(t).did, 10);
}

static void test_fctl_ignored_while_on(void **state)
{
	struct mt *t = *state;
	start(t);
	wr(t, RISCV_M_FCTL, RISCV_M_FCTL_WSI, 4);
	assert_int_equal(rd(t, RISCV_M_FCTL, 4), 0);
	assert_int_equal(t->m.stats.fctl_ignored, 1);
	wr(t, RISCV_M_CQCSR, 0, 4);
	wr(t, RISCV_M_FQCSR, 0, 4);
	set_ddtp(t, RISCV_M_DDTP_1LVL);
	wr(t, RISCV_M_FCTL, RISCV_M_FCTL_WSI, 4);
	assert_int_equal(rd(t, RISCV_M_FCTL, 4), 0);
	wr(t, RISCV_M_DDTP, RISCV_M_DDTP_BARE, 8);
	wr(t, RISCV_M_FCTL, RISCV_M_FCTL_WSI | RISCV_M_FCTL_BE | RISCV_M_FCTL_GXL, 4);
	assert_int_equal(rd(t, RISCV_M_FCTL, 4), RISCV_M_FCTL_WSI); /* no END, no Sv32x4 */
	assert_int_equal(t->m.stats.fctl_ignored, 2);
}

static void test_dtf_suppresses(void **state)
{
	struct mt *t = *state;
	start(t);
	set_ddtp(t, RISCV_M_DDTP_1LVL);
	uint64_t *root = page(t);
	uint64_t *dc = device(t, 8, RISCV_M_ATP_SV39, pa(root), 1, 0, 0, 0);
	dc[0] |= RISCV_M_TC_DTF;
	assert_int_equal(riscv_model_dma(&t->m, 8, 0x1000, RISCV_MODEL_ACC_R, NULL), 13);
	assert_int_equal(fq_count(t), 0);
	assert_int_equal(t->m.stats.faults_suppressed, 1);
	assert_int_equal(t->m.last_fault.cause, 13);
	/* a DID without a valid DC is reported */
	expect_fault(t, 9, 0x1000, RISCV_MODEL_ACC_R, RISCV_M_CAUSE_DDT_INVALID,
		     RISCV_M_TTYP_UNTRANSLATED_READ);
}

static void test_cq_misaligned_base(void **state)
{
	struct mt *t = *state;
	start(t);
	wr(t, RISCV_M_CQCSR, 0, 4);
	uint8_t *two = alloc_aligned(t, 16384);
	/* 512 entries (8 KiB) at a base aligned to 4 KiB only */
	wr(t, RISCV_M_CQB, ppn10(pa(two + PG)) | 8u, 8);
	wr(t, RISCV_M_CQCSR, RISCV_M_CQCSR_CQEN, 4);
	assert_true(rd(t, RISCV_M_CQCSR, 4) & RISCV_M_CQCSR_CQMF);
	/* cqb cannot change while the queue is on */
	wr(t, RISCV_M_CQB, ppn10(pa(two)) | 8u, 8);
	assert_true(rd(t, RISCV_M_CQB, 8) == (ppn10(pa(two + PG)) | 8u));
	wr(t, RISCV_M_CQCSR, 0, 4);
	wr(t, RISCV_M_CQB, ppn10(pa(two)) | 8u, 8);
	wr(t, RISCV_M_CQCSR, RISCV_M_CQCSR_CQEN, 4);
	assert_false(rd(t, RISCV_M_CQCSR, 4) & RISCV_M_CQCSR_CQMF);
}

static void test_extended_dc_format(void **state)
{
	struct mt *t = *state;
	t->cfg.caps |= RISCV_M_CAP_MSI_FLAT;
	start(t);
	set_ddtp(t, RISCV_M_DDTP_1LVL);
	uint64_t *root = page(t);
	uint64_t *dc = device(t, 0x3f, RISCV_M_ATP_SV39, pa(root), 1, 0, 0, 0);
	assert_true(dc == t->ddt + 0x3f * 8); /* 64-byte contexts */
	map(t, root, 3, false, 0x2000, 0x33000, 0, R | U | A);
	assert_true(dma_ok(t, 0x3f, 0x2000, RISCV_MODEL_ACC_R) == 0x33000);
	/* 6 bits of DID in 1LVL */
	expect_fault(t, 0x40, 0, RISCV_MODEL_ACC_R, RISCV_M_CAUSE_TTYP_DISALLOWED,
		     RISCV_M_TTYP_UNTRANSLATED_READ);
	uint64_t *dc2 = device(t, 0x3e, 0, 0, 0, 0, 0, 0);
	dc2[7] = 1; /* reserved word */
	expect_fault(t, 0x3e, 0, RISCV_MODEL_ACC_R, RISCV_M_CAUSE_DDT_MISCONF,
		     RISCV_M_TTYP_UNTRANSLATED_READ);
}

static void test_busy_knob_and_halves(void **state)
{
	struct mt *t = *state;
	t->cfg.busy_reads = 2;
	assert_int_equal(riscv_model_init(&t->m, &t->cfg), 0);
	uint64_t *q = page(t);
	/* a 64-bit register as two 32-bit halves */
	uint64_t cqb = ppn10(pa(q)) | 3u;
	wr(t, RISCV_M_CQB, cqb & 0xffffffffu, 4);
	wr(t, RISCV_M_CQB + 4u, cqb >> 32, 4);
	assert_true(rd(t, RISCV_M_CQB, 8) == cqb);
	wr(t, RISCV_M_CQCSR, RISCV_M_CQCSR_CQEN, 4);
	assert_true(rd(t, RISCV_M_CQCSR, 4) & RISCV_M_CQCSR_BUSY);
	assert_true(rd(t, RISCV_M_CQCSR, 4) & RISCV_M_CQCSR_BUSY);
	uint32_t c = (uint32_t)rd(t, RISCV_M_CQCSR, 4);
	assert_false(c & RISCV_M_CQCSR_BUSY);
	assert_true(c & RISCV_M_CQCSR_CQON);
	wr(t, RISCV_M_DDTP, RISCV_M_DDTP_BARE, 8);
	assert_true(rd(t, RISCV_M_DDTP, 8) & RISCV_M_DDTP_BUSY);
	assert_true(rd(t, RISCV_M_DDTP, 8) & RISCV_M_DDTP_BUSY);
	assert_int_equal(rd(t, RISCV_M_DDTP, 8), RISCV_M_DDTP_BARE);
	/* unknown offsets and widths */
	assert_int_equal(rd(t, 0x800, 4), 0);
	assert_int_equal(rd(t, 0x2, 4), 0);
	assert_int_equal(t->m.stats.bad_accesses, 2);
	/* capabilities the model does not have are refused */
	struct riscv_model_cfg c2 = t->cfg;
	c2.caps |= RISCV_M_CAP_PD8;
	assert_int_equal(riscv_model_init(&t->m, &c2), -1);
}

static void test_noncoherent_walker(void **state)
{
	struct mt *t = *state;
	t->cfg.dram = true;
	start(t);
	set_ddtp(t, RISCV_M_DDTP_1LVL);
	uint64_t *root = page(t);
	device(t, 1, RISCV_M_ATP_SV39, pa(root), 1, 0, 0, 0);
	map(t, root, 3, false, 0x1000, 0x44000, 0, R | U | A);
	/* nothing cleaned yet: the walker sees zeros */
	expect_fault(t, 1, 0x1000, RISCV_MODEL_ACC_R, RISCV_M_CAUSE_DDT_INVALID,
		     RISCV_M_TTYP_UNTRANSLATED_READ);
	riscv_model_clean(&t->m, pa(t->ddt), PG);
	expect_fault(t, 1, 0x1000, RISCV_MODEL_ACC_R, RISCV_M_CAUSE_READ_PAGE,
		     RISCV_M_TTYP_UNTRANSLATED_READ);
	for (unsigned i = 2; i < t->npages; i++)
		riscv_model_clean(&t->m, pa(t->pages[i]), PG);
	assert_true(dma_ok(t, 1, 0x1000, RISCV_MODEL_ACC_R) == 0x44000);
}

/* Every first-stage mode with every G-stage mode (and bare), leaves of 4 KiB, 2 MiB, 1 GiB. */
static void test_mode_matrix(void **state)
{
	struct mt *t = *state;
	start(t);
	set_ddtp(t, RISCV_M_DDTP_1LVL);
	/* guest-physical addresses of first-stage tables: host addresses - goff */
	const uint64_t goff = (pa(t->ddt) & ~0xfffffffull) - 0x10000000u;
	const unsigned modes[4] = {0, RISCV_M_ATP_SV39, RISCV_M_ATP_SV48, RISCV_M_ATP_SV57};
	const uint64_t pattern = 0x5a5a5a5a5a5a5000ull;
	uint32_t did = 0;
	for (unsigned si = 0; si < 4; si++)
		for (unsigned gi = 0; gi < 4; gi++)
			for (unsigned lvl = 0; lvl < 3; lvl++) {
				unsigned sm = modes[si], gm = modes[gi];
				if (!sm && !gm)
					continue;
				unsigned slev = sm ? sm - 5u : 0, glev = gm ? gm - 5u : 0;
				uint64_t size = 1ull << (12u + 9u * lvl);
				/* input: lower canonical half (first stage) or below 2^(VA+2) (G)
				 */
				unsigned ibits = sm ? 12u + 9u * slev - 1u : 12u + 9u * glev + 2u;
				uint64_t va = pattern & ((1ull << ibits) - 1u) & ~(size - 1u);
				uint64_t gpa = 0x2c0000000ull + 0x40000000ull * lvl;
				uint64_t oa = 0x7c0000000ull + 0x40000000ull * (si * 4u + gi);
				uint64_t *groot = gm ? alloc_aligned(t, 16384) : NULL;
				uint64_t *sroot = sm ? page(t) : NULL;
				t->ngtables = 0;
				if (sm && gm) {
					map_at(t, sroot, slev, false, va, gpa, lvl,
					       R | W | U | A | D, goff);
					map(t, groot, glev, true, gpa, oa, lvl, R | W | U | A | D);
					map(t, groot, glev, true, pa(sroot) - goff, pa(sroot), 0,
					    R | U | A);
					for (unsigned i = 0; i < t->ngtables; i++)
						map(t, groot, glev, true, pa(t->gtables[i]) - goff,
						    pa(t->gtables[i]), 0, R | U | A);
				} else if (sm) {
					map(t, sroot, slev, false, va, oa, lvl, R | W | U | A | D);
				} else {
					map(t, groot, glev, true, va, oa, lvl, R | W | U | A | D);
				}
				device(t, did, sm, sm && gm ? pa(sroot) - goff : pa(sroot),
				       did + 1u, gm, pa(groot), did + 1u);
				uint64_t off = size - 8u;
				if (dma_ok(t, did, va + off, RISCV_MODEL_ACC_W) != oa + off)
					fail_msg("smode %u gmode %u level %u: wrong output", sm, gm,
						 lvl);
				assert_true(dma_ok(t, did, va, RISCV_MODEL_ACC_R) == oa);
				uint32_t want =
				    sm ? RISCV_M_CAUSE_READ_PAGE : RISCV_M_CAUSE_READ_GUEST;
				expect_fault(t, did, va + size, RISCV_MODEL_ACC_R, want,
					     RISCV_M_TTYP_UNTRANSLATED_READ);
				did++;
			}
	assert_int_equal(did, 45);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(int argc, char **argv)
{
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	const struct CMUnitTest tests[] = {
	    T(test_reset_off_faults),
	    T(test_bare_passthrough),
	    T(test_1lvl_sv39_permissions),
	    T(test_2lvl_sv48_superpage),
	    T(test_3lvl_and_did_width),
	    T(test_ddt_load_fault),
	    T(test_dc_misconfigured),
	    T(test_gstage_sv39x4),
	    T(test_nested),
	    T(test_dc_cache_stale_until_iodir),
	    T(test_iotlb_stale_until_iotinval_vma),
	    T(test_iotlb_gvma),
	    T(test_iofence_writes_data),
	    T(test_illegal_command_stops_queue),
	    T(test_queue_wrap),
	    T(test_fq_overflow),
	    T(test_fctl_ignored_while_on),
	    T(test_dtf_suppresses),
	    T(test_cq_misaligned_base),
	    T(test_extended_dc_format),
	    T(test_busy_knob_and_halves),
	    T(test_noncoherent_walker),
	    T(test_mode_matrix),
	};
	return cmocka_run_group_tests_name("riscv_model", tests, NULL, NULL);
}
