/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * arm_walker: an independent walker of Arm VMSAv8-64 translation tables.
 * See arm_walker.h for what it checks. Hosted code (uses malloc, snprintf).
 */
#include "arm_walker.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Descriptor fields (Arm ARM D8.3). */
#define D_VALID (1ull << 0)
#define D_TYPE (1ull << 1) /* 1: table (levels 0-2) or page (level 3); 0: block */
#define D_ATTRINDX_SHIFT 2
#define D_NS (1ull << 5)
#define D_AP_SHIFT 6
#define D_SH_SHIFT 8
#define D_AF (1ull << 10)
#define D_NG (1ull << 11)
#define D_DBM (1ull << 51)
#define D_CONT (1ull << 52)
#define D_PXN (1ull << 53)
#define D_UXN (1ull << 54)
#define D_SW_MASK (0xfull << 55)
/* table descriptor attributes (stage 1) */
#define T_PXN (1ull << 59)
#define T_UXN (1ull << 60)
#define T_AP_NOEL0 (1ull << 61)
#define T_AP_RO (1ull << 62)
#define T_NS (1ull << 63)

static uint64_t bits(unsigned hi, unsigned lo)
{
	/* bits hi..lo inclusive; empty (0) when hi < lo */
	if (hi < lo)
		return 0;
	uint64_t top = hi >= 63 ? ~0ull : ((1ull << (hi + 1)) - 1);
	return top & ~((1ull << lo) - 1);
}

static int fail(struct aw_walker *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->err, sizeof(w->err), fmt, ap);
	va_end(ap);
	return AW_BAD;
}

/* ---- architecture rules --------------------------------------------------- */

unsigned aw_granule_shift(unsigned granule)
{
	switch (granule) {
	case 4096:
		return 12;
	case 16384:
		return 14;
	case 65536:
		return 16;
	default:
		return 0;
	}
}

static unsigned level_shift(unsigned gshift, unsigned level)
{
	return gshift + (3u - level) * (gshift - 3u);
}

uint64_t aw_level_size(unsigned granule, unsigned level)
{
	unsigned g = aw_granule_shift(granule);
	if (!g || level > 3)
		return 0;
	unsigned s = level_shift(g, level);
	return s >= 64 ? 0 : 1ull << s;
}

bool aw_block_allowed(unsigned granule, unsigned level, unsigned oas)
{
	switch (granule) {
	case 4096:
		return level == 1 || level == 2;
	case 16384:
		return level == 2;
	case 65536:
		/* Level 1 (4 TB) blocks need the 52-bit output format (FEAT_LPA). */
		return level == 2 || (level == 1 && oas == 52);
	default:
		return false;
	}
}

unsigned aw_contig_entries(unsigned granule, unsigned level)
{
	switch (granule) {
	case 4096:
		return level >= 1 && level <= 3 ? 16u : 0u;
	case 16384:
		if (level == 3)
			return 128u;
		return level == 2 ? 32u : 0u;
	case 65536:
		return level == 2 || level == 3 ? 32u : 0u;
	default:
		return 0;
	}
}

static unsigned max_ias(unsigned granule)
{
	return granule == 65536 ? 52u : 48u;
}

int aw_s1_start_level(unsigned granule, unsigned ias)
{
	unsigned g = aw_granule_shift(granule);
	if (!g || ias < 25 || ias > max_ias(granule))
		return -1;
	unsigned stride = g - 3;
	int sl = 3 - (int)((ias - 1 - g) / stride);
	return sl < 0 ? -1 : sl;
}

int aw_tg0(unsigned granule)
{
	switch (granule) {
	case 4096:
		return 0;
	case 65536:
		return 1;
	case 16384:
		return 2;
	default:
		return -1;
	}
}

int aw_ps(unsigned oas)
{
	switch (oas) {
	case 32:
		return 0;
	case 36:
		return 1;
	case 40:
		return 2;
	case 42:
		return 3;
	case 44:
		return 4;
	case 48:
		return 5;
	case 52:
		return 6;
	default:
		return -1;
	}
}

