/* SPDX-License-Identifier: BSD-3-Clause */
/* Register-level model of an Intel VT-d remapping unit; see vtd_model.h. */
#include "vtd_model_internal.h"

/* ---- memory --------------------------------------------------------------- */

int vtd_model_host_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	(void)ctx;
	if (pa < 0x10000u || pa + len < pa)
		return -1;
	memcpy(buf, (const void *)(uintptr_t)pa, len);
	return 0;
}

int vtd_model_host_write(void *ctx, uint64_t pa, const void *buf, size_t len)
{
	(void)ctx;
	if (pa < 0x10000u || pa + len < pa)
		return -1;
	memcpy((void *)(uintptr_t)pa, buf, len);
	return 0;
}

int vtd_m_rd_qwords(struct vtd_model *m, uint64_t pa, uint64_t *w, unsigned n)
{
	uint8_t b[64];
	if (m->cfg.read_mem(m->cfg.mem_ctx, pa, b, (size_t)n * 8u) != 0)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		uint64_t v = 0;
		for (unsigned k = 0; k < 8; k++)
			v |= (uint64_t)b[i * 8 + k] << (8 * k);
		w[i] = v;
	}
	return 0;
}

/* ---- the non-coherent walker's DRAM ---- */

void vtd_model_clean(struct vtd_model *m, uint64_t pa, size_t len)
{
	model_dram_clean(&m->dram, pa, len, m->cfg.read_mem, m->cfg.mem_ctx);
}

int vtd_m_rd_walk(struct vtd_model *m, uint64_t pa, uint64_t *w, unsigned n, bool coherent)
{
	if (vtd_m_rd_qwords(m, pa, w, n) != 0)
		return -1;
	if (coherent || !m->cfg.dram)
		return 0;
	uint8_t b[64];
	model_dram_read(&m->dram, pa, b, (size_t)n * 8u);
	for (unsigned i = 0; i < n; i++) {
		uint64_t v = 0;
		for (unsigned k = 0; k < 8; k++)
			v |= (uint64_t)b[i * 8 + k] << (8 * k);
		w[i] = v;
	}
	return 0;
}

/* What the unit writes goes to memory and, where the walker has a DRAM page, there too. */
static void dram_write(struct vtd_model *m, uint64_t pa, const uint8_t *b, size_t len)
{
	model_dram_write(&m->dram, pa, b, len);
}

int vtd_m_wr_qword(struct vtd_model *m, uint64_t pa, uint64_t v)
{
	uint8_t b[8];
	for (unsigned k = 0; k < 8; k++)
		b[k] = (uint8_t)(v >> (8 * k));
	dram_write(m, pa, b, 8);
	return m->cfg.write_mem(m->cfg.mem_ctx, pa, b, 8);
}

static int wr_dword(struct vtd_model *m, uint64_t pa, uint32_t v)
{
	uint8_t b[4];
	for (unsigned k = 0; k < 4; k++)
		b[k] = (uint8_t)(v >> (8 * k));
	dram_write(m, pa, b, 4);
	return m->cfg.write_mem(m->cfg.mem_ctx, pa, b, 4);
}

/* ---- configuration ---------------------------------------------------------- */

void vtd_model_cfg_default(struct vtd_model_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->ver_major = 6;
	cfg->nd = 6;
	cfg->sagaw = 0xe; /* 3, 4 and 5 levels */
	cfg->mgaw = 57;
	cfg->sllps = 3;
	cfg->nfr = 8;
	cfg->fro = 0x400;
	cfg->mamv = 9;
	cfg->psi = true;
	cfg->fl1gp = true;
	cfg->fl5lp = true;
	cfg->c = true;
	cfg->smpwc = true;
	cfg->qi = true;
	cfg->dt = true;
	cfg->ir = true;
	cfg->eim = true;
	cfg->pt = true;
	cfg->sc = true;
	cfg->pasid = true;
	cfg->pss = 19;
	cfg->smts = true;
	cfg->slts = true;
	cfg->flts = true;
	cfg->rps = false;
	cfg->iro = 0x500;
	cfg->compress_faults = true;
	cfg->fl_set_ad = true;
	cfg->read_mem = vtd_model_host_read;
	cfg->write_mem = vtd_model_host_write;
}

