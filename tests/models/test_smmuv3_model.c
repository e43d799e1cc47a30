/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Self-test of the SMMUv3 model: stream tables, CDs and translation tables
 * are built by hand here (small functions of this file, nothing from the
 * library), the model is programmed through its MMIO interface, and DMA,
 * events, commands and cache behaviour are checked against the spec.
 * Memory is the process's own: PA == VA.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "smmuv3_model.h"

#define B(n)	(UINT64_C(1) << (n))
#define M(h, l) ((~UINT64_C(0) >> (63u - (unsigned)(h))) & (~UINT64_C(0) << (unsigned)(l)))

/* ---- little-endian memory -------------------------------------------------------- */

static void set64(void *p, uint64_t v)
{
	uint8_t *b = p;
	for (unsigned i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get64(const void *p)
{
	const uint8_t *b = p;
	uint64_t v = 0;
	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

static uint64_t pa_of(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* ---- fixture ------------------------------------------------------------------------ */

#define STRTAB_LOG2 8
#define CMDQ_LOG2   8
#define MAX_ALLOCS  512

struct fx {
	struct smmuv3_model_cfg cfg;
	struct smmuv3_model *m;
	struct smmuv3_model_hostmem hm;
	bool use_windows;
	uint8_t *strtab; /* linear, 2^STRTAB_LOG2 STEs */
	uint8_t *cmdq;
	uint8_t *evtq;
	unsigned evtq_log2;
	void *allocs[MAX_ALLOCS];
	unsigned nallocs;
};

static void *galloc(struct fx *f, size_t size, size_t align)
{
	void *p;
	if (align < 64)
		align = 64;
	size = (size + align - 1) & ~(align - 1);
	p = aligned_alloc(align, size);
	assert_non_null(p);
	memset(p, 0, size);
	assert_true(f->nallocs < MAX_ALLOCS);
	f->allocs[f->nallocs++] = p;
	if (f->use_windows)
		assert_int_equal(smmuv3_model_hostmem_add(&f->hm, p, size), 0);
	return p;
}

static uint32_t rd32(struct fx *f, uint64_t off)
{
	return (uint32_t)smmuv3_model_read(f->m, off, 4);
}

static void wr32(struct fx *f, uint64_t off, uint32_t v)
{
	smmuv3_model_write(f->m, off, v, 4);
}

static void wr64(struct fx *f, uint64_t off, uint64_t v)
{
	smmuv3_model_write(f->m, off, v, 8);
}

static void cmd(struct fx *f, uint64_t w0, uint64_t w1)
{
	uint32_t prod = rd32(f, SMMUV3_M_CMDQ_PROD);
	uint32_t idx = prod & ((1u << CMDQ_LOG2) - 1);
	set64(f->cmdq + 16 * idx, w0);
	set64(f->cmdq + 16 * idx + 8, w1);
	wr32(f, SMMUV3_M_CMDQ_PROD, (prod + 1) & ((2u << CMDQ_LOG2) - 1));
}

static bool cmdq_drained(struct fx *f)
{
	uint32_t mask = (2u << CMDQ_LOG2) - 1;
	return (rd32(f, SMMUV3_M_CMDQ_PROD) & mask) == (rd32(f, SMMUV3_M_CMDQ_CONS) & mask);
}

static void sync_ok(struct fx *f)
{
	cmd(f, SMMUV3_M_CMD_SYNC, 0);
	assert_false(smmuv3_model_cmdq_error(f->m));
	assert_true(cmdq_drained(f));
}

static void cfgi_all(struct fx *f)
{
	cmd(f, SMMUV3_M_CMD_CFGI_STE_RANGE, 31);
	sync_ok(f);
}

static void cfgi_ste(struct fx *f, uint32_t sid)
{
	cmd(f, SMMUV3_M_CMD_CFGI_STE | (uint64_t)sid << 32, 1);
	sync_ok(f);
}

static void tlbi_nh_va(struct fx *f, uint16_t vmid, uint16_t asid, uint64_t va)
{
	cmd(f, SMMUV3_M_CMD_TLBI_NH_VA | (uint64_t)vmid << 32 | (uint64_t)asid << 48,
	    (va & M(63, 12)) | 1);
	sync_ok(f);
}

/* Creates the model; with @enable, sets up a linear stream table, the queues,
 * invalidates everything and turns the SMMU on. */
static void fx_init_q(struct fx *f, const struct smmuv3_model_cfg *cfg, bool enable,
		      unsigned evtq_log2, bool windows)
{
	memset(f, 0, sizeof(*f));
	f->cfg = *cfg;
	if (windows) {
		/* only memory allocated here is accessible to the SMMU */
		f->use_windows = true;
		f->cfg.mem_ctx = &f->hm;
	}
	f->m = smmuv3_model_create(&f->cfg);
	assert_non_null(f->m);
	f->strtab = galloc(f, 64u << STRTAB_LOG2, 64u << STRTAB_LOG2);
	f->cmdq = galloc(f, 16u << CMDQ_LOG2, 16u << CMDQ_LOG2);
	f->evtq_log2 = evtq_log2;
	f->evtq = galloc(f, 32u << evtq_log2, 32u << evtq_log2);
	if (!enable)
		return;
	wr64(f, SMMUV3_M_STRTAB_BASE, pa_of(f->strtab) | B(62));
	wr32(f, SMMUV3_M_STRTAB_BASE_CFG, STRTAB_LOG2);
	wr64(f, SMMUV3_M_CMDQ_BASE, pa_of(f->cmdq) | CMDQ_LOG2);
	wr32(f, SMMUV3_M_CMDQ_PROD, 0);
	wr32(f, SMMUV3_M_CMDQ_CONS, 0);
	wr64(f, SMMUV3_M_EVTQ_BASE, pa_of(f->evtq) | evtq_log2);
	wr32(f, SMMUV3_M_EVTQ_PROD, 0);
	wr32(f, SMMUV3_M_EVTQ_CONS, 0);
	wr32(f, SMMUV3_M_CR1, 0x3f5u);
	wr32(f, SMMUV3_M_CR2, SMMUV3_M_CR2_RECINVSID);
	wr32(f, SMMUV3_M_CR0, SMMUV3_M_CR0_CMDQEN | SMMUV3_M_CR0_EVTQEN);
	assert_int_equal(rd32(f, SMMUV3_M_CR0ACK), SMMUV3_M_CR0_CMDQEN | SMMUV3_M_CR0_EVTQEN);
	cfgi_all(f);
	cmd(f, SMMUV3_M_CMD_TLBI_NSNH_ALL, 0);
	sync_ok(f);
	wr32(f, SMMUV3_M_CR0, SMMUV3_M_CR0_CMDQEN | SMMUV3_M_CR0_EVTQEN | SMMUV3_M_CR0_SMMUEN);
	assert_int_equal(rd32(f, SMMUV3_M_CR0ACK) & SMMUV3_M_CR0_SMMUEN, SMMUV3_M_CR0_SMMUEN);
}

static void fx_init(struct fx *f, const struct smmuv3_model_cfg *cfg)
{
	fx_init_q(f, cfg, true, 5, false);
}

static void fx_fini(struct fx *f)
{
	/* nothing the model did may have been odd */
	assert_int_equal(f->m->stats.ro_writes, 0);
	assert_int_equal(f->m->stats.bad_accesses, 0);
	assert_int_equal(f->m->stats.anomalies, 0);
	smmuv3_model_destroy(f->m);
	for (unsigned i = 0; i < f->nallocs; i++)
		free(f->allocs[i]);
	f->nallocs = 0;
}

static bool evt_pop(struct fx *f, uint64_t rec[4])
{
	unsigned l = f->evtq_log2;
	uint32_t mask = (2u << l) - 1;
	uint32_t prod = rd32(f, SMMUV3_M_EVTQ_PROD), cons = rd32(f, SMMUV3_M_EVTQ_CONS);
	const uint8_t *e;
	if ((prod & mask) == (cons & mask))
		return false;
	e = f->evtq + 32 * (cons & ((1u << l) - 1));
	for (unsigned i = 0; i < 4; i++)
		rec[i] = get64(e + 8 * i);
	wr32(f, SMMUV3_M_EVTQ_CONS, (cons & SMMUV3_M_Q_OVF) | ((cons + 1) & mask));
	return true;
}

static unsigned evt_count(struct fx *f)
{
	uint32_t mask = (2u << f->evtq_log2) - 1;
	return (rd32(f, SMMUV3_M_EVTQ_PROD) - rd32(f, SMMUV3_M_EVTQ_CONS)) & mask;
}

/* ---- structures ---------------------------------------------------------------------- */

#define STE_V	   B(0)
#define CFG_ABORT  (0u << 1)
#define CFG_BYPASS (4u << 1)
#define CFG_S1	   (5u << 1)
#define CFG_S2	   (6u << 1)
#define CFG_NESTED (7u << 1)

static uint8_t *ste_ptr(struct fx *f, uint32_t sid)
{
	return f->strtab + 64u * sid;
}

static void ste_write(uint8_t *p, const uint64_t w[8])
{
	for (unsigned i = 0; i < 8; i++)
		set64(p + 8 * i, w[i]);
}

static void ste_bypass(struct fx *f, uint32_t sid)
{
	uint64_t w[8] = {STE_V | CFG_BYPASS};
	ste_write(ste_ptr(f, sid), w);
}

/* Stage 1 STE: CD table at @cdptr with 2^@cdmax entries, format @fmt, S1DSS @dss. */
static void ste_s1_words(uint64_t w[8], uint64_t cdptr, unsigned cdmax, unsigned fmt, unsigned dss)
{
	memset(w, 0, 8 * sizeof(*w));
	w[0] = STE_V | CFG_S1 | (uint64_t)fmt << 4 | (cdptr & M(55, 6)) | (uint64_t)cdmax << 59;
	w[1] = dss;
}

static void ste_s1(struct fx *f, uint32_t sid, uint64_t cdptr)
{
	uint64_t w[8];
	ste_s1_words(w, cdptr, 0, 0, 0);
	ste_write(ste_ptr(f, sid), w);
}

/* Stage 2 fields: granule encoding @tgenc (0 4K, 1 64K, 2 16K), 48-bit PS, S2R. */
static void ste_s2_fields(uint64_t w[8], uint16_t vmid, uint64_t ttb, unsigned t0sz, unsigned sl0,
			  unsigned tgenc)
{
	w[2] = vmid | (uint64_t)t0sz << 32 | (uint64_t)sl0 << 38 | (uint64_t)tgenc << 46 |
	       UINT64_C(5) << 48 | B(51) /* S2AA64 */ | B(58) /* S2R */;
	w[3] = ttb & M(55, 4);
}

#define CD_EPD1 B(30)
#define CD_V	B(31)
#define CD_AA64 B(41)
#define CD_R	B(45)
#define CD_A	B(46)

static void cd_write(void *p, uint16_t asid, uint64_t ttb0, unsigned t0sz, unsigned tgenc,
		     uint64_t extra)
{
	uint64_t w[8] = {0};
	w[0] = t0sz | (uint64_t)tgenc << 6 | 1u << 8 | 1u << 10 | 3u << 12 | CD_EPD1 | CD_V |
	       UINT64_C(5) << 32 /* IPS 48 */ | CD_AA64 | (uint64_t)asid << 48 | extra;
	w[1] = ttb0 & M(55, 4);
	w[3] = 0xff; /* MAIR: attr0 normal write-back */
	ste_write(p, w);
}

/* ---- translation tables ------------------------------------------------------------------ */

#define S1_PAGE (B(10) | 3u << 8 | B(11)) /* AF, inner shareable, nG, AttrIndx 0, AP 00 */
#define S1_RO	B(7)
#define S1_EL0	B(6)
#define S2_PAGE (B(10) | 3u << 8 | 0xfu << 2 | 3u << 6) /* AF, ISH, normal WB, S2AP RW */

struct pt {
	unsigned tg, ias, start;
	uint8_t *root;
	uint64_t off;  /* table addresses written as PA + off (an IPA when nested) */
	struct pt *s2; /* nested: map each new table page in this stage 2 */
};

static void pt_map(struct fx *f, struct pt *p, uint64_t ia, uint64_t oa, unsigned leaf_level,
		   uint64_t attrs);

static uint8_t *pt_table(struct fx *f, struct pt *p, size_t bytes)
{
	uint8_t *t = galloc(f, bytes, bytes);
	if (p->s2) {
		for (size_t o = 0; o < bytes; o += 4096)
			pt_map(f, p->s2, pa_of(t) + o + p->off, pa_of(t) + o, 3, S2_PAGE);
	}
	return t;
}

/* A table tree for @tg granule bits and an @ias-bit input, from level @start (-1: the
 * stage 1 start level). With @s2, table addresses are IPAs (PA + @off) mapped in @s2. */
static void pt_init_nested(struct fx *f, struct pt *p, unsigned tg, unsigned ias, int start,
			   uint64_t off, struct pt *s2)
{
	unsigned stride = tg - 3;
	size_t bytes;
	memset(p, 0, sizeof(*p));
	p->off = off;
	p->s2 = s2;
	p->tg = tg;
	p->ias = ias;
	p->start = start < 0 ? 3 - (ias - 1 - tg) / stride : (unsigned)start;
	bytes = (size_t)8 << (ias - (tg + (3 - p->start) * stride));
	p->root = pt_table(f, p, bytes < 64 ? 64 : bytes);
}

static void pt_init(struct fx *f, struct pt *p, unsigned tg, unsigned ias, int start)
{
	pt_init_nested(f, p, tg, ias, start, 0, NULL);
}

static uint8_t *pt_slot(struct fx *f, struct pt *p, uint64_t ia, unsigned leaf_level)
{
	unsigned stride = p->tg - 3;
	uint8_t *t = p->root;
	for (unsigned level = p->start;; level++) {
		unsigned shift = p->tg + (3 - level) * stride;
		unsigned bits = level == p->start ? p->ias - shift : stride;
		uint64_t idx = (ia >> shift) & (B(bits) - 1);
		uint8_t *slot = t + 8 * idx;
		uint64_t d;
		if (level == leaf_level)
			return slot;
		d = get64(slot);
		if (!(d & 1)) {
			uint8_t *nt = pt_table(f, p, (size_t)1 << p->tg);
			d = (pa_of(nt) + p->off) | 3;
			set64(slot, d);
		}
		t = (uint8_t *)(uintptr_t)((d & M(47, p->tg)) - p->off);
	}
}

static void pt_map(struct fx *f, struct pt *p, uint64_t ia, uint64_t oa, unsigned leaf_level,
		   uint64_t attrs)
{
	unsigned shift = p->tg + (3 - leaf_level) * (p->tg - 3);
	set64(pt_slot(f, p, ia, leaf_level),
	      (oa & M(47, shift)) | attrs | (leaf_level == 3 ? 3 : 1));
}

/* A stage 1 context for @sid: 4K granule, 39-bit VA, ASID @asid. */
static void s1_setup(struct fx *f, struct pt *p, uint32_t sid, uint16_t asid, uint64_t cd_extra)
{
	uint8_t *cd = galloc(f, 64, 64);
	pt_init(f, p, 12, 39, -1);
	cd_write(cd, asid, pa_of(p->root), 25, 0, CD_R | CD_A | cd_extra);
	ste_s1(f, sid, pa_of(cd));
}

static int dma(struct fx *f, uint32_t sid, uint64_t iova, unsigned acc, uint64_t *pa)
{
	return smmuv3_model_dma(f->m, sid, 0, false, iova, acc, pa);
}

#define RD   SMMUV3_MODEL_ACC_R
#define WR   SMMUV3_MODEL_ACC_W
#define PRIV SMMUV3_MODEL_ACC_PRIV

static uint64_t xlate(struct fx *f, uint32_t sid, uint64_t iova)
{
	uint64_t pa = 0;
	assert_int_equal(dma(f, sid, iova, RD | PRIV, &pa), 0);
	return pa;
}

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

static void test_tlb_staleness(void **state)
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

static void test_range_tlbi(void **state)
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

static void test_cfg_caches(void **state)
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

static void test_two_level_strtab(void **state)
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

static void test_substreams(void **state)
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

static void test_evtq_overflow(void **state)
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

static void test_stall_knob(void **state)
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

static void test_fetch_aborts(void **state)
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

static void test_ttb1_tbi_epd(void **state)
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

static void test_el2_regimes(void **state)
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

static void test_httu(void **state)
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

static void test_overrides_and_irqs(void **state)
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_idregs),
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
	    cmocka_unit_test(test_fetch_aborts),
	    cmocka_unit_test(test_ttb1_tbi_epd),
	    cmocka_unit_test(test_el2_regimes),
	    cmocka_unit_test(test_httu),
	    cmocka_unit_test(test_overrides_and_irqs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
