/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RISC-V IOMMU backend (RISC-V IOMMU Architecture Specification v1.0).
 *
 * Domains: stage 1 = a first-stage table (iosatp in DC.fsc) tagged with a
 * PSCID; stage 2 = a G-stage table (DC.iohgatp) tagged with a GSCID; nested
 * = both (the first-stage table's addresses are guest-physical: the parent
 * must map them). Devices are device contexts in a device directory of one
 * to three levels. Every change of a valid device context or a table is
 * followed by the invalidations chapter 6 ("Guidelines for invalidations")
 * asks for, then exactly one IOFENCE.C whose completion is cqh passing it.
 */
#include <iommuman/riscv.h>

#include "iomm_backend.h"
#include "riscv_regs.h"

#define RV_PAGE		      4096u
#define DEFAULT_INV_THRESHOLD 32u
#define CMD_BATCH	      32u /* commands published with one cqt write */

static const struct iomm_unit_ops riscv_ops;

static inline struct iomm_riscv *to_rv(struct iomm_unit *unit)
{
	return (struct iomm_riscv *)(void *)unit;
}

/* ======================================================================== */
/* Command queue (3.1)                                                      */
/* ======================================================================== */

struct rv_cmd {
	uint64_t w0, w1;
};

struct batch {
	struct rv_cmd cmd[CMD_BATCH];
	uint32_t n;
	int rc;
};

static struct rv_cmd cmd_fence(void)
{
	return (struct rv_cmd){
	    iomm_field_prep(CMD_OPCODE, OP_IOFENCE) | iomm_field_prep(CMD_FUNC3, FUNC_FENCE_C), 0};
}

/* IOTINVAL.VMA (gv, pscv) or .GVMA; @av: @addr valid. */
static struct rv_cmd cmd_iotinval(bool gvma, bool gv, uint32_t gscid, bool pscv, uint32_t pscid,
				  bool av, uint64_t addr)
{
	uint64_t w0 = iomm_field_prep(CMD_OPCODE, OP_IOTINVAL) |
		      iomm_field_prep(CMD_FUNC3, gvma ? FUNC_GVMA : FUNC_VMA);
	if (gv)
		w0 |= IOTINVAL_GV | iomm_field_prep(IOTINVAL_GSCID, gscid);
	if (pscv)
		w0 |= IOTINVAL_PSCV | iomm_field_prep(IOTINVAL_PSCID, pscid);
	if (av)
		w0 |= IOTINVAL_AV;
	return (struct rv_cmd){w0, av ? iomm_field_prep(IOTINVAL_ADDR, addr >> 12) : 0};
}

/* IODIR.INVAL_DDT for one device, or all (@dv false). */
static struct rv_cmd cmd_iodir(bool dv, uint32_t did)
{
	uint64_t w0 =
	    iomm_field_prep(CMD_OPCODE, OP_IODIR) | iomm_field_prep(CMD_FUNC3, FUNC_INVAL_DDT);
	if (dv)
		w0 |= IODIR_DV | iomm_field_prep(IODIR_DID, did);
	return (struct rv_cmd){w0, 0};
}

static uint32_t cq_entries(const struct iomm_riscv *r)
{
	return 1u << r->cq_shift;
}

/*
 * A command error stops the queue at cqh (5.15). An illegal command is
 * replaced by an IOFENCE.C, which is always legal, and cmd_ill cleared: the
 * unit goes on from cqh. A memory fault (cqmf) is cleared; the unit retries.
 */
static void cq_recover(struct iomm_riscv *r, uint32_t csr)
{
	const struct iomm_port *port = port_of(r);
	uint32_t head = rd32(r, RV_CQH) & (cq_entries(r) - 1);
	iomm_log(port, IOMM_LOG_ERROR, "riscv: command queue error, cqcsr=", csr, "");
	if (csr & CQCSR_ILL) {
		uint64_t *slot = (uint64_t *)r->mem.cq + 2u * head;
		iomm_log(port, IOMM_LOG_ERROR,
			 "riscv: illegal command, word 0 = ", iomm_read_desc(slot), "");
		struct rv_cmd f = cmd_fence();
		iomm_write_desc(&slot[0], f.w0);
		iomm_write_desc(&slot[1], f.w1);
		sync_mem(r, slot, 16);
	}
	r->stats.cmd_errors++;
	wr32(r, RV_CQCSR,
	     (rd32(r, RV_CQCSR) & (uint32_t)(QCSR_EN | QCSR_IE)) | (csr & (uint32_t)CQCSR_ERRS));
}

/*
 * Wait until the unit has consumed everything written (@drain) or until at
 * least @want slots are free. cqh passing an IOFENCE.C is its completion
 * (3.1.2). Errors are recovered from and reported through the return value.
 */
static int cq_wait(struct iomm_riscv *r, uint32_t want, bool drain)
{
	const struct iomm_port *port = port_of(r);
	uint64_t start = port->now_ns(port->ctx);
	uint32_t mask = cq_entries(r) - 1;
	int rc = IOMM_OK;
	for (;;) {
		uint32_t head = rd32(r, RV_CQH) & mask;
		uint32_t used = (r->cq_tail - head) & mask;
		if (drain ? used == 0 : mask - used >= want)
			return rc;
		uint32_t csr = rd32(r, RV_CQCSR);
		if (csr & (uint32_t)CQCSR_ERRS) {
			cq_recover(r, csr);
			rc = IOMM_EIO;
		}
		if (port->now_ns(port->ctx) - start > r->cfg.timeout_ns) {
			iomm_log(port, IOMM_LOG_ERROR, "riscv: command queue stuck at cqh=", head,
				 "");
			return IOMM_ETIMEDOUT;
		}
		if (port->relax)
			port->relax(port->ctx);
	}
}

/* Write @n commands (and an IOFENCE.C when @fence), publishing cqt once per chunk. */
static int cq_issue(struct iomm_riscv *r, const struct rv_cmd *cmds, uint32_t n, bool fence)
{
	uint32_t total = n + (fence ? 1u : 0u), done = 0;
	uint32_t mask = cq_entries(r) - 1;
	int rc = IOMM_OK;
	while (done < total) {
		uint32_t chunk = total - done < mask ? total - done : mask;
		int w = cq_wait(r, chunk, false);
		if (w == IOMM_ETIMEDOUT)
			return w;
		if (w)
			rc = w;
		uint32_t first = r->cq_tail;
		for (uint32_t k = 0; k < chunk; k++, done++) {
			uint64_t *slot = (uint64_t *)r->mem.cq + 2u * r->cq_tail;
			struct rv_cmd c = done < n ? cmds[done] : cmd_fence();
			iomm_write_desc(&slot[0], c.w0);
			iomm_write_desc(&slot[1], c.w1);
			r->cq_tail = (r->cq_tail + 1) & mask;
			r->stats.cmds++;
			if (done >= n)
				r->stats.fences++;
		}
		/* Make the commands visible before the tail moves (the ring may wrap once). */
		uint64_t *q = r->mem.cq;
		if (r->cq_tail > first) {
			sync_mem(r, q + 2u * first, (size_t)(r->cq_tail - first) * 16u);
		} else {
			sync_mem(r, q + 2u * first, (size_t)(cq_entries(r) - first) * 16u);
			if (r->cq_tail)
				sync_mem(r, q, (size_t)r->cq_tail * 16u);
		}
		wr32(r, RV_CQT, r->cq_tail);
	}
	if (fence) {
		int w = cq_wait(r, 0, true);
		if (w)
			rc = w;
	}
	return rc;
}

