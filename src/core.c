/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The unit/domain/device API. Everything backend-specific goes through
 * unit->ops; nothing here knows which IOMMU it drives.
 */
#include <iommuman/backend.h>

#include "iomm_internal.h"

int iomm_devid_resolve(const struct iomm_devid *id, uint32_t *sid, uint32_t *mask)
{
	if (!id || !sid || !mask)
		return IOMM_EINVAL;
	switch (id->kind) {
	case IOMM_DEVID_SID:
		*mask = id->mask;
		*sid = id->sid & ~id->mask;
		return IOMM_OK;
	case IOMM_DEVID_PCI: {
		uint32_t m = 0, rid = 0;
		if (id->bus == IOMM_ANY)
			m |= 0xff00u;
		else if (id->bus > 0xff)
			return IOMM_EINVAL;
		else
			rid |= (uint32_t)id->bus << 8;
		if (id->dev == IOMM_ANY)
			m |= 0xf8u;
		else if (id->dev > 31)
			return IOMM_EINVAL;
		else
			rid |= (uint32_t)id->dev << 3;
		if (id->fn == IOMM_ANY)
			m |= 0x7u;
		else if (id->fn > 7)
			return IOMM_EINVAL;
		else
			rid |= id->fn;
		*sid = rid;
		*mask = m;
		return IOMM_OK;
	}
	default:
		return IOMM_EINVAL;
	}
}

static bool unit_ok(const struct iomm_unit *unit)
{
	return unit && unit->ops && unit->port;
}

/* A refusal about @dom: logged through its unit's port when it has one. */
#define refuse_dom(dom, why)                                                                    \
	IOMM_REFUSE((dom) && unit_ok((dom)->unit) ? (dom)->unit->port : NULL, IOMM_EINVAL, why)

/* ---- the unit's lists: live domains and attached devices ---- */

static void domain_link(struct iomm_unit *unit, struct iomm_domain *dom)
{
	dom->next = unit->domains;
	unit->domains = dom;
}

static void domain_unlink(struct iomm_unit *unit, const struct iomm_domain *dom)
{
	for (struct iomm_domain **p = &unit->domains; *p; p = &(*p)->next) {
		if (*p == dom) {
			*p = dom->next;
			return;
		}
	}
}

static void dev_link(struct iomm_unit *unit, struct iomm_dev *dev)
{
	dev->next = unit->devs;
	unit->devs = dev;
}

static void dev_unlink(struct iomm_unit *unit, struct iomm_dev *dev)
{
	for (struct iomm_dev **p = &unit->devs; *p; p = &(*p)->next) {
		if (*p == dev) {
			*p = dev->next;
			break;
		}
	}
	dev->next = NULL;
}

bool iomm_dev_conflicts(const struct iomm_unit *unit, const struct iomm_dev *dev)
{
	for (const struct iomm_dev *d = unit->devs; d; d = d->next)
		if (d != dev && iomm_sids_overlap(d->sid, d->mask, dev->sid, dev->mask))
			return true;
	return false;
}

static bool has_table(const struct iomm_domain *dom)
{
	return (dom->type == IOMM_DOMAIN_S1 || dom->type == IOMM_DOMAIN_S2 ||
		dom->type == IOMM_DOMAIN_NESTED) &&
	       !(dom->unit->caps & IOMM_CAP_REMOTE);
}

static bool translates(const struct iomm_domain *dom)
{
	return dom->type == IOMM_DOMAIN_S1 || dom->type == IOMM_DOMAIN_S2 ||
	       dom->type == IOMM_DOMAIN_NESTED;
}