int aw_s2_sl0_level(unsigned granule, unsigned sl0)
{
	switch (granule) {
	case 4096:
		/* 0: level 2, 1: level 1, 2: level 0; 3: level 3 needs FEAT_TTST. */
		switch (sl0) {
		case 0:
			return 2;
		case 1:
			return 1;
		case 2:
			return 0;
		default:
			return -1;
		}
	case 16384:
		/* 0: level 3, 1: level 2, 2: level 1; 3: level 0 needs TCR.DS (LPA2). */
		switch (sl0) {
		case 0:
			return 3;
		case 1:
			return 2;
		case 2:
			return 1;
		default:
			return -1;
		}
	case 65536:
		/* 0: level 3, 1: level 2, 2: level 1; 3 reserved. */
		switch (sl0) {
		case 0:
			return 3;
		case 1:
			return 2;
		case 2:
			return 1;
		default:
			return -1;
		}
	default:
		return -1;
	}
}

int aw_s2_check(unsigned granule, unsigned ias, unsigned sl0, unsigned pa_range,
		unsigned *start_level, unsigned *concat, char *err, size_t errlen)
{
	unsigned g = aw_granule_shift(granule);
	if (!g) {
		snprintf(err, errlen, "granule %u is not 4K, 16K or 64K", granule);
		return AW_BAD;
	}
	if (ias < 25 || ias > max_ias(granule)) {
		snprintf(err, errlen, "stage 2 input size %u outside 25..%u", ias, max_ias(granule));
		return AW_BAD;
	}
	int sl = aw_s2_sl0_level(granule, sl0);
	if (sl < 0) {
		snprintf(err, errlen, "SL0=%u is reserved for the %uK granule", sl0, granule >> 10);
		return AW_BAD;
	}
	/* AArch64.S2InvalidSL: the lowest start levels need a large enough PA range. */
	if (sl0 == 2) {
		unsigned need = granule == 16384 ? 42u : 44u;
		if (pa_range < need) {
			snprintf(err, errlen,
				 "SL0=2 (start level %d) with the %uK granule needs a PA range of "
				 "at least %u bits, have %u",
				 sl, granule >> 10, need, pa_range);
			return AW_BAD;
		}
	}
	/* AArch64.S2InconsistentSL: at least one bit resolved at the start level,
	 * at most a full table plus 2^4 concatenated tables. */
	unsigned stride = g - 3;
	unsigned levels = 3u - (unsigned)sl;
	unsigned min_ias = levels * stride + g + 1;
	unsigned max = min_ias + (stride - 1) + 4;
	if (ias < min_ias || ias > max) {
		snprintf(err, errlen,
			 "T0SZ=%u (ias %u) inconsistent with SL0=%u (start level %d): "
			 "allowed ias %u..%u",
			 64 - ias, ias, sl0, sl, min_ias, max);
		return AW_BAD;
	}
	unsigned root_bits = ias - (levels * stride + g);
	*start_level = (unsigned)sl;
	*concat = root_bits > stride ? 1u << (root_bits - stride) : 1u;
	return AW_OK;
}

int aw_decode_mair_attr(unsigned attr, enum aw_mem *mem, enum aw_devtype *dev)
{
	attr &= 0xff;
	*dev = AW_DEV_nGnRnE;
	if ((attr & 0xf0) == 0) {
		if (attr & 0x3)
			return -1; /* 0b0000xx01..11: UNPREDICTABLE / FEAT_XS-only */
		*mem = AW_MEM_DEVICE;
		*dev = (enum aw_devtype)((attr >> 2) & 3);
		return 0;
	}
	unsigned o = attr >> 4, i = attr & 0xf;
	if (i == 0)
		return -1; /* 0bxxxx0000 with outer != 0: UNPREDICTABLE (or FEAT_XS/MTE) */
	int kind[2];
	unsigned n[2] = {o, i};
	for (int k = 0; k < 2; k++) {
		if (n[k] == 0x4)
			kind[k] = AW_MEM_NC;
		else if ((n[k] & 0xc) == 0xc || ((n[k] & 0xc) == 0x4 && (n[k] & 3)))
			kind[k] = AW_MEM_WB;
		else
			kind[k] = AW_MEM_OTHER; /* write-through */
	}
	if (kind[0] == AW_MEM_WB && kind[1] == AW_MEM_WB)
		*mem = AW_MEM_WB;
	else if (kind[0] == AW_MEM_NC && kind[1] == AW_MEM_NC)
		*mem = AW_MEM_NC;
	else
		*mem = AW_MEM_OTHER;
	return 0;
}

