/* SPDX-License-Identifier: BSD-3-Clause */
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
