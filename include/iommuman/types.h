/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file types.h
 * @brief Addresses, permissions and memory attributes shared by every component.
 * @ingroup core
 */
#ifndef IOMMUMAN_TYPES_H
#define IOMMUMAN_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @addtogroup core
 * @{
 */

/*
 * Addresses: every physical address and I/O virtual address in the API is a
 * uint64_t, on every target, including 32-bit hosts that drive an IOMMU with
 * a wider address space.
 */

/**
 * @name Permissions and attributes (the prot argument of map calls)
 * Bits 0-3 are access permissions; bits 4-7 select memory type and
 * shareability. A mapping with neither ::IOMM_READ nor ::IOMM_WRITE is
 * rejected with ::IOMM_EINVAL.
 * @{
 */
#define IOMM_READ (1u << 0)  /**< The device may read. */
#define IOMM_WRITE (1u << 1) /**< The device may write. */
#define IOMM_EXEC (1u << 2)  /**< The device may fetch instructions (otherwise execute-never). */
#define IOMM_PRIV (1u << 3)  /**< Stage 1: privileged accesses only (otherwise unprivileged too). */

#define IOMM_MEM_SHIFT 4u /**< Position of the memory-type field in @c prot. */
#define IOMM_MEM_MASK (3u << IOMM_MEM_SHIFT) /**< The memory-type field of @c prot. */
#define IOMM_MEM_WB (0u << IOMM_MEM_SHIFT)     /**< Normal memory, write-back cacheable (default). */
#define IOMM_MEM_NC (1u << IOMM_MEM_SHIFT)     /**< Normal memory, non-cacheable. */
#define IOMM_MEM_DEVICE (2u << IOMM_MEM_SHIFT) /**< Device memory (nGnRE): MSI doorbells, peer MMIO. */

#define IOMM_SH_SHIFT 6u /**< Position of the shareability field in @c prot. */
#define IOMM_SH_MASK (3u << IOMM_SH_SHIFT) /**< The shareability field of @c prot. */
#define IOMM_SH_DEFAULT (0u << IOMM_SH_SHIFT) /**< Inner shareable for write-back, outer otherwise. */
#define IOMM_SH_NONE (1u << IOMM_SH_SHIFT)    /**< Non-shareable. */
#define IOMM_SH_OUTER (2u << IOMM_SH_SHIFT)   /**< Outer shareable. */
#define IOMM_SH_INNER (3u << IOMM_SH_SHIFT)   /**< Inner shareable. */

/** Every bit a @c prot argument may carry. */
#define IOMM_PROT_ALL (0xffu)
/** The access-permission bits of @c prot. */
#define IOMM_PROT_ACCESS (IOMM_READ | IOMM_WRITE | IOMM_EXEC | IOMM_PRIV)
/** @} */

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* IOMMUMAN_TYPES_H */
