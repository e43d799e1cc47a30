/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_fdt: bytes as a flattened device tree for iomm_fdt_parse() and
 * iomm_fdt_map_rid().
 *
 * The blob is parsed from a heap copy of exactly the input's size (reads
 * beyond are AddressSanitizer errors), so damaged headers, offsets and
 * property lengths all reach the parser. The result must pass
 * fz_disc_check(); iomm_fdt_map_rid() must answer every requester ID with
 * a defined status, and never map one through a blob the parser found
 * damaged. The MSI look-ups (iomm_fdt_map_msi(), iomm_fdt_msi_parent(),
 * iomm_fdt_msi_doorbell() for every MSI controller they name) follow the
 * same rules; a doorbell found is the controller's GITS_TRANSLATER: at
 * ::IOMM_GITS_TRANSLATER from a base, and not wrapped.
 */
#include <string.h>

#include "fuzz_discovery.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The doorbell of MSI controller @ph: a defined status; when found, a
 * GITS_TRANSLATER address that did not wrap. */
static void fz_doorbell(const uint8_t *t, size_t size, uint32_t ph, bool damaged)
{
	uint64_t db = 0;
	int r = iomm_fdt_msi_doorbell(t, size, ph, &db);
	FZ_CHECK(r == IOMM_OK || r == IOMM_ENOENT || r == IOMM_EINVAL || r == IOMM_ENOTSUP,
		 "msi_doorbell status %d", r);
	FZ_CHECK(!(damaged && r == IOMM_OK), "a damaged blob gave a doorbell");
	FZ_CHECK(r != IOMM_OK || (db >= IOMM_GITS_TRANSLATER && (db & 0xffffu) == 0x40u),
		 "doorbell %llx is no GITS_TRANSLATER", (unsigned long long)db);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *t = malloc(size ? size : 1);
	FZ_CHECK(t != NULL, "out of memory");
	memcpy(t, data, size);
	struct fz_disc x;
	fz_disc_init(&x);
	int rc = iomm_fdt_parse(&x.d, t, size);
	fz_disc_check(&x, rc);
	bool damaged = rc != IOMM_OK && strstr(x.d.msg, "damaged") != NULL;
	static const uint32_t rids[] = {0, 0x8, 0x10, 0x100, 0xffff};
	for (unsigned i = 0; i < sizeof(rids) / sizeof(rids[0]); i++) {
		uint32_t ph = 0, sid = 0;
		int r = iomm_fdt_map_rid(t, size, rids[i], &ph, &sid);
		FZ_CHECK(r == IOMM_OK || r == IOMM_ENOENT || r == IOMM_EINVAL,
			 "map_rid status %d", r);
		FZ_CHECK(!(damaged && r == IOMM_OK), "a damaged blob mapped a requester ID");
	}
	for (unsigned i = 0; i < sizeof(rids) / sizeof(rids[0]); i++) {
		uint32_t ph = 0, devid = 0;
		int r = iomm_fdt_map_msi(t, size, rids[i], &ph, &devid);
		FZ_CHECK(r == IOMM_OK || r == IOMM_ENOENT || r == IOMM_EINVAL,
			 "map_msi status %d", r);
		FZ_CHECK(!(damaged && r == IOMM_OK), "a damaged blob mapped an MSI");
		if (r == IOMM_OK)
			fz_doorbell(t, size, ph, damaged);
	}
	static const char *const paths[] = {"/", "/pcie@10000000", "/soc/dev", "/a/b/c", "//"};
	for (unsigned i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		uint32_t ph = 0, devid = 0;
		int r = iomm_fdt_msi_parent(t, size, paths[i], &ph, &devid);
		FZ_CHECK(r == IOMM_OK || r == IOMM_ENOENT || r == IOMM_EINVAL,
			 "msi_parent status %d", r);
		FZ_CHECK(!(damaged && r == IOMM_OK), "a damaged blob gave an msi-parent");
		if (r == IOMM_OK)
			fz_doorbell(t, size, ph, damaged);
	}
	fz_doorbell(t, size, 1, damaged);
	FZ_CHECK(memcmp(t, data, size) == 0, "the blob was modified");
	free(t);
	return 0;
}
