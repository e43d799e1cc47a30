/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host role tests: argument checks, features turned off, ranges, table-pool
 * exhaustion and a unit that stops answering.
 */
#include "roles_fx.h"

/* ======================= checks, limits and failures ======================= */

/* Every rule of iomm_vm_init(), and NULL or uninitialised objects on every
 * entry point: EINVAL and nothing done. Overlapping RESV_MEM regions are
 * refused: they used to be accepted, after which every ATTACH to a new
 * guest domain failed with S_INVAL (the shared doorbell was mapped twice). */
void roles_vm_checks(void **state)
{
	struct rfx *r = *state;
	struct vmbox *v = &r->a;
	struct iomm_vm *vm = &v->vm;
	vm_cfg_default(r, v, 64);
	struct iomm_vm_cfg good = v->cfg;
	struct iomm_vm_cfg *c = &v->cfg;
	assert_int_equal(iomm_vm_init(NULL, c), IOMM_EINVAL);
	assert_int_equal(iomm_vm_init(vm, NULL), IOMM_EINVAL);
#define BAD_CFG(stmt)                                                                              \
	do {                                                                                       \
		*c = good;                                                                         \
		stmt;                                                                              \
		assert_int_equal(iomm_vm_init(vm, c), IOMM_EINVAL);                                \
	} while (0)
	BAD_CFG(c->regions = NULL);
	BAD_CFG(c->nregions = 0);
	BAD_CFG(c->pool = NULL);
	BAD_CFG(c->endpoints = NULL);
	BAD_CFG(c->nendpoints = 0);
	BAD_CFG(c->domains = NULL);
	BAD_CFG(c->mappings = NULL);
	BAD_CFG(c->events = NULL);
	BAD_CFG(c->resv = NULL);
	BAD_CFG(c->granule = 8192);
	BAD_CFG(c->page_size_mask = 0x800);		 /* finer than the granule */
	BAD_CFG((c->input_start = 0x2000, c->input_end = 0x1fff)); /* empty */
	BAD_CFG((c->domain_start = 9, c->domain_end = 8));
	BAD_CFG(c->probe_size = IOMM_VIOMMU_RESV_SIZE - 1); /* one RESV_MEM does not fit */
	BAD_CFG(c->policy = (enum iomm_vm_policy)7);
	struct iomm_vm_resv rv[2] = {
	    {.start = 0x8000000u, .end = 0x8000fffu, .subtype = IOMM_VIOMMU_RESV_T_MSI},
	    {.start = 0x8000000u, .end = 0x8000fffu, .subtype = IOMM_VIOMMU_RESV_T_MSI},
	};
	BAD_CFG((c->resv = rv, c->nresv = 2)); /* the same doorbell twice */
	rv[1].start = 0x8000800u;
	rv[1].end = 0x8001fffu;
	rv[1].subtype = IOMM_VIOMMU_RESV_T_RESERVED;
	BAD_CFG((c->resv = rv, c->nresv = 2)); /* overlapping */
	rv[1].start = 0x9000000u;
	rv[1].end = 0x8ffffffu;
	BAD_CFG((c->resv = rv, c->nresv = 2)); /* end < start */
	rv[1].end = 0x9000fffu;
	rv[1].subtype = 2;
	BAD_CFG((c->resv = rv, c->nresv = 2)); /* unknown subtype */
	struct iomm_vm_region reg = {.gpa = 0, .hpa = 0x80000000u, .size = 0x1000,
				     .prot = IOMM_READ | IOMM_MEM_MASK};
	BAD_CFG((c->regions = &reg, c->nregions = 1)); /* reserved memory type */
	reg.prot = IOMM_READ;
	reg.hpa = UINT64_MAX & ~0xfffull;
	reg.size = 0x2000;
	BAD_CFG((c->regions = &reg, c->nregions = 1)); /* host range wraps */
#undef BAD_CFG

	/* disjoint RESV_MEM regions are fine, and ATTACH works with them */
	*c = good;
	rv[1].subtype = IOMM_VIOMMU_RESV_T_RESERVED;
	c->resv = rv;
	c->nresv = 2;
	assert_int_equal(iomm_vm_init(vm, c), IOMM_OK);
	struct iomm_devid sid = IOMM_SID(0x10);
	assert_int_equal(iomm_vm_assign(vm, U(r), &sid, 16), IOMM_OK);
	assert_int_equal(attach(vm, 1, 16, 0), IOMM_VIOMMU_S_OK);
	assert_int_equal(fx_xlate(r->f, 0x10, 0x8000000u, WR), 0x2f000000u); /* the doorbell */
	assert_int_equal(map(vm, 1, 0x9000000u, 0x9000fffu, 0x1000, RW), IOMM_VIOMMU_S_FAULT);
	assert_int_equal(iomm_vm_destroy(vm), IOMM_OK);

	/* NULL arguments and a VM that is not initialised (destroyed above) */
	uint8_t buf[IOMM_VIOMMU_PROBE_PROPS] = {IOMM_VIOMMU_T_PROBE};
	uint8_t out[64];
	size_t used = 7;
	struct iomm_fault f = {0};
	assert_int_equal(iomm_vm_assign(vm, U(r), &sid, 16), IOMM_EINVAL);
	assert_int_equal(iomm_vm_assign(NULL, U(r), &sid, 16), IOMM_EINVAL);
	assert_int_equal(iomm_vm_unassign(vm, 16), IOMM_EINVAL);
	assert_int_equal(iomm_vm_unassign(NULL, 16), IOMM_EINVAL);
	assert_int_equal(iomm_vm_destroy(vm), IOMM_EINVAL);
	assert_int_equal(iomm_vm_destroy(NULL), IOMM_EINVAL);
	assert_int_equal(iomm_vm_walk(vm, 16, hash_leaf, &(uint64_t){0}), IOMM_EINVAL);
	assert_int_equal(iomm_vm_audit(vm), IOMM_EINVAL);
	assert_int_equal(iomm_vm_audit(NULL), IOMM_EINVAL);
	assert_int_equal(iomm_vm_fault_route(vm, U(r), &f), IOMM_EINVAL);
	assert_int_equal(iomm_viommu_dev_next_event(vm, out, sizeof(out)), IOMM_EINVAL);
	assert_int_equal(iomm_viommu_dev_config(vm, out, sizeof(out)), IOMM_EINVAL);
	assert_int_equal(iomm_viommu_dev_set_bypass(vm, 1), IOMM_EINVAL);
	assert_int_equal(iomm_viommu_dev_set_bypass(NULL, 1), IOMM_EINVAL);
	assert_int_equal(iomm_viommu_dev_reset(vm), IOMM_EINVAL);
	assert_int_equal(iomm_viommu_dev_reset(NULL), IOMM_EINVAL);
	assert_int_equal(iomm_viommu_dev_handle(vm, buf, sizeof(buf), out, sizeof(out), &used),
			 IOMM_EINVAL);
	assert_int_equal(iomm_viommu_dev_events_dropped(NULL), 0);
	assert_int_equal(iomm_viommu_dev_features(NULL), 0);

	/* initialised again: the arguments themselves */
	*c = good;
	assert_int_equal(iomm_vm_init(vm, c), IOMM_OK);
	assert_int_equal(iomm_vm_assign(vm, NULL, &sid, 16), IOMM_EINVAL);
	assert_int_equal(iomm_vm_assign(vm, U(r), NULL, 16), IOMM_EINVAL);
	assert_int_equal(iomm_vm_walk(vm, 16, NULL, NULL), IOMM_EINVAL);
	assert_int_equal(iomm_vm_walk(vm, 16, hash_leaf, &(uint64_t){0}), IOMM_ENOENT);
	assert_int_equal(iomm_vm_fault_route(vm, NULL, &f), IOMM_EINVAL);
	assert_int_equal(iomm_vm_fault_route(vm, U(r), NULL), IOMM_EINVAL);
	assert_int_equal(iomm_viommu_dev_next_event(vm, NULL, sizeof(out)), IOMM_EINVAL);
	assert_int_equal(iomm_viommu_dev_config(vm, NULL, sizeof(out)), IOMM_EINVAL);
	assert_int_equal(iomm_viommu_dev_handle(vm, buf, sizeof(buf), out, sizeof(out), NULL),
			 IOMM_EINVAL);
	assert_int_equal(iomm_viommu_dev_handle(vm, NULL, 4, out, sizeof(out), &used), IOMM_EINVAL);
	assert_int_equal(iomm_viommu_dev_handle(vm, buf, sizeof(buf), NULL, 4, &used), IOMM_EINVAL);
	/* an empty request has no type: not answered */
	memset(out, 0xa5, sizeof(out));
	used = 7;
	assert_int_equal(iomm_viommu_dev_handle(vm, NULL, 0, out, sizeof(out), &used), IOMM_OK);
	assert_int_equal(used, 0);
	assert_int_equal(out[0], 0xa5);
	/* the loopback hooks ignore NULL */
	struct iomm_viommu_loopback_dev lb;
	memset(&lb, 0, sizeof(lb));
	iomm_viommu_dev_loopback(NULL, &lb);
	assert_null(lb.handle);
	iomm_viommu_dev_loopback(vm, NULL);
	assert_int_equal(iomm_vm_destroy(vm), IOMM_OK);
	fx_check_hygiene(r->f);
}

