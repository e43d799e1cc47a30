/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rv_walker: an independent walker of RISC-V page tables as the RISC-V
 * IOMMU (v1.0) uses them: Sv39, Sv48 and Sv57 for first-stage translation
 * and Sv39x4, Sv48x4 and Sv57x4 for the G-stage.
 *
 * Written from the RISC-V privileged architecture ("Sv39: Page-Based
 * 39-bit Virtual-Memory System" with its "Virtual Address Translation
 * Process", Sv48, Sv57, and the hypervisor extension's "Guest Physical
 * Address Translation" for the x4 modes) and the RISC-V IOMMU
 * specification's use of them, not from iommuman's code: it includes no
 * iommuman header and shares no code with the library.
 *
 * Levels use the specification's numbering: i = LEVELS-1 at the root down
 * to i = 0, whose leaves are 4 KiB pages (i = 1: 2 MiB, 2: 1 GiB, 3:
 * 512 GiB, 4: 256 TiB).
 *
 * Every entry the walk reads is checked. V = 0 ends a translation (a page
 * fault: RW_UNMAPPED). The encodings the architecture reserves, which make
 * the hardware raise a page fault too, are reported as RW_BAD with the
 * reason, since a table builder must never produce them:
 *  - W set without R;
 *  - bits 60:54 set; N (bit 63) without Svnapot, PBMT (62:61) without
 *    Svpbmt or equal to 3; in a non-leaf entry N, PBMT, D, A or U set;
 *  - a non-leaf entry at level 0;
 *  - a superpage whose low PPN fields are not zero (misaligned);
 *  - with require_ad: A clear on a leaf, or D clear on a writable leaf
 *    (the hardware would fault or update them; a builder that presets
 *    them makes neither happen);
 *  - with require_u (G-stage): U clear on a leaf;
 *  - an output or table address at or above 2^pa_bits.
 * Input addresses: first stage, sign-extended from bit VA-1 (canonical) and
 * below 2^ias; G-stage, zero above bit VA+1 and below 2^ias. Others are
 * RW_UNMAPPED. rw_walk also checks that no table page is linked twice or
 * overlaps the root.
 */
#ifndef RV_WALKER_H
#define RV_WALKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Return values. */
enum rw_result {
	RW_OK = 0,       /**< Translated / walked without finding anything wrong. */
	RW_UNMAPPED = 1, /**< Page fault on an invalid entry, or the address is out of range. */
	RW_BAD = -1,     /**< A reserved encoding or another broken rule; see rw_walker::err. */
};

/** Which translation. */
enum rw_stage {
	RW_FIRST = 1, /**< First stage: Sv39, Sv48, Sv57. */
	RW_GSTAGE = 2, /**< G-stage: Sv39x4, Sv48x4, Sv57x4 (16 KiB root). */
};

/** Read the 64-bit little-endian word at @p pa; non-zero if nothing is there. */
typedef int (*rw_read_fn)(void *ctx, uint64_t pa, uint64_t *val);

/** How the IOMMU's iosatp / iohgatp and its capabilities are programmed. */
struct rw_config {
	enum rw_stage stage;
	unsigned levels;   /**< 3 (Sv39[x4]), 4 (Sv48[x4]) or 5 (Sv57[x4]). */
	unsigned ias;      /**< Device addresses lie below 2^ias (0: what the mode translates). */
	unsigned pa_bits;  /**< Output and table addresses lie below 2^pa_bits (32..56). */
	uint64_t root_pa;  /**< PPN of iosatp / iohgatp, as an address. */
	bool svnapot;      /**< N is not reserved (NAPOT leaves: not decoded, reported BAD). */
	bool svpbmt;       /**< PBMT is not reserved. */
	bool require_ad;   /**< Every leaf has A set, every writable leaf D. */
	bool require_u;    /**< Every leaf has U set (G-stage). */
	rw_read_fn read;
	void *ctx;
};

/** One leaf, decoded. */
struct rw_leaf {
	uint64_t iova;    /**< First input address of the leaf (sign-extended in the upper half). */
	uint64_t oa;      /**< Output address of iova (the leaf's first byte). */
	uint64_t size;    /**< Bytes the leaf maps. */
	uint64_t desc;    /**< The raw entry. */
	uint64_t desc_pa; /**< Where it was read. */
	unsigned level;   /**< i: 0 for 4 KiB pages. */
	bool r, w, x, u, g, a, d;
	unsigned pbmt;    /**< 0 = PMA. */
};

/** Walker state. */
struct rw_walker {
	struct rw_config cfg;
	unsigned va_bits;   /**< Bits the mode translates (39..57, x4: 41..59). */
	unsigned root_bits; /**< Index bits of the root (9, x4: 11). */
	char err[512];      /**< Why the last call returned RW_BAD. */
};

/** Bytes one entry maps at level @p i (0..4). */
uint64_t rw_level_size(unsigned i);

/** Validate the configuration and prepare @p w. RW_OK or RW_BAD. */
int rw_init(struct rw_walker *w, const struct rw_config *cfg);

/** Translate @p va: RW_OK with @p leaf filled, RW_UNMAPPED, or RW_BAD. */
int rw_translate(struct rw_walker *w, uint64_t va, struct rw_leaf *leaf);

/**
 * Follow non-leaf entries towards @p va: *level receives the level i of the
 * first entry that is not a valid non-leaf entry, *leaf whether it is a
 * valid leaf. RW_OK, RW_UNMAPPED (address out of range) or RW_BAD.
 */
int rw_descend(struct rw_walker *w, uint64_t va, unsigned *level, bool *leaf);

/** Called for each leaf in address order; non-zero stops the walk. */
typedef int (*rw_leaf_fn)(void *arg, const struct rw_leaf *leaf);
/** Called for each table (root first): its address, size in bytes and level i. */
typedef int (*rw_table_fn)(void *arg, uint64_t pa, uint64_t bytes, unsigned level);

/** Walk and check every table; RW_OK, RW_BAD or a callback's non-zero value. */
int rw_walk(struct rw_walker *w, rw_leaf_fn leaf_fn, rw_table_fn table_fn, void *arg);

#ifdef __cplusplus
}
#endif

#endif /* RV_WALKER_H */
