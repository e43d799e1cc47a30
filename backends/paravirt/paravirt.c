/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Paravirtual backend: the unit's ops become virtio-iommu requests sent
 * through a transport hook (virtio specification, "IOMMU device").
 */
#include <iommuman/backend.h>
#include <iommuman/paravirt.h>

#include "iomm_internal.h"

#define PV_F(n) (1ull << (n))

static struct iomm_paravirt *to_pv(struct iomm_unit *unit)
{
	return (struct iomm_paravirt *)(void *)unit; /* unit is the first member */
}

int iomm_paravirt_status(uint8_t status)
{
	return iomm_viommu_status_to_rc(status);
}

static void zero_bytes(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = 0;
}

/* Send a request whose reply is only the tail; returns the mapped status. */
static int send_simple(struct iomm_paravirt *pv, const uint8_t *req, size_t req_len)
{
	uint8_t tail[IOMM_VIOMMU_TAIL_SIZE] = {0xff, 0, 0, 0};
	int rc = pv->t->request(pv->t->ctx, req, req_len, tail, sizeof(tail));
	if (rc)
		return rc;
	rc = iomm_paravirt_status(tail[0]);
	if (rc)
		iomm_log(pv->unit.port, IOMM_LOG_DEBUG, "virtio-iommu: request refused, status ",
			 tail[0], "");
	return rc;
}

static int cfg_read(struct iomm_paravirt *pv, uint32_t off, uint8_t *buf, size_t len)
{
	return pv->t->config_read(pv->t->ctx, off, buf, len) ? IOMM_EIO : IOMM_OK;
}

/* ---- endpoints ---- */

static struct iomm_paravirt_ep *ep_find(const struct iomm_paravirt *pv, uint32_t endpoint)
{
	for (unsigned i = 0; i < IOMM_PARAVIRT_MAX_EP; i++)
		if (pv->eps[i].used && pv->eps[i].endpoint == endpoint)
			return (struct iomm_paravirt_ep *)&pv->eps[i];
	return NULL;
}

/* A free slot (zeroed), not yet taken: the caller fills it once its request succeeded. */
static struct iomm_paravirt_ep *ep_free(struct iomm_paravirt *pv)
{
	for (unsigned i = 0; i < IOMM_PARAVIRT_MAX_EP; i++)
		if (!pv->eps[i].used)
			return &pv->eps[i];
	return NULL;
}

