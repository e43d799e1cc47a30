/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Arm SMMUv2 backend (Arm IHI 0062), with the MMU-500 settings.
 *
 * Ordering rules followed here:
 * - Before client access is enabled (sCR0.CLIENTPD = 0) every SMR is
 *   invalid, every S2CR faults and every bank is disabled, and unmatched
 *   streams fault (sCR0.USFCFG = 1): nothing passes that was not asked for.
 * - A context bank is fully programmed (CBA2R, CBAR, TCR2, TCR, TTBR0,
 *   MAIR, TLB invalidated and synchronised) before SCTLR.M is set, and
 *   SCTLR.M is set before any S2CR points at the bank: a bank with M clear
 *   would let stage-1 traffic through untranslated.
 * - A stream mapping group is made live S2CR first, SMR.VALID last, and is
 *   retired S2CR (fault) first, SMR.VALID clear last.
 * - Every TLB sync is bounded by the port's clock.
 */
#include <iommuman/smmuv2.h>

#include "iomm_backend.h"
#include "smmuv2_regs.h"

#define DEFAULT_INV_THRESHOLD 32u

static const struct iomm_unit_ops smmuv2_ops;

static inline struct iomm_smmuv2 *to_smmu(struct iomm_unit *unit)
{
	return (struct iomm_smmuv2 *)(void *)unit;
}

/* ---- register access: global space 0, global space 1, context banks ---- */
#define gr0_rd(s, off)	  rd32((s), (off))
#define gr0_wr(s, off, v) wr32((s), (off), (v))

static inline uint32_t gr1_rd(const struct iomm_smmuv2 *s, uint32_t off)
{
	return iomm_mmio_read32(port_of(s), s->unit.regs + (1u << s->pgshift) + off);
}

static inline void gr1_wr(const struct iomm_smmuv2 *s, uint32_t off, uint32_t v)
{
	iomm_mmio_write32(port_of(s), s->unit.regs + (1u << s->pgshift) + off, v);
}

static inline uintptr_t cb_addr(const struct iomm_smmuv2 *s, unsigned cb, uint32_t off)
{
	return s->unit.regs + s->cb_base + ((uintptr_t)cb << s->pgshift) + off;
}

static inline uint32_t cb_rd(const struct iomm_smmuv2 *s, unsigned cb, uint32_t off)
{
	return iomm_mmio_read32(port_of(s), cb_addr(s, cb, off));
}

static inline void cb_wr(const struct iomm_smmuv2 *s, unsigned cb, uint32_t off, uint32_t v)
{
	iomm_mmio_write32(port_of(s), cb_addr(s, cb, off), v);
}

static inline void cb_wr64(const struct iomm_smmuv2 *s, unsigned cb, uint32_t off, uint64_t v)
{
	iomm_mmio_write64(port_of(s), cb_addr(s, cb, off), v);
}

/* ---- TLB synchronisation ---- */
static int sync_bank(struct iomm_smmuv2 *s, unsigned cb)
{
	s->stats.syncs++;
	cb_wr(s, cb, CB_TLBSYNC, 0);
	int rc = iomm_poll32(port_of(s), cb_addr(s, cb, CB_TLBSTATUS), (uint32_t)TLBSTATUS_SACTIVE,
			     0, s->cfg.timeout_ns);
	if (rc) {
		s->stats.sync_timeouts++;
		iomm_log(port_of(s), IOMM_LOG_ERROR, "smmuv2: TLB sync timed out, bank ", cb, "");
	}
	return rc;
}

static int sync_global(struct iomm_smmuv2 *s)
{
	s->stats.gsyncs++;
	gr0_wr(s, GR0_STLBGSYNC, 0);
	int rc = iomm_poll32(port_of(s), s->unit.regs + GR0_STLBGSTATUS,
			     (uint32_t)TLBGSTATUS_GSACTIVE, 0, s->cfg.timeout_ns);
	if (rc) {
		s->stats.sync_timeouts++;
		iomm_log_str(port_of(s), IOMM_LOG_ERROR, "smmuv2: global TLB sync timed out");
	}
	return rc;
}

/* ---- domains and their context banks ---- */
/* A translating domain owns one context bank: its index is dom->priv_word. */
static inline unsigned dom_cb(const struct iomm_domain *d)
{
	return (unsigned)d->priv_word;
}

static inline uint32_t cb_vmid(unsigned cb)
{
	return cb + 1u; /* VMID 0 stays unused */
}

static inline uint32_t cb_asid(unsigned cb)
{
	return cb + 1u; /* one ASID per stage-1 bank; tagged with the bank's VMID too */
}

