/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Intel VT-d backend.
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
#include <iommuman/vtd.h>

#include "iomm_backend.h"
#include "vtd_regs.h"

#define DEFAULT_INV_THRESHOLD 512u
#define RID_PASID	      0u

static const struct iomm_unit_ops vtd_ops;
static const struct iomm_unit_ops vtd_ops_sync;

static inline struct iomm_vtd *to_vtd(struct iomm_unit *unit)
{
	return (struct iomm_vtd *)(void *)unit;
}

static inline uint32_t rd32(const struct iomm_vtd *v, uint32_t off)
{
	return iomm_mmio_read32(port_of(v), v->unit.regs + off);
}

static inline void wr32(const struct iomm_vtd *v, uint32_t off, uint32_t val)
{
	iomm_mmio_write32(port_of(v), v->unit.regs + off, val);
}

static inline uint64_t rd64(const struct iomm_vtd *v, uint32_t off)
{
	return iomm_mmio_read64(port_of(v), v->unit.regs + off);
}

static inline void wr64(const struct iomm_vtd *v, uint32_t off, uint64_t val)
{
	iomm_mmio_write64(port_of(v), v->unit.regs + off, val);
}

/* ---- global command register ---- */

/* Issue a one-shot command (SRTP, WBF) and wait for GSTS to show @want under @mask. */
static int gcmd_cmd(struct iomm_vtd *v, uint32_t cmd, uint32_t mask, uint32_t want)
{
	iomm_port_mb(port_of(v));
	wr32(v, VTD_GCMD, v->gcmd | cmd);
	return iomm_poll32(port_of(v), v->unit.regs + VTD_GSTS, mask, want, v->cfg.timeout_ns);
}

/* Turn a state bit (TE, QIE) on or off and wait for its status. */
static int gcmd_state(struct iomm_vtd *v, uint32_t bit, bool on)
{
	uint32_t val = on ? (v->gcmd | bit) : (v->gcmd & ~bit);
	iomm_port_mb(port_of(v));
	wr32(v, VTD_GCMD, val);
	int rc = iomm_poll32(port_of(v), v->unit.regs + VTD_GSTS, bit, on ? bit : 0u,
			     v->cfg.timeout_ns);
	if (rc == IOMM_OK)
		v->gcmd = val;
	return rc;
}

static int flush_write_buffer(struct iomm_vtd *v)
{
	if (!(v->features & IOMM_VTD_F_RWBF))
		return IOMM_OK;
	v->stats.wbf++;
	return gcmd_cmd(v, GCMD_WBF, GSTS_WBFS, 0);
}

/* ---- invalidation: one interface for the queue and the registers ---- */

struct batch {
	int rc;
	uint32_t n; /* descriptors queued since the last wait */
};

static inline void batch_err(struct batch *b, int rc)
{
	if (rc && !b->rc)
		b->rc = rc;
}

static inline unsigned desc_words(const struct iomm_vtd *v)
{
	return v->scalable ? 4u : 2u;
}

/* Invalidation queue errors: count, log, acknowledge. Returns true if any. */
static bool qi_check_error(struct iomm_vtd *v)
{
	uint32_t fsts = rd32(v, VTD_FSTS);
	if (!(fsts & FSTS_QI_ERRORS))
		return false;
	v->stats.qi_errors++;
	iomm_log(port_of(v), IOMM_LOG_ERROR, "vtd: invalidation queue error, FSTS ", fsts, "");
	if (fsts & FSTS_IQE) {
		/*
		 * The unit stopped at the descriptor it rejected (IQH). Replace
		 * it with a wait descriptor that writes nothing, so the queue
		 * runs on to our own wait once the error is cleared.
		 */
		uint32_t head = (uint32_t)(rd64(v, VTD_IQH) >> v->iq_shift) & (v->iq_entries - 1u);
		uint64_t *d = (uint64_t *)v->mem.iq + (size_t)head * desc_words(v);
		iomm_write_desc(&d[0], DESC_WAIT);
		for (unsigned w = 1; w < desc_words(v); w++)
			iomm_write_desc(&d[w], 0);
		sync_mem(v, d, desc_words(v) * 8u);
	}
	wr32(v, VTD_FSTS, (uint32_t)(fsts & FSTS_QI_ERRORS));
	return true;
}

static uint32_t qi_head(const struct iomm_vtd *v)
{
	return (uint32_t)(rd64(v, VTD_IQH) >> v->iq_shift) & (v->iq_entries - 1u);
}

static void qi_publish(struct iomm_vtd *v)
{
	iomm_port_wmb(port_of(v));
	wr32(v, VTD_IQT, v->iq_tail << v->iq_shift);
}

