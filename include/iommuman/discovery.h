/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file discovery.h
 * @brief Firmware data (ACPI IORT and DMAR, device trees) turned into the
 *        board description of config.h.
 * @ingroup discovery
 */
#ifndef IOMMUMAN_DISCOVERY_H
#define IOMMUMAN_DISCOVERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup discovery Discovery from firmware tables
 * @{
 * Parsers read firmware data the caller hands in (table bytes, a flattened
 * device tree) and append units, devices and reserved regions to caller
 * arrays (struct iomm_discovery); iomm_discovery_board() turns those into
 * a struct iomm_board for iomm_config_apply(). Every discovered device
 * starts ::IOMM_POLICY_BLOCKED (fail closed); the integrator grants access
 * with iomm_discovery_set_policy() (configuration overrides firmware).
 *
 * Every length, offset and count in the input is distrusted. A parser that
 * fails leaves the arrays' entries in use and their counts as they were (it
 * may have written the free slots past the counts: they hold nothing), and
 * says why in iomm_discovery::msg and where in iomm_discovery::offset.
 *
 * Names and the region lists the integrator attaches point into caller
 * memory: keep that memory (and the table bytes or blob, whose strings
 * the names point to) as long as the description is used.
 */

/** @brief Caller arrays a parser appends to, and its last error. */
struct iomm_discovery {
	struct iomm_cfg_unit *units;     /**< Unit entries. */
	uint32_t units_cap;              /**< Capacity of @c units. */
	uint32_t nunits;                 /**< Entries used. */
	struct iomm_cfg_device *devices; /**< Device entries. */
	uint32_t devices_cap;            /**< Capacity of @c devices. */
	uint32_t ndevices;               /**< Entries used. */
	struct iomm_cfg_resv *resv;      /**< Reserved-region entries. */
	uint32_t resv_cap;               /**< Capacity of @c resv. */
	uint32_t nresv;                  /**< Entries used. */
	const char *msg;    /**< Why the last parser call failed (static string), or NULL. */
	uint32_t offset;    /**< Byte offset in the input where it failed. */
};

/**
 * @brief Prepare a discovery result over caller arrays (all empty).
 * @param d          The result.
 * @param units      Unit array (may be NULL when @p units_cap is 0).
 * @param units_cap  Its capacity.
 * @param devices    Device array.
 * @param devices_cap Its capacity.
 * @param resv       Reserved-region array.
 * @param resv_cap   Its capacity.
 * @retval IOMM_OK     Ready.
 * @retval IOMM_EINVAL NULL @p d, or a capacity with a NULL array.
 *
 * @par Context
 * Works on caller-provided storage only: no lock, no port hook. Never sleeps;
 * any context, but not concurrently with other calls on @p d.
 */
int iomm_discovery_init(struct iomm_discovery *d, struct iomm_cfg_unit *units, uint32_t units_cap,
			struct iomm_cfg_device *devices, uint32_t devices_cap,
			struct iomm_cfg_resv *resv, uint32_t resv_cap);

/**
 * @brief Describe the discovered entries as a board (pointers into the
 *        arrays, no copy).
 * @param d     The result.
 * @param board Receives the board.
 * @retval IOMM_OK     Filled.
 * @retval IOMM_EINVAL NULL argument.
 *
 * @par Context
 * Works on caller-provided storage only: no lock, no port hook. Never sleeps;
 * any context, but not concurrently with other calls on @p d.
 */
int iomm_discovery_board(const struct iomm_discovery *d, struct iomm_board *board);

/**
 * @brief Override the policy firmware implied: every discovered device on
 *        the unit at register base @p unit_base (for a paravirtual unit
 *        without registers, its iomm_cfg_unit::fw_ref) whose identity lies
 *        inside @p id gets @p policy and @p regions.
 * @param d         The result.
 * @param unit_base Register base (or firmware reference) of the unit.
 * @param id        Identity to match (IOMM_SID with a mask, IOMM_PCI with
 *                  IOMM_ANY).
 * @param policy    New policy.
 * @param regions   Regions of a confined device (caller memory, kept).
 * @param nregions  Entries in @p regions.
 * @return The number of devices changed (> 0), or
 * @retval IOMM_EINVAL  NULL argument or malformed identity.
 * @retval IOMM_ENOENT  No discovered device matched.
 *
 * @par Context
 * Works on caller-provided storage only: no lock, no port hook. Never sleeps;
 * any context, but not concurrently with other calls on @p d.
 */
