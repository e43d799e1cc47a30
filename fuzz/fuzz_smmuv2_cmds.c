/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_smmuv2_cmds: the SMMUv2 backend driving the register-level SMMUv2
 * model (tools/models, whose walks are the independent walker's) through
 * the hosted POSIX port, with a fuzzed sequence of operations.
 *
 * The first three bytes choose the hardware (one of the model's ID
 * presets: generic, stream indexing, 4K only, stage 2 only, MMU-500), the
 * invalidation threshold and whether the port is coherent. Then: domain
 * init / destroy (stage 1, stage 2, bypass, blocked, each translating one
 * with its own small pool), map, unmap, device init + attach / detach, DMA
 * through the model, fault polling.
 *
 * Checked after every operation:
 *  - attach: IOMM_EBUSY exactly when the device's streams overlap an
 *    attached device's, IOMM_ENOSPC exactly when no SMR is free (stream
 *    matching), and nothing changes on failure; domain init: IOMM_ENOSPC
 *    exactly when no suitable context bank is free;
 *  - every DMA through the model: a stream of no attached device faults as
 *    unidentified; a bypass domain passes the address through; a blocked
 *    one aborts; a translating domain translates exactly what the library's
 *    own lookup says is mapped, with its permissions (the model walks the
 *    tables with the independent walker), and faults otherwise;
 *  - after every successful iomm_unmap(): the unmapped pages, which were
 *    just used by DMA so that the model's TLB holds them, no longer
 *    translate for any attached device (a missing, too narrow or unsynced
 *    invalidation shows as a stale translation);
 *  - the driver never touches an unknown or read-only register or
 *    reconfigures a live bank, the walker never rejects a table, nothing is
 *    logged as an error;
 *  - at the end everything is detached and destroyed and every pool is empty.
 */
#include <stdlib.h>
#include <string.h>

#include <iommuman/iommuman.h>
#include <iommuman/port_posix.h>
#include <iommuman/smmuv2.h>

#include "backend_fx.h"
#include "fuzz_common.h"
#include "smmuv2_model.h"

#define REGS	((uintptr_t)0x20000000u)
#define MAX_OPS 160
#define NDOMS	4
#define NDEVS	6
#define NPAGES	64
#define IOVA0	UINT64_C(0x100000)
#define PA0	UINT64_C(0x40000000)
#define SZ4K	UINT64_C(0x1000)

struct dslot {
	bool live;
	struct iomm_domain d;
	enum iomm_domain_type type;
	struct iomm_pool pool;
	void *mem;
};

struct dev {
	bool attached;
	struct iomm_dev dev;
	uint32_t sid, mask;
	int dom;
};

struct st {
	struct smmuv2_model model;
	struct iomm_posix px;
	struct bfx b; /* port, model window, memory (tests/common/backend_fx.h) */
	struct iomm_smmuv2 smmu;
	struct dslot dom[NDOMS];
	struct dev dev[NDEVS];
};

BFX_MODEL_MMIO(mmio_ops, struct smmuv2_model, smmuv2_model_read, smmuv2_model_write);

static void check_hygiene(struct st *s)
{
	const struct smmuv2_model_stats *m = &s->model.stats;
	FZ_CHECK(m->bad_accesses == 0 && m->ro_writes == 0 && m->live_bank_writes == 0,
		 "register misuse: bad %llu ro %llu live %llu", FZ_ULL(m->bad_accesses),
		 FZ_ULL(m->ro_writes), FZ_ULL(m->live_bank_writes));
	FZ_CHECK(m->bad_tables == 0, "the walker rejected a table");
	FZ_CHECK(iomm_posix_log_count(&s->px, IOMM_LOG_ERROR) == 0, "error logged: %s",
		 s->px.log_last);
}

static bool translating(enum iomm_domain_type t)
{
	return t == IOMM_DOMAIN_S1 || t == IOMM_DOMAIN_S2;
}

/* Which device (if any) owns @sid. */
static const struct dev *owner_of(const struct st *s, uint32_t sid)
{
	for (unsigned i = 0; i < NDEVS; i++) {
		const struct dev *d = &s->dev[i];
		if (d->attached && ((sid ^ d->sid) & ~d->mask) == 0)
			return d;
	}
	return NULL;
}

