/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scenario qemu-discovery-dmar: on `-M q35 -device intel-iommu,aw-bits=48`
 * the library finds the RSDP SeaBIOS publishes (EBDA, then 0xe0000-0xfffff),
 * walks the XSDT/RSDT to the DMAR QEMU built, checks it and parses it:
 * one VT-d unit at 0xfed90000, host address width 48, and its device
 * scope: QEMU 10 lists the I/O APIC and every PCI function of bus 0 as
 * endpoints (no INCLUDE_PCI_ALL), edu at 00:03.0 among them, and the I/O
 * APIC (ID 0) with its source-id 0xff00. The table bytes are printed ("DMAR-HEX:" lines) so the test
 * data of tests/discovery can be checked against QEMU. No VT-d backend is
 * used: only the discovered values are checked.
 */
#include <iommuman/discovery.h>

#include "firmware.h"
#include "harness.h"
#include "pci.h"

static uint8_t dmar[4096];

static void hexdump(const uint8_t *p, uint32_t len)
{
	static const char hex[] = "0123456789abcdef";
	for (uint32_t at = 0; at < len; at += 32) {
		char line[80];
		unsigned n = 0;
		for (uint32_t i = at; i < len && i < at + 32; i++) {
			line[n++] = hex[p[i] >> 4];
			line[n++] = hex[p[i] & 15];
		}
		line[n] = 0;
		qemu_puts("DMAR-HEX: ");
		qemu_puts(line);
		qemu_puts("\n");
	}
}

void scenario_main(void)
{
	const struct iomm_acpi_mem mem = qemu_fw_mem;
	harness_step("RSDP: EBDA, then the BIOS area");
	uint64_t rsdp = 0;
	REQUIRE(iomm_acpi_find_rsdp(&mem, &rsdp) == IOMM_OK);
	harness_note_hex("RSDP at", rsdp);
	CHECK((rsdp >= 0xe0000 && rsdp < 0x100000) || (rsdp >= 0x80000 && rsdp < 0xa0000));

	harness_step("XSDT/RSDT walk to the DMAR");
	uint32_t len = 0;
	uint64_t pa = 0;
	REQUIRE(iomm_acpi_find_table(&mem, rsdp, "DMAR", dmar, sizeof(dmar), &len, &pa) == IOMM_OK);
	harness_note_hex("DMAR at", pa);
	harness_note_dec("DMAR bytes:", len);
	hexdump(dmar, len);
	CHECK_OK(iomm_acpi_table_check(dmar, len, "DMAR", NULL));
	CHECK_EQ(dmar[36] + 1u, 48); /* host address width, aw-bits=48 */
	CHECK_RC(iomm_acpi_find_table(&mem, rsdp, "IORT", dmar + 2048, 2048, &len, NULL),
		 IOMM_ENOENT);

	harness_step("DMAR: the VT-d unit");
	static struct iomm_cfg_unit units[4];
	static struct iomm_cfg_device devs[16];
	static struct iomm_cfg_resv resv[4];
	struct iomm_discovery d;
	REQUIRE(iomm_discovery_init(&d, units, 4, devs, 16, resv, 4) == IOMM_OK);
	int rc = iomm_acpi_parse_dmar(&d, dmar, sizeof(dmar), &qemu_fw_pci);
	if (rc && d.msg)
		harness_note(d.msg);
	REQUIRE(rc == IOMM_OK);
	REQUIRE(d.nunits == 1);
	CHECK_EQ(units[0].type, IOMM_UNIT_VTD);
	CHECK_EQ(units[0].base, 0xfed90000);
	uint64_t base = 0;
	CHECK_OK(qemu_fw_vtd_for(IOMM_QEMU_EDU_BUS, IOMM_QEMU_EDU_DEV, IOMM_QEMU_EDU_FN, &base));
	CHECK_EQ(base, units[0].base);
	CHECK_EQ(units[0].segment, 0);
	harness_note_hex("VT-d unit at", units[0].base);
	harness_note_hex("flags", units[0].flags);
	harness_note_dec("devices named by scopes:", d.ndevices);
	harness_note_dec("RMRRs:", d.nresv);
	CHECK_EQ(d.nresv, 0);
	unsigned edus = 0;
	for (uint32_t i = 0; i < d.ndevices; i++) {
		CHECK_EQ(devs[i].unit, 0);
		CHECK_EQ(devs[i].id.kind, IOMM_DEVID_PCI);
		if (devs[i].id.bus == IOMM_QEMU_EDU_BUS && devs[i].id.dev == IOMM_QEMU_EDU_DEV &&
		    devs[i].id.fn == IOMM_QEMU_EDU_FN)
			edus++;
	}
	CHECK_EQ(edus, 1); /* edu's source ID 0x18 is in the unit's scope */
	/* the description is a valid board (everything blocked) */
	struct iomm_board board;
	CHECK_OK(iomm_discovery_board(&d, &board));
	CHECK_OK(iomm_config_validate(&board, NULL, NULL));

	harness_step("DMAR: the DRHD's device scope");
	/* walk the first DRHD's scopes from the bytes: the I/O APIC is there */
	uint32_t slen = (uint32_t)dmar[48 + 2] | (uint32_t)dmar[48 + 3] << 8;
	CHECK_EQ(dmar[48], 0); /* DRHD first */
	unsigned ioapics = 0;
	for (uint32_t at = 48 + 16; at + 6 <= 48 + slen && dmar[at + 1] >= 6;
	     at += dmar[at + 1]) {
		harness_note_hex("scope type", dmar[at]);
		harness_note_hex("  enumeration ID", dmar[at + 4]);
		harness_note_hex("  start bus", dmar[at + 5]);
		harness_note_hex("  device", dmar[at + 6]);
		harness_note_hex("  function", dmar[at + 7]);
		if (dmar[at] == 3)
			ioapics++;
	}
	CHECK_EQ(ioapics, 1);

	harness_step("DMAR: the interrupt sources and their source-ids");
	struct iomm_irq_source src[4];
	uint32_t nsrc = 0;
	CHECK_OK(iomm_acpi_dmar_irq_sources(dmar, sizeof(dmar), &qemu_fw_pci, src, 4, &nsrc));
	CHECK_EQ(nsrc, 1);
	harness_note_hex("I/O APIC ID", src[0].enum_id);
	harness_note_hex("  source-id", (uint32_t)src[0].id.bus << 8 | src[0].id.dev << 3 | src[0].id.fn);
	CHECK_EQ(src[0].type, IOMM_IRQ_SOURCE_IOAPIC);
	CHECK_EQ(src[0].unit_base, units[0].base);
	/* QEMU's q35 I/O APIC requests carry 0xff00 (bus 0xff, 00.0) */
	CHECK_EQ(src[0].id.bus, 0xff);
	CHECK_EQ(src[0].id.dev, 0);
	CHECK_EQ(src[0].id.fn, 0);
	/* the VT-d unit answers at the discovered base: VER_REG reads 1.0 or later */
	uint32_t ver = qemu_mmio_read32((uintptr_t)units[0].base);
	harness_note_hex("VER_REG", ver);
	CHECK(ver != 0 && ver != 0xffffffffu);
}
