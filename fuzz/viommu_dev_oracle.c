/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_viommu_dev: the memory the SMMU sees, what the oracle expects each
 * endpoint to reach, the checks after every request and the oracle's own
 * state changes.
 */
#include "viommu_dev_fx.h"

/* ---- memory the SMMU sees ---- */

void *alloc(struct st *s, size_t size, size_t align)
{
	size_t at = (s->arena_used + align - 1) & ~(align - 1);
	if (at + size > ARENA_SIZE)
		return NULL;
	s->arena_used = at + size;
	memset(s->arena + at, 0, size);
	return s->arena + at;
}

uint64_t pa_of(const struct st *s, const void *va)
{
	return PHYS_BASE + (uint64_t)((const uint8_t *)va - s->arena);
}

static uint8_t *arena_at(struct st *s, uint64_t pa, size_t len)
{
	if (pa < PHYS_BASE || pa - PHYS_BASE > ARENA_SIZE || len > ARENA_SIZE - (pa - PHYS_BASE)) {
		s->rejected++;
		return NULL;
	}
	return s->arena + (pa - PHYS_BASE);
}

int phys_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	uint8_t *p = arena_at(ctx, pa, len);
	if (!p)
		return -1;
	memcpy(buf, p, len);
	return 0;
}

int phys_write(void *ctx, uint64_t pa, const void *buf, size_t len)
{
	uint8_t *p = arena_at(ctx, pa, len);
	if (!p)
		return -1;
	memcpy(p, buf, len);
	return 0;
}

static uint64_t mmio_read(void *ctx, uint64_t offset, unsigned width)
{
	return smmuv3_model_read(ctx, offset, width);
}

static void mmio_write(void *ctx, uint64_t offset, unsigned width, uint64_t val)
{
	smmuv3_model_write(ctx, offset, val, width);
}

const struct iomm_posix_mmio_ops mmio_ops = {.read = mmio_read, .write = mmio_write};

bool feat(const struct st *s, unsigned bit)
{
	return ((s->features >> bit) & 1u) != 0;
}

/* ---- what the oracle expects ---- */

const struct iomm_vm_region *region_at(const struct st *s, uint64_t gpa)
{
	for (size_t i = 0; i < s->cfg.nregions; i++) {
		const struct iomm_vm_region *r = &s->regions[i];
		if (gpa >= r->gpa && gpa - r->gpa < r->size)
			return r;
	}
	return NULL;
}

static void add_piece(struct expect *e, uint64_t iova, uint64_t pa, uint64_t size, uint32_t prot)
{
	FZ_CHECK(e->n < MAX_PIECES, "too many pieces");
	e->p[e->n++] = (struct piece){iova, pa, size, prot};
	e->total += size;
}

/* The IOVA range [gpa-translated] of one accepted MAP, region by region. */
static void add_translated(const struct st *s, struct expect *e, uint64_t iova, uint64_t gpa,
			   uint64_t size, uint32_t access, bool mmio)
{
	uint64_t off = 0;
	while (off < size) {
		const struct iomm_vm_region *r = region_at(s, gpa + off);
		FZ_CHECK(r != NULL, "op %lu: the oracle accepted a MAP outside A", s->op);
		uint64_t in = gpa + off - r->gpa;
		uint64_t left = r->size - in;
		uint64_t piece = left < size - off ? left : size - off;
		uint32_t mem = mmio ? IOMM_MEM_DEVICE : (r->prot & IOMM_MEM_MASK);
		add_piece(e, iova + off, r->hpa + in, piece, access | mem);
		off += piece;
	}
}

bool in_doorbell(const struct st *s, uint64_t a0, uint64_t a1)
{
	return s->db && a0 <= s->db_iova + (s->granule - 1u) && s->db_iova <= a1;
}

/* The doorbell page: one granule at its fixed IOVA, write-only device memory. */
static void add_doorbell(const struct st *s, struct expect *e)
{
	if (s->db)
		add_piece(e, s->db_iova, s->db_pa & ~(uint64_t)(s->granule - 1u), s->granule,
			  IOMM_WRITE | IOMM_MEM_DEVICE);
}

