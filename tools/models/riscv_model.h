/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * riscv_model: a register-level software model of a RISC-V IOMMU (RISC-V
 * IOMMU Architecture Specification, version 1.0) for hosted tests.
 *
 * Written from the specification, not from iommuman's code: it includes no
 * iommuman header. First-stage (Sv39, Sv48, Sv57) and G-stage (Sv39x4,
 * Sv48x4, Sv57x4) walks are done by the independent walker of tools/walker
 * (rv_walker.h), which shares no code with the library either.
 *
 * Memory: physical memory is host memory (PA == VA, addresses below 64 KiB
 * fail) unless cfg.read_mem / cfg.write_mem are given. Every access at or
 * above 2^capabilities.PAS fails.
 *
 * What is modelled
 *  - Registers: capabilities (from cfg.caps, read-only), fctl (BE with
 *    capabilities.END, WSI as capabilities.IGS allows; writes ignored
 *    while ddtp is not Off/Bare or a queue is on), ddtp (Off, Bare, 1LVL,
 *    2LVL, 3LVL; other modes are not taken), cqb/cqh/cqt, fqb/fqh/fqt,
 *    cqcsr, fqcsr, ipsr (write-1-to-clear), icvec. 64-bit registers may be
 *    accessed as two 32-bit halves. The page-request queue registers, the
 *    performance monitor, debug and MSI configuration registers read as
 *    zero and ignore writes. Test knob cfg.busy_reads: after cqen/fqen
 *    change or a ddtp write, the busy bit reads 1 (and cqon/fqon keep their
 *    old value) for that many reads of the register.
 *  - Command queue: processed when cqt or cqcsr is written, or on
 *    riscv_model_step(). IOTINVAL.VMA / GVMA, IOFENCE.C (AV: 4-byte DATA
 *    write; WSI: fence_w_ip), IODIR.INVAL_DDT / INVAL_PDT. Unknown opcodes
 *    or func3, reserved bits set, IOTINVAL.GVMA with PSCV, IODIR.INVAL_PDT
 *    without DV, IOFENCE.C with WSI while fctl.WSI = 0, ATS commands
 *    without capabilities.ATS: cqcsr.cmd_ill, the queue stops at that
 *    command until software clears cmd_ill. A base not aligned to
 *    max(4 KiB, queue size), or a queue beyond PAS: cqmf.
 *  - Fault queue: 32-byte records (CAUSE, TTYP, DID, iotval, iotval2);
 *    full: fqof and the record is dropped; off or in error: not recorded
 *    (counted). DC.tc.DTF suppresses faults of the translation (causes 1,
 *    5, 7, 12, 13, 15, 20, 21, 23), not those found locating the DC.
 *  - Device directory: 1, 2 and 3 levels, base (32-byte) device contexts,
 *    or extended (64-byte) ones with capabilities.MSI_FLAT. Causes 256
 *    (ddtp Off), 257 (DDT read failed), 258 (entry or DC not valid), 259
 *    (misconfigured: reserved bits, unsupported mode, unaligned G-stage
 *    root, features without their capability), 260 (device ID wider than
 *    the directory).
 *  - Translation without process ID (DC.tc.PDTV = 0): first stage only,
 *    G-stage only, nested (first-stage tables and output translated by the
 *    G-stage; implicit-access guest-page faults set bit 0 of iotval2), or
 *    bare. No hardware A/D update: A = 0, or D = 0 on a write, is a page
 *    fault. Requests are U-mode (first-stage leaves need U = 1) unless
 *    RISCV_MODEL_ACC_PRIV (then U = 0 is needed). G-stage leaves need U = 1.
 *    Only the lower half of the first-stage address space is translated.
 *    iotval2 of a guest-page fault holds the guest-physical address bits
 *    63:2.
 *  - Caches which only architected invalidations drop: a device-context
 *    cache (IODIR.INVAL_DDT) and an IOTLB of leaf translations tagged
 *    first-stage (PSCID), G-stage (GSCID, GPA) or nested (GSCID, PSCID).
 *    IOTINVAL.GVMA drops every nested entry of its GSCID (conservatively,
 *    also with AV). Global first-stage entries survive IOTINVAL.VMA with
 *    PSCV = 1. A DC or PTE changed without invalidation stays in use.
 *  - Non-coherent walker (cfg.dram): DDT and page-table reads see a "DRAM"
 *    copy of memory that only riscv_model_clean() updates.
 *
 *  - MSI address translation, flat mode (capabilities.MSI_FLAT, DC.msiptp
 *    Flat; "Process to translate addresses of MSIs"): a GPA whose page
 *    number matches msi_addr_pattern outside msi_addr_mask is translated
 *    through the 16-byte MSI PTE at msiptp.PPN << 12 | I * 16, I the bits
 *    of the page number under the mask packed together (extract()); never
 *    through the G-stage. Causes 261 (PTE read failed), 262 (V = 0), 263
 *    (C = 1, M not 3 (MRIF is not modelled), reserved bits); execute
 *    requests get cause 1. msiptp not Off with iohgatp Bare, or mask and
 *    pattern bits at or above MGPAW - 12, is a misconfigured DC (259).
 *    Translations are cached like G-stage (G-stage only) or nested ones,
 *    so IOTINVAL.GVMA of the GSCID (with the GPA) drops them.
 *
 * Not modelled: process directory tables (PDTV = 1; capabilities PD8/17/20
 * are refused), MSI page tables in MRIF mode, ATS/PRI and the
 * page-request queue, hardware A/D updating (AMO_HWAD refused), Sv32,
 * big-endian tables, HPM, debug translation, interrupt delivery (only ipsr
 * bits), command timeouts.
 */
