/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A minimal VMM on the POSIX port with the SMMUv3 register model (the
 * software SMMU of tools/models) standing in for the hardware.
 *
 *   1. bring up the SMMU, describe the guest's memory map A, create a VM;
 *   2. assign PCI device 00:01.0 to it (endpoint 8);
 *   3. serve a few hand-built virtio-iommu requests as a guest driver would
 *      send them, and print each status;
 *   4. let the device DMA, forward its fault to the guest as a fault event.
 *
 * It checks its own results and exits non-zero on any surprise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iommuman/iommuman.h>
#include <iommuman/port_posix.h>
#include <iommuman/smmuv3.h>
#include <iommuman/virtio_iommu.h>
#include <iommuman/vm.h>

#include "smmuv3_model.h"

#define REGS ((uintptr_t)0x10000000u)
#define SID 0x08u /* PCI 00:01.0 */

static int failures;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "host_vmm: check failed: %s (line %d)\n", #cond, __LINE__); \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

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

static const char *status_name(uint8_t s)
{
	static const char *const names[] = {"OK",    "IOERR", "UNSUPP", "DEVERR", "INVAL",
					    "RANGE", "NOENT", "FAULT",  "NOMEM"};
	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

/* Serve one request: the device-readable bytes in, the 4-byte tail out. */
static uint8_t serve(struct iomm_vm *vm, const char *what, const uint8_t *req, size_t len)
{
	uint8_t tail[IOMM_VIOMMU_TAIL_SIZE];
	size_t used = 0;
	if (iomm_viommu_dev_handle(vm, req, len, tail, sizeof(tail), &used) != IOMM_OK || !used) {
		printf("  %-44s -> (no answer)\n", what);
		return 0xff;
	}
	printf("  %-44s -> S_%s\n", what, status_name(tail[0]));
	return tail[0];
}

static void dma(struct smmuv3_model *m, uint64_t iova, unsigned acc)
{
	uint64_t pa = 0;
	int rc = smmuv3_model_dma(m, SID, 0, false, iova, acc, &pa);
	if (rc == 0)
		printf("  DMA %s 0x%llx -> host 0x%llx\n", acc == SMMUV3_MODEL_ACC_W ? "write" : "read",
		       (unsigned long long)iova, (unsigned long long)pa);
	else
		printf("  DMA %s 0x%llx -> fault (%d)\n", acc == SMMUV3_MODEL_ACC_W ? "write" : "read",
		       (unsigned long long)iova, rc);
}

struct fwd {
	struct iomm_vm *vm;
	const struct iomm_unit *unit;
};

static void forward(void *arg, const struct iomm_fault *f)
{
	struct fwd *w = arg;
	int rc = iomm_vm_fault_route(w->vm, w->unit, f);
	printf("  fault sid 0x%x addr 0x%llx -> %s\n", (unsigned)f->sid,
	       (unsigned long long)f->addr, rc == IOMM_OK ? "queued for the guest" : iomm_strerror(rc));
}

int main(void)
{
	/* ---- the "hardware": an SMMUv3 model behind the POSIX port ---- */
	static struct smmuv3_model model;
	struct smmuv3_model_cfg mcfg;
	smmuv3_model_cfg_default(&mcfg);
	if (smmuv3_model_init(&model, &mcfg)) {
		fprintf(stderr, "model init failed\n");
		return 2;
	}
	static struct iomm_posix px;
	if (iomm_posix_init(&px, IOMM_PORT_DMA_COHERENT) != IOMM_OK ||
	    iomm_posix_add_mmio_model(&px, REGS, SMMUV3_M_MMIO_SIZE, &model_ops, &model) != IOMM_OK) {
		fprintf(stderr, "port init failed\n");
		return 2;
	}
	const struct iomm_port *port = iomm_posix_port(&px);
	struct iomm_smmuv3_mem mem = {0};
	mem.strtab_size = 64u * 256u;
	mem.strtab = zalloc(mem.strtab_size, mem.strtab_size);
	mem.strtab_pa = (uint64_t)(uintptr_t)mem.strtab;
	mem.cmdq_size = 4096;
	mem.cmdq = zalloc(mem.cmdq_size, mem.cmdq_size);
	mem.cmdq_pa = (uint64_t)(uintptr_t)mem.cmdq;
	mem.evtq_size = 2048;
	mem.evtq = zalloc(mem.evtq_size, mem.evtq_size);
	mem.evtq_pa = (uint64_t)(uintptr_t)mem.evtq;
	static struct iomm_smmuv3 smmu;
	int rc = iomm_smmuv3_init(&smmu, port, REGS, &mem, NULL, NULL);
	printf("SMMUv3 init: %s\n", iomm_strerror(rc));
	if (rc)
		return 1;

	/* ---- the VM: memory map A, its own table pool (a quota of 64 pages) ---- */
	static const struct iomm_vm_region a[] = {
	    {.gpa = 0x00000000, .hpa = 0x80000000u, .size = 0x100000, .prot = IOMM_READ | IOMM_WRITE},
	    {.gpa = 0x00100000, .hpa = 0xa0000000u, .size = 0x100000, .prot = IOMM_READ},
	    {.gpa = 0x08000000, .hpa = 0x2f000000u, .size = 0x1000,
	     .prot = IOMM_READ | IOMM_WRITE | IOMM_MEM_DEVICE},
	};
	static const struct iomm_vm_resv msi[] = {
	    {.start = 0x08000000, .end = 0x08000fff, .subtype = IOMM_VIOMMU_RESV_T_MSI}};
	size_t pool_bytes = 65u * 4096u;
	void *pool_mem = zalloc(pool_bytes, 4096);
	static struct iomm_pool pool;
	CHECK(iomm_pool_init(&pool, port, pool_mem, pool_bytes, (uint64_t)(uintptr_t)pool_mem,
			     4096) == IOMM_OK);
	static struct iomm_vm_endpoint eps[4];
	static struct iomm_vm_gdom doms[4];
	static struct iomm_vm_mapping maps[32];
	static struct iomm_vm_event evs[8];
	struct iomm_vm_cfg cfg = {0};
	cfg.regions = a;
	cfg.nregions = 3;
	cfg.pool = &pool;
	cfg.endpoints = eps;
	cfg.nendpoints = 4;
	cfg.domains = doms;
	cfg.ndomains = 4;
	cfg.mappings = maps;
	cfg.nmappings = 32;
	cfg.events = evs;
	cfg.nevents = 8;
	cfg.resv = msi;
	cfg.nresv = 1;
	cfg.policy = IOMM_VM_BLOCK;
	static struct iomm_vm vm;
	CHECK(iomm_vm_init(&vm, &cfg) == IOMM_OK);
	struct iomm_devid dev = IOMM_PCI(0, 1, 0);
	rc = iomm_vm_assign(&vm, &smmu.unit, &dev, SID);
	printf("assign 00:01.0 as endpoint 8: %s\n", iomm_strerror(rc));
	CHECK(rc == IOMM_OK);
	rc = iomm_vm_assign(&vm, &smmu.unit, &dev, 9);
	printf("assign it again: %s\n", iomm_strerror(rc));
	CHECK(rc == IOMM_EBUSY);

	uint8_t cfgspace[IOMM_VIOMMU_CFG_SIZE];
	CHECK(iomm_viommu_dev_config(&vm, cfgspace, sizeof(cfgspace)) == IOMM_OK);
	printf("config: page_size_mask 0x%llx, input 0x%llx-0x%llx, probe_size %u, bypass %u\n",
	       (unsigned long long)iomm_get_le64(cfgspace + IOMM_VIOMMU_CFG_PAGE_SIZE_MASK),
	       (unsigned long long)iomm_get_le64(cfgspace + IOMM_VIOMMU_CFG_INPUT_START),
	       (unsigned long long)iomm_get_le64(cfgspace + IOMM_VIOMMU_CFG_INPUT_END),
	       (unsigned)iomm_get_le32(cfgspace + IOMM_VIOMMU_CFG_PROBE_SIZE),
	       (unsigned)cfgspace[IOMM_VIOMMU_CFG_BYPASS]);

	/* ---- guest requests, hand-built as a driver would ---- */
	printf("requests:\n");
	uint8_t att[20] = {IOMM_VIOMMU_T_ATTACH};
	iomm_put_le32(att + IOMM_VIOMMU_ATTACH_DOMAIN, 1);
	iomm_put_le32(att + IOMM_VIOMMU_ATTACH_ENDPOINT, SID);
	CHECK(serve(&vm, "attach(domain 1, endpoint 8)", att, sizeof(att)) == IOMM_VIOMMU_S_OK);

	uint8_t mp[36] = {IOMM_VIOMMU_T_MAP};
	iomm_put_le32(mp + IOMM_VIOMMU_MAP_DOMAIN, 1);
	iomm_put_le64(mp + IOMM_VIOMMU_MAP_VIRT_START, 0x40000000);
	iomm_put_le64(mp + IOMM_VIOMMU_MAP_VIRT_END, 0x40003fff);
	iomm_put_le64(mp + IOMM_VIOMMU_MAP_PHYS_START, 0x00010000);
	iomm_put_le32(mp + IOMM_VIOMMU_MAP_FLAGS, IOMM_VIOMMU_MAP_F_READ | IOMM_VIOMMU_MAP_F_WRITE);
	CHECK(serve(&vm, "map(1, 0x40000000-0x40003fff -> 0x10000, RW)", mp, sizeof(mp)) ==
	      IOMM_VIOMMU_S_OK);

	iomm_put_le64(mp + IOMM_VIOMMU_MAP_VIRT_START, 0x50000000);
	iomm_put_le64(mp + IOMM_VIOMMU_MAP_VIRT_END, 0x50000fff);
	iomm_put_le64(mp + IOMM_VIOMMU_MAP_PHYS_START, 0x00100000);
	CHECK(serve(&vm, "map(1, 0x50000000 -> 0x100000 read-only, RW)", mp, sizeof(mp)) ==
	      IOMM_VIOMMU_S_INVAL);

	iomm_put_le64(mp + IOMM_VIOMMU_MAP_PHYS_START, 0x00400000);
	CHECK(serve(&vm, "map(1, 0x50000000 -> 0x400000 outside A)", mp, sizeof(mp)) ==
	      IOMM_VIOMMU_S_RANGE);

	uint8_t um[28] = {IOMM_VIOMMU_T_UNMAP};
	iomm_put_le32(um + IOMM_VIOMMU_UNMAP_DOMAIN, 1);
	iomm_put_le64(um + IOMM_VIOMMU_UNMAP_VIRT_START, 0x40000000);
	iomm_put_le64(um + IOMM_VIOMMU_UNMAP_VIRT_END, 0x40000fff);
	CHECK(serve(&vm, "unmap(1, 0x40000000-0x40000fff) splits", um, sizeof(um)) ==
	      IOMM_VIOMMU_S_RANGE);

	uint8_t bogus[20] = {0x42};
	CHECK(serve(&vm, "unknown request type 0x42", bogus, sizeof(bogus)) == 0xff);

	/* ---- device traffic and a forwarded fault ---- */
	printf("device:\n");
	dma(&model, 0x40000010, SMMUV3_MODEL_ACC_W);
	dma(&model, 0x40004000, SMMUV3_MODEL_ACC_R);
	uint64_t pa = 0;
	CHECK(smmuv3_model_dma(&model, SID, 0, false, 0x40000010, SMMUV3_MODEL_ACC_W, &pa) == 0 &&
	      pa == 0x80010010u);
	struct fwd w = {&vm, &smmu.unit};
	CHECK(iomm_fault_poll(&smmu.unit, forward, &w) >= 1);
	uint8_t ev[IOMM_VIOMMU_FAULT_SIZE];
	while (iomm_viommu_dev_next_event(&vm, ev, sizeof(ev)) > 0) {
		printf("  guest event: reason %u flags 0x%x endpoint %u address 0x%llx\n",
		       ev[IOMM_VIOMMU_FAULT_REASON], (unsigned)iomm_get_le32(ev + IOMM_VIOMMU_FAULT_FLAGS),
		       (unsigned)iomm_get_le32(ev + IOMM_VIOMMU_FAULT_ENDPOINT),
		       (unsigned long long)iomm_get_le64(ev + IOMM_VIOMMU_FAULT_ADDRESS));
		CHECK(iomm_get_le32(ev + IOMM_VIOMMU_FAULT_ENDPOINT) == SID);
		CHECK(iomm_get_le64(ev + IOMM_VIOMMU_FAULT_ADDRESS) == 0x40004000u);
	}

	CHECK(iomm_vm_audit(&vm) == IOMM_OK);
	CHECK(iomm_viommu_dev_reset(&vm) == IOMM_OK);
	CHECK(smmuv3_model_dma(&model, SID, 0, false, 0x40000010, SMMUV3_MODEL_ACC_W, &pa) != 0);
	printf("guest reset: device blocked again\n");
	CHECK(iomm_vm_destroy(&vm) == IOMM_OK);
	CHECK(iomm_pool_used(&pool) == 0);
	printf("%s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
