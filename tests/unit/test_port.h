/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A minimal, self-contained port for the unit tests.
 *
 * It records what the library asks of it so tests can assert on it:
 *  - page_alloc/page_free from an arena with a fake physical address
 *    (arena_pa + offset), garbage-filled so unzeroed pages show; it can be
 *    told to fail the k-th allocation; it counts outstanding allocations;
 *  - phys_to_virt for arena and registered region memory;
 *  - clean_tables: counts calls, records the cleaned byte ranges and can
 *    forward each call to a test callback;
 *  - lock/unlock: checks balance and nesting depth.
 */
#ifndef IOMM_TEST_PORT_H
#define IOMM_TEST_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iommuman/iommuman.h>

#define TPORT_MAX_REGIONS 4
#define TPORT_MAX_HELD 8

struct tport_range {
	uintptr_t start;
	size_t len;
};

struct tport_region {
	uint8_t *va;
	uint64_t pa;
	size_t size;
};

struct tport {
	struct iomm_port port;

	/* page_alloc arena */
	uint8_t *arena;
	size_t arena_size;
	uint64_t arena_pa;
	uint8_t *arena_map;         /* per 4 KiB unit: 0 free, 1 start of an allocation, 2 inside */
	size_t *arena_len;          /* bytes of the allocation starting at a unit */
	unsigned long alloc_calls;  /* page_alloc calls since tport_init / tport_reset_counts */
	unsigned long alloc_fails;  /* page_alloc calls that returned NULL */
	unsigned long free_calls;
	long fail_at;               /* -1: never; else fail the call with this index (alloc_calls) */
	bool fail_sticky;           /* with fail_at: also fail every later call */
	size_t outstanding;         /* allocations not yet freed */
	size_t outstanding_bytes;
	unsigned long bad_frees;    /* page_free of something not allocated, or a wrong size */
	size_t last_alloc_size, last_alloc_align;

	/* other memory phys_to_virt knows (region pools) */
	struct tport_region regions[TPORT_MAX_REGIONS];
	unsigned nregions;
	unsigned long p2v_calls, p2v_misses;

	/* clean_tables */
	unsigned long clean_calls;
	bool record_cleans;
	struct tport_range *cleans;
	size_t ncleans, cleans_cap;
	void (*clean_cb)(void *arg, const void *va, size_t len);
	void *clean_arg;

	/* locks */
	int depth, max_depth;
	void *held[TPORT_MAX_HELD];
	unsigned long lock_calls, unlock_calls, lock_errors;
	void *last_lock_obj;

	/* barriers, log */
	unsigned long wmb_calls, mb_calls, log_lines;
	bool verbose;
	uint64_t now;
};

/**
 * Set up @p t. @p arena_size bytes (0: no arena, page_alloc returns NULL;
 * rounded up to 4 MiB) at fake physical address @p arena_pa (4 MiB aligned). All hooks are installed; tests clear
 * the ones they want missing. port.flags = @p flags.
 */
void tport_init(struct tport *t, size_t arena_size, uint64_t arena_pa, uint32_t flags);
void tport_fini(struct tport *t);
/** Zero the call counters and clear failure injection (not the outstanding count). */
void tport_reset_counts(struct tport *t);
/** Make memory known to phys_to_virt and tport_read64. */
void tport_add_region(struct tport *t, void *va, uint64_t pa, size_t size);
/** Physical to virtual for anything the port knows, NULL otherwise. */
void *tport_p2v(const struct tport *t, uint64_t pa);
/** Virtual to physical, ~0 if unknown. */
uint64_t tport_v2p(const struct tport *t, const void *va);
/** aw_read_fn over the port's memory (ctx = struct tport *). */
int tport_read64(void *ctx, uint64_t pa, uint64_t *val);
/** Whether [va, va + len) lies inside one recorded clean range. */
bool tport_cleaned(const struct tport *t, const void *va, size_t len);
/** Forget recorded clean ranges. */
void tport_clear_cleans(struct tport *t);

#endif /* IOMM_TEST_PORT_H */
