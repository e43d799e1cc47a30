/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Arm SMMUv3 backend.
 *
 * Ordering rules followed here (Arm IHI 0070, 3.21 and 4.x):
 * - GBPA is set to abort before anything else, so a disabled SMMU never
 *   lets traffic through.
 * - Structures (STEs, CDs, stream table descriptors, commands) are
 *   complete, and cleaned when the SMMU is not coherent, before anything
 *   that makes them reachable is written.
 * - A live STE changes in steps that never grant more than the old or the
 *   new configuration: a stream with access is first set to abort and
 *   invalidated (CFGI_STE + CMD_SYNC), then the new STE is written with its
 *   first word last, then invalidated again.
 * - Every wait for the hardware is bounded by the port's clock.
 */
#include "smmuv3_internal.h"

#define DEFAULT_INV_THRESHOLD 32u

static const struct iomm_unit_ops smmuv3_ops;

/* ---- stream table ---- */
static uint64_t *ste_of(struct iomm_smmuv3 *s, uint32_t sid)
{
	if (!(s->cfg.flags & IOMM_SMMUV3_CFG_2LVL))
		return (uint64_t *)s->mem.strtab + (size_t)sid * STE_WORDS;
	uint64_t l1 = iomm_read_desc((uint64_t *)s->mem.strtab + (sid >> s->split));
	if (!iomm_field_get(l1, L1STD_SPAN))
		return NULL;
	uint64_t pa = l1 & L1STD_L2PTR;
	uint64_t *l2 = iomm_pool_page_va(s->pool, port_of(s), pa);
	return l2 + (size_t)(sid & ((1u << s->split) - 1)) * STE_WORDS;
}

static void ste_fill_abort(uint64_t *ste, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (unsigned w = 1; w < STE_WORDS; w++)
			iomm_write_desc(&ste[i * STE_WORDS + w], 0);
		iomm_write_desc(&ste[i * STE_WORDS],
				STE0_V | iomm_field_prep(STE0_CFG, STE_CFG_ABORT));
	}
}

/* Make sure the level-2 span holding @sid exists (2-level tables only). */
static int ste_ensure(struct iomm_smmuv3 *s, uint32_t sid)
{
	if (!(s->cfg.flags & IOMM_SMMUV3_CFG_2LVL) || ste_of(s, sid))
		return IOMM_OK;
	uint64_t pa;
	uint64_t *l2 = iomm_pool_alloc(s->pool, 1, &pa);
	if (!l2)
		return IOMM_ENOMEM;
	size_t n = (size_t)1 << s->split;
	ste_fill_abort(l2, n);
	sync_mem(s, l2, n * STE_WORDS * 8u);
	uint64_t *l1 = (uint64_t *)s->mem.strtab + (sid >> s->split);
	iomm_write_desc(l1, (pa & L1STD_L2PTR) | iomm_field_prep(L1STD_SPAN, s->split + 1u));
	sync_mem(s, l1, 8);
	return IOMM_OK;
}

/* ---- IDs ---- */
static bool id_used(const struct iomm_smmuv3 *s, uint32_t id, bool asid)
{
	for (const struct iomm_domain *d = s->unit.domains; d; d = d->next) {
		bool is_asid = d->type == IOMM_DOMAIN_S1 || d->type == IOMM_DOMAIN_NESTED;
		bool is_vmid = d->type == IOMM_DOMAIN_S2;
		if (d->id == id && (asid ? is_asid : is_vmid))
			return true;
	}
	return false;
}

static int id_alloc(struct iomm_smmuv3 *s, bool asid, uint32_t *out)
{
	uint32_t limit = 1u << (asid ? s->asid_bits : s->vmid_bits);
	uint32_t *next = asid ? &s->next_asid : &s->next_vmid;
	for (uint32_t tries = 0; tries < limit; tries++) {
		uint32_t id = *next;
		*next = *next + 1 >= limit ? 1 : *next + 1; /* 0 stays unused */
		if (id && !id_used(s, id, asid)) {
			*out = id;
			return IOMM_OK;
		}
	}
	return IOMM_ENOSPC;
}

/* ---- domains ----
 * A stage-1 domain owns its context descriptor: dom->priv (one pool page),
 * at dom->priv_pa.
 */

static uint32_t dom_vmid(const struct iomm_domain *d)
{
	if (d->type == IOMM_DOMAIN_S2)
		return d->id;
	if (d->type == IOMM_DOMAIN_NESTED)
		return d->parent->id;
	return 0;
}

