/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shadow model of a page table for differential tests: a sorted map from
 * page-granule input addresses to (output address, prot), stored as sorted,
 * non-overlapping runs of pages (each run: first page, its output address,
 * length, prot). Hosted code.
 */
#ifndef IOMM_TEST_SHADOW_H
#define IOMM_TEST_SHADOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct shadow_ext {
	uint64_t iova, pa, size;
	uint32_t prot;
};

struct shadow {
	struct shadow_ext *v;
	size_t n, cap;
	uint64_t bytes; /* total bytes mapped */
};

void shadow_init(struct shadow *s);
void shadow_fini(struct shadow *s);
/** Whether any byte of [iova, iova + size) is mapped. */
bool shadow_overlaps(const struct shadow *s, uint64_t iova, uint64_t size);
/** Map a range; returns false (and changes nothing) if it overlaps. */
bool shadow_map(struct shadow *s, uint64_t iova, uint64_t pa, uint64_t size, uint32_t prot);
/**
 * Unmap [iova, iova + size); calls @p fn (if not NULL) for each removed piece
 * and returns the bytes removed.
 */
uint64_t shadow_unmap(struct shadow *s, uint64_t iova, uint64_t size,
		      void (*fn)(void *arg, const struct shadow_ext *piece), void *arg);
/** The run containing @p addr, or NULL. */
const struct shadow_ext *shadow_find(const struct shadow *s, uint64_t addr);
/** Index of the first run that ends after @p addr (s->n if none). */
size_t shadow_lower_bound(const struct shadow *s, uint64_t addr);

#endif /* IOMM_TEST_SHADOW_H */