/* A device offering nothing optional: MAP and UNMAP are S_UNSUPP, PROBE is
 * not answered, config.bypass is read-only and ATTACH knows no flags. */
void pv_features_off(void **state)
{
	struct rfx *r = *state;
	struct vmbox *v = &r->a;
	struct iomm_vm *vm = &v->vm;
	vm_cfg_default(r, v, 64);
	v->cfg.features = 1ull << IOMM_VIOMMU_F_VERSION_1;
	assert_int_equal(iomm_vm_init(vm, &v->cfg), IOMM_OK);
	assert_int_equal(iomm_viommu_dev_features(vm), 1ull << IOMM_VIOMMU_F_VERSION_1);
	struct iomm_devid sid = IOMM_SID(0x10);
	assert_int_equal(iomm_vm_assign(vm, U(r), &sid, 16), IOMM_OK);
	assert_int_equal(attach(vm, 1, 16, IOMM_VIOMMU_ATTACH_F_BYPASS), IOMM_VIOMMU_S_INVAL);
	assert_int_equal(attach(vm, 1, 16, 0), IOMM_VIOMMU_S_OK);
	assert_int_equal(map(vm, 1, 0x0, 0xfff, 0x0, RW), IOMM_VIOMMU_S_UNSUPP);
	assert_int_equal(unmap(vm, 1, 0x0, 0xfff), IOMM_VIOMMU_S_UNSUPP);
	assert_int_not_equal(fx_dma(r->f, 0x10, 0x0, RD, NULL), 0);
	uint8_t probe[IOMM_VIOMMU_PROBE_PROPS] = {IOMM_VIOMMU_T_PROBE};
	iomm_put_le32(probe + IOMM_VIOMMU_PROBE_ENDPOINT, 16);
	uint8_t out[128];
	memset(out, 0xa5, sizeof(out));
	size_t used = 7;
	assert_int_equal(iomm_viommu_dev_handle(vm, probe, sizeof(probe), out, sizeof(out), &used),
			 IOMM_OK);
	assert_int_equal(used, 0);
	for (size_t i = 0; i < sizeof(out); i++)
		assert_int_equal(out[i], 0xa5);
	assert_int_equal(iomm_viommu_dev_set_bypass(vm, 1), IOMM_EPERM);
	uint8_t cfg[IOMM_VIOMMU_CFG_SIZE];
	assert_int_equal(iomm_viommu_dev_config(vm, cfg, sizeof(cfg)), IOMM_OK);
	assert_int_equal(cfg[IOMM_VIOMMU_CFG_BYPASS], 0);
	/* the loopback transport's config write goes nowhere either */
	struct iomm_viommu_loopback_dev lb;
	iomm_viommu_dev_loopback(vm, &lb);
	uint8_t one = 1;
	lb.config_write(lb.dev, IOMM_VIOMMU_CFG_BYPASS, &one, 1);
	assert_int_equal(iomm_viommu_dev_config(vm, cfg, sizeof(cfg)), IOMM_OK);
	assert_int_equal(cfg[IOMM_VIOMMU_CFG_BYPASS], 0);
	assert_int_equal(detach(vm, 1, 16), IOMM_VIOMMU_S_OK);
	assert_int_not_equal(fx_dma(r->f, 0x10, 0x0, RD, NULL), 0);
	assert_int_equal(iomm_vm_destroy(vm), IOMM_OK);
	assert_int_equal(iomm_pool_used(v->cfg.pool), 0);
	fx_check_hygiene(r->f);
}

