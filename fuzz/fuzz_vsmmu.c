/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_vsmmu: the host role's virtual IOMMU (the virtio-iommu device model
 * of include/iommuman/vm.h) fed sequences of raw requests, on a VM whose
 * memory map A is fuzzed, with several endpoints assigned on one SMMUv3
 * (the register model of tests/models behind the POSIX port, as in
 * fuzz_smmuv3_cmds).
 *
 * Input: 8 configuration bytes (granule, policy, number of regions, offered
 * features, quotas, table-pool size, input and domain ranges, RESV_MEM
 * regions, page_size_mask, probe_size, number of endpoints), 4 bytes per
 * region of A (gap before it, size, host address, permissions and memory
 * type), 2 per RESV_MEM region, then operations: ATTACH, DETACH, MAP,
 * UNMAP, PROBE (fields drawn near the interesting values or raw, request
 * and response lengths sometimes hostile, reserved bytes sometimes set),
 * raw request bytes, config.bypass writes, device reset, unassign and
 * re-assign, DMA through the model.
 *
 * The oracle keeps its own model of the guest-visible state (which guest
 * domains exist, which endpoint is attached where, the accepted MAPs) and
 * after EVERY request checks:
 *  - the status is one of those the documented rules allow for the
 *    request against that state (S_OK exactly when no rule refuses it;
 *    S_NOMEM for a valid request only when a quota or the table pool is
 *    spent); S_DEVERR never (nothing fails underneath);
 *  - the used length and the response bytes (tail reserved bytes zero;
 *    nothing written when the request cannot be answered; PROBE
 *    properties exactly the RESV_MEM regions);
 *  - every endpoint's tables (iomm_vm_walk()): each leaf lies in what the
 *    oracle expects that endpoint to reach (its guest domain's MAPs, each
 *    translated through A region by region, plus the MSI doorbells; A
 *    itself for a bypass domain or the confining policy; nothing when
 *    blocked), with exactly the expected output address, access
 *    permissions (never wider than A's there) and memory type, and the
 *    leaves cover all of it; so nothing outside A is reachable, and a
 *    refused request changed no translation;
 *  - a refused request left the table pool's use unchanged;
 *  - iomm_vm_audit() agrees, config.bypass reads back as written;
 *  - DMA through the model for every endpoint, at the first and last byte
 *    of every piece it should reach and of every mapping that existed
 *    before the request (which the previous checks put in the model's
 *    TLB): the model's own table walk gives the expected address or the
 *    expected fault, so a missing invalidation shows as a stale
 *    translation;
 *  - the driver never provoked a command error or an error log line.
 *
 * One operation makes the SMMU stop consuming commands during the next one
 * (it comes back afterwards). From then on the guest-visible state is no
 * longer predicted exactly (a failed request may leave a device blocked);
 * the checks become: statuses in range, every leaf of every endpoint and
 * every successful DMA inside A with no wider permissions, iomm_vm_audit(),
 * no error log line except for the stalled request, and a clean teardown.
 */
#include <string.h>

#include <iommuman/iommuman.h>
#include <iommuman/port_posix.h>
#include <iommuman/smmuv3.h>
#include <iommuman/virtio_iommu.h>
#include <iommuman/vm.h>

#include "fuzz_common.h"
#include "smmuv3_model.h"

#define REGS ((uintptr_t)0x10000000u)
#define ARENA_SIZE (UINT64_C(16) << 20)
#define PHYS_BASE UINT64_C(0x40000000)
#define MAX_OPS 96
#define MAX_REGIONS 4
#define MAX_RESV 2
#define MAX_EPS 4
#define MAX_DOMS 4
#define MAX_MAPS 16
#define MAX_PIECES 64
#define EV_TRANSLATION (-0x10)
#define EV_PERMISSION (-0x13)

/* Status sets: bit n for status n. */
#define SB(s) (1u << (s))

enum ep_mode { M_BLOCKED, M_IDENTITY, M_GUEST };

struct sh_dom {
	bool used;
	bool bypass;
	uint32_t id;
	unsigned nep;
};

struct sh_map {
	bool used;
	unsigned dom; /* index in st::dom */
	uint64_t vs, ve, ps;
	uint32_t flags;
};

struct sh_ep {
	bool assigned;
	uint32_t id;
	uint32_t sid;
	int dom; /* index in st::dom, -1: none */
};

struct piece {
	uint64_t iova, pa, size;
	uint32_t prot; /* access | memory type */
};

struct st {
	struct smmuv3_model_cfg mcfg;
	struct smmuv3_model model;
	bool model_up;
	uint8_t *arena;
	size_t arena_used;
	uint64_t rejected;
	struct iomm_posix px;
	bool px_up;
	struct iomm_smmuv3 smmu;
	bool smmu_up;
	struct iomm_smmuv3_cfg scfg;
	struct iomm_smmuv3_mem mem;
	struct iomm_pool pool;
	size_t pool_pages;

	struct iomm_vm_region regions[MAX_REGIONS];
	struct iomm_vm_resv resv[MAX_RESV];
	struct iomm_vm vm;
	bool vm_up;
	struct iomm_vm_cfg cfg;
	struct iomm_vm_endpoint eps[MAX_EPS];
	struct iomm_vm_gdom doms[MAX_DOMS];
	struct iomm_vm_mapping maps[MAX_MAPS];
	struct iomm_vm_event evs[2];

	/* the oracle's state */
	uint64_t features, psmask, in_start, in_end;
	uint32_t dom_start, dom_end, probe_size, granule;
	uint8_t bypass;
	struct sh_dom dom[MAX_DOMS];
	struct sh_map map[MAX_MAPS];
	struct sh_ep ep[MAX_EPS];
	unsigned nep;

	/* a request ran while the SMMU was stalled: containment checks only */
	bool degraded;
	bool stalled;
	/* addresses DMA-checked after the request (mappings before it) */
	uint64_t old_probe[MAX_MAPS * 2];
	unsigned nold;
	unsigned long op;
};

static bool tracing;
#define TRACE(...)                                                                                 \
	do {                                                                                       \
		if (tracing)                                                                       \
			fprintf(stderr, __VA_ARGS__);                                              \
	} while (0)

/* ---- memory the SMMU sees ---- */

static void *alloc(struct st *s, size_t size, size_t align)
{
	size_t at = (s->arena_used + align - 1) & ~(align - 1);
	if (at + size > ARENA_SIZE)
		return NULL;
	s->arena_used = at + size;
	memset(s->arena + at, 0, size);
	return s->arena + at;
}

static uint64_t pa_of(const struct st *s, const void *va)
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

static int phys_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	uint8_t *p = arena_at(ctx, pa, len);
	if (!p)
		return -1;
	memcpy(buf, p, len);
	return 0;
}

