/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What every backend shares. Internal, not installed: backends include it
 * (their directories have src/ on the include path); the core does not.
 *
 * Every backend object embeds its struct iomm_unit as a member named
 * `unit` (the first member, so the unit pointer the core passes converts
 * back to the backend object).
 */
#ifndef IOMM_BACKEND_H
#define IOMM_BACKEND_H

#include <iommuman/backend.h>

#include "iomm_internal.h"

/* Default bound of every wait for the hardware when the caller's
 * configuration leaves its timeout at 0: 100 ms. */
#define IOMM_DEFAULT_TIMEOUT_NS 100000000ull

/* Make @len bytes of structures at @va visible to the unit's table walks and
 * fetches: cleaned to the point of coherency on a non-coherent unit, then a
 * write barrier. */
static inline void iomm_unit_sync_mem(const struct iomm_unit *unit, const void *va, size_t len)
{
	const struct iomm_port *port = unit->port;
	if (!(unit->caps & IOMM_CAP_COHERENT))
		port->clean_tables(port->ctx, va, len);
	iomm_port_wmb(port);
}

/* The port of backend object @b. */
#define port_of(b) ((b)->unit.port)

/* iomm_unit_sync_mem() for backend object @b. */
#define sync_mem(b, va, len) iomm_unit_sync_mem(&(b)->unit, (va), (len))

/* Registers of the unit at @off bytes from its base, through the port. */
static inline uint32_t iomm_unit_rd32(const struct iomm_unit *unit, uint32_t off)
{
	return iomm_mmio_read32(unit->port, unit->regs + off);
}

static inline void iomm_unit_wr32(const struct iomm_unit *unit, uint32_t off, uint32_t v)
{
	iomm_mmio_write32(unit->port, unit->regs + off, v);
}

static inline uint64_t iomm_unit_rd64(const struct iomm_unit *unit, uint32_t off)
{
	return iomm_mmio_read64(unit->port, unit->regs + off);
}

static inline void iomm_unit_wr64(const struct iomm_unit *unit, uint32_t off, uint64_t v)
{
	iomm_mmio_write64(unit->port, unit->regs + off, v);
}

/* The same for backend object @b (which embeds its unit as `unit`). */
#define rd32(b, off)	iomm_unit_rd32(&(b)->unit, (off))
#define wr32(b, off, v) iomm_unit_wr32(&(b)->unit, (off), (v))
#define rd64(b, off)	iomm_unit_rd64(&(b)->unit, (off))
#define wr64(b, off, v) iomm_unit_wr64(&(b)->unit, (off), (v))

#endif /* IOMM_BACKEND_H */
