/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host role tests: the platform's MSI doorbell (iomm_vm_cfg::doorbell), an
 * Arm GICv3 ITS GITS_TRANSLATER page mapped at a fixed IOVA into every
 * stage-2 domain of the VM: present after assignment, write-only, device
 * memory, exactly one granule, gone with the device; PROBE advertises exactly
 * that window and a guest MAP over it is refused.
 */
#include "roles_fx.h"

/* The VM of vm_cfg_default() with the doorbell, confined policy. */
static void vm_db(struct rfx *r, struct vmbox *v)
{
	vm_cfg_default(r, v, 64);
	v->cfg.doorbell.pa = DB_PA;
	v->cfg.doorbell.iova = DB_IOVA;
	v->cfg.policy = IOMM_VM_CONFINE;
	assert_int_equal(iomm_vm_init(&v->vm, &v->cfg), IOMM_OK);
}

struct leaves {
	unsigned n, db;
	struct iomm_mapping m; /* the doorbell's leaf */
};

static int db_leaf(void *arg, const struct iomm_mapping *m)
{
	struct leaves *l = arg;
	l->n++;
	if (m->iova + (m->size - 1) >= DB_IOVA && m->iova <= DB_IOVA + 0xfffu) {
		l->db++;
		l->m = *m;
	}
	return 0;
}

/* The device's tables hold exactly one doorbell leaf: the page at the
 * fixed IOVA, write-only device memory; the model translates a write there
 * to GITS_TRANSLATER and refuses a read (and, with @neighbours, a write to
 * the neighbouring pages). */
static void check_doorbell(struct rfx *r, struct iomm_vm *vm, uint32_t ep, uint32_t sid,
			   bool neighbours)
{
	struct leaves l = {0};
	assert_int_equal(iomm_vm_walk(vm, ep, db_leaf, &l), IOMM_OK);
	assert_int_equal(l.db, 1);
	assert_int_equal(l.m.iova, DB_IOVA);
	assert_int_equal(l.m.pa, DB_PA & ~0xfffull);
	assert_int_equal(l.m.size, 0x1000);
	assert_int_equal(l.m.prot & IOMM_PROT_ACCESS, IOMM_WRITE);
	assert_int_equal(l.m.prot & IOMM_MEM_MASK, IOMM_MEM_DEVICE);
	assert_int_equal(fx_xlate(r->f, sid, DB_IOVA + (DB_PA & 0xfffu), WR), DB_PA);
	assert_true(fx_dma(r->f, sid, DB_IOVA + (DB_PA & 0xfffu), RD, NULL) < 0);
	if (neighbours) {
		assert_true(fx_dma(r->f, sid, DB_IOVA + 0x1000u, WR, NULL) < 0);
		assert_true(fx_dma(r->f, sid, DB_IOVA - 0x1000u, WR, NULL) < 0);
	}
	(void)fx_poll(r->f);
}

static size_t probe(struct iomm_vm *vm, uint32_t ep, uint8_t *resp, size_t len)
{
	uint8_t preq[72] = {IOMM_VIOMMU_T_PROBE};
	iomm_put_le32(preq + 4, ep);
	size_t used = 0;
	assert_int_equal(iomm_viommu_dev_handle(vm, preq, sizeof(preq), resp, len, &used), IOMM_OK);
	return used;
}

