/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Table-memory pools: region pools (bookkeeping inside the caller's memory,
 * capacity, congruence and size checks, aligned multi-page runs, zeroing,
 * exhaustion, release) and port pools (quota, hooks, zeroing, alignment).
 */
#include "test_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MB (1024u * 1024u)

static uint8_t *buf_alloc(size_t size)
{
	uint8_t *p = aligned_alloc(MB, (size + MB - 1) / MB * MB);
	assert_non_null(p);
	memset(p, 0xa5, size);
	return p;
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static void test_region_init_args(void **state)
{
	(void)state;
	struct tport tp;
	struct iomm_pool pool;
	tport_init(&tp, 0, 0, 0);
	uint8_t *mem = buf_alloc(64 * 4096);
	const uint64_t pa = 0x80000000ull;

	T_RC(iomm_pool_init(NULL, &tp.port, mem, 64 * 4096, pa, 4096), IOMM_EINVAL);
	T_RC(iomm_pool_init(&pool, NULL, mem, 64 * 4096, pa, 4096), IOMM_EINVAL);
	T_RC(iomm_pool_init(&pool, &tp.port, NULL, 64 * 4096, pa, 4096), IOMM_EINVAL);
	T_RC(iomm_pool_init(&pool, &tp.port, mem, 64 * 4096, pa, 8192), IOMM_EINVAL);
	T_RC(iomm_pool_init(&pool, &tp.port, mem, 64 * 4096, pa, 0), IOMM_EINVAL);
	T_RC(iomm_pool_init(&pool, &tp.port, mem, 64 * 4096, pa, 32768), IOMM_EINVAL);
	T_RC(iomm_pool_init(&pool, &tp.port, mem, 64 * 4096, pa, 4095), IOMM_EINVAL);
	/* mem and mem_pa not congruent modulo the page size */
	T_RC(iomm_pool_init(&pool, &tp.port, mem, 64 * 4096, pa + 8, 4096), IOMM_EINVAL);
	T_RC(iomm_pool_init(&pool, &tp.port, mem + 8, 64 * 4096 - 8, pa, 4096), IOMM_EINVAL);
	T_RC(iomm_pool_init(&pool, &tp.port, mem, 16 * 16384, pa + 4096, 16384), IOMM_EINVAL);
	/* a physical region that wraps */
	T_RC(iomm_pool_init(&pool, &tp.port, mem, 64 * 4096, 0ull - 4 * 4096, 4096), IOMM_EINVAL);
	/* too small for bookkeeping plus one page */
	T_RC(iomm_pool_init(&pool, &tp.port, mem, 0, pa, 4096), IOMM_ENOMEM);
	T_RC(iomm_pool_init(&pool, &tp.port, mem, 4096, pa, 4096), IOMM_ENOMEM);
	T_RC(iomm_pool_init(&pool, &tp.port, mem, 4096 + 64, pa, 4096), IOMM_ENOMEM);
	T_RC(iomm_pool_init(&pool, &tp.port, mem, 65536, pa, 65536), IOMM_ENOMEM);
	T_RC(iomm_pool_init(&pool, &tp.port, mem + 104, 2 * 4096 - 200, pa + 104, 4096), IOMM_ENOMEM);
	/* just enough */
	T_RC(iomm_pool_init(&pool, &tp.port, mem, 2 * 4096, pa, 4096), IOMM_OK);
	assert_int_equal(iomm_pool_capacity(&pool), 1);
	T_RC(iomm_pool_init(&pool, &tp.port, mem + 104, 2 * 4096 - 104, pa + 104, 4096), IOMM_OK);
	assert_int_equal(iomm_pool_capacity(&pool), 1);
	free(mem);
	tport_fini(&tp);
}

/* Allocate every page of a pool one by one and check where they come from. */
static void drain_singles(struct iomm_pool *pool, uint8_t *mem, size_t size, uint64_t mem_pa,
			  size_t page, void **pages)
{
	size_t cap = iomm_pool_capacity(pool);
	for (size_t i = 0; i < cap; i++) {
		uint64_t pa = 0;
		uint8_t *va = iomm_pool_alloc(pool, 1, &pa);
		T_CHECK(va != NULL, "allocation %zu of %zu failed", i, cap);
		T_CHECK(va >= mem + 8 && va + page <= mem + size, "page %p outside the region", (void *)va);
		T_CHECK(((uintptr_t)va & (page - 1)) == 0, "page %p not aligned", (void *)va);
		T_CHECK(pa == mem_pa + (uint64_t)(va - mem), "pa 0x%llx does not match va offset",
			(unsigned long long)pa);
		T_CHECK(all_zero(va, page), "page %zu not zeroed", i);
		for (size_t j = 0; j < i; j++)
			T_CHECK(pages[j] != va, "page %p handed out twice", (void *)va);
		pages[i] = va;
		T_CHECK(iomm_pool_used(pool) == i + 1, "used %zu after %zu allocations",
			iomm_pool_used(pool), i + 1);
		memset(va, 0x77, page); /* dirty it */
	}
	uint64_t pa;
	T_CHECK(iomm_pool_alloc(pool, 1, &pa) == NULL, "allocation beyond capacity succeeded");
	T_CHECK(iomm_pool_used(pool) == cap, "used changed by a failed allocation");
}

static void test_region_capacity(void **state)
{
	(void)state;
	static const size_t page_sizes[] = {4096, 16384, 65536};
	for (size_t k = 0; k < 3; k++) {
		size_t page = page_sizes[k];
		struct tport tp;
		struct iomm_pool pool;
		tport_init(&tp, 0, 0, 0);
		size_t size = 64 * page;
		uint8_t *mem = buf_alloc(size + page);
		uint64_t pa = 0x40000000ull;
		t_context("%zu-byte pages, aligned region", page);
		T_RC(iomm_pool_init(&pool, &tp.port, mem, size, pa, page), IOMM_OK);
		assert_int_equal(iomm_pool_page_size(&pool), page);
		/* the bookkeeping (a bit per page) fits in the first page */
		T_CHECK(iomm_pool_capacity(&pool) == 63, "capacity %zu, expected 63",
			iomm_pool_capacity(&pool));
		assert_int_equal(iomm_pool_used(&pool), 0);
		void *pages[64];
		drain_singles(&pool, mem, size, pa, page, pages);
		/* release: reuse is zeroed again */
		iomm_pool_release(&pool, pages[10], 1);
		assert_int_equal(iomm_pool_used(&pool), 62);
		/* releasing a page that is not in use is ignored */
		iomm_pool_release(&pool, pages[10], 1);
		assert_int_equal(iomm_pool_used(&pool), 62);
		uint64_t rpa;
		uint8_t *again = iomm_pool_alloc(&pool, 1, &rpa);
		T_CHECK(again == pages[10], "the only free page was not handed out");
		T_CHECK(all_zero(again, page), "reused page not zeroed");
		for (size_t i = 0; i < 63; i++)
			iomm_pool_release(&pool, pages[i], 1);
		assert_int_equal(iomm_pool_used(&pool), 0);

		/* an unaligned (8-byte aligned) region whose physical address is congruent */
		t_context("%zu-byte pages, region at +104 bytes", page);
		T_RC(iomm_pool_init(&pool, &tp.port, mem + 104, size, pa + 104, page), IOMM_OK);
		size_t cap = iomm_pool_capacity(&pool);
		T_CHECK(cap == 63, "capacity %zu, expected 63", cap);
		drain_singles(&pool, mem + 104, size, pa + 104, page, pages);
		free(mem);
		tport_fini(&tp);
	}
	t_context("%s", "");
}

static void test_region_runs(void **state)
{
	(void)state;
	/* Runs of count pages are aligned to count pages, physically: a
	 * concatenated stage-2 root needs that. The region is placed so that its
	 * first page is NOT on a large boundary (bookkeeping comes first). */
	static const size_t page_sizes[] = {4096, 16384, 65536};
	static const size_t counts[] = {2, 4, 16, 64, 1, 8, 32};
	char first_failure[256] = "";
	unsigned misaligned = 0;
	for (size_t k = 0; k < 3; k++) {
		size_t page = page_sizes[k];
		struct tport tp;
		struct iomm_pool pool;
		tport_init(&tp, 0, 0, 0);
		size_t size = 320 * page;
		uint8_t *mem = buf_alloc(size);
		uint64_t mem_pa = 0x100000000ull;
		T_RC(iomm_pool_init(&pool, &tp.port, mem, size, mem_pa, page), IOMM_OK);
		size_t used = 0;
		for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
			size_t n = counts[i];
			uint64_t pa = 0;
			uint8_t *va = iomm_pool_alloc(&pool, n, &pa);
			t_context("%zu-byte pages, run of %zu", page, n);
			T_CHECK(va != NULL, "allocation of %zu pages failed (used %zu of %zu)", n, used,
				iomm_pool_capacity(&pool));
			if (pa & (n * page - 1)) {
				/* reported after the loop, so nothing leaks */
				if (!misaligned++)
					snprintf(first_failure, sizeof(first_failure),
						 "run of %zu %zu-byte pages at pa 0x%llx is not aligned to 0x%zx",
						 n, page, (unsigned long long)pa, n * page);
			}
			T_CHECK(pa == mem_pa + (uint64_t)(va - mem), "va/pa mismatch");
			T_CHECK(va >= mem && va + n * page <= mem + size, "run outside the region");
			T_CHECK(all_zero(va, n * page), "run not zeroed");
			memset(va, 0x33, n * page);
			used += n;
			T_CHECK(iomm_pool_used(&pool) == used, "used %zu, expected %zu",
				iomm_pool_used(&pool), used);
		}
		/* bad counts */
		uint64_t pa;
		T_CHECK(iomm_pool_alloc(&pool, 0, &pa) == NULL, "count 0 accepted");
		T_CHECK(iomm_pool_alloc(&pool, 3, &pa) == NULL, "count 3 accepted");
		T_CHECK(iomm_pool_alloc(&pool, 128, &pa) == NULL, "count 128 accepted");
		T_CHECK(iomm_pool_used(&pool) == used, "bad counts changed used");
		free(mem);
		tport_fini(&tp);
	}
	t_context("%s", "");
	T_CHECK(misaligned == 0, "%u multi-page runs not aligned to their size; first: %s",
		misaligned, first_failure);
}