static int phys_write(void *ctx, uint64_t pa, const void *buf, size_t len)
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

static const struct iomm_posix_mmio_ops mmio_ops = {.read = mmio_read, .write = mmio_write};

static bool feat(const struct st *s, unsigned bit)
{
	return ((s->features >> bit) & 1u) != 0;
}

/* ---- what the oracle expects ---- */

static const struct iomm_vm_region *region_at(const struct st *s, uint64_t gpa)
{
	for (size_t i = 0; i < s->cfg.nregions; i++) {
		const struct iomm_vm_region *r = &s->regions[i];
		if (gpa >= r->gpa && gpa - r->gpa < r->size)
			return r;
	}
	return NULL;
}

struct expect {
	enum ep_mode mode;
	struct piece p[MAX_PIECES];
	unsigned n;
	uint64_t total;
};

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

static void expected(const struct st *s, const struct sh_ep *ep, struct expect *e)
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

static int dma(struct st *s, uint32_t sid, uint64_t iova, unsigned acc, uint64_t *pa)
{
	*pa = 0;
	return smmuv3_model_dma(&s->model, sid, 0, false, iova, acc, pa);
}

/* One DMA through the model against what the oracle expects. */
static void check_dma(struct st *s, const struct sh_ep *ep, const struct expect *e, uint64_t iova,
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

static void hygiene(struct st *s)
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

static bool dma_in_a(const struct st *s, uint64_t pa, unsigned acc)
{
	for (size_t i = 0; i < s->cfg.nregions; i++) {
		const struct iomm_vm_region *r = &s->regions[i];
		if (pa >= r->hpa && pa - r->hpa < r->size &&
		    ((acc & SMMUV3_MODEL_ACC_W) ? (r->prot & IOMM_WRITE) : (r->prot & IOMM_READ)))
			return true;
	}
	return false;
}

static void check_contained(struct st *s)
{
	for (unsigned i = 0; i < s->nep; i++) {
		int rc = iomm_vm_walk(&s->vm, s->ep[i].id, contain_leaf, s);
		FZ_CHECK(rc == IOMM_OK || rc == IOMM_ENOENT, "op %lu: walk: %d", s->op, rc);
	}
	FZ_CHECK(iomm_vm_audit(&s->vm) == IOMM_OK, "op %lu: audit", s->op);
	hygiene(s);
}

static void check_all(struct st *s)
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
	uint8_t cfg[IOMM_VIOMMU_CFG_SIZE];
	FZ_CHECK(iomm_vsmmu_config(&s->vm, cfg, sizeof(cfg)) == IOMM_OK, "config");
	FZ_CHECK(cfg[IOMM_VIOMMU_CFG_BYPASS] == s->bypass, "op %lu: config.bypass %u, expected %u",
		 s->op, cfg[IOMM_VIOMMU_CFG_BYPASS], s->bypass);
	hygiene(s);
}

/* Remember the ends of every mapping before a request (their translations
 * are in the model's TLB from the last check). */
static void note_old(struct st *s)
{
	s->nold = 0;
	for (unsigned i = 0; i < MAX_MAPS; i++)
		if (s->map[i].used) {
			s->old_probe[s->nold++] = s->map[i].vs;
			s->old_probe[s->nold++] = s->map[i].ve;
		}
}

/* ---- the oracle's state changes ---- */

static int dom_find(const struct st *s, uint32_t id)
{
	for (unsigned i = 0; i < MAX_DOMS; i++)
		if (s->dom[i].used && s->dom[i].id == id)
			return (int)i;
	return -1;
}

static struct sh_ep *ep_find(struct st *s, uint32_t id)
{
	for (unsigned i = 0; i < s->nep; i++)
		if (s->ep[i].assigned && s->ep[i].id == id)
			return &s->ep[i];
	return NULL;
}

static void dom_drop(struct st *s, unsigned d)
{
	s->dom[d].used = false;
	s->dom[d].nep = 0;
	for (unsigned i = 0; i < MAX_MAPS; i++)
		if (s->map[i].used && s->map[i].dom == d)
			s->map[i].used = false;
}

static void ep_leave(struct st *s, struct sh_ep *ep)
{
	if (ep->dom < 0)
		return;
	unsigned d = (unsigned)ep->dom;
	ep->dom = -1;
	if (--s->dom[d].nep == 0)
		dom_drop(s, d);
}

static bool pool_tight(const struct st *s)
{
	return iomm_pool_used(&s->pool) + 8 > s->pool_pages;
}

/* ---- requests ---- */

struct reqbuf {
	uint8_t b[128];
	size_t len;      /* device-readable bytes handed over */
	size_t full;     /* the layout's size for the type */
	size_t resp_len; /* device-writable bytes */
};

/* Hostile lengths: mostly the layout's, sometimes shorter or longer. */
static void lengths(struct fz *in, struct reqbuf *r, size_t resp_default)
{
	uint8_t l = fz_u8(in);
	r->len = r->full;
	r->resp_len = resp_default;
	if ((l & 0x0f) == 1)
		r->len = (size_t)(l >> 4) * 5u % (r->full + 1); /* short */
	else if ((l & 0x0f) == 2)
		r->len = r->full + (l >> 4); /* extra bytes, ignored */
	if ((l & 0x70) == 0x70 && (l & 0x0f) > 2)
		r->resp_len = (size_t)(l & 7u);
}

/* Send; check the response framing; return the status (0xff: not answered). */
static uint8_t send(struct st *s, const struct reqbuf *r, uint8_t *resp, bool answerable)
{
	uint8_t out[1024];
	FZ_CHECK(r->resp_len <= sizeof(out), "response buffer");
	memset(out, 0xa5, sizeof(out));
	size_t used = 12345;
	int rc = iomm_vsmmu_handle(&s->vm, r->b, r->len, out, r->resp_len, &used);
	FZ_CHECK(rc == IOMM_OK, "op %lu: handle: %d", s->op, rc);
	if (!r->len)
		answerable = false; /* no type byte */
	if (!answerable || r->resp_len < IOMM_VIOMMU_TAIL_SIZE) {
		FZ_CHECK(used == 0, "op %lu: unanswerable request (type %u, resp %zu) used %zu", s->op,
			 r->len ? r->b[0] : 0, r->resp_len, used);
		for (size_t i = 0; i < sizeof(out); i++)
			FZ_CHECK(out[i] == 0xa5, "op %lu: unanswerable request wrote byte %zu", s->op, i);
		return 0xff;
	}
	FZ_CHECK(used == r->resp_len, "op %lu: used %zu of %zu", s->op, used, r->resp_len);
	size_t t = r->resp_len - IOMM_VIOMMU_TAIL_SIZE;
	FZ_CHECK(out[t + 1] == 0 && out[t + 2] == 0 && out[t + 3] == 0,
		 "op %lu: tail reserved bytes", s->op);
	for (size_t i = r->resp_len; i < sizeof(out); i++)
		FZ_CHECK(out[i] == 0xa5, "op %lu: wrote beyond the response (byte %zu)", s->op, i);
	FZ_CHECK(out[t] <= IOMM_VIOMMU_S_NOMEM, "op %lu: status %u", s->op, out[t]);
	if (resp)
		memcpy(resp, out, r->resp_len);
	return out[t];
}

