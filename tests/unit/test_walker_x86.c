/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Self-test of the independent VT-d / x86-64 walker (tools/walker/x86_walker):
 * hand-built second-stage and first-stage tables in a fake physical memory,
 * checked for the translations, permissions and errors the VT-d
 * specification defines.
 */
#include "test_common.h"

#include <stdlib.h>
#include <string.h>

#include "x86_walker.h"

#define MEM_PA 0x40000000ull
#define MEM_PAGES 16u
#define PG 4096u

static uint8_t *g_mem;

static int mem_read(void *ctx, uint64_t pa, uint64_t *v)
{
	(void)ctx;
	if (pa < MEM_PA || pa + 8 > MEM_PA + (uint64_t)MEM_PAGES * PG || (pa & 7))
		return -1;
	memcpy(v, g_mem + (pa - MEM_PA), 8);
	return 0;
}

static void put(uint64_t pa, uint64_t desc)
{
	assert_true(pa >= MEM_PA && pa + 8 <= MEM_PA + (uint64_t)MEM_PAGES * PG);
	memcpy(g_mem + (pa - MEM_PA), &desc, 8);
}

static uint64_t tbl(unsigned n)
{
	return MEM_PA + (uint64_t)n * PG;
}

/* entry address of @va's index at @level in table @t */
static uint64_t slot(uint64_t t, uint64_t va, unsigned level)
{
	return t + ((va >> (12 + 9 * (4 - level))) & 511u) * 8u;
}

static int setup(void **state)
{
	(void)state;
	g_mem = aligned_alloc(PG, (size_t)MEM_PAGES * PG);
	if (!g_mem)
		return -1;
	memset(g_mem, 0, (size_t)MEM_PAGES * PG);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(g_mem);
	g_mem = NULL;
	return 0;
}

static void clear_mem(void)
{
	memset(g_mem, 0, (size_t)MEM_PAGES * PG);
}

/* Entries, straight from the specification. */
#define SL_R 1ull
#define SL_W 2ull
#define SL_RW 3ull
#define SL_PS (1ull << 7)
#define SL_SNP (1ull << 11)
#define FL_P 1ull
#define FL_RW 2ull
#define FL_US 4ull
#define FL_PWT 8ull
#define FL_PCD 16ull
#define FL_A 32ull
#define FL_D 64ull
#define FL_PS 128ull
#define FL_TBL (FL_P | FL_RW | FL_US | FL_A)

static void init_walker(struct xw_walker *w, enum xw_format f, unsigned levels, unsigned ias,
			unsigned haw, uint64_t large, bool snoop)
{
	struct xw_config c;
	memset(&c, 0, sizeof(c));
	c.format = f;
	c.levels = levels;
	c.ias = ias;
	c.haw = haw;
	c.root_pa = tbl(0);
	c.large_pages = large;
	c.snoop_ctl = snoop;
	c.require_ad = f == XW_X86_FL;
	c.read = mem_read;
	T_CHECK(xw_init(w, &c) == XW_OK, "xw_init: %s", w->err);
}

static void expect_bad(struct xw_walker *w, uint64_t va, const char *what)
{
	struct xw_leaf l;
	int rc = xw_translate(w, va, &l);
	T_CHECK(rc == XW_BAD, "%s: translate(0x%llx) returned %d, expected XW_BAD", what,
		(unsigned long long)va, rc);
	rc = xw_walk(w, NULL, NULL, NULL);
	T_CHECK(rc == XW_BAD, "%s: walk returned %d, expected XW_BAD", what, rc);
	T_CHECK(w->err[0] != '\0', "%s: no reason given", what);
}

static void expect_map(struct xw_walker *w, uint64_t va, uint64_t pa, uint64_t size,
		       unsigned level)
{
	struct xw_leaf l;
	int rc = xw_translate(w, va, &l);
	T_CHECK(rc == XW_OK, "translate(0x%llx): %d %s", (unsigned long long)va, rc,
		rc == XW_BAD ? w->err : "");
	T_CHECK(l.oa + (va - l.iova) == pa && l.size == size && l.level == level,
		"translate(0x%llx) -> 0x%llx size 0x%llx L%u, expected 0x%llx size 0x%llx L%u",
		(unsigned long long)va, (unsigned long long)(l.oa + (va - l.iova)),
		(unsigned long long)l.size, l.level, (unsigned long long)pa,
		(unsigned long long)size, level);
}

