/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Self-test of the SMMUv3 model: stream tables, CDs and translation tables
 * are built by hand here (small functions of this file, nothing from the
 * library), the model is programmed through its MMIO interface, and DMA,
 * events, commands and cache behaviour are checked against the spec.
 * Memory is the process's own: PA == VA.
 */
#include "test_smmuv3_model_internal.h"

/* ---- tests ------------------------------------------------------------------------------ */

static void test_idregs(void **state)
{
	struct smmuv3_model_cfg cfg;
	struct smmuv3_model *m;
	(void)state;

	smmuv3_model_cfg_default(&cfg);
	cfg.s2p = false;
	cfg.ril = false;
	cfg.oas_bits = 44;
	cfg.sidsize = 24;
	cfg.ssidsize = 0;
	cfg.cmdqs = 10;
	cfg.evtqs = 7;
	m = smmuv3_model_create(&cfg);
	assert_non_null(m);
	assert_int_equal(smmuv3_model_read(m, SMMUV3_M_IDR0, 4) & 3u, 2u);	   /* S1P, no S2P */
	assert_int_equal((smmuv3_model_read(m, SMMUV3_M_IDR0, 4) >> 2) & 3u, 2u);  /* TTF AArch64 */
	assert_int_equal((smmuv3_model_read(m, SMMUV3_M_IDR0, 4) >> 27) & 3u, 1u); /* ST_LEVEL */
	assert_int_equal(smmuv3_model_read(m, SMMUV3_M_IDR1, 4),
			 24u | 0u << 6 | 19u << 11 | 7u << 16 | 10u << 21);
	assert_int_equal(smmuv3_model_read(m, SMMUV3_M_IDR3, 4) & (1u << 10), 0);
	assert_int_equal(smmuv3_model_read(m, SMMUV3_M_IDR5, 4), 4u | 7u << 4);
	assert_int_equal(smmuv3_model_read(m, SMMUV3_M_AIDR, 4), 2u);
	/* unknown offsets read 0; writes to read-only registers are counted */
	assert_int_equal(smmuv3_model_read(m, 0x300, 4), 0);
	assert_int_equal(smmuv3_model_read(m, 0x10000 + 0x500, 4), 0);
	smmuv3_model_write(m, SMMUV3_M_IDR0, 0, 4);
	smmuv3_model_write(m, SMMUV3_M_GERROR, 1, 4);
	assert_int_equal(m->stats.ro_writes, 2);
	assert_int_equal(smmuv3_model_read(m, SMMUV3_M_IDR0, 4) & 3u, 2u);
	/* 64-bit registers: both halves, and as a 64-bit access */
	smmuv3_model_write(m, SMMUV3_M_CMDQ_BASE, 0x12345680u | 5u, 4);
	smmuv3_model_write(m, SMMUV3_M_CMDQ_BASE + 4, 0x00000abcu, 4);
	assert_int_equal(smmuv3_model_read(m, SMMUV3_M_CMDQ_BASE, 8), UINT64_C(0xabc12345685));
	/* a 64-bit access to 32-bit registers, or a bad size, is counted */
	(void)smmuv3_model_read(m, SMMUV3_M_CR0, 8);
	(void)smmuv3_model_read(m, SMMUV3_M_CR0, 2);
	assert_int_equal(m->stats.bad_accesses, 2);
	smmuv3_model_destroy(m);

	/* inconsistent configurations are refused */
	smmuv3_model_cfg_default(&cfg);
	cfg.oas_bits = 47;
	assert_null(smmuv3_model_create(&cfg));
	smmuv3_model_cfg_default(&cfg);
	cfg.gran4k = cfg.gran16k = cfg.gran64k = false;
	assert_null(smmuv3_model_create(&cfg));
}

static void test_gbpa(void **state)
{
	struct smmuv3_model_cfg cfg;
	struct fx f;
	uint64_t pa = 0;
	(void)state;

	smmuv3_model_cfg_default(&cfg);
	fx_init_q(&f, &cfg, false, 5, false);
	/* SMMUEN == 0, GBPA.ABORT == 0: bypass */
	assert_int_equal(dma(&f, 7, 0x12345678, RD, &pa), 0);
	assert_int_equal(pa, 0x12345678);
	/* beyond the OAS: aborted without an event */
	assert_int_equal(dma(&f, 7, B(48), RD, &pa), SMMUV3_MODEL_ABORT);
	/* GBPA update with ABORT: Update clears, transactions abort */
	wr32(&f, SMMUV3_M_GBPA, SMMUV3_M_GBPA_UPDATE | SMMUV3_M_GBPA_ABORT);
	assert_int_equal(rd32(&f, SMMUV3_M_GBPA) & SMMUV3_M_GBPA_UPDATE, 0);
	assert_int_equal(dma(&f, 7, 0x1000, WR, &pa), SMMUV3_MODEL_ABORT);
	assert_int_equal(f.m->last_event.type, 0);
	/* a write without Update is ignored */
	wr32(&f, SMMUV3_M_GBPA, 0);
	assert_int_equal(f.m->stats.gbpa_bad_writes, 1);
	assert_int_equal(dma(&f, 7, 0x1000, WR, &pa), SMMUV3_MODEL_ABORT);
	/* broken Update: never clears, the new value never takes effect */
	f.m->cfg.gbpa_broken = true;
	wr32(&f, SMMUV3_M_GBPA, SMMUV3_M_GBPA_UPDATE);
	assert_int_equal(rd32(&f, SMMUV3_M_GBPA) & SMMUV3_M_GBPA_UPDATE, SMMUV3_M_GBPA_UPDATE);
	assert_int_equal(dma(&f, 7, 0x1000, WR, &pa), SMMUV3_MODEL_ABORT);
	wr32(&f, SMMUV3_M_GBPA, SMMUV3_M_GBPA_UPDATE);
	assert_int_equal(f.m->stats.gbpa_bad_writes, 2);
	fx_fini(&f);

	/* default-deny reset */
	cfg.gbpa_reset_abort = true;
	fx_init_q(&f, &cfg, false, 5, false);
	assert_int_equal(rd32(&f, SMMUV3_M_GBPA) & SMMUV3_M_GBPA_ABORT, SMMUV3_M_GBPA_ABORT);
	assert_int_equal(dma(&f, 7, 0x1000, RD, &pa), SMMUV3_MODEL_ABORT);
	wr32(&f, SMMUV3_M_GBPA, SMMUV3_M_GBPA_UPDATE);
	assert_int_equal(dma(&f, 7, 0x1000, RD, &pa), 0);
	fx_fini(&f);
}