static void batch_add(struct iomm_riscv *r, struct batch *b, struct rv_cmd c)
{
	if (b->n == CMD_BATCH) {
		int rc = cq_issue(r, b->cmd, b->n, false);
		if (rc && !b->rc)
			b->rc = rc;
		b->n = 0;
	}
	b->cmd[b->n++] = c;
	uint32_t op = (uint32_t)iomm_field_get(c.w0, CMD_OPCODE);
	if (op == OP_IOTINVAL)
		r->stats.iotinval++;
	else if (op == OP_IODIR)
		r->stats.iodir++;
}

/*
 * Issue the batch, then one IOFENCE.C, and wait for it. After a batch that
 * did not complete (a timeout, or a command error: the illegal command was
 * replaced by a fence and its invalidation lost), what the unit caches is
 * unknown, and a retry may find nothing left to invalidate (device contexts
 * already invalid in memory): the next batch drops every cached device
 * context and translation too.
 */
static int batch_fence(struct iomm_riscv *r, struct batch *b)
{
	if (r->stale) {
		batch_add(r, b, cmd_iodir(false, 0));
		batch_add(r, b, cmd_iotinval(false, false, 0, false, 0, false, 0));
		if (r->unit.caps & IOMM_CAP_S2)
			batch_add(r, b, cmd_iotinval(true, false, 0, false, 0, false, 0));
	}
	int rc = cq_issue(r, b->cmd, b->n, true);
	b->n = 0;
	rc = b->rc ? b->rc : rc;
	r->stale = rc != IOMM_OK;
	return rc;
}

/* ======================================================================== */
/* Device directory (2.1, 2.2)                                              */
/* ======================================================================== */

/* Index bits of the leaf level: 64-byte DCs -> 6, 32-byte DCs -> 7. */
static unsigned leaf_bits(const struct iomm_riscv *r)
{
	return 12u - r->dc_shift;
}

static unsigned dc_words(const struct iomm_riscv *r)
{
	return 1u << (r->dc_shift - 3u);
}

/*
 * The device context of @did, creating the directory pages on the way when
 * @create (from the pool; a new non-leaf entry goes from V = 0 to 1, which
 * needs no invalidation: 6, "Caching invalid entries"). NULL: none yet
 * (!create), or the pool is empty (*rc = IOMM_ENOMEM).
 */
static uint64_t *dc_of(struct iomm_riscv *r, uint32_t did, bool create, int *rc)
{
	uint64_t *table = r->mem.ddt;
	unsigned lb = leaf_bits(r);
	for (unsigned lvl = r->ddt_levels - 1u; lvl > 0; lvl--) {
		unsigned shift = lb + 9u * (lvl - 1u);
		uint64_t *e = &table[(did >> shift) & 511u];
		uint64_t v = iomm_read_link(e);
		if (!(v & DDTE_V)) {
			if (!create)
				return NULL;
			uint64_t pa;
			uint64_t *page = iomm_pool_alloc(r->pool, 1, &pa);
			if (!page) {
				*rc = IOMM_ENOMEM;
				return NULL;
			}
			sync_mem(r, page, RV_PAGE);
			v = iomm_field_prep(PPN_FIELD, pa >> 12) | DDTE_V;
			iomm_write_link(e, v);
			sync_mem(r, e, 8);
			table = page;
			continue;
		}
		/* the directory's lower pages are pool pages */
		table = iomm_pool_page_va(r->pool, port_of(r), iomm_field_get(v, PPN_FIELD) << 12);
	}
	return table + ((size_t)(did & ((1u << lb) - 1u)) << (r->dc_shift - 3u));
}

/* ======================================================================== */
/* Domains                                                                  */
/* ======================================================================== */

static bool id_used(const struct iomm_riscv *r, uint32_t id, bool gscid)
{
	for (const struct iomm_domain *d = r->unit.domains; d; d = d->next) {
		bool is_g = d->type == IOMM_DOMAIN_S2;
		bool is_p = d->type == IOMM_DOMAIN_S1 || d->type == IOMM_DOMAIN_NESTED;
		if (d->id == id && (gscid ? is_g : is_p))
			return true;
	}
	return false;
}

/* A free PSCID or GSCID; 0 is never handed out. */
static int id_alloc(struct iomm_riscv *r, bool gscid, uint32_t *out)
{
	uint32_t limit = 1u << (gscid ? r->cfg.gscid_bits : r->cfg.pscid_bits);
	uint32_t *next = gscid ? &r->next_gscid : &r->next_pscid;
	for (uint32_t tries = 0; tries < limit; tries++) {
		uint32_t id = *next;
		*next = *next + 1 >= limit ? 1 : *next + 1;
		if (id && !id_used(r, id, gscid)) {
			*out = id;
			return IOMM_OK;
		}
	}
	return IOMM_ENOSPC;
}

/* The GSCID a domain's translations carry: its own (stage 2), its parent's (nested), none. */
static uint32_t dom_gscid(const struct iomm_domain *d)
{
	if (d->type == IOMM_DOMAIN_S2)
		return d->id;
	return d->type == IOMM_DOMAIN_NESTED ? d->parent->id : 0;
}

/* iosatp / iohgatp of a domain's table (5.x "ATP" fields): mode by the levels it walks. */
static uint64_t atp_of(const struct iomm_domain *d)
{
	unsigned levels = iomm_pgt_levels(&d->pgt);
	return iomm_field_prep(ATP_MODE, ATP_MODE_SV39 + levels - 3u) |
	       iomm_field_prep(ATP_PPN, iomm_pgt_root_pa(&d->pgt) >> 12);
}

