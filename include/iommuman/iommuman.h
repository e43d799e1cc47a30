/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file iommuman.h
 * @brief Umbrella header: include this one.
 */
#ifndef IOMMUMAN_H
#define IOMMUMAN_H

#include "status.h"
#include "types.h"
#include "port.h"
#include "pool.h"
#include "pgtable.h"
#include "iommu.h"
#include "vtd.h"
#include "smmuv2.h"
#include "config.h"
#include "discovery.h"

/** Library version, major. */
#define IOMM_VERSION_MAJOR 0
/** Library version, minor. */
#define IOMM_VERSION_MINOR 1
/** Library version, patch. */
#define IOMM_VERSION_PATCH 0

#endif /* IOMMUMAN_H */
