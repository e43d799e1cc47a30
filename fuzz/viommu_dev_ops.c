/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_viommu_dev: the operations (requests built from the input, sent to
 * the device model, their status and effects checked against the oracle).
 */
#include "viommu_dev_fx.h"

/* ---- requests ---- */

struct reqbuf {
	uint8_t b[128];
	size_t len;      /* device-readable bytes handed over */
	size_t full;     /* the layout's size for the type */
	size_t resp_len; /* device-writable bytes */
};

/* Hostile lengths: mostly the layout's, sometimes shorter or longer. */
static void lengths(struct fz *in, struct reqbuf *r, size_t resp_default)
{
	uint8_t l = fz_u8(in);
	r->len = r->full;
	r->resp_len = resp_default;
	if ((l & 0x0f) == 1)
		r->len = (size_t)(l >> 4) * 5u % (r->full + 1); /* short */
	else if ((l & 0x0f) == 2)
		r->len = r->full + (l >> 4); /* extra bytes, ignored */
	if ((l & 0x70) == 0x70 && (l & 0x0f) > 2)
		r->resp_len = (size_t)(l & 7u);
}

/* Where the tail of a device-writable part of @resp_len bytes sits: after
 * probe_size bytes of properties for PROBE, first for the other types (the
 * specification's layouts); in the last four bytes of a PROBE part too
 * short for its layout. */
static size_t tail_at(const struct st *s, uint8_t type, size_t resp_len)
{
	size_t layout = type == IOMM_VIOMMU_T_PROBE ? s->probe_size : 0;
	return resp_len >= layout + IOMM_VIOMMU_TAIL_SIZE ? layout
							  : resp_len - IOMM_VIOMMU_TAIL_SIZE;
}

/* Send; check the response framing; return the status (0xff: not answered). */
static uint8_t send(struct st *s, const struct reqbuf *r, uint8_t *resp, bool answerable)
{
	uint8_t out[1024];
	FZ_CHECK(r->resp_len <= sizeof(out), "response buffer");
	memset(out, 0xa5, sizeof(out));
	size_t used = 12345;
	int rc = iomm_viommu_dev_handle(&s->vm, r->b, r->len, out, r->resp_len, &used);
	FZ_CHECK(rc == IOMM_OK, "op %lu: handle: %d", s->op, rc);
	if (!r->len)
		answerable = false; /* no type byte */
	if (!answerable || r->resp_len < IOMM_VIOMMU_TAIL_SIZE) {
		FZ_CHECK(used == 0, "op %lu: unanswerable request (type %u, resp %zu) used %zu", s->op,
			 r->len ? r->b[0] : 0, r->resp_len, used);
		for (size_t i = 0; i < sizeof(out); i++)
			FZ_CHECK(out[i] == 0xa5, "op %lu: unanswerable request wrote byte %zu", s->op, i);
		return 0xff;
	}
	FZ_CHECK(used == r->resp_len, "op %lu: used %zu of %zu", s->op, used, r->resp_len);
	size_t t = tail_at(s, r->b[0], r->resp_len);
	FZ_CHECK(out[t + 1] == 0 && out[t + 2] == 0 && out[t + 3] == 0,
		 "op %lu: tail reserved bytes", s->op);
	for (size_t i = 0; i < r->resp_len; i++)
		FZ_CHECK(out[i] == 0 || i == t || (r->b[0] == IOMM_VIOMMU_T_PROBE && i < t),
			 "op %lu: byte %zu of the device-writable part (tail at %zu) is 0x%x",
			 s->op, i, t, out[i]);
	for (size_t i = r->resp_len; i < sizeof(out); i++)
		FZ_CHECK(out[i] == 0xa5, "op %lu: wrote beyond the response (byte %zu)", s->op, i);
	FZ_CHECK(out[t] <= IOMM_VIOMMU_S_NOMEM, "op %lu: status %u", s->op, out[t]);
	if (resp)
		memcpy(resp, out, r->resp_len);
	return out[t];
}

