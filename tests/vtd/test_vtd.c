/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The VT-d backend against the register-level VT-d model (tools/models):
 * what the hardware sees (registers, tables, invalidations it executes) and
 * what devices get (translations, faults).
 */

#include "test_vtd.h"

/* ==== runner ===================================================================== */

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(int argc, char **argv)
{
	if (argc > 1) /* run one test (or a wildcard pattern) only */
		cmocka_set_test_filter(argv[1]);
	const struct CMUnitTest tests[] = {
	    T(test_probe_default),
	    T(test_scalable_walk_without_smpwc),
	    T(test_scalable_walk_with_smpwc),
	    T(test_legacy_walk_without_c),
	    T(test_barriers_before_publish),
	    T(test_fault_record_ordering),
	    T(test_qie_off_waits_for_empty_queue),
	    T(test_oas_from_host_address_width),
	    T(test_real_part),
	    T(test_iotlb_tagged_by_did),
	    T(test_caching_mode_scalable_map_unsynced),
	    T(test_probe_configurations),
	    T(test_init_rejects),
	    T(test_legacy_table_levels),
	    T(test_address_width_unit_lacks),
	    T(test_default_domain_on_57bit_unit),
	    T(test_superpages),
	    T(test_blocked_attach_detach),
	    T(test_bypass_only_when_asked),
	    T(test_wildcard_device),
	    T(test_bus_range),
	    T(test_domain_ids),
	    T(test_unmap_queued_fewest_descriptors),
	    T(test_unmap_batched),
	    T(test_unmap_register_interface),
	    T(test_unmap_without_psi),
	    T(test_flush_all_and_destroy),
	    T(test_caching_mode_map_sync),
	    T(test_write_buffer_flush),
	    T(test_scalable_second_stage),
	    T(test_scalable_first_stage),
	    T(test_scalable_s1_on_second_stage),
	    T(test_scalable_caching_mode),
	    T(test_fault_poll_decodes),
	    T(test_fault_overflow),
	    T(test_fault_scalable_codes),
	    T(test_decode_fault_records),
	    T(test_gcmd_timeouts),
	    T(test_queue_wait_timeout),
	    T(test_register_timeouts),
	    T(test_queue_error_is_eio),
	    T(test_disable_enable),
	    T(test_noncoherent_walks_cleaned),
	    T(test_init_takes_over_from_firmware),
	    T(test_init_takes_over_other_mode),
	    T(test_init_resources),
	    T(test_attach_out_of_pool_memory),
	    T(test_caching_mode_attach_variants),
	    T(test_fault_overflow_without_records),
	    T(test_decode_reason_table),
	    T(test_queue_wraps_and_fills),
	};
	return cmocka_run_group_tests_name("vtd", tests, NULL, NULL);
}
