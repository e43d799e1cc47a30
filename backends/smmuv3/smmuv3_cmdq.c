/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SMMUv3 command queue: commands are written, cleaned when the SMMU is not
 * coherent, and published through PROD in batches; every wait is bounded by
 * the port's clock; a command error is reported, the offending command
 * replaced and the queue restarted. Also the global error and register
 * acknowledgement handshakes.
 */
#include "smmuv3_internal.h"

/* ---- global errors ---- */
uint32_t smmuv3_gerror_active(const struct iomm_smmuv3 *s)
{
	return (rd32(s, SMMU_GERROR) ^ rd32(s, SMMU_GERRORN)) & GERROR_ALL;
}

void smmuv3_gerror_ack(const struct iomm_smmuv3 *s, uint32_t bits)
{
	/* An error is acknowledged by making GERRORN equal to GERROR for its bit. */
	wr32(s, SMMU_GERRORN, rd32(s, SMMU_GERRORN) ^ bits);
}

/* ---- command queue ---- */
static uint32_t cmdq_space(const struct iomm_smmuv3 *s, uint32_t cons)
{
	uint32_t used = (s->cmdq_prod - cons) & q_mask(s->cmdq_shift);
	return q_entries(s->cmdq_shift) - used;
}

/*
 * A command error stops the queue at CONS. Per the architecture, software
 * reports it, replaces the offending command (here with a CMD_SYNC, which is
 * always legal) and acknowledges GERROR.CMDQ_ERR; the SMMU then retries at
 * CONS and goes on.
 */
static void cmdq_recover(struct iomm_smmuv3 *s)
{
	uint32_t cons = rd32(s, SMMU_CMDQ_CONS);
	uint32_t err = (uint32_t)iomm_field_get(cons, CMDQ_CONS_ERR);
	uint32_t idx = cons & (q_entries(s->cmdq_shift) - 1);
	uint64_t *slot = (uint64_t *)s->mem.cmdq + CMDQ_ENT_WORDS * idx;
	uint64_t op = iomm_field_get(iomm_read_desc(slot), CMD0_OP);
	iomm_log(port_of(s), IOMM_LOG_ERROR, "smmuv3: command error, CERROR=", err, "");
	iomm_log(port_of(s), IOMM_LOG_ERROR, "smmuv3: at command opcode ", op, "");
	if (err == CERROR_ILL) {
		/* An illegal command is skipped: a CMD_SYNC is always legal. */
		struct smmuv3_cmd sync = smmuv3_cmd_sync();
		iomm_write_desc(&slot[0], sync.w0);
		iomm_write_desc(&slot[1], sync.w1);
		sync_mem(s, slot, CMDQ_ENT_BYTES);
	}
	/* CERROR_ABT and the others: the command itself was fine; it runs again. */
	s->stats.cmd_errors++;
	smmuv3_gerror_ack(s, GERROR_CMDQ_ERR);
}

/*
 * Wait until the SMMU has consumed everything up to the shadow PROD
 * (drained) or until at least @want slots are free. Command errors are
 * recovered from and reported through the return value.
 */
static int cmdq_wait(struct iomm_smmuv3 *s, uint32_t want, bool drain)
{
	const struct iomm_port *port = port_of(s);
	uint64_t start = port->now_ns(port->ctx);
	int rc = IOMM_OK;
	for (;;) {
		uint32_t cons = rd32(s, SMMU_CMDQ_CONS) & q_mask(s->cmdq_shift);
		if (drain ? cons == (s->cmdq_prod & q_mask(s->cmdq_shift))
			  : cmdq_space(s, cons) >= want)
			return rc;
		if (smmuv3_gerror_active(s) & GERROR_CMDQ_ERR) {
			cmdq_recover(s);
			rc = IOMM_EIO;
		}
		if (port->now_ns(port->ctx) - start > timeout_of(s)) {
			iomm_log(port, IOMM_LOG_ERROR, "smmuv3: command queue stuck at CONS=", cons,
				 "");
			return IOMM_ETIMEDOUT;
		}
		if (port->relax)
			port->relax(port->ctx);
	}
}

