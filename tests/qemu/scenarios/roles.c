/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host and guest roles on QEMU's SMMUv3 (aarch64) or riscv-iommu-pci
 * (riscv64, IOMM_QEMU_ROLES_RISCV) with the edu device doing the DMA (the
 * bare-metal twin of examples/roles_demo.c, used by scripts/demo.sh --qemu).
 * Everything goes through the library's API: the host creates a VM with
 * memory map A (a stage-2 / G-stage domain) and confines edu to it; the
 * guest's requests go through the paravirtual backend and the loopback
 * transport into the host's virtio-iommu device model, in this same image.
 */
#include <iommuman/paravirt.h>
#include <iommuman/riscv.h>
#include <iommuman/smmuv3.h>
#include <iommuman/virtio_iommu.h>
#include <iommuman/vm.h>

#include "edu.h"
#include "faults.h"
#include "harness.h"
#include "pci.h"

#define XFER   16u
#define A_GPA  0x80000000ull
#define A_SIZE (256u * 1024u)
#define EP     8u

static uint8_t guest_ram[A_SIZE] __attribute__((aligned(4096)));
static uint8_t pattern[64] __attribute__((aligned(64)));
static uint8_t cmdq[4096] __attribute__((aligned(4096)));

#ifdef IOMM_QEMU_ROLES_RISCV
static uint8_t ddt[4096] __attribute__((aligned(4096)));
static uint8_t fq[64 * 1024] __attribute__((aligned(64 * 1024)));
static struct iomm_riscv rv;
#define HOST_UNIT (&rv.unit)
#define HOST_CMDS (rv.stats.cmds)
#define HOST_NAME "RISC-V IOMMU"
#else
static uint8_t strtab[256 * 64] __attribute__((aligned(256 * 64)));
static uint8_t evtq[64 * 1024] __attribute__((aligned(64 * 1024)));
static struct iomm_smmuv3 smmu;
#define HOST_UNIT (&smmu.unit)
#define HOST_CMDS (smmu.stats.cmds)
#define HOST_NAME "SMMUv3"
#endif
static struct edu edu;
static struct iomm_vm vm;

/* edu writes XFER bytes of 0x5a at bus address @addr; did they land at @target? */
#define lands(addr, target) harness_edu_write_lands(&edu, (addr), (target), XFER)

static bool saw(const struct faults *l, uint32_t id, uint64_t addr)
{
	for (unsigned i = 0; i < l->n && i < QEMU_FAULTS_MAX; i++)
		if (l->f[i].sid == id && l->f[i].addr == addr)
			return true;
	return false;
}

#ifdef IOMM_QEMU_ROLES_RISCV
/* The RISC-V IOMMU is a PCI function; it is Off at reset, so edu gets its pattern
 * through an explicit bypass before the host confines it. */
static void host_unit_up(void)
{
	struct pci_loc iommu;
	uint64_t bar = 0, size = 0;
	REQUIRE(pci_find(0x1b36u, 0x0014u, &iommu));
	REQUIRE(pci_bar_setup(iommu, 0, &bar, &size));
	pci_enable(iommu, true, true);
	struct iomm_riscv_mem mem = {
	    .ddt = ddt,
	    .ddt_pa = pa_of(ddt),
	    .cq = cmdq,
	    .cq_pa = pa_of(cmdq),
	    .cq_size = sizeof(cmdq),
	    .fq = fq,
	    .fq_pa = pa_of(fq),
	    .fq_size = sizeof(fq),
	};
	REQUIRE(iomm_riscv_init(&rv, &qemu_port, (uintptr_t)bar, &mem, NULL, NULL) == IOMM_OK);
	static struct iomm_domain byp;
	static struct iomm_dev d;
	struct iomm_domain_cfg bc = {.type = IOMM_DOMAIN_BYPASS};
	REQUIRE(iomm_domain_init(&byp, &rv.unit, &bc) == IOMM_OK);
	REQUIRE(iomm_dev_init(&d, &rv.unit, &IOMM_SID(edu_rid(&edu))) == IOMM_OK);
	REQUIRE(iomm_attach(&byp, &d) == IOMM_OK);
	REQUIRE(edu_dma_to_device(&edu, pa_of(pattern), 0, XFER) == EDU_OK);
	REQUIRE(iomm_detach(&d) == IOMM_OK);
	REQUIRE(iomm_domain_destroy(&byp) == IOMM_OK);
}
#else
static void host_unit_up(void)
{
	REQUIRE(edu_dma_to_device(&edu, pa_of(pattern), 0, XFER) == EDU_OK);
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
}
#endif