/* The status must be in @allowed; refused requests change nothing. */
static void check_status(struct st *s, const char *what, uint8_t st, uint32_t allowed,
			 size_t pool_before)
{
	TRACE("op %lu: %s -> status %u (allowed 0x%x)\n", s->op, what, st, allowed);
	if (s->degraded) {
		FZ_CHECK(s->stalled || st != IOMM_VIOMMU_S_DEVERR,
			 "op %lu: %s: S_DEVERR with the SMMU working", s->op, what);
		return;
	}
	FZ_CHECK(st != IOMM_VIOMMU_S_DEVERR, "op %lu: %s: S_DEVERR, but nothing failed underneath",
		 s->op, what);
	FZ_CHECK(allowed & SB(st), "op %lu: %s: status %u, allowed set 0x%x", s->op, what, st,
		 allowed);
	if (st != IOMM_VIOMMU_S_OK)
		FZ_CHECK(iomm_pool_used(&s->pool) == pool_before,
			 "op %lu: %s failed (%u) but table-pool use went %zu -> %zu", s->op, what, st,
			 pool_before, iomm_pool_used(&s->pool));
}

static uint32_t gen_domain(struct fz *in)
{
	uint8_t d = fz_u8(in);
	if (d & 0x80)
		return fz_u32(in);
	return d & 7u;
}

static uint32_t gen_endpoint(struct st *s, struct fz *in)
{
	uint8_t e = fz_u8(in);
	if (e & 0x80)
		return fz_u32(in);
	return s->ep[e % s->nep].id + ((e & 0x40) ? 1u : 0u);
}

static void set_reserved(struct fz *in, uint8_t *b, size_t at, size_t n)
{
	uint8_t k = fz_u8(in);
	if ((k & 0x1f) == 0x1f)
		b[at + (k >> 5) % n] = (uint8_t)(k | 1u);
}

static void op_attach(struct st *s, struct fz *in)
{
	struct reqbuf r = {{0}, 0, IOMM_VIOMMU_ATTACH_SIZE - IOMM_VIOMMU_TAIL_SIZE, 4};
	uint32_t domain = gen_domain(in), endpoint = gen_endpoint(s, in);
	uint8_t f = fz_u8(in);
	uint32_t flags = (f & 0x80) ? (uint32_t)f << 24 | (f & 1u) : (f & 1u);
	r.b[0] = IOMM_VIOMMU_T_ATTACH;
	iomm_put_le32(r.b + IOMM_VIOMMU_ATTACH_DOMAIN, domain);
	iomm_put_le32(r.b + IOMM_VIOMMU_ATTACH_ENDPOINT, endpoint);
	iomm_put_le32(r.b + IOMM_VIOMMU_ATTACH_FLAGS, flags);
	set_reserved(in, r.b, 16, 4);
	lengths(in, &r, 4);

	uint32_t allowed = 0;
	bool bypass = (flags & IOMM_VIOMMU_ATTACH_F_BYPASS) != 0;
	struct sh_ep *ep = ep_find(s, endpoint);
	int d = dom_find(s, domain);
	if (r.len < r.full) {
		allowed = SB(IOMM_VIOMMU_S_IOERR);
	} else {
		if (iomm_get_le32(r.b + 16))
			allowed |= SB(IOMM_VIOMMU_S_INVAL);
		uint32_t known = feat(s, IOMM_VIOMMU_F_BYPASS_CONFIG) ? IOMM_VIOMMU_ATTACH_F_BYPASS : 0;
		if (flags & ~known)
			allowed |= SB(IOMM_VIOMMU_S_INVAL);
		if (!ep)
			allowed |= SB(IOMM_VIOMMU_S_NOENT);
		if (domain < s->dom_start || domain > s->dom_end)
			allowed |= SB(IOMM_VIOMMU_S_RANGE);
		if (d >= 0 && s->dom[d].bypass != bypass)
			allowed |= SB(IOMM_VIOMMU_S_INVAL);
		unsigned nused = 0;
		for (unsigned i = 0; i < MAX_DOMS; i++)
			nused += s->dom[i].used;
		if (d < 0 && nused >= s->cfg.ndomains)
			allowed |= SB(IOMM_VIOMMU_S_NOMEM);
		if (!allowed) {
			allowed = SB(IOMM_VIOMMU_S_OK);
			if (d < 0 && !bypass && pool_tight(s))
				allowed |= SB(IOMM_VIOMMU_S_NOMEM);
		}
	}
	size_t pool_before = iomm_pool_used(&s->pool);
	uint8_t st = send(s, &r, NULL, true);
	TRACE("op %lu: ATTACH dom %u ep %u flags 0x%x len %zu\n", s->op, domain, endpoint, flags,
	      r.len);
	if (st == 0xff)
		return;
	check_status(s, "ATTACH", st, allowed, pool_before);
	if (st != IOMM_VIOMMU_S_OK)
		return;
	if (d >= 0 && ep->dom == d)
		return; /* already there */
	if (d < 0) {
		for (unsigned i = 0; i < MAX_DOMS && d < 0; i++)
			if (!s->dom[i].used)
				d = (int)i;
		FZ_CHECK(d >= 0, "oracle: no domain slot");
		s->dom[d] = (struct sh_dom){true, bypass, domain, 0};
	}
	ep_leave(s, ep);
	ep->dom = d;
	s->dom[d].nep++;
}

