/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-pci (modern) transport with split virtqueues in caller memory
 * (virtio specification: "Virtio Over PCI Bus", "Split Virtqueues").
 * Queue 0 carries requests, queue 1 events. Everything is polled; every
 * wait is bounded by the port's clock.
 */
#include <iommuman/paravirt.h>

#include "iomm_internal.h"
#include "virtqueue.h"

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

/* The queue's notification address (4.1.4.4); the shared driver orders the rings before it. */
static void notify(void *ctx, unsigned q)
{
	const struct iomm_viommu_pci *p = ctx;
	wr(p, p->notify + (uintptr_t)p->notify_off[q] * p->notify_mult, 2, q);
}

size_t iomm_viommu_pci_mem_size(uint16_t event_slots)
{
	return iomm_vq_mem_size(event_slots ? event_slots : 64);
}

/* ---- transport hooks ---- */
static int vp_request(void *ctx, const void *req, size_t req_len, void *resp, size_t resp_len)
{
	struct iomm_viommu_pci *p = ctx;
	return iomm_vq_request(&p->vq, req, req_len, resp, resp_len);
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
	if (max < n) /* named after iomm_paravirt_init(), which calls features_set */
		return IOMM_REFUSE_AS(p->port, IOMM_ENOTSUP, "iomm_paravirt_init",
				      "device: queue_size smaller than the queue the driver needs");
	wr(p, p->common + VC_QSIZE, 2, n);
	const uint32_t regs[3] = {VC_QDESC, VC_QDRIVER, VC_QDEVICE};
	for (unsigned i = 0; i < 3; i++) {
		uint64_t a = iomm_vq_part_pa(&p->vq, q, (enum iomm_vq_part)i);
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
		return IOMM_REFUSE_AS(p->port, IOMM_ENOTSUP, "iomm_paravirt_init",
				      "device: FEATURES_OK not kept (the feature set refused)");
	}
	s |= VS_FEATURES_OK;
	if (rd(p, p->common + VC_NUMQ, 2) < 2) {
		status_set(p, s | VS_FAILED);
		return IOMM_REFUSE_AS(p->port, IOMM_ENOTSUP, "iomm_paravirt_init",
				      "device: num_queues below 2 (request and event queues)");
	}

	iomm_vq_rings_reset(&p->vq);
	int rc = queue_setup(p, 0, IOMM_VQ_REQ_SLOTS);
	if (!rc)
		rc = queue_setup(p, 1, p->vq.nevt);
	if (rc) {
		status_set(p, s | VS_FAILED);
		return rc;
	}
	status_set(p, s | VS_DRIVER_OK);
	iomm_vq_start(&p->vq);
	return IOMM_OK;
}

static int vp_event_get(void *ctx, void *buf, size_t cap)
{
	struct iomm_viommu_pci *p = ctx;
	return iomm_vq_event_get(&p->vq, buf, cap);
}

/* iomm_paravirt_init() refused the device after features_set(): FAILED, then
 * a reset (2.1: the device drops its queues), waited for with the same bound
 * as every wait. The queues stay unusable. */
static void vp_fail(void *ctx)
{
	struct iomm_viommu_pci *p = ctx;
	p->vq.broken = true;
	status_set(p, (uint8_t)(status_get(p) | VS_FAILED));
	status_set(p, 0);
	uint64_t t0 = p->port->now_ns(p->port->ctx);
	while (status_get(p) != 0 && !iomm_vq_expired(&p->vq, t0))
		if (p->port->relax)
			p->port->relax(p->port->ctx);
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
	if (!p->c.timeout_ns)
		p->c.timeout_ns = 1000000000ull;
	iomm_vq_init(&p->vq, port, cfg->mem, cfg->mem_pa, cfg->mem_size, nevt, p->c.timeout_ns,
		     notify, p);
	int rc = find_caps(p);
	if (rc)
		return rc;

	status_set(p, 0);
	uint64_t t0 = port->now_ns(port->ctx);
	while (status_get(p) != 0) {
		if (iomm_vq_expired(&p->vq, t0))
			return IOMM_ETIMEDOUT;
		if (port->relax)
			port->relax(port->ctx);
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
	    .fail = vp_fail,
	};
	*out = &p->t;
	return IOMM_OK;
}
