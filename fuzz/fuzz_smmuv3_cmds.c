/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_smmuv3_cmds: the SMMUv3 backend driving the register-level SMMUv3
 * model (tools/models) through the hosted POSIX port, as the backend tests'
 * fixture does (tests/smmuv3/smmuv3_fx.c), with a fuzzed sequence of
 * operations.
 *
 * The first bytes choose the hardware and options: linear or 2-level stream
 * table, coherent or not, range invalidation or not, a small event queue,
 * which stages and granules exist, a 40- or 48-bit output size, caching of
 * invalid configuration structures, the invalidation threshold, the TLB
 * capacity. All memory the SMMU is given lies in one arena that the model
 * sees at a fixed physical address (below 2^32, so narrow output sizes
 * work); the model can reach nothing else. Then: domain init / destroy (stage 1, stage 2, bypass, blocked,
 * each with its own small pool), map, unmap, device attach / detach, DMA
 * through the model, fault polling, iova_to_phys.
 *
 * Checked after every operation, against per-domain shadow models:
 *  - status codes (argument and overlap errors predicted; ENOMEM allowed
 *    only where a pool can run out, and then nothing changes);
 *  - every DMA through the model: a stream of no attached device aborts; a
 *    bypass domain passes the address through; a blocked one aborts; a
 *    translating domain translates exactly what the shadow model maps, with
 *    its permissions, and faults (translation / permission) otherwise;
 *  - after every successful iomm_unmap(): the unmapped addresses, which were
 *    just used by DMA so that the model's TLB holds them, no longer
 *    translate for any attached device (a missing or too narrow
 *    invalidation shows as a stale translation); their neighbours still do;
 *  - fault polling delivers exactly the records the model wrote, and
 *    reports lost records exactly when the model dropped some;
 *  - the driver never provokes a command error, a write to a read-only or
 *    guarded register, or an error log line;
 *  - at the end everything is detached and destroyed, and every pool is
 *    empty again (no table page, context descriptor or stream-table span
 *    leaked); AddressSanitizer checks the heap.
 */
#include <string.h>

#include <iommuman/iommuman.h>
#include <iommuman/port_posix.h>
#include <iommuman/smmuv3.h>

#include "backend_fx.h"
#include "fuzz_common.h"
#include "shadow.h"
#include "smmuv3_model.h"

#define REGS ((uintptr_t)0x10000000u)
#define MAX_OPS 160
#define NDOMS 4
#define NDEVS 6
#define MAX_POOLS 16
#define ARENA_SIZE (UINT64_C(8) << 20)
#define PHYS_BASE UINT64_C(0x40000000) /* where the SMMU sees the arena */
#define EV_TRANSLATION (-0x10)
#define EV_PERMISSION (-0x13)
#define EV_BAD_STREAMID (-0x02)

struct dslot {
	bool live;
	struct iomm_domain d;
	enum iomm_domain_type type;
	struct iomm_pool *pool;
	struct shadow sh;
	unsigned ias, oas;
	uint64_t P;
};

struct dev {
	bool inited;
	struct iomm_dev dev;
	uint32_t sid, mask;
	int dom; /* attached domain slot, -1: none */
};

struct st {
	struct smmuv3_model_cfg mcfg;
	struct smmuv3_model model;
	bool model_up;
	uint8_t *arena; /* all memory the SMMU may see */
	size_t arena_used;
	uint64_t rejected; /* model accesses outside the arena */
	struct iomm_posix px;
	struct bfx b; /* the port and its model window (tests/common/backend_fx.h) */
	struct iomm_smmuv3 smmu;
	struct iomm_smmuv3_cfg cfg;
	struct iomm_smmuv3_mem mem;
	struct iomm_pool *st_pool;
	bool two_level;
	unsigned sid_bits;
	struct iomm_pool pools[MAX_POOLS];
	unsigned npools;
	struct dslot dom[NDOMS];
	struct dev dev[NDEVS];
	uint64_t ev_seen, ovf_seen; /* model counters at the last poll */
	unsigned long op;
};

/* Zeroed memory from the arena, or NULL when it is used up. */
/* FUZZ_TRACE=1 in the environment prints every operation (for reproducers). */
static bool tracing;
#define TRACE(...)                                                                                 \
	do {                                                                                       \
		if (tracing)                                                                       \
			fprintf(stderr, __VA_ARGS__);                                              \
	} while (0)

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

static struct iomm_pool *new_pool(struct st *s, size_t page, size_t npages)
{
	if (s->npools >= MAX_POOLS)
		return NULL;
	size_t bytes = (npages + 1) * page;
	void *mem = alloc(s, bytes, page);
	if (!mem)
		return NULL;
	struct iomm_pool *p = &s->pools[s->npools++];
	FZ_CHECK(iomm_pool_init(p, iomm_posix_port(&s->px), mem, bytes, pa_of(s, mem), page) ==
			 IOMM_OK,
		 "pool init");
	return p;
}

/* The model's view of memory: the arena only; anything else is an external abort. */
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

/* ---- the model behind the port ---- */

