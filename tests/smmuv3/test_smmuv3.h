/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared part of the test_smmuv3.c group: includes, helpers and the test functions
 * of every part (the runner, test_smmuv3.c, registers them). */
#ifndef TEST_SMMUV3_H
#define TEST_SMMUV3_H

#include "smmuv3_fx.h"
#include <stdlib.h>
#include <string.h>

/* ---- architected constants the tests check against (Arm IHI 0070) ---- */

#define OP_CFGI_STE  SMMUV3_M_CMD_CFGI_STE
#define OP_NH_ALL    SMMUV3_M_CMD_TLBI_NH_ALL
#define OP_NH_ASID   SMMUV3_M_CMD_TLBI_NH_ASID
#define OP_NH_VA     SMMUV3_M_CMD_TLBI_NH_VA
#define OP_EL2_ASID  SMMUV3_M_CMD_TLBI_EL2_ASID
#define OP_EL2_VA    SMMUV3_M_CMD_TLBI_EL2_VA
#define OP_S12_VMALL SMMUV3_M_CMD_TLBI_S12_VMALL
#define OP_S2_IPA    SMMUV3_M_CMD_TLBI_S2_IPA
#define OP_SYNC	     SMMUV3_M_CMD_SYNC

#define EV_BAD_STREAMID SMMUV3_M_EVT_C_BAD_STREAMID
#define EV_TRANSLATION	SMMUV3_M_EVT_F_TRANSLATION
#define EV_PERMISSION	SMMUV3_M_EVT_F_PERMISSION

/* event numbers (7.3) */
#define E_C_BAD_STREAMID    0x02u
#define E_F_STE_FETCH	    0x03u
#define E_C_BAD_STE	    0x04u
#define E_C_BAD_SUBSTREAMID 0x08u
#define E_F_CD_FETCH	    0x09u
#define E_C_BAD_CD	    0x0au
#define E_F_WALK_EABT	    0x0bu
#define E_F_TRANSLATION	    0x10u
#define E_F_ADDR_SIZE	    0x11u
#define E_F_ACCESS	    0x12u
#define E_F_PERMISSION	    0x13u
#define E_F_TLB_CONFLICT    0x20u
#define E_F_UUT		    0x01u
#define E_F_STREAM_DISABLED 0x06u
#define E_F_TRANSL_FORBID   0x07u
#define E_F_CFG_CONFLICT    0x21u
#define E_F_VMS_FETCH	    0x25u

/* event record word 1 (7.3.x: F_TRANSLATION and friends) */
#define EV1_PNU (UINT64_C(1) << 33)
#define EV1_IND (UINT64_C(1) << 34)
#define EV1_RNW (UINT64_C(1) << 35)
#define EV1_S2	(UINT64_C(1) << 39)
#define EV0_SSV (UINT64_C(1) << 11)

/* registers (6.3) */
#define R_CR0	      0x20u
#define R_GBPA	      0x44u
#define R_STRTAB_BASE 0x80u
#define R_STRTAB_CFG  0x88u
#define CR0_SMMUEN    (1u << 0)
#define CR0_EVTQEN    (1u << 2)
#define CR0_CMDQEN    (1u << 3)
#define GBPA_ABORT    (1u << 20)
#define GBPA_UPDATE   (1u << 31)

#define RW   (IOMM_READ | IOMM_WRITE)
#define SZ4K UINT64_C(0x1000)
#define SZ2M UINT64_C(0x200000)

/* A domain (stage 1 or 2) with its own pool of 4 KiB pages. */
struct pdom {
	struct iomm_pool *pool;
	struct iomm_domain dom;
};

static inline void pdom_up(struct fx *f, struct pdom *d, enum iomm_domain_type type)
{
	*d = (struct pdom){0}; /* a domain is initialised from zeroed memory */
	d->pool = fx_pool(f, 4096, 64);
	assert_int_equal(fx_domain(f, &d->dom, type, 0, d->pool, NULL), IOMM_OK);
}

/* A nested domain: stage-2 parent, stage-1 child whose tables (and CD) sit
 * in a pool the parent maps one to one, as a guest's would. */
struct nest {
	struct iomm_pool *p2, *p1;
	struct iomm_domain s2, s1;
};

static inline void nest_up(struct fx *f, struct nest *n)
{
	void *va;
	uint64_t pa, size;
	*n = (struct nest){0}; /* domains are initialised from zeroed memory */
	n->p2 = fx_pool(f, 4096, 64);
	n->p1 = fx_pool(f, 4096, 32);
	assert_int_equal(fx_domain(f, &n->s2, IOMM_DOMAIN_S2, 0, n->p2, NULL), IOMM_OK);
	assert_int_equal(fx_domain(f, &n->s1, IOMM_DOMAIN_NESTED, 0, n->p1, &n->s2), IOMM_OK);
	fx_pool_region(f, n->p1, &va, &pa, &size);
	assert_int_equal(iomm_map(&n->s2, pa, pa, size, RW), IOMM_OK);
}

