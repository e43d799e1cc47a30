/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The few C library functions a freestanding build still needs: compilers
 * emit calls to memcpy/memset/memmove/memcmp for struct copies and
 * initialisers even with -ffreestanding. Byte loops: small and simple, and
 * the scenarios copy little.
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

/*
 * Bit counts: RV64GC has no count instructions (that is Zbb), so GCC calls
 * these libgcc routines for __builtin_clzll/__builtin_ctzll. They are here
 * instead of libgcc because Debian's riscv64 libgcc uses the lp64d ABI and
 * this port is built for lp64. Like the builtins, undefined for 0.
 */
int __clzdi2(unsigned long x);
int __ctzdi2(unsigned long x);

int __clzdi2(unsigned long x)
{
	int n = 0;

	for (unsigned long bit = 1ul << 63; bit && !(x & bit); bit >>= 1)
		n++;
	return n;
}

int __ctzdi2(unsigned long x)
{
	int n = 0;

	for (unsigned long bit = 1ul; bit && !(x & bit); bit <<= 1)
		n++;
	return n;
}
