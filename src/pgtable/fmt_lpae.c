/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Arm VMSAv8-64 (LPAE) translation table formats, stage 1 and stage 2, for
 * 4, 16 and 64 KiB granules: descriptor bits, limits, level and leaf rules,
 * permission encodings, and the register values that go with a table.
 */
#include "pgtable/pgt_internal.h"

/* ---- descriptor layout (Arm ARM D8.3, SMMUv3 5.x) ---- */
#define D_VALID	    IOMM_BIT(0)
#define D_TYPE_MASK 3ull
#define D_TABLE	    3ull /* table at levels 0-2 */
#define D_PAGE	    3ull /* page at level 3 */
#define D_BLOCK	    1ull /* block at levels 1-2 */

#define D_ATTRIDX_SHIFT	   2
#define D_NS		   IOMM_BIT(5)
#define D_AP_UNPRIV	   IOMM_BIT(6) /* stage 1 AP[1] */
#define D_AP_RDONLY	   IOMM_BIT(7) /* stage 1 AP[2] */
#define D_S2AP_R	   IOMM_BIT(6)
#define D_S2AP_W	   IOMM_BIT(7)
#define D_S2_MEMATTR_SHIFT 2
#define D_SH_SHIFT	   8
#define D_SH_MASK	   (3ull << D_SH_SHIFT)
#define D_AF		   IOMM_BIT(10)
#define D_NG		   IOMM_BIT(11)
#define D_PXN		   IOMM_BIT(53)
#define D_UXN		   IOMM_BIT(54) /* stage 1 UXN/XN; stage 2 XN[1] */

#define SH_NONE	 0ull
#define SH_OUTER 2ull
#define SH_INNER 3ull

/* MAIR attribute indices and the MAIR value that goes with them. */
#define MAIR_IDX_WB  0u
#define MAIR_IDX_NC  1u
#define MAIR_IDX_DEV 2u
#define MAIR_WB	     0xffull /* normal, inner/outer write-back RW-allocate */
#define MAIR_NC	     0x44ull /* normal, inner/outer non-cacheable */
#define MAIR_DEV     0x04ull /* device nGnRE */

/* Stage-2 MemAttr[3:0] */
#define S2_MEMATTR_WB  0xfull
#define S2_MEMATTR_NC  0x5ull
#define S2_MEMATTR_DEV 0x1ull

#define FOLD52_MASK IOMM_GENMASK(15, 12) /* PA[51:48] with a 64 KiB granule */
#define D_TABLE_SW  IOMM_BIT(58)	  /* IGNORED in table descriptors (both stages) */

/* Output sizes the IPS/PS fields encode, in encoding order. */
static const uint8_t ps_sizes[] = {32, 36, 40, 42, 44, 48, 52};

static int ps_encoding(unsigned oas)
{
	for (unsigned i = 0; i < sizeof(ps_sizes); i++)
		if (ps_sizes[i] == oas)
			return (int)i;
	return -1;
}

/* ---- prot <-> attributes ---- */
static bool s1_prot_ok(uint32_t prot)
{
	(void)prot; /* every well-formed prot can be expressed */
	return true;
}

/* Stage 2 has no privilege check (S2AP grants read and write to every
 * requester, Arm ARM D8.4): IOMM_PRIV would be lost, so it is refused. */
static bool s2_prot_ok(uint32_t prot)
{
	return !(prot & IOMM_PRIV);
}

/* Access flag and shareability, common to both stages. */
static uint64_t arm_attr_sh(uint32_t prot)
{
	/* By the prot's field: default (inner for write-back), none, outer, inner. */
	static const uint8_t sh_of[] = {SH_INNER, SH_NONE, SH_OUTER, SH_INNER};
	uint64_t sh = sh_of[(prot & IOMM_SH_MASK) >> IOMM_SH_SHIFT];
	if ((prot & IOMM_SH_MASK) == IOMM_SH_DEFAULT && (prot & IOMM_MEM_MASK) != IOMM_MEM_WB)
		sh = SH_OUTER;
	return D_AF | (sh << D_SH_SHIFT);
}

static uint64_t s1_prot_to_attr(const struct iomm_pgt *pgt, uint32_t prot)
{
	static const uint8_t attr_idx[] = {MAIR_IDX_WB, MAIR_IDX_NC, MAIR_IDX_DEV};
	uint32_t mem = prot & IOMM_MEM_MASK;
	uint64_t attr = arm_attr_sh(prot);
	attr |= (uint64_t)attr_idx[mem >> IOMM_MEM_SHIFT] << D_ATTRIDX_SHIFT;
	if (!(prot & IOMM_WRITE))
		attr |= D_AP_RDONLY;
	if (!(prot & IOMM_PRIV))
		attr |= D_AP_UNPRIV;
	if (!(prot & IOMM_EXEC))
		attr |= D_UXN | D_PXN;
	if (pgt->cfg.flags & IOMM_PGT_NG)
		attr |= D_NG;
	if (pgt->cfg.flags & IOMM_PGT_NS)
		attr |= D_NS;
	return attr;
}

