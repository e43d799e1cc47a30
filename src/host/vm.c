/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host role: a VM's memory map A, device assignment, fault routing and the
 * containment audit. The virtio-iommu device model is in viommu_dev.c.
 */
#include <iommuman/vm.h>

#include "iomm_internal.h"
#include "host_internal.h"
#include "pgtable/pgt_internal.h"

#define VM_DEFAULT_FEATURES                                                                        \
	((1ull << IOMM_VIOMMU_F_INPUT_RANGE) | (1ull << IOMM_VIOMMU_F_DOMAIN_RANGE) |              \
	 (1ull << IOMM_VIOMMU_F_MAP_UNMAP) | (1ull << IOMM_VIOMMU_F_PROBE) |                       \
	 (1ull << IOMM_VIOMMU_F_MMIO) | (1ull << IOMM_VIOMMU_F_BYPASS_CONFIG) |                    \
	 (1ull << IOMM_VIOMMU_F_VERSION_1))
#define VM_KNOWN_FEATURES     (VM_DEFAULT_FEATURES)
#define VM_DEFAULT_INPUT_END  ((1ull << 40) - 1)
#define VM_DEFAULT_PROBE_SIZE 512u
#define VM_REGION_PROT	      (IOMM_READ | IOMM_WRITE | IOMM_MEM_MASK)

static bool region_ok(const struct iomm_vm_region *r, uint64_t gmask)
{
	if (!r->size || ((r->gpa | r->hpa | r->size) & gmask))
		return false;
	if (r->gpa + (r->size - 1) < r->gpa || r->hpa + (r->size - 1) < r->hpa)
		return false;
	if (!(r->prot & (IOMM_READ | IOMM_WRITE)) || (r->prot & ~(uint32_t)VM_REGION_PROT))
		return false;
	return (r->prot & IOMM_MEM_MASK) != IOMM_MEM_MASK;
}