/* The configuration checks of the doorbell window. */
void roles_doorbell_cfg(void **state)
{
	struct rfx *r = *state;
	struct vmbox *v = &r->a;
	vm_cfg_default(r, v, 64);
	v->cfg.doorbell.pa = DB_PA;
	v->cfg.doorbell.iova = DB_IOVA + 0x800u; /* unaligned */
	assert_int_equal(iomm_vm_init(&v->vm, &v->cfg), IOMM_EINVAL);
	v->cfg.doorbell.iova = 0x1000u; /* inside A (R0) */
	assert_int_equal(iomm_vm_init(&v->vm, &v->cfg), IOMM_EINVAL);
	v->cfg.doorbell.iova = 0x8000000u; /* the configured MSI RESV_MEM region */
	assert_int_equal(iomm_vm_init(&v->vm, &v->cfg), IOMM_EINVAL);
	v->cfg.doorbell.iova = UINT64_MAX & ~0xfffull; /* outside the input range */
	assert_int_equal(iomm_vm_init(&v->vm, &v->cfg), IOMM_EINVAL);
	v->cfg.doorbell.iova = DB_IOVA;
	v->cfg.input_start = DB_IOVA + 0x1000u; /* below the input range */
	v->cfg.input_end = UINT32_MAX;
	assert_int_equal(iomm_vm_init(&v->vm, &v->cfg), IOMM_EINVAL);
	v->cfg.input_start = 0;
	v->cfg.input_end = 0;
	v->cfg.probe_size = 24; /* room for the configured region only */
	assert_int_equal(iomm_vm_init(&v->vm, &v->cfg), IOMM_EINVAL);
	v->cfg.probe_size = 48;
	assert_int_equal(iomm_vm_init(&v->vm, &v->cfg), IOMM_OK);
	assert_int_equal(iomm_vm_destroy(&v->vm), IOMM_OK);
	/* pa 0: no doorbell, whatever the IOVA says */
	v->cfg.doorbell.pa = 0;
	v->cfg.doorbell.iova = 0x1000u;
	assert_int_equal(iomm_vm_init(&v->vm, &v->cfg), IOMM_OK);
	struct iomm_devid sid = IOMM_SID(0x10);
	assert_int_equal(iomm_vm_assign(&v->vm, U(r), &sid, 16), IOMM_OK);
	assert_int_equal(iomm_vm_destroy(&v->vm), IOMM_OK);
	assert_int_equal(iomm_pool_used(v->cfg.pool), 0);
	fx_check_hygiene(r->f);
}

/* Present after assignment, in the VM's domain of A and in every guest
 * domain; PROBE reports exactly that window; a guest MAP over it fails and
 * changes nothing; unassignment and teardown take it away. */
