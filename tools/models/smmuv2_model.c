/* SPDX-License-Identifier: BSD-3-Clause */
/* Register-level model of an Arm SMMUv2 (Arm IHI 0062); see smmuv2_model.h. */
#include "smmuv2_model.h"

#include <string.h>

#include "arm_walker.h"

/* ---- configuration ------------------------------------------------------- */

void smmuv2_model_cfg_preset(struct smmuv2_model_cfg *c, enum smmuv2_model_preset preset)
{
	memset(c, 0, sizeof(*c));
	c->s1ts = c->s2ts = c->nts = true;
	c->sms = true;
	c->cttw = true;
	c->numsmrg = 16;
	c->numsidb = 15;
	c->numcb = 16;
	c->nums2cb = 4;
	c->numpagendxb = 3;
	c->ptfs4k = c->ptfs16k = c->ptfs64k = true;
	c->ias = c->oas = c->ubs = 48;
	c->id7_major = 1;
	switch (preset) {
	case SMMUV2_MODEL_INDEXING:
		c->sms = false;
		c->numsmrg = 0;
		c->numsidb = 5;
		break;
	case SMMUV2_MODEL_4K_ONLY:
		c->s2ts = c->nts = false;
		c->ptfs16k = c->ptfs64k = false;
		c->nums2cb = 0;
		c->numcb = 4;
		c->atosns = true;
		break;
	case SMMUV2_MODEL_S2_ONLY:
		c->s1ts = c->nts = false;
		c->numcb = 8;
		c->nums2cb = 8;
		c->cttw = false;
		break;
	case SMMUV2_MODEL_MMU500:
		c->mmu500 = true;
		c->id7_major = 2;
		c->id7_minor = 4;
		c->numsmrg = 48;
		c->numcb = 8;
		c->nums2cb = 0;
		c->pagesize64k = true;
		c->numpagendxb = 2; /* 8 global pages: room for 8 banks */
		c->btm = true;
		break;
	default:
		break;
	}
}

static uint32_t size_enc(unsigned bits)
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
	default:
		return 5;
	}
}

static unsigned enc_bits(uint32_t enc)
{
	static const unsigned bits[] = {32, 36, 40, 42, 44, 48, 52};
	return enc < 7 ? bits[enc] : 48;
}

int smmuv2_model_init(struct smmuv2_model *m, const struct smmuv2_model_cfg *cfg)
{
	if (cfg->numsmrg > 128 || cfg->numcb > 128 || cfg->nums2cb > cfg->numcb ||
	    cfg->numsidb > 15 || cfg->numpagendxb > 7 || cfg->numcb > (2u << cfg->numpagendxb))
		return -1; /* the banks must fit in the context bank half of the space */
	memset(m, 0, sizeof(*m));
	m->cfg = *cfg;
	model_dram_init(&m->dram, m->dram_pages, SMMUV2_MODEL_DRAM_PAGES);
	const struct smmuv2_model_cfg *c = &m->cfg;
	m->id[0] = (c->s1ts ? 1u << 30 : 0) | (c->s2ts ? 1u << 29 : 0) | (c->nts ? 1u << 28 : 0) |
		   (c->sms ? 1u << 27 : 0) | (c->atosns ? 1u << 26 : 0) | (2u << 24) /* no AArch32 */ |
		   (1u << 16) /* one interrupt */ | (c->cttw ? 1u << 14 : 0) |
		   (c->btm ? 1u << 13 : 0) | (c->numsidb << 9) | (c->sms ? c->numsmrg : 0);
	m->id[1] = (c->pagesize64k ? 1u << 31 : 0) | (c->numpagendxb << 28) | (c->nums2cb << 16) |
		   c->numcb;
	m->id[2] = (c->ptfs64k ? 1u << 14 : 0) | (c->ptfs16k ? 1u << 13 : 0) |
		   (c->ptfs4k ? 1u << 12 : 0) | (size_enc(c->ubs) << 8) | (size_enc(c->oas) << 4) |
		   size_enc(c->ias);
	m->id[7] = (c->id7_major << 4) | c->id7_minor;
	m->pgshift = c->pagesize64k ? 16 : 12;
	m->numpage = 2u << c->numpagendxb;
	m->scr0 = SMMUV2_M_SCR0_CLIENTPD; /* reset: client access disabled, traffic bypasses */
	if (c->mmu500) {
		m->sacr = SMMUV2_M_ACR_CACHE_LOCK;
		for (unsigned i = 0; i < 128; i++)
			m->cb[i].actlr = SMMUV2_M_ACTLR_CPRE;
	}
	/* Firmware left state behind: an SMR matching everything, bypassing. */
	if (c->sms && c->numsmrg)
		m->smr[0] = (1u << 31) | (0x7fffu << 16);
	for (unsigned i = 0; i < 128; i++)
		m->s2cr[i] = 1u << 16;
	return 0;
}

