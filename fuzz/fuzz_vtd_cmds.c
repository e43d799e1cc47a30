/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_vtd_cmds: the VT-d backend driving the register-level VT-d model
 * (tools/models) through the hosted POSIX port, as the backend tests'
 * fixture does (tests/vtd/vtd_fx.c), with a fuzzed sequence of operations.
 *
 * The first bytes choose the unit and options: legacy or scalable mode
 * (scalable: first- or second-stage tables for stage-1 domains), queued or
 * register-based invalidation, caching mode, superpages, page-selective
 * invalidation, the invalidation threshold, coherent walks or not. Then:
 * domain init / destroy (stage 1, stage 2, bypass, each with its own pool),
 * map, unmap, device attach / detach, DMA through the model, fault polling.
 *
 * Checked after every operation, against a per-domain shadow of 4 KiB pages:
 *  - status codes (overlaps predicted, ENOMEM never with the pools given);
 *  - every DMA through the model: a source ID with no attached device
 *    faults; a bypass domain passes the address through; a translating
 *    domain translates exactly what the shadow maps, with its write
 *    permission, and faults otherwise;
 *  - after every successful iomm_unmap(): the unmapped pages, which were
 *    just used by DMA so that the model's IOTLB holds them, no longer
 *    translate (a missing or too narrow invalidation shows as a stale
 *    translation); with caching mode, pages that faulted before a map
 *    translate after it;
 *  - fault polling empties the model's fault recording registers;
 *  - the driver never provokes an invalidation queue error, a write to a
 *    read-only register, a GCMD write with two commands, a register
 *    invalidation while the queue is on, or any other oddity the model
 *    counts;
 *  - at the end everything is detached and destroyed without error.
 */
#include <string.h>

#include <iommuman/iommuman.h>
#include <iommuman/port_posix.h>
#include <iommuman/vtd.h>

#include "backend_fx.h"
#include "fuzz_common.h"
#include "vtd_model.h"

#define REGS	  ((uintptr_t)0x20000000u)
#define MAX_OPS	  160
#define NDOMS	  3
#define NDEVS	  4
#define NPAGES	  1024 /* shadowed IOVA space: 4 MiB */
#define POOL_PGS  96

struct dslot {
	bool live;
	enum iomm_domain_type type;
	struct iomm_domain d;
	struct iomm_pool pool;
	void *mem;
	uint64_t pa[NPAGES]; /* 0: unmapped */
	uint8_t prot[NPAGES];
};

struct st {
	struct vtd_model m;
	bool model_up;
	struct iomm_posix px;
	struct bfx b; /* port, model window, memory (tests/common/backend_fx.h) */
	struct iomm_vtd vtd;
	struct iomm_vtd_mem mem;
	struct iomm_pool pool;
	void *pool_mem;
	bool up;
	bool scalable;
	struct dslot dom[NDOMS];
	struct iomm_dev dev[NDEVS];
	int attached[NDEVS]; /* domain index, -1 */
	bool dev_known[NDEVS];
};

static uint16_t sid_of(unsigned i)
{
	return (uint16_t)(0x0100 + i * 0x41); /* buses 1..2, devfns on both halves */
}

BFX_MODEL_MMIO(mmio_ops, struct vtd_model, vtd_model_read, vtd_model_write);

/* Zeroed, page-aligned memory, freed with bfx_free() or at teardown. */
static void *amem(struct st *s, size_t size)
{
	return bfx_mem(&s->b, size, 4096);
}

static void hygiene(const struct st *s)
{
	const struct vtd_model_stats *st = &s->m.stats;
	FZ_CHECK(st->iqe == 0, "invalidation queue error (IQEI %u)", (unsigned)(s->m.iqercd & 0xf));
	FZ_CHECK(st->ro_writes == 0 && st->bad_accesses == 0, "bad register access");
	FZ_CHECK(st->gcmd_multi == 0, "GCMD write with more than one command");
	FZ_CHECK(st->reg_inv_while_qi == 0, "register invalidation while QI is on");
	FZ_CHECK(st->anomalies == 0, "model anomaly");
}

