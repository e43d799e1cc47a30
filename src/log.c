/* SPDX-License-Identifier: BSD-3-Clause */
/* Logging without stdio: one formatted line handed to the port. */
#include "iomm_internal.h"

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

#ifndef IOMM_NO_REFUSE_TEXT
void iomm_refuse(const struct iomm_port *port, int status, const char *func, const char *why)
{
	if (!port || !port->log || port->log_level < IOMM_LOG_DEBUG)
		return;
	char buf[160];
	size_t pos = put_str(buf, 0, sizeof(buf), func);
	pos = put_str(buf, pos, sizeof(buf), ": ");
	pos = put_str(buf, pos, sizeof(buf), why);
	pos = put_str(buf, pos, sizeof(buf), " (");
	pos = put_str(buf, pos, sizeof(buf), iomm_strerror(status));
	pos = put_str(buf, pos, sizeof(buf), ")");
	buf[pos] = '\0';
	port->log(port->ctx, IOMM_LOG_DEBUG, buf);
}
#endif
