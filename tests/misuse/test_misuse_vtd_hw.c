/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Misuse suite, part 3: the hardware-facing failures of the public API on an
 * Intel VT-d unit (the software model of tools/models behind the POSIX
 * port), interrupt remapping included. Each case gets a fresh unit in
 * caching mode (CAP.CM, so even a new interrupt entry needs a confirmed
 * invalidation) with an 8-entry interrupt remapping table, a second-stage
 * domain with two pages mapped, a device attached to it and one interrupt
 * entry allocated for it. Then the case makes the unit fail, makes one call,
 * the runner checks the documented code, lets the unit recover (the knobs
 * cleared, the queue drained) and checks what the header says the failure
 * leaves behind. Cases marked "boot" bring the unit up themselves.
 *
 * Ways to fail: GSTS never following GCMD (gsts_stuck), the invalidation
 * queue consuming nothing (qi_stuck), a bad descriptor queued ahead of the
 * call's own (the unit reports an invalidation queue error), the next
 * descriptor refused by the model (qi_fail_next: for the calls that restart
 * the queue, so nothing can be queued ahead of them), ID registers the backend cannot drive
 * (white-box after the model's reset), a spent pool, a full table.
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

#include "vtd_fx.h"

#define P4K   4096u
#define RW    (IOMM_READ | IOMM_WRITE)
#define SID   0x0010u
#define IRT_N 8u
#define PORT(w) iomm_posix_port(&(w)->f->px)

struct world {
	struct fx *f;
	struct iomm_domain d;
	struct iomm_dev dev;
	struct iomm_irq irq, more[IRT_N];
	struct iomm_msi_msg msg;
};

static struct iomm_irq_cfg target(uint8_t vector)
{
	struct iomm_irq_cfg c = {.dest = 0, .vector = vector, .delivery = IOMM_IRQ_FIXED};
	return c;
}

/* The unit's configuration every case starts from (before the model's reset). */
static void prepare(struct fx *f)
{
	f->mcfg.cm = true;
	f->mem.irt = fx_mem(f, IRT_N * 16u < P4K ? P4K : IRT_N * 16u, P4K);
	f->mem.irt_pa = (uint64_t)(uintptr_t)f->mem.irt;
	f->mem.irt_entries = IRT_N;
}

static void build(struct world *w)
{
	struct fx *f = w->f;
	fx_start(f);
	assert_int_equal(fx_domain(f, &w->d, IOMM_DOMAIN_S2, 48), IOMM_OK);
	assert_int_equal(iomm_map(&w->d, 0x100000, 0x80100000, 2 * P4K, RW), IOMM_OK);
	fx_attach(f, &w->dev, &w->d, SID);
	struct iomm_irq_cfg t = target(0x40);
	assert_int_equal(iomm_irq_alloc(&f->vtd.unit, &w->dev, &t, &w->irq, &w->msg), IOMM_OK);
	assert_int_equal(fx_xlate(f, SID, 0x100000, false), 0x80100000);
}

/* White-box: a descriptor of an unknown type (0xf) queued behind the
 * backend's back, so the unit stops with FSTS.IQE (IQERCD.IQEI 3) when it
 * reaches it, ahead of the call's own descriptors. */
static void badcmd(struct world *w)
{
	struct iomm_vtd *v = &w->f->vtd;
	unsigned words = 1u << (v->iq_shift - 3u);
	uint64_t *slot = (uint64_t *)v->mem.iq + (size_t)v->iq_tail * words;
	slot[0] = 0xf;
	for (unsigned i = 1; i < words; i++)
		slot[i] = 0;
	v->iq_tail = (v->iq_tail + 1u) & (v->iq_entries - 1u);
}

/* No interrupt remapping table: iomm_vtd_disable() then turns the queue
 * off, and iomm_vtd_enable() restarts it. */
static void no_ir(struct fx *f)
{
	f->mem.irt = NULL;
	f->mem.irt_pa = 0;
	f->mem.irt_entries = 0;
}

static void recover(struct world *w)
{
	struct vtd_model_cfg *c = &w->f->model.cfg;
	c->gsts_stuck = 0;
	c->qi_stuck = false;
	c->qi_fail_next = false;
	vtd_model_process(&w->f->model);
}

/* clang-format off */
#define C(n) static int n(struct world *w)
/* bring-up */
C(init_gsts) { fx_boot_prep(w->f); w->f->model.cfg.gsts_stuck = UINT32_MAX; return iomm_vtd_init(&w->f->vtd, PORT(w), FX_REGS, &w->f->mem, w->f->pool, &w->f->cfg); }
C(init_version0) { fx_boot_prep(w->f); w->f->model.ver = 0; return iomm_vtd_init(&w->f->vtd, PORT(w), FX_REGS, &w->f->mem, w->f->pool, &w->f->cfg); }
C(init_no_ir) { w->f->mcfg.ir = false; fx_boot_prep(w->f); return iomm_vtd_init(&w->f->vtd, PORT(w), FX_REGS, &w->f->mem, w->f->pool, &w->f->cfg); }
C(init_dids) { w->f->cfg.did_count = UINT32_C(1) << 20; fx_boot_prep(w->f); return iomm_vtd_init(&w->f->vtd, PORT(w), FX_REGS, &w->f->mem, w->f->pool, &w->f->cfg); }
C(init_iqe) { fx_boot_prep(w->f); w->f->model.cfg.qi_fail_next = true; return iomm_vtd_init(&w->f->vtd, PORT(w), FX_REGS, &w->f->mem, w->f->pool, &w->f->cfg); }
C(init_nopool) { fx_boot_prep(w->f); uint64_t pa; while (iomm_pool_used(w->f->pool) < iomm_pool_capacity(w->f->pool)) assert_non_null(iomm_pool_alloc(w->f->pool, 1, &pa)); return iomm_vtd_init(&w->f->vtd, PORT(w), FX_REGS, &w->f->mem, w->f->pool, &w->f->cfg); }
/* translation on and off, global invalidation */
C(enable_gsts) { assert_int_equal(iomm_vtd_disable(&w->f->vtd), IOMM_OK); w->f->model.cfg.gsts_stuck = VTD_M_GCMD_TE; return iomm_vtd_enable(&w->f->vtd); }
C(enable_iqe) { no_ir(w->f); fx_start(w->f); assert_int_equal(iomm_vtd_disable(&w->f->vtd), IOMM_OK); assert_false(w->f->model.gsts & VTD_M_GCMD_QIE); w->f->model.cfg.qi_fail_next = true; return iomm_vtd_enable(&w->f->vtd); }
C(disable_gsts) { w->f->model.cfg.gsts_stuck = VTD_M_GCMD_TE; return iomm_vtd_disable(&w->f->vtd); }
C(flush_stuck) { w->f->model.cfg.qi_stuck = true; return iomm_vtd_flush_all(&w->f->vtd); }
C(flush_badcmd) { badcmd(w); return iomm_vtd_flush_all(&w->f->vtd); }
/* interrupt remapping */
C(irq_alloc_badcmd) { struct iomm_irq_cfg t = target(0x41); badcmd(w); return iomm_irq_alloc(&w->f->vtd.unit, &w->dev, &t, &w->more[0], &w->msg); }
C(irq_update_badcmd) { struct iomm_irq_cfg t = target(0x43); badcmd(w); return iomm_irq_update(&w->irq, &t); }
C(irq_free_badcmd) { badcmd(w); return iomm_irq_free(&w->irq); }
C(irq_alloc_stuck) { struct iomm_irq_cfg t = target(0x41); w->f->model.cfg.qi_stuck = true; return iomm_irq_alloc(&w->f->vtd.unit, &w->dev, &t, &w->more[0], &w->msg); }
C(irq_alloc_live) { struct iomm_irq_cfg t = target(0x41); return iomm_irq_alloc(&w->f->vtd.unit, &w->dev, &t, &w->irq, &w->msg); }
C(irq_alloc_full) { struct iomm_irq_cfg t = target(0x42); for (unsigned i = 0; i + 1 < IRT_N; i++) assert_int_equal(iomm_irq_alloc(&w->f->vtd.unit, &w->dev, &t, &w->more[i], &w->msg), IOMM_OK); return iomm_irq_alloc(&w->f->vtd.unit, &w->dev, &t, &w->more[IRT_N - 1], &w->msg); }
C(irq_update_stuck) { struct iomm_irq_cfg t = target(0x43); w->f->model.cfg.qi_stuck = true; return iomm_irq_update(&w->irq, &t); }
C(irq_free_stuck) { w->f->model.cfg.qi_stuck = true; return iomm_irq_free(&w->irq); }
/* clang-format on */

/* ---- what each failure leaves (checked after the unit recovered) --------- */

/* Init failed: translation is off (every DMA of the unit is untranslated:
 * the model reports no translation enabled). */
static void post_not_enabled(struct world *w)
{
	assert_false(w->f->model.gsts & VTD_M_GCMD_TE);
}

/* The unit never saw a command: nothing was enabled, and, working again,
 * the same call succeeds. */
static void post_init_retry(struct world *w)
{
	post_not_enabled(w);
	assert_int_equal(iomm_vtd_init(&w->f->vtd, PORT(w), FX_REGS, &w->f->mem, w->f->pool,
				       &w->f->cfg),
			 IOMM_OK);
	assert_true(w->f->model.gsts & VTD_M_GCMD_TE);
}

/* TE stayed off (with it off the unit does not translate: the access goes
 * out untranslated); a retry turns it on and DMA translates again. */
static void post_enable_retry(struct world *w)
{
	uint64_t pa = 0;
	assert_false(w->f->model.gsts & VTD_M_GCMD_TE);
	assert_int_equal(fx_dma(w->f, SID, 0x100000, false, &pa), 0);
	assert_int_equal(pa, 0x100000);
	assert_int_equal(iomm_vtd_enable(&w->f->vtd), IOMM_OK);
	assert_int_equal(fx_xlate(w->f, SID, 0x100000, false), 0x80100000);
}

/* The queue was restarted but its flush failed: TE stayed off; a retry
 * restarts the queue and turns TE on. */
static void post_enable_bare_retry(struct world *w)
{
	assert_false(w->f->model.gsts & VTD_M_GCMD_TE);
	assert_int_equal(iomm_vtd_enable(&w->f->vtd), IOMM_OK);
	assert_true(w->f->model.gsts & VTD_M_GCMD_TE);
	assert_true(w->f->model.gsts & VTD_M_GCMD_QIE);
}

/* The mappings are intact and still translate. */
static void post_translates(struct world *w)
{
	assert_int_equal(fx_xlate(w->f, SID, 0x100000, false), 0x80100000);
	assert_int_equal(fx_xlate(w->f, SID, 0x101000, false), 0x80101000);
}

/* Nothing was allocated: the object is not live, and the call succeeds now. */
static void post_irq_not_allocated(struct world *w)
{
	assert_int_equal(iomm_irq_free(&w->more[0]), IOMM_EINVAL);
	struct iomm_irq_cfg t = target(0x41);
	assert_int_equal(iomm_irq_alloc(&w->f->vtd.unit, &w->dev, &t, &w->more[0], &w->msg),
			 IOMM_OK);
	assert_int_not_equal(w->more[0].index, w->irq.index);
}

/* The live entry is untouched and can still be freed. */
static void post_irq_live(struct world *w)
{
	assert_int_equal(iomm_irq_free(&w->irq), IOMM_OK);
}

/* The table is full: one entry freed, the call succeeds. */
static void post_irq_full(struct world *w)
{
	struct iomm_irq_cfg t = target(0x42);
	assert_int_equal(iomm_irq_free(&w->more[0]), IOMM_OK);
	assert_int_equal(iomm_irq_alloc(&w->f->vtd.unit, &w->dev, &t, &w->more[IRT_N - 1], &w->msg),
			 IOMM_OK);
}

/* Not confirmed: the entry stays live and the same call completes now. */
static void post_irq_update_retry(struct world *w)
{
	struct iomm_irq_cfg t = target(0x43);
	assert_int_equal(iomm_irq_update(&w->irq, &t), IOMM_OK);
}

static void post_irq_free_retry(struct world *w)
{
	assert_int_equal(iomm_irq_free(&w->irq), IOMM_OK);
	assert_int_equal(iomm_irq_free(&w->irq), IOMM_EINVAL);
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
    K(init_gsts, IOMM_ETIMEDOUT, true, post_init_retry),
    K(init_version0, IOMM_ENODEV, true, post_not_enabled),
    K(init_no_ir, IOMM_ENOTSUP, true, post_not_enabled),
    K(init_dids, IOMM_ERANGE, true, post_not_enabled),
    K(init_iqe, IOMM_EIO, true, post_init_retry),
    K(init_nopool, IOMM_ENOMEM, true, post_not_enabled),
    K(enable_gsts, IOMM_ETIMEDOUT, false, post_enable_retry),
    K(enable_iqe, IOMM_EIO, true, post_enable_bare_retry),
    K(disable_gsts, IOMM_ETIMEDOUT, false, post_translates),
    K(flush_stuck, IOMM_ETIMEDOUT, false, post_translates),
    K(flush_badcmd, IOMM_EIO, false, post_translates),
    K(irq_alloc_badcmd, IOMM_EIO, false, post_irq_not_allocated),
    K(irq_update_badcmd, IOMM_EIO, false, post_irq_update_retry),
    K(irq_free_badcmd, IOMM_EIO, false, post_irq_free_retry),
    K(irq_alloc_stuck, IOMM_ETIMEDOUT, false, post_irq_not_allocated),
    K(irq_alloc_live, IOMM_EBUSY, false, post_irq_live),
    K(irq_alloc_full, IOMM_ENOSPC, false, post_irq_full),
    K(irq_update_stuck, IOMM_ETIMEDOUT, false, post_irq_update_retry),
    K(irq_free_stuck, IOMM_ETIMEDOUT, false, post_irq_free_retry),
};

static size_t which;

static void test_hardware_failure(void **state)
{
	struct fx *f = *state;
	const struct hcase *c = &cases[which];
	struct world *w = calloc(1, sizeof(*w));
	assert_non_null(w);
	w->f = f;
	prepare(f);
	if (!c->boot)
		build(w);
	int rc = c->call(w);
	recover(w);
	if (rc != c->want)
		fail_msg("%s: returned %d (%s), expected %d (%s)", c->name, rc, iomm_strerror(rc),
			 c->want, iomm_strerror(c->want));
	c->post(w);
	free(w);
}

int main(int argc, char **argv)
{
	/* one cmocka test per case, each on a fresh fixture */
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