static int probe_locked(struct iomm_paravirt *pv, uint32_t endpoint)
{
	if (!(pv->features & PV_F(IOMM_VIOMMU_F_PROBE)))
		return IOMM_OK;
	/* A refused PROBE takes no slot: a fresh one is filled only on success. */
	struct iomm_paravirt_ep *ep = ep_find(pv, endpoint);
	if (ep && ep->probed)
		return IOMM_OK;
	if (!ep)
		ep = ep_free(pv);
	if (!ep)
		return IOMM_ENOSPC;

	uint8_t req[IOMM_VIOMMU_PROBE_PROPS] = {0};
	req[0] = IOMM_VIOMMU_T_PROBE;
	iomm_put_le32(req + IOMM_VIOMMU_PROBE_ENDPOINT, endpoint);
	size_t plen = pv->probe_size;
	uint8_t *buf = pv->probe_buf;
	zero_bytes(buf, plen + IOMM_VIOMMU_TAIL_SIZE);
	buf[plen] = 0xff;
	int rc = pv->t->request(pv->t->ctx, req, sizeof(req), buf, plen + IOMM_VIOMMU_TAIL_SIZE);
	if (rc)
		return rc;
	rc = iomm_paravirt_status(buf[plen]);
	if (rc)
		return rc;

	struct iomm_paravirt_ep e = {.endpoint = endpoint, .used = true, .probed = true,
				     .domain = ep->domain};
	size_t off = 0;
	while (off + IOMM_VIOMMU_PROP_HEAD_SIZE <= plen) {
		uint16_t type = iomm_get_le16(buf + off) & IOMM_VIOMMU_PROP_TYPE_MASK;
		size_t len = iomm_get_le16(buf + off + 2);
		if (type == IOMM_VIOMMU_PROP_NONE)
			break;
		if (off + IOMM_VIOMMU_PROP_HEAD_SIZE + len > plen)
			return IOMM_REFUSE_AS(pv->unit.port, IOMM_EINVAL, "iomm_paravirt_probe",
					      "device: a PROBE property runs past the reply");
		const uint8_t *p = buf + off;
		size_t whole = IOMM_VIOMMU_PROP_HEAD_SIZE + len;
		if (type == IOMM_VIOMMU_PROP_RESV_MEM) {
			if (whole < IOMM_VIOMMU_RESV_SIZE)
				return IOMM_REFUSE_AS(pv->unit.port, IOMM_EINVAL, "iomm_paravirt_probe",
						      "device: a RESV_MEM property too short");
			if (e.nresv >= IOMM_PARAVIRT_MAX_RESV)
				return IOMM_ENOSPC;
			struct iomm_paravirt_resv *r = &e.resv[e.nresv++];
			r->subtype = p[IOMM_VIOMMU_RESV_SUBTYPE];
			r->start = iomm_get_le64(p + IOMM_VIOMMU_RESV_START);
			r->end = iomm_get_le64(p + IOMM_VIOMMU_RESV_END);
			if (r->end < r->start)
				return IOMM_REFUSE_AS(pv->unit.port, IOMM_EINVAL, "iomm_paravirt_probe",
						      "device: a reserved region ends before it starts");
			iomm_log(pv->unit.port, IOMM_LOG_INFO, "virtio-iommu: reserved region at ",
				 r->start, r->subtype == IOMM_VIOMMU_RESV_T_MSI ? " (MSI)" : "");
		} else if (type == IOMM_PARAVIRT_PROP_PAGE_SIZE_MASK) {
			if (whole < 16)
				return IOMM_REFUSE_AS(pv->unit.port, IOMM_EINVAL, "iomm_paravirt_probe",
						      "device: a PAGE_SIZE_MASK property too short");
			e.page_size_mask = iomm_get_le64(p + 8);
		}
		/* Unknown properties are skipped, as the specification asks. */
		off += whole;
	}
	*ep = e;
	return IOMM_OK;
}

int iomm_paravirt_probe(struct iomm_paravirt *pv, uint32_t endpoint)
{
	if (!pv || !pv->t || !pv->unit.port)
		return IOMM_REFUSE(pv ? pv->unit.port : NULL, IOMM_EINVAL, "pv: NULL or not initialised");
	iomm_port_lock(pv->unit.port, &pv->unit);
	int rc = probe_locked(pv, endpoint);
	iomm_port_unlock(pv->unit.port, &pv->unit);
	return rc;
}

int iomm_paravirt_resv_get(const struct iomm_paravirt *pv, uint32_t endpoint, unsigned index,
			   struct iomm_paravirt_resv *out)
{
	if (!pv || !out)
		return IOMM_REFUSE(pv ? pv->unit.port : NULL, IOMM_EINVAL, "pv, out: must not be NULL");
	const struct iomm_paravirt_ep *ep = ep_find(pv, endpoint);
	if (!ep || index >= ep->nresv)
		return IOMM_ENOENT;
	*out = ep->resv[index];
	return IOMM_OK;
}

int iomm_paravirt_msi_region(const struct iomm_paravirt *pv, uint32_t endpoint, uint64_t *start,
			     uint64_t *end)
{
	if (!pv || !start || !end)
		return IOMM_REFUSE(pv ? pv->unit.port : NULL, IOMM_EINVAL,
				   "pv, start, end: must not be NULL");
	const struct iomm_paravirt_ep *ep = ep_find(pv, endpoint);
	for (unsigned i = 0; ep && i < ep->nresv; i++) {
		if (ep->resv[i].subtype == IOMM_VIOMMU_RESV_T_MSI) {
			*start = ep->resv[i].start;
			*end = ep->resv[i].end;
			return IOMM_OK;
		}
	}
	return IOMM_ENOENT;
}