/* Write one descriptor into the ring (not yet published). */
static int qi_push(struct iomm_vtd *v, const uint64_t d[4])
{
	/*
	 * Every batch waits for its completion, so the ring holds at most one
	 * batch (a few descriptors). It can only look full after an earlier
	 * wait timed out: then the unit has stopped consuming and nothing more
	 * is queued. IQH is read only in that case.
	 */
	uint32_t next = (v->iq_tail + 1u) & (v->iq_entries - 1u);
	if (next == v->iq_head) {
		v->iq_head = qi_head(v);
		if (next == v->iq_head)
			return IOMM_ETIMEDOUT;
	}
	uint64_t *slot = (uint64_t *)v->mem.iq + (size_t)v->iq_tail * desc_words(v);
	for (unsigned w = 0; w < desc_words(v); w++)
		iomm_write_desc(&slot[w], d[w]);
	if (!(v->unit.caps & IOMM_CAP_COHERENT))
		port_of(v)->clean_tables(port_of(v)->ctx, slot, desc_words(v) * 8u);
	v->iq_tail = next;
	v->stats.qi_descs++;
	return IOMM_OK;
}

static uint32_t status_read(const struct iomm_vtd *v)
{
	const struct iomm_port *port = port_of(v);
	if (!(v->unit.caps & IOMM_CAP_COHERENT))
		port->clean_tables(port->ctx, v->status, sizeof(*v->status));
	return iomm_le32_to_cpu(__atomic_load_n(v->status, __ATOMIC_ACQUIRE));
}

/* Queue a wait descriptor with a status write and wait for it. */
static int qi_wait(struct iomm_vtd *v)
{
	/* The status word starts at 0 and the first wait writes 1; after 2^32
	 * waits 0 comes round again while the word still holds 0xffffffff. */
	uint32_t seq = ++v->seq;
	uint64_t d[4] = {DESC_WAIT | WAIT_SW | WAIT_FN | iomm_field_prep(WAIT_DATA, seq),
			 v->status_pa & WAIT_ADDR, 0, 0};
	int rc = qi_push(v, d);
	if (rc)
		return rc;
	v->stats.qi_waits++;
	qi_publish(v);
	const struct iomm_port *port = port_of(v);
	uint64_t t0 = port->now_ns(port->ctx);
	bool failed = false;
	while (status_read(v) != seq) {
		if (qi_check_error(v)) {
			failed = true;
			continue;
		}
		if (port->now_ns(port->ctx) - t0 > v->cfg.timeout_ns)
			return IOMM_ETIMEDOUT;
		if (port->relax)
			port->relax(port->ctx);
	}
	if (!failed && qi_check_error(v))
		failed = true;
	return failed ? IOMM_EIO : IOMM_OK;
}

/*
 * After iomm_vtd_disable() the queue is off and nothing translates;
 * iomm_vtd_enable() invalidates everything before translation resumes, so
 * invalidations are skipped (and not counted) meanwhile.
 */
static inline bool queue_off(const struct iomm_vtd *v)
{
	return v->qi && !(v->gcmd & GCMD_QIE);
}

static void qi_add(struct iomm_vtd *v, struct batch *b, uint64_t w0, uint64_t w1)
{
	if (b->rc)
		return;
	uint64_t d[4] = {w0, w1, 0, 0};
	batch_err(b, qi_push(v, d));
	b->n++;
}

static int reg_wait64(struct iomm_vtd *v, uint32_t off)
{
	/* The busy bit is bit 63: bit 31 of the upper half. */
	/* ICC / IVT clear once the hardware has done the invalidation */
	return iomm_poll32(port_of(v), v->unit.regs + off + REG64_HI_OFF, REG64_BUSY_HI, 0,
			   v->cfg.timeout_ns);
}

/* Context-cache invalidation: GRAN_GLOBAL, GRAN_DOMAIN (did) or GRAN_DEVICE (did, sid, fm). */
static void inv_cc(struct iomm_vtd *v, struct batch *b, unsigned gran, uint32_t did, uint32_t sid,
		   uint32_t fm)
{
	if (queue_off(v))
		return;
	if (gran == GRAN_GLOBAL)
		v->stats.cc_global++;
	else if (gran == GRAN_DOMAIN)
		v->stats.cc_domain++;
	else
		v->stats.cc_device++;
	if (v->qi) {
		qi_add(v, b,
		       DESC_CC | iomm_field_prep(DESC_G, gran) | iomm_field_prep(CC_DID, did) |
			   iomm_field_prep(CC_SID, sid) | iomm_field_prep(CC_FM, fm),
		       0);
		return;
	}
	if (b->rc)
		return;
	v->stats.reg_ccmd++;
	iomm_port_mb(port_of(v));
	wr64(v, VTD_CCMD,
	     CCMD_ICC | iomm_field_prep(CCMD_CIRG, gran) | iomm_field_prep(CCMD_DID, did) |
		 iomm_field_prep(CCMD_SID, sid) | iomm_field_prep(CCMD_FM, fm));
	batch_err(b, reg_wait64(v, VTD_CCMD));
}