/* The VMID the TLB entries of @d carry: its own bank's, or its parent's when nested. */
static uint32_t dom_vmid(const struct iomm_domain *d)
{
	return cb_vmid(d->type == IOMM_DOMAIN_NESTED ? dom_cb(d->parent) : dom_cb(d));
}

/* Invalidate everything tagged with @d and wait: one TLBIASID or one TLBIVMID. */
static int flush_all_of(struct iomm_smmuv2 *s, const struct iomm_domain *d)
{
	unsigned cb = dom_cb(d);
	if (d->type == IOMM_DOMAIN_S2) {
		s->stats.tlbivmid++;
		gr0_wr(s, GR0_TLBIVMID, dom_vmid(d));
		return sync_global(s);
	}
	s->stats.tlbiasid++;
	cb_wr(s, cb, CB_TLBIASID, cb_asid(cb));
	return sync_bank(s, cb);
}

static int cb_alloc(struct iomm_smmuv2 *s, bool stage1, unsigned *out)
{
	/* Stage-1 (and nested) contexts need a bank above the stage-2-only ones;
	 * stage 2 takes the stage-2-only banks first to leave the others free. */
	for (unsigned cb = stage1 ? s->ns2cb : 0; cb < s->ncb; cb++) {
		if (!s->cb_dom[cb]) {
			*out = cb;
			return IOMM_OK;
		}
	}
	return IOMM_ENOSPC;
}

static int smmuv2_domain_init(struct iomm_unit *unit, struct iomm_domain *dom)
{
	struct iomm_smmuv2 *s = to_smmu(unit);
	if (dom->type != IOMM_DOMAIN_S1 && dom->type != IOMM_DOMAIN_S2 &&
	    dom->type != IOMM_DOMAIN_NESTED)
		return IOMM_OK; /* bypass and blocked live in S2CRs only */
	bool stage1 = dom->type != IOMM_DOMAIN_S2;
	/* Stage 1 produces an IPA (ID2.IAS bits); stage 2 takes one. */
	if (stage1 && dom->pgt.cfg.oas > s->ipa_bits)
		return IOMM_REFUSE_AS(port_of(s), IOMM_ENOTSUP, "iomm_domain_init",
				      "cfg->oas: a stage-1 output wider than the unit's IPA (ID2.IAS)");
	if (!stage1 && dom->pgt.cfg.ias > s->ipa_bits)
		return IOMM_REFUSE_AS(port_of(s), IOMM_ENOTSUP, "iomm_domain_init",
				      "cfg->ias: a stage-2 input wider than the unit's IPA (ID2.IAS)");
	unsigned cb;
	int rc = cb_alloc(s, stage1, &cb);
	if (rc)
		return rc;
	struct iomm_lpae_regs r;
	iomm_pgt_lpae_regs(&dom->pgt, &r);

	cb_wr(s, cb, CB_SCTLR, 0);
	gr1_wr(s, GR1_CBA2R(cb), (uint32_t)CBA2R_VA64);
	uint32_t cbar;
	if (dom->type == IOMM_DOMAIN_S2)
		cbar = (uint32_t)(iomm_field_prep(CBAR_TYPE, CBAR_TYPE_S2) |
				  iomm_field_prep(CBAR_VMID, cb_vmid(cb)));
	else if (dom->type == IOMM_DOMAIN_NESTED)
		cbar = (uint32_t)(iomm_field_prep(CBAR_TYPE, CBAR_TYPE_NESTED) |
				  iomm_field_prep(CBAR_CBNDX, dom_cb(dom->parent)) |
				  iomm_field_prep(CBAR_VMID, dom_vmid(dom->parent)));
	else /* IHI 0062, CBARn (stage 1, stage 2 bypass): MemAttr and BPSHCFG combine with
	      * stage 1 as stage 2's attributes would; the weakest let TCR and PTEs decide. */
		cbar = (uint32_t)(iomm_field_prep(CBAR_TYPE, CBAR_TYPE_S1_BYPASS) |
				  iomm_field_prep(CBAR_VMID, cb_vmid(cb)) |
				  iomm_field_prep(CBAR_BPSHCFG, CBAR_BPSHCFG_NSH) |
				  iomm_field_prep(CBAR_MEMATTR, CBAR_MEMATTR_WB));
	gr1_wr(s, GR1_CBAR(cb), cbar);
	uint32_t tcr = (uint32_t)(iomm_field_prep(TCR_T0SZ, r.tsz) |
				  iomm_field_prep(TCR_IRGN0, r.irgn) |
				  iomm_field_prep(TCR_ORGN0, r.orgn) | iomm_field_prep(TCR_SH0, r.sh) |
				  iomm_field_prep(TCR_TG0, r.tg));
	uint32_t sctlr = (uint32_t)(SCTLR_M | SCTLR_TRE | SCTLR_AFE | SCTLR_CFRE | SCTLR_CFIE);
	if (stage1) {
		cb_wr(s, cb, CB_TCR2,
		      (uint32_t)(iomm_field_prep(TCR2_PASIZE, r.ps) |
				 iomm_field_prep(TCR2_SEP, TCR2_SEP_UPSTREAM)));
		cb_wr(s, cb, CB_TCR, tcr | (uint32_t)TCR_EPD1);
		cb_wr64(s, cb, CB_TTBR0, r.ttbr | iomm_field_prep(TTBR_ASID, cb_asid(cb)));
		cb_wr(s, cb, CB_MAIR0, (uint32_t)r.mair);
		cb_wr(s, cb, CB_MAIR1, (uint32_t)(r.mair >> 32));
		sctlr |= (uint32_t)SCTLR_ASIDPNE;
	} else {
		cb_wr(s, cb, CB_TCR,
		      tcr | (uint32_t)(iomm_field_prep(TCR_SL0, r.sl0) |
				       iomm_field_prep(TCR_PS, r.ps) | TCR_S2_RES1));
		cb_wr64(s, cb, CB_TTBR0, r.ttbr);
	}
	cb_wr(s, cb, CB_FSR, (uint32_t)FSR_FAULTS); /* stale faults of an earlier owner */
	dom->priv_word = cb;
	/*
	 * The zeroed root (and every table write before it) must be visible
	 * before the invalidation and before SCTLR.M lets the bank walk: the
	 * port's register writes are plain stores that do not order normal
	 * memory on their own.
	 */
	iomm_port_wmb(port_of(s));
	/* A previous owner of the bank (or of its ASID/VMID) may have left entries. */
	rc = flush_all_of(s, dom);
	if (rc)
		return rc; /* the bank stays disabled and unowned */
	cb_wr(s, cb, CB_SCTLR, sctlr);
	s->cb_dom[cb] = dom;
	return IOMM_OK;
}