int aw_decode_s2_memattr(unsigned memattr, enum aw_mem *mem, enum aw_devtype *dev)
{
	unsigned o = (memattr >> 2) & 3, i = memattr & 3;
	*dev = AW_DEV_nGnRnE;
	if (o == 0) {
		*mem = AW_MEM_DEVICE;
		*dev = (enum aw_devtype)i;
		return 0;
	}
	if (i == 0)
		return -1; /* reserved */
	if (o == 3 && i == 3)
		*mem = AW_MEM_WB;
	else if (o == 1 && i == 1)
		*mem = AW_MEM_NC;
	else
		*mem = AW_MEM_OTHER;
	return 0;
}

/* ---- configuration -------------------------------------------------------- */

int aw_init(struct aw_walker *w, const struct aw_config *cfg)
{
	memset(w, 0, sizeof(*w));
	w->cfg = *cfg;
	unsigned g = aw_granule_shift(cfg->granule);
	if (!g)
		return fail(w, "granule %u is not 4K, 16K or 64K", cfg->granule);
	w->gshift = g;
	w->stride = g - 3;
	if (cfg->stage != 1 && cfg->stage != 2)
		return fail(w, "stage %u", cfg->stage);
	if (!cfg->read)
		return fail(w, "no read function");
	if (aw_ps(cfg->oas) < 0 || (cfg->oas == 52 && cfg->granule != 65536))
		return fail(w, "output size %u not valid with the %uK granule", cfg->oas,
			    cfg->granule >> 10);
	w->lpa = cfg->granule == 65536 && cfg->oas == 52;
	if (cfg->stage == 1) {
		int sl = aw_s1_start_level(cfg->granule, cfg->ias);
		if (sl < 0)
			return fail(w, "stage 1 input size %u not valid with the %uK granule",
				    cfg->ias, cfg->granule >> 10);
		if (cfg->start_level_valid && cfg->start_level != (unsigned)sl)
			return fail(w, "stage 1 start level claimed %u, architecture says %d",
				    cfg->start_level, sl);
		w->start_level = (unsigned)sl;
		w->root_bits = cfg->ias - level_shift(g, w->start_level);
		w->root_pages = 1;
	} else {
		unsigned sl, concat;
		unsigned pa_range = cfg->pa_range ? cfg->pa_range : cfg->oas;
		if (aw_s2_check(cfg->granule, cfg->ias, cfg->sl0, pa_range, &sl, &concat, w->err,
				sizeof(w->err)) != AW_OK)
			return AW_BAD;
		if (cfg->start_level != sl)
			return fail(w, "stage 2 start level claimed %u, SL0=%u means %u",
				    cfg->start_level, cfg->sl0, sl);
		if (cfg->concat != concat)
			return fail(w,
				    "stage 2 concatenated root tables claimed %u, ias %u at "
				    "start level %u needs %u",
				    cfg->concat, cfg->ias, sl, concat);
		w->start_level = sl;
		w->root_bits = cfg->ias - level_shift(g, sl);
		w->root_pages = concat;
	}
	/* The root is aligned to its size (at least 64 bytes). */
	uint64_t root_bytes = (1ull << w->root_bits) * 8u;
	uint64_t align = root_bytes < 64 ? 64 : root_bytes;
	if (cfg->root_pa & (align - 1))
		return fail(w, "root table 0x%llx not aligned to its size 0x%llx",
			    (unsigned long long)cfg->root_pa, (unsigned long long)align);
	if (cfg->root_pa + root_bytes - 1 >= (1ull << cfg->oas))
		return fail(w, "root table 0x%llx beyond the %u-bit output size",
			    (unsigned long long)cfg->root_pa, cfg->oas);
	return AW_OK;
}

/* ---- descriptor decoding ----------------------------------------------------- */

static int rd(struct aw_walker *w, uint64_t pa, uint64_t *v)
{
	if (w->cfg.read(w->cfg.ctx, pa, v) != 0)
		return fail(w, "cannot read table memory at PA 0x%llx", (unsigned long long)pa);
	return AW_OK;
}

static uint64_t oa_high(const struct aw_walker *w, uint64_t desc)
{
	/* 64K granule, 52-bit OA: OA[51:48] is held in bits[15:12]. */
	return w->lpa ? ((desc >> 12) & 0xfull) << 48 : 0;
}

