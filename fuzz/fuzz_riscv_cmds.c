/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_riscv_cmds: the RISC-V IOMMU backend driving the register-level
 * RISC-V IOMMU model (tools/models, whose walks are the independent
 * walker's) through the hosted POSIX port, with a fuzzed sequence of
 * operations.
 *
 * The first four bytes choose the hardware and the options:
 *  byte 0: bit 0 MSI_FLAT (64-byte device contexts), bits 1..3 Sv39/48/57,
 *          bits 4..6 Sv39x4/48x4/57x4 (none at all: Sv39), bit 7 a
 *          non-coherent port (the model walks a DRAM copy that only the
 *          port's clean_tables updates);
 *  byte 1: bits 0..2 did_bits (default, 6, 7, 12, 15, 16, 20, 24: one, two
 *          or three directory levels, with a pool), bits 3..4 the model's
 *          busy reads, bit 5 wired interrupts;
 *  byte 2: inv_threshold (0..39, 0: the default);
 *  byte 3: bits 0..1 pscid_bits, bits 2..3 gscid_bits (0: the default),
 *          bits 4..5 the command queue's size (4096, 32, 64 or 256 bytes),
 *          bit 6 a fault queue of two records (4096 bytes otherwise).
 * Then operations: domain init / destroy (stage 1 with ias 38/47/56, stage 2
 * with ias 41/50/59, nested on a stage-2 parent that maps the nested
 * domain's table pool at the same addresses, bypass, blocked; each
 * translating one with its own pool), map, unmap, unmap_gather +
 * gather_sync, device init + attach / detach (device IDs within and beyond
 * did_bits, masks), DMA through the model, fault polling, and on stage-2
 * domains an MSI page table (iomm_riscv_msi_enable(): 4 interrupt files at
 * pages 8..11 of the DMA window, over whatever the G-stage maps there) whose
 * files are mapped and unmapped (iomm_riscv_msi_map() / _unmap()).
 *
 * Checked after every operation:
 *  - every DMA through the model: a device ID of no attached device faults
 *    with cause 258 (260 beyond what the directory's depth covers); bypass
 *    passes the address through; blocked faults with 258; a translating
 *    domain translates exactly what the library's own iomm_pgt_lookup()
 *    says is mapped (nested: through both tables), with its write
 *    permission, and otherwise faults with the page-fault cause (13/15) of
 *    the first stage or the guest-page-fault cause (21/23) of the G-stage;
 *  - after every successful iomm_unmap() / iomm_gather_sync(): every page
 *    of every attached device, primed in the model's IOTLB just before,
 *    translates as the tables now say (a missing or too narrow
 *    invalidation shows as a stale translation), and the unit saw exactly
 *    one IOFENCE.C when something was unmapped, none otherwise;
 *  - a DMA to an MSI window page of a domain with a table (directly, or as
 *    the first-stage output of a nested child) goes where the file's entry
 *    says, offset kept, or faults with cause 262 when it is unmapped, never
 *    through the G-stage; every other page as the tables say;
 *  - MSI table changes: IOMM_ENOTSUP exactly without MSI_FLAT, IOMM_EBUSY
 *    exactly when devices or nested domains use the domain or it has a
 *    table, IOMM_ERANGE exactly for a file beyond the table; a change of a
 *    domain in use is followed by exactly one IOFENCE.C, and every page of
 *    every device using it, primed in the IOTLB before, translates as the
 *    table now says;
 *  - attach: IOMM_EBUSY exactly when the device IDs overlap an attached
 *    device's, IOMM_ERANGE (from iomm_dev_init()) exactly beyond did_bits;
 *    a failed attach sends no command and takes no directory page; domain
 *    init: IOMM_ENOTSUP exactly without the Sv mode, IOMM_ENOSPC exactly
 *    when the PSCIDs / GSCIDs run out;
 *  - the model counts no bad register access, read-only write, refused
 *    command, queue memory fault or ignored fctl write, the backend no
 *    command error, and nothing is logged as an error;
 *  - at the end everything is detached and destroyed, every domain pool is
 *    empty, and the unit turns off.
 *
 * FUZZ_TRACE=1 prints every DMA, domain init and attach of a replayed input.
 */
#include <stdlib.h>
#include <string.h>

#include <iommuman/iommuman.h>
#include <iommuman/port_posix.h>
#include <iommuman/riscv.h>

#include "backend_fx.h"
#include "fuzz_common.h"
#include "riscv_model.h"

#define REGS	 ((uintptr_t)0x20000000u)
#define MAX_OPS	 160
#define NDOMS	 4
#define NDEVS	 6
#define NPAGES	 64
#define IOVA0	 UINT64_C(0x100000)
#define PA0	 UINT64_C(0x40000000)
#define SZ4K	 UINT64_C(0x1000)
#define POOL_PGS 32 /* per domain: a 16 KiB G-stage root, identity maps of child pools */
#define DDT_PGS	 16
#define MSI_FILES 4u /* mask 0x3 */
#define MSI_PAGE0 8u /* the window: DMA pages 8..11 */

struct dslot {
	bool live;
	struct iomm_domain d;
	enum iomm_domain_type type;
	int parent; /* nested: slot of the stage-2 parent */
	struct iomm_pool pool;
	void *mem;
	size_t bytes;
	/* stage 2 with an MSI table: what each file maps (0: unmapped) */
	bool msi;
	struct iomm_riscv_msi m;
	uint64_t msi_pa[MSI_FILES];
};

struct dev {
	bool attached;
	struct iomm_dev dev;
	uint32_t did, mask;
	int dom;
};

struct st {
	struct riscv_model model;
	struct iomm_posix px;
	struct bfx b;
	struct iomm_riscv rv;
	struct iomm_riscv_mem mem;
	struct iomm_pool ddt_pool;
	unsigned cap_bits; /* device-ID bits the directory's depth covers */
	unsigned pscid_max, gscid_max;
	struct dslot dom[NDOMS];
	struct dev dev[NDEVS];
};

static bool trace; /* FUZZ_TRACE=1: print every DMA and domain operation */

BFX_MODEL_MMIO(mmio_ops, struct riscv_model, riscv_model_read, riscv_model_write);

static void on_clean(void *ctx, const void *va, size_t len)
{
	riscv_model_clean(ctx, (uint64_t)(uintptr_t)va, len);
}

static void check_hygiene(struct st *s)
{
	const struct riscv_model_stats *m = &s->model.stats;
	FZ_CHECK(m->bad_accesses == 0 && m->ro_writes == 0 && m->fctl_ignored == 0,
		 "register misuse: bad %llu ro %llu fctl %llu", FZ_ULL(m->bad_accesses),
		 FZ_ULL(m->ro_writes), FZ_ULL(m->fctl_ignored));
	FZ_CHECK(m->cmd_ill == 0 && m->cq_mem_faults == 0, "command refused: ill %llu cqmf %llu",
		 FZ_ULL(m->cmd_ill), FZ_ULL(m->cq_mem_faults));
	FZ_CHECK(s->rv.stats.cmd_errors == 0, "backend saw command errors");
	FZ_CHECK(iomm_posix_log_count(&s->px, IOMM_LOG_ERROR) == 0, "error logged: %s",
		 s->px.log_last);
}

static bool translating(enum iomm_domain_type t)
{
	return t == IOMM_DOMAIN_S1 || t == IOMM_DOMAIN_S2 || t == IOMM_DOMAIN_NESTED;
}

static const struct dev *owner_of(const struct st *s, uint32_t did)
{
	for (unsigned i = 0; i < NDEVS; i++) {
		const struct dev *d = &s->dev[i];
		if (d->attached && ((did ^ d->did) & ~d->mask) == 0)
			return d;
	}
	return NULL;
}

static uint64_t fence_count(const struct st *s)
{
	return s->model.stats.cmds[RISCV_CMD_IOFENCE_C];
}

static uint64_t cmd_count(const struct st *s)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < RISCV_CMD_COUNT; i++)
		n += s->model.stats.cmds[i];
	return n;
}

/* What one table says for @in: 0 and *out, or the fault cause @stage_fault. */
static int table_says(const struct iomm_domain *d, uint64_t in, bool write, int cause,
		      uint64_t *out)
{
	struct iomm_mapping m;
	if (iomm_pgt_lookup(&d->pgt, in, &m) != IOMM_OK)
		return cause;
	if (write && !(m.prot & IOMM_WRITE))
		return cause;
	*out = m.pa + (in - m.iova);
	return 0;
}

/* The MSI window of stage-2 slot @ds: 0 and *out for a mapped file, 262 for an unmapped
 * one, -1 when @gpa is no MSI page (or the slot has no table). */
static int msi_says(const struct dslot *ds, uint64_t gpa, uint64_t *out)
{
	uint64_t page = (gpa - IOVA0) / SZ4K;
	if (!ds->msi || gpa < IOVA0 || page < MSI_PAGE0 || page >= MSI_PAGE0 + MSI_FILES)
		return -1;
	uint64_t pa = ds->msi_pa[page - MSI_PAGE0];
	if (!pa)
		return (int)RISCV_M_CAUSE_MSI_INVALID;
	*out = pa + (gpa & (SZ4K - 1u));
	return 0;
}

/* One DMA, checked against what the library's tables say; returns the model's result. */
static int dma_check(struct st *s, uint32_t did, uint64_t iova, bool write)
{
	uint64_t pa = 0;
	unsigned acc = write ? RISCV_MODEL_ACC_W : RISCV_MODEL_ACC_R;
	int rc = riscv_model_dma(&s->model, did, iova, acc, &pa);
	const struct dev *d = owner_of(s, did);
	if (trace)
		fprintf(stderr, "dma dev 0x%x 0x%llx %c: %d pa 0x%llx\n", did, FZ_ULL(iova),
			write ? 'w' : 'r', rc, FZ_ULL(pa));
	if (!d) {
		int want = (did >> s->cap_bits) ? (int)RISCV_M_CAUSE_TTYP_DISALLOWED
						: (int)RISCV_M_CAUSE_DDT_INVALID;
		FZ_CHECK(rc == want, "device 0x%x of no domain: %d, want %d", did, rc, want);
		return rc;
	}
	const struct dslot *ds = &s->dom[d->dom];
	int pf = write ? (int)RISCV_M_CAUSE_WRITE_PAGE : (int)RISCV_M_CAUSE_READ_PAGE;
	int gf = write ? (int)RISCV_M_CAUSE_WRITE_GUEST : (int)RISCV_M_CAUSE_READ_GUEST;
	int want;
	uint64_t out = 0;
	switch (ds->type) {
	case IOMM_DOMAIN_BYPASS:
		FZ_CHECK(rc == 0 && pa == iova, "bypass 0x%x: %d 0x%llx", did, rc, FZ_ULL(pa));
		return rc;
	case IOMM_DOMAIN_BLOCKED:
		FZ_CHECK(rc == (int)RISCV_M_CAUSE_DDT_INVALID, "blocked 0x%x: %d", did, rc);
		return rc;
	case IOMM_DOMAIN_S1:
		want = table_says(&ds->d, iova, write, pf, &out);
		break;
	case IOMM_DOMAIN_S2:
		want = msi_says(ds, iova, &out);
		if (want < 0)
			want = table_says(&ds->d, iova, write, gf, &out);
		break;
	default: {
		uint64_t gpa = 0;
		const struct dslot *ps = &s->dom[ds->parent];
		want = table_says(&ds->d, iova, write, pf, &gpa);
		if (!want)
			want = msi_says(ps, gpa, &out);
		if (want < 0)
			want = table_says(&ps->d, gpa, write, gf, &out);
		break;
	}
	}
	if (want)
		FZ_CHECK(rc == want, "0x%llx %s dev 0x%x (type %d): %d pa 0x%llx, want fault %d",
			 FZ_ULL(iova), write ? "write" : "read", did, (int)ds->type, rc, FZ_ULL(pa),
			 want);
	else
		FZ_CHECK(rc == 0 && pa == out,
			 "0x%llx %s dev 0x%x (type %d): %d pa 0x%llx, want 0x%llx", FZ_ULL(iova),
			 write ? "write" : "read", did, (int)ds->type, rc, FZ_ULL(pa), FZ_ULL(out));
	return rc;
}

/* Is device @k's domain @di, or a nested child of @di? */
static bool dev_uses(const struct st *s, unsigned k, unsigned di)
{
	const struct dev *d = &s->dev[k];
	if (!d->attached)
		return false;
	const struct dslot *ds = &s->dom[d->dom];
	return d->dom == (int)di || (ds->type == IOMM_DOMAIN_NESTED && ds->parent == (int)di);
}

/* DMA every page of every device that translates through @di (primes the IOTLB). */
static void sweep(struct st *s, unsigned di, bool both)
{
	for (unsigned k = 0; k < NDEVS; k++)
		if (dev_uses(s, k, di))
			for (unsigned p = 0; p < NPAGES; p++) {
				dma_check(s, s->dev[k].did, IOVA0 + p * SZ4K, false);
				if (both)
					dma_check(s, s->dev[k].did, IOVA0 + p * SZ4K + 8u, true);
			}
}

static unsigned live_ids(const struct st *s, bool g)
{
	unsigned n = 0;
	for (unsigned i = 0; i < NDOMS; i++) {
		const struct dslot *d = &s->dom[i];
		if (d->live && (g ? d->type == IOMM_DOMAIN_S2
				  : d->type == IOMM_DOMAIN_S1 || d->type == IOMM_DOMAIN_NESTED))
			n++;
	}
	return n;
}

/* Map the pool of slot @ci in the stage-2 slot @pi at the same addresses; false if it
 * does not fit. */
static bool map_identity(struct st *s, unsigned pi, unsigned ci)
{
	struct dslot *p = &s->dom[pi], *c = &s->dom[ci];
	uint64_t base = (uint64_t)(uintptr_t)c->mem;
	if ((base + c->bytes) >> p->d.pgt.cfg.ias)
		return false;
	for (uint64_t off = 0; off < c->bytes; off += SZ4K) {
		int rc = iomm_map(&p->d, base + off, base + off, SZ4K, IOMM_READ | IOMM_WRITE);
		FZ_CHECK(rc == IOMM_OK || rc == IOMM_EEXIST || rc == IOMM_ENOMEM, "identity map %d",
			 rc);
		if (rc == IOMM_ENOMEM)
			return false;
	}
	return true;
}

static void op_domain_init(struct st *s, struct fz *in)
{
	unsigned i = fz_u8(in) % NDOMS;
	struct dslot *ds = &s->dom[i];
	uint8_t t8 = fz_u8(in), a8 = fz_u8(in), p8 = fz_u8(in);
	if (ds->live)
		return;
	static const enum iomm_domain_type types[] = {
	    IOMM_DOMAIN_S1,	 IOMM_DOMAIN_S2, IOMM_DOMAIN_NESTED, IOMM_DOMAIN_BYPASS,
	    IOMM_DOMAIN_BLOCKED, IOMM_DOMAIN_S1, IOMM_DOMAIN_S2,     IOMM_DOMAIN_NESTED};
	enum iomm_domain_type t = types[t8 % 8];
	struct iomm_domain_cfg c;
	memset(&c, 0, sizeof(c));
	c.type = t;
	c.pool = &ds->pool;
	unsigned lvl = a8 % 3u; /* Sv39, Sv48, Sv57 (x4) */
	uint64_t need = 0;
	if (t == IOMM_DOMAIN_S1 || t == IOMM_DOMAIN_NESTED) {
		c.ias = (uint8_t)(38u + 9u * lvl);
		need = IOMM_RISCV_CAP_SV39 << lvl;
	} else if (t == IOMM_DOMAIN_S2) {
		c.ias = (uint8_t)(41u + 9u * lvl);
		need = IOMM_RISCV_CAP_SV39X4 << lvl;
	}
	int parent = -1;
	if (t == IOMM_DOMAIN_NESTED) {
		for (unsigned k = 0; k < NDOMS && parent < 0; k++) {
			unsigned j = (p8 + k) % NDOMS;
			if (j != i && s->dom[j].live && s->dom[j].type == IOMM_DOMAIN_S2)
				parent = (int)j;
		}
		if (parent < 0)
			return;
		if (!(s->rv.unit.caps & IOMM_CAP_NESTED))
			need = ~0ull;
		else if (!map_identity(s, (unsigned)parent, i))
			return;
		c.parent = &s->dom[parent].d;
		/* the default output size is the parent's input size capped at the unit's
		 * (an Sv57x4 parent's 59 bits exceed PAS 56); p8 bit 7 asks for 56 outright */
		if (p8 & 0x80u)
			c.oas = 56;
	}
	bool g = t == IOMM_DOMAIN_S2;
	unsigned ids = live_ids(s, g);
	unsigned max = g ? s->gscid_max : s->pscid_max;
	uint64_t before = iomm_pool_used(&ds->pool);
	int rc = iomm_domain_init(&ds->d, &s->rv.unit, &c);
	if (trace)
		fprintf(stderr, "domain %u type %d ias %u parent %d: %d\n", i, (int)t, c.ias,
			parent, rc);
	if (need && (s->rv.caps & need) != need) {
		FZ_CHECK(rc == IOMM_ENOTSUP, "type %d ias %u without its mode: %d", (int)t, c.ias,
			 rc);
		return;
	}
	int want = translating(t) && ids >= max ? IOMM_ENOSPC : IOMM_OK;
	FZ_CHECK(rc == want, "domain init type %d ias %u: %d, want %d (%u ids live; log: %s)",
		 (int)t, c.ias, rc, want, ids, s->px.log_last);
	if (rc) {
		FZ_CHECK(iomm_pool_used(&ds->pool) == before, "failed init kept pages");
		return;
	}
	ds->live = true;
	ds->type = t;
	ds->parent = parent;
	ds->msi = false;
}

static void op_domain_destroy(struct st *s, struct fz *in)
{
	unsigned i = fz_u8(in) % NDOMS;
	struct dslot *ds = &s->dom[i];
	if (!ds->live)
		return;
	bool busy = false;
	for (unsigned k = 0; k < NDEVS; k++)
		busy = busy || (s->dev[k].attached && s->dev[k].dom == (int)i);
	for (unsigned k = 0; k < NDOMS; k++)
		busy = busy || (s->dom[k].live && s->dom[k].type == IOMM_DOMAIN_NESTED &&
				s->dom[k].parent == (int)i);
	int rc = iomm_domain_destroy(&ds->d);
	FZ_CHECK(rc == (busy ? IOMM_EBUSY : IOMM_OK), "destroy %d busy %d", rc, busy);
	if (rc == IOMM_OK) {
		ds->live = false;
		FZ_CHECK(iomm_pool_used(&ds->pool) == 0, "pages left after destroy");
	}
}

static bool any_mapped(const struct dslot *ds, uint64_t iova, uint64_t n)
{
	struct iomm_mapping m;
	for (uint64_t p = 0; p < n; p++)
		if (iomm_pgt_lookup(&ds->d.pgt, iova + p * SZ4K, &m) == IOMM_OK)
			return true;
	return false;
}

static void op_map(struct st *s, struct fz *in)
{
	unsigned di = fz_u8(in) % NDOMS;
	struct dslot *ds = &s->dom[di];
	unsigned page = fz_u8(in) % NPAGES, n = 1u + fz_u8(in) % 8u;
	uint8_t pr = fz_u8(in), o = fz_u8(in);
	uint32_t prot = (pr & 1u) ? IOMM_READ : (IOMM_READ | IOMM_WRITE);
	if (!ds->live || !translating(ds->type) || page + n > NPAGES)
		return;
	uint64_t iova = IOVA0 + page * SZ4K;
	/* nested: the output is a guest-physical address the parent's fuzzed range covers */
	uint64_t pa = ds->type == IOMM_DOMAIN_NESTED ? IOVA0 + (o % (NPAGES - n + 1u)) * SZ4K
						     : PA0 + (uint64_t)o * 0x200000u + page * SZ4K;
	bool overlap = any_mapped(ds, iova, n);
	int rc = iomm_map(&ds->d, iova, pa, n * SZ4K, prot);
	if (overlap)
		FZ_CHECK(rc == IOMM_EEXIST, "overlapping map: %d", rc);
	else
		FZ_CHECK(rc == IOMM_OK || rc == IOMM_ENOMEM, "map: %d", rc);
	if (rc == IOMM_OK)
		for (unsigned k = 0; k < NDEVS; k++)
			if (dev_uses(s, k, di))
				dma_check(s, s->dev[k].did, iova, (pr >> 1) & 1u);
}

static uint64_t mapped_bytes(const struct dslot *ds, uint64_t iova, uint64_t n)
{
	struct iomm_mapping m;
	uint64_t b = 0;
	for (uint64_t p = 0; p < n; p++)
		if (iomm_pgt_lookup(&ds->d.pgt, iova + p * SZ4K, &m) == IOMM_OK)
			b += SZ4K;
	return b;
}

static void op_unmap(struct st *s, struct fz *in, bool gather)
{
	unsigned di = fz_u8(in) % NDOMS;
	struct dslot *ds = &s->dom[di];
	unsigned nr = gather ? 1u + fz_u8(in) % 3u : 1u;
	unsigned page[3], n[3];
	for (unsigned r = 0; r < nr; r++) {
		page[r] = fz_u8(in) % NPAGES;
		n[r] = 1u + fz_u8(in) % 40u;
		if (page[r] + n[r] > NPAGES)
			n[r] = NPAGES - page[r];
	}
	uint8_t both = fz_u8(in) & 1u;
	if (!ds->live || !translating(ds->type))
		return;
	sweep(s, di, both); /* prime the IOTLB with what may go */
	uint64_t f0 = fence_count(s), total = 0;
	struct iomm_gather g;
	iomm_gather_init(&g);
	for (unsigned r = 0; r < nr; r++) {
		uint64_t iova = IOVA0 + page[r] * SZ4K;
		uint64_t want = mapped_bytes(ds, iova, n[r]), got = ~0ull;
		int rc = gather ? iomm_unmap_gather(&ds->d, iova, n[r] * SZ4K, &g, &got)
				: iomm_unmap(&ds->d, iova, n[r] * SZ4K, &got);
		FZ_CHECK(rc == IOMM_OK, "unmap%s: %d", gather ? "_gather" : "", rc);
		FZ_CHECK(got == want, "unmapped 0x%llx, want 0x%llx", FZ_ULL(got), FZ_ULL(want));
		total += got;
	}
	if (gather) {
		FZ_CHECK(fence_count(s) == f0, "unmap_gather invalidated before the sync");
		int rc = iomm_gather_sync(&ds->d, &g);
		FZ_CHECK(rc == IOMM_OK, "gather_sync: %d", rc);
	}
	FZ_CHECK(fence_count(s) - f0 == (total ? 1u : 0u), "%llu IOFENCE.C for %llu bytes unmapped",
		 FZ_ULL(fence_count(s) - f0), FZ_ULL(total));
	sweep(s, di, both); /* nothing unmapped may still translate */
}

/* A device ID: low, near the top of did_bits, beyond it, or beyond the directory. */
static uint32_t pick_did(const struct st *s, struct fz *in)
{
	uint8_t k = fz_u8(in);
	uint32_t o = fz_u8(in) % 16u, bits = s->rv.unit.sid_bits;
	switch (k % 6u) {
	case 0:
		return o;
	case 1:
		return 0x40u + o;
	case 2:
		return (1u << bits) - 16u + o;
	case 3:
		return (1u << bits) + o;
	case 4:
		return (1u << s->cap_bits) + o;
	default:
		return 0x1000u + o;
	}
}

static void op_attach(struct st *s, struct fz *in)
{
	struct dev *d = &s->dev[fz_u8(in) % NDEVS];
	unsigned di = fz_u8(in) % NDOMS;
	uint32_t did = pick_did(s, in);
	uint32_t mask = (uint32_t[]){0, 1, 3, 0}[fz_u8(in) % 4];
	uint16_t pg = fz_u16(in);
	if (d->attached || !s->dom[di].live)
		return;
	did &= ~mask;
	struct iomm_devid id = IOMM_SID(did);
	id.mask = mask;
	int rc = iomm_dev_init(&d->dev, &s->rv.unit, &id);
	if ((did | mask) >> s->rv.unit.sid_bits) {
		FZ_CHECK(rc == IOMM_ERANGE, "device 0x%x beyond %u bits: %d", did,
			 s->rv.unit.sid_bits, rc);
		return;
	}
	FZ_CHECK(rc == IOMM_OK, "dev init %d", rc);
	bool overlap = false;
	for (unsigned i = 0; i < NDEVS; i++)
		if (s->dev[i].attached && ((did ^ s->dev[i].did) & ~(mask | s->dev[i].mask)) == 0)
			overlap = true;
	/* the contexts about to change are cached first (a missing IODIR shows) */
	for (uint32_t m = 0; m <= mask; m++)
		if ((m & ~mask) == 0)
			dma_check(s, did | m, IOVA0 + (pg % NPAGES) * SZ4K, false);
	uint64_t cmds = cmd_count(s);
	size_t used = iomm_pool_used(&s->ddt_pool);
	rc = iomm_attach(&s->dom[di].d, &d->dev);
	if (trace)
		fprintf(stderr, "attach 0x%x/0x%x to %u: %d\n", did, mask, di, rc);
	FZ_CHECK(rc == (overlap ? IOMM_EBUSY : IOMM_OK), "attach 0x%x mask 0x%x: %d, overlap %d",
		 did, mask, rc, overlap);
	if (rc) {
		FZ_CHECK(cmd_count(s) == cmds && iomm_pool_used(&s->ddt_pool) == used,
			 "failed attach changed the unit");
		return;
	}
	d->attached = true;
	d->did = did;
	d->mask = mask;
	d->dom = (int)di;
	for (uint32_t m = 0; m <= mask; m++)
		if ((m & ~mask) == 0) {
			dma_check(s, did | m, IOVA0 + (pg % NPAGES) * SZ4K, false);
			dma_check(s, did | m, IOVA0 + ((pg >> 8) % NPAGES) * SZ4K, true);
		}
}

static void op_detach(struct st *s, struct fz *in)
{
	struct dev *d = &s->dev[fz_u8(in) % NDEVS];
	unsigned page = fz_u8(in) % NPAGES;
	if (!d->attached)
		return;
	dma_check(s, d->did, IOVA0 + page * SZ4K, false);
	FZ_CHECK(iomm_detach(&d->dev) == IOMM_OK, "detach");
	d->attached = false;
	FZ_CHECK(dma_check(s, d->did, IOVA0 + page * SZ4K, false) != 0,
		 "a detached device still reaches memory");
}

static void op_dma(struct st *s, struct fz *in)
{
	uint32_t did = pick_did(s, in);
	if (fz_u8(in) & 1u) { /* often: a device that is attached */
		const struct dev *d = &s->dev[did % NDEVS];
		if (d->attached)
			did = d->did | (did & d->mask);
	}
	unsigned page = fz_u8(in) % (NPAGES + 4);
	dma_check(s, did, IOVA0 + page * SZ4K + 0x10u, (fz_u8(in) & 1u) != 0);
}

/* Give a stage-2 domain its MSI table, or map / unmap one of its files. */
static void op_msi(struct st *s, struct fz *in)
{
	unsigned di = fz_u8(in) % NDOMS;
	uint8_t f8 = fz_u8(in), p8 = fz_u8(in);
	struct dslot *ds = &s->dom[di];
	if (!ds->live || ds->type != IOMM_DOMAIN_S2)
		return;
	bool used = false;
	for (unsigned k = 0; k < NDEVS; k++)
		used = used || dev_uses(s, k, di);
	for (unsigned k = 0; k < NDOMS; k++)
		used = used || (s->dom[k].live && s->dom[k].type == IOMM_DOMAIN_NESTED &&
				s->dom[k].parent == (int)di);
	if (!ds->msi || (f8 & 0x80u)) {
		int rc = iomm_riscv_msi_enable(&ds->d, &ds->m);
		int want = !(s->rv.caps & IOMM_RISCV_CAP_MSI_FLAT) ? IOMM_ENOTSUP
			   : used || ds->msi			       ? IOMM_EBUSY
								       : IOMM_OK;
		if (trace)
			fprintf(stderr, "msi enable domain %u: %d\n", di, rc);
		FZ_CHECK(rc == want, "msi enable: %d, want %d", rc, want);
		if (rc == IOMM_OK) {
			ds->msi = true;
			memset(ds->msi_pa, 0, sizeof(ds->msi_pa));
		}
		return;
	}
	unsigned file = f8 % (MSI_FILES + 1u); /* one beyond the table */
	uint64_t pa = (p8 & 1u) ? PA0 + 0x200000u + (uint64_t)(p8 >> 1) * SZ4K : 0;
	sweep(s, di, true); /* prime the IOTLB: a missing invalidation shows below */
	uint64_t fences = fence_count(s);
	int rc = pa ? iomm_riscv_msi_map(&ds->d, file, pa) : iomm_riscv_msi_unmap(&ds->d, file);
	if (trace)
		fprintf(stderr, "msi file %u -> 0x%llx: %d\n", file, FZ_ULL(pa), rc);
	FZ_CHECK(rc == (file < MSI_FILES ? IOMM_OK : IOMM_ERANGE), "msi %s file %u: %d",
		 pa ? "map" : "unmap", file, rc);
	if (rc)
		return;
	ds->msi_pa[file] = pa;
	FZ_CHECK(fence_count(s) - fences == (used ? 1u : 0u), "msi change: %llu fences, used %d",
		 FZ_ULL(fence_count(s) - fences), used);
	sweep(s, di, true);
}

static void count_fault(void *arg, const struct iomm_fault *f)
{
	(void)f;
	(*(unsigned *)arg)++;
}

static void op_poll(struct st *s)
{
	unsigned n = 0;
	FZ_CHECK(iomm_fault_poll(&s->rv.unit, NULL, NULL) == IOMM_EINVAL, "NULL handler");
	int rc = iomm_fault_poll(&s->rv.unit, count_fault, &n);
	FZ_CHECK(rc >= 0 && (unsigned)rc == n, "poll %d, delivered %u", rc, n);
	FZ_CHECK(s->model.fqh == s->model.fqt, "records left after a poll");
}

static void setup(struct st *s, struct fz *in)
{
	uint8_t a = fz_u8(in), b = fz_u8(in), c = fz_u8(in), e = fz_u8(in);
	struct riscv_model_cfg mc;
	riscv_model_cfg_default(&mc);
	mc.caps &= ~(RISCV_M_CAP_SV39 | RISCV_M_CAP_SV48 | RISCV_M_CAP_SV57 | RISCV_M_CAP_SV39X4 |
		     RISCV_M_CAP_SV48X4 | RISCV_M_CAP_SV57X4);
	if (a & 1u)
		mc.caps |= RISCV_M_CAP_MSI_FLAT;
	mc.caps |= (uint64_t)((a >> 1) & 7u) << 9;
	mc.caps |= (uint64_t)((a >> 4) & 7u) << 17;
	if (!((a >> 1) & 7u) && !((a >> 4) & 7u))
		mc.caps |= RISCV_M_CAP_SV39;
	bool noncoh = (a >> 7) & 1u;
	mc.dram = noncoh;
	mc.busy_reads = (b >> 3) & 3u;
	FZ_CHECK(riscv_model_init(&s->model, &mc) == 0, "model init");

	bfx_init(&s->b, &s->px, noncoh ? 0 : IOMM_PORT_DMA_COHERENT);
	s->b.log_level = IOMM_LOG_WARN;
	if (noncoh) {
		s->b.wrap_hooks = true;
		s->b.on_clean = on_clean;
		s->b.on_clean_ctx = &s->model;
	}
	bfx_add_model(&s->b, REGS, RISCV_M_MMIO_SIZE, &mmio_ops, &s->model);
	const struct iomm_port *port = bfx_port_up(&s->b);

	static const uint8_t did_bits[8] = {0, 6, 7, 12, 15, 16, 20, 24};
	struct iomm_riscv_cfg cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.did_bits = did_bits[b & 7u];
	if ((b >> 5) & 1u)
		cfg.flags |= IOMM_RISCV_CFG_WSI;
	cfg.inv_threshold = c % 40u;
	cfg.pscid_bits = (uint8_t)(e & 3u);
	cfg.gscid_bits = (uint8_t)((e >> 2) & 3u);
	s->pscid_max = (1u << (cfg.pscid_bits ? cfg.pscid_bits : 20u)) - 1u;
	s->gscid_max = (1u << (cfg.gscid_bits ? cfg.gscid_bits : 16u)) - 1u;

	s->mem.ddt = bfx_mem(&s->b, 4096, 4096);
	s->mem.ddt_pa = (uint64_t)(uintptr_t)s->mem.ddt;
	s->mem.cq = bfx_mem(&s->b, 4096, 4096);
	s->mem.cq_pa = (uint64_t)(uintptr_t)s->mem.cq;
	static const size_t cq_sizes[4] = {4096, 32, 64, 256}; /* small: the ring wraps often */
	s->mem.cq_size = cq_sizes[(e >> 4) & 3u];
	s->mem.fq = bfx_mem(&s->b, 4096, 4096);
	s->mem.fq_pa = (uint64_t)(uintptr_t)s->mem.fq;
	s->mem.fq_size = (e >> 6) & 1u ? 64u : 4096u; /* two records: overflows */
	size_t dbytes = (DDT_PGS + 1) * 4096;
	void *dmem = bfx_mem(&s->b, dbytes, 4096);
	FZ_CHECK(iomm_pool_init(&s->ddt_pool, port, dmem, dbytes, (uint64_t)(uintptr_t)dmem,
				4096) == IOMM_OK,
		 "directory pool");
	int rc = iomm_riscv_init(&s->rv, port, REGS, &s->mem, &s->ddt_pool, &cfg);
	FZ_CHECK(rc == IOMM_OK, "init: %d", rc);
	bool flat = (mc.caps & RISCV_M_CAP_MSI_FLAT) != 0;
	s->cap_bits = s->rv.ddt_levels == 1   ? (flat ? 6u : 7u)
		      : s->rv.ddt_levels == 2 ? (flat ? 15u : 16u)
					      : 24u;
	for (unsigned i = 0; i < NDOMS; i++) {
		s->dom[i].bytes = (POOL_PGS + 1) * 4096;
		s->dom[i].mem = bfx_mem(&s->b, s->dom[i].bytes, 4096);
		s->dom[i].m.addr_mask = MSI_FILES - 1u;
		s->dom[i].m.addr_pattern = (IOVA0 >> 12) + MSI_PAGE0;
		s->dom[i].m.table = bfx_mem(&s->b, 4096, 4096);
		s->dom[i].m.table_pa = (uint64_t)(uintptr_t)s->dom[i].m.table;
		s->dom[i].m.table_bytes = 4096;
		FZ_CHECK(iomm_pool_init(&s->dom[i].pool, port, s->dom[i].mem, s->dom[i].bytes,
					(uint64_t)(uintptr_t)s->dom[i].mem, 4096) == IOMM_OK,
			 "pool");
	}
}

static void teardown(struct st *s)
{
	for (unsigned i = 0; i < NDEVS; i++)
		if (s->dev[i].attached)
			FZ_CHECK(iomm_detach(&s->dev[i].dev) == IOMM_OK, "final detach");
	for (unsigned pass = 0; pass < 2; pass++) /* nested children before their parents */
		for (unsigned i = 0; i < NDOMS; i++) {
			struct dslot *ds = &s->dom[i];
			if (ds->live && (pass == 1 || ds->type == IOMM_DOMAIN_NESTED)) {
				FZ_CHECK(iomm_domain_destroy(&ds->d) == IOMM_OK, "final destroy");
				ds->live = false;
			}
		}
	for (unsigned i = 0; i < NDOMS; i++)
		FZ_CHECK(iomm_pool_used(&s->dom[i].pool) == 0, "pool %u not empty", i);
	check_hygiene(s);
	FZ_CHECK(iomm_riscv_disable(&s->rv) == IOMM_OK, "disable");
	for (uint32_t did = 0; did < 4; did++)
		FZ_CHECK(riscv_model_dma(&s->model, did, IOVA0, RISCV_MODEL_ACC_R,
					 &(uint64_t){0}) == (int)RISCV_M_CAUSE_ALL_DISALLOWED,
			 "DMA after disable");
	check_hygiene(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct st *s;
	if (!s) {
		s = malloc(sizeof(*s));
		FZ_CHECK(s != NULL, "out of memory");
	}
	memset(s, 0, sizeof(*s));
	trace = getenv("FUZZ_TRACE") != NULL;
	struct fz in = {data, size};
	if (size < 4)
		return 0;
	setup(s, &in);
	for (unsigned n = 0; n < MAX_OPS && fz_more(&in); n++) {
		switch (fz_u8(&in) % 11u) {
		case 0:
			op_domain_init(s, &in);
			break;
		case 1:
			op_domain_destroy(s, &in);
			break;
		case 2:
		case 3:
			op_map(s, &in);
			break;
		case 4:
			op_unmap(s, &in, false);
			break;
		case 5:
			op_unmap(s, &in, true);
			break;
		case 6:
			op_attach(s, &in);
			break;
		case 7:
			op_detach(s, &in);
			break;
		case 8:
			op_dma(s, &in);
			break;
		case 9:
			op_msi(s, &in);
			break;
		default:
			op_poll(s);
			break;
		}
		check_hygiene(s);
	}
	teardown(s);
	bfx_fini(&s->b);
	return 0;
}