BFX_MODEL_MMIO(mmio_ops, struct smmuv3_model, smmuv3_model_read, smmuv3_model_write);

/* ---- invariants checked after every operation ---- */

static void hygiene(struct st *s)
{
	const struct smmuv3_model_stats *m = &s->model.stats;
	FZ_CHECK(m->ro_writes == 0 && m->guarded_writes == 0 && m->bad_accesses == 0 &&
			 m->gbpa_bad_writes == 0 && m->gerrorn_bad == 0 && m->cmdq_overruns == 0 &&
			 m->anomalies == 0,
		 "op %lu: the model saw odd driver behaviour (ro %llu guarded %llu bad %llu gbpa %llu "
		 "gerrorn %llu overruns %llu anomalies %llu)",
		 s->op, FZ_ULL(m->ro_writes), FZ_ULL(m->guarded_writes), FZ_ULL(m->bad_accesses),
		 FZ_ULL(m->gbpa_bad_writes), FZ_ULL(m->gerrorn_bad), FZ_ULL(m->cmdq_overruns),
		 FZ_ULL(m->anomalies));
	FZ_CHECK(m->cmd_errors == 0 && !smmuv3_model_cmdq_error(&s->model) &&
			 s->smmu.stats.cmd_errors == 0,
		 "op %lu: command error (model %llu, driver %llu)", s->op, FZ_ULL(m->cmd_errors),
		 FZ_ULL(s->smmu.stats.cmd_errors));
	FZ_CHECK(iomm_posix_log_count(&s->px, IOMM_LOG_ERROR) == 0, "op %lu: error logged: %s",
		 s->op, s->px.log_last);
	FZ_CHECK(s->px.lock_depth == 0, "op %lu: lock held after a call", s->op);
	FZ_CHECK(s->rejected == 0, "op %lu: the SMMU accessed memory outside what it was given",
		 s->op);
}

/* ---- expected DMA results ---- */

static const struct dev *owner(const struct st *s, uint32_t sid)
{
	for (unsigned i = 0; i < NDEVS; i++) {
		const struct dev *d = &s->dev[i];
		if (d->inited && d->dom >= 0 && ((sid ^ d->sid) & ~d->mask) == 0)
			return d;
	}
	return NULL;
}

static void check_dma(struct st *s, uint32_t sid, uint64_t iova, unsigned acc)
{
	uint64_t pa = 0;
	int rc = smmuv3_model_dma(&s->model, sid, 0, false, iova, acc, &pa);
	TRACE("op %lu:   dma sid 0x%x 0x%llx acc %u: %d pa 0x%llx\n", s->op, sid, FZ_ULL(iova), acc,
	      rc, FZ_ULL(pa));
	const struct dev *d = owner(s, sid);
	if (sid >> s->sid_bits) {
		FZ_CHECK(rc == EV_BAD_STREAMID, "op %lu: DMA from sid 0x%x beyond the stream table: %d",
			 s->op, sid, rc);
		return;
	}
	if (!d) {
		FZ_CHECK(rc == SMMUV3_MODEL_ABORT || (s->two_level && rc == EV_BAD_STREAMID),
			 "op %lu: DMA from unattached sid 0x%x at 0x%llx: %d (pa 0x%llx)", s->op, sid,
			 FZ_ULL(iova), rc, FZ_ULL(pa));
		return;
	}
	const struct dslot *ds = &s->dom[d->dom];
	switch (ds->type) {
	case IOMM_DOMAIN_BYPASS:
		if (iova >> s->smmu.unit.oas)
			FZ_CHECK(rc != 0, "bypass beyond the output size translated");
		else
			FZ_CHECK(rc == 0 && pa == iova, "op %lu: bypass sid 0x%x 0x%llx: %d pa 0x%llx",
				 s->op, sid, FZ_ULL(iova), rc, FZ_ULL(pa));
		return;
	case IOMM_DOMAIN_BLOCKED:
		FZ_CHECK(rc == SMMUV3_MODEL_ABORT, "op %lu: blocked sid 0x%x: %d", s->op, sid, rc);
		return;
	default:
		break;
	}
	if (iova >> ds->ias) {
		FZ_CHECK(rc != 0, "op %lu: sid 0x%x: 0x%llx beyond ias %u translated", s->op, sid,
			 FZ_ULL(iova), ds->ias);
		return;
	}
	const struct shadow_ext *e = shadow_find(&ds->sh, iova);
	if (!e) {
		FZ_CHECK(rc == EV_TRANSLATION,
			 "op %lu: sid 0x%x domain %d: unmapped 0x%llx gave %d (pa 0x%llx), expected a "
			 "translation fault",
			 s->op, sid, d->dom, FZ_ULL(iova), rc, FZ_ULL(pa));
		return;
	}
	bool ok;
	bool write = (acc & SMMUV3_MODEL_ACC_W) != 0;
	if (ds->type == IOMM_DOMAIN_S2) {
		ok = write ? (e->prot & IOMM_WRITE) != 0 : (e->prot & IOMM_READ) != 0;
	} else {
		ok = !write || (e->prot & IOMM_WRITE);
		if ((e->prot & IOMM_PRIV) && !(acc & SMMUV3_MODEL_ACC_PRIV))
			ok = false;
	}
	uint64_t want = e->pa + (iova - e->iova);
	if (ok)
		FZ_CHECK(rc == 0 && pa == want,
			 "op %lu: sid 0x%x domain %d: 0x%llx (acc %u) gave %d pa 0x%llx, expected 0x%llx",
			 s->op, sid, d->dom, FZ_ULL(iova), acc, rc, FZ_ULL(pa), FZ_ULL(want));
	else
		FZ_CHECK(rc == EV_PERMISSION,
			 "op %lu: sid 0x%x domain %d: 0x%llx (acc %u, prot 0x%x) gave %d, expected a "
			 "permission fault",
			 s->op, sid, d->dom, FZ_ULL(iova), acc, e->prot, rc);
}