static int smmuv3_domain_init(struct iomm_unit *unit, struct iomm_domain *dom)
{
	struct iomm_smmuv3 *s = to_smmu(unit);
	int rc = IOMM_OK;
	switch (dom->type) {
	case IOMM_DOMAIN_S1:
	case IOMM_DOMAIN_NESTED: {
		rc = id_alloc(s, true, &dom->id);
		if (rc)
			return rc;
		struct iomm_lpae_regs r;
		iomm_pgt_lpae_regs(&dom->pgt, &r);
		uint64_t pa;
		uint64_t *cd = iomm_pool_alloc(dom->pgt.pool, 1, &pa);
		if (!cd)
			return IOMM_ENOMEM;
		iomm_write_desc(&cd[1], r.ttbr & CD1_TTB0);
		iomm_write_desc(&cd[3], r.mair);
		uint64_t stall = (s->features & IOMM_SMMUV3_F_STALL_FORCE) ? CD0_S : 0;
		iomm_write_desc(&cd[0], stall | iomm_field_prep(CD0_T0SZ, r.tsz) |
					    iomm_field_prep(CD0_TG0, r.tg) |
					    iomm_field_prep(CD0_IRGN0, r.irgn) |
					    iomm_field_prep(CD0_ORGN0, r.orgn) |
					    iomm_field_prep(CD0_SH0, r.sh) | CD0_EPD1 | CD0_V |
					    iomm_field_prep(CD0_IPS, r.ps) | CD0_AA64 | CD0_R |
					    CD0_A | iomm_field_prep(CD0_ASID, dom->id));
		sync_mem(s, cd, CD_WORDS * 8u);
		dom->priv = cd;
		dom->priv_pa = pa;
		break;
	}
	case IOMM_DOMAIN_S2:
		rc = id_alloc(s, false, &dom->id);
		if (rc)
			return rc;
		break;
	default:
		break;
	}
	return IOMM_OK;
}

/* Stage-1-only streams use the EL2 regime when configured; streams with stage 2 are NS-EL1. */
static bool uses_el2(const struct iomm_smmuv3 *s, const struct iomm_domain *dom)
{
	return (s->cfg.flags & IOMM_SMMUV3_CFG_EL2) && dom->type == IOMM_DOMAIN_S1;
}

/*
 * Queue the command that drops every TLB entry tagged for @dom: by ASID
 * (in the domain's regime) for stage-1 and nested domains, by VMID for
 * stage 2. Domains without a tag need none: returns false.
 */
static bool batch_tlbi_domain(struct iomm_smmuv3 *s, struct batch *b,
			      const struct iomm_domain *dom)
{
	switch (dom->type) {
	case IOMM_DOMAIN_S1:
	case IOMM_DOMAIN_NESTED:
		smmuv3_batch_add(s, b,
				 smmuv3_cmd(&(struct smmuv3_cmd_args){
				     .op = uses_el2(s, dom) ? CMD_TLBI_EL2_ASID : CMD_TLBI_NH_ASID,
				     .asid = dom->id,
				     .vmid = dom_vmid(dom)}));
		return true;
	case IOMM_DOMAIN_S2:
		smmuv3_batch_add(s, b,
				 smmuv3_cmd(&(struct smmuv3_cmd_args){.op = CMD_TLBI_S12_VMALL,
								      .vmid = dom->id}));
		return true;
	default:
		return false;
	}
}

static int flush_all_of(struct iomm_smmuv3 *s, const struct iomm_domain *dom)
{
	struct batch b = {.n = 0, .rc = 0};
	if (!batch_tlbi_domain(s, &b, dom))
		return IOMM_OK;
	return smmuv3_batch_sync(s, &b);
}

static int smmuv3_domain_fini(struct iomm_unit *unit, struct iomm_domain *dom)
{
	struct iomm_smmuv3 *s = to_smmu(unit);
	int rc = flush_all_of(s, dom);
	if (dom->priv) {
		iomm_zero(dom->priv, CD_WORDS * 8u);
		if (rc == IOMM_OK) /* a CD the SMMU may still cache is not reused */
			iomm_pool_put(dom->pgt.pool, dom->priv, 1);
		dom->priv = NULL;
	}
	return rc;
}

/* ---- devices ---- */
static void ste_build(const struct iomm_smmuv3 *s, const struct iomm_domain *dom,
		      uint64_t ste[STE_WORDS])
{
	for (unsigned w = 0; w < STE_WORDS; w++)
		ste[w] = 0;
	bool coh = (s->unit.caps & IOMM_CAP_COHERENT) != 0;
	uint64_t cfg;
	const struct iomm_domain *s2 = NULL;
	switch (dom->type) {
	case IOMM_DOMAIN_S1:
		cfg = STE_CFG_S1;
		break;
	case IOMM_DOMAIN_NESTED:
		cfg = STE_CFG_NESTED;
		s2 = dom->parent;
		break;
	case IOMM_DOMAIN_S2:
		cfg = STE_CFG_S2;
		s2 = dom;
		break;
	case IOMM_DOMAIN_BYPASS:
		cfg = STE_CFG_BYPASS;
		break;
	default:
		cfg = STE_CFG_ABORT;
		break;
	}
	ste[0] = STE0_V | iomm_field_prep(STE0_CFG, cfg);
	ste[1] = iomm_field_prep(STE1_SHCFG, STE_SHCFG_INCOMING);
	if (cfg == STE_CFG_S1 || cfg == STE_CFG_NESTED) {
		ste[0] |= (dom->priv_pa & STE0_S1CTXPTR);
		ste[1] |=
		    iomm_field_prep(STE1_S1CIR, coh ? CR1_CACHE_WB : 0) |
		    iomm_field_prep(STE1_S1COR, coh ? CR1_CACHE_WB : 0) |
		    iomm_field_prep(STE1_S1CSH, coh ? CR1_SH_ISH : CR1_SH_OSH) |
		    iomm_field_prep(STE1_STRW, uses_el2(s, dom) ? STE_STRW_EL2 : STE_STRW_NSEL1);
	}
	if (s2) {
		struct iomm_lpae_regs r;
		iomm_pgt_lpae_regs(&s2->pgt, &r);
		ste[2] = iomm_field_prep(STE2_S2VMID, s2->id) |
			 iomm_field_prep(STE2_S2T0SZ, r.tsz) | iomm_field_prep(STE2_S2SL0, r.sl0) |
			 iomm_field_prep(STE2_S2IR0, r.irgn) | iomm_field_prep(STE2_S2OR0, r.orgn) |
			 iomm_field_prep(STE2_S2SH0, r.sh) | iomm_field_prep(STE2_S2TG, r.tg) |
			 iomm_field_prep(STE2_S2PS, r.ps) | STE2_S2AA64 | STE2_S2R |
			 STE2_S2PTW | /* stage-1 walks that hit Device memory fault */
			 ((s->features & IOMM_SMMUV3_F_STALL_FORCE) ? STE2_S2S : 0);
		ste[3] = r.ttbr & STE3_S2TTB;
	}
}