/* The status must be in @allowed; refused requests change nothing. */
static void check_status(struct st *s, const char *what, uint8_t st, uint32_t allowed,
			 size_t pool_before)
{
	TRACE("op %lu: %s -> status %u (allowed 0x%x)\n", s->op, what, st, allowed);
	if (s->degraded) {
		FZ_CHECK(s->stalled || st != IOMM_VIOMMU_S_DEVERR,
			 "op %lu: %s: S_DEVERR with the SMMU working", s->op, what);
		return;
	}
	FZ_CHECK(st != IOMM_VIOMMU_S_DEVERR, "op %lu: %s: S_DEVERR, but nothing failed underneath",
		 s->op, what);
	FZ_CHECK(allowed & SB(st), "op %lu: %s: status %u, allowed set 0x%x", s->op, what, st,
		 allowed);
	if (st != IOMM_VIOMMU_S_OK)
		FZ_CHECK(iomm_pool_used(&s->pool) == pool_before,
			 "op %lu: %s failed (%u) but table-pool use went %zu -> %zu", s->op, what, st,
			 pool_before, iomm_pool_used(&s->pool));
}

static uint32_t gen_domain(struct fz *in)
{
	uint8_t d = fz_u8(in);
	if (d & 0x80)
		return fz_u32(in);
	return d & 7u;
}

static uint32_t gen_endpoint(struct st *s, struct fz *in)
{
	uint8_t e = fz_u8(in);
	if (e & 0x80)
		return fz_u32(in);
	return s->ep[e % s->nep].id + ((e & 0x40) ? 1u : 0u);
}

static void set_reserved(struct fz *in, uint8_t *b, size_t at, size_t n)
{
	uint8_t k = fz_u8(in);
	if ((k & 0x1f) == 0x1f)
		b[at + (k >> 5) % n] = (uint8_t)(k | 1u);
}

void op_attach(struct st *s, struct fz *in)
{
	struct reqbuf r = {{0}, 0, IOMM_VIOMMU_ATTACH_SIZE - IOMM_VIOMMU_TAIL_SIZE, 4};
	uint32_t domain = gen_domain(in), endpoint = gen_endpoint(s, in);
	uint8_t f = fz_u8(in);
	uint32_t flags = (f & 0x80) ? (uint32_t)f << 24 | (f & 1u) : (f & 1u);
	r.b[0] = IOMM_VIOMMU_T_ATTACH;
	iomm_put_le32(r.b + IOMM_VIOMMU_ATTACH_DOMAIN, domain);
	iomm_put_le32(r.b + IOMM_VIOMMU_ATTACH_ENDPOINT, endpoint);
	iomm_put_le32(r.b + IOMM_VIOMMU_ATTACH_FLAGS, flags);
	set_reserved(in, r.b, 16, 4);
	lengths(in, &r, 4);

	uint32_t allowed = 0;
	bool bypass = (flags & IOMM_VIOMMU_ATTACH_F_BYPASS) != 0;
	struct sh_ep *ep = ep_find(s, endpoint);
	int d = dom_find(s, domain);
	if (r.len < r.full) {
		allowed = SB(IOMM_VIOMMU_S_IOERR);
	} else {
		if (iomm_get_le32(r.b + 16))
			allowed |= SB(IOMM_VIOMMU_S_INVAL);
		uint32_t known = feat(s, IOMM_VIOMMU_F_BYPASS_CONFIG) ? IOMM_VIOMMU_ATTACH_F_BYPASS : 0;
		if (flags & ~known)
			allowed |= SB(IOMM_VIOMMU_S_INVAL);
		if (!ep)
			allowed |= SB(IOMM_VIOMMU_S_NOENT);
		if (domain < s->dom_start || domain > s->dom_end)
			allowed |= SB(IOMM_VIOMMU_S_RANGE);
		if (d >= 0 && s->dom[d].bypass != bypass)
			allowed |= SB(IOMM_VIOMMU_S_INVAL);
		unsigned nused = 0;
		for (unsigned i = 0; i < MAX_DOMS; i++)
			nused += s->dom[i].used;
		/* moving a domain's only endpoint frees its slot (DETACH, then ATTACH) */
		bool frees = ep && ep->dom >= 0 && s->dom[ep->dom].nep == 1;
		if (d < 0 && nused >= s->cfg.ndomains && !frees)
			allowed |= SB(IOMM_VIOMMU_S_NOMEM);
		if (!allowed) {
			allowed = SB(IOMM_VIOMMU_S_OK);
			if (d < 0 && !bypass && pool_tight(s))
				allowed |= SB(IOMM_VIOMMU_S_NOMEM);
		}
	}
	size_t pool_before = iomm_pool_used(&s->pool);
	uint8_t st = send(s, &r, NULL, true);
	TRACE("op %lu: ATTACH dom %u ep %u flags 0x%x len %zu\n", s->op, domain, endpoint, flags,
	      r.len);
	if (st == 0xff)
		return;
	check_status(s, "ATTACH", st, allowed, pool_before);
	if (st != IOMM_VIOMMU_S_OK)
		return;
	if (d >= 0 && ep->dom == d)
		return; /* already there */
	ep_leave(s, ep);
	if (d < 0) {
		for (unsigned i = 0; i < MAX_DOMS && d < 0; i++)
			if (!s->dom[i].used)
				d = (int)i;
		FZ_CHECK(d >= 0, "oracle: no domain slot");
		s->dom[d] = (struct sh_dom){true, bypass, domain, 0};
	}
	ep->dom = d;
	s->dom[d].nep++;
}

