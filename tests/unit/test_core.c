/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The unit/domain/device API (iommu.h) driven through a fake backend: an
 * iomm_unit_ops table defined here that records every call. Checks that the
 * core creates and drives the domain's page table, flushes exactly once per
 * unmap with a gather covering the range and releases table pages only after
 * the flush, keeps attach/detach bookkeeping, resolves device identities,
 * checks stream ID widths, and delegates fault polling.
 */
#include "test_common.h"

#include <iommuman/backend.h>

#include <stdlib.h>
#include <string.h>

#define MAXF 8

struct fake {
	struct iomm_unit unit; /* first: the ops get &unit */
	struct iomm_unit_ops ops;
	struct tport tp;
	struct iomm_pool pool;
	uint8_t *mem;
	size_t mem_size;
	/* calls */
	int n_domain_init, n_domain_fini, n_attach, n_detach, n_flush, n_map_sync, n_fault_poll;
	int rc_domain_init, rc_attach, rc_detach, rc_flush;
	bool unlocked_call; /* an op ran without the unit's lock */
	struct iomm_domain *last_dom;
	struct iomm_dev *last_dev;
	enum iomm_domain_type last_type;
	struct iomm_gather last_gather;
	size_t used_at_flush;
	int n_flush_in_table_lock; /* flushes with the domain's table lock held (break-before-make) */
	uint64_t first_flush_start, first_flush_end;
	uint64_t sync_iova, sync_size;
	uint32_t next_id;
};

static struct fake *F(struct iomm_unit *u)
{
	return (struct fake *)(void *)u;
}

static void note_lock(struct fake *f)
{
	bool held = false;
	for (int i = 0; i < f->tp.depth && i < TPORT_MAX_HELD; i++)
		held |= f->tp.held[i] == (void *)&f->unit;
	if (!held)
		f->unlocked_call = true;
}

static int fk_domain_init(struct iomm_unit *u, struct iomm_domain *dom)
{
	struct fake *f = F(u);
	note_lock(f);
	f->n_domain_init++;
	f->last_dom = dom;
	f->last_type = dom->type;
	if (f->rc_domain_init)
		return f->rc_domain_init;
	dom->id = ++f->next_id;
	return IOMM_OK;
}

static int fk_domain_fini(struct iomm_unit *u, struct iomm_domain *dom)
{
	struct fake *f = F(u);
	note_lock(f);
	f->n_domain_fini++;
	f->last_dom = dom;
	return IOMM_OK;
}

static int fk_attach(struct iomm_unit *u, struct iomm_domain *dom, struct iomm_dev *dev)
{
	struct fake *f = F(u);
	note_lock(f);
	f->n_attach++;
	f->last_dom = dom;
	f->last_dev = dev;
	return f->rc_attach;
}

static int fk_detach(struct iomm_unit *u, struct iomm_dev *dev)
{
	struct fake *f = F(u);
	note_lock(f);
	f->n_detach++;
	f->last_dev = dev;
	return f->rc_detach;
}

static int fk_map_sync(struct iomm_unit *u, struct iomm_domain *dom, uint64_t iova, uint64_t size)
{
	struct fake *f = F(u);
	f->n_map_sync++;
	f->last_dom = dom;
	f->sync_iova = iova;
	f->sync_size = size;
	return IOMM_OK;
}

static int fk_flush(struct iomm_unit *u, struct iomm_domain *dom, const struct iomm_gather *g)
{
	struct fake *f = F(u);
	f->n_flush++;
	note_lock(f);
	for (int i = 0; i < f->tp.depth && i < TPORT_MAX_HELD; i++)
		if (f->tp.held[i] == (void *)&dom->pgt) {
			f->n_flush_in_table_lock++;
			/* break-before-make: the group is invalid while the hardware forgets it */
			uint64_t pa;
			for (uint64_t a = g->start; a < g->end; a += 0x1000)
				if (iomm_pgt_iova_to_phys(&dom->pgt, a, &pa) != IOMM_ENOENT)
					f->unlocked_call = true; /* reported below as an order error */
		}
	if (f->n_flush == 1) {
		f->first_flush_start = g->start;
		f->first_flush_end = g->end;
	}
	f->last_dom = dom;
	f->last_gather = *g;
	f->used_at_flush = iomm_pool_used(&f->pool);
	return f->rc_flush;
}

static int fk_fault_poll(struct iomm_unit *u, iomm_fault_fn fn, void *arg)
{
	struct fake *f = F(u);
	f->n_fault_poll++;
	struct iomm_fault flt;
	memset(&flt, 0, sizeof(flt));
	flt.sid = 0x42;
	flt.addr = 0x1000;
	flt.reason = IOMM_FAULT_TRANSLATION;
	flt.flags = IOMM_FAULT_READ;
	fn(arg, &flt);
	flt.sid = 0x43;
	flt.reason = IOMM_FAULT_PERMISSION;
	flt.flags = IOMM_FAULT_WRITE;
	fn(arg, &flt);
	return 2;
}

