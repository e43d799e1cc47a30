/* SPDX-License-Identifier: BSD-3-Clause */
/* Fixture of the RISC-V IOMMU backend tests; see riscv_fx.h. */
#include "riscv_fx.h"

#include <stdlib.h>
#include <string.h>

static uint64_t fx_mmio_read(void *ctx, uint64_t off, unsigned width)
{
	struct fx *f = ctx;
	return riscv_model_read(f->model, off, width);
}

static void fx_mmio_write(void *ctx, uint64_t off, unsigned width, uint64_t val)
{
	struct fx *f = ctx;
	struct riscv_model *m = f->model;
	if (off == RISCV_M_CQT) {
		if (f->drop_cqt) { /* the tail moves, the unit does not process */
			m->cqt = (uint32_t)val & ((uint32_t)(f->mem.cq_size / 16u) - 1u);
			return;
		}
		if (f->corrupt_cqt) {
			f->corrupt_cqt--;
			uint32_t mask = (uint32_t)(f->mem.cq_size / 16u) - 1u;
			uint32_t slot = ((uint32_t)val - 1u) & mask;
			uint8_t *q = f->mem.cq;
			q[16u * slot] = 0x7f; /* opcode 127: no such command */
		}
		if (f->cqmf_cqt) {
			f->cqmf_cqt = false;
			m->cqcsr |= RISCV_M_CQCSR_CQMF;
		}
	}
	if (off == RISCV_M_FCTL && f->ignore_fctl)
		return;
	if (off == RISCV_M_DDTP && f->ignore_ddtp)
		return;
	if (off == RISCV_M_DDTP && f->ddtp_max && (val & 0xfu) > f->ddtp_max)
		val &= ~UINT64_C(0xf);
	bool cq_was = (m->cqcsr & RISCV_M_CQCSR_CQEN) != 0;
	bool fq_was = (m->fqcsr & RISCV_M_FQCSR_FQEN) != 0;
	riscv_model_write(m, off, val, width);
	if (off == RISCV_M_CQCSR && f->cqmf_on_enable && !cq_was && (val & RISCV_M_CQCSR_CQEN))
		m->cqcsr |= RISCV_M_CQCSR_CQMF;
	if (off == RISCV_M_DDTP && f->busy_ddtp_on && (val & 0xfu) >= RISCV_M_DDTP_1LVL)
		m->ddtp_busy = 1000000;
	if (off == RISCV_M_FQCSR && f->fqmf_on_enable && !fq_was && (val & RISCV_M_FQCSR_FQEN))
		m->fqcsr |= RISCV_M_FQCSR_FQMF;
}

static const struct iomm_posix_mmio_ops fx_mmio_ops = {.read = fx_mmio_read,
						       .write = fx_mmio_write};

static void fx_fail(const char *msg)
{
	fail_msg("%s", msg);
}

/* The port cleaned memory: the model's non-coherent walker sees it now. */
static void fx_on_clean(void *ctx, const void *va, size_t len)
{
	struct fx *f = ctx;
	if (f->model_up)
		riscv_model_clean(f->model, (uint64_t)(uintptr_t)va, len);
}

int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	f->model = calloc(1, sizeof(*f->model));
	if (!f->model) {
		free(f);
		return -1;
	}
	riscv_model_cfg_default(&f->mcfg);
	f->coherent = true;
	bfx_init(&f->b, &f->px, IOMM_PORT_DMA_COHERENT);
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
	free(f->model);
	free(f);
	*state = NULL;
	return 0;
}

void *fx_mem(struct fx *f, size_t size, size_t align)
{
	return bfx_mem(&f->b, size, align);
}

