/* SPDX-License-Identifier: BSD-3-Clause */
/* A checking layer over the POSIX port for the unit tests; see posix_check.h. */
#include "posix_check.h"

#include <stdlib.h>
#include <string.h>

#define UNIT 4096u

static struct tport *T(void *ctx)
{
	return (struct tport *)ctx;
}

static void *tp_page_alloc(void *ctx, size_t size, size_t align, uint64_t *pa)
{
	struct tport *t = T(ctx);
	unsigned long idx = t->alloc_calls++;
	t->last_alloc_size = size;
	t->last_alloc_align = align;
	if (t->fail_at >= 0 &&
	    (idx == (unsigned long)t->fail_at || (t->fail_sticky && idx > (unsigned long)t->fail_at))) {
		t->alloc_fails++;
		return NULL;
	}
	if (!t->arena || size == 0 || align < UNIT || (align & (align - 1)) || (size % UNIT)) {
		t->alloc_fails++;
		return NULL;
	}
	size_t units = t->arena_size / UNIT;
	size_t need = size / UNIT;
	size_t step = align / UNIT;
	/* the arena is 4 MiB aligned in both views, so aligned offsets align both */
	for (size_t u = 0; u + need <= units; u += step) {
		size_t k;
		for (k = 0; k < need; k++)
			if (t->arena_map[u + k])
				break;
		if (k != need)
			continue;
		t->arena_map[u] = 1;
		for (k = 1; k < need; k++)
			t->arena_map[u + k] = 2;
		t->arena_len[u] = size;
		uint8_t *va = t->arena + u * UNIT;
		memset(va, 0xa5, size); /* "the memory need not be zeroed" */
		*pa = t->arena_pa + u * UNIT;
		t->outstanding++;
		t->outstanding_bytes += size;
		return va;
	}
	t->alloc_fails++;
	return NULL;
}

static void tp_page_free(void *ctx, void *va, size_t size)
{
	struct tport *t = T(ctx);
	t->free_calls++;
	uint8_t *p = va;
	if (!t->arena || p < t->arena || p >= t->arena + t->arena_size ||
	    (size_t)(p - t->arena) % UNIT) {
		t->bad_frees++;
		return;
	}
	size_t u = (size_t)(p - t->arena) / UNIT;
	if (t->arena_map[u] != 1 || t->arena_len[u] != size) {
		t->bad_frees++;
		return;
	}
	size_t need = size / UNIT;
	memset(p, 0x5a, size); /* use-after-free shows as garbage */
	for (size_t k = 0; k < need; k++)
		t->arena_map[u + k] = 0;
	t->arena_len[u] = 0;
	t->outstanding--;
	t->outstanding_bytes -= size;
}

void *tport_p2v(const struct tport *t, uint64_t pa)
{
	if (t->arena && pa >= t->arena_pa && pa - t->arena_pa < t->arena_size)
		return t->arena + (pa - t->arena_pa);
	for (unsigned i = 0; i < t->nregions; i++) {
		const struct tport_region *r = &t->regions[i];
		if (pa >= r->pa && pa - r->pa < r->size)
			return r->va + (pa - r->pa);
	}
	return NULL;
}

uint64_t tport_v2p(const struct tport *t, const void *va)
{
	const uint8_t *p = va;
	if (t->arena && p >= t->arena && p < t->arena + t->arena_size)
		return t->arena_pa + (uint64_t)(p - t->arena);
	for (unsigned i = 0; i < t->nregions; i++) {
		const struct tport_region *r = &t->regions[i];
		if (p >= r->va && p < r->va + r->size)
			return r->pa + (uint64_t)(p - r->va);
	}
	return ~0ull;
}

static void *tp_phys_to_virt(void *ctx, uint64_t pa)
{
	struct tport *t = T(ctx);
	t->p2v_calls++;
	void *va = tport_p2v(t, pa);
	if (!va)
		t->p2v_misses++;
	return va;
}

int tport_read64(void *ctx, uint64_t pa, uint64_t *val)
{
	const struct tport *t = ctx;
	if (pa & 7)
		return -1;
	const uint8_t *p = tport_p2v(t, pa);
	if (!p || !tport_p2v(t, pa + 7))
		return -1;
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	*val = v;
	return 0;
}

static void tp_clean(void *ctx, const void *va, size_t len)
{
	struct tport *t = T(ctx);
	t->clean_calls++;
	if (t->record_cleans) {
		if (t->ncleans == t->cleans_cap) {
			size_t ncap = t->cleans_cap ? t->cleans_cap * 2 : 64;
			struct tport_range *n = realloc(t->cleans, ncap * sizeof(*n));
			if (!n)
				abort();
			t->cleans = n;
			t->cleans_cap = ncap;
		}
		t->cleans[t->ncleans].start = (uintptr_t)va;
		t->cleans[t->ncleans].len = len;
		t->ncleans++;
	}
	if (t->clean_cb)
		t->clean_cb(t->clean_arg, va, len);
	t->px.port.clean_tables(&t->px, va, len);
}

bool tport_cleaned(const struct tport *t, const void *va, size_t len)
{
	uintptr_t s = (uintptr_t)va;
	for (size_t i = 0; i < t->ncleans; i++) {
		const struct tport_range *r = &t->cleans[i];
		if (s >= r->start && s + len <= r->start + r->len)
			return true;
	}
	return false;
}

