/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtd_model: a register-level software model of an Intel VT-d DMA remapping
 * unit for hosted tests (Intel Virtualization Technology for Directed I/O,
 * Architecture Specification).
 *
 * Written from the architecture specification, not from iommuman's code: it
 * includes no iommuman header and walks every table itself. Tests route a
 * driver's MMIO to vtd_model_read()/vtd_model_write(), let it program the
 * unit, then issue DMA through vtd_model_dma() and check what the hardware
 * would do.
 *
 * What is modelled
 *  - Registers: VER, CAP, ECAP (all fields from the configuration), GCMD /
 *    GSTS (TE, SRTP, QIE, WBF, IRE, SIRTP, CFI; one command at a time),
 *    RTADDR (legacy, scalable and abort-DMA TTM), CCMD, FSTS, FECTL and the
 *    fault event data/address registers, the fault recording registers at
 *    CAP.FRO (CAP.NFR of them), IVA / IOTLB at ECAP.IRO, IQH / IQT / IQA /
 *    ICS / IECTL / IQERCD. 32- and 64-bit accesses; a 64-bit register may be
 *    written as two 32-bit halves (the command fires with the upper half of
 *    CCMD and IOTLB, with the lower half of IQT).
 *  - Translation: legacy root and context entries (TT 00/01 second stage,
 *    10 pass-through when ECAP.PT), scalable root and context entries, PASID
 *    directory and PASID table (RID_PASID from the context entry; PGTT
 *    first-stage, second-stage, pass-through), second-stage tables of 3, 4
 *    or 5 levels with 2 MiB / 1 GiB superpages where CAP.SLLPS allows them
 *    (R/W ANDed over all levels), x86-64 first-stage tables of 4 or 5 levels
 *    (P, R/W, U/S over all levels, 1 GiB pages with CAP.FL1GP, A/D set on
 *    use). Requests are untranslated, without PASID and unprivileged.
 *    Reserved bits are checked in every entry. Translation disabled
 *    (GSTS.TES == 0): DMA passes untranslated.
 *  - Caches that only the architected invalidations drop: a context cache
 *    (per source ID), a PASID cache (per source ID and PASID) and an IOTLB of
 *    leaf translations tagged with the domain ID (and the PASID for first-
 *    stage entries). With CAP.CM set, not-present and invalid entries are
 *    cached too (context and PASID entries tagged with domain 0, leaves with
 *    the domain that walked them), so a map or an attach that is not
 *    invalidated keeps faulting. Invalidations affect exactly their scope.
 *  - Invalidation: CCMD (global / domain / device with function mask) and
 *    IOTLB_REG (global / domain / page with IVA.AM, domain-selective when
 *    CAP.PSI is clear), the invalidation queue with 128- or 256-bit
 *    descriptors: context-cache, IOTLB, device-TLB and interrupt-entry (no-
 *    ops when the unit has them), wait (status write, fence, ICS.IWC),
 *    PASID-based IOTLB and PASID-cache invalidation. Unknown types, reserved
 *    bits, bad granularities, an address mask above CAP.MAMV, a misaligned or
 *    out-of-range tail, and PASID descriptors in a 128-bit queue raise
 *    FSTS.IQE (IQERCD.IQEI tells why); the queue then stops at the bad
 *    descriptor until software clears IQE. (The PASID-based IOTLB
 *    descriptor's mask is not bounded by CAP.MAMV.)
 *  - Fault recording: primary fault logging in the fault recording
 *    registers (F bit, FSTS.PPF / FRI / PFO), faults dropped while PFO is set
 *    or the next record is still full, optional compression (a fault equal
 *    to a pending record in source ID, reason, page and type is not
 *    recorded again), FPD honoured for qualified faults, the fault event
 *    (FECTL.IM / IP) counted as an interrupt.
 *
 * Fault reasons: legacy codes 0x01..0x0d as the specification numbers them.
 * Scalable-mode codes used by this model: 0x30 root table access, 0x31 bad
 * TTM, 0x38/0x39/0x3a root entry access / not present / reserved, 0x40/0x41/
 * 0x42/0x43 context entry access / not present / reserved / invalid,
 * 0x50/0x51/0x52 PASID directory, 0x58/0x59/0x5a/0x5b PASID table entry
 * (access / not present / reserved / invalid PGTT or AW), 0x70/0x71/0x72
 * first-stage entry access / not present / reserved, 0x78/0x79/0x7a
 * second-stage entry access / not present / reserved, 0x80 non-canonical
 * address, 0x81 user request to a supervisor page, 0x83 address beyond the
 * address width, 0x84 read without read permission, 0x85 write without write
 * permission.
 *
 *  - Interrupt remapping (vtd_model_ir.c): IRTA (table size, EIME), SIRTP
 *    latches it, IRE / CFI in GSTS; vtd_model_msi() takes one interrupt
 *    request (an MSI write: address, data, source ID) and either delivers
 *    it (the decoded interrupt: vector, destination, delivery, trigger) or
 *    blocks it with an interrupt-remapping fault recorded like a DMA fault
 *    (FI[63:48] = interrupt index): 0x20 reserved request bits, 0x21 index
 *    beyond the table, 0x22 entry not present, 0x23 table not readable,
 *    0x24 reserved entry bits (or posted format), 0x25 compatibility format
 *    blocked (CFIS clear, or EIME set), 0x26 source validation (SVT/SQ/SID)
 *    failed. Remapped-format entries only. An interrupt entry cache keeps
 *    present entries by index until an interrupt-entry-cache invalidation
 *    (global, or index-selective with IM) drops them, so an entry changed
 *    in memory without one keeps its old target; with CAP.CM not-present
 *    entries are cached too. IRE off: requests pass in compatibility format.
 *
 * Not modelled: posted interrupts, IRTE FPD, device TLBs and ATS, page
 * requests, nested translation, protected memory regions, advanced fault
 * logging, snoop and memory types, second-stage A/D, write buffers (WBF is
 * accepted and counted), paging-structure caches of intermediate entries.
 */
#ifndef VTD_MODEL_H
#define VTD_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model_dram.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- register offsets -------------------------------------------------- */
#define VTD_M_VER	0x000u
#define VTD_M_CAP	0x008u
#define VTD_M_ECAP	0x010u
#define VTD_M_GCMD	0x018u
#define VTD_M_GSTS	0x01cu
#define VTD_M_RTADDR	0x020u
#define VTD_M_CCMD	0x028u
#define VTD_M_FSTS	0x034u
#define VTD_M_FECTL	0x038u
#define VTD_M_FEDATA	0x03cu
#define VTD_M_FEADDR	0x040u
#define VTD_M_FEUADDR	0x044u
#define VTD_M_IQH	0x080u
#define VTD_M_IQT	0x088u
#define VTD_M_IQA	0x090u
#define VTD_M_ICS	0x09cu
#define VTD_M_IECTL	0x0a0u
#define VTD_M_IEDATA	0x0a4u
#define VTD_M_IEADDR	0x0a8u
#define VTD_M_IEUADDR	0x0acu
#define VTD_M_IQERCD	0x0b0u
#define VTD_M_IRTA	0x0b8u
#define VTD_M_MMIO_SIZE 0x1000u
/* IOTLB registers, relative to ECAP.IRO * 16 */
#define VTD_M_IVA_OFF	0x0u
#define VTD_M_IOTLB_OFF 0x8u

/* GCMD / GSTS */
#define VTD_M_GCMD_CFI	 (1u << 23)
#define VTD_M_GCMD_SIRTP (1u << 24)
#define VTD_M_GCMD_IRE	 (1u << 25)
#define VTD_M_GCMD_QIE	 (1u << 26)
#define VTD_M_GCMD_WBF	 (1u << 27)
#define VTD_M_GCMD_EAFL	 (1u << 28)
#define VTD_M_GCMD_SFL	 (1u << 29)
#define VTD_M_GCMD_SRTP	 (1u << 30)
#define VTD_M_GCMD_TE	 (1u << 31)
/* RTADDR.TTM */
#define VTD_M_TTM_LEGACY   0u
#define VTD_M_TTM_SCALABLE 1u
#define VTD_M_TTM_ABORT	   3u
/* CCMD */
#define VTD_M_CCMD_ICC	      (UINT64_C(1) << 63)
#define VTD_M_CCMD_CIRG_SHIFT 61
#define VTD_M_CCMD_CAIG_SHIFT 59
#define VTD_M_CCMD_FM_SHIFT   32
#define VTD_M_CCMD_SID_SHIFT  16
/* IOTLB_REG */
#define VTD_M_IOTLB_IVT	       (UINT64_C(1) << 63)
#define VTD_M_IOTLB_IIRG_SHIFT 60
#define VTD_M_IOTLB_IAIG_SHIFT 57
#define VTD_M_IOTLB_DID_SHIFT  32
/* granularities (CIRG/CAIG, IIRG/IAIG, descriptor G fields) */
#define VTD_M_G_GLOBAL 1u
#define VTD_M_G_DOMAIN 2u
#define VTD_M_G_DEVICE 3u /* context cache */
#define VTD_M_G_PAGE   3u /* IOTLB */
/* FSTS */
#define VTD_M_FSTS_PFO	     (1u << 0)
#define VTD_M_FSTS_PPF	     (1u << 1)
#define VTD_M_FSTS_IQE	     (1u << 4)
#define VTD_M_FSTS_ICE	     (1u << 5)
#define VTD_M_FSTS_ITE	     (1u << 6)
#define VTD_M_FSTS_FRI_SHIFT 8
/* FECTL / IECTL */
#define VTD_M_CTL_IM (1u << 31)
#define VTD_M_CTL_IP (1u << 30)
/* ICS */
#define VTD_M_ICS_IWC (1u << 0)
/* IQA */
#define VTD_M_IQA_DW (UINT64_C(1) << 11)
/* IQERCD.IQEI */
#define VTD_M_IQEI_NONE	      0u
#define VTD_M_IQEI_TAIL	      1u /* tail beyond the queue */
#define VTD_M_IQEI_FETCH      2u /* descriptor fetch failed */
#define VTD_M_IQEI_TYPE	      3u /* unknown or unsupported type */
#define VTD_M_IQEI_RSVD	      4u /* reserved field, granularity or mask */
#define VTD_M_IQEI_WIDTH      5u /* descriptor needs the 256-bit queue */
#define VTD_M_IQEI_TAIL_ALIGN 6u /* tail not 256-bit aligned in a 256-bit queue */

/* fault recording register, upper 64 bits */
#define VTD_M_FRCD_F	    (UINT64_C(1) << 63)
#define VTD_M_FRCD_T1	    (UINT64_C(1) << 62) /* 1: read, 0: write */
#define VTD_M_FRCD_PP	    (UINT64_C(1) << 31)
#define VTD_M_FRCD_FR_SHIFT 32

/* descriptor types */
#define VTD_M_DSC_CC	  1u
#define VTD_M_DSC_IOTLB	  2u
#define VTD_M_DSC_DEVTLB  3u
#define VTD_M_DSC_IEC	  4u
#define VTD_M_DSC_WAIT	  5u
#define VTD_M_DSC_PIOTLB  6u
#define VTD_M_DSC_PC	  7u
#define VTD_M_DSC_PDEVTLB 8u

/* fault reasons (see the file comment) */
#define VTD_M_FR_ROOT_NP	0x01u
#define VTD_M_FR_CTX_NP		0x02u
#define VTD_M_FR_CTX_INV	0x03u
#define VTD_M_FR_ADDR_BEYOND	0x04u
#define VTD_M_FR_WRITE		0x05u
#define VTD_M_FR_READ		0x06u
#define VTD_M_FR_PTE_ACCESS	0x07u
#define VTD_M_FR_ROOT_ACCESS	0x08u
#define VTD_M_FR_CTX_ACCESS	0x09u
#define VTD_M_FR_ROOT_RSVD	0x0au
#define VTD_M_FR_CTX_RSVD	0x0bu
#define VTD_M_FR_PTE_RSVD	0x0cu
#define VTD_M_FR_TT		0x0du
#define VTD_M_FR_IR_REQ_RSVD	0x20u
#define VTD_M_FR_IR_INDEX	0x21u
#define VTD_M_FR_IR_NP		0x22u
#define VTD_M_FR_IR_ROOT	0x23u
#define VTD_M_FR_IR_RSVD	0x24u
#define VTD_M_FR_IR_COMPAT	0x25u
#define VTD_M_FR_IR_SID		0x26u
#define VTD_M_FR_SM_RTA		0x30u
#define VTD_M_FR_SM_TTM		0x31u
#define VTD_M_FR_SM_ROOT_ACCESS 0x38u
#define VTD_M_FR_SM_ROOT_NP	0x39u
#define VTD_M_FR_SM_ROOT_RSVD	0x3au
#define VTD_M_FR_SM_CTX_ACCESS	0x40u
#define VTD_M_FR_SM_CTX_NP	0x41u
#define VTD_M_FR_SM_CTX_RSVD	0x42u
#define VTD_M_FR_SM_CTX_INV	0x43u
#define VTD_M_FR_SM_PD_ACCESS	0x50u
#define VTD_M_FR_SM_PD_NP	0x51u
#define VTD_M_FR_SM_PD_RSVD	0x52u
#define VTD_M_FR_SM_PT_ACCESS	0x58u
#define VTD_M_FR_SM_PT_NP	0x59u
#define VTD_M_FR_SM_PT_RSVD	0x5au
#define VTD_M_FR_SM_PT_INV	0x5bu
#define VTD_M_FR_SM_FS_ACCESS	0x70u
#define VTD_M_FR_SM_FS_NP	0x71u
#define VTD_M_FR_SM_FS_RSVD	0x72u
#define VTD_M_FR_SM_SS_ACCESS	0x78u
#define VTD_M_FR_SM_SS_NP	0x79u
#define VTD_M_FR_SM_SS_RSVD	0x7au
#define VTD_M_FR_SM_CANONICAL	0x80u
#define VTD_M_FR_SM_PRIV	0x81u
#define VTD_M_FR_SM_BEYOND	0x83u
#define VTD_M_FR_SM_READ	0x84u
#define VTD_M_FR_SM_WRITE	0x85u

/* ---- configuration ------------------------------------------------------ */

/** Physical memory access: 0 on success, anything else is an access error. */
typedef int (*vtd_model_read_mem_fn)(void *ctx, uint64_t pa, void *buf, size_t len);
typedef int (*vtd_model_write_mem_fn)(void *ctx, uint64_t pa, const void *buf, size_t len);

struct vtd_model_cfg {
	/* -- VER -- */
	unsigned ver_major, ver_minor;
	/* -- CAP -- */
	unsigned nd;	/**< CAP.ND encoding 0..6: 2^(4 + 2 * nd) domain IDs */
	unsigned sagaw; /**< CAP.SAGAW: bit 1 3-level, bit 2 4-level, bit 3 5-level */
	unsigned mgaw;	/**< widest input address in bits (CAP.MGAW + 1), 32..64 */
	unsigned sllps; /**< CAP.SLLPS: bit 0 2 MiB, bit 1 1 GiB */
	unsigned nfr;	/**< fault recording registers, 1..256 */
	unsigned fro;	/**< their byte offset, a multiple of 16 */
	unsigned mamv;	/**< CAP.MAMV: largest address mask */
	bool cm;	/**< CAP.CM caching mode */
	bool rwbf;	/**< CAP.RWBF */
	bool psi;	/**< CAP.PSI */
	bool fl1gp;	/**< CAP.FL1GP */
	bool fl5lp;	/**< CAP.FL5LP */
	bool zlr, plmr, phmr, afl;
	/* -- ECAP -- */
	bool c;	      /**< ECAP.C coherent walks */
	bool qi;      /**< ECAP.QI */
	bool dt;      /**< ECAP.DT */
	bool ir;      /**< ECAP.IR */
	bool eim;     /**< ECAP.EIM: extended interrupt mode (IRTA.EIME) */
	bool pt;      /**< ECAP.PT */
	bool sc;      /**< ECAP.SC */
	bool nest;    /**< ECAP.NEST (reported; nested PGTT is refused) */
	bool pasid;   /**< ECAP.PASID */
	unsigned pss; /**< ECAP.PSS */
	bool smts;    /**< ECAP.SMTS */
	bool slts;    /**< ECAP.SLTS */
	bool flts;    /**< ECAP.FLTS */
	bool rps;     /**< ECAP.RPS: RID_PASID may be non-zero */
	bool smpwc;   /**< ECAP.SMPWC: scalable-mode paging-structure walks snoop when the
		       *   PASID entry's PWSNP (bit 87) is set */
	unsigned iro; /**< byte offset of IVA/IOTLB, a multiple of 16 */

	/* -- behaviour -- */
	bool compress_faults;	 /**< drop a fault equal to a pending record */
	bool fl_set_ad;		 /**< first stage: set A (and D on writes) in entries */
	unsigned iotlb_capacity; /**< 0: VTD_MODEL_IOTLB_DEFAULT */
	/** Non-coherent walker: a walk that does not snoop (legacy or scalable root, context
	 * and PASID tables without ECAP.C; paging structures without ECAP.C in legacy mode,
	 * without ECAP.SMPWC and PWSNP in scalable mode) reads a "DRAM" copy of memory that
	 * only vtd_model_clean() updates (zeros where nothing was cleaned yet). */
	bool dram;

	/* -- test knobs; may be changed in m->cfg at any time -- */
	uint32_t gsts_stuck; /**< GCMD bits whose command never completes (GSTS does not follow) */
	bool ccmd_stuck;     /**< CCMD.ICC never clears, nothing is invalidated */
	bool iotlb_stuck;    /**< IOTLB_REG.IVT never clears, nothing is invalidated */
	bool wait_stuck;     /**< the queue stops at every wait descriptor (never executed) */
	bool qi_stuck;	     /**< the queue consumes nothing */
	/** The next descriptor the queue fetches is refused as reserved (FSTS.IQE, IQERCD.IQEI
	 * 4: reserved field) unexecuted, however it is formed; the knob clears itself then. */
	bool qi_fail_next;

	/* -- environment -- */
	vtd_model_read_mem_fn read_mem;
	vtd_model_write_mem_fn write_mem;
	void *mem_ctx;
};

#define VTD_MODEL_IOTLB_DEFAULT 4096
#define VTD_MODEL_CACHE_MAX	1024

/** A typical recent unit: VT-d 6.0, ND 16-bit domain IDs (nd 6), 3/4/5-level
 * SAGAW, 57-bit MGAW, 2 MiB and 1 GiB superpages, PSI with MAMV 9, 8 fault
 * records at 0x400, IOTLB registers at 0x500, ECAP C, QI, PT, SC, IR, DT,
 * PASID, SMTS, SLTS, FLTS, FL1GP, FL5LP; CM and RWBF clear; compression on,
 * A/D setting on. Memory: vtd_model_host_read/write (PA == VA). */
void vtd_model_cfg_default(struct vtd_model_cfg *cfg);

/** PA == VA accessors; addresses below 64 KiB are refused (access error). */
int vtd_model_host_read(void *ctx, uint64_t pa, void *buf, size_t len);
int vtd_model_host_write(void *ctx, uint64_t pa, const void *buf, size_t len);

/* ---- observation -------------------------------------------------------- */

struct vtd_model_stats {
	uint64_t reg_ccmd;			  /**< CCMD invalidations executed */
	uint64_t reg_iotlb;			  /**< IOTLB_REG invalidations executed */
	uint64_t qi_descs;			  /**< descriptors consumed from the queue */
	uint64_t cc_global, cc_domain, cc_device; /**< context-cache invalidations (both ways) */
	uint64_t iotlb_global, iotlb_domain, iotlb_page; /**< IOTLB invalidations (both ways) */
	uint64_t piotlb_pasid, piotlb_page;		 /**< PASID-based IOTLB invalidations */
	uint64_t pc_global, pc_domain, pc_pasid;	 /**< PASID-cache invalidations */
	uint64_t devtlb;	 /**< device-TLB invalidations (no-ops) */
	uint64_t iec;		 /**< interrupt-entry-cache invalidations (all) */
	uint64_t iec_global, iec_index; /**< ... global / index-selective */
	uint64_t sirtp;		 /**< interrupt remapping table pointer latches */
	uint64_t irq_ok;	 /**< interrupt requests delivered */
	uint64_t irq_blocked;	 /**< interrupt requests blocked (fault reason 0x20-0x26) */
	uint64_t irte_fetches, irte_hits; /**< interrupt entry cache */
	uint64_t waits;		 /**< wait descriptors executed */
	uint64_t wait_writes;	 /**< their status writes */
	uint64_t wait_irqs;	 /**< wait descriptors with IF (ICS.IWC set) */
	uint64_t wbf;		 /**< write-buffer flushes */
	uint64_t srtp;		 /**< root table pointer latches */
	uint64_t iqe;		 /**< invalidation queue errors raised */
	uint64_t faults;	 /**< faults recorded */
	uint64_t faults_dropped; /**< primary faults lost (PFO set or record full) */
	uint64_t faults_compressed;
	uint64_t faults_suppressed; /**< qualified faults not recorded because of FPD */
	uint64_t fault_irqs;	    /**< fault events delivered (FECTL.IM clear) */
	uint64_t ro_writes;	    /**< writes to read-only registers */
	uint64_t bad_accesses;	    /**< unaligned, wrong size or unknown offsets */
	uint64_t gcmd_multi;	    /**< GCMD writes changing more than one command */
	uint64_t te_off;	    /**< times translation was turned off (DMA untranslated) */
	uint64_t reg_inv_while_qi;  /**< CCMD / IOTLB writes while QIES is set (ignored) */
	uint64_t reg_inv_busy;	    /**< CCMD / IOTLB writes while the previous one is pending */
	uint64_t anomalies;	    /**< other oddities (address below mask alignment, ...) */
	uint64_t ctx_fetches, ctx_hits, pasid_fetches, pasid_hits;
	uint64_t iotlb_hits, iotlb_misses, iotlb_inserts, iotlb_evictions;
	uint64_t dma_ok, dma_faults;
};

#define VTD_MODEL_LOG 128
/** One invalidation the model executed (register or queue). */
struct vtd_model_inv {
	uint64_t seq;	/**< 1 for the first ever */
	bool queued;	/**< from the queue (else a register write) */
	unsigned type;	/**< VTD_M_DSC_* (registers: CC or IOTLB) */
	unsigned g;	/**< granularity as requested (PASID IOTLB: 2 PASID, 3 page) */
	uint32_t did;	/**< domain ID */
	uint32_t sid;	/**< source ID (device-selective context-cache) */
	unsigned fm;	/**< function mask */
	uint32_t pasid; /**< PASID (PASID-based descriptors) */
	uint64_t addr;	/**< page address (page-selective) */
	unsigned am;	/**< address mask */
	uint64_t
	    w[4]; /**< the raw descriptor (registers: the register value in w[0], IVA in w[1]) */
};

enum vtd_model_kind {
	VTD_MODEL_SL = 1, /**< second-stage (legacy or PGTT 010) */
	VTD_MODEL_FL = 2, /**< first-stage (PGTT 001) */
};

struct vtd_model_iotlb_entry {
	uint8_t kind;	   /**< enum vtd_model_kind */
	bool negative;	   /**< caching mode: a cached not-present leaf */
	bool r, w;	   /**< permissions granted */
	bool user;	   /**< first stage: U/S over all levels */
	uint8_t size_log2; /**< 12, 21 or 30 */
	uint16_t did;
	uint32_t pasid;
	uint64_t ia, oa;
	uint32_t fr; /**< negative: the fault reason */
};

/** A cached context (legacy context entry, or scalable context entry). */
struct vtd_model_ctx_entry {
	uint16_t sid;
	uint16_t did; /**< legacy DID, scalable: DID of the RID_PASID entry (0 if none) */
	bool negative;
	uint32_t fr; /**< negative: the fault */
	uint64_t w[4];
};

/** A cached PASID-table entry. */
struct vtd_model_pasid_entry {
	uint16_t sid;
	uint32_t pasid;
	uint16_t did;
	bool negative;
	uint32_t fr;
	uint64_t w[8];
};

/** A cached interrupt remapping table entry. */
struct vtd_model_irte_entry {
	uint32_t index;
	uint64_t w[2];
};

/** An interrupt as the unit delivered it. */
struct vtd_model_irq {
	uint8_t vector;
	uint8_t delivery; /**< delivery mode, 0 fixed, 1 lowest priority, 4 NMI ... */
	bool level;	  /**< trigger mode */
	bool logical;	  /**< destination mode */
	bool redirect;	  /**< redirection hint */
	bool remapped;	  /**< through an entry (else compatibility format passed through) */
	uint32_t dest;	  /**< APIC ID (8 bits unless EIME) */
	uint32_t index;	  /**< the entry, when remapped */
};

struct vtd_model_fault {
	uint32_t fr;	 /**< fault reason, 0 if the access translated */
	bool recorded;	 /**< written to a fault recording register */
	unsigned index;	 /**< the register it went to */
	uint64_t rec[2]; /**< the record as written */
};

/** Pages of memory the non-coherent walker can hold (cfg.dram), allocated by init. */
#define VTD_MODEL_DRAM_PAGES 4096

struct vtd_model {
	struct vtd_model_cfg cfg;

	uint32_t ver;
	uint64_t cap, ecap;
	uint32_t gcmd_last; /**< last value written to GCMD */
	uint32_t gsts;
	uint64_t rtaddr;     /**< as written */
	uint64_t rta_active; /**< latched by SRTP */
	unsigned ttm_active;
	uint64_t ccmd;
	uint32_t fsts;	     /**< PFO, IQE, ICE, ITE (PPF and FRI computed) */
	unsigned fri;	     /**< FSTS.FRI */
	unsigned fault_next; /**< next fault recording register */
	uint32_t fectl, fedata, feaddr, feuaddr;
	uint64_t frcd[256][2];
	uint64_t iva, iotlb_reg;
	uint64_t iqh, iqt, iqa;
	uint32_t ics, iectl, iedata, ieaddr, ieuaddr;
	uint64_t iqercd, irta;
	uint64_t irta_active; /**< latched by SIRTP */
	struct vtd_model_irte_entry *irte;
	size_t nirte;

	struct vtd_model_ctx_entry *ctx;
	size_t nctx;
	struct vtd_model_pasid_entry *pasid;
	size_t npasid;
	struct vtd_model_iotlb_entry *tlb;
	size_t ntlb, tlb_cap;

	struct vtd_model_stats stats;
	struct model_dram dram; /**< what the non-coherent walker sees (cfg.dram) */
	struct model_dram_page *dram_pages; /**< its storage: VTD_MODEL_DRAM_PAGES pages */
	struct vtd_model_fault last;
	struct vtd_model_inv log[VTD_MODEL_LOG];
	uint64_t log_seq;
	bool in_queue;
};

/* ---- lifetime ----------------------------------------------------------- */

/** The CPU cleaned [@pa, @pa + @len) to the point of coherency (a port's clean_tables):
 * the non-coherent walker (cfg.dram) now sees those bytes. */
void vtd_model_clean(struct vtd_model *m, uint64_t pa, size_t len);

/** Initialises a caller-allocated model: 0, or -1 for an inconsistent @cfg
 * (offsets outside the register page or overlapping, bad MGAW / NFR / ND,
 * no memory callbacks). */
int vtd_model_init(struct vtd_model *m, const struct vtd_model_cfg *cfg);
void vtd_model_fini(struct vtd_model *m);
/** Back to the reset state: registers, caches, statistics, log. */
void vtd_model_reset(struct vtd_model *m);

/* ---- MMIO --------------------------------------------------------------- */

/** @size is 4 or 8; @off within VTD_M_MMIO_SIZE. Unknown offsets read 0. */
uint64_t vtd_model_read(struct vtd_model *m, uint64_t off, unsigned size);
void vtd_model_write(struct vtd_model *m, uint64_t off, uint64_t val, unsigned size);
/** Consumes queued descriptors if possible (also done on every IQT write). */
void vtd_model_process(struct vtd_model *m);

/* ---- client traffic ----------------------------------------------------- */

/** One untranslated DMA request without PASID from @sid covering
 * [iova, iova + len) (len 0 counts as 1). Returns 0 and the output address
 * of @iova in *pa_out, or the fault reason (> 0) of the first page that did
 * not translate. The fault is recorded as the hardware would. */
int vtd_model_dma(struct vtd_model *m, uint16_t sid, uint64_t iova, uint64_t len, bool write,
		  uint64_t *pa_out);
/** The fault of the last vtd_model_dma() call (fr 0 if it translated). */
const struct vtd_model_fault *vtd_model_last_fault(const struct vtd_model *m);

/** One interrupt request (an MSI write of @data to @addr) from @sid. Returns 0
 * and the delivered interrupt in *@out, or the interrupt-remapping fault reason
 * (0x20-0x26), recorded as the hardware would. */
int vtd_model_msi(struct vtd_model *m, uint16_t sid, uint64_t addr, uint32_t data,
		  struct vtd_model_irq *out);
/** Whether the interrupt entry cache holds entry @index. */
bool vtd_model_irte_cached(const struct vtd_model *m, uint32_t index);

/* ---- inspection --------------------------------------------------------- */

/** The @back-th most recent invalidation (0: newest), or NULL. */
const struct vtd_model_inv *vtd_model_inv_log(const struct vtd_model *m, unsigned back);
size_t vtd_model_iotlb_count(const struct vtd_model *m);
bool vtd_model_ctx_cached(const struct vtd_model *m, uint16_t sid);
bool vtd_model_pasid_cached(const struct vtd_model *m, uint16_t sid, uint32_t pasid);
/** Drops every cached entry (not a hardware operation). */
void vtd_model_drop_caches(struct vtd_model *m);
/** Number of fault recording registers with F set. */
unsigned vtd_model_pending_faults(const struct vtd_model *m);

#ifdef __cplusplus
}
#endif

#endif /* VTD_MODEL_H */
