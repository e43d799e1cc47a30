/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iomm_bench fixture: a minimal port and a region pool.
 *
 * The port is deliberately lean, like a real kernel's would be on the
 * map/unmap path: no lock hooks (the benchmark is single-threaded and
 * serializes itself, as Linux io-pgtable callers do), a store fence for
 * wmb, identity phys_to_virt. The non-coherent variant's clean_tables is a
 * real, out-of-line function that only counts, so the figures show the
 * library's cost of batching cleans without any cache-maintenance cost.
 */
#define _POSIX_C_SOURCE 200809L

#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t clean_calls;

uint64_t bench_clean_calls(void)
{
	return clean_calls;
}

BENCH_NOINLINE static void bench_clean(void *ctx, const void *va, size_t len)
{
	(void)ctx;
	(void)va;
	(void)len;
	clean_calls++;
	__asm__ __volatile__("" ::: "memory");
}

static void bench_wmb(void *ctx)
{
	(void)ctx;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__asm__ __volatile__("" ::: "memory");
}

static void bench_mb(void *ctx)
{
	(void)ctx;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void *bench_phys_to_virt(void *ctx, uint64_t pa)
{
	(void)ctx;
	return (void *)(uintptr_t)pa;
}

static void bench_log(void *ctx, enum iomm_log_level level, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "iommuman[%d]: %s\n", (int)level, msg);
}

static uint64_t bench_port_now(void *ctx)
{
	(void)ctx;
	return bench_now_ns();
}

/* Break-before-make invalidation of a domain's table: no hardware here, so
 * nothing to invalidate; installed so that tables use the contiguous hint
 * as a domain's do. */
static int bench_inval_sync(void *arg, const struct iomm_gather *range)
{
	(void)arg;
	(void)range;
	return IOMM_OK;
}

uint64_t bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int bench_fixture_init(struct bench_fixture *f, bool coherent, bool no_contig)
{
	memset(f, 0, sizeof(*f));
	f->coherent = coherent;
	f->no_contig = no_contig;
	f->prot = IOMM_READ | IOMM_WRITE;
	f->mem_size = (size_t)BENCH_POOL_BYTES;
	f->mem = aligned_alloc(1u << 21, f->mem_size);
	if (f->mem == NULL)
		return IOMM_ENOMEM;
	/* Touch every page once so page faults stay out of the figures. */
	memset(f->mem, 0, f->mem_size);

	f->port.ctx = f;
	f->port.flags = coherent ? IOMM_PORT_DMA_COHERENT : 0u;
	f->port.wmb = bench_wmb;
	f->port.mb = bench_mb;
	f->port.phys_to_virt = bench_phys_to_virt;
	f->port.clean_tables = bench_clean;
	f->port.now_ns = bench_port_now;
	f->port.log = bench_log;
	f->port.log_level = IOMM_LOG_ERROR;
	return IOMM_OK;
}

enum iomm_pgt_format bench_format = IOMM_FMT_ARM_LPAE_S1;

int bench_fixture_open(struct bench_fixture *f)
{
	struct iomm_pgt_cfg cfg;
	int rc;

	rc = iomm_pool_init(&f->pool, &f->port, f->mem, f->mem_size,
			    (uint64_t)(uintptr_t)f->mem, 4096);
	if (rc != IOMM_OK) {
		fprintf(stderr, "iomm_pool_init: %s\n", iomm_strerror(rc));
		return rc;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.format = bench_format;
	cfg.granule = 4096;
	/* 4 levels everywhere; x86-64 paging's lower half is 47 bits. */
	cfg.ias = bench_format == IOMM_FMT_X86_FL ? 47 : 48;
	cfg.oas = 48;
	cfg.flags = f->no_contig ? IOMM_PGT_NO_CONTIG : 0u; /* coherence: the port's flag */
	cfg.inval_sync = bench_inval_sync;
	rc = iomm_pgt_init(&f->pgt, &cfg, &f->pool, &f->port);
	if (rc != IOMM_OK) {
		fprintf(stderr, "iomm_pgt_init: %s\n", iomm_strerror(rc));
		return rc;
	}
	f->open = true;
	return IOMM_OK;
}

void bench_fixture_close(struct bench_fixture *f)
{
	if (f->open) {
		iomm_pgt_destroy(&f->pgt);
		f->open = false;
	}
}

void bench_fixture_fini(struct bench_fixture *f)
{
	bench_fixture_close(f);
	free(f->mem);
	f->mem = NULL;
}
