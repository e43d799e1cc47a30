/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scenario qemu-discovery-dt-smmuv3: the device tree QEMU hands over on
 * `-M virt,iommu=smmuv3` (at the start of RAM for a -kernel ELF) is parsed
 * with the library's device-tree discovery (libfdt built for aarch64):
 *
 *  1. the SMMUv3 is found with its register base, size, interrupts and
 *     coherency, and the PCIe host bridge's iommu-map as its masters;
 *  2. edu's stream ID comes from translating its requester ID through the
 *     iommu-map;
 *  3. the SMMU is initialised at the discovered base, a board made of the
 *     discovered unit and edu (discovered stream ID, confined to one
 *     window by configuration) is applied with iomm_config_apply(), and
 *     edu's DMA proves it: inside the window it lands, outside it is
 *     blocked, and after iomm_config_remove() everything is blocked again.
 *
 * With IOMM_QEMU_DT_VIRTIO (qemu-discovery-dt-virtio-iommu, `-M virt -device
 * virtio-iommu-pci,addr=02.0`) the same tree has a virtio-iommu instead:
 * the paravirtual unit is found with its PCI address (00:02.0), edu's
 * endpoint ID comes from the iommu-map, the virtio-iommu's own requester
 * ID is left out of the map, and the description validates as a board.
 */
#include <libfdt.h>

#include <iommuman/config.h>
#include <iommuman/discovery.h>
#include <iommuman/smmuv3.h>

#include "edu.h"
#include "harness.h"
#include "pci.h"

#define XFER 16u
#define WINDOW_IOVA 0x10000000ull

static struct edu edu;
static struct iomm_cfg_unit units[4];
static struct iomm_cfg_device devs[32];
static struct iomm_cfg_resv resv[4];

/* libfdt's C library needs beyond the port: common/libfdt_shim.c */

/* ---- the scenario ---- */
#ifndef IOMM_QEMU_DT_VIRTIO
static uint8_t target[4096] __attribute__((aligned(4096)));
static uint8_t outside[4096] __attribute__((aligned(4096)));
static uint8_t strtab[256 * 64] __attribute__((aligned(256 * 64)));
static uint8_t cmdq[4096] __attribute__((aligned(4096)));
static uint8_t evtq[64 * 1024] __attribute__((aligned(64 * 1024)));
static struct iomm_smmuv3 smmu;

/* Device writes XFER bytes of 0x5a at @iova; did @dst receive them? */
#define dma_lands(iova, dst) harness_edu_write_lands(&edu, (iova), (dst), XFER)

