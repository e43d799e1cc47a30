/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the files of the VT-d backend share (not installed):
 *   vtd.c        unit operations: domains, context and PASID entries, attach
 *   vtd_qi.c     global commands and invalidation (registers or queue)
 *   vtd_fault.c  fault recording registers
 *   vtd_init.c   probe, structures, reset and firmware takeover; enable/disable
 *   vtd_ir.c     interrupt remapping: the table, its entries, IEC invalidation
 */
#ifndef IOMM_VTD_INTERNAL_H
#define IOMM_VTD_INTERNAL_H

#include <iommuman/vtd.h>

#include "iomm_backend.h"
#include "vtd_regs.h"

#define RID_PASID 0u

static inline struct iomm_vtd *to_vtd(struct iomm_unit *unit)
{
	return (struct iomm_vtd *)(void *)unit;
}

/* Widest supported second-stage width (AW code), for pass-through entries. */
static inline unsigned widest_aw(const struct iomm_vtd *v)
{
	return 31u - (unsigned)__builtin_clz((unsigned)v->sagaw);
}

/* ---- invalidation: one interface for the queue and the registers ---- */

struct batch {
	int rc;
	uint32_t n; /* descriptors queued since the last wait */
};

static inline void batch_err(struct batch *b, int rc)
{
	if (rc && !b->rc)
		b->rc = rc;
}

static inline unsigned desc_words(const struct iomm_vtd *v)
{
	return v->scalable ? 4u : 2u;
}

/*
 * After iomm_vtd_disable() the queue is off and nothing translates;
 * iomm_vtd_enable() invalidates everything before translation resumes, so
 * invalidations are skipped (and not counted) meanwhile.
 */
static inline bool queue_off(const struct iomm_vtd *v)
{
	return v->qi && !(v->gcmd & GCMD_QIE);
}

/* ---- vtd_qi.c ---- */

/* Issue a one-shot command (SRTP, WBF) and wait for GSTS to show @want under @mask. */
int vtd_gcmd_cmd(struct iomm_vtd *v, uint32_t cmd, uint32_t mask, uint32_t want);
/* Turn a state bit (TE, QIE) on or off and wait for its status. */
int vtd_gcmd_state(struct iomm_vtd *v, uint32_t bit, bool on);
/* Write-buffer flush, on units that ask for one (CAP.RWBF). */
int vtd_flush_write_buffer(struct iomm_vtd *v);
/* Wait (bounded) for the unit to consume the queue (IQH == IQT), then disable it. */
int vtd_qi_stop(struct iomm_vtd *v);
/* Empty the invalidation queue and enable it. */
int vtd_qi_start(struct iomm_vtd *v);

/* Context-cache invalidation: GRAN_GLOBAL, GRAN_DOMAIN (did) or GRAN_DEVICE (did, sid, fm). */
void vtd_inv_cc(struct iomm_vtd *v, struct batch *b, unsigned gran, uint32_t did, uint32_t sid,
		uint32_t fm);
/* IOTLB invalidation (second-stage and pass-through translations). */
void vtd_inv_iotlb(struct iomm_vtd *v, struct batch *b, unsigned gran, uint32_t did, uint64_t addr,
		   unsigned am, bool ih);
/* PASID-cache invalidation (scalable mode, queue only). */
void vtd_inv_pc(struct iomm_vtd *v, struct batch *b, unsigned g, uint32_t did, uint32_t pasid);
/* PASID-based IOTLB invalidation (first-stage translations, queue only). */
void vtd_inv_piotlb(struct iomm_vtd *v, struct batch *b, unsigned g, uint32_t did, uint32_t pasid,
		    uint64_t addr, unsigned am, bool ih);
/* Interrupt entry cache invalidation (queue only): global, or 2^@im entries from @index. */
void vtd_inv_iec(struct iomm_vtd *v, struct batch *b, bool global, uint32_t index, unsigned im);
/* Finish a batch: one wait descriptor when anything was queued. */
int vtd_batch_sync(struct iomm_vtd *v, struct batch *b);
/* Everything, everywhere: used at init and by iomm_vtd_flush_all(). */
int vtd_flush_everything(struct iomm_vtd *v);

/* ---- vtd_fault.c ---- */

/* iomm_unit_ops.fault_poll. */
int vtd_fault_poll(struct iomm_unit *unit, iomm_fault_fn fn, void *arg);
/* Acknowledge old faults and queue errors, and release every fault record. */
void vtd_fault_clear_all(struct iomm_vtd *v);

/* ---- vtd_ir.c ---- */

/* Point the unit at the (emptied) interrupt remapping table, invalidate the
 * interrupt entry cache, keep compatibility format blocked, enable IR. */
int vtd_ir_setup(struct iomm_vtd *v);
/* iomm_unit_ops.irq_alloc / irq_update / irq_free. */
int vtd_irq_alloc(struct iomm_unit *unit, struct iomm_irq *irq, const struct iomm_irq_cfg *cfg,
		  struct iomm_msi_msg *msg);
int vtd_irq_update(struct iomm_unit *unit, struct iomm_irq *irq, const struct iomm_irq_cfg *cfg);
int vtd_irq_free(struct iomm_unit *unit, struct iomm_irq *irq);

/* ---- vtd.c ---- */

/* The unit operations for a unit with @features (IOMM_VTD_F_*). */
const struct iomm_unit_ops *vtd_ops_for(uint32_t features);

#endif /* IOMM_VTD_INTERNAL_H */
