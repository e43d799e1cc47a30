/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_dmar: bytes as a DMAR for iomm_acpi_parse_dmar().
 *
 * The first input byte selects the mode: odd values take the rest as it is
 * (so header, length and checksum checks are fuzzed too); even values first
 * set the header's length to the input's and fix the checksum, so the
 * fuzzer reaches the remapping structures and device scopes. The table is parsed from a
 * heap copy of exactly its size (reads beyond are AddressSanitizer errors)
 * and the result must pass fz_disc_check(). In the second mode a PCI
 * access answers bridge bus-number reads from a value derived from the
 * device address (or "absent" for odd functions), so bridge paths and
 * bridge scopes are walked too.
 *
 * The same bytes then go to iomm_acpi_dmar_irq_sources() (I/O APIC and HPET
 * scopes), which must agree with the parser: a table the parser found
 * damaged in its header or checksum is refused the same way; a table the
 * parser accepted yields sources (if any) whose units are the parser's
 * units, with valid PCI identities; a smaller array gives the same count
 * and ::IOMM_ENOSPC; nothing writes past the array; the bytes never change.
 */
#include <string.h>

#include "fuzz_discovery.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int read8(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	(void)ctx;
	if (fn & 1)
		return -1;
	unsigned v = (unsigned)(seg + bus * 7u + dev * 3u + fn) & 0xffu;
	return off == 0x1a ? (int)((v + (dev & 3u)) & 0xffu) : (int)v;
}

static const struct iomm_acpi_pci pci = {NULL, read8};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	bool raw = data[0] & 1;
	data++;
	size--;
	uint8_t *t = malloc(size ? size : 1);
	FZ_CHECK(t != NULL, "out of memory");
	memcpy(t, data, size);
	if (!raw && size >= IOMM_ACPI_HDR_SIZE && size <= UINT32_MAX) {
		memcpy(t, "DMAR", 4);
		for (unsigned i = 0; i < 4; i++)
			t[4 + i] = (uint8_t)(size >> (8 * i));
		uint8_t s = 0;
		t[9] = 0;
		for (size_t i = 0; i < size; i++)
			s = (uint8_t)(s + t[i]);
		t[9] = (uint8_t)(0x100 - s);
	}
	struct fz_disc x;
	fz_disc_init(&x);
	const struct iomm_acpi_pci *acc = raw ? NULL : &pci;
	int rc = iomm_acpi_parse_dmar(&x.d, t, size, acc);
	fz_disc_check(&x, rc);

	struct iomm_irq_source src[5];
	memset(src, 0xa5, sizeof(src));
	uint32_t n = UINT32_MAX;
	int ri = iomm_acpi_dmar_irq_sources(t, size, acc, src, 4, &n);
	FZ_CHECK(ri == IOMM_OK || ri == IOMM_ENOSPC || ri == IOMM_EINVAL || ri == IOMM_EIO ||
			 ri == IOMM_ENOTSUP || ri == IOMM_ENODEV,
		 "irq_sources status %d", ri);
	FZ_CHECK(src[4].unit_base == 0xa5a5a5a5a5a5a5a5ull, "irq_sources wrote past its array");
	if (rc == IOMM_EIO || ri == IOMM_EIO)
		FZ_CHECK(rc == ri, "checksum verdicts differ: parse %d, irq_sources %d", rc, ri);
	if (ri == IOMM_OK || ri == IOMM_ENOSPC) {
		FZ_CHECK((ri == IOMM_ENOSPC) == (n > 4), "count %u with status %d", n, ri);
		for (uint32_t i = 0; i < n && i < 4; i++) {
			uint32_t sid, mask;
			FZ_CHECK(src[i].type == IOMM_IRQ_SOURCE_IOAPIC ||
					 src[i].type == IOMM_IRQ_SOURCE_HPET,
				 "source %u type %u", i, src[i].type);
			FZ_CHECK(src[i].id.kind == IOMM_DEVID_PCI && src[i].id.dev <= 31 &&
					 src[i].id.fn <= 7 &&
					 iomm_devid_resolve(&src[i].id, &sid, &mask) == IOMM_OK &&
					 mask == 0,
				 "source %u identity is not one function", i);
			bool known = rc != IOMM_OK;
			for (uint32_t u = 0; u < x.d.nunits && !known; u++)
				known = x.units[u].base == src[i].unit_base;
			FZ_CHECK(known, "source %u names a unit the parser did not find", i);
		}
		uint32_t n0 = UINT32_MAX;
		int r0 = iomm_acpi_dmar_irq_sources(t, size, acc, NULL, 0, &n0);
		FZ_CHECK(n0 == n && r0 == (n ? IOMM_ENOSPC : IOMM_OK),
			 "counting alone gave %d/%u, the array %d/%u", r0, n0, ri, n);
	}
	free(t);
	return 0;
}
