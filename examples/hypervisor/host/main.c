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
#include <iommuman/vmmio.h>

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
static struct iomm_vmmio_front front;
static struct hv_ram ram;
static uint64_t guest_entry;

/* ---- what the guest reports ---- */
struct report {
	uint64_t key, a, b;
};
static struct report reports[32];
static unsigned nreports;

/* edu's table when the guest reported its device reset (case viommu-reset). */
struct leaves {
	struct iomm_mapping m[16];
	unsigned n;
};
static struct leaves after_reset;
static void edu_table(struct leaves *l);

static const char *const step_names[] = {
    "?",
    "virtio-iommu up, edu attached (status)",
    "MAP B (status)",
    "DMA through B's IOVA (0: the pattern arrived)",
    "DMA outside the mappings (0: nothing arrived)",
    "MAP outside A (status)",
    "MAP of the host's image (status)",
    "writable MAP of A's read-only part (status)",
    "read-only MAP of A's read-only part (status)",
    "MAP over the MSI window (status)",
    "descriptor loop (device Status; 0x100: DMA in A failed)",
    "response buffer outside A (device Status; 0x100: DMA in A failed)",
    "request buffer at the host's image (device Status; 0x100: DMA in A failed)",
    "UNMAP B (status)",
    "DMA through B's IOVA after it went (0: nothing arrived)",
    "device reset (Status read back)",
    "DMA inside A, VM policy (0: the pattern arrived)",
    "fault events read from the event queue",
    "DMA inside A right after the reset (0: nothing arrived)",
    "config.bypass written 1 (read back)",
};

static bool step_is_status(uint64_t a)
{
	return a == HV_STEP_UP || a == HV_STEP_MAP_B || (a >= HV_STEP_MAP_OUTSIDE_A && a <= HV_STEP_MAP_MSI) ||
	       a == HV_STEP_UNMAP_B;
}

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
					    "CPU read outside (IPA, value)", "DMA read back (address, first 8 bytes)",
					    "result", "fault from its virtio-iommu event queue (endpoint, address)"};
	qemu_puts("   [host] guest reports ");
	qemu_puts(names[key < sizeof(names) / sizeof(names[0]) ? key : 0]);
	qemu_puts(": ");
	if (key == HV_KEY_RESULT) {
		qemu_puts(step_names[a < sizeof(step_names) / sizeof(step_names[0]) ? a : 0]);
		qemu_puts(" = ");
		if (step_is_status(a)) {
			qemu_puts(iomm_strerror((int)(int64_t)b));
		} else {
			qemu_puthex(b);
		}
	} else {
		qemu_puthex(a);
		qemu_puts(", ");
		qemu_puthex(b);
	}
	qemu_puts("\n");
	if (key == HV_KEY_RESULT && a == HV_STEP_RESET)
		edu_table(&after_reset);
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

/*
 * SMMU events the host saw while the guest ran. A real host takes the SMMU's
 * event interrupt; this one has no GIC, so every exit of the guest (a trapped
 * register access, a hypercall) gives the host its turn: it drains the SMMU's event queue, routes each
 * fault of the VM's device to the VM (iomm_vm_fault_route()), and the
 * front delivers them into the guest's virtio-iommu event queue.
 */
static struct faults seen;

static void route(void *arg, const struct iomm_fault *f)
{
	(void)arg;
	collect(&seen, f);
	(void)iomm_vm_fault_route(&vm, &smmu.unit, f);
}

static unsigned delivered;

static void on_exit_pending(void)
{
	int n;

	(void)iomm_fault_poll(&smmu.unit, route, NULL);
	n = iomm_vmmio_front_poll(&front);
	if (n > 0)
		delivered += (unsigned)n;
}

/* ---- the front's guest-memory hooks: guest-physical inside A, never anything else ---- */

static bool in_ro(uint64_t gpa, size_t len)
{
	return gpa < HV_GUEST_RO_IPA + HV_GUEST_RO_SIZE && HV_GUEST_RO_IPA < gpa + len;
}

