/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file virtio_iommu.h
 * @brief The virtio-iommu wire format (virtio specification, "IOMMU device").
 * @ingroup virtio_iommu
 *
 * Requests, replies, probe properties and fault events as byte offsets and
 * sizes in little-endian buffers: the library never overlays a C struct on
 * guest memory. Shared by the host-side device model and the guest-side
 * paravirtual backend, as are the status mapping between the two and the
 * hooks of a device model reached in-process (struct iomm_viommu_loopback_dev).
 */
#ifndef IOMMUMAN_VIRTIO_IOMMU_H
#define IOMMUMAN_VIRTIO_IOMMU_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup virtio_iommu virtio-iommu wire format
 * @{
 */

/** @name Feature bits
 * @{ */
#define IOMM_VIOMMU_F_INPUT_RANGE 0u   /**< input_range in config is valid. */
#define IOMM_VIOMMU_F_DOMAIN_RANGE 1u  /**< domain_range in config is valid. */
#define IOMM_VIOMMU_F_MAP_UNMAP 2u     /**< MAP and UNMAP requests are available. */
#define IOMM_VIOMMU_F_BYPASS 3u        /**< Legacy: endpoints not attached bypass. */
#define IOMM_VIOMMU_F_PROBE 4u         /**< PROBE requests are available. */
#define IOMM_VIOMMU_F_MMIO 5u          /**< The MMIO map flag is available. */
#define IOMM_VIOMMU_F_BYPASS_CONFIG 6u /**< config.bypass and ATTACH's bypass flag. */
#define IOMM_VIOMMU_F_VERSION_1 32u    /**< virtio 1.x device. */
/** @} */

/** @name Device configuration layout (offsets in bytes)
 * @{ */
#define IOMM_VIOMMU_CFG_PAGE_SIZE_MASK 0u /**< le64 */
#define IOMM_VIOMMU_CFG_INPUT_START 8u    /**< le64 */
#define IOMM_VIOMMU_CFG_INPUT_END 16u     /**< le64, inclusive */
#define IOMM_VIOMMU_CFG_DOMAIN_START 24u  /**< le32 */
#define IOMM_VIOMMU_CFG_DOMAIN_END 28u    /**< le32, inclusive */
#define IOMM_VIOMMU_CFG_PROBE_SIZE 32u    /**< le32 */
#define IOMM_VIOMMU_CFG_BYPASS 36u        /**< u8 */
#define IOMM_VIOMMU_CFG_SIZE 40u          /**< Bytes of the configuration. */
/** @} */

/** @name Request types (byte 0 of every request)
 * @{ */
#define IOMM_VIOMMU_T_ATTACH 1u /**< Attach an endpoint to a domain. */
#define IOMM_VIOMMU_T_DETACH 2u /**< Detach an endpoint from a domain. */
#define IOMM_VIOMMU_T_MAP 3u    /**< Map a range in a domain. */
#define IOMM_VIOMMU_T_UNMAP 4u  /**< Unmap the mappings inside a range. */
#define IOMM_VIOMMU_T_PROBE 5u  /**< Ask for an endpoint's properties. */
/** @} */

/** @name Status codes (byte 0 of the 4-byte tail of every request)
 * @{ */
#define IOMM_VIOMMU_S_OK 0u     /**< Success. */
#define IOMM_VIOMMU_S_IOERR 1u  /**< Virtio communication error. */
#define IOMM_VIOMMU_S_UNSUPP 2u /**< Unsupported request. */
#define IOMM_VIOMMU_S_DEVERR 3u /**< Internal device error. */
#define IOMM_VIOMMU_S_INVAL 4u  /**< Invalid parameters. */
#define IOMM_VIOMMU_S_RANGE 5u  /**< Out-of-range parameters. */
#define IOMM_VIOMMU_S_NOENT 6u  /**< Entry not found. */
#define IOMM_VIOMMU_S_FAULT 7u  /**< Bad address. */
#define IOMM_VIOMMU_S_NOMEM 8u  /**< Insufficient resources. */
/** @} */

/** @name Request layouts
 * Every request starts with a 4-byte head (type, 3 reserved bytes) and is
 * followed by a 4-byte tail the device writes (status, 3 reserved bytes).
 * Offsets are from the start of the request; sizes include head and tail.
 * @{ */
#define IOMM_VIOMMU_HEAD_SIZE 4u /**< Head: type + reserved. */
#define IOMM_VIOMMU_TAIL_SIZE 4u /**< Tail: status + reserved. */

#define IOMM_VIOMMU_ATTACH_DOMAIN 4u   /**< le32 */
#define IOMM_VIOMMU_ATTACH_ENDPOINT 8u /**< le32 */
#define IOMM_VIOMMU_ATTACH_FLAGS 12u   /**< le32 */
#define IOMM_VIOMMU_ATTACH_SIZE 24u    /**< 4 reserved bytes at 16, tail at 20. */
#define IOMM_VIOMMU_ATTACH_F_BYPASS 1u /**< Attach to a bypass (identity) domain. */

#define IOMM_VIOMMU_DETACH_DOMAIN 4u   /**< le32 */
#define IOMM_VIOMMU_DETACH_ENDPOINT 8u /**< le32 */
#define IOMM_VIOMMU_DETACH_SIZE 24u    /**< 8 reserved bytes at 12, tail at 20. */

#define IOMM_VIOMMU_MAP_DOMAIN 4u      /**< le32 */
#define IOMM_VIOMMU_MAP_VIRT_START 8u  /**< le64 */
#define IOMM_VIOMMU_MAP_VIRT_END 16u   /**< le64, inclusive */
#define IOMM_VIOMMU_MAP_PHYS_START 24u /**< le64 */
#define IOMM_VIOMMU_MAP_FLAGS 32u      /**< le32 */
#define IOMM_VIOMMU_MAP_SIZE 40u       /**< Tail at 36. */
#define IOMM_VIOMMU_MAP_F_READ 1u      /**< Device may read. */
#define IOMM_VIOMMU_MAP_F_WRITE 2u     /**< Device may write. */
#define IOMM_VIOMMU_MAP_F_MMIO 4u      /**< Device memory (needs F_MMIO). */

#define IOMM_VIOMMU_UNMAP_DOMAIN 4u     /**< le32 */
#define IOMM_VIOMMU_UNMAP_VIRT_START 8u /**< le64 */
#define IOMM_VIOMMU_UNMAP_VIRT_END 16u  /**< le64, inclusive */
#define IOMM_VIOMMU_UNMAP_SIZE 32u      /**< 4 reserved bytes at 24, tail at 28. */

#define IOMM_VIOMMU_PROBE_ENDPOINT 4u /**< le32 */
#define IOMM_VIOMMU_PROBE_PROPS 72u   /**< 64 reserved bytes at 8; then probe_size bytes of properties, then the tail. */
/** @} */

/** @name Probe properties (each: le16 type, le16 length of what follows)
 * @{ */
#define IOMM_VIOMMU_PROP_TYPE_MASK 0xfffu /**< Bits of the type field that name the property. */
#define IOMM_VIOMMU_PROP_NONE 0u          /**< End of the list. */
#define IOMM_VIOMMU_PROP_RESV_MEM 1u      /**< A reserved memory region. */
#define IOMM_VIOMMU_PROP_HEAD_SIZE 4u     /**< type + length. */
#define IOMM_VIOMMU_RESV_SUBTYPE 4u       /**< u8, offset from the property start. */
#define IOMM_VIOMMU_RESV_START 8u         /**< le64 */
#define IOMM_VIOMMU_RESV_END 16u          /**< le64, inclusive */
#define IOMM_VIOMMU_RESV_SIZE 24u         /**< Whole property; its length field is 20. */
#define IOMM_VIOMMU_RESV_T_RESERVED 0u    /**< Accesses fault. */
#define IOMM_VIOMMU_RESV_T_MSI 1u         /**< Doorbell: accesses are not translated. */
/** @} */

/** @name Fault event (event queue buffers)
 * @{ */
#define IOMM_VIOMMU_FAULT_REASON 0u    /**< u8 */
#define IOMM_VIOMMU_FAULT_FLAGS 4u     /**< le32 */
#define IOMM_VIOMMU_FAULT_ENDPOINT 8u  /**< le32 */
#define IOMM_VIOMMU_FAULT_ADDRESS 16u  /**< le64 */
#define IOMM_VIOMMU_FAULT_SIZE 24u     /**< Bytes of one fault event. */
#define IOMM_VIOMMU_FAULT_R_UNKNOWN 0u /**< Reason not given. */
#define IOMM_VIOMMU_FAULT_R_DOMAIN 1u  /**< The endpoint is not attached. */
#define IOMM_VIOMMU_FAULT_R_MAPPING 2u /**< No mapping, or not permitted. */
#define IOMM_VIOMMU_FAULT_F_READ 1u    /**< The access was a read. */
#define IOMM_VIOMMU_FAULT_F_WRITE 2u   /**< The access was a write. */
#define IOMM_VIOMMU_FAULT_F_EXEC 4u    /**< The access was an instruction fetch. */
#define IOMM_VIOMMU_FAULT_F_ADDRESS 0x100u /**< address is valid. */
/** @} */

/** @name Loopback device
 * @{ */

/**
 * @brief A device model in the same program, reached through function
 *        pointers (no dependency on any particular model at build time).
 */
struct iomm_viommu_loopback_dev {
	/** The model, passed as first argument of every hook. */
	void *dev;
	/**
	 * Handle one request: read @p len bytes at @p req, write the reply
	 * (ending with the tail) into @p resp of @p cap bytes and return the
	 * bytes written (0: the request was not completed). Required.
	 */
	size_t (*handle)(void *dev, const void *req, size_t len, void *resp, size_t cap);
	/**
	 * Copy up to @p cap bytes of the device configuration into @p buf and
	 * return how many bytes the configuration has. Required.
	 */
	size_t (*config)(void *dev, void *buf, size_t cap);
	/** Write @p len configuration bytes at @p off. Optional. */
	void (*config_write)(void *dev, uint32_t off, const void *buf, size_t len);
	/** Device features. Optional (NULL: the guest backend's default set,
	 *  IOMM_PARAVIRT_FEATURES in paravirt.h). */
	uint64_t (*features)(void *dev);
	/** Told the accepted features. Optional. */
	void (*set_features)(void *dev, uint64_t features);
	/**
	 * Pop one pending event into @p buf (@p cap bytes) and return its
	 * length, or 0 when none is pending. Optional.
	 */
	size_t (*event)(void *dev, void *buf, size_t cap);
};
/** @} */

/** @name Status mapping
 * The one translation between iommuman status codes and virtio-iommu
 * statuses, used by the host-side device model (iommuman code to tail
 * status) and by the guest-side paravirtual backend (tail status to
 * iommuman code).
 * @{ */

/**
 * @brief The tail status the device model reports for an iommuman code.
 * @param rc An iommuman status code (any int is accepted).
 * @return ::IOMM_VIOMMU_S_OK for ::IOMM_OK; ::IOMM_VIOMMU_S_NOMEM for
 *         ::IOMM_ENOMEM and ::IOMM_ENOSPC; ::IOMM_VIOMMU_S_RANGE for
 *         ::IOMM_ERANGE; ::IOMM_VIOMMU_S_INVAL for ::IOMM_EEXIST and
 *         ::IOMM_EINVAL; ::IOMM_VIOMMU_S_DEVERR for every other value.
 *
 * @par Context
 * Pure computation on its arguments: no lock, no hook. Never sleeps; any
 * context.
 */
static inline uint8_t iomm_viommu_status_from_rc(int rc)
{
	switch (rc) {
	case IOMM_OK:
		return IOMM_VIOMMU_S_OK;
	case IOMM_ENOMEM:
	case IOMM_ENOSPC:
		return IOMM_VIOMMU_S_NOMEM;
	case IOMM_ERANGE:
		return IOMM_VIOMMU_S_RANGE;
	case IOMM_EEXIST:
	case IOMM_EINVAL:
		return IOMM_VIOMMU_S_INVAL;
	default:
		return IOMM_VIOMMU_S_DEVERR;
	}
}

/**
 * @brief The iommuman code a guest reads from a tail status.
 * @param status The tail's status byte.
 * @retval IOMM_OK      S_OK.
 * @retval IOMM_EIO     S_IOERR, S_DEVERR and unknown values.
 * @retval IOMM_ENOTSUP S_UNSUPP.
 * @retval IOMM_EINVAL  S_INVAL.
 * @retval IOMM_ERANGE  S_RANGE.
 * @retval IOMM_ENOENT  S_NOENT.
 * @retval IOMM_EFAULT  S_FAULT.
 * @retval IOMM_ENOMEM  S_NOMEM.
 *
 * @par Context
 * Pure computation on its arguments: no lock, no hook. Never sleeps; any
 * context.
 */
static inline int iomm_viommu_status_to_rc(uint8_t status)
{
	switch (status) {
	case IOMM_VIOMMU_S_OK:
		return IOMM_OK;
	case IOMM_VIOMMU_S_UNSUPP:
		return IOMM_ENOTSUP;
	case IOMM_VIOMMU_S_INVAL:
		return IOMM_EINVAL;
	case IOMM_VIOMMU_S_RANGE:
		return IOMM_ERANGE;
	case IOMM_VIOMMU_S_NOENT:
		return IOMM_ENOENT;
	case IOMM_VIOMMU_S_FAULT:
		return IOMM_EFAULT;
	case IOMM_VIOMMU_S_NOMEM:
		return IOMM_ENOMEM;
	default: /* S_IOERR, S_DEVERR, unknown */
		return IOMM_EIO;
	}
}
/** @} */

/** @brief Read a little-endian 16-bit field. @param p Buffer. @return The value. Pure: no lock, no hook; any context. */
static inline uint16_t iomm_get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

/** @brief Read a little-endian 32-bit field. @param p Buffer. @return The value. Pure: no lock, no hook; any context. */
static inline uint32_t iomm_get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

/** @brief Read a little-endian 64-bit field. @param p Buffer. @return The value. Pure: no lock, no hook; any context. */
static inline uint64_t iomm_get_le64(const uint8_t *p)
{
	return (uint64_t)iomm_get_le32(p) | ((uint64_t)iomm_get_le32(p + 4) << 32);
}

/** @brief Write a little-endian 16-bit field. @param p Buffer. @param v Value. Pure: no lock, no hook; any context. */
static inline void iomm_put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/** @brief Write a little-endian 32-bit field. @param p Buffer. @param v Value. Pure: no lock, no hook; any context. */
static inline void iomm_put_le32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/** @brief Write a little-endian 64-bit field. @param p Buffer. @param v Value. Pure: no lock, no hook; any context. */
static inline void iomm_put_le64(uint8_t *p, uint64_t v)
{
	iomm_put_le32(p, (uint32_t)v);
	iomm_put_le32(p + 4, (uint32_t)(v >> 32));
}

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* IOMMUMAN_VIRTIO_IOMMU_H */
