/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * model_dram: memory as a table walker that does not snoop the CPU's caches
 * sees it, shared by the register models. Such a walker reads DRAM, which a
 * CPU store reaches only once the line is cleaned to the point of coherency;
 * the models represent DRAM as a bounded set of 4 KiB pages that only
 * model_dram_clean() (the CPU's clean, reported by the test's port) fills from
 * live memory. Bytes of a page never cleaned read as zeros: what a walker
 * would find where a store was not cleaned is unknown, and zeros make the
 * walk fault (invalid descriptors) rather than succeed by chance.
 *
 * The pages live in storage the model provides (embedded in its state or
 * allocated by it); nothing here allocates. Lookups scan the pages held, so
 * the set is meant for the tables and queues of a test, not for all memory.
 */
#ifndef MODEL_DRAM_H
#define MODEL_DRAM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Bytes in one page of the copy. */
#define MODEL_DRAM_PAGE_SIZE 4096u

/** One page of the walker's view of memory. */
struct model_dram_page {
	uint64_t pa; /**< physical address of the page (4 KiB aligned) */
	uint8_t b[MODEL_DRAM_PAGE_SIZE];
};

/** Reads live memory, as the CPU's clean sees it: 0, or non-zero if @pa cannot be read. */
typedef int (*model_dram_read_fn)(void *ctx, uint64_t pa, void *buf, size_t len);

/** The set of pages: the first @n of @pages are held, in order of first clean. */
struct model_dram {
	struct model_dram_page *pages; /**< storage for @cap pages */
	size_t cap;		       /**< pages the storage holds */
	size_t n;		       /**< pages held */
	size_t last;		       /**< index of the last page found (a lookup hint) */
	uint64_t cleans;	       /**< model_dram_clean() calls */
	uint64_t overflows; /**< pages a clean could not hold (the set was full): they stay
				 unseen, reading as zeros */
};

/** Empties @d and gives it @cap pages of storage at @pages (with @cap 0 no page is
 * ever held: every clean overflows). */
void model_dram_init(struct model_dram *d, struct model_dram_page *pages, size_t cap);

/** Forgets every page held (as if DRAM were all zeros again); the storage stays. */
void model_dram_forget(struct model_dram *d);

/** The CPU cleaned [@pa, @pa + @len): each page touched is held (the first time with
 * zeros elsewhere) and the range copied into it from @read (@ctx its context); bytes
 * @read refuses read as zeros. A page the set has no room for is counted in
 * @d->overflows and stays unseen. */
void model_dram_clean(struct model_dram *d, uint64_t pa, size_t len, model_dram_read_fn read,
		      void *ctx);

/** What a non-snooping read of [@pa, @pa + @len) finds: the bytes cleaned, zeros where
 * nothing was. */
void model_dram_read(struct model_dram *d, uint64_t pa, void *buf, size_t len);

/** The device wrote [@pa, @pa + @len) (its writes reach DRAM): the pages held are
 * updated; pages not held stay so (the models' devices write event records and
 * descriptor flags into tables and queues the CPU cleaned before). */
void model_dram_write(struct model_dram *d, uint64_t pa, const void *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* MODEL_DRAM_H */
