/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interrupts are DMA too, on Arm: QEMU's SMMUv3 in front of a GICv3 with an
 * ITS (-M virt,iommu=smmuv3,gic-version=3,its=on). edu's MSI is a write to
 * GITS_TRANSLATER that the SMMU translates like any other DMA.
 *
 * The scenario sets up a minimal ITS itself (device and collection tables,
 * a command queue; MAPD for edu's DeviceID, MAPC, MAPTI EventID n -> LPI
 * 8192 + n, SYNC) and the redistributor's LPI tables; an MSI that reaches
 * the ITS shows as the LPI's bit in the pending table in RAM, which QEMU's
 * redistributor writes.
 *
 *  - VM without a doorbell: edu's MSI at the doorbell IOVA faults in the
 *    SMMU (F_TRANSLATION, the doorbell IOVA as the address); no LPI.
 *  - VM with the doorbell (iomm_vm_cfg::doorbell): the MSI reaches the ITS
 *    (LPI pending) with no fault; a read of the doorbell is refused
 *    (write-only); a DMA into the distributor (GICD at 0x08000000) is
 *    blocked and GICD is unchanged.
 *  - The guest attaches edu to a guest domain: the doorbell is there too;
 *    a MAP over it is S_FAULT; after unassignment the MSI is blocked.
 *
 * With IOMM_QEMU_MSI_DT (qemu-smmuv3-msi-doorbell-dt) the doorbell and
 * edu's DeviceID come from the device tree QEMU hands over (msi-map of the
 * PCIe host bridge, the ITS's reg) through the library's discovery.
 */
#include <iommuman/discovery.h>
#include <iommuman/smmuv3.h>
#include <iommuman/virtio_iommu.h>
#include <iommuman/vm.h>

#include "edu.h"
#include "faults.h"
#include "harness.h"

#define XFER	  16u
#define A_GPA	  0x80000000ull
#define A_SIZE	  (64u * 1024u)
#define DB_IOVA	  0x0f000000ull /* the fixed IOVA of the doorbell page */
#define LPI_BASE  8192u
#define GICD_BASE 0x08000000ull
#define ITS_BASE  0x08080000ull /* QEMU virt */
#define GICR_BASE 0x080a0000ull /* CPU 0's redistributor: RD_base frame */

/* GICv3 architecture specification, 12.9 (GITS_*), 12.11 (GICR_*), 5.3 (ITS commands) */
#define GITS_CTLR	0x0000u
#define GITS_TYPER	0x0008u
#define GITS_CBASER	0x0080u
#define GITS_CWRITER	0x0088u
#define GITS_CREADR	0x0090u
#define GITS_BASER(n)	(0x0100u + 8u * (n))
#define GITS_TYPER_PTA	(1ull << 19)
#define BASER_VALID	(1ull << 63)
#define BASER_TYPE(v)	(((v) >> 56) & 7u)
#define BASER_DEVICE	1u
#define BASER_COLL	4u
#define GICR_CTLR	0x0000u
#define GICR_WAKER	0x0014u
#define GICR_PROPBASER	0x0070u
#define GICR_PENDBASER	0x0078u
#define PENDBASER_PTZ	(1ull << 62)
#define GICD_CTLR	0x0000u
#define CMD_SYNC	0x05u
#define CMD_MAPD	0x08u
#define CMD_MAPC	0x09u
#define CMD_MAPTI	0x0au

static uint8_t guest_ram[A_SIZE] __attribute__((aligned(4096)));
static uint8_t strtab[256 * 64] __attribute__((aligned(256 * 64)));
static uint8_t cmdq[4096] __attribute__((aligned(4096)));
static uint8_t evtq[64 * 1024] __attribute__((aligned(64 * 1024)));
static uint8_t pattern[64] __attribute__((aligned(64)));

static struct iomm_smmuv3 smmu;
static struct edu edu;
static uint64_t doorbell = ITS_BASE + IOMM_GITS_TRANSLATER; /* QEMU virt's */
static uint32_t its_devid;
static volatile uint8_t *pend; /* the LPI pending table */
static volatile uint64_t *itscmd;
static uint32_t its_wr;
static uint64_t rdbase;

/* ---- a minimal ITS ---- */

