/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SMMUv3 scenarios on QEMU's SMMUv3 (-M virt,iommu=smmuv3) with the edu
 * device doing real DMA. Everything goes through the library's public API;
 * the scenario only drives edu and reads RAM.
 *
 * IOMM_QEMU_SMMU_CASE selects the story:
 *   1  abort by default, explicit bypass, detach, STE reconfiguration
 *   2  stage 1 (granule IOMM_QEMU_GRANULE): translate, faults, invalidations
 *   3  stage 2: the same through a VMID
 *   4  nested stage 1 inside stage 2
 *
 * QEMU caches STEs and translations until they are invalidated, so every
 * "DMA once, change through the library, DMA again" step proves that the
 * library sent the right invalidation with the right ASID/VMID/SID.
 */
#include <iommuman/smmuv3.h>

#include "edu.h"
#include "harness.h"

#ifndef IOMM_QEMU_SMMU_CASE
#error "IOMM_QEMU_SMMU_CASE comes from tests/qemu/CMakeLists.txt"
#endif
#ifndef IOMM_QEMU_GRANULE
#define IOMM_QEMU_GRANULE 4096
#endif

#define KIB  1024ull
#define MIB  (1024ull * KIB)
#define XFER 16u /* blocked DMA raises one event per 4 bytes: keep them short */

static uint8_t bufs[4][64 * 1024] __attribute__((aligned(64 * 1024)));
static uint8_t strtab[256 * 64] __attribute__((aligned(256 * 64)));
static uint8_t cmdq[4096] __attribute__((aligned(4096)));
static uint8_t evtq[64 * 1024] __attribute__((aligned(64 * 1024)));

static struct iomm_smmuv3 smmu;
static struct edu edu;
static struct iomm_dev dev;

#define MAX_FAULTS HARNESS_MAX_FAULTS
#define faults harness_faults
static unsigned nfaults;

static unsigned poll_faults(void)
{
	nfaults = harness_poll_faults(&smmu.unit, 2);
	return nfaults;
}

/* Did a fault with this reason arrive for edu at @addr? */
static bool saw_fault(enum iomm_fault_reason reason, uint64_t addr, bool write)
{
	for (unsigned i = 0; i < nfaults && i < MAX_FAULTS; i++) {
		const struct iomm_fault *f = &faults[i];
		if (f->sid == edu_rid(&edu) && f->reason == reason && f->addr == addr &&
		    !!(f->flags & IOMM_FAULT_WRITE) == write)
			return true;
	}
	return false;
}

/* The device buffer holds XFER bytes of 0x5a, loaded while the SMMU bypassed. */
static void load_device_pattern(void)
{
	static uint8_t pattern[64] __attribute__((aligned(64)));
	fill(pattern, 0x5a, sizeof(pattern));
	REQUIRE(edu_dma_to_device(&edu, pa_of(pattern), 0, XFER) == EDU_OK);
}

/* Device writes XFER bytes of 0x5a at @iova. Returns whether @target received them. */
#define dma_write_lands(iova, target) harness_edu_write_lands(&edu, (iova), (target), XFER)

static void smmu_up(void)
{
	const struct pci_loc want = {IOMM_QEMU_EDU_BUS, IOMM_QEMU_EDU_DEV, IOMM_QEMU_EDU_FN};
	REQUIRE(edu_init(&edu, want) == EDU_OK);
	load_device_pattern(); /* SMMU still off: GBPA lets this through */

	struct iomm_smmuv3_mem mem = {
	    .strtab = strtab,
	    .strtab_pa = pa_of(strtab),
	    .strtab_size = sizeof(strtab),
	    .cmdq = cmdq,
	    .cmdq_pa = pa_of(cmdq),
	    .cmdq_size = sizeof(cmdq),
	    .evtq = evtq,
	    .evtq_pa = pa_of(evtq),
	    .evtq_size = sizeof(evtq),
	};
	harness_step("SMMUv3 probe, reset and enable through iomm_smmuv3_init");
	REQUIRE(iomm_smmuv3_init(&smmu, &qemu_port, QEMU_BOARD_SMMU_BASE, &mem, NULL, NULL) ==
		IOMM_OK);
	harness_note_hex("IDR0", smmu.idr[0]);
	harness_note_hex("IDR5", smmu.idr[5]);
	harness_note_dec("stream ID bits covered:", smmu.unit.sid_bits);
	CHECK(smmu.features & IOMM_SMMUV3_F_S1);
	REQUIRE(iomm_dev_init(&dev, &smmu.unit, &IOMM_SID(edu_rid(&edu))) == IOMM_OK);
	harness_note_hex("edu stream ID", edu_rid(&edu));
}

