/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-pci (modern) transport with split virtqueues in caller memory
 * (virtio specification: "Virtio Over PCI Bus", "Split Virtqueues").
 * Queue 0 carries requests, queue 1 events. Everything is polled; every
 * wait is bounded by the port's clock.
 */
#include <iommuman/paravirt.h>

#include "iomm_internal.h"

/* PCI configuration space */
#define PCI_STATUS_DW 0x04u         /* command (15:0) | status (31:16) */
#define PCI_STATUS_CAP_LIST (1u << 20)
#define PCI_CAP_PTR 0x34u
#define PCI_CAP_ID_VNDR 0x09u

/* virtio_pci_cap.cfg_type */
#define VPCI_CAP_COMMON 1u
#define VPCI_CAP_NOTIFY 2u
#define VPCI_CAP_ISR 3u
#define VPCI_CAP_DEVICE 4u

/* common configuration */
#define VC_DFSELECT 0x00u
#define VC_DF 0x04u
#define VC_GFSELECT 0x08u
#define VC_GF 0x0cu
#define VC_NUMQ 0x12u
#define VC_STATUS 0x14u
#define VC_GEN 0x15u
#define VC_QSELECT 0x16u
#define VC_QSIZE 0x18u
#define VC_QENABLE 0x1cu
#define VC_QNOTIFY_OFF 0x1eu
#define VC_QDESC 0x20u
#define VC_QDRIVER 0x28u
#define VC_QDEVICE 0x30u

/* device status */
#define VS_ACKNOWLEDGE 1u
#define VS_DRIVER 2u
#define VS_DRIVER_OK 4u
#define VS_FEATURES_OK 8u
#define VS_FAILED 0x80u

/* split virtqueue */
#define VQ_DESC_SIZE 16u
#define VQ_DESC_F_NEXT 1u
#define VQ_DESC_F_WRITE 2u
#define VQ_AVAIL_F_NO_INTERRUPT 1u

#define RQ IOMM_VIOMMU_PCI_REQ_SLOTS

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* ---- ring memory: naturally aligned single accesses, little-endian ---- */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define LE16(v) ((uint16_t)__builtin_bswap16(v))
#define LE32(v) ((uint32_t)__builtin_bswap32(v))
#else
#define LE16(v) ((uint16_t)(v))
#define LE32(v) ((uint32_t)(v))
#endif

static volatile uint16_t *m16(const struct iomm_viommu_pci *p, size_t off)
{
	return (volatile uint16_t *)(void *)((uint8_t *)p->c.mem + off);
}

static volatile uint32_t *m32(const struct iomm_viommu_pci *p, size_t off)
{
	return (volatile uint32_t *)(void *)((uint8_t *)p->c.mem + off);
}

static void put16(const struct iomm_viommu_pci *p, size_t off, uint16_t v)
{
	*m16(p, off) = LE16(v);
}

static uint16_t get16(const struct iomm_viommu_pci *p, size_t off)
{
	return LE16(*m16(p, off));
}

static void put32(const struct iomm_viommu_pci *p, size_t off, uint32_t v)
{
	*m32(p, off) = LE32(v);
}

static uint32_t get32(const struct iomm_viommu_pci *p, size_t off)
{
	return LE32(*m32(p, off));
}

static void set_desc(const struct iomm_viommu_pci *p, unsigned q, uint16_t i, uint64_t addr,
		     uint32_t len, uint16_t flags, uint16_t next)
{
	size_t d = p->off_desc[q] + (size_t)i * VQ_DESC_SIZE;
	put32(p, d, (uint32_t)addr);
	put32(p, d + 4, (uint32_t)(addr >> 32));
	put32(p, d + 8, len);
	put16(p, d + 12, flags);
	put16(p, d + 14, next);
}

/* ---- device registers ---- */
static uint32_t rd(const struct iomm_viommu_pci *p, uintptr_t a, unsigned w)
{
	return p->c.mmio_read(p->c.ctx, a, w);
}

