/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The host role's virtio-iommu device model, on top of real units.
 * A pure function of (VM state, request bytes) -> (response bytes, new
 * state); the status table is in vm.h. Every request is copied once into a
 * private buffer, fully validated, and only then applied.
 */
#include <iommuman/vm.h>

#include "iomm_internal.h"
#include "host_internal.h"

#define F(vm, bit) (((vm)->cfg.features >> (bit)) & 1u)

/* Longest device-readable part of any request: PROBE's. */
#define REQ_MAX IOMM_VIOMMU_PROBE_PROPS

static struct iomm_vm_endpoint *ep_find(struct iomm_vm *vm, uint32_t id)
{
	for (size_t i = 0; i < vm->cfg.nendpoints; i++)
		if (vm->cfg.endpoints[i].used && vm->cfg.endpoints[i].id == id)
			return &vm->cfg.endpoints[i];
	return NULL;
}

/*
 * Guest-domain storage: the caller's array (its length is the quota) plus
 * one spare slot in the VM, so that an ATTACH moving the only endpoint of
 * a domain at full quota can build the new domain before the old one goes
 * (DETACH then ATTACH, as the specification describes, with nothing
 * changed if it fails). At most ndomains slots are in use between requests.
 * A domain's tag is its slot index + 1; the spare's is ndomains + 1.
 */
static struct iomm_vm_gdom *gdom_slot(struct iomm_vm *vm, size_t i)
{
	return i < vm->cfg.ndomains ? &vm->cfg.domains[i] : &vm->spare;
}

static struct iomm_vm_gdom *gdom_find(struct iomm_vm *vm, uint32_t id)
{
	for (size_t i = 0; i <= vm->cfg.ndomains; i++) {
		struct iomm_vm_gdom *g = gdom_slot(vm, i);
		if (g->used && g->id == id)
			return g;
	}
	return NULL;
}

static uint32_t gdom_tag(const struct iomm_vm *vm, const struct iomm_vm_gdom *g)
{
	if (g == &vm->spare)
		return (uint32_t)vm->cfg.ndomains + 1u;
	return (uint32_t)(g - vm->cfg.domains) + 1u;
}

static struct iomm_vm_gdom *gdom_of(struct iomm_vm *vm, const struct iomm_vm_endpoint *ep)
{
	return ep->gdom ? gdom_slot(vm, ep->gdom - 1u) : NULL;
}

/* A free slot for a new guest domain of @ep, or NULL when the quota is
 * spent. At full quota a slot is granted only if the endpoint's current
 * domain goes when it leaves (it is that domain's only endpoint). */
static struct iomm_vm_gdom *gdom_new_slot(struct iomm_vm *vm, struct iomm_vm_endpoint *ep)
{
	struct iomm_vm_gdom *free_slot = NULL;
	size_t live = 0;
	for (size_t i = 0; i <= vm->cfg.ndomains; i++) {
		struct iomm_vm_gdom *g = gdom_slot(vm, i);
		if (g->used)
			live++;
		else if (!free_slot)
			free_slot = g;
	}
	const struct iomm_vm_gdom *old = gdom_of(vm, ep);
	if (live >= vm->cfg.ndomains && !(old && old->nep == 1))
		return NULL;
	return free_slot;
}

static int leaf_found(void *arg, const struct iomm_mapping *m)
{
	(void)arg;
	(void)m;
	return 1;
}

/*
 * Give back the intermediate tables around @addr that hold no mapping any
 * more. After an unmap of a range, the tables lying wholly inside it are
 * freed by the page-table engine; those that also cover addresses outside
 * it contain its first or last address. For each table level (smallest
 * span first) the aligned span holding @addr is checked for leaves; the
 * largest empty one is unmapped as a whole, which frees every table lying
 * in it. Spans only grow, so the first non-empty one ends the search.
 */