#define new_pool(granule, size) harness_pool(&qemu_port, (granule), (size))

/* ---- case 1: abort, bypass, detach, reconfigure ---- */
static void case_abort_bypass(void)
{
	uint8_t *target = bufs[0];
	harness_step("abort by default: a write from the device is blocked, no event");
	CHECK(!dma_write_lands(pa_of(target), target));
	CHECK_EQ(poll_faults(), 0);

	harness_step("explicit bypass domain: the device reaches physical memory");
	static struct iomm_domain byp, s1;
	struct iomm_domain_cfg bc = {.type = IOMM_DOMAIN_BYPASS};
	REQUIRE(iomm_domain_init(&byp, &smmu.unit, &bc) == IOMM_OK);
	CHECK_OK(iomm_attach(&byp, &dev));
	CHECK(dma_write_lands(pa_of(target), target));
	CHECK_RC(iomm_attach(&byp, &dev), IOMM_EBUSY); /* one owner at a time */

	harness_step("detach: the cached bypass STE is invalidated, DMA blocked again");
	CHECK_OK(iomm_detach(&dev));
	CHECK(!dma_write_lands(pa_of(target), target));

	harness_step("reconfigure a live stream: bypass -> stage 1 (CFGI_STE proves itself)");
	CHECK_OK(iomm_attach(&byp, &dev));
	CHECK(dma_write_lands(pa_of(target), target)); /* STE cached as bypass */
	struct iomm_domain_cfg sc = {.type = IOMM_DOMAIN_S1, .pool = new_pool(4096, 64 * KIB)};
	REQUIRE(iomm_domain_init(&s1, &smmu.unit, &sc) == IOMM_OK);
	CHECK_OK(iomm_map(&s1, 0x20000000, pa_of(bufs[1]), 4096, IOMM_READ | IOMM_WRITE));
	CHECK_OK(iomm_detach(&dev));
	CHECK_OK(iomm_attach(&s1, &dev));
	/* The IOVA equal to target's PA is not mapped in s1: bypass must be gone. */
	CHECK(!dma_write_lands(pa_of(target), target));
	CHECK(dma_write_lands(0x20000000, bufs[1]));
	poll_faults();
	CHECK(saw_fault(IOMM_FAULT_TRANSLATION, pa_of(target), true));
	CHECK_RC(iomm_domain_destroy(&s1), IOMM_EBUSY);
	CHECK_OK(iomm_detach(&dev));
	CHECK_OK(iomm_domain_destroy(&s1));
	CHECK_OK(iomm_domain_destroy(&byp));
	CHECK(!dma_write_lands(0x20000000, bufs[1]));
}

