/* SPDX-License-Identifier: BSD-3-Clause */
/* The non-coherent walker's view of memory, shared by the models; see model_dram.h. */
#include "model_dram.h"

#include <string.h>

#define PAGE_MASK64 (~(uint64_t)(MODEL_DRAM_PAGE_SIZE - 1u))

void model_dram_init(struct model_dram *d, struct model_dram_page *pages, size_t cap)
{
	memset(d, 0, sizeof(*d));
	d->pages = pages;
	d->cap = pages ? cap : 0;
}

void model_dram_forget(struct model_dram *d)
{
	d->n = 0;
	d->last = 0;
}

static struct model_dram_page *find(struct model_dram *d, uint64_t base)
{
	if (d->last < d->n && d->pages[d->last].pa == base)
		return &d->pages[d->last];
	for (size_t i = 0; i < d->n; i++)
		if (d->pages[i].pa == base) {
			d->last = i;
			return &d->pages[i];
		}
	return NULL;
}

/* Bytes from @pa to the end of its page, at most @len. */
static size_t in_page(uint64_t pa, size_t len)
{
	size_t n = MODEL_DRAM_PAGE_SIZE - (size_t)(pa & (MODEL_DRAM_PAGE_SIZE - 1u));
	return n < len ? n : len;
}

void model_dram_clean(struct model_dram *d, uint64_t pa, size_t len, model_dram_read_fn read,
		      void *ctx)
{
	d->cleans++;
	while (len) {
		size_t n = in_page(pa, len), off = (size_t)(pa & (MODEL_DRAM_PAGE_SIZE - 1u));
		struct model_dram_page *pg = find(d, pa & PAGE_MASK64);
		if (!pg && d->n < d->cap) {
			pg = &d->pages[d->n++];
			pg->pa = pa & PAGE_MASK64;
			memset(pg->b, 0, sizeof(pg->b));
		}
		if (!pg)
			d->overflows++;
		else if (read(ctx, pa, pg->b + off, n) != 0)
			memset(pg->b + off, 0, n);
		pa += n;
		len -= n;
	}
}

void model_dram_read(struct model_dram *d, uint64_t pa, void *buf, size_t len)
{
	uint8_t *out = buf;
	while (len) {
		size_t n = in_page(pa, len);
		const struct model_dram_page *pg = find(d, pa & PAGE_MASK64);
		if (pg)
			memcpy(out, pg->b + (pa & (MODEL_DRAM_PAGE_SIZE - 1u)), n);
		else
			memset(out, 0, n);
		out += n;
		pa += n;
		len -= n;
	}
}

void model_dram_write(struct model_dram *d, uint64_t pa, const void *buf, size_t len)
{
	const uint8_t *in = buf;
	while (len) {
		size_t n = in_page(pa, len);
		struct model_dram_page *pg = find(d, pa & PAGE_MASK64);
		if (pg)
			memcpy(pg->b + (pa & (MODEL_DRAM_PAGE_SIZE - 1u)), in, n);
		in += n;
		pa += n;
		len -= n;
	}
}