static int riscv_domain_init(struct iomm_unit *unit, struct iomm_domain *dom)
{
	struct iomm_riscv *r = to_rv(unit);
	if (dom->type != IOMM_DOMAIN_S1 && dom->type != IOMM_DOMAIN_S2 &&
	    dom->type != IOMM_DOMAIN_NESTED)
		return IOMM_OK; /* bypass and blocked need no identifier */
	bool g = dom->type == IOMM_DOMAIN_S2;
	unsigned levels = iomm_pgt_levels(&dom->pgt);
	uint64_t need = (g ? IOMM_RISCV_CAP_SV39X4 : IOMM_RISCV_CAP_SV39) << (levels - 3u);
	if (!(r->caps & need))
		return IOMM_REFUSE_AS(port_of(r), IOMM_ENOTSUP, "iomm_domain_init",
				      "cfg->ias: the unit lacks the Sv mode this input size needs");
	return id_alloc(r, g, &dom->id);
}

/*
 * Queue the invalidation of everything cached for @d's translations: its
 * PSCID (under its parent's GSCID when nested), or for a stage-2 domain its
 * GSCID's G-stage and combined entries (6, "Changing device directory table
 * entry").
 */
static void inval_domain(struct iomm_riscv *r, struct batch *b, const struct iomm_domain *d)
{
	uint32_t gscid = dom_gscid(d);
	if (d->type == IOMM_DOMAIN_S2) {
		batch_add(r, b, cmd_iotinval(false, true, gscid, false, 0, false, 0));
		batch_add(r, b, cmd_iotinval(true, true, gscid, false, 0, false, 0));
	} else {
		batch_add(r, b, cmd_iotinval(false, gscid != 0, gscid, true, d->id, false, 0));
	}
}

static int riscv_domain_fini(struct iomm_unit *unit, struct iomm_domain *dom)
{
	struct iomm_riscv *r = to_rv(unit);
	if (dom->type != IOMM_DOMAIN_S1 && dom->type != IOMM_DOMAIN_S2 &&
	    dom->type != IOMM_DOMAIN_NESTED)
		return IOMM_OK;
	struct batch b = {.n = 0, .rc = 0};
	inval_domain(r, &b, dom);
	return batch_fence(r, &b);
}

/* ======================================================================== */
/* Devices                                                                  */
/* ======================================================================== */

/* msiptp, msi_addr_mask and msi_addr_pattern (2.1.6, 2.1.7) of a G-stage domain with an
 * MSI page table (iomm_riscv_msi_enable()); Off (zero) otherwise. */
static void dc_msi(const struct iomm_domain *g, uint64_t dc[DC_MAX_WORDS])
{
	const struct iomm_riscv_msi *msi = g->priv;
	if (!msi)
		return;
	dc[DC_MSIPTP] = iomm_field_prep(MSIPTP_MODE, MSIPTP_MODE_FLAT) |
			iomm_field_prep(MSIPTP_PPN, msi->table_pa >> 12);
	dc[DC_MSI_MASK] = msi->addr_mask;
	dc[DC_MSI_PAT] = msi->addr_pattern & ~msi->addr_mask;
}

/* The device context @dom asks for (2.1): words tc, iohgatp, ta, fsc (and the MSI fields of
 * the extended format), then zeroes. */
static void dc_build(const struct iomm_domain *dom, uint64_t dc[DC_MAX_WORDS])
{
	for (unsigned w = 0; w < DC_MAX_WORDS; w++)
		dc[w] = 0;
	if (!dom || dom->type == IOMM_DOMAIN_BLOCKED)
		return;	  /* V = 0: every request faults with cause 258 */
	dc[DC_TC] = TC_V; /* DTF = 0: faults are reported; no ATS, PRI, PDT, A/D updates */
	switch (dom->type) {
	case IOMM_DOMAIN_S1:
		dc[DC_TA] = iomm_field_prep(TA_PSCID, dom->id);
		dc[DC_FSC] = atp_of(dom);
		break;
	case IOMM_DOMAIN_S2:
		dc[DC_IOHGATP] = atp_of(dom) | iomm_field_prep(IOHGATP_GSCID, dom->id);
		dc_msi(dom, dc);
		break;
	case IOMM_DOMAIN_NESTED:
		dc[DC_IOHGATP] =
		    atp_of(dom->parent) | iomm_field_prep(IOHGATP_GSCID, dom->parent->id);
		dc[DC_TA] = iomm_field_prep(TA_PSCID, dom->id);
		dc[DC_FSC] = atp_of(dom);
		dc_msi(dom->parent, dc);
		break;
	default: /* bypass: iohgatp and fsc Bare; msiptp must then be Off (2.1.6) */
		break;
	}
}

/* Queue what an old, valid device context @dc of device @did may have left cached
 * (6, "Changing device directory table entry"). The address-space invalidation
 * is queued only when @prev (the previous device's iohgatp and ta, updated here)
 * differs: a stream set's contexts share one domain, whose caches go once. */
static void inval_old_dc(struct iomm_riscv *r, struct batch *b, uint32_t did, const uint64_t *dc,
			 uint64_t prev[2])
{
	batch_add(r, b, cmd_iodir(true, did));
	uint64_t gatp = iomm_read_desc(&dc[DC_IOHGATP]);
	uint64_t fsc = iomm_read_desc(&dc[DC_FSC]);
	uint64_t ta = iomm_read_desc(&dc[DC_TA]);
	if (gatp == prev[0] && ta == prev[1])
		return;
	prev[0] = gatp;
	prev[1] = ta;
	if (iomm_field_get(gatp, ATP_MODE) != ATP_MODE_BARE) {
		uint32_t gscid = (uint32_t)iomm_field_get(gatp, IOHGATP_GSCID);
		batch_add(r, b, cmd_iotinval(false, true, gscid, false, 0, false, 0));
		batch_add(r, b, cmd_iotinval(true, true, gscid, false, 0, false, 0));
	} else if (iomm_field_get(fsc, ATP_MODE) != ATP_MODE_BARE) {
		uint32_t pscid = (uint32_t)iomm_field_get(ta, TA_PSCID);
		batch_add(r, b, cmd_iotinval(false, false, 0, true, pscid, false, 0));
	}
}

/*
 * Point every device ID of @dev at device context @dc. Valid contexts are
 * first made invalid and invalidated (one IOFENCE.C for all of them); then
 * the new contexts are written with tc (V) last. A context going from V = 0
 * to V = 1 needs no invalidation (6, "Caching invalid entries"). If the first
 * step is not confirmed the devices are left invalid: fail closed.
 */
