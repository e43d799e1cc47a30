/* SPDX-License-Identifier: BSD-3-Clause */
/* Fixture of the SMMUv3 backend tests; see smmuv3_fx.h. */
#include "smmuv3_fx.h"

#include <stdlib.h>
#include <string.h>

/* ---- the model's register frame as an MMIO window of the port ---- */

BFX_MODEL_MMIO(fx_mmio_ops, struct smmuv3_model, smmuv3_model_read, smmuv3_model_write);

/* Fixture failures (tests/common/backend_fx.c) fail the cmocka test. */
static void fx_fail(const char *msg)
{
	fail_msg("%s", msg);
}

/* The port cleaned memory: a non-coherent SMMU (cfg.dram) reads it as it is now.
 * A clean is the CPU's, not an access by the SMMU: the arena's fault injection
 * and its count of rejected accesses stay as they were. */
static void fx_on_clean(void *ctx, const void *va, size_t len)
{
	struct fx *f = ctx;
	if (f->model_up && !f->clean_off) {
		uint64_t budget = f->fail_budget, rejected = f->phys_rejected;
		f->fail_budget = 0;
		smmuv3_model_clean(&f->model, fx_pa(f, va), len);
		f->fail_budget = budget;
		f->phys_rejected = rejected;
	}
	if (f->on_clean)
		f->on_clean(f->on_clean_ctx, va, len);
}

/* ---- lifetime ---- */

int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	smmuv3_model_cfg_default(&f->mcfg);
	f->mcfg.dram = true; /* without COHACC the SMMU sees only what was cleaned */
	f->port_flags = IOMM_PORT_DMA_COHERENT;
	f->strtab_size = 64u * 256u; /* linear, 8 SID bits */
	f->cmdq_size = 16u * 256u;
	f->evtq_size = 32u * 64u;
	bfx_init(&f->b, &f->px, f->port_flags);
	f->b.fail = fx_fail;
	f->b.clean_log = f->clean_log;
	f->b.clean_log_cap = FX_CLEAN_CAP;
	f->b.wrap_hooks = true;
	f->b.on_clean = fx_on_clean;
	f->b.on_clean_ctx = f;
	*state = f;
	return 0;
}

int fx_teardown(void **state)
{
	struct fx *f = *state;
	if (!f)
		return 0;
	if (f->model_up)
		smmuv3_model_fini(&f->model);
	f->model_up = false;
	bfx_fini(&f->b);
	free(f);
	*state = NULL;
	return 0;
}

void *fx_mem(struct fx *f, size_t size, size_t align)
{
	if (align < 64)
		align = 64;
	size = (size + align - 1) & ~(align - 1);
	if (!f->phys_base)
		return bfx_mem(&f->b, size, align);
	assert_true(align <= FX_ARENA_ALIGN);
	assert_int_equal(f->phys_base & (FX_ARENA_ALIGN - 1), 0);
	if (!f->arena)
		f->arena = bfx_mem(&f->b, FX_ARENA_SIZE, FX_ARENA_ALIGN);
	size_t at = (f->arena_used + align - 1) & ~(align - 1);
	assert_true(at + size <= FX_ARENA_SIZE);
	f->arena_used = at + size;
	return f->arena + at;
}

uint64_t fx_pa(const struct fx *f, const void *va)
{
	const uint8_t *p = va;
	if (f->arena && p >= f->arena && p < f->arena + FX_ARENA_SIZE)
		return f->phys_base + (uint64_t)(p - f->arena);
	return (uint64_t)(uintptr_t)va;
}

/* The model's view of memory in phys_base mode: the arena only. */
static uint8_t *arena_at(struct fx *f, uint64_t pa, size_t len)
{
	if (!f->arena || pa < f->phys_base || pa - f->phys_base > FX_ARENA_SIZE ||
	    len > FX_ARENA_SIZE - (pa - f->phys_base)) {
		f->phys_rejected++;
		return NULL;
	}
	return f->arena + (pa - f->phys_base);
}

static int phys_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	struct fx *f = ctx;
	if (f->fail_budget && pa < f->fail_hi && pa + len > f->fail_lo) {
		f->fail_budget--;
		f->fail_hits++;
		return -1;
	}
	uint8_t *p = arena_at(f, pa, len);
	if (!p)
		return -1;
	memcpy(buf, p, len);
	return 0;
}

