/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host role tests: VM memory map A, device assignment, the virtio-iommu
 * device model (vsmmu), fault forwarding and containment, driven against
 * the SMMUv3 register model through the POSIX port (tests/smmuv3 fixture).
 *
 * Usage: test_roles [name]   runs one test (all without an argument).
 */
#include "smmuv3_fx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iommuman/virtio_iommu.h>
#include <iommuman/vm.h>

#define OP_TLBI_S12_VMALL 0x28u
#define OP_TLBI_S2_IPA 0x2au

#define NEP 8
#define NDOM 4
#define NMAP 16
#define NEV 4

/* A: R0 and R1 are adjacent in guest-physical space but not in host space;
 * R2 is read-only; R3 is the MSI doorbell (device memory). */
static const struct iomm_vm_region regions[] = {
    {.gpa = 0x0, .hpa = 0x80000000u, .size = 0x200000u, .prot = IOMM_READ | IOMM_WRITE},
    {.gpa = 0x200000u, .hpa = 0xc0000000u, .size = 0x100000u, .prot = IOMM_READ | IOMM_WRITE},
    {.gpa = 0x1000000u, .hpa = 0x90000000u, .size = 0x10000u, .prot = IOMM_READ},
    {.gpa = 0x8000000u, .hpa = 0x2f000000u, .size = 0x1000u,
     .prot = IOMM_READ | IOMM_WRITE | IOMM_MEM_DEVICE},
};
static const struct iomm_vm_resv resv[] = {
    {.start = 0x8000000u, .end = 0x8000fffu, .subtype = IOMM_VIOMMU_RESV_T_MSI},
};

struct vmbox {
	struct iomm_vm vm;
	struct iomm_vm_endpoint eps[NEP];
	struct iomm_vm_gdom doms[NDOM];
	struct iomm_vm_mapping maps[NMAP];
	struct iomm_vm_event evs[NEV];
	struct iomm_vm_cfg cfg;
};

struct rfx {
	struct fx *f;
	struct vmbox a, b;
};

static int setup(void **state)
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

static int teardown(void **state)
{
	struct rfx *r = *state;
	void *fs = r->f;
	free(r);
	return fx_teardown(&fs);
}

static void vm_cfg_default(struct rfx *r, struct vmbox *v, size_t pool_pages)
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

static struct iomm_unit *U(struct rfx *r)
{
	return &r->f->smmu.unit;
}

/* VM a with two devices: PCI 00:01.0 (SID 8) as endpoint 8, SID 0x10 as endpoint 16. */
static void vm_up(struct rfx *r)
{
	vm_cfg_default(r, &r->a, 64);
	assert_int_equal(iomm_vm_init(&r->a.vm, &r->a.cfg), IOMM_OK);
	struct iomm_devid pci = IOMM_PCI(0, 1, 0);
	assert_int_equal(iomm_vm_assign(&r->a.vm, U(r), &pci, 8), IOMM_OK);
	struct iomm_devid sid = IOMM_SID(0x10);
	assert_int_equal(iomm_vm_assign(&r->a.vm, U(r), &sid, 16), IOMM_OK);
}

/* ---- request builders (offsets from the specification's layouts) ---- */

static uint8_t req_st(struct iomm_vm *vm, const uint8_t *req, size_t len)
{
	uint8_t tail[4] = {0xee, 0xee, 0xee, 0xee};
	size_t used = 99;
	assert_int_equal(iomm_vsmmu_handle(vm, req, len, tail, sizeof(tail), &used), IOMM_OK);
	assert_int_equal(used, 4);
	assert_int_equal(tail[1] | tail[2] | tail[3], 0);
	return tail[0];
}

static uint8_t attach(struct iomm_vm *vm, uint32_t dom, uint32_t ep, uint32_t flags)
{
	uint8_t b[20] = {IOMM_VIOMMU_T_ATTACH};
	iomm_put_le32(b + 4, dom);
	iomm_put_le32(b + 8, ep);
	iomm_put_le32(b + 12, flags);
	return req_st(vm, b, sizeof(b));
}

static uint8_t detach(struct iomm_vm *vm, uint32_t dom, uint32_t ep)
{
	uint8_t b[20] = {IOMM_VIOMMU_T_DETACH};
	iomm_put_le32(b + 4, dom);
	iomm_put_le32(b + 8, ep);
	return req_st(vm, b, sizeof(b));
}

static uint8_t map(struct iomm_vm *vm, uint32_t dom, uint64_t vs, uint64_t ve, uint64_t ps,
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

static uint8_t unmap(struct iomm_vm *vm, uint32_t dom, uint64_t vs, uint64_t ve)
{
	uint8_t b[28] = {IOMM_VIOMMU_T_UNMAP};
	iomm_put_le32(b + 4, dom);
	iomm_put_le64(b + 8, vs);
	iomm_put_le64(b + 16, ve);
	return req_st(vm, b, sizeof(b));
}

#define RW (IOMM_VIOMMU_MAP_F_READ | IOMM_VIOMMU_MAP_F_WRITE)

/* ---- state fingerprints ---- */

static uint64_t fnv(uint64_t h, uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		h ^= (v >> (8 * i)) & 0xffu;
		h *= 0x100000001b3ull;
	}
	return h;
}

static int hash_leaf(void *arg, const struct iomm_mapping *m)
{
	uint64_t *h = arg;
	*h = fnv(fnv(fnv(fnv(*h, m->iova), m->pa), m->size), m->prot);
	return 0;
}

static const uint64_t probes[] = {0x0, 0x1000, 0x10000, 0x1ff000, 0x200000, 0x201000,
				  0x1000000, 0x8000000, 0x40000000};

/* Tables of both endpoints, the model's translations, and the VM's books. */
static uint64_t fingerprint(struct rfx *r, struct vmbox *v)
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

struct contain {
	unsigned leaves, bad;
};