static struct fake *fake_new(uint32_t caps)
{
	struct fake *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	tport_init(&f->tp, 0, 0, 0);
	f->ops.domain_init = fk_domain_init;
	f->ops.domain_fini = fk_domain_fini;
	f->ops.attach = fk_attach;
	f->ops.detach = fk_detach;
	f->ops.map_sync = fk_map_sync;
	f->ops.flush = fk_flush;
	f->ops.fault_poll = fk_fault_poll;
	f->unit.ops = &f->ops;
	f->unit.port = &f->tp.port;
	f->unit.regs = 0;
	f->unit.caps = caps;
	f->unit.granules = (1u << 12) | (1u << 14) | (1u << 16);
	f->unit.page_sizes = SZ_4K | SZ_2M | SZ_1G | SZ_16K | SZ_32M | SZ_64K | SZ_512M;
	f->unit.ias = 48;
	f->unit.oas = 48;
	f->unit.sid_bits = 16;
	f->unit.name = "fake";
	f->mem_size = 4u << 20;
	f->mem = aligned_alloc(1u << 20, f->mem_size);
	assert_non_null(f->mem);
	memset(f->mem, 0xa5, f->mem_size);
	tport_add_region(&f->tp, f->mem, 0x80000000ull, f->mem_size);
	T_RC(iomm_pool_init(&f->pool, &f->tp.port, f->mem, f->mem_size, 0x80000000ull, 4096), IOMM_OK);
	return f;
}

static void fake_free(struct fake *f)
{
	T_CHECK(f->tp.depth == 0 && f->tp.lock_errors == 0, "lock imbalance (depth %d, errors %lu)",
		f->tp.depth, f->tp.lock_errors);
	tport_fini(&f->tp);
	free(f->mem);
	free(f);
}

static struct iomm_domain_cfg dcfg(enum iomm_domain_type type, struct iomm_pool *pool)
{
	struct iomm_domain_cfg c;
	memset(&c, 0, sizeof(c));
	c.type = type;
	c.pool = pool;
	return c;
}

#define RW (IOMM_READ | IOMM_WRITE)

/* ---- domains --------------------------------------------------------------- */

static void test_domain_init(void **state)
{
	(void)state;
	struct fake *f = fake_new(IOMM_CAP_S1 | IOMM_CAP_S2);
	struct iomm_domain dom = {0};
	struct iomm_domain_cfg c = dcfg(IOMM_DOMAIN_S1, &f->pool);
	T_RC(iomm_domain_init(&dom, &f->unit, &c), IOMM_OK);
	T_CHECK(f->n_domain_init == 1, "backend domain_init called %d times", f->n_domain_init);
	T_CHECK(f->last_dom == &dom && f->last_type == IOMM_DOMAIN_S1, "backend saw another domain");
	T_CHECK(!f->unlocked_call, "domain_init ran without the unit's lock");
	T_CHECK(iomm_pool_used(&f->pool) == 1, "root table: %zu pages", iomm_pool_used(&f->pool));
	/* defaults: the smallest granule, the unit's ias (48) and oas */
	struct iomm_lpae_regs r;
	T_RC(iomm_pgt_lpae_regs(&dom.pgt, &r), IOMM_OK);
	T_CHECK(r.tg == 0 && r.tsz == 16 && r.ps == 5, "tg %u tsz %u ps %u", r.tg, r.tsz, r.ps);
	/* map through the core, check with the domain's translation */
	T_RC(iomm_map(&dom, 0x100000, 0x7654000, 0x3000, RW), IOMM_OK);
	uint64_t pa = 0;
	T_RC(iomm_iova_to_phys(&dom, 0x101234, &pa), IOMM_OK);
	T_CHECK(pa == 0x7655234, "iova_to_phys 0x%llx", (unsigned long long)pa);
	T_RC(iomm_pgt_iova_to_phys(&dom.pgt, 0x102000, &pa), IOMM_OK);
	T_CHECK(pa == 0x7656000, "pgt iova_to_phys 0x%llx", (unsigned long long)pa);
	/* not coherent (no IOMM_CAP_COHERENT): the map was cleaned */
	T_CHECK(f->tp.clean_calls > 0, "non-coherent domain without clean_tables calls");
	T_CHECK(f->n_map_sync == 1 && f->sync_iova == 0x100000 && f->sync_size == 0x3000,
		"map_sync: %d calls, [0x%llx, +0x%llx)", f->n_map_sync,
		(unsigned long long)f->sync_iova, (unsigned long long)f->sync_size);
	T_RC(iomm_map(&dom, 0x100000, 0, 0x1000, RW), IOMM_EEXIST);
	T_CHECK(f->n_map_sync == 1, "map_sync called for a failed map");
	T_RC(iomm_map(&dom, 1ull << 48, 0, 0x1000, RW), IOMM_ERANGE);
	T_RC(iomm_map(&dom, 0x200800, 0, 0x1000, RW), IOMM_EINVAL);
	T_RC(iomm_map(&dom, 0x200000, 0, 0x1000, 0), IOMM_EINVAL);
	T_RC(iomm_iova_to_phys(&dom, 0x100000, NULL), IOMM_EINVAL);
	T_RC(iomm_iova_to_phys(NULL, 0x100000, &pa), IOMM_EINVAL);
	T_RC(iomm_iova_to_phys(&dom, 0x900000, &pa), IOMM_ENOENT);
	T_RC(iomm_domain_destroy(&dom), IOMM_OK);
	T_CHECK(f->n_domain_fini == 1, "domain_fini called %d times", f->n_domain_fini);
	T_CHECK(iomm_pool_used(&f->pool) == 0, "destroy left %zu pages", iomm_pool_used(&f->pool));
	fake_free(f);
}