/* IOTLB invalidation (second-stage and pass-through translations). */
static void inv_iotlb(struct iomm_vtd *v, struct batch *b, unsigned gran, uint32_t did,
		      uint64_t addr, unsigned am, bool ih)
{
	if (queue_off(v))
		return;
	if (gran == GRAN_GLOBAL)
		v->stats.iotlb_global++;
	else if (gran == GRAN_DOMAIN)
		v->stats.iotlb_domain++;
	else
		v->stats.iotlb_page++;
	uint64_t iva = 0;
	if (gran == GRAN_PAGE)
		iva = (addr & INV_ADDR) | (ih ? INV_IH : 0u) | iomm_field_prep(INV_AM, am);
	if (v->qi) {
		qi_add(v, b,
		       DESC_IOTLB | iomm_field_prep(DESC_G, gran) | IOTLB_D_DR | IOTLB_D_DW |
			   iomm_field_prep(IOTLB_D_DID, did),
		       iva);
		return;
	}
	if (b->rc)
		return;
	v->stats.reg_iotlb++;
	iomm_port_mb(port_of(v));
	if (gran == GRAN_PAGE)
		wr64(v, v->iro + VTD_IVA_OFF, iva);
	wr64(v, v->iro + VTD_IOTLB_OFF,
	     IOTLB_IVT | iomm_field_prep(IOTLB_IIRG, gran) | IOTLB_DR | IOTLB_DW |
		 iomm_field_prep(IOTLB_DID, did));
	batch_err(b, reg_wait64(v, v->iro + VTD_IOTLB_OFF));
}

/* PASID-cache invalidation (scalable mode, queue only). */
static void inv_pc(struct iomm_vtd *v, struct batch *b, unsigned g, uint32_t did, uint32_t pasid)
{
	if (queue_off(v))
		return;
	v->stats.pc++;
	qi_add(v, b,
	       DESC_PC | iomm_field_prep(DESC_G, g) | iomm_field_prep(P_DID, did) |
		   iomm_field_prep(P_PASID, pasid),
	       0);
}

/* PASID-based IOTLB invalidation (first-stage translations, queue only). */
static void inv_piotlb(struct iomm_vtd *v, struct batch *b, unsigned g, uint32_t did,
		       uint32_t pasid, uint64_t addr, unsigned am, bool ih)
{
	if (queue_off(v))
		return;
	uint64_t w1 = 0;
	if (g == PIOTLB_G_PAGE) {
		v->stats.piotlb_page++;
		w1 = (addr & INV_ADDR) | (ih ? INV_IH : 0u) | iomm_field_prep(INV_AM, am);
	} else {
		v->stats.piotlb_pasid++;
	}
	qi_add(v, b,
	       DESC_PIOTLB | iomm_field_prep(DESC_G, g) | iomm_field_prep(P_DID, did) |
		   iomm_field_prep(P_PASID, pasid),
	       w1);
}

/* Finish a batch: one wait descriptor when anything was queued. */
static int batch_sync(struct iomm_vtd *v, struct batch *b)
{
	if (b->rc)
		return b->rc;
	if (v->qi && b->n) {
		b->n = 0;
		return qi_wait(v);
	}
	return IOMM_OK;
}

/* Everything, everywhere: used at init and by iomm_vtd_flush_all(). */
static int flush_everything(struct iomm_vtd *v)
{
	struct batch b = {0, 0};
	inv_cc(v, &b, GRAN_GLOBAL, 0, 0, 0);
	if (v->scalable)
		inv_pc(v, &b, PC_G_GLOBAL, 0, 0);
	inv_iotlb(v, &b, GRAN_GLOBAL, 0, 0, 0, false);
	return batch_sync(v, &b);
}

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

/* Widest supported second-stage width, for pass-through entries. */
static unsigned widest_aw(const struct iomm_vtd *v)
{
	return 31u - (unsigned)__builtin_clz((unsigned)v->sagaw);
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
				return IOMM_ENOTSUP;
			flags |= DOM_F_FS;
		} else if (!(v->sagaw & (1u << aw_of_levels(levels)))) {
			return IOMM_ENOTSUP; /* an address width the unit cannot walk */
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
		inv_piotlb(v, b, PIOTLB_G_PASID, dom->id, RID_PASID, 0, 0, false);
	else
		inv_iotlb(v, b, GRAN_DOMAIN, dom->id, 0, 0, false);
}