static int contain_leaf(void *arg, const struct iomm_mapping *m)
{
	struct contain *c = arg;
	c->leaves++;
	for (size_t i = 0; i < sizeof(regions) / sizeof(regions[0]); i++) {
		const struct iomm_vm_region *g = &regions[i];
		if (m->pa >= g->hpa && m->pa + m->size <= g->hpa + g->size &&
		    !(m->prot & (IOMM_READ | IOMM_WRITE) & ~g->prot) && !(m->prot & IOMM_EXEC))
			return 0;
	}
	c->bad++;
	return 0;
}

static void check_contained(struct vmbox *v)
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

/* ======================= device-model requests (paravirt) ======================= */

/* Config space bytes and feature bits against a fixture written from the
 * specification's virtio_iommu_config layout. */
static void pv_config_fixture(void **state)
{
	struct rfx *r = *state;
	vm_up(r);
	uint8_t cfg[40];
	memset(cfg, 0xaa, sizeof(cfg));
	assert_int_equal(iomm_vsmmu_config(&r->a.vm, cfg, sizeof(cfg)), IOMM_OK);
	static const uint8_t want[40] = {
	    0x00, 0x10, 0, 0, 0, 0, 0, 0,          /* page_size_mask = 4 KiB */
	    0, 0, 0, 0, 0, 0, 0, 0,                /* input_range.start */
	    0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, /* input_range.end = 2^40 - 1 */
	    0, 0, 0, 0,                            /* domain_range.start */
	    0xff, 0xff, 0xff, 0xff,                /* domain_range.end */
	    64, 0, 0, 0,                           /* probe_size */
	    0,                                     /* bypass: host policy BLOCK */
	    0, 0, 0};
	assert_memory_equal(cfg, want, sizeof(want));
	uint64_t feat = iomm_vsmmu_features(&r->a.vm);
	assert_int_equal(feat, (1ull << 0) | (1ull << 1) | (1ull << 2) | (1ull << 4) |
				   (1ull << 5) | (1ull << 6) | (1ull << 32));
	assert_int_equal(iomm_vsmmu_config(&r->a.vm, cfg, 39), IOMM_EINVAL);
	assert_int_equal(iomm_vsmmu_set_bypass(&r->a.vm, 0xff), IOMM_OK);
	assert_int_equal(iomm_vsmmu_config(&r->a.vm, cfg, sizeof(cfg)), IOMM_OK);
	assert_int_equal(cfg[36], 1);
}