static void test_domain_geometry(void **state)
{
	(void)state;
	struct fake *f = fake_new(IOMM_CAP_S1 | IOMM_CAP_S2 | IOMM_CAP_COHERENT);
	struct iomm_domain dom = {0};
	struct iomm_domain_cfg c = dcfg(IOMM_DOMAIN_S2, &f->pool);
	struct iomm_lpae_regs r;
	struct iomm_pool pool16, pool64;
	uint8_t *m16 = aligned_alloc(1u << 20, 1u << 20), *m64 = aligned_alloc(1u << 20, 2u << 20);
	assert_non_null(m16);
	assert_non_null(m64);
	T_RC(iomm_pool_init(&pool16, &f->tp.port, m16, 1u << 20, 0x90000000ull, 16384), IOMM_OK);
	T_RC(iomm_pool_init(&pool64, &f->tp.port, m64, 2u << 20, 0xa0000000ull, 65536), IOMM_OK);

	/* explicit granule, ias, oas */
	c.granule = 16384;
	c.ias = 40;
	c.oas = 44;
	c.pool = &pool16;
	T_RC(iomm_domain_init(&dom, &f->unit, &c), IOMM_OK);
	T_RC(iomm_pgt_lpae_regs(&dom.pgt, &r), IOMM_OK);
	T_CHECK(r.tg == 2 && r.tsz == 24 && r.ps == 4 && r.irgn == 1 && r.sh == 3,
		"tg %u tsz %u ps %u irgn %u sh %u", r.tg, r.tsz, r.ps, r.irgn, r.sh);
	T_RC(iomm_map(&dom, 0x4000, 0x8000, 0x4000, RW), IOMM_OK);
	T_CHECK(f->tp.clean_calls == 0, "coherent unit: %lu clean calls", f->tp.clean_calls);
	T_RC(iomm_map(&dom, 1ull << 40, 0, 0x4000, RW), IOMM_ERANGE);
	T_RC(iomm_map(&dom, 0x8000, 1ull << 44, 0x4000, RW), IOMM_ERANGE);
	T_RC(iomm_domain_destroy(&dom), IOMM_OK);
	T_CHECK(iomm_pool_used(&pool16) == 0, "pages left");

	/* a unit with ias 52: the default is capped at 48 */
	f->unit.ias = 52;
	c = dcfg(IOMM_DOMAIN_S1, &pool64);
	c.granule = 65536;
	T_RC(iomm_domain_init(&dom, &f->unit, &c), IOMM_OK);
	T_RC(iomm_pgt_lpae_regs(&dom.pgt, &r), IOMM_OK);
	T_CHECK(r.tsz == 16 && r.tg == 1, "tsz %u tg %u", r.tsz, r.tg);
	T_RC(iomm_domain_destroy(&dom), IOMM_OK);
	f->unit.ias = 48;

	/* what the unit lacks */
	int inits = f->n_domain_init;
	c = dcfg(IOMM_DOMAIN_S1, &f->pool);
	c.granule = 8192;
	T_RC(iomm_domain_init(&dom, &f->unit, &c), IOMM_ENOTSUP);
	c.granule = 65536;
	f->unit.granules = (1u << 12) | (1u << 14);
	c.pool = &pool64;
	T_RC(iomm_domain_init(&dom, &f->unit, &c), IOMM_ENOTSUP);
	f->unit.granules = (1u << 12) | (1u << 14) | (1u << 16);
	c = dcfg(IOMM_DOMAIN_S1, &f->pool);
	c.ias = 49;
	T_RC(iomm_domain_init(&dom, &f->unit, &c), IOMM_ENOTSUP);
	f->unit.ias = 40;
	c.ias = 44;
	T_RC(iomm_domain_init(&dom, &f->unit, &c), IOMM_ENOTSUP);
	c.ias = 0;
	c.oas = 52;
	T_RC(iomm_domain_init(&dom, &f->unit, &c), IOMM_ENOTSUP);
	f->unit.ias = 48;
	f->unit.caps = IOMM_CAP_S1;
	c = dcfg(IOMM_DOMAIN_S2, &f->pool);
	T_RC(iomm_domain_init(&dom, &f->unit, &c), IOMM_ENOTSUP);
	c = dcfg(IOMM_DOMAIN_BYPASS, NULL);
	T_RC(iomm_domain_init(&dom, &f->unit, &c), IOMM_ENOTSUP);
	f->unit.caps = IOMM_CAP_S1 | IOMM_CAP_S2 | IOMM_CAP_COHERENT;
	T_CHECK(iomm_pool_used(&f->pool) == 0 && iomm_pool_used(&pool64) == 0,
		"refused domains kept pages");
	(void)inits;

	/* bad arguments */
	c = dcfg(IOMM_DOMAIN_S1, NULL);
	T_RC(iomm_domain_init(&dom, &f->unit, &c), IOMM_EINVAL);
	c = dcfg(IOMM_DOMAIN_S1, &f->pool);
	T_RC(iomm_domain_init(NULL, &f->unit, &c), IOMM_EINVAL);
	T_RC(iomm_domain_init(&dom, NULL, &c), IOMM_EINVAL);
	T_RC(iomm_domain_init(&dom, &f->unit, NULL), IOMM_EINVAL);
	c = dcfg(IOMM_DOMAIN_NESTED, &f->pool);
	f->unit.caps |= IOMM_CAP_NESTED;
	T_RC(iomm_domain_init(&dom, &f->unit, &c), IOMM_EINVAL); /* no parent */
	T_RC(iomm_domain_destroy(NULL), IOMM_EINVAL);
	T_CHECK(iomm_pool_used(&f->pool) == 0, "refused domains kept pages");

	/* the backend refusing (no identifier left): nothing kept */
	f->rc_domain_init = IOMM_ENOSPC;
	c = dcfg(IOMM_DOMAIN_S1, &f->pool);
	T_RC(iomm_domain_init(&dom, &f->unit, &c), IOMM_ENOSPC);
	T_CHECK(iomm_pool_used(&f->pool) == 0, "a domain the backend refused kept %zu pages",
		iomm_pool_used(&f->pool));
	f->rc_domain_init = 0;

	free(m16);
	free(m64);
	fake_free(f);
}

