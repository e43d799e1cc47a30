/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * x86_walker: an independent walker of Intel VT-d second-stage tables and of
 * x86-64 4/5-level paging structures as VT-d uses them for first-stage
 * translation.
 *
 * Written from the Intel VT-d specification (chapter 3, "DMA Remapping",
 * and section 9, "Translation Structure Formats": second-stage paging
 * entries, first-stage paging entries) and the x86-64 paging rules it
 * refers to, not from iommuman's code: it includes no iommuman header and
 * shares no code with the library.
 *
 * Levels are numbered 0..4 from a 5-level root: level 4 holds 4 KiB pages,
 * level 3 2 MiB and level 2 1 GiB pages; a 4-level table starts at level 1,
 * a 3-level (second stage only) at level 2.
 *
 * Modelled unit: second stage without memory-type support (ECAP.MTS = 0),
 * execute requests (ECAP.SLEE), transient mappings or hardware
 * accessed/dirty tracking; snoop control (ECAP.SC) as configured; first
 * stage with 4- or 5-level paging (PASID entry FLPM), execute-disable
 * allowed. Superpage support (CAP.SLLPS / CAP.FL1GP) as configured.
 *
 * Every entry the walker reads is checked:
 *  - present: second stage R or W set; first stage P set. Non-present
 *    entries end a translation (a fault, not an error).
 *  - reserved bits are zero: address bits at or above the host address
 *    width (haw) up to bit 51; the PS bit where no superpage can be (the
 *    top levels of the tree, and sizes the unit does not support); the low
 *    address bits of a superpage; second-stage X, EMT, IPAT and TM (not
 *    supported by the modelled unit), SNP without snoop control.
 *  - first stage, with require_ad: A set on every present entry, D set on
 *    every writable leaf (the library presets them so the hardware never
 *    writes them back).
 *  - input addresses: second stage, below 2^ias and the AGAW; first stage,
 *    canonical for the paging mode and below 2^ias.
 *  - (xw_walk) no table page is linked twice or lies inside the root.
 */
#ifndef X86_WALKER_H
#define X86_WALKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Return values. */
enum xw_result {
	XW_OK = 0,       /**< Translated / walked without finding anything wrong. */
	XW_UNMAPPED = 1, /**< Translation fault: not present, or the address is out of range. */
	XW_BAD = -1,     /**< The tables break an architectural rule; see xw_walker::err. */
};

/** The two table formats. */
enum xw_format {
	XW_VTD_SL = 1, /**< VT-d second-stage (second-level) paging entries. */
	XW_X86_FL = 2, /**< x86-64 paging entries (VT-d first stage). */
};

/** Read the 64-bit little-endian word at @p pa; non-zero if nothing is there. */
typedef int (*xw_read_fn)(void *ctx, uint64_t pa, uint64_t *val);

/** How the unit and the context / PASID entry are programmed. */
struct xw_config {
	enum xw_format format;
	/**
	 * Levels walked: second stage 3, 4 or 5 (the AW / AGAW of the context
	 * or PASID entry); first stage 4 or 5 (FLPM).
	 */
	unsigned levels;
	/** Addresses the device emits lie below 2^ias (0: the AGAW / paging mode width). */
	unsigned ias;
	/** Host address width: output and table addresses lie below 2^haw (32..52). */
	unsigned haw;
	/** Physical address of the root table (SLPTPTR / FLPTPTR). */
	uint64_t root_pa;
	/** Supported superpage sizes: bit 21 (2 MiB), bit 30 (1 GiB). */
	uint64_t large_pages;
	/** Second stage: the unit has snoop control (SNP is not reserved). */
	bool snoop_ctl;
	/** First stage: every present entry has A set, every writable leaf D. */
	bool require_ad;
	xw_read_fn read;
	void *ctx;
};

/** One leaf entry, decoded. */
struct xw_leaf {
	uint64_t iova;    /**< First input address the leaf maps (sign-extended if canonical high). */
	uint64_t oa;      /**< Output address of iova. */
	uint64_t size;    /**< 4 KiB, 2 MiB or 1 GiB. */
	uint64_t desc;    /**< The raw entry. */
	uint64_t desc_pa; /**< Where it was read. */
	unsigned level;   /**< 2, 3 or 4. */
	/* effective permissions along the path */
	bool r;           /**< Reads allowed (second stage: every R bit; first stage: always). */
	bool w;           /**< Writes allowed (every W / R/W bit on the path). */
	bool user;        /**< First stage: user (U/S set on every entry of the path). */
	/* leaf attributes */
	bool snp;         /**< Second stage: snoop. */
	bool pwt, pcd, pat; /**< First stage: memory type selectors. */
	bool a, d;        /**< First stage: accessed, dirty. */
	bool g;           /**< First stage: global. */
	bool xd;          /**< First stage: execute-disable. */
};

/** Walker state. */
struct xw_walker {
	struct xw_config cfg;
	unsigned start_level; /**< 5 - levels */
	unsigned va_bits;     /**< 12 + 9 * levels */
	char err[512];        /**< Why the last call returned XW_BAD. */
};

/** Bytes one entry maps at @p level (0..4), 0 for other levels. */
uint64_t xw_level_size(unsigned level);
/** Whether an entry at @p level may be a superpage (PS) in this configuration. */
bool xw_large_allowed(const struct xw_config *cfg, unsigned level);

/** Validate the configuration and prepare @p w. XW_OK or XW_BAD. */
int xw_init(struct xw_walker *w, const struct xw_config *cfg);

/**
 * Translate @p va. XW_OK with @p leaf filled (leaf->oa is the output address
 * of leaf->iova), XW_UNMAPPED, or XW_BAD.
 */
int xw_translate(struct xw_walker *w, uint64_t va, struct xw_leaf *leaf);

/**
 * Follow table entries towards @p va: *level receives the level of the
 * first entry that is not a table entry, *leaf whether it is a present
 * leaf. XW_OK, XW_UNMAPPED (out of range) or XW_BAD.
 */
int xw_descend(struct xw_walker *w, uint64_t va, unsigned *level, bool *leaf);

/** Called for each leaf in address order; non-zero stops the walk. */
typedef int (*xw_leaf_fn)(void *arg, const struct xw_leaf *leaf);
/** Called for each table (root first): its address, size in bytes and level. */
typedef int (*xw_table_fn)(void *arg, uint64_t pa, uint64_t bytes, unsigned level);

/**
 * Walk every table reachable from the root, checking every entry, and report
 * each leaf. XW_OK, XW_BAD, or the first non-zero value of a callback.
 */
int xw_walk(struct xw_walker *w, xw_leaf_fn leaf_fn, xw_table_fn table_fn, void *arg);

#ifdef __cplusplus
}
#endif

#endif /* X86_WALKER_H */
