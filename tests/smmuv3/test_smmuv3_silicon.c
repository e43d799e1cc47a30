/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What real parts need beyond what QEMU checks: memory ordering around the
 * queues (seen through a trace of every port hook call), embedded and
 * stall-forced configurations, interrupt and GBPA handshakes, errata keyed
 * by IIDR, and a 52-bit output address size.
 */
#include "test_smmuv3.h"

/* ---- a trace of port hook calls, in order ---- */

enum hk_kind { HK_RD, HK_WR, HK_WMB, HK_MB, HK_CLEAN, HK_MARK };

struct hk_ev {
	enum hk_kind kind;
	uint64_t off; /* register offset (HK_RD, HK_WR) */
	uint64_t val;
};

#define HK_CAP 16384
static struct {
	struct iomm_port orig;
	struct hk_ev ev[HK_CAP];
	size_t n;
} hk;

static void hk_add(enum hk_kind k, uintptr_t addr, uint64_t val)
{
	if (hk.n < HK_CAP)
		hk.ev[hk.n++] = (struct hk_ev){k, (uint64_t)(addr - FX_REGS), val};
}

static uint32_t hk_read32(void *ctx, uintptr_t a)
{
	uint32_t v = hk.orig.read32(ctx, a);
	hk_add(HK_RD, a, v);
	return v;
}

static void hk_write32(void *ctx, uintptr_t a, uint32_t v)
{
	hk.orig.write32(ctx, a, v);
	hk_add(HK_WR, a, v);
}

static uint64_t hk_read64(void *ctx, uintptr_t a)
{
	uint64_t v = hk.orig.read64(ctx, a);
	hk_add(HK_RD, a, v);
	return v;
}

static void hk_write64(void *ctx, uintptr_t a, uint64_t v)
{
	hk.orig.write64(ctx, a, v);
	hk_add(HK_WR, a, v);
}

static void hk_wmb(void *ctx)
{
	hk.orig.wmb(ctx);
	hk_add(HK_WMB, FX_REGS, 0);
}

static void hk_mb(void *ctx)
{
	hk.orig.mb(ctx);
	hk_add(HK_MB, FX_REGS, 0);
}

static void hk_clean(void *ctx, const void *va, size_t len)
{
	hk.orig.clean_tables(ctx, va, len);
	hk_add(HK_CLEAN, FX_REGS, len);
}

/* Bring the port up and route every hook through the trace (from now on). */
static void hk_install(struct fx *f)
{
	fx_port_up(f);
	hk.orig = f->px.port;
	hk.n = 0;
	f->px.port.read32 = hk_read32;
	f->px.port.write32 = hk_write32;
	f->px.port.read64 = hk.orig.read64 ? hk_read64 : NULL;
	f->px.port.write64 = hk.orig.write64 ? hk_write64 : NULL;
	f->px.port.wmb = hk_wmb;
	f->px.port.mb = hk_mb;
	if (hk.orig.clean_tables)
		f->px.port.clean_tables = hk_clean;
}

/*
 * Every write of register @off with all of @bits set: a barrier (@full: mb,
 * else wmb or mb) after the last table clean or record read before it; for
 * a doorbell (@doorbell) also with no other register write between the
 * barrier and it. Returns how many such writes were seen.
 */
static unsigned hk_check_barrier_before(uint64_t off, uint64_t bits, bool full, bool doorbell)
{
	unsigned seen = 0;
	/* PROD written before CMDQEN (in a trace that shows CR0) is a reset, not a doorbell */
	bool cmdq_on = true;
	for (size_t i = 0; i < hk.n && cmdq_on; i++)
		cmdq_on = !(hk.ev[i].kind == HK_WR && hk.ev[i].off == SMMUV3_M_CR0);
	for (size_t i = 0; i < hk.n; i++) {
		if (hk.ev[i].kind == HK_WR && hk.ev[i].off == SMMUV3_M_CR0)
			cmdq_on = (hk.ev[i].val & SMMUV3_M_CR0_CMDQEN) != 0;
		if (hk.ev[i].kind != HK_WR || hk.ev[i].off != off || (hk.ev[i].val & bits) != bits ||
		    (off == SMMUV3_M_CMDQ_PROD && !cmdq_on))
			continue;
		bool ok = false;
		for (size_t j = i; j-- > 0;) {
			const struct hk_ev *e = &hk.ev[j];
			if (e->kind == HK_CLEAN || e->kind == HK_MARK ||
			    (e->kind == HK_RD && e->off == SMMUV3_M_EVTQ_PROD) ||
			    (doorbell && e->kind == HK_WR))
				break;
			if (e->kind == HK_MB || (!full && e->kind == HK_WMB)) {
				ok = true;
				break;
			}
		}
		if (!ok)
			print_error("write of 0x%llx (hook call %zu) without a barrier before it\n",
				    (unsigned long long)off, i);
		assert_true(ok);
		seen++;
	}
	return seen;
}

