/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Intel VT-d backend: iomm_vtd_init() in its steps (check the options, probe
 * the registers, fill the backend object, take the unit over from firmware
 * and reset it), and the enable, disable and flush-all entry points.
 */
#include "vtd_internal.h"

#define DEFAULT_INV_THRESHOLD 512u
/* Host address width when the caller does not pass the DMAR table's. */
#define DEFAULT_HAW 46u

/* What the registers say and what follows from them and the options. */
struct vtd_probe {
	uint32_t ver;
	uint32_t features; /* IOMM_VTD_F_* */
	uint64_t cap, ecap;
	uint8_t sagaw; /* supported widths only: 3, 4, 5 levels */
	unsigned did_bits;
	bool scalable, qi, coherent;
};

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
	    {CAP_SLLPS_2M, IOMM_VTD_F_SP2M, false}, {CAP_SLLPS_1G, IOMM_VTD_F_SP1G, false},
	    {CAP_FL1GP, IOMM_VTD_F_FL1G, false},    {CAP_FL5LP, IOMM_VTD_F_FL5LP, false},
	    {ECAP_PASID, IOMM_VTD_F_PASID, true},   {ECAP_NEST, IOMM_VTD_F_NEST, true},
	    {ECAP_IR, IOMM_VTD_F_IR, true},	    {ECAP_DT, IOMM_VTD_F_DT, true},
	    {ECAP_EIM, IOMM_VTD_F_EIM, true},
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
	if (mem->irt && ((mem->irt_pa & (VTD_PAGE - 1u)) || ((uintptr_t)mem->irt & (VTD_PAGE - 1u)) ||
			 mem->irt_entries < 2u || mem->irt_entries > IRT_MAX_ENTRIES ||
			 !is_pow2(mem->irt_entries)))
		return false;
	if (!mem->iq)
		return true;
	return !(mem->iq_pa & (VTD_PAGE - 1u)) && !((uintptr_t)mem->iq & 7u) &&
	       is_pow2(mem->iq_size) && mem->iq_size >= VTD_PAGE &&
	       mem->iq_size <= (size_t)VTD_PAGE << 7;
}

/* Check the caller's options (or none) and fill in the defaults. */
static int cfg_resolve(const struct iomm_port *port, const struct iomm_vtd_cfg *cfg,
		       struct iomm_vtd_cfg *c)
{
	*c = (struct iomm_vtd_cfg){0};
	if (cfg)
		*c = *cfg;
	if (c->flags & ~(uint32_t)(IOMM_VTD_CFG_REGINV | IOMM_VTD_CFG_SCALABLE |
				   IOMM_VTD_CFG_S1_SECOND_STAGE | IOMM_VTD_CFG_NO_ENABLE |
				   IOMM_VTD_CFG_EIM))
		return IOMM_REFUSE_AS(port, IOMM_EINVAL, "iomm_vtd_init",
				      "cfg->flags: a bit that is no IOMM_VTD_CFG_* flag");
	if (!c->bus_last && !c->bus_first)
		c->bus_last = 255;
	if (c->bus_last < c->bus_first)
		return IOMM_REFUSE_AS(port, IOMM_EINVAL, "iomm_vtd_init", "cfg->bus_last: below bus_first");
	if (!c->timeout_ns)
		c->timeout_ns = IOMM_DEFAULT_TIMEOUT_NS;
	if (!c->inv_threshold)
		c->inv_threshold = DEFAULT_INV_THRESHOLD;
	if (!c->haw)
		c->haw = DEFAULT_HAW;
	if (c->haw < 32 || c->haw > 64)
		return IOMM_REFUSE_AS(port, IOMM_EINVAL, "iomm_vtd_init", "cfg->haw: not 32..64 bits");
	return IOMM_OK;
}

/* Fit the domain-ID range of @c into the @did_bits the unit has. */
static int did_range(const struct iomm_port *port, struct iomm_vtd_cfg *c, unsigned did_bits)
{
	uint32_t limit = 1u << did_bits;
	if (!c->did_first)
		c->did_first = 1;
	if (c->did_first >= limit)
		return IOMM_REFUSE_AS(port, IOMM_ERANGE, "iomm_vtd_init",
				      "cfg->did_first: beyond the domain IDs the unit has (CAP.ND)");
	if (!c->did_count)
		c->did_count = limit - c->did_first;
	if (c->did_count > limit - c->did_first)
		return IOMM_REFUSE_AS(port, IOMM_ERANGE, "iomm_vtd_init",
				      "cfg->did_count: more domain IDs than the unit has (CAP.ND)");
	return IOMM_OK;
}