static void test_bypass_blocked(void **state)
{
	(void)state;
	struct fake *f = fake_new(IOMM_CAP_S1 | IOMM_CAP_BYPASS);
	struct iomm_domain dom = {0};
	struct iomm_domain_cfg c = dcfg(IOMM_DOMAIN_BYPASS, NULL);
	uint64_t pa, unmapped;
	T_RC(iomm_domain_init(&dom, &f->unit, &c), IOMM_OK);
	T_CHECK(iomm_pool_used(&f->pool) == 0, "bypass domain took table pages");
	T_RC(iomm_map(&dom, 0, 0, 0x1000, RW), IOMM_EINVAL);
	T_RC(iomm_unmap(&dom, 0, 0x1000, &unmapped), IOMM_EINVAL);
	T_RC(iomm_iova_to_phys(&dom, 0, &pa), IOMM_EINVAL);
	T_RC(iomm_domain_destroy(&dom), IOMM_OK);
	c = dcfg(IOMM_DOMAIN_BLOCKED, NULL);
	T_RC(iomm_domain_init(&dom, &f->unit, &c), IOMM_OK);
	T_RC(iomm_map(&dom, 0, 0, 0x1000, RW), IOMM_EINVAL);
	T_RC(iomm_domain_destroy(&dom), IOMM_OK);
	fake_free(f);
}

/* ---- unmap and flush ------------------------------------------------------------- */

static void test_unmap_flush(void **state)
{
	(void)state;
	struct fake *f = fake_new(IOMM_CAP_S1 | IOMM_CAP_S2 | IOMM_CAP_COHERENT);
	struct iomm_domain dom = {0};
	struct iomm_domain_cfg c = dcfg(IOMM_DOMAIN_S1, &f->pool);
	uint64_t unmapped = 0, pa;
	T_RC(iomm_domain_init(&dom, &f->unit, &c), IOMM_OK);

	/* 2 MiB of pages: a full last-level table */
	T_RC(iomm_map(&dom, 0x40000000ull, 0x1000, SZ_2M, RW), IOMM_OK);
	T_RC(iomm_map(&dom, 0x40200000ull, 0x5000, 0x3000, RW), IOMM_OK);
	size_t used = iomm_pool_used(&f->pool);
	T_CHECK(used >= 4, "%zu pages", used);
	T_CHECK(f->n_flush == 0, "flush during map");

	/* unmapping the whole 2 MiB unlinks that table: freed only after the flush */
	T_RC(iomm_unmap(&dom, 0x40000000ull, SZ_2M, &unmapped), IOMM_OK);
	T_CHECK(unmapped == SZ_2M, "unmapped 0x%llx", (unsigned long long)unmapped);
	T_CHECK(f->n_flush == 1, "flush called %d times for one unmap", f->n_flush);
	T_CHECK(f->last_dom == &dom, "flush for another domain");
	T_CHECK(t_gather_covers(&f->last_gather, 0x40000000ull, SZ_2M),
		"flushed gather [0x%llx, 0x%llx) misses the range",
		(unsigned long long)f->last_gather.start, (unsigned long long)f->last_gather.end);
	T_CHECK(f->last_gather.nfreed >= 1, "the table was not unlinked (nfreed %u)",
		f->last_gather.nfreed);
	T_CHECK(f->used_at_flush == used, "pages released before the flush (%zu -> %zu)", used,
		f->used_at_flush);
	T_CHECK(iomm_pool_used(&f->pool) == used - f->last_gather.nfreed,
		"after the flush %zu pages, expected %zu", iomm_pool_used(&f->pool),
		used - f->last_gather.nfreed);
	T_RC(iomm_iova_to_phys(&dom, 0x40000000ull, &pa), IOMM_ENOENT);
	T_RC(iomm_iova_to_phys(&dom, 0x40201000ull, &pa), IOMM_OK);

	/* each unmap flushes once */
	T_RC(iomm_unmap(&dom, 0x40201000ull, 0x1000, &unmapped), IOMM_OK);
	T_CHECK(f->n_flush == 2 && unmapped == 0x1000, "flushes %d unmapped 0x%llx", f->n_flush,
		(unsigned long long)unmapped);
	T_CHECK(t_gather_covers(&f->last_gather, 0x40201000ull, 0x1000), "gather misses the page");
	/* unmapping nothing: at most one flush, nothing unmapped */
	int before = f->n_flush;
	T_RC(iomm_unmap(&dom, 0x50000000ull, 0x1000, &unmapped), IOMM_OK);
	T_CHECK(unmapped == 0 && f->n_flush - before <= 1, "unmapped 0x%llx, %d flushes",
		(unsigned long long)unmapped, f->n_flush - before);
	T_RC(iomm_unmap(&dom, 0x50000800ull, 0x1000, &unmapped), IOMM_EINVAL);
	T_RC(iomm_unmap(&dom, 1ull << 48, 0x1000, &unmapped), IOMM_ERANGE);
	T_RC(iomm_unmap(NULL, 0, 0x1000, &unmapped), IOMM_EINVAL);
	T_RC(iomm_unmap(&dom, 0x40200000ull, 0x1000, NULL), IOMM_OK); /* unmapped is optional */

	/* a flush that times out: the mapping is gone, its table pages are not reused */
	T_RC(iomm_map(&dom, 0x60000000ull, 0x1000, SZ_2M, RW), IOMM_OK);
	used = iomm_pool_used(&f->pool);
	f->rc_flush = IOMM_ETIMEDOUT;
	T_RC(iomm_unmap(&dom, 0x60000000ull, SZ_2M, &unmapped), IOMM_ETIMEDOUT);
	f->rc_flush = 0;
	T_RC(iomm_iova_to_phys(&dom, 0x60000000ull, &pa), IOMM_ENOENT);
	T_CHECK(iomm_pool_used(&f->pool) == used,
		"table pages went back to the pool although the invalidation did not complete "
		"(%zu -> %zu)", used, iomm_pool_used(&f->pool));

	T_RC(iomm_domain_destroy(&dom), IOMM_OK);
	fake_free(f);
}

