/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RISC-V IOMMU model: locating the device context (specification, "Process
 * to locate the Device-context"), its checks, and the translation of a
 * transaction ("Process to translate an IOVA") with the IOTLB.
 */
#include <string.h>

#include "riscv_model_internal.h"
#include "rv_walker.h"

/* ---- device directory ------------------------------------------------------- */

static bool ext_dc(const struct riscv_model *m)
{
	return (m->caps & RISCV_M_CAP_MSI_FLAT) != 0;
}

/* Width of a guest-physical address for the MSI address mask and pattern. */
static unsigned mgpaw(const struct riscv_model *m)
{
	if (m->caps & RISCV_M_CAP_SV57X4)
		return 59;
	if (m->caps & RISCV_M_CAP_SV48X4)
		return 50;
	if (m->caps & RISCV_M_CAP_SV39X4)
		return 41;
	return m->pas;
}

/* Device-context configuration checks: 0 or 259. */
static uint32_t dc_check(const struct riscv_model *m, const uint64_t *dc)
{
	uint64_t tc = dc[0], gatp = dc[1], ta = dc[2], fsc = dc[3];
	if (tc >> 12)
		return RISCV_M_CAUSE_DDT_MISCONF;
	if ((tc & RISCV_M_TC_EN_ATS) && !(m->caps & RISCV_M_CAP_ATS))
		return RISCV_M_CAUSE_DDT_MISCONF;
	if ((tc & RISCV_M_TC_EN_PRI) && !(tc & RISCV_M_TC_EN_ATS))
		return RISCV_M_CAUSE_DDT_MISCONF;
	if ((tc & RISCV_M_TC_PRPR) && !(tc & RISCV_M_TC_EN_PRI))
		return RISCV_M_CAUSE_DDT_MISCONF;
	/* no T2GPA, PDT, hardware A/D or Sv32 in this model (refused in the capabilities) */
	if (tc & (RISCV_M_TC_T2GPA | RISCV_M_TC_PDTV | RISCV_M_TC_DPE | RISCV_M_TC_GADE |
		  RISCV_M_TC_SADE | RISCV_M_TC_SXL))
		return RISCV_M_CAUSE_DDT_MISCONF;
	bool sbe = (tc & RISCV_M_TC_SBE) != 0, be = (m->fctl & RISCV_M_FCTL_BE) != 0;
	if (sbe != be && !(m->caps & RISCV_M_CAP_END))
		return RISCV_M_CAUSE_DDT_MISCONF;
	if (sbe)
		return RISCV_M_CAUSE_DDT_MISCONF; /* big-endian tables: not modelled */
	unsigned gmode = (unsigned)(gatp >> RISCV_M_ATP_MODE_SHIFT);
	if (gmode != RISCV_M_ATP_BARE) {
		if (gmode < RISCV_M_ATP_SV39 || gmode > RISCV_M_ATP_SV57 ||
		    !(m->caps & (RISCV_M_CAP_SV39X4 << (gmode - RISCV_M_ATP_SV39))))
			return RISCV_M_CAUSE_DDT_MISCONF;
		if (gatp & 3u) /* the root is 16 KiB */
			return RISCV_M_CAUSE_DDT_MISCONF;
	}
	if ((ta & 0xfffu) || (ta >> 32))
		return RISCV_M_CAUSE_DDT_MISCONF;
	unsigned smode = (unsigned)(fsc >> RISCV_M_ATP_MODE_SHIFT);
	if (fsc & (0xffffull << 44))
		return RISCV_M_CAUSE_DDT_MISCONF;
	if (smode != RISCV_M_ATP_BARE &&
	    (smode < RISCV_M_ATP_SV39 || smode > RISCV_M_ATP_SV57 ||
	     !(m->caps & (RISCV_M_CAP_SV39 << (smode - RISCV_M_ATP_SV39)))))
		return RISCV_M_CAUSE_DDT_MISCONF;
	if (ext_dc(m)) {
		unsigned msimode = (unsigned)(dc[4] >> 60);
		if (msimode > 1 || (dc[4] & (0xffffull << 44)) || (dc[5] >> 52) || (dc[6] >> 52) ||
		    dc[7])
			return RISCV_M_CAUSE_DDT_MISCONF;
		/* no GSCID to tag MSI translations with ("must be set to Off") */
		if (msimode && gmode == RISCV_M_ATP_BARE)
			return RISCV_M_CAUSE_DDT_MISCONF;
		unsigned top = mgpaw(m) - 12u; /* bits 51:MGPAW-12 are reserved */
		if (top < 52 && ((dc[5] | dc[6]) >> top))
			return RISCV_M_CAUSE_DDT_MISCONF;
	}
	return 0;
}

/* Locate the DC of @did: 0 and @dc filled, or a cause. */
static uint32_t ddt_locate(struct riscv_model *m, uint32_t did, uint64_t *dc)
{
	for (unsigned i = 0; i < RISCV_MODEL_DC_MAX; i++)
		if (m->dcc[i].valid && m->dcc[i].did == did) {
			memcpy(dc, m->dcc[i].dc, sizeof(m->dcc[i].dc));
			m->stats.dc_hits++;
			return 0;
		}
	bool ext = ext_dc(m);
	unsigned mode = (unsigned)(m->ddtp & RISCV_M_DDTP_MODE_MASK);
	unsigned levels = mode - 1u; /* 1LVL .. 3LVL */
	unsigned ddi[3], width;
	if (ext) {
		ddi[0] = did & 0x3fu;
		ddi[1] = (did >> 6) & 0x1ffu;
		ddi[2] = (did >> 15) & 0x1ffu;
		width = levels == 1 ? 6u : levels == 2 ? 15u : 24u;
	} else {
		ddi[0] = did & 0x7fu;
		ddi[1] = (did >> 7) & 0x1ffu;
		ddi[2] = (did >> 16) & 0xffu;
		width = levels == 1 ? 7u : levels == 2 ? 16u : 24u;
	}
	if (did >> width)
		return RISCV_M_CAUSE_TTYP_DISALLOWED;
	m->stats.ddt_walks++;
	uint64_t a = ((m->ddtp & RISCV_M_PPN_MASK) >> RISCV_M_PPN_SHIFT) << 12;
	for (unsigned i = levels - 1u; i >= 1u; i--) {
		uint8_t b[8];
		if (riscv_m_walk_mem(m, a + (uint64_t)ddi[i] * 8u, b, 8))
			return RISCV_M_CAUSE_DDT_LOAD;
		uint64_t e = riscv_m_ld64(b);
		if (!(e & 1u))
			return RISCV_M_CAUSE_DDT_INVALID;
		if (e & (0x1ffull << 1 | 0x3ffull << 54))
			return RISCV_M_CAUSE_DDT_MISCONF;
		a = ((e & RISCV_M_PPN_MASK) >> RISCV_M_PPN_SHIFT) << 12;
	}
	size_t dcsize = ext ? 64u : 32u;
	uint8_t b[64];
	if (riscv_m_walk_mem(m, a + (uint64_t)ddi[0] * dcsize, b, dcsize))
		return RISCV_M_CAUSE_DDT_LOAD;
	memset(dc, 0, 8 * sizeof(uint64_t));
	for (size_t i = 0; i < dcsize / 8u; i++)
		dc[i] = riscv_m_ld64(b + 8u * i);
	if (!(dc[0] & RISCV_M_TC_V))
		return RISCV_M_CAUSE_DDT_INVALID;
	uint32_t c = dc_check(m, dc);
	if (c)
		return c;
	/* only valid, well-formed contexts are cached */
	struct riscv_model_dc_entry *e = &m->dcc[m->dcc_next];
	m->dcc_next = (m->dcc_next + 1u) % RISCV_MODEL_DC_MAX;
	e->valid = true;
	e->did = did;
	memcpy(e->dc, dc, sizeof(e->dc));
	return 0;
}

/* ---- translation -------------------------------------------------------------- */

static uint32_t cause_of(unsigned acc, uint32_t page_r, uint32_t page_w, uint32_t page_x)
{
	if (acc & RISCV_MODEL_ACC_W)
		return page_w;
	if (acc & RISCV_MODEL_ACC_X)
		return page_x;
	return page_r;
}

static uint32_t page_fault(unsigned acc)
{
	return cause_of(acc, RISCV_M_CAUSE_READ_PAGE, RISCV_M_CAUSE_WRITE_PAGE,
			RISCV_M_CAUSE_INST_PAGE);
}

static uint32_t guest_fault(unsigned acc)
{
	return cause_of(acc, RISCV_M_CAUSE_READ_GUEST, RISCV_M_CAUSE_WRITE_GUEST,
			RISCV_M_CAUSE_INST_GUEST);
}

static uint32_t access_fault(unsigned acc)
{
	return cause_of(acc, RISCV_M_CAUSE_READ_ACCESS, RISCV_M_CAUSE_WRITE_ACCESS,
			RISCV_M_CAUSE_INST_ACCESS);
}

struct xl {
	struct riscv_model *m;
	unsigned acc;
	bool g_on;
	struct rw_walker gw;
	/* set by the read callbacks */
	uint32_t cause;
	uint64_t iotval2;
};

static int read_pa(void *ctx, uint64_t pa, uint64_t *val)
{
	struct xl *x = ctx;
	uint8_t b[8];
	if (riscv_m_walk_mem(x->m, pa, b, 8)) {
		x->cause = access_fault(x->acc);
		return -1;
	}
	*val = riscv_m_ld64(b);
	return 0;
}

/* G-stage translation of @gpa: 0 with *pa and *leaf, or a cause (x->iotval2 set). */
static uint32_t g_xlat(struct xl *x, uint64_t gpa, bool implicit, uint64_t *pa,
		       struct rw_leaf *leaf)
{
	x->cause = 0;
	int r = rw_translate(&x->gw, gpa, leaf);
	if (r == RW_BAD && x->cause == 0) {
		memcpy(x->m->err, x->gw.err, sizeof(x->m->err) - 1u);
		x->m->err[sizeof(x->m->err) - 1u] = 0;
	}
	if (r != RW_OK) {
		if (x->cause) /* a G-stage table read failed */
			return x->cause;
		x->iotval2 = (gpa & ~3ull) | (implicit ? 1u : 0u);
		return guest_fault(x->acc);
	}
	bool ok = leaf->a && leaf->u;
	if (implicit)
		ok = ok && leaf->r;
	else if (x->acc & RISCV_MODEL_ACC_W)
		ok = ok && leaf->w && leaf->d;
	else if (x->acc & RISCV_MODEL_ACC_X)
		ok = ok && leaf->x;
	else
		ok = ok && leaf->r;
	if (!ok) {
		x->iotval2 = (gpa & ~3ull) | (implicit ? 1u : 0u);
		return guest_fault(x->acc);
	}
	*pa = leaf->oa + (gpa - leaf->iova);
	if (x->m->pas < 64 && (*pa >> x->m->pas))
		return access_fault(x->acc);
	return 0;
}

/* First-stage table reads at guest-physical addresses. */
static int read_gpa(void *ctx, uint64_t gpa, uint64_t *val)
{
	struct xl *x = ctx;
	uint64_t pa;
	struct rw_leaf gl;
	uint32_t c = g_xlat(x, gpa, true, &pa, &gl);
	if (c) {
		x->cause = c;
		return -1;
	}
	return read_pa(ctx, pa, val);
}

static bool leaf_allows(const struct rw_leaf *l, unsigned acc)
{
	bool priv = (acc & RISCV_MODEL_ACC_PRIV) != 0;
	if (!l->a || l->u == priv)
		return false;
	if (acc & RISCV_MODEL_ACC_W)
		return l->w && l->d;
	if (acc & RISCV_MODEL_ACC_X)
		return l->x;
	return l->r;
}

static bool tlb_allows(const struct riscv_model_tlb_entry *e, unsigned acc)
{
	if (e->kind != RISCV_MODEL_TLB_G && e->u == ((acc & RISCV_MODEL_ACC_PRIV) != 0))
		return false;
	if (acc & RISCV_MODEL_ACC_W)
		return e->w;
	if (acc & RISCV_MODEL_ACC_X)
		return e->x;
	return e->r;
}

static struct riscv_model_tlb_entry *tlb_find(struct riscv_model *m, unsigned kind, uint32_t gscid,
					      uint32_t pscid, uint64_t va)
{
	for (unsigned i = 0; i < RISCV_MODEL_TLB_MAX; i++) {
		struct riscv_model_tlb_entry *e = &m->tlb[i];
		if (!e->valid || e->kind != kind || va < e->va || va - e->va >= e->size)
			continue;
		if (kind != RISCV_MODEL_TLB_S1 && e->gscid != gscid)
			continue;
		if (kind != RISCV_MODEL_TLB_G && e->pscid != pscid)
			continue;
		return e;
	}
	return NULL;
}

static void tlb_fill(struct riscv_model *m, const struct riscv_model_tlb_entry *n)
{
	unsigned slot = RISCV_MODEL_TLB_MAX;
	for (unsigned i = 0; i < RISCV_MODEL_TLB_MAX; i++)
		if (!m->tlb[i].valid) {
			slot = i;
			break;
		}
	if (slot == RISCV_MODEL_TLB_MAX) {
		slot = m->tlb_next;
		m->tlb_next = (m->tlb_next + 1u) % RISCV_MODEL_TLB_MAX;
	}
	m->tlb[slot] = *n;
	m->tlb[slot].valid = true;
}

static unsigned levels_of(unsigned mode)
{
	return mode - RISCV_M_ATP_SV39 + 3u;
}

/* extract(x, y): the bits of @x under @y, packed at the low end in order. */
static uint64_t extract(uint64_t x, uint64_t y)
{
	uint64_t out = 0;
	unsigned k = 0;
	for (unsigned b = 0; b < 64; b++)
		if ((y >> b) & 1u)
			out |= ((x >> b) & 1u) << k++;
	return out;
}

/* Whether @gpa is a virtual interrupt file's page under the DC's MSI fields. */
static bool msi_match(const struct riscv_model *m, const uint64_t *dc, uint64_t gpa)
{
	if (!ext_dc(m) || (dc[4] >> 60) != 1u)
		return false;
	uint64_t mask = dc[5];
	return ((gpa >> 12) & ~mask) == (dc[6] & ~mask);
}

/*
 * MSI translation of @gpa through the flat MSI page table ("Process to
 * translate addresses of MSIs", basic translate mode): 0 and *pa, or a cause.
 */
static uint32_t msi_xlat(struct riscv_model *m, const uint64_t *dc, uint64_t gpa, unsigned acc,
			 uint64_t *pa)
{
	uint64_t i = extract(gpa >> 12, dc[5]);
	uint64_t a = ((dc[4] & RISCV_M_ATP_PPN_MASK) << 12) | (i * 16u);
	uint8_t b[16];
	if (riscv_m_walk_mem(m, a, b, sizeof(b)))
		return RISCV_M_CAUSE_MSI_LOAD;
	uint64_t pte = riscv_m_ld64(b);
	if (!(pte & 1u))
		return RISCV_M_CAUSE_MSI_INVALID;
	/* C = 1 (implementation defined here: refused), M = 3 only, bits 9:3 and 62:54 reserved */
	if ((pte >> 63) || ((pte >> 1) & 3u) != 3u || (pte & (0x7full << 3 | 0x1ffull << 54)))
		return RISCV_M_CAUSE_MSI_MISCONF;
	if (acc & RISCV_MODEL_ACC_X)
		return RISCV_M_CAUSE_INST_ACCESS;
	*pa = (((pte >> 10) & ((1ull << 44) - 1u)) << 12) | (gpa & 0xfffu);
	if (m->pas < 64 && (*pa >> m->pas))
		return access_fault(acc);
	return 0;
}

/* MSI translation of @gpa (the output of @iova's first stage, or @iova itself) and the
 * IOTLB entry of its page, @n: R = W = U = 1, X = 0, tagged like G-stage or nested ones. */
static uint32_t msi_entry(struct riscv_model *m, const uint64_t *dc, uint64_t iova, uint64_t gpa,
			  unsigned acc, uint64_t *pa, struct riscv_model_tlb_entry *n)
{
	uint32_t c = msi_xlat(m, dc, gpa, acc, pa);
	if (c)
		return c;
	n->va = iova & ~0xfffull;
	n->size = 4096;
	n->pa = *pa & ~0xfffull;
	n->gpa = gpa & ~0xfffull;
	n->gsize = 4096;
	return 0;
}

/* Translate through the DC: 0 and *pa, or a cause (iotval2 in *iotval2). */
static uint32_t translate(struct riscv_model *m, const uint64_t *dc, uint64_t iova, unsigned acc,
			  uint64_t *pa, uint64_t *iotval2)
{
	uint64_t gatp = dc[1], fsc = dc[3];
	unsigned gmode = (unsigned)(gatp >> RISCV_M_ATP_MODE_SHIFT);
	unsigned smode = (unsigned)(fsc >> RISCV_M_ATP_MODE_SHIFT);
	uint32_t gscid = (uint32_t)((gatp >> RISCV_M_ATP_GSCID_SHIFT) & 0xffffu);
	uint32_t pscid = (uint32_t)((dc[2] >> RISCV_M_TA_PSCID_SHIFT) & 0xfffffu);
	if (gmode == RISCV_M_ATP_BARE && smode == RISCV_M_ATP_BARE) {
		*pa = iova;
		if (m->pas < 64 && (iova >> m->pas))
			return access_fault(acc);
		return 0;
	}
	unsigned kind = gmode == RISCV_M_ATP_BARE   ? RISCV_MODEL_TLB_S1
			: smode == RISCV_M_ATP_BARE ? RISCV_MODEL_TLB_G
						    : RISCV_MODEL_TLB_NESTED;
	struct riscv_model_tlb_entry *hit = tlb_find(m, kind, gscid, pscid, iova);
	if (hit && tlb_allows(hit, acc)) {
		m->stats.tlb_hits++;
		*pa = hit->pa + (iova - hit->va);
		return 0;
	}
	m->stats.tlb_misses++;
	if (hit) /* refetched: the walk's result replaces it */
		hit->valid = false;

	static const struct xl zero;
	struct xl x = zero;
	x.m = m;
	x.acc = acc;
	x.g_on = gmode != RISCV_M_ATP_BARE;
	unsigned pa_bits = m->pas;
	if (x.g_on) {
		struct rw_config gc = {0};
		gc.stage = RW_GSTAGE;
		gc.levels = levels_of(gmode);
		gc.pa_bits = pa_bits;
		gc.root_pa = (gatp & RISCV_M_ATP_PPN_MASK) << 12;
		gc.require_u = true;
		gc.read = read_pa;
		gc.ctx = &x;
		if (rw_init(&x.gw, &gc) != RW_OK) {
			memcpy(m->err, x.gw.err, sizeof(m->err) - 1u);
			return access_fault(acc); /* root beyond PAS */
		}
	}
	struct riscv_model_tlb_entry n;
	memset(&n, 0, sizeof(n));
	n.kind = kind;
	n.gscid = gscid;
	n.pscid = pscid;
	if (smode != RISCV_M_ATP_BARE) {
		struct rw_walker sw;
		struct rw_config sc = {0};
		struct rw_leaf l;
		sc.stage = RW_FIRST;
		sc.levels = levels_of(smode);
		sc.pa_bits = x.g_on ? 56u : pa_bits; /* GPAs are checked by the G-stage */
		sc.root_pa = (fsc & RISCV_M_ATP_PPN_MASK) << 12;
		sc.read = x.g_on ? read_gpa : read_pa;
		sc.ctx = &x;
		if (rw_init(&sw, &sc) != RW_OK) {
			memcpy(m->err, sw.err, sizeof(m->err) - 1u);
			return access_fault(acc);
		}
		x.cause = 0;
		int r = rw_translate(&sw, iova, &l);
		if (r != RW_OK) {
			if (x.cause) {
				*iotval2 = x.iotval2;
				return x.cause;
			}
			if (r == RW_BAD)
				memcpy(m->err, sw.err, sizeof(m->err) - 1u);
			return page_fault(acc);
		}
		if (!leaf_allows(&l, acc))
			return page_fault(acc);
		uint64_t gpa = l.oa + (iova - l.iova);
		n.global = l.g;
		n.u = l.u;
		n.r = l.r;
		n.w = l.w && l.d;
		n.x = l.x;
		n.va = l.iova;
		n.size = l.size;
		n.pa = l.oa;
		if (x.g_on && msi_match(m, dc, gpa)) {
			uint32_t c = msi_entry(m, dc, iova, gpa, acc, pa, &n);
			if (c)
				return c;
			n.x = false; /* the first stage's R, W and U stay */
		} else if (x.g_on) {
			struct rw_leaf gl;
			uint64_t out;
			uint32_t c = g_xlat(&x, gpa, false, &out, &gl);
			if (c) {
				*iotval2 = x.iotval2;
				return c;
			}
			*pa = out;
			/* the combined entry covers the smaller of the two leaves */
			uint64_t size = l.size < gl.size ? l.size : gl.size;
			n.va = iova & ~(size - 1u);
			n.size = size;
			n.pa = out - (iova - n.va);
			n.gpa = gl.iova;
			n.gsize = gl.size;
			n.r = n.r && gl.r;
			n.w = n.w && gl.w && gl.d;
			n.x = n.x && gl.x;
		} else {
			*pa = gpa;
			if (m->pas < 64 && (gpa >> m->pas))
				return access_fault(acc);
		}
	} else if (msi_match(m, dc, iova)) {
		uint32_t c = msi_entry(m, dc, iova, iova, acc, pa, &n);
		if (c)
			return c;
		n.r = n.w = n.u = true;
	} else {
		struct rw_leaf gl;
		uint32_t c = g_xlat(&x, iova, false, pa, &gl);
		if (c) {
			*iotval2 = x.iotval2;
			return c;
		}
		n.va = gl.iova;
		n.size = gl.size;
		n.pa = gl.oa;
		n.r = gl.r;
		n.w = gl.w && gl.d;
		n.x = gl.x;
		n.u = true;
	}
	tlb_fill(m, &n);
	return 0;
}

int riscv_model_dma(struct riscv_model *m, uint32_t device_id, uint64_t iova, unsigned access,
		    uint64_t *pa_out)
{
	unsigned mode = (unsigned)(m->ddtp & RISCV_M_DDTP_MODE_MASK);
	uint32_t cause = 0;
	uint64_t iotval2 = 0, pa = 0, dc[8];
	bool dtf = false;
	if (mode == RISCV_M_DDTP_OFF) {
		cause = RISCV_M_CAUSE_ALL_DISALLOWED;
	} else if (mode == RISCV_M_DDTP_BARE) {
		pa = iova;
	} else {
		cause = ddt_locate(m, device_id, dc);
		if (!cause) {
			dtf = (dc[0] & RISCV_M_TC_DTF) != 0;
			cause = translate(m, dc, iova, access, &pa, &iotval2);
		}
	}
	if (!cause) {
		m->stats.dma_ok++;
		if (pa_out)
			*pa_out = pa;
		return 0;
	}
	m->stats.dma_faults++;
	struct riscv_model_fault f;
	memset(&f, 0, sizeof(f));
	f.cause = cause;
	f.ttyp = (access & RISCV_MODEL_ACC_W)	? RISCV_M_TTYP_UNTRANSLATED_WRITE
		 : (access & RISCV_MODEL_ACC_X) ? RISCV_M_TTYP_UNTRANSLATED_EXEC
						: RISCV_M_TTYP_UNTRANSLATED_READ;
	f.did = device_id & 0xffffffu;
	f.iotval = iova;
	f.iotval2 = iotval2;
	m->last_fault = f;
	/* DTF: only faults found once the DC is located (causes below 256 here) */
	if (dtf)
		m->stats.faults_suppressed++;
	else
		riscv_m_record_fault(m, &f);
	return (int)cause;
}
