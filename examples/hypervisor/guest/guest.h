/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared by the guest's sources (examples/hypervisor/guest): the hypercall,
 * the counter and the iommuman port of port.c.
 */
#ifndef HV_GUEST_H
#define HV_GUEST_H

#include <stdint.h>

#include <iommuman/port.h>

/** `hvc #0` with x0 = @p call and x1..x3; returns x0. */
uint64_t guest_hvc(uint64_t call, uint64_t a1, uint64_t a2, uint64_t a3);
/** CNTVCT_EL0 (after an isb). */
uint64_t guest_counter(void);
/** Reads the virtio-mmio device's InterruptStatus (a trapped access: the host's turn). */
uint32_t guest_vmmio_interrupt_status(void);
/** CNTFRQ_EL0 (62.5 MHz when firmware left it 0). */
uint64_t guest_counter_hz(void);

/** The port the guest hands to the library's paravirtual backend. */
extern const struct iomm_port guest_port;

#endif /* HV_GUEST_H */
