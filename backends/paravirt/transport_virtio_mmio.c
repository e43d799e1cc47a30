/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-mmio (version 2) transport with split virtqueues in caller memory
 * (virtio 1.2: 4.2 "Virtio Over MMIO", 2.7 "Split Virtqueues"). Queue 0
 * carries requests, queue 1 events. Every register access is one aligned
 * 32-bit load or store through iomm_port::read32/write32 (4.2.2.2: "The
 * driver MUST only use 32 bit wide and aligned reads and writes to access
 * the control registers"). Everything is polled; every wait is bounded by
 * the port's clock.
 */
#include <iommuman/paravirt.h>

#include "iomm_internal.h"
#include "virtqueue.h"

/* Register offsets (4.2.2, table "MMIO Device Register Layout"). */
#define VM_MAGIC 0x000u
#define VM_VERSION 0x004u
#define VM_DEVICE_ID 0x008u
#define VM_DEV_FEATURES 0x010u
#define VM_DEV_FEATURES_SEL 0x014u
#define VM_DRV_FEATURES 0x020u
#define VM_DRV_FEATURES_SEL 0x024u
#define VM_QUEUE_SEL 0x030u
#define VM_QUEUE_NUM_MAX 0x034u
#define VM_QUEUE_NUM 0x038u
#define VM_QUEUE_READY 0x044u
#define VM_QUEUE_NOTIFY 0x050u
#define VM_STATUS 0x070u
#define VM_QUEUE_DESC 0x080u   /* Low; High at +4 */
#define VM_QUEUE_DRIVER 0x090u /* Low; High at +4 */
#define VM_QUEUE_DEVICE 0x0a0u /* Low; High at +4 */
#define VM_CONFIG_GEN 0x0fcu
#define VM_CONFIG 0x100u

#define VM_MAGIC_VALUE 0x74726976u /* "virt", little-endian */
#define VM_VERSION_MODERN 2u       /* 4.2.2: 0x2; 0x1 is the legacy interface */

/* device status (2.1) */
#define VS_ACKNOWLEDGE 1u
#define VS_DRIVER 2u
#define VS_DRIVER_OK 4u
#define VS_FEATURES_OK 8u
#define VS_FAILED 0x80u

/* ---- device registers ---- */
static uint32_t rd(const struct iomm_viommu_mmio *m, uint32_t off)
{
	return m->port->read32(m->port->ctx, m->c.base + off);
}

static void wr(const struct iomm_viommu_mmio *m, uint32_t off, uint32_t v)
{
	m->port->write32(m->port->ctx, m->c.base + off, v);
}

static uint8_t status_get(const struct iomm_viommu_mmio *m)
{
	return (uint8_t)rd(m, VM_STATUS);
}

static void status_set(const struct iomm_viommu_mmio *m, uint8_t s)
{
	wr(m, VM_STATUS, s);
}

/* QueueNotify (4.2.2): the queue's index; the shared driver orders the rings before it. */
static void notify(void *ctx, unsigned q)
{
	wr(ctx, VM_QUEUE_NOTIFY, q);
}

size_t iomm_viommu_mmio_mem_size(uint16_t event_slots)
{
	return iomm_vq_mem_size(event_slots ? event_slots : 64);
}

/* ---- transport hooks ---- */
static int vm_request(void *ctx, const void *req, size_t req_len, void *resp, size_t resp_len)
{
	struct iomm_viommu_mmio *m = ctx;
	return iomm_vq_request(&m->vq, req, req_len, resp, resp_len);
}

/* 4.2.2.2: device configuration read with aligned 32-bit loads, repeated
 * until ConfigGeneration is stable (2.5.1). */
static int vm_config_read(void *ctx, uint32_t off, void *buf, size_t len)
{
	struct iomm_viommu_mmio *m = ctx;
	if (off > IOMM_VIOMMU_CFG_SIZE || len > IOMM_VIOMMU_CFG_SIZE - off)
		return IOMM_EINVAL;
	uint8_t *out = buf;
	for (unsigned tries = 0; tries < 8; tries++) {
		uint32_t gen = rd(m, VM_CONFIG_GEN);
		uint32_t w = 0;
		for (size_t i = 0; i < len; i++) {
			uint32_t o = off + (uint32_t)i;
			if (i == 0 || !(o & 3u))
				w = rd(m, VM_CONFIG + (o & ~3u)); /* one load per word */
			out[i] = (uint8_t)(w >> (8 * (o & 3u)));
		}
		if (rd(m, VM_CONFIG_GEN) == gen)
			return IOMM_OK;
	}
	return IOMM_EIO;
}

/* Only config.bypass (one byte, followed by three reserved bytes in the
 * same word) is ever written: read-modify-write of its aligned word. */
static int vm_config_write(void *ctx, uint32_t off, const void *buf, size_t len)
{
	struct iomm_viommu_mmio *m = ctx;
	if (off > IOMM_VIOMMU_CFG_SIZE || len > IOMM_VIOMMU_CFG_SIZE - off)
		return IOMM_EINVAL;
	const uint8_t *in = buf;
	for (size_t i = 0; i < len; i++) {
		uint32_t o = off + (uint32_t)i;
		uint32_t sh = 8 * (o & 3u);
		uint32_t w = rd(m, VM_CONFIG + (o & ~3u));
		w = (w & ~(0xffu << sh)) | ((uint32_t)in[i] << sh);
		wr(m, VM_CONFIG + (o & ~3u), w);
	}
	return IOMM_OK;
}

static uint64_t vm_features_get(void *ctx)
{
	struct iomm_viommu_mmio *m = ctx;
	wr(m, VM_DEV_FEATURES_SEL, 0);
	uint64_t lo = rd(m, VM_DEV_FEATURES);
	wr(m, VM_DEV_FEATURES_SEL, 1);
	uint64_t hi = rd(m, VM_DEV_FEATURES);
	return lo | hi << 32;
}

/* 4.2.3.2 "Virtqueue Configuration" */
static int queue_setup(struct iomm_viommu_mmio *m, unsigned q, uint16_t n)
{
	wr(m, VM_QUEUE_SEL, q);
	/* refusals named after iomm_paravirt_init(), which calls features_set */
	if (rd(m, VM_QUEUE_READY) != 0)
		return IOMM_REFUSE_AS(m->port, IOMM_ENOTSUP, "iomm_paravirt_init",
				      "device: a virtqueue already ready after reset");
	uint32_t max = rd(m, VM_QUEUE_NUM_MAX);
	if (max < n)
		return IOMM_REFUSE_AS(m->port, IOMM_ENOTSUP, "iomm_paravirt_init",
				      "device: QueueNumMax smaller than the queue the driver needs");
	wr(m, VM_QUEUE_NUM, n);
	const uint32_t regs[3] = {VM_QUEUE_DESC, VM_QUEUE_DRIVER, VM_QUEUE_DEVICE};
	for (unsigned i = 0; i < 3; i++) {
		uint64_t a = iomm_vq_part_pa(&m->vq, q, (enum iomm_vq_part)i);
		wr(m, regs[i], (uint32_t)a);
		wr(m, regs[i] + 4, (uint32_t)(a >> 32));
	}
	wr(m, VM_QUEUE_READY, 1);
	if (rd(m, VM_QUEUE_READY) != 1)
		return IOMM_REFUSE_AS(m->port, IOMM_ENOTSUP, "iomm_paravirt_init",
				      "device: QueueReady did not stay set");
	return IOMM_OK;
}

static int vm_features_set(void *ctx, uint64_t features)
{
	struct iomm_viommu_mmio *m = ctx;
	wr(m, VM_DRV_FEATURES_SEL, 0);
	wr(m, VM_DRV_FEATURES, (uint32_t)features);
	wr(m, VM_DRV_FEATURES_SEL, 1);
	wr(m, VM_DRV_FEATURES, (uint32_t)(features >> 32));
	uint8_t s = VS_ACKNOWLEDGE | VS_DRIVER;
	status_set(m, s | VS_FEATURES_OK);
	/* 3.1.1 step 6: re-read status to confirm FEATURES_OK is still set. */
	if (!(status_get(m) & VS_FEATURES_OK)) {
		status_set(m, s | VS_FAILED);
		return IOMM_REFUSE_AS(m->port, IOMM_ENOTSUP, "iomm_paravirt_init",
				      "device: FEATURES_OK not kept (the feature set refused)");
	}
	s |= VS_FEATURES_OK;

	iomm_vq_rings_reset(&m->vq);
	int rc = queue_setup(m, 0, IOMM_VQ_REQ_SLOTS);
	if (!rc)
		rc = queue_setup(m, 1, m->vq.nevt);
	if (rc) {
		status_set(m, s | VS_FAILED);
		return rc;
	}
	status_set(m, s | VS_DRIVER_OK);
	iomm_vq_start(&m->vq);
	return IOMM_OK;
}

static int vm_event_get(void *ctx, void *buf, size_t cap)
{
	struct iomm_viommu_mmio *m = ctx;
	return iomm_vq_event_get(&m->vq, buf, cap);
}

/* iomm_paravirt_init() refused the device after features_set(): FAILED, then
 * a reset (2.1: the device drops its queues), waited for with the same bound
 * as every wait. The queues stay unusable. */
static void vm_fail(void *ctx)
{
	struct iomm_viommu_mmio *m = ctx;
	m->vq.broken = true;
	status_set(m, (uint8_t)(status_get(m) | VS_FAILED));
	status_set(m, 0);
	uint64_t t0 = m->port->now_ns(m->port->ctx);
	while (status_get(m) != 0 && !iomm_vq_expired(&m->vq, t0))
		if (m->port->relax)
			m->port->relax(m->port->ctx);
}

int iomm_viommu_mmio_init(struct iomm_viommu_mmio *m, const struct iomm_port *port,
			  const struct iomm_viommu_mmio_cfg *cfg,
			  const struct iomm_viommu_transport **out)
{
	if (!m || !port || !port->now_ns || !port->read32 || !port->write32 || !cfg || !out ||
	    !cfg->base || !cfg->mem || ((uintptr_t)cfg->mem & 15) || (cfg->mem_pa & 15) ||
	    (cfg->base & 3))
		return IOMM_REFUSE(port, IOMM_EINVAL,
				   "m, port, cfg, out: NULL, a hook or the base missing, or "
				   "cfg->mem / cfg->base misaligned");
	uint16_t nevt = cfg->event_slots ? cfg->event_slots : 64;
	if (nevt & (nevt - 1))
		return IOMM_REFUSE(port, IOMM_EINVAL, "cfg->event_slots: not a power of two");
	if (cfg->mem_size < iomm_viommu_mmio_mem_size(nevt))
		return IOMM_ENOMEM;
	*m = (struct iomm_viommu_mmio){0};
	m->c = *cfg;
	m->port = port;
	if (!m->c.timeout_ns)
		m->c.timeout_ns = 1000000000ull;
	iomm_vq_init(&m->vq, port, cfg->mem, cfg->mem_pa, cfg->mem_size, nevt, m->c.timeout_ns,
		     notify, m);

	/* 4.2.3.1.1: check MagicValue, Version and DeviceID before anything else. */
	if (rd(m, VM_MAGIC) != VM_MAGIC_VALUE)
		return IOMM_ENODEV;
	uint32_t version = rd(m, VM_VERSION);
	if (version != VM_VERSION_MODERN)
		return version == 1 ? IOMM_REFUSE(port, IOMM_ENOTSUP,
						  "Version: 1, a legacy device (4.2.4); only 2 is driven")
				    : IOMM_ENODEV;
	if (rd(m, VM_DEVICE_ID) != IOMM_VIOMMU_MMIO_DEVICE_ID)
		return IOMM_ENODEV;

	/* 2.1 / 4.2.2.1: writing 0 to Status resets; the device reads 0 once done. */
	status_set(m, 0);
	uint64_t t0 = port->now_ns(port->ctx);
	while (status_get(m) != 0) {
		if (iomm_vq_expired(&m->vq, t0))
			return IOMM_ETIMEDOUT;
		if (port->relax)
			port->relax(port->ctx);
	}
	status_set(m, VS_ACKNOWLEDGE);
	status_set(m, VS_ACKNOWLEDGE | VS_DRIVER);
	m->t = (struct iomm_viommu_transport){
	    .ctx = m,
	    .request = vm_request,
	    .config_read = vm_config_read,
	    .config_write = vm_config_write,
	    .features_get = vm_features_get,
	    .features_set = vm_features_set,
	    .event_get = vm_event_get,
	    .fail = vm_fail,
	};
	*out = &m->t;
	return IOMM_OK;
}