/* ---- event queue ordering ---- */

static void mark_fault(void *arg, const struct iomm_fault *fault)
{
	struct fx *f = arg;
	(void)fault;
	f->nfaults++;
	hk_add(HK_MARK, FX_REGS, 0);
}

/* PROD is read, then a barrier, then the records; a barrier before CONS moves. */
void test_evtq_barriers(void **state)
{
	struct fx *f = *state;
	f->port_flags = 0; /* not coherent: the records are cleaned before they are read */
	hk_install(f);
	fx_start(f);
	struct iomm_domain d = {0};
	struct iomm_dev dev;
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S1, 0, fx_pool(f, 4096, 16), NULL), IOMM_OK);
	fx_attach(f, &dev, &d, 3, 0);
	assert_int_equal(fx_dma(f, 3, 0x1000, RD, NULL), -(int)E_F_TRANSLATION);
	assert_int_equal(fx_dma(f, 3, 0x2000, RD, NULL), -(int)E_F_TRANSLATION);
	hk.n = 0;
	f->nfaults = 0;
	assert_int_equal(iomm_fault_poll(&f->smmu.unit, mark_fault, f), 2);
	assert_int_equal(f->nfaults, 2);
	/* PROD read, then a full barrier before the first record is touched */
	size_t i = 0;
	while (i < hk.n && !(hk.ev[i].kind == HK_RD && hk.ev[i].off == SMMUV3_M_EVTQ_PROD))
		i++;
	assert_true(i < hk.n);
	bool mb = false;
	for (i++; i < hk.n && hk.ev[i].kind != HK_CLEAN && hk.ev[i].kind != HK_MARK; i++)
		mb |= hk.ev[i].kind == HK_MB;
	assert_true(mb);
	/* every CONS write: a full barrier after the records were read */
	assert_true(hk_check_barrier_before(SMMUV3_M_EVTQ_CONS, 0, true, false) >= 1);
	fx_check_hygiene(f);
}

/* ---- barriers before the command doorbell and before SMMUEN ---- */

void test_doorbell_barriers(void **state)
{
	struct fx *f = *state;
	f->port_flags = 0;
	hk_install(f);
	fx_start(f);
	/* init: commands, and the SMMUEN write after the stream table was written */
	assert_true(hk_check_barrier_before(SMMUV3_M_CMDQ_PROD, 0, false, true) >= 1);
	assert_true(hk_check_barrier_before(SMMUV3_M_CR0, SMMUV3_M_CR0_SMMUEN, false, false) >= 1);
	struct iomm_pool *pool = fx_pool(f, 4096, 16);
	struct iomm_domain d = {0};
	struct iomm_dev dev;
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S1, 0, pool, NULL), IOMM_OK);
	hk.n = 0;
	fx_attach(f, &dev, &d, 3, 0);
	assert_int_equal(iomm_map(&d, 0x1000, 0x80000000u, 0x1000, IOMM_READ), IOMM_OK);
	assert_int_equal(iomm_unmap(&d, 0x1000, 0x1000, NULL), IOMM_OK);
	assert_true(hk_check_barrier_before(SMMUV3_M_CMDQ_PROD, 0, false, true) >= 2);
	fx_check_hygiene(f);
}

/* ---- embedded configurations (IDR1.TABLES_PRESET, QUEUES_PRESET, REL) ---- */

/* Refused before any register is written: the firmware's setup stays as it was. */
void test_embedded_refused(void **state)
{
	struct fx *f = *state;
	for (unsigned k = 0; k < 3; k++) {
		f->mcfg.tables_preset = k == 0;
		f->mcfg.queues_preset = k == 1;
		f->mcfg.rel = k == 2;
		if (f->model_up) {
			smmuv3_model_fini(&f->model);
			assert_int_equal(iomm_posix_remove_mmio_model(&f->px, FX_REGS), IOMM_OK);
		}
		f->model_up = false;
		hk_install(f);
		uint64_t errors = iomm_posix_log_count(&f->px, IOMM_LOG_ERROR);
		assert_int_equal(fx_boot(f), IOMM_ENOTSUP);
		for (size_t i = 0; i < hk.n; i++)
			assert_true(hk.ev[i].kind != HK_WR);
		assert_int_equal(f->model.cr0, 0);
		assert_int_equal(f->model.gbpa & SMMUV3_M_GBPA_ABORT, 0);
		assert_true(iomm_posix_log_count(&f->px, IOMM_LOG_ERROR) > errors);
		f->px.port = hk.orig;
	}
}

/* ---- interrupts left on by firmware (IRQ_CTRL) ---- */

