/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Self-test of the SMMUv3 model: tests of commands, caches, queues and regimes.
 * See test_smmuv3_model.c. Memory is the process's own: PA == VA.
 */
#include "test_smmuv3_model_internal.h"

/* ---- tests ------------------------------------------------------------------------------ */

void test_tlb_staleness(void **state)
{
	struct smmuv3_model_cfg cfg;
	struct fx f;
	struct pt p;
	(void)state;

	smmuv3_model_cfg_default(&cfg);
	fx_init(&f, &cfg);
	s1_setup(&f, &p, 3, 7, 0);
	pt_map(&f, &p, 0x10000000, 0x80000000, 3, S1_PAGE);
	pt_map(&f, &p, 0x10001000, 0x80001000, 3, S1_PAGE & ~B(11)); /* global */
	assert_int_equal(xlate(&f, 3, 0x10000010), 0x80000010);
	assert_int_equal(xlate(&f, 3, 0x10001010), 0x80001010);

	/* the tables change: the old translation stays until the right TLBI */
	pt_map(&f, &p, 0x10000000, 0xa0000000, 3, S1_PAGE);
	assert_int_equal(xlate(&f, 3, 0x10000010), 0x80000010);
	tlbi_nh_va(&f, 0, 8, 0x10000000); /* wrong ASID */
	assert_int_equal(xlate(&f, 3, 0x10000010), 0x80000010);
	tlbi_nh_va(&f, 1, 7, 0x10000000); /* wrong VMID */
	assert_int_equal(xlate(&f, 3, 0x10000010), 0x80000010);
	tlbi_nh_va(&f, 0, 7, 0x10005000); /* wrong page */
	assert_int_equal(xlate(&f, 3, 0x10000010), 0x80000010);
	tlbi_nh_va(&f, 0, 7, 0x10000000);
	assert_int_equal(xlate(&f, 3, 0x10000010), 0xa0000010);

	/* a global entry: TLBI_NH_ASID leaves it, TLBI_NH_VA with any ASID drops it */
	pt_map(&f, &p, 0x10001000, 0xb0001000, 3, S1_PAGE & ~B(11));
	pt_map(&f, &p, 0x10000000, 0xc0000000, 3, S1_PAGE);
	cmd(&f, SMMUV3_M_CMD_TLBI_NH_ASID | UINT64_C(7) << 48, 0);
	sync_ok(&f);
	assert_int_equal(xlate(&f, 3, 0x10001010), 0x80001010);
	assert_int_equal(xlate(&f, 3, 0x10000010), 0xc0000010);
	tlbi_nh_va(&f, 0, 99, 0x10001000);
	assert_int_equal(xlate(&f, 3, 0x10001010), 0xb0001010);

	/* CMD_TLBI_NH_VAA: all ASIDs */
	pt_map(&f, &p, 0x10000000, 0xd0000000, 3, S1_PAGE);
	cmd(&f, SMMUV3_M_CMD_TLBI_NH_VAA, 0x10000000);
	sync_ok(&f);
	assert_int_equal(xlate(&f, 3, 0x10000010), 0xd0000010);
	/* a block entry is dropped by an address anywhere inside it */
	pt_map(&f, &p, 0x40000000, 0x60000000, 2, S1_PAGE);
	assert_int_equal(xlate(&f, 3, 0x40000010), 0x60000010);
	pt_map(&f, &p, 0x40000000, 0x70000000, 2, S1_PAGE);
	tlbi_nh_va(&f, 0, 7, 0x401ff000);
	assert_int_equal(xlate(&f, 3, 0x40000010), 0x70000010);
	/* a permission-faulting but valid translation is cached too */
	pt_map(&f, &p, 0x10002000, 0x80002000, 3, S1_PAGE | S1_RO);
	assert_int_equal(dma(&f, 3, 0x10002000, WR | PRIV, NULL), -SMMUV3_M_EVT_F_PERMISSION);
	pt_map(&f, &p, 0x10002000, 0x80002000, 3, S1_PAGE);
	assert_int_equal(dma(&f, 3, 0x10002000, WR | PRIV, NULL), -SMMUV3_M_EVT_F_PERMISSION);
	tlbi_nh_va(&f, 0, 7, 0x10002000);
	assert_int_equal(dma(&f, 3, 0x10002000, WR | PRIV, NULL), 0);

	/* a table replaced by a block without invalidation: overlapping entries */
	pt_map(&f, &p, 0x50001000, 0x81000000, 3, S1_PAGE);
	assert_int_equal(xlate(&f, 3, 0x50001000), 0x81000000);
	pt_map(&f, &p, 0x50000000, 0x82000000, 2, S1_PAGE);
	assert_int_equal(xlate(&f, 3, 0x50100000), 0x82100000);
	assert_int_equal(f.m->stats.tlb_conflicts, 0);
	assert_int_equal(xlate(&f, 3, 0x50001000), 0x81000000); /* the older entry */
	assert_int_equal(f.m->stats.tlb_conflicts, 1);
	fx_fini(&f);

	/* capacity: the oldest entries are evicted */
	cfg.tlb_capacity = 2;
	fx_init(&f, &cfg);
	s1_setup(&f, &p, 3, 7, 0);
	for (unsigned i = 0; i < 3; i++) {
		pt_map(&f, &p, 0x1000u * i, 0x8000u + 0x1000u * i, 3, S1_PAGE);
		(void)xlate(&f, 3, 0x1000u * i);
	}
	assert_int_equal(smmuv3_model_tlb_count(f.m), 2);
	assert_int_equal(f.m->stats.tlb_evictions, 1);
	pt_map(&f, &p, 0, 0x20000, 3, S1_PAGE);
	assert_int_equal(xlate(&f, 3, 0), 0x20000); /* evicted: walked again */
	fx_fini(&f);
}

