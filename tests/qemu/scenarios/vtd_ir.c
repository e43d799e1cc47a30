/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VT-d interrupt remapping on QEMU's intel-iommu (-M q35 -device
 * intel-iommu,intremap=on,aw-bits=48) with the edu device as the source of
 * MSIs: edu's MSI capability is programmed with the message the library
 * returns, and a write to edu's interrupt-raise register sends one MSI
 * through the IOMMU with edu's requester ID (0x18).
 *
 * What the CPU received is read from its local APIC's interrupt request
 * registers (IRR): interrupts stay disabled (EFLAGS.IF = 0), so a delivered
 * vector stays pending there. Each check uses a vector of its own, since a
 * pending bit cannot be cleared without taking the interrupt. Waits use the
 * port's clock (the HPET, guest time) and generous limits.
 *
 * IOMM_QEMU_VTD_IR_CASE selects the scenario:
 *   1  a valid entry: its vector reaches the APIC; an update retargets it
 *   2  an entry made for another source ID: blocked, fault reason 0x26
 *   3  compatibility format left blocked: GSTS.CFIS clear after init
 *      (QEMU 10.0 itself passes compatibility-format MSIs whatever CFI and
 *      EIME say, so the block is judged by the model, tests/vtd)
 *   4  a forged MSI written by DMA into 0xFEExxxxx: raises an interrupt
 *      before remapping is on; afterwards a forged remappable-format
 *      message naming a free entry or one beyond the table raises nothing
 *      (faults 0x22, 0x21)
 *   5  free + IEC: the device's MSI is blocked (entry not present, 0x22)
 * IOMM_QEMU_VTD_IR_EIM: extended interrupt mode (eim=on, 32-bit destinations).
 *
 * Measured on QEMU 10.0.2 and not asserted: compatibility-format MSIs pass
 * with CFI off, in EIM mode too; a DMA write into the interrupt range
 * carries no requester ID, so source validation does not apply to it (an
 * MSI signalled by the device does carry it: case 2).
 */
#include <iommuman/vtd.h>

#include "edu.h"
#include "firmware.h"
#include "harness.h"

#ifndef IOMM_QEMU_VTD_IR_CASE
#error "IOMM_QEMU_VTD_IR_CASE comes from tests/qemu/CMakeLists.txt"
#endif

#define KIB 1024ull

static uint8_t root[4096] __attribute__((aligned(4096)));
static uint8_t iq[4096] __attribute__((aligned(4096)));
static uint8_t irt[4096] __attribute__((aligned(4096))); /* 256 entries */
static uint8_t pool_mem[64 * 1024] __attribute__((aligned(4096)));

static struct iomm_vtd vtd;
static struct iomm_pool pool;
static struct edu edu;
static struct iomm_dev dev;
static uint32_t apic_id;

/* ---- the bootstrap CPU's local APIC (xAPIC, MMIO; paging is off) ---- */
#define LAPIC_BASE 0xfee00000u
#define LAPIC_ID   0x020u
#define LAPIC_SVR  0x0f0u
#define LAPIC_IRR  0x200u
/* Give a delivered MSI plenty of guest time to arrive (it is synchronous in QEMU). */
#define DELIVER_NS 1000000000ull
#define QUIET_NS   200000000ull

static void lapic_up(void)
{
	uint32_t svr = qemu_mmio_read32(LAPIC_BASE + LAPIC_SVR);
	qemu_mmio_write32(LAPIC_BASE + LAPIC_SVR, svr | 0x1ffu); /* enabled, spurious 0xff */
	apic_id = qemu_mmio_read32(LAPIC_BASE + LAPIC_ID) >> 24;
	harness_note_hex("local APIC ID", apic_id);
}

static bool irr_has(uint8_t vector)
{
	uint32_t w = qemu_mmio_read32(LAPIC_BASE + LAPIC_IRR + 0x10u * (vector / 32u));
	return (w >> (vector % 32u)) & 1u;
}

/* Whether @vector becomes pending within @ns of guest time. */
static bool arrives(uint8_t vector, uint64_t ns)
{
	uint64_t t0 = qemu_now_ns();
	do {
		if (irr_has(vector))
			return true;
	} while (qemu_now_ns() - t0 < ns);
	return irr_has(vector);
}

/* ---- faults ---- */
#define MAX_FAULTS HARNESS_MAX_FAULTS
#define faults harness_faults
static unsigned nfaults;

static unsigned poll_faults(void)
{
	nfaults = harness_poll_faults(&vtd.unit, 2);
	return nfaults;
}

