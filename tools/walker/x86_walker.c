/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * x86_walker: an independent walker of VT-d second-stage and x86-64
 * (VT-d first-stage) tables. See x86_walker.h for what it checks. Hosted
 * code (uses malloc, snprintf).
 */
#include "x86_walker.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Second-stage entries (VT-d 9.8). */
#define SL_R (1ull << 0)
#define SL_W (1ull << 1)
#define SL_X (1ull << 2)
#define SL_EMT (7ull << 3)
#define SL_IPAT (1ull << 6)
#define SL_PS (1ull << 7)
#define SL_SNP (1ull << 11)
#define SL_TM (1ull << 62)

/* First-stage entries (VT-d 9.7, x86-64 4/5-level paging). */
#define FL_P (1ull << 0)
#define FL_RW (1ull << 1)
#define FL_US (1ull << 2)
#define FL_PWT (1ull << 3)
#define FL_PCD (1ull << 4)
#define FL_A (1ull << 5)
#define FL_D (1ull << 6)
#define FL_PS (1ull << 7)  /* PAT in a 4 KiB page entry */
#define FL_G (1ull << 8)
#define FL_PAT_LARGE (1ull << 12)
#define FL_XD (1ull << 63)

static uint64_t bits(unsigned hi, unsigned lo)
{
	if (hi < lo)
		return 0;
	uint64_t top = hi >= 63 ? ~0ull : ((1ull << (hi + 1)) - 1);
	return top & ~((1ull << lo) - 1);
}

static int fail(struct xw_walker *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->err, sizeof(w->err), fmt, ap);
	va_end(ap);
	return XW_BAD;
}

static const char *fmt_name(const struct xw_walker *w)
{
	return w->cfg.format == XW_VTD_SL ? "second stage" : "first stage";
}

static unsigned level_shift(unsigned level)
{
	return 12u + 9u * (4u - level);
}

uint64_t xw_level_size(unsigned level)
{
	return level > 4 ? 0 : 1ull << level_shift(level);
}

bool xw_large_allowed(const struct xw_config *cfg, unsigned level)
{
	if (level != 2 && level != 3)
		return false;
	return (cfg->large_pages & (1ull << level_shift(level))) != 0;
}

int xw_init(struct xw_walker *w, const struct xw_config *cfg)
{
	memset(w, 0, sizeof(*w));
	w->cfg = *cfg;
	if (cfg->format != XW_VTD_SL && cfg->format != XW_X86_FL)
		return fail(w, "unknown format %d", (int)cfg->format);
	unsigned lo = cfg->format == XW_VTD_SL ? 3 : 4;
	if (cfg->levels < lo || cfg->levels > 5)
		return fail(w, "%s: %u levels is not a paging mode (%u..5)", fmt_name(w),
			    cfg->levels, lo);
	if (cfg->haw < 32 || cfg->haw > 52)
		return fail(w, "host address width %u outside 32..52", cfg->haw);
	if (!cfg->read)
		return fail(w, "no read function");
	w->start_level = 5u - cfg->levels;
	w->va_bits = 12u + 9u * cfg->levels;
	if (!w->cfg.ias)
		w->cfg.ias = cfg->format == XW_VTD_SL ? w->va_bits : w->va_bits - 1;
	/* The first stage translates canonical addresses only: a device address
	 * (zero-extended) must leave bit va_bits-1 clear. */
	unsigned max_ias = cfg->format == XW_VTD_SL ? w->va_bits : w->va_bits - 1;
	if (w->cfg.ias > max_ias)
		return fail(w, "%s: input size %u exceeds what %u levels translate (%u bits%s)",
			    fmt_name(w), w->cfg.ias, cfg->levels, max_ias,
			    cfg->format == XW_X86_FL ? ", canonical lower half" : "");
	if (cfg->root_pa & 0xfffull)
		return fail(w, "root 0x%llx is not 4 KiB aligned", (unsigned long long)cfg->root_pa);
	if (cfg->root_pa >> cfg->haw)
		return fail(w, "root 0x%llx is above the host address width %u",
			    (unsigned long long)cfg->root_pa, cfg->haw);
	if (cfg->large_pages & ~((1ull << 21) | (1ull << 30)))
		return fail(w, "superpage sizes 0x%llx: only 2 MiB and 1 GiB exist",
			    (unsigned long long)cfg->large_pages);
	return XW_OK;
}

static int rd(struct xw_walker *w, uint64_t pa, uint64_t *v)
{
	if (w->cfg.read(w->cfg.ctx, pa, v))
		return fail(w, "table read at 0x%llx outside table memory", (unsigned long long)pa);
	return XW_OK;
}

static bool present(const struct xw_walker *w, uint64_t d)
{
	return w->cfg.format == XW_VTD_SL ? (d & (SL_R | SL_W)) != 0 : (d & FL_P) != 0;
}

static bool is_ps(const struct xw_walker *w, uint64_t d, unsigned level)
{
	(void)w;
	return level < 4 && (d & SL_PS); /* bit 7 in both formats */
}