static void test_config(void **state)
{
	(void)state;
	struct xw_walker w;
	struct xw_config c;
	memset(&c, 0, sizeof(c));
	c.read = mem_read;
	c.root_pa = tbl(0);
	c.haw = 48;
	c.format = XW_VTD_SL;
	for (unsigned lv = 3; lv <= 5; lv++) {
		c.levels = lv;
		c.ias = 0;
		T_CHECK(xw_init(&w, &c) == XW_OK, "SL %u levels: %s", lv, w.err);
		T_CHECK(w.start_level == 5 - lv && w.cfg.ias == 12 + 9 * lv, "SL geometry");
	}
	c.levels = 2;
	T_CHECK(xw_init(&w, &c) == XW_BAD, "2-level second stage accepted");
	c.levels = 6;
	T_CHECK(xw_init(&w, &c) == XW_BAD, "6-level second stage accepted");
	c.levels = 3;
	c.ias = 40;
	T_CHECK(xw_init(&w, &c) == XW_BAD, "ias 40 with 3 levels accepted");
	c.format = XW_X86_FL;
	c.levels = 3;
	c.ias = 0;
	T_CHECK(xw_init(&w, &c) == XW_BAD, "3-level first stage accepted");
	c.levels = 4;
	T_CHECK(xw_init(&w, &c) == XW_OK && w.cfg.ias == 47, "FL 4 levels: %s", w.err);
	c.ias = 48;
	T_CHECK(xw_init(&w, &c) == XW_BAD, "FL 4 levels with ias 48 (non-canonical) accepted");
	c.levels = 5;
	T_CHECK(xw_init(&w, &c) == XW_OK, "FL 5 levels ias 48: %s", w.err);
	c.ias = 57;
	T_CHECK(xw_init(&w, &c) == XW_BAD, "FL 5 levels with ias 57 accepted");
	c.ias = 56;
	c.root_pa = tbl(0) + 8;
	T_CHECK(xw_init(&w, &c) == XW_BAD, "misaligned root accepted");
	c.root_pa = 1ull << 48;
	T_CHECK(xw_init(&w, &c) == XW_BAD, "root above haw accepted");
	c.root_pa = tbl(0);
	c.haw = 53;
	T_CHECK(xw_init(&w, &c) == XW_BAD, "haw 53 accepted");
	c.haw = 48;
	c.large_pages = 1ull << 39;
	T_CHECK(xw_init(&w, &c) == XW_BAD, "512 GiB pages accepted");
	c.large_pages = 0;
	c.format = (enum xw_format)7;
	T_CHECK(xw_init(&w, &c) == XW_BAD, "unknown format accepted");
	c.format = XW_X86_FL;
	c.read = NULL;
	T_CHECK(xw_init(&w, &c) == XW_BAD, "no read function accepted");

	T_CHECK(xw_level_size(4) == 4096 && xw_level_size(3) == (1ull << 21) &&
			xw_level_size(2) == (1ull << 30) && xw_level_size(0) == (1ull << 48) &&
			xw_level_size(5) == 0,
		"level sizes");
	c.large_pages = 1ull << 21;
	T_CHECK(xw_large_allowed(&c, 3) && !xw_large_allowed(&c, 2) && !xw_large_allowed(&c, 1) &&
			!xw_large_allowed(&c, 4),
		"superpage levels");
}