/* ATTACH, MAP, PROBE, UNMAP, DETACH as literal bytes; effects on the model. */
static void pv_wire_fixtures(void **state)
{
	struct rfx *r = *state;
	vm_up(r);
	/* blocked by policy: every access aborts */
	assert_int_not_equal(fx_dma(r->f, 8, 0x1000, RD, NULL), 0);

	static const uint8_t att[20] = {1, 0, 0, 0, 7, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	uint8_t tail[4] = {9, 9, 9, 9};
	size_t used = 0;
	assert_int_equal(iomm_vsmmu_handle(&r->a.vm, att, sizeof(att), tail, 4, &used), IOMM_OK);
	static const uint8_t ok[4] = {0, 0, 0, 0};
	assert_int_equal(used, 4);
	assert_memory_equal(tail, ok, 4);

	/* map(domain 7, 0x40000000..0x40001fff -> gpa 0x3000, READ|WRITE) */
	static const uint8_t mp[36] = {3,    0,    0,    0,    7, 0, 0, 0, 0x00, 0x00, 0x00, 0x40,
				       0,    0,    0,    0,    0xff, 0x1f, 0x00, 0x40, 0, 0, 0, 0,
				       0x00, 0x30, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0};
	assert_int_equal(iomm_vsmmu_handle(&r->a.vm, mp, sizeof(mp), tail, 4, &used), IOMM_OK);
	assert_memory_equal(tail, ok, 4);
	assert_int_equal(fx_xlate(r->f, 8, 0x40000010, RD), 0x80003010u);
	assert_int_equal(fx_xlate(r->f, 8, 0x40001ff8, WR), 0x80004ff8u);
	assert_int_not_equal(fx_dma(r->f, 8, 0x40002000, RD, NULL), 0);
	/* the other device stays blocked */
	assert_int_not_equal(fx_dma(r->f, 0x10, 0x40000000, RD, NULL), 0);

	/* probe(endpoint 8): one RESV_MEM MSI property, zero padding, tail */
	uint8_t preq[72] = {5, 0, 0, 0, 8, 0, 0, 0};
	preq[20] = 0x5a; /* reserved bytes are ignored */
	uint8_t presp[68];
	memset(presp, 0xcc, sizeof(presp));
	assert_int_equal(iomm_vsmmu_handle(&r->a.vm, preq, sizeof(preq), presp, sizeof(presp), &used),
			 IOMM_OK);
	assert_int_equal(used, 68);
	uint8_t pwant[68] = {1, 0, 20, 0, /* type RESV_MEM, length 20 */
			     1, 0, 0, 0,  /* subtype MSI, reserved */
			     0, 0, 0, 8, 0, 0, 0, 0,          /* start 0x8000000 */
			     0xff, 0x0f, 0, 8, 0, 0, 0, 0};   /* end 0x8000fff */
	assert_memory_equal(presp, pwant, sizeof(pwant));
	/* the doorbell works inside the guest domain (mapped through A) */
	assert_int_equal(fx_xlate(r->f, 8, 0x8000040, WR), 0x2f000040u);

	/* unmap(domain 7, 0x40000000..0x40001fff) */
	static const uint8_t um[28] = {4, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0,
				       0xff, 0x1f, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 0};
	assert_int_equal(iomm_vsmmu_handle(&r->a.vm, um, sizeof(um), tail, 4, &used), IOMM_OK);
	assert_memory_equal(tail, ok, 4);
	assert_int_not_equal(fx_dma(r->f, 8, 0x40000010, RD, NULL), 0);

	/* detach(domain 7, endpoint 8), reserved bytes ignored */
	static const uint8_t dt[20] = {2, 0, 0, 0, 7, 0, 0, 0, 8, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8};
	assert_int_equal(iomm_vsmmu_handle(&r->a.vm, dt, sizeof(dt), tail, 4, &used), IOMM_OK);
	assert_memory_equal(tail, ok, 4);
	assert_int_not_equal(fx_dma(r->f, 8, 0x8000040, WR, NULL), 0);
	(void)fx_poll(r->f);
	fx_check_hygiene(r->f);
}

struct bad {
	const char *what;
	uint8_t type;
	uint32_t dom;
	uint64_t a, b, c; /* MAP: vs, ve, ps; UNMAP: vs, ve; ATTACH/DETACH: a = endpoint */
	uint32_t flags;
	int reserved; /* write a non-zero reserved byte */
	size_t trunc; /* device-readable bytes handed over (0: all) */
	int want;     /* status, or -1: used length 0 */
};

static void build(const struct bad *t, uint8_t *b, size_t *len)
{
	memset(b, 0, 72);
	b[0] = t->type;
	switch (t->type) {
	case IOMM_VIOMMU_T_ATTACH:
	case IOMM_VIOMMU_T_DETACH:
		iomm_put_le32(b + 4, t->dom);
		iomm_put_le32(b + 8, (uint32_t)t->a);
		iomm_put_le32(b + 12, t->flags);
		if (t->reserved)
			b[t->type == IOMM_VIOMMU_T_ATTACH ? 17 : 13] = 1;
		*len = 20;
		break;
	case IOMM_VIOMMU_T_MAP:
		iomm_put_le32(b + 4, t->dom);
		iomm_put_le64(b + 8, t->a);
		iomm_put_le64(b + 16, t->b);
		iomm_put_le64(b + 24, t->c);
		iomm_put_le32(b + 32, t->flags);
		*len = 36;
		break;
	case IOMM_VIOMMU_T_UNMAP:
		iomm_put_le32(b + 4, t->dom);
		iomm_put_le64(b + 8, t->a);
		iomm_put_le64(b + 16, t->b);
		if (t->reserved)
			b[26] = 0x80;
		*len = 28;
		break;
	case IOMM_VIOMMU_T_PROBE:
		iomm_put_le32(b + 4, (uint32_t)t->a);
		*len = 72;
		break;
	default:
		*len = 20;
		break;
	}
	if (t->trunc)
		*len = t->trunc;
}

/* Hostile requests: each gets its status and changes nothing (books,
 * real tables, model translations). */
static void pv_adversarial(void **state)
{
	struct rfx *r = *state;
	vm_up(r);
	assert_int_equal(attach(&r->a.vm, 1, 8, 0), IOMM_VIOMMU_S_OK);
	assert_int_equal(attach(&r->a.vm, 2, 16, IOMM_VIOMMU_ATTACH_F_BYPASS), IOMM_VIOMMU_S_OK);
	assert_int_equal(map(&r->a.vm, 1, 0x10000, 0x1ffff, 0x10000, RW), IOMM_VIOMMU_S_OK);
	assert_int_equal(map(&r->a.vm, 1, 0x200000, 0x200fff, 0x1000000, IOMM_VIOMMU_MAP_F_READ),
			 IOMM_VIOMMU_S_OK);
	const uint64_t M = UINT64_MAX;
	const struct bad cases[] = {
	    {"wrapping range", 3, 1, 0x30000, 0x2ffff, 0x0, RW, 0, 0, IOMM_VIOMMU_S_INVAL},
	    {"virt_end = ~0", 3, 1, 0x30000, M, 0x0, RW, 0, 0, IOMM_VIOMMU_S_RANGE},
	    {"whole 64-bit space", 3, 1, 0, M, 0x0, RW, 0, 0, IOMM_VIOMMU_S_RANGE},
	    {"huge length beyond A", 3, 1, 0x100000000ull, 0x1ffffffffull, 0, RW, 0, 0,
	     IOMM_VIOMMU_S_RANGE},
	    {"phys wraps", 3, 1, 0x30000, 0x31fff, M & ~0xfffull, RW, 0, 0, IOMM_VIOMMU_S_RANGE},
	    {"phys outside A", 3, 1, 0x30000, 0x30fff, 0x300000, RW, 0, 0, IOMM_VIOMMU_S_RANGE},
	    {"phys runs off A", 3, 1, 0x30000, 0x31fff, 0x2ff000, RW, 0, 0, IOMM_VIOMMU_S_RANGE},
	    {"hole between regions", 3, 1, 0x30000, 0x30fff, 0x0fff000, RW, 0, 0,
	     IOMM_VIOMMU_S_RANGE},
	    {"write to read-only region", 3, 1, 0x30000, 0x30fff, 0x1000000, RW, 0, 0,
	     IOMM_VIOMMU_S_INVAL},
	    {"overlapping map", 3, 1, 0x1f000, 0x20fff, 0x0, RW, 0, 0, IOMM_VIOMMU_S_INVAL},
	    {"identical map", 3, 1, 0x10000, 0x1ffff, 0x10000, RW, 0, 0, IOMM_VIOMMU_S_INVAL},
	    {"unaligned virt_start", 3, 1, 0x30800, 0x31fff, 0x0, RW, 0, 0, IOMM_VIOMMU_S_RANGE},
	    {"unaligned virt_end", 3, 1, 0x30000, 0x30ffe, 0x0, RW, 0, 0, IOMM_VIOMMU_S_RANGE},
	    {"unaligned phys", 3, 1, 0x30000, 0x30fff, 0x10, RW, 0, 0, IOMM_VIOMMU_S_RANGE},
	    {"beyond input range", 3, 1, 0x10000000000ull, 0x10000000fffull, 0, RW, 0, 0,
	     IOMM_VIOMMU_S_RANGE},
	    {"unknown map flag", 3, 1, 0x30000, 0x30fff, 0x0, RW | 8u, 0, 0, IOMM_VIOMMU_S_INVAL},
	    {"no permission", 3, 1, 0x30000, 0x30fff, 0x0, 0, 0, 0, IOMM_VIOMMU_S_INVAL},
	    {"map over MSI doorbell", 3, 1, 0x8000000, 0x8000fff, 0x0, RW, 0, 0,
	     IOMM_VIOMMU_S_FAULT},
	    {"map unknown domain", 3, 99, 0x30000, 0x30fff, 0x0, RW, 0, 0, IOMM_VIOMMU_S_NOENT},
	    {"map bypass domain", 3, 2, 0x30000, 0x30fff, 0x0, RW, 0, 0, IOMM_VIOMMU_S_INVAL},
	    {"map truncated", 3, 1, 0x30000, 0x30fff, 0x0, RW, 0, 35, IOMM_VIOMMU_S_IOERR},
	    {"unmap splits mapping", 4, 1, 0x10000, 0x10fff, 0, 0, 0, 0, IOMM_VIOMMU_S_RANGE},
	    {"unmap tail of mapping", 4, 1, 0x1f000, 0x2ffff, 0, 0, 0, 0, IOMM_VIOMMU_S_RANGE},
	    {"unmap reserved", 4, 1, 0x0, 0xfffff, 0, 0, 1, 0, IOMM_VIOMMU_S_INVAL},
	    {"unmap wraps", 4, 1, 0x2ffff, 0x10000, 0, 0, 0, 0, IOMM_VIOMMU_S_INVAL},
	    {"unmap unknown domain", 4, 5, 0x0, 0xfffff, 0, 0, 0, 0, IOMM_VIOMMU_S_NOENT},
	    {"unmap truncated", 4, 1, 0x0, 0xfffff, 0, 0, 0, 27, IOMM_VIOMMU_S_IOERR},
	    {"attach reserved", 1, 3, 8, 0, 0, 0, 1, 0, IOMM_VIOMMU_S_INVAL},
	    {"attach unknown flag", 1, 3, 8, 0, 0, 2, 0, 0, IOMM_VIOMMU_S_INVAL},
	    {"attach unknown endpoint", 1, 3, 9, 0, 0, 0, 0, 0, IOMM_VIOMMU_S_NOENT},
	    {"attach bypass to mapped domain", 1, 1, 16, 0, 0, 1, 0, 0, IOMM_VIOMMU_S_INVAL},
	    {"attach plain to bypass domain", 1, 2, 8, 0, 0, 0, 0, 0, IOMM_VIOMMU_S_INVAL},
	    {"attach truncated", 1, 3, 8, 0, 0, 0, 0, 19, IOMM_VIOMMU_S_IOERR},
	    {"detach wrong domain", 2, 2, 8, 0, 0, 0, 0, 0, IOMM_VIOMMU_S_INVAL},
	    {"detach unknown domain", 2, 42, 8, 0, 0, 0, 0, 0, IOMM_VIOMMU_S_INVAL},
	    {"detach unknown endpoint", 2, 1, 0x1234, 0, 0, 0, 0, 0, IOMM_VIOMMU_S_NOENT},
	    {"probe unknown endpoint", 5, 0, 77, 0, 0, 0, 0, 0, -2},
	    {"probe truncated", 5, 0, 8, 0, 0, 0, 0, 71, -3},
	    {"unknown type", 0x42, 1, 8, 0, 0, 0, 0, 0, -1},
	    {"type zero", 0, 1, 8, 0, 0, 0, 0, 0, -1},
	    {"empty request", 1, 1, 8, 0, 0, 0, 0, 0, -4},
	};
	uint64_t before = fingerprint(r, &r->a);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad *t = &cases[i];
		uint8_t b[72];
		size_t len;
		build(t, b, &len);
		uint8_t out[68];
		memset(out, 0xee, sizeof(out));
		size_t used = 1234;
		size_t outlen = t->type == IOMM_VIOMMU_T_PROBE ? 68 : 4;
		if (t->want == -4)
			len = 0;
		int rc = iomm_vsmmu_handle(&r->a.vm, b, len, out, outlen, &used);
		if (rc != IOMM_OK)
			fail_msg("%s: handle returned %d", t->what, rc);
		uint8_t want;
		if (t->want == -1 || t->want == -4) {
			if (used != 0 || out[0] != 0xee)
				fail_msg("%s: used %zu, expected nothing written", t->what, used);
			goto same;
		}
		want = t->want == -2   ? IOMM_VIOMMU_S_NOENT
		       : t->want == -3 ? IOMM_VIOMMU_S_IOERR
				       : (uint8_t)t->want;
		if (used != outlen || out[outlen - 4] != want)
			fail_msg("%s: status %u (used %zu), expected %u", t->what, out[outlen - 4],
				 used, want);
		for (size_t k = 0; k + 4 < outlen; k++)
			if (out[k])
				fail_msg("%s: properties written on failure", t->what);
	same:
		if (fingerprint(r, &r->a) != before)
			fail_msg("%s: state changed", t->what);
	}
	/* no room for the tail: nothing written */
	uint8_t b[20] = {1, 0, 0, 0, 3, 0, 0, 0, 8};
	uint8_t out[3] = {0xee, 0xee, 0xee};
	size_t used = 5;
	assert_int_equal(iomm_vsmmu_handle(&r->a.vm, b, sizeof(b), out, 3, &used), IOMM_OK);
	assert_int_equal(used, 0);
	assert_int_equal(out[0], 0xee);
	/* PROBE with a properties buffer smaller than probe_size */
	uint8_t preq[72] = {5, 0, 0, 0, 8};
	uint8_t small[20];
	assert_int_equal(iomm_vsmmu_handle(&r->a.vm, preq, 72, small, 20, &used), IOMM_OK);
	assert_int_equal(small[16], IOMM_VIOMMU_S_INVAL);
	assert_int_equal(fingerprint(r, &r->a), before);
	assert_int_equal(iomm_vsmmu_handle(NULL, b, 20, out, 4, &used), IOMM_EINVAL);
	check_contained(&r->a);
	fx_check_hygiene(r->f);
}

