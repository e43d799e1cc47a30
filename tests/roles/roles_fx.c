/* SPDX-License-Identifier: BSD-3-Clause */
/* Host role tests: the shared fixture (roles_fx.h). */
#include "roles_fx.h"

/* A: R0 and R1 are adjacent in guest-physical space but not in host space;
 * R2 is read-only; R3 is the MSI doorbell (device memory). */
const struct iomm_vm_region regions[NREGIONS] = {
    {.gpa = 0x0, .hpa = 0x80000000u, .size = 0x200000u, .prot = IOMM_READ | IOMM_WRITE},
    {.gpa = 0x200000u, .hpa = 0xc0000000u, .size = 0x100000u, .prot = IOMM_READ | IOMM_WRITE},
    {.gpa = 0x1000000u, .hpa = 0x90000000u, .size = 0x10000u, .prot = IOMM_READ},
    {.gpa = 0x8000000u, .hpa = 0x2f000000u, .size = 0x1000u,
     .prot = IOMM_READ | IOMM_WRITE | IOMM_MEM_DEVICE},
};
static const struct iomm_vm_resv resv[] = {
    {.start = 0x8000000u, .end = 0x8000fffu, .subtype = IOMM_VIOMMU_RESV_T_MSI},
};

int setup(void **state)
{
	void *fs = NULL;
	if (fx_setup(&fs))
		return -1;
	struct rfx *r = calloc(1, sizeof(*r));
	if (!r)
		return -1;
	r->f = fs;
	fx_start(r->f);
	*state = r;
	return 0;
}

int teardown(void **state)
{
	struct rfx *r = *state;
	void *fs = r->f;
	free(r);
	return fx_teardown(&fs);
}

void vm_cfg_default(struct rfx *r, struct vmbox *v, size_t pool_pages)
{
	memset(&v->cfg, 0, sizeof(v->cfg));
	v->cfg.regions = regions;
	v->cfg.nregions = sizeof(regions) / sizeof(regions[0]);
	v->cfg.pool = fx_pool(r->f, 4096, pool_pages);
	v->cfg.endpoints = v->eps;
	v->cfg.nendpoints = NEP;
	v->cfg.domains = v->doms;
	v->cfg.ndomains = NDOM;
	v->cfg.mappings = v->maps;
	v->cfg.nmappings = NMAP;
	v->cfg.events = v->evs;
	v->cfg.nevents = NEV;
	v->cfg.resv = resv;
	v->cfg.nresv = 1;
	v->cfg.probe_size = 64;
	v->cfg.policy = IOMM_VM_BLOCK;
}

struct iomm_unit *U(struct rfx *r)
{
	return &r->f->smmu.unit;
}

/* VM a with two devices: PCI 00:01.0 (SID 8) as endpoint 8, SID 0x10 as endpoint 16. */
void vm_up(struct rfx *r)
{
	vm_cfg_default(r, &r->a, 64);
	assert_int_equal(iomm_vm_init(&r->a.vm, &r->a.cfg), IOMM_OK);
	struct iomm_devid pci = IOMM_PCI(0, 1, 0);
	assert_int_equal(iomm_vm_assign(&r->a.vm, U(r), &pci, 8), IOMM_OK);
	struct iomm_devid sid = IOMM_SID(0x10);
	assert_int_equal(iomm_vm_assign(&r->a.vm, U(r), &sid, 16), IOMM_OK);
}

/* ---- request builders (offsets from the specification's layouts) ---- */

uint8_t req_st(struct iomm_vm *vm, const uint8_t *req, size_t len)
{
	uint8_t tail[4] = {0xee, 0xee, 0xee, 0xee};
	size_t used = 99;
	assert_int_equal(iomm_viommu_dev_handle(vm, req, len, tail, sizeof(tail), &used), IOMM_OK);
	assert_int_equal(used, 4);
	assert_int_equal(tail[1] | tail[2] | tail[3], 0);
	return tail[0];
}

uint8_t attach(struct iomm_vm *vm, uint32_t dom, uint32_t ep, uint32_t flags)
{
	uint8_t b[20] = {IOMM_VIOMMU_T_ATTACH};
	iomm_put_le32(b + 4, dom);
	iomm_put_le32(b + 8, ep);
	iomm_put_le32(b + 12, flags);
	return req_st(vm, b, sizeof(b));
}

uint8_t detach(struct iomm_vm *vm, uint32_t dom, uint32_t ep)
{
	uint8_t b[20] = {IOMM_VIOMMU_T_DETACH};
	iomm_put_le32(b + 4, dom);
	iomm_put_le32(b + 8, ep);
	return req_st(vm, b, sizeof(b));
}