static bool ste_grants(uint64_t w0)
{
	return (w0 & STE0_V) && iomm_field_get(w0, STE0_CFG) != STE_CFG_ABORT;
}

/* Set the streams of @dev to abort in memory and queue their CFGI_STEs. */
static void ste_abort_all(struct iomm_smmuv3 *s, const struct iomm_dev *dev, struct batch *b)
{
	IOMM_FOR_EACH_SID(dev, sid) {
		uint64_t *e = ste_of(s, sid);
		iomm_write_desc(e, STE0_V | iomm_field_prep(STE0_CFG, STE_CFG_ABORT));
		sync_mem(s, e, 8);
		/* not leaf: drop a cached L1 descriptor too */
		smmuv3_batch_add(s, b, smmuv3_cmd_cfgi_ste(sid, false));
	}
}

/*
 * Point every stream of @dev at @ste. If the new entry grants access,
 * streams that currently grant access go through abort first (one CMD_SYNC
 * for all of them); then the new entries are written with word 0 last and
 * invalidated (one more sync). If that last step is not confirmed, the
 * streams are put back to abort, so a failure never leaves one translating.
 */
static int ste_install(struct iomm_smmuv3 *s, const struct iomm_dev *dev,
		       const uint64_t ste[STE_WORDS])
{
	struct batch b = {.n = 0, .rc = 0};
	if (!ste_grants(ste[0])) {
		ste_abort_all(s, dev, &b);
		return smmuv3_batch_sync(s, &b);
	}
	bool live = false;
	IOMM_FOR_EACH_SID(dev, sid) {
		uint64_t *e = ste_of(s, sid);
		if (ste_grants(iomm_read_desc(e))) {
			iomm_write_desc(e, STE0_V | iomm_field_prep(STE0_CFG, STE_CFG_ABORT));
			sync_mem(s, e, 8);
			smmuv3_batch_add(s, &b, smmuv3_cmd_cfgi_ste(sid, true));
			live = true;
		}
	}
	int rc = live ? smmuv3_batch_sync(s, &b) : IOMM_OK;
	if (rc)
		return rc; /* the streams abort now: fail closed */
	IOMM_FOR_EACH_SID(dev, sid) {
		uint64_t *e = ste_of(s, sid);
		for (unsigned w = 1; w < STE_WORDS; w++)
			iomm_write_desc(&e[w], ste[w]);
		sync_mem(s, e, STE_WORDS * 8u);
		iomm_write_desc(&e[0], ste[0]);
		sync_mem(s, e, 8);
		/* not leaf: drop a cached L1 descriptor too */
		smmuv3_batch_add(s, &b, smmuv3_cmd_cfgi_ste(sid, false));
	}
	rc = smmuv3_batch_sync(s, &b);
	if (rc) {
		ste_abort_all(s, dev, &b);
		(void)smmuv3_batch_sync(s, &b);
	}
	return rc;
}

static int smmuv3_attach(struct iomm_unit *unit, struct iomm_domain *dom, struct iomm_dev *dev)
{
	struct iomm_smmuv3 *s = to_smmu(unit);
	if ((dev->sid | dev->mask) >> s->sid_bits)
		return IOMM_REFUSE_AS(port_of(s), IOMM_ERANGE, "iomm_attach",
				      "dev: stream ID beyond the stream table (cfg sid_bits)");
	if (iomm_dev_conflicts(unit, dev))
		return IOMM_EBUSY;
	IOMM_FOR_EACH_SID(dev, sid) {
		int rc = ste_ensure(s, sid);
		if (rc)
			return rc;
	}
	uint64_t ste[STE_WORDS];
	ste_build(s, dom, ste);
	return ste_install(s, dev, ste);
}