static int guest_read(void *ctx, uint64_t gpa, void *buf, size_t len)
{
	const uint8_t *h = hv_ram_host(ctx, gpa, len);

	if (!h)
		return IOMM_EFAULT;
	memcpy(buf, h, len);
	return IOMM_OK;
}

static int guest_write(void *ctx, uint64_t gpa, const void *buf, size_t len)
{
	uint8_t *h = hv_ram_host(ctx, gpa, len);

	if (!h || in_ro(gpa, len)) /* devices (and so the device model) may not write there */
		return IOMM_EFAULT;
	memcpy(h, buf, len);
	return IOMM_OK;
}

static void irq_set(void *ctx, bool level)
{
	(void)ctx;
	hv_set_virq(level);
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
	/* A: guest RAM, its last 64 KiB read-only for devices. */
	static struct iomm_vm_region a[2];
	a[0].gpa = HV_GUEST_RAM_IPA;
	a[0].hpa = pa_of(guest_ram);
	a[0].size = HV_GUEST_RAM_SIZE - HV_GUEST_RO_SIZE;
	a[0].prot = IOMM_READ | IOMM_WRITE;
	a[1].gpa = HV_GUEST_RO_IPA;
	a[1].hpa = pa_of(guest_ram) + (HV_GUEST_RO_IPA - HV_GUEST_RAM_IPA);
	a[1].size = HV_GUEST_RO_SIZE;
	a[1].prot = IOMM_READ;
	/* The MSI doorbell window no guest mapping may cover (PROBE reports it). */
	static const struct iomm_vm_resv msi = {HV_MSI_START, HV_MSI_END, IOMM_VIOMMU_RESV_T_MSI};
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
	cfg.nregions = 2;
	cfg.resv = &msi;
	cfg.nresv = 1;
	cfg.domain_start = 1;
	cfg.domain_end = 0x80;
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
	REQUIRE(edu_rid(&edu) == HV_GUEST_EDU_ENDPOINT);
	REQUIRE(iomm_vm_assign(&vm, &smmu.unit, &IOMM_SID(edu_rid(&edu)), HV_GUEST_EDU_ENDPOINT) ==
		IOMM_OK);
	harness_note_hex("A is backed by host memory at", pa_of(guest_ram));

	harness_step("host: virtio-iommu device model behind a virtio-mmio front at IPA 0x0a000000");
	ram.ipa = HV_GUEST_RAM_IPA;
	ram.size = HV_GUEST_RAM_SIZE;
	ram.host = guest_ram;
	struct iomm_vmmio_front_cfg fc = {
	    .vm = &vm,
	    .ctx = &ram,
	    .guest_read = guest_read,
	    .guest_write = guest_write,
	    .irq_set = irq_set,
	};
	REQUIRE(iomm_vmmio_front_init(&front, &fc) == IOMM_OK);
	hv_vmmio_set_front(&front);

	harness_step("host: stage 2 for the CPU (A, edu BAR0 at IPA 0x20000000; window 0x0a000000 traps)");
	hv_stage2_reset();
	REQUIRE(hv_stage2_map(HV_GUEST_RAM_IPA, pa_of(guest_ram), HV_GUEST_RAM_SIZE, HV_S2_NORMAL));
	REQUIRE(hv_stage2_map(HV_GUEST_EDU_IPA, edu.bar0, 4096, HV_S2_DEVICE));
	REQUIRE(hv_load_elf(&ram, hv_guest_elf, (size_t)(hv_guest_elf_end - hv_guest_elf), &guest_entry));
	harness_note_hex("guest ELF loaded into A; entry IPA", guest_entry);
	hv_stage2_enable();
}

