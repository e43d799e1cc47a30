/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_smmuv2_fault: raw SMMUv2 fault register values into
 * iomm_smmuv2_decode_fault().
 *
 * The input is cut into records of 25 bytes (a shorter tail is
 * zero-padded), little-endian: byte 0 bit 0 selects global (sGFSR & co) or
 * context-bank registers, then FSR (4), FAR (8), FSYNR0 (4), the stream ID
 * register (CBFRSYNRA or sGFSYNR1, 4) and CBAR (4). Each record is decoded
 * from a heap copy of the register struct, so an access beyond it is an
 * AddressSanitizer error, and the result must obey what smmuv2.h and
 * iommu.h promise and the register layouts (Arm IHI 0062, 10.x) imply:
 *  - IOMM_ENOENT exactly when the status register holds no fault bit
 *    (global: sGFSR[8:0] and MULTI; bank: FSR[8:1], SS and MULTI), and then
 *    the fault is all zeroes; otherwise IOMM_OK;
 *  - decoding twice gives the same result and leaves the registers as they were;
 *  - reason is a value of enum iomm_fault_reason; flags has only known bits;
 *    exactly one of READ and WRITE, WRITE exactly when WnR is set;
 *  - raw is the FSR, addr the FAR, sid the low 16 bits of the stream ID
 *    register, lost 1 exactly when MULTI (bit 31) is set;
 *  - IPA goes with STAGE2, and ipa is the FAR with it and 0 without it; a
 *    global fault is never a stage-2 one; a fault of a stage-2 bank (CBAR
 *    type 0) always is, with the IPA;
 *  - the highest-priority syndromes decode to their reasons: a bank's TF to
 *    TRANSLATION, a global USF to BAD_STREAM.
 */
#include <string.h>

#include <iommuman/iommuman.h>
#include <iommuman/smmuv2.h>

#include "fuzz_common.h"

#define REC 25u
#define KNOWN_FLAGS                                                                                \
	(IOMM_FAULT_READ | IOMM_FAULT_WRITE | IOMM_FAULT_EXEC | IOMM_FAULT_PRIV |                  \
	 IOMM_FAULT_STAGE2 | IOMM_FAULT_SSID | IOMM_FAULT_IPA)

static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static bool same(const struct iomm_fault *a, const struct iomm_fault *b)
{
	return a->sid == b->sid && a->ssid == b->ssid && a->addr == b->addr && a->ipa == b->ipa &&
	       a->reason == b->reason && a->flags == b->flags && a->raw == b->raw &&
	       a->lost == b->lost;
}

