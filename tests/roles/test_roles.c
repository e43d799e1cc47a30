/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host role tests: VM memory map A, device assignment, the virtio-iommu
 * device model, fault forwarding and containment, driven against the SMMUv3
 * register model through the POSIX port (tests/smmuv3 fixture). The fixture
 * is in roles_fx.c, the device-model request tests in roles_requests.c,
 * checks, limits and failures in roles_checks.c; this file holds the host
 * role tests and the list of all of them.
 *
 * Usage: test_roles [name]   runs one test (all without an argument).
 */
#include "roles_fx.h"

/* ======================= host role ======================= */

/* Memory map checks; assignment by PCI (with wildcards) and by stream ID;
 * one owner per device. */
void roles_assign(void **state)
{
	struct rfx *r = *state;
	struct vmbox *v = &r->a;
	vm_cfg_default(r, v, 64);
	/* bad maps */
	struct iomm_vm_region bad[2] = {
	    {.gpa = 0x0, .hpa = 0x1000, .size = 0x2000, .prot = IOMM_READ},
	    {.gpa = 0x1000, .hpa = 0x9000, .size = 0x1000, .prot = IOMM_READ},
	};
	v->cfg.regions = bad;
	v->cfg.nregions = 2;
	assert_int_equal(iomm_vm_init(&v->vm, &v->cfg), IOMM_EINVAL); /* overlap */
	bad[1].gpa = 0x2000;
	assert_int_equal(iomm_vm_init(&v->vm, &v->cfg), IOMM_OK);
	bad[1].gpa = 0x2800; /* unaligned */
	assert_int_equal(iomm_vm_init(&v->vm, &v->cfg), IOMM_EINVAL);
	bad[1].gpa = UINT64_MAX & ~0xfffull;
	bad[1].size = 0x2000; /* wraps */
	assert_int_equal(iomm_vm_init(&v->vm, &v->cfg), IOMM_EINVAL);
	bad[1].size = 0x1000;
	bad[1].prot = IOMM_EXEC;
	assert_int_equal(iomm_vm_init(&v->vm, &v->cfg), IOMM_EINVAL);
	bad[1].prot = IOMM_READ;
	bad[1].size = 0;
	assert_int_equal(iomm_vm_init(&v->vm, &v->cfg), IOMM_EINVAL);
	v->cfg.regions = regions;
	v->cfg.nregions = sizeof(regions) / sizeof(regions[0]);
	v->cfg.policy = IOMM_VM_CONFINE;
	assert_int_equal(iomm_vm_init(&v->vm, &v->cfg), IOMM_OK);

	/* bus 0, device 2, any function: streams 0x10..0x17 */
	struct iomm_devid pci = IOMM_PCI(0, 2, IOMM_ANY);
	assert_int_equal(iomm_vm_assign(&v->vm, U(r), &pci, 1), IOMM_OK);
	for (uint32_t s = 0x10; s < 0x18; s++)
		assert_int_equal(fx_xlate(r->f, s, 0x1000, RD), 0x80001000u);
	assert_int_not_equal(fx_dma(r->f, 0x18, 0x1000, RD, NULL), 0);
	struct iomm_devid raw = IOMM_SID(0x30);
	assert_int_equal(iomm_vm_assign(&v->vm, U(r), &raw, 2), IOMM_OK);
	assert_int_equal(fx_xlate(r->f, 0x30, 0x200010, RD), 0xc0000010u);
	assert_int_not_equal(fx_dma(r->f, 0x30, 0x300000, RD, NULL), 0);

	/* one owner: same VM, another VM, the host */
	struct iomm_devid fn3 = IOMM_PCI(0, 2, 3);
	assert_int_equal(iomm_vm_assign(&v->vm, U(r), &fn3, 3), IOMM_EBUSY);
	assert_int_equal(iomm_vm_assign(&v->vm, U(r), &raw, 1), IOMM_EEXIST);
	vm_cfg_default(r, &r->b, 16);
	assert_int_equal(iomm_vm_init(&r->b.vm, &r->b.cfg), IOMM_OK);
	assert_int_equal(iomm_vm_assign(&r->b.vm, U(r), &fn3, 3), IOMM_EBUSY);
	assert_int_equal(iomm_vm_assign(&r->b.vm, U(r), &raw, 3), IOMM_EBUSY);
	struct iomm_devid bad_pci = IOMM_PCI(0, 32, 0);
	assert_int_equal(iomm_vm_assign(&r->b.vm, U(r), &bad_pci, 4), IOMM_EINVAL);
	struct iomm_domain host = {0};
	struct iomm_dev hdev;
	assert_int_equal(fx_domain(r->f, &host, IOMM_DOMAIN_S2, 0, fx_pool(r->f, 4096, 8), NULL),
			 IOMM_OK);
	assert_int_equal(iomm_dev_init(&hdev, U(r), &raw), IOMM_OK);
	assert_int_equal(iomm_attach(&host, &hdev), IOMM_EBUSY);
	/* while the blocked VM b owns a device, VM a cannot take it */
	struct iomm_devid s40 = IOMM_SID(0x40);
	assert_int_equal(iomm_vm_assign(&r->b.vm, U(r), &s40, 3), IOMM_OK);
	assert_int_not_equal(fx_dma(r->f, 0x40, 0x1000, RD, NULL), 0); /* blocked policy */
	assert_int_equal(iomm_vm_assign(&v->vm, U(r), &s40, 3), IOMM_EBUSY);
	/* unassign frees the claim; the device is blocked again */
	assert_int_equal(iomm_vm_unassign(&v->vm, 2), IOMM_OK);
	assert_int_not_equal(fx_dma(r->f, 0x30, 0x1000, RD, NULL), 0);
	assert_int_equal(iomm_vm_unassign(&v->vm, 2), IOMM_ENOENT);
	assert_int_equal(iomm_vm_assign(&r->b.vm, U(r), &raw, 4), IOMM_OK);
	assert_int_equal(iomm_vm_destroy(&r->b.vm), IOMM_OK);
	assert_int_equal(iomm_pool_used(r->b.cfg.pool), 0);
	assert_int_equal(iomm_attach(&host, &hdev), IOMM_OK);
	assert_int_equal(iomm_detach(&hdev), IOMM_OK);
	check_contained(v);
	assert_int_equal(iomm_vm_destroy(&v->vm), IOMM_OK);
	assert_int_equal(iomm_pool_used(v->cfg.pool), 0);
	(void)fx_poll(r->f);
	fx_check_hygiene(r->f);
}