/* Checks common to every present entry: address bits above haw, PS where it cannot be. */
static int check_common(struct xw_walker *w, uint64_t d, unsigned level, uint64_t at)
{
	uint64_t high = bits(51, w->cfg.haw);
	if (d & high)
		return fail(w, "%s level %u entry 0x%016llx at 0x%llx: reserved address bits "
			       "0x%llx above the host address width %u",
			    fmt_name(w), level, (unsigned long long)d, (unsigned long long)at,
			    (unsigned long long)(d & high), w->cfg.haw);
	if (level < 4 && (d & SL_PS) && !xw_large_allowed(&w->cfg, level))
		return fail(w, "%s level %u entry 0x%016llx at 0x%llx: PS set where no "
			       "superpage is allowed (%s)",
			    fmt_name(w), level, (unsigned long long)d, (unsigned long long)at,
			    level < 2 ? "reserved at this level" : "size not supported");
	if (w->cfg.format == XW_VTD_SL && (d & SL_X))
		return fail(w, "second stage level %u entry 0x%016llx at 0x%llx: X set "
			       "(execute requests not supported)",
			    level, (unsigned long long)d, (unsigned long long)at);
	if (w->cfg.format == XW_X86_FL && w->cfg.require_ad && !(d & FL_A))
		return fail(w, "first stage level %u entry 0x%016llx at 0x%llx: A clear",
			    level, (unsigned long long)d, (unsigned long long)at);
	return XW_OK;
}

static uint64_t table_addr(const struct xw_walker *w, uint64_t d)
{
	return d & bits(w->cfg.haw - 1, 12);
}

struct path {
	bool r, w, user;
};

static void path_init(struct path *p)
{
	p->r = p->w = p->user = true;
}

static void path_apply(const struct xw_walker *w, struct path *p, uint64_t d)
{
	if (w->cfg.format == XW_VTD_SL) {
		p->r = p->r && (d & SL_R);
		p->w = p->w && (d & SL_W);
	} else {
		p->w = p->w && (d & FL_RW);
		p->user = p->user && (d & FL_US);
	}
}

static int decode_leaf(struct xw_walker *w, uint64_t d, unsigned level, uint64_t va,
		       uint64_t at, const struct path *p0, struct xw_leaf *l)
{
	unsigned s = level_shift(level);
	if (check_common(w, d, level, at) != XW_OK)
		return XW_BAD;
	memset(l, 0, sizeof(*l));
	struct path p = *p0;
	path_apply(w, &p, d);
	l->iova = va & ~((1ull << s) - 1);
	l->size = 1ull << s;
	l->desc = d;
	l->desc_pa = at;
	l->level = level;
	l->r = p.r;
	l->w = p.w;
	l->user = p.user;
	if (w->cfg.format == XW_VTD_SL) {
		uint64_t rsv = SL_EMT | SL_IPAT | SL_TM | (w->cfg.snoop_ctl ? 0 : SL_SNP);
		if (level < 4)
			rsv |= bits(s - 1, 12);
		if (d & rsv)
			return fail(w, "second stage level %u leaf 0x%016llx at 0x%llx (va 0x%llx): "
				       "reserved bits 0x%llx set",
				    level, (unsigned long long)d, (unsigned long long)at,
				    (unsigned long long)va, (unsigned long long)(d & rsv));
		l->snp = (d & SL_SNP) != 0;
		l->oa = d & bits(w->cfg.haw - 1, s);
		return XW_OK;
	}
	if (level < 4 && (d & bits(s - 1, 13)))
		return fail(w, "first stage level %u page 0x%016llx at 0x%llx (va 0x%llx): reserved "
			       "low address bits 0x%llx set",
			    level, (unsigned long long)d, (unsigned long long)at,
			    (unsigned long long)va, (unsigned long long)(d & bits(s - 1, 13)));
	l->r = true;
	l->pwt = (d & FL_PWT) != 0;
	l->pcd = (d & FL_PCD) != 0;
	l->pat = level < 4 ? (d & FL_PAT_LARGE) != 0 : (d & FL_PS) != 0;
	l->a = (d & FL_A) != 0;
	l->d = (d & FL_D) != 0;
	l->g = (d & FL_G) != 0;
	l->xd = (d & FL_XD) != 0;
	l->oa = d & bits(w->cfg.haw - 1, s);
	if (w->cfg.require_ad && l->w && !l->d)
		return fail(w, "first stage level %u writable page 0x%016llx at 0x%llx (va 0x%llx): "
			       "D clear",
			    level, (unsigned long long)d, (unsigned long long)at,
			    (unsigned long long)va);
	return XW_OK;
}

/* Input address -> the bits the tables index, or XW_UNMAPPED. */
static int check_va(const struct xw_walker *w, uint64_t va)
{
	if (w->cfg.format == XW_X86_FL) {
		/* canonical: bits 63..va_bits-1 all equal */
		uint64_t top = va >> (w->va_bits - 1);
		uint64_t all = (1ull << (64 - (w->va_bits - 1))) - 1;
		if (top != 0 && top != all)
			return XW_UNMAPPED;
	} else if (w->va_bits < 64 && (va >> w->va_bits)) {
		return XW_UNMAPPED;
	}
	if (w->cfg.ias < 64 && (va >> w->cfg.ias))
		return XW_UNMAPPED;
	return XW_OK;
}

