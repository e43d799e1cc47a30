/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VT-d interrupt remapping against the register-level model: what a device's
 * interrupt request turns into (delivered with the entry's vector and
 * destination, or blocked with an interrupt-remapping fault), and what the
 * unit was told (IRTA, GCMD, interrupt-entry-cache invalidations). Covers
 * the paths QEMU cannot show: extended interrupt mode, SQ masks and bus
 * ranges, caching mode, a stuck queue during an invalidation, fault
 * overflow, and a changed entry the cache keeps until it is invalidated.
 */
#include "test_vtd.h"

#define EDU_SID 0x0018u
#define IRT_N	256u

static void ir_mem(struct fx *f, uint32_t entries)
{
	size_t bytes = (size_t)entries * 16u;
	f->mem.irt = fx_mem(f, bytes < 4096u ? 4096u : bytes, 4096);
	f->mem.irt_pa = (uint64_t)(uintptr_t)f->mem.irt;
	f->mem.irt_entries = entries;
}

static void ir_start(struct fx *f, uint32_t entries)
{
	ir_mem(f, entries);
	fx_start(f);
}

static int msi(struct fx *f, uint16_t sid, const struct iomm_msi_msg *m, struct vtd_model_irq *out)
{
	return vtd_model_msi(&f->model, sid, m->addr, m->data, out);
}

static struct iomm_irq_cfg target(uint32_t dest, uint8_t vector)
{
	struct iomm_irq_cfg c = {.dest = dest, .vector = vector, .delivery = IOMM_IRQ_FIXED,
				 .flags = 0};
	return c;
}

static void dev_on(struct fx *f, struct iomm_dev *dev, struct iomm_devid id)
{
	assert_int_equal(iomm_dev_init(dev, &f->vtd.unit, &id), IOMM_OK);
}

/* Probe and enable: IRTA with the table's size, SIRTP, a global IEC, IRE, CFI off. */
static void test_ir_enable(void **state)
{
	struct fx *f = *state;
	ir_start(f, IRT_N);
	assert_true(f->vtd.unit.caps & IOMM_CAP_IRQ_REMAP);
	assert_true(f->vtd.ir);
	assert_false(f->vtd.eime);
	assert_true(f->model.gsts & VTD_M_GCMD_IRE);
	assert_true(f->model.gsts & VTD_M_GCMD_SIRTP);
	assert_false(f->model.gsts & VTD_M_GCMD_CFI);
	assert_int_equal(f->model.irta_active, f->mem.irt_pa | 7u); /* 2^(7+1) entries, EIME 0 */
	assert_int_equal(f->model.stats.iec_global, 1);
	assert_int_equal(f->vtd.stats.iec_global, 1);
	fx_check_hygiene(f); /* IRE only after SIRTP, one command per GCMD write */
}

/* A unit or configuration without interrupt remapping says so. */
static void test_ir_unavailable(void **state)
{
	struct fx *f = *state;
	fx_start(f); /* no table given */
	struct iomm_dev dev;
	struct iomm_irq irq = {0};
	struct iomm_msi_msg m;
	struct iomm_irq_cfg t = target(0, 0x40);
	dev_on(f, &dev, IOMM_SID(EDU_SID));
	assert_false(f->vtd.unit.caps & IOMM_CAP_IRQ_REMAP);
	assert_int_equal(iomm_irq_alloc(&f->vtd.unit, &dev, &t, &irq, &m), IOMM_ENOTSUP);
	assert_false(f->model.gsts & VTD_M_GCMD_IRE);

	f = fresh(state); /* no ECAP.IR */
	f->mcfg.ir = false;
	ir_mem(f, IRT_N);
	assert_int_equal(fx_boot(f), IOMM_ENOTSUP);

	f = fresh(state); /* no queue: IEC exists only as a queued descriptor */
	f->iq_size = 0;
	ir_mem(f, IRT_N);
	assert_int_equal(fx_boot(f), IOMM_ENOTSUP);

	f = fresh(state); /* extended mode on a unit without ECAP.EIM */
	f->mcfg.eim = false;
	f->cfg.flags = IOMM_VTD_CFG_EIM;
	ir_mem(f, IRT_N);
	assert_int_equal(fx_boot(f), IOMM_ENOTSUP);

	f = fresh(state); /* extended mode without a table */
	f->cfg.flags = IOMM_VTD_CFG_EIM;
	assert_int_equal(fx_boot(f), IOMM_EINVAL);

	static const uint32_t bad[] = {0, 1, 3, 131072};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f = fresh(state);
		ir_mem(f, IRT_N);
		f->mem.irt_entries = bad[i];
		assert_int_equal(fx_boot(f), IOMM_EINVAL);
	}
	f = fresh(state); /* misaligned table */
	ir_mem(f, IRT_N);
	f->mem.irt_pa += 16;
	f->mem.irt = (uint8_t *)f->mem.irt + 16;
	assert_int_equal(fx_boot(f), IOMM_EINVAL);
}