/* Unmapping part of a contiguous group: the domain's table breaks the group
 * with a synchronous flush of its range (under the table's lock, then the
 * unit's), then the unmap's own flush; a failed break unmaps nothing. */
static void test_unmap_bbm(void **state)
{
	(void)state;
	struct fake *f = fake_new(IOMM_CAP_S1 | IOMM_CAP_S2 | IOMM_CAP_COHERENT);
	struct iomm_domain dom = {0};
	struct iomm_domain_cfg c = dcfg(IOMM_DOMAIN_S1, &f->pool);
	uint64_t unmapped = 0, pa;
	T_RC(iomm_domain_init(&dom, &f->unit, &c), IOMM_OK);
	/* 16 pages, group-aligned in and out: one contiguous group */
	T_RC(iomm_map(&dom, 0x40010000ull, 0x80010000ull, 0x10000, RW), IOMM_OK);
	struct iomm_mapping m;
	T_RC(iomm_pgt_lookup(&dom.pgt, 0x40010000ull, &m), IOMM_OK);
	T_CHECK(m.contig, "a domain's table uses the contiguous hint");

	f->rc_flush = IOMM_ETIMEDOUT;
	T_RC(iomm_unmap(&dom, 0x40013000ull, 0x1000, &unmapped), IOMM_ETIMEDOUT);
	f->rc_flush = 0;
	T_CHECK(f->n_flush == 1 && f->n_flush_in_table_lock == 1, "failed break: %d flushes",
		f->n_flush);
	for (uint64_t a = 0x40010000ull; a < 0x40020000ull; a += 0x1000)
		T_RC(iomm_iova_to_phys(&dom, a, &pa), IOMM_OK);
	T_RC(iomm_pgt_lookup(&dom.pgt, 0x40013000ull, &m), IOMM_OK);
	T_CHECK(m.contig, "the failed break changed the group");

	f->n_flush = 0;
	f->n_flush_in_table_lock = 0;
	T_RC(iomm_unmap(&dom, 0x40013000ull, 0x1000, &unmapped), IOMM_OK);
	T_CHECK(unmapped == 0x1000, "unmapped 0x%llx", (unsigned long long)unmapped);
	T_CHECK(f->n_flush == 2 && f->n_flush_in_table_lock == 1,
		"%d flushes, %d under the table lock", f->n_flush, f->n_flush_in_table_lock);
	T_CHECK(f->first_flush_start == 0x40010000ull && f->first_flush_end == 0x40020000ull,
		"break flushed [0x%llx, 0x%llx)", (unsigned long long)f->first_flush_start,
		(unsigned long long)f->first_flush_end);
	T_CHECK(!f->unlocked_call, "flush without the unit's lock, or the group still mapped");
	for (uint64_t a = 0x40010000ull; a < 0x40020000ull; a += 0x1000) {
		int rc = iomm_iova_to_phys(&dom, a, &pa);
		T_CHECK(a == 0x40013000ull ? rc == IOMM_ENOENT
					   : rc == IOMM_OK && pa == a - 0x40010000ull + 0x80010000ull,
			"0x%llx: rc %d", (unsigned long long)a, rc);
		T_RC(iomm_pgt_lookup(&dom.pgt, 0x40014000ull, &m), IOMM_OK);
		T_CHECK(!m.contig, "the hint survived");
	}
	T_RC(iomm_domain_destroy(&dom), IOMM_OK);
	fake_free(f);
}

/* Batched invalidation: unmaps into a caller's gather flush nothing; one sync
 * flushes their union once, then releases the table pages. */
