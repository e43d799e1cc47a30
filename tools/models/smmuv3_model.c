/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * smmuv3_model: register-level model of an Arm SMMUv3 (Arm IHI 0070).
 * See smmuv3_model.h for the scope. Hosted test code (uses malloc).
 *
 * Structure layouts and rules follow the specification chapters:
 *   3.4 address sizes, 3.21 caching rules, 4 commands, 5.1-5.5 STE/CD,
 *   6.3 registers, 7 events; translation tables follow VMSAv8-64.
 */
#include "smmuv3_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- bit utilities --------------------------------------------------------- */

#define BIT64(n)     (UINT64_C(1) << (n))
#define MASK64(h, l) ((~UINT64_C(0) >> (63u - (unsigned)(h))) & (~UINT64_C(0) << (unsigned)(l)))

static uint64_t fld(uint64_t v, unsigned h, unsigned l)
{
	return (v & MASK64(h, l)) >> l;
}

static unsigned ufld(uint64_t v, unsigned h, unsigned l)
{
	return (unsigned)fld(v, h, l);
}

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static uint64_t get_be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (unsigned i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_be64(uint8_t *p, uint64_t v)
{
	for (unsigned i = 0; i < 8; i++)
		p[7 - i] = (uint8_t)(v >> (8 * i));
}

static unsigned umin(unsigned a, unsigned b)
{
	return a < b ? a : b;
}

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (!q) {
		fprintf(stderr, "smmuv3_model: out of memory\n");
		abort();
	}
	return q;
}

/* ---- structure fields (word index, bits within the 64-bit word) ------------- */

/* STE word 0 */
#define STE0_V BIT64(0)
/* Config [3:1], S1Fmt [5:4], S1ContextPtr [55:6], S1CDMax [63:59] */
/* STE word 1 */
#define STE1_S1STALLD BIT64(27)
/* S1DSS [1:0], EATS [29:28], STRW [31:30], PRIVCFG [49:48], INSTCFG [51:50] */
/* STE word 2: S2VMID [15:0], S2T0SZ [37:32], S2SL0 [39:38], S2TG [47:46], S2PS [50:48] */
#define STE2_S2AA64 BIT64(51)
#define STE2_S2ENDI BIT64(52)
#define STE2_S2AFFD BIT64(53)
#define STE2_S2PTW  BIT64(54)
#define STE2_S2HD   BIT64(55)
#define STE2_S2HA   BIT64(56)
#define STE2_S2S    BIT64(57)
#define STE2_S2R    BIT64(58)
/* STE word 3: S2TTB [55:4] */

/* CD word 0 */
#define CD0_EPD0 BIT64(14)
#define CD0_ENDI BIT64(15)
#define CD0_EPD1 BIT64(30)
#define CD0_V	 BIT64(31)
#define CD0_AFFD BIT64(35)
#define CD0_WXN	 BIT64(36)
#define CD0_TBI0 BIT64(38)
#define CD0_TBI1 BIT64(39)
#define CD0_PAN	 BIT64(40)
#define CD0_AA64 BIT64(41)
#define CD0_HD	 BIT64(42)
#define CD0_HA	 BIT64(43)
#define CD0_S	 BIT64(44)
#define CD0_R	 BIT64(45)
#define CD0_A	 BIT64(46)

/* translation table descriptors */
#define D_AP1  BIT64(6) /* stage 1 AP[1]: EL0 access; stage 2 S2AP[0]: read */
#define D_AP2  BIT64(7) /* stage 1 AP[2]: read-only; stage 2 S2AP[1]: write */
#define D_AF   BIT64(10)
#define D_NG   BIT64(11)
#define D_DBM  BIT64(51)
#define D_PXN  BIT64(53)
#define D_UXN  BIT64(54) /* stage 1 UXN/XN, stage 2 XN[1] */
#define T_PXNT BIT64(59)
#define T_UXNT BIT64(60)
#define T_APT0 BIT64(61)
#define T_APT1 BIT64(62)

#define PERM_UR SMMUV3_MODEL_PERM_UR
#define PERM_UW SMMUV3_MODEL_PERM_UW
#define PERM_UX SMMUV3_MODEL_PERM_UX
#define PERM_PR SMMUV3_MODEL_PERM_PR
#define PERM_PW SMMUV3_MODEL_PERM_PW
#define PERM_PX SMMUV3_MODEL_PERM_PX

#define CLASS_CD SMMUV3_M_EVT_CLASS_CD
#define CLASS_TT SMMUV3_M_EVT_CLASS_TT
#define CLASS_IN SMMUV3_M_EVT_CLASS_IN

#define GERROR_MASK 0x1fdu

/* ---- configuration --------------------------------------------------------- */

static int oas_encode(unsigned bits)
{
	switch (bits) {
	case 32:
		return 0;
	case 36:
		return 1;
	case 40:
		return 2;
	case 42:
		return 3;
	case 44:
		return 4;
	case 48:
		return 5;
	case 52:
		return 6;
	default:
		return -1;
	}
}

/* IPS / S2PS decode; 0b111 is Reserved before SMMUv3.4 and behaves as 0b110 */
static unsigned ps_decode(unsigned enc)
{
	static const unsigned t[8] = {32, 36, 40, 42, 44, 48, 52, 52};
	return t[enc & 7u];
}

void smmuv3_model_cfg_default(struct smmuv3_model_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->s1p = true;
	cfg->s2p = true;
	cfg->nesting = true;
	cfg->cohacc = true;
	cfg->hyp = true;
	cfg->msi = true;
	cfg->asid16 = true;
	cfg->vmid16 = true;
	cfg->cd2l = true;
	cfg->st_level_2lvl = true;
	cfg->ttendian = 2;
	cfg->sidsize = 16;
	cfg->ssidsize = 20;
	cfg->cmdqs = 19;
	cfg->evtqs = 19;
	cfg->priqs = 19;
	cfg->ril = true;
	cfg->oas_bits = 48;
	cfg->gran4k = true;
	cfg->gran16k = true;
	cfg->gran64k = true;
	cfg->aidr_minor = 2;
	cfg->iidr = 0x0000043bu; /* implementer code only: Arm */
	cfg->read_mem = smmuv3_model_host_read;
	cfg->write_mem = smmuv3_model_host_write;
}

static bool cfg_ok(const struct smmuv3_model_cfg *c)
{
	if (oas_encode(c->oas_bits) < 0)
		return false;
	if (c->sidsize > 32 || c->ssidsize > 20 || c->cmdqs > 19 || c->evtqs > 19 || c->priqs > 19)
		return false;
	if (c->httu > 2 || (c->ttendian != 0 && c->ttendian != 2 && c->ttendian != 3))
		return false;
	if (!c->gran4k && !c->gran16k && !c->gran64k)
		return false;
	if (!c->s1p && !c->s2p)
		return false;
	if (!c->read_mem || !c->write_mem)
		return false;
	return true;
}

static void build_idregs(struct smmuv3_model *m)
{
	const struct smmuv3_model_cfg *c = &m->cfg;
	uint32_t i0 = 0;

	i0 |= c->s2p ? 1u << 0 : 0;
	i0 |= c->s1p ? 1u << 1 : 0;
	i0 |= 2u << 2; /* TTF: AArch64 tables only */
	i0 |= c->cohacc ? 1u << 4 : 0;
	i0 |= c->btm ? 1u << 5 : 0;
	i0 |= (c->httu & 3u) << 6;
	i0 |= c->hyp ? 1u << 9 : 0;
	i0 |= c->ats ? 1u << 10 : 0;
	i0 |= c->asid16 ? 1u << 12 : 0;
	i0 |= c->msi ? 1u << 13 : 0;
	i0 |= c->sev ? 1u << 14 : 0;
	i0 |= c->pri ? 1u << 16 : 0;
	i0 |= c->vmid16 ? 1u << 18 : 0;
	i0 |= c->cd2l ? 1u << 19 : 0;
	i0 |= (c->ttendian & 3u) << 21;
	i0 |= 1u << 24; /* STALL_MODEL 0b01: stalls not supported */
	i0 |= c->term_model ? 1u << 26 : 0;
	i0 |= c->st_level_2lvl ? 1u << 27 : 0;
	m->idr[0] = i0;
	m->idr[1] = (c->sidsize & 0x3fu) | (c->ssidsize & 0x1fu) << 6 | (c->priqs & 0x1fu) << 11 |
		    (c->evtqs & 0x1fu) << 16 | (c->cmdqs & 0x1fu) << 21;
	m->idr[2] = 0;
	m->idr[3] = c->ril ? 1u << 10 : 0;
	m->idr[4] = 0;
	m->idr[5] = (uint32_t)oas_encode(c->oas_bits) | (c->gran4k ? 1u << 4 : 0) |
		    (c->gran16k ? 1u << 5 : 0) | (c->gran64k ? 1u << 6 : 0);
	m->aidr = c->aidr_minor & 0xfu;
}

static void cache_clear(struct smmuv3_model_cache *c)
{
	c->n = 0;
}

void smmuv3_model_drop_caches(struct smmuv3_model *m)
{
	cache_clear(&m->ste);
	cache_clear(&m->l1std);
	cache_clear(&m->cd);
	cache_clear(&m->l1cd);
	m->tlb_n = 0;
}

void smmuv3_model_reset(struct smmuv3_model *m)
{
	m->cr0 = m->cr0ack = m->cr1 = m->cr2 = 0;
	m->gbpa =
	    (m->cfg.gbpa_reset_abort ? SMMUV3_M_GBPA_ABORT : 0) | (1u << 12); /* SHCFG: incoming */
	m->gbpa_eff = m->gbpa;
	m->irq_ctrl = m->irq_ctrlack = 0;
	m->gerror = m->gerrorn = 0;
	m->gerror_irq_cfg0 = 0;
	m->gerror_irq_cfg1 = m->gerror_irq_cfg2 = 0;
	m->strtab_base = 0;
	m->strtab_base_cfg = 0;
	m->cmdq_base = 0;
	m->cmdq_prod = m->cmdq_cons = 0;
	m->evtq_base = 0;
	m->evtq_prod = m->evtq_cons = 0;
	m->evtq_irq_cfg0 = 0;
	m->evtq_irq_cfg1 = m->evtq_irq_cfg2 = 0;
	m->priq_base = 0;
	m->priq_prod = m->priq_cons = 0;
	m->priq_irq_cfg0 = 0;
	m->priq_irq_cfg1 = m->priq_irq_cfg2 = 0;
	smmuv3_model_drop_caches(m);
	memset(&m->stats, 0, sizeof(m->stats));
	memset(&m->last_event, 0, sizeof(m->last_event));
	memset(m->log, 0, sizeof(m->log));
	m->log_seq = 0;
	m->in_process = false;
}

int smmuv3_model_init(struct smmuv3_model *m, const struct smmuv3_model_cfg *cfg)
{
	if (!m || !cfg || !cfg_ok(cfg))
		return -1;
	memset(m, 0, sizeof(*m));
	m->cfg = *cfg;
	build_idregs(m);
	smmuv3_model_reset(m);
	return 0;
}

void smmuv3_model_fini(struct smmuv3_model *m)
{
	if (!m)
		return;
	free(m->ste.e);
	free(m->l1std.e);
	free(m->cd.e);
	free(m->l1cd.e);
	free(m->tlb);
	m->ste.e = m->l1std.e = m->cd.e = m->l1cd.e = NULL;
	m->ste.n = m->l1std.n = m->cd.n = m->l1cd.n = 0;
	m->ste.cap = m->l1std.cap = m->cd.cap = m->l1cd.cap = 0;
	m->tlb = NULL;
	m->tlb_n = m->tlb_cap = 0;
}

struct smmuv3_model *smmuv3_model_create(const struct smmuv3_model_cfg *cfg)
{
	struct smmuv3_model *m = malloc(sizeof(*m));
	if (!m)
		return NULL;
	if (smmuv3_model_init(m, cfg) != 0) {
		free(m);
		return NULL;
	}
	m->allocated = true;
	return m;
}

void smmuv3_model_destroy(struct smmuv3_model *m)
{
	if (!m)
		return;
	smmuv3_model_fini(m);
	if (m->allocated)
		free(m);
}

/* ---- hosted identity memory ---------------------------------------------------- */

int smmuv3_model_hostmem_add(struct smmuv3_model_hostmem *hm, const void *p, size_t size)
{
	if (hm->n >= sizeof(hm->win) / sizeof(hm->win[0]))
		return -1;
	hm->win[hm->n].base = (uint64_t)(uintptr_t)p;
	hm->win[hm->n].size = size;
	hm->n++;
	return 0;
}

static bool hostmem_allows(void *ctx, uint64_t pa, size_t len)
{
	struct smmuv3_model_hostmem *hm = ctx;
	if (!hm || hm->n == 0)
		return true;
	for (unsigned i = 0; i < hm->n; i++) {
		uint64_t b = hm->win[i].base, s = hm->win[i].size;
		if (pa >= b && len <= s && pa - b <= s - len)
			return true;
	}
	hm->rejected++;
	return false;
}