int iomm_discovery_set_policy(struct iomm_discovery *d, uint64_t unit_base,
			      const struct iomm_devid *id, enum iomm_cfg_policy policy,
			      const struct iomm_cfg_region *regions, uint32_t nregions);

/**
 * @brief Append a device the firmware did not list (e.g. behind a VT-d unit
 *        with ::IOMM_CFG_UNIT_ALL_PCI, whose devices no table names).
 * @param d   The result.
 * @param dev The entry, copied; its unit index refers to iomm_discovery::units.
 * @retval IOMM_OK     Appended.
 * @retval IOMM_EINVAL NULL argument or unknown unit index.
 * @retval IOMM_ENOSPC The device array is full.
 *
 * @par Context
 * Works on caller-provided storage only: no lock, no port hook. Never sleeps;
 * any context, but not concurrently with other calls on @p d.
 */
int iomm_discovery_add_device(struct iomm_discovery *d, const struct iomm_cfg_device *dev);

/* ---------------------------------------------------------------------- */
/** @name ACPI
 * Tables are byte arrays in caller memory (any alignment). Checksums are
 * verified; the header length must fit the bytes handed in.
 * @{ */

/** Offset of GITS_TRANSLATER, the MSI doorbell, from a GICv3 ITS's base:
 *  0x40 in its second 64 KiB frame (GICv3 architecture specification,
 *  GITS_TRANSLATER). */
#define IOMM_GITS_TRANSLATER 0x10040u
/** An ITS base must be 64 KiB aligned (its register frames are 64 KiB each):
 *  a base with any of these bits set is refused as damaged. */
#define IOMM_GITS_ALIGN_MASK 0xffffu

/** Bytes of the standard ACPI table header. */
#define IOMM_ACPI_HDR_SIZE 36u

/**
 * @brief Check an ACPI table: signature, length against @p len, checksum.
 * @param tbl  Table bytes.
 * @param len  Bytes available at @p tbl.
 * @param sig  Expected 4-character signature, or NULL for any.
 * @param tbl_len Optional: receives the length the header states.
 * @retval IOMM_OK     Valid.
 * @retval IOMM_EINVAL NULL table, shorter than a header, header length
 *                     beyond @p len or below the header, wrong signature.
 * @retval IOMM_EIO    Bad checksum.
 *
 * @par Context
 * Pure computation on the table bytes: no lock, no hook. Never sleeps; any
 * context.
 */
int iomm_acpi_table_check(const void *tbl, size_t len, const char *sig, uint32_t *tbl_len);

/**
 * @brief Parse an IORT: SMMUv3 and SMMUv1/v2 nodes become units; the ID
 *        mappings of root complex and named component nodes that reach an
 *        SMMU (through intermediate nodes, at most 8 levels deep) become
 *        devices with stream-ID identities (aligned power-of-two groups).
 *        Mappings ending at an ITS group (MSIs) are skipped.
 * @param d    Result to append to.
 * @param tbl  Table bytes.
 * @param len  Bytes available.
 * @retval IOMM_OK      Appended.
 * @retval IOMM_EINVAL  NULL argument, bad header, or a node, mapping or
 *                      reference out of bounds, malformed or cyclic
 *                      (iomm_discovery::msg says which).
 * @retval IOMM_EIO     Bad checksum.
 * @retval IOMM_ENOSPC  An array is full.
 *
 * @par Context
 * Parses the caller's copy of the table into @p d: no lock, no port hook. Never
 * sleeps; any context, but not concurrently with other calls on @p d.
 */
int iomm_acpi_parse_iort(struct iomm_discovery *d, const void *tbl, size_t len);

