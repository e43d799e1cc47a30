/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Intel VT-d page-table formats: second-stage (second-level) tables, and
 * x86-64 paging as VT-d first-stage tables. Both have a 4 KiB granule, 9
 * index bits per level and leaves of 4 KiB, 2 MiB and 1 GiB.
 */
#include "pgtable/pgt_internal.h"

/* ---- VT-d second-stage entries (VT-d spec 9.8) ---- */
#define SL_R   IOMM_BIT(0)
#define SL_W   IOMM_BIT(1)
#define SL_PS  IOMM_BIT(7) /* superpage, above the last level */
#define SL_SNP IOMM_BIT(11)

/* ---- x86-64 paging entries as VT-d first stage (VT-d spec 9.7, SDM vol. 3 4.5) ---- */
#define FL_P   IOMM_BIT(0)
#define FL_RW  IOMM_BIT(1)
#define FL_US  IOMM_BIT(2)
#define FL_PWT IOMM_BIT(3)
#define FL_PCD IOMM_BIT(4)
#define FL_A   IOMM_BIT(5)
#define FL_D   IOMM_BIT(6)
#define FL_PS  IOMM_BIT(7) /* large page, above the last level */

/* ---- VT-d second stage ---- */
static bool sl_prot_ok(uint32_t prot)
{
	return !(prot & IOMM_PRIV); /* no privilege distinction */
}

static uint64_t sl_prot_to_attr(const struct iomm_pgt *pgt, uint32_t prot)
{
	uint64_t attr = (pgt->cfg.flags & IOMM_PGT_SNOOP) ? SL_SNP : 0;
	if (prot & IOMM_READ)
		attr |= SL_R;
	if (prot & IOMM_WRITE)
		attr |= SL_W;
	return attr;
}

static uint32_t sl_pte_to_prot(uint64_t pte)
{
	uint32_t prot = 0;
	if (pte & SL_R)
		prot |= IOMM_READ;
	if (pte & SL_W)
		prot |= IOMM_WRITE;
	return prot;
}

/* ---- x86-64 first stage ---- */
static bool fl_prot_ok(uint32_t prot)
{
	return (prot & IOMM_READ) != 0; /* no write-only pages */
}

static uint64_t fl_prot_to_attr(const struct iomm_pgt *pgt, uint32_t prot)
{
	(void)pgt;
	/* A and D preset: the walker has nothing to write back. */
	uint64_t attr = FL_P | FL_A;
	if (prot & IOMM_WRITE)
		attr |= FL_RW | FL_D;
	if (!(prot & IOMM_PRIV))
		attr |= FL_US;
	if ((prot & IOMM_MEM_MASK) != IOMM_MEM_WB)
		attr |= FL_PCD | FL_PWT;
	return attr;
}

static uint32_t fl_pte_to_prot(uint64_t pte)
{
	uint32_t prot = IOMM_READ;
	if (pte & FL_RW)
		prot |= IOMM_WRITE;
	if (!(pte & FL_US))
		prot |= IOMM_PRIV;
	if (pte & FL_PCD)
		prot |= IOMM_MEM_NC;
	return prot;
}

/* ---- descriptors ---- */
#define X86_GRANULES                                                                              \
	{                                                                                         \
		{.size = 4096, .leaf_sizes = IOMM_BIT(12) | IOMM_BIT(21) | IOMM_BIT(30)},         \
	}

#define X86_FLAGS (IOMM_PGT_NONCOHERENT | IOMM_PGT_NO_CONTIG | IOMM_PGT_NG | IOMM_PGT_NS)

/*
 * Second stage: as many levels as ias needs (the context's AW: 3, 4 or 5).
 * Table entries grant everything; leaves decide.
 */
const struct iomm_pgt_fmt iomm_pgt_fmt_vtd_sl = {
	.format = IOMM_FMT_VTD_SL,
	.inplace_mask = ~0ull, /* no break-before-make rule: store, then invalidate */
	.gran = X86_GRANULES,
	.flags = X86_FLAGS | IOMM_PGT_SNOOP,
	.ias_min = 32,
	.ias_max = 57,
	.oas_max = 52,
	.oas_sizes = IOMM_GENMASK(52, 32),
	.oa_hi = 51,
	.last = 4,
	.start_rule = PGT_START_FEWEST,
	.v_mask = SL_R | SL_W,
	.t_mask = SL_R | SL_W | SL_PS,
	.t_val = SL_R | SL_W,
	.t_bits = SL_R | SL_W,
	.type_mask = SL_PS,
	.block_bits = SL_PS,
	.dflt.ias_cap = 48,
	.prot_ok = sl_prot_ok,
	.prot_to_attr = sl_prot_to_attr,
	.pte_to_prot = sl_pte_to_prot,
};

/*
 * First stage: 4-level or 5-level paging. Input addresses must be canonical:
 * bit 47 (bit 56 with 5 levels) is the sign bit, and a device address with
 * it set is not canonical, so 4 levels translate 47 bits, 5 levels 56.
 */
const struct iomm_pgt_fmt iomm_pgt_fmt_x86_fl = {
	.format = IOMM_FMT_X86_FL,
	.inplace_mask = ~0ull, /* no break-before-make rule: store, then invalidate */
	.gran = X86_GRANULES,
	.flags = X86_FLAGS,
	.ias_min = 32,
	.ias_max = 56,
	.oas_max = 52,
	.oas_sizes = IOMM_GENMASK(52, 32),
	.oa_hi = 51,
	.last = 4,
	.start_rule = PGT_START_PAGING,
	.short_ias = 47,
	.short_levels = 4,
	.v_mask = FL_P,
	.t_mask = FL_P | FL_PS,
	.t_val = FL_P,
	.t_bits = FL_P | FL_RW | FL_US | FL_A,
	.type_mask = FL_PS,
	.block_bits = FL_PS,
	.dflt.ias_cap = 47, /* bit 47 is the sign of a canonical 4-level address */
	.prot_ok = fl_prot_ok,
	.prot_to_attr = fl_prot_to_attr,
	.pte_to_prot = fl_pte_to_prot,
};
