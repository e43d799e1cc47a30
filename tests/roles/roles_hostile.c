/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host role tests: the device model under a hostile guest. A failed MAP
 * keeps the table-page count, ATTACH moving a domain's only endpoint works
 * at full domain quota, the input range never exceeds what the units
 * translate, PROBE's tail sits where the specification's layout puts it,
 * and UNMAP gives back the intermediate tables it emptied.
 */
#include "roles_fx.h"

/* Pages taken straight from a pool, to leave it exactly @left free pages. */
struct grab {
	struct iomm_pool *pool;
	void *pg[256];
	size_t n;
};

static void grab_leave(struct grab *g, struct iomm_pool *pool, size_t left)
{
	g->pool = pool;
	g->n = 0;
	while (iomm_pool_capacity(pool) - iomm_pool_used(pool) > left) {
		uint64_t pa = 0;
		assert_true(g->n < sizeof(g->pg) / sizeof(g->pg[0]));
		g->pg[g->n] = iomm_pool_alloc(pool, 1, &pa);
		assert_non_null(g->pg[g->n]);
		g->n++;
	}
}

static void grab_release(struct grab *g)
{
	while (g->n)
		iomm_pool_release(g->pool, g->pg[--g->n], 1);
}

static void vm_big(struct rfx *r, struct vmbox *v, size_t pool_pages)
{
	vm_cfg_default(r, v, pool_pages);
	assert_int_equal(iomm_vm_init(&v->vm, &v->cfg), IOMM_OK);
	struct iomm_devid pci = IOMM_PCI(0, 1, 0);
	assert_int_equal(iomm_vm_assign(&v->vm, U(r), &pci, 8), IOMM_OK);
	struct iomm_devid sid = IOMM_SID(0x10);
	assert_int_equal(iomm_vm_assign(&v->vm, U(r), &sid, 16), IOMM_OK);
}

static void vm_down(struct rfx *r, struct vmbox *v)
{
	assert_int_equal(iomm_vm_destroy(&v->vm), IOMM_OK);
	assert_int_equal(iomm_pool_used(v->cfg.pool), 0);
	(void)fx_poll(r->f);
	fx_check_hygiene(r->f);
}

/* Item 1: a MAP across R0 and R1 (two pieces) that runs out of table pages
 * after its first piece answers S_NOMEM and leaves the pool's page count
 * exactly as it was, whatever the number of free pages. */
void pv_map_fail_pool(void **state)
{
	struct rfx *r = *state;
	struct vmbox *v = &r->a;
	struct iomm_vm *vm = &v->vm;
	vm_big(r, v, 64);
	assert_int_equal(attach(vm, 1, 8, 0), IOMM_VIOMMU_S_OK);
	assert_int_equal(map(vm, 1, 0x4001000000ull, 0x4001000fffull, 0x0, RW), IOMM_VIOMMU_S_OK);
	struct grab g;

	/* the case: the first piece takes the last free page for a
	 * new last-level table, the second piece finds none */
	grab_leave(&g, v->cfg.pool, 1);
	uint64_t fp = fingerprint(r, v);
	size_t used = iomm_pool_used(v->cfg.pool);
	assert_int_equal(map(vm, 1, 0x40013ff000ull, 0x4001400fffull, 0x1ff000, IOMM_VIOMMU_MAP_F_READ),
			 IOMM_VIOMMU_S_NOMEM);
	assert_int_equal(iomm_pool_used(v->cfg.pool), used);
	assert_int_equal(fingerprint(r, v), fp);
	grab_release(&g);

	/* a fresh part of the address space (every table level new), with 0..8 free pages */
	unsigned fails = 0, oks = 0;
	for (size_t left = 0; left <= 8; left++) {
		grab_leave(&g, v->cfg.pool, left);
		fp = fingerprint(r, v);
		used = iomm_pool_used(v->cfg.pool);
		uint8_t st = map(vm, 1, 0xc0003ff000ull, 0xc000400fffull, 0x1ff000, RW);
		if (st == IOMM_VIOMMU_S_NOMEM) {
			fails++;
			assert_int_equal(iomm_pool_used(v->cfg.pool), used);
			assert_int_equal(fingerprint(r, v), fp);
		} else {
			assert_int_equal(st, IOMM_VIOMMU_S_OK);
			oks++;
			assert_int_equal(fx_xlate(r->f, 8, 0xc0003ff010ull, RD), 0x801ff010u);
			assert_int_equal(fx_xlate(r->f, 8, 0xc000400010ull, RD), 0xc0000010u);
			assert_int_equal(unmap(vm, 1, 0xc0003ff000ull, 0xc000400fffull),
					 IOMM_VIOMMU_S_OK);
		}
		grab_release(&g);
		check_contained(v);
	}
	assert_true(fails >= 2);
	assert_true(oks >= 1);
	vm_down(r, v);
}