/* UNMAP semantics: the specification's seven examples. */
static void pv_unmap_semantics(void **state)
{
	struct rfx *r = *state;
	vm_up(r);
	struct iomm_vm *vm = &r->a.vm;
	assert_int_equal(attach(vm, 1, 8, 0), IOMM_VIOMMU_S_OK);
	const uint64_t P = 0x1000; /* one page per unit of the examples */
#define MAPX(s, e) map(vm, 1, (s)*P, ((e) + 1) * P - 1, (s)*P, RW)
#define UNMAPX(s, e) unmap(vm, 1, (s)*P, ((e) + 1) * P - 1)
	assert_int_equal(UNMAPX(0, 4), IOMM_VIOMMU_S_OK); /* (1) */
	assert_int_equal(MAPX(0, 9), IOMM_VIOMMU_S_OK);   /* (2) */
	assert_int_equal(UNMAPX(0, 9), IOMM_VIOMMU_S_OK);
	assert_int_not_equal(fx_dma(r->f, 8, 0, RD, NULL), 0);
	assert_int_equal(MAPX(0, 4), IOMM_VIOMMU_S_OK); /* (3) */
	assert_int_equal(MAPX(5, 9), IOMM_VIOMMU_S_OK);
	assert_int_equal(UNMAPX(0, 9), IOMM_VIOMMU_S_OK);
	assert_int_not_equal(fx_dma(r->f, 8, 7 * P, RD, NULL), 0);
	assert_int_equal(MAPX(0, 9), IOMM_VIOMMU_S_OK); /* (4) */
	assert_int_equal(UNMAPX(0, 4), IOMM_VIOMMU_S_RANGE);
	assert_int_equal(fx_xlate(r->f, 8, 0, RD), 0x80000000u);
	assert_int_equal(fx_xlate(r->f, 8, 9 * P, RD), 0x80000000u + 9 * P);
	assert_int_equal(UNMAPX(0, 9), IOMM_VIOMMU_S_OK);
	assert_int_equal(MAPX(0, 4), IOMM_VIOMMU_S_OK); /* (5) */
	assert_int_equal(MAPX(5, 9), IOMM_VIOMMU_S_OK);
	assert_int_equal(UNMAPX(0, 4), IOMM_VIOMMU_S_OK);
	assert_int_not_equal(fx_dma(r->f, 8, 4 * P, RD, NULL), 0);
	assert_int_equal(fx_xlate(r->f, 8, 5 * P, RD), 0x80000000u + 5 * P);
	assert_int_equal(UNMAPX(5, 9), IOMM_VIOMMU_S_OK);
	assert_int_equal(MAPX(0, 4), IOMM_VIOMMU_S_OK); /* (6) */
	assert_int_equal(UNMAPX(0, 9), IOMM_VIOMMU_S_OK);
	assert_int_equal(MAPX(0, 4), IOMM_VIOMMU_S_OK); /* (7) */
	assert_int_equal(MAPX(10, 14), IOMM_VIOMMU_S_OK);
	assert_int_equal(UNMAPX(0, 14), IOMM_VIOMMU_S_OK);
	assert_int_not_equal(fx_dma(r->f, 8, 12 * P, RD, NULL), 0);
	struct contain c = {0, 0};
	assert_int_equal(iomm_vm_walk(vm, 8, contain_leaf, &c), IOMM_OK);
	assert_int_equal(c.leaves, 1); /* only the MSI doorbell is left */
	(void)fx_poll(r->f);
#undef MAPX
#undef UNMAPX
}

