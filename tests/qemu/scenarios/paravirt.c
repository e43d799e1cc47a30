/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The paravirtual backend on QEMU's virtio-iommu-pci
 * (-M virt -device virtio-iommu-pci,addr=02.0,boot-bypass=off) with the edu
 * device doing real DMA. The library drives the device through its
 * virtio-pci transport; the scenario supplies only the PCI configuration
 * accessor, the BAR and MMIO access, and queue memory.
 *
 * virtio-iommu has no IOTLB to invalidate: every MAP, UNMAP, ATTACH and
 * DETACH takes effect when the request completes, which the DMA checks
 * right after each call prove.
 */
#include <iommuman/paravirt.h>

#include "edu.h"
#include "harness.h"

#define VIRTIO_VENDOR 0x1af4u
#define VIOMMU_DEVICE 0x1057u
#define XFER 16u /* a blocked DMA raises one event per 4 bytes: keep them short */

#define IOVA_RW 0x20000000ull
#define IOVA_RO 0x20010000ull
#define IOVA_HOLE 0x20100000ull

static uint8_t bufs[4][4096] __attribute__((aligned(4096)));
static uint8_t qmem[16384] __attribute__((aligned(4096)));

static struct edu edu;
static struct pci_loc vloc;
static struct iomm_viommu_pci vpci;
static struct iomm_paravirt pv;
static struct iomm_dev dev;

#define MAX_FAULTS HARNESS_MAX_FAULTS
#define faults harness_faults
static unsigned nfaults;

static unsigned poll_faults(void)
{
	nfaults = harness_poll_faults(&pv.unit, 1);
	return nfaults;
}

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

/* Any fault for edu at @addr (reasons for unattached endpoints vary between versions). */
static bool saw_any_fault(uint64_t addr)
{
	for (unsigned i = 0; i < nfaults && i < MAX_FAULTS; i++)
		if (faults[i].sid == edu_rid(&edu) && faults[i].addr == addr)
			return true;
	return false;
}

/* Device writes XFER bytes of 0x5a at @iova. Returns whether @target received them. */
#define dma_write_lands(iova, target) harness_edu_write_lands(&edu, (iova), (target), XFER)

/* ---- board access for the transport ---- */
static uint32_t cfg_read32(void *ctx, uint16_t off)
{
	return pci_cfg_read32(*(const struct pci_loc *)ctx, off);
}

static uint32_t mmio_read(void *ctx, uintptr_t addr, unsigned width)
{
	(void)ctx;
	return width == 1 ? qemu_mmio_read8(addr)
	       : width == 2 ? qemu_mmio_read16(addr)
			    : qemu_mmio_read32(addr);
}

static void mmio_write(void *ctx, uintptr_t addr, unsigned width, uint32_t val)
{
	(void)ctx;
	if (width == 1)
		qemu_mmio_write8(addr, (uint8_t)val);
	else if (width == 2)
		qemu_mmio_write16(addr, (uint16_t)val);
	else
		qemu_mmio_write32(addr, val);
}

static void viommu_up(void)
{
	const struct pci_loc want = {IOMM_QEMU_EDU_BUS, IOMM_QEMU_EDU_DEV, IOMM_QEMU_EDU_FN};
	REQUIRE(edu_init(&edu, want) == EDU_OK);

	harness_step("virtio-iommu-pci: capabilities, reset, features, queues, DRIVER_OK");
	REQUIRE(pci_find(VIRTIO_VENDOR, VIOMMU_DEVICE, &vloc));
	uint64_t bar4 = 0, bar4_size = 0;
	REQUIRE(pci_bar_setup(vloc, 4, &bar4, &bar4_size));
	pci_enable(vloc, true, true);
	harness_note_hex("BAR4", bar4);
	struct iomm_viommu_pci_cfg c = {
	    .ctx = &vloc,
	    .pci_read32 = cfg_read32,
	    .mmio_read = mmio_read,
	    .mmio_write = mmio_write,
	    .mem = qmem,
	    .mem_pa = pa_of(qmem),
	    .mem_size = sizeof(qmem),
	    .event_slots = 64,
	};
	c.bar[4] = (uintptr_t)bar4;
	const struct iomm_viommu_transport *t = NULL;
	REQUIRE(iomm_viommu_pci_init(&vpci, &qemu_port, &c, &t) == IOMM_OK);
	REQUIRE(iomm_paravirt_init(&pv, &qemu_port, t, NULL) == IOMM_OK);
	harness_note_hex("negotiated features", pv.features);
	harness_note_hex("page_size_mask", pv.page_size_mask);
	harness_note_hex("input_end", pv.input_end);
	harness_note_hex("probe_size", pv.probe_size);
	CHECK(pv.features & (1ull << IOMM_VIOMMU_F_VERSION_1));
	CHECK(pv.features & (1ull << IOMM_VIOMMU_F_MAP_UNMAP));
	CHECK_EQ(pv.unit.caps, IOMM_CAP_S1 | IOMM_CAP_REMOTE | IOMM_CAP_BYPASS);
	CHECK_EQ(pv.unit.page_sizes & 0xfff, 0);
	CHECK(pv.unit.page_sizes & 0x1000);
	CHECK_EQ(pv.unit.ias, 48);
	REQUIRE(iomm_dev_init(&dev, &pv.unit, &IOMM_SID(edu_rid(&edu))) == IOMM_OK);
	harness_note_hex("edu endpoint", edu_rid(&edu));
}