static void wr(const struct iomm_viommu_pci *p, uintptr_t a, unsigned w, uint32_t v)
{
	p->c.mmio_write(p->c.ctx, a, w, v);
}

static uint8_t status_get(const struct iomm_viommu_pci *p)
{
	return (uint8_t)rd(p, p->common + VC_STATUS, 1);
}

static void status_set(const struct iomm_viommu_pci *p, uint8_t s)
{
	wr(p, p->common + VC_STATUS, 1, s);
}

static void notify(const struct iomm_viommu_pci *p, unsigned q)
{
	iomm_port_mb(p->port);
	wr(p, p->notify + (uintptr_t)p->notify_off[q] * p->notify_mult, 2, q);
}

static void relax(const struct iomm_viommu_pci *p)
{
	if (p->port->relax)
		p->port->relax(p->port->ctx);
}

static bool expired(const struct iomm_viommu_pci *p, uint64_t t0)
{
	return p->port->now_ns(p->port->ctx) - t0 > p->c.timeout_ns;
}

/* ---- layout ---- */
static size_t layout(struct iomm_viommu_pci *p, uint16_t nevt)
{
	size_t off = 0;
	const uint16_t n[2] = {RQ, nevt};
	for (unsigned q = 0; q < 2; q++) {
		off = align_up(off, 16);
		if (p)
			p->off_desc[q] = off;
		off += (size_t)VQ_DESC_SIZE * n[q];
		if (p)
			p->off_avail[q] = off;
		off += 6u + 2u * n[q];
		off = align_up(off, 4);
		if (p)
			p->off_used[q] = off;
		off += 6u + 8u * n[q];
	}
	off = align_up(off, 16);
	if (p)
		p->off_evt = off;
	off += (size_t)IOMM_VIOMMU_PCI_EVENT_BUF * nevt;
	off = align_up(off, 16);
	if (p)
		p->off_bounce = off;
	return off;
}

size_t iomm_viommu_pci_mem_size(uint16_t event_slots)
{
	return layout(NULL, event_slots ? event_slots : 64) + IOMM_VIOMMU_PCI_MIN_BOUNCE;
}

/* ---- transport hooks ---- */
static int vp_request(void *ctx, const void *req, size_t req_len, void *resp, size_t resp_len)
{
	struct iomm_viommu_pci *p = ctx;
	if (p->broken)
		return IOMM_EIO;
	size_t ro = align_up(req_len, 16);
	if (!req_len || resp_len < IOMM_VIOMMU_TAIL_SIZE || ro > p->bounce_size ||
	    resp_len > p->bounce_size - ro)
		return IOMM_EINVAL;
	uint8_t *b = (uint8_t *)p->c.mem + p->off_bounce;
	const uint8_t *in = req;
	for (size_t i = 0; i < req_len; i++)
		b[i] = in[i];
	for (size_t i = 0; i < resp_len; i++)
		b[ro + i] = 0;
	b[ro + resp_len - IOMM_VIOMMU_TAIL_SIZE] = 0xff;
	uint64_t pa = p->c.mem_pa + p->off_bounce;
	set_desc(p, 0, 0, pa, (uint32_t)req_len, VQ_DESC_F_NEXT, 1);
	set_desc(p, 0, 1, pa + ro, (uint32_t)resp_len, VQ_DESC_F_WRITE, 0);
	put16(p, p->off_avail[0] + 4 + 2u * (p->avail_idx[0] % RQ), 0);
	iomm_port_wmb(p->port);
	p->avail_idx[0]++;
	put16(p, p->off_avail[0] + 2, p->avail_idx[0]);
	notify(p, 0);

	uint64_t t0 = p->port->now_ns(p->port->ctx);
	while (get16(p, p->off_used[0] + 2) == p->used_idx[0]) {
		if (expired(p, t0)) {
			/* The device may still write the bounce area: stop using it. */
			p->broken = true;
			return IOMM_ETIMEDOUT;
		}
		relax(p);
	}
	iomm_port_mb(p->port);
	size_t e = p->off_used[0] + 4 + 8u * (p->used_idx[0] % RQ);
	uint32_t id = get32(p, e), len = get32(p, e + 4);
	p->used_idx[0]++;
	if (id != 0 || len < IOMM_VIOMMU_TAIL_SIZE || len > resp_len) {
		p->broken = true;
		return IOMM_EIO;
	}
	uint8_t *out = resp;
	for (size_t i = 0; i < resp_len; i++)
		out[i] = b[ro + i];
	if (len < resp_len)
		out[resp_len - IOMM_VIOMMU_TAIL_SIZE] = b[ro + len - IOMM_VIOMMU_TAIL_SIZE];
	return IOMM_OK;
}