/* Quotas: guest domains, mappings, table pages; running out is S_NOMEM for
 * that guest only, and changes nothing. */
static void pv_quota(void **state)
{
	struct rfx *r = *state;
	vm_up(r);
	struct iomm_vm *vm = &r->a.vm;
	struct iomm_devid s1 = IOMM_SID(0x20), s2 = IOMM_SID(0x21), s3 = IOMM_SID(0x22);
	assert_int_equal(iomm_vm_assign(vm, U(r), &s1, 0x20), IOMM_OK);
	assert_int_equal(iomm_vm_assign(vm, U(r), &s2, 0x21), IOMM_OK);
	assert_int_equal(iomm_vm_assign(vm, U(r), &s3, 0x22), IOMM_OK);
	/* guest domains: NDOM of them */
	assert_int_equal(attach(vm, 1, 8, 0), IOMM_VIOMMU_S_OK);
	assert_int_equal(attach(vm, 2, 16, 0), IOMM_VIOMMU_S_OK);
	assert_int_equal(attach(vm, 3, 0x20, 0), IOMM_VIOMMU_S_OK);
	assert_int_equal(attach(vm, 4, 0x21, IOMM_VIOMMU_ATTACH_F_BYPASS), IOMM_VIOMMU_S_OK);
	uint64_t before = fingerprint(r, &r->a);
	assert_int_equal(attach(vm, 5, 0x22, 0), IOMM_VIOMMU_S_NOMEM);
	assert_int_equal(attach(vm, 5, 8, 0), IOMM_VIOMMU_S_NOMEM); /* 8 stays in 1 */
	assert_int_equal(fingerprint(r, &r->a), before);
	assert_int_equal(attach(vm, 3, 0x22, 0), IOMM_VIOMMU_S_OK); /* sharing is fine */

	/* mappings: NMAP of them, across domains */
	for (unsigned n = 0; n < NMAP; n++)
		assert_int_equal(map(vm, 1 + n % 3, 0x100000 + n * 0x1000ull,
				     0x100fff + n * 0x1000ull, n * 0x1000ull, RW),
				 IOMM_VIOMMU_S_OK);
	before = fingerprint(r, &r->a);
	assert_int_equal(map(vm, 2, 0x400000, 0x400fff, 0, RW), IOMM_VIOMMU_S_NOMEM);
	assert_int_equal(fingerprint(r, &r->a), before);
	assert_int_equal(unmap(vm, 2, 0, UINT64_MAX), IOMM_VIOMMU_S_OK);
	assert_int_equal(map(vm, 2, 0x400000, 0x400fff, 0, RW), IOMM_VIOMMU_S_OK);

	/* table pages: VM b has a pool of 14 pages; each map 1 GiB apart needs
	 * new tables, so it runs out first; VM a is not affected */
	vm_cfg_default(r, &r->b, 14);
	assert_int_equal(iomm_vm_init(&r->b.vm, &r->b.cfg), IOMM_OK);
	struct iomm_devid sb = IOMM_SID(0x40);
	assert_int_equal(iomm_vm_assign(&r->b.vm, U(r), &sb, 1), IOMM_OK);
	assert_int_equal(attach(&r->b.vm, 1, 1, 0), IOMM_VIOMMU_S_OK);
	unsigned okb = 0;
	uint8_t s = IOMM_VIOMMU_S_OK;
	for (unsigned j = 0; j < NMAP && s == IOMM_VIOMMU_S_OK; j++) {
		uint64_t iova = (uint64_t)(j + 1) << 30;
		uint64_t fp = fingerprint(r, &r->b);
		s = map(&r->b.vm, 1, iova, iova + 0xfff, 0, RW);
		if (s == IOMM_VIOMMU_S_OK)
			okb++;
		else
			assert_int_equal(fingerprint(r, &r->b), fp);
	}
	assert_int_equal(s, IOMM_VIOMMU_S_NOMEM);
	assert_true(okb >= 1 && okb < NMAP);
	assert_int_equal(fx_xlate(r->f, 0x40, 1ull << 30, RD), 0x80000000u);
	/* VM a still maps, with the same geometry that just failed in VM b */
	assert_int_equal(map(vm, 1, 0x40000000, 0x40000fff, 0x5000, RW), IOMM_VIOMMU_S_OK);
	assert_int_equal(fx_xlate(r->f, 8, 0x40000000, RD), 0x80005000u);
	check_contained(&r->a);
	assert_int_equal(iomm_vm_audit(&r->b.vm), IOMM_OK);
	assert_int_equal(iomm_vm_destroy(&r->b.vm), IOMM_OK);
	assert_int_equal(iomm_pool_used(r->b.cfg.pool), 0);
	(void)fx_poll(r->f);
}

