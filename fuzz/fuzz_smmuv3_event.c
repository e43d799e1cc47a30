/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_smmuv3_event: raw 32-byte event records into iomm_smmuv3_decode_event().
 *
 * The input is cut into records of 32 bytes (a shorter tail is zero-padded).
 * Each record is decoded from a heap copy of exactly 32 bytes, so an access
 * beyond the record is an AddressSanitizer error, and the result must obey
 * what smmuv3.h and iommu.h promise and the SMMUv3 record layout (Arm IHI
 * 0070, 7.3) implies:
 *  - the call succeeds, and decoding the same record twice gives the same result;
 *  - reason is a value of enum iomm_fault_reason; flags has only IOMM_FAULT_* bits;
 *  - sid is bits 63:32 of word 0; raw is the event number (bits 7:0);
 *  - IOMM_FAULT_SSID is set exactly when SSV (bit 11) is, and then ssid is
 *    bits 31:12; IOMM_FAULT_IPA goes with IOMM_FAULT_STAGE2, and ipa is 0
 *    without it; READ and WRITE are never both set;
 *  - lost is 0 (only iomm_fault_poll() counts lost records);
 *  - the translation, address size, access and permission faults
 *    (0x10..0x13) decode to their reasons and report word 2 as the address.
 */
#include <string.h>

#include <iommuman/iommuman.h>
#include <iommuman/smmuv3.h>

#include "fuzz_common.h"

#define KNOWN_FLAGS                                                                                \
	(IOMM_FAULT_READ | IOMM_FAULT_WRITE | IOMM_FAULT_EXEC | IOMM_FAULT_PRIV |                  \
	 IOMM_FAULT_STAGE2 | IOMM_FAULT_SSID | IOMM_FAULT_IPA)

static void check_record(const uint8_t bytes[32])
{
	uint64_t *rec = malloc(32);
	FZ_CHECK(rec != NULL, "out of memory");
	memcpy(rec, bytes, 32);
	uint64_t w[4];
	for (unsigned i = 0; i < 4; i++) {
		w[i] = 0;
		for (unsigned b = 0; b < 8; b++)
			w[i] |= (uint64_t)bytes[i * 8 + b] << (8 * b); /* records are little-endian */
	}

	struct iomm_fault f, g;
	memset(&f, 0xa5, sizeof(f));
	memset(&g, 0x5a, sizeof(g));
	FZ_CHECK(iomm_smmuv3_decode_event(rec, &f) == IOMM_OK, "decode failed");
	FZ_CHECK(iomm_smmuv3_decode_event(rec, &g) == IOMM_OK, "second decode failed");
	FZ_CHECK(f.sid == g.sid && f.ssid == g.ssid && f.addr == g.addr && f.ipa == g.ipa &&
			 f.reason == g.reason && f.flags == g.flags && f.raw == g.raw &&
			 f.lost == g.lost,
		 "two decodes of one record differ");
	FZ_CHECK(memcmp(rec, bytes, 32) == 0, "the record was modified");
	free(rec);

	unsigned id = (unsigned)(w[0] & 0xff);
	FZ_CHECK((unsigned)f.reason <= IOMM_FAULT_TLB_CONFLICT, "reason %u out of range (event 0x%x)",
		 (unsigned)f.reason, id);
	FZ_CHECK(!(f.flags & ~(uint32_t)KNOWN_FLAGS), "unknown flags 0x%x (event 0x%x)", f.flags, id);
	FZ_CHECK(f.sid == (uint32_t)(w[0] >> 32), "sid 0x%x, word 0 says 0x%x", f.sid,
		 (uint32_t)(w[0] >> 32));
	FZ_CHECK(f.raw == id, "raw 0x%x, event number 0x%x", f.raw, id);
	bool ssv = (w[0] >> 11) & 1;
	FZ_CHECK(((f.flags & IOMM_FAULT_SSID) != 0) == ssv, "SSID flag %d, SSV %d",
		 (f.flags & IOMM_FAULT_SSID) != 0, ssv);
	if (ssv)
		FZ_CHECK(f.ssid == (uint32_t)((w[0] >> 12) & 0xfffff), "ssid 0x%x, record 0x%x", f.ssid,
			 (uint32_t)((w[0] >> 12) & 0xfffff));
	FZ_CHECK(!(f.flags & IOMM_FAULT_IPA) || (f.flags & IOMM_FAULT_STAGE2),
		 "IPA flag without STAGE2");
	if (!(f.flags & IOMM_FAULT_IPA))
		FZ_CHECK(f.ipa == 0, "ipa 0x%llx without the IPA flag", FZ_ULL(f.ipa));
	FZ_CHECK((f.flags & (IOMM_FAULT_READ | IOMM_FAULT_WRITE)) !=
			 (IOMM_FAULT_READ | IOMM_FAULT_WRITE),
		 "both READ and WRITE");
	FZ_CHECK(f.lost == 0, "lost %u from a single record", f.lost);

	static const enum iomm_fault_reason xlat[4] = {
	    IOMM_FAULT_TRANSLATION, IOMM_FAULT_ADDR_SIZE, IOMM_FAULT_ACCESS_FLAG,
	    IOMM_FAULT_PERMISSION};
	if (id >= 0x10 && id <= 0x13) {
		FZ_CHECK(f.reason == xlat[id - 0x10], "event 0x%x decoded as reason %u", id,
			 (unsigned)f.reason);
		FZ_CHECK(f.addr == w[2], "event 0x%x: addr 0x%llx, InputAddr 0x%llx", id,
			 FZ_ULL(f.addr), FZ_ULL(w[2]));
		bool rnw = (w[1] >> 35) & 1;
		FZ_CHECK((f.flags & (IOMM_FAULT_READ | IOMM_FAULT_WRITE)) ==
				 (rnw ? IOMM_FAULT_READ : IOMM_FAULT_WRITE),
			 "event 0x%x: RnW %d, flags 0x%x", id, rnw, f.flags);
		bool s2 = (w[1] >> 39) & 1;
		FZ_CHECK(((f.flags & IOMM_FAULT_STAGE2) != 0) == s2, "event 0x%x: S2 %d, flags 0x%x",
			 id, s2, f.flags);
		if (s2)
			FZ_CHECK(f.ipa == (w[3] & 0x000ffffffffff000ull) ||
					 f.ipa == (w[3] & 0x00fffffffffff000ull),
				 "event 0x%x: ipa 0x%llx, word 3 0x%llx", id, FZ_ULL(f.ipa),
				 FZ_ULL(w[3]));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool once;
	if (!once) {
		struct iomm_fault f;
		uint64_t rec[4] = {0, 0, 0, 0};
		FZ_CHECK(iomm_smmuv3_decode_event(NULL, &f) == IOMM_EINVAL, "NULL record");
		FZ_CHECK(iomm_smmuv3_decode_event(rec, NULL) == IOMM_EINVAL, "NULL fault");
		once = true;
	}
	for (size_t off = 0; off < size; off += 32) {
		uint8_t rec[32];
		size_t n = size - off < 32 ? size - off : 32;
		memset(rec, 0, sizeof(rec));
		memcpy(rec, data + off, n);
		check_record(rec);
	}
	return 0;
}
