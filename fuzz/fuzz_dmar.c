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
	int rc = iomm_acpi_parse_dmar(&x.d, t, size, raw ? NULL : &pci);
	fz_disc_check(&x, rc);
	free(t);
	return 0;
}