static int smmuv3_detach(struct iomm_unit *unit, struct iomm_dev *dev)
{
	struct iomm_smmuv3 *s = to_smmu(unit);
	uint64_t ste[STE_WORDS];
	for (unsigned w = 0; w < STE_WORDS; w++)
		ste[w] = 0;
	ste[0] = STE0_V | iomm_field_prep(STE0_CFG, STE_CFG_ABORT);
	/* Not confirmed: the core keeps the device recorded as attached. */
	return ste_install(s, dev, ste);
}

/* ---- invalidation ---- */
static unsigned tg_enc(unsigned gshift)
{
	return gshift == 12 ? CMD_TLBI_TG_4K : gshift == 14 ? CMD_TLBI_TG_16K : CMD_TLBI_TG_64K;
}

static int smmuv3_flush(struct iomm_unit *unit, struct iomm_domain *dom,
			const struct iomm_gather *g)
{
	struct iomm_smmuv3 *s = to_smmu(unit);
	bool el2 = uses_el2(s, dom);
	bool s2 = dom->type == IOMM_DOMAIN_S2;
	/* The by-address command: each use below fills in the address (and range). */
	struct smmuv3_cmd_args va = {.op = CMD_TLBI_S2_IPA, .vmid = dom->id, .leaf = !g->tables};
	if (!s2) {
		va.op = el2 ? CMD_TLBI_EL2_VA : CMD_TLBI_NH_VA;
		va.asid = dom->id;
		va.vmid = dom_vmid(dom);
	}
	unsigned gshift = dom->pgt.page_shift;
	uint64_t start = g->start & ~((1ull << gshift) - 1);
	uint64_t end = g->end;
	struct batch b = {.n = 0, .rc = 0};

	if (end > start) {
		bool wide = false;
		if (s->features & IOMM_SMMUV3_F_RIL) {
			/*
			 * Range commands: each covers (NUM+1) << SCALE granules.
			 * Peel the page count from its low bits, five at a time.
			 */
			uint64_t pages = (end - start + (1ull << gshift) - 1) >> gshift;
			unsigned ttl = 0;
			if (!g->tables && g->levels && !(g->levels & (g->levels - 1)))
				ttl = iomm_ctz64(g->levels); /* the only level touched */
			uint32_t ncmd = 0;
			for (uint64_t p = pages; p; ncmd++)
				p -= ((p >> iomm_ctz64(p)) & CMD_TLBI_NUM_PEEL) << iomm_ctz64(p);
			if (ncmd > s->cfg.inv_threshold || pages >> 31) {
				wide = true;
			} else {
				uint64_t iova = start;
				for (uint64_t p = pages; p;) {
					unsigned scale = iomm_ctz64(p);
					uint64_t num = (p >> scale) & CMD_TLBI_NUM_PEEL;
					p -= num << scale;
					va.addr = iova;
					/* TG with NUM=SCALE=TTL=0 is reserved: plain form */
					bool plain = num == 1 && scale == 0 && ttl == 0;
					va.tg = plain ? 0u : tg_enc(gshift);
					va.ttl = ttl;
					va.num = (uint32_t)(num - 1);
					va.scale = scale;
					smmuv3_batch_add(s, &b, smmuv3_cmd(&va));
					iova += num << (scale + gshift);
				}
			}
		} else {
			/* One command per leaf of the smallest size removed. */
			uint64_t step =
			    g->leaf_sizes ? 1ull << iomm_ctz64(g->leaf_sizes) : 1ull << gshift;
			if (step < (1ull << gshift))
				step = 1ull << gshift;
			uint64_t a = start & ~(step - 1);
			if ((end - a + step - 1) / step > s->cfg.inv_threshold) {
				wide = true;
			} else {
				for (; a < end; a += step) {
					va.addr = a;
					smmuv3_batch_add(s, &b, smmuv3_cmd(&va));
				}
			}
		}
		if (wide) {
			b.n = 0;
			(void)batch_tlbi_domain(s, &b, dom);
		}
	}
	/* Stage-2 changes also live in combined stage 1+2 entries of nested children. */
	if (s2 && dom->nchildren)
		smmuv3_batch_add(
		    s, &b,
		    smmuv3_cmd(&(struct smmuv3_cmd_args){.op = CMD_TLBI_NH_ALL, .vmid = dom->id}));
	int rc = smmuv3_batch_sync(s, &b);
	return rc == IOMM_EIO ? IOMM_EIO : rc;
}