void expected(const struct st *s, const struct sh_ep *ep, struct expect *e)
{
	e->n = 0;
	e->total = 0;
	const struct sh_dom *d = ep->dom >= 0 ? &s->dom[ep->dom] : NULL;
	if (!ep->assigned) {
		e->mode = M_BLOCKED;
		return;
	}
	if ((d && d->bypass) || (!d && (s->bypass & 1u))) {
		e->mode = M_IDENTITY;
		for (size_t i = 0; i < s->cfg.nregions; i++) {
			const struct iomm_vm_region *r = &s->regions[i];
			add_piece(e, r->gpa, r->hpa, r->size, r->prot);
		}
		add_doorbell(s, e); /* the VM's domain of A, which bypass domains use too */
		return;
	}
	if (!d) {
		e->mode = M_BLOCKED;
		return;
	}
	e->mode = M_GUEST;
	for (unsigned i = 0; i < MAX_MAPS; i++) {
		const struct sh_map *m = &s->map[i];
		if (!m->used || m->dom != (unsigned)ep->dom)
			continue;
		uint32_t access = ((m->flags & IOMM_VIOMMU_MAP_F_READ) ? IOMM_READ : 0u) |
				  ((m->flags & IOMM_VIOMMU_MAP_F_WRITE) ? IOMM_WRITE : 0u);
		add_translated(s, e, m->vs, m->ps, m->ve - m->vs + 1, access,
			       (m->flags & IOMM_VIOMMU_MAP_F_MMIO) != 0);
	}
	add_doorbell(s, e);
	/* MSI doorbells: granule-aligned RESV_MEM MSI regions inside one region of A */
	uint64_t gmask = (uint64_t)s->granule - 1;
	for (size_t i = 0; i < s->cfg.nresv; i++) {
		const struct iomm_vm_resv *rv = &s->resv[i];
		if (rv->subtype != IOMM_VIOMMU_RESV_T_MSI || (rv->start & gmask) ||
		    ((rv->end + 1) & gmask) || rv->end + 1 == 0)
			continue;
		const struct iomm_vm_region *r = region_at(s, rv->start);
		uint64_t size = rv->end - rv->start + 1;
		if (!r || size > r->size - (rv->start - r->gpa))
			continue;
		add_piece(e, rv->start, r->hpa + (rv->start - r->gpa), size, r->prot);
	}
}

/* ---- checks after every request ---- */

struct walk_ctx {
	const struct st *s;
	const struct expect *e;
	uint32_t epid;
	uint64_t covered;
};

static int walk_leaf(void *arg, const struct iomm_mapping *m)
{
	struct walk_ctx *w = arg;
	const struct st *s = w->s;
	FZ_CHECK(m->size && m->iova + (m->size - 1) >= m->iova, "op %lu: empty or wrapping leaf",
		 s->op);
	/* every byte of the leaf lies in an expected piece, translated as expected */
	uint64_t at = m->iova, last = m->iova + (m->size - 1);
	while (1) {
		const struct piece *p = NULL;
		for (unsigned i = 0; i < w->e->n && !p; i++)
			if (at >= w->e->p[i].iova && at - w->e->p[i].iova < w->e->p[i].size)
				p = &w->e->p[i];
		FZ_CHECK(p != NULL,
			 "op %lu: endpoint %u reaches IOVA 0x%llx (leaf 0x%llx+0x%llx -> 0x%llx), "
			 "which nothing maps (outside A or a refused/removed MAP)",
			 s->op, w->epid, FZ_ULL(at), FZ_ULL(m->iova), FZ_ULL(m->size), FZ_ULL(m->pa));
		uint64_t want_pa = p->pa + (at - p->iova);
		uint64_t got_pa = m->pa + (at - m->iova);
		FZ_CHECK(got_pa == want_pa,
			 "op %lu: endpoint %u: IOVA 0x%llx goes to 0x%llx, A's translation is 0x%llx",
			 s->op, w->epid, FZ_ULL(at), FZ_ULL(got_pa), FZ_ULL(want_pa));
		FZ_CHECK((m->prot & IOMM_PROT_ACCESS) == (p->prot & (IOMM_READ | IOMM_WRITE)),
			 "op %lu: endpoint %u: IOVA 0x%llx has permissions 0x%x, expected 0x%x", s->op,
			 w->epid, FZ_ULL(at), m->prot & IOMM_PROT_ACCESS,
			 p->prot & (IOMM_READ | IOMM_WRITE));
		FZ_CHECK((m->prot & IOMM_MEM_MASK) == (p->prot & IOMM_MEM_MASK),
			 "op %lu: endpoint %u: IOVA 0x%llx has memory type 0x%x, expected 0x%x",
			 s->op, w->epid, FZ_ULL(at), m->prot & IOMM_MEM_MASK, p->prot & IOMM_MEM_MASK);
		uint64_t plast = p->iova + (p->size - 1);
		uint64_t end = plast < last ? plast : last;
		w->covered += end - at + 1;
		if (end == last)
			break;
		at = end + 1;
	}
	return 0;
}