/* DETACH, config.bypass and reset put devices back to the host policy and
 * invalidate what they had. */
static void pv_detach_reset(void **state)
{
	struct rfx *r = *state;
	vm_up(r);
	struct iomm_vm *vm = &r->a.vm;
	assert_int_equal(attach(vm, 1, 8, 0), IOMM_VIOMMU_S_OK);
	assert_int_equal(map(vm, 1, 0x40000000, 0x40000fff, 0x2000, RW), IOMM_VIOMMU_S_OK);
	assert_int_equal(fx_xlate(r->f, 8, 0x40000000, RD), 0x80002000u);
	size_t pages = iomm_pool_used(r->a.cfg.pool);
	fx_snap(r->f);
	assert_int_equal(detach(vm, 1, 8), IOMM_VIOMMU_S_OK);
	assert_true(fx_ops(r->f, OP_TLBI_S12_VMALL) + fx_ops(r->f, OP_TLBI_S2_IPA) > 0);
	assert_true(iomm_pool_used(r->a.cfg.pool) < pages);
	/* policy BLOCK: nothing goes through, not even A */
	assert_int_not_equal(fx_dma(r->f, 8, 0x40000000, RD, NULL), 0);
	assert_int_not_equal(fx_dma(r->f, 8, 0x2000, RD, NULL), 0);
	assert_int_equal(detach(vm, 1, 8), IOMM_VIOMMU_S_INVAL); /* domain is gone */
	assert_int_equal(map(vm, 1, 0x0, 0xfff, 0, RW), IOMM_VIOMMU_S_NOENT);

	/* the guest sets config.bypass: unattached endpoints are confined to A */
	assert_int_equal(iomm_vsmmu_set_bypass(vm, 1), IOMM_OK);
	assert_int_equal(fx_xlate(r->f, 8, 0x2000, WR), 0x80002000u);
	assert_int_equal(fx_xlate(r->f, 8, 0x200000, WR), 0xc0000000u);
	assert_int_not_equal(fx_dma(r->f, 8, 0x1000000, WR, NULL), 0); /* read-only region */
	assert_int_equal(fx_xlate(r->f, 8, 0x1000000, RD), 0x90000000u);
	assert_int_not_equal(fx_dma(r->f, 8, 0x300000, RD, NULL), 0); /* outside A */

	/* reset: both endpoints back to policy, domains destroyed */
	assert_int_equal(attach(vm, 1, 8, 0), IOMM_VIOMMU_S_OK);
	assert_int_equal(attach(vm, 1, 16, 0), IOMM_VIOMMU_S_OK);
	assert_int_equal(map(vm, 1, 0x40000000, 0x40000fff, 0x2000, RW), IOMM_VIOMMU_S_OK);
	assert_int_equal(fx_xlate(r->f, 0x10, 0x40000000, RD), 0x80002000u);
	assert_int_not_equal(fx_dma(r->f, 8, 0x2000, RD, NULL), 0); /* guest domain: no identity */
	fx_snap(r->f);
	assert_int_equal(iomm_vsmmu_reset(vm), IOMM_OK);
	assert_true(fx_ops(r->f, OP_TLBI_S12_VMALL) + fx_ops(r->f, OP_TLBI_S2_IPA) > 0);
	assert_int_not_equal(fx_dma(r->f, 8, 0x40000000, RD, NULL), 0);
	assert_int_not_equal(fx_dma(r->f, 0x10, 0x40000000, RD, NULL), 0);
	assert_int_equal(fx_xlate(r->f, 0x10, 0x2000, RD), 0x80002000u); /* bypass kept */
	assert_int_equal(map(vm, 1, 0x0, 0xfff, 0, RW), IOMM_VIOMMU_S_NOENT);
	/* back to blocking */
	assert_int_equal(iomm_vsmmu_set_bypass(vm, 0), IOMM_OK);
	assert_int_not_equal(fx_dma(r->f, 0x10, 0x2000, RD, NULL), 0);
	check_contained(&r->a);
	(void)fx_poll(r->f);
	fx_check_hygiene(r->f);
}

