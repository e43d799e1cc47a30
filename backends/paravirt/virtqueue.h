/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The split-virtqueue driver both virtio transports share (virtio 1.2, 2.7
 * "Split Virtqueues"): queue 0 carries requests through a bounce area,
 * queue 1 hands event buffers to the device. The transports (virtio-pci,
 * virtio-mmio) differ only in how they reach the device's registers; the
 * rings, their layout in caller memory and the request/event protocol are
 * here. State lives in struct iomm_vq inside the transport object.
 */
#ifndef IOMM_PARAVIRT_VIRTQUEUE_H
#define IOMM_PARAVIRT_VIRTQUEUE_H

#include <iommuman/paravirt.h>

/** Request queue entries (two descriptors per request, one in flight). */
#define IOMM_VQ_REQ_SLOTS 4u
/** Bytes of one event buffer (struct virtio_iommu_fault is 24 bytes). */
#define IOMM_VQ_EVENT_BUF 32u
/** Smallest bounce area: the largest request plus its response. */
#define IOMM_VQ_MIN_BOUNCE 640u

/** Ring parts of a queue, for the transport's queue registers. */
enum iomm_vq_part { IOMM_VQ_DESC, IOMM_VQ_DRIVER, IOMM_VQ_DEVICE };

/*
 * Bytes of queue memory for @nevt event buffers (a power of two), bounce
 * area included.
 */
size_t iomm_vq_mem_size(uint16_t nevt);

/*
 * Lays the rings out in @mem (16-byte aligned, at least
 * iomm_vq_mem_size(nevt) bytes, at bus address @mem_pa); @notify rings
 * the transport's doorbell for a queue. The queues stay unusable (every
 * request is IOMM_EIO) until iomm_vq_start().
 */
void iomm_vq_init(struct iomm_vq *v, const struct iomm_port *port, void *mem, uint64_t mem_pa,
		  size_t mem_size, uint16_t nevt, uint64_t timeout_ns,
		  void (*notify)(void *ctx, unsigned q), void *ctx);

/* Bus address of a part of queue @q, for QueueDesc/Driver/Device. */
uint64_t iomm_vq_part_pa(const struct iomm_vq *v, unsigned q, enum iomm_vq_part part);

/*
 * Fresh rings before the queues are given to the device: indices 0, no
 * interrupts wanted (everything is polled), every event descriptor
 * pointing at its buffer.
 */
void iomm_vq_rings_reset(struct iomm_vq *v);

/* After DRIVER_OK: the queues are usable; every event buffer goes to the device. */
void iomm_vq_start(struct iomm_vq *v);

/* True once the port's clock passed @t0 plus the transport's bound. */
bool iomm_vq_expired(const struct iomm_vq *v, uint64_t t0);

/* iomm_viommu_transport::request and ::event_get over these rings. */
int iomm_vq_request(struct iomm_vq *v, const void *req, size_t req_len, void *resp,
		    size_t resp_len);
int iomm_vq_event_get(struct iomm_vq *v, void *buf, size_t cap);

#endif
