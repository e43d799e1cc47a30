/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host role tests: the shared fixture. A VM (struct vmbox) on the SMMUv3
 * register model through the POSIX port (tests/smmuv3 fixture), builders of
 * virtio-iommu requests, state fingerprints and a containment check that is
 * independent of iomm_vm_audit().
 */
#ifndef IOMM_TEST_ROLES_FX_H
#define IOMM_TEST_ROLES_FX_H

#include "smmuv3_fx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iommuman/virtio_iommu.h>
#include <iommuman/vm.h>

#define OP_TLBI_S12_VMALL 0x28u
#define OP_TLBI_S2_IPA 0x2au

#define NEP 8
#define NDOM 4
#define NMAP 16
#define NEV 4

struct vmbox {
	struct iomm_vm vm;
	struct iomm_vm_endpoint eps[NEP];
	struct iomm_vm_gdom doms[NDOM];
	struct iomm_vm_mapping maps[NMAP];
	struct iomm_vm_event evs[NEV];
	struct iomm_vm_cfg cfg;
};

struct rfx {
	struct fx *f;
	struct vmbox a, b;
};

#define RW (IOMM_VIOMMU_MAP_F_READ | IOMM_VIOMMU_MAP_F_WRITE)

/* A: R0 and R1 are adjacent in guest-physical space but not in host space;
 * R2 is read-only; R3 is the MSI doorbell (device memory). */
#define NREGIONS 4
extern const struct iomm_vm_region regions[NREGIONS];

/* The MSI doorbell of the doorbell tests: GITS_TRANSLATER of an ITS at
 * 0x08080000 (QEMU virt), mapped at an IOVA outside A. */
#define DB_PA 0x08090040ull
#define DB_IOVA 0x9000000ull

/* cmocka setup and teardown: the SMMUv3 fixture, started; a and b zeroed. */
int setup(void **state);
int teardown(void **state);
/* Default configuration of @v: map A, one MSI RESV_MEM region, blocked policy. */
void vm_cfg_default(struct rfx *r, struct vmbox *v, size_t pool_pages);
/* The SMMUv3 unit of the fixture. */
struct iomm_unit *U(struct rfx *r);
/* VM a with two devices: PCI 00:01.0 (SID 8) as endpoint 8, SID 0x10 as endpoint 16. */
void vm_up(struct rfx *r);

/* Request builders: each sends one request and returns the tail's status. */
uint8_t req_st(struct iomm_vm *vm, const uint8_t *req, size_t len);
uint8_t attach(struct iomm_vm *vm, uint32_t dom, uint32_t ep, uint32_t flags);
uint8_t detach(struct iomm_vm *vm, uint32_t dom, uint32_t ep);
uint8_t map(struct iomm_vm *vm, uint32_t dom, uint64_t vs, uint64_t ve, uint64_t ps,
	    uint32_t flags);
uint8_t unmap(struct iomm_vm *vm, uint32_t dom, uint64_t vs, uint64_t ve);

/* iomm_walk_fn folding each leaf into the FNV-1a hash at @arg (uint64_t). */
int hash_leaf(void *arg, const struct iomm_mapping *m);
/* iomm_walk_fn counting leaves, and those outside A, into a struct contain. */
struct contain {
	unsigned leaves, bad;
};
int contain_leaf(void *arg, const struct iomm_mapping *m);
/* Tables of endpoints 8 and 16, the model's translations and the VM's books. */
uint64_t fingerprint(struct rfx *r, struct vmbox *v);
/* Every leaf of endpoints 8 and 16 inside A, no wider permissions; audit passes. */
void check_contained(struct vmbox *v);

/* The tests (one CTest entry each), by file. */
/* roles_requests.c: device-model requests */
void pv_config_fixture(void **state);
void pv_wire_fixtures(void **state);
void pv_adversarial(void **state);
void pv_unmap_semantics(void **state);
void pv_quota(void **state);
void pv_detach_reset(void **state);
void pv_split_map(void **state);
/* test_roles.c: host role */
void roles_assign(void **state);
void roles_faults(void **state);
void roles_containment(void **state);
/* roles_checks.c: checks, limits and failures */
void roles_vm_checks(void **state);
void pv_features_off(void **state);
void pv_ranges(void **state);
void roles_pool_exhaustion(void **state);
void roles_unit_failure(void **state);
/* roles_hostile.c: the device model under a hostile guest */
void pv_map_fail_pool(void **state);
void pv_attach_move_full(void **state);
void pv_input_clamp(void **state);
void pv_probe_layout(void **state);
void pv_unmap_reclaim(void **state);
/* roles_doorbell.c: the platform's MSI doorbell */
void roles_doorbell_cfg(void **state);
void roles_doorbell(void **state);
void roles_doorbell_fault(void **state);

#endif /* IOMM_TEST_ROLES_FX_H */
