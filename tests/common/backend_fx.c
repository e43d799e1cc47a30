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
