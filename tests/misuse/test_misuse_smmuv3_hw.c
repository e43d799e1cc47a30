/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Misuse suite, part 2: the hardware-facing failures of the public API on an
 * SMMUv3 (the software model of tools/models behind the POSIX port). Each
 * case gets a fresh live system (a stage-1 domain with two pages mapped, a
 * device attached to it, a device that is not, a VM with one assigned
 * device), makes the unit fail in one way, makes one call and
 *
 *  - checks the call returned exactly the documented code,
 *  - lets the unit recover (the knob is cleared, the model drains its
 *    command queue), then
 *  - checks what the header documents for that failure: what stays as it
 *    was, what is already done, and that no stream was left translating
 *    through a half-written entry (the model's view, not the library's).
 *
 * Ways to fail:
 *  - stall:  the model consumes no command (CMDQ_CONS never moves), so every
 *            CMD_SYNC times out (ETIMEDOUT);
 *  - badcmd: a command with a reserved opcode sits in the queue ahead of the
 *            call's own, so the SMMU raises CERROR_ILL (EIO);
 *  - cr0ack: CR0ACK never follows CR0 (ETIMEDOUT from a register update);
 *  - ID registers of a unit the backend cannot drive (ENODEV, ENOTSUP): the
 *    init cases bring the unit up themselves, with no live system before.
 *
 * The case table has the form scripts/check-error-paths.sh reads:
 * C(name) { ...; return iomm_fn(...); } and K(name, code, post-check).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "smmuv3_fx.h"

#define P4K 4096u
#define RW  (IOMM_READ | IOMM_WRITE)

#define PORT(w) iomm_posix_port(&(w)->f->px)

#define SID_DEV1  0x11u /* attached to s1 */
#define SID_LOOSE 0x33u /* initialised, not attached */
#define SID_VM    0x44u /* assigned to the VM as endpoint 4 */
#define SID_NEW   0x55u

struct world {
	struct fx *f;
	struct iomm_pool *pool;
	struct iomm_domain s1;
	struct iomm_dev dev1, loose;
	struct iomm_vm vm;
	struct iomm_vm_cfg vcfg;
	struct iomm_vm_endpoint eps[4];
	struct iomm_vm_gdom gdoms[2];
	struct iomm_vm_mapping maps[8];
	struct iomm_vm_event evs[4];
	struct iomm_gather g;
	/* taken right before the call */
	size_t pool_used, vm_pool_used;
	unsigned s1_ndevs;
};

static const struct iomm_vm_region vm_regions[] = {
    {.gpa = 0x40000000, .hpa = 0x80000000, .size = 0x100000, .prot = IOMM_READ | IOMM_WRITE},
};

static void build(struct world *w, struct fx *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	fx_start(f);
	w->pool = fx_pool(f, P4K, 64);
	assert_int_equal(fx_domain(f, &w->s1, IOMM_DOMAIN_S1, 0, w->pool, NULL), IOMM_OK);
	assert_int_equal(iomm_map(&w->s1, 0x100000, 0x80100000, 2 * P4K, RW), IOMM_OK);
	fx_attach(f, &w->dev1, &w->s1, SID_DEV1, 0);
	struct iomm_devid id = IOMM_SID(SID_LOOSE);
	assert_int_equal(iomm_dev_init(&w->loose, &f->smmu.unit, &id), IOMM_OK);
	w->vcfg = (struct iomm_vm_cfg){
	    .regions = vm_regions,
	    .nregions = 1,
	    .pool = fx_pool(f, P4K, 32),
	    .endpoints = w->eps,
	    .nendpoints = 4,
	    .domains = w->gdoms,
	    .ndomains = 2,
	    .mappings = w->maps,
	    .nmappings = 8,
	    .events = w->evs,
	    .nevents = 4,
	    .policy = IOMM_VM_CONFINE,
	};
	assert_int_equal(iomm_vm_init(&w->vm, &w->vcfg), IOMM_OK);
	struct iomm_devid vid = IOMM_SID(SID_VM);
	assert_int_equal(iomm_vm_assign(&w->vm, &f->smmu.unit, &vid, 4), IOMM_OK);
	iomm_gather_init(&w->g);
	/* what every case starts from, as the SMMU sees it */
	assert_int_equal(fx_xlate(f, SID_DEV1, 0x100000, RD), 0x80100000);
	assert_int_not_equal(fx_dma(f, SID_LOOSE, 0x100000, RD, NULL), 0);
	assert_int_equal(fx_xlate(f, SID_VM, 0x40000000, RD), 0x80000000);
}