unsigned vtd_m_did_bits(const struct vtd_model *m)
{
	return 4u + 2u * m->cfg.nd;
}

static void build_ids(struct vtd_model *m)
{
	const struct vtd_model_cfg *c = &m->cfg;
	m->ver = ((c->ver_major & 0xfu) << 4) | (c->ver_minor & 0xfu);
	m->cap = (uint64_t)c->nd | (uint64_t)c->afl << 3 | (uint64_t)c->rwbf << 4 |
		 (uint64_t)c->plmr << 5 | (uint64_t)c->phmr << 6 | (uint64_t)c->cm << 7 |
		 (uint64_t)(c->sagaw & 0x1fu) << 8 | (uint64_t)((c->mgaw - 1u) & 0x3fu) << 16 |
		 (uint64_t)c->zlr << 22 | (uint64_t)((c->fro / 16u) & 0x3ffu) << 24 |
		 (uint64_t)(c->sllps & 0xfu) << 34 | (uint64_t)c->psi << 39 |
		 (uint64_t)((c->nfr - 1u) & 0xffu) << 40 | (uint64_t)(c->mamv & 0x3fu) << 48 |
		 (uint64_t)c->fl1gp << 56 | (uint64_t)c->fl5lp << 60;
	m->ecap = (uint64_t)c->c | (uint64_t)c->qi << 1 | (uint64_t)c->dt << 2 |
		  (uint64_t)c->ir << 3 | (uint64_t)c->eim << 4 | (uint64_t)c->pt << 6 | (uint64_t)c->sc << 7 |
		  (uint64_t)((c->iro / 16u) & 0x3ffu) << 8 | (uint64_t)c->nest << 26 |
		  (uint64_t)(c->pss & 0x1fu) << 35 | (uint64_t)c->pasid << 40 |
		  (uint64_t)c->smts << 43 | (uint64_t)c->slts << 46 | (uint64_t)c->flts << 47 |
		  (uint64_t)c->smpwc << 48 | (uint64_t)c->rps << 49;
}

void vtd_model_reset(struct vtd_model *m)
{
	build_ids(m);
	m->gcmd_last = 0;
	m->gsts = 0;
	m->rtaddr = m->rta_active = 0;
	m->ttm_active = 0;
	m->ccmd = 0;
	m->fsts = 0;
	m->fri = 0;
	m->fault_next = 0;
	m->fectl = VTD_M_CTL_IM;
	m->fedata = m->feaddr = m->feuaddr = 0;
	memset(m->frcd, 0, sizeof(m->frcd));
	m->iva = m->iotlb_reg = 0;
	m->iqh = m->iqt = m->iqa = 0;
	m->ics = 0;
	m->iectl = VTD_M_CTL_IM;
	m->iedata = m->ieaddr = m->ieuaddr = 0;
	m->iqercd = m->irta = 0;
	m->irta_active = 0;
	m->nctx = m->npasid = m->ntlb = m->nirte = 0;
	memset(&m->stats, 0, sizeof(m->stats));
	memset(&m->last, 0, sizeof(m->last));
	memset(m->log, 0, sizeof(m->log));
	m->log_seq = 0;
	m->in_queue = false;
}