static int reclaim_at(struct iomm_vm *vm, struct iomm_domain *d, uint64_t addr)
{
	unsigned levels = iomm_pgt_levels(&d->pgt);
	if (levels < 2)
		return IOMM_OK; /* no local table (or a single level) */
	unsigned gshift = 0;
	while ((1ull << gshift) < vm->cfg.granule)
		gshift++;
	unsigned bits = gshift - 3u;
	uint64_t best = 0;
	for (unsigned k = 1; k < levels; k++) {
		unsigned sh = gshift + bits * k;
		if (sh >= 64 || (1ull << sh) >= d->pgt.in_limit)
			break;
		uint64_t span = 1ull << sh;
		uint64_t base = addr & ~(span - 1);
		if (iomm_pgt_walk(&d->pgt, base, span, leaf_found, NULL))
			break;
		best = span;
	}
	if (!best)
		return IOMM_OK;
	return iomm_unmap(d, addr & ~(best - 1), best, NULL);
}

/* The input limit of a guest domain's table (UINT64_MAX: no local table). */
static uint64_t gdom_last_iova(const struct iomm_vm_gdom *g)
{
	if (!iomm_pgt_levels(&g->real.pgt) || !g->real.pgt.in_limit)
		return UINT64_MAX;
	return g->real.pgt.in_limit - 1;
}

/* Destroy a guest domain that no endpoint uses: its mappings go, its real
 * domain is torn down (the backend invalidates everything tagged with it). */
static int gdom_destroy(struct iomm_vm *vm, struct iomm_vm_gdom *g)
{
	uint32_t tag = gdom_tag(vm, g);
	for (size_t i = 0; i < vm->cfg.nmappings; i++)
		if (vm->cfg.mappings[i].gdom == tag)
			vm->cfg.mappings[i].gdom = 0;
	int rc = IOMM_OK;
	if (!g->bypass)
		rc = iomm_domain_destroy(&g->real);
	g->used = false;
	g->nep = 0;
	return rc;
}

int iomm_vm_ep_leave(struct iomm_vm *vm, struct iomm_vm_endpoint *ep)
{
	struct iomm_vm_gdom *g = gdom_of(vm, ep);
	const struct iomm_domain *was = ep->dev.domain;
	int rc = iomm_vm_policy_attach(vm, ep);
	if (!g)
		return rc;
	if (rc && ep->dev.domain == was)
		return rc; /* not detached: it stays in its guest domain */
	ep->gdom = 0;
	if (--g->nep == 0) {
		int rc2 = gdom_destroy(vm, g);
		if (rc == IOMM_OK)
			rc = rc2;
	}
	return rc;
}

/* Memory type of a piece: device memory if the guest asks for MMIO or the
 * host region is device memory; otherwise the host region's type. */
static uint32_t piece_prot(const struct iomm_vm_region *r, uint32_t access, bool mmio)
{
	uint32_t mem = r->prot & IOMM_MEM_MASK;
	if (mmio)
		mem = IOMM_MEM_DEVICE;
	return access | mem;
}

/* Map the MSI doorbells into a new real domain so that they keep working:
 * the platform's doorbell page (iomm_vm_cfg::doorbell) at its fixed IOVA,
 * write-only device memory; and RESV_MEM MSI regions that lie in one region
 * of A (a doorbell the VMM provides in guest-physical space), through A. */
static int map_doorbells(struct iomm_vm *vm, struct iomm_domain *d)
{
	int drc = iomm_vm_doorbell_map(vm, d);
	if (drc)
		return drc;
	uint64_t gmask = (uint64_t)vm->cfg.granule - 1;
	for (size_t i = 0; i < vm->cfg.nresv; i++) {
		const struct iomm_vm_resv *rv = &vm->cfg.resv[i];
		if (rv->subtype != IOMM_VIOMMU_RESV_T_MSI || (rv->start & gmask) ||
		    ((rv->end + 1) & gmask) || rv->end + 1 == 0)
			continue;
		const struct iomm_vm_region *r = iomm_vm_region_at(vm, rv->start);
		uint64_t size = rv->end - rv->start + 1;
		if (!r || size > r->size - (rv->start - r->gpa))
			continue;
		int rc = iomm_map(d, rv->start, r->hpa + (rv->start - r->gpa), size, r->prot);
		if (rc)
			return rc;
	}
	return IOMM_OK;
}

