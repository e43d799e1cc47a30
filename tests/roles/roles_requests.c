/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host role tests: virtio-iommu requests to the device model (configuration,
 * wire fixtures, adversarial requests, UNMAP, quotas, DETACH and reset).
 */
#include "roles_fx.h"

/* ======================= device-model requests (paravirt) ======================= */

/* Config space bytes and feature bits against a fixture written from the
 * specification's virtio_iommu_config layout. */
void pv_config_fixture(void **state)
{
	struct rfx *r = *state;
	vm_up(r);
	uint8_t cfg[40];
	memset(cfg, 0xaa, sizeof(cfg));
	assert_int_equal(iomm_viommu_dev_config(&r->a.vm, cfg, sizeof(cfg)), IOMM_OK);
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
	uint64_t feat = iomm_viommu_dev_features(&r->a.vm);
	assert_int_equal(feat, (1ull << 0) | (1ull << 1) | (1ull << 2) | (1ull << 4) |
				   (1ull << 5) | (1ull << 6) | (1ull << 32));
	assert_int_equal(iomm_viommu_dev_config(&r->a.vm, cfg, 39), IOMM_EINVAL);
	assert_int_equal(iomm_viommu_dev_set_bypass(&r->a.vm, 0xff), IOMM_OK);
	assert_int_equal(iomm_viommu_dev_config(&r->a.vm, cfg, sizeof(cfg)), IOMM_OK);
	assert_int_equal(cfg[36], 1);
}

/* ATTACH, MAP, PROBE, UNMAP, DETACH as literal bytes; effects on the model. */
void pv_wire_fixtures(void **state)
{
	struct rfx *r = *state;
	vm_up(r);
	/* blocked by policy: every access aborts */
	assert_int_not_equal(fx_dma(r->f, 8, 0x1000, RD, NULL), 0);

	static const uint8_t att[20] = {1, 0, 0, 0, 7, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	uint8_t tail[4] = {9, 9, 9, 9};
	size_t used = 0;
	assert_int_equal(iomm_viommu_dev_handle(&r->a.vm, att, sizeof(att), tail, 4, &used),
			 IOMM_OK);
	static const uint8_t ok[4] = {0, 0, 0, 0};
	assert_int_equal(used, 4);
	assert_memory_equal(tail, ok, 4);

	/* map(domain 7, 0x40000000..0x40001fff -> gpa 0x3000, READ|WRITE) */
	static const uint8_t mp[36] = {3,    0,    0,    0,    7, 0, 0, 0, 0x00, 0x00, 0x00, 0x40,
				       0,    0,    0,    0,    0xff, 0x1f, 0x00, 0x40, 0, 0, 0, 0,
				       0x00, 0x30, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0};
	assert_int_equal(iomm_viommu_dev_handle(&r->a.vm, mp, sizeof(mp), tail, 4, &used), IOMM_OK);
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
	assert_int_equal(
	    iomm_viommu_dev_handle(&r->a.vm, preq, sizeof(preq), presp, sizeof(presp), &used),
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
	assert_int_equal(iomm_viommu_dev_handle(&r->a.vm, um, sizeof(um), tail, 4, &used), IOMM_OK);
	assert_memory_equal(tail, ok, 4);
	assert_int_not_equal(fx_dma(r->f, 8, 0x40000010, RD, NULL), 0);

	/* detach(domain 7, endpoint 8), reserved bytes ignored */
	static const uint8_t dt[20] = {2, 0, 0, 0, 7, 0, 0, 0, 8, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8};
	assert_int_equal(iomm_viommu_dev_handle(&r->a.vm, dt, sizeof(dt), tail, 4, &used), IOMM_OK);
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
void pv_adversarial(void **state)
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
		int rc = iomm_viommu_dev_handle(&r->a.vm, b, len, out, outlen, &used);
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
	assert_int_equal(iomm_viommu_dev_handle(&r->a.vm, b, sizeof(b), out, 3, &used), IOMM_OK);
	assert_int_equal(used, 0);
	assert_int_equal(out[0], 0xee);
	/* PROBE with a properties buffer smaller than probe_size */
	uint8_t preq[72] = {5, 0, 0, 0, 8};
	uint8_t small[20];
	assert_int_equal(iomm_viommu_dev_handle(&r->a.vm, preq, 72, small, 20, &used), IOMM_OK);
	assert_int_equal(small[16], IOMM_VIOMMU_S_INVAL);
	assert_int_equal(fingerprint(r, &r->a), before);
	assert_int_equal(iomm_viommu_dev_handle(NULL, b, 20, out, 4, &used), IOMM_EINVAL);
	check_contained(&r->a);
	fx_check_hygiene(r->f);
}

/* UNMAP semantics: the specification's seven examples. */
void pv_unmap_semantics(void **state)
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
void pv_quota(void **state)
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
	assert_int_equal(fingerprint(r, &r->a), before);
	assert_int_equal(attach(vm, 3, 0x22, 0), IOMM_VIOMMU_S_OK); /* sharing is fine */
	/* moving an endpoint out of a domain that keeps another one frees no
	 * slot (moving a domain's only endpoint does: roles_hostile.c) */
	before = fingerprint(r, &r->a);
	assert_int_equal(attach(vm, 5, 0x22, 0), IOMM_VIOMMU_S_NOMEM); /* 0x20 stays in 3 */
	assert_int_equal(fingerprint(r, &r->a), before);

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
void pv_detach_reset(void **state)
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
	assert_int_equal(iomm_viommu_dev_set_bypass(vm, 1), IOMM_OK);
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
	assert_int_equal(iomm_viommu_dev_reset(vm), IOMM_OK);
	assert_true(fx_ops(r->f, OP_TLBI_S12_VMALL) + fx_ops(r->f, OP_TLBI_S2_IPA) > 0);
	assert_int_not_equal(fx_dma(r->f, 8, 0x40000000, RD, NULL), 0);
	assert_int_not_equal(fx_dma(r->f, 0x10, 0x40000000, RD, NULL), 0);
	assert_int_equal(fx_xlate(r->f, 0x10, 0x2000, RD), 0x80002000u); /* bypass kept */
	assert_int_equal(map(vm, 1, 0x0, 0xfff, 0, RW), IOMM_VIOMMU_S_NOENT);
	/* back to blocking */
	assert_int_equal(iomm_viommu_dev_set_bypass(vm, 0), IOMM_OK);
	assert_int_not_equal(fx_dma(r->f, 0x10, 0x2000, RD, NULL), 0);
	check_contained(&r->a);
	(void)fx_poll(r->f);
	fx_check_hygiene(r->f);
}

/* A MAP whose guest-physical range spans two regions of A is split into
 * two host-physical pieces. */
void pv_split_map(void **state)
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
