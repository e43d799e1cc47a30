/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VT-d scenarios on QEMU's intel-iommu (-M q35) with the edu device doing
 * real DMA. Everything goes through the library's public API; the scenario
 * only drives edu and reads RAM.
 *
 * IOMM_QEMU_VTD_CASE selects the configuration:
 *   1  legacy mode, register-based invalidation (CCMD / IOTLB registers)
 *   2  legacy mode, queued invalidation
 *   3  scalable mode, second-stage tables (x-scalable-mode=on)
 *   4  scalable mode, first-stage x86-64 tables (x-flts=on)
 *   5  legacy mode with caching mode (caching-mode=on), queued invalidation
 *
 * QEMU caches context entries and translations until they are invalidated,
 * so every "DMA once, change through the library, DMA again" step proves
 * that the library sent the right invalidation with the right domain ID.
 * QEMU's unit is not coherent (ECAP.C = 0): the board port's clean_tables
 * (clflush) cleans every table write.
 */
#include <iommuman/vtd.h>

#include "edu.h"
#include "firmware.h"
#include "harness.h"

#ifndef IOMM_QEMU_VTD_CASE
#error "IOMM_QEMU_VTD_CASE comes from tests/qemu/CMakeLists.txt"
#endif

#define KIB  1024ull
#define XFER 16u

static uint8_t bufs[4][4096] __attribute__((aligned(4096)));
static uint8_t root[4096] __attribute__((aligned(4096)));
static uint8_t iq[8192] __attribute__((aligned(4096)));

static struct iomm_vtd vtd;
static struct edu edu;
static struct iomm_dev dev;
static struct iomm_port port;

#define MAX_FAULTS HARNESS_MAX_FAULTS
#define faults harness_faults
static unsigned nfaults;

static unsigned poll_faults(void)
{
	nfaults = harness_poll_faults(&vtd.unit, 2);
	return nfaults;
}

/* Did a fault arrive for edu at @addr (a write), with one of the two reasons? */
static bool saw_fault2(enum iomm_fault_reason r1, enum iomm_fault_reason r2, uint64_t addr)
{
	for (unsigned i = 0; i < nfaults && i < MAX_FAULTS; i++) {
		const struct iomm_fault *f = &faults[i];
		if (f->sid == edu_rid(&edu) && (f->reason == r1 || f->reason == r2) &&
		    f->addr == addr && (f->flags & IOMM_FAULT_WRITE))
			return true;
	}
	return false;
}

static bool saw_fault(enum iomm_fault_reason r, uint64_t addr)
{
	return saw_fault2(r, r, addr);
}

static void load_device_pattern(void)
{
	static uint8_t pattern[64] __attribute__((aligned(64)));
	fill(pattern, 0x5a, sizeof(pattern));
	REQUIRE(edu_dma_to_device(&edu, pa_of(pattern), 0, XFER) == EDU_OK);
}

/* Device writes XFER bytes of 0x5a at @iova. Returns whether @target received them. */
#define dma_write_lands(iova, target) harness_edu_write_lands(&edu, (iova), (target), XFER)

#define new_pool(size) harness_pool(&port, 4096, (size))