static int vp_config_read(void *ctx, uint32_t off, void *buf, size_t len)
{
	struct iomm_viommu_pci *p = ctx;
	if (off > p->device_len || len > p->device_len - off)
		return IOMM_EINVAL;
	uint8_t *out = buf;
	for (unsigned tries = 0; tries < 8; tries++) {
		uint8_t gen = (uint8_t)rd(p, p->common + VC_GEN, 1);
		size_t i = 0;
		while (i < len) {
			uint32_t o = off + (uint32_t)i;
			if (!(o & 3) && len - i >= 4) {
				uint32_t v = rd(p, p->device + o, 4);
				for (unsigned k = 0; k < 4; k++)
					out[i + k] = (uint8_t)(v >> (8 * k));
				i += 4;
			} else {
				out[i++] = (uint8_t)rd(p, p->device + o, 1);
			}
		}
		if ((uint8_t)rd(p, p->common + VC_GEN, 1) == gen)
			return IOMM_OK;
	}
	return IOMM_EIO;
}

static int vp_config_write(void *ctx, uint32_t off, const void *buf, size_t len)
{
	struct iomm_viommu_pci *p = ctx;
	if (off > p->device_len || len > p->device_len - off)
		return IOMM_EINVAL;
	const uint8_t *in = buf;
	for (size_t i = 0; i < len; i++)
		wr(p, p->device + off + i, 1, in[i]);
	return IOMM_OK;
}

static uint64_t vp_features_get(void *ctx)
{
	struct iomm_viommu_pci *p = ctx;
	wr(p, p->common + VC_DFSELECT, 4, 0);
	uint64_t lo = rd(p, p->common + VC_DF, 4);
	wr(p, p->common + VC_DFSELECT, 4, 1);
	uint64_t hi = rd(p, p->common + VC_DF, 4);
	return lo | hi << 32;
}

static int queue_setup(struct iomm_viommu_pci *p, unsigned q, uint16_t n)
{
	wr(p, p->common + VC_QSELECT, 2, q);
	uint16_t max = (uint16_t)rd(p, p->common + VC_QSIZE, 2);
	if (max < n)
		return IOMM_ENOTSUP;
	wr(p, p->common + VC_QSIZE, 2, n);
	const size_t offs[3] = {p->off_desc[q], p->off_avail[q], p->off_used[q]};
	const uint32_t regs[3] = {VC_QDESC, VC_QDRIVER, VC_QDEVICE};
	for (unsigned i = 0; i < 3; i++) {
		uint64_t a = p->c.mem_pa + offs[i];
		wr(p, p->common + regs[i], 4, (uint32_t)a);
		wr(p, p->common + regs[i] + 4, 4, (uint32_t)(a >> 32));
	}
	p->notify_off[q] = (uint16_t)rd(p, p->common + VC_QNOTIFY_OFF, 2);
	wr(p, p->common + VC_QENABLE, 2, 1);
	return IOMM_OK;
}