void scenario_main(void)
{
	viommu_up();
	uint8_t *rw = bufs[0], *pat = bufs[2];

	harness_step("before ATTACH: edu's DMA is blocked");
	CHECK(!dma_write_lands(pa_of(rw), rw));
	poll_faults();
	CHECK(saw_any_fault(pa_of(rw)));

	harness_step("PROBE: the MSI doorbell region of edu (GICv2m frame)");
	CHECK_OK(iomm_paravirt_probe(&pv, edu_rid(&edu)));
	uint64_t ms = 0, me = 0;
	CHECK_OK(iomm_paravirt_msi_region(&pv, edu_rid(&edu), &ms, &me));
	harness_note_hex("MSI start", ms);
	harness_note_hex("MSI end", me);
	CHECK_EQ(ms, 0x08020000);
	CHECK_EQ(me, 0x08020fff);
	CHECK_RC(iomm_paravirt_probe(&pv, 0x1234), IOMM_ENOENT); /* no such endpoint */

	harness_step("ATTACH + MAP: edu's DMA works at the IOVA");
	static struct iomm_domain d, byp;
	struct iomm_domain_cfg dc = {.type = IOMM_DOMAIN_S1};
	REQUIRE(iomm_domain_init(&d, &pv.unit, &dc) == IOMM_OK);
	harness_note_hex("domain ID", d.id);
	CHECK_OK(iomm_attach(&d, &dev));
	CHECK_OK(iomm_map(&d, IOVA_RO, pa_of(pat), 4096, IOMM_READ));
	fill(pat, 0x5a, 64);
	qemu_mb();
	CHECK_EQ(edu_dma_to_device(&edu, IOVA_RO, 0, XFER), EDU_OK); /* read through the IOVA */
	CHECK_OK(iomm_map(&d, IOVA_RW, pa_of(rw), 4096, IOMM_READ | IOMM_WRITE));
	CHECK(dma_write_lands(IOVA_RW, rw));
	CHECK_EQ(poll_faults(), 0);

	harness_step("write to a read-only mapping: refused, fault with edu's endpoint");
	CHECK(!dma_write_lands(IOVA_RO, pat));
	CHECK(poll_faults() > 0);
	CHECK(saw_fault(IOMM_FAULT_PERMISSION, IOVA_RO, true));

	harness_step("unmapped IOVA: blocked, translation fault at the address");
	CHECK(!dma_write_lands(IOVA_HOLE, rw));
	poll_faults();
	CHECK(saw_fault(IOMM_FAULT_TRANSLATION, IOVA_HOLE, false));

	harness_step("device checks: overlapping MAP -> EINVAL, partial UNMAP -> ERANGE");
	CHECK_RC(iomm_map(&d, IOVA_RW, pa_of(bufs[3]), 4096, IOMM_READ), IOMM_EINVAL);
	CHECK_OK(iomm_map(&d, 0x20200000, pa_of(bufs[3]), 8192, IOMM_READ));
	CHECK_RC(iomm_unmap(&d, 0x20200000, 4096, NULL), IOMM_ERANGE);
	CHECK_OK(iomm_unmap(&d, 0x20200000, 8192, NULL));
	harness_step("local checks: misaligned, outside the input range");
	CHECK_RC(iomm_map(&d, IOVA_RW + 8, pa_of(rw), 4096, IOMM_READ), IOMM_EINVAL);
	CHECK_RC(iomm_map(&d, 1ull << 48, pa_of(rw), 4096, IOMM_READ), IOMM_ERANGE);

	harness_step("UNMAP: blocked at once");
	uint64_t un = 0;
	CHECK_OK(iomm_unmap(&d, IOVA_RW, 4096, &un));
	CHECK_EQ(un, 4096);
	CHECK(!dma_write_lands(IOVA_RW, rw));
	poll_faults();
	CHECK(saw_fault(IOMM_FAULT_TRANSLATION, IOVA_RW, false));

	harness_step("DETACH: blocked again");
	CHECK_OK(iomm_map(&d, IOVA_RW, pa_of(rw), 4096, IOMM_READ | IOMM_WRITE));
	CHECK(dma_write_lands(IOVA_RW, rw));
	CHECK_OK(iomm_detach(&dev));
	CHECK(!dma_write_lands(IOVA_RW, rw));
	poll_faults();
	CHECK(saw_any_fault(IOVA_RW));

	harness_step("bypass domain: ATTACH with the bypass flag gives identity");
	struct iomm_domain_cfg bc = {.type = IOMM_DOMAIN_BYPASS};
	REQUIRE(iomm_domain_init(&byp, &pv.unit, &bc) == IOMM_OK);
	CHECK_OK(iomm_attach(&byp, &dev));
	CHECK(dma_write_lands(pa_of(rw), rw));
	CHECK_OK(iomm_detach(&dev));
	CHECK(!dma_write_lands(pa_of(rw), rw));
	poll_faults();
	CHECK_OK(iomm_domain_destroy(&byp));
	CHECK_OK(iomm_domain_destroy(&d));
}