static void vtd_up(uint32_t flags, bool with_queue)
{
	port = qemu_port;
	const struct pci_loc want = {IOMM_QEMU_EDU_BUS, IOMM_QEMU_EDU_DEV, IOMM_QEMU_EDU_FN};
	REQUIRE(edu_init(&edu, want) == EDU_OK);
	load_device_pattern(); /* translation still off: this DMA passes */

	struct iomm_vtd_mem mem = {.root = root, .root_pa = pa_of(root)};
	if (with_queue) {
		mem.iq = iq;
		mem.iq_pa = pa_of(iq);
		/* Case 2 uses the smallest queue (256 descriptors) so that it wraps. */
		mem.iq_size = IOMM_QEMU_VTD_CASE == 2 ? 4096u : sizeof(iq);
	}
	struct iomm_vtd_cfg cfg = {.flags = flags, .bus_first = 0, .bus_last = 1};
	harness_step("the VT-d unit serving edu, from the DMAR the firmware published");
	uint64_t base = 0;
	REQUIRE(qemu_fw_vtd_for(IOMM_QEMU_EDU_BUS, IOMM_QEMU_EDU_DEV, IOMM_QEMU_EDU_FN, &base) == IOMM_OK);
	harness_note_hex("VT-d unit at", base);
	CHECK_EQ(base, QEMU_BOARD_VTD_BASE); /* what the board header documents */
	harness_step("VT-d probe, root table, invalidation and enable through iomm_vtd_init");
	REQUIRE(iomm_vtd_init(&vtd, &port, (uintptr_t)base, &mem, new_pool(64 * KIB), &cfg) ==
		IOMM_OK);
	harness_note_hex("CAP", vtd.cap);
	harness_note_hex("ECAP", vtd.ecap);
	harness_note_hex("features", vtd.features);
	harness_note_dec("MGAW:", vtd.mgaw);
	harness_note_dec("domain-ID bits:", vtd.did_bits);
	harness_note_dec("queued invalidation:", vtd.qi);
	harness_note_dec("scalable mode:", vtd.scalable);
	CHECK_EQ(vtd.qi, with_queue && !(flags & IOMM_VTD_CFG_REGINV));
	/* ECAP.C is clear on QEMU: the port's clflush cleaned the root table */
	CHECK(qemu_port_stats.clean_bytes > 0);
	REQUIRE(iomm_dev_init(&dev, &vtd.unit, &IOMM_PCI(IOMM_QEMU_EDU_BUS, IOMM_QEMU_EDU_DEV,
							  IOMM_QEMU_EDU_FN)) == IOMM_OK);
	harness_note_hex("edu source ID", edu_rid(&edu));
}

/* Blocked by default, bad input refused, explicit pass-through. */
static void blocked_and_bypass(void)
{
	uint8_t *target = bufs[0];
	harness_step("blocked by default: a write from the device is refused and reported");
	CHECK(!dma_write_lands(pa_of(target), target));
	poll_faults();
	CHECK(saw_fault(IOMM_FAULT_BAD_STREAM, pa_of(target)));

	harness_step("bad input: a source ID on a bus outside the unit, a missing width");
	static struct iomm_dev far;
	static struct iomm_domain byp;
	struct iomm_domain_cfg bc = {.type = IOMM_DOMAIN_BYPASS};
	REQUIRE(iomm_domain_init(&byp, &vtd.unit, &bc) == IOMM_OK);
	REQUIRE(iomm_dev_init(&far, &vtd.unit, &IOMM_PCI(2, 0, 0)) == IOMM_OK);
	CHECK_RC(iomm_attach(&byp, &far), IOMM_ERANGE); /* the unit covers buses 0-1 */
	static struct iomm_domain wide;
	struct iomm_domain_cfg wc = {.type = IOMM_DOMAIN_S1, .ias = 57, .pool = new_pool(16 * KIB)};
	CHECK_RC(iomm_domain_init(&wide, &vtd.unit, &wc), IOMM_ENOTSUP);

	harness_step("explicit pass-through domain: the device reaches physical memory");
	CHECK_OK(iomm_attach(&byp, &dev));
	CHECK(dma_write_lands(pa_of(target), target));
	harness_step("detach: the cached pass-through context is invalidated, DMA blocked");
	CHECK_OK(iomm_detach(&dev));
	CHECK(!dma_write_lands(pa_of(target), target));
	poll_faults();
	CHECK(saw_fault(IOMM_FAULT_BAD_STREAM, pa_of(target)));
	CHECK_OK(iomm_domain_destroy(&byp));
}