/* A MAP whose guest-physical range spans two regions of A is split into
 * two host-physical pieces. */
static void pv_split_map(void **state)
{
	struct rfx *r = *state;
	vm_up(r);
	struct iomm_vm *vm = &r->a.vm;
	assert_int_equal(attach(vm, 9, 16, 0), IOMM_VIOMMU_S_OK);
	assert_int_equal(map(vm, 9, 0x7ffe0000, 0x8001ffff, 0x1e0000, RW | IOMM_VIOMMU_MAP_F_MMIO),
			 IOMM_VIOMMU_S_OK);
	assert_int_equal(fx_xlate(r->f, 0x10, 0x7ffe0000, RD), 0x801e0000u);
	assert_int_equal(fx_xlate(r->f, 0x10, 0x7ffffff0, WR), 0x801ffff0u);
	assert_int_equal(fx_xlate(r->f, 0x10, 0x80000000, RD), 0xc0000000u);
	assert_int_equal(fx_xlate(r->f, 0x10, 0x8001f008, WR), 0xc001f008u);
	struct iomm_mapping m;
	assert_int_equal(iomm_pgt_lookup(&r->a.doms[0].real.pgt, 0x80000000, &m), IOMM_OK);
	assert_int_equal(m.prot & IOMM_MEM_MASK, IOMM_MEM_DEVICE);
	/* one UNMAP removes both pieces */
	assert_int_equal(unmap(vm, 9, 0x7ffe0000, 0x8001ffff), IOMM_VIOMMU_S_OK);
	assert_int_not_equal(fx_dma(r->f, 0x10, 0x80000000, RD, NULL), 0);
	assert_int_not_equal(fx_dma(r->f, 0x10, 0x7ffe0000, RD, NULL), 0);
	check_contained(&r->a);
	(void)fx_poll(r->f);
}

/* ======================= host role ======================= */

/* Memory map checks; assignment by PCI (with wildcards) and by stream ID;
 * one owner per device. */
static void roles_assign(void **state)
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
	struct iomm_domain host;
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
static void roles_faults(void **state)
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
	assert_int_equal(iomm_vsmmu_next_event(vm, ev, sizeof(ev)), 24);
	static const uint8_t want1[24] = {2, 0, 0, 0,       /* R_MAPPING */
					  0x01, 0x01, 0, 0, /* READ | ADDRESS */
					  8, 0, 0, 0,       /* endpoint */
					  0, 0, 0, 0,       0x08, 0x10, 0x00, 0x40, 0, 0, 0, 0};
	assert_memory_equal(ev, want1, 24);
	assert_int_equal(iomm_vsmmu_next_event(vm, ev, sizeof(ev)), 24);
	static const uint8_t want2[24] = {2, 0, 0, 0, 0x02, 0x01, 0, 0, 8, 0, 0, 0,
					  0, 0, 0, 0, 0x10, 0x00, 0x00, 0x40, 0, 0, 0, 0};
	assert_memory_equal(ev, want2, 24);
	assert_int_equal(iomm_vsmmu_next_event(vm, ev, sizeof(ev)), 0);
	assert_int_equal(iomm_vsmmu_next_event(vm, ev, 23), IOMM_EINVAL);

	/* a bounded ring: NEV kept, the rest counted */
	for (unsigned i = 0; i < NEV + 3; i++)
		assert_true(fx_dma(r->f, 8, 0x50000000 + i * 0x1000ull, WR, NULL) < 0);
	c.routed = 0;
	(void)iomm_fault_poll(U(r), route, &c);
	assert_int_equal(c.routed, NEV + 3);
	assert_int_equal(iomm_vsmmu_events_dropped(vm), 3);
	for (unsigned i = 0; i < NEV; i++) {
		assert_int_equal(iomm_vsmmu_next_event(vm, ev, sizeof(ev)), 24);
		assert_int_equal(iomm_get_le64(ev + 16), 0x50000000 + i * 0x1000ull);
		assert_int_equal(iomm_get_le32(ev + 4), IOMM_VIOMMU_FAULT_F_WRITE |
							    IOMM_VIOMMU_FAULT_F_ADDRESS);
	}
	/* a synthetic abort of a stream with a mask, on the second device */
	struct iomm_fault f = {0};
	f.sid = 0x10;
	f.reason = IOMM_FAULT_ABORT;
	assert_int_equal(iomm_vm_fault_route(vm, U(r), &f), IOMM_OK);
	assert_int_equal(iomm_vsmmu_next_event(vm, ev, sizeof(ev)), 24);
	assert_int_equal(ev[0], IOMM_VIOMMU_FAULT_R_DOMAIN);
	assert_int_equal(iomm_get_le32(ev + 8), 16);
	assert_int_equal(iomm_get_le32(ev + 4), 0);
	f.sid = 0x11;
	assert_int_equal(iomm_vm_fault_route(vm, U(r), &f), IOMM_ENOENT);
	assert_int_equal(iomm_vsmmu_reset(vm), IOMM_OK);
	assert_int_equal(iomm_vsmmu_events_dropped(vm), 0);
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
static void roles_containment(void **state)
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
				assert_int_equal(iomm_vsmmu_reset(vm), IOMM_OK);
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
	assert_int_equal(iomm_vsmmu_reset(vm), IOMM_OK);
	assert_int_equal(iomm_vm_destroy(vm), IOMM_OK);
	assert_int_equal(iomm_pool_used(r->a.cfg.pool), 0);
	(void)fx_poll(r->f);
	fx_check_hygiene(r->f);
}

/* ======================= checks, limits and failures ======================= */

/* Every rule of iomm_vm_init(), and NULL or uninitialised objects on every
 * entry point: EINVAL and nothing done. Overlapping RESV_MEM regions are
 * refused: they used to be accepted, after which every ATTACH to a new
 * guest domain failed with S_INVAL (the shared doorbell was mapped twice). */
