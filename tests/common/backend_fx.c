/* SPDX-License-Identifier: BSD-3-Clause */
/* The shared part of the backend test fixtures; see backend_fx.h. */
#include "backend_fx.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail_abort(const char *msg)
{
	fprintf(stderr, "backend fixture: %s\n", msg);
	abort();
}

void bfx_failf(const struct bfx *b, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	(b->fail ? b->fail : fail_abort)(msg);
	abort(); /* b->fail must not return */
}

/* ---- hook trace: the wrapped port hooks find their fixture by the port context ---- */

#define BFX_MAX_HOOKED 8
static struct bfx *hooked[BFX_MAX_HOOKED];

static struct bfx *hooked_of(void *ctx)
{
	for (unsigned i = 0; i < BFX_MAX_HOOKED; i++)
		if (hooked[i] && (void *)hooked[i]->px == ctx)
			return hooked[i];
	abort();
}

static void ev(struct bfx *b, enum bfx_ev_kind kind, uintptr_t addr, uint64_t val, unsigned width)
{
	if (!b->hook_on)
		return;
	size_t i = b->hook_count++;
	if (b->hook_log && i < b->hook_cap)
		b->hook_log[i] = (struct bfx_event){kind, addr, val, width};
}

static uint32_t w_read32(void *ctx, uintptr_t addr)
{
	struct bfx *b = hooked_of(ctx);
	uint32_t v = b->orig.read32(ctx, addr);
	ev(b, BFX_EV_RD, addr, v, 4);
	return v;
}

static uint64_t w_read64(void *ctx, uintptr_t addr)
{
	struct bfx *b = hooked_of(ctx);
	uint64_t v = b->orig.read64(ctx, addr);
	ev(b, BFX_EV_RD, addr, v, 8);
	return v;
}

static void w_write32(void *ctx, uintptr_t addr, uint32_t val)
{
	struct bfx *b = hooked_of(ctx);
	ev(b, BFX_EV_WR, addr, val, 4);
	b->orig.write32(ctx, addr, val);
}

static void w_write64(void *ctx, uintptr_t addr, uint64_t val)
{
	struct bfx *b = hooked_of(ctx);
	ev(b, BFX_EV_WR, addr, val, 8);
	b->orig.write64(ctx, addr, val);
}

static void w_wmb(void *ctx)
{
	struct bfx *b = hooked_of(ctx);
	ev(b, BFX_EV_WMB, 0, 0, 0);
	b->orig.wmb(ctx);
}

static void w_mb(void *ctx)
{
	struct bfx *b = hooked_of(ctx);
	ev(b, BFX_EV_MB, 0, 0, 0);
	b->orig.mb(ctx);
}

static void w_clean(void *ctx, const void *va, size_t len)
{
	struct bfx *b = hooked_of(ctx);
	ev(b, BFX_EV_CLEAN, (uintptr_t)va, len, 0);
	b->orig.clean_tables(ctx, va, len);
	if (b->on_clean)
		b->on_clean(b->on_clean_ctx, va, len);
}

static void wrap(struct bfx *b)
{
	unsigned i = 0;
	while (i < BFX_MAX_HOOKED && hooked[i])
		i++;
	if (i == BFX_MAX_HOOKED)
		bfx_failf(b, "too many fixtures with wrapped hooks");
	hooked[i] = b;
	struct iomm_port *p = &b->px->port;
	b->orig = *p;
	p->read32 = w_read32;
	p->read64 = w_read64;
	p->write32 = w_write32;
	p->write64 = w_write64;
	p->wmb = w_wmb;
	p->mb = w_mb;
	p->clean_tables = w_clean;
}

static void unwrap(struct bfx *b)
{
	for (unsigned i = 0; i < BFX_MAX_HOOKED; i++)
		if (hooked[i] == b)
			hooked[i] = NULL;
}

static bool ev_match(const struct bfx_event *e, enum bfx_ev_kind kind, uintptr_t addr)
{
	return e->kind == kind && (!addr || e->addr == addr);
}

size_t bfx_ev_find(const struct bfx *b, size_t from, enum bfx_ev_kind kind, uintptr_t addr)
{
	size_t n = b->hook_count < b->hook_cap ? b->hook_count : b->hook_cap;
	for (size_t i = from; i < n; i++)
		if (ev_match(&b->hook_log[i], kind, addr))
			return i;
	return b->hook_count;
}

size_t bfx_ev_last(const struct bfx *b, size_t before, enum bfx_ev_kind kind, uintptr_t addr)
{
	size_t n = b->hook_count < b->hook_cap ? b->hook_count : b->hook_cap;
	if (before > n)
		before = n;
	for (size_t i = before; i-- > 0;)
		if (ev_match(&b->hook_log[i], kind, addr))
			return i;
	return SIZE_MAX;
}

size_t bfx_cleaned_in(const struct bfx *b, size_t from, size_t to, uintptr_t va, size_t len)
{
	size_t hit = SIZE_MAX;
	for (size_t i = from; i < to && i < b->hook_count && i < b->hook_cap; i++) {
		const struct bfx_event *e = &b->hook_log[i];
		if (e->kind == BFX_EV_CLEAN && e->addr <= va && va + len <= e->addr + e->val)
			hit = i;
	}
	return hit;
}