int vtd_model_init(struct vtd_model *m, const struct vtd_model_cfg *cfg)
{
	memset(m, 0, sizeof(*m));
	if (!cfg || !cfg->read_mem || !cfg->write_mem)
		return -1;
	if (cfg->nd > 6 || cfg->mgaw < 32 || cfg->mgaw > 64 || cfg->nfr < 1 || cfg->nfr > 256)
		return -1;
	if ((cfg->fro & 15u) || (cfg->iro & 15u) || cfg->fro < 0x100u || cfg->iro < 0x100u)
		return -1;
	uint64_t fro_end = (uint64_t)cfg->fro + 16u * cfg->nfr;
	if (fro_end > VTD_M_MMIO_SIZE || cfg->iro + 16u > VTD_M_MMIO_SIZE)
		return -1;
	if (cfg->iro + 16u > cfg->fro && cfg->iro < fro_end)
		return -1;
	if (cfg->mamv > 63 || (cfg->sagaw & ~0x1eu) != 0)
		return -1;
	m->cfg = *cfg;
	m->tlb_cap = cfg->iotlb_capacity ? cfg->iotlb_capacity : VTD_MODEL_IOTLB_DEFAULT;
	m->tlb = calloc(m->tlb_cap, sizeof(*m->tlb));
	m->ctx = calloc(VTD_MODEL_CACHE_MAX, sizeof(*m->ctx));
	m->pasid = calloc(VTD_MODEL_CACHE_MAX, sizeof(*m->pasid));
	m->irte = calloc(VTD_MODEL_CACHE_MAX, sizeof(*m->irte));
	m->dram_pages = calloc(VTD_MODEL_DRAM_PAGES, sizeof(*m->dram_pages));
	model_dram_init(&m->dram, m->dram_pages, VTD_MODEL_DRAM_PAGES);
	if (!m->tlb || !m->ctx || !m->pasid || !m->irte || !m->dram_pages) {
		vtd_model_fini(m);
		return -1;
	}
	vtd_model_reset(m);
	return 0;
}

void vtd_model_fini(struct vtd_model *m)
{
	free(m->tlb);
	free(m->ctx);
	free(m->pasid);
	free(m->irte);
	m->irte = NULL;
	m->nirte = 0;
	free(m->dram_pages);
	m->dram_pages = NULL;
	model_dram_init(&m->dram, NULL, 0);
	m->tlb = NULL;
	m->ctx = NULL;
	m->pasid = NULL;
	m->ntlb = m->nctx = m->npasid = 0;
}

/* ---- caches --------------------------------------------------------------- */

void vtd_model_drop_caches(struct vtd_model *m)
{
	m->nctx = m->npasid = m->ntlb = m->nirte = 0;
}

size_t vtd_model_iotlb_count(const struct vtd_model *m)
{
	return m->ntlb;
}

bool vtd_model_ctx_cached(const struct vtd_model *m, uint16_t sid)
{
	for (size_t i = 0; i < m->nctx; i++)
		if (m->ctx[i].sid == sid)
			return true;
	return false;
}

bool vtd_model_pasid_cached(const struct vtd_model *m, uint16_t sid, uint32_t pasid)
{
	for (size_t i = 0; i < m->npasid; i++)
		if (m->pasid[i].sid == sid && m->pasid[i].pasid == pasid)
			return true;
	return false;
}

void vtd_m_ctx_insert(struct vtd_model *m, const struct vtd_model_ctx_entry *e)
{
	for (size_t i = 0; i < m->nctx; i++) {
		if (m->ctx[i].sid == e->sid) {
			m->ctx[i] = *e;
			return;
		}
	}
	if (m->nctx == VTD_MODEL_CACHE_MAX) {
		memmove(m->ctx, m->ctx + 1, (m->nctx - 1) * sizeof(*m->ctx));
		m->nctx--;
	}
	m->ctx[m->nctx++] = *e;
}

void vtd_m_pasid_insert(struct vtd_model *m, const struct vtd_model_pasid_entry *e)
{
	for (size_t i = 0; i < m->npasid; i++) {
		if (m->pasid[i].sid == e->sid && m->pasid[i].pasid == e->pasid) {
			m->pasid[i] = *e;
			return;
		}
	}
	if (m->npasid == VTD_MODEL_CACHE_MAX) {
		memmove(m->pasid, m->pasid + 1, (m->npasid - 1) * sizeof(*m->pasid));
		m->npasid--;
	}
	m->pasid[m->npasid++] = *e;
}

