/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The guest of examples/hypervisor: a bare-metal program at EL1 that only
 * knows its own physical memory map (hv_abi.h). It talks to the host with
 * hypercalls, reaches the emulated MMIO window with single aligned
 * loads/stores (so every trap is decodable, ISV = 1) and drives the
 * passed-through edu device's DMA with device addresses = its own IPAs.
 * No host code is linked in.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv_abi.h"

uint64_t guest_main(uint64_t which, uint64_t arg);
void guest_irq(void);

/* ---- hypercalls ------------------------------------------------------------- */

static uint64_t hvc(uint64_t call, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = call;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	__asm__ __volatile__("hvc #0" : "+r"(x0) : "r"(x1), "r"(x2), "r"(x3) : "memory");
	return x0;
}

static void say(const char *s)
{
	(void)hvc(HV_CALL_PUTS, (uint64_t)(uintptr_t)s, 0, 0);
}

static void report(uint64_t key, uint64_t a, uint64_t b)
{
	(void)hvc(HV_CALL_REPORT, key, a, b);
}

static unsigned failures;

static void expect(bool ok, const char *what)
{
	if (!ok) {
		failures++;
		say("guest check failed:");
		say(what);
	}
}

/* ---- the emulated window: one aligned access per call, no writeback ------------ */

static uintptr_t vmmio(uint64_t off)
{
	return (uintptr_t)(HV_GUEST_VMMIO_IPA + off);
}

static uint8_t vmmio_read8(uint64_t off)
{
	uint32_t v;
	__asm__ __volatile__("ldrb %w0, [%1]" : "=r"(v) : "r"(vmmio(off)) : "memory");
	return (uint8_t)v;
}

static uint16_t vmmio_read16(uint64_t off)
{
	uint32_t v;
	__asm__ __volatile__("ldrh %w0, [%1]" : "=r"(v) : "r"(vmmio(off)) : "memory");
	return (uint16_t)v;
}

static uint32_t vmmio_read32(uint64_t off)
{
	uint32_t v;
	__asm__ __volatile__("ldr %w0, [%1]" : "=r"(v) : "r"(vmmio(off)) : "memory");
	return v;
}

static uint64_t vmmio_read64(uint64_t off)
{
	uint64_t v;
	__asm__ __volatile__("ldr %x0, [%1]" : "=r"(v) : "r"(vmmio(off)) : "memory");
	return v;
}

/* A sign-extending byte load (ESR ISS.SSE = 1, SF = 1). */
static int64_t vmmio_read8_signed(uint64_t off)
{
	int64_t v;
	__asm__ __volatile__("ldrsb %x0, [%1]" : "=r"(v) : "r"(vmmio(off)) : "memory");
	return v;
}

static void vmmio_write8(uint64_t off, uint8_t v)
{
	__asm__ __volatile__("strb %w0, [%1]" ::"r"((uint32_t)v), "r"(vmmio(off)) : "memory");
}

static void vmmio_write16(uint64_t off, uint16_t v)
{
	__asm__ __volatile__("strh %w0, [%1]" ::"r"((uint32_t)v), "r"(vmmio(off)) : "memory");
}

static void vmmio_write32(uint64_t off, uint32_t v)
{
	__asm__ __volatile__("str %w0, [%1]" ::"r"(v), "r"(vmmio(off)) : "memory");
}

static void vmmio_write64(uint64_t off, uint64_t v)
{
	__asm__ __volatile__("str %x0, [%1]" ::"r"(v), "r"(vmmio(off)) : "memory");
}

/* A store of the zero register (ESR ISS.SRT = 31). */
static void vmmio_write32_zero(uint64_t off)
{
	__asm__ __volatile__("str wzr, [%0]" ::"r"(vmmio(off)) : "memory");
}

/* ---- memory outside the guest: single accesses so the host can decode them ---- */

static uint64_t raw_read64(uint64_t ipa)
{
	uint64_t v;
	__asm__ __volatile__("ldr %x0, [%1]" : "=r"(v) : "r"((uintptr_t)ipa) : "memory");
	return v;
}

static void raw_write64(uint64_t ipa, uint64_t v)
{
	__asm__ __volatile__("str %x0, [%1]" ::"r"(v), "r"((uintptr_t)ipa) : "memory");
}

/* ---- edu, passed through: its BAR0 is at HV_GUEST_EDU_IPA ------------------------ */