/* The lowest 64 KiB are never mapped in a hosted process: an SMMU access there (an
 * unprogrammed base register, a zeroed pointer) is an external abort, not a crash. */
#define HOST_LOW_LIMIT 0x10000u

int smmuv3_model_host_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	if ((uintptr_t)pa != pa || pa < HOST_LOW_LIMIT || !hostmem_allows(ctx, pa, len))
		return -1;
	memcpy(buf, (const void *)(uintptr_t)pa, len);
	return 0;
}

int smmuv3_model_host_write(void *ctx, uint64_t pa, const void *buf, size_t len)
{
	if ((uintptr_t)pa != pa || pa < HOST_LOW_LIMIT || !hostmem_allows(ctx, pa, len))
		return -1;
	memcpy((void *)(uintptr_t)pa, buf, len);
	return 0;
}

/* ---- memory accesses made by the SMMU --------------------------------------------- */

static bool pa_in_oas(const struct smmuv3_model *m, uint64_t pa, size_t len)
{
	uint64_t lim = BIT64(m->cfg.oas_bits);
	return pa < lim && len <= lim - pa;
}

static int mem_rd(struct smmuv3_model *m, uint64_t pa, void *buf, size_t len)
{
	if (!pa_in_oas(m, pa, len))
		return -1;
	return m->cfg.read_mem(m->cfg.mem_ctx, pa, buf, len) != 0 ? -1 : 0;
}

static int mem_wr(struct smmuv3_model *m, uint64_t pa, const void *buf, size_t len)
{
	if (!pa_in_oas(m, pa, len))
		return -1;
	return m->cfg.write_mem(m->cfg.mem_ctx, pa, buf, len) != 0 ? -1 : 0;
}

/* Reads @n little-endian 64-bit words (structures are always little-endian). */
static int mem_rd_words(struct smmuv3_model *m, uint64_t pa, uint64_t *w, unsigned n)
{
	uint8_t b[64];
	if (n > 8 || mem_rd(m, pa, b, 8u * n) != 0)
		return -1;
	for (unsigned i = 0; i < n; i++)
		w[i] = get_le64(b + 8 * i);
	return 0;
}

/* Aligns a table base down to @align, counting a misaligned one. */
static uint64_t align_base(struct smmuv3_model *m, uint64_t base, uint64_t align)
{
	if (base & (align - 1)) {
		m->stats.anomalies++;
		base &= ~(align - 1);
	}
	return base;
}

/* Drops address bits above the OAS (RES0), counting them. */
static uint64_t clip_oas(struct smmuv3_model *m, uint64_t addr)
{
	if (addr >> m->cfg.oas_bits) {
		m->stats.anomalies++;
		addr &= BIT64(m->cfg.oas_bits) - 1;
	}
	return addr;
}

/* ---- configuration caches ------------------------------------------------------------ */

static struct smmuv3_model_cfg_entry *cache_find(struct smmuv3_model_cache *c, uint32_t sid,
						 uint32_t idx)
{
	for (size_t i = 0; i < c->n; i++) {
		struct smmuv3_model_cfg_entry *e = &c->e[i];
		if (e->sid == sid && e->idx_lo <= idx && idx <= e->idx_hi)
			return e;
	}
	return NULL;
}

static const struct smmuv3_model_cfg_entry *cache_find_c(const struct smmuv3_model_cache *c,
							 uint32_t sid, uint32_t idx)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct smmuv3_model_cfg_entry *e = &c->e[i];
		if (e->sid == sid && e->idx_lo <= idx && idx <= e->idx_hi)
			return e;
	}
	return NULL;
}

static void cache_put(struct smmuv3_model_cache *c, uint32_t sid, uint32_t lo, uint32_t hi,
		      const uint64_t *w, unsigned nw)
{
	struct smmuv3_model_cfg_entry *e = NULL;
	for (size_t i = 0; i < c->n; i++)
		if (c->e[i].sid == sid && c->e[i].idx_lo == lo && c->e[i].idx_hi == hi)
			e = &c->e[i];
	if (!e) {
		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 16;
			c->e = xrealloc(c->e, c->cap * sizeof(*c->e));
		}
		e = &c->e[c->n++];
	}
	memset(e, 0, sizeof(*e));
	e->sid = sid;
	e->idx_lo = lo;
	e->idx_hi = hi;
	memcpy(e->w, w, nw * sizeof(uint64_t));
}

enum cdrop { DROP_SID_IN, DROP_SPAN_OVERLAPS, DROP_SID_IDX, DROP_SID_IDX_SPAN };

/* Removes entries: DROP_SID_IN: lo <= sid <= hi; DROP_SPAN_OVERLAPS: [idx_lo, idx_hi]
 * overlaps [lo, hi]; DROP_SID_IDX: sid == s and idx_lo == lo; DROP_SID_IDX_SPAN: sid == s and
 * the span contains lo. */
static void cache_drop(struct smmuv3_model *m, struct smmuv3_model_cache *c, enum cdrop how,
		       uint32_t s, uint64_t lo, uint64_t hi)
{
	size_t j = 0;
	for (size_t i = 0; i < c->n; i++) {
		const struct smmuv3_model_cfg_entry *e = &c->e[i];
		bool drop = false;
		switch (how) {
		case DROP_SID_IN:
			drop = e->sid >= lo && e->sid <= hi;
			break;
		case DROP_SPAN_OVERLAPS:
			drop = e->idx_lo <= hi && e->idx_hi >= lo;
			break;
		case DROP_SID_IDX:
			drop = e->sid == s && e->idx_lo == lo;
			break;
		case DROP_SID_IDX_SPAN:
			drop = e->sid == s && e->idx_lo <= lo && lo <= e->idx_hi;
			break;
		}
		if (drop) {
			m->stats.cfg_invalidated++;
			continue;
		}
		c->e[j++] = c->e[i];
	}
	c->n = j;
}

/* ---- TLB ------------------------------------------------------------------------------ */

static uint64_t tlb_end(const struct smmuv3_model_tlb_entry *e)
{
	return e->ia + (BIT64(e->size_log2) - 1);
}

/* The oldest matching entry. More than one match means the tables were changed in a
 * way that lets a real TLB hold conflicting entries (counted in tlb_conflicts). */
static struct smmuv3_model_tlb_entry *tlb_find(struct smmuv3_model *m, unsigned kind,
					       unsigned regime, uint16_t vmid, uint16_t asid,
					       uint64_t ia)
{
	struct smmuv3_model_tlb_entry *found = NULL;
	for (size_t i = 0; i < m->tlb_n; i++) {
		struct smmuv3_model_tlb_entry *e = &m->tlb[i];
		if (e->kind != kind || e->regime != regime || e->vmid != vmid)
			continue;
		if (kind != SMMUV3_MODEL_TLB_S2 && regime != SMMUV3_MODEL_EL2 && !e->global &&
		    e->asid != asid)
			continue;
		if (ia < e->ia || ia > tlb_end(e))
			continue;
		if (found) {
			m->stats.tlb_conflicts++;
			break;
		}
		found = e;
	}
	return found;
}

static void tlb_insert(struct smmuv3_model *m, const struct smmuv3_model_tlb_entry *n)
{
	size_t cap = m->cfg.tlb_capacity ? m->cfg.tlb_capacity : SMMUV3_MODEL_TLB_DEFAULT;
	if (m->tlb_n >= cap) {
		/* evict the oldest entries (a TLB may drop entries at any time) */
		size_t drop = m->tlb_n - cap + 1;
		memmove(m->tlb, m->tlb + drop, (m->tlb_n - drop) * sizeof(*m->tlb));
		m->tlb_n -= drop;
		m->stats.tlb_evictions += drop;
	}
	if (m->tlb_n == m->tlb_cap) {
		m->tlb_cap = m->tlb_cap ? m->tlb_cap * 2 : 64;
		m->tlb = xrealloc(m->tlb, m->tlb_cap * sizeof(*m->tlb));
	}
	m->tlb[m->tlb_n++] = *n;
	m->stats.tlb_inserts++;
}

enum asid_match { ASID_ANY, ASID_NONGLOBAL, ASID_OR_GLOBAL };

struct tlbi_scope {
	unsigned kinds;	  /* 1 << kind */
	unsigned regimes; /* 1 << regime */
	bool match_vmid;
	uint16_t vmid;
	enum asid_match asid_mode;
	uint16_t asid;
	bool by_addr;
	uint64_t lo, hi; /* inclusive */
	unsigned tg;	 /* 0: any granule, else granule bits */
	unsigned ttl;	 /* 0: any level */
};

static void tlb_invalidate(struct smmuv3_model *m, const struct tlbi_scope *s)
{
	size_t j = 0;
	for (size_t i = 0; i < m->tlb_n; i++) {
		const struct smmuv3_model_tlb_entry *e = &m->tlb[i];
		bool hit = (s->kinds & (1u << e->kind)) && (s->regimes & (1u << e->regime));
		if (hit && s->match_vmid)
			hit = e->vmid == s->vmid;
		if (hit && s->asid_mode == ASID_NONGLOBAL)
			hit = !e->global && e->asid == s->asid;
		if (hit && s->asid_mode == ASID_OR_GLOBAL)
			hit = e->global || e->asid == s->asid;
		if (hit && s->by_addr) {
			hit = e->ia <= s->hi && tlb_end(e) >= s->lo;
			if (hit && s->tg)
				hit = e->tg == s->tg;
			if (hit && s->ttl)
				hit = e->level == s->ttl;
		}
		if (hit) {
			m->stats.tlb_invalidated++;
			continue;
		}
		m->tlb[j++] = m->tlb[i];
	}
	m->tlb_n = j;
}

/* ---- interrupts, GERROR, event queue ---------------------------------------------------- */

static void notify(struct smmuv3_model *m, enum smmuv3_model_irq irq)
{
	if (m->cfg.irq)
		m->cfg.irq(m->cfg.irq_ctx, irq);
}

static void gerror_raise(struct smmuv3_model *m, uint32_t bit);

/* An MSI write of @data to @cfg0's ADDR[55:2]; a failed write raises @abt_bit. */
static void msi_send(struct smmuv3_model *m, uint64_t addr, uint32_t data, uint32_t abt_bit)
{
	uint8_t b[4];
	addr &= MASK64(55, 2);
	if (!m->cfg.msi || addr == 0)
		return;
	for (unsigned i = 0; i < 4; i++)
		b[i] = (uint8_t)(data >> (8 * i));
	if (mem_wr(m, addr, b, sizeof(b)) != 0 && abt_bit)
		gerror_raise(m, abt_bit);
}

static void gerror_raise(struct smmuv3_model *m, uint32_t bit)
{
	if ((m->gerror ^ m->gerrorn) & bit)
		return; /* already active */
	m->gerror ^= bit;
	if (m->irq_ctrlack & SMMUV3_M_IRQ_GERROR) {
		m->stats.gerror_irqs++;
		notify(m, SMMUV3_MODEL_IRQ_GERROR);
		msi_send(m, m->gerror_irq_cfg0, m->gerror_irq_cfg1,
			 bit == SMMUV3_M_GERROR_MSI_GERR_ABT ? 0 : SMMUV3_M_GERROR_MSI_GERR_ABT);
	}
}

static bool gerror_active(const struct smmuv3_model *m, uint32_t bit)
{
	return ((m->gerror ^ m->gerrorn) & bit) != 0;
}

static unsigned q_log2(uint64_t base, unsigned max)
{
	return umin((unsigned)(base & 0x1fu), max);
}

static uint32_t q_mask(unsigned l)
{
	return (2u << l) - 1; /* index and wrap bit */
}

static uint64_t q_addr(struct smmuv3_model *m, uint64_t base, unsigned l, unsigned entsz,
		       uint32_t idx)
{
	uint64_t a = base & MASK64(55, 5);
	uint64_t sz = (uint64_t)entsz << l;
	a = clip_oas(m, a);
	a = align_base(m, a, sz > 32 ? sz : 32);
	return a + (uint64_t)(idx & ((1u << l) - 1)) * entsz;
}

static uint32_t q_entries(uint32_t prod, uint32_t cons, unsigned l)
{
	return (prod - cons) & q_mask(l);
}