static void op_detach(struct st *s, struct fz *in)
{
	struct reqbuf r = {{0}, 0, IOMM_VIOMMU_DETACH_SIZE - IOMM_VIOMMU_TAIL_SIZE, 4};
	uint32_t domain = gen_domain(in), endpoint = gen_endpoint(s, in);
	r.b[0] = IOMM_VIOMMU_T_DETACH;
	iomm_put_le32(r.b + IOMM_VIOMMU_DETACH_DOMAIN, domain);
	iomm_put_le32(r.b + IOMM_VIOMMU_DETACH_ENDPOINT, endpoint);
	set_reserved(in, r.b, 12, 8); /* ignored */
	lengths(in, &r, 4);
	struct sh_ep *ep = ep_find(s, endpoint);
	int d = dom_find(s, domain);
	uint32_t allowed = 0;
	if (r.len < r.full) {
		allowed = SB(IOMM_VIOMMU_S_IOERR);
	} else {
		if (!ep)
			allowed |= SB(IOMM_VIOMMU_S_NOENT);
		if (d < 0 || (ep && ep->dom != d))
			allowed |= SB(IOMM_VIOMMU_S_INVAL);
		if (!allowed)
			allowed = SB(IOMM_VIOMMU_S_OK);
	}
	size_t pool_before = iomm_pool_used(&s->pool);
	uint8_t st = send(s, &r, NULL, true);
	TRACE("op %lu: DETACH dom %u ep %u len %zu\n", s->op, domain, endpoint, r.len);
	if (st == 0xff)
		return;
	check_status(s, "DETACH", st, allowed, pool_before);
	if (st == IOMM_VIOMMU_S_OK)
		ep_leave(s, ep);
}

/* An IOVA near something interesting. */
static uint64_t gen_iova(struct st *s, struct fz *in)
{
	uint8_t k = fz_u8(in);
	uint64_t G = s->granule;
	switch (k >> 5) {
	case 0:
		return fz_u64(in);
	case 1:
		return s->in_end + 1 - (uint64_t)(1 + (k & 31)) * G; /* the top of the input range */
	case 2:
		if (s->cfg.nresv)
			return s->resv[k % s->cfg.nresv].start - (uint64_t)(k & 3) * G;
		return (uint64_t)(k & 31) * G;
	default:
		return s->in_start + (uint64_t)((k & 31) + 32 * ((k >> 5) - 3)) * G;
	}
}

/* A guest-physical address near a region of A. */
static uint64_t gen_gpa(struct st *s, struct fz *in)
{
	uint8_t k = fz_u8(in), o = fz_u8(in);
	if ((k & 0xf0) == 0xf0)
		return fz_u64(in);
	const struct iomm_vm_region *r = &s->regions[k % s->cfg.nregions];
	uint64_t G = s->granule;
	uint64_t off = (uint64_t)(o & 0x3f) * G;
	if (o & 0x80)
		return r->gpa + r->size - off; /* near the end, maybe beyond */
	if (o & 0x40)
		return r->gpa - G; /* just before */
	return r->gpa + off;
}

static uint64_t gen_size(struct st *s, struct fz *in)
{
	uint8_t z = fz_u8(in);
	uint64_t G = s->granule;
	switch (z >> 6) {
	case 0:
	case 1:
		return (uint64_t)(1 + (z & 15)) * G;
	case 2:
		return (uint64_t)(1 + (z & 3)) * (G * (G / 8)); /* block sized */
	default:
		return (z & 1) ? (uint64_t)(z >> 1) * 0x100 : (uint64_t)(z >> 1) * G + G / 2;
	}
}

static bool overlaps(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
	return a0 <= b1 && b0 <= a1;
}

static void op_map(struct st *s, struct fz *in)
{
	struct reqbuf r = {{0}, 0, IOMM_VIOMMU_MAP_SIZE - IOMM_VIOMMU_TAIL_SIZE, 4};
	uint32_t domain = gen_domain(in);
	uint64_t vs = gen_iova(s, in);
	uint64_t size = gen_size(s, in);
	uint64_t ps = gen_gpa(s, in);
	uint8_t f = fz_u8(in);
	uint32_t flags = f & 7u;
	if ((f & 0xf8) == 0xf8)
		flags |= (uint32_t)1u << (3 + (f & 7u));
	uint64_t ve = vs + size - 1;
	if ((f & 0x30) == 0x30)
		ve = vs - 1; /* inverted or empty */
	r.b[0] = IOMM_VIOMMU_T_MAP;
	iomm_put_le32(r.b + IOMM_VIOMMU_MAP_DOMAIN, domain);
	iomm_put_le64(r.b + IOMM_VIOMMU_MAP_VIRT_START, vs);
	iomm_put_le64(r.b + IOMM_VIOMMU_MAP_VIRT_END, ve);
	iomm_put_le64(r.b + IOMM_VIOMMU_MAP_PHYS_START, ps);
	iomm_put_le32(r.b + IOMM_VIOMMU_MAP_FLAGS, flags);
	lengths(in, &r, 4);

	uint32_t allowed = 0;
	int d = dom_find(s, domain);
	if (r.len < r.full) {
		allowed = SB(IOMM_VIOMMU_S_IOERR);
	} else if (!feat(s, IOMM_VIOMMU_F_MAP_UNMAP)) {
		allowed = SB(IOMM_VIOMMU_S_UNSUPP);
	} else {
		uint32_t known = IOMM_VIOMMU_MAP_F_READ | IOMM_VIOMMU_MAP_F_WRITE |
				 (feat(s, IOMM_VIOMMU_F_MMIO) ? IOMM_VIOMMU_MAP_F_MMIO : 0u);
		if ((flags & ~known) ||
		    !(flags & (IOMM_VIOMMU_MAP_F_READ | IOMM_VIOMMU_MAP_F_WRITE)))
			allowed |= SB(IOMM_VIOMMU_S_INVAL);
		if (ve < vs)
			allowed |= SB(IOMM_VIOMMU_S_INVAL);
		if (domain < s->dom_start || domain > s->dom_end)
			allowed |= SB(IOMM_VIOMMU_S_RANGE);
		if (d < 0)
			allowed |= SB(IOMM_VIOMMU_S_NOENT);
		else if (s->dom[d].bypass)
			allowed |= SB(IOMM_VIOMMU_S_INVAL);
		uint64_t pmask = (s->psmask & (~s->psmask + 1)) - 1;
		if ((vs & pmask) || (ps & pmask) || ((ve + 1) & pmask))
			allowed |= SB(IOMM_VIOMMU_S_RANGE);
		if (vs < s->in_start || ve > s->in_end)
			allowed |= SB(IOMM_VIOMMU_S_RANGE);
		uint64_t n = ve - vs + 1;
		if (ve >= vs && (!n || ps + (n - 1) < ps))
			allowed |= SB(IOMM_VIOMMU_S_RANGE);
		if (ve >= vs) {
			for (size_t i = 0; i < s->cfg.nresv; i++)
				if (overlaps(vs, ve, s->resv[i].start, s->resv[i].end))
					allowed |= SB(IOMM_VIOMMU_S_FAULT);
			if (d >= 0)
				for (unsigned i = 0; i < MAX_MAPS; i++)
					if (s->map[i].used && s->map[i].dom == (unsigned)d &&
					    overlaps(vs, ve, s->map[i].vs, s->map[i].ve))
						allowed |= SB(IOMM_VIOMMU_S_INVAL);
			/* the guest-physical range, piece by piece, in A */
			uint32_t access = ((flags & IOMM_VIOMMU_MAP_F_READ) ? IOMM_READ : 0u) |
					  ((flags & IOMM_VIOMMU_MAP_F_WRITE) ? IOMM_WRITE : 0u);
			if (n && ps + (n - 1) >= ps) {
				for (uint64_t off = 0; off < n;) {
					const struct iomm_vm_region *g = region_at(s, ps + off);
					if (!g) {
						allowed |= SB(IOMM_VIOMMU_S_RANGE);
						break;
					}
					if (access & ~g->prot)
						allowed |= SB(IOMM_VIOMMU_S_INVAL);
					uint64_t left = g->size - (ps + off - g->gpa);
					off += left < n - off ? left : n - off;
				}
			}
		}
		unsigned nused = 0;
		for (unsigned i = 0; i < MAX_MAPS; i++)
			nused += s->map[i].used;
		if (nused >= s->cfg.nmappings)
			allowed |= SB(IOMM_VIOMMU_S_NOMEM);
		if (!allowed) {
			allowed = SB(IOMM_VIOMMU_S_OK);
			if (pool_tight(s))
				allowed |= SB(IOMM_VIOMMU_S_NOMEM);
		}
	}
	size_t pool_before = iomm_pool_used(&s->pool);
	uint8_t st = send(s, &r, NULL, true);
	TRACE("op %lu: MAP dom %u 0x%llx..0x%llx -> 0x%llx flags 0x%x len %zu\n", s->op, domain,
	      FZ_ULL(vs), FZ_ULL(ve), FZ_ULL(ps), flags, r.len);
	if (st == 0xff)
		return;
	check_status(s, "MAP", st, allowed, pool_before);
	if (st != IOMM_VIOMMU_S_OK)
		return;
	for (unsigned i = 0; i < MAX_MAPS; i++)
		if (!s->map[i].used) {
			s->map[i] = (struct sh_map){true, (unsigned)d, vs, ve, ps, flags};
			return;
		}
	FZ_CHECK(0, "oracle: no mapping slot");
}