uint64_t smmuv2_model_mmio_size(const struct smmuv2_model *m)
{
	return (uint64_t)2 * m->numpage << m->pgshift;
}

/* ---- TLB ----------------------------------------------------------------- */

static void log_op(struct smmuv2_model *m, unsigned op, int bank, uint64_t val)
{
	m->stats.ops[op]++;
	struct smmuv2_model_log_entry *e = &m->log[m->log_seq % SMMUV2_MODEL_LOG];
	e->op = op;
	e->bank = bank;
	e->val = val;
	m->log_seq++;
}

const struct smmuv2_model_log_entry *smmuv2_model_log(const struct smmuv2_model *m, unsigned back)
{
	if (back >= m->log_seq || back >= SMMUV2_MODEL_LOG)
		return NULL;
	return &m->log[(m->log_seq - 1 - back) % SMMUV2_MODEL_LOG];
}

size_t smmuv2_model_tlb_count(const struct smmuv2_model *m)
{
	return m->tlb_n;
}

static bool covers(const struct smmuv2_model_tlb_entry *e, uint64_t a)
{
	return (a >> e->size_log2) == (e->ia >> e->size_log2);
}

/* Does operation @p drop entry @e? Exactly the architected scope. */
static bool op_hits(const struct smmuv2_model_pending_op *p, const struct smmuv2_model_tlb_entry *e)
{
	uint64_t va = (p->val & ((1ull << 44) - 1)) << 12;
	uint16_t asid = (uint16_t)(p->val >> 48);
	switch (p->op) {
	case SMMUV2_OP_TLBIVA:
	case SMMUV2_OP_TLBIVAL:
		return e->s1 && e->vmid == p->vmid && e->asid == asid && covers(e, va);
	case SMMUV2_OP_TLBIASID:
		return e->s1 && e->vmid == p->vmid && e->asid == (uint16_t)p->val;
	case SMMUV2_OP_TLBIALL:
		return e->vmid == p->vmid && e->s1;
	case SMMUV2_OP_TLBIIPAS2:
	case SMMUV2_OP_TLBIIPAS2L:
		return !e->s1 && e->vmid == p->vmid && covers(e, va);
	case SMMUV2_OP_TLBIVMID:
		return e->vmid == (uint16_t)p->val;
	case SMMUV2_OP_TLBIALLNSNH:
		return true;
	default:
		return false;
	}
}

static void apply_pending(struct smmuv2_model *m, int bank)
{
	size_t keep = 0;
	for (size_t i = 0; i < m->pending_n; i++) {
		struct smmuv2_model_pending_op *p = &m->pending[i];
		if (p->bank != bank) {
			m->pending[keep++] = *p;
			continue;
		}
		size_t k = 0;
		for (size_t j = 0; j < m->tlb_n; j++) {
			if (op_hits(p, &m->tlb[j]))
				m->stats.tlb_invalidated++;
			else
				m->tlb[k++] = m->tlb[j];
		}
		m->tlb_n = k;
	}
	m->pending_n = keep;
}

static void queue_op(struct smmuv2_model *m, unsigned op, int bank, uint16_t vmid, uint64_t val)
{
	log_op(m, op, bank, val);
	if (m->pending_n == SMMUV2_MODEL_PENDING_MAX) {
		/* out of room: complete the oldest work now (still never too wide) */
		apply_pending(m, m->pending[0].bank);
	}
	struct smmuv2_model_pending_op *p = &m->pending[m->pending_n++];
	p->op = op;
	p->bank = bank;
	p->vmid = vmid;
	p->val = val;
}

static void tlb_insert(struct smmuv2_model *m, const struct smmuv2_model_tlb_entry *e)
{
	if (m->tlb_n == SMMUV2_MODEL_TLB_MAX) {
		memmove(&m->tlb[0], &m->tlb[1], (m->tlb_n - 1) * sizeof(m->tlb[0]));
		m->tlb_n--;
	}
	m->tlb[m->tlb_n++] = *e;
}

/* ---- registers ----------------------------------------------------------- */

static uint16_t bank_vmid(const struct smmuv2_model *m, unsigned cb)
{
	uint32_t cbar = m->cbar[cb];
	if (((cbar >> 16) & 3u) == 3u) {
		unsigned s2 = (cbar >> 8) & 0xffu;
		return s2 < m->cfg.numcb ? (uint16_t)(m->cbar[s2] & 0xffu) : 0;
	}
	return (uint16_t)(cbar & 0xffu);
}