int iomm_vm_init(struct iomm_vm *vm, const struct iomm_vm_cfg *cfg)
{
	if (!vm || !cfg || !cfg->regions || !cfg->nregions || !cfg->pool || !cfg->endpoints ||
	    !cfg->nendpoints || (cfg->ndomains && !cfg->domains) ||
	    (cfg->nmappings && !cfg->mappings) || (cfg->nevents && !cfg->events) ||
	    (cfg->nresv && !cfg->resv) || (cfg->nirqs && !cfg->irqs) ||
	    (cfg->irq_policy.ndests && !cfg->irq_policy.dests))
		return IOMM_REFUSE(cfg && cfg->pool ? cfg->pool->port : NULL, IOMM_EINVAL,
				   "vm, cfg: NULL, or a required array (regions, pool, endpoints) or "
				   "an array with a count missing");
	const struct iomm_port *port = cfg->pool->port;
	struct iomm_vm_cfg c = *cfg;
	if (!c.granule)
		c.granule = (uint32_t)iomm_pool_page_size(c.pool);
	if (c.granule != 4096u && c.granule != 16384u && c.granule != 65536u)
		return IOMM_REFUSE(port, IOMM_EINVAL, "cfg->granule: not 4, 16 or 64 KiB");
	uint64_t gmask = (uint64_t)c.granule - 1;
	for (size_t i = 0; i < c.nregions; i++) {
		const struct iomm_vm_region *a = &c.regions[i];
		if (!region_ok(a, gmask))
			return IOMM_REFUSE(port, IOMM_EINVAL,
					   "cfg->regions: one is empty, unaligned, wrapping or "
					   "without access");
		for (size_t j = 0; j < i; j++) {
			const struct iomm_vm_region *b = &c.regions[j];
			if (a->gpa <= b->gpa + (b->size - 1) && b->gpa <= a->gpa + (a->size - 1))
				return IOMM_REFUSE(port, IOMM_EINVAL,
						   "cfg->regions: two overlap in guest-physical space");
		}
	}
	if (!c.features)
		c.features = VM_DEFAULT_FEATURES;
	c.features &= VM_KNOWN_FEATURES;
	if (!c.page_size_mask)
		c.page_size_mask = c.granule;
	if ((c.page_size_mask & (~c.page_size_mask + 1)) < c.granule)
		return IOMM_REFUSE(port, IOMM_EINVAL,
				   "cfg->page_size_mask: offers a page smaller than the granule");
	if (!c.input_start && !c.input_end)
		c.input_end = VM_DEFAULT_INPUT_END;
	if (c.input_end < c.input_start)
		return IOMM_REFUSE(port, IOMM_EINVAL, "cfg->input_end: below input_start");
	if (!c.domain_start && !c.domain_end)
		c.domain_end = UINT32_MAX;
	if (c.domain_end < c.domain_start)
		return IOMM_REFUSE(port, IOMM_EINVAL, "cfg->domain_end: below domain_start");
	if (!c.probe_size)
		c.probe_size = VM_DEFAULT_PROBE_SIZE;
	if (c.nresv > c.probe_size / IOMM_VIOMMU_RESV_SIZE)
		return IOMM_REFUSE(port, IOMM_EINVAL,
				   "cfg->nresv: more reserved regions than a PROBE reply holds");
	for (size_t i = 0; i < c.nresv; i++) {
		const struct iomm_vm_resv *a = &c.resv[i];
		if (a->end < a->start || a->subtype > IOMM_VIOMMU_RESV_T_MSI)
			return IOMM_REFUSE(port, IOMM_EINVAL,
					   "cfg->resv: end below start, or an unknown subtype");
		/* overlapping regions: a doorbell would be mapped twice */
		for (size_t j = 0; j < i; j++)
			if (a->start <= c.resv[j].end && c.resv[j].start <= a->end)
				return IOMM_REFUSE(port, IOMM_EINVAL, "cfg->resv: two regions overlap");
	}
	if (c.doorbell.pa) {
		/* The doorbell window: one granule at a fixed IOVA, which the guest
		 * can neither map over nor reach through A. */
		uint64_t db0 = c.doorbell.iova, db1 = c.doorbell.iova + gmask;
		if ((db0 & gmask) || db1 < db0 || db0 < c.input_start || db1 > c.input_end)
			return IOMM_REFUSE(port, IOMM_EINVAL,
					   "cfg->doorbell.iova: unaligned, or its page outside the "
					   "input range");
		for (size_t i = 0; i < c.nregions; i++) {
			const struct iomm_vm_region *r = &c.regions[i];
			if (db0 <= r->gpa + (r->size - 1) && r->gpa <= db1)
				return IOMM_REFUSE(port, IOMM_EINVAL,
						   "cfg->doorbell.iova: overlaps a region of A");
		}
		for (size_t i = 0; i < c.nresv; i++)
			if (db0 <= c.resv[i].end && c.resv[i].start <= db1)
				return IOMM_REFUSE(port, IOMM_EINVAL,
						   "cfg->doorbell.iova: overlaps a RESV_MEM region");
		if (c.nresv + 1 > c.probe_size / IOMM_VIOMMU_RESV_SIZE)
			return IOMM_REFUSE(port, IOMM_EINVAL,
					   "cfg->nresv: the doorbell's region does not fit a PROBE "
					   "reply");
	}
	if (c.policy != IOMM_VM_BLOCK && c.policy != IOMM_VM_CONFINE)
		return IOMM_REFUSE(port, IOMM_EINVAL, "cfg->policy: no such policy");

	for (size_t i = 0; i < c.nendpoints; i++)
		c.endpoints[i] = (struct iomm_vm_endpoint){0};
	for (size_t i = 0; i < c.ndomains; i++)
		c.domains[i] = (struct iomm_vm_gdom){0};
	for (size_t i = 0; i < c.nmappings; i++)
		c.mappings[i] = (struct iomm_vm_mapping){0};
	for (size_t i = 0; i < c.nirqs; i++)
		c.irqs[i] = (struct iomm_vm_irq){0};
	vm->cfg = c;
	for (unsigned u = 0; u < IOMM_VM_MAX_UNITS; u++) {
		vm->units[u].unit = NULL;
		vm->units[u].up = false;
	}
	vm->spare = (struct iomm_vm_gdom){0};
	vm->dropped = 0;
	vm->ev_head = 0;
	vm->ev_count = 0;
	vm->bypass = c.policy == IOMM_VM_CONFINE ? 1u : 0u;
	vm->up = true;
	return IOMM_OK;
}

const struct iomm_vm_region *iomm_vm_region_at(const struct iomm_vm *vm, uint64_t gpa)
{
	for (size_t i = 0; i < vm->cfg.nregions; i++) {
		const struct iomm_vm_region *r = &vm->cfg.regions[i];
		if (gpa >= r->gpa && gpa - r->gpa < r->size)
			return r;
	}
	return NULL;
}