void vtd_m_tlb_insert(struct vtd_model *m, const struct vtd_model_iotlb_entry *e)
{
	for (size_t i = 0; i < m->ntlb; i++) {
		struct vtd_model_iotlb_entry *t = &m->tlb[i];
		if (t->kind == e->kind && t->did == e->did && t->pasid == e->pasid &&
		    t->ia == e->ia && t->size_log2 == e->size_log2) {
			*t = *e;
			return;
		}
	}
	if (m->ntlb == m->tlb_cap) {
		memmove(m->tlb, m->tlb + 1, (m->ntlb - 1) * sizeof(*m->tlb));
		m->ntlb--;
		m->stats.iotlb_evictions++;
	}
	m->tlb[m->ntlb++] = *e;
	m->stats.iotlb_inserts++;
}

/* Which entries an invalidation drops. */
struct inv_scope {
	bool any_did;
	uint16_t did;
	bool sl, fl; /* kinds */
	bool any_pasid;
	uint32_t pasid;
	bool ranged;
	uint64_t lo, hi; /* [lo, hi) */
};

static void tlb_invalidate(struct vtd_model *m, const struct inv_scope *s)
{
	size_t o = 0;
	for (size_t i = 0; i < m->ntlb; i++) {
		const struct vtd_model_iotlb_entry *t = &m->tlb[i];
		bool hit =
		    (s->any_did || t->did == s->did) &&
		    ((t->kind == VTD_MODEL_SL && s->sl) || (t->kind == VTD_MODEL_FL && s->fl)) &&
		    (s->any_pasid || t->kind != VTD_MODEL_FL || t->pasid == s->pasid);
		if (hit && s->ranged) {
			uint64_t end = t->ia + (UINT64_C(1) << t->size_log2);
			hit = t->ia < s->hi && end > s->lo;
		}
		if (!hit)
			m->tlb[o++] = *t;
	}
	m->ntlb = o;
}

static void log_inv(struct vtd_model *m, const struct vtd_model_inv *inv)
{
	struct vtd_model_inv *e = &m->log[m->log_seq % VTD_MODEL_LOG];
	*e = *inv;
	e->seq = ++m->log_seq;
}

const struct vtd_model_inv *vtd_model_inv_log(const struct vtd_model *m, unsigned back)
{
	if (back >= VTD_MODEL_LOG || back >= m->log_seq)
		return NULL;
	return &m->log[(m->log_seq - 1 - back) % VTD_MODEL_LOG];
}

/* Context-cache invalidation: g 1 global, 2 domain, 3 device. */
static void cc_invalidate(struct vtd_model *m, unsigned g, uint16_t did, uint16_t sid, unsigned fm)
{
	bool sm = m->ttm_active == VTD_M_TTM_SCALABLE;
	uint16_t mask = (uint16_t)(fm == 0 ? 0 : (fm == 1 ? 4 : (fm == 2 ? 6 : 7)));
	size_t o = 0;
	for (size_t i = 0; i < m->nctx; i++) {
		const struct vtd_model_ctx_entry *e = &m->ctx[i];
		bool hit;
		if (g == VTD_M_G_GLOBAL)
			hit = true;
		else if (g == VTD_M_G_DOMAIN)
			hit = sm || e->did == did || e->negative;
		else /* device: the domain ID counts in legacy mode (not for cached not-present
			entries) */
			hit = (e->sid & ~mask) == (sid & ~mask) &&
			      (sm || e->negative || e->did == did);
		if (!hit)
			m->ctx[o++] = *e;
	}
	m->nctx = o;
	if (g == VTD_M_G_GLOBAL)
		m->stats.cc_global++;
	else if (g == VTD_M_G_DOMAIN)
		m->stats.cc_domain++;
	else
		m->stats.cc_device++;
}

/* IOTLB invalidation: g 1 global, 2 domain, 3 page (second-stage entries only). */
static void iotlb_invalidate(struct vtd_model *m, unsigned g, uint16_t did, uint64_t addr,
			     unsigned am)
{
	struct inv_scope s;
	memset(&s, 0, sizeof(s));
	s.sl = true;
	s.any_pasid = true;
	if (g == VTD_M_G_GLOBAL) {
		s.any_did = true;
		s.fl = true;
		m->stats.iotlb_global++;
	} else if (g == VTD_M_G_DOMAIN) {
		s.did = did;
		s.fl = true;
		m->stats.iotlb_domain++;
	} else {
		uint64_t size = UINT64_C(1) << (12 + am);
		if (addr & (size - 1))
			m->stats.anomalies++;
		s.did = did;
		s.ranged = true;
		s.lo = addr & ~(size - 1);
		s.hi = s.lo + size;
		m->stats.iotlb_page++;
	}
	tlb_invalidate(m, &s);
}