/* A 4-level second-stage table: a 4K page, a 2M and a 1G superpage. */
static void build_sl4(void)
{
	clear_mem();
	/* va 0x12345000 -> 0x9abcd000 (4K), through L1 t1, L2 t2, L3 t3 */
	put(slot(tbl(0), 0x12345000, 1), tbl(1) | SL_RW);
	put(slot(tbl(1), 0x12345000, 2), tbl(2) | SL_RW);
	put(slot(tbl(2), 0x12345000, 3), tbl(3) | SL_RW);
	put(slot(tbl(3), 0x12345000, 4), 0x9abcd000ull | SL_R);
	/* va 0x12600000 -> 0x7fe00000 (2M, write only) */
	put(slot(tbl(2), 0x12600000, 3), 0x7fe00000ull | SL_W | SL_PS);
	/* va 0x80000000 -> 0x1c0000000 (1G) */
	put(slot(tbl(1), 0x80000000ull, 2), 0x1c0000000ull | SL_RW | SL_PS | SL_SNP);
}

struct collect {
	struct xw_leaf v[16];
	unsigned n;
	unsigned tables;
};

static int collect_leaf(void *arg, const struct xw_leaf *l)
{
	struct collect *c = arg;
	if (c->n < 16)
		c->v[c->n] = *l;
	c->n++;
	return 0;
}

static int count_table(void *arg, uint64_t pa, uint64_t bytes, unsigned level)
{
	(void)pa;
	(void)level;
	struct collect *c = arg;
	T_CHECK(bytes == 4096, "table of %llu bytes", (unsigned long long)bytes);
	c->tables++;
	return 0;
}

static void test_sl_translate(void **state)
{
	(void)state;
	struct xw_walker w;
	struct xw_leaf l;
	build_sl4();
	init_walker(&w, XW_VTD_SL, 4, 48, 40, (1ull << 21) | (1ull << 30), true);
	expect_map(&w, 0x12345678, 0x9abcd678, 4096, 4);
	T_CHECK(xw_translate(&w, 0x12345000, &l) == XW_OK && l.r && !l.w && !l.snp, "page perms");
	expect_map(&w, 0x12612345, 0x7fe12345, 1ull << 21, 3);
	T_CHECK(xw_translate(&w, 0x12600000, &l) == XW_OK && !l.r && l.w, "2M perms");
	expect_map(&w, 0xbfffffff, 0x1ffffffffull, 1ull << 30, 2);
	T_CHECK(xw_translate(&w, 0x80000000ull, &l) == XW_OK && l.r && l.w && l.snp, "1G perms");
	T_CHECK(xw_translate(&w, 0x12346000, &l) == XW_UNMAPPED, "hole translates");
	T_CHECK(xw_translate(&w, 1ull << 48, &l) == XW_UNMAPPED, "beyond AGAW translates");
	unsigned lv = 9;
	bool leaf = true;
	T_CHECK(xw_descend(&w, 0x12346000, &lv, &leaf) == XW_OK && lv == 4 && !leaf, "descend");
	T_CHECK(xw_descend(&w, 0x12600000, &lv, &leaf) == XW_OK && lv == 3 && leaf, "descend 2M");
	T_CHECK(xw_descend(&w, 1ull << 47, &lv, &leaf) == XW_OK && lv == 1 && !leaf, "descend top");
	T_CHECK(xw_descend(&w, 1ull << 48, &lv, &leaf) == XW_UNMAPPED, "descend out of range");

	struct collect c;
	memset(&c, 0, sizeof(c));
	T_CHECK(xw_walk(&w, collect_leaf, count_table, &c) == XW_OK, "walk: %s", w.err);
	T_CHECK(c.n == 3 && c.tables == 4, "walk found %u leaves, %u tables", c.n, c.tables);
	T_CHECK(c.v[0].iova == 0x12345000 && c.v[1].iova == 0x12600000 &&
			c.v[2].iova == 0x80000000ull,
		"walk order");

	/* a table entry granting only read limits the leaves below it */
	put(slot(tbl(0), 0x12345000, 1), tbl(1) | SL_R);
	T_CHECK(xw_translate(&w, 0x80000000ull, &l) == XW_OK && l.r && !l.w, "R-only path");
	/* ... and one granting only write hides a read-only page */
	put(slot(tbl(0), 0x12345000, 1), tbl(1) | SL_W);
	T_CHECK(xw_translate(&w, 0x12345000, &l) == XW_UNMAPPED, "no-access path translates");
	memset(&c, 0, sizeof(c));
	T_CHECK(xw_walk(&w, collect_leaf, NULL, &c) == XW_OK && c.n == 2, "walk with W path: %u",
		c.n);

	/* a 3-level table, ias 39, superpages 2M only */
	clear_mem();
	put(slot(tbl(0), 0x40200000, 2), tbl(1) | SL_RW);
	put(slot(tbl(1), 0x40200000, 3), 0x200000ull | SL_RW | SL_PS);
	init_walker(&w, XW_VTD_SL, 3, 39, 39, 1ull << 21, false);
	expect_map(&w, 0x40300000, 0x300000, 1ull << 21, 3);
	T_CHECK(xw_translate(&w, 1ull << 39, &l) == XW_UNMAPPED, "beyond 3-level AGAW");

	/* a 5-level table */
	clear_mem();
	uint64_t va = (1ull << 56) + 0x5000;
	put(slot(tbl(0), va, 0), tbl(1) | SL_RW);
	put(slot(tbl(1), va, 1), tbl(2) | SL_RW);
	put(slot(tbl(2), va, 2), tbl(3) | SL_RW);
	put(slot(tbl(3), va, 3), tbl(4) | SL_RW);
	put(slot(tbl(4), va, 4), 0xfffffffff000ull | SL_RW);
	init_walker(&w, XW_VTD_SL, 5, 57, 48, 0, false);
	expect_map(&w, va + 0x10, 0xfffffffff010ull, 4096, 4);
}