/* ---- ways to fail ------------------------------------------------------- */

static void stall(struct world *w)
{
	w->f->model.cfg.stall_cmdq = true;
}

static void le64_put(uint8_t *p, uint64_t v)
{
	for (unsigned i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* White-box: a reserved opcode (0xff) queued behind the backend's back. */
static void badcmd(struct world *w)
{
	struct iomm_smmuv3 *s = &w->f->smmu;
	uint32_t entries = 1u << s->cmdq_shift;
	uint8_t *slot = (uint8_t *)w->f->mem.cmdq + 16u * (s->cmdq_prod & (entries - 1));
	le64_put(slot, 0xffu);
	le64_put(slot + 8, 0);
	s->cmdq_prod = (s->cmdq_prod + 1) & ((2u << s->cmdq_shift) - 1);
}

/* A second VM on the unit, offering @p features (0: the defaults), with
 * the policy IOMM_VM_CONFINE (config.bypass = 1). */
static struct iomm_vm *vm2(struct world *w, uint64_t features)
{
	static struct iomm_vm v;
	static struct iomm_vm_endpoint eps[2];
	static struct iomm_vm_gdom gdoms[2];
	static struct iomm_vm_mapping maps[4];
	struct iomm_vm_cfg c = {
	    .regions = vm_regions,
	    .nregions = 1,
	    .pool = fx_pool(w->f, P4K, 16),
	    .endpoints = eps,
	    .nendpoints = 2,
	    .domains = gdoms,
	    .ndomains = 2,
	    .mappings = maps,
	    .nmappings = 4,
	    .policy = IOMM_VM_CONFINE,
	    .features = features,
	};
	memset(&v, 0, sizeof(v));
	assert_int_equal(iomm_vm_init(&v, &c), IOMM_OK);
	return &v;
}

static uint8_t config_bypass(const struct iomm_vm *v)
{
	uint8_t cfg[IOMM_VIOMMU_CFG_SIZE];
	assert_int_equal(iomm_viommu_dev_config(v, cfg, sizeof(cfg)), IOMM_OK);
	return cfg[IOMM_VIOMMU_CFG_BYPASS];
}

static struct iomm_vm *last_vm;

/* Take every page of @p p but one: a VM's first assignment on a unit gets
 * the root of its stage-2 table, then runs out mapping A. */
static void leave_one(struct iomm_pool *p)
{
	uint64_t pa;
	while (iomm_pool_capacity(p) - iomm_pool_used(p) > 1)
		assert_non_null(iomm_pool_alloc(p, 1, &pa));
}

static void recover(struct world *w)
{
	w->f->model.cfg.stall_cmdq = false;
	w->f->model.cfg.cr0ack_broken = false;
	w->f->model.cfg.cmd_fail_next = false;
	smmuv3_model_process(&w->f->model);
}

/* ---- the cases ---------------------------------------------------------- */

static void on_fault(void *arg, const struct iomm_fault *ft)
{
	(void)arg;
	(void)ft;
}

/* clang-format off */
#define C(n) static int n(struct world *w)
C(attach_stall) { stall(w); return iomm_attach(&w->s1, &w->loose); }
C(attach_badcmd) { badcmd(w); return iomm_attach(&w->s1, &w->loose); }
C(detach_stall) { stall(w); return iomm_detach(&w->dev1); }
C(detach_badcmd) { badcmd(w); return iomm_detach(&w->dev1); }
C(unmap_stall) { stall(w); return iomm_unmap(&w->s1, 0x100000, P4K, NULL); }
C(unmap_badcmd) { badcmd(w); return iomm_unmap(&w->s1, 0x100000, P4K, NULL); }
C(sync_stall) { assert_int_equal(iomm_unmap_gather(&w->s1, 0x100000, P4K, &w->g, NULL), IOMM_OK); stall(w); return iomm_gather_sync(&w->s1, &w->g); }
C(sync_badcmd) { assert_int_equal(iomm_unmap_gather(&w->s1, 0x100000, P4K, &w->g, NULL), IOMM_OK); badcmd(w); return iomm_gather_sync(&w->s1, &w->g); }
C(vm_assign_stall) { struct iomm_devid id = IOMM_SID(SID_NEW); stall(w); return iomm_vm_assign(&w->vm, &w->f->smmu.unit, &id, 5); }
C(vm_assign_badcmd) { struct iomm_devid id = IOMM_SID(SID_NEW); badcmd(w); return iomm_vm_assign(&w->vm, &w->f->smmu.unit, &id, 5); }
C(vm_unassign_stall) { stall(w); return iomm_vm_unassign(&w->vm, 4); }
C(vm_unassign_badcmd) { badcmd(w); return iomm_vm_unassign(&w->vm, 4); }
C(init_cr0ack) { fx_boot_prep(w->f); w->f->model.cfg.cr0ack_broken = true; return iomm_smmuv3_init(&w->f->smmu, PORT(w), FX_REGS, &w->f->mem, NULL, NULL); }
C(init_nogranule) { fx_boot_prep(w->f); w->f->model.idr[5] &= ~UINT32_C(0x70); /* IDR5.GRAN4K, GRAN16K, GRAN64K (6.3.6) */ return iomm_smmuv3_init(&w->f->smmu, PORT(w), FX_REGS, &w->f->mem, NULL, NULL); }
C(init_no2lvl) { w->f->mcfg.st_level_2lvl = false; w->f->cfg.flags = IOMM_SMMUV3_CFG_2LVL; fx_boot_prep(w->f); return iomm_smmuv3_init(&w->f->smmu, PORT(w), FX_REGS, &w->f->mem, w->f->st_pool, &w->f->cfg); }
C(poll_gerror) { w->f->model.gerror ^= SMMUV3_M_GERROR_EVTQ_ABT; return iomm_fault_poll(&w->f->smmu.unit, on_fault, NULL); }
C(vm_assign_full) { for (uint32_t i = 0; i < 3; i++) { struct iomm_devid id = IOMM_SID(0x60 + i); assert_int_equal(iomm_vm_assign(&w->vm, &w->f->smmu.unit, &id, 5 + i), IOMM_OK); } struct iomm_devid id = IOMM_SID(SID_NEW); return iomm_vm_assign(&w->vm, &w->f->smmu.unit, &id, 9); }
C(vm_route_full) { struct iomm_fault ft = {.sid = SID_VM, .addr = 0x1000, .reason = IOMM_FAULT_TRANSLATION}; for (unsigned i = 0; i < 4; i++) assert_int_equal(iomm_vm_fault_route(&w->vm, &w->f->smmu.unit, &ft), IOMM_OK); ft.addr = 0x2000; return iomm_vm_fault_route(&w->vm, &w->f->smmu.unit, &ft); }
C(vm_bypass_ro) { last_vm = vm2(w, (UINT64_C(1) << IOMM_VIOMMU_F_VERSION_1) | (1u << IOMM_VIOMMU_F_MAP_UNMAP) | (1u << IOMM_VIOMMU_F_INPUT_RANGE) | (1u << IOMM_VIOMMU_F_DOMAIN_RANGE) | (1u << IOMM_VIOMMU_F_PROBE)); assert_int_equal(config_bypass(last_vm), 1); return iomm_viommu_dev_set_bypass(last_vm, 0); }
C(vm_assign_nos2) { w->f->mcfg.s2p = false; assert_int_equal(fx_boot(w->f), IOMM_OK); last_vm = vm2(w, 0); struct iomm_devid id = IOMM_SID(SID_NEW); return iomm_vm_assign(last_vm, &w->f->smmu.unit, &id, 5); }
C(attach_st_nomem) { w->f->mcfg.st_level_2lvl = true; w->f->cfg.flags = IOMM_SMMUV3_CFG_2LVL; w->f->st_pool = fx_pool(w->f, P4K, 1); assert_int_equal(fx_boot(w->f), IOMM_OK); uint64_t pa; while (iomm_pool_used(w->f->st_pool) < iomm_pool_capacity(w->f->st_pool)) assert_non_null(iomm_pool_alloc(w->f->st_pool, 1, &pa)); w->pool = fx_pool(w->f, P4K, 8); assert_int_equal(fx_domain(w->f, &w->s1, IOMM_DOMAIN_S1, 0, w->pool, NULL), IOMM_OK); struct iomm_devid id = IOMM_SID(SID_LOOSE); assert_int_equal(iomm_dev_init(&w->loose, &w->f->smmu.unit, &id), IOMM_OK); w->pool_used = iomm_pool_used(w->pool); return iomm_attach(&w->s1, &w->loose); }
C(init_cmd_refused) { fx_boot_prep(w->f); w->f->model.cfg.cmd_fail_next = true; return iomm_smmuv3_init(&w->f->smmu, PORT(w), FX_REGS, &w->f->mem, NULL, NULL); }
C(vm_assign_nomem) { last_vm = vm2(w, 0); leave_one(last_vm->cfg.pool); w->vm_pool_used = iomm_pool_used(last_vm->cfg.pool); struct iomm_devid id = IOMM_SID(SID_NEW); return iomm_vm_assign(last_vm, &w->f->smmu.unit, &id, 5); }
C(vm_audit_edited) { assert_int_equal(iomm_vm_audit(&w->vm), IOMM_OK); assert_int_equal(iomm_pgt_map(&w->vm.units[0].a_dom.pgt, 0x50000000, 0x90000000, P4K, IOMM_READ), IOMM_OK); w->vm_pool_used = iomm_pool_used(w->vcfg.pool); return iomm_vm_audit(&w->vm); }
C(disable_cr0ack) { w->f->model.cfg.cr0ack_broken = true; return iomm_smmuv3_disable(&w->f->smmu); }
/* clang-format on */

/* ---- what each failure leaves (checked after the unit recovered) --------- */

static int walk_count(void *arg, const struct iomm_mapping *m)
{
	(void)m;
	(*(unsigned *)arg)++;
	return 0;
}

/* The device was not attached and its stream does not translate. */
static void post_not_attached(struct world *w)
{
	assert_int_equal(w->s1.ndevs, w->s1_ndevs);
	assert_int_equal(iomm_detach(&w->loose), IOMM_ENOENT);
	assert_int_not_equal(fx_dma(w->f, SID_LOOSE, 0x100000, RD, NULL), 0);
	assert_int_equal(iomm_pool_used(w->pool), w->pool_used);
}

/* Streams abort in memory, but the device stays recorded as attached. */
static void post_still_recorded(struct world *w)
{
	assert_int_equal(w->s1.ndevs, w->s1_ndevs);
	assert_int_not_equal(fx_dma(w->f, SID_DEV1, 0x100000, RD, NULL), 0);
	/* a retry completes the detach */
	assert_int_equal(iomm_detach(&w->dev1), IOMM_OK);
	assert_int_equal(w->s1.ndevs, w->s1_ndevs - 1);
}

/* The mapping is gone from the table (maybe still cached); the other page stays. */
static void post_unmapped(struct world *w)
{
	uint64_t pa;
	assert_int_equal(iomm_iova_to_phys(&w->s1, 0x100000, &pa), IOMM_ENOENT);
	assert_int_equal(iomm_iova_to_phys(&w->s1, 0x101000, &pa), IOMM_OK);
	assert_int_equal(pa, 0x80101000);
	assert_int_equal(fx_xlate(w->f, SID_DEV1, 0x101000, RD), 0x80101000);
	/* a gather that failed to sync is emptied (nothing to retry) */
	assert_false(w->g.end > w->g.start);
	assert_int_equal(w->g.nfreed, 0);
}

/* Nothing assigned: no endpoint 5, no pages kept, the stream still aborts. */
static void post_not_assigned(struct world *w)
{
	unsigned n = 0;
	assert_int_equal(iomm_vm_walk(&w->vm, 5, walk_count, &n), IOMM_ENOENT);
	assert_int_equal(iomm_pool_used(w->vcfg.pool), w->vm_pool_used);
	assert_int_not_equal(fx_dma(w->f, SID_NEW, 0x40000000, RD, NULL), 0);
	/* and the VM still works */
	struct iomm_devid id = IOMM_SID(SID_NEW);
	assert_int_equal(iomm_vm_assign(&w->vm, &w->f->smmu.unit, &id, 5), IOMM_OK);
}

/* Still assigned: endpoint 4 is still there. */
static void post_still_assigned(struct world *w)
{
	unsigned n = 0;
	assert_int_equal(iomm_vm_walk(&w->vm, 4, walk_count, &n), IOMM_OK);
	assert_int_equal(iomm_vm_unassign(&w->vm, 4), IOMM_OK);
	assert_int_equal(iomm_vm_walk(&w->vm, 4, walk_count, &n), IOMM_ENOENT);
	assert_int_not_equal(fx_dma(w->f, SID_VM, 0x40000000, RD, NULL), 0);
}

/* CR0 never changed: the SMMU still translates as before. */
static void post_still_enabled(struct world *w)
{
	assert_int_equal(fx_xlate(w->f, SID_DEV1, 0x100000, RD), 0x80100000);
	assert_int_not_equal(fx_dma(w->f, SID_LOOSE, 0x100000, RD, NULL), 0);
}

/* The unit did not come up: the SMMU is not enabled (CR0.SMMUEN clear). */
static void post_not_up(struct world *w)
{
	assert_int_equal(w->f->model.cr0 & 1u, 0);
	assert_int_equal(w->f->model.cr0ack & 1u, 0);
}

/* ... and once the hardware answers, the same call brings it up. */
static void post_not_up_retry(struct world *w)
{
	post_not_up(w);
	assert_int_equal(iomm_smmuv3_init(&w->f->smmu, PORT(w), FX_REGS, &w->f->mem, NULL, NULL),
			 IOMM_OK);
	assert_int_equal(w->f->model.cr0 & 1u, 1u);
}

/* The global error was acknowledged: the next poll is clean. */
static void post_gerror_acked(struct world *w)
{
	assert_false((w->f->model.gerror ^ w->f->model.gerrorn) & SMMUV3_M_GERROR_EVTQ_ABT);
	assert_int_equal(iomm_fault_poll(&w->f->smmu.unit, on_fault, NULL), 0);
}

/* The VM is full: no endpoint 9, the stream aborts, nothing kept. */
static void post_vm_full(struct world *w)
{
	unsigned n = 0;
	assert_int_equal(iomm_vm_walk(&w->vm, 9, walk_count, &n), IOMM_ENOENT);
	assert_int_not_equal(fx_dma(w->f, SID_NEW, 0x40000000, RD, NULL), 0);
	/* a slot freed, the same call succeeds */
	assert_int_equal(iomm_vm_unassign(&w->vm, 5), IOMM_OK);
	struct iomm_devid id = IOMM_SID(SID_NEW);
	assert_int_equal(iomm_vm_assign(&w->vm, &w->f->smmu.unit, &id, 9), IOMM_OK);
}

/* The fifth event was dropped and counted; the four queued ones are intact
 * (the guest reads them in order, the dropped one is not among them). */
static void post_ring_full(struct world *w)
{
	assert_int_equal(iomm_viommu_dev_events_dropped(&w->vm), 1);
	uint8_t ev[32];
	for (unsigned i = 0; i < 4; i++)
		assert_true(iomm_viommu_dev_next_event(&w->vm, ev, sizeof(ev)) > 0);
	assert_int_equal(iomm_viommu_dev_next_event(&w->vm, ev, sizeof(ev)), 0);
}

/* config.bypass is read-only: it still holds what the policy set. */
static void post_bypass_kept(struct world *w)
{
	(void)w;
	assert_int_equal(config_bypass(last_vm), 1);
}

/* Nothing assigned on a unit without stage 2. */
static void post_vm2_empty(struct world *w)
{
	unsigned n = 0;
	assert_int_equal(iomm_vm_walk(last_vm, 5, walk_count, &n), IOMM_ENOENT);
	assert_int_not_equal(fx_dma(w->f, SID_NEW, 0x40000000, RD, NULL), 0);
}

/* The pool ran out while the VM's stage-2 table for the unit was built:
 * every page it took is back, nothing assigned, the stream still aborts,
 * the VM holds no unit (its audit passes on nothing). */
static void post_vm2_nomem(struct world *w)
{
	unsigned n = 0;
	assert_int_equal(iomm_pool_used(last_vm->cfg.pool), w->vm_pool_used);
	assert_int_equal(iomm_vm_walk(last_vm, 5, walk_count, &n), IOMM_ENOENT);
	assert_int_not_equal(fx_dma(w->f, SID_NEW, 0x40000000, RD, NULL), 0);
	assert_false(last_vm->units[0].up);
	assert_int_equal(iomm_vm_audit(last_vm), IOMM_OK);
}

/* The audit only reads: the stray leaf is still there (a second audit
 * finds it again), the VM's device translates as before, the VM's pool
 * holds what it held after the edit. */
static void post_audit_found(struct world *w)
{
	assert_int_equal(iomm_vm_audit(&w->vm), IOMM_EPERM);
	assert_int_equal(fx_xlate(w->f, SID_VM, 0x40000000, RD), 0x80000000);
	assert_int_equal(iomm_pool_used(w->vcfg.pool), w->vm_pool_used);
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
    K(attach_stall, IOMM_ETIMEDOUT, false, post_not_attached),
    K(attach_badcmd, IOMM_EIO, false, post_not_attached),
    K(detach_stall, IOMM_ETIMEDOUT, false, post_still_recorded),
    K(detach_badcmd, IOMM_EIO, false, post_still_recorded),
    K(unmap_stall, IOMM_ETIMEDOUT, false, post_unmapped),
    K(unmap_badcmd, IOMM_EIO, false, post_unmapped),
    K(sync_stall, IOMM_ETIMEDOUT, false, post_unmapped),
    K(sync_badcmd, IOMM_EIO, false, post_unmapped),
    K(vm_assign_stall, IOMM_ETIMEDOUT, false, post_not_assigned),
    K(vm_assign_badcmd, IOMM_EIO, false, post_not_assigned),
    K(vm_unassign_stall, IOMM_ETIMEDOUT, false, post_still_assigned),
    K(vm_unassign_badcmd, IOMM_EIO, false, post_still_assigned),
    K(init_cr0ack, IOMM_ETIMEDOUT, true, post_not_up_retry),
    K(init_nogranule, IOMM_ENODEV, true, post_not_up),
    K(init_no2lvl, IOMM_ENOTSUP, true, post_not_up),
    K(poll_gerror, IOMM_EIO, false, post_gerror_acked),
    K(vm_assign_full, IOMM_ENOSPC, false, post_vm_full),
    K(vm_route_full, IOMM_EOVERFLOW, false, post_ring_full),
    K(vm_bypass_ro, IOMM_EPERM, false, post_bypass_kept),
    K(vm_assign_nos2, IOMM_ENOTSUP, true, post_vm2_empty),
    K(attach_st_nomem, IOMM_ENOMEM, true, post_not_attached),
    K(init_cmd_refused, IOMM_EIO, true, post_not_up_retry),
    K(vm_assign_nomem, IOMM_ENOMEM, false, post_vm2_nomem),
    K(vm_audit_edited, IOMM_EPERM, false, post_audit_found),
    K(disable_cr0ack, IOMM_ETIMEDOUT, false, post_still_enabled),
};

static size_t which;

static void test_hardware_failure(void **state)
{
	struct fx *f = *state;
	const struct hcase *c = &cases[which];
	struct world *w = calloc(1, sizeof(*w));
	assert_non_null(w);
	if (!c->boot)
		build(w, f);
	w->f = f;
	w->pool_used = w->pool ? iomm_pool_used(w->pool) : 0;
	w->vm_pool_used = w->vcfg.pool ? iomm_pool_used(w->vcfg.pool) : 0;
	w->s1_ndevs = w->s1.ndevs;
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
	struct CMUnitTest tests[sizeof(cases) / sizeof(cases[0])];
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
