/* SPDX-License-Identifier: BSD-3-Clause */
/* Shadow model of a page table; see shadow.h. */
#include "shadow.h"

#include <stdlib.h>
#include <string.h>

void shadow_init(struct shadow *s)
{
	memset(s, 0, sizeof(*s));
}

void shadow_fini(struct shadow *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

size_t shadow_lower_bound(const struct shadow *s, uint64_t addr)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct shadow_ext *e = &s->v[mid];
		if (e->iova + e->size - 1 < addr) /* ends at or before addr */
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct shadow_ext *shadow_find(const struct shadow *s, uint64_t addr)
{
	size_t i = shadow_lower_bound(s, addr);
	if (i < s->n && s->v[i].iova <= addr)
		return &s->v[i];
	return NULL;
}

bool shadow_overlaps(const struct shadow *s, uint64_t iova, uint64_t size)
{
	size_t i = shadow_lower_bound(s, iova);
	return i < s->n && s->v[i].iova <= iova + size - 1;
}

static void insert_at(struct shadow *s, size_t i, const struct shadow_ext *e)
{
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 256;
		struct shadow_ext *n = realloc(s->v, ncap * sizeof(*n));
		if (!n)
			abort();
		s->v = n;
		s->cap = ncap;
	}
	memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof(*e));
	s->v[i] = *e;
	s->n++;
}

static void erase_at(struct shadow *s, size_t i)
{
	memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof(s->v[0]));
	s->n--;
}

bool shadow_map(struct shadow *s, uint64_t iova, uint64_t pa, uint64_t size, uint32_t prot)
{
	if (shadow_overlaps(s, iova, size))
		return false;
	struct shadow_ext e = {iova, pa, size, prot};
	insert_at(s, shadow_lower_bound(s, iova), &e);
	s->bytes += size;
	return true;
}

uint64_t shadow_unmap(struct shadow *s, uint64_t iova, uint64_t size,
		      void (*fn)(void *arg, const struct shadow_ext *piece), void *arg)
{
	uint64_t last = iova + size - 1;
	uint64_t removed = 0;
	size_t i = shadow_lower_bound(s, iova);
	while (i < s->n && s->v[i].iova <= last) {
		struct shadow_ext e = s->v[i];
		uint64_t elast = e.iova + e.size - 1;
		uint64_t cut_lo = e.iova > iova ? e.iova : iova;
		uint64_t cut_hi = elast < last ? elast : last;
		struct shadow_ext piece = {cut_lo, e.pa + (cut_lo - e.iova), cut_hi - cut_lo + 1, e.prot};
		removed += piece.size;
		if (fn)
			fn(arg, &piece);
		erase_at(s, i);
		if (e.iova < cut_lo) {
			struct shadow_ext left = {e.iova, e.pa, cut_lo - e.iova, e.prot};
			insert_at(s, i++, &left);
		}
		if (cut_hi < elast) {
			struct shadow_ext right = {cut_hi + 1, e.pa + (cut_hi + 1 - e.iova),
						   elast - cut_hi, e.prot};
			insert_at(s, i++, &right);
		}
	}
	s->bytes -= removed;
	return removed;
}