/* ---- cases 2 and 3: one translating domain, faults and invalidations ---- */
static void translate_story(struct iomm_domain *d, const char *what)
{
	const uint64_t iova = 0x30000000, ro = 0x30010000 + 0x30000, hole = 0x30100000;
	const uint64_t g = d->pgt.cfg.granule;
	harness_step(what);
	CHECK_OK(iomm_map(d, iova, pa_of(bufs[0]), g, IOMM_READ | IOMM_WRITE));
	CHECK_OK(iomm_map(d, ro, pa_of(bufs[1]), g, IOMM_READ));
	CHECK_OK(iomm_attach(d, &dev));
	CHECK(dma_write_lands(iova, bufs[0]));
	CHECK_EQ(poll_faults(), 0);

	harness_step("unmapped IOVA: blocked, F_TRANSLATION with edu's stream ID and address");
	CHECK(!dma_write_lands(hole, bufs[2]));
	poll_faults();
	CHECK(saw_fault(IOMM_FAULT_TRANSLATION, hole, true));

	harness_step("write to a read-only page: blocked, F_PERMISSION");
	CHECK(!dma_write_lands(ro, bufs[1]));
	poll_faults();
	CHECK(saw_fault(IOMM_FAULT_PERMISSION, ro, true));

	harness_step("unmap after a cached DMA: the old access is gone");
	CHECK(dma_write_lands(iova, bufs[0])); /* cached now */
	CHECK_OK(iomm_unmap(d, iova, g, NULL));
	CHECK(!dma_write_lands(iova, bufs[0]));
	poll_faults();
	CHECK(saw_fault(IOMM_FAULT_TRANSLATION, iova, true));

	harness_step("reduce a permission after a cached DMA: the write is refused");
	CHECK_OK(iomm_map(d, iova, pa_of(bufs[0]), g, IOMM_READ | IOMM_WRITE));
	CHECK(dma_write_lands(iova, bufs[0]));
	CHECK_OK(iomm_unmap(d, iova, g, NULL));
	CHECK_OK(iomm_map(d, iova, pa_of(bufs[0]), g, IOMM_READ));
	CHECK(!dma_write_lands(iova, bufs[0]));
	poll_faults();
	CHECK(saw_fault(IOMM_FAULT_PERMISSION, iova, true));

	harness_step("remap to another page after a cached DMA: data lands in the new page");
	CHECK_OK(iomm_unmap(d, iova, g, NULL));
	CHECK_OK(iomm_map(d, iova, pa_of(bufs[0]), g, IOMM_READ | IOMM_WRITE));
	CHECK(dma_write_lands(iova, bufs[0]));
	CHECK_OK(iomm_unmap(d, iova, g, NULL));
	CHECK_OK(iomm_map(d, iova, pa_of(bufs[3]), g, IOMM_READ | IOMM_WRITE));
	fill(bufs[0], 0x11, XFER);
	CHECK(dma_write_lands(iova, bufs[3]));
	CHECK(all(bufs[0], 0x11, XFER)); /* the old page saw nothing */

	harness_step("detach: blocked again");
	CHECK_OK(iomm_detach(&dev));
	CHECK(!dma_write_lands(iova, bufs[3]));
	CHECK_OK(iomm_unmap(d, 0, 1ull << 32, NULL));
	CHECK_OK(iomm_domain_destroy(d));
}

static void case_stage1(void)
{
	static struct iomm_domain d;
	struct iomm_domain_cfg c = {.type = IOMM_DOMAIN_S1,
				    .granule = IOMM_QEMU_GRANULE,
				    .pool = new_pool(IOMM_QEMU_GRANULE, 16 * IOMM_QEMU_GRANULE)};
	REQUIRE(iomm_domain_init(&d, &smmu.unit, &c) == IOMM_OK);
	harness_note_dec("granule:", IOMM_QEMU_GRANULE);
	harness_note_dec("ASID:", d.id);
	translate_story(&d, "stage 1: map, DMA through the IOVA");
}

static void case_stage2(void)
{
	static struct iomm_domain d;
	CHECK(smmu.features & IOMM_SMMUV3_F_S2);
	struct iomm_domain_cfg c = {.type = IOMM_DOMAIN_S2,
				    .granule = IOMM_QEMU_GRANULE,
				    .ias = 40,
				    .pool = new_pool(IOMM_QEMU_GRANULE, 16 * IOMM_QEMU_GRANULE)};
	REQUIRE(iomm_domain_init(&d, &smmu.unit, &c) == IOMM_OK);
	harness_note_dec("VMID:", d.id);
	translate_story(&d, "stage 2: map an IPA window, DMA through it");
}

