/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_riscv_fault: raw 32-byte RISC-V IOMMU fault-queue records into
 * iomm_riscv_decode_fault().
 *
 * The input is cut into records of 32 bytes (a shorter tail is zero-padded).
 * Each record is decoded from a heap copy of exactly four words, so an
 * access beyond it is an AddressSanitizer error, and the result must obey
 * riscv.h and the record layout of the RISC-V IOMMU specification (3.2):
 *  - the call returns IOMM_OK, and two decodes give the same result;
 *  - sid is DID (bits 63:40), raw the CAUSE (bits 11:0), lost 0;
 *  - IOMM_FAULT_SSID exactly when PV (bit 32), then ssid is PID (31:12);
 *    IOMM_FAULT_PRIV exactly when PRIV (bit 33);
 *  - TTYP (39:34) 1 and 5 give EXEC|READ, 2 and 6 READ, 3 and 7 WRITE,
 *    anything else none of them; addr is iotval when TTYP is not 0, else 0;
 *  - a guest-page fault (causes 20, 21, 23) adds STAGE2|IPA with ipa =
 *    iotval2 with bits 1:0 cleared; no other cause sets them;
 *  - reason follows the table of docs/riscv.md (a fixed function of CAUSE).
 */
#include <string.h>

#include <iommuman/iommuman.h>
#include <iommuman/riscv.h>

#include "fuzz_common.h"

#define KNOWN_FLAGS                                                                                \
	(IOMM_FAULT_READ | IOMM_FAULT_WRITE | IOMM_FAULT_EXEC | IOMM_FAULT_PRIV |                  \
	 IOMM_FAULT_SSID | IOMM_FAULT_STAGE2 | IOMM_FAULT_IPA)

/* The reason docs/riscv.md gives each cause, written out independently. */
static enum iomm_fault_reason want_reason(unsigned cause)
{
	static const struct {
		unsigned lo, hi;
		enum iomm_fault_reason r;
	} map[] = {
	    {12, 13, IOMM_FAULT_TRANSLATION},  {15, 15, IOMM_FAULT_TRANSLATION},
	    {20, 21, IOMM_FAULT_TRANSLATION},  {23, 23, IOMM_FAULT_TRANSLATION},
	    {1, 1, IOMM_FAULT_ABORT},	       {5, 5, IOMM_FAULT_ABORT},
	    {7, 7, IOMM_FAULT_ABORT},	       {256, 256, IOMM_FAULT_ABORT},
	    {260, 260, IOMM_FAULT_ABORT},      {258, 258, IOMM_FAULT_BAD_STREAM},
	    {266, 266, IOMM_FAULT_BAD_STREAM}, {259, 259, IOMM_FAULT_BAD_CONFIG},
	    {262, 262, IOMM_FAULT_TRANSLATION}, {263, 263, IOMM_FAULT_BAD_CONFIG},
	    {267, 267, IOMM_FAULT_BAD_CONFIG},
	    {257, 257, IOMM_FAULT_WALK},       {261, 261, IOMM_FAULT_WALK},
	    {264, 265, IOMM_FAULT_WALK},       {268, 271, IOMM_FAULT_WALK},
	    {274, 274, IOMM_FAULT_WALK},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (cause >= map[i].lo && cause <= map[i].hi)
			return map[i].r;
	return IOMM_FAULT_OTHER;
}

static void check_record(const uint8_t bytes[32])
{
	uint64_t *rec = malloc(32);
	FZ_CHECK(rec != NULL, "out of memory");
	memcpy(rec, bytes, 32);
	uint64_t w[4];
	for (unsigned i = 0; i < 4; i++) {
		w[i] = 0;
		for (unsigned b = 0; b < 8; b++)
			w[i] |= (uint64_t)bytes[i * 8 + b] << (8 * b);
	}
	struct iomm_fault f, g;
	memset(&f, 0xa5, sizeof(f));
	memset(&g, 0x5a, sizeof(g));
	int rc = iomm_riscv_decode_fault(rec, &f);
	int rc2 = iomm_riscv_decode_fault(rec, &g);
	free(rec);
	FZ_CHECK(rc == IOMM_OK && rc2 == IOMM_OK, "rc %d %d", rc, rc2);
	FZ_CHECK(f.sid == g.sid && f.ssid == g.ssid && f.addr == g.addr && f.ipa == g.ipa &&
		     f.reason == g.reason && f.flags == g.flags && f.raw == g.raw &&
		     f.lost == g.lost,
		 "two decodes of one record differ");
	unsigned cause = (unsigned)(w[0] & 0xfff), ttyp = (unsigned)((w[0] >> 34) & 0x3f);
	bool pv = (w[0] >> 32) & 1, priv = (w[0] >> 33) & 1;
	FZ_CHECK(f.sid == (uint32_t)(w[0] >> 40), "sid 0x%x", f.sid);
	FZ_CHECK(f.raw == cause && f.lost == 0, "raw 0x%x lost %u", f.raw, f.lost);
	FZ_CHECK(!(f.flags & ~(uint32_t)KNOWN_FLAGS), "unknown flags 0x%x", f.flags);
	FZ_CHECK(!!(f.flags & IOMM_FAULT_SSID) == pv, "SSID flag vs PV %d", pv);
	FZ_CHECK(!pv || f.ssid == (uint32_t)((w[0] >> 12) & 0xfffff), "ssid 0x%x", f.ssid);
	FZ_CHECK(!!(f.flags & IOMM_FAULT_PRIV) == priv, "PRIV flag vs PRIV %d", priv);
	uint32_t acc = f.flags & (IOMM_FAULT_READ | IOMM_FAULT_WRITE | IOMM_FAULT_EXEC);
	uint32_t want_acc = 0;
	if (ttyp == 1 || ttyp == 5)
		want_acc = IOMM_FAULT_EXEC | IOMM_FAULT_READ;
	else if (ttyp == 2 || ttyp == 6)
		want_acc = IOMM_FAULT_READ;
	else if (ttyp == 3 || ttyp == 7)
		want_acc = IOMM_FAULT_WRITE;
	FZ_CHECK(acc == want_acc, "TTYP %u gave access flags 0x%x", ttyp, acc);
	FZ_CHECK(f.addr == (ttyp ? w[2] : 0), "addr 0x%llx with TTYP %u", FZ_ULL(f.addr), ttyp);
	bool guest = cause == 20 || cause == 21 || cause == 23;
	uint32_t s2 = f.flags & (IOMM_FAULT_STAGE2 | IOMM_FAULT_IPA);
	FZ_CHECK(s2 == (guest ? (IOMM_FAULT_STAGE2 | IOMM_FAULT_IPA) : 0u),
		 "cause %u: stage-2 flags 0x%x", cause, s2);
	FZ_CHECK(f.ipa == (guest ? (w[3] & ~3ull) : 0), "ipa 0x%llx", FZ_ULL(f.ipa));
	FZ_CHECK(f.reason == want_reason(cause), "cause %u: reason %d", cause, (int)f.reason);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool null_checked;
	if (!null_checked) {
		uint64_t rec[4] = {0};
		struct iomm_fault f;
		FZ_CHECK(iomm_riscv_decode_fault(NULL, &f) == IOMM_EINVAL, "NULL record accepted");
		FZ_CHECK(iomm_riscv_decode_fault(rec, NULL) == IOMM_EINVAL, "NULL fault accepted");
		null_checked = true;
	}
	for (size_t off = 0; off < size; off += 32) {
		uint8_t rec[32] = {0};
		size_t n = size - off < 32 ? size - off : 32;
		memcpy(rec, data + off, n);
		check_record(rec);
	}
	return 0;
}
