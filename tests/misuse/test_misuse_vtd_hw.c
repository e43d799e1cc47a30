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
	/* the cases that need more than the common world */
	struct iomm_dev more_dev;
	struct iomm_vm *vm;
	uint32_t h0;
	uint64_t qi0;
	uint8_t irt_before[IRT_N * 16u];
};

/* VM A's memory (one region) and the APIC IDs its interrupts may reach. */
static const struct iomm_vm_region vm_regions[] = {
    {.gpa = 0x40000000, .hpa = 0x80000000, .size = 0x100000, .prot = IOMM_READ | IOMM_WRITE},
};
static const uint32_t vm_dests[] = {0};

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

/* DEBUG lines into the port's last-message buffer. */
static void debug_on(struct world *w)
{
	iomm_posix_set_log(&w->f->px, IOMM_LOG_DEBUG, false);
	w->f->px.log_last[0] = '\0';
}

static void expect_debug(const struct world *w, const char *fn, const char *what)
{
	const char *last = w->f->px.log_last;
	if (!strstr(last, fn) || !strstr(last, what))
		fail_msg("logged \"%s\", expected \"%s\" and \"%s\"", last, fn, what);
}

/* VM A on the unit with an interrupt quota of @p nirqs, SID 0x20 assigned
 * as endpoint 4. */
static struct iomm_vm *vtd_vm(struct world *w, size_t nirqs)
{
	static struct iomm_vm v;
	static struct iomm_vm_endpoint eps[2];
	static struct iomm_vm_gdom gdoms[2];
	static struct iomm_vm_mapping maps[4];
	static struct iomm_vm_irq irqs[2];
	struct iomm_vm_cfg c = {
	    .regions = vm_regions,
	    .nregions = 1,
	    .pool = fx_pool(w->f, P4K, 32),
	    .endpoints = eps,
	    .nendpoints = 2,
	    .domains = gdoms,
	    .ndomains = 2,
	    .mappings = maps,
	    .nmappings = 4,
	    .policy = IOMM_VM_BLOCK,
	    .irqs = irqs,
	    .nirqs = nirqs,
	    .irq_policy = {.dests = vm_dests, .ndests = 1, .vector_first = 0x20, .vector_last = 0x7f},
	};
	memset(&v, 0, sizeof(v));
	memset(irqs, 0, sizeof(irqs));
	assert_int_equal(iomm_vm_init(&v, &c), IOMM_OK);
	struct iomm_devid id = IOMM_SID(0x20);
	assert_int_equal(iomm_vm_assign(&v, &w->f->vtd.unit, &id, 4), IOMM_OK);
	return &v;
}

/* One entry for endpoint 4 inside the policy (handle in w->h0); then the
 * interrupt remapping table as the unit sees it, before the call. */
static struct iomm_vm *vtd_vm_irq(struct world *w, size_t nirqs)
{
	struct iomm_irq_cfg t = target(0x50);
	w->vm = vtd_vm(w, nirqs);
	assert_int_equal(iomm_vm_irq_alloc(w->vm, 4, &t, &w->msg, &w->h0), IOMM_OK);
	memcpy(w->irt_before, w->f->mem.irt, sizeof(w->irt_before));
	w->qi0 = w->f->model.stats.qi_descs;
	debug_on(w);
	return w->vm;
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
/* configuration and attach against the unit's description */
C(cfg_validate_nobypass) { w->f->mcfg.pt = false; build(w); debug_on(w); static struct iomm_cfg_unit u = {.type = IOMM_UNIT_VTD, .base = FX_REGS, .size = VTD_M_MMIO_SIZE}; static struct iomm_unit *units[1]; units[0] = &w->f->vtd.unit; struct iomm_cfg_device d = {.unit = 0, .id = IOMM_SID(0x30), .policy = IOMM_POLICY_BYPASS}; struct iomm_board b = {.units = &u, .nunits = 1, .devices = &d, .ndevices = 1}; struct iomm_config_storage st = {.units = units, .nunits = 1}; struct iomm_config_error e; w->qi0 = w->f->model.stats.qi_descs; return iomm_config_validate(&b, &st, &e); }
C(attach_bus) { w->f->cfg.bus_last = 1; build(w); debug_on(w); struct iomm_devid id = IOMM_SID(0x0200); assert_int_equal(iomm_dev_init(&w->more_dev, &w->f->vtd.unit, &id), IOMM_OK); w->qi0 = w->f->model.stats.qi_descs; return iomm_attach(&w->d, &w->more_dev); }
/* the host role's interrupt entries */
C(vm_irq_quota) { struct iomm_vm *v = vtd_vm_irq(w, 1); struct iomm_irq_cfg t = target(0x51); uint32_t h; return iomm_vm_irq_alloc(v, 4, &t, &w->msg, &h); }
C(vm_irq_update_outside) { struct iomm_vm *v = vtd_vm_irq(w, 2); struct iomm_irq_cfg t = {.dest = 5, .vector = 0x50, .delivery = IOMM_IRQ_FIXED}; return iomm_vm_irq_update(v, w->h0, &t); }
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

/* Refused at validation: the DEBUG line says why, the unit saw nothing and
 * the device still has no context entry (its DMA is blocked). */
static void post_cfg_nobypass(struct world *w)
{
	expect_debug(w, "iomm_config_validate", "bypass");
	assert_int_equal(w->f->model.stats.qi_descs, w->qi0);
	assert_int_not_equal(fx_dma(w->f, 0x30, 0x100000, false, NULL), 0);
	post_translates(w);
}

/* The device on bus 2 was not attached: no domain, nothing sent to the
 * unit, its DMA blocked; the domain's device still translates. */
static void post_attach_bus(struct world *w)
{
	expect_debug(w, "iomm_attach", "bus");
	assert_null(w->more_dev.domain);
	assert_int_equal(w->f->model.stats.qi_descs, w->qi0);
	assert_int_not_equal(fx_dma(w->f, 0x0200, 0x100000, false, NULL), 0);
	post_translates(w);
}

/* The interrupt remapping table is byte for byte as before, the unit got no
 * invalidation; the live entry can still be updated within the policy and
 * freed, and then the quota has room again. */
static void post_vm_irq_same(struct world *w)
{
	struct iomm_irq_cfg t = target(0x52);
	uint32_t h;
	assert_memory_equal(w->f->mem.irt, w->irt_before, sizeof(w->irt_before));
	assert_int_equal(w->f->model.stats.qi_descs, w->qi0);
	assert_int_equal(iomm_vm_irq_update(w->vm, w->h0, &t), IOMM_OK);
	assert_int_equal(iomm_vm_irq_free(w->vm, w->h0), IOMM_OK);
	assert_int_equal(iomm_vm_irq_alloc(w->vm, 4, &t, &w->msg, &h), IOMM_OK);
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
    K(cfg_validate_nobypass, IOMM_ENOTSUP, true, post_cfg_nobypass),
    K(attach_bus, IOMM_ERANGE, true, post_attach_bus),
    K(vm_irq_quota, IOMM_ENOSPC, false, post_vm_irq_same),
    K(vm_irq_update_outside, IOMM_EPERM, false, post_vm_irq_same),
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
