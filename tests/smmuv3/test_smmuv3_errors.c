/* SPDX-License-Identifier: BSD-3-Clause */
/* test_smmuv3.c, sections 10. bad input; 11. non-coherent table walks; 12. disable; 13. event record decoding; failure atomicity and coverage. */
#include "test_smmuv3.h"

#include <stdlib.h>
#include <string.h>

/* ==== 10. bad input ======================================================== */

void test_bad_input(void **state)
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
	struct nest n = {0};
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
	/* non-cacheable (Outer Shareable) queue and table accesses: QUEUE_SH, TABLE_SH 0b10 */
	assert_int_equal(f->model.cr1, 0x820);

	struct pdom a = {0};
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

void test_noncoherent_smmu(void **state)
{
	struct fx *f = *state;
	f->mcfg.cohacc = false;
	fx_start(f);
	assert_false(f->smmu.features & IOMM_SMMUV3_F_COHACC);
	check_noncoherent(f);
}

void test_noncoherent_port(void **state)
{
	struct fx *f = *state;
	f->port_flags = 0; /* the platform does not make walks coherent */
	fx_start(f);
	assert_true(f->smmu.features & IOMM_SMMUV3_F_COHACC);
	check_noncoherent(f);
}

/* ==== 12. disable ========================================================== */

void test_disable(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom a = {0};
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
void test_reinit(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom a = {0};
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
void test_decode_event_reasons(void **state)
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
void test_decode_event_flags(void **state)
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
void test_attach_timeout_fails_closed(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct pdom a = {0};
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
void test_sid_bits_limit_covers_table(void **state)
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
void test_id_exhaustion(void **state)
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
void test_domain_destroy(void **state)
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
	struct nest n = {0};
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
void test_el2_regime(void **state)
{
	struct fx *f = *state;
	f->cfg.flags = IOMM_SMMUV3_CFG_EL2;
	fx_start(f);
	assert_true(f->model.cr2 & SMMUV3_M_CR2_E2H);
	struct pdom a = {0};
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
void test_el2_regime_nested(void **state)
{
	struct fx *f = *state;
	f->cfg.flags = IOMM_SMMUV3_CFG_EL2;
	fx_start(f);
	struct nest n = {0};
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