static void its_cmd(uint64_t d0, uint64_t d1, uint64_t d2)
{
	volatile uint64_t *c = itscmd + its_wr / 8u;
	c[0] = d0;
	c[1] = d1;
	c[2] = d2;
	c[3] = 0;
	qemu_mb();
	its_wr = (its_wr + 32u) % 4096u;
	qemu_mmio_write64(ITS_BASE + GITS_CWRITER, its_wr);
	uint64_t until = qemu_now_ns() + 1000000000ull;
	while (qemu_mmio_read64(ITS_BASE + GITS_CREADR) != its_wr) {
		if (qemu_now_ns() > until)
			harness_fatal("the ITS did not consume its command queue", __FILE__, __LINE__);
	}
}

static void gic_its_up(uint32_t devid, unsigned nevents)
{
	harness_step("GICv3: redistributor LPI tables, a minimal ITS (MAPD, MAPC, MAPTI, SYNC)");
	qemu_mmio_write32(GICD_BASE + GICD_CTLR, 0x13u); /* ARE, EnableGrp1, EnableGrp0 (DS = 1) */
	qemu_mmio_write32(GICR_BASE + GICR_WAKER, 0);
	/* LPI configuration: 14 INTID bits, LPIs 8192..16383 (priority 0xa0, enabled) */
	uint64_t prop_pa, pend_pa;
	volatile uint8_t *prop = qemu_table_mem(8192, 4096, &prop_pa);
	pend = qemu_table_mem(65536, 65536, &pend_pa);
	REQUIRE(prop != NULL && pend != NULL);
	for (unsigned i = 0; i < 64; i++)
		prop[i] = 0xa1;
	qemu_mb();
	qemu_mmio_write64(GICR_BASE + GICR_PROPBASER, prop_pa | 13u);
	qemu_mmio_write64(GICR_BASE + GICR_PENDBASER, pend_pa | PENDBASER_PTZ);
	qemu_mmio_write32(GICR_BASE + GICR_CTLR, 1u); /* EnableLPIs */

	uint64_t typer = qemu_mmio_read64(ITS_BASE + GITS_TYPER);
	harness_note_hex("GITS_TYPER", typer);
	rdbase = (typer & GITS_TYPER_PTA) ? (GICR_BASE >> 16) : 0; /* processor 0 */
	for (unsigned n = 0; n < 8; n++) {
		uint64_t v = qemu_mmio_read64(ITS_BASE + GITS_BASER(n));
		if (BASER_TYPE(v) != BASER_DEVICE && BASER_TYPE(v) != BASER_COLL)
			continue;
		uint64_t pa;
		REQUIRE(qemu_table_mem(65536, 65536, &pa) != NULL);
		/* 4 KiB pages (Page_Size 0), 16 of them, flat */
		uint64_t keep = v & (0x7ull << 56 | 0x1full << 48);
		qemu_mmio_write64(ITS_BASE + GITS_BASER(n), BASER_VALID | keep | pa | 15u);
	}
	uint64_t cq_pa;
	itscmd = qemu_table_mem(4096, 65536, &cq_pa);
	REQUIRE(itscmd != NULL);
	qemu_mmio_write64(ITS_BASE + GITS_CBASER, BASER_VALID | cq_pa); /* one 4 KiB page */
	qemu_mmio_write64(ITS_BASE + GITS_CWRITER, 0);
	its_wr = 0;
	qemu_mmio_write32(ITS_BASE + GITS_CTLR, 1u);
	uint64_t itt_pa;
	REQUIRE(qemu_table_mem(4096, 4096, &itt_pa) != NULL);
	its_cmd(CMD_MAPD | (uint64_t)devid << 32, 3u /* 4 EventID bits */, BASER_VALID | itt_pa);
	its_cmd(CMD_MAPC, 0, BASER_VALID | rdbase << 16 | 0u /* ICID 0 */);
	for (unsigned e = 0; e < nevents; e++)
		its_cmd(CMD_MAPTI | (uint64_t)devid << 32, e | (uint64_t)(LPI_BASE + e) << 32, 0u);
	its_cmd(CMD_SYNC, 0, rdbase << 16);
	CHECK_EQ(qemu_mmio_read64(ITS_BASE + GITS_CREADR) & 1u, 0); /* not stalled */
}

static bool lpi_pending(unsigned lpi)
{
	qemu_mb();
	return (pend[lpi / 8u] >> (lpi % 8u)) & 1u;
}

/* edu signals EventID @ev through its MSI capability at the doorbell IOVA.
 * Returns whether the LPI became pending (waits a little: the MSI is
 * delivered when edu's register write is handled). */
