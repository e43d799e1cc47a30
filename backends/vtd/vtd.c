/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Intel VT-d backend: unit operations (domains, context and PASID entries,
 * attach and detach). Invalidation is in vtd_qi.c, faults in vtd_fault.c,
 * probe and reset in vtd_init.c.
 *
 * Rules followed here (VT-d specification, chapters 6, 9, 10 and 11):
 * - GCMD is write-only and mixes states (TE, QIE, IRE, CFI) with one-shot
 *   commands (SRTP, WBF): every write is the shadow of the enabled states
 *   plus at most one command, and each is acknowledged through GSTS within
 *   the port's timeout.
 * - An entry becomes present last: the other words of a context or PASID
 *   entry are written (and cleaned on non-coherent units) before the word
 *   holding P. A present entry is cleared P-word first.
 * - Not-present entries are not cached unless CAP.CM is set. On such units
 *   every not-present-to-present change (context, PASID and page-table
 *   entries) is followed by an invalidation; otherwise a write-buffer flush
 *   is enough where CAP.RWBF asks for one.
 * - Present-to-not-present (or permission-reducing) changes are invalidated
 *   from the context cache outwards: context cache, PASID cache, IOTLB.
 * - Every wait for the hardware is bounded by the port's clock.
 */
#include "vtd_internal.h"

/* ---- domains ---- */

/* Domain flags, in dom->priv_word. */
#define DOM_F_FS   1u /* first-stage table (PASID-based invalidation) */

static bool did_used(const struct iomm_vtd *v, uint32_t did)
{
	for (const struct iomm_domain *d = v->unit.domains; d; d = d->next)
		if (d->id == did)
			return true;
	return false;
}

static int did_alloc(struct iomm_vtd *v, uint32_t *out)
{
	uint32_t first = v->cfg.did_first, end = v->did_end;
	for (uint32_t tries = first; tries < end; tries++) {
		uint32_t did = v->next_did;
		v->next_did = did + 1u >= end ? first : did + 1u;
		if (!did_used(v, did)) {
			*out = did;
			return IOMM_OK;
		}
	}
	return IOMM_ENOSPC;
}

static inline bool dom_is_fs(const struct iomm_domain *dom)
{
	return (dom->priv_word & DOM_F_FS) != 0;
}

/* AW field of context / PASID entries: 1 = 3 levels, 2 = 4, 3 = 5. */
static unsigned aw_of_levels(unsigned levels)
{
	return levels - 2u;
}

static int vtd_domain_init(struct iomm_unit *unit, struct iomm_domain *dom)
{
	struct iomm_vtd *v = to_vtd(unit);
	uint64_t flags = 0;
	/* The core offers only what unit.caps allow: S1, S2, bypass, blocked. */
	if (dom->type == IOMM_DOMAIN_S1 || dom->type == IOMM_DOMAIN_S2) {
		unsigned levels = iomm_pgt_levels(&dom->pgt);
		if (dom->pgt.cfg.format == IOMM_FMT_X86_FL) {
			if (levels == 5 && !(v->features & IOMM_VTD_F_FL5LP))
				return IOMM_REFUSE_AS(port_of(v), IOMM_ENOTSUP, "iomm_domain_init",
						      "cfg->ias: 5-level first stage, no ECAP.FL5LP");
			flags |= DOM_F_FS;
		} else if (!(v->sagaw & (1u << aw_of_levels(levels)))) {
			return IOMM_REFUSE_AS(port_of(v), IOMM_ENOTSUP, "iomm_domain_init",
					      "cfg->ias: an address width the unit cannot walk (CAP.SAGAW)");
		}
	}
	uint32_t did = 0;
	if (dom->type != IOMM_DOMAIN_BLOCKED) {
		int rc = did_alloc(v, &did);
		if (rc)
			return rc;
	}
	dom->id = did;
	dom->priv_word = flags;
	return IOMM_OK;
}

