/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fixture of the VT-d backend tests: one software VT-d unit (tools/models)
 * behind the hosted POSIX port, its registers an MMIO window at a fake
 * address, its "physical memory" the process's own (PA == VA). The backend
 * is driven through the public API only.
 *
 * Usage: the cmocka setup (fx_setup) allocates a struct fx with defaults
 * (the model's default unit, a coherent port, a 4 KiB invalidation queue, a
 * 64-page pool for the backend's own structures). A test edits f->mcfg /
 * f->cfg / f->port_flags / f->iq_size (0: no queue), then calls fx_start()
 * (init must succeed) or fx_boot() (returns init's status). fx_teardown
 * frees everything, whatever happened.
 */
#ifndef VTD_FX_H
#define VTD_FX_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <iommuman/iommuman.h>
#include <iommuman/port_posix.h>
#include <iommuman/vtd.h>

#include "backend_fx.h"
#include "vtd_model.h"

/** Fake register base: never dereferenced, the port routes it to the model. */
#define FX_REGS ((uintptr_t)0x20000000u)
/** Fake time each now_ns() call takes: a 100 ms timeout expires after ~100 polls. */
#define FX_CLOCK_STEP BFX_CLOCK_STEP

#define FX_MAX_FAULTS 64
#define FX_CLEAN_CAP  4096
#define FX_HOOK_CAP   8192

struct fx {
	/* -- configuration, edited by tests before fx_boot() -- */
	struct vtd_model_cfg mcfg;
	uint32_t port_flags;
	struct iomm_vtd_cfg cfg;
	size_t iq_size; /* 0: register-based invalidation only */
	uint8_t oas;	/* output size fx_domain() asks for (default 48; 0: the unit's) */

	/* -- state -- */
	struct vtd_model model;
	bool model_up; /* a test may set the model up (and program it) before fx_boot() */
	bool win_up;
	struct iomm_posix px;
	struct bfx b; /* port, host memory, pools (tests/common/backend_fx.h) */
	struct iomm_vtd vtd;
	struct iomm_vtd_mem mem;
	struct iomm_pool *pool; /* the backend's pool */
	struct iomm_posix_range clean_log[FX_CLEAN_CAP];
	struct bfx_event hooks[FX_HOOK_CAP]; /* port hook calls while f->b.hook_on */

	struct iomm_fault faults[FX_MAX_FAULTS];
	unsigned nfaults;

	/* -- snapshot taken by fx_snap() -- */
	struct vtd_model_stats snap;
	uint64_t snap_seq;
};

int fx_setup(void **state);
int fx_teardown(void **state);

/* Bring up the port (once). */
void fx_port_up(struct fx *f);
/* Model, port, memory and pool, all but iomm_vtd_init() (the model from f->mcfg, once). */
void fx_boot_prep(struct fx *f);
/* Model, port, memory; then iomm_vtd_init(). Returns its status. */
int fx_boot(struct fx *f);
/* fx_boot() that must succeed. */
void fx_start(struct fx *f);
/* The model saw nothing odd from the driver. */
void fx_check_hygiene(const struct fx *f);

/* Zeroed memory freed at teardown; @align a power of two. */
void *fx_mem(struct fx *f, size_t size, size_t align);
/* A region pool of @npages pages of @page_size bytes (plus one of bookkeeping). */
struct iomm_pool *fx_pool(struct fx *f, size_t page_size, size_t npages);

/* iomm_domain_init() with @type, input size @ias (0: default), output size
 * f->oas and a fresh pool. */
int fx_domain(struct fx *f, struct iomm_domain *d, enum iomm_domain_type type, uint8_t ias);
/* iomm_dev_init(IOMM_SID(sid)) + iomm_attach(), both must succeed. */
void fx_attach(struct fx *f, struct iomm_dev *dev, struct iomm_domain *dom, uint16_t sid);

/* One DMA through the model: 0 and *pa, or the fault reason. */
int fx_dma(struct fx *f, uint16_t sid, uint64_t iova, bool write, uint64_t *pa);
/* fx_dma() that must translate; returns the output address. */
uint64_t fx_xlate(struct fx *f, uint16_t sid, uint64_t iova, bool write);

/* iomm_fault_poll() into f->faults (f->nfaults); returns its result. */
int fx_poll(struct fx *f);

/* Remember the model's counters. */
void fx_snap(struct fx *f);
/* Model counter deltas since fx_snap(): FX_D(f, field). */
#define FX_D(f, field) ((f)->model.stats.field - (f)->snap.field)
/* Invalidations the model executed since fx_snap(). */
unsigned fx_ninv(const struct fx *f);
/* The @i-th invalidation since fx_snap() (0: first), or NULL. */
const struct vtd_model_inv *fx_inv(const struct fx *f, unsigned i);

#endif /* VTD_FX_H */
