/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Page-table lifecycle: iomm_pgt_init() on a live table (initialised, not
 * destroyed) fails with IOMM_EBUSY and changes nothing, neither the table
 * nor the pool; after iomm_pgt_destroy() the same object initialises again.
 * Over every format and granule, with 3-, 4- and 5-level VT-d and x86-64
 * tables. Domains embed a table: a destroyed domain (with a table, or of a
 * type without one) initialises again.
 */
#include "test_common.h"

#include <iommuman/backend.h>

#include <stdlib.h>
#include <string.h>

#define RW (IOMM_READ | IOMM_WRITE)
#define POOL_BYTES (4u << 20)
#define POOL_PA 0x40000000ull

struct lcfg {
	enum iomm_pgt_format fmt;
	uint32_t granule;
	uint8_t ias, oas;
};

static const struct lcfg cfgs[] = {
	{IOMM_FMT_ARM_LPAE_S1, 4096, 48, 48},  {IOMM_FMT_ARM_LPAE_S1, 16384, 47, 44},
	{IOMM_FMT_ARM_LPAE_S1, 65536, 52, 52}, {IOMM_FMT_ARM_LPAE_S2, 4096, 40, 40},
	{IOMM_FMT_ARM_LPAE_S2, 16384, 42, 42}, {IOMM_FMT_ARM_LPAE_S2, 65536, 48, 48},
	{IOMM_FMT_VTD_SL, 4096, 39, 46},       {IOMM_FMT_VTD_SL, 4096, 48, 52},
	{IOMM_FMT_VTD_SL, 4096, 57, 52},       {IOMM_FMT_X86_FL, 4096, 47, 46},
	{IOMM_FMT_X86_FL, 4096, 56, 52},       {IOMM_FMT_RISCV_S1, 4096, 38, 56},
	{IOMM_FMT_RISCV_S1, 4096, 56, 48},     {IOMM_FMT_RISCV_G, 4096, 41, 44},
	{IOMM_FMT_RISCV_G, 4096, 59, 56},
};

struct env {
	struct tport tp;
	struct iomm_pool pool;
	uint8_t *mem;
};

static void env_init(struct env *e, uint32_t granule)
{
	memset(e, 0, sizeof(*e));
	tport_init(&e->tp, 0, 0, 0);
	e->mem = aligned_alloc(1u << 20, POOL_BYTES);
	assert_non_null(e->mem);
	memset(e->mem, 0, POOL_BYTES);
	tport_add_region(&e->tp, e->mem, POOL_PA, POOL_BYTES);
	T_RC(iomm_pool_init(&e->pool, &e->tp.port, e->mem, POOL_BYTES, POOL_PA, granule), IOMM_OK);
}

static void env_fini(struct env *e)
{
	tport_fini(&e->tp);
	free(e->mem);
}

static struct iomm_pgt_cfg mkcfg(const struct lcfg *c, uint32_t flags)
{
	struct iomm_pgt_cfg pc;
	memset(&pc, 0, sizeof(pc));
	pc.format = c->fmt;
	pc.granule = c->granule;
	pc.ias = c->ias;
	pc.oas = c->oas;
	pc.flags = flags;
	return pc;
}

/* Map one page and one 2-level-deep page so the table owns more than its root. */
static void populate(struct iomm_pgt *pgt, uint32_t granule)
{
	T_RC(iomm_pgt_map(pgt, 0, 0x100000, granule, RW), IOMM_OK);
	T_RC(iomm_pgt_map(pgt, 1ull << 31, 0x200000, granule, RW), IOMM_OK);
}

static void check_mapped(const struct iomm_pgt *pgt)
{
	uint64_t pa = 0;
	T_RC(iomm_pgt_iova_to_phys(pgt, 0x10, &pa), IOMM_OK);
	T_CHECK(pa == 0x100010, "iova 0x10 -> 0x%llx", (unsigned long long)pa);
	T_RC(iomm_pgt_iova_to_phys(pgt, (1ull << 31) + 8, &pa), IOMM_OK);
	T_CHECK(pa == 0x200008, "iova 2G+8 -> 0x%llx", (unsigned long long)pa);
}