/* ---- events ---- */
int iomm_smmuv3_decode_event(const uint64_t rec[4], struct iomm_fault *f)
{
	if (!rec || !f)
		return IOMM_REFUSE(NULL, IOMM_EINVAL, "rec, f: must not be NULL");
	uint64_t w0 = iomm_le64_to_cpu(rec[0]), w1 = iomm_le64_to_cpu(rec[1]);
	uint64_t w2 = iomm_le64_to_cpu(rec[2]), w3 = iomm_le64_to_cpu(rec[3]);
	uint32_t id = (uint32_t)iomm_field_get(w0, EVT0_ID);
	f->sid = (uint32_t)iomm_field_get(w0, EVT0_SID);
	f->ssid = (uint32_t)iomm_field_get(w0, EVT0_SSID);
	f->flags = (w0 & EVT0_SSV) ? IOMM_FAULT_SSID : 0;
	f->addr = 0;
	f->ipa = 0;
	f->raw = id;
	f->lost = 0;
	switch (id) {
	case EVT_F_TRANSLATION:
		f->reason = IOMM_FAULT_TRANSLATION;
		break;
	case EVT_F_ADDR_SIZE:
		f->reason = IOMM_FAULT_ADDR_SIZE;
		break;
	case EVT_F_ACCESS:
		f->reason = IOMM_FAULT_ACCESS_FLAG;
		break;
	case EVT_F_PERMISSION:
		f->reason = IOMM_FAULT_PERMISSION;
		break;
	case EVT_C_BAD_STREAMID:
	case EVT_C_BAD_SUBSTREAMID:
		f->reason = IOMM_FAULT_BAD_STREAM;
		break;
	case EVT_C_BAD_STE:
	case EVT_C_BAD_CD:
	case EVT_F_CFG_CONFLICT:
		f->reason = IOMM_FAULT_BAD_CONFIG;
		break;
	case EVT_F_STREAM_DISABLED:
	case EVT_F_TRANSL_FORBIDDEN:
		f->reason = IOMM_FAULT_ABORT;
		break;
	case EVT_F_STE_FETCH:
	case EVT_F_CD_FETCH:
	case EVT_F_WALK_EABT:
	case EVT_F_VMS_FETCH:
		f->reason = IOMM_FAULT_WALK;
		break;
	case EVT_F_TLB_CONFLICT:
		f->reason = IOMM_FAULT_TLB_CONFLICT;
		break;
	default:
		f->reason = IOMM_FAULT_OTHER;
		break;
	}
	bool access = id == EVT_F_TRANSLATION || id == EVT_F_ADDR_SIZE || id == EVT_F_ACCESS ||
		      id == EVT_F_PERMISSION || id == EVT_F_WALK_EABT ||
		      id == EVT_F_TRANSL_FORBIDDEN || id == EVT_F_UUT || id == EVT_F_TLB_CONFLICT;
	if (access) {
		f->addr = w2;
		f->flags |= (w1 & EVT1_RNW) ? IOMM_FAULT_READ : IOMM_FAULT_WRITE;
		if (w1 & EVT1_IND)
			f->flags |= IOMM_FAULT_EXEC;
		if (w1 & EVT1_PNU)
			f->flags |= IOMM_FAULT_PRIV;
		if (w1 & EVT1_S2) {
			f->flags |= IOMM_FAULT_STAGE2 | IOMM_FAULT_IPA;
			f->ipa = w3 & EVT3_IPA;
		}
	}
	return IOMM_OK;
}

static int smmuv3_fault_poll(struct iomm_unit *unit, iomm_fault_fn fn, void *arg)
{
	struct iomm_smmuv3 *s = to_smmu(unit);
	int rc = 0;
	uint32_t gerr = smmuv3_gerror_active(s);
	if (gerr & ~(uint32_t)GERROR_CMDQ_ERR) {
		iomm_log(port_of(s), IOMM_LOG_ERROR, "smmuv3: global error GERROR bits ", gerr, "");
		smmuv3_gerror_ack(s, gerr & ~(uint32_t)GERROR_CMDQ_ERR);
		rc = IOMM_EIO;
	}
	uint32_t mask = q_mask(s->evtq_shift);
	uint32_t prod_reg = rd32(s, SMMU_EVTQ_PROD);
	/* No record is read before PROD says it is there (Arm IHI 0070, 3.5). */
	iomm_port_mb(port_of(s));
	uint32_t prod = prod_reg & mask;
	uint32_t lost = 0;
	uint32_t ovf = prod_reg & (uint32_t)EVTQ_OVFLG;
	if (ovf != (s->evtq_cons & (uint32_t)EVTQ_OVFLG)) {
		/* The SMMU dropped records: it says so but not how many. */
		lost = 1;
		s->stats.overflows++;
		iomm_log_str(port_of(s), IOMM_LOG_WARN, "smmuv3: event queue overflowed");
	}
	int n = 0;
	uint32_t cons = s->evtq_cons & mask;
	while (cons != prod) {
		uint32_t idx = cons & (q_entries(s->evtq_shift) - 1);
		uint64_t *rec = (uint64_t *)s->mem.evtq + EVTQ_ENT_WORDS * idx;
		if (!(s->unit.caps & IOMM_CAP_COHERENT))
			port_of(s)->clean_tables(port_of(s)->ctx, rec, EVTQ_ENT_BYTES);
		uint64_t copy[4];
		for (unsigned w = 0; w < 4; w++)
			copy[w] = iomm_cpu_to_le64(iomm_read_desc(&rec[w]));
		struct iomm_fault f;
		iomm_smmuv3_decode_event(copy, &f);
		f.lost = lost;
		lost = 0;
		cons = (cons + 1) & mask;
		s->evtq_cons = (s->evtq_cons & (uint32_t)EVTQ_OVFLG) | cons;
		iomm_port_mb(port_of(s)); /* the record is read before its slot is given back */
		wr32(s, SMMU_EVTQ_CONS, s->evtq_cons);
		s->stats.events++;
		fn(arg, &f);
		n++;
	}
	if (ovf != (s->evtq_cons & (uint32_t)EVTQ_OVFLG)) {
		if (lost) { /* overflow with nothing left to carry it: report alone */
			struct iomm_fault f = {0};
			f.reason = IOMM_FAULT_OTHER;
			f.lost = lost;
			fn(arg, &f);
			n++;
		}
		s->evtq_cons = (s->evtq_cons & mask) | ovf; /* acknowledge */
		wr32(s, SMMU_EVTQ_CONS, s->evtq_cons);
	}
	return rc ? rc : n;
}