/* ---- ops ---- */

/* dom->priv_word: page sizes of the domain (config mask narrowed by probes). */
static int pv_domain_init(struct iomm_unit *unit, struct iomm_domain *dom)
{
	struct iomm_paravirt *pv = to_pv(unit);
	uint64_t span = (uint64_t)pv->domain_end - pv->domain_start + 1;
	for (unsigned i = 0; i < IOMM_PARAVIRT_MAX_DOMAINS && i < span; i++) {
		uint64_t bit = 1ull << (i % 64);
		if (!(pv->domains_used[i / 64] & bit)) {
			pv->domains_used[i / 64] |= bit;
			dom->id = pv->domain_start + i;
			dom->priv_word = pv->page_size_mask;
			return IOMM_OK;
		}
	}
	return IOMM_ENOSPC;
}

static int pv_domain_fini(struct iomm_unit *unit, struct iomm_domain *dom)
{
	struct iomm_paravirt *pv = to_pv(unit);
	uint32_t i = dom->id - pv->domain_start;
	if (i < IOMM_PARAVIRT_MAX_DOMAINS)
		pv->domains_used[i / 64] &= ~(1ull << (i % 64));
	/* A virtio-iommu domain disappears with its last endpoint: nothing to send. */
	return IOMM_OK;
}

static int pv_attach(struct iomm_unit *unit, struct iomm_domain *dom, struct iomm_dev *dev)
{
	struct iomm_paravirt *pv = to_pv(unit);
	if (dev->mask)
		return IOMM_REFUSE_AS(pv->unit.port, IOMM_ENOTSUP, "iomm_attach",
				      "dev: a stream mask; virtio-iommu endpoints are single IDs");
	/* The unit's capabilities admit S1 (with F_MAP_UNMAP), bypass (with
	 * F_BYPASS_CONFIG) and blocked domains only: iomm_domain_init() refuses
	 * the others. */
	uint32_t flags = dom->type == IOMM_DOMAIN_BYPASS ? IOMM_VIOMMU_ATTACH_F_BYPASS : 0u;
	int rc = probe_locked(pv, dev->sid);
	if (rc)
		return rc;
	/* Without PROBE the endpoint may have no slot yet: take one only once ATTACH succeeded. */
	struct iomm_paravirt_ep *ep = ep_find(pv, dev->sid);
	if (!ep)
		ep = ep_free(pv);
	if (!ep)
		return IOMM_ENOSPC;
	uint64_t mask = dom->priv_word;
	if (ep->page_size_mask) {
		mask &= ep->page_size_mask;
		if (!mask)
			return IOMM_REFUSE_AS(pv->unit.port, IOMM_ENOTSUP, "iomm_attach",
					      "dom: its page sizes and the endpoint's share none");
	}

	uint8_t req[IOMM_VIOMMU_ATTACH_SIZE - IOMM_VIOMMU_TAIL_SIZE] = {0};
	req[0] = IOMM_VIOMMU_T_ATTACH;
	iomm_put_le32(req + IOMM_VIOMMU_ATTACH_DOMAIN, dom->id);
	iomm_put_le32(req + IOMM_VIOMMU_ATTACH_ENDPOINT, dev->sid);
	iomm_put_le32(req + IOMM_VIOMMU_ATTACH_FLAGS, flags);
	rc = send_simple(pv, req, sizeof(req));
	if (rc)
		return rc;
	if (!ep->used)
		*ep = (struct iomm_paravirt_ep){.endpoint = dev->sid, .used = true};
	ep->domain = dom;
	dom->priv_word = mask;
	return IOMM_OK;
}