/* ---- register-based invalidation ---------------------------------------------- */

void vtd_m_exec_ccmd(struct vtd_model *m)
{
	if (!(m->ccmd & VTD_M_CCMD_ICC))
		return;
	if (m->gsts & VTD_M_GCMD_QIE) {
		m->stats.reg_inv_while_qi++;
		return; /* ignored: ICC stays set */
	}
	if (m->cfg.ccmd_stuck)
		return;
	unsigned g = (unsigned)(m->ccmd >> VTD_M_CCMD_CIRG_SHIFT) & 3u;
	uint16_t did = (uint16_t)m->ccmd;
	uint16_t sid = (uint16_t)(m->ccmd >> VTD_M_CCMD_SID_SHIFT);
	unsigned fm = (unsigned)(m->ccmd >> VTD_M_CCMD_FM_SHIFT) & 3u;
	struct vtd_model_inv inv;
	memset(&inv, 0, sizeof(inv));
	inv.type = VTD_M_DSC_CC;
	inv.g = g;
	inv.did = did;
	inv.sid = sid;
	inv.fm = fm;
	inv.w[0] = m->ccmd;
	uint64_t v = m->ccmd & ~(VTD_M_CCMD_ICC | (UINT64_C(3) << VTD_M_CCMD_CAIG_SHIFT));
	if (g != 0) {
		cc_invalidate(m, g, did, sid, fm);
		v |= (uint64_t)g << VTD_M_CCMD_CAIG_SHIFT;
		m->stats.reg_ccmd++;
		log_inv(m, &inv);
	}
	m->ccmd = v;
}

void vtd_m_exec_iotlb_reg(struct vtd_model *m)
{
	if (!(m->iotlb_reg & VTD_M_IOTLB_IVT))
		return;
	if (m->gsts & VTD_M_GCMD_QIE) {
		m->stats.reg_inv_while_qi++;
		return;
	}
	if (m->cfg.iotlb_stuck)
		return;
	unsigned g = (unsigned)(m->iotlb_reg >> VTD_M_IOTLB_IIRG_SHIFT) & 3u;
	uint16_t did = (uint16_t)(m->iotlb_reg >> VTD_M_IOTLB_DID_SHIFT);
	uint64_t addr = m->iva & PAGE_MASK;
	unsigned am = (unsigned)(m->iva & 0x3fu);
	unsigned actual = g;
	if (g == VTD_M_G_PAGE && !m->cfg.psi)
		actual = VTD_M_G_DOMAIN;
	if (actual == VTD_M_G_PAGE && am > m->cfg.mamv)
		actual = 0; /* refused */
	uint64_t v = m->iotlb_reg & ~(VTD_M_IOTLB_IVT | (UINT64_C(3) << VTD_M_IOTLB_IAIG_SHIFT));
	if (actual != 0) {
		struct vtd_model_inv inv;
		memset(&inv, 0, sizeof(inv));
		inv.type = VTD_M_DSC_IOTLB;
		inv.g = g;
		inv.did = did;
		inv.addr = addr;
		inv.am = am;
		inv.w[0] = m->iotlb_reg;
		inv.w[1] = m->iva;
		iotlb_invalidate(m, actual, did, addr, am);
		v |= (uint64_t)actual << VTD_M_IOTLB_IAIG_SHIFT;
		m->stats.reg_iotlb++;
		log_inv(m, &inv);
	}
	m->iotlb_reg = v;
}

/* ---- invalidation queue ------------------------------------------------------ */

#define STOP 100 /* the queue stops at this descriptor without an error */

static unsigned dsc_type(uint64_t w0)
{
	return (unsigned)(w0 & 0xfu) | ((unsigned)(w0 >> 9) & 7u) << 4;
}