static int vtd_domain_fini(struct iomm_unit *unit, struct iomm_domain *dom)
{
	struct iomm_vtd *v = to_vtd(unit);
	int rc = IOMM_OK;
	if (dom->type == IOMM_DOMAIN_S1 || dom->type == IOMM_DOMAIN_S2) {
		struct batch b = {0, 0};
		inv_domain(v, &b, dom);
		rc = batch_sync(v, &b);
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
		inv_piotlb(v, b, PIOTLB_G_PAGE, dom->id, RID_PASID, addr, am, leaf_only);
	else
		inv_iotlb(v, b, GRAN_PAGE, dom->id, addr, am, leaf_only);
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
	return batch_sync(v, &b);
}

/* Caching mode: new entries may hide behind cached not-present ones. RWBF: flush. */
static int vtd_map_sync(struct iomm_unit *unit, struct iomm_domain *dom, uint64_t iova,
			uint64_t size)
{
	struct iomm_vtd *v = to_vtd(unit);
	if (!(v->features & IOMM_VTD_F_CM))
		return flush_write_buffer(v);
	v->stats.map_syncs++;
	struct batch b = {0, 0};
	inv_range(v, &b, dom, iova, iova + size, false);
	return batch_sync(v, &b);
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
	iomm_write_desc(&pe[1], iomm_field_prep(PTE1_DID, dom->id));
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
		inv_cc(v, b, GRAN_DOMAIN, did, 0, 0);
	else
		inv_cc(v, b, GRAN_DEVICE, did, dev->sid, 0);
}

/* After clearing @dev's entries: drop everything cached about them. */
static int inv_detached(struct iomm_vtd *v, const struct iomm_dev *dev,
			const struct iomm_domain *dom)
{
	struct batch b = {0, 0};
	inv_dev_ctx(v, &b, dev, dom->id);
	if (v->scalable)
		inv_pc(v, &b, PC_G_PASID, dom->id, RID_PASID);
	if (dom->type == IOMM_DOMAIN_BYPASS)
		inv_iotlb(v, &b, GRAN_DOMAIN, dom->id, 0, 0, false);
	else if (dom->type != IOMM_DOMAIN_BLOCKED)
		inv_domain(v, &b, dom);
	return batch_sync(v, &b);
}

static void pasid_release(struct iomm_vtd *v, struct iomm_dev *dev)
{
	if (dev->priv)
		iomm_pool_release(v->pool, dev->priv, 2);
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
		return IOMM_ERANGE;
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
				inv_cc(v, &b, GRAN_GLOBAL, 0, 0, 0);
			else
				inv_cc(v, &b, GRAN_DEVICE, 0, dev->sid, 0);
			if (v->scalable)
				inv_pc(v, &b, PC_G_PASID, dom->id, RID_PASID);
			if (dom->type == IOMM_DOMAIN_BYPASS)
				inv_iotlb(v, &b, GRAN_DOMAIN, dom->id, 0, 0, false);
			else
				inv_domain(v, &b, dom);
			rc = batch_sync(v, &b);
		} else {
			rc = flush_write_buffer(v);
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

/* ---- faults ---- */

/* Fault reason code -> enum iomm_fault_reason; codes not listed are IOMM_FAULT_OTHER (0). */
static const uint8_t reason_of[256] = {
    /* root, context or PASID entry not present: the device is not set up */
    [0x01] = IOMM_FAULT_BAD_STREAM, [0x02] = IOMM_FAULT_BAD_STREAM,
    [0x39] = IOMM_FAULT_BAD_STREAM, [0x41] = IOMM_FAULT_BAD_STREAM,
    [0x51] = IOMM_FAULT_BAD_STREAM, [0x59] = IOMM_FAULT_BAD_STREAM,
    /* invalid or reserved bits in a root, context, PASID or table entry */
    [0x03] = IOMM_FAULT_BAD_CONFIG, [0x0a] = IOMM_FAULT_BAD_CONFIG,
    [0x0b] = IOMM_FAULT_BAD_CONFIG, [0x0c] = IOMM_FAULT_BAD_CONFIG,
    [0x0d] = IOMM_FAULT_BAD_CONFIG, [0x30] = IOMM_FAULT_BAD_CONFIG,
    [0x31] = IOMM_FAULT_BAD_CONFIG, [0x32] = IOMM_FAULT_BAD_CONFIG,
    [0x3a] = IOMM_FAULT_BAD_CONFIG, [0x42] = IOMM_FAULT_BAD_CONFIG,
    [0x43] = IOMM_FAULT_BAD_CONFIG, [0x44] = IOMM_FAULT_BAD_CONFIG,
    [0x45] = IOMM_FAULT_BAD_CONFIG, [0x46] = IOMM_FAULT_BAD_CONFIG,
    [0x47] = IOMM_FAULT_BAD_CONFIG, [0x48] = IOMM_FAULT_BAD_CONFIG,
    [0x52] = IOMM_FAULT_BAD_CONFIG, [0x5a] = IOMM_FAULT_BAD_CONFIG,
    [0x5b] = IOMM_FAULT_BAD_CONFIG, [0x5c] = IOMM_FAULT_BAD_CONFIG,
    [0x5d] = IOMM_FAULT_BAD_CONFIG, [0x72] = IOMM_FAULT_BAD_CONFIG,
    [0x7a] = IOMM_FAULT_BAD_CONFIG, [0x7b] = IOMM_FAULT_BAD_CONFIG,
    /* address beyond the width, non-canonical */
    [0x04] = IOMM_FAULT_ADDR_SIZE, [0x74] = IOMM_FAULT_ADDR_SIZE,
    [0x80] = IOMM_FAULT_ADDR_SIZE, [0x83] = IOMM_FAULT_ADDR_SIZE,
    [0x84] = IOMM_FAULT_ADDR_SIZE,
    /* read/write/execute/privilege refused (second stage: also not present) */
    [0x05] = IOMM_FAULT_PERMISSION, [0x06] = IOMM_FAULT_PERMISSION,
    [0x75] = IOMM_FAULT_PERMISSION, [0x76] = IOMM_FAULT_PERMISSION,
    [0x77] = IOMM_FAULT_PERMISSION, [0x79] = IOMM_FAULT_PERMISSION,
    [0x81] = IOMM_FAULT_PERMISSION, [0x82] = IOMM_FAULT_PERMISSION,
    [0x85] = IOMM_FAULT_PERMISSION, [0x86] = IOMM_FAULT_PERMISSION,
    /* first-stage entry not present */
    [0x71] = IOMM_FAULT_TRANSLATION,
    /* the walk could not read a structure */
    [0x07] = IOMM_FAULT_WALK, [0x08] = IOMM_FAULT_WALK, [0x09] = IOMM_FAULT_WALK,
    [0x38] = IOMM_FAULT_WALK, [0x40] = IOMM_FAULT_WALK, [0x50] = IOMM_FAULT_WALK,
    [0x58] = IOMM_FAULT_WALK, [0x70] = IOMM_FAULT_WALK, [0x73] = IOMM_FAULT_WALK,
    [0x78] = IOMM_FAULT_WALK,
    /* accessed/dirty update needed but not possible */
    [0x7c] = IOMM_FAULT_ACCESS_FLAG, [0x90] = IOMM_FAULT_ACCESS_FLAG,
};

int iomm_vtd_decode_fault(const uint64_t rec[2], struct iomm_fault *f)
{
	if (!rec || !f)
		return IOMM_EINVAL;
	uint64_t lo = rec[0], hi = rec[1];
	uint32_t fr = (uint32_t)iomm_field_get(hi, FRCD_HI_FR);
	f->sid = (uint32_t)iomm_field_get(hi, FRCD_HI_SID);
	f->ssid = 0;
	f->addr = lo & FRCD_LO_FI;
	f->ipa = 0;
	f->raw = fr;
	f->reason = (enum iomm_fault_reason)reason_of[fr & 0xffu];
	f->lost = 0;
	f->flags = 0;
	if (!(hi & FRCD_HI_T2))
		f->flags |= (hi & FRCD_HI_T1) ? IOMM_FAULT_READ : IOMM_FAULT_WRITE;
	if (hi & FRCD_HI_EXE)
		f->flags |= IOMM_FAULT_EXEC;
	if (hi & FRCD_HI_PRIV)
		f->flags |= IOMM_FAULT_PRIV;
	if (hi & FRCD_HI_PP) {
		f->flags |= IOMM_FAULT_SSID;
		f->ssid = (uint32_t)iomm_field_get(hi, FRCD_HI_PV);
	}
	return (hi & FRCD_HI_F) ? IOMM_OK : IOMM_ENOENT;
}

static int vtd_fault_poll(struct iomm_unit *unit, iomm_fault_fn fn, void *arg)
{
	struct iomm_vtd *v = to_vtd(unit);
	uint32_t fsts = rd32(v, VTD_FSTS);
	uint32_t lost = 0;
	if (fsts & FSTS_PFO) {
		lost = 1; /* at least one record was dropped */
		v->stats.lost++;
		wr32(v, VTD_FSTS, (uint32_t)FSTS_PFO);
		iomm_log_str(port_of(v), IOMM_LOG_WARN, "vtd: primary fault overflow, records lost");
	}
	int n = 0;
	unsigned first = (unsigned)iomm_field_get(fsts, FSTS_FRI) % v->nfr;
	for (unsigned k = 0; k < v->nfr; k++) {
		unsigned i = (first + k) % v->nfr;
		uint32_t off = v->fro + i * FRCD_BYTES;
		uint64_t rec[2];
		rec[1] = rd64(v, off + 8u);
		if (!(rec[1] & FRCD_HI_F))
			continue;
		rec[0] = rd64(v, off);
		/* Release the record (F is write-1-to-clear) before handing it on. */
		wr32(v, off + FRCD_F_DW_OFF, FRCD_F_DW);
		struct iomm_fault f;
		(void)iomm_vtd_decode_fault(rec, &f);
		f.lost = lost;
		lost = 0;
		v->stats.faults++;
		fn(arg, &f);
		n++;
	}
	if (lost) {
		/* Overflow with no record left to carry it: report it alone. */
		struct iomm_fault f = {0};
		f.reason = IOMM_FAULT_OTHER;
		f.lost = lost;
		fn(arg, &f);
		n++;
	}
	return n;
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
};

/* ---- probe and init ---- */

static uint32_t probe_features(uint64_t cap, uint64_t ecap)
{
	uint32_t f = 0;
	static const struct {
		uint64_t bit;
		uint32_t feature;
		bool ext;
	} map[] = {
	    {ECAP_QI, IOMM_VTD_F_QI, true},	    {ECAP_SMTS, IOMM_VTD_F_SMTS, true},
	    {ECAP_FLTS, IOMM_VTD_F_FLTS, true},	    {ECAP_SLTS, IOMM_VTD_F_SLTS, true},
	    {ECAP_PT, IOMM_VTD_F_PT, true},	    {CAP_CM, IOMM_VTD_F_CM, false},
	    {CAP_RWBF, IOMM_VTD_F_RWBF, false},	    {ECAP_C, IOMM_VTD_F_COHERENT, true},
	    {ECAP_SC, IOMM_VTD_F_SC, true},	    {CAP_PSI, IOMM_VTD_F_PSI, false},
	    {IOMM_BIT(34), IOMM_VTD_F_SP2M, false}, {IOMM_BIT(35), IOMM_VTD_F_SP1G, false},
	    {CAP_FL1GP, IOMM_VTD_F_FL1G, false},    {CAP_FL5LP, IOMM_VTD_F_FL5LP, false},
	    {ECAP_PASID, IOMM_VTD_F_PASID, true},   {ECAP_NEST, IOMM_VTD_F_NEST, true},
	    {ECAP_IR, IOMM_VTD_F_IR, true},	    {ECAP_DT, IOMM_VTD_F_DT, true},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if ((map[i].ext ? ecap : cap) & map[i].bit)
			f |= map[i].feature;
	return f;
}

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1u));
}