/* Nested addresses: far from any heap address identity-mapped above. */
#define N_IOVA UINT64_C(0x10000000)
#define N_IPA  UINT64_C(0x300000000000)
#define N_PA   UINT64_C(0x7000000000)
#define N_PA2  UINT64_C(0x7100000000)

static inline void le64_store(void *p, uint64_t v)
{
	uint8_t *b = p;
	for (unsigned i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

/* Whether a clean_tables() call since the last reset lay inside [base, base + size). */
static inline bool cleaned_inside(const struct fx *f, const void *base, size_t size)
{
	uintptr_t lo = (uintptr_t)base, hi = lo + size;
	size_t n = f->px.clean_calls < FX_CLEAN_CAP ? (size_t)f->px.clean_calls : FX_CLEAN_CAP;
	for (size_t i = 0; i < n; i++) {
		uintptr_t s = (uintptr_t)f->clean_log[i].va;
		if (s >= lo && s + f->clean_log[i].len <= hi && f->clean_log[i].len)
			return true;
	}
	return false;
}

/* ---- the tests, by part ---- */
void test_probe_default(void **state);
void test_probe_optional_features(void **state);
void test_probe_stage2_only(void **state);
void test_probe_stage1_only(void **state);
void test_probe_granule_16k_only(void **state);
void test_probe_refuses_missing_options(void **state);
void test_port_32bit_no_relax(void **state);
void test_init_fail_closed(void **state);
void test_ste_bypass(void **state);
void test_ste_stage1_granules(void **state);
void test_ste_stage2_granules(void **state);
void test_ste_nested(void **state);
void test_phys_addresses_differ(void **state);
void test_ste_blocked_and_detach(void **state);
void test_fault_records_stage1(void **state);
void test_fault_records_stage2(void **state);
void test_inval_stage1(void **state);
void test_inval_stage2(void **state);
void test_inval_nested(void **state);
void test_cmds_map_sends_none(void **state);
void test_cmds_unmap_page(void **state);
void test_cmds_unmap_page_ril(void **state);
void test_cmds_batched_unmaps(void **state);
void test_cmds_batched_unmaps_noril(void **state);
void test_cmds_unmap_wide(void **state);
void test_cmds_threshold_option(void **state);
void test_cmds_unmap_range_ril(void **state);
void test_cmds_unmap_block_ril(void **state);
void test_cmds_unmap_mixed_levels_ril(void **state);
void test_cmds_detach(void **state);
void test_cmds_attach(void **state);
void test_stream_table_2lvl(void **state);
void test_stream_table_2lvl_no_memory(void **state);
void test_cmdq_stall_timeout(void **state);
void test_cmdq_error_recovery(void **state);
void test_cmdq_fetch_abort(void **state);
void test_cmdq_tiny_queue(void **state);
void test_evtq_overflow(void **state);
void test_evtq_write_abort(void **state);
void test_init_cr0ack_timeout(void **state);
void test_init_gbpa_timeout(void **state);
void test_init_bad_arguments(void **state);
void test_bad_input(void **state);
void test_noncoherent_smmu(void **state);
void test_noncoherent_port(void **state);
void test_disable(void **state);
void test_reinit(void **state);
void test_decode_event_reasons(void **state);
void test_decode_event_flags(void **state);
void test_attach_timeout_fails_closed(void **state);
void test_sid_bits_limit_covers_table(void **state);
void test_id_exhaustion(void **state);
void test_domain_destroy(void **state);
void test_el2_regime(void **state);
void test_el2_regime_nested(void **state);
/* test_smmuv3_silicon.c: what real parts need */
void test_evtq_barriers(void **state);
void test_doorbell_barriers(void **state);
void test_embedded_refused(void **state);
void test_irq_ctrl_cleared(void **state);
void test_irq_ctrl_wired(void **state);
void test_irq_ctrlack_timeout(void **state);
void test_gbpa_update_pending(void **state);
void test_gbpa_update_stuck(void **state);
void test_ste_s2ptw(void **state);
void test_stall_forced(void **state);
void test_erratum_mmu600_r0_nesting(void **state);
void test_erratum_mmu600_r1_nesting(void **state);
void test_erratum_mmu600_r2_nesting(void **state);
void test_erratum_mmu700(void **state);
void test_erratum_none_batches(void **state);
void test_oas52_default_domains(void **state);
void test_oas52_wide_granules(void **state);
void test_real_part(void **state);
void test_walk_attrs_coherent(void **state);
void test_walk_attrs_noncoherent_port(void **state);
void test_noncoherent_dram(void **state);
/* test_smmuv3_tlb.c: TLB matching as silicon may do it */
void test_tlb_ttl_after_block_split(void **state);
void test_probe_bbml(void **state);
void test_tlb_conflict_contig_strip(void **state);
void test_tlb_conflict_contig_set(void **state);
void test_tlb_conflict_library_strip(void **state);
void test_tlb_conflict_block_split(void **state);

#endif /* TEST_SMMUV3_H */