#ifndef RISCV_MODEL_H
#define RISCV_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model_dram.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- register offsets (specification chapter 5) ------------------------ */
#define RISCV_M_CAPS	  0x000u
#define RISCV_M_FCTL	  0x008u
#define RISCV_M_DDTP	  0x010u
#define RISCV_M_CQB	  0x018u
#define RISCV_M_CQH	  0x020u
#define RISCV_M_CQT	  0x024u
#define RISCV_M_FQB	  0x028u
#define RISCV_M_FQH	  0x030u
#define RISCV_M_FQT	  0x034u
#define RISCV_M_PQB	  0x038u
#define RISCV_M_PQH	  0x040u
#define RISCV_M_PQT	  0x044u
#define RISCV_M_CQCSR	  0x048u
#define RISCV_M_FQCSR	  0x04cu
#define RISCV_M_PQCSR	  0x050u
#define RISCV_M_IPSR	  0x054u
#define RISCV_M_ICVEC	  0x2f8u
#define RISCV_M_MMIO_SIZE 0x1000u

/* capabilities */
#define RISCV_M_CAP_VERSION   0x10ull
#define RISCV_M_CAP_SV32      (1ull << 8)
#define RISCV_M_CAP_SV39      (1ull << 9)
#define RISCV_M_CAP_SV48      (1ull << 10)
#define RISCV_M_CAP_SV57      (1ull << 11)
#define RISCV_M_CAP_SV32X4    (1ull << 16)
#define RISCV_M_CAP_SV39X4    (1ull << 17)
#define RISCV_M_CAP_SV48X4    (1ull << 18)
#define RISCV_M_CAP_SV57X4    (1ull << 19)
#define RISCV_M_CAP_AMO_MRIF  (1ull << 21)
#define RISCV_M_CAP_MSI_FLAT  (1ull << 22)
#define RISCV_M_CAP_MSI_MRIF  (1ull << 23)
#define RISCV_M_CAP_AMO_HWAD  (1ull << 24)
#define RISCV_M_CAP_ATS	      (1ull << 25)
#define RISCV_M_CAP_T2GPA     (1ull << 26)
#define RISCV_M_CAP_END	      (1ull << 27)
#define RISCV_M_CAP_IGS_SHIFT 28
#define RISCV_M_CAP_IGS_MASK  (3ull << 28) /* 0 MSI, 1 WSI, 2 both */
#define RISCV_M_CAP_HPM	      (1ull << 30)
#define RISCV_M_CAP_DBG	      (1ull << 31)
#define RISCV_M_CAP_PAS_SHIFT 32
#define RISCV_M_CAP_PAS_MASK  (0x3full << 32)
#define RISCV_M_CAP_PD8	      (1ull << 38)
#define RISCV_M_CAP_PD17      (1ull << 39)
#define RISCV_M_CAP_PD20      (1ull << 40)

/* fctl */
#define RISCV_M_FCTL_BE	 (1u << 0)
#define RISCV_M_FCTL_WSI (1u << 1)
#define RISCV_M_FCTL_GXL (1u << 2)

