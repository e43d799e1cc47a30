/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Split virtqueues in caller memory (virtio 1.2, 2.7), shared by the
 * virtio-pci and virtio-mmio transports. Ring memory is written with
 * naturally aligned single accesses, little-endian (2.7.5-2.7.8).
 */
#include "virtqueue.h"

#include "iomm_internal.h"

_Static_assert(IOMM_VIOMMU_PCI_REQ_SLOTS == IOMM_VQ_REQ_SLOTS &&
		   IOMM_VIOMMU_MMIO_REQ_SLOTS == IOMM_VQ_REQ_SLOTS,
	       "both transports use the shared request queue");
_Static_assert(IOMM_VIOMMU_PCI_EVENT_BUF == IOMM_VQ_EVENT_BUF &&
		   IOMM_VIOMMU_MMIO_EVENT_BUF == IOMM_VQ_EVENT_BUF,
	       "both transports use the shared event buffers");
_Static_assert(IOMM_VIOMMU_PCI_MIN_BOUNCE == IOMM_VQ_MIN_BOUNCE &&
		   IOMM_VIOMMU_MMIO_MIN_BOUNCE == IOMM_VQ_MIN_BOUNCE,
	       "both transports use the shared bounce area");

/* 2.7.5: le64 addr, le32 len, le16 flags, le16 next */
#define VQ_DESC_SIZE 16u
#define VQ_DESC_F_NEXT 1u
#define VQ_DESC_F_WRITE 2u
/* 2.7.6: le16 flags, le16 idx, le16 ring[] */
#define VQ_AVAIL_F_NO_INTERRUPT 1u

#define RQ IOMM_VQ_REQ_SLOTS
#define EVQ 1u

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define LE16(v) ((uint16_t)__builtin_bswap16(v))
#define LE32(v) ((uint32_t)__builtin_bswap32(v))
#else
#define LE16(v) ((uint16_t)(v))
#define LE32(v) ((uint32_t)(v))
#endif

static volatile uint16_t *m16(const struct iomm_vq *v, size_t off)
{
	return (volatile uint16_t *)(void *)(v->mem + off);
}

static volatile uint32_t *m32(const struct iomm_vq *v, size_t off)
{
	return (volatile uint32_t *)(void *)(v->mem + off);
}

static void put16(const struct iomm_vq *v, size_t off, uint16_t val)
{
	*m16(v, off) = LE16(val);
}

static uint16_t get16(const struct iomm_vq *v, size_t off)
{
	return LE16(*m16(v, off));
}

static void put32(const struct iomm_vq *v, size_t off, uint32_t val)
{
	*m32(v, off) = LE32(val);
}

static uint32_t get32(const struct iomm_vq *v, size_t off)
{
	return LE32(*m32(v, off));
}

static void set_desc(const struct iomm_vq *v, unsigned q, uint16_t i, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	size_t d = v->off_desc[q] + (size_t)i * VQ_DESC_SIZE;
	put32(v, d, (uint32_t)addr);
	put32(v, d + 4, (uint32_t)(addr >> 32));
	put32(v, d + 8, len);
	put16(v, d + 12, flags);
	put16(v, d + 14, next);
}

/* Puts descriptor @head into queue @q's available ring and rings the doorbell. */
static void publish(struct iomm_vq *v, unsigned q, uint16_t size, uint16_t head)
{
	put16(v, v->off_avail[q] + 4 + 2u * (v->avail_idx[q] % size), head);
	iomm_port_wmb(v->port);
	v->avail_idx[q]++;
	put16(v, v->off_avail[q] + 2, v->avail_idx[q]);
	iomm_port_mb(v->port);
	v->notify(v->ctx, q);
}

/* 2.7: alignment of descriptors 16, available ring 2, used ring 4. */
static size_t layout(struct iomm_vq *v, uint16_t nevt)
{
	size_t off = 0;
	const uint16_t n[2] = {RQ, nevt};
	for (unsigned q = 0; q < 2; q++) {
		off = align_up(off, 16);
		if (v)
			v->off_desc[q] = off;
		off += (size_t)VQ_DESC_SIZE * n[q];
		if (v)
			v->off_avail[q] = off;
		off += 6u + 2u * n[q];
		off = align_up(off, 4);
		if (v)
			v->off_used[q] = off;
		off += 6u + 8u * n[q];
	}
	off = align_up(off, 16);
	if (v)
		v->off_evt = off;
	off += (size_t)IOMM_VQ_EVENT_BUF * nevt;
	off = align_up(off, 16);
	if (v)
		v->off_bounce = off;
	return off;
}

size_t iomm_vq_mem_size(uint16_t nevt)
{
	return layout(NULL, nevt) + IOMM_VQ_MIN_BOUNCE;
}

void iomm_vq_init(struct iomm_vq *v, const struct iomm_port *port, void *mem, uint64_t mem_pa,
		  size_t mem_size, uint16_t nevt, uint64_t timeout_ns,
		  void (*notify)(void *ctx, unsigned q), void *ctx)
{
	*v = (struct iomm_vq){
	    .port = port,
	    .mem = mem,
	    .mem_pa = mem_pa,
	    .timeout_ns = timeout_ns,
	    .notify = notify,
	    .ctx = ctx,
	    .nevt = nevt,
	    .broken = true, /* until DRIVER_OK */
	};
	layout(v, nevt);
	v->bounce_size = mem_size - v->off_bounce;
}