static void op_unmap(struct st *s, struct fz *in)
{
	struct reqbuf r = {{0}, 0, IOMM_VIOMMU_UNMAP_SIZE - IOMM_VIOMMU_TAIL_SIZE, 4};
	uint32_t domain = gen_domain(in);
	uint8_t k = fz_u8(in);
	uint64_t vs, ve;
	unsigned pick = k % MAX_MAPS;
	if ((k & 0x80) && s->map[pick].used) {
		/* around an existing mapping: exact, wider, or a part of it */
		const struct sh_map *m = &s->map[pick];
		vs = m->vs;
		ve = m->ve;
		if (k & 0x10)
			vs -= s->granule;
		if (k & 0x20)
			ve += s->granule;
		if (k & 0x40)
			vs += s->granule;
		if (!(k & 0x70) && (k & 1))
			domain = s->dom[m->dom].id;
	} else {
		vs = gen_iova(s, in);
		ve = (k & 1) ? UINT64_MAX : vs + gen_size(s, in) - 1;
	}
	r.b[0] = IOMM_VIOMMU_T_UNMAP;
	iomm_put_le32(r.b + IOMM_VIOMMU_UNMAP_DOMAIN, domain);
	iomm_put_le64(r.b + IOMM_VIOMMU_UNMAP_VIRT_START, vs);
	iomm_put_le64(r.b + IOMM_VIOMMU_UNMAP_VIRT_END, ve);
	set_reserved(in, r.b, 24, 4);
	lengths(in, &r, 4);

	uint32_t allowed = 0;
	int d = dom_find(s, domain);
	if (r.len < r.full) {
		allowed = SB(IOMM_VIOMMU_S_IOERR);
	} else if (!feat(s, IOMM_VIOMMU_F_MAP_UNMAP)) {
		allowed = SB(IOMM_VIOMMU_S_UNSUPP);
	} else {
		if (iomm_get_le32(r.b + 24))
			allowed |= SB(IOMM_VIOMMU_S_INVAL);
		if (ve < vs)
			allowed |= SB(IOMM_VIOMMU_S_INVAL);
		if (domain < s->dom_start || domain > s->dom_end)
			allowed |= SB(IOMM_VIOMMU_S_RANGE);
		if (d < 0)
			allowed |= SB(IOMM_VIOMMU_S_NOENT);
		else if (s->dom[d].bypass)
			allowed |= SB(IOMM_VIOMMU_S_INVAL);
		else
			for (unsigned i = 0; i < MAX_MAPS; i++) {
				const struct sh_map *m = &s->map[i];
				if (m->used && m->dom == (unsigned)d && overlaps(vs, ve, m->vs, m->ve) &&
				    (m->vs < vs || m->ve > ve))
					allowed |= SB(IOMM_VIOMMU_S_RANGE);
			}
		if (!allowed)
			allowed = SB(IOMM_VIOMMU_S_OK);
	}
	size_t pool_before = iomm_pool_used(&s->pool);
	uint8_t st = send(s, &r, NULL, true);
	TRACE("op %lu: UNMAP dom %u 0x%llx..0x%llx len %zu\n", s->op, domain, FZ_ULL(vs),
	      FZ_ULL(ve), r.len);
	if (st == 0xff)
		return;
	check_status(s, "UNMAP", st, allowed, pool_before);
	if (st != IOMM_VIOMMU_S_OK)
		return;
	for (unsigned i = 0; i < MAX_MAPS; i++) {
		struct sh_map *m = &s->map[i];
		if (m->used && m->dom == (unsigned)d && overlaps(vs, ve, m->vs, m->ve))
			m->used = false;
	}
}