static void setup(struct st *s, struct fz *in)
{
	uint8_t a = fz_u8(in), b = fz_u8(in);
	struct vtd_model_cfg mc;
	vtd_model_cfg_default(&mc);
	mc.cm = a & 1;
	mc.sllps = (a >> 1) & 3;
	mc.psi = !((a >> 3) & 1);
	mc.c = !((a >> 4) & 1);
	mc.compress_faults = (a >> 5) & 1;
	mc.nfr = 1u + (b & 7);
	mc.flts = !((b >> 3) & 1);
	FZ_CHECK(vtd_model_init(&s->m, &mc) == 0, "model init");
	s->model_up = true;
	bfx_init(&s->b, &s->px, IOMM_PORT_DMA_COHERENT);
	s->b.log_level = IOMM_LOG_ERROR;
	bfx_add_model(&s->b, REGS, VTD_M_MMIO_SIZE, &mmio_ops, &s->m);
	s->mem.root = amem(s, 4096);
	s->mem.root_pa = (uint64_t)(uintptr_t)s->mem.root;
	struct iomm_vtd_cfg cfg;
	memset(&cfg, 0, sizeof(cfg));
	if ((a >> 6) & 1)
		cfg.flags |= IOMM_VTD_CFG_SCALABLE;
	else if ((a >> 7) & 1)
		cfg.flags |= IOMM_VTD_CFG_REGINV;
	if ((b >> 4) & 1)
		cfg.flags |= IOMM_VTD_CFG_S1_SECOND_STAGE;
	cfg.inv_threshold = 1u << ((b >> 5) & 7);
	cfg.haw = 48; /* host address width: domains ask for 48-bit outputs (c.oas below) */
	s->mem.iq = amem(s, 4096);
	s->mem.iq_pa = (uint64_t)(uintptr_t)s->mem.iq;
	s->mem.iq_size = 4096;
	s->pool_mem = amem(s, 64 * 4096);
	FZ_CHECK(iomm_pool_init(&s->pool, iomm_posix_port(&s->px), s->pool_mem, 64 * 4096,
				(uint64_t)(uintptr_t)s->pool_mem, 4096) == IOMM_OK,
		 "pool");
	int rc = iomm_vtd_init(&s->vtd, iomm_posix_port(&s->px), REGS, &s->mem, &s->pool, &cfg);
	FZ_CHECK(rc == IOMM_OK, "init: %d", rc);
	s->up = true;
	s->scalable = s->vtd.scalable;
	for (unsigned i = 0; i < NDEVS; i++)
		s->attached[i] = -1;
}

/* What a DMA must do now; checks the model agrees. */
static void check_dma(struct st *s, unsigned dv, uint64_t page, bool write)
{
	uint64_t iova = page * 4096u + 0x18;
	uint64_t pa = 0;
	int rc = vtd_model_dma(&s->m, sid_of(dv), iova, 8, write, &pa);
	int di = s->attached[dv];
	if (di < 0) {
		FZ_CHECK(rc != 0, "sid 0x%x detached but translated", sid_of(dv));
		return;
	}
	const struct dslot *d = &s->dom[di];
	if (d->type == IOMM_DOMAIN_BYPASS) {
		FZ_CHECK(rc == 0 && pa == iova, "bypass: rc 0x%x pa 0x%llx", rc, FZ_ULL(pa));
		return;
	}
	bool ok = d->pa[page] && (!write || (d->prot[page] & IOMM_WRITE));
	if (ok)
		FZ_CHECK(rc == 0 && pa == d->pa[page] + 0x18,
			 "page 0x%llx %s: rc 0x%x pa 0x%llx, want 0x%llx", FZ_ULL(page),
			 write ? "write" : "read", rc, FZ_ULL(pa), FZ_ULL(d->pa[page] + 0x18));
	else
		FZ_CHECK(rc != 0, "page 0x%llx %s translated to 0x%llx (stale?)", FZ_ULL(page),
			 write ? "write" : "read", FZ_ULL(pa));
}

static void check_range(struct st *s, int di, uint64_t first, uint64_t n)
{
	for (unsigned dv = 0; dv < NDEVS; dv++) {
		if (s->attached[dv] != di)
			continue;
		for (uint64_t p = first; p < first + n && p < NPAGES; p++) {
			check_dma(s, dv, p, false);
			check_dma(s, dv, p, true);
		}
	}
}