bool iomm_vm_doorbell_window(const struct iomm_vm *vm, uint64_t *first, uint64_t *last)
{
	if (!vm->cfg.doorbell.pa)
		return false;
	*first = vm->cfg.doorbell.iova;
	*last = vm->cfg.doorbell.iova + ((uint64_t)vm->cfg.granule - 1);
	return true;
}

int iomm_vm_doorbell_map(const struct iomm_vm *vm, struct iomm_domain *d)
{
	if (!vm->cfg.doorbell.pa)
		return IOMM_OK;
	uint64_t page = vm->cfg.doorbell.pa & ~((uint64_t)vm->cfg.granule - 1);
	/* Write-only: an MSI is a write, and nothing of the interrupt
	 * controller is readable. Device memory (nGnRE), never cached. RISC-V
	 * tables have no write-only leaf (W without R is reserved), and a
	 * readable doorbell would widen what the VM gets: not supported there. */
	const uint32_t prot = IOMM_WRITE | IOMM_MEM_DEVICE;
	if (!pgt_prot_ok(&d->pgt, prot))
		return IOMM_REFUSE_AS(vm->cfg.pool->port, IOMM_ENOTSUP, "iomm_vm_assign",
				      "cfg->doorbell: the unit's stage-2 tables cannot map a "
				      "write-only page (RISC-V: use an MSI page table)");
	return iomm_map(d, vm->cfg.doorbell.iova, page, vm->cfg.granule, prot);
}

/*
 * The input range against a new unit's stage-2 domains (A's and the guest
 * domains' share their geometry): the first unit narrows input_end to what
 * it translates; a later unit must translate the whole range, which a
 * guest may already have read.
 */
static int input_fit(const struct iomm_vm *vm, const struct iomm_domain *d, uint64_t *in_end)
{
	if (!iomm_pgt_levels(&d->pgt) || !d->pgt.in_limit)
		return IOMM_OK; /* no local table: the unit checks */
	uint64_t last = d->pgt.in_limit - 1;
	bool first = true;
	for (unsigned u = 0; u < IOMM_VM_MAX_UNITS; u++)
		if (vm->units[u].up)
			first = false;
	if (*in_end <= last)
		return IOMM_OK;
	if (!first || vm->cfg.input_start > last)
		return IOMM_REFUSE_AS(vm->cfg.pool->port, IOMM_ERANGE, "iomm_vm_assign",
				      "unit: translates less of the input range than the VM offers");
	*in_end = last;
	return IOMM_OK;
}

/* The unit slot of @unit, creating A's domain on the first use. */
static int unit_slot(struct iomm_vm *vm, struct iomm_unit *unit, unsigned *idx)
{
	unsigned free_idx = IOMM_VM_MAX_UNITS;
	for (unsigned u = 0; u < IOMM_VM_MAX_UNITS; u++) {
		if (vm->units[u].up && vm->units[u].unit == unit) {
			*idx = u;
			return IOMM_OK;
		}
		if (!vm->units[u].up && free_idx == IOMM_VM_MAX_UNITS)
			free_idx = u;
	}
	if (free_idx == IOMM_VM_MAX_UNITS)
		return IOMM_ENOSPC;
	struct iomm_vm_unit *vu = &vm->units[free_idx];
	struct iomm_domain_cfg dc = {0};
	dc.type = IOMM_DOMAIN_S2;
	dc.granule = vm->cfg.granule;
	dc.pool = vm->cfg.pool;
	int rc = iomm_domain_init(&vu->a_dom, unit, &dc);
	if (rc)
		return rc;
	uint64_t in_end = vm->cfg.input_end;
	rc = input_fit(vm, &vu->a_dom, &in_end);
	for (size_t i = 0; i < vm->cfg.nregions && rc == IOMM_OK; i++) {
		const struct iomm_vm_region *r = &vm->cfg.regions[i];
		rc = iomm_map(&vu->a_dom, r->gpa, r->hpa, r->size, r->prot);
	}
	uint64_t db0, db1;
	if (rc == IOMM_OK && iomm_vm_doorbell_window(vm, &db0, &db1) && db1 > in_end)
		rc = IOMM_REFUSE_AS(vm->cfg.pool->port, IOMM_ERANGE, "iomm_vm_assign",
				    "cfg->doorbell.iova: beyond what the unit translates");
	if (rc == IOMM_OK)
		rc = iomm_vm_doorbell_map(vm, &vu->a_dom);
	if (rc == IOMM_OK) {
		struct iomm_domain_cfg bc = {0};
		bc.type = IOMM_DOMAIN_BLOCKED;
		rc = iomm_domain_init(&vu->blk_dom, unit, &bc);
	}
	if (rc) {
		(void)iomm_domain_destroy(&vu->a_dom);
		return rc;
	}
	vm->cfg.input_end = in_end;
	vu->unit = unit;
	vu->up = true;
	*idx = free_idx;
	return IOMM_OK;
}