/* ddtp */
#define RISCV_M_DDTP_OFF       0u
#define RISCV_M_DDTP_BARE      1u
#define RISCV_M_DDTP_1LVL      2u
#define RISCV_M_DDTP_2LVL      3u
#define RISCV_M_DDTP_3LVL      4u
#define RISCV_M_DDTP_MODE_MASK 0xfull
#define RISCV_M_DDTP_BUSY      (1ull << 4)
#define RISCV_M_PPN_SHIFT      10 /* ddtp, cqb, fqb, non-leaf DDT entries: PPN[53:10] */
#define RISCV_M_PPN_MASK       (((1ull << 44) - 1) << 10)

/* cqcsr / fqcsr */
#define RISCV_M_CQCSR_CQEN	 (1u << 0)
#define RISCV_M_CQCSR_CIE	 (1u << 1)
#define RISCV_M_CQCSR_CQMF	 (1u << 8)
#define RISCV_M_CQCSR_CMD_TO	 (1u << 9)
#define RISCV_M_CQCSR_CMD_ILL	 (1u << 10)
#define RISCV_M_CQCSR_FENCE_W_IP (1u << 11)
#define RISCV_M_CQCSR_CQON	 (1u << 16)
#define RISCV_M_CQCSR_BUSY	 (1u << 17)
#define RISCV_M_FQCSR_FQEN	 (1u << 0)
#define RISCV_M_FQCSR_FIE	 (1u << 1)
#define RISCV_M_FQCSR_FQMF	 (1u << 8)
#define RISCV_M_FQCSR_FQOF	 (1u << 9)
#define RISCV_M_FQCSR_FQON	 (1u << 16)
#define RISCV_M_FQCSR_BUSY	 (1u << 17)
/* ipsr */
#define RISCV_M_IPSR_CIP  (1u << 0)
#define RISCV_M_IPSR_FIP  (1u << 1)
#define RISCV_M_IPSR_PMIP (1u << 2)
#define RISCV_M_IPSR_PIP  (1u << 3)

/* ---- commands: two little-endian 64-bit words -------------------------- */
#define RISCV_M_CMD_IOTINVAL	1u
#define RISCV_M_CMD_IOFENCE	2u
#define RISCV_M_CMD_IODIR	3u
#define RISCV_M_CMD_ATS		4u
#define RISCV_M_FUNC3_SHIFT	7
#define RISCV_M_IOTINVAL_VMA	0u
#define RISCV_M_IOTINVAL_GVMA	1u
#define RISCV_M_IOFENCE_C	0u
#define RISCV_M_IODIR_DDT	0u
#define RISCV_M_IODIR_PDT	1u
#define RISCV_M_CMD_AV		(1ull << 10)
#define RISCV_M_CMD_PSCID_SHIFT 12
#define RISCV_M_CMD_PSCV	(1ull << 32)
#define RISCV_M_CMD_GV		(1ull << 33)
#define RISCV_M_CMD_GSCID_SHIFT 44
#define RISCV_M_CMD_WSI		(1ull << 11)
#define RISCV_M_CMD_PR		(1ull << 12)
#define RISCV_M_CMD_PW		(1ull << 13)
#define RISCV_M_CMD_DATA_SHIFT	32
#define RISCV_M_CMD_PID_SHIFT	12
#define RISCV_M_CMD_DV		(1ull << 33)
#define RISCV_M_CMD_DID_SHIFT	40

/* ---- device context ---------------------------------------------------- */
#define RISCV_M_TC_V	  (1ull << 0)
#define RISCV_M_TC_EN_ATS (1ull << 1)
#define RISCV_M_TC_EN_PRI (1ull << 2)
#define RISCV_M_TC_T2GPA  (1ull << 3)
#define RISCV_M_TC_DTF	  (1ull << 4)
#define RISCV_M_TC_PDTV	  (1ull << 5)
#define RISCV_M_TC_PRPR	  (1ull << 6)
#define RISCV_M_TC_GADE	  (1ull << 7)
#define RISCV_M_TC_SADE	  (1ull << 8)
#define RISCV_M_TC_DPE	  (1ull << 9)
#define RISCV_M_TC_SBE	  (1ull << 10)
#define RISCV_M_TC_SXL	  (1ull << 11)
/* iohgatp / iosatp: PPN[43:0], GSCID[59:44] (iohgatp), MODE[63:60] */
#define RISCV_M_ATP_PPN_MASK	((1ull << 44) - 1)
#define RISCV_M_ATP_GSCID_SHIFT 44
#define RISCV_M_ATP_MODE_SHIFT	60
#define RISCV_M_ATP_BARE	0u
#define RISCV_M_ATP_SV39	8u /* Sv39 / Sv39x4 */
#define RISCV_M_ATP_SV48	9u
#define RISCV_M_ATP_SV57	10u
#define RISCV_M_TA_PSCID_SHIFT	12