void op_detach(struct st *s, struct fz *in)
{
	struct reqbuf r = {{0}, 0, IOMM_VIOMMU_DETACH_SIZE - IOMM_VIOMMU_TAIL_SIZE, 4};
	uint32_t domain = gen_domain(in), endpoint = gen_endpoint(s, in);
	r.b[0] = IOMM_VIOMMU_T_DETACH;
	iomm_put_le32(r.b + IOMM_VIOMMU_DETACH_DOMAIN, domain);
	iomm_put_le32(r.b + IOMM_VIOMMU_DETACH_ENDPOINT, endpoint);
	set_reserved(in, r.b, 12, 8); /* ignored */
	lengths(in, &r, 4);
	struct sh_ep *ep = ep_find(s, endpoint);
	int d = dom_find(s, domain);
	uint32_t allowed = 0;
	if (r.len < r.full) {
		allowed = SB(IOMM_VIOMMU_S_IOERR);
	} else {
		if (!ep)
			allowed |= SB(IOMM_VIOMMU_S_NOENT);
		if (d < 0 || (ep && ep->dom != d))
			allowed |= SB(IOMM_VIOMMU_S_INVAL);
		if (!allowed)
			allowed = SB(IOMM_VIOMMU_S_OK);
	}
	size_t pool_before = iomm_pool_used(&s->pool);
	uint8_t st = send(s, &r, NULL, true);
	TRACE("op %lu: DETACH dom %u ep %u len %zu\n", s->op, domain, endpoint, r.len);
	if (st == 0xff)
		return;
	check_status(s, "DETACH", st, allowed, pool_before);
	if (st == IOMM_VIOMMU_S_OK)
		ep_leave(s, ep);
}

/* An IOVA near something interesting. */
static uint64_t gen_iova(struct st *s, struct fz *in)
{
	uint8_t k = fz_u8(in);
	uint64_t G = s->granule;
	switch (k >> 5) {
	case 0:
		return fz_u64(in);
	case 1:
		return s->in_end + 1 - (uint64_t)(1 + (k & 31)) * G; /* the top of the input range */
	case 2:
		if (s->db && (k & 4))
			return s->db_iova - (uint64_t)(k & 3) * G; /* at or below the doorbell */
		if (s->cfg.nresv)
			return s->resv[k % s->cfg.nresv].start - (uint64_t)(k & 3) * G;
		return (uint64_t)(k & 31) * G;
	default:
		return s->in_start + (uint64_t)((k & 31) + 32 * ((k >> 5) - 3)) * G;
	}
}

