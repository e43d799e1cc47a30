/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The host role's MSI doorbell (iomm_vm_cfg::doorbell) on an SMMUv2: a VM
 * confined to its memory map, one device assigned on the SMMUv2 model. The
 * doorbell page (a GICv3 ITS GITS_TRANSLATER) is in the device's stage-2
 * context bank: a write at its IOVA reaches the doorbell's physical address
 * as Device memory, a read there faults, no other page of the interrupt
 * controller's frame is reachable, and once the device is unassigned the
 * same write faults. The same checks on the SMMUv3 model are in
 * tests/roles/roles_doorbell.c.
 */
#include "smmuv2_fx.h"

#include <stdlib.h>

#include <iommuman/vm.h>

#define ITS_BASE 0x08080000ull /* the ITS frame: 128 KiB */
#define ITS_SIZE 0x20000ull
#define DB_PA	 (ITS_BASE + 0x10040ull) /* GITS_TRANSLATER */
#define DB_IOVA	 0x9000000ull		 /* where the VM's devices see the doorbell page */
#define SID	 0x10u
#define EP	 16u
#define RAM_HPA	 0x80000000ull
#define RAM_SIZE 0x200000ull

static const struct iomm_vm_region regions[] = {
    {.gpa = 0x0, .hpa = RAM_HPA, .size = RAM_SIZE, .prot = IOMM_READ | IOMM_WRITE},
};

struct box {
	struct iomm_vm_cfg cfg;
	struct iomm_vm vm;
	struct iomm_vm_endpoint eps[4];
	struct iomm_vm_gdom doms[2];
	struct iomm_vm_mapping maps[4];
	struct iomm_vm_event evs[4];
};

struct leaves {
	unsigned n, its; /* leaves; leaves whose output lies in the ITS frame */
	struct iomm_mapping db;
	bool other; /* a leaf outside both RAM and the doorbell page */
};

static int leaf(void *arg, const struct iomm_mapping *m)
{
	struct leaves *l = arg;
	l->n++;
	if (m->pa < ITS_BASE + ITS_SIZE && m->pa + m->size > ITS_BASE) {
		l->its++;
		l->db = *m;
	} else if (m->pa < RAM_HPA || m->pa + m->size > RAM_HPA + RAM_SIZE) {
		l->other = true;
	}
	return 0;
}

static void test_smmuv2_doorbell(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct box *b = calloc(1, sizeof(*b));
	assert_non_null(b);
	b->cfg = (struct iomm_vm_cfg){
	    .regions = regions,
	    .nregions = 1,
	    .pool = fx_pool(f, 4096, 64),
	    .endpoints = b->eps,
	    .nendpoints = 4,
	    .domains = b->doms,
	    .ndomains = 2,
	    .mappings = b->maps,
	    .nmappings = 4,
	    .events = b->evs,
	    .nevents = 4,
	    .probe_size = 64,
	    .policy = IOMM_VM_CONFINE,
	    .doorbell = {.pa = DB_PA, .iova = DB_IOVA},
	};
	assert_int_equal(iomm_vm_init(&b->vm, &b->cfg), IOMM_OK);
	struct iomm_devid id = IOMM_SID(SID);
	assert_int_equal(iomm_vm_assign(&b->vm, &f->smmu.unit, &id, EP), IOMM_OK);
	const uint64_t db = DB_IOVA + (DB_PA & 0xfffu);

	/* the write reaches GITS_TRANSLATER, as Device memory */
	uint64_t pa = 0;
	f->model.last_mem = SMMUV2_MODEL_MEM_NONE;
	assert_int_equal(fx_dma(f, SID, db, WR, &pa), 0);
	assert_int_equal(pa, DB_PA);
	assert_int_equal(f->model.last_mem, SMMUV2_MODEL_MEM_DEVICE);
	/* the VM's RAM, for comparison: Normal write-back */
	assert_int_equal(fx_xlate(f, SID, 0x1000, RD), RAM_HPA + 0x1000);
	assert_int_equal(f->model.last_mem, SMMUV2_MODEL_MEM_WB);
	/* a read of the doorbell faults */
	(void)fx_poll(f);
	assert_true(fx_dma(f, SID, db, RD, NULL) < 0);
	assert_true(fx_poll(f) >= 1);
	assert_int_equal(f->faults[0].sid, SID);
	assert_int_equal(f->faults[0].addr, db);
	assert_true(f->faults[0].flags & IOMM_FAULT_READ);

	/* nothing else of the interrupt controller: one leaf in the ITS frame,
	 * the doorbell's page, write-only device memory; no leaf outside RAM
	 * and that page; the pages around the doorbell's IOVA fault */
	struct leaves l = {0};
	assert_int_equal(iomm_vm_walk(&b->vm, EP, leaf, &l), IOMM_OK);
	assert_int_equal(l.its, 1);
	assert_false(l.other);
	assert_int_equal(l.db.iova, DB_IOVA);
	assert_int_equal(l.db.pa, DB_PA & ~0xfffull);
	assert_int_equal(l.db.size, 0x1000);
	assert_int_equal(l.db.prot & IOMM_PROT_ACCESS, IOMM_WRITE);
	assert_int_equal(l.db.prot & IOMM_MEM_MASK, IOMM_MEM_DEVICE);
	for (uint64_t off = 0x1000; off <= 0x20000; off += 0x1000) {
		assert_true(fx_dma(f, SID, DB_IOVA + off, WR, NULL) < 0);
		assert_true(fx_dma(f, SID, DB_IOVA - off, WR, NULL) < 0);
	}
	(void)fx_poll(f);

	/* unassigned: the same MSI write faults */
	assert_int_equal(iomm_vm_unassign(&b->vm, EP), IOMM_OK);
	assert_true(fx_dma(f, SID, db, WR, NULL) < 0);
	assert_true(fx_poll(f) >= 1);
	assert_int_equal(f->faults[0].sid, SID);
	assert_true(f->faults[0].flags & IOMM_FAULT_WRITE);
	assert_int_equal(iomm_vm_destroy(&b->vm), IOMM_OK);
	assert_int_equal(iomm_pool_used(b->cfg.pool), 0);
	fx_check_hygiene(f);
	free(b);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_smmuv2_doorbell, fx_setup, fx_teardown),
	};
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
