/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fixture of the SMMUv3 backend tests: one software SMMUv3 (tools/models)
 * behind the hosted POSIX port, its register frame registered as an MMIO
 * window at a fake address, its "physical memory" the process's own
 * (PA == VA). The backend is driven through the public API only, except
 * where a test says it reaches into private state on purpose.
 *
 * Usage: the cmocka setup (fx_setup) allocates a struct fx with defaults
 * (the model's default SMMUv3.2, a coherent port, a linear stream table of
 * 256 entries, a 256-entry command queue, a 64-entry event queue). A test
 * edits f->mcfg / f->cfg / f->port_flags / the sizes, then calls
 * fx_start() (init must succeed) or fx_boot() (returns init's status).
 * fx_teardown frees everything, whatever happened.
 *
 * The model's accesses snoop the CPU's caches unless a test clears
 * f->mcfg.cohacc: then (f->mcfg.dram, set by fx_setup) the SMMU reads a DRAM
 * copy of memory that only the port's clean_tables() updates (the fixture
 * wraps the port's hooks and reports every clean to smmuv3_model_clean()), so
 * a store the library does not clean stays invisible to the SMMU.
 *
 * Physical addresses equal virtual ones unless a test sets f->phys_base
 * before allocating anything: then all memory the SMMU may see (stream
 * table, queues, pools) comes from one arena that the model sees at
 * phys_base, and the model can reach nothing else (an access outside is an
 * external abort, counted in f->phys_rejected). That lets a narrow OAS be
 * modelled and shows that only physical addresses reach the SMMU.
 */
#ifndef SMMUV3_FX_H
#define SMMUV3_FX_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <iommuman/iommuman.h>
#include <iommuman/port_posix.h>
#include <iommuman/smmuv3.h>

#include "backend_fx.h"
#include "smmuv3_model.h"

/** Fake register base: never dereferenced, the port routes it to the model. */
#define FX_REGS ((uintptr_t)0x10000000u)
/** Fake time each now_ns() call takes: a 100 ms timeout expires after ~100 polls. */
#define FX_CLOCK_STEP BFX_CLOCK_STEP

#define FX_MAX_FAULTS  64
#define FX_TRACE_CAP   4096
#define FX_CLEAN_CAP   4096
#define FX_ARENA_SIZE  (UINT64_C(16) << 20)
#define FX_ARENA_ALIGN (UINT64_C(1) << 20)

/* access kinds of fx_dma() */
#define RD SMMUV3_MODEL_ACC_R
#define WR SMMUV3_MODEL_ACC_W

/* fields of a raw command (Arm IHI 0070, 4.x) */
#define C_OP(w0)    ((unsigned)((w0)&0xffu))
#define C_SID(w0)   ((uint32_t)((w0) >> 32))
#define C_VMID(w0)  ((unsigned)(((w0) >> 32) & 0xffffu))
#define C_ASID(w0)  ((unsigned)((w0) >> 48))
#define C_NUM(w0)   ((unsigned)(((w0) >> 12) & 0x1fu))
#define C_SCALE(w0) ((unsigned)(((w0) >> 20) & 0x1fu))
#define C_LEAF(w1)  ((unsigned)((w1)&1u))
#define C_TTL(w1)   ((unsigned)(((w1) >> 8) & 3u))
#define C_TG(w1)    ((unsigned)(((w1) >> 10) & 3u))
#define C_ADDR(w1)  ((w1) & ~UINT64_C(0xfff))

struct fx {
	/* -- configuration, edited by tests before fx_boot() -- */
	struct smmuv3_model_cfg mcfg; /* the model's ID registers and knobs */
	uint32_t port_flags;	      /* IOMM_PORT_* of the hosted port */
	struct iomm_smmuv3_cfg cfg;   /* backend options */
	size_t strtab_size, cmdq_size, evtq_size;
	uint64_t phys_base; /* 0: PA == VA; else where the arena sits for the SMMU */
	/* called after each clean_tables() has reached the model (optional) */
	void (*on_clean)(void *ctx, const void *va, size_t len);
	void *on_clean_ctx;
	bool clean_off; /* cleans are not reported to the model (a planted defect) */

	/* -- the arena of phys_base mode -- */
	uint8_t *arena;
	size_t arena_used;
	uint64_t phys_rejected; /* model accesses outside the arena */
	/* model reads overlapping [fail_lo, fail_hi) abort while fail_budget lasts;
	 * writes overlapping [wfail_lo, wfail_hi) while wfail_budget lasts */
	uint64_t fail_lo, fail_hi, fail_budget, fail_hits;
	uint64_t wfail_lo, wfail_hi, wfail_budget;

	/* -- state -- */
	struct smmuv3_model model;
	bool model_up;
	struct iomm_posix px;
	struct bfx b; /* port, host memory, pools (tests/common/backend_fx.h) */
	struct iomm_smmuv3 smmu;
	struct iomm_smmuv3_mem mem; /* filled by fx_alloc_queues() unless set */
	struct iomm_pool *st_pool;  /* level-2 stream table spans (2-level only) */

	struct iomm_posix_mmio_access trace[FX_TRACE_CAP];
	struct iomm_posix_range clean_log[FX_CLEAN_CAP];

	struct iomm_fault faults[FX_MAX_FAULTS];
	unsigned nfaults;

	/* -- snapshot taken by fx_snap() -- */
	uint64_t snap_count[256];
	uint64_t snap_consumed, snap_seq, snap_cmd_errors;
	struct iomm_smmuv3_stats snap_stats;
};

/* cmocka setup / teardown: allocate a struct fx with defaults / free it all. */
int fx_setup(void **state);
int fx_teardown(void **state);

/* Bring up the port (once); tests may then edit f->px.port before fx_boot(). */
void fx_port_up(struct fx *f);
/* Allocate the stream table and queues from the sizes in f (once). */
void fx_alloc_queues(struct fx *f);
/* Model, port, memory, all but iomm_smmuv3_init() (the model from f->mcfg, once). */
void fx_boot_prep(struct fx *f);
/* Model, port, memory; then iomm_smmuv3_init(). Returns its status. */
int fx_boot(struct fx *f);
/* fx_boot() that must succeed. */
void fx_start(struct fx *f);
/* The model saw nothing odd from the driver: no writes to read-only or
 * guarded registers, no bad accesses, no spurious GERRORN toggles. */
void fx_check_hygiene(const struct fx *f);

/* Zeroed memory freed at teardown (from the arena in phys_base mode);
 * @align a power of two, at most 1 MiB in phys_base mode. */
void *fx_mem(struct fx *f, size_t size, size_t align);
/* The physical address the SMMU uses for @va. */
uint64_t fx_pa(const struct fx *f, const void *va);
/* A region pool of @npages pages of @page_size (plus one page of bookkeeping). */
struct iomm_pool *fx_pool(struct fx *f, size_t page_size, size_t npages);
/* The memory of pool @p: its address, physical address and size (for
 * one-to-one stage-2 maps of nested tables). */
void fx_pool_region(const struct fx *f, const struct iomm_pool *p, void **va, uint64_t *pa,
		    uint64_t *size);

/* iomm_domain_init() with the given type, granule (0: default), pool and parent. */
int fx_domain(struct fx *f, struct iomm_domain *d, enum iomm_domain_type type, uint32_t granule,
	      struct iomm_pool *pool, struct iomm_domain *parent);
/* iomm_dev_init(IOMM_SID(sid) with @mask) + iomm_attach(), both must succeed. */
void fx_attach(struct fx *f, struct iomm_dev *dev, struct iomm_domain *dom, uint32_t sid,
	       uint32_t mask);

/* One device access through the model: 0 and *pa, SMMUV3_MODEL_ABORT or -(event). */
int fx_dma(struct fx *f, uint32_t sid, uint64_t iova, unsigned access, uint64_t *pa);
/* fx_dma() that must translate; returns the output address. */
uint64_t fx_xlate(struct fx *f, uint32_t sid, uint64_t iova, unsigned access);

/* iomm_fault_poll() into f->faults (f->nfaults); returns its result. */
int fx_poll(struct fx *f);

/* Remember the command counters of the model and the backend. */
void fx_snap(struct fx *f);
/* Commands of opcode @op the model consumed since fx_snap(). */
uint64_t fx_ops(const struct fx *f, unsigned op);
/* All commands the model consumed since fx_snap(). */
uint64_t fx_consumed(const struct fx *f);
/* Commands the model fetched since fx_snap() (at most SMMUV3_MODEL_CMD_LOG). */
unsigned fx_nlog(const struct fx *f);
/* The @i-th command fetched since fx_snap() (0: the first). */
const struct smmuv3_model_cmd_log_entry *fx_log(const struct fx *f, unsigned i);
/* The @n-th (0: first) command of opcode @op fetched since fx_snap(), or NULL. */
const struct smmuv3_model_cmd_log_entry *fx_find(const struct fx *f, unsigned op, unsigned n);

/* Whether some clean_tables() call covered [p, p + len). */
bool fx_cleaned(const struct fx *f, const void *p, size_t len);

/* The raw stream table entry of @sid in a linear stream table. */
uint64_t *fx_ste(const struct fx *f, uint32_t sid);

#endif /* SMMUV3_FX_H */
