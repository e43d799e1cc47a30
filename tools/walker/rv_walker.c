/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rv_walker: an independent walker of RISC-V Sv39/48/57 and Sv39x4/48x4/57x4
 * tables. See rv_walker.h for what it checks. Hosted code (malloc, snprintf).
 */
#include "rv_walker.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* PTE fields (privileged architecture, Sv39 PTE figure). */
#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_U (1ull << 4)
#define PTE_G (1ull << 5)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)
#define PTE_PPN_SHIFT 10
#define PTE_PPN_BITS 44
#define PTE_RSVD (0x7full << 54) /* bits 60:54 */
#define PTE_PBMT_SHIFT 61
#define PTE_N (1ull << 63)

#define PAGE_SHIFT 12
#define VPN_BITS 9

static int fail(struct rw_walker *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->err, sizeof(w->err), fmt, ap);
	va_end(ap);
	return RW_BAD;
}

static const char *mode_name(const struct rw_walker *w)
{
	static const char *const s1[] = {"Sv39", "Sv48", "Sv57"};
	static const char *const g[] = {"Sv39x4", "Sv48x4", "Sv57x4"};
	unsigned k = w->cfg.levels - 3;
	return w->cfg.stage == RW_GSTAGE ? g[k] : s1[k];
}

uint64_t rw_level_size(unsigned i)
{
	return i > 4 ? 0 : 1ull << (PAGE_SHIFT + VPN_BITS * i);
}

int rw_init(struct rw_walker *w, const struct rw_config *cfg)
{
	memset(w, 0, sizeof(*w));
	w->cfg = *cfg;
	if (cfg->stage != RW_FIRST && cfg->stage != RW_GSTAGE)
		return fail(w, "unknown stage %d", (int)cfg->stage);
	if (cfg->levels < 3 || cfg->levels > 5)
		return fail(w, "%u levels: no such mode (3, 4 or 5)", cfg->levels);
	if (cfg->pa_bits < 32 || cfg->pa_bits > 56)
		return fail(w, "physical address size %u outside 32..56", cfg->pa_bits);
	if (!cfg->read)
		return fail(w, "no read function");
	bool g = cfg->stage == RW_GSTAGE;
	w->root_bits = VPN_BITS + (g ? 2u : 0u);
	w->va_bits = PAGE_SHIFT + VPN_BITS * cfg->levels + (g ? 2u : 0u);
	/* first stage: the top bit is the sign of a canonical address */
	unsigned max_ias = g ? w->va_bits : w->va_bits - 1;
	if (!w->cfg.ias)
		w->cfg.ias = max_ias;
	if (w->cfg.ias > max_ias)
		return fail(w, "%s: input size %u wider than the mode translates (%u%s)", mode_name(w),
			    w->cfg.ias, max_ias, g ? "" : ", canonical lower half");
	uint64_t align = g ? 16384u : 4096u;
	if (cfg->root_pa & (align - 1))
		return fail(w, "%s: root 0x%llx not %llu-byte aligned", mode_name(w),
			    (unsigned long long)cfg->root_pa, (unsigned long long)align);
	if (cfg->root_pa >> cfg->pa_bits)
		return fail(w, "root 0x%llx beyond %u physical address bits",
			    (unsigned long long)cfg->root_pa, cfg->pa_bits);
	return RW_OK;
}

static int rd(struct rw_walker *w, uint64_t pa, uint64_t *v)
{
	if (w->cfg.read(w->cfg.ctx, pa, v))
		return fail(w, "table read at 0x%llx outside table memory", (unsigned long long)pa);
	return RW_OK;
}

/* The address in the PPN field (all of PPN[LEVELS-1..0]). */
static uint64_t pte_ppn(uint64_t pte)
{
	return (pte >> PTE_PPN_SHIFT) & ((1ull << PTE_PPN_BITS) - 1);
}

static bool is_leaf(uint64_t pte)
{
	return (pte & (PTE_R | PTE_X)) != 0;
}

/*
 * Step 3 of the translation process for a valid entry, and the non-leaf
 * rules: reserved bits and encodings. RW_OK or RW_BAD.
 */