static int smmuv2_domain_fini(struct iomm_unit *unit, struct iomm_domain *dom)
{
	struct iomm_smmuv2 *s = to_smmu(unit);
	if (dom->type != IOMM_DOMAIN_S1 && dom->type != IOMM_DOMAIN_S2 &&
	    dom->type != IOMM_DOMAIN_NESTED)
		return IOMM_OK;
	unsigned cb = dom_cb(dom);
	cb_wr(s, cb, CB_SCTLR, 0);
	int rc = flush_all_of(s, dom);
	if (rc == IOMM_OK) /* a bank whose entries may linger is not handed out again */
		s->cb_dom[cb] = NULL;
	return rc;
}

/* ---- stream mapping ---- */
static bool use_smr(const struct iomm_smmuv2 *s)
{
	return (s->features & IOMM_SMMUV2_F_SMS) != 0;
}

static uint32_t s2cr_for(const struct iomm_domain *dom)
{
	switch (dom->type) {
	case IOMM_DOMAIN_S1:
	case IOMM_DOMAIN_S2:
	case IOMM_DOMAIN_NESTED:
		return (uint32_t)(iomm_field_prep(S2CR_TYPE, S2CR_TYPE_TRANS) |
				  iomm_field_prep(S2CR_CBNDX, dom_cb(dom)));
	case IOMM_DOMAIN_BYPASS:
		return (uint32_t)iomm_field_prep(S2CR_TYPE, S2CR_TYPE_BYPASS);
	default:
		return (uint32_t)iomm_field_prep(S2CR_TYPE, S2CR_TYPE_FAULT);
	}
}

static const uint32_t S2CR_FAULT = (uint32_t)(S2CR_TYPE_FAULT << 16);