static void test_unmap_gather_sync(void **state)
{
	(void)state;
	struct fake *f = fake_new(IOMM_CAP_S1 | IOMM_CAP_S2 | IOMM_CAP_COHERENT);
	struct iomm_domain dom = {0}, other = {0};
	struct iomm_domain_cfg c = dcfg(IOMM_DOMAIN_S1, &f->pool);
	uint64_t unmapped = 0, pa;
	T_RC(iomm_domain_init(&dom, &f->unit, &c), IOMM_OK);
	T_RC(iomm_domain_init(&other, &f->unit, &c), IOMM_OK);
	T_RC(iomm_map(&dom, 0x40000000ull, 0x1000, SZ_2M, RW), IOMM_OK);
	T_RC(iomm_map(&dom, 0x50000000ull, 0x1000, 0x3000, RW), IOMM_OK);
	size_t used = iomm_pool_used(&f->pool);

	struct iomm_gather g;
	iomm_gather_init(&g);
	T_RC(iomm_unmap_gather(&dom, 0x40000000ull, SZ_2M, &g, &unmapped), IOMM_OK);
	T_CHECK(unmapped == SZ_2M, "unmapped 0x%llx", (unsigned long long)unmapped);
	T_RC(iomm_unmap_gather(&dom, 0x50001000ull, 0x1000, &g, NULL), IOMM_OK);
	T_RC(iomm_unmap_gather(&dom, 0x50000000ull, 0x1000, &g, NULL), IOMM_OK);
	T_CHECK(f->n_flush == 0, "%d flushes before the sync", f->n_flush);
	T_RC(iomm_iova_to_phys(&dom, 0x40000000ull, &pa), IOMM_ENOENT);
	T_CHECK(iomm_pool_used(&f->pool) == used, "pages released before the sync");
	/* another domain's gather is refused */
	T_RC(iomm_unmap_gather(&other, 0x1000, 0x1000, &g, NULL), IOMM_EINVAL);
	T_RC(iomm_gather_sync(&other, &g), IOMM_EINVAL);
	T_RC(iomm_gather_sync(&dom, &g), IOMM_OK);
	T_CHECK(f->n_flush == 1, "%d flushes for one sync", f->n_flush);
	T_CHECK(t_gather_covers(&f->last_gather, 0x40000000ull, SZ_2M) &&
			t_gather_covers(&f->last_gather, 0x50000000ull, 0x2000),
		"the flush misses a range");
	T_CHECK(f->used_at_flush == used, "pages released before the flush");
	T_CHECK(iomm_pool_used(&f->pool) == used - f->last_gather.nfreed && f->last_gather.nfreed,
		"after the sync %zu pages", iomm_pool_used(&f->pool));
	T_CHECK(!iomm_gather_pending(&g), "the gather is not empty after the sync");
	T_RC(iomm_gather_sync(&dom, &g), IOMM_OK); /* nothing left: no flush */
	T_CHECK(f->n_flush == 1, "an empty gather flushed");
	T_RC(iomm_iova_to_phys(&dom, 0x50002000ull, &pa), IOMM_OK);

	/* a failed sync: error returned, pages held back, gather emptied */
	T_RC(iomm_map(&dom, 0x60000000ull, 0x1000, SZ_2M, RW), IOMM_OK);
	used = iomm_pool_used(&f->pool);
	T_RC(iomm_unmap_gather(&dom, 0x60000000ull, SZ_2M, &g, NULL), IOMM_OK);
	f->rc_flush = IOMM_ETIMEDOUT;
	T_RC(iomm_gather_sync(&dom, &g), IOMM_ETIMEDOUT);
	f->rc_flush = 0;
	T_CHECK(iomm_pool_used(&f->pool) == used, "pages reused after a failed invalidation");
	T_CHECK(!iomm_gather_pending(&g), "the gather is not empty after a failed sync");
	T_RC(iomm_unmap_gather(NULL, 0, 0x1000, &g, NULL), IOMM_EINVAL);
	T_RC(iomm_unmap_gather(&dom, 0, 0x1000, NULL, NULL), IOMM_EINVAL);
	T_RC(iomm_gather_sync(&dom, NULL), IOMM_EINVAL);
	T_RC(iomm_domain_destroy(&other), IOMM_OK);
	T_RC(iomm_domain_destroy(&dom), IOMM_OK);
	fake_free(f);
}

/* iomm_update(): permissions in place then one flush; a new output address
 * by break-before-make (one flush under the table lock), nothing after. */
static void test_update_domain(void **state)
{
	(void)state;
	struct fake *f = fake_new(IOMM_CAP_S1 | IOMM_CAP_S2 | IOMM_CAP_COHERENT);
	struct iomm_domain dom = {0};
	struct iomm_domain_cfg c = dcfg(IOMM_DOMAIN_S1, &f->pool);
	uint64_t pa;
	T_RC(iomm_domain_init(&dom, &f->unit, &c), IOMM_OK);
	T_RC(iomm_map(&dom, 0x40000000ull, 0x80000000ull, SZ_2M, RW), IOMM_OK);
	T_RC(iomm_update(&dom, 0x40000000ull, 0x80000000ull, SZ_2M, IOMM_READ), IOMM_OK);
	T_CHECK(f->n_flush == 1 && f->n_flush_in_table_lock == 0, "permissions: %d flushes",
		f->n_flush);
	T_CHECK(t_gather_covers(&f->last_gather, 0x40000000ull, SZ_2M), "flush misses the range");
	struct iomm_mapping m;
	T_RC(iomm_pgt_lookup(&dom.pgt, 0x40001000ull, &m), IOMM_OK);
	T_CHECK(m.prot & IOMM_READ && !(m.prot & IOMM_WRITE), "prot 0x%x", m.prot);
	f->n_flush = 0;
	T_RC(iomm_update(&dom, 0x40000000ull, 0xc0000000ull, SZ_2M, RW), IOMM_OK);
	T_CHECK(f->n_flush == 1 && f->n_flush_in_table_lock == 1, "address: %d flushes, %d in lock",
		f->n_flush, f->n_flush_in_table_lock);
	T_CHECK(!f->unlocked_call, "the break flushed without the unit lock or while mapped");
	T_RC(iomm_iova_to_phys(&dom, 0x40001234ull, &pa), IOMM_OK);
	T_CHECK(pa == 0xc0001234ull, "pa 0x%llx", (unsigned long long)pa);
	T_RC(iomm_update(&dom, 0x50000000ull, 0xc0000000ull, 0x1000, RW), IOMM_ENOENT);
	T_RC(iomm_update(NULL, 0x40000000ull, 0xc0000000ull, SZ_2M, RW), IOMM_EINVAL);
	T_RC(iomm_domain_destroy(&dom), IOMM_OK);
	fake_free(f);
}

/* ---- devices ------------------------------------------------------------------- */

