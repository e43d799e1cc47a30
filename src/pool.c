/* SPDX-License-Identifier: BSD-3-Clause */
/* Table-memory pools: a bitmap over caller memory, or the port's allocator. */
#include "iomm_internal.h"

static int page_shift_of(size_t page_size)
{
	switch (page_size) {
	case 4096:
		return 12;
	case 16384:
		return 14;
	case 65536:
		return 16;
	default:
		return -1;
	}
}

/* Bytes of bitmap for n pages, in whole 64-bit words. */
static size_t bitmap_bytes(size_t n)
{
	return ((n + 63) / 64) * 8;
}

int iomm_pool_init(struct iomm_pool *pool, const struct iomm_port *port, void *mem, size_t size,
		   uint64_t mem_pa, size_t page_size)
{
	int shift = page_shift_of(page_size);
	if (!pool || !port || !mem)
		return IOMM_REFUSE(port, IOMM_EINVAL, "pool, port, mem: must not be NULL");
	if (shift < 0)
		return IOMM_REFUSE(port, IOMM_EINVAL, "page_size: not 4096, 16384 or 65536");
	uintptr_t va = (uintptr_t)mem;
	if ((va & 7) || ((uint64_t)va & (page_size - 1)) != (mem_pa & (page_size - 1)))
		return IOMM_REFUSE(port, IOMM_EINVAL,
				   "mem, mem_pa: not 8-byte aligned, or not congruent modulo page_size");
	if (va + size < va || mem_pa + size < mem_pa)
		return IOMM_REFUSE(port, IOMM_EINVAL, "mem, size: the region wraps");

	/* Largest n such that bitmap + padding to a page boundary + n pages fit. */
	size_t n = size >> shift;
	size_t first = 0;
	for (; n > 0; n--) {
		uintptr_t start = va + bitmap_bytes(n);
		first = (size_t)(((start + page_size - 1) & ~(uintptr_t)(page_size - 1)) - va);
		if (first <= size && (size - first) >> shift >= n)
			break;
	}
	if (n == 0)
		return IOMM_REFUSE(port, IOMM_ENOMEM,
				   "size: too small for the bookkeeping and one page (IOMM_POOL_BYTES)");

	pool->port = port;
	pool->kind = IOMM_POOL_REGION;
	pool->page_shift = (uint32_t)shift;
	pool->base = (uint8_t *)mem + first;
	pool->base_pa = mem_pa + first;
	pool->bitmap = mem;
	pool->npages = n;
	pool->used = 0;
	pool->hint = 0;
	pool->tables = NULL;
	size_t words = bitmap_bytes(n) / 8;
	for (size_t i = 0; i < words; i++)
		pool->bitmap[i] = 0;
	if (n % 64) /* bits past the last page read as "in use" */
		pool->bitmap[words - 1] = ~0ull << (n % 64);
	return IOMM_OK;
}

int iomm_pool_init_port(struct iomm_pool *pool, const struct iomm_port *port, size_t page_size,
			size_t max_pages)
{
	int shift = page_shift_of(page_size);
	if (!pool || !port || shift < 0 || max_pages == 0)
		return IOMM_REFUSE(port, IOMM_EINVAL,
				   "pool, port: NULL, page_size not 4/16/64 KiB, or max_pages 0");
	if (!port->page_alloc || !port->page_free || !port->phys_to_virt)
		return IOMM_REFUSE(port, IOMM_EINVAL,
				   "port: page_alloc, page_free and phys_to_virt are all needed");
	pool->port = port;
	pool->kind = IOMM_POOL_PORT;
	pool->page_shift = (uint32_t)shift;
	pool->base = NULL;
	pool->base_pa = 0;
	pool->bitmap = NULL;
	pool->npages = max_pages;
	pool->used = 0;
	pool->hint = 0;
	pool->tables = NULL;
	return IOMM_OK;
}

static bool bit_free(const struct iomm_pool *pool, size_t page)
{
	return !(pool->bitmap[page / 64] & (1ull << (page % 64)));
}

static void bit_set(struct iomm_pool *pool, size_t page)
{
	pool->bitmap[page / 64] |= 1ull << (page % 64);
}

/*
 * Find @count free pages whose physical address is aligned to @count pages
 * (count is a power of two <= 64), and mark them used.
 *
 * Single pages go first-fit: every bitmap word below pool->hint is full, so
 * the search starts there, and a release moves the hint down to the page it
 * frees. The page handed out next is then the lowest free one, most often
 * the one freed last: a table page the caches still hold, where a search
 * that went on from the last allocation would walk the whole pool and write
 * every new table into memory no cache holds.
 */