static void fx_port_up(struct fx *f)
{
	if (f->b.px_up)
		return;
	f->b.port_flags = f->coherent ? IOMM_PORT_DMA_COHERENT : 0u;
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
		f->mcfg.dram = !f->coherent;
		assert_int_equal(riscv_model_init(f->model, &f->mcfg), 0);
		f->model_up = true;
	}
	fx_port_up(f);
	if (!f->window_up) {
		bfx_add_model(&f->b, FX_REGS, RISCV_M_MMIO_SIZE, &fx_mmio_ops, f);
		f->window_up = true;
		size_t cq = f->cq_size ? f->cq_size : P4K, fq = f->fq_size ? f->fq_size : P4K;
		f->mem.ddt = fx_mem(f, P4K, P4K);
		f->mem.ddt_pa = (uint64_t)(uintptr_t)f->mem.ddt;
		f->mem.cq = fx_mem(f, cq, cq > P4K ? cq : P4K);
		f->mem.cq_pa = (uint64_t)(uintptr_t)f->mem.cq;
		f->mem.cq_size = cq;
		f->mem.fq = fx_mem(f, fq, fq > P4K ? fq : P4K);
		f->mem.fq_pa = (uint64_t)(uintptr_t)f->mem.fq;
		f->mem.fq_size = fq;
		if (f->ddt_pages)
			f->ddt_pool = bfx_pool(&f->b, P4K, f->ddt_pages);
	}
}

int fx_init_again(struct fx *f)
{
	return iomm_riscv_init(&f->rv, iomm_posix_port(&f->px), FX_REGS, &f->mem, f->ddt_pool,
			       &f->cfg);
}

int fx_boot(struct fx *f)
{
	fx_boot_prep(f);
	return fx_init_again(f);
}

void fx_start(struct fx *f)
{
	assert_int_equal(fx_boot(f), IOMM_OK);
}

int fx_domain(struct fx *f, struct iomm_domain *d, enum iomm_domain_type type, uint8_t ias,
	      struct iomm_pool *pool, struct iomm_domain *parent)
{
	struct iomm_domain_cfg c;
	memset(&c, 0, sizeof(c));
	c.type = type;
	c.ias = ias;
	c.pool = pool;
	c.parent = parent;
	return iomm_domain_init(d, &f->rv.unit, &c);
}

int fx_dev(struct fx *f, struct iomm_dev *dev, uint32_t sid, uint32_t mask)
{
	struct iomm_devid id = IOMM_SID(sid);
	id.mask = mask;
	return iomm_dev_init(dev, &f->rv.unit, &id);
}

void fx_attach(struct fx *f, struct iomm_dev *dev, struct iomm_domain *dom, uint32_t sid,
	       uint32_t mask)
{
	assert_int_equal(fx_dev(f, dev, sid, mask), IOMM_OK);
	assert_int_equal(iomm_attach(dom, dev), IOMM_OK);
}

int fx_dma(struct fx *f, uint32_t did, uint64_t iova, unsigned access, uint64_t *pa)
{
	uint64_t out = 0;
	int rc = riscv_model_dma(f->model, did, iova, access, &out);
	if (pa)
		*pa = out;
	return rc;
}

uint64_t fx_xlate(struct fx *f, uint32_t did, uint64_t iova, unsigned access)
{
	uint64_t pa = 0;
	int rc = fx_dma(f, did, iova, access, &pa);
	if (rc != 0)
		fail_msg("device %u iova 0x%llx: fault cause %d (%s)", (unsigned)did,
			 (unsigned long long)iova, rc, f->model->err);
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
	return iomm_fault_poll(&f->rv.unit, collect, f);
}

void fx_snap(struct fx *f)
{
	memcpy(f->snap_cmds, f->model->stats.cmds, sizeof(f->snap_cmds));
}

uint64_t fx_cmds(const struct fx *f, unsigned kind)
{
	return f->model->stats.cmds[kind] - f->snap_cmds[kind];
}

uint32_t fx_rd(struct fx *f, uint64_t off)
{
	return (uint32_t)riscv_model_read(f->model, off, 4);
}

void fx_check_hygiene(const struct fx *f)
{
	assert_int_equal(f->model->stats.bad_accesses, 0);
	assert_int_equal(f->model->stats.ro_writes, 0);
	assert_int_equal(f->model->stats.fctl_ignored, 0);
}
