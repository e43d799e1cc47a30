/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vm.h
 * @brief Host role: a VM's memory map, device assignment and the
 *        virtio-iommu device model (iomm_viommu_dev_*).
 * @ingroup vm
 */
#ifndef IOMMUMAN_VM_H
#define IOMMUMAN_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommu.h"
#include "pgtable.h"
#include "pool.h"
#include "virtio_iommu.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup vm Host role: VMs, assignment, virtio-iommu device model
 * @{
 * A **VM** is described by its memory map A: a list of regions, each a
 * guest-physical range backed by a host-physical range with permissions.
 * Pass-through devices are **assigned** to a VM on a hardware unit, by PCI
 * bus/device/function (any field may be ::IOMM_ANY) or by raw stream ID
 * with a don't-care mask. Identification by MMIO base is left to platform
 * discovery: the caller resolves it to a stream ID first. Per unit, the VM
 * owns one stage-2 domain that maps exactly A (created at the first
 * assignment on that unit, from the VM's own table pool) and one blocked
 * domain; an assigned device is always attached to one of them or to a
 * guest domain, so it has exactly one owner and a second assignment of the
 * same streams, to any VM or to the host, fails with ::IOMM_EBUSY.
 *
 * The **virtio-iommu device model** (iomm_viommu_dev_*) is a pure function of
 * (VM state, request bytes) to (response bytes, new state). It never
 * touches guest memory itself: the VMM copies the device-readable part of
 * a request out of the virtqueue (through whatever guest-memory access it
 * has) and hands it to iomm_viommu_dev_handle(), which fills the device-writable
 * part in a caller buffer that the VMM copies back. Each byte of the
 * request is read once, into a private copy, before anything is checked.
 *
 * Per guest domain the model creates one real stage-2 domain on the unit
 * of its endpoints: guest IOVA -> host-physical, holding only translations
 * of A. ATTACH moves the endpoint's device from its VM policy domain to
 * that domain; DETACH and reset move it back. Nothing outside A can ever be
 * mapped, and no mapping has wider permissions than the region of A it
 * comes from.
 *
 * Status codes the model returns (byte 0 of the tail):
 * | Condition                                                   | Status     |
 * |-------------------------------------------------------------|------------|
 * | success                                                     | S_OK       |
 * | device-readable part shorter than the request's layout      | S_IOERR    |
 * | MAP/UNMAP without F_MAP_UNMAP offered; ATTACH of an endpoint to a domain living on another unit | S_UNSUPP |
 * | the real unit failed (timeout, command error, unexpected)   | S_DEVERR   |
 * | non-zero ATTACH or UNMAP reserved bytes, unknown flag bits, MAP with neither READ nor WRITE, virt_end < virt_start, overlapping MAP, MAP/UNMAP on a bypass domain, bypass flag inconsistent with the domain, DETACH from a domain the endpoint is not attached to, PROBE buffer smaller than probe_size, permission escalation (flags wider than the region of A) | S_INVAL |
 * | unaligned virt_start / phys_start / virt_end + 1, range outside input_range, domain outside domain_range, guest-physical range not inside A, UNMAP that would split a mapping | S_RANGE |
 * | unknown endpoint; MAP/UNMAP of a domain that does not exist | S_NOENT    |
 * | MAP whose IOVA range overlaps a RESV_MEM region or the MSI doorbell window | S_FAULT |
 * | guest-domain, mapping or table-page quota of this VM spent  | S_NOMEM    |
 *
 * ATTACH of an endpoint that is the only one of its current domain behaves
 * as DETACH then ATTACH: the old domain's slot counts as free, so the move
 * works at full guest-domain quota (the new domain is built first; if that
 * fails, nothing changed). A VM's table pages measure what is mapped now:
 * UNMAP (and a MAP that fails part-way) gives back the intermediate tables
 * it left empty.
 *
 * Device-writable part: the tail is where the specification's layout puts
 * it, after probe_size bytes of properties for PROBE and at offset 0 for
 * the other requests, however long the part is; every other byte of it is
 * written as zero. A PROBE whose part is shorter than probe_size + 4 bytes
 * gets S_INVAL in its last four bytes.
 *
 * As the specification requires, reserved bytes of the request head, of
 * DETACH and of PROBE are ignored; an unknown request type, a PROBE without
 * F_PROBE offered, and a device-writable part too small for the tail are
 * answered with a used length of 0 and nothing written. A request that
 * fails changes nothing (the one exception: S_DEVERR after a real unit
 * failed, when the device is left blocked rather than anywhere else; if
 * the unit did not confirm a detach, the endpoint also stays attached to
 * its guest domain, so that DETACH or ATTACH can be retried).
 *
 * Calls on one VM must be serialised by the caller; calls on different VMs
 * may run concurrently as far as the units' port locks allow, except that
 * assignment of the same streams to two VMs at once is a caller bug.
 */

/** Most hardware units one VM can have devices on. */
#define IOMM_VM_MAX_UNITS 4u

/** @brief One region of a VM's memory map A. */
struct iomm_vm_region {
	uint64_t gpa;  /**< Guest-physical base, aligned to the VM granule. */
	uint64_t hpa;  /**< Host-physical base, aligned to the VM granule. */
	uint64_t size; /**< Bytes, a non-zero multiple of the granule. */
	/** ::IOMM_READ and/or ::IOMM_WRITE, optionally ::IOMM_MEM_DEVICE or ::IOMM_MEM_NC. */
	uint32_t prot;
};

/** @brief A reserved IOVA region advertised by PROBE (RESV_MEM property). */
struct iomm_vm_resv {
	uint64_t start;  /**< First IOVA. */
	uint64_t end;    /**< Last IOVA (inclusive). */
	uint8_t subtype; /**< ::IOMM_VIOMMU_RESV_T_RESERVED or ::IOMM_VIOMMU_RESV_T_MSI. */
};

/** What an endpoint that no guest domain holds may do (host policy). */
enum iomm_vm_policy {
	IOMM_VM_BLOCK = 0,   /**< Every access aborts (config.bypass = 0). */
	IOMM_VM_CONFINE = 1, /**< Identity over A only: the VM's stage-2 domain (config.bypass = 1). */
};

/** @brief One assigned device (an endpoint to the guest). Caller-allocated array; fields private. */
struct iomm_vm_endpoint {
	/** @cond INTERNAL */
	struct iomm_dev dev;
	uint32_t id;
	uint32_t gdom; /* index + 1 of the guest domain, 0: none */
	uint8_t unit;  /* index in iomm_vm::units */
	bool used;
	/** @endcond */
};

/** @brief One guest domain. Caller-allocated array (its length is the domain quota); fields private. */
struct iomm_vm_gdom {
	/** @cond INTERNAL */
	struct iomm_domain real;
	uint32_t id;
	uint32_t nep;
	uint8_t unit;
	bool used;
	bool bypass;
	/** @endcond */
};

/** @brief One guest mapping (one MAP request). Caller-allocated array (its length is the mapping quota); fields private. */
struct iomm_vm_mapping {
	/** @cond INTERNAL */
	uint64_t iova;
	uint64_t last;
	uint64_t gpa;
	uint32_t gdom; /* index + 1, 0: free */
	uint32_t flags;
	/** @endcond */
};

/** @brief One interrupt entry of a VM. Caller-allocated array (its length is the VM's
 *  interrupt-entry quota); fields private. */
struct iomm_vm_irq {
	/** @cond INTERNAL */
	struct iomm_irq irq;
	uint32_t endpoint;
	bool used;
	/** @endcond */
};

/**
 * @brief Where a VM's devices may send interrupts: the VMM's destination policy.
 *
 * Every target must name one of @c dests (physical destination mode) with a
 * vector in [vector_first, vector_last] and fixed or lowest-priority
 * delivery; logical destinations, redirection and NMIs are refused. An
 * empty policy (no destinations) refuses every target.
 */
struct iomm_vm_irq_policy {
	const uint32_t *dests; /**< Destination (APIC) IDs the VM may reach (referenced). */
	size_t ndests;	       /**< Number of them. */
	uint8_t vector_first;  /**< Lowest vector (at least 16). */
	uint8_t vector_last;   /**< Highest vector. */
};

/**
 * @brief The platform's MSI doorbell, mapped into every stage-2 domain of a VM.
 *
 * On Arm, a device's MSI is a DMA write to the GICv3 ITS register
 * GITS_TRANSLATER (ITS base + 0x10040: offset 0x40 of the ITS's second 64 KiB
 * frame, GICv3 architecture specification section 12.19), so the SMMU
 * translates it like any other write. The host role maps exactly one
 * granule-sized page, the one holding @c pa, at the fixed IOVA @c iova,
 * write-only and as device memory, into the VM's stage-2 domain of A on each
 * unit and into every guest domain it creates; nothing else of the interrupt
 * controller is mapped. The device's MSI address is
 * <tt>iova + (pa % granule)</tt> (the VMM programs it). The window
 * [iova, iova + granule - 1] is advertised by PROBE as a RESV_MEM region of
 * subtype MSI (before the configured ones) and a guest MAP over it fails with
 * S_FAULT. Take @c pa from platform discovery (the ITS of the device's IORT
 * ITS group or device-tree msi-parent). Leave @c pa 0 on
 * Intel VT-d: interrupts there go through interrupt remapping
 * (iomm_vm_irq_alloc()), and 0xFEEx_xxxx is never translated as DMA. Leave
 * it 0 on a RISC-V IOMMU too: its tables cannot map a page write-only, so
 * iomm_vm_assign() refuses a doorbell there (::IOMM_ENOTSUP); a VM's
 * interrupt files are given through an MSI page table (riscv.h).
 */
struct iomm_vm_doorbell {
	uint64_t pa;   /**< Host-physical address of the doorbell register; 0: no doorbell. */
	uint64_t iova; /**< IOVA of the mapped page: granule-aligned, inside the input range,
			    outside A's guest-physical ranges and the RESV_MEM regions. */
};

/** @brief One queued fault event, in wire format. */
struct iomm_vm_event {
	uint8_t bytes[IOMM_VIOMMU_FAULT_SIZE]; /**< A virtio-iommu fault record. */
};

/** @brief Configuration of a VM (see iomm_vm_init()). Zeroed optional fields mean defaults. */
struct iomm_vm_cfg {
	const struct iomm_vm_region *regions; /**< A: referenced, must stay valid and unchanged. */
	size_t nregions;                      /**< Number of regions (at least 1). */
	struct iomm_pool *pool;               /**< The VM's own table pool: its table-page quota. Required. */
	uint32_t granule;                     /**< Page granule of the real domains; 0: the pool's page size. */
	struct iomm_vm_endpoint *endpoints;   /**< Assignment slots. Required. */
	size_t nendpoints;                    /**< Number of slots. */
	struct iomm_vm_gdom *domains;         /**< Guest-domain slots (quota). May be NULL if ndomains is 0. */
	size_t ndomains;                      /**< Guest-domain quota. */
	struct iomm_vm_mapping *mappings;     /**< Mapping slots (quota). May be NULL if nmappings is 0. */
	size_t nmappings;                     /**< Mapping quota. */
	struct iomm_vm_event *events;         /**< Fault event ring. May be NULL if nevents is 0. */
	size_t nevents;                       /**< Ring capacity. */
	const struct iomm_vm_resv *resv;      /**< RESV_MEM regions (referenced). */
	size_t nresv;                         /**< Number of RESV_MEM regions. */
	/** Feature bits offered (bit n = IOMM_VIOMMU_F_* n); 0: INPUT_RANGE, DOMAIN_RANGE,
	 *  MAP_UNMAP, PROBE, MMIO, BYPASS_CONFIG and VERSION_1. F_BYPASS is never offered. */
	uint64_t features;
	uint64_t page_size_mask; /**< 0: the granule. Its lowest bit must be at least the granule. */
	uint64_t input_start;    /**< First IOVA (with input_end; both 0: [0, 2^40 - 1]). */
	/** Last IOVA (inclusive). The first assignment narrows it to the last
	 *  address the unit's stage-2 tables translate. */
	uint64_t input_end;
	uint32_t domain_start;   /**< First domain ID (with domain_end; both 0: [0, 0xffffffff]). */
	uint32_t domain_end;     /**< Last domain ID (inclusive). */
	uint32_t probe_size;     /**< Bytes of PROBE properties; 0: 512. */
	enum iomm_vm_policy policy; /**< Initial config.bypass: what unattached endpoints may do. */
	/** Interrupt-entry slots (the VM's quota of remapped interrupts). May be NULL if nirqs is 0. */
	struct iomm_vm_irq *irqs;
	size_t nirqs;			   /**< Interrupt-entry quota. */
	struct iomm_vm_irq_policy irq_policy; /**< Where those interrupts may go. */
	struct iomm_vm_doorbell doorbell;     /**< MSI doorbell to map (Arm); zero: none. */
};

/** @cond INTERNAL */
struct iomm_vm_unit {
	struct iomm_unit *unit;
	struct iomm_domain a_dom;
	struct iomm_domain blk_dom;
	bool up;
};
/** @endcond */

/** @brief A VM. Caller-allocated; fields are private. */
struct iomm_vm {
	/** @cond INTERNAL */
	struct iomm_vm_cfg cfg;
	struct iomm_vm_unit units[IOMM_VM_MAX_UNITS];
	struct iomm_vm_gdom spare; /* guest-domain slot for ATTACH's move at full quota */
	uint64_t dropped;
	size_t ev_head;
	size_t ev_count;
	uint8_t bypass;
	bool up;
	/** @endcond */
};

/**
 * @brief Check a memory map and prepare a VM object.
 *
 * Checks every region: granule-aligned base addresses and size, no wrap
 * (of either address space), permissions READ and/or WRITE plus an optional
 * memory type, and no two regions overlapping in guest-physical space.
 * Also checks the RESV_MEM regions (end >= start, known subtype, no two
 * overlapping, fitting in probe_size together with the doorbell's), the MSI
 * doorbell (iomm_vm_doorbell: a granule-aligned IOVA window inside the input
 * range that overlaps neither A's guest-physical ranges nor a RESV_MEM
 * region) and zeroes the caller's slot arrays.
 *
 * @param vm  VM object (caller-allocated).
 * @param cfg Configuration; copied (the arrays it points at are referenced).
 * @retval IOMM_OK     Ready; no device assigned yet.
 * @retval IOMM_EINVAL NULL argument or array, a bad region, overlapping
 *                     regions, bad RESV_MEM regions, a bad doorbell window,
 *                     a page_size_mask finer
 *                     than the granule, empty input or domain range, or an
 *                     unsupported granule.
 *
 * @par Context
 * Takes no lock of its own: calls on one VM are serialised by the caller. For
 * each unit, creates the VM's domains (iomm_domain_init(): the unit's lock,
 * pool pages) and maps memory map A into them (iomm_map()). May sleep only if
 * the units' port hooks (lock, page_alloc/page_free, relax) can; waits for the
 * hardware, so not meant for interrupt handlers.
 */
int iomm_vm_init(struct iomm_vm *vm, const struct iomm_vm_cfg *cfg);

/**
 * @brief Give an assigned device an interrupt entry aimed at @p target.
 *
 * The entry accepts interrupt requests from that device only; it counts
 * against the VM's interrupt-entry quota (iomm_vm_cfg::nirqs) and is freed
 * and invalidated, at the latest, when the device is unassigned or the VM
 * destroyed.
 *
 * @param vm       The VM.
 * @param endpoint The assigned device.
 * @param target   Destination, vector, delivery and flags.
 * @param msg      Receives the MSI address and data for the device.
 * @param handle   Receives the entry's handle for iomm_vm_irq_update() and
 *                 iomm_vm_irq_free().
 * @retval IOMM_OK      Allocated.
 * @retval IOMM_EINVAL  NULL argument, uninitialised VM, or a target the unit
 *                      refuses (see iomm_irq_alloc()).
 * @retval IOMM_ENOENT  No such endpoint.
 * @retval IOMM_EPERM   @p target is outside the VM's interrupt policy.
 * @retval IOMM_ENOSPC  The VM's quota is spent, or the unit's table is full.
 * @retval IOMM_ENOTSUP The device's unit does not remap interrupts.
 * @return Any other error of iomm_irq_alloc(); nothing is allocated then.
 *
 * @par Context
 * As iomm_irq_alloc(): the unit's lock, table writes, possibly an
 * invalidation polled with now_ns/relax. Calls on one VM are serialised by
 * the caller; not meant for interrupt handlers.
 */
int iomm_vm_irq_alloc(struct iomm_vm *vm, uint32_t endpoint, const struct iomm_irq_cfg *target,
		      struct iomm_msi_msg *msg, uint32_t *handle);

/**
 * @brief Retarget one of a VM's interrupt entries.
 * @param vm     The VM.
 * @param handle From iomm_vm_irq_alloc().
 * @param target New target.
 * @retval IOMM_OK     Updated and invalidated.
 * @retval IOMM_EINVAL NULL argument, uninitialised VM, or a target the unit refuses.
 * @retval IOMM_ENOENT No live entry with @p handle.
 * @retval IOMM_EPERM  @p target is outside the VM's interrupt policy; nothing changed.
 * @return Any other error of iomm_irq_update().
 *
 * @par Context
 * As iomm_irq_update(); calls on one VM are serialised by the caller.
 */
int iomm_vm_irq_update(struct iomm_vm *vm, uint32_t handle, const struct iomm_irq_cfg *target);

/**
 * @brief Free one of a VM's interrupt entries: the device's message is
 *        blocked once this returns.
 * @param vm     The VM.
 * @param handle From iomm_vm_irq_alloc().
 * @retval IOMM_OK     Freed and invalidated; the quota slot is free again.
 * @retval IOMM_EINVAL NULL argument or uninitialised VM.
 * @retval IOMM_ENOENT No live entry with @p handle.
 * @return Any error of iomm_irq_free(): the entry then stays held and counted.
 *
 * @par Context
 * As iomm_irq_free(); calls on one VM are serialised by the caller.
 */
int iomm_vm_irq_free(struct iomm_vm *vm, uint32_t handle);

/**
 * @brief Assign a pass-through device to a VM.
 *
 * On the first assignment on @p unit this creates the VM's stage-2 domain
 * of A (and a blocked domain) on it, from the VM's pool, with the MSI
 * doorbell (iomm_vm_cfg::doorbell) mapped write-only at its IOVA. The device is then
 * attached according to the VM's policy (config.bypass): confined to A, or
 * blocked. Either way it is claimed: its streams cannot be attached by
 * anyone else until iomm_vm_unassign().
 *
 * @param vm       The VM.
 * @param unit     The unit the device sits behind.
 * @param id       PCI identity (fields may be ::IOMM_ANY) or raw stream ID.
 * @param endpoint The endpoint ID the guest uses for it.
 * @retval IOMM_OK      Assigned.
 * @retval IOMM_EINVAL  NULL argument, malformed identity, uninitialised VM.
 * @retval IOMM_EEXIST  @p endpoint is already used in this VM.
 * @retval IOMM_EBUSY   The device (or a stream it shares) is already owned,
 *                      by this VM, another VM or the host.
 * @retval IOMM_ENOSPC  No free endpoint slot, or more than ::IOMM_VM_MAX_UNITS
 *                      units, or no hardware identifier (VMID) left.
 * @retval IOMM_ERANGE  Stream ID too wide for the unit, A or the doorbell
 *                      beyond the unit's address sizes, or an input range the unit
 *                      cannot translate (the first unit narrows input_end
 *                      to what it translates; a later unit must translate
 *                      the whole range, and input_start must be below it).
 * @retval IOMM_ENOTSUP The unit has no stage-2 domains or lacks the granule,
 *                      or a doorbell is configured and the unit's stage-2
 *                      tables cannot map a page write-only (RISC-V: W
 *                      without R is reserved; see docs/riscv.md).
 * @retval IOMM_ENOMEM  The VM's pool cannot hold the tables of A.
 * @retval IOMM_ETIMEDOUT The unit did not acknowledge; nothing assigned.
 * @retval IOMM_EIO     The unit rejected a command; nothing assigned.
 *
 * @par Context
 * Takes no lock of its own: calls on one VM are serialised by the caller. May
 * create the VM's domains on the unit (as iomm_vm_init()) and attaches the
 * device (iomm_attach(): the unit's lock). May sleep only if the units' port
 * hooks (lock, page_alloc/page_free, relax) can; waits for the hardware, so not
 * meant for interrupt handlers.
 */
int iomm_vm_assign(struct iomm_vm *vm, struct iomm_unit *unit, const struct iomm_devid *id,
		   uint32_t endpoint);

/**
 * @brief Take a device back from a VM: it is detached (blocked) and freed.
 * If it was the last endpoint of a guest domain, that domain is destroyed.
 * Its interrupt entries (iomm_vm_irq_alloc()) are freed and invalidated
 * first, so its MSIs are blocked before anything else may reuse them;
 * iomm_vm_destroy() unassigns every device this way.
 * @param vm       The VM.
 * @param endpoint Its endpoint ID.
 * @retval IOMM_OK      Unassigned; the device's DMA and interrupts abort.
 * @retval IOMM_EINVAL  NULL or uninitialised VM.
 * @retval IOMM_ENOENT  No such endpoint.
 * @retval IOMM_ETIMEDOUT The unit did not acknowledge; still assigned.
 * @retval IOMM_EIO     The unit rejected a command; still assigned.
 *
 * @par Context
 * Takes no lock of its own: calls on one VM are serialised by the caller.
 * Frees its interrupt entries (iomm_irq_free()) and detaches the device
 * (iomm_detach(): the unit's lock, invalidation). May sleep
 * only if the units' port hooks (lock, page_alloc/page_free, relax) can; waits
 * for the hardware, so not meant for interrupt handlers.
 */
int iomm_vm_unassign(struct iomm_vm *vm, uint32_t endpoint);

/**
 * @brief Unassign every device and destroy the VM's domains.
 * @param vm The VM.
 * @retval IOMM_OK     Torn down; @p vm may be initialised again.
 * @retval IOMM_EINVAL NULL or uninitialised VM.
 * @return The first error of iomm_vm_unassign() (the devices that could not
 *         be unassigned stay assigned, and the VM's own domains stay) or of
 *         iomm_domain_destroy() (the unit did not confirm the teardown: the
 *         domains are gone, their table pages held back; call again to
 *         finish).
 *
 * @par Context
 * Takes no lock of its own: calls on one VM are serialised by the caller.
 * Detaches every device and destroys every domain (the units' locks,
 * invalidation, pages back to the pool). May sleep only if the units' port
 * hooks (lock, page_alloc/page_free, relax) can; waits for the hardware, so not
 * meant for interrupt handlers.
 */
int iomm_vm_destroy(struct iomm_vm *vm);

/**
 * @brief Visit every leaf of the table the endpoint's device translates
 *        through now (a guest domain's real domain or the VM's A domain).
 * @param vm       The VM.
 * @param endpoint Endpoint ID.
 * @param fn       Called per leaf (see iomm_pgt_walk()).
 * @param arg      Passed to @p fn.
 * @retval IOMM_OK     Walked (nothing to walk when the device is blocked).
 * @retval IOMM_EINVAL NULL argument or uninitialised VM.
 * @retval IOMM_ENOENT No such endpoint.
 * @return Any non-zero value @p fn returned.
 *
 * @par Context
 * Takes no lock of its own: calls on one VM are serialised by the caller. Walks
 * the device's current table lock-free (as iomm_pgt_walk()) and calls @p fn.
 * Never sleeps unless @p fn does.
 */
int iomm_vm_walk(const struct iomm_vm *vm, uint32_t endpoint, iomm_walk_fn fn, void *arg);

/**
 * @brief Audit: every leaf of every real domain of the VM lies inside A
 *        and grants no more than the region it lies in, or is the MSI
 *        doorbell page: at its IOVA, write-only, device memory.
 * @param vm The VM.
 * @retval IOMM_OK     Contained.
 * @retval IOMM_EINVAL NULL or uninitialised VM.
 * @retval IOMM_EPERM  A leaf escapes A or has wider permissions, or a
 *                     doorbell leaf is not exactly the doorbell page.
 *
 * @par Context
 * Takes no lock of its own: calls on one VM are serialised by the caller.
 * Reads the VM's tables lock-free (iomm_pgt_walk()) and calls no hook.
 * Never sleeps; any context serialised with the other calls on the VM.
 */
int iomm_vm_audit(const struct iomm_vm *vm);

/**
 * @brief Route one fault of a unit to the VM that owns the faulting stream,
 *        as a virtio-iommu fault event (call from an iomm_fault_poll() handler).
 *
 * The stream becomes the endpoint ID; the input address is the guest IOVA
 * (or guest-physical address for a device confined to A). Translation,
 * permission, access-flag and address-size faults become
 * ::IOMM_VIOMMU_FAULT_R_MAPPING with the address; faults of a blocked or
 * misconfigured stream become ::IOMM_VIOMMU_FAULT_R_DOMAIN; others
 * ::IOMM_VIOMMU_FAULT_R_UNKNOWN.
 *
 * @param vm    The VM.
 * @param unit  The unit that reported the fault.
 * @param fault The fault.
 * @retval IOMM_OK        Queued for the guest.
 * @retval IOMM_EINVAL    NULL argument or uninitialised VM.
 * @retval IOMM_ENOENT    The stream is not assigned to this VM.
 * @retval IOMM_EOVERFLOW The ring was full: the event was dropped and counted.
 *
 * @par Context
 * Takes no lock of its own: calls on one VM are serialised by the caller. Looks
 * up the endpoint and queues an event in the VM's event ring: no lock, no hook.
 * Never sleeps; meant to be called from the unit's fault handler
 * (iomm_fault_poll()'s callback), provided that is serialised with the other
 * calls on the VM.
 */
int iomm_vm_fault_route(struct iomm_vm *vm, const struct iomm_unit *unit,
			const struct iomm_fault *fault);

/**
 * @brief Take the oldest queued fault event.
 * @param vm  The VM.
 * @param buf Receives ::IOMM_VIOMMU_FAULT_SIZE bytes (an event-queue buffer).
 * @param len Size of @p buf.
 * @return ::IOMM_VIOMMU_FAULT_SIZE when an event was written, 0 when none
 *         is queued, or
 * @retval IOMM_EINVAL NULL argument, uninitialised VM, or @p len too small.
 *
 * @par Context
 * Takes no lock of its own: calls on one VM are serialised by the caller. Takes
 * an event off the VM's ring: no lock, no hook. Never sleeps; any context
 * serialised with the other calls on the VM.
 */
int iomm_viommu_dev_next_event(struct iomm_vm *vm, void *buf, size_t len);

/**
 * @brief Events dropped because the ring was full (since init or reset).
 * @param vm The VM.
 * @return The count; 0 for NULL.
 *
 * @par Context
 * Reads the VM's state only: no lock, no hook. Never sleeps; any context, but
 * serialised with other calls on the VM.
 */
uint64_t iomm_viommu_dev_events_dropped(const struct iomm_vm *vm);

/**
 * @brief Feature bits the device offers.
 * @param vm The VM.
 * @return Bit n set for IOMM_VIOMMU_F_* n; 0 for NULL.
 *
 * @par Context
 * Reads the VM's state only: no lock, no hook. Never sleeps; any context, but
 * serialised with other calls on the VM.
 */
uint64_t iomm_viommu_dev_features(const struct iomm_vm *vm);

/**
 * @brief Fill the device configuration space (::IOMM_VIOMMU_CFG_SIZE bytes).
 * @param vm  The VM.
 * @param buf Receives the little-endian configuration.
 * @param len Size of @p buf.
 * @retval IOMM_OK     Filled.
 * @retval IOMM_EINVAL NULL argument, uninitialised VM, or @p len < ::IOMM_VIOMMU_CFG_SIZE.
 *
 * @par Context
 * Reads the VM's state only: no lock, no hook. Never sleeps; any context, but
 * serialised with other calls on the VM.
 */
int iomm_viommu_dev_config(const struct iomm_vm *vm, void *buf, size_t len);

/**
 * @brief The guest wrote config.bypass: unattached endpoints are
 *        re-programmed (bit 0 set: confined to A, clear: blocked).
 * @param vm    The VM.
 * @param value The byte written (bits 1-7 are ignored).
 * @retval IOMM_OK      Applied.
 * @retval IOMM_EINVAL  NULL or uninitialised VM.
 * @retval IOMM_EPERM   F_BYPASS_CONFIG is not offered: the field is read-only.
 * @return Errors of iomm_attach()/iomm_detach(); endpoints that failed are blocked.
 *
 * @par Context
 * Takes no lock of its own: calls on one VM are serialised by the caller.
 * Re-attaches the affected endpoints (iomm_attach()/iomm_detach(): the units'
 * locks, invalidation). May sleep only if the units' port hooks (lock,
 * page_alloc/page_free, relax) can; waits for the hardware, so not meant for
 * interrupt handlers.
 */
int iomm_viommu_dev_set_bypass(struct iomm_vm *vm, uint8_t value);

/**
 * @brief Handle one request.
 *
 * @param vm       The VM.
 * @param req      Device-readable part of the request (head and fields).
 * @param req_len  Its size in bytes.
 * @param resp     Device-writable part: PROBE properties (probe_size bytes),
 *                 then the 4-byte tail; for the other requests the tail
 *                 alone. A longer part keeps that layout (the tail at
 *                 offset probe_size, or 0) and is zero after the tail; a
 *                 PROBE part shorter than probe_size + 4 bytes gets its
 *                 tail (S_INVAL) in its last four bytes.
 * @param resp_len Its size in bytes; the whole part is written.
 * @param used     Receives the used length: @p resp_len, or 0 when the
 *                 request could not be answered (unknown type, PROBE not
 *                 offered, no room for the tail) and nothing was written.
 * @retval IOMM_OK     Handled (the guest-visible status is in the tail).
 * @retval IOMM_EINVAL NULL argument or uninitialised VM.
 *
 * @par Context
 * Takes no lock of its own: calls on one VM are serialised by the caller.
 * Serves one request: ATTACH, DETACH, MAP and UNMAP create and destroy domains,
 * map, unmap and attach on the real units (their locks, pool pages,
 * invalidation). May sleep only if the units' port hooks (lock,
 * page_alloc/page_free, relax) can; waits for the hardware, so not meant for
 * interrupt handlers.
 */
int iomm_viommu_dev_handle(struct iomm_vm *vm, const void *req, size_t req_len, void *resp,
			   size_t resp_len, size_t *used);

/**
 * @brief Device reset: every endpoint leaves its guest domain (back to the
 *        VM policy), every guest domain is destroyed (its mappings
 *        invalidated), queued events are discarded. config.bypass keeps
 *        its value.
 * @param vm The VM.
 * @retval IOMM_OK     Reset.
 * @retval IOMM_EINVAL NULL or uninitialised VM.
 * @return The first error of the real unit; devices it concerns are blocked.
 *
 * @par Context
 * Takes no lock of its own: calls on one VM are serialised by the caller. Puts
 * every endpoint back as the policy says and frees the guest domains (the
 * units' locks, invalidation). May sleep only if the units' port hooks (lock,
 * page_alloc/page_free, relax) can; waits for the hardware, so not meant for
 * interrupt handlers.
 */
int iomm_viommu_dev_reset(struct iomm_vm *vm);

/**
 * @brief Wire a loopback transport straight to this VM's device model, for a
 *        guest backend in the same program (tests, demos, single-image VMMs).
 *
 * Fills every hook of @p dev (requests, configuration read and write of
 * config.bypass, features, fault events); pass it to
 * iomm_viommu_loopback_init().
 *
 * @param vm  The VM; must outlive the transport.
 * @param dev Receives the hooks; NULL arguments are ignored.
 *
 * @par Context
 * Fills @p dev only: no lock, no hook. Never sleeps; any context. (Requests a
 * guest later sends through it are served in the guest's calling context, as
 * iomm_viommu_dev_handle().)
 */
void iomm_viommu_dev_loopback(struct iomm_vm *vm, struct iomm_viommu_loopback_dev *dev);


/** @} */

#ifdef __cplusplus
}
#endif

#endif /* IOMMUMAN_VM_H */
