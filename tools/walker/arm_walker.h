/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * arm_walker: an independent walker of Arm VMSAv8-64 translation tables.
 *
 * Written from the architecture's descriptor rules (Arm ARM chapter D8,
 * "The AArch64 Virtual Memory System Architecture", and the SMMU's use of
 * the same formats), not from iommuman's code: it includes no iommuman
 * header and shares no code with the library. The tests use it to check
 * what the hardware would see in the tables the library builds.
 *
 * Scope: 4K, 16K and 64K granules; stage 1 and stage 2; input sizes up to
 * 48 bits (52 with the 64K granule, FEAT_LVA); output sizes 32..48 bits
 * (52 with the 64K granule, FEAT_LPA). FEAT_LPA2, FEAT_D128, FEAT_TTST,
 * hardware dirty state and permission indirection are not modelled: bits
 * they would give meaning to are treated as reserved.
 *
 * Every descriptor the walker reads is checked:
 *  - bits[1:0]: 0bx0 invalid (a translation fault, not an error); 0b01 at
 *    level 3 reserved (error); 0b01 at levels 0-2 a block, allowed only at
 *    the levels the granule permits (4K: 1 and 2; 16K: 2; 64K: 2, and 1
 *    with a 52-bit output size); 0b11 a table (levels 0-2) or a page (3).
 *  - reserved (RES0) bits are zero, output and table addresses fit the
 *    output size, the access flag is set on every leaf, SH is not the
 *    reserved 0b01, memory attributes are not reserved encodings.
 *  - contiguous groups (aw_walk only, and for the translated entry in
 *    aw_translate): if any leaf of an aligned group of N entries carries
 *    the contiguous bit, all N are leaves with the bit, identical
 *    attributes, consecutive output addresses, the first aligned to the
 *    group size.
 *  - (aw_walk) no table page is linked twice.
 */
#ifndef ARM_WALKER_H
#define ARM_WALKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Return values. */
enum aw_result {
	AW_OK = 0,        /**< Translated / walked without finding anything wrong. */
	AW_UNMAPPED = 1,  /**< Translation fault: an invalid entry, or beyond the input size. */
	AW_BAD = -1,      /**< The tables break an architectural rule; see aw_walker::err. */
};

/** Memory type after decoding AttrIndx through MAIR (stage 1) or MemAttr (stage 2). */
enum aw_mem {
	AW_MEM_DEVICE = 0,   /**< Device memory, type in aw_leaf::devtype. */
	AW_MEM_WB = 1,       /**< Normal, inner and outer write-back. */
	AW_MEM_NC = 2,       /**< Normal, inner and outer non-cacheable. */
	AW_MEM_OTHER = 3,    /**< Normal, any other mix (write-through, mixed). */
};

/** Device memory types (aw_leaf::devtype). */
enum aw_devtype { AW_DEV_nGnRnE = 0, AW_DEV_nGnRE = 1, AW_DEV_nGRE = 2, AW_DEV_GRE = 3 };

/**
 * Read the 64-bit little-endian word at physical address @p pa into @p *val.
 * Return 0 on success, non-zero if nothing is at that address (the walker
 * reports an error: the table points outside table memory).
 */
typedef int (*aw_read_fn)(void *ctx, uint64_t pa, uint64_t *val);

/** How the hardware is programmed. */
struct aw_config {
	unsigned granule;   /**< 4096, 16384 or 65536 (TG0). */
	unsigned ias;       /**< Input address size: 64 - T0SZ. */
	unsigned oas;       /**< Output address size (IPS / PS). */
	unsigned stage;     /**< 1 or 2. */
	uint64_t root_pa;   /**< TTBR / VTTBR base address. */
	uint64_t mair;      /**< Stage 1: MAIR value. */
	/** Stage 2: VTCR.SL0 as programmed. */
	unsigned sl0;
	/** Stage 2: claimed start level and number of concatenated root
	 *  tables; both are checked against SL0 and T0SZ. Stage 1: if
	 *  start_level_valid, the claimed start level is checked too. */
	unsigned start_level;
	unsigned concat;
	bool start_level_valid;
	/** Implemented physical address range (PAMax) used by the SL0
	 *  validity rules; 0 = the same as oas. */
	unsigned pa_range;
	/** Stage 2: decode XN[1:0] (bits 54:53, FEAT_XNX). Otherwise bit 53 is
	 *  RES0 and bit 54 is XN. */
	bool s2_xnx;
	aw_read_fn read;
	void *ctx;
};