void test_range_tlbi(void **state)
{
	struct smmuv3_model_cfg cfg;
	struct fx f;
	struct pt p;
	uint64_t base = 0x20000000;
	(void)state;

	smmuv3_model_cfg_default(&cfg);
	fx_init(&f, &cfg);
	s1_setup(&f, &p, 3, 2, 0);
	for (unsigned i = 0; i < 8; i++) {
		pt_map(&f, &p, base + 0x1000u * i, 0x80000000 + 0x1000u * i, 3, S1_PAGE);
		(void)xlate(&f, 3, base + 0x1000u * i);
		pt_map(&f, &p, base + 0x1000u * i, 0x90000000 + 0x1000u * i, 3, S1_PAGE);
	}
	/* 64K granule scope: these 4K entries are not in it */
	cmd(&f, SMMUV3_M_CMD_TLBI_NH_VA | UINT64_C(2) << 48 | UINT64_C(7) << 12, base | 3u << 10);
	sync_ok(&f);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(xlate(&f, 3, base + 0x1000u * i), 0x80000000 + 0x1000u * i);
	/* TTL hint level 2: not these level 3 entries */
	cmd(&f, SMMUV3_M_CMD_TLBI_NH_VA | UINT64_C(2) << 48 | UINT64_C(7) << 12,
	    base | 1u << 10 | 2u << 8);
	sync_ok(&f);
	assert_int_equal(xlate(&f, 3, base), 0x80000000);
	/* 4K, NUM 3, SCALE 0: pages 2..5 */
	cmd(&f, SMMUV3_M_CMD_TLBI_NH_VA | UINT64_C(2) << 48 | UINT64_C(3) << 12,
	    (base + 0x2000) | 1u << 10 | 3u << 8);
	sync_ok(&f);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(xlate(&f, 3, base + 0x1000u * i),
				 (i >= 2 && i <= 5 ? 0x90000000 : 0x80000000) + 0x1000u * i);
	/* NUM 0, SCALE 1: two pages 6..7 */
	cmd(&f, SMMUV3_M_CMD_TLBI_NH_VA | UINT64_C(2) << 48 | UINT64_C(1) << 20,
	    (base + 0x6000) | 1u << 10);
	sync_ok(&f);
	assert_int_equal(xlate(&f, 3, base + 0x6000), 0x90006000);
	assert_int_equal(xlate(&f, 3, base + 0x7000), 0x90007000);
	assert_int_equal(xlate(&f, 3, base), 0x80000000);
	fx_fini(&f);
}

void test_cfg_caches(void **state)
{
	struct smmuv3_model_cfg cfg;
	struct fx f;
	struct pt p;
	uint64_t pa = 0, cdw;
	uint8_t *cd;
	(void)state;

	smmuv3_model_cfg_default(&cfg);
	fx_init(&f, &cfg);
	s1_setup(&f, &p, 3, 1, 0);
	pt_map(&f, &p, 0x1000, 0x5000, 3, S1_PAGE);
	assert_int_equal(xlate(&f, 3, 0x1000), 0x5000);
	assert_true(smmuv3_model_ste_cached(f.m, 3));
	assert_true(smmuv3_model_cd_cached(f.m, 3, 0));

	/* the STE changes to V == 0: cached until CMD_CFGI_STE */
	set64(ste_ptr(&f, 3), get64(ste_ptr(&f, 3)) & ~STE_V);
	cmd(&f, SMMUV3_M_CMD_TLBI_NH_ALL, 0);
	sync_ok(&f);
	assert_int_equal(xlate(&f, 3, 0x1000), 0x5000);
	cfgi_ste(&f, 2); /* another StreamID */
	assert_int_equal(xlate(&f, 3, 0x1000), 0x5000);
	cfgi_ste(&f, 3);
	assert_int_equal(dma(&f, 3, 0x1000, RD, &pa), -SMMUV3_M_EVT_C_BAD_STE);
	set64(ste_ptr(&f, 3), get64(ste_ptr(&f, 3)) | STE_V);
	assert_int_equal(xlate(&f, 3, 0x1000), 0x5000); /* invalid STE was not cached */

	/* the CD changes: cached until CMD_CFGI_CD for the (StreamID, SubstreamID) */
	cd = (uint8_t *)(uintptr_t)(get64(ste_ptr(&f, 3)) & M(55, 6));
	cdw = get64(cd);
	set64(cd, cdw & ~CD_V);
	cmd(&f, SMMUV3_M_CMD_TLBI_NH_ALL, 0);
	sync_ok(&f);
	assert_int_equal(xlate(&f, 3, 0x1000), 0x5000);
	cmd(&f, SMMUV3_M_CMD_CFGI_CD | UINT64_C(4) << 32, 1);
	sync_ok(&f);
	assert_int_equal(xlate(&f, 3, 0x1000), 0x5000);
	cmd(&f, SMMUV3_M_CMD_CFGI_CD | UINT64_C(3) << 32, 1);
	sync_ok(&f);
	assert_false(smmuv3_model_cd_cached(f.m, 3, 0));
	assert_true(smmuv3_model_ste_cached(f.m, 3));
	assert_int_equal(dma(&f, 3, 0x1000, RD, &pa), -SMMUV3_M_EVT_C_BAD_CD);
	set64(cd, cdw);
	assert_int_equal(xlate(&f, 3, 0x1000), 0x5000);

	/* CMD_CFGI_STE_RANGE: aligned 2^(Range+1) StreamIDs */
	ste_bypass(&f, 8);
	ste_bypass(&f, 11);
	(void)xlate(&f, 8, 0);
	(void)xlate(&f, 11, 0);
	cmd(&f, SMMUV3_M_CMD_CFGI_STE_RANGE | UINT64_C(9) << 32, 1); /* 8..11 */
	sync_ok(&f);
	assert_false(smmuv3_model_ste_cached(f.m, 8));
	assert_false(smmuv3_model_ste_cached(f.m, 11));
	assert_true(smmuv3_model_ste_cached(f.m, 3));
	/* CMD_CFGI_ALL */
	cfgi_all(&f);
	assert_false(smmuv3_model_ste_cached(f.m, 3));
	assert_false(smmuv3_model_cd_cached(f.m, 3, 0));
	fx_fini(&f);

	/* caching invalid structures too (permitted): a missing CFGI shows */
	cfg.cache_invalid_cfg = true;
	fx_init(&f, &cfg);
	assert_int_equal(dma(&f, 3, 0, RD, &pa), -SMMUV3_M_EVT_C_BAD_STE);
	ste_bypass(&f, 3);
	assert_int_equal(dma(&f, 3, 0, RD, &pa), -SMMUV3_M_EVT_C_BAD_STE);
	cfgi_ste(&f, 3);
	assert_int_equal(dma(&f, 3, 0, RD, &pa), 0);
	fx_fini(&f);
}