int dma(struct st *s, uint32_t sid, uint64_t iova, unsigned acc, uint64_t *pa)
{
	*pa = 0;
	return smmuv3_model_dma(&s->model, sid, 0, false, iova, acc, pa);
}

/* One DMA through the model against what the oracle expects. */
void check_dma(struct st *s, const struct sh_ep *ep, const struct expect *e, uint64_t iova,
	       unsigned acc)
{
	uint64_t pa;
	int rc = dma(s, ep->sid, iova, acc, &pa);
	TRACE("op %lu:   dma ep %u 0x%llx acc %u: %d pa 0x%llx\n", s->op, ep->id, FZ_ULL(iova), acc,
	      rc, FZ_ULL(pa));
	if (e->mode == M_BLOCKED) {
		FZ_CHECK(rc == SMMUV3_MODEL_ABORT,
			 "op %lu: blocked endpoint %u: DMA at 0x%llx gave %d (pa 0x%llx)", s->op, ep->id,
			 FZ_ULL(iova), rc, FZ_ULL(pa));
		return;
	}
	const struct piece *p = NULL;
	for (unsigned i = 0; i < e->n && !p; i++)
		if (iova >= e->p[i].iova && iova - e->p[i].iova < e->p[i].size)
			p = &e->p[i];
	if (!p) {
		FZ_CHECK(rc == EV_TRANSLATION,
			 "op %lu: endpoint %u: unmapped IOVA 0x%llx gave %d (pa 0x%llx), expected a "
			 "translation fault",
			 s->op, ep->id, FZ_ULL(iova), rc, FZ_ULL(pa));
		return;
	}
	bool ok = (acc & SMMUV3_MODEL_ACC_W) ? (p->prot & IOMM_WRITE) != 0
					     : (p->prot & IOMM_READ) != 0;
	if (ok)
		FZ_CHECK(rc == 0 && pa == p->pa + (iova - p->iova),
			 "op %lu: endpoint %u: DMA at 0x%llx (acc %u) gave %d pa 0x%llx, expected "
			 "0x%llx",
			 s->op, ep->id, FZ_ULL(iova), acc, rc, FZ_ULL(pa),
			 FZ_ULL(p->pa + (iova - p->iova)));
	else
		FZ_CHECK(rc == EV_PERMISSION,
			 "op %lu: endpoint %u: DMA at 0x%llx (acc %u) gave %d, expected a permission "
			 "fault",
			 s->op, ep->id, FZ_ULL(iova), acc, rc);
}

void hygiene(struct st *s)
{
	const struct smmuv3_model_stats *m = &s->model.stats;
	FZ_CHECK(m->ro_writes == 0 && m->guarded_writes == 0 && m->bad_accesses == 0 &&
			 m->gbpa_bad_writes == 0 && m->gerrorn_bad == 0 && m->cmdq_overruns == 0 &&
			 m->anomalies == 0,
		 "op %lu: the model saw odd driver behaviour", s->op);
	FZ_CHECK(m->cmd_errors == 0 && !smmuv3_model_cmdq_error(&s->model) &&
			 s->smmu.stats.cmd_errors == 0,
		 "op %lu: command error", s->op);
	FZ_CHECK(s->degraded || iomm_posix_log_count(&s->px, IOMM_LOG_ERROR) == 0,
		 "op %lu: error logged: %s", s->op, s->px.log_last);
	FZ_CHECK(s->px.lock_depth == 0, "op %lu: lock held after a call", s->op);
	FZ_CHECK(s->rejected == 0, "op %lu: the SMMU accessed memory outside what it was given",
		 s->op);
}

