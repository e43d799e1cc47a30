/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * smmuv3_model: register-level model of an Arm SMMUv3 (Arm IHI 0070).
 * See smmuv3_model.h for the scope. Hosted test code (uses malloc).
 *
 * Structure layouts and rules follow the specification chapters:
 *   3.4 address sizes, 3.21 caching rules, 4 commands, 5.1-5.5 STE/CD,
 *   6.3 registers, 7 events; translation tables follow VMSAv8-64.
 */
#include "smmuv3_model_internal.h"

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
unsigned smmuv3_m_ps_decode(unsigned enc)
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
	i0 |= (c->stall_forced ? 2u : 1u) << 24; /* STALL_MODEL: forced, or no stalls */
	i0 |= c->term_model ? 1u << 26 : 0;
	i0 |= c->st_level_2lvl ? 1u << 27 : 0;
	m->idr[0] = i0;
	m->idr[1] = (c->sidsize & 0x3fu) | (c->ssidsize & 0x1fu) << 6 | (c->priqs & 0x1fu) << 11 |
		    (c->evtqs & 0x1fu) << 16 | (c->cmdqs & 0x1fu) << 21 | (c->rel ? 1u << 28 : 0) |
		    (c->queues_preset ? 1u << 29 : 0) | (c->tables_preset ? 1u << 30 : 0);
	m->idr[2] = 0;
	m->idr[3] = (c->ril ? 1u << 10 : 0) | (c->bbml & 3u) << 11;
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
	m->gbpa_busy = m->cfg.gbpa_busy_reads;
	if (m->gbpa_busy)
		m->gbpa |= SMMUV3_M_GBPA_UPDATE;
	m->irq_ctrl = m->irq_ctrlack =
	    m->cfg.irq_ctrl_reset & (SMMUV3_M_IRQ_GERROR | SMMUV3_M_IRQ_EVTQ |
				     (m->cfg.pri ? SMMUV3_M_IRQ_PRIQ : 0));
	m->gerror = m->gerrorn = 0;
	m->gerror_irq_cfg0 = m->cfg.irq_cfg0_reset;
	m->gerror_irq_cfg1 = m->gerror_irq_cfg2 = 0;
	m->strtab_base = 0;
	m->strtab_base_cfg = 0;
	m->cmdq_base = 0;
	m->cmdq_prod = m->cmdq_cons = 0;
	m->evtq_base = 0;
	m->evtq_prod = m->evtq_cons = 0;
	m->evtq_irq_cfg0 = m->cfg.irq_cfg0_reset;
	m->evtq_irq_cfg1 = m->evtq_irq_cfg2 = 0;
	m->priq_base = 0;
	m->priq_prod = m->priq_cons = 0;
	m->priq_irq_cfg0 = m->cfg.irq_cfg0_reset;
	m->priq_irq_cfg1 = m->priq_irq_cfg2 = 0;
	smmuv3_model_drop_caches(m);
	memset(&m->stats, 0, sizeof(m->stats));
	memset(&m->last_event, 0, sizeof(m->last_event));
	memset(m->log, 0, sizeof(m->log));
	m->log_seq = 0;
	m->unsynced = 0;
	m->in_process = false;
}