static int pv_detach(struct iomm_unit *unit, struct iomm_dev *dev)
{
	struct iomm_paravirt *pv = to_pv(unit);
	uint8_t req[IOMM_VIOMMU_DETACH_SIZE - IOMM_VIOMMU_TAIL_SIZE] = {0};
	req[0] = IOMM_VIOMMU_T_DETACH;
	iomm_put_le32(req + IOMM_VIOMMU_DETACH_DOMAIN, dev->domain->id);
	iomm_put_le32(req + IOMM_VIOMMU_DETACH_ENDPOINT, dev->sid);
	int rc = send_simple(pv, req, sizeof(req));
	if (rc)
		return rc;
	struct iomm_paravirt_ep *ep = ep_find(pv, dev->sid);
	if (ep)
		ep->domain = NULL;
	return IOMM_OK;
}

/* Local checks shared by map and unmap: alignment, input range. */
static int check_range(const struct iomm_paravirt *pv, const struct iomm_domain *dom,
		       uint64_t iova, uint64_t size)
{
	uint64_t mask = dom->priv_word;
	if (!size || !mask)
		return IOMM_REFUSE_AS(pv->unit.port, IOMM_EINVAL, "iomm_map/iomm_unmap",
				      "size: zero, or the domain has no page size yet");
	uint64_t gran = mask & (~mask + 1); /* smallest page */
	if ((iova | size) & (gran - 1))
		return IOMM_REFUSE_AS(pv->unit.port, IOMM_EINVAL, "iomm_map/iomm_unmap",
				      "iova, size: not aligned to the smallest page");
	uint64_t last = iova + size - 1;
	if (last < iova)
		return IOMM_REFUSE_AS(pv->unit.port, IOMM_EINVAL, "iomm_map/iomm_unmap",
				      "iova, size: the range wraps");
	if (iova < pv->input_start || last > pv->input_end)
		return IOMM_REFUSE_AS(pv->unit.port, IOMM_ERANGE, "iomm_map/iomm_unmap",
				      "iova, size: outside the device's input range");
	return IOMM_OK;
}

static int pv_map(struct iomm_unit *unit, struct iomm_domain *dom, uint64_t iova, uint64_t pa,
		  uint64_t size, uint32_t prot)
{
	struct iomm_paravirt *pv = to_pv(unit);
	/* Only S1 domains map, and they exist only with F_MAP_UNMAP (IOMM_CAP_S1). */
	if (prot & ~(uint32_t)IOMM_PROT_ALL || !(prot & (IOMM_READ | IOMM_WRITE)))
		return IOMM_REFUSE_AS(pv->unit.port, IOMM_EINVAL, "iomm_map",
				      "prot: unknown bits, or neither read nor write");
	int rc = check_range(pv, dom, iova, size);
	if (rc)
		return rc;
	uint64_t gran = dom->priv_word & (~dom->priv_word + 1);
	if ((pa & (gran - 1)) || pa + size - 1 < pa)
		return IOMM_REFUSE_AS(pv->unit.port, IOMM_EINVAL, "iomm_map",
				      "pa: not page-aligned, or pa + size wraps");
	uint32_t flags = 0;
	if (prot & IOMM_READ)
		flags |= IOMM_VIOMMU_MAP_F_READ;
	if (prot & IOMM_WRITE)
		flags |= IOMM_VIOMMU_MAP_F_WRITE;
	if ((prot & IOMM_MEM_MASK) == IOMM_MEM_DEVICE) {
		if (!(pv->features & PV_F(IOMM_VIOMMU_F_MMIO)))
			return IOMM_REFUSE_AS(pv->unit.port, IOMM_ENOTSUP, "iomm_map",
					      "prot: device memory, the device lacks F_MMIO");
		flags |= IOMM_VIOMMU_MAP_F_MMIO;
	}
	uint64_t last = iova + size - 1;

	iomm_port_lock(unit->port, unit);
	/* Refuse ranges that hit a reserved region of an endpoint in this domain. */
	for (unsigned i = 0; i < IOMM_PARAVIRT_MAX_EP; i++) {
		const struct iomm_paravirt_ep *ep = &pv->eps[i];
		if (!ep->used || ep->domain != dom)
			continue;
		for (unsigned j = 0; j < ep->nresv; j++) {
			const struct iomm_paravirt_resv *r = &ep->resv[j];
			if (r->subtype == IOMM_VIOMMU_RESV_T_RESERVED && iova <= r->end &&
			    r->start <= last) {
				iomm_port_unlock(unit->port, unit);
				return IOMM_REFUSE_AS(unit->port, IOMM_ERANGE, "iomm_map",
						      "iova, size: overlap a reserved region");
			}
		}
	}
	uint8_t req[IOMM_VIOMMU_MAP_SIZE - IOMM_VIOMMU_TAIL_SIZE] = {0};
	req[0] = IOMM_VIOMMU_T_MAP;
	iomm_put_le32(req + IOMM_VIOMMU_MAP_DOMAIN, dom->id);
	iomm_put_le64(req + IOMM_VIOMMU_MAP_VIRT_START, iova);
	iomm_put_le64(req + IOMM_VIOMMU_MAP_VIRT_END, last);
	iomm_put_le64(req + IOMM_VIOMMU_MAP_PHYS_START, pa);
	iomm_put_le32(req + IOMM_VIOMMU_MAP_FLAGS, flags);
	rc = send_simple(pv, req, sizeof(req));
	iomm_port_unlock(unit->port, unit);
	return rc;
}

