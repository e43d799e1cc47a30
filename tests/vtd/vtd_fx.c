/* SPDX-License-Identifier: BSD-3-Clause */
/* Fixture of the VT-d backend tests; see vtd_fx.h. */
#include "vtd_fx.h"

#include <stdlib.h>
#include <string.h>

BFX_MODEL_MMIO(fx_mmio_ops, struct vtd_model, vtd_model_read, vtd_model_write);

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
		vtd_model_clean(&f->model, (uint64_t)(uintptr_t)va, len);
}

int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	vtd_model_cfg_default(&f->mcfg);
	f->mcfg.dram = true; /* walks that do not snoop see only what was cleaned */
	f->port_flags = IOMM_PORT_DMA_COHERENT;
	f->iq_size = 4096;
	f->oas = 48;
	f->cfg.haw = 48; /* host address width: domains ask for 48-bit outputs */
	bfx_init(&f->b, &f->px, f->port_flags);
	f->b.fail = fx_fail;
	f->b.clean_log = f->clean_log;
	f->b.clean_log_cap = FX_CLEAN_CAP;
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
	if (f->model_up)
		vtd_model_fini(&f->model);
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

struct iomm_pool *fx_pool(struct fx *f, size_t page_size, size_t npages)
{
	fx_port_up(f);
	return bfx_pool(&f->b, page_size, npages);
}

void fx_boot_prep(struct fx *f)
{
	if (!f->model_up) {
		assert_int_equal(vtd_model_init(&f->model, &f->mcfg), 0);
		f->model_up = true;
	}
	if (!f->win_up) {
		f->win_up = true;
		fx_port_up(f);
		bfx_add_model(&f->b, FX_REGS, VTD_M_MMIO_SIZE, &fx_mmio_ops, &f->model);
	}
	if (!f->mem.root) {
		f->mem.root = fx_mem(f, 4096, 4096);
		f->mem.root_pa = (uint64_t)(uintptr_t)f->mem.root;
		if (f->iq_size) {
			f->mem.iq = fx_mem(f, f->iq_size, 4096);
			f->mem.iq_pa = (uint64_t)(uintptr_t)f->mem.iq;
			f->mem.iq_size = f->iq_size;
		}
	}
	if (!f->pool)
		f->pool = fx_pool(f, 4096, 64);
}

int fx_boot(struct fx *f)
{
	fx_boot_prep(f);
	return iomm_vtd_init(&f->vtd, iomm_posix_port(&f->px), FX_REGS, &f->mem, f->pool, &f->cfg);
}

void fx_start(struct fx *f)
{
	assert_int_equal(fx_boot(f), IOMM_OK);
}

void fx_check_hygiene(const struct fx *f)
{
	const struct vtd_model_stats *st = &f->model.stats;
	assert_int_equal(st->ro_writes, 0);
	assert_int_equal(st->bad_accesses, 0);
	assert_int_equal(st->gcmd_multi, 0);
	assert_int_equal(st->reg_inv_while_qi, 0);
	assert_int_equal(st->reg_inv_busy, 0);
	assert_int_equal(st->anomalies, 0);
	assert_int_equal(st->iqe, 0);
}

int fx_domain(struct fx *f, struct iomm_domain *d, enum iomm_domain_type type, uint8_t ias)
{
	struct iomm_domain_cfg c;
	memset(&c, 0, sizeof(c));
	c.type = type;
	c.ias = ias;
	if (type == IOMM_DOMAIN_S1 || type == IOMM_DOMAIN_S2) {
		c.pool = fx_pool(f, 4096, 128);
		c.oas = f->oas;
	}
	return iomm_domain_init(d, &f->vtd.unit, &c);
}

void fx_attach(struct fx *f, struct iomm_dev *dev, struct iomm_domain *dom, uint16_t sid)
{
	struct iomm_devid id = IOMM_SID(sid);
	assert_int_equal(iomm_dev_init(dev, &f->vtd.unit, &id), IOMM_OK);
	assert_int_equal(iomm_attach(dom, dev), IOMM_OK);
}

int fx_dma(struct fx *f, uint16_t sid, uint64_t iova, bool write, uint64_t *pa)
{
	uint64_t out = 0;
	int rc = vtd_model_dma(&f->model, sid, iova, 1, write, &out);
	if (pa)
		*pa = out;
	return rc;
}

uint64_t fx_xlate(struct fx *f, uint16_t sid, uint64_t iova, bool write)
{
	uint64_t pa = 0;
	int rc = fx_dma(f, sid, iova, write, &pa);
	if (rc != 0) {
		print_error("sid 0x%x iova 0x%llx %s: fault reason 0x%x\n", (unsigned)sid,
			    (unsigned long long)iova, write ? "write" : "read", (unsigned)rc);
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
	return iomm_fault_poll(&f->vtd.unit, collect, f);
}

void fx_snap(struct fx *f)
{
	f->snap = f->model.stats;
	f->snap_seq = f->model.log_seq;
}

unsigned fx_ninv(const struct fx *f)
{
	uint64_t n = f->model.log_seq - f->snap_seq;
	return n > VTD_MODEL_LOG ? VTD_MODEL_LOG : (unsigned)n;
}

const struct vtd_model_inv *fx_inv(const struct fx *f, unsigned i)
{
	unsigned n = fx_ninv(f);
	if (i >= n)
		return NULL;
	return vtd_model_inv_log(&f->model, n - 1 - i);
}