void test_two_level_strtab(void **state)
{
	struct smmuv3_model_cfg cfg;
	struct fx f;
	uint8_t *l1, *l2a, *l2b, *l2c;
	uint64_t pa = 0, w[8] = {STE_V | CFG_ABORT};
	uint64_t rec[4];
	(void)state;

	smmuv3_model_cfg_default(&cfg);
	fx_init(&f, &cfg);
	/* SPLIT 8, 16-bit StreamIDs: 256 L1 descriptors */
	l1 = galloc(&f, 256 * 8, 2048);
	l2a = galloc(&f, 256 * 64, 256 * 64);
	l2b = galloc(&f, 2 * 64, 128);
	l2c = galloc(&f, 256 * 64, 256 * 64);
	set64(l1 + 8 * 1, pa_of(l2a) | 9); /* Span 9: 256 STEs */
	set64(l1 + 8 * 3, pa_of(l2b) | 2); /* Span 2: 2 STEs */
	for (unsigned i = 0; i < 256; i++)
		ste_write(l2a + 64 * i, (uint64_t[8]){STE_V | CFG_BYPASS});
	ste_write(l2b + 64, (uint64_t[8]){STE_V | CFG_BYPASS});
	wr32(&f, SMMUV3_M_CR0, SMMUV3_M_CR0_CMDQEN | SMMUV3_M_CR0_EVTQEN);
	wr64(&f, SMMUV3_M_STRTAB_BASE, pa_of(l1));
	wr32(&f, SMMUV3_M_STRTAB_BASE_CFG, 1u << 16 | 8u << 6 | 16u);
	cfgi_all(&f);
	wr32(&f, SMMUV3_M_CR0, SMMUV3_M_CR0_CMDQEN | SMMUV3_M_CR0_EVTQEN | SMMUV3_M_CR0_SMMUEN);

	assert_int_equal(xlate(&f, 0x105, 0x1234), 0x1234);
	assert_int_equal(xlate(&f, 0x301, 0x1234), 0x1234);
	/* beyond the Span, and an L1 descriptor with Span 0 */
	assert_int_equal(dma(&f, 0x302, 0, RD, &pa), -SMMUV3_M_EVT_C_BAD_STREAMID);
	assert_int_equal(dma(&f, 0x205, 0, RD, &pa), -SMMUV3_M_EVT_C_BAD_STREAMID);
	assert_true(evt_pop(&f, rec));
	assert_true(evt_pop(&f, rec));
	assert_int_equal(SMMUV3_M_EVT0_SID(rec[0]), 0x205);
	/* a new L2 table behind an invalid L1 descriptor: no invalidation needed */
	set64(l1 + 8 * 2, pa_of(l2c) | 9);
	ste_write(l2c + 64 * 5, w);
	assert_int_equal(dma(&f, 0x205, 0, RD, &pa), SMMUV3_MODEL_ABORT);
	/* moving a valid L1 descriptor: CFGI_STE with Leaf == 1 keeps the cached L1STD */
	set64(l1 + 8 * 1, pa_of(l2c) | 9);
	cmd(&f, SMMUV3_M_CMD_CFGI_STE | UINT64_C(0x105) << 32, 1);
	sync_ok(&f);
	assert_int_equal(xlate(&f, 0x105, 0x1234), 0x1234);
	cmd(&f, SMMUV3_M_CMD_CFGI_STE | UINT64_C(0x105) << 32, 0);
	sync_ok(&f);
	assert_int_equal(dma(&f, 0x105, 0, RD, &pa), SMMUV3_MODEL_ABORT);
	fx_fini(&f);
}