/* One DMA, checked against what the library says; returns the model's result. */
static int dma_check(struct st *s, uint32_t sid, uint64_t iova, bool write)
{
	uint64_t pa = 0;
	unsigned acc = write ? SMMUV2_MODEL_ACC_W : SMMUV2_MODEL_ACC_R;
	int rc = smmuv2_model_dma(&s->model, sid, iova, acc, &pa);
	const struct dev *d = owner_of(s, sid);
	if (!d) {
		/* matching: unidentified; indexing: its S2CR faults, beyond them unidentified */
		bool sms = (s->smmu.features & IOMM_SMMUV2_F_SMS) != 0;
		int want = !sms && sid < s->smmu.nsmr ? SMMUV2_MODEL_ABORT : SMMUV2_MODEL_G_USF;
		FZ_CHECK(rc == want, "sid %u of no device: %d, want %d", sid, rc, want);
		return rc;
	}
	const struct dslot *ds = &s->dom[d->dom];
	if (ds->type == IOMM_DOMAIN_BYPASS) {
		FZ_CHECK(rc == 0 && pa == iova, "bypass sid %u: %d 0x%llx", sid, rc, FZ_ULL(pa));
		return rc;
	}
	if (ds->type == IOMM_DOMAIN_BLOCKED) {
		FZ_CHECK(rc == SMMUV2_MODEL_ABORT, "blocked sid %u: %d", sid, rc);
		return rc;
	}
	struct iomm_mapping m;
	if (iomm_pgt_lookup(&ds->d.pgt, iova, &m) != IOMM_OK) {
		FZ_CHECK(rc == SMMUV2_MODEL_F_TF, "unmapped 0x%llx sid %u: %d", FZ_ULL(iova), sid, rc);
		return rc;
	}
	if (write && !(m.prot & IOMM_WRITE)) {
		FZ_CHECK(rc == SMMUV2_MODEL_F_PF, "read-only 0x%llx written: %d", FZ_ULL(iova), rc);
		return rc;
	}
	FZ_CHECK(rc == 0 && pa == m.pa + (iova - m.iova), "0x%llx: %d pa 0x%llx, table 0x%llx",
		 FZ_ULL(iova), rc, FZ_ULL(pa), FZ_ULL(m.pa + (iova - m.iova)));
	return rc;
}

static bool bank_free(const struct st *s, unsigned from)
{
	for (unsigned cb = from; cb < s->smmu.ncb; cb++) {
		bool used = false;
		for (unsigned i = 0; i < NDOMS; i++)
			if (s->dom[i].live && translating(s->dom[i].type) &&
			    s->dom[i].d.priv_word == cb)
				used = true;
		if (!used)
			return true;
	}
	return false;
}

static void op_domain_init(struct st *s, struct fz *in)
{
	unsigned i = fz_u8(in) % NDOMS;
	struct dslot *ds = &s->dom[i];
	if (ds->live)
		return;
	static const enum iomm_domain_type types[] = {IOMM_DOMAIN_S1, IOMM_DOMAIN_S2,
						       IOMM_DOMAIN_BYPASS, IOMM_DOMAIN_BLOCKED};
	enum iomm_domain_type t = types[fz_u8(in) % 4];
	struct iomm_domain_cfg c;
	memset(&c, 0, sizeof(c));
	c.type = t;
	c.pool = &ds->pool;
	uint32_t need = t == IOMM_DOMAIN_S1 ? IOMM_CAP_S1 : t == IOMM_DOMAIN_S2 ? IOMM_CAP_S2 : 0;
	bool bank_ok = !translating(t) || bank_free(s, t == IOMM_DOMAIN_S1 ? s->smmu.ns2cb : 0);
	int rc = iomm_domain_init(&ds->d, &s->smmu.unit, &c);
	if ((s->smmu.unit.caps & need) != need) {
		FZ_CHECK(rc == IOMM_ENOTSUP, "missing stage: %d", rc);
		return;
	}
	FZ_CHECK(rc == (bank_ok ? IOMM_OK : IOMM_ENOSPC), "domain init %d, bank free %d", rc,
		 bank_ok);
	if (rc == IOMM_OK) {
		ds->live = true;
		ds->type = t;
	} else {
		FZ_CHECK(iomm_pool_used(&ds->pool) == 0, "failed init kept pages");
	}
}

static void op_domain_destroy(struct st *s, struct fz *in)
{
	struct dslot *ds = &s->dom[fz_u8(in) % NDOMS];
	if (!ds->live)
		return;
	bool busy = false;
	for (unsigned i = 0; i < NDEVS; i++)
		if (s->dev[i].attached && &s->dom[s->dev[i].dom] == ds)
			busy = true;
	int rc = iomm_domain_destroy(&ds->d);
	FZ_CHECK(rc == (busy ? IOMM_EBUSY : IOMM_OK), "destroy %d busy %d", rc, busy);
	if (rc == IOMM_OK) {
		ds->live = false;
		FZ_CHECK(iomm_pool_used(&ds->pool) == 0, "pages left after destroy");
	}
}