/* ---- case 4: nested ---- */
static void case_nested(void)
{
	static struct iomm_domain s2, s1;
	CHECK(smmu.unit.caps & IOMM_CAP_NESTED);
	struct iomm_domain_cfg c2 = {
	    .type = IOMM_DOMAIN_S2, .ias = 40, .pool = new_pool(4096, 64 * KIB)};
	REQUIRE(iomm_domain_init(&s2, &smmu.unit, &c2) == IOMM_OK);
	/* The guest's RAM is identity at stage 2, so stage-1 tables and the CD
	 * (which the SMMU fetches through stage 2) are reachable. */
	CHECK_OK(iomm_map(&s2, QEMU_BOARD_RAM_BASE, QEMU_BOARD_RAM_BASE, 256 * MIB,
			  IOMM_READ | IOMM_WRITE));
	struct iomm_domain_cfg c1 = {
	    .type = IOMM_DOMAIN_NESTED, .parent = &s2, .pool = new_pool(4096, 64 * KIB)};
	REQUIRE(iomm_domain_init(&s1, &smmu.unit, &c1) == IOMM_OK);
	harness_note_dec("stage-2 VMID:", s2.id);
	harness_note_dec("stage-1 ASID:", s1.id);

	const uint64_t iova = 0x50000000;
	harness_step("nested: IOVA -> IPA (stage 1) -> PA (stage 2)");
	CHECK_OK(iomm_map(&s1, iova, pa_of(bufs[0]), 4096, IOMM_READ | IOMM_WRITE));
	CHECK_OK(iomm_attach(&s1, &dev));
	CHECK(dma_write_lands(iova, bufs[0]));

	harness_step("nested: a stage-1 unmap invalidates the combined entry");
	CHECK_OK(iomm_unmap(&s1, iova, 4096, NULL));
	CHECK(!dma_write_lands(iova, bufs[0]));
	poll_faults();
	CHECK(saw_fault(IOMM_FAULT_TRANSLATION, iova, true));

	harness_step("nested: a stage-2 unmap under a live stage-1 mapping blocks it too");
	CHECK_OK(iomm_map(&s1, iova, pa_of(bufs[1]), 4096, IOMM_READ | IOMM_WRITE));
	CHECK(dma_write_lands(iova, bufs[1]));
	CHECK_OK(iomm_unmap(&s2, pa_of(bufs[1]), 4096, NULL));
	CHECK(!dma_write_lands(iova, bufs[1]));
	poll_faults();
	CHECK(nfaults > 0);
	bool s2_fault = false;
	for (unsigned i = 0; i < nfaults && i < MAX_FAULTS; i++)
		s2_fault |= faults[i].sid == edu_rid(&edu) && (faults[i].flags & IOMM_FAULT_STAGE2);
	CHECK(s2_fault);

	CHECK_OK(iomm_detach(&dev));
	CHECK(!dma_write_lands(iova, bufs[1]));
	CHECK_RC(iomm_domain_destroy(&s2), IOMM_EBUSY); /* a nested child still uses it */
	CHECK_OK(iomm_domain_destroy(&s1));
	CHECK_OK(iomm_domain_destroy(&s2));
}

void scenario_main(void)
{
	smmu_up();
	switch (IOMM_QEMU_SMMU_CASE) {
	case 1:
		case_abort_bypass();
		break;
	case 2:
		case_stage1();
		break;
	case 3:
		case_stage2();
		break;
	default:
		case_nested();
		break;
	}
	harness_step("disable: global bypass back to abort");
	CHECK_OK(iomm_smmuv3_disable(&smmu));
	CHECK(!dma_write_lands(pa_of(bufs[2]), bufs[2]));
	harness_note_dec("commands issued:", smmu.stats.cmds);
	harness_note_dec("CMD_SYNCs:", smmu.stats.syncs);
	harness_note_dec("command errors:", smmu.stats.cmd_errors);
	CHECK_EQ(smmu.stats.cmd_errors, 0);
}