static int dc_install(struct iomm_riscv *r, const struct iomm_dev *dev,
		      const uint64_t dc[DC_MAX_WORDS])
{
	struct batch b = {.n = 0, .rc = 0};
	bool live = false;
	int rc = IOMM_OK;
	uint64_t prev[2] = {~0ull, ~0ull};
	IOMM_FOR_EACH_SID(dev, did) {
		uint64_t *e = dc_of(r, did, false, &rc);
		if (e && (iomm_read_desc(&e[DC_TC]) & TC_V)) {
			iomm_write_desc(&e[DC_TC], 0);
			sync_mem(r, e, 8);
			inval_old_dc(r, &b, did, e, prev);
			live = true;
		}
	}
	if (live || r->stale) {
		rc = batch_fence(r, &b);
		if (rc)
			return rc;
	}
	if (!(dc[DC_TC] & TC_V))
		return IOMM_OK;
	unsigned n = dc_words(r);
	IOMM_FOR_EACH_SID(dev, did) {
		uint64_t *e = dc_of(r, did, false, &rc);
		for (unsigned w = 1; w < n; w++)
			iomm_write_desc(&e[w], dc[w]);
		sync_mem(r, e, (size_t)n * 8u);
		iomm_write_desc(&e[DC_TC], dc[DC_TC]);
		sync_mem(r, e, 8);
	}
	return IOMM_OK;
}

static int riscv_attach(struct iomm_unit *unit, struct iomm_domain *dom, struct iomm_dev *dev)
{
	struct iomm_riscv *r = to_rv(unit);
	/* iomm_dev_init() refuses IDs beyond the directory's reach; a device made before
	 * the unit was initialised again with fewer did_bits would alias other contexts */
	if ((dev->sid | dev->mask) >> r->unit.sid_bits)
		return IOMM_REFUSE_AS(port_of(r), IOMM_ERANGE, "iomm_attach",
				      "dev: device ID beyond the directory (cfg did_bits)");
	if (iomm_dev_conflicts(unit, dev))
		return IOMM_EBUSY;
	IOMM_FOR_EACH_SID(dev, did) {
		int rc = IOMM_OK;
		if (!dc_of(r, did, true, &rc))
			return rc; /* pages linked so far stay: invalid contexts */
	}
	uint64_t dc[DC_MAX_WORDS];
	dc_build(dom, dc);
	return dc_install(r, dev, dc);
}

static int riscv_detach(struct iomm_unit *unit, struct iomm_dev *dev)
{
	uint64_t dc[DC_MAX_WORDS];
	dc_build(NULL, dc);
	return dc_install(to_rv(unit), dev, dc);
}

/* ======================================================================== */
/* Invalidation of unmapped ranges (6, "Changing ... page table entry")     */
/* ======================================================================== */

static int riscv_flush(struct iomm_unit *unit, struct iomm_domain *dom, const struct iomm_gather *g)
{
	struct iomm_riscv *r = to_rv(unit);
	bool s2 = dom->type == IOMM_DOMAIN_S2;
	uint32_t gscid = dom_gscid(dom);
	uint64_t start = g->start & ~(uint64_t)(RV_PAGE - 1u), end = g->end;
	struct batch b = {.n = 0, .rc = 0};
	if (end > start) {
		/*
		 * With an address, IOTINVAL drops leaf entries only (3.1.1):
		 * a removed table needs the whole PSCID / GSCID. Otherwise one
		 * command per leaf of the smallest size removed.
		 */
		uint64_t step = g->leaf_sizes ? 1ull << iomm_ctz64(g->leaf_sizes) : RV_PAGE;
		if (step < RV_PAGE)
			step = RV_PAGE;
		uint64_t a = start & ~(step - 1);
		if (g->tables || (end - a + step - 1) / step > r->cfg.inv_threshold) {
			/* a G-stage change needs IOTINVAL.GVMA alone ("Changing second-stage
			 * page table entry") */
			batch_add(
			    r, &b,
			    s2 ? cmd_iotinval(true, true, gscid, false, 0, false, 0)
			       : cmd_iotinval(false, gscid != 0, gscid, true, dom->id, false, 0));
		} else {
			for (; a < end; a += step)
				batch_add(r, &b,
					  s2 ? cmd_iotinval(true, true, gscid, false, 0, true, a)
					     : cmd_iotinval(false, gscid != 0, gscid, true, dom->id,
							    true, a));
		}
	}
	/* A G-stage change also reaches the combined entries of nested children: IOTINVAL.GVMA
	 * must drop them (3.1.1, the note on IOTINVAL.GVMA). */
	return batch_fence(r, &b);
}

/* ======================================================================== */
/* MSI page tables, flat mode (2.3.3 "Process to translate addresses of MSIs") */
/* ======================================================================== */

/* Input bits of the widest G-stage mode in @caps (Sv57x4 59, Sv48x4 50, Sv39x4 41), 0: none. */
static unsigned gstage_bits(uint64_t caps)
{
	return (caps & IOMM_RISCV_CAP_SV57X4)	? 59u
	       : (caps & IOMM_RISCV_CAP_SV48X4) ? 50u
	       : (caps & IOMM_RISCV_CAP_SV39X4) ? 41u
						: 0u;
}

/* The RISC-V unit of a live domain, or NULL. */
static struct iomm_riscv *rv_of(const struct iomm_domain *dom)
{
	if (!dom || dom->live != IOMM_LIVE_COOKIE || !dom->unit || dom->unit->ops != &riscv_ops)
		return NULL;
	return to_rv(dom->unit);
}

/* MGPAW (2.1.7): the guest-physical width the MSI address mask and pattern cover. */
static unsigned mgpaw(const struct iomm_riscv *r)
{
	unsigned g = gstage_bits(r->caps);
	return g ? g : r->unit.oas;
}

/* Interrupt files of a table: one per value of the bits under the mask. */
static uint64_t msi_files(const struct iomm_riscv_msi *msi)
{
	return 1ull << iomm_popcount64(msi->addr_mask);
}

/* The guest page of interrupt file @file: its bits deposited under the mask. */
static uint64_t msi_gpa(const struct iomm_riscv_msi *msi, uint64_t file)
{
	uint64_t page = msi->addr_pattern & ~msi->addr_mask;
	for (uint64_t m = msi->addr_mask; m; m &= m - 1u, file >>= 1)
		if (file & 1u)
			page |= m & -m;
	return page << 12;
}

