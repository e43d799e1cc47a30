/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SMMUv3 probe: what the ID registers offer, less what the errata of the
 * part (known by its IIDR) take away. The table of quirks is documented in
 * docs/smmuv3.md.
 */
#include "smmuv3_internal.h"

/* SMMU_IIDR fields */
#define IIDR_IMPLEMENTER IOMM_GENMASK(11, 0)
#define IIDR_VARIANT_HI	 IOMM_GENMASK(19, 17) /* zero: variant (rN) 0 or 1 */
#define IIDR_PRODUCTID	 IOMM_GENMASK(31, 20)
#define IIDR_ARM(product) (((uint32_t)(product) << 20) | 0x43bu) /* implementer: Arm */

struct smmuv3_quirk {
	uint32_t mask, match; /* IIDR & mask == match */
	uint32_t quirks;      /* SMMUV3_Q_* */
};

static const struct smmuv3_quirk quirk_table[] = {
    /* MMU-600 r0 and r1: erratum 1209401, nested translation */
    {IIDR_PRODUCTID | IIDR_VARIANT_HI | IIDR_IMPLEMENTER, IIDR_ARM(0x483), SMMUV3_Q_NO_NESTING},
    /* MMU-700, every revision: errata 2268618 and 2812531 */
    {IIDR_PRODUCTID | IIDR_IMPLEMENTER, IIDR_ARM(0x487),
     SMMUV3_Q_NO_NESTING | SMMUV3_Q_SYNC_BATCH | SMMUV3_Q_NO_BTM},
};

uint32_t smmuv3_quirks(uint32_t iidr)
{
	uint32_t q = 0;
	for (unsigned i = 0; i < sizeof(quirk_table) / sizeof(quirk_table[0]); i++)
		if ((iidr & quirk_table[i].mask) == quirk_table[i].match)
			q |= quirk_table[i].quirks;
	return q;
}

static const uint8_t oas_bits[] = {32, 36, 40, 42, 44, 48, 52};

/* The IOMM_SMMUV3_F_* features IDR0 and IDR3 report (before quirks). */
static uint32_t idr_features(const uint32_t idr[6])
{
	uint32_t f = 0;
	uint32_t ttf = (uint32_t)iomm_field_get(idr[0], IDR0_TTF);
	if (ttf == IDR0_TTF_AARCH64 || ttf == IDR0_TTF_BOTH)
		f |= IOMM_SMMUV3_F_AARCH64;
	if (idr[0] & IDR0_S1P)
		f |= IOMM_SMMUV3_F_S1;
	if (idr[0] & IDR0_S2P)
		f |= IOMM_SMMUV3_F_S2;
	if (iomm_field_get(idr[0], IDR0_ST_LEVEL) == 1)
		f |= IOMM_SMMUV3_F_2LVL;
	if (idr[0] & IDR0_COHACC)
		f |= IOMM_SMMUV3_F_COHACC;
	if (idr[3] & IDR3_RIL)
		f |= IOMM_SMMUV3_F_RIL;
	/*
	 * IDR3.BBML (SMMUv3.2): which table changes the SMMU tolerates without
	 * break-before-make. Level 0 (also every SMMU before v3.2): none; a
	 * change of block size or of the Contiguous hint on a live entry may
	 * give TLB conflicts. Recorded and logged; the table code does not
	 * rely on it.
	 */
	uint32_t bbml = (uint32_t)iomm_field_get(idr[3], IDR3_BBML);
	if (bbml == 1)
		f |= IOMM_SMMUV3_F_BBML1;
	else if (bbml == 2)
		f |= IOMM_SMMUV3_F_BBML2;
	if (idr[0] & IDR0_ASID16)
		f |= IOMM_SMMUV3_F_ASID16;
	if (idr[0] & IDR0_VMID16)
		f |= IOMM_SMMUV3_F_VMID16;
	if ((idr[0] & IDR0_HYP) && (idr[0] & IDR0_S1P) && (idr[0] & IDR0_S2P))
		f |= IOMM_SMMUV3_F_HYP; /* RES0 unless both stages exist */
	if (idr[0] & IDR0_BTM)
		f |= IOMM_SMMUV3_F_BTM;
	if (idr[0] & IDR0_MSI)
		f |= IOMM_SMMUV3_F_MSI;
	if (idr[0] & IDR0_ATS)
		f |= IOMM_SMMUV3_F_ATS;
	if (idr[0] & IDR0_PRI)
		f |= IOMM_SMMUV3_F_PRI;
	if (idr[0] & IDR0_HTTU)
		f |= IOMM_SMMUV3_F_HTTU;
	if (iomm_field_get(idr[0], IDR0_STALL_MODEL) == IDR0_STALL_FORCE)
		f |= IOMM_SMMUV3_F_STALL_FORCE; /* CD.S and STE.S2S must then be 1 */
	return f;
}