/* The entry delivers its vector to its destination for its device only. */
static void test_ir_deliver_and_source_validation(void **state)
{
	struct fx *f = *state;
	ir_start(f, IRT_N);
	struct iomm_dev dev;
	struct iomm_irq irq = {0};
	struct iomm_msi_msg m;
	struct iomm_irq_cfg t = target(3, 0x41);
	t.flags = IOMM_IRQ_LEVEL;
	dev_on(f, &dev, IOMM_PCI(0, 3, 0));
	assert_int_equal(iomm_irq_alloc(&f->vtd.unit, &dev, &t, &irq, &m), IOMM_OK);
	assert_int_equal(m.addr & 0xfff00010u, 0xfee00010u); /* remappable format */
	assert_int_equal(m.data, 0);
	assert_int_equal(f->vtd.stats.irq_entries, 1);

	struct vtd_model_irq got;
	assert_int_equal(msi(f, EDU_SID, &m, &got), 0);
	assert_true(got.remapped);
	assert_int_equal(got.vector, 0x41);
	assert_int_equal(got.dest, 3);
	assert_int_equal(got.delivery, 0);
	assert_true(got.level);
	assert_false(got.logical);

	/* another device naming this entry: blocked, source-ID fault */
	assert_int_equal(msi(f, 0x0020, &m, &got), VTD_M_FR_IR_SID);
	assert_int_equal(fx_poll(f), 1);
	assert_int_equal(f->faults[0].sid, 0x0020);
	assert_int_equal(f->faults[0].raw, 0x26);
	assert_int_equal(f->faults[0].reason, IOMM_FAULT_PERMISSION);
	assert_int_equal(f->faults[0].flags, IOMM_FAULT_IRQ);
	assert_int_equal(f->faults[0].addr, got.index == 0 ? irq.index : irq.index);
	assert_int_equal(f->model.stats.irq_blocked, 1);

	/* a compatibility-format message: blocked (CFI off), reason 0x25 */
	assert_int_equal(vtd_model_msi(&f->model, EDU_SID, 0xfee00000u, 0x45, &got),
			 VTD_M_FR_IR_COMPAT);
	assert_int_equal(fx_poll(f), 1);
	assert_int_equal(f->faults[0].raw, 0x25);
	assert_int_equal(f->faults[0].sid, EDU_SID);
	assert_true(f->faults[0].flags & IOMM_FAULT_IRQ);

	/* a handle beyond the table and a free entry */
	struct iomm_msi_msg far = {0xfee00000u | 0x10u | (300u << 5), 0};
	assert_int_equal(msi(f, EDU_SID, &far, &got), VTD_M_FR_IR_INDEX);
	struct iomm_msi_msg freeent = {0xfee00000u | 0x10u | ((irq.index + 1u) << 5), 0};
	assert_int_equal(msi(f, EDU_SID, &freeent, &got), VTD_M_FR_IR_NP);
	assert_int_equal(fx_poll(f), 2);
	assert_int_equal(f->faults[0].raw, 0x21);
	assert_int_equal(f->faults[0].addr, 300);
	assert_int_equal(f->faults[1].raw, 0x22);
	assert_int_equal(f->faults[1].reason, IOMM_FAULT_TRANSLATION);
	fx_check_hygiene(f);
}