static bool evtq_push(struct smmuv3_model *m, const uint64_t rec[4])
{
	unsigned l;
	uint32_t n, size;
	uint8_t b[32];

	if (!(m->cr0ack & SMMUV3_M_CR0_EVTQEN) || gerror_active(m, SMMUV3_M_GERROR_EVTQ_ABT)) {
		m->stats.events_discarded++;
		return false;
	}
	l = q_log2(m->evtq_base, m->cfg.evtqs);
	n = q_entries(m->evtq_prod, m->evtq_cons, l);
	size = 1u << l;
	if (m->cfg.evtq_max_entries && m->cfg.evtq_max_entries < size)
		size = m->cfg.evtq_max_entries;
	if (n >= size) {
		m->stats.events_overflowed++;
		if (((m->evtq_prod ^ m->evtq_cons) & SMMUV3_M_Q_OVF) == 0)
			m->evtq_prod ^= SMMUV3_M_Q_OVF;
		return false;
	}
	for (unsigned i = 0; i < 4; i++)
		put_le64(b + 8 * i, rec[i]);
	if (mem_wr(m, q_addr(m, m->evtq_base, l, 32, m->evtq_prod), b, sizeof(b)) != 0) {
		m->stats.events_discarded++;
		gerror_raise(m, SMMUV3_M_GERROR_EVTQ_ABT);
		return false;
	}
	m->evtq_prod = (m->evtq_prod & ~q_mask(l)) | ((m->evtq_prod + 1) & q_mask(l));
	m->stats.events_written++;
	if (m->irq_ctrlack & SMMUV3_M_IRQ_EVTQ) {
		m->stats.evtq_irqs++;
		notify(m, SMMUV3_MODEL_IRQ_EVTQ);
		msi_send(m, m->evtq_irq_cfg0, m->evtq_irq_cfg1, SMMUV3_M_GERROR_MSI_EVTQ_ABT);
	}
	return true;
}

/* ---- command queue ---------------------------------------------------------------------- */

static void log_cmd(struct smmuv3_model *m, uint64_t w0, uint64_t w1, unsigned err)
{
	struct smmuv3_model_cmd_log_entry *e = &m->log[m->log_seq % SMMUV3_MODEL_CMD_LOG];
	e->seq = ++m->log_seq;
	e->w[0] = w0;
	e->w[1] = w1;
	e->op = (unsigned)(w0 & 0xffu);
	e->err = err;
}

struct tlbi_args {
	uint16_t vmid, asid;
	uint64_t addr;
	unsigned num, scale, tg, ttl;
};

/* Decodes and checks the common TLBI fields; returns a CERROR code. */
static unsigned tlbi_decode(struct smmuv3_model *m, uint64_t w0, uint64_t w1, bool has_vmid,
			    bool has_asid, bool has_addr, bool ipa, struct tlbi_args *a)
{
	bool strict = !m->cfg.lax_res0;
	uint64_t vmid = fld(w0, 47, 32), asid = fld(w0, 63, 48);

	memset(a, 0, sizeof(*a));
	if (has_vmid) {
		/* VMID is RES0 without stage 2; 8 bits without VMID16 */
		uint64_t keep = !m->cfg.s2p ? 0 : (m->cfg.vmid16 ? 0xffffu : 0xffu);
		if ((vmid & ~keep) && strict)
			return SMMUV3_M_CERROR_ILL;
		a->vmid = (uint16_t)(vmid & keep);
	}
	if (has_asid) {
		uint64_t keep = m->cfg.asid16 ? 0xffffu : 0xffu;
		if ((asid & ~keep) && strict)
			return SMMUV3_M_CERROR_ILL;
		a->asid = (uint16_t)(asid & keep);
	}
	if (has_addr) {
		a->num = ufld(w0, 16, 12);
		a->scale = ufld(w0, 24, 20);
		a->tg = ufld(w1, 11, 10);
		a->ttl = ufld(w1, 9, 8);
		a->addr = w1 & (ipa ? MASK64(55, 12) : MASK64(63, 12));
		if (!m->cfg.ril) {
			/* TG, TTL, NUM and SCALE are RES0 without range invalidation */
			if ((a->num | a->scale | a->tg | a->ttl) && strict)
				return SMMUV3_M_CERROR_ILL;
			a->num = a->scale = a->tg = a->ttl = 0;
		} else if (a->tg == 0) {
			if ((a->num | a->scale | a->ttl) && strict)
				return SMMUV3_M_CERROR_ILL;
			a->num = a->scale = a->ttl = 0;
		} else {
			/* NUM == SCALE == TTL == 0 with a TG is a Reserved combination */
			if (a->num == 0 && a->scale == 0 && a->ttl == 0)
				return SMMUV3_M_CERROR_ILL;
			/* 16K with TTL 0b01 needs DS (52-bit VAs), not modelled */
			if (a->tg == 2 && a->ttl == 1)
				return SMMUV3_M_CERROR_ILL;
		}
	}
	return SMMUV3_M_CERROR_NONE;
}

static void tlbi_addr_scope(const struct tlbi_args *a, struct tlbi_scope *s)
{
	s->by_addr = true;
	s->lo = a->addr;
	s->hi = a->addr;
	if (a->tg) {
		unsigned gbits = a->tg == 1 ? 12u : a->tg == 2 ? 14u : 16u;
		uint64_t range = (uint64_t)(a->num + 1) << (a->scale + gbits);
		s->hi = range - 1 > UINT64_MAX - a->addr ? UINT64_MAX : a->addr + (range - 1);
		s->tg = gbits;
		s->ttl = a->ttl;
	}
}

#define K_S1  (1u << SMMUV3_MODEL_TLB_S1)
#define K_S2  (1u << SMMUV3_MODEL_TLB_S2)
#define K_NST (1u << SMMUV3_MODEL_TLB_NESTED)
#define R_EL1 (1u << SMMUV3_MODEL_NS_EL1)
#define R_EL2 (1u << SMMUV3_MODEL_EL2)
#define R_E2H (1u << SMMUV3_MODEL_EL2_E2H)

/* Field masks of each command (bits outside are RES0). */
#define C_OP	MASK64(7, 0)
#define C_SSV	BIT64(11)
#define C_SSID	MASK64(31, 12)
#define C_SID	MASK64(63, 32)
#define C_VMID	MASK64(47, 32)
#define C_ASID	MASK64(63, 48)
#define C_RANGE (MASK64(16, 12) | MASK64(24, 20))
#define C_VA1	(BIT64(0) | MASK64(11, 8) | MASK64(63, 12))
#define C_IPA1	(BIT64(0) | MASK64(11, 8) | MASK64(55, 12))

static unsigned exec_cmd(struct smmuv3_model *m, uint64_t w0, uint64_t w1)
{
	const struct smmuv3_model_cfg *c = &m->cfg;
	unsigned op = (unsigned)(w0 & 0xffu);
	uint64_t m0 = C_OP, m1 = 0;
	bool ok = true;
	struct tlbi_args a;
	struct tlbi_scope s;
	unsigned err;
	uint32_t sid = (uint32_t)(w0 >> 32);

	/* which commands exist here, and their fields */
	switch (op) {
	case SMMUV3_M_CMD_PREFETCH_CONFIG:
		m0 |= C_SSV | C_SSID | C_SID;
		break;
	case SMMUV3_M_CMD_PREFETCH_ADDR:
		m0 |= C_SSV | C_SSID | C_SID;
		m1 = ~UINT64_C(0); /* Size, Stride, NS, Addr: not checked */
		break;
	case SMMUV3_M_CMD_CFGI_STE:
		m0 |= C_SID;
		m1 = BIT64(0);
		break;
	case SMMUV3_M_CMD_CFGI_STE_RANGE:
		m0 |= C_SID;
		m1 = MASK64(4, 0);
		break;
	case SMMUV3_M_CMD_CFGI_CD:
		ok = c->s1p;
		m0 |= C_SSID | C_SID;
		m1 = BIT64(0);
		break;
	case SMMUV3_M_CMD_CFGI_CD_ALL:
		ok = c->s1p;
		m0 |= C_SID;
		break;
	case SMMUV3_M_CMD_TLBI_NH_ALL:
		ok = c->s1p;
		m0 |= C_VMID;
		break;
	case SMMUV3_M_CMD_TLBI_NH_ASID:
		ok = c->s1p;
		m0 |= C_VMID | C_ASID;
		break;
	case SMMUV3_M_CMD_TLBI_NH_VA:
		ok = c->s1p;
		m0 |= C_RANGE | C_VMID | C_ASID;
		m1 = C_VA1;
		break;
	case SMMUV3_M_CMD_TLBI_NH_VAA:
		ok = c->s1p;
		m0 |= C_RANGE | C_VMID;
		m1 = C_VA1;
		break;
	case SMMUV3_M_CMD_TLBI_EL2_ALL:
		ok = c->s1p && c->hyp;
		break;
	case SMMUV3_M_CMD_TLBI_EL2_ASID:
		ok = c->s1p && c->hyp;
		m0 |= C_ASID;
		break;
	case SMMUV3_M_CMD_TLBI_EL2_VA:
		ok = c->s1p && c->hyp;
		m0 |= C_RANGE | C_ASID;
		m1 = C_VA1;
		break;
	case SMMUV3_M_CMD_TLBI_EL2_VAA:
		ok = c->s1p && c->hyp;
		m0 |= C_RANGE;
		m1 = C_VA1;
		break;
	case SMMUV3_M_CMD_TLBI_S12_VMALL:
		ok = c->s2p;
		m0 |= C_VMID;
		break;
	case SMMUV3_M_CMD_TLBI_S2_IPA:
		ok = c->s2p;
		m0 |= C_RANGE | C_VMID;
		m1 = C_IPA1;
		break;
	case SMMUV3_M_CMD_TLBI_NSNH_ALL:
		break;
	case SMMUV3_M_CMD_ATC_INV:
		ok = c->ats;
		m0 |= BIT64(9) | C_SSV | C_SSID | C_SID;
		m1 = MASK64(5, 0) | MASK64(63, 12);
		break;
	case SMMUV3_M_CMD_PRI_RESP:
		ok = c->pri;
		m0 |= C_SSV | C_SSID | C_SID;
		m1 = MASK64(8, 0) | MASK64(13, 12);
		break;
	case SMMUV3_M_CMD_SYNC:
		m0 |= MASK64(13, 12) | MASK64(27, 22) | MASK64(63, 32);
		m1 = MASK64(55, 2);
		break;
	default:
		/* Reserved opcodes, Secure/EL3 commands on the Non-secure queue,
		 * CMD_RESUME/CMD_STALL_TERM without stall support (STALL_MODEL 0b01),
		 * CMD_CFGI_VMS_PIDM without MPAM, DPT commands. */
		ok = false;
		break;
	}
	if (!ok)
		return SMMUV3_M_CERROR_ILL;
	/* SSec (bit 10) must be 0 on the Non-secure queue; it is outside every mask. */
	if (w0 & BIT64(10))
		return SMMUV3_M_CERROR_ILL;
	if (!c->lax_res0 && ((w0 & ~m0) || (w1 & ~m1)))
		return SMMUV3_M_CERROR_ILL;

	memset(&s, 0, sizeof(s));
	switch (op) {
	case SMMUV3_M_CMD_PREFETCH_CONFIG:
	case SMMUV3_M_CMD_PREFETCH_ADDR:
	case SMMUV3_M_CMD_ATC_INV:
	case SMMUV3_M_CMD_PRI_RESP:
		/* hints / ATS and PRI traffic are not modelled */
		break;
	case SMMUV3_M_CMD_CFGI_STE:
		cache_drop(m, &m->ste, DROP_SID_IN, 0, sid, sid);
		cache_drop(m, &m->cd, DROP_SID_IN, 0, sid, sid);
		cache_drop(m, &m->l1cd, DROP_SID_IN, 0, sid, sid);
		if (!(w1 & 1)) /* Leaf == 0: also the L1STD that located it */
			cache_drop(m, &m->l1std, DROP_SPAN_OVERLAPS, 0, sid, sid);
		break;
	case SMMUV3_M_CMD_CFGI_STE_RANGE: {
		unsigned range = ufld(w1, 4, 0);
		uint64_t lo = 0, hi = UINT32_MAX;
		if (range < 31) {
			uint64_t n = BIT64(range + 1);
			lo = sid & ~(n - 1);
			hi = lo + n - 1;
		}
		cache_drop(m, &m->ste, DROP_SID_IN, 0, lo, hi);
		cache_drop(m, &m->cd, DROP_SID_IN, 0, lo, hi);
		cache_drop(m, &m->l1cd, DROP_SID_IN, 0, lo, hi);
		cache_drop(m, &m->l1std, DROP_SPAN_OVERLAPS, 0, lo, hi);
		break;
	}
	case SMMUV3_M_CMD_CFGI_CD: {
		uint32_t ssid = (uint32_t)fld(w0, 31, 12);
		cache_drop(m, &m->cd, DROP_SID_IDX, sid, ssid, ssid);
		if (!(w1 & 1))
			cache_drop(m, &m->l1cd, DROP_SID_IDX_SPAN, sid, ssid, ssid);
		break;
	}
	case SMMUV3_M_CMD_CFGI_CD_ALL:
		cache_drop(m, &m->cd, DROP_SID_IN, 0, sid, sid);
		cache_drop(m, &m->l1cd, DROP_SID_IN, 0, sid, sid);
		break;
	case SMMUV3_M_CMD_TLBI_NH_ALL:
	case SMMUV3_M_CMD_TLBI_NH_ASID:
	case SMMUV3_M_CMD_TLBI_NH_VA:
	case SMMUV3_M_CMD_TLBI_NH_VAA: {
		bool has_asid = op == SMMUV3_M_CMD_TLBI_NH_ASID || op == SMMUV3_M_CMD_TLBI_NH_VA;
		bool has_addr = op == SMMUV3_M_CMD_TLBI_NH_VA || op == SMMUV3_M_CMD_TLBI_NH_VAA;
		err = tlbi_decode(m, w0, w1, true, has_asid, has_addr, false, &a);
		if (err)
			return err;
		s.kinds = K_S1 | K_NST;
		s.regimes = R_EL1;
		s.match_vmid = true;
		s.vmid = a.vmid;
		if (op == SMMUV3_M_CMD_TLBI_NH_ASID)
			s.asid_mode = ASID_NONGLOBAL;
		else if (op == SMMUV3_M_CMD_TLBI_NH_VA)
			s.asid_mode = ASID_OR_GLOBAL;
		s.asid = a.asid;
		if (has_addr)
			tlbi_addr_scope(&a, &s);
		tlb_invalidate(m, &s);
		break;
	}
	case SMMUV3_M_CMD_TLBI_EL2_ALL:
		s.kinds = K_S1;
		s.regimes = R_EL2 | R_E2H;
		tlb_invalidate(m, &s);
		break;
	case SMMUV3_M_CMD_TLBI_EL2_ASID:
		err = tlbi_decode(m, w0, w1, false, true, false, false, &a);
		if (err)
			return err;
		s.kinds = K_S1;
		s.regimes = R_E2H;
		s.asid_mode = ASID_NONGLOBAL;
		s.asid = a.asid;
		tlb_invalidate(m, &s);
		break;
	case SMMUV3_M_CMD_TLBI_EL2_VA:
	case SMMUV3_M_CMD_TLBI_EL2_VAA: {
		bool e2h = (m->cr2 & SMMUV3_M_CR2_E2H) != 0;
		err =
		    tlbi_decode(m, w0, w1, false, op == SMMUV3_M_CMD_TLBI_EL2_VA, true, false, &a);
		if (err)
			return err;
		s.kinds = K_S1;
		s.regimes = e2h ? R_E2H : R_EL2;
		if (op == SMMUV3_M_CMD_TLBI_EL2_VA && e2h) {
			s.asid_mode = ASID_OR_GLOBAL;
			s.asid = a.asid;
		}
		tlbi_addr_scope(&a, &s);
		tlb_invalidate(m, &s);
		break;
	}
	case SMMUV3_M_CMD_TLBI_S12_VMALL:
		err = tlbi_decode(m, w0, w1, true, false, false, false, &a);
		if (err)
			return err;
		s.kinds = K_S1 | K_S2 | K_NST;
		s.regimes = R_EL1;
		s.match_vmid = true;
		s.vmid = a.vmid;
		tlb_invalidate(m, &s);
		break;
	case SMMUV3_M_CMD_TLBI_S2_IPA:
		err = tlbi_decode(m, w0, w1, true, false, true, true, &a);
		if (err)
			return err;
		/* stage 2 entries only: combined nested entries are not required to go */
		s.kinds = K_S2;
		s.regimes = R_EL1;
		s.match_vmid = true;
		s.vmid = a.vmid;
		tlbi_addr_scope(&a, &s);
		tlb_invalidate(m, &s);
		break;
	case SMMUV3_M_CMD_TLBI_NSNH_ALL:
		s.kinds = K_S1 | K_S2 | K_NST;
		s.regimes = R_EL1;
		tlb_invalidate(m, &s);
		break;
	case SMMUV3_M_CMD_SYNC: {
		unsigned cs = ufld(w0, 13, 12);
		if (cs == 3)
			return SMMUV3_M_CERROR_ILL;
		if (cs == SMMUV3_M_SYNC_CS_IRQ) {
			uint64_t addr = w1 & MASK64(55, 2);
			m->stats.sync_irqs++;
			notify(m, SMMUV3_MODEL_IRQ_CMD_SYNC);
			if (c->msi && addr) {
				m->stats.sync_msis++;
				msi_send(m, addr, (uint32_t)(w0 >> 32),
					 SMMUV3_M_GERROR_MSI_CMDQ_ABT);
			}
		} else if (cs == SMMUV3_M_SYNC_CS_SEV && c->sev) {
			m->stats.sync_sevs++;
		}
		break;
	}
	default:
		return SMMUV3_M_CERROR_ILL;
	}
	return SMMUV3_M_CERROR_NONE;
}