struct iomm_domain *iomm_vm_policy_domain(struct iomm_vm *vm, const struct iomm_vm_endpoint *ep)
{
	struct iomm_vm_unit *vu = &vm->units[ep->unit];
	return (vm->bypass & 1u) ? &vu->a_dom : &vu->blk_dom;
}

/*
 * Move a device to @to. The two steps are separate hardware updates; in
 * between (and after a failure) the device's streams abort. After a failed
 * attach the device is claimed again by the blocked domain when possible.
 */
int iomm_vm_move(struct iomm_vm *vm, struct iomm_vm_endpoint *ep, struct iomm_domain *to)
{
	if (ep->dev.domain == to)
		return IOMM_OK;
	int rc;
	if (ep->dev.domain) {
		rc = iomm_detach(&ep->dev);
		if (rc)
			return rc;
	}
	rc = iomm_attach(to, &ep->dev);
	if (rc) {
		struct iomm_domain *blk = &vm->units[ep->unit].blk_dom;
		if (to != blk)
			(void)iomm_attach(blk, &ep->dev);
	}
	return rc;
}

int iomm_vm_policy_attach(struct iomm_vm *vm, struct iomm_vm_endpoint *ep)
{
	return iomm_vm_move(vm, ep, iomm_vm_policy_domain(vm, ep));
}

static struct iomm_vm_endpoint *find_ep(const struct iomm_vm *vm, uint32_t endpoint)
{
	for (size_t i = 0; i < vm->cfg.nendpoints; i++)
		if (vm->cfg.endpoints[i].used && vm->cfg.endpoints[i].id == endpoint)
			return &vm->cfg.endpoints[i];
	return NULL;
}

int iomm_vm_assign(struct iomm_vm *vm, struct iomm_unit *unit, const struct iomm_devid *id,
		   uint32_t endpoint)
{
	if (!vm || !vm->up || !unit || !id)
		/* through the VM's port, else the unit's (a VM not initialised) */
		return IOMM_REFUSE(vm && vm->up ? vm->cfg.pool->port : unit ? unit->port : NULL,
				   IOMM_EINVAL, "vm (initialised), unit, id: must not be NULL");
	uint32_t sid, mask;
	int rc = iomm_devid_resolve(id, &sid, &mask);
	if (rc)
		return IOMM_REFUSE(vm->cfg.pool->port, rc,
				   "id: unknown kind, or bus/dev/fn out of range");
	if (find_ep(vm, endpoint))
		return IOMM_EEXIST;
	struct iomm_vm_endpoint *slot = NULL;
	for (size_t i = 0; i < vm->cfg.nendpoints; i++) {
		struct iomm_vm_endpoint *e = &vm->cfg.endpoints[i];
		if (!e->used) {
			if (!slot)
				slot = e;
			continue;
		}
		if (e->dev.unit == unit && iomm_sids_overlap(e->dev.sid, e->dev.mask, sid, mask))
			return IOMM_EBUSY;
	}
	if (!slot)
		return IOMM_ENOSPC;
	unsigned u = 0;
	rc = unit_slot(vm, unit, &u);
	if (rc)
		return rc;
	struct iomm_vm_endpoint e = {0};
	rc = iomm_dev_init(&e.dev, unit, id);
	if (rc)
		return rc;
	e.id = endpoint;
	e.unit = (uint8_t)u;
	*slot = e;
	rc = iomm_attach(iomm_vm_policy_domain(vm, slot), &slot->dev);
	if (rc)
		return rc;
	slot->used = true;
	return IOMM_OK;
}

/* ---- interrupt entries ---- */