static uint64_t read_gr0(struct smmuv2_model *m, uint64_t off, unsigned size)
{
	if (size == 8 && off == SMMUV2_M_SGFAR)
		return m->gfar;
	if (size != 4) {
		m->stats.bad_accesses++;
		return 0;
	}
	if (off >= 0x800 && off < 0xa00)
		return m->cfg.sms ? m->smr[(off - 0x800) / 4] : 0;
	if (off >= 0xc00 && off < 0xe00)
		return m->s2cr[(off - 0xc00) / 4];
	if (off >= 0x20 && off < 0x40)
		return m->id[(off - 0x20) / 4];
	switch (off) {
	case SMMUV2_M_SCR0:
		return m->scr0;
	case SMMUV2_M_SACR:
		return m->sacr;
	case SMMUV2_M_SGFAR:
		return (uint32_t)m->gfar;
	case SMMUV2_M_SGFAR + 4:
		return (uint32_t)(m->gfar >> 32);
	case SMMUV2_M_SGFSR:
		return m->gfsr;
	case SMMUV2_M_SGFSYNR0:
		return m->gfsynr0;
	case SMMUV2_M_SGFSYNR1:
		return m->gfsynr1;
	case SMMUV2_M_STLBGSTATUS:
		return m->gsync_active ? 1u : 0u;
	case SMMUV2_M_PIDR0:
		return m->cfg.mmu500 ? 0x81u : 0x00u;
	case SMMUV2_M_PIDR1:
		return m->cfg.mmu500 ? 0xb4u : 0xb0u;
	case SMMUV2_M_PIDR2:
		return m->cfg.mmu500 ? (m->cfg.id7_major << 4) | 0xbu : 0x0bu;
	default:
		m->stats.bad_accesses++;
		return 0;
	}
}

static void do_gsync(struct smmuv2_model *m)
{
	log_op(m, SMMUV2_OP_TLBGSYNC, -1, 0);
	if (m->cfg.stall_sync) {
		m->gsync_active = true;
		return;
	}
	apply_pending(m, -1);
	m->gsync_active = false;
}

static void write_gr0(struct smmuv2_model *m, uint64_t off, uint32_t v)
{
	if (off >= 0x800 && off < 0xa00) {
		unsigned i = (unsigned)(off - 0x800) / 4;
		unsigned mb = m->cfg.smr_mask_bits && m->cfg.smr_mask_bits < 15 ? m->cfg.smr_mask_bits
										: 15u;
		if (m->cfg.sms && i < m->cfg.numsmrg) /* unimplemented MASK bits read as zero */
			m->smr[i] = v & ~((0x7fffu & ~((1u << mb) - 1u)) << 16);
		return;
	}
	if (off >= 0xc00 && off < 0xe00) {
		m->s2cr[(off - 0xc00) / 4] = v;
		return;
	}
	switch (off) {
	case SMMUV2_M_SCR0:
		m->scr0 = v;
		return;
	case SMMUV2_M_SACR:
		if (m->cfg.mmu500) {
			if (m->cfg.secure_cache_lock)
				v |= SMMUV2_M_ACR_CACHE_LOCK;
			m->sacr = v;
		}
		return;
	case SMMUV2_M_SGFSR:
		m->gfsr &= ~v; /* write 1 to clear */
		return;
	case SMMUV2_M_TLBIVMID:
		queue_op(m, SMMUV2_OP_TLBIVMID, -1, (uint16_t)v, v & 0xffffu);
		return;
	case SMMUV2_M_TLBIALLNSNH:
		queue_op(m, SMMUV2_OP_TLBIALLNSNH, -1, 0, 0);
		return;
	case SMMUV2_M_STLBGSYNC:
		do_gsync(m);
		return;
	default:
		if ((off >= 0x20 && off < 0x40) || off == SMMUV2_M_STLBGSTATUS ||
		    off == SMMUV2_M_SGFSYNR0 || off == SMMUV2_M_SGFSYNR1 || off >= 0xfd0)
			m->stats.ro_writes++;
		else
			m->stats.bad_accesses++;
	}
}

static uint64_t read_gr1(struct smmuv2_model *m, uint64_t off)
{
	unsigned n = (unsigned)(off & 0x3ffu) / 4;
	if (n >= 128)
		return 0;
	if (off < 0x400)
		return m->cbar[n];
	if (off < 0x800)
		return m->cbfrsynra[n];
	if (off < 0xa00)
		return m->cba2r[n];
	m->stats.bad_accesses++;
	return 0;
}

