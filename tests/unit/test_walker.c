/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Self-test of the independent walker (tools/walker): hand-built tables in a
 * fake physical memory, checked for the translations and the errors the
 * architecture defines. If the walker could not fail, the table tests that
 * rely on it would prove nothing.
 */
#include "test_common.h"

#include <stdlib.h>
#include <string.h>

#define MEM_PA 0x80000000ull
#define MEM_PAGES 16u
#define PG 65536u

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

/* table n (0..15) of granule g */
static uint64_t tbl(unsigned n, unsigned g)
{
	return MEM_PA + (uint64_t)n * g;
}

static int setup(void **state)
{
	(void)state;
	g_mem = aligned_alloc(PG, (size_t)MEM_PAGES * PG);
	memset(g_mem, 0, (size_t)MEM_PAGES * PG);
	return g_mem ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(g_mem);
	g_mem = NULL;
	return 0;
}

/* Descriptor building, straight from the architecture. */
#define TABLE(pa) ((pa) | 3ull)
#define PAGE(pa) ((pa) | 3ull | (1ull << 10))  /* + AF */
#define BLOCK(pa) ((pa) | 1ull | (1ull << 10)) /* + AF */
#define MAIR_DEFAULT 0x00000000000444ffull     /* idx0 WB, idx1 NC, idx2 device nGnRE */

static void walker_for(struct aw_walker *w, unsigned granule, unsigned ias, unsigned oas,
		       unsigned stage, uint64_t root)
{
	struct aw_config c;
	memset(&c, 0, sizeof(c));
	c.granule = granule;
	c.ias = ias;
	c.oas = oas;
	c.stage = stage;
	c.root_pa = root;
	c.mair = MAIR_DEFAULT;
	c.s2_xnx = true;
	c.read = mem_read;
	if (stage == 2) {
		/* take the last SL0 encoding that is valid */
		char err[256];
		for (unsigned sl0 = 0; sl0 < 4; sl0++) {
			unsigned sl, concat;
			if (aw_s2_check(granule, ias, sl0, oas, &sl, &concat, err, sizeof(err)) ==
			    AW_OK) {
				c.sl0 = sl0;
				c.start_level = sl;
				c.concat = concat;
			}
		}
	}
	int rc = aw_init(w, &c);
	T_CHECK(rc == AW_OK, "aw_init: %s", w->err);
}

static void test_geometry(void **state)
{
	(void)state;
	struct {
		unsigned g, ias;
		int sl;
	} s1[] = {
		{4096, 48, 0},  {4096, 40, 0},  {4096, 39, 1},  {4096, 32, 1},  {4096, 30, 2},
		{16384, 48, 0}, {16384, 47, 1}, {16384, 36, 2}, {16384, 32, 2}, {16384, 37, 1},
		{65536, 52, 1}, {65536, 48, 1}, {65536, 42, 2}, {65536, 43, 1}, {65536, 32, 2},
		{4096, 52, -1}, {16384, 52, -1}, {4096, 24, -1},
	};
	for (size_t i = 0; i < sizeof(s1) / sizeof(s1[0]); i++)
		T_CHECK(aw_s1_start_level(s1[i].g, s1[i].ias) == s1[i].sl,
			"s1 start level %uK ias %u: %d, expected %d", s1[i].g >> 10, s1[i].ias,
			aw_s1_start_level(s1[i].g, s1[i].ias), s1[i].sl);
	assert_int_equal(aw_tg0(4096), 0);
	assert_int_equal(aw_tg0(65536), 1);
	assert_int_equal(aw_tg0(16384), 2);
	assert_int_equal(aw_tg0(8192), -1);
	assert_int_equal(aw_ps(32), 0);
	assert_int_equal(aw_ps(36), 1);
	assert_int_equal(aw_ps(40), 2);
	assert_int_equal(aw_ps(42), 3);
	assert_int_equal(aw_ps(44), 4);
	assert_int_equal(aw_ps(48), 5);
	assert_int_equal(aw_ps(52), 6);
	assert_int_equal(aw_ps(33), -1);
	assert_true(aw_block_allowed(4096, 1, 48));
	assert_true(aw_block_allowed(4096, 2, 48));
	assert_false(aw_block_allowed(4096, 0, 48));
	assert_false(aw_block_allowed(16384, 1, 48));
	assert_true(aw_block_allowed(16384, 2, 48));
	assert_false(aw_block_allowed(65536, 1, 48));
	assert_true(aw_block_allowed(65536, 1, 52));
	assert_int_equal(aw_contig_entries(4096, 1), 16);
	assert_int_equal(aw_contig_entries(16384, 3), 128);
	assert_int_equal(aw_contig_entries(16384, 2), 32);
	assert_int_equal(aw_contig_entries(65536, 3), 32);
	assert_int_equal(aw_contig_entries(65536, 2), 32);
}