static bool mem_ok(const struct iomm_vtd_mem *mem)
{
	if (!mem->root || (mem->root_pa & (VTD_PAGE - 1u)) ||
	    ((uintptr_t)mem->root & (VTD_PAGE - 1u)))
		return false;
	if (!mem->iq)
		return true;
	return !(mem->iq_pa & (VTD_PAGE - 1u)) && !((uintptr_t)mem->iq & 7u) &&
	       is_pow2(mem->iq_size) && mem->iq_size >= VTD_PAGE &&
	       mem->iq_size <= (size_t)VTD_PAGE << 7;
}

/* Empty the invalidation queue and enable it (IQT before IQA, both before QIE). */
static int qi_start(struct iomm_vtd *v)
{
	iomm_zero(v->mem.iq, v->mem.iq_size);
	sync_mem(v, v->mem.iq, v->mem.iq_size);
	v->iq_tail = 0;
	v->iq_head = 0;
	wr32(v, VTD_IQT, 0);
	unsigned qs = iomm_ctz64(v->mem.iq_size) - 12u;
	wr64(v, VTD_IQA,
	     (v->mem.iq_pa & IQA_ADDR) | (v->scalable ? IQA_DW : 0) | iomm_field_prep(IQA_QS, qs));
	return gcmd_state(v, GCMD_QIE, true);
}

