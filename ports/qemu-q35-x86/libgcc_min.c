/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * 32-bit x86 needs the 64-bit arithmetic routines GCC normally takes from
 * libgcc (64-bit division, count leading/trailing zeros, population count);
 * they are here so that no 32-bit libgcc (gcc-multilib) is needed. The C
 * library functions are in tests/qemu/common/libc_min.c.
 */
#include <stddef.h>
#include <stdint.h>

/* ---- 64-bit arithmetic of libgcc ------------------------------------------------ */

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem);
uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);
int64_t __divdi3(int64_t n, int64_t d);
int64_t __moddi3(int64_t n, int64_t d);
int __ctzdi2(uint64_t x);
int __clzdi2(uint64_t x);
int __popcountdi2(uint64_t x);

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem)
{
	uint64_t q = 0, r = 0;

	if (d == 0)
		__builtin_trap(); /* ud2: reported as exception 6 */
	if (!(n >> 32) && !(d >> 32)) {
		/* Both fit in 32 bits: one divl. */
		uint32_t q32 = (uint32_t)n / (uint32_t)d;
		if (rem)
			*rem = (uint32_t)n - q32 * (uint32_t)d;
		return q32;
	}
	/* Shift and subtract, one quotient bit per step. */
	for (int i = 63; i >= 0; i--) {
		r = (r << 1) | ((n >> i) & 1u);
		if (r >= d) {
			r -= d;
			q |= 1ull << i;
		}
	}
	if (rem)
		*rem = r;
	return q;
}

uint64_t __udivdi3(uint64_t n, uint64_t d)
{
	return __udivmoddi4(n, d, NULL);
}

uint64_t __umoddi3(uint64_t n, uint64_t d)
{
	uint64_t r;

	(void)__udivmoddi4(n, d, &r);
	return r;
}

static uint64_t magnitude(int64_t v)
{
	return v < 0 ? 0u - (uint64_t)v : (uint64_t)v;
}

int64_t __divdi3(int64_t n, int64_t d)
{
	uint64_t q = __udivmoddi4(magnitude(n), magnitude(d), NULL);

	return (n < 0) != (d < 0) ? (int64_t)(0u - q) : (int64_t)q;
}

int64_t __moddi3(int64_t n, int64_t d)
{
	uint64_t r;

	(void)__udivmoddi4(magnitude(n), magnitude(d), &r);
	return n < 0 ? (int64_t)(0u - r) : (int64_t)r;
}

int __ctzdi2(uint64_t x)
{
	uint32_t lo = (uint32_t)x;

	return lo ? __builtin_ctz(lo) : 32 + __builtin_ctz((uint32_t)(x >> 32));
}

int __clzdi2(uint64_t x)
{
	uint32_t hi = (uint32_t)(x >> 32);

	return hi ? __builtin_clz(hi) : 32 + __builtin_clz((uint32_t)x);
}

int __popcountdi2(uint64_t x)
{
	/* Not __builtin_popcount: without POPCNT that calls libgcc again. */
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (int)((x * 0x0101010101010101ull) >> 56);
}
