/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-mmio front of the virtio-iommu device model (vmmio.h): the
 * register file of virtio 1.2 section 4.2.2 (version 2), split virtqueues
 * (2.7) read and written only through the hypervisor's guest-copy hooks.
 */
#include <iommuman/vmmio.h>

#include "host_internal.h"
#include "iomm_internal.h"

/* Register offsets (4.2.2, "MMIO Device Register Layout"). */
#define R_MAGIC 0x000u
#define R_VERSION 0x004u
#define R_DEVICE_ID 0x008u
#define R_VENDOR_ID 0x00cu
#define R_DEV_FEATURES 0x010u
#define R_DEV_FEATURES_SEL 0x014u
#define R_DRV_FEATURES 0x020u
#define R_DRV_FEATURES_SEL 0x024u
#define R_QUEUE_SEL 0x030u
#define R_QUEUE_NUM_MAX 0x034u
#define R_QUEUE_NUM 0x038u
#define R_QUEUE_READY 0x044u
#define R_QUEUE_NOTIFY 0x050u
#define R_INT_STATUS 0x060u
#define R_INT_ACK 0x064u
#define R_STATUS 0x070u
#define R_QUEUE_DESC_LO 0x080u
#define R_QUEUE_DESC_HI 0x084u
#define R_QUEUE_DRIVER_LO 0x090u
#define R_QUEUE_DRIVER_HI 0x094u
#define R_QUEUE_DEVICE_LO 0x0a0u
#define R_QUEUE_DEVICE_HI 0x0a4u
#define R_SHM_SEL 0x0acu
#define R_SHM_LEN_LO 0x0b0u
#define R_SHM_BASE_HI 0x0bcu
#define R_QUEUE_RESET 0x0c0u
#define R_CONFIG_GEN 0x0fcu
#define R_CONFIG 0x100u

#define MAGIC_VALUE 0x74726976u /* "virt" */
#define VERSION_MODERN 2u

/* Device status (2.1). */
#define S_ACKNOWLEDGE 1u
#define S_DRIVER 2u
#define S_DRIVER_OK 4u
#define S_FEATURES_OK 8u
#define S_NEEDS_RESET 0x40u
#define S_FAILED 0x80u

/* InterruptStatus (4.2.2). */
#define INT_USED 1u
#define INT_CONFIG 2u

/* Split virtqueue (2.7.5 descriptor, 2.7.6 available ring, 2.7.8 used ring). */
#define DESC_SIZE 16u
#define DESC_F_NEXT 1u
#define DESC_F_WRITE 2u
#define DESC_F_INDIRECT 4u
#define AVAIL_F_NO_INTERRUPT 1u

/* Device feature bits 0-23 (6 "Reserved Feature Bits"): the device's own. */
#define DEVICE_FEATURE_MASK ((1ull << 24) - 1)

static const struct iomm_port *fport(const struct iomm_vmmio_front *f)
{
	return f->c.vm->cfg.pool->port;
}

/* Guest memory, little-endian, through the hooks only. */
static int g_read(struct iomm_vmmio_front *f, uint64_t gpa, void *buf, size_t len)
{
	if (gpa + len < gpa)
		return IOMM_EFAULT;
	return f->c.guest_read(f->c.ctx, gpa, buf, len) == IOMM_OK ? IOMM_OK : IOMM_EFAULT;
}

static int g_write(struct iomm_vmmio_front *f, uint64_t gpa, const void *buf, size_t len)
{
	if (gpa + len < gpa)
		return IOMM_EFAULT;
	return f->c.guest_write(f->c.ctx, gpa, buf, len) == IOMM_OK ? IOMM_OK : IOMM_EFAULT;
}

static int g_read16(struct iomm_vmmio_front *f, uint64_t gpa, uint16_t *v)
{
	uint8_t b[2] = {0, 0};
	int rc = g_read(f, gpa, b, 2);
	*v = (uint16_t)(b[0] | b[1] << 8);
	return rc;
}