/* Read the version and capability registers (nothing is written) and decide
 * the mode the unit will run in. */
static int probe(const struct iomm_port *port, uintptr_t regs, const struct iomm_vtd_mem *mem,
		 struct iomm_vtd_cfg *c, struct vtd_probe *p)
{
	p->ver = iomm_mmio_read32(port, regs + VTD_VER);
	p->cap = iomm_mmio_read64(port, regs + VTD_CAP);
	p->ecap = iomm_mmio_read64(port, regs + VTD_ECAP);
	p->sagaw = (uint8_t)(iomm_field_get(p->cap, CAP_SAGAW) & SAGAW_SUPPORTED);
	if (p->ver == 0 || p->ver == 0xffffffffu || !p->sagaw)
		return IOMM_ENODEV;
	uint32_t f = probe_features(p->cap, p->ecap);
	p->features = f;
	p->scalable = (c->flags & IOMM_VTD_CFG_SCALABLE) != 0;
	p->qi = (f & IOMM_VTD_F_QI) && mem->iq && !(c->flags & IOMM_VTD_CFG_REGINV);
	if (p->scalable &&
	    (!(f & IOMM_VTD_F_SMTS) || !p->qi || !(f & (IOMM_VTD_F_FLTS | IOMM_VTD_F_SLTS))))
		return IOMM_REFUSE_AS(port, IOMM_ENOTSUP, "iomm_vtd_init",
				      "cfg->flags: scalable mode needs ECAP.SMTS, queued invalidation "
				      "and a translation type");
	/* Interrupt remapping: ECAP.IR, and the queue (the interrupt entry cache is
	 * invalidated only through it). */
	if (mem->irt && (!(f & IOMM_VTD_F_IR) || !p->qi))
		return IOMM_REFUSE_AS(port, IOMM_ENOTSUP, "iomm_vtd_init",
				      "mem->irt: the unit has no interrupt remapping (ECAP.IR) or "
				      "no queued invalidation");
	if ((c->flags & IOMM_VTD_CFG_EIM) && !mem->irt)
		return IOMM_REFUSE_AS(port, IOMM_EINVAL, "iomm_vtd_init",
				      "cfg->flags: IOMM_VTD_CFG_EIM without an interrupt table");
	if ((c->flags & IOMM_VTD_CFG_EIM) && !(f & IOMM_VTD_F_EIM))
		return IOMM_REFUSE_AS(port, IOMM_ENOTSUP, "iomm_vtd_init",
				      "cfg->flags: IOMM_VTD_CFG_EIM, the unit has no ECAP.EIM");
	unsigned nd = (unsigned)iomm_field_get(p->cap, CAP_ND);
	p->did_bits = nd > 6 ? 16u : 4u + 2u * nd;
	int rc = did_range(port, c, p->did_bits);
	if (rc)
		return rc;
	/*
	 * ECAP.C covers the root, context and PASID structures (and, in legacy
	 * mode, the paging structures). In scalable mode the paging structures
	 * are snooped only with ECAP.SMPWC and PWSNP set in the PASID entry
	 * (which pasid_setup() does when SMPWC is reported). One flag covers
	 * all of them: walks are coherent only when every one is.
	 */
	bool walk_c = (p->ecap & ECAP_C) && (!p->scalable || (p->ecap & ECAP_SMPWC));
	p->coherent = walk_c && (port->flags & IOMM_PORT_DMA_COHERENT);
	if (!p->coherent && !port->clean_tables)
		return IOMM_REFUSE_AS(port, IOMM_EINVAL, "iomm_vtd_init",
				      "port: walks are not coherent and clean_tables is NULL");
	return IOMM_OK;
}

/* Fill the backend object from the probe; the status word comes separately. */
static void init_state(struct iomm_vtd *v, const struct vtd_probe *p, const struct iomm_vtd_cfg *c,
		       const struct iomm_vtd_mem *mem, struct iomm_pool *pool)
{
	v->features = p->features;
	v->ver = p->ver;
	v->cap = p->cap;
	v->ecap = p->ecap;
	v->sagaw = p->sagaw;
	v->mgaw = (uint8_t)(iomm_field_get(p->cap, CAP_MGAW) + 1u);
	v->did_bits = (uint8_t)p->did_bits;
	v->nfr = (uint16_t)(iomm_field_get(p->cap, CAP_NFR) + 1u);
	v->fro = (uint32_t)iomm_field_get(p->cap, CAP_FRO) * CAP_OFF_UNIT;
	v->iro = (uint32_t)iomm_field_get(p->ecap, ECAP_IRO) * CAP_OFF_UNIT;
	v->mamv = (uint8_t)iomm_field_get(p->cap, CAP_MAMV);
	v->scalable = p->scalable;
	v->qi = p->qi;
	v->cfg = *c;
	v->mem = *mem;
	v->pool = pool;
	v->root = mem->root;
	v->next_did = c->did_first;
	v->irt = mem->irt;
	v->eime = mem->irt && (c->flags & IOMM_VTD_CFG_EIM);
	v->did_end = (uint32_t)c->did_first + c->did_count;
	if (p->qi) {
		unsigned words = p->scalable ? 4u : 2u;
		v->iq_entries = (uint32_t)(mem->iq_size / (words * 8u));
		v->iq_shift = p->scalable ? 5u : 4u;
	}
}

