/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Intel VT-d backend: primary fault logging through the fault recording
 * registers.
 */
#include "vtd_internal.h"

/* Fault reason code -> enum iomm_fault_reason; codes not listed are IOMM_FAULT_OTHER (0). */
static const uint8_t reason_of[256] = {
    /* root, context or PASID entry not present: the device is not set up */
    [0x01] = IOMM_FAULT_BAD_STREAM, [0x02] = IOMM_FAULT_BAD_STREAM,
    [0x39] = IOMM_FAULT_BAD_STREAM, [0x41] = IOMM_FAULT_BAD_STREAM,
    [0x51] = IOMM_FAULT_BAD_STREAM, [0x59] = IOMM_FAULT_BAD_STREAM,
    /* invalid or reserved bits in a root, context, PASID or table entry */
    [0x03] = IOMM_FAULT_BAD_CONFIG, [0x0a] = IOMM_FAULT_BAD_CONFIG,
    [0x0b] = IOMM_FAULT_BAD_CONFIG, [0x0c] = IOMM_FAULT_BAD_CONFIG,
    [0x0d] = IOMM_FAULT_BAD_CONFIG, [0x30] = IOMM_FAULT_BAD_CONFIG,
    [0x31] = IOMM_FAULT_BAD_CONFIG, [0x32] = IOMM_FAULT_BAD_CONFIG,
    [0x3a] = IOMM_FAULT_BAD_CONFIG, [0x42] = IOMM_FAULT_BAD_CONFIG,
    [0x43] = IOMM_FAULT_BAD_CONFIG, [0x44] = IOMM_FAULT_BAD_CONFIG,
    [0x45] = IOMM_FAULT_BAD_CONFIG, [0x46] = IOMM_FAULT_BAD_CONFIG,
    [0x47] = IOMM_FAULT_BAD_CONFIG, [0x48] = IOMM_FAULT_BAD_CONFIG,
    [0x52] = IOMM_FAULT_BAD_CONFIG, [0x5a] = IOMM_FAULT_BAD_CONFIG,
    [0x5b] = IOMM_FAULT_BAD_CONFIG, [0x5c] = IOMM_FAULT_BAD_CONFIG,
    [0x5d] = IOMM_FAULT_BAD_CONFIG, [0x72] = IOMM_FAULT_BAD_CONFIG,
    [0x7a] = IOMM_FAULT_BAD_CONFIG, [0x7b] = IOMM_FAULT_BAD_CONFIG,
    /* address beyond the width, non-canonical */
    [0x04] = IOMM_FAULT_ADDR_SIZE, [0x74] = IOMM_FAULT_ADDR_SIZE,
    [0x80] = IOMM_FAULT_ADDR_SIZE, [0x83] = IOMM_FAULT_ADDR_SIZE,
    [0x84] = IOMM_FAULT_ADDR_SIZE,
    /* read/write/execute/privilege refused (second stage: also not present) */
    [0x05] = IOMM_FAULT_PERMISSION, [0x06] = IOMM_FAULT_PERMISSION,
    [0x75] = IOMM_FAULT_PERMISSION, [0x76] = IOMM_FAULT_PERMISSION,
    [0x77] = IOMM_FAULT_PERMISSION, [0x79] = IOMM_FAULT_PERMISSION,
    [0x81] = IOMM_FAULT_PERMISSION, [0x82] = IOMM_FAULT_PERMISSION,
    [0x85] = IOMM_FAULT_PERMISSION, [0x86] = IOMM_FAULT_PERMISSION,
    /* first-stage entry not present */
    [0x71] = IOMM_FAULT_TRANSLATION,
    /* the walk could not read a structure */
    [0x07] = IOMM_FAULT_WALK, [0x08] = IOMM_FAULT_WALK, [0x09] = IOMM_FAULT_WALK,
    [0x38] = IOMM_FAULT_WALK, [0x40] = IOMM_FAULT_WALK, [0x50] = IOMM_FAULT_WALK,
    [0x58] = IOMM_FAULT_WALK, [0x70] = IOMM_FAULT_WALK, [0x73] = IOMM_FAULT_WALK,
    [0x78] = IOMM_FAULT_WALK,
    /* interrupt remapping (the fault conditions of chapter 5): 0x20 reserved fields in the request,
     * 0x21 index beyond the table, 0x22 entry not present, 0x23 table not
     * readable, 0x24 reserved fields in the entry, 0x25 compatibility format
     * blocked, 0x26 source-ID validation failed, 0x27 posted-format entry
     * not usable */
    [0x20] = IOMM_FAULT_PERMISSION, [0x21] = IOMM_FAULT_TRANSLATION,
    [0x22] = IOMM_FAULT_TRANSLATION, [0x23] = IOMM_FAULT_WALK,
    [0x24] = IOMM_FAULT_BAD_CONFIG, [0x25] = IOMM_FAULT_PERMISSION,
    [0x26] = IOMM_FAULT_PERMISSION, [0x27] = IOMM_FAULT_BAD_CONFIG,
    /* accessed/dirty update needed but not possible */
    [0x7c] = IOMM_FAULT_ACCESS_FLAG, [0x90] = IOMM_FAULT_ACCESS_FLAG,
};

