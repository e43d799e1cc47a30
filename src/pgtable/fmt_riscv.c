/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RISC-V page-table formats as the RISC-V IOMMU (v1.0) uses them: Sv39,
 * Sv48 and Sv57 for first-stage translation, Sv39x4, Sv48x4 and Sv57x4 for
 * the G-stage. 4 KiB granule, 9 index bits per level (11 at a G-stage
 * root, which is 16 KiB), leaves at every level.
 *
 * Entries (privileged architecture, "Sv39: Page-Based 39-bit Virtual-Memory
 * System", the Sv39 PTE figure; Sv48 and Sv57 use the same layout):
 *   V bit 0, R 1, W 2, X 3, U 4, G 5, A 6, D 7, RSW 9:8, PPN 53:10
 *   (= PA[55:12]), PBMT 62:61 (Svpbmt), N 63 (Svnapot).
 * A non-leaf entry has V set and R = W = X = 0; its D, A and U are
 * reserved (zero). A leaf has R or X set; W without R is reserved, so write
 * implies read here and a write-only mapping is refused. A superpage's
 * low PPN fields must be zero (else a misaligned-superpage fault).
 *
 * What the library programs in a leaf:
 *  - A and D set (privileged architecture, "Virtual Address Translation
 *    Process", step on A/D: with both preset, neither the Svade fault nor
 *    the Svadu hardware update ever happens; the IOMMU spec's first-stage
 *    and G-stage walks follow that process). D is set on read-only leaves
 *    too, which the architecture allows.
 *  - U: the RISC-V IOMMU checks a device's first-stage access as a
 *    user-mode access unless the request carries the privileged mode
 *    (PASID with Privilege Mode, IOMMU spec "Process to translate an
 *    IOVA"); so U is set unless IOMM_PRIV asks for a supervisor-only leaf.
 *    G-stage leaves must have U set: G-stage accesses are always checked
 *    as U-mode accesses (hypervisor extension, "Two-Stage Address
 *    Translation"), so U is always set and IOMM_PRIV is refused.
 *  - X with IOMM_EXEC, R always, W with IOMM_WRITE.
 *  - G clear, RSW 0, PBMT 0 (the PMAs decide the memory type: the prot's
 *    type and shareability bits are not recorded), N clear (no Svnapot).
 */
#include "pgtable/pgt_internal.h"

#define RV_V IOMM_BIT(0)
#define RV_R IOMM_BIT(1)
#define RV_W IOMM_BIT(2)
#define RV_X IOMM_BIT(3)
#define RV_U IOMM_BIT(4)
#define RV_A IOMM_BIT(6)
#define RV_D IOMM_BIT(7)

#define RV_PPN_HI    53u /* PPN: bits 53:10, holding PA[55:12] */
#define RV_PPN_SHIFT 2u  /* descriptor = PA >> 2 */

static bool s1_prot_ok(uint32_t prot)
{
	return (prot & IOMM_READ) != 0; /* W without R is reserved */
}

static bool g_prot_ok(uint32_t prot)
{
	return (prot & IOMM_READ) && !(prot & IOMM_PRIV);
}

/* Both stages; G-stage prots never have IOMM_PRIV (g_prot_ok()), so U is set. */
static uint64_t rv_prot_to_attr(const struct iomm_pgt *pgt, uint32_t prot)
{
	(void)pgt;
	uint64_t attr = RV_V | RV_R | RV_A | RV_D;
	if (prot & IOMM_WRITE)
		attr |= RV_W;
	if (prot & IOMM_EXEC)
		attr |= RV_X;
	if (!(prot & IOMM_PRIV))
		attr |= RV_U;
	return attr;
}

static uint32_t rv_pte_to_prot(uint64_t pte)
{
	uint32_t prot = IOMM_READ;
	if (pte & RV_W)
		prot |= IOMM_WRITE;
	if (pte & RV_X)
		prot |= IOMM_EXEC;
	if (!(pte & RV_U))
		prot |= IOMM_PRIV;
	return prot;
}

/* Everything but the input sizes, the root and the permission check. */
#define RV_COMMON                                                                                 \
	.inplace_mask = ~0ull, /* no break-before-make rule: store, then invalidate */            \
	    .gran = {{.size = 4096,                                                               \
		      .leaf_sizes = IOMM_BIT(12) | IOMM_BIT(21) | IOMM_BIT(30) | IOMM_BIT(39) |   \
				    IOMM_BIT(48)}},                                               \
	    .flags = IOMM_PGT_NONCOHERENT | IOMM_PGT_NO_CONTIG, .ias_min = 32, .oas_max = 56,     \
	    .oas_sizes = IOMM_GENMASK(56, 32), .oa_hi = RV_PPN_HI, .oa_shift = RV_PPN_SHIFT,      \
	    .last = 4, .start_rule = PGT_START_PAGING, .short_levels = 3, .v_mask = RV_V,         \
	    .t_mask = RV_V | RV_R | RV_W | RV_X, .t_val = RV_V, .t_bits = RV_V,                   \
	    .prot_to_attr = rv_prot_to_attr, .pte_to_prot = rv_pte_to_prot

/*
 * First stage: input addresses are sign-extended from the mode's top bit,
 * so a device address (zero-extended) uses 38, 47 or 56 bits.
 */
const struct iomm_pgt_fmt iomm_pgt_fmt_riscv_s1 = {
	.format = IOMM_FMT_RISCV_S1,
	RV_COMMON,
	.ias_max = 56,
	.short_ias = 38,
	.dflt.ias_cap = 47, /* Sv48 */
	.prot_ok = s1_prot_ok,
};

/* G-stage: guest physical addresses are zero-extended; 41, 50 or 59 bits. */
const struct iomm_pgt_fmt iomm_pgt_fmt_riscv_g = {
	.format = IOMM_FMT_RISCV_G,
	RV_COMMON,
	.ias_max = 59,
	.short_ias = 41,
	.root_extra = 2,
	.dflt.ias_cap = 50, /* Sv48x4 */
	.prot_ok = g_prot_ok,
};