static void roles_vm_checks(void **state)
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
	assert_int_equal(iomm_vsmmu_next_event(vm, out, sizeof(out)), IOMM_EINVAL);
	assert_int_equal(iomm_vsmmu_config(vm, out, sizeof(out)), IOMM_EINVAL);
	assert_int_equal(iomm_vsmmu_set_bypass(vm, 1), IOMM_EINVAL);
	assert_int_equal(iomm_vsmmu_set_bypass(NULL, 1), IOMM_EINVAL);
	assert_int_equal(iomm_vsmmu_reset(vm), IOMM_EINVAL);
	assert_int_equal(iomm_vsmmu_reset(NULL), IOMM_EINVAL);
	assert_int_equal(iomm_vsmmu_handle(vm, buf, sizeof(buf), out, sizeof(out), &used),
			 IOMM_EINVAL);
	assert_int_equal(iomm_vsmmu_events_dropped(NULL), 0);
	assert_int_equal(iomm_vsmmu_features(NULL), 0);

	/* initialised again: the arguments themselves */
	*c = good;
	assert_int_equal(iomm_vm_init(vm, c), IOMM_OK);
	assert_int_equal(iomm_vm_assign(vm, NULL, &sid, 16), IOMM_EINVAL);
	assert_int_equal(iomm_vm_assign(vm, U(r), NULL, 16), IOMM_EINVAL);
	assert_int_equal(iomm_vm_walk(vm, 16, NULL, NULL), IOMM_EINVAL);
	assert_int_equal(iomm_vm_walk(vm, 16, hash_leaf, &(uint64_t){0}), IOMM_ENOENT);
	assert_int_equal(iomm_vm_fault_route(vm, NULL, &f), IOMM_EINVAL);
	assert_int_equal(iomm_vm_fault_route(vm, U(r), NULL), IOMM_EINVAL);
	assert_int_equal(iomm_vsmmu_next_event(vm, NULL, sizeof(out)), IOMM_EINVAL);
	assert_int_equal(iomm_vsmmu_config(vm, NULL, sizeof(out)), IOMM_EINVAL);
	assert_int_equal(iomm_vsmmu_handle(vm, buf, sizeof(buf), out, sizeof(out), NULL),
			 IOMM_EINVAL);
	assert_int_equal(iomm_vsmmu_handle(vm, NULL, 4, out, sizeof(out), &used), IOMM_EINVAL);
	assert_int_equal(iomm_vsmmu_handle(vm, buf, sizeof(buf), NULL, 4, &used), IOMM_EINVAL);
	/* an empty request has no type: not answered */
	memset(out, 0xa5, sizeof(out));
	used = 7;
	assert_int_equal(iomm_vsmmu_handle(vm, NULL, 0, out, sizeof(out), &used), IOMM_OK);
	assert_int_equal(used, 0);
	assert_int_equal(out[0], 0xa5);
	/* the loopback hooks ignore NULL */
	struct iomm_viommu_loopback_dev lb;
	memset(&lb, 0, sizeof(lb));
	iomm_vsmmu_loopback(NULL, &lb);
	assert_null(lb.handle);
	iomm_vsmmu_loopback(vm, NULL);
	assert_int_equal(iomm_vm_destroy(vm), IOMM_OK);
	fx_check_hygiene(r->f);
}

/* A device offering nothing optional: MAP and UNMAP are S_UNSUPP, PROBE is
 * not answered, config.bypass is read-only and ATTACH knows no flags. */
static void pv_features_off(void **state)
{
	struct rfx *r = *state;
	struct vmbox *v = &r->a;
	struct iomm_vm *vm = &v->vm;
	vm_cfg_default(r, v, 64);
	v->cfg.features = 1ull << IOMM_VIOMMU_F_VERSION_1;
	assert_int_equal(iomm_vm_init(vm, &v->cfg), IOMM_OK);
	assert_int_equal(iomm_vsmmu_features(vm), 1ull << IOMM_VIOMMU_F_VERSION_1);
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
	assert_int_equal(iomm_vsmmu_handle(vm, probe, sizeof(probe), out, sizeof(out), &used),
			 IOMM_OK);
	assert_int_equal(used, 0);
	for (size_t i = 0; i < sizeof(out); i++)
		assert_int_equal(out[i], 0xa5);
	assert_int_equal(iomm_vsmmu_set_bypass(vm, 1), IOMM_EPERM);
	uint8_t cfg[IOMM_VIOMMU_CFG_SIZE];
	assert_int_equal(iomm_vsmmu_config(vm, cfg, sizeof(cfg)), IOMM_OK);
	assert_int_equal(cfg[IOMM_VIOMMU_CFG_BYPASS], 0);
	/* the loopback transport's config write goes nowhere either */
	struct iomm_viommu_loopback_dev lb;
	iomm_vsmmu_loopback(vm, &lb);
	uint8_t one = 1;
	lb.config_write(lb.dev, IOMM_VIOMMU_CFG_BYPASS, &one, 1);
	assert_int_equal(iomm_vsmmu_config(vm, cfg, sizeof(cfg)), IOMM_OK);
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
static void pv_ranges(void **state)
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
static void roles_pool_exhaustion(void **state)
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
		assert_int_equal(iomm_vsmmu_set_bypass(vm, 1), IOMM_OK);
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
static void roles_unit_failure(void **state)
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
	assert_int_equal(iomm_vsmmu_set_bypass(vm, 1), IOMM_ETIMEDOUT);
	assert_int_equal(iomm_vm_assign(vm, U(r), &s20, 0x20), IOMM_ETIMEDOUT);
	assert_int_equal(iomm_vm_walk(vm, 0x20, hash_leaf, &(uint64_t){0}), IOMM_ENOENT);
	assert_int_equal(iomm_vm_unassign(vm, 16), IOMM_ETIMEDOUT);
	assert_int_equal(iomm_vm_walk(vm, 16, hash_leaf, &(uint64_t){0}), IOMM_OK); /* still assigned */
	assert_int_equal(iomm_vsmmu_reset(vm), IOMM_ETIMEDOUT);
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
	};
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
