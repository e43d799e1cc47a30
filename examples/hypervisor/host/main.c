/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The EL2 host of examples/hypervisor, as a QEMU scenario: it sets up one
 * VM (region A of guest RAM, edu's BAR passed through, an emulated MMIO
 * window), confines edu to A with the library's host role on the SMMUv3,
 * loads the guest image and runs case HV_HOST_CASE of it (hv_abi.h), then
 * checks what the guest reported against what the host observed.
 *
 * Build and run: tests/qemu/CMakeLists.txt (qemu-hypervisor-* tests),
 * QEMU with -M virt,virtualization=on,iommu=smmuv3 -cpu cortex-a57.
 */
#include <iommuman/smmuv3.h>
#include <iommuman/vm.h>

#include "edu.h"
#include "harness.h"
#include "hv.h"
#include "hv_abi.h"

#ifndef HV_HOST_CASE
#define HV_HOST_CASE HV_CASE_HELLO
#endif

int memcmp(const void *a, const void *b, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);

extern const uint8_t hv_guest_elf[], hv_guest_elf_end[];
extern char __image_start[];

/* Region A: host memory the guest sees as its RAM at HV_GUEST_RAM_IPA. */
static uint8_t guest_ram[HV_GUEST_RAM_SIZE] __attribute__((aligned(0x200000)));
static uint8_t strtab[256 * 64] __attribute__((aligned(256 * 64)));
static uint8_t cmdq[4096] __attribute__((aligned(4096)));
static uint8_t evtq[64 * 1024] __attribute__((aligned(64 * 1024)));

static struct iomm_smmuv3 smmu;
static struct edu edu;
static struct iomm_vm vm;
static struct hv_ram ram;
static uint64_t guest_entry;

/* ---- what the guest reports ---- */
struct report {
	uint64_t key, a, b;
};
static struct report reports[32];
static unsigned nreports;

static void on_report(uint64_t key, uint64_t a, uint64_t b)
{
	if (nreports < 32) {
		reports[nreports].key = key;
		reports[nreports].a = a;
		reports[nreports].b = b;
	}
	nreports++;
	static const char *const names[] = {"?", "hello (EL, case)", "virtual IRQs taken",
					    "MMIO read (offset, value)", "DMA done (address, status)",
					    "CPU read outside (IPA, value)", "DMA read back (address, first 8 bytes)"};
	qemu_puts("   [host] guest reports ");
	qemu_puts(names[key < sizeof(names) / sizeof(names[0]) ? key : 0]);
	qemu_puts(": ");
	qemu_puthex(a);
	qemu_puts(", ");
	qemu_puthex(b);
	qemu_puts("\n");
}

static const struct report *find_report(uint64_t key, uint64_t a)
{
	for (unsigned i = 0; i < nreports && i < 32; i++)
		if (reports[i].key == key && reports[i].a == a)
			return &reports[i];
	return NULL;
}

/* ---- SMMU events ---- */
struct faults {
	struct iomm_fault f[64];
	unsigned n;
};

static void collect(void *arg, const struct iomm_fault *f)
{
	struct faults *l = arg;
	if (l->n < 64)
		l->f[l->n] = *f;
	l->n++;
}

static bool saw(const struct faults *l, uint32_t id, uint64_t addr)
{
	for (unsigned i = 0; i < l->n && i < 64; i++)
		if (l->f[i].sid == id && l->f[i].addr == addr)
			return true;
	return false;
}

/* ---- setup: the VM on the SMMU and on the CPU ---- */