static void test_attach_detach(void **state)
{
	(void)state;
	struct fake *f = fake_new(IOMM_CAP_S1 | IOMM_CAP_S2 | IOMM_CAP_COHERENT);
	struct fake *g = fake_new(IOMM_CAP_S1 | IOMM_CAP_COHERENT);
	struct iomm_domain d1 = {0}, d2 = {0}, dg = {0};
	struct iomm_domain_cfg c = dcfg(IOMM_DOMAIN_S1, &f->pool);
	T_RC(iomm_domain_init(&d1, &f->unit, &c), IOMM_OK);
	c.type = IOMM_DOMAIN_S2;
	T_RC(iomm_domain_init(&d2, &f->unit, &c), IOMM_OK);
	struct iomm_domain_cfg cg = dcfg(IOMM_DOMAIN_S1, &g->pool);
	T_RC(iomm_domain_init(&dg, &g->unit, &cg), IOMM_OK);

	struct iomm_dev a, b, other;
	struct iomm_devid ida = IOMM_SID(5), idb = IOMM_PCI(1, 2, 3);
	T_RC(iomm_dev_init(&a, &f->unit, &ida), IOMM_OK);
	T_RC(iomm_dev_init(&b, &f->unit, &idb), IOMM_OK);
	T_RC(iomm_dev_init(&other, &g->unit, &ida), IOMM_OK);

	T_RC(iomm_attach(&d1, &a), IOMM_OK);
	T_CHECK(f->n_attach == 1 && f->last_dom == &d1 && f->last_dev == &a, "backend attach not called");
	T_CHECK(!f->unlocked_call, "attach ran without the unit's lock");
	T_RC(iomm_attach(&d1, &a), IOMM_EBUSY);
	T_RC(iomm_attach(&d2, &a), IOMM_EBUSY);
	T_CHECK(f->n_attach == 1, "backend attach called for a refused attach");
	T_RC(iomm_attach(&d1, &b), IOMM_OK);
	T_RC(iomm_attach(&d1, &other), IOMM_EINVAL); /* another unit */
	T_RC(iomm_attach(&dg, &a), IOMM_EINVAL);
	T_RC(iomm_attach(NULL, &a), IOMM_EINVAL);
	T_RC(iomm_attach(&d1, NULL), IOMM_EINVAL);

	/* a domain with devices cannot go */
	T_RC(iomm_domain_destroy(&d1), IOMM_EBUSY);
	T_CHECK(f->n_domain_fini == 0, "domain_fini called for a busy domain");
	T_RC(iomm_map(&d1, 0x1000, 0x2000, 0x1000, RW), IOMM_OK); /* still usable */

	T_RC(iomm_detach(&a), IOMM_OK);
	T_CHECK(f->n_detach == 1 && f->last_dev == &a, "backend detach not called");
	T_RC(iomm_detach(&a), IOMM_ENOENT);
	T_CHECK(f->n_detach == 1, "backend detach called for an unattached device");
	T_RC(iomm_detach(NULL), IOMM_EINVAL);
	T_RC(iomm_domain_destroy(&d1), IOMM_EBUSY); /* b is still attached */
	/* a device can move once detached */
	T_RC(iomm_attach(&d2, &a), IOMM_OK);
	T_RC(iomm_detach(&b), IOMM_OK);
	T_RC(iomm_domain_destroy(&d1), IOMM_OK);
	T_CHECK(f->n_domain_fini == 1, "domain_fini %d", f->n_domain_fini);
	T_RC(iomm_detach(&a), IOMM_OK);

	/* the backend refusing an attach leaves the device detached */
	f->rc_attach = IOMM_ENOSPC;
	T_RC(iomm_attach(&d2, &b), IOMM_ENOSPC);
	f->rc_attach = 0;
	T_RC(iomm_detach(&b), IOMM_ENOENT);
	T_RC(iomm_domain_destroy(&d2), IOMM_OK);
	T_RC(iomm_domain_destroy(&dg), IOMM_OK);
	T_CHECK(iomm_pool_used(&f->pool) == 0 && iomm_pool_used(&g->pool) == 0, "pages left");
	fake_free(f);
	fake_free(g);
}

static void test_dev_init(void **state)
{
	(void)state;
	struct fake *f = fake_new(IOMM_CAP_S1);
	struct iomm_dev d;
	struct iomm_devid id;
	id = IOMM_SID(0xffff);
	T_RC(iomm_dev_init(&d, &f->unit, &id), IOMM_OK);
	id = IOMM_SID(0x10000);
	T_RC(iomm_dev_init(&d, &f->unit, &id), IOMM_ERANGE);
	id = IOMM_PCI(255, 31, 7);
	T_RC(iomm_dev_init(&d, &f->unit, &id), IOMM_OK);
	id = IOMM_PCI(1, 32, 0);
	T_RC(iomm_dev_init(&d, &f->unit, &id), IOMM_EINVAL);
	T_RC(iomm_dev_init(NULL, &f->unit, &id), IOMM_EINVAL);
	id = IOMM_SID(1);
	T_RC(iomm_dev_init(&d, NULL, &id), IOMM_EINVAL);
	T_RC(iomm_dev_init(&d, &f->unit, NULL), IOMM_EINVAL);
	/* a unit with 8-bit stream IDs */
	f->unit.sid_bits = 8;
	id = IOMM_SID(0xff);
	T_RC(iomm_dev_init(&d, &f->unit, &id), IOMM_OK);
	id = IOMM_SID(0x100);
	T_RC(iomm_dev_init(&d, &f->unit, &id), IOMM_ERANGE);
	id = IOMM_PCI(0, 31, 7);
	T_RC(iomm_dev_init(&d, &f->unit, &id), IOMM_OK);
	id = IOMM_PCI(1, 0, 0);
	T_RC(iomm_dev_init(&d, &f->unit, &id), IOMM_ERANGE);
	fake_free(f);
}