static int pv_unmap(struct iomm_unit *unit, struct iomm_domain *dom, uint64_t iova, uint64_t size,
		    uint64_t *unmapped)
{
	struct iomm_paravirt *pv = to_pv(unit);
	if (unmapped)
		*unmapped = 0;
	int rc = check_range(pv, dom, iova, size);
	if (rc)
		return rc;
	uint8_t req[IOMM_VIOMMU_UNMAP_SIZE - IOMM_VIOMMU_TAIL_SIZE] = {0};
	req[0] = IOMM_VIOMMU_T_UNMAP;
	iomm_put_le32(req + IOMM_VIOMMU_UNMAP_DOMAIN, dom->id);
	iomm_put_le64(req + IOMM_VIOMMU_UNMAP_VIRT_START, iova);
	iomm_put_le64(req + IOMM_VIOMMU_UNMAP_VIRT_END, iova + size - 1);
	iomm_port_lock(unit->port, unit);
	rc = send_simple(pv, req, sizeof(req));
	iomm_port_unlock(unit->port, unit);
	if (rc == IOMM_OK && unmapped)
		*unmapped = size; /* virtio-iommu reports no count: see paravirt.h */
	return rc;
}

static void decode_fault(const uint8_t *ev, struct iomm_fault *f)
{
	uint8_t reason = ev[IOMM_VIOMMU_FAULT_REASON];
	uint32_t flags = iomm_get_le32(ev + IOMM_VIOMMU_FAULT_FLAGS);
	*f = (struct iomm_fault){0};
	f->sid = iomm_get_le32(ev + IOMM_VIOMMU_FAULT_ENDPOINT);
	if (flags & IOMM_VIOMMU_FAULT_F_ADDRESS)
		f->addr = iomm_get_le64(ev + IOMM_VIOMMU_FAULT_ADDRESS);
	if (flags & IOMM_VIOMMU_FAULT_F_READ)
		f->flags |= IOMM_FAULT_READ;
	if (flags & IOMM_VIOMMU_FAULT_F_WRITE)
		f->flags |= IOMM_FAULT_WRITE;
	if (flags & IOMM_VIOMMU_FAULT_F_EXEC)
		f->flags |= IOMM_FAULT_EXEC;
	switch (reason) {
	case IOMM_VIOMMU_FAULT_R_DOMAIN:
		f->reason = IOMM_FAULT_BAD_STREAM;
		break;
	case IOMM_VIOMMU_FAULT_R_MAPPING:
		/* With an access type the mapping exists but forbids it. */
		f->reason = (flags & (IOMM_VIOMMU_FAULT_F_READ | IOMM_VIOMMU_FAULT_F_WRITE |
				      IOMM_VIOMMU_FAULT_F_EXEC))
				? IOMM_FAULT_PERMISSION
				: IOMM_FAULT_TRANSLATION;
		break;
	default:
		f->reason = IOMM_FAULT_OTHER;
		break;
	}
	f->raw = (uint32_t)reason | (flags << 8);
}