static int init_hw(struct iomm_vtd *v)
{
	int rc;
	/*
	 * Firmware may have left translation or the queue on. Translation stays
	 * on (fail closed: the empty root table installed below blocks every
	 * source ID once the global invalidation has run) unless firmware used
	 * the other table mode, which cannot change under live translation:
	 * then it goes off for the time it takes to install the empty table.
	 */
	v->gcmd = rd32(v, VTD_GSTS) & GCMD_STATES;
	bool same_mode = ((rd64(v, VTD_RTADDR) & RTADDR_SMT) != 0) == v->scalable;
	if ((v->gcmd & GCMD_TE) && !same_mode) {
		rc = gcmd_state(v, GCMD_TE, false);
		if (rc)
			return rc;
	}
	if (v->gcmd & GCMD_QIE) {
		rc = gcmd_state(v, GCMD_QIE, false);
		if (rc)
			return rc;
	}
	iomm_zero(v->root, VTD_PAGE);
	sync_mem(v, v->root, VTD_PAGE);
	wr64(v, VTD_RTADDR, (v->mem.root_pa & IOMM_GENMASK(63, 12)) | (v->scalable ? RTADDR_SMT : 0));
	rc = gcmd_cmd(v, GCMD_SRTP, GSTS_RTPS, GSTS_RTPS);
	if (rc)
		return rc;
	/* Acknowledge old faults and errors. */
	wr32(v, VTD_FSTS, (uint32_t)(FSTS_PFO | FSTS_QI_ERRORS));
	for (unsigned i = 0; i < v->nfr; i++)
		wr32(v, v->fro + i * FRCD_BYTES + FRCD_F_DW_OFF, FRCD_F_DW);
	if (v->qi) {
		rc = qi_start(v);
		if (rc)
			return rc;
	}
	rc = flush_everything(v);
	if (rc)
		return rc;
	if (!(v->cfg.flags & IOMM_VTD_CFG_NO_ENABLE))
		rc = gcmd_state(v, GCMD_TE, true);
	return rc;
}

