/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hosted VT-d tests, part: caches keyed the way silicon may key them.
 *
 * An emulator's caches can hide defects a real unit shows: an IOTLB keyed
 * by source ID keeps two domains apart even when software gave them one
 * domain ID, and an emulator that caches no not-present entries forgives a
 * map that caching mode requires to be invalidated. The model keys its
 * IOTLB by domain ID (and PASID for first-stage entries), and with CAP.CM
 * caches not-present entries. Each test plants the defect on purpose and
 * checks the model shows it, then checks the library's own path does not.
 */

#include "test_vtd.h"

/*
 * IOTLB entries are tagged with the domain ID, not with the requester
 * (VT-d 6.2.1, "IOTLB": "Domain-id"-tagged; 6.5: software must give
 * distinct domains distinct IDs). Two contexts programmed with one DID
 * share cached translations: a device of one domain gets the other's page.
 */
void test_iotlb_tagged_by_did(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct iomm_domain a = {0}, b = {0}, c = {0};
	struct iomm_dev da, db, dc;
	assert_int_equal(fx_domain(f, &a, IOMM_DOMAIN_S2, 48), IOMM_OK);
	assert_int_equal(fx_domain(f, &b, IOMM_DOMAIN_S2, 48), IOMM_OK);
	assert_int_equal(fx_domain(f, &c, IOMM_DOMAIN_S2, 48), IOMM_OK);
	map_ok(&a, 0x1000, 0x11000, 0x1000, RW);
	map_ok(&b, 0x1000, 0x22000, 0x1000, RW);
	map_ok(&c, 0x1000, 0x33000, 0x1000, RW);

	/* the library's allocation: distinct IDs, each device sees its own page */
	assert_true(a.id != b.id && a.id != c.id && b.id != c.id);
	fx_attach(f, &da, &a, 0x0900);
	fx_attach(f, &db, &b, 0x0901);
	assert_int_equal(fx_xlate(f, 0x0900, 0x1008, false), 0x11008);
	assert_int_equal(fx_xlate(f, 0x0901, 0x1008, false), 0x22008);

	/* planted defect: domain c programmed with a's domain ID */
	uint32_t own = c.id;
	c.id = a.id;
	fx_attach(f, &dc, &c, 0x0902);
	assert_int_equal(fx_dma(f, 0x0902, 0x1008, false, NULL), 0);
	const struct vtd_model_ctx_entry *ce = model_ctx(f, 0x0902);
	assert_non_null(ce);
	assert_int_equal(ce->did, a.id);
	/* c's device is served a's cached translation, not its own table */
	assert_int_equal(fx_xlate(f, 0x0902, 0x1008, false), 0x11008);
	/* and what c's device walks lands in a's entries */
	map_ok(&c, 0x2000, 0x34000, 0x1000, RW);
	assert_int_equal(fx_xlate(f, 0x0902, 0x2000, false), 0x34000);
	assert_int_equal(fx_dma(f, 0x0900, 0x2000, false, NULL), 0); /* a never mapped it */

	assert_int_equal(iomm_detach(&dc), IOMM_OK);
	c.id = own;
	fx_check_hygiene(f);
}

/*
 * With CAP.CM the unit may cache not-present entries, and software must
 * invalidate after making an entry present (VT-d 6.1, "Caching Mode").
 * Scalable mode, first-stage table: a map written into the table without
 * the backend's invalidation keeps faulting; the library's map does not.
 */
void test_caching_mode_scalable_map_unsynced(void **state)
{
	struct fx *f = *state;
	f->mcfg.cm = true;
	f->cfg.flags = IOMM_VTD_CFG_SCALABLE;
	fx_start(f);
	struct iomm_domain d = {0};
	struct iomm_dev dev;
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S1, 48), IOMM_OK);
	fx_attach(f, &dev, &d, 0x0440);
	/* the device touches pages before they are mapped: not-present leaves are cached */
	assert_int_equal(fx_dma(f, 0x0440, 0x1000, false, NULL), VTD_M_FR_SM_FS_NP);
	assert_int_equal(fx_dma(f, 0x0440, 0x2000, false, NULL), VTD_M_FR_SM_FS_NP);

	/* planted defect: the map without its invalidation */
	assert_int_equal(iomm_pgt_map(&d.pgt, 0x2000, 0x42000, 0x1000, RW), IOMM_OK);
	assert_int_equal(fx_dma(f, 0x0440, 0x2000, false, NULL), VTD_M_FR_SM_FS_NP);

	/* the library's map: the page is reachable at once */
	fx_snap(f);
	map_ok(&d, 0x1000, 0x41000, 0x1000, RW);
	assert_int_equal(FX_D(f, piotlb_page), 1);
	const struct vtd_model_inv *inv = fx_inv(f, 0);
	assert_non_null(inv);
	assert_int_equal(inv->did, d.id);
	assert_int_equal(inv->addr, 0x1000);
	assert_int_equal(fx_xlate(f, 0x0440, 0x1008, true), 0x41008);
	/* the planted one still faults: nothing invalidated its page */
	assert_int_equal(fx_dma(f, 0x0440, 0x2000, false, NULL), VTD_M_FR_SM_FS_NP);
	fx_check_hygiene(f);
}