static void op_domain_init(struct st *s, struct fz *in)
{
	unsigned i = fz_u8(in) % NDOMS;
	struct dslot *d = &s->dom[i];
	if (d->live)
		return;
	static const enum iomm_domain_type types[3] = {IOMM_DOMAIN_S1, IOMM_DOMAIN_S2,
						       IOMM_DOMAIN_BYPASS};
	enum iomm_domain_type t = types[fz_u8(in) % 3];
	struct iomm_domain_cfg c;
	memset(&c, 0, sizeof(c));
	c.type = t;
	c.ias = 39;
	c.oas = 48;
	if (t != IOMM_DOMAIN_BYPASS) {
		d->mem = amem(s, (POOL_PGS + 1) * 4096);
		FZ_CHECK(iomm_pool_init(&d->pool, iomm_posix_port(&s->px), d->mem,
					(POOL_PGS + 1) * 4096, (uint64_t)(uintptr_t)d->mem,
					4096) == IOMM_OK,
			 "domain pool");
		c.pool = &d->pool;
	}
	int rc = iomm_domain_init(&d->d, &s->vtd.unit, &c);
	bool can = t != IOMM_DOMAIN_S2 || (s->vtd.unit.caps & IOMM_CAP_S2);
	if (!can) {
		FZ_CHECK(rc == IOMM_ENOTSUP, "S2 domain without SLTS: %d", rc);
		bfx_free(&s->b, d->mem);
		d->mem = NULL;
		return;
	}
	FZ_CHECK(rc == IOMM_OK, "domain init type %d: %d", (int)t, rc);
	d->live = true;
	d->type = t;
	memset(d->pa, 0, sizeof(d->pa));
}

static void op_domain_destroy(struct st *s, struct fz *in)
{
	unsigned i = fz_u8(in) % NDOMS;
	struct dslot *d = &s->dom[i];
	if (!d->live)
		return;
	bool busy = false;
	for (unsigned dv = 0; dv < NDEVS; dv++)
		busy = busy || s->attached[dv] == (int)i;
	int rc = iomm_domain_destroy(&d->d);
	FZ_CHECK(rc == (busy ? IOMM_EBUSY : IOMM_OK), "destroy: %d (busy %d)", rc, busy);
	if (!busy) {
		d->live = false;
		bfx_free(&s->b, d->mem);
		d->mem = NULL;
	}
}

static void op_map(struct st *s, struct fz *in)
{
	unsigned i = fz_u8(in) % NDOMS;
	struct dslot *d = &s->dom[i];
	uint16_t r = fz_u16(in);
	if (!d->live || d->type == IOMM_DOMAIN_BYPASS)
		return;
	uint64_t first, n;
	if ((r & 0xf) == 0) { /* a 2 MiB block */
		first = (uint64_t)((r >> 4) & 1) * 512u;
		n = 512;
	} else {
		first = (r >> 4) % NPAGES;
		n = 1u + (r & 7);
		if (first + n > NPAGES)
			n = NPAGES - first;
	}
	uint32_t prot = (fz_u8(in) & 1) ? IOMM_READ : (IOMM_READ | IOMM_WRITE);
	uint64_t pa = UINT64_C(0x100000000) + (uint64_t)fz_u16(in) * 0x200000u + first * 4096u;
	bool overlap = false;
	for (uint64_t p = first; p < first + n; p++)
		overlap = overlap || d->pa[p];
	/* with caching mode, fault the range first: the map must be synced */
	for (unsigned dv = 0; dv < NDEVS; dv++)
		if (s->attached[dv] == (int)i && !overlap)
			check_dma(s, dv, first, false);
	int rc = iomm_map(&d->d, first * 4096u, pa, n * 4096u, prot);
	if (overlap) {
		FZ_CHECK(rc == IOMM_EEXIST, "overlapping map: %d", rc);
		return;
	}
	FZ_CHECK(rc == IOMM_OK, "map 0x%llx+0x%llx: %d", FZ_ULL(first), FZ_ULL(n), rc);
	for (uint64_t p = first; p < first + n; p++) {
		d->pa[p] = pa + (p - first) * 4096u;
		d->prot[p] = (uint8_t)prot;
	}
	check_range(s, (int)i, first, n < 4 ? n : 4);
}

static void op_unmap(struct st *s, struct fz *in)
{
	unsigned i = fz_u8(in) % NDOMS;
	struct dslot *d = &s->dom[i];
	uint16_t r = fz_u16(in);
	if (!d->live || d->type == IOMM_DOMAIN_BYPASS)
		return;
	uint64_t first = (r >> 4) % NPAGES, n = 1u + (r & 15);
	if (first + n > NPAGES)
		n = NPAGES - first;
	/* fill the IOTLB with what is about to go */
	check_range(s, (int)i, first, n);
	uint64_t want = 0;
	for (uint64_t p = first; p < first + n; p++)
		want += d->pa[p] ? 4096u : 0u;
	uint64_t got = 0;
	int rc = iomm_unmap(&d->d, first * 4096u, n * 4096u, &got);
	FZ_CHECK(rc == IOMM_OK, "unmap: %d", rc);
	FZ_CHECK(got == want, "unmapped 0x%llx, want 0x%llx", FZ_ULL(got), FZ_ULL(want));
	for (uint64_t p = first; p < first + n; p++)
		d->pa[p] = 0;
	check_range(s, (int)i, first > 0 ? first - 1 : 0, n + 2);
}