bool bfx_barrier_before(const struct bfx *b, size_t from, size_t at)
{
	size_t c = bfx_ev_last(b, at, BFX_EV_CLEAN, 0);
	if (c != SIZE_MAX && c >= from)
		from = c + 1u;
	for (size_t i = from; i < at && i < b->hook_cap; i++)
		if (b->hook_log[i].kind == BFX_EV_WMB || b->hook_log[i].kind == BFX_EV_MB)
			return true;
	return false;
}

void bfx_init(struct bfx *b, struct iomm_posix *px, uint32_t port_flags)
{
	memset(b, 0, sizeof(*b));
	b->px = px;
	b->port_flags = port_flags;
	b->clock_step = BFX_CLOCK_STEP;
	b->log_level = IOMM_LOG_DEBUG;
	b->fail = fail_abort;
}

const struct iomm_port *bfx_port_up(struct bfx *b)
{
	if (!b->px_up) {
		if (iomm_posix_init(b->px, b->port_flags) != IOMM_OK)
			bfx_failf(b, "iomm_posix_init failed");
		b->px_up = true;
		/* keep every message (counted, last one kept), print none */
		iomm_posix_set_log(b->px, b->log_level, false);
		if (b->clock_step)
			iomm_posix_set_fake_clock(b->px, true, b->clock_step);
		if (b->clean_log)
			iomm_posix_clean_set_log(b->px, b->clean_log, b->clean_log_cap);
		if (b->wrap_hooks)
			wrap(b);
	}
	return iomm_posix_port(b->px);
}

void bfx_add_model(struct bfx *b, uintptr_t base, size_t size,
		   const struct iomm_posix_mmio_ops *ops, void *model)
{
	bfx_port_up(b);
	int rc = iomm_posix_add_mmio_model(b->px, base, size, ops, model);
	if (rc != IOMM_OK)
		bfx_failf(b, "MMIO window at 0x%llx: %d", (unsigned long long)base, rc);
}

void *bfx_mem(struct bfx *b, size_t size, size_t align)
{
	if (align < 64)
		align = 64;
	size = (size + align - 1) & ~(align - 1);
	if (b->nallocs == b->allocs_cap) {
		size_t ncap = b->allocs_cap ? b->allocs_cap * 2 : 64;
		void **n = realloc(b->allocs, ncap * sizeof(*n));
		if (!n)
			bfx_failf(b, "out of memory");
		b->allocs = n;
		b->allocs_cap = ncap;
	}
	void *p = aligned_alloc(align, size);
	if (!p)
		bfx_failf(b, "out of memory (%zu bytes)", size);
	memset(p, 0, size);
	b->allocs[b->nallocs++] = p;
	return p;
}

void bfx_free(struct bfx *b, void *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < b->nallocs; i++) {
		if (b->allocs[i] == p) {
			b->allocs[i] = b->allocs[--b->nallocs];
			free(p);
			return;
		}
	}
	bfx_failf(b, "bfx_free of a block bfx_mem did not make");
}

struct iomm_pool *bfx_pool_at(struct bfx *b, void *mem, uint64_t pa, size_t bytes,
			      size_t page_size)
{
	const struct iomm_port *port = bfx_port_up(b);
	if (b->npools >= BFX_MAX_POOLS)
		bfx_failf(b, "more than %d pools", BFX_MAX_POOLS);
	struct iomm_pool *p = &b->pools[b->npools];
	int rc = iomm_pool_init(p, port, mem, bytes, pa, page_size);
	if (rc != IOMM_OK)
		bfx_failf(b, "iomm_pool_init(0x%zx bytes, pages of %zu): %d", bytes, page_size, rc);
	b->pool_mem[b->npools] = mem;
	b->pool_pa[b->npools] = pa;
	b->pool_bytes[b->npools] = bytes;
	b->npools++;
	return p;
}

struct iomm_pool *bfx_pool(struct bfx *b, size_t page_size, size_t npages)
{
	size_t bytes = (npages + 1) * page_size;
	void *mem = bfx_mem(b, bytes, page_size);
	return bfx_pool_at(b, mem, (uint64_t)(uintptr_t)mem, bytes, page_size);
}

bool bfx_pool_region(const struct bfx *b, const struct iomm_pool *p, void **va, uint64_t *pa,
		     uint64_t *size)
{
	for (unsigned i = 0; i < b->npools; i++) {
		if (&b->pools[i] == p) {
			*va = b->pool_mem[i];
			*pa = b->pool_pa[i];
			*size = b->pool_bytes[i];
			return true;
		}
	}
	return false;
}

void bfx_fini(struct bfx *b)
{
	unwrap(b);
	if (b->px_up)
		iomm_posix_fini(b->px);
	b->px_up = false;
	for (size_t i = 0; i < b->nallocs; i++)
		free(b->allocs[i]);
	free(b->allocs);
	b->allocs = NULL;
	b->nallocs = b->allocs_cap = 0;
	b->npools = 0;
}

uint64_t *bfx_lpae_desc(struct iomm_domain *d, uint64_t iova)
{
	uint64_t *t = d->pgt.root;
	for (unsigned l = d->pgt.start_level;; l++) {
		uint64_t *e = &t[(iova >> (12 + 9 * (3 - l))) & 511];
		if (l == 3 || (*e & 3) != 3) /* a page, a block or an invalid entry */
			return e;
		t = (uint64_t *)(uintptr_t)(*e & UINT64_C(0x0000fffffffff000));
	}
}