static void test_cr0ack_and_guards(void **state)
{
	struct smmuv3_model_cfg cfg;
	struct fx f;
	uint64_t base;
	(void)state;

	smmuv3_model_cfg_default(&cfg);
	fx_init(&f, &cfg);
	/* guarded registers ignore writes while enabled */
	base = smmuv3_model_read(f.m, SMMUV3_M_STRTAB_BASE, 8);
	wr64(&f, SMMUV3_M_STRTAB_BASE, 0x1000);
	assert_int_equal(smmuv3_model_read(f.m, SMMUV3_M_STRTAB_BASE, 8), base);
	wr32(&f, SMMUV3_M_CMDQ_CONS, 0);
	wr32(&f, SMMUV3_M_CR1, 0);
	assert_int_equal(f.m->stats.guarded_writes, 3);
	assert_int_equal(rd32(&f, SMMUV3_M_CR1), 0x3f5u);
	fx_fini(&f);

	/* CR0ACK never follows: nothing is enabled, no command is consumed */
	cfg.cr0ack_broken = true;
	fx_init_q(&f, &cfg, false, 5, false);
	wr64(&f, SMMUV3_M_CMDQ_BASE, pa_of(f.cmdq) | CMDQ_LOG2);
	wr32(&f, SMMUV3_M_CR0, SMMUV3_M_CR0_CMDQEN);
	assert_int_equal(rd32(&f, SMMUV3_M_CR0), SMMUV3_M_CR0_CMDQEN);
	assert_int_equal(rd32(&f, SMMUV3_M_CR0ACK), 0);
	cmd(&f, SMMUV3_M_CMD_SYNC, 0);
	assert_int_equal(rd32(&f, SMMUV3_M_CMDQ_CONS), 0);
	f.m->cfg.cr0ack_broken = false;
	wr32(&f, SMMUV3_M_CR0, SMMUV3_M_CR0_CMDQEN);
	assert_int_equal(rd32(&f, SMMUV3_M_CR0ACK), SMMUV3_M_CR0_CMDQEN);
	assert_int_equal(rd32(&f, SMMUV3_M_CMDQ_CONS), 1);
	fx_fini(&f);
}

static void test_bad_streamid_and_ste(void **state)
{
	struct smmuv3_model_cfg cfg;
	struct fx f;
	struct pt p;
	uint64_t rec[4], pa = 0, w[8] = {0};
	(void)state;

	smmuv3_model_cfg_default(&cfg);
	fx_init(&f, &cfg);
	/* StreamID beyond STRTAB_BASE_CFG.LOG2SIZE: C_BAD_STREAMID (RECINVSID set) */
	assert_int_equal(dma(&f, 1u << STRTAB_LOG2, 0, RD, &pa), -SMMUV3_M_EVT_C_BAD_STREAMID);
	assert_true(evt_pop(&f, rec));
	assert_int_equal(SMMUV3_M_EVT0_TYPE(rec[0]), SMMUV3_M_EVT_C_BAD_STREAMID);
	assert_int_equal(SMMUV3_M_EVT0_SID(rec[0]), 1u << STRTAB_LOG2);
	/* without RECINVSID: aborted, not recorded */
	wr32(&f, SMMUV3_M_CR0, SMMUV3_M_CR0_CMDQEN | SMMUV3_M_CR0_EVTQEN);
	wr32(&f, SMMUV3_M_CR2, 0);
	wr32(&f, SMMUV3_M_CR0, SMMUV3_M_CR0_CMDQEN | SMMUV3_M_CR0_EVTQEN | SMMUV3_M_CR0_SMMUEN);
	assert_int_equal(dma(&f, 0x12345, 0, RD, &pa), -SMMUV3_M_EVT_C_BAD_STREAMID);
	assert_false(f.m->last_event.recorded);
	assert_false(evt_pop(&f, rec));

	/* V == 0: C_BAD_STE with the StreamID and SubstreamID */
	assert_int_equal(smmuv3_model_dma(f.m, 5, 0x77, true, 0x1000, RD, &pa),
			 -SMMUV3_M_EVT_C_BAD_STE);
	assert_true(evt_pop(&f, rec));
	assert_int_equal(SMMUV3_M_EVT0_TYPE(rec[0]), SMMUV3_M_EVT_C_BAD_STE);
	assert_int_equal(SMMUV3_M_EVT0_SID(rec[0]), 5);
	assert_true(rec[0] & SMMUV3_M_EVT0_SSV);
	assert_int_equal(SMMUV3_M_EVT0_SSID(rec[0]), 0x77);
	/* invalid STEs are not cached: a valid one is seen without invalidation */
	assert_false(smmuv3_model_ste_cached(f.m, 5));
	ste_bypass(&f, 5);
	assert_int_equal(xlate(&f, 5, 0xabc000), 0xabc000);

	/* Config abort: terminated, no event */
	w[0] = STE_V | CFG_ABORT;
	ste_write(ste_ptr(&f, 6), w);
	assert_int_equal(dma(&f, 6, 0x1000, RD, &pa), SMMUV3_MODEL_ABORT);
	assert_false(evt_pop(&f, rec));

	/* bypass STE: input beyond the OAS is a stage 1 address size fault */
	ste_bypass(&f, 8);
	assert_int_equal(xlate(&f, 8, 0x7654321000), 0x7654321000);
	assert_int_equal(dma(&f, 8, B(50), RD, &pa), -SMMUV3_M_EVT_F_ADDR_SIZE);
	assert_true(evt_pop(&f, rec));
	assert_int_equal(rec[2], B(50));
	assert_false(rec[1] & SMMUV3_M_EVT1_S2);
	assert_int_equal(SMMUV3_M_EVT1_CLASS(rec[1]), SMMUV3_M_EVT_CLASS_IN);
	/* a SubstreamID to a stream without stage 1 */
	assert_int_equal(smmuv3_model_dma(f.m, 8, 3, true, 0x1000, RD, &pa),
			 -SMMUV3_M_EVT_C_BAD_SUBSTREAMID);
	assert_true(evt_pop(&f, rec));
	assert_int_equal(SMMUV3_M_EVT0_SSID(rec[0]), 3);

	/* stage 2 S2T0SZ / S2SL0 inconsistent (4K, 40-bit IPA, start level 2) */
	pt_init(&f, &p, 12, 40, 1);
	memset(w, 0, sizeof(w));
	w[0] = STE_V | CFG_S2;
	ste_s2_fields(w, 1, pa_of(p.root), 24, 0, 0);
	ste_write(ste_ptr(&f, 9), w);
	assert_int_equal(dma(&f, 9, 0, RD, &pa), -SMMUV3_M_EVT_C_BAD_STE);
	/* ... consistent with start level 1: an empty table, a stage 2 translation fault */
	ste_s2_fields(w, 1, pa_of(p.root), 24, 1, 0);
	ste_write(ste_ptr(&f, 9), w);
	assert_int_equal(dma(&f, 9, 0, RD, &pa), -SMMUV3_M_EVT_F_TRANSLATION);
	assert_true(f.m->last_event.rec[1] & SMMUV3_M_EVT1_S2);
	/* a granule the SMMU lacks */
	f.m->cfg.gran64k = false;
	ste_s2_fields(w, 1, pa_of(p.root), 24, 1, 1);
	ste_write(ste_ptr(&f, 10), w);
	assert_int_equal(dma(&f, 10, 0, RD, &pa), -SMMUV3_M_EVT_C_BAD_STE);
	fx_fini(&f);

	/* stage 2 requested on a stage 1-only SMMU */
	smmuv3_model_cfg_default(&cfg);
	cfg.s2p = false;
	fx_init(&f, &cfg);
	memset(w, 0, sizeof(w));
	w[0] = STE_V | CFG_S2;
	ste_write(ste_ptr(&f, 1), w);
	assert_int_equal(dma(&f, 1, 0, RD, &pa), -SMMUV3_M_EVT_C_BAD_STE);
	fx_fini(&f);
}