void scenario_main(void)
{
	const struct pci_loc want = {IOMM_QEMU_EDU_BUS, IOMM_QEMU_EDU_DEV, IOMM_QEMU_EDU_FN};
	REQUIRE(edu_init(&edu, want) == EDU_OK);
	fill(pattern, 0x5a, sizeof(pattern));

	harness_step("host: " HOST_NAME " up, every device is refused");
	host_unit_up();
	CHECK(!lands(pa_of(guest_ram), guest_ram));
	struct faults host = {.n = 0};
	CHECK(iomm_fault_poll(HOST_UNIT, collect, &host) >= 0); /* the refusals, if reported */

	harness_step("host: VM with A = guest 0x80000000 (256 KiB) -> a host buffer; edu confined");
	static const struct iomm_vm_region *regions;
	static struct iomm_vm_region a[1];
	a[0].gpa = A_GPA;
	a[0].hpa = pa_of(guest_ram);
	a[0].size = A_SIZE;
	a[0].prot = IOMM_READ | IOMM_WRITE;
	regions = a;
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
	cfg.regions = regions;
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
	REQUIRE(iomm_vm_assign(&vm, HOST_UNIT, &IOMM_SID(edu_rid(&edu)), EP) == IOMM_OK);
	CHECK(lands(A_GPA + 0x2000, guest_ram + 0x2000));

	harness_step("host: outside A is blocked and reported to the host");
	CHECK(!lands(0x90000000, guest_ram));
	host.n = 0;
	CHECK(iomm_fault_poll(HOST_UNIT, collect, &host) >= 0);
	CHECK(saw(&host, edu_rid(&edu), 0x90000000));

	harness_step("guest: virtio-iommu through the paravirtual backend, map B");
	struct iomm_viommu_loopback_dev hooks;
	iomm_viommu_dev_loopback(&vm, &hooks);
	static struct iomm_viommu_loopback lb;
	const struct iomm_viommu_transport *t = iomm_viommu_loopback_init(&lb, &hooks);
	static struct iomm_paravirt pv;
	REQUIRE(t != NULL && iomm_paravirt_init(&pv, &qemu_port, t, NULL) == IOMM_OK);
	static struct iomm_domain dom;
	static struct iomm_dev gdev;
	struct iomm_domain_cfg dc = {.type = IOMM_DOMAIN_S1};
	REQUIRE(iomm_domain_init(&dom, &pv.unit, &dc) == IOMM_OK);
	REQUIRE(iomm_dev_init(&gdev, &pv.unit, &IOMM_SID(EP)) == IOMM_OK);
	CHECK_OK(iomm_attach(&dom, &gdev));
	CHECK_OK(iomm_map(&dom, 0x10000000, A_GPA + 0x3000, 4096, IOMM_READ | IOMM_WRITE));
	CHECK_RC(iomm_map(&dom, 0x10002000, 0x90000000, 4096, IOMM_READ), IOMM_ERANGE);

	harness_step("DMA inside B works");
	CHECK(lands(0x10000000, guest_ram + 0x3000));

	harness_step("DMA inside A but outside B is blocked; the guest gets a virtio-iommu fault");
	CHECK(!lands(0x10001000, guest_ram + 0x3000));
	CHECK(!lands(A_GPA + 0x2000, guest_ram + 0x2000));
	host.n = 0;
	CHECK(iomm_fault_poll(HOST_UNIT, collect, &host) >= 0);
	for (unsigned i = 0; i < host.n && i < 32; i++)
		iomm_vm_fault_route(&vm, HOST_UNIT, &host.f[i]);
	struct faults guest = {.n = 0};
	CHECK(iomm_fault_poll(&pv.unit, collect, &guest) >= 0);
	CHECK(saw(&guest, EP, 0x10001000));

	harness_step("DMA outside A stays blocked");
	CHECK(!lands(0x90000000, guest_ram));

	harness_step("guest unmaps B: blocked at once (the host invalidated)");
	CHECK(lands(0x10000000, guest_ram + 0x3000));
	CHECK_OK(iomm_unmap(&dom, 0x10000000, 4096, NULL));
	CHECK(!lands(0x10000000, guest_ram + 0x3000));
	CHECK_OK(iomm_vm_audit(&vm));
	harness_note_dec(HOST_NAME " commands issued:", HOST_CMDS);
}
