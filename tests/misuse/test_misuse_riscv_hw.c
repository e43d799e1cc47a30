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
	/* an MSI world: a G-stage domain with an 8-file MSI window (msi_setup()) */
	struct iomm_domain d;
	struct iomm_dev dev;
	struct iomm_riscv_msi msi;
};

#define MSI_GPA	 0x28000000ull
#define MSI_HOST 0x24000000ull

/* A unit with MSI_FLAT, a G-stage domain whose file 0 is mapped, device 4 on it if @attach. */
static struct iomm_domain *msi_setup(struct world *w, bool attach)
{
	struct fx *f = w->f;
	f->mcfg.caps |= RISCV_M_CAP_MSI_FLAT;
	fx_start(f);
	struct iomm_pool *p = fx_pool(f, 4096, 16);
	assert_int_equal(fx_domain(f, &w->d, IOMM_DOMAIN_S2, 50, p, NULL), IOMM_OK);
	w->msi.addr_mask = 0x7;
	w->msi.addr_pattern = MSI_GPA >> 12;
	w->msi.table = fx_mem(f, 4096, 4096);
	w->msi.table_pa = (uint64_t)(uintptr_t)w->msi.table;
	w->msi.table_bytes = 4096;
	if (attach) {
		assert_int_equal(iomm_riscv_msi_enable(&w->d, &w->msi), IOMM_OK);
		assert_int_equal(iomm_riscv_msi_map(&w->d, 0, MSI_HOST), IOMM_OK);
		fx_attach(f, &w->dev, &w->d, 4, 0);
		assert_int_equal(fx_xlate(f, 4, MSI_GPA, WR), MSI_HOST);
	}
	return &w->d;
}

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
C(msi_enable_null) { msi_setup(w, false); return iomm_riscv_msi_enable(&w->d, NULL); }
C(msi_enable_no_flat) { fx_start(w->f); struct iomm_pool *p = fx_pool(w->f, 4096, 16); assert_int_equal(fx_domain(w->f, &w->d, IOMM_DOMAIN_S2, 50, p, NULL), IOMM_OK); struct iomm_riscv_msi m = {0x7, MSI_GPA >> 12, fx_mem(w->f, 4096, 4096), 0, 4096}; m.table_pa = (uint64_t)(uintptr_t)m.table; w->msi = m; return iomm_riscv_msi_enable(&w->d, &w->msi); }
C(msi_enable_mask_wide) { msi_setup(w, false); w->msi.addr_mask = 1ull << 47; return iomm_riscv_msi_enable(&w->d, &w->msi); }
C(msi_enable_in_use) { msi_setup(w, false); fx_attach(w->f, &w->dev, &w->d, 4, 0); return iomm_riscv_msi_enable(&w->d, &w->msi); }
C(msi_map_no_table) { msi_setup(w, false); return iomm_riscv_msi_map(&w->d, 0, MSI_HOST); }
C(msi_map_beyond) { msi_setup(w, true); return iomm_riscv_msi_map(&w->d, 8, MSI_HOST); }
C(msi_map_unit_stuck) { msi_setup(w, true); w->f->drop_cqt = true; return iomm_riscv_msi_map(&w->d, 0, MSI_HOST + 0x1000); }
C(msi_map_cmd_error) { msi_setup(w, true); w->f->corrupt_cqt = 1; return iomm_riscv_msi_map(&w->d, 0, MSI_HOST + 0x1000); }
C(msi_unmap_null) { (void)w; return iomm_riscv_msi_unmap(NULL, 0); }
C(msi_unmap_beyond) { msi_setup(w, true); return iomm_riscv_msi_unmap(&w->d, 9); }
C(msi_unmap_unit_stuck) { msi_setup(w, true); w->f->drop_cqt = true; return iomm_riscv_msi_unmap(&w->d, 0); }
C(msi_unmap_cmd_error) { msi_setup(w, true); w->f->corrupt_cqt = 1; return iomm_riscv_msi_unmap(&w->d, 0); }
/* clang-format on */

/* A refused enable (or a map without one): the domain still has no MSI table, and its
 * device contexts would say msiptp Off. */
static void post_msi_none(struct world *w)
{
	assert_null(w->d.priv);
	if (w->d.ndevs) /* the window is plain G-stage space: nothing mapped there */
		assert_int_equal(fx_dma(w->f, 4, MSI_GPA, WR, NULL), 23);
}

/* Refused: the table is as it was (file 0 -> MSI_HOST), and so is DMA through it. */
static void post_msi_unchanged(struct world *w)
{
	struct fx *f = w->f;
	const uint64_t *e = w->msi.table;
	assert_int_equal(e[0], 1u | 3u << 1 | (MSI_HOST >> 12) << 10);
	for (unsigned i = 2; i < 16; i++)
		assert_int_equal(e[i], 0);
	if (w->d.ndevs)
		assert_int_equal(fx_xlate(f, 4, MSI_GPA + 8, WR), MSI_HOST + 8);
}

/* The entry changed but its invalidation was not confirmed: once the unit answers, the next
 * change invalidates everything and DMA sees the table as it is. */
static void post_msi_retry(struct world *w)
{
	struct fx *f = w->f;
	f->drop_cqt = false;
	f->corrupt_cqt = 0;
	f->model->cq_busy = 0;
	assert_int_equal(iomm_riscv_msi_map(&w->d, 1, MSI_HOST + 0x5000), IOMM_OK);
	uint64_t e0 = ((const uint64_t *)w->msi.table)[0];
	if (e0)
		assert_int_equal(fx_xlate(f, 4, MSI_GPA, WR), MSI_HOST + 0x1000);
	else
		assert_int_equal(fx_dma(f, 4, MSI_GPA, WR, NULL), 262);
	assert_int_equal(fx_xlate(f, 4, MSI_GPA + 0x1000, WR), MSI_HOST + 0x5000);
}

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
    K(msi_enable_null, IOMM_EINVAL, post_msi_none),
    K(msi_enable_no_flat, IOMM_ENOTSUP, post_msi_none),
    K(msi_enable_mask_wide, IOMM_ERANGE, post_msi_none),
    K(msi_enable_in_use, IOMM_EBUSY, post_msi_none),
    K(msi_map_no_table, IOMM_EINVAL, post_msi_none),
    K(msi_map_beyond, IOMM_ERANGE, post_msi_unchanged),
    K(msi_map_unit_stuck, IOMM_ETIMEDOUT, post_msi_retry),
    K(msi_map_cmd_error, IOMM_EIO, post_msi_retry),
    K(msi_unmap_null, IOMM_EINVAL, post_none),
    K(msi_unmap_beyond, IOMM_ERANGE, post_msi_unchanged),
    K(msi_unmap_unit_stuck, IOMM_ETIMEDOUT, post_msi_retry),
    K(msi_unmap_cmd_error, IOMM_EIO, post_msi_retry),
};

static size_t which;

static void test_hardware_failure(void **state)
{
	struct fx *f = *state;
	const struct hcase *c = &cases[which];
	static struct world w;
	memset(&w, 0, sizeof(w));
	w.f = f;
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