int iomm_riscv_msi_enable(struct iomm_domain *dom, struct iomm_riscv_msi *msi)
{
	struct iomm_riscv *r = rv_of(dom);
	if (!r || !msi)
		return IOMM_REFUSE(r ? port_of(r) : NULL, IOMM_EINVAL,
				   "dom, msi: NULL, or dom not a live domain of a RISC-V unit");
	const struct iomm_port *port = port_of(r);
	if (!(r->caps & IOMM_RISCV_CAP_MSI_FLAT))
		return IOMM_REFUSE(port, IOMM_ENOTSUP, "unit: no capabilities.MSI_FLAT");
	if (dom->type != IOMM_DOMAIN_S2)
		return IOMM_REFUSE(port, IOMM_EINVAL,
				   "dom: not a stage-2 (G-stage) domain; nested ones use their parent's");
	unsigned top = mgpaw(r) - 12u;
	if ((msi->addr_mask | msi->addr_pattern) & ~(MSI_ADDR_BITS >> (52u - top)))
		return IOMM_REFUSE(port, IOMM_ERANGE,
				   "msi->addr_mask, addr_pattern: bits at or above MGPAW - 12");
	if (iomm_popcount64(msi->addr_mask) > IOMM_RISCV_MSI_MAX_BITS)
		return IOMM_REFUSE(port, IOMM_ERANGE,
				   "msi->addr_mask: more than IOMM_RISCV_MSI_MAX_BITS bits");
	uint64_t bytes = msi_files(msi) * MSIPTE_BYTES;
	uint64_t align = bytes < RV_PAGE ? RV_PAGE : bytes;
	if (!msi->table || msi->table_bytes < bytes || (msi->table_pa & (align - 1u)) ||
	    ((uintptr_t)msi->table & 7u) || (msi->table_pa >> r->unit.oas))
		return IOMM_REFUSE(port, IOMM_EINVAL,
				   "msi->table, table_pa, table_bytes: NULL, smaller than 16 bytes "
				   "per interrupt file, not aligned to max(4 KiB, that size) or "
				   "beyond the unit's physical addresses");
	iomm_port_lock(port, &r->unit);
	int rc = IOMM_OK;
	if (dom->ndevs || dom->nchildren || dom->priv) {
		rc = IOMM_REFUSE(port, IOMM_EBUSY,
				 "dom: devices or nested domains use it, or it has an MSI table");
	} else {
		iomm_zero_table(msi->table, (size_t)bytes);
		sync_mem(r, msi->table, (size_t)bytes);
		dom->priv = msi;
		dom->priv_pa = msi->table_pa;
	}
	iomm_port_unlock(port, &r->unit);
	return rc;
}

/* Write MSI PTE @file of @dom's table and invalidate what the unit may cache of it
 * (6, "Changing MSI page table entry": IOTINVAL.GVMA with the interrupt file's page). */
static int msi_write(struct iomm_domain *dom, uint32_t file, uint64_t pte, const char *fn)
{
	struct iomm_riscv *r = rv_of(dom);
	if (!r || !dom->priv)
		return IOMM_REFUSE_AS(r ? port_of(r) : NULL, IOMM_EINVAL, fn,
				      "dom: NULL, not a live RISC-V domain, or no MSI table "
				      "(iomm_riscv_msi_enable())");
	const struct iomm_port *port = port_of(r);
	struct iomm_riscv_msi *msi = dom->priv;
	if (file >= msi_files(msi))
		return IOMM_REFUSE_AS(port, IOMM_ERANGE, fn,
				      "file: not below 2^(bits in msi->addr_mask)");
	uint64_t *e = (uint64_t *)msi->table + 2u * file;
	iomm_port_lock(port, &r->unit);
	/* The second word stays 0 (basic translate mode); the first changes in one
	 * single-copy-atomic store, so an MSI in flight sees the old file or the new
	 * one, never an invalid entry (6: "may use the old PTE value or the new"). */
	iomm_write_desc(&e[0], pte);
	sync_mem(r, e, MSIPTE_BYTES);
	int rc = IOMM_OK;
	if (dom->ndevs || dom->nchildren) {
		struct batch b = {.n = 0, .rc = 0};
		batch_add(r, &b, cmd_iotinval(true, true, dom->id, false, 0, true, msi_gpa(msi, file)));
		rc = batch_fence(r, &b);
	}
	iomm_port_unlock(port, &r->unit);
	return rc;
}

int iomm_riscv_msi_map(struct iomm_domain *dom, uint32_t file, uint64_t pa)
{
	struct iomm_riscv *r = rv_of(dom);
	if (r && ((pa & (RV_PAGE - 1u)) || (pa >> r->unit.oas)))
		return IOMM_REFUSE(port_of(r), IOMM_EINVAL,
				   "pa: not 4 KiB aligned or beyond the unit's physical addresses");
	uint64_t pte = MSIPTE_V | iomm_field_prep(MSIPTE_M, MSIPTE_M_BASIC) |
		       iomm_field_prep(MSIPTE_PPN, pa >> 12);
	return msi_write(dom, file, pte, __func__);
}

int iomm_riscv_msi_unmap(struct iomm_domain *dom, uint32_t file)
{
	return msi_write(dom, file, 0, __func__);
}

/* ======================================================================== */
/* Faults (3.2)                                                             */
/* ======================================================================== */

static enum iomm_fault_reason cause_reason(uint32_t cause)
{
	switch (cause) {
	case CAUSE_INST_PAGE:
	case CAUSE_READ_PAGE:
	case CAUSE_WRITE_PAGE:
	case CAUSE_INST_GUEST_PAGE:
	case CAUSE_READ_GUEST_PAGE:
	case CAUSE_WRITE_GUEST_PAGE:
		/* no valid leaf, or one without the permission: the record does not say */
	case CAUSE_MSI_INVALID: /* an interrupt file the host did not map */
		return IOMM_FAULT_TRANSLATION;
	case CAUSE_INST_ACCESS:
	case CAUSE_READ_ACCESS:
	case CAUSE_WRITE_ACCESS:
	case CAUSE_DMA_DISALLOWED:
	case CAUSE_TTYP_BLOCKED:
		return IOMM_FAULT_ABORT;
	case CAUSE_DDT_INVALID:
	case CAUSE_PDT_INVALID:
		return IOMM_FAULT_BAD_STREAM;
	case CAUSE_DDT_MISCONFIG:
	case CAUSE_PDT_MISCONFIG:
	case CAUSE_MSI_MISCONFIG:
		return IOMM_FAULT_BAD_CONFIG;
	case CAUSE_DDT_LOAD:
	case CAUSE_PDT_LOAD:
	case CAUSE_MSI_LOAD:
	case CAUSE_MRIF:
	case CAUSE_DDT_CORRUPT:
	case CAUSE_PDT_CORRUPT:
	case CAUSE_MSI_CORRUPT:
	case CAUSE_MRIF_CORRUPT:
	case CAUSE_PT_CORRUPT:
		return IOMM_FAULT_WALK;
	default:
		return IOMM_FAULT_OTHER;
	}
}

