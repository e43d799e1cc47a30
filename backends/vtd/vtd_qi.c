/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Intel VT-d backend: the global command register and invalidation, through
 * the invalidation queue or, without one, the CCMD and IOTLB registers.
 *
 * - GCMD is write-only and mixes states (TE, QIE, IRE, CFI) with one-shot
 *   commands (SRTP, WBF): every write is the shadow of the enabled states
 *   plus at most one command, and each is acknowledged through GSTS within
 *   the port's timeout.
 * - Every wait for the hardware is bounded by the port's clock.
 */
#include "vtd_internal.h"

/* ---- global command register ---- */

int vtd_gcmd_cmd(struct iomm_vtd *v, uint32_t cmd, uint32_t mask, uint32_t want)
{
	iomm_port_mb(port_of(v));
	wr32(v, VTD_GCMD, v->gcmd | cmd);
	return iomm_poll32(port_of(v), v->unit.regs + VTD_GSTS, mask, want, v->cfg.timeout_ns);
}

int vtd_gcmd_state(struct iomm_vtd *v, uint32_t bit, bool on)
{
	uint32_t val = on ? (v->gcmd | bit) : (v->gcmd & ~bit);
	iomm_port_mb(port_of(v));
	wr32(v, VTD_GCMD, val);
	int rc =
	    iomm_poll32(port_of(v), v->unit.regs + VTD_GSTS, bit, on ? bit : 0u, v->cfg.timeout_ns);
	if (rc == IOMM_OK)
		v->gcmd = val;
	return rc;
}

int vtd_flush_write_buffer(struct iomm_vtd *v)
{
	if (!(v->features & IOMM_VTD_F_RWBF))
		return IOMM_OK;
	v->stats.wbf++;
	return vtd_gcmd_cmd(v, GCMD_WBF, GSTS_WBFS, 0);
}

/* Invalidation queue errors: count, log, acknowledge. Returns true if any. */
static bool qi_check_error(struct iomm_vtd *v)
{
	uint32_t fsts = rd32(v, VTD_FSTS);
	if (!(fsts & FSTS_QI_ERRORS))
		return false;
	v->stats.qi_errors++;
	iomm_log(port_of(v), IOMM_LOG_ERROR, "vtd: invalidation queue error, FSTS ", fsts, "");
	if (fsts & FSTS_IQE) {
		/*
		 * The unit stopped at the descriptor it rejected (IQH). Replace
		 * it with a wait descriptor that writes nothing, so the queue
		 * runs on to our own wait once the error is cleared.
		 */
		uint32_t head = (uint32_t)(rd64(v, VTD_IQH) >> v->iq_shift) & (v->iq_entries - 1u);
		uint64_t *d = (uint64_t *)v->mem.iq + (size_t)head * desc_words(v);
		iomm_write_desc(&d[0], DESC_WAIT);
		for (unsigned w = 1; w < desc_words(v); w++)
			iomm_write_desc(&d[w], 0);
		sync_mem(v, d, desc_words(v) * 8u);
	}
	wr32(v, VTD_FSTS, (uint32_t)(fsts & FSTS_QI_ERRORS));
	return true;
}

static uint32_t qi_head(const struct iomm_vtd *v)
{
	return (uint32_t)(rd64(v, VTD_IQH) >> v->iq_shift) & (v->iq_entries - 1u);
}

static void qi_publish(struct iomm_vtd *v)
{
	iomm_port_wmb(port_of(v));
	wr32(v, VTD_IQT, v->iq_tail << v->iq_shift);
}

/* Write one descriptor into the ring (not yet published). */
static int qi_push(struct iomm_vtd *v, const uint64_t d[4])
{
	/*
	 * Every batch waits for its completion, so the ring holds at most one
	 * batch (a few descriptors). It can only look full after an earlier
	 * wait timed out: then the unit has stopped consuming and nothing more
	 * is queued. IQH is read only in that case.
	 */
	uint32_t next = (v->iq_tail + 1u) & (v->iq_entries - 1u);
	if (next == v->iq_head) {
		v->iq_head = qi_head(v);
		if (next == v->iq_head)
			return IOMM_ETIMEDOUT;
	}
	uint64_t *slot = (uint64_t *)v->mem.iq + (size_t)v->iq_tail * desc_words(v);
	for (unsigned w = 0; w < desc_words(v); w++)
		iomm_write_desc(&slot[w], d[w]);
	if (!(v->unit.caps & IOMM_CAP_COHERENT))
		port_of(v)->clean_tables(port_of(v)->ctx, slot, desc_words(v) * 8u);
	v->iq_tail = next;
	v->stats.qi_descs++;
	return IOMM_OK;
}

