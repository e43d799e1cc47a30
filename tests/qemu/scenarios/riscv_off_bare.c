/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scenario "riscv64 IOMMU Off/Bare" (qemu-riscv64-iommu-off-bare): edu's DMA
 * through QEMU's riscv-iommu-pci, driven by register writes (the library has
 * no RISC-V backend yet):
 *
 *  1. ddtp Off (reset): edu's DMA write to RAM is blocked (the buffer stays
 *     as it was), and both it and a DMA read put records with cause 256
 *     ("all inbound transactions disallowed") and edu's device_id in the
 *     fault queue;
 *  2. ddtp Bare (written, busy polled with a timeout from the port clock):
 *     the same DMA round trip RAM -> edu -> RAM lands;
 *  3. back to Off: ddtp written, then IODIR.INVAL_DDT and IOFENCE.C through
 *     the command queue (the IOMMU may cache the Bare decision until then:
 *     QEMU 10.0.2 does, which the log notes);
 *     the fence's completion write is seen and edu's DMA is blocked again.
 */
#include "edu.h"
#include "harness.h"
#include "riscv_iommu_regs.h"

#ifndef IOMM_QEMU_EDU_DEV
#error "IOMM_QEMU_EDU_BUS/DEV/FN come from tests/qemu/CMakeLists.txt"
#endif

#define XFER	     256u
#define POLL_NS	     100000000ull /* 100 ms for every register poll */
#define FQ_LOG2_ENTS 11u	  /* 2048 records of 32 bytes: 64 KiB */
#define FQ_BYTES     ((1u << FQ_LOG2_ENTS) * RIOMMU_FQ_REC_SIZE)
#define CQ_LOG2_ENTS 8u /* 256 commands of 16 bytes: one 4 KiB page */

static uint8_t dma_src[4096] __attribute__((aligned(4096)));
static uint8_t dma_dst[4096] __attribute__((aligned(4096)));
static volatile uint32_t fence_done __attribute__((aligned(8)));

/* Queue entries are little-endian 64-bit words, stored here as native ones. */
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the queue accesses below assume a little-endian CPU (riscv64 is)"
#endif

static uintptr_t regs;
static volatile uint64_t *fq, *cq;
static uint32_t fq_head, cq_tail;

/* Poll until (read32(off) & mask) == want, at most POLL_NS. */
static bool poll32(uint32_t off, uint32_t mask, uint32_t want)
{
	uint64_t t0 = qemu_now_ns();

	for (;;) {
		if ((qemu_mmio_read32(regs + off) & mask) == want)
			return true;
		if (qemu_now_ns() - t0 > POLL_NS)
			return false;
	}
}

/* Write ddtp with @mode (no table) and wait until busy clears; returns the ddtp read back. */
static uint64_t ddtp_set(uint32_t mode, uint64_t *ns)
{
	uint64_t t0 = qemu_now_ns(), v;

	qemu_mmio_write64(regs + RIOMMU_DDTP, mode);
	do {
		v = qemu_mmio_read64(regs + RIOMMU_DDTP);
	} while ((v & RIOMMU_DDTP_BUSY) && qemu_now_ns() - t0 <= POLL_NS);
	*ns = qemu_now_ns() - t0;
	return v;
}

static bool queues_init(void)
{
	uint64_t fq_pa, cq_pa;
	/* A queue of 4 KiB or more is aligned to its size. */
	void *f = qemu_table_mem(FQ_BYTES, FQ_BYTES, &fq_pa);
	void *c = qemu_table_mem(4096, 4096, &cq_pa);

	if (!f || !c)
		return false;
	fq = f;
	cq = c;
	qemu_mmio_write64(regs + RIOMMU_FQB,
			  (fq_pa >> 12) << RIOMMU_QB_PPN_SHIFT | (FQ_LOG2_ENTS - 1u));
	qemu_mmio_write32(regs + RIOMMU_FQH, 0);
	qemu_mmio_write32(regs + RIOMMU_FQCSR, RIOMMU_QCSR_EN);
	qemu_mmio_write64(regs + RIOMMU_CQB,
			  (cq_pa >> 12) << RIOMMU_QB_PPN_SHIFT | (CQ_LOG2_ENTS - 1u));
	qemu_mmio_write32(regs + RIOMMU_CQT, 0);
	qemu_mmio_write32(regs + RIOMMU_CQCSR, RIOMMU_QCSR_EN);
	return poll32(RIOMMU_FQCSR, RIOMMU_QCSR_ON | RIOMMU_QCSR_BUSY, RIOMMU_QCSR_ON) &&
	       poll32(RIOMMU_CQCSR, RIOMMU_QCSR_ON | RIOMMU_QCSR_BUSY, RIOMMU_QCSR_ON);
}