static int attach_smr(struct iomm_smmuv2 *s, struct iomm_domain *dom, struct iomm_dev *dev)
{
	int free_idx = -1;
	for (unsigned i = 0; i < s->nsmr; i++) {
		if (!s->owner[i]) {
			if (free_idx < 0)
				free_idx = (int)i;
			continue;
		}
		uint32_t id = (uint32_t)iomm_field_get(s->smr[i], SMR_ID);
		uint32_t mask = (uint32_t)iomm_field_get(s->smr[i], SMR_MASK);
		if (iomm_sids_overlap(id, mask, dev->sid, dev->mask))
			return IOMM_EBUSY; /* two valid SMRs matching one stream: SMCF */
	}
	if (free_idx < 0)
		return IOMM_ENOSPC;
	if (dev->mask & ~(uint32_t)s->smr_mask) /* the SMR would keep fewer bits, match fewer streams */
		return IOMM_REFUSE_AS(port_of(s), IOMM_ERANGE, "iomm_attach",
				      "dev: stream mask wider than the SMR's implemented mask bits");
	unsigned i = (unsigned)free_idx;
	uint32_t smr = (uint32_t)(SMR_VALID | iomm_field_prep(SMR_MASK, dev->mask) |
				  iomm_field_prep(SMR_ID, dev->sid));
	gr0_wr(s, GR0_S2CR(i), s2cr_for(dom));
	gr0_wr(s, GR0_SMR(i), smr);
	s->smr[i] = smr;
	s->owner[i] = dev;
	dev->priv_word = i; /* the device's SMR and S2CR */
	return IOMM_OK;
}

static int attach_indexed(struct iomm_smmuv2 *s, struct iomm_domain *dom, struct iomm_dev *dev)
{
	IOMM_FOR_EACH_SID(dev, sid) {
		if (s->owner[sid])
			return IOMM_EBUSY;
	}
	uint32_t v = s2cr_for(dom);
	IOMM_FOR_EACH_SID(dev, sid) {
		gr0_wr(s, GR0_S2CR(sid), v);
		s->owner[sid] = dev;
	}
	return IOMM_OK;
}

static int smmuv2_attach(struct iomm_unit *unit, struct iomm_domain *dom, struct iomm_dev *dev)
{
	struct iomm_smmuv2 *s = to_smmu(unit);
	if ((dev->sid | dev->mask) >> s->unit.sid_bits)
		return IOMM_REFUSE_AS(port_of(s), IOMM_ERANGE, "iomm_attach",
				      "dev: stream ID wider than the unit's (ID0.NUMSIDB)");
	/*
	 * The S2CR publishes the bank's tables to a stream that may already be
	 * issuing traffic (a device left running in bypass): the domain's
	 * table writes since the bank was enabled must reach memory first.
	 */
	iomm_port_wmb(port_of(s));
	return use_smr(s) ? attach_smr(s, dom, dev) : attach_indexed(s, dom, dev);
}

static int smmuv2_detach(struct iomm_unit *unit, struct iomm_dev *dev)
{
	struct iomm_smmuv2 *s = to_smmu(unit);
	if (use_smr(s)) {
		unsigned i = dev->priv_word;
		gr0_wr(s, GR0_S2CR(i), S2CR_FAULT);
		gr0_wr(s, GR0_SMR(i), 0); /* unmatched now: USFCFG makes it fault */
		s->smr[i] = 0;
		s->owner[i] = NULL;
		return IOMM_OK;
	}
	IOMM_FOR_EACH_SID(dev, sid) {
		gr0_wr(s, GR0_S2CR(sid), S2CR_FAULT);
		s->owner[sid] = NULL;
	}
	return IOMM_OK;
}

/* ---- invalidation ---- */

/*
 * One unmap's gather becomes, for a stage-1 (or nested) bank, one
 * TLBIVAL per removed leaf (TLBIVA when table entries went too) or one
 * TLBIASID above the threshold, then one TLBSYNC; for a stage-2 bank,
 * TLBIIPAS2L / TLBIIPAS2 or one TLBIVMID, then one sync. A stage-2 domain
 * with nested children also holds combined stage 1+2 entries that no
 * IPA-based operation removes: it takes TLBIVMID directly.
 */
static int smmuv2_flush(struct iomm_unit *unit, struct iomm_domain *dom,
			const struct iomm_gather *g)
{
	struct iomm_smmuv2 *s = to_smmu(unit);
	unsigned cb = dom_cb(dom);
	bool s2 = dom->type == IOMM_DOMAIN_S2;
	unsigned gshift = dom->pgt.page_shift;
	uint64_t start = g->start & ~((1ull << gshift) - 1);
	uint64_t end = g->end;
	/* one operation per leaf of the smallest size removed (never below the granule) */
	uint64_t step = g->leaf_sizes ? 1ull << iomm_ctz64(g->leaf_sizes) : 1ull << gshift;
	uint64_t a = start & ~(step - 1);
	bool wide = (s2 && dom->nchildren) || end <= start ||
		    (end - a + step - 1) / step > s->cfg.inv_threshold;
	/* The table writes of the unmap reach memory before the TLB is told to forget. */
	iomm_port_wmb(port_of(s));
	if (wide)
		return flush_all_of(s, dom);
	for (; a < end; a += step) {
		uint64_t page = (a >> 12) & TLBI_ADDR;
		if (s2) {
			if (g->tables) {
				s->stats.tlbiipas2++;
				cb_wr64(s, cb, CB_TLBIIPAS2, page);
			} else {
				s->stats.tlbiipas2l++;
				cb_wr64(s, cb, CB_TLBIIPAS2L, page);
			}
		} else {
			uint64_t v = page | iomm_field_prep(TTBR_ASID, cb_asid(cb));
			if (g->tables) {
				s->stats.tlbiva++;
				cb_wr64(s, cb, CB_TLBIVA, v);
			} else {
				s->stats.tlbival++;
				cb_wr64(s, cb, CB_TLBIVAL, v);
			}
		}
	}
	return sync_bank(s, cb);
}