static uint32_t status_read(const struct iomm_vtd *v)
{
	const struct iomm_port *port = port_of(v);
	if (!(v->unit.caps & IOMM_CAP_COHERENT))
		port->clean_tables(port->ctx, v->status, sizeof(*v->status));
	return iomm_le32_to_cpu(__atomic_load_n(v->status, __ATOMIC_ACQUIRE));
}

/* Queue a wait descriptor with a status write and wait for it. */
static int qi_wait(struct iomm_vtd *v)
{
	/* The status word starts at 0 and the first wait writes 1; after 2^32
	 * waits 0 comes round again while the word still holds 0xffffffff. */
	uint32_t seq = ++v->seq;
	uint64_t d[4] = {DESC_WAIT | WAIT_SW | WAIT_FN | iomm_field_prep(WAIT_DATA, seq),
			 v->status_pa & WAIT_ADDR, 0, 0};
	int rc = qi_push(v, d);
	if (rc)
		return rc;
	v->stats.qi_waits++;
	qi_publish(v);
	const struct iomm_port *port = port_of(v);
	uint64_t t0 = port->now_ns(port->ctx);
	bool failed = false;
	while (status_read(v) != seq) {
		if (qi_check_error(v)) {
			failed = true;
			continue;
		}
		if (port->now_ns(port->ctx) - t0 > v->cfg.timeout_ns)
			return IOMM_ETIMEDOUT;
		if (port->relax)
			port->relax(port->ctx);
	}
	if (!failed && qi_check_error(v))
		failed = true;
	return failed ? IOMM_EIO : IOMM_OK;
}

static void qi_add(struct iomm_vtd *v, struct batch *b, uint64_t w0, uint64_t w1)
{
	if (b->rc)
		return;
	uint64_t d[4] = {w0, w1, 0, 0};
	batch_err(b, qi_push(v, d));
	b->n++;
}

static int reg_wait64(struct iomm_vtd *v, uint32_t off)
{
	/* The busy bit is bit 63: bit 31 of the upper half. */
	/* ICC / IVT clear once the hardware has done the invalidation */
	return iomm_poll32(port_of(v), v->unit.regs + off + REG64_HI_OFF, REG64_BUSY_HI, 0,
			   v->cfg.timeout_ns);
}

void vtd_inv_cc(struct iomm_vtd *v, struct batch *b, unsigned gran, uint32_t did, uint32_t sid,
		uint32_t fm)
{
	if (queue_off(v))
		return;
	if (gran == GRAN_GLOBAL)
		v->stats.cc_global++;
	else if (gran == GRAN_DOMAIN)
		v->stats.cc_domain++;
	else
		v->stats.cc_device++;
	if (v->qi) {
		qi_add(v, b,
		       DESC_CC | iomm_field_prep(DESC_G, gran) | iomm_field_prep(CC_DID, did) |
			   iomm_field_prep(CC_SID, sid) | iomm_field_prep(CC_FM, fm),
		       0);
		return;
	}
	if (b->rc)
		return;
	v->stats.reg_ccmd++;
	iomm_port_mb(port_of(v));
	wr64(v, VTD_CCMD,
	     CCMD_ICC | iomm_field_prep(CCMD_CIRG, gran) | iomm_field_prep(CCMD_DID, did) |
		 iomm_field_prep(CCMD_SID, sid) | iomm_field_prep(CCMD_FM, fm));
	batch_err(b, reg_wait64(v, VTD_CCMD));
}

void vtd_inv_iotlb(struct iomm_vtd *v, struct batch *b, unsigned gran, uint32_t did, uint64_t addr,
		   unsigned am, bool ih)
{
	if (queue_off(v))
		return;
	if (gran == GRAN_GLOBAL)
		v->stats.iotlb_global++;
	else if (gran == GRAN_DOMAIN)
		v->stats.iotlb_domain++;
	else
		v->stats.iotlb_page++;
	uint64_t iva = 0;
	if (gran == GRAN_PAGE)
		iva = (addr & INV_ADDR) | (ih ? INV_IH : 0u) | iomm_field_prep(INV_AM, am);
	if (v->qi) {
		qi_add(v, b,
		       DESC_IOTLB | iomm_field_prep(DESC_G, gran) | IOTLB_D_DR | IOTLB_D_DW |
			   iomm_field_prep(IOTLB_D_DID, did),
		       iva);
		return;
	}
	if (b->rc)
		return;
	v->stats.reg_iotlb++;
	iomm_port_mb(port_of(v));
	if (gran == GRAN_PAGE)
		wr64(v, v->iro + VTD_IVA_OFF, iva);
	wr64(v, v->iro + VTD_IOTLB_OFF,
	     IOTLB_IVT | iomm_field_prep(IOTLB_IIRG, gran) | IOTLB_DR | IOTLB_DW |
		 iomm_field_prep(IOTLB_DID, did));
	batch_err(b, reg_wait64(v, v->iro + VTD_IOTLB_OFF));
}