#define EDU_DMA_SRC	0x80u
#define EDU_DMA_DST	0x88u
#define EDU_DMA_CNT	0x90u
#define EDU_DMA_CMD	0x98u
#define EDU_CMD_RUN	1u
#define EDU_CMD_TO_RAM	2u
#define EDU_BUF_ADDR	0x40000ull
#define EDU_TIMEOUT_S	10u

static void edu_w64(uint32_t off, uint64_t v)
{
	__asm__ __volatile__("dmb oshst\n\tstr %x0, [%1]" ::"r"(v),
			     "r"((uintptr_t)(HV_GUEST_EDU_IPA + off))
			     : "memory");
}

static uint32_t edu_r32(uint32_t off)
{
	uint32_t v;
	__asm__ __volatile__("ldr %w0, [%1]\n\tdmb oshld"
			     : "=r"(v)
			     : "r"((uintptr_t)(HV_GUEST_EDU_IPA + off))
			     : "memory");
	return v;
}

static uint64_t counter(void)
{
	uint64_t v;
	__asm__ __volatile__("isb\n\tmrs %0, cntvct_el0" : "=r"(v)::"memory");
	return v;
}

static uint64_t counter_hz(void)
{
	uint64_t v;
	__asm__ __volatile__("mrs %0, cntfrq_el0" : "=r"(v));
	return v ? v : 62500000u;
}

/* One edu transfer; 0 when it completed (blocked DMA completes too), 1 on a timeout. */
static uint64_t edu_dma(uint64_t src, uint64_t dst, uint32_t len, uint32_t cmd)
{
	uint64_t t0, limit = counter_hz() * EDU_TIMEOUT_S;

	__asm__ __volatile__("dsb sy" ::: "memory");
	edu_w64(EDU_DMA_SRC, src);
	edu_w64(EDU_DMA_DST, dst);
	edu_w64(EDU_DMA_CNT, len);
	edu_w64(EDU_DMA_CMD, cmd | EDU_CMD_RUN);
	t0 = counter();
	while (edu_r32(EDU_DMA_CMD) & EDU_CMD_RUN)
		if (counter() - t0 > limit)
			return 1;
	__asm__ __volatile__("dsb sy" ::: "memory");
	return 0;
}

static uint64_t dma_to_device(uint64_t addr, uint32_t dev_off, uint32_t len)
{
	return edu_dma(addr, EDU_BUF_ADDR + dev_off, len, 0);
}

static uint64_t dma_from_device(uint64_t addr, uint32_t dev_off, uint32_t len)
{
	return edu_dma(EDU_BUF_ADDR + dev_off, addr, len, EDU_CMD_TO_RAM);
}

static volatile uint8_t *ram(uint64_t ipa)
{
	return (volatile uint8_t *)(uintptr_t)ipa;
}

/* ---- the cases ------------------------------------------------------------------- */

static volatile unsigned irqs_taken;

void guest_irq(void)
{
	irqs_taken++;
	(void)hvc(HV_CALL_EOI, 0, 0, 0);
}

static void case_hello(void)
{
	uint64_t el;

	__asm__ __volatile__("mrs %0, CurrentEL" : "=r"(el));
	say("hello from the guest");
	report(HV_KEY_HELLO, (el >> 2) & 3u, HV_CASE_HELLO);
	expect(((el >> 2) & 3u) == 1u, "running at EL1");

	/* Unmask IRQs, ask for a virtual IRQ: it is taken as soon as the host returns. */
	__asm__ __volatile__("msr daifclr, #2" ::: "memory");
	(void)hvc(HV_CALL_IRQ, 0, 0, 0);
	__asm__ __volatile__("isb\n\tmsr daifset, #2" ::: "memory");
	expect(irqs_taken == 1u, "one virtual IRQ taken");
	report(HV_KEY_IRQ, irqs_taken, 0);
}

static void case_mmio(void)
{
	say("MMIO to the emulated window: 8/16/32/64-bit stores, then loads");
	vmmio_write8(0x00, 0xa5);
	vmmio_write16(0x02, 0xbeef);
	vmmio_write32(0x04, 0xdeadbeefu);
	vmmio_write64(0x08, 0x0123456789abcdefull);
	vmmio_write32_zero(0x20);

	/* What the guest wrote comes back. */
	expect(vmmio_read8(0x00) == 0xa5u, "8-bit read back");
	expect(vmmio_read16(0x02) == 0xbeefu, "16-bit read back");
	expect(vmmio_read32(0x04) == 0xdeadbeefu, "32-bit read back");
	expect(vmmio_read64(0x08) == 0x0123456789abcdefull, "64-bit read back");
	expect(vmmio_read32(0x20) == 0u, "the zero register stored 0");

	/* Values only the host knows: reported, the host checks them. */
	report(HV_KEY_MMIO_READ, 0x10, vmmio_read8(0x10));
	report(HV_KEY_MMIO_READ, 0x12, vmmio_read16(0x12));
	report(HV_KEY_MMIO_READ, 0x14, vmmio_read32(0x14));
	report(HV_KEY_MMIO_READ, 0x18, vmmio_read64(0x18));
	report(HV_KEY_MMIO_READ, 0x110, (uint64_t)vmmio_read8_signed(0x10));
}