/* A target change reaches the device only through the IEC the library sends. */
static void test_ir_update_needs_iec(void **state)
{
	struct fx *f = *state;
	ir_start(f, IRT_N);
	struct iomm_dev dev;
	struct iomm_irq irq = {0};
	struct iomm_msi_msg m;
	struct iomm_irq_cfg t = target(1, 0x50);
	dev_on(f, &dev, IOMM_SID(EDU_SID));
	assert_int_equal(iomm_irq_alloc(&f->vtd.unit, &dev, &t, &irq, &m), IOMM_OK);
	struct vtd_model_irq got;
	assert_int_equal(msi(f, EDU_SID, &m, &got), 0); /* now cached */
	assert_true(vtd_model_irte_cached(&f->model, irq.index));

	/* planted defect: the entry rewritten in memory, no invalidation */
	uint64_t *e = (uint64_t *)f->mem.irt + (size_t)irq.index * 2u;
	uint64_t saved = e[0];
	e[0] = (e[0] & ~(uint64_t)0xff0000u) | (uint64_t)0x51u << 16;
	assert_int_equal(msi(f, EDU_SID, &m, &got), 0);
	assert_int_equal(got.vector, 0x50); /* the cache still delivers the old one */
	e[0] = saved;

	/* the library's update: one index-selective IEC for this entry, then a wait */
	fx_snap(f);
	t = target(2, 0x52);
	assert_int_equal(iomm_irq_update(&irq, &t), IOMM_OK);
	assert_int_equal(fx_ninv(f), 2);
	const struct vtd_model_inv *iec = fx_inv(f, 0);
	assert_int_equal(iec->type, VTD_M_DSC_IEC);
	assert_int_equal(iec->g, VTD_M_G_DOMAIN); /* index-selective */
	assert_int_equal(iec->addr, irq.index);
	assert_int_equal(iec->am, 0);
	assert_int_equal(fx_inv(f, 1)->type, VTD_M_DSC_WAIT);
	assert_int_equal(msi(f, EDU_SID, &m, &got), 0);
	assert_int_equal(got.vector, 0x52);
	assert_int_equal(got.dest, 2);

	/* bad targets change nothing */
	uint64_t before[2] = {e[0], e[1]};
	struct iomm_irq_cfg bad = target(0x100, 0x60); /* xAPIC: 8-bit destinations */
	assert_int_equal(iomm_irq_update(&irq, &bad), IOMM_EINVAL);
	bad = target(0, 7); /* exception vector */
	assert_int_equal(iomm_irq_update(&irq, &bad), IOMM_EINVAL);
	bad = target(0, 0x60);
	bad.delivery = 2; /* SMI */
	assert_int_equal(iomm_irq_update(&irq, &bad), IOMM_EINVAL);
	bad.delivery = IOMM_IRQ_FIXED;
	bad.flags = 0x80;
	assert_int_equal(iomm_irq_update(&irq, &bad), IOMM_EINVAL);
	assert_int_equal(e[0], before[0]);
	assert_int_equal(e[1], before[1]);
	fx_check_hygiene(f);
}

/* Free clears and invalidates the entry; it is reused only after that. */
static void test_ir_free_and_reuse(void **state)
{
	struct fx *f = *state;
	ir_start(f, 4);
	struct iomm_dev dev;
	struct iomm_irq irq[5];
	struct iomm_msi_msg m[5];
	memset(irq, 0, sizeof(irq));
	struct iomm_irq_cfg t = target(0, 0x60);
	dev_on(f, &dev, IOMM_SID(EDU_SID));
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(iomm_irq_alloc(&f->vtd.unit, &dev, &t, &irq[i], &m[i]), IOMM_OK);
	assert_int_equal(iomm_irq_alloc(&f->vtd.unit, &dev, &t, &irq[4], &m[4]), IOMM_ENOSPC);
	assert_int_equal(iomm_irq_alloc(&f->vtd.unit, &dev, &t, &irq[0], &m[4]), IOMM_EBUSY);

	struct vtd_model_irq got;
	assert_int_equal(msi(f, EDU_SID, &m[2], &got), 0); /* cached */
	fx_snap(f);
	assert_int_equal(iomm_irq_free(&irq[2]), IOMM_OK);
	assert_int_equal(fx_inv(f, 0)->type, VTD_M_DSC_IEC);
	assert_int_equal(fx_inv(f, 0)->addr, irq[2].index);
	assert_false(vtd_model_irte_cached(&f->model, irq[2].index));
	assert_int_equal(msi(f, EDU_SID, &m[2], &got), VTD_M_FR_IR_NP);
	assert_int_equal(iomm_irq_free(&irq[2]), IOMM_EINVAL); /* not live any more */
	assert_int_equal(iomm_irq_update(&irq[2], &t), IOMM_EINVAL);
	assert_int_equal(f->vtd.stats.irq_entries, 3);

	/* the freed entry is the one free slot: handed out again */
	assert_int_equal(iomm_irq_alloc(&f->vtd.unit, &dev, &t, &irq[4], &m[4]), IOMM_OK);
	assert_int_equal(irq[4].index, irq[2].index);
	assert_int_equal(msi(f, EDU_SID, &m[4], &got), 0);
	for (unsigned i = 0; i < 5; i++)
		if (i != 2)
			assert_int_equal(iomm_irq_free(&irq[i]), IOMM_OK);
	assert_int_equal(f->vtd.stats.irq_entries, 0);
	fx_check_hygiene(f);
}

