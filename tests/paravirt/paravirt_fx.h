/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Paravirtual backend tests: the shared fixture. A guest backend wired to
 * the device model of fake_viommu.c through the loopback transport, a fault
 * recorder and the memory the virtio-pci tests place their queues in.
 */
#ifndef IOMM_TEST_PARAVIRT_FX_H
#define IOMM_TEST_PARAVIRT_FX_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <iommuman/iommuman.h>
#include <iommuman/paravirt.h>

#include "fake_viommu.h"

/* A port with a monotonic clock; errors only in the log. */
extern const struct iomm_port port;

struct fx {
	struct fake_viommu f;
	struct iomm_viommu_loopback lb;
	struct iomm_paravirt pv;
	struct iomm_domain dom;
	struct iomm_dev dev;
};

/* The fixture (one static instance), with the backend initialised. */
struct fx *fx_up(void);
/* A domain of @type on the backend's unit and a device for endpoint @ep. */
void dom_dev_up(struct fx *x, enum iomm_domain_type type, uint32_t ep);

/* Fault recorder: on_fault() keeps the first 8 faults and counts them all. */
struct got {
	struct iomm_fault f[8];
	unsigned n;
};
void on_fault(void *arg, const struct iomm_fault *f);

/* Memory for the virtio-pci transport's queues. */
extern uint8_t qmem[16384];

/* The tests (one CTest entry each), by file. */
/* test_paravirt.c */
void test_init(void **state);
void test_request_bytes(void **state);
void test_status_map(void **state);
void test_local_checks(void **state);
void test_probe(void **state);
void test_roundtrip(void **state);
void test_faults(void **state);
void test_virtio_pci(void **state);
/* paravirt_failures.c */
void test_init_failures(void **state);
void test_probe_errors(void **state);
void test_refused_keep_slots(void **state);
void test_fault_records(void **state);
void test_loopback_checks(void **state);
void test_virtio_pci_faults(void **state);

#endif /* IOMM_TEST_PARAVIRT_FX_H */
