/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What real SMMUs need beyond what an emulator forgives: table walks that do
 * not snoop, barriers between table writes and the register writes that
 * publish them, reads of fault records ordered after their status, and the
 * memory type a stage-1 bank gives to DMA.
 */
#include "test_smmuv2.h"

#define RD SMMUV2_MODEL_ACC_R

/* ID0.CTTW = 0: every table write must be cleaned for the walker to see it. */
void test_walk_without_cttw(void **state)
{
	struct fx *f = *state;
	f->mcfg.cttw = false;
	fx_start(f);
	assert_false(f->smmu.unit.caps & IOMM_CAP_COHERENT);
	enum iomm_domain_type types[] = {IOMM_DOMAIN_S1, IOMM_DOMAIN_S2};
	struct pdom doms[2];
	struct iomm_dev devs[2];
	for (unsigned t = 0; t < 2; t++) {
		struct pdom *d = &doms[t];
		uint32_t sid = 1u + t;
		pdom_up(f, d, types[t], 0, NULL);
		fx_attach(f, &devs[t], &d->dom, sid, 0);
		assert_int_equal(iomm_map(&d->dom, 0x100000, 0x3000000, SZ4K, RW), IOMM_OK);
		assert_int_equal(fx_xlate(f, sid, 0x100010, RD), 0x3000010);
		uint64_t n = 0;
		assert_int_equal(iomm_unmap(&d->dom, 0x100000, SZ4K, &n), IOMM_OK);
		assert_int_equal(fx_dma(f, sid, 0x100010, RD, NULL), SMMUV2_MODEL_F_TF);
	}
	fx_check_hygiene(f);
}