static void op_probe(struct st *s, struct fz *in)
{
	struct reqbuf r = {{0}, 0, IOMM_VIOMMU_PROBE_PROPS, 0};
	uint32_t endpoint = gen_endpoint(s, in);
	r.b[0] = IOMM_VIOMMU_T_PROBE;
	iomm_put_le32(r.b + IOMM_VIOMMU_PROBE_ENDPOINT, endpoint);
	set_reserved(in, r.b, 8, 64); /* ignored */
	uint8_t z = fz_u8(in);
	size_t props = s->probe_size;
	if ((z & 3) == 1)
		props = (size_t)(z >> 2) * 8u; /* maybe too small */
	else if ((z & 3) == 2)
		props += (size_t)(z >> 2);
	lengths(in, &r, props + IOMM_VIOMMU_TAIL_SIZE);
	if (r.resp_len > 1000)
		r.resp_len = 1000;
	bool answerable = feat(s, IOMM_VIOMMU_F_PROBE);
	uint32_t allowed = 0;
	if (r.len < r.full) {
		allowed = SB(IOMM_VIOMMU_S_IOERR);
	} else {
		if (!ep_find(s, endpoint))
			allowed |= SB(IOMM_VIOMMU_S_NOENT);
		if (r.resp_len < s->probe_size + IOMM_VIOMMU_TAIL_SIZE)
			allowed |= SB(IOMM_VIOMMU_S_INVAL);
		if (!allowed)
			allowed = SB(IOMM_VIOMMU_S_OK);
	}
	uint8_t out[1024];
	size_t pool_before = iomm_pool_used(&s->pool);
	uint8_t st = send(s, &r, out, answerable);
	TRACE("op %lu: PROBE ep %u len %zu resp %zu\n", s->op, endpoint, r.len, r.resp_len);
	if (st == 0xff)
		return;
	check_status(s, "PROBE", st, allowed, pool_before);
	/* the properties: the RESV_MEM regions on success, zeroes otherwise */
	uint8_t want[1024];
	size_t plen = r.resp_len - IOMM_VIOMMU_TAIL_SIZE;
	memset(want, 0, plen);
	if (st == IOMM_VIOMMU_S_OK)
		for (size_t i = 0; i < s->cfg.nresv; i++) {
			uint8_t *p = want + i * IOMM_VIOMMU_RESV_SIZE;
			iomm_put_le16(p, IOMM_VIOMMU_PROP_RESV_MEM);
			iomm_put_le16(p + 2, IOMM_VIOMMU_RESV_SIZE - IOMM_VIOMMU_PROP_HEAD_SIZE);
			p[IOMM_VIOMMU_RESV_SUBTYPE] = s->resv[i].subtype;
			iomm_put_le64(p + IOMM_VIOMMU_RESV_START, s->resv[i].start);
			iomm_put_le64(p + IOMM_VIOMMU_RESV_END, s->resv[i].end);
		}
	FZ_CHECK(memcmp(out, want, plen) == 0, "op %lu: PROBE properties (status %u)", s->op, st);
}

/* Raw bytes: any type, any length. Nothing may change unless it is a valid
 * request, which the typed operations cover: here only refusals are accepted
 * as changing nothing, so success is allowed only for no-op shapes. */
static void op_raw(struct st *s, struct fz *in)
{
	struct reqbuf r = {{0}, 0, 0, 4};
	uint8_t n = fz_u8(in) % 80u;
	for (size_t i = 0; i < n; i++)
		r.b[i] = fz_u8(in);
	r.len = n;
	r.resp_len = (size_t)(fz_u8(in) % 16u);
	uint8_t type = n ? r.b[0] : 0;
	bool known = type >= IOMM_VIOMMU_T_ATTACH && type <= IOMM_VIOMMU_T_PROBE;
	if (type == IOMM_VIOMMU_T_PROBE && !feat(s, IOMM_VIOMMU_F_PROBE))
		known = false;
	if (known && type != IOMM_VIOMMU_T_PROBE) {
		/* make it harmless: an endpoint and a domain that do not exist */
		if (n >= 12) {
			iomm_put_le32(r.b + 4, 0xdead0000u);
			iomm_put_le32(r.b + 8, 0xdead0000u);
		}
	}
	size_t pool_before = iomm_pool_used(&s->pool);
	uint8_t st = send(s, &r, NULL, known && n > 0);
	TRACE("op %lu: RAW type %u len %u resp %zu -> %u\n", s->op, type, n, r.resp_len, st);
	if (st == 0xff)
		return;
	size_t need = type == IOMM_VIOMMU_T_ATTACH	? 20
		      : type == IOMM_VIOMMU_T_DETACH ? 20
		      : type == IOMM_VIOMMU_T_MAP    ? 36
		      : type == IOMM_VIOMMU_T_UNMAP  ? 28
						     : 72;
	if (n < need) {
		FZ_CHECK(st == IOMM_VIOMMU_S_IOERR, "op %lu: short request (%u < %zu): status %u",
			 s->op, n, need, st);
		return;
	}
	FZ_CHECK(st != IOMM_VIOMMU_S_OK || type == IOMM_VIOMMU_T_PROBE,
		 "op %lu: raw request on no endpoint and no domain succeeded", s->op);
	check_status(s, "RAW", st, 0x1ffu, pool_before);
}

static void op_set_bypass(struct st *s, struct fz *in)
{
	uint8_t v = fz_u8(in);
	int rc = iomm_vsmmu_set_bypass(&s->vm, v);
	TRACE("op %lu: set_bypass 0x%x: %d\n", s->op, v, rc);
	if (s->degraded) {
		FZ_CHECK(rc == IOMM_OK || rc == IOMM_EPERM || (s->stalled && rc == IOMM_ETIMEDOUT),
			 "op %lu: set_bypass: %d", s->op, rc);
		return;
	}
	if (!feat(s, IOMM_VIOMMU_F_BYPASS_CONFIG)) {
		FZ_CHECK(rc == IOMM_EPERM, "op %lu: bypass write without the feature: %d", s->op, rc);
		return;
	}
	FZ_CHECK(rc == IOMM_OK, "op %lu: set_bypass: %d", s->op, rc);
	s->bypass = v & 1u;
}

static void op_reset(struct st *s)
{
	int rc = iomm_vsmmu_reset(&s->vm);
	TRACE("op %lu: reset: %d\n", s->op, rc);
	FZ_CHECK(rc == IOMM_OK || (s->stalled && rc == IOMM_ETIMEDOUT), "op %lu: reset: %d", s->op,
		 rc);
	for (unsigned i = 0; i < s->nep; i++)
		s->ep[i].dom = -1;
	for (unsigned i = 0; i < MAX_DOMS; i++)
		dom_drop(s, i);
}