/* ---- setup ---- */

static bool setup(struct st *s, struct fz *in)
{
	uint8_t c0 = fz_u8(in), c1 = fz_u8(in), c2 = fz_u8(in), c3 = fz_u8(in);

	smmuv3_model_cfg_default(&s->mcfg);
	s->two_level = (c0 & 1) != 0;
	bool coherent = !(c0 & 2);
	s->mcfg.cohacc = coherent;
	s->mcfg.ril = !(c0 & 4);
	if ((c0 & 0x30) == 0x10)
		s->mcfg.s2p = false;
	else if ((c0 & 0x30) == 0x20)
		s->mcfg.s1p = false;
	if (!s->mcfg.s1p || !s->mcfg.s2p)
		s->mcfg.nesting = false;
	s->mcfg.oas_bits = (c0 & 0x40) ? 40 : 48;
	s->mcfg.cache_invalid_cfg = (c0 & 0x80) != 0;
	s->mcfg.gran4k = (c1 & 1) != 0;
	s->mcfg.gran16k = (c1 & 2) != 0;
	s->mcfg.gran64k = (c1 & 4) != 0;
	if (!(c1 & 7))
		s->mcfg.gran4k = true;
	if (c3)
		s->mcfg.tlb_capacity = 8u + (c3 & 63u);
	s->mcfg.read_mem = phys_read;
	s->mcfg.write_mem = phys_write;
	s->mcfg.mem_ctx = s;
	s->arena = aligned_alloc(1u << 20, ARENA_SIZE);
	FZ_CHECK(s->arena != NULL, "out of memory");
	FZ_CHECK(smmuv3_model_init(&s->model, &s->mcfg) == 0, "model init");
	s->model_up = true;

	bfx_init(&s->b, &s->px, coherent ? IOMM_PORT_DMA_COHERENT : 0);
	s->b.log_level = IOMM_LOG_WARN;
	bfx_add_model(&s->b, REGS, SMMUV3_M_MMIO_SIZE, &mmio_ops, &s->model);

	memset(&s->cfg, 0, sizeof(s->cfg));
	s->cfg.sid_bits = 8;
	s->cfg.inv_threshold = c2 & 15u;
	size_t evtq_entries = (c0 & 8) ? 4 : 64;
	if (s->two_level) {
		s->cfg.flags |= IOMM_SMMUV3_CFG_2LVL;
		s->mem.strtab_size = 64; /* 8 level-1 descriptors; 64 streams per 4 KiB span */
		s->st_pool = new_pool(s, 4096, 1 + (c2 >> 6));
	} else {
		s->mem.strtab_size = 64u << 8;
	}
	s->mem.strtab = alloc(s, s->mem.strtab_size, s->mem.strtab_size);
	s->mem.strtab_pa = pa_of(s, s->mem.strtab);
	s->mem.cmdq_size = 16u * 64u;
	s->mem.cmdq = alloc(s, s->mem.cmdq_size, s->mem.cmdq_size);
	s->mem.cmdq_pa = pa_of(s, s->mem.cmdq);
	s->mem.evtq_size = 32u * evtq_entries;
	s->mem.evtq = alloc(s, s->mem.evtq_size, s->mem.evtq_size);
	s->mem.evtq_pa = pa_of(s, s->mem.evtq);
	int rc = iomm_smmuv3_init(&s->smmu, iomm_posix_port(&s->px), REGS, &s->mem, s->st_pool,
				  &s->cfg);
	FZ_CHECK(rc == IOMM_OK, "iomm_smmuv3_init: %d", rc);
	s->sid_bits = s->smmu.unit.sid_bits;
	FZ_CHECK(s->sid_bits == 8, "%u stream ID bits, asked for 8", s->sid_bits);
	for (unsigned i = 0; i < NDEVS; i++)
		s->dev[i].dom = -1;
	for (unsigned i = 0; i < NDOMS; i++)
		shadow_init(&s->dom[i].sh);
	hygiene(s);
	return true;
}

/* ---- operations ---- */

static uint32_t granule_of(const struct st *s, uint8_t k)
{
	static const uint32_t g[4] = {0, 4096, 16384, 65536};
	(void)s;
	return g[k & 3];
}