/* ---- faults ---- */
int iomm_smmuv2_decode_fault(const struct iomm_smmuv2_fault_regs *r, struct iomm_fault *f)
{
	if (!r || !f)
		return IOMM_REFUSE(NULL, IOMM_EINVAL, "r, f: must not be NULL");
	*f = (struct iomm_fault){0};
	uint32_t fsr = r->fsr;
	if (!(fsr & (r->global ? GFSR_FAULTS : FSR_FAULTS)))
		return IOMM_ENOENT;
	f->raw = fsr;
	f->addr = r->far;
	f->sid = r->synr1 & 0xffffu;
	if (r->global) {
		f->flags = (r->fsynr0 & GFSYNR0_WNR) ? IOMM_FAULT_WRITE : IOMM_FAULT_READ;
		if (r->fsynr0 & GFSYNR0_PNU)
			f->flags |= IOMM_FAULT_PRIV;
		if (r->fsynr0 & GFSYNR0_IND)
			f->flags |= IOMM_FAULT_EXEC;
		if (fsr & GFSR_USF)
			f->reason = IOMM_FAULT_BAD_STREAM;
		else if (fsr & (GFSR_SMCF | GFSR_ICF | GFSR_UCBF | GFSR_UCIF | GFSR_CAF))
			f->reason = IOMM_FAULT_BAD_CONFIG;
		else if (fsr & GFSR_EF)
			f->reason = IOMM_FAULT_ABORT;
		else if (fsr & GFSR_PF)
			f->reason = IOMM_FAULT_PERMISSION;
		else
			f->reason = IOMM_FAULT_OTHER;
		f->lost = (fsr & GFSR_MULTI) ? 1u : 0u;
		return IOMM_OK;
	}
	f->flags = (r->fsynr0 & FSYNR0_WNR) ? IOMM_FAULT_WRITE : IOMM_FAULT_READ;
	if (r->fsynr0 & FSYNR0_PNU)
		f->flags |= IOMM_FAULT_PRIV;
	if (r->fsynr0 & FSYNR0_IND)
		f->flags |= IOMM_FAULT_EXEC;
	if (iomm_field_get(r->cbar, CBAR_TYPE) == CBAR_TYPE_S2) {
		/* A stage-2 bank's input address is an IPA. */
		f->flags |= IOMM_FAULT_STAGE2 | IOMM_FAULT_IPA;
		f->ipa = r->far;
	} else if (r->fsynr0 & FSYNR0_S1PTWF) {
		f->flags |= IOMM_FAULT_STAGE2; /* stage 2 failed a stage-1 table walk */
	}
	if (fsr & FSR_TF)
		f->reason = IOMM_FAULT_TRANSLATION;
	else if (fsr & FSR_AFF)
		f->reason = IOMM_FAULT_ACCESS_FLAG;
	else if (fsr & FSR_PF)
		f->reason = IOMM_FAULT_PERMISSION;
	else if (fsr & FSR_ASF)
		f->reason = IOMM_FAULT_ADDR_SIZE;
	else if (fsr & FSR_EF)
		f->reason = IOMM_FAULT_WALK;
	else if (fsr & FSR_TLBMCF)
		f->reason = IOMM_FAULT_TLB_CONFLICT;
	else
		f->reason = IOMM_FAULT_OTHER;
	f->lost = (fsr & FSR_MULTI) ? 1u : 0u;
	return IOMM_OK;
}