static void lifecycle_one(const struct lcfg *c, uint32_t flags)
{
	t_context("format %s granule %u ias %u oas %u flags 0x%x", t_fmt_name(c->fmt),
		  (unsigned)c->granule, c->ias, c->oas, (unsigned)flags);
	struct env e;
	env_init(&e, c->granule);
	struct iomm_pgt_cfg pc = mkcfg(c, flags);
	struct iomm_pgt pgt = {0};
	memset(&pgt, 0, sizeof(pgt));
	T_RC(iomm_pgt_init(&pgt, &pc, &e.pool, &e.tp.port), IOMM_OK);
	populate(&pgt, c->granule);
	size_t used = iomm_pool_used(&e.pool);
	T_CHECK(used > 1, "populated table uses %zu pages", used);

	/* init on the live table: refused, and nothing changes */
	struct iomm_pgt before = {0};
	memcpy(&before, &pgt, sizeof(pgt));
	T_RC(iomm_pgt_init(&pgt, &pc, &e.pool, &e.tp.port), IOMM_EBUSY);
	T_CHECK(iomm_pool_used(&e.pool) == used, "pool use %zu -> %zu", used,
		iomm_pool_used(&e.pool));
	T_CHECK(memcmp(&before, &pgt, sizeof(pgt)) == 0, "the live table object changed");
	check_mapped(&pgt);
	/* also with another (valid or invalid) configuration */
	struct iomm_pgt_cfg other = pc;
	other.format = IOMM_FMT_ARM_LPAE_S1;
	other.granule = 4096;
	other.ias = 48;
	other.oas = 48;
	T_RC(iomm_pgt_init(&pgt, &other, &e.pool, &e.tp.port), IOMM_EBUSY);
	other.format = (enum iomm_pgt_format)99;
	T_RC(iomm_pgt_init(&pgt, &other, &e.pool, &e.tp.port), IOMM_EBUSY);
	T_CHECK(iomm_pool_used(&e.pool) == used, "pool use %zu -> %zu", used,
		iomm_pool_used(&e.pool));
	check_mapped(&pgt);

	/* destroy, then init works on the same object, twice over */
	for (int round = 0; round < 2; round++) {
		iomm_pgt_destroy(&pgt);
		T_CHECK(iomm_pool_used(&e.pool) == 0, "destroy left %zu pages",
			iomm_pool_used(&e.pool));
		iomm_pgt_destroy(&pgt); /* a second destroy does nothing */
		T_RC(iomm_pgt_init(&pgt, &pc, &e.pool, &e.tp.port), IOMM_OK);
		populate(&pgt, c->granule);
		check_mapped(&pgt);
		T_CHECK(iomm_pool_used(&e.pool) == used, "re-initialised table uses %zu pages, not %zu",
			iomm_pool_used(&e.pool), used);
		T_RC(iomm_pgt_init(&pgt, &pc, &e.pool, &e.tp.port), IOMM_EBUSY);
	}
	iomm_pgt_destroy(&pgt);
	T_CHECK(iomm_pool_used(&e.pool) == 0, "destroy left %zu pages", iomm_pool_used(&e.pool));

	/* a failed init leaves a zeroed object initialisable */
	struct iomm_pgt_cfg bad = pc;
	bad.ias = 20;
	T_RC(iomm_pgt_init(&pgt, &bad, &e.pool, &e.tp.port), IOMM_ENOTSUP);
	T_RC(iomm_pgt_init(&pgt, &pc, &e.pool, &e.tp.port), IOMM_OK);
	iomm_pgt_destroy(&pgt);
	T_CHECK(iomm_pool_used(&e.pool) == 0, "destroy left %zu pages", iomm_pool_used(&e.pool));
	env_fini(&e);
}

static void test_pgt_reinit(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++) {
		lifecycle_one(&cfgs[i], 0u);
		lifecycle_one(&cfgs[i], 0);
	}
}

/* A static (zero-initialised) table object needs no preparation. */
static struct iomm_pgt static_pgt;

static void test_pgt_static(void **state)
{
	(void)state;
	struct env e;
	env_init(&e, 4096);
	struct iomm_pgt_cfg pc = mkcfg(&cfgs[0], 0u);
	T_RC(iomm_pgt_init(&static_pgt, &pc, &e.pool, &e.tp.port), IOMM_OK);
	T_RC(iomm_pgt_init(&static_pgt, &pc, &e.pool, &e.tp.port), IOMM_EBUSY);
	T_CHECK(iomm_pool_used(&e.pool) == 1, "pool use %zu", iomm_pool_used(&e.pool));
	iomm_pgt_destroy(&static_pgt);
	T_CHECK(iomm_pool_used(&e.pool) == 0, "destroy left %zu pages", iomm_pool_used(&e.pool));
	env_fini(&e);
}

/* ---- domains: a unit with no backend ops beyond the defaults ---------------- */

static void test_domain_reinit(void **state)
{
	(void)state;
	struct env e;
	env_init(&e, 4096);
	static const struct iomm_unit_ops ops = {0};
	struct iomm_unit unit;
	memset(&unit, 0, sizeof(unit));
	unit.ops = &ops;
	unit.port = &e.tp.port;
	unit.caps = IOMM_CAP_S1 | IOMM_CAP_S2 | IOMM_CAP_BYPASS | IOMM_CAP_COHERENT;
	unit.granules = 1u << 12;
	unit.page_sizes = (1ull << 12) | (1ull << 21) | (1ull << 30);
	unit.ias = 48;
	unit.oas = 48;
	unit.sid_bits = 16;
	unit.name = "lifecycle";

	static const enum iomm_domain_type types[] = {IOMM_DOMAIN_S1, IOMM_DOMAIN_S2,
						      IOMM_DOMAIN_BYPASS, IOMM_DOMAIN_BLOCKED};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		t_context("domain type %d", (int)types[i]);
		bool table = types[i] == IOMM_DOMAIN_S1 || types[i] == IOMM_DOMAIN_S2;
		struct iomm_domain_cfg c;
		memset(&c, 0, sizeof(c));
		c.type = types[i];
		c.pool = &e.pool;
		struct iomm_domain dom = {0};
		memset(&dom, 0, sizeof(dom));
		for (int round = 0; round < 3; round++) {
			T_RC(iomm_domain_init(&dom, &unit, &c), IOMM_OK);
			if (table) {
				T_RC(iomm_map(&dom, 0x100000, 0x300000, 0x1000, RW), IOMM_OK);
				T_CHECK(iomm_pool_used(&e.pool) > 1, "pool use %zu",
					iomm_pool_used(&e.pool));
			}
			T_RC(iomm_domain_destroy(&dom), IOMM_OK);
			T_CHECK(iomm_pool_used(&e.pool) == 0, "destroy left %zu pages",
				iomm_pool_used(&e.pool));
		}
	}
	env_fini(&e);
}

int main(int argc, char **argv)
{
	/* an optional argument selects tests by name (cmocka pattern) */
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pgt_reinit),
		cmocka_unit_test(test_pgt_static),
		cmocka_unit_test(test_domain_reinit),
	};
	return cmocka_run_group_tests_name("pgt_lifecycle", tests, NULL, NULL);
}