int iomm_vtd_init(struct iomm_vtd *vtd, const struct iomm_port *port, uintptr_t regs,
		  const struct iomm_vtd_mem *mem, struct iomm_pool *pool,
		  const struct iomm_vtd_cfg *cfg)
{
	if (!vtd || !port || !port->read32 || !port->write32 || !port->now_ns || !mem || !pool ||
	    !regs)
		return IOMM_EINVAL;
	if (!mem_ok(mem) || iomm_pool_page_size(pool) != VTD_PAGE)
		return IOMM_EINVAL;
	struct iomm_vtd_cfg c = {0};
	if (cfg)
		c = *cfg;
	if (c.flags & ~(uint32_t)(IOMM_VTD_CFG_REGINV | IOMM_VTD_CFG_SCALABLE |
				  IOMM_VTD_CFG_S1_SECOND_STAGE | IOMM_VTD_CFG_NO_ENABLE))
		return IOMM_EINVAL;
	if (!c.bus_last && !c.bus_first)
		c.bus_last = 255;
	if (c.bus_last < c.bus_first)
		return IOMM_EINVAL;
	if (!c.timeout_ns)
		c.timeout_ns = IOMM_DEFAULT_TIMEOUT_NS;
	if (!c.inv_threshold)
		c.inv_threshold = DEFAULT_INV_THRESHOLD;

	uint32_t ver = iomm_mmio_read32(port, regs + VTD_VER);
	uint64_t cap = iomm_mmio_read64(port, regs + VTD_CAP);
	uint64_t ecap = iomm_mmio_read64(port, regs + VTD_ECAP);
	uint8_t sagaw = (uint8_t)(iomm_field_get(cap, CAP_SAGAW) & 0xeu); /* 3, 4, 5 levels */
	if (ver == 0 || ver == 0xffffffffu || !sagaw)
		return IOMM_ENODEV;
	uint32_t f = probe_features(cap, ecap);
	bool scalable = (c.flags & IOMM_VTD_CFG_SCALABLE) != 0;
	bool qi = (f & IOMM_VTD_F_QI) && mem->iq && !(c.flags & IOMM_VTD_CFG_REGINV);
	if (scalable && (!(f & IOMM_VTD_F_SMTS) || !qi ||
			 !(f & (IOMM_VTD_F_FLTS | IOMM_VTD_F_SLTS))))
		return IOMM_ENOTSUP;
	unsigned nd = (unsigned)iomm_field_get(cap, CAP_ND);
	unsigned did_bits = nd > 6 ? 16u : 4u + 2u * nd;
	uint32_t limit = 1u << did_bits;
	if (!c.did_first)
		c.did_first = 1;
	if (c.did_first >= limit)
		return IOMM_ERANGE;
	if (!c.did_count)
		c.did_count = limit - c.did_first;
	if (c.did_count > limit - c.did_first)
		return IOMM_ERANGE;
	bool coherent = (ecap & ECAP_C) && (port->flags & IOMM_PORT_DMA_COHERENT);
	if (!coherent && !port->clean_tables)
		return IOMM_EINVAL;
	unsigned nfr = (unsigned)iomm_field_get(cap, CAP_NFR) + 1u;
	uint32_t fro = (uint32_t)iomm_field_get(cap, CAP_FRO) * CAP_OFF_UNIT;
	uint32_t iro = (uint32_t)iomm_field_get(ecap, ECAP_IRO) * CAP_OFF_UNIT;
	uint64_t status_pa = 0;
	uint32_t *status = NULL;
	if (qi) {
		status = iomm_pool_alloc(pool, 1, &status_pa);
		if (!status)
			return IOMM_ENOMEM;
	}

	*vtd = (struct iomm_vtd){0};
	struct iomm_vtd *v = vtd;
	v->unit.port = port;
	v->unit.regs = regs;
	v->unit.name = "vtd";
	v->features = f;
	v->ver = ver;
	v->cap = cap;
	v->ecap = ecap;
	v->sagaw = sagaw;
	v->mgaw = (uint8_t)(iomm_field_get(cap, CAP_MGAW) + 1u);
	v->did_bits = (uint8_t)did_bits;
	v->nfr = (uint16_t)nfr;
	v->fro = fro;
	v->iro = iro;
	v->mamv = (uint8_t)iomm_field_get(cap, CAP_MAMV);
	v->scalable = scalable;
	v->qi = qi;
	v->cfg = c;
	v->mem = *mem;
	v->pool = pool;
	v->root = mem->root;
	v->status = status;
	v->status_pa = status_pa;
	v->next_did = c.did_first;
	v->did_end = (uint32_t)c.did_first + c.did_count;
	if (qi) {
		unsigned words = scalable ? 4u : 2u;
		v->iq_entries = (uint32_t)(mem->iq_size / (words * 8u));
		v->iq_shift = scalable ? 5u : 4u;
	}

	/* What domains this unit offers, and in which table formats. */
	struct iomm_unit *u = &v->unit;
	unsigned widest = 31u - (unsigned)__builtin_clz((unsigned)sagaw); /* AW code */
	uint8_t ias = (uint8_t)(30u + 9u * widest);
	if (ias > v->mgaw)
		ias = v->mgaw;
	u->ias = ias;
	/* Output addresses: the host address width, at most 52 bits in every table format. */
	u->oas = v->mgaw > 52 ? 52 : v->mgaw;
	u->sid_bits = 16;
	u->granules = VTD_PAGE;
	u->fmt_s2 = IOMM_FMT_VTD_SL;
	u->fmt_s1 = IOMM_FMT_VTD_SL;
	uint64_t sl_sizes = VTD_PAGE | ((f & IOMM_VTD_F_SP2M) ? IOMM_BIT(21) : 0) |
			    ((f & IOMM_VTD_F_SP1G) ? IOMM_BIT(30) : 0);
	u->page_sizes = sl_sizes;
	u->caps = IOMM_CAP_S1;
	if (!scalable || (f & IOMM_VTD_F_SLTS))
		u->caps |= IOMM_CAP_S2;
	if (scalable && (f & IOMM_VTD_F_FLTS) &&
	    (!(c.flags & IOMM_VTD_CFG_S1_SECOND_STAGE) || !(f & IOMM_VTD_F_SLTS))) {
		uint64_t fl_sizes =
		    VTD_PAGE | IOMM_BIT(21) | ((f & IOMM_VTD_F_FL1G) ? IOMM_BIT(30) : 0);
		u->fmt_s1 = IOMM_FMT_X86_FL;
		u->page_sizes = (u->caps & IOMM_CAP_S2) ? (sl_sizes & fl_sizes) : fl_sizes;
		/* Canonical first-stage inputs: 4 levels take 47 bits, 5 levels 56. */
		uint8_t fl_ias = (f & IOMM_VTD_F_FL5LP) ? 56 : 47;
		if (u->ias > fl_ias)
			u->ias = fl_ias;
	}
	if (f & IOMM_VTD_F_PT)
		u->caps |= IOMM_CAP_BYPASS;
	if (coherent)
		u->caps |= IOMM_CAP_COHERENT;
	u->ops = (f & (IOMM_VTD_F_CM | IOMM_VTD_F_RWBF)) ? &vtd_ops_sync : &vtd_ops;

	int rc = init_hw(v);
	if (rc) {
		iomm_log(port, IOMM_LOG_ERROR, "vtd: init failed, status ", (uint64_t)(int64_t)rc,
			 "");
		if (status)
			iomm_pool_release(pool, status, 1);
		v->unit.ops = NULL;
		return rc;
	}
	v->enabled = !(c.flags & IOMM_VTD_CFG_NO_ENABLE);
	iomm_log(port, IOMM_LOG_INFO, "vtd: ready, CAP ", cap, v->scalable ? " (scalable)" : "");
	return IOMM_OK;
}

