/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host role internals shared by vm.c (VM, assignment, faults) and
 * viommu_dev.c (the virtio-iommu device model). Not installed.
 */
#ifndef IOMM_HOST_INTERNAL_H
#define IOMM_HOST_INTERNAL_H

#include <iommuman/vm.h>

/* vm.c: the VM policy (blocked, or confined to A) and moving devices. */
int iomm_vm_policy_attach(struct iomm_vm *vm, struct iomm_vm_endpoint *ep);
int iomm_vm_move(struct iomm_vm *vm, struct iomm_vm_endpoint *ep, struct iomm_domain *to);
struct iomm_domain *iomm_vm_policy_domain(struct iomm_vm *vm, const struct iomm_vm_endpoint *ep);
const struct iomm_vm_region *iomm_vm_region_at(const struct iomm_vm *vm, uint64_t gpa);
/* vm.c: the MSI doorbell window [*first, *last] (false: no doorbell), and
 * mapping its page into a new stage-2 domain (write-only, device memory). */
bool iomm_vm_doorbell_window(const struct iomm_vm *vm, uint64_t *first, uint64_t *last);
int iomm_vm_doorbell_map(const struct iomm_vm *vm, struct iomm_domain *d);

/* viommu_dev.c: the endpoint leaves its guest domain (back to the VM
 * policy); the guest domain goes with its last endpoint. */
int iomm_vm_ep_leave(struct iomm_vm *vm, struct iomm_vm_endpoint *ep);

/* A refusal about @vm, logged through its pool's port once it is initialised. */
#define refuse_vm(vm, why)                                                                       \
	IOMM_REFUSE((vm) && (vm)->up ? (vm)->cfg.pool->port : NULL, IOMM_EINVAL, why)

#endif /* IOMM_HOST_INTERNAL_H */