/* Item 2: ATTACH moving the only endpoint of a domain at full domain quota
 * is DETACH then ATTACH: the old domain's slot is free for the new one. */
void pv_attach_move_full(void **state)
{
	struct rfx *r = *state;
	struct vmbox *v = &r->a;
	struct iomm_vm *vm = &v->vm;
	vm_big(r, v, 128);
	struct iomm_devid s9 = IOMM_SID(9), s100 = IOMM_SID(0x64), s101 = IOMM_SID(0x65);
	assert_int_equal(iomm_vm_assign(vm, U(r), &s9, 9), IOMM_OK);
	assert_int_equal(iomm_vm_assign(vm, U(r), &s100, 100), IOMM_OK);
	assert_int_equal(iomm_vm_assign(vm, U(r), &s101, 101), IOMM_OK);
	assert_int_equal(NDOM, 4);
	assert_int_equal(attach(vm, 1, 8, 0), IOMM_VIOMMU_S_OK);
	assert_int_equal(attach(vm, 2, 9, 0), IOMM_VIOMMU_S_OK);
	assert_int_equal(attach(vm, 3, 16, 0), IOMM_VIOMMU_S_OK);
	assert_int_equal(attach(vm, 4, 100, 0), IOMM_VIOMMU_S_OK);
	assert_int_equal(map(vm, 1, 0x10000, 0x10fff, 0x0, RW), IOMM_VIOMMU_S_OK);
	/* a new domain for a fifth endpoint: the quota is spent */
	assert_int_equal(attach(vm, 6, 101, 0), IOMM_VIOMMU_S_NOMEM);

	/* the move: domain 1 goes (with its mapping), domain 5 comes */
	assert_int_equal(attach(vm, 5, 8, 0), IOMM_VIOMMU_S_OK);
	assert_int_not_equal(fx_dma(r->f, 8, 0x10000, RD, NULL), 0);
	assert_int_equal(map(vm, 1, 0x20000, 0x20fff, 0x0, RW), IOMM_VIOMMU_S_NOENT);
	assert_int_equal(detach(vm, 1, 8), IOMM_VIOMMU_S_INVAL);
	assert_int_equal(map(vm, 5, 0x20000, 0x20fff, 0x3000, RW), IOMM_VIOMMU_S_OK);
	assert_int_equal(fx_xlate(r->f, 8, 0x20010, WR), 0x80003010u);
	assert_int_equal(fx_xlate(r->f, 8, 0x8000040, WR), 0x2f000040u); /* doorbell */
	check_contained(v);

	/* a domain with two endpoints does not go: the quota stays spent */
	assert_int_equal(attach(vm, 5, 9, 0), IOMM_VIOMMU_S_OK); /* domain 2 goes */
	assert_int_equal(attach(vm, 2, 101, 0), IOMM_VIOMMU_S_OK);
	uint64_t fp = fingerprint(r, v);
	size_t used = iomm_pool_used(v->cfg.pool);
	assert_int_equal(attach(vm, 7, 8, 0), IOMM_VIOMMU_S_NOMEM);
	assert_int_equal(fingerprint(r, v), fp);
	assert_int_equal(iomm_pool_used(v->cfg.pool), used);

	/* the move fails for want of table pages: nothing changes */
	struct grab g;
	grab_leave(&g, v->cfg.pool, 0);
	assert_int_equal(attach(vm, 7, 16, 0), IOMM_VIOMMU_S_NOMEM);
	assert_int_equal(fingerprint(r, v), fp);
	assert_int_equal(iomm_pool_used(v->cfg.pool), used + g.n);
	grab_release(&g);
	assert_int_equal(detach(vm, 3, 16), IOMM_VIOMMU_S_OK);

	/* repeated moves at full quota */
	assert_int_equal(attach(vm, 3, 16, 0), IOMM_VIOMMU_S_OK);
	for (uint32_t d = 10; d < 20; d++) {
		assert_int_equal(attach(vm, d, 100, 0), IOMM_VIOMMU_S_OK);
		assert_int_equal(map(vm, d, 0x30000, 0x30fff, 0x4000, RW), IOMM_VIOMMU_S_OK);
		assert_int_equal(fx_xlate(r->f, 0x64, 0x30010, RD), 0x80004010u);
	}
	check_contained(v);
	assert_int_equal(iomm_viommu_dev_reset(vm), IOMM_OK);
	vm_down(r, v);
}

/* Item 3: an input range wider than the unit translates is clamped when the
 * first unit is set up; MAPs beyond it answer S_RANGE without touching the
 * pool, and the last page of the clamped range maps. */