struct route_ctx {
	struct iomm_vm *vm;
	const struct iomm_unit *unit;
	int routed, foreign;
};

static void route(void *arg, const struct iomm_fault *f)
{
	struct route_ctx *c = arg;
	int rc = iomm_vm_fault_route(c->vm, c->unit, f);
	if (rc == IOMM_ENOENT)
		c->foreign++;
	else
		c->routed++;
}

/* Fault forwarding: model DMA -> iomm_fault_poll -> route -> event bytes. */
void roles_faults(void **state)
{
	struct rfx *r = *state;
	vm_up(r);
	struct iomm_vm *vm = &r->a.vm;
	assert_int_equal(attach(vm, 1, 8, 0), IOMM_VIOMMU_S_OK);
	assert_int_equal(map(vm, 1, 0x40000000, 0x40000fff, 0x2000, IOMM_VIOMMU_MAP_F_READ),
			 IOMM_VIOMMU_S_OK);
	(void)fx_poll(r->f);
	assert_true(fx_dma(r->f, 8, 0x40001008, RD, NULL) < 0);  /* unmapped */
	assert_true(fx_dma(r->f, 8, 0x40000010, WR, NULL) < 0);  /* read-only */
	assert_true(fx_dma(r->f, 0x77, 0x1000, RD, NULL) != 0); /* not ours */
	struct route_ctx c = {vm, U(r), 0, 0};
	assert_true(iomm_fault_poll(U(r), route, &c) >= 2);
	assert_int_equal(c.routed, 2);
	uint8_t ev[24];
	assert_int_equal(iomm_viommu_dev_next_event(vm, ev, sizeof(ev)), 24);
	static const uint8_t want1[24] = {2, 0, 0, 0,       /* R_MAPPING */
					  0x01, 0x01, 0, 0, /* READ | ADDRESS */
					  8, 0, 0, 0,       /* endpoint */
					  0, 0, 0, 0,       0x08, 0x10, 0x00, 0x40, 0, 0, 0, 0};
	assert_memory_equal(ev, want1, 24);
	assert_int_equal(iomm_viommu_dev_next_event(vm, ev, sizeof(ev)), 24);
	static const uint8_t want2[24] = {2, 0, 0, 0, 0x02, 0x01, 0, 0, 8, 0, 0, 0,
					  0, 0, 0, 0, 0x10, 0x00, 0x00, 0x40, 0, 0, 0, 0};
	assert_memory_equal(ev, want2, 24);
	assert_int_equal(iomm_viommu_dev_next_event(vm, ev, sizeof(ev)), 0);
	assert_int_equal(iomm_viommu_dev_next_event(vm, ev, 23), IOMM_EINVAL);

	/* a bounded ring: NEV kept, the rest counted */
	for (unsigned i = 0; i < NEV + 3; i++)
		assert_true(fx_dma(r->f, 8, 0x50000000 + i * 0x1000ull, WR, NULL) < 0);
	c.routed = 0;
	(void)iomm_fault_poll(U(r), route, &c);
	assert_int_equal(c.routed, NEV + 3);
	assert_int_equal(iomm_viommu_dev_events_dropped(vm), 3);
	for (unsigned i = 0; i < NEV; i++) {
		assert_int_equal(iomm_viommu_dev_next_event(vm, ev, sizeof(ev)), 24);
		assert_int_equal(iomm_get_le64(ev + 16), 0x50000000 + i * 0x1000ull);
		assert_int_equal(iomm_get_le32(ev + 4), IOMM_VIOMMU_FAULT_F_WRITE |
							    IOMM_VIOMMU_FAULT_F_ADDRESS);
	}
	/* a synthetic abort of a stream with a mask, on the second device */
	struct iomm_fault f = {0};
	f.sid = 0x10;
	f.reason = IOMM_FAULT_ABORT;
	assert_int_equal(iomm_vm_fault_route(vm, U(r), &f), IOMM_OK);
	assert_int_equal(iomm_viommu_dev_next_event(vm, ev, sizeof(ev)), 24);
	assert_int_equal(ev[0], IOMM_VIOMMU_FAULT_R_DOMAIN);
	assert_int_equal(iomm_get_le32(ev + 8), 16);
	assert_int_equal(iomm_get_le32(ev + 4), 0);
	f.sid = 0x11;
	assert_int_equal(iomm_vm_fault_route(vm, U(r), &f), IOMM_ENOENT);
	assert_int_equal(iomm_viommu_dev_reset(vm), IOMM_OK);
	assert_int_equal(iomm_viommu_dev_events_dropped(vm), 0);
	fx_check_hygiene(r->f);
}

