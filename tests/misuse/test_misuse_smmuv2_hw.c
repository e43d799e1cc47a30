/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Misuse suite, part 5: the failures of the Arm SMMUv2 (MMU-500) backend
 * against the register model of tools/models. Each case gets a fresh model
 * (one with a single context bank and a single stream-match register, so
 * the second of anything does not fit), makes one call, and the runner
 * checks the documented code and what the failure leaves behind.
 *
 * Ways to fail: TLB syncs that never complete (the model's stall_sync),
 * ID registers without AArch64 table formats (white-box after the model's
 * reset), no context bank or stream-match register left.
 *
 * The case table has the form scripts/check-error-paths.sh reads:
 * C(name) { ...; return iomm_fn(...); } and K(name, code, boot, post-check).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "smmuv2_fx.h"

#define P4K 4096u
#define RW  (IOMM_READ | IOMM_WRITE)
#define PORT(w) iomm_posix_port(&(w)->f->px)

struct world {
	struct fx *f;
	struct iomm_pool *pool;
	struct iomm_domain d1, d2;
	struct iomm_dev dev1, dev2;
	size_t pool_used; /* before the call */
};

/* One stage-1 domain with a page mapped, a device attached to it (the
 * only context bank and the only stream-match register are in use). */
static void build(struct world *w)
{
	struct fx *f = w->f;
	fx_start(f);
	w->pool = fx_pool(f, P4K, 16);
	assert_int_equal(fx_domain(f, &w->d1, IOMM_DOMAIN_S1, 0, w->pool, NULL), IOMM_OK);
	assert_int_equal(iomm_map(&w->d1, 0x100000, 0x80100000, P4K, RW), IOMM_OK);
	fx_attach(f, &w->dev1, &w->d1, 0x11, 0);
	assert_int_equal(fx_xlate(f, 0x11, 0x100000, RD), 0x80100000);
}

/* clang-format off */
#define C(n) static int n(struct world *w)
C(init_stall) { fx_boot_prep(w->f); w->f->model.cfg.stall_sync = true; return iomm_smmuv2_init(&w->f->smmu, PORT(w), FX_REGS, &w->f->cfg); }
C(init_no_aarch64) { fx_boot_prep(w->f); w->f->model.id[2] &= ~UINT32_C(0x7000); /* ID2.PTFSv8_4kB/16kB/64kB (IHI 0062, SMMU_IDR2) */ return iomm_smmuv2_init(&w->f->smmu, PORT(w), FX_REGS, &w->f->cfg); }
C(domain_no_cb) { struct iomm_domain_cfg c = {.type = IOMM_DOMAIN_S1, .pool = w->pool}; return iomm_domain_init(&w->d2, &w->f->smmu.unit, &c); }
C(attach_no_smr) { assert_int_equal(fx_dev(w->f, &w->dev2, 0x22, 0), IOMM_OK); return iomm_attach(&w->d1, &w->dev2); }
/* clang-format on */

/* The unit did not come up: client transactions still go where the reset
 * state sends them (the backend enabled nothing), and a retry on a working
 * unit succeeds. */
static void post_retry(struct world *w)
{
	assert_int_equal(iomm_smmuv2_init(&w->f->smmu, PORT(w), FX_REGS, &w->f->cfg), IOMM_OK);
}

/* The unit object is not live: nothing can be set up on it. */
static void post_unit_dead(struct world *w)
{
	struct iomm_devid id = IOMM_SID(0x11);
	assert_int_equal(iomm_dev_init(&w->dev1, &w->f->smmu.unit, &id), IOMM_EINVAL);
}

/* Not attached: the stream does not translate, the first device still does. */
static void post_not_attached(struct world *w)
{
	assert_int_equal(iomm_detach(&w->dev2), IOMM_ENOENT);
	assert_int_not_equal(fx_dma(w->f, 0x22, 0x100000, RD, NULL), 0);
	assert_int_equal(fx_xlate(w->f, 0x11, 0x100000, RD), 0x80100000);
	assert_int_equal(w->d1.ndevs, 1);
}

/* No domain: the object is not live, no table page kept, the first
 * domain still translates. */
static void post_no_domain(struct world *w)
{
	assert_int_equal(iomm_map(&w->d2, 0x100000, 0x80100000, P4K, RW), IOMM_EINVAL);
	assert_int_equal(iomm_pool_used(w->pool), w->pool_used);
	assert_int_equal(fx_xlate(w->f, 0x11, 0x100000, RD), 0x80100000);
}

struct hcase {
	const char *name;
	int (*call)(struct world *w);
	int want;
	bool boot; /* the call brings the unit up: no live system before it */
	void (*post)(struct world *w);
};

#define K(n, want, boot, post) {#n, n, want, boot, post}
static const struct hcase cases[] = {
    K(init_stall, IOMM_ETIMEDOUT, true, post_retry),
    K(init_no_aarch64, IOMM_ENODEV, true, post_unit_dead),
    K(domain_no_cb, IOMM_ENOSPC, false, post_no_domain),
    K(attach_no_smr, IOMM_ENOSPC, false, post_not_attached),
};

static size_t which;

static void test_hardware_failure(void **state)
{
	struct fx *f = *state;
	const struct hcase *c = &cases[which];
	struct world *w = calloc(1, sizeof(*w));
	assert_non_null(w);
	w->f = f;
	f->mcfg.numcb = 1;
	f->mcfg.nums2cb = 0;
	f->mcfg.numsmrg = 1;
	if (!c->boot) {
		build(w);
		w->pool_used = iomm_pool_used(w->pool);
	}
	int rc = c->call(w);
	f->model.cfg.stall_sync = false;
	if (rc != c->want)
		fail_msg("%s: returned %d (%s), expected %d (%s)", c->name, rc, iomm_strerror(rc),
			 c->want, iomm_strerror(c->want));
	c->post(w);
	free(w);
}

int main(int argc, char **argv)
{
	struct CMUnitTest tests[1];
	int failed = 0;
	for (which = 0; which < sizeof(cases) / sizeof(cases[0]); which++) {
		if (argc > 1 && strcmp(argv[1], cases[which].name))
			continue;
		tests[0] = (struct CMUnitTest){cases[which].name, test_hardware_failure, fx_setup,
					       fx_teardown, NULL};
		failed += _cmocka_run_group_tests(cases[which].name, tests, 1, NULL, NULL);
	}
	return failed;
}