/* Output address field of a leaf at @level (its RES0 bits checked separately). */
static uint64_t leaf_oa_mask(const struct aw_walker *w, unsigned level)
{
	return bits(47, level_shift(w->gshift, level));
}

static uint64_t leaf_oa(const struct aw_walker *w, uint64_t desc, unsigned level)
{
	return (desc & leaf_oa_mask(w, level)) | oa_high(w, desc);
}

/* Check a table descriptor; return the next table's address in *next. */
static int check_table_desc(struct aw_walker *w, uint64_t desc, unsigned level, uint64_t at,
			    uint64_t *next)
{
	uint64_t res0 = bits(50, 48);
	if (!w->lpa)
		res0 |= bits(w->gshift - 1, 12);
	if (w->cfg.stage == 2)
		res0 |= bits(63, 59); /* no hierarchical attributes at stage 2 */
	if (desc & res0)
		return fail(w, "level %u table descriptor 0x%016llx at PA 0x%llx has RES0 bits 0x%llx set",
			    level, (unsigned long long)desc, (unsigned long long)at,
			    (unsigned long long)(desc & res0));
	uint64_t pa = (desc & bits(47, w->gshift)) | oa_high(w, desc);
	if (w->cfg.oas < 64 && (pa >> w->cfg.oas))
		return fail(w, "level %u table descriptor at PA 0x%llx points to 0x%llx beyond the %u-bit output size",
			    level, (unsigned long long)at, (unsigned long long)pa, w->cfg.oas);
	if (pa & ((1ull << w->gshift) - 1))
		return fail(w, "level %u table address 0x%llx not aligned to the granule", level,
			    (unsigned long long)pa);
	*next = pa;
	return AW_OK;
}

struct hier {
	bool ro, noel0, uxn, pxn, ns;
};

static void apply_table_attrs(struct hier *h, uint64_t desc)
{
	h->ro |= (desc & T_AP_RO) != 0;
	h->noel0 |= (desc & T_AP_NOEL0) != 0;
	h->uxn |= (desc & T_UXN) != 0;
	h->pxn |= (desc & T_PXN) != 0;
	h->ns |= (desc & T_NS) != 0;
}