static void test_region_fragmented(void **state)
{
	(void)state;
	struct tport tp;
	struct iomm_pool pool;
	tport_init(&tp, 0, 0, 0);
	size_t page = 4096, size = 65 * page;
	uint8_t *mem = buf_alloc(size);
	T_RC(iomm_pool_init(&pool, &tp.port, mem, size, 0x200000ull - page, page), IOMM_OK);
	size_t cap = iomm_pool_capacity(&pool);
	void *pages[64];
	uint64_t pa;
	drain_singles(&pool, mem, size, 0x200000ull - page, page, pages);
	/* free every other page: half the pool is free, no aligned pair is */
	for (size_t i = 0; i < cap; i += 2)
		iomm_pool_release(&pool, pages[i], 1);
	size_t used = iomm_pool_used(&pool);
	T_CHECK(iomm_pool_alloc(&pool, 2, &pa) == NULL, "a pair was found in a pool with no free pair");
	T_CHECK(iomm_pool_used(&pool) == used, "failed run allocation changed used");
	T_CHECK(iomm_pool_alloc(&pool, 1, &pa) != NULL, "single page not found");
	free(mem);
	tport_fini(&tp);
}

/*
 * Single pages go first-fit: the page handed out is always the lowest free
 * one, so a table freed by an unmap is the next one a map gets (still in the
 * caches), whatever was allocated or freed before. Checked against a
 * reference bitmap over a random sequence that also takes multi-page runs.
 */
