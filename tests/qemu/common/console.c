/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The console functions of the board API on top of the port's qemu_putc()
 * (its UART): strings and numbers without printf.
 */
#include "qemu_board.h"

void qemu_puts(const char *s)
{
	while (*s)
		qemu_putc(*s++);
}

void qemu_puthex(uint64_t v)
{
	char buf[16];
	unsigned n = 0;

	qemu_puts("0x");
	do {
		unsigned d = (unsigned)(v & 0xf);
		buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v >>= 4;
	} while (v);
	while (n)
		qemu_putc(buf[--n]);
}

void qemu_putdec(uint64_t v)
{
	char buf[20];
	unsigned n = 0;

	do {
		buf[n++] = (char)('0' + (unsigned)(v % 10));
		v /= 10;
	} while (v);
	while (n)
		qemu_putc(buf[--n]);
}