static void write_gr1(struct smmuv2_model *m, uint64_t off, uint32_t v)
{
	unsigned n = (unsigned)(off & 0x3ffu) / 4;
	if (n >= m->cfg.numcb) {
		m->stats.bad_accesses++;
		return;
	}
	if ((off < 0x400 || (off >= 0x800 && off < 0xa00)) && (m->cb[n].sctlr & SMMUV2_M_SCTLR_M))
		m->stats.live_bank_writes++;
	if (off < 0x400) {
		/* Stage-2-only banks accept only type 0 (IHI 0062: CBAR.TYPE). */
		if (n < m->cfg.nums2cb && ((v >> 16) & 3u) != 0)
			v &= ~(3u << 16);
		m->cbar[n] = v;
	} else if (off < 0x800) {
		m->cbfrsynra[n] = v;
	} else if (off < 0xa00) {
		m->cba2r[n] = v;
	} else {
		m->stats.bad_accesses++;
	}
}

static uint64_t read_cb(struct smmuv2_model *m, unsigned n, uint64_t off, unsigned size)
{
	struct smmuv2_model_bank *b = &m->cb[n];
	if (size == 8) {
		if (off == SMMUV2_M_CB_TTBR0)
			return b->ttbr0;
		if (off == SMMUV2_M_CB_FAR)
			return b->far;
		m->stats.bad_accesses++;
		return 0;
	}
	switch (off) {
	case SMMUV2_M_CB_SCTLR:
		return b->sctlr;
	case SMMUV2_M_CB_ACTLR:
		return b->actlr;
	case SMMUV2_M_CB_TCR2:
		return b->tcr2;
	case SMMUV2_M_CB_TTBR0:
		return (uint32_t)b->ttbr0;
	case SMMUV2_M_CB_TTBR0 + 4:
		return (uint32_t)(b->ttbr0 >> 32);
	case SMMUV2_M_CB_TCR:
		return b->tcr;
	case SMMUV2_M_CB_MAIR0:
		return b->mair0;
	case SMMUV2_M_CB_MAIR1:
		return b->mair1;
	case SMMUV2_M_CB_FSR:
		return b->fsr;
	case SMMUV2_M_CB_FAR:
		return (uint32_t)b->far;
	case SMMUV2_M_CB_FAR + 4:
		return (uint32_t)(b->far >> 32);
	case SMMUV2_M_CB_FSYNR0:
		return b->fsynr0;
	case SMMUV2_M_CB_TLBSTATUS:
		return b->sync_active ? 1u : 0u;
	default:
		m->stats.bad_accesses++;
		return 0;
	}
}

static void cb_op(struct smmuv2_model *m, unsigned n, uint64_t off, uint64_t v)
{
	unsigned op;
	switch (off) {
	case SMMUV2_M_CB_TLBIVA:
		op = SMMUV2_OP_TLBIVA;
		break;
	case SMMUV2_M_CB_TLBIVAL:
		op = SMMUV2_OP_TLBIVAL;
		break;
	case SMMUV2_M_CB_TLBIIPAS2:
		op = SMMUV2_OP_TLBIIPAS2;
		break;
	default:
		op = SMMUV2_OP_TLBIIPAS2L;
		break;
	}
	queue_op(m, op, (int)n, bank_vmid(m, n), v);
}

static bool is_cb_op64(uint64_t off)
{
	return off == SMMUV2_M_CB_TLBIVA || off == SMMUV2_M_CB_TLBIVAL ||
	       off == SMMUV2_M_CB_TLBIIPAS2 || off == SMMUV2_M_CB_TLBIIPAS2L;
}

