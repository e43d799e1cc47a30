/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtd_model_internal.h: what the pieces of the VT-d model share. Not part of
 * the model's interface: include vtd_model.h instead.
 */
#ifndef VTD_MODEL_INTERNAL_H
#define VTD_MODEL_INTERNAL_H

#include "vtd_model.h"

#include <stdlib.h>
#include <string.h>

#define BIT64(n)     (UINT64_C(1) << (n))
#define MASK64(h, l) ((~UINT64_C(0) >> (63 - (h))) & ~((UINT64_C(1) << (l)) - 1))
#define ADDR_MASK    MASK64(51, 12)
#define PAGE_MASK    (~UINT64_C(0xfff))

/* ---- shared between the pieces ---- */

int vtd_m_rd_qwords(struct vtd_model *m, uint64_t pa, uint64_t *w, unsigned n);
/* vtd_m_rd_qwords() by a walk that snoops (@coherent) or reads DRAM (cfg.dram). */
int vtd_m_rd_walk(struct vtd_model *m, uint64_t pa, uint64_t *w, unsigned n, bool coherent);
int vtd_m_wr_qword(struct vtd_model *m, uint64_t pa, uint64_t v);
unsigned vtd_m_did_bits(const struct vtd_model *m);
void vtd_m_ctx_insert(struct vtd_model *m, const struct vtd_model_ctx_entry *e);
void vtd_m_pasid_insert(struct vtd_model *m, const struct vtd_model_pasid_entry *e);
void vtd_m_tlb_insert(struct vtd_model *m, const struct vtd_model_iotlb_entry *e);
void vtd_m_exec_ccmd(struct vtd_model *m);
void vtd_m_exec_iotlb_reg(struct vtd_model *m);
/* Record a fault with the record's low qword @lo (fault info) and reason @fr. */
void vtd_m_record_fault_raw(struct vtd_model *m, uint16_t sid, uint64_t lo, bool write,
			    uint32_t fr, bool fpd);
/* Interrupt entry cache invalidation: global, or 2^@im entries from @iidx. */
void vtd_m_iec_invalidate(struct vtd_model *m, bool global, uint32_t iidx, unsigned im);

#endif