static const struct iomm_unit_ops smmuv3_ops = {
    .domain_init = smmuv3_domain_init,
    .domain_fini = smmuv3_domain_fini,
    .attach = smmuv3_attach,
    .detach = smmuv3_detach,
    .flush = smmuv3_flush,
    .fault_poll = smmuv3_fault_poll,
};

/* ---- probe, reset, enable ---- */
static unsigned log2_floor(uint64_t v)
{
	return 63u - iomm_clz64(v);
}

static bool aligned_pow2(uint64_t pa, const void *va, size_t size)
{
	return size && !(size & (size - 1)) && !(pa & (size - 1)) && !((uintptr_t)va & (size - 1));
}

/* Memory the caller hands over: present, sized and aligned as the SMMU needs. */
static bool mem_ok(const struct iomm_smmuv3_mem *mem)
{
	return mem->strtab && mem->cmdq && mem->evtq && mem->cmdq_size >= QUEUE_MIN_BYTES &&
	       mem->evtq_size >= QUEUE_MIN_BYTES &&
	       aligned_pow2(mem->cmdq_pa, mem->cmdq, mem->cmdq_size) &&
	       aligned_pow2(mem->evtq_pa, mem->evtq, mem->evtq_size) &&
	       mem->strtab_size >= STE_BYTES && !(mem->strtab_pa & (STE_BYTES - 1)) &&
	       !((uintptr_t)mem->strtab & (L1STD_BYTES - 1));
}

/*
 * Geometry of the stream table and the queues: what the memory covers, the
 * hardware supports and the caller asked for, whichever is least. Fills
 * s->split, s->sid_bits, the queue shifts and *strtab_cfg (STRTAB_BASE_CFG).
 */
static int plan_structures(struct iomm_smmuv3 *s, uint32_t *strtab_cfg)
{
	const struct iomm_smmuv3_mem *mem = &s->mem;
	const struct iomm_smmuv3_cfg *c = &s->cfg;
	unsigned sid_bits = s->unit.sid_bits;
	bool two = (c->flags & IOMM_SMMUV3_CFG_2LVL) != 0;
	if (two)
		s->split = (uint8_t)(log2_floor(iomm_pool_page_size(s->pool)) - 6); /* 6, 8 or 10 */
	unsigned mem_bits = two ? log2_floor(mem->strtab_size / L1STD_BYTES) + s->split
				: log2_floor(mem->strtab_size / STE_BYTES);
	if (c->sid_bits > sid_bits || c->sid_bits > mem_bits) /* more streams than can be covered */
		return IOMM_REFUSE_AS(port_of(s), IOMM_EINVAL, "iomm_smmuv3_init",
				      "cfg->sid_bits: more than the unit or mem->strtab_size covers");
	if (mem_bits < sid_bits)
		sid_bits = mem_bits;
	if (c->sid_bits && c->sid_bits < sid_bits)
		sid_bits = c->sid_bits;
	if (two && sid_bits < s->split)
		sid_bits = s->split;
	size_t strtab_bytes =
	    two ? (size_t)L1STD_BYTES << (sid_bits - s->split) : (size_t)STE_BYTES << sid_bits;
	if (strtab_bytes < STE_BYTES)
		strtab_bytes = STE_BYTES;
	if (strtab_bytes > mem->strtab_size ||
	    !aligned_pow2(mem->strtab_pa, mem->strtab, strtab_bytes))
		return IOMM_REFUSE_AS(port_of(s), IOMM_EINVAL, "iomm_smmuv3_init",
				      "mem->strtab: too small or not aligned to its size");
	*strtab_cfg =
	    (uint32_t)(iomm_field_prep(STRTAB_CFG_FMT, two ? STRTAB_FMT_2LVL : STRTAB_FMT_LINEAR) |
		       iomm_field_prep(STRTAB_CFG_SPLIT, two ? s->split : 0u) |
		       iomm_field_prep(STRTAB_CFG_LOG2SIZE, sid_bits));
	/* The SMMU must reach every structure it is handed. */
	uint64_t reach = s->unit.oas >= 64 ? ~0ull : (1ull << s->unit.oas);
	if (mem->strtab_pa + strtab_bytes > reach || mem->cmdq_pa + mem->cmdq_size > reach ||
	    mem->evtq_pa + mem->evtq_size > reach)
		return IOMM_REFUSE_AS(port_of(s), IOMM_EINVAL, "iomm_smmuv3_init",
				      "mem: a table or queue lies beyond the unit's output size");
	s->sid_bits = (uint8_t)sid_bits;
	s->unit.sid_bits = (uint8_t)sid_bits;
	unsigned cq = log2_floor(mem->cmdq_size / CMDQ_ENT_BYTES);
	unsigned eq = log2_floor(mem->evtq_size / EVTQ_ENT_BYTES);
	unsigned cq_max = (unsigned)iomm_field_get(s->idr[1], IDR1_CMDQS);
	unsigned eq_max = (unsigned)iomm_field_get(s->idr[1], IDR1_EVTQS);
	s->cmdq_shift = (uint8_t)(cq < cq_max ? cq : cq_max);
	s->evtq_shift = (uint8_t)(eq < eq_max ? eq : eq_max);
	if (s->cmdq_shift < 1)
		return IOMM_REFUSE_AS(port_of(s), IOMM_EINVAL, "iomm_smmuv3_init",
				      "mem->cmdq_size: room for fewer than two commands");
	return IOMM_OK;
}