static int domain_pgt_cfg(const struct iomm_unit *unit, const struct iomm_domain_cfg *cfg,
			  struct iomm_pgt_cfg *pc)
{
	bool s2 = cfg->type == IOMM_DOMAIN_S2;
	struct iomm_pgt_fmt_rules fr;
	iomm_pgt_fmt_defaults(s2 ? unit->fmt_s2 : unit->fmt_s1, s2, &fr);
	pc->format = fr.format;
	uint32_t gran = cfg->granule;
	if (!gran) {
		if (!unit->granules)
			return IOMM_REFUSE_AS(unit->port, IOMM_ENOTSUP, "iomm_domain_init",
					      "unit: reports no granule");
		gran = 1u << iomm_ctz64(unit->granules);
	}
	if (!(unit->granules & gran))
		return IOMM_REFUSE_AS(unit->port, IOMM_ENOTSUP, "iomm_domain_init",
				      "cfg->granule: not one the unit supports");
	pc->granule = gran;
	/* Default input size: at most the format's cap. */
	uint8_t cap = fr.ias_cap;
	uint8_t ias = cfg->ias ? cfg->ias : (unit->ias > cap ? cap : unit->ias);
	if (s2 && !cfg->ias && ias > unit->oas)
		ias = unit->oas; /* an IPA is no wider than the output */
	/* Default output size: the unit's, at most what the format walks at this granule
	 * (Arm LPAE: 52 bits only with 64 KiB pages). */
	uint8_t ocap = gran == fr.wide_granule ? fr.wide_oas_cap : fr.oas_cap;
	uint8_t oas = cfg->oas ? cfg->oas : (unit->oas > ocap ? ocap : unit->oas);
	/* a nested domain outputs its parent's input addresses: no wider by default */
	if (cfg->type == IOMM_DOMAIN_NESTED && !cfg->oas && cfg->parent->pgt.cfg.ias < oas)
		oas = cfg->parent->pgt.cfg.ias;
	if (ias > unit->ias || oas > unit->oas)
		return IOMM_REFUSE_AS(unit->port, IOMM_ENOTSUP, "iomm_domain_init",
				      "cfg->ias/oas: wider than the unit's");
	/* Formats whose stage-2 input may not be wider than the output (Arm's
	 * start level and concatenation rules tie S2T0SZ to PS). */
	if (s2 && ias > unit->oas && fr.ias_within_oas)
		return IOMM_REFUSE_AS(unit->port, IOMM_ENOTSUP, "iomm_domain_init",
				      "cfg->ias: a stage-2 input wider than the unit's output");
	pc->ias = ias;
	pc->oas = oas;
	pc->flags = 0;
	if (!(unit->caps & IOMM_CAP_COHERENT))
		pc->flags |= IOMM_PGT_NONCOHERENT;
	pc->flags |= fr.flags;
	pc->leaf_sizes = unit->page_sizes;
	return IOMM_OK;
}

/*
 * Break-before-make invalidation of a domain's table (iomm_pgt_cfg::inval_sync):
 * the backend's flush of @range, which waits for completion. Called by the
 * table's unmap with the table's lock held; takes the unit's lock inside it.
 */
static int domain_inval_sync(void *arg, const struct iomm_gather *range)
{
	struct iomm_domain *dom = arg;
	struct iomm_unit *unit = dom->unit;
	iomm_port_lock(unit->port, unit);
	int rc = unit->ops->flush(unit, dom, range);
	iomm_port_unlock(unit->port, unit);
	return rc;
}