static void setup(void)
{
	const struct pci_loc want = {IOMM_QEMU_EDU_BUS, IOMM_QEMU_EDU_DEV, IOMM_QEMU_EDU_FN};
	uint64_t el;

	harness_step("host: running at EL2");
	__asm__ __volatile__("mrs %0, CurrentEL" : "=r"(el));
	harness_note_dec("CurrentEL:", (el >> 2) & 3u);
	REQUIRE(((el >> 2) & 3u) == 2u);
	REQUIRE(edu_init(&edu, want) == EDU_OK);

	harness_step("host: SMMUv3 up; VM with A = guest RAM (IPA 0x80000000, 2 MiB); edu assigned");
	struct iomm_smmuv3_mem mem = {
	    .strtab = strtab,
	    .strtab_pa = pa_of(strtab),
	    .strtab_size = sizeof(strtab),
	    .cmdq = cmdq,
	    .cmdq_pa = pa_of(cmdq),
	    .cmdq_size = sizeof(cmdq),
	    .evtq = evtq,
	    .evtq_pa = pa_of(evtq),
	    .evtq_size = sizeof(evtq),
	};
	REQUIRE(iomm_smmuv3_init(&smmu, &qemu_port, QEMU_BOARD_SMMU_BASE, &mem, NULL, NULL) ==
		IOMM_OK);
	static struct iomm_vm_region a[1];
	a[0].gpa = HV_GUEST_RAM_IPA;
	a[0].hpa = pa_of(guest_ram);
	a[0].size = HV_GUEST_RAM_SIZE;
	a[0].prot = IOMM_READ | IOMM_WRITE;
	uint64_t pool_pa;
	void *pool_mem = qemu_table_mem(64 * 4096, 4096, &pool_pa);
	REQUIRE(pool_mem != NULL);
	static struct iomm_pool pool;
	REQUIRE(iomm_pool_init(&pool, &qemu_port, pool_mem, 64 * 4096, pool_pa, 4096) == IOMM_OK);
	static struct iomm_vm_endpoint eps[2];
	static struct iomm_vm_gdom doms[2];
	static struct iomm_vm_mapping maps[8];
	static struct iomm_vm_event evs[16];
	struct iomm_vm_cfg cfg = {0};
	cfg.regions = a;
	cfg.nregions = 1;
	cfg.pool = &pool;
	cfg.endpoints = eps;
	cfg.nendpoints = 2;
	cfg.domains = doms;
	cfg.ndomains = 2;
	cfg.mappings = maps;
	cfg.nmappings = 8;
	cfg.events = evs;
	cfg.nevents = 16;
	cfg.policy = IOMM_VM_CONFINE;
	REQUIRE(iomm_vm_init(&vm, &cfg) == IOMM_OK);
	REQUIRE(iomm_vm_assign(&vm, &smmu.unit, &IOMM_SID(edu_rid(&edu)), 8) == IOMM_OK);
	harness_note_hex("A is backed by host memory at", pa_of(guest_ram));

	harness_step("host: stage 2 for the CPU (A, edu BAR0 at IPA 0x20000000; window 0x0a000000 traps)");
	hv_stage2_reset();
	REQUIRE(hv_stage2_map(HV_GUEST_RAM_IPA, pa_of(guest_ram), HV_GUEST_RAM_SIZE, HV_S2_NORMAL));
	REQUIRE(hv_stage2_map(HV_GUEST_EDU_IPA, edu.bar0, 4096, HV_S2_DEVICE));
	ram.ipa = HV_GUEST_RAM_IPA;
	ram.size = HV_GUEST_RAM_SIZE;
	ram.host = guest_ram;
	REQUIRE(hv_load_elf(&ram, hv_guest_elf, (size_t)(hv_guest_elf_end - hv_guest_elf), &guest_entry));
	harness_note_hex("guest ELF loaded into A; entry IPA", guest_entry);
	hv_stage2_enable();
}

static void run(uint64_t which, uint64_t arg, struct hv_run_log *log)
{
	static const struct hv_observer obs = {.report = on_report};
	nreports = 0;
	hv_run(&ram, guest_entry, which, arg, &obs, log);
	CHECK(log->done);
	CHECK(!log->failed);
	CHECK_EQ(log->verdict, 0);
}

/* ---- the cases ---- */

static void case_hello(void)
{
	struct hv_run_log log;

	harness_step("guest: runs at EL1 under stage 2, reports back, takes a virtual IRQ");
	run(HV_CASE_HELLO, 0, &log);
	const struct report *r = find_report(HV_KEY_HELLO, 1);
	CHECK(r != NULL && r->b == HV_CASE_HELLO);
	CHECK_EQ(log.irqs_injected, 1);
	CHECK_EQ(log.eois, 1);
	r = find_report(HV_KEY_IRQ, 1);
	CHECK(r != NULL);
	harness_note_dec("guest exits handled:", log.exits);
}

