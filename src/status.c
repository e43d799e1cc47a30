/* SPDX-License-Identifier: BSD-3-Clause */
#include <stddef.h>

#include <iommuman/status.h>

/* Indexed by the negated code; gaps stay NULL. */
static const char *const status_str[] = {
    [0] = "success",
    [-IOMM_EPERM] = "permissions wider than allowed",
    [-IOMM_ENOENT] = "no such mapping, stream or object",
    [-IOMM_EIO] = "hardware reported an error",
    [-IOMM_ENOMEM] = "out of table memory",
    [-IOMM_EFAULT] = "guest buffer not accessible",
    [-IOMM_EBUSY] = "object in use",
    [-IOMM_EEXIST] = "range overlaps an existing mapping",
    [-IOMM_ENODEV] = "no such hardware",
    [-IOMM_EINVAL] = "invalid argument",
    [-IOMM_ENOSPC] = "hardware resource exhausted",
    [-IOMM_ERANGE] = "address out of range",
    [-IOMM_EOVERFLOW] = "records lost to overflow",
    [-IOMM_ENOTSUP] = "not supported by the hardware or build",
    [-IOMM_ETIMEDOUT] = "hardware did not answer in time",
};

const char *iomm_strerror(int status)
{
	if (status <= 0 && status > -(int)(sizeof(status_str) / sizeof(status_str[0])) &&
	    status_str[-status] != NULL)
		return status_str[-status];
	return "unknown status";
}