/* Check and decode a leaf descriptor. */
static int decode_leaf(struct aw_walker *w, uint64_t desc, unsigned level, uint64_t va,
		       uint64_t at, const struct hier *h, struct aw_leaf *l)
{
	unsigned s = level_shift(w->gshift, level);
	memset(l, 0, sizeof(*l));
	l->desc = desc;
	l->desc_pa = at;
	l->level = level;
	l->size = 1ull << s;
	l->iova = va & ~(l->size - 1);

	if (level == 3) {
		if (!(desc & D_TYPE))
			return fail(w, "level 3 descriptor 0x%016llx at PA 0x%llx (va 0x%llx) has the reserved type 0b01",
				    (unsigned long long)desc, (unsigned long long)at,
				    (unsigned long long)va);
	} else if (!aw_block_allowed(w->cfg.granule, level, w->cfg.oas)) {
		return fail(w, "block descriptor 0x%016llx at level %u (va 0x%llx) not allowed with the %uK granule",
			    (unsigned long long)desc, level, (unsigned long long)va,
			    w->cfg.granule >> 10);
	}

	uint64_t res0 = bits(50, 48) | bits(63, 59);
	uint64_t low = bits(s - 1, 12);
	if (w->lpa)
		low &= ~bits(15, 12);
	res0 |= low;
	if (w->cfg.stage == 2) {
		res0 |= 1ull << 11; /* FnXS not modelled */
		if (!w->cfg.s2_xnx)
			res0 |= D_PXN;
	}
	if (desc & res0)
		return fail(w, "level %u leaf 0x%016llx at PA 0x%llx (va 0x%llx) has reserved bits 0x%llx set",
			    level, (unsigned long long)desc, (unsigned long long)at,
			    (unsigned long long)va, (unsigned long long)(desc & res0));
	if (desc & D_DBM)
		return fail(w, "level %u leaf 0x%016llx (va 0x%llx) sets DBM", level,
			    (unsigned long long)desc, (unsigned long long)va);

	l->oa = leaf_oa(w, desc, level);
	if (l->oa >> w->cfg.oas)
		return fail(w, "leaf for va 0x%llx outputs 0x%llx beyond the %u-bit output size",
			    (unsigned long long)va, (unsigned long long)l->oa, w->cfg.oas);
	l->contig = (desc & D_CONT) != 0;
	l->af = (desc & D_AF) != 0;
	if (!l->af)
		return fail(w, "leaf 0x%016llx for va 0x%llx has the access flag clear",
			    (unsigned long long)desc, (unsigned long long)va);
	l->sh = (unsigned)(desc >> D_SH_SHIFT) & 3u;
	if (l->sh == 1)
		return fail(w, "leaf 0x%016llx for va 0x%llx uses the reserved SH encoding 0b01",
			    (unsigned long long)desc, (unsigned long long)va);

	if (w->cfg.stage == 1) {
		l->ap = (unsigned)(desc >> D_AP_SHIFT) & 3u;
		l->uxn = (desc & D_UXN) != 0;
		l->pxn = (desc & D_PXN) != 0;
		l->ng = (desc & D_NG) != 0;
		l->ns = (desc & D_NS) != 0;
		l->attrindx = (unsigned)(desc >> D_ATTRINDX_SHIFT) & 7u;
		l->mair_attr = (unsigned)(w->cfg.mair >> (8u * l->attrindx)) & 0xffu;
		l->t_ro = h->ro;
		l->t_noel0 = h->noel0;
		l->t_uxn = h->uxn;
		l->t_pxn = h->pxn;
		l->t_ns = h->ns;
		if (aw_decode_mair_attr(l->mair_attr, &l->mem, &l->devtype) != 0)
			return fail(w, "leaf for va 0x%llx: AttrIndx %u selects MAIR byte 0x%02x, a reserved encoding",
				    (unsigned long long)va, l->attrindx, l->mair_attr);
		bool ro = (l->ap & 2u) || h->ro;
		bool el0 = (l->ap & 1u) && !h->noel0;
		l->pr = true;
		l->pw = !ro;
		l->px = !l->pxn && !h->pxn;
		l->ur = el0;
		l->uw = el0 && !ro;
		l->ux = el0 && !l->uxn && !h->uxn;
	} else {
		l->s2ap = (unsigned)(desc >> D_AP_SHIFT) & 3u;
		l->xn = (unsigned)(desc >> 53) & 3u;
		l->memattr = (unsigned)(desc >> 2) & 0xfu;
		if (aw_decode_s2_memattr(l->memattr, &l->mem, &l->devtype) != 0)
			return fail(w, "leaf for va 0x%llx: reserved MemAttr 0x%x",
				    (unsigned long long)va, l->memattr);
		l->pr = l->ur = (l->s2ap & 1u) != 0;
		l->pw = l->uw = (l->s2ap & 2u) != 0;
		if (w->cfg.s2_xnx) {
			l->px = l->xn == 0 || l->xn == 3;
			l->ux = l->xn == 0 || l->xn == 1;
		} else {
			l->px = l->ux = (l->xn & 2u) == 0;
		}
	}
	return AW_OK;
}

static bool is_leaf(uint64_t desc, unsigned level)
{
	if (!(desc & D_VALID))
		return false;
	return level == 3 ? true : !(desc & D_TYPE);
}

/* Check the aligned contiguous group of entries [first, first + n) in a table
 * at @table_pa; called when at least one of them is a leaf with the bit. */
