/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vmmio.h
 * @brief Host role: a virtio-mmio front for the virtio-iommu device model,
 *        driven by a hypervisor's MMIO trap handler.
 * @ingroup vmmio
 */
#ifndef IOMMUMAN_VMMIO_H
#define IOMMUMAN_VMMIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup vmmio Host role: virtio-mmio front of the device model
 * @{
 * A hypervisor that gives a guest a virtio-iommu behind a memory-mapped
 * window (virtio 1.2, 4.2 "Virtio Over MMIO", version 2) leaves the window
 * unmapped in stage 2 and hands every trapped access to
 * iomm_vmmio_front_access(). The front implements the register file
 * (MagicValue, Version, DeviceID 23, feature negotiation, Status, the
 * queue registers, InterruptStatus/ACK, ConfigGeneration and the
 * device configuration at 0x100), and on QueueNotify walks the request
 * queue's split virtqueue, hands each request to iomm_viommu_dev_handle()
 * and writes the used ring; fault events of the model go into the event
 * queue's buffers (iomm_vmmio_front_poll()).
 *
 * The front never dereferences a guest address: it reaches guest memory
 * only through the copy hooks of struct iomm_vmmio_front_cfg, which must
 * refuse any range outside the VM's memory map A.
 *
 * Hostile rings fail closed. A descriptor chain is checked completely
 * before the model sees the request: head and next indices inside the
 * queue, at most ::IOMM_VMMIO_MAX_CHAIN descriptors (so a loop ends), no
 * VIRTQ_DESC_F_INDIRECT (never offered), device-readable descriptors
 * before device-writable ones, at most ::IOMM_VMMIO_REQ_MAX readable and
 * ::IOMM_VMMIO_RESP_MAX writable bytes, every buffer inside A (the copy
 * hooks said so). A chain that breaks a rule is not followed and no
 * request runs: the device sets DEVICE_NEEDS_RESET (0x40) in Status,
 * raises InterruptStatus bit 1 (configuration change) and ignores both
 * queues until the guest resets it (Status = 0), which also calls
 * iomm_viommu_dev_reset(). The VM's mappings are unchanged by the broken
 * request.
 *
 * Offered features: those of iomm_viommu_dev_features() (device bits
 * 0-23) plus VIRTIO_F_VERSION_1. VIRTIO_F_INDIRECT_DESC, EVENT_IDX,
 * ACCESS_PLATFORM and the other transport features are never offered.
 * FEATURES_OK is only kept when the driver accepted a subset of the
 * offer that contains VERSION_1.
 *
 * Interrupts: InterruptStatus bit 0 (used buffer) is set when a used
 * buffer was added to a queue whose driver did not set
 * VIRTQ_AVAIL_F_NO_INTERRUPT, bit 1 when the device needs a reset;
 * iomm_vmmio_front_cfg::irq_set follows the level (InterruptStatus != 0).
 *
 * All calls on one front, and the calls on its VM, must be serialised by
 * the caller (one lock per emulated device).
 */

/** Bytes of the register window the hypervisor traps (registers, then the configuration at 0x100). */
#define IOMM_VMMIO_WINDOW 0x200u
/** DeviceID register: virtio-iommu. */
#define IOMM_VMMIO_DEVICE_ID 23u
/** VendorID register ("iomm", little-endian). */
#define IOMM_VMMIO_VENDOR_ID 0x6d6d6f69u
/** Default QueueNumMax of both queues. */
#define IOMM_VMMIO_QUEUE_MAX 64u
/** Most descriptors one chain may have. */
#define IOMM_VMMIO_MAX_CHAIN 8u
/** Most device-readable bytes of one request (a PROBE request has 72). */
#define IOMM_VMMIO_REQ_MAX 128u
/** Most device-writable bytes of one request: probe_size (at most 1024) plus the tail. */
#define IOMM_VMMIO_RESP_MAX 1028u

/** @brief What the front needs from the hypervisor. */
struct iomm_vmmio_front_cfg {
	/** The VM whose device model answers (initialised with iomm_vm_init()). Required. */
	struct iomm_vm *vm;
	/** Passed unchanged as the first argument of the hooks. */
	void *ctx;
	/**
	 * Copy @p len bytes of guest-physical memory at @p gpa into @p buf.
	 * Must return ::IOMM_EFAULT (and copy nothing) unless the whole range
	 * lies in guest RAM of the VM's memory map A. Required.
	 */
	int (*guest_read)(void *ctx, uint64_t gpa, void *buf, size_t len);
	/**
	 * Copy @p len bytes from @p buf to guest-physical @p gpa. Must return
	 * ::IOMM_EFAULT (and copy nothing) unless the whole range lies in
	 * writable guest RAM of A. Required.
	 */
	int (*guest_write)(void *ctx, uint64_t gpa, const void *buf, size_t len);
	/**
	 * The device's interrupt line changed: @p level is true while
	 * InterruptStatus is non-zero. Optional (NULL: the guest polls).
	 * Called from iomm_vmmio_front_access() and iomm_vmmio_front_poll().
	 */
	void (*irq_set)(void *ctx, bool level);
	/** QueueNumMax of both queues, a power of two up to 32768; 0: ::IOMM_VMMIO_QUEUE_MAX. */
	uint16_t queue_max;
};

/** @cond INTERNAL */
struct iomm_vmmio_queue {
	uint64_t desc, driver, device;
	uint16_t num;
	uint16_t last_avail;
	uint16_t used_idx;
	bool ready;
};

struct iomm_vmmio_seg {
	uint64_t gpa;
	uint32_t len;
};
/** @endcond */

/** @brief One emulated virtio-mmio virtio-iommu. Caller-allocated; fields are private. */
struct iomm_vmmio_front {
	/** @cond INTERNAL */
	struct iomm_vmmio_front_cfg c;
	uint64_t offered;
	uint64_t driver_features;
	uint32_t dev_features_sel;
	uint32_t drv_features_sel;
	uint32_t queue_sel;
	uint32_t status;
	uint32_t isr;
	int error;
	bool irq_level;
	bool up;
	struct iomm_vmmio_queue q[2];
	struct iomm_vmmio_seg seg[IOMM_VMMIO_MAX_CHAIN];
	unsigned nseg;
	uint8_t req[IOMM_VMMIO_REQ_MAX];
	uint8_t resp[IOMM_VMMIO_RESP_MAX];
	/** @endcond */
};

/**
 * @brief Prepare a front for @p cfg->vm: device status 0 (reset), no
 *        queue ready, interrupt line low.
 * @param f   Front (caller-allocated).
 * @param cfg Hooks and VM (copied).
 * @retval IOMM_OK     Ready for the guest's first access.
 * @retval IOMM_EINVAL NULL argument, a required hook or the VM missing, an
 *                     uninitialised VM, queue_max not a power of two, or a
 *                     VM whose probe_size does not fit ::IOMM_VMMIO_RESP_MAX.
 *
 * @par Context
 * Fills @p f and reads the VM's configuration: no lock, no hook. Never
 * sleeps; any context.
 */
int iomm_vmmio_front_init(struct iomm_vmmio_front *f, const struct iomm_vmmio_front_cfg *cfg);

/**
 * @brief Emulate one trapped guest access to the register window.
 *
 * Registers (offsets below 0x100) take aligned 32-bit accesses only; the
 * device configuration (0x100 + 0 .. ::IOMM_VIOMMU_CFG_SIZE - 1) takes
 * aligned 8, 16 and 32-bit reads, and writes of config.bypass (8 bits at
 * 0x124, or 32 bits whose low byte is bypass and the rest reserved). A
 * refused access changes nothing; a refused read returns 0 in @p *val.
 * A QueueNotify write serves the queue before returning (requests run
 * through iomm_viommu_dev_handle(), events through
 * iomm_vmmio_front_poll()).
 *
 * @param f        The front.
 * @param offset   Byte offset in the window.
 * @param width    Access size in bytes: 1, 2 or 4.
 * @param is_write True for a store of @p *val, false for a load into @p *val.
 * @param val      The value stored, or receives the value loaded
 *                 (little-endian register contents, zero-extended).
 * @retval IOMM_OK      Emulated (for QueueNotify: the queue was served).
 * @retval IOMM_EINVAL  NULL argument, uninitialised front, a width other
 *                      than 1, 2 or 4, a misaligned access, a register
 *                      access that is not 32 bits, a QueueNotify or queue
 *                      register of a queue other than 0 and 1, a QueueNum
 *                      of 0, above QueueNumMax or not a power of two, a
 *                      QueueReady without a valid size or with misaligned
 *                      ring addresses; or a QueueNotify found a malformed
 *                      descriptor chain (index out of range, loop or more
 *                      than ::IOMM_VMMIO_MAX_CHAIN descriptors, readable
 *                      after writable, too many bytes, available index
 *                      more than the queue size ahead): NEEDS_RESET set.
 * @retval IOMM_ENOTSUP A QueueNotify found VIRTQ_DESC_F_INDIRECT (not
 *                      negotiated): NEEDS_RESET set; or the driver set
 *                      FEATURES_OK with features outside the offer or
 *                      without VERSION_1 (FEATURES_OK stays clear).
 * @retval IOMM_EFAULT  A QueueNotify met a ring or buffer that the copy
 *                      hooks refused (outside A): NEEDS_RESET set.
 * @retval IOMM_EPERM   A write to a read-only register or configuration
 *                      field, a status write that clears bits without
 *                      resetting, DRIVER_OK without FEATURES_OK, feature
 *                      or queue set-up outside its status window, a
 *                      QueueNotify before DRIVER_OK, on a queue that is
 *                      not ready, or while NEEDS_RESET is set; also a
 *                      bypass write when F_BYPASS_CONFIG is not offered.
 * @retval IOMM_ERANGE  @p offset outside the registers and the
 *                      configuration (reads return 0).
 * @return Errors of iomm_viommu_dev_reset() for a Status write of 0 (the
 *         front is reset anyway), and of iomm_viommu_dev_set_bypass().
 *
 * @par Context
 * Takes no lock of its own: calls on one front and its VM are serialised by
 * the caller. Register accesses only read and write @p f; a QueueNotify
 * copies guest memory through the hooks and runs requests on the real units
 * (their locks, pool pages, invalidation), and a Status write of 0 resets
 * the model. May sleep only if those hooks can; meant for the hypervisor's
 * trap handler in thread context (or one that may wait for the IOMMU).
 */
int iomm_vmmio_front_access(struct iomm_vmmio_front *f, uint32_t offset, unsigned width,
			    bool is_write, uint32_t *val);

/**
 * @brief Deliver queued fault events of the VM into the event queue's
 *        available buffers, and raise the interrupt when any was used.
 *
 * Call it after iomm_vm_fault_route() queued events (the guest's
 * QueueNotify of the event queue does the same). Each buffer must be one
 * chain of device-writable descriptors of at least
 * ::IOMM_VIOMMU_FAULT_SIZE bytes in total.
 *
 * @param f The front.
 * @return The number of events delivered (0 when the queue is not live,
 *         has no buffer, or no event is queued), or
 * @retval IOMM_EINVAL  NULL or uninitialised front, or a malformed event
 *                      chain (as for iomm_vmmio_front_access()): NEEDS_RESET set.
 * @retval IOMM_ENOTSUP An indirect descriptor: NEEDS_RESET set.
 * @retval IOMM_EFAULT  A ring or buffer outside A: NEEDS_RESET set.
 *
 * @par Context
 * Takes no lock of its own: serialised with the other calls on the front
 * and its VM. Copies guest memory through the hooks and may call irq_set.
 * Never sleeps unless those hooks do; any context they allow.
 */
int iomm_vmmio_front_poll(struct iomm_vmmio_front *f);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* IOMMUMAN_VMMIO_H */