static void op_domain_init(struct st *s, struct fz *in)
{
	uint8_t a = fz_u8(in), b = fz_u8(in), c = fz_u8(in);
	struct dslot *ds = &s->dom[a % NDOMS];
	if (ds->live)
		return;
	static const enum iomm_domain_type types[4] = {IOMM_DOMAIN_S1, IOMM_DOMAIN_S2,
						       IOMM_DOMAIN_BYPASS, IOMM_DOMAIN_BLOCKED};
	enum iomm_domain_type type = types[(a >> 2) & 3];
	if ((a >> 4) & 1)
		type = (a >> 5) & 1 ? IOMM_DOMAIN_S1 : IOMM_DOMAIN_S2; /* mostly translating */
	uint32_t gran = granule_of(s, b);
	uint32_t granules = s->smmu.unit.granules;
	uint32_t eff = gran ? gran : granules & (0u - granules);
	static const uint8_t iases[8] = {0, 0, 0, 32, 36, 40, 42, 48};
	uint8_t ias = iases[(b >> 2) & 7];
	bool s2_too_wide = type == IOMM_DOMAIN_S2 && ias > s->smmu.unit.oas;
#ifndef IOMM_FUZZ_STRICT
	/*
	 * Library bug, reported: a stage-2 domain with an input size above the
	 * unit's output size is accepted, and the SMMU then rejects its stream
	 * table entries (C_BAD_STE: S2T0SZ below 64 - OAS) although attach
	 * succeeded. iommu.h promises ENOTSUP for an address size the unit
	 * lacks. Until that is fixed such domains are not generated; build with
	 * -DIOMM_FUZZ_STRICT to expect ENOTSUP instead.
	 */
	if (s2_too_wide) {
		ias = 0;
		s2_too_wide = false;
	}
#endif
	struct iomm_domain_cfg cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.type = type;
	cfg.granule = gran;
	cfg.ias = ias;
	bool tables = type == IOMM_DOMAIN_S1 || type == IOMM_DOMAIN_S2;
	struct iomm_pool *pool = NULL;
	if (tables && !(b & 0x80)) {
		size_t npages = 1 + (c % (eff == 65536 ? 6 : 12));
		pool = new_pool(s, eff, npages);
		if (!pool)
			return;
	}
	cfg.pool = pool;

	int want = IOMM_OK;
	if ((type == IOMM_DOMAIN_S1 && !s->mcfg.s1p) || (type == IOMM_DOMAIN_S2 && !s->mcfg.s2p))
		want = IOMM_ENOTSUP;
	else if (tables && !pool)
		want = IOMM_EINVAL;
	else if (tables && !(granules & eff))
		want = IOMM_ENOTSUP;
	else if (s2_too_wide)
		want = IOMM_ENOTSUP;
	int rc = iomm_domain_init(&ds->d, &s->smmu.unit, &cfg);
	TRACE("op %lu: domain %ld init type %d granule %u ias %u pool %zu pages: %d\n", s->op,
	      (long)(ds - s->dom), (int)type, gran, ias, pool ? iomm_pool_capacity(pool) : 0, rc);
	if (want == IOMM_OK && rc == IOMM_ENOMEM && pool) {
		FZ_CHECK(iomm_pool_used(pool) == 0, "op %lu: a failed domain init kept %zu pages",
			 s->op, iomm_pool_used(pool));
		return;
	}
	FZ_CHECK(rc == want, "op %lu: domain init (type %d, granule %u, ias %u) = %d, expected %d",
		 s->op, (int)type, gran, ias, rc, want);
	if (rc)
		return;
	ds->live = true;
	ds->type = type;
	ds->pool = pool;
	if (tables) {
		struct iomm_lpae_regs r;
		FZ_CHECK(iomm_pgt_lpae_regs(&ds->d.pgt, &r) == IOMM_OK, "lpae_regs");
		static const uint8_t ps_bits[7] = {32, 36, 40, 42, 44, 48, 52};
		ds->ias = 64u - r.tsz;
		ds->oas = ps_bits[r.ps < 7 ? r.ps : 6];
		ds->P = r.tg == 0 ? 4096 : r.tg == 1 ? 65536 : 16384;
		FZ_CHECK(ds->P == eff, "granule %llu, asked for %u", FZ_ULL(ds->P), eff);
		if (ias)
			FZ_CHECK(ds->ias == ias, "ias %u, asked for %u", ds->ias, ias);
		FZ_CHECK(ds->oas <= s->smmu.unit.oas, "oas %u beyond the unit's %u", ds->oas,
			 s->smmu.unit.oas);
		size_t want_pages = r.concat + (type == IOMM_DOMAIN_S1 ? 1u : 0u);
		FZ_CHECK(iomm_pool_used(pool) == want_pages, "op %lu: new domain holds %zu pages, expected %zu",
			 s->op, iomm_pool_used(pool), want_pages);
	}
}