void smmuv3_model_process(struct smmuv3_model *m)
{
	if (m->in_process)
		return;
	m->in_process = true;
	for (;;) {
		unsigned l = q_log2(m->cmdq_base, m->cfg.cmdqs);
		uint32_t mask = q_mask(l), prod, cons, n;
		uint8_t b[16];
		uint64_t w0 = 0, w1 = 0;
		unsigned err;

		if (!(m->cr0ack & SMMUV3_M_CR0_CMDQEN) || m->cfg.stall_cmdq ||
		    gerror_active(m, SMMUV3_M_GERROR_CMDQ_ERR))
			break;
		prod = m->cmdq_prod & mask;
		cons = m->cmdq_cons & mask;
		if (prod == cons)
			break;
		n = q_entries(prod, cons, l);
		if (n > (1u << l)) {
			m->stats.cmdq_overruns++;
			break;
		}
		if (mem_rd(m, q_addr(m, m->cmdq_base, l, 16, cons), b, sizeof(b)) != 0) {
			err = SMMUV3_M_CERROR_ABT;
		} else {
			w0 = get_le64(b);
			w1 = get_le64(b + 8);
			err = exec_cmd(m, w0, w1);
		}
		log_cmd(m, w0, w1, err);
		if (err) {
			m->cmdq_cons = (m->cmdq_cons & ~SMMUV3_M_CMDQ_CONS_ERR_MASK) |
				       (uint32_t)err << SMMUV3_M_CMDQ_CONS_ERR_SHIFT;
			m->stats.cmd_errors++;
			gerror_raise(m, SMMUV3_M_GERROR_CMDQ_ERR);
			break;
		}
		m->stats.cmd_count[w0 & 0xffu]++;
		m->stats.cmds_consumed++;
		m->cmdq_cons = (m->cmdq_cons & ~mask) | ((cons + 1) & mask);
	}
	m->in_process = false;
}

/* ---- registers ----------------------------------------------------------------------------- */

static uint64_t *reg64(struct smmuv3_model *m, uint64_t off)
{
	switch (off) {
	case SMMUV3_M_GERROR_IRQ_CFG0:
		return &m->gerror_irq_cfg0;
	case SMMUV3_M_STRTAB_BASE:
		return &m->strtab_base;
	case SMMUV3_M_CMDQ_BASE:
		return &m->cmdq_base;
	case SMMUV3_M_EVTQ_BASE:
		return &m->evtq_base;
	case SMMUV3_M_EVTQ_IRQ_CFG0:
		return &m->evtq_irq_cfg0;
	case SMMUV3_M_PRIQ_BASE:
		return &m->priq_base;
	case SMMUV3_M_PRIQ_IRQ_CFG0:
		return &m->priq_irq_cfg0;
	default:
		return NULL;
	}
}

/* page 1 queue registers, and their optional page 0 aliases */
static uint64_t queue_reg_off(const struct smmuv3_model *m, uint64_t off)
{
	if (m->cfg.page0_queue_alias && (off == 0xa8 || off == 0xac || off == 0xc8 || off == 0xcc))
		return off + 0x10000;
	return off;
}

static uint32_t read32(struct smmuv3_model *m, uint64_t off)
{
	off = queue_reg_off(m, off);
	switch (off) {
	case SMMUV3_M_IDR0:
		return m->idr[0];
	case SMMUV3_M_IDR1:
		return m->idr[1];
	case SMMUV3_M_IDR2:
		return m->idr[2];
	case SMMUV3_M_IDR3:
		return m->idr[3];
	case SMMUV3_M_IDR4:
		return m->idr[4];
	case SMMUV3_M_IDR5:
		return m->idr[5];
	case SMMUV3_M_IIDR:
		return m->cfg.iidr;
	case SMMUV3_M_AIDR:
		return m->aidr;
	case SMMUV3_M_CR0:
		return m->cr0;
	case SMMUV3_M_CR0ACK:
		return m->cr0ack;
	case SMMUV3_M_CR1:
		return m->cr1;
	case SMMUV3_M_CR2:
		return m->cr2;
	case SMMUV3_M_GBPA:
		return m->gbpa;
	case SMMUV3_M_IRQ_CTRL:
		return m->irq_ctrl;
	case SMMUV3_M_IRQ_CTRLACK:
		return m->irq_ctrlack;
	case SMMUV3_M_GERROR:
		return m->gerror;
	case SMMUV3_M_GERRORN:
		return m->gerrorn;
	case SMMUV3_M_GERROR_IRQ_CFG1:
		return m->gerror_irq_cfg1;
	case SMMUV3_M_GERROR_IRQ_CFG2:
		return m->gerror_irq_cfg2;
	case SMMUV3_M_STRTAB_BASE_CFG:
		return m->strtab_base_cfg;
	case SMMUV3_M_CMDQ_PROD:
		return m->cmdq_prod;
	case SMMUV3_M_CMDQ_CONS:
		return m->cmdq_cons;
	case SMMUV3_M_EVTQ_IRQ_CFG1:
		return m->evtq_irq_cfg1;
	case SMMUV3_M_EVTQ_IRQ_CFG2:
		return m->evtq_irq_cfg2;
	case SMMUV3_M_PRIQ_IRQ_CFG1:
		return m->priq_irq_cfg1;
	case SMMUV3_M_PRIQ_IRQ_CFG2:
		return m->priq_irq_cfg2;
	case SMMUV3_M_EVTQ_PROD:
		return m->evtq_prod;
	case SMMUV3_M_EVTQ_CONS:
		return m->evtq_cons;
	case SMMUV3_M_PRIQ_PROD:
		return m->priq_prod;
	case SMMUV3_M_PRIQ_CONS:
		return m->priq_cons;
	default:
		return 0; /* STATUSR, AGBPA, unknown offsets */
	}
}

static bool cr0_guard(struct smmuv3_model *m, uint32_t bits)
{
	if ((m->cr0 | m->cr0ack) & bits) {
		m->stats.guarded_writes++;
		return true;
	}
	return false;
}

static bool irq_guard(struct smmuv3_model *m, uint32_t bits)
{
	if ((m->irq_ctrl | m->irq_ctrlack) & bits) {
		m->stats.guarded_writes++;
		return true;
	}
	return false;
}

static uint32_t keep_bits(struct smmuv3_model *m, uint64_t v, uint64_t mask)
{
	if (v & ~mask)
		m->stats.anomalies++;
	return (uint32_t)(v & mask);
}

static void write64(struct smmuv3_model *m, uint64_t off, uint64_t v)
{
	const uint64_t qmask = BIT64(62) | MASK64(55, 5) | MASK64(4, 0);
	const uint64_t msimask = MASK64(55, 2);
	uint64_t keep = 0;

	switch (off) {
	case SMMUV3_M_GERROR_IRQ_CFG0:
		if (irq_guard(m, SMMUV3_M_IRQ_GERROR))
			return;
		keep = msimask;
		break;
	case SMMUV3_M_STRTAB_BASE:
		if (cr0_guard(m, SMMUV3_M_CR0_SMMUEN))
			return;
		keep = BIT64(62) | MASK64(55, 6);
		break;
	case SMMUV3_M_CMDQ_BASE:
		if (cr0_guard(m, SMMUV3_M_CR0_CMDQEN))
			return;
		keep = qmask;
		break;
	case SMMUV3_M_EVTQ_BASE:
		if (cr0_guard(m, SMMUV3_M_CR0_EVTQEN))
			return;
		keep = qmask;
		break;
	case SMMUV3_M_EVTQ_IRQ_CFG0:
		if (irq_guard(m, SMMUV3_M_IRQ_EVTQ))
			return;
		keep = msimask;
		break;
	case SMMUV3_M_PRIQ_BASE:
		if (cr0_guard(m, SMMUV3_M_CR0_PRIQEN))
			return;
		keep = qmask;
		break;
	case SMMUV3_M_PRIQ_IRQ_CFG0:
		if (irq_guard(m, SMMUV3_M_IRQ_PRIQ))
			return;
		keep = msimask;
		break;
	default:
		return;
	}
	if (v & ~keep)
		m->stats.anomalies++;
	*reg64(m, off) = v & keep;
}