static void op_reassign(struct st *s, struct fz *in)
{
	struct sh_ep *ep = &s->ep[fz_u8(in) % s->nep];
	if (ep->assigned) {
		int rc = iomm_vm_unassign(&s->vm, ep->id);
		TRACE("op %lu: unassign %u: %d\n", s->op, ep->id, rc);
		if (s->stalled && rc == IOMM_ETIMEDOUT)
			return; /* still assigned */
		FZ_CHECK(rc == IOMM_OK, "op %lu: unassign %u: %d", s->op, ep->id, rc);
		ep_leave(s, ep);
		ep->assigned = false;
		return;
	}
	struct iomm_devid id = IOMM_SID(ep->sid);
	int rc = iomm_vm_assign(&s->vm, &s->smmu.unit, &id, ep->id);
	TRACE("op %lu: assign %u: %d\n", s->op, ep->id, rc);
	if (s->stalled && rc == IOMM_ETIMEDOUT)
		return; /* nothing assigned */
	FZ_CHECK(rc == IOMM_OK, "op %lu: re-assign %u: %d", s->op, ep->id, rc);
	ep->assigned = true;
	ep->dom = -1;
}

static void op_dma(struct st *s, struct fz *in)
{
	struct sh_ep *ep = &s->ep[fz_u8(in) % s->nep];
	uint64_t iova = gen_gpa(s, in) + (fz_u8(in) & 0x3fu);
	if (s->degraded) {
		uint64_t pa;
		unsigned acc = (iova & 1) ? SMMUV3_MODEL_ACC_W : SMMUV3_MODEL_ACC_R;
		if (dma(s, ep->sid, iova, acc, &pa) == 0)
			FZ_CHECK(dma_in_a(s, pa, acc), "op %lu: DMA at 0x%llx reached 0x%llx, outside A",
				 s->op, FZ_ULL(iova), FZ_ULL(pa));
		return;
	}
	struct expect e;
	expected(s, ep, &e);
	if (e.mode != M_BLOCKED && (iova >> 40))
		return; /* beyond the input size: an address-size fault, not modelled here */
	check_dma(s, ep, &e, iova, (iova & 1) ? SMMUV3_MODEL_ACC_W : SMMUV3_MODEL_ACC_R);
}

/* ---- setup ---- */

static bool setup(struct st *s, struct fz *in)
{
	uint8_t c[8];
	for (unsigned i = 0; i < 8; i++)
		c[i] = fz_u8(in);

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

	/* c0: granule, policy, regions, features */
	static const uint32_t grans[4] = {4096, 4096, 16384, 65536};
	s->granule = grans[c[0] & 3];
	uint64_t G = s->granule;
	size_t nregions = 1u + ((c[0] >> 3) & 3u);
	s->features = 0; /* the defaults */
	if (c[0] & 0x20) {
		/* a fuzzed subset of the defaults (c4) */
		s->features = (uint64_t)(c[4] & 0x77u) | (1ull << IOMM_VIOMMU_F_VERSION_1);
	}
	/* c1: quotas and pool */
	size_t ndomains = c[1] % 5u;
	size_t nmappings = (c[1] >> 3) & 15u;
	s->pool_pages = (c[1] & 0x80) ? 4u + (c[5] & 15u) : 64u;
	/* c2: ranges, resv, page_size_mask, probe_size */
	size_t nresv = (c[2] >> 4) & 3u;
	if (nresv > MAX_RESV)
		nresv = MAX_RESV;
	/* c3: endpoints */
	s->nep = 2u + (c[3] & 3u) % 3u;

	uint8_t *pm = alloc(s, (s->pool_pages + 1) * G, G);
	if (!pm)
		return false;
	FZ_CHECK(iomm_pool_init(&s->pool, iomm_posix_port(&s->px), pm, (s->pool_pages + 1) * G,
				pa_of(s, pm), G) == IOMM_OK,
		 "pool init");

	/* regions of A: 4 bytes each */
	uint64_t cursor = (uint64_t)(c[6] & 15u) * G * 16;
	for (size_t i = 0; i < nregions; i++) {
		uint8_t gap = fz_u8(in), sz = fz_u8(in), h = fz_u8(in), pr = fz_u8(in);
		struct iomm_vm_region *r = &s->regions[i];
		uint64_t size = (sz & 0x80) ? (uint64_t)(1 + (sz & 1)) * (G * (G / 8))
					    : (uint64_t)(1 + (sz & 31)) * G;
		cursor += (uint64_t)(gap & 7) * G;
		if (gap & 8)
			cursor = (cursor + G * (G / 8) - 1) & ~(G * (G / 8) - 1); /* block aligned */
		r->gpa = cursor;
		r->size = size;
		r->hpa = UINT64_C(0x8000000000) + (uint64_t)h * (UINT64_C(1) << 30) +
			 (uint64_t)(gap >> 4) * G;
		static const uint32_t acc[4] = {IOMM_READ, IOMM_READ | IOMM_WRITE, IOMM_WRITE,
						IOMM_READ | IOMM_WRITE};
		static const uint32_t mem[4] = {IOMM_MEM_WB, IOMM_MEM_NC, IOMM_MEM_DEVICE,
						IOMM_MEM_WB};
		r->prot = acc[pr & 3] | mem[(pr >> 2) & 3];
		cursor += size;
	}
	for (size_t i = 0; i < nresv; i++) {
		uint8_t a = fz_u8(in), b = fz_u8(in);
		struct iomm_vm_resv *rv = &s->resv[i];
		if (a & 1) {
			/* an MSI doorbell in a region of A */
			const struct iomm_vm_region *r = &s->regions[(a >> 1) % nregions];
			rv->subtype = IOMM_VIOMMU_RESV_T_MSI;
			rv->start = r->gpa + (uint64_t)(b % (r->size / G)) * G;
			rv->end = rv->start + ((a & 0x80) ? G / 2 : G) - 1;
		} else {
			rv->subtype = (a & 2) ? IOMM_VIOMMU_RESV_T_MSI : IOMM_VIOMMU_RESV_T_RESERVED;
			rv->start = UINT64_C(0x8000000) + (uint64_t)b * G;
			rv->end = rv->start + (uint64_t)(1 + ((a >> 2) & 15)) * G - 1;
		}
	}

	for (size_t i = 0; i < nregions; i++)
		TRACE("region %zu: gpa 0x%llx hpa 0x%llx size 0x%llx prot 0x%x\n", i,
		      FZ_ULL(s->regions[i].gpa), FZ_ULL(s->regions[i].hpa), FZ_ULL(s->regions[i].size),
		      s->regions[i].prot);
	for (size_t i = 0; i < nresv; i++)
		TRACE("resv %zu: 0x%llx..0x%llx subtype %u\n", i, FZ_ULL(s->resv[i].start),
		      FZ_ULL(s->resv[i].end), s->resv[i].subtype);
	memset(&s->cfg, 0, sizeof(s->cfg));
	s->cfg.regions = s->regions;
	s->cfg.nregions = nregions;
	s->cfg.pool = &s->pool;
	s->cfg.endpoints = s->eps;
	s->cfg.nendpoints = MAX_EPS;
	s->cfg.domains = s->doms;
	s->cfg.ndomains = ndomains;
	s->cfg.mappings = s->maps;
	s->cfg.nmappings = nmappings;
	s->cfg.events = s->evs;
	s->cfg.nevents = 2;
	s->cfg.resv = s->resv;
	s->cfg.nresv = nresv;
	s->cfg.features = s->features;
	switch (c[2] & 3) {
	case 1:
		s->cfg.input_start = 0x100000u;
		s->cfg.input_end = 0xffffffffu;
		break;
	case 2:
		s->cfg.input_start = G * 4;
		s->cfg.input_end = G * 64 - 1;
		break;
	default:
		break;
	}
	switch ((c[2] >> 2) & 3) {
	case 1:
		s->cfg.domain_start = 1;
		s->cfg.domain_end = 5;
		break;
	case 2:
		s->cfg.domain_start = 3;
		s->cfg.domain_end = 3;
		break;
	default:
		break;
	}
	if (c[2] & 0x40)
		s->cfg.page_size_mask = (G << 1) | (G * (G / 8));
	if (c[2] & 0x80)
		s->cfg.probe_size = 48u + (c[7] & 0x0fu) * 8u;
	s->cfg.policy = (c[0] & 4) ? IOMM_VM_CONFINE : IOMM_VM_BLOCK;
	int rc = iomm_vm_init(&s->vm, &s->cfg);
	if (rc) {
		/* only a RESV_MEM list longer than probe_size, or with overlapping
		 * regions, is refused here */
		bool bad = nresv * IOMM_VIOMMU_RESV_SIZE > (s->cfg.probe_size ? s->cfg.probe_size : 512u);
		if (nresv == 2 && s->resv[0].start <= s->resv[1].end &&
		    s->resv[1].start <= s->resv[0].end)
			bad = true;
		FZ_CHECK(rc == IOMM_EINVAL && bad, "vm init: %d", rc);
		return false;
	}
	s->vm_up = true;

	/* what the device advertises */
	s->features = iomm_vsmmu_features(&s->vm);
	uint8_t cb[IOMM_VIOMMU_CFG_SIZE];
	FZ_CHECK(iomm_vsmmu_config(&s->vm, cb, sizeof(cb)) == IOMM_OK, "config");
	s->psmask = iomm_get_le64(cb + IOMM_VIOMMU_CFG_PAGE_SIZE_MASK);
	s->in_start = iomm_get_le64(cb + IOMM_VIOMMU_CFG_INPUT_START);
	s->in_end = iomm_get_le64(cb + IOMM_VIOMMU_CFG_INPUT_END);
	s->dom_start = iomm_get_le32(cb + IOMM_VIOMMU_CFG_DOMAIN_START);
	s->dom_end = iomm_get_le32(cb + IOMM_VIOMMU_CFG_DOMAIN_END);
	s->probe_size = iomm_get_le32(cb + IOMM_VIOMMU_CFG_PROBE_SIZE);
	s->bypass = cb[IOMM_VIOMMU_CFG_BYPASS];
	FZ_CHECK(s->bypass == ((c[0] & 4) ? 1u : 0u), "initial config.bypass");
	FZ_CHECK((s->psmask & (~s->psmask + 1)) >= G, "page_size_mask 0x%llx finer than the granule",
		 FZ_ULL(s->psmask));

	/* endpoints: IDs 1, 3, 5, 7 (or shifted), streams 0x10 apart */
	for (unsigned i = 0; i < s->nep; i++) {
		struct sh_ep *ep = &s->ep[i];
		ep->id = 1u + 2u * i + ((c[3] & 0x80) ? 0x100u : 0u);
		ep->sid = 0x10u * (i + 1u) + ((c[3] >> 2) & 7u);
		ep->dom = -1;
		struct iomm_devid id = IOMM_SID(ep->sid);
		rc = iomm_vm_assign(&s->vm, &s->smmu.unit, &id, ep->id);
		if (rc == IOMM_ENOMEM && i == 0)
			return false; /* A does not fit the pool */
		FZ_CHECK(rc == IOMM_OK, "assign %u: %d", ep->id, rc);
		ep->assigned = true;
	}
	s->op = 0;
	check_all(s);
	return true;
}