/* ---- ATTACH ---- */

static uint8_t do_attach(struct iomm_vm *vm, const uint8_t *r)
{
	uint32_t domain = iomm_get_le32(r + IOMM_VIOMMU_ATTACH_DOMAIN);
	uint32_t endpoint = iomm_get_le32(r + IOMM_VIOMMU_ATTACH_ENDPOINT);
	uint32_t flags = iomm_get_le32(r + IOMM_VIOMMU_ATTACH_FLAGS);
	if (iomm_get_le32(r + IOMM_VIOMMU_ATTACH_FLAGS + 4))
		return IOMM_VIOMMU_S_INVAL;
	uint32_t known = F(vm, IOMM_VIOMMU_F_BYPASS_CONFIG) ? IOMM_VIOMMU_ATTACH_F_BYPASS : 0u;
	if (flags & ~known)
		return IOMM_VIOMMU_S_INVAL;
	bool bypass = (flags & IOMM_VIOMMU_ATTACH_F_BYPASS) != 0;
	struct iomm_vm_endpoint *ep = ep_find(vm, endpoint);
	if (!ep)
		return IOMM_VIOMMU_S_NOENT;
	if (domain < vm->cfg.domain_start || domain > vm->cfg.domain_end)
		return IOMM_VIOMMU_S_RANGE;
	struct iomm_vm_gdom *g = gdom_find(vm, domain);
	bool created = false;
	if (g) {
		if (g->bypass != bypass)
			return IOMM_VIOMMU_S_INVAL;
		if (!g->bypass && g->unit != ep->unit)
			return IOMM_VIOMMU_S_UNSUPP;
		if (gdom_of(vm, ep) == g)
			return IOMM_VIOMMU_S_OK;
	} else {
		g = gdom_new_slot(vm, ep);
		if (!g)
			return IOMM_VIOMMU_S_NOMEM;
		if (!bypass) {
			struct iomm_domain_cfg dc = {0};
			dc.type = IOMM_DOMAIN_S2;
			dc.granule = vm->cfg.granule;
			dc.pool = vm->cfg.pool;
			int rc = iomm_domain_init(&g->real, vm->units[ep->unit].unit, &dc);
			if (rc)
				return rc == IOMM_ENOMEM || rc == IOMM_ENOSPC
					   ? IOMM_VIOMMU_S_NOMEM
					   : IOMM_VIOMMU_S_DEVERR;
			rc = map_doorbells(vm, &g->real);
			if (rc) {
				(void)iomm_domain_destroy(&g->real);
				return iomm_viommu_status_from_rc(rc);
			}
		}
		g->id = domain;
		g->unit = ep->unit;
		g->bypass = bypass;
		g->nep = 0;
		g->used = true;
		created = true;
	}
	struct iomm_domain *to = g->bypass ? &vm->units[ep->unit].a_dom : &g->real;
	struct iomm_vm_gdom *old = gdom_of(vm, ep);
	const struct iomm_domain *was = ep->dev.domain;
	int rc = iomm_vm_move(vm, ep, to);
	if (rc) {
		/* Not detached: the device stays recorded where it was. Otherwise
		 * it is blocked now: it left its old domain. */
		if (old && ep->dev.domain != was) {
			ep->gdom = 0;
			if (--old->nep == 0)
				(void)gdom_destroy(vm, old);
		}
		if (created)
			(void)gdom_destroy(vm, g);
		return IOMM_VIOMMU_S_DEVERR;
	}
	if (old && --old->nep == 0)
		(void)gdom_destroy(vm, old);
	ep->gdom = gdom_tag(vm, g);
	g->nep++;
	return IOMM_VIOMMU_S_OK;
}