static void write32(struct smmuv3_model *m, uint64_t off, uint32_t v)
{
	const struct smmuv3_model_cfg *c = &m->cfg;

	off = queue_reg_off(m, off);
	switch (off) {
	case SMMUV3_M_IDR0:
	case SMMUV3_M_IDR1:
	case SMMUV3_M_IDR2:
	case SMMUV3_M_IDR3:
	case SMMUV3_M_IDR4:
	case SMMUV3_M_IDR5:
	case SMMUV3_M_IIDR:
	case SMMUV3_M_AIDR:
	case SMMUV3_M_CR0ACK:
	case SMMUV3_M_STATUSR:
	case SMMUV3_M_IRQ_CTRLACK:
	case SMMUV3_M_GERROR:
		m->stats.ro_writes++;
		return;
	case SMMUV3_M_CR0: {
		uint32_t valid = SMMUV3_M_CR0_SMMUEN | SMMUV3_M_CR0_EVTQEN | SMMUV3_M_CR0_CMDQEN |
				 (c->pri ? SMMUV3_M_CR0_PRIQEN : 0) |
				 (c->ats ? SMMUV3_M_CR0_ATSCHK : 0);
		m->cr0 = keep_bits(m, v, valid);
		if (!c->cr0ack_broken) {
			m->cr0ack = m->cr0;
			smmuv3_model_process(m);
		}
		return;
	}
	case SMMUV3_M_CR1:
		if (cr0_guard(m, SMMUV3_M_CR0_SMMUEN | SMMUV3_M_CR0_CMDQEN | SMMUV3_M_CR0_EVTQEN |
				     SMMUV3_M_CR0_PRIQEN))
			return;
		m->cr1 = keep_bits(m, v, 0xfffu);
		return;
	case SMMUV3_M_CR2:
		if (cr0_guard(m, SMMUV3_M_CR0_SMMUEN))
			return;
		m->cr2 = keep_bits(m, v,
				   (c->hyp ? SMMUV3_M_CR2_E2H : 0) | SMMUV3_M_CR2_RECINVSID |
				       SMMUV3_M_CR2_PTM);
		return;
	case SMMUV3_M_GBPA:
		/* SMMUv3.2: writes without Update, or while an update is pending, are ignored */
		if ((m->gbpa & SMMUV3_M_GBPA_UPDATE) || !(v & SMMUV3_M_GBPA_UPDATE)) {
			m->stats.gbpa_bad_writes++;
			return;
		}
		v = keep_bits(m, v & ~SMMUV3_M_GBPA_UPDATE, UINT64_C(0x001f3f1f));
		if (c->gbpa_broken) {
			m->gbpa = v | SMMUV3_M_GBPA_UPDATE;
		} else {
			m->gbpa = v;
			m->gbpa_eff = v;
		}
		return;
	case SMMUV3_M_IRQ_CTRL:
		m->irq_ctrl = keep_bits(m, v,
					SMMUV3_M_IRQ_GERROR | SMMUV3_M_IRQ_EVTQ |
					    (c->pri ? SMMUV3_M_IRQ_PRIQ : 0));
		m->irq_ctrlack = m->irq_ctrl;
		return;
	case SMMUV3_M_GERRORN: {
		uint32_t nv = keep_bits(m, v, GERROR_MASK);
		uint32_t flipped = nv ^ m->gerrorn;
		bool was = gerror_active(m, SMMUV3_M_GERROR_CMDQ_ERR);
		if (flipped & ~(m->gerror ^ m->gerrorn))
			m->stats.gerrorn_bad++;
		m->gerrorn = nv;
		if (was && !gerror_active(m, SMMUV3_M_GERROR_CMDQ_ERR))
			smmuv3_model_process(m);
		return;
	}
	case SMMUV3_M_GERROR_IRQ_CFG1:
		if (!irq_guard(m, SMMUV3_M_IRQ_GERROR))
			m->gerror_irq_cfg1 = v;
		return;
	case SMMUV3_M_GERROR_IRQ_CFG2:
		if (!irq_guard(m, SMMUV3_M_IRQ_GERROR))
			m->gerror_irq_cfg2 = keep_bits(m, v, 0x3fu);
		return;
	case SMMUV3_M_STRTAB_BASE_CFG:
		if (cr0_guard(m, SMMUV3_M_CR0_SMMUEN))
			return;
		m->strtab_base_cfg = keep_bits(
		    m, v, (c->st_level_2lvl ? MASK64(17, 16) : 0) | MASK64(10, 6) | MASK64(5, 0));
		return;
	case SMMUV3_M_CMDQ_PROD:
		m->cmdq_prod = keep_bits(m, v, MASK64(19, 0));
		smmuv3_model_process(m);
		return;
	case SMMUV3_M_CMDQ_CONS:
		if (cr0_guard(m, SMMUV3_M_CR0_CMDQEN))
			return;
		/* ERR may ignore the written value: it keeps the last error code */
		m->cmdq_cons = (m->cmdq_cons & SMMUV3_M_CMDQ_CONS_ERR_MASK) |
			       keep_bits(m, v & ~SMMUV3_M_CMDQ_CONS_ERR_MASK, MASK64(19, 0));
		return;
	case SMMUV3_M_EVTQ_PROD:
		if (cr0_guard(m, SMMUV3_M_CR0_EVTQEN))
			return;
		m->evtq_prod = keep_bits(m, v, MASK64(19, 0) | SMMUV3_M_Q_OVF);
		return;
	case SMMUV3_M_EVTQ_CONS:
		m->evtq_cons = keep_bits(m, v, MASK64(19, 0) | SMMUV3_M_Q_OVF);
		return;
	case SMMUV3_M_EVTQ_IRQ_CFG1:
		if (!irq_guard(m, SMMUV3_M_IRQ_EVTQ))
			m->evtq_irq_cfg1 = v;
		return;
	case SMMUV3_M_EVTQ_IRQ_CFG2:
		if (!irq_guard(m, SMMUV3_M_IRQ_EVTQ))
			m->evtq_irq_cfg2 = keep_bits(m, v, 0x3fu);
		return;
	case SMMUV3_M_PRIQ_PROD:
		if (cr0_guard(m, SMMUV3_M_CR0_PRIQEN))
			return;
		m->priq_prod = keep_bits(m, v, MASK64(19, 0) | SMMUV3_M_Q_OVF);
		return;
	case SMMUV3_M_PRIQ_CONS:
		m->priq_cons = keep_bits(m, v, MASK64(19, 0) | SMMUV3_M_Q_OVF);
		return;
	case SMMUV3_M_PRIQ_IRQ_CFG1:
		if (!irq_guard(m, SMMUV3_M_IRQ_PRIQ))
			m->priq_irq_cfg1 = v;
		return;
	case SMMUV3_M_PRIQ_IRQ_CFG2:
		if (!irq_guard(m, SMMUV3_M_IRQ_PRIQ))
			m->priq_irq_cfg2 = keep_bits(m, v, 0x3fu);
		return;
	default:
		return; /* AGBPA, page 0 queue aliases when absent, unknown: ignored */
	}
}

static bool access_ok(struct smmuv3_model *m, uint64_t off, unsigned size)
{
	if ((size != 4 && size != 8) || (off & (size - 1)) || off >= SMMUV3_M_MMIO_SIZE) {
		m->stats.bad_accesses++;
		return false;
	}
	return true;
}

uint64_t smmuv3_model_read(struct smmuv3_model *m, uint64_t off, unsigned size)
{
	uint64_t *r;

	if (!access_ok(m, off, size))
		return 0;
	r = reg64(m, off & ~UINT64_C(7));
	if (size == 8) {
		if (r)
			return *r;
		m->stats.bad_accesses++;
		return read32(m, off) | (uint64_t)read32(m, off + 4) << 32;
	}
	if (r)
		return (uint32_t)(*r >> (off & 4 ? 32 : 0));
	return read32(m, off);
}

void smmuv3_model_write(struct smmuv3_model *m, uint64_t off, uint64_t val, unsigned size)
{
	uint64_t *r;

	if (!access_ok(m, off, size))
		return;
	r = reg64(m, off & ~UINT64_C(7));
	if (size == 8) {
		if (r) {
			write64(m, off, val);
			return;
		}
		m->stats.bad_accesses++;
		write32(m, off, (uint32_t)val);
		write32(m, off + 4, (uint32_t)(val >> 32));
		return;
	}
	if (r) {
		unsigned sh = off & 4 ? 32u : 0u;
		uint64_t merged =
		    (*r & ~(UINT64_C(0xffffffff) << sh)) | ((val & 0xffffffffu) << sh);
		write64(m, off & ~UINT64_C(7), merged);
		return;
	}
	write32(m, off, (uint32_t)val);
}

/* ---- translation ----------------------------------------------------------------------------- */

struct range_cfg {
	bool present;
	unsigned tsz, tg;
	uint64_t ttb;
	bool tbi;
};

struct xl {
	/* transaction, after the STE overrides */
	uint32_t sid, ssid;
	bool ssv;
	uint64_t iova;
	bool write, instr, priv;

	/* STE */
	const uint64_t *ste;
	uint64_t ste_w[8];
	bool s1, s2;
	unsigned regime;
	uint16_t vmid, asid;
	unsigned s2tg, s2ias, s2start, s2ps;
	uint64_t s2ttb;
	bool s2affd, s2ha, s2hd, s2be, s2ptw, s2r;

	/* CD */
	bool have_cd;
	uint64_t cd_w[8];
	bool s1r, s1a;
	unsigned ips;
	bool s1affd, s1ha, s1hd, s1be, pan, wxn;
	struct range_cfg rng[2];

	/* the fault being reported */
	unsigned ev;
	bool ev_s2;
	unsigned ev_class;
	uint64_t ev_ipa;
	uint64_t ev_fetch;
	bool ev_ttrnw;
	uint32_t ev_ssid;
	bool s2_nocache; /* the last stage 2 walk must not be cached */
};

static bool xlat_fault(unsigned ev)
{
	return ev >= SMMUV3_M_EVT_F_TRANSLATION && ev <= SMMUV3_M_EVT_F_PERMISSION;
}

/* Builds the record of x->ev, records it as configured, returns -(ev). */
static int report(struct smmuv3_model *m, struct xl *x)
{
	uint64_t r[4] = {0, 0, 0, 0};
	bool record = true;
	unsigned ev = x->ev;
	struct smmuv3_model_event *le = &m->last_event;

	r[0] = ev | (uint64_t)x->sid << 32;
	switch (ev) {
	case SMMUV3_M_EVT_C_BAD_SUBSTREAMID:
		r[0] |= (uint64_t)(x->ev_ssid & 0xfffffu) << 12; /* always valid, no SSV */
		break;
	case SMMUV3_M_EVT_F_STREAM_DISABLED:
		break;
	default:
		if (x->ssv)
			r[0] |= SMMUV3_M_EVT0_SSV | (uint64_t)(x->ssid & 0xfffffu) << 12;
		break;
	}
	if (xlat_fault(ev) || ev == SMMUV3_M_EVT_F_WALK_EABT) {
		r[1] = (x->priv ? SMMUV3_M_EVT1_PNU : 0) | (x->instr ? SMMUV3_M_EVT1_IND : 0) |
		       (x->write ? 0 : SMMUV3_M_EVT1_RNW) | (x->ev_s2 ? SMMUV3_M_EVT1_S2 : 0) |
		       (uint64_t)(x->ev_class & 3u) << 40;
		if (ev == SMMUV3_M_EVT_F_PERMISSION && x->ev_class == CLASS_TT && x->ev_ttrnw)
			r[1] |= SMMUV3_M_EVT1_TTRNW;
		r[2] = x->iova;
		if (ev == SMMUV3_M_EVT_F_WALK_EABT)
			r[3] = x->ev_fetch & MASK64(55, 3);
		else if (x->ev_s2)
			r[3] = x->ev_ipa & MASK64(55, 12);
	}
	if (ev == SMMUV3_M_EVT_F_STE_FETCH || ev == SMMUV3_M_EVT_F_CD_FETCH)
		r[3] = x->ev_fetch & MASK64(55, 3);

	if (ev == SMMUV3_M_EVT_C_BAD_STREAMID)
		record = (m->cr2 & SMMUV3_M_CR2_RECINVSID) != 0;
	else if (xlat_fault(ev))
		record = x->ev_s2 ? x->s2r : (x->have_cd ? x->s1r : true);

	memset(le, 0, sizeof(*le));
	le->type = ev;
	memcpy(le->rec, r, sizeof(r));
	le->razwi = xlat_fault(ev) && !x->ev_s2 && x->have_cd && !x->s1a;
	if (record)
		le->recorded = evtq_push(m, r);
	m->stats.dma_faults++;
	return -(int)ev;
}

static int fault(struct smmuv3_model *m, struct xl *x, unsigned ev)
{
	x->ev = ev;
	x->ev_s2 = false;
	x->ev_class = CLASS_IN;
	return report(m, x);
}