static void check_record(const uint8_t b[REC])
{
	struct iomm_smmuv2_fault_regs *r = malloc(sizeof(*r));
	FZ_CHECK(r != NULL, "out of memory");
	r->global = (b[0] & 1u) != 0;
	r->fsr = (uint32_t)le(b + 1, 4);
	r->far = le(b + 5, 8);
	r->fsynr0 = (uint32_t)le(b + 13, 4);
	r->synr1 = (uint32_t)le(b + 17, 4);
	r->cbar = (uint32_t)le(b + 21, 4);
	struct iomm_smmuv2_fault_regs copy = *r;

	struct iomm_fault f, g;
	memset(&f, 0xa5, sizeof(f));
	memset(&g, 0x5a, sizeof(g));
	int rc = iomm_smmuv2_decode_fault(r, &f);
	int rc2 = iomm_smmuv2_decode_fault(r, &g);
	FZ_CHECK(rc == rc2 && same(&f, &g), "two decodes of one record differ");
	FZ_CHECK(memcmp(r, &copy, sizeof(copy)) == 0, "the registers were modified");
	free(r);

	uint32_t fsr = copy.fsr;
	uint32_t faults = copy.global ? (fsr & (0x1ffu | 0x80000000u))
				      : (fsr & (0x1feu | 0x40000000u | 0x80000000u));
	if (!faults) {
		struct iomm_fault zero;
		memset(&zero, 0, sizeof(zero));
		FZ_CHECK(rc == IOMM_ENOENT, "no fault bit in 0x%x, rc %d", fsr, rc);
		FZ_CHECK(same(&f, &zero), "ENOENT with a non-zero fault");
		return;
	}
	FZ_CHECK(rc == IOMM_OK, "fault bits 0x%x, rc %d", fsr, rc);
	FZ_CHECK((unsigned)f.reason <= IOMM_FAULT_TLB_CONFLICT, "reason %u out of range",
		 (unsigned)f.reason);
	FZ_CHECK(!(f.flags & ~(uint32_t)KNOWN_FLAGS), "unknown flags 0x%x", f.flags);
	bool rd = (f.flags & IOMM_FAULT_READ) != 0, wr = (f.flags & IOMM_FAULT_WRITE) != 0;
	FZ_CHECK(rd != wr, "READ %d WRITE %d", rd, wr);
	bool wnr = copy.global ? (copy.fsynr0 >> 1) & 1u : (copy.fsynr0 >> 4) & 1u;
	FZ_CHECK(wr == wnr, "WRITE %d, WnR %d", wr, wnr);
	FZ_CHECK(f.raw == fsr, "raw 0x%x, FSR 0x%x", f.raw, fsr);
	FZ_CHECK(f.addr == copy.far, "addr 0x%llx, FAR 0x%llx", FZ_ULL(f.addr), FZ_ULL(copy.far));
	FZ_CHECK(f.sid == (copy.synr1 & 0xffffu), "sid 0x%x, register 0x%x", f.sid, copy.synr1);
	FZ_CHECK(f.lost == (fsr >> 31), "lost %u, MULTI %u", f.lost, fsr >> 31);
	FZ_CHECK(!(f.flags & IOMM_FAULT_SSID), "SSID flag on an SMMUv2");
	FZ_CHECK(!(f.flags & IOMM_FAULT_IPA) || (f.flags & IOMM_FAULT_STAGE2),
		 "IPA flag without STAGE2");
	FZ_CHECK(f.ipa == ((f.flags & IOMM_FAULT_IPA) ? copy.far : 0), "ipa 0x%llx, flags 0x%x",
		 FZ_ULL(f.ipa), f.flags);
	if (copy.global) {
		FZ_CHECK(!(f.flags & IOMM_FAULT_STAGE2), "global fault flagged stage 2");
		if (fsr & 2u)
			FZ_CHECK(f.reason == IOMM_FAULT_BAD_STREAM, "USF decoded as %u",
				 (unsigned)f.reason);
	} else {
		if (((copy.cbar >> 16) & 3u) == 0)
			FZ_CHECK((f.flags & (IOMM_FAULT_STAGE2 | IOMM_FAULT_IPA)) ==
					 (IOMM_FAULT_STAGE2 | IOMM_FAULT_IPA),
				 "stage-2 bank fault without STAGE2|IPA (flags 0x%x)", f.flags);
		if (fsr & 2u)
			FZ_CHECK(f.reason == IOMM_FAULT_TRANSLATION, "TF decoded as %u",
				 (unsigned)f.reason);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool once;
	if (!once) {
		struct iomm_fault f;
		struct iomm_smmuv2_fault_regs r;
		memset(&r, 0, sizeof(r));
		FZ_CHECK(iomm_smmuv2_decode_fault(NULL, &f) == IOMM_EINVAL, "NULL registers");
		FZ_CHECK(iomm_smmuv2_decode_fault(&r, NULL) == IOMM_EINVAL, "NULL fault");
		once = true;
	}
	for (size_t off = 0; off < size; off += REC) {
		uint8_t rec[REC];
		size_t n = size - off < REC ? size - off : REC;
		memset(rec, 0, sizeof(rec));
		memcpy(rec, data + off, n);
		check_record(rec);
	}
	return 0;
}