/* Domain and input ranges; an input range wider than the real domain's
 * input size (S_RANGE from the table, nothing mapped); MSI doorbells that
 * cannot be mapped through A are left out. */
void pv_ranges(void **state)
{
	struct rfx *r = *state;
	struct vmbox *v = &r->a;
	struct iomm_vm *vm = &v->vm;
	vm_cfg_default(r, v, 64);
	static const struct iomm_vm_resv rv[] = {
	    {.start = 0x8000000u, .end = 0x8000fffu, .subtype = IOMM_VIOMMU_RESV_T_MSI},
	    {.start = 0x1000800u, .end = 0x1000fffu, .subtype = IOMM_VIOMMU_RESV_T_MSI}, /* unaligned */
	    {.start = 0x4000000u, .end = 0x4000fffu, .subtype = IOMM_VIOMMU_RESV_T_MSI}, /* outside A */
	    {.start = 0x1ff000u, .end = 0x200fffu, .subtype = IOMM_VIOMMU_RESV_T_MSI}, /* two regions */
	    {.start = 0xfffffffffffff000ull, .end = UINT64_MAX, .subtype = IOMM_VIOMMU_RESV_T_MSI},
	};
	v->cfg.resv = rv;
	v->cfg.nresv = sizeof(rv) / sizeof(rv[0]);
	v->cfg.probe_size = 128;
	v->cfg.domain_start = 10;
	v->cfg.domain_end = 20;
	v->cfg.input_start = 0x10000;
	v->cfg.input_end = UINT64_MAX - 0x100000; /* beyond any table */
	assert_int_equal(iomm_vm_init(vm, &v->cfg), IOMM_OK);
	struct iomm_devid sid = IOMM_SID(0x10);
	assert_int_equal(iomm_vm_assign(vm, U(r), &sid, 16), IOMM_OK);
	assert_int_equal(attach(vm, 9, 16, 0), IOMM_VIOMMU_S_RANGE);
	assert_int_equal(attach(vm, 21, 16, 0), IOMM_VIOMMU_S_RANGE);
	assert_int_equal(attach(vm, 10, 16, 0), IOMM_VIOMMU_S_OK);
	/* only the first doorbell is mapped */
	assert_int_equal(fx_xlate(r->f, 0x10, 0x8000000u, WR), 0x2f000000u);
	assert_int_not_equal(fx_dma(r->f, 0x10, 0x1000800u, RD, NULL), 0);
	assert_int_not_equal(fx_dma(r->f, 0x10, 0x4000000u, RD, NULL), 0);
	assert_int_not_equal(fx_dma(r->f, 0x10, 0x1ff000u, RD, NULL), 0);
	uint64_t before = fingerprint(r, v);
	size_t pages = iomm_pool_used(v->cfg.pool);
	assert_int_equal(map(vm, 21, 0x100000, 0x100fff, 0x0, RW), IOMM_VIOMMU_S_RANGE);
	assert_int_equal(unmap(vm, 21, 0x100000, 0x100fff), IOMM_VIOMMU_S_RANGE);
	assert_int_equal(map(vm, 10, 0xf000, 0xffff, 0x0, RW), IOMM_VIOMMU_S_RANGE);
	assert_int_equal(map(vm, 10, 1ull << 52, (1ull << 52) + 0xfff, 0x0, RW),
			 IOMM_VIOMMU_S_RANGE);
	assert_int_equal(fingerprint(r, v), before);
	assert_int_equal(iomm_pool_used(v->cfg.pool), pages);
	assert_int_equal(map(vm, 10, 0x10000, 0x10fff, 0x0, RW), IOMM_VIOMMU_S_OK);
	assert_int_equal(fx_xlate(r->f, 0x10, 0x10000, RD), 0x80000000u);
	check_contained(v);
	assert_int_equal(iomm_vm_destroy(vm), IOMM_OK);
	assert_int_equal(iomm_pool_used(v->cfg.pool), 0);
	(void)fx_poll(r->f);
	fx_check_hygiene(r->f);
}