/* A guest-physical address near a region of A. */
static uint64_t gen_gpa(struct st *s, struct fz *in)
{
	uint8_t k = fz_u8(in), o = fz_u8(in);
	if ((k & 0xf0) == 0xf0)
		return fz_u64(in);
	const struct iomm_vm_region *r = &s->regions[k % s->cfg.nregions];
	uint64_t G = s->granule;
	uint64_t off = (uint64_t)(o & 0x3f) * G;
	if (o & 0x80)
		return r->gpa + r->size - off; /* near the end, maybe beyond */
	if (o & 0x40)
		return r->gpa - G; /* just before */
	return r->gpa + off;
}

static uint64_t gen_size(struct st *s, struct fz *in)
{
	uint8_t z = fz_u8(in);
	uint64_t G = s->granule;
	switch (z >> 6) {
	case 0:
	case 1:
		return (uint64_t)(1 + (z & 15)) * G;
	case 2:
		return (uint64_t)(1 + (z & 3)) * (G * (G / 8)); /* block sized */
	default:
		return (z & 1) ? (uint64_t)(z >> 1) * 0x100 : (uint64_t)(z >> 1) * G + G / 2;
	}
}

static bool overlaps(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
	return a0 <= b1 && b0 <= a1;
}

void op_map(struct st *s, struct fz *in)
{
	struct reqbuf r = {{0}, 0, IOMM_VIOMMU_MAP_SIZE - IOMM_VIOMMU_TAIL_SIZE, 4};
	uint32_t domain = gen_domain(in);
	uint64_t vs = gen_iova(s, in);
	uint64_t size = gen_size(s, in);
	uint64_t ps = gen_gpa(s, in);
	uint8_t f = fz_u8(in);
	uint32_t flags = f & 7u;
	if ((f & 0xf8) == 0xf8)
		flags |= (uint32_t)1u << (3 + (f & 7u));
	uint64_t ve = vs + size - 1;
	if ((f & 0x30) == 0x30)
		ve = vs - 1; /* inverted or empty */
	r.b[0] = IOMM_VIOMMU_T_MAP;
	iomm_put_le32(r.b + IOMM_VIOMMU_MAP_DOMAIN, domain);
	iomm_put_le64(r.b + IOMM_VIOMMU_MAP_VIRT_START, vs);
	iomm_put_le64(r.b + IOMM_VIOMMU_MAP_VIRT_END, ve);
	iomm_put_le64(r.b + IOMM_VIOMMU_MAP_PHYS_START, ps);
	iomm_put_le32(r.b + IOMM_VIOMMU_MAP_FLAGS, flags);
	lengths(in, &r, 4);

	uint32_t allowed = 0;
	int d = dom_find(s, domain);
	if (r.len < r.full) {
		allowed = SB(IOMM_VIOMMU_S_IOERR);
	} else if (!feat(s, IOMM_VIOMMU_F_MAP_UNMAP)) {
		allowed = SB(IOMM_VIOMMU_S_UNSUPP);
	} else {
		uint32_t known = IOMM_VIOMMU_MAP_F_READ | IOMM_VIOMMU_MAP_F_WRITE |
				 (feat(s, IOMM_VIOMMU_F_MMIO) ? IOMM_VIOMMU_MAP_F_MMIO : 0u);
		if ((flags & ~known) ||
		    !(flags & (IOMM_VIOMMU_MAP_F_READ | IOMM_VIOMMU_MAP_F_WRITE)))
			allowed |= SB(IOMM_VIOMMU_S_INVAL);
		if (ve < vs)
			allowed |= SB(IOMM_VIOMMU_S_INVAL);
		if (domain < s->dom_start || domain > s->dom_end)
			allowed |= SB(IOMM_VIOMMU_S_RANGE);
		if (d < 0)
			allowed |= SB(IOMM_VIOMMU_S_NOENT);
		else if (s->dom[d].bypass)
			allowed |= SB(IOMM_VIOMMU_S_INVAL);
		uint64_t pmask = (s->psmask & (~s->psmask + 1)) - 1;
		if ((vs & pmask) || (ps & pmask) || ((ve + 1) & pmask))
			allowed |= SB(IOMM_VIOMMU_S_RANGE);
		if (vs < s->in_start || ve > s->in_end)
			allowed |= SB(IOMM_VIOMMU_S_RANGE);
		uint64_t n = ve - vs + 1;
		if (ve >= vs && (!n || ps + (n - 1) < ps))
			allowed |= SB(IOMM_VIOMMU_S_RANGE);
		if (ve >= vs) {
			for (size_t i = 0; i < s->cfg.nresv; i++)
				if (overlaps(vs, ve, s->resv[i].start, s->resv[i].end))
					allowed |= SB(IOMM_VIOMMU_S_FAULT);
			if (in_doorbell(s, vs, ve))
				allowed |= SB(IOMM_VIOMMU_S_FAULT); /* the doorbell window */
			if (d >= 0)
				for (unsigned i = 0; i < MAX_MAPS; i++)
					if (s->map[i].used && s->map[i].dom == (unsigned)d &&
					    overlaps(vs, ve, s->map[i].vs, s->map[i].ve))
						allowed |= SB(IOMM_VIOMMU_S_INVAL);
			/* the guest-physical range, piece by piece, in A */
			uint32_t access = ((flags & IOMM_VIOMMU_MAP_F_READ) ? IOMM_READ : 0u) |
					  ((flags & IOMM_VIOMMU_MAP_F_WRITE) ? IOMM_WRITE : 0u);
			if (n && ps + (n - 1) >= ps) {
				for (uint64_t off = 0; off < n;) {
					const struct iomm_vm_region *g = region_at(s, ps + off);
					if (!g) {
						allowed |= SB(IOMM_VIOMMU_S_RANGE);
						break;
					}
					if (access & ~g->prot)
						allowed |= SB(IOMM_VIOMMU_S_INVAL);
					uint64_t left = g->size - (ps + off - g->gpa);
					off += left < n - off ? left : n - off;
				}
			}
		}
		unsigned nused = 0;
		for (unsigned i = 0; i < MAX_MAPS; i++)
			nused += s->map[i].used;
		if (nused >= s->cfg.nmappings)
			allowed |= SB(IOMM_VIOMMU_S_NOMEM);
		if (!allowed) {
			allowed = SB(IOMM_VIOMMU_S_OK);
			if (pool_tight(s))
				allowed |= SB(IOMM_VIOMMU_S_NOMEM);
		}
	}
	size_t pool_before = iomm_pool_used(&s->pool);
	uint8_t st = send(s, &r, NULL, true);
	TRACE("op %lu: MAP dom %u 0x%llx..0x%llx -> 0x%llx flags 0x%x len %zu\n", s->op, domain,
	      FZ_ULL(vs), FZ_ULL(ve), FZ_ULL(ps), flags, r.len);
	if (st == 0xff)
		return;
	check_status(s, "MAP", st, allowed, pool_before);
	if (st != IOMM_VIOMMU_S_OK)
		return;
	for (unsigned i = 0; i < MAX_MAPS; i++)
		if (!s->map[i].used) {
			s->map[i] = (struct sh_map){true, (unsigned)d, vs, ve, ps, flags};
			return;
		}
	FZ_CHECK(0, "oracle: no mapping slot");
}