void scenario_main(void)
{
	const void *fdt = (const void *)(uintptr_t)QEMU_BOARD_RAM_BASE;
	harness_step("device tree at the start of RAM");
	REQUIRE(fdt_magic(fdt) == FDT_MAGIC);
	uint32_t total = fdt_totalsize(fdt);
	harness_note_hex("totalsize", total);
	REQUIRE(total > 0 && total <= (1u << 20));

	harness_step("discovery: units and masters");
	struct iomm_discovery d;
	REQUIRE(iomm_discovery_init(&d, units, 4, devs, 32, resv, 4) == IOMM_OK);
	int rc = iomm_fdt_parse(&d, fdt, total);
	if (rc && d.msg)
		harness_note(d.msg);
	REQUIRE(rc == IOMM_OK);
	REQUIRE(d.nunits == 1);
	const struct iomm_cfg_unit *u = &units[0];
	CHECK_EQ(u->type, IOMM_UNIT_SMMUV3);
	CHECK_EQ(u->base, QEMU_BOARD_SMMU_BASE);
	CHECK_EQ(u->size, 0x20000);
	CHECK_EQ(u->nirqs, 4);
	CHECK_EQ(u->irqs[0], 32 + 74);
	CHECK(u->flags & IOMM_CFG_UNIT_COHERENT);
	harness_note_hex("SMMUv3 at", u->base);
	harness_note_hex("phandle", u->fw_ref);
	CHECK_EQ(d.ndevices, 1); /* the host bridge: every requester ID */
	CHECK_EQ(devs[0].id.mask, 0xffff);

	harness_step("edu's stream ID from the host bridge's iommu-map");
	const struct pci_loc want = {IOMM_QEMU_EDU_BUS, IOMM_QEMU_EDU_DEV, IOMM_QEMU_EDU_FN};
	REQUIRE(edu_init(&edu, want) == EDU_OK);
	static uint8_t pattern[64] __attribute__((aligned(64)));
	fill(pattern, 0x5a, sizeof(pattern));
	REQUIRE(edu_dma_to_device(&edu, qemu_virt_to_phys(pattern), 0, XFER) == EDU_OK);
	uint32_t ph = 0, sid = 0;
	CHECK_OK(iomm_fdt_map_rid(fdt, total, edu_rid(&edu), &ph, &sid));
	CHECK_EQ(ph, u->fw_ref);
	CHECK_EQ(sid, 0x8);
	harness_note_hex("edu stream ID", sid);

	harness_step("SMMUv3 at the discovered base; a board from the discovered values");
	struct iomm_smmuv3_mem mem = {
	    .strtab = strtab, .strtab_pa = qemu_virt_to_phys(strtab), .strtab_size = sizeof(strtab),
	    .cmdq = cmdq, .cmdq_pa = qemu_virt_to_phys(cmdq), .cmdq_size = sizeof(cmdq),
	    .evtq = evtq, .evtq_pa = qemu_virt_to_phys(evtq), .evtq_size = sizeof(evtq),
	};
	REQUIRE(iomm_smmuv3_init(&smmu, &qemu_port, (uintptr_t)u->base, &mem, NULL, NULL) ==
		IOMM_OK);
	CHECK(!dma_lands(qemu_virt_to_phys(target), target)); /* blocked by default */

	/* configuration overrides firmware: of the bus, only edu, confined */
	const struct iomm_cfg_region window = {WINDOW_IOVA, qemu_virt_to_phys(target), 4096,
					       IOMM_READ | IOMM_WRITE};
	d.ndevices = 0;
	const struct iomm_cfg_device edu_dev = {.name = "edu", .unit = 0, .id = IOMM_SID(sid),
						.policy = IOMM_POLICY_CONFINED,
						.regions = &window, .nregions = 1};
	CHECK_OK(iomm_discovery_add_device(&d, &edu_dev));
	struct iomm_board board;
	CHECK_OK(iomm_discovery_board(&d, &board));

	static struct iomm_pool pool;
	uint64_t pool_pa;
	void *pool_mem = qemu_table_mem(16 * 4096, 4096, &pool_pa);
	REQUIRE(pool_mem && iomm_pool_init(&pool, &qemu_port, pool_mem, 16 * 4096, pool_pa, 4096) ==
				IOMM_OK);
	struct iomm_config_needs needs;
	CHECK_OK(iomm_config_needs(&board, &needs));
	CHECK_EQ(needs.domains, 1);
	static struct iomm_domain doms[1];
	static struct iomm_dev devo[1];
	struct iomm_unit *bound[1] = {&smmu.unit};
	struct iomm_config_storage st = {bound, 1, doms, 1, devo, 1, &pool};
	struct iomm_config_error err = {0};
	rc = iomm_config_apply(&board, &st, &err);
	if (rc && err.msg)
		harness_note(err.msg);
	REQUIRE(rc == IOMM_OK);

	harness_step("edu DMA: inside the window lands, outside is blocked");
	CHECK(dma_lands(WINDOW_IOVA, target));
	CHECK(!dma_lands(qemu_virt_to_phys(outside), outside));
	CHECK(!dma_lands(WINDOW_IOVA + 4096, outside));

	harness_step("remove: blocked again");
	CHECK_OK(iomm_config_remove(&board, &st));
	CHECK(!dma_lands(WINDOW_IOVA, target));
	CHECK_EQ(iomm_pool_used(&pool), 0);
}
#else
void scenario_main(void)
{
	const void *fdt = (const void *)(uintptr_t)QEMU_BOARD_RAM_BASE;
	harness_step("device tree at the start of RAM");
	REQUIRE(fdt_magic(fdt) == FDT_MAGIC);
	uint32_t total = fdt_totalsize(fdt);
	REQUIRE(total > 0 && total <= (1u << 20));

	harness_step("discovery: the virtio-iommu and its endpoints");
	struct iomm_discovery d;
	REQUIRE(iomm_discovery_init(&d, units, 4, devs, 32, resv, 4) == IOMM_OK);
	int rc = iomm_fdt_parse(&d, fdt, total);
	if (rc && d.msg)
		harness_note(d.msg);
	REQUIRE(rc == IOMM_OK);
	REQUIRE(d.nunits == 1);
	CHECK_EQ(units[0].type, IOMM_UNIT_PARAVIRT);
	CHECK_EQ(units[0].pci_rid, 0x10); /* 00:02.0 */
	harness_note_hex("virtio-iommu phandle", units[0].fw_ref);
	harness_note_dec("endpoint groups:", d.ndevices);
	CHECK(d.ndevices >= 2);

	const struct pci_loc want = {IOMM_QEMU_EDU_BUS, IOMM_QEMU_EDU_DEV, IOMM_QEMU_EDU_FN};
	REQUIRE(edu_init(&edu, want) == EDU_OK);
	uint32_t ph = 0, ep = 0;
	CHECK_OK(iomm_fdt_map_rid(fdt, total, edu_rid(&edu), &ph, &ep));
	CHECK_EQ(ph, units[0].fw_ref);
	CHECK_EQ(ep, 0x8);
	harness_note_hex("edu endpoint ID", ep);
	CHECK_RC(iomm_fdt_map_rid(fdt, total, units[0].pci_rid, &ph, &ep), IOMM_ENOENT);
	/* the virtio-iommu function itself is sitting on the PCI bus there */
	const struct pci_loc vio = {0, 2, 0};
	CHECK_EQ(pci_cfg_read32(vio, 0), 0x10571af4u);

	struct iomm_board board;
	CHECK_OK(iomm_discovery_board(&d, &board));
	CHECK_OK(iomm_config_validate(&board, NULL, NULL));
}
#endif
