/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VT-d model: interrupt remapping (chapter 5 of the VT-d specification;
 * 9.10 for the table entry, 6.5.2.7 for its cache invalidation); see
 * vtd_model.h.
 */
#include "vtd_model_internal.h"

/* IRTA_REG */
#define IRTA_EIME BIT64(11)
#define IRTA_S	  0xfu
/* MSI address (5.1.5) */
#define MSI_HEAD_MASK MASK64(31, 20)
#define MSI_HEAD      UINT64_C(0xfee00000)
#define MSI_IF	      BIT64(4)
#define MSI_SHV	      BIT64(3)
#define MSI_H15	      BIT64(2)
/* IRTE, remapped format (9.10) */
#define IRTE0_P	      BIT64(0)
#define IRTE0_FPD     BIT64(1)
#define IRTE0_DM      BIT64(2)
#define IRTE0_RH      BIT64(3)
#define IRTE0_TM      BIT64(4)
#define IRTE0_IM      BIT64(15)
/* reserved: 14:12, 31:24; with xAPIC destinations also 39:32 and 63:48 */
#define IRTE0_RSVD    (MASK64(14, 12) | MASK64(31, 24))
#define IRTE0_RSVD_X  (MASK64(39, 32) | MASK64(63, 48))
#define IRTE1_RSVD    MASK64(63, 20)

bool vtd_model_irte_cached(const struct vtd_model *m, uint32_t index)
{
	for (size_t i = 0; i < m->nirte; i++)
		if (m->irte[i].index == index)
			return true;
	return false;
}

void vtd_m_iec_invalidate(struct vtd_model *m, bool global, uint32_t iidx, unsigned im)
{
	uint32_t size = UINT32_C(1) << (im > 16 ? 16 : im);
	if (!global && (iidx & (size - 1u)))
		m->stats.anomalies++; /* the index must be aligned to the mask */
	uint32_t lo = iidx & ~(size - 1u);
	size_t o = 0;
	for (size_t i = 0; i < m->nirte; i++) {
		const struct vtd_model_irte_entry *e = &m->irte[i];
		bool hit = global || (e->index >= lo && e->index - lo < size);
		if (!hit)
			m->irte[o++] = *e;
	}
	m->nirte = o;
	m->stats.iec++;
	if (global)
		m->stats.iec_global++;
	else
		m->stats.iec_index++;
}

static void irte_insert(struct vtd_model *m, uint32_t index, const uint64_t w[2])
{
	for (size_t i = 0; i < m->nirte; i++) {
		if (m->irte[i].index == index) {
			m->irte[i].w[0] = w[0];
			m->irte[i].w[1] = w[1];
			return;
		}
	}
	if (m->nirte == VTD_MODEL_CACHE_MAX) {
		memmove(m->irte, m->irte + 1, (m->nirte - 1) * sizeof(*m->irte));
		m->nirte--;
	}
	m->irte[m->nirte].index = index;
	m->irte[m->nirte].w[0] = w[0];
	m->irte[m->nirte].w[1] = w[1];
	m->nirte++;
}

/* The entry for @index, from the cache or the table; 0 or a fault reason. */
static uint32_t irte_get(struct vtd_model *m, uint32_t index, uint64_t w[2])
{
	for (size_t i = 0; i < m->nirte; i++) {
		if (m->irte[i].index == index) {
			w[0] = m->irte[i].w[0];
			w[1] = m->irte[i].w[1];
			m->stats.irte_hits++;
			return 0;
		}
	}
	m->stats.irte_fetches++;
	uint64_t base = m->irta_active & PAGE_MASK;
	if (vtd_m_rd_walk(m, base + (uint64_t)index * 16u, w, 2, m->cfg.c) != 0)
		return VTD_M_FR_IR_ROOT;
	/* Present entries are cached; not-present ones only in caching mode. */
	if ((w[0] & IRTE0_P) || m->cfg.cm)
		irte_insert(m, index, w);
	return 0;
}