static void teardown(struct st *s)
{
	if (s->model_up && s->stalled) {
		s->model.cfg.stall_cmdq = false; /* the input ended on a stall */
		smmuv3_model_process(&s->model);
	}
	if (s->vm_up) {
		int rc = iomm_vm_destroy(&s->vm);
		FZ_CHECK(rc == IOMM_OK, "vm destroy: %d", rc);
		/* after a stall, tables whose teardown was never confirmed stay held */
		FZ_CHECK(s->degraded || iomm_pool_used(&s->pool) == 0, "the VM left %zu table pages",
			 iomm_pool_used(&s->pool));
		hygiene(s);
	}
	if (s->smmu_up)
		FZ_CHECK(iomm_smmuv3_disable(&s->smmu) == IOMM_OK, "disable");
	if (s->model_up)
		smmuv3_model_fini(&s->model);
	if (s->px_up)
		iomm_posix_fini(&s->px);
	free(s->arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct st s;
	memset(&s, 0, sizeof(s));
	tracing = getenv("FUZZ_TRACE") != NULL;
	struct fz in = {data, size};
	if (size < 8)
		return 0;
	if (!setup(&s, &in)) {
		teardown(&s);
		return 0;
	}
	for (s.op = 1; fz_more(&in) && s.op <= MAX_OPS; s.op++) {
		uint8_t op = fz_u8(&in);
		note_old(&s);
		if (op == 0xff) {
			/* the next operation runs with the SMMU stalled */
			s.stalled = true;
			s.degraded = true;
			s.model.cfg.stall_cmdq = true;
			continue;
		}
		switch (op % 16) {
		case 0:
		case 1:
		case 2:
		case 14:
			op_map(&s, &in);
			break;
		case 3:
		case 4:
			op_unmap(&s, &in);
			break;
		case 5:
		case 6:
			op_attach(&s, &in);
			break;
		case 7:
			op_detach(&s, &in);
			break;
		case 8:
			op_probe(&s, &in);
			break;
		case 9:
			op_raw(&s, &in);
			break;
		case 10:
			op_set_bypass(&s, &in);
			break;
		case 11:
			op_reset(&s);
			break;
		case 12:
			op_reassign(&s, &in);
			break;
		default:
			op_dma(&s, &in);
			break;
		}
		if (s.stalled) {
			s.model.cfg.stall_cmdq = false;
			smmuv3_model_process(&s.model);
			s.stalled = false;
		}
		check_all(&s);
	}
	teardown(&s);
	return 0;
}
