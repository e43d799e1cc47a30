/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file iommu.h
 * @brief Units, domains, devices and faults: the API every backend serves.
 * @ingroup iommu
 */
#ifndef IOMMUMAN_IOMMU_H
#define IOMMUMAN_IOMMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pgtable.h"
#include "pool.h"
#include "port.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup iommu Units, domains and devices
 * @{
 * - A **unit** is one IOMMU instance (an SMMU, a VT-d remapping unit, a
 *   paravirtual IOMMU). A backend's init function fills it; from then on
 *   every stream it has not been told about is blocked.
 * - A **domain** is one address space: a page table plus the identifiers
 *   the hardware tags it with (ASID, VMID, context bank, domain ID).
 * - A **device** is a set of stream (or source, or endpoint) IDs that one
 *   bus master emits. Attaching it to a domain makes its DMA translate
 *   through that domain; detaching blocks it again.
 *
 * All objects are caller-allocated; the library keeps pointers to them
 * until they are torn down. Calls on one unit are serialized with the port's
 * lock hooks (the unit is the lock object) when the port has them. The
 * library itself never sleeps: a call can block only inside a port hook
 * (lock, page_alloc/page_free, relax, log). Each function's "Context"
 * paragraph says which locks it takes, through which hooks it may sleep and
 * whether it may run in an interrupt handler.
 */

struct iomm_unit;
struct iomm_domain;
struct iomm_dev;
struct iomm_unit_ops;

/** Kinds of domain. */
enum iomm_domain_type {
	IOMM_DOMAIN_S1 = 1,     /**< Stage 1 (or first-level): a device's DMA address space. */
	IOMM_DOMAIN_S2 = 2,     /**< Stage 2 (or second-level): a VM's guest-physical space. */
	IOMM_DOMAIN_NESTED = 3, /**< Stage 1 nested inside a stage-2 parent domain. */
	IOMM_DOMAIN_BYPASS = 4, /**< Identity, no translation: only when explicitly asked. */
	IOMM_DOMAIN_BLOCKED = 5, /**< Every access aborts (what detached devices get). */
};

/** @name Unit capability bits (iomm_unit::caps)
 * @{ */
#define IOMM_CAP_S1 (1u << 0)       /**< Stage-1 domains. */
#define IOMM_CAP_S2 (1u << 1)       /**< Stage-2 domains. */
#define IOMM_CAP_NESTED (1u << 2)   /**< Nested domains. */
#define IOMM_CAP_BYPASS (1u << 3)   /**< Bypass domains. */
#define IOMM_CAP_COHERENT (1u << 4) /**< Table walks are coherent (hardware and port agree). */
#define IOMM_CAP_REMOTE (1u << 5)   /**< Mappings live elsewhere (paravirtual): no local page table. */
/** Interrupt remapping: iomm_irq_alloc() hands out entries that only the
 *  device they were made for can signal through. */
#define IOMM_CAP_IRQ_REMAP (1u << 6)
/** @} */

/**
 * @brief A hardware (or paravirtual) IOMMU instance. Backends embed it in
 *        their own object; integrators only pass pointers around.
 */
struct iomm_unit {
	const struct iomm_unit_ops *ops; /**< The backend: the only seam. */
	const struct iomm_port *port;    /**< Port of this unit. */
	uintptr_t regs;                  /**< Register base (virtual address). */
	uint32_t caps;                   /**< IOMM_CAP_* bits found at probe. */
	uint32_t granules;               /**< Supported granules (bit n = 2^n bytes). */
	uint64_t page_sizes;             /**< Supported leaf sizes (bit n = 2^n bytes). */
	uint8_t ias;                     /**< Largest input address size (bits). */
	uint8_t oas;                     /**< Largest output address size (bits). */
	uint8_t sid_bits;                /**< Width of stream/source IDs. */
	/** Table format of stage-1 domains; 0 means ::IOMM_FMT_ARM_LPAE_S1. */
	enum iomm_pgt_format fmt_s1;
	/** Table format of stage-2 domains; 0 means ::IOMM_FMT_ARM_LPAE_S2. */
	enum iomm_pgt_format fmt_s2;
	const char *name;                /**< Backend name, for logs. */
	/** @cond INTERNAL */
	struct iomm_domain *domains; /* live domains, through iomm_domain::next (core-owned) */
	struct iomm_dev *devs;       /* attached devices, through iomm_dev::next (core-owned) */
	/** @endcond */
};

/** @brief How to create a domain (see iomm_domain_init()). */
struct iomm_domain_cfg {
	enum iomm_domain_type type;  /**< Required. */
	uint32_t granule;            /**< 0: the smallest the unit supports. */
	uint8_t ias;                 /**< 0: the largest the unit and the format share, capped at 48 (47 for x86-64 paging), and for a stage-2 domain at the output size. */
	uint8_t oas;                 /**< 0: the largest the unit and the format share at this granule (a nested domain: no wider than its parent's ias). */
	struct iomm_pool *pool;      /**< Table pages for this domain (a quota). Required unless bypass/blocked/remote. */
	struct iomm_domain *parent;  /**< Stage-2 parent of a nested domain. */
};

/**
 * @brief An address space. Caller-allocated; fields are private.
 *
 * Before iomm_domain_init() the object must be all zeroes or destroyed
 * (iomm_domain_destroy()): the library recognises a live domain by a
 * cookie it sets at init and clears at teardown.
 */
struct iomm_domain {
	/** @cond INTERNAL */
	struct iomm_unit *unit;
	struct iomm_domain *parent;
	struct iomm_domain *next; /* next live domain of the unit (core-owned list) */
	struct iomm_pgt pgt;
	enum iomm_domain_type type;
	uint32_t live;      /* IOMM_LIVE_COOKIE between init and destroy */
	uint32_t id;        /* ASID, VMID, bank or DID the backend chose */
	uint32_t ndevs;     /* devices attached */
	uint32_t nchildren; /* nested domains using this one as stage 2 */
	/* Backend-private state: */
	void *priv;         /* memory the domain owns (SMMUv3 context descriptor) */
	uint64_t priv_pa;   /* its physical address */
	uint64_t priv_word; /* a scalar (context bank, flags, page-size mask) */
	/** @endcond */
};

/** Kinds of device identity. */
enum iomm_devid_kind {
	IOMM_DEVID_SID = 1,  /**< Raw stream / source / endpoint ID (with a don't-care mask). */
	IOMM_DEVID_PCI = 2,  /**< PCI segment/bus/device/function, fields may be wildcards. */
};

/** Wildcard for one field of IOMM_PCI(). */
#define IOMM_ANY 0xffffu

/**
 * @brief Identity of a bus master.
 *
 * For IOMM_DEVID_SID, @c mask has a bit set for each bit of @c sid that
 * does not matter (a stream group). For IOMM_DEVID_PCI the requester ID is
 * bus << 8 | dev << 3 | fn and maps to a stream ID one to one unless the
 * unit's backend says otherwise.
 */
struct iomm_devid {
	enum iomm_devid_kind kind; /**< Which fields are meaningful. */
	uint32_t sid;              /**< IOMM_DEVID_SID: stream ID. */
	uint32_t mask;             /**< IOMM_DEVID_SID: don't-care bits of sid. */
	uint16_t seg;              /**< IOMM_DEVID_PCI: segment. */
	uint16_t bus;              /**< IOMM_DEVID_PCI: bus or IOMM_ANY. */
	uint16_t dev;              /**< IOMM_DEVID_PCI: device or IOMM_ANY. */
	uint16_t fn;               /**< IOMM_DEVID_PCI: function or IOMM_ANY. */
};

/** A PCI identity; any field may be IOMM_ANY. */
#define IOMM_PCI(b, d, f)                                                                          \
	((struct iomm_devid){.kind = IOMM_DEVID_PCI, .bus = (uint16_t)(b), .dev = (uint16_t)(d),  \
			     .fn = (uint16_t)(f)})
/** A raw stream ID. */
#define IOMM_SID(s) ((struct iomm_devid){.kind = IOMM_DEVID_SID, .sid = (uint32_t)(s)})

/**
 * @brief Resolve an identity to a stream ID and a don't-care mask.
 *
 * @param id   The identity.
 * @param sid  Receives the stream ID (don't-care bits zero).
 * @param mask Receives the don't-care bits.
 * @retval IOMM_OK     Resolved.
 * @retval IOMM_EINVAL NULL argument, unknown kind, or a PCI field out of
 *                     range (bus > 255, device > 31, function > 7).
 *
 * @par Context
 * Pure computation: no lock, no hook. Never sleeps; any context.
 */
int iomm_devid_resolve(const struct iomm_devid *id, uint32_t *sid, uint32_t *mask);

/** @brief A bus master known to a unit. Caller-allocated; fields are private. */
struct iomm_dev {
	/** @cond INTERNAL */
	struct iomm_unit *unit;
	struct iomm_domain *domain;
	struct iomm_dev *next; /* next attached device of the unit (core-owned list) */
	uint32_t sid;
	uint32_t mask;
	/* Backend-private state: */
	void *priv;         /* memory the device owns (VT-d PASID directory) */
	uint32_t priv_word; /* a scalar (SMMUv2 stream-match register index) */
	/** @endcond */
};

/** Why an access faulted (iomm_fault::reason). */
enum iomm_fault_reason {
	IOMM_FAULT_OTHER = 0,       /**< Anything not listed; see raw. */
	IOMM_FAULT_TRANSLATION = 1, /**< No valid mapping for the address. */
	IOMM_FAULT_PERMISSION = 2,  /**< Mapping exists but forbids the access. */
	IOMM_FAULT_ACCESS_FLAG = 3, /**< Access flag clear. */
	IOMM_FAULT_ADDR_SIZE = 4,   /**< Address beyond the configured input/output size. */
	IOMM_FAULT_BAD_STREAM = 5,  /**< Stream unknown, out of range or not configured. */
	IOMM_FAULT_BAD_CONFIG = 6,  /**< Stream or context configuration invalid. */
	IOMM_FAULT_ABORT = 7,       /**< The stream is set to abort, or an external abort. */
	IOMM_FAULT_WALK = 8,        /**< Table walk itself failed (external abort on walk). */
	IOMM_FAULT_TLB_CONFLICT = 9, /**< Conflicting TLB entries. */
};

/** @name Fault flags (iomm_fault::flags)
 * @{ */
#define IOMM_FAULT_READ (1u << 0)   /**< The access was a read. */
#define IOMM_FAULT_WRITE (1u << 1)  /**< The access was a write. */
#define IOMM_FAULT_EXEC (1u << 2)   /**< Instruction fetch. */
#define IOMM_FAULT_PRIV (1u << 3)   /**< Privileged access. */
#define IOMM_FAULT_STAGE2 (1u << 4) /**< Raised by stage 2. */
#define IOMM_FAULT_SSID (1u << 5)   /**< ssid is valid. */
#define IOMM_FAULT_IPA (1u << 6)    /**< ipa is valid. */
/** An interrupt request was blocked by interrupt remapping: iomm_fault::addr
 *  holds the interrupt index (the handle the request named), not an address. */
#define IOMM_FAULT_IRQ (1u << 7)
/** @} */

/** @brief A decoded fault, the same for every backend. */
struct iomm_fault {
	uint32_t sid;                 /**< Stream / source / endpoint ID. */
	uint32_t ssid;                /**< Substream / PASID, if IOMM_FAULT_SSID. */
	uint64_t addr;                /**< Input address of the access. */
	uint64_t ipa;                 /**< Intermediate address, if IOMM_FAULT_IPA. */
	enum iomm_fault_reason reason; /**< Why. */
	uint32_t flags;               /**< IOMM_FAULT_* bits. */
	uint32_t raw;                 /**< Backend's own code (event ID, FSR, reason). */
	uint32_t lost;                /**< Records lost before this one (overflow). */
};

/**
 * @brief Fault handler of iomm_fault_poll().
 * @param arg   The argument given to iomm_fault_poll().
 * @param fault The decoded fault, valid only during the call.
 */
typedef void (*iomm_fault_fn)(void *arg, const struct iomm_fault *fault);

/**
 * @brief Create a domain on a unit.
 *
 * @param dom  Domain object (caller-allocated): all zeroes, or destroyed
 *             since it was last initialised.
 * @param unit An initialised unit.
 * @param cfg  Type, geometry, table pool and parent.
 * @retval IOMM_OK      Created, with an empty table.
 * @retval IOMM_EINVAL  NULL argument, missing pool, nested without a
 *                      stage-2 parent on the same unit.
 * @retval IOMM_EBUSY   @p dom is live (initialised and not destroyed);
 *                      nothing changed.
 * @retval IOMM_ENOTSUP The unit lacks the type, granule or address size.
 * @retval IOMM_ENOSPC  No hardware identifier (ASID, VMID, bank) left.
 * @retval IOMM_ENOMEM  No room for the root table.
 *
 * @par Context
 * Creates the table without a lock (pool's lock and page_alloc for its root, as
 * iomm_pgt_init()), then takes the unit's lock (iomm_port::lock, the unit is
 * the lock object) around the backend's domain setup, which may write MMIO and
 * poll the hardware with iomm_port::now_ns/relax. May sleep only if one of
 * those hooks can; not meant for interrupt handlers.
 */
int iomm_domain_init(struct iomm_domain *dom, struct iomm_unit *unit,
		     const struct iomm_domain_cfg *cfg);

/**
 * @brief Tear down a domain that has no devices attached; frees its tables.
 * @param dom The domain.
 * @retval IOMM_OK     Freed.
 * @retval IOMM_EINVAL NULL or uninitialised domain.
 * @retval IOMM_EBUSY  Devices are still attached.
 * @return Any error of the backend's invalidation (e.g. ::IOMM_ETIMEDOUT).
 *
 * @par Context
 * Takes the unit's lock around the backend's teardown and invalidation (MMIO,
 * polling with now_ns/relax), then frees the table outside it under the pool's
 * lock (page_free for a port pool). May sleep only if one of those hooks can;
 * not meant for interrupt handlers.
 */
int iomm_domain_destroy(struct iomm_domain *dom);

/**
 * @brief Map a range in a domain (see iomm_pgt_map() for the rules).
 * @param dom  The domain.
 * @param iova Input address.
 * @param pa   Output address.
 * @param size Bytes.
 * @param prot Permissions and attributes.
 * @retval IOMM_OK      Mapped; visible to devices when this returns.
 * @retval IOMM_EINVAL  Bad arguments, or a bypass/blocked domain.
 * @retval IOMM_ERANGE  Outside the domain's input or output range.
 * @retval IOMM_EEXIST  Overlaps an existing mapping.
 * @retval IOMM_ENOMEM  Table pages exhausted.
 * @return Errors of the backend's post-map synchronisation; for a
 *         paravirtual domain, the host's answer as iomm_paravirt_status()
 *         maps it (a host refusing the permissions answers S_INVAL:
 *         ::IOMM_EINVAL) or the transport's error.
 *
 * @par Context
 * Maps under the table's lock as iomm_pgt_map() (pool's lock, page_alloc,
 * clean_tables); then, for a backend that must be told of new mappings
 * (caching mode), takes the unit's lock for that (MMIO, polling with
 * now_ns/relax): one lock after the other, never nested. A domain without a
 * local table (the paravirtual backend) instead sends the request to the
 * host under the unit's lock and polls for the reply. May sleep only if
 * one of those hooks can. From an interrupt handler only if all of them
 * are safe there and the backend neither synchronizes maps nor talks to a
 * host.
 */
int iomm_map(struct iomm_domain *dom, uint64_t iova, uint64_t pa, uint64_t size, uint32_t prot);

/**
 * @brief Unmap a range in a domain and invalidate it; when this returns no
 *        device can use the old translation.
 * @param dom      The domain.
 * @param iova     Input address.
 * @param size     Bytes.
 * @param unmapped Optional: bytes that were mapped.
 * @retval IOMM_OK      Unmapped and invalidated.
 * @retval IOMM_EINVAL  Bad arguments, or a bypass/blocked domain.
 * @retval IOMM_ERANGE  Outside the domain's input range.
 * @retval IOMM_ENOMEM  A block split needed a table page; nothing changed.
 * @retval IOMM_ETIMEDOUT The invalidation did not complete: the mapping is
 *                      gone from the table but may still be cached. (If
 *                      it was the break-before-make invalidation of a
 *                      contiguous group the range cuts, nothing was
 *                      unmapped: see iomm_pgt_unmap().)
 * @retval IOMM_EIO     The hardware rejected a command on the way (logged):
 *                      the mapping is gone from the table but the
 *                      invalidation is not confirmed; table pages it
 *                      freed are held back.
 *
 * @par Context
 * Unmaps under the table's lock as iomm_pgt_unmap(), then invalidates under the
 * unit's lock (MMIO, polling the hardware with now_ns/relax until it confirms),
 * then returns freed table pages under the pool's lock (page_free for a port
 * pool). Locks are taken one after the other, except when the unmap cuts a
 * contiguous group (Arm tables): its break-before-make invalidation runs
 * under the table's lock and takes the unit's lock inside it. May sleep only if
 * one of those hooks can; waits for the hardware, so it is not meant for
 * interrupt handlers.
 */
int iomm_unmap(struct iomm_domain *dom, uint64_t iova, uint64_t size, uint64_t *unmapped);

/**
 * @brief Unmap a range in a domain without invalidating it: what must be
 *        invalidated accumulates in @p gather, for iomm_gather_sync().
 *
 * Batched invalidation: several unmaps (of one domain) share one gather,
 * then one iomm_gather_sync() issues one invalidation and one wait for all
 * of them. Until that sync returns, a device may still use the old
 * translations of every range in the gather, and no table page the unmaps
 * removed is reused; the caller must neither reuse those input addresses
 * for other memory nor free the memory they mapped before then.
 *
 * Pattern for per-I/O map/unmap (for example a guest in strict mode
 * through virtio-iommu, whose device turns each request into calls on a
 * host domain): map at submission, iomm_unmap_gather() at completion into
 * a gather per domain, and iomm_gather_sync() once per batch of
 * completions (every N completions, at the end of an interrupt or request
 * queue drain, and always before the addresses or the buffers are reused).
 * Strictness is kept at batch granularity: no buffer is released to its
 * owner before the sync that covers its unmap has returned.
 *
 * An unmap that cuts a contiguous group still invalidates that group at
 * once (break-before-make, see iomm_pgt_unmap()).
 *
 * @param dom      The domain.
 * @param iova     Input address.
 * @param size     Bytes.
 * @param gather   Initialised with iomm_gather_init(); empty, or holding
 *                 earlier unmaps of @p dom only.
 * @param unmapped Optional: bytes that were mapped.
 * @retval IOMM_OK      Unmapped from the table; recorded in @p gather (for
 *                      a domain without a local table, such as the
 *                      paravirtual backend's, unmapped and invalidated by
 *                      the host: nothing is added to @p gather).
 * @retval IOMM_EINVAL  Bad arguments, a bypass/blocked domain, a NULL
 *                      @p gather or one holding another domain's unmaps.
 * @retval IOMM_ERANGE  Outside the domain's input range.
 * @retval IOMM_ENOMEM  A block split needed a table page; nothing changed.
 * @return For a paravirtual domain, also the host's answer as
 *         iomm_paravirt_status() maps it, or the transport's error.
 * @return Any error of a break-before-make invalidation (e.g.
 *         ::IOMM_ETIMEDOUT): nothing was unmapped.
 *
 * @par Context
 * As iomm_pgt_unmap(): the table's lock, the pool's lock for a block split,
 * clean_tables, and the unit's lock inside the table's for a
 * break-before-make invalidation; a domain without a local table sends the
 * request to the host under the unit's lock. May sleep only if one of those
 * hooks can; not meant for interrupt handlers.
 */
int iomm_unmap_gather(struct iomm_domain *dom, uint64_t iova, uint64_t size,
		      struct iomm_gather *gather, uint64_t *unmapped);

/**
 * @brief Invalidate everything a gather of iomm_unmap_gather() calls holds,
 *        wait for completion, then return its table pages and empty it.
 *
 * One invalidation (the fewest commands the backend can express for the
 * gather's range, leaf sizes and levels) and one wait for the whole batch.
 * When this returns IOMM_OK no device can use any translation the batch
 * removed.
 *
 * @param dom    The domain the unmaps were made on.
 * @param gather The gather; emptied (iomm_gather_init()) on return.
 * @retval IOMM_OK      Invalidated (or nothing to invalidate); the table
 *                      pages the unmaps removed are back in the pool.
 * @retval IOMM_EINVAL  NULL argument, a bypass/blocked domain, a domain
 *                      without a local table holding a non-empty gather,
 *                      or a gather of another domain's table.
 * @retval IOMM_ETIMEDOUT The invalidation did not complete: the
 *                      translations may still be cached; the table pages
 *                      are held back (never reused) and the gather emptied.
 * @retval IOMM_EIO     The hardware rejected a command (logged); as
 *                      ::IOMM_ETIMEDOUT.
 * @return Any other error of the backend's invalidation, as ::IOMM_ETIMEDOUT.
 *
 * @par Context
 * Takes the unit's lock around the backend's invalidation (MMIO, polling
 * the hardware with now_ns/relax until it confirms), then returns table
 * pages under the pool's lock (page_free for a port pool), one after the
 * other. May sleep only if one of those hooks can; waits for the hardware,
 * so it is not meant for interrupt handlers.
 */
int iomm_gather_sync(struct iomm_domain *dom, struct iomm_gather *gather);

/**
 * @brief Change the output address and/or permissions of a live mapping in
 *        a domain without a window of faults where the architecture allows
 *        it (see iomm_pgt_update() for the rules), and invalidate.
 *
 * When this returns, devices use the new translation only.
 *
 * @param dom  The domain.
 * @param iova Input address: the start of a leaf.
 * @param pa   New output address.
 * @param size Bytes: whole leaves.
 * @param prot New permissions and attributes.
 * @retval IOMM_OK      Updated and invalidated.
 * @retval IOMM_EINVAL  Bad arguments (see iomm_pgt_update()), a bypass or
 *                      blocked domain, or a domain without a local table.
 * @retval IOMM_ERANGE  Outside the domain's input or output range.
 * @retval IOMM_ENOENT  Part of the range is not mapped; nothing changed.
 * @retval IOMM_ENOTSUP The backend has no invalidation hook.
 * @return Any error of the backend's invalidation (e.g. ::IOMM_ETIMEDOUT,
 *         ::IOMM_EIO): the new entries are written (or, if the
 *         break-before-make invalidation itself failed, the broken leaves
 *         are unmapped) but may not be visible to devices yet.
 *
 * @par Context
 * Updates under the table's lock as iomm_pgt_update() (with the unit's lock
 * nested inside it for a break-before-make invalidation), then invalidates
 * in-place changes under the unit's lock (MMIO, polling with now_ns/relax).
 * May sleep only if one of those hooks can; waits for the hardware, so it
 * is not meant for interrupt handlers.
 */
int iomm_update(struct iomm_domain *dom, uint64_t iova, uint64_t pa, uint64_t size, uint32_t prot);

/**
 * @brief Translate an address through a domain's table.
 * @param dom  The domain.
 * @param iova Input address.
 * @param pa   Receives the output address.
 * @retval IOMM_OK     Translated.
 * @retval IOMM_ENOENT Not mapped.
 * @retval IOMM_EINVAL NULL argument or a domain without a local table.
 *
 * @par Context
 * Lock-free, as iomm_pgt_iova_to_phys(): never sleeps; any context, also
 * alongside map and unmap.
 */
int iomm_iova_to_phys(const struct iomm_domain *dom, uint64_t iova, uint64_t *pa);

/**
 * @brief Make a device known to a unit. The device stays blocked.
 * @param dev  Device object (caller-allocated).
 * @param unit The unit it sits behind.
 * @param id   Its identity.
 * @retval IOMM_OK     Ready to attach.
 * @retval IOMM_EINVAL NULL argument or malformed identity.
 * @retval IOMM_ERANGE Stream ID wider than the unit supports.
 *
 * @par Context
 * Touches only @p dev (reads the unit's stream ID width): no lock, no hook.
 * Never sleeps; any context, but not concurrently with other calls on @p dev.
 */
int iomm_dev_init(struct iomm_dev *dev, struct iomm_unit *unit, const struct iomm_devid *id);

/**
 * @brief Attach a device to a domain of the same unit.
 * @param dom The domain (bypass only if created as IOMM_DOMAIN_BYPASS).
 * @param dev The device.
 * @retval IOMM_OK      The device's DMA now translates through @p dom.
 * @retval IOMM_EINVAL  NULL argument, or domain and device on different units.
 * @retval IOMM_EBUSY   The device is attached elsewhere, or its streams
 *                      conflict with another device's.
 * @retval IOMM_ENOSPC  No stream-matching resource left.
 * @retval IOMM_ERANGE  The device lies outside what the unit serves (a VT-d
 *                      unit's bus range).
 * @retval IOMM_ENOMEM  No memory for stream-table pages.
 * @retval IOMM_ETIMEDOUT The hardware did not acknowledge; the device's
 *                      streams are left blocking.
 * @retval IOMM_EIO     The hardware rejected a command; the device's streams
 *                      are left blocking.
 *
 * @par Context
 * Takes the unit's lock around the backend's attach: stream-table writes, pages
 * from the unit's pool (pool's lock, page_alloc), MMIO and polling with
 * now_ns/relax. May sleep only if one of those hooks can; not meant for
 * interrupt handlers.
 */
int iomm_attach(struct iomm_domain *dom, struct iomm_dev *dev);

/**
 * @brief Detach a device: its DMA aborts again once this returns.
 * @param dev The device.
 * @retval IOMM_OK        Blocked and invalidated.
 * @retval IOMM_EINVAL    NULL argument.
 * @retval IOMM_ENOENT    Not attached.
 * @retval IOMM_ETIMEDOUT The hardware did not acknowledge; the streams are
 *                        set to abort in memory but the device stays
 *                        recorded as attached.
 * @retval IOMM_EIO       The hardware rejected a command; as for a timeout.
 *
 * @par Context
 * Takes the unit's lock around the backend's detach: stream-table writes, MMIO
 * and invalidation, polling with now_ns/relax. May sleep only if one of those
 * hooks can; not meant for interrupt handlers.
 */
int iomm_detach(struct iomm_dev *dev);

/**
 * @brief Deliver pending faults of a unit to @p fn, oldest first.
 * @param unit The unit.
 * @param fn   Handler called once per fault.
 * @param arg  Passed to @p fn.
 * @return Number of faults delivered (>= 0), or
 * @retval IOMM_EINVAL  NULL argument.
 * @retval IOMM_ENOTSUP The backend has no fault reporting.
 * @retval IOMM_EIO     The unit reported a global error (also logged).
 *
 * @par Context
 * Takes the unit's lock and calls @p fn with it held (so @p fn must not call
 * iommuman on the same unit unless the lock is recursive); reads fault records
 * with MMIO and may clean_tables them. Never waits for the hardware, so it is
 * meant to be callable from the IOMMU's interrupt handler, provided the port's
 * lock, MMIO and log hooks are safe there.
 */
int iomm_fault_poll(struct iomm_unit *unit, iomm_fault_fn fn, void *arg);

/**
 * @name Interrupt remapping
 * A device signals an interrupt (an MSI) by writing a message to an address.
 * On a unit with ::IOMM_CAP_IRQ_REMAP the unit owns a table of interrupt
 * entries: a device's message only names an entry (a handle), and the entry,
 * written by the library, says which interrupt is delivered where, and from
 * which device alone the entry accepts a request. A message naming an entry
 * made for another device, a message in the old (unremapped) format and a
 * message naming a free entry are all blocked and reported as faults with
 * ::IOMM_FAULT_IRQ. Entries are caller memory (struct iomm_irq); the table
 * itself is memory the caller handed to the backend's init function.
 * @{
 */

/** How an interrupt is delivered (iomm_irq_cfg::delivery). */
enum iomm_irq_delivery {
	IOMM_IRQ_FIXED = 0,  /**< To the destination, with the entry's vector. */
	IOMM_IRQ_LOWEST = 1, /**< To the lowest-priority CPU among the destinations. */
	IOMM_IRQ_NMI = 4,    /**< A non-maskable interrupt (the vector is ignored). */
};

/** @name Interrupt flags (iomm_irq_cfg::flags)
 * @{ */
#define IOMM_IRQ_LEVEL (1u << 0)    /**< Level-triggered (otherwise edge). */
#define IOMM_IRQ_LOGICAL (1u << 1)  /**< The destination is a logical APIC ID (otherwise physical). */
#define IOMM_IRQ_REDIRECT (1u << 2) /**< Redirection hint: the unit may pick any CPU of a logical destination. */
/** Every interrupt flag; any other bit in iomm_irq_cfg::flags is refused. */
#define IOMM_IRQ_FLAGS_ALL (IOMM_IRQ_LEVEL | IOMM_IRQ_LOGICAL | IOMM_IRQ_REDIRECT)
/** @} */

/** @brief Where an interrupt goes: the policy the caller decides. */
struct iomm_irq_cfg {
	uint32_t dest;   /**< Destination CPU (APIC ID: 8 bits in xAPIC mode, 32 in x2APIC mode). */
	uint8_t vector;  /**< Vector, 16-255 (ignored for ::IOMM_IRQ_NMI). */
	uint8_t delivery; /**< An enum iomm_irq_delivery value. */
	uint16_t flags;  /**< IOMM_IRQ_* flags. */
};

/** @brief The message a device must write to signal an interrupt (MSI address and data). */
struct iomm_msi_msg {
	uint64_t addr; /**< Message address. */
	uint32_t data; /**< Message data. */
};

/**
 * @brief One interrupt entry. Caller-allocated; fields are private.
 *
 * Before iomm_irq_alloc() the object must be all zeroes or freed
 * (iomm_irq_free()).
 */
struct iomm_irq {
	/** @cond INTERNAL */
	struct iomm_unit *unit;
	const struct iomm_dev *dev;
	uint32_t live;  /* IOMM_LIVE_COOKIE between alloc and free */
	uint32_t sid;   /* the device's streams when the entry was made */
	uint32_t mask;
	uint32_t index; /* the backend's entry */
	/** @endcond */
};

/**
 * @brief Allocate an interrupt entry for a device and aim it at @p target.
 *
 * The entry accepts interrupt requests from the streams of @p dev only
 * (as they were when this is called). @p msg receives the message the
 * device must use: program it into the device's MSI (or MSI-X) capability.
 * The device need not be attached to a domain.
 *
 * @param unit   The unit the device sits behind.
 * @param dev    The device (iomm_dev_init() on @p unit).
 * @param target Destination, vector, delivery and flags.
 * @param out    Entry object (caller memory): all zeroes, or freed.
 * @param msg    Receives the MSI address and data for the device.
 * @retval IOMM_OK        Allocated; the entry is in effect when this returns.
 * @retval IOMM_EINVAL    NULL argument; @p dev belongs to another unit; a
 *                        vector below 16 for fixed or lowest-priority
 *                        delivery; an unknown delivery mode or flag; a
 *                        destination wider than the unit's mode allows; a
 *                        device whose stream set the unit cannot validate
 *                        exactly (nothing is allocated rather than accept
 *                        more sources than the device).
 * @retval IOMM_EBUSY     @p out is live (allocated and not freed).
 * @retval IOMM_ENOTSUP   The unit does not remap interrupts (no
 *                        ::IOMM_CAP_IRQ_REMAP: not supported, or not set up).
 * @retval IOMM_ENOSPC    Every entry of the unit's table is in use (or held
 *                        back after an unconfirmed invalidation).
 * @retval IOMM_ETIMEDOUT The unit did not confirm the invalidation a
 *                        caching-mode unit needs; nothing was allocated.
 * @retval IOMM_EIO       The unit rejected that invalidation; as above.
 *
 * @par Context
 * Takes the unit's lock (iomm_port::lock, the unit is the lock object);
 * writes the table (clean_tables on a non-coherent unit) and, where the unit
 * needs it, queues an invalidation and polls for it with now_ns/relax. May
 * sleep only if those hooks can; not meant for interrupt handlers.
 */
int iomm_irq_alloc(struct iomm_unit *unit, struct iomm_dev *dev, const struct iomm_irq_cfg *target,
		   struct iomm_irq *out, struct iomm_msi_msg *msg);

/**
 * @brief Aim a live interrupt entry at a new target. The device's message
 *        stays the same.
 *
 * @param irq    The entry.
 * @param target New destination, vector, delivery and flags.
 * @retval IOMM_OK        Updated and invalidated: later interrupts go to @p target.
 * @retval IOMM_EINVAL    NULL argument, an entry that is not live, or a
 *                        target refused as by iomm_irq_alloc(); nothing changed.
 * @retval IOMM_ETIMEDOUT The invalidation was not confirmed: the entry holds
 *                        @p target in memory but the unit may still use the
 *                        old one.
 * @retval IOMM_EIO       The unit rejected the invalidation; as for a timeout.
 *
 * @par Context
 * Takes the unit's lock; one 64-bit store to the table, then an
 * invalidation polled with now_ns/relax. May sleep only if those hooks can;
 * not meant for interrupt handlers.
 */
int iomm_irq_update(struct iomm_irq *irq, const struct iomm_irq_cfg *target);

/**
 * @brief Free an interrupt entry: once this returns, the device's message
 *        is blocked (and reported as a fault).
 *
 * The entry is cleared, then invalidated in the unit's interrupt-entry
 * cache; only once the unit confirmed that is the entry handed out again.
 *
 * @param irq The entry.
 * @retval IOMM_OK        Freed and invalidated; @p irq may be allocated again.
 * @retval IOMM_EINVAL    NULL argument or an entry that is not live.
 * @retval IOMM_ETIMEDOUT The invalidation was not confirmed: the entry is
 *                        cleared in memory, held back from reuse, and @p irq
 *                        stays live so that the call can be repeated.
 * @retval IOMM_EIO       The unit rejected the invalidation; as for a timeout.
 *
 * @par Context
 * Takes the unit's lock; writes the table, queues an invalidation and polls
 * for it with now_ns/relax. May sleep only if those hooks can; not meant for
 * interrupt handlers.
 */
int iomm_irq_free(struct iomm_irq *irq);

/** @} */

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* IOMMUMAN_IOMMU_H */