static int check_contig_group(struct aw_walker *w, uint64_t table_pa, uint64_t first, unsigned n,
			      unsigned level, uint64_t va_first)
{
	uint64_t size = 1ull << level_shift(w->gshift, level);
	uint64_t oa0 = 0, attrs0 = 0;
	uint64_t keep = ~(leaf_oa_mask(w, level) | (w->lpa ? bits(15, 12) : 0) | D_SW_MASK);
	for (unsigned i = 0; i < n; i++) {
		uint64_t d;
		uint64_t at = table_pa + (first + i) * 8u;
		if (rd(w, at, &d) != AW_OK)
			return AW_BAD;
		uint64_t va = va_first + (uint64_t)i * size;
		if (!is_leaf(d, level) || !(d & D_CONT))
			return fail(w,
				    "contiguous group at level %u starting at va 0x%llx: entry %u "
				    "(va 0x%llx, desc 0x%016llx) is %s",
				    level, (unsigned long long)va_first, i, (unsigned long long)va,
				    (unsigned long long)d,
				    !(d & D_VALID) ? "invalid"
				    : !is_leaf(d, level) ? "a table"
							  : "missing the contiguous bit");
		uint64_t oa = leaf_oa(w, d, level);
		if (i == 0) {
			oa0 = oa;
			attrs0 = d & keep;
			if (oa0 & (size * n - 1))
				return fail(w,
					    "contiguous group at level %u va 0x%llx: output 0x%llx not aligned "
					    "to the group size 0x%llx",
					    level, (unsigned long long)va_first, (unsigned long long)oa0,
					    (unsigned long long)(size * n));
		} else {
			if (oa != oa0 + (uint64_t)i * size)
				return fail(w,
					    "contiguous group at level %u va 0x%llx: entry %u outputs 0x%llx, "
					    "expected 0x%llx",
					    level, (unsigned long long)va_first, i, (unsigned long long)oa,
					    (unsigned long long)(oa0 + (uint64_t)i * size));
			if ((d & keep) != attrs0)
				return fail(w,
					    "contiguous group at level %u va 0x%llx: entry %u attributes "
					    "0x%016llx differ from entry 0's 0x%016llx",
					    level, (unsigned long long)va_first, i,
					    (unsigned long long)(d & keep), (unsigned long long)attrs0);
		}
	}
	return AW_OK;
}

/* ---- translation ------------------------------------------------------------- */

int aw_translate(struct aw_walker *w, uint64_t va, struct aw_leaf *leaf)
{
	if (w->cfg.ias < 64 && (va >> w->cfg.ias))
		return AW_UNMAPPED;
	uint64_t table = w->cfg.root_pa;
	unsigned level = w->start_level;
	uint64_t nentries = 1ull << w->root_bits;
	struct hier h = {false, false, false, false, false};
	for (;;) {
		unsigned s = level_shift(w->gshift, level);
		uint64_t idx = (va >> s) & (nentries - 1);
		uint64_t at = table + idx * 8u;
		uint64_t d;
		if (rd(w, at, &d) != AW_OK)
			return AW_BAD;
		if (!(d & D_VALID))
			return AW_UNMAPPED;
		if (level < 3 && (d & D_TYPE)) {
			uint64_t next = 0;
			if (check_table_desc(w, d, level, at, &next) != AW_OK)
				return AW_BAD;
			if (w->cfg.stage == 1)
				apply_table_attrs(&h, d);
			table = next;
			level++;
			nentries = 1ull << w->stride;
			continue;
		}
		if (decode_leaf(w, d, level, va, at, &h, leaf) != AW_OK)
			return AW_BAD;
		if (leaf->contig) {
			unsigned n = aw_contig_entries(w->cfg.granule, level);
			if (n == 0 || n > nentries)
				return fail(w, "contiguous bit on a level %u leaf (va 0x%llx) where no group fits",
					    level, (unsigned long long)va);
			uint64_t first = idx & ~(uint64_t)(n - 1);
			uint64_t va_first = va & ~((1ull << s) * n - 1);
			if (check_contig_group(w, table, first, n, level, va_first) != AW_OK)
				return AW_BAD;
		}
		return AW_OK;
	}
}

int aw_descend(struct aw_walker *w, uint64_t va, unsigned *level_out, bool *leaf)
{
	if (w->cfg.ias < 64 && (va >> w->cfg.ias))
		return AW_UNMAPPED;
	uint64_t table = w->cfg.root_pa;
	unsigned level = w->start_level;
	uint64_t nentries = 1ull << w->root_bits;
	for (;;) {
		unsigned s = level_shift(w->gshift, level);
		uint64_t at = table + ((va >> s) & (nentries - 1)) * 8u;
		uint64_t d;
		if (rd(w, at, &d) != AW_OK)
			return AW_BAD;
		if (level < 3 && (d & D_VALID) && (d & D_TYPE)) {
			uint64_t next = 0;
			if (check_table_desc(w, d, level, at, &next) != AW_OK)
				return AW_BAD;
			table = next;
			level++;
			nentries = 1ull << w->stride;
			continue;
		}
		*level_out = level;
		*leaf = (d & D_VALID) != 0;
		return AW_OK;
	}
}