static int phys_write(void *ctx, uint64_t pa, const void *buf, size_t len)
{
	struct fx *f = ctx;
	if (f->wfail_budget && pa < f->wfail_hi && pa + len > f->wfail_lo) {
		f->wfail_budget--;
		return -1;
	}
	uint8_t *p = arena_at(f, pa, len);
	if (!p)
		return -1;
	memcpy(p, buf, len);
	return 0;
}

void fx_port_up(struct fx *f)
{
	if (f->b.px_up)
		return;
	f->b.port_flags = f->port_flags;
	f->b.clock_step = FX_CLOCK_STEP;
	bfx_port_up(&f->b); /* every message counted and kept, none printed */
	iomm_posix_trace_set_buffer(&f->px, f->trace, FX_TRACE_CAP);
}

static size_t pow2_at_least(size_t v)
{
	size_t p = 64;
	while (p < v)
		p <<= 1;
	return p;
}

void fx_alloc_queues(struct fx *f)
{
	if (f->mem.strtab)
		return;
	f->mem.strtab = fx_mem(f, f->strtab_size, pow2_at_least(f->strtab_size));
	f->mem.strtab_pa = fx_pa(f, f->mem.strtab);
	f->mem.strtab_size = f->strtab_size;
	f->mem.cmdq = fx_mem(f, f->cmdq_size, pow2_at_least(f->cmdq_size));
	f->mem.cmdq_pa = fx_pa(f, f->mem.cmdq);
	f->mem.cmdq_size = f->cmdq_size;
	f->mem.evtq = fx_mem(f, f->evtq_size, pow2_at_least(f->evtq_size));
	f->mem.evtq_pa = fx_pa(f, f->mem.evtq);
	f->mem.evtq_size = f->evtq_size;
}

void fx_boot_prep(struct fx *f)
{
	if (!f->model_up) {
		if (f->phys_base) {
			f->mcfg.read_mem = phys_read;
			f->mcfg.write_mem = phys_write;
			f->mcfg.mem_ctx = f;
		}
		assert_int_equal(smmuv3_model_init(&f->model, &f->mcfg), 0);
		f->model_up = true;
		fx_port_up(f);
		bfx_add_model(&f->b, FX_REGS, SMMUV3_M_MMIO_SIZE, &fx_mmio_ops, &f->model);
	}
	fx_port_up(f);
	fx_alloc_queues(f);
	if ((f->cfg.flags & IOMM_SMMUV3_CFG_2LVL) && !f->st_pool)
		f->st_pool = fx_pool(f, 4096, 64);
}

int fx_boot(struct fx *f)
{
	fx_boot_prep(f);
	return iomm_smmuv3_init(&f->smmu, iomm_posix_port(&f->px), FX_REGS, &f->mem, f->st_pool,
				&f->cfg);
}

void fx_start(struct fx *f)
{
	assert_int_equal(fx_boot(f), IOMM_OK);
}

void fx_check_hygiene(const struct fx *f)
{
	const struct smmuv3_model_stats *st = &f->model.stats;
	assert_int_equal(st->ro_writes, 0);
	assert_int_equal(st->guarded_writes, 0);
	assert_int_equal(st->bad_accesses, 0);
	assert_int_equal(st->gbpa_bad_writes, 0);
	assert_int_equal(st->gerrorn_bad, 0);
	assert_int_equal(st->cmdq_overruns, 0);
	assert_int_equal(st->anomalies, 0);
}

/* ---- table memory ---- */

struct iomm_pool *fx_pool(struct fx *f, size_t page_size, size_t npages)
{
	fx_port_up(f);
	size_t bytes = (npages + 1) * page_size;
	void *mem = fx_mem(f, bytes, page_size); /* in the arena in phys_base mode */
	return bfx_pool_at(&f->b, mem, fx_pa(f, mem), bytes, page_size);
}

void fx_pool_region(const struct fx *f, const struct iomm_pool *p, void **va, uint64_t *pa,
		    uint64_t *size)
{
	if (!bfx_pool_region(&f->b, p, va, pa, size)) {
		print_error("pool not made by fx_pool\n");
		fail();
	}
}

/* ---- domains and devices ---- */