/* ---- DETACH ---- */

static uint8_t do_detach(struct iomm_vm *vm, const uint8_t *r)
{
	uint32_t domain = iomm_get_le32(r + IOMM_VIOMMU_DETACH_DOMAIN);
	uint32_t endpoint = iomm_get_le32(r + IOMM_VIOMMU_DETACH_ENDPOINT);
	/* reserved bytes: ignored, as the specification requires */
	struct iomm_vm_endpoint *ep = ep_find(vm, endpoint);
	if (!ep)
		return IOMM_VIOMMU_S_NOENT;
	struct iomm_vm_gdom *g = gdom_find(vm, domain);
	if (!g || gdom_of(vm, ep) != g)
		return IOMM_VIOMMU_S_INVAL;
	return iomm_vm_ep_leave(vm, ep) ? IOMM_VIOMMU_S_DEVERR : IOMM_VIOMMU_S_OK;
}

/* ---- MAP ---- */

static bool overlaps(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
	return a0 <= b1 && b0 <= a1;
}

/* The guest domain a MAP or UNMAP of [vs, ve] addresses, or the status that refuses it. */
static uint8_t range_domain(struct iomm_vm *vm, uint32_t domain, uint64_t vs, uint64_t ve,
			    struct iomm_vm_gdom **gp)
{
	if (ve < vs)
		return IOMM_VIOMMU_S_INVAL;
	if (domain < vm->cfg.domain_start || domain > vm->cfg.domain_end)
		return IOMM_VIOMMU_S_RANGE;
	struct iomm_vm_gdom *g = gdom_find(vm, domain);
	if (!g)
		return IOMM_VIOMMU_S_NOENT;
	if (g->bypass)
		return IOMM_VIOMMU_S_INVAL;
	*gp = g;
	return IOMM_VIOMMU_S_OK;
}

