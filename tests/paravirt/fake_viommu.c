/* SPDX-License-Identifier: BSD-3-Clause */
/* A virtio-iommu device model for the tests, written from the specification. */
#include "fake_viommu.h"

#include <string.h>

#define F(n) (1ull << (n))

void fake_init(struct fake_viommu *f)
{
	memset(f, 0, sizeof(*f));
	f->features = IOMM_PARAVIRT_FEATURES;
	f->force_status = -1;
	iomm_put_le64(f->cfg + IOMM_VIOMMU_CFG_PAGE_SIZE_MASK, 0xfffffffffffff000ull);
	iomm_put_le64(f->cfg + IOMM_VIOMMU_CFG_INPUT_START, 0);
	iomm_put_le64(f->cfg + IOMM_VIOMMU_CFG_INPUT_END, (1ull << 48) - 1);
	iomm_put_le32(f->cfg + IOMM_VIOMMU_CFG_DOMAIN_START, 1);
	iomm_put_le32(f->cfg + IOMM_VIOMMU_CFG_DOMAIN_END, 0xffff);
	iomm_put_le32(f->cfg + IOMM_VIOMMU_CFG_PROBE_SIZE, 0x200);
	f->cfg[IOMM_VIOMMU_CFG_BYPASS] = 1; /* as after reset with boot-bypass */
}

void fake_add_resv(struct fake_viommu *f, uint8_t subtype, uint64_t start, uint64_t end)
{
	uint8_t *p = f->props + f->props_len;
	memset(p, 0, IOMM_VIOMMU_RESV_SIZE);
	iomm_put_le16(p, IOMM_VIOMMU_PROP_RESV_MEM);
	iomm_put_le16(p + 2, IOMM_VIOMMU_RESV_SIZE - IOMM_VIOMMU_PROP_HEAD_SIZE);
	p[IOMM_VIOMMU_RESV_SUBTYPE] = subtype;
	iomm_put_le64(p + IOMM_VIOMMU_RESV_START, start);
	iomm_put_le64(p + IOMM_VIOMMU_RESV_END, end);
	f->props_len += IOMM_VIOMMU_RESV_SIZE;
}

void fake_add_page_mask(struct fake_viommu *f, uint64_t mask)
{
	uint8_t *p = f->props + f->props_len;
	memset(p, 0, 16);
	iomm_put_le16(p, IOMM_PARAVIRT_PROP_PAGE_SIZE_MASK);
	iomm_put_le16(p + 2, 12);
	iomm_put_le64(p + 8, mask);
	f->props_len += 16;
}

static void push_event(struct fake_viommu *f, uint8_t reason, uint32_t flags, uint32_t ep,
		       uint64_t addr)
{
	if (f->ev_count == FAKE_MAX_EVENTS)
		return;
	uint8_t *e = f->events[(f->ev_head + f->ev_count++) % FAKE_MAX_EVENTS];
	memset(e, 0, IOMM_VIOMMU_FAULT_SIZE);
	e[IOMM_VIOMMU_FAULT_REASON] = reason;
	iomm_put_le32(e + IOMM_VIOMMU_FAULT_FLAGS, flags);
	iomm_put_le32(e + IOMM_VIOMMU_FAULT_ENDPOINT, ep);
	iomm_put_le64(e + IOMM_VIOMMU_FAULT_ADDRESS, addr);
}

static int ep_slot(struct fake_viommu *f, uint32_t ep, bool create)
{
	for (int i = 0; i < FAKE_MAX_EPS; i++)
		if (f->eps[i].used && f->eps[i].ep == ep)
			return i;
	if (!create)
		return -1;
	for (int i = 0; i < FAKE_MAX_EPS; i++)
		if (!f->eps[i].used) {
			f->eps[i].used = true;
			f->eps[i].ep = ep;
			return i;
		}
	return -1;
}