static bool region_find(struct iomm_pool *pool, size_t count, size_t *page)
{
	size_t words = (pool->npages + 63) / 64;
	if (count == 1) {
		for (size_t w = pool->hint; w < words; w++) {
			uint64_t bits = pool->bitmap[w];
			if (bits == ~0ull)
				continue;
			unsigned b = iomm_ctz64(~bits);
			pool->bitmap[w] = bits | (1ull << b);
			pool->hint = w;
			*page = w * 64 + b;
			return true;
		}
		return false;
	}
	/* Multi-page runs (concatenated roots, stream-table spans) are rare: plain scan. */
	size_t skew = (size_t)(pool->base_pa >> pool->page_shift) & (count - 1);
	for (size_t p = (count - skew) & (count - 1); p + count <= pool->npages; p += count) {
		size_t k = 0;
		while (k < count && bit_free(pool, p + k))
			k++;
		if (k == count) {
			for (k = 0; k < count; k++)
				bit_set(pool, p + k);
			*page = p;
			return true;
		}
	}
	return false;
}

void *iomm_pool_alloc(struct iomm_pool *pool, size_t count, uint64_t *pa)
{
	void *va = iomm_pool_alloc_raw(pool, count, pa);
	if (va)
		iomm_zero_table(va, count << pool->page_shift);
	return va;
}

void *iomm_pool_alloc_raw(struct iomm_pool *pool, size_t count, uint64_t *pa)
{
	if (!pool || !pa || count == 0 || count > 64 || (count & (count - 1)))
		return NULL;
	size_t bytes = count << pool->page_shift;
	void *va = NULL;

	iomm_port_lock(pool->port, pool);
	if (pool->npages - pool->used >= count) {
		if (pool->kind == IOMM_POOL_REGION) {
			size_t page;
			if (region_find(pool, count, &page)) {
				va = pool->base + (page << pool->page_shift);
				*pa = pool->base_pa + ((uint64_t)page << pool->page_shift);
			}
		} else {
			const struct iomm_port *port = pool->port;
			va = port->page_alloc(port->ctx, bytes, bytes, pa);
			if (va && (((uintptr_t)va | *pa) & (bytes - 1))) {
				/* A port that ignores alignment would corrupt tables. */
				port->page_free(port->ctx, va, bytes);
				va = NULL;
			}
		}
		if (va)
			pool->used += count;
	}
	iomm_port_unlock(pool->port, pool);
	return va;
}

/* Give back pages; the pool's lock is held. IOMM_EINVAL if they are not the
 * pool's or not in use (region pools can tell). */
static int put_locked(struct iomm_pool *pool, void *va, size_t count)
{
	if (pool->kind == IOMM_POOL_REGION) {
		uintptr_t off = (uintptr_t)va - (uintptr_t)pool->base;
		size_t page = (size_t)(off >> pool->page_shift);
		bool ok = (uintptr_t)va >= (uintptr_t)pool->base && page + count <= pool->npages &&
			  !(off & (((uintptr_t)1 << pool->page_shift) - 1));
		for (size_t k = 0; ok && k < count; k++)
			ok = !bit_free(pool, page + k);
		if (!ok)
			return IOMM_EINVAL;
		for (size_t k = 0; k < count; k++)
			pool->bitmap[(page + k) / 64] &= ~(1ull << ((page + k) % 64));
		pool->used -= count;
		if (page / 64 < pool->hint)
			pool->hint = page / 64;
		return IOMM_OK;
	}
	if (pool->used < count)
		return IOMM_EINVAL;
	pool->port->page_free(pool->port->ctx, va, count << pool->page_shift);
	pool->used -= count;
	return IOMM_OK;
}

void iomm_pool_put(struct iomm_pool *pool, void *va, size_t count)
{
	iomm_port_lock(pool->port, pool);
	(void)put_locked(pool, va, count);
	iomm_port_unlock(pool->port, pool);
}

int iomm_pool_release(struct iomm_pool *pool, void *va, size_t count)
{
	if (!pool || !va || count == 0 || count > 64 || (count & (count - 1)))
		return IOMM_REFUSE(pool ? pool->port : NULL, IOMM_EINVAL,
				   "pool, va: NULL, or count not a power of two up to 64");
	const struct iomm_port *port = pool->port;
	iomm_port_lock(port, pool);
	/* A page still linked into a live table would be handed out again while
	 * the hardware walks it: refused. This walks the pool's tables, so the
	 * cost is the size of those tables; the library's own releases skip it. */
	for (const struct iomm_pgt *t = pool->tables; t; t = t->pool_next) {
		if (iomm_pgt_holds(t, va, count << pool->page_shift)) {
			iomm_port_unlock(port, pool);
			return IOMM_REFUSE(port, IOMM_EBUSY,
					   "va: a page of a live table (unmap or destroy the table)");
		}
	}
	int rc = put_locked(pool, va, count);
	iomm_port_unlock(port, pool);
	if (rc)
		return IOMM_REFUSE(port, rc, "va, count: not pages of this pool that are in use");
	return IOMM_OK;
}

size_t iomm_pool_used(const struct iomm_pool *pool)
{
	return pool ? pool->used : 0;
}

size_t iomm_pool_capacity(const struct iomm_pool *pool)
{
	return pool ? pool->npages : 0;
}

size_t iomm_pool_page_size(const struct iomm_pool *pool)
{
	return pool ? (size_t)1 << pool->page_shift : 0;
}