/* One translating domain: window, faults, and the invalidations that prove themselves. */
static void translate_story(struct iomm_domain *d, bool first_stage)
{
	const uint64_t iova = 0x30000000, ro = 0x30040000, hole = 0x30100000;
	const uint64_t g = 4096;
	/* Second stage reports a not-present page as "no permission" (reason 5). */
	enum iomm_fault_reason np = first_stage ? IOMM_FAULT_TRANSLATION : IOMM_FAULT_PERMISSION;

	harness_step("map a window and attach: DMA through the IOVA lands");
	CHECK_OK(iomm_map(d, iova, pa_of(bufs[0]), g, IOMM_READ | IOMM_WRITE));
	CHECK_OK(iomm_map(d, ro, pa_of(bufs[1]), g, IOMM_READ));
	CHECK_OK(iomm_attach(d, &dev));
	CHECK(dma_write_lands(iova, bufs[0]));
	CHECK_EQ(poll_faults(), 0);

	harness_step("outside the window: refused, fault with edu's source ID and address");
	CHECK(!dma_write_lands(hole, bufs[2]));
	poll_faults();
	CHECK(saw_fault2(np, IOMM_FAULT_TRANSLATION, hole));

	harness_step("write to a read-only page: refused, data unchanged, permission fault");
	fill(bufs[1], 0x77, XFER);
	CHECK(!dma_write_lands(ro, bufs[1]));
	poll_faults();
	CHECK(saw_fault(IOMM_FAULT_PERMISSION, ro));

	struct iomm_vtd_stats before = vtd.stats;
	harness_step("unmap after a cached DMA: the old access is gone");
	CHECK(dma_write_lands(iova, bufs[0])); /* cached now */
	CHECK_OK(iomm_unmap(d, iova, g, NULL));
	CHECK(!dma_write_lands(iova, bufs[0]));
	poll_faults();
	CHECK(saw_fault2(np, IOMM_FAULT_TRANSLATION, iova));
	/* Exactly one page-selective invalidation, and one wait when queued. */
	uint64_t psi = first_stage ? vtd.stats.piotlb_page - before.piotlb_page
				   : vtd.stats.iotlb_page - before.iotlb_page;
	CHECK_EQ(psi, 1);
	CHECK_EQ(vtd.stats.qi_waits - before.qi_waits, vtd.qi ? 1u : 0u);
	CHECK_EQ(vtd.stats.reg_iotlb - before.reg_iotlb, vtd.qi ? 0u : 1u);

	harness_step("reduce a permission after a cached DMA: the write is refused");
	CHECK_OK(iomm_map(d, iova, pa_of(bufs[0]), g, IOMM_READ | IOMM_WRITE));
	CHECK(dma_write_lands(iova, bufs[0]));
	CHECK_OK(iomm_unmap(d, iova, g, NULL));
	CHECK_OK(iomm_map(d, iova, pa_of(bufs[0]), g, IOMM_READ));
	CHECK(!dma_write_lands(iova, bufs[0]));
	poll_faults();
	CHECK(saw_fault(IOMM_FAULT_PERMISSION, iova));

	harness_step("remap to another page after a cached DMA: data lands in the new page");
	CHECK_OK(iomm_unmap(d, iova, g, NULL));
	CHECK_OK(iomm_map(d, iova, pa_of(bufs[0]), g, IOMM_READ | IOMM_WRITE));
	CHECK(dma_write_lands(iova, bufs[0]));
	CHECK_OK(iomm_unmap(d, iova, g, NULL));
	CHECK_OK(iomm_map(d, iova, pa_of(bufs[3]), g, IOMM_READ | IOMM_WRITE));
	fill(bufs[0], 0x11, XFER);
	CHECK(dma_write_lands(iova, bufs[3]));
	CHECK(all(bufs[0], 0x11, XFER)); /* the old page saw nothing */

	if (IOMM_QEMU_VTD_CASE == 2) {
		harness_step("200 unmap/map cycles: the invalidation queue wraps, DMA stays right");
		for (unsigned i = 0; i < 200; i++) {
			CHECK_OK(iomm_unmap(d, iova, g, NULL));
			CHECK_OK(iomm_map(d, iova, pa_of(bufs[i & 1u ? 3 : 0]), g,
					  IOMM_READ | IOMM_WRITE));
			if (i % 50u == 49u)
				CHECK(dma_write_lands(iova, bufs[i & 1u ? 3 : 0]));
		}
		CHECK(vtd.stats.qi_descs > 256u);
	}

	harness_step("a 2 MiB range unmapped at once: one invalidation, the access is gone");
	before = vtd.stats;
	CHECK_OK(iomm_unmap(d, 0x30000000, 2u << 20, NULL));
	CHECK(!dma_write_lands(iova, bufs[3]));
	poll_faults();
	CHECK_EQ((vtd.stats.iotlb_page - before.iotlb_page) +
		     (vtd.stats.piotlb_page - before.piotlb_page) +
		     (vtd.stats.iotlb_domain - before.iotlb_domain) +
		     (vtd.stats.piotlb_pasid - before.piotlb_pasid),
		 1);

	harness_step("detach: blocked again");
	CHECK_OK(iomm_map(d, iova, pa_of(bufs[3]), g, IOMM_READ | IOMM_WRITE));
	CHECK(dma_write_lands(iova, bufs[3]));
	CHECK_OK(iomm_detach(&dev));
	CHECK(!dma_write_lands(iova, bufs[3]));
	poll_faults();
	CHECK(saw_fault(IOMM_FAULT_BAD_STREAM, iova) || nfaults > 0);
	CHECK_OK(iomm_unmap(d, 0, 1ull << 32, NULL));
	CHECK_OK(iomm_domain_destroy(d));
}