static void test_sl_errors(void **state)
{
	(void)state;
	struct xw_walker w;
	static const struct {
		uint64_t bits;
		const char *what;
	} leaf_rsv[] = {
		{1ull << 2, "X"},  {1ull << 3, "EMT"}, {1ull << 6, "IPAT"},
		{1ull << 62, "TM"}, {1ull << 40, "address above haw"},
	};
	for (size_t i = 0; i < sizeof(leaf_rsv) / sizeof(leaf_rsv[0]); i++) {
		build_sl4();
		init_walker(&w, XW_VTD_SL, 4, 48, 40, (1ull << 21) | (1ull << 30), true);
		put(slot(tbl(3), 0x12345000, 4), 0x9abcd000ull | SL_R | leaf_rsv[i].bits);
		expect_bad(&w, 0x12345000, leaf_rsv[i].what);
	}
	/* SNP without snoop control */
	build_sl4();
	init_walker(&w, XW_VTD_SL, 4, 48, 40, (1ull << 21) | (1ull << 30), false);
	expect_bad(&w, 0x80000000ull, "SNP without snoop control");
	/* superpage with low address bits */
	build_sl4();
	init_walker(&w, XW_VTD_SL, 4, 48, 40, (1ull << 21) | (1ull << 30), true);
	put(slot(tbl(2), 0x12600000, 3), 0x7fe01000ull | SL_W | SL_PS);
	expect_bad(&w, 0x12600000, "misaligned 2M page");
	/* 1G page without 1G support */
	build_sl4();
	init_walker(&w, XW_VTD_SL, 4, 48, 40, 1ull << 21, true);
	expect_bad(&w, 0x80000000ull, "1G page without support");
	/* 2M page without any superpage support */
	build_sl4();
	init_walker(&w, XW_VTD_SL, 4, 48, 40, 0, true);
	expect_bad(&w, 0x12600000, "2M page without support");
	/* PS in the root (512G) */
	build_sl4();
	init_walker(&w, XW_VTD_SL, 4, 48, 40, (1ull << 21) | (1ull << 30), true);
	put(slot(tbl(0), 1ull << 40, 1), SL_RW | SL_PS);
	expect_bad(&w, 1ull << 40, "PS at level 1");
	/* a table pointer above haw */
	build_sl4();
	put(slot(tbl(1), 0x12345000, 2), (1ull << 41) | tbl(2) | SL_RW);
	expect_bad(&w, 0x12345000, "table above haw");
	/* a table pointer outside memory */
	build_sl4();
	put(slot(tbl(1), 0x12345000, 2), 0x1000 | SL_RW);
	expect_bad(&w, 0x12345000, "table outside memory");
	/* a table linked twice */
	build_sl4();
	put(slot(tbl(1), 0x12345000 + (1ull << 30), 2), tbl(2) | SL_RW);
	T_CHECK(xw_walk(&w, NULL, NULL, NULL) == XW_BAD, "double link not found");
	/* the root linked from itself */
	build_sl4();
	put(slot(tbl(0), 1ull << 40, 1), tbl(0) | SL_RW);
	T_CHECK(xw_walk(&w, NULL, NULL, NULL) == XW_BAD, "root link not found");
}