static void op_domain_destroy(struct st *s, struct fz *in)
{
	struct dslot *ds = &s->dom[fz_u8(in) % NDOMS];
	int rc = iomm_domain_destroy(&ds->d);
	TRACE("op %lu: domain %ld destroy: %d\n", s->op, (long)(ds - s->dom), rc);
	if (!ds->live) {
		FZ_CHECK(rc == IOMM_EINVAL, "op %lu: destroying a dead domain: %d", s->op, rc);
		return;
	}
	unsigned ndevs = 0;
	for (unsigned i = 0; i < NDEVS; i++)
		if (s->dev[i].dom == ds - s->dom)
			ndevs++;
	if (ndevs) {
		FZ_CHECK(rc == IOMM_EBUSY, "op %lu: destroying a domain with %u devices: %d", s->op,
			 ndevs, rc);
		return;
	}
	FZ_CHECK(rc == IOMM_OK, "op %lu: domain destroy: %d", s->op, rc);
	if (ds->pool)
		FZ_CHECK(iomm_pool_used(ds->pool) == 0, "op %lu: destroyed domain left %zu pages",
			 s->op, iomm_pool_used(ds->pool));
	ds->live = false;
	shadow_fini(&ds->sh);
	shadow_init(&ds->sh);
	memset(&ds->d, 0, sizeof(ds->d));
}

static void gen_range(const struct dslot *ds, struct fz *in, uint64_t *iova, uint64_t *size)
{
	uint8_t k = fz_u8(in), slot = fz_u8(in), z = fz_u8(in);
	uint64_t P = ds->P ? ds->P : 4096;
	unsigned g = (unsigned)__builtin_ctzll(P);
	uint64_t b2 = 1ull << (g + (g - 3));
	uint64_t align;
	switch (k & 3) {
	case 0:
		align = P;
		break;
	case 1:
		align = P * 16;
		break;
	case 2:
		align = b2;
		break;
	default:
		align = b2 * 16;
		break;
	}
	uint64_t top = ds->ias ? 1ull << ds->ias : 1ull << 32;
	uint64_t base = (k & 4) ? top / 2 : 0;
	if (align > top / 64)
		align = P;
	*iova = base + (uint64_t)(slot % 32) * align + (uint64_t)((k >> 3) & 7) * P;
	switch (z >> 6) {
	case 0:
		*size = (uint64_t)(1 + (z & 31)) * P;
		break;
	case 1:
		*size = align * (uint64_t)(1 + (z & 3));
		break;
	case 2:
		*size = b2 * (uint64_t)(1 + (z & 3)) + (uint64_t)((z >> 2) & 3) * P;
		break;
	default:
		*size = (z & 1) ? 0 : (uint64_t)(z & 0x3e) * P + P / 2; /* invalid */
		break;
	}
}

static int predict(const struct dslot *ds, uint64_t iova, uint64_t size)
{
	if (ds->type != IOMM_DOMAIN_S1 && ds->type != IOMM_DOMAIN_S2)
		return IOMM_EINVAL;
	uint64_t end = iova + size;
	if (!size || ((iova | size) & (ds->P - 1)) || end < iova)
		return IOMM_EINVAL;
	if (end > (1ull << ds->ias))
		return IOMM_ERANGE;
	return IOMM_OK;
}

static void op_map(struct st *s, struct fz *in)
{
	struct dslot *ds = &s->dom[fz_u8(in) % NDOMS];
	if (!ds->live)
		return;
	uint64_t iova, size;
	gen_range(ds, in, &iova, &size);
	uint8_t m = fz_u8(in);
	uint64_t pa;
	uint64_t otop = 1ull << (ds->oas ? ds->oas : 32);
	switch (m & 3) {
	case 0:
		pa = iova & (otop / 2 - 1); /* congruent: blocks */
		break;
	case 1:
		pa = ((uint64_t)fz_u16(in) * (ds->P ? ds->P : 4096)) & (otop - 1);
		break;
	case 2:
		pa = otop - size; /* the last bytes of the output range */
		break;
	default:
		pa = otop; /* beyond */
		break;
	}
	uint32_t prot = (fz_u8(in) & 0x0fu) | IOMM_MEM_WB;
	int want = predict(ds, iova, size);
	if (want == IOMM_OK) {
		if (pa + size < pa || (pa & (ds->P - 1)))
			want = IOMM_EINVAL;
		else if (pa + size > (1ull << ds->oas))
			want = IOMM_ERANGE;
		else if (!(prot & (IOMM_READ | IOMM_WRITE)))
			want = IOMM_EINVAL;
		else if (ds->type == IOMM_DOMAIN_S2 && (prot & IOMM_PRIV))
			want = IOMM_EINVAL; /* stage 2 checks no privilege: refused */
		else if (shadow_overlaps(&ds->sh, iova, size))
			want = IOMM_EEXIST;
	}
	size_t used = ds->pool ? iomm_pool_used(ds->pool) : 0;
	int rc = iomm_map(&ds->d, iova, pa, size, prot);
	TRACE("op %lu: domain %ld map 0x%llx +0x%llx -> 0x%llx prot 0x%x: %d\n", s->op,
	      (long)(ds - s->dom), FZ_ULL(iova), FZ_ULL(size), FZ_ULL(pa), prot, rc);
	if (want == IOMM_OK && rc == IOMM_ENOMEM) {
		FZ_CHECK(iomm_pool_used(ds->pool) == used, "op %lu: failed map changed pool use",
			 s->op);
		return;
	}
	FZ_CHECK(rc == want, "op %lu: map(0x%llx, 0x%llx, 0x%llx, 0x%x) = %d, expected %d", s->op,
		 FZ_ULL(iova), FZ_ULL(pa), FZ_ULL(size), prot, rc, want);
	if (rc == IOMM_OK) {
		FZ_CHECK(shadow_map(&ds->sh, iova, pa, size, prot), "model refused");
		/* the new mapping is visible at once to every attached device */
		for (unsigned i = 0; i < NDEVS; i++)
			if (s->dev[i].inited && s->dev[i].dom == ds - s->dom) {
				check_dma(s, s->dev[i].sid, iova, SMMUV3_MODEL_ACC_R);
				check_dma(s, s->dev[i].sid, iova + size - 1, SMMUV3_MODEL_ACC_W);
			}
	}
}

