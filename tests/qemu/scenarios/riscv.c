/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RISC-V IOMMU scenarios on QEMU's riscv-iommu-pci (1b36:0014) with the edu
 * device doing real DMA, driven through the library's RISC-V backend and
 * the public API only; the scenario drives edu and reads RAM.
 *
 * IOMM_QEMU_RV_CASE selects the story:
 *   1  fail closed after init (cause 258), explicit bypass, detach, a live
 *      device context reconfigured, disable (ddtp Off, cause 256)
 *   2  first stage (IOMM_QEMU_RV_IAS 38: Sv39, 47: Sv48): translate,
 *      faults, invalidations, one IOFENCE.C per unmap and per gather
 *   3  G-stage (IOMM_QEMU_RV_IAS 41: Sv39x4, 50: Sv48x4): the same through
 *      a GSCID
 *   4  nested: first stage inside a G-stage parent
 *   5  an MSI page table (flat) on a G-stage domain: MSIs to the VM's
 *      virtual interrupt files go where the table says, unmapped files
 *      fault with cause 262, a moved file is seen by the next MSI; a
 *      nested child whose first stage maps onto a file reaches it too
 *
 * QEMU 10.0 caches device contexts (case 1 clears V in memory alone: the
 * device still bypasses) and translations (an unmapped page still
 * translates until the gather's IOTINVAL + IOFENCE.C), so every "DMA once,
 * change through the library, DMA again" step proves that the library sent
 * the right IODIR / IOTINVAL with the right device ID, PSCID and GSCID, and
 * that its IOFENCE.C completed.
 */
#include <iommuman/riscv.h>

#include "edu.h"
#include "harness.h"
#include "pci.h"

#ifndef IOMM_QEMU_RV_CASE
#error "IOMM_QEMU_RV_CASE comes from tests/qemu/CMakeLists.txt"
#endif
#ifndef IOMM_QEMU_RV_IAS
#define IOMM_QEMU_RV_IAS 0
#endif

#define KIB  1024ull
#define MIB  (1024ull * KIB)
#define XFER 16u /* QEMU writes one fault record per 4 bytes of a blocked transfer */

#define RIOMMU_PCI_VENDOR 0x1b36u
#define RIOMMU_PCI_DEVICE 0x0014u

static uint8_t bufs[4][4096] __attribute__((aligned(4096)));
static uint8_t ddt[4096] __attribute__((aligned(4096)));
static uint8_t cq[4096] __attribute__((aligned(4096)));
static uint8_t fq[64 * 1024] __attribute__((aligned(64 * 1024)));

static struct iomm_riscv rv;
static struct edu edu;
static struct iomm_dev dev;

#define MAX_FAULTS HARNESS_MAX_FAULTS
#define faults	   harness_faults
static unsigned nfaults;

static unsigned poll_faults(void)
{
	nfaults = harness_poll_faults(&rv.unit, 2);
	return nfaults;
}

/* Any address: QEMU 10.0 reports iotval 0 for device-context faults (cause 258), where the
 * specification (3.2) asks for the IOVA whenever TTYP names a transaction. */
#define ANY_ADDR UINT64_MAX

/* Did a fault with @reason (and @cause, if not 0) arrive from edu at @addr? */
static bool saw_fault(enum iomm_fault_reason reason, uint32_t cause, uint64_t addr)
{
	for (unsigned i = 0; i < nfaults && i < MAX_FAULTS; i++) {
		const struct iomm_fault *f = &faults[i];
		if (f->sid == edu_rid(&edu) && f->reason == reason && (!cause || f->raw == cause) &&
		    (addr == ANY_ADDR || f->addr == addr))
			return true;
	}
	return false;
}

/* Device writes XFER bytes of 0x5a at @iova. Returns whether @target received them. */
#define dma_write_lands(iova, target) harness_edu_write_lands(&edu, (iova), (target), XFER)

#define new_pool(size) harness_pool(&qemu_port, 4096, (size))

static void rv_up(void)
{
	const struct pci_loc want = {IOMM_QEMU_EDU_BUS, IOMM_QEMU_EDU_DEV, IOMM_QEMU_EDU_FN};
	struct pci_loc iommu;
	uint64_t bar = 0, size = 0;
	REQUIRE(pci_find(RIOMMU_PCI_VENDOR, RIOMMU_PCI_DEVICE, &iommu));
	REQUIRE(pci_bar_setup(iommu, 0, &bar, &size));
	pci_enable(iommu, true, true);
	REQUIRE(edu_init(&edu, want) == EDU_OK);

	struct iomm_riscv_mem mem = {
	    .ddt = ddt,
	    .ddt_pa = pa_of(ddt),
	    .cq = cq,
	    .cq_pa = pa_of(cq),
	    .cq_size = sizeof(cq),
	    .fq = fq,
	    .fq_pa = pa_of(fq),
	    .fq_size = sizeof(fq),
	};
	harness_step("RISC-V IOMMU probe, reset and enable through iomm_riscv_init");
	REQUIRE(iomm_riscv_init(&rv, &qemu_port, (uintptr_t)bar, &mem, NULL, NULL) == IOMM_OK);
	harness_note_hex("capabilities", rv.caps);
	harness_note_dec("device-directory levels:", rv.ddt_levels);
	harness_note_dec("device ID bits covered:", rv.unit.sid_bits);
	REQUIRE(iomm_dev_init(&dev, &rv.unit, &IOMM_SID(edu_rid(&edu))) == IOMM_OK);
	harness_note_hex("edu device ID", edu_rid(&edu));

	/* The device buffer gets its pattern through an explicit bypass (ddtp was Off). */
	static struct iomm_domain byp;
	static uint8_t pattern[64] __attribute__((aligned(64)));
	struct iomm_domain_cfg bc = {.type = IOMM_DOMAIN_BYPASS};
	REQUIRE(iomm_domain_init(&byp, &rv.unit, &bc) == IOMM_OK);
	REQUIRE(iomm_attach(&byp, &dev) == IOMM_OK);
	fill(pattern, 0x5a, sizeof(pattern));
	REQUIRE(edu_dma_to_device(&edu, pa_of(pattern), 0, XFER) == EDU_OK);
	REQUIRE(iomm_detach(&dev) == IOMM_OK);
	REQUIRE(iomm_domain_destroy(&byp) == IOMM_OK);
	CHECK_EQ(poll_faults(), 0);
}

/* ---- case 1: fail closed, bypass, detach, reconfigure ---- */
static void case_closed_bypass(void)
{
	uint8_t *target = bufs[0];
	harness_step("fail closed: a device without a context is refused, cause 258");
	CHECK(!dma_write_lands(pa_of(target), target));
	poll_faults();
	CHECK(saw_fault(IOMM_FAULT_BAD_STREAM, 258, ANY_ADDR));

	harness_step("explicit bypass domain: the device reaches physical memory");
	static struct iomm_domain byp, s1;
	struct iomm_domain_cfg bc = {.type = IOMM_DOMAIN_BYPASS};
	REQUIRE(iomm_domain_init(&byp, &rv.unit, &bc) == IOMM_OK);
	CHECK_OK(iomm_attach(&byp, &dev));
	CHECK(dma_write_lands(pa_of(target), target));
	CHECK_RC(iomm_attach(&byp, &dev), IOMM_EBUSY); /* one owner at a time */

	harness_step("QEMU caches device contexts: V cleared in memory alone changes nothing");
	/* edu's context in the one-level directory (64-byte contexts: MSI_FLAT) */
	volatile uint64_t *dc = (volatile uint64_t *)(void *)ddt + (size_t)edu_rid(&edu) * 8u;
	uint64_t tc = dc[0];
	CHECK_EQ(tc & 1u, 1u);
	dc[0] = 0;
	qemu_mb();
	CHECK(dma_write_lands(pa_of(target), target)); /* the cached context still says bypass */
	dc[0] = tc;
	qemu_mb();

	harness_step("detach: the cached bypass context is invalidated (IODIR), DMA refused");
	uint64_t iodir = rv.stats.iodir, fences = rv.stats.fences;
	CHECK_OK(iomm_detach(&dev));
	CHECK_EQ(rv.stats.iodir - iodir, 1);
	CHECK_EQ(rv.stats.fences - fences, 1);
	CHECK(!dma_write_lands(pa_of(target), target));
	poll_faults();
	CHECK(saw_fault(IOMM_FAULT_BAD_STREAM, 258, ANY_ADDR));

	harness_step("reconfigure a live context: bypass -> first stage");
	CHECK_OK(iomm_attach(&byp, &dev));
	CHECK(dma_write_lands(pa_of(target), target)); /* the context is cached as bypass */
	struct iomm_domain_cfg sc = {.type = IOMM_DOMAIN_S1, .pool = new_pool(64 * KIB)};
	REQUIRE(iomm_domain_init(&s1, &rv.unit, &sc) == IOMM_OK);
	CHECK_OK(iomm_map(&s1, 0x20000000, pa_of(bufs[1]), 4096, IOMM_READ | IOMM_WRITE));
	CHECK_OK(iomm_detach(&dev));
	CHECK_OK(iomm_attach(&s1, &dev));
	/* The IOVA equal to target's PA is not mapped in s1: bypass must be gone. */
	CHECK(!dma_write_lands(pa_of(target), target));
	CHECK(dma_write_lands(0x20000000, bufs[1]));
	poll_faults();
	CHECK(saw_fault(IOMM_FAULT_TRANSLATION, 0, pa_of(target)));
	CHECK_RC(iomm_domain_destroy(&s1), IOMM_EBUSY);
	CHECK_OK(iomm_detach(&dev));
	CHECK_OK(iomm_domain_destroy(&s1));
	CHECK_OK(iomm_domain_destroy(&byp));
	CHECK(!dma_write_lands(0x20000000, bufs[1]));
	poll_faults();
}

/* ---- cases 2 and 3: one translating domain, faults and invalidations ---- */
static void translate_story(struct iomm_domain *d, const char *what, uint32_t page_cause)
{
	const uint64_t iova = 0x30000000, ro = 0x30040000, hole = 0x30100000;
	harness_step(what);
	CHECK_OK(iomm_map(d, iova, pa_of(bufs[0]), 4096, IOMM_READ | IOMM_WRITE));
	CHECK_OK(iomm_map(d, ro, pa_of(bufs[1]), 4096, IOMM_READ));
	CHECK_OK(iomm_attach(d, &dev));
	CHECK(dma_write_lands(iova, bufs[0]));
	CHECK_EQ(poll_faults(), 0);

	harness_step("unmapped IOVA: blocked, a page fault with edu's device ID and address");
	CHECK(!dma_write_lands(hole, bufs[2]));
	poll_faults();
	CHECK(saw_fault(IOMM_FAULT_TRANSLATION, page_cause, hole));
	harness_note_dec("fault cause:", nfaults ? faults[0].raw : 0);

	harness_step("write to a read-only page: blocked, a page fault");
	CHECK(!dma_write_lands(ro, bufs[1]));
	poll_faults();
	CHECK(saw_fault(IOMM_FAULT_TRANSLATION, page_cause, ro));

	harness_step("unmap after a cached DMA: the old access is gone, one IOFENCE.C");
	CHECK(dma_write_lands(iova, bufs[0])); /* cached now */
	uint64_t fences = rv.stats.fences, inv = rv.stats.iotinval;
	CHECK_OK(iomm_unmap(d, iova, 4096, NULL));
	CHECK_EQ(rv.stats.fences - fences, 1);
	CHECK_EQ(rv.stats.iotinval - inv, 1);
	CHECK(!dma_write_lands(iova, bufs[0]));
	poll_faults();
	CHECK(saw_fault(IOMM_FAULT_TRANSLATION, page_cause, iova));

	harness_step("reduce a permission after a cached DMA: the write is refused");
	CHECK_OK(iomm_map(d, iova, pa_of(bufs[0]), 4096, IOMM_READ | IOMM_WRITE));
	CHECK(dma_write_lands(iova, bufs[0]));
	CHECK_OK(iomm_unmap(d, iova, 4096, NULL));
	CHECK_OK(iomm_map(d, iova, pa_of(bufs[0]), 4096, IOMM_READ));
	CHECK(!dma_write_lands(iova, bufs[0]));
	poll_faults();
	CHECK(saw_fault(IOMM_FAULT_TRANSLATION, page_cause, iova));

	harness_step("remap to another page after a cached DMA: data lands in the new page");
	CHECK_OK(iomm_unmap(d, iova, 4096, NULL));
	CHECK_OK(iomm_map(d, iova, pa_of(bufs[0]), 4096, IOMM_READ | IOMM_WRITE));
	CHECK(dma_write_lands(iova, bufs[0]));
	CHECK_OK(iomm_unmap(d, iova, 4096, NULL));
	CHECK_OK(iomm_map(d, iova, pa_of(bufs[3]), 4096, IOMM_READ | IOMM_WRITE));
	fill(bufs[0], 0x11, XFER);
	CHECK(dma_write_lands(iova, bufs[3]));
	CHECK(all(bufs[0], 0x11, XFER)); /* the old page saw nothing */

	harness_step("three unmaps gathered: one invalidation batch, one IOFENCE.C");
	CHECK_OK(iomm_map(d, iova + 0x1000, pa_of(bufs[1]), 4096, IOMM_READ | IOMM_WRITE));
	CHECK_OK(iomm_map(d, iova + 0x2000, pa_of(bufs[2]), 4096, IOMM_READ | IOMM_WRITE));
	CHECK(dma_write_lands(iova, bufs[3]));
	CHECK(dma_write_lands(iova + 0x1000, bufs[1]));
	CHECK(dma_write_lands(iova + 0x2000, bufs[2]));
	struct iomm_gather g;
	iomm_gather_init(&g);
	fences = rv.stats.fences;
	for (unsigned i = 0; i < 3; i++)
		CHECK_OK(iomm_unmap_gather(d, iova + 0x1000ull * i, 4096, &g, NULL));
	CHECK_EQ(rv.stats.fences - fences, 0);
	/* QEMU caches translations: until the gather's invalidation the old ones still work */
	CHECK(dma_write_lands(iova + 0x1000, bufs[1]));
	CHECK_OK(iomm_gather_sync(d, &g));
	CHECK_EQ(rv.stats.fences - fences, 1);
	CHECK(!dma_write_lands(iova, bufs[3]));
	CHECK(!dma_write_lands(iova + 0x1000, bufs[1]));
	CHECK(!dma_write_lands(iova + 0x2000, bufs[2]));
	poll_faults();

	harness_step("detach: refused again");
	CHECK_OK(iomm_map(d, iova, pa_of(bufs[3]), 4096, IOMM_READ | IOMM_WRITE));
	CHECK(dma_write_lands(iova, bufs[3]));
	CHECK_OK(iomm_detach(&dev));
	CHECK(!dma_write_lands(iova, bufs[3]));
	poll_faults();
	CHECK(saw_fault(IOMM_FAULT_BAD_STREAM, 258, ANY_ADDR));
	CHECK_OK(iomm_unmap(d, 0, 1ull << 32, NULL));
	CHECK_OK(iomm_domain_destroy(d));
}

static void case_stage1(void)
{
	static struct iomm_domain d;
	struct iomm_domain_cfg c = {
	    .type = IOMM_DOMAIN_S1, .ias = IOMM_QEMU_RV_IAS, .pool = new_pool(64 * KIB)};
	REQUIRE(iomm_domain_init(&d, &rv.unit, &c) == IOMM_OK);
	harness_note_dec("input bits:", d.pgt.cfg.ias);
	harness_note_dec("levels:", iomm_pgt_levels(&d.pgt));
	harness_note_dec("PSCID:", d.id);
	translate_story(&d, "first stage: map, DMA through the IOVA", 15);
}

static void case_gstage(void)
{
	static struct iomm_domain d;
	CHECK(rv.unit.caps & IOMM_CAP_S2);
	struct iomm_domain_cfg c = {
	    .type = IOMM_DOMAIN_S2, .ias = IOMM_QEMU_RV_IAS, .pool = new_pool(128 * KIB)};
	REQUIRE(iomm_domain_init(&d, &rv.unit, &c) == IOMM_OK);
	harness_note_dec("input bits:", d.pgt.cfg.ias);
	harness_note_dec("levels:", iomm_pgt_levels(&d.pgt));
	harness_note_dec("GSCID:", d.id);
	translate_story(&d, "G-stage: map a guest-physical window, DMA through it", 23);
}

/* ---- case 4: nested ---- */
static void case_nested(void)
{
	static struct iomm_domain s2, s1;
	CHECK(rv.unit.caps & IOMM_CAP_NESTED);
	struct iomm_domain_cfg c2 = {
	    .type = IOMM_DOMAIN_S2, .ias = 41, .pool = new_pool(128 * KIB)};
	REQUIRE(iomm_domain_init(&s2, &rv.unit, &c2) == IOMM_OK);
	/* The guest's RAM is identity in the G-stage, so the first-stage tables (whose
	 * addresses the unit translates through it) are reachable. */
	CHECK_OK(iomm_map(&s2, QEMU_BOARD_RAM_BASE, QEMU_BOARD_RAM_BASE, 256 * MIB,
			  IOMM_READ | IOMM_WRITE));
	struct iomm_domain_cfg c1 = {
	    .type = IOMM_DOMAIN_NESTED, .parent = &s2, .pool = new_pool(64 * KIB)};
	REQUIRE(iomm_domain_init(&s1, &rv.unit, &c1) == IOMM_OK);
	harness_note_dec("G-stage GSCID:", s2.id);
	harness_note_dec("first-stage PSCID:", s1.id);

	const uint64_t iova = 0x50000000;
	harness_step("nested: IOVA -> GPA (first stage) -> PA (G-stage)");
	CHECK_OK(iomm_map(&s1, iova, pa_of(bufs[0]), 4096, IOMM_READ | IOMM_WRITE));
	CHECK_OK(iomm_attach(&s1, &dev));
	CHECK(dma_write_lands(iova, bufs[0]));

	harness_step("nested: a first-stage unmap invalidates the combined entry");
	CHECK_OK(iomm_unmap(&s1, iova, 4096, NULL));
	CHECK(!dma_write_lands(iova, bufs[0]));
	poll_faults();
	CHECK(saw_fault(IOMM_FAULT_TRANSLATION, 15, iova));

	harness_step("nested: a G-stage unmap under a live first-stage mapping blocks it too");
	CHECK_OK(iomm_map(&s1, iova, pa_of(bufs[1]), 4096, IOMM_READ | IOMM_WRITE));
	CHECK(dma_write_lands(iova, bufs[1]));
	CHECK_OK(iomm_unmap(&s2, pa_of(bufs[1]), 4096, NULL));
	CHECK(!dma_write_lands(iova, bufs[1]));
	poll_faults();
	CHECK(nfaults > 0);
	bool g_fault = false;
	for (unsigned i = 0; i < nfaults && i < MAX_FAULTS; i++)
		g_fault |= faults[i].sid == edu_rid(&edu) &&
			   (faults[i].flags & IOMM_FAULT_STAGE2) && faults[i].ipa == pa_of(bufs[1]);
	CHECK(g_fault);

	CHECK_OK(iomm_detach(&dev));
	CHECK(!dma_write_lands(iova, bufs[1]));
	poll_faults();
	CHECK_RC(iomm_domain_destroy(&s2), IOMM_EBUSY); /* a nested child still uses it */
	CHECK_OK(iomm_domain_destroy(&s1));
	CHECK_OK(iomm_domain_destroy(&s2));
}

/* ---- case 5: an MSI page table (flat) on a G-stage domain ---- */
#define MSI_WINDOW 0x28000000ull /* the VM's virtual interrupt files: 4 pages */

/*
 * edu signals its interrupt through its MSI capability: message address
 * @gpa (a guest-physical address), data @data. Returns whether @target
 * received the 4-byte message. QEMU 10.0 translates MSI-window writes only
 * for transactions that carry a requester ID, which edu's MSI does and its
 * DMA engine does not (a DMA write into the window is dropped without a
 * fault record); so the MSIs here are real ones.
 */
static bool msi_lands(uint64_t gpa, uint32_t data, uint8_t *target)
{
	fill(target, 0xee, 4);
	qemu_mb();
	REQUIRE(edu_msi_enable(&edu, gpa, data) == EDU_OK);
	edu_raise_irq(&edu, 1u);
	uint64_t until = qemu_now_ns() + 50000000ull;
	do {
		qemu_mb();
		if (target[0] == (uint8_t)data && target[1] == (uint8_t)(data >> 8))
			return true;
	} while (qemu_now_ns() < until);
	CHECK(all(target, 0xee, 4)); /* refused means untouched */
	return false;
}

static void case_msi(void)
{
	static struct iomm_domain s2;
	static uint8_t table[4096] __attribute__((aligned(4096)));
	static struct iomm_riscv_msi msi;
	REQUIRE(rv.caps & IOMM_RISCV_CAP_MSI_FLAT);
	struct iomm_domain_cfg c = {
	    .type = IOMM_DOMAIN_S2, .ias = 41, .pool = new_pool(128 * KIB)};
	REQUIRE(iomm_domain_init(&s2, &rv.unit, &c) == IOMM_OK);
	const uint64_t gpa = 0x60000000;
	CHECK_OK(iomm_map(&s2, gpa, pa_of(bufs[0]), 4096, IOMM_READ | IOMM_WRITE));

	harness_step("MSI table: 4 interrupt files at GPA 0x28000000, given before any device");
	msi.addr_mask = 0x3;
	msi.addr_pattern = MSI_WINDOW >> 12;
	msi.table = table;
	msi.table_pa = pa_of(table);
	msi.table_bytes = sizeof(table);
	CHECK_OK(iomm_riscv_msi_enable(&s2, &msi));
	/* a RAM page stands in for the host's guest interrupt file: QEMU's virt machine
	 * has no IMSIC unless aia=aplic-imsic, and the write is what the unit translates */
	CHECK_OK(iomm_riscv_msi_map(&s2, 1, pa_of(bufs[1])));
	CHECK_OK(iomm_attach(&s2, &dev));

	harness_step("edu's MSI to virtual file 1 lands on the page the table names");
	CHECK(msi_lands(MSI_WINDOW + 0x1000, 0x1234, bufs[1]));
	harness_step("an MSI to file 2, which the host did not map, is refused (cause 262)");
	CHECK(!msi_lands(MSI_WINDOW + 0x2000, 0x1234, bufs[2]));
	poll_faults();
	CHECK(saw_fault(IOMM_FAULT_TRANSLATION, 262, ANY_ADDR));
	harness_step("DMA outside the window still goes through the G-stage");
	CHECK(dma_write_lands(gpa, bufs[0]));

	harness_step("file 1 moved to another page: the next MSI goes there, not to the old one");
	uint64_t fences = rv.stats.fences;
	CHECK_OK(iomm_riscv_msi_map(&s2, 1, pa_of(bufs[3])));
	CHECK_EQ(rv.stats.fences - fences, 1);
	fill(bufs[1], 0x11, 4);
	CHECK(msi_lands(MSI_WINDOW + 0x1000, 0x4321, bufs[3]));
	CHECK(all(bufs[1], 0x11, 4));
	harness_step("file 1 unmapped: refused");
	CHECK_OK(iomm_riscv_msi_unmap(&s2, 1));
	CHECK(!msi_lands(MSI_WINDOW + 0x1000, 0x4321, bufs[3]));
	poll_faults();
	CHECK(saw_fault(IOMM_FAULT_TRANSLATION, 262, ANY_ADDR));

	harness_step("nested under the VM: a first-stage mapping onto file 3 sends MSIs there");
	static struct iomm_domain s1;
	CHECK_OK(iomm_detach(&dev));
	/* the guest's RAM is identity in the G-stage, so its first-stage tables are reachable */
	CHECK_OK(iomm_map(&s2, QEMU_BOARD_RAM_BASE, QEMU_BOARD_RAM_BASE, 256 * MIB,
			  IOMM_READ | IOMM_WRITE));
	struct iomm_domain_cfg c1 = {
	    .type = IOMM_DOMAIN_NESTED, .parent = &s2, .pool = new_pool(64 * KIB)};
	REQUIRE(iomm_domain_init(&s1, &rv.unit, &c1) == IOMM_OK);
	const uint64_t iova = 0x70000000;
	CHECK_OK(iomm_map(&s1, iova, MSI_WINDOW + 0x3000, 4096, IOMM_READ | IOMM_WRITE));
	CHECK_OK(iomm_riscv_msi_map(&s2, 3, pa_of(bufs[2])));
	CHECK_OK(iomm_attach(&s1, &dev));
	CHECK(msi_lands(iova + 0x0, 0x5678, bufs[2]));
	CHECK_OK(iomm_riscv_msi_unmap(&s2, 3));
	CHECK(!msi_lands(iova + 0x0, 0x5678, bufs[2]));
	poll_faults();
	CHECK(saw_fault(IOMM_FAULT_TRANSLATION, 262, ANY_ADDR));

	CHECK_OK(iomm_detach(&dev));
	CHECK_OK(iomm_domain_destroy(&s1));
	CHECK_OK(iomm_unmap(&s2, gpa, 4096, NULL));
	CHECK_OK(iomm_domain_destroy(&s2));
}

void scenario_main(void)
{
	rv_up();
	switch (IOMM_QEMU_RV_CASE) {
	case 1:
		case_closed_bypass();
		break;
	case 2:
		case_stage1();
		break;
	case 3:
		case_gstage();
		break;
	case 4:
		case_nested();
		break;
	default:
		case_msi();
		break;
	}
	harness_step("disable: ddtp Off, every device refused with cause 256");
	static struct iomm_domain byp;
	struct iomm_domain_cfg bc = {.type = IOMM_DOMAIN_BYPASS};
	CHECK_OK(iomm_domain_init(&byp, &rv.unit, &bc));
	CHECK_OK(iomm_attach(&byp, &dev));
	CHECK(dma_write_lands(pa_of(bufs[2]), bufs[2]));
	CHECK_OK(iomm_riscv_disable(&rv));
	CHECK(!dma_write_lands(pa_of(bufs[2]), bufs[2]));
	harness_note_dec("commands issued:", rv.stats.cmds);
	harness_note_dec("IOFENCE.Cs:", rv.stats.fences);
	harness_note_dec("command errors:", rv.stats.cmd_errors);
	CHECK_EQ(rv.stats.cmd_errors, 0);
}