static int fault_s(struct smmuv3_model *m, struct xl *x, unsigned ev, bool s2, unsigned cls,
		   uint64_t ipa)
{
	x->ev = ev;
	x->ev_s2 = s2;
	x->ev_class = cls;
	x->ev_ipa = ipa;
	return report(m, x);
}

static int fault_fetch(struct smmuv3_model *m, struct xl *x, unsigned ev, uint64_t pa)
{
	x->ev = ev;
	x->ev_fetch = pa;
	return report(m, x);
}

static bool granule_ok(const struct smmuv3_model *m, unsigned tg)
{
	return (tg == 12 && m->cfg.gran4k) || (tg == 14 && m->cfg.gran16k) ||
	       (tg == 16 && m->cfg.gran64k);
}

/* Decodes and checks an STE (5.2.2); 0 if usable, else SMMUV3_M_EVT_C_BAD_STE. */
static unsigned ste_check(const struct smmuv3_model *m, struct xl *x)
{
	const struct smmuv3_model_cfg *c = &m->cfg;
	const uint64_t *s = x->ste;
	unsigned config = ufld(s[0], 3, 1);
	bool strw_unused;
	unsigned strw = ufld(s[1], 31, 30);

	if (!(s[0] & STE0_V))
		return SMMUV3_M_EVT_C_BAD_STE;
	if (!(config & 4))
		return 0; /* abort: nothing else is looked at */
	x->s1 = (config & 1) != 0;
	x->s2 = (config & 2) != 0;
	if (x->s1 && !c->s1p)
		return SMMUV3_M_EVT_C_BAD_STE;
	if (x->s2 && !c->s2p)
		return SMMUV3_M_EVT_C_BAD_STE;
	if (x->s1 && x->s2 && !c->nesting)
		return SMMUV3_M_EVT_C_BAD_STE;

	strw_unused = !c->s1p || !c->hyp || x->s2 || config == 4;
	if (!strw_unused && (strw & 1))
		return SMMUV3_M_EVT_C_BAD_STE;
	x->regime = SMMUV3_MODEL_NS_EL1;
	if (!strw_unused && strw == 2)
		x->regime = (m->cr2 & SMMUV3_M_CR2_E2H) ? SMMUV3_MODEL_EL2_E2H : SMMUV3_MODEL_EL2;

	if (c->ats && config != 4) {
		unsigned eats = ufld(s[1], 29, 28);
		if (eats == 2 && (config != 7 || (s[2] & STE2_S2S)))
			return SMMUV3_M_EVT_C_BAD_STE;
		if (eats == 1 && x->s2 && (s[2] & STE2_S2S))
			return SMMUV3_M_EVT_C_BAD_STE;
	}

	if (x->s1) {
		unsigned cdmax = ufld(s[0], 63, 59), fmt = ufld(s[0], 5, 4);
		uint64_t ptr = s[0] & MASK64(55, 6);
		if (s[1] & STE1_S1STALLD) /* STALL_MODEL != 0b00 */
			return SMMUV3_M_EVT_C_BAD_STE;
		if (c->ssidsize && cdmax > c->ssidsize)
			return SMMUV3_M_EVT_C_BAD_STE;
		if (c->ssidsize && cdmax && !c->cd2l && (fmt == 1 || fmt == 2))
			return SMMUV3_M_EVT_C_BAD_STE;
		if (ptr >> c->oas_bits) /* IAS == OAS: AArch64 tables only */
			return SMMUV3_M_EVT_C_BAD_STE;
	}

	if (x->s2) {
		uint64_t w2 = s[2];
		unsigned tgenc = ufld(w2, 47, 46), t0sz = ufld(w2, 37, 32), sl0 = ufld(w2, 39, 38);
		unsigned tg, stride, start, levels, ias, min_ias, max_ias, tsz_min;
		if (w2 & STE2_S2S) /* no stall support */
			return SMMUV3_M_EVT_C_BAD_STE;
		if (!(w2 & STE2_S2AA64)) /* VMSAv8-32 not supported (TTF AArch64 only) */
			return SMMUV3_M_EVT_C_BAD_STE;
		if (((w2 & STE2_S2HA) || (w2 & STE2_S2HD)) && c->httu == 0)
			return SMMUV3_M_EVT_C_BAD_STE;
		if ((w2 & STE2_S2HD) && c->httu == 1)
			return SMMUV3_M_EVT_C_BAD_STE;
		if (tgenc == 3)
			return SMMUV3_M_EVT_C_BAD_STE;
		tg = tgenc == 0 ? 12u : tgenc == 1 ? 16u : 14u;
		if (!granule_ok(m, tg))
			return SMMUV3_M_EVT_C_BAD_STE;
		x->s2ps = umin(ps_decode(ufld(w2, 50, 48)), c->oas_bits);
		x->s2ttb = s[3] & MASK64(55, 4);
		if (x->s2ttb >> x->s2ps)
			return SMMUV3_M_EVT_C_BAD_STE;
		tsz_min = 64 - c->oas_bits;
		if (tsz_min < (tg == 16 ? 12u : 16u))
			tsz_min = tg == 16 ? 12u : 16u;
		if (t0sz < tsz_min || t0sz > 39)
			return SMMUV3_M_EVT_C_BAD_STE;
		/* start level from S2SL0 (VTCR_EL2.SL0 encoding) */
		if (tg == 12) {
			if (sl0 == 3 || (sl0 == 2 && c->oas_bits < 44))
				return SMMUV3_M_EVT_C_BAD_STE;
			start = 2 - sl0;
		} else {
			if (sl0 == 3 || (sl0 == 2 && c->oas_bits < (tg == 14 ? 42u : 44u)))
				return SMMUV3_M_EVT_C_BAD_STE;
			start = 3 - sl0;
		}
		stride = tg - 3;
		levels = 3 - start;
		ias = 64 - t0sz;
		min_ias = levels * stride + tg + 1;
		max_ias = min_ias + stride - 1 + 4; /* up to 16 concatenated tables */
		if (ias < min_ias || ias > max_ias)
			return SMMUV3_M_EVT_C_BAD_STE;
		if ((c->ttendian == 2 && (w2 & STE2_S2ENDI)) ||
		    (c->ttendian == 3 && !(w2 & STE2_S2ENDI)))
			return SMMUV3_M_EVT_C_BAD_STE;
		x->s2tg = tg;
		x->s2ias = ias;
		x->s2start = start;
		x->s2affd = (w2 & STE2_S2AFFD) != 0;
		x->s2ha = (w2 & STE2_S2HA) != 0;
		x->s2hd = (w2 & STE2_S2HD) != 0;
		x->s2be = (w2 & STE2_S2ENDI) != 0;
		x->s2ptw = (w2 & STE2_S2PTW) != 0;
		x->s2r = (w2 & STE2_S2R) != 0;
	}

	/* VMID tagging: NS-EL1 StreamWorld with stage 2 implemented */
	x->vmid = 0;
	if (c->s2p && x->regime == SMMUV3_MODEL_NS_EL1 && (x->s1 || x->s2)) {
		uint64_t vmid = fld(s[2], 15, 0);
		if (!c->vmid16 && (vmid >> 8))
			return SMMUV3_M_EVT_C_BAD_STE;
		x->vmid = (uint16_t)vmid;
	}

	/* STE attribute overrides of the incoming transaction */
	switch (ufld(s[1], 49, 48)) {
	case 2:
		x->priv = false;
		break;
	case 3:
		x->priv = true;
		break;
	default:
		break;
	}
	if (!x->write) {
		switch (ufld(s[1], 51, 50)) {
		case 2:
			x->instr = false;
			break;
		case 3:
			x->instr = true;
			break;
		default:
			break;
		}
	}
	if (x->regime == SMMUV3_MODEL_EL2)
		x->priv = true; /* no unprivileged level at EL2 */
	return 0;
}

static unsigned cd_tg0(unsigned enc)
{
	return enc == 0 ? 12u : enc == 1 ? 16u : enc == 2 ? 14u : 0u;
}

static unsigned cd_tg1(unsigned enc)
{
	return enc == 1 ? 14u : enc == 2 ? 12u : enc == 3 ? 16u : 0u;
}

/* Decodes and checks a CD (5.4.2); 0 if usable, else SMMUV3_M_EVT_C_BAD_CD. */
static unsigned cd_check(const struct smmuv3_model *m, struct xl *x, const uint64_t *d)
{
	const struct smmuv3_model_cfg *c = &m->cfg;
	uint64_t w0 = d[0];
	bool el2 = x->regime == SMMUV3_MODEL_EL2;
	uint64_t asid = fld(w0, 63, 48);

	if (!(w0 & CD0_V))
		return SMMUV3_M_EVT_C_BAD_CD;
	if (w0 & CD0_S) /* STALL_MODEL 0b01 */
		return SMMUV3_M_EVT_C_BAD_CD;
	if (c->term_model && !(w0 & CD0_A))
		return SMMUV3_M_EVT_C_BAD_CD;
	if (!(w0 & CD0_AA64)) /* VMSAv8-32 not supported */
		return SMMUV3_M_EVT_C_BAD_CD;
	if (((w0 & CD0_HA) || (w0 & CD0_HD)) && c->httu == 0)
		return SMMUV3_M_EVT_C_BAD_CD;
	if ((w0 & CD0_HD) && c->httu == 1)
		return SMMUV3_M_EVT_C_BAD_CD;
	if (!el2 && !c->asid16 && (asid >> 8))
		return SMMUV3_M_EVT_C_BAD_CD;

	x->ips = umin(ps_decode(ufld(w0, 34, 32)), c->oas_bits);
	memset(x->rng, 0, sizeof(x->rng));
	x->rng[0].present = el2 || !(w0 & CD0_EPD0);
	x->rng[1].present = !el2 && !(w0 & CD0_EPD1);
	for (unsigned i = 0; i < 2; i++) {
		struct range_cfg *r = &x->rng[i];
		if (!r->present)
			continue;
		r->tsz = i ? ufld(w0, 21, 16) : ufld(w0, 5, 0);
		r->tg = i ? cd_tg1(ufld(w0, 23, 22)) : cd_tg0(ufld(w0, 7, 6));
		r->ttb = d[1 + i] & MASK64(55, 4);
		r->tbi = (w0 & (i ? CD0_TBI1 : CD0_TBI0)) != 0 && !(el2 && i);
		if (r->tg == 0 || !granule_ok(m, r->tg))
			return SMMUV3_M_EVT_C_BAD_CD;
		if (r->tsz < 16 || r->tsz > 39) /* 48-bit VAs (IDR5.VAX == 0), no STT */
			return SMMUV3_M_EVT_C_BAD_CD;
		if (r->ttb >> x->ips)
			return SMMUV3_M_EVT_C_BAD_CD;
	}
	if ((x->rng[0].present || x->rng[1].present) &&
	    ((c->ttendian == 2 && (w0 & CD0_ENDI)) || (c->ttendian == 3 && !(w0 & CD0_ENDI))))
		return SMMUV3_M_EVT_C_BAD_CD;

	x->asid = (uint16_t)(el2 ? 0 : asid);
	x->s1r = (w0 & CD0_R) != 0;
	x->s1a = (w0 & CD0_A) != 0;
	x->s1affd = (w0 & CD0_AFFD) != 0;
	x->s1ha = (w0 & CD0_HA) != 0;
	x->s1hd = (w0 & CD0_HD) != 0;
	x->s1be = (w0 & CD0_ENDI) != 0;
	x->pan = !el2 && (w0 & CD0_PAN) != 0;
	x->wxn = (w0 & CD0_WXN) != 0;
	return 0;
}

/* ---- table walks ----------------------------------------------------------------------------- */

struct walk_params {
	unsigned stage; /* 1 or 2 */
	unsigned tg;	/* granule bits */
	unsigned ias;	/* input address size */
	unsigned start; /* start level */
	uint64_t ttb;
	unsigned ps; /* output address size */
	bool be, affd, ha, hd;
	unsigned cls;	 /* stage 2: CLASS of what is being translated */
	bool want_write; /* the access needs write permission (dirty state update) */
};

struct walk_result {
	uint64_t desc;
	uint64_t oa; /* base of the page or block */
	unsigned level;
	unsigned size_log2;
	uint64_t tbl; /* stage 1 hierarchical attributes (T_* bits) */
	bool nocache; /* clean DBM descriptor with HD: re-walk on every access */
};

static int s2_translate(struct smmuv3_model *m, struct xl *x, uint64_t ipa, unsigned cls,
			bool want_write, uint64_t *pa, struct smmuv3_model_tlb_entry *out);

static bool block_ok(const struct smmuv3_model *m, unsigned tg, unsigned level)
{
	if (tg == 12)
		return level == 1 || level == 2;
	if (tg == 14)
		return level == 2;
	return level == 2 || (level == 1 && m->cfg.oas_bits == 52);
}