static void op_attach(struct st *s, struct fz *in)
{
	unsigned dv = fz_u8(in) % NDEVS, i = fz_u8(in) % NDOMS;
	if (!s->dom[i].live)
		return;
	if (!s->dev_known[dv]) {
		struct iomm_devid id = IOMM_SID(sid_of(dv));
		FZ_CHECK(iomm_dev_init(&s->dev[dv], &s->vtd.unit, &id) == IOMM_OK, "dev init");
		s->dev_known[dv] = true;
	}
	check_dma(s, dv, 0, false); /* caching mode: a not-present context gets cached */
	int rc = iomm_attach(&s->dom[i].d, &s->dev[dv]);
	if (s->attached[dv] >= 0) {
		FZ_CHECK(rc == IOMM_EBUSY, "second attach: %d", rc);
		return;
	}
	FZ_CHECK(rc == IOMM_OK, "attach: %d", rc);
	s->attached[dv] = (int)i;
	check_dma(s, dv, 0, false);
	check_dma(s, dv, fz_u16(in) % NPAGES, true);
}

static void op_detach(struct st *s, struct fz *in)
{
	unsigned dv = fz_u8(in) % NDEVS;
	if (!s->dev_known[dv])
		return;
	uint64_t page = fz_u16(in) % NPAGES;
	check_dma(s, dv, page, false);
	int rc = iomm_detach(&s->dev[dv]);
	if (s->attached[dv] < 0) {
		FZ_CHECK(rc == IOMM_ENOENT, "detach of a detached device: %d", rc);
		return;
	}
	FZ_CHECK(rc == IOMM_OK, "detach: %d", rc);
	s->attached[dv] = -1;
	check_dma(s, dv, page, false);
}

static void op_dma(struct st *s, struct fz *in)
{
	unsigned dv = fz_u8(in) % NDEVS;
	uint16_t r = fz_u16(in);
	check_dma(s, dv, (r >> 1) % NPAGES, r & 1);
}

static void count_fault(void *arg, const struct iomm_fault *f)
{
	(void)f;
	(*(unsigned *)arg)++;
}

static void op_poll(struct st *s)
{
	unsigned n = 0;
	int rc = iomm_fault_poll(&s->vtd.unit, count_fault, &n);
	FZ_CHECK(rc >= 0 && (unsigned)rc == n, "poll: %d, %u delivered", rc, n);
	FZ_CHECK(vtd_model_pending_faults(&s->m) == 0, "records left after a poll");
}

static void teardown(struct st *s)
{
	if (s->up) {
		for (unsigned dv = 0; dv < NDEVS; dv++)
			if (s->attached[dv] >= 0)
				FZ_CHECK(iomm_detach(&s->dev[dv]) == IOMM_OK, "final detach");
		for (unsigned i = 0; i < NDOMS; i++)
			if (s->dom[i].live)
				FZ_CHECK(iomm_domain_destroy(&s->dom[i].d) == IOMM_OK, "final destroy");
		hygiene(s);
	}
	if (s->model_up)
		vtd_model_fini(&s->m);
	bfx_fini(&s->b); /* the port, every domain pool, root, queue, unit pool */
	memset(s, 0, sizeof(*s));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct st s;
	memset(&s, 0, sizeof(s));
	struct fz in = {data, size};
	if (size < 4)
		return 0;
	setup(&s, &in);
	for (unsigned op = 0; fz_more(&in) && op < MAX_OPS; op++) {
		switch (fz_u8(&in) % 10) {
		case 0:
			op_domain_init(&s, &in);
			break;
		case 1:
			op_domain_destroy(&s, &in);
			break;
		case 2:
		case 3:
			op_map(&s, &in);
			break;
		case 4:
		case 5:
			op_unmap(&s, &in);
			break;
		case 6:
			op_attach(&s, &in);
			break;
		case 7:
			op_detach(&s, &in);
			break;
		case 8:
			op_dma(&s, &in);
			break;
		default:
			op_poll(&s);
			break;
		}
		hygiene(&s);
	}
	teardown(&s);
	return 0;
}
