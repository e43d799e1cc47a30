/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared part of the test_vtd.c group: includes, helpers and the test functions
 * of every part (the runner, test_vtd.c, registers them). */
#ifndef TEST_VTD_H
#define TEST_VTD_H

#include "vtd_fx.h"
#include <stdlib.h>
#include <string.h>

#define RW (IOMM_READ | IOMM_WRITE)
#define MiB(n) ((uint64_t)(n) << 20)
#define GiB(n) ((uint64_t)(n) << 30)

static inline void map_ok(struct iomm_domain *d, uint64_t iova, uint64_t pa, uint64_t size, uint32_t prot)
{
	assert_int_equal(iomm_map(d, iova, pa, size, prot), IOMM_OK);
}

static inline void unmap_ok(struct iomm_domain *d, uint64_t iova, uint64_t size)
{
	uint64_t n = 0;
	assert_int_equal(iomm_unmap(d, iova, size, &n), IOMM_OK);
	assert_int_equal(n, size);
}

/* Re-run the fixture from scratch (for tests that try several units). */
static inline struct fx *fresh(void **state)
{
	fx_teardown(state);
	assert_int_equal(fx_setup(state), 0);
	return *state;
}

static inline const struct vtd_model_ctx_entry *model_ctx(const struct fx *f, uint16_t sid)
{
	for (size_t i = 0; i < f->model.nctx; i++)
		if (f->model.ctx[i].sid == sid)
			return &f->model.ctx[i];
	return NULL;
}

static inline const struct vtd_model_pasid_entry *model_pasid(const struct fx *f, uint16_t sid)
{
	for (size_t i = 0; i < f->model.npasid; i++)
		if (f->model.pasid[i].sid == sid && f->model.pasid[i].pasid == 0)
			return &f->model.pasid[i];
	return NULL;
}

/* Size of the IOTLB entry the model holds for @iova, 0 if none. */
static inline unsigned tlb_size_log2(const struct fx *f, uint64_t iova)
{
	for (size_t i = 0; i < f->model.ntlb; i++) {
		const struct vtd_model_iotlb_entry *t = &f->model.tlb[i];
		if (!t->negative && (iova >> t->size_log2) == (t->ia >> t->size_log2))
			return t->size_log2;
	}
	return 0;
}

static inline uint32_t gsts(struct fx *f)
{
	return (uint32_t)vtd_model_read(&f->model, VTD_M_GSTS, 4);
}

/* ---- the tests, by part ---- */
void test_probe_default(void **state);
void test_probe_configurations(void **state);
void test_init_rejects(void **state);
void test_legacy_table_levels(void **state);
void test_address_width_unit_lacks(void **state);
void test_default_domain_on_57bit_unit(void **state);
void test_superpages(void **state);
void test_blocked_attach_detach(void **state);
void test_bypass_only_when_asked(void **state);
void test_wildcard_device(void **state);
void test_bus_range(void **state);
void test_domain_ids(void **state);
void test_unmap_queued_fewest_descriptors(void **state);
void test_unmap_batched(void **state);
void test_unmap_register_interface(void **state);
void test_unmap_without_psi(void **state);
void test_flush_all_and_destroy(void **state);
void test_caching_mode_map_sync(void **state);
void test_write_buffer_flush(void **state);
void test_scalable_second_stage(void **state);
void test_scalable_first_stage(void **state);
void test_scalable_s1_on_second_stage(void **state);
void test_scalable_caching_mode(void **state);
void test_fault_poll_decodes(void **state);
void test_fault_overflow(void **state);
void test_fault_scalable_codes(void **state);
void test_decode_fault_records(void **state);
void test_gcmd_timeouts(void **state);
void test_queue_wait_timeout(void **state);
void test_register_timeouts(void **state);
void test_queue_error_is_eio(void **state);
void test_disable_enable(void **state);
void test_noncoherent_walks_cleaned(void **state);
void test_init_takes_over_from_firmware(void **state);
void test_init_takes_over_other_mode(void **state);
void test_init_resources(void **state);
void test_attach_out_of_pool_memory(void **state);
void test_caching_mode_attach_variants(void **state);
void test_fault_overflow_without_records(void **state);
void test_decode_reason_table(void **state);
void test_queue_wraps_and_fills(void **state);

/* test_vtd_silicon.c */
void test_scalable_walk_without_smpwc(void **state);
void test_scalable_walk_with_smpwc(void **state);
void test_legacy_walk_without_c(void **state);
void test_barriers_before_publish(void **state);
void test_fault_record_ordering(void **state);
void test_qie_off_waits_for_empty_queue(void **state);
void test_oas_from_host_address_width(void **state);
void test_real_part(void **state);
/* test_vtd_caches.c: caches keyed as silicon may key them */
void test_iotlb_tagged_by_did(void **state);
void test_caching_mode_scalable_map_unsynced(void **state);

#endif /* TEST_VTD_H */