/* After a stalled request: every leaf inside one region of A, no wider. */
static int contain_leaf(void *arg, const struct iomm_mapping *m)
{
	const struct st *s = arg;
	if (in_doorbell(s, m->iova, m->iova + (m->size - 1))) {
		FZ_CHECK(m->iova == s->db_iova && m->size == s->granule &&
				 m->pa == (s->db_pa & ~(uint64_t)(s->granule - 1u)) &&
				 (m->prot & IOMM_PROT_ACCESS) == IOMM_WRITE &&
				 (m->prot & IOMM_MEM_MASK) == IOMM_MEM_DEVICE,
			 "op %lu: leaf 0x%llx+0x%llx -> 0x%llx (prot 0x%x) in the doorbell window "
			 "is not the doorbell page, write-only device memory",
			 s->op, FZ_ULL(m->iova), FZ_ULL(m->size), FZ_ULL(m->pa), m->prot);
		return 0;
	}
	for (size_t i = 0; i < s->cfg.nregions; i++) {
		const struct iomm_vm_region *r = &s->regions[i];
		if (m->pa >= r->hpa && m->pa - r->hpa < r->size &&
		    m->size <= r->size - (m->pa - r->hpa) &&
		    !(m->prot & IOMM_PROT_ACCESS & ~(r->prot & (IOMM_READ | IOMM_WRITE))))
			return 0;
	}
	FZ_CHECK(0, "op %lu: leaf 0x%llx+0x%llx -> 0x%llx (prot 0x%x) outside A or wider than A",
		 s->op, FZ_ULL(m->iova), FZ_ULL(m->size), FZ_ULL(m->pa), m->prot);
	return 0;
}

bool dma_in_a(const struct st *s, uint64_t pa, unsigned acc)
{
	if (s->db && (pa & ~(uint64_t)(s->granule - 1u)) ==
			 (s->db_pa & ~(uint64_t)(s->granule - 1u)))
		return (acc & SMMUV3_MODEL_ACC_W) != 0; /* the doorbell: writes only */
	for (size_t i = 0; i < s->cfg.nregions; i++) {
		const struct iomm_vm_region *r = &s->regions[i];
		if (pa >= r->hpa && pa - r->hpa < r->size &&
		    ((acc & SMMUV3_MODEL_ACC_W) ? (r->prot & IOMM_WRITE) : (r->prot & IOMM_READ)))
			return true;
	}
	return false;
}

void check_contained(struct st *s)
{
	for (unsigned i = 0; i < s->nep; i++) {
		int rc = iomm_vm_walk(&s->vm, s->ep[i].id, contain_leaf, s);
		FZ_CHECK(rc == IOMM_OK || rc == IOMM_ENOENT, "op %lu: walk: %d", s->op, rc);
	}
	FZ_CHECK(iomm_vm_audit(&s->vm) == IOMM_OK, "op %lu: audit", s->op);
	hygiene(s);
}

void check_all(struct st *s)
{
	if (s->degraded) {
		check_contained(s);
		return;
	}
	for (unsigned i = 0; i < s->nep; i++) {
		const struct sh_ep *ep = &s->ep[i];
		struct expect e;
		expected(s, ep, &e);
		struct walk_ctx w = {s, &e, ep->id, 0};
		int rc = iomm_vm_walk(&s->vm, ep->id, walk_leaf, &w);
		if (!ep->assigned) {
			FZ_CHECK(rc == IOMM_ENOENT, "op %lu: walk of unassigned endpoint %u: %d", s->op,
				 ep->id, rc);
		} else {
			FZ_CHECK(rc == IOMM_OK, "op %lu: walk of endpoint %u: %d", s->op, ep->id, rc);
			FZ_CHECK(w.covered == e.total,
				 "op %lu: endpoint %u: its tables cover 0x%llx bytes, expected 0x%llx",
				 s->op, ep->id, FZ_ULL(w.covered), FZ_ULL(e.total));
		}
		for (unsigned k = 0; k < e.n; k++) {
			check_dma(s, ep, &e, e.p[k].iova, SMMUV3_MODEL_ACC_R);
			check_dma(s, ep, &e, e.p[k].iova + e.p[k].size - 1, SMMUV3_MODEL_ACC_W);
		}
		for (unsigned k = 0; k < s->nold; k++)
			check_dma(s, ep, &e, s->old_probe[k], (k & 1) ? SMMUV3_MODEL_ACC_W
								      : SMMUV3_MODEL_ACC_R);
	}
	FZ_CHECK(iomm_vm_audit(&s->vm) == IOMM_OK, "op %lu: audit", s->op);
	/* the doorbell rule: no guest mapping, in the oracle's books or the VM's,
	 * ever overlaps the doorbell window */
	for (unsigned i = 0; i < MAX_MAPS; i++)
		FZ_CHECK(!s->map[i].used || !in_doorbell(s, s->map[i].vs, s->map[i].ve),
			 "op %lu: an accepted MAP 0x%llx..0x%llx overlaps the doorbell", s->op,
			 FZ_ULL(s->map[i].vs), FZ_ULL(s->map[i].ve));
	for (size_t i = 0; i < s->cfg.nmappings; i++)
		FZ_CHECK(!s->maps[i].gdom || !in_doorbell(s, s->maps[i].iova, s->maps[i].last),
			 "op %lu: the VM holds a guest mapping 0x%llx..0x%llx over the doorbell",
			 s->op, FZ_ULL(s->maps[i].iova), FZ_ULL(s->maps[i].last));
	uint8_t cfg[IOMM_VIOMMU_CFG_SIZE];
	FZ_CHECK(iomm_viommu_dev_config(&s->vm, cfg, sizeof(cfg)) == IOMM_OK, "config");
	FZ_CHECK(cfg[IOMM_VIOMMU_CFG_BYPASS] == s->bypass, "op %lu: config.bypass %u, expected %u",
		 s->op, cfg[IOMM_VIOMMU_CFG_BYPASS], s->bypass);
	hygiene(s);
}