static void test_s1_translate_and_faults(void **state)
{
	struct smmuv3_model_cfg cfg;
	struct fx f;
	struct pt p;
	uint64_t rec[4], pa = 0;
	uint8_t *cd2;
	(void)state;

	smmuv3_model_cfg_default(&cfg);
	fx_init(&f, &cfg);
	s1_setup(&f, &p, 3, 5, 0);
	pt_map(&f, &p, 0x10000000, 0x80000000, 3, S1_PAGE);
	pt_map(&f, &p, 0x10001000, 0x80001000, 3, S1_PAGE | S1_RO);
	pt_map(&f, &p, 0x10002000, 0x80002000, 3, S1_PAGE | S1_EL0);
	pt_map(&f, &p, 0x40200000, 0x90000000, 2, S1_PAGE);	     /* 2M block */
	pt_map(&f, &p, 0x10003000, 0x80003000, 3, S1_PAGE & ~B(10)); /* AF == 0 */

	assert_int_equal(xlate(&f, 3, 0x10000123), 0x80000123);
	assert_int_equal(xlate(&f, 3, 0x40312345), 0x90112345);
	assert_int_equal(dma(&f, 3, 0x10002008, WR, &pa), 0); /* EL0 RW */
	assert_int_equal(pa, 0x80002008);

	/* write to a read-only page */
	assert_int_equal(dma(&f, 3, 0x10001010, WR | PRIV, &pa), -SMMUV3_M_EVT_F_PERMISSION);
	assert_true(evt_pop(&f, rec));
	assert_int_equal(SMMUV3_M_EVT0_TYPE(rec[0]), SMMUV3_M_EVT_F_PERMISSION);
	assert_int_equal(SMMUV3_M_EVT0_SID(rec[0]), 3);
	assert_false(rec[0] & SMMUV3_M_EVT0_SSV);
	assert_false(rec[1] & SMMUV3_M_EVT1_RNW);
	assert_true(rec[1] & SMMUV3_M_EVT1_PNU);
	assert_false(rec[1] & SMMUV3_M_EVT1_S2);
	assert_int_equal(SMMUV3_M_EVT1_CLASS(rec[1]), SMMUV3_M_EVT_CLASS_IN);
	assert_int_equal(rec[2], 0x10001010);
	/* unprivileged read of a privileged-only page */
	assert_int_equal(dma(&f, 3, 0x10000000, RD, &pa), -SMMUV3_M_EVT_F_PERMISSION);
	assert_true(evt_pop(&f, rec));
	assert_true(rec[1] & SMMUV3_M_EVT1_RNW);
	assert_false(rec[1] & SMMUV3_M_EVT1_PNU);
	/* privileged execution of EL0-writable memory */
	assert_int_equal(dma(&f, 3, 0x10002000, SMMUV3_MODEL_ACC_X | PRIV, &pa),
			 -SMMUV3_M_EVT_F_PERMISSION);
	assert_true(evt_pop(&f, rec));
	assert_true(rec[1] & SMMUV3_M_EVT1_IND);
	/* unmapped, and beyond T0SZ */
	assert_int_equal(dma(&f, 3, 0x20000000, RD | PRIV, &pa), -SMMUV3_M_EVT_F_TRANSLATION);
	assert_int_equal(dma(&f, 3, B(39), RD | PRIV, &pa), -SMMUV3_M_EVT_F_TRANSLATION);
	/* access flag */
	assert_int_equal(dma(&f, 3, 0x10003000, RD | PRIV, &pa), -SMMUV3_M_EVT_F_ACCESS);
	assert_true(evt_pop(&f, rec));
	assert_true(evt_pop(&f, rec));
	assert_true(evt_pop(&f, rec));
	assert_int_equal(SMMUV3_M_EVT0_TYPE(rec[0]), SMMUV3_M_EVT_F_ACCESS);
	assert_false(evt_pop(&f, rec));
	/* invalid and AF == 0 translations are never cached; valid ones are */
	assert_int_equal(smmuv3_model_tlb_count(f.m), 4);

	/* CD.R == 0: faults are not recorded; CD.A == 0: RAZ/WI termination */
	cd2 = galloc(&f, 64, 64);
	cd_write(cd2, 6, pa_of(p.root), 25, 0, 0);
	ste_s1(&f, 4, pa_of(cd2));
	assert_int_equal(dma(&f, 4, 0x10001000, WR | PRIV, &pa), -SMMUV3_M_EVT_F_PERMISSION);
	assert_false(f.m->last_event.recorded);
	assert_true(f.m->last_event.razwi);
	assert_false(evt_pop(&f, rec));

	/* CD.V == 0 */
	cd_write(cd2, 6, pa_of(p.root), 25, 0, 0);
	set64(cd2, get64(cd2) & ~CD_V);
	ste_s1(&f, 10, pa_of(cd2));
	assert_int_equal(dma(&f, 10, 0, RD, &pa), -SMMUV3_M_EVT_C_BAD_CD);
	assert_true(evt_pop(&f, rec));
	assert_int_equal(SMMUV3_M_EVT0_TYPE(rec[0]), SMMUV3_M_EVT_C_BAD_CD);
	/* a granule the SMMU lacks */
	f.m->cfg.gran16k = false;
	cd_write(cd2, 6, pa_of(p.root), 25, 2, 0);
	ste_s1(&f, 11, pa_of(cd2));
	assert_int_equal(dma(&f, 11, 0, RD, &pa), -SMMUV3_M_EVT_C_BAD_CD);
	fx_fini(&f);
}

