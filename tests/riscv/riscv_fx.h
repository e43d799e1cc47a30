/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fixture of the RISC-V IOMMU backend tests: one software RISC-V IOMMU
 * (tools/models/riscv_model.h) behind the hosted POSIX port, its register
 * file an MMIO window at a fake address, its "physical memory" the
 * process's own (PA == VA).
 *
 * A test edits f->mcfg (the model's configuration), f->cfg, f->port_flags
 * and f->ddt_pages, then calls fx_start() (init must succeed) or fx_boot()
 * (returns init's status). f->coherent = false gives a non-coherent port
 * (no IOMM_PORT_DMA_COHERENT) and a model whose walker reads only what
 * clean_tables() cleaned.
 *
 * Knobs of the MMIO window (what a faulty unit would do): stop processing
 * commands (cqt moves, cqh does not), corrupt the command before a cqt
 * write (an illegal command), raise cqmf at a cqt write or at a queue
 * enable, ignore fctl writes, refuse directory modes above a depth, stay
 * busy after a ddtp write of a directory mode.
 */
#ifndef RISCV_FX_H
#define RISCV_FX_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <iommuman/iommuman.h>
#include <iommuman/port_posix.h>
#include <iommuman/riscv.h>

#include "backend_fx.h"
#include "riscv_model.h"

/** Fake register base: never dereferenced, the port routes it to the model. */
#define FX_REGS	      ((uintptr_t)0x30000000u)
#define FX_CLOCK_STEP UINT64_C(1000000)
#define FX_MAX_FAULTS 64
#define FX_HOOK_CAP   16384

#define RD  RISCV_MODEL_ACC_R
#define WR  RISCV_MODEL_ACC_W
#define P4K 4096u
#define RW  (IOMM_READ | IOMM_WRITE)

struct fx {
	struct riscv_model_cfg mcfg;
	bool coherent;
	struct iomm_riscv_cfg cfg;
	size_t cq_size, fq_size; /* 0: 4 KiB each */
	size_t ddt_pages;	 /* pool pages for the lower directory levels (0: no pool) */

	/* MMIO knobs */
	bool drop_cqt;	      /* the unit stops processing commands (cqt still moves) */
	unsigned corrupt_cqt; /* the next N cqt writes: the last command written turns illegal */
	bool cqmf_cqt;	      /* the next cqt write: cqmf instead of processing */
	bool cqmf_on_enable;  /* cqcsr.cqen 0 -> 1: cqmf */
	bool fqmf_on_enable;  /* fqcsr.fqen 0 -> 1: fqmf */
	bool ignore_fctl;     /* fctl writes are lost */
	unsigned ddtp_max;    /* nonzero: ddtp modes above it are not taken (mode Off instead) */
	bool ignore_ddtp;     /* ddtp writes are lost */
	bool busy_ddtp_on;    /* a ddtp write of a directory mode stays busy for ever */

	struct riscv_model *model; /* ~1.1 MiB: on the heap */
	bool model_up, window_up;
	struct iomm_posix px;
	struct bfx b;
	struct iomm_riscv rv;
	struct iomm_riscv_mem mem;
	struct iomm_pool *ddt_pool;

	struct iomm_fault faults[FX_MAX_FAULTS];
	unsigned nfaults;
	struct bfx_event hooks[FX_HOOK_CAP];
	uint64_t snap_cmds[RISCV_CMD_COUNT];
};

int fx_setup(void **state);
int fx_teardown(void **state);
/* Model (from f->mcfg, once), port, window, memory and pool: all but iomm_riscv_init(). */
void fx_boot_prep(struct fx *f);
int fx_boot(struct fx *f);
void fx_start(struct fx *f);
int fx_init_again(struct fx *f);

void *fx_mem(struct fx *f, size_t size, size_t align);
struct iomm_pool *fx_pool(struct fx *f, size_t page_size, size_t npages);

int fx_domain(struct fx *f, struct iomm_domain *d, enum iomm_domain_type type, uint8_t ias,
	      struct iomm_pool *pool, struct iomm_domain *parent);
int fx_dev(struct fx *f, struct iomm_dev *dev, uint32_t sid, uint32_t mask);
void fx_attach(struct fx *f, struct iomm_dev *dev, struct iomm_domain *dom, uint32_t sid,
	       uint32_t mask);

/* One DMA of device @did: 0 and *pa, or the fault cause. */
int fx_dma(struct fx *f, uint32_t did, uint64_t iova, unsigned access, uint64_t *pa);
uint64_t fx_xlate(struct fx *f, uint32_t did, uint64_t iova, unsigned access);
int fx_poll(struct fx *f);

void fx_snap(struct fx *f);
uint64_t fx_cmds(const struct fx *f, unsigned kind);
uint32_t fx_rd(struct fx *f, uint64_t off);
/* The driver never touched an unknown register, a read-only one, or fctl while live. */
void fx_check_hygiene(const struct fx *f);

#endif /* RISCV_FX_H */