void test_irq_ctrl_cleared(void **state)
{
	struct fx *f = *state;
	f->mcfg.irq_ctrl_reset = 7; /* GERROR, PRIQ and EVTQ interrupts on */
	f->mcfg.irq_cfg0_reset = 0x8badf000u; /* a stale MSI doorbell */
	fx_start(f);
	assert_int_equal(f->model.irq_ctrl, 0);
	assert_int_equal(f->model.irq_ctrlack, 0);
	assert_int_equal(f->model.gerror_irq_cfg0, 0);
	assert_int_equal(f->model.evtq_irq_cfg0, 0);
	fx_check_hygiene(f);
}

/* Wired event and global error interrupts when the configuration asks. */
void test_irq_ctrl_wired(void **state)
{
	struct fx *f = *state;
	f->mcfg.irq_ctrl_reset = 1; /* GERROR only */
	f->cfg.flags = IOMM_SMMUV3_CFG_IRQ;
	fx_start(f);
	assert_int_equal(f->model.irq_ctrl, SMMUV3_M_IRQ_GERROR | SMMUV3_M_IRQ_EVTQ);
	assert_int_equal(f->model.irq_ctrlack, SMMUV3_M_IRQ_GERROR | SMMUV3_M_IRQ_EVTQ);
	fx_check_hygiene(f);
}

void test_irq_ctrlack_timeout(void **state)
{
	struct fx *f = *state;
	f->mcfg.irq_ctrl_reset = 7;
	f->mcfg.irq_ctrlack_broken = true;
	assert_int_equal(fx_boot(f), IOMM_ETIMEDOUT);
	assert_int_equal(f->model.cr0 & SMMUV3_M_CR0_SMMUEN, 0);
}

/* ---- GBPA: wait for an update in flight before writing ---- */

void test_gbpa_update_pending(void **state)
{
	struct fx *f = *state;
	f->mcfg.gbpa_busy_reads = 3;
	fx_start(f);
	assert_int_equal(f->model.stats.gbpa_bad_writes, 0);
	assert_true(f->model.gbpa_eff & SMMUV3_M_GBPA_ABORT);
	fx_check_hygiene(f);
}

void test_gbpa_update_stuck(void **state)
{
	struct fx *f = *state;
	f->mcfg.gbpa_busy_reads = 1000000;
	assert_int_equal(fx_boot(f), IOMM_ETIMEDOUT);
	assert_int_equal(f->model.stats.gbpa_bad_writes, 0);
	assert_int_equal(f->model.cr0, 0);
}

/* ---- STE.S2PTW in every STE with stage 2 ---- */

void test_ste_s2ptw(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom s2 = {0};
	pdom_up(f, &s2, IOMM_DOMAIN_S2);
	struct iomm_pool *p1 = fx_pool(f, 4096, 16);
	struct iomm_domain n = {0};
	assert_int_equal(fx_domain(f, &n, IOMM_DOMAIN_NESTED, 0, p1, &s2.dom), IOMM_OK);
	struct iomm_dev d2, dn;
	fx_attach(f, &d2, &s2.dom, 4, 0);
	fx_attach(f, &dn, &n, 5, 0);
	const uint64_t s2ptw = UINT64_C(1) << 54;
	assert_true(fx_ste(f, 4)[2] & s2ptw);
	assert_true(fx_ste(f, 5)[2] & s2ptw);
	fx_check_hygiene(f);
}

/* A stage-1 domain on stream 1, a stage-2 one on stream 2 and a nested child on
 * stream 3 (its parent's own stage-2 domain unattached), all empty. */
struct trio {
	struct pdom s1, s2;
	struct nest n;
	struct iomm_dev a, b, c;
};

static void trio_up(struct fx *f, struct trio *t)
{
	*t = (struct trio){0};
	pdom_up(f, &t->s1, IOMM_DOMAIN_S1);
	pdom_up(f, &t->s2, IOMM_DOMAIN_S2);
	nest_up(f, &t->n);
	fx_attach(f, &t->a, &t->s1.dom, 1, 0);
	fx_attach(f, &t->b, &t->s2.dom, 2, 0);
	fx_attach(f, &t->c, &t->n.s1, 3, 0);
}

/* ---- stall-forced SMMUs (IDR0.STALL_MODEL 0b10): CD.S and STE.S2S set ---- */

