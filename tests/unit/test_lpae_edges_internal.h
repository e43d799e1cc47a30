/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_lpae_edges_internal.h: what the pieces of the LPAE edge-case test
 * share (see test_lpae_edges.c).
 */
#ifndef TEST_LPAE_EDGES_INTERNAL_H
#define TEST_LPAE_EDGES_INTERNAL_H

#include "test_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S1  IOMM_FMT_ARM_LPAE_S1
#define S2  IOMM_FMT_ARM_LPAE_S2
/* the test ports are coherent (IOMM_PORT_DMA_COHERENT): tables are walked
 * coherently unless they say IOMM_PGT_NONCOHERENT */
#define COH 0u
#define NONCOH IOMM_PGT_NONCOHERENT
#define RW  (IOMM_READ | IOMM_WRITE)
/* a region pool whose first page sits on a 1 MiB boundary */
#define POOL_PA(g) (0x10000000ull - (g))

#define VTD IOMM_FMT_VTD_SL
#define X86 IOMM_FMT_X86_FL

/* ---- shared between the pieces ---- */

struct iomm_pgt_cfg mkcfg(enum iomm_pgt_format fmt, uint32_t granule, unsigned ias, unsigned oas,
			  uint32_t flags);
void unmap_ok(struct tfix *f, uint64_t iova, uint64_t size, uint64_t want_unmapped);
void expect_pa(struct tfix *f, uint64_t iova, uint64_t want);
void test_noncoherent(void **state);
void test_noncoherent_x86(void **state);
void test_bad_init(void **state);
void test_64k_lva_sizes(void **state);
void test_bad_calls(void **state);
void test_bad_init_x86(void **state);
void test_bad_calls_x86(void **state);
void test_destroy_with_mappings(void **state);
void test_contig_bbm(void **state);

#endif
