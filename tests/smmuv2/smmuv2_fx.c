/* SPDX-License-Identifier: BSD-3-Clause */
/* Fixture of the SMMUv2 backend tests; see smmuv2_fx.h. */
#include "smmuv2_fx.h"

#include <stdlib.h>
#include <string.h>

BFX_MODEL_MMIO(fx_mmio_ops, struct smmuv2_model, smmuv2_model_read, smmuv2_model_write);

/* Fixture failures (tests/common/backend_fx.c) fail the cmocka test. */
static void fx_fail(const char *msg)
{
	fail_msg("%s", msg);
}

/* The port cleaned table memory: the model's non-coherent walker sees it now. */
static void fx_on_clean(void *ctx, const void *va, size_t len)
{
	struct fx *f = ctx;
	if (f->model_up)
		smmuv2_model_clean(&f->model, (uint64_t)(uintptr_t)va, len);
}

int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	smmuv2_model_cfg_preset(&f->mcfg, SMMUV2_MODEL_GENERIC);
	f->mcfg.dram = true; /* walks without CTTW see only what was cleaned */
	f->port_flags = IOMM_PORT_DMA_COHERENT;
	bfx_init(&f->b, &f->px, f->port_flags);
	f->b.fail = fx_fail;
	f->b.wrap_hooks = true;
	f->b.hook_log = f->hooks;
	f->b.hook_cap = FX_HOOK_CAP;
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
	bfx_fini(&f->b);
	free(f);
	*state = NULL;
	return 0;
}

void *fx_mem(struct fx *f, size_t size, size_t align)
{
	return bfx_mem(&f->b, size, align);
}

void fx_port_up(struct fx *f)
{
	if (f->b.px_up)
		return;
	f->b.port_flags = f->port_flags;
	f->b.clock_step = FX_CLOCK_STEP;
	bfx_port_up(&f->b);
}

void fx_boot_prep(struct fx *f)
{
	if (!f->model_up) {
		assert_int_equal(smmuv2_model_init(&f->model, &f->mcfg), 0);
		f->model_up = true;
	}
	fx_port_up(f);
	if (!f->window_up) {
		bfx_add_model(&f->b, FX_REGS, (size_t)smmuv2_model_mmio_size(&f->model),
			      &fx_mmio_ops, &f->model);
		f->window_up = true;
	}
}

int fx_boot(struct fx *f)
{
	fx_boot_prep(f);
	return iomm_smmuv2_init(&f->smmu, iomm_posix_port(&f->px), FX_REGS, &f->cfg);
}

void fx_start(struct fx *f)
{
	assert_int_equal(fx_boot(f), IOMM_OK);
}

void fx_check_hygiene(const struct fx *f)
{
	assert_int_equal(f->model.stats.bad_accesses, 0);
	assert_int_equal(f->model.stats.ro_writes, 0);
	assert_int_equal(f->model.stats.live_bank_writes, 0);
	assert_int_equal(f->model.stats.bad_tables, 0);
}

struct iomm_pool *fx_pool(struct fx *f, size_t page_size, size_t npages)
{
	fx_port_up(f);
	return bfx_pool(&f->b, page_size, npages);
}

void fx_pool_region(const struct fx *f, const struct iomm_pool *p, void **va, uint64_t *pa,
		    uint64_t *size)
{
	if (!bfx_pool_region(&f->b, p, va, pa, size))
		fail_msg("pool not made by fx_pool");
}

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

int fx_dev(struct fx *f, struct iomm_dev *dev, uint32_t sid, uint32_t mask)
{
	struct iomm_devid id = IOMM_SID(sid);
	id.mask = mask;
	return iomm_dev_init(dev, &f->smmu.unit, &id);
}

void fx_attach(struct fx *f, struct iomm_dev *dev, struct iomm_domain *dom, uint32_t sid,
	       uint32_t mask)
{
	assert_int_equal(fx_dev(f, dev, sid, mask), IOMM_OK);
	assert_int_equal(iomm_attach(dom, dev), IOMM_OK);
}

int fx_dma(struct fx *f, uint32_t sid, uint64_t iova, unsigned access, uint64_t *pa)
{
	uint64_t out = 0;
	int rc = smmuv2_model_dma(&f->model, sid, iova, access, &out);
	if (pa)
		*pa = out;
	return rc;
}

uint64_t fx_xlate(struct fx *f, uint32_t sid, uint64_t iova, unsigned access)
{
	uint64_t pa = 0;
	int rc = fx_dma(f, sid, iova, access, &pa);
	if (rc != 0)
		fail_msg("sid %u iova 0x%llx: access terminated with %d", (unsigned)sid,
			 (unsigned long long)iova, rc);
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

void fx_snap(struct fx *f)
{
	memcpy(f->snap_ops, f->model.stats.ops, sizeof(f->snap_ops));
	f->snap_seq = f->model.log_seq;
}

uint64_t fx_ops(const struct fx *f, unsigned op)
{
	return f->model.stats.ops[op] - f->snap_ops[op];
}

unsigned fx_nlog(const struct fx *f)
{
	uint64_t n = f->model.log_seq - f->snap_seq;
	return n > SMMUV2_MODEL_LOG ? SMMUV2_MODEL_LOG : (unsigned)n;
}

const struct smmuv2_model_log_entry *fx_log(const struct fx *f, unsigned i)
{
	unsigned n = fx_nlog(f);
	if (i >= n)
		return NULL;
	return smmuv2_model_log(&f->model, n - 1 - i);
}

uint64_t fx_cb_off(const struct fx *f, unsigned cb, uint64_t reg)
{
	return ((uint64_t)(f->model.numpage + cb) << f->model.pgshift) + reg;
}

uint32_t fx_rd(struct fx *f, uint64_t off)
{
	return (uint32_t)smmuv2_model_read(&f->model, off, 4);
}