static int g_write16(struct iomm_vmmio_front *f, uint64_t gpa, uint16_t v)
{
	const uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
	return g_write(f, gpa, b, 2);
}

static uint32_t le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void put_le32(uint8_t *b, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

/* ---- interrupt line ---- */
static void irq_update(struct iomm_vmmio_front *f)
{
	bool level = f->isr != 0;
	if (level == f->irq_level)
		return;
	f->irq_level = level;
	if (f->c.irq_set)
		f->c.irq_set(f->c.ctx, level);
}

/* A broken ring: 2.1.2, the device sets DEVICE_NEEDS_RESET and sends a
 * configuration change notification (4.2.2: InterruptStatus bit 1). */
static int broken(struct iomm_vmmio_front *f, int rc)
{
	f->status |= S_NEEDS_RESET;
	f->isr |= INT_CONFIG;
	if (!f->error)
		f->error = rc;
	irq_update(f);
	return rc;
}

static bool live(const struct iomm_vmmio_front *f, unsigned q)
{
	return (f->status & S_DRIVER_OK) && !(f->status & S_NEEDS_RESET) && f->q[q].ready;
}

/*
 * Walk the chain at @head of queue @q without following anything that is
 * not checked: indices in range, at most IOMM_VMMIO_MAX_CHAIN links, no
 * indirect descriptors, readable before writable, bounded sizes, and every
 * buffer reachable through the hooks. The readable part lands in f->req,
 * the writable segments in f->seg. Returns 0 or a negative status.
 */
static int walk_chain(struct iomm_vmmio_front *f, unsigned q, uint16_t head, size_t *rlen,
		      size_t *wlen)
{
	const struct iomm_vmmio_queue *vq = &f->q[q];
	const struct iomm_port *port = fport(f);
	uint16_t i = head;
	size_t r = 0, w = 0;
	f->nseg = 0;
	for (unsigned n = 0;; n++) {
		if (i >= vq->num)
			return IOMM_REFUSE(port, IOMM_EINVAL, "descriptor index: beyond the queue size");
		if (n >= IOMM_VMMIO_MAX_CHAIN || n >= vq->num)
			return IOMM_REFUSE(port, IOMM_EINVAL,
					   "descriptor chain: a loop or longer than IOMM_VMMIO_MAX_CHAIN");
		uint8_t d[DESC_SIZE];
		if (g_read(f, vq->desc + (uint64_t)i * DESC_SIZE, d, sizeof(d)))
			return IOMM_REFUSE(port, IOMM_EFAULT, "descriptor table: outside guest memory");
		uint64_t addr = (uint64_t)le32(d) | (uint64_t)le32(d + 4) << 32;
		uint32_t len = le32(d + 8);
		uint16_t flags = (uint16_t)(d[12] | d[13] << 8);
		uint16_t next = (uint16_t)(d[14] | d[15] << 8);
		if (flags & DESC_F_INDIRECT)
			return IOMM_REFUSE(port, IOMM_ENOTSUP,
					   "descriptor flags: INDIRECT without VIRTIO_F_INDIRECT_DESC");
		if (flags & DESC_F_WRITE) {
			if (len > IOMM_VMMIO_RESP_MAX - w)
				return IOMM_REFUSE(port, IOMM_EINVAL,
						   "writable part: longer than IOMM_VMMIO_RESP_MAX");
			/* Before anything runs, the whole buffer must take both
			 * hooks: it is read and its own bytes written back (the
			 * buffer belongs to the device now, 2.7.4), so a reply can
			 * never fail half-way after the model changed state. */
			if (len && (g_read(f, addr, f->resp + w, len) ||
				    g_write(f, addr, f->resp + w, len)))
				return IOMM_REFUSE(port, IOMM_EFAULT,
						   "writable buffer: outside writable guest memory");
			f->seg[f->nseg].gpa = addr;
			f->seg[f->nseg].len = len;
			f->nseg++;
			w += len;
		} else {
			if (f->nseg)
				return IOMM_REFUSE(port, IOMM_EINVAL,
						   "descriptor chain: readable after writable (2.7.4.2)");
			if (len > IOMM_VMMIO_REQ_MAX - r)
				return IOMM_REFUSE(port, IOMM_EINVAL,
						   "readable part: longer than IOMM_VMMIO_REQ_MAX");
			if (len && g_read(f, addr, f->req + r, len))
				return IOMM_REFUSE(port, IOMM_EFAULT,
						   "readable buffer: outside guest memory");
			r += len;
		}
		if (!(flags & DESC_F_NEXT))
			break;
		i = next;
	}
	*rlen = r;
	*wlen = w;
	return IOMM_OK;
}

/* Copy @len bytes of f->resp into the writable segments. */
static int put_reply(struct iomm_vmmio_front *f, size_t len)
{
	size_t done = 0;
	for (unsigned s = 0; s < f->nseg && done < len; s++) {
		size_t n = f->seg[s].len;
		if (n > len - done)
			n = len - done;
		if (n && g_write(f, f->seg[s].gpa, f->resp + done, n))
			return IOMM_REFUSE(fport(f), IOMM_EFAULT, "writable buffer: outside guest memory");
		done += n;
	}
	return IOMM_OK;
}

/* Available-ring entries the driver has added and the device not taken. */
static int pending(struct iomm_vmmio_front *f, unsigned q, uint16_t *count)
{
	struct iomm_vmmio_queue *vq = &f->q[q];
	uint16_t idx;
	if (g_read16(f, vq->driver + 2, &idx))
		return IOMM_REFUSE(fport(f), IOMM_EFAULT, "available ring: outside guest memory");
	uint16_t n = (uint16_t)(idx - vq->last_avail);
	if (n > vq->num)
		return IOMM_REFUSE(fport(f), IOMM_EINVAL,
				   "available idx: more than the queue size ahead of the device");
	*count = n;
	return IOMM_OK;
}

static int take_head(struct iomm_vmmio_front *f, unsigned q, uint16_t *head)
{
	struct iomm_vmmio_queue *vq = &f->q[q];
	if (g_read16(f, vq->driver + 4 + 2ull * (vq->last_avail % vq->num), head))
		return IOMM_REFUSE(fport(f), IOMM_EFAULT, "available ring: outside guest memory");
	return IOMM_OK;
}

/* 2.7.8: used element {le32 id, le32 len}, then the used idx. */
static int push_used(struct iomm_vmmio_front *f, unsigned q, uint16_t head, uint32_t len)
{
	struct iomm_vmmio_queue *vq = &f->q[q];
	uint8_t e[8];
	put_le32(e, head);
	put_le32(e + 4, len);
	if (g_write(f, vq->device + 4 + 8ull * (vq->used_idx % vq->num), e, sizeof(e)) ||
	    g_write16(f, vq->device + 2, (uint16_t)(vq->used_idx + 1)))
		return IOMM_REFUSE(fport(f), IOMM_EFAULT, "used ring: outside guest memory");
	vq->used_idx++;
	vq->last_avail++;
	return IOMM_OK;
}

/* 2.7.7: interrupt unless the driver set VIRTQ_AVAIL_F_NO_INTERRUPT. */
static void used_irq(struct iomm_vmmio_front *f, unsigned q)
{
	uint16_t flags;
	if (g_read16(f, f->q[q].driver, &flags) == IOMM_OK && (flags & AVAIL_F_NO_INTERRUPT))
		return;
	f->isr |= INT_USED;
	irq_update(f);
}

static int serve_requests(struct iomm_vmmio_front *f)
{
	unsigned served = 0;
	for (;;) {
		uint16_t n, head;
		size_t rlen, wlen, used = 0;
		int rc = pending(f, 0, &n);
		if (!rc && !n)
			break;
		if (!rc)
			rc = take_head(f, 0, &head);
		if (!rc)
			rc = walk_chain(f, 0, head, &rlen, &wlen);
		if (rc)
			return broken(f, rc);
		/* Everything checked: only now does the model see the request. */
		rc = iomm_viommu_dev_handle(f->c.vm, f->req, rlen, f->resp, wlen, &used);
		if (rc)
			used = 0;
		rc = put_reply(f, used);
		if (!rc)
			rc = push_used(f, 0, head, (uint32_t)used);
		if (rc)
			return broken(f, rc);
		served++;
	}
	if (served)
		used_irq(f, 0);
	return IOMM_OK;
}

static int deliver_events(struct iomm_vmmio_front *f)
{
	int delivered = 0;
	while (live(f, 1) && f->c.vm->ev_count) {
		uint16_t n, head;
		size_t rlen, wlen;
		int rc = pending(f, 1, &n);
		if (!rc && !n)
			break;
		if (!rc)
			rc = take_head(f, 1, &head);
		if (!rc)
			rc = walk_chain(f, 1, head, &rlen, &wlen);
		if (!rc && (rlen || wlen < IOMM_VIOMMU_FAULT_SIZE))
			rc = IOMM_REFUSE(fport(f), IOMM_EINVAL,
					 "event buffer: readable bytes or shorter than a fault record");
		if (rc)
			return broken(f, rc);
		int len = iomm_viommu_dev_next_event(f->c.vm, f->resp, IOMM_VIOMMU_FAULT_SIZE);
		if (len <= 0)
			break;
		rc = put_reply(f, (size_t)len);
		if (!rc)
			rc = push_used(f, 1, head, (uint32_t)len);
		if (rc)
			return broken(f, rc);
		delivered++;
	}
	if (delivered)
		used_irq(f, 1);
	return delivered;
}

/* ---- reset ---- */
static void front_clear(struct iomm_vmmio_front *f)
{
	f->driver_features = 0;
	f->dev_features_sel = 0;
	f->drv_features_sel = 0;
	f->queue_sel = 0;
	f->status = 0;
	f->isr = 0;
	f->error = 0;
	f->nseg = 0;
	for (unsigned q = 0; q < 2; q++)
		f->q[q] = (struct iomm_vmmio_queue){0};
	irq_update(f);
}

int iomm_vmmio_front_init(struct iomm_vmmio_front *f, const struct iomm_vmmio_front_cfg *cfg)
{
	if (!f || !cfg || !cfg->vm || !cfg->vm->up || !cfg->guest_read || !cfg->guest_write)
		return IOMM_REFUSE(cfg && cfg->vm && cfg->vm->up ? cfg->vm->cfg.pool->port : NULL,
				   IOMM_EINVAL,
				   "f, cfg, cfg->vm, guest_read, guest_write: NULL or VM not initialised");
	const struct iomm_port *port = cfg->vm->cfg.pool->port;
	uint32_t qmax = cfg->queue_max ? cfg->queue_max : IOMM_VMMIO_QUEUE_MAX;
	if (qmax & (qmax - 1))
		return IOMM_REFUSE(port, IOMM_EINVAL, "cfg->queue_max: not a power of two");
	uint8_t c[IOMM_VIOMMU_CFG_SIZE];
	if (iomm_viommu_dev_config(cfg->vm, c, sizeof(c)) != IOMM_OK)
		return IOMM_REFUSE(port, IOMM_EINVAL, "cfg->vm: no device configuration");
	if (le32(c + IOMM_VIOMMU_CFG_PROBE_SIZE) > IOMM_VMMIO_RESP_MAX - IOMM_VIOMMU_TAIL_SIZE)
		return IOMM_REFUSE(port, IOMM_EINVAL,
				   "cfg->vm: probe_size does not fit IOMM_VMMIO_RESP_MAX");
	*f = (struct iomm_vmmio_front){0};
	f->c = *cfg;
	f->c.queue_max = (uint16_t)qmax;
	f->offered = (iomm_viommu_dev_features(cfg->vm) & DEVICE_FEATURE_MASK) |
		     1ull << IOMM_VIOMMU_F_VERSION_1;
	f->up = true;
	return IOMM_OK;
}

/* ---- registers ---- */
static int status_write(struct iomm_vmmio_front *f, uint32_t v)
{
	const struct iomm_port *port = fport(f);
	if (v == 0) {
		/* 4.2.2.1: writing zero to Status resets the device. */
		int rc = iomm_viommu_dev_reset(f->c.vm);
		front_clear(f);
		return rc;
	}
	uint32_t keep = f->status & S_NEEDS_RESET;
	uint32_t want = v & 0xffu & ~S_NEEDS_RESET;
	if ((f->status & ~S_NEEDS_RESET) & ~want)
		return IOMM_REFUSE(port, IOMM_EPERM, "Status: clears a bit without a reset (2.1.2)");
	uint32_t added = want & ~f->status;
	if ((added & S_FEATURES_OK) && !(want & S_DRIVER))
		return IOMM_REFUSE(port, IOMM_EPERM, "Status: FEATURES_OK before DRIVER");
	if ((added & S_DRIVER_OK) && !(want & S_FEATURES_OK))
		return IOMM_REFUSE(port, IOMM_EPERM, "Status: DRIVER_OK without FEATURES_OK");
	if ((added & S_FEATURES_OK) &&
	    ((f->driver_features & ~f->offered) ||
	     !(f->driver_features & (1ull << IOMM_VIOMMU_F_VERSION_1)))) {
		/* 3.1.1: the device refuses the set by leaving FEATURES_OK clear. */
		f->status = (want & ~(S_FEATURES_OK | S_DRIVER_OK)) | keep;
		return IOMM_REFUSE(port, IOMM_ENOTSUP,
				   "DriverFeatures: outside the offer or without VERSION_1");
	}
	f->status = want | keep;
	return IOMM_OK;
}

static struct iomm_vmmio_queue *sel_queue(struct iomm_vmmio_front *f)
{
	return f->queue_sel < 2 ? &f->q[f->queue_sel] : NULL;
}

static bool aligned_rings(const struct iomm_vmmio_queue *q)
{
	/* 2.7: descriptor table 16, available ring 2, used ring 4 bytes. */
	return !(q->desc & 15) && !(q->driver & 1) && !(q->device & 3);
}

static int queue_write(struct iomm_vmmio_front *f, uint32_t off, uint32_t v)
{
	const struct iomm_port *port = fport(f);
	struct iomm_vmmio_queue *q = sel_queue(f);
	if (!q)
		return IOMM_REFUSE(port, IOMM_EINVAL, "QueueSel: no such queue");
	/* 4.2.3.2: queues are set up after FEATURES_OK, before DRIVER_OK. */
	if (!(f->status & S_FEATURES_OK) || (f->status & S_NEEDS_RESET))
		return IOMM_REFUSE(port, IOMM_EPERM, "queue registers: FEATURES_OK not set");
	if (off == R_QUEUE_READY) {
		if (!(v & 1)) {
			q->ready = false;
			return IOMM_OK;
		}
		if (!q->num || !aligned_rings(q))
			return IOMM_REFUSE(port, IOMM_EINVAL,
					   "QueueReady: no size or misaligned ring addresses");
		q->ready = true;
		q->last_avail = 0;
		q->used_idx = 0;
		return IOMM_OK;
	}
	if (q->ready)
		return IOMM_REFUSE(port, IOMM_EPERM, "queue registers: the queue is ready");
	switch (off) {
	case R_QUEUE_NUM:
		if (!v || v > f->c.queue_max || (v & (v - 1)))
			return IOMM_REFUSE(port, IOMM_EINVAL,
					   "QueueNum: 0, above QueueNumMax or not a power of two");
		q->num = (uint16_t)v;
		return IOMM_OK;
	case R_QUEUE_DESC_LO:
		q->desc = (q->desc & ~0xffffffffull) | v;
		return IOMM_OK;
	case R_QUEUE_DESC_HI:
		q->desc = (q->desc & 0xffffffffull) | (uint64_t)v << 32;
		return IOMM_OK;
	case R_QUEUE_DRIVER_LO:
		q->driver = (q->driver & ~0xffffffffull) | v;
		return IOMM_OK;
	case R_QUEUE_DRIVER_HI:
		q->driver = (q->driver & 0xffffffffull) | (uint64_t)v << 32;
		return IOMM_OK;
	case R_QUEUE_DEVICE_LO:
		q->device = (q->device & ~0xffffffffull) | v;
		return IOMM_OK;
	default: /* R_QUEUE_DEVICE_HI */
		q->device = (q->device & 0xffffffffull) | (uint64_t)v << 32;
		return IOMM_OK;
	}
}

static int notify(struct iomm_vmmio_front *f, uint32_t v)
{
	const struct iomm_port *port = fport(f);
	if (v >= 2)
		return IOMM_REFUSE(port, IOMM_EINVAL, "QueueNotify: no such queue");
	if (!live(f, v))
		return IOMM_REFUSE(port, IOMM_EPERM,
				   "QueueNotify: before DRIVER_OK, queue not ready, or NEEDS_RESET");
	if (v == 0)
		return serve_requests(f);
	int n = deliver_events(f);
	return n < 0 ? n : IOMM_OK;
}

static int reg_write(struct iomm_vmmio_front *f, uint32_t off, uint32_t v)
{
	const struct iomm_port *port = fport(f);
	switch (off) {
	case R_DEV_FEATURES_SEL:
		f->dev_features_sel = v;
		return IOMM_OK;
	case R_DRV_FEATURES_SEL:
		f->drv_features_sel = v;
		return IOMM_OK;
	case R_DRV_FEATURES:
		/* 3.1.1 step 5: between DRIVER and FEATURES_OK. */
		if (!(f->status & S_DRIVER) || (f->status & S_FEATURES_OK))
			return IOMM_REFUSE(port, IOMM_EPERM,
					   "DriverFeatures: not between DRIVER and FEATURES_OK");
		if (f->drv_features_sel == 0)
			f->driver_features = (f->driver_features & ~0xffffffffull) | v;
		else if (f->drv_features_sel == 1)
			f->driver_features = (f->driver_features & 0xffffffffull) | (uint64_t)v << 32;
		else if (v)
			return IOMM_REFUSE(port, IOMM_ENOTSUP, "DriverFeatures: bits beyond 63");
		return IOMM_OK;
	case R_QUEUE_SEL:
		f->queue_sel = v;
		return IOMM_OK;
	case R_QUEUE_NUM:
	case R_QUEUE_READY:
	case R_QUEUE_DESC_LO:
	case R_QUEUE_DESC_HI:
	case R_QUEUE_DRIVER_LO:
	case R_QUEUE_DRIVER_HI:
	case R_QUEUE_DEVICE_LO:
	case R_QUEUE_DEVICE_HI:
		return queue_write(f, off, v);
	case R_QUEUE_NOTIFY:
		return notify(f, v);
	case R_INT_ACK:
		f->isr &= ~v;
		irq_update(f);
		return IOMM_OK;
	case R_STATUS:
		return status_write(f, v);
	case R_SHM_SEL:
		return IOMM_OK; /* no shared memory regions */
	default:
		return IOMM_REFUSE(port, IOMM_EPERM, "register: read-only or reserved");
	}
}

static uint32_t reg_read(struct iomm_vmmio_front *f, uint32_t off)
{
	const struct iomm_vmmio_queue *q = sel_queue(f);
	switch (off) {
	case R_MAGIC:
		return MAGIC_VALUE;
	case R_VERSION:
		return VERSION_MODERN;
	case R_DEVICE_ID:
		return IOMM_VMMIO_DEVICE_ID;
	case R_VENDOR_ID:
		return IOMM_VMMIO_VENDOR_ID;
	case R_DEV_FEATURES:
		if (f->dev_features_sel > 1)
			return 0;
		return (uint32_t)(f->offered >> (32 * f->dev_features_sel));
	case R_QUEUE_NUM_MAX:
		return q ? f->c.queue_max : 0;
	case R_QUEUE_NUM:
		return q ? q->num : 0;
	case R_QUEUE_READY:
		return q && q->ready ? 1u : 0u;
	case R_INT_STATUS:
		return f->isr;
	case R_STATUS:
		return f->status;
	case R_QUEUE_DESC_LO:
		return q ? (uint32_t)q->desc : 0;
	case R_QUEUE_DESC_HI:
		return q ? (uint32_t)(q->desc >> 32) : 0;
	case R_QUEUE_DRIVER_LO:
		return q ? (uint32_t)q->driver : 0;
	case R_QUEUE_DRIVER_HI:
		return q ? (uint32_t)(q->driver >> 32) : 0;
	case R_QUEUE_DEVICE_LO:
		return q ? (uint32_t)q->device : 0;
	case R_QUEUE_DEVICE_HI:
		return q ? (uint32_t)(q->device >> 32) : 0;
	case R_CONFIG_GEN:
		return 0; /* the driver changes the only writable field itself */
	default:
		/* 4.2.2: SHMLen/SHMBase of a region that does not exist read as -1. */
		if (off >= R_SHM_LEN_LO && off <= R_SHM_BASE_HI)
			return 0xffffffffu;
		return 0; /* write-only and reserved registers, QueueReset */
	}
}

static int config_access(struct iomm_vmmio_front *f, uint32_t off, unsigned width, bool is_write,
			 uint32_t *val)
{
	const struct iomm_port *port = fport(f);
	if (is_write) {
		/* config.bypass is the only field the driver may write. */
		if (off != IOMM_VIOMMU_CFG_BYPASS || (width != 1 && width != 4))
			return IOMM_REFUSE(port, IOMM_EPERM,
					   "configuration: only config.bypass is writable");
		return iomm_viommu_dev_set_bypass(f->c.vm, (uint8_t)*val);
	}
	uint8_t c[IOMM_VIOMMU_CFG_SIZE];
	int rc = iomm_viommu_dev_config(f->c.vm, c, sizeof(c));
	if (rc)
		return rc;
	uint32_t v = 0;
	for (unsigned i = 0; i < width; i++)
		v |= (uint32_t)c[off + i] << (8 * i);
	*val = v;
	return IOMM_OK;
}

int iomm_vmmio_front_access(struct iomm_vmmio_front *f, uint32_t offset, unsigned width,
			    bool is_write, uint32_t *val)
{
	if (!f || !f->up || !val)
		return IOMM_REFUSE(f && f->up ? fport(f) : NULL, IOMM_EINVAL,
				   "f, val: NULL or front not initialised");
	const struct iomm_port *port = fport(f);
	if (!is_write)
		*val = 0;
	if (width != 1 && width != 2 && width != 4)
		return IOMM_REFUSE(port, IOMM_EINVAL, "width: not 1, 2 or 4");
	if (offset & (width - 1))
		return IOMM_REFUSE(port, IOMM_EINVAL, "offset: not aligned to the width");
	if (offset < R_CONFIG) {
		/* 4.2.2.2: control registers take aligned 32-bit accesses only. */
		if (width != 4)
			return IOMM_REFUSE(port, IOMM_EINVAL, "register access: not 32 bits wide");
		if (!is_write) {
			*val = reg_read(f, offset);
			return IOMM_OK;
		}
		return reg_write(f, offset, *val);
	}
	if (offset - R_CONFIG >= IOMM_VIOMMU_CFG_SIZE)
		return IOMM_REFUSE(port, IOMM_ERANGE,
				   "offset: beyond the registers and the configuration");
	return config_access(f, offset - R_CONFIG, width, is_write, val);
}

int iomm_vmmio_front_poll(struct iomm_vmmio_front *f)
{
	if (!f || !f->up)
		return IOMM_REFUSE(NULL, IOMM_EINVAL, "f: NULL or front not initialised");
	return deliver_events(f);
}