static unsigned exec_desc(struct vtd_model *m, const uint64_t *w, bool dw)
{
	const struct vtd_model_cfg *c = &m->cfg;
	unsigned type = dsc_type(w[0]);
	if (dw && (w[2] | w[3]))
		return VTD_M_IQEI_RSVD;
	struct vtd_model_inv inv;
	memset(&inv, 0, sizeof(inv));
	inv.queued = true;
	inv.type = type;
	inv.g = (unsigned)(w[0] >> 4) & 3u;
	inv.did = (uint32_t)(w[0] >> 16) & 0xffffu;
	memcpy(inv.w, w, (dw ? 4u : 2u) * sizeof(uint64_t));
	switch (type) {
	case VTD_M_DSC_CC:
		if ((w[0] & UINT64_C(0xfffc00000000f1c0)) || w[1] || inv.g == 0)
			return VTD_M_IQEI_RSVD;
		inv.sid = (uint32_t)(w[0] >> 32) & 0xffffu;
		inv.fm = (unsigned)(w[0] >> 48) & 3u;
		cc_invalidate(m, inv.g, (uint16_t)inv.did, (uint16_t)inv.sid, inv.fm);
		break;
	case VTD_M_DSC_IOTLB: {
		if ((w[0] & UINT64_C(0xffffffff0000f100)) || (w[1] & 0xf80u) || inv.g == 0)
			return VTD_M_IQEI_RSVD;
		inv.addr = w[1] & PAGE_MASK;
		inv.am = (unsigned)(w[1] & 0x3fu);
		unsigned g = inv.g;
		if (g == VTD_M_G_PAGE && inv.am > c->mamv)
			return VTD_M_IQEI_RSVD;
		if (g == VTD_M_G_PAGE && !c->psi)
			g = VTD_M_G_DOMAIN;
		iotlb_invalidate(m, g, (uint16_t)inv.did, inv.addr, inv.am);
		break;
	}
	case VTD_M_DSC_DEVTLB:
		if (!c->dt)
			return VTD_M_IQEI_TYPE;
		m->stats.devtlb++;
		break;
	case VTD_M_DSC_IEC: {
		if (!c->ir)
			return VTD_M_IQEI_TYPE;
		/* 6.5.2.7: G (bit 4) 0 global, 1 index-selective; IM 31:27; IIDX 47:32 */
		if ((w[0] & UINT64_C(0xffff000007ffffe0)) || w[1])
			return VTD_M_IQEI_RSVD;
		bool global = !(w[0] & BIT64(4));
		inv.g = global ? VTD_M_G_GLOBAL : VTD_M_G_DOMAIN;
		inv.did = 0;
		inv.addr = (w[0] >> 32) & 0xffffu; /* the interrupt index */
		inv.am = (unsigned)(w[0] >> 27) & 0x1fu;
		vtd_m_iec_invalidate(m, global, (uint32_t)inv.addr, inv.am);
		break;
	}
	case VTD_M_DSC_WAIT:
		if ((w[0] & UINT64_C(0x00000000fffff100)) || (w[1] & 3u))
			return VTD_M_IQEI_RSVD;
		if (c->wait_stuck)
			return STOP;
		if (w[0] & BIT64(5)) {
			if (wr_dword(m, w[1] & ~UINT64_C(3), (uint32_t)(w[0] >> 32)) == 0)
				m->stats.wait_writes++;
			else
				m->stats.anomalies++;
		}
		if (w[0] & BIT64(4)) {
			m->ics |= VTD_M_ICS_IWC;
			m->stats.wait_irqs++;
		}
		m->stats.waits++;
		break;
	case VTD_M_DSC_PIOTLB: {
		if (!c->smts)
			return VTD_M_IQEI_TYPE;
		if (!dw)
			return VTD_M_IQEI_WIDTH;
		/* G: 2 all of the PASID (non-global), 3 page-selective within the PASID */
		if ((w[0] & UINT64_C(0xfff000000000f1c0)) || (w[1] & 0xf80u) || inv.g < 2)
			return VTD_M_IQEI_RSVD;
		inv.pasid = (uint32_t)(w[0] >> 32) & 0xfffffu;
		inv.addr = w[1] & PAGE_MASK;
		inv.am = (unsigned)(w[1] & 0x3fu);
		struct inv_scope s;
		memset(&s, 0, sizeof(s));
		s.did = (uint16_t)inv.did;
		s.fl = true;
		s.pasid = inv.pasid;
		if (inv.g == 3) {
			/* CAP.MAMV bounds the IOTLB descriptor's mask; this one takes any */
			uint64_t size = UINT64_C(1) << (12 + inv.am);
			if (inv.addr & (size - 1))
				m->stats.anomalies++;
			s.ranged = true;
			s.lo = inv.addr & ~(size - 1);
			s.hi = s.lo + size;
			m->stats.piotlb_page++;
		} else {
			m->stats.piotlb_pasid++;
		}
		tlb_invalidate(m, &s);
		break;
	}
	case VTD_M_DSC_PC: {
		if (!c->smts)
			return VTD_M_IQEI_TYPE;
		if (!dw)
			return VTD_M_IQEI_WIDTH;
		if ((w[0] & UINT64_C(0xfff000000000f1c0)) || w[1] || inv.g == 2)
			return VTD_M_IQEI_RSVD;
		inv.pasid = (uint32_t)(w[0] >> 32) & 0xfffffu;
		size_t o = 0;
		for (size_t i = 0; i < m->npasid; i++) {
			const struct vtd_model_pasid_entry *e = &m->pasid[i];
			bool hit;
			if (inv.g == 3)
				hit = true;
			else if (inv.g == 0)
				hit = e->did == inv.did || e->negative;
			else
				hit = e->pasid == inv.pasid && (e->did == inv.did || e->negative);
			if (!hit)
				m->pasid[o++] = *e;
		}
		m->npasid = o;
		if (inv.g == 3)
			m->stats.pc_global++;
		else if (inv.g == 0)
			m->stats.pc_domain++;
		else
			m->stats.pc_pasid++;
		break;
	}
	case VTD_M_DSC_PDEVTLB:
		if (!c->dt || !c->smts)
			return VTD_M_IQEI_TYPE;
		m->stats.devtlb++;
		break;
	default:
		return VTD_M_IQEI_TYPE;
	}
	log_inv(m, &inv);
	return 0;
}