/**
 * @brief The GICv3 ITS and the DeviceID a PCI requester's MSIs reach, from
 *        an IORT: the root complex node of @p segment maps @p rid, through
 *        an SMMU node's ID mappings if there is one on the way (at most 8
 *        levels), to an ITS group node.
 *
 * Feed the ITS's doorbell (iomm_acpi_madt_its(), then
 * base + ::IOMM_GITS_TRANSLATER) to iomm_vm_cfg::doorbell.
 *
 * @param tbl     IORT bytes.
 * @param len     Bytes available.
 * @param segment PCI segment of the root complex.
 * @param rid     Requester ID (bus << 8 | device << 3 | function).
 * @param its_id  Receives the first GIC ITS identifier of the ITS group.
 * @param devid   Receives the DeviceID the ITS sees.
 * @retval IOMM_OK     Found.
 * @retval IOMM_EINVAL NULL argument, bad header, a node or reference out of
 *                     bounds, an empty ITS group, or a chain too deep.
 * @retval IOMM_EIO    Bad checksum.
 * @retval IOMM_ENOENT No root complex of @p segment maps @p rid to an ITS.
 *
 * @par Context
 * Pure computation on the table bytes: no lock, no hook. Never sleeps; any
 * context.
 */
int iomm_acpi_iort_msi(const void *tbl, size_t len, uint16_t segment, uint32_t rid,
		       uint32_t *its_id, uint32_t *devid);

/**
 * @brief The base address of the GICv3 ITS with identifier @p its_id, from
 *        the MADT's GIC ITS structures (type 0xF).
 * @param tbl    MADT bytes ("APIC").
 * @param len    Bytes available.
 * @param its_id GIC ITS identifier (from iomm_acpi_iort_msi()).
 * @param base   Receives the ITS's physical base address.
 * @retval IOMM_OK     Found.
 * @retval IOMM_EINVAL NULL argument, bad header, a structure out of bounds,
 *                     or the ITS's base is 0, not 64 KiB aligned
 *                     (::IOMM_GITS_ALIGN_MASK) or so high that its doorbell
 *                     would wrap.
 * @retval IOMM_EIO    Bad checksum.
 * @retval IOMM_ENOENT No such ITS.
 *
 * @par Context
 * Pure computation on the table bytes: no lock, no hook. Never sleeps; any
 * context.
 */
int iomm_acpi_madt_its(const void *tbl, size_t len, uint32_t its_id, uint64_t *base);

/**
 * @brief Optional PCI configuration access for DMAR device scopes whose
 *        path crosses bridges (the secondary bus number is read from the
 *        bridge) and bridge scopes (the subordinate bus range).
 */
struct iomm_acpi_pci {
	void *ctx; /**< Passed to @c read8. */
	/**
	 * Read one byte of configuration space. Returns the byte, or a
	 * negative value when the function is absent.
	 */
	int (*read8)(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off);
};

/**
 * @brief Parse a DMAR: each DRHD becomes a ::IOMM_UNIT_VTD unit (INCLUDE_PCI_ALL
 *        as ::IOMM_CFG_UNIT_ALL_PCI); its PCI endpoint and bridge scopes
 *        become devices (a bridge scope covers the bridge and, with @p pci,
 *        every bus from its secondary to its subordinate bus); each RMRR
 *        becomes reserved identity regions for the devices it names (added
 *        as devices of the unit that serves them if no scope listed them);
 *        an ATSR marks the units of its segment with ::IOMM_CFG_UNIT_ATS.
 *        The table's INTR_REMAP and X2APIC_OPT_OUT flags mark every unit
 *        with ::IOMM_CFG_UNIT_INTR_REMAP and ::IOMM_CFG_UNIT_X2APIC_OPT_OUT.
 *        IOAPIC, HPET and ACPI-namespace scopes are checked and skipped
 *        (iomm_acpi_dmar_irq_sources() reads the first two).
 * @param d    Result to append to.
 * @param tbl  Table bytes.
 * @param len  Bytes available.
 * @param pci  Optional configuration access (NULL: paths longer than one
 *             step are refused with ::IOMM_ENOTSUP and bridge scopes cover
 *             the bridge alone).
 * @retval IOMM_OK      Appended.
 * @retval IOMM_EINVAL  NULL argument, bad header, or a structure or scope
 *                      out of bounds or malformed.
 * @retval IOMM_EIO     Bad checksum.
 * @retval IOMM_ENOSPC  An array is full.
 * @retval IOMM_ENOTSUP A multi-step scope path without @p pci, or an RMRR
 *                      for a device no DRHD serves.
 * @retval IOMM_ENODEV  A bridge on a scope path did not answer.
 *
 * @par Context
 * Parses the caller's copy of the table into @p d: no lock, no port hook. Never
 * sleeps; any context, but not concurrently with other calls on @p d. Reads PCI
 * configuration space only through @p pci's read8, so it sleeps only if that
 * does.
 */
