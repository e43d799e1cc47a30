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

/* split virtqueue (2.7.5, 2.7.6, 2.7.8) */
#define VQ_DESC_SIZE 16u
#define VQ_DESC_F_NEXT 1u
#define VQ_DESC_F_WRITE 2u
#define VQ_AVAIL_F_NO_INTERRUPT 1u

#define RQ IOMM_VIOMMU_MMIO_REQ_SLOTS

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

static volatile uint16_t *m16(const struct iomm_viommu_mmio *m, size_t off)
{
	return (volatile uint16_t *)(void *)((uint8_t *)m->c.mem + off);
}

static volatile uint32_t *m32(const struct iomm_viommu_mmio *m, size_t off)
{
	return (volatile uint32_t *)(void *)((uint8_t *)m->c.mem + off);
}

static void put16(const struct iomm_viommu_mmio *m, size_t off, uint16_t v)
{
	*m16(m, off) = LE16(v);
}

static uint16_t get16(const struct iomm_viommu_mmio *m, size_t off)
{
	return LE16(*m16(m, off));
}

static void put32(const struct iomm_viommu_mmio *m, size_t off, uint32_t v)
{
	*m32(m, off) = LE32(v);
}

static uint32_t get32(const struct iomm_viommu_mmio *m, size_t off)
{
	return LE32(*m32(m, off));
}

/* 2.7.5: le64 addr, le32 len, le16 flags, le16 next */
static void set_desc(const struct iomm_viommu_mmio *m, unsigned q, uint16_t i, uint64_t addr,
		     uint32_t len, uint16_t flags, uint16_t next)
{
	size_t d = m->off_desc[q] + (size_t)i * VQ_DESC_SIZE;
	put32(m, d, (uint32_t)addr);
	put32(m, d + 4, (uint32_t)(addr >> 32));
	put32(m, d + 8, len);
	put16(m, d + 12, flags);
	put16(m, d + 14, next);
}

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

static void notify(const struct iomm_viommu_mmio *m, unsigned q)
{
	iomm_port_mb(m->port);
	wr(m, VM_QUEUE_NOTIFY, q);
}

static void relax(const struct iomm_viommu_mmio *m)
{
	if (m->port->relax)
		m->port->relax(m->port->ctx);
}

static bool expired(const struct iomm_viommu_mmio *m, uint64_t t0)
{
	return m->port->now_ns(m->port->ctx) - t0 > m->c.timeout_ns;
}

/* ---- layout: 2.7 alignment (descriptors 16, available ring 2, used ring 4) ---- */
static size_t layout(struct iomm_viommu_mmio *m, uint16_t nevt)
{
	size_t off = 0;
	const uint16_t n[2] = {RQ, nevt};
	for (unsigned q = 0; q < 2; q++) {
		off = align_up(off, 16);
		if (m)
			m->off_desc[q] = off;
		off += (size_t)VQ_DESC_SIZE * n[q];
		if (m)
			m->off_avail[q] = off;
		off += 6u + 2u * n[q];
		off = align_up(off, 4);
		if (m)
			m->off_used[q] = off;
		off += 6u + 8u * n[q];
	}
	off = align_up(off, 16);
	if (m)
		m->off_evt = off;
	off += (size_t)IOMM_VIOMMU_MMIO_EVENT_BUF * nevt;
	off = align_up(off, 16);
	if (m)
		m->off_bounce = off;
	return off;
}

size_t iomm_viommu_mmio_mem_size(uint16_t event_slots)
{
	return layout(NULL, event_slots ? event_slots : 64) + IOMM_VIOMMU_MMIO_MIN_BOUNCE;
}