static void write_cb(struct smmuv2_model *m, unsigned n, uint64_t off, uint64_t v, unsigned size)
{
	struct smmuv2_model_bank *b = &m->cb[n];
	bool live = (b->sctlr & SMMUV2_M_SCTLR_M) != 0;
	if (size == 8) {
		if (off == SMMUV2_M_CB_TTBR0) {
			if (live)
				m->stats.live_bank_writes++;
			b->ttbr0 = v;
		} else if (is_cb_op64(off)) {
			cb_op(m, n, off, v);
		} else {
			m->stats.bad_accesses++;
		}
		return;
	}
	uint32_t w = (uint32_t)v;
	/* 64-bit registers written as two halves: the high half completes the write. */
	if (off == SMMUV2_M_CB_TTBR0 || is_cb_op64(off)) {
		m->lo_latch = w;
		m->lo_off = off;
		m->lo_valid = true;
		if (off == SMMUV2_M_CB_TTBR0)
			b->ttbr0 = (b->ttbr0 & ~0xffffffffull) | w;
		return;
	}
	if ((off == SMMUV2_M_CB_TTBR0 + 4 || is_cb_op64(off - 4)) && m->lo_valid &&
	    m->lo_off == off - 4) {
		uint64_t full = ((uint64_t)w << 32) | m->lo_latch;
		m->lo_valid = false;
		if (off == SMMUV2_M_CB_TTBR0 + 4)
			b->ttbr0 = full;
		else
			cb_op(m, n, off - 4, full);
		return;
	}
	switch (off) {
	case SMMUV2_M_CB_SCTLR:
		b->sctlr = w;
		return;
	case SMMUV2_M_CB_ACTLR:
		if (m->cfg.mmu500 && m->cfg.id7_major >= 2 && (m->sacr & SMMUV2_M_ACR_CACHE_LOCK)) {
			m->stats.actlr_ignored++;
			return;
		}
		b->actlr = w;
		return;
	case SMMUV2_M_CB_TCR2:
	case SMMUV2_M_CB_TCR:
	case SMMUV2_M_CB_MAIR0:
	case SMMUV2_M_CB_MAIR1:
		if (live)
			m->stats.live_bank_writes++;
		if (off == SMMUV2_M_CB_TCR2)
			b->tcr2 = w;
		else if (off == SMMUV2_M_CB_TCR)
			b->tcr = w;
		else if (off == SMMUV2_M_CB_MAIR0)
			b->mair0 = w;
		else
			b->mair1 = w;
		return;
	case SMMUV2_M_CB_FSR:
		b->fsr &= ~w;
		return;
	case SMMUV2_M_CB_TLBIASID:
		queue_op(m, SMMUV2_OP_TLBIASID, (int)n, bank_vmid(m, n), w & 0xffffu);
		return;
	case SMMUV2_M_CB_TLBIALL:
		queue_op(m, SMMUV2_OP_TLBIALL, (int)n, bank_vmid(m, n), 0);
		return;
	case SMMUV2_M_CB_TLBSYNC:
		log_op(m, SMMUV2_OP_TLBSYNC, (int)n, 0);
		if (m->cfg.stall_sync) {
			b->sync_active = true;
			return;
		}
		apply_pending(m, (int)n);
		b->sync_active = false;
		return;
	default:
		m->stats.bad_accesses++;
	}
}

uint64_t smmuv2_model_read(struct smmuv2_model *m, uint64_t off, unsigned size)
{
	uint64_t page = off >> m->pgshift, in = off & ((1ull << m->pgshift) - 1);
	if (page == 0)
		return read_gr0(m, in, size);
	if (page == 1)
		return size == 4 ? read_gr1(m, in) : 0;
	if (page >= m->numpage && page - m->numpage < m->cfg.numcb)
		return read_cb(m, (unsigned)(page - m->numpage), in, size);
	m->stats.bad_accesses++;
	return 0;
}

void smmuv2_model_write(struct smmuv2_model *m, uint64_t off, uint64_t val, unsigned size)
{
	uint64_t page = off >> m->pgshift, in = off & ((1ull << m->pgshift) - 1);
	if (page >= m->numpage && page - m->numpage < m->cfg.numcb) {
		write_cb(m, (unsigned)(page - m->numpage), in, val, size);
		return;
	}
	if (size != 4) {
		m->stats.bad_accesses++;
		return;
	}
	if (page == 0)
		write_gr0(m, in, (uint32_t)val);
	else if (page == 1)
		write_gr1(m, in, (uint32_t)val);
	else
		m->stats.bad_accesses++;
}

/* ---- translation --------------------------------------------------------- */

struct walk_ctx {
	struct smmuv2_model *m;
	struct aw_walker *s2; /* nested: stage-1 table reads go through this stage 2 */
	bool s2_failed;
};

static int walk_read(void *ctx, uint64_t pa, uint64_t *val)
{
	struct walk_ctx *w = ctx;
	if (w->s2) {
		struct aw_leaf l;
		if (aw_translate(w->s2, pa, &l) != AW_OK || !l.pr) {
			w->s2_failed = true;
			return -1;
		}
		pa = l.oa + (pa - l.iova);
	}
	uint8_t b[8];
	if (smmuv2_model_walk_mem(w->m, pa, b, 8))
		return -1;
	uint64_t v = 0;
	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)b[i] << (8 * i);
	*val = v;
	return 0;
}

static unsigned tg0_granule(uint32_t tg)
{
	return tg == 0 ? 4096u : tg == 1 ? 65536u : tg == 2 ? 16384u : 0u;
}

static bool granule_ok(const struct smmuv2_model *m, unsigned g)
{
	return (g == 4096 && m->cfg.ptfs4k) || (g == 16384 && m->cfg.ptfs16k) ||
	       (g == 65536 && m->cfg.ptfs64k);
}