struct mmio_want {
	uint64_t offset;
	uint8_t width;
	bool is_write;
	uint64_t value;
};

static void case_mmio(void)
{
	static const struct mmio_want want[] = {
	    {0x00, 1, true, 0xa5},  {0x02, 2, true, 0xbeef},
	    {0x04, 4, true, 0xdeadbeef}, {0x08, 8, true, 0x0123456789abcdefull},
	    {0x20, 4, true, 0},	    {0x00, 1, false, 0xa5},
	    {0x02, 2, false, 0xbeef}, {0x04, 4, false, 0xdeadbeef},
	    {0x08, 8, false, 0x0123456789abcdefull}, {0x20, 4, false, 0},
	    {0x10, 1, false, 0x9c}, {0x12, 2, false, 0x4321},
	    {0x14, 4, false, 0x89abcdef}, {0x18, 8, false, 0x1122334455667788ull},
	    {0x10, 1, false, 0x9c},
	};
	static const uint8_t preset[16] = {0x9c, 0,    0x21, 0x43, 0xef, 0xcd, 0xab, 0x89,
					   0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11};
	struct hv_run_log log;
	const struct report *r;

	harness_step("guest: 8/16/32/64-bit MMIO to the emulated window traps to hv_vmmio_access()");
	harness_note("(the host presets scratch 0x10-0x1f; what the dispatch function saw follows the run)");
	memcpy(&hv_scratch[0x10], preset, sizeof(preset));
	hv_scratch[0x20] = 0xff; /* the guest's store of wzr must clear it */
	run(HV_CASE_MMIO, 0, &log);
	CHECK_EQ(log.nmmio, sizeof(want) / sizeof(want[0]));
	for (unsigned i = 0; i < log.nmmio && i < sizeof(want) / sizeof(want[0]); i++) {
		const struct hv_mmio_rec *m = &log.mmio[i];
		qemu_puts(m->is_write ? "   [host] write " : "   [host] read  ");
		qemu_putdec(8u * m->width);
		qemu_puts("-bit at window offset ");
		qemu_puthex(m->offset);
		qemu_puts(": ");
		qemu_puthex(m->value);
		qemu_puts("\n");
		CHECK_EQ(m->offset, want[i].offset);
		CHECK_EQ(m->width, want[i].width);
		CHECK_EQ(m->is_write, want[i].is_write);
		CHECK_EQ(m->value, want[i].value);
	}
	harness_step("the guest's loads returned the host's scratch values");
	r = find_report(HV_KEY_MMIO_READ, 0x10);
	CHECK(r != NULL && r->b == 0x9c);
	r = find_report(HV_KEY_MMIO_READ, 0x12);
	CHECK(r != NULL && r->b == 0x4321);
	r = find_report(HV_KEY_MMIO_READ, 0x14);
	CHECK(r != NULL && r->b == 0x89abcdef);
	r = find_report(HV_KEY_MMIO_READ, 0x18);
	CHECK(r != NULL && r->b == 0x1122334455667788ull);
	r = find_report(HV_KEY_MMIO_READ, 0x110); /* ldrsb: sign-extended by the host */
	CHECK(r != NULL && r->b == 0xffffffffffffff9cull);
	CHECK_EQ(hv_scratch[0x20], 0);
	CHECK_EQ(log.naborts, 0);
}

static void case_dma(void)
{
	struct hv_run_log log;
	struct faults ev = {.n = 0};
	const struct report *r;
	bool ok = true;

	harness_step("guest: edu DMA with device address 0x80101000 (inside A)");
	run(HV_CASE_DMA, 0, &log);
	r = find_report(HV_KEY_DMA_DONE, HV_GUEST_DMA_DST_IPA);
	CHECK(r != NULL && r->b == 0);
	harness_step("host: the bytes landed at A's host address for that IPA");
	const uint8_t *hp = guest_ram + (HV_GUEST_DMA_DST_IPA - HV_GUEST_RAM_IPA);
	harness_note_hex("host physical address:", pa_of(hp));
	for (unsigned i = 0; i < 64u; i++)
		ok = ok && hp[i] == (uint8_t)(0x40u + i);
	CHECK(ok);
	CHECK(iomm_fault_poll(&smmu.unit, collect, &ev) >= 0);
	CHECK_EQ(ev.n, 0);
}

