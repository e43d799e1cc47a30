/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scenario "boot" (qemu-aarch64-boot, qemu-x86-boot,
 * qemu-riscv64-boot-no-iommu): the machine has no IOMMU. Proves that the bare-metal port, the library built for the target
 * and the PCI/edu plumbing work, so that IOMMU scenarios can rely on them:
 *
 *  1. a stage-1 and a stage-2 LPAE table built with the library in static
 *     table memory: translations, block leaves, refused lookups and maps,
 *     unmap, register values, all pages returned;
 *  2. an edu DMA round trip RAM -> device -> RAM, data compared, with the
 *     port's clock timing it.
 */
#include "edu.h"
#include "harness.h"

#ifndef IOMM_QEMU_EDU_DEV
#error "IOMM_QEMU_EDU_BUS/DEV/FN come from tests/qemu/CMakeLists.txt"
#endif

#define KIB 1024ull
#define MIB (1024ull * KIB)

static uint8_t dma_src[4096] __attribute__((aligned(4096)));
static uint8_t dma_dst[4096] __attribute__((aligned(4096)));


static void stage1_table(struct iomm_pool *pool, uint64_t mem_pa, uint64_t mem_size)
{
	struct iomm_pgt_cfg cfg = {
	    .format = IOMM_FMT_ARM_LPAE_S1,
	    .granule = 4096,
	    .ias = 48,
	    .oas = 44,
	};
	struct iomm_pgt pgt = {0};
	struct iomm_mapping m;
	struct iomm_lpae_regs regs;
	struct iomm_gather gather;
	uint64_t pa = 0, unmapped = 0, cleans = qemu_port_stats.cleans;
	const uint64_t src_pa = qemu_virt_to_phys(dma_src), dst_pa = qemu_virt_to_phys(dma_dst);

	harness_step("stage-1 table: 4 KiB granule, 48-bit input, 44-bit output");
	REQUIRE(iomm_pgt_init(&pgt, &cfg, pool, &qemu_port) == IOMM_OK);
	CHECK(iomm_pgt_root_pa(&pgt) >= mem_pa && iomm_pgt_root_pa(&pgt) < mem_pa + mem_size);

	CHECK_OK(iomm_pgt_map(&pgt, 0x10000000, src_pa, 4096, IOMM_READ));
	CHECK_OK(iomm_pgt_map(&pgt, 0x10001000, dst_pa, 4096, IOMM_READ | IOMM_WRITE));
	CHECK_OK(iomm_pgt_map(&pgt, 0x80000000, 0x40200000, 2 * MIB, IOMM_READ | IOMM_WRITE));

	CHECK_OK(iomm_pgt_iova_to_phys(&pgt, 0x10000123, &pa));
	CHECK_EQ(pa, src_pa + 0x123);
	CHECK_OK(iomm_pgt_iova_to_phys(&pgt, 0x10001ff8, &pa));
	CHECK_EQ(pa, dst_pa + 0xff8);
	CHECK_OK(iomm_pgt_iova_to_phys(&pgt, 0x80123456, &pa));
	CHECK_EQ(pa, 0x40323456);

	CHECK_OK(iomm_pgt_lookup(&pgt, 0x801fffff, &m));
	CHECK_EQ(m.iova, 0x80000000);
	CHECK_EQ(m.pa, 0x40200000);
	CHECK_EQ(m.size, 2 * MIB); /* one block leaf */
	CHECK_EQ(m.level, 2);
	CHECK_OK(iomm_pgt_lookup(&pgt, 0x10000000, &m));
	CHECK((m.prot & IOMM_READ) && !(m.prot & IOMM_WRITE));

	/* Refused lookups: holes, beyond the 48-bit input range. */
	CHECK_RC(iomm_pgt_iova_to_phys(&pgt, 0x10002000, &pa), IOMM_ENOENT);
	CHECK_RC(iomm_pgt_iova_to_phys(&pgt, 0x7ffff000, &pa), IOMM_ENOENT);
	CHECK_RC(iomm_pgt_iova_to_phys(&pgt, 1ull << 48, &pa), IOMM_ENOENT);
	CHECK_RC(iomm_pgt_lookup(&pgt, 0x80200000, &m), IOMM_ENOENT);

	/* Refused maps change nothing. */
	CHECK_RC(iomm_pgt_map(&pgt, 0x10001000, 0x50000000, 0x2000, IOMM_READ), IOMM_EEXIST);
	CHECK_RC(iomm_pgt_iova_to_phys(&pgt, 0x10002000, &pa), IOMM_ENOENT);
	CHECK_RC(iomm_pgt_map(&pgt, 0x10003001, 0x50000000, 4096, IOMM_READ), IOMM_EINVAL);
	CHECK_RC(iomm_pgt_map(&pgt, 1ull << 48, 0x50000000, 4096, IOMM_READ), IOMM_ERANGE);
	CHECK_RC(iomm_pgt_map(&pgt, 0x20000000, 1ull << 44, 4096, IOMM_READ), IOMM_ERANGE);

	/* Unmap one page: gone, its neighbour stays. */
	iomm_gather_init(&gather);
	CHECK_OK(iomm_pgt_unmap(&pgt, 0x10001000, 4096, &gather, &unmapped));
	CHECK_EQ(unmapped, 4096);
	CHECK(iomm_gather_pending(&gather));
	iomm_pgt_gather_release(&gather);
	CHECK_RC(iomm_pgt_iova_to_phys(&pgt, 0x10001000, &pa), IOMM_ENOENT);
	CHECK_OK(iomm_pgt_iova_to_phys(&pgt, 0x10000000, &pa));
	CHECK_EQ(pa, src_pa);

	CHECK_OK(iomm_pgt_lpae_regs(&pgt, &regs));
	CHECK_EQ(regs.ttbr, iomm_pgt_root_pa(&pgt));
	CHECK_EQ(regs.tsz, 16);
	CHECK_EQ(regs.tg, 0);
	CHECK_EQ(regs.ps, 4); /* 44 bits */
	harness_note_hex("TTBR", regs.ttbr);
	harness_note_hex("MAIR", regs.mair);

	if (!(qemu_port.flags & IOMM_PORT_DMA_COHERENT)) {
		/* Non-coherent walks: the library must have cleaned what it wrote. */
		CHECK(qemu_port_stats.cleans > cleans);
		harness_note_dec("clean_tables calls:", qemu_port_stats.cleans - cleans);
	}

	iomm_pgt_destroy(&pgt);
	CHECK_EQ(iomm_pool_used(pool), 0);
}

