/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The guest's iommuman port (examples/hypervisor/guest): what the library's
 * paravirtual backend needs from a bare-metal EL1 guest with its MMU off.
 *
 *  - MMIO: one aligned `ldr`/`str` of a W register per access, no
 *    writeback, so the stage-2 abort of the emulated window carries a full
 *    syndrome (ESR_EL2.ISV = 1) and the host can emulate it.
 *  - Ordering: `dsb` (the device is the host's emulation: it reads the
 *    rings when the notify traps).
 *  - Clock: the virtual counter CNTVCT_EL0 at CNTFRQ_EL0 Hz.
 *  - relax: a read of the device's InterruptStatus register, a trapped
 *    access like any other, so every wait gives the host a turn.
 *  - Logging: the PUTS hypercall.
 *  - No lock (one CPU, no interrupt handler calls the library) and no page
 *    allocator: the transport's queue memory is a static buffer of the guest.
 *
 * Also the three C library functions the compiler may call for struct
 * copies and zeroing: the guest links no C library.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iommuman/port.h>

#include "guest.h"
#include "hv_abi.h"

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;

	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x < *y ? -1 : 1;
	return 0;
}

uint64_t guest_hvc(uint64_t call, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = call;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	__asm__ __volatile__("hvc #0" : "+r"(x0) : "r"(x1), "r"(x2), "r"(x3) : "memory");
	return x0;
}

static uint32_t gp_read32(void *ctx, uintptr_t addr)
{
	uint32_t v;

	(void)ctx;
	__asm__ __volatile__("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static void gp_write32(void *ctx, uintptr_t addr, uint32_t val)
{
	(void)ctx;
	__asm__ __volatile__("str %w0, [%1]" ::"r"(val), "r"(addr) : "memory");
}

static void gp_mb(void *ctx)
{
	(void)ctx;
	__asm__ __volatile__("dsb sy" ::: "memory");
}

static void gp_wmb(void *ctx)
{
	(void)ctx;
	__asm__ __volatile__("dsb st" ::: "memory");
}

uint64_t guest_counter(void)
{
	uint64_t v;

	__asm__ __volatile__("isb\n\tmrs %0, cntvct_el0" : "=r"(v)::"memory");
	return v;
}

uint64_t guest_counter_hz(void)
{
	uint64_t v;

	__asm__ __volatile__("mrs %0, cntfrq_el0" : "=r"(v));
	return v ? v : 62500000u;
}

static uint64_t gp_now_ns(void *ctx)
{
	uint64_t t = guest_counter(), hz = guest_counter_hz();

	(void)ctx;
	/* seconds and remainder apart, so the product cannot overflow */
	return t / hz * 1000000000ull + t % hz * 1000000000ull / hz;
}

uint32_t guest_vmmio_interrupt_status(void)
{
	/* virtio 1.2 4.2.2: InterruptStatus at 0x60 */
	return gp_read32(NULL, (uintptr_t)(HV_GUEST_VMMIO_IPA + 0x60u));
}

static void gp_relax(void *ctx)
{
	(void)ctx;
	(void)guest_vmmio_interrupt_status();
}

static void gp_log(void *ctx, enum iomm_log_level level, const char *msg)
{
	static char line[160];
	static const char prefix[] = "iommuman: ";
	size_t n = 0;

	(void)ctx;
	(void)level;
	for (size_t i = 0; prefix[i] && n < sizeof(line) - 1; i++)
		line[n++] = prefix[i];
	for (size_t i = 0; msg[i] && n < sizeof(line) - 1; i++)
		line[n++] = msg[i];
	line[n] = '\0';
	(void)guest_hvc(HV_CALL_PUTS, (uint64_t)(uintptr_t)line, 0, 0);
}

const struct iomm_port guest_port = {
    .read32 = gp_read32,
    .write32 = gp_write32,
    .wmb = gp_wmb,
    .mb = gp_mb,
    .now_ns = gp_now_ns,
    .relax = gp_relax,
    .log = gp_log,
    .log_level = IOMM_LOG_WARN,
};