static void test_s2_rules(void **state)
{
	(void)state;
	struct {
		unsigned g, ias, sl0, pa;
		int ok;
		unsigned sl, concat;
	} c[] = {
		{4096, 40, 1, 40, 1, 1, 2},   /* level 1, 2 tables */
		{4096, 42, 1, 40, 1, 1, 8},
		{4096, 43, 1, 48, 1, 1, 16},
		{4096, 44, 1, 48, 0, 0, 0},   /* would need 32 tables */
		{4096, 40, 2, 40, 0, 0, 0},   /* level 0 needs PAMax >= 44 */
		{4096, 40, 2, 44, 1, 0, 1},
		{4096, 48, 2, 48, 1, 0, 1},
		{4096, 39, 2, 48, 0, 0, 0},   /* nothing left for level 0 */
		{4096, 32, 0, 32, 1, 2, 4},
		{4096, 34, 0, 32, 1, 2, 16},
		{4096, 35, 0, 32, 0, 0, 0},
		{4096, 30, 3, 32, 0, 0, 0},   /* level 3 start needs FEAT_TTST */
		{16384, 48, 2, 48, 1, 1, 2},
		{16384, 48, 3, 48, 0, 0, 0},  /* level 0 needs TCR.DS */
		{16384, 40, 2, 40, 0, 0, 0},  /* level 1 needs PAMax >= 42 */
		{16384, 40, 1, 40, 1, 2, 16},
		{16384, 36, 1, 32, 1, 2, 1},
		{65536, 52, 2, 52, 1, 1, 1},
		{65536, 48, 2, 48, 1, 1, 1},
		{65536, 48, 1, 48, 0, 0, 0},
		{65536, 46, 1, 48, 1, 2, 16},
		{65536, 42, 1, 40, 1, 2, 1},
		{65536, 44, 2, 40, 0, 0, 0},
		{65536, 32, 1, 32, 1, 2, 1},
		{65536, 32, 3, 32, 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		unsigned sl = 99, concat = 99;
		char err[256];
		int rc = aw_s2_check(c[i].g, c[i].ias, c[i].sl0, c[i].pa, &sl, &concat, err,
				     sizeof(err));
		if (c[i].ok) {
			T_CHECK(rc == AW_OK, "case %zu: %s", i, err);
			T_CHECK(sl == c[i].sl && concat == c[i].concat,
				"case %zu: level %u concat %u, expected %u %u", i, sl, concat,
				c[i].sl, c[i].concat);
		} else {
			T_CHECK(rc == AW_BAD, "case %zu (%uK ias %u sl0 %u) accepted", i,
				c[i].g >> 10, c[i].ias, c[i].sl0);
		}
	}
}

static void test_attr_decoding(void **state)
{
	(void)state;
	enum aw_mem m;
	enum aw_devtype d;
	assert_int_equal(aw_decode_mair_attr(0xff, &m, &d), 0);
	assert_int_equal(m, AW_MEM_WB);
	assert_int_equal(aw_decode_mair_attr(0x44, &m, &d), 0);
	assert_int_equal(m, AW_MEM_NC);
	assert_int_equal(aw_decode_mair_attr(0x04, &m, &d), 0);
	assert_int_equal(m, AW_MEM_DEVICE);
	assert_int_equal(d, AW_DEV_nGnRE);
	assert_int_equal(aw_decode_mair_attr(0x00, &m, &d), 0);
	assert_int_equal(d, AW_DEV_nGnRnE);
	assert_int_equal(aw_decode_mair_attr(0xbb, &m, &d), 0);
	assert_int_equal(m, AW_MEM_OTHER); /* write-through */
	assert_int_equal(aw_decode_mair_attr(0xf0, &m, &d), -1);
	assert_int_equal(aw_decode_mair_attr(0x05, &m, &d), -1);
	assert_int_equal(aw_decode_s2_memattr(0xf, &m, &d), 0);
	assert_int_equal(m, AW_MEM_WB);
	assert_int_equal(aw_decode_s2_memattr(0x5, &m, &d), 0);
	assert_int_equal(m, AW_MEM_NC);
	assert_int_equal(aw_decode_s2_memattr(0x1, &m, &d), 0);
	assert_int_equal(m, AW_MEM_DEVICE);
	assert_int_equal(d, AW_DEV_nGnRE);
	assert_int_equal(aw_decode_s2_memattr(0xc, &m, &d), -1);
}

/* 4K, stage 1, ias 48: root (L0) = table 0, L1 = 1, L2 = 2, L3 = 3. */
static void build_4k_s1(void)
{
	memset(g_mem, 0, (size_t)MEM_PAGES * PG);
	put(tbl(0, 4096) + 0 * 8, TABLE(tbl(1, 4096)));
	put(tbl(1, 4096) + 0 * 8, TABLE(tbl(2, 4096)));
	put(tbl(1, 4096) + 1 * 8, BLOCK(0x40000000ull) | (1ull << 6) | (1ull << 54) | (1ull << 53) | (3ull << 8));
	put(tbl(2, 4096) + 0 * 8, TABLE(tbl(3, 4096)));
	put(tbl(2, 4096) + 1 * 8, BLOCK(0x12200000ull) | (1ull << 7) | (2ull << 2) | (2ull << 8));
	put(tbl(3, 4096) + 5 * 8, PAGE(0x7654321000ull) | (1ull << 6) | (1ull << 11) | (3ull << 8));
}

static void test_translate_4k(void **state)
{
	(void)state;
	struct aw_walker w;
	struct aw_leaf l;
	build_4k_s1();
	walker_for(&w, 4096, 48, 48, 1, tbl(0, 4096));

	assert_int_equal(aw_translate(&w, 0x5000, &l), AW_OK);
	assert_int_equal(l.level, 3);
	assert_true(l.oa == 0x7654321000ull);
	assert_true(l.size == SZ_4K);
	assert_true(l.ng);
	assert_true(l.pr && l.pw && l.px && l.ur && l.uw && l.ux);
	assert_int_equal(l.mem, AW_MEM_WB);
	assert_int_equal(l.sh, 3);

	assert_int_equal(aw_translate(&w, 0x200123, &l), AW_OK);
	assert_int_equal(l.level, 2);
	assert_true(l.oa == 0x12200000ull && l.size == SZ_2M && l.iova == 0x200000);
	assert_true(l.pr && !l.pw && !l.ur && l.px);
	assert_int_equal(l.mem, AW_MEM_DEVICE);
	assert_int_equal(l.devtype, AW_DEV_nGnRE);

	assert_int_equal(aw_translate(&w, 0x40000000ull + 0x1234, &l), AW_OK);
	assert_int_equal(l.level, 1);
	assert_true(l.size == SZ_1G && l.oa == 0x40000000ull);
	assert_true(l.ur && l.uw && !l.px && !l.ux);

	assert_int_equal(aw_translate(&w, 0x6000, &l), AW_UNMAPPED);
	assert_int_equal(aw_translate(&w, 0x80000000ull, &l), AW_UNMAPPED);
	assert_int_equal(aw_translate(&w, 1ull << 48, &l), AW_UNMAPPED);
	assert_int_equal(aw_walk(&w, NULL, NULL, NULL), AW_OK);

	/* hierarchical attributes: APTable read-only, UXNTable */
	put(tbl(0, 4096), TABLE(tbl(1, 4096)) | (1ull << 62) | (1ull << 60));
	assert_int_equal(aw_translate(&w, 0x5000, &l), AW_OK);
	assert_true(!l.pw && !l.uw && l.px && !l.ux);
}

static void expect_bad(struct aw_walker *w, uint64_t va, const char *what)
{
	struct aw_leaf l;
	int rc = aw_translate(w, va, &l);
	T_CHECK(rc == AW_BAD, "walker accepted %s (translate returned %d)", what, rc);
	rc = aw_walk(w, NULL, NULL, NULL);
	T_CHECK(rc == AW_BAD, "walker accepted %s (walk returned %d)", what, rc);
}

static void test_errors_4k(void **state)
{
	(void)state;
	struct aw_walker w;

	build_4k_s1();
	walker_for(&w, 4096, 48, 48, 1, tbl(0, 4096));
	put(tbl(3, 4096) + 5 * 8, (0x1000ull) | 1ull | (1ull << 10)); /* L3 type 0b01 */
	expect_bad(&w, 0x5000, "a level-3 descriptor of type 0b01");

	build_4k_s1();
	put(tbl(0, 4096) + 1 * 8, BLOCK(0x8000000000ull)); /* L0 block */
	expect_bad(&w, 0x8000000000ull, "a level-0 block with the 4K granule");

	build_4k_s1();
	put(tbl(3, 4096) + 5 * 8, PAGE(0x7654321000ull) & ~(1ull << 10));
	expect_bad(&w, 0x5000, "a page with the access flag clear");

	build_4k_s1();
	put(tbl(3, 4096) + 5 * 8, PAGE(0x7654321000ull) | (1ull << 49));
	expect_bad(&w, 0x5000, "RES0 bit 49 set");

	build_4k_s1();
	put(tbl(2, 4096) + 1 * 8, BLOCK(0x12200000ull) | (1ull << 13));
	expect_bad(&w, 0x200000, "a 2M block with RES0 bit 13 set");

	build_4k_s1();
	put(tbl(3, 4096) + 5 * 8, PAGE(0x7654321000ull) | (1ull << 8));
	expect_bad(&w, 0x5000, "SH=0b01");

	build_4k_s1();
	put(tbl(3, 4096) + 5 * 8, PAGE(0x7654321000ull) | (3ull << 2)); /* AttrIndx 3: MAIR 0 -> nGnRnE, fine */
	{
		struct aw_leaf l;
		assert_int_equal(aw_translate(&w, 0x5000, &l), AW_OK);
		assert_int_equal(l.devtype, AW_DEV_nGnRnE);
	}

	build_4k_s1();
	put(tbl(1, 4096) + 0 * 8, TABLE(0x900000000ull)); /* points outside table memory */
	expect_bad(&w, 0x5000, "a table outside table memory");

	/* output address beyond a 36-bit output size */
	build_4k_s1();
	walker_for(&w, 4096, 48, 36, 1, tbl(0, 4096));
	expect_bad(&w, 0x5000, "an output address beyond oas");

	/* table address beyond oas */
	build_4k_s1();
	put(tbl(3, 4096) + 5 * 8, PAGE(0x5000));
	put(tbl(0, 4096), TABLE(tbl(1, 4096) | (1ull << 41)));
	expect_bad(&w, 0x5000, "a table address beyond oas");

	/* the same table linked twice */
	build_4k_s1();
	walker_for(&w, 4096, 48, 48, 1, tbl(0, 4096));
	put(tbl(2, 4096) + 7 * 8, TABLE(tbl(3, 4096)));
	{
		int rc = aw_walk(&w, NULL, NULL, NULL);
		T_CHECK(rc == AW_BAD, "walker accepted a table linked twice");
	}
}

static void test_contig_4k(void **state)
{
	(void)state;
	struct aw_walker w;
	struct aw_leaf l;
	const uint64_t attrs = (1ull << 52) | (3ull << 8);

	/* a proper group of 16 pages at va 0x10000 -> pa 0x3450000 */
	build_4k_s1();
	walker_for(&w, 4096, 48, 48, 1, tbl(0, 4096));
	for (unsigned i = 0; i < 16; i++)
		put(tbl(3, 4096) + (16 + i) * 8, PAGE(0x3450000ull + i * SZ_4K) | attrs);
	assert_int_equal(aw_translate(&w, 0x1f000, &l), AW_OK);
	assert_true(l.contig);
	assert_int_equal(aw_walk(&w, NULL, NULL, NULL), AW_OK);

	/* one entry missing */
	put(tbl(3, 4096) + (16 + 9) * 8, 0);
	expect_bad(&w, 0x10000, "a contiguous group with an invalid entry");

	/* one entry without the bit */
	put(tbl(3, 4096) + (16 + 9) * 8, PAGE(0x3450000ull + 9 * SZ_4K) | (3ull << 8));
	expect_bad(&w, 0x10000, "a contiguous group with an entry missing the bit");

	/* different attributes */
	put(tbl(3, 4096) + (16 + 9) * 8, PAGE(0x3450000ull + 9 * SZ_4K) | attrs | (1ull << 7));
	expect_bad(&w, 0x10000, "a contiguous group with different attributes");

	/* output not consecutive */
	put(tbl(3, 4096) + (16 + 9) * 8, PAGE(0x3450000ull + 10 * SZ_4K) | attrs);
	expect_bad(&w, 0x10000, "a contiguous group with non-consecutive output");

	/* output not aligned to the group */
	for (unsigned i = 0; i < 16; i++)
		put(tbl(3, 4096) + (16 + i) * 8, PAGE(0x3451000ull + i * SZ_4K) | attrs);
	expect_bad(&w, 0x10000, "a contiguous group with misaligned output");

	/* contiguous bit on a 4-entry root (4K ias 32: level 1 with 4 entries) */
	memset(g_mem, 0, (size_t)MEM_PAGES * PG);
	put(tbl(0, 4096), BLOCK(0) | attrs);
	walker_for(&w, 4096, 32, 48, 1, tbl(0, 4096));
	expect_bad(&w, 0, "a contiguous group larger than the table");
}

static void test_granules(void **state)
{
	(void)state;
	struct aw_walker w;
	struct aw_leaf l;

	/* 16K, ias 36 (start level 2, 2048 entries), block at level 2, page at level 3 */
	memset(g_mem, 0, (size_t)MEM_PAGES * PG);
	put(tbl(0, 16384) + 3 * 8, BLOCK(0x6000000ull));
	put(tbl(0, 16384) + 4 * 8, TABLE(tbl(1, 16384)));
	put(tbl(1, 16384) + 2 * 8, PAGE(0xabc000ull));
	walker_for(&w, 16384, 36, 40, 1, tbl(0, 16384));
	assert_int_equal(aw_translate(&w, 3 * SZ_32M + 5, &l), AW_OK);
	assert_true(l.size == SZ_32M && l.oa == 0x6000000ull && l.level == 2);
	assert_int_equal(aw_translate(&w, 4 * SZ_32M + 2 * SZ_16K, &l), AW_OK);
	assert_true(l.size == SZ_16K && l.oa == 0xabc000ull && l.level == 3);
	/* 16K page with bit 12 set (RES0 for 16K) */
	put(tbl(1, 16384) + 2 * 8, PAGE(0xabc000ull) | (1ull << 12));
	expect_bad(&w, 4 * SZ_32M + 2 * SZ_16K, "a 16K page with RES0 bit 12 set");
	/* 16K table descriptor with bit 13 set */
	put(tbl(1, 16384) + 2 * 8, PAGE(0xabc000ull));
	put(tbl(0, 16384) + 4 * 8, TABLE(tbl(1, 16384)) | (1ull << 13));
	expect_bad(&w, 4 * SZ_32M, "a 16K table descriptor with RES0 bit 13 set");

	/* 16K ias 48: level 1 block not allowed */
	memset(g_mem, 0, (size_t)MEM_PAGES * PG);
	put(tbl(0, 16384) + 0 * 8, TABLE(tbl(1, 16384)));
	put(tbl(1, 16384) + 1 * 8, BLOCK(1ull << 36));
	walker_for(&w, 16384, 48, 48, 1, tbl(0, 16384));
	expect_bad(&w, 1ull << 36, "a level-1 block with the 16K granule");

	/* 64K, oas 52: OA[51:48] in bits[15:12] */
	memset(g_mem, 0, (size_t)MEM_PAGES * PG);
	put(tbl(0, 65536) + 0 * 8, TABLE(tbl(1, 65536)));
	put(tbl(1, 65536) + 0 * 8, TABLE(tbl(2, 65536)));
	put(tbl(2, 65536) + 1 * 8, PAGE(0x0000ffffffff0000ull) | (0xfull << 12));
	put(tbl(1, 65536) + 1 * 8, BLOCK(0x20000000ull) | (0x8ull << 12));
	walker_for(&w, 65536, 52, 52, 1, tbl(0, 65536));
	assert_int_equal(aw_translate(&w, SZ_64K, &l), AW_OK);
	assert_true(l.oa == 0x000fffffffff0000ull);
	assert_int_equal(aw_translate(&w, SZ_512M, &l), AW_OK);
	assert_true(l.oa == 0x0008000020000000ull && l.size == SZ_512M);
	assert_int_equal(aw_walk(&w, NULL, NULL, NULL), AW_OK);
	/* the same with a 48-bit output size: bits[15:12] are RES0 */
	walker_for(&w, 65536, 48, 48, 1, tbl(0, 65536));
	expect_bad(&w, SZ_64K, "OA[51:48] bits with a 48-bit output size");
}

static void test_stage2(void **state)
{
	(void)state;
	struct aw_walker w;
	struct aw_leaf l;
	/* 4K, ias 40: start level 1, two concatenated tables (pages 0 and 1) */
	memset(g_mem, 0, (size_t)MEM_PAGES * PG);
	uint64_t root = tbl(0, 4096);
	/* entry 600 lives in the second root page */
	put(root + 600 * 8, TABLE(tbl(2, 4096)));
	put(tbl(2, 4096) + 0, TABLE(tbl(3, 4096)));
	/* S2AP = read+write (bits 7:6 = 11), MemAttr WB (0xf), XN = 10 */
	put(tbl(3, 4096) + 8, PAGE(0x1234000ull) | (3ull << 6) | (0xfull << 2) | (2ull << 53) | (3ull << 8));
	walker_for(&w, 4096, 40, 40, 2, root);
	assert_int_equal(w.root_pages, 2);
	assert_int_equal(w.start_level, 1);
	assert_int_equal(aw_translate(&w, 600ull * SZ_1G + SZ_4K, &l), AW_OK);
	assert_true(l.oa == 0x1234000ull);
	assert_true(l.pr && l.pw && !l.px && !l.ux);
	assert_int_equal(l.mem, AW_MEM_WB);
	/* XN = 11 lets privileged execution through under FEAT_XNX */
	put(tbl(3, 4096) + 8, PAGE(0x1234000ull) | (1ull << 6) | (0x5ull << 2) | (3ull << 53));
	assert_int_equal(aw_translate(&w, 600ull * SZ_1G + SZ_4K, &l), AW_OK);
	assert_true(l.pr && !l.pw && l.px && !l.ux);
	assert_int_equal(l.mem, AW_MEM_NC);
	/* hierarchical bits are RES0 at stage 2 */
	put(tbl(2, 4096) + 0, TABLE(tbl(3, 4096)) | (1ull << 62));
	expect_bad(&w, 600ull * SZ_1G + SZ_4K, "APTable at stage 2");
	/* stage 2 page with reserved MemAttr */
	put(tbl(2, 4096) + 0, TABLE(tbl(3, 4096)));
	put(tbl(3, 4096) + 8, PAGE(0x1234000ull) | (1ull << 6) | (0xcull << 2));
	expect_bad(&w, 600ull * SZ_1G + SZ_4K, "reserved stage-2 MemAttr");

	/* a wrong claim about the concatenation is rejected */
	struct aw_config c;
	memset(&c, 0, sizeof(c));
	c.granule = 4096;
	c.ias = 40;
	c.oas = 40;
	c.stage = 2;
	c.root_pa = root;
	c.sl0 = 1;
	c.start_level = 1;
	c.concat = 1;
	c.read = mem_read;
	assert_int_equal(aw_init(&w, &c), AW_BAD);
	c.concat = 2;
	assert_int_equal(aw_init(&w, &c), AW_OK);
	c.root_pa = root + 4096; /* concatenated root must be aligned to its size */
	assert_int_equal(aw_init(&w, &c), AW_BAD);
	c.root_pa = root;
	c.sl0 = 2;
	c.start_level = 0;
	c.concat = 1;
	assert_int_equal(aw_init(&w, &c), AW_BAD); /* level 0 with a 40-bit PA range */
}

int main(int argc, char **argv)
{
	/* an optional argument selects tests by name (cmocka pattern) */
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_geometry),
		cmocka_unit_test(test_s2_rules),
		cmocka_unit_test(test_attr_decoding),
		cmocka_unit_test(test_translate_4k),
		cmocka_unit_test(test_errors_4k),
		cmocka_unit_test(test_contig_4k),
		cmocka_unit_test(test_granules),
		cmocka_unit_test(test_stage2),
	};
	return cmocka_run_group_tests_name("walker", tests, setup, teardown);
}