/* A table pool too small for A: assignment fails with ENOMEM and claims
 * nothing. Just large enough for A: a new guest domain (its root, then the
 * doorbell's tables) is S_NOMEM and changes nothing, until the pool is
 * large enough. */
void roles_pool_exhaustion(void **state)
{
	struct rfx *r = *state;
	struct vmbox *v = &r->a;
	struct iomm_vm *vm = &v->vm;
	struct iomm_devid sid = IOMM_SID(0x10);
	size_t fit = 0;
	for (size_t n = 1; n < 64 && !fit; n++) {
		vm_cfg_default(r, v, n);
		assert_int_equal(iomm_vm_init(vm, &v->cfg), IOMM_OK);
		int rc = iomm_vm_assign(vm, U(r), &sid, 16);
		if (rc == IOMM_OK) {
			fit = n;
			break;
		}
		assert_int_equal(rc, IOMM_ENOMEM);
		assert_int_equal(iomm_pool_used(v->cfg.pool), 0);
		assert_int_equal(iomm_vm_walk(vm, 16, hash_leaf, &(uint64_t){0}), IOMM_ENOENT);
		/* not claimed: another VM may take the device */
		vm_cfg_default(r, &r->b, 64);
		assert_int_equal(iomm_vm_init(&r->b.vm, &r->b.cfg), IOMM_OK);
		assert_int_equal(iomm_vm_assign(&r->b.vm, U(r), &sid, 1), IOMM_OK);
		assert_int_equal(iomm_vm_destroy(&r->b.vm), IOMM_OK);
		assert_int_equal(iomm_vm_destroy(vm), IOMM_OK);
	}
	assert_true(fit > 1);
	assert_int_equal(iomm_vm_destroy(vm), IOMM_OK);

	unsigned nomem = 0;
	for (size_t n = fit; n < fit + 16; n++) {
		vm_cfg_default(r, v, n);
		assert_int_equal(iomm_vm_init(vm, &v->cfg), IOMM_OK);
		assert_int_equal(iomm_vm_assign(vm, U(r), &sid, 16), IOMM_OK);
		assert_int_equal(iomm_viommu_dev_set_bypass(vm, 1), IOMM_OK);
		uint64_t before = fingerprint(r, v);
		size_t pages = iomm_pool_used(v->cfg.pool);
		uint8_t st = attach(vm, 1, 16, 0);
		if (st == IOMM_VIOMMU_S_OK) {
			assert_int_equal(fx_xlate(r->f, 0x10, 0x8000000u, WR), 0x2f000000u);
			assert_int_equal(iomm_vm_destroy(vm), IOMM_OK);
			break;
		}
		nomem++;
		assert_int_equal(st, IOMM_VIOMMU_S_NOMEM);
		assert_int_equal(iomm_pool_used(v->cfg.pool), pages);
		assert_int_equal(fingerprint(r, v), before);
		assert_int_equal(fx_xlate(r->f, 0x10, 0x1000, RD), 0x80001000u); /* still confined */
		assert_int_equal(map(vm, 1, 0x0, 0xfff, 0x0, RW), IOMM_VIOMMU_S_NOENT);
		assert_int_equal(iomm_vm_destroy(vm), IOMM_OK);
	}
	assert_true(nomem >= 2); /* the root, then the doorbell's tables */
	(void)fx_poll(r->f);
	fx_check_hygiene(r->f);
}