/* Configure a walker from bank @n's registers; false for a configuration the model rejects. */
static bool bank_walker(struct smmuv2_model *m, unsigned n, unsigned stage, struct walk_ctx *ctx,
			struct aw_walker *w)
{
	const struct smmuv2_model_bank *b = &m->cb[n];
	if (!(m->cba2r[n] & 1u))
		return false; /* AArch32 formats are not modelled */
	struct aw_config c;
	memset(&c, 0, sizeof(c));
	c.granule = tg0_granule((b->tcr >> 14) & 3u);
	if (!granule_ok(m, c.granule))
		return false;
	c.ias = 64u - (b->tcr & 0x3fu);
	c.stage = stage;
	c.read = walk_read;
	c.ctx = ctx;
	c.root_pa = b->ttbr0 & 0x0000fffffffffff0ull;
	if (stage == 1) {
		c.oas = enc_bits(b->tcr2 & 7u);
		c.mair = ((uint64_t)b->mair1 << 32) | b->mair0;
		if (c.ias > m->cfg.ubs || c.oas > m->cfg.ias)
			return false;
	} else {
		c.oas = enc_bits((b->tcr >> 16) & 7u);
		c.sl0 = (b->tcr >> 6) & 3u;
		c.pa_range = m->cfg.oas;
		char err[128];
		if (c.ias > m->cfg.ias || c.oas > m->cfg.oas ||
		    aw_s2_check(c.granule, c.ias, c.sl0, c.pa_range, &c.start_level, &c.concat, err,
				sizeof(err)) != AW_OK)
			return false;
	}
	if (aw_init(w, &c) != AW_OK) {
		m->stats.bad_tables++;
		return false;
	}
	return true;
}

static void global_fault(struct smmuv2_model *m, uint32_t bit, uint32_t sid, uint64_t iova,
			 unsigned access)
{
	if (m->gfsr & 0x1ffu) {
		m->gfsr |= SMMUV2_M_GFSR_MULTI;
		return;
	}
	m->gfsr |= bit;
	m->gfar = iova;
	m->gfsynr0 = ((access & SMMUV2_MODEL_ACC_W) ? 1u << 1 : 0) |
		     ((access & SMMUV2_MODEL_ACC_PRIV) ? 1u << 2 : 0) |
		     ((access & SMMUV2_MODEL_ACC_X) ? 1u << 3 : 0);
	m->gfsynr1 = sid & 0xffffu;
}

static void context_fault(struct smmuv2_model *m, unsigned n, uint32_t bit, uint32_t sid,
			  uint64_t addr, unsigned access, uint32_t extra)
{
	struct smmuv2_model_bank *b = &m->cb[n];
	if (b->fsr & 0x1feu) {
		b->fsr |= SMMUV2_M_FSR_MULTI;
		return;
	}
	b->fsr |= bit;
	b->far = addr;
	b->fsynr0 = ((access & SMMUV2_MODEL_ACC_W) ? 1u << 4 : 0) |
		    ((access & SMMUV2_MODEL_ACC_PRIV) ? 1u << 5 : 0) |
		    ((access & SMMUV2_MODEL_ACC_X) ? 1u << 6 : 0) | extra;
	m->cbfrsynra[n] = sid & 0xffffu;
}

static unsigned perm_bits(const struct aw_leaf *l)
{
	return (l->ur ? 1u : 0) | (l->uw ? 2u : 0) | (l->pr ? 4u : 0) | (l->pw ? 8u : 0);
}

static bool perm_ok(unsigned perm, unsigned access)
{
	bool priv = (access & SMMUV2_MODEL_ACC_PRIV) != 0;
	if (access & SMMUV2_MODEL_ACC_W)
		return (perm & (priv ? 8u : 2u)) != 0;
	return (perm & (priv ? 4u : 1u)) != 0;
}

static int fault_result(uint32_t bit)
{
	int b = 0;
	while (!(bit & 1u)) {
		bit >>= 1;
		b++;
	}
	return -b;
}

/* Walk one stage for bank @n; fills *e (ia/oa/size/perm). Returns 0 or an FSR bit. */
static uint32_t walk_stage(struct smmuv2_model *m, unsigned n, unsigned stage, uint64_t ia,
			   struct aw_walker *s2, struct smmuv2_model_tlb_entry *e, bool *s2_failed)
{
	struct walk_ctx ctx = {.m = m, .s2 = s2, .s2_failed = false};
	struct aw_walker w;
	if (!bank_walker(m, n, stage, &ctx, &w))
		return SMMUV2_M_FSR_EF;
	struct aw_leaf l;
	int rc = aw_translate(&w, ia, &l);
	*s2_failed = ctx.s2_failed;
	if (rc == AW_UNMAPPED) /* an invalid entry, or an input beyond T0SZ */
		return SMMUV2_M_FSR_TF;
	if (rc != AW_OK) {
		if (!ctx.s2_failed)
			m->stats.bad_tables++;
		return ctx.s2_failed ? SMMUV2_M_FSR_TF : SMMUV2_M_FSR_EF;
	}
	unsigned shift = 0;
	while ((1ull << shift) < l.size)
		shift++;
	e->contig = l.contig;
	if (m->cfg.contig_hint && l.contig) {
		/* the whole group (Arm ARM D8.6.1): 4K granule 16 entries; 16K 128 at
		 * level 3, 32 at level 2; 64K 32 */
		shift += w.gshift == 12 ? 4u : w.gshift == 14 && l.level == 3 ? 7u : 5u;
	}
	e->size_log2 = (uint8_t)shift;
	e->ia = ia & ~((1ull << shift) - 1);
	e->oa = l.oa & ~((1ull << shift) - 1);
	e->perm = (uint8_t)perm_bits(&l);
	e->mem = (uint8_t)smmuv2_model_leaf_mem(&l, stage);
	return 0;
}