/* Extended interrupt mode: EIME in IRTA, 32-bit destinations. */
static void test_ir_eim(void **state)
{
	struct fx *f = *state;
	f->cfg.flags = IOMM_VTD_CFG_EIM;
	ir_start(f, IRT_N);
	assert_true(f->vtd.eime);
	assert_int_equal(f->model.irta_active, f->mem.irt_pa | (1u << 11) | 7u);
	struct iomm_dev dev;
	struct iomm_irq irq = {0};
	struct iomm_msi_msg m;
	struct iomm_irq_cfg t = target(0x12345u, 0x70);
	t.delivery = IOMM_IRQ_LOWEST;
	t.flags = IOMM_IRQ_LOGICAL | IOMM_IRQ_REDIRECT;
	dev_on(f, &dev, IOMM_SID(EDU_SID));
	assert_int_equal(iomm_irq_alloc(&f->vtd.unit, &dev, &t, &irq, &m), IOMM_OK);
	struct vtd_model_irq got;
	assert_int_equal(msi(f, EDU_SID, &m, &got), 0);
	assert_int_equal(got.dest, 0x12345u);
	assert_int_equal(got.vector, 0x70);
	assert_int_equal(got.delivery, 1);
	assert_true(got.logical && got.redirect);
	/* compatibility format is blocked in extended mode whatever CFI says */
	assert_int_equal(vtd_model_msi(&f->model, EDU_SID, 0xfee00000u, 0x45, &got),
			 VTD_M_FR_IR_COMPAT);
	/* NMI: the vector is not used */
	struct iomm_irq nmi = {0};
	t = target(1, 0);
	t.delivery = IOMM_IRQ_NMI;
	assert_int_equal(iomm_irq_alloc(&f->vtd.unit, &dev, &t, &nmi, &m), IOMM_OK);
	assert_int_equal(msi(f, EDU_SID, &m, &got), 0);
	assert_int_equal(got.delivery, 4);
	fx_check_hygiene(f);
}

/* Source qualifiers: a device's function wildcards and bus ranges, exactly. */
static void test_ir_sq_masks(void **state)
{
	struct fx *f = *state;
	ir_start(f, IRT_N);
	struct vtd_model_irq got;
	static const struct {
		uint32_t sid, mask;
		uint16_t ok[2], no[2];
	} cases[] = {
	    {0x0018, 0x7, {0x0018, 0x001f}, {0x0020, 0x0118}}, /* SQ 11: every function */
	    {0x0018, 0x4, {0x0018, 0x001c}, {0x0019, 0x001a}}, /* SQ 01: bit 2 ignored */
	    {0x0018, 0x6, {0x001a, 0x001e}, {0x0019, 0x0010}}, /* SQ 10: bits 2:1 ignored */
	    {0x0200, 0x1ff, {0x0210, 0x03ff}, {0x0118, 0x0400}}, /* SVT 10: buses 2-3 */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct iomm_dev dev;
		struct iomm_irq irq = {0};
		struct iomm_msi_msg m;
		struct iomm_devid id = IOMM_SID(cases[i].sid);
		id.mask = cases[i].mask;
		dev_on(f, &dev, id);
		struct iomm_irq_cfg t = target(0, 0x80);
		assert_int_equal(iomm_irq_alloc(&f->vtd.unit, &dev, &t, &irq, &m), IOMM_OK);
		for (unsigned k = 0; k < 2; k++) {
			assert_int_equal(msi(f, cases[i].ok[k], &m, &got), 0);
			assert_int_equal(msi(f, cases[i].no[k], &m, &got), VTD_M_FR_IR_SID);
			(void)fx_poll(f);
		}
		assert_int_equal(iomm_irq_free(&irq), IOMM_OK);
	}
	/* stream sets the entry cannot describe exactly: refused, nothing written */
	static const uint32_t bad_masks[] = {0x1, 0x2, 0x8, 0xf8, 0x2ff};
	for (size_t i = 0; i < sizeof(bad_masks) / sizeof(bad_masks[0]); i++) {
		struct iomm_dev dev;
		struct iomm_irq irq = {0};
		struct iomm_msi_msg m;
		struct iomm_devid id = IOMM_SID(0x0400);
		id.mask = bad_masks[i];
		dev_on(f, &dev, id);
		struct iomm_irq_cfg t = target(0, 0x80);
		assert_int_equal(iomm_irq_alloc(&f->vtd.unit, &dev, &t, &irq, &m), IOMM_EINVAL);
	}
	assert_int_equal(f->vtd.stats.irq_entries, 0);
	const uint8_t *tbl = f->mem.irt;
	for (size_t i = 0; i < IRT_N * 16u; i++)
		assert_int_equal(tbl[i], 0);
	fx_check_hygiene(f);
}

