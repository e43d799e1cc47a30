/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The whole story in one process: a host confines a pass-through device to
 * its guest's memory (region A); the guest's driver, through a virtual IOMMU
 * (virtio-iommu, served by the host), narrows the device down to the buffer
 * it needs (region B, inside A). A software SMMUv3 (the register model of
 * tools/models) plays the hardware and lets us fire DMA from the device.
 *
 * Prints each step in plain words and exits non-zero if anything behaves
 * other than described.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iommuman/iommuman.h>
#include <iommuman/paravirt.h>
#include <iommuman/port_posix.h>
#include <iommuman/smmuv3.h>
#include <iommuman/virtio_iommu.h>
#include <iommuman/vm.h>

#include "smmuv3_model.h"

#define REGS	((uintptr_t)0x10000000u)
#define DEV_SID 0x08u /* PCI 00:01.0 */
#define EP	8u    /* the guest calls the device endpoint 8 */

static int failures;

static void expect(int ok, const char *what)
{
	printf("   %s %s\n", ok ? "[ok]  " : "[FAIL]", what);
	if (!ok)
		failures++;
}

/* ---- the hardware: an SMMUv3 model behind the POSIX port ---- */
static struct smmuv3_model model;

static uint64_t mmio_read(void *ctx, uint64_t off, unsigned width)
{
	return smmuv3_model_read(ctx, off, width);
}

static void mmio_write(void *ctx, uint64_t off, unsigned width, uint64_t val)
{
	smmuv3_model_write(ctx, off, val, width);
}

static const struct iomm_posix_mmio_ops model_ops = {.read = mmio_read, .write = mmio_write};

static void *zalloc(size_t size, size_t align)
{
	void *p = aligned_alloc(align, size);
	if (!p) {
		perror("aligned_alloc");
		exit(2);
	}
	memset(p, 0, size);
	return p;
}

/* The device writes to @addr; returns whether the write got through, and where to. */
static bool device_writes(uint64_t addr, uint64_t *host_pa)
{
	return smmuv3_model_dma(&model, DEV_SID, 0, false, addr, SMMUV3_MODEL_ACC_W, host_pa) == 0;
}

/* ---- faults ---- */
struct fault_log {
	struct iomm_fault f[8];
	unsigned n;
};

static void collect(void *arg, const struct iomm_fault *f)
{
	struct fault_log *l = arg;
	if (l->n < 8)
		l->f[l->n] = *f;
	l->n++;
}