void pv_input_clamp(void **state)
{
	struct rfx *r = *state;
	struct vmbox *v = &r->a;
	struct iomm_vm *vm = &v->vm;
	vm_cfg_default(r, v, 64);
	v->cfg.input_end = UINT64_MAX;
	assert_int_equal(iomm_vm_init(vm, &v->cfg), IOMM_OK);
	struct iomm_devid pci = IOMM_PCI(0, 1, 0);
	assert_int_equal(iomm_vm_assign(vm, U(r), &pci, 8), IOMM_OK);
	uint8_t cfg[IOMM_VIOMMU_CFG_SIZE];
	assert_int_equal(iomm_viommu_dev_config(vm, cfg, sizeof(cfg)), IOMM_OK);
	uint64_t end = iomm_get_le64(cfg + IOMM_VIOMMU_CFG_INPUT_END);
	assert_true(end < UINT64_MAX);
	assert_int_equal(end & (end + 1), 0); /* 2^n - 1 */
	assert_true(end >= (1ull << 40) - 1);
	assert_int_equal(attach(vm, 1, 8, 0), IOMM_VIOMMU_S_OK);
	uint64_t fp = fingerprint(r, v);
	size_t used = iomm_pool_used(v->cfg.pool);
	/* the last page below 2^64 */
	assert_int_equal(map(vm, 1, UINT64_MAX - 0xfff, UINT64_MAX, 0x0, RW), IOMM_VIOMMU_S_RANGE);
	/* across 2^48 (and across R0/R1: two pieces) */
	assert_int_equal(map(vm, 1, (1ull << 48) - 0x1000, (1ull << 48) + 0xfff, 0x1ff000, RW),
			 IOMM_VIOMMU_S_RANGE);
	/* across the end of the range */
	assert_int_equal(map(vm, 1, end - 0xfff, end + 0x1000, 0x1ff000, RW), IOMM_VIOMMU_S_RANGE);
	assert_int_equal(iomm_pool_used(v->cfg.pool), used);
	assert_int_equal(fingerprint(r, v), fp);
	/* the last page of the range maps */
	assert_int_equal(map(vm, 1, end - 0x1fff, end, 0x1ff000, RW), IOMM_VIOMMU_S_OK);
	assert_int_equal(fx_xlate(r->f, 8, end - 0x1fff, RD), 0x801ff000u);
	assert_int_equal(fx_xlate(r->f, 8, end - 0xfff, RD), 0xc0000000u);
	assert_int_equal(unmap(vm, 1, 0, UINT64_MAX), IOMM_VIOMMU_S_OK);
	check_contained(v);
	assert_int_equal(iomm_viommu_dev_reset(vm), IOMM_OK);
	vm_down(r, v);

	/* a range that starts beyond what the unit translates: assignment
	 * fails and claims nothing */
	vm_cfg_default(r, v, 64);
	v->cfg.input_start = 1ull << 60;
	v->cfg.input_end = UINT64_MAX;
	assert_int_equal(iomm_vm_init(vm, &v->cfg), IOMM_OK);
	assert_int_equal(iomm_vm_assign(vm, U(r), &pci, 8), IOMM_ERANGE);
	assert_int_equal(iomm_pool_used(v->cfg.pool), 0);
	assert_int_equal(iomm_vm_walk(vm, 8, hash_leaf, &(uint64_t){0}), IOMM_ENOENT);
	vm_down(r, v);
}

static size_t probe_req(struct iomm_vm *vm, uint32_t ep, uint8_t *resp, size_t len)
{
	uint8_t preq[72] = {IOMM_VIOMMU_T_PROBE};
	iomm_put_le32(preq + 4, ep);
	size_t used = 0;
	memset(resp, 0xcc, len);
	assert_int_equal(iomm_viommu_dev_handle(vm, preq, sizeof(preq), resp, len, &used), IOMM_OK);
	return used;
}

/* Item 4: a device-writable part longer than the layout: the tail sits
 * where the specification's layout puts it (after probe_size bytes of
 * properties for PROBE, at the start for the other requests), every other
 * byte is zero. */