/* Whether @t is inside the VMM's destination policy for this VM. */
static bool irq_allowed(const struct iomm_vm *vm, const struct iomm_irq_cfg *t)
{
	const struct iomm_vm_irq_policy *p = &vm->cfg.irq_policy;
	if (t->delivery != IOMM_IRQ_FIXED && t->delivery != IOMM_IRQ_LOWEST)
		return false;
	if (t->flags & (IOMM_IRQ_LOGICAL | IOMM_IRQ_REDIRECT))
		return false;
	if (t->vector < p->vector_first || t->vector > p->vector_last)
		return false;
	for (size_t i = 0; i < p->ndests; i++)
		if (p->dests[i] == t->dest)
			return true;
	return false;
}

static struct iomm_vm_irq *irq_slot(const struct iomm_vm *vm, uint32_t handle)
{
	if (handle >= vm->cfg.nirqs || !vm->cfg.irqs[handle].used)
		return NULL;
	return &vm->cfg.irqs[handle];
}

int iomm_vm_irq_alloc(struct iomm_vm *vm, uint32_t endpoint, const struct iomm_irq_cfg *target,
		      struct iomm_msi_msg *msg, uint32_t *handle)
{
	if (!vm || !vm->up || !target || !msg || !handle)
		return refuse_vm(vm, "vm (initialised), target, msg, handle: must not be NULL");
	struct iomm_vm_endpoint *ep = find_ep(vm, endpoint);
	if (!ep)
		return IOMM_ENOENT;
	if (!irq_allowed(vm, target))
		return IOMM_EPERM;
	for (size_t i = 0; i < vm->cfg.nirqs; i++) {
		struct iomm_vm_irq *s = &vm->cfg.irqs[i];
		if (s->used)
			continue;
		s->irq = (struct iomm_irq){0};
		int rc = iomm_irq_alloc(ep->dev.unit, &ep->dev, target, &s->irq, msg);
		if (rc)
			return rc;
		s->endpoint = endpoint;
		s->used = true;
		*handle = (uint32_t)i;
		return IOMM_OK;
	}
	return IOMM_ENOSPC; /* the VM's quota */
}

int iomm_vm_irq_update(struct iomm_vm *vm, uint32_t handle, const struct iomm_irq_cfg *target)
{
	if (!vm || !vm->up || !target)
		return refuse_vm(vm, "vm (initialised), target: must not be NULL");
	struct iomm_vm_irq *s = irq_slot(vm, handle);
	if (!s)
		return IOMM_ENOENT;
	if (!irq_allowed(vm, target))
		return IOMM_EPERM;
	return iomm_irq_update(&s->irq, target);
}

int iomm_vm_irq_free(struct iomm_vm *vm, uint32_t handle)
{
	if (!vm || !vm->up)
		return refuse_vm(vm, "vm: NULL or not initialised");
	struct iomm_vm_irq *s = irq_slot(vm, handle);
	if (!s)
		return IOMM_ENOENT;
	int rc = iomm_irq_free(&s->irq);
	if (rc == IOMM_OK)
		s->used = false;
	return rc;
}

/* Free and invalidate every interrupt entry of @endpoint; the first error. */
static int irqs_release(struct iomm_vm *vm, uint32_t endpoint)
{
	int first = IOMM_OK;
	for (size_t i = 0; i < vm->cfg.nirqs; i++) {
		struct iomm_vm_irq *s = &vm->cfg.irqs[i];
		if (!s->used || s->endpoint != endpoint)
			continue;
		int rc = iomm_irq_free(&s->irq);
		if (rc == IOMM_OK)
			s->used = false;
		else if (first == IOMM_OK)
			first = rc;
	}
	return first;
}

int iomm_vm_unassign(struct iomm_vm *vm, uint32_t endpoint)
{
	if (!vm || !vm->up)
		return refuse_vm(vm, "vm: NULL or not initialised");
	struct iomm_vm_endpoint *ep = find_ep(vm, endpoint);
	if (!ep)
		return IOMM_ENOENT;
	/* Its interrupts first: blocked and invalidated before anything else
	 * can reuse the entries (unconfirmed: the device stays assigned). */
	int irc = irqs_release(vm, endpoint);
	if (irc)
		return irc;
	if (ep->gdom) {
		int rc = iomm_vm_ep_leave(vm, ep);
		if (rc && ep->gdom)
			return rc; /* not detached from its guest domain */
	}
	if (ep->dev.domain) {
		int rc = iomm_detach(&ep->dev);
		if (rc)
			return rc;
	}
	ep->used = false;
	return IOMM_OK;
}