/* What domains this unit offers, and in which table formats. */
static void init_unit(struct iomm_vtd *v, bool coherent)
{
	struct iomm_unit *u = &v->unit;
	uint32_t f = v->features;
	uint8_t ias = (uint8_t)(30u + 9u * widest_aw(v));
	u->ias = ias > v->mgaw ? v->mgaw : ias;
	/* Output addresses: the host address width (the DMAR table's, not CAP.MGAW, which
	 * bounds input addresses), at most 52 bits in every table format. */
	u->oas = v->cfg.haw > 52 ? 52 : v->cfg.haw;
	u->sid_bits = 16;
	u->granules = VTD_PAGE;
	u->fmt_s2 = IOMM_FMT_VTD_SL;
	u->fmt_s1 = IOMM_FMT_VTD_SL;
	uint64_t sl_sizes = VTD_PAGE | ((f & IOMM_VTD_F_SP2M) ? IOMM_BIT(21) : 0) |
			    ((f & IOMM_VTD_F_SP1G) ? IOMM_BIT(30) : 0);
	u->page_sizes = sl_sizes;
	u->caps = IOMM_CAP_S1;
	if (!v->scalable || (f & IOMM_VTD_F_SLTS))
		u->caps |= IOMM_CAP_S2;
	if (v->scalable && (f & IOMM_VTD_F_FLTS) &&
	    (!(v->cfg.flags & IOMM_VTD_CFG_S1_SECOND_STAGE) || !(f & IOMM_VTD_F_SLTS))) {
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
	if (v->irt)
		u->caps |= IOMM_CAP_IRQ_REMAP;
	u->ops = vtd_ops_for(f);
}

/*
 * Firmware may have left translation or the queue on. Translation stays
 * on (fail closed: the empty root table installed next blocks every
 * source ID once the global invalidation has run) unless firmware used
 * the other table mode, which cannot change under live translation:
 * then it goes off for the time it takes to install the empty table.
 */
static int takeover(struct iomm_vtd *v)
{
	int rc;
	v->gcmd = rd32(v, VTD_GSTS) & GCMD_STATES;
	bool same_mode = ((rd64(v, VTD_RTADDR) & RTADDR_SMT) != 0) == v->scalable;
	if ((v->gcmd & GCMD_TE) && !same_mode) {
		rc = vtd_gcmd_state(v, GCMD_TE, false);
		if (rc)
			return rc;
	}
	if (v->gcmd & GCMD_QIE) {
		rc = vtd_qi_stop(v);
		if (rc)
			return rc;
	}
	return IOMM_OK;
}

/* Install the empty root table: every source ID blocked. */
static int install_root(struct iomm_vtd *v)
{
	iomm_zero(v->root, VTD_PAGE);
	sync_mem(v, v->root, VTD_PAGE);
	wr64(v, VTD_RTADDR, (v->mem.root_pa & RTADDR_RTA) | (v->scalable ? RTADDR_SMT : 0));
	return vtd_gcmd_cmd(v, GCMD_SRTP, GSTS_RTPS, GSTS_RTPS);
}

/* Bring the unit from whatever firmware left to a blocked, invalidated state. */
static int reset_hw(struct iomm_vtd *v)
{
	int rc = takeover(v);
	if (rc)
		return rc;
	rc = install_root(v);
	if (rc)
		return rc;
	vtd_fault_clear_all(v); /* old faults and errors */
	if (v->qi) {
		rc = vtd_qi_start(v);
		if (rc)
			return rc;
	}
	rc = vtd_flush_everything(v);
	if (rc)
		return rc;
	rc = vtd_ir_setup(v);
	if (rc)
		return rc;
	if (!(v->cfg.flags & IOMM_VTD_CFG_NO_ENABLE))
		rc = vtd_gcmd_state(v, GCMD_TE, true);
	return rc;
}

int iomm_vtd_init(struct iomm_vtd *vtd, const struct iomm_port *port, uintptr_t regs,
		  const struct iomm_vtd_mem *mem, struct iomm_pool *pool,
		  const struct iomm_vtd_cfg *cfg)
{
	if (!vtd || !port || !port->read32 || !port->write32 || !port->now_ns || !mem || !pool ||
	    !regs)
		return IOMM_REFUSE(port, IOMM_EINVAL,
				   "vtd, port, mem, pool, regs: NULL, or port without read32, "
				   "write32, now_ns");
	if (!mem_ok(mem) || iomm_pool_page_size(pool) != VTD_PAGE)
		return IOMM_REFUSE(port, IOMM_EINVAL,
				   "mem: root or queue missing or misaligned, or pool pages not 4 KiB");
	struct iomm_vtd_cfg c;
	int rc = cfg_resolve(port, cfg, &c);
	if (rc)
		return rc;
	struct vtd_probe p;
	rc = probe(port, regs, mem, &c, &p);
	if (rc)
		return rc;
	uint64_t status_pa = 0;
	uint32_t *status = NULL;
	if (p.qi) {
		status = iomm_pool_alloc(pool, 1, &status_pa);
		if (!status)
			return IOMM_ENOMEM;
	}

	*vtd = (struct iomm_vtd){0};
	vtd->unit.port = port;
	vtd->unit.regs = regs;
	vtd->unit.name = "vtd";
	init_state(vtd, &p, &c, mem, pool);
	vtd->status = status;
	vtd->status_pa = status_pa;
	init_unit(vtd, p.coherent);

	rc = reset_hw(vtd);
	if (rc) {
		iomm_log(port, IOMM_LOG_ERROR, "vtd: init failed, status ", (uint64_t)(int64_t)rc,
			 "");
		if (status)
			iomm_pool_put(pool, status, 1);
		vtd->unit.ops = NULL;
		return rc;
	}
	vtd->enabled = !(c.flags & IOMM_VTD_CFG_NO_ENABLE);
	iomm_log(port, IOMM_LOG_INFO, "vtd: ready, CAP ", p.cap,
		 vtd->scalable ? " (scalable)" : "");
	return IOMM_OK;
}

static bool live(const struct iomm_vtd *v)
{
	return v && v->unit.ops && v->unit.port;
}

int iomm_vtd_enable(struct iomm_vtd *vtd)
{
	if (!live(vtd))
		return IOMM_REFUSE(vtd ? vtd->unit.port : NULL, IOMM_EINVAL,
				   "vtd: NULL or not initialised");
	iomm_port_lock(port_of(vtd), &vtd->unit);
	int rc = IOMM_OK;
	if (queue_off(vtd)) {
		/* Queue was turned off by iomm_vtd_disable(): restart it and forget stale state. */
		rc = vtd_qi_start(vtd);
		if (rc == IOMM_OK)
			rc = vtd_flush_everything(vtd);
	}
	if (rc == IOMM_OK && !(vtd->gcmd & GCMD_TE))
		rc = vtd_gcmd_state(vtd, GCMD_TE, true);
	if (rc == IOMM_OK)
		vtd->enabled = true;
	iomm_port_unlock(port_of(vtd), &vtd->unit);
	return rc;
}

int iomm_vtd_disable(struct iomm_vtd *vtd)
{
	if (!live(vtd))
		return IOMM_REFUSE(vtd ? vtd->unit.port : NULL, IOMM_EINVAL,
				   "vtd: NULL or not initialised");
	iomm_port_lock(port_of(vtd), &vtd->unit);
	int rc = IOMM_OK;
	if (vtd->gcmd & GCMD_TE)
		rc = vtd_gcmd_state(vtd, GCMD_TE, false);
	/* Interrupt remapping stays on, and with it the queue its invalidations need. */
	if (rc == IOMM_OK && (vtd->gcmd & GCMD_QIE) && !vtd->ir)
		rc = vtd_qi_stop(vtd);
	if (rc == IOMM_OK)
		vtd->enabled = false;
	iomm_port_unlock(port_of(vtd), &vtd->unit);
	return rc;
}

int iomm_vtd_flush_all(struct iomm_vtd *vtd)
{
	if (!live(vtd))
		return IOMM_REFUSE(vtd ? vtd->unit.port : NULL, IOMM_EINVAL,
				   "vtd: NULL or not initialised");
	iomm_port_lock(port_of(vtd), &vtd->unit);
	int rc = vtd_flush_everything(vtd);
	iomm_port_unlock(port_of(vtd), &vtd->unit);
	return rc;
}