static void run(uint64_t which, uint64_t arg, struct hv_run_log *log)
{
	static const struct hv_observer obs = {.report = on_report, .pending = on_exit_pending};
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
	    {0x124, 1, true, 1},
	    {0x100, 2, true, 0xbeef},
	    {0x030, 4, true, 1},
	    {0x008, 8, true, 0x0123456789abcdefull},
	    {0x070, 4, true, 0},
	    {0x124, 1, false, 1},
	    {0x100, 2, false, 0}, /* page_size_mask[15:0], from the model below */
	    {0x000, 4, false, 0x74726976},
	    {0x008, 4, false, IOMM_VMMIO_DEVICE_ID},
	    {0x000, 8, false, ~0ull},
	    {0x034, 4, false, IOMM_VMMIO_QUEUE_MAX},
	    {0x070, 4, false, 0},
	    {0x11c, 1, false, 0x80}, /* domain_end = 0x80 */
	    {0x000, 4, false, 0x74726976},
	};
	static const int want_rc[] = {0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0};
	uint8_t c[IOMM_VIOMMU_CFG_SIZE];
	struct hv_run_log log;
	const struct report *r;

	REQUIRE(iomm_viommu_dev_config(&vm, c, sizeof(c)) == IOMM_OK);
	harness_step("guest: 8/16/32/64-bit MMIO to the window traps to hv_vmmio_access() -> front");
	run(HV_CASE_MMIO, 0, &log);
	CHECK_EQ(log.nmmio, sizeof(want) / sizeof(want[0]));
	for (unsigned i = 0; i < log.nmmio && i < sizeof(want) / sizeof(want[0]); i++) {
		const struct hv_mmio_rec *m = &log.mmio[i];
		uint64_t v = want[i].value;

		if (i == 6)
			v = (uint64_t)c[0] | (uint64_t)c[1] << 8;
		qemu_puts(m->is_write ? "   [host] write " : "   [host] read  ");
		qemu_putdec(8u * m->width);
		qemu_puts("-bit at window offset ");
		qemu_puthex(m->offset);
		qemu_puts(": ");
		qemu_puthex(m->value);
		qemu_puts(m->rc ? " (refused)\n" : "\n");
		CHECK_EQ(m->offset, want[i].offset);
		CHECK_EQ(m->width, want[i].width);
		CHECK_EQ(m->is_write, want[i].is_write);
		CHECK_EQ(m->value, v);
		CHECK_EQ(m->rc != 0, want_rc[i] != 0);
	}
	harness_step("the guest's loads returned the front's registers (ldrsb sign-extended)");
	r = find_report(HV_KEY_MMIO_READ, 0x124);
	CHECK(r != NULL && r->b == 1);
	r = find_report(HV_KEY_MMIO_READ, 0x100);
	CHECK(r != NULL && r->b == ((uint64_t)c[0] | (uint64_t)c[1] << 8));
	r = find_report(HV_KEY_MMIO_READ, 0x000);
	CHECK(r != NULL && r->b == 0x74726976);
	r = find_report(HV_KEY_MMIO_READ, 0x008);
	CHECK(r != NULL && r->b == IOMM_VMMIO_DEVICE_ID);
	r = find_report(HV_KEY_MMIO_READ, 0x1000);
	CHECK(r != NULL && r->b == ~0ull);
	r = find_report(HV_KEY_MMIO_READ, 0x034);
	CHECK(r != NULL && r->b == IOMM_VMMIO_QUEUE_MAX);
	r = find_report(HV_KEY_MMIO_READ, 0x070);
	CHECK(r != NULL && r->b == 0);
	r = find_report(HV_KEY_MMIO_READ, 0x11c);
	CHECK(r != NULL && r->b == 0xffffffffffffff80ull);
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
	const struct report *r;

	memcpy(before, __image_start, sizeof(before));
	for (unsigned i = 0; i < 8u; i++)
		code |= (uint64_t)before[i] << (8u * i);
	harness_step("guest: edu DMA to 0x90000000 (outside A) and to the host's image");
	harness_note_hex("host image at", img);
	seen.n = 0; /* the host drains the SMMU on every exit of the guest */
	run(HV_CASE_DMA_OUTSIDE, img, &log);
	harness_step("host: the SMMU blocked both and reported them in its event queue");
	CHECK(iomm_fault_poll(&smmu.unit, collect, &seen) >= 0);
	for (unsigned i = 0; i < seen.n && i < 64u; i++) {
		if (i && seen.f[i].addr >> 12 == seen.f[i - 1].addr >> 12)
			continue; /* one line per blocked transfer */
		qemu_puts("   [host] SMMU event: stream ");
		qemu_puthex(seen.f[i].sid);
		qemu_puts(" address ");
		qemu_puthex(seen.f[i].addr);
		qemu_puts("\n");
	}
	harness_note_dec("SMMU events:", seen.n);
	CHECK(saw(&seen, edu_rid(&edu), 0x90000000));
	CHECK(saw(&seen, edu_rid(&edu), img));
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