int smmuv2_model_dma(struct smmuv2_model *m, uint32_t sid, uint64_t iova, unsigned access,
		     uint64_t *pa_out)
{
	*pa_out = 0;
	m->last_mem = SMMUV2_MODEL_MEM_NONE;
	if (m->scr0 & SMMUV2_M_SCR0_CLIENTPD) {
		*pa_out = iova;
		m->stats.dma_ok++;
		return 0;
	}
	int idx = -1;
	if (m->cfg.sms) {
		unsigned hits = 0;
		for (unsigned i = 0; i < m->cfg.numsmrg; i++) {
			uint32_t smr = m->smr[i];
			if (!(smr & (1u << 31)))
				continue;
			uint32_t mask = (smr >> 16) & 0x7fffu, id = smr & 0x7fffu;
			if (((sid ^ id) & ~mask & 0x7fffu) == 0) {
				hits++;
				idx = (int)i;
			}
		}
		if (hits > 1) {
			global_fault(m, SMMUV2_M_GFSR_SMCF, sid, iova, access);
			m->stats.dma_faults++;
			return SMMUV2_MODEL_G_SMCF;
		}
	} else if (sid < (1u << m->cfg.numsidb) && sid < 128) {
		idx = (int)sid;
	}
	if (idx < 0) {
		if (m->scr0 & SMMUV2_M_SCR0_USFCFG) {
			global_fault(m, SMMUV2_M_GFSR_USF, sid, iova, access);
			m->stats.dma_faults++;
			return SMMUV2_MODEL_G_USF;
		}
		*pa_out = iova;
		m->stats.dma_ok++;
		return 0;
	}
	uint32_t s2cr = m->s2cr[idx];
	unsigned type = (s2cr >> 16) & 3u;
	if (type == 1) {
		*pa_out = iova;
		m->stats.dma_ok++;
		return 0;
	}
	if (type != 0) {
		m->stats.dma_faults++;
		return SMMUV2_MODEL_ABORT;
	}
	unsigned n = s2cr & 0xffu;
	if (n >= m->cfg.numcb) {
		global_fault(m, SMMUV2_M_GFSR_UCBF, sid, iova, access);
		m->stats.dma_faults++;
		return SMMUV2_MODEL_G_UCBF;
	}
	uint32_t cbar = m->cbar[n];
	unsigned ctype = (cbar >> 16) & 3u;
	const struct smmuv2_model_bank *b = &m->cb[n];
	bool s1 = ctype != 0;
	unsigned s2n = ctype == 3 ? (cbar >> 8) & 0xffu : n;
	if (ctype == 3 && (s2n >= m->cfg.numcb || ((m->cbar[s2n] >> 16) & 3u) != 0)) {
		global_fault(m, SMMUV2_M_GFSR_ICF, sid, iova, access);
		m->stats.dma_faults++;
		return SMMUV2_MODEL_G_ICF;
	}
	if (!(b->sctlr & SMMUV2_M_SCTLR_M)) {
		/* A disabled bank does not translate: its stage is bypassed. */
		if (ctype == 2) {
			m->stats.dma_faults++;
			return SMMUV2_MODEL_ABORT;
		}
		*pa_out = iova;
		m->stats.dma_ok++;
		return 0;
	}
	uint16_t vmid = bank_vmid(m, n);
	uint16_t asid = (uint16_t)(b->ttbr0 >> 48);
	for (size_t i = 0; i < m->tlb_n; i++) {
		const struct smmuv2_model_tlb_entry *e = &m->tlb[i];
		if (e->s1 == s1 && e->vmid == vmid && (!s1 || e->asid == asid) && covers(e, iova)) {
			m->stats.tlb_hits++;
			for (size_t j = i + 1; j < m->tlb_n; j++) {
				const struct smmuv2_model_tlb_entry *o = &m->tlb[j];
				if (o->s1 != s1 || o->vmid != vmid || (s1 && o->asid != asid) ||
				    !covers(o, iova))
					continue;
				/* two entries for one address: a TLB match conflict */
				m->stats.tlb_conflicts++;
				if (!m->cfg.tlb_conflict)
					break;
				context_fault(m, n, SMMUV2_M_FSR_TLBMCF, sid, iova, access, 0);
				m->stats.dma_faults++;
				return SMMUV2_MODEL_F_TLBMCF;
			}
			if (!perm_ok(e->perm, access)) {
				context_fault(m, n, SMMUV2_M_FSR_PF, sid, iova, access, 0);
				m->stats.dma_faults++;
				return SMMUV2_MODEL_F_PF;
			}
			if (ctype == 2) {
				m->stats.dma_faults++;
				return SMMUV2_MODEL_ABORT; /* stage 2 fault context */
			}
			*pa_out = e->oa + (iova - e->ia);
			m->last_mem = e->mem;
			m->stats.dma_ok++;
			return 0;
		}
	}
	m->stats.tlb_misses++;
	struct smmuv2_model_tlb_entry e1, e2;
	memset(&e1, 0, sizeof(e1));
	memset(&e2, 0, sizeof(e2));
	bool s2_failed = false;
	if (!s1) {
		uint32_t bit = walk_stage(m, n, 2, iova, NULL, &e2, &s2_failed);
		if (!bit && !perm_ok(e2.perm, access))
			bit = SMMUV2_M_FSR_PF;
		if (bit) {
			context_fault(m, n, bit, sid, iova, access, 0);
			m->stats.dma_faults++;
			return fault_result(bit);
		}
		e2.s1 = false;
		e2.vmid = vmid;
		tlb_insert(m, &e2);
		*pa_out = e2.oa + (iova - e2.ia);
		m->last_mem = e2.mem;
		m->stats.dma_ok++;
		return 0;
	}
	struct aw_walker s2w;
	struct walk_ctx s2ctx = {.m = m, .s2 = NULL, .s2_failed = false};
	bool nested = ctype == 3;
	if (nested && (!(m->cb[s2n].sctlr & SMMUV2_M_SCTLR_M) ||
		       !bank_walker(m, s2n, 2, &s2ctx, &s2w))) {
		context_fault(m, n, SMMUV2_M_FSR_EF, sid, iova, access, 0);
		m->stats.dma_faults++;
		return SMMUV2_MODEL_F_EF;
	}
	uint32_t bit = walk_stage(m, n, 1, iova, nested ? &s2w : NULL, &e1, &s2_failed);
	if (!bit && !perm_ok(e1.perm, access))
		bit = SMMUV2_M_FSR_PF;
	if (bit) {
		/* a stage-2 fault on a stage-1 table walk is flagged S1PTWF (FSYNR0 bit 3) */
		context_fault(m, n, bit, sid, iova, access, s2_failed ? 1u << 3 : 0);
		m->stats.dma_faults++;
		return fault_result(bit);
	}
	if (ctype == 2) {
		m->stats.dma_faults++;
		return SMMUV2_MODEL_ABORT; /* stage 2 fault context */
	}
	uint64_t ipa = e1.oa + (iova - e1.ia);
	uint64_t pa = ipa;
	if (nested) {
		struct aw_leaf l;
		int rc = aw_translate(&s2w, ipa, &l);
		uint32_t b2 = rc == AW_OK ? 0 : rc == AW_UNMAPPED ? SMMUV2_M_FSR_TF : SMMUV2_M_FSR_EF;
		if (rc == AW_BAD)
			m->stats.bad_tables++;
		if (!b2 && !perm_ok(perm_bits(&l), access))
			b2 = SMMUV2_M_FSR_PF;
		if (b2) {
			/* stage-2 faults are reported by the stage-2 bank, FSYNR0.S1CBNDX = n */
			context_fault(m, s2n, b2, sid, ipa, access, n << 16);
			m->stats.dma_faults++;
			return fault_result(b2);
		}
		pa = l.oa + (ipa - l.iova);
		/* combined entry: the smaller of the two leaves */
		uint64_t s2size = l.size;
		if (s2size < (1ull << e1.size_log2)) {
			unsigned sh = 0;
			while ((1ull << sh) < s2size)
				sh++;
			e1.size_log2 = (uint8_t)sh;
			e1.ia = iova & ~(s2size - 1);
		}
		e1.oa = pa - (iova - e1.ia);
		e1.perm = (uint8_t)(e1.perm & perm_bits(&l));
		e1.mem = (uint8_t)smmuv2_model_mem_min(e1.mem, smmuv2_model_s2_memattr(l.memattr));
	} else { /* stage 2 bypassed: CBAR.MemAttr stands in for its attributes */
		e1.mem = (uint8_t)smmuv2_model_mem_min(e1.mem, smmuv2_model_s2_memattr(cbar >> 12));
	}
	e1.s1 = true;
	e1.vmid = vmid;
	e1.asid = asid;
	tlb_insert(m, &e1);
	*pa_out = pa;
	m->last_mem = e1.mem;
	m->stats.dma_ok++;
	return 0;
}