/* Invalidate every translation a domain's ID tags. */
static void inv_domain(struct iomm_vtd *v, struct batch *b, const struct iomm_domain *dom)
{
	if (dom_is_fs(dom))
		vtd_inv_piotlb(v, b, PIOTLB_G_PASID, dom->id, RID_PASID, 0, 0, false);
	else
		vtd_inv_iotlb(v, b, GRAN_DOMAIN, dom->id, 0, 0, false);
}

static int vtd_domain_fini(struct iomm_unit *unit, struct iomm_domain *dom)
{
	struct iomm_vtd *v = to_vtd(unit);
	int rc = IOMM_OK;
	if (dom->type == IOMM_DOMAIN_S1 || dom->type == IOMM_DOMAIN_S2) {
		struct batch b = {0, 0};
		inv_domain(v, &b, dom);
		rc = vtd_batch_sync(v, &b);
	}
	return rc;
}

/* ---- invalidation of ranges ---- */

/*
 * One page-selective invalidation for [start, end): the smallest naturally
 * aligned block that covers the range. Falls back to domain-selective when
 * that block is too large (inv_threshold, CAP.MAMV) or the unit lacks PSI.
 */
static void inv_range(struct iomm_vtd *v, struct batch *b, const struct iomm_domain *dom,
		      uint64_t start, uint64_t end, bool leaf_only)
{
	start &= ~(uint64_t)(VTD_PAGE - 1u);
	uint64_t first = start >> 12, last = (end - 1u) >> 12;
	unsigned am = first == last ? 0u : 64u - iomm_clz64(first ^ last);
	bool fs = dom_is_fs(dom);
	/* PASID-based invalidations take any mask; the register ones only up to MAMV. */
	bool psi_ok = fs || ((v->features & IOMM_VTD_F_PSI) && am <= v->mamv);
	if (!psi_ok || am >= 32u || (1ull << am) > v->cfg.inv_threshold) {
		inv_domain(v, b, dom);
		return;
	}
	uint64_t addr = (first >> am) << (am + 12u);
	if (fs)
		vtd_inv_piotlb(v, b, PIOTLB_G_PAGE, dom->id, RID_PASID, addr, am, leaf_only);
	else
		vtd_inv_iotlb(v, b, GRAN_PAGE, dom->id, addr, am, leaf_only);
}

static int vtd_flush(struct iomm_unit *unit, struct iomm_domain *dom, const struct iomm_gather *g)
{
	struct iomm_vtd *v = to_vtd(unit);
	struct batch b = {0, 0};
	/* The core calls this only for a pending gather: a range, or tables without one. */
	if (g->end > g->start)
		inv_range(v, &b, dom, g->start, g->end, !g->tables && !g->nfreed);
	else
		inv_domain(v, &b, dom);
	return vtd_batch_sync(v, &b);
}

/* Caching mode: new entries may hide behind cached not-present ones. RWBF: flush. */
static int vtd_map_sync(struct iomm_unit *unit, struct iomm_domain *dom, uint64_t iova,
			uint64_t size)
{
	struct iomm_vtd *v = to_vtd(unit);
	if (!(v->features & IOMM_VTD_F_CM))
		return vtd_flush_write_buffer(v);
	v->stats.map_syncs++;
	struct batch b = {0, 0};
	inv_range(v, &b, dom, iova, iova + size, false);
	return vtd_batch_sync(v, &b);
}

/* ---- devices and context entries ---- */

/* Context table slot of @sid: one table per bus, or per half bus in scalable mode. */
static inline unsigned ctx_slot(const struct iomm_vtd *v, uint32_t sid)
{
	return v->scalable ? ((sid >> 8) & 0xffu) * 2u + ((sid >> 7) & 1u) : (sid >> 8) & 0xffu;
}