static bool msi_lands(unsigned ev)
{
	uint64_t msi = DB_IOVA + doorbell % 4096u;
	REQUIRE(edu_msi_enable(&edu, msi, ev) == EDU_OK);
	edu_raise_irq(&edu, 1u);
	uint64_t until = qemu_now_ns() + 50000000ull;
	while (qemu_now_ns() < until)
		if (lpi_pending(LPI_BASE + ev))
			return true;
	return false;
}

/* ---- the VM ---- */

static bool saw(const struct faults *l, enum iomm_fault_reason reason, uint64_t addr)
{
	for (unsigned i = 0; i < l->n && i < QEMU_FAULTS_MAX; i++)
		if (l->f[i].sid == edu_rid(&edu) && l->f[i].reason == reason && l->f[i].addr == addr)
			return true;
	return false;
}

static struct faults poll(void)
{
	struct faults l = {.n = 0};
	(void)iomm_fault_poll(&smmu.unit, collect, &l);
	return l;
}

static struct iomm_vm vm;
static struct iomm_vm_region a[1];
static struct iomm_vm_endpoint eps[2];
static struct iomm_vm_gdom doms[2];
static struct iomm_vm_mapping maps[8];
static struct iomm_vm_event evs[16];
static struct iomm_pool pool;

static void vm_up(bool with_doorbell)
{
	a[0].gpa = A_GPA;
	a[0].hpa = pa_of(guest_ram);
	a[0].size = A_SIZE;
	a[0].prot = IOMM_READ | IOMM_WRITE;
	uint64_t pool_pa;
	void *pool_mem = qemu_table_mem(32 * 4096, 4096, &pool_pa);
	REQUIRE(pool_mem != NULL);
	REQUIRE(iomm_pool_init(&pool, &qemu_port, pool_mem, 32 * 4096, pool_pa, 4096) == IOMM_OK);
	struct iomm_vm_cfg cfg = {0};
	cfg.regions = a;
	cfg.nregions = 1;
	cfg.pool = &pool;
	cfg.endpoints = eps;
	cfg.nendpoints = 2;
	cfg.domains = doms;
	cfg.ndomains = 2;
	cfg.mappings = maps;
	cfg.nmappings = 8;
	cfg.events = evs;
	cfg.nevents = 16;
	cfg.policy = IOMM_VM_CONFINE;
	if (with_doorbell) {
		cfg.doorbell.pa = doorbell;
		cfg.doorbell.iova = DB_IOVA;
	}
	REQUIRE(iomm_vm_init(&vm, &cfg) == IOMM_OK);
	REQUIRE(iomm_vm_assign(&vm, &smmu.unit, &IOMM_SID(edu_rid(&edu)), edu_rid(&edu)) ==
		IOMM_OK);
}

static uint8_t request(const uint8_t *req, size_t len)
{
	uint8_t tail[4] = {0xee};
	size_t used = 0;
	REQUIRE(iomm_viommu_dev_handle(&vm, req, len, tail, sizeof(tail), &used) == IOMM_OK);
	return used == sizeof(tail) ? tail[0] : 0xff;
}

#ifdef IOMM_QEMU_MSI_DT
#include <libfdt.h>

/* The doorbell and edu's DeviceID from the device tree at the start of RAM. */
static void discover(void)
{
	harness_step("discovery: edu's MSIs reach which ITS, with which DeviceID (msi-map, reg)");
	const void *fdt = (const void *)(uintptr_t)QEMU_BOARD_RAM_BASE;
	REQUIRE(fdt_magic(fdt) == FDT_MAGIC);
	uint32_t total = fdt_totalsize(fdt);
	uint32_t ph = 0;
	REQUIRE(iomm_fdt_map_msi(fdt, total, edu_rid(&edu), &ph, &its_devid) == IOMM_OK);
	REQUIRE(iomm_fdt_msi_doorbell(fdt, total, ph, &doorbell) == IOMM_OK);
	harness_note_hex("ITS phandle", ph);
	harness_note_hex("DeviceID", its_devid);
	harness_note_hex("doorbell (GITS_TRANSLATER)", doorbell);
	CHECK_EQ(its_devid, edu_rid(&edu));
	CHECK_EQ(doorbell, ITS_BASE + IOMM_GITS_TRANSLATER);
}
#else
static void discover(void)
{
	its_devid = edu_rid(&edu); /* QEMU virt: msi-map is the identity */
}
#endif

