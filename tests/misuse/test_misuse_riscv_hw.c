/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Misuse suite: the failures of the RISC-V IOMMU backend against the
 * register model of tools/models. Each case gets a fresh model, makes one
 * call, and the runner checks the documented code and what the failure
 * leaves behind.
 *
 * Ways to fail: NULL or bad arguments, a register file that is not a
 * version-1 RISC-V IOMMU, a unit that cannot do what the library needs (no
 * Sv mode), a unit that never acknowledges (busy forever), one that
 * reports a command error (an illegal command in its queue), and a unit
 * whose directory pointer never turns off.
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

#include "riscv_fx.h"

#define PORT(w) iomm_posix_port(&(w)->f->px)

struct world {
	struct fx *f;
};

#define INIT(w) iomm_riscv_init(&(w)->f->rv, PORT(w), FX_REGS, &(w)->f->mem, NULL, NULL)

/* clang-format off */
#define C(n) static int n(struct world *w)
C(init_null_mem) { fx_boot_prep(w->f); return iomm_riscv_init(&w->f->rv, PORT(w), FX_REGS, NULL, NULL, NULL); }
C(init_version_2) { fx_boot_prep(w->f); w->f->model->caps = (w->f->model->caps & ~0xffull) | 0x20u; return iomm_riscv_init(&w->f->rv, PORT(w), FX_REGS, &w->f->mem, NULL, NULL); }
C(init_no_sv_mode) { fx_boot_prep(w->f); w->f->model->caps &= ~(uint64_t)0xe0e00; return iomm_riscv_init(&w->f->rv, PORT(w), FX_REGS, &w->f->mem, NULL, NULL); }
C(init_busy_forever) { fx_boot_prep(w->f); w->f->model->cfg.busy_reads = 1000000; return iomm_riscv_init(&w->f->rv, PORT(w), FX_REGS, &w->f->mem, NULL, NULL); }
C(init_illegal_command) { fx_boot_prep(w->f); w->f->corrupt_cqt = 1000; return iomm_riscv_init(&w->f->rv, PORT(w), FX_REGS, &w->f->mem, NULL, NULL); }
C(disable_never_init) { (void)w; struct iomm_riscv never; memset(&never, 0, sizeof(never)); return iomm_riscv_disable(&never); }
C(disable_busy_forever) { fx_start(w->f); w->f->model->cfg.busy_reads = 1000000; return iomm_riscv_disable(&w->f->rv); }
C(decode_null) { (void)w; uint64_t rec[4] = {13, 0, 0, 0}; return iomm_riscv_decode_fault(rec, NULL); }
/* clang-format on */

/* The unit is off: DMA refused with cause 256, the queues off; a retry on a
 * working unit succeeds and refuses every device. */
static void post_off_retry(struct world *w)
{
	struct fx *f = w->f;
	assert_int_equal(fx_dma(f, 1, 0x1000, RD, NULL), 256);
	assert_int_equal(fx_rd(f, RISCV_M_DDTP) & 0xfu, 0);
	f->model->caps = f->mcfg.caps;
	f->model->cfg.busy_reads = 0;
	f->model->ddtp_busy = f->model->cq_busy = f->model->fq_busy = 0;
	f->corrupt_cqt = 0;
	assert_int_equal(INIT(w), IOMM_OK);
	assert_int_equal(fx_dma(f, 1, 0x1000, RD, NULL), 258);
}

/* Refused before touching the unit: nothing enabled. */
static void post_untouched(struct world *w)
{
	struct fx *f = w->f;
	assert_int_equal(fx_rd(f, RISCV_M_CQCSR), 0);
	assert_int_equal(fx_rd(f, RISCV_M_FQCSR), 0);
	assert_int_equal(fx_rd(f, RISCV_M_DDTP) & 0xfu, 0);
	post_off_retry(w);
}

/* Nothing to check beyond the code: a pure function or an object never set up. */
static void post_none(struct world *w)
{
	(void)w;
}

/* Disable could not confirm: once the unit answers again, disable completes. */
static void post_disable_retry(struct world *w)
{
	struct fx *f = w->f;
	f->model->cfg.busy_reads = 0;
	f->model->ddtp_busy = f->model->cq_busy = f->model->fq_busy = 0;
	assert_int_equal(iomm_riscv_disable(&f->rv), IOMM_OK);
	assert_int_equal(fx_dma(f, 1, 0x1000, RD, NULL), 256);
}

struct hcase {
	const char *name;
	int (*call)(struct world *w);
	int want;
	void (*post)(struct world *w);
};

#define K(n, want, post) {#n, n, want, post}
static const struct hcase cases[] = {
    K(init_null_mem, IOMM_EINVAL, post_untouched),
    K(init_version_2, IOMM_ENODEV, post_untouched),
    K(init_no_sv_mode, IOMM_ENOTSUP, post_untouched),
    K(init_busy_forever, IOMM_ETIMEDOUT, post_off_retry),
    K(init_illegal_command, IOMM_EIO, post_off_retry),
    K(disable_never_init, IOMM_EINVAL, post_none),
    K(disable_busy_forever, IOMM_ETIMEDOUT, post_disable_retry),
    K(decode_null, IOMM_EINVAL, post_none),
};

static size_t which;

static void test_hardware_failure(void **state)
{
	struct fx *f = *state;
	const struct hcase *c = &cases[which];
	struct world w = {f};
	int rc = c->call(&w);
	if (rc != c->want)
		fail_msg("%s: returned %d (%s), expected %d (%s)", c->name, rc, iomm_strerror(rc),
			 c->want, iomm_strerror(c->want));
	c->post(&w);
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