void test_substreams(void **state)
{
	struct smmuv3_model_cfg cfg;
	struct fx f;
	struct pt p;
	uint8_t *l1, *l2a, *l2b;
	uint64_t rec[4], pa = 0, w[8];
	(void)state;

	smmuv3_model_cfg_default(&cfg);
	fx_init(&f, &cfg);
	pt_init(&f, &p, 12, 39, -1);
	pt_map(&f, &p, 0x1000, 0x7000, 3, S1_PAGE | S1_EL0);
	/* 2-level CD table, 4K leaves (64 CDs), 2^10 substreams: 16 L1CDs */
	l1 = galloc(&f, 16 * 8, 128);
	l2a = galloc(&f, 4096, 4096);
	l2b = galloc(&f, 4096, 4096);
	set64(l1, pa_of(l2a) | 1);
	set64(l1 + 8, pa_of(l2b) | 1);
	cd_write(l2a, 1, pa_of(p.root), 25, 0, CD_R | CD_A);	       /* SSID 0 */
	cd_write(l2b + 64 * 6, 70, pa_of(p.root), 25, 0, CD_R | CD_A); /* SSID 70 */
	ste_s1_words(w, pa_of(l1), 10, 1, 2); /* S1DSS: CD 0 for traffic without SSID */
	ste_write(ste_ptr(&f, 40), w);

	assert_int_equal(smmuv3_model_dma(f.m, 40, 70, true, 0x1010, RD, &pa), 0);
	assert_int_equal(pa, 0x7010);
	assert_true(smmuv3_model_cd_cached(f.m, 40, 70));
	assert_int_equal(smmuv3_model_dma(f.m, 40, 0, false, 0x1010, RD, &pa), 0);
	/* SSID 0 is reserved with S1DSS == 0b10 */
	assert_int_equal(smmuv3_model_dma(f.m, 40, 0, true, 0x1010, RD, &pa),
			 -SMMUV3_M_EVT_F_STREAM_DISABLED);
	/* an invalid L1CD, and an SSID beyond S1CDMax */
	assert_int_equal(smmuv3_model_dma(f.m, 40, 200, true, 0x1010, RD, &pa),
			 -SMMUV3_M_EVT_C_BAD_SUBSTREAMID);
	assert_int_equal(smmuv3_model_dma(f.m, 40, 1024, true, 0x1010, RD, &pa),
			 -SMMUV3_M_EVT_C_BAD_SUBSTREAMID);
	/* an invalid CD in a valid leaf */
	assert_int_equal(smmuv3_model_dma(f.m, 40, 71, true, 0x1010, RD, &pa),
			 -SMMUV3_M_EVT_C_BAD_CD);
	assert_true(evt_pop(&f, rec));
	assert_int_equal(SMMUV3_M_EVT0_TYPE(rec[0]), SMMUV3_M_EVT_F_STREAM_DISABLED);
	assert_true(evt_pop(&f, rec));
	assert_int_equal(SMMUV3_M_EVT0_TYPE(rec[0]), SMMUV3_M_EVT_C_BAD_SUBSTREAMID);
	assert_int_equal(SMMUV3_M_EVT0_SSID(rec[0]), 200);
	assert_true(evt_pop(&f, rec));
	assert_true(evt_pop(&f, rec));
	assert_int_equal(SMMUV3_M_EVT0_TYPE(rec[0]), SMMUV3_M_EVT_C_BAD_CD);
	assert_true(rec[0] & SMMUV3_M_EVT0_SSV);
	assert_int_equal(SMMUV3_M_EVT0_SSID(rec[0]), 71);

	/* S1DSS terminate and bypass */
	ste_s1_words(w, pa_of(l1), 10, 1, 0);
	ste_write(ste_ptr(&f, 41), w);
	assert_int_equal(smmuv3_model_dma(f.m, 41, 0, false, 0x1010, RD, &pa),
			 -SMMUV3_M_EVT_F_STREAM_DISABLED);
	ste_s1_words(w, pa_of(l1), 10, 1, 1);
	ste_write(ste_ptr(&f, 42), w);
	assert_int_equal(smmuv3_model_dma(f.m, 42, 0, false, 0xabc010, RD, &pa), 0);
	assert_int_equal(pa, 0xabc010);

	/* a 2-level CD table on an SMMU without CD2L is ILLEGAL */
	f.m->cfg.cd2l = false;
	ste_s1_words(w, pa_of(l1), 10, 1, 2);
	ste_write(ste_ptr(&f, 43), w);
	assert_int_equal(smmuv3_model_dma(f.m, 43, 70, true, 0x1010, RD, &pa),
			 -SMMUV3_M_EVT_C_BAD_STE);
	fx_fini(&f);
}