bool fake_dma(struct fake_viommu *f, uint32_t ep, uint64_t iova, bool write, uint64_t *pa)
{
	int s = ep_slot(f, ep, false);
	if (s < 0) {
		push_event(f, IOMM_VIOMMU_FAULT_R_DOMAIN, IOMM_VIOMMU_FAULT_F_ADDRESS, ep, iova);
		return false;
	}
	if (f->eps[s].bypass) {
		*pa = iova;
		return true;
	}
	for (int i = 0; i < FAKE_MAX_MAPS; i++) {
		if (!f->maps[i].used || f->maps[i].dom != f->eps[s].dom || iova < f->maps[i].start ||
		    iova > f->maps[i].end)
			continue;
		uint32_t need = write ? IOMM_VIOMMU_MAP_F_WRITE : IOMM_VIOMMU_MAP_F_READ;
		if (!(f->maps[i].flags & need)) {
			push_event(f, IOMM_VIOMMU_FAULT_R_MAPPING,
				   IOMM_VIOMMU_FAULT_F_ADDRESS |
				       (write ? IOMM_VIOMMU_FAULT_F_WRITE : IOMM_VIOMMU_FAULT_F_READ),
				   ep, iova);
			return false;
		}
		*pa = f->maps[i].pa + (iova - f->maps[i].start);
		return true;
	}
	push_event(f, IOMM_VIOMMU_FAULT_R_MAPPING, IOMM_VIOMMU_FAULT_F_ADDRESS, ep, iova);
	return false;
}

static uint8_t do_request(struct fake_viommu *f, const uint8_t *r, size_t len, uint8_t *resp,
			  size_t cap)
{
	uint64_t mask = iomm_get_le64(f->cfg + IOMM_VIOMMU_CFG_PAGE_SIZE_MASK);
	uint64_t gran = mask & (~mask + 1);
	switch (r[0]) {
	case IOMM_VIOMMU_T_ATTACH: {
		if (len < IOMM_VIOMMU_ATTACH_SIZE - IOMM_VIOMMU_TAIL_SIZE)
			return IOMM_VIOMMU_S_INVAL;
		uint32_t ep = iomm_get_le32(r + IOMM_VIOMMU_ATTACH_ENDPOINT);
		uint32_t flags = iomm_get_le32(r + IOMM_VIOMMU_ATTACH_FLAGS);
		if (ep > FAKE_MAX_ENDPOINT)
			return IOMM_VIOMMU_S_NOENT;
		if (flags & ~IOMM_VIOMMU_ATTACH_F_BYPASS)
			return IOMM_VIOMMU_S_INVAL;
		int s = ep_slot(f, ep, true);
		if (s < 0)
			return IOMM_VIOMMU_S_NOMEM;
		f->eps[s].dom = iomm_get_le32(r + IOMM_VIOMMU_ATTACH_DOMAIN);
		f->eps[s].bypass = flags & IOMM_VIOMMU_ATTACH_F_BYPASS;
		return IOMM_VIOMMU_S_OK;
	}
	case IOMM_VIOMMU_T_DETACH: {
		uint32_t ep = iomm_get_le32(r + IOMM_VIOMMU_DETACH_ENDPOINT);
		int s = ep_slot(f, ep, false);
		if (s < 0 || f->eps[s].dom != iomm_get_le32(r + IOMM_VIOMMU_DETACH_DOMAIN))
			return IOMM_VIOMMU_S_INVAL;
		f->eps[s].used = false;
		return IOMM_VIOMMU_S_OK;
	}
	case IOMM_VIOMMU_T_MAP: {
		uint32_t dom = iomm_get_le32(r + IOMM_VIOMMU_MAP_DOMAIN);
		uint64_t s = iomm_get_le64(r + IOMM_VIOMMU_MAP_VIRT_START);
		uint64_t e = iomm_get_le64(r + IOMM_VIOMMU_MAP_VIRT_END);
		uint32_t flags = iomm_get_le32(r + IOMM_VIOMMU_MAP_FLAGS);
		if ((s & (gran - 1)) || ((e + 1) & (gran - 1)) || e < s)
			return IOMM_VIOMMU_S_RANGE;
		for (int i = 0; i < FAKE_MAX_MAPS; i++)
			if (f->maps[i].used && f->maps[i].dom == dom && s <= f->maps[i].end &&
			    f->maps[i].start <= e)
				return IOMM_VIOMMU_S_INVAL;
		for (int i = 0; i < FAKE_MAX_MAPS; i++)
			if (!f->maps[i].used) {
				f->maps[i].used = true;
				f->maps[i].dom = dom;
				f->maps[i].start = s;
				f->maps[i].end = e;
				f->maps[i].pa = iomm_get_le64(r + IOMM_VIOMMU_MAP_PHYS_START);
				f->maps[i].flags = flags;
				return IOMM_VIOMMU_S_OK;
			}
		return IOMM_VIOMMU_S_NOMEM;
	}
	case IOMM_VIOMMU_T_UNMAP: {
		uint32_t dom = iomm_get_le32(r + IOMM_VIOMMU_UNMAP_DOMAIN);
		uint64_t s = iomm_get_le64(r + IOMM_VIOMMU_UNMAP_VIRT_START);
		uint64_t e = iomm_get_le64(r + IOMM_VIOMMU_UNMAP_VIRT_END);
		/* A mapping split by the range: S_RANGE, nothing unmapped. */
		for (int i = 0; i < FAKE_MAX_MAPS; i++)
			if (f->maps[i].used && f->maps[i].dom == dom && s <= f->maps[i].end &&
			    f->maps[i].start <= e && (f->maps[i].start < s || f->maps[i].end > e))
				return IOMM_VIOMMU_S_RANGE;
		for (int i = 0; i < FAKE_MAX_MAPS; i++)
			if (f->maps[i].used && f->maps[i].dom == dom && s <= f->maps[i].start &&
			    f->maps[i].end <= e)
				f->maps[i].used = false;
		return IOMM_VIOMMU_S_OK;
	}
	case IOMM_VIOMMU_T_PROBE: {
		uint32_t ps = iomm_get_le32(f->cfg + IOMM_VIOMMU_CFG_PROBE_SIZE);
		if (cap < ps + IOMM_VIOMMU_TAIL_SIZE)
			return IOMM_VIOMMU_S_INVAL;
		if (iomm_get_le32(r + IOMM_VIOMMU_PROBE_ENDPOINT) > FAKE_MAX_ENDPOINT)
			return IOMM_VIOMMU_S_NOENT;
		memset(resp, 0, ps);
		memcpy(resp, f->props, f->props_len);
		return IOMM_VIOMMU_S_OK;
	}
	default:
		return IOMM_VIOMMU_S_UNSUPP;
	}
}