static bool live(const struct iomm_vtd *v)
{
	return v && v->unit.ops && v->unit.port;
}

int iomm_vtd_enable(struct iomm_vtd *vtd)
{
	if (!live(vtd))
		return IOMM_EINVAL;
	iomm_port_lock(port_of(vtd), &vtd->unit);
	int rc = IOMM_OK;
	if (queue_off(vtd)) {
		/* Queue was turned off by iomm_vtd_disable(): restart it and forget stale state. */
		rc = qi_start(vtd);
		if (rc == IOMM_OK)
			rc = flush_everything(vtd);
	}
	if (rc == IOMM_OK && !(vtd->gcmd & GCMD_TE))
		rc = gcmd_state(vtd, GCMD_TE, true);
	if (rc == IOMM_OK)
		vtd->enabled = true;
	iomm_port_unlock(port_of(vtd), &vtd->unit);
	return rc;
}

int iomm_vtd_disable(struct iomm_vtd *vtd)
{
	if (!live(vtd))
		return IOMM_EINVAL;
	iomm_port_lock(port_of(vtd), &vtd->unit);
	int rc = IOMM_OK;
	if (vtd->gcmd & GCMD_TE)
		rc = gcmd_state(vtd, GCMD_TE, false);
	if (rc == IOMM_OK && (vtd->gcmd & GCMD_QIE))
		rc = gcmd_state(vtd, GCMD_QIE, false);
	if (rc == IOMM_OK)
		vtd->enabled = false;
	iomm_port_unlock(port_of(vtd), &vtd->unit);
	return rc;
}

int iomm_vtd_flush_all(struct iomm_vtd *vtd)
{
	if (!live(vtd))
		return IOMM_EINVAL;
	iomm_port_lock(port_of(vtd), &vtd->unit);
	int rc = flush_everything(vtd);
	iomm_port_unlock(port_of(vtd), &vtd->unit);
	return rc;
}