/* ---- full walk ------------------------------------------------------------------- */

struct walk_ctx {
	aw_leaf_fn leaf_fn;
	aw_table_fn table_fn;
	void *arg;
	uint64_t *tables;
	size_t ntables, cap;
};

static int note_table(struct aw_walker *w, struct walk_ctx *c, uint64_t pa)
{
	if (c->ntables == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 64;
		uint64_t *n = realloc(c->tables, ncap * sizeof(*n));
		if (!n)
			return fail(w, "out of memory");
		c->tables = n;
		c->cap = ncap;
	}
	c->tables[c->ntables++] = pa;
	return AW_OK;
}

static int walk_table(struct aw_walker *w, struct walk_ctx *c, uint64_t table, unsigned level,
		      uint64_t nentries, uint64_t va_base, struct hier h)
{
	unsigned s = level_shift(w->gshift, level);
	int rc;
	if (c->table_fn) {
		rc = c->table_fn(c->arg, table, nentries * 8u, level);
		if (rc)
			return rc;
	}
	/* contiguous groups first */
	unsigned n = aw_contig_entries(w->cfg.granule, level);
	for (uint64_t i = 0; i < nentries; i++) {
		uint64_t d;
		if (rd(w, table + i * 8u, &d) != AW_OK)
			return AW_BAD;
		if (!is_leaf(d, level) || !(d & D_CONT))
			continue;
		uint64_t va = va_base + (i << s);
		if (n == 0 || n > nentries)
			return fail(w, "contiguous bit on a level %u leaf (va 0x%llx) where no group fits",
				    level, (unsigned long long)va);
		uint64_t first = i & ~(uint64_t)(n - 1);
		rc = check_contig_group(w, table, first, n, level, va_base + (first << s));
		if (rc != AW_OK)
			return rc;
		i = first + n - 1; /* whole group checked */
	}
	for (uint64_t i = 0; i < nentries; i++) {
		uint64_t d;
		uint64_t at = table + i * 8u;
		if (rd(w, at, &d) != AW_OK)
			return AW_BAD;
		if (!(d & D_VALID))
			continue;
		uint64_t va = va_base + (i << s);
		if (level < 3 && (d & D_TYPE)) {
			uint64_t next = 0;
			if (check_table_desc(w, d, level, at, &next) != AW_OK)
				return AW_BAD;
			struct hier h2 = h;
			if (w->cfg.stage == 1)
				apply_table_attrs(&h2, d);
			if (note_table(w, c, next) != AW_OK)
				return AW_BAD;
			rc = walk_table(w, c, next, level + 1, 1ull << w->stride, va, h2);
			if (rc != AW_OK)
				return rc;
			continue;
		}
		struct aw_leaf l;
		if (decode_leaf(w, d, level, va, at, &h, &l) != AW_OK)
			return AW_BAD;
		if (c->leaf_fn) {
			rc = c->leaf_fn(c->arg, &l);
			if (rc)
				return rc;
		}
	}
	return AW_OK;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int aw_walk(struct aw_walker *w, aw_leaf_fn leaf_fn, aw_table_fn table_fn, void *arg)
{
	struct walk_ctx c = {leaf_fn, table_fn, arg, NULL, 0, 0};
	struct hier h = {false, false, false, false, false};
	int rc = walk_table(w, &c, w->cfg.root_pa, w->start_level, 1ull << w->root_bits, 0, h);
	if (rc == AW_OK && c.ntables) {
		qsort(c.tables, c.ntables, sizeof(c.tables[0]), cmp_u64);
		uint64_t root_end = w->cfg.root_pa + (uint64_t)w->root_pages * w->cfg.granule;
		for (size_t i = 0; i < c.ntables; i++) {
			if (i && c.tables[i] == c.tables[i - 1]) {
				rc = fail(w, "table page 0x%llx is linked from two entries",
					  (unsigned long long)c.tables[i]);
				break;
			}
			if (c.tables[i] >= w->cfg.root_pa && c.tables[i] < root_end) {
				rc = fail(w, "table page 0x%llx lies inside the root table",
					  (unsigned long long)c.tables[i]);
				break;
			}
		}
	}
	free(c.tables);
	return rc;
}