int main(void)
{
	printf("iommuman: host and guest roles, end to end\n\n");

	struct smmuv3_model_cfg mcfg;
	smmuv3_model_cfg_default(&mcfg);
	static struct iomm_posix px;
	if (smmuv3_model_init(&model, &mcfg) || iomm_posix_init(&px, IOMM_PORT_DMA_COHERENT) ||
	    iomm_posix_add_mmio_model(&px, REGS, SMMUV3_M_MMIO_SIZE, &model_ops, &model)) {
		fprintf(stderr, "setup failed\n");
		return 2;
	}
	const struct iomm_port *port = iomm_posix_port(&px);

	printf("1. The host brings up its SMMUv3. Nothing is allowed yet.\n");
	struct iomm_smmuv3_mem mem = {0};
	mem.strtab_size = 64u * 256u;
	mem.strtab = zalloc(mem.strtab_size, mem.strtab_size);
	mem.strtab_pa = (uint64_t)(uintptr_t)mem.strtab;
	mem.cmdq_size = 4096;
	mem.cmdq = zalloc(mem.cmdq_size, mem.cmdq_size);
	mem.cmdq_pa = (uint64_t)(uintptr_t)mem.cmdq;
	mem.evtq_size = 4096;
	mem.evtq = zalloc(mem.evtq_size, mem.evtq_size);
	mem.evtq_pa = (uint64_t)(uintptr_t)mem.evtq;
	static struct iomm_smmuv3 smmu;
	expect(iomm_smmuv3_init(&smmu, port, REGS, &mem, NULL, NULL) == IOMM_OK,
	       "SMMUv3 enabled, every stream aborts");
	uint64_t pa = 0;
	expect(!device_writes(0x2000, &pa), "the device cannot write anywhere");

	printf("\n2. The host gives the guest its memory A and confines the device to it.\n");
	static const struct iomm_vm_region a[] = {
	    {.gpa = 0x000000, .hpa = 0x80000000u, .size = 0x100000, .prot = IOMM_READ | IOMM_WRITE},
	    {.gpa = 0x100000, .hpa = 0xa0000000u, .size = 0x100000, .prot = IOMM_READ},
	};
	printf("   A = guest 0x0-0xfffff -> host 0x80000000 (read/write)\n");
	printf("       guest 0x100000-0x1fffff -> host 0xa0000000 (read-only)\n");
	size_t pool_bytes = 65u * 4096u;
	void *pool_mem = zalloc(pool_bytes, 4096);
	static struct iomm_pool vm_pool;
	static struct iomm_vm_endpoint eps[2];
	static struct iomm_vm_gdom doms[2];
	static struct iomm_vm_mapping maps[16];
	static struct iomm_vm_event evs[8];
	static struct iomm_vm vm;
	struct iomm_vm_cfg cfg = {0};
	cfg.regions = a;
	cfg.nregions = 2;
	cfg.pool = &vm_pool;
	cfg.endpoints = eps;
	cfg.nendpoints = 2;
	cfg.domains = doms;
	cfg.ndomains = 2;
	cfg.mappings = maps;
	cfg.nmappings = 16;
	cfg.events = evs;
	cfg.nevents = 8;
	cfg.policy = IOMM_VM_CONFINE;
	expect(iomm_pool_init(&vm_pool, port, pool_mem, pool_bytes, (uint64_t)(uintptr_t)pool_mem,
			      4096) == IOMM_OK &&
		   iomm_vm_init(&vm, &cfg) == IOMM_OK,
	       "VM created with its own table pool (its quota)");
	expect(iomm_vm_assign(&vm, &smmu.unit, &IOMM_PCI(0, 1, 0), EP) == IOMM_OK,
	       "device 00:01.0 assigned to the VM as endpoint 8");
	expect(device_writes(0x2000, &pa) && pa == 0x80002000,
	       "inside A: guest address 0x2000 reaches host 0x80002000");
	expect(!device_writes(0x400000, &pa), "outside A: guest address 0x400000 is blocked");
	struct fault_log host = {.n = 0};
	iomm_fault_poll(&smmu.unit, collect, &host);
	expect(host.n > 0 && host.f[0].sid == DEV_SID && host.f[0].addr == 0x400000,
	       "... and the host is told: stream 0x8, address 0x400000");

	printf("\n3. Inside the guest, a driver asks for buffer B through its virtual IOMMU.\n");
	struct iomm_viommu_loopback_dev hooks;
	iomm_viommu_dev_loopback(&vm, &hooks);
	static struct iomm_viommu_loopback lb;
	const struct iomm_viommu_transport *t = iomm_viommu_loopback_init(&lb, &hooks);
	static struct iomm_paravirt pv;
	expect(t && iomm_paravirt_init(&pv, port, t, NULL) == IOMM_OK,
	       "the guest found a virtio-iommu and negotiated its features");
	static struct iomm_domain dom;
	static struct iomm_dev nic;
	struct iomm_domain_cfg dc = {.type = IOMM_DOMAIN_S1};
	expect(iomm_domain_init(&dom, &pv.unit, &dc) == IOMM_OK &&
		   iomm_dev_init(&nic, &pv.unit, &IOMM_SID(EP)) == IOMM_OK &&
		   iomm_attach(&dom, &nic) == IOMM_OK,
	       "the driver attached its device to a domain of its own");
	expect(iomm_map(&dom, 0x10000000, 0x3000, 0x1000, IOMM_READ | IOMM_WRITE) == IOMM_OK,
	       "B = device address 0x10000000 -> guest 0x3000, read/write: accepted");
	expect(iomm_map(&dom, 0x10002000, 0x400000, 0x1000, IOMM_READ) == IOMM_ERANGE,
	       "a map of guest 0x400000 (outside A) is refused by the host");
	expect(iomm_map(&dom, 0x10003000, 0x100000, 0x1000, IOMM_READ | IOMM_WRITE) != IOMM_OK,
	       "a writable map of read-only guest memory is refused by the host");

	printf("\n4. The device does DMA.\n");
	expect(device_writes(0x10000000, &pa) && pa == 0x80003000,
	       "inside B: device address 0x10000000 reaches host 0x80003000");
	expect(!device_writes(0x2000, &pa),
	       "inside A but outside B: guest address 0x2000 is blocked now");
	expect(!device_writes(0x10001000, &pa), "inside A but outside B: 0x10001000 is blocked");
	host.n = 0;
	iomm_fault_poll(&smmu.unit, collect, &host);
	for (unsigned i = 0; i < host.n && i < 8; i++)
		iomm_vm_fault_route(&vm, &smmu.unit, &host.f[i]);
	struct fault_log guest = {.n = 0};
	iomm_fault_poll(&pv.unit, collect, &guest);
	bool told = false;
	for (unsigned i = 0; i < guest.n && i < 8; i++)
		told |= guest.f[i].sid == EP && guest.f[i].addr == 0x10001000;
	expect(told, "... and the guest is told through virtio-iommu: endpoint 8, 0x10001000");
	expect(!device_writes(0x400000, &pa), "outside A: still blocked, whatever the guest does");

	printf("\n5. The driver unmaps B: the device loses it at once.\n");
	expect(iomm_unmap(&dom, 0x10000000, 0x1000, NULL) == IOMM_OK &&
		   !device_writes(0x10000000, &pa),
	       "B unmapped and invalidated: 0x10000000 is blocked");
	expect(iomm_vm_audit(&vm) == IOMM_OK,
	       "audit: nothing the device can reach lies outside A or exceeds A's rights");

	printf("\n%s\n", failures ? "SOMETHING WENT WRONG" : "All steps behaved as described.");
	return failures ? 1 : 0;
}
