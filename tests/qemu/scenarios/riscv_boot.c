/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scenario "riscv64 boot" (qemu-riscv64-boot): the riscv64 virt port with a
 * riscv-iommu-pci at 00:01.0 and edu at 00:02.0, no firmware. Proves what
 * the RISC-V IOMMU scenarios rely on:
 *
 *  1. the port's clock runs (mtime) and the console works (this log);
 *  2. both PCI functions are found on the ECAM at their fixed slots, BAR0 of
 *     the IOMMU is assigned by the port from the 32-bit window and decodes;
 *  3. the IOMMU's capabilities register reads version 1.0 with Sv39, Sv48
 *     and Sv39x4, and ddtp reads mode Off, not busy, at reset.
 */
#include "edu.h"
#include "harness.h"
#include "riscv_iommu_regs.h"

#ifndef IOMM_QEMU_EDU_DEV
#error "IOMM_QEMU_EDU_BUS/DEV/FN come from tests/qemu/CMakeLists.txt"
#endif

void scenario_main(void)
{
	struct pci_loc iommu, want_edu = {IOMM_QEMU_EDU_BUS, IOMM_QEMU_EDU_DEV, IOMM_QEMU_EDU_FN};
	struct edu edu;
	uint64_t t0, t1, bar = 0, size = 0, cap, ddtp;
	uintptr_t regs;

	harness_step("clock");
	t0 = qemu_now_ns();
	for (volatile unsigned i = 0; i < 100000u; i++)
		;
	t1 = qemu_now_ns();
	CHECK(t1 > t0);
	harness_note_dec("ns for 100000 empty loop iterations:", t1 - t0);

	harness_step("PCI: riscv-iommu-pci (1b36:0014) and edu on the ECAM");
	REQUIRE(pci_find(RIOMMU_PCI_VENDOR, RIOMMU_PCI_DEVICE, &iommu));
	harness_note_hex("riscv-iommu-pci at requester ID", pci_rid(iommu));
	CHECK_EQ(pci_rid(iommu), 0x0008u); /* 00:01.0, fixed by tests/qemu/CMakeLists.txt */
	REQUIRE(edu_init(&edu, want_edu) == EDU_OK);
	harness_note_hex("edu at requester ID (the IOMMU's device_id)", edu_rid(&edu));
	CHECK_EQ(edu_rid(&edu), (uint64_t)IOMM_QEMU_EDU_DEV << 3);

	harness_step("IOMMU BAR0");
	REQUIRE(pci_bar_setup(iommu, 0, &bar, &size));
	harness_note_hex("BAR0", bar);
	harness_note_hex("BAR0 type bits (4: 64-bit memory)",
			 pci_cfg_read32(iommu, PCI_BAR0) & 0xfu);
	harness_note_hex("BAR0 size", size);
	CHECK(bar >= QEMU_BOARD_PCI_MMIO32_BASE &&
	      bar + size <= QEMU_BOARD_PCI_MMIO32_BASE + QEMU_BOARD_PCI_MMIO32_SIZE);
	CHECK(size >= 4096u); /* the register file is 4 KiB */
	pci_enable(iommu, true, true);
	regs = (uintptr_t)bar;

	harness_step("capabilities and ddtp at reset");
	cap = qemu_mmio_read64(regs + RIOMMU_CAPABILITIES);
	harness_note_hex("capabilities", cap);
	CHECK_EQ(cap & RIOMMU_CAP_VERSION_MASK, RIOMMU_CAP_VERSION_1_0);
	CHECK(cap & RIOMMU_CAP_SV39);
	CHECK(cap & RIOMMU_CAP_SV48);
	CHECK(cap & RIOMMU_CAP_SV39X4);
	harness_note_dec("physical address bits (PAS)",
			 (cap & RIOMMU_CAP_PAS_MASK) >> RIOMMU_CAP_PAS_SHIFT);
	ddtp = qemu_mmio_read64(regs + RIOMMU_DDTP);
	harness_note_hex("ddtp", ddtp);
	CHECK_EQ(ddtp & RIOMMU_DDTP_MODE_MASK, RIOMMU_DDTP_MODE_OFF);
	CHECK(!(ddtp & RIOMMU_DDTP_BUSY));
	/* A 32-bit read of the low half agrees: the register decodes at both widths. */
	CHECK_EQ(qemu_mmio_read32(regs + RIOMMU_CAPABILITIES), cap & 0xffffffffu);
}