static void op_map(struct st *s, struct fz *in)
{
	struct dslot *ds = &s->dom[fz_u8(in) % NDOMS];
	unsigned page = fz_u8(in) % NPAGES, n = 1u + fz_u8(in) % 8u;
	uint32_t prot = (fz_u8(in) & 1u) ? IOMM_READ : (IOMM_READ | IOMM_WRITE);
	if (!ds->live || !translating(ds->type) || page + n > NPAGES)
		return;
	int rc = iomm_map(&ds->d, IOVA0 + page * SZ4K, PA0 + page * SZ4K, n * SZ4K, prot);
	FZ_CHECK(rc == IOMM_OK || rc == IOMM_EEXIST || rc == IOMM_ENOMEM, "map %d", rc);
}

static void op_unmap(struct st *s, struct fz *in)
{
	unsigned di = fz_u8(in) % NDOMS;
	struct dslot *ds = &s->dom[di];
	unsigned page = fz_u8(in) % NPAGES, n = 1u + fz_u8(in) % 40u;
	if (!ds->live || !translating(ds->type) || page + n > NPAGES)
		return;
	/* prime the TLB with every mapped page of the range, for every device */
	for (unsigned k = 0; k < NDEVS; k++)
		if (s->dev[k].attached && s->dev[k].dom == (int)di)
			for (unsigned p = page; p < page + n; p++)
				dma_check(s, s->dev[k].sid, IOVA0 + p * SZ4K, false);
	int rc = iomm_unmap(&ds->d, IOVA0 + page * SZ4K, n * SZ4K, NULL);
	FZ_CHECK(rc == IOMM_OK || rc == IOMM_ENOMEM, "unmap %d", rc);
	if (rc)
		return;
	for (unsigned k = 0; k < NDEVS; k++)
		if (s->dev[k].attached && s->dev[k].dom == (int)di)
			for (unsigned p = page; p < page + n; p++)
				FZ_CHECK(dma_check(s, s->dev[k].sid, IOVA0 + p * SZ4K, false) ==
						 SMMUV2_MODEL_F_TF,
					 "stale translation of page %u after unmap", p);
}

static void op_attach(struct st *s, struct fz *in)
{
	struct dev *d = &s->dev[fz_u8(in) % NDEVS];
	unsigned di = fz_u8(in) % NDOMS;
	uint32_t sid = fz_u8(in) % 32u, mask = (uint32_t[]){0, 1, 3, 0}[fz_u8(in) % 4];
	if (d->attached || !s->dom[di].live)
		return;
	struct iomm_devid id = IOMM_SID(sid);
	id.mask = mask;
	int rc = iomm_dev_init(&d->dev, &s->smmu.unit, &id);
	if ((sid | mask) >> s->smmu.unit.sid_bits) {
		FZ_CHECK(rc == IOMM_ERANGE, "sid 0x%x beyond %u bits: %d", sid,
			 s->smmu.unit.sid_bits, rc);
		return;
	}
	FZ_CHECK(rc == IOMM_OK, "dev init %d", rc);
	sid &= ~mask;
	bool overlap = false;
	unsigned used = 0;
	for (unsigned i = 0; i < NDEVS; i++) {
		if (!s->dev[i].attached)
			continue;
		used++;
		if (((sid ^ s->dev[i].sid) & ~(mask | s->dev[i].mask)) == 0)
			overlap = true;
	}
	bool sms = (s->smmu.features & IOMM_SMMUV2_F_SMS) != 0;
	int want = overlap ? IOMM_EBUSY : (sms && used >= s->smmu.nsmr) ? IOMM_ENOSPC : IOMM_OK;
	uint32_t smr_before[128];
	memcpy(smr_before, s->model.smr, sizeof(smr_before));
	rc = iomm_attach(&s->dom[di].d, &d->dev);
	FZ_CHECK(rc == want, "attach sid 0x%x mask 0x%x: %d, want %d", sid, mask, rc, want);
	if (rc) {
		FZ_CHECK(memcmp(smr_before, s->model.smr, sizeof(smr_before)) == 0,
			 "failed attach changed the SMRs");
		return;
	}
	d->attached = true;
	d->sid = sid;
	d->mask = mask;
	d->dom = (int)di;
}