static uint64_t entry_at(uint64_t table, uint64_t va, unsigned level)
{
	return table + ((va >> level_shift(level)) & 511u) * 8u;
}

int xw_translate(struct xw_walker *w, uint64_t va, struct xw_leaf *leaf)
{
	if (check_va(w, va) != XW_OK)
		return XW_UNMAPPED;
	uint64_t table = w->cfg.root_pa;
	struct path p;
	path_init(&p);
	for (unsigned level = w->start_level;; level++) {
		uint64_t at = entry_at(table, va, level);
		uint64_t d;
		if (rd(w, at, &d) != XW_OK)
			return XW_BAD;
		if (!present(w, d))
			return XW_UNMAPPED;
		if (level < 4 && !is_ps(w, d, level)) {
			if (check_common(w, d, level, at) != XW_OK)
				return XW_BAD;
			path_apply(w, &p, d);
			table = table_addr(w, d);
			continue;
		}
		if (decode_leaf(w, d, level, va, at, &p, leaf) != XW_OK)
			return XW_BAD;
		if (w->cfg.format == XW_VTD_SL && !leaf->r && !leaf->w)
			return XW_UNMAPPED; /* the path grants nothing */
		return XW_OK;
	}
}

int xw_descend(struct xw_walker *w, uint64_t va, unsigned *level_out, bool *leaf)
{
	if (check_va(w, va) != XW_OK)
		return XW_UNMAPPED;
	uint64_t table = w->cfg.root_pa;
	for (unsigned level = w->start_level;; level++) {
		uint64_t at = entry_at(table, va, level);
		uint64_t d;
		if (rd(w, at, &d) != XW_OK)
			return XW_BAD;
		if (present(w, d) && level < 4 && !is_ps(w, d, level)) {
			if (check_common(w, d, level, at) != XW_OK)
				return XW_BAD;
			table = table_addr(w, d);
			continue;
		}
		*level_out = level;
		*leaf = present(w, d);
		return XW_OK;
	}
}

/* ---- full walk ---------------------------------------------------------------- */

struct walk_ctx {
	xw_leaf_fn leaf_fn;
	xw_table_fn table_fn;
	void *arg;
	uint64_t *tables;
	size_t ntables, cap;
};

static int note_table(struct xw_walker *w, struct walk_ctx *c, uint64_t pa)
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
	return XW_OK;
}

static int walk_table(struct xw_walker *w, struct walk_ctx *c, uint64_t table, unsigned level,
		      uint64_t va_base, const struct path *p)
{
	unsigned s = level_shift(level);
	int rc;
	if (c->table_fn) {
		rc = c->table_fn(c->arg, table, 4096, level);
		if (rc)
			return rc;
	}
	for (uint64_t i = 0; i < 512; i++) {
		uint64_t at = table + i * 8u;
		uint64_t d;
		if (rd(w, at, &d) != XW_OK)
			return XW_BAD;
		if (!present(w, d))
			continue;
		uint64_t va = va_base + (i << s);
		if (level == w->start_level && w->cfg.format == XW_X86_FL && i >= 256 &&
		    w->va_bits < 64)
			va |= ~((1ull << w->va_bits) - 1); /* the canonical upper half */
		if (level < 4 && !is_ps(w, d, level)) {
			if (check_common(w, d, level, at) != XW_OK)
				return XW_BAD;
			uint64_t next = table_addr(w, d);
			if (note_table(w, c, next) != XW_OK)
				return XW_BAD;
			struct path p2 = *p;
			path_apply(w, &p2, d);
			rc = walk_table(w, c, next, level + 1, va, &p2);
			if (rc != XW_OK)
				return rc;
			continue;
		}
		struct xw_leaf l;
		if (decode_leaf(w, d, level, va, at, p, &l) != XW_OK)
			return XW_BAD;
		if (w->cfg.format == XW_VTD_SL && !l.r && !l.w)
			continue;
		if (c->leaf_fn) {
			rc = c->leaf_fn(c->arg, &l);
			if (rc)
				return rc;
		}
	}
	return XW_OK;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int xw_walk(struct xw_walker *w, xw_leaf_fn leaf_fn, xw_table_fn table_fn, void *arg)
{
	struct walk_ctx c = {leaf_fn, table_fn, arg, NULL, 0, 0};
	struct path p;
	path_init(&p);
	int rc = walk_table(w, &c, w->cfg.root_pa, w->start_level, 0, &p);
	if (rc == XW_OK && c.ntables) {
		qsort(c.tables, c.ntables, sizeof(c.tables[0]), cmp_u64);
		for (size_t i = 0; i < c.ntables; i++) {
			if (i && c.tables[i] == c.tables[i - 1]) {
				rc = fail(w, "table page 0x%llx is linked from two entries",
					  (unsigned long long)c.tables[i]);
				break;
			}
			if (c.tables[i] == w->cfg.root_pa) {
				rc = fail(w, "table page 0x%llx is the root table",
					  (unsigned long long)c.tables[i]);
				break;
			}
		}
	}
	free(c.tables);
	return rc;
}