static uint8_t do_map(struct iomm_vm *vm, const uint8_t *r)
{
	if (!F(vm, IOMM_VIOMMU_F_MAP_UNMAP))
		return IOMM_VIOMMU_S_UNSUPP;
	uint32_t domain = iomm_get_le32(r + IOMM_VIOMMU_MAP_DOMAIN);
	uint64_t vs = iomm_get_le64(r + IOMM_VIOMMU_MAP_VIRT_START);
	uint64_t ve = iomm_get_le64(r + IOMM_VIOMMU_MAP_VIRT_END);
	uint64_t ps = iomm_get_le64(r + IOMM_VIOMMU_MAP_PHYS_START);
	uint32_t flags = iomm_get_le32(r + IOMM_VIOMMU_MAP_FLAGS);
	uint32_t known = IOMM_VIOMMU_MAP_F_READ | IOMM_VIOMMU_MAP_F_WRITE |
			 (F(vm, IOMM_VIOMMU_F_MMIO) ? IOMM_VIOMMU_MAP_F_MMIO : 0u);
	if ((flags & ~known) || !(flags & (IOMM_VIOMMU_MAP_F_READ | IOMM_VIOMMU_MAP_F_WRITE)))
		return IOMM_VIOMMU_S_INVAL;
	struct iomm_vm_gdom *g = NULL;
	uint8_t st = range_domain(vm, domain, vs, ve, &g);
	if (st != IOMM_VIOMMU_S_OK)
		return st;
	uint64_t pmask = (vm->cfg.page_size_mask & (~vm->cfg.page_size_mask + 1)) - 1;
	if ((vs & pmask) || (ps & pmask) || ((ve + 1) & pmask))
		return IOMM_VIOMMU_S_RANGE;
	if (vs < vm->cfg.input_start || ve > vm->cfg.input_end || ve > gdom_last_iova(g))
		return IOMM_VIOMMU_S_RANGE;
	uint64_t size = ve - vs + 1;
	if (!size || ps + (size - 1) < ps)
		return IOMM_VIOMMU_S_RANGE;
	for (size_t i = 0; i < vm->cfg.nresv; i++)
		if (overlaps(vs, ve, vm->cfg.resv[i].start, vm->cfg.resv[i].end))
			return IOMM_VIOMMU_S_FAULT;
	uint64_t db0, db1;
	if (iomm_vm_doorbell_window(vm, &db0, &db1) && overlaps(vs, ve, db0, db1))
		return IOMM_VIOMMU_S_FAULT; /* the doorbell stays the doorbell */
	uint32_t tag = gdom_tag(vm, g);
	struct iomm_vm_mapping *slot = NULL;
	for (size_t i = 0; i < vm->cfg.nmappings; i++) {
		struct iomm_vm_mapping *m = &vm->cfg.mappings[i];
		if (m->gdom == tag && overlaps(vs, ve, m->iova, m->last))
			return IOMM_VIOMMU_S_INVAL;
		if (!m->gdom && !slot)
			slot = m;
	}
	/* The guest-physical range must lie in A, piece by piece, with no
	 * wider permissions than each region grants. */
	uint32_t access = ((flags & IOMM_VIOMMU_MAP_F_READ) ? IOMM_READ : 0u) |
			  ((flags & IOMM_VIOMMU_MAP_F_WRITE) ? IOMM_WRITE : 0u);
	for (uint64_t off = 0; off < size;) {
		const struct iomm_vm_region *reg = iomm_vm_region_at(vm, ps + off);
		if (!reg)
			return IOMM_VIOMMU_S_RANGE;
		if (access & ~reg->prot)
			return IOMM_VIOMMU_S_INVAL;
		uint64_t left = reg->size - (ps + off - reg->gpa);
		off += left < size - off ? left : size - off;
	}
	if (!slot)
		return IOMM_VIOMMU_S_NOMEM;
	bool mmio = (flags & IOMM_VIOMMU_MAP_F_MMIO) != 0;
	uint64_t off = 0;
	int rc = IOMM_OK;
	while (off < size) {
		const struct iomm_vm_region *reg = iomm_vm_region_at(vm, ps + off);
		uint64_t in = ps + off - reg->gpa;
		uint64_t left = reg->size - in;
		uint64_t piece = left < size - off ? left : size - off;
		rc = iomm_map(&g->real, vs + off, reg->hpa + in, piece,
			      piece_prot(reg, access, mmio));
		if (rc)
			break;
		off += piece;
	}
	if (rc) {
		/* Roll back: the pieces mapped so far, then the tables they
		 * created (those not wholly inside them hold one of their ends). */
		if (off) {
			(void)iomm_unmap(&g->real, vs, off, NULL);
			(void)reclaim_at(vm, &g->real, vs);
			(void)reclaim_at(vm, &g->real, vs + (off - 1));
		}
		return iomm_viommu_status_from_rc(rc);
	}
	slot->iova = vs;
	slot->last = ve;
	slot->gpa = ps;
	slot->flags = flags;
	slot->gdom = tag;
	return IOMM_VIOMMU_S_OK;
}

/* ---- UNMAP ---- */