/* ---- the virtio-iommu cases: the guest drives the device model through the front ---- */

/* The leaves of edu's current table (iomm_vm_walk()). */

static int leaf(void *arg, const struct iomm_mapping *m)
{
	struct leaves *l = arg;

	if (l->n < 16)
		l->m[l->n] = *m;
	l->n++;
	return 0;
}

static const struct iomm_mapping *find_leaf(const struct leaves *l, uint64_t iova)
{
	for (unsigned i = 0; i < l->n && i < 16; i++)
		if (iova >= l->m[i].iova && iova - l->m[i].iova < l->m[i].size)
			return &l->m[i];
	return NULL;
}

static void edu_table(struct leaves *l)
{
	l->n = 0;
	CHECK_OK(iomm_vm_walk(&vm, HV_GUEST_EDU_ENDPOINT, leaf, l));
}

/* What the guest reported for @step, or ~0 when it did not. */
static uint64_t step(uint64_t which)
{
	const struct report *r = find_report(HV_KEY_RESULT, which);

	return r ? r->b : ~0ull;
}

static uint64_t hpa_of_ipa(uint64_t ipa)
{
	return pa_of(guest_ram) + (ipa - HV_GUEST_RAM_IPA);
}

static bool host_bytes(uint64_t ipa, uint8_t first, unsigned n)
{
	const uint8_t *h = guest_ram + (ipa - HV_GUEST_RAM_IPA);

	for (unsigned i = 0; i < n; i++)
		if (h[i] != (uint8_t)(first + i))
			return false;
	return true;
}

static bool host_all(uint64_t ipa, uint8_t v, unsigned n)
{
	return all(guest_ram + (ipa - HV_GUEST_RAM_IPA), v, n);
}

/* Run a virtio case; afterwards drain what the SMMU still reported into `seen`. */
static void run_viommu(uint64_t which, uint64_t arg, struct hv_run_log *log)
{
	seen.n = 0;
	delivered = 0;
	run(which, arg, log);
	CHECK(iomm_fault_poll(&smmu.unit, collect, &seen) >= 0);
	for (unsigned i = 0; i < seen.n && i < 64u; i++) {
		if (i && seen.f[i].addr >> 4 == seen.f[i - 1].addr >> 4)
			continue; /* one line per blocked transfer */
		qemu_puts("   [host] SMMU event: stream ");
		qemu_puthex(seen.f[i].sid);
		qemu_puts(" address ");
		qemu_puthex(seen.f[i].addr);
		qemu_puts(" reason ");
		qemu_putdec(seen.f[i].reason);
		qemu_puts("\n");
	}
	harness_note_dec("guest exits handled:", log->exits);
	harness_note_dec("SMMU events:", seen.n);
	harness_note_dec("fault events delivered to the guest's event queue:", delivered);
}

static void check_up_and_b(void)
{
	CHECK_EQ(step(HV_STEP_UP), 0);
	CHECK_EQ(step(HV_STEP_MAP_B), 0);
}

static void case_viommu_map(void)
{
	struct hv_run_log log;
	struct leaves l;
	const struct iomm_mapping *m;

	harness_step("guest: virtio-iommu over virtio-mmio (library, paravirt backend), MAP B, edu DMA");
	run_viommu(HV_CASE_VIOMMU_MAP, 0, &log);
	check_up_and_b();
	CHECK_EQ(step(HV_STEP_DMA_B), 0);
	harness_step("host: edu's table holds B at its IOVA; the bytes are at A's host address for B");
	edu_table(&l);
	m = find_leaf(&l, HV_IOVA_B);
	CHECK(m != NULL && m->pa == hpa_of_ipa(HV_GUEST_B_IPA) && (m->prot & IOMM_WRITE));
	harness_note_hex("IOVA", HV_IOVA_B);
	harness_note_hex("-> host physical", m ? m->pa : 0);
	CHECK(host_bytes(HV_GUEST_B_IPA, 0x30, 64));
	CHECK_EQ(seen.n, 0);
}