void test_stall_forced(void **state)
{
	struct fx *f = *state;
	f->mcfg.stall_forced = true;
	fx_start(f);
	assert_true(f->smmu.features & IOMM_SMMUV3_F_STALL_FORCE);
	struct trio t;
	trio_up(f, &t);
	assert_int_equal(iomm_map(&t.s1.dom, 0x10000, 0x40000000, SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&t.s2.dom, 0x10000, 0x40001000, SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&t.n.s1, N_IOVA, N_IPA, SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&t.n.s2, N_IPA, N_PA, SZ4K, RW), IOMM_OK);
	assert_int_equal(fx_xlate(f, 1, 0x10000, RD), 0x40000000);
	assert_int_equal(fx_xlate(f, 2, 0x10000, WR), 0x40001000);
	assert_int_equal(fx_xlate(f, 3, N_IOVA, RD), N_PA);
	fx_check_hygiene(f);
}

/* ---- errata by IIDR ---- */

#define IIDR_MMU600(rev) (UINT32_C(0x4830043b) | (uint32_t)(rev) << 16) /* rNp0 */
#define IIDR_MMU700	 UINT32_C(0x4870043b)				 /* r0p0 */

static void check_nesting(struct fx *f, uint32_t iidr, bool offered)
{
	f->mcfg.iidr = iidr;
	fx_start(f);
	assert_int_equal((f->smmu.unit.caps & IOMM_CAP_NESTED) != 0, offered);
	struct pdom s2 = {0};
	pdom_up(f, &s2, IOMM_DOMAIN_S2);
	struct iomm_domain n = {0};
	int rc = fx_domain(f, &n, IOMM_DOMAIN_NESTED, 0, fx_pool(f, 4096, 8), &s2.dom);
	assert_int_equal(rc, offered ? IOMM_OK : IOMM_ENOTSUP);
}

void test_erratum_mmu600_r0_nesting(void **state)
{
	check_nesting(*state, IIDR_MMU600(0), false);
}

void test_erratum_mmu600_r1_nesting(void **state)
{
	check_nesting(*state, IIDR_MMU600(1), false);
}

void test_erratum_mmu600_r2_nesting(void **state)
{
	check_nesting(*state, IIDR_MMU600(2), true);
}

/* Unmap @pages single pages one command each (no range invalidation). */
static void unmap_many(struct fx *f, unsigned pages)
{
	f->mcfg.ril = false;
	f->cfg.inv_threshold = 1000;
	fx_start(f);
	struct pdom s1 = {0};
	pdom_up(f, &s1, IOMM_DOMAIN_S1);
	struct iomm_dev dev;
	fx_attach(f, &dev, &s1.dom, 1, 0);
	for (unsigned i = 0; i < pages; i++)
		assert_int_equal(iomm_map(&s1.dom, 0x100000 + i * 2 * SZ4K, 0x40000000 + i * SZ4K,
					  SZ4K, RW),
				 IOMM_OK);
	fx_snap(f);
	assert_int_equal(iomm_unmap(&s1.dom, 0x100000, pages * 2 * SZ4K, NULL), IOMM_OK);
	assert_true(fx_ops(f, OP_NH_VA) >= pages);
}

void test_erratum_mmu700(void **state)
{
	struct fx *f = *state;
	f->mcfg.iidr = IIDR_MMU700;
	f->mcfg.btm = true; /* reported, but erratum 2812531: not to be relied on */
	unmap_many(f, 100);
	assert_true(f->model.stats.max_unsynced <= 63);
	assert_false(f->smmu.unit.caps & IOMM_CAP_NESTED);
	assert_false(f->smmu.features & IOMM_SMMUV3_F_BTM);
	fx_check_hygiene(f);
}

/* Other parts keep long batches: the rule costs syncs only where needed. */
void test_erratum_none_batches(void **state)
{
	struct fx *f = *state;
	f->mcfg.btm = true;
	unmap_many(f, 100);
	assert_true(f->model.stats.max_unsynced > 63);
	assert_true(f->smmu.unit.caps & IOMM_CAP_NESTED);
	assert_true(f->smmu.features & IOMM_SMMUV3_F_BTM);
}

/* ---- 52-bit output addresses: default domains with 4 KiB pages still work ---- */

void test_oas52_default_domains(void **state)
{
	struct fx *f = *state;
	f->mcfg.oas_bits = 52;
	fx_start(f);
	assert_int_equal(f->smmu.unit.oas, 52);
	struct iomm_domain s1 = {0}, s2 = {0};
	assert_int_equal(fx_domain(f, &s1, IOMM_DOMAIN_S1, 4096, fx_pool(f, 4096, 16), NULL),
			 IOMM_OK);
	assert_int_equal(fx_domain(f, &s2, IOMM_DOMAIN_S2, 4096, fx_pool(f, 4096, 16), NULL),
			 IOMM_OK);
	struct iomm_dev a, b;
	fx_attach(f, &a, &s1, 1, 0);
	fx_attach(f, &b, &s2, 2, 0);
	assert_int_equal(iomm_map(&s1, 0x10000, 0x40000000, SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&s2, 0x10000, 0x40001000, SZ4K, RW), IOMM_OK);
	assert_int_equal(fx_xlate(f, 1, 0x10000, RD), 0x40000000);
	assert_int_equal(fx_xlate(f, 2, 0x10000, WR), 0x40001000);
	/* 4 KiB descriptors hold 48 output bits (52 needs FEAT_LPA2) */
	assert_int_equal(s1.pgt.cfg.oas, 48);
	assert_int_equal(s2.pgt.cfg.oas, 48);
	fx_check_hygiene(f);
}

