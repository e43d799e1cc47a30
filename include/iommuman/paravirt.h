/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file paravirt.h
 * @brief Paravirtual (virtio-iommu) backend and its transports: the guest role.
 * @ingroup paravirt
 */
#ifndef IOMMUMAN_PARAVIRT_H
#define IOMMUMAN_PARAVIRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommu.h"
#include "virtio_iommu.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup paravirt Paravirtual backend (virtio-iommu guest driver)
 * @{
 * iomm_paravirt_init() drives a virtio-iommu device through a transport
 * (struct iomm_viommu_transport): it negotiates features, reads the device
 * configuration and fills an iomm_unit with IOMM_CAP_REMOTE set. From then
 * on the generic API of iommu.h works unchanged: iomm_domain_init() takes a
 * virtio-iommu domain ID, iomm_attach() sends ATTACH (with the bypass flag
 * for IOMM_DOMAIN_BYPASS), iomm_detach() DETACH, iomm_map() MAP,
 * iomm_unmap() UNMAP, and iomm_fault_poll() decodes the event queue's
 * fault records.
 *
 * Three transports come with the library:
 * - a loopback (iomm_viommu_loopback_init()) that hands every request to a
 *   device model in the same program through a function pointer;
 * - virtio-pci modern with split virtqueues in caller memory
 *   (iomm_viommu_pci_init()), for a real or emulated virtio-iommu-pci;
 * - virtio-mmio version 2, likewise (iomm_viommu_mmio_init()), for a
 *   virtio-iommu behind a memory-mapped window (for example the one a
 *   hypervisor built on iomm_vmmio_front_access() emulates).
 *
 * The device's endpoint ID is the iomm_dev's stream ID (for PCI, the
 * requester ID). Devices with don't-care bits are not supported.
 *
 * virtio-iommu's UNMAP reports no byte count: on success iomm_unmap()
 * stores the requested size in @c unmapped (every mapping inside the range
 * is gone; ranges that were never mapped count too).
 */

/* ---------------------------------------------------------------------- */
/** @name Transport
 * @{ */

/**
 * @brief What the paravirtual backend needs from a virtio transport.
 *
 * Every hook is synchronous; waits are bounded by the transport's own
 * timeout (the virtio-pci transport uses the port's clock). Hooks are called
 * with the unit's lock held (or from init) and must not call back into
 * iommuman.
 */
struct iomm_viommu_transport {
	/** Passed unchanged as the first argument of every hook. */
	void *ctx;
	/**
	 * Send one request and wait for its completion. @p req (@p req_len
	 * bytes) is what the device reads; @p resp (@p resp_len bytes) is what
	 * the device writes, ending with the 4-byte tail. Required.
	 * Returns IOMM_OK when the device completed the request (its status is
	 * in the tail), IOMM_EINVAL when the buffers are too large for the
	 * transport, IOMM_ETIMEDOUT when the device did not answer in time, or
	 * IOMM_EIO when the device wrote fewer bytes than the tail needs or the
	 * transport is broken.
	 */
	int (*request)(void *ctx, const void *req, size_t req_len, void *resp, size_t resp_len);
	/**
	 * Read @p len bytes of the device configuration at byte offset @p off
	 * into @p buf. Required. Returns IOMM_OK or IOMM_EINVAL (out of range).
	 */
	int (*config_read)(void *ctx, uint32_t off, void *buf, size_t len);
	/**
	 * Write @p len bytes at @p off of the device configuration (only the
	 * bypass byte is ever written). Optional (NULL: never written).
	 * Returns IOMM_OK or IOMM_EINVAL.
	 */
	int (*config_write)(void *ctx, uint32_t off, const void *buf, size_t len);
	/** The device's feature bits (bit n = feature n). Required. */
	uint64_t (*features_get)(void *ctx);
	/**
	 * Accept @p features (a subset of features_get()) and make the device
	 * ready: for virtio-pci this is FEATURES_OK, queue setup and DRIVER_OK.
	 * Required. Returns IOMM_OK, IOMM_ENOTSUP (the device refused the
	 * set), IOMM_ENOMEM (queue memory too small) or IOMM_ETIMEDOUT.
	 */
	int (*features_set)(void *ctx, uint64_t features);
	/**
	 * Fetch one event (a fault record) into @p buf of @p cap bytes and give
	 * its buffer back to the device. Optional (NULL: no fault reporting).
	 * Returns the event's length in bytes, 0 when none is pending, or
	 * IOMM_EIO when the transport is broken.
	 */
	int (*event_get)(void *ctx, void *buf, size_t cap);
	/**
	 * Give the device up: iomm_paravirt_init() refused it after a
	 * successful features_set() (a configuration malformed or changed once
	 * FEATURES_OK was set, a failed configuration access). Set FAILED and
	 * reset the device, waiting (bounded) for the reset to complete, so
	 * that it no longer uses the queue memory; later requests fail with
	 * IOMM_EIO. Optional (NULL: the device is left as features_set() made
	 * it). Both virtio transports set it; the loopback transport, which
	 * has no queues, does not.
	 */
	void (*fail)(void *ctx);
};
/** @} */

/* ---------------------------------------------------------------------- */
/** @name Backend
 * @{ */

/** Endpoints whose attachment and probe results one unit tracks. */
#define IOMM_PARAVIRT_MAX_EP 8
/** Reserved regions remembered per endpoint (further ones: init fails with ENOSPC). */
#define IOMM_PARAVIRT_MAX_RESV 4
/** Domain IDs one unit hands out at the same time (from the device's domain range). */
#define IOMM_PARAVIRT_MAX_DOMAINS 64
/** Largest probe_size the backend accepts (its PROBE reply buffer). */
#define IOMM_PARAVIRT_PROBE_MAX 1024u
/**
 * Probe property carrying an endpoint's page_size_mask (le64 at byte 8 of
 * the property), from later revisions of the virtio-iommu specification.
 * Honoured when present: it narrows the page sizes of the endpoint's domain.
 */
#define IOMM_PARAVIRT_PROP_PAGE_SIZE_MASK 2u

/** Features the backend asks for unless iomm_paravirt_cfg::features says otherwise. */
#define IOMM_PARAVIRT_FEATURES                                                                     \
	((1ull << IOMM_VIOMMU_F_INPUT_RANGE) | (1ull << IOMM_VIOMMU_F_DOMAIN_RANGE) |              \
	 (1ull << IOMM_VIOMMU_F_MAP_UNMAP) | (1ull << IOMM_VIOMMU_F_PROBE) |                       \
	 (1ull << IOMM_VIOMMU_F_MMIO) | (1ull << IOMM_VIOMMU_F_BYPASS_CONFIG) |                    \
	 (1ull << IOMM_VIOMMU_F_VERSION_1))

/** @brief One reserved region an endpoint reported through PROBE. */
struct iomm_paravirt_resv {
	uint64_t start;  /**< First address. */
	uint64_t end;    /**< Last address (inclusive). */
	uint8_t subtype; /**< IOMM_VIOMMU_RESV_T_RESERVED or IOMM_VIOMMU_RESV_T_MSI. */
};

/** @brief What the backend remembers about one endpoint. Fields are private. */
struct iomm_paravirt_ep {
	/** @cond INTERNAL */
	uint32_t endpoint;
	bool used;
	bool probed;
	uint8_t nresv;
	uint64_t page_size_mask; /* 0: not reported */
	struct iomm_domain *domain;
	struct iomm_paravirt_resv resv[IOMM_PARAVIRT_MAX_RESV];
	/** @endcond */
};

/** @brief Options of iomm_paravirt_init(). Zeroed fields mean the defaults. */
struct iomm_paravirt_cfg {
	/** Features to ask for (bit n = feature n); 0: IOMM_PARAVIRT_FEATURES. */
	uint64_t features;
};

/**
 * @brief One paravirtual IOMMU. Caller-allocated; pass &pv->unit to the
 *        generic API. Fields other than @c unit are read-only results.
 */
struct iomm_paravirt {
	struct iomm_unit unit;                   /**< The generic unit: pass this around. */
	const struct iomm_viommu_transport *t;   /**< The transport. */
	uint64_t features;                       /**< Negotiated feature bits. */
	uint64_t page_size_mask;                 /**< config.page_size_mask. */
	uint64_t input_start;                    /**< First IOVA (0 without INPUT_RANGE). */
	uint64_t input_end;                      /**< Last IOVA (inclusive). */
	uint32_t domain_start;                   /**< First domain ID. */
	uint32_t domain_end;                     /**< Last domain ID (inclusive). */
	uint32_t probe_size;                     /**< Bytes of PROBE properties (0 without PROBE). */
	uint64_t faults_lost;                    /**< Events too short to decode, dropped. */
	/** @cond INTERNAL */
	uint64_t domains_used[IOMM_PARAVIRT_MAX_DOMAINS / 64];
	struct iomm_paravirt_ep eps[IOMM_PARAVIRT_MAX_EP];
	uint8_t probe_buf[IOMM_PARAVIRT_PROBE_MAX + IOMM_VIOMMU_TAIL_SIZE];
	/** @endcond */
};

/**
 * @brief Bring up a virtio-iommu device through @p t and fill @p pv->unit.
 *
 * Reads the device features, accepts those of @p cfg (VERSION_1 is
 * required; the legacy BYPASS feature is never accepted), reads the
 * configuration (page_size_mask, input range, domain range, probe_size),
 * turns config.bypass off when BYPASS_CONFIG was negotiated (so endpoints
 * that are not attached are blocked), and sets caps to IOMM_CAP_REMOTE, plus
 * IOMM_CAP_S1 with MAP_UNMAP and IOMM_CAP_BYPASS with BYPASS_CONFIG;
 * page_sizes = page_size_mask; ias from the input range; sid_bits 32.
 *
 * @param pv   Backend object (caller-allocated).
 * @param port Port (only its lock hooks and log are used by the backend).
 * @param t    A transport, reset and ready for feature negotiation.
 * @param cfg  Options, or NULL for the defaults.
 * A refusal past the argument checks leaves @p pv zeroed (the API refuses
 * it as not initialised); one after features_set() succeeded also gives the
 * device up through the transport's @c fail hook (the virtio transports
 * reset it), so a refused device no longer uses the transport's queue memory.
 *
 * @retval IOMM_OK        Ready; every endpoint is blocked until attached.
 * @retval IOMM_EINVAL    NULL argument or a transport without a required hook.
 * @retval IOMM_ENODEV    The device lacks VERSION_1, or its configuration is
 *                        malformed (empty page_size_mask, empty ranges).
 * @retval IOMM_ENOTSUP   The device refused the features (did not keep
 *                        FEATURES_OK), has fewer than two queues or queues
 *                        smaller than the transport needs, or probe_size is
 *                        larger than IOMM_PARAVIRT_PROBE_MAX. The virtio-mmio
 *                        and virtio-pci transports log which at DEBUG through
 *                        their port.
 * @retval IOMM_ENOMEM    The transport's queue memory is too small.
 * @retval IOMM_ETIMEDOUT The device did not answer in time.
 * @retval IOMM_EIO       A configuration access or write failed.
 *
 * @par Context
 * Takes no lock (the unit is not shared until this returns); reads the device's
 * configuration and negotiates features through the transport, which polls with
 * iomm_port::now_ns/relax (virtio-pci). May sleep only if those hooks (or log)
 * can. Meant for initialisation, not for interrupt handlers.
 */
int iomm_paravirt_init(struct iomm_paravirt *pv, const struct iomm_port *port,
		       const struct iomm_viommu_transport *t, const struct iomm_paravirt_cfg *cfg);

/**
 * @brief Send PROBE for @p endpoint (if not done yet) and remember its
 *        reserved regions and page sizes. iomm_attach() does this itself;
 *        call it earlier to learn the MSI doorbell before attaching.
 * @param pv       The backend.
 * @param endpoint Endpoint ID (the device's stream ID).
 * @retval IOMM_OK      Probed (or PROBE not negotiated: nothing to learn).
 * @retval IOMM_EINVAL  NULL argument, or a malformed reply.
 * @retval IOMM_ENOSPC  No endpoint slot left, or more reserved regions than
 *                      IOMM_PARAVIRT_MAX_RESV.
 * @return Any status the device returned, mapped as for iomm_map()
 *         (::IOMM_ENOENT for an unknown endpoint, ::IOMM_EIO, ...), or a
 *         transport error (::IOMM_ETIMEDOUT).
 *
 * @par Context
 * Takes the unit's lock (iomm_port::lock, the unit is the lock object) and
 * sends a PROBE request to the host through the transport, waiting for the
 * reply (virtio-pci: polling with now_ns/relax). May sleep only if those hooks
 * can; not meant for interrupt handlers.
 */
int iomm_paravirt_probe(struct iomm_paravirt *pv, uint32_t endpoint);

/**
 * @brief Read the @p index-th reserved region PROBE reported for @p endpoint.
 * @param pv       The backend.
 * @param endpoint Endpoint ID.
 * @param index    0, 1, ...
 * @param out      Receives the region.
 * @retval IOMM_OK     Found.
 * @retval IOMM_EINVAL NULL argument.
 * @retval IOMM_ENOENT No such region (or the endpoint was never probed).
 *
 * @par Context
 * Reads what an earlier probe recorded: no lock, no hook. Never sleeps; any
 * context, but not concurrently with iomm_paravirt_probe() on the same
 * endpoint.
 */
int iomm_paravirt_resv_get(const struct iomm_paravirt *pv, uint32_t endpoint, unsigned index,
			   struct iomm_paravirt_resv *out);

/**
 * @brief The MSI doorbell region of @p endpoint (the first RESV_MEM region
 *        of subtype MSI), where the endpoint's MSI writes land untranslated.
 * @param pv       The backend.
 * @param endpoint Endpoint ID.
 * @param start    Receives its first address.
 * @param end      Receives its last address (inclusive).
 * @retval IOMM_OK     Found.
 * @retval IOMM_EINVAL NULL argument.
 * @retval IOMM_ENOENT No MSI region known for the endpoint.
 *
 * @par Context
 * Reads what an earlier probe recorded: no lock, no hook. Never sleeps; any
 * context, but not concurrently with iomm_paravirt_probe() on the same
 * endpoint.
 */
int iomm_paravirt_msi_region(const struct iomm_paravirt *pv, uint32_t endpoint, uint64_t *start,
			     uint64_t *end);

/**
 * @brief Translate a virtio-iommu status byte into an iommuman status
 *        (iomm_viommu_status_to_rc(), kept as the backend's entry point).
 * @param status The tail's status byte.
 * @retval IOMM_OK      S_OK.
 * @retval IOMM_EIO     S_IOERR, S_DEVERR and unknown values.
 * @retval IOMM_ENOTSUP S_UNSUPP.
 * @retval IOMM_EINVAL  S_INVAL.
 * @retval IOMM_ERANGE  S_RANGE.
 * @retval IOMM_ENOENT  S_NOENT.
 * @retval IOMM_EFAULT  S_FAULT.
 * @retval IOMM_ENOMEM  S_NOMEM.
 *
 * @par Context
 * Pure computation on its arguments: no lock, no hook. Never sleeps; any
 * context.
 */
int iomm_paravirt_status(uint8_t status);
/** @} */

/* ---------------------------------------------------------------------- */
/** @name Loopback transport
 * @{ */

/* struct iomm_viommu_loopback_dev (the device side's hooks) is in virtio_iommu.h. */

/** @brief Loopback transport state. Caller-allocated; fields are private. */
struct iomm_viommu_loopback {
	/** @cond INTERNAL */
	struct iomm_viommu_loopback_dev d;
	struct iomm_viommu_transport t;
	uint64_t features;
	/** @endcond */
};

/**
 * @brief Wire a transport straight to a device model.
 * @param lb  Transport state (caller-allocated).
 * @param dev The model's hooks (copied).
 * @return The transport to pass to iomm_paravirt_init() (lives in @p lb),
 *         or NULL when an argument or a required hook is NULL.
 *
 * @par Context
 * Fills @p lb only: no lock, no hook. Never sleeps; any context. (Requests
 * later sent through it run the device model in the caller's context.)
 */
const struct iomm_viommu_transport *iomm_viommu_loopback_init(struct iomm_viommu_loopback *lb,
							      const struct iomm_viommu_loopback_dev *dev);
/** @} */

/* ---------------------------------------------------------------------- */
/** @name virtio-pci (modern) transport
 * @{ */

/** Request queue descriptors the virtio-pci transport uses (a request needs two). */
#define IOMM_VIOMMU_PCI_REQ_SLOTS 4u
/** Bytes of one event buffer. */
#define IOMM_VIOMMU_PCI_EVENT_BUF 32u
/** Smallest request bounce area: a PROBE with probe_size 512. */
#define IOMM_VIOMMU_PCI_MIN_BOUNCE 640u

/** @cond INTERNAL */
/*
 * Split-virtqueue driver state the virtio transports share (queue 0:
 * requests, queue 1: events). Part of the transport objects below; not
 * for callers.
 */
struct iomm_vq {
	const struct iomm_port *port;
	uint8_t *mem;
	uint64_t mem_pa;
	uint64_t timeout_ns;
	void (*notify)(void *ctx, unsigned q);
	void *ctx;
	uint16_t nevt;
	uint16_t avail_idx[2];
	uint16_t used_idx[2];
	size_t off_desc[2], off_avail[2], off_used[2], off_evt, off_bounce;
	size_t bounce_size;
	bool broken;
};
/** @endcond */

/** @brief Board access the virtio-pci transport needs (no board code in the library). */
struct iomm_viommu_pci_cfg {
	/** Passed unchanged as first argument of the hooks below. */
	void *ctx;
	/** Read the aligned 32-bit word at @p off of the function's PCI configuration space. Required. */
	uint32_t (*pci_read32)(void *ctx, uint16_t off);
	/**
	 * One MMIO read of @p width bytes (1, 2 or 4) at @p addr (inside a BAR).
	 * Required.
	 */
	uint32_t (*mmio_read)(void *ctx, uintptr_t addr, unsigned width);
	/** One MMIO write of @p width bytes (1, 2 or 4). Required. */
	void (*mmio_write)(void *ctx, uintptr_t addr, unsigned width, uint32_t val);
	/** CPU addresses of the memory BARs the caller assigned and enabled (0: none). */
	uintptr_t bar[6];
	/**
	 * Queue memory: descriptor tables, rings, event buffers and the
	 * request bounce area. Zeroed or not; at least
	 * iomm_viommu_pci_mem_size(@c event_slots) bytes, 16-byte aligned,
	 * reachable by the device at @c mem_pa.
	 */
	void *mem;
	uint64_t mem_pa;  /**< Bus address of @c mem as the device sees it. */
	size_t mem_size;  /**< Bytes of @c mem. */
	uint16_t event_slots; /**< Event buffers, a power of two; 0: 64. */
	uint64_t timeout_ns;  /**< Bound on every wait; 0: 1 s. */
};

/** @brief virtio-pci transport state. Caller-allocated; fields are private. */
struct iomm_viommu_pci {
	/** @cond INTERNAL */
	struct iomm_viommu_pci_cfg c;
	const struct iomm_port *port;
	struct iomm_viommu_transport t;
	uintptr_t common, notify, isr, device;
	uint32_t notify_mult;
	uint32_t device_len;
	uint16_t notify_off[2];
	struct iomm_vq vq;
	/** @endcond */
};

/**
 * @brief Bytes of queue memory the virtio-pci transport needs for
 *        @p event_slots event buffers and the smallest bounce area.
 * @param event_slots Event buffers (0: 64).
 * @return The size in bytes (more memory becomes a larger bounce area).
 *
 * @par Context
 * Pure computation on its arguments: no lock, no hook. Never sleeps; any
 * context.
 */
size_t iomm_viommu_pci_mem_size(uint16_t event_slots);

/**
 * @brief Find the virtio-pci capabilities of a virtio-iommu function,
 *        reset it and set ACKNOWLEDGE and DRIVER.
 *
 * Feature negotiation, queue setup and DRIVER_OK follow when
 * iomm_paravirt_init() calls features_set(). Every wait is bounded by the
 * port's clock.
 *
 * @param p    Transport state (caller-allocated).
 * @param port Port: now_ns (required), relax, wmb, mb.
 * @param cfg  Board access and queue memory (copied).
 * @param out  Receives the transport to pass to iomm_paravirt_init().
 * @retval IOMM_OK        Reset and acknowledged.
 * @retval IOMM_EINVAL    NULL argument or hook, port without a clock,
 *                        misaligned memory, or event_slots not a power of two.
 * @retval IOMM_ENOMEM    @c mem_size below iomm_viommu_pci_mem_size().
 * @retval IOMM_ENODEV    No capability list, or the common, notify or
 *                        device capability is missing or its BAR is not given.
 * @retval IOMM_ETIMEDOUT The reset did not complete in time.
 *
 * @par Context
 * Takes no lock (the transport is not shared until this returns); resets the
 * device and sets up its queues with MMIO, polling the device status with
 * now_ns/relax. May sleep only if those hooks can. Meant for initialisation,
 * not for interrupt handlers.
 */
int iomm_viommu_pci_init(struct iomm_viommu_pci *p, const struct iomm_port *port,
			 const struct iomm_viommu_pci_cfg *cfg,
			 const struct iomm_viommu_transport **out);
/** @} */

/* ---------------------------------------------------------------------- */
/** @name virtio-mmio transport
 * @{ */

/** DeviceID register value of a virtio-iommu (virtio 1.2, 5 "Device Types": 23). */
#define IOMM_VIOMMU_MMIO_DEVICE_ID 23u
/** Bytes of the virtio-mmio register window: registers, then the device configuration at 0x100. */
#define IOMM_VIOMMU_MMIO_WINDOW 0x200u
/** Request queue descriptors the virtio-mmio transport uses (a request needs two). */
#define IOMM_VIOMMU_MMIO_REQ_SLOTS 4u
/** Bytes of one event buffer. */
#define IOMM_VIOMMU_MMIO_EVENT_BUF 32u
/** Smallest request bounce area: a PROBE with probe_size 512. */
#define IOMM_VIOMMU_MMIO_MIN_BOUNCE 640u

/** @brief Where the virtio-mmio device is and the memory its queues live in. */
struct iomm_viommu_mmio_cfg {
	/**
	 * CPU address of the device's register window (::IOMM_VIOMMU_MMIO_WINDOW
	 * bytes, 4-byte aligned). Every access is one aligned 32-bit
	 * iomm_port::read32 / iomm_port::write32 at base + offset.
	 */
	uintptr_t base;
	/**
	 * Queue memory: descriptor tables, rings, event buffers and the
	 * request bounce area. Zeroed or not; at least
	 * iomm_viommu_mmio_mem_size(@c event_slots) bytes, 16-byte aligned,
	 * reachable by the device at @c mem_pa.
	 */
	void *mem;
	uint64_t mem_pa;      /**< Guest-physical (bus) address of @c mem as the device sees it. */
	size_t mem_size;      /**< Bytes of @c mem. */
	uint16_t event_slots; /**< Event buffers, a power of two; 0: 64. */
	uint64_t timeout_ns;  /**< Bound on every wait; 0: 1 s. */
};

/** @brief virtio-mmio transport state. Caller-allocated; fields are private. */
struct iomm_viommu_mmio {
	/** @cond INTERNAL */
	struct iomm_viommu_mmio_cfg c;
	const struct iomm_port *port;
	struct iomm_viommu_transport t;
	struct iomm_vq vq;
	/** @endcond */
};

/**
 * @brief Bytes of queue memory the virtio-mmio transport needs for
 *        @p event_slots event buffers and the smallest bounce area.
 * @param event_slots Event buffers (0: 64).
 * @return The size in bytes (more memory becomes a larger bounce area).
 *
 * @par Context
 * Pure computation on its arguments: no lock, no hook. Never sleeps; any
 * context.
 */
size_t iomm_viommu_mmio_mem_size(uint16_t event_slots);

/**
 * @brief Check that @p cfg->base holds a virtio-mmio (version 2)
 *        virtio-iommu, reset it and set ACKNOWLEDGE and DRIVER.
 *
 * Reads MagicValue (0x74726976), Version (2) and DeviceID
 * (::IOMM_VIOMMU_MMIO_DEVICE_ID), writes 0 to Status and waits until it
 * reads back 0. Feature negotiation (VERSION_1 required by
 * iomm_paravirt_init(), FEATURES_OK re-read), setup of the request queue
 * (::IOMM_VIOMMU_MMIO_REQ_SLOTS entries) and the event queue (@c
 * event_slots entries) as split virtqueues in @c mem, and DRIVER_OK follow
 * when iomm_paravirt_init() calls features_set(). Every wait is bounded by
 * the port's clock. The transport polls: it sets VIRTQ_AVAIL_F_NO_INTERRUPT
 * and never reads InterruptStatus.
 *
 * @param m    Transport state (caller-allocated).
 * @param port Port: now_ns, read32 and write32 (required), relax, wmb, mb.
 * @param cfg  Register window and queue memory (copied).
 * @param out  Receives the transport to pass to iomm_paravirt_init().
 * @retval IOMM_OK        Reset and acknowledged.
 * @retval IOMM_EINVAL    NULL argument, port without a clock or 32-bit
 *                        MMIO hooks, base 0 or not 4-byte aligned,
 *                        misaligned memory, or event_slots not a power of two.
 * @retval IOMM_ENOMEM    @c mem_size below iomm_viommu_mmio_mem_size().
 * @retval IOMM_ENODEV    Wrong MagicValue, an unknown Version, or a DeviceID
 *                        other than virtio-iommu (0: no device behind the window).
 * @retval IOMM_ENOTSUP   A legacy (Version 1) device.
 * @retval IOMM_ETIMEDOUT The reset did not complete in time.
 *
 * @par Context
 * Takes no lock (the transport is not shared until this returns); resets the
 * device with MMIO, polling the device status with now_ns/relax. May sleep
 * only if those hooks can. Meant for initialisation, not for interrupt
 * handlers.
 */
int iomm_viommu_mmio_init(struct iomm_viommu_mmio *m, const struct iomm_port *port,
			  const struct iomm_viommu_mmio_cfg *cfg,
			  const struct iomm_viommu_transport **out);
/** @} */

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* IOMMUMAN_PARAVIRT_H */