int fx_domain(struct fx *f, struct iomm_domain *d, enum iomm_domain_type type, uint32_t granule,
	      struct iomm_pool *pool, struct iomm_domain *parent)
{
	struct iomm_domain_cfg c;
	memset(&c, 0, sizeof(c));
	c.type = type;
	c.granule = granule;
	c.pool = pool;
	c.parent = parent;
	return iomm_domain_init(d, &f->smmu.unit, &c);
}

void fx_attach(struct fx *f, struct iomm_dev *dev, struct iomm_domain *dom, uint32_t sid,
	       uint32_t mask)
{
	struct iomm_devid id = IOMM_SID(sid);
	id.mask = mask;
	assert_int_equal(iomm_dev_init(dev, &f->smmu.unit, &id), IOMM_OK);
	assert_int_equal(iomm_attach(dom, dev), IOMM_OK);
}

/* ---- traffic and faults ---- */

int fx_dma(struct fx *f, uint32_t sid, uint64_t iova, unsigned access, uint64_t *pa)
{
	uint64_t out = 0;
	int rc = smmuv3_model_dma(&f->model, sid, 0, false, iova, access, &out);
	if (pa)
		*pa = out;
	return rc;
}

uint64_t fx_xlate(struct fx *f, uint32_t sid, uint64_t iova, unsigned access)
{
	uint64_t pa = 0;
	int rc = fx_dma(f, sid, iova, access, &pa);
	if (rc != 0) {
		print_error("sid %u iova 0x%llx: access terminated with %d\n", (unsigned)sid,
			    (unsigned long long)iova, rc);
		fail();
	}
	return pa;
}

static void collect(void *arg, const struct iomm_fault *fault)
{
	struct fx *f = arg;
	if (f->nfaults < FX_MAX_FAULTS)
		f->faults[f->nfaults] = *fault;
	f->nfaults++;
}

int fx_poll(struct fx *f)
{
	f->nfaults = 0;
	return iomm_fault_poll(&f->smmu.unit, collect, f);
}

/* ---- commands ---- */

void fx_snap(struct fx *f)
{
	memcpy(f->snap_count, f->model.stats.cmd_count, sizeof(f->snap_count));
	f->snap_consumed = f->model.stats.cmds_consumed;
	f->snap_cmd_errors = f->model.stats.cmd_errors;
	f->snap_seq = f->model.log_seq;
	f->snap_stats = f->smmu.stats;
}

uint64_t fx_ops(const struct fx *f, unsigned op)
{
	return f->model.stats.cmd_count[op & 0xffu] - f->snap_count[op & 0xffu];
}

uint64_t fx_consumed(const struct fx *f)
{
	return f->model.stats.cmds_consumed - f->snap_consumed;
}

unsigned fx_nlog(const struct fx *f)
{
	uint64_t n = f->model.log_seq - f->snap_seq;
	return n > SMMUV3_MODEL_CMD_LOG ? SMMUV3_MODEL_CMD_LOG : (unsigned)n;
}

const struct smmuv3_model_cmd_log_entry *fx_log(const struct fx *f, unsigned i)
{
	unsigned n = fx_nlog(f);
	if (i >= n)
		return NULL;
	return smmuv3_model_cmd_log(&f->model, n - 1 - i);
}

const struct smmuv3_model_cmd_log_entry *fx_find(const struct fx *f, unsigned op, unsigned n)
{
	for (unsigned i = 0; i < fx_nlog(f); i++) {
		const struct smmuv3_model_cmd_log_entry *e = fx_log(f, i);
		if (e->op == op && e->err == 0 && n-- == 0)
			return e;
	}
	return NULL;
}

bool fx_cleaned(const struct fx *f, const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p;
	size_t n = f->px.clean_calls < FX_CLEAN_CAP ? (size_t)f->px.clean_calls : FX_CLEAN_CAP;
	for (size_t i = 0; i < n; i++) {
		uintptr_t s = (uintptr_t)f->clean_log[i].va;
		if (a >= s && a + len <= s + f->clean_log[i].len)
			return true;
	}
	return false;
}

uint64_t *fx_ste(const struct fx *f, uint32_t sid)
{
	return (uint64_t *)f->mem.strtab + (size_t)sid * 8u;
}