void op_unmap(struct st *s, struct fz *in)
{
	struct reqbuf r = {{0}, 0, IOMM_VIOMMU_UNMAP_SIZE - IOMM_VIOMMU_TAIL_SIZE, 4};
	uint32_t domain = gen_domain(in);
	uint8_t k = fz_u8(in);
	uint64_t vs, ve;
	unsigned pick = k % MAX_MAPS;
	if ((k & 0x80) && s->map[pick].used) {
		/* around an existing mapping: exact, wider, or a part of it */
		const struct sh_map *m = &s->map[pick];
		vs = m->vs;
		ve = m->ve;
		if (k & 0x10)
			vs -= s->granule;
		if (k & 0x20)
			ve += s->granule;
		if (k & 0x40)
			vs += s->granule;
		if (!(k & 0x70) && (k & 1))
			domain = s->dom[m->dom].id;
	} else {
		vs = gen_iova(s, in);
		ve = (k & 1) ? UINT64_MAX : vs + gen_size(s, in) - 1;
	}
	r.b[0] = IOMM_VIOMMU_T_UNMAP;
	iomm_put_le32(r.b + IOMM_VIOMMU_UNMAP_DOMAIN, domain);
	iomm_put_le64(r.b + IOMM_VIOMMU_UNMAP_VIRT_START, vs);
	iomm_put_le64(r.b + IOMM_VIOMMU_UNMAP_VIRT_END, ve);
	set_reserved(in, r.b, 24, 4);
	lengths(in, &r, 4);

	uint32_t allowed = 0;
	int d = dom_find(s, domain);
	if (r.len < r.full) {
		allowed = SB(IOMM_VIOMMU_S_IOERR);
	} else if (!feat(s, IOMM_VIOMMU_F_MAP_UNMAP)) {
		allowed = SB(IOMM_VIOMMU_S_UNSUPP);
	} else {
		if (iomm_get_le32(r.b + 24))
			allowed |= SB(IOMM_VIOMMU_S_INVAL);
		if (ve < vs)
			allowed |= SB(IOMM_VIOMMU_S_INVAL);
		if (domain < s->dom_start || domain > s->dom_end)
			allowed |= SB(IOMM_VIOMMU_S_RANGE);
		if (d < 0)
			allowed |= SB(IOMM_VIOMMU_S_NOENT);
		else if (s->dom[d].bypass)
			allowed |= SB(IOMM_VIOMMU_S_INVAL);
		else
			for (unsigned i = 0; i < MAX_MAPS; i++) {
				const struct sh_map *m = &s->map[i];
				if (m->used && m->dom == (unsigned)d && overlaps(vs, ve, m->vs, m->ve) &&
				    (m->vs < vs || m->ve > ve))
					allowed |= SB(IOMM_VIOMMU_S_RANGE);
			}
		if (!allowed)
			allowed = SB(IOMM_VIOMMU_S_OK);
	}
	size_t pool_before = iomm_pool_used(&s->pool);
	uint8_t st = send(s, &r, NULL, true);
	TRACE("op %lu: UNMAP dom %u 0x%llx..0x%llx len %zu\n", s->op, domain, FZ_ULL(vs),
	      FZ_ULL(ve), r.len);
	if (st == 0xff)
		return;
	check_status(s, "UNMAP", st, allowed, pool_before);
	if (st != IOMM_VIOMMU_S_OK)
		return;
	for (unsigned i = 0; i < MAX_MAPS; i++) {
		struct sh_map *m = &s->map[i];
		if (m->used && m->dom == (unsigned)d && overlaps(vs, ve, m->vs, m->ve))
			m->used = false;
	}
}