/* Bad arguments: a clear error, nothing allocated. */
static void test_ir_bad_input(void **state)
{
	struct fx *f = *state;
	ir_start(f, IRT_N);
	struct iomm_dev dev;
	struct iomm_irq irq = {0};
	struct iomm_msi_msg m;
	struct iomm_irq_cfg t = target(0, 0x40);
	dev_on(f, &dev, IOMM_SID(EDU_SID));
	struct iomm_unit *u = &f->vtd.unit;
	assert_int_equal(iomm_irq_alloc(NULL, &dev, &t, &irq, &m), IOMM_EINVAL);
	assert_int_equal(iomm_irq_alloc(u, NULL, &t, &irq, &m), IOMM_EINVAL);
	assert_int_equal(iomm_irq_alloc(u, &dev, NULL, &irq, &m), IOMM_EINVAL);
	assert_int_equal(iomm_irq_alloc(u, &dev, &t, NULL, &m), IOMM_EINVAL);
	assert_int_equal(iomm_irq_alloc(u, &dev, &t, &irq, NULL), IOMM_EINVAL);
	struct iomm_irq_cfg bad = target(0, 15);
	assert_int_equal(iomm_irq_alloc(u, &dev, &bad, &irq, &m), IOMM_EINVAL);
	bad = target(0, 0x40);
	bad.delivery = 7; /* ExtINT */
	assert_int_equal(iomm_irq_alloc(u, &dev, &bad, &irq, &m), IOMM_EINVAL);
	bad = target(256, 0x40);
	assert_int_equal(iomm_irq_alloc(u, &dev, &bad, &irq, &m), IOMM_EINVAL);
	struct iomm_dev other = dev;
	struct iomm_vtd dummy;
	memset(&dummy, 0, sizeof(dummy));
	other.unit = &dummy.unit;
	assert_int_equal(iomm_irq_alloc(u, &other, &t, &irq, &m), IOMM_EINVAL);
	assert_int_equal(iomm_irq_free(NULL), IOMM_EINVAL);
	assert_int_equal(iomm_irq_free(&irq), IOMM_EINVAL);
	assert_int_equal(iomm_irq_update(&irq, &t), IOMM_EINVAL);
	assert_int_equal(f->vtd.stats.irq_entries, 0);
	assert_int_equal(f->vtd.stats.iec_index, 0);
	fx_check_hygiene(f);
}

/*
 * The queue stops consuming while entries are changed: every invalidation
 * times out, the ring never overwrites what the unit has not read, a freed
 * entry stays held (never handed out again) and its object live; once the
 * unit runs again the repeated free completes and the entry is blocked.
 */
