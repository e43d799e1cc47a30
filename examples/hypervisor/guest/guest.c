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

#include <iommuman/paravirt.h>

#include "guest.h"
#include "hv_abi.h"

uint64_t guest_main(uint64_t which, uint64_t arg);
void guest_irq(void);

/* ---- hypercalls ------------------------------------------------------------- */

static uint64_t hvc(uint64_t call, uint64_t a1, uint64_t a2, uint64_t a3)
{
	return guest_hvc(call, a1, a2, a3);
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
	return guest_counter();
}

static uint64_t counter_hz(void)
{
	return guest_counter_hz();
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

/*
 * MMIO to the emulated window, which the host's virtio-mmio front of the
 * virtio-iommu answers: 8/16/32/64-bit stores and loads, a store of the zero
 * register, a sign-extending load. What the front refuses (a 16-bit store to
 * the read-only configuration, any 64-bit access) changes nothing and a
 * refused load reads all ones.
 */
static void case_mmio(void)
{
	say("MMIO to the emulated window: 8/16/32/64-bit stores, then loads");
	vmmio_write8(0x124, 1);		       /* config.bypass: 1 (what it is) */
	vmmio_write16(0x100, 0xbeef);	       /* page_size_mask is read-only: refused */
	vmmio_write32(0x030, 1);	       /* QueueSel: the event queue */
	vmmio_write64(0x008, 0x0123456789abcdefull); /* no 64-bit registers: refused */
	vmmio_write32_zero(0x070);	       /* Status = 0: device reset */

	report(HV_KEY_MMIO_READ, 0x124, vmmio_read8(0x124));
	report(HV_KEY_MMIO_READ, 0x100, vmmio_read16(0x100));
	report(HV_KEY_MMIO_READ, 0x000, vmmio_read32(0x000));
	report(HV_KEY_MMIO_READ, 0x008, vmmio_read32(0x008));
	report(HV_KEY_MMIO_READ, 0x1000, vmmio_read64(0x000)); /* 0x1000: the 64-bit load of 0 */
	report(HV_KEY_MMIO_READ, 0x034, vmmio_read32(0x034));
	report(HV_KEY_MMIO_READ, 0x070, vmmio_read32(0x070));
	report(HV_KEY_MMIO_READ, 0x11c, (uint64_t)vmmio_read8_signed(0x11c));
	expect(vmmio_read32(0x000) == 0x74726976u, "virtio-mmio MagicValue");
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

/* ---- virtio-iommu over virtio-mmio: the library's paravirtual backend ------------ */

static uint8_t viommu_mem[8192] __attribute__((aligned(4096)));
static struct iomm_viommu_mmio vmmio_tr;
static struct iomm_paravirt pv;
static struct iomm_dev edu_ep;
static struct iomm_domain dom;
static bool viommu_live;

#define VM_STATUS_REG	   0x70u
#define VM_ISR_REG	   0x60u
#define VM_ISR_ACK_REG	   0x64u
#define VS_NEEDS_RESET	   0x40u
#define SHORT_XFER	   16u /* a blocked transfer raises one SMMU event per 4 bytes */

static void result(uint64_t step, int64_t value)
{
	report(HV_KEY_RESULT, step, (uint64_t)value);
}

/* Transport, backend, the edu endpoint, one translated domain with edu attached. */
static int viommu_up(void)
{
	const struct iomm_viommu_transport *t = NULL;
	struct iomm_viommu_mmio_cfg c = {
	    .base = (uintptr_t)HV_GUEST_VMMIO_IPA,
	    .mem = viommu_mem,
	    .mem_pa = (uint64_t)(uintptr_t)viommu_mem,
	    .mem_size = sizeof(viommu_mem),
	    .event_slots = 16,
	};
	struct iomm_domain_cfg dc = {.type = IOMM_DOMAIN_S1};
	int rc;

	rc = iomm_viommu_mmio_init(&vmmio_tr, &guest_port, &c, &t);
	if (!rc)
		rc = iomm_paravirt_init(&pv, &guest_port, t, NULL);
	if (!rc)
		rc = iomm_dev_init(&edu_ep, &pv.unit, &IOMM_SID(HV_GUEST_EDU_ENDPOINT));
	if (!rc)
		rc = iomm_domain_init(&dom, &pv.unit, &dc);
	if (!rc)
		rc = iomm_attach(&dom, &edu_ep);
	result(HV_STEP_UP, rc);
	expect(rc == 0, "virtio-iommu up, edu attached");
	viommu_live = rc == 0;
	return rc;
}

/* Map B at HV_IOVA_B (read/write) and the DMA source page at HV_IOVA_SRC (read-only). */
static int map_b(void)
{
	int rc = iomm_map(&dom, HV_IOVA_SRC, HV_GUEST_DMA_SRC_IPA, 4096, IOMM_READ);

	if (!rc)
		rc = iomm_map(&dom, HV_IOVA_B, HV_GUEST_B_IPA, 4096, IOMM_READ | IOMM_WRITE);
	result(HV_STEP_MAP_B, rc);
	expect(rc == 0, "MAP of B");
	return rc;
}

/*
 * The CPU writes @len bytes of @pattern at @src_ipa; edu reads them through
 * device address @src_dev and writes them to device address @dst_dev. 0:
 * @dst_ipa (where that address should land) received the pattern; 1: it did
 * not (it was pre-filled with 0xee).
 */
static uint64_t dma_pattern(uint64_t src_dev, uint64_t src_ipa, uint64_t dst_dev, uint64_t dst_ipa,
			    uint8_t pattern, uint32_t len)
{
	volatile uint8_t *src = ram(src_ipa), *dst = ram(dst_ipa);
	bool same = true;

	for (unsigned i = 0; i < len; i++) {
		src[i] = (uint8_t)(pattern + i);
		dst[i] = 0xee;
	}
	expect(dma_to_device(src_dev, 0, len) == 0, "edu read completed");
	expect(dma_from_device(dst_dev, 0, len) == 0, "edu write completed");
	for (unsigned i = 0; i < len; i++)
		same = same && dst[i] == (uint8_t)(pattern + i);
	return same ? 0 : 1;
}

/* Through the guest domain: source page at HV_IOVA_SRC, destination @iova expected at @ipa. */
static uint64_t dma_via(uint64_t iova, uint64_t ipa, uint8_t pattern, uint32_t len)
{
	return dma_pattern(HV_IOVA_SRC, HV_GUEST_DMA_SRC_IPA, iova, ipa, pattern, len);
}

/*
 * Wait for a fault at @addr. Each InterruptStatus read traps, and the host
 * uses every exit to route SMMU faults to the VM's event queue.
 */
static bool fault_cb_hit;
static uint64_t fault_cb_addr;
static unsigned faults_read;

static void on_fault(void *arg, const struct iomm_fault *f)
{
	(void)arg;
	faults_read++;
	report(HV_KEY_FAULT, f->sid, f->addr);
	if (f->sid == HV_GUEST_EDU_ENDPOINT && f->addr == fault_cb_addr)
		fault_cb_hit = true;
}

static bool wait_fault(uint64_t addr)
{
	uint64_t t0 = counter(), limit = counter_hz() * 2u;

	fault_cb_hit = false;
	fault_cb_addr = addr;
	for (unsigned n = 0; n < 2000u && !fault_cb_hit; n++) {
		(void)guest_vmmio_interrupt_status();
		(void)iomm_fault_poll(&pv.unit, on_fault, NULL);
		if (counter() - t0 > limit)
			break;
	}
	return fault_cb_hit;
}

static void case_viommu_map(void)
{
	say("virtio-iommu over virtio-mmio: MAP buffer B for edu, DMA into it");
	if (viommu_up() || map_b())
		return;
	result(HV_STEP_DMA_B, (int64_t)dma_via(HV_IOVA_B, HV_GUEST_B_IPA, 0x30, XFER));
}

static void case_viommu_fault(void)
{
	say("edu DMA inside my RAM but outside B: blocked, the fault comes through the event queue");
	if (viommu_up() || map_b())
		return;
	result(HV_STEP_DMA_OUTSIDE_B,
	       (int64_t)!dma_via(HV_GUEST_DMA_DST_IPA, HV_GUEST_DMA_DST_IPA, 0x50, SHORT_XFER));
	expect(wait_fault(HV_GUEST_DMA_DST_IPA), "fault event at the address outside B");
	result(HV_STEP_FAULTS, faults_read);
	/* B still works. */
	result(HV_STEP_DMA_B, (int64_t)dma_via(HV_IOVA_B, HV_GUEST_B_IPA, 0x60, XFER));
}

/* ---- hostile descriptor chains, written by hand on a fresh device ---- */

static uint8_t raw[4096] __attribute__((aligned(4096)));
#define RAW_DESC  0x000u
#define RAW_AVAIL 0x100u
#define RAW_USED  0x200u
#define RAW_REQ	  0x400u
#define RAW_RESP  0x500u

static void raw_put16(size_t off, uint16_t v)
{
	*(volatile uint16_t *)(void *)(raw + off) = v;
}

static void raw_put32(size_t off, uint32_t v)
{
	*(volatile uint32_t *)(void *)(raw + off) = v;
}

static uint16_t raw_get16(size_t off)
{
	return *(volatile uint16_t *)(void *)(raw + off);
}

static uint64_t raw_pa(size_t off)
{
	return (uint64_t)(uintptr_t)raw + off;
}

static void raw_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	size_t d = RAW_DESC + 16u * i;

	raw_put32(d, (uint32_t)addr);
	raw_put32(d + 4, (uint32_t)(addr >> 32));
	raw_put32(d + 8, len);
	raw_put16(d + 12, flags);
	raw_put16(d + 14, next);
}

/* Reset, features (VERSION_1 only), request queue of 4 in raw[], DRIVER_OK. */
static void raw_bringup(void)
{
	static const uint32_t regs[3] = {0x80u, 0x90u, 0xa0u};
	static const size_t offs[3] = {RAW_DESC, RAW_AVAIL, RAW_USED};

	for (size_t o = 0; o < 0x400u; o += 4)
		raw_put32(o, 0);
	vmmio_write32(VM_STATUS_REG, 0);
	vmmio_write32(VM_STATUS_REG, 1);
	vmmio_write32(VM_STATUS_REG, 3);
	vmmio_write32(0x24, 1); /* DriverFeaturesSel 1: bits 32..63 */
	vmmio_write32(0x20, 1); /* VIRTIO_F_VERSION_1 */
	vmmio_write32(0x24, 0);
	vmmio_write32(0x20, 0);
	vmmio_write32(VM_STATUS_REG, 0xb);
	vmmio_write32(0x30, 0); /* QueueSel: requests */
	vmmio_write32(0x38, 4); /* QueueNum */
	for (unsigned i = 0; i < 3; i++) {
		vmmio_write32(regs[i], (uint32_t)raw_pa(offs[i]));
		vmmio_write32(regs[i] + 4, (uint32_t)(raw_pa(offs[i]) >> 32));
	}
	vmmio_write32(0x44, 1); /* QueueReady */
	vmmio_write32(VM_STATUS_REG, 0xf);
	expect(vmmio_read32(VM_STATUS_REG) == 0xfu, "raw bring-up reached DRIVER_OK");
}

/* An ATTACH of edu to domain 1 in raw[RAW_REQ]: if it ever ran, edu would leave A's domain. */
static void raw_attach_request(uint8_t *req)
{
	for (unsigned i = 0; i < IOMM_VIOMMU_ATTACH_SIZE; i++)
		req[i] = 0;
	req[0] = IOMM_VIOMMU_T_ATTACH;
	req[IOMM_VIOMMU_ATTACH_DOMAIN] = 1;
	req[IOMM_VIOMMU_ATTACH_ENDPOINT] = HV_GUEST_EDU_ENDPOINT;
}

/* Offer descriptor 0 and notify; the device's Status afterwards. */
static uint32_t raw_kick(void)
{
	raw_put16(RAW_AVAIL + 4, 0);
	__asm__ __volatile__("dsb st" ::: "memory");
	raw_put16(RAW_AVAIL + 2, 1);
	__asm__ __volatile__("dsb sy" ::: "memory");
	vmmio_write32(0x50, 0); /* QueueNotify */
	return vmmio_read32(VM_STATUS_REG);
}

static void hostile_chain(uint64_t step, uint64_t req_pa, uint64_t resp_pa, bool loop)
{
	uint32_t st, isr;

	raw_bringup();
	raw_attach_request(raw + RAW_REQ);
	raw_desc(0, req_pa, IOMM_VIOMMU_ATTACH_SIZE - IOMM_VIOMMU_TAIL_SIZE, 1 /* NEXT */, 1);
	if (loop)
		raw_desc(1, resp_pa, IOMM_VIOMMU_TAIL_SIZE, 1 | 2 /* NEXT, WRITE */, 0);
	else
		raw_desc(1, resp_pa, IOMM_VIOMMU_TAIL_SIZE, 2 /* WRITE */, 0);
	st = raw_kick();
	isr = vmmio_read32(VM_ISR_REG);
	expect((st & VS_NEEDS_RESET) != 0, "the device refused the chain (DEVICE_NEEDS_RESET)");
	expect((isr & 2u) != 0, "configuration-change interrupt status");
	expect(raw_get16(RAW_USED + 2) == 0, "no used buffer for a refused chain");
	/* Had the ATTACH run, edu would be in an empty domain: its DMA inside A must still land. */
	if (dma_pattern(HV_GUEST_DMA_SRC_IPA, HV_GUEST_DMA_SRC_IPA, HV_GUEST_DMA_DST_IPA,
			HV_GUEST_DMA_DST_IPA, (uint8_t)(0x10u * step), XFER))
		st |= 0x100u;
	result(step, st);
	vmmio_write32(VM_ISR_ACK_REG, isr);
	vmmio_write32(VM_STATUS_REG, 0); /* reset: the only way out of NEEDS_RESET */
}

static void case_viommu_refuse(uint64_t host_addr)
{
	say("hostile descriptor chains: a loop, a buffer outside my RAM, one at the host's image");
	hostile_chain(HV_STEP_CHAIN_LOOP, raw_pa(RAW_REQ), raw_pa(RAW_RESP), true);
	hostile_chain(HV_STEP_CHAIN_OUTSIDE, raw_pa(RAW_REQ), 0x90000000ull, false);
	hostile_chain(HV_STEP_CHAIN_HOST, host_addr, raw_pa(RAW_RESP), false);

	say("MAPs the host must refuse: outside A, the host's image, writable read-only, MSI window");
	if (viommu_up())
		return;
	result(HV_STEP_MAP_OUTSIDE_A,
	       iomm_map(&dom, HV_IOVA_REFUSED, 0x90000000ull, 4096, IOMM_READ | IOMM_WRITE));
	result(HV_STEP_MAP_HOST,
	       iomm_map(&dom, HV_IOVA_REFUSED, host_addr & ~0xfffull, 4096, IOMM_READ | IOMM_WRITE));
	result(HV_STEP_MAP_RO_W,
	       iomm_map(&dom, HV_IOVA_REFUSED, HV_GUEST_RO_IPA, 4096, IOMM_READ | IOMM_WRITE));
	result(HV_STEP_MAP_MSI,
	       iomm_map(&dom, HV_MSI_START, HV_GUEST_B_IPA, 4096, IOMM_READ | IOMM_WRITE));
	result(HV_STEP_MAP_RO_R, iomm_map(&dom, HV_IOVA_REFUSED, HV_GUEST_RO_IPA, 8192, IOMM_READ));
	/*
	 * edu reads through the first read-only page, then writes through the
	 * second: blocked. (The second page, because QEMU records no event for a
	 * stage-2 permission fault on a translation it has cached.)
	 */
	result(HV_STEP_DMA_OUTSIDE_B,
	       (int64_t)!dma_pattern(HV_IOVA_REFUSED, HV_GUEST_RO_IPA, HV_IOVA_REFUSED + 0x1000,
				     HV_GUEST_RO_IPA + 0x1000, 0x70, SHORT_XFER));
}

static void case_viommu_unmap(void)
{
	uint64_t un = 0;
	int rc;

	say("UNMAP of B: the very next DMA is blocked");
	if (viommu_up() || map_b())
		return;
	result(HV_STEP_DMA_B, (int64_t)dma_via(HV_IOVA_B, HV_GUEST_B_IPA, 0x30, XFER));
	rc = iomm_unmap(&dom, HV_IOVA_B, 4096, &un);
	expect(rc == 0 && un == 4096, "UNMAP of B");
	result(HV_STEP_UNMAP_B, rc);
	result(HV_STEP_DMA_AFTER,
	       (int64_t)!dma_via(HV_IOVA_B, HV_GUEST_B_IPA, 0x90, SHORT_XFER));
	expect(wait_fault(HV_IOVA_B), "fault event at B's IOVA after UNMAP");
	result(HV_STEP_FAULTS, faults_read);
}

static void case_viommu_reset(void)
{
	say("device reset (Status 0): edu leaves my domain and follows config.bypass");
	if (viommu_up() || map_b())
		return;
	result(HV_STEP_DMA_B, (int64_t)dma_via(HV_IOVA_B, HV_GUEST_B_IPA, 0x30, XFER));
	vmmio_write32(VM_STATUS_REG, 0);
	viommu_live = false;
	result(HV_STEP_RESET, vmmio_read32(VM_STATUS_REG));
	/* My driver set config.bypass = 0 at start-up and it survives the reset: blocked. */
	result(HV_STEP_DMA_BLOCKED,
	       (int64_t)!dma_pattern(HV_GUEST_DMA_SRC_IPA, HV_GUEST_DMA_SRC_IPA, HV_GUEST_B_IPA,
				     HV_GUEST_B_IPA, 0x80, SHORT_XFER));
	say("config.bypass = 1: the host's policy for unattached devices, confined to my RAM");
	vmmio_write8(0x124, 1);
	result(HV_STEP_BYPASS, vmmio_read8(0x124));
	result(HV_STEP_DMA_POLICY,
	       (int64_t)dma_pattern(HV_GUEST_DMA_SRC_IPA, HV_GUEST_DMA_SRC_IPA, HV_GUEST_DMA_DST_IPA,
				    HV_GUEST_DMA_DST_IPA, 0xa0, XFER));
	/* B's IOVA is not a guest-physical address of A: blocked. */
	result(HV_STEP_DMA_AFTER,
	       (int64_t)!dma_pattern(HV_GUEST_DMA_SRC_IPA, HV_GUEST_DMA_SRC_IPA, HV_IOVA_B,
				     HV_GUEST_B_IPA, 0x90, SHORT_XFER));
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
	case HV_CASE_VIOMMU_MAP:
		case_viommu_map();
		break;
	case HV_CASE_VIOMMU_FAULT:
		case_viommu_fault();
		break;
	case HV_CASE_VIOMMU_REFUSE:
		case_viommu_refuse(arg);
		break;
	case HV_CASE_VIOMMU_UNMAP:
		case_viommu_unmap();
		break;
	case HV_CASE_VIOMMU_RESET:
		case_viommu_reset();
		break;
	default:
		say("unknown case");
		return 2;
	}
	return failures ? 1 : 0;
}