/*
 * Consume the new fault records; check each is cause 256 from @did, an
 * untranslated read or write. Returns how many. (QEMU 10.0.2 writes one
 * record per 4 bytes of a blocked transfer, and TTYP 2, untranslated read,
 * for edu's writes to RAM too: the direction is not checked.)
 */
static unsigned faults_take(uint32_t did)
{
	uint32_t tail = qemu_mmio_read32(regs + RIOMMU_FQT), mask = (1u << FQ_LOG2_ENTS) - 1u;
	unsigned n = 0;

	qemu_mb();
	while (fq_head != tail) {
		uint64_t w0 = fq[fq_head * (RIOMMU_FQ_REC_SIZE / 8u)];
		uint64_t ttyp = (w0 & RIOMMU_FQ_TTYP_MASK) >> RIOMMU_FQ_TTYP_SHIFT;

		if (n < 2u)
			harness_note_hex("fault record word 0", w0);
		CHECK_EQ(w0 & RIOMMU_FQ_CAUSE_MASK, RIOMMU_CAUSE_DMA_DISALLOWED);
		CHECK_EQ((w0 & RIOMMU_FQ_DID_MASK) >> RIOMMU_FQ_DID_SHIFT, did);
		CHECK(ttyp == RIOMMU_TTYP_UADDR_RD || ttyp == RIOMMU_TTYP_UADDR_WR);
		fq_head = (fq_head + 1u) & mask;
		n++;
	}
	qemu_mmio_write32(regs + RIOMMU_FQH, fq_head);
	return n;
}

static void cmd_put(uint64_t w0, uint64_t w1)
{
	cq[cq_tail * 2u] = w0;
	cq[cq_tail * 2u + 1u] = w1;
	cq_tail = (cq_tail + 1u) & ((1u << CQ_LOG2_ENTS) - 1u);
}

/* A DMA round trip: @pat from dma_src into edu, then back into dma_dst (set to 0xee first). */
static void round_trip(struct edu *e, uint8_t pat)
{
	fill(dma_src, pat, XFER);
	fill(dma_dst, 0xee, XFER);
	CHECK_EQ(edu_dma_to_device(e, pa_of(dma_src), 0, XFER), EDU_OK);
	CHECK_EQ(edu_dma_from_device(e, pa_of(dma_dst), 0, XFER), EDU_OK);
	harness_note_dec("one edu transfer took (ns)", e->last_ns);
}