#define XFER 64u

static void case_dma(void)
{
	volatile uint8_t *src = ram(HV_GUEST_DMA_SRC_IPA), *dst = ram(HV_GUEST_DMA_DST_IPA);
	bool same = true;
	uint64_t rc;

	say("edu DMA with device addresses inside my RAM");
	for (unsigned i = 0; i < XFER; i++) {
		src[i] = (uint8_t)(0x40u + i);
		dst[i] = 0;
	}
	rc = dma_to_device(HV_GUEST_DMA_SRC_IPA, 0, XFER);
	rc |= dma_from_device(HV_GUEST_DMA_DST_IPA, 0, XFER);
	for (unsigned i = 0; i < XFER; i++)
		same = same && dst[i] == (uint8_t)(0x40u + i);
	expect(rc == 0, "edu transfers completed");
	expect(same, "the pattern came back through edu");
	report(HV_KEY_DMA_DONE, HV_GUEST_DMA_DST_IPA, rc);
}

#define OUTSIDE_IPA 0x90000000ull

static void case_dma_outside(uint64_t host_addr)
{
	volatile uint8_t *src = ram(HV_GUEST_DMA_SRC_IPA), *dst = ram(HV_GUEST_DMA_DST_IPA);
	uint64_t first = 0;

	say("edu DMA outside my RAM, and at the host's own memory");
	for (unsigned i = 0; i < 16u; i++)
		src[i] = 0x77;
	(void)dma_to_device(HV_GUEST_DMA_SRC_IPA, 0, 16);
	report(HV_KEY_DMA_DONE, OUTSIDE_IPA, dma_from_device(OUTSIDE_IPA, 0, 16));
	report(HV_KEY_DMA_DONE, host_addr, dma_from_device(host_addr, 0, 16));
	/* Read the host's memory through edu: what arrives in my RAM? */
	for (unsigned i = 0; i < 16u; i++)
		dst[i] = 0xee;
	(void)dma_to_device(host_addr, 0x100, 16);
	(void)dma_from_device(HV_GUEST_DMA_DST_IPA, 0x100, 16);
	for (unsigned i = 0; i < 8u; i++)
		first |= (uint64_t)dst[i] << (8u * i);
	report(HV_KEY_DMA_PEEK, host_addr, first);
}

static void case_cpu_outside(uint64_t host_addr)
{
	say("CPU loads and stores outside my RAM");
	report(HV_KEY_CPU_READ, host_addr, raw_read64(host_addr));
	raw_write64(host_addr, 0x6666666666666666ull);
	report(HV_KEY_CPU_READ, OUTSIDE_IPA, raw_read64(OUTSIDE_IPA));
}

/* A load pair cannot be described in ESR (ISV = 0): the host must stop the guest, not guess. */
static void case_undecodable(void)
{
	uint64_t a, b;

	say("a load pair from the emulated window");
	__asm__ __volatile__("ldp %x0, %x1, [%2]" : "=r"(a), "=r"(b) : "r"(vmmio(0x10)) : "memory");
	say("still running after an undecodable access");
	report(HV_KEY_MMIO_READ, 0x10, a ^ b);
}

uint64_t guest_main(uint64_t which, uint64_t arg)
{
	switch (which) {
	case HV_CASE_HELLO:
		case_hello();
		break;
	case HV_CASE_MMIO:
		case_mmio();
		break;
	case HV_CASE_DMA:
		case_dma();
		break;
	case HV_CASE_DMA_OUTSIDE:
		case_dma_outside(arg);
		break;
	case HV_CASE_CPU_OUTSIDE:
		case_cpu_outside(arg);
		break;
	case HV_CASE_UNDECODABLE:
		case_undecodable();
		break;
	default:
		say("unknown case");
		return 2;
	}
	return failures ? 1 : 0;
}