void scenario_main(void)
{
	const struct pci_loc want = {IOMM_QEMU_EDU_BUS, IOMM_QEMU_EDU_DEV, IOMM_QEMU_EDU_FN};
	REQUIRE(edu_init(&edu, want) == EDU_OK);
	fill(pattern, 0x5a, sizeof(pattern));
	REQUIRE(edu_dma_to_device(&edu, pa_of(pattern), 0, XFER) == EDU_OK);
	discover();
	gic_its_up(its_devid, 4);

	harness_step("SMMUv3 up, every stream aborts");
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
	REQUIRE(iomm_smmuv3_init(&smmu, &qemu_port, QEMU_BOARD_SMMU_BASE, &mem, NULL, NULL) ==
		IOMM_OK);

	harness_step("VM without a doorbell: edu's MSI faults at the doorbell IOVA, no LPI");
	vm_up(false);
	const uint64_t msi = DB_IOVA + 0x40u;
	CHECK(!msi_lands(1));
	struct faults f = poll();
	CHECK(saw(&f, IOMM_FAULT_TRANSLATION, msi));
	harness_note_dec("faults:", f.n);
	CHECK_OK(iomm_vm_destroy(&vm));

	harness_step("VM with the doorbell: edu reading it is refused (write-only, F_PERMISSION)");
	vm_up(true);
	/* before any MSI: QEMU reports no event for a permission fault that
	 * hits a translation it cached (the MSI's) */
	CHECK_EQ(edu_dma_to_device(&edu, DB_IOVA, 0, XFER), EDU_OK);
	f = poll();
	CHECK(saw(&f, IOMM_FAULT_PERMISSION, DB_IOVA));

	harness_step("the MSI reaches GITS_TRANSLATER (LPI 8192 + 1 pending), no fault");
	CHECK(msi_lands(1));
	f = poll();
	CHECK_EQ(f.n, 0);
	CHECK_OK(iomm_vm_audit(&vm));

	harness_step("the rest of the GIC is out of reach: a DMA into GICD is blocked");
	uint32_t gicd = qemu_mmio_read32(GICD_BASE + GICD_CTLR);
	CHECK_EQ(edu_dma_from_device(&edu, GICD_BASE, 0, XFER), EDU_OK);
	f = poll();
	CHECK(saw(&f, IOMM_FAULT_TRANSLATION, GICD_BASE));
	CHECK_EQ(qemu_mmio_read32(GICD_BASE + GICD_CTLR), gicd);
	CHECK_EQ(edu_dma_from_device(&edu, ITS_BASE, 0, XFER), EDU_OK); /* the ITS control frame */
	f = poll();
	CHECK(saw(&f, IOMM_FAULT_TRANSLATION, ITS_BASE));

	harness_step("guest domain: the doorbell is mapped there too; a MAP over it is S_FAULT");
	uint8_t att[IOMM_VIOMMU_ATTACH_SIZE - IOMM_VIOMMU_TAIL_SIZE] = {IOMM_VIOMMU_T_ATTACH};
	iomm_put_le32(att + IOMM_VIOMMU_ATTACH_DOMAIN, 1);
	iomm_put_le32(att + IOMM_VIOMMU_ATTACH_ENDPOINT, edu_rid(&edu));
	CHECK_EQ(request(att, sizeof(att)), IOMM_VIOMMU_S_OK);
	CHECK(msi_lands(2));
	uint8_t mreq[IOMM_VIOMMU_MAP_SIZE - IOMM_VIOMMU_TAIL_SIZE] = {IOMM_VIOMMU_T_MAP};
	iomm_put_le32(mreq + IOMM_VIOMMU_MAP_DOMAIN, 1);
	iomm_put_le64(mreq + IOMM_VIOMMU_MAP_VIRT_START, DB_IOVA);
	iomm_put_le64(mreq + IOMM_VIOMMU_MAP_VIRT_END, DB_IOVA + 0xfffu);
	iomm_put_le64(mreq + IOMM_VIOMMU_MAP_PHYS_START, A_GPA);
	iomm_put_le32(mreq + IOMM_VIOMMU_MAP_FLAGS, IOMM_VIOMMU_MAP_F_READ | IOMM_VIOMMU_MAP_F_WRITE);
	CHECK_EQ(request(mreq, sizeof(mreq)), IOMM_VIOMMU_S_FAULT);
	CHECK(msi_lands(3)); /* still the doorbell */
	f = poll();
	CHECK_EQ(f.n, 0);

	harness_step("unassigned: edu's MSI is blocked (no LPI)");
	CHECK_OK(iomm_vm_unassign(&vm, edu_rid(&edu)));
	CHECK(!msi_lands(0));
	CHECK_OK(iomm_vm_destroy(&vm));
}