static int pv_fault_poll(struct iomm_unit *unit, iomm_fault_fn fn, void *arg)
{
	struct iomm_paravirt *pv = to_pv(unit);
	if (!pv->t->event_get)
		return IOMM_REFUSE_AS(pv->unit.port, IOMM_ENOTSUP, "iomm_fault_poll",
				      "unit: its transport has no event queue");
	int n = 0;
	uint32_t lost = 0;
	for (unsigned guard = 0; guard < 4096; guard++) {
		uint8_t ev[IOMM_VIOMMU_PCI_EVENT_BUF] = {0};
		int len = pv->t->event_get(pv->t->ctx, ev, sizeof(ev));
		if (len < 0)
			return len;
		if (len == 0)
			break;
		if ((size_t)len < IOMM_VIOMMU_FAULT_SIZE) {
			pv->faults_lost++;
			lost++;
			continue;
		}
		struct iomm_fault f;
		decode_fault(ev, &f);
		f.lost = lost;
		lost = 0;
		fn(arg, &f);
		n++;
	}
	return n;
}

static const struct iomm_unit_ops pv_ops = {
    .domain_init = pv_domain_init,
    .domain_fini = pv_domain_fini,
    .attach = pv_attach,
    .detach = pv_detach,
    .map = pv_map,
    .unmap = pv_unmap,
    .fault_poll = pv_fault_poll,
};

/* ---- init ---- */

/* The configuration once features are set: read it, check it, turn global bypass off. */
static int config_check(struct iomm_paravirt *pv, const struct iomm_port *port, uint8_t *c)
{
	const struct iomm_viommu_transport *t = pv->t;
	uint64_t feat = pv->features;
	int rc;
	/* Read the configuration again: it is defined once features are set. */
	rc = cfg_read(pv, 0, c, IOMM_VIOMMU_CFG_BYPASS + 1);
	if (rc)
		return rc;
	pv->page_size_mask = iomm_get_le64(c + IOMM_VIOMMU_CFG_PAGE_SIZE_MASK);
	pv->input_start = 0;
	pv->input_end = ~0ull;
	if (feat & PV_F(IOMM_VIOMMU_F_INPUT_RANGE)) {
		pv->input_start = iomm_get_le64(c + IOMM_VIOMMU_CFG_INPUT_START);
		pv->input_end = iomm_get_le64(c + IOMM_VIOMMU_CFG_INPUT_END);
	}
	pv->domain_start = 0;
	pv->domain_end = ~0u;
	if (feat & PV_F(IOMM_VIOMMU_F_DOMAIN_RANGE)) {
		pv->domain_start = iomm_get_le32(c + IOMM_VIOMMU_CFG_DOMAIN_START);
		pv->domain_end = iomm_get_le32(c + IOMM_VIOMMU_CFG_DOMAIN_END);
	}
	if (feat & PV_F(IOMM_VIOMMU_F_PROBE)) {
		pv->probe_size = iomm_get_le32(c + IOMM_VIOMMU_CFG_PROBE_SIZE);
		if (pv->probe_size > IOMM_PARAVIRT_PROBE_MAX)
			return IOMM_REFUSE(port, IOMM_ENOTSUP,
					   "device: probe_size larger than supported");
	}
	if (!pv->page_size_mask || pv->input_end < pv->input_start ||
	    pv->domain_end < pv->domain_start) {
		iomm_log_str(port, IOMM_LOG_ERROR, "virtio-iommu: malformed configuration");
		return IOMM_ENODEV;
	}
	if ((feat & PV_F(IOMM_VIOMMU_F_BYPASS_CONFIG)) && c[IOMM_VIOMMU_CFG_BYPASS]) {
		uint8_t off = 0;
		if (!t->config_write ||
		    t->config_write(t->ctx, IOMM_VIOMMU_CFG_BYPASS, &off, 1) != IOMM_OK)
			return IOMM_EIO;
		iomm_log_str(port, IOMM_LOG_INFO, "virtio-iommu: global bypass turned off");
	}

	return IOMM_OK;
}