static uint64_t *ctx_entry(const struct iomm_vtd *v, uint32_t sid)
{
	uint64_t *t = v->ctx[ctx_slot(v, sid)]; /* present: ctx_ensure() ran for @sid */
	if (v->scalable)
		return t + (size_t)(sid & 0x7fu) * SM_CE_WORDS;
	return t + (size_t)(sid & 0xffu) * LEGACY_CE_WORDS;
}

/* Make sure the context table for @sid exists; *fresh is set when a root entry became present. */
static int ctx_ensure(struct iomm_vtd *v, uint32_t sid, bool *fresh)
{
	unsigned slot = ctx_slot(v, sid);
	if (v->ctx[slot])
		return IOMM_OK;
	uint64_t pa;
	void *t = iomm_pool_alloc(v->pool, 1, &pa);
	if (!t)
		return IOMM_ENOMEM;
	sync_mem(v, t, VTD_PAGE);
	v->ctx[slot] = t;
	uint64_t *re = v->root + (size_t)((sid >> 8) & 0xffu) * LEGACY_RE_WORDS;
	unsigned half = v->scalable ? (sid >> 7) & 1u : 0u;
	iomm_write_desc(&re[half], (pa & RE_CTP) | RE_P);
	sync_mem(v, &re[half], 8);
	*fresh = true;
	return IOMM_OK;
}

/* PASID pages of a device (scalable mode): directory, then table, 2 pages,
 * in dev->priv. */
static int pasid_setup(struct iomm_vtd *v, const struct iomm_domain *dom, struct iomm_dev *dev)
{
	uint64_t pa;
	uint64_t *dir = iomm_pool_alloc(v->pool, 2, &pa);
	if (!dir)
		return IOMM_ENOMEM;
	uint64_t *pe = dir + VTD_PAGE / 8u; /* PASID table, entry 0 = RID_PASID */
	uint64_t w0, w2 = 0;
	unsigned levels = iomm_pgt_levels(&dom->pgt);
	switch (dom->type) {
	case IOMM_DOMAIN_BYPASS:
		w0 = iomm_field_prep(PTE0_PGTT, PGTT_PT) | iomm_field_prep(PTE0_AW, widest_aw(v));
		break;
	default:
		if (dom_is_fs(dom)) {
			w0 = iomm_field_prep(PTE0_PGTT, PGTT_FS) |
			     iomm_field_prep(PTE0_AW, widest_aw(v));
			w2 = (iomm_pgt_root_pa(&dom->pgt) & PTE2_FSPT) |
			     iomm_field_prep(PTE2_FSPM, levels == 5 ? 1u : 0u);
		} else {
			w0 = iomm_field_prep(PTE0_PGTT, PGTT_SS) |
			     iomm_field_prep(PTE0_AW, aw_of_levels(levels)) |
			     (iomm_pgt_root_pa(&dom->pgt) & PTE0_SSPT);
		}
		break;
	}
	/* Paging-structure walks snoop where the unit can (ECAP.SMPWC). */
	uint64_t w1 = iomm_field_prep(PTE1_DID, dom->id) | ((v->ecap & ECAP_SMPWC) ? PTE1_PWSNP : 0);
	iomm_write_desc(&pe[1], w1);
	iomm_write_desc(&pe[2], w2);
	iomm_write_desc(&pe[0], w0 | PTE0_P);
	iomm_write_desc(&dir[0], ((pa + VTD_PAGE) & PDE_PTP) | PDE_P);
	sync_mem(v, dir, 2u * VTD_PAGE);
	dev->priv = dir;
	return IOMM_OK;
}

static uint64_t pasid_dir_pa(const struct iomm_vtd *v, const struct iomm_dev *dev)
{
	/* The directory's own address: the table entry's PTP minus one page. */
	const uint64_t *dir = dev->priv;
	(void)v;
	return (iomm_read_desc(&dir[0]) & PDE_PTP) - VTD_PAGE;
}

