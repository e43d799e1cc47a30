/* SPDX-License-Identifier: BSD-3-Clause */
/* MMIO access helpers, polling with timeouts and stdio-free logging. */
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
		return IOMM_EINVAL;
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

static size_t put_str(char *buf, size_t pos, size_t cap, const char *s)
{
	while (s && *s && pos + 1 < cap)
		buf[pos++] = *s++;
	return pos;
}

static size_t put_hex(char *buf, size_t pos, size_t cap, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16];
	unsigned n = 0;
	do {
		tmp[n++] = digits[v & 0xf];
		v >>= 4;
	} while (v && n < sizeof(tmp));
	pos = put_str(buf, pos, cap, "0x");
	while (n && pos + 1 < cap)
		buf[pos++] = tmp[--n];
	return pos;
}

void iomm_log(const struct iomm_port *port, enum iomm_log_level level, const char *prefix,
	      uint64_t value, const char *suffix)
{
	if (!port || !port->log || level > port->log_level)
		return;
	char buf[128];
	size_t pos = put_str(buf, 0, sizeof(buf), prefix);
	pos = put_hex(buf, pos, sizeof(buf), value);
	pos = put_str(buf, pos, sizeof(buf), suffix);
	buf[pos] = '\0';
	port->log(port->ctx, level, buf);
}

void iomm_log_str(const struct iomm_port *port, enum iomm_log_level level, const char *msg)
{
	if (!port || !port->log || level > port->log_level)
		return;
	port->log(port->ctx, level, msg);
}