/* An interrupt-remapping fault from edu with reason @raw (and, unless ~0, index @index). */
static bool saw_ir_fault(uint32_t raw, uint32_t index)
{
	for (unsigned i = 0; i < nfaults && i < MAX_FAULTS; i++) {
		const struct iomm_fault *f = &faults[i];
		if (f->sid == edu_rid(&edu) && f->raw == raw && (f->flags & IOMM_FAULT_IRQ) &&
		    (index == ~0u || f->addr == index))
			return true;
	}
	return false;
}

/* ---- set-up ---- */

static void edu_up(void)
{
	const struct pci_loc want = {IOMM_QEMU_EDU_BUS, IOMM_QEMU_EDU_DEV, IOMM_QEMU_EDU_FN};
	REQUIRE(edu_init(&edu, want) == EDU_OK);
	lapic_up();
}

static void vtd_up(void)
{
	struct iomm_vtd_mem mem = {.root = root, .root_pa = pa_of(root), .iq = iq,
				   .iq_pa = pa_of(iq), .iq_size = sizeof(iq), .irt = irt,
				   .irt_pa = pa_of(irt), .irt_entries = sizeof(irt) / 16u};
	struct iomm_vtd_cfg cfg = {.bus_first = 0, .bus_last = 1};
#ifdef IOMM_QEMU_VTD_IR_EIM
	cfg.flags |= IOMM_VTD_CFG_EIM; /* extended interrupt mode: QEMU's eim=on */
#endif
	uint64_t base = 0;
	harness_step("the VT-d unit from the DMAR; probe, interrupt remapping table, IRE");
	REQUIRE(qemu_fw_vtd_for(IOMM_QEMU_EDU_BUS, IOMM_QEMU_EDU_DEV, IOMM_QEMU_EDU_FN, &base) ==
		IOMM_OK);
	REQUIRE(iomm_pool_init(&pool, &qemu_port, pool_mem, sizeof(pool_mem), pa_of(pool_mem),
			       4096) == IOMM_OK);
	REQUIRE(iomm_vtd_init(&vtd, &qemu_port, (uintptr_t)base, &mem, &pool, &cfg) == IOMM_OK);
	harness_note_hex("ECAP", vtd.ecap);
	harness_note_hex("features", vtd.features);
	CHECK(vtd.features & IOMM_VTD_F_IR);
	CHECK(vtd.ir);
	CHECK(vtd.unit.caps & IOMM_CAP_IRQ_REMAP);
	CHECK_EQ(vtd.stats.iec_global, 1);
	/* GSTS: IRES and IRTPS on, CFIS off */
	uint32_t gsts = qemu_mmio_read32((uintptr_t)base + 0x1cu);
	harness_note_hex("GSTS", gsts);
	CHECK((gsts & (3u << 24)) == (3u << 24));
	CHECK(!(gsts & (1u << 23)));
	REQUIRE(iomm_dev_init(&dev, &vtd.unit, &IOMM_PCI(IOMM_QEMU_EDU_BUS, IOMM_QEMU_EDU_DEV,
							  IOMM_QEMU_EDU_FN)) == IOMM_OK);
	CHECK_EQ(poll_faults(), 0);
}

static struct iomm_irq_cfg to_cpu(uint8_t vector)
{
	struct iomm_irq_cfg c = {.dest = apic_id, .vector = vector, .delivery = IOMM_IRQ_FIXED,
				 .flags = 0};
	return c;
}

/* edu signals through @msg; returns whether @vector arrived. */
static bool signal(const struct iomm_msi_msg *msg, uint8_t vector, uint64_t ns)
{
	REQUIRE(edu_msi_enable(&edu, msg->addr, msg->data) == EDU_OK);
	edu_raise_irq(&edu, 1);
	return arrives(vector, ns);
}

/* A compatibility-format MSI to this CPU with @vector, fixed, edge. */
static struct iomm_msi_msg compat(uint8_t vector)
{
	struct iomm_msi_msg m = {0xfee00000u | (uint64_t)apic_id << 12, vector};
	return m;
}

/* ---- scenarios ---- */