/* Addresses to probe around an unmap: pieces that go away and their neighbours. */
struct probes {
	uint64_t a[48];
	unsigned n;
};

static void probe_add(struct probes *p, uint64_t a)
{
	if (p->n < sizeof(p->a) / sizeof(p->a[0]))
		p->a[p->n++] = a;
}

static void dma_all(struct st *s, const struct dslot *ds, const struct probes *p)
{
	for (unsigned i = 0; i < NDEVS; i++) {
		const struct dev *d = &s->dev[i];
		if (!d->inited || d->dom != ds - s->dom)
			continue;
		for (unsigned k = 0; k < p->n; k++)
			check_dma(s, d->sid | (d->mask & k), p->a[k],
				  (k & 1) ? SMMUV3_MODEL_ACC_R : SMMUV3_MODEL_ACC_R | SMMUV3_MODEL_ACC_PRIV);
	}
}

static void op_unmap(struct st *s, struct fz *in)
{
	struct dslot *ds = &s->dom[fz_u8(in) % NDOMS];
	if (!ds->live)
		return;
	uint8_t k = fz_u8(in);
	uint64_t iova, size;
	if ((k & 1) && ds->sh.n) {
		const struct shadow_ext *e = &ds->sh.v[fz_u8(in) % ds->sh.n];
		uint64_t pages = e->size / ds->P;
		uint64_t off = (k & 2) ? (fz_u16(in) % pages) * ds->P : 0;
		iova = e->iova + off;
		size = (k & 4) ? (fz_u16(in) % (pages - off / ds->P) + 1) * ds->P : e->size - off;
		if (k & 8)
			size += (uint64_t)(fz_u8(in) & 7) * ds->P;
	} else {
		gen_range(ds, in, &iova, &size);
	}
	int want = predict(ds, iova, size);

	/* probe: the pieces that will go away (priming the TLB), and the neighbours */
	struct probes p = {{0}, 0};
	if (want == IOMM_OK) {
		for (size_t i = shadow_lower_bound(&ds->sh, iova);
		     i < ds->sh.n && ds->sh.v[i].iova < iova + size; i++) {
			const struct shadow_ext *e = &ds->sh.v[i];
			uint64_t lo = e->iova > iova ? e->iova : iova;
			uint64_t hi = e->iova + e->size < iova + size ? e->iova + e->size : iova + size;
			probe_add(&p, lo);
			probe_add(&p, hi - 1);
			probe_add(&p, lo + ((hi - lo) / 2 & ~(ds->P - 1)));
		}
		if (iova >= ds->P)
			probe_add(&p, iova - 1);
		probe_add(&p, iova + size);
		dma_all(s, ds, &p);
	}
	size_t used = ds->pool ? iomm_pool_used(ds->pool) : 0;
	uint64_t unmapped = ~0ull;
	int rc = iomm_unmap(&ds->d, iova, size, &unmapped);
	TRACE("op %lu: domain %ld unmap 0x%llx +0x%llx: %d (0x%llx bytes)\n", s->op,
	      (long)(ds - s->dom), FZ_ULL(iova), FZ_ULL(size), rc, FZ_ULL(unmapped));
	if (want == IOMM_OK && rc == IOMM_ENOMEM) {
		FZ_CHECK(iomm_pool_used(ds->pool) == used, "op %lu: failed unmap changed pool use",
			 s->op);
		dma_all(s, ds, &p); /* nothing changed */
		return;
	}
	FZ_CHECK(rc == want, "op %lu: unmap(0x%llx, 0x%llx) = %d, expected %d", s->op, FZ_ULL(iova),
		 FZ_ULL(size), rc, want);
	if (rc)
		return;
	uint64_t removed = shadow_unmap(&ds->sh, iova, size, NULL, NULL);
	FZ_CHECK(unmapped == removed, "op %lu: unmap reported 0x%llx bytes, the model 0x%llx", s->op,
		 FZ_ULL(unmapped), FZ_ULL(removed));
	/* the removed pieces fault now, for every attached device; neighbours still translate */
	dma_all(s, ds, &p);
	for (unsigned i = 0; i < p.n; i++) {
		uint64_t pa;
		if (p.a[i] >= iova && p.a[i] < iova + size)
			FZ_CHECK(iomm_iova_to_phys(&ds->d, p.a[i], &pa) == IOMM_ENOENT,
				 "iova_to_phys after unmap");
	}
}