int iomm_vtd_decode_fault(const uint64_t rec[2], struct iomm_fault *f)
{
	if (!rec || !f)
		return IOMM_REFUSE(NULL, IOMM_EINVAL, "rec, f: must not be NULL");
	uint64_t lo = rec[0], hi = rec[1];
	uint32_t fr = (uint32_t)iomm_field_get(hi, FRCD_HI_FR);
	f->sid = (uint32_t)iomm_field_get(hi, FRCD_HI_SID);
	f->ssid = 0;
	f->addr = lo & FRCD_LO_FI;
	f->ipa = 0;
	f->raw = fr;
	f->reason = (enum iomm_fault_reason)reason_of[fr & 0xffu];
	f->lost = 0;
	f->flags = 0;
	if (fr >= FR_IR_FIRST && fr <= FR_IR_LAST) {
		/* An interrupt request: FI[63:48] is its interrupt index, no access type. */
		f->flags = IOMM_FAULT_IRQ;
		f->addr = iomm_field_get(lo, FRCD_LO_IIDX);
		return (hi & FRCD_HI_F) ? IOMM_OK : IOMM_ENOENT;
	}
	if (!(hi & FRCD_HI_T2))
		f->flags |= (hi & FRCD_HI_T1) ? IOMM_FAULT_READ : IOMM_FAULT_WRITE;
	if (hi & FRCD_HI_EXE)
		f->flags |= IOMM_FAULT_EXEC;
	if (hi & FRCD_HI_PRIV)
		f->flags |= IOMM_FAULT_PRIV;
	if (hi & FRCD_HI_PP) {
		f->flags |= IOMM_FAULT_SSID;
		f->ssid = (uint32_t)iomm_field_get(hi, FRCD_HI_PV);
	}
	return (hi & FRCD_HI_F) ? IOMM_OK : IOMM_ENOENT;
}

int vtd_fault_poll(struct iomm_unit *unit, iomm_fault_fn fn, void *arg)
{
	struct iomm_vtd *v = to_vtd(unit);
	uint32_t fsts = rd32(v, VTD_FSTS);
	uint32_t lost = 0;
	if (fsts & FSTS_PFO) {
		lost = 1; /* at least one record was dropped */
		v->stats.lost++;
		wr32(v, VTD_FSTS, (uint32_t)FSTS_PFO);
		iomm_log_str(port_of(v), IOMM_LOG_WARN, "vtd: primary fault overflow, records lost");
	}
	int n = 0;
	unsigned first = (unsigned)iomm_field_get(fsts, FSTS_FRI) % v->nfr;
	for (unsigned k = 0; k < v->nfr; k++) {
		unsigned i = (first + k) % v->nfr;
		uint32_t off = v->fro + i * FRCD_BYTES;
		uint64_t rec[2];
		rec[1] = rd64(v, off + FRCD_HI_OFF);
		if (!(rec[1] & FRCD_HI_F))
			continue;
		/* F says the record is complete: read the rest only after it. */
		iomm_port_mb(port_of(v));
		rec[0] = rd64(v, off);
		/* Release the record (F is write-1-to-clear) before handing it on,
		 * once everything in it has been read. */
		iomm_port_mb(port_of(v));
		wr32(v, off + FRCD_F_DW_OFF, FRCD_F_DW);
		struct iomm_fault f;
		(void)iomm_vtd_decode_fault(rec, &f);
		f.lost = lost;
		lost = 0;
		v->stats.faults++;
		fn(arg, &f);
		n++;
	}
	if (lost) {
		/* Overflow with no record left to carry it: report it alone. */
		struct iomm_fault f = {0};
		f.reason = IOMM_FAULT_OTHER;
		f.lost = lost;
		fn(arg, &f);
		n++;
	}
	return n;
}

void vtd_fault_clear_all(struct iomm_vtd *v)
{
	wr32(v, VTD_FSTS, (uint32_t)(FSTS_PFO | FSTS_QI_ERRORS));
	for (unsigned i = 0; i < v->nfr; i++)
		wr32(v, v->fro + i * FRCD_BYTES + FRCD_F_DW_OFF, FRCD_F_DW);
}