static uint8_t do_unmap(struct iomm_vm *vm, const uint8_t *r)
{
	if (!F(vm, IOMM_VIOMMU_F_MAP_UNMAP))
		return IOMM_VIOMMU_S_UNSUPP;
	uint32_t domain = iomm_get_le32(r + IOMM_VIOMMU_UNMAP_DOMAIN);
	uint64_t vs = iomm_get_le64(r + IOMM_VIOMMU_UNMAP_VIRT_START);
	uint64_t ve = iomm_get_le64(r + IOMM_VIOMMU_UNMAP_VIRT_END);
	if (iomm_get_le32(r + IOMM_VIOMMU_UNMAP_VIRT_END + 8))
		return IOMM_VIOMMU_S_INVAL; /* and nothing is unmapped */
	struct iomm_vm_gdom *g = NULL;
	uint8_t st = range_domain(vm, domain, vs, ve, &g);
	if (st != IOMM_VIOMMU_S_OK)
		return st;
	uint32_t tag = gdom_tag(vm, g);
	for (size_t i = 0; i < vm->cfg.nmappings; i++) {
		const struct iomm_vm_mapping *m = &vm->cfg.mappings[i];
		if (m->gdom == tag && overlaps(vs, ve, m->iova, m->last) &&
		    (m->iova < vs || m->last > ve))
			return IOMM_VIOMMU_S_RANGE;
	}
	for (size_t i = 0; i < vm->cfg.nmappings; i++) {
		struct iomm_vm_mapping *m = &vm->cfg.mappings[i];
		if (m->gdom != tag || !overlaps(vs, ve, m->iova, m->last))
			continue;
		int rc = iomm_unmap(&g->real, m->iova, m->last - m->iova + 1, NULL);
		m->gdom = 0; /* gone from the table even when not confirmed */
		/* the table pages a guest holds measure what it has mapped now */
		if (rc == IOMM_OK)
			rc = reclaim_at(vm, &g->real, m->iova);
		if (rc == IOMM_OK)
			rc = reclaim_at(vm, &g->real, m->last);
		if (rc)
			st = IOMM_VIOMMU_S_DEVERR;
	}
	return st;
}

/* ---- PROBE ---- */

/* One RESV_MEM property (virtio 1.2, virtio-iommu device, PROBE request: RESVMEM). */
static void put_resv(uint8_t *p, uint64_t start, uint64_t end, uint8_t subtype)
{
	iomm_put_le16(p, IOMM_VIOMMU_PROP_RESV_MEM);
	iomm_put_le16(p + 2, IOMM_VIOMMU_RESV_SIZE - IOMM_VIOMMU_PROP_HEAD_SIZE);
	p[IOMM_VIOMMU_RESV_SUBTYPE] = subtype;
	iomm_put_le64(p + IOMM_VIOMMU_RESV_START, start);
	iomm_put_le64(p + IOMM_VIOMMU_RESV_END, end);
}

static uint8_t do_probe(struct iomm_vm *vm, const uint8_t *r, uint8_t *props, size_t props_len)
{
	uint32_t endpoint = iomm_get_le32(r + IOMM_VIOMMU_PROBE_ENDPOINT);
	/* 64 reserved bytes: ignored, as the specification requires */
	if (!ep_find(vm, endpoint))
		return IOMM_VIOMMU_S_NOENT;
	if (props_len < vm->cfg.probe_size)
		return IOMM_VIOMMU_S_INVAL;
	size_t at = 0;
	uint64_t db0, db1;
	if (iomm_vm_doorbell_window(vm, &db0, &db1)) {
		/* exactly the doorbell window the device's tables map */
		put_resv(props, db0, db1, IOMM_VIOMMU_RESV_T_MSI);
		at += IOMM_VIOMMU_RESV_SIZE;
	}
	for (size_t i = 0; i < vm->cfg.nresv; i++, at += IOMM_VIOMMU_RESV_SIZE) {
		const struct iomm_vm_resv *rv = &vm->cfg.resv[i];
		put_resv(props + at, rv->start, rv->end, rv->subtype);
	}
	return IOMM_VIOMMU_S_OK;
}

/* ---- entry points ---- */