/*
 * With the SMMU disabled (traffic aborts): every stream set to abort, the
 * queues empty, the stream table and queues handed to the SMMU and the
 * memory attributes of its accesses set.
 */
static void reset_structures(struct iomm_smmuv3 *p, uint32_t strtab_cfg)
{
	const struct iomm_smmuv3_mem *mem = &p->mem;
	unsigned sid_bits = p->sid_bits;
	if (p->cfg.flags & IOMM_SMMUV3_CFG_2LVL) {
		size_t l1n = (size_t)1 << (sid_bits > p->split ? sid_bits - p->split : 0);
		for (size_t i = 0; i < l1n; i++)
			iomm_write_desc((uint64_t *)mem->strtab + i, 0);
		sync_mem(p, mem->strtab, l1n * L1STD_BYTES);
	} else {
		ste_fill_abort(mem->strtab, (size_t)1 << sid_bits);
		sync_mem(p, mem->strtab, (size_t)STE_BYTES << sid_bits);
	}
	wr64(p, SMMU_STRTAB_BASE, STRTAB_BASE_RA | (mem->strtab_pa & STRTAB_BASE_ADDR));
	wr32(p, SMMU_STRTAB_BASE_CFG, strtab_cfg);

	iomm_zero(mem->cmdq, (size_t)CMDQ_ENT_BYTES << p->cmdq_shift);
	iomm_zero(mem->evtq, (size_t)EVTQ_ENT_BYTES << p->evtq_shift);
	sync_mem(p, mem->cmdq, (size_t)CMDQ_ENT_BYTES << p->cmdq_shift);
	sync_mem(p, mem->evtq, (size_t)EVTQ_ENT_BYTES << p->evtq_shift);
	wr64(p, SMMU_CMDQ_BASE,
	     Q_BASE_RWA | (mem->cmdq_pa & Q_BASE_ADDR) |
		 iomm_field_prep(Q_BASE_LOG2SIZE, p->cmdq_shift));
	wr32(p, SMMU_CMDQ_PROD, 0);
	wr32(p, SMMU_CMDQ_CONS, 0);
	wr64(p, SMMU_EVTQ_BASE,
	     Q_BASE_RWA | (mem->evtq_pa & Q_BASE_ADDR) |
		 iomm_field_prep(Q_BASE_LOG2SIZE, p->evtq_shift));
	wr32(p, SMMU_EVTQ_PROD, 0);
	wr32(p, SMMU_EVTQ_CONS, 0);
	p->cmdq_prod = 0;
	p->evtq_cons = 0;

	bool coh = (p->unit.caps & IOMM_CAP_COHERENT) != 0;
	/* Non-cacheable accesses are Outer Shareable: said so, not left to the rule that
	 * makes them so (VMSAv8) or UNPREDICTABLE (VMSAv7) */
	uint32_t cache = coh ? CR1_CACHE_WB : 0, sh = coh ? CR1_SH_ISH : CR1_SH_OSH;
	wr32(p, SMMU_CR1,
	     (uint32_t)(iomm_field_prep(CR1_QUEUE_IC, cache) |
			iomm_field_prep(CR1_QUEUE_OC, cache) | iomm_field_prep(CR1_QUEUE_SH, sh) |
			iomm_field_prep(CR1_TABLE_IC, cache) |
			iomm_field_prep(CR1_TABLE_OC, cache) | iomm_field_prep(CR1_TABLE_SH, sh)));
	wr32(p, SMMU_CR2, (uint32_t)(CR2_RECINVSID | CR2_PTM |
				     ((p->cfg.flags & IOMM_SMMUV3_CFG_EL2) ? CR2_E2H : 0)));
	smmuv3_gerror_ack(p, smmuv3_gerror_active(p));
}

