/* SPDX-License-Identifier: BSD-3-Clause */
/* MMIO access helpers (64-bit accesses split when the port has none) and
 * polling with a timeout on the port's clock. */
#include "iomm_internal.h"

uint32_t iomm_mmio_read32(const struct iomm_port *port, uintptr_t addr)
{
	return port->read32(port->ctx, addr);
}

void iomm_mmio_write32(const struct iomm_port *port, uintptr_t addr, uint32_t val)
{
	port->write32(port->ctx, addr, val);
}

uint64_t iomm_mmio_read64(const struct iomm_port *port, uintptr_t addr)
{
	if (port->read64)
		return port->read64(port->ctx, addr);
	uint64_t lo = port->read32(port->ctx, addr);
	uint64_t hi = port->read32(port->ctx, addr + 4);
	return lo | (hi << 32);
}

void iomm_mmio_write64(const struct iomm_port *port, uintptr_t addr, uint64_t val)
{
	if (port->write64) {
		port->write64(port->ctx, addr, val);
		return;
	}
	port->write32(port->ctx, addr, (uint32_t)val);
	port->write32(port->ctx, addr + 4, (uint32_t)(val >> 32));
}

int iomm_poll32(const struct iomm_port *port, uintptr_t addr, uint32_t mask, uint32_t want,
		uint64_t timeout_ns)
{
	if (!port->now_ns)
		return IOMM_REFUSE(port, IOMM_EINVAL, "port: now_ns is NULL, so no poll can time out");
	uint64_t start = port->now_ns(port->ctx);
	for (;;) {
		if ((iomm_mmio_read32(port, addr) & mask) == want)
			return IOMM_OK;
		if (port->now_ns(port->ctx) - start > timeout_ns)
			break;
		if (port->relax)
			port->relax(port->ctx);
	}
	/* One last look: the answer may have arrived while we were descheduled. */
	return (iomm_mmio_read32(port, addr) & mask) == want ? IOMM_OK : IOMM_ETIMEDOUT;
}
