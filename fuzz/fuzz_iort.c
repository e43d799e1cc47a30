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
 *
 * The same bytes then answer MSI look-ups (iomm_acpi_iort_msi()) for a few
 * segments and requester IDs: every answer is a defined status, a table the
 * parser refused for its checksum is refused the same way, the same
 * question gets the same answer twice, and the bytes never change. In the
 * second mode the bytes are also read as a MADT (signature and checksum
 * fixed) for iomm_acpi_madt_its(), whose found base must be the 8 bytes at
 * the GIC ITS structure's offset 8 that an independent scan finds.
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

	uint8_t *copy = malloc(size ? size : 1);
	FZ_CHECK(copy != NULL, "out of memory");
	memcpy(copy, t, size);
	static const uint32_t rids[] = {0, 0x8, 0x18, 0x100, 0xffff, 0x10000};
	for (uint16_t seg = 0; seg < 2; seg++)
		for (unsigned i = 0; i < sizeof(rids) / sizeof(rids[0]); i++) {
			uint32_t its = 0, devid = 0, its2 = 0, devid2 = 0;
			int r = iomm_acpi_iort_msi(t, size, seg, rids[i], &its, &devid);
			FZ_CHECK(r == IOMM_OK || r == IOMM_EINVAL || r == IOMM_EIO || r == IOMM_ENOENT,
				 "iort_msi status %d", r);
			if (rc == IOMM_EIO || r == IOMM_EIO)
				FZ_CHECK(r == rc, "checksum verdicts differ: parse %d, msi %d", rc, r);
			int r2 = iomm_acpi_iort_msi(t, size, seg, rids[i], &its2, &devid2);
			FZ_CHECK(r2 == r && (r != IOMM_OK || (its2 == its && devid2 == devid)),
				 "the same look-up answered differently");
		}
	FZ_CHECK(memcmp(copy, t, size) == 0, "the table was modified");

	if (!raw && size >= 44 && size <= UINT32_MAX) {
		memcpy(t, "APIC", 4);
		uint8_t s = 0;
		t[9] = 0;
		for (size_t i = 0; i < size; i++)
			s = (uint8_t)(s + t[i]);
		t[9] = (uint8_t)(0x100 - s);
		/* independent scan: the first GIC ITS structure (type 0xf, length
		 * >= 20) of each ID, until a structure is malformed */
		for (uint32_t want = 0; want < 3; want++) {
			uint64_t base = 0, expect = 0;
			int found = IOMM_ENOENT;
			for (size_t off = 44; off < size;) {
				if (size - off < 2 || t[off + 1] < 2 || t[off + 1] > size - off) {
					found = IOMM_EINVAL;
					break;
				}
				if (t[off] == 0xf) {
					if (t[off + 1] < 20) {
						found = IOMM_EINVAL;
						break;
					}
					uint32_t id = 0;
					for (unsigned k = 0; k < 4; k++)
						id |= (uint32_t)t[off + 4 + k] << (8 * k);
					if (id == want) {
						for (unsigned k = 0; k < 8; k++)
							expect |= (uint64_t)t[off + 8 + k] << (8 * k);
						/* an ITS base is 64 KiB aligned, non-zero, and
						 * leaves room for GITS_TRANSLATER */
						found = expect && (expect & 0xffffu) == 0 &&
								expect <= UINT64_MAX - 0x10040u
							? IOMM_OK
							: IOMM_EINVAL;
						break;
					}
				}
				off += t[off + 1];
			}
			int r = iomm_acpi_madt_its(t, size, want, &base);
			FZ_CHECK(r == found, "madt_its %d, the scan %d", r, found);
			FZ_CHECK(r != IOMM_OK || base == expect, "madt_its base differs from the scan");
		}
	}
	free(copy);
	free(t);
	return 0;
}