int iomm_vm_destroy(struct iomm_vm *vm)
{
	if (!vm || !vm->up)
		return refuse_vm(vm, "vm: NULL or not initialised");
	int first = IOMM_OK;
	for (size_t i = 0; i < vm->cfg.nendpoints; i++) {
		struct iomm_vm_endpoint *ep = &vm->cfg.endpoints[i];
		if (!ep->used)
			continue;
		int rc = iomm_vm_unassign(vm, ep->id);
		if (rc && first == IOMM_OK)
			first = rc;
	}
	/* Guest domains went with their last endpoint. The VM's own domains
	 * stay while a device that could not be unassigned may use them. */
	if (first)
		return first;
	for (unsigned u = 0; u < IOMM_VM_MAX_UNITS; u++) {
		struct iomm_vm_unit *vu = &vm->units[u];
		if (!vu->up)
			continue;
		/* No device uses them now. An unconfirmed teardown is reported,
		 * but the domains are gone all the same (their pages held back). */
		int rc = iomm_domain_destroy(&vu->a_dom);
		int rc2 = iomm_domain_destroy(&vu->blk_dom);
		if (rc == IOMM_OK)
			rc = rc2;
		if (rc && first == IOMM_OK)
			first = rc;
		vu->up = false;
	}
	if (first == IOMM_OK)
		vm->up = false;
	return first;
}

int iomm_vm_walk(const struct iomm_vm *vm, uint32_t endpoint, iomm_walk_fn fn, void *arg)
{
	if (!vm || !vm->up || !fn)
		return refuse_vm(vm, "vm (initialised), fn: must not be NULL");
	const struct iomm_vm_endpoint *ep = find_ep(vm, endpoint);
	if (!ep)
		return IOMM_ENOENT;
	const struct iomm_domain *d = ep->dev.domain;
	if (!d || d->type != IOMM_DOMAIN_S2)
		return IOMM_OK;
	return iomm_pgt_walk(&d->pgt, 0, 0, fn, arg);
}

/* A leaf is contained if its output range lies in one region of A and its
 * access permissions are no wider than that region's. */
static int audit_leaf(void *arg, const struct iomm_mapping *m)
{
	const struct iomm_vm *vm = arg;
	uint32_t acc = m->prot & IOMM_PROT_ACCESS;
	uint64_t db0, db1;
	if (iomm_vm_doorbell_window(vm, &db0, &db1) && m->iova <= db1 &&
	    db0 <= m->iova + (m->size - 1)) {
		/* The doorbell page, nothing more: at its IOVA, write-only, device memory. */
		uint64_t page = vm->cfg.doorbell.pa & ~((uint64_t)vm->cfg.granule - 1);
		bool exact = m->iova >= db0 && m->iova + (m->size - 1) <= db1 &&
			     m->pa == page + (m->iova - db0) && acc == IOMM_WRITE &&
			     (m->prot & IOMM_MEM_MASK) == IOMM_MEM_DEVICE;
		return exact ? IOMM_OK : IOMM_EPERM;
	}
	for (size_t i = 0; i < vm->cfg.nregions; i++) {
		const struct iomm_vm_region *r = &vm->cfg.regions[i];
		if (m->pa >= r->hpa && m->pa - r->hpa < r->size &&
		    m->size <= r->size - (m->pa - r->hpa) &&
		    (acc & ~(r->prot & (IOMM_READ | IOMM_WRITE))) == 0)
			return IOMM_OK;
	}
	return IOMM_EPERM;
}

int iomm_vm_audit(const struct iomm_vm *vm)
{
	if (!vm || !vm->up)
		return refuse_vm(vm, "vm: NULL or not initialised");
	for (unsigned u = 0; u < IOMM_VM_MAX_UNITS; u++) {
		if (!vm->units[u].up)
			continue;
		int rc =
		    iomm_pgt_walk(&vm->units[u].a_dom.pgt, 0, 0, audit_leaf, (void *)(uintptr_t)vm);
		if (rc)
			return IOMM_EPERM;
	}
	for (size_t i = 0; i <= vm->cfg.ndomains; i++) {
		const struct iomm_vm_gdom *g = i < vm->cfg.ndomains ? &vm->cfg.domains[i] : &vm->spare;
		if (!g->used || g->bypass)
			continue;
		int rc = iomm_pgt_walk(&g->real.pgt, 0, 0, audit_leaf, (void *)(uintptr_t)vm);
		if (rc)
			return IOMM_EPERM;
	}
	return IOMM_OK;
}

