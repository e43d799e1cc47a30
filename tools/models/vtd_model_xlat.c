/* SPDX-License-Identifier: BSD-3-Clause */
/* VT-d model: GCMD, MMIO registers, fault recording and translation; see vtd_model.h. */
#include "vtd_model_internal.h"

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
	uint32_t oneshot =
	    val & (VTD_M_GCMD_SRTP | VTD_M_GCMD_WBF | VTD_M_GCMD_SIRTP | VTD_M_GCMD_SFL);
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
	if ((oneshot & VTD_M_GCMD_SIRTP) && m->cfg.ir && !(stuck & VTD_M_GCMD_SIRTP)) {
		m->irta_active = m->irta;
		if ((m->irta & BIT64(11)) && !m->cfg.eim)
			m->stats.anomalies++; /* EIME on a unit without ECAP.EIM */
		m->gsts |= VTD_M_GCMD_SIRTP;
		m->stats.sirtp++;
	}
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
	if ((changed & VTD_M_GCMD_IRE) && !(stuck & VTD_M_GCMD_IRE)) {
		if ((val & VTD_M_GCMD_IRE) && !(m->gsts & VTD_M_GCMD_SIRTP))
			m->stats.anomalies++; /* IR enabled before a table pointer was set */
		m->gsts ^= VTD_M_GCMD_IRE;
	}
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
		vtd_m_exec_ccmd(m);
	else if (r == &m->iotlb_reg && hi)
		vtd_m_exec_iotlb_reg(m);
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
		uint32_t clr =
		    v & (VTD_M_FSTS_PFO | VTD_M_FSTS_IQE | VTD_M_FSTS_ICE | VTD_M_FSTS_ITE);
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
	vtd_m_record_fault_raw(m, sid, iova & PAGE_MASK, write, fr, fpd);
}

