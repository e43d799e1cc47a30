/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file backend.h
 * @brief The backend ops table: the one seam between the portable core and a backend.
 * @ingroup backend
 */
#ifndef IOMMUMAN_BACKEND_H
#define IOMMUMAN_BACKEND_H

#include "iommu.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup backend Writing a backend
 * @{
 * The core (src/) never names a backend. Each backend (backends/NAME/)
 * fills one const struct iomm_unit_ops and points iomm_unit::ops at it from
 * its init function. The core validates arguments, takes the unit's lock,
 * drives the domain's page table and calls these hooks. Optional hooks may
 * be NULL.
 */

/** @brief Operations a backend provides; see the group description. */
struct iomm_unit_ops {
	/**
	 * Check @p dom's type and geometry (already filled in by the core) and
	 * claim its hardware identifier into dom->id. Before this is called the
	 * core has created the page table unless the unit is IOMM_CAP_REMOTE.
	 * Return IOMM_ENOTSUP / IOMM_ENOSPC as documented for iomm_domain_init().
	 */
	int (*domain_init)(struct iomm_unit *unit, struct iomm_domain *dom);
	/** Release the identifier and invalidate everything tagged with it. Optional. */
	int (*domain_fini)(struct iomm_unit *unit, struct iomm_domain *dom);
	/** Point @p dev's streams at @p dom (replacing any old configuration safely). */
	int (*attach)(struct iomm_unit *unit, struct iomm_domain *dom, struct iomm_dev *dev);
	/** Put @p dev's streams back to abort and invalidate their caches. */
	int (*detach)(struct iomm_unit *unit, struct iomm_dev *dev);
	/**
	 * Remote mapping (IOMM_CAP_REMOTE units): perform the map. For local
	 * units this is NULL and the core maps into dom->pgt.
	 */
	int (*map)(struct iomm_unit *unit, struct iomm_domain *dom, uint64_t iova, uint64_t pa,
		   uint64_t size, uint32_t prot);
	/** Remote unmapping, as map. */
	int (*unmap)(struct iomm_unit *unit, struct iomm_domain *dom, uint64_t iova, uint64_t size,
		     uint64_t *unmapped);
	/**
	 * After a local map: make new entries visible where the hardware may
	 * cache invalid ones (VT-d caching mode). Optional.
	 */
	int (*map_sync)(struct iomm_unit *unit, struct iomm_domain *dom, uint64_t iova,
			uint64_t size);
	/**
	 * Invalidate what @p gather describes for @p dom and wait for
	 * completion. The core then releases the gather's pages. Required for
	 * local units.
	 */
	int (*flush)(struct iomm_unit *unit, struct iomm_domain *dom,
		     const struct iomm_gather *gather);
	/** Drain the fault sources; see iomm_fault_poll(). Optional. */
	int (*fault_poll)(struct iomm_unit *unit, iomm_fault_fn fn, void *arg);
	/**
	 * Interrupt remapping (units with ::IOMM_CAP_IRQ_REMAP); optional.
	 * The core has checked the arguments and filled irq->sid / irq->mask
	 * from the device. Claim a free entry, write it so that it accepts
	 * requests from those streams only, store its handle in irq->index and
	 * the device's message in @p msg. Return the codes of iomm_irq_alloc().
	 */
	int (*irq_alloc)(struct iomm_unit *unit, struct iomm_irq *irq,
			 const struct iomm_irq_cfg *cfg, struct iomm_msi_msg *msg);
	/** Rewrite a live entry's target and invalidate it (iomm_irq_update()). */
	int (*irq_update)(struct iomm_unit *unit, struct iomm_irq *irq,
			  const struct iomm_irq_cfg *cfg);
	/**
	 * Clear the entry and invalidate it; hand it out again only once the
	 * unit confirmed (iomm_irq_free()).
	 */
	int (*irq_free)(struct iomm_unit *unit, struct iomm_irq *irq);
};

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* IOMMUMAN_BACKEND_H */