void op_probe(struct st *s, struct fz *in)
{
	struct reqbuf r = {{0}, 0, IOMM_VIOMMU_PROBE_PROPS, 0};
	uint32_t endpoint = gen_endpoint(s, in);
	r.b[0] = IOMM_VIOMMU_T_PROBE;
	iomm_put_le32(r.b + IOMM_VIOMMU_PROBE_ENDPOINT, endpoint);
	set_reserved(in, r.b, 8, 64); /* ignored */
	uint8_t z = fz_u8(in);
	size_t props = s->probe_size;
	if ((z & 3) == 1)
		props = (size_t)(z >> 2) * 8u; /* maybe too small */
	else if ((z & 3) == 2)
		props += (size_t)(z >> 2);
	lengths(in, &r, props + IOMM_VIOMMU_TAIL_SIZE);
	if (r.resp_len > 1000)
		r.resp_len = 1000;
	bool answerable = feat(s, IOMM_VIOMMU_F_PROBE);
	uint32_t allowed = 0;
	if (r.len < r.full) {
		allowed = SB(IOMM_VIOMMU_S_IOERR);
	} else {
		if (!ep_find(s, endpoint))
			allowed |= SB(IOMM_VIOMMU_S_NOENT);
		if (r.resp_len < s->probe_size + IOMM_VIOMMU_TAIL_SIZE)
			allowed |= SB(IOMM_VIOMMU_S_INVAL);
		if (!allowed)
			allowed = SB(IOMM_VIOMMU_S_OK);
	}
	uint8_t out[1024];
	size_t pool_before = iomm_pool_used(&s->pool);
	uint8_t st = send(s, &r, out, answerable);
	TRACE("op %lu: PROBE ep %u len %zu resp %zu\n", s->op, endpoint, r.len, r.resp_len);
	if (st == 0xff)
		return;
	check_status(s, "PROBE", st, allowed, pool_before);
	/* the properties: the RESV_MEM regions on success, zeroes otherwise */
	uint8_t want[1024];
	size_t plen = tail_at(s, IOMM_VIOMMU_T_PROBE, r.resp_len);
	memset(want, 0, plen);
	size_t first = 0;
	if (st == IOMM_VIOMMU_S_OK && s->db) {
		/* the doorbell window first, exactly */
		uint8_t *p = want;
		iomm_put_le16(p, IOMM_VIOMMU_PROP_RESV_MEM);
		iomm_put_le16(p + 2, IOMM_VIOMMU_RESV_SIZE - IOMM_VIOMMU_PROP_HEAD_SIZE);
		p[IOMM_VIOMMU_RESV_SUBTYPE] = IOMM_VIOMMU_RESV_T_MSI;
		iomm_put_le64(p + IOMM_VIOMMU_RESV_START, s->db_iova);
		iomm_put_le64(p + IOMM_VIOMMU_RESV_END, s->db_iova + (s->granule - 1u));
		first = 1;
	}
	if (st == IOMM_VIOMMU_S_OK)
		for (size_t i = 0; i < s->cfg.nresv; i++) {
			uint8_t *p = want + (first + i) * IOMM_VIOMMU_RESV_SIZE;
			iomm_put_le16(p, IOMM_VIOMMU_PROP_RESV_MEM);
			iomm_put_le16(p + 2, IOMM_VIOMMU_RESV_SIZE - IOMM_VIOMMU_PROP_HEAD_SIZE);
			p[IOMM_VIOMMU_RESV_SUBTYPE] = s->resv[i].subtype;
			iomm_put_le64(p + IOMM_VIOMMU_RESV_START, s->resv[i].start);
			iomm_put_le64(p + IOMM_VIOMMU_RESV_END, s->resv[i].end);
		}
	FZ_CHECK(memcmp(out, want, plen) == 0, "op %lu: PROBE properties (status %u)", s->op, st);
}