/* Output address bits of a descriptor, from bit @lo up. */
static uint64_t desc_addr(const struct smmuv3_model *m, uint64_t d, unsigned tg, unsigned lo)
{
	uint64_t a = d & MASK64(47, lo);
	if (tg == 16 && m->cfg.oas_bits == 52)
		a |= fld(d, 15, 12) << 48;
	return a;
}

static int walk_fault(struct smmuv3_model *m, struct xl *x, const struct walk_params *p,
		      uint64_t ia, unsigned ev)
{
	if (p->stage == 2)
		return fault_s(m, x, ev, true, p->cls, ia);
	return fault_s(m, x, ev, false, CLASS_IN, 0);
}

static int walk(struct smmuv3_model *m, struct xl *x, const struct walk_params *p, uint64_t ia,
		struct walk_result *r)
{
	unsigned stride = p->tg - 3, level = p->start;
	uint64_t table = p->ttb;
	uint64_t start_bytes;

	memset(r, 0, sizeof(*r));
	start_bytes = UINT64_C(8) << (p->ias - (p->tg + (3 - p->start) * stride));
	table = align_base(m, table, start_bytes > 64 ? start_bytes : 64);
	for (;;) {
		unsigned shift = p->tg + (3 - level) * stride;
		unsigned bits = level == p->start ? p->ias - shift : stride;
		uint64_t idx = (ia >> shift) & (BIT64(bits) - 1);
		uint64_t daddr = table + idx * 8, dpa = daddr, d;
		uint8_t b[8];

		if (p->stage == 1 && x->s2) {
			int rc = s2_translate(m, x, daddr, CLASS_TT, false, &dpa, NULL);
			if (rc)
				return rc;
		}
		if (mem_rd(m, dpa, b, 8) != 0) {
			x->ev = SMMUV3_M_EVT_F_WALK_EABT;
			x->ev_s2 = p->stage == 2;
			x->ev_class = p->stage == 2 ? p->cls : CLASS_TT;
			x->ev_fetch = dpa;
			return report(m, x);
		}
		d = p->be ? get_be64(b) : get_le64(b);
		if (!(d & 1))
			return walk_fault(m, x, p, ia, SMMUV3_M_EVT_F_TRANSLATION);
		if (level < 3 && (d & 2)) {
			uint64_t next = desc_addr(m, d, p->tg, p->tg);
			if (next >> p->ps)
				return walk_fault(m, x, p, ia, SMMUV3_M_EVT_F_ADDR_SIZE);
			if (p->stage == 1)
				r->tbl |= d & (T_PXNT | T_UXNT | T_APT0 | T_APT1);
			table = next;
			level++;
			continue;
		}
		if (level == 3 ? (d & 2) == 0 : !block_ok(m, p->tg, level))
			return walk_fault(m, x, p, ia, SMMUV3_M_EVT_F_TRANSLATION);

		/* leaf */
		r->oa = desc_addr(m, d, p->tg, shift);
		if (r->oa >> p->ps)
			return walk_fault(m, x, p, ia, SMMUV3_M_EVT_F_ADDR_SIZE);
		if (!(d & D_AF)) {
			if (p->ha) {
				d |= D_AF;
				if (p->be)
					put_be64(b, d);
				else
					put_le64(b, d);
				if (mem_wr(m, dpa, b, 8) != 0) {
					x->ev = SMMUV3_M_EVT_F_WALK_EABT;
					x->ev_s2 = p->stage == 2;
					x->ev_class = p->stage == 2 ? p->cls : CLASS_TT;
					x->ev_fetch = dpa;
					return report(m, x);
				}
			} else if (!p->affd) {
				return walk_fault(m, x, p, ia, SMMUV3_M_EVT_F_ACCESS);
			}
		}
		/* dirty state: stage 1 AP[2], stage 2 S2AP[1] */
		if (p->hd && (d & D_DBM)) {
			bool clean = p->stage == 1 ? (d & D_AP2) != 0 : (d & D_AP2) == 0;
			if (clean && p->want_write) {
				d = p->stage == 1 ? d & ~D_AP2 : d | D_AP2;
				if (p->be)
					put_be64(b, d);
				else
					put_le64(b, d);
				if (mem_wr(m, dpa, b, 8) != 0) {
					x->ev = SMMUV3_M_EVT_F_WALK_EABT;
					x->ev_s2 = p->stage == 2;
					x->ev_class = p->stage == 2 ? p->cls : CLASS_TT;
					x->ev_fetch = dpa;
					return report(m, x);
				}
			} else if (clean) {
				r->nocache = true;
			}
		}
		r->desc = d;
		r->level = level;
		r->size_log2 = shift;
		return 0;
	}
}

/* Stage 1 permissions (VMSAv8-64 direct permissions). */
static uint8_t s1_perm(const struct xl *x, uint64_t d, uint64_t tbl)
{
	bool ro = (d & D_AP2) || (tbl & T_APT1);
	bool el0 = (d & D_AP1) && !(tbl & T_APT0);
	bool uxn = (d & D_UXN) || (tbl & T_UXNT);
	bool pxn = (d & D_PXN) || (tbl & T_PXNT);
	unsigned p = 0;

	if (x->regime == SMMUV3_MODEL_EL2) {
		/* one privilege level; bit 54 is XN */
		p = PERM_PR | (ro ? 0 : PERM_PW) | (uxn ? 0 : PERM_PX);
		if (x->wxn && !ro)
			p &= ~PERM_PX;
		return (uint8_t)p;
	}
	p = PERM_PR | (ro ? 0 : PERM_PW);
	if (!pxn && !(el0 && !ro)) /* EL0-writable memory is privileged execute-never */
		p |= PERM_PX;
	if (el0)
		p |= PERM_UR | (ro ? 0 : PERM_UW);
	if (!uxn)
		p |= PERM_UX;
	if (x->wxn) {
		if (p & PERM_PW)
			p &= ~PERM_PX;
		if (p & PERM_UW)
			p &= ~PERM_UX;
	}
	if (x->pan && el0)
		p &= ~(PERM_PR | PERM_PW);
	return (uint8_t)p;
}

/* Stage 2 permissions, the same for both privilege levels (no FEAT_XNX). */
static uint8_t s2_perm(uint64_t d)
{
	unsigned p = 0;
	if (d & D_AP1)
		p |= PERM_UR | PERM_PR;
	if (d & D_AP2)
		p |= PERM_UW | PERM_PW;
	if (!(d & D_UXN))
		p |= PERM_UX | PERM_PX;
	return (uint8_t)p;
}

static uint8_t need_of(const struct xl *x)
{
	if (x->write)
		return x->priv ? PERM_PW : PERM_UW;
	if (x->instr)
		return x->priv ? PERM_PX : PERM_UX;
	return x->priv ? PERM_PR : PERM_UR;
}

/* Translates @ipa through stage 2 for @cls (CD fetch, stage 1 table access, or the
 * transaction's IPA). On success *pa is the output, *out (if given) the entry used. */
static int s2_translate(struct smmuv3_model *m, struct xl *x, uint64_t ipa, unsigned cls,
			bool want_write, uint64_t *pa, struct smmuv3_model_tlb_entry *out)
{
	struct smmuv3_model_tlb_entry *e, ne;
	uint8_t need;

	if (ipa >> x->s2ias)
		return fault_s(m, x, SMMUV3_M_EVT_F_TRANSLATION, true, cls, ipa);
	e = tlb_find(m, SMMUV3_MODEL_TLB_S2, SMMUV3_MODEL_NS_EL1, x->vmid, 0, ipa);
	x->s2_nocache = false;
	if (e) {
		m->stats.tlb_hits++;
		ne = *e;
	} else {
		struct walk_params p;
		struct walk_result r;
		int rc;

		m->stats.tlb_misses++;
		memset(&p, 0, sizeof(p));
		p.stage = 2;
		p.tg = x->s2tg;
		p.ias = x->s2ias;
		p.start = x->s2start;
		p.ttb = x->s2ttb;
		p.ps = x->s2ps;
		p.be = x->s2be;
		p.affd = x->s2affd;
		p.ha = x->s2ha;
		p.hd = x->s2hd;
		p.cls = cls;
		p.want_write = cls == CLASS_IN ? x->write : want_write;
		rc = walk(m, x, &p, ipa, &r);
		if (rc)
			return rc;
		memset(&ne, 0, sizeof(ne));
		ne.kind = SMMUV3_MODEL_TLB_S2;
		ne.regime = SMMUV3_MODEL_NS_EL1;
		ne.vmid = x->vmid;
		ne.size_log2 = (uint8_t)r.size_log2;
		ne.level = (uint8_t)r.level;
		ne.tg = (uint8_t)x->s2tg;
		ne.ia = ipa & ~(BIT64(r.size_log2) - 1);
		ne.oa = r.oa;
		ne.s2perm = s2_perm(r.desc);
		ne.s2_device = fld(r.desc, 5, 4) == 0; /* MemAttr[3:2] == 0b00: Device */
		x->s2_nocache = r.nocache;
		if (!r.nocache)
			tlb_insert(m, &ne);
	}
	if (cls != CLASS_IN && x->s2ptw && ne.s2_device)
		return fault_s(m, x, SMMUV3_M_EVT_F_PERMISSION, true, cls, ipa);
	if (cls == CLASS_IN)
		need = need_of(x);
	else
		need = want_write ? PERM_PW : PERM_PR;
	if (!(ne.s2perm & need)) {
		x->ev_ttrnw = !want_write;
		return fault_s(m, x, SMMUV3_M_EVT_F_PERMISSION, true, cls, ipa);
	}
	*pa = ne.oa + (ipa - ne.ia);
	if (out)
		*out = ne;
	return 0;
}

/* An address used to fetch a configuration structure: an IPA when stage 2 translates. */
static int cfg_addr(struct smmuv3_model *m, struct xl *x, uint64_t a, uint64_t *pa)
{
	if (!x->s2) {
		*pa = a;
		return 0;
	}
	return s2_translate(m, x, a, CLASS_CD, false, pa, NULL);
}

/* Finds the CD at @idx of the STE's table (cache, else memory). */
static int get_cd(struct smmuv3_model *m, struct xl *x, uint32_t idx)
{
	const struct smmuv3_model_cfg *c = &m->cfg;
	const uint64_t *s = x->ste;
	struct smmuv3_model_cfg_entry *ce = cache_find(&m->cd, x->sid, idx);
	unsigned bad, cdmax = ufld(s[0], 63, 59), fmt = ufld(s[0], 5, 4);
	uint64_t ptr = s[0] & MASK64(55, 6), addr, pa;
	int rc;

	if (ce) {
		m->stats.cd_hits++;
		memcpy(x->cd_w, ce->w, sizeof(x->cd_w));
	} else {
		if (c->ssidsize == 0 || cdmax == 0) {
			addr = ptr;
		} else if (fmt == 1 || fmt == 2) {
			unsigned lb = fmt == 1 ? 6u : 10u;
			uint32_t l1idx = cdmax > lb ? idx >> lb : 0;
			uint64_t l1n = cdmax > lb ? BIT64(cdmax - lb) : 1;
			uint64_t l1base = align_base(m, ptr, l1n * 8 > 64 ? l1n * 8 : 64);
			uint64_t desc, l2;
			struct smmuv3_model_cfg_entry *l1 = cache_find(&m->l1cd, x->sid, idx);
			if (l1) {
				desc = l1->w[0];
			} else {
				rc = cfg_addr(m, x, l1base + (uint64_t)l1idx * 8, &pa);
				if (rc)
					return rc;
				m->stats.l1_fetches++;
				if (mem_rd_words(m, pa, &desc, 1) != 0)
					return fault_fetch(m, x, SMMUV3_M_EVT_F_CD_FETCH, pa);
				if ((desc & 1) || c->cache_invalid_cfg) {
					uint32_t lo = l1idx << lb;
					cache_put(&m->l1cd, x->sid, lo,
						  lo + (uint32_t)(BIT64(lb) - 1), &desc, 1);
				}
			}
			l2 = desc & MASK64(55, 12);
			if (!(desc & 1) || (l2 >> c->oas_bits)) {
				x->ev_ssid = idx;
				return fault(m, x, SMMUV3_M_EVT_C_BAD_SUBSTREAMID);
			}
			l2 = align_base(m, l2, BIT64(lb + 6));
			addr = l2 + (uint64_t)(idx & (BIT64(lb) - 1)) * 64;
		} else {
			uint64_t base = align_base(m, ptr, BIT64(cdmax + 6));
			addr = base + (uint64_t)idx * 64;
		}
		rc = cfg_addr(m, x, addr, &pa);
		if (rc)
			return rc;
		m->stats.cd_fetches++;
		if (mem_rd_words(m, pa, x->cd_w, 8) != 0)
			return fault_fetch(m, x, SMMUV3_M_EVT_F_CD_FETCH, pa);
		if ((x->cd_w[0] & CD0_V) || c->cache_invalid_cfg) {
			struct xl tmp = *x;
			if (cd_check(m, &tmp, x->cd_w) == 0 || c->cache_invalid_cfg)
				cache_put(&m->cd, x->sid, idx, idx, x->cd_w, 8);
		}
	}
	bad = cd_check(m, x, x->cd_w);
	if (bad)
		return fault(m, x, bad);
	x->have_cd = true;
	return 0;
}