size_t fake_handle(void *dev, const void *req, size_t len, void *resp, size_t cap)
{
	struct fake_viommu *f = dev;
	const uint8_t *r = req;
	f->nreq++;
	f->last_len = len < sizeof(f->last_req) ? len : sizeof(f->last_req);
	memcpy(f->last_req, r, f->last_len);
	if (len < IOMM_VIOMMU_HEAD_SIZE || cap < IOMM_VIOMMU_TAIL_SIZE)
		return 0;
	uint8_t st = do_request(f, r, len, resp, cap);
	if (f->force_status >= 0)
		st = (uint8_t)f->force_status;
	uint8_t *tail = (uint8_t *)resp + cap - IOMM_VIOMMU_TAIL_SIZE;
	memset(tail, 0, IOMM_VIOMMU_TAIL_SIZE);
	tail[0] = st;
	return cap;
}

size_t fake_config(void *dev, void *buf, size_t cap)
{
	struct fake_viommu *f = dev;
	memcpy(buf, f->cfg, cap < sizeof(f->cfg) ? cap : sizeof(f->cfg));
	return sizeof(f->cfg);
}

void fake_config_write(void *dev, uint32_t off, const void *buf, size_t len)
{
	struct fake_viommu *f = dev;
	if (off == IOMM_VIOMMU_CFG_BYPASS && len == 1)
		f->cfg[off] = *(const uint8_t *)buf;
}

uint64_t fake_features(void *dev)
{
	return ((struct fake_viommu *)dev)->features;
}

void fake_set_features(void *dev, uint64_t features)
{
	((struct fake_viommu *)dev)->accepted = features;
}

size_t fake_event(void *dev, void *buf, size_t cap)
{
	struct fake_viommu *f = dev;
	if (!f->ev_count || cap < IOMM_VIOMMU_FAULT_SIZE)
		return 0;
	memcpy(buf, f->events[f->ev_head], IOMM_VIOMMU_FAULT_SIZE);
	f->ev_head = (f->ev_head + 1) % FAKE_MAX_EVENTS;
	f->ev_count--;
	return IOMM_VIOMMU_FAULT_SIZE;
}

struct iomm_viommu_loopback_dev fake_loopback_dev(struct fake_viommu *f)
{
	return (struct iomm_viommu_loopback_dev){
	    .dev = f,
	    .handle = fake_handle,
	    .config = fake_config,
	    .config_write = fake_config_write,
	    .features = fake_features,
	    .set_features = fake_set_features,
	    .event = fake_event,
	};
}

