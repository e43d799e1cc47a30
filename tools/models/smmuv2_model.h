/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * smmuv2_model: a register-level software model of an Arm SMMUv2 (Arm IHI
 * 0062, "System MMU architecture version 2") for hosted tests, with the
 * CoreLink MMU-500's auxiliary registers as an option.
 *
 * Written from the architecture specification, not from iommuman's code: it
 * includes no iommuman header. Its translation table walks are done by the
 * independent walker of tools/walker (arm_walker.h), which shares no code
 * with the library either.
 *
 * What is modelled
 *  - Global register space 0 (sCR0, sACR, ID0-ID7, sGFAR/sGFSR/sGFSYNR0-1,
 *    TLBIVMID, TLBIALLNSNH, sTLBGSYNC/sTLBGSTATUS, SMRs, S2CRs, PIDR0-4),
 *    global register space 1 (CBAR, CBFRSYNRA, CBA2R) and the context banks
 *    (SCTLR, ACTLR, TCR2, TTBR0, TCR, MAIR0/1, FSR, FAR, FSYNR0, TLBIVA,
 *    TLBIVAL, TLBIASID, TLBIALL, TLBIIPAS2, TLBIIPAS2L, TLBSYNC/TLBSTATUS),
 *    at the page layout ID1.PAGESIZE/NUMPAGENDXB describe. 64-bit registers
 *    may be written as two 32-bit halves, low first.
 *  - Stream matching with masks (ID0.SMS = 1) or indexing (SMS = 0). More
 *    than one matching SMR raises a stream match conflict (sGFSR.SMCF); an
 *    unmatched stream faults (sGFSR.USF) when sCR0.USFCFG = 1 and bypasses
 *    otherwise; sCR0.CLIENTPD = 1 bypasses everything.
 *  - S2CR types translate, bypass and fault; CBAR types 0 (stage 2), 1
 *    (stage 1, stage 2 bypass), 2 (stage 1, stage 2 fault) and 3 (nested:
 *    stage-1 tables and output translated through the stage-2 bank named in
 *    CBAR[15:8]). A bank with SCTLR.M = 0 does not translate (its stage is
 *    bypassed), as the architecture says.
 *  - A TLB of leaf translations tagged with VMID and ASID, which only the
 *    architected invalidations drop, and only after the matching sync
 *    (TLBSYNC for a bank's operations, sTLBGSYNC for global ones): a missing
 *    or too narrow invalidation, or a missing sync, shows as a stale
 *    translation. Operations never over-invalidate. Opt-in (cfg.contig_hint,
 *    cfg.tlb_conflict): a leaf with the Contiguous bit is cached for its whole
 *    group, and a lookup that hits more than one entry is a TLB match
 *    conflict (CB_FSR.TLBMCF).
 *  - Memory types (smmuv2_model.last_mem): a stage-1 bank with stage 2
 *    bypassed combines its leaf's MAIR attribute with CBAR.MemAttr, which
 *    applies as the stage-2 attribute (IHI 0062, CBARn for a stage 1 context
 *    with stage 2 bypass: MemAttr, BPSHCFG); nested banks combine with the
 *    stage-2 leaf. Combining keeps the weaker (Device < NC < WT < WB), as
 *    the VMSA combines stage 1 and stage 2. Shareability is not modelled.
 *  - Context faults (CB_FSR/FAR/FSYNR0 and CBFRSYNRA, write-1-to-clear,
 *    MULTI on a second fault) and global faults (sGFSR/sGFAR/sGFSYNR0-1).
 *  - MMU-500: sACR with CACHE_LOCK (ACTLR writes ignored while it is set on
 *    r2p0 and later), ACTLR.CPRE set at reset, PIDR part number 0x481.
 *  - Test knob: syncs that never complete.
 *
 * Not modelled: Secure state, stalls, AArch32 table formats, ATOS, the
 * walk caches of intermediate descriptors, interrupts, broadcast TLB
 * maintenance, extended stream IDs.
 */
#ifndef SMMUV2_MODEL_H
#define SMMUV2_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model_dram.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- register offsets (IHI 0062, chapter 10) ---------------------------- */
#define SMMUV2_M_SCR0	     0x000u
#define SMMUV2_M_SACR	     0x010u
#define SMMUV2_M_ID(n)	     (0x020u + 4u * (n))
#define SMMUV2_M_SGFAR	     0x040u
#define SMMUV2_M_SGFSR	     0x048u
#define SMMUV2_M_SGFSYNR0    0x050u
#define SMMUV2_M_SGFSYNR1    0x054u
#define SMMUV2_M_TLBIVMID    0x064u
#define SMMUV2_M_TLBIALLNSNH 0x068u
#define SMMUV2_M_STLBGSYNC   0x070u
#define SMMUV2_M_STLBGSTATUS 0x074u
#define SMMUV2_M_SMR(n)	     (0x800u + 4u * (n))
#define SMMUV2_M_S2CR(n)     (0xc00u + 4u * (n))
#define SMMUV2_M_PIDR0	     0xfe0u
#define SMMUV2_M_PIDR1	     0xfe4u
#define SMMUV2_M_PIDR2	     0xfe8u
/* global space 1 */
#define SMMUV2_M_CBAR(n)      (0x000u + 4u * (n))
#define SMMUV2_M_CBFRSYNRA(n) (0x400u + 4u * (n))
#define SMMUV2_M_CBA2R(n)     (0x800u + 4u * (n))
/* context bank */
#define SMMUV2_M_CB_SCTLR      0x000u
#define SMMUV2_M_CB_ACTLR      0x004u
#define SMMUV2_M_CB_TCR2       0x010u
#define SMMUV2_M_CB_TTBR0      0x020u
#define SMMUV2_M_CB_TCR	       0x030u
#define SMMUV2_M_CB_MAIR0      0x038u
#define SMMUV2_M_CB_MAIR1      0x03cu
#define SMMUV2_M_CB_FSR	       0x058u
#define SMMUV2_M_CB_FAR	       0x060u
#define SMMUV2_M_CB_FSYNR0     0x068u
#define SMMUV2_M_CB_TLBIVA     0x600u
#define SMMUV2_M_CB_TLBIASID   0x610u
#define SMMUV2_M_CB_TLBIALL    0x618u
#define SMMUV2_M_CB_TLBIVAL    0x620u
#define SMMUV2_M_CB_TLBIIPAS2  0x630u
#define SMMUV2_M_CB_TLBIIPAS2L 0x638u
#define SMMUV2_M_CB_TLBSYNC    0x7f0u
#define SMMUV2_M_CB_TLBSTATUS  0x7f4u

/* sCR0 */
#define SMMUV2_M_SCR0_CLIENTPD (1u << 0)
#define SMMUV2_M_SCR0_USFCFG   (1u << 10)
#define SMMUV2_M_SCR0_PTM      (1u << 12)
/* sACR (MMU-500) and ACTLR */
#define SMMUV2_M_ACR_SMTNMB_TLBEN (1u << 8)
#define SMMUV2_M_ACR_S2CRB_TLBEN  (1u << 10)
#define SMMUV2_M_ACR_CACHE_LOCK	  (1u << 26)
#define SMMUV2_M_ACTLR_CPRE	  (1u << 1)
/* sGFSR */
#define SMMUV2_M_GFSR_ICF   (1u << 0)
#define SMMUV2_M_GFSR_USF   (1u << 1)
#define SMMUV2_M_GFSR_SMCF  (1u << 2)
#define SMMUV2_M_GFSR_UCBF  (1u << 3)
#define SMMUV2_M_GFSR_MULTI (1u << 31)
/* CB_FSR */
#define SMMUV2_M_FSR_TF	   (1u << 1)
#define SMMUV2_M_FSR_AFF   (1u << 2)
#define SMMUV2_M_FSR_PF	   (1u << 3)
#define SMMUV2_M_FSR_EF	   (1u << 4)
#define SMMUV2_M_FSR_TLBMCF (1u << 5) /* TLB match conflict */
#define SMMUV2_M_FSR_ASF   (1u << 7)
#define SMMUV2_M_FSR_MULTI (1u << 31)
/* SCTLR */
#define SMMUV2_M_SCTLR_M    (1u << 0)
#define SMMUV2_M_SCTLR_TRE  (1u << 1)
#define SMMUV2_M_SCTLR_AFE  (1u << 2)
#define SMMUV2_M_SCTLR_CFRE (1u << 5)
#define SMMUV2_M_SCTLR_CFIE (1u << 6)

/* ---- smmuv2_model_dma() accesses and results ---------------------------- */
#define SMMUV2_MODEL_ACC_R    (1u << 0)
#define SMMUV2_MODEL_ACC_W    (1u << 1)
#define SMMUV2_MODEL_ACC_X    (1u << 2)
#define SMMUV2_MODEL_ACC_PRIV (1u << 3)

/* Results other than 0: a context fault is -(its CB_FSR bit number), a
 * global fault -(0x100 + its sGFSR bit number); a stream whose S2CR (or
 * stage-2 fault context) terminates it without a record gives ABORT. */
#define SMMUV2_MODEL_F_TF    (-1)
#define SMMUV2_MODEL_F_AFF   (-2)
#define SMMUV2_MODEL_F_PF    (-3)
#define SMMUV2_MODEL_F_EF    (-4)
#define SMMUV2_MODEL_F_TLBMCF (-5)
#define SMMUV2_MODEL_F_ASF   (-7)
#define SMMUV2_MODEL_G_ICF   (-0x100)
#define SMMUV2_MODEL_G_USF   (-0x101)
#define SMMUV2_MODEL_G_SMCF  (-0x102)
#define SMMUV2_MODEL_G_UCBF  (-0x103)
#define SMMUV2_MODEL_ABORT   (-0x200)

typedef int (*smmuv2_model_read_mem_fn)(void *ctx, uint64_t pa, void *buf, size_t len);

struct smmuv2_model_cfg {
	bool s1ts, s2ts, nts; /**< ID0: stages and nesting */
	bool sms;	      /**< ID0.SMS: stream matching (else indexing) */
	bool cttw, btm;	      /**< ID0.CTTW, ID0.BTM */
	bool atosns;	      /**< ID0.ATOSNS: no address translation operations */
	unsigned numsmrg;     /**< ID0.NUMSMRG, at most 128 */
	unsigned numsidb;     /**< ID0.NUMSIDB, 0..15 */
	unsigned smr_mask_bits; /**< SMR.MASK bits implemented (low ones kept); 0: 15 */
	unsigned numcb;	      /**< ID1.NUMCB, at most 128 */
	unsigned nums2cb;     /**< ID1.NUMS2CB */
	bool pagesize64k;     /**< ID1.PAGESIZE */
	unsigned numpagendxb; /**< ID1.NUMPAGENDXB: 2^(n+1) global pages */
	bool ptfs4k, ptfs16k, ptfs64k; /**< ID2.PTFSv8_* */
	unsigned ias, oas, ubs;	       /**< bits: 32, 36, 40, 42, 44 or 48 */
	bool mmu500;		       /**< MMU-500 registers and PIDR */
	unsigned id7_major, id7_minor; /**< ID7 (MMU-500: the rNpN release) */
	bool secure_cache_lock; /**< MMU-500: Secure keeps CACHE_LOCK set (it cannot be cleared) */
	bool stall_sync;	/**< test knob: syncs never complete (may change at any time) */
	bool contig_hint;	/**< cache a leaf with the Contiguous bit as one entry for its
				     whole group (Arm ARM D8.6.1 permits it); off: per leaf */
	bool tlb_conflict;	/**< a lookup that hits more than one TLB entry is a TLB match
				     conflict: CB_FSR.TLBMCF (IHI 0062, CB_FSR), no translation;
				     off: the oldest entry is used */
	/** Non-coherent walker: with ID0.CTTW = 0, table walks read a "DRAM" copy of memory
	 * that only smmuv2_model_clean() updates (zeros where nothing was cleaned yet). */
	bool dram;
	smmuv2_model_read_mem_fn read_mem; /**< NULL: host memory, PA == VA */
	void *mem_ctx;
};

/** Named ID configurations. */
enum smmuv2_model_preset {
	SMMUV2_MODEL_GENERIC = 0, /**< both stages, nesting, 16 SMRs, 16 banks (4 S2) */
	SMMUV2_MODEL_INDEXING,	  /**< stream indexing with 5 stream ID bits */
	SMMUV2_MODEL_4K_ONLY,	  /**< only the 4K granule, stage 1 only */
	SMMUV2_MODEL_S2_ONLY,	  /**< stage 2 only, 8 stage-2-only banks */
	SMMUV2_MODEL_MMU500,	  /**< an MMU-500 r2p4: 48 SMRs, 8 banks, 64K register pages */
};
void smmuv2_model_cfg_preset(struct smmuv2_model_cfg *cfg, enum smmuv2_model_preset preset);

/* ---- TLB operations, as logged and counted ------------------------------ */
enum smmuv2_model_op {
	SMMUV2_OP_TLBIVA = 0,
	SMMUV2_OP_TLBIVAL,
	SMMUV2_OP_TLBIASID,
	SMMUV2_OP_TLBIALL,
	SMMUV2_OP_TLBIIPAS2,
	SMMUV2_OP_TLBIIPAS2L,
	SMMUV2_OP_TLBIVMID,
	SMMUV2_OP_TLBIALLNSNH,
	SMMUV2_OP_TLBSYNC,
	SMMUV2_OP_TLBGSYNC,
	SMMUV2_OP_COUNT
};

struct smmuv2_model_log_entry {
	unsigned op;  /**< enum smmuv2_model_op */
	int bank;     /**< context bank, -1 for global operations */
	uint64_t val; /**< value written */
};
#define SMMUV2_MODEL_LOG 128

/** Memory types of a translated access, weakest-wins order (a combination takes the lower). */
enum smmuv2_model_mem {
	SMMUV2_MODEL_MEM_DEVICE = 0, /**< Device memory (any Device type) */
	SMMUV2_MODEL_MEM_NC = 1,     /**< Normal, non-cacheable (inner or outer) */
	SMMUV2_MODEL_MEM_WT = 2,     /**< Normal, write-through (or mixed WT/WB) */
	SMMUV2_MODEL_MEM_WB = 3,     /**< Normal, inner and outer write-back */
	SMMUV2_MODEL_MEM_NONE = 4,   /**< not translated (bypass): the request's own type */
};

struct smmuv2_model_tlb_entry {
	bool s1;	   /**< stage 1 (or combined nested) entry, else stage 2 */
	uint8_t mem;	   /**< enum smmuv2_model_mem of the (combined) translation */
	uint16_t vmid;
	uint16_t asid;
	uint8_t size_log2;
	bool contig;  /**< made from a leaf with the Contiguous bit (stage 1 when combined) */
	uint8_t perm; /**< bit 0 read, 1 write, 2 priv read, 3 priv write */
	uint64_t ia, oa;
};
#define SMMUV2_MODEL_TLB_MAX 1024
#define SMMUV2_MODEL_PENDING_MAX 4096

struct smmuv2_model_stats {
	uint64_t ops[SMMUV2_OP_COUNT];
	uint64_t tlb_hits, tlb_misses, tlb_invalidated;
	uint64_t tlb_conflicts; /**< lookups that hit more than one entry */
	uint64_t dma_ok, dma_faults;
	uint64_t bad_tables;   /**< walks the independent walker rejected */
	uint64_t bad_accesses; /**< unknown offsets, wrong widths */
	uint64_t ro_writes;    /**< writes to ID and other read-only registers */
	uint64_t actlr_ignored; /**< ACTLR writes dropped while CACHE_LOCK was set */
	uint64_t live_bank_writes; /**< bank configuration written while SCTLR.M = 1 */
};

struct smmuv2_model_bank {
	uint32_t sctlr, actlr, tcr2, tcr, mair0, mair1, fsr, fsynr0;
	uint64_t ttbr0, far;
	bool sync_active;
};

struct smmuv2_model_pending_op {
	unsigned op;
	int bank;
	uint16_t vmid;
	uint64_t val;
};

/** Pages of memory the non-coherent walker can hold (cfg.dram). */
#define SMMUV2_MODEL_DRAM_PAGES 512

struct smmuv2_model {
	struct smmuv2_model_cfg cfg;
	uint32_t id[8];
	uint32_t pgshift, numpage;
	uint32_t scr0, sacr, gfsr, gfsynr0, gfsynr1;
	uint64_t gfar;
	bool gsync_active;
	uint32_t smr[128], s2cr[128];
	uint32_t cbar[128], cba2r[128], cbfrsynra[128];
	struct smmuv2_model_bank cb[128];
	uint64_t lo_latch; /* low half of a 64-bit register written as two halves */
	uint64_t lo_off;
	bool lo_valid;
	struct smmuv2_model_tlb_entry tlb[SMMUV2_MODEL_TLB_MAX];
	size_t tlb_n;
	struct smmuv2_model_pending_op pending[SMMUV2_MODEL_PENDING_MAX];
	size_t pending_n;
	struct smmuv2_model_stats stats;
	struct smmuv2_model_log_entry log[SMMUV2_MODEL_LOG];
	uint64_t log_seq;
	/** Memory type of the last smmuv2_model_dma() that returned 0 (enum smmuv2_model_mem):
	 * stage 1 combined with CBAR.MemAttr (stage 1, stage 2 bypass) or with the stage-2
	 * leaf (nested); a stage-2 bank's leaf alone. */
	unsigned last_mem;
	struct model_dram dram; /**< what the non-coherent walker sees (cfg.dram) */
	struct model_dram_page dram_pages[SMMUV2_MODEL_DRAM_PAGES]; /**< its storage */
};

/** Reset state from @cfg; returns 0, or -1 if @cfg is inconsistent. */
int smmuv2_model_init(struct smmuv2_model *m, const struct smmuv2_model_cfg *cfg);
/** Bytes of register space: 2 * 2^(NUMPAGENDXB + 1) pages. */
uint64_t smmuv2_model_mmio_size(const struct smmuv2_model *m);

/** @size is 4 or 8. Unknown offsets read 0 (counted as bad accesses). */
uint64_t smmuv2_model_read(struct smmuv2_model *m, uint64_t off, unsigned size);
void smmuv2_model_write(struct smmuv2_model *m, uint64_t off, uint64_t val, unsigned size);

/** One transaction from @sid at @iova; 0 and *pa_out, or a result code above. */
int smmuv2_model_dma(struct smmuv2_model *m, uint32_t sid, uint64_t iova, unsigned access,
		     uint64_t *pa_out);

/** The CPU cleaned [@pa, @pa + @len) to the point of coherency (a port's clean_tables):
 * the non-coherent walker (cfg.dram, ID0.CTTW = 0) now sees those bytes. */
void smmuv2_model_clean(struct smmuv2_model *m, uint64_t pa, size_t len);
/** A table read as the walker makes it: memory, or the DRAM copy when the walk does not snoop. */
int smmuv2_model_walk_mem(struct smmuv2_model *m, uint64_t pa, void *buf, size_t len);

/** enum smmuv2_model_mem of a stage-2 format MemAttr[3:0] (CBAR.MemAttr, stage-2 leaves). */
unsigned smmuv2_model_s2_memattr(unsigned memattr);
/** The weaker of two enum smmuv2_model_mem (how stage 1 and stage 2 combine). */
unsigned smmuv2_model_mem_min(unsigned a, unsigned b);
struct aw_leaf;
/** enum smmuv2_model_mem of a walker leaf of @stage (1: its MAIR attribute, 2: MemAttr). */
unsigned smmuv2_model_leaf_mem(const struct aw_leaf *l, unsigned stage);

/** The @back-th most recent TLB operation (0: newest), or NULL. */
const struct smmuv2_model_log_entry *smmuv2_model_log(const struct smmuv2_model *m, unsigned back);
/** Cached translations. */
size_t smmuv2_model_tlb_count(const struct smmuv2_model *m);

#ifdef __cplusplus
}
#endif

#endif /* SMMUV2_MODEL_H */
