/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_vtd_fault: raw 16-byte VT-d fault recording registers into
 * iomm_vtd_decode_fault().
 *
 * The input is cut into records of 16 bytes (a shorter tail is zero-padded).
 * Each record is decoded from a heap copy of exactly two words, so an access
 * beyond it is an AddressSanitizer error, and the result must obey vtd.h and
 * the fault-record layout of the VT-d specification (10.4.14):
 *  - the call returns IOMM_OK exactly when F (bit 127) is set, IOMM_ENOENT
 *    otherwise, and two decodes give the same result;
 *  - sid is bits 79:64, addr bits 63:12, raw the reason (bits 103:96);
 *  - WRITE when T2 (bit 92) and T1 (bit 126) are clear, READ when only T1 is
 *    set, neither when T2 is set; EXEC is EXE (bit 94), PRIV is PRIV (93);
 *  - IOMM_FAULT_SSID exactly when PP (bit 95), then ssid is bits 123:104;
 *  - reason is a value of enum iomm_fault_reason; lost is 0;
 *  - the codes the QEMU scenarios see decode as documented: 0x1, 0x2
 *    (not present) BAD_STREAM, 0x5 / 0x85 PERMISSION, 0x71 TRANSLATION.
 */
#include <string.h>

#include <iommuman/iommuman.h>
#include <iommuman/vtd.h>

#include "fuzz_common.h"

#define KNOWN_FLAGS                                                                                \
	(IOMM_FAULT_READ | IOMM_FAULT_WRITE | IOMM_FAULT_EXEC | IOMM_FAULT_PRIV | IOMM_FAULT_SSID)

static void check_record(const uint8_t bytes[16])
{
	uint64_t *rec = malloc(16);
	FZ_CHECK(rec != NULL, "out of memory");
	memcpy(rec, bytes, 16);
	uint64_t w[2];
	for (unsigned i = 0; i < 2; i++) {
		w[i] = 0;
		for (unsigned b = 0; b < 8; b++)
			w[i] |= (uint64_t)bytes[i * 8 + b] << (8 * b);
	}
	struct iomm_fault f, g;
	memset(&f, 0xa5, sizeof(f));
	memset(&g, 0x5a, sizeof(g));
	int rc = iomm_vtd_decode_fault(rec, &f);
	int rc2 = iomm_vtd_decode_fault(rec, &g);
	free(rec);
	bool fbit = (w[1] >> 63) & 1;
	FZ_CHECK(rc == (fbit ? IOMM_OK : IOMM_ENOENT), "rc %d with F %d", rc, fbit);
	FZ_CHECK(rc2 == rc && f.sid == g.sid && f.ssid == g.ssid && f.addr == g.addr &&
			 f.ipa == g.ipa && f.reason == g.reason && f.flags == g.flags &&
			 f.raw == g.raw && f.lost == g.lost,
		 "two decodes of one record differ");
	unsigned fr = (unsigned)((w[1] >> 32) & 0xff);
	FZ_CHECK(f.sid == (uint32_t)(w[1] & 0xffff), "sid 0x%x", f.sid);
	if (fr >= 0x20 && fr <= 0x27) {
		/* interrupt remapping: FI[63:48] is the interrupt index, no access type */
		FZ_CHECK(f.addr == (w[0] >> 48) && f.flags == IOMM_FAULT_IRQ,
			 "IR fault 0x%x: index 0x%llx flags 0x%x", fr, FZ_ULL(f.addr), f.flags);
		return;
	}
	FZ_CHECK(f.addr == (w[0] & ~0xfffull), "addr 0x%llx", FZ_ULL(f.addr));
	FZ_CHECK(f.raw == fr, "raw 0x%x, reason 0x%x", f.raw, fr);
	FZ_CHECK((unsigned)f.reason <= IOMM_FAULT_TLB_CONFLICT, "reason %u out of range",
		 (unsigned)f.reason);
	FZ_CHECK(!(f.flags & ~(uint32_t)KNOWN_FLAGS), "unknown flags 0x%x", f.flags);
	FZ_CHECK(f.lost == 0 && f.ipa == 0, "lost %u / ipa from a single record", f.lost);
	bool t1 = (w[1] >> 62) & 1, t2 = (w[1] >> 28) & 1;
	uint32_t rw = f.flags & (IOMM_FAULT_READ | IOMM_FAULT_WRITE);
	FZ_CHECK(rw == (t2 ? 0u : t1 ? IOMM_FAULT_READ : IOMM_FAULT_WRITE), "T1 %d T2 %d flags 0x%x",
		 t1, t2, f.flags);
	FZ_CHECK(((f.flags & IOMM_FAULT_EXEC) != 0) == (((w[1] >> 30) & 1) != 0), "EXE");
	FZ_CHECK(((f.flags & IOMM_FAULT_PRIV) != 0) == (((w[1] >> 29) & 1) != 0), "PRIV");
	bool pp = (w[1] >> 31) & 1;
	FZ_CHECK(((f.flags & IOMM_FAULT_SSID) != 0) == pp, "SSID flag vs PP %d", pp);
	FZ_CHECK(f.ssid == (pp ? (uint32_t)((w[1] >> 40) & 0xfffff) : 0u), "ssid 0x%x", f.ssid);
	if (fr == 0x1 || fr == 0x2)
		FZ_CHECK(f.reason == IOMM_FAULT_BAD_STREAM, "0x%x decoded as %u", fr,
			 (unsigned)f.reason);
	if (fr == 0x5 || fr == 0x85)
		FZ_CHECK(f.reason == IOMM_FAULT_PERMISSION, "0x%x decoded as %u", fr,
			 (unsigned)f.reason);
	if (fr == 0x71)
		FZ_CHECK(f.reason == IOMM_FAULT_TRANSLATION, "0x71 decoded as %u",
			 (unsigned)f.reason);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool once;
	if (!once) {
		struct iomm_fault f;
		uint64_t rec[2] = {0, 0};
		FZ_CHECK(iomm_vtd_decode_fault(NULL, &f) == IOMM_EINVAL, "NULL record");
		FZ_CHECK(iomm_vtd_decode_fault(rec, NULL) == IOMM_EINVAL, "NULL fault");
		once = true;
	}
	for (size_t off = 0; off < size; off += 16) {
		uint8_t rec[16];
		size_t n = size - off < 16 ? size - off : 16;
		memset(rec, 0, sizeof(rec));
		memcpy(rec, data + off, n);
		check_record(rec);
	}
	return 0;
}
