/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared part of the test_smmuv2.c group: includes, helpers and the test functions
 * of every part (the runner, test_smmuv2.c, registers them). */
#ifndef TEST_SMMUV2_H
#define TEST_SMMUV2_H

#include "smmuv2_fx.h"
#include <stdlib.h>
#include <string.h>

#define RW   (IOMM_READ | IOMM_WRITE)
#define SZ4K UINT64_C(0x1000)
#define SZ2M UINT64_C(0x200000)

#define OP_VA	  SMMUV2_OP_TLBIVA
#define OP_VAL	  SMMUV2_OP_TLBIVAL
#define OP_ASID	  SMMUV2_OP_TLBIASID
#define OP_IPA	  SMMUV2_OP_TLBIIPAS2
#define OP_IPAL	  SMMUV2_OP_TLBIIPAS2L
#define OP_VMID	  SMMUV2_OP_TLBIVMID
#define OP_SYNC	  SMMUV2_OP_TLBSYNC
#define OP_GSYNC  SMMUV2_OP_TLBGSYNC
#define OP_ALLNS  SMMUV2_OP_TLBIALLNSNH

/* CBAR, S2CR and SMR fields (IHI 0062, 10.5 and 10.6) */
#define CBAR_TYPE(v)  (((v) >> 16) & 3u)
#define CBAR_CBNDX(v) (((v) >> 8) & 0xffu)
#define S2CR_TYPE(v)  (((v) >> 16) & 3u)
#define S2CR_CB(v)    ((v)&0xffu)
#define SMR_VALID     (1u << 31)

struct pdom {
	struct iomm_pool *pool;
	struct iomm_domain dom;
};

static inline void pdom_up(struct fx *f, struct pdom *d, enum iomm_domain_type type, uint32_t granule,
		    struct iomm_domain *parent)
{
	*d = (struct pdom){0}; /* a domain is initialised from zeroed memory */
	d->pool = fx_pool(f, granule ? granule : 4096, 64);
	assert_int_equal(fx_domain(f, &d->dom, type, granule, d->pool, parent), IOMM_OK);
}

static inline unsigned cb_of(const struct iomm_domain *d)
{
	return (unsigned)d->priv_word;
}

static inline uint32_t zero_ops(const struct fx *f)
{
	uint32_t n = 0;
	for (unsigned op = 0; op < SMMUV2_OP_COUNT; op++)
		n += (uint32_t)fx_ops(f, op);
	return n;
}

/* A nested pair: stage 2 maps the stage-1 tables one to one and IPA 0x40000000 to PA 0x9000_0000. */
struct nested {
	struct pdom s2, s1;
};

static inline void nested_up(struct fx *f, struct nested *n)
{
	*n = (struct nested){0}; /* domains are initialised from zeroed memory */
	pdom_up(f, &n->s2, IOMM_DOMAIN_S2, 0, NULL);
	n->s1.pool = fx_pool(f, 4096, 32);
	void *va;
	uint64_t pa, size;
	fx_pool_region(f, n->s1.pool, &va, &pa, &size);
	assert_int_equal(iomm_map(&n->s2.dom, pa, pa, size, IOMM_READ), IOMM_OK);
	assert_int_equal(iomm_map(&n->s2.dom, 0x40000000, 0x90000000, 4 * SZ4K, RW), IOMM_OK);
	assert_int_equal(fx_domain(f, &n->s1.dom, IOMM_DOMAIN_NESTED, 0, n->s1.pool, &n->s2.dom),
			 IOMM_OK);
	assert_int_equal(iomm_map(&n->s1.dom, 0x7000, 0x40001000, SZ4K, RW), IOMM_OK);
	assert_int_equal(iomm_map(&n->s1.dom, 0x8000, 0x40008000, SZ4K, RW), IOMM_OK);
}

/* ---- the tests, by part ---- */
void test_probe_generic(void **state);
void test_probe_indexing(void **state);
void test_probe_4k_only(void **state);
void test_probe_stage2_only(void **state);
void test_probe_refuses(void **state);
void test_probe_sizes_and_limits(void **state);
void test_probe_odd_layouts(void **state);
void test_mmu500_settings(void **state);
void test_mmu500_cache_locked(void **state);
void test_mmu500_r1_and_forced(void **state);
void test_smr_mask_group(void **state);
void test_smr_conflicts(void **state);
void test_smr_exhaustion(void **state);
void test_model_multiple_match(void **state);
void test_bypass_blocked_detach(void **state);
void test_bank_stage1(void **state);
void test_bank_stage1_granules(void **state);
void test_bank_stage2(void **state);
void test_bank_nested(void **state);
void test_bank_nested_walk_fault(void **state);
void test_model_architecture(void **state);
void test_bank_exhaustion(void **state);
void test_inval_stage1_page(void **state);
void test_inval_stage1_range_and_threshold(void **state);
void test_inval_stage1_tables(void **state);
void test_inval_stage2(void **state);
void test_inval_nested(void **state);
void test_model_catches_missing_inval(void **state);
void test_sync_timeout(void **state);
void test_fault_unidentified_stream(void **state);
void test_decode_fault(void **state);
void test_register_order(void **state);
void test_mmio_32bit_port(void **state);
void test_bad_input(void **state);

/* test_smmuv2_silicon.c */
void test_walk_without_cttw(void **state);
void test_barrier_before_tlbi(void **state);
void test_barrier_before_bank_enable(void **state);
void test_fault_record_ordering(void **state);
void test_stage1_memory_type(void **state);
void test_smr_mask_width(void **state);
void test_tlb_conflict_contig(void **state);
void test_block_split_bbm(void **state);
void test_real_part(void **state);

#endif /* TEST_SMMUV2_H */