static void test_region_first_fit(void **state)
{
	(void)state;
	struct tport tp;
	struct iomm_pool pool;
	tport_init(&tp, 0, 0, 0);
	size_t page = 4096, size = 300 * page;
	uint8_t *mem = buf_alloc(size);
	T_RC(iomm_pool_init(&pool, &tp.port, mem, size, 0x80000000ull, page), IOMM_OK);
	size_t cap = iomm_pool_capacity(&pool);
	uint8_t *base = NULL;
	uint64_t pa;
	bool used[300] = {false};
	assert_true(cap <= 300 && cap > 128); /* several bitmap words */

	/* fill it, then give back three pages of different words, highest first */
	for (size_t i = 0; i < cap; i++) {
		uint8_t *va = iomm_pool_alloc(&pool, 1, &pa);
		assert_non_null(va);
		if (i == 0)
			base = va;
		T_CHECK(va == base + i * page, "fill: page %zu handed out at offset %td", i,
			(va - base) / (ptrdiff_t)page);
		used[i] = true;
	}
	static const size_t back[] = {250, 130, 70};
	for (size_t i = 0; i < 3; i++)
		iomm_pool_release(&pool, base + back[i] * page, 1);
	for (size_t i = 3; i-- > 0;) {
		uint8_t *va = iomm_pool_alloc(&pool, 1, &pa);
		T_CHECK(va == base + back[i] * page, "after releases: got page %td, expected %zu",
			va ? (va - base) / (ptrdiff_t)page : -1, back[i]);
	}
	T_CHECK(iomm_pool_alloc(&pool, 1, &pa) == NULL, "a full pool handed out a page");

	/* random releases and allocations against the reference */
	uint32_t x = 12345u;
	for (int step = 0; step < 20000; step++) {
		x = x * 1103515245u + 12345u;
		size_t pg = (x >> 8) % cap;
		if ((x >> 28) & 1) {
			if (used[pg]) {
				iomm_pool_release(&pool, base + pg * page, 1);
				used[pg] = false;
			}
			continue;
		}
		size_t count = (x >> 29) == 7 ? 4 : 1;
		uint8_t *va = iomm_pool_alloc(&pool, count, &pa);
		if (count == 1) {
			size_t lowest = 0;
			while (lowest < cap && used[lowest])
				lowest++;
			if (lowest == cap) {
				T_CHECK(va == NULL, "step %d: a full pool handed out a page", step);
				continue;
			}
			T_CHECK(va == base + lowest * page,
				"step %d: got page %td, the lowest free is %zu", step,
				va ? (va - base) / (ptrdiff_t)page : -1, lowest);
		}
		if (va) {
			size_t first = (size_t)(va - base) / page;
			for (size_t k = 0; k < count; k++) {
				T_CHECK(!used[first + k], "step %d: page %zu handed out twice", step,
					first + k);
				used[first + k] = true;
			}
		}
	}
	size_t n_used = 0;
	for (size_t i = 0; i < cap; i++)
		n_used += used[i];
	T_CHECK(iomm_pool_used(&pool) == n_used, "used %zu, reference %zu", iomm_pool_used(&pool),
		n_used);
	free(mem);
	tport_fini(&tp);
}