void roles_doorbell(void **state)
{
	struct rfx *r = *state;
	struct vmbox *v = &r->a;
	struct iomm_vm *vm = &v->vm;
	vm_db(r, v);
	struct iomm_devid pci = IOMM_PCI(0, 1, 0);
	assert_int_equal(iomm_vm_assign(vm, U(r), &pci, 8), IOMM_OK);
	struct iomm_devid sid = IOMM_SID(0x10);
	assert_int_equal(iomm_vm_assign(vm, U(r), &sid, 16), IOMM_OK);
	/* confined to A: A plus the doorbell page */
	check_doorbell(r, vm, 8, 8, true);
	check_doorbell(r, vm, 16, 0x10, true);
	assert_int_equal(fx_xlate(r->f, 8, 0x1000, RD), 0x80001000u);
	check_contained(v);

	/* PROBE: the doorbell window first, then the configured region */
	uint8_t resp[68];
	assert_int_equal(probe(vm, 8, resp, sizeof(resp)), sizeof(resp));
	static const uint8_t want[48] = {
	    1, 0, 20, 0, 1, 0, 0, 0, 0x00, 0x00, 0x00, 0x09, 0, 0, 0, 0,
	    0xff, 0x0f, 0x00, 0x09, 0, 0, 0, 0, /* MSI [0x9000000, 0x9000fff] */
	    1, 0, 20, 0, 1, 0, 0, 0, 0x00, 0x00, 0x00, 0x08, 0, 0, 0, 0,
	    0xff, 0x0f, 0x00, 0x08, 0, 0, 0, 0, /* MSI [0x8000000, 0x8000fff] */
	};
	assert_memory_equal(resp, want, sizeof(want));
	for (size_t i = sizeof(want); i < sizeof(resp); i++)
		assert_int_equal(resp[i], 0);

	/* a guest domain gets the doorbell too; MAP over the window fails */
	assert_int_equal(attach(vm, 1, 8, 0), IOMM_VIOMMU_S_OK);
	check_doorbell(r, vm, 8, 8, true);
	uint64_t before = fingerprint(r, v);
	size_t pages = iomm_pool_used(v->cfg.pool);
	assert_int_equal(map(vm, 1, DB_IOVA, DB_IOVA + 0xfffu, 0x0, RW), IOMM_VIOMMU_S_FAULT);
	assert_int_equal(map(vm, 1, DB_IOVA - 0x1000u, DB_IOVA + 0xfffu, 0x0, RW),
			 IOMM_VIOMMU_S_FAULT);
	assert_int_equal(map(vm, 1, DB_IOVA + 0xfffu, DB_IOVA + 0x1fffu, 0x0, RW),
			 IOMM_VIOMMU_S_RANGE); /* unaligned comes first */
	assert_int_equal(map(vm, 1, 0x8800000u, 0x97fffffu, 0x0, IOMM_VIOMMU_MAP_F_READ),
			 IOMM_VIOMMU_S_FAULT); /* covering it */
	assert_int_equal(fingerprint(r, v), before);
	assert_int_equal(iomm_pool_used(v->cfg.pool), pages);
	/* UNMAP of the window removes nothing: no guest mapping is there */
	assert_int_equal(unmap(vm, 1, DB_IOVA, DB_IOVA + 0xfffu), IOMM_VIOMMU_S_OK);
	check_doorbell(r, vm, 8, 8, true);
	/* the neighbours are the guest's */
	assert_int_equal(map(vm, 1, DB_IOVA + 0x1000u, DB_IOVA + 0x1fffu, 0x2000, RW),
			 IOMM_VIOMMU_S_OK);
	assert_int_equal(fx_xlate(r->f, 8, DB_IOVA + 0x1000u, RD), 0x80002000u);
	check_doorbell(r, vm, 8, 8, false);
	check_contained(v);

	/* unassigned: DMA and MSI of the device abort */
	assert_int_equal(iomm_vm_unassign(vm, 8), IOMM_OK);
	assert_true(fx_dma(r->f, 8, DB_IOVA + (DB_PA & 0xfffu), WR, NULL) != 0);
	assert_int_equal(iomm_vm_walk(vm, 8, db_leaf, &(struct leaves){0}), IOMM_ENOENT);
	check_doorbell(r, vm, 16, 0x10, true); /* the other one keeps its own */
	assert_int_equal(iomm_vm_destroy(vm), IOMM_OK);
	assert_true(fx_dma(r->f, 0x10, DB_IOVA + (DB_PA & 0xfffu), WR, NULL) != 0);
	assert_int_equal(iomm_pool_used(v->cfg.pool), 0);
	(void)fx_poll(r->f);
	fx_check_hygiene(r->f);
}

struct db_route {
	struct iomm_vm *vm;
	const struct iomm_unit *unit;
	unsigned n;
};

static void db_route(void *arg, const struct iomm_fault *f)
{
	struct db_route *c = arg;
	if (iomm_vm_fault_route(c->vm, c->unit, f) == IOMM_OK)
		c->n++;
}

/* Without a doorbell the same MSI write faults in the SMMU, with the
 * doorbell's IOVA as the fault address; the blocked policy blocks MSIs too
 * until the guest attaches the device; the audit refuses a doorbell leaf
 * that is readable. */