/** One leaf entry, decoded. */
struct aw_leaf {
	uint64_t iova;      /**< First input address the leaf maps. */
	uint64_t oa;        /**< Output address of iova. */
	uint64_t size;      /**< Bytes the entry maps (page or block). */
	uint64_t desc;      /**< The raw descriptor. */
	uint64_t desc_pa;   /**< Where it was read. */
	unsigned level;     /**< Lookup level. */
	bool contig;        /**< Contiguous bit (52). */
	bool af;            /**< Access flag (10). */
	unsigned sh;        /**< SH[1:0] (9:8): 0 non-, 2 outer, 3 inner shareable. */
	/* stage 1 */
	unsigned ap;        /**< AP[2:1] (7:6). */
	bool uxn, pxn;      /**< 54, 53. */
	bool ng;            /**< nG (11). */
	bool ns;            /**< NS (5). */
	unsigned attrindx;  /**< AttrIndx (4:2). */
	unsigned mair_attr; /**< The MAIR byte AttrIndx selects. */
	/* hierarchical attributes collected from table descriptors (stage 1) */
	bool t_ro, t_noel0, t_uxn, t_pxn, t_ns;
	/* stage 2 */
	unsigned s2ap;      /**< S2AP (7:6): bit 6 read, bit 7 write. */
	unsigned xn;        /**< XN[1:0] (54:53). */
	unsigned memattr;   /**< MemAttr[3:0] (5:2). */
	/* decoded memory type */
	enum aw_mem mem;
	enum aw_devtype devtype;
	/* effective permissions (stage 2: priv == user for read/write). The
	 * implicit PXN of EL0-writable regions is not applied. */
	bool pr, pw, px;    /**< privileged read / write / execute */
	bool ur, uw, ux;    /**< unprivileged (EL0) read / write / execute */
};

/** Walker state. */
struct aw_walker {
	struct aw_config cfg;
	unsigned gshift;        /**< log2(granule) */
	unsigned stride;        /**< index bits per full table */
	unsigned start_level;   /**< computed */
	unsigned root_bits;     /**< index bits of the (concatenated) root */
	unsigned root_pages;    /**< pages of the root */
	bool lpa;               /**< 64K granule with a 52-bit output size */
	char err[512];          /**< Why the last call returned AW_BAD. */
};

/* ---- architecture rules (pure) -------------------------------------------- */

/** log2 of @p granule, or 0 if it is not 4K/16K/64K. */
unsigned aw_granule_shift(unsigned granule);
/** Bytes one entry maps at @p level (0..3), 0 if none. */
uint64_t aw_level_size(unsigned granule, unsigned level);
/** Whether a block descriptor is allowed at @p level. */
bool aw_block_allowed(unsigned granule, unsigned level, unsigned oas);
/** Entries in a contiguous group at @p level (0 if the level has none). */
unsigned aw_contig_entries(unsigned granule, unsigned level);
/** Stage 1 start level for @p ias, or -1 if the size is not valid. */
int aw_s1_start_level(unsigned granule, unsigned ias);
/** TCR.TG0 encoding of @p granule (0 = 4K, 1 = 64K, 2 = 16K), -1 if invalid. */
int aw_tg0(unsigned granule);
/** IPS/PS encoding of an output size, -1 if it has none. */
int aw_ps(unsigned oas);
/** Stage 2 start level SL0 encodes for the granule, or -1 (reserved / not modelled). */
int aw_s2_sl0_level(unsigned granule, unsigned sl0);
/**
 * Check a stage-2 root configuration: SL0 valid for the granule and PA
 * range, T0SZ (= 64 - ias) consistent with the start level (at least one
 * bit resolved at the start level, at most a full table plus 16
 * concatenated tables), and return the start level and number of root
 * tables. Returns AW_OK or AW_BAD (reason in @p err).
 */
int aw_s2_check(unsigned granule, unsigned ias, unsigned sl0, unsigned pa_range,
		unsigned *start_level, unsigned *concat, char *err, size_t errlen);
/** Decode a MAIR attribute byte. Returns 0, or -1 for reserved/unpredictable encodings. */
int aw_decode_mair_attr(unsigned attr, enum aw_mem *mem, enum aw_devtype *dev);
/** Decode a stage-2 MemAttr[3:0] value (no FEAT_S2FWB). Returns 0 or -1. */
int aw_decode_s2_memattr(unsigned memattr, enum aw_mem *mem, enum aw_devtype *dev);

/* ---- walking -------------------------------------------------------------- */

/** Validate the configuration and prepare @p w. AW_OK or AW_BAD. */
int aw_init(struct aw_walker *w, const struct aw_config *cfg);

/**
 * Translate @p va. AW_OK with @p leaf filled (leaf->oa is the output
 * address of the leaf's first byte; add va - leaf->iova for @p va's),
 * AW_UNMAPPED, or AW_BAD.
 */
int aw_translate(struct aw_walker *w, uint64_t va, struct aw_leaf *leaf);

/**
 * Follow table descriptors from the root towards @p va. *level receives the
 * level of the first entry that is not a table descriptor, *leaf whether that
 * entry is a valid leaf (otherwise it is invalid). Descriptors on the way are
 * checked as in aw_translate. AW_OK, AW_UNMAPPED (beyond ias) or AW_BAD.
 */
int aw_descend(struct aw_walker *w, uint64_t va, unsigned *level, bool *leaf);

/** Called for each leaf in address order; non-zero stops the walk. */
typedef int (*aw_leaf_fn)(void *arg, const struct aw_leaf *leaf);
/** Called for each table (root first): its address, size in bytes and level. */
typedef int (*aw_table_fn)(void *arg, uint64_t pa, uint64_t bytes, unsigned level);

/**
 * Walk every table reachable from the root, checking every entry, and report
 * each leaf. Returns AW_OK, AW_BAD, or the first non-zero value of a
 * callback (callbacks should return positive values).
 */
int aw_walk(struct aw_walker *w, aw_leaf_fn leaf_fn, aw_table_fn table_fn, void *arg);

#ifdef __cplusplus
}
#endif

#endif /* ARM_WALKER_H */
