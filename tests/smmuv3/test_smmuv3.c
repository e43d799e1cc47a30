/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hosted tests of the SMMUv3 backend against an independent register-level
 * SMMUv3 model (tools/models/smmuv3_model.h, written from Arm IHI 0070).
 *
 * The model caches stream table entries, context descriptors and
 * translations, and drops them only on the architected invalidation
 * commands, with exactly their scope. So every "the device can no longer
 * use X" check below is a check that the backend sent the right
 * invalidations, not only that it edited memory. Device traffic is
 * smmuv3_model_dma(): 0 and an output address, SMMUV3_MODEL_ABORT
 * (terminated without an event), or -(event number).
 *
 * Time is the POSIX port's fake clock: every timeout path runs in a few
 * hundred polls, and nothing here depends on wall-clock time.
 */

#include "test_smmuv3.h"

/* ==== runner ================================================================ */

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(int argc, char **argv)
{
	if (argc > 1) /* run one test (or a wildcard pattern) only */
		cmocka_set_test_filter(argv[1]);
	const struct CMUnitTest tests[] = {
	    /* 1. probe */
	    T(test_probe_default),
	    T(test_probe_optional_features),
	    T(test_probe_stage2_only),
	    T(test_probe_stage1_only),
	    T(test_probe_granule_16k_only),
	    T(test_probe_refuses_missing_options),
	    /* 2. fail closed */
	    T(test_init_fail_closed),
	    T(test_port_32bit_no_relax),
	    /* 3. stream table entries and faults */
	    T(test_ste_bypass),
	    T(test_ste_stage1_granules),
	    T(test_ste_stage2_granules),
	    T(test_ste_nested),
	    T(test_phys_addresses_differ),
	    T(test_ste_blocked_and_detach),
	    T(test_fault_records_stage1),
	    T(test_fault_records_stage2),
	    /* 4. invalidation */
	    T(test_inval_stage1),
	    T(test_inval_stage2),
	    T(test_inval_nested),
	    /* 5. commands per operation */
	    T(test_cmds_map_sends_none),
	    T(test_cmds_unmap_page),
	    T(test_cmds_unmap_page_ril),
	    T(test_cmds_batched_unmaps),
	    T(test_cmds_batched_unmaps_noril),
	    T(test_cmds_unmap_wide),
	    T(test_cmds_threshold_option),
	    T(test_cmds_unmap_range_ril),
	    T(test_cmds_unmap_block_ril),
	    T(test_cmds_unmap_mixed_levels_ril),
	    T(test_cmds_detach),
	    T(test_cmds_attach),
	    T(test_stream_table_2lvl),
	    T(test_stream_table_2lvl_no_memory),
	    /* 6, 7. command queue */
	    T(test_cmdq_stall_timeout),
	    T(test_cmdq_error_recovery),
	    T(test_cmdq_fetch_abort),
	    T(test_cmdq_tiny_queue),
	    /* 8. event queue */
	    T(test_evtq_overflow),
	    T(test_evtq_write_abort),
	    /* 9. init failures */
	    T(test_init_cr0ack_timeout),
	    T(test_init_gbpa_timeout),
	    T(test_init_bad_arguments),
	    /* 10. bad input */
	    T(test_bad_input),
	    /* 11. non-coherent */
	    T(test_noncoherent_smmu),
	    T(test_noncoherent_port),
	    /* 12. disable, re-init */
	    T(test_disable),
	    T(test_reinit),
	    /* 13. event decoding */
	    T(test_decode_event_reasons),
	    T(test_decode_event_flags),
	    /* failure atomicity, identifiers, teardown, EL2 */
	    T(test_attach_timeout_fails_closed),
	    T(test_sid_bits_limit_covers_table),
	    T(test_id_exhaustion),
	    T(test_domain_destroy),
	    T(test_el2_regime),
	    T(test_el2_regime_nested),
	    /* 14. real parts: ordering, embedded, stall, IRQs, errata, 52-bit OAS */
	    T(test_evtq_barriers),
	    T(test_doorbell_barriers),
	    T(test_embedded_refused),
	    T(test_irq_ctrl_cleared),
	    T(test_irq_ctrl_wired),
	    T(test_irq_ctrlack_timeout),
	    T(test_gbpa_update_pending),
	    T(test_gbpa_update_stuck),
	    T(test_ste_s2ptw),
	    T(test_stall_forced),
	    T(test_erratum_mmu600_r0_nesting),
	    T(test_erratum_mmu600_r1_nesting),
	    T(test_erratum_mmu600_r2_nesting),
	    T(test_erratum_mmu700),
	    T(test_erratum_none_batches),
	    T(test_oas52_default_domains),
	    T(test_oas52_wide_granules),
	    T(test_real_part),
	    T(test_walk_attrs_coherent),
	    T(test_walk_attrs_noncoherent_port),
	    T(test_noncoherent_dram),
	    /* 15. TLB matching as silicon may do it: level hints, conflicts */
	    T(test_tlb_ttl_after_block_split),
	    T(test_probe_bbml),
	    T(test_tlb_conflict_contig_strip),
	    T(test_tlb_conflict_contig_set),
	    T(test_tlb_conflict_library_strip),
	    T(test_tlb_conflict_block_split),
	};
	return cmocka_run_group_tests_name("smmuv3", tests, NULL, NULL);
}