static void test_ir_queue_full_during_iec(void **state)
{
	struct fx *f = *state;
	ir_start(f, 8);
	struct iomm_dev dev;
	struct iomm_irq irq = {0}, more[8];
	struct iomm_msi_msg m, mm;
	memset(more, 0, sizeof(more));
	struct iomm_irq_cfg t = target(0, 0x90);
	dev_on(f, &dev, IOMM_SID(EDU_SID));
	assert_int_equal(iomm_irq_alloc(&f->vtd.unit, &dev, &t, &irq, &m), IOMM_OK);
	struct vtd_model_irq got;
	assert_int_equal(msi(f, EDU_SID, &m, &got), 0);

	f->model.cfg.qi_stuck = true;
	uint64_t consumed = f->model.stats.qi_descs;
	int rc = IOMM_OK;
	for (unsigned i = 0; i < 200; i++) {
		t = target(0, (uint8_t)(0x91 + (i & 7u)));
		rc = iomm_irq_update(&irq, &t);
		assert_int_equal(rc, IOMM_ETIMEDOUT);
	}
	/* 4 KiB queue: 256 slots, at most 255 in flight */
	assert_true(f->vtd.stats.qi_descs - consumed <= 255u);
	assert_int_equal(iomm_irq_free(&irq), IOMM_ETIMEDOUT);
	assert_int_equal(f->model.stats.qi_descs, consumed); /* the unit read nothing */
	/* nothing lied: the unit never confirmed, and still delivers its cached entry */
	assert_int_equal(msi(f, EDU_SID, &m, &got), 0);
	/* the held entry is never handed out again */
	unsigned n = 0;
	while (iomm_irq_alloc(&f->vtd.unit, &dev, &t, &more[n], &mm) == IOMM_OK)
		assert_true(more[n++].index != irq.index);
	assert_int_equal(n, 7);

	f->model.cfg.qi_stuck = false;
	vtd_model_process(&f->model); /* the unit runs again and drains its queue */
	assert_int_equal(iomm_irq_free(&irq), IOMM_OK); /* repeated: now confirmed */
	assert_int_equal(msi(f, EDU_SID, &m, &got), VTD_M_FR_IR_NP);
	assert_int_equal(iomm_irq_alloc(&f->vtd.unit, &dev, &t, &irq, &mm), IOMM_OK);
	assert_int_equal(f->model.stats.iqe, 0);
}

/* More blocked interrupts than fault records: the overflow is reported. */
static void test_ir_fault_overflow(void **state)
{
	struct fx *f = *state;
	f->mcfg.nfr = 1;
	ir_start(f, IRT_N);
	struct iomm_dev dev;
	struct iomm_irq irq = {0};
	struct iomm_msi_msg m;
	struct iomm_irq_cfg t = target(0, 0xa0);
	dev_on(f, &dev, IOMM_SID(EDU_SID));
	assert_int_equal(iomm_irq_alloc(&f->vtd.unit, &dev, &t, &irq, &m), IOMM_OK);
	struct vtd_model_irq got;
	assert_int_equal(msi(f, 0x0020, &m, &got), VTD_M_FR_IR_SID);
	assert_int_equal(msi(f, 0x0028, &m, &got), VTD_M_FR_IR_SID);
	assert_int_equal(msi(f, 0x0030, &m, &got), VTD_M_FR_IR_SID);
	assert_int_equal(f->model.stats.faults_dropped, 2);
	assert_int_equal(fx_poll(f), 1);
	assert_int_equal(f->faults[0].sid, 0x0020);
	assert_int_equal(f->faults[0].raw, 0x26);
	assert_int_equal(f->faults[0].lost, 1);
	assert_int_equal(f->faults[0].addr, irq.index);
	assert_int_equal(fx_poll(f), 0);
	/* records flow again */
	assert_int_equal(msi(f, 0x0038, &m, &got), VTD_M_FR_IR_SID);
	assert_int_equal(fx_poll(f), 1);
	assert_int_equal(f->faults[0].lost, 0);
}

/* Caching mode: a not-present entry may be cached, so a new entry is invalidated. */
static void test_ir_caching_mode(void **state)
{
	struct fx *f = *state;
	f->mcfg.cm = true;
	ir_start(f, IRT_N);
	struct vtd_model_irq got;
	/* a request naming the entry the library will hand out first: cached as not present */
	struct iomm_msi_msg first = {0xfee00010u, 0};
	assert_int_equal(msi(f, EDU_SID, &first, &got), VTD_M_FR_IR_NP);
	assert_true(vtd_model_irte_cached(&f->model, 0));
	struct iomm_dev dev;
	struct iomm_irq irq = {0};
	struct iomm_msi_msg m;
	struct iomm_irq_cfg t = target(0, 0xb0);
	dev_on(f, &dev, IOMM_SID(EDU_SID));
	fx_snap(f);
	assert_int_equal(iomm_irq_alloc(&f->vtd.unit, &dev, &t, &irq, &m), IOMM_OK);
	assert_int_equal(irq.index, 0);
	assert_int_equal(FX_D(f, iec_index), 1);
	assert_int_equal(msi(f, EDU_SID, &m, &got), 0);
	assert_int_equal(got.vector, 0xb0);
	fx_check_hygiene(f);
}

