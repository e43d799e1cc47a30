/* SPDX-License-Identifier: BSD-3-Clause */
/* What the files of the SMMUv3 backend share. Internal to backends/smmuv3. */
#ifndef IOMM_SMMUV3_INTERNAL_H
#define IOMM_SMMUV3_INTERNAL_H

#include <iommuman/smmuv3.h>

#include "iomm_backend.h"
#include "smmuv3_regs.h"

#define CMD_BATCH 16u

static inline struct iomm_smmuv3 *to_smmu(struct iomm_unit *unit)
{
	return (struct iomm_smmuv3 *)(void *)unit;
}

static inline uint32_t rd32(const struct iomm_smmuv3 *s, uint32_t off)
{
	return iomm_mmio_read32(port_of(s), s->unit.regs + off);
}

static inline void wr32(const struct iomm_smmuv3 *s, uint32_t off, uint32_t v)
{
	iomm_mmio_write32(port_of(s), s->unit.regs + off, v);
}

static inline void wr64(const struct iomm_smmuv3 *s, uint32_t off, uint64_t v)
{
	iomm_mmio_write64(port_of(s), s->unit.regs + off, v);
}

static inline uint64_t timeout_of(const struct iomm_smmuv3 *s)
{
	return s->cfg.timeout_ns;
}

static inline uint32_t q_entries(uint8_t shift)
{
	return 1u << shift;
}

static inline uint32_t q_mask(uint8_t shift)
{
	return (2u << shift) - 1; /* index bits plus the wrap bit */
}

/* ---- smmuv3_cmdq.c: global errors, the command queue, register handshakes ---- */

/* GERROR bits active (not yet acknowledged through GERRORN). */
uint32_t smmuv3_gerror_active(const struct iomm_smmuv3 *s);
/* Acknowledge GERROR @bits. */
void smmuv3_gerror_ack(const struct iomm_smmuv3 *s, uint32_t bits);

/* A small batch of commands that flushes itself when full. */
struct batch {
	uint64_t cmd[CMD_BATCH][2];
	uint32_t n;
	int rc;
};

/* Queue one command (words @w0, @w1). */
void smmuv3_batch_add(struct iomm_smmuv3 *s, struct batch *b, uint64_t w0, uint64_t w1);
/* Issue what is queued plus a CMD_SYNC and wait for it: IOMM_OK, IOMM_EIO
 * (a command was rejected, recovered from) or IOMM_ETIMEDOUT. */
int smmuv3_batch_sync(struct iomm_smmuv3 *s, struct batch *b);
/* Write register @reg and wait until @ack reads back the same value. */
int smmuv3_write_ack(struct iomm_smmuv3 *s, uint32_t reg, uint32_t ack, uint32_t val);
/* Make incoming traffic abort while the SMMU is disabled (GBPA). */
int smmuv3_gbpa_abort(struct iomm_smmuv3 *s);

#endif /* IOMM_SMMUV3_INTERNAL_H */
