/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file iommuman.h
 * @brief Umbrella header: include this one; it includes every public header
 *        (the POSIX port's iommuman/port_posix.h, a hosted add-on, is separate).
 */
#ifndef IOMMUMAN_H
#define IOMMUMAN_H

/*
 * Every public header. The backend headers only declare, so they are safe
 * to include whether or not that backend is compiled into the library; a
 * call into a backend that is not built fails at link time.
 */
#include "status.h"
#include "types.h"
#include "port.h"
#include "pool.h"
#include "pgtable.h"
#include "iommu.h"
#include "backend.h"
#include "smmuv3.h"
#include "smmuv2.h"
#include "vtd.h"
#include "riscv.h"
#include "virtio_iommu.h"
#include "paravirt.h"
#include "vm.h"
#include "vmmio.h"
#include "config.h"
#include "discovery.h"

/** Library version, major. */
#define IOMM_VERSION_MAJOR 0
/** Library version, minor. */
#define IOMM_VERSION_MINOR 1
/** Library version, patch. */
#define IOMM_VERSION_PATCH 0

#endif /* IOMMUMAN_H */
