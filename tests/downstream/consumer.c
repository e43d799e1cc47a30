/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A downstream program: uses iommuman the way an integrator would, through
 * the installed (or add_subdirectory'd) headers and library only. Built by
 * scripts/test.sh three ways: add_subdirectory, find_package, pkg-config.
 */
#include <stdint.h>
#include <stdio.h>

#include <iommuman/iommuman.h>

static _Alignas(4096) uint8_t mem[16 * 4096];

/*
 * The umbrella header declares every public function, the backends' and the
 * host role's included (sizeof does not evaluate: nothing is linked).
 */
static const size_t declared = sizeof(&iomm_smmuv3_init) + sizeof(&iomm_smmuv2_init) +
			       sizeof(&iomm_vtd_init) + sizeof(&iomm_paravirt_init) +
			       sizeof(&iomm_vm_init) + sizeof(&iomm_viommu_status_to_rc) +
			       sizeof(&iomm_gather_init);

int main(void)
{
	static const struct iomm_port port = {.flags = IOMM_PORT_DMA_COHERENT};
	const struct iomm_pgt_cfg cfg = {
		.format = IOMM_FMT_ARM_LPAE_S2,
		.granule = 4096,
		.ias = 40,
		.oas = 40,
	};
	struct iomm_pool pool;
	struct iomm_pgt pgt = {0};
	uint64_t pa = 0;

	if (iomm_pool_init(&pool, &port, mem, sizeof(mem), (uint64_t)(uintptr_t)mem, 4096) != IOMM_OK ||
	    iomm_pgt_init(&pgt, &cfg, &pool, &port) != IOMM_OK ||
	    iomm_pgt_map(&pgt, 0x40000000, 0x80000000, 0x200000, IOMM_READ | IOMM_WRITE) != IOMM_OK ||
	    iomm_pgt_iova_to_phys(&pgt, 0x40001234, &pa) != IOMM_OK || pa != 0x80001234 ||
	    iomm_pgt_iova_to_phys(&pgt, 0x50000000, &pa) != IOMM_ENOENT) {
		printf("consumer: iommuman %d.%d.%d does not behave as expected\n",
		       IOMM_VERSION_MAJOR, IOMM_VERSION_MINOR, IOMM_VERSION_PATCH);
		return 1;
	}
	iomm_pgt_destroy(&pgt);
	if (declared == 0)
		return 1;
	printf("consumer: iommuman %d.%d.%d works (%s)\n", IOMM_VERSION_MAJOR, IOMM_VERSION_MINOR,
	       IOMM_VERSION_PATCH, iomm_strerror(IOMM_OK));
	return 0;
}