static void translating_domain(enum iomm_domain_type type, bool first_stage)
{
	static struct iomm_domain d;
	struct iomm_domain_cfg c = {.type = type, .pool = new_pool(64 * KIB)};
	REQUIRE(iomm_domain_init(&d, &vtd.unit, &c) == IOMM_OK);
	harness_note_dec("domain ID:", d.id);
	harness_note_dec("table levels:", iomm_pgt_levels(&d.pgt));
	CHECK_EQ(d.pgt.cfg.format, first_stage ? IOMM_FMT_X86_FL : IOMM_FMT_VTD_SL);
	translate_story(&d, first_stage);
}

void scenario_main(void)
{
	switch (IOMM_QEMU_VTD_CASE) {
	case 1:
		vtd_up(IOMM_VTD_CFG_REGINV, true); /* queue given, registers forced */
		blocked_and_bypass();
		translating_domain(IOMM_DOMAIN_S2, false);
		CHECK(vtd.stats.reg_ccmd > 0 && vtd.stats.reg_iotlb > 0);
		CHECK_EQ(vtd.stats.qi_descs, 0);
		break;
	case 2:
		vtd_up(0, true);
		blocked_and_bypass();
		translating_domain(IOMM_DOMAIN_S1, false);
		CHECK_EQ(vtd.stats.reg_ccmd + vtd.stats.reg_iotlb, 0);
		CHECK(vtd.stats.qi_waits > 0);
		CHECK_EQ(vtd.stats.map_syncs, 0); /* no caching mode: maps need no invalidation */
		break;
	case 3:
		vtd_up(IOMM_VTD_CFG_SCALABLE, true);
		CHECK(vtd.features & IOMM_VTD_F_SMTS);
		blocked_and_bypass();
		translating_domain(IOMM_DOMAIN_S2, false);
		CHECK(vtd.stats.pc > 0);
		break;
	case 4:
		vtd_up(IOMM_VTD_CFG_SCALABLE, true);
		CHECK(vtd.features & IOMM_VTD_F_FLTS);
		CHECK(!(vtd.unit.caps & IOMM_CAP_S2)); /* QEMU offers one stage at a time */
		blocked_and_bypass();
		translating_domain(IOMM_DOMAIN_S1, true);
		break;
	case 5:
		vtd_up(0, true);
		CHECK(vtd.features & IOMM_VTD_F_CM);
		translating_domain(IOMM_DOMAIN_S1, false);
		CHECK(vtd.stats.map_syncs > 0); /* caching mode: every map was invalidated */
		break;
	default:
		harness_fatal("unknown IOMM_QEMU_VTD_CASE", __FILE__, __LINE__);
	}
	harness_step("disable");
	CHECK_OK(iomm_vtd_disable(&vtd));
}