/* A 4-level first-stage table. */
static void build_fl4(void)
{
	clear_mem();
	put(slot(tbl(0), 0x12345000, 1), tbl(1) | FL_TBL);
	put(slot(tbl(1), 0x12345000, 2), tbl(2) | FL_TBL);
	put(slot(tbl(2), 0x12345000, 3), tbl(3) | FL_TBL);
	/* supervisor read-only page, uncached */
	put(slot(tbl(3), 0x12345000, 4), 0x9abcd000ull | FL_P | FL_A | FL_PCD | FL_PWT);
	/* user RW 2M page */
	put(slot(tbl(2), 0x12600000, 3), 0x7fe00000ull | FL_P | FL_RW | FL_US | FL_A | FL_D | FL_PS);
	/* user RW 1G page */
	put(slot(tbl(1), 0x80000000ull, 2),
	    0x1c0000000ull | FL_P | FL_RW | FL_US | FL_A | FL_D | FL_PS);
}

static void test_fl_translate(void **state)
{
	(void)state;
	struct xw_walker w;
	struct xw_leaf l;
	build_fl4();
	init_walker(&w, XW_X86_FL, 4, 47, 40, (1ull << 21) | (1ull << 30), false);
	expect_map(&w, 0x12345678, 0x9abcd678, 4096, 4);
	T_CHECK(xw_translate(&w, 0x12345000, &l) == XW_OK && l.r && !l.w && !l.user && l.pcd &&
			l.pwt && !l.pat,
		"page attributes");
	expect_map(&w, 0x12612345, 0x7fe12345, 1ull << 21, 3);
	T_CHECK(xw_translate(&w, 0x12600000, &l) == XW_OK && l.w && l.user && l.a && l.d, "2M");
	expect_map(&w, 0x80000001ull, 0x1c0000001ull, 1ull << 30, 2);
	/* a supervisor table entry makes everything below supervisor-only */
	put(slot(tbl(1), 0x12345000, 2), tbl(2) | FL_P | FL_RW | FL_A);
	T_CHECK(xw_translate(&w, 0x12600000, &l) == XW_OK && !l.user && l.w, "U/S path");
	/* a read-only table entry makes everything below read-only */
	put(slot(tbl(1), 0x12345000, 2), tbl(2) | FL_P | FL_US | FL_A);
	T_CHECK(xw_translate(&w, 0x12600000, &l) == XW_OK && l.user && !l.w, "R/W path");
	/* canonical addresses: the upper half translates through root entries 256..511 */
	build_fl4();
	uint64_t hi = 0xffff800000000000ull;
	put(slot(tbl(0), hi, 1), tbl(4) | FL_TBL);
	put(slot(tbl(4), hi, 2), 0x40000000ull | FL_P | FL_A | FL_PS);
	struct xw_walker w64;
	init_walker(&w64, XW_X86_FL, 4, 47, 40, (1ull << 21) | (1ull << 30), false);
	w64.cfg.ias = 64; /* a device that emits 64-bit addresses */
	expect_map(&w64, hi + 5, 0x40000005ull, 1ull << 30, 2);
	T_CHECK(xw_translate(&w64, 0x0000800000000000ull, &l) == XW_UNMAPPED, "non-canonical");
	T_CHECK(xw_translate(&w, hi, &l) == XW_UNMAPPED, "upper half beyond ias");
	struct collect c;
	memset(&c, 0, sizeof(c));
	T_CHECK(xw_walk(&w, collect_leaf, NULL, &c) == XW_OK && c.n == 4, "walk: %u %s", c.n, w.err);
	T_CHECK(c.v[3].iova == hi, "upper-half leaf reported at 0x%llx",
		(unsigned long long)c.v[3].iova);
	/* 5 levels */
	clear_mem();
	uint64_t va = 0x00ff000000001000ull;
	put(slot(tbl(0), va, 0), tbl(1) | FL_TBL);
	put(slot(tbl(1), va, 1), tbl(2) | FL_TBL);
	put(slot(tbl(2), va, 2), tbl(3) | FL_TBL);
	put(slot(tbl(3), va, 3), tbl(4) | FL_TBL);
	put(slot(tbl(4), va, 4), 0x5000ull | FL_P | FL_A | FL_PS /* PAT */);
	init_walker(&w, XW_X86_FL, 5, 56, 48, 0, false);
	expect_map(&w, va, 0x5000, 4096, 4);
	T_CHECK(xw_translate(&w, va, &l) == XW_OK && l.pat, "PAT of a 4K page");
}