static void test_region_locking(void **state)
{
	(void)state;
	struct tport tp;
	struct iomm_pool pool;
	tport_init(&tp, 0, 0, 0);
	uint8_t *mem = buf_alloc(16 * 4096);
	T_RC(iomm_pool_init(&pool, &tp.port, mem, 16 * 4096, 0x1000000ull, 4096), IOMM_OK);
	tport_reset_counts(&tp);
	uint64_t pa;
	void *p = iomm_pool_alloc(&pool, 1, &pa);
	assert_non_null(p);
	T_CHECK(tp.lock_calls >= 1 && tp.last_lock_obj == &pool,
		"alloc did not take the pool's lock (calls %lu)", tp.lock_calls);
	iomm_pool_release(&pool, p, 1);
	T_CHECK(tp.lock_calls >= 2 && tp.last_lock_obj == &pool, "release did not take the pool's lock");
	T_CHECK(tp.lock_calls == tp.unlock_calls && tp.depth == 0 && tp.lock_errors == 0,
		"lock imbalance: %lu locks, %lu unlocks", tp.lock_calls, tp.unlock_calls);
	/* a port without lock hooks works too */
	tp.port.lock = NULL;
	tp.port.unlock = NULL;
	p = iomm_pool_alloc(&pool, 1, &pa);
	assert_non_null(p);
	iomm_pool_release(&pool, p, 1);
	assert_int_equal(iomm_pool_used(&pool), 0);
	free(mem);
	tport_fini(&tp);
}

