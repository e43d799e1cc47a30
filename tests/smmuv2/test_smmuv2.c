/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hosted tests of the SMMUv2 backend against an independent register-level
 * SMMUv2 model (tools/models/smmuv2_model.h, written from Arm IHI 0062).
 *
 * The model caches translations in a TLB tagged with VMID and ASID and drops
 * them only on the architected invalidations, with exactly their scope, and
 * only once the matching sync has run. So every "the device can no longer
 * use X" check below checks the invalidation and the sync the backend sent.
 * Device traffic is smmuv2_model_dma(): 0 and an output address, or a fault
 * code (a context fault is minus its CB_FSR bit, a global fault minus
 * 0x100 plus its sGFSR bit, SMMUV2_MODEL_ABORT for an S2CR that faults).
 *
 * Time is the POSIX port's fake clock: timeouts run in a few hundred polls.
 */

#include "test_smmuv2.h"

/* ==== runner ================================================================ */

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(int argc, char **argv)
{
	if (argc > 1) /* run one test (or a wildcard pattern) only */
		cmocka_set_test_filter(argv[1]);
	const struct CMUnitTest tests[] = {
	    /* 1. probe */
	    T(test_probe_generic),
	    T(test_walk_without_cttw),
	    T(test_barrier_before_tlbi),
	    T(test_barrier_before_bank_enable),
	    T(test_fault_record_ordering),
	    T(test_stage1_memory_type),
	    T(test_smr_mask_width),
	    T(test_tlb_conflict_contig),
	    T(test_block_split_bbm),
	    T(test_real_part),
	    T(test_probe_indexing),
	    T(test_probe_4k_only),
	    T(test_probe_stage2_only),
	    T(test_probe_refuses),
	    T(test_probe_sizes_and_limits),
	    T(test_probe_odd_layouts),
	    /* MMU-500 */
	    T(test_mmu500_settings),
	    T(test_mmu500_cache_locked),
	    T(test_mmu500_r1_and_forced),
	    /* 2. stream mapping */
	    T(test_smr_mask_group),
	    T(test_smr_conflicts),
	    T(test_smr_exhaustion),
	    T(test_model_multiple_match),
	    T(test_bypass_blocked_detach),
	    /* 3. context banks */
	    T(test_bank_stage1),
	    T(test_bank_stage1_granules),
	    T(test_bank_stage2),
	    T(test_bank_nested),
	    T(test_bank_nested_walk_fault),
	    T(test_bank_exhaustion),
	    T(test_model_architecture),
	    /* 4. invalidation */
	    T(test_inval_stage1_page),
	    T(test_inval_stage1_range_and_threshold),
	    T(test_inval_stage1_tables),
	    T(test_inval_stage2),
	    T(test_inval_nested),
	    T(test_model_catches_missing_inval),
	    /* 5. sync timeouts */
	    T(test_sync_timeout),
	    /* 6. faults */
	    T(test_fault_unidentified_stream),
	    T(test_decode_fault),
	    /* register discipline */
	    T(test_register_order),
	    T(test_mmio_32bit_port),
	    /* 7. bad input */
	    T(test_bad_input),
	};
	return cmocka_run_group_tests_name("smmuv2", tests, NULL, NULL);
}