/*
 * With 64 KiB pages the descriptors hold PA[51:48] in bits [15:12] (FEAT_LPA):
 * the default output size of a domain on an OAS-52 SMMU is the full 52 bits,
 * and a page above 2^48 translates there, at stage 1 and at stage 2. 16 KiB
 * pages, like 4 KiB ones, reach 52 bits only with FEAT_LPA2, which the
 * library does not use: such domains stay at 48 bits and refuse a wider
 * output address.
 */
#define PA52 UINT64_C(0x000abcde00010000) /* above 2^48, 64 KiB aligned */

void test_oas52_wide_granules(void **state)
{
	struct fx *f = *state;
	f->mcfg.oas_bits = 52;
	fx_start(f);
	assert_int_equal(f->smmu.unit.oas, 52);
	struct iomm_domain s1 = {0}, s2 = {0}, s1_16k = {0}, s2_16k = {0};
	assert_int_equal(fx_domain(f, &s1, IOMM_DOMAIN_S1, 65536, fx_pool(f, 65536, 8), NULL),
			 IOMM_OK);
	assert_int_equal(fx_domain(f, &s2, IOMM_DOMAIN_S2, 65536, fx_pool(f, 65536, 8), NULL),
			 IOMM_OK);
	assert_int_equal(s1.pgt.cfg.oas, 52);
	assert_int_equal(s2.pgt.cfg.oas, 52);
	struct iomm_dev a, b, c, d;
	fx_attach(f, &a, &s1, 1, 0);
	fx_attach(f, &b, &s2, 2, 0);
	assert_int_equal(iomm_map(&s1, 0x10000, PA52, 0x10000, RW), IOMM_OK);
	assert_int_equal(iomm_map(&s2, 0x10000, PA52 + 0x10000, 0x10000, RW), IOMM_OK);
	assert_int_equal(fx_xlate(f, 1, 0x10000 + 0x1238, RD), PA52 + 0x1238);
	assert_int_equal(fx_xlate(f, 2, 0x1fff8, WR), PA52 + 0x1fff8);
	/* the top of the 52-bit space, and one page past it */
	uint64_t top = (UINT64_C(1) << 52) - 0x10000;
	assert_int_equal(iomm_map(&s1, 0x20000, top, 0x10000, RW), IOMM_OK);
	assert_int_equal(fx_xlate(f, 1, 0x20010, RD), top + 0x10);
	assert_true(iomm_map(&s1, 0x30000, top + 0x10000, 0x10000, RW) != IOMM_OK);
	assert_int_equal(iomm_unmap(&s1, 0x10000, 0x20000, NULL), IOMM_OK);
	assert_int_equal(fx_dma(f, 1, 0x20010, RD, NULL), -(int)E_F_TRANSLATION);

	assert_int_equal(fx_domain(f, &s1_16k, IOMM_DOMAIN_S1, 16384, fx_pool(f, 16384, 8), NULL),
			 IOMM_OK);
	assert_int_equal(fx_domain(f, &s2_16k, IOMM_DOMAIN_S2, 16384, fx_pool(f, 16384, 8), NULL),
			 IOMM_OK);
	assert_int_equal(s1_16k.pgt.cfg.oas, 48);
	assert_int_equal(s2_16k.pgt.cfg.oas, 48);
	assert_true(iomm_map(&s1_16k, 0x10000, PA52, 0x4000, RW) != IOMM_OK);
	assert_int_equal(iomm_map(&s1_16k, 0x10000, 0x40000000, 0x4000, RW), IOMM_OK);
	assert_int_equal(iomm_map(&s2_16k, 0x10000, 0x40004000, 0x4000, RW), IOMM_OK);
	fx_attach(f, &c, &s1_16k, 3, 0);
	fx_attach(f, &d, &s2_16k, 4, 0);
	assert_int_equal(fx_xlate(f, 3, 0x10010, RD), 0x40000010);
	assert_int_equal(fx_xlate(f, 4, 0x13ff8, WR), 0x40007ff8);
	fx_check_hygiene(f);
}

/* ---- memory attributes of the SMMU's own accesses ---- */