/* ---- fault causes and transaction types --------------------------------- */
#define RISCV_M_CAUSE_INST_ACCESS	1u
#define RISCV_M_CAUSE_READ_ACCESS	5u
#define RISCV_M_CAUSE_WRITE_ACCESS	7u
#define RISCV_M_CAUSE_INST_PAGE		12u
#define RISCV_M_CAUSE_READ_PAGE		13u
#define RISCV_M_CAUSE_WRITE_PAGE	15u
#define RISCV_M_CAUSE_INST_GUEST	20u
#define RISCV_M_CAUSE_READ_GUEST	21u
#define RISCV_M_CAUSE_WRITE_GUEST	23u
#define RISCV_M_CAUSE_ALL_DISALLOWED	256u
#define RISCV_M_CAUSE_DDT_LOAD		257u
#define RISCV_M_CAUSE_DDT_INVALID	258u
#define RISCV_M_CAUSE_DDT_MISCONF	259u
#define RISCV_M_CAUSE_TTYP_DISALLOWED	260u
#define RISCV_M_CAUSE_MSI_LOAD		261u
#define RISCV_M_CAUSE_MSI_INVALID	262u
#define RISCV_M_CAUSE_MSI_MISCONF	263u
#define RISCV_M_TTYP_UNTRANSLATED_EXEC	1u
#define RISCV_M_TTYP_UNTRANSLATED_READ	2u
#define RISCV_M_TTYP_UNTRANSLATED_WRITE 3u

/* ---- riscv_model_dma() accesses ------------------------------------------ */
#define RISCV_MODEL_ACC_R    (1u << 0)
#define RISCV_MODEL_ACC_W    (1u << 1)
#define RISCV_MODEL_ACC_X    (1u << 2)
#define RISCV_MODEL_ACC_PRIV (1u << 3) /**< supervisor request (first-stage U = 0 needed) */

typedef int (*riscv_model_read_mem_fn)(void *ctx, uint64_t pa, void *buf, size_t len);
typedef int (*riscv_model_write_mem_fn)(void *ctx, uint64_t pa, const void *buf, size_t len);

struct riscv_model_cfg {
	uint64_t caps; /**< capabilities register (riscv_model_cfg_default) */
	unsigned
	    busy_reads; /**< test knob: reads of cqcsr/fqcsr/ddtp that show busy after a change */
	/** Non-coherent walker: DDT and page-table reads see a copy of memory that only
	 * riscv_model_clean() updates (zeros where nothing was cleaned yet). */
	bool dram;
	riscv_model_read_mem_fn read_mem;   /**< NULL: host memory, PA == VA */
	riscv_model_write_mem_fn write_mem; /**< NULL: host memory, PA == VA */
	void *mem_ctx;
};

/** Default: version 1.0, Sv39/48/57, Sv39x4/48x4/57x4, IGS both, PAS 56, base DC format. */
void riscv_model_cfg_default(struct riscv_model_cfg *cfg);

/** A fault, as the model found it (recorded in the fault queue or not). */
struct riscv_model_fault {
	uint32_t cause;
	uint32_t ttyp;
	uint32_t did;
	uint32_t pid;
	bool pv, priv;
	uint64_t iotval, iotval2;
};
/** Decode a 32-byte fault-queue record. */
void riscv_model_decode_fault(const void *rec, struct riscv_model_fault *f);

/** Commands counted by riscv_model_stats::cmds. */
enum riscv_model_cmd {
	RISCV_CMD_IOTINVAL_VMA = 0,
	RISCV_CMD_IOTINVAL_GVMA,
	RISCV_CMD_IOFENCE_C,
	RISCV_CMD_IODIR_DDT,
	RISCV_CMD_IODIR_PDT,
	RISCV_CMD_ATS,
	RISCV_CMD_COUNT
};