static void stage2_table(struct iomm_pool *pool)
{
	struct iomm_pgt_cfg cfg = {
	    .format = IOMM_FMT_ARM_LPAE_S2,
	    .granule = 4096,
	    .ias = 40,
	    .oas = 44,
	};
	struct iomm_pgt pgt = {0};
	struct iomm_mapping m;
	struct iomm_lpae_regs regs;
	uint64_t pa = 0;

	harness_step("stage-2 table: 4 KiB granule, 40-bit IPA, 44-bit output");
	REQUIRE(iomm_pgt_init(&pgt, &cfg, pool, &qemu_port) == IOMM_OK);

	/* A guest's RAM, identity, in blocks; one read-only device page. */
	CHECK_OK(iomm_pgt_map(&pgt, 0x40000000, 0x40000000, 16 * MIB, IOMM_READ | IOMM_WRITE));
	CHECK_OK(iomm_pgt_map(&pgt, 0x09000000, 0x09000000, 4096, IOMM_READ | IOMM_MEM_DEVICE));

	CHECK_OK(iomm_pgt_iova_to_phys(&pgt, 0x40abcdef, &pa));
	CHECK_EQ(pa, 0x40abcdef);
	CHECK_OK(iomm_pgt_lookup(&pgt, 0x40abcdef, &m));
	CHECK_EQ(m.size, 2 * MIB);
	CHECK_OK(iomm_pgt_lookup(&pgt, 0x09000010, &m));
	CHECK_EQ(m.pa, 0x09000000);
	CHECK_EQ(m.size, 4096);
	CHECK((m.prot & IOMM_READ) && !(m.prot & IOMM_WRITE));
	CHECK_EQ(m.prot & IOMM_MEM_MASK, IOMM_MEM_DEVICE);

	CHECK_RC(iomm_pgt_iova_to_phys(&pgt, 0x41000000, &pa), IOMM_ENOENT);
	CHECK_RC(iomm_pgt_iova_to_phys(&pgt, 1ull << 40, &pa), IOMM_ENOENT);
	CHECK_RC(iomm_pgt_map(&pgt, 1ull << 40, 0x40000000, 4096, IOMM_READ), IOMM_ERANGE);

	CHECK_OK(iomm_pgt_lpae_regs(&pgt, &regs));
	CHECK_EQ(regs.ttbr, iomm_pgt_root_pa(&pgt));
	CHECK_EQ(regs.tsz, 24);
	CHECK_EQ(regs.ps, 4);
	CHECK(regs.concat >= 1 && regs.concat <= 16);
	harness_note_hex("VTTBR", regs.ttbr);
	harness_note_dec("start level", regs.start_level);
	harness_note_dec("concatenated root tables", regs.concat);

	iomm_pgt_destroy(&pgt);
	CHECK_EQ(iomm_pool_used(pool), 0);
}