static uint64_t rng_state;
static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Region A containment: random (often hostile) request sequences; after
 * every request each real domain maps only inside A, with no wider
 * permissions, and the model never translates outside A. */
void roles_containment(void **state)
{
	struct rfx *r = *state;
	vm_up(r);
	struct iomm_vm *vm = &r->a.vm;
	const char *s = getenv("IOMM_TEST_SEED");
	rng_state = s ? strtoull(s, NULL, 0) : 0x2545f4914f6cdd1dull;
	if (!rng_state)
		rng_state = 1;
	print_message("seed 0x%llx\n", (unsigned long long)rng_state);
	static const uint64_t gpas[] = {0x0, 0x1000, 0x1ff000, 0x1e0000, 0x200000, 0x2ff000,
					0x300000, 0x1000000, 0x100f000, 0x1010000, 0x8000000,
					0xfff000, 0x80000000};
	unsigned ok = 0;
	for (unsigned step = 0; step < 3000; step++) {
		uint32_t dom = (uint32_t)(rnd() % 6);
		uint32_t ep = rnd() % 2 ? 8 : 16;
		uint64_t vs = (rnd() % 64) << 12;
		uint64_t pages = 1 + rnd() % 64;
		if (rnd() % 8 == 0)
			pages = rnd() % 0x100000;
		uint64_t ve = vs + pages * 0x1000 - 1 + (rnd() % 16 == 0 ? 1 : 0);
		uint64_t ps = gpas[rnd() % (sizeof(gpas) / sizeof(gpas[0]))];
		uint32_t flags = (uint32_t)(rnd() % 8);
		uint8_t st;
		switch (rnd() % 10) {
		case 0:
			st = attach(vm, dom, ep, rnd() % 4 == 0 ? IOMM_VIOMMU_ATTACH_F_BYPASS : 0);
			break;
		case 1:
			st = detach(vm, dom, ep);
			break;
		case 2:
		case 3:
			st = unmap(vm, dom, vs, rnd() % 2 ? ve : vs + (rnd() % 0x100000));
			break;
		case 4:
			if (rnd() % 50 == 0) {
				assert_int_equal(iomm_viommu_dev_reset(vm), IOMM_OK);
				st = 0;
				break;
			}
			/* fall through */
		default:
			st = map(vm, dom, vs, ve, ps, flags);
			break;
		}
		if (st == IOMM_VIOMMU_S_OK)
			ok++;
		assert_true(st <= IOMM_VIOMMU_S_NOMEM);
		assert_true(st != IOMM_VIOMMU_S_DEVERR && st != IOMM_VIOMMU_S_IOERR);
		check_contained(&r->a);
		/* the model agrees: whatever translates lands in A */
		for (unsigned k = 0; k < 4; k++) {
			uint64_t iova = (rnd() % 128) << 12;
			uint64_t pa = 0;
			uint32_t sid = k % 2 ? 8 : 0x10;
			unsigned acc = rnd() % 2 ? RD : WR;
			if (fx_dma(r->f, sid, iova, acc, &pa) == 0) {
				bool in = false;
				for (size_t i = 0; i < sizeof(regions) / sizeof(regions[0]); i++)
					if (pa >= regions[i].hpa &&
					    pa < regions[i].hpa + regions[i].size &&
					    (acc != WR || (regions[i].prot & IOMM_WRITE)))
						in = true;
				assert_true(in);
			}
		}
		if (step % 64 == 0)
			(void)fx_poll(r->f);
	}
	print_message("%u requests succeeded\n", ok);
	assert_true(ok > 100);
	assert_int_equal(iomm_viommu_dev_reset(vm), IOMM_OK);
	assert_int_equal(iomm_vm_destroy(vm), IOMM_OK);
	assert_int_equal(iomm_pool_used(r->a.cfg.pool), 0);
	(void)fx_poll(r->f);
	fx_check_hygiene(r->f);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(pv_config_fixture, setup, teardown),
	    cmocka_unit_test_setup_teardown(pv_wire_fixtures, setup, teardown),
	    cmocka_unit_test_setup_teardown(pv_adversarial, setup, teardown),
	    cmocka_unit_test_setup_teardown(pv_unmap_semantics, setup, teardown),
	    cmocka_unit_test_setup_teardown(pv_quota, setup, teardown),
	    cmocka_unit_test_setup_teardown(pv_detach_reset, setup, teardown),
	    cmocka_unit_test_setup_teardown(pv_split_map, setup, teardown),
	    cmocka_unit_test_setup_teardown(roles_assign, setup, teardown),
	    cmocka_unit_test_setup_teardown(roles_faults, setup, teardown),
	    cmocka_unit_test_setup_teardown(roles_containment, setup, teardown),
	    cmocka_unit_test_setup_teardown(roles_vm_checks, setup, teardown),
	    cmocka_unit_test_setup_teardown(pv_features_off, setup, teardown),
	    cmocka_unit_test_setup_teardown(pv_ranges, setup, teardown),
	    cmocka_unit_test_setup_teardown(roles_pool_exhaustion, setup, teardown),
	    cmocka_unit_test_setup_teardown(roles_unit_failure, setup, teardown),
	    cmocka_unit_test_setup_teardown(pv_map_fail_pool, setup, teardown),
	    cmocka_unit_test_setup_teardown(pv_attach_move_full, setup, teardown),
	    cmocka_unit_test_setup_teardown(pv_input_clamp, setup, teardown),
	    cmocka_unit_test_setup_teardown(pv_probe_layout, setup, teardown),
	    cmocka_unit_test_setup_teardown(pv_unmap_reclaim, setup, teardown),
	    cmocka_unit_test_setup_teardown(roles_doorbell_cfg, setup, teardown),
	    cmocka_unit_test_setup_teardown(roles_doorbell, setup, teardown),
	    cmocka_unit_test_setup_teardown(roles_doorbell_fault, setup, teardown),
	};
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
