/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * smmuv3_model: a register-level software model of an Arm SMMUv3 for hosted
 * tests (Arm IHI 0070, "SMMU architecture version 3").
 *
 * Written from the architecture specification, not from iommuman's code: it
 * includes no iommuman header. Tests point a driver at the model's MMIO
 * accessors and "physical memory" callbacks, let it program the model, then
 * issue DMA through smmuv3_model_dma() and check what the hardware would do.
 *
 * What is modelled
 *  - Page 0 and page 1 registers (IDR0-5, IIDR, AIDR, CR0/CR0ACK, CR1, CR2,
 *    STATUSR, GBPA, IRQ_CTRL/ACK, GERROR/GERRORN and their MSI configuration,
 *    STRTAB_BASE(_CFG), the command, event and PRI queue registers). Guarded
 *    registers ignore writes while their enable (or its ACK) is set, and such
 *    writes, like writes to read-only registers, are counted.
 *  - The command queue, consumed synchronously on a CMDQ_PROD write (and on
 *    smmuv3_model_process()), with CERROR_ILL / CERROR_ABT reporting through
 *    CMDQ_CONS.ERR and GERROR.CMDQ_ERR, and recovery on the GERRORN ack.
 *    Reserved (RES0) command fields are checked (the spec permits treating a
 *    non-zero RES0 field as a malformed command); cfg.lax_res0 turns that off.
 *  - Linear and 2-level stream tables, linear and 2-level CD tables,
 *    VMSAv8-64 stage 1 and stage 2 walks for the 4K, 16K and 64K granules,
 *    concatenated stage 2 start tables, nesting (CD fetch and stage 1 walks
 *    through stage 2), access flag, permission and address size checks,
 *    HTTU access flag / dirty state updates (when advertised), the event
 *    queue with overflow, and MSIs written through the memory callbacks.
 *  - Caches that only the architected invalidations drop: STEs, L1STDs, CDs,
 *    L1CDs and a TLB of leaf translations (stage 1, stage 2, and combined
 *    nested entries). Invalidations affect exactly their required scope: the
 *    model never over-invalidates, so a missing or too narrow invalidation
 *    shows up as a stale translation. A range invalidation with a level hint
 *    (TTL) drops only entries of that level (4.4.1), so a wrong hint leaves
 *    the entry of the other level in place. Opt-in (cfg.contig_hint,
 *    cfg.tlb_conflict): a group of descriptors with the Contiguous hint is
 *    cached as one entry, and a lookup that hits more than one entry is a
 *    TLB conflict (F_TLB_CONFLICT); smmuv3_model_speculate() makes the
 *    speculative walks that let a TLB hold such overlapping entries.
 *  - Opt-in (cfg.dram with cfg.cohacc false): an SMMU whose accesses do not
 *    snoop the CPU's caches. Every read it makes of structures (STEs, L1STDs,
 *    CDs, L1CDs, translation table descriptors, command queue entries) sees a
 *    "DRAM" copy of memory that only smmuv3_model_clean() (the CPU's clean,
 *    reported by the test's port) updates; bytes never cleaned read as zeros.
 *
 * Not modelled: Secure/Realm state, stalls (IDR0.STALL_MODEL reads 0b01,
 * terminate only), ATS/PRI traffic (the commands are accepted), VMSAv8-32 and
 * VMSAv9-128 tables, FEAT_LPA2/52-bit VAs, MPAM, permission indirection,
 * walk caches of intermediate descriptors, broadcast TLB maintenance.
 */
#ifndef SMMUV3_MODEL_H
#define SMMUV3_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model_dram.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- register offsets (page 0 at 0x0, page 1 at 0x10000) ----------------- */
#define SMMUV3_M_IDR0		 0x0000u
#define SMMUV3_M_IDR1		 0x0004u
#define SMMUV3_M_IDR2		 0x0008u
#define SMMUV3_M_IDR3		 0x000cu
#define SMMUV3_M_IDR4		 0x0010u
#define SMMUV3_M_IDR5		 0x0014u
#define SMMUV3_M_IIDR		 0x0018u
#define SMMUV3_M_AIDR		 0x001cu
#define SMMUV3_M_CR0		 0x0020u
#define SMMUV3_M_CR0ACK		 0x0024u
#define SMMUV3_M_CR1		 0x0028u
#define SMMUV3_M_CR2		 0x002cu
#define SMMUV3_M_STATUSR	 0x0040u
#define SMMUV3_M_GBPA		 0x0044u
#define SMMUV3_M_AGBPA		 0x0048u
#define SMMUV3_M_IRQ_CTRL	 0x0050u
#define SMMUV3_M_IRQ_CTRLACK	 0x0054u
#define SMMUV3_M_GERROR		 0x0060u
#define SMMUV3_M_GERRORN	 0x0064u
#define SMMUV3_M_GERROR_IRQ_CFG0 0x0068u /* 64-bit */
#define SMMUV3_M_GERROR_IRQ_CFG1 0x0070u
#define SMMUV3_M_GERROR_IRQ_CFG2 0x0074u
#define SMMUV3_M_STRTAB_BASE	 0x0080u /* 64-bit */
#define SMMUV3_M_STRTAB_BASE_CFG 0x0088u
#define SMMUV3_M_CMDQ_BASE	 0x0090u /* 64-bit */
#define SMMUV3_M_CMDQ_PROD	 0x0098u
#define SMMUV3_M_CMDQ_CONS	 0x009cu
#define SMMUV3_M_EVTQ_BASE	 0x00a0u /* 64-bit */
#define SMMUV3_M_EVTQ_IRQ_CFG0	 0x00b0u /* 64-bit */
#define SMMUV3_M_EVTQ_IRQ_CFG1	 0x00b8u
#define SMMUV3_M_EVTQ_IRQ_CFG2	 0x00bcu
#define SMMUV3_M_PRIQ_BASE	 0x00c0u /* 64-bit */
#define SMMUV3_M_PRIQ_IRQ_CFG0	 0x00d0u /* 64-bit */
#define SMMUV3_M_PRIQ_IRQ_CFG1	 0x00d8u
#define SMMUV3_M_PRIQ_IRQ_CFG2	 0x00dcu
#define SMMUV3_M_EVTQ_PROD	 0x100a8u /* page 1 */
#define SMMUV3_M_EVTQ_CONS	 0x100acu
#define SMMUV3_M_PRIQ_PROD	 0x100c8u
#define SMMUV3_M_PRIQ_CONS	 0x100ccu
#define SMMUV3_M_MMIO_SIZE	 0x20000u

/* CR0 / CR0ACK */
#define SMMUV3_M_CR0_SMMUEN (1u << 0)
#define SMMUV3_M_CR0_PRIQEN (1u << 1)
#define SMMUV3_M_CR0_EVTQEN (1u << 2)
#define SMMUV3_M_CR0_CMDQEN (1u << 3)
#define SMMUV3_M_CR0_ATSCHK (1u << 4)
/* CR2 */
#define SMMUV3_M_CR2_E2H       (1u << 0)
#define SMMUV3_M_CR2_RECINVSID (1u << 1)
#define SMMUV3_M_CR2_PTM       (1u << 2)
/* GBPA */
#define SMMUV3_M_GBPA_ABORT  (1u << 20)
#define SMMUV3_M_GBPA_UPDATE (1u << 31)
/* IRQ_CTRL */
#define SMMUV3_M_IRQ_GERROR (1u << 0)
#define SMMUV3_M_IRQ_PRIQ   (1u << 1)
#define SMMUV3_M_IRQ_EVTQ   (1u << 2)
/* GERROR / GERRORN */
#define SMMUV3_M_GERROR_CMDQ_ERR     (1u << 0)
#define SMMUV3_M_GERROR_EVTQ_ABT     (1u << 2)
#define SMMUV3_M_GERROR_PRIQ_ABT     (1u << 3)
#define SMMUV3_M_GERROR_MSI_CMDQ_ABT (1u << 4)
#define SMMUV3_M_GERROR_MSI_EVTQ_ABT (1u << 5)
#define SMMUV3_M_GERROR_MSI_PRIQ_ABT (1u << 6)
#define SMMUV3_M_GERROR_MSI_GERR_ABT (1u << 7)
#define SMMUV3_M_GERROR_SFM	     (1u << 8)
/* queue PROD/CONS */
#define SMMUV3_M_Q_OVF		     (1u << 31) /* EVTQ_PROD.OVFLG / EVTQ_CONS.OVACKFLG */
#define SMMUV3_M_CMDQ_CONS_ERR_SHIFT 24
#define SMMUV3_M_CMDQ_CONS_ERR_MASK  (0x7fu << 24)
#define SMMUV3_M_CERROR_NONE	     0
#define SMMUV3_M_CERROR_ILL	     1
#define SMMUV3_M_CERROR_ABT	     2
#define SMMUV3_M_CERROR_ATC_INV_SYNC 3

/* command opcodes */
#define SMMUV3_M_CMD_PREFETCH_CONFIG 0x01u
#define SMMUV3_M_CMD_PREFETCH_ADDR   0x02u
#define SMMUV3_M_CMD_CFGI_STE	     0x03u
#define SMMUV3_M_CMD_CFGI_STE_RANGE  0x04u /* CFGI_ALL: Range == 31 */
#define SMMUV3_M_CMD_CFGI_CD	     0x05u
#define SMMUV3_M_CMD_CFGI_CD_ALL     0x06u
#define SMMUV3_M_CMD_TLBI_NH_ALL     0x10u
#define SMMUV3_M_CMD_TLBI_NH_ASID    0x11u
#define SMMUV3_M_CMD_TLBI_NH_VA	     0x12u
#define SMMUV3_M_CMD_TLBI_NH_VAA     0x13u
#define SMMUV3_M_CMD_TLBI_EL2_ALL    0x20u
#define SMMUV3_M_CMD_TLBI_EL2_ASID   0x21u
#define SMMUV3_M_CMD_TLBI_EL2_VA     0x22u
#define SMMUV3_M_CMD_TLBI_EL2_VAA    0x23u
#define SMMUV3_M_CMD_TLBI_S12_VMALL  0x28u
#define SMMUV3_M_CMD_TLBI_S2_IPA     0x2au
#define SMMUV3_M_CMD_TLBI_NSNH_ALL   0x30u
#define SMMUV3_M_CMD_ATC_INV	     0x40u
#define SMMUV3_M_CMD_PRI_RESP	     0x41u
#define SMMUV3_M_CMD_RESUME	     0x44u
#define SMMUV3_M_CMD_STALL_TERM	     0x45u
#define SMMUV3_M_CMD_SYNC	     0x46u
/* CMD_SYNC.CS */
#define SMMUV3_M_SYNC_CS_NONE 0u
#define SMMUV3_M_SYNC_CS_IRQ  1u
#define SMMUV3_M_SYNC_CS_SEV  2u

/* event numbers */
#define SMMUV3_M_EVT_F_UUT	       0x01
#define SMMUV3_M_EVT_C_BAD_STREAMID    0x02
#define SMMUV3_M_EVT_F_STE_FETCH       0x03
#define SMMUV3_M_EVT_C_BAD_STE	       0x04
#define SMMUV3_M_EVT_F_STREAM_DISABLED 0x06
#define SMMUV3_M_EVT_C_BAD_SUBSTREAMID 0x08
#define SMMUV3_M_EVT_F_CD_FETCH	       0x09
#define SMMUV3_M_EVT_C_BAD_CD	       0x0a
#define SMMUV3_M_EVT_F_WALK_EABT       0x0b
#define SMMUV3_M_EVT_F_TRANSLATION     0x10
#define SMMUV3_M_EVT_F_ADDR_SIZE       0x11
#define SMMUV3_M_EVT_F_ACCESS	       0x12
#define SMMUV3_M_EVT_F_PERMISSION      0x13
#define SMMUV3_M_EVT_F_TLB_CONFLICT    0x20

/* event record fields (32 bytes: four little-endian 64-bit words) */
#define SMMUV3_M_EVT0_TYPE(w0)	((unsigned)((w0)&0xffu))
#define SMMUV3_M_EVT0_SSV	(UINT64_C(1) << 11)
#define SMMUV3_M_EVT0_SSID(w0)	((uint32_t)(((w0) >> 12) & 0xfffffu))
#define SMMUV3_M_EVT0_SID(w0)	((uint32_t)((w0) >> 32))
#define SMMUV3_M_EVT1_PNU	(UINT64_C(1) << 33)
#define SMMUV3_M_EVT1_IND	(UINT64_C(1) << 34)
#define SMMUV3_M_EVT1_RNW	(UINT64_C(1) << 35)
#define SMMUV3_M_EVT1_S2	(UINT64_C(1) << 39)
#define SMMUV3_M_EVT1_CLASS(w1) ((unsigned)(((w1) >> 40) & 3u))
#define SMMUV3_M_EVT1_TTRNW	(UINT64_C(1) << 44)
#define SMMUV3_M_EVT_CLASS_CD	0u
#define SMMUV3_M_EVT_CLASS_TT	1u
#define SMMUV3_M_EVT_CLASS_IN	2u
/* word 2: InputAddr; word 3: IPA[55:12] (NSIPA at bit 0), or FetchAddr[55:3] */
#define SMMUV3_M_EVT3_IPA(w3)	((w3)&UINT64_C(0x00fffffffffff000))
#define SMMUV3_M_EVT3_FETCH(w3) ((w3)&UINT64_C(0x00fffffffffffff8))

/* ---- smmuv3_model_dma() access bits and results ------------------------- */
#define SMMUV3_MODEL_ACC_R    (1u << 0) /* data read */
#define SMMUV3_MODEL_ACC_W    (1u << 1) /* data write */
#define SMMUV3_MODEL_ACC_X    (1u << 2) /* instruction fetch (a read) */
#define SMMUV3_MODEL_ACC_PRIV (1u << 3) /* privileged (otherwise unprivileged) */

/** The transaction was terminated without an event: GBPA.ABORT, an STE with
 * Config 0b0xx, or an address beyond the OAS while the SMMU is disabled. Any
 * other negative result is -(event number) of the fault that terminated it,
 * whether or not the event was written to the event queue. */
#define SMMUV3_MODEL_ABORT (-256)

/* ---- configuration ------------------------------------------------------- */

/** Physical memory access. Return 0 on success, anything else for an
 * external abort (then F_STE_FETCH, F_CD_FETCH, F_WALK_EABT, CERROR_ABT or a
 * GERROR *_ABT_ERR results). The model never accesses addresses at or above
 * 2^OAS: those are aborted before the callback. */
typedef int (*smmuv3_model_read_mem_fn)(void *ctx, uint64_t pa, void *buf, size_t len);
typedef int (*smmuv3_model_write_mem_fn)(void *ctx, uint64_t pa, const void *buf, size_t len);

/** Wired interrupt notification (optional). */
enum smmuv3_model_irq {
	SMMUV3_MODEL_IRQ_EVTQ = 0,
	SMMUV3_MODEL_IRQ_GERROR = 1,
	SMMUV3_MODEL_IRQ_CMD_SYNC = 2,
	SMMUV3_MODEL_IRQ_PRIQ = 3,
};
typedef void (*smmuv3_model_irq_fn)(void *ctx, enum smmuv3_model_irq irq);

struct smmuv3_model_cfg {
	/* -- ID register contents -- */
	bool s1p;	     /**< IDR0.S1P: stage 1 implemented */
	bool s2p;	     /**< IDR0.S2P: stage 2 implemented */
	bool nesting;	     /**< with s1p and s2p: accept STE.Config 0b111 (else C_BAD_STE) */
	bool cohacc;	     /**< IDR0.COHACC */
	bool btm;	     /**< IDR0.BTM */
	bool hyp;	     /**< IDR0.Hyp: EL2 StreamWorlds and CMD_TLBI_EL2_* */
	bool ats;	     /**< IDR0.ATS */
	bool pri;	     /**< IDR0.PRI */
	bool msi;	     /**< IDR0.MSI: MSIs are written through write_mem */
	bool sev;	     /**< IDR0.SEV */
	bool asid16;	     /**< IDR0.ASID16 */
	bool vmid16;	     /**< IDR0.VMID16 */
	bool cd2l;	     /**< IDR0.CD2L: 2-level CD tables */
	bool st_level_2lvl;  /**< IDR0.ST_LEVEL == 0b01: 2-level stream tables */
	bool term_model;     /**< IDR0.TERM_MODEL: abort-only termination (CD.A must be 1) */
	bool stall_forced;   /**< IDR0.STALL_MODEL 0b10 (else 0b01, no stalls): CD.S and
				  STE.S2S must be 1 */
	unsigned httu;	     /**< IDR0.HTTU: 0 none, 1 access flag, 2 access flag + dirty */
	unsigned ttendian;   /**< IDR0.TTENDIAN: 0 mixed, 2 little, 3 big */
	unsigned sidsize;    /**< IDR1.SIDSIZE, 0..32 */
	unsigned ssidsize;   /**< IDR1.SSIDSIZE, 0..20 (0: no substreams) */
	unsigned cmdqs;	     /**< IDR1.CMDQS: max log2 command queue entries, 0..19 */
	unsigned evtqs;	     /**< IDR1.EVENTQS: max log2 event queue entries, 0..19 */
	unsigned priqs;	     /**< IDR1.PRIQS */
	bool tables_preset;  /**< IDR1.TABLES_PRESET: embedded, firmware-fixed stream table */
	bool queues_preset;  /**< IDR1.QUEUES_PRESET: embedded, firmware-fixed queues */
	bool rel;	     /**< IDR1.REL: preset base addresses are offsets */
	bool ril;	     /**< IDR3.RIL: range invalidation and TTL hints */
	unsigned bbml;	     /**< IDR3.BBML: break-before-make level 0, 1 or 2 (reported only) */
	unsigned oas_bits;   /**< 32, 36, 40, 42, 44, 48 or 52; encoded into IDR5.OAS */
	bool gran4k;	     /**< IDR5.GRAN4K */
	bool gran16k;	     /**< IDR5.GRAN16K */
	bool gran64k;	     /**< IDR5.GRAN64K */
	unsigned aidr_minor; /**< AIDR.ArchMinorRev (major is 0: SMMUv3.x) */
	uint32_t iidr;	     /**< IIDR value */

	/* -- reset state and behaviour -- */
	bool gbpa_reset_abort;	/**< GBPA.ABORT resets to 1 (default deny) */
	bool page0_queue_alias; /**< EVTQ/PRIQ PROD and CONS also at page 0 0xa8.. */
	bool lax_res0;		/**< ignore non-zero RES0 command fields instead of CERROR_ILL */
	bool cache_invalid_cfg; /**< also cache STEs/CDs/L1 descriptors that are invalid
				     (permitted by the spec; catches a missing CFGI after
				     making a structure valid) */
	uint32_t irq_ctrl_reset; /**< IRQ_CTRL (and IRQ_CTRLACK) as firmware left them */
	uint64_t irq_cfg0_reset; /**< GERROR/EVTQ/PRIQ_IRQ_CFG0 as firmware left them (MSI) */
	unsigned tlb_capacity;	/**< TLB entries kept; the oldest are evicted beyond it
				     (0: SMMUV3_MODEL_TLB_DEFAULT) */
	bool contig_hint;	/**< cache a leaf with the Contiguous bit as one entry for its
				     whole group (Arm ARM D8.6.1 permits it); off: per leaf */
	bool tlb_conflict;	/**< a lookup that hits more than one TLB entry terminates the
				     transaction with F_TLB_CONFLICT (7.3; a TLB may detect
				     overlapping entries left by a change made without
				     break-before-make); off: the oldest entry is used */
	/** Non-coherent accesses: with cohacc false, the SMMU's reads of structures, tables
	 * and commands see a "DRAM" copy of memory that only smmuv3_model_clean() updates
	 * (zeros where nothing was cleaned yet); what it writes (event records, MSIs,
	 * HTTU updates) goes to memory and to the pages of the copy. Ignored with cohacc. */
	bool dram;

	/* -- test knobs; may be changed in m->cfg at any time -- */
	bool stall_cmdq;    /**< consume no commands: CMDQ_CONS never advances */
	bool cr0ack_broken; /**< CR0ACK never follows CR0 (and the new CR0 never takes effect) */
	/** The next command the queue fetches is refused unexecuted as illegal (CERROR_ILL,
	 * GERROR.CMDQ_ERR) however it is formed; the knob clears itself then. */
	bool cmd_fail_next;
	bool gbpa_broken;   /**< GBPA.Update never clears (and the new value never takes effect) */
	bool irq_ctrlack_broken; /**< IRQ_CTRLACK never follows IRQ_CTRL */
	unsigned gbpa_busy_reads; /**< GBPA.Update reads 1 after reset for this many GBPA reads
				       (an update firmware started) */
	unsigned evtq_max_entries; /**< if non-zero, the event queue is full at this many entries */

	/* -- environment -- */
	smmuv3_model_read_mem_fn read_mem;
	smmuv3_model_write_mem_fn write_mem;
	void *mem_ctx;
	smmuv3_model_irq_fn irq; /**< optional */
	void *irq_ctx;
};

#define SMMUV3_MODEL_TLB_DEFAULT 4096
/** Pages of memory the non-coherent SMMU's DRAM copy can hold (cfg.dram). */
#define SMMUV3_MODEL_DRAM_PAGES 4096

/** Fills @cfg with a typical SMMUv3.2: both stages with nesting, AArch64
 * tables, 4K/16K/64K granules, 48-bit OAS, 16-bit SIDs, 20-bit SSIDs,
 * 2-level stream and CD tables, RIL, 16-bit ASIDs and VMIDs, COHACC, MSI,
 * HYP; no ATS/PRI/HTTU; 2^19 entry command and event queues. Memory callbacks
 * are the hosted identity ones (smmuv3_model_host_read/write) with a NULL
 * context. */
void smmuv3_model_cfg_default(struct smmuv3_model_cfg *cfg);

/* ---- hosted identity memory (PA == VA) ----------------------------------- */

/** Optional context for smmuv3_model_host_read/write: when @n is non-zero,
 * only accesses that fall entirely inside one window are performed; others
 * return an external abort and count in @rejected. */
struct smmuv3_model_hostmem {
	struct {
		uint64_t base;
		uint64_t size;
	} win[64];
	unsigned n;
	uint64_t rejected;
};
/** Adds [p, p + size) as an accessible window; returns 0, or -1 when full. */
int smmuv3_model_hostmem_add(struct smmuv3_model_hostmem *hm, const void *p, size_t size);
/** PA == VA accessors; @ctx is NULL or a struct smmuv3_model_hostmem. Addresses below
 * 64 KiB are always refused (external abort) rather than dereferenced. */
int smmuv3_model_host_read(void *ctx, uint64_t pa, void *buf, size_t len);
int smmuv3_model_host_write(void *ctx, uint64_t pa, const void *buf, size_t len);

/* ---- observation --------------------------------------------------------- */

struct smmuv3_model_event {
	unsigned type;	 /**< event number, 0 if none */
	bool recorded;	 /**< written to the event queue */
	bool razwi;	 /**< stage 1 fault terminated RAZ/WI (CD.A == 0) */
	uint64_t rec[4]; /**< the architected record */
};

#define SMMUV3_MODEL_CMD_LOG 64
struct smmuv3_model_cmd_log_entry {
	uint64_t seq;  /**< 1 for the first command ever fetched */
	uint64_t w[2]; /**< raw command */
	unsigned op;
	unsigned err; /**< CERROR_* the command raised, 0 if consumed */
};

struct smmuv3_model_stats {
	uint64_t cmd_count[256]; /**< consumed commands per opcode */
	uint64_t cmds_consumed;
	uint64_t max_unsynced;	/**< longest run of commands consumed with no CMD_SYNC */
	uint64_t cmd_errors;	/**< CERROR_* raised */
	uint64_t cmdq_overruns; /**< PROD more than a queue ahead of CONS: not processed */
	uint64_t sync_msis;	/**< CMD_SYNC MSI writes */
	uint64_t sync_irqs;	/**< CMD_SYNC with CS == SIG_IRQ */
	uint64_t sync_sevs;
	uint64_t evtq_irqs;
	uint64_t gerror_irqs;
	uint64_t events_written;
	uint64_t events_overflowed; /**< dropped on a full queue */
	uint64_t events_discarded;  /**< dropped with EVTQEN == 0 or an EVTQ abort active */
	uint64_t ro_writes;	    /**< writes to read-only registers */
	uint64_t guarded_writes;    /**< writes ignored because the register was guarded */
	uint64_t bad_accesses; /**< unaligned, wrong size, or 64-bit access to 32-bit registers */
	uint64_t gbpa_bad_writes; /**< GBPA written without Update, or while Update == 1 */
	uint64_t gerrorn_bad;	  /**< GERRORN toggles of inactive errors */
	uint64_t anomalies;	  /**< tolerated oddities: misaligned table bases, RES0 bits */
	uint64_t ste_fetches, cd_fetches, l1_fetches;
	uint64_t ste_hits, cd_hits;
	uint64_t tlb_hits, tlb_misses, tlb_inserts, tlb_invalidated;
	uint64_t tlb_evictions; /**< entries dropped for capacity */
	uint64_t tlb_conflicts; /**< lookups that matched more than one entry */
	uint64_t speculative_walks; /**< smmuv3_model_speculate() calls */
	uint64_t cfg_invalidated;
	uint64_t dma_ok, dma_faults;
};

/* ---- model state --------------------------------------------------------- */

enum smmuv3_model_tlb_kind {
	SMMUV3_MODEL_TLB_S1 = 1,     /**< stage 1 only */
	SMMUV3_MODEL_TLB_S2 = 2,     /**< stage 2 (stage 2 only config, or walk/final IPA) */
	SMMUV3_MODEL_TLB_NESTED = 3, /**< combined stage 1 + stage 2 */
};
enum smmuv3_model_regime {
	SMMUV3_MODEL_NS_EL1 = 0,
	SMMUV3_MODEL_EL2 = 1,
	SMMUV3_MODEL_EL2_E2H = 2,
};

struct smmuv3_model_tlb_entry {
	uint8_t kind;	/**< enum smmuv3_model_tlb_kind */
	uint8_t regime; /**< enum smmuv3_model_regime */
	bool global;	/**< stage 1 nG == 0 */
	bool s2_device; /**< stage 2 memory type is Device (for STE.S2PTW) */
	bool contig;	/**< made from a leaf with the Contiguous bit (stage 1 for NESTED) */
	uint16_t vmid;
	uint16_t asid;
	uint8_t size_log2; /**< size of the cached translation */
	uint8_t level;	   /**< leaf level of the stage 1 (S1, NESTED) or stage 2 walk */
	uint8_t tg;	   /**< granule bits (12, 14, 16) of that walk */
	uint8_t s1perm;	   /**< SMMUV3_MODEL_PERM_* granted by stage 1 */
	uint8_t s2perm;	   /**< SMMUV3_MODEL_PERM_* granted by stage 2 */
	uint64_t ia;	   /**< input address (VA or IPA), aligned to the size */
	uint64_t oa;	   /**< output address (IPA for S1, PA otherwise), aligned */
	uint64_t ipa;	   /**< NESTED: the IPA of the page */
};
#define SMMUV3_MODEL_PERM_UR (1u << 0)
#define SMMUV3_MODEL_PERM_UW (1u << 1)
#define SMMUV3_MODEL_PERM_UX (1u << 2)
#define SMMUV3_MODEL_PERM_PR (1u << 3)
#define SMMUV3_MODEL_PERM_PW (1u << 4)
#define SMMUV3_MODEL_PERM_PX (1u << 5)

struct smmuv3_model_cfg_entry {
	uint32_t sid;
	uint32_t idx_lo, idx_hi; /**< CD index, or StreamID/SubstreamID span for L1 entries */
	uint64_t w[8];
};

struct smmuv3_model_cache {
	struct smmuv3_model_cfg_entry *e;
	size_t n, cap;
};

struct smmuv3_model {
	struct smmuv3_model_cfg cfg;
	bool allocated;

	uint32_t idr[6];
	uint32_t aidr;
	uint32_t cr0, cr0ack, cr1, cr2;
	uint32_t gbpa;	   /**< as read */
	uint32_t gbpa_eff; /**< in effect */
	unsigned gbpa_busy; /**< GBPA reads left before a pending Update clears */
	uint32_t irq_ctrl, irq_ctrlack;
	uint32_t gerror, gerrorn;
	uint64_t gerror_irq_cfg0;
	uint32_t gerror_irq_cfg1, gerror_irq_cfg2;
	uint64_t strtab_base;
	uint32_t strtab_base_cfg;
	uint64_t cmdq_base;
	uint32_t cmdq_prod, cmdq_cons;
	uint64_t evtq_base;
	uint32_t evtq_prod, evtq_cons;
	uint64_t evtq_irq_cfg0;
	uint32_t evtq_irq_cfg1, evtq_irq_cfg2;
	uint64_t priq_base;
	uint32_t priq_prod, priq_cons;
	uint64_t priq_irq_cfg0;
	uint32_t priq_irq_cfg1, priq_irq_cfg2;

	struct smmuv3_model_cache ste, l1std, cd, l1cd;
	struct smmuv3_model_tlb_entry *tlb;
	size_t tlb_n, tlb_cap;

	struct smmuv3_model_stats stats;
	struct smmuv3_model_event last_event;
	struct smmuv3_model_cmd_log_entry log[SMMUV3_MODEL_CMD_LOG];
	uint64_t log_seq;
	uint64_t unsynced; /**< commands consumed since the last CMD_SYNC */
	bool in_process;
	bool speculating; /**< inside smmuv3_model_speculate() */
	/** What the SMMU reads when it does not snoop (cfg.dram, cohacc false); its pages
	 * (SMMUV3_MODEL_DRAM_PAGES of them) are allocated by init, NULL otherwise. */
	struct model_dram dram;
	struct model_dram_page *dram_pages;
};

/* ---- lifetime ------------------------------------------------------------ */

/** Initialises a caller-allocated model; returns 0, or -1 if @cfg is
 * inconsistent (bad OAS, sizes out of range, no granule, no memory access). */
int smmuv3_model_init(struct smmuv3_model *m, const struct smmuv3_model_cfg *cfg);
/** Frees the caches of a model set up with smmuv3_model_init(). */
void smmuv3_model_fini(struct smmuv3_model *m);
/** malloc + init; NULL on failure. */
struct smmuv3_model *smmuv3_model_create(const struct smmuv3_model_cfg *cfg);
void smmuv3_model_destroy(struct smmuv3_model *m);
/** Back to the reset state: registers, caches, statistics, log. */
void smmuv3_model_reset(struct smmuv3_model *m);

/* ---- MMIO ---------------------------------------------------------------- */

/** @size is 4 or 8; @off within the two 64 KiB pages. Unknown offsets read 0. */
uint64_t smmuv3_model_read(struct smmuv3_model *m, uint64_t off, unsigned size);
void smmuv3_model_write(struct smmuv3_model *m, uint64_t off, uint64_t val, unsigned size);

/** The CPU cleaned [@pa, @pa + @len) to the point of coherency (a port's clean_tables):
 * a non-coherent SMMU (cfg.dram, cohacc false) now reads those bytes as they are in
 * memory. Does nothing for a model without the DRAM copy. */
void smmuv3_model_clean(struct smmuv3_model *m, uint64_t pa, size_t len);

/** Consumes commands if possible (also done on every CMDQ_PROD write). */
void smmuv3_model_process(struct smmuv3_model *m);

/* ---- client traffic ------------------------------------------------------ */

/** One transaction from @sid (with @ssid if @ssv) at @iova. @access is
 * SMMUV3_MODEL_ACC_* (R, W or X, plus PRIV). Returns 0 and the output
 * address in *pa_out, SMMUV3_MODEL_ABORT, or -(event number). */
int smmuv3_model_dma(struct smmuv3_model *m, uint32_t sid, uint32_t ssid, bool ssv, uint64_t iova,
		     unsigned access, uint64_t *pa_out);

/** A speculative walk for @iova from @sid (@ssid if @ssv), as an SMMU may make at any
 * time for any address its configuration can translate: the tables are walked (the STE
 * and CD may come from the caches, the TLB is not looked up) and the translation found
 * is cached, unless an identical entry is already held. Nothing is recorded: no event,
 * no DMA statistics, last_event unchanged. Returns 0 when a translation was found (and
 * cached), else -(event number) of the fault a transaction would have taken (read,
 * privileged) or SMMUV3_MODEL_ABORT. */
int smmuv3_model_speculate(struct smmuv3_model *m, uint32_t sid, uint32_t ssid, bool ssv,
			   uint64_t iova);

/** The fault of the last smmuv3_model_dma() call (type 0 if it succeeded). */
const struct smmuv3_model_event *smmuv3_model_last_event(const struct smmuv3_model *m);

/* ---- inspection ---------------------------------------------------------- */

/** The @back-th most recent command fetched (0: newest), or NULL. */
const struct smmuv3_model_cmd_log_entry *smmuv3_model_cmd_log(const struct smmuv3_model *m,
							      unsigned back);
/** True while a command queue error is active (GERROR.CMDQ_ERR != GERRORN). */
bool smmuv3_model_cmdq_error(const struct smmuv3_model *m);
size_t smmuv3_model_tlb_count(const struct smmuv3_model *m);
bool smmuv3_model_ste_cached(const struct smmuv3_model *m, uint32_t sid);
bool smmuv3_model_cd_cached(const struct smmuv3_model *m, uint32_t sid, uint32_t ssid);
/** [@pa, @pa + @len) as the SMMU reads it (memory, or the DRAM copy of a non-coherent
 * SMMU): 0, or -1 if the read would abort (beyond the OAS, refused by read_mem).
 * Counts nothing and caches nothing. */
int smmuv3_model_mem_view(struct smmuv3_model *m, uint64_t pa, void *buf, size_t len);
/** Drops every cached structure and translation (not an SMMU operation). */
void smmuv3_model_drop_caches(struct smmuv3_model *m);

#ifdef __cplusplus
}
#endif

#endif /* SMMUV3_MODEL_H */