/* Queue @n commands (and a CMD_SYNC when @sync), publishing PROD once per batch. */
static int cmdq_issue(struct iomm_smmuv3 *s, const struct smmuv3_cmd *cmds, uint32_t n, bool sync)
{
	uint32_t total = n + (sync ? 1u : 0u);
	uint32_t done = 0;
	int rc = IOMM_OK;
	while (done < total) {
		uint32_t cap = q_entries(s->cmdq_shift) - 1u;
		uint32_t chunk = total - done < cap ? total - done : cap;
		int w = cmdq_wait(s, chunk, false);
		if (w == IOMM_ETIMEDOUT)
			return w;
		if (w)
			rc = w;
		uint32_t first = s->cmdq_prod;
		for (uint32_t k = 0; k < chunk; k++, done++) {
			uint32_t idx = s->cmdq_prod & (q_entries(s->cmdq_shift) - 1);
			uint64_t *slot = (uint64_t *)s->mem.cmdq + CMDQ_ENT_WORDS * idx;
			struct smmuv3_cmd c = done < n ? cmds[done] : smmuv3_cmd_sync();
			if (done >= n)
				s->stats.syncs++;
			iomm_write_desc(&slot[0], c.w0);
			iomm_write_desc(&slot[1], c.w1);
			s->cmdq_prod = (s->cmdq_prod + 1) & q_mask(s->cmdq_shift);
			s->stats.cmds++;
		}
		/* Clean the slots written (the ring may have wrapped once). */
		uint32_t fi = first & (q_entries(s->cmdq_shift) - 1);
		uint32_t li = s->cmdq_prod & (q_entries(s->cmdq_shift) - 1);
		uint64_t *q = s->mem.cmdq;
		if (li > fi || li == 0) {
			uint32_t end = li ? li : q_entries(s->cmdq_shift);
			sync_mem(s, q + CMDQ_ENT_WORDS * fi, (size_t)(end - fi) * CMDQ_ENT_BYTES);
		} else {
			sync_mem(s, q + CMDQ_ENT_WORDS * fi,
				 (size_t)(q_entries(s->cmdq_shift) - fi) * CMDQ_ENT_BYTES);
			sync_mem(s, q, (size_t)li * CMDQ_ENT_BYTES);
		}
		wr32(s, SMMU_CMDQ_PROD, s->cmdq_prod);
	}
	if (sync) {
		int w = cmdq_wait(s, 0, true);
		if (w)
			rc = w;
	}
	return rc;
}

void smmuv3_batch_add(struct iomm_smmuv3 *s, struct batch *b, struct smmuv3_cmd c)
{
	if (b->n == CMD_BATCH) {
		/* Some parts need a CMD_SYNC at least every 63 commands: end the batch with one. */
		int rc = cmdq_issue(s, b->cmd, b->n, (s->quirks & SMMUV3_Q_SYNC_BATCH) != 0);
		if (rc && !b->rc)
			b->rc = rc;
		b->n = 0;
	}
	b->cmd[b->n++] = c;
	uint32_t op = (uint32_t)iomm_field_get(c.w0, CMD0_OP);
	if (op >= CMD_TLBI_NH_ALL && op <= CMD_TLBI_NSNH_ALL)
		s->stats.tlbi++;
	else if (op >= CMD_CFGI_STE && op <= CMD_CFGI_CD_ALL)
		s->stats.cfgi++;
}

int smmuv3_batch_sync(struct iomm_smmuv3 *s, struct batch *b)
{
	int rc = cmdq_issue(s, b->cmd, b->n, true);
	b->n = 0;
	return b->rc ? b->rc : rc;
}

/* ---- register helpers ---- */
int smmuv3_write_ack(struct iomm_smmuv3 *s, uint32_t reg, uint32_t ack, uint32_t val)
{
	wr32(s, reg, val);
	int rc = iomm_poll32(port_of(s), s->unit.regs + ack, 0xffffffffu, val, timeout_of(s));
	if (rc)
		iomm_log(port_of(s), IOMM_LOG_ERROR, "smmuv3: no acknowledgement for register ",
			 reg, "");
	return rc;
}

int smmuv3_gbpa_abort(struct iomm_smmuv3 *s)
{
	/* A write while an update is in flight is ignored: wait it out first. */
	for (unsigned i = 0; i < 2; i++) {
		int rc = iomm_poll32(port_of(s), s->unit.regs + SMMU_GBPA, (uint32_t)GBPA_UPDATE,
				     0, timeout_of(s));
		if (rc || i)
			return rc;
		wr32(s, SMMU_GBPA, (uint32_t)(GBPA_ABORT | GBPA_UPDATE));
	}
	return IOMM_OK;
}

/* Interrupts off, as firmware may have left them on, and stale MSI addresses cleared. */
int smmuv3_irq_off(struct iomm_smmuv3 *s)
{
	int rc = smmuv3_write_ack(s, SMMU_IRQ_CTRL, SMMU_IRQ_CTRLACK, 0);
	if (rc || !(s->features & IOMM_SMMUV3_F_MSI))
		return rc;
	wr64(s, SMMU_GERROR_IRQ_CFG0, 0);
	wr64(s, SMMU_EVTQ_IRQ_CFG0, 0);
	if (s->features & IOMM_SMMUV3_F_PRI)
		wr64(s, SMMU_PRIQ_IRQ_CFG0, 0);
	return IOMM_OK;
}