void tport_clear_cleans(struct tport *t)
{
	t->ncleans = 0;
}

static void tp_lock(void *ctx, void *obj)
{
	struct tport *t = T(ctx);
	t->lock_calls++;
	t->last_lock_obj = obj;
	for (int i = 0; i < t->depth && i < TPORT_MAX_HELD; i++)
		if (t->held[i] == obj)
			t->lock_errors++; /* taking a non-recursive lock twice would deadlock */
	if (t->depth < TPORT_MAX_HELD)
		t->held[t->depth] = obj;
	t->depth++;
	if (t->depth > t->max_depth)
		t->max_depth = t->depth;
	t->px.port.lock(&t->px, obj); /* recursive: a re-entry is counted above, not a deadlock */
}

static void tp_unlock(void *ctx, void *obj)
{
	struct tport *t = T(ctx);
	t->unlock_calls++;
	if (t->depth <= 0) {
		t->lock_errors++;
		return;
	}
	t->depth--;
	if (t->depth < TPORT_MAX_HELD && t->held[t->depth] != obj)
		t->lock_errors++; /* not the innermost lock */
	t->px.port.unlock(&t->px, obj);
}

static void tp_wmb(void *ctx)
{
	struct tport *t = T(ctx);
	t->wmb_calls++;
	t->px.port.wmb(&t->px);
}

static void tp_mb(void *ctx)
{
	struct tport *t = T(ctx);
	t->mb_calls++;
	t->px.port.mb(&t->px);
}

static uint64_t tp_now(void *ctx)
{
	struct tport *t = T(ctx);
	return t->px.port.now_ns(&t->px);
}

static void tp_log(void *ctx, enum iomm_log_level level, const char *msg)
{
	struct tport *t = T(ctx);
	t->log_lines++;
	t->px.port.log(&t->px, level, msg);
}

void tport_init(struct tport *t, size_t arena_size, uint64_t arena_pa, uint32_t flags)
{
	memset(t, 0, sizeof(*t));
	if (iomm_posix_init(&t->px, flags) != IOMM_OK)
		abort();
	const char *v = getenv("IOMM_TEST_VERBOSE");
	t->verbose = v && *v && *v != '0';
	iomm_posix_set_log(&t->px, IOMM_LOG_DEBUG, t->verbose);
	/* 1 us per now_ns() call, the first one returning 1000 */
	iomm_posix_set_fake_clock(&t->px, true, 1000);
	iomm_posix_clock_advance(&t->px, 1000);
	t->fail_at = -1;
	t->port.ctx = t;
	/* A coherent platform: tables that want cleaning say IOMM_PGT_NONCOHERENT
	 * (or the test clears this flag). */
	t->port.flags = flags | IOMM_PORT_DMA_COHERENT;
	t->port.wmb = tp_wmb;
	t->port.mb = tp_mb;
	t->port.page_alloc = tp_page_alloc;
	t->port.page_free = tp_page_free;
	t->port.phys_to_virt = tp_phys_to_virt;
	t->port.clean_tables = tp_clean;
	t->port.lock = tp_lock;
	t->port.unlock = tp_unlock;
	t->port.now_ns = tp_now;
	t->port.log = tp_log;
	t->port.log_level = IOMM_LOG_DEBUG;
	if (arena_size) {
		arena_size = (arena_size + UNIT - 1) / UNIT * UNIT;
		/* 4 MiB alignment (64 pages of 64 KiB): every run the pool can ask
		 * for can be aligned in both views (arena_pa must be as aligned) */
		arena_size = (arena_size + (4u << 20) - 1) / (4u << 20) * (4u << 20);
		t->arena = aligned_alloc(4u << 20, arena_size);
		if (!t->arena)
			abort();
		memset(t->arena, 0xa5, arena_size);
		t->arena_size = arena_size;
		t->arena_pa = arena_pa;
		t->arena_map = calloc(arena_size / UNIT, 1);
		t->arena_len = calloc(arena_size / UNIT, sizeof(size_t));
		if (!t->arena_map || !t->arena_len)
			abort();
	}
}

void tport_fini(struct tport *t)
{
	iomm_posix_fini(&t->px);
	free(t->arena);
	free(t->arena_map);
	free(t->arena_len);
	free(t->cleans);
	t->arena = NULL;
	t->arena_map = NULL;
	t->arena_len = NULL;
	t->cleans = NULL;
}

void tport_reset_counts(struct tport *t)
{
	t->alloc_calls = t->alloc_fails = t->free_calls = 0;
	t->fail_at = -1;
	t->fail_sticky = false;
	t->clean_calls = 0;
	t->lock_calls = t->unlock_calls = 0;
	t->wmb_calls = t->mb_calls = 0;
}

void tport_add_region(struct tport *t, void *va, uint64_t pa, size_t size)
{
	if (t->nregions >= TPORT_MAX_REGIONS)
		abort();
	t->regions[t->nregions].va = va;
	t->regions[t->nregions].pa = pa;
	t->regions[t->nregions].size = size;
	t->nregions++;
}