/* Raw bytes: any type, any length. Nothing may change unless it is a valid
 * request, which the typed operations cover: here only refusals are accepted
 * as changing nothing, so success is allowed only for no-op shapes. */
void op_raw(struct st *s, struct fz *in)
{
	struct reqbuf r = {{0}, 0, 0, 4};
	uint8_t n = fz_u8(in) % 80u;
	for (size_t i = 0; i < n; i++)
		r.b[i] = fz_u8(in);
	r.len = n;
	r.resp_len = (size_t)(fz_u8(in) % 16u);
	uint8_t type = n ? r.b[0] : 0;
	bool known = type >= IOMM_VIOMMU_T_ATTACH && type <= IOMM_VIOMMU_T_PROBE;
	if (type == IOMM_VIOMMU_T_PROBE && !feat(s, IOMM_VIOMMU_F_PROBE))
		known = false;
	if (known && type != IOMM_VIOMMU_T_PROBE) {
		/* make it harmless: an endpoint and a domain that do not exist */
		if (n >= 12) {
			iomm_put_le32(r.b + 4, 0xdead0000u);
			iomm_put_le32(r.b + 8, 0xdead0000u);
		}
	}
	size_t pool_before = iomm_pool_used(&s->pool);
	uint8_t st = send(s, &r, NULL, known && n > 0);
	TRACE("op %lu: RAW type %u len %u resp %zu -> %u\n", s->op, type, n, r.resp_len, st);
	if (st == 0xff)
		return;
	size_t need = type == IOMM_VIOMMU_T_ATTACH	? 20
		      : type == IOMM_VIOMMU_T_DETACH ? 20
		      : type == IOMM_VIOMMU_T_MAP    ? 36
		      : type == IOMM_VIOMMU_T_UNMAP  ? 28
						     : 72;
	if (n < need) {
		FZ_CHECK(st == IOMM_VIOMMU_S_IOERR, "op %lu: short request (%u < %zu): status %u",
			 s->op, n, need, st);
		return;
	}
	FZ_CHECK(st != IOMM_VIOMMU_S_OK || type == IOMM_VIOMMU_T_PROBE,
		 "op %lu: raw request on no endpoint and no domain succeeded", s->op);
	check_status(s, "RAW", st, 0x1ffu, pool_before);
}