static int pv_init(struct iomm_paravirt *pv, const struct iomm_port *port,
		   const struct iomm_viommu_transport *t, const struct iomm_paravirt_cfg *cfg)
{
	pv->t = t;
	pv->unit.port = port;

	uint64_t want = cfg && cfg->features ? cfg->features : IOMM_PARAVIRT_FEATURES;
	want &= ~PV_F(IOMM_VIOMMU_F_BYPASS); /* legacy: would let unattached endpoints through */
	uint64_t offered = t->features_get(t->ctx);
	if (!(offered & PV_F(IOMM_VIOMMU_F_VERSION_1))) {
		iomm_log_str(port, IOMM_LOG_ERROR, "virtio-iommu: device lacks VERSION_1");
		return IOMM_ENODEV;
	}
	uint64_t feat = (offered & want) | PV_F(IOMM_VIOMMU_F_VERSION_1);

	uint8_t c[IOMM_VIOMMU_CFG_SIZE] = {0};
	int rc = cfg_read(pv, 0, c, IOMM_VIOMMU_CFG_BYPASS + 1);
	if (rc)
		return rc;
	uint32_t probe_size = iomm_get_le32(c + IOMM_VIOMMU_CFG_PROBE_SIZE);
	if ((feat & PV_F(IOMM_VIOMMU_F_PROBE)) && probe_size > IOMM_PARAVIRT_PROBE_MAX) {
		iomm_log(port, IOMM_LOG_ERROR, "virtio-iommu: probe_size too large: ", probe_size,
			 "");
		return IOMM_REFUSE(port, IOMM_ENOTSUP, "device: probe_size larger than supported");
	}
	rc = t->features_set(t->ctx, feat);
	if (rc)
		return rc;
	pv->features = feat;
	/* From here on the device holds the queues: a refusal gives it up. */
	rc = config_check(pv, port, c);
	if (rc) {
		if (t->fail)
			t->fail(t->ctx);
		return rc;
	}

	struct iomm_unit *u = &pv->unit;
	u->ops = &pv_ops;
	u->regs = 0;
	u->caps = IOMM_CAP_REMOTE;
	if (feat & PV_F(IOMM_VIOMMU_F_MAP_UNMAP))
		u->caps |= IOMM_CAP_S1;
	if (feat & PV_F(IOMM_VIOMMU_F_BYPASS_CONFIG))
		u->caps |= IOMM_CAP_BYPASS;
	u->page_sizes = pv->page_size_mask;
	uint64_t gran = pv->page_size_mask & (~pv->page_size_mask + 1);
	u->granules = gran <= 0x80000000ull ? (uint32_t)gran : 0;
	u->ias = (uint8_t)(pv->input_end ? 64 - iomm_clz64(pv->input_end) : 1);
	u->oas = 64;
	u->sid_bits = 32;
	u->name = "virtio-iommu";
	iomm_log(port, IOMM_LOG_INFO, "virtio-iommu: features ", feat, "");
	return IOMM_OK;
}

int iomm_paravirt_init(struct iomm_paravirt *pv, const struct iomm_port *port,
		       const struct iomm_viommu_transport *t, const struct iomm_paravirt_cfg *cfg)
{
	if (!pv || !port || !t || !t->request || !t->config_read || !t->features_get ||
	    !t->features_set)
		return IOMM_REFUSE(port, IOMM_EINVAL,
				   "pv, port, t: NULL, or a transport hook missing");
	*pv = (struct iomm_paravirt){0};
	int rc = pv_init(pv, port, t, cfg);
	if (rc)
		*pv = (struct iomm_paravirt){0}; /* not initialised: the API refuses it */
	return rc;
}