int iomm_acpi_parse_dmar(struct iomm_discovery *d, const void *tbl, size_t len,
			 const struct iomm_acpi_pci *pci);

/** Kinds of interrupt source a DMAR device scope names (iomm_irq_source::type). */
enum iomm_irq_source_type {
	IOMM_IRQ_SOURCE_IOAPIC = 3, /**< An I/O APIC (device scope type 3). */
	IOMM_IRQ_SOURCE_HPET = 4,   /**< An HPET block (device scope type 4). */
};

/**
 * @brief An interrupt source that is not a PCI function: the requester ID
 *        (source-id) its interrupt requests carry, which an interrupt entry
 *        made for it must validate.
 *
 * To remap its interrupts, make a device with @c id on the unit at
 * @c unit_base (iomm_dev_init()) and give it entries with iomm_irq_alloc();
 * the I/O APIC's redirection entries (or the HPET's MSI registers) then
 * carry the messages that call returns.
 */
struct iomm_irq_source {
	uint64_t unit_base;   /**< Register base of the DRHD whose scope lists it. */
	struct iomm_devid id; /**< Its source-id, as a PCI identity (segment, bus, device, function). */
	uint8_t type;         /**< An enum iomm_irq_source_type value. */
	uint8_t enum_id;      /**< Enumeration ID: the I/O APIC ID of the MADT, or the HPET number. */
};

/**
 * @brief The I/O APICs and HPETs the DRHDs of a DMAR list, with the
 *        source-ids their interrupt requests carry (VT-d 8.3.1, device scope
 *        types 3 and 4: the enumeration ID and the path to the function).
 * @param tbl   Table bytes.
 * @param len   Bytes available.
 * @param pci   Optional configuration access, for paths that cross bridges
 *              (as for iomm_acpi_parse_dmar()).
 * @param out   Receives up to @p cap sources, in table order (may be NULL
 *              when @p cap is 0).
 * @param cap   Entries of @p out.
 * @param count Receives the number of sources the table lists (also when
 *              that is more than @p cap).
 * @retval IOMM_OK      @p count sources written.
 * @retval IOMM_ENOSPC  The table lists more than @p cap: the first @p cap are
 *                      written, @p count says how many there are.
 * @retval IOMM_EINVAL  NULL argument, bad header, or a structure or scope out
 *                      of bounds or malformed.
 * @retval IOMM_EIO     Bad checksum.
 * @retval IOMM_ENOTSUP A multi-step scope path without @p pci.
 * @retval IOMM_ENODEV  A bridge on a scope path did not answer.
 *
 * @par Context
 * Pure computation on the table bytes: no lock, no port hook. Reads PCI
 * configuration space only through @p pci's read8, so it sleeps only if that
 * does.
 */
int iomm_acpi_dmar_irq_sources(const void *tbl, size_t len, const struct iomm_acpi_pci *pci,
			       struct iomm_irq_source *out, uint32_t cap, uint32_t *count);

/** @brief Physical memory access for the RSDP search and table walk. */
struct iomm_acpi_mem {
	void *ctx; /**< Passed to @c read. */
	/** Copy @p len bytes at physical address @p pa. Returns IOMM_OK or an error. */
	int (*read)(void *ctx, uint64_t pa, void *buf, size_t len);
};