static void case_deliver(void)
{
	edu_up();
	vtd_up();
	static struct iomm_irq irq;
	struct iomm_msi_msg msg;
	struct iomm_irq_cfg t = to_cpu(0x41);
	harness_step("an entry for edu, vector 0x41: edu's MSI arrives with that vector");
	CHECK_OK(iomm_irq_alloc(&vtd.unit, &dev, &t, &irq, &msg));
	harness_note_hex("MSI address", msg.addr);
	harness_note_hex("MSI data", msg.data);
	CHECK(!irr_has(0x41));
	CHECK(signal(&msg, 0x41, DELIVER_NS));
	CHECK(!irr_has(0x42));
	CHECK_EQ(poll_faults(), 0);

	harness_step("update the entry to vector 0x42: the same message now brings 0x42");
	uint64_t iec = vtd.stats.iec_index;
	t = to_cpu(0x42);
	CHECK_OK(iomm_irq_update(&irq, &t));
	CHECK_EQ(vtd.stats.iec_index - iec, 1);
	edu_raise_irq(&edu, 1);
	CHECK(arrives(0x42, DELIVER_NS));
	CHECK_EQ(poll_faults(), 0);
	CHECK_OK(iomm_irq_free(&irq));
}

static void case_sid_blocked(void)
{
	edu_up();
	vtd_up();
	static struct iomm_dev other;
	static struct iomm_irq theirs, ours;
	struct iomm_msi_msg msg_theirs, msg_ours;
	REQUIRE(iomm_dev_init(&other, &vtd.unit, &IOMM_PCI(0, 4, 0)) == IOMM_OK);
	struct iomm_irq_cfg t = to_cpu(0x50);
	CHECK_OK(iomm_irq_alloc(&vtd.unit, &other, &t, &theirs, &msg_theirs));
	t = to_cpu(0x51);
	CHECK_OK(iomm_irq_alloc(&vtd.unit, &dev, &t, &ours, &msg_ours));

	harness_step("edu signals through an entry made for 00:04.0: blocked, fault 0x26");
	CHECK(!signal(&msg_theirs, 0x50, QUIET_NS));
	poll_faults();
	CHECK(saw_ir_fault(0x26, theirs.index));
	CHECK(nfaults > 0 && faults[0].reason == IOMM_FAULT_PERMISSION);

	harness_step("control: edu's own entry delivers in the same run");
	CHECK(signal(&msg_ours, 0x51, DELIVER_NS));
	CHECK(!irr_has(0x50));
	CHECK_EQ(poll_faults(), 0);
}

static void case_cfi_off(void)
{
	edu_up();
	harness_step("control, before the library runs: a compatibility-format MSI arrives");
	struct iomm_msi_msg c = compat(0x60);
	CHECK(signal(&c, 0x60, DELIVER_NS));
	vtd_up(); /* checks GSTS: IRES and IRTPS set, CFIS clear */
	harness_step("interrupt remapping on, CFI left off (what QEMU does with it is noted only)");
	c = compat(0x61);
	bool passed = signal(&c, 0x61, QUIET_NS);
	harness_note_dec("compatibility-format MSI delivered by QEMU (1 = the model's gap):",
			 passed);
	(void)poll_faults();
	harness_step("remapped delivery still works in the same run");
	static struct iomm_irq irq;
	struct iomm_msi_msg msg;
	struct iomm_irq_cfg t = to_cpu(0x62);
	CHECK_OK(iomm_irq_alloc(&vtd.unit, &dev, &t, &irq, &msg));
	CHECK(signal(&msg, 0x62, DELIVER_NS));
}

/* The IRR as it is now. */
static void irr_snap(uint32_t out[8])
{
	for (unsigned i = 0; i < 8; i++)
		out[i] = qemu_mmio_read32(LAPIC_BASE + LAPIC_IRR + 0x10u * i);
}

/* No vector became pending since @before, within @ns. */
static bool irr_quiet(const uint32_t before[8], uint64_t ns)
{
	uint64_t t0 = qemu_now_ns();
	do {
		uint32_t now[8];
		irr_snap(now);
		for (unsigned i = 0; i < 8; i++)
			if (now[i] & ~before[i])
				return false;
	} while (qemu_now_ns() - t0 < ns);
	return true;
}

/* An interrupt-remapping fault with reason @raw and index @index, from any source. */
static bool saw_ir_fault_any(uint32_t raw, uint32_t index)
{
	for (unsigned i = 0; i < nfaults && i < MAX_FAULTS; i++)
		if (faults[i].raw == raw && (faults[i].flags & IOMM_FAULT_IRQ) &&
		    faults[i].addr == index)
			return true;
	return false;
}