int iomm_domain_init(struct iomm_domain *dom, struct iomm_unit *unit,
		     const struct iomm_domain_cfg *cfg)
{
	if (!dom || !unit_ok(unit) || !cfg)
		return IOMM_REFUSE(unit ? unit->port : NULL, IOMM_EINVAL,
				   "dom, unit (initialised), cfg: must not be NULL");
	if (dom->live == IOMM_LIVE_COOKIE) /* linked into its unit: a second init would corrupt that */
		return IOMM_REFUSE(unit->port, IOMM_EBUSY, "dom: live; iomm_domain_destroy() it first");
	static const uint32_t need_cap[] = {
	    [IOMM_DOMAIN_S1] = IOMM_CAP_S1,
	    [IOMM_DOMAIN_S2] = IOMM_CAP_S2,
	    [IOMM_DOMAIN_NESTED] = IOMM_CAP_NESTED,
	    [IOMM_DOMAIN_BYPASS] = IOMM_CAP_BYPASS,
	    [IOMM_DOMAIN_BLOCKED] = 0,
	};
	if (cfg->type < IOMM_DOMAIN_S1 || cfg->type > IOMM_DOMAIN_BLOCKED)
		return IOMM_REFUSE(unit->port, IOMM_EINVAL, "cfg->type: no such domain type");
	if (cfg->type == IOMM_DOMAIN_NESTED &&
	    (!cfg->parent || cfg->parent->unit != unit || cfg->parent->type != IOMM_DOMAIN_S2))
		return IOMM_REFUSE(unit->port, IOMM_EINVAL,
				   "cfg->parent: a nested domain needs a stage-2 parent on this unit");
	if ((unit->caps & need_cap[cfg->type]) != need_cap[cfg->type])
		return IOMM_REFUSE(unit->port, IOMM_ENOTSUP, "cfg->type: the unit lacks this domain type");

	struct iomm_domain d = {0};
	d.unit = unit;
	d.type = cfg->type;
	d.parent = cfg->type == IOMM_DOMAIN_NESTED ? cfg->parent : NULL;
	int rc;
	if (has_table(&d)) {
		struct iomm_pgt_cfg pc;
		if (!cfg->pool)
			return IOMM_REFUSE(unit->port, IOMM_EINVAL,
					   "cfg->pool: NULL, but this domain type has a table");
		rc = domain_pgt_cfg(unit, cfg, &pc);
		if (rc)
			return rc;
		/* in place (the pool keeps a list of its live tables); the
		 * break-before-make callback gets dom, where the table lives */
		pc.inval_sync = unit->ops->flush ? domain_inval_sync : NULL;
		pc.inval_arg = dom;
		rc = iomm_pgt_init(&dom->pgt, &pc, cfg->pool, unit->port);
		if (rc)
			return rc;
		d.pgt = dom->pgt;
	}
	*dom = d;
	iomm_port_lock(unit->port, unit);
	rc = unit->ops->domain_init ? unit->ops->domain_init(unit, dom) : IOMM_OK;
	if (rc == IOMM_OK) {
		if (dom->parent)
			dom->parent->nchildren++;
		domain_link(unit, dom);
		dom->live = IOMM_LIVE_COOKIE;
	}
	iomm_port_unlock(unit->port, unit);
	if (rc) {
		if (has_table(dom))
			iomm_pgt_destroy(&dom->pgt);
		dom->unit = NULL;
	}
	return rc;
}

int iomm_domain_destroy(struct iomm_domain *dom)
{
	if (!dom || !unit_ok(dom->unit) || dom->live != IOMM_LIVE_COOKIE)
		return IOMM_REFUSE(dom && unit_ok(dom->unit) ? dom->unit->port : NULL, IOMM_EINVAL,
				   "dom: NULL, not initialised or destroyed");
	if (dom->ndevs || dom->nchildren)
		return IOMM_EBUSY;
	struct iomm_unit *unit = dom->unit;
	int rc = IOMM_OK;
	iomm_port_lock(unit->port, unit);
	if (unit->ops->domain_fini)
		rc = unit->ops->domain_fini(unit, dom);
	if (rc != IOMM_EBUSY) {
		if (dom->parent)
			dom->parent->nchildren--;
		domain_unlink(unit, dom);
		dom->next = NULL;
		dom->live = 0;
	}
	iomm_port_unlock(unit->port, unit);
	if (rc == IOMM_EBUSY)
		return rc;
	/*
	 * If the hardware did not confirm that it forgot the domain, its table
	 * pages are held back (leaked on purpose): reusing them could let a
	 * stale walk see someone else's entries.
	 */
	if (has_table(dom) && rc == IOMM_OK)
		iomm_pgt_destroy(&dom->pgt);
	else if (has_table(dom)) {
		iomm_log(unit->port, IOMM_LOG_ERROR, "domain teardown not confirmed, pages held: ",
			 iomm_pool_used(dom->pgt.pool), "");
		iomm_pgt_abandon(&dom->pgt);
	}
	dom->unit = NULL;
	return rc;
}

int iomm_map(struct iomm_domain *dom, uint64_t iova, uint64_t pa, uint64_t size, uint32_t prot)
{
	if (!dom || !unit_ok(dom->unit) || !translates(dom))
		return refuse_dom(dom, "dom: NULL, not initialised, or of a type that has no mappings");
	struct iomm_unit *unit = dom->unit;
	if (unit->caps & IOMM_CAP_REMOTE) /* it translates: has_table() is this test */
		return unit->ops->map ? unit->ops->map(unit, dom, iova, pa, size, prot)
				      : IOMM_REFUSE(unit->port, IOMM_ENOTSUP, "unit: its backend cannot map");
	int rc = iomm_pgt_map(&dom->pgt, iova, pa, size, prot);
	if (rc == IOMM_OK && unit->ops->map_sync) {
		iomm_port_lock(unit->port, unit);
		rc = unit->ops->map_sync(unit, dom, iova, size);
		iomm_port_unlock(unit->port, unit);
	}
	return rc;
}