static int check_entry(struct rw_walker *w, uint64_t pte, unsigned i, uint64_t at, uint64_t va)
{
	const char *why = NULL;
	unsigned pbmt = (unsigned)(pte >> PTE_PBMT_SHIFT) & 3u;
	if ((pte & PTE_W) && !(pte & PTE_R))
		why = "W without R (reserved)";
	else if (pte & PTE_RSVD)
		why = "bits 60:54 set (reserved)";
	else if ((pte & PTE_N) && (!w->cfg.svnapot || !is_leaf(pte) || i))
		why = "N set (reserved here)";
	else if (pbmt && (!w->cfg.svpbmt || pbmt == 3 || !is_leaf(pte)))
		why = "PBMT not 0 (reserved here)";
	else if (!is_leaf(pte) && (pte & (PTE_D | PTE_A | PTE_U)))
		why = "non-leaf entry with D, A or U set (reserved)";
	else if (!is_leaf(pte) && i == 0)
		why = "non-leaf entry at level 0";
	else if ((pte_ppn(pte) << PAGE_SHIFT) >> w->cfg.pa_bits)
		why = "address beyond the physical address size";
	if (!why)
		return RW_OK;
	return fail(w, "%s level %u entry 0x%016llx at 0x%llx (va 0x%llx): %s", mode_name(w), i,
		    (unsigned long long)pte, (unsigned long long)at, (unsigned long long)va, why);
}

/* Steps 5 to 8 for a valid leaf at level i: checks and the output address. */
static int decode_leaf(struct rw_walker *w, uint64_t pte, unsigned i, uint64_t va, uint64_t at,
		       struct rw_leaf *l)
{
	uint64_t ppn = pte_ppn(pte);
	uint64_t low = (1ull << (VPN_BITS * i)) - 1; /* ppn[i-1:0] */
	const char *why = NULL;
	if (ppn & low)
		why = "misaligned superpage (low PPN fields not zero)";
	else if (w->cfg.require_ad && !(pte & PTE_A))
		why = "A clear";
	else if (w->cfg.require_ad && (pte & PTE_W) && !(pte & PTE_D))
		why = "writable with D clear";
	else if (w->cfg.require_u && !(pte & PTE_U))
		why = "G-stage leaf with U clear";
	if (why)
		return fail(w, "%s level %u leaf 0x%016llx at 0x%llx (va 0x%llx): %s", mode_name(w),
			    i, (unsigned long long)pte, (unsigned long long)at,
			    (unsigned long long)va, why);
	memset(l, 0, sizeof(*l));
	uint64_t size = rw_level_size(i);
	l->iova = va & ~(size - 1);
	l->oa = ppn << PAGE_SHIFT;
	l->size = size;
	l->desc = pte;
	l->desc_pa = at;
	l->level = i;
	l->r = (pte & PTE_R) != 0;
	l->w = (pte & PTE_W) != 0;
	l->x = (pte & PTE_X) != 0;
	l->u = (pte & PTE_U) != 0;
	l->g = (pte & PTE_G) != 0;
	l->a = (pte & PTE_A) != 0;
	l->d = (pte & PTE_D) != 0;
	l->pbmt = (unsigned)(pte >> PTE_PBMT_SHIFT) & 3u;
	return RW_OK;
}

static int check_va(const struct rw_walker *w, uint64_t va)
{
	if (w->cfg.stage == RW_FIRST) {
		/* bits 63..VA-1 all equal */
		uint64_t top = va >> (w->va_bits - 1);
		if (top != 0 && top != (1ull << (65 - w->va_bits)) - 1)
			return RW_UNMAPPED;
	} else if (va >> w->va_bits) {
		return RW_UNMAPPED;
	}
	if (w->cfg.ias < 64 && (va >> w->cfg.ias))
		return RW_UNMAPPED;
	return RW_OK;
}

/* Where the level-i entry of va lies in the table at @table. */
static uint64_t entry_at(const struct rw_walker *w, uint64_t table, uint64_t va, unsigned i)
{
	unsigned vbits = i == w->cfg.levels - 1 ? w->root_bits : VPN_BITS;
	uint64_t vpn = (va >> (PAGE_SHIFT + VPN_BITS * i)) & ((1ull << vbits) - 1);
	return table + vpn * 8u;
}

int rw_translate(struct rw_walker *w, uint64_t va, struct rw_leaf *leaf)
{
	if (check_va(w, va) != RW_OK)
		return RW_UNMAPPED;
	uint64_t a = w->cfg.root_pa;
	for (unsigned i = w->cfg.levels - 1;; i--) {
		uint64_t at = entry_at(w, a, va, i), pte;
		if (rd(w, at, &pte) != RW_OK)
			return RW_BAD;
		if (!(pte & PTE_V))
			return RW_UNMAPPED;
		if (check_entry(w, pte, i, at, va) != RW_OK)
			return RW_BAD;
		if (is_leaf(pte))
			return decode_leaf(w, pte, i, va, at, leaf);
		a = pte_ppn(pte) << PAGE_SHIFT;
	}
}

