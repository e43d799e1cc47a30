/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hosted tests of the SMMUv3 backend against an independent register-level
 * SMMUv3 model (tools/models/smmuv3_model.h, written from Arm IHI 0070).
 *
 * The model caches stream table entries, context descriptors and
 * translations, and drops them only on the architected invalidation
 * commands, with exactly their scope. So every "the device can no longer
 * use X" check below is a check that the backend sent the right
 * invalidations, not only that it edited memory. Device traffic is
 * smmuv3_model_dma(): 0 and an output address, SMMUV3_MODEL_ABORT
 * (terminated without an event), or -(event number).
 *
 * Time is the POSIX port's fake clock: every timeout path runs in a few
 * hundred polls, and nothing here depends on wall-clock time.
 */
#include "smmuv3_fx.h"

#include <stdlib.h>
#include <string.h>

/* ---- architected constants the tests check against (Arm IHI 0070) ---- */

#define OP_CFGI_STE  SMMUV3_M_CMD_CFGI_STE
#define OP_NH_ALL    SMMUV3_M_CMD_TLBI_NH_ALL
#define OP_NH_ASID   SMMUV3_M_CMD_TLBI_NH_ASID
#define OP_NH_VA     SMMUV3_M_CMD_TLBI_NH_VA
#define OP_EL2_ASID  SMMUV3_M_CMD_TLBI_EL2_ASID
#define OP_EL2_VA    SMMUV3_M_CMD_TLBI_EL2_VA
#define OP_S12_VMALL SMMUV3_M_CMD_TLBI_S12_VMALL
#define OP_S2_IPA    SMMUV3_M_CMD_TLBI_S2_IPA
#define OP_SYNC	     SMMUV3_M_CMD_SYNC

#define EV_BAD_STREAMID SMMUV3_M_EVT_C_BAD_STREAMID
#define EV_TRANSLATION	SMMUV3_M_EVT_F_TRANSLATION
#define EV_PERMISSION	SMMUV3_M_EVT_F_PERMISSION

/* event numbers (7.3) */
#define E_C_BAD_STREAMID    0x02u
#define E_F_STE_FETCH	    0x03u
#define E_C_BAD_STE	    0x04u
#define E_C_BAD_SUBSTREAMID 0x08u
#define E_F_CD_FETCH	    0x09u
#define E_C_BAD_CD	    0x0au
#define E_F_WALK_EABT	    0x0bu
#define E_F_TRANSLATION	    0x10u
#define E_F_ADDR_SIZE	    0x11u
#define E_F_ACCESS	    0x12u
#define E_F_PERMISSION	    0x13u
#define E_F_TLB_CONFLICT    0x20u
#define E_F_UUT		    0x01u
#define E_F_STREAM_DISABLED 0x06u
#define E_F_TRANSL_FORBID   0x07u
#define E_F_CFG_CONFLICT    0x21u
#define E_F_VMS_FETCH	    0x25u

/* event record word 1 (7.3.x: F_TRANSLATION and friends) */
#define EV1_PNU (UINT64_C(1) << 33)
#define EV1_IND (UINT64_C(1) << 34)
#define EV1_RNW (UINT64_C(1) << 35)
#define EV1_S2	(UINT64_C(1) << 39)
#define EV0_SSV (UINT64_C(1) << 11)

/* registers (6.3) */
#define R_CR0	      0x20u
#define R_GBPA	      0x44u
#define R_STRTAB_BASE 0x80u
#define R_STRTAB_CFG  0x88u
#define CR0_SMMUEN    (1u << 0)
#define CR0_EVTQEN    (1u << 2)
#define CR0_CMDQEN    (1u << 3)
#define GBPA_ABORT    (1u << 20)
#define GBPA_UPDATE   (1u << 31)

#define RW   (IOMM_READ | IOMM_WRITE)
#define SZ4K UINT64_C(0x1000)
#define SZ2M UINT64_C(0x200000)

/* A domain (stage 1 or 2) with its own pool of 4 KiB pages. */
struct pdom {
	struct iomm_pool *pool;
	struct iomm_domain dom;
};

static void pdom_up(struct fx *f, struct pdom *d, enum iomm_domain_type type)
{
	d->pool = fx_pool(f, 4096, 64);
	assert_int_equal(fx_domain(f, &d->dom, type, 0, d->pool, NULL), IOMM_OK);
}

/* A nested domain: stage-2 parent, stage-1 child whose tables (and CD) sit
 * in a pool the parent maps one to one, as a guest's would. */
struct nest {
	struct iomm_pool *p2, *p1;
	struct iomm_domain s2, s1;
};

static void nest_up(struct fx *f, struct nest *n)
{
	void *va;
	uint64_t pa, size;
	n->p2 = fx_pool(f, 4096, 64);
	n->p1 = fx_pool(f, 4096, 32);
	assert_int_equal(fx_domain(f, &n->s2, IOMM_DOMAIN_S2, 0, n->p2, NULL), IOMM_OK);
	assert_int_equal(fx_domain(f, &n->s1, IOMM_DOMAIN_NESTED, 0, n->p1, &n->s2), IOMM_OK);
	fx_pool_region(f, n->p1, &va, &pa, &size);
	assert_int_equal(iomm_map(&n->s2, pa, pa, size, RW), IOMM_OK);
}

/* Nested addresses: far from any heap address identity-mapped above. */
#define N_IOVA UINT64_C(0x10000000)
#define N_IPA  UINT64_C(0x300000000000)
#define N_PA   UINT64_C(0x7000000000)
#define N_PA2  UINT64_C(0x7100000000)