void test_evtq_overflow(void **state)
{
	struct smmuv3_model_cfg cfg;
	struct fx f;
	uint64_t rec[4], pa = 0;
	uint32_t prod, cons;
	(void)state;

	smmuv3_model_cfg_default(&cfg);
	fx_init_q(&f, &cfg, true, 2, false); /* four entries */
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(dma(&f, 50 + i, 0, RD, &pa), -SMMUV3_M_EVT_C_BAD_STE);
	assert_int_equal(evt_count(&f), 4);
	prod = rd32(&f, SMMUV3_M_EVTQ_PROD);
	assert_int_equal(prod & SMMUV3_M_Q_OVF, 0);
	/* full: the record is lost and OVFLG toggles, once */
	assert_int_equal(dma(&f, 60, 0, RD, &pa), -SMMUV3_M_EVT_C_BAD_STE);
	assert_false(f.m->last_event.recorded);
	prod = rd32(&f, SMMUV3_M_EVTQ_PROD);
	assert_int_equal(prod & SMMUV3_M_Q_OVF, SMMUV3_M_Q_OVF);
	assert_int_equal(dma(&f, 61, 0, RD, &pa), -SMMUV3_M_EVT_C_BAD_STE);
	assert_int_equal(rd32(&f, SMMUV3_M_EVTQ_PROD), prod);
	assert_int_equal(f.m->stats.events_overflowed, 2);
	/* the records kept are the first four */
	for (unsigned i = 0; i < 4; i++) {
		assert_true(evt_pop(&f, rec));
		assert_int_equal(SMMUV3_M_EVT0_SID(rec[0]), 50 + i);
	}
	/* acknowledge: OVACKFLG = OVFLG */
	cons = rd32(&f, SMMUV3_M_EVTQ_CONS);
	wr32(&f, SMMUV3_M_EVTQ_CONS, (cons & ~SMMUV3_M_Q_OVF) | (prod & SMMUV3_M_Q_OVF));
	assert_int_equal(dma(&f, 62, 0, RD, &pa), -SMMUV3_M_EVT_C_BAD_STE);
	assert_true(f.m->last_event.recorded);
	assert_true(evt_pop(&f, rec));
	assert_int_equal(SMMUV3_M_EVT0_SID(rec[0]), 62);
	/* the limit knob makes the queue full earlier */
	f.m->cfg.evtq_max_entries = 1;
	assert_int_equal(dma(&f, 63, 0, RD, &pa), -SMMUV3_M_EVT_C_BAD_STE);
	assert_int_equal(dma(&f, 64, 0, RD, &pa), -SMMUV3_M_EVT_C_BAD_STE);
	assert_int_equal(evt_count(&f), 1);
	assert_int_equal((rd32(&f, SMMUV3_M_EVTQ_PROD) ^ rd32(&f, SMMUV3_M_EVTQ_CONS)) &
			     SMMUV3_M_Q_OVF,
			 SMMUV3_M_Q_OVF);
	/* with EVTQEN == 0 records are discarded without an overflow */
	wr32(&f, SMMUV3_M_CR0, SMMUV3_M_CR0_CMDQEN | SMMUV3_M_CR0_SMMUEN);
	assert_int_equal(dma(&f, 65, 0, RD, &pa), -SMMUV3_M_EVT_C_BAD_STE);
	assert_int_equal(f.m->stats.events_discarded, 1);
	fx_fini(&f);
}

void test_stall_knob(void **state)
{
	struct smmuv3_model_cfg cfg;
	struct fx f;
	uint32_t cons;
	(void)state;

	smmuv3_model_cfg_default(&cfg);
	fx_init(&f, &cfg);
	f.m->cfg.stall_cmdq = true;
	cons = rd32(&f, SMMUV3_M_CMDQ_CONS);
	cmd(&f, SMMUV3_M_CMD_TLBI_NSNH_ALL, 0);
	cmd(&f, SMMUV3_M_CMD_SYNC, 0);
	assert_int_equal(rd32(&f, SMMUV3_M_CMDQ_CONS), cons);
	smmuv3_model_process(f.m);
	assert_int_equal(rd32(&f, SMMUV3_M_CMDQ_CONS), cons);
	assert_false(cmdq_drained(&f));
	f.m->cfg.stall_cmdq = false;
	smmuv3_model_process(f.m);
	assert_true(cmdq_drained(&f));
	assert_int_equal(rd32(&f, SMMUV3_M_CMDQ_CONS), cons + 2);
	fx_fini(&f);
}

/* cmd_fail_next: the next command is refused unexecuted with CERROR_ILL,
 * once; the ones after it run. */
void test_cmd_fail_next_knob(void **state)
{
	struct smmuv3_model_cfg cfg;
	struct fx f;
	uint32_t cons;
	(void)state;

	smmuv3_model_cfg_default(&cfg);
	fx_init(&f, &cfg);
	f.m->cfg.cmd_fail_next = true;
	cons = rd32(&f, SMMUV3_M_CMDQ_CONS);
	uint64_t syncs = f.m->stats.cmd_count[SMMUV3_M_CMD_SYNC];
	cmd(&f, SMMUV3_M_CMD_SYNC, 0);
	assert_true(smmuv3_model_cmdq_error(f.m));
	assert_int_equal(rd32(&f, SMMUV3_M_CMDQ_CONS), cons | (uint32_t)SMMUV3_M_CERROR_ILL << 24);
	assert_int_equal(f.m->stats.cmd_count[SMMUV3_M_CMD_SYNC], syncs);
	assert_int_equal(smmuv3_model_cmd_log(f.m, 0)->err, SMMUV3_M_CERROR_ILL);
	assert_false(f.m->cfg.cmd_fail_next);
	fx_fini(&f);
}