/* Remember the ends of every mapping before a request (their translations
 * are in the model's TLB from the last check). */
void note_old(struct st *s)
{
	s->nold = 0;
	for (unsigned i = 0; i < MAX_MAPS; i++)
		if (s->map[i].used) {
			s->old_probe[s->nold++] = s->map[i].vs;
			s->old_probe[s->nold++] = s->map[i].ve;
		}
}

/* ---- the oracle's state changes ---- */

int dom_find(const struct st *s, uint32_t id)
{
	for (unsigned i = 0; i < MAX_DOMS; i++)
		if (s->dom[i].used && s->dom[i].id == id)
			return (int)i;
	return -1;
}

struct sh_ep *ep_find(struct st *s, uint32_t id)
{
	for (unsigned i = 0; i < s->nep; i++)
		if (s->ep[i].assigned && s->ep[i].id == id)
			return &s->ep[i];
	return NULL;
}

void dom_drop(struct st *s, unsigned d)
{
	s->dom[d].used = false;
	s->dom[d].nep = 0;
	for (unsigned i = 0; i < MAX_MAPS; i++)
		if (s->map[i].used && s->map[i].dom == d)
			s->map[i].used = false;
}

void ep_leave(struct st *s, struct sh_ep *ep)
{
	if (ep->dom < 0)
		return;
	unsigned d = (unsigned)ep->dom;
	ep->dom = -1;
	if (--s->dom[d].nep == 0)
		dom_drop(s, d);
}

bool pool_tight(const struct st *s)
{
	return iomm_pool_used(&s->pool) + 8 > s->pool_pages;
}

void smmu_world_up(struct st *s)
{
	smmuv3_model_cfg_default(&s->mcfg);
	s->mcfg.read_mem = phys_read;
	s->mcfg.write_mem = phys_write;
	s->mcfg.mem_ctx = s;
	s->arena = aligned_alloc(1u << 20, ARENA_SIZE);
	FZ_CHECK(s->arena != NULL, "out of memory");
	FZ_CHECK(smmuv3_model_init(&s->model, &s->mcfg) == 0, "model init");
	s->model_up = true;
	FZ_CHECK(iomm_posix_init(&s->px, IOMM_PORT_DMA_COHERENT) == IOMM_OK, "port init");
	s->px_up = true;
	iomm_posix_set_log(&s->px, IOMM_LOG_WARN, false);
	iomm_posix_set_fake_clock(&s->px, true, 1000000);
	FZ_CHECK(iomm_posix_add_mmio_model(&s->px, REGS, SMMUV3_M_MMIO_SIZE, &mmio_ops, &s->model) ==
			 IOMM_OK,
		 "mmio window");
	s->scfg.sid_bits = 8;
	s->mem.strtab_size = 64u << 8;
	s->mem.strtab = alloc(s, s->mem.strtab_size, s->mem.strtab_size);
	s->mem.strtab_pa = pa_of(s, s->mem.strtab);
	s->mem.cmdq_size = 16u * 64u;
	s->mem.cmdq = alloc(s, s->mem.cmdq_size, s->mem.cmdq_size);
	s->mem.cmdq_pa = pa_of(s, s->mem.cmdq);
	s->mem.evtq_size = 32u * 4u; /* small: it overflows, harmlessly */
	s->mem.evtq = alloc(s, s->mem.evtq_size, s->mem.evtq_size);
	s->mem.evtq_pa = pa_of(s, s->mem.evtq);
	FZ_CHECK(iomm_smmuv3_init(&s->smmu, iomm_posix_port(&s->px), REGS, &s->mem, NULL,
				  &s->scfg) == IOMM_OK,
		 "smmuv3 init");
	s->smmu_up = true;
}