int iomm_unmap(struct iomm_domain *dom, uint64_t iova, uint64_t size, uint64_t *unmapped)
{
	if (!dom || !unit_ok(dom->unit) || !translates(dom))
		return refuse_dom(dom, "dom: NULL, not initialised, or of a type that has no mappings");
	struct iomm_unit *unit = dom->unit;
	if (unit->caps & IOMM_CAP_REMOTE) /* it translates: has_table() is this test */
		return unit->ops->unmap ? unit->ops->unmap(unit, dom, iova, size, unmapped)
					: IOMM_REFUSE(unit->port, IOMM_ENOTSUP,
						      "unit: its backend cannot unmap");
	if (!unit->ops->flush)
		return IOMM_REFUSE(unit->port, IOMM_ENOTSUP, "unit: its backend cannot invalidate");
	struct iomm_gather g;
	iomm_gather_init(&g);
	int rc = iomm_pgt_unmap(&dom->pgt, iova, size, &g, unmapped);
	if (rc || !iomm_gather_pending(&g))
		return rc;
	iomm_port_lock(unit->port, unit);
	rc = unit->ops->flush(unit, dom, &g);
	iomm_port_unlock(unit->port, unit);
	/*
	 * Table pages go back to the pool only once the hardware is known to
	 * have forgotten them. After a failed flush they are leaked on purpose:
	 * reusing them could let a stale walk see new entries.
	 */
	if (rc == IOMM_OK)
		iomm_pgt_gather_release(&g);
	else
		iomm_log(unit->port, IOMM_LOG_ERROR,
			 "invalidation failed, table pages held back: ", g.nfreed, "");
	return rc;
}

int iomm_unmap_gather(struct iomm_domain *dom, uint64_t iova, uint64_t size,
		      struct iomm_gather *gather, uint64_t *unmapped)
{
	if (!dom || !unit_ok(dom->unit) || !translates(dom) || !gather)
		return refuse_dom(dom, "dom (with mappings), gather: must not be NULL");
	struct iomm_unit *unit = dom->unit;
	if (unit->caps & IOMM_CAP_REMOTE) /* the host invalidates: nothing to gather */
		return unit->ops->unmap ? unit->ops->unmap(unit, dom, iova, size, unmapped)
					: IOMM_REFUSE(unit->port, IOMM_EINVAL,
						      "unit: its backend cannot unmap");
	if (!unit->ops->flush)
		return IOMM_REFUSE(unit->port, IOMM_EINVAL, "unit: its backend cannot invalidate");
	return iomm_pgt_unmap(&dom->pgt, iova, size, gather, unmapped);
}

int iomm_gather_sync(struct iomm_domain *dom, struct iomm_gather *gather)
{
	if (!dom || !unit_ok(dom->unit) || !translates(dom) || !gather)
		return refuse_dom(dom, "dom (with mappings), gather: must not be NULL");
	struct iomm_unit *unit = dom->unit;
	if (!iomm_gather_pending(gather))
		return IOMM_OK;
	if ((unit->caps & IOMM_CAP_REMOTE) || !unit->ops->flush || gather->pgt != &dom->pgt)
		return IOMM_REFUSE(unit->port, IOMM_EINVAL,
				   "gather: of another domain's table, or a unit that cannot invalidate");
	iomm_port_lock(unit->port, unit);
	int rc = unit->ops->flush(unit, dom, gather);
	iomm_port_unlock(unit->port, unit);
	/* As iomm_unmap(): table pages return only once the hardware forgot them. */
	if (rc == IOMM_OK) {
		iomm_pgt_gather_release(gather);
	} else {
		iomm_log(unit->port, IOMM_LOG_ERROR,
			 "invalidation failed, table pages held back: ", gather->nfreed, "");
		iomm_gather_init(gather);
	}
	return rc;
}