void test_fetch_aborts(void **state)
{
	struct smmuv3_model_cfg cfg;
	struct fx f;
	uint64_t rec[4], pa = 0;
	static _Alignas(64) uint8_t outside[128];
	static _Alignas(4096) uint8_t table[8192];
	uint8_t *cd;
	(void)state;

	smmuv3_model_cfg_default(&cfg);
	fx_init_q(&f, &cfg, true, 5, true);
	/* a CD outside every memory window: F_CD_FETCH with the fetch address */
	ste_s1(&f, 2, pa_of(outside));
	assert_int_equal(dma(&f, 2, 0, RD, &pa), -SMMUV3_M_EVT_F_CD_FETCH);
	assert_true(evt_pop(&f, rec));
	assert_int_equal(SMMUV3_M_EVT0_TYPE(rec[0]), SMMUV3_M_EVT_F_CD_FETCH);
	assert_int_equal(SMMUV3_M_EVT3_FETCH(rec[3]), pa_of(outside));
	/* failures are not cached: once readable it works */
	assert_int_equal(smmuv3_model_hostmem_add(&f.hm, outside, sizeof(outside)), 0);
	memset(outside, 0, sizeof(outside));
	assert_int_equal(dma(&f, 2, 0, RD, &pa), -SMMUV3_M_EVT_C_BAD_CD);
	assert_true(evt_pop(&f, rec));

	/* a stage 1 table outside memory: F_WALK_EABT, S2 == 0, CLASS TT */
	cd = galloc(&f, 64, 64);
	cd_write(cd, 1, pa_of(table), 25, 0, CD_R | CD_A);
	ste_s1(&f, 3, pa_of(cd));
	assert_int_equal(dma(&f, 3, 0x40000000, RD, &pa), -SMMUV3_M_EVT_F_WALK_EABT);
	assert_true(evt_pop(&f, rec));
	assert_int_equal(SMMUV3_M_EVT0_TYPE(rec[0]), SMMUV3_M_EVT_F_WALK_EABT);
	assert_false(rec[1] & SMMUV3_M_EVT1_S2);
	assert_int_equal(SMMUV3_M_EVT1_CLASS(rec[1]), SMMUV3_M_EVT_CLASS_TT);
	assert_int_equal(rec[2], 0x40000000);
	assert_int_equal(SMMUV3_M_EVT3_FETCH(rec[3]), pa_of(table) + 8);

	/* the stream table outside memory: F_STE_FETCH */
	wr32(&f, SMMUV3_M_CR0, SMMUV3_M_CR0_CMDQEN | SMMUV3_M_CR0_EVTQEN);
	wr64(&f, SMMUV3_M_STRTAB_BASE, pa_of(table));
	wr32(&f, SMMUV3_M_STRTAB_BASE_CFG, 6);
	wr32(&f, SMMUV3_M_CR0, SMMUV3_M_CR0_CMDQEN | SMMUV3_M_CR0_EVTQEN | SMMUV3_M_CR0_SMMUEN);
	assert_int_equal(dma(&f, 1, 0, RD, &pa), -SMMUV3_M_EVT_F_STE_FETCH);
	assert_true(evt_pop(&f, rec));
	assert_int_equal(SMMUV3_M_EVT3_FETCH(rec[3]), pa_of(table) + 64);

	/* the command queue outside memory: CERROR_ABT, CONS does not move */
	wr32(&f, SMMUV3_M_CR0, SMMUV3_M_CR0_EVTQEN | SMMUV3_M_CR0_SMMUEN);
	wr64(&f, SMMUV3_M_CMDQ_BASE, pa_of(table) | 4);
	wr32(&f, SMMUV3_M_CMDQ_PROD, 0);
	wr32(&f, SMMUV3_M_CMDQ_CONS, 0);
	wr32(&f, SMMUV3_M_CR0, SMMUV3_M_CR0_CMDQEN | SMMUV3_M_CR0_EVTQEN | SMMUV3_M_CR0_SMMUEN);
	wr32(&f, SMMUV3_M_CMDQ_PROD, 1);
	assert_true(smmuv3_model_cmdq_error(f.m));
	assert_int_equal(rd32(&f, SMMUV3_M_CMDQ_CONS), (uint32_t)SMMUV3_M_CERROR_ABT << 24);
	fx_fini(&f);
}

void test_ttb1_tbi_epd(void **state)
{
	struct smmuv3_model_cfg cfg;
	struct fx f;
	struct pt lo, hi;
	uint8_t *cd;
	uint64_t pa = 0, w[8] = {0};
	const uint64_t up = UINT64_C(0xffffff8000001000);
	(void)state;

	smmuv3_model_cfg_default(&cfg);
	fx_init(&f, &cfg);
	pt_init(&f, &lo, 12, 39, -1);
	pt_init(&f, &hi, 12, 39, -1);
	pt_map(&f, &lo, 0x1000, 0x4000, 3, S1_PAGE);
	pt_map(&f, &hi, up, 0x3000, 3, S1_PAGE);
	/* TTB0 and TTB1, both 39-bit 4K (TG1 encoding 0b10), TBI1 */
	cd = galloc(&f, 128, 64);
	w[0] = 25 | 25u << 16 | 2u << 22 | CD_V | UINT64_C(5) << 32 | CD_AA64 | CD_R | CD_A |
	       B(39) | UINT64_C(3) << 48;
	w[1] = pa_of(lo.root);
	w[2] = pa_of(hi.root);
	w[3] = 0xff;
	ste_write(cd, w);
	ste_s1(&f, 4, pa_of(cd));
	assert_int_equal(xlate(&f, 4, 0x1234), 0x4234);
	assert_int_equal(xlate(&f, 4, up + 0x234), 0x3234);
	/* TBI1: the top byte is ignored for the upper range only */
	assert_int_equal(xlate(&f, 4, (up & ~M(63, 56)) | UINT64_C(0x5a) << 56), 0x3000);
	assert_int_equal(dma(&f, 4, 0x1000 | UINT64_C(0x5a) << 56, RD | PRIV, &pa),
			 -SMMUV3_M_EVT_F_TRANSLATION);
	/* not sign-extended from the range size */
	assert_int_equal(dma(&f, 4, UINT64_C(0xfff0000000001000), RD | PRIV, &pa),
			 -SMMUV3_M_EVT_F_TRANSLATION);
	/* an upper-range TLBI by the VA the device used */
	pt_map(&f, &hi, up, 0x5000, 3, S1_PAGE);
	assert_int_equal(xlate(&f, 4, up), 0x3000);
	tlbi_nh_va(&f, 0, 3, up);
	assert_int_equal(xlate(&f, 4, up), 0x5000);

	/* EPD0: the lower range faults without a walk */
	w[0] |= B(14);
	ste_write(cd + 64, w);
	ste_s1(&f, 5, pa_of(cd + 64));
	assert_int_equal(dma(&f, 5, 0x1000, RD | PRIV, &pa), -SMMUV3_M_EVT_F_TRANSLATION);
	assert_int_equal(xlate(&f, 5, up), 0x5000);
	fx_fini(&f);
}