static uint64_t s2_prot_to_attr(const struct iomm_pgt *pgt, uint32_t prot)
{
	(void)pgt;
	uint32_t mem = prot & IOMM_MEM_MASK;
	uint64_t attr = arm_attr_sh(prot);
	uint64_t memattr = mem == IOMM_MEM_WB	? S2_MEMATTR_WB
			   : mem == IOMM_MEM_NC ? S2_MEMATTR_NC
						: S2_MEMATTR_DEV;
	attr |= memattr << D_S2_MEMATTR_SHIFT;
	if (prot & IOMM_READ)
		attr |= D_S2AP_R;
	if (prot & IOMM_WRITE)
		attr |= D_S2AP_W;
	if (!(prot & IOMM_EXEC))
		attr |= D_UXN;
	return attr;
}

/* Shareability bits of @pte as prot bits, where they differ from @mem's default. */
static uint32_t arm_sh_prot(uint64_t pte, uint32_t mem)
{
	uint64_t sh = (pte & D_SH_MASK) >> D_SH_SHIFT;
	uint32_t dflt = mem == IOMM_MEM_WB ? (uint32_t)SH_INNER : (uint32_t)SH_OUTER;
	if (sh == dflt)
		return 0;
	return sh == SH_NONE ? IOMM_SH_NONE : sh == SH_OUTER ? IOMM_SH_OUTER : IOMM_SH_INNER;
}

/* Where a stage keeps a leaf's permissions and memory type. */
struct arm_perm {
	uint64_t inv;      /* bits that grant their permission when clear */
	uint64_t r, w;     /* read and write permission bits (r = 0: always readable) */
	uint64_t priv;     /* privileged-access bit (0: none) */
	uint8_t attr_mask; /* mask of the memory-type field at bit 2 */
	uint8_t wb, nc;    /* its write-back and non-cacheable values */
};

/* Stage 1: AP[2:1] and UXN deny; the memory type is a MAIR index. */
static const struct arm_perm s1_perm = {
	.inv = D_AP_RDONLY | D_AP_UNPRIV | D_UXN,
	.r = 0,
	.w = D_AP_RDONLY,
	.priv = D_AP_UNPRIV,
	.attr_mask = 7,
	.wb = MAIR_IDX_WB,
	.nc = MAIR_IDX_NC,
};

/* Stage 2: S2AP grants, XN denies; the memory type is MemAttr. */
static const struct arm_perm s2_perm = {
	.inv = D_UXN,
	.r = D_S2AP_R,
	.w = D_S2AP_W,
	.priv = 0,
	.attr_mask = 0xf,
	.wb = S2_MEMATTR_WB,
	.nc = S2_MEMATTR_NC,
};

/* The prot a leaf of the stage described by @p grants. */
static __attribute__((noinline)) uint32_t arm_pte_to_prot(uint64_t pte, const struct arm_perm *p)
{
	uint32_t a = (uint32_t)(pte >> D_ATTRIDX_SHIFT) & p->attr_mask;
	uint32_t mem = a == p->wb ? IOMM_MEM_WB : a == p->nc ? IOMM_MEM_NC : IOMM_MEM_DEVICE;
	uint64_t g = pte ^ p->inv; /* a set bit grants */
	uint32_t prot = 0;
	if (!p->r || (g & p->r))
		prot |= IOMM_READ;
	if (g & p->w)
		prot |= IOMM_WRITE;
	if (g & p->priv)
		prot |= IOMM_PRIV;
	if (g & D_UXN)
		prot |= IOMM_EXEC;
	return prot | arm_sh_prot(pte, mem) | mem;
}

static uint32_t s1_pte_to_prot(uint64_t pte)
{
	return arm_pte_to_prot(pte, &s1_perm);
}

static uint32_t s2_pte_to_prot(uint64_t pte)
{
	return arm_pte_to_prot(pte, &s2_perm);
}

/* ---- descriptors ---- */

/*
 * Granules: pages plus the blocks each granule allows, and the entries per
 * contiguous group (Arm ARM D8.6.1). Stage 2 may start at levels 0-2 with a
 * 4 KiB granule, 1-3 with 16 and 64 KiB (what SL0 encodes).
 */
#define ARM_GRANULES                                                                              \
	{                                                                                         \
		{.size = 4096,                                                                    \
		 .leaf_sizes = IOMM_BIT(12) | IOMM_BIT(21) | IOMM_BIT(30),                        \
		 .cont_shift = {0, 4, 4, 4, 0},                                                   \
		 .start_min = 0,                                                                  \
		 .start_max = 2},                                                                 \
		    {.size = 16384,                                                               \
		     .leaf_sizes = IOMM_BIT(14) | IOMM_BIT(25),                                   \
		     .cont_shift = {0, 0, 5, 7, 0},                                               \
		     .start_min = 1,                                                              \
		     .start_max = 3},                                                             \
		    {.size = 65536,                                                               \
		     .leaf_sizes = IOMM_BIT(16) | IOMM_BIT(29),                                   \
		     .cont_shift = {0, 0, 5, 5, 0},                                               \
		     .start_min = 1,                                                              \
		     .start_max = 3},                                                             \
	}