int smmuv3_model_init(struct smmuv3_model *m, const struct smmuv3_model_cfg *cfg)
{
	if (!m || !cfg || !cfg_ok(cfg))
		return -1;
	memset(m, 0, sizeof(*m));
	m->cfg = *cfg;
	if (cfg->dram && !cfg->cohacc) {
		m->dram_pages = calloc(SMMUV3_MODEL_DRAM_PAGES, sizeof(*m->dram_pages));
		if (!m->dram_pages)
			return -1;
		model_dram_init(&m->dram, m->dram_pages, SMMUV3_MODEL_DRAM_PAGES);
	}
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
	free(m->dram_pages);
	m->dram_pages = NULL;
	model_dram_init(&m->dram, NULL, 0);
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

bool smmuv3_m_pa_in_oas(const struct smmuv3_model *m, uint64_t pa, size_t len)
{
	uint64_t lim = BIT64(m->cfg.oas_bits);
	return pa < lim && len <= lim - pa;
}

/* A read by the SMMU: an address memory refuses aborts; a non-coherent SMMU
 * (cfg.dram) then sees the DRAM copy, not what the CPU's caches hold. */
int smmuv3_m_mem_rd(struct smmuv3_model *m, uint64_t pa, void *buf, size_t len)
{
	if (!smmuv3_m_pa_in_oas(m, pa, len))
		return -1;
	if (m->cfg.read_mem(m->cfg.mem_ctx, pa, buf, len) != 0)
		return -1;
	if (m->dram_pages)
		model_dram_read(&m->dram, pa, buf, len);
	return 0;
}

int smmuv3_m_mem_wr(struct smmuv3_model *m, uint64_t pa, const void *buf, size_t len)
{
	if (!smmuv3_m_pa_in_oas(m, pa, len))
		return -1;
	if (m->cfg.write_mem(m->cfg.mem_ctx, pa, buf, len) != 0)
		return -1;
	if (m->dram_pages)
		model_dram_write(&m->dram, pa, buf, len);
	return 0;
}

int smmuv3_model_mem_view(struct smmuv3_model *m, uint64_t pa, void *buf, size_t len)
{
	return smmuv3_m_mem_rd(m, pa, buf, len);
}

void smmuv3_model_clean(struct smmuv3_model *m, uint64_t pa, size_t len)
{
	if (m->dram_pages)
		model_dram_clean(&m->dram, pa, len, m->cfg.read_mem, m->cfg.mem_ctx);
}

/* Reads @n little-endian 64-bit words (structures are always little-endian). */
int smmuv3_m_mem_rd_words(struct smmuv3_model *m, uint64_t pa, uint64_t *w, unsigned n)
{
	uint8_t b[64];
	if (n > 8 || smmuv3_m_mem_rd(m, pa, b, 8u * n) != 0)
		return -1;
	for (unsigned i = 0; i < n; i++)
		w[i] = get_le64(b + 8 * i);
	return 0;
}

/* Aligns a table base down to @align, counting a misaligned one. */
uint64_t smmuv3_m_align_base(struct smmuv3_model *m, uint64_t base, uint64_t align)
{
	if (base & (align - 1)) {
		m->stats.anomalies++;
		base &= ~(align - 1);
	}
	return base;
}

/* Drops address bits above the OAS (RES0), counting them. */
uint64_t smmuv3_m_clip_oas(struct smmuv3_model *m, uint64_t addr)
{
	if (addr >> m->cfg.oas_bits) {
		m->stats.anomalies++;
		addr &= BIT64(m->cfg.oas_bits) - 1;
	}
	return addr;
}

/* ---- configuration caches ------------------------------------------------------------ */

struct smmuv3_model_cfg_entry *smmuv3_m_cache_find(struct smmuv3_model_cache *c, uint32_t sid,
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

void smmuv3_m_cache_put(struct smmuv3_model_cache *c, uint32_t sid, uint32_t lo, uint32_t hi,
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

/* Removes entries: DROP_SID_IN: lo <= sid <= hi; DROP_SPAN_OVERLAPS: [idx_lo, idx_hi]
 * overlaps [lo, hi]; DROP_SID_IDX: sid == s and idx_lo == lo; DROP_SID_IDX_SPAN: sid == s and
 * the span contains lo. */
void smmuv3_m_cache_drop(struct smmuv3_model *m, struct smmuv3_model_cache *c, enum cdrop how,
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
 * way that lets a real TLB hold conflicting entries (counted in tlb_conflicts; with
 * cfg.tlb_conflict *conflict is set, and the caller reports F_TLB_CONFLICT). A
 * speculative walk does not look the TLB up. */
struct smmuv3_model_tlb_entry *smmuv3_m_tlb_find(struct smmuv3_model *m, unsigned kind,
						 unsigned regime, uint16_t vmid, uint16_t asid,
						 uint64_t ia, bool *conflict)
{
	struct smmuv3_model_tlb_entry *found = NULL;
	*conflict = false;
	if (m->speculating)
		return NULL;
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
			*conflict = m->cfg.tlb_conflict;
			break;
		}
		found = e;
	}
	return found;
}

static bool tlb_same(const struct smmuv3_model_tlb_entry *a,
		     const struct smmuv3_model_tlb_entry *b)
{
	return a->kind == b->kind && a->regime == b->regime && a->vmid == b->vmid &&
	       a->asid == b->asid && a->global == b->global && a->ia == b->ia &&
	       a->size_log2 == b->size_log2 && a->oa == b->oa && a->contig == b->contig &&
	       a->s1perm == b->s1perm && a->s2perm == b->s2perm;
}

void smmuv3_m_tlb_insert(struct smmuv3_model *m, const struct smmuv3_model_tlb_entry *n)
{
	if (m->speculating) {
		/* a speculative walk may find what the TLB already holds: one entry is enough */
		for (size_t i = 0; i < m->tlb_n; i++)
			if (tlb_same(&m->tlb[i], n))
				return;
	}
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

void smmuv3_m_tlb_invalidate(struct smmuv3_model *m, const struct tlbi_scope *s)
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

void smmuv3_m_notify(struct smmuv3_model *m, enum smmuv3_model_irq irq)
{
	if (m->cfg.irq)
		m->cfg.irq(m->cfg.irq_ctx, irq);
}

/* An MSI write of @data to @cfg0's ADDR[55:2]; a failed write raises @abt_bit. */
void smmuv3_m_msi_send(struct smmuv3_model *m, uint64_t addr, uint32_t data, uint32_t abt_bit)
{
	uint8_t b[4];
	addr &= MASK64(55, 2);
	if (!m->cfg.msi || addr == 0)
		return;
	for (unsigned i = 0; i < 4; i++)
		b[i] = (uint8_t)(data >> (8 * i));
	if (smmuv3_m_mem_wr(m, addr, b, sizeof(b)) != 0 && abt_bit)
		smmuv3_m_gerror_raise(m, abt_bit);
}

void smmuv3_m_gerror_raise(struct smmuv3_model *m, uint32_t bit)
{
	if ((m->gerror ^ m->gerrorn) & bit)
		return; /* already active */
	m->gerror ^= bit;
	if (m->irq_ctrlack & SMMUV3_M_IRQ_GERROR) {
		m->stats.gerror_irqs++;
		smmuv3_m_notify(m, SMMUV3_MODEL_IRQ_GERROR);
		smmuv3_m_msi_send(
		    m, m->gerror_irq_cfg0, m->gerror_irq_cfg1,
		    bit == SMMUV3_M_GERROR_MSI_GERR_ABT ? 0 : SMMUV3_M_GERROR_MSI_GERR_ABT);
	}
}

bool smmuv3_m_gerror_active(const struct smmuv3_model *m, uint32_t bit)
{
	return ((m->gerror ^ m->gerrorn) & bit) != 0;
}

unsigned smmuv3_m_q_log2(uint64_t base, unsigned max)
{
	return umin((unsigned)(base & 0x1fu), max);
}

uint32_t smmuv3_m_q_mask(unsigned l)
{
	return (2u << l) - 1; /* index and wrap bit */
}

uint64_t smmuv3_m_q_addr(struct smmuv3_model *m, uint64_t base, unsigned l, unsigned entsz,
			 uint32_t idx)
{
	uint64_t a = base & MASK64(55, 5);
	uint64_t sz = (uint64_t)entsz << l;
	a = smmuv3_m_clip_oas(m, a);
	a = smmuv3_m_align_base(m, a, sz > 32 ? sz : 32);
	return a + (uint64_t)(idx & ((1u << l) - 1)) * entsz;
}

uint32_t smmuv3_m_q_entries(uint32_t prod, uint32_t cons, unsigned l)
{
	return (prod - cons) & smmuv3_m_q_mask(l);
}

bool smmuv3_m_evtq_push(struct smmuv3_model *m, const uint64_t rec[4])
{
	unsigned l;
	uint32_t n, size;
	uint8_t b[32];

	if (!(m->cr0ack & SMMUV3_M_CR0_EVTQEN) ||
	    smmuv3_m_gerror_active(m, SMMUV3_M_GERROR_EVTQ_ABT)) {
		m->stats.events_discarded++;
		return false;
	}
	l = smmuv3_m_q_log2(m->evtq_base, m->cfg.evtqs);
	n = smmuv3_m_q_entries(m->evtq_prod, m->evtq_cons, l);
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
	if (smmuv3_m_mem_wr(m, smmuv3_m_q_addr(m, m->evtq_base, l, 32, m->evtq_prod), b,
			    sizeof(b)) != 0) {
		m->stats.events_discarded++;
		smmuv3_m_gerror_raise(m, SMMUV3_M_GERROR_EVTQ_ABT);
		return false;
	}
	m->evtq_prod =
	    (m->evtq_prod & ~smmuv3_m_q_mask(l)) | ((m->evtq_prod + 1) & smmuv3_m_q_mask(l));
	m->stats.events_written++;
	if (m->irq_ctrlack & SMMUV3_M_IRQ_EVTQ) {
		m->stats.evtq_irqs++;
		smmuv3_m_notify(m, SMMUV3_MODEL_IRQ_EVTQ);
		smmuv3_m_msi_send(m, m->evtq_irq_cfg0, m->evtq_irq_cfg1,
				  SMMUV3_M_GERROR_MSI_EVTQ_ABT);
	}
	return true;
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
	return smmuv3_m_gerror_active(m, SMMUV3_M_GERROR_CMDQ_ERR);
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