/* Write the context entry for @sid (P word last). */
static void ctx_write(struct iomm_vtd *v, uint32_t sid, const struct iomm_domain *dom,
		      const struct iomm_dev *dev)
{
	uint64_t *ce = ctx_entry(v, sid);
	if (v->scalable) {
		iomm_write_desc(&ce[1], iomm_field_prep(SCE1_RIDPASID, RID_PASID));
		iomm_write_desc(&ce[2], 0);
		iomm_write_desc(&ce[3], 0);
		sync_mem(v, ce, SM_CE_WORDS * 8u);
		iomm_write_desc(&ce[0], (pasid_dir_pa(v, dev) & SCE_PDIR) |
					    iomm_field_prep(SCE_PDTS, 0) | SCE_P);
		sync_mem(v, ce, 8);
		return;
	}
	uint64_t lo, aw;
	if (dom->type == IOMM_DOMAIN_BYPASS) {
		lo = iomm_field_prep(CE_TT, TT_PT);
		aw = widest_aw(v);
	} else {
		lo = iomm_field_prep(CE_TT, TT_SL) | (iomm_pgt_root_pa(&dom->pgt) & CE_SLPTP);
		aw = aw_of_levels(iomm_pgt_levels(&dom->pgt));
	}
	iomm_write_desc(&ce[1], iomm_field_prep(CE1_AW, aw) | iomm_field_prep(CE1_DID, dom->id));
	sync_mem(v, ce, LEGACY_CE_WORDS * 8u);
	iomm_write_desc(&ce[0], lo | CE_P);
	sync_mem(v, ce, 8);
}

/* Clear the context entries of @dev (P word first). */
static void ctx_clear(struct iomm_vtd *v, const struct iomm_dev *dev)
{
	unsigned words = v->scalable ? SM_CE_WORDS : LEGACY_CE_WORDS;
	IOMM_FOR_EACH_SID(dev, sid) {
		uint64_t *ce = ctx_entry(v, sid);
		iomm_write_desc(&ce[0], 0);
		sync_mem(v, ce, 8);
		for (unsigned w = 1; w < words; w++)
			iomm_write_desc(&ce[w], 0);
		sync_mem(v, ce, words * 8u);
	}
}

/* Context-cache invalidation for the entries of @dev tagged with @did. */
static void inv_dev_ctx(struct iomm_vtd *v, struct batch *b, const struct iomm_dev *dev,
			uint32_t did)
{
	if (dev->mask)
		vtd_inv_cc(v, b, GRAN_DOMAIN, did, 0, 0);
	else
		vtd_inv_cc(v, b, GRAN_DEVICE, did, dev->sid, 0);
}

/* After clearing @dev's entries: drop everything cached about them. */
static int inv_detached(struct iomm_vtd *v, const struct iomm_dev *dev,
			const struct iomm_domain *dom)
{
	struct batch b = {0, 0};
	inv_dev_ctx(v, &b, dev, dom->id);
	if (v->scalable)
		vtd_inv_pc(v, &b, PC_G_PASID, dom->id, RID_PASID);
	if (dom->type == IOMM_DOMAIN_BYPASS)
		vtd_inv_iotlb(v, &b, GRAN_DOMAIN, dom->id, 0, 0, false);
	else if (dom->type != IOMM_DOMAIN_BLOCKED)
		inv_domain(v, &b, dom);
	return vtd_batch_sync(v, &b);
}

static void pasid_release(struct iomm_vtd *v, struct iomm_dev *dev)
{
	if (dev->priv)
		iomm_pool_put(v->pool, dev->priv, 2);
	dev->priv = NULL;
}

static bool sid_in_range(const struct iomm_vtd *v, const struct iomm_dev *dev)
{
	/* iomm_dev_init() already kept the IDs within 16 bits (unit.sid_bits). */
	uint32_t lo = dev->sid, hi = dev->sid | dev->mask;
	return (lo >> 8) >= v->cfg.bus_first && (hi >> 8) <= v->cfg.bus_last;
}