/**
 * @brief Find the RSDP the BIOS way: the first KiB of the EBDA (segment at
 *        0x40e), then 0xe0000-0xfffff, on 16-byte boundaries, checksums
 *        verified (the extended one for revision 2 and later).
 * @param mem     Memory access.
 * @param rsdp_pa Receives the RSDP's address.
 * @retval IOMM_OK     Found.
 * @retval IOMM_EINVAL NULL argument.
 * @retval IOMM_ENOENT No valid RSDP.
 * @return Errors of @c mem->read.
 *
 * @par Context
 * Reads memory only through @p mem's read callback: no lock, no port hook.
 * Sleeps only if that callback does; meant for boot.
 */
int iomm_acpi_find_rsdp(const struct iomm_acpi_mem *mem, uint64_t *rsdp_pa);

/**
 * @brief Walk the XSDT (or the RSDT for revision 0) to the table with
 *        signature @p sig and copy it into @p buf.
 * @param mem     Memory access.
 * @param rsdp_pa Address of the RSDP.
 * @param sig     4-character signature, e.g. "DMAR".
 * @param buf     Receives the table.
 * @param cap     Bytes of @p buf.
 * @param len     Receives the table's length.
 * @param pa      Optional: receives the table's address.
 * @retval IOMM_OK      Copied and its checksum verified.
 * @retval IOMM_EINVAL  NULL argument or malformed RSDP/RSDT/XSDT.
 * @retval IOMM_EIO     A checksum is wrong.
 * @retval IOMM_ENOENT  No such table.
 * @retval IOMM_ENOSPC  The table is larger than @p cap (its length is in @p len).
 * @return Errors of @c mem->read.
 *
 * @par Context
 * Reads memory only through @p mem's read callback: no lock, no port hook.
 * Sleeps only if that callback does; meant for boot.
 */
int iomm_acpi_find_table(const struct iomm_acpi_mem *mem, uint64_t rsdp_pa, const char *sig,
			 void *buf, size_t cap, uint32_t *len, uint64_t *pa);
/** @} */

/* ---------------------------------------------------------------------- */
/** @name Device tree (component IOMM_DISCOVERY_FDT, needs libfdt)
 * @{ */

/**
 * @brief Parse a flattened device tree: SMMU nodes (`arm,smmu-v3`; `arm,smmu-v1`,
 *        `arm,smmu-v2`, `arm,mmu-400`, `arm,mmu-401`, `arm,mmu-500`) and
 *        `virtio,pci-iommu` nodes become units (`reg`, `interrupts`,
 *        `dma-coherent`, phandle as iomm_cfg_unit::fw_ref); `iommus`
 *        properties (with the target's `#iommu-cells`: stream ID, and a
 *        mask when there are two cells) and the `iommu-map` of PCI host
 *        bridges become devices; /reserved-memory children with `reg` and
 *        `iommu-addresses` naming a device become reserved identity
 *        regions for it.
 * @param d    Result to append to.
 * @param fdt  The blob.
 * @param len  Bytes available at @p fdt.
 * @retval IOMM_OK      Appended.
 * @retval IOMM_EINVAL  NULL argument, a damaged blob or a malformed
 *                      property (iomm_discovery::msg says which).
 * @retval IOMM_ENOSPC  An array is full.
 * @retval IOMM_ENOTSUP Built without IOMM_DISCOVERY_FDT.
 *
 * @par Context
 * Parses the caller's copy of the table into @p d: no lock, no port hook. Never
 * sleeps; any context, but not concurrently with other calls on @p d.
 */
int iomm_fdt_parse(struct iomm_discovery *d, const void *fdt, size_t len);