static void set_cr2(struct fx *f, uint32_t cr2)
{
	uint32_t cr0 = rd32(f, SMMUV3_M_CR0);
	wr32(f, SMMUV3_M_CR0, cr0 & ~SMMUV3_M_CR0_SMMUEN);
	wr32(f, SMMUV3_M_CR2, cr2);
	wr32(f, SMMUV3_M_CR0, cr0);
}

void test_el2_regimes(void **state)
{
	struct smmuv3_model_cfg cfg;
	struct fx f;
	struct pt p;
	uint64_t pa = 0;
	(void)state;

	smmuv3_model_cfg_default(&cfg);
	fx_init(&f, &cfg);
	s1_setup(&f, &p, 6, 9, 0);
	set64(ste_ptr(&f, 6) + 8, UINT64_C(2) << 30); /* STRW: EL2 */
	pt_map(&f, &p, 0x1000, 0x8000, 3, S1_PAGE);
	/* EL2 (E2H == 0): one privilege level, so an unprivileged read passes */
	assert_int_equal(dma(&f, 6, 0x1010, RD, &pa), 0);
	assert_int_equal(pa, 0x8010);
	pt_map(&f, &p, 0x1000, 0x9000, 3, S1_PAGE);
	cmd(&f, SMMUV3_M_CMD_TLBI_NH_ALL, 0);
	cmd(&f, SMMUV3_M_CMD_TLBI_NSNH_ALL, 0);
	sync_ok(&f);
	assert_int_equal(xlate(&f, 6, 0x1010), 0x8010); /* not an NS-EL1 entry */
	cmd(&f, SMMUV3_M_CMD_TLBI_EL2_VA | UINT64_C(1) << 48, 0x1000);
	sync_ok(&f);
	assert_int_equal(xlate(&f, 6, 0x1010), 0x9010); /* ASID ignored without E2H */

	/* EL2-E2H: ASID-tagged, two privilege levels */
	set_cr2(&f, SMMUV3_M_CR2_RECINVSID | SMMUV3_M_CR2_E2H);
	assert_int_equal(dma(&f, 6, 0x1010, RD, &pa), -SMMUV3_M_EVT_F_PERMISSION);
	assert_int_equal(xlate(&f, 6, 0x1010), 0x9010);
	pt_map(&f, &p, 0x1000, 0xa000, 3, S1_PAGE);
	cmd(&f, SMMUV3_M_CMD_TLBI_EL2_ASID | UINT64_C(8) << 48, 0);
	sync_ok(&f);
	assert_int_equal(xlate(&f, 6, 0x1010), 0x9010);
	cmd(&f, SMMUV3_M_CMD_TLBI_EL2_ASID | UINT64_C(9) << 48, 0);
	sync_ok(&f);
	assert_int_equal(xlate(&f, 6, 0x1010), 0xa010);
	pt_map(&f, &p, 0x1000, 0xb000, 3, S1_PAGE);
	cmd(&f, SMMUV3_M_CMD_TLBI_EL2_ALL, 0);
	sync_ok(&f);
	assert_int_equal(xlate(&f, 6, 0x1010), 0xb010);
	fx_fini(&f);

	/* without Hyp, STRW is RES0 (NS-EL1) and the EL2 commands do not exist */
	cfg.hyp = false;
	fx_init(&f, &cfg);
	s1_setup(&f, &p, 6, 9, 0);
	set64(ste_ptr(&f, 6) + 8, UINT64_C(2) << 30);
	pt_map(&f, &p, 0x1000, 0x8000, 3, S1_PAGE);
	assert_int_equal(dma(&f, 6, 0x1010, RD, &pa), -SMMUV3_M_EVT_F_PERMISSION);
	cmd(&f, SMMUV3_M_CMD_TLBI_EL2_ALL, 0);
	assert_true(smmuv3_model_cmdq_error(f.m));
	set64(f.cmdq + 16 * (rd32(&f, SMMUV3_M_CMDQ_CONS) & 0xff), SMMUV3_M_CMD_SYNC);
	wr32(&f, SMMUV3_M_GERRORN, rd32(&f, SMMUV3_M_GERROR));
	assert_true(cmdq_drained(&f));
	fx_fini(&f);
}

void test_httu(void **state)
{
	struct smmuv3_model_cfg cfg;
	struct fx f;
	struct pt p;
	uint64_t pa = 0;
	uint8_t *d;
	(void)state;

	smmuv3_model_cfg_default(&cfg);
	cfg.httu = 2;
	fx_init(&f, &cfg);
	s1_setup(&f, &p, 3, 1, B(43) | B(42)); /* CD.HA, CD.HD */
	pt_map(&f, &p, 0x1000, 0x8000, 3, S1_PAGE & ~B(10));
	pt_map(&f, &p, 0x2000, 0x9000, 3, S1_PAGE | S1_RO | B(51)); /* clean, DBM */
	/* the access flag is set by the SMMU instead of faulting */
	assert_int_equal(xlate(&f, 3, 0x1000), 0x8000);
	assert_true(get64(pt_slot(&f, &p, 0x1000, 3)) & B(10));
	/* a write to a clean DBM page marks it dirty (AP[2] cleared) */
	d = pt_slot(&f, &p, 0x2000, 3);
	assert_int_equal(xlate(&f, 3, 0x2000), 0x9000);
	assert_true(get64(d) & S1_RO);
	assert_int_equal(dma(&f, 3, 0x2000, WR | PRIV, &pa), 0);
	assert_false(get64(d) & S1_RO);
	fx_fini(&f);

	/* HA without HTTU is ILLEGAL */
	cfg.httu = 0;
	fx_init(&f, &cfg);
	s1_setup(&f, &p, 3, 1, B(43));
	assert_int_equal(dma(&f, 3, 0x1000, RD, &pa), -SMMUV3_M_EVT_C_BAD_CD);
	fx_fini(&f);
}