static int smmuv2_fault_poll(struct iomm_unit *unit, iomm_fault_fn fn, void *arg)
{
	struct iomm_smmuv2 *s = to_smmu(unit);
	const struct iomm_port *port = port_of(s);
	int n = 0;
	struct iomm_smmuv2_fault_regs r = {0};
	struct iomm_fault f;
	r.global = true;
	r.fsr = gr0_rd(s, GR0_SGFSR);
	if (r.fsr & GFSR_FAULTS) {
		iomm_port_mb(port); /* the syndrome after the status that makes it valid */
		r.far = iomm_mmio_read64(port, s->unit.regs + GR0_SGFAR);
		r.fsynr0 = gr0_rd(s, GR0_SGFSYNR0);
		r.synr1 = gr0_rd(s, GR0_SGFSYNR1);
		iomm_port_mb(port); /* read everything before the record may be reused */
		gr0_wr(s, GR0_SGFSR, r.fsr); /* write 1 to clear what was read */
		iomm_smmuv2_decode_fault(&r, &f);
		s->stats.gfaults++;
		fn(arg, &f);
		n++;
	}
	r.global = false;
	for (unsigned cb = 0; cb < s->ncb; cb++) {
		if (!s->cb_dom[cb])
			continue;
		r.fsr = cb_rd(s, cb, CB_FSR);
		if (!(r.fsr & FSR_FAULTS))
			continue;
		iomm_port_mb(port);
		r.far = iomm_mmio_read64(port, cb_addr(s, cb, CB_FAR));
		r.fsynr0 = cb_rd(s, cb, CB_FSYNR0);
		r.synr1 = gr1_rd(s, GR1_CBFRSYNRA(cb));
		r.cbar = gr1_rd(s, GR1_CBAR(cb));
		iomm_port_mb(port);
		cb_wr(s, cb, CB_FSR, r.fsr);
		iomm_smmuv2_decode_fault(&r, &f);
		s->stats.faults++;
		fn(arg, &f);
		n++;
	}
	return n;
}

static const struct iomm_unit_ops smmuv2_ops = {
    .domain_init = smmuv2_domain_init,
    .domain_fini = smmuv2_domain_fini,
    .attach = smmuv2_attach,
    .detach = smmuv2_detach,
    .flush = smmuv2_flush,
    .fault_poll = smmuv2_fault_poll,
};

/* ---- probe ---- */

/* ID2.IAS/OAS/UBS encodings (IHI 0062, 10.6.3). */
static uint8_t size_bits(uint32_t enc)
{
	static const uint8_t bits[] = {32, 36, 40, 42, 44, 48};
	return enc < sizeof(bits) ? bits[enc] : 48;
}