/* Source validation (SVT, SQ, SID). */
static bool sid_ok(uint64_t w1, uint16_t sid)
{
	static const uint16_t sq_mask[4] = {0xffffu, 0xfffbu, 0xfff9u, 0xfff8u};
	uint16_t esid = (uint16_t)(w1 & 0xffffu);
	unsigned sq = (unsigned)(w1 >> 16) & 3u, svt = (unsigned)(w1 >> 18) & 3u;
	switch (svt) {
	case 0:
		return true;
	case 1:
		return (esid & sq_mask[sq]) == (sid & sq_mask[sq]);
	case 2: {
		unsigned bus = sid >> 8, lo = esid & 0xffu, hi = esid >> 8;
		return bus >= lo && bus <= hi;
	}
	default:
		return false;
	}
}

static void compat_decode(uint64_t addr, uint32_t data, struct vtd_model_irq *irq)
{
	memset(irq, 0, sizeof(*irq));
	irq->vector = (uint8_t)data;
	irq->delivery = (uint8_t)((data >> 8) & 7u);
	irq->level = (data >> 15) & 1u;
	irq->logical = (addr >> 2) & 1u;
	irq->redirect = (addr >> 3) & 1u;
	irq->dest = (uint32_t)(addr >> 12) & 0xffu;
}

static uint32_t remap(struct vtd_model *m, uint16_t sid, uint64_t addr, uint32_t data,
		      struct vtd_model_irq *irq, uint32_t *index_out)
{
	*index_out = 0;
	if ((addr >> 32) || (addr & MSI_HEAD_MASK) != MSI_HEAD)
		return VTD_M_FR_IR_REQ_RSVD;
	bool eime = (m->irta_active & IRTA_EIME) != 0;
	if (!(addr & MSI_IF)) {
		/* Compatibility format: passes only with CFIS set and EIME clear. */
		if (eime || !(m->gsts & VTD_M_GCMD_CFI))
			return VTD_M_FR_IR_COMPAT;
		compat_decode(addr, data, irq);
		return 0;
	}
	uint32_t index = (uint32_t)((addr >> 5) & 0x7fffu) | ((addr & MSI_H15) ? 0x8000u : 0u);
	if (addr & MSI_SHV) {
		if (data & 0xffff0000u)
			return VTD_M_FR_IR_REQ_RSVD;
		index += data & 0xffffu;
	}
	*index_out = index;
	uint32_t entries = UINT32_C(2) << (m->irta_active & IRTA_S);
	if (index >= entries)
		return VTD_M_FR_IR_INDEX;
	uint64_t w[2];
	uint32_t fr = irte_get(m, index, w);
	if (fr)
		return fr;
	if (!(w[0] & IRTE0_P))
		return VTD_M_FR_IR_NP;
	if ((w[0] & (IRTE0_RSVD | (eime ? 0 : IRTE0_RSVD_X) | IRTE0_IM)) || (w[1] & IRTE1_RSVD))
		return VTD_M_FR_IR_RSVD; /* posted format: no posted-interrupt support */
	if (!sid_ok(w[1], sid))
		return VTD_M_FR_IR_SID;
	memset(irq, 0, sizeof(*irq));
	irq->vector = (uint8_t)(w[0] >> 16);
	irq->delivery = (uint8_t)((w[0] >> 5) & 7u);
	irq->level = (w[0] & IRTE0_TM) != 0;
	irq->logical = (w[0] & IRTE0_DM) != 0;
	irq->redirect = (w[0] & IRTE0_RH) != 0;
	irq->dest = eime ? (uint32_t)(w[0] >> 32) : (uint32_t)(w[0] >> 40) & 0xffu;
	irq->remapped = true;
	irq->index = index;
	return 0;
}

int vtd_model_msi(struct vtd_model *m, uint16_t sid, uint64_t addr, uint32_t data,
		  struct vtd_model_irq *out)
{
	memset(&m->last, 0, sizeof(m->last));
	struct vtd_model_irq irq;
	memset(&irq, 0, sizeof(irq));
	uint32_t fr = 0, index = 0;
	if (!(m->gsts & VTD_M_GCMD_IRE))
		compat_decode(addr, data, &irq); /* interrupt remapping off: as it comes */
	else
		fr = remap(m, sid, addr, data, &irq, &index);
	if (fr) {
		/* FI[63:48] holds the interrupt index (0 where none was computed). */
		vtd_m_record_fault_raw(m, sid, (uint64_t)index << 48, true, fr, false);
		m->stats.irq_blocked++;
		return (int)fr;
	}
	m->stats.irq_ok++;
	if (out)
		*out = irq;
	return 0;
}