/* Translation off leaves interrupt remapping, and its queue, on. */
static void test_ir_survives_disable(void **state)
{
	struct fx *f = *state;
	ir_start(f, IRT_N);
	struct iomm_dev dev;
	struct iomm_irq irq = {0};
	struct iomm_msi_msg m;
	struct iomm_irq_cfg t = target(0, 0xc0);
	dev_on(f, &dev, IOMM_SID(EDU_SID));
	assert_int_equal(iomm_irq_alloc(&f->vtd.unit, &dev, &t, &irq, &m), IOMM_OK);
	assert_int_equal(iomm_vtd_disable(&f->vtd), IOMM_OK);
	assert_false(f->model.gsts & VTD_M_GCMD_TE);
	assert_true(f->model.gsts & VTD_M_GCMD_IRE);
	assert_true(f->model.gsts & VTD_M_GCMD_QIE);
	struct vtd_model_irq got;
	assert_int_equal(msi(f, EDU_SID, &m, &got), 0);
	assert_int_equal(msi(f, 0x0020, &m, &got), VTD_M_FR_IR_SID);
	assert_int_equal(iomm_irq_free(&irq), IOMM_OK);
	assert_int_equal(msi(f, EDU_SID, &m, &got), VTD_M_FR_IR_NP);
	fx_snap(f);
	assert_int_equal(iomm_vtd_enable(&f->vtd), IOMM_OK);
	assert_int_equal(iomm_vtd_flush_all(&f->vtd), IOMM_OK);
	assert_int_equal(FX_D(f, iec_global), 1); /* flush-all covers the interrupt entries */
	fx_check_hygiene(f);
}

/* The fault decoder: interrupt-remapping records carry an index, no access type. */
static void test_ir_decode(void **state)
{
	(void)state;
	uint64_t rec[2] = {(uint64_t)0x1234u << 48, 0x0018u | (uint64_t)0x26u << 32 |
						    ((uint64_t)1 << 63)};
	struct iomm_fault flt;
	assert_int_equal(iomm_vtd_decode_fault(rec, &flt), IOMM_OK);
	assert_int_equal(flt.addr, 0x1234u);
	assert_int_equal(flt.flags, IOMM_FAULT_IRQ);
	assert_int_equal(flt.sid, 0x18);
	assert_int_equal(flt.reason, IOMM_FAULT_PERMISSION);
	for (uint32_t fr = 0x20; fr <= 0x27; fr++) {
		rec[1] = (uint64_t)fr << 32;
		assert_int_equal(iomm_vtd_decode_fault(rec, &flt), IOMM_ENOENT);
		assert_true(flt.flags & IOMM_FAULT_IRQ);
		assert_int_not_equal(flt.reason, IOMM_FAULT_OTHER);
	}
}


/*
 * Host role: a VM's interrupt-entry quota and the VMM's destination policy;
 * unassigning the device (and destroying the VM) frees and invalidates its
 * entries, after which its MSIs are blocked.
 */
