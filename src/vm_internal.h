/* SPDX-License-Identifier: BSD-3-Clause */
/* Host role internals shared by vm.c and vsmmu.c. Not installed. */
#ifndef IOMM_VM_INTERNAL_H
#define IOMM_VM_INTERNAL_H

#include <iommuman/vm.h>

/* Shared between vm.c and vsmmu.c. */
int iomm__vm_policy_attach(struct iomm_vm *vm, struct iomm_vm_endpoint *ep);
int iomm__vm_move(struct iomm_vm *vm, struct iomm_vm_endpoint *ep, struct iomm_domain *to);
struct iomm_domain *iomm__vm_policy_domain(struct iomm_vm *vm, const struct iomm_vm_endpoint *ep);
const struct iomm_vm_region *iomm__vm_region_at(const struct iomm_vm *vm, uint64_t gpa);
int iomm__vsmmu_ep_leave(struct iomm_vm *vm, struct iomm_vm_endpoint *ep);

#endif /* IOMM_VM_INTERNAL_H */