static unsigned mismatches(const uint8_t *a, const uint8_t *b, uint32_t len)
{
	unsigned n = 0;

	for (uint32_t i = 0; i < len; i++)
		n += a[i] != b[i];
	return n;
}

static void edu_round_trip(void)
{
	const struct pci_loc want = {IOMM_QEMU_EDU_BUS, IOMM_QEMU_EDU_DEV, IOMM_QEMU_EDU_FN};
	const uint64_t src = qemu_virt_to_phys(dma_src), dst = qemu_virt_to_phys(dma_dst);
	struct edu e;
	int rc;

	harness_step("edu DMA round trip without IOMMU: RAM -> device -> RAM");
	rc = edu_init(&e, want);
	if (rc != EDU_OK)
		harness_fatal(edu_strerror(rc), __FILE__, __LINE__);
	CHECK_EQ(edu_rid(&e), (unsigned)(IOMM_QEMU_EDU_BUS << 8 | IOMM_QEMU_EDU_DEV << 3 | IOMM_QEMU_EDU_FN));

	for (unsigned i = 0; i < sizeof(dma_src); i++)
		dma_src[i] = (uint8_t)(i * 7u + 3u + (i >> 8));
	for (unsigned i = 0; i < sizeof(dma_dst); i++)
		dma_dst[i] = 0;

	CHECK_EQ(edu_dma_to_device(&e, src, 0, 1024), EDU_OK);
	harness_note_dec("RAM -> device, 1024 bytes, us:", e.last_ns / 1000u);
	/* edu completes a transfer after ~100 ms of virtual time: a sane clock sees it. */
	CHECK(e.last_ns >= 20000000u && e.last_ns < 2000000000u);
	CHECK_EQ(edu_dma_from_device(&e, dst, 0, 1024), EDU_OK);
	harness_note_dec("device -> RAM, 1024 bytes, us:", e.last_ns / 1000u);
	CHECK_EQ(mismatches(dma_src, dma_dst, 1024), 0);
	CHECK_EQ(dma_dst[1024], 0); /* nothing beyond the transfer */

	/* Other offsets on both sides. */
	CHECK_EQ(edu_dma_to_device(&e, src + 0x400, 0xc00, 0x200), EDU_OK);
	CHECK_EQ(edu_dma_from_device(&e, dst + 0x800, 0xc00, 0x200), EDU_OK);
	CHECK_EQ(mismatches(dma_src + 0x400, dma_dst + 0x800, 0x200), 0);
	CHECK_EQ(dma_dst[0x7ff], 0);
	CHECK_EQ(dma_dst[0xa00], 0);

	/* The driver refuses what would overrun the device buffer. */
	CHECK_EQ(edu_dma_to_device(&e, src, 0, 4096), EDU_EINVAL);
	CHECK_EQ(edu_dma_to_device(&e, src, 0xf00, 0x100), EDU_EINVAL);
	CHECK_EQ(edu_dma_from_device(&e, dst, 0, 0), EDU_EINVAL);
}

void scenario_main(void)
{
	const size_t mem_size = 256 * KIB;
	uint64_t mem_pa = 0;
	void *mem;
	struct iomm_pool pool;

	harness_step("table pool in static memory");
	mem = qemu_table_mem(mem_size, 64 * KIB, &mem_pa);
	REQUIRE(mem != NULL);
	CHECK_EQ(mem_pa, (uintptr_t)mem); /* PA == VA on these ports */
	REQUIRE(iomm_pool_init(&pool, &qemu_port, mem, mem_size, mem_pa, 4096) == IOMM_OK);
	harness_note_dec("pool pages:", iomm_pool_capacity(&pool));
	CHECK(iomm_pool_capacity(&pool) >= 60);

	stage1_table(&pool, mem_pa, mem_size);
	stage2_table(&pool);
	edu_round_trip();
}