/* Command queue on, caches emptied of whatever came before, events on, SMMU on. */
static int enable(struct iomm_smmuv3 *p)
{
	uint32_t cr0 = (uint32_t)CR0_CMDQEN;
	int rc = smmuv3_write_ack(p, SMMU_CR0, SMMU_CR0ACK, cr0);
	if (rc)
		return rc;
	struct batch b = {.n = 0, .rc = 0};
	smmuv3_batch_add(p, &b, smmuv3_cmd_cfgi_all());
	if (p->features & IOMM_SMMUV3_F_HYP)
		smmuv3_batch_add(p, &b, smmuv3_cmd_op(CMD_TLBI_EL2_ALL));
	smmuv3_batch_add(p, &b, smmuv3_cmd_op(CMD_TLBI_NSNH_ALL));
	rc = smmuv3_batch_sync(p, &b);
	if (rc)
		return rc;
	cr0 |= (uint32_t)CR0_EVTQEN;
	rc = smmuv3_write_ack(p, SMMU_CR0, SMMU_CR0ACK, cr0);
	if (rc)
		return rc;
	if (p->cfg.flags & IOMM_SMMUV3_CFG_IRQ) {
		rc = smmuv3_write_ack(p, SMMU_IRQ_CTRL, SMMU_IRQ_CTRLACK,
				      (uint32_t)(IRQ_CTRL_GERROR_IRQEN | IRQ_CTRL_EVTQ_IRQEN));
		if (rc)
			return rc;
	}
	cr0 |= (uint32_t)CR0_SMMUEN;
	rc = smmuv3_write_ack(p, SMMU_CR0, SMMU_CR0ACK, cr0);
	if (rc)
		return rc;
	p->enabled = true;
	iomm_log(port_of(p), IOMM_LOG_INFO, "smmuv3: enabled, IDR0=", p->idr[0], "");
	return IOMM_OK;
}

int iomm_smmuv3_init(struct iomm_smmuv3 *smmu, const struct iomm_port *port, uintptr_t regs,
		     const struct iomm_smmuv3_mem *mem, struct iomm_pool *pool,
		     const struct iomm_smmuv3_cfg *cfg)
{
	if (!smmu || !port || !mem || !port->read32 || !port->write32 || !port->now_ns)
		return IOMM_REFUSE(port, IOMM_EINVAL,
				   "smmu, port, mem: NULL, or port without read32, write32, now_ns");
	struct iomm_smmuv3_cfg c = cfg ? *cfg : (struct iomm_smmuv3_cfg){0};
	if (!c.timeout_ns)
		c.timeout_ns = IOMM_DEFAULT_TIMEOUT_NS;
	if (!c.inv_threshold)
		c.inv_threshold = DEFAULT_INV_THRESHOLD;
	if (!mem_ok(mem) || ((c.flags & IOMM_SMMUV3_CFG_2LVL) && !pool))
		return IOMM_REFUSE(port, IOMM_EINVAL,
				   "mem: a queue or table missing or misaligned, or a two-level "
				   "table without a pool");

	/* Probe. */
	struct iomm_smmuv3 s = {0};
	s.unit.ops = &smmuv3_ops;
	s.unit.port = port;
	s.unit.regs = regs;
	s.cfg = c;
	s.mem = *mem;
	s.pool = pool;
	s.next_asid = 1;
	s.next_vmid = 1;
	int rc = smmuv3_probe(&s);
	if (rc)
		return rc;
	if (!(s.unit.caps & IOMM_CAP_COHERENT) && !port->clean_tables)
		return IOMM_REFUSE(port, IOMM_EINVAL,
				   "port: walks are not coherent and clean_tables is NULL");
	if ((c.flags & IOMM_SMMUV3_CFG_2LVL) && !(s.features & IOMM_SMMUV3_F_2LVL))
		return IOMM_REFUSE(port, IOMM_ENOTSUP,
				   "cfg->flags: two-level stream table, the unit has none");
	if ((c.flags & IOMM_SMMUV3_CFG_EL2) && !(s.features & IOMM_SMMUV3_F_HYP))
		return IOMM_REFUSE(port, IOMM_ENOTSUP, "cfg->flags: EL2 streams, the unit has no HYP");

	/* Structures. */
	uint32_t strtab_cfg;
	rc = plan_structures(&s, &strtab_cfg);
	if (rc)
		return rc;

	/* Reset: fail closed first (while disabled, traffic aborts), then enable. */
	*smmu = s;
	s = (struct iomm_smmuv3){0};
	rc = smmuv3_gbpa_abort(smmu);
	if (rc)
		return rc;
	rc = smmuv3_write_ack(smmu, SMMU_CR0, SMMU_CR0ACK, 0);
	if (!rc)
		rc = smmuv3_irq_off(smmu);
	if (rc)
		return rc;
	reset_structures(smmu, strtab_cfg);
	return enable(smmu);
}

int iomm_smmuv3_disable(struct iomm_smmuv3 *smmu)
{
	if (!smmu || smmu->unit.ops != &smmuv3_ops)
		return IOMM_REFUSE(smmu ? smmu->unit.port : NULL, IOMM_EINVAL,
				   "smmu: NULL or not initialised");
	int rc = smmuv3_gbpa_abort(smmu);
	int rc2 = smmuv3_write_ack(smmu, SMMU_CR0, SMMU_CR0ACK, 0);
	smmu->enabled = false;
	return rc ? rc : rc2;
}
