/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fixture of the SMMUv2 backend tests: one software SMMUv2 (tools/models)
 * behind the hosted POSIX port, its register frame an MMIO window at a fake
 * address, its "physical memory" the process's own (PA == VA).
 *
 * A test edits f->mcfg (the model's ID configuration, from a preset),
 * f->cfg and f->port_flags, then calls fx_start() (init must succeed) or
 * fx_boot() (returns init's status).
 */
#ifndef SMMUV2_FX_H
#define SMMUV2_FX_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <iommuman/iommuman.h>
#include <iommuman/port_posix.h>
#include <iommuman/smmuv2.h>

#include "backend_fx.h"
#include "smmuv2_model.h"

/** Fake register base: never dereferenced, the port routes it to the model. */
#define FX_REGS ((uintptr_t)0x20000000u)
/** Fake time per now_ns() call: a 100 ms timeout expires after ~100 polls. */
#define FX_CLOCK_STEP UINT64_C(1000000)

#define FX_MAX_FAULTS 64

#define RD SMMUV2_MODEL_ACC_R
#define WR SMMUV2_MODEL_ACC_W

#define FX_HOOK_CAP 8192

struct fx {
	struct smmuv2_model_cfg mcfg;
	uint32_t port_flags;
	struct iomm_smmuv2_cfg cfg;

	struct smmuv2_model model;
	bool model_up;
	bool window_up;
	struct iomm_posix px;
	struct bfx b; /* port, host memory, pools (tests/common/backend_fx.h) */
	struct iomm_smmuv2 smmu;

	struct iomm_fault faults[FX_MAX_FAULTS];
	unsigned nfaults;
	struct bfx_event hooks[FX_HOOK_CAP]; /* port hook calls while f->b.hook_on */

	uint64_t snap_ops[SMMUV2_OP_COUNT];
	uint64_t snap_seq;
};

int fx_setup(void **state);
int fx_teardown(void **state);
void fx_port_up(struct fx *f);
/* Model (from f->mcfg, once), port and register window: all but iomm_smmuv2_init(). */
void fx_boot_prep(struct fx *f);
int fx_boot(struct fx *f);
void fx_start(struct fx *f);
/* The driver never touched an unknown register, a read-only one, or a live bank. */
void fx_check_hygiene(const struct fx *f);

void *fx_mem(struct fx *f, size_t size, size_t align);
struct iomm_pool *fx_pool(struct fx *f, size_t page_size, size_t npages);
void fx_pool_region(const struct fx *f, const struct iomm_pool *p, void **va, uint64_t *pa,
		    uint64_t *size);

int fx_domain(struct fx *f, struct iomm_domain *d, enum iomm_domain_type type, uint32_t granule,
	      struct iomm_pool *pool, struct iomm_domain *parent);
int fx_dev(struct fx *f, struct iomm_dev *dev, uint32_t sid, uint32_t mask);
void fx_attach(struct fx *f, struct iomm_dev *dev, struct iomm_domain *dom, uint32_t sid,
	       uint32_t mask);

int fx_dma(struct fx *f, uint32_t sid, uint64_t iova, unsigned access, uint64_t *pa);
uint64_t fx_xlate(struct fx *f, uint32_t sid, uint64_t iova, unsigned access);
int fx_poll(struct fx *f);

/* Remember the model's operation counters; fx_ops() counts since then. */
void fx_snap(struct fx *f);
uint64_t fx_ops(const struct fx *f, unsigned op);
/* Operations logged since fx_snap(), and the i-th of them (0: first). */
unsigned fx_nlog(const struct fx *f);
const struct smmuv2_model_log_entry *fx_log(const struct fx *f, unsigned i);

/* Register offsets of the model's layout. */
uint64_t fx_cb_off(const struct fx *f, unsigned cb, uint64_t reg);
uint32_t fx_rd(struct fx *f, uint64_t off);

#endif /* SMMUV2_FX_H */