static void op_attach(struct st *s, struct fz *in)
{
	uint8_t a = fz_u8(in), b = fz_u8(in);
	struct dev *d = &s->dev[a % NDEVS];
	struct dslot *ds = &s->dom[b % NDOMS];
	if (!d->inited) {
		static const uint32_t masks[4] = {0, 0, 1, 3};
		uint32_t sid = fz_u8(in);
		uint32_t mask = masks[(a >> 4) & 3];
		if (a & 0x80)
			sid |= 0x100; /* beyond 8 bits */
		struct iomm_devid id = IOMM_SID(sid);
		id.mask = mask;
		int rc = iomm_dev_init(&d->dev, &s->smmu.unit, &id);
		if ((sid | mask) >> s->sid_bits) {
			FZ_CHECK(rc == IOMM_ERANGE, "op %lu: dev init sid 0x%x: %d", s->op, sid, rc);
			return;
		}
		FZ_CHECK(rc == IOMM_OK, "op %lu: dev init: %d", s->op, rc);
		d->inited = true;
		d->sid = sid & ~mask;
		d->mask = mask;
	}
	int want = IOMM_OK;
	if (!ds->live) {
		want = IOMM_EINVAL;
	} else if (d->dom >= 0) {
		want = IOMM_EBUSY;
	} else {
		for (unsigned i = 0; i < NDEVS; i++) {
			const struct dev *o = &s->dev[i];
			if (o != d && o->inited && o->dom >= 0 &&
			    ((o->sid ^ d->sid) & ~(o->mask | d->mask)) == 0)
				want = IOMM_EBUSY;
		}
	}
	int rc = iomm_attach(&ds->d, &d->dev);
	TRACE("op %lu: attach sid 0x%x mask 0x%x to domain %ld: %d\n", s->op, d->sid, d->mask,
	      (long)(ds - s->dom), rc);
	if (want == IOMM_OK && rc == IOMM_ENOMEM && s->two_level) {
		check_dma(s, d->sid, 0, SMMUV3_MODEL_ACC_R); /* still aborts */
		return;
	}
	FZ_CHECK(rc == want, "op %lu: attach dev sid 0x%x/0x%x to domain %ld: %d, expected %d",
		 s->op, d->sid, d->mask, (long)(ds - s->dom), rc, want);
	if (rc == IOMM_OK) {
		d->dom = (int)(ds - s->dom);
		/* every stream of the device now sees the domain */
		for (size_t i = 0; i < ds->sh.n && i < 4; i++)
			check_dma(s, d->sid | d->mask, ds->sh.v[i].iova, SMMUV3_MODEL_ACC_R);
		check_dma(s, d->sid, 0x1000, SMMUV3_MODEL_ACC_R);
	}
}

static void op_detach(struct st *s, struct fz *in)
{
	struct dev *d = &s->dev[fz_u8(in) % NDEVS];
	if (!d->inited)
		return;
	int rc = iomm_detach(&d->dev);
	TRACE("op %lu: detach sid 0x%x: %d\n", s->op, d->sid, rc);
	if (d->dom < 0) {
		FZ_CHECK(rc == IOMM_ENOENT, "op %lu: detach of a detached device: %d", s->op, rc);
		return;
	}
	FZ_CHECK(rc == IOMM_OK, "op %lu: detach: %d", s->op, rc);
	const struct dslot *ds = &s->dom[d->dom];
	d->dom = -1;
	/* it aborts at once, also where the domain maps */
	for (size_t i = 0; i < ds->sh.n && i < 4; i++)
		check_dma(s, d->sid, ds->sh.v[i].iova, SMMUV3_MODEL_ACC_R);
	check_dma(s, d->sid | d->mask, 0x1000, SMMUV3_MODEL_ACC_R);
}

static void op_dma(struct st *s, struct fz *in)
{
	uint8_t a = fz_u8(in), b = fz_u8(in);
	uint32_t sid;
	const struct dev *d = &s->dev[a % NDEVS];
	if (d->inited)
		sid = d->sid | (d->mask & b);
	else
		sid = (uint32_t)fz_u8(in) | ((a & 0x80) ? 0x100u : 0u);
	uint64_t iova;
	const struct dslot *ds = d->inited && d->dom >= 0 ? &s->dom[d->dom] : NULL;
	if (ds && ds->sh.n && (b & 0x80)) {
		const struct shadow_ext *e = &ds->sh.v[fz_u8(in) % ds->sh.n];
		iova = e->iova + fz_u32(in) % e->size;
	} else {
		iova = (uint64_t)fz_u32(in) << (b & 0x10 ? 12 : 0);
	}
	unsigned acc = (b & 1) ? SMMUV3_MODEL_ACC_W : SMMUV3_MODEL_ACC_R;
	if (b & 2)
		acc |= SMMUV3_MODEL_ACC_PRIV;
	check_dma(s, sid, iova, acc);
}