static void case_viommu_fault(void)
{
	struct hv_run_log log;
	const struct report *r;

	harness_step("guest: edu DMA to 0x80101000, inside A but outside B");
	run_viommu(HV_CASE_VIOMMU_FAULT, 0, &log);
	check_up_and_b();
	CHECK_EQ(step(HV_STEP_DMA_OUTSIDE_B), 0);
	harness_step("host: blocked by the SMMU, memory unchanged; the fault reached the guest's event queue");
	CHECK(host_all(HV_GUEST_DMA_DST_IPA, 0xee, 16));
	CHECK(saw(&seen, HV_GUEST_EDU_ENDPOINT, HV_GUEST_DMA_DST_IPA));
	r = find_report(HV_KEY_FAULT, HV_GUEST_EDU_ENDPOINT);
	CHECK(r != NULL && r->b == HV_GUEST_DMA_DST_IPA);
	CHECK(delivered > 0);
	CHECK(step(HV_STEP_FAULTS) > 0 && step(HV_STEP_FAULTS) != ~0ull);
	harness_step("B still works after the fault");
	CHECK_EQ(step(HV_STEP_DMA_B), 0);
	CHECK(host_bytes(HV_GUEST_B_IPA, 0x60, 64));
}

static void case_viommu_refuse(void)
{
	static uint8_t before[64];
	uint64_t img = pa_of(__image_start);
	struct hv_run_log log;
	struct leaves l;
	const struct iomm_mapping *m;

	memcpy(before, __image_start, sizeof(before));
	harness_step("guest: hostile chains (loop, buffer outside A, host image), then MAPs outside A, writable RO, MSI");
	run_viommu(HV_CASE_VIOMMU_REFUSE, img, &log);
	harness_step("host: every hostile chain -> DEVICE_NEEDS_RESET, no request ran (edu still confined to A)");
	CHECK_EQ(step(HV_STEP_CHAIN_LOOP) & 0x140u, 0x40);
	CHECK_EQ(step(HV_STEP_CHAIN_OUTSIDE) & 0x140u, 0x40);
	CHECK_EQ(step(HV_STEP_CHAIN_HOST) & 0x140u, 0x40);
	harness_step("host: MAP outside A / of the host image -> S_RANGE, writable MAP of RO -> S_INVAL, MSI -> S_FAULT");
	CHECK_EQ(step(HV_STEP_UP), 0);
	CHECK_EQ(step(HV_STEP_MAP_OUTSIDE_A), (uint64_t)(int64_t)IOMM_ERANGE);
	CHECK_EQ(step(HV_STEP_MAP_HOST), (uint64_t)(int64_t)IOMM_ERANGE);
	CHECK_EQ(step(HV_STEP_MAP_RO_W), (uint64_t)(int64_t)IOMM_EINVAL);
	CHECK_EQ(step(HV_STEP_MAP_MSI), (uint64_t)(int64_t)IOMM_EFAULT);
	CHECK_EQ(step(HV_STEP_MAP_RO_R), 0);
	harness_step("host: edu's table holds only the read-only mapping; its write through it was blocked");
	edu_table(&l);
	CHECK_EQ(l.n, 2); /* two 4 KiB leaves, both read-only */
	m = find_leaf(&l, HV_IOVA_REFUSED);
	CHECK(m != NULL && m->pa == hpa_of_ipa(HV_GUEST_RO_IPA) && !(m->prot & IOMM_WRITE));
	m = find_leaf(&l, HV_IOVA_REFUSED + 0x1000);
	CHECK(m != NULL && m->pa == hpa_of_ipa(HV_GUEST_RO_IPA + 0x1000) && !(m->prot & IOMM_WRITE));
	CHECK(find_leaf(&l, HV_MSI_START) == NULL);
	CHECK_EQ(step(HV_STEP_DMA_OUTSIDE_B), 0);
	CHECK(host_all(HV_GUEST_RO_IPA + 0x1000, 0xee, 16));
	CHECK(saw(&seen, HV_GUEST_EDU_ENDPOINT, HV_IOVA_REFUSED + 0x1000));
	CHECK(memcmp(before, __image_start, sizeof(before)) == 0);
}