static void case_dma_outside(void)
{
	static uint8_t before[64];
	uint64_t img = pa_of(__image_start), code = 0;
	struct hv_run_log log;
	struct faults ev = {.n = 0};
	const struct report *r;

	memcpy(before, __image_start, sizeof(before));
	for (unsigned i = 0; i < 8u; i++)
		code |= (uint64_t)before[i] << (8u * i);
	harness_step("guest: edu DMA to 0x90000000 (outside A) and to the host's image");
	harness_note_hex("host image at", img);
	run(HV_CASE_DMA_OUTSIDE, img, &log);
	harness_step("host: the SMMU blocked both and reported them in its event queue");
	CHECK(iomm_fault_poll(&smmu.unit, collect, &ev) >= 0);
	for (unsigned i = 0; i < ev.n && i < 64u; i++) {
		if (i && ev.f[i].addr >> 12 == ev.f[i - 1].addr >> 12)
			continue; /* one line per blocked transfer */
		qemu_puts("   [host] SMMU event: stream ");
		qemu_puthex(ev.f[i].sid);
		qemu_puts(" address ");
		qemu_puthex(ev.f[i].addr);
		qemu_puts("\n");
	}
	harness_note_dec("SMMU events:", ev.n);
	CHECK(saw(&ev, edu_rid(&edu), 0x90000000));
	CHECK(saw(&ev, edu_rid(&edu), img));
	CHECK(memcmp(before, __image_start, sizeof(before)) == 0);
	r = find_report(HV_KEY_DMA_PEEK, img);
	harness_step("host: reading the host's image through edu brought the guest zeros, not code");
	CHECK(r != NULL && r->b == 0 && r->b != code);
}

static void case_cpu_outside(void)
{
	uint64_t img = pa_of(__image_start);
	static uint8_t before[64];
	struct hv_run_log log;
	const struct report *r;

	memcpy(before, __image_start, sizeof(before));
	harness_step("guest: CPU load/store at the host's image and at 0x90000000");
	run(HV_CASE_CPU_OUTSIDE, img, &log);
	harness_step("host: three stage-2 aborts reported, none served");
	CHECK_EQ(log.naborts, 3);
	CHECK(log.aborts[0].ipa == img && !log.aborts[0].is_write);
	CHECK(log.aborts[1].ipa == img && log.aborts[1].is_write);
	CHECK(log.aborts[2].ipa == 0x90000000 && !log.aborts[2].is_write);
	r = find_report(HV_KEY_CPU_READ, img);
	CHECK(r != NULL && r->b == HV_UNBACKED_READ);
	r = find_report(HV_KEY_CPU_READ, 0x90000000);
	CHECK(r != NULL && r->b == HV_UNBACKED_READ);
	CHECK(memcmp(before, __image_start, sizeof(before)) == 0);
}

static void case_undecodable(void)
{
	struct hv_run_log log;

	harness_step("guest: a load pair from the emulated window (ESR ISV = 0)");
	nreports = 0;
	hv_run(&ram, guest_entry, HV_CASE_UNDECODABLE, 0, NULL, &log);
	harness_step("host: cannot decode it, so the guest is stopped; nothing was emulated");
	CHECK(log.failed);
	CHECK(!log.done);
	CHECK_EQ(log.nmmio, 0);
	CHECK_EQ(nreports, 0);
}

void scenario_main(void)
{
	setup();
	switch (HV_HOST_CASE) {
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
		case_dma_outside();
		break;
	case HV_CASE_CPU_OUTSIDE:
		case_cpu_outside();
		break;
	case HV_CASE_UNDECODABLE:
		case_undecodable();
		break;
	default:
		harness_fatal("unknown HV_HOST_CASE", __FILE__, __LINE__);
	}
	CHECK_OK(iomm_vm_audit(&vm));
}