int iomm_riscv_decode_fault(const uint64_t rec[4], struct iomm_fault *f)
{
	if (!rec || !f)
		return IOMM_REFUSE(NULL, IOMM_EINVAL, "rec, f: must not be NULL");
	uint64_t w0 = iomm_le64_to_cpu(rec[0]);
	uint32_t cause = (uint32_t)iomm_field_get(w0, FQ_CAUSE);
	uint32_t ttyp = (uint32_t)iomm_field_get(w0, FQ_TTYP);
	f->sid = (uint32_t)iomm_field_get(w0, FQ_DID);
	f->ssid = (uint32_t)iomm_field_get(w0, FQ_PID);
	f->flags = (w0 & FQ_PV) ? IOMM_FAULT_SSID : 0;
	if (w0 & FQ_PRIV)
		f->flags |= IOMM_FAULT_PRIV;
	f->reason = cause_reason(cause);
	f->raw = cause;
	f->lost = 0;
	f->ipa = 0;
	/* iotval is the transaction's address when the record names a transaction type */
	f->addr = ttyp != TTYP_NONE ? iomm_le64_to_cpu(rec[2]) : 0;
	switch (ttyp) {
	case TTYP_UADDR_EXEC:
	case TTYP_TADDR_EXEC:
		f->flags |= IOMM_FAULT_EXEC | IOMM_FAULT_READ;
		break;
	case TTYP_UADDR_READ:
	case TTYP_TADDR_READ:
		f->flags |= IOMM_FAULT_READ;
		break;
	case TTYP_UADDR_WRITE:
	case TTYP_TADDR_WRITE:
		f->flags |= IOMM_FAULT_WRITE;
		break;
	default:
		break;
	}
	if (cause == CAUSE_INST_GUEST_PAGE || cause == CAUSE_READ_GUEST_PAGE ||
	    cause == CAUSE_WRITE_GUEST_PAGE) {
		/* iotval2[63:2]: the guest-physical address (3.2) */
		f->flags |= IOMM_FAULT_STAGE2 | IOMM_FAULT_IPA;
		f->ipa = iomm_le64_to_cpu(rec[3]) & ~3ull;
	}
	return IOMM_OK;
}

static int riscv_fault_poll(struct iomm_unit *unit, iomm_fault_fn fn, void *arg)
{
	struct iomm_riscv *r = to_rv(unit);
	const struct iomm_port *port = port_of(r);
	int rc = 0;
	uint32_t csr = rd32(r, RV_FQCSR);
	if (csr & (uint32_t)QCSR_MF) {
		iomm_log_str(port, IOMM_LOG_ERROR, "riscv: fault queue memory fault (fqmf)");
		rc = IOMM_EIO;
	}
	uint32_t lost = 0;
	if (csr & (uint32_t)QCSR_OF) {
		/* The unit dropped records: it says so but not how many. */
		lost = 1;
		r->stats.overflows++;
		iomm_log_str(port, IOMM_LOG_WARN, "riscv: fault queue overflowed");
	}
	uint32_t mask = (1u << r->fq_shift) - 1u;
	uint32_t tail = rd32(r, RV_FQT) & mask;
	iomm_port_mb(port); /* no record is read before fqt says it is there */
	int n = 0;
	while (r->fq_head != tail) {
		uint64_t *rec = (uint64_t *)r->mem.fq + FQ_REC_WORDS * r->fq_head;
		if (!(r->unit.caps & IOMM_CAP_COHERENT))
			port->clean_tables(port->ctx, rec, FQ_REC_WORDS * 8u);
		uint64_t copy[FQ_REC_WORDS];
		for (unsigned w = 0; w < FQ_REC_WORDS; w++)
			copy[w] = iomm_cpu_to_le64(iomm_read_desc(&rec[w]));
		struct iomm_fault f;
		iomm_riscv_decode_fault(copy, &f);
		f.lost = lost;
		lost = 0;
		r->fq_head = (r->fq_head + 1) & mask;
		iomm_port_mb(port); /* the record is read before its slot is given back */
		wr32(r, RV_FQH, r->fq_head);
		r->stats.faults++;
		fn(arg, &f);
		n++;
	}
	if (lost) { /* an overflow with no record left to carry it: reported alone */
		struct iomm_fault f = {0};
		f.reason = IOMM_FAULT_OTHER;
		f.lost = lost;
		fn(arg, &f);
		n++;
	}
	if (csr & (uint32_t)FQCSR_ERRS) /* acknowledged (RW1C) once the queue is drained */
		wr32(r, RV_FQCSR,
		     (csr & (uint32_t)(QCSR_EN | QCSR_IE)) | (csr & (uint32_t)FQCSR_ERRS));
	wr32(r, RV_IPSR, (uint32_t)IPSR_FIP);
	return rc ? rc : n;
}

static const struct iomm_unit_ops riscv_ops = {
    .domain_init = riscv_domain_init,
    .domain_fini = riscv_domain_fini,
    .attach = riscv_attach,
    .detach = riscv_detach,
    .flush = riscv_flush,
    .fault_poll = riscv_fault_poll,
};

/* ======================================================================== */
/* Probe, reset, enable (6, "Guidelines for initialization")                */
/* ======================================================================== */

static int ack(struct iomm_riscv *r, uint32_t reg, uint32_t mask, uint32_t want)
{
	int rc = iomm_poll32(port_of(r), r->unit.regs + reg, mask, want, r->cfg.timeout_ns);
	if (rc)
		iomm_log(port_of(r), IOMM_LOG_ERROR, "riscv: no acknowledgement in register ", reg,
			 "");
	return rc;
}

/*
 * ddtp := @val once no earlier change is in flight. Written as two halves,
 * the upper one first, so the mode (bits 3:0) changes with the complete PPN
 * whichever access width the port has.
 */
static int ddtp_write(struct iomm_riscv *r, uint64_t val)
{
	int rc = ack(r, RV_DDTP, (uint32_t)DDTP_BUSY, 0);
	if (rc)
		return rc;
	wr32(r, RV_DDTP + 4u, (uint32_t)(val >> 32));
	wr32(r, RV_DDTP, (uint32_t)val);
	return ack(r, RV_DDTP, (uint32_t)DDTP_BUSY, 0);
}

/* Queue @csr off (its enable cleared, errors acknowledged), waiting until it is. */
static int queue_off(struct iomm_riscv *r, uint32_t csr, uint32_t errs)
{
	wr32(r, csr, errs);
	return ack(r, csr, (uint32_t)(QCSR_ON | QCSR_BUSY), 0);
}

/* Queue with base register @qb on: base, then enable, then wait for ON (5.6, 5.9). */
static int queue_on(struct iomm_riscv *r, uint32_t qb, uint32_t csr, uint64_t pa, unsigned shift)
{
	wr64(r, qb,
	     iomm_field_prep(PPN_FIELD, pa >> 12) | iomm_field_prep(QB_LOG2SZ_1, shift - 1u));
	uint32_t ie = (r->cfg.flags & IOMM_RISCV_CFG_IRQ) ? (uint32_t)QCSR_IE : 0u;
	wr32(r, csr, (uint32_t)QCSR_EN | ie);
	int rc = ack(r, csr, (uint32_t)(QCSR_ON | QCSR_BUSY), (uint32_t)QCSR_ON);
	if (!rc && (rd32(r, csr) & (uint32_t)QCSR_MF)) {
		iomm_log(port_of(r), IOMM_LOG_ERROR, "riscv: queue memory fault in register ", csr,
			 "");
		rc = IOMM_EIO;
	}
	return rc;
}