uint64_t iomm_vq_part_pa(const struct iomm_vq *v, unsigned q, enum iomm_vq_part part)
{
	size_t off = part == IOMM_VQ_DESC ? v->off_desc[q]
		     : part == IOMM_VQ_DRIVER ? v->off_avail[q]
					      : v->off_used[q];
	return v->mem_pa + off;
}

void iomm_vq_rings_reset(struct iomm_vq *v)
{
	for (size_t o = 0; o < v->off_bounce; o += 4)
		put32(v, o, 0);
	for (unsigned q = 0; q < 2; q++) {
		v->avail_idx[q] = 0;
		v->used_idx[q] = 0;
		put16(v, v->off_avail[q], VQ_AVAIL_F_NO_INTERRUPT);
	}
	for (uint16_t i = 0; i < v->nevt; i++)
		set_desc(v, EVQ, i, v->mem_pa + v->off_evt + (size_t)i * IOMM_VQ_EVENT_BUF,
			 IOMM_VQ_EVENT_BUF, VQ_DESC_F_WRITE, 0);
	iomm_port_wmb(v->port);
}

void iomm_vq_start(struct iomm_vq *v)
{
	v->broken = false;
	for (uint16_t i = 0; i < v->nevt; i++)
		put16(v, v->off_avail[EVQ] + 4 + 2u * i, i);
	iomm_port_wmb(v->port);
	v->avail_idx[EVQ] = v->nevt;
	put16(v, v->off_avail[EVQ] + 2, v->avail_idx[EVQ]);
	iomm_port_mb(v->port);
	v->notify(v->ctx, EVQ);
}

bool iomm_vq_expired(const struct iomm_vq *v, uint64_t t0)
{
	return v->port->now_ns(v->port->ctx) - t0 > v->timeout_ns;
}

int iomm_vq_request(struct iomm_vq *v, const void *req, size_t req_len, void *resp,
		    size_t resp_len)
{
	if (v->broken)
		return IOMM_EIO;
	size_t ro = align_up(req_len, 16);
	if (!req_len || resp_len < IOMM_VIOMMU_TAIL_SIZE || ro > v->bounce_size ||
	    resp_len > v->bounce_size - ro)
		return IOMM_EINVAL;
	uint8_t *b = v->mem + v->off_bounce;
	const uint8_t *in = req;
	for (size_t i = 0; i < req_len; i++)
		b[i] = in[i];
	for (size_t i = 0; i < resp_len; i++)
		b[ro + i] = 0;
	b[ro + resp_len - IOMM_VIOMMU_TAIL_SIZE] = 0xff;
	uint64_t pa = v->mem_pa + v->off_bounce;
	set_desc(v, 0, 0, pa, (uint32_t)req_len, VQ_DESC_F_NEXT, 1);
	set_desc(v, 0, 1, pa + ro, (uint32_t)resp_len, VQ_DESC_F_WRITE, 0);
	publish(v, 0, RQ, 0);

	uint64_t t0 = v->port->now_ns(v->port->ctx);
	while (get16(v, v->off_used[0] + 2) == v->used_idx[0]) {
		if (iomm_vq_expired(v, t0)) {
			/* The device may still write the bounce area: stop using it. */
			v->broken = true;
			return IOMM_ETIMEDOUT;
		}
		if (v->port->relax)
			v->port->relax(v->port->ctx);
	}
	iomm_port_mb(v->port);
	size_t e = v->off_used[0] + 4 + 8u * (v->used_idx[0] % RQ);
	uint32_t id = get32(v, e), len = get32(v, e + 4);
	v->used_idx[0]++;
	if (id != 0 || len < IOMM_VIOMMU_TAIL_SIZE || len > resp_len) {
		v->broken = true;
		return IOMM_EIO;
	}
	uint8_t *out = resp;
	for (size_t i = 0; i < resp_len; i++)
		out[i] = b[ro + i];
	if (len < resp_len)
		out[resp_len - IOMM_VIOMMU_TAIL_SIZE] = b[ro + len - IOMM_VIOMMU_TAIL_SIZE];
	return IOMM_OK;
}

int iomm_vq_event_get(struct iomm_vq *v, void *buf, size_t cap)
{
	if (v->broken)
		return IOMM_EIO;
	if (get16(v, v->off_used[EVQ] + 2) == v->used_idx[EVQ])
		return 0;
	iomm_port_mb(v->port);
	size_t e = v->off_used[EVQ] + 4 + 8u * (v->used_idx[EVQ] % v->nevt);
	uint32_t id = get32(v, e), len = get32(v, e + 4);
	v->used_idx[EVQ]++;
	if (id >= v->nevt) {
		v->broken = true;
		return IOMM_EIO;
	}
	if (len > IOMM_VQ_EVENT_BUF)
		len = IOMM_VQ_EVENT_BUF;
	if (len > cap)
		len = (uint32_t)cap;
	const uint8_t *src = v->mem + v->off_evt + (size_t)id * IOMM_VQ_EVENT_BUF;
	uint8_t *out = buf;
	for (uint32_t i = 0; i < len; i++)
		out[i] = src[i];
	/* Give the buffer back. */
	publish(v, EVQ, v->nevt, (uint16_t)id);
	return (int)len;
}