/* ---- faults ---- */

int iomm_vm_fault_route(struct iomm_vm *vm, const struct iomm_unit *unit,
			const struct iomm_fault *fault)
{
	if (!vm || !vm->up || !unit || !fault)
		return refuse_vm(vm, "vm (initialised), unit, fault: must not be NULL");
	const struct iomm_vm_endpoint *ep = NULL;
	for (size_t i = 0; i < vm->cfg.nendpoints && !ep; i++) {
		const struct iomm_vm_endpoint *e = &vm->cfg.endpoints[i];
		if (e->used && e->dev.unit == unit &&
		    iomm_sids_overlap(e->dev.sid, e->dev.mask, fault->sid, 0))
			ep = e;
	}
	if (!ep)
		return IOMM_ENOENT;
	uint8_t reason = IOMM_VIOMMU_FAULT_R_UNKNOWN;
	uint32_t flags = 0;
	switch (fault->reason) {
	case IOMM_FAULT_TRANSLATION:
	case IOMM_FAULT_PERMISSION:
	case IOMM_FAULT_ACCESS_FLAG:
	case IOMM_FAULT_ADDR_SIZE:
		reason = IOMM_VIOMMU_FAULT_R_MAPPING;
		flags |= IOMM_VIOMMU_FAULT_F_ADDRESS;
		break;
	case IOMM_FAULT_ABORT:
	case IOMM_FAULT_BAD_STREAM:
	case IOMM_FAULT_BAD_CONFIG:
		reason = IOMM_VIOMMU_FAULT_R_DOMAIN;
		break;
	default:
		break;
	}
	if (fault->flags & IOMM_FAULT_READ)
		flags |= IOMM_VIOMMU_FAULT_F_READ;
	if (fault->flags & IOMM_FAULT_WRITE)
		flags |= IOMM_VIOMMU_FAULT_F_WRITE;
	if (fault->flags & IOMM_FAULT_EXEC)
		flags |= IOMM_VIOMMU_FAULT_F_EXEC;
	if (vm->ev_count >= vm->cfg.nevents) {
		vm->dropped++;
		return IOMM_EOVERFLOW;
	}
	size_t at = (vm->ev_head + vm->ev_count) % vm->cfg.nevents;
	uint8_t *b = vm->cfg.events[at].bytes;
	for (unsigned i = 0; i < IOMM_VIOMMU_FAULT_SIZE; i++)
		b[i] = 0;
	b[IOMM_VIOMMU_FAULT_REASON] = reason;
	iomm_put_le32(b + IOMM_VIOMMU_FAULT_FLAGS, flags);
	iomm_put_le32(b + IOMM_VIOMMU_FAULT_ENDPOINT, ep->id);
	if (flags & IOMM_VIOMMU_FAULT_F_ADDRESS)
		iomm_put_le64(b + IOMM_VIOMMU_FAULT_ADDRESS, fault->addr);
	vm->ev_count++;
	return IOMM_OK;
}

int iomm_viommu_dev_next_event(struct iomm_vm *vm, void *buf, size_t len)
{
	if (!vm || !vm->up || !buf || len < IOMM_VIOMMU_FAULT_SIZE)
		return refuse_vm(vm, "vm (initialised), buf: NULL, or len below IOMM_VIOMMU_FAULT_SIZE");
	if (!vm->ev_count)
		return 0;
	const uint8_t *s = vm->cfg.events[vm->ev_head].bytes;
	uint8_t *d = buf;
	for (unsigned i = 0; i < IOMM_VIOMMU_FAULT_SIZE; i++)
		d[i] = s[i];
	vm->ev_head = (vm->ev_head + 1) % vm->cfg.nevents;
	vm->ev_count--;
	return (int)IOMM_VIOMMU_FAULT_SIZE;
}

uint64_t iomm_viommu_dev_events_dropped(const struct iomm_vm *vm)
{
	return vm ? vm->dropped : 0;
}
