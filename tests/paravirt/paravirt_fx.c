/* SPDX-License-Identifier: BSD-3-Clause */
/* Paravirtual backend tests: the shared fixture (paravirt_fx.h). */
#include "paravirt_fx.h"

static uint64_t clock_ns(void *ctx)
{
	(void)ctx;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

const struct iomm_port port = {.now_ns = clock_ns, .log_level = IOMM_LOG_ERROR};

struct fx *fx_up(void)
{
	static struct fx x;
	memset(&x, 0, sizeof(x));
	fake_init(&x.f);
	struct iomm_viommu_loopback_dev d = fake_loopback_dev(&x.f);
	const struct iomm_viommu_transport *t = iomm_viommu_loopback_init(&x.lb, &d);
	assert_non_null(t);
	assert_int_equal(iomm_paravirt_init(&x.pv, &port, t, NULL), IOMM_OK);
	return &x;
}

void dom_dev_up(struct fx *x, enum iomm_domain_type type, uint32_t ep)
{
	struct iomm_domain_cfg c = {.type = type};
	x->dom = (struct iomm_domain){0}; /* tests re-create the unit under an old domain */
	assert_int_equal(iomm_domain_init(&x->dom, &x->pv.unit, &c), IOMM_OK);
	assert_int_equal(iomm_dev_init(&x->dev, &x->pv.unit, &IOMM_SID(ep)), IOMM_OK);
}

void on_fault(void *arg, const struct iomm_fault *f)
{
	struct got *g = arg;
	if (g->n < 8)
		g->f[g->n] = *f;
	g->n++;
}

uint8_t qmem[16384] __attribute__((aligned(4096)));
