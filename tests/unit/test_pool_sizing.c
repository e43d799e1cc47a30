/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IOMM_POOL_BYTES(n, ps): a page-aligned region of exactly that many bytes
 * gives a region pool of exactly n usable pages (and every one of them can be
 * allocated), one byte less gives n - 1, for several n around the bitmap's
 * word and page boundaries and every page size.
 */
#include "test_common.h"

#include <stdlib.h>
#include <string.h>

/* Usable as a constant expression: sizes a static buffer. */
static _Alignas(4096) uint8_t static_mem[IOMM_POOL_BYTES(64, 4096)];
_Static_assert(sizeof(static_mem) == 65 * 4096, "64 pages of 4 KiB need one bookkeeping page");
_Static_assert(IOMM_POOL_BYTES(32768, 4096) == 32769ull * 4096, "32768 bits fill one 4 KiB page");
_Static_assert(IOMM_POOL_BYTES(32769, 4096) == 32771ull * 4096, "one more page needs a second one");

static size_t capacity_of(const struct iomm_port *port, uint8_t *mem, size_t size, size_t ps,
			  int *rc)
{
	struct iomm_pool pool;
	*rc = iomm_pool_init(&pool, port, mem, size, (uint64_t)(uintptr_t)mem, ps);
	if (*rc != IOMM_OK)
		return 0;
	/* Every page counted must really be there. */
	size_t n = iomm_pool_capacity(&pool);
	uint64_t pa;
	for (size_t i = 0; i < n; i++) {
		uint8_t *va = iomm_pool_alloc(&pool, 1, &pa);
		assert_non_null(va);
		assert_true(va >= mem && va + ps <= mem + size);
	}
	assert_null(iomm_pool_alloc(&pool, 1, &pa));
	return n;
}

static void test_static_buffer(void **state)
{
	(void)state;
	static const struct iomm_port port = {0};
	struct iomm_pool pool;
	assert_int_equal(iomm_pool_init(&pool, &port, static_mem, sizeof(static_mem),
					(uint64_t)(uintptr_t)static_mem, 4096),
			 IOMM_OK);
	assert_int_equal(iomm_pool_capacity(&pool), 64);
}

static void test_exact_pages(void **state)
{
	(void)state;
	static const struct iomm_port port = {0};
	static const size_t page_sizes[] = {4096, 16384, 65536};
	static const size_t counts[] = {1, 2, 3, 63, 64, 65, 127, 128, 129, 511, 512, 513, 1000};

	for (size_t p = 0; p < sizeof(page_sizes) / sizeof(page_sizes[0]); p++) {
		const size_t ps = page_sizes[p];
		for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
			const size_t n = counts[c];
			const size_t bytes = IOMM_POOL_BYTES(n, ps);
			uint8_t *mem = aligned_alloc(ps, bytes);
			assert_non_null(mem);
			int rc;
			size_t got = capacity_of(&port, mem, bytes, ps, &rc);
			if (got != n)
				print_error("IOMM_POOL_BYTES(%zu, %zu) = %zu gave %zu pages\n", n, ps,
					    bytes, got);
			assert_int_equal(rc, IOMM_OK);
			assert_int_equal(got, n);
			/* The formula is tight: one byte less loses a page. */
			got = capacity_of(&port, mem, bytes - 1, ps, &rc);
			if (n == 1) {
				assert_int_equal(rc, IOMM_ENOMEM);
			} else {
				assert_int_equal(rc, IOMM_OK);
				assert_int_equal(got, n - 1);
			}
			free(mem);
		}
	}
}

/* Memory that is not page aligned needs page_size - 1 bytes more. */
static void test_unaligned(void **state)
{
	(void)state;
	static const struct iomm_port port = {0};
	static const size_t page_sizes[] = {4096, 16384, 65536};
	for (size_t p = 0; p < sizeof(page_sizes) / sizeof(page_sizes[0]); p++) {
		const size_t ps = page_sizes[p];
		for (size_t n = 1; n <= 130; n += 43) {
			const size_t bytes = IOMM_POOL_BYTES(n, ps) + ps - 1;
			/* aligned_alloc wants a size that is a multiple of the alignment */
			uint8_t *raw = aligned_alloc(ps, (bytes + 2 * ps - 1) & ~(ps - 1));
			assert_non_null(raw);
			for (size_t skew = 8; skew < ps; skew += ps / 4 + 8) {
				int rc;
				assert_true(capacity_of(&port, raw + skew, bytes, ps, &rc) >= n);
				assert_int_equal(rc, IOMM_OK);
			}
			free(raw);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_static_buffer),
		cmocka_unit_test(test_exact_pages),
		cmocka_unit_test(test_unaligned),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