void vtd_m_record_fault_raw(struct vtd_model *m, uint16_t sid, uint64_t lo, bool write,
			    uint32_t fr, bool fpd)
{
	m->last.fr = fr;
	if (fpd) {
		m->stats.faults_suppressed++;
		return;
	}
	uint64_t hi = sid | (uint64_t)(fr & 0xffu) << VTD_M_FRCD_FR_SHIFT |
		      (write ? 0 : VTD_M_FRCD_T1) | VTD_M_FRCD_F;
	if (m->cfg.compress_faults) {
		for (unsigned i = 0; i < m->cfg.nfr; i++) {
			if ((m->frcd[i][1] & VTD_M_FRCD_F) && m->frcd[i][0] == lo &&
			    m->frcd[i][1] == hi) {
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
	unsigned kind; /* VTD_MODEL_SL / FL, 0: pass-through */
	uint64_t root; /* table root */
	unsigned levels;
	bool user_req; /* always true: requests are unprivileged */
	bool snoop;    /* paging-structure walks are coherent */
};

static bool aw_ok(const struct vtd_model *m, unsigned aw)
{
	return aw >= 1 && aw <= 3 && (m->cfg.sagaw & (1u << aw));
}

static bool did_ok(const struct vtd_model *m, uint64_t did)
{
	return vtd_m_did_bits(m) >= 16 || (did >> vtd_m_did_bits(m)) == 0;
}

/* Legacy root + context entry. */
static uint32_t legacy_ctx(struct vtd_model *m, uint16_t sid, struct vtd_model_ctx_entry *out)
{
	uint64_t re[2];
	memset(out, 0, sizeof(*out));
	out->sid = sid;
	if (vtd_m_rd_walk(m, m->rta_active + (uint64_t)(sid >> 8) * 16u, re, 2, m->cfg.c) != 0)
		return VTD_M_FR_ROOT_ACCESS;
	if (!(re[0] & 1u))
		return VTD_M_FR_ROOT_NP;
	if ((re[0] & 0xffeu) || re[1])
		return VTD_M_FR_ROOT_RSVD;
	uint64_t ce[2];
	if (vtd_m_rd_walk(m, (re[0] & ADDR_MASK) + (uint64_t)(sid & 0xffu) * 16u, ce, 2,
			  m->cfg.c) != 0)
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
	if (vtd_m_rd_walk(m, m->rta_active + (uint64_t)(sid >> 8) * 16u, re, 2, m->cfg.c) != 0)
		return VTD_M_FR_SM_ROOT_ACCESS;
	uint64_t half = (sid & 0x80u) ? re[1] : re[0];
	if (!(half & 1u))
		return VTD_M_FR_SM_ROOT_NP;
	if (half & 0xffeu)
		return VTD_M_FR_SM_ROOT_RSVD;
	uint64_t ce[4];
	if (vtd_m_rd_walk(m, (half & ADDR_MASK) + (uint64_t)(sid & 0x7fu) * 32u, ce, 4,
			  m->cfg.c) != 0)
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
	if (vtd_m_rd_walk(m, (ce[0] & ADDR_MASK) + (uint64_t)(pasid >> 6) * 8u, &de, 1,
			  m->cfg.c) != 0)
		return VTD_M_FR_SM_PD_ACCESS;
	if (!(de & 1u))
		return VTD_M_FR_SM_PD_NP;
	if (de & 0xffcu)
		return VTD_M_FR_SM_PD_RSVD;
	uint64_t pe[8];
	if (vtd_m_rd_walk(m, (de & ADDR_MASK) + (uint64_t)(pasid & 63u) * 64u, pe, 8,
			  m->cfg.c) != 0)
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
				vtd_m_ctx_insert(m, &fresh);
			}
			x->fpd = (fresh.w[0] & 3u) == 3u; /* present with FPD */
			return fr;
		}
		vtd_m_ctx_insert(m, &fresh);
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
		x->snoop = m->cfg.c;
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
			if (m->cfg.cm && fr != VTD_M_FR_SM_PD_ACCESS &&
			    fr != VTD_M_FR_SM_PT_ACCESS) {
				pfresh.negative = true;
				pfresh.fr = fr;
				pfresh.did = 0;
				vtd_m_pasid_insert(m, &pfresh);
			}
			x->fpd = x->fpd || (pfresh.w[0] & 3u) == 3u;
			return fr;
		}
		vtd_m_pasid_insert(m, &pfresh);
		pe = &pfresh;
	}
	if (pe->negative)
		return pe->fr;
	x->fpd = x->fpd || (pe->w[0] & 2u) != 0;
	x->did = pe->did;
	/* Scalable mode: paging structures snoop with ECAP.SMPWC and PWSNP (bit 87). */
	x->snoop = m->cfg.smpwc && (pe->w[1] & BIT64(23));
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
		if (vtd_m_rd_walk(m, table + ((iova >> shift) & 511u) * 8u, &pte, 1, x->snoop) != 0)
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
			bool ok =
			    (lvl == 2 && (m->cfg.sllps & 1u)) || (lvl == 3 && (m->cfg.sllps & 2u));
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
		if (vtd_m_rd_walk(m, addr, &pte, 1, x->snoop) != 0)
			return VTD_M_FR_SM_FS_ACCESS;
		if (!(pte & 1u))
			return VTD_M_FR_SM_FS_NP;
		bool ps = (pte & BIT64(7)) && lvl > 1;
		if (ps) {
			bool ok = lvl == 2 || (lvl == 3 && m->cfg.fl1gp);
			if (!ok ||
			    (pte & ADDR_MASK & ((UINT64_C(1) << shift) - 1) & ~UINT64_C(0x1fff)))
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
			uint64_t cur = val[i];
			/* A non-coherent walker sets the flags in memory as it is now. */
			if (!x->snoop && m->cfg.dram && vtd_m_rd_qwords(m, at[i], &cur, 1) != 0)
				cur = val[i];
			if (nv != val[i] && vtd_m_wr_qword(m, at[i], cur | (nv ^ val[i])) != 0)
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
		if (t->kind != x.kind || t->did != x.did ||
		    (x.kind == VTD_MODEL_FL && t->pasid != x.pasid))
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
		bool not_present =
		    fr == 0xffu || fr == VTD_M_FR_SM_SS_NP || fr == VTD_M_FR_SM_FS_NP;
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
			vtd_m_tlb_insert(m, &e);
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
	vtd_m_tlb_insert(m, &e);
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