static void test_s1_granules(void **state)
{
	struct smmuv3_model_cfg cfg;
	struct fx f;
	struct pt p16, p64;
	uint8_t *cd;
	uint64_t pa = 0;
	(void)state;

	smmuv3_model_cfg_default(&cfg);
	cfg.oas_bits = 52;
	fx_init(&f, &cfg);

	/* 16K granule, 47-bit VA: levels 1..3, 32M blocks at level 2 */
	cd = galloc(&f, 64, 64);
	pt_init(&f, &p16, 14, 47, -1);
	assert_int_equal(p16.start, 1);
	cd_write(cd, 1, pa_of(p16.root), 17, 2, CD_R | CD_A);
	ste_s1(&f, 20, pa_of(cd));
	pt_map(&f, &p16, 0x7f0000004000, 0x123450000000 + 0x4000, 3, S1_PAGE);
	pt_map(&f, &p16, 0x2000000, 0x6000000, 2, S1_PAGE);
	assert_int_equal(xlate(&f, 20, 0x7f0000005678), 0x123450005678);
	assert_int_equal(xlate(&f, 20, 0x3abcdef), 0x7abcdef);

	/* 64K granule, 48-bit VA: levels 1..3, 512M blocks; 52-bit output */
	cd = galloc(&f, 64, 64);
	pt_init(&f, &p64, 16, 48, -1);
	assert_int_equal(p64.start, 1);
	cd_write(cd, 2, pa_of(p64.root), 16, 1, CD_R | CD_A | UINT64_C(6) << 32 /* IPS 52 */);
	ste_s1(&f, 21, pa_of(cd));
	pt_map(&f, &p64, 0x10000, 0x990000, 3, S1_PAGE);
	pt_map(&f, &p64, 0x20000000, 0x40000000, 2, S1_PAGE);
	/* OA[51:48] in descriptor bits [15:12] */
	set64(pt_slot(&f, &p64, 0x30000, 3), 0x550000 | 0x3000 | S1_PAGE | 3);
	assert_int_equal(xlate(&f, 21, 0x1fedc), 0x99fedc);
	assert_int_equal(xlate(&f, 21, 0x3fffffff), 0x5fffffff);
	assert_int_equal(xlate(&f, 21, 0x30004), UINT64_C(0x3000000550004));
	fx_fini(&f);

	/* with a 48-bit IPS the same descriptor is an address size fault */
	smmuv3_model_cfg_default(&cfg);
	cfg.oas_bits = 52;
	fx_init(&f, &cfg);
	cd = galloc(&f, 64, 64);
	pt_init(&f, &p64, 16, 48, -1);
	cd_write(cd, 2, pa_of(p64.root), 16, 1, CD_R | CD_A);
	ste_s1(&f, 21, pa_of(cd));
	pt_map(&f, &p64, 0x10000, 0x990000, 3, S1_PAGE);
	set64(pt_slot(&f, &p64, 0x30000, 3), 0x550000 | 0x3000 | S1_PAGE | 3);
	assert_int_equal(dma(&f, 21, 0x30004, RD | PRIV, &pa), -SMMUV3_M_EVT_F_ADDR_SIZE);
	fx_fini(&f);
}