int smmuv3_probe(struct iomm_smmuv3 *s)
{
	for (unsigned i = 0; i < 6; i++)
		s->idr[i] = rd32(s, SMMU_IDR0 + 4 * i);
	s->iidr = rd32(s, SMMU_IIDR);
	s->aidr = rd32(s, SMMU_AIDR);
	uint32_t idr1 = s->idr[1], idr5 = s->idr[5];
	if (idr1 & (IDR1_TABLES_PRESET | IDR1_QUEUES_PRESET | IDR1_REL)) {
		/* Embedded: firmware's tables and queues would be used, not ours. */
		iomm_log(port_of(s), IOMM_LOG_ERROR, "smmuv3: preset tables/queues, IDR1=", idr1,
			 "");
		return IOMM_REFUSE_AS(port_of(s), IOMM_ENOTSUP, "iomm_smmuv3_init",
				      "unit: firmware-preset tables and queues (IDR1.TABLES/QUEUES_PRESET)");
	}
	uint32_t f = idr_features(s->idr);
	iomm_log(port_of(s), IOMM_LOG_INFO, "smmuv3: IDR3.BBML break-before-make level ",
		 iomm_field_get(s->idr[3], IDR3_BBML), "");
	s->quirks = smmuv3_quirks(s->iidr);
	if (s->quirks & SMMUV3_Q_NO_BTM)
		f &= ~(uint32_t)IOMM_SMMUV3_F_BTM;
	s->features = f;
	if (!(f & IOMM_SMMUV3_F_AARCH64) || !(f & (IOMM_SMMUV3_F_S1 | IOMM_SMMUV3_F_S2)))
		return IOMM_ENODEV;

	struct iomm_unit *u = &s->unit;
	u->caps = IOMM_CAP_BYPASS;
	if (f & IOMM_SMMUV3_F_S1)
		u->caps |= IOMM_CAP_S1;
	if (f & IOMM_SMMUV3_F_S2)
		u->caps |= IOMM_CAP_S2;
	if ((f & IOMM_SMMUV3_F_S1) && (f & IOMM_SMMUV3_F_S2) && !(s->quirks & SMMUV3_Q_NO_NESTING))
		u->caps |= IOMM_CAP_NESTED;
	if ((f & IOMM_SMMUV3_F_COHACC) && (port_of(s)->flags & IOMM_PORT_DMA_COHERENT))
		u->caps |= IOMM_CAP_COHERENT;
	u->granules = 0;
	u->page_sizes = 0;
	if (idr5 & IDR5_GRAN4K) {
		u->granules |= 1u << 12;
		u->page_sizes |= IOMM_BIT(12) | IOMM_BIT(21) | IOMM_BIT(30);
	}
	if (idr5 & IDR5_GRAN16K) {
		u->granules |= 1u << 14;
		u->page_sizes |= IOMM_BIT(14) | IOMM_BIT(25);
	}
	if (idr5 & IDR5_GRAN64K) {
		u->granules |= 1u << 16;
		u->page_sizes |= IOMM_BIT(16) | IOMM_BIT(29);
	}
	if (!u->granules)
		return IOMM_ENODEV;
	uint32_t oas = (uint32_t)iomm_field_get(idr5, IDR5_OAS);
	if (oas >= sizeof(oas_bits))
		oas = sizeof(oas_bits) - 1;
	s->oas_enc = (uint8_t)oas;
	u->oas = oas_bits[oas];
	u->ias = u->oas > 48 ? 48 : (u->oas < 32 ? 32 : 48);
	if (u->ias < u->oas && !(f & IOMM_SMMUV3_F_S1))
		u->ias = u->oas; /* stage 2 input is an IPA up to OAS */
	s->asid_bits = (f & IOMM_SMMUV3_F_ASID16) ? 16 : 8;
	s->vmid_bits = (f & IOMM_SMMUV3_F_VMID16) ? 16 : 8;
	u->sid_bits = (uint8_t)iomm_field_get(idr1, IDR1_SIDSIZE);
	u->name = "smmuv3";
	return IOMM_OK;
}