static void test_fl_errors(void **state)
{
	(void)state;
	struct xw_walker w;
	const uint64_t all = (1ull << 21) | (1ull << 30);
	build_fl4();
	init_walker(&w, XW_X86_FL, 4, 47, 40, all, false);
	T_CHECK(xw_walk(&w, NULL, NULL, NULL) == XW_OK, "valid table: %s", w.err);

	build_fl4(); /* D clear on a writable page */
	put(slot(tbl(2), 0x12600000, 3), 0x7fe00000ull | FL_P | FL_RW | FL_A | FL_PS);
	expect_bad(&w, 0x12600000, "writable page without D");
	build_fl4(); /* A clear on a leaf */
	put(slot(tbl(3), 0x12345000, 4), 0x9abcd000ull | FL_P);
	expect_bad(&w, 0x12345000, "leaf without A");
	build_fl4(); /* A clear on a table */
	put(slot(tbl(2), 0x12345000, 3), tbl(3) | FL_P | FL_RW | FL_US);
	expect_bad(&w, 0x12345000, "table without A");
	build_fl4(); /* PS in a PML4 entry */
	put(slot(tbl(0), 1ull << 40, 1), FL_P | FL_A | FL_PS);
	expect_bad(&w, 1ull << 40, "PS at level 1");
	build_fl4(); /* reserved low bits of a 1G page */
	put(slot(tbl(1), 0x80000000ull, 2),
	    0x1c0002000ull | FL_P | FL_RW | FL_US | FL_A | FL_D | FL_PS);
	expect_bad(&w, 0x80000000ull, "misaligned 1G page");
	build_fl4(); /* address above haw */
	put(slot(tbl(3), 0x12345000, 4), (1ull << 45) | FL_P | FL_A);
	expect_bad(&w, 0x12345000, "page above haw");
	build_fl4(); /* 1G page without support */
	init_walker(&w, XW_X86_FL, 4, 47, 40, 1ull << 21, false);
	expect_bad(&w, 0x80000000ull, "1G page without FL1GP");

	/* PAT of a large page is bit 12, not a reserved bit; bit 13 is reserved */
	build_fl4();
	init_walker(&w, XW_X86_FL, 4, 47, 40, all, false);
	put(slot(tbl(2), 0x12600000, 3),
	    0x7fe00000ull | (1ull << 12) | FL_P | FL_RW | FL_US | FL_A | FL_D | FL_PS);
	struct xw_leaf l;
	T_CHECK(xw_translate(&w, 0x12600000, &l) == XW_OK && l.pat && l.oa == 0x7fe00000ull,
		"PAT bit of a 2M page: %s", w.err);
	put(slot(tbl(2), 0x12600000, 3),
	    0x7fe00000ull | (1ull << 13) | FL_P | FL_RW | FL_US | FL_A | FL_D | FL_PS);
	expect_bad(&w, 0x12600000, "bit 13 of a 2M page");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_sl_translate),
		cmocka_unit_test(test_sl_errors),
		cmocka_unit_test(test_fl_translate),
		cmocka_unit_test(test_fl_errors),
	};
	return cmocka_run_group_tests_name("walker_x86", tests, setup, teardown);
}
