/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The few C library functions a freestanding build still needs, for every
 * bare-metal port of the QEMU scenarios: compilers emit calls to
 * memcpy/memset/memmove/memcmp for struct copies and initialisers even with
 * -ffreestanding. Byte loops only: on aarch64 with the MMU off every access
 * is Device memory, where unaligned wide accesses fault (and the scenarios
 * copy little). What libgcc would add for an architecture is in its port
 * (libgcc_min.c).
 */
#include <stddef.h>
#include <stdint.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/*
 * Keep GCC from recognising these loops as memcpy/memset and calling
 * themselves (also passed on the command line of the QEMU builds).
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-tree-loop-distribute-patterns")
#endif

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s || !n)
		return dst;
	if ((uintptr_t)d < (uintptr_t)s) {
		while (n--)
			*d++ = *s++;
	} else {
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x < *y ? -1 : 1;
	}
	return 0;
}