static int vtd_attach(struct iomm_unit *unit, struct iomm_domain *dom, struct iomm_dev *dev)
{
	struct iomm_vtd *v = to_vtd(unit);
	if (!sid_in_range(v, dev))
		return IOMM_REFUSE_AS(port_of(v), IOMM_ERANGE, "iomm_attach",
				      "dev: bus outside the unit's cfg bus_first..bus_last");
	if (iomm_dev_conflicts(unit, dev))
		return IOMM_EBUSY;
	dev->priv = NULL;
	if (dom->type != IOMM_DOMAIN_BLOCKED) {
		bool fresh = false;
		int rc = IOMM_OK;
		IOMM_FOR_EACH_SID(dev, sid) {
			rc = ctx_ensure(v, sid, &fresh);
			if (rc)
				return rc; /* new context tables stay, empty: nothing is reachable */
		}
		if (v->scalable) {
			rc = pasid_setup(v, dom, dev);
			if (rc)
				return rc;
		}
		IOMM_FOR_EACH_SID(dev, sid)
			ctx_write(v, sid, dom, dev);
		struct batch b = {0, 0};
		if (v->features & IOMM_VTD_F_CM) {
			/* Not-present entries may be cached, tagged with domain ID 0. */
			if (fresh || dev->mask)
				vtd_inv_cc(v, &b, GRAN_GLOBAL, 0, 0, 0);
			else
				vtd_inv_cc(v, &b, GRAN_DEVICE, 0, dev->sid, 0);
			if (v->scalable)
				vtd_inv_pc(v, &b, PC_G_PASID, dom->id, RID_PASID);
			if (dom->type == IOMM_DOMAIN_BYPASS)
				vtd_inv_iotlb(v, &b, GRAN_DOMAIN, dom->id, 0, 0, false);
			else
				inv_domain(v, &b, dom);
			rc = vtd_batch_sync(v, &b);
		} else {
			rc = vtd_flush_write_buffer(v);
		}
		if (rc) {
			/* Not confirmed: leave the device blocked again. */
			ctx_clear(v, dev);
			(void)inv_detached(v, dev, dom);
			return rc;
		}
	}
	return IOMM_OK;
}

static int vtd_detach(struct iomm_unit *unit, struct iomm_dev *dev)
{
	struct iomm_vtd *v = to_vtd(unit);
	const struct iomm_domain *dom = dev->domain;
	if (dom->type != IOMM_DOMAIN_BLOCKED) {
		ctx_clear(v, dev);
		int rc = inv_detached(v, dev, dom);
		if (rc)
			return rc; /* not confirmed: still recorded as attached, PASID pages held */
		pasid_release(v, dev);
	}
	return IOMM_OK;
}

static const struct iomm_unit_ops vtd_ops = {
    .domain_init = vtd_domain_init,
    .domain_fini = vtd_domain_fini,
    .attach = vtd_attach,
    .detach = vtd_detach,
    .map = NULL,
    .unmap = NULL,
    .map_sync = NULL,
    .flush = vtd_flush,
    .fault_poll = vtd_fault_poll,
    .irq_alloc = vtd_irq_alloc,
    .irq_update = vtd_irq_update,
    .irq_free = vtd_irq_free,
};

/* Units with caching mode or write-buffer flushing need work after every map. */
static const struct iomm_unit_ops vtd_ops_sync = {
    .domain_init = vtd_domain_init,
    .domain_fini = vtd_domain_fini,
    .attach = vtd_attach,
    .detach = vtd_detach,
    .map = NULL,
    .unmap = NULL,
    .map_sync = vtd_map_sync,
    .flush = vtd_flush,
    .fault_poll = vtd_fault_poll,
    .irq_alloc = vtd_irq_alloc,
    .irq_update = vtd_irq_update,
    .irq_free = vtd_irq_free,
};

const struct iomm_unit_ops *vtd_ops_for(uint32_t features)
{
	return (features & (IOMM_VTD_F_CM | IOMM_VTD_F_RWBF)) ? &vtd_ops_sync : &vtd_ops;
}
