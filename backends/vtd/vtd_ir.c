/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Intel VT-d backend: interrupt remapping (VT-d specification, chapter 5
 * "Interrupt Remapping", 9.10 "Interrupt Remapping Table Entry (IRTE)",
 * 6.5.2.7 "Interrupt Entry Cache Invalidate Descriptor", and the register
 * descriptions GCMD_REG, GSTS_REG and IRTA_REG: section 11.4 in revision 4,
 * 10.4 in earlier revisions).
 *
 * - The table is caller memory (iomm_vtd_mem::irt), 2^(S + 1) entries of
 *   128 bits, zeroed at init: every handle blocked until an entry is
 *   written. Only the remapped format is written (IM = 0); posted
 *   interrupts are not used.
 * - Every entry validates its source (SVT = 01 with SQ, or SVT = 10 for a
 *   range of buses), so it accepts requests from the device it was made
 *   for only. A stream set that neither can describe exactly is refused.
 * - Compatibility-format interrupts stay blocked: GCMD.CFI is never set
 *   (and is cleared if firmware left it set); in extended interrupt mode
 *   the unit blocks them regardless (5.1.4).
 * - An entry becomes present last (high qword, then the low qword with P);
 *   a target change is one 64-bit store of the low qword (the source
 *   fields in the high qword never change while the entry is live); every
 *   change of a present entry is followed by an index-selective IEC and a
 *   wait. A freed entry is reused only once its invalidation completed: until
 *   then it carries the software-available bit IRTE0_HELD.
 * - Every wait for the hardware is bounded by the port's clock.
 */
#include "vtd_internal.h"

static uint64_t *irte(const struct iomm_vtd *v, uint32_t index)
{
	return v->irt + (size_t)index * IRTE_WORDS;
}

int vtd_ir_setup(struct iomm_vtd *v)
{
	if (!v->irt)
		return IOMM_OK;
	iomm_zero(v->irt, (size_t)v->mem.irt_entries * IRTE_WORDS * 8u);
	sync_mem(v, v->irt, (size_t)v->mem.irt_entries * IRTE_WORDS * 8u);
	unsigned s = iomm_ctz64(v->mem.irt_entries) - 1u;
	wr64(v, VTD_IRTA,
	     (v->mem.irt_pa & IRTA_ADDR) | (v->eime ? IRTA_EIME : 0) | iomm_field_prep(IRTA_S, s));
	int rc = vtd_gcmd_cmd(v, GCMD_SIRTP, GSTS_IRTPS, GSTS_IRTPS);
	if (rc)
		return rc;
	/* SIRTP does not invalidate the interrupt entry cache (6.5.2.7): do it. */
	struct batch b = {0, 0};
	vtd_inv_iec(v, &b, true, 0, 0);
	rc = vtd_batch_sync(v, &b);
	if (rc)
		return rc;
	if (v->gcmd & GCMD_CFI) {
		rc = vtd_gcmd_state(v, GCMD_CFI, false); /* firmware's: compatibility format passes */
		if (rc)
			return rc;
	}
	if (!(v->gcmd & GCMD_IRE))
		rc = vtd_gcmd_state(v, GCMD_IRE, true);
	if (rc == IOMM_OK)
		v->ir = true;
	return rc;
}

/* SVT / SQ / SID for the stream set (@sid, @mask): exact, or IOMM_EINVAL. */
static int source_fields(uint32_t sid, uint32_t mask, uint64_t *w1)
{
	unsigned sq;
	switch (mask) {
	case 0x0u: /* one requester ID */
		sq = 0;
		break;
	case 0x4u: /* SID[2] ignored */
		sq = 1;
		break;
	case 0x6u: /* SID[2:1] ignored */
		sq = 2;
		break;
	case 0x7u: /* SID[2:0] ignored: every function of a device */
		sq = 3;
		break;
	default: {
		/* Whole buses bus_lo..bus_hi: bus-range validation (SVT = 10). */
		uint32_t bus_lo = (sid >> 8) & 0xffu, bus_hi = ((sid | mask) >> 8) & 0xffu;
		uint32_t bus_mask = mask >> 8;
		if ((mask & 0xffu) != 0xffu || (mask >> 16) || (bus_mask & (bus_mask + 1u)))
			return IOMM_EINVAL;
		*w1 = iomm_field_prep(IRTE1_SVT, SVT_BUS) |
		      iomm_field_prep(IRTE1_SID, bus_hi << 8 | bus_lo);
		return IOMM_OK;
	}
	}
	*w1 = iomm_field_prep(IRTE1_SVT, SVT_SID) | iomm_field_prep(IRTE1_SQ, sq) |
	      iomm_field_prep(IRTE1_SID, sid);
	return IOMM_OK;
}