int rw_descend(struct rw_walker *w, uint64_t va, unsigned *level, bool *leaf)
{
	if (check_va(w, va) != RW_OK)
		return RW_UNMAPPED;
	uint64_t a = w->cfg.root_pa;
	for (unsigned i = w->cfg.levels - 1;; i--) {
		uint64_t at = entry_at(w, a, va, i), pte;
		if (rd(w, at, &pte) != RW_OK)
			return RW_BAD;
		if (pte & PTE_V) {
			if (check_entry(w, pte, i, at, va) != RW_OK)
				return RW_BAD;
			if (!is_leaf(pte)) {
				a = pte_ppn(pte) << PAGE_SHIFT;
				continue;
			}
		}
		*level = i;
		*leaf = (pte & PTE_V) != 0;
		return RW_OK;
	}
}

/* ---- full walk ---- */

struct walk_ctx {
	rw_leaf_fn leaf_fn;
	rw_table_fn table_fn;
	void *arg;
	uint64_t *tables;
	size_t n, cap;
};

static int note_table(struct rw_walker *w, struct walk_ctx *c, uint64_t pa)
{
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 64;
		uint64_t *t = realloc(c->tables, ncap * sizeof(*t));
		if (!t)
			return fail(w, "out of memory");
		c->tables = t;
		c->cap = ncap;
	}
	c->tables[c->n++] = pa;
	return RW_OK;
}

static int walk_table(struct rw_walker *w, struct walk_ctx *c, uint64_t table, unsigned i,
		      uint64_t va_base)
{
	bool root = i == w->cfg.levels - 1;
	uint64_t entries = 1ull << (root ? w->root_bits : VPN_BITS);
	int rc;
	if (c->table_fn && (rc = c->table_fn(c->arg, table, entries * 8u, i)) != 0)
		return rc;
	for (uint64_t k = 0; k < entries; k++) {
		uint64_t at = table + k * 8u, pte;
		if (rd(w, at, &pte) != RW_OK)
			return RW_BAD;
		if (!(pte & PTE_V))
			continue;
		uint64_t va = va_base + k * rw_level_size(i);
		/* first stage: the upper half of the root is the sign-extended half */
		if (root && w->cfg.stage == RW_FIRST && (va >> (w->va_bits - 1)))
			va |= ~((1ull << w->va_bits) - 1);
		if (check_entry(w, pte, i, at, va) != RW_OK)
			return RW_BAD;
		if (!is_leaf(pte)) {
			uint64_t next = pte_ppn(pte) << PAGE_SHIFT;
			if (note_table(w, c, next) != RW_OK)
				return RW_BAD;
			rc = walk_table(w, c, next, i - 1, va);
			if (rc != RW_OK)
				return rc;
			continue;
		}
		struct rw_leaf l;
		if (decode_leaf(w, pte, i, va, at, &l) != RW_OK)
			return RW_BAD;
		if (c->leaf_fn && (rc = c->leaf_fn(c->arg, &l)) != 0)
			return rc;
	}
	return RW_OK;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int rw_walk(struct rw_walker *w, rw_leaf_fn leaf_fn, rw_table_fn table_fn, void *arg)
{
	struct walk_ctx c = {leaf_fn, table_fn, arg, NULL, 0, 0};
	int rc = walk_table(w, &c, w->cfg.root_pa, w->cfg.levels - 1, 0);
	uint64_t root_end = w->cfg.root_pa + (8ull << w->root_bits);
	if (rc == RW_OK && c.n) {
		qsort(c.tables, c.n, sizeof(c.tables[0]), cmp_u64);
		for (size_t k = 0; k < c.n; k++) {
			if (k && c.tables[k] == c.tables[k - 1]) {
				rc = fail(w, "table page 0x%llx is linked from two entries",
					  (unsigned long long)c.tables[k]);
				break;
			}
			if (c.tables[k] >= w->cfg.root_pa && c.tables[k] < root_end) {
				rc = fail(w, "table page 0x%llx lies inside the root table",
					  (unsigned long long)c.tables[k]);
				break;
			}
		}
	}
	free(c.tables);
	return rc;
}