/**
 * @brief Translate a PCI requester ID through the `iommu-map` (and
 *        `iommu-map-mask`) of the first PCI host bridge that has one.
 * @param fdt  The blob.
 * @param len  Bytes available.
 * @param rid  Requester ID (bus << 8 | device << 3 | function).
 * @param iommu_phandle Receives the phandle of the IOMMU it maps to.
 * @param sid  Receives the stream (endpoint) ID.
 * @retval IOMM_OK      Mapped.
 * @retval IOMM_EINVAL  NULL argument, damaged blob or malformed map.
 * @retval IOMM_ENOENT  No host bridge maps @p rid.
 * @retval IOMM_ENOTSUP Built without IOMM_DISCOVERY_FDT.
 *
 * @par Context
 * Pure computation on the device tree blob: no lock, no hook. Never sleeps; any
 * context.
 */
int iomm_fdt_map_rid(const void *fdt, size_t len, uint32_t rid, uint32_t *iommu_phandle,
		     uint32_t *sid);

/**
 * @brief Translate a PCI requester ID through the `msi-map` (and
 *        `msi-map-mask`) of the first PCI host bridge that has one: the MSI
 *        controller it reaches and the DeviceID it sees.
 * @param fdt  The blob.
 * @param len  Bytes available.
 * @param rid  Requester ID (bus << 8 | device << 3 | function).
 * @param msi_phandle Receives the phandle of the MSI controller (an ITS).
 * @param devid Receives the DeviceID.
 * @retval IOMM_OK      Mapped.
 * @retval IOMM_EINVAL  NULL argument, damaged blob or malformed map.
 * @retval IOMM_ENOENT  No host bridge maps @p rid.
 * @retval IOMM_ENOTSUP Built without IOMM_DISCOVERY_FDT.
 *
 * @par Context
 * Pure computation on the device tree blob: no lock, no hook. Never sleeps; any
 * context.
 */
int iomm_fdt_map_msi(const void *fdt, size_t len, uint32_t rid, uint32_t *msi_phandle,
		     uint32_t *devid);

/**
 * @brief The `msi-parent` of the node at @p path: the MSI controller and,
 *        when it has `#msi-cells` = 1, the DeviceID (0 otherwise).
 * @param fdt  The blob.
 * @param len  Bytes available.
 * @param path Node path, e.g. "/soc/ethernet@1000".
 * @param msi_phandle Receives the controller's phandle.
 * @param devid Receives the DeviceID.
 * @retval IOMM_OK      Found.
 * @retval IOMM_EINVAL  NULL argument, damaged blob, or a malformed
 *                      `msi-parent` or `#msi-cells`.
 * @retval IOMM_ENOENT  No such node, or it has no `msi-parent`.
 * @retval IOMM_ENOTSUP Built without IOMM_DISCOVERY_FDT.
 *
 * @par Context
 * Pure computation on the device tree blob: no lock, no hook. Never sleeps; any
 * context.
 */
int iomm_fdt_msi_parent(const void *fdt, size_t len, const char *path, uint32_t *msi_phandle,
			uint32_t *devid);

/**
 * @brief The MSI doorbell of the controller with phandle @p msi_phandle: for
 *        a GICv3 ITS (`arm,gic-v3-its`), the address of GITS_TRANSLATER
 *        (its `reg` base + ::IOMM_GITS_TRANSLATER), for iomm_vm_cfg::doorbell.
 * @param fdt  The blob.
 * @param len  Bytes available.
 * @param msi_phandle The controller.
 * @param doorbell Receives the doorbell's physical address.
 * @retval IOMM_OK      Found.
 * @retval IOMM_EINVAL  NULL argument, damaged blob, or no usable `reg` (none,
 *                      base 0 or not 64 KiB aligned, a size too small to
 *                      hold GITS_TRANSLATER, or a doorbell that would wrap).
 * @retval IOMM_ENOENT  No node has that phandle.
 * @retval IOMM_ENOTSUP Not a GICv3 ITS (a GICv2m frame carries no DeviceID:
 *                      see the SMMU pages), or built without IOMM_DISCOVERY_FDT.
 *
 * @par Context
 * Pure computation on the device tree blob: no lock, no hook. Never sleeps; any
 * context.
 */
int iomm_fdt_msi_doorbell(const void *fdt, size_t len, uint32_t msi_phandle, uint64_t *doorbell);
/** @} */

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* IOMMUMAN_DISCOVERY_H */