int iomm_viommu_dev_handle(struct iomm_vm *vm, const void *req, size_t req_len, void *resp,
			   size_t resp_len, size_t *used)
{
	if (!vm || !vm->up || !used || (!req && req_len) || (!resp && resp_len))
		return refuse_vm(vm, "vm (initialised), used, req, resp: NULL (req/resp only with a length)");
	*used = 0;
	uint8_t r[REQ_MAX];
	size_t n = req_len < REQ_MAX ? req_len : REQ_MAX;
	const uint8_t *src = req;
	for (size_t i = 0; i < n; i++)
		r[i] = src[i];
	for (size_t i = n; i < REQ_MAX; i++)
		r[i] = 0;
	if (n < 1)
		return IOMM_OK; /* no type: cannot answer */
	size_t need;
	switch (r[0]) {
	case IOMM_VIOMMU_T_ATTACH:
		need = IOMM_VIOMMU_ATTACH_SIZE - IOMM_VIOMMU_TAIL_SIZE;
		break;
	case IOMM_VIOMMU_T_DETACH:
		need = IOMM_VIOMMU_DETACH_SIZE - IOMM_VIOMMU_TAIL_SIZE;
		break;
	case IOMM_VIOMMU_T_MAP:
		need = IOMM_VIOMMU_MAP_SIZE - IOMM_VIOMMU_TAIL_SIZE;
		break;
	case IOMM_VIOMMU_T_UNMAP:
		need = IOMM_VIOMMU_UNMAP_SIZE - IOMM_VIOMMU_TAIL_SIZE;
		break;
	case IOMM_VIOMMU_T_PROBE:
		if (!F(vm, IOMM_VIOMMU_F_PROBE))
			return IOMM_OK;
		need = IOMM_VIOMMU_PROBE_PROPS;
		break;
	default:
		return IOMM_OK; /* unknown type: used length 0 */
	}
	if (resp_len < IOMM_VIOMMU_TAIL_SIZE)
		return IOMM_OK; /* no tail to write */
	/* The tail goes where the specification's layout puts it: after
	 * probe_size bytes of properties for PROBE, first for the others. A
	 * PROBE buffer too short for that layout gets its tail (S_INVAL) in
	 * its last four bytes, the only place there is. Every other byte of
	 * the device-writable part is written as zero. */
	uint8_t *w = resp;
	size_t layout = r[0] == IOMM_VIOMMU_T_PROBE ? vm->cfg.probe_size : 0;
	size_t props_len = resp_len - IOMM_VIOMMU_TAIL_SIZE;
	if (props_len > layout)
		props_len = layout;
	for (size_t i = 0; i < resp_len; i++)
		w[i] = 0;
	uint8_t st;
	if (n < need) {
		st = IOMM_VIOMMU_S_IOERR;
	} else {
		switch (r[0]) {
		case IOMM_VIOMMU_T_ATTACH:
			st = do_attach(vm, r);
			break;
		case IOMM_VIOMMU_T_DETACH:
			st = do_detach(vm, r);
			break;
		case IOMM_VIOMMU_T_MAP:
			st = do_map(vm, r);
			break;
		case IOMM_VIOMMU_T_UNMAP:
			st = do_unmap(vm, r);
			break;
		default:
			st = do_probe(vm, r, w, props_len);
			if (st != IOMM_VIOMMU_S_OK)
				for (size_t i = 0; i < props_len; i++)
					w[i] = 0;
			break;
		}
	}
	w[props_len] = st;
	w[props_len + 1] = 0;
	w[props_len + 2] = 0;
	w[props_len + 3] = 0;
	*used = resp_len;
	return IOMM_OK;
}

uint64_t iomm_viommu_dev_features(const struct iomm_vm *vm)
{
	return vm ? vm->cfg.features : 0;
}

int iomm_viommu_dev_config(const struct iomm_vm *vm, void *buf, size_t len)
{
	if (!vm || !vm->up || !buf || len < IOMM_VIOMMU_CFG_SIZE)
		return refuse_vm(vm, "vm (initialised), buf: NULL, or len below IOMM_VIOMMU_CFG_SIZE");
	uint8_t *b = buf;
	for (unsigned i = 0; i < IOMM_VIOMMU_CFG_SIZE; i++)
		b[i] = 0;
	iomm_put_le64(b + IOMM_VIOMMU_CFG_PAGE_SIZE_MASK, vm->cfg.page_size_mask);
	iomm_put_le64(b + IOMM_VIOMMU_CFG_INPUT_START, vm->cfg.input_start);
	iomm_put_le64(b + IOMM_VIOMMU_CFG_INPUT_END, vm->cfg.input_end);
	iomm_put_le32(b + IOMM_VIOMMU_CFG_DOMAIN_START, vm->cfg.domain_start);
	iomm_put_le32(b + IOMM_VIOMMU_CFG_DOMAIN_END, vm->cfg.domain_end);
	iomm_put_le32(b + IOMM_VIOMMU_CFG_PROBE_SIZE, vm->cfg.probe_size);
	b[IOMM_VIOMMU_CFG_BYPASS] = vm->bypass;
	return IOMM_OK;
}