static int probe(struct iomm_smmuv2 *s)
{
	for (unsigned i = 0; i < 8; i++)
		s->id[i] = gr0_rd(s, GR0_ID0 + 4u * i);
	uint32_t id0 = s->id[0], id1 = s->id[1], id2 = s->id[2];
	s->part = (gr0_rd(s, GR0_PIDR0) & 0xffu) | ((gr0_rd(s, GR0_PIDR1) & 0xfu) << 8);
	uint32_t f = 0;
	if (id0 & ID0_S1TS)
		f |= IOMM_SMMUV2_F_S1;
	if (id0 & ID0_S2TS)
		f |= IOMM_SMMUV2_F_S2;
	if ((id0 & ID0_NTS) && (id0 & ID0_S1TS) && (id0 & ID0_S2TS))
		f |= IOMM_SMMUV2_F_NESTED;
	if (id0 & ID0_SMS)
		f |= IOMM_SMMUV2_F_SMS;
	if (id0 & ID0_CTTW)
		f |= IOMM_SMMUV2_F_CTTW;
	if (id0 & ID0_BTM)
		f |= IOMM_SMMUV2_F_BTM;
	if (!(id0 & ID0_ATOSNS))
		f |= IOMM_SMMUV2_F_ATOS;
	if (id2 & (ID2_PTFS_4K | ID2_PTFS_16K | ID2_PTFS_64K))
		f |= IOMM_SMMUV2_F_AARCH64;
	if (s->part == IOMM_SMMUV2_PART_MMU500 || (s->cfg.flags & IOMM_SMMUV2_CFG_MMU500))
		f |= IOMM_SMMUV2_F_MMU500;
	s->features = f;
	if (!(f & IOMM_SMMUV2_F_AARCH64) || !(f & (IOMM_SMMUV2_F_S1 | IOMM_SMMUV2_F_S2)))
		return IOMM_ENODEV;

	unsigned sidb = (unsigned)iomm_field_get(id0, ID0_NUMSIDB);
	unsigned nsmr;
	if (f & IOMM_SMMUV2_F_SMS) {
		nsmr = (unsigned)iomm_field_get(id0, ID0_NUMSMRG);
	} else {
		/* Indexing: one S2CR per stream ID, as many as the register page holds. */
		if (sidb > 7)
			sidb = 7;
		nsmr = 1u << sidb;
	}
	if (!nsmr)
		return IOMM_ENODEV;
	s->nsmr = (uint16_t)(nsmr > IOMM_SMMUV2_MAX_SMR ? IOMM_SMMUV2_MAX_SMR : nsmr);
	unsigned ncb = (unsigned)iomm_field_get(id1, ID1_NUMCB);
	unsigned ns2cb = (unsigned)iomm_field_get(id1, ID1_NUMS2CB);
	s->ncb = (uint16_t)(ncb > IOMM_SMMUV2_MAX_CB ? IOMM_SMMUV2_MAX_CB : ncb);
	s->ns2cb = (uint16_t)(ns2cb > s->ncb ? s->ncb : ns2cb);
	s->pgshift = (id1 & ID1_PAGESIZE) ? 16u : 12u;
	unsigned numpage = 2u << iomm_field_get(id1, ID1_NUMPAGENDXB);
	s->cb_base = numpage << s->pgshift;
	if (s->ncb > numpage) /* only NUMPAGE banks fit in the context bank space */
		s->ncb = (uint16_t)numpage;
	if (s->ns2cb > s->ncb)
		s->ns2cb = s->ncb;

	struct iomm_unit *u = &s->unit;
	u->caps = IOMM_CAP_BYPASS;
	/* Stage 1 needs a bank above the stage-2-only ones. */
	if ((f & IOMM_SMMUV2_F_S1) && s->ncb > s->ns2cb)
		u->caps |= IOMM_CAP_S1;
	if (f & IOMM_SMMUV2_F_S2)
		u->caps |= IOMM_CAP_S2;
	if ((f & IOMM_SMMUV2_F_NESTED) && (u->caps & IOMM_CAP_S1))
		u->caps |= IOMM_CAP_NESTED;
	if ((f & IOMM_SMMUV2_F_CTTW) && (port_of(s)->flags & IOMM_PORT_DMA_COHERENT))
		u->caps |= IOMM_CAP_COHERENT;
	u->granules = 0;
	u->page_sizes = 0;
	if (id2 & ID2_PTFS_4K) {
		u->granules |= 1u << 12;
		u->page_sizes |= IOMM_BIT(12) | IOMM_BIT(21) | IOMM_BIT(30);
	}
	if (id2 & ID2_PTFS_16K) {
		u->granules |= 1u << 14;
		u->page_sizes |= IOMM_BIT(14) | IOMM_BIT(25);
	}
	if (id2 & ID2_PTFS_64K) {
		u->granules |= 1u << 16;
		u->page_sizes |= IOMM_BIT(16) | IOMM_BIT(29);
	}
	s->ipa_bits = size_bits((uint32_t)iomm_field_get(id2, ID2_IAS));
	s->s1_ias = size_bits((uint32_t)iomm_field_get(id2, ID2_UBS));
	u->oas = size_bits((uint32_t)iomm_field_get(id2, ID2_OAS));
	if ((u->caps & IOMM_CAP_S1) && s->ipa_bits < u->oas)
		u->oas = s->ipa_bits; /* stage 1 outputs an IPA */
	/* One input size for every domain: stage 1 takes UBS bits, stage 2 IAS. */
	if (!(u->caps & IOMM_CAP_S2))
		u->ias = s->s1_ias;
	else if (!(u->caps & IOMM_CAP_S1))
		u->ias = s->ipa_bits;
	else
		u->ias = s->s1_ias < s->ipa_bits ? s->s1_ias : s->ipa_bits;
	u->sid_bits = (uint8_t)sidb;
	u->name = "smmuv2";
	return IOMM_OK;
}

/*
 * MMU-500 auxiliary settings, as Linux (arm-smmu-impl.c, arm_mmu500_reset)
 * and Xen apply them:
 * - sACR.CACHE_LOCK is cleared on r2p0 and later (ID7.MAJOR >= 2): while it
 *   is set, writes to the banks' ACTLR do not take effect (MMU-500 TRM,
 *   3.5.1 "Auxiliary Configuration registers").
 * - sACR.SMTNMB_TLBEN and sACR.S2CRB_TLBEN let unmatched and bypass
 *   streams allocate TLB entries: fewer walks, no functional change.
 * - Each bank's ACTLR.CPRE (next-page prefetch) is cleared: Arm erratum
 *   841119 and erratum 826419 (MMU-500 software developer errata notice)
 *   corrupt or lose translations with the prefetcher on. If the bit does
 *   not clear (Secure software kept the cache locked), say so.
 */