static int vp_features_set(void *ctx, uint64_t features)
{
	struct iomm_viommu_pci *p = ctx;
	wr(p, p->common + VC_GFSELECT, 4, 0);
	wr(p, p->common + VC_GF, 4, (uint32_t)features);
	wr(p, p->common + VC_GFSELECT, 4, 1);
	wr(p, p->common + VC_GF, 4, (uint32_t)(features >> 32));
	uint8_t s = VS_ACKNOWLEDGE | VS_DRIVER;
	status_set(p, s | VS_FEATURES_OK);
	if (!(status_get(p) & VS_FEATURES_OK)) {
		status_set(p, s | VS_FAILED);
		return IOMM_ENOTSUP;
	}
	s |= VS_FEATURES_OK;
	if (rd(p, p->common + VC_NUMQ, 2) < 2) {
		status_set(p, s | VS_FAILED);
		return IOMM_ENOTSUP;
	}

	/* Fresh rings: no interrupts wanted (everything is polled). */
	size_t end = p->off_bounce;
	for (size_t o = 0; o < end; o += 4)
		put32(p, o, 0);
	for (unsigned q = 0; q < 2; q++) {
		p->avail_idx[q] = 0;
		p->used_idx[q] = 0;
		put16(p, p->off_avail[q], VQ_AVAIL_F_NO_INTERRUPT);
	}
	for (uint16_t i = 0; i < p->nevt; i++)
		set_desc(p, 1, i, p->c.mem_pa + p->off_evt + (size_t)i * IOMM_VIOMMU_PCI_EVENT_BUF,
			 IOMM_VIOMMU_PCI_EVENT_BUF, VQ_DESC_F_WRITE, 0);
	iomm_port_wmb(p->port);
	int rc = queue_setup(p, 0, RQ);
	if (!rc)
		rc = queue_setup(p, 1, p->nevt);
	if (rc) {
		status_set(p, s | VS_FAILED);
		return rc;
	}
	status_set(p, s | VS_DRIVER_OK);
	p->broken = false;

	/* Hand every event buffer to the device. */
	for (uint16_t i = 0; i < p->nevt; i++)
		put16(p, p->off_avail[1] + 4 + 2u * i, i);
	iomm_port_wmb(p->port);
	p->avail_idx[1] = p->nevt;
	put16(p, p->off_avail[1] + 2, p->avail_idx[1]);
	notify(p, 1);
	return IOMM_OK;
}

static int vp_event_get(void *ctx, void *buf, size_t cap)
{
	struct iomm_viommu_pci *p = ctx;
	if (p->broken)
		return IOMM_EIO;
	if (get16(p, p->off_used[1] + 2) == p->used_idx[1])
		return 0;
	iomm_port_mb(p->port);
	size_t e = p->off_used[1] + 4 + 8u * (p->used_idx[1] % p->nevt);
	uint32_t id = get32(p, e), len = get32(p, e + 4);
	p->used_idx[1]++;
	if (id >= p->nevt) {
		p->broken = true;
		return IOMM_EIO;
	}
	if (len > IOMM_VIOMMU_PCI_EVENT_BUF)
		len = IOMM_VIOMMU_PCI_EVENT_BUF;
	if (len > cap)
		len = (uint32_t)cap;
	const uint8_t *src = (const uint8_t *)p->c.mem + p->off_evt +
			     (size_t)id * IOMM_VIOMMU_PCI_EVENT_BUF;
	uint8_t *out = buf;
	for (uint32_t i = 0; i < len; i++)
		out[i] = src[i];
	/* Give the buffer back. */
	put16(p, p->off_avail[1] + 4 + 2u * (p->avail_idx[1] % p->nevt), (uint16_t)id);
	iomm_port_wmb(p->port);
	p->avail_idx[1]++;
	put16(p, p->off_avail[1] + 2, p->avail_idx[1]);
	notify(p, 1);
	return (int)len;
}

