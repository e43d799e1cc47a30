/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A fault list for the scenarios: the callback the library's fault routing
 * and polling calls (iomm_vm_cfg::on_fault, iomm_fault_poll()), keeping the
 * first QEMU_FAULTS_MAX records and counting all of them.
 */
#ifndef IOMM_QEMU_FAULTS_H
#define IOMM_QEMU_FAULTS_H

#include <iommuman/iommuman.h>

#define QEMU_FAULTS_MAX 32u

struct faults {
	struct iomm_fault f[QEMU_FAULTS_MAX];
	unsigned n; /* every fault seen, also those past f[] */
};

/* The callback: @arg is the struct faults. */
static inline void collect(void *arg, const struct iomm_fault *f)
{
	struct faults *l = arg;
	if (l->n < QEMU_FAULTS_MAX)
		l->f[l->n] = *f;
	l->n++;
}

#endif /* IOMM_QEMU_FAULTS_H */
