/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file config.h
 * @brief A board's containment policy as constant data, validated and
 *        applied by one call.
 * @ingroup config
 */
#ifndef IOMMUMAN_CONFIG_H
#define IOMMUMAN_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommu.h"
#include "pool.h"
#include "status.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup config Static configuration (board policy as data)
 * @{
 * A board describes once which IOMMU units it has, which bus masters sit
 * behind which stream IDs, what each of them may reach from the start and
 * which identity mappings firmware-owned devices need (struct iomm_board).
 * Firmware tables produce the same description (discovery.h).
 *
 * The integrator initialises each hardware unit with its backend's init
 * (backends need caller memory) and binds board unit @c i to the
 * initialised `struct iomm_unit *` in iomm_config_storage::units[i]. The
 * domains and devices the board needs come from caller arrays sized with
 * iomm_config_needs(); table pages from one pool.
 *
 * iomm_config_apply() validates the whole board before it touches anything
 * (iomm_config_validate() does only that) and names the first entry that
 * is wrong in a struct iomm_config_error. If a backend call fails midway,
 * everything already done is undone, so a failed apply changes nothing.
 *
 * Policies (fail closed): a device is ::IOMM_POLICY_BLOCKED unless it says
 * otherwise; ::IOMM_POLICY_BYPASS only where a device asks for it and its
 * unit has ::IOMM_CAP_BYPASS.
 */

/** Kinds of IOMMU unit a board names. */
enum iomm_cfg_unit_type {
	IOMM_UNIT_SMMUV3 = 1,   /**< Arm SMMUv3. */
	IOMM_UNIT_SMMUV2 = 2,   /**< Arm SMMUv1/v2, MMU-400/401/500. */
	IOMM_UNIT_VTD = 3,      /**< Intel VT-d remapping unit (DRHD). */
	IOMM_UNIT_PARAVIRT = 4, /**< virtio-iommu. */
	/** RISC-V IOMMU: a platform device (base, size) or a PCI function (base 0,
	 *  pci_rid: its registers are in BAR0, which firmware or the integrator assigns). */
	IOMM_UNIT_RISCV = 5,
};

/** @name Unit flags (iomm_cfg_unit::flags)
 * @{ */
/** Firmware says the unit's table walks are cache coherent (DT dma-coherent, IORT COHACC;
 *  discovery sets it). The library itself takes coherence from the port only
 *  (::IOMM_PORT_DMA_COHERENT, one rule: see port.h): initialise a unit without this flag
 *  with a port that lacks ::IOMM_PORT_DMA_COHERENT, so its tables are cleaned.
 *  iomm_config_validate() enforces that for the units firmware describes it for (SMMUv3,
 *  SMMUv2, a RISC-V IOMMU with a register base): one without the flag bound to a unit
 *  that walks coherently is refused. VT-d (ECAP.C), PCI-function and paravirtual units
 *  ignore it. */
#define IOMM_CFG_UNIT_COHERENT (1u << 0)
#define IOMM_CFG_UNIT_ALL_PCI (1u << 1)  /**< VT-d: covers every PCI device of its segment not
					      claimed by another unit (DRHD INCLUDE_PCI_ALL). */
#define IOMM_CFG_UNIT_ATS (1u << 2)      /**< Root ports behind the unit support ATS (ATSR, IORT). */
#define IOMM_CFG_UNIT_INTR_REMAP (1u << 3) /**< VT-d: the platform supports interrupt remapping
						(DMAR flags INTR_REMAP). */
#define IOMM_CFG_UNIT_X2APIC_OPT_OUT (1u << 4) /**< VT-d: firmware asks not to use x2APIC
						    destinations (DMAR flags X2APIC_OPT_OUT). */
/** @} */

/** Interrupts a unit entry can carry (events, errors, commands...). */
#define IOMM_CFG_UNIT_IRQS 4

/** @brief One IOMMU unit of a board. */
struct iomm_cfg_unit {
	enum iomm_cfg_unit_type type; /**< Required. */
	uint64_t base;                /**< Register base (physical); 0 only for a PCI function (paravirt, RISC-V). */
	uint64_t size;                /**< Bytes of the register frame; 0: unknown. */
	uint32_t flags;               /**< IOMM_CFG_UNIT_* bits. */
	uint16_t segment;             /**< PCI segment it serves (VT-d, IORT root complexes). */
	uint16_t nirqs;               /**< Interrupts in @c irqs. */
	uint32_t irqs[IOMM_CFG_UNIT_IRQS]; /**< Interrupt numbers as firmware gives them (GSIV, SPI). */
	uint32_t fw_ref;              /**< Firmware handle: DT phandle, IORT node offset, DRHD index. */
	uint32_t pci_rid;             /**< A PCI-function unit (base 0): its requester ID. */
	const char *name;             /**< For messages; may be NULL. */
};

/** What a device may do once the board is applied. */
enum iomm_cfg_policy {
	IOMM_POLICY_BLOCKED = 0,  /**< Every access aborts (the default). */
	IOMM_POLICY_CONFINED = 1, /**< Only the listed regions (plus matching reserved regions). */
	IOMM_POLICY_BYPASS = 2,   /**< Untranslated: only when the unit has ::IOMM_CAP_BYPASS. */
};

/** @brief One window a confined device may reach. */
struct iomm_cfg_region {
	uint64_t iova; /**< Address the device issues (page aligned). */
	uint64_t pa;   /**< Address it reaches (page aligned). */
	uint64_t size; /**< Bytes (a non-zero multiple of 4 KiB). */
	uint32_t prot; /**< IOMM_READ / IOMM_WRITE (at least one) and attribute bits. */
};

/** @brief One bus master of a board. */
struct iomm_cfg_device {
	const char *name;     /**< For messages; may be NULL. */
	uint32_t unit;        /**< Index of its unit in iomm_board::units. */
	struct iomm_devid id; /**< Stream/source IDs (IOMM_SID, IOMM_PCI with IOMM_ANY). */
	uint64_t mmio_base;   /**< Its own register window, if it has one (0: none). */
	uint64_t mmio_size;   /**< Bytes of that window. */
	enum iomm_cfg_policy policy;           /**< What it may do. */
	const struct iomm_cfg_region *regions; /**< ::IOMM_POLICY_CONFINED: its windows. */
	uint32_t nregions;                     /**< Entries in @c regions. */
};

/**
 * @brief An identity mapping that must stay (a VT-d RMRR, a DT
 *        reserved-memory region with an iommu-addresses property): every
 *        device of @c unit whose identity overlaps @c id keeps
 *        [@c base, @c base + @c size) mapped one to one, even when it is
 *        otherwise blocked.
 */
struct iomm_cfg_resv {
	uint32_t unit;        /**< Index of the unit in iomm_board::units. */
	struct iomm_devid id; /**< Devices it is for. */
	uint64_t base;        /**< First byte (page aligned). */
	uint64_t size;        /**< Bytes (a non-zero multiple of 4 KiB). */
	uint32_t prot;        /**< Permissions; 0: IOMM_READ | IOMM_WRITE. */
};

/** @brief A board's whole policy. All of it may live in read-only memory. */
struct iomm_board {
	const struct iomm_cfg_unit *units;     /**< Units. */
	uint32_t nunits;                       /**< Entries in @c units. */
	const struct iomm_cfg_device *devices; /**< Devices. */
	uint32_t ndevices;                     /**< Entries in @c devices. */
	const struct iomm_cfg_resv *resv;      /**< Reserved identity mappings. */
	uint32_t nresv;                        /**< Entries in @c resv. */
};

/** Which part of a board an error is about (iomm_config_error::kind). */
enum iomm_config_kind {
	IOMM_CFG_BOARD = 0,   /**< The board as a whole (index 0). */
	IOMM_CFG_UNIT = 1,    /**< iomm_board::units[index]. */
	IOMM_CFG_DEVICE = 2,  /**< iomm_board::devices[index]. */
	IOMM_CFG_REGION = 3,  /**< A region of iomm_board::devices[index] (see @c sub). */
	IOMM_CFG_RESV = 4,    /**< iomm_board::resv[index]. */
	IOMM_CFG_STORAGE = 5, /**< The caller's storage (index 0). */
};

/** @brief Where and why a board was refused. */
struct iomm_config_error {
	enum iomm_config_kind kind; /**< What is wrong. */
	uint32_t index;             /**< Its index. */
	uint32_t sub;               /**< For ::IOMM_CFG_REGION: the region's index. */
	int status;                 /**< The status the call returned. */
	const char *msg;            /**< Static, NUL-terminated reason. Never NULL after an error. */
};

/** @brief What applying a board needs from the caller (iomm_config_needs()). */
struct iomm_config_needs {
	uint32_t domains; /**< Entries of iomm_config_storage::domains. */
	uint32_t devices; /**< Entries of iomm_config_storage::devs (one per board device). */
	uint32_t tables;  /**< Domains that build local page tables (they draw on the pool). */
};

/** @brief Caller memory an applied board lives in. */
struct iomm_config_storage {
	struct iomm_unit *const *units; /**< units[i] is the initialised unit of board unit i. */
	uint32_t nunits;                /**< Entries in @c units (must equal iomm_board::nunits). */
	struct iomm_domain *domains;    /**< Domain objects. */
	uint32_t ndomains;              /**< Entries in @c domains. */
	struct iomm_dev *devs;          /**< Device objects, devs[i] for board device i. */
	uint32_t ndevs;                 /**< Entries in @c devs. */
	struct iomm_pool *pool;         /**< Table pages; may be NULL when no domain needs a table. */
};

/**
 * @brief Count what applying @p board needs: one bypass domain per unit
 *        with bypass devices, one domain per confined device and per
 *        blocked device that has reserved regions, one device object per
 *        board device.
 * @param board The board (not validated: counts what it says).
 * @param needs Receives the counts.
 * @retval IOMM_OK     Counted.
 * @retval IOMM_EINVAL NULL argument, or counts with NULL arrays.
 *
 * @par Context
 * Pure computation on the board description: no lock, no hook. Never sleeps;
 * any context.
 */
int iomm_config_needs(const struct iomm_board *board, struct iomm_config_needs *needs);

/**
 * @brief Check a board against the bound units and the storage without
 *        changing anything.
 *
 * Refused (with @p err naming the entry): unknown unit types, overlapping
 * unit register frames, devices naming unknown units, malformed or
 * overlapping identities on one unit, identities wider than the unit's
 * stream IDs, overlapping device MMIO windows, unknown policies, confined
 * devices without regions, regions on blocked or bypass devices, empty,
 * unaligned, wrapping or overlapping regions, permissions without read
 * or write or with unknown bits, bypass on a unit without
 * ::IOMM_CAP_BYPASS, confinement on a unit without S1/S2, reserved regions
 * that are malformed, name an unknown unit, match no device or overlap a
 * device's region or another reserved region of the same device, an SMMUv3,
 * SMMUv2 or platform RISC-V unit without ::IOMM_CFG_UNIT_COHERENT bound to a
 * unit that walks coherently (its port has ::IOMM_PORT_DMA_COHERENT: the
 * non-coherent description wins), and storage that is missing or too small.
 *
 * @param board The board.
 * @param st    The bound units and storage; NULL checks the board alone
 *              (no capability, stream-width or storage checks).
 * @param err   Optional: receives where and why on failure.
 * @retval IOMM_OK      The board can be applied.
 * @retval IOMM_EINVAL  NULL board, a malformed entry, or a unit firmware
 *                      calls non-coherent on a coherent port.
 * @retval IOMM_EBUSY   Two devices (or units, or MMIO windows) overlap.
 * @retval IOMM_ERANGE  An identity is wider than its unit's stream IDs.
 * @retval IOMM_ENOTSUP A policy the bound unit cannot enforce.
 * @retval IOMM_ENOSPC  Storage smaller than iomm_config_needs() says.
 *
 * @par Context
 * Checks the board description and storage only: no lock, no hook. Never
 * sleeps; any context.
 */
int iomm_config_validate(const struct iomm_board *board, const struct iomm_config_storage *st,
			 struct iomm_config_error *err);

/**
 * @brief Validate @p board, then apply it: create the domains, map every
 *        region and reserved region, make every device known and attach
 *        the confined and bypass ones. Blocked devices stay unattached
 *        (their streams abort).
 *
 * Domains are used in a fixed order: first one bypass domain for each unit
 * (in unit order) that has bypass devices, then one domain for each device
 * (in device order) that is confined or has reserved regions. Use
 * iomm_config_domain() to find a device's domain.
 *
 * @param board The board.
 * @param st    Bound units and storage.
 * @param err   Optional: receives where and why on failure.
 * @retval IOMM_OK Every device is as the board says.
 * @return Every code of iomm_config_validate() (nothing changed), or the
 *         error of the backend call that failed (domain creation, map,
 *         attach; @p err names the entry), after everything done before
 *         it was undone.
 *
 * @par Context
 * Takes no lock of its own (the caller serialises calls for one board); creates
 * domains, maps and attaches through iomm_domain_init(), iomm_map() and
 * iomm_attach() (the units' locks, pool pages, invalidation). May sleep only if
 * the ports' hooks can; meant for boot, not for interrupt handlers.
 */
int iomm_config_apply(const struct iomm_board *board, const struct iomm_config_storage *st,
		      struct iomm_config_error *err);

/**
 * @brief Undo iomm_config_apply(): detach every device and destroy every
 *        domain it created.
 * @param board The board that was applied.
 * @param st    The same storage.
 * @retval IOMM_OK     Undone; every device of the board is blocked again.
 * @retval IOMM_EINVAL NULL argument.
 * @return The first error of a detach or domain destroy (the rest is still
 *         attempted).
 *
 * @par Context
 * Takes no lock of its own; detaches and destroys through iomm_detach() and
 * iomm_domain_destroy() (the units' locks, invalidation, pages back to the
 * pools). May sleep only if the ports' hooks can; not meant for interrupt
 * handlers.
 */
int iomm_config_remove(const struct iomm_board *board, const struct iomm_config_storage *st);

/**
 * @brief The domain board device @p index was attached to by
 *        iomm_config_apply().
 * @param board The applied board.
 * @param st    Its storage.
 * @param index Board device index.
 * @return The domain, or NULL for a blocked device without reserved
 *         regions, an index out of range or NULL arguments.
 *
 * @par Context
 * Looks up storage only: no lock, no hook. Never sleeps; any context.
 */
struct iomm_domain *iomm_config_domain(const struct iomm_board *board,
				       const struct iomm_config_storage *st, uint32_t index);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* IOMMUMAN_CONFIG_H */