/* ---- virtio-pci front end ---- */
#define CAP0 0x40u

static void put_cap(struct fake_pci *p, uint8_t at, uint8_t next, uint8_t type, uint32_t off,
		    uint32_t len, uint8_t caplen)
{
	uint8_t *c = p->cfgspace + at;
	c[0] = 0x09;
	c[1] = next;
	c[2] = caplen;
	c[3] = type;
	c[4] = 4; /* BAR4 */
	iomm_put_le32(c + 8, off);
	iomm_put_le32(c + 12, len);
	if (type == 2)
		iomm_put_le32(c + 16, 4); /* notify_off_multiplier */
}

void fpci_init(struct fake_pci *p, struct fake_viommu *f)
{
	memset(p, 0, sizeof(*p));
	p->f = f;
	iomm_put_le16(p->cfgspace + 0, 0x1af4);
	iomm_put_le16(p->cfgspace + 2, 0x1057);
	iomm_put_le16(p->cfgspace + 6, 0x10); /* capability list */
	p->cfgspace[0x34] = CAP0;
	/* a non-virtio capability first, as real functions have (MSI-X) */
	p->cfgspace[CAP0] = 0x11;
	p->cfgspace[CAP0 + 1] = CAP0 + 0x10;
	put_cap(p, CAP0 + 0x10, CAP0 + 0x20, 1, 0x0000, 0x38, 16);
	put_cap(p, CAP0 + 0x20, CAP0 + 0x30, 3, 0x1000, 4, 16);
	put_cap(p, CAP0 + 0x30, CAP0 + 0x48, 4, 0x2000, IOMM_VIOMMU_CFG_SIZE, 16);
	put_cap(p, CAP0 + 0x48, 0, 2, 0x3000, 0x1000, 20);
	p->q[0].max = 256;
	p->q[1].max = 256;
}

uint32_t fpci_cfg_read32(void *ctx, uint16_t off)
{
	struct fake_pci *p = ctx;
	return iomm_get_le32(p->cfgspace + (off & 0xfc));
}

static uint8_t *gmem(uint64_t pa)
{
	return (uint8_t *)(uintptr_t)pa;
}

static void used_push(struct fake_pci *p, unsigned q, uint16_t id, uint32_t len)
{
	uint8_t *u = gmem(p->q[q].used);
	uint8_t *e = u + 4 + 8u * (p->q[q].used_idx % p->q[q].size);
	iomm_put_le32(e, id);
	iomm_put_le32(e + 4, len);
	p->q[q].used_idx++;
	iomm_put_le16(u + 2, p->q[q].used_idx);
}

static bool avail_pop(struct fake_pci *p, unsigned q, uint16_t *head)
{
	uint8_t *a = gmem(p->q[q].avail);
	if (iomm_get_le16(a + 2) == p->q[q].last_avail)
		return false;
	*head = iomm_get_le16(a + 4 + 2u * (p->q[q].last_avail % p->q[q].size));
	p->q[q].last_avail++;
	return true;
}

static void serve_requests(struct fake_pci *p)
{
	uint16_t head;
	while (!p->mute && avail_pop(p, 0, &head)) {
		uint8_t rd[1024], wrb[1024];
		memset(wrb, 0, sizeof(wrb)); /* what the device does not write reads as zero */
		size_t nrd = 0, nwr = 0;
		uint64_t wa[4];
		uint32_t wl[4];
		unsigned nw = 0;
		uint16_t i = head;
		for (unsigned guard = 0; guard < 8; guard++) {
			uint8_t *d = gmem(p->q[0].desc) + 16u * i;
			uint64_t addr = iomm_get_le64(d);
			uint32_t len = iomm_get_le32(d + 8);
			uint16_t flags = iomm_get_le16(d + 12);
			if (flags & 2) {
				wa[nw] = addr;
				wl[nw++] = len;
				nwr += len;
			} else {
				memcpy(rd + nrd, gmem(addr), len);
				nrd += len;
			}
			if (!(flags & 1))
				break;
			i = iomm_get_le16(d + 14);
		}
		size_t n = fake_handle(p->f, rd, nrd, wrb, nwr);
		size_t done = 0;
		for (unsigned k = 0; k < nw; k++) {
			memcpy(gmem(wa[k]), wrb + done, wl[k]);
			done += wl[k];
		}
		used_push(p, 0, head, (uint32_t)n);
	}
}