/* ---- transport hooks ---- */
static int vm_request(void *ctx, const void *req, size_t req_len, void *resp, size_t resp_len)
{
	struct iomm_viommu_mmio *m = ctx;
	if (m->broken)
		return IOMM_EIO;
	size_t ro = align_up(req_len, 16);
	if (!req_len || resp_len < IOMM_VIOMMU_TAIL_SIZE || ro > m->bounce_size ||
	    resp_len > m->bounce_size - ro)
		return IOMM_EINVAL;
	uint8_t *b = (uint8_t *)m->c.mem + m->off_bounce;
	const uint8_t *in = req;
	for (size_t i = 0; i < req_len; i++)
		b[i] = in[i];
	for (size_t i = 0; i < resp_len; i++)
		b[ro + i] = 0;
	b[ro + resp_len - IOMM_VIOMMU_TAIL_SIZE] = 0xff;
	uint64_t pa = m->c.mem_pa + m->off_bounce;
	set_desc(m, 0, 0, pa, (uint32_t)req_len, VQ_DESC_F_NEXT, 1);
	set_desc(m, 0, 1, pa + ro, (uint32_t)resp_len, VQ_DESC_F_WRITE, 0);
	put16(m, m->off_avail[0] + 4 + 2u * (m->avail_idx[0] % RQ), 0);
	iomm_port_wmb(m->port);
	m->avail_idx[0]++;
	put16(m, m->off_avail[0] + 2, m->avail_idx[0]);
	notify(m, 0);

	uint64_t t0 = m->port->now_ns(m->port->ctx);
	while (get16(m, m->off_used[0] + 2) == m->used_idx[0]) {
		if (expired(m, t0)) {
			/* The device may still write the bounce area: stop using it. */
			m->broken = true;
			return IOMM_ETIMEDOUT;
		}
		relax(m);
	}
	iomm_port_mb(m->port);
	size_t e = m->off_used[0] + 4 + 8u * (m->used_idx[0] % RQ);
	uint32_t id = get32(m, e), len = get32(m, e + 4);
	m->used_idx[0]++;
	if (id != 0 || len < IOMM_VIOMMU_TAIL_SIZE || len > resp_len) {
		m->broken = true;
		return IOMM_EIO;
	}
	uint8_t *out = resp;
	for (size_t i = 0; i < resp_len; i++)
		out[i] = b[ro + i];
	if (len < resp_len)
		out[resp_len - IOMM_VIOMMU_TAIL_SIZE] = b[ro + len - IOMM_VIOMMU_TAIL_SIZE];
	return IOMM_OK;
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
	if (rd(m, VM_QUEUE_READY) != 0)
		return IOMM_ENOTSUP;
	uint32_t max = rd(m, VM_QUEUE_NUM_MAX);
	if (max < n)
		return IOMM_ENOTSUP;
	wr(m, VM_QUEUE_NUM, n);
	const size_t offs[3] = {m->off_desc[q], m->off_avail[q], m->off_used[q]};
	const uint32_t regs[3] = {VM_QUEUE_DESC, VM_QUEUE_DRIVER, VM_QUEUE_DEVICE};
	for (unsigned i = 0; i < 3; i++) {
		uint64_t a = m->c.mem_pa + offs[i];
		wr(m, regs[i], (uint32_t)a);
		wr(m, regs[i] + 4, (uint32_t)(a >> 32));
	}
	wr(m, VM_QUEUE_READY, 1);
	if (rd(m, VM_QUEUE_READY) != 1)
		return IOMM_ENOTSUP;
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
		return IOMM_ENOTSUP;
	}
	s |= VS_FEATURES_OK;

	/* Fresh rings: no interrupts wanted (everything is polled). */
	size_t end = m->off_bounce;
	for (size_t o = 0; o < end; o += 4)
		put32(m, o, 0);
	for (unsigned q = 0; q < 2; q++) {
		m->avail_idx[q] = 0;
		m->used_idx[q] = 0;
		put16(m, m->off_avail[q], VQ_AVAIL_F_NO_INTERRUPT);
	}
	for (uint16_t i = 0; i < m->nevt; i++)
		set_desc(m, 1, i, m->c.mem_pa + m->off_evt + (size_t)i * IOMM_VIOMMU_MMIO_EVENT_BUF,
			 IOMM_VIOMMU_MMIO_EVENT_BUF, VQ_DESC_F_WRITE, 0);
	iomm_port_wmb(m->port);
	int rc = queue_setup(m, 0, RQ);
	if (!rc)
		rc = queue_setup(m, 1, m->nevt);
	if (rc) {
		status_set(m, s | VS_FAILED);
		return rc;
	}
	status_set(m, s | VS_DRIVER_OK);
	m->broken = false;

	/* Hand every event buffer to the device. */
	for (uint16_t i = 0; i < m->nevt; i++)
		put16(m, m->off_avail[1] + 4 + 2u * i, i);
	iomm_port_wmb(m->port);
	m->avail_idx[1] = m->nevt;
	put16(m, m->off_avail[1] + 2, m->avail_idx[1]);
	notify(m, 1);
	return IOMM_OK;
}

static int vm_event_get(void *ctx, void *buf, size_t cap)
{
	struct iomm_viommu_mmio *m = ctx;
	if (m->broken)
		return IOMM_EIO;
	if (get16(m, m->off_used[1] + 2) == m->used_idx[1])
		return 0;
	iomm_port_mb(m->port);
	size_t e = m->off_used[1] + 4 + 8u * (m->used_idx[1] % m->nevt);
	uint32_t id = get32(m, e), len = get32(m, e + 4);
	m->used_idx[1]++;
	if (id >= m->nevt) {
		m->broken = true;
		return IOMM_EIO;
	}
	if (len > IOMM_VIOMMU_MMIO_EVENT_BUF)
		len = IOMM_VIOMMU_MMIO_EVENT_BUF;
	if (len > cap)
		len = (uint32_t)cap;
	const uint8_t *src = (const uint8_t *)m->c.mem + m->off_evt +
			     (size_t)id * IOMM_VIOMMU_MMIO_EVENT_BUF;
	uint8_t *out = buf;
	for (uint32_t i = 0; i < len; i++)
		out[i] = src[i];
	/* Give the buffer back. */
	put16(m, m->off_avail[1] + 4 + 2u * (m->avail_idx[1] % m->nevt), (uint16_t)id);
	iomm_port_wmb(m->port);
	m->avail_idx[1]++;
	put16(m, m->off_avail[1] + 2, m->avail_idx[1]);
	notify(m, 1);
	return (int)len;
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
	m->nevt = nevt;
	if (!m->c.timeout_ns)
		m->c.timeout_ns = 1000000000ull;
	layout(m, nevt);
	m->bounce_size = cfg->mem_size - m->off_bounce;
	m->broken = true; /* until DRIVER_OK */

	/* 4.2.3.1.1: check MagicValue, Version and DeviceID before anything else. */
	if (rd(m, VM_MAGIC) != VM_MAGIC_VALUE)
		return IOMM_ENODEV;
	uint32_t version = rd(m, VM_VERSION);
	if (version != VM_VERSION_MODERN)
		return version == 1 ? IOMM_ENOTSUP : IOMM_ENODEV;
	if (rd(m, VM_DEVICE_ID) != IOMM_VIOMMU_MMIO_DEVICE_ID)
		return IOMM_ENODEV;

	/* 2.1 / 4.2.2.1: writing 0 to Status resets; the device reads 0 once done. */
	status_set(m, 0);
	uint64_t t0 = port->now_ns(port->ctx);
	while (status_get(m) != 0) {
		if (expired(m, t0))
			return IOMM_ETIMEDOUT;
		relax(m);
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
	};
	*out = &m->t;
	return IOMM_OK;
}