/*
 * What the library programs for the SMMU's reads of tables and queues, seen
 * as the SMMU sees it (registers, and structures through the model's view of
 * memory): CR1 (IHI 0070, 6.3.10), STRTAB_BASE.RA and CMDQ/EVTQ_BASE.RA/WA
 * (6.3.23, 6.3.26, 6.3.29), STE.S1CIR/S1COR/S1CSH and S2IR0/S2OR0/S2SH0 (5.2)
 * and CD.IRGN0/ORGN0/SH0 (5.4). A coherent SMMU walks write-back inner
 * shareable; one without coherent access (or on a non-coherent port) walks
 * non-cacheable, which is Outer Shareable (the only shareability Normal
 * Non-cacheable memory has in VMSAv8; any other is UNPREDICTABLE in VMSAv7).
 * The allocation hints matter only to cacheable accesses; the library sets
 * them always.
 */
#define ATTR_NC	 0u /* Non-cacheable */
#define ATTR_WB	 1u /* Write-back, allocating */
#define SH_OSH	 2u
#define SH_ISH	 3u
#define NO_SID	 UINT32_MAX
#define ADDR_MASK (((UINT64_C(1) << 52) - 1) & ~UINT64_C(63))

static unsigned bits(uint64_t v, unsigned hi, unsigned lo)
{
	return (unsigned)((v >> lo) & ((UINT64_C(1) << (hi - lo + 1u)) - 1u));
}

/* @n 64-bit words at @pa as the SMMU reads them. */
static void smmu_words(struct fx *f, uint64_t pa, uint64_t *w, unsigned n)
{
	uint8_t b[64];
	assert_true(n <= 8);
	assert_int_equal(smmuv3_model_mem_view(&f->model, pa, b, 8u * n), 0);
	for (unsigned i = 0; i < n; i++) {
		w[i] = 0;
		for (unsigned k = 0; k < 8; k++)
			w[i] |= (uint64_t)b[8 * i + k] << (8 * k);
	}
}

/* The attributes of walks for @s1_sid (stage 1 or nested) and @s2_sid (stage 2 or
 * nested), and of the stream table and queues (NO_SID: not checked). Linear stream
 * table. */
static void check_walk_attrs(struct fx *f, bool coherent, uint32_t s1_sid, uint32_t s2_sid)
{
	const unsigned c = coherent ? ATTR_WB : ATTR_NC, sh = coherent ? SH_ISH : SH_OSH;
	const uint32_t cr1 = f->model.cr1;
	assert_int_equal(bits(cr1, 1, 0), c);	/* QUEUE_IC */
	assert_int_equal(bits(cr1, 3, 2), c);	/* QUEUE_OC */
	assert_int_equal(bits(cr1, 5, 4), sh);	/* QUEUE_SH */
	assert_int_equal(bits(cr1, 7, 6), c);	/* TABLE_IC */
	assert_int_equal(bits(cr1, 9, 8), c);	/* TABLE_OC */
	assert_int_equal(bits(cr1, 11, 10), sh); /* TABLE_SH */
	assert_int_equal(bits(f->model.strtab_base, 62, 62), 1); /* RA */
	assert_int_equal(bits(f->model.cmdq_base, 62, 62), 1);	 /* RA */
	assert_int_equal(bits(f->model.evtq_base, 62, 62), 1);	 /* WA */
	uint64_t ste[8], cd[8];
	if (s1_sid != NO_SID) {
		smmu_words(f, (f->model.strtab_base & ADDR_MASK) + 64u * s1_sid, ste, 8);
		assert_int_equal(bits(ste[1], 3, 2), c);  /* S1CIR: CD fetches */
		assert_int_equal(bits(ste[1], 5, 4), c);  /* S1COR */
		assert_int_equal(bits(ste[1], 7, 6), sh); /* S1CSH */
		smmu_words(f, ste[0] & ADDR_MASK, cd, 8);
		assert_int_equal(bits(cd[0], 9, 8), c);	  /* IRGN0: stage 1 walks */
		assert_int_equal(bits(cd[0], 11, 10), c);  /* ORGN0 */
		assert_int_equal(bits(cd[0], 13, 12), sh); /* SH0 */
	}
	if (s2_sid != NO_SID) {
		smmu_words(f, (f->model.strtab_base & ADDR_MASK) + 64u * s2_sid, ste, 8);
		assert_int_equal(bits(ste[2], 41, 40), c);  /* S2IR0: stage 2 walks */
		assert_int_equal(bits(ste[2], 43, 42), c);  /* S2OR0 */
		assert_int_equal(bits(ste[2], 45, 44), sh); /* S2SH0 */
	}
}

/* A coherent SMMU on a coherent port: every access write-back inner shareable. */
void test_walk_attrs_coherent(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	assert_true(f->smmu.unit.caps & IOMM_CAP_COHERENT);
	assert_null(f->model.dram_pages); /* the model snoops */
	struct trio t;
	trio_up(f, &t);
	check_walk_attrs(f, true, 1, 2);
	check_walk_attrs(f, true, 3, 3);
}