/* Finds the STE of x->sid (cache, else memory) and checks it. */
static int get_ste(struct smmuv3_model *m, struct xl *x)
{
	const struct smmuv3_model_cfg *c = &m->cfg;
	uint32_t cfg = m->strtab_base_cfg;
	unsigned log2 = umin(ufld(cfg, 5, 0), c->sidsize);
	bool twolvl = c->st_level_2lvl && ufld(cfg, 17, 16) == 1;
	struct smmuv3_model_cfg_entry *ce;
	uint64_t base, addr;
	unsigned bad;

	if ((uint64_t)x->sid >> log2)
		return fault(m, x, SMMUV3_M_EVT_C_BAD_STREAMID);
	ce = cache_find(&m->ste, x->sid, 0);
	if (ce) {
		m->stats.ste_hits++;
		memcpy(x->ste_w, ce->w, sizeof(x->ste_w));
	} else {
		/* the base is aligned using the literal LOG2SIZE, not the capped one */
		unsigned raw = umin(ufld(cfg, 5, 0), 40);
		base = clip_oas(m, m->strtab_base & MASK64(55, 6));
		if (!twolvl) {
			base = align_base(m, base, UINT64_C(64) << raw);
			addr = base + (uint64_t)x->sid * 64;
		} else {
			unsigned split = ufld(cfg, 10, 6), span;
			uint64_t l1n, desc, l2;
			struct smmuv3_model_cfg_entry *l1;
			if (split != 6 && split != 8 && split != 10)
				split = 6;
			l1n = raw > split ? BIT64(raw - split) : 1;
			base = align_base(m, base, l1n * 8 > 64 ? l1n * 8 : 64);
			l1 = cache_find(&m->l1std, 0, x->sid);
			if (l1) {
				desc = l1->w[0];
			} else {
				uint64_t da = base + (uint64_t)(x->sid >> split) * 8;
				m->stats.l1_fetches++;
				if (mem_rd_words(m, da, &desc, 1) != 0)
					return fault_fetch(m, x, SMMUV3_M_EVT_F_STE_FETCH, da);
				span = ufld(desc, 4, 0);
				if ((span >= 1 && span <= 11 && span <= split + 1) ||
				    c->cache_invalid_cfg) {
					uint64_t lo = (uint64_t)(x->sid >> split) << split;
					cache_put(&m->l1std, 0, (uint32_t)lo,
						  (uint32_t)(lo + BIT64(split) - 1), &desc, 1);
				}
			}
			span = ufld(desc, 4, 0);
			if (span == 0 || span > 11 || span > split + 1 ||
			    (x->sid & (BIT64(split) - 1)) >= BIT64(span - 1))
				return fault(m, x, SMMUV3_M_EVT_C_BAD_STREAMID);
			l2 = clip_oas(m, desc & MASK64(55, 6));
			l2 = align_base(m, l2, UINT64_C(64) << (span - 1));
			addr = l2 + (uint64_t)(x->sid & (BIT64(split) - 1)) * 64;
		}
		m->stats.ste_fetches++;
		if (mem_rd_words(m, addr, x->ste_w, 8) != 0)
			return fault_fetch(m, x, SMMUV3_M_EVT_F_STE_FETCH, addr);
		x->ste = x->ste_w;
		if (c->cache_invalid_cfg) {
			cache_put(&m->ste, x->sid, 0, 0, x->ste_w, 8);
		} else {
			struct xl tmp = *x;
			if (ste_check(m, &tmp) == 0)
				cache_put(&m->ste, x->sid, 0, 0, x->ste_w, 8);
		}
	}
	x->ste = x->ste_w;
	bad = ste_check(m, x);
	if (bad)
		return fault(m, x, bad);
	return 0;
}

/* Stage 1 (and, when nested, stage 2) translation of x->iova. */
static int translate_s1(struct smmuv3_model *m, struct xl *x, uint64_t *out)
{
	uint64_t va = x->iova, nva;
	bool upper = (va >> 55) & 1;
	unsigned sel = (x->regime != SMMUV3_MODEL_EL2 && upper) ? 1u : 0u;
	const struct range_cfg *rc = &x->rng[sel];
	unsigned kind = x->s2 ? SMMUV3_MODEL_TLB_NESTED : SMMUV3_MODEL_TLB_S1;
	struct smmuv3_model_tlb_entry *e, ne;
	uint8_t need = need_of(x);
	unsigned top;
	uint64_t hi;

	if (!rc->present)
		return fault(m, x, SMMUV3_M_EVT_F_TRANSLATION);
	/* the VA must be sign-extended (TTB0: zeros, TTB1: ones) above its size */
	top = rc->tbi ? 55u : 63u;
	hi = fld(va, top, 64 - rc->tsz);
	if (hi != (sel ? fld(~UINT64_C(0), top, 64 - rc->tsz) : 0))
		return fault(m, x, SMMUV3_M_EVT_F_TRANSLATION);
	nva = va;
	if (rc->tbi)
		nva = upper ? va | MASK64(63, 56) : va & ~MASK64(63, 56);

	e = tlb_find(m, kind, x->regime, x->vmid, x->asid, nva);
	if (e) {
		m->stats.tlb_hits++;
		ne = *e;
	} else {
		struct walk_params p;
		struct walk_result r;
		uint64_t ipa;
		int rc3;

		m->stats.tlb_misses++;
		memset(&p, 0, sizeof(p));
		p.stage = 1;
		p.tg = rc->tg;
		p.ias = 64 - rc->tsz;
		p.start = 3 - ((p.ias - 1 - p.tg) / (p.tg - 3));
		p.ttb = rc->ttb;
		p.ps = x->ips;
		p.be = x->s1be;
		p.affd = x->s1affd;
		p.ha = x->s1ha;
		p.hd = x->s1hd;
		p.want_write = x->write;
		rc3 = walk(m, x, &p, nva, &r);
		if (rc3)
			return rc3;
		memset(&ne, 0, sizeof(ne));
		ne.kind = (uint8_t)kind;
		ne.regime = (uint8_t)x->regime;
		ne.global = !(r.desc & D_NG);
		ne.vmid = x->vmid;
		ne.asid = x->asid;
		ne.level = (uint8_t)r.level;
		ne.tg = (uint8_t)rc->tg;
		ne.s1perm = s1_perm(x, r.desc, r.tbl);
		ne.size_log2 = (uint8_t)r.size_log2;
		ne.ia = nva & ~(BIT64(r.size_log2) - 1);
		ne.oa = r.oa;
		ipa = r.oa + (nva - ne.ia);
		if (!x->s2) {
			/* a valid translation is cached whether or not this access may use it */
			if (!r.nocache)
				tlb_insert(m, &ne);
			if (!(ne.s1perm & need))
				return fault(m, x, SMMUV3_M_EVT_F_PERMISSION);
			*out = ne.oa + (nva - ne.ia);
			return 0;
		}
		if (!(ne.s1perm & need))
			return fault(m, x, SMMUV3_M_EVT_F_PERMISSION);
		{
			struct smmuv3_model_tlb_entry s2e;
			uint64_t pa;
			unsigned sz;
			rc3 = s2_translate(m, x, ipa, CLASS_IN, x->write, &pa, &s2e);
			if (rc3)
				return rc3;
			sz = umin(r.size_log2, s2e.size_log2);
			ne.size_log2 = (uint8_t)sz;
			ne.ia = nva & ~(BIT64(sz) - 1);
			ne.ipa = ipa & ~(BIT64(sz) - 1);
			ne.oa = pa & ~(BIT64(sz) - 1);
			ne.s2perm = s2e.s2perm;
		}
		if (!r.nocache && !x->s2_nocache)
			tlb_insert(m, &ne);
		*out = ne.oa + (nva - ne.ia);
		return 0;
	}
	if (!(ne.s1perm & need))
		return fault(m, x, SMMUV3_M_EVT_F_PERMISSION);
	if (x->s2 && !(ne.s2perm & need)) {
		x->ev_ttrnw = false;
		return fault_s(m, x, SMMUV3_M_EVT_F_PERMISSION, true, CLASS_IN,
			       ne.ipa + (nva - ne.ia));
	}
	*out = ne.oa + (nva - ne.ia);
	return 0;
}

int smmuv3_model_dma(struct smmuv3_model *m, uint32_t sid, uint32_t ssid, bool ssv, uint64_t iova,
		     unsigned access, uint64_t *pa_out)
{
	struct xl x;
	const uint64_t *s;
	unsigned config, cdmax;
	uint32_t cd_idx = 0;
	bool s1_bypass;
	uint64_t ipa, pa;
	int rc;

	memset(&m->last_event, 0, sizeof(m->last_event));
	memset(&x, 0, sizeof(x));
	x.sid = sid;
	x.ssid = ssid;
	x.ssv = ssv;
	x.ev_ssid = ssid;
	x.iova = iova;
	x.write = (access & SMMUV3_MODEL_ACC_W) != 0;
	x.instr = !x.write && (access & SMMUV3_MODEL_ACC_X) != 0;
	x.priv = (access & SMMUV3_MODEL_ACC_PRIV) != 0;

	if (!(m->cr0ack & SMMUV3_M_CR0_SMMUEN)) {
		if ((m->gbpa_eff & SMMUV3_M_GBPA_ABORT) || !pa_in_oas(m, iova, 1))
			return SMMUV3_MODEL_ABORT;
		if (pa_out)
			*pa_out = iova;
		m->stats.dma_ok++;
		return 0;
	}

	rc = get_ste(m, &x);
	if (rc)
		return rc;
	s = x.ste;
	config = ufld(s[0], 3, 1);
	if (!(config & 4))
		return SMMUV3_MODEL_ABORT; /* Config 0b0xx: abort, no event */

	cdmax = ufld(s[0], 63, 59);
	if (ssv) {
		if (!x.s1 || cdmax == 0 || m->cfg.ssidsize == 0 || ssid >= BIT64(cdmax))
			return fault(m, &x, SMMUV3_M_EVT_C_BAD_SUBSTREAMID);
	}
	s1_bypass = !x.s1;
	if (x.s1 && cdmax && m->cfg.ssidsize) {
		unsigned dss = ufld(s[1], 1, 0);
		if (!ssv) {
			if (dss == 1) {
				s1_bypass = true;
			} else if (dss == 2) {
				cd_idx = 0;
			} else {
				return fault(m, &x, SMMUV3_M_EVT_F_STREAM_DISABLED);
			}
		} else {
			if (ssid == 0 && dss == 2)
				return fault(m, &x, SMMUV3_M_EVT_F_STREAM_DISABLED);
			cd_idx = ssid;
		}
	}

	if (!s1_bypass) {
		rc = get_cd(m, &x, cd_idx);
		if (rc)
			return rc;
		rc = translate_s1(m, &x, &pa);
		if (rc)
			return rc;
	} else {
		/* stage 1 bypassed: the input must fit the IAS (== OAS here) */
		ipa = iova;
		if (!pa_in_oas(m, ipa, 1))
			return fault(m, &x, SMMUV3_M_EVT_F_ADDR_SIZE);
		if (x.s2) {
			rc = s2_translate(m, &x, ipa, CLASS_IN, x.write, &pa, NULL);
			if (rc)
				return rc;
		} else {
			pa = ipa;
		}
	}
	if (pa_out)
		*pa_out = pa;
	m->stats.dma_ok++;
	return 0;
}

/* ---- observation --------------------------------------------------------------------------- */

const struct smmuv3_model_event *smmuv3_model_last_event(const struct smmuv3_model *m)
{
	return &m->last_event;
}

const struct smmuv3_model_cmd_log_entry *smmuv3_model_cmd_log(const struct smmuv3_model *m,
							      unsigned back)
{
	if (back >= SMMUV3_MODEL_CMD_LOG || back >= m->log_seq)
		return NULL;
	return &m->log[(m->log_seq - 1 - back) % SMMUV3_MODEL_CMD_LOG];
}

bool smmuv3_model_cmdq_error(const struct smmuv3_model *m)
{
	return gerror_active(m, SMMUV3_M_GERROR_CMDQ_ERR);
}

size_t smmuv3_model_tlb_count(const struct smmuv3_model *m)
{
	return m->tlb_n;
}

bool smmuv3_model_ste_cached(const struct smmuv3_model *m, uint32_t sid)
{
	return cache_find_c(&m->ste, sid, 0) != NULL;
}

bool smmuv3_model_cd_cached(const struct smmuv3_model *m, uint32_t sid, uint32_t ssid)
{
	return cache_find_c(&m->cd, sid, ssid) != NULL;
}