/* A queue of @size bytes of @esz-byte entries at @va / @pa: a power of two of at least two
 * entries, naturally aligned to the greater of 4 KiB and its size (6). */
static bool queue_ok(const void *va, uint64_t pa, size_t size, size_t esz)
{
	uint64_t align = size > RV_PAGE ? size : RV_PAGE;
	return va && size >= 2u * esz && !(size & (size - 1u)) && !(pa & (align - 1u)) &&
	       !((uintptr_t)va & 7u) && iomm_ctz64(size / esz) <= 32u;
}

/* What the capabilities allow, in the unit's generic fields. */
static int probe(struct iomm_riscv *r, const struct iomm_port *port)
{
	uint64_t caps = rd64(r, RV_CAPS);
	r->caps = caps;
	if (iomm_field_get(caps, CAPS_VERSION_MAJOR) != 1u)
		return IOMM_REFUSE_AS(port, IOMM_ENODEV, "iomm_riscv_init",
				      "regs: capabilities.version is not 1.x");
	struct iomm_unit *u = &r->unit;
	unsigned s1 = (caps & IOMM_RISCV_CAP_SV57)   ? 56u
		      : (caps & IOMM_RISCV_CAP_SV48) ? 47u
		      : (caps & IOMM_RISCV_CAP_SV39) ? 38u
						     : 0u;
	unsigned g = gstage_bits(caps);
	if (!s1 && !g)
		return IOMM_REFUSE_AS(port, IOMM_ENOTSUP, "iomm_riscv_init",
				      "regs: no Sv39/48/57 and no Sv39x4/48x4/57x4 mode");
	u->caps = IOMM_CAP_BYPASS | (s1 ? IOMM_CAP_S1 : 0u) | (g ? IOMM_CAP_S2 : 0u) |
		  (s1 && g ? IOMM_CAP_NESTED : 0u);
	if (port->flags & IOMM_PORT_DMA_COHERENT)
		u->caps |= IOMM_CAP_COHERENT;
	u->granules = RV_PAGE;
	u->page_sizes = (1ull << 12) | (1ull << 21) | (1ull << 30) | (1ull << 39) | (1ull << 48);
	u->ias = (uint8_t)(s1 > g ? s1 : g);
	u->oas = (uint8_t)iomm_field_get(caps, IOMM_RISCV_CAP_PAS_MASK);
	u->fmt_s1 = IOMM_FMT_RISCV_S1;
	u->fmt_s2 = IOMM_FMT_RISCV_G;
	u->name = "riscv";
	r->dc_shift = (caps & IOMM_RISCV_CAP_MSI_FLAT) ? 6u : 5u;
	if (u->oas < 32 || u->oas > 56)
		return IOMM_REFUSE_AS(port, IOMM_ENODEV, "iomm_riscv_init",
				      "regs: capabilities.PAS outside 32..56");
	return IOMM_OK;
}

/* fctl (5.4): little-endian structures, wired or message-signalled interrupts. */
static int plan_fctl(struct iomm_riscv *r)
{
	const struct iomm_port *port = port_of(r);
	uint32_t igs = (uint32_t)iomm_field_get(r->caps, IOMM_RISCV_CAP_IGS_MASK);
	uint32_t fctl = rd32(r, RV_FCTL);
	if ((fctl & (uint32_t)FCTL_BE) && !(r->caps & IOMM_RISCV_CAP_END))
		return IOMM_REFUSE_AS(port, IOMM_ENOTSUP, "iomm_riscv_init",
				      "regs: the unit reads its structures big-endian only");
	bool wsi = igs == IGS_WSI;
	if (r->cfg.flags & IOMM_RISCV_CFG_WSI) {
		if (igs != IGS_WSI && igs != IGS_BOTH)
			return IOMM_REFUSE_AS(
			    port, IOMM_ENOTSUP, "iomm_riscv_init",
			    "cfg->flags: wired interrupts, capabilities.IGS has none");
		wsi = true;
	}
	r->fctl = wsi ? (uint32_t)FCTL_WSI : 0u;
	return IOMM_OK;
}

/* Device-directory depth for cfg.did_bits (6, "To program the DDT pointer"). */
static int plan_ddt(struct iomm_riscv *r, const struct iomm_port *port)
{
	unsigned lb = leaf_bits(r);
	unsigned bits = r->cfg.did_bits ? r->cfg.did_bits : lb;
	if (bits > 24)
		return IOMM_REFUSE_AS(port, IOMM_EINVAL, "iomm_riscv_init",
				      "cfg->did_bits: device IDs are at most 24 bits");
	r->ddt_levels = (uint8_t)(bits <= lb ? 1u : bits <= lb + 9u ? 2u : 3u);
	if (r->ddt_levels > 1 && (!r->pool || iomm_pool_page_size(r->pool) != RV_PAGE))
		return IOMM_REFUSE_AS(
		    port, IOMM_EINVAL, "iomm_riscv_init",
		    "pool: more than one directory level needs a pool of 4 KiB pages");
	r->unit.sid_bits = (uint8_t)bits;
	return IOMM_OK;
}

static int check_args(const struct iomm_riscv *rv, const struct iomm_port *port,
		      const struct iomm_riscv_mem *mem, const struct iomm_riscv_cfg *c)
{
	if (!rv || !port || !mem || !port->read32 || !port->write32 || !port->now_ns)
		return IOMM_REFUSE_AS(
		    port, IOMM_EINVAL, "iomm_riscv_init",
		    "rv, port, mem: NULL, or port without read32, write32, now_ns");
	if (!(port->flags & IOMM_PORT_DMA_COHERENT) && !port->clean_tables)
		return IOMM_REFUSE_AS(port, IOMM_EINVAL, "iomm_riscv_init",
				      "port: not coherent and clean_tables is NULL");
	if (!mem->ddt || (mem->ddt_pa & (RV_PAGE - 1u)) || ((uintptr_t)mem->ddt & 7u) ||
	    !queue_ok(mem->cq, mem->cq_pa, mem->cq_size, 16u) ||
	    !queue_ok(mem->fq, mem->fq_pa, mem->fq_size, 32u))
		return IOMM_REFUSE_AS(port, IOMM_EINVAL, "iomm_riscv_init",
				      "mem: a queue or the directory root missing, too small or "
				      "misaligned");
	if (c->gscid_bits > 16 || c->pscid_bits > 20)
		return IOMM_REFUSE_AS(port, IOMM_EINVAL, "iomm_riscv_init",
				      "cfg->gscid_bits, pscid_bits: at most 16 and 20");
	return IOMM_OK;
}