int iomm_update(struct iomm_domain *dom, uint64_t iova, uint64_t pa, uint64_t size, uint32_t prot)
{
	if (!dom || !unit_ok(dom->unit) || !translates(dom) || !has_table(dom))
		return refuse_dom(dom, "dom: NULL, not initialised, or without a table here");
	struct iomm_unit *unit = dom->unit;
	if (!unit->ops->flush)
		return IOMM_REFUSE(unit->port, IOMM_ENOTSUP, "unit: its backend cannot invalidate");
	struct iomm_gather g;
	iomm_gather_init(&g);
	int rc = iomm_pgt_update(&dom->pgt, iova, pa, size, prot, &g);
	if (!iomm_gather_pending(&g))
		return rc;
	iomm_port_lock(unit->port, unit);
	int frc = unit->ops->flush(unit, dom, &g);
	iomm_port_unlock(unit->port, unit);
	iomm_pgt_gather_release(&g); /* no table page: nothing held back */
	return rc ? rc : frc;
}

int iomm_iova_to_phys(const struct iomm_domain *dom, uint64_t iova, uint64_t *pa)
{
	if (!dom || !pa || !unit_ok(dom->unit) || !has_table(dom))
		return refuse_dom(dom, "dom (with a table here) and pa: must not be NULL");
	return iomm_pgt_iova_to_phys(&dom->pgt, iova, pa);
}

int iomm_dev_init(struct iomm_dev *dev, struct iomm_unit *unit, const struct iomm_devid *id)
{
	if (!dev || !unit_ok(unit))
		return IOMM_REFUSE(unit ? unit->port : NULL, IOMM_EINVAL,
				   "dev, unit (initialised): must not be NULL");
	uint32_t sid, mask;
	int rc = iomm_devid_resolve(id, &sid, &mask);
	if (rc)
		return IOMM_REFUSE(unit->port, rc, "id: NULL, unknown kind, or bus/dev/fn out of range");
	if (unit->sid_bits < 32 && ((sid | mask) >> unit->sid_bits))
		return IOMM_REFUSE(unit->port, IOMM_ERANGE, "id: stream ID wider than the unit's");
	dev->unit = unit;
	dev->domain = NULL;
	dev->next = NULL;
	dev->sid = sid;
	dev->mask = mask;
	dev->priv = NULL;
	dev->priv_word = 0;
	return IOMM_OK;
}

int iomm_attach(struct iomm_domain *dom, struct iomm_dev *dev)
{
	if (!dom || !dev || !unit_ok(dom->unit) || dev->unit != dom->unit) {
		/* logged through the domain's unit, else the device's (a destroyed domain) */
		const struct iomm_unit *u = dom && unit_ok(dom->unit) ? dom->unit : NULL;
		if (!u && dev)
			u = dev->unit;
		return IOMM_REFUSE(unit_ok(u) ? u->port : NULL, IOMM_EINVAL,
				   "dom, dev: NULL, not initialised, or on different units");
	}
	if (dev->domain)
		return IOMM_REFUSE(dom->unit->port, IOMM_EBUSY, "dev: attached; detach it first");
	struct iomm_unit *unit = dom->unit;
	if (!unit->ops->attach)
		return IOMM_REFUSE(unit->port, IOMM_ENOTSUP, "unit: its backend cannot attach");
	iomm_port_lock(unit->port, unit);
	int rc = unit->ops->attach(unit, dom, dev);
	if (rc == IOMM_OK) {
		dev->domain = dom;
		dom->ndevs++;
		dev_link(unit, dev);
	}
	iomm_port_unlock(unit->port, unit);
	return rc;
}

int iomm_detach(struct iomm_dev *dev)
{
	if (!dev || !unit_ok(dev->unit))
		return IOMM_REFUSE(NULL, IOMM_EINVAL, "dev: NULL or not initialised");
	if (!dev->domain)
		return IOMM_ENOENT;
	struct iomm_unit *unit = dev->unit;
	iomm_port_lock(unit->port, unit);
	int rc = unit->ops->detach ? unit->ops->detach(unit, dev) : IOMM_ENOTSUP;
	if (rc == IOMM_OK) {
		dev->domain->ndevs--;
		dev->domain = NULL;
		dev_unlink(unit, dev);
	}
	iomm_port_unlock(unit->port, unit);
	return rc;
}

