/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iomm_bench: shared declarations of the benchmark's three units.
 *
 *  - bench_fixture.c: the port, the region pool and the table under test.
 *  - bench_ops.c:     the measured loops (bench_loop_*) and their drivers.
 *  - bench.c:         options, repetitions, the table and the JSON report.
 *
 * The measured loops call the library only through its public API, from a
 * compilation unit of their own, exactly as an integrator would.
 */
#ifndef IOMM_BENCH_H
#define IOMM_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iommuman/iommuman.h>

#if defined(__GNUC__) && !defined(__clang__)
#define BENCH_NOINLINE __attribute__((noinline, noclone))
#else
#define BENCH_NOINLINE __attribute__((noinline))
#endif

#define BENCH_SZ_4K 0x1000ull
#define BENCH_SZ_2M 0x200000ull
#define BENCH_SZ_1G 0x40000000ull

/* The table under test and everything it needs. */
struct bench_fixture {
	struct iomm_port port;
	struct iomm_pool pool;
	struct iomm_pgt pgt;
	void *mem;        /* region pool memory */
	size_t mem_size;
	bool coherent;
	bool no_contig;
	uint32_t prot;
	bool open;        /* pgt initialised */
};

/* Table format of every fixture (--format): Arm LPAE stage 1 by default. */
extern enum iomm_pgt_format bench_format;

/* Pool memory size (the region the table pages come from). */
#define BENCH_POOL_BYTES (64ull << 20)

int bench_fixture_init(struct bench_fixture *f, bool coherent, bool no_contig);
int bench_fixture_open(struct bench_fixture *f);  /* fresh pool + empty table */
void bench_fixture_close(struct bench_fixture *f); /* destroy the table */
void bench_fixture_fini(struct bench_fixture *f);
uint64_t bench_clean_calls(void);                 /* calls of the no-op clean hook */

/* One benchmarked operation. */
struct bench_op {
	const char *name;     /* command-line name; bench_loop_<name> is its loop */
	const char *label;    /* for the table */
	uint64_t default_iters;
	unsigned ref_instr;   /* Linux io-pgtable-arm reference, instructions per call */
	double ref_ns_lo;     /* reference ns per call (range) */
	double ref_ns_hi;
	/*
	 * Run @p iters measured calls on an open fixture; return the total
	 * nanoseconds spent inside the measured loops, or a negative value on
	 * a library error (printed).
	 */
	double (*run)(struct bench_fixture *f, uint64_t iters);
};

extern const struct bench_op bench_ops[];
extern const size_t bench_nops;

uint64_t bench_now_ns(void);

#endif /* IOMM_BENCH_H */
