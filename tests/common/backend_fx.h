/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The part every backend test fixture and backend fuzz target shares: the
 * hosted POSIX port with register models behind MMIO windows, host memory
 * that stands for physical memory (PA == VA), region pools of any page size,
 * and one teardown that releases all of it.
 *
 *   struct iomm_posix px;                     // the owner's, so tests see it
 *   struct bfx b;
 *   bfx_init(&b, &px, IOMM_PORT_DMA_COHERENT); // defaults; edit b.* now
 *   BFX_MODEL_MMIO(ops, struct vtd_model, vtd_model_read, vtd_model_write);
 *   bfx_add_model(&b, REGS, VTD_M_MMIO_SIZE, &ops, &model);
 *   struct iomm_pool *p = bfx_pool(&b, 4096, 64);
 *   ... iomm_posix_port(&px) ...
 *   bfx_fini(&b);
 *
 * It uses no test framework: a fixture failure (out of memory, a refused
 * window or pool) calls b.fail, which by default prints and aborts; cmocka
 * fixtures point it at fail_msg().
 */
#ifndef IOMM_BACKEND_FX_H
#define IOMM_BACKEND_FX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iommuman/iommuman.h>
#include <iommuman/port_posix.h>

#define BFX_MAX_POOLS 24
/** Default fake time each now_ns() call takes: a 100 ms timeout expires after ~100 polls. */
#define BFX_CLOCK_STEP UINT64_C(1000000)

/** Kinds of port hook calls the hook trace records (bfx.hook_log). */
enum bfx_ev_kind { BFX_EV_RD, BFX_EV_WR, BFX_EV_WMB, BFX_EV_MB, BFX_EV_CLEAN };

/** One port hook call: MMIO accesses (addr, val, width), barriers, cleans (addr, len in val). */
struct bfx_event {
	enum bfx_ev_kind kind;
	uintptr_t addr;
	uint64_t val;
	unsigned width;
};

struct bfx {
	/* -- configuration: set by bfx_init(), edited before bfx_port_up() -- */
	uint32_t port_flags;           /* IOMM_PORT_* of the hosted port */
	uint64_t clock_step;           /* fake ns per now_ns() call; 0: the real clock */
	enum iomm_log_level log_level; /* messages formatted and counted (never printed) */
	struct iomm_posix_range *clean_log; /* record clean_tables() ranges here (NULL: count only) */
	size_t clean_log_cap;
	void (*fail)(const char *msg); /* fixture failure; must not return (default: abort) */
	/* Wrap the port's MMIO, barrier and clean hooks (set before bfx_port_up()): they then
	 * append to hook_log while hook_on and call on_clean after every clean_tables(). */
	bool wrap_hooks;
	struct bfx_event *hook_log;
	size_t hook_cap, hook_count; /* hook_count may exceed hook_cap (entries dropped) */
	bool hook_on;
	void (*on_clean)(void *ctx, const void *va, size_t len); /* e.g. a model's DRAM update */
	void *on_clean_ctx;

	/* -- state -- */
	struct iomm_posix *px; /* the port, in the owner's storage */
	bool px_up;
	struct iomm_port orig; /* the POSIX port's own hooks, when wrapped */
	struct iomm_pool pools[BFX_MAX_POOLS];
	void *pool_mem[BFX_MAX_POOLS];
	uint64_t pool_pa[BFX_MAX_POOLS];
	size_t pool_bytes[BFX_MAX_POOLS];
	unsigned npools;
	void **allocs; /* every bfx_mem() block not yet freed */
	size_t nallocs, allocs_cap;
};

/**
 * Adapter from a model's register interface, NAME(m, off, size) and
 * NAME(m, off, val, size), to the POSIX port's MMIO callbacks: defines
 * `static const struct iomm_posix_mmio_ops ops_name`.
 */
#define BFX_MODEL_MMIO(ops_name, model_type, read_fn, write_fn)                                \
	static uint64_t ops_name##_read(void *ctx, uint64_t off, unsigned width)               \
	{                                                                                      \
		return read_fn((model_type *)ctx, off, width);                                 \
	}                                                                                      \
	static void ops_name##_write(void *ctx, uint64_t off, unsigned width, uint64_t val)    \
	{                                                                                      \
		write_fn((model_type *)ctx, off, val, width);                                  \
	}                                                                                      \
	static const struct iomm_posix_mmio_ops ops_name = {.read = ops_name##_read,           \
							    .write = ops_name##_write}

/** Defaults: the port will live in @p px, @p port_flags, a fake clock of
 *  BFX_CLOCK_STEP, DEBUG messages counted, no clean log. */
void bfx_init(struct bfx *b, struct iomm_posix *px, uint32_t port_flags);
/** Bring the port up (once); returns its hook table. */
const struct iomm_port *bfx_port_up(struct bfx *b);
/** Route [@p base, @p base + @p size) to a model (brings the port up). */
void bfx_add_model(struct bfx *b, uintptr_t base, size_t size,
		   const struct iomm_posix_mmio_ops *ops, void *model);
/** Zeroed host memory, freed by bfx_fini(); @p align a power of two (at least 64 is used). */
void *bfx_mem(struct bfx *b, size_t size, size_t align);
/** Free one bfx_mem() block early (NULL is ignored). */
void bfx_free(struct bfx *b, void *p);
/** A region pool of @p npages pages of @p page_size bytes (plus one of bookkeeping). */
struct iomm_pool *bfx_pool(struct bfx *b, size_t page_size, size_t npages);
/** A region pool on the caller's memory: @p bytes at @p mem, physical address @p pa. */
struct iomm_pool *bfx_pool_at(struct bfx *b, void *mem, uint64_t pa, size_t bytes,
			      size_t page_size);
/** Memory of a pool made by bfx_pool() or bfx_pool_at(); false if it was not. */
bool bfx_pool_region(const struct bfx *b, const struct iomm_pool *p, void **va, uint64_t *pa,
		     uint64_t *size);
/** Port down, every block freed; @p b can be bfx_init()ed again. */
void bfx_fini(struct bfx *b);
/** Index of the first hook-log event at or after @p from of @p kind (and, for MMIO, at
 *  register @p addr when addr != 0); hook_count when there is none. */
size_t bfx_ev_find(const struct bfx *b, size_t from, enum bfx_ev_kind kind, uintptr_t addr);
/** Index of the last event before @p before of @p kind (addr as above); SIZE_MAX: none. */
size_t bfx_ev_last(const struct bfx *b, size_t before, enum bfx_ev_kind kind, uintptr_t addr);
/** Index of the last clean_tables() event in [@p from, @p to) whose range covers
 *  [@p va, @p va + @p len); SIZE_MAX: none. */
size_t bfx_cleaned_in(const struct bfx *b, size_t from, size_t to, uintptr_t va, size_t len);
/** Is event @p at ordered after the memory writes before it: a wmb or mb after @p from
 *  and after the last clean_tables() before @p at? */
bool bfx_barrier_before(const struct bfx *b, size_t from, size_t at);
/** The last-level descriptor of @p iova in a 4 KiB-granule VMSAv8-64 table of @p d, or the
 *  block or invalid entry above it that ends the walk. Reaches into the table's private root
 *  on purpose (tests rewrite descriptors as defective table code would); tables must sit at
 *  PA == VA. */
uint64_t *bfx_lpae_desc(struct iomm_domain *d, uint64_t iova);
/** Report a fixture failure through b->fail. */
void bfx_failf(const struct bfx *b, const char *fmt, ...);

#endif /* IOMM_BACKEND_FX_H */