void roles_doorbell_fault(void **state)
{
	struct rfx *r = *state;
	struct vmbox *v = &r->a;
	struct iomm_vm *vm = &v->vm;
	vm_cfg_default(r, v, 64);
	v->cfg.policy = IOMM_VM_CONFINE;
	assert_int_equal(iomm_vm_init(vm, &v->cfg), IOMM_OK);
	struct iomm_devid sid = IOMM_SID(0x10);
	assert_int_equal(iomm_vm_assign(vm, U(r), &sid, 16), IOMM_OK);
	(void)fx_poll(r->f);
	assert_true(fx_dma(r->f, 0x10, DB_IOVA + 0x40u, WR, NULL) < 0);
	assert_true(fx_poll(r->f) >= 1);
	assert_int_equal(r->f->faults[0].sid, 0x10);
	assert_int_equal(r->f->faults[0].addr, DB_IOVA + 0x40u);
	assert_true(r->f->faults[0].flags & IOMM_FAULT_WRITE);
	assert_int_equal(iomm_vm_fault_route(vm, U(r), &r->f->faults[0]), IOMM_OK);
	uint8_t ev[IOMM_VIOMMU_FAULT_SIZE];
	assert_int_equal(iomm_viommu_dev_next_event(vm, ev, sizeof(ev)), IOMM_VIOMMU_FAULT_SIZE);
	assert_int_equal(ev[0], IOMM_VIOMMU_FAULT_R_MAPPING);
	assert_int_equal(iomm_get_le64(ev + 16), DB_IOVA + 0x40u);
	assert_int_equal(iomm_vm_destroy(vm), IOMM_OK);

	/* blocked policy: nothing, the doorbell included, until ATTACH */
	vm_cfg_default(r, v, 64);
	v->cfg.doorbell.pa = DB_PA;
	v->cfg.doorbell.iova = DB_IOVA;
	assert_int_equal(iomm_vm_init(vm, &v->cfg), IOMM_OK);
	assert_int_equal(iomm_vm_assign(vm, U(r), &sid, 16), IOMM_OK);
	assert_true(fx_dma(r->f, 0x10, DB_IOVA + 0x40u, WR, NULL) != 0);
	assert_int_equal(attach(vm, 3, 16, 0), IOMM_VIOMMU_S_OK);
	check_doorbell(r, vm, 16, 0x10, true);
	struct db_route c = {vm, U(r), 0};
	(void)iomm_fault_poll(U(r), db_route, &c);

	/* the audit sees a doorbell leaf that grants more than a write */
	struct iomm_domain *a = &vm->units[0].a_dom;
	assert_int_equal(iomm_vm_audit(vm), IOMM_OK);
	assert_int_equal(iomm_unmap(a, DB_IOVA, 0x1000, NULL), IOMM_OK);
	assert_int_equal(iomm_map(a, DB_IOVA, DB_PA & ~0xfffull, 0x1000,
				  IOMM_READ | IOMM_WRITE | IOMM_MEM_DEVICE),
			 IOMM_OK);
	assert_int_equal(iomm_vm_audit(vm), IOMM_EPERM);
	assert_int_equal(iomm_unmap(a, DB_IOVA, 0x1000, NULL), IOMM_OK);
	assert_int_equal(iomm_map(a, DB_IOVA, DB_PA & ~0xfffull, 0x1000, IOMM_WRITE), IOMM_OK);
	assert_int_equal(iomm_vm_audit(vm), IOMM_EPERM); /* normal memory */
	assert_int_equal(iomm_unmap(a, DB_IOVA, 0x1000, NULL), IOMM_OK);
	assert_int_equal(iomm_map(a, DB_IOVA, (DB_PA & ~0xfffull) + 0x1000u, 0x1000,
				  IOMM_WRITE | IOMM_MEM_DEVICE),
			 IOMM_OK);
	assert_int_equal(iomm_vm_audit(vm), IOMM_EPERM); /* the next page of the ITS */
	assert_int_equal(iomm_unmap(a, DB_IOVA, 0x1000, NULL), IOMM_OK);
	assert_int_equal(iomm_map(a, DB_IOVA, DB_PA & ~0xfffull, 0x1000,
				  IOMM_WRITE | IOMM_MEM_DEVICE),
			 IOMM_OK);
	assert_int_equal(iomm_vm_audit(vm), IOMM_OK);
	assert_int_equal(iomm_vm_destroy(vm), IOMM_OK);
	assert_int_equal(iomm_pool_used(v->cfg.pool), 0);
	(void)fx_poll(r->f);
	fx_check_hygiene(r->f);
}