static void case_forged_dma(void)
{
	edu_up();
	/* Before anything is set up DMA passes: load the forged message data into
	 * edu's buffer (offsets 0 and 4: two compatibility-format vectors; 8: zero). */
	static uint32_t forged[4] __attribute__((aligned(16)));
	forged[0] = 0x70;
	forged[1] = 0x71;
	forged[2] = 0;
	forged[3] = 0;
	REQUIRE(edu_dma_to_device(&edu, pa_of(forged), 0, sizeof(forged)) == EDU_OK);

	harness_step("control, before the library runs: a DMA write of 0x70 to 0xfee00000 "
		     "raises vector 0x70");
	REQUIRE(edu_dma_from_device(&edu, 0xfee00000u | (uint64_t)apic_id << 12, 0, 4) == EDU_OK);
	CHECK(arrives(0x70, DELIVER_NS));

	vtd_up();
	static struct iomm_dev other;
	static struct iomm_irq theirs, ours;
	struct iomm_msi_msg m_theirs, m_ours;
	REQUIRE(iomm_dev_init(&other, &vtd.unit, &IOMM_PCI(0, 4, 0)) == IOMM_OK);
	struct iomm_irq_cfg t = to_cpu(0x72);
	CHECK_OK(iomm_irq_alloc(&vtd.unit, &other, &t, &theirs, &m_theirs));
	t = to_cpu(0x73);
	CHECK_OK(iomm_irq_alloc(&vtd.unit, &dev, &t, &ours, &m_ours));
	/* every other handle of the table is free */
	uint32_t free_index = ours.index + 1u;
	uint64_t forged_free = 0xfee00010u | (uint64_t)free_index << 5;
	uint64_t forged_far = 0xfee00010u | (uint64_t)300u << 5; /* the table has 256 */

	uint32_t before[8];
	irr_snap(before);
	harness_step("forged remappable-format write naming a free entry: no interrupt, fault 0x22");
	REQUIRE(edu_dma_from_device(&edu, forged_free, 8, 4) == EDU_OK); /* data 0 */
	CHECK(irr_quiet(before, QUIET_NS));
	poll_faults();
	CHECK(saw_ir_fault_any(0x22, free_index));
	harness_step("forged write naming an entry beyond the table: no interrupt, fault 0x21");
	REQUIRE(edu_dma_from_device(&edu, forged_far, 8, 4) == EDU_OK);
	CHECK(irr_quiet(before, QUIET_NS));
	poll_faults();
	CHECK(saw_ir_fault_any(0x21, 300));

	harness_step("noted only: what QEMU does with the forgeries it does not check");
	REQUIRE(edu_dma_from_device(&edu, 0xfee00000u | (uint64_t)apic_id << 12, 4, 4) == EDU_OK);
	harness_note_dec("forged compatibility-format write delivered (QEMU passes it):",
			 arrives(0x71, QUIET_NS));
	REQUIRE(edu_dma_from_device(&edu, m_theirs.addr, 8, 4) == EDU_OK);
	harness_note_dec("forged write naming 00:04.0's entry delivered (no requester ID on DMA):",
			 arrives(0x72, QUIET_NS));
	(void)poll_faults();

	harness_step("control: edu's own MSI through its own entry still arrives");
	CHECK(signal(&m_ours, 0x73, DELIVER_NS));
}

static void case_free_iec(void)
{
	edu_up();
	vtd_up();
	static struct iomm_irq irq;
	struct iomm_msi_msg msg;
	struct iomm_irq_cfg t = to_cpu(0x80);
	harness_step("an entry for edu delivers vector 0x80");
	CHECK_OK(iomm_irq_alloc(&vtd.unit, &dev, &t, &irq, &msg));
	CHECK(signal(&msg, 0x80, DELIVER_NS));
	harness_step("retarget to 0x81, then free: the message is blocked, nothing arrives");
	t = to_cpu(0x81);
	CHECK_OK(iomm_irq_update(&irq, &t));
	uint64_t iec = vtd.stats.iec_index;
	uint32_t index = irq.index;
	CHECK_OK(iomm_irq_free(&irq));
	CHECK_EQ(vtd.stats.iec_index - iec, 1);
	CHECK_EQ(vtd.stats.irq_entries, 0);
	edu_raise_irq(&edu, 1);
	CHECK(!arrives(0x81, QUIET_NS));
	poll_faults();
	CHECK(saw_ir_fault(0x22, index));
	CHECK(nfaults > 0 && faults[0].reason == IOMM_FAULT_TRANSLATION);
}

void scenario_main(void)
{
	switch (IOMM_QEMU_VTD_IR_CASE) {
	case 1:
		case_deliver();
		break;
	case 2:
		case_sid_blocked();
		break;
	case 3:
		case_cfi_off();
		break;
	case 4:
		case_forged_dma();
		break;
	case 5:
		case_free_iec();
		break;
	default:
		harness_fatal("unknown IOMM_QEMU_VTD_IR_CASE", __FILE__, __LINE__);
	}
}