int iomm_fault_poll(struct iomm_unit *unit, iomm_fault_fn fn, void *arg)
{
	if (!unit_ok(unit) || !fn)
		return IOMM_REFUSE(unit_ok(unit) ? unit->port : NULL, IOMM_EINVAL,
				   "unit (initialised), fn: must not be NULL");
	if (!unit->ops->fault_poll)
		return IOMM_REFUSE(unit->port, IOMM_ENOTSUP, "unit: its backend has no fault queue");
	iomm_port_lock(unit->port, unit);
	int rc = unit->ops->fault_poll(unit, fn, arg);
	iomm_port_unlock(unit->port, unit);
	return rc;
}

/* ---- interrupt remapping ---- */

/* Backend-independent checks of an interrupt target. */
static bool irq_cfg_ok(const struct iomm_irq_cfg *c)
{
	if (c->flags & ~(uint32_t)IOMM_IRQ_FLAGS_ALL)
		return false;
	switch (c->delivery) {
	case IOMM_IRQ_FIXED:
	case IOMM_IRQ_LOWEST:
		return c->vector >= 16; /* vectors 0-15 are reserved for exceptions */
	case IOMM_IRQ_NMI:
		return true;
	default:
		return false; /* SMI, INIT, ExtINT: never from a device */
	}
}

static bool irq_live(const struct iomm_irq *irq)
{
	return irq && irq->live == IOMM_LIVE_COOKIE && unit_ok(irq->unit);
}

int iomm_irq_alloc(struct iomm_unit *unit, struct iomm_dev *dev, const struct iomm_irq_cfg *target,
		   struct iomm_irq *out, struct iomm_msi_msg *msg)
{
	if (!unit_ok(unit) || !dev || !target || !out || !msg)
		return IOMM_REFUSE(unit_ok(unit) ? unit->port : NULL, IOMM_EINVAL,
				   "unit (initialised), dev, target, out, msg: must not be NULL");
	if (out->live == IOMM_LIVE_COOKIE)
		return IOMM_REFUSE(unit->port, IOMM_EBUSY, "out: a live entry; free it first");
	if (dev->unit != unit || !irq_cfg_ok(target))
		return IOMM_REFUSE(unit->port, IOMM_EINVAL,
				   "dev, target: dev of another unit, or a malformed target");
	if (!(unit->caps & IOMM_CAP_IRQ_REMAP) || !unit->ops->irq_alloc || !unit->ops->irq_update ||
	    !unit->ops->irq_free)
		return IOMM_REFUSE(unit->port, IOMM_ENOTSUP, "unit: no interrupt remapping");
	struct iomm_irq n = {0};
	n.unit = unit;
	n.dev = dev;
	n.sid = dev->sid;
	n.mask = dev->mask;
	struct iomm_msi_msg m = {0, 0};
	iomm_port_lock(unit->port, unit);
	int rc = unit->ops->irq_alloc(unit, &n, target, &m);
	iomm_port_unlock(unit->port, unit);
	if (rc)
		return rc;
	n.live = IOMM_LIVE_COOKIE;
	*out = n;
	*msg = m;
	return IOMM_OK;
}

int iomm_irq_update(struct iomm_irq *irq, const struct iomm_irq_cfg *target)
{
	if (!irq_live(irq) || !target || !irq_cfg_ok(target))
		return IOMM_REFUSE(irq_live(irq) ? irq->unit->port : NULL, IOMM_EINVAL,
				   "irq (live), target: NULL, freed, or a malformed target");
	struct iomm_unit *unit = irq->unit;
	iomm_port_lock(unit->port, unit);
	int rc = unit->ops->irq_update(unit, irq, target);
	iomm_port_unlock(unit->port, unit);
	return rc;
}

int iomm_irq_free(struct iomm_irq *irq)
{
	if (!irq_live(irq))
		return IOMM_REFUSE(NULL, IOMM_EINVAL, "irq: NULL, never allocated or freed");
	struct iomm_unit *unit = irq->unit;
	iomm_port_lock(unit->port, unit);
	int rc = unit->ops->irq_free(unit, irq);
	if (rc == IOMM_OK)
		irq->live = 0;
	iomm_port_unlock(unit->port, unit);
	if (rc)
		iomm_log(unit->port, IOMM_LOG_ERROR, "interrupt entry not confirmed free, held: ",
			 irq->index, "");
	return rc;
}