static unsigned irq_count[4];

static void count_irq(void *ctx, enum smmuv3_model_irq irq)
{
	(void)ctx;
	irq_count[irq]++;
}

void test_overrides_and_irqs(void **state)
{
	struct smmuv3_model_cfg cfg;
	struct fx f;
	struct pt p;
	uint64_t pa = 0, rec[4];
	uint32_t msi = 0;
	(void)state;

	memset(irq_count, 0, sizeof(irq_count));
	smmuv3_model_cfg_default(&cfg);
	cfg.irq = count_irq;
	fx_init(&f, &cfg);
	s1_setup(&f, &p, 3, 1, 0);
	pt_map(&f, &p, 0x1000, 0x8000, 3, S1_PAGE);
	pt_map(&f, &p, 0x2000, 0x9000, 3, S1_PAGE | B(53) | B(54)); /* PXN, UXN */
	/* STE.PRIVCFG: unprivileged */
	set64(ste_ptr(&f, 3) + 8, UINT64_C(2) << 48);
	assert_int_equal(dma(&f, 3, 0x1000, RD | PRIV, &pa), -SMMUV3_M_EVT_F_PERMISSION);
	assert_true(evt_pop(&f, rec));
	assert_false(rec[1] & SMMUV3_M_EVT1_PNU);
	/* STE.INSTCFG: reads are instruction fetches */
	set64(ste_ptr(&f, 3) + 8, UINT64_C(3) << 50);
	cfgi_ste(&f, 3);
	assert_int_equal(dma(&f, 3, 0x2000, RD | PRIV, &pa), -SMMUV3_M_EVT_F_PERMISSION);
	assert_true(evt_pop(&f, rec));
	assert_true(rec[1] & SMMUV3_M_EVT1_IND);
	assert_int_equal(dma(&f, 3, 0x2000, WR | PRIV, &pa), 0); /* writes stay data */

	/* event queue interrupt as an MSI, and the wired notification */
	wr64(&f, SMMUV3_M_EVTQ_IRQ_CFG0, pa_of(&msi));
	wr32(&f, SMMUV3_M_EVTQ_IRQ_CFG1, 0x55aa);
	wr32(&f, SMMUV3_M_IRQ_CTRL, SMMUV3_M_IRQ_EVTQ);
	assert_int_equal(dma(&f, 77, 0, RD, &pa), -SMMUV3_M_EVT_C_BAD_STE);
	assert_int_equal(msi, 0x55aa);
	assert_int_equal(irq_count[SMMUV3_MODEL_IRQ_EVTQ], 1);
	/* a guarded IRQ configuration register ignores writes while enabled */
	wr32(&f, SMMUV3_M_EVTQ_IRQ_CFG1, 0);
	assert_int_equal(rd32(&f, SMMUV3_M_EVTQ_IRQ_CFG1), 0x55aa);
	cmd(&f, SMMUV3_M_CMD_SYNC | SMMUV3_M_SYNC_CS_IRQ << 12, 0);
	assert_int_equal(irq_count[SMMUV3_MODEL_IRQ_CMD_SYNC], 1);
	assert_int_equal(f.m->stats.sync_msis, 0); /* MSIAddress 0: wired only */

	/* CMD_CFGI_CD_ALL */
	assert_true(smmuv3_model_cd_cached(f.m, 3, 0));
	cmd(&f, SMMUV3_M_CMD_CFGI_CD_ALL | UINT64_C(3) << 32, 0);
	sync_ok(&f);
	assert_false(smmuv3_model_cd_cached(f.m, 3, 0));
	assert_true(smmuv3_model_ste_cached(f.m, 3));
	/* prefetch commands are accepted */
	cmd(&f, SMMUV3_M_CMD_PREFETCH_CONFIG | UINT64_C(3) << 32, 0);
	cmd(&f, SMMUV3_M_CMD_PREFETCH_ADDR | UINT64_C(3) << 32, 0x1000);
	sync_ok(&f);
	fx_fini(&f);

	/* optional page 0 aliases of EVTQ_PROD/CONS */
	cfg.page0_queue_alias = true;
	fx_init(&f, &cfg);
	assert_int_equal(dma(&f, 77, 0, RD, &pa), -SMMUV3_M_EVT_C_BAD_STE);
	assert_int_equal(rd32(&f, 0xa8), 1);
	assert_int_equal(rd32(&f, SMMUV3_M_EVTQ_PROD), 1);
	wr32(&f, 0xac, 1);
	assert_int_equal(rd32(&f, SMMUV3_M_EVTQ_CONS), 1);
	fx_fini(&f);
	cfg.page0_queue_alias = false;
	fx_init(&f, &cfg);
	assert_int_equal(dma(&f, 77, 0, RD, &pa), -SMMUV3_M_EVT_C_BAD_STE);
	assert_int_equal(rd32(&f, 0xa8), 0);
	fx_fini(&f);
}
