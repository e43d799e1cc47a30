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

/* ---- commands ---- */

/* One command queue entry: its two 64-bit words. */
struct smmuv3_cmd {
	uint64_t w0, w1;
};

/*
 * What a command carries. Set only the fields the opcode defines and leave
 * the others zero: SID shares bits with ASID and VMID, RANGE with LEAF.
 */
struct smmuv3_cmd_args {
	uint32_t op;	/* CMD_* */
	uint32_t sid;	/* CFGI_STE */
	uint32_t range; /* CFGI_STE_RANGE: 2^(range+1) stream IDs from SID */
	uint32_t asid;	/* TLBI_NH_ASID/VA, TLBI_EL2_ASID/VA */
	uint32_t vmid;	/* TLBI_NH_*, TLBI_S12_VMALL, TLBI_S2_IPA */
	bool leaf;	/* CFGI_STE, TLBI by address: last level only */
	uint64_t addr;	/* TLBI by address: VA or IPA (granule-aligned part) */
	/* TLBI by address, range form (TG != 0): (NUM + 1) << SCALE granules */
	uint32_t tg, ttl, num, scale;
	uint32_t cs; /* CMD_SYNC: completion signal */
};

/* The one place commands are encoded: every command the backend issues. */
static inline __attribute__((always_inline)) struct smmuv3_cmd
smmuv3_cmd(const struct smmuv3_cmd_args *a)
{
	struct smmuv3_cmd c;
	c.w0 = iomm_field_prep(CMD0_OP, a->op) | iomm_field_prep(CMD0_SID, a->sid) |
	       iomm_field_prep(CMD0_ASID, a->asid) | iomm_field_prep(CMD0_VMID, a->vmid) |
	       iomm_field_prep(CMD0_TLBI_NUM, a->num) | iomm_field_prep(CMD0_TLBI_SCALE, a->scale) |
	       iomm_field_prep(CMD0_SYNC_CS, a->cs);
	c.w1 = (a->leaf ? (uint64_t)CMD1_LEAF : 0u) | iomm_field_prep(CMD1_RANGE, a->range) |
	       iomm_field_prep(CMD1_TLBI_TTL, a->ttl) | iomm_field_prep(CMD1_TLBI_TG, a->tg) |
	       (a->addr & CMD1_TLBI_ADDR);
	return c;
}

/* CFGI_STE for stream @sid; @leaf keeps a cached L1 descriptor. */
static inline __attribute__((always_inline)) struct smmuv3_cmd smmuv3_cmd_cfgi_ste(uint32_t sid,
										   bool leaf)
{
	return smmuv3_cmd(&(struct smmuv3_cmd_args){.op = CMD_CFGI_STE, .sid = sid, .leaf = leaf});
}

/* CFGI_STE_RANGE over every stream ID. */
static inline __attribute__((always_inline)) struct smmuv3_cmd smmuv3_cmd_cfgi_all(void)
{
	return smmuv3_cmd(
	    &(struct smmuv3_cmd_args){.op = CMD_CFGI_STE_RANGE, .range = CMD_RANGE_ALL});
}

/* A command naming only its opcode (TLBI_EL2_ALL, TLBI_NSNH_ALL, ...). */
static inline __attribute__((always_inline)) struct smmuv3_cmd smmuv3_cmd_op(uint32_t op)
{
	return smmuv3_cmd(&(struct smmuv3_cmd_args){.op = op});
}

/* CMD_SYNC without a completion signal: completion is seen through CONS. */
static inline __attribute__((always_inline)) struct smmuv3_cmd smmuv3_cmd_sync(void)
{
	return smmuv3_cmd(&(struct smmuv3_cmd_args){.op = CMD_SYNC, .cs = SYNC_CS_NONE});
}

/* ---- smmuv3_probe.c: ID registers and errata ---- */

/* Errata workarounds (iomm_smmuv3::quirks), chosen by IIDR. */
#define SMMUV3_Q_NO_NESTING (1u << 0) /* nested translation broken: not offered */
#define SMMUV3_Q_SYNC_BATCH (1u << 1) /* a CMD_SYNC ends every full batch (<= 63 commands) */
#define SMMUV3_Q_NO_BTM	    (1u << 2) /* broadcast TLB maintenance not to be relied on */

/* The quirks of the part whose SMMU_IIDR reads @iidr. */
uint32_t smmuv3_quirks(uint32_t iidr);
/* Read the ID registers into s: features, quirks and the generic unit's
 * capabilities. IOMM_ENODEV or IOMM_ENOTSUP if the SMMU cannot be used. */
int smmuv3_probe(struct iomm_smmuv3 *s);

/* ---- smmuv3_cmdq.c: global errors, the command queue, register handshakes ---- */

/* GERROR bits active (not yet acknowledged through GERRORN). */
uint32_t smmuv3_gerror_active(const struct iomm_smmuv3 *s);
/* Acknowledge GERROR @bits. */
void smmuv3_gerror_ack(const struct iomm_smmuv3 *s, uint32_t bits);

/* A small batch of commands that flushes itself when full. */
struct batch {
	struct smmuv3_cmd cmd[CMD_BATCH];
	uint32_t n;
	int rc;
};

/* Queue command @c (built with smmuv3_cmd()). */
void smmuv3_batch_add(struct iomm_smmuv3 *s, struct batch *b, struct smmuv3_cmd c);
/* Issue what is queued plus a CMD_SYNC and wait for it: IOMM_OK, IOMM_EIO
 * (a command was rejected, recovered from) or IOMM_ETIMEDOUT. */
int smmuv3_batch_sync(struct iomm_smmuv3 *s, struct batch *b);
/* Write register @reg and wait until @ack reads back the same value. */
int smmuv3_write_ack(struct iomm_smmuv3 *s, uint32_t reg, uint32_t ack, uint32_t val);
/* IRQ_CTRL to 0 (acknowledged) and the MSI address registers cleared. */
int smmuv3_irq_off(struct iomm_smmuv3 *s);
/* Make incoming traffic abort while the SMMU is disabled (GBPA). */
int smmuv3_gbpa_abort(struct iomm_smmuv3 *s);

#endif /* IOMM_SMMUV3_INTERNAL_H */