static void op_detach(struct st *s, struct fz *in)
{
	struct dev *d = &s->dev[fz_u8(in) % NDEVS];
	if (!d->attached)
		return;
	FZ_CHECK(iomm_detach(&d->dev) == IOMM_OK, "detach");
	d->attached = false;
	FZ_CHECK(dma_check(s, d->sid, IOVA0, false) < 0, "a detached device still reaches memory");
}

static void op_dma(struct st *s, struct fz *in)
{
	uint32_t sid = fz_u8(in) % 40u;
	unsigned page = fz_u8(in) % (NPAGES + 4);
	dma_check(s, sid, IOVA0 + page * SZ4K + 0x10u, (fz_u8(in) & 1u) != 0);
}

static void ignore_fault(void *arg, const struct iomm_fault *f)
{
	unsigned *n = arg;
	FZ_CHECK((unsigned)f->reason <= IOMM_FAULT_TLB_CONFLICT, "reason %u", (unsigned)f->reason);
	(*n)++;
}

static void op_poll_ok(struct st *s)
{
	unsigned n = 0;
	FZ_CHECK(iomm_fault_poll(&s->smmu.unit, NULL, NULL) == IOMM_EINVAL, "NULL handler");
	int rc = iomm_fault_poll(&s->smmu.unit, ignore_fault, &n);
	FZ_CHECK(rc >= 0 && (unsigned)rc == n, "poll %d, delivered %u", rc, n);
	FZ_CHECK((s->model.gfsr & 0x1ffu) == 0, "global fault left after a poll");
	for (unsigned i = 0; i < NDOMS; i++)
		if (s->dom[i].live && translating(s->dom[i].type))
			FZ_CHECK((s->model.cb[s->dom[i].d.priv_word].fsr & 0x1feu) == 0,
				 "bank fault left after a poll");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz in = {data, size};
	struct st *s = calloc(1, sizeof(*s));
	FZ_CHECK(s != NULL, "out of memory");
	struct smmuv2_model_cfg mcfg;
	smmuv2_model_cfg_preset(&mcfg, (enum smmuv2_model_preset)(fz_u8(&in) % 5));
	struct iomm_smmuv2_cfg cfg = {0};
	cfg.inv_threshold = fz_u8(&in) % 48u;
	uint32_t flags = (fz_u8(&in) & 1u) ? 0 : IOMM_PORT_DMA_COHERENT;
	FZ_CHECK(smmuv2_model_init(&s->model, &mcfg) == 0, "model init");
	bfx_init(&s->b, &s->px, flags);
	s->b.log_level = IOMM_LOG_WARN;
	bfx_add_model(&s->b, REGS, (size_t)smmuv2_model_mmio_size(&s->model), &mmio_ops, &s->model);
	const struct iomm_port *port = bfx_port_up(&s->b);
	FZ_CHECK(iomm_smmuv2_init(&s->smmu, port, REGS, &cfg) == IOMM_OK, "smmu init");
	for (unsigned i = 0; i < NDOMS; i++) {
		size_t bytes = 17 * 4096;
		s->dom[i].mem = bfx_mem(&s->b, bytes, 4096);
		FZ_CHECK(iomm_pool_init(&s->dom[i].pool, port, s->dom[i].mem, bytes,
					(uint64_t)(uintptr_t)s->dom[i].mem, 4096) == IOMM_OK,
			 "pool");
	}
	for (unsigned n = 0; n < MAX_OPS && fz_more(&in); n++) {
		switch (fz_u8(&in) % 9u) {
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
			op_unmap(s, &in);
			break;
		case 5:
			op_attach(s, &in);
			break;
		case 6:
			op_detach(s, &in);
			break;
		case 7:
			op_dma(s, &in);
			break;
		default:
			op_poll_ok(s);
			break;
		}
		check_hygiene(s);
	}
	for (unsigned i = 0; i < NDEVS; i++)
		if (s->dev[i].attached)
			FZ_CHECK(iomm_detach(&s->dev[i].dev) == IOMM_OK, "final detach");
	for (unsigned i = 0; i < NDOMS; i++) {
		if (s->dom[i].live)
			FZ_CHECK(iomm_domain_destroy(&s->dom[i].d) == IOMM_OK, "final destroy");
		FZ_CHECK(iomm_pool_used(&s->dom[i].pool) == 0, "pool %u not empty", i);
	}
	check_hygiene(s);
	bfx_fini(&s->b);
	free(s);
	return 0;
}