static void test_ir_vm_quota(void **state)
{
	struct fx *f = *state;
	ir_start(f, IRT_N);
	static uint8_t ram[4096] __attribute__((aligned(4096)));
	struct iomm_vm_region a = {.gpa = 0x100000, .hpa = (uint64_t)(uintptr_t)ram,
				   .size = 4096, .prot = RW};
	struct iomm_vm_endpoint eps[2];
	struct iomm_vm_irq irqs[2];
	static const uint32_t dests[] = {1, 2};
	struct iomm_vm_cfg c;
	memset(&c, 0, sizeof(c));
	c.regions = &a;
	c.nregions = 1;
	c.pool = fx_pool(f, 4096, 64);
	c.endpoints = eps;
	c.nendpoints = 2;
	c.irqs = irqs;
	c.nirqs = 2;
	c.irq_policy.dests = dests;
	c.irq_policy.ndests = 2;
	c.irq_policy.vector_first = 0x40;
	c.irq_policy.vector_last = 0x4f;
	struct iomm_vm vm;
	assert_int_equal(iomm_vm_init(&vm, &c), IOMM_OK);
	assert_int_equal(iomm_vm_assign(&vm, &f->vtd.unit, &IOMM_PCI(0, 3, 0), 7), IOMM_OK);
	assert_int_equal(iomm_vm_assign(&vm, &f->vtd.unit, &IOMM_PCI(0, 4, 0), 8), IOMM_OK);

	struct iomm_msi_msg m1, m2, m3;
	uint32_t h1, h2, h3;
	struct iomm_irq_cfg t = target(1, 0x41);
	assert_int_equal(iomm_vm_irq_alloc(&vm, 99, &t, &m1, &h1), IOMM_ENOENT);
	/* outside the VMM's policy: another CPU, a foreign vector, NMI, logical */
	struct iomm_irq_cfg bad = target(3, 0x41);
	assert_int_equal(iomm_vm_irq_alloc(&vm, 7, &bad, &m1, &h1), IOMM_EPERM);
	bad = target(1, 0x50);
	assert_int_equal(iomm_vm_irq_alloc(&vm, 7, &bad, &m1, &h1), IOMM_EPERM);
	bad = target(1, 0x41);
	bad.delivery = IOMM_IRQ_NMI;
	assert_int_equal(iomm_vm_irq_alloc(&vm, 7, &bad, &m1, &h1), IOMM_EPERM);
	bad = target(1, 0x41);
	bad.flags = IOMM_IRQ_LOGICAL;
	assert_int_equal(iomm_vm_irq_alloc(&vm, 7, &bad, &m1, &h1), IOMM_EPERM);
	assert_int_equal(f->vtd.stats.irq_entries, 0);

	assert_int_equal(iomm_vm_irq_alloc(&vm, 7, &t, &m1, &h1), IOMM_OK);
	t = target(2, 0x42);
	assert_int_equal(iomm_vm_irq_alloc(&vm, 8, &t, &m2, &h2), IOMM_OK);
	assert_int_equal(iomm_vm_irq_alloc(&vm, 7, &t, &m3, &h3), IOMM_ENOSPC); /* quota */
	struct vtd_model_irq got;
	assert_int_equal(msi(f, 0x0018, &m1, &got), 0);
	assert_int_equal(got.vector, 0x41);
	assert_int_equal(msi(f, 0x0020, &m1, &got), VTD_M_FR_IR_SID); /* the other device */
	assert_int_equal(iomm_vm_irq_update(&vm, h1, &bad), IOMM_EPERM);
	t = target(2, 0x43);
	assert_int_equal(iomm_vm_irq_update(&vm, h1, &t), IOMM_OK);
	assert_int_equal(msi(f, 0x0018, &m1, &got), 0);
	assert_int_equal(got.vector, 0x43);

	/* unassign: its entry freed and invalidated, the quota slot free again */
	fx_snap(f);
	assert_int_equal(iomm_vm_unassign(&vm, 7), IOMM_OK);
	assert_int_equal(FX_D(f, iec_index), 1);
	assert_int_equal(msi(f, 0x0018, &m1, &got), VTD_M_FR_IR_NP);
	assert_int_equal(iomm_vm_irq_update(&vm, h1, &t), IOMM_ENOENT);
	assert_int_equal(iomm_vm_irq_alloc(&vm, 8, &t, &m3, &h3), IOMM_OK);
	assert_int_equal(iomm_vm_irq_free(&vm, h3), IOMM_OK);
	assert_int_equal(iomm_vm_irq_free(&vm, h3), IOMM_ENOENT);
	/* teardown: the rest goes too */
	assert_int_equal(iomm_vm_destroy(&vm), IOMM_OK);
	assert_int_equal(msi(f, 0x0020, &m2, &got), VTD_M_FR_IR_NP);
	assert_int_equal(f->vtd.stats.irq_entries, 0);
	(void)fx_poll(f);
	fx_check_hygiene(f);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(int argc, char **argv)
{
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	const struct CMUnitTest tests[] = {
	    T(test_ir_enable),
	    T(test_ir_unavailable),
	    T(test_ir_deliver_and_source_validation),
	    T(test_ir_update_needs_iec),
	    T(test_ir_free_and_reuse),
	    T(test_ir_eim),
	    T(test_ir_sq_masks),
	    T(test_ir_bad_input),
	    T(test_ir_queue_full_during_iec),
	    T(test_ir_fault_overflow),
	    T(test_ir_caching_mode),
	    T(test_ir_survives_disable),
	    T(test_ir_decode),
	    T(test_ir_vm_quota),
	};
	return cmocka_run_group_tests_name("vtd_ir", tests, NULL, NULL);
}
