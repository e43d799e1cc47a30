/* SPDX-License-Identifier: BSD-3-Clause */
/* test_smmuv2.c, sections 4. invalidation: the exact operations per unmap; 5. syncs that never complete; 6. faults; register discipline; 7. bad input. */
#include "test_smmuv2.h"

#include <stdlib.h>
#include <string.h>

/* ==== 4. invalidation: the exact operations per unmap ====================== */

void test_inval_stage1_page(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom d = {0};
	pdom_up(f, &d, IOMM_DOMAIN_S1, 0, NULL);
	assert_int_equal(iomm_map(&d.dom, 0x100000, 0x3000000, 4 * SZ4K, RW), IOMM_OK);
	struct iomm_dev dev;
	fx_attach(f, &dev, &d.dom, 1, 0);
	for (unsigned i = 0; i < 4; i++)
		fx_xlate(f, 1, 0x100000 + i * SZ4K, RD);
	fx_snap(f);
	assert_int_equal(iomm_map(&d.dom, 0x200000, 0x3100000, SZ4K, RW), IOMM_OK);
	assert_int_equal(zero_ops(f), 0); /* a map needs no invalidation */
	assert_int_equal(iomm_unmap(&d.dom, 0x101000, SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_nlog(f), 2);
	const struct smmuv2_model_log_entry *e = fx_log(f, 0);
	assert_int_equal(e->op, OP_VAL);
	assert_int_equal(e->bank, (int)cb_of(&d.dom));
	assert_int_equal(e->val, (0x101000u >> 12) | ((uint64_t)(cb_of(&d.dom) + 1) << 48));
	assert_int_equal(fx_log(f, 1)->op, OP_SYNC);
	assert_int_equal(f->smmu.stats.tlbival, 1);
	assert_int_equal(f->smmu.stats.syncs, 1 + f->smmu.stats.tlbiasid);
	/* the device sees the change; its neighbours still translate */
	assert_int_equal(fx_dma(f, 1, 0x101000, RD, NULL), SMMUV2_MODEL_F_TF);
	assert_int_equal(fx_xlate(f, 1, 0x102000, RD), 0x3002000);
	fx_check_hygiene(f);
}

/*
 * Ranges are mapped in pieces of at most 8 pages or at a contiguous-group
 * boundary, so that no contiguous hint widens what an unmap changes.
 */
void test_inval_stage1_range_and_threshold(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom d = {0};
	pdom_up(f, &d, IOMM_DOMAIN_S1, 0, NULL);
	assert_int_equal(iomm_map(&d.dom, 0x100000, 0x3000000, 8 * SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&d.dom, 0x200000, 0x4000000, 65 * SZ4K, RW), IOMM_OK);
	struct iomm_dev dev;
	fx_attach(f, &dev, &d.dom, 1, 0);
	for (unsigned i = 0; i < 8; i++)
		fx_xlate(f, 1, 0x100000 + i * SZ4K, RD);
	for (unsigned i = 0; i < 65; i++)
		fx_xlate(f, 1, 0x200000 + i * SZ4K, RD);
	fx_snap(f);
	assert_int_equal(iomm_unmap(&d.dom, 0x100000, 8 * SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_ops(f, OP_VAL), 8);
	assert_int_equal(fx_ops(f, OP_SYNC), 1);
	assert_int_equal(zero_ops(f), 9);
	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(fx_log(f, i)->op, OP_VAL);
		assert_int_equal(fx_log(f, i)->val & 0xfffffffffffull, 0x100u + i);
	}
	assert_int_equal(fx_log(f, 8)->op, OP_SYNC);
	fx_snap(f);
	/* 64 pages > the default threshold of 32: one TLBIASID */
	assert_int_equal(iomm_unmap(&d.dom, 0x200000, 64 * SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_ops(f, OP_ASID), 1);
	assert_int_equal(fx_log(f, 0)->val, cb_of(&d.dom) + 1);
	assert_int_equal(fx_ops(f, OP_SYNC), 1);
	assert_int_equal(zero_ops(f), 2);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(fx_dma(f, 1, 0x100000 + i * SZ4K, RD, NULL), SMMUV2_MODEL_F_TF);
	for (unsigned i = 0; i < 64; i++)
		assert_int_equal(fx_dma(f, 1, 0x200000 + i * SZ4K, RD, NULL), SMMUV2_MODEL_F_TF);
	assert_int_equal(fx_xlate(f, 1, 0x200000 + 64 * SZ4K, RD), 0x4000000 + 64 * SZ4K);
	fx_check_hygiene(f);
}

void test_inval_stage1_tables(void **state)
{
	struct fx *f = *state;
	f->cfg.inv_threshold = 1024;
	fx_start(f);
	struct pdom d = {0};
	pdom_up(f, &d, IOMM_DOMAIN_S1, 0, NULL);
	assert_int_equal(iomm_map(&d.dom, 0x400000, 0x3000000, SZ4K, RW), IOMM_OK);
	struct iomm_dev dev;
	fx_attach(f, &dev, &d.dom, 2, 0);
	fx_xlate(f, 2, 0x400000, RD);
	size_t used = iomm_pool_used(d.pool);
	fx_snap(f);
	/* the whole 2 MiB: its table goes too, so the non-leaf TLBIVA is used */
	assert_int_equal(iomm_unmap(&d.dom, 0x400000, SZ2M, NULL), IOMM_OK);
	assert_true(iomm_pool_used(d.pool) < used);
	assert_true(fx_ops(f, OP_VA) >= 1);
	assert_int_equal(fx_ops(f, OP_VA), f->smmu.stats.tlbiva);
	assert_int_equal(fx_ops(f, OP_VAL), 0);
	assert_int_equal(fx_ops(f, OP_SYNC), 1);
	assert_int_equal(fx_dma(f, 2, 0x400000, RD, NULL), SMMUV2_MODEL_F_TF);
	fx_check_hygiene(f);
}

void test_inval_stage2(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom d = {0};
	pdom_up(f, &d, IOMM_DOMAIN_S2, 0, NULL);
	assert_int_equal(iomm_map(&d.dom, 0x100000, 0x3000000, 2 * SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&d.dom, 0x200000, 0x4000000, 41 * SZ4K, RW), IOMM_OK);
	struct iomm_dev dev;
	fx_attach(f, &dev, &d.dom, 1, 0);
	for (unsigned i = 0; i < 2; i++)
		fx_xlate(f, 1, 0x100000 + i * SZ4K, RD);
	for (unsigned i = 0; i < 41; i++)
		fx_xlate(f, 1, 0x200000 + i * SZ4K, RD);
	fx_snap(f);
	assert_int_equal(iomm_unmap(&d.dom, 0x100000, 2 * SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_ops(f, OP_IPAL), 2);
	assert_int_equal(fx_log(f, 0)->val, 0x100);
	assert_int_equal(fx_log(f, 1)->val, 0x101);
	assert_int_equal(fx_log(f, 0)->bank, (int)cb_of(&d.dom));
	assert_int_equal(fx_ops(f, OP_SYNC), 1);
	assert_int_equal(zero_ops(f), 3);
	fx_snap(f);
	assert_int_equal(iomm_unmap(&d.dom, 0x200000, 40 * SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_ops(f, OP_VMID), 1);
	assert_int_equal(fx_log(f, 0)->val, cb_of(&d.dom) + 1);
	assert_int_equal(fx_ops(f, OP_GSYNC), 1);
	assert_int_equal(zero_ops(f), 2);
	assert_int_equal(fx_dma(f, 1, 0x100000, RD, NULL), SMMUV2_MODEL_F_TF);
	assert_int_equal(fx_dma(f, 1, 0x227000, RD, NULL), SMMUV2_MODEL_F_TF);
	assert_int_equal(fx_xlate(f, 1, 0x228000, RD), 0x4028000);
	/* table entries too: the non-leaf TLBIIPAS2 */
	f->smmu.cfg.inv_threshold = 1024;
	fx_snap(f);
	assert_int_equal(iomm_unmap(&d.dom, 0x200000, SZ2M, NULL), IOMM_OK);
	assert_true(fx_ops(f, OP_IPA) >= 1);
	assert_int_equal(fx_ops(f, OP_IPAL), 0);
	assert_int_equal(fx_ops(f, OP_SYNC), 1);
	assert_int_equal(fx_dma(f, 1, 0x228000, RD, NULL), SMMUV2_MODEL_F_TF);
	fx_check_hygiene(f);
}

void test_inval_nested(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct nested n = {0};
	nested_up(f, &n);
	struct iomm_dev dev;
	fx_attach(f, &dev, &n.s1.dom, 0x60, 0);
	assert_int_equal(fx_xlate(f, 0x60, 0x7000, RD), 0x90001000);
	/* stage 1 unmap: TLBIVAL in the nested bank */
	assert_int_equal(iomm_map(&n.s1.dom, 0x9000, 0x40002000, SZ4K, RW), IOMM_OK);
	assert_int_equal(fx_xlate(f, 0x60, 0x9000, RD), 0x90002000);
	fx_snap(f);
	assert_int_equal(iomm_unmap(&n.s1.dom, 0x9000, SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_ops(f, OP_VAL), 1);
	assert_int_equal(fx_log(f, 0)->bank, (int)cb_of(&n.s1.dom));
	assert_int_equal(fx_ops(f, OP_SYNC), 1);
	assert_int_equal(fx_dma(f, 0x60, 0x9000, RD, NULL), SMMUV2_MODEL_F_TF);
	/* stage 2 unmap under a nested child: combined entries need TLBIVMID */
	fx_snap(f);
	assert_int_equal(iomm_unmap(&n.s2.dom, 0x40001000, SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_ops(f, OP_VMID), 1);
	assert_int_equal(fx_ops(f, OP_GSYNC), 1);
	assert_int_equal(zero_ops(f), 2);
	assert_int_equal(fx_dma(f, 0x60, 0x7000, RD, NULL), SMMUV2_MODEL_F_TF);
	fx_check_hygiene(f);
}

void test_model_catches_missing_inval(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom d = {0};
	pdom_up(f, &d, IOMM_DOMAIN_S1, 0, NULL);
	assert_int_equal(iomm_map(&d.dom, 0x100000, 0x3000000, SZ4K, RW), IOMM_OK);
	struct iomm_dev dev;
	fx_attach(f, &dev, &d.dom, 1, 0);
	fx_xlate(f, 1, 0x100000, RD);
	/* unmapping in the table alone leaves a stale, still usable translation */
	struct iomm_gather g;
	iomm_gather_init(&g);
	assert_int_equal(iomm_pgt_unmap(&d.dom.pgt, 0x100000, SZ4K, &g, NULL), IOMM_OK);
	assert_int_equal(fx_xlate(f, 1, 0x100000, RD), 0x3000000);
	/* an invalidation without its sync has not completed either */
	unsigned cb = cb_of(&d.dom);
	smmuv2_model_write(&f->model, fx_cb_off(f, cb, SMMUV2_M_CB_TLBIVAL),
			   0x100 | ((uint64_t)(cb + 1) << 48), 8);
	assert_int_equal(fx_xlate(f, 1, 0x100000, RD), 0x3000000);
	/* a different ASID does not reach it */
	smmuv2_model_write(&f->model, fx_cb_off(f, cb, SMMUV2_M_CB_TLBIASID), cb + 7, 4);
	smmuv2_model_write(&f->model, fx_cb_off(f, cb, SMMUV2_M_CB_TLBSYNC), 0, 4);
	assert_int_equal(smmuv2_model_tlb_count(&f->model), 0); /* the TLBIVAL completed */
	assert_int_equal(fx_dma(f, 1, 0x100000, RD, NULL), SMMUV2_MODEL_F_TF);
	iomm_pgt_gather_release(&g);
}

/* ==== 5. syncs that never complete ========================================= */

void test_sync_timeout(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom d, s2;
	pdom_up(f, &d, IOMM_DOMAIN_S1, 0, NULL);
	pdom_up(f, &s2, IOMM_DOMAIN_S2, 0, NULL);
	assert_int_equal(iomm_map(&d.dom, 0x100000, 0x3000000, SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&s2.dom, 0x100000, 0x3000000, 64 * SZ4K, RW), IOMM_OK);
	f->model.cfg.stall_sync = true;
	uint64_t t0 = f->px.fake_now;
	assert_int_equal(iomm_unmap(&d.dom, 0x100000, SZ4K, NULL), IOMM_ETIMEDOUT);
	assert_int_equal(f->smmu.stats.sync_timeouts, 1);
	assert_true(f->px.fake_now - t0 >= 100000000u); /* bounded by the 100 ms default */
	assert_int_equal(iomm_unmap(&s2.dom, 0x100000, 64 * SZ4K, NULL), IOMM_ETIMEDOUT);
	assert_int_equal(f->smmu.stats.sync_timeouts, 2);
	/* a new domain whose bank cannot be confirmed clean is refused, bank not taken */
	struct pdom e = {0};
	e.pool = fx_pool(f, 4096, 4);
	assert_int_equal(fx_domain(f, &e.dom, IOMM_DOMAIN_S1, 0, e.pool, NULL), IOMM_ETIMEDOUT);
	assert_int_equal(iomm_pool_used(e.pool), 0);
	/* a domain whose teardown is not confirmed keeps its bank */
	unsigned cb = cb_of(&d.dom);
	assert_int_equal(iomm_domain_destroy(&d.dom), IOMM_ETIMEDOUT);
	assert_ptr_equal(f->smmu.cb_dom[cb], &d.dom);
	/* the hardware recovers */
	f->model.cfg.stall_sync = false;
	f->cfg.timeout_ns = 5000000;
	assert_int_equal(fx_domain(f, &e.dom, IOMM_DOMAIN_S1, 0, e.pool, NULL), IOMM_OK);
	assert_true(cb_of(&e.dom) != cb);
}

/* ==== 6. faults ============================================================= */

void test_fault_unidentified_stream(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	assert_int_equal(fx_dma(f, 0x1234, 0xdead000, WR | SMMUV2_MODEL_ACC_PRIV, NULL),
			 SMMUV2_MODEL_G_USF);
	assert_int_equal(fx_dma(f, 0x1235, 0xbeef000, RD, NULL), SMMUV2_MODEL_G_USF);
	assert_int_equal(fx_poll(f), 1);
	assert_int_equal(f->faults[0].reason, IOMM_FAULT_BAD_STREAM);
	assert_int_equal(f->faults[0].sid, 0x1234);
	assert_int_equal(f->faults[0].addr, 0xdead000);
	assert_int_equal(f->faults[0].flags, IOMM_FAULT_WRITE | IOMM_FAULT_PRIV);
	assert_int_equal(f->faults[0].lost, 1);
	assert_int_equal(f->model.gfsr, 0);
	assert_int_equal(fx_poll(f), 0);
	assert_int_equal(f->smmu.stats.gfaults, 1);
	assert_int_equal(iomm_fault_poll(&f->smmu.unit, NULL, NULL), IOMM_EINVAL);
}

struct dcase {
	struct iomm_smmuv2_fault_regs r;
	int rc;
	enum iomm_fault_reason reason;
	uint32_t flags;
};

void test_decode_fault(void **state)
{
	(void)state;
	const uint32_t S2 = 0u << 16, S1 = 1u << 16, NEST = 3u << 16;
	const struct dcase cases[] = {
	    {{true, 1u << 1, 0x10, 0, 0x77, 0}, IOMM_OK, IOMM_FAULT_BAD_STREAM, IOMM_FAULT_READ},
	    {{true, 1u << 2, 0, 2, 0, 0}, IOMM_OK, IOMM_FAULT_BAD_CONFIG, IOMM_FAULT_WRITE},
	    {{true, 1u << 0, 0, 8, 0, 0}, IOMM_OK, IOMM_FAULT_BAD_CONFIG,
	     IOMM_FAULT_READ | IOMM_FAULT_EXEC},
	    {{true, 1u << 6, 0, 0, 0, 0}, IOMM_OK, IOMM_FAULT_ABORT, IOMM_FAULT_READ},
	    {{true, 1u << 7, 0, 4, 0, 0}, IOMM_OK, IOMM_FAULT_PERMISSION,
	     IOMM_FAULT_READ | IOMM_FAULT_PRIV},
	    {{true, 1u << 8, 0, 0, 0, 0}, IOMM_OK, IOMM_FAULT_OTHER, IOMM_FAULT_READ},
	    {{true, 0, 0, 0, 0, 0}, IOMM_ENOENT, IOMM_FAULT_OTHER, 0},
	    {{false, 1u << 1, 0x5000, 0, 3, S1}, IOMM_OK, IOMM_FAULT_TRANSLATION, IOMM_FAULT_READ},
	    {{false, 1u << 2, 0, 1u << 4, 3, S1}, IOMM_OK, IOMM_FAULT_ACCESS_FLAG,
	     IOMM_FAULT_WRITE},
	    {{false, 1u << 3, 0x9000, 0x60, 3, S2}, IOMM_OK, IOMM_FAULT_PERMISSION,
	     IOMM_FAULT_READ | IOMM_FAULT_PRIV | IOMM_FAULT_EXEC | IOMM_FAULT_STAGE2 |
		 IOMM_FAULT_IPA},
	    {{false, 1u << 4, 0, 1u << 3, 3, NEST}, IOMM_OK, IOMM_FAULT_WALK,
	     IOMM_FAULT_READ | IOMM_FAULT_STAGE2},
	    {{false, 1u << 5, 0, 0, 3, S1}, IOMM_OK, IOMM_FAULT_TLB_CONFLICT, IOMM_FAULT_READ},
	    {{false, 1u << 7, 0, 0, 3, S1}, IOMM_OK, IOMM_FAULT_ADDR_SIZE, IOMM_FAULT_READ},
	    {{false, 1u << 8, 0, 0, 3, S1}, IOMM_OK, IOMM_FAULT_OTHER, IOMM_FAULT_READ},
	    {{false, 1u << 0, 0, 0, 3, S1}, IOMM_ENOENT, IOMM_FAULT_OTHER, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct iomm_fault f;
		memset(&f, 0xa5, sizeof(f));
		int rc = iomm_smmuv2_decode_fault(&cases[i].r, &f);
		assert_int_equal(rc, cases[i].rc);
		if (rc)
			continue;
		assert_int_equal(f.reason, cases[i].reason);
		assert_int_equal(f.flags, cases[i].flags);
		assert_int_equal(f.raw, cases[i].r.fsr);
		assert_int_equal(f.addr, cases[i].r.far);
		assert_int_equal(f.sid, cases[i].r.synr1);
		assert_int_equal(f.lost, 0);
	}
	struct iomm_smmuv2_fault_regs multi = {false, (1u << 31) | (1u << 1), 0, 0, 0, 1u << 16};
	struct iomm_fault f;
	assert_int_equal(iomm_smmuv2_decode_fault(&multi, &f), IOMM_OK);
	assert_int_equal(f.lost, 1);
	assert_int_equal(iomm_smmuv2_decode_fault(NULL, &f), IOMM_EINVAL);
	assert_int_equal(iomm_smmuv2_decode_fault(&multi, NULL), IOMM_EINVAL);
}

/* ==== register discipline ================================================== */

/* Offset (from the register base) of the @i-th traced write, or ~0. */
static uint64_t wr_off(const struct fx *f, size_t i)
{
	const struct iomm_posix_mmio_access *a = iomm_posix_trace_get(&f->px, i);
	return a && a->write ? (uint64_t)(a->addr - FX_REGS) : ~UINT64_C(0);
}

void test_register_order(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct iomm_posix_mmio_access trace[256];
	iomm_posix_trace_set_buffer(&f->px, trace, 256);
	/* a bank is enabled (SCTLR.M) last, after its TLB sync */
	iomm_posix_trace_enable(&f->px, true);
	struct pdom d = {0};
	pdom_up(f, &d, IOMM_DOMAIN_S1, 0, NULL);
	unsigned cb = cb_of(&d.dom);
	size_t n = iomm_posix_trace_count(&f->px), last = SIZE_MAX, sync = SIZE_MAX;
	for (size_t i = 0; i < n; i++) {
		if (wr_off(f, i) == fx_cb_off(f, cb, SMMUV2_M_CB_SCTLR))
			last = i;
		if (wr_off(f, i) == fx_cb_off(f, cb, SMMUV2_M_CB_TLBSYNC))
			sync = i;
	}
	assert_true(sync != SIZE_MAX && last != SIZE_MAX && sync < last);
	assert_true(trace[last].value & SMMUV2_M_SCTLR_M);
	/* attach: S2CR, then SMR (valid last); detach: S2CR (fault), then SMR */
	iomm_posix_trace_clear(&f->px);
	struct iomm_dev dev;
	fx_attach(f, &dev, &d.dom, 0x12, 0);
	unsigned i = (unsigned)dev.priv_word;
	n = iomm_posix_trace_count(&f->px);
	assert_int_equal(n, 2);
	assert_int_equal(wr_off(f, 0), SMMUV2_M_S2CR(i));
	assert_int_equal(wr_off(f, 1), SMMUV2_M_SMR(i));
	iomm_posix_trace_clear(&f->px);
	assert_int_equal(iomm_detach(&dev), IOMM_OK);
	assert_int_equal(iomm_posix_trace_count(&f->px), 2);
	assert_int_equal(wr_off(f, 0), SMMUV2_M_S2CR(i));
	assert_int_equal(S2CR_TYPE(trace[0].value), 2);
	assert_int_equal(wr_off(f, 1), SMMUV2_M_SMR(i));
	assert_int_equal(trace[1].value, 0);
	/* a map touches no register */
	iomm_posix_trace_clear(&f->px);
	assert_int_equal(iomm_map(&d.dom, 0x1000, 0x2000, SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_posix_trace_count(&f->px), 0);
	iomm_posix_trace_enable(&f->px, false);
	fx_check_hygiene(f);
}

void test_mmio_32bit_port(void **state)
{
	struct fx *f = *state;
	fx_port_up(f);
	iomm_posix_set_mmio64(&f->px, false); /* 64-bit registers as two 32-bit halves */
	fx_start(f);
	struct pdom d, s2;
	pdom_up(f, &d, IOMM_DOMAIN_S1, 0, NULL);
	pdom_up(f, &s2, IOMM_DOMAIN_S2, 0, NULL);
	assert_int_equal(iomm_map(&d.dom, 0x7654000, 0x1234000, 2 * SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&s2.dom, 0x7654000, 0x1234000, 2 * SZ4K, IOMM_READ), IOMM_OK);
	struct iomm_dev a, b;
	fx_attach(f, &a, &d.dom, 1, 0);
	fx_attach(f, &b, &s2.dom, 2, 0);
	assert_int_equal(fx_xlate(f, 1, 0x7655010, WR), 0x1235010);
	assert_int_equal(fx_xlate(f, 2, 0x7655010, RD), 0x1235010);
	assert_int_equal(iomm_unmap(&d.dom, 0x7655000, SZ4K, NULL), IOMM_OK);
	assert_int_equal(iomm_unmap(&s2.dom, 0x7655000, SZ4K, NULL), IOMM_OK);
	assert_int_equal(fx_dma(f, 1, 0x7655010, RD, NULL), SMMUV2_MODEL_F_TF);
	assert_int_equal(fx_dma(f, 2, 0x7655010, RD, NULL), SMMUV2_MODEL_F_TF);
	assert_int_equal(fx_xlate(f, 1, 0x7654010, RD), 0x1234010);
	assert_int_equal(fx_poll(f), 2);
	/* fault addresses read back as two halves too */
	assert_int_equal(fx_dma(f, 1, 0x123456789000, WR, NULL), SMMUV2_MODEL_F_TF);
	assert_int_equal(fx_dma(f, 0x55, 0xabcdef012000, WR, NULL), SMMUV2_MODEL_G_USF);
	assert_int_equal(fx_poll(f), 2); /* the global one, then the bank's */
	assert_int_equal(f->faults[0].addr, 0xabcdef012000);
	assert_int_equal(f->faults[0].sid, 0x55);
	assert_int_equal(f->faults[1].addr, 0x123456789000);
	assert_int_equal(f->faults[1].sid, 1);
	fx_check_hygiene(f);
}

/* ==== 7. bad input ========================================================== */

void test_bad_input(void **state)
{
	struct fx *f = *state;
	f->mcfg.numsidb = 8;
	fx_start(f);
	struct iomm_dev dev;
	assert_int_equal(fx_dev(f, &dev, 0x100, 0), IOMM_ERANGE);
	assert_int_equal(fx_dev(f, &dev, 0x10, 0x100), IOMM_ERANGE);
	/* a domain wider than the IPA size the SMMU supports */
	struct iomm_pool *p = fx_pool(f, 4096, 8);
	struct iomm_domain d = {0};
	struct iomm_domain_cfg c = {.type = IOMM_DOMAIN_S1, .pool = p, .ias = 40, .oas = 48};
	f->smmu.ipa_bits = 40; /* as if ID2.IAS said 40 bits */
	assert_int_equal(iomm_domain_init(&d, &f->smmu.unit, &c), IOMM_ENOTSUP);
	c.type = IOMM_DOMAIN_S2;
	c.ias = 44;
	c.oas = 0;
	assert_int_equal(iomm_domain_init(&d, &f->smmu.unit, &c), IOMM_ENOTSUP);
	assert_int_equal(iomm_pool_used(p), 0);
	/* a device attached twice */
	struct iomm_domain byp = {0};
	assert_int_equal(fx_domain(f, &byp, IOMM_DOMAIN_BYPASS, 0, NULL, NULL), IOMM_OK);
	fx_attach(f, &dev, &byp, 0x10, 0);
	assert_int_equal(iomm_attach(&byp, &dev), IOMM_EBUSY);
	/* a device whose ID grew beyond the hardware after init is refused at attach */
	struct iomm_dev odd;
	assert_int_equal(fx_dev(f, &odd, 0x11, 0), IOMM_OK);
	odd.sid = 0x1000;
	assert_int_equal(iomm_attach(&byp, &odd), IOMM_ERANGE);
	fx_check_hygiene(f);
}