void fpci_pump_events(struct fake_pci *p)
{
	if (!(p->status & 4))
		return;
	while (p->f->ev_count) {
		uint16_t head;
		if (!avail_pop(p, 1, &head))
			return;
		uint8_t *d = gmem(p->q[1].desc) + 16u * head;
		uint8_t ev[IOMM_VIOMMU_FAULT_SIZE];
		size_t n = fake_event(p->f, ev, sizeof(ev));
		memcpy(gmem(iomm_get_le64(d)), ev, n);
		used_push(p, 1, head, (uint32_t)n);
	}
}

static uint32_t common_read(struct fake_pci *p, uint32_t off)
{
	switch (off) {
	case 0x04:
		return (uint32_t)(p->f->features >> (p->dfsel ? 32 : 0));
	case 0x12:
		return 2;
	case 0x14:
		return p->reset_stuck ? 1 : p->status;
	case 0x15:
		return 0;
	case 0x16:
		return p->qsel;
	case 0x18:
		return p->q[p->qsel].size ? p->q[p->qsel].size : p->q[p->qsel].max;
	case 0x1c:
		return p->q[p->qsel].enable;
	case 0x1e:
		return p->qsel; /* notify offset = queue index */
	default:
		return 0;
	}
}

static void set64(uint64_t *v, bool hi, uint32_t val)
{
	*v = hi ? ((*v & 0xffffffffull) | (uint64_t)val << 32) : ((*v & ~0xffffffffull) | val);
}

static void common_write(struct fake_pci *p, uint32_t off, uint32_t val)
{
	switch (off) {
	case 0x00:
		p->dfsel = val;
		break;
	case 0x08:
		p->gfsel = val;
		break;
	case 0x0c:
		set64(&p->gf, p->gfsel != 0, val);
		break;
	case 0x14:
		if (val == 0) {
			struct fake_viommu *f = p->f;
			p->status = 0;
			memset(p->q, 0, sizeof(p->q));
			p->q[0].max = p->q[1].max = 256;
			(void)f;
		} else {
			if ((val & 8) && !(p->status & 8)) {
				if (p->gf & ~p->f->features)
					val &= ~8u; /* refuse */
				else
					fake_set_features(p->f, p->gf);
			}
			p->status = (uint8_t)val;
		}
		break;
	case 0x16:
		p->qsel = (uint16_t)(val & 1);
		break;
	case 0x18:
		p->q[p->qsel].size = (uint16_t)val;
		break;
	case 0x1c:
		p->q[p->qsel].enable = (uint16_t)val;
		break;
	case 0x20:
	case 0x24:
		set64(&p->q[p->qsel].desc, off & 4, val);
		break;
	case 0x28:
	case 0x2c:
		set64(&p->q[p->qsel].avail, off & 4, val);
		break;
	case 0x30:
	case 0x34:
		set64(&p->q[p->qsel].used, off & 4, val);
		break;
	default:
		break;
	}
}

uint32_t fpci_mmio_read(void *ctx, uintptr_t addr, unsigned width)
{
	struct fake_pci *p = ctx;
	uint32_t off = (uint32_t)(addr - (uintptr_t)p->bar);
	if (off < 0x1000)
		return common_read(p, off);
	if (off >= 0x2000 && off < 0x2000 + IOMM_VIOMMU_CFG_SIZE) {
		uint32_t v = 0;
		for (unsigned i = 0; i < width; i++)
			v |= (uint32_t)p->f->cfg[off - 0x2000 + i] << (8 * i);
		return v;
	}
	return 0;
}

void fpci_mmio_write(void *ctx, uintptr_t addr, unsigned width, uint32_t val)
{
	struct fake_pci *p = ctx;
	uint32_t off = (uint32_t)(addr - (uintptr_t)p->bar);
	if (off < 0x1000) {
		common_write(p, off, val);
	} else if (off >= 0x2000 && off < 0x2000 + IOMM_VIOMMU_CFG_SIZE) {
		uint8_t b[4] = {(uint8_t)val, (uint8_t)(val >> 8), (uint8_t)(val >> 16),
				(uint8_t)(val >> 24)};
		fake_config_write(p->f, off - 0x2000, b, width);
	} else if (off >= 0x3000) {
		p->notifies++;
		if (!(p->status & 4))
			return;
		if ((off - 0x3000) / 4 == 0 && val == 0)
			serve_requests(p);
		else
			fpci_pump_events(p);
	}
}