int iomm_viommu_dev_set_bypass(struct iomm_vm *vm, uint8_t value)
{
	if (!vm || !vm->up)
		return refuse_vm(vm, "vm: NULL or not initialised");
	if (!F(vm, IOMM_VIOMMU_F_BYPASS_CONFIG))
		return IOMM_EPERM;
	vm->bypass = value & 1u;
	int first = IOMM_OK;
	for (size_t i = 0; i < vm->cfg.nendpoints; i++) {
		struct iomm_vm_endpoint *ep = &vm->cfg.endpoints[i];
		if (!ep->used || ep->gdom)
			continue;
		int rc = iomm_vm_policy_attach(vm, ep);
		if (rc && first == IOMM_OK)
			first = rc;
	}
	return first;
}

int iomm_viommu_dev_reset(struct iomm_vm *vm)
{
	if (!vm || !vm->up)
		return refuse_vm(vm, "vm: NULL or not initialised");
	int first = IOMM_OK;
	for (size_t i = 0; i < vm->cfg.nendpoints; i++) {
		struct iomm_vm_endpoint *ep = &vm->cfg.endpoints[i];
		if (!ep->used || !ep->gdom)
			continue;
		int rc = iomm_vm_ep_leave(vm, ep);
		if (rc && first == IOMM_OK)
			first = rc;
	}
	/* Each guest domain went with its last endpoint; one whose endpoint
	 * could not leave stays, with its mappings. */
	vm->ev_head = 0;
	vm->ev_count = 0;
	vm->dropped = 0;
	return first;
}

/* ---- in-process transport ---- */
static size_t lb_handle(void *dev, const void *req, size_t len, void *resp, size_t cap)
{
	size_t used = 0;
	return iomm_viommu_dev_handle(dev, req, len, resp, cap, &used) == IOMM_OK ? used : 0;
}

static size_t lb_config(void *dev, void *buf, size_t cap)
{
	uint8_t cfg[IOMM_VIOMMU_CFG_SIZE];
	if (iomm_viommu_dev_config(dev, cfg, sizeof(cfg)) != IOMM_OK)
		return 0;
	for (size_t i = 0; i < cap && i < sizeof(cfg); i++)
		((uint8_t *)buf)[i] = cfg[i];
	return sizeof(cfg);
}

static void lb_config_write(void *dev, uint32_t off, const void *buf, size_t len)
{
	if (off == IOMM_VIOMMU_CFG_BYPASS && len >= 1)
		(void)iomm_viommu_dev_set_bypass(dev, *(const uint8_t *)buf);
}

static uint64_t lb_features(void *dev)
{
	return iomm_viommu_dev_features(dev);
}

static size_t lb_event(void *dev, void *buf, size_t cap)
{
	int n = iomm_viommu_dev_next_event(dev, buf, cap);
	return n > 0 ? (size_t)n : 0;
}

void iomm_viommu_dev_loopback(struct iomm_vm *vm, struct iomm_viommu_loopback_dev *dev)
{
	if (!vm || !dev)
		return;
	dev->dev = vm;
	dev->handle = lb_handle;
	dev->config = lb_config;
	dev->config_write = lb_config_write;
	dev->features = lb_features;
	dev->set_features = NULL;
	dev->event = lb_event;
}