/* A coherent SMMU behind a port that is not: the walks must not be cacheable either. */
void test_walk_attrs_noncoherent_port(void **state)
{
	struct fx *f = *state;
	f->port_flags = 0;
	fx_start(f);
	assert_true(f->smmu.features & IOMM_SMMUV3_F_COHACC);
	assert_false(f->smmu.unit.caps & IOMM_CAP_COHERENT);
	struct pdom s1, s2;
	pdom_up(f, &s1, IOMM_DOMAIN_S1);
	pdom_up(f, &s2, IOMM_DOMAIN_S2);
	struct iomm_dev a, b;
	fx_attach(f, &a, &s1.dom, 1, 0);
	fx_attach(f, &b, &s2.dom, 2, 0);
	check_walk_attrs(f, false, 1, 2);
}

/* ---- a part like silicon: every domain type, translations and ordering ---- */

/* OAS 52, not coherent, stalls forced, MMU-700: each domain type built and used. */
void test_real_part(void **state)
{
	struct fx *f = *state;
	f->mcfg.oas_bits = 52;
	f->mcfg.cohacc = false;
	f->mcfg.stall_forced = true;
	f->mcfg.iidr = IIDR_MMU700;
	f->mcfg.irq_ctrl_reset = 5;
	hk_install(f);
	fx_start(f);
	assert_int_equal(f->model.irq_ctrl, 0);
	assert_false(f->smmu.unit.caps & IOMM_CAP_COHERENT);
	assert_non_null(f->model.dram_pages); /* the SMMU reads only what was cleaned */
	struct pdom s1, s2;
	pdom_up(f, &s1, IOMM_DOMAIN_S1);
	pdom_up(f, &s2, IOMM_DOMAIN_S2);
	struct iomm_domain byp = {0}, blk = {0}, nest = {0};
	struct iomm_domain_cfg c = {.type = IOMM_DOMAIN_BYPASS};
	assert_int_equal(iomm_domain_init(&byp, &f->smmu.unit, &c), IOMM_OK);
	c.type = IOMM_DOMAIN_BLOCKED;
	assert_int_equal(iomm_domain_init(&blk, &f->smmu.unit, &c), IOMM_OK);
	assert_int_equal(fx_domain(f, &nest, IOMM_DOMAIN_NESTED, 0, fx_pool(f, 4096, 8), &s2.dom),
			 IOMM_ENOTSUP); /* MMU-700 errata */
	struct iomm_dev a, b, d, e;
	fx_attach(f, &a, &s1.dom, 1, 0);
	fx_attach(f, &b, &s2.dom, 2, 0);
	fx_attach(f, &d, &byp, 3, 0);
	fx_attach(f, &e, &blk, 4, 0);
	assert_int_equal(iomm_map(&s1.dom, 0x10000, 0x40000000, SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&s2.dom, 0x10000, 0x40001000, SZ4K, RW), IOMM_OK);
	assert_int_equal(fx_xlate(f, 1, 0x10000, RD), 0x40000000);
	assert_int_equal(fx_xlate(f, 2, 0x10000, WR), 0x40001000);
	assert_int_equal(fx_xlate(f, 3, 0x1234000, RD), 0x1234000);
	assert_true(fx_dma(f, 4, 0x10000, RD, NULL) != 0);
	assert_int_equal(fx_dma(f, 1, 0x20000, RD, NULL), -(int)E_F_TRANSLATION);
	check_walk_attrs(f, false, 1, 2);
	assert_int_equal(iomm_unmap(&s1.dom, 0x10000, SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_dma(f, 1, 0x10000, RD, NULL), -(int)E_F_TRANSLATION);
	/* ordering, from init on: doorbells and SMMUEN; then the event queue */
	assert_true(hk_check_barrier_before(SMMUV3_M_CMDQ_PROD, 0, false, true) >= 4);
	assert_int_equal(hk_check_barrier_before(SMMUV3_M_CR0, SMMUV3_M_CR0_SMMUEN, false, false),
			 1);
	hk.n = 0;
	f->nfaults = 0;
	assert_int_equal(iomm_fault_poll(&f->smmu.unit, mark_fault, f), 2);
	assert_int_equal(hk_check_barrier_before(SMMUV3_M_EVTQ_CONS, 0, true, false), 2);
	assert_true(f->model.stats.max_unsynced <= 63);
	assert_int_equal(f->model.dram.overflows, 0);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	fx_check_hygiene(f);
}

/*
 * An SMMU without coherent access (IDR0.COHACC = 0) reads DRAM: what the CPU
 * wrote reaches it only once cleaned. The model reads a DRAM copy that only
 * the port's cleans update, so every structure, table and command the
 * library writes and does not clean is invisible to it. Each domain type is
 * built, mapped, used, unmapped and faults as it should.
 */
void test_noncoherent_dram(void **state)
{
	struct fx *f = *state;
	f->mcfg.cohacc = false; /* with the fixture's cfg.dram: the DRAM walker */
	fx_start(f);
	assert_false(f->smmu.unit.caps & IOMM_CAP_COHERENT);
	assert_true(f->smmu.unit.caps & IOMM_CAP_NESTED);
	assert_non_null(f->model.dram_pages);
	struct pdom s1, s2;
	struct nest n;
	pdom_up(f, &s1, IOMM_DOMAIN_S1);
	pdom_up(f, &s2, IOMM_DOMAIN_S2);
	nest_up(f, &n);
	struct iomm_domain byp = {0}, blk = {0};
	struct iomm_domain_cfg c = {.type = IOMM_DOMAIN_BYPASS};
	assert_int_equal(iomm_domain_init(&byp, &f->smmu.unit, &c), IOMM_OK);
	c.type = IOMM_DOMAIN_BLOCKED;
	assert_int_equal(iomm_domain_init(&blk, &f->smmu.unit, &c), IOMM_OK);
	struct iomm_dev a, b, d, e, g;
	fx_attach(f, &a, &s1.dom, 1, 0);
	fx_attach(f, &b, &s2.dom, 2, 0);
	fx_attach(f, &d, &n.s1, 3, 0);
	fx_attach(f, &e, &byp, 4, 0);
	fx_attach(f, &g, &blk, 5, 0);
	assert_int_equal(iomm_map(&s1.dom, 0x10000, 0x40000000, SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&s2.dom, 0x10000, 0x40001000, SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&n.s1, N_IOVA, N_IPA, SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&n.s2, N_IPA, N_PA, SZ4K, RW), IOMM_OK);
	assert_int_equal(fx_xlate(f, 1, 0x10000, RD), 0x40000000);
	assert_int_equal(fx_xlate(f, 2, 0x10000, WR), 0x40001000);
	assert_int_equal(fx_xlate(f, 3, N_IOVA, RD), N_PA);
	assert_int_equal(fx_xlate(f, 4, 0x1234000, RD), 0x1234000);
	assert_int_equal(fx_dma(f, 5, 0x10000, RD, NULL), SMMUV3_MODEL_ABORT);
	check_walk_attrs(f, false, 1, 2);
	check_walk_attrs(f, false, 3, 3);

	/* the SMMU reads the DRAM copy, not memory: a store nobody cleaned is unseen */
	uint64_t *leaf = bfx_lpae_desc(&s1.dom, 0x10000), saved = *leaf;
	*leaf = 0;
	smmuv3_model_drop_caches(&f->model);
	assert_int_equal(fx_xlate(f, 1, 0x10000, RD), 0x40000000);
	*leaf = saved;
	/* a map whose cleans do not reach the SMMU is not seen; once cleaned, it is */
	f->clean_off = true;
	assert_int_equal(iomm_map(&s1.dom, 0x11000, 0x40002000, SZ4K, RW), IOMM_OK);
	f->clean_off = false;
	assert_int_equal(fx_dma(f, 1, 0x11000, RD, NULL), -(int)E_F_TRANSLATION);
	smmuv3_model_clean(&f->model, fx_pa(f, bfx_lpae_desc(&s1.dom, 0x11000)), 8);
	assert_int_equal(fx_xlate(f, 1, 0x11000, RD), 0x40002000);

	/* unmaps reach the SMMU too (tables, then the invalidations) */
	assert_int_equal(iomm_unmap(&s1.dom, 0x10000, 2 * SZ4K, NULL), IOMM_OK);
	assert_int_equal(iomm_unmap(&s2.dom, 0x10000, SZ4K, NULL), IOMM_OK);
	assert_int_equal(iomm_unmap(&n.s1, N_IOVA, SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_dma(f, 1, 0x10000, RD, NULL), -(int)E_F_TRANSLATION);
	assert_int_equal(fx_dma(f, 1, 0x11000, RD, NULL), -(int)E_F_TRANSLATION);
	assert_int_equal(fx_dma(f, 2, 0x10000, WR, NULL), -(int)E_F_TRANSLATION);
	assert_int_equal(fx_dma(f, 3, N_IOVA, RD, NULL), -(int)E_F_TRANSLATION);
	/* detach: the stream aborts */
	assert_int_equal(iomm_detach(&e), IOMM_OK);
	assert_true(fx_dma(f, 4, 0x1234000, RD, NULL) != 0);
	assert_true(f->model.dram.cleans > 0);
	assert_int_equal(f->model.dram.overflows, 0);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	fx_check_hygiene(f);
}