static void test_s2_translate(void **state)
{
	struct smmuv3_model_cfg cfg;
	struct fx f;
	struct pt p, p64;
	uint64_t rec[4], pa = 0, w[8] = {0};
	(void)state;

	smmuv3_model_cfg_default(&cfg);
	fx_init(&f, &cfg);
	/* 4K granule, 40-bit IPA, start level 1: two concatenated tables */
	pt_init(&f, &p, 12, 40, 1);
	w[0] = STE_V | CFG_S2;
	ste_s2_fields(w, 9, pa_of(p.root), 24, 1, 0);
	ste_write(ste_ptr(&f, 12), w);
	pt_map(&f, &p, 0x8012345000, 0x55555000, 3, S2_PAGE);
	pt_map(&f, &p, 0x1000, 0x66666000, 3, S2_PAGE & ~(UINT64_C(2) << 6)); /* read-only */
	assert_int_equal(xlate(&f, 12, 0x8012345abc), 0x55555abc);
	assert_int_equal(xlate(&f, 12, 0x1004), 0x66666004);
	/* stage 2 permission fault: S2 == 1, CLASS IN, the IPA */
	assert_int_equal(dma(&f, 12, 0x1008, WR, &pa), -SMMUV3_M_EVT_F_PERMISSION);
	assert_true(evt_pop(&f, rec));
	assert_true(rec[1] & SMMUV3_M_EVT1_S2);
	assert_int_equal(SMMUV3_M_EVT1_CLASS(rec[1]), SMMUV3_M_EVT_CLASS_IN);
	assert_int_equal(SMMUV3_M_EVT3_IPA(rec[3]), 0x1000);
	assert_int_equal(rec[2], 0x1008);
	/* beyond S2T0SZ: stage 2 translation fault */
	assert_int_equal(dma(&f, 12, B(40), RD, &pa), -SMMUV3_M_EVT_F_TRANSLATION);
	assert_true(evt_pop(&f, rec));
	assert_true(rec[1] & SMMUV3_M_EVT1_S2);
	/* S2R == 0: not recorded */
	w[2] &= ~B(58);
	ste_write(ste_ptr(&f, 12), w);
	cfgi_ste(&f, 12);
	assert_int_equal(dma(&f, 12, 0x2000, RD, &pa), -SMMUV3_M_EVT_F_TRANSLATION);
	assert_false(f.m->last_event.recorded);

	/* TLBI_S2_IPA: wrong VMID keeps the entry, the right one drops it */
	pt_map(&f, &p, 0x8012345000, 0x77777000, 3, S2_PAGE);
	assert_int_equal(xlate(&f, 12, 0x8012345abc), 0x55555abc);
	cmd(&f, SMMUV3_M_CMD_TLBI_S2_IPA | UINT64_C(8) << 32, 0x8012345000 | 1);
	sync_ok(&f);
	assert_int_equal(xlate(&f, 12, 0x8012345abc), 0x55555abc);
	cmd(&f, SMMUV3_M_CMD_TLBI_S2_IPA | UINT64_C(9) << 32, 0x8012345000 | 1);
	sync_ok(&f);
	assert_int_equal(xlate(&f, 12, 0x8012345abc), 0x77777abc);

	/* 64K granule, 40-bit IPA from level 2 */
	pt_init(&f, &p64, 16, 40, 2);
	memset(w, 0, sizeof(w));
	w[0] = STE_V | CFG_S2;
	ste_s2_fields(w, 10, pa_of(p64.root), 24, 1, 1);
	ste_write(ste_ptr(&f, 13), w);
	pt_map(&f, &p64, 0xff00000000, 0x1230000, 3, S2_PAGE);
	pt_map(&f, &p64, 0x20000000, 0x60000000, 2, S2_PAGE); /* 512M block */
	assert_int_equal(xlate(&f, 13, 0xff0000fedc), 0x123fedc);
	assert_int_equal(xlate(&f, 13, 0x2abcdef0), 0x6abcdef0);
	/* input beyond the IAS: stage 1 address size fault though stage 1 is bypassed */
	assert_int_equal(dma(&f, 13, B(49), RD, &pa), -SMMUV3_M_EVT_F_ADDR_SIZE);
	assert_true(evt_pop(&f, rec));
	assert_int_equal(SMMUV3_M_EVT0_TYPE(rec[0]), SMMUV3_M_EVT_F_ADDR_SIZE);
	assert_false(rec[1] & SMMUV3_M_EVT1_S2);
	fx_fini(&f);
}