/* The SMMU stops consuming commands: every call that must reach it fails
 * with the unit's error (S_DEVERR for the guest), within the port's clock;
 * the device is blocked or where it was, and the VM's books follow the
 * device. Once the SMMU is back everything works again.
 * (A failed DETACH used to free the guest domain while the device stayed
 * recorded in it: the next ATTACH reused the slot, reported S_OK without
 * programming the device, and the old tables leaked from the pool.) */
void roles_unit_failure(void **state)
{
	struct rfx *r = *state;
	vm_up(r);
	struct iomm_vm *vm = &r->a.vm;
	assert_int_equal(attach(vm, 1, 8, 0), IOMM_VIOMMU_S_OK);
	assert_int_equal(map(vm, 1, 0x40000000, 0x40000fff, 0x2000, RW), IOMM_VIOMMU_S_OK);
	assert_int_equal(fx_xlate(r->f, 8, 0x40000000, RD), 0x80002000u);
	struct iomm_devid s20 = IOMM_SID(0x20);

	r->f->model.cfg.stall_cmdq = true;
	uint64_t t0 = r->f->px.fake_now;
	/* UNMAP: gone from the books and the table, not confirmed by the SMMU */
	assert_int_equal(unmap(vm, 1, 0x40000000, 0x40000fff), IOMM_VIOMMU_S_DEVERR);
	assert_true(r->f->px.fake_now > t0); /* it waited, on the port's clock */
	/* a new mapping needs no command */
	assert_int_equal(map(vm, 1, 0x40000000, 0x40000fff, 0x3000, RW), IOMM_VIOMMU_S_OK);
	/* ATTACH to a new domain: S_DEVERR, and no new domain */
	assert_int_equal(attach(vm, 2, 16, 0), IOMM_VIOMMU_S_DEVERR);
	assert_int_equal(map(vm, 2, 0x0, 0xfff, 0x0, RW), IOMM_VIOMMU_S_NOENT);
	/* DETACH, ATTACH elsewhere: S_DEVERR, endpoint 8 stays in domain 1 */
	assert_int_equal(detach(vm, 1, 8), IOMM_VIOMMU_S_DEVERR);
	assert_int_equal(attach(vm, 3, 8, 0), IOMM_VIOMMU_S_DEVERR);
	assert_int_equal(map(vm, 3, 0x0, 0xfff, 0x0, RW), IOMM_VIOMMU_S_NOENT);
	assert_int_equal(map(vm, 1, 0x40001000, 0x40001fff, 0x4000, RW), IOMM_VIOMMU_S_OK);
	/* config.bypass, assign, unassign, reset, destroy: the unit's error */
	assert_int_equal(iomm_viommu_dev_set_bypass(vm, 1), IOMM_ETIMEDOUT);
	assert_int_equal(iomm_vm_assign(vm, U(r), &s20, 0x20), IOMM_ETIMEDOUT);
	assert_int_equal(iomm_vm_walk(vm, 0x20, hash_leaf, &(uint64_t){0}), IOMM_ENOENT);
	assert_int_equal(iomm_vm_unassign(vm, 16), IOMM_ETIMEDOUT);
	assert_int_equal(iomm_vm_walk(vm, 16, hash_leaf, &(uint64_t){0}), IOMM_OK); /* still assigned */
	assert_int_equal(iomm_viommu_dev_reset(vm), IOMM_ETIMEDOUT);
	assert_int_equal(iomm_vm_destroy(vm), IOMM_ETIMEDOUT);
	assert_true(iomm_posix_log_count(&r->f->px, IOMM_LOG_ERROR) > 0);

	/* the SMMU comes back: the devices block (their streams were set to
	 * abort), and everything works again */
	r->f->model.cfg.stall_cmdq = false;
	smmuv3_model_process(&r->f->model);
	assert_int_not_equal(fx_dma(r->f, 8, 0x40000000, RD, NULL), 0);
	assert_int_not_equal(fx_dma(r->f, 0x10, 0x2000, RD, NULL), 0);
	check_contained(&r->a);
	assert_int_equal(attach(vm, 3, 8, 0), IOMM_VIOMMU_S_OK);
	assert_int_equal(map(vm, 3, 0x50000000, 0x50000fff, 0x5000, RW), IOMM_VIOMMU_S_OK);
	assert_int_equal(fx_xlate(r->f, 8, 0x50000000, RD), 0x80005000u);
	assert_int_not_equal(fx_dma(r->f, 8, 0x40000000, RD, NULL), 0); /* domain 1 is gone */
	assert_int_equal(map(vm, 1, 0x0, 0xfff, 0x0, RW), IOMM_VIOMMU_S_NOENT);
	assert_int_equal(detach(vm, 3, 8), IOMM_VIOMMU_S_OK);
	assert_int_equal(fx_xlate(r->f, 8, 0x2000, RD), 0x80002000u); /* config.bypass = 1 */
	check_contained(&r->a);

	/* the teardown of the VM's own domains is not confirmed: reported; the
	 * VM is torn down all the same once asked again */
	assert_int_equal(iomm_vm_unassign(vm, 8), IOMM_OK);
	assert_int_equal(iomm_vm_unassign(vm, 16), IOMM_OK);
	r->f->model.cfg.stall_cmdq = true;
	assert_int_equal(iomm_vm_destroy(vm), IOMM_ETIMEDOUT);
	r->f->model.cfg.stall_cmdq = false;
	smmuv3_model_process(&r->f->model);
	assert_int_equal(iomm_vm_destroy(vm), IOMM_OK);
	assert_int_equal(iomm_vm_destroy(vm), IOMM_EINVAL);
	/* the tables of the domains whose teardown the SMMU never confirmed
	 * stay held, on purpose */
	assert_true(iomm_pool_used(r->a.cfg.pool) > 0);
	(void)fx_poll(r->f);
}