static void case_viommu_unmap(void)
{
	struct hv_run_log log;
	struct leaves l;
	const struct report *r;

	harness_step("guest: MAP B, DMA, UNMAP B, DMA through B's IOVA at once");
	run_viommu(HV_CASE_VIOMMU_UNMAP, 0, &log);
	check_up_and_b();
	CHECK_EQ(step(HV_STEP_DMA_B), 0);
	CHECK_EQ(step(HV_STEP_UNMAP_B), 0);
	harness_step("host: the DMA right after UNMAP was blocked (invalidated); B kept the first pattern");
	CHECK_EQ(step(HV_STEP_DMA_AFTER), 0);
	CHECK(host_all(HV_GUEST_B_IPA, 0xee, 16)); /* the guest's fill, not the second pattern */
	CHECK(saw(&seen, HV_GUEST_EDU_ENDPOINT, HV_IOVA_B));
	r = find_report(HV_KEY_FAULT, HV_GUEST_EDU_ENDPOINT);
	CHECK(r != NULL && r->b == HV_IOVA_B);
	edu_table(&l);
	CHECK(find_leaf(&l, HV_IOVA_B) == NULL);
}

static void case_viommu_reset(void)
{
	struct hv_run_log log;
	struct leaves l;
	const struct iomm_mapping *m;

	harness_step("guest: MAP B, DMA, then Status = 0 (device reset), DMA again");
	run_viommu(HV_CASE_VIOMMU_RESET, 0, &log);
	check_up_and_b();
	CHECK_EQ(step(HV_STEP_DMA_B), 0);
	CHECK_EQ(step(HV_STEP_RESET), 0);
	harness_step("host: after reset edu left the guest's domain and follows config.bypass");
	harness_note("(the guest's driver set config.bypass = 0 at start-up; it is sticky across a device reset)");
	harness_note_dec("leaves in edu's table right after the reset:", after_reset.n);
	CHECK_EQ(after_reset.n, 0); /* blocked: no table at all */
	CHECK_EQ(step(HV_STEP_DMA_BLOCKED), 0);
	harness_step("guest: config.bypass = 1: edu is back on the VM policy, confined to A (identity)");
	CHECK_EQ(step(HV_STEP_BYPASS), 1);
	CHECK_EQ(step(HV_STEP_DMA_POLICY), 0);
	CHECK(host_bytes(HV_GUEST_DMA_DST_IPA, 0xa0, 64));
	CHECK_EQ(step(HV_STEP_DMA_AFTER), 0);
	CHECK(host_all(HV_GUEST_B_IPA, 0xee, 16));
	CHECK(saw(&seen, HV_GUEST_EDU_ENDPOINT, HV_IOVA_B));
	edu_table(&l);
	CHECK(find_leaf(&l, HV_IOVA_B) == NULL);
	m = find_leaf(&l, HV_GUEST_RAM_IPA);
	CHECK(m != NULL && m->pa == pa_of(guest_ram));
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
	case HV_CASE_VIOMMU_MAP:
		case_viommu_map();
		break;
	case HV_CASE_VIOMMU_FAULT:
		case_viommu_fault();
		break;
	case HV_CASE_VIOMMU_REFUSE:
		case_viommu_refuse();
		break;
	case HV_CASE_VIOMMU_UNMAP:
		case_viommu_unmap();
		break;
	case HV_CASE_VIOMMU_RESET:
		case_viommu_reset();
		break;
	default:
		harness_fatal("unknown HV_HOST_CASE", __FILE__, __LINE__);
	}
	CHECK_OK(iomm_vm_audit(&vm));
}