static void test_nested(void **state)
{
	const uint64_t off = B(44); /* IPA = PA + off for the guest's structures */
	struct smmuv3_model_cfg cfg;
	struct fx f;
	struct pt s2, s1;
	uint8_t *cd;
	uint64_t rec[4], pa = 0, w[8] = {0};
	size_t n;
	(void)state;

	smmuv3_model_cfg_default(&cfg);
	fx_init(&f, &cfg);
	pt_init(&f, &s2, 12, 48, 0);
	pt_init_nested(&f, &s1, 12, 39, -1, off, &s2);
	cd = galloc(&f, 4096, 4096);
	pt_map(&f, &s2, pa_of(cd) + off, pa_of(cd), 3, S2_PAGE);
	cd_write(cd, 3, pa_of(s1.root) + off, 25, 0, CD_R | CD_A);
	pt_map(&f, &s1, 0x1000, 0x40000000, 3, S1_PAGE);
	pt_map(&f, &s2, 0x40000000, 0x80000000, 3, S2_PAGE);
	ste_s1_words(w, pa_of(cd) + off, 0, 0, 0);
	w[0] = (w[0] & ~UINT64_C(0xe)) | CFG_NESTED;
	ste_s2_fields(w, 4, pa_of(s2.root), 16, 2, 0);
	ste_write(ste_ptr(&f, 30), w);

	assert_int_equal(xlate(&f, 30, 0x1234), 0x80000234);
	n = smmuv3_model_tlb_count(f.m);
	assert_true(n >= 3); /* CD page, table pages, data IPA, and the combined entry */

	/* TLBI_S2_IPA does not drop the combined entry; TLBI_NH_ALL does */
	pt_map(&f, &s2, 0x40000000, 0x90000000, 3, S2_PAGE);
	cmd(&f, SMMUV3_M_CMD_TLBI_S2_IPA | UINT64_C(4) << 32, 0x40000000 | 1);
	sync_ok(&f);
	assert_int_equal(xlate(&f, 30, 0x1234), 0x80000234);
	cmd(&f, SMMUV3_M_CMD_TLBI_NH_ALL | UINT64_C(4) << 32, 0);
	sync_ok(&f);
	assert_int_equal(xlate(&f, 30, 0x1234), 0x90000234);
	/* TLBI_S12_VMALL drops everything of the VMID */
	cmd(&f, SMMUV3_M_CMD_TLBI_S12_VMALL | UINT64_C(4) << 32, 0);
	sync_ok(&f);
	assert_int_equal(smmuv3_model_tlb_count(f.m), 0);
	assert_int_equal(xlate(&f, 30, 0x1234), 0x90000234);

	/* stage 2 permission on the final IPA, cached in the combined entry */
	pt_map(&f, &s1, 0x2000, 0x40001000, 3, S1_PAGE);
	pt_map(&f, &s2, 0x40001000, 0x80001000, 3, S2_PAGE & ~(UINT64_C(2) << 6));
	assert_int_equal(xlate(&f, 30, 0x2010), 0x80001010);
	assert_int_equal(dma(&f, 30, 0x2010, WR | PRIV, &pa), -SMMUV3_M_EVT_F_PERMISSION);
	while (evt_pop(&f, rec))
		;
	assert_true(rec[1] & SMMUV3_M_EVT1_S2);
	assert_int_equal(SMMUV3_M_EVT1_CLASS(rec[1]), SMMUV3_M_EVT_CLASS_IN);
	assert_int_equal(SMMUV3_M_EVT3_IPA(rec[3]), 0x40001000);

	/* CD at an IPA stage 2 does not map: S2 fault, CLASS CD, IPA = CD address */
	ste_s1_words(w, 0x7000000000, 0, 0, 0);
	w[0] = (w[0] & ~UINT64_C(0xe)) | CFG_NESTED;
	ste_s2_fields(w, 4, pa_of(s2.root), 16, 2, 0);
	ste_write(ste_ptr(&f, 31), w);
	assert_int_equal(dma(&f, 31, 0x1000, RD, &pa), -SMMUV3_M_EVT_F_TRANSLATION);
	assert_true(evt_pop(&f, rec));
	assert_true(rec[1] & SMMUV3_M_EVT1_S2);
	assert_int_equal(SMMUV3_M_EVT1_CLASS(rec[1]), SMMUV3_M_EVT_CLASS_CD);
	assert_int_equal(SMMUV3_M_EVT3_IPA(rec[3]), 0x7000000000);

	/* stage 1 table at an unmapped IPA: S2 fault, CLASS TT, IPA = descriptor address */
	cd = galloc(&f, 4096, 4096);
	pt_map(&f, &s2, pa_of(cd) + off, pa_of(cd), 3, S2_PAGE);
	cd_write(cd, 3, 0x6000000000, 25, 0, CD_R | CD_A);
	ste_s1_words(w, pa_of(cd) + off, 0, 0, 0);
	w[0] = (w[0] & ~UINT64_C(0xe)) | CFG_NESTED;
	ste_s2_fields(w, 4, pa_of(s2.root), 16, 2, 0);
	ste_write(ste_ptr(&f, 32), w);
	assert_int_equal(dma(&f, 32, 0x40000000, RD, &pa), -SMMUV3_M_EVT_F_TRANSLATION);
	assert_true(evt_pop(&f, rec));
	assert_int_equal(SMMUV3_M_EVT1_CLASS(rec[1]), SMMUV3_M_EVT_CLASS_TT);
	assert_int_equal(SMMUV3_M_EVT3_IPA(rec[3]), 0x6000000000); /* IPA[55:12] */
	fx_fini(&f);
}

