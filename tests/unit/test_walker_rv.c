/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Self-test of the independent RISC-V walker (tools/walker/rv_walker):
 * hand-built Sv39/Sv48/Sv57 and Sv39x4/Sv48x4/Sv57x4 tables in a fake
 * physical memory, checked for the translations the privileged
 * architecture's translation process gives and for the reserved encodings
 * it faults on.
 */
#include "test_common.h"

#include <stdlib.h>
#include <string.h>

#include "rv_walker.h"

#define MEM_PA 0x80000000ull
#define MEM_PAGES 32u
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

/* The entry of @va at level i (0: 4 KiB pages) in table @t; @vbits index bits. */
static uint64_t slot(uint64_t t, uint64_t va, unsigned i, unsigned vbits)
{
	return t + ((va >> (12 + 9 * i)) & ((1ull << vbits) - 1)) * 8u;
}

static int setup(void **state)
{
	(void)state;
	g_mem = aligned_alloc(4 * PG, (size_t)MEM_PAGES * PG);
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

/* PTE bits, straight from the privileged architecture's Sv39 PTE figure. */
#define V 1ull
#define R 2ull
#define W 4ull
#define X 8ull
#define U 16ull
#define G 32ull
#define A 64ull
#define D 128ull
#define N (1ull << 63)

/* A PTE pointing at physical address @pa (PPN = pa >> 12 in bits 53:10). */
static uint64_t pte(uint64_t pa, uint64_t bits)
{
	return ((pa >> 12) << 10) | bits;
}

static void init(struct rw_walker *w, enum rw_stage st, unsigned levels, uint64_t root,
		 unsigned pa_bits)
{
	struct rw_config c;
	memset(&c, 0, sizeof(c));
	c.stage = st;
	c.levels = levels;
	c.pa_bits = pa_bits;
	c.root_pa = root;
	c.require_ad = true;
	c.require_u = st == RW_GSTAGE;
	c.read = mem_read;
	int rc = rw_init(w, &c);
	T_CHECK(rc == RW_OK, "rw_init: %s", w->err);
}

static void test_config(void **state)
{
	(void)state;
	struct rw_walker w;
	struct rw_config c;
	memset(&c, 0, sizeof(c));
	c.stage = RW_FIRST;
	c.levels = 3;
	c.pa_bits = 56;
	c.root_pa = tbl(0);
	c.read = mem_read;
	assert_int_equal(rw_init(&w, &c), RW_OK);
	assert_int_equal(w.va_bits, 39);
	assert_int_equal(w.cfg.ias, 38); /* canonical lower half */
	c.ias = 39;
	assert_int_equal(rw_init(&w, &c), RW_BAD); /* the sign bit is not an IOVA bit */
	c.ias = 0;
	c.levels = 6;
	assert_int_equal(rw_init(&w, &c), RW_BAD);
	c.levels = 5;
	c.stage = RW_GSTAGE;
	c.root_pa = tbl(1); /* 4 KiB aligned, not 16 KiB */
	assert_int_equal(rw_init(&w, &c), RW_BAD);
	c.root_pa = tbl(4);
	assert_int_equal(rw_init(&w, &c), RW_OK);
	assert_int_equal(w.va_bits, 59);
	assert_int_equal(w.root_bits, 11);
	c.pa_bits = 57;
	assert_int_equal(rw_init(&w, &c), RW_BAD);
	assert_int_equal(rw_level_size(0), 4096);
	assert_int_equal(rw_level_size(3), 1ull << 39);
	assert_int_equal(rw_level_size(4), 1ull << 48);
}

struct leaves_seen {
	unsigned n;
	uint64_t last_iova, last_oa;
};

static int count_leaf(void *arg, const struct rw_leaf *l)
{
	struct leaves_seen *s = arg;
	s->n++;
	s->last_iova = l->iova;
	s->last_oa = l->oa;
	return 0;
}

/* Sv39: a 4 KiB page, a 2 MiB and a 1 GiB superpage, sign-extended addresses. */
static void test_sv39_translate(void **state)
{
	(void)state;
	memset(g_mem, 0, (size_t)MEM_PAGES * PG);
	struct rw_walker w;
	struct rw_leaf l;
	uint64_t root = tbl(0), l1 = tbl(1), l0 = tbl(2);
	const uint64_t va = 0x12345678ull << 4; /* 0x123456780 */
	init(&w, RW_FIRST, 3, root, 56);
	put(slot(root, va, 2, 9), pte(l1, V));
	put(slot(l1, va, 1, 9), pte(l0, V));
	put(slot(l0, va, 0, 9), pte(0xabcdef000ull, V | R | W | U | A | D));
	assert_int_equal(rw_translate(&w, va, &l), RW_OK);
	assert_int_equal(l.oa, 0xabcdef000ull);
	assert_int_equal(l.iova, va & ~0xfffull);
	assert_int_equal(l.size, 4096);
	assert_int_equal(l.level, 0);
	assert_true(l.r && l.w && !l.x && l.u && l.a && l.d);
	/* a 2 MiB superpage next to it */
	const uint64_t va2 = va + (1ull << 21);
	put(slot(l1, va2, 1, 9), pte(0x40000000ull, V | R | X | A | D));
	assert_int_equal(rw_translate(&w, va2 + 0x1234, &l), RW_OK);
	assert_int_equal(l.oa, 0x40000000ull);
	assert_int_equal(l.size, 1ull << 21);
	assert_true(l.x && !l.w && !l.u);
	/* a 1 GiB superpage in the upper (sign-extended) half: the walk reports
	 * it there, but device addresses (below 2^ias, ias at most 38) never
	 * reach it */
	const uint64_t hi = ~0ull << 38; /* root index 256 */
	put(slot(root, hi, 2, 9), pte(1ull << 40, V | R | W | A | D | U));
	assert_int_equal(rw_translate(&w, hi | 0x1000, &l), RW_UNMAPPED);
	struct leaves_seen seen = {0};
	assert_int_equal(rw_walk(&w, count_leaf, NULL, &seen), RW_OK);
	assert_int_equal(seen.n, 3);
	assert_int_equal(seen.last_iova, hi);
	assert_int_equal(seen.last_oa, 1ull << 40);
	/* non-canonical: bit 38 clear but higher bits set */
	assert_int_equal(rw_translate(&w, 1ull << 40, &l), RW_UNMAPPED);
	/* invalid entry: a page fault, not an error */
	assert_int_equal(rw_translate(&w, va + PG, &l), RW_UNMAPPED);
}

/* Sv39x4: the root has 2048 entries over 16 KiB; Sv57x4 reaches 59 bits. */
static void test_x4_translate(void **state)
{
	(void)state;
	memset(g_mem, 0, (size_t)MEM_PAGES * PG);
	struct rw_walker w;
	struct rw_leaf l;
	uint64_t root = tbl(4); /* 16 KiB aligned: pages 4..7 */
	const uint64_t gpa = (1ull << 40) | (3ull << 30); /* root index 1027: in page 6 */
	init(&w, RW_GSTAGE, 3, root, 48);
	put(slot(root, gpa, 2, 11), pte(0x80000000ull, V | R | W | U | A | D));
	assert_int_equal(slot(root, gpa, 2, 11), root + 1027 * 8);
	assert_int_equal(rw_translate(&w, gpa + 0x5000, &l), RW_OK);
	assert_int_equal(l.oa, 0x80000000ull);
	assert_int_equal(l.size, 1ull << 30);
	assert_int_equal(rw_translate(&w, 1ull << 41, &l), RW_UNMAPPED); /* beyond 41 bits */
	assert_int_equal(rw_walk(&w, NULL, NULL, NULL), RW_OK);
	/* Sv57x4: five levels, the top index 11 bits */
	memset(g_mem, 0, (size_t)MEM_PAGES * PG);
	init(&w, RW_GSTAGE, 5, root, 56);
	const uint64_t top = (1ull << 58) | 0x3000; /* root index 1024 */
	uint64_t t3 = tbl(8), t2 = tbl(9), t1 = tbl(10), t0 = tbl(11);
	put(slot(root, top, 4, 11), pte(t3, V));
	put(slot(t3, top, 3, 9), pte(t2, V));
	put(slot(t2, top, 2, 9), pte(t1, V));
	put(slot(t1, top, 1, 9), pte(t0, V));
	put(slot(t0, top, 0, 9), pte(0xff000000000000ull, V | R | U | A | D)); /* PA bit 55 */
	assert_int_equal(rw_translate(&w, top, &l), RW_OK);
	assert_int_equal(l.oa, 0xff000000000000ull);
	assert_int_equal(l.level, 0);
	assert_int_equal(rw_walk(&w, NULL, NULL, NULL), RW_OK);
}

/* Reserved encodings and the library's A/D/U rules: RW_BAD with a reason. */
static void test_errors(void **state)
{
	(void)state;
	static const struct {
		const char *what;
		uint64_t leaf;  /* the entry at level 1 (2 MiB) */
		enum rw_stage st;
	} bad[] = {
	    {"W without R", V | W | U | A | D, RW_FIRST},
	    {"W and X without R", V | W | X | U | A | D, RW_FIRST},
	    {"non-leaf with D", V | D, RW_FIRST},
	    {"non-leaf with A", V | A, RW_FIRST},
	    {"non-leaf with U", V | U, RW_FIRST},
	    {"misaligned superpage", (1ull << 10) | V | R | U | A | D, RW_FIRST},
	    {"reserved bit 54", (1ull << 54) | V | R | U | A | D, RW_FIRST},
	    {"N without Svnapot", N | V | R | U | A | D, RW_FIRST},
	    {"PBMT without Svpbmt", (1ull << 61) | V | R | U | A | D, RW_FIRST},
	    {"A clear", V | R | U | D, RW_FIRST},
	    {"writable, D clear", V | R | W | U | A, RW_FIRST},
	    {"G-stage leaf without U", V | R | W | A | D, RW_GSTAGE},
	    {"address beyond pa_bits", (1ull << 50) | V | R | U | A | D, RW_FIRST},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(g_mem, 0, (size_t)MEM_PAGES * PG);
		struct rw_walker w;
		struct rw_leaf l;
		bool gst = bad[i].st == RW_GSTAGE;
		uint64_t root = tbl(4), l1 = tbl(8);
		const uint64_t va = 0x40200000ull;
		init(&w, bad[i].st, 3, root, 48);
		put(slot(root, va, 2, gst ? 11 : 9), pte(l1, V));
		/* superpage-aligned PPN unless the case says otherwise */
		put(slot(l1, va, 1, 9), pte(0x200000ull * 7, 0) | bad[i].leaf);
		t_context("%s", bad[i].what);
		int rc = rw_translate(&w, va, &l);
		T_CHECK(rc == RW_BAD, "%s: translate returned %d", bad[i].what, rc);
		rc = rw_walk(&w, NULL, NULL, NULL);
		T_CHECK(rc == RW_BAD, "%s: walk returned %d", bad[i].what, rc);
	}
	t_context("%s", "");
	/* a non-leaf entry at level 0 */
	memset(g_mem, 0, (size_t)MEM_PAGES * PG);
	struct rw_walker w;
	struct rw_leaf l;
	init(&w, RW_FIRST, 3, tbl(0), 48);
	put(slot(tbl(0), 0, 2, 9), pte(tbl(1), V));
	put(slot(tbl(1), 0, 1, 9), pte(tbl(2), V));
	put(slot(tbl(2), 0, 0, 9), pte(tbl(3), V));
	assert_int_equal(rw_translate(&w, 0, &l), RW_BAD);
	/* a table linked twice */
	memset(g_mem, 0, (size_t)MEM_PAGES * PG);
	put(slot(tbl(0), 0, 2, 9), pte(tbl(1), V));
	put(slot(tbl(0), 1ull << 30, 2, 9), pte(tbl(1), V));
	assert_int_equal(rw_walk(&w, NULL, NULL, NULL), RW_BAD);
}

int main(void)
{
	(void)t_seed();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config),
		cmocka_unit_test_setup_teardown(test_sv39_translate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_x4_translate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	};
	return cmocka_run_group_tests_name("walker_rv", tests, NULL, NULL);
}