/*
 * Drop every cached device context and translation: a device context
 * cached while ddtp was Bare or pointed at a directory may otherwise outlive
 * a ddtp change (QEMU 10's model keeps it). Needs the command queue on.
 */
static int inval_all(struct iomm_riscv *r)
{
	struct batch b = {.n = 0, .rc = 0};
	r->stale = false; /* this batch is everything */
	batch_add(r, &b, cmd_iodir(false, 0));
	batch_add(r, &b, cmd_iotinval(false, false, 0, false, 0, false, 0));
	if (r->unit.caps & IOMM_CAP_S2)
		batch_add(r, &b, cmd_iotinval(true, false, 0, false, 0, false, 0));
	return batch_fence(r, &b);
}

/* ddtp Off and acknowledged: no device reaches memory (5.5). With @owned queues, what the
 * unit cached goes too (the queues stay on); otherwise the queues are turned off. */
static int ddtp_off(struct iomm_riscv *r, bool owned)
{
	int rc = ddtp_write(r, DDTP_MODE_OFF);
	if (!rc && iomm_field_get(rd32(r, RV_DDTP), DDTP_MODE) != DDTP_MODE_OFF)
		rc = IOMM_ETIMEDOUT;
	if (rc)
		return rc;
	if (owned)
		return inval_all(r);
	rc = queue_off(r, RV_CQCSR, (uint32_t)CQCSR_ERRS);
	if (!rc)
		rc = queue_off(r, RV_FQCSR, (uint32_t)FQCSR_ERRS);
	return rc;
}

int iomm_riscv_init(struct iomm_riscv *rv, const struct iomm_port *port, uintptr_t regs,
		    const struct iomm_riscv_mem *mem, struct iomm_pool *pool,
		    const struct iomm_riscv_cfg *cfg)
{
	struct iomm_riscv_cfg c = cfg ? *cfg : (struct iomm_riscv_cfg){0};
	int rc = check_args(rv, port, mem, &c);
	if (rc)
		return rc;
	if (!c.timeout_ns)
		c.timeout_ns = IOMM_DEFAULT_TIMEOUT_NS;
	if (!c.inv_threshold)
		c.inv_threshold = DEFAULT_INV_THRESHOLD;
	if (!c.gscid_bits)
		c.gscid_bits = 16;
	if (!c.pscid_bits)
		c.pscid_bits = 20;

	struct iomm_riscv r = {0};
	r.unit.ops = &riscv_ops;
	r.unit.port = port;
	r.unit.regs = regs;
	r.cfg = c;
	r.mem = *mem;
	r.pool = pool;
	r.next_pscid = 1;
	r.next_gscid = 1;
	r.cq_shift = (uint8_t)iomm_ctz64(mem->cq_size / 16u); /* powers of two (queue_ok) */
	r.fq_shift = (uint8_t)iomm_ctz64(mem->fq_size / 32u);
	rc = probe(&r, port);
	if (!rc)
		rc = plan_fctl(&r);
	if (!rc)
		rc = plan_ddt(&r, port);
	if (rc)
		return rc;
	uint64_t top = r.unit.oas >= 64 ? ~0ull : (1ull << r.unit.oas);
	if (mem->ddt_pa >= top || mem->cq_pa + mem->cq_size > top ||
	    mem->fq_pa + mem->fq_size > top)
		return IOMM_REFUSE(
		    port, IOMM_EINVAL,
		    "mem: beyond the unit's physical address size (capabilities.PAS)");

	/* Fail closed first: translation off, queues off; then the features. */
	*rv = r;
	rc = ddtp_off(rv, false);
	if (rc)
		return rc;
	wr32(rv, RV_FCTL, rv->fctl);
	if ((rd32(rv, RV_FCTL) & (uint32_t)(FCTL_BE | FCTL_WSI)) != rv->fctl)
		return IOMM_REFUSE(port, IOMM_ENOTSUP, "fctl: the unit did not take the setting");

	/* Queues (6): command queue, fault queue; pending interrupts cleared. */
	wr32(rv, RV_CQT, 0);
	rc = queue_on(rv, RV_CQB, RV_CQCSR, mem->cq_pa, rv->cq_shift);
	if (!rc) {
		wr32(rv, RV_FQH, 0);
		rc = queue_on(rv, RV_FQB, RV_FQCSR, mem->fq_pa, rv->fq_shift);
	}
	if (rc)
		return rc;
	wr32(rv, RV_IPSR, (uint32_t)(IPSR_CIP | IPSR_FIP));
	/* Off is in force only once nothing cached from before is left. */
	rc = inval_all(rv);
	if (rc)
		return rc;

	/* The directory: every device context invalid, then ddtp. */
	uint64_t *root = rv->mem.ddt;
	for (unsigned i = 0; i < RV_PAGE / 8u; i++)
		iomm_write_desc(&root[i], 0);
	sync_mem(rv, root, RV_PAGE);
	uint64_t mode = DDTP_MODE_1LVL + rv->ddt_levels - 1u;
	rc = ddtp_write(rv, iomm_field_prep(PPN_FIELD, mem->ddt_pa >> 12) | mode);
	if (rc)
		return rc;
	if (iomm_field_get(rd32(rv, RV_DDTP), DDTP_MODE) != mode) {
		(void)ddtp_write(rv, DDTP_MODE_OFF);
		return IOMM_REFUSE(port, IOMM_ENOTSUP,
				   "cfg->did_bits: the unit does not take that directory depth");
	}

	/* Nothing was cached while ddtp was Off, and invalid contexts never are: no
	 * invalidation is due for the new directory (6, "Caching invalid entries"). */
	rv->enabled = true;
	iomm_log(port, IOMM_LOG_INFO, "riscv: enabled, capabilities=", rv->caps, "");
	return IOMM_OK;
}

int iomm_riscv_disable(struct iomm_riscv *rv)
{
	if (!rv || rv->unit.ops != &riscv_ops)
		return IOMM_REFUSE(rv ? rv->unit.port : NULL, IOMM_EINVAL,
				   "rv: NULL or not initialised");
	bool owned = rv->enabled;
	int rc = ddtp_off(rv, owned);
	if (owned) { /* the queues go once the caches are empty */
		int rc2 = queue_off(rv, RV_CQCSR, (uint32_t)CQCSR_ERRS);
		if (!rc2)
			rc2 = queue_off(rv, RV_FQCSR, (uint32_t)FQCSR_ERRS);
		rc = rc ? rc : rc2;
	}
	rv->enabled = false;
	return rc;
}
