/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file status.h
 * @brief Status codes returned by every iommuman function.
 * @ingroup core
 */
#ifndef IOMMUMAN_STATUS_H
#define IOMMUMAN_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup core Core: status codes, types, ports, pools
 * @{
 */

/**
 * @brief Result of an iommuman call: zero for success, a negative code otherwise.
 *
 * Values mirror errno where one fits, so logs read naturally. Every public
 * function documents which of these it can return. A function that returns
 * an error has changed nothing unless its documentation says otherwise.
 */
enum iomm_status {
	IOMM_OK = 0,           /**< Success. */
	IOMM_EPERM = -1,       /**< Permissions wider than the caller may grant. */
	IOMM_ENOENT = -2,      /**< No such mapping, stream, device or domain. */
	IOMM_EIO = -5,         /**< The hardware reported an error. */
	IOMM_ENOMEM = -12,     /**< Out of table memory (pool or quota exhausted). */
	IOMM_EFAULT = -14,     /**< A guest buffer could not be read or written. */
	IOMM_EBUSY = -16,      /**< The object is in use (already attached, assigned, live). */
	IOMM_EEXIST = -17,     /**< The range overlaps an existing mapping. */
	IOMM_ENODEV = -19,     /**< The hardware is absent or not what was expected. */
	IOMM_EINVAL = -22,     /**< An argument is malformed (alignment, wrap, NULL, size). */
	IOMM_ENOSPC = -28,     /**< A hardware resource is exhausted (context banks, SMRs, IDs). */
	IOMM_ERANGE = -34,     /**< An address lies outside the range the table or VM allows. */
	IOMM_EOVERFLOW = -75,  /**< Records were lost (queue overflow). */
	IOMM_ENOTSUP = -95,    /**< The hardware or build lacks the requested feature. */
	IOMM_ETIMEDOUT = -110, /**< The hardware did not answer before the port's timeout. */
};

/**
 * @brief Describe a status code in words.
 * @param status A value of enum iomm_status (any int is accepted).
 * @return A static, NUL-terminated string; "unknown status" for values that
 *         are not status codes. Never NULL.
 *
 * @par Context
 * Pure: no lock, no hook. Never sleeps; any context.
 */
const char *iomm_strerror(int status);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* IOMMUMAN_STATUS_H */