static void test_cmdq(void **state)
{
	struct smmuv3_model_cfg cfg;
	struct fx f;
	uint32_t msi = 0, cons, gerror;
	const struct smmuv3_model_cmd_log_entry *le;
	(void)state;

	smmuv3_model_cfg_default(&cfg);
	fx_init(&f, &cfg);
	/* CMD_SYNC with an MSI */
	cmd(&f, SMMUV3_M_CMD_SYNC | SMMUV3_M_SYNC_CS_IRQ << 12 | UINT64_C(0xdeadbeef) << 32,
	    pa_of(&msi));
	assert_true(cmdq_drained(&f));
	assert_int_equal(msi, 0xdeadbeef);
	assert_int_equal(f.m->stats.sync_msis, 1);
	le = smmuv3_model_cmd_log(f.m, 0);
	assert_non_null(le);
	assert_int_equal(le->op, SMMUV3_M_CMD_SYNC);
	assert_int_equal(le->w[1], pa_of(&msi));

	/* an unknown opcode stops consumption with CERROR_ILL */
	cons = rd32(&f, SMMUV3_M_CMDQ_CONS);
	cmd(&f, 0x09, 0);
	cmd(&f, SMMUV3_M_CMD_TLBI_NSNH_ALL, 0);
	assert_true(smmuv3_model_cmdq_error(f.m));
	assert_int_equal(rd32(&f, SMMUV3_M_CMDQ_CONS) & 0xfffff, cons);
	assert_int_equal((rd32(&f, SMMUV3_M_CMDQ_CONS) >> 24) & 0x7f, SMMUV3_M_CERROR_ILL);
	gerror = rd32(&f, SMMUV3_M_GERROR);
	assert_int_equal((gerror ^ rd32(&f, SMMUV3_M_GERRORN)) & SMMUV3_M_GERROR_CMDQ_ERR,
			 SMMUV3_M_GERROR_CMDQ_ERR);
	assert_int_equal(smmuv3_model_cmd_log(f.m, 0)->err, SMMUV3_M_CERROR_ILL);
	/* nothing is consumed while the error is active, even on new PROD writes */
	smmuv3_model_process(f.m);
	assert_int_equal(rd32(&f, SMMUV3_M_CMDQ_CONS) & 0xfffff, cons);
	/* fix the command (a CMD_SYNC in its place), acknowledge: consumption resumes */
	set64(f.cmdq + 16 * (cons & 0xff), SMMUV3_M_CMD_SYNC);
	wr32(&f, SMMUV3_M_GERRORN, gerror);
	assert_false(smmuv3_model_cmdq_error(f.m));
	assert_true(cmdq_drained(&f));
	assert_int_equal(smmuv3_model_cmd_log(f.m, 0)->op, SMMUV3_M_CMD_TLBI_NSNH_ALL);
	assert_int_equal(smmuv3_model_cmd_log(f.m, 1)->op, SMMUV3_M_CMD_SYNC);
	assert_int_equal(smmuv3_model_cmd_log(f.m, 2)->op, 0x09);
	assert_int_equal(f.m->stats.cmd_count[SMMUV3_M_CMD_TLBI_NSNH_ALL], 2);

	/* malformed commands: CS == 0b11, SSec, a RES0 bit, range fields with TG == 0 */
	cmd(&f, SMMUV3_M_CMD_SYNC | 3u << 12, 0);
	assert_true(smmuv3_model_cmdq_error(f.m));
	set64(f.cmdq + 16 * (rd32(&f, SMMUV3_M_CMDQ_CONS) & 0xff), SMMUV3_M_CMD_SYNC);
	wr32(&f, SMMUV3_M_GERRORN, rd32(&f, SMMUV3_M_GERROR));
	assert_true(cmdq_drained(&f));
	cmd(&f, SMMUV3_M_CMD_CFGI_STE | B(10), 0);
	assert_true(smmuv3_model_cmdq_error(f.m));
	set64(f.cmdq + 16 * (rd32(&f, SMMUV3_M_CMDQ_CONS) & 0xff), SMMUV3_M_CMD_SYNC);
	wr32(&f, SMMUV3_M_GERRORN, rd32(&f, SMMUV3_M_GERROR));
	cmd(&f, SMMUV3_M_CMD_TLBI_NH_ASID | B(20), 0);
	assert_true(smmuv3_model_cmdq_error(f.m));
	set64(f.cmdq + 16 * (rd32(&f, SMMUV3_M_CMDQ_CONS) & 0xff), SMMUV3_M_CMD_SYNC);
	wr32(&f, SMMUV3_M_GERRORN, rd32(&f, SMMUV3_M_GERROR));
	cmd(&f, SMMUV3_M_CMD_TLBI_NH_VA | UINT64_C(3) << 12, 0x1000);
	assert_true(smmuv3_model_cmdq_error(f.m));
	set64(f.cmdq + 16 * (rd32(&f, SMMUV3_M_CMDQ_CONS) & 0xff), SMMUV3_M_CMD_SYNC);
	wr32(&f, SMMUV3_M_GERRORN, rd32(&f, SMMUV3_M_GERROR));
	/* Reserved range combination: TG set, NUM == SCALE == TTL == 0 */
	cmd(&f, SMMUV3_M_CMD_TLBI_NH_VA, 0x1000 | 1u << 10);
	assert_true(smmuv3_model_cmdq_error(f.m));
	set64(f.cmdq + 16 * (rd32(&f, SMMUV3_M_CMDQ_CONS) & 0xff), SMMUV3_M_CMD_SYNC);
	wr32(&f, SMMUV3_M_GERRORN, rd32(&f, SMMUV3_M_GERROR));
	/* stall commands without stall support */
	cmd(&f, SMMUV3_M_CMD_RESUME, 0);
	assert_true(smmuv3_model_cmdq_error(f.m));
	set64(f.cmdq + 16 * (rd32(&f, SMMUV3_M_CMDQ_CONS) & 0xff), SMMUV3_M_CMD_SYNC);
	wr32(&f, SMMUV3_M_GERRORN, rd32(&f, SMMUV3_M_GERROR));
	assert_true(cmdq_drained(&f));
	assert_int_equal(f.m->stats.cmd_errors, 7);
	assert_int_equal(f.m->stats.gerrorn_bad, 0);

	/* the GERROR interrupt is an MSI when enabled */
	msi = 0;
	wr64(&f, SMMUV3_M_GERROR_IRQ_CFG0, pa_of(&msi));
	wr32(&f, SMMUV3_M_GERROR_IRQ_CFG1, 0x1234);
	wr32(&f, SMMUV3_M_IRQ_CTRL, SMMUV3_M_IRQ_GERROR);
	assert_int_equal(rd32(&f, SMMUV3_M_IRQ_CTRLACK), SMMUV3_M_IRQ_GERROR);
	cmd(&f, 0xff, 0);
	assert_int_equal(msi, 0x1234);
	set64(f.cmdq + 16 * (rd32(&f, SMMUV3_M_CMDQ_CONS) & 0xff), SMMUV3_M_CMD_SYNC);
	wr32(&f, SMMUV3_M_GERRORN, rd32(&f, SMMUV3_M_GERROR));
	assert_true(cmdq_drained(&f));
	fx_fini(&f);

	/* lax RES0 checking accepts the non-zero RES0 bit */
	cfg.lax_res0 = true;
	fx_init(&f, &cfg);
	cmd(&f, SMMUV3_M_CMD_TLBI_NH_ASID | B(20), 0);
	assert_false(smmuv3_model_cmdq_error(f.m));
	fx_fini(&f);

	/* stage 1-only SMMU without RIL: VMID and range fields are RES0 */
	smmuv3_model_cfg_default(&cfg);
	cfg.s2p = false;
	cfg.ril = false;
	fx_init(&f, &cfg);
	cmd(&f, SMMUV3_M_CMD_TLBI_NH_ALL | UINT64_C(1) << 32, 0);
	assert_true(smmuv3_model_cmdq_error(f.m));
	set64(f.cmdq + 16 * (rd32(&f, SMMUV3_M_CMDQ_CONS) & 0xff), SMMUV3_M_CMD_TLBI_NH_ALL);
	wr32(&f, SMMUV3_M_GERRORN, rd32(&f, SMMUV3_M_GERROR));
	assert_true(cmdq_drained(&f));
	cmd(&f, SMMUV3_M_CMD_TLBI_NH_VA, 0x1000 | 1u << 10 | 3u << 8);
	assert_true(smmuv3_model_cmdq_error(f.m));
	set64(f.cmdq + 16 * (rd32(&f, SMMUV3_M_CMDQ_CONS) & 0xff), SMMUV3_M_CMD_SYNC);
	wr32(&f, SMMUV3_M_GERRORN, rd32(&f, SMMUV3_M_GERROR));
	/* stage 2 commands do not exist here */
	cmd(&f, SMMUV3_M_CMD_TLBI_S12_VMALL, 0);
	assert_true(smmuv3_model_cmdq_error(f.m));
	set64(f.cmdq + 16 * (rd32(&f, SMMUV3_M_CMDQ_CONS) & 0xff), SMMUV3_M_CMD_SYNC);
	wr32(&f, SMMUV3_M_GERRORN, rd32(&f, SMMUV3_M_GERROR));
	assert_true(cmdq_drained(&f));
	fx_fini(&f);
}