/* The low qword of a present remapped-format entry for @c. */
static int target_fields(const struct iomm_vtd *v, const struct iomm_irq_cfg *c, uint64_t *w0)
{
	uint64_t w = IRTE0_P | iomm_field_prep(IRTE0_DLM, c->delivery) |
		     iomm_field_prep(IRTE0_V, c->delivery == IOMM_IRQ_NMI ? 0u : c->vector);
	if (c->flags & IOMM_IRQ_LEVEL)
		w |= IRTE0_TM;
	if (c->flags & IOMM_IRQ_LOGICAL)
		w |= IRTE0_DM;
	if (c->flags & IOMM_IRQ_REDIRECT)
		w |= IRTE0_RH;
	if (v->eime) {
		w |= iomm_field_prep(IRTE0_DST, c->dest);
	} else {
		if (c->dest > 0xffu)
			return IOMM_REFUSE_AS(port_of(v), IOMM_EINVAL, "iomm_irq_alloc",
					      "target->dest: wider than 8 bits without EIM");
		w |= iomm_field_prep(IRTE0_DST_X, c->dest);
	}
	*w0 = w;
	return IOMM_OK;
}

/* Invalidate one entry in the interrupt entry cache and wait. */
static int inv_entry(struct iomm_vtd *v, uint32_t index)
{
	struct batch b = {0, 0};
	vtd_inv_iec(v, &b, false, index, 0);
	return vtd_batch_sync(v, &b);
}

static int find_free(struct iomm_vtd *v, uint32_t *out)
{
	uint32_t n = v->mem.irt_entries;
	for (uint32_t k = 0; k < n; k++) {
		uint32_t i = (v->irt_next + k) & (n - 1u);
		if (!(iomm_read_desc(&irte(v, i)[0]) & (IRTE0_P | IRTE0_HELD))) {
			v->irt_next = (i + 1u) & (n - 1u);
			*out = i;
			return IOMM_OK;
		}
	}
	return IOMM_ENOSPC;
}

/* Remappable-format message for handle @index (5.1.5): SHV clear, so the
 * data is not used to pick an entry. */
static void msi_message(uint32_t index, struct iomm_msi_msg *msg)
{
	msg->addr = MSI_ADDR_BASE | iomm_field_prep(MSI_ADDR_HANDLE_LO, index & 0x7fffu) |
		    MSI_ADDR_IF | ((index & 0x8000u) ? MSI_ADDR_HANDLE_HI : 0u);
	msg->data = 0;
}

int vtd_irq_alloc(struct iomm_unit *unit, struct iomm_irq *irq, const struct iomm_irq_cfg *cfg,
		  struct iomm_msi_msg *msg)
{
	struct iomm_vtd *v = to_vtd(unit);
	if (!v->ir)
		return IOMM_REFUSE_AS(port_of(v), IOMM_ENOTSUP, "iomm_irq_alloc",
				      "unit: interrupt remapping not set up (no mem->irt)");
	uint64_t w0, w1;
	int rc = source_fields(irq->sid, irq->mask, &w1);
	if (rc)
		return IOMM_REFUSE_AS(port_of(v), rc, "iomm_irq_alloc",
				      "dev: a stream set source validation cannot express");
	rc = target_fields(v, cfg, &w0);
	if (rc)
		return rc;
	uint32_t index;
	rc = find_free(v, &index);
	if (rc)
		return rc;
	uint64_t *e = irte(v, index);
	iomm_write_desc(&e[1], w1);
	sync_mem(v, e, IRTE_WORDS * 8u);
	iomm_write_desc(&e[0], w0);
	sync_mem(v, e, 8);
	v->stats.irq_entries++;
	/* Not-present entries are cached only in caching mode. */
	if (v->features & IOMM_VTD_F_CM) {
		rc = inv_entry(v, index);
		if (rc) {
			/* Not confirmed: block it again and keep it from reuse. */
			iomm_write_desc(&e[0], IRTE0_HELD);
			sync_mem(v, e, 8);
			return rc;
		}
	}
	irq->index = index;
	msi_message(index, msg);
	return IOMM_OK;
}

int vtd_irq_update(struct iomm_unit *unit, struct iomm_irq *irq, const struct iomm_irq_cfg *cfg)
{
	struct iomm_vtd *v = to_vtd(unit);
	uint64_t w0;
	int rc = target_fields(v, cfg, &w0);
	if (rc)
		return rc;
	uint64_t *e = irte(v, irq->index);
	/* One 64-bit store: the unit sees the old entry or the new one. */
	iomm_write_desc(&e[0], w0);
	sync_mem(v, e, 8);
	return inv_entry(v, irq->index);
}

int vtd_irq_free(struct iomm_unit *unit, struct iomm_irq *irq)
{
	struct iomm_vtd *v = to_vtd(unit);
	uint64_t *e = irte(v, irq->index);
	iomm_write_desc(&e[0], IRTE0_HELD); /* not present, not yet reusable */
	sync_mem(v, e, 8);
	iomm_write_desc(&e[1], 0);
	sync_mem(v, e, IRTE_WORDS * 8u);
	int rc = inv_entry(v, irq->index);
	if (rc)
		return rc; /* stays held: a cached copy may still deliver */
	iomm_write_desc(&e[0], 0);
	sync_mem(v, e, 8);
	v->stats.irq_entries--;
	return IOMM_OK;
}
