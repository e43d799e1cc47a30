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
 * damaged.
 */
#include <string.h>

#include "fuzz_discovery.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	FZ_CHECK(memcmp(t, data, size) == 0, "the blob was modified");
	free(t);
	return 0;
}