/* ---- the non-coherent SMMU's DRAM copy (model_dram, cfg.dram) ---- */

static int dram_src(void *ctx, uint64_t pa, void *buf, size_t len)
{
	const uint8_t *mem = ctx; /* 3 pages at "physical" 0x10000 */
	if (pa < 0x10000 || pa + len > 0x13000)
		return -1;
	memcpy(buf, mem + (pa - 0x10000), len);
	return 0;
}

/* Cleans fill pages from memory, reads see them (zeros elsewhere), device writes
 * update held pages only, a full set counts what it could not hold. */
static void test_dram_copy(void **state)
{
	static uint8_t mem[3 * 4096];
	static struct model_dram_page pages[2];
	struct model_dram d;
	uint8_t b[16];
	(void)state;
	for (size_t i = 0; i < sizeof(mem); i++)
		mem[i] = (uint8_t)(i * 7u + 1u);
	model_dram_init(&d, pages, 2);
	model_dram_read(&d, 0x10000, b, 8);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(b[i], 0);
	/* a clean across a page boundary holds both pages, only the bytes cleaned */
	model_dram_clean(&d, 0x10ffc, 8, dram_src, mem);
	assert_int_equal(d.n, 2);
	model_dram_read(&d, 0x10ff8, b, 16);
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(b[i], i >= 4 && i < 12 ? mem[0xff8 + i] : 0);
	/* memory changes: unseen until cleaned again */
	mem[0xffc] ^= 0xff;
	model_dram_read(&d, 0x10ffc, b, 1);
	assert_int_equal(b[0], (uint8_t)(mem[0xffc] ^ 0xff));
	model_dram_clean(&d, 0x10ffc, 1, dram_src, mem);
	model_dram_read(&d, 0x10ffc, b, 1);
	assert_int_equal(b[0], mem[0xffc]);
	/* the device's writes: into held pages, not others */
	const uint8_t w[4] = {0xa1, 0xa2, 0xa3, 0xa4};
	model_dram_write(&d, 0x11000, w, 4);
	model_dram_write(&d, 0x12000, w, 4);
	model_dram_read(&d, 0x11000, b, 4);
	assert_memory_equal(b, w, 4);
	model_dram_read(&d, 0x12000, b, 4);
	assert_int_equal(b[0] | b[1] | b[2] | b[3], 0);
	/* full: a third page is counted, not held; a refused read cleans zeros */
	model_dram_clean(&d, 0x12000, 4, dram_src, mem);
	assert_int_equal(d.overflows, 1);
	assert_int_equal(d.n, 2);
	model_dram_forget(&d);
	model_dram_clean(&d, 0x20000, 4, dram_src, mem);
	model_dram_read(&d, 0x20000, b, 4);
	assert_int_equal(b[0] | b[1] | b[2] | b[3], 0);
	assert_int_equal(d.n, 1);

	/* the SMMUv3 model: with cohacc and dram the SMMU snoops; without cohacc it reads
	 * the copy, which smmuv3_model_clean() updates */
	struct smmuv3_model_cfg cfg;
	struct smmuv3_model m;
	smmuv3_model_cfg_default(&cfg);
	cfg.read_mem = dram_src;
	cfg.mem_ctx = mem;
	cfg.dram = true;
	assert_int_equal(smmuv3_model_init(&m, &cfg), 0);
	assert_null(m.dram_pages);
	assert_int_equal(smmuv3_model_mem_view(&m, 0x10010, b, 4), 0);
	assert_memory_equal(b, mem + 0x10, 4);
	smmuv3_model_fini(&m);
	cfg.cohacc = false;
	assert_int_equal(smmuv3_model_init(&m, &cfg), 0);
	assert_non_null(m.dram_pages);
	assert_int_equal(smmuv3_model_mem_view(&m, 0x10010, b, 4), 0);
	assert_int_equal(b[0] | b[1] | b[2] | b[3], 0);
	smmuv3_model_clean(&m, 0x10010, 4);
	assert_int_equal(smmuv3_model_mem_view(&m, 0x10010, b, 4), 0);
	assert_memory_equal(b, mem + 0x10, 4);
	assert_int_equal(smmuv3_model_mem_view(&m, 0x13000, b, 4), -1); /* memory refuses */
	smmuv3_model_fini(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_idregs),
	    cmocka_unit_test(test_dram_copy),
	    cmocka_unit_test(test_gbpa),
	    cmocka_unit_test(test_cr0ack_and_guards),
	    cmocka_unit_test(test_bad_streamid_and_ste),
	    cmocka_unit_test(test_s1_translate_and_faults),
	    cmocka_unit_test(test_s1_granules),
	    cmocka_unit_test(test_s2_translate),
	    cmocka_unit_test(test_nested),
	    cmocka_unit_test(test_cmdq),
	    cmocka_unit_test(test_tlb_staleness),
	    cmocka_unit_test(test_range_tlbi),
	    cmocka_unit_test(test_cfg_caches),
	    cmocka_unit_test(test_two_level_strtab),
	    cmocka_unit_test(test_substreams),
	    cmocka_unit_test(test_evtq_overflow),
	    cmocka_unit_test(test_stall_knob),
	    cmocka_unit_test(test_cmd_fail_next_knob),
	    cmocka_unit_test(test_fetch_aborts),
	    cmocka_unit_test(test_ttb1_tbi_epd),
	    cmocka_unit_test(test_el2_regimes),
	    cmocka_unit_test(test_httu),
	    cmocka_unit_test(test_overrides_and_irqs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