static void test_port_pool(void **state)
{
	(void)state;
	static const size_t page_sizes[] = {4096, 16384, 65536};
	for (size_t k = 0; k < 3; k++) {
		size_t page = page_sizes[k];
		struct tport tp;
		struct iomm_pool pool;
		tport_init(&tp, 64 * page, 0x40000000ull, 0);
		t_context("port pool, %zu-byte pages", page);
		T_RC(iomm_pool_init_port(&pool, &tp.port, page, 3), IOMM_OK);
		assert_int_equal(iomm_pool_capacity(&pool), 3);
		assert_int_equal(iomm_pool_page_size(&pool), page);
		assert_int_equal(iomm_pool_used(&pool), 0);
		void *p[3];
		uint64_t pa[3];
		for (int i = 0; i < 3; i++) {
			p[i] = iomm_pool_alloc(&pool, 1, &pa[i]);
			T_CHECK(p[i] != NULL, "allocation %d failed", i);
			T_CHECK(all_zero(p[i], page), "port pool page not zeroed (page_alloc returns garbage)");
			T_CHECK(tport_p2v(&tp, pa[i]) == p[i], "pa does not map back to va");
			T_CHECK((pa[i] & (page - 1)) == 0, "page not aligned");
			T_CHECK(tp.last_alloc_size == page && tp.last_alloc_align >= page,
				"page_alloc(size %zu, align %zu)", tp.last_alloc_size,
				tp.last_alloc_align);
		}
		assert_int_equal(iomm_pool_used(&pool), 3);
		assert_int_equal(tp.outstanding, 3);
		uint64_t x;
		unsigned long calls = tp.alloc_calls;
		T_CHECK(iomm_pool_alloc(&pool, 1, &x) == NULL, "quota of 3 pages exceeded");
		T_CHECK(tp.outstanding == 3, "a refused allocation leaked memory");
		(void)calls;
		iomm_pool_release(&pool, p[1], 1);
		assert_int_equal(iomm_pool_used(&pool), 2);
		assert_int_equal(tp.outstanding, 2);
		T_CHECK(tp.bad_frees == 0, "page_free got a wrong pointer or size");
		T_CHECK(iomm_pool_alloc(&pool, 2, &x) == NULL, "a run beyond the quota succeeded");
		iomm_pool_release(&pool, p[0], 1);
		iomm_pool_release(&pool, p[2], 1);
		assert_int_equal(iomm_pool_used(&pool), 0);
		assert_int_equal(tp.outstanding, 0);

		/* runs: size and alignment passed to page_alloc, zeroing */
		T_RC(iomm_pool_init_port(&pool, &tp.port, page, 16), IOMM_OK);
		void *run = iomm_pool_alloc(&pool, 4, &x);
		T_CHECK(run != NULL, "run of 4 failed");
		T_CHECK(tp.last_alloc_size == 4 * page && tp.last_alloc_align >= 4 * page,
			"page_alloc(size 0x%zx, align 0x%zx) for a run of 4", tp.last_alloc_size,
			tp.last_alloc_align);
		T_CHECK((x & (4 * page - 1)) == 0, "run not aligned");
		T_CHECK(all_zero(run, 4 * page), "run not zeroed");
		assert_int_equal(iomm_pool_used(&pool), 4);
		iomm_pool_release(&pool, run, 4);
		assert_int_equal(iomm_pool_used(&pool), 0);
		assert_int_equal(tp.outstanding, 0);
		T_CHECK(iomm_pool_alloc(&pool, 3, &x) == NULL, "count 3 accepted");
		T_CHECK(iomm_pool_alloc(&pool, 0, &x) == NULL, "count 0 accepted");
		/* page_alloc failing: NULL, nothing counted */
		tp.fail_at = (long)tp.alloc_calls;
		T_CHECK(iomm_pool_alloc(&pool, 1, &x) == NULL, "failed page_alloc not reported");
		assert_int_equal(iomm_pool_used(&pool), 0);
		tp.fail_at = -1;
		T_CHECK(tp.depth == 0 && tp.lock_errors == 0, "lock imbalance");
		tport_fini(&tp);
	}
	t_context("%s", "");
}

static void test_port_pool_args(void **state)
{
	(void)state;
	struct tport tp;
	struct iomm_pool pool;
	tport_init(&tp, 16 * 4096, 0x40000000ull, 0);
	T_RC(iomm_pool_init_port(NULL, &tp.port, 4096, 4), IOMM_EINVAL);
	T_RC(iomm_pool_init_port(&pool, NULL, 4096, 4), IOMM_EINVAL);
	T_RC(iomm_pool_init_port(&pool, &tp.port, 8192, 4), IOMM_EINVAL);
	T_RC(iomm_pool_init_port(&pool, &tp.port, 4096, 0), IOMM_EINVAL);
	struct iomm_port saved = tp.port;
	tp.port.page_alloc = NULL;
	T_RC(iomm_pool_init_port(&pool, &tp.port, 4096, 4), IOMM_EINVAL);
	tp.port = saved;
	tp.port.page_free = NULL;
	T_RC(iomm_pool_init_port(&pool, &tp.port, 4096, 4), IOMM_EINVAL);
	tp.port = saved;
	tp.port.phys_to_virt = NULL;
	T_RC(iomm_pool_init_port(&pool, &tp.port, 4096, 4), IOMM_EINVAL);
	tp.port = saved;
	T_RC(iomm_pool_init_port(&pool, &tp.port, 4096, 4), IOMM_OK);
	tport_fini(&tp);
}

int main(int argc, char **argv)
{
	/* an optional argument selects tests by name (cmocka pattern) */
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_region_init_args),
		cmocka_unit_test(test_region_capacity),
		cmocka_unit_test(test_region_runs),
		cmocka_unit_test(test_region_fragmented),
		cmocka_unit_test(test_region_first_fit),
		cmocka_unit_test(test_region_locking),
		cmocka_unit_test(test_port_pool),
		cmocka_unit_test(test_port_pool_args),
	};
	return cmocka_run_group_tests_name("pool", tests, NULL, NULL);
}
