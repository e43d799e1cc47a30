/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_iort: bytes as an IORT for iomm_acpi_parse_iort().
 *
 * The first input byte selects the mode: odd values take the rest as it is
 * (so header, length and checksum checks are fuzzed too); even values first
 * set the header's length to the input's and fix the checksum, so the
 * fuzzer reaches the node and ID-mapping walk. The table is parsed from a
 * heap copy of exactly its size (reads beyond are AddressSanitizer errors)
 * and the result must pass fz_disc_check().
 */
#include <string.h>

#include "fuzz_discovery.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
		memcpy(t, "IORT", 4);
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
	int rc = iomm_acpi_parse_iort(&x.d, t, size);
	fz_disc_check(&x, rc);
	free(t);
	return 0;
}