void scenario_main(void)
{
	struct pci_loc iommu, want_edu = {IOMM_QEMU_EDU_BUS, IOMM_QEMU_EDU_DEV, IOMM_QEMU_EDU_FN};
	struct edu edu;
	uint64_t bar = 0, size = 0, v, ns = 0, t0;
	unsigned n;

	harness_step("find the IOMMU and edu, enable the queues");
	REQUIRE(pci_find(RIOMMU_PCI_VENDOR, RIOMMU_PCI_DEVICE, &iommu));
	REQUIRE(pci_bar_setup(iommu, 0, &bar, &size));
	pci_enable(iommu, true, true);
	regs = (uintptr_t)bar;
	REQUIRE(edu_init(&edu, want_edu) == EDU_OK);
	REQUIRE((qemu_mmio_read64(regs + RIOMMU_DDTP) & RIOMMU_DDTP_MODE_MASK) ==
		RIOMMU_DDTP_MODE_OFF);
	REQUIRE(queues_init());

	harness_step("ddtp Off: edu's DMA is blocked and reported");
	fill(dma_dst, 0xee, XFER);
	CHECK_EQ(edu_dma_from_device(&edu, pa_of(dma_dst), 0, XFER), EDU_OK);
	CHECK(all(dma_dst, 0xee, XFER)); /* the write to RAM did not land */
	n = faults_take(edu_rid(&edu));
	harness_note_dec("fault records of the write", n);
	CHECK(n >= 1u);
	CHECK_EQ(edu_dma_to_device(&edu, pa_of(dma_src), 0, XFER), EDU_OK);
	n = faults_take(edu_rid(&edu));
	harness_note_dec("fault records of the read", n);
	CHECK(n >= 1u);

	harness_step("ddtp Bare: edu's DMA lands");
	v = ddtp_set(RIOMMU_DDTP_MODE_BARE, &ns);
	harness_note_hex("ddtp", v);
	harness_note_dec("ddtp write to busy clear (ns)", ns);
	CHECK(!(v & RIOMMU_DDTP_BUSY));
	CHECK_EQ(v & RIOMMU_DDTP_MODE_MASK, RIOMMU_DDTP_MODE_BARE);
	round_trip(&edu, 0xa5);
	CHECK(all(dma_dst, 0xa5, XFER));
	CHECK_EQ(faults_take(edu_rid(&edu)), 0);

	harness_step("back to Off: ddtp, IODIR.INVAL_DDT, IOFENCE.C");
	v = ddtp_set(RIOMMU_DDTP_MODE_OFF, &ns);
	CHECK(!(v & RIOMMU_DDTP_BUSY));
	CHECK_EQ(v & RIOMMU_DDTP_MODE_MASK, RIOMMU_DDTP_MODE_OFF);
	/*
	 * Before the invalidation the IOMMU may still use its cached Bare
	 * context: what edu's write does now is noted, not checked (the
	 * specification leaves it open).
	 */
	fill(dma_dst, 0xee, XFER);
	CHECK_EQ(edu_dma_from_device(&edu, pa_of(dma_dst), 0, XFER), EDU_OK);
	harness_note(all(dma_dst, 0xa5, XFER)
			 ? "Off before IODIR.INVAL_DDT: edu's write landed (cached)"
			 : "Off before IODIR.INVAL_DDT: edu's write was blocked");
	harness_note_dec("fault records", faults_take(edu_rid(&edu)));
	fence_done = 0;
	/* DV = 0: every device's cached context. */
	cmd_put(RIOMMU_CMD_IODIR | (uint64_t)RIOMMU_CMD_IODIR_FUNC_INVAL_DDT
				       << RIOMMU_CMD_FUNC3_SHIFT,
		0);
	cmd_put(RIOMMU_CMD_IOFENCE | (uint64_t)RIOMMU_CMD_IOFENCE_FUNC_C << RIOMMU_CMD_FUNC3_SHIFT |
		    RIOMMU_CMD_IOFENCE_AV | (uint64_t)0x600dcafeu << RIOMMU_CMD_IOFENCE_DATA_SHIFT,
		pa_of((const void *)&fence_done) >> 2); /* ADDR[63:2] */
	qemu_wmb();
	t0 = qemu_now_ns();
	qemu_mmio_write32(regs + RIOMMU_CQT, cq_tail);
	CHECK(poll32(RIOMMU_CQH, 0xffffffffu, cq_tail));
	while (fence_done != 0x600dcafeu && qemu_now_ns() - t0 <= POLL_NS)
		;
	harness_note_dec("commands consumed and fence written (ns)", qemu_now_ns() - t0);
	CHECK_EQ(fence_done, 0x600dcafeu);
	harness_note_hex("cqcsr", qemu_mmio_read32(regs + RIOMMU_CQCSR));
	CHECK(!(qemu_mmio_read32(regs + RIOMMU_CQCSR) & (RIOMMU_QCSR_MF | RIOMMU_QCSR_OF)));
	round_trip(&edu, 0x3c);
	CHECK(all(dma_dst, 0xee, XFER));
	n = faults_take(edu_rid(&edu));
	harness_note_dec("fault records", n);
	CHECK(n >= 1u);
	CHECK(!(qemu_mmio_read32(regs + RIOMMU_FQCSR) & (RIOMMU_QCSR_MF | RIOMMU_QCSR_OF)));
}