struct poll_arg {
	uint64_t records, lost;
};

static void poll_cb(void *arg, const struct iomm_fault *f)
{
	struct poll_arg *p = arg;
	if (f->raw == 0 && f->lost) { /* an overflow report on its own */
		p->lost += f->lost;
		return;
	}
	p->records++;
	p->lost += f->lost;
	FZ_CHECK(f->reason != IOMM_FAULT_OTHER, "fault record of an unexpected kind 0x%x", f->raw);
}

static void op_poll(struct st *s)
{
	struct poll_arg p = {0, 0};
	int rc = iomm_fault_poll(&s->smmu.unit, poll_cb, &p);
	TRACE("op %lu: fault poll: %d\n", s->op, rc);
	FZ_CHECK(rc >= 0, "op %lu: fault_poll: %d", s->op, rc);
	uint64_t written = s->model.stats.events_written - s->ev_seen;
	uint64_t dropped = s->model.stats.events_overflowed - s->ovf_seen;
	s->ev_seen = s->model.stats.events_written;
	s->ovf_seen = s->model.stats.events_overflowed;
	FZ_CHECK(p.records == written, "op %lu: %llu fault records delivered, the model wrote %llu",
		 s->op, FZ_ULL(p.records), FZ_ULL(written));
	FZ_CHECK((p.lost != 0) == (dropped != 0), "op %lu: lost %llu reported, the model dropped %llu",
		 s->op, FZ_ULL(p.lost), FZ_ULL(dropped));
}

static void op_xlate(struct st *s, struct fz *in)
{
	const struct dslot *ds = &s->dom[fz_u8(in) % NDOMS];
	uint64_t iova = (uint64_t)fz_u32(in) << 8, pa = 0;
	if (!ds->live) {
		FZ_CHECK(iomm_iova_to_phys(&ds->d, iova, &pa) == IOMM_EINVAL, "iova_to_phys, dead domain");
		return;
	}
	int rc = iomm_iova_to_phys(&ds->d, iova, &pa);
	if (ds->type != IOMM_DOMAIN_S1 && ds->type != IOMM_DOMAIN_S2) {
		FZ_CHECK(rc == IOMM_EINVAL, "iova_to_phys on a domain without tables: %d", rc);
		return;
	}
	const struct shadow_ext *e = iova >> ds->ias ? NULL : shadow_find(&ds->sh, iova);
	if (e)
		FZ_CHECK(rc == IOMM_OK && pa == e->pa + (iova - e->iova), "iova_to_phys(0x%llx)",
			 FZ_ULL(iova));
	else
		FZ_CHECK(rc == IOMM_ENOENT, "iova_to_phys(0x%llx) of an unmapped address: %d",
			 FZ_ULL(iova), rc);
}

static void teardown(struct st *s)
{
	if (s->b.px_up && s->model_up && s->smmu.unit.ops) {
		for (unsigned i = 0; i < NDEVS; i++)
			if (s->dev[i].inited && s->dev[i].dom >= 0) {
				FZ_CHECK(iomm_detach(&s->dev[i].dev) == IOMM_OK, "final detach");
				s->dev[i].dom = -1;
			}
		op_poll(s);
		for (unsigned i = 0; i < NDOMS; i++)
			if (s->dom[i].live) {
				FZ_CHECK(iomm_domain_destroy(&s->dom[i].d) == IOMM_OK, "final destroy");
				if (s->dom[i].pool)
					FZ_CHECK(iomm_pool_used(s->dom[i].pool) == 0,
						 "domain %u left %zu pages", i,
						 iomm_pool_used(s->dom[i].pool));
				s->dom[i].live = false;
			}
		hygiene(s);
		FZ_CHECK(iomm_smmuv3_disable(&s->smmu) == IOMM_OK, "disable");
	}
	for (unsigned i = 0; i < NDOMS; i++)
		shadow_fini(&s->dom[i].sh);
	if (s->model_up)
		smmuv3_model_fini(&s->model);
	bfx_fini(&s->b);
	free(s->arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct st s;
	memset(&s, 0, sizeof(s));
	tracing = getenv("FUZZ_TRACE") != NULL;
	struct fz in = {data, size};
	if (size < 4) {
		teardown(&s);
		return 0;
	}
	setup(&s, &in);
	for (s.op = 0; fz_more(&in) && s.op < MAX_OPS; s.op++) {
		uint8_t op = fz_u8(&in);
		switch (op % 12) {
		case 0:
			op_domain_init(&s, &in);
			break;
		case 1:
			op_domain_destroy(&s, &in);
			break;
		case 2:
		case 3:
		case 4:
			op_map(&s, &in);
			break;
		case 5:
		case 6:
			op_unmap(&s, &in);
			break;
		case 7:
			op_attach(&s, &in);
			break;
		case 8:
			op_detach(&s, &in);
			break;
		case 9:
			op_dma(&s, &in);
			break;
		case 10:
			op_poll(&s);
			break;
		default:
			op_xlate(&s, &in);
			break;
		}
		hygiene(&s);
	}
	teardown(&s);
	return 0;
}