/* ---- discovery and reset ---- */
static int find_caps(struct iomm_viommu_pci *p)
{
	const struct iomm_viommu_pci_cfg *c = &p->c;
	if (!(c->pci_read32(c->ctx, PCI_STATUS_DW) & PCI_STATUS_CAP_LIST))
		return IOMM_ENODEV;
	uint32_t ptr = c->pci_read32(c->ctx, PCI_CAP_PTR) & 0xfcu;
	bool seen[5] = {false};
	for (unsigned guard = 0; ptr >= 0x40 && guard < 48; guard++) {
		uint32_t dw0 = c->pci_read32(c->ctx, (uint16_t)ptr);
		uint32_t next = (dw0 >> 8) & 0xfcu;
		uint32_t type = dw0 >> 24;
		if ((dw0 & 0xffu) == PCI_CAP_ID_VNDR && type >= VPCI_CAP_COMMON &&
		    type <= VPCI_CAP_DEVICE && !seen[type]) {
			uint32_t bar = c->pci_read32(c->ctx, (uint16_t)(ptr + 4)) & 0xffu;
			uint32_t off = c->pci_read32(c->ctx, (uint16_t)(ptr + 8));
			uint32_t len = c->pci_read32(c->ctx, (uint16_t)(ptr + 12));
			if (bar < 6 && c->bar[bar]) {
				uintptr_t a = c->bar[bar] + off;
				seen[type] = true;
				if (type == VPCI_CAP_COMMON) {
					p->common = a;
				} else if (type == VPCI_CAP_NOTIFY) {
					p->notify = a;
					p->notify_mult =
					    c->pci_read32(c->ctx, (uint16_t)(ptr + 16));
				} else if (type == VPCI_CAP_ISR) {
					p->isr = a;
				} else {
					p->device = a;
					p->device_len = len;
				}
			}
		}
		ptr = next;
	}
	if (!seen[VPCI_CAP_COMMON] || !seen[VPCI_CAP_NOTIFY] || !seen[VPCI_CAP_DEVICE])
		return IOMM_ENODEV;
	return IOMM_OK;
}

int iomm_viommu_pci_init(struct iomm_viommu_pci *p, const struct iomm_port *port,
			 const struct iomm_viommu_pci_cfg *cfg,
			 const struct iomm_viommu_transport **out)
{
	if (!p || !port || !port->now_ns || !cfg || !out || !cfg->pci_read32 || !cfg->mmio_read ||
	    !cfg->mmio_write || !cfg->mem || ((uintptr_t)cfg->mem & 15) || (cfg->mem_pa & 15))
		return IOMM_REFUSE(port, IOMM_EINVAL,
				   "p, port, cfg, out: NULL, a hook missing, or cfg->mem not 16-byte "
				   "aligned");
	uint16_t nevt = cfg->event_slots ? cfg->event_slots : 64;
	if (nevt & (nevt - 1))
		return IOMM_REFUSE(port, IOMM_EINVAL, "cfg->event_slots: not a power of two");
	if (cfg->mem_size < iomm_viommu_pci_mem_size(nevt))
		return IOMM_ENOMEM;
	*p = (struct iomm_viommu_pci){0};
	p->c = *cfg;
	p->port = port;
	p->nevt = nevt;
	if (!p->c.timeout_ns)
		p->c.timeout_ns = 1000000000ull;
	layout(p, nevt);
	p->bounce_size = cfg->mem_size - p->off_bounce;
	p->broken = true; /* until DRIVER_OK */
	int rc = find_caps(p);
	if (rc)
		return rc;

	status_set(p, 0);
	uint64_t t0 = port->now_ns(port->ctx);
	while (status_get(p) != 0) {
		if (expired(p, t0))
			return IOMM_ETIMEDOUT;
		relax(p);
	}
	status_set(p, VS_ACKNOWLEDGE);
	status_set(p, VS_ACKNOWLEDGE | VS_DRIVER);
	p->t = (struct iomm_viommu_transport){
	    .ctx = p,
	    .request = vp_request,
	    .config_read = vp_config_read,
	    .config_write = vp_config_write,
	    .features_get = vp_features_get,
	    .features_set = vp_features_set,
	    .event_get = vp_event_get,
	};
	*out = &p->t;
	return IOMM_OK;
}