void pv_probe_layout(void **state)
{
	struct rfx *r = *state;
	struct vmbox *v = &r->a;
	struct iomm_vm *vm = &v->vm;
	vm_big(r, v, 64);
	assert_int_equal(v->cfg.probe_size, 64);
	uint8_t resp[100];
	static const uint8_t prop[24] = {1, 0, 20, 0, 1, 0, 0, 0, 0, 0, 0, 8,
					 0, 0, 0, 0, 0xff, 0x0f, 0, 8, 0, 0, 0, 0};
	/* the exact size */
	assert_int_equal(probe_req(vm, 8, resp, 68), 68);
	assert_memory_equal(resp, prop, sizeof(prop));
	for (size_t i = sizeof(prop); i < 68; i++)
		assert_int_equal(resp[i], 0);
	/* longer: the tail at 64 */
	assert_int_equal(probe_req(vm, 8, resp, sizeof(resp)), sizeof(resp));
	assert_memory_equal(resp, prop, sizeof(prop));
	for (size_t i = sizeof(prop); i < sizeof(resp); i++)
		assert_int_equal(resp[i], 0);
	/* a failed PROBE: its status at 64 too */
	assert_int_equal(probe_req(vm, 77, resp, sizeof(resp)), sizeof(resp));
	for (size_t i = 0; i < sizeof(resp); i++)
		assert_int_equal(resp[i], i == 64 ? IOMM_VIOMMU_S_NOENT : 0);
	/* shorter than the layout: S_INVAL in the last four bytes (the only tail there is) */
	assert_int_equal(probe_req(vm, 8, resp, 40), 40);
	for (size_t i = 0; i < 40; i++)
		assert_int_equal(resp[i], i == 36 ? IOMM_VIOMMU_S_INVAL : 0);
	/* ATTACH with 10 device-writable bytes: the tail at 0 */
	uint8_t b[20] = {IOMM_VIOMMU_T_ATTACH};
	iomm_put_le32(b + 4, 1);
	iomm_put_le32(b + 8, 77);
	uint8_t w[10];
	memset(w, 0xcc, sizeof(w));
	size_t used = 0;
	assert_int_equal(iomm_viommu_dev_handle(vm, b, sizeof(b), w, sizeof(w), &used), IOMM_OK);
	assert_int_equal(used, sizeof(w));
	for (size_t i = 0; i < sizeof(w); i++)
		assert_int_equal(w[i], i == 0 ? IOMM_VIOMMU_S_NOENT : 0);
	vm_down(r, v);
}

/* Item 5: after mapping and unmapping fragments spread over many tables,
 * the VM's pool is back to its baseline; a partial unmap keeps what is
 * still mapped. */
void pv_unmap_reclaim(void **state)
{
	struct rfx *r = *state;
	struct vmbox *v = &r->a;
	struct iomm_vm *vm = &v->vm;
	vm_big(r, v, 256);
	assert_int_equal(attach(vm, 1, 8, 0), IOMM_VIOMMU_S_OK);
	size_t base = iomm_pool_used(v->cfg.pool);
	for (unsigned round = 0; round < 3; round++) {
		/* 12 batches of 4 fragments: 48 mappings (the quota is 16 at a time) */
		for (unsigned b = 0; b < 12; b++) {
			for (unsigned i = 0; i < 4; i++) {
				uint64_t iova = 0x4000000000ull + (uint64_t)b * 0x40000000ull +
						(uint64_t)i * 0x200000ull * 3u + round * 0x1000u;
				assert_int_equal(map(vm, 1, iova, iova + 0xfff, (uint64_t)i * 0x1000u,
						     RW),
						 IOMM_VIOMMU_S_OK);
			}
			assert_true(iomm_pool_used(v->cfg.pool) > base);
			for (unsigned i = 0; i < 4; i++) {
				uint64_t iova = 0x4000000000ull + (uint64_t)b * 0x40000000ull +
						(uint64_t)i * 0x200000ull * 3u + round * 0x1000u;
				assert_int_equal(unmap(vm, 1, iova, iova + 0xfff), IOMM_VIOMMU_S_OK);
				if (i < 3)
					assert_int_equal(fx_xlate(r->f, 8, iova + 0x600000 + 8, RD),
							 0x80000008u + (i + 1) * 0x1000u);
			}
			assert_int_equal(iomm_pool_used(v->cfg.pool), base);
		}
	}
	/* neighbours in one last-level table and one in the next: unmapping
	 * one keeps the others' tables */
	assert_int_equal(map(vm, 1, 0x1ff000, 0x1fffff, 0x0, RW), IOMM_VIOMMU_S_OK);
	assert_int_equal(map(vm, 1, 0x1fe000, 0x1fefff, 0x1000, RW), IOMM_VIOMMU_S_OK);
	assert_int_equal(map(vm, 1, 0x200000, 0x200fff, 0x2000, RW), IOMM_VIOMMU_S_OK);
	assert_int_equal(unmap(vm, 1, 0x1ff000, 0x1fffff), IOMM_VIOMMU_S_OK);
	assert_int_equal(fx_xlate(r->f, 8, 0x1fe008, RD), 0x80001008u);
	assert_int_equal(fx_xlate(r->f, 8, 0x200008, RD), 0x80002008u);
	assert_int_equal(unmap(vm, 1, 0, UINT64_MAX), IOMM_VIOMMU_S_OK);
	assert_int_equal(iomm_pool_used(v->cfg.pool), base);
	/* the doorbell's tables stay */
	assert_int_equal(fx_xlate(r->f, 8, 0x8000040, WR), 0x2f000040u);
	check_contained(v);
	vm_down(r, v);
}
