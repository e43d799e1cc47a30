/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A checking layer over the hosted POSIX port (ports/posix), for the unit
 * tests. The library gets a hook table (tport.port) whose hooks run the
 * POSIX port's (tport.px) after doing what a test needs to assert on:
 *  - page_alloc/page_free from an arena with a fake physical address
 *    (arena_pa + offset, so PA != VA), garbage-filled so unzeroed pages
 *    show; failure injection by call index (fail the k-th allocation, or
 *    that one and every later one); outstanding allocations and bad frees
 *    are counted;
 *  - phys_to_virt for arena and registered region memory;
 *  - clean_tables: counts calls, records the cleaned byte ranges and can
 *    forward each call to a test callback, then runs the POSIX hook;
 *  - lock/unlock: checks balance, nesting depth and re-entry per object
 *    around the POSIX port's recursive mutex;
 *  - wmb/mb and log are counted and forwarded; now_ns is the POSIX port's
 *    fake clock (1 us per call).
 * The MMIO and relax hooks stay absent: the unit tests drive no registers.
 */
#ifndef IOMM_TEST_POSIX_CHECK_H
#define IOMM_TEST_POSIX_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iommuman/iommuman.h>
#include <iommuman/port_posix.h>

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
	struct iomm_port port;      /* what the library gets; ctx is this struct */
	struct iomm_posix px;       /* the POSIX port underneath */

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
	bool verbose;               /* IOMM_TEST_VERBOSE: the POSIX port prints every message */
};

/**
 * Set up @p t. @p arena_size bytes (0: no arena, page_alloc returns NULL;
 * rounded up to 4 MiB) at fake physical address @p arena_pa (4 MiB aligned). All hooks are installed; tests clear
 * the ones they want missing. port.flags = @p flags. Aborts if the POSIX
 * port cannot be set up.
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

#endif /* IOMM_TEST_POSIX_CHECK_H */