static void le64_store(void *p, uint64_t v)
{
	uint8_t *b = p;
	for (unsigned i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

/* Whether a clean_tables() call since the last reset lay inside [base, base + size). */
static bool cleaned_inside(const struct fx *f, const void *base, size_t size)
{
	uintptr_t lo = (uintptr_t)base, hi = lo + size;
	size_t n = f->px.clean_calls < FX_CLEAN_CAP ? (size_t)f->px.clean_calls : FX_CLEAN_CAP;
	for (size_t i = 0; i < n; i++) {
		uintptr_t s = (uintptr_t)f->clean_log[i].va;
		if (s >= lo && s + f->clean_log[i].len <= hi && f->clean_log[i].len)
			return true;
	}
	return false;
}

/* ==== 1. probe ============================================================ */

/* The default model (SMMUv3.2 with both stages, RIL, 16-bit IDs, COHACC,
 * HYP, MSI): every ID register field lands in features, caps and geometry,
 * and a coherent SMMU on a coherent port needs no cache cleaning at all. */
static void test_probe_default(void **state)
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
static void test_probe_optional_features(void **state)
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
	struct pdom d;
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
static void test_probe_stage2_only(void **state)
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
	struct iomm_domain s1, s2, nested;
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
static void test_probe_stage1_only(void **state)
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
	struct iomm_domain s2;
	assert_int_equal(fx_domain(f, &s2, IOMM_DOMAIN_S2, 0, pool, NULL), IOMM_ENOTSUP);

	struct pdom d;
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
static void test_probe_granule_16k_only(void **state)
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
	struct iomm_domain d, bad;
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
static void test_probe_refuses_missing_options(void **state)
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
static void test_port_32bit_no_relax(void **state)
{
	struct fx *f = *state;
	fx_port_up(f);
	f->px.port.read64 = NULL;
	f->px.port.write64 = NULL;
	f->px.port.relax = NULL;
	iomm_posix_trace_enable(&f->px, true);
	fx_start(f);
	struct pdom a;
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
static void test_init_fail_closed(void **state)
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

static void test_ste_bypass(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct iomm_domain byp;
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
	struct iomm_domain dom[3];
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

static void test_ste_stage1_granules(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	check_granules(f, IOMM_DOMAIN_S1);
	fx_check_hygiene(f);
}

static void test_ste_stage2_granules(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	check_granules(f, IOMM_DOMAIN_S2);
	fx_check_hygiene(f);
}

/* Nested: the CD and stage-1 tables are fetched through stage 2 (the parent
 * maps the child's pool one to one), the output of stage 1 goes through
 * stage 2 again. */
static void test_ste_nested(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct nest n;
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
static void test_phys_addresses_differ(void **state)
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
	struct nest n;
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
static void test_ste_blocked_and_detach(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom d;
	struct iomm_domain blocked;
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
static void test_fault_records_stage1(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom d;
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
static void test_fault_records_stage2(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct iomm_pool *pool = fx_pool(f, 4096, 32);
	struct iomm_domain s2;
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

static void test_inval_stage1(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom d;
	struct iomm_dev dev;
	pdom_up(f, &d, IOMM_DOMAIN_S1);
	fx_attach(f, &dev, &d.dom, 40, 0);
	check_invalidation(f, &d.dom, 40);
	fx_check_hygiene(f);
}

static void test_inval_stage2(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom d;
	struct iomm_dev dev;
	pdom_up(f, &d, IOMM_DOMAIN_S2);
	fx_attach(f, &dev, &d.dom, 41, 0);
	check_invalidation(f, &d.dom, 41);
	fx_check_hygiene(f);
}

/* Nested: stage-2 changes under a live stage 1 reach the combined entries;
 * stage-1 changes are invalidated with the child's ASID and the parent's VMID. */
static void test_inval_nested(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct nest n;
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

/* ==== 5. commands per operation ============================================ */

/* Mapping over invalid entries needs no invalidation: no command at all. */
static void test_cmds_map_sends_none(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom a, b;
	struct iomm_dev da, db;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	pdom_up(f, &b, IOMM_DOMAIN_S2);
	fx_attach(f, &da, &a.dom, 1, 0);
	fx_attach(f, &db, &b.dom, 2, 0);
	fx_snap(f);
	assert_int_equal(iomm_map(&a.dom, 0x100000, 0x40000000, 16 * SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&a.dom, SZ2M, 0x40200000, SZ2M, RW), IOMM_OK);
	assert_int_equal(iomm_map(&b.dom, 0x100000, 0x50000000, 16 * SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&b.dom, SZ2M, 0x50200000, SZ2M, IOMM_READ), IOMM_OK);
	assert_int_equal(f->smmu.stats.cmds, f->snap_stats.cmds);
	assert_int_equal(f->smmu.stats.syncs, f->snap_stats.syncs);
	assert_int_equal(fx_consumed(f), 0);
	assert_int_equal(fx_nlog(f), 0);
	/* and the mappings are live anyway */
	assert_int_equal(fx_xlate(f, 1, 0x10f008, RD), 0x4000f008);
	assert_int_equal(fx_xlate(f, 1, 0x3ff000, WR), 0x403ff000);
	assert_int_equal(fx_xlate(f, 2, 0x100000, WR), 0x50000000);
	assert_int_equal(fx_xlate(f, 2, 0x300000, RD), 0x50300000);
	fx_check_hygiene(f);
}

/* One page, no range invalidation: one TLBI by address plus one CMD_SYNC. */
static void test_cmds_unmap_page(void **state)
{
	struct fx *f = *state;
	f->mcfg.ril = false;
	fx_start(f);
	struct pdom a, b;
	struct iomm_dev da, db;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	pdom_up(f, &b, IOMM_DOMAIN_S2);
	fx_attach(f, &da, &a.dom, 1, 0);
	fx_attach(f, &db, &b.dom, 2, 0);
	assert_int_equal(iomm_map(&a.dom, 0x123000, 0x40000000, SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&b.dom, 0x456000, 0x50000000, SZ4K, RW), IOMM_OK);
	assert_int_equal(fx_xlate(f, 1, 0x123000, RD), 0x40000000);
	assert_int_equal(fx_xlate(f, 2, 0x456000, RD), 0x50000000);

	/* stage 1: TLBI_NH_VA with the domain's ASID */
	fx_snap(f);
	assert_int_equal(iomm_unmap(&a.dom, 0x123000, SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_consumed(f), 2);
	assert_int_equal(fx_ops(f, OP_NH_VA), 1);
	assert_int_equal(fx_ops(f, OP_SYNC), 1);
	assert_int_equal(f->smmu.stats.cmds - f->snap_stats.cmds, 2);
	assert_int_equal(f->smmu.stats.tlbi - f->snap_stats.tlbi, 1);
	assert_int_equal(f->smmu.stats.syncs - f->snap_stats.syncs, 1);
	const struct smmuv3_model_cmd_log_entry *e = fx_log(f, 0);
	assert_int_equal(e->op, OP_NH_VA);
	assert_int_not_equal(a.dom.id, 0);
	assert_int_equal(C_ASID(e->w[0]), a.dom.id);
	assert_int_equal(C_VMID(e->w[0]), 0);
	assert_int_equal(C_ADDR(e->w[1]), 0x123000);
	assert_int_equal(C_LEAF(e->w[1]), 1);
	assert_int_equal(fx_log(f, 1)->op, OP_SYNC);
	assert_int_equal(fx_dma(f, 1, 0x123000, RD, NULL), -EV_TRANSLATION);

	/* stage 2: TLBI_S2_IPA with the domain's VMID */
	fx_snap(f);
	assert_int_equal(iomm_unmap(&b.dom, 0x456000, SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_consumed(f), 2);
	assert_int_equal(fx_ops(f, OP_S2_IPA), 1);
	assert_int_equal(fx_ops(f, OP_SYNC), 1);
	e = fx_log(f, 0);
	assert_int_equal(e->op, OP_S2_IPA);
	assert_int_not_equal(b.dom.id, 0);
	assert_int_equal(C_VMID(e->w[0]), b.dom.id);
	assert_int_equal(C_ADDR(e->w[1]), 0x456000);
	assert_int_equal(C_LEAF(e->w[1]), 1);
	assert_int_equal(fx_log(f, 1)->op, OP_SYNC);
	assert_int_equal(fx_dma(f, 2, 0x456000, RD, NULL), -EV_TRANSLATION);

	/* unmapping nothing sends nothing */
	fx_snap(f);
	assert_int_equal(iomm_unmap(&a.dom, 0x900000, SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_consumed(f), 0);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	fx_check_hygiene(f);
}

/* One page with range invalidation: the range form with TG and the level hint. */
static void test_cmds_unmap_page_ril(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	assert_true(f->smmu.features & IOMM_SMMUV3_F_RIL);
	struct pdom a, b;
	struct iomm_dev da, db;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	pdom_up(f, &b, IOMM_DOMAIN_S2);
	fx_attach(f, &da, &a.dom, 1, 0);
	fx_attach(f, &db, &b.dom, 2, 0);
	assert_int_equal(iomm_map(&a.dom, 0x123000, 0x40000000, SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&b.dom, 0x456000, 0x50000000, SZ4K, RW), IOMM_OK);
	assert_int_equal(fx_xlate(f, 1, 0x123000, RD), 0x40000000);
	assert_int_equal(fx_xlate(f, 2, 0x456000, RD), 0x50000000);

	fx_snap(f);
	assert_int_equal(iomm_unmap(&a.dom, 0x123000, SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_consumed(f), 2);
	const struct smmuv3_model_cmd_log_entry *e = fx_find(f, OP_NH_VA, 0);
	assert_non_null(e);
	assert_int_equal(C_ASID(e->w[0]), a.dom.id);
	assert_int_equal(C_TG(e->w[1]), 1);  /* 4 KiB */
	assert_int_equal(C_TTL(e->w[1]), 3); /* a level-3 page */
	assert_int_equal(C_NUM(e->w[0]), 0); /* (0 + 1) << 0 = one page */
	assert_int_equal(C_SCALE(e->w[0]), 0);
	assert_int_equal(C_ADDR(e->w[1]), 0x123000);
	assert_int_equal(fx_dma(f, 1, 0x123000, RD, NULL), -EV_TRANSLATION);

	fx_snap(f);
	assert_int_equal(iomm_unmap(&b.dom, 0x456000, SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_consumed(f), 2);
	e = fx_find(f, OP_S2_IPA, 0);
	assert_non_null(e);
	assert_int_equal(C_VMID(e->w[0]), b.dom.id);
	assert_int_equal(C_TG(e->w[1]), 1);
	assert_int_equal(C_TTL(e->w[1]), 3);
	assert_int_equal(C_NUM(e->w[0]) | C_SCALE(e->w[0]), 0);
	assert_int_equal(fx_dma(f, 2, 0x456000, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	fx_check_hygiene(f);
}

/* Without range invalidation: up to the threshold (32) one TLBI per page and
 * still one CMD_SYNC; beyond it one ASID- or VMID-wide command. */
static void test_cmds_unmap_wide(void **state)
{
	struct fx *f = *state;
	f->mcfg.ril = false;
	fx_start(f);
	struct pdom a, b;
	struct iomm_dev da, db;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	pdom_up(f, &b, IOMM_DOMAIN_S2);
	fx_attach(f, &da, &a.dom, 1, 0);
	fx_attach(f, &db, &b.dom, 2, 0);
	const uint64_t base = 0x100000;
	assert_int_equal(iomm_map(&a.dom, base, 0x40000000, 256 * SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&b.dom, base, 0x50000000, 256 * SZ4K, RW), IOMM_OK);
	for (uint64_t i = 0; i < 256; i++) {
		fx_xlate(f, 1, base + i * SZ4K, RD);
		fx_xlate(f, 2, base + i * SZ4K, RD);
	}
	assert_int_equal(smmuv3_model_tlb_count(&f->model), 512);

	/* exactly the threshold: 32 page commands, one sync */
	fx_snap(f);
	assert_int_equal(iomm_unmap(&a.dom, base, 32 * SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_ops(f, OP_NH_VA), 32);
	assert_int_equal(fx_ops(f, OP_NH_ASID), 0);
	assert_int_equal(fx_ops(f, OP_SYNC), 1);
	assert_int_equal(fx_consumed(f), 33);
	assert_int_equal(smmuv3_model_tlb_count(&f->model), 512 - 32);

	/* 224 pages: one TLBI_NH_ASID */
	fx_snap(f);
	assert_int_equal(iomm_unmap(&a.dom, base + 32 * SZ4K, 224 * SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_ops(f, OP_NH_ASID), 1);
	assert_int_equal(fx_ops(f, OP_NH_VA), 0);
	assert_int_equal(fx_ops(f, OP_SYNC), 1);
	assert_int_equal(fx_consumed(f), 2);
	assert_int_equal(f->smmu.stats.tlbi - f->snap_stats.tlbi, 1);
	assert_int_equal(C_ASID(fx_find(f, OP_NH_ASID, 0)->w[0]), a.dom.id);
	assert_int_equal(smmuv3_model_tlb_count(&f->model), 256);

	/* stage 2, 256 pages: one TLBI_S12_VMALL */
	fx_snap(f);
	assert_int_equal(iomm_unmap(&b.dom, base, 256 * SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_ops(f, OP_S12_VMALL), 1);
	assert_int_equal(fx_ops(f, OP_S2_IPA), 0);
	assert_int_equal(fx_ops(f, OP_SYNC), 1);
	assert_int_equal(fx_consumed(f), 2);
	assert_int_equal(C_VMID(fx_find(f, OP_S12_VMALL, 0)->w[0]), b.dom.id);
	assert_int_equal(smmuv3_model_tlb_count(&f->model), 0);

	assert_int_equal(fx_dma(f, 1, base, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(fx_dma(f, 1, base + 255 * SZ4K, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(fx_dma(f, 2, base + 128 * SZ4K, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	fx_check_hygiene(f);
}

/* cfg.inv_threshold moves the point where per-page commands become one
 * ASID-wide command. */
static void test_cmds_threshold_option(void **state)
{
	struct fx *f = *state;
	f->mcfg.ril = false;
	f->cfg.inv_threshold = 4;
	fx_start(f);
	struct pdom a;
	struct iomm_dev da;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	fx_attach(f, &da, &a.dom, 1, 0);
	assert_int_equal(iomm_map(&a.dom, 0x100000, 0x40000000, 9 * SZ4K, RW), IOMM_OK);
	fx_snap(f);
	assert_int_equal(iomm_unmap(&a.dom, 0x100000, 4 * SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_ops(f, OP_NH_VA), 4);
	assert_int_equal(fx_ops(f, OP_NH_ASID), 0);
	fx_snap(f);
	assert_int_equal(iomm_unmap(&a.dom, 0x104000, 5 * SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_ops(f, OP_NH_VA), 0);
	assert_int_equal(fx_ops(f, OP_NH_ASID), 1);
	assert_int_equal(fx_ops(f, OP_SYNC), 1);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	fx_check_hygiene(f);
}

/* With range invalidation, 256 aligned pages are one command, and the model
 * drops exactly those 256 translations, not their neighbours. */
static void test_cmds_unmap_range_ril(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom a;
	struct iomm_dev da;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	fx_attach(f, &da, &a.dom, 1, 0);
	const uint64_t lo = 0xff000, hi = 0x200000; /* one page either side */
	assert_int_equal(iomm_map(&a.dom, lo, 0x40000000, hi + SZ4K - lo, RW), IOMM_OK);
	for (uint64_t v = lo; v <= hi; v += SZ4K)
		fx_xlate(f, 1, v, RD);
	assert_int_equal(smmuv3_model_tlb_count(&f->model), 258);

	fx_snap(f);
	uint64_t inv = f->model.stats.tlb_invalidated;
	assert_int_equal(iomm_unmap(&a.dom, 0x100000, 256 * SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_ops(f, OP_NH_VA), 1);
	assert_int_equal(fx_ops(f, OP_SYNC), 1);
	assert_int_equal(fx_consumed(f), 2);
	const struct smmuv3_model_cmd_log_entry *e = fx_find(f, OP_NH_VA, 0);
	assert_int_equal(C_ADDR(e->w[1]), 0x100000);
	assert_int_equal(C_TG(e->w[1]), 1);
	assert_int_equal(C_SCALE(e->w[0]), 8); /* (0 + 1) << 8 pages */
	assert_int_equal(C_NUM(e->w[0]), 0);
	assert_int_equal(C_TTL(e->w[1]), 3);
	assert_int_equal(f->model.stats.tlb_invalidated - inv, 256);
	assert_int_equal(smmuv3_model_tlb_count(&f->model), 2);

	/* the neighbours are still served from the TLB */
	uint64_t hits = f->model.stats.tlb_hits, misses = f->model.stats.tlb_misses;
	assert_int_equal(fx_xlate(f, 1, lo, RD), 0x40000000);
	assert_int_equal(fx_xlate(f, 1, hi, RD), 0x40000000 + hi - lo);
	assert_int_equal(f->model.stats.tlb_hits - hits, 2);
	assert_int_equal(f->model.stats.tlb_misses, misses);
	assert_int_equal(fx_dma(f, 1, 0x100000, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(fx_dma(f, 1, hi - SZ4K, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	fx_check_hygiene(f);
}

/* A 2 MiB block, with range invalidation: one command, TG 4K, level hint 2. */
static void test_cmds_unmap_block_ril(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom a;
	struct iomm_dev da;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	fx_attach(f, &da, &a.dom, 1, 0);
	assert_int_equal(iomm_map(&a.dom, 0x400000, 0x40000000, SZ2M, RW), IOMM_OK);
	assert_int_equal(fx_xlate(f, 1, 0x512340, RD), 0x40112340);
	assert_int_equal(f->model.tlb[0].level, 2); /* it is a block */

	fx_snap(f);
	assert_int_equal(iomm_unmap(&a.dom, 0x400000, SZ2M, NULL), IOMM_OK);
	assert_int_equal(fx_ops(f, OP_NH_VA), 1);
	assert_int_equal(fx_ops(f, OP_SYNC), 1);
	assert_int_equal(fx_consumed(f), 2);
	assert_int_equal(f->smmu.stats.tlbi - f->snap_stats.tlbi, 1);
	const struct smmuv3_model_cmd_log_entry *e = fx_find(f, OP_NH_VA, 0);
	assert_int_equal(C_ADDR(e->w[1]), 0x400000);
	assert_int_equal(C_TG(e->w[1]), 1);
	assert_int_equal(C_TTL(e->w[1]), 2);
	assert_int_equal(C_SCALE(e->w[0]), 9);
	assert_int_equal(C_NUM(e->w[0]), 0);
	assert_int_equal(fx_dma(f, 1, 0x512340, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	fx_check_hygiene(f);
}

/* With range invalidation, one unmap removing a page and a block (two leaf
 * levels, so no level hint): every command must be legal and every removed
 * translation must go. A range command with TTL, NUM and SCALE all zero is
 * a reserved encoding (the model rejects it with CERROR_ILL). */
static void test_cmds_unmap_mixed_levels_ril(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom a;
	struct iomm_dev da;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	fx_attach(f, &da, &a.dom, 1, 0);
	assert_int_equal(iomm_map(&a.dom, 0x1ff000, 0x30000000, SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&a.dom, 0x200000, 0x40000000, SZ2M, RW), IOMM_OK);
	assert_int_equal(fx_xlate(f, 1, 0x1ff000, RD), 0x30000000);
	assert_int_equal(fx_xlate(f, 1, 0x300000, RD), 0x40100000);

	fx_snap(f);
	uint64_t unmapped = 0;
	int rc = iomm_unmap(&a.dom, 0x1ff000, 0x400000 - 0x1ff000, &unmapped);
	assert_int_equal(unmapped, SZ4K + SZ2M);
	/* both translations are gone */
	assert_int_equal(fx_dma(f, 1, 0x300000, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(fx_dma(f, 1, 0x1ff000, RD, NULL), -EV_TRANSLATION);
	/* and the SMMU accepted every command */
	assert_int_equal(f->model.stats.cmd_errors, f->snap_cmd_errors);
	assert_int_equal(f->smmu.stats.cmd_errors, 0);
	assert_int_equal(rc, IOMM_OK);
	fx_check_hygiene(f);
}

/* Detach: the streams abort at once (their cached STEs are gone); one
 * CFGI_STE for each stream of the device, then one CMD_SYNC. */
static void test_cmds_detach(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom a;
	struct iomm_dev dev;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	assert_int_equal(iomm_map(&a.dom, 0x100000, 0x40000000, SZ4K, RW), IOMM_OK);
	fx_attach(f, &dev, &a.dom, 8, 3); /* streams 8..11 */
	for (uint32_t sid = 8; sid < 12; sid++) {
		assert_int_equal(fx_xlate(f, sid, 0x100000, RD), 0x40000000);
		assert_true(smmuv3_model_ste_cached(&f->model, sid));
	}
	assert_int_equal(fx_dma(f, 12, 0x100000, RD, NULL), SMMUV3_MODEL_ABORT);

	fx_snap(f);
	assert_int_equal(iomm_detach(&dev), IOMM_OK);
	for (uint32_t sid = 8; sid < 12; sid++) {
		assert_false(smmuv3_model_ste_cached(&f->model, sid));
		assert_int_equal(fx_dma(f, sid, 0x100000, RD, NULL), SMMUV3_MODEL_ABORT);
	}
	for (unsigned i = 0; i < 4; i++) {
		const struct smmuv3_model_cmd_log_entry *e = fx_find(f, OP_CFGI_STE, i);
		assert_non_null(e);
		assert_int_equal(C_SID(e->w[0]), 8 + i);
	}
	assert_int_equal(fx_log(f, fx_nlog(f) - 1)->op, OP_SYNC);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	assert_int_equal(fx_poll(f), 0);
	fx_check_hygiene(f);
	/* one round is enough: the new entry (abort) grants nothing, so there
	 * is no intermediate state to pass through first */
	assert_int_equal(fx_ops(f, OP_CFGI_STE), 4);
	assert_int_equal(fx_ops(f, OP_SYNC), 1);
	assert_int_equal(fx_consumed(f), 5);
}

/* Attach of a fresh (aborting) stream: its STE is written and invalidated
 * once. Attach of a stream whose STE still grants access (left by an earlier
 * owner: white-box, written into the table by hand) goes through abort
 * first: CFGI_STE + CMD_SYNC, then the new STE, CFGI_STE + CMD_SYNC. */
static void test_cmds_attach(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom a;
	struct iomm_dev fresh, live;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	assert_int_equal(iomm_map(&a.dom, 0x100000, 0x40000000, SZ4K, RW), IOMM_OK);

	assert_int_equal(fx_dma(f, 30, 0x100000, RD, NULL), SMMUV3_MODEL_ABORT);
	fx_snap(f);
	fx_attach(f, &fresh, &a.dom, 30, 0);
	assert_int_equal(fx_ops(f, OP_CFGI_STE), 1);
	assert_int_equal(fx_ops(f, OP_SYNC), 1);
	assert_int_equal(fx_consumed(f), 2);
	assert_int_equal(C_SID(fx_log(f, 0)->w[0]), 30);
	assert_int_equal(fx_xlate(f, 30, 0x100000, RD), 0x40000000);

	/* stream 31 bypasses (V = 1, Config = 0b100), and the SMMU has it cached */
	uint64_t *ste = fx_ste(f, 31);
	for (unsigned w = 1; w < 8; w++)
		le64_store(&ste[w], 0);
	le64_store(&ste[0], 1u | (4u << 1));
	smmuv3_model_drop_caches(&f->model);
	assert_int_equal(fx_xlate(f, 31, 0x100000, RD), 0x100000);
	assert_true(smmuv3_model_ste_cached(&f->model, 31));

	fx_snap(f);
	fx_attach(f, &live, &a.dom, 31, 0);
	assert_int_equal(fx_consumed(f), 4);
	assert_int_equal(fx_log(f, 0)->op, OP_CFGI_STE);
	assert_int_equal(C_SID(fx_log(f, 0)->w[0]), 31);
	assert_int_equal(fx_log(f, 1)->op, OP_SYNC);
	assert_int_equal(fx_log(f, 2)->op, OP_CFGI_STE);
	assert_int_equal(C_SID(fx_log(f, 2)->w[0]), 31);
	assert_int_equal(fx_log(f, 3)->op, OP_SYNC);
	assert_int_equal(fx_xlate(f, 31, 0x100000, RD), 0x40000000);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	fx_check_hygiene(f);
}

/* 2-level stream table: a level-2 span comes from the pool on the first
 * attach of a stream in it, and only then; a descriptor the SMMU cached
 * while it was invalid is invalidated. */
static void test_stream_table_2lvl(void **state)
{
	struct fx *f = *state;
	f->cfg.flags = IOMM_SMMUV3_CFG_2LVL;
	f->strtab_size = 64u * 8u; /* 64 spans of 64 streams: 12 SID bits */
	f->mcfg.cache_invalid_cfg = true;
	fx_start(f);
	assert_int_equal(f->smmu.unit.sid_bits, 12);
	assert_int_equal(iomm_pool_used(f->st_pool), 0);

	struct pdom a;
	struct iomm_dev d70, d71, d128, d4095, bad;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	assert_int_equal(iomm_map(&a.dom, 0x100000, 0x40000000, SZ4K, RW), IOMM_OK);

	/* no span yet: the stream is unknown, and its empty descriptor gets cached */
	assert_int_equal(fx_dma(f, 70, 0x100000, RD, NULL), -EV_BAD_STREAMID);
	assert_int_equal(fx_poll(f), 1);
	assert_int_equal(f->faults[0].reason, IOMM_FAULT_BAD_STREAM);

	fx_attach(f, &d70, &a.dom, 70, 0);
	assert_int_equal(iomm_pool_used(f->st_pool), 1);
	assert_int_equal(fx_xlate(f, 70, 0x100008, RD), 0x40000008);
	fx_attach(f, &d71, &a.dom, 71, 0);
	assert_int_equal(iomm_pool_used(f->st_pool), 1);
	assert_int_equal(fx_xlate(f, 71, 0x100008, RD), 0x40000008);
	/* a neighbour in the span aborts */
	assert_int_equal(fx_dma(f, 72, 0x100000, RD, NULL), SMMUV3_MODEL_ABORT);

	fx_attach(f, &d128, &a.dom, 128, 0);
	assert_int_equal(iomm_pool_used(f->st_pool), 2);
	fx_attach(f, &d4095, &a.dom, 4095, 0);
	assert_int_equal(iomm_pool_used(f->st_pool), 3);
	assert_int_equal(fx_xlate(f, 128, 0x100010, RD), 0x40000010);
	assert_int_equal(fx_xlate(f, 4095, 0x100010, WR), 0x40000010);

	struct iomm_devid id = IOMM_SID(4096);
	assert_int_equal(iomm_dev_init(&bad, &f->smmu.unit, &id), IOMM_ERANGE);

	assert_int_equal(iomm_detach(&d70), IOMM_OK);
	assert_int_equal(fx_dma(f, 70, 0x100000, RD, NULL), SMMUV3_MODEL_ABORT);
	assert_int_equal(fx_xlate(f, 71, 0x100000, RD), 0x40000000);
	fx_attach(f, &d70, &a.dom, 70, 0);
	assert_int_equal(iomm_pool_used(f->st_pool), 3);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	assert_int_equal(fx_poll(f), 0);
	fx_check_hygiene(f);
}

/* 2-level stream table whose span pool runs dry: the attach fails with
 * ENOMEM and the stream stays unusable. */
static void test_stream_table_2lvl_no_memory(void **state)
{
	struct fx *f = *state;
	f->cfg.flags = IOMM_SMMUV3_CFG_2LVL;
	f->strtab_size = 64u * 8u;
	f->st_pool = fx_pool(f, 4096, 1);
	fx_start(f);
	struct pdom a;
	struct iomm_dev d0, d64;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	assert_int_equal(iomm_map(&a.dom, 0x100000, 0x40000000, SZ4K, RW), IOMM_OK);
	fx_attach(f, &d0, &a.dom, 0, 0);
	struct iomm_devid id = IOMM_SID(64);
	assert_int_equal(iomm_dev_init(&d64, &f->smmu.unit, &id), IOMM_OK);
	assert_int_equal(iomm_attach(&a.dom, &d64), IOMM_ENOMEM);
	assert_int_equal(iomm_detach(&d64), IOMM_ENOENT);
	assert_int_not_equal(fx_dma(f, 64, 0x100000, RD, NULL), 0);
	assert_int_equal(fx_xlate(f, 0, 0x100000, RD), 0x40000000);
	fx_poll(f);
	fx_check_hygiene(f);
}

/* ==== 6. a command queue the SMMU stops consuming ========================== */

/* The unmap gives up after the timeout (fake time), reporting that the page
 * is out of the table but may still be cached; nothing hangs. Once the SMMU
 * runs again the queued invalidation takes effect and later calls work. */
static void test_cmdq_stall_timeout(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom a, b;
	struct iomm_dev dev;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	pdom_up(f, &b, IOMM_DOMAIN_S1);
	assert_int_equal(iomm_map(&a.dom, 0x100000, 0x40000000, 2 * SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&b.dom, 0x100000, 0x41000000, SZ4K, RW), IOMM_OK);
	fx_attach(f, &dev, &a.dom, 1, 0);
	assert_int_equal(fx_xlate(f, 1, 0x100000, RD), 0x40000000);

	f->model.cfg.stall_cmdq = true;
	uint64_t t0 = f->px.fake_now, calls0 = f->px.now_calls;
	uint64_t errors = iomm_posix_log_count(&f->px, IOMM_LOG_ERROR);
	uint64_t unmapped = 0;
	assert_int_equal(iomm_unmap(&a.dom, 0x100000, SZ4K, &unmapped), IOMM_ETIMEDOUT);
	assert_int_equal(unmapped, SZ4K);
	assert_true(f->px.fake_now - t0 >= UINT64_C(100000000)); /* the default bound */
	assert_true(f->px.now_calls - calls0 < 10000);		 /* and not much more */
	assert_true(iomm_posix_log_count(&f->px, IOMM_LOG_ERROR) > errors);
	assert_int_equal(iomm_iova_to_phys(&a.dom, 0x100000, &(uint64_t){0}), IOMM_ENOENT);
	/* as documented: still cached, the SMMU never saw the TLBI */
	assert_int_equal(fx_xlate(f, 1, 0x100000, RD), 0x40000000);

	/* a domain whose teardown is not confirmed keeps its table pages */
	size_t used = iomm_pool_used(b.pool);
	assert_int_equal(iomm_domain_destroy(&b.dom), IOMM_ETIMEDOUT);
	assert_int_equal(iomm_pool_used(b.pool), used);

	/* the SMMU comes back and drains what was queued */
	f->model.cfg.stall_cmdq = false;
	smmuv3_model_process(&f->model);
	assert_int_equal(fx_dma(f, 1, 0x100000, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(fx_xlate(f, 1, 0x101000, RD), 0x40001000);
	assert_int_equal(iomm_unmap(&a.dom, 0x101000, SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_dma(f, 1, 0x101000, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(iomm_map(&a.dom, 0x100000, 0x42000000, SZ4K, RW), IOMM_OK);
	assert_int_equal(fx_xlate(f, 1, 0x100000, RD), 0x42000000);
	assert_int_equal(fx_poll(f), 2);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	fx_check_hygiene(f);
}

/* A command the SMMU rejects (white-box: an unknown opcode put in the queue
 * behind the backend's back): the backend finds GERROR.CMDQ_ERR, replaces
 * the command, acknowledges, counts and reports it; its own invalidation
 * still happens. */
static void test_cmdq_error_recovery(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom a;
	struct iomm_dev dev;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	assert_int_equal(iomm_map(&a.dom, 0x100000, 0x40000000, 2 * SZ4K, RW), IOMM_OK);
	fx_attach(f, &dev, &a.dom, 1, 0);
	assert_int_equal(fx_xlate(f, 1, 0x100000, RD), 0x40000000);
	assert_int_equal(fx_xlate(f, 1, 0x101000, RD), 0x40001000);

	struct iomm_smmuv3 *s = &f->smmu;
	uint32_t entries = 1u << s->cmdq_shift;
	uint8_t *slot = (uint8_t *)f->mem.cmdq + 16u * (s->cmdq_prod & (entries - 1));
	le64_store(slot, 0xffu); /* a reserved opcode */
	le64_store(slot + 8, 0);
	s->cmdq_prod = (s->cmdq_prod + 1) & ((2u << s->cmdq_shift) - 1);

	fx_snap(f);
	uint64_t errors = iomm_posix_log_count(&f->px, IOMM_LOG_ERROR);
	int rc = iomm_unmap(&a.dom, 0x100000, SZ4K, NULL);
	/* the backend reports a recovered command error as IOMM_EIO */
	assert_int_equal(rc, IOMM_EIO);
	assert_int_equal(s->stats.cmd_errors, 1);
	assert_int_equal(f->model.stats.cmd_errors - f->snap_cmd_errors, 1);
	assert_int_equal(fx_log(f, 0)->op, 0xffu);
	assert_int_equal(fx_log(f, 0)->err, SMMUV3_M_CERROR_ILL);
	assert_false(smmuv3_model_cmdq_error(&f->model));
	assert_true(iomm_posix_log_count(&f->px, IOMM_LOG_ERROR) > errors);
	/* the invalidation behind it was executed */
	assert_int_equal(fx_ops(f, OP_NH_VA), 1);
	assert_int_equal(fx_dma(f, 1, 0x100000, RD, NULL), -EV_TRANSLATION);

	/* and the queue is healthy again */
	fx_snap(f);
	assert_int_equal(iomm_unmap(&a.dom, 0x101000, SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_consumed(f), 2);
	assert_int_equal(s->stats.cmd_errors, 1);
	assert_int_equal(fx_dma(f, 1, 0x101000, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(fx_poll(f), 2); /* a command error is not a global error left active */
	fx_check_hygiene(f);
}

/* An external abort on every command fetch (CERROR_ABT) for a while: the
 * wait is still bounded by the timeout (about 100 polls of the fake clock),
 * and the command that could not be fetched is not lost: it is legal, and
 * once memory answers again the page is invalidated. */
static void test_cmdq_fetch_abort(void **state)
{
	struct fx *f = *state;
	f->phys_base = UINT64_C(0x80000000);
	fx_start(f);
	struct pdom a;
	struct iomm_dev dev;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	assert_int_equal(iomm_map(&a.dom, 0x100000, 0x40000000, 2 * SZ4K, RW), IOMM_OK);
	fx_attach(f, &dev, &a.dom, 1, 0);
	assert_int_equal(fx_xlate(f, 1, 0x100000, RD), 0x40000000);
	assert_int_equal(fx_xlate(f, 1, 0x101000, RD), 0x40001000);

	f->fail_lo = f->mem.cmdq_pa;
	f->fail_hi = f->mem.cmdq_pa + f->mem.cmdq_size;
	f->fail_budget = 5000;
	int rc = iomm_unmap(&a.dom, 0x100000, SZ4K, NULL);
	uint64_t tries = f->fail_hits;
	f->fail_budget = 0;
	assert_true(f->model.stats.cmd_errors > 0);
	assert_int_not_equal(rc, IOMM_OK);
	assert_true(tries < 1000); /* gave up near the timeout, not when memory came back */

	/* memory is back: the next call drains the queue, the first page went too */
	assert_int_equal(iomm_unmap(&a.dom, 0x101000, SZ4K, NULL) == IOMM_ETIMEDOUT, false);
	assert_int_equal(fx_dma(f, 1, 0x101000, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(fx_dma(f, 1, 0x100000, RD, NULL), -EV_TRANSLATION);
	assert_false(smmuv3_model_cmdq_error(&f->model));
}

/* The smallest queue (two slots) wraps many times in one call. */
static void test_cmdq_tiny_queue(void **state)
{
	struct fx *f = *state;
	f->cmdq_size = 32;
	f->mcfg.ril = false;
	fx_start(f);
	struct pdom a;
	struct iomm_dev dev;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	assert_int_equal(iomm_map(&a.dom, 0x100000, 0x40000000, 20 * SZ4K, RW), IOMM_OK);
	fx_attach(f, &dev, &a.dom, 1, 3);
	for (uint64_t i = 0; i < 20; i++)
		fx_xlate(f, 1, 0x100000 + i * SZ4K, RD);
	fx_snap(f);
	assert_int_equal(iomm_unmap(&a.dom, 0x100000, 20 * SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_ops(f, OP_NH_VA), 20);
	assert_int_equal(fx_ops(f, OP_SYNC), 1);
	for (uint64_t i = 0; i < 20; i++)
		assert_int_equal(fx_dma(f, 1, 0x100000 + i * SZ4K, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(iomm_detach(&dev), IOMM_OK);
	assert_int_equal(fx_dma(f, 2, 0x100000, RD, NULL), SMMUV3_MODEL_ABORT);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	assert_int_equal(fx_poll(f), 20);
	fx_check_hygiene(f);
}

/* ==== 8. event queue overflow ============================================== */

static void test_evtq_overflow(void **state)
{
	struct fx *f = *state;
	f->mcfg.evtq_max_entries = 4;
	fx_start(f);
	struct pdom a;
	struct iomm_dev dev;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	fx_attach(f, &dev, &a.dom, 7, 0);
	for (uint64_t i = 0; i < 10; i++)
		assert_int_equal(fx_dma(f, 7, 0x100000 + i * SZ4K, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(f->model.stats.events_written, 4);
	assert_int_equal(f->model.stats.events_overflowed, 6);

	assert_int_equal(fx_poll(f), 4);
	assert_int_equal(f->nfaults, 4);
	uint32_t lost = 0;
	unsigned with_lost = 0;
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(f->faults[i].addr, 0x100000 + i * SZ4K); /* the oldest ones */
		assert_int_equal(f->faults[i].sid, 7);
		lost += f->faults[i].lost;
		with_lost += f->faults[i].lost != 0;
	}
	assert_true(lost > 0);
	assert_int_equal(with_lost, 1);
	assert_int_equal(f->smmu.stats.overflows, 1);
	assert_true(iomm_posix_log_count(&f->px, IOMM_LOG_WARN) > 0);

	/* acknowledged: new faults are recorded again, with nothing lost */
	for (uint64_t i = 0; i < 2; i++)
		assert_int_equal(fx_dma(f, 7, 0x200000 + i * SZ4K, WR, NULL), -EV_TRANSLATION);
	assert_int_equal(f->model.stats.events_written, 6);
	assert_int_equal(fx_poll(f), 2);
	assert_int_equal(f->faults[0].addr, 0x200000);
	assert_int_equal(f->faults[1].addr, 0x201000);
	assert_int_equal(f->faults[0].lost + f->faults[1].lost, 0);
	assert_int_equal(f->smmu.stats.overflows, 1);
	assert_int_equal(fx_poll(f), 0);
	assert_int_equal(f->smmu.stats.events, 6);
	fx_check_hygiene(f);
}

/* The SMMU cannot write its event queue (GERROR.EVTQ_ABT_ERR): the poll
 * reports the global error once and acknowledges it; events flow again. */
static void test_evtq_write_abort(void **state)
{
	struct fx *f = *state;
	f->phys_base = UINT64_C(0x80000000);
	fx_start(f);
	struct pdom a;
	struct iomm_dev dev;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	fx_attach(f, &dev, &a.dom, 7, 0);
	f->wfail_lo = f->mem.evtq_pa;
	f->wfail_hi = f->mem.evtq_pa + f->mem.evtq_size;
	f->wfail_budget = 1;
	assert_int_equal(fx_dma(f, 7, 0x100000, RD, NULL), -EV_TRANSLATION);
	assert_true((f->model.gerror ^ f->model.gerrorn) & SMMUV3_M_GERROR_EVTQ_ABT);
	uint64_t errors = iomm_posix_log_count(&f->px, IOMM_LOG_ERROR);
	assert_int_equal(fx_poll(f), IOMM_EIO);
	assert_true(iomm_posix_log_count(&f->px, IOMM_LOG_ERROR) > errors);
	assert_false((f->model.gerror ^ f->model.gerrorn) & SMMUV3_M_GERROR_EVTQ_ABT);
	assert_int_equal(fx_poll(f), 0);
	assert_int_equal(fx_dma(f, 7, 0x200000, WR, NULL), -EV_TRANSLATION);
	assert_int_equal(fx_poll(f), 1);
	assert_int_equal(f->faults[0].addr, 0x200000);
	fx_check_hygiene(f);
}

/* ==== 9. init failures ===================================================== */

static void test_init_cr0ack_timeout(void **state)
{
	struct fx *f = *state;
	f->mcfg.cr0ack_broken = true;
	assert_int_equal(fx_boot(f), IOMM_ETIMEDOUT);
	assert_true(f->px.fake_now >= UINT64_C(100000000));
	assert_true(iomm_posix_log_count(&f->px, IOMM_LOG_ERROR) > 0);
	/* translation never came on */
	assert_int_equal(f->model.cr0 & CR0_SMMUEN, 0);
	assert_int_equal(fx_dma(f, 0, 0x1000, RD, NULL), SMMUV3_MODEL_ABORT);
	/* a bounded wait with its own timeout */
	f->cfg.timeout_ns = 5000000;
	uint64_t t0 = f->px.fake_now;
	assert_int_equal(fx_boot(f), IOMM_ETIMEDOUT);
	assert_true(f->px.fake_now - t0 >= UINT64_C(5000000));
	assert_true(f->px.fake_now - t0 < UINT64_C(100000000));
}

static void test_init_gbpa_timeout(void **state)
{
	struct fx *f = *state;
	f->mcfg.gbpa_broken = true;
	fx_port_up(f);
	iomm_posix_trace_enable(&f->px, true);
	assert_int_equal(fx_boot(f), IOMM_ETIMEDOUT);
	assert_true(f->px.fake_now >= UINT64_C(100000000));
	/* it gave up before touching CR0 or the stream table */
	for (size_t i = 0; i < iomm_posix_trace_count(&f->px) && i < FX_TRACE_CAP; i++) {
		const struct iomm_posix_mmio_access *a = iomm_posix_trace_get(&f->px, i);
		if (a->write)
			assert_int_equal(a->addr - FX_REGS, R_GBPA);
	}
}

static uint64_t zero_read(void *ctx, uint64_t offset, unsigned width)
{
	(void)ctx;
	(void)offset;
	(void)width;
	return 0;
}

/* Malformed memory, missing hooks and missing hardware are refused before
 * the SMMU is touched; then a correct init still works. */
static void test_init_bad_arguments(void **state)
{
	struct fx *f = *state;
	fx_start(f); /* model, window and memory */
	const struct iomm_port *port = iomm_posix_port(&f->px);
	struct iomm_smmuv3 *s = &f->smmu;
	struct iomm_smmuv3_mem good = f->mem, m;
	uint64_t writes;

	assert_int_equal(iomm_smmuv3_init(NULL, port, FX_REGS, &good, NULL, NULL), IOMM_EINVAL);
	assert_int_equal(iomm_smmuv3_init(s, NULL, FX_REGS, &good, NULL, NULL), IOMM_EINVAL);
	assert_int_equal(iomm_smmuv3_init(s, port, FX_REGS, NULL, NULL, NULL), IOMM_EINVAL);

	writes = f->px.mmio_writes;
	uint8_t *big = fx_mem(f, 8192, 8192);
	/* command queue: misaligned (VA and PA), PA alone misaligned, too small, not 2^n */
	m = good;
	m.cmdq = big + 16;
	m.cmdq_pa = (uint64_t)(uintptr_t)(big + 16);
	assert_int_equal(iomm_smmuv3_init(s, port, FX_REGS, &m, NULL, NULL), IOMM_EINVAL);
	m = good;
	m.cmdq_pa += 2048;
	assert_int_equal(iomm_smmuv3_init(s, port, FX_REGS, &m, NULL, NULL), IOMM_EINVAL);
	m = good;
	m.cmdq_size = 16;
	assert_int_equal(iomm_smmuv3_init(s, port, FX_REGS, &m, NULL, NULL), IOMM_EINVAL);
	m = good;
	m.cmdq_size = 48;
	assert_int_equal(iomm_smmuv3_init(s, port, FX_REGS, &m, NULL, NULL), IOMM_EINVAL);
	/* event queue: misaligned, too small */
	m = good;
	m.evtq = big + 32;
	m.evtq_pa = (uint64_t)(uintptr_t)(big + 32);
	assert_int_equal(iomm_smmuv3_init(s, port, FX_REGS, &m, NULL, NULL), IOMM_EINVAL);
	m = good;
	m.evtq_size = 16;
	assert_int_equal(iomm_smmuv3_init(s, port, FX_REGS, &m, NULL, NULL), IOMM_EINVAL);
	/* stream table: too small, PA not 64-byte aligned, not aligned to its size */
	m = good;
	m.strtab_size = 32;
	assert_int_equal(iomm_smmuv3_init(s, port, FX_REGS, &m, NULL, NULL), IOMM_EINVAL);
	m = good;
	m.strtab_pa += 8;
	assert_int_equal(iomm_smmuv3_init(s, port, FX_REGS, &m, NULL, NULL), IOMM_EINVAL);
	m = good;
	{
		uint8_t *t = fx_mem(f, 65536, 32768);
		m.strtab = t + 4096; /* a 16 KiB table on a 4 KiB boundary */
		m.strtab_pa = (uint64_t)(uintptr_t)(t + 4096);
		m.strtab_size = 16384;
	}
	assert_int_equal(iomm_smmuv3_init(s, port, FX_REGS, &m, NULL, NULL), IOMM_EINVAL);
	m = good;
	m.strtab = NULL;
	assert_int_equal(iomm_smmuv3_init(s, port, FX_REGS, &m, NULL, NULL), IOMM_EINVAL);
	/* 2-level without a pool for its spans */
	struct iomm_smmuv3_cfg c2 = {.flags = IOMM_SMMUV3_CFG_2LVL};
	assert_int_equal(iomm_smmuv3_init(s, port, FX_REGS, &good, NULL, &c2), IOMM_EINVAL);
	/* more stream IDs asked for than the memory holds */
	struct iomm_smmuv3_cfg cs = {.sid_bits = 9};
	assert_int_equal(iomm_smmuv3_init(s, port, FX_REGS, &good, NULL, &cs), IOMM_EINVAL);
	assert_int_equal(f->px.mmio_writes, writes); /* none of these touched the SMMU */

	/* hooks: no clock, no MMIO, no cache clean on a non-coherent SMMU */
	struct iomm_port p = *port;
	p.now_ns = NULL;
	assert_int_equal(iomm_smmuv3_init(s, &p, FX_REGS, &good, NULL, NULL), IOMM_EINVAL);
	p = *port;
	p.read32 = NULL;
	assert_int_equal(iomm_smmuv3_init(s, &p, FX_REGS, &good, NULL, NULL), IOMM_EINVAL);
	p = *port;
	p.write32 = NULL;
	assert_int_equal(iomm_smmuv3_init(s, &p, FX_REGS, &good, NULL, NULL), IOMM_EINVAL);
	p = *port;
	p.flags = 0;	       /* not coherent... */
	p.clean_tables = NULL; /* ...and nothing to clean with */
	assert_int_equal(iomm_smmuv3_init(s, &p, FX_REGS, &good, NULL, NULL), IOMM_EINVAL);
	assert_int_equal(f->px.mmio_writes, writes);

	/* registers that are not an SMMUv3 */
	static const struct iomm_posix_mmio_ops zero_ops = {.read = zero_read, .write = NULL};
	const uintptr_t other = FX_REGS + 0x100000;
	assert_int_equal(iomm_posix_add_mmio_model(&f->px, other, 0x20000, &zero_ops, NULL),
			 IOMM_OK);
	assert_int_equal(iomm_smmuv3_init(s, port, other, &good, NULL, NULL), IOMM_ENODEV);

	assert_int_equal(iomm_smmuv3_init(s, port, FX_REGS, &good, NULL, NULL), IOMM_OK);
	fx_check_hygiene(f);
}

/* ==== 10. bad input ======================================================== */

static void test_bad_input(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct iomm_unit *u = &f->smmu.unit;
	struct iomm_dev x;
	struct iomm_devid id = IOMM_SID(256); /* 8 SID bits */
	assert_int_equal(iomm_dev_init(&x, u, &id), IOMM_ERANGE);
	id = IOMM_SID(0);
	id.mask = 0x100;
	assert_int_equal(iomm_dev_init(&x, u, &id), IOMM_ERANGE);
	id = IOMM_SID(255);
	assert_int_equal(iomm_dev_init(&x, u, &id), IOMM_OK);

	struct pdom a, b;
	struct iomm_dev da, db, dc;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	pdom_up(f, &b, IOMM_DOMAIN_S1);
	assert_int_equal(iomm_map(&a.dom, 0x100000, 0x40000000, SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&b.dom, 0x100000, 0x50000000, SZ4K, RW), IOMM_OK);
	fx_attach(f, &da, &a.dom, 0x10, 0x3); /* 0x10..0x13 */

	/* the same device twice */
	assert_int_equal(iomm_attach(&a.dom, &da), IOMM_EBUSY);
	assert_int_equal(iomm_attach(&b.dom, &da), IOMM_EBUSY);

	/* overlapping stream groups: refused, nothing written, nothing sent */
	uint8_t before[64 * 32];
	memcpy(before, fx_ste(f, 0), sizeof(before));
	fx_snap(f);
	id = IOMM_SID(0x12);
	assert_int_equal(iomm_dev_init(&db, u, &id), IOMM_OK);
	assert_int_equal(iomm_attach(&b.dom, &db), IOMM_EBUSY);
	id = IOMM_SID(0x00);
	id.mask = 0x1f;
	assert_int_equal(iomm_dev_init(&dc, u, &id), IOMM_OK);
	assert_int_equal(iomm_attach(&b.dom, &dc), IOMM_EBUSY);
	assert_memory_equal(before, fx_ste(f, 0), sizeof(before));
	assert_int_equal(fx_consumed(f), 0);
	assert_int_equal(f->smmu.stats.cmds, f->snap_stats.cmds);
	assert_int_equal(fx_xlate(f, 0x12, 0x100000, RD), 0x40000000);
	assert_int_equal(fx_dma(f, 0x00, 0x100000, RD, NULL), SMMUV3_MODEL_ABORT);

	/* a domain with devices, a stage-2 parent with a nested child */
	assert_int_equal(iomm_domain_destroy(&a.dom), IOMM_EBUSY);
	assert_int_equal(fx_xlate(f, 0x13, 0x100000, RD), 0x40000000);
	struct nest n;
	nest_up(f, &n);
	assert_int_equal(iomm_domain_destroy(&n.s2), IOMM_EBUSY);
	assert_int_equal(iomm_domain_destroy(&n.s1), IOMM_OK);
	assert_int_equal(iomm_domain_destroy(&n.s2), IOMM_OK);

	/* once the first device is gone the second one fits */
	assert_int_equal(iomm_detach(&da), IOMM_OK);
	assert_int_equal(iomm_attach(&b.dom, &db), IOMM_OK);
	assert_int_equal(fx_xlate(f, 0x12, 0x100000, RD), 0x50000000);
	assert_int_equal(fx_dma(f, 0x13, 0x100000, RD, NULL), SMMUV3_MODEL_ABORT);
	assert_int_equal(iomm_domain_destroy(&a.dom), IOMM_OK);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	fx_check_hygiene(f);
}

/* ==== 11. non-coherent table walks ========================================= */

/* Every structure the SMMU reads is cleaned: stream table, CD, page tables
 * and commands; and translation and invalidation still work. */
static void check_noncoherent(struct fx *f)
{
	assert_false(f->smmu.unit.caps & IOMM_CAP_COHERENT);
	assert_true(f->px.clean_calls > 0);
	assert_true(fx_cleaned(f, f->mem.strtab, 64u * 256u));
	assert_int_equal(f->model.cr1, 0); /* non-cacheable queue and table accesses */

	struct pdom a;
	struct iomm_dev dev;
	iomm_posix_clean_set_log(&f->px, f->clean_log, FX_CLEAN_CAP);
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	void *pva;
	uint64_t ppa, psize;
	fx_pool_region(f, a.pool, &pva, &ppa, &psize);
	assert_true(f->px.clean_calls > 0);
	assert_true(cleaned_inside(f, pva, (size_t)psize)); /* CD, root */

	iomm_posix_clean_set_log(&f->px, f->clean_log, FX_CLEAN_CAP);
	assert_int_equal(iomm_map(&a.dom, 0x100000, 0x40000000, SZ4K, RW), IOMM_OK);
	assert_true(f->px.clean_calls > 0);
	assert_true(cleaned_inside(f, pva, (size_t)psize));

	iomm_posix_clean_set_log(&f->px, f->clean_log, FX_CLEAN_CAP);
	fx_attach(f, &dev, &a.dom, 9, 0);
	assert_true(fx_cleaned(f, fx_ste(f, 9), 64));
	assert_true(cleaned_inside(f, f->mem.cmdq, f->mem.cmdq_size));
	assert_int_equal(fx_xlate(f, 9, 0x100040, RD), 0x40000040);

	iomm_posix_clean_set_log(&f->px, f->clean_log, FX_CLEAN_CAP);
	assert_int_equal(iomm_unmap(&a.dom, 0x100000, SZ4K, NULL), IOMM_OK);
	assert_true(cleaned_inside(f, f->mem.cmdq, f->mem.cmdq_size));
	assert_true(cleaned_inside(f, pva, (size_t)psize));
	assert_int_equal(fx_dma(f, 9, 0x100040, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(fx_poll(f), 1);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	fx_check_hygiene(f);
}

static void test_noncoherent_smmu(void **state)
{
	struct fx *f = *state;
	f->mcfg.cohacc = false;
	fx_start(f);
	assert_false(f->smmu.features & IOMM_SMMUV3_F_COHACC);
	check_noncoherent(f);
}

static void test_noncoherent_port(void **state)
{
	struct fx *f = *state;
	f->port_flags = 0; /* the platform does not make walks coherent */
	fx_start(f);
	assert_true(f->smmu.features & IOMM_SMMUV3_F_COHACC);
	check_noncoherent(f);
}

/* ==== 12. disable ========================================================== */

static void test_disable(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom a;
	struct iomm_dev dev;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	assert_int_equal(iomm_map(&a.dom, 0x100000, 0x40000000, SZ4K, RW), IOMM_OK);
	fx_attach(f, &dev, &a.dom, 1, 0);
	assert_int_equal(fx_xlate(f, 1, 0x100000, RD), 0x40000000);

	assert_int_equal(iomm_smmuv3_disable(&f->smmu), IOMM_OK);
	assert_int_equal(f->model.cr0ack & CR0_SMMUEN, 0);
	assert_true(f->model.gbpa_eff & GBPA_ABORT);
	assert_int_equal(fx_dma(f, 1, 0x100000, RD, NULL), SMMUV3_MODEL_ABORT);
	assert_int_equal(fx_dma(f, 200, 0x100000, WR, NULL), SMMUV3_MODEL_ABORT);
	assert_int_equal(iomm_smmuv3_disable(NULL), IOMM_EINVAL);
	struct iomm_smmuv3 never;
	memset(&never, 0, sizeof(never));
	assert_int_equal(iomm_smmuv3_disable(&never), IOMM_EINVAL);
	fx_check_hygiene(f);
}

/* A running SMMU can be initialised again: translation goes off first (no
 * guarded register is written while enabled), then every stream aborts. */
static void test_reinit(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom a;
	struct iomm_dev dev;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	assert_int_equal(iomm_map(&a.dom, 0x100000, 0x40000000, SZ4K, RW), IOMM_OK);
	fx_attach(f, &dev, &a.dom, 1, 0);
	assert_int_equal(fx_xlate(f, 1, 0x100000, RD), 0x40000000);
	fx_start(f);
	assert_true(f->model.cr0ack & CR0_SMMUEN);
	assert_int_equal(fx_dma(f, 1, 0x100000, RD, NULL), SMMUV3_MODEL_ABORT);
	fx_check_hygiene(f);
}

/* ==== 13. event record decoding ============================================ */

static void make_record(uint64_t rec[4], unsigned id, uint32_t sid, bool ssv, uint32_t ssid,
			uint64_t w1, uint64_t w2, uint64_t w3)
{
	uint64_t w0 = id | (uint64_t)sid << 32 | (uint64_t)(ssid & 0xfffffu) << 12;
	if (ssv)
		w0 |= EV0_SSV;
	le64_store(&rec[0], w0);
	le64_store(&rec[1], w1);
	le64_store(&rec[2], w2);
	le64_store(&rec[3], w3);
}

/* Each architected event number becomes the right reason. */
static void test_decode_event_reasons(void **state)
{
	(void)state;
	static const struct {
		unsigned id;
		enum iomm_fault_reason reason;
		bool access; /* carries an input address */
	} cases[] = {
	    {E_F_TRANSLATION, IOMM_FAULT_TRANSLATION, true},
	    {E_F_PERMISSION, IOMM_FAULT_PERMISSION, true},
	    {E_F_ACCESS, IOMM_FAULT_ACCESS_FLAG, true},
	    {E_F_ADDR_SIZE, IOMM_FAULT_ADDR_SIZE, true},
	    {E_C_BAD_STREAMID, IOMM_FAULT_BAD_STREAM, false},
	    {E_C_BAD_SUBSTREAMID, IOMM_FAULT_BAD_STREAM, false},
	    {E_C_BAD_STE, IOMM_FAULT_BAD_CONFIG, false},
	    {E_C_BAD_CD, IOMM_FAULT_BAD_CONFIG, false},
	    {E_F_WALK_EABT, IOMM_FAULT_WALK, true},
	    {E_F_STE_FETCH, IOMM_FAULT_WALK, false},
	    {E_F_CD_FETCH, IOMM_FAULT_WALK, false},
	    {E_F_TLB_CONFLICT, IOMM_FAULT_TLB_CONFLICT, true},
	    {E_F_STREAM_DISABLED, IOMM_FAULT_ABORT, false},
	    {E_F_TRANSL_FORBID, IOMM_FAULT_ABORT, true},
	    {E_F_CFG_CONFLICT, IOMM_FAULT_BAD_CONFIG, false},
	    {E_F_VMS_FETCH, IOMM_FAULT_WALK, false},
	    {E_F_UUT, IOMM_FAULT_OTHER, true},
	    {0x00u, IOMM_FAULT_OTHER, false},
	    {0x7fu, IOMM_FAULT_OTHER, false},
	    {0xffu, IOMM_FAULT_OTHER, false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t rec[4];
		struct iomm_fault flt;
		memset(&flt, 0xa5, sizeof(flt));
		make_record(rec, cases[i].id, 0x1234u + (uint32_t)i, false, 0, EV1_RNW,
			    UINT64_C(0xdead0000) + i, 0);
		assert_int_equal(iomm_smmuv3_decode_event(rec, &flt), IOMM_OK);
		assert_int_equal(flt.reason, cases[i].reason);
		assert_int_equal(flt.raw, cases[i].id);
		assert_int_equal(flt.sid, 0x1234u + i);
		assert_int_equal(flt.lost, 0);
		assert_false(flt.flags & IOMM_FAULT_SSID);
		if (cases[i].access) {
			assert_int_equal(flt.addr, UINT64_C(0xdead0000) + i);
			assert_true(flt.flags & IOMM_FAULT_READ);
		} else {
			assert_int_equal(flt.addr, 0);
			assert_false(flt.flags & (IOMM_FAULT_READ | IOMM_FAULT_WRITE));
		}
	}
	uint64_t rec[4] = {0, 0, 0, 0};
	struct iomm_fault flt;
	assert_int_equal(iomm_smmuv3_decode_event(NULL, &flt), IOMM_EINVAL);
	assert_int_equal(iomm_smmuv3_decode_event(rec, NULL), IOMM_EINVAL);
}

/* Record flags: RnW, InD, PnU (word 1 bits 35, 34, 33), S2 (bit 39) with the
 * IPA in word 3, and the substream when SSV is set. */
static void test_decode_event_flags(void **state)
{
	(void)state;
	uint64_t rec[4];
	struct iomm_fault flt;
	const uint32_t acc = IOMM_FAULT_READ | IOMM_FAULT_WRITE | IOMM_FAULT_EXEC | IOMM_FAULT_PRIV;

	/* substream and stage 2 first */
	make_record(rec, E_F_TRANSLATION, 0xabcd, true, 0x54321, EV1_S2 | EV1_RNW,
		    UINT64_C(0x123456789000), UINT64_C(0x0000beef12345000) | 1u);
	assert_int_equal(iomm_smmuv3_decode_event(rec, &flt), IOMM_OK);
	assert_int_equal(flt.sid, 0xabcd);
	assert_true(flt.flags & IOMM_FAULT_SSID);
	assert_int_equal(flt.ssid, 0x54321);
	assert_int_equal(flt.addr, UINT64_C(0x123456789000));
	assert_int_equal(flt.flags & (IOMM_FAULT_STAGE2 | IOMM_FAULT_IPA),
			 IOMM_FAULT_STAGE2 | IOMM_FAULT_IPA);
	assert_int_equal(flt.ipa, UINT64_C(0xbeef12345000));

	make_record(rec, E_F_PERMISSION, 1, false, 0x77, 0, 0x1000, 0);
	assert_int_equal(iomm_smmuv3_decode_event(rec, &flt), IOMM_OK);
	assert_false(flt.flags & (IOMM_FAULT_SSID | IOMM_FAULT_STAGE2 | IOMM_FAULT_IPA));

	/* the kind of access */
	static const struct {
		uint64_t w1;
		uint32_t flags;
	} cases[] = {
	    {0, IOMM_FAULT_WRITE},
	    {EV1_RNW, IOMM_FAULT_READ},
	    {EV1_RNW | EV1_IND, IOMM_FAULT_READ | IOMM_FAULT_EXEC},
	    {EV1_PNU, IOMM_FAULT_WRITE | IOMM_FAULT_PRIV},
	    {EV1_RNW | EV1_PNU, IOMM_FAULT_READ | IOMM_FAULT_PRIV},
	    {EV1_RNW | EV1_S2, IOMM_FAULT_READ},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		make_record(rec, E_F_TRANSLATION, 2, false, 0, cases[i].w1, 0x2000, 0x3000);
		assert_int_equal(iomm_smmuv3_decode_event(rec, &flt), IOMM_OK);
		assert_int_equal(flt.flags & acc, cases[i].flags);
	}
}

/* ==== failure atomicity and coverage ======================================= */

/* An attach that times out must leave the stream blocked: the call failed,
 * the device is not attached, so nothing may reach the domain through it,
 * neither now nor once the SMMU resumes. */
static void test_attach_timeout_fails_closed(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom a;
	struct iomm_dev dev;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	assert_int_equal(iomm_map(&a.dom, 0x100000, 0x40000000, SZ4K, RW), IOMM_OK);

	f->model.cfg.stall_cmdq = true;
	struct iomm_devid id = IOMM_SID(40);
	assert_int_equal(iomm_dev_init(&dev, &f->smmu.unit, &id), IOMM_OK);
	assert_int_equal(iomm_attach(&a.dom, &dev), IOMM_ETIMEDOUT);
	assert_int_equal(iomm_detach(&dev), IOMM_ENOENT); /* not attached */
	assert_int_equal(a.dom.ndevs, 0);
	assert_int_not_equal(fx_dma(f, 40, 0x100000, RD, NULL), 0);

	f->model.cfg.stall_cmdq = false;
	smmuv3_model_process(&f->model);
	assert_int_not_equal(fx_dma(f, 40, 0x100000, RD, NULL), 0);
}

/* A stream table in memory larger than cfg.sid_bits: the SMMU must not be
 * told about entries the backend never initialised. The memory is handed
 * over dirty (every byte 0x09: V = 1, Config = bypass); streams beyond the
 * covered range must not translate. */
static void test_sid_bits_limit_covers_table(void **state)
{
	struct fx *f = *state;
	fx_alloc_queues(f);
	memset(f->mem.strtab, 0x09, f->mem.strtab_size);
	f->cfg.sid_bits = 4;
	fx_start(f);
	assert_int_equal(f->smmu.unit.sid_bits, 4);
	for (uint32_t sid = 0; sid < 16; sid++)
		assert_int_equal(fx_dma(f, sid, 0x1000, RD, NULL), SMMUV3_MODEL_ABORT);
	struct iomm_dev dev;
	struct iomm_devid id = IOMM_SID(16);
	assert_int_equal(iomm_dev_init(&dev, &f->smmu.unit, &id), IOMM_ERANGE);
	assert_int_not_equal(fx_dma(f, 16, 0x1000, RD, NULL), 0);
	assert_int_not_equal(fx_dma(f, 100, 0x1000, RD, NULL), 0);
	assert_int_not_equal(fx_dma(f, 255, 0x1000, WR, NULL), 0);
}

/* 8-bit ASIDs and VMIDs: 255 of each (0 is never handed out), then ENOSPC;
 * a released identifier is reused; everything goes back to the pool. */
static void test_id_exhaustion(void **state)
{
	struct fx *f = *state;
	f->mcfg.asid16 = false;
	f->mcfg.vmid16 = false;
	fx_start(f);
	struct iomm_pool *pool = fx_pool(f, 4096, 520);
	struct iomm_domain *d = fx_mem(f, 256 * sizeof(*d), 64);
	static const enum iomm_domain_type types[2] = {IOMM_DOMAIN_S1, IOMM_DOMAIN_S2};
	for (unsigned t = 0; t < 2; t++) {
		bool seen[256] = {false};
		for (unsigned i = 0; i < 255; i++) {
			assert_int_equal(fx_domain(f, &d[i], types[t], 0, pool, NULL), IOMM_OK);
			assert_true(d[i].id >= 1 && d[i].id <= 255);
			assert_false(seen[d[i].id]);
			seen[d[i].id] = true;
		}
		size_t used = iomm_pool_used(pool);
		assert_int_equal(fx_domain(f, &d[255], types[t], 0, pool, NULL), IOMM_ENOSPC);
		assert_int_equal(iomm_pool_used(pool), used);
		uint32_t freed = d[100].id;
		assert_int_equal(iomm_domain_destroy(&d[100]), IOMM_OK);
		assert_int_equal(fx_domain(f, &d[100], types[t], 0, pool, NULL), IOMM_OK);
		assert_int_equal(d[100].id, freed);
		for (unsigned i = 0; i < 255; i++)
			assert_int_equal(iomm_domain_destroy(&d[i]), IOMM_OK);
		assert_int_equal(iomm_pool_used(pool), 0);
	}
	assert_int_equal(f->model.stats.cmd_errors, 0);
	fx_check_hygiene(f);
}

/* Teardown invalidates everything tagged with the domain's identifier and
 * returns its pages. */
static void test_domain_destroy(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom a, b;
	struct iomm_dev da, db;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	pdom_up(f, &b, IOMM_DOMAIN_S2);
	assert_int_equal(iomm_map(&a.dom, 0x100000, 0x40000000, 8 * SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&b.dom, 0x100000, 0x50000000, 8 * SZ4K, RW), IOMM_OK);
	fx_attach(f, &da, &a.dom, 1, 0);
	fx_attach(f, &db, &b.dom, 2, 0);
	fx_xlate(f, 1, 0x100000, RD);
	fx_xlate(f, 2, 0x100000, RD);
	assert_int_equal(iomm_detach(&da), IOMM_OK);
	assert_int_equal(iomm_detach(&db), IOMM_OK);

	uint32_t asid = a.dom.id, vmid = b.dom.id;
	fx_snap(f);
	assert_int_equal(iomm_domain_destroy(&a.dom), IOMM_OK);
	assert_int_equal(fx_ops(f, OP_NH_ASID), 1);
	assert_int_equal(C_ASID(fx_find(f, OP_NH_ASID, 0)->w[0]), asid);
	assert_int_equal(fx_ops(f, OP_SYNC), 1);
	assert_int_equal(iomm_pool_used(a.pool), 0);
	fx_snap(f);
	assert_int_equal(iomm_domain_destroy(&b.dom), IOMM_OK);
	assert_int_equal(fx_ops(f, OP_S12_VMALL), 1);
	assert_int_equal(C_VMID(fx_find(f, OP_S12_VMALL, 0)->w[0]), vmid);
	assert_int_equal(fx_ops(f, OP_SYNC), 1);
	assert_int_equal(iomm_pool_used(b.pool), 0);
	assert_int_equal(smmuv3_model_tlb_count(&f->model), 0);

	/* nested: the child's ASID within the parent's VMID */
	struct nest n;
	struct iomm_dev dn;
	nest_up(f, &n);
	assert_int_equal(iomm_map(&n.s1, N_IOVA, N_IPA, SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&n.s2, N_IPA, N_PA, SZ4K, RW), IOMM_OK);
	fx_attach(f, &dn, &n.s1, 3, 0);
	fx_xlate(f, 3, N_IOVA, RD);
	assert_int_equal(iomm_detach(&dn), IOMM_OK);
	fx_snap(f);
	assert_int_equal(iomm_domain_destroy(&n.s1), IOMM_OK);
	const struct smmuv3_model_cmd_log_entry *e = fx_find(f, OP_NH_ASID, 0);
	assert_non_null(e);
	assert_int_equal(C_VMID(e->w[0]), n.s2.id);
	assert_int_equal(iomm_pool_used(n.p1), 0);
	assert_int_equal(iomm_domain_destroy(&n.s2), IOMM_OK);
	assert_int_equal(iomm_pool_used(n.p2), 0);
	assert_int_equal(smmuv3_model_tlb_count(&f->model), 0);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	fx_check_hygiene(f);
}

/* IOMM_SMMUV3_CFG_EL2: stage-1 streams in the EL2 (E2H) regime, invalidated
 * with the EL2 commands. */
static void test_el2_regime(void **state)
{
	struct fx *f = *state;
	f->cfg.flags = IOMM_SMMUV3_CFG_EL2;
	fx_start(f);
	assert_true(f->model.cr2 & SMMUV3_M_CR2_E2H);
	struct pdom a;
	struct iomm_dev dev;
	pdom_up(f, &a, IOMM_DOMAIN_S1);
	assert_int_equal(iomm_map(&a.dom, 0x100000, 0x40000000, SZ4K, RW), IOMM_OK);
	fx_attach(f, &dev, &a.dom, 1, 0);
	assert_int_equal(fx_xlate(f, 1, 0x100000, RD), 0x40000000);
	assert_int_equal(f->model.tlb[0].regime, SMMUV3_MODEL_EL2_E2H);

	fx_snap(f);
	assert_int_equal(iomm_unmap(&a.dom, 0x100000, SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_ops(f, OP_EL2_VA), 1);
	assert_int_equal(fx_ops(f, OP_NH_VA), 0);
	assert_int_equal(C_ASID(fx_find(f, OP_EL2_VA, 0)->w[0]), a.dom.id);
	assert_int_equal(fx_dma(f, 1, 0x100000, RD, NULL), -EV_TRANSLATION);

	assert_int_equal(iomm_detach(&dev), IOMM_OK);
	fx_snap(f);
	assert_int_equal(iomm_domain_destroy(&a.dom), IOMM_OK);
	assert_int_equal(fx_ops(f, OP_EL2_ASID), 1);
	assert_int_equal(f->model.stats.cmd_errors, 0);
	assert_int_equal(fx_poll(f), 1);
	fx_check_hygiene(f);
}

/* IOMM_SMMUV3_CFG_EL2 with a nested domain: a stream with stage 2 is in the
 * NS-EL1 world whatever STRW says (STRW applies to stage-1-only streams), so
 * its translations are tagged with the VMID and must be invalidated with the
 * NS-EL1 commands. */
static void test_el2_regime_nested(void **state)
{
	struct fx *f = *state;
	f->cfg.flags = IOMM_SMMUV3_CFG_EL2;
	fx_start(f);
	struct nest n;
	struct iomm_dev dev;
	nest_up(f, &n);
	assert_int_equal(iomm_map(&n.s1, N_IOVA, N_IPA, SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&n.s2, N_IPA, N_PA, SZ4K, RW), IOMM_OK);
	fx_attach(f, &dev, &n.s1, 5, 0);
	assert_int_equal(fx_xlate(f, 5, N_IOVA, RD), N_PA);

	fx_snap(f);
	int rc = iomm_unmap(&n.s1, N_IOVA, SZ4K, NULL);
	assert_int_equal(fx_dma(f, 5, N_IOVA, RD, NULL), -EV_TRANSLATION);
	assert_int_equal(f->model.stats.cmd_errors, f->snap_cmd_errors);
	assert_int_equal(rc, IOMM_OK);
}

/* ==== runner ================================================================ */

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(int argc, char **argv)
{
	if (argc > 1) /* run one test (or a wildcard pattern) only */
		cmocka_set_test_filter(argv[1]);
	const struct CMUnitTest tests[] = {
	    /* 1. probe */
	    T(test_probe_default),
	    T(test_probe_optional_features),
	    T(test_probe_stage2_only),
	    T(test_probe_stage1_only),
	    T(test_probe_granule_16k_only),
	    T(test_probe_refuses_missing_options),
	    /* 2. fail closed */
	    T(test_init_fail_closed),
	    T(test_port_32bit_no_relax),
	    /* 3. stream table entries and faults */
	    T(test_ste_bypass),
	    T(test_ste_stage1_granules),
	    T(test_ste_stage2_granules),
	    T(test_ste_nested),
	    T(test_phys_addresses_differ),
	    T(test_ste_blocked_and_detach),
	    T(test_fault_records_stage1),
	    T(test_fault_records_stage2),
	    /* 4. invalidation */
	    T(test_inval_stage1),
	    T(test_inval_stage2),
	    T(test_inval_nested),
	    /* 5. commands per operation */
	    T(test_cmds_map_sends_none),
	    T(test_cmds_unmap_page),
	    T(test_cmds_unmap_page_ril),
	    T(test_cmds_unmap_wide),
	    T(test_cmds_threshold_option),
	    T(test_cmds_unmap_range_ril),
	    T(test_cmds_unmap_block_ril),
	    T(test_cmds_unmap_mixed_levels_ril),
	    T(test_cmds_detach),
	    T(test_cmds_attach),
	    T(test_stream_table_2lvl),
	    T(test_stream_table_2lvl_no_memory),
	    /* 6, 7. command queue */
	    T(test_cmdq_stall_timeout),
	    T(test_cmdq_error_recovery),
	    T(test_cmdq_fetch_abort),
	    T(test_cmdq_tiny_queue),
	    /* 8. event queue */
	    T(test_evtq_overflow),
	    T(test_evtq_write_abort),
	    /* 9. init failures */
	    T(test_init_cr0ack_timeout),
	    T(test_init_gbpa_timeout),
	    T(test_init_bad_arguments),
	    /* 10. bad input */
	    T(test_bad_input),
	    /* 11. non-coherent */
	    T(test_noncoherent_smmu),
	    T(test_noncoherent_port),
	    /* 12. disable, re-init */
	    T(test_disable),
	    T(test_reinit),
	    /* 13. event decoding */
	    T(test_decode_event_reasons),
	    T(test_decode_event_flags),
	    /* failure atomicity, identifiers, teardown, EL2 */
	    T(test_attach_timeout_fails_closed),
	    T(test_sid_bits_limit_covers_table),
	    T(test_id_exhaustion),
	    T(test_domain_destroy),
	    T(test_el2_regime),
	    T(test_el2_regime_nested),
	};
	return cmocka_run_group_tests_name("smmuv3", tests, NULL, NULL);
}