static void test_devid_resolve(void **state)
{
	(void)state;
	static const struct {
		uint16_t bus, dev, fn;
		uint32_t sid, mask;
	} pci[] = {
		{1, 2, 3, (1u << 8) | (2u << 3) | 3u, 0},
		{0, 0, 0, 0, 0},
		{255, 31, 7, 0xffff, 0},
		{IOMM_ANY, 2, 3, (2u << 3) | 3u, 0xff00},
		{1, IOMM_ANY, 3, (1u << 8) | 3u, 0xf8},
		{1, 2, IOMM_ANY, (1u << 8) | (2u << 3), 0x7},
		{IOMM_ANY, IOMM_ANY, IOMM_ANY, 0, 0xffff},
		{0x12, IOMM_ANY, IOMM_ANY, 0x1200, 0xff},
	};
	for (size_t i = 0; i < sizeof(pci) / sizeof(pci[0]); i++) {
		struct iomm_devid id = IOMM_PCI(pci[i].bus, pci[i].dev, pci[i].fn);
		uint32_t sid = 0xdead, mask = 0xbeef;
		T_RC(iomm_devid_resolve(&id, &sid, &mask), IOMM_OK);
		T_CHECK(sid == pci[i].sid && mask == pci[i].mask,
			"PCI %x:%x.%x -> sid 0x%x mask 0x%x, expected 0x%x 0x%x", pci[i].bus, pci[i].dev,
			pci[i].fn, sid, mask, pci[i].sid, pci[i].mask);
	}
	static const struct {
		uint16_t bus, dev, fn;
	} badpci[] = {{256, 0, 0}, {0, 32, 0}, {0, 0, 8}, {0xfffe, 0, 0}, {0, 0xfffe, 0}};
	for (size_t i = 0; i < sizeof(badpci) / sizeof(badpci[0]); i++) {
		struct iomm_devid id = IOMM_PCI(badpci[i].bus, badpci[i].dev, badpci[i].fn);
		uint32_t sid, mask;
		T_RC(iomm_devid_resolve(&id, &sid, &mask), IOMM_EINVAL);
	}
	struct iomm_devid id = IOMM_SID(0x1234);
	uint32_t sid, mask;
	T_RC(iomm_devid_resolve(&id, &sid, &mask), IOMM_OK);
	T_CHECK(sid == 0x1234 && mask == 0, "sid 0x%x mask 0x%x", sid, mask);
	id.mask = 0xf;
	T_RC(iomm_devid_resolve(&id, &sid, &mask), IOMM_OK);
	T_CHECK(sid == 0x1230 && mask == 0xf, "stream group: sid 0x%x mask 0x%x", sid, mask);
	id.kind = (enum iomm_devid_kind)0;
	T_RC(iomm_devid_resolve(&id, &sid, &mask), IOMM_EINVAL);
	id.kind = (enum iomm_devid_kind)3;
	T_RC(iomm_devid_resolve(&id, &sid, &mask), IOMM_EINVAL);
	id = IOMM_SID(1);
	T_RC(iomm_devid_resolve(NULL, &sid, &mask), IOMM_EINVAL);
	T_RC(iomm_devid_resolve(&id, NULL, &mask), IOMM_EINVAL);
	T_RC(iomm_devid_resolve(&id, &sid, NULL), IOMM_EINVAL);
}

/* ---- faults ---------------------------------------------------------------------- */

struct faults {
	unsigned n;
	uint32_t sids[4];
	enum iomm_fault_reason reasons[4];
};

static void on_fault(void *arg, const struct iomm_fault *flt)
{
	struct faults *fs = arg;
	if (fs->n < 4) {
		fs->sids[fs->n] = flt->sid;
		fs->reasons[fs->n] = flt->reason;
	}
	fs->n++;
}

static void test_fault_poll(void **state)
{
	(void)state;
	struct fake *f = fake_new(IOMM_CAP_S1);
	struct faults fs;
	memset(&fs, 0, sizeof(fs));
	T_RC(iomm_fault_poll(&f->unit, on_fault, &fs), 2);
	T_CHECK(f->n_fault_poll == 1 && fs.n == 2, "poll %d, delivered %u", f->n_fault_poll, fs.n);
	T_CHECK(fs.sids[0] == 0x42 && fs.reasons[0] == IOMM_FAULT_TRANSLATION && fs.sids[1] == 0x43 &&
			fs.reasons[1] == IOMM_FAULT_PERMISSION,
		"faults not delivered in order");
	T_RC(iomm_fault_poll(&f->unit, NULL, &fs), IOMM_EINVAL);
	T_RC(iomm_fault_poll(NULL, on_fault, &fs), IOMM_EINVAL);
	f->ops.fault_poll = NULL;
	T_RC(iomm_fault_poll(&f->unit, on_fault, &fs), IOMM_ENOTSUP);
	T_CHECK(fs.n == 2, "handler called without a backend poll");
	fake_free(f);
}

int main(int argc, char **argv)
{
	/* an optional argument selects tests by name (cmocka pattern) */
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_domain_init),
		cmocka_unit_test(test_domain_geometry),
		cmocka_unit_test(test_bypass_blocked),
		cmocka_unit_test(test_unmap_flush),
		cmocka_unit_test(test_unmap_bbm),
		cmocka_unit_test(test_unmap_gather_sync),
		cmocka_unit_test(test_update_domain),
		cmocka_unit_test(test_attach_detach),
		cmocka_unit_test(test_dev_init),
		cmocka_unit_test(test_devid_resolve),
		cmocka_unit_test(test_fault_poll),
	};
	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
