/* SPDX-License-Identifier: BSD-3-Clause */
/* Register-level model of an Intel VT-d remapping unit; see vtd_model.h. */
#include "vtd_model.h"

#include <stdlib.h>
#include <string.h>

#define BIT64(n)     (UINT64_C(1) << (n))
#define MASK64(h, l) ((~UINT64_C(0) >> (63 - (h))) & ~((UINT64_C(1) << (l)) - 1))
#define ADDR_MASK    MASK64(51, 12)
#define PAGE_MASK    (~UINT64_C(0xfff))

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

static int rd_qwords(struct vtd_model *m, uint64_t pa, uint64_t *w, unsigned n)
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

static int wr_qword(struct vtd_model *m, uint64_t pa, uint64_t v)
{
	uint8_t b[8];
	for (unsigned k = 0; k < 8; k++)
		b[k] = (uint8_t)(v >> (8 * k));
	return m->cfg.write_mem(m->cfg.mem_ctx, pa, b, 8);
}

static int wr_dword(struct vtd_model *m, uint64_t pa, uint32_t v)
{
	uint8_t b[4];
	for (unsigned k = 0; k < 4; k++)
		b[k] = (uint8_t)(v >> (8 * k));
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
	cfg->qi = true;
	cfg->dt = true;
	cfg->ir = true;
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

static unsigned did_bits(const struct vtd_model *m)
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
		  (uint64_t)c->ir << 3 | (uint64_t)c->pt << 6 | (uint64_t)c->sc << 7 |
		  (uint64_t)((c->iro / 16u) & 0x3ffu) << 8 | (uint64_t)c->nest << 26 |
		  (uint64_t)(c->pss & 0x1fu) << 35 | (uint64_t)c->pasid << 40 |
		  (uint64_t)c->smts << 43 | (uint64_t)c->slts << 46 | (uint64_t)c->flts << 47 |
		  (uint64_t)c->rps << 49;
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
	m->nctx = m->npasid = m->ntlb = 0;
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
	if (!m->tlb || !m->ctx || !m->pasid) {
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
	m->tlb = NULL;
	m->ctx = NULL;
	m->pasid = NULL;
	m->ntlb = m->nctx = m->npasid = 0;
}

/* ---- caches --------------------------------------------------------------- */

void vtd_model_drop_caches(struct vtd_model *m)
{
	m->nctx = m->npasid = m->ntlb = 0;
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

static void ctx_insert(struct vtd_model *m, const struct vtd_model_ctx_entry *e)
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

static void pasid_insert(struct vtd_model *m, const struct vtd_model_pasid_entry *e)
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

static void tlb_insert(struct vtd_model *m, const struct vtd_model_iotlb_entry *e)
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
		bool hit = (s->any_did || t->did == s->did) &&
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
		else /* device: the domain ID counts in legacy mode (not for cached not-present entries) */
			hit = (e->sid & ~mask) == (sid & ~mask) && (sm || e->negative || e->did == did);
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

static void exec_ccmd(struct vtd_model *m)
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

static void exec_iotlb_reg(struct vtd_model *m)
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
	case VTD_M_DSC_IEC:
		if (!c->ir)
			return VTD_M_IQEI_TYPE;
		m->stats.iec++;
		break;
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
			if (rd_qwords(m, base + m->iqh, w, dw ? 4u : 2u) != 0) {
				iq_error(m, VTD_M_IQEI_FETCH);
				break;
			}
			unsigned r = exec_desc(m, w, dw);
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

/* ---- GCMD ---------------------------------------------------------------- */

static unsigned popcount32(uint32_t v)
{
	unsigned n = 0;
	for (; v; v &= v - 1)
		n++;
	return n;
}

static void exec_gcmd(struct vtd_model *m, uint32_t val)
{
	uint32_t states = VTD_M_GCMD_TE | VTD_M_GCMD_QIE;
	if (m->cfg.ir)
		states |= VTD_M_GCMD_IRE | VTD_M_GCMD_CFI;
	uint32_t changed = (val ^ m->gsts) & states;
	uint32_t oneshot = val & (VTD_M_GCMD_SRTP | VTD_M_GCMD_WBF | VTD_M_GCMD_SIRTP | VTD_M_GCMD_SFL);
	if (popcount32(changed | oneshot) > 1)
		m->stats.gcmd_multi++;
	uint32_t stuck = m->cfg.gsts_stuck;
	m->gcmd_last = val;

	if (oneshot & VTD_M_GCMD_SRTP) {
		m->gsts &= ~VTD_M_GCMD_SRTP;
		if (!(stuck & VTD_M_GCMD_SRTP)) {
			m->rta_active = m->rtaddr & PAGE_MASK;
			m->ttm_active = (unsigned)(m->rtaddr >> 10) & 3u;
			m->gsts |= VTD_M_GCMD_SRTP;
			m->stats.srtp++;
		}
	}
	if (oneshot & VTD_M_GCMD_WBF) {
		m->stats.wbf++;
		if (!m->cfg.rwbf)
			m->stats.anomalies++;
		if (stuck & VTD_M_GCMD_WBF)
			m->gsts |= VTD_M_GCMD_WBF; /* flush pending, forever */
	}
	if ((oneshot & VTD_M_GCMD_SIRTP) && m->cfg.ir && !(stuck & VTD_M_GCMD_SIRTP))
		m->gsts |= VTD_M_GCMD_SIRTP;
	if ((changed & VTD_M_GCMD_QIE) && !(stuck & VTD_M_GCMD_QIE)) {
		if (!m->cfg.qi) {
			m->stats.anomalies++;
		} else if (val & VTD_M_GCMD_QIE) {
			m->gsts |= VTD_M_GCMD_QIE;
			m->iqh = 0;
			vtd_model_process(m);
		} else {
			if (m->iqh != (m->iqt & UINT64_C(0x7fff0)))
				m->stats.anomalies++;
			m->gsts &= ~VTD_M_GCMD_QIE;
			m->iqh = 0;
		}
	}
	if ((changed & VTD_M_GCMD_TE) && !(stuck & VTD_M_GCMD_TE)) {
		if (m->gsts & VTD_M_GCMD_TE)
			m->stats.te_off++;
		m->gsts ^= VTD_M_GCMD_TE;
	}
	if ((changed & VTD_M_GCMD_IRE) && !(stuck & VTD_M_GCMD_IRE))
		m->gsts ^= VTD_M_GCMD_IRE;
	if ((changed & VTD_M_GCMD_CFI) && !(stuck & VTD_M_GCMD_CFI))
		m->gsts ^= VTD_M_GCMD_CFI;
}

/* ---- MMIO ---------------------------------------------------------------- */

static bool any_pending(const struct vtd_model *m)
{
	for (unsigned i = 0; i < m->cfg.nfr; i++)
		if (m->frcd[i][1] & VTD_M_FRCD_F)
			return true;
	return false;
}

unsigned vtd_model_pending_faults(const struct vtd_model *m)
{
	unsigned n = 0;
	for (unsigned i = 0; i < m->cfg.nfr; i++)
		if (m->frcd[i][1] & VTD_M_FRCD_F)
			n++;
	return n;
}

static uint32_t fsts_value(const struct vtd_model *m)
{
	uint32_t v = m->fsts;
	if (any_pending(m))
		v |= VTD_M_FSTS_PPF | (m->fri & 0xffu) << VTD_M_FSTS_FRI_SHIFT;
	return v;
}

/* 64-bit registers: a pointer to the value, NULL if @base is not one. */
static uint64_t *reg64(struct vtd_model *m, uint64_t base, bool *ro)
{
	*ro = false;
	uint64_t fro = m->cfg.fro, iro = m->cfg.iro;
	if (base >= fro && base < fro + 16u * m->cfg.nfr) {
		uint64_t i = (base - fro) / 16u;
		*ro = ((base - fro) & 8u) == 0;
		return &m->frcd[i][((base - fro) & 8u) ? 1 : 0];
	}
	if (base == iro + VTD_M_IVA_OFF)
		return &m->iva;
	if (base == iro + VTD_M_IOTLB_OFF)
		return &m->iotlb_reg;
	switch (base) {
	case VTD_M_CAP:
		*ro = true;
		return &m->cap;
	case VTD_M_ECAP:
		*ro = true;
		return &m->ecap;
	case VTD_M_RTADDR:
		return &m->rtaddr;
	case VTD_M_CCMD:
		return &m->ccmd;
	case VTD_M_IQH:
		*ro = true;
		return &m->iqh;
	case VTD_M_IQT:
		return &m->iqt;
	case VTD_M_IQA:
		return &m->iqa;
	case VTD_M_IQERCD:
		*ro = true;
		return &m->iqercd;
	case VTD_M_IRTA:
		return &m->irta;
	default:
		return NULL;
	}
}

static uint32_t *reg32(struct vtd_model *m, uint64_t off, bool *ro)
{
	*ro = false;
	switch (off) {
	case VTD_M_VER:
		*ro = true;
		return &m->ver;
	case VTD_M_GCMD:
		return &m->gcmd_last;
	case VTD_M_GSTS:
		*ro = true;
		return &m->gsts;
	case VTD_M_FSTS:
		return &m->fsts;
	case VTD_M_FECTL:
		return &m->fectl;
	case VTD_M_FEDATA:
		return &m->fedata;
	case VTD_M_FEADDR:
		return &m->feaddr;
	case VTD_M_FEUADDR:
		return &m->feuaddr;
	case VTD_M_ICS:
		return &m->ics;
	case VTD_M_IECTL:
		return &m->iectl;
	case VTD_M_IEDATA:
		return &m->iedata;
	case VTD_M_IEADDR:
		return &m->ieaddr;
	case VTD_M_IEUADDR:
		return &m->ieuaddr;
	default:
		return NULL;
	}
}

uint64_t vtd_model_read(struct vtd_model *m, uint64_t off, unsigned size)
{
	if ((size != 4 && size != 8) || (off & (size - 1u)) || off >= VTD_M_MMIO_SIZE) {
		m->stats.bad_accesses++;
		return 0;
	}
	bool ro;
	uint64_t *r64 = reg64(m, off & ~UINT64_C(7), &ro);
	if (r64) {
		if (size == 8)
			return *r64;
		return (off & 4u) ? (*r64 >> 32) : (*r64 & 0xffffffffu);
	}
	if (size != 4) {
		m->stats.bad_accesses++;
		return 0;
	}
	if (off == VTD_M_FSTS)
		return fsts_value(m);
	if (off == VTD_M_GCMD)
		return 0; /* write-only */
	uint32_t *r32 = reg32(m, off, &ro);
	if (!r32) {
		m->stats.bad_accesses++;
		return 0;
	}
	return *r32;
}

static void write64(struct vtd_model *m, uint64_t base, uint64_t *r, uint64_t v, bool lo, bool hi)
{
	uint64_t fro = m->cfg.fro;
	if (base >= fro && base < fro + 16u * m->cfg.nfr) {
		/* upper half of a record: only F is writable (RW1C) */
		if (hi && (v & VTD_M_FRCD_F))
			*r &= ~VTD_M_FRCD_F;
		return;
	}
	*r = v;
	if (r == &m->ccmd && hi)
		exec_ccmd(m);
	else if (r == &m->iotlb_reg && hi)
		exec_iotlb_reg(m);
	else if (r == &m->iqt && lo)
		vtd_model_process(m);
	else if (r == &m->iqa && (m->gsts & VTD_M_GCMD_QIE))
		m->stats.anomalies++;
}

void vtd_model_write(struct vtd_model *m, uint64_t off, uint64_t val, unsigned size)
{
	if ((size != 4 && size != 8) || (off & (size - 1u)) || off >= VTD_M_MMIO_SIZE) {
		m->stats.bad_accesses++;
		return;
	}
	bool ro;
	uint64_t base = off & ~UINT64_C(7);
	uint64_t *r64 = reg64(m, base, &ro);
	if (r64) {
		bool hi = size == 8 || (off & 4u);
		bool lo = size == 8 || !(off & 4u);
		if (ro) {
			m->stats.ro_writes++;
			return;
		}
		uint64_t v;
		if (size == 8)
			v = val;
		else if (off & 4u)
			v = (*r64 & 0xffffffffu) | (val << 32);
		else
			v = (*r64 & ~UINT64_C(0xffffffff)) | (val & 0xffffffffu);
		write64(m, base, r64, v, lo, hi);
		return;
	}
	if (size != 4) {
		m->stats.bad_accesses++;
		return;
	}
	uint32_t v = (uint32_t)val;
	uint32_t *r32 = reg32(m, off, &ro);
	if (!r32) {
		m->stats.bad_accesses++;
		return;
	}
	if (ro) {
		m->stats.ro_writes++;
		return;
	}
	switch (off) {
	case VTD_M_GCMD:
		exec_gcmd(m, v);
		break;
	case VTD_M_FSTS: {
		uint32_t clr = v & (VTD_M_FSTS_PFO | VTD_M_FSTS_IQE | VTD_M_FSTS_ICE | VTD_M_FSTS_ITE);
		bool iqe = (clr & VTD_M_FSTS_IQE) && (m->fsts & VTD_M_FSTS_IQE);
		m->fsts &= ~clr;
		if (iqe)
			vtd_model_process(m);
		break;
	}
	case VTD_M_FECTL:
		m->fectl = (m->fectl & ~VTD_M_CTL_IM) | (v & VTD_M_CTL_IM);
		if (!(v & VTD_M_CTL_IM) && (m->fectl & VTD_M_CTL_IP)) {
			m->fectl &= ~VTD_M_CTL_IP;
			m->stats.fault_irqs++;
		}
		break;
	case VTD_M_IECTL:
		m->iectl = (m->iectl & ~VTD_M_CTL_IM) | (v & VTD_M_CTL_IM);
		if (!(v & VTD_M_CTL_IM))
			m->iectl &= ~VTD_M_CTL_IP;
		break;
	case VTD_M_ICS:
		m->ics &= ~(v & VTD_M_ICS_IWC);
		break;
	default:
		*r32 = v;
		break;
	}
}

/* ---- fault recording ---------------------------------------------------------- */

static void record_fault(struct vtd_model *m, uint16_t sid, uint64_t iova, bool write, uint32_t fr,
			 bool fpd)
{
	m->last.fr = fr;
	if (fpd) {
		m->stats.faults_suppressed++;
		return;
	}
	uint64_t lo = iova & PAGE_MASK;
	uint64_t hi = sid | (uint64_t)(fr & 0xffu) << VTD_M_FRCD_FR_SHIFT | (write ? 0 : VTD_M_FRCD_T1) |
		      VTD_M_FRCD_F;
	if (m->cfg.compress_faults) {
		for (unsigned i = 0; i < m->cfg.nfr; i++) {
			if ((m->frcd[i][1] & VTD_M_FRCD_F) && m->frcd[i][0] == lo && m->frcd[i][1] == hi) {
				m->stats.faults_compressed++;
				return;
			}
		}
	}
	if (m->fsts & VTD_M_FSTS_PFO) {
		m->stats.faults_dropped++;
		return;
	}
	unsigned idx = m->fault_next;
	if (m->frcd[idx][1] & VTD_M_FRCD_F) {
		m->fsts |= VTD_M_FSTS_PFO;
		m->stats.faults_dropped++;
	} else {
		if (!any_pending(m))
			m->fri = idx;
		m->frcd[idx][0] = lo;
		m->frcd[idx][1] = hi;
		m->fault_next = (idx + 1u) % m->cfg.nfr;
		m->stats.faults++;
		m->last.recorded = true;
		m->last.index = idx;
		m->last.rec[0] = lo;
		m->last.rec[1] = hi;
	}
	if (m->fectl & VTD_M_CTL_IM)
		m->fectl |= VTD_M_CTL_IP;
	else
		m->stats.fault_irqs++;
}

/* ---- translation ------------------------------------------------------------ */

struct xlate {
	uint32_t fr;
	bool fpd;
	bool sm;
	uint16_t did;
	uint32_t pasid;
	unsigned kind;	 /* VTD_MODEL_SL / FL, 0: pass-through */
	uint64_t root;	 /* table root */
	unsigned levels;
	bool user_req; /* always true: requests are unprivileged */
};

static bool aw_ok(const struct vtd_model *m, unsigned aw)
{
	return aw >= 1 && aw <= 3 && (m->cfg.sagaw & (1u << aw));
}

static bool did_ok(const struct vtd_model *m, uint64_t did)
{
	return did_bits(m) >= 16 || (did >> did_bits(m)) == 0;
}

/* Legacy root + context entry. */
static uint32_t legacy_ctx(struct vtd_model *m, uint16_t sid, struct vtd_model_ctx_entry *out)
{
	uint64_t re[2];
	memset(out, 0, sizeof(*out));
	out->sid = sid;
	if (rd_qwords(m, m->rta_active + (uint64_t)(sid >> 8) * 16u, re, 2) != 0)
		return VTD_M_FR_ROOT_ACCESS;
	if (!(re[0] & 1u))
		return VTD_M_FR_ROOT_NP;
	if ((re[0] & 0xffeu) || re[1])
		return VTD_M_FR_ROOT_RSVD;
	uint64_t ce[2];
	if (rd_qwords(m, (re[0] & ADDR_MASK) + (uint64_t)(sid & 0xffu) * 16u, ce, 2) != 0)
		return VTD_M_FR_CTX_ACCESS;
	m->stats.ctx_fetches++;
	out->w[0] = ce[0];
	out->w[1] = ce[1];
	if (!(ce[0] & 1u))
		return VTD_M_FR_CTX_NP;
	uint64_t did = (ce[1] >> 8) & 0xffffu;
	if ((ce[0] & 0xff0u) || (ce[1] & (MASK64(63, 24) | BIT64(7))) || !did_ok(m, did))
		return VTD_M_FR_CTX_RSVD;
	unsigned tt = (unsigned)(ce[0] >> 2) & 3u;
	if (tt == 3 || (tt == 2 && !m->cfg.pt) || (tt == 1 && !m->cfg.dt))
		return VTD_M_FR_CTX_INV;
	if (tt != 2 && !aw_ok(m, (unsigned)(ce[1] & 7u)))
		return VTD_M_FR_CTX_INV;
	out->did = (uint16_t)did;
	return 0;
}

/* Scalable root + context entry. */
static uint32_t sm_ctx(struct vtd_model *m, uint16_t sid, struct vtd_model_ctx_entry *out)
{
	uint64_t re[2];
	memset(out, 0, sizeof(*out));
	out->sid = sid;
	if (rd_qwords(m, m->rta_active + (uint64_t)(sid >> 8) * 16u, re, 2) != 0)
		return VTD_M_FR_SM_ROOT_ACCESS;
	uint64_t half = (sid & 0x80u) ? re[1] : re[0];
	if (!(half & 1u))
		return VTD_M_FR_SM_ROOT_NP;
	if (half & 0xffeu)
		return VTD_M_FR_SM_ROOT_RSVD;
	uint64_t ce[4];
	if (rd_qwords(m, (half & ADDR_MASK) + (uint64_t)(sid & 0x7fu) * 32u, ce, 4) != 0)
		return VTD_M_FR_SM_CTX_ACCESS;
	m->stats.ctx_fetches++;
	memcpy(out->w, ce, sizeof(ce));
	if (!(ce[0] & 1u))
		return VTD_M_FR_SM_CTX_NP;
	if ((ce[0] & 0x1e0u) || (ce[1] & MASK64(63, 21)) || ce[2] || ce[3])
		return VTD_M_FR_SM_CTX_RSVD;
	if (((ce[0] & BIT64(2)) && !m->cfg.dt) || (ce[0] & BIT64(4)) ||
	    (!m->cfg.rps && (ce[1] & 0xfffffu)))
		return VTD_M_FR_SM_CTX_INV;
	return 0;
}

static uint32_t sm_pasid(struct vtd_model *m, uint16_t sid, const uint64_t *ce, uint32_t pasid,
			 struct vtd_model_pasid_entry *out)
{
	memset(out, 0, sizeof(*out));
	out->sid = sid;
	out->pasid = pasid;
	unsigned pdts = (unsigned)(ce[0] >> 9) & 7u;
	if ((pasid >> 6) >= (1u << (pdts + 7u)))
		return VTD_M_FR_SM_CTX_INV;
	uint64_t de;
	if (rd_qwords(m, (ce[0] & ADDR_MASK) + (uint64_t)(pasid >> 6) * 8u, &de, 1) != 0)
		return VTD_M_FR_SM_PD_ACCESS;
	if (!(de & 1u))
		return VTD_M_FR_SM_PD_NP;
	if (de & 0xffcu)
		return VTD_M_FR_SM_PD_RSVD;
	uint64_t pe[8];
	if (rd_qwords(m, (de & ADDR_MASK) + (uint64_t)(pasid & 63u) * 64u, pe, 8) != 0)
		return VTD_M_FR_SM_PT_ACCESS;
	m->stats.pasid_fetches++;
	memcpy(out->w, pe, sizeof(pe));
	if (de & 2u)
		out->w[0] |= 2u; /* FPD of the directory entry carries over */
	if (!(pe[0] & 1u))
		return VTD_M_FR_SM_PT_NP;
	uint64_t did = pe[1] & 0xffffu;
	if ((pe[0] & 0xc00u) || (pe[1] & 0x7f0000u) || (pe[2] & 0xf00u) || pe[3] || pe[4] ||
	    pe[5] || pe[6] || pe[7] || !did_ok(m, did))
		return VTD_M_FR_SM_PT_RSVD;
	unsigned pgtt = (unsigned)(pe[0] >> 6) & 7u;
	if (pgtt == 1) {
		unsigned flpm = (unsigned)(pe[2] >> 2) & 3u;
		if (!m->cfg.flts || flpm > 1 || (flpm == 1 && !m->cfg.fl5lp))
			return VTD_M_FR_SM_PT_INV;
	} else if (pgtt == 2) {
		if (!m->cfg.slts || !aw_ok(m, (unsigned)(pe[0] >> 2) & 7u))
			return VTD_M_FR_SM_PT_INV;
	} else if (pgtt != 4 || !m->cfg.pt) {
		return VTD_M_FR_SM_PT_INV;
	}
	out->did = (uint16_t)did;
	return 0;
}

/* Resolve the context (and PASID entry) of @sid into @x. 0 or a fault reason. */
static uint32_t resolve(struct vtd_model *m, uint16_t sid, struct xlate *x)
{
	const struct vtd_model_ctx_entry *ce = NULL;
	struct vtd_model_ctx_entry fresh;
	for (size_t i = 0; i < m->nctx; i++) {
		if (m->ctx[i].sid == sid) {
			ce = &m->ctx[i];
			m->stats.ctx_hits++;
			break;
		}
	}
	if (!ce) {
		uint32_t fr = x->sm ? sm_ctx(m, sid, &fresh) : legacy_ctx(m, sid, &fresh);
		if (fr) {
			if (m->cfg.cm && fr != VTD_M_FR_ROOT_ACCESS && fr != VTD_M_FR_CTX_ACCESS &&
			    fr != VTD_M_FR_SM_ROOT_ACCESS && fr != VTD_M_FR_SM_CTX_ACCESS) {
				fresh.negative = true;
				fresh.fr = fr;
				fresh.did = 0;
				ctx_insert(m, &fresh);
			}
			x->fpd = (fresh.w[0] & 3u) == 3u; /* present with FPD */
			return fr;
		}
		ctx_insert(m, &fresh);
		ce = &fresh;
	}
	if (ce->negative)
		return ce->fr;
	x->fpd = (ce->w[0] & 2u) != 0;
	if (!x->sm) {
		unsigned tt = (unsigned)(ce->w[0] >> 2) & 3u;
		x->did = ce->did;
		if (tt == 2) {
			x->kind = 0;
			return 0;
		}
		x->kind = VTD_MODEL_SL;
		x->root = ce->w[0] & ADDR_MASK;
		x->levels = (unsigned)(ce->w[1] & 7u) + 2u;
		return 0;
	}
	uint64_t cw[4];
	memcpy(cw, ce->w, sizeof(cw));
	uint32_t pasid = (uint32_t)(cw[1] & 0xfffffu);
	x->pasid = pasid;
	const struct vtd_model_pasid_entry *pe = NULL;
	struct vtd_model_pasid_entry pfresh;
	for (size_t i = 0; i < m->npasid; i++) {
		if (m->pasid[i].sid == sid && m->pasid[i].pasid == pasid) {
			pe = &m->pasid[i];
			m->stats.pasid_hits++;
			break;
		}
	}
	if (!pe) {
		uint32_t fr = sm_pasid(m, sid, cw, pasid, &pfresh);
		if (fr) {
			if (m->cfg.cm && fr != VTD_M_FR_SM_PD_ACCESS && fr != VTD_M_FR_SM_PT_ACCESS) {
				pfresh.negative = true;
				pfresh.fr = fr;
				pfresh.did = 0;
				pasid_insert(m, &pfresh);
			}
			x->fpd = x->fpd || (pfresh.w[0] & 3u) == 3u;
			return fr;
		}
		pasid_insert(m, &pfresh);
		pe = &pfresh;
	}
	if (pe->negative)
		return pe->fr;
	x->fpd = x->fpd || (pe->w[0] & 2u) != 0;
	x->did = pe->did;
	unsigned pgtt = (unsigned)(pe->w[0] >> 6) & 7u;
	if (pgtt == 4) {
		x->kind = 0;
	} else if (pgtt == 1) {
		x->kind = VTD_MODEL_FL;
		x->root = pe->w[2] & ADDR_MASK;
		x->levels = ((pe->w[2] >> 2) & 3u) ? 5u : 4u;
	} else {
		x->kind = VTD_MODEL_SL;
		x->root = pe->w[0] & ADDR_MASK;
		x->levels = (unsigned)((pe->w[0] >> 2) & 7u) + 2u;
	}
	return 0;
}

struct walk {
	uint64_t oa; /* output address of the leaf, aligned */
	unsigned size_log2;
	bool r, w, user;
};

static uint32_t walk_sl(struct vtd_model *m, const struct xlate *x, uint64_t iova, struct walk *wk)
{
	uint64_t table = x->root;
	bool r = true, w = true;
	for (unsigned lvl = x->levels; lvl >= 1; lvl--) {
		unsigned shift = 12u + 9u * (lvl - 1u);
		uint64_t pte;
		if (rd_qwords(m, table + ((iova >> shift) & 511u) * 8u, &pte, 1) != 0)
			return x->sm ? VTD_M_FR_SM_SS_ACCESS : VTD_M_FR_PTE_ACCESS;
		if (!(pte & 3u))
			return x->sm ? VTD_M_FR_SM_SS_NP : 0xffu; /* legacy: by access type */
		bool ps = (pte & BIT64(7)) && lvl > 1;
		bool leaf = lvl == 1 || ps;
		uint64_t rsvd = BIT64(62);
		if (!leaf)
			rsvd |= BIT64(11);
		if (!m->cfg.sc)
			rsvd |= BIT64(11);
		if (ps) {
			bool ok = (lvl == 2 && (m->cfg.sllps & 1u)) || (lvl == 3 && (m->cfg.sllps & 2u));
			if (!ok || (pte & ADDR_MASK & ((UINT64_C(1) << shift) - 1)))
				return x->sm ? VTD_M_FR_SM_SS_RSVD : VTD_M_FR_PTE_RSVD;
		}
		if (pte & rsvd)
			return x->sm ? VTD_M_FR_SM_SS_RSVD : VTD_M_FR_PTE_RSVD;
		r = r && (pte & 1u);
		w = w && (pte & 2u);
		if (leaf) {
			wk->oa = pte & ADDR_MASK & ~((UINT64_C(1) << shift) - 1);
			wk->size_log2 = shift;
			wk->r = r;
			wk->w = w;
			wk->user = true;
			return 0;
		}
		table = pte & ADDR_MASK;
	}
	return VTD_M_FR_PTE_RSVD; /* not reached */
}

static uint32_t walk_fl(struct vtd_model *m, const struct xlate *x, uint64_t iova, bool write,
			struct walk *wk)
{
	uint64_t table = x->root;
	bool rw = true, us = true;
	uint64_t at[5];
	uint64_t val[5];
	unsigned n = 0;
	for (unsigned lvl = x->levels; lvl >= 1; lvl--) {
		unsigned shift = 12u + 9u * (lvl - 1u);
		uint64_t addr = table + ((iova >> shift) & 511u) * 8u;
		uint64_t pte;
		if (rd_qwords(m, addr, &pte, 1) != 0)
			return VTD_M_FR_SM_FS_ACCESS;
		if (!(pte & 1u))
			return VTD_M_FR_SM_FS_NP;
		bool ps = (pte & BIT64(7)) && lvl > 1;
		if (ps) {
			bool ok = lvl == 2 || (lvl == 3 && m->cfg.fl1gp);
			if (!ok || (pte & ADDR_MASK & ((UINT64_C(1) << shift) - 1) & ~UINT64_C(0x1fff)))
				return VTD_M_FR_SM_FS_RSVD;
		}
		rw = rw && (pte & 2u);
		us = us && (pte & 4u);
		at[n] = addr;
		val[n] = pte;
		n++;
		if (lvl == 1 || ps) {
			wk->oa = pte & ADDR_MASK & ~((UINT64_C(1) << shift) - 1);
			wk->size_log2 = shift;
			wk->r = true;
			wk->w = rw;
			wk->user = us;
			break;
		}
		table = pte & ADDR_MASK;
	}
	/* accessed (and dirty) flags, when the access is allowed */
	if (m->cfg.fl_set_ad && wk->user && (!write || wk->w)) {
		for (unsigned i = 0; i < n; i++) {
			uint64_t nv = val[i] | BIT64(5);
			if (i == n - 1 && write)
				nv |= BIT64(6);
			if (nv != val[i] && wr_qword(m, at[i], nv) != 0)
				m->stats.anomalies++;
		}
	}
	return 0;
}

/* Permission check of a leaf; 0 or the fault. */
static uint32_t perm_fault(const struct xlate *x, const struct walk *wk, bool write)
{
	if (x->kind == VTD_MODEL_FL) {
		if (!wk->user)
			return VTD_M_FR_SM_PRIV;
		if (write && !wk->w)
			return VTD_M_FR_SM_WRITE;
		return 0;
	}
	if (write && !wk->w)
		return x->sm ? VTD_M_FR_SM_WRITE : VTD_M_FR_WRITE;
	if (!write && !wk->r)
		return x->sm ? VTD_M_FR_SM_READ : VTD_M_FR_READ;
	return 0;
}

static uint32_t translate_page(struct vtd_model *m, uint16_t sid, uint64_t iova, bool write,
			       uint64_t *pa, bool *fpd)
{
	*fpd = false;
	if (!(m->gsts & VTD_M_GCMD_TE)) {
		*pa = iova;
		return 0;
	}
	struct xlate x;
	memset(&x, 0, sizeof(x));
	if (m->ttm_active == VTD_M_TTM_ABORT || m->ttm_active == 2u ||
	    (m->ttm_active == VTD_M_TTM_SCALABLE && !m->cfg.smts))
		return VTD_M_FR_SM_TTM;
	x.sm = m->ttm_active == VTD_M_TTM_SCALABLE;
	uint32_t fr = resolve(m, sid, &x);
	*fpd = x.fpd;
	if (fr)
		return fr;
	if (x.kind == 0) {
		*pa = iova;
		return 0;
	}
	/* input address checks */
	if (x.kind == VTD_MODEL_SL) {
		unsigned aw = 12u + 9u * x.levels;
		if (aw > m->cfg.mgaw)
			aw = m->cfg.mgaw;
		if (aw < 64 && (iova >> aw))
			return x.sm ? VTD_M_FR_SM_BEYOND : VTD_M_FR_ADDR_BEYOND;
	} else {
		unsigned va = 12u + 9u * x.levels;
		uint64_t top = iova >> (va - 1u);
		if (top != 0 && top != (~UINT64_C(0) >> (va - 1u)))
			return VTD_M_FR_SM_CANONICAL;
	}
	/* IOTLB */
	for (size_t i = 0; i < m->ntlb; i++) {
		const struct vtd_model_iotlb_entry *t = &m->tlb[i];
		if (t->kind != x.kind || t->did != x.did || (x.kind == VTD_MODEL_FL && t->pasid != x.pasid))
			continue;
		uint64_t size = UINT64_C(1) << t->size_log2;
		if ((iova & ~(size - 1)) != t->ia)
			continue;
		m->stats.iotlb_hits++;
		if (t->negative)
			return t->fr == 0xffu ? (write ? VTD_M_FR_WRITE : VTD_M_FR_READ) : t->fr;
		struct walk wk = {t->oa, t->size_log2, t->r, t->w, t->user};
		fr = perm_fault(&x, &wk, write);
		if (fr)
			return fr;
		*pa = t->oa | (iova & (size - 1));
		return 0;
	}
	m->stats.iotlb_misses++;
	struct walk wk;
	memset(&wk, 0, sizeof(wk));
	fr = x.kind == VTD_MODEL_SL ? walk_sl(m, &x, iova, &wk) : walk_fl(m, &x, iova, write, &wk);
	if (fr) {
		bool not_present = fr == 0xffu || fr == VTD_M_FR_SM_SS_NP || fr == VTD_M_FR_SM_FS_NP;
		if (m->cfg.cm && not_present) {
			struct vtd_model_iotlb_entry e;
			memset(&e, 0, sizeof(e));
			e.kind = (uint8_t)x.kind;
			e.negative = true;
			e.size_log2 = 12;
			e.did = x.did;
			e.pasid = x.pasid;
			e.ia = iova & PAGE_MASK;
			e.fr = fr;
			tlb_insert(m, &e);
		}
		if (fr == 0xffu)
			fr = write ? VTD_M_FR_WRITE : VTD_M_FR_READ;
		return fr;
	}
	struct vtd_model_iotlb_entry e;
	memset(&e, 0, sizeof(e));
	e.kind = (uint8_t)x.kind;
	e.r = wk.r;
	e.w = wk.w;
	e.user = wk.user;
	e.size_log2 = (uint8_t)wk.size_log2;
	e.did = x.did;
	e.pasid = x.kind == VTD_MODEL_FL ? x.pasid : 0;
	e.ia = iova & ~((UINT64_C(1) << wk.size_log2) - 1);
	e.oa = wk.oa;
	tlb_insert(m, &e);
	fr = perm_fault(&x, &wk, write);
	if (fr)
		return fr;
	*pa = wk.oa | (iova & ((UINT64_C(1) << wk.size_log2) - 1));
	return 0;
}

int vtd_model_dma(struct vtd_model *m, uint16_t sid, uint64_t iova, uint64_t len, bool write,
		  uint64_t *pa_out)
{
	memset(&m->last, 0, sizeof(m->last));
	if (len == 0)
		len = 1;
	uint64_t last = iova + (len - 1);
	if (last < iova)
		last = ~UINT64_C(0);
	uint64_t pa = 0;
	uint64_t page = iova;
	for (;;) {
		uint64_t out = 0;
		bool fpd = false;
		uint32_t fr = translate_page(m, sid, page, write, &out, &fpd);
		if (fr) {
			record_fault(m, sid, page, write, fr, fpd);
			m->stats.dma_faults++;
			return (int)fr;
		}
		if (page == iova)
			pa = out;
		uint64_t next = (page & PAGE_MASK) + 4096u;
		if (next <= page || next > last)
			break;
		page = next;
	}
	m->stats.dma_ok++;
	if (pa_out)
		*pa_out = pa;
	return 0;
}

const struct vtd_model_fault *vtd_model_last_fault(const struct vtd_model *m)
{
	return &m->last;
}