void op_set_bypass(struct st *s, struct fz *in)
{
	uint8_t v = fz_u8(in);
	int rc = iomm_viommu_dev_set_bypass(&s->vm, v);
	TRACE("op %lu: set_bypass 0x%x: %d\n", s->op, v, rc);
	if (s->degraded) {
		FZ_CHECK(rc == IOMM_OK || rc == IOMM_EPERM || (s->stalled && rc == IOMM_ETIMEDOUT),
			 "op %lu: set_bypass: %d", s->op, rc);
		return;
	}
	if (!feat(s, IOMM_VIOMMU_F_BYPASS_CONFIG)) {
		FZ_CHECK(rc == IOMM_EPERM, "op %lu: bypass write without the feature: %d", s->op, rc);
		return;
	}
	FZ_CHECK(rc == IOMM_OK, "op %lu: set_bypass: %d", s->op, rc);
	s->bypass = v & 1u;
}

void op_reset(struct st *s)
{
	int rc = iomm_viommu_dev_reset(&s->vm);
	TRACE("op %lu: reset: %d\n", s->op, rc);
	FZ_CHECK(rc == IOMM_OK || (s->stalled && rc == IOMM_ETIMEDOUT), "op %lu: reset: %d", s->op,
		 rc);
	for (unsigned i = 0; i < s->nep; i++)
		s->ep[i].dom = -1;
	for (unsigned i = 0; i < MAX_DOMS; i++)
		dom_drop(s, i);
}

void op_reassign(struct st *s, struct fz *in)
{
	struct sh_ep *ep = &s->ep[fz_u8(in) % s->nep];
	if (ep->assigned) {
		int rc = iomm_vm_unassign(&s->vm, ep->id);
		TRACE("op %lu: unassign %u: %d\n", s->op, ep->id, rc);
		if (s->stalled && rc == IOMM_ETIMEDOUT)
			return; /* still assigned */
		FZ_CHECK(rc == IOMM_OK, "op %lu: unassign %u: %d", s->op, ep->id, rc);
		ep_leave(s, ep);
		ep->assigned = false;
		return;
	}
	struct iomm_devid id = IOMM_SID(ep->sid);
	int rc = iomm_vm_assign(&s->vm, &s->smmu.unit, &id, ep->id);
	TRACE("op %lu: assign %u: %d\n", s->op, ep->id, rc);
	if (s->stalled && rc == IOMM_ETIMEDOUT)
		return; /* nothing assigned */
	FZ_CHECK(rc == IOMM_OK, "op %lu: re-assign %u: %d", s->op, ep->id, rc);
	ep->assigned = true;
	ep->dom = -1;
}

void op_dma(struct st *s, struct fz *in)
{
	struct sh_ep *ep = &s->ep[fz_u8(in) % s->nep];
	uint64_t iova = gen_gpa(s, in) + (fz_u8(in) & 0x3fu);
	if (s->degraded) {
		uint64_t pa;
		unsigned acc = (iova & 1) ? SMMUV3_MODEL_ACC_W : SMMUV3_MODEL_ACC_R;
		if (dma(s, ep->sid, iova, acc, &pa) == 0)
			FZ_CHECK(dma_in_a(s, pa, acc), "op %lu: DMA at 0x%llx reached 0x%llx, outside A",
				 s->op, FZ_ULL(iova), FZ_ULL(pa));
		return;
	}
	struct expect e;
	expected(s, ep, &e);
	if (e.mode != M_BLOCKED && (iova >> 40))
		return; /* beyond the input size: an address-size fault, not modelled here */
	check_dma(s, ep, &e, iova, (iova & 1) ? SMMUV3_MODEL_ACC_W : SMMUV3_MODEL_ACC_R);
}