static void iq_error(struct vtd_model *m, unsigned iqei)
{
	m->fsts |= VTD_M_FSTS_IQE;
	m->iqercd = (m->iqercd & ~UINT64_C(0xf)) | iqei;
	m->stats.iqe++;
}

void vtd_model_process(struct vtd_model *m)
{
	if (!(m->gsts & VTD_M_GCMD_QIE) || (m->fsts & VTD_M_FSTS_IQE) || m->cfg.qi_stuck ||
	    m->in_queue)
		return;
	m->in_queue = true;
	bool dw = (m->iqa & VTD_M_IQA_DW) != 0;
	uint64_t dsz = dw ? 32u : 16u;
	uint64_t qbytes = UINT64_C(4096) << (m->iqa & 7u);
	uint64_t base = m->iqa & PAGE_MASK;
	uint64_t tail = m->iqt & UINT64_C(0x7fff0);
	if (tail >= qbytes) {
		iq_error(m, VTD_M_IQEI_TAIL);
	} else if (dw && (tail & 0x10u)) {
		iq_error(m, VTD_M_IQEI_TAIL_ALIGN);
	} else {
		while (m->iqh != tail) {
			uint64_t w[4] = {0, 0, 0, 0};
			if (vtd_m_rd_qwords(m, base + m->iqh, w, dw ? 4u : 2u) != 0) {
				iq_error(m, VTD_M_IQEI_FETCH);
				break;
			}
			unsigned r = VTD_M_IQEI_RSVD;
			if (m->cfg.qi_fail_next)
				m->cfg.qi_fail_next = false; /* refused unexecuted */
			else
				r = exec_desc(m, w, dw);
			if (r == STOP)
				break;
			if (r != 0) {
				iq_error(m, r);
				break;
			}
			m->stats.qi_descs++;
			m->iqh = (m->iqh + dsz) % qbytes;
		}
	}
	m->in_queue = false;
}