uint8_t map(struct iomm_vm *vm, uint32_t dom, uint64_t vs, uint64_t ve, uint64_t ps,
	    uint32_t flags)
{
	uint8_t b[36] = {IOMM_VIOMMU_T_MAP};
	iomm_put_le32(b + 4, dom);
	iomm_put_le64(b + 8, vs);
	iomm_put_le64(b + 16, ve);
	iomm_put_le64(b + 24, ps);
	iomm_put_le32(b + 32, flags);
	return req_st(vm, b, sizeof(b));
}

uint8_t unmap(struct iomm_vm *vm, uint32_t dom, uint64_t vs, uint64_t ve)
{
	uint8_t b[28] = {IOMM_VIOMMU_T_UNMAP};
	iomm_put_le32(b + 4, dom);
	iomm_put_le64(b + 8, vs);
	iomm_put_le64(b + 16, ve);
	return req_st(vm, b, sizeof(b));
}

/* ---- state fingerprints ---- */

static uint64_t fnv(uint64_t h, uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		h ^= (v >> (8 * i)) & 0xffu;
		h *= 0x100000001b3ull;
	}
	return h;
}

int hash_leaf(void *arg, const struct iomm_mapping *m)
{
	uint64_t *h = arg;
	*h = fnv(fnv(fnv(fnv(*h, m->iova), m->pa), m->size), m->prot);
	return 0;
}

static const uint64_t probes[] = {0x0, 0x1000, 0x10000, 0x1ff000, 0x200000, 0x201000,
				  0x1000000, 0x8000000, 0x40000000};

/* Tables of both endpoints, the model's translations, and the VM's books. */
uint64_t fingerprint(struct rfx *r, struct vmbox *v)
{
	uint64_t h = 0xcbf29ce484222325ull;
	static const uint32_t eps[] = {8, 16};
	static const uint32_t sids[] = {8, 0x10};
	for (unsigned e = 0; e < 2; e++) {
		int rc = iomm_vm_walk(&v->vm, eps[e], hash_leaf, &h);
		h = fnv(h, (uint64_t)(int64_t)rc);
		for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
			uint64_t pa = 0;
			int d = fx_dma(r->f, sids[e], probes[i], RD, &pa);
			h = fnv(fnv(h, (uint64_t)(int64_t)d), pa);
			d = fx_dma(r->f, sids[e], probes[i], WR, &pa);
			h = fnv(fnv(h, (uint64_t)(int64_t)d), pa);
		}
	}
	(void)fx_poll(r->f);
	for (size_t i = 0; i < NMAP; i++)
		h = fnv(fnv(fnv(fnv(h, v->maps[i].iova), v->maps[i].last), v->maps[i].gpa),
			v->maps[i].gdom);
	for (size_t i = 0; i < NDOM; i++)
		h = fnv(fnv(fnv(h, v->doms[i].used), v->doms[i].id), v->doms[i].nep);
	for (size_t i = 0; i < NEP; i++)
		h = fnv(h, v->eps[i].gdom);
	return h;
}

/* ---- containment check, independent of iomm_vm_audit() ---- */

int contain_leaf(void *arg, const struct iomm_mapping *m)
{
	struct contain *c = arg;
	c->leaves++;
	/* the doorbell page (the doorbell tests): at its IOVA, write-only device memory */
	if (m->iova == DB_IOVA && m->pa == (DB_PA & ~0xfffull) && m->size == 0x1000 &&
	    (m->prot & IOMM_PROT_ACCESS) == IOMM_WRITE &&
	    (m->prot & IOMM_MEM_MASK) == IOMM_MEM_DEVICE)
		return 0;
	for (size_t i = 0; i < sizeof(regions) / sizeof(regions[0]); i++) {
		const struct iomm_vm_region *g = &regions[i];
		if (m->pa >= g->hpa && m->pa + m->size <= g->hpa + g->size &&
		    !(m->prot & (IOMM_READ | IOMM_WRITE) & ~g->prot) && !(m->prot & IOMM_EXEC))
			return 0;
	}
	c->bad++;
	return 0;
}

void check_contained(struct vmbox *v)
{
	static const uint32_t eps[] = {8, 16};
	for (unsigned e = 0; e < 2; e++) {
		struct contain c = {0, 0};
		int rc = iomm_vm_walk(&v->vm, eps[e], contain_leaf, &c);
		assert_true(rc == IOMM_OK || rc == IOMM_ENOENT);
		assert_int_equal(c.bad, 0);
	}
	assert_int_equal(iomm_vm_audit(&v->vm), IOMM_OK);
}