struct riscv_model_stats {
	uint64_t cmds[RISCV_CMD_COUNT]; /**< commands completed, per type */
	uint64_t cmd_ill;		/**< commands refused (cmd_ill) */
	uint64_t cq_mem_faults;		/**< cqmf raised */
	uint64_t fence_writes;		/**< IOFENCE.C AV data writes */
	uint64_t ddt_walks, dc_hits;
	uint64_t tlb_hits, tlb_misses, tlb_invalidated;
	uint64_t dma_ok, dma_faults;
	uint64_t faults_recorded;   /**< records written to the fault queue */
	uint64_t faults_dropped;    /**< fault queue off or in error */
	uint64_t faults_overflow;   /**< fault queue full (fqof) */
	uint64_t faults_suppressed; /**< DC.tc.DTF */
	uint64_t bad_accesses;	    /**< unknown offsets, wrong widths */
	uint64_t fctl_ignored;	    /**< fctl writes while not allowed */
	uint64_t ro_writes;	    /**< writes to read-only registers */
};

#define RISCV_MODEL_DC_MAX     64
#define RISCV_MODEL_TLB_MAX    256
#define RISCV_MODEL_DRAM_PAGES 256

/** IOTLB entry kinds. */
#define RISCV_MODEL_TLB_S1     1u /* first stage, no G-stage: tag PSCID */
#define RISCV_MODEL_TLB_G      2u /* G-stage only: tag GSCID, input is a GPA */
#define RISCV_MODEL_TLB_NESTED 3u /* both: tag GSCID and PSCID */

struct riscv_model_dc_entry {
	bool valid;
	uint32_t did;
	uint64_t dc[8]; /**< tc, iohgatp, ta, fsc (+ msiptp, msi_addr_mask, msi_addr_pattern, 0) */
};

struct riscv_model_tlb_entry {
	bool valid;
	unsigned kind; /**< RISCV_MODEL_TLB_* */
	uint32_t gscid, pscid;
	bool global;	 /**< first-stage leaf with G set */
	bool r, w, x, u; /**< effective permissions (w: writable and dirty in every stage) */
	uint64_t va, size, pa;
	uint64_t gpa, gsize; /**< nested: the G-stage leaf used (input GPA range) */
};

/** The model's whole state, about 1.1 MiB (mostly the DRAM copy): allocate it on the heap or
 * statically. riscv_model_init() sets every field. */
struct riscv_model {
	struct riscv_model_cfg cfg;
	uint64_t caps;
	unsigned pas;
	uint32_t fctl;
	uint64_t ddtp, cqb, fqb;
	uint32_t cqh, cqt, fqh, fqt;
	uint32_t cqcsr, fqcsr, ipsr;
	uint64_t icvec;
	unsigned cq_busy, fq_busy, ddtp_busy; /* reads left showing busy */
	struct riscv_model_dc_entry dcc[RISCV_MODEL_DC_MAX];
	unsigned dcc_next;
	struct riscv_model_tlb_entry tlb[RISCV_MODEL_TLB_MAX];
	unsigned tlb_next;
	struct riscv_model_stats stats;
	struct riscv_model_fault last_fault; /**< the last fault found by riscv_model_dma() */
	struct model_dram dram; /**< what the non-coherent walker sees (cfg.dram) */
	struct model_dram_page dram_pages[RISCV_MODEL_DRAM_PAGES]; /**< its storage */
	char err[256]; /**< why the last walk the walker rejected was rejected */
};

/** Reset state from @cfg; 0, or -1 if @cfg asks for something not modelled. */
int riscv_model_init(struct riscv_model *m, const struct riscv_model_cfg *cfg);

/** @size is 4 or 8; 8 only at 8-byte-aligned offsets. Unknown offsets read 0. */
uint64_t riscv_model_read(struct riscv_model *m, uint64_t off, unsigned size);
void riscv_model_write(struct riscv_model *m, uint64_t off, uint64_t val, unsigned size);

/** Process the command queue from cqh to cqt (as a cqt write does). */
void riscv_model_step(struct riscv_model *m);

/**
 * One untranslated transaction of device @device_id (no process ID) at @iova;
 * @access is RISCV_MODEL_ACC_*. 0 and *pa_out, or the fault CAUSE (> 0), also
 * in m->last_fault, and recorded in the fault queue unless suppressed.
 */
int riscv_model_dma(struct riscv_model *m, uint32_t device_id, uint64_t iova, unsigned access,
		    uint64_t *pa_out);

/** The CPU cleaned [@pa, @pa + @len): the non-coherent walker (cfg.dram) now sees it. */
void riscv_model_clean(struct riscv_model *m, uint64_t pa, size_t len);

/** Cached device contexts and translations. */
size_t riscv_model_dc_count(const struct riscv_model *m);
size_t riscv_model_tlb_count(const struct riscv_model *m);

#ifdef __cplusplus
}
#endif

#endif /* RISCV_MODEL_H */
