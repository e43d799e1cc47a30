/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Self-test of the SMMUv3 model: fixture, structures and translation tables built by hand.
 * See test_smmuv3_model.c. Memory is the process's own: PA == VA.
 */
#include "test_smmuv3_model_internal.h"

/* ---- little-endian memory -------------------------------------------------------- */

void set64(void *p, uint64_t v)
{
	uint8_t *b = p;
	for (unsigned i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

uint64_t get64(const void *p)
{
	const uint8_t *b = p;
	uint64_t v = 0;
	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

uint64_t pa_of(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* ---- fixture ------------------------------------------------------------------------ */

void *galloc(struct fx *f, size_t size, size_t align)
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

uint32_t rd32(struct fx *f, uint64_t off)
{
	return (uint32_t)smmuv3_model_read(f->m, off, 4);
}

void wr32(struct fx *f, uint64_t off, uint32_t v)
{
	smmuv3_model_write(f->m, off, v, 4);
}

void wr64(struct fx *f, uint64_t off, uint64_t v)
{
	smmuv3_model_write(f->m, off, v, 8);
}

void cmd(struct fx *f, uint64_t w0, uint64_t w1)
{
	uint32_t prod = rd32(f, SMMUV3_M_CMDQ_PROD);
	uint32_t idx = prod & ((1u << CMDQ_LOG2) - 1);
	set64(f->cmdq + 16 * idx, w0);
	set64(f->cmdq + 16 * idx + 8, w1);
	wr32(f, SMMUV3_M_CMDQ_PROD, (prod + 1) & ((2u << CMDQ_LOG2) - 1));
}

bool cmdq_drained(struct fx *f)
{
	uint32_t mask = (2u << CMDQ_LOG2) - 1;
	return (rd32(f, SMMUV3_M_CMDQ_PROD) & mask) == (rd32(f, SMMUV3_M_CMDQ_CONS) & mask);
}

void sync_ok(struct fx *f)
{
	cmd(f, SMMUV3_M_CMD_SYNC, 0);
	assert_false(smmuv3_model_cmdq_error(f->m));
	assert_true(cmdq_drained(f));
}

void cfgi_all(struct fx *f)
{
	cmd(f, SMMUV3_M_CMD_CFGI_STE_RANGE, 31);
	sync_ok(f);
}

void cfgi_ste(struct fx *f, uint32_t sid)
{
	cmd(f, SMMUV3_M_CMD_CFGI_STE | (uint64_t)sid << 32, 1);
	sync_ok(f);
}

void tlbi_nh_va(struct fx *f, uint16_t vmid, uint16_t asid, uint64_t va)
{
	cmd(f, SMMUV3_M_CMD_TLBI_NH_VA | (uint64_t)vmid << 32 | (uint64_t)asid << 48,
	    (va & M(63, 12)) | 1);
	sync_ok(f);
}

/* Creates the model; with @enable, sets up a linear stream table, the queues,
 * invalidates everything and turns the SMMU on. */
void fx_init_q(struct fx *f, const struct smmuv3_model_cfg *cfg, bool enable, unsigned evtq_log2,
	       bool windows)
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

void fx_init(struct fx *f, const struct smmuv3_model_cfg *cfg)
{
	fx_init_q(f, cfg, true, 5, false);
}

void fx_fini(struct fx *f)
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

bool evt_pop(struct fx *f, uint64_t rec[4])
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

unsigned evt_count(struct fx *f)
{
	uint32_t mask = (2u << f->evtq_log2) - 1;
	return (rd32(f, SMMUV3_M_EVTQ_PROD) - rd32(f, SMMUV3_M_EVTQ_CONS)) & mask;
}

/* ---- structures ---------------------------------------------------------------------- */

uint8_t *ste_ptr(struct fx *f, uint32_t sid)
{
	return f->strtab + 64u * sid;
}

void ste_write(uint8_t *p, const uint64_t w[8])
{
	for (unsigned i = 0; i < 8; i++)
		set64(p + 8 * i, w[i]);
}

void ste_bypass(struct fx *f, uint32_t sid)
{
	uint64_t w[8] = {STE_V | CFG_BYPASS};
	ste_write(ste_ptr(f, sid), w);
}

/* Stage 1 STE: CD table at @cdptr with 2^@cdmax entries, format @fmt, S1DSS @dss. */
void ste_s1_words(uint64_t w[8], uint64_t cdptr, unsigned cdmax, unsigned fmt, unsigned dss)
{
	memset(w, 0, 8 * sizeof(*w));
	w[0] = STE_V | CFG_S1 | (uint64_t)fmt << 4 | (cdptr & M(55, 6)) | (uint64_t)cdmax << 59;
	w[1] = dss;
}

void ste_s1(struct fx *f, uint32_t sid, uint64_t cdptr)
{
	uint64_t w[8];
	ste_s1_words(w, cdptr, 0, 0, 0);
	ste_write(ste_ptr(f, sid), w);
}

/* Stage 2 fields: granule encoding @tgenc (0 4K, 1 64K, 2 16K), 48-bit PS, S2R. */
void ste_s2_fields(uint64_t w[8], uint16_t vmid, uint64_t ttb, unsigned t0sz, unsigned sl0,
		   unsigned tgenc)
{
	w[2] = vmid | (uint64_t)t0sz << 32 | (uint64_t)sl0 << 38 | (uint64_t)tgenc << 46 |
	       UINT64_C(5) << 48 | B(51) /* S2AA64 */ | B(58) /* S2R */;
	w[3] = ttb & M(55, 4);
}

void cd_write(void *p, uint16_t asid, uint64_t ttb0, unsigned t0sz, unsigned tgenc, uint64_t extra)
{
	uint64_t w[8] = {0};
	w[0] = t0sz | (uint64_t)tgenc << 6 | 1u << 8 | 1u << 10 | 3u << 12 | CD_EPD1 | CD_V |
	       UINT64_C(5) << 32 /* IPS 48 */ | CD_AA64 | (uint64_t)asid << 48 | extra;
	w[1] = ttb0 & M(55, 4);
	w[3] = 0xff; /* MAIR: attr0 normal write-back */
	ste_write(p, w);
}

/* ---- translation tables ------------------------------------------------------------------ */

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
void pt_init_nested(struct fx *f, struct pt *p, unsigned tg, unsigned ias, int start, uint64_t off,
		    struct pt *s2)
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

void pt_init(struct fx *f, struct pt *p, unsigned tg, unsigned ias, int start)
{
	pt_init_nested(f, p, tg, ias, start, 0, NULL);
}

uint8_t *pt_slot(struct fx *f, struct pt *p, uint64_t ia, unsigned leaf_level)
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

void pt_map(struct fx *f, struct pt *p, uint64_t ia, uint64_t oa, unsigned leaf_level,
	    uint64_t attrs)
{
	unsigned shift = p->tg + (3 - leaf_level) * (p->tg - 3);
	set64(pt_slot(f, p, ia, leaf_level),
	      (oa & M(47, shift)) | attrs | (leaf_level == 3 ? 3 : 1));
}

/* A stage 1 context for @sid: 4K granule, 39-bit VA, ASID @asid. */
void s1_setup(struct fx *f, struct pt *p, uint32_t sid, uint16_t asid, uint64_t cd_extra)
{
	uint8_t *cd = galloc(f, 64, 64);
	pt_init(f, p, 12, 39, -1);
	cd_write(cd, asid, pa_of(p->root), 25, 0, CD_R | CD_A | cd_extra);
	ste_s1(f, sid, pa_of(cd));
}

int dma(struct fx *f, uint32_t sid, uint64_t iova, unsigned acc, uint64_t *pa)
{
	return smmuv3_model_dma(f->m, sid, 0, false, iova, acc, pa);
}

uint64_t xlate(struct fx *f, uint32_t sid, uint64_t iova)
{
	uint64_t pa = 0;
	assert_int_equal(dma(f, sid, iova, RD | PRIV, &pa), 0);
	return pa;
}