static void mmu500_reset(struct iomm_smmuv2 *s)
{
	uint32_t acr = gr0_rd(s, GR0_SACR);
	if (iomm_field_get(s->id[7], ID7_MAJOR) >= 2)
		acr &= ~(uint32_t)MMU500_ACR_CACHE_LOCK;
	acr |= (uint32_t)(MMU500_ACR_SMTNMB_TLBEN | MMU500_ACR_S2CRB_TLBEN);
	gr0_wr(s, GR0_SACR, acr);
	bool stuck = false;
	for (unsigned cb = 0; cb < s->ncb; cb++) {
		uint32_t actlr = cb_rd(s, cb, CB_ACTLR) & ~(uint32_t)MMU500_ACTLR_CPRE;
		cb_wr(s, cb, CB_ACTLR, actlr);
		if (cb_rd(s, cb, CB_ACTLR) & MMU500_ACTLR_CPRE)
			stuck = true;
	}
	if (stuck)
		iomm_log_str(port_of(s), IOMM_LOG_WARN,
			     "smmuv2: MMU-500 prefetcher still on (sACR.CACHE_LOCK?): errata "
			     "841119/826419 not avoided");
}

int iomm_smmuv2_init(struct iomm_smmuv2 *smmu, const struct iomm_port *port, uintptr_t regs,
		     const struct iomm_smmuv2_cfg *cfg)
{
	if (!smmu || !port || !port->read32 || !port->write32 || !port->now_ns)
		return IOMM_REFUSE(port, IOMM_EINVAL,
				   "smmu, port: NULL, or port without read32, write32, now_ns");
	struct iomm_smmuv2_cfg c = cfg ? *cfg : (struct iomm_smmuv2_cfg){0};
	if (!c.timeout_ns)
		c.timeout_ns = IOMM_DEFAULT_TIMEOUT_NS;
	if (!c.inv_threshold)
		c.inv_threshold = DEFAULT_INV_THRESHOLD;
	*smmu = (struct iomm_smmuv2){0};
	struct iomm_smmuv2 *s = smmu;
	s->unit.port = port;
	s->unit.regs = regs;
	s->cfg = c;
	int rc = probe(s);
	if (rc)
		return rc;
	if (!(s->unit.caps & IOMM_CAP_COHERENT) && !port->clean_tables)
		return IOMM_REFUSE(port, IOMM_EINVAL,
				   "port: walks are not coherent and clean_tables is NULL");

	/* Everything safe before client access: no SMR matches, every S2CR faults. */
	gr0_wr(s, GR0_SGFSR, gr0_rd(s, GR0_SGFSR));
	for (unsigned i = 0; i < s->nsmr; i++) {
		gr0_wr(s, GR0_S2CR(i), S2CR_FAULT);
		if (use_smr(s))
			gr0_wr(s, GR0_SMR(i), 0);
	}
	if (use_smr(s)) {
		/* SMR.MASK may implement fewer bits than the stream ID (IHI 0062, SMRn.MASK):
		 * write ones to an invalid SMR and read back what stuck. */
		gr0_wr(s, GR0_SMR(0), (uint32_t)SMR_MASK);
		s->smr_mask = (uint16_t)iomm_field_get(gr0_rd(s, GR0_SMR(0)), SMR_MASK);
		gr0_wr(s, GR0_SMR(0), 0);
	}
	for (unsigned cb = 0; cb < s->ncb; cb++) {
		cb_wr(s, cb, CB_SCTLR, 0);
		cb_wr(s, cb, CB_FSR, (uint32_t)FSR_FAULTS);
	}
	if (s->features & IOMM_SMMUV2_F_MMU500)
		mmu500_reset(s);
	s->stats.tlbiallnsnh++;
	gr0_wr(s, GR0_TLBIALLNSNH, 0);
	rc = sync_global(s);
	if (rc)
		return rc;
	uint32_t scr0 = gr0_rd(s, GR0_SCR0);
	scr0 |= (uint32_t)(SCR0_GFRE | SCR0_GFIE | SCR0_GCFGFRE | SCR0_GCFGFIE | SCR0_USFCFG |
			   SCR0_VMIDPNE | SCR0_PTM);
	scr0 &= ~(uint32_t)(SCR0_CLIENTPD | SCR0_FB | SCR0_BSU | SCR0_EXIDENABLE |
			    SCR0_VMID16EN);
	gr0_wr(s, GR0_SCR0, scr0);
	s->unit.ops = &smmuv2_ops;
	iomm_log(port, IOMM_LOG_INFO, "smmuv2: enabled, ID0=", s->id[0], "");
	return IOMM_OK;
}