#define ARM_OAS_SIZES                                                                             \
	(IOMM_BIT(32) | IOMM_BIT(36) | IOMM_BIT(40) | IOMM_BIT(42) | IOMM_BIT(44) | IOMM_BIT(48) | \
	 IOMM_BIT(52))

/* Everything but the stage, the start rule and the permission encodings. */
#define ARM_COMMON                                                                                \
	.gran = ARM_GRANULES, .flags = IOMM_PGT_NONCOHERENT | IOMM_PGT_NO_CONTIG | IOMM_PGT_NG |     \
				       IOMM_PGT_NS,                                               \
	.ias_min = 32, .ias_max = 48, .oas_max = 48, .wide_granule = 65536, .wide_max = 52,       \
	.oas_sizes = ARM_OAS_SIZES, .oa_hi = 47, .last = 3, .v_mask = D_VALID,                    \
	.t_mask = D_TYPE_MASK, .t_val = D_TABLE, .t_bits = D_TABLE, .type_mask = D_TYPE_MASK,     \
	.page_bits = D_PAGE, .block_bits = D_BLOCK, .oa_fold_52 = FOLD52_MASK, .dflt.ias_cap = 48, \
	.full_bit = D_TABLE_SW

/*
 * Arm ARM (D8.16, break-before-make) and SMMUv3: a live leaf's permissions
 * (AP, PXN, UXN / S2AP, XN) may change in place; its output address, memory
 * type, shareability, size or Contiguous bit only by break-before-make.
 */
const struct iomm_pgt_fmt iomm_pgt_fmt_lpae_s1 = {
	.format = IOMM_FMT_ARM_LPAE_S1,
	ARM_COMMON,
	.inplace_mask = D_AP_UNPRIV | D_AP_RDONLY | D_PXN | D_UXN,
	.start_rule = PGT_START_FEWEST,
	.dflt.flags = IOMM_PGT_NG, /* TLB entries tagged with the domain's ASID */
	.prot_ok = s1_prot_ok,
	.prot_to_attr = s1_prot_to_attr,
	.pte_to_prot = s1_pte_to_prot,
};

const struct iomm_pgt_fmt iomm_pgt_fmt_lpae_s2 = {
	.format = IOMM_FMT_ARM_LPAE_S2,
	ARM_COMMON,
	.inplace_mask = D_S2AP_R | D_S2AP_W | D_PXN | D_UXN,
	.start_rule = PGT_START_CONCAT,
	/* The start level and concatenation rules tie S2T0SZ to PS. */
	.dflt.ias_within_oas = true,
	.prot_ok = s2_prot_ok,
	.prot_to_attr = s2_prot_to_attr,
	.pte_to_prot = s2_pte_to_prot,
};

/* ---- registers ---- */
int iomm_pgt_lpae_regs(const struct iomm_pgt *pgt, struct iomm_lpae_regs *regs)
{
	if (!pgt || !regs || !pgt->root || pgt->cfg.format > IOMM_FMT_ARM_LPAE_S2)
		return IOMM_REFUSE(pgt ? pgt->port : NULL, IOMM_EINVAL,
				   "pgt (a live Arm LPAE table), regs: must not be NULL");
	bool s2 = pgt->cfg.format == IOMM_FMT_ARM_LPAE_S2;
	unsigned g = pgt->page_shift;
	regs->ttbr = pgt->root_pa;
	regs->mair = s2 ? 0
			: (MAIR_WB << (8 * MAIR_IDX_WB)) | (MAIR_NC << (8 * MAIR_IDX_NC)) |
			      (MAIR_DEV << (8 * MAIR_IDX_DEV));
	regs->tsz = (uint8_t)(64 - pgt->cfg.ias);
	regs->tg = g == 12 ? 0 : g == 16 ? 1 : 2;
	unsigned sl0 = g == 12 ? 2u - pgt->start_level : 3u - pgt->start_level;
	regs->sl0 = s2 ? (uint8_t)sl0 : 0;
	regs->ps = (uint8_t)ps_encoding(pgt->cfg.oas);
	regs->irgn = pgt->coherent ? 1 : 0;
	regs->orgn = pgt->coherent ? 1 : 0;
	regs->sh = pgt->coherent ? 3 : 2; /* Normal Non-cacheable is Outer Shareable */
	regs->start_level = pgt->start_level;
	regs->concat = pgt->root_pages;
	return IOMM_OK;
}