void vtd_inv_pc(struct iomm_vtd *v, struct batch *b, unsigned g, uint32_t did, uint32_t pasid)
{
	if (queue_off(v))
		return;
	v->stats.pc++;
	qi_add(v, b,
	       DESC_PC | iomm_field_prep(DESC_G, g) | iomm_field_prep(P_DID, did) |
		   iomm_field_prep(P_PASID, pasid),
	       0);
}

void vtd_inv_piotlb(struct iomm_vtd *v, struct batch *b, unsigned g, uint32_t did, uint32_t pasid,
		    uint64_t addr, unsigned am, bool ih)
{
	if (queue_off(v))
		return;
	uint64_t w1 = 0;
	if (g == PIOTLB_G_PAGE) {
		v->stats.piotlb_page++;
		w1 = (addr & INV_ADDR) | (ih ? INV_IH : 0u) | iomm_field_prep(INV_AM, am);
	} else {
		v->stats.piotlb_pasid++;
	}
	qi_add(v, b,
	       DESC_PIOTLB | iomm_field_prep(DESC_G, g) | iomm_field_prep(P_DID, did) |
		   iomm_field_prep(P_PASID, pasid),
	       w1);
}

/*
 * Interrupt entry cache invalidation (6.5.2.7): G = 0 global, G = 1
 * index-selective (IIDX, with IM naming 2^IM entries). It exists only as a
 * queued descriptor, which is why interrupt remapping needs the queue.
 */
void vtd_inv_iec(struct iomm_vtd *v, struct batch *b, bool global, uint32_t index, unsigned im)
{
	if (queue_off(v) || !v->qi)
		return;
	if (global) {
		v->stats.iec_global++;
		qi_add(v, b, DESC_IEC, 0);
		return;
	}
	v->stats.iec_index++;
	qi_add(v, b,
	       DESC_IEC | IEC_G | iomm_field_prep(IEC_IM, im) | iomm_field_prep(IEC_IIDX, index),
	       0);
}

int vtd_batch_sync(struct iomm_vtd *v, struct batch *b)
{
	if (b->rc)
		return b->rc;
	if (v->qi && b->n) {
		b->n = 0;
		return qi_wait(v);
	}
	return IOMM_OK;
}

int vtd_flush_everything(struct iomm_vtd *v)
{
	struct batch b = {0, 0};
	vtd_inv_cc(v, &b, GRAN_GLOBAL, 0, 0, 0);
	if (v->scalable)
		vtd_inv_pc(v, &b, PC_G_GLOBAL, 0, 0);
	vtd_inv_iotlb(v, &b, GRAN_GLOBAL, 0, 0, 0, false);
	if (v->ir)
		vtd_inv_iec(v, &b, true, 0, 0);
	return vtd_batch_sync(v, &b);
}

int vtd_qi_start(struct iomm_vtd *v)
{
	iomm_zero(v->mem.iq, v->mem.iq_size);
	sync_mem(v, v->mem.iq, v->mem.iq_size);
	v->iq_tail = 0;
	v->iq_head = 0;
	wr32(v, VTD_IQT, 0);
	unsigned qs = iomm_ctz64(v->mem.iq_size) - 12u;
	wr64(v, VTD_IQA,
	     (v->mem.iq_pa & IQA_ADDR) | (v->scalable ? IQA_DW : 0) | iomm_field_prep(IQA_QS, qs));
	return vtd_gcmd_state(v, GCMD_QIE, true);
}

int vtd_qi_stop(struct iomm_vtd *v)
{
	/*
	 * Queued invalidation may be disabled only once the unit has fetched
	 * every descriptor software submitted (IQH == IQT); a unit that does
	 * not get there within the timeout keeps its queue on.
	 */
	const struct iomm_port *port = port_of(v);
	uint64_t t0 = port->now_ns(port->ctx);
	while ((rd32(v, VTD_IQH) & IQ_HT_MASK) != (rd32(v, VTD_IQT) & IQ_HT_MASK)) {
		if (port->now_ns(port->ctx) - t0 > v->cfg.timeout_ns) {
			iomm_log_str(port, IOMM_LOG_ERROR, "vtd: queue not drained, QIE kept");
			return IOMM_ETIMEDOUT;
		}
		if (port->relax)
			port->relax(port->ctx);
	}
	return vtd_gcmd_state(v, GCMD_QIE, false);
}
