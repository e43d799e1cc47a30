/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hosted tests of the RISC-V IOMMU backend against an independent
 * register-level model (tools/models/riscv_model.h, written from the RISC-V
 * IOMMU specification v1.0).
 *
 * The model caches device contexts and translations and drops them only on
 * the architected invalidations (IODIR.INVAL_DDT, IOTINVAL.VMA / GVMA), so
 * every "the device can no longer use X" check below checks the commands
 * the backend sent. Device traffic is riscv_model_dma(): 0 and an output
 * address, or the fault cause (258: device context not valid, 256: ddtp
 * Off, 13/15: page faults, 21/23: guest-page faults).
 *
 * The matrix: base (32-byte) and extended (64-byte, capabilities.MSI_FLAT)
 * device contexts; one-, two- and three-level device directories; Sv39,
 * Sv48, Sv57 and Sv39x4, Sv48x4, Sv57x4 tables; coherent and non-coherent
 * ports (the model's walker then reads only what clean_tables() cleaned).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "riscv_fx.h"

#define CAUSE_READ_PAGE	  13
#define CAUSE_WRITE_PAGE  15
#define CAUSE_READ_GUEST  21
#define CAUSE_WRITE_GUEST 23
#define CAUSE_OFF	  256
#define CAUSE_INVALID	  258

/* ==== helpers ================================================================ */

/* A fresh fixture inside a test (for loops over the matrix). */
static struct fx *fresh(void)
{
	void *st = NULL;
	assert_int_equal(fx_setup(&st), 0);
	return st;
}

static void done(struct fx *f)
{
	void *st = f;
	fx_teardown(&st);
}

struct combo {
	bool flat;	  /* 64-byte device contexts */
	uint8_t did_bits; /* 0, 12 or 20 */
	bool coherent;
};

static const struct combo combos[] = {
    {false, 0, true}, {true, 0, true},	 {false, 12, true}, {true, 12, true},	{false, 20, true},
    {true, 20, true}, {false, 0, false}, {true, 0, false},  {false, 12, false}, {true, 20, false},
};
#define NCOMBOS (sizeof(combos) / sizeof(combos[0]))

static struct fx *start_combo(const struct combo *c)
{
	struct fx *f = fresh();
	if (c->flat)
		f->mcfg.caps |= RISCV_M_CAP_MSI_FLAT;
	f->coherent = c->coherent;
	f->cfg.did_bits = c->did_bits;
	if (c->did_bits > 7)
		f->ddt_pages = 16;
	fx_start(f);
	return f;
}

/* A device ID that needs every level of @c's directory. */
static uint32_t far_did(const struct combo *c)
{
	return c->did_bits == 20 ? 0xabcdeu : c->did_bits == 12 ? 0xabcu : 0x25u;
}

static unsigned ddtp_mode(struct fx *f)
{
	return fx_rd(f, RISCV_M_DDTP) & 0xfu;
}

/* The command-queue slot @back commands before the tail (1: the last one). */
static const uint64_t *cq_cmd(struct fx *f, unsigned back)
{
	uint32_t n = (uint32_t)(f->mem.cq_size / 16u);
	uint32_t tail = fx_rd(f, RISCV_M_CQT);
	return (const uint64_t *)f->mem.cq + 2u * ((tail + n - back) & (n - 1u));
}

static size_t count_writes(const struct fx *f, size_t from)
{
	size_t n = 0;
	for (size_t i = from; i < f->b.hook_count && i < f->b.hook_cap; i++)
		n += f->hooks[i].kind == BFX_EV_WR;
	return n;
}

/* ==== 1. init ================================================================ */

static void test_init_fail_closed(void **state)
{
	(void)state;
	for (size_t i = 0; i < NCOMBOS; i++) {
		const struct combo *c = &combos[i];
		struct fx *f = fresh();
		if (c->flat)
			f->mcfg.caps |= RISCV_M_CAP_MSI_FLAT;
		f->coherent = c->coherent;
		f->cfg.did_bits = c->did_bits;
		f->ddt_pages = c->did_bits > 7 ? 16 : 0;
		fx_boot_prep(f);
		/* before: the unit is Off */
		assert_int_equal(fx_dma(f, 1, 0x1000, RD, NULL), CAUSE_OFF);
		assert_int_equal(fx_init_again(f), IOMM_OK);
		unsigned want = c->did_bits == 20 ? 4u : c->did_bits == 12 ? 3u : 2u;
		assert_int_equal(ddtp_mode(f), want);
		assert_int_equal(f->rv.ddt_levels, want - 1u);
		assert_int_equal(fx_rd(f, RISCV_M_DDTP) & ~0x3ffu,
				 (uint32_t)((f->mem.ddt_pa >> 2) & ~0x3ffull));
		assert_true(fx_rd(f, RISCV_M_CQCSR) & RISCV_M_CQCSR_CQON);
		assert_true(fx_rd(f, RISCV_M_FQCSR) & RISCV_M_FQCSR_FQON);
		assert_int_equal(fx_rd(f, RISCV_M_FCTL), 0); /* little-endian, MSIs */
		assert_int_equal(fx_dma(f, 0, 0x1000, RD, NULL), CAUSE_INVALID);
		assert_int_equal(fx_dma(f, far_did(c), 0x1000, WR, NULL), CAUSE_INVALID);
		assert_int_equal(f->rv.unit.sid_bits, c->did_bits ? c->did_bits : c->flat ? 6 : 7);
		assert_int_equal(iomm_riscv_disable(&f->rv), IOMM_OK);
		assert_int_equal(fx_dma(f, 0, 0x1000, RD, NULL), CAUSE_OFF);
		fx_check_hygiene(f);
		done(f);
	}
}

static void test_init_depths(void **state)
{
	(void)state;
	static const struct {
		bool flat;
		uint8_t bits;
		unsigned levels;
	} t[] = {{false, 7, 1}, {true, 6, 1},	{true, 7, 2},  {false, 16, 2},
		 {true, 15, 2}, {false, 17, 3}, {true, 24, 3}, {false, 1, 1}};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct fx *f = fresh();
		if (t[i].flat)
			f->mcfg.caps |= RISCV_M_CAP_MSI_FLAT;
		f->cfg.did_bits = t[i].bits;
		f->ddt_pages = 8;
		fx_start(f);
		assert_int_equal(f->rv.ddt_levels, t[i].levels);
		assert_int_equal(ddtp_mode(f), t[i].levels + 1u);
		uint32_t top = (1u << t[i].bits) - 1u;
		struct iomm_domain d = {0};
		struct iomm_dev dev = {0};
		struct iomm_pool *p = fx_pool(f, P4K, 16);
		assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S1, 0, p, NULL), IOMM_OK);
		assert_int_equal(iomm_map(&d, 0x200000, 0x81000000, P4K, RW), IOMM_OK);
		fx_attach(f, &dev, &d, top, 0);
		assert_int_equal(fx_xlate(f, top, 0x200000, RD), 0x81000000);
		done(f);
	}
}

static void test_init_refuses_args(void **state)
{
	struct fx *f = *state;
	fx_boot_prep(f);
	const struct iomm_port *port = iomm_posix_port(&f->px);
	struct iomm_riscv_mem good = f->mem, m;
	struct iomm_port p2 = *port;
	struct iomm_riscv_cfg c = {0};
	size_t mark = f->b.hook_count;
	f->b.hook_on = true;
	assert_int_equal(iomm_riscv_init(NULL, port, FX_REGS, &good, NULL, NULL), IOMM_EINVAL);
	assert_int_equal(iomm_riscv_init(&f->rv, NULL, FX_REGS, &good, NULL, NULL), IOMM_EINVAL);
	assert_int_equal(iomm_riscv_init(&f->rv, port, FX_REGS, NULL, NULL, NULL), IOMM_EINVAL);
	p2.read32 = NULL;
	assert_int_equal(iomm_riscv_init(&f->rv, &p2, FX_REGS, &good, NULL, NULL), IOMM_EINVAL);
	p2 = *port;
	p2.write32 = NULL;
	assert_int_equal(iomm_riscv_init(&f->rv, &p2, FX_REGS, &good, NULL, NULL), IOMM_EINVAL);
	p2 = *port;
	p2.now_ns = NULL;
	assert_int_equal(iomm_riscv_init(&f->rv, &p2, FX_REGS, &good, NULL, NULL), IOMM_EINVAL);
	p2 = *port;
	p2.flags &= ~(uint32_t)IOMM_PORT_DMA_COHERENT;
	p2.clean_tables = NULL;
	assert_int_equal(iomm_riscv_init(&f->rv, &p2, FX_REGS, &good, NULL, NULL), IOMM_EINVAL);
#define BAD(stmt)                                                                                  \
	do {                                                                                       \
		m = good;                                                                          \
		stmt;                                                                              \
		assert_int_equal(iomm_riscv_init(&f->rv, port, FX_REGS, &m, NULL, NULL),           \
				 IOMM_EINVAL);                                                     \
	} while (0)
	BAD(m.ddt = NULL);
	BAD(m.ddt_pa += 0x800);
	BAD(m.ddt = (char *)m.ddt + 4);
	BAD(m.cq = NULL);
	BAD(m.cq_size = 16);
	BAD(m.cq_size = 48);
	BAD(m.cq_pa += 0x100);
	BAD(m.cq = (char *)m.cq + 4);
	BAD(m.fq = NULL);
	BAD(m.fq_size = 32);
	BAD(m.fq_size = 96);
	BAD(m.fq_pa += 0x40);
	BAD(m.cq_size = 8192; m.cq_pa = (m.cq_pa & ~0x1fffull) | 0x1000); /* 4 KiB-aligned only */
#undef BAD
	c.gscid_bits = 17;
	assert_int_equal(iomm_riscv_init(&f->rv, port, FX_REGS, &good, NULL, &c), IOMM_EINVAL);
	c.gscid_bits = 0;
	c.pscid_bits = 21;
	assert_int_equal(iomm_riscv_init(&f->rv, port, FX_REGS, &good, NULL, &c), IOMM_EINVAL);
	c.pscid_bits = 0;
	c.did_bits = 25;
	assert_int_equal(iomm_riscv_init(&f->rv, port, FX_REGS, &good, NULL, &c), IOMM_EINVAL);
	c.did_bits = 8; /* two levels with 32-byte contexts, no pool */
	assert_int_equal(iomm_riscv_init(&f->rv, port, FX_REGS, &good, NULL, &c), IOMM_EINVAL);
	struct iomm_pool *p16 = fx_pool(f, 16384, 2);
	assert_int_equal(iomm_riscv_init(&f->rv, port, FX_REGS, &good, p16, &c), IOMM_EINVAL);
	/* nothing was written to the unit by any refused call */
	assert_int_equal(count_writes(f, mark), 0);
	assert_int_equal(ddtp_mode(f), 0);
	/* and a good call works */
	assert_int_equal(iomm_riscv_init(&f->rv, port, FX_REGS, &good, NULL, NULL), IOMM_OK);
	/* the defaults: 100 ms, 20-bit PSCIDs, 16-bit GSCIDs, 32 IOTINVALs */
	assert_int_equal(f->rv.cfg.timeout_ns, 100000000u);
	assert_int_equal(f->rv.cfg.inv_threshold, 32);
	fx_check_hygiene(f);
}

static void test_init_refuses_beyond_pas(void **state)
{
	struct fx *f = *state;
	f->mcfg.caps = (f->mcfg.caps & ~RISCV_M_CAP_PAS_MASK) | (40ull << RISCV_M_CAP_PAS_SHIFT);
	fx_boot_prep(f);
	const struct iomm_port *port = iomm_posix_port(&f->px);
	struct iomm_riscv_mem m = f->mem;
	m.ddt_pa = 1ull << 40;
	assert_int_equal(iomm_riscv_init(&f->rv, port, FX_REGS, &m, NULL, NULL), IOMM_EINVAL);
	m = f->mem;
	m.cq_pa = (1ull << 40) - 0x800; /* misaligned anyway; use an aligned one */
	m.cq_pa = (1ull << 40) - 4096u;
	m.cq_size = 8192; /* crosses 2^40 (and is misaligned): refused */
	assert_int_equal(iomm_riscv_init(&f->rv, port, FX_REGS, &m, NULL, NULL), IOMM_EINVAL);
	m = f->mem;
	m.cq_pa = 1ull << 40;
	assert_int_equal(iomm_riscv_init(&f->rv, port, FX_REGS, &m, NULL, NULL), IOMM_EINVAL);
	m = f->mem;
	m.fq_pa = 1ull << 41;
	assert_int_equal(iomm_riscv_init(&f->rv, port, FX_REGS, &m, NULL, NULL), IOMM_EINVAL);
	assert_int_equal(ddtp_mode(f), 0);
	assert_int_equal(fx_rd(f, RISCV_M_CQCSR), 0);
	assert_int_equal(f->rv.unit.ops, NULL); /* rv untouched */
}

static void test_init_refuses_caps(void **state)
{
	(void)state;
	/* version 2.0, all-ones registers, PAS out of range: not a unit we know */
	static const uint64_t bad_caps[] = {0x20, ~0ull, 0x11 | 0x200 | (60ull << 32),
					    0x10 | 0x200 | (20ull << 32)};
	for (size_t i = 0; i < sizeof(bad_caps) / sizeof(bad_caps[0]); i++) {
		struct fx *f = fresh();
		fx_boot_prep(f);
		f->model->caps = bad_caps[i];
		assert_int_equal(fx_init_again(f), IOMM_ENODEV);
		assert_int_equal(ddtp_mode(f), 0);
		assert_int_equal(fx_rd(f, RISCV_M_CQCSR), 0);
		done(f);
	}
	/* no first-stage and no G-stage mode */
	struct fx *f = fresh();
	f->mcfg.caps &= ~(RISCV_M_CAP_SV39 | RISCV_M_CAP_SV48 | RISCV_M_CAP_SV57 |
			  RISCV_M_CAP_SV39X4 | RISCV_M_CAP_SV48X4 | RISCV_M_CAP_SV57X4);
	assert_int_equal(fx_boot(f), IOMM_ENOTSUP);
	assert_int_equal(fx_rd(f, RISCV_M_CQCSR), 0);
	done(f);
	/* big-endian only: fctl.BE reads 1 and capabilities.END is clear */
	f = fresh();
	fx_boot_prep(f);
	f->model->fctl |= RISCV_M_FCTL_BE;
	assert_int_equal(fx_init_again(f), IOMM_ENOTSUP);
	assert_int_equal(fx_rd(f, RISCV_M_CQCSR), 0);
	done(f);
	/* both endiannesses: BE is turned off */
	f = fresh();
	f->mcfg.caps |= RISCV_M_CAP_END;
	fx_boot_prep(f);
	f->model->fctl |= RISCV_M_FCTL_BE;
	assert_int_equal(fx_init_again(f), IOMM_OK);
	assert_int_equal(fx_rd(f, RISCV_M_FCTL) & RISCV_M_FCTL_BE, 0);
	done(f);
}

static void test_init_interrupts(void **state)
{
	(void)state;
	static const struct {
		unsigned igs;
		uint32_t flags;
		int rc;
		uint32_t fctl;
	} t[] = {
	    {0, IOMM_RISCV_CFG_WSI, IOMM_ENOTSUP, 0},
	    {0, 0, IOMM_OK, 0},
	    {1, 0, IOMM_OK, RISCV_M_FCTL_WSI},
	    {1, IOMM_RISCV_CFG_WSI, IOMM_OK, RISCV_M_FCTL_WSI},
	    {2, IOMM_RISCV_CFG_WSI | IOMM_RISCV_CFG_IRQ, IOMM_OK, RISCV_M_FCTL_WSI},
	    {2, IOMM_RISCV_CFG_IRQ, IOMM_OK, 0},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct fx *f = fresh();
		f->mcfg.caps = (f->mcfg.caps & ~RISCV_M_CAP_IGS_MASK) |
			       ((uint64_t)t[i].igs << RISCV_M_CAP_IGS_SHIFT);
		f->cfg.flags = t[i].flags;
		assert_int_equal(fx_boot(f), t[i].rc);
		if (t[i].rc == IOMM_OK) {
			assert_int_equal(fx_rd(f, RISCV_M_FCTL), t[i].fctl);
			bool irq = (t[i].flags & IOMM_RISCV_CFG_IRQ) != 0;
			assert_int_equal((fx_rd(f, RISCV_M_CQCSR) & RISCV_M_CQCSR_CIE) != 0, irq);
			assert_int_equal((fx_rd(f, RISCV_M_FQCSR) & RISCV_M_FQCSR_FIE) != 0, irq);
			assert_int_equal(f->rv.fctl, t[i].fctl);
		} else {
			assert_int_equal(fx_rd(f, RISCV_M_CQCSR), 0);
		}
		done(f);
	}
	/* the unit does not take the fctl setting */
	struct fx *f = fresh();
	f->cfg.flags = IOMM_RISCV_CFG_WSI;
	f->ignore_fctl = true;
	assert_int_equal(fx_boot(f), IOMM_ENOTSUP);
	assert_int_equal(ddtp_mode(f), 0);
	done(f);
}

/* Every way the unit can fail to come up: init fails, the unit stays Off. */
static void test_init_unit_failures(void **state)
{
	(void)state;
	enum { BUSY, STALL, CQMF, FQMF, ILL, DDTP_MAX, DDTP_LOST, FW_DDTP, FW_FQ, DDTP_ON };
	static const struct {
		int kind;
		int rc;
	} t[] = {{BUSY, IOMM_ETIMEDOUT},
		 {STALL, IOMM_ETIMEDOUT},
		 {CQMF, IOMM_EIO},
		 {FQMF, IOMM_EIO},
		 {ILL, IOMM_EIO},
		 {DDTP_MAX, IOMM_ENOTSUP},
		 {DDTP_LOST, IOMM_ETIMEDOUT},
		 {FW_DDTP, IOMM_ETIMEDOUT},
		 {FW_FQ, IOMM_ETIMEDOUT},
		 {DDTP_ON, IOMM_ETIMEDOUT}};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct fx *f = fresh();
		f->cfg.did_bits = 12;
		f->ddt_pages = 4;
		switch (t[i].kind) {
		case BUSY:
			f->mcfg.busy_reads = 1000000;
			break;
		case STALL:
			f->drop_cqt = true;
			break;
		case CQMF:
			f->cqmf_on_enable = true;
			break;
		case FQMF:
			f->fqmf_on_enable = true;
			break;
		case ILL:
			f->corrupt_cqt = 1000;
			break;
		case DDTP_MAX:
			f->ddtp_max = 2;
			break;
		case DDTP_ON:
			f->busy_ddtp_on = true;
			f->cfg.timeout_ns = 5000000; /* 5 ms: a few polls */
			break;
		default:
			break;
		}
		fx_boot_prep(f);
		if (t[i].kind ==
		    DDTP_LOST) { /* firmware left a directory on; the unit ignores ddtp */
			f->model->ddtp = (f->mem.ddt_pa >> 2) | RISCV_M_DDTP_1LVL;
			f->ignore_ddtp = true;
		}
		if (t[i].kind == FW_DDTP) /* a ddtp change in flight that never completes */
			f->model->ddtp_busy = 1000000;
		if (t[i].kind == FW_FQ) /* the fault queue never stops */
			f->model->fq_busy = 1000000;
		int rc = fx_init_again(f);
		if (rc != t[i].rc)
			fail_msg("case %zu: %d, expected %d", i, rc, t[i].rc);
		if (t[i].kind == DDTP_ON) /* the directory is all invalid contexts */
			assert_int_equal(fx_dma(f, 3, 0x1000, RD, NULL), CAUSE_INVALID);
		else if (t[i].kind != DDTP_LOST) /* fail closed: no device reaches memory */
			assert_int_equal(fx_dma(f, 3, 0x1000, RD, NULL), CAUSE_OFF);
		/* the unit working again: a retry on the same memory succeeds */
		f->model->cfg.busy_reads = 0;
		f->model->cq_busy = f->model->fq_busy = f->model->ddtp_busy = 0;
		f->drop_cqt = f->cqmf_on_enable = f->fqmf_on_enable = f->ignore_ddtp = false;
		f->busy_ddtp_on = false;
		f->corrupt_cqt = 0;
		f->ddtp_max = 0;
		assert_int_equal(fx_init_again(f), IOMM_OK);
		assert_int_equal(fx_dma(f, 3, 0x1000, RD, NULL), CAUSE_INVALID);
		done(f);
	}
}

/* Init over a unit in use (a live directory, cached contexts): it is turned off first and
 * nothing cached survives. */
static void test_init_over_live_unit(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct iomm_pool *p = fx_pool(f, P4K, 16);
	struct iomm_domain d = {0};
	struct iomm_dev dev = {0};
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_BYPASS, 0, NULL, NULL), IOMM_OK);
	(void)p;
	fx_attach(f, &dev, &d, 5, 0);
	assert_int_equal(fx_xlate(f, 5, 0x1234000, RD), 0x1234000);
	assert_true(riscv_model_dc_count(f->model) > 0);
	/* re-initialise (a new kernel over the old one's state) */
	struct iomm_riscv rv2;
	memset(&rv2, 0, sizeof(rv2));
	assert_int_equal(
	    iomm_riscv_init(&rv2, iomm_posix_port(&f->px), FX_REGS, &f->mem, NULL, NULL), IOMM_OK);
	assert_int_equal(riscv_model_dc_count(f->model), 0);
	assert_int_equal(fx_dma(f, 5, 0x1234000, RD, NULL), CAUSE_INVALID);
	fx_check_hygiene(f);
}

/* ==== 2. domains ============================================================= */

static void test_translate_matrix(void **state)
{
	(void)state;
	static const struct {
		enum iomm_domain_type type;
		uint8_t ias;
	} doms[] = {{IOMM_DOMAIN_S1, 38}, {IOMM_DOMAIN_S1, 47}, {IOMM_DOMAIN_S1, 56},
		    {IOMM_DOMAIN_S2, 41}, {IOMM_DOMAIN_S2, 50}, {IOMM_DOMAIN_S2, 59}};
	for (size_t i = 0; i < NCOMBOS; i++) {
		struct fx *f = start_combo(&combos[i]);
		struct iomm_pool *p = fx_pool(f, P4K, 64);
		for (size_t k = 0; k < sizeof(doms) / sizeof(doms[0]); k++) {
			struct iomm_domain d = {0};
			struct iomm_dev dev = {0};
			uint32_t did = far_did(&combos[i]) - (uint32_t)k;
			uint64_t iova = (1ull << (doms[k].ias - 1)) + 0x5000 * (k + 1);
			if (doms[k].type == IOMM_DOMAIN_S1)
				iova = (1ull << (doms[k].ias - 2)) + 0x5000;
			uint64_t pa = 0x80000000ull + 0x100000 * k;
			assert_int_equal(fx_domain(f, &d, doms[k].type, doms[k].ias, p, NULL),
					 IOMM_OK);
			assert_int_equal(iomm_map(&d, iova, pa, 2 * P4K, RW), IOMM_OK);
			assert_int_equal(
			    iomm_map(&d, iova + 0x200000, pa + 0x400000, P4K, IOMM_READ), IOMM_OK);
			fx_attach(f, &dev, &d, did, 0);
			assert_int_equal(fx_xlate(f, did, iova + 0x123, RD), pa + 0x123);
			assert_int_equal(fx_xlate(f, did, iova + P4K, WR), pa + P4K);
			assert_int_equal(fx_xlate(f, did, iova + 0x200000, RD), pa + 0x400000);
			int wf =
			    doms[k].type == IOMM_DOMAIN_S1 ? CAUSE_WRITE_PAGE : CAUSE_WRITE_GUEST;
			int rf =
			    doms[k].type == IOMM_DOMAIN_S1 ? CAUSE_READ_PAGE : CAUSE_READ_GUEST;
			assert_int_equal(fx_dma(f, did, iova + 0x200000, WR, NULL), wf);
			assert_int_equal(fx_dma(f, did, iova + 2 * P4K, RD, NULL), rf);
			assert_int_equal(iomm_detach(&dev), IOMM_OK);
			assert_int_equal(fx_dma(f, did, iova, RD, NULL), CAUSE_INVALID);
			assert_int_equal(iomm_domain_destroy(&d), IOMM_OK);
		}
		assert_int_equal(f->rv.stats.cmd_errors, 0);
		fx_check_hygiene(f);
		done(f);
	}
}

/* A nested domain over a stage-2 parent that maps the child's table pages 1:1. */
static void nested_setup(struct fx *f, struct iomm_domain *parent, struct iomm_domain *child,
			 uint8_t child_ias, uint8_t parent_ias)
{
	struct iomm_pool *pp = fx_pool(f, P4K, 64);
	struct iomm_pool *cp = fx_pool(f, P4K, 16);
	void *va;
	uint64_t pa, size;
	assert_true(bfx_pool_region(&f->b, cp, &va, &pa, &size));
	assert_int_equal(fx_domain(f, parent, IOMM_DOMAIN_S2, parent_ias, pp, NULL), IOMM_OK);
	uint64_t lo = pa & ~(uint64_t)(P4K - 1), hi = (pa + size + P4K - 1) & ~(uint64_t)(P4K - 1);
	assert_int_equal(iomm_map(parent, lo, lo, hi - lo, RW), IOMM_OK);
	assert_int_equal(iomm_map(parent, 0x40000000, 0x90000000, 4 * P4K, RW), IOMM_OK);
	assert_int_equal(fx_domain(f, child, IOMM_DOMAIN_NESTED, child_ias, cp, parent), IOMM_OK);
	assert_int_equal(iomm_map(child, 0x100000, 0x40000000, 4 * P4K, RW), IOMM_OK);
}

static void test_nested_matrix(void **state)
{
	(void)state;
	static const uint8_t s1[] = {38, 47, 56};
	for (size_t c = 0; c < 4; c++) {
		struct combo cb = {c & 1, 0, (c & 2) == 0};
		for (size_t i = 0; i < 3; i++) {
			struct fx *f = start_combo(&cb);
			struct iomm_domain parent = {0}, child = {0};
			struct iomm_dev dev = {0};
			nested_setup(f, &parent, &child, s1[i],
				     50); /* Sv57x4 would outgrow PAS 56 */
			fx_attach(f, &dev, &child, 9, 0);
			assert_int_equal(fx_xlate(f, 9, 0x100040, RD), 0x90000040);
			assert_int_equal(fx_xlate(f, 9, 0x103000, WR), 0x90003000);
			/* not mapped in the first stage: page fault */
			assert_int_equal(fx_dma(f, 9, 0x200000, RD, NULL), CAUSE_READ_PAGE);
			/* mapped in the first stage, not in the G-stage: guest-page fault */
			assert_int_equal(iomm_map(&child, 0x300000, 0x50000000, P4K, RW), IOMM_OK);
			assert_int_equal(fx_dma(f, 9, 0x300000, WR, NULL), CAUSE_WRITE_GUEST);
			assert_int_equal(f->model->last_fault.iotval2 & ~3ull, 0x50000000);
			done(f);
		}
	}
}

static void test_bypass_blocked_detach(void **state)
{
	struct fx *f = *state;
	f->mcfg.caps |= RISCV_M_CAP_MSI_FLAT;
	fx_start(f);
	struct iomm_domain by = {0}, bl = {0};
	struct iomm_dev d1 = {0}, d2 = {0};
	assert_int_equal(fx_domain(f, &by, IOMM_DOMAIN_BYPASS, 0, NULL, NULL), IOMM_OK);
	assert_int_equal(fx_domain(f, &bl, IOMM_DOMAIN_BLOCKED, 0, NULL, NULL), IOMM_OK);
	fx_attach(f, &d1, &by, 1, 0);
	fx_attach(f, &d2, &bl, 2, 0);
	assert_int_equal(fx_xlate(f, 1, 0x87654000, WR), 0x87654000);
	assert_int_equal(fx_dma(f, 2, 0x87654000, WR, NULL), CAUSE_INVALID);
	/* a live device moves to the blocked domain: cached context dropped */
	assert_int_equal(iomm_attach(&bl, &d1), IOMM_EBUSY); /* detach first */
	assert_int_equal(fx_xlate(f, 1, 0x87654000, RD), 0x87654000);
	assert_int_equal(iomm_detach(&d1), IOMM_OK);
	assert_int_equal(iomm_attach(&bl, &d1), IOMM_OK);
	assert_int_equal(fx_dma(f, 1, 0x87654000, RD, NULL), CAUSE_INVALID);
	assert_int_equal(iomm_detach(&d1), IOMM_OK);
	assert_int_equal(iomm_attach(&by, &d1), IOMM_OK);
	assert_int_equal(fx_xlate(f, 1, 0x87654000, RD), 0x87654000);
	assert_int_equal(iomm_detach(&d1), IOMM_OK);
	assert_int_equal(fx_dma(f, 1, 0x87654000, RD, NULL), CAUSE_INVALID);
	assert_int_equal(iomm_detach(&d1), IOMM_ENOENT);
	assert_int_equal(iomm_detach(&d2), IOMM_OK);
	assert_int_equal(iomm_domain_destroy(&by), IOMM_OK);
	assert_int_equal(iomm_domain_destroy(&bl), IOMM_OK);
	fx_check_hygiene(f);
}

static void test_domain_missing_mode(void **state)
{
	(void)state;
	/* Sv39 first stage only, Sv57x4 G-stage only */
	struct fx *f = fresh();
	f->mcfg.caps &=
	    ~(RISCV_M_CAP_SV48 | RISCV_M_CAP_SV57 | RISCV_M_CAP_SV39X4 | RISCV_M_CAP_SV48X4);
	fx_start(f);
	struct iomm_pool *p = fx_pool(f, P4K, 16);
	struct iomm_domain d = {0};
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S1, 47, p, NULL), IOMM_ENOTSUP);
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S1, 56, p, NULL), IOMM_ENOTSUP);
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 41, p, NULL), IOMM_ENOTSUP);
	assert_int_equal(iomm_pool_used(p), 0);
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S1, 38, p, NULL), IOMM_OK);
	assert_int_equal(iomm_domain_destroy(&d), IOMM_OK);
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 59, p, NULL), IOMM_OK);
	assert_int_equal(iomm_domain_destroy(&d), IOMM_OK);
	done(f);
	/* first stage only: no stage-2 or nested domain */
	memset(&d, 0, sizeof(d));
	f = fresh();
	f->mcfg.caps &= ~(RISCV_M_CAP_SV39X4 | RISCV_M_CAP_SV48X4 | RISCV_M_CAP_SV57X4);
	fx_start(f);
	p = fx_pool(f, P4K, 16);
	assert_int_not_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 41, p, NULL), IOMM_OK);
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S1, 0, p, NULL), IOMM_OK);
	done(f);
	/* G-stage only */
	memset(&d, 0, sizeof(d));
	f = fresh();
	f->mcfg.caps &= ~(RISCV_M_CAP_SV39 | RISCV_M_CAP_SV48 | RISCV_M_CAP_SV57);
	fx_start(f);
	p = fx_pool(f, P4K, 16);
	assert_int_not_equal(fx_domain(f, &d, IOMM_DOMAIN_S1, 38, p, NULL), IOMM_OK);
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 0, p, NULL), IOMM_OK);
	done(f);
}

static void test_context_id_exhaustion(void **state)
{
	struct fx *f = *state;
	f->cfg.pscid_bits = 1;
	f->cfg.gscid_bits = 1;
	fx_start(f);
	struct iomm_pool *p = fx_pool(f, P4K, 32);
	struct iomm_domain a = {0}, b = {0}, g = {0}, h = {0};
	struct iomm_dev dev = {0};
	assert_int_equal(fx_domain(f, &a, IOMM_DOMAIN_S1, 38, p, NULL), IOMM_OK);
	size_t used = iomm_pool_used(p);
	assert_int_equal(fx_domain(f, &b, IOMM_DOMAIN_S1, 38, p, NULL), IOMM_ENOSPC);
	assert_int_equal(iomm_pool_used(p), used);
	assert_int_equal(fx_domain(f, &g, IOMM_DOMAIN_S2, 41, p, NULL), IOMM_OK);
	assert_int_equal(fx_domain(f, &h, IOMM_DOMAIN_S2, 41, p, NULL), IOMM_ENOSPC);
	/* a nested domain needs a PSCID too */
	assert_int_equal(fx_domain(f, &b, IOMM_DOMAIN_NESTED, 38, p, &g), IOMM_ENOSPC);
	/* PSCID 1 in use: translations under it; destroy, reuse: the old ones are gone */
	assert_int_equal(iomm_map(&a, 0x10000, 0x80010000, P4K, RW), IOMM_OK);
	fx_attach(f, &dev, &a, 4, 0);
	assert_int_equal(fx_xlate(f, 4, 0x10000, RD), 0x80010000);
	assert_int_equal(iomm_detach(&dev), IOMM_OK);
	assert_int_equal(iomm_domain_destroy(&a), IOMM_OK);
	assert_int_equal(fx_domain(f, &b, IOMM_DOMAIN_S1, 38, p, NULL), IOMM_OK);
	assert_int_equal(b.id, 1);
	assert_int_equal(iomm_map(&b, 0x10000, 0x80020000, P4K, RW), IOMM_OK);
	assert_int_equal(iomm_attach(&b, &dev), IOMM_OK);
	assert_int_equal(fx_xlate(f, 4, 0x10000, RD), 0x80020000);
	assert_int_equal(iomm_domain_destroy(&g), IOMM_OK);
	assert_int_equal(fx_domain(f, &h, IOMM_DOMAIN_S2, 41, p, NULL), IOMM_OK);
	assert_int_equal(h.id, 1);
}

/* ==== 3. devices ============================================================= */

static void test_reattach_drops_cached_context(void **state)
{
	(void)state;
	for (size_t i = 0; i < NCOMBOS; i++) {
		struct fx *f = start_combo(&combos[i]);
		struct iomm_pool *p = fx_pool(f, P4K, 32);
		struct iomm_domain a = {0}, b = {0}, g = {0};
		struct iomm_dev dev = {0};
		uint32_t did = far_did(&combos[i]);
		assert_int_equal(fx_domain(f, &a, IOMM_DOMAIN_S1, 38, p, NULL), IOMM_OK);
		assert_int_equal(fx_domain(f, &b, IOMM_DOMAIN_S1, 47, p, NULL), IOMM_OK);
		assert_int_equal(fx_domain(f, &g, IOMM_DOMAIN_S2, 41, p, NULL), IOMM_OK);
		assert_int_equal(iomm_map(&a, 0x7000, 0x81000000, P4K, RW), IOMM_OK);
		assert_int_equal(iomm_map(&b, 0x7000, 0x82000000, P4K, RW), IOMM_OK);
		assert_int_equal(iomm_map(&g, 0x7000, 0x83000000, P4K, RW), IOMM_OK);
		fx_attach(f, &dev, &a, did, 0);
		assert_int_equal(fx_xlate(f, did, 0x7000, RD), 0x81000000);
		fx_snap(f);
		assert_int_equal(iomm_detach(&dev), IOMM_OK);
		assert_int_equal(fx_cmds(f, RISCV_CMD_IODIR_DDT), 1);
		assert_int_equal(fx_cmds(f, RISCV_CMD_IOFENCE_C), 1);
		assert_int_equal(iomm_attach(&b, &dev), IOMM_OK);
		assert_int_equal(fx_xlate(f, did, 0x7000, RD), 0x82000000);
		assert_int_equal(iomm_detach(&dev), IOMM_OK);
		assert_int_equal(iomm_attach(&g, &dev), IOMM_OK);
		assert_int_equal(fx_xlate(f, did, 0x7000, RD), 0x83000000);
		assert_int_equal(iomm_detach(&dev), IOMM_OK);
		assert_int_equal(iomm_attach(&a, &dev), IOMM_OK);
		assert_int_equal(fx_xlate(f, did, 0x7000, RD), 0x81000000);
		done(f);
	}
}

static void test_stream_set_mask(void **state)
{
	(void)state;
	static const struct {
		bool flat;
		uint8_t bits;
		uint32_t sid, mask;
	} t[] = {{false, 0, 0x20, 0xf},
		 {true, 0, 0x00, 0x3f},
		 {false, 12, 0x300, 0xff},
		 {true, 20, 0x12340, 0x7f}};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct fx *f = fresh();
		if (t[i].flat)
			f->mcfg.caps |= RISCV_M_CAP_MSI_FLAT;
		f->cfg.did_bits = t[i].bits;
		f->ddt_pages = 16;
		fx_start(f);
		struct iomm_pool *p = fx_pool(f, P4K, 16);
		struct iomm_domain d = {0}, e = {0};
		struct iomm_dev dev = {0};
		assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S1, 38, p, NULL), IOMM_OK);
		assert_int_equal(fx_domain(f, &e, IOMM_DOMAIN_S2, 41, p, NULL), IOMM_OK);
		assert_int_equal(iomm_map(&d, 0x4000, 0x84000000, P4K, RW), IOMM_OK);
		assert_int_equal(iomm_map(&e, 0x4000, 0x85000000, P4K, RW), IOMM_OK);
		fx_attach(f, &dev, &d, t[i].sid, t[i].mask);
		for (uint32_t k = 0; k <= t[i].mask; k++)
			assert_int_equal(fx_xlate(f, t[i].sid | k, 0x4000, RD), 0x84000000);
		/* every member moves together (a batch of invalidations for all): one
		 * IODIR per member, the shared PSCID's IOTINVAL once, one fence */
		fx_snap(f);
		assert_int_equal(iomm_detach(&dev), IOMM_OK);
		assert_int_equal(fx_cmds(f, RISCV_CMD_IODIR_DDT), t[i].mask + 1u);
		assert_int_equal(fx_cmds(f, RISCV_CMD_IOTINVAL_VMA), 1);
		assert_int_equal(fx_cmds(f, RISCV_CMD_IOFENCE_C), 1);
		assert_int_equal(iomm_attach(&e, &dev), IOMM_OK);
		for (uint32_t k = 0; k <= t[i].mask; k++)
			assert_int_equal(fx_xlate(f, t[i].sid | k, 0x4000, RD), 0x85000000);
		uint32_t out = (t[i].sid | t[i].mask) + 1u;
		if (out >> f->rv.unit.sid_bits == 0)
			assert_int_equal(fx_dma(f, out, 0x4000, RD, NULL), CAUSE_INVALID);
		assert_int_equal(iomm_detach(&dev), IOMM_OK);
		for (uint32_t k = 0; k <= t[i].mask; k++)
			assert_int_equal(fx_dma(f, t[i].sid | k, 0x4000, RD, NULL), CAUSE_INVALID);
		assert_int_equal(f->rv.stats.cmd_errors, 0);
		done(f);
	}
}

static void test_attach_refusals(void **state)
{
	struct fx *f = *state;
	f->cfg.did_bits = 12;
	f->ddt_pages = 4;
	fx_start(f);
	struct iomm_dev a = {0}, b = {0}, c = {0}, e = {0};
	assert_int_equal(fx_dev(f, &a, 0x800, 0), IOMM_OK);
	/* the unit again, with 7-bit device IDs: the old device object is out of range */
	f->cfg.did_bits = 0;
	assert_int_equal(fx_init_again(f), IOMM_OK);
	struct iomm_pool *p = fx_pool(f, P4K, 16);
	struct iomm_domain d = {0};
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S1, 38, p, NULL), IOMM_OK);
	assert_int_equal(iomm_map(&d, 0x4000, 0x84000000, P4K, RW), IOMM_OK);
	assert_int_equal(iomm_attach(&d, &a), IOMM_ERANGE);
	assert_int_equal(fx_dma(f, 0x800 & 0x7f, 0x4000, RD, NULL), CAUSE_INVALID);
	assert_int_equal(fx_dev(f, &e, 0x80, 0), IOMM_ERANGE);
	assert_int_equal(fx_dev(f, &e, 0x40, 0xff), IOMM_ERANGE);
	fx_attach(f, &b, &d, 0x10, 0x3);
	assert_int_equal(fx_dev(f, &c, 0x12, 0), IOMM_OK);
	assert_int_equal(iomm_attach(&d, &c), IOMM_EBUSY);
	assert_int_equal(fx_xlate(f, 0x12, 0x4000, RD), 0x84000000);
	assert_int_equal(d.ndevs, 1);
}

static void test_attach_pool_exhaustion(void **state)
{
	struct fx *f = *state;
	f->cfg.did_bits = 20;
	f->ddt_pages = 1; /* a three-level directory needs two pages per new branch */
	fx_start(f);
	struct iomm_domain d = {0};
	struct iomm_dev a = {0}, b = {0};
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_BYPASS, 0, NULL, NULL), IOMM_OK);
	assert_int_equal(fx_dev(f, &a, 0x54321, 0), IOMM_OK);
	assert_int_equal(iomm_attach(&d, &a), IOMM_ENOMEM);
	assert_int_equal(fx_dma(f, 0x54321, 0x4000, RD, NULL), CAUSE_INVALID);
	assert_int_equal(iomm_detach(&a), IOMM_ENOENT);
	assert_int_equal(d.ndevs, 0);
	/* a device in the same leaf... still no page for the leaf: refused again */
	assert_int_equal(fx_dev(f, &b, 0x54300, 0), IOMM_OK);
	assert_int_equal(iomm_attach(&d, &b), IOMM_ENOMEM);
	assert_int_equal(fx_dma(f, 0x54300, 0x4000, RD, NULL), CAUSE_INVALID);
}

/* ==== 4. invalidation ======================================================== */

static void test_unmap_invalidates(void **state)
{
	(void)state;
	static const struct {
		enum iomm_domain_type type;
		uint8_t ias;
	} doms[] = {
	    {IOMM_DOMAIN_S1, 38}, {IOMM_DOMAIN_S1, 56}, {IOMM_DOMAIN_S2, 41}, {IOMM_DOMAIN_S2, 59}};
	for (size_t i = 0; i < NCOMBOS; i += 3) {
		for (size_t k = 0; k < sizeof(doms) / sizeof(doms[0]); k++) {
			struct fx *f = start_combo(&combos[i]);
			struct iomm_pool *p = fx_pool(f, P4K, 32);
			struct iomm_domain d = {0};
			struct iomm_dev dev = {0};
			bool s1 = doms[k].type == IOMM_DOMAIN_S1;
			unsigned kind = s1 ? RISCV_CMD_IOTINVAL_VMA : RISCV_CMD_IOTINVAL_GVMA;
			assert_int_equal(fx_domain(f, &d, doms[k].type, doms[k].ias, p, NULL),
					 IOMM_OK);
			assert_int_equal(iomm_map(&d, 0x10000, 0x80010000, 2 * P4K, RW), IOMM_OK);
			fx_attach(f, &dev, &d, 3, 0);
			assert_int_equal(fx_xlate(f, 3, 0x10000, RD), 0x80010000);
			assert_int_equal(fx_xlate(f, 3, 0x11000, RD), 0x80011000);
			fx_snap(f);
			uint64_t un = 0;
			assert_int_equal(iomm_unmap(&d, 0x10000, P4K, &un), IOMM_OK);
			assert_int_equal(un, P4K);
			assert_int_equal(fx_cmds(f, RISCV_CMD_IOFENCE_C), 1);
			assert_int_equal(fx_cmds(f, kind), 1);
			assert_int_equal(fx_dma(f, 3, 0x10000, RD, NULL),
					 s1 ? CAUSE_READ_PAGE : CAUSE_READ_GUEST);
			assert_int_equal(fx_xlate(f, 3, 0x11000, RD), 0x80011000);
			/* the command: that page, with the domain's tag */
			const uint64_t *cmd = cq_cmd(f, 2);
			assert_true(cmd[0] & RISCV_M_CMD_AV);
			assert_int_equal(cmd[1] >> 10, 0x10000 >> 12);
			if (s1)
				assert_int_equal((cmd[0] >> 12) & 0xfffff, d.id);
			else
				assert_int_equal((cmd[0] >> 44) & 0xffff, d.id);
			/* remap elsewhere: the new address is seen */
			assert_int_equal(iomm_map(&d, 0x10000, 0x88010000, P4K, RW), IOMM_OK);
			assert_int_equal(fx_xlate(f, 3, 0x10000, WR), 0x88010000);
			assert_int_equal(f->rv.stats.fences,
					 f->model->stats.cmds[RISCV_CMD_IOFENCE_C]);
			done(f);
		}
	}
}

static void test_inval_threshold_and_tables(void **state)
{
	struct fx *f = *state;
	f->cfg.inv_threshold = 4;
	fx_start(f);
	struct iomm_pool *p = fx_pool(f, P4K, 32);
	struct iomm_domain d = {0};
	struct iomm_dev dev = {0};
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S1, 38, p, NULL), IOMM_OK);
	assert_int_equal(iomm_map(&d, 0x400000, 0x80400000, 0x20000, RW), IOMM_OK);
	assert_int_equal(iomm_map(&d, 0x800000, 0x80800000, P4K, RW), IOMM_OK);
	fx_attach(f, &dev, &d, 3, 0);
	for (uint64_t a = 0x400000; a < 0x420000; a += P4K)
		assert_int_equal(fx_xlate(f, 3, a, RD), 0x80000000 + a);
	/* four pages: four commands with addresses, one fence */
	struct iomm_gather g;
	iomm_gather_init(&g);
	fx_snap(f);
	assert_int_equal(iomm_unmap_gather(&d, 0x400000, 4 * P4K, &g, NULL), IOMM_OK);
	assert_int_equal(iomm_gather_sync(&d, &g), IOMM_OK);
	assert_int_equal(fx_cmds(f, RISCV_CMD_IOTINVAL_VMA), 4);
	assert_int_equal(fx_cmds(f, RISCV_CMD_IOFENCE_C), 1);
	for (uint64_t a = 0x400000; a < 0x404000; a += P4K)
		assert_int_equal(fx_dma(f, 3, a, RD, NULL), CAUSE_READ_PAGE);
	/* five pages: one command for the PSCID (AV = 0), one fence */
	fx_snap(f);
	assert_int_equal(iomm_unmap_gather(&d, 0x404000, 5 * P4K, &g, NULL), IOMM_OK);
	assert_int_equal(iomm_gather_sync(&d, &g), IOMM_OK);
	assert_int_equal(fx_cmds(f, RISCV_CMD_IOTINVAL_VMA), 1);
	assert_int_equal(fx_cmds(f, RISCV_CMD_IOFENCE_C), 1);
	const uint64_t *cmd = cq_cmd(f, 2);
	assert_false(cmd[0] & RISCV_M_CMD_AV);
	assert_true(cmd[0] & RISCV_M_CMD_PSCV);
	for (uint64_t a = 0x404000; a < 0x409000; a += P4K)
		assert_int_equal(fx_dma(f, 3, a, RD, NULL), CAUSE_READ_PAGE);
	assert_int_equal(fx_xlate(f, 3, 0x409000, RD), 0x80409000);
	/* the last page of a table: the table goes, one AV = 0 command */
	fx_snap(f);
	assert_int_equal(fx_xlate(f, 3, 0x800000, RD), 0x80800000);
	assert_int_equal(iomm_unmap(&d, 0x800000, P4K, NULL), IOMM_OK);
	cmd = cq_cmd(f, 2);
	if (f->model->stats.cmds[RISCV_CMD_IOTINVAL_VMA] - f->snap_cmds[RISCV_CMD_IOTINVAL_VMA] ==
	    1)
		assert_int_equal(fx_cmds(f, RISCV_CMD_IOFENCE_C), 1);
	assert_int_equal(fx_dma(f, 3, 0x800000, RD, NULL), CAUSE_READ_PAGE);
	/* a gather with nothing in it: one fence, no IOTINVAL */
	fx_snap(f);
	assert_int_equal(iomm_gather_sync(&d, &g), IOMM_OK);
	assert_int_equal(fx_cmds(f, RISCV_CMD_IOTINVAL_VMA), 0);
	/* destroying the domain invalidates its PSCID */
	assert_int_equal(iomm_detach(&dev), IOMM_OK);
	fx_snap(f);
	assert_int_equal(iomm_domain_destroy(&d), IOMM_OK);
	assert_int_equal(fx_cmds(f, RISCV_CMD_IOTINVAL_VMA), 1);
	assert_int_equal(fx_cmds(f, RISCV_CMD_IOFENCE_C), 1);
}

/* Unmapping a whole table: the removed table is invalidated without an address. */
static void test_inval_removed_table(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct iomm_pool *p = fx_pool(f, P4K, 32);
	struct iomm_domain d = {0};
	struct iomm_dev dev = {0};
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 41, p, NULL), IOMM_OK);
	assert_int_equal(iomm_map(&d, 0x200000, 0x80200000, 2 * P4K, RW), IOMM_OK);
	fx_attach(f, &dev, &d, 3, 0);
	assert_int_equal(fx_xlate(f, 3, 0x201000, RD), 0x80201000);
	size_t used = iomm_pool_used(p);
	fx_snap(f);
	assert_int_equal(iomm_unmap(&d, 0x200000, 0x200000, NULL), IOMM_OK);
	assert_true(iomm_pool_used(p) < used); /* the leaf table was freed */
	assert_int_equal(fx_cmds(f, RISCV_CMD_IOFENCE_C), 1);
	/* the commands before the fence carry no address */
	const uint64_t *cmd = cq_cmd(f, 2);
	assert_false(cmd[0] & RISCV_M_CMD_AV);
	/* a G-stage change: IOTINVAL.GVMA for the GSCID alone (section 6) */
	assert_int_equal((cmd[0] >> 7) & 7, RISCV_M_IOTINVAL_GVMA);
	assert_int_equal((cmd[0] >> 44) & 0xffff, d.id);
	assert_int_equal(fx_cmds(f, RISCV_CMD_IOTINVAL_GVMA), 1);
	assert_int_equal(fx_cmds(f, RISCV_CMD_IOTINVAL_VMA), 0);
	assert_int_equal(fx_dma(f, 3, 0x201000, RD, NULL), CAUSE_READ_GUEST);
}

static void test_inval_nested(void **state)
{
	(void)state;
	for (int nc = 0; nc < 2; nc++) {
		struct fx *f = fresh();
		f->coherent = nc == 0;
		fx_start(f);
		struct iomm_domain parent = {0}, child = {0};
		struct iomm_dev dev = {0};
		nested_setup(f, &parent, &child, 38, 50);
		fx_attach(f, &dev, &child, 9, 0);
		assert_int_equal(fx_xlate(f, 9, 0x100000, RD), 0x90000000);
		assert_int_equal(fx_xlate(f, 9, 0x101000, RD), 0x90001000);
		assert_int_equal(fx_xlate(f, 9, 0x102000, RD), 0x90002000);
		/* first-stage unmap: IOTINVAL.VMA with GV = 1, the parent's GSCID, the PSCID */
		fx_snap(f);
		assert_int_equal(iomm_unmap(&child, 0x100000, P4K, NULL), IOMM_OK);
		const uint64_t *cmd = cq_cmd(f, 2);
		assert_int_equal(cmd[0] & 0x7f, RISCV_M_CMD_IOTINVAL);
		assert_int_equal((cmd[0] >> 7) & 7, RISCV_M_IOTINVAL_VMA);
		assert_true(cmd[0] & RISCV_M_CMD_GV);
		assert_true(cmd[0] & RISCV_M_CMD_PSCV);
		assert_int_equal((cmd[0] >> 44) & 0xffff, parent.id);
		assert_int_equal((cmd[0] >> 12) & 0xfffff, child.id);
		assert_int_equal(fx_cmds(f, RISCV_CMD_IOFENCE_C), 1);
		assert_int_equal(fx_dma(f, 9, 0x100000, RD, NULL), CAUSE_READ_PAGE);
		/* G-stage unmap under the child: the combined entry goes */
		assert_int_equal(iomm_unmap(&parent, 0x40001000, P4K, NULL), IOMM_OK);
		assert_int_equal(fx_dma(f, 9, 0x101000, RD, NULL), CAUSE_READ_GUEST);
		assert_int_equal(fx_xlate(f, 9, 0x102000, RD), 0x90002000);
		/* remap in the G-stage elsewhere: seen through the child */
		assert_int_equal(iomm_map(&parent, 0x40001000, 0xa0001000, P4K, RW), IOMM_OK);
		assert_int_equal(fx_xlate(f, 9, 0x101000, RD), 0xa0001000);
		/* moving the device off the nested domain drops its context and entries */
		assert_int_equal(iomm_detach(&dev), IOMM_OK);
		assert_int_equal(fx_dma(f, 9, 0x102000, RD, NULL), CAUSE_INVALID);
		assert_int_equal(iomm_domain_destroy(&child), IOMM_OK);
		assert_int_equal(iomm_domain_destroy(&parent), IOMM_OK);
		assert_int_equal(f->rv.stats.cmd_errors, 0);
		done(f);
	}
}

/* ==== 5. command errors ====================================================== */

struct cmd_world {
	struct iomm_pool *p;
	struct iomm_domain d;
	struct iomm_dev dev;
};

static void cmd_world(struct fx *f, struct cmd_world *w)
{
	fx_start(f);
	w->p = fx_pool(f, P4K, 32);
	assert_int_equal(fx_domain(f, &w->d, IOMM_DOMAIN_S1, 38, w->p, NULL), IOMM_OK);
	assert_int_equal(iomm_map(&w->d, 0x10000, 0x80010000, 4 * P4K, RW), IOMM_OK);
	fx_attach(f, &w->dev, &w->d, 3, 0);
	for (uint64_t a = 0x10000; a < 0x14000; a += P4K)
		assert_int_equal(fx_xlate(f, 3, a, RD), 0x80000000 + a);
}

static void test_cmd_illegal(void **state)
{
	struct fx *f = *state;
	struct cmd_world w = {0};
	cmd_world(f, &w);
	f->corrupt_cqt = 1;
	assert_int_equal(iomm_unmap(&w.d, 0x10000, P4K, NULL), IOMM_EIO);
	assert_int_equal(f->rv.stats.cmd_errors, 1);
	assert_int_equal(f->model->stats.cmd_ill, 1);
	assert_int_equal(fx_rd(f, RISCV_M_CQCSR) & RISCV_M_CQCSR_CMD_ILL, 0);
	/* the queue goes on: later commands work */
	fx_snap(f);
	assert_int_equal(iomm_unmap(&w.d, 0x11000, P4K, NULL), IOMM_OK);
	assert_int_equal(fx_cmds(f, RISCV_CMD_IOFENCE_C), 1);
	assert_int_equal(fx_dma(f, 3, 0x11000, RD, NULL), CAUSE_READ_PAGE);
	assert_int_equal(iomm_detach(&w.dev), IOMM_OK);
	assert_int_equal(fx_dma(f, 3, 0x12000, RD, NULL), CAUSE_INVALID);
}

static void test_cmd_queue_memory_fault(void **state)
{
	struct fx *f = *state;
	struct cmd_world w = {0};
	cmd_world(f, &w);
	f->cqmf_cqt = true;
	assert_int_equal(iomm_unmap(&w.d, 0x10000, P4K, NULL), IOMM_EIO);
	assert_int_equal(f->rv.stats.cmd_errors, 1);
	assert_int_equal(fx_rd(f, RISCV_M_CQCSR) & RISCV_M_CQCSR_CQMF, 0);
	/* retried: the unmap did take effect */
	assert_int_equal(fx_dma(f, 3, 0x10000, RD, NULL), CAUSE_READ_PAGE);
	assert_int_equal(iomm_unmap(&w.d, 0x11000, P4K, NULL), IOMM_OK);
	assert_int_equal(fx_dma(f, 3, 0x11000, RD, NULL), CAUSE_READ_PAGE);
}

static void test_fence_timeout(void **state)
{
	struct fx *f = *state;
	struct cmd_world w = {0};
	cmd_world(f, &w);
	f->drop_cqt = true;
	assert_int_equal(iomm_unmap(&w.d, 0x10000, P4K, NULL), IOMM_ETIMEDOUT);
	assert_int_equal(iomm_detach(&w.dev), IOMM_ETIMEDOUT);
	assert_int_equal(w.d.ndevs, 1); /* still recorded as attached */
	/* the unit takes commands again: a retried detach leaves nothing cached */
	f->drop_cqt = false;
	assert_int_equal(iomm_detach(&w.dev), IOMM_OK);
	assert_int_equal(fx_dma(f, 3, 0x11000, RD, NULL), CAUSE_INVALID);
	assert_int_equal(fx_dma(f, 3, 0x10000, RD, NULL), CAUSE_INVALID);
}

/* A two-entry command queue: every command is its own chunk, the ring wraps all the time;
 * a stream set of 64 live devices makes more commands than a batch holds. */
static void test_small_queue_big_batch(void **state)
{
	(void)state;
	for (int nc = 0; nc < 2; nc++) {
		struct fx *f = fresh();
		f->coherent = nc == 0;
		f->cq_size = 32;
		f->fq_size = 64;
		f->mcfg.caps |= RISCV_M_CAP_MSI_FLAT;
		fx_start(f);
		struct iomm_pool *p = fx_pool(f, P4K, 32);
		struct iomm_domain a = {0}, g = {0};
		struct iomm_dev dev = {0};
		assert_int_equal(fx_domain(f, &a, IOMM_DOMAIN_S1, 38, p, NULL), IOMM_OK);
		assert_int_equal(fx_domain(f, &g, IOMM_DOMAIN_S2, 41, p, NULL), IOMM_OK);
		assert_int_equal(iomm_map(&a, 0x10000, 0x80010000, P4K, RW), IOMM_OK);
		assert_int_equal(iomm_map(&g, 0x10000, 0x90010000, P4K, RW), IOMM_OK);
		fx_attach(f, &dev, &a, 0, 0x3f);
		for (uint32_t k = 0; k < 64; k++)
			assert_int_equal(fx_xlate(f, k, 0x10000, RD), 0x80010000);
		fx_snap(f);
		assert_int_equal(iomm_detach(&dev), IOMM_OK);
		assert_int_equal(fx_cmds(f, RISCV_CMD_IODIR_DDT), 64);
		assert_int_equal(fx_cmds(f, RISCV_CMD_IOFENCE_C), 1);
		assert_int_equal(iomm_attach(&g, &dev), IOMM_OK);
		for (uint32_t k = 0; k < 64; k++)
			assert_int_equal(fx_xlate(f, k, 0x10000, RD), 0x90010000);
		assert_int_equal(iomm_detach(&dev), IOMM_OK);
		for (uint32_t k = 0; k < 64; k++)
			assert_int_equal(fx_dma(f, k, 0x10000, RD, NULL), CAUSE_INVALID);
		assert_int_equal(f->rv.stats.cmd_errors, 0);
		done(f);
	}
}

/* A command error in the middle of a long batch: reported once the batch is done. */
static void test_cmd_error_mid_batch(void **state)
{
	struct fx *f = *state;
	f->mcfg.caps |= RISCV_M_CAP_MSI_FLAT;
	fx_start(f);
	struct iomm_domain a = {0};
	struct iomm_dev dev = {0};
	assert_int_equal(fx_domain(f, &a, IOMM_DOMAIN_BYPASS, 0, NULL, NULL), IOMM_OK);
	fx_attach(f, &dev, &a, 0, 0x3f);
	for (uint32_t k = 0; k < 64; k++)
		assert_int_equal(fx_xlate(f, k, 0x10000, RD), 0x10000);
	f->corrupt_cqt = 1; /* the first chunk's last command (an IODIR) turns illegal */
	assert_int_equal(iomm_detach(&dev), IOMM_EIO);
	assert_int_equal(f->rv.stats.cmd_errors, 1);
	assert_int_equal(a.ndevs, 1); /* still recorded as attached */
	/* the retry must not leave any device's context cached */
	assert_int_equal(iomm_detach(&dev), IOMM_OK);
	for (uint32_t k = 0; k < 64; k++)
		assert_int_equal(fx_dma(f, k, 0x10000, RD, NULL), CAUSE_INVALID);
}

/* A two-entry command queue that stops taking commands, or rejects one in the middle of a
 * long batch: the error surfaces, and a retry leaves nothing cached. */
static void test_small_queue_errors(void **state)
{
	struct fx *f = *state;
	f->cq_size = 32;
	f->cfg.timeout_ns = 20000000;
	fx_start(f);
	struct iomm_pool *p = fx_pool(f, P4K, 32);
	struct iomm_domain a = {0};
	struct iomm_dev dev = {0};
	assert_int_equal(fx_domain(f, &a, IOMM_DOMAIN_S1, 38, p, NULL), IOMM_OK);
	assert_int_equal(iomm_map(&a, 0x10000, 0x80010000, 3 * P4K, RW), IOMM_OK);
	fx_attach(f, &dev, &a, 0, 0x3f);
	for (uint32_t k = 0; k < 64; k++)
		assert_int_equal(fx_xlate(f, k, 0x10000, RD), 0x80010000);
	/* an illegal command while later chunks wait for room */
	f->corrupt_cqt = 1;
	assert_int_equal(iomm_unmap(&a, 0x10000, P4K, NULL), IOMM_EIO);
	/* the lost invalidation is made up for by the next one */
	assert_int_equal(iomm_unmap(&a, 0x12000, P4K, NULL), IOMM_OK);
	assert_int_equal(fx_dma(f, 5, 0x10000, RD, NULL), CAUSE_READ_PAGE);
	assert_int_equal(fx_xlate(f, 5, 0x11000, RD), 0x80011000);
	f->corrupt_cqt = 3;
	assert_int_equal(iomm_detach(&dev), IOMM_EIO);
	assert_true(f->rv.stats.cmd_errors >= 3);
	assert_int_equal(iomm_detach(&dev), IOMM_OK);
	for (uint32_t k = 0; k < 64; k++)
		assert_int_equal(fx_dma(f, k, 0x11000, RD, NULL), CAUSE_INVALID);
	/* the unit stops: no room for the second command */
	fx_attach(f, &dev, &a, 0, 0x3f);
	assert_int_equal(fx_xlate(f, 7, 0x11000, RD), 0x80011000);
	f->drop_cqt = true;
	assert_int_equal(iomm_unmap(&a, 0x11000, P4K, NULL), IOMM_ETIMEDOUT);
	assert_int_equal(iomm_detach(&dev), IOMM_ETIMEDOUT);
	f->drop_cqt = false;
	riscv_model_step(f->model); /* the unit resumes */
	assert_int_equal(iomm_detach(&dev), IOMM_OK);
	assert_int_equal(fx_dma(f, 7, 0x11000, RD, NULL), CAUSE_INVALID);
	assert_int_equal(fx_dma(f, 7, 0x10000, RD, NULL), CAUSE_INVALID);
}

/* ==== 6. faults ============================================================== */

static void test_fault_poll(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct iomm_pool *p = fx_pool(f, P4K, 64);
	struct iomm_domain s1 = {0}, s2 = {0};
	struct iomm_dev d1 = {0}, d2 = {0};
	assert_int_equal(fx_domain(f, &s1, IOMM_DOMAIN_S1, 38, p, NULL), IOMM_OK);
	assert_int_equal(fx_domain(f, &s2, IOMM_DOMAIN_S2, 41, p, NULL), IOMM_OK);
	assert_int_equal(iomm_map(&s1, 0x10000, 0x80010000, P4K, IOMM_READ), IOMM_OK);
	assert_int_equal(iomm_map(&s2, 0x10000, 0x80010000, P4K, IOMM_READ), IOMM_OK);
	fx_attach(f, &d1, &s1, 0x11, 0);
	fx_attach(f, &d2, &s2, 0x22, 0);
	assert_int_equal(fx_poll(f), 0);
	assert_int_equal(fx_dma(f, 0x11, 0x20000, RD, NULL), CAUSE_READ_PAGE);
	assert_int_equal(fx_dma(f, 0x11, 0x10008, WR, NULL), CAUSE_WRITE_PAGE);
	assert_int_equal(fx_dma(f, 0x22, 0x30000, RD, NULL), CAUSE_READ_GUEST);
	assert_int_equal(fx_dma(f, 0x22, 0x10010, WR, NULL), CAUSE_WRITE_GUEST);
	assert_int_equal(fx_dma(f, 0x33, 0x40000, RD, NULL), CAUSE_INVALID);
	/* ddtp Off for a moment: cause 256 */
	uint64_t ddtp = f->model->ddtp;
	f->model->ddtp = 0;
	assert_int_equal(fx_dma(f, 0x44, 0x50000, WR, NULL), CAUSE_OFF);
	f->model->ddtp = ddtp;
	assert_int_equal(fx_poll(f), 6);
	const struct {
		uint32_t sid;
		uint64_t addr;
		enum iomm_fault_reason reason;
		uint32_t flags;
		uint64_t ipa;
		uint32_t raw;
	} want[] = {
	    {0x11, 0x20000, IOMM_FAULT_TRANSLATION, IOMM_FAULT_READ, 0, 13},
	    {0x11, 0x10008, IOMM_FAULT_TRANSLATION, IOMM_FAULT_WRITE, 0, 15},
	    {0x22, 0x30000, IOMM_FAULT_TRANSLATION,
	     IOMM_FAULT_READ | IOMM_FAULT_STAGE2 | IOMM_FAULT_IPA, 0x30000, 21},
	    {0x22, 0x10010, IOMM_FAULT_TRANSLATION,
	     IOMM_FAULT_WRITE | IOMM_FAULT_STAGE2 | IOMM_FAULT_IPA, 0x10010, 23},
	    {0x33, 0x40000, IOMM_FAULT_BAD_STREAM, IOMM_FAULT_READ, 0, 258},
	    {0x44, 0x50000, IOMM_FAULT_ABORT, IOMM_FAULT_WRITE, 0, 256},
	};
	for (unsigned i = 0; i < 6; i++) {
		const struct iomm_fault *g = &f->faults[i];
		assert_int_equal(g->sid, want[i].sid);
		assert_int_equal(g->addr, want[i].addr);
		assert_int_equal(g->reason, want[i].reason);
		assert_int_equal(g->flags, want[i].flags);
		assert_int_equal(g->raw, want[i].raw);
		assert_int_equal(g->lost, 0);
		if (want[i].flags & IOMM_FAULT_IPA)
			assert_int_equal(g->ipa & ~0xfffull, want[i].ipa & ~0xfffull);
	}
	assert_int_equal(f->rv.stats.faults, 6);
	assert_int_equal(fx_poll(f), 0);
	assert_int_equal(fx_rd(f, RISCV_M_FQH), fx_rd(f, RISCV_M_FQT));
}

static void test_fault_overflow_and_memory_fault(void **state)
{
	(void)state;
	for (int nc = 0; nc < 2; nc++) {
		struct fx *f = fresh();
		f->fq_size = 64; /* two slots: one record fits */
		f->coherent = nc == 0;
		fx_start(f);
		assert_int_equal(fx_dma(f, 1, 0x1000, RD, NULL), CAUSE_INVALID);
		assert_int_equal(fx_dma(f, 2, 0x2000, RD, NULL), CAUSE_INVALID);
		assert_int_equal(fx_dma(f, 3, 0x3000, RD, NULL), CAUSE_INVALID);
		assert_true(fx_rd(f, RISCV_M_FQCSR) & RISCV_M_FQCSR_FQOF);
		assert_int_equal(fx_poll(f), 1);
		assert_int_equal(f->faults[0].sid, 1);
		assert_int_equal(f->faults[0].lost, 1);
		assert_int_equal(f->rv.stats.overflows, 1);
		assert_false(fx_rd(f, RISCV_M_FQCSR) & RISCV_M_FQCSR_FQOF);
		/* recorded again afterwards, nothing lost */
		assert_int_equal(fx_dma(f, 4, 0x4000, RD, NULL), CAUSE_INVALID);
		assert_int_equal(fx_poll(f), 1);
		assert_int_equal(f->faults[0].sid, 4);
		assert_int_equal(f->faults[0].lost, 0);
		/* an overflow with no record left: reported on its own */
		f->model->fqcsr |= RISCV_M_FQCSR_FQOF;
		assert_int_equal(fx_poll(f), 1);
		assert_int_equal(f->faults[0].lost, 1);
		assert_int_equal(f->faults[0].reason, IOMM_FAULT_OTHER);
		/* a fault-queue memory fault: EIO, acknowledged */
		f->model->fqcsr |= RISCV_M_FQCSR_FQMF;
		assert_int_equal(fx_poll(f), IOMM_EIO);
		assert_false(fx_rd(f, RISCV_M_FQCSR) & RISCV_M_FQCSR_FQMF);
		assert_int_equal(fx_poll(f), 0);
		done(f);
	}
}

static void test_decode_fault(void **state)
{
	(void)state;
	struct iomm_fault fl;
	uint64_t rec[4] = {0};
	assert_int_equal(iomm_riscv_decode_fault(NULL, &fl), IOMM_EINVAL);
	assert_int_equal(iomm_riscv_decode_fault(rec, NULL), IOMM_EINVAL);
	static const struct {
		uint32_t cause;
		enum iomm_fault_reason reason;
	} causes[] = {
	    {1, IOMM_FAULT_ABORT},	  {4, IOMM_FAULT_OTHER},
	    {5, IOMM_FAULT_ABORT},	  {7, IOMM_FAULT_ABORT},
	    {12, IOMM_FAULT_TRANSLATION}, {13, IOMM_FAULT_TRANSLATION},
	    {15, IOMM_FAULT_TRANSLATION}, {20, IOMM_FAULT_TRANSLATION},
	    {21, IOMM_FAULT_TRANSLATION}, {23, IOMM_FAULT_TRANSLATION},
	    {256, IOMM_FAULT_ABORT},	  {257, IOMM_FAULT_WALK},
	    {258, IOMM_FAULT_BAD_STREAM}, {259, IOMM_FAULT_BAD_CONFIG},
	    {260, IOMM_FAULT_ABORT},	  {261, IOMM_FAULT_WALK},
	    {262, IOMM_FAULT_TRANSLATION}, {263, IOMM_FAULT_BAD_CONFIG},
	    {264, IOMM_FAULT_WALK},	  {265, IOMM_FAULT_WALK},
	    {266, IOMM_FAULT_BAD_STREAM}, {267, IOMM_FAULT_BAD_CONFIG},
	    {268, IOMM_FAULT_WALK},	  {269, IOMM_FAULT_WALK},
	    {270, IOMM_FAULT_WALK},	  {271, IOMM_FAULT_WALK},
	    {272, IOMM_FAULT_OTHER},	  {273, IOMM_FAULT_OTHER},
	    {274, IOMM_FAULT_WALK},	  {999, IOMM_FAULT_OTHER},
	};
	for (size_t i = 0; i < sizeof(causes) / sizeof(causes[0]); i++) {
		rec[0] = causes[i].cause | (2ull << 34) | (0x123456ull << 40);
		rec[2] = 0xdeadb000;
		rec[3] = 0xcafe0001;
		assert_int_equal(iomm_riscv_decode_fault(rec, &fl), IOMM_OK);
		assert_int_equal(fl.reason, causes[i].reason);
		assert_int_equal(fl.raw, causes[i].cause);
		assert_int_equal(fl.sid, 0x123456);
		assert_int_equal(fl.addr, 0xdeadb000);
		bool guest =
		    causes[i].cause == 20 || causes[i].cause == 21 || causes[i].cause == 23;
		assert_int_equal((fl.flags & IOMM_FAULT_STAGE2) != 0, guest);
		assert_int_equal(fl.ipa, guest ? 0xcafe0000 : 0);
	}
	static const struct {
		uint32_t ttyp, flags;
		bool addr;
	} tt[] = {
	    {0, 0, false},
	    {1, IOMM_FAULT_EXEC | IOMM_FAULT_READ, true},
	    {2, IOMM_FAULT_READ, true},
	    {3, IOMM_FAULT_WRITE, true},
	    {5, IOMM_FAULT_EXEC | IOMM_FAULT_READ, true},
	    {6, IOMM_FAULT_READ, true},
	    {7, IOMM_FAULT_WRITE, true},
	    {8, 0, true},
	    {9, 0, true},
	};
	for (size_t i = 0; i < sizeof(tt) / sizeof(tt[0]); i++) {
		rec[0] = 13u | ((uint64_t)tt[i].ttyp << 34);
		rec[2] = 0x5000;
		assert_int_equal(iomm_riscv_decode_fault(rec, &fl), IOMM_OK);
		assert_int_equal(fl.flags, tt[i].flags);
		assert_int_equal(fl.addr, tt[i].addr ? 0x5000 : 0);
	}
	/* process ID and privilege */
	rec[0] = 13u | (0xabcdeull << 12) | (1ull << 32) | (1ull << 33) | (2ull << 34);
	assert_int_equal(iomm_riscv_decode_fault(rec, &fl), IOMM_OK);
	assert_int_equal(fl.ssid, 0xabcde);
	assert_int_equal(fl.flags, IOMM_FAULT_SSID | IOMM_FAULT_PRIV | IOMM_FAULT_READ);
}

/* ==== 7. ordering ============================================================ */

/* Every cqt write comes after a write barrier that follows the memory writes (and, on a
 * non-coherent port, the cleans) it publishes. */
static void check_cqt_ordering(struct fx *f, size_t from)
{
	size_t n = f->b.hook_count < f->b.hook_cap ? f->b.hook_count : f->b.hook_cap;
	unsigned seen = 0;
	size_t prev = from;
	for (size_t i = from; i < n; i++) {
		const struct bfx_event *e = &f->hooks[i];
		if (e->kind != BFX_EV_WR || e->addr != FX_REGS + RISCV_M_CQT)
			continue;
		seen++;
		if (!bfx_barrier_before(&f->b, prev, i))
			fail_msg(
			    "cqt write (event %zu) without a barrier after the last memory update",
			    i);
		if (!f->coherent) {
			size_t c = bfx_ev_last(&f->b, i, BFX_EV_CLEAN, 0);
			assert_true(c != SIZE_MAX && c > prev);
		}
		prev = i;
	}
	assert_true(seen > 0);
}

static void test_order_cqt_after_barrier(void **state)
{
	(void)state;
	for (int nc = 0; nc < 2; nc++) {
		struct fx *f = fresh();
		f->coherent = nc == 0;
		f->cfg.did_bits = 12;
		f->ddt_pages = 8;
		fx_start(f);
		struct iomm_pool *p = fx_pool(f, P4K, 32);
		struct iomm_domain a = {0}, b = {0};
		struct iomm_dev dev = {0};
		assert_int_equal(fx_domain(f, &a, IOMM_DOMAIN_S1, 38, p, NULL), IOMM_OK);
		assert_int_equal(fx_domain(f, &b, IOMM_DOMAIN_S2, 41, p, NULL), IOMM_OK);
		assert_int_equal(iomm_map(&a, 0x10000, 0x80010000, 2 * P4K, RW), IOMM_OK);
		assert_int_equal(iomm_map(&b, 0x10000, 0x90010000, 2 * P4K, RW), IOMM_OK);
		size_t from = f->b.hook_count;
		f->b.hook_on = true;
		fx_attach(f, &dev, &a, 0x456, 0);
		assert_int_equal(fx_xlate(f, 0x456, 0x10000, RD), 0x80010000);
		assert_int_equal(iomm_detach(&dev), IOMM_OK);
		assert_int_equal(iomm_attach(&b, &dev), IOMM_OK);
		assert_int_equal(fx_xlate(f, 0x456, 0x10000, RD), 0x90010000);
		assert_int_equal(iomm_unmap(&b, 0x10000, P4K, NULL), IOMM_OK);
		assert_int_equal(fx_dma(f, 0x456, 0x10000, RD, NULL), CAUSE_READ_GUEST);
		assert_int_equal(fx_xlate(f, 0x456, 0x11000, RD), 0x90011000);
		f->b.hook_on = false;
		assert_true(f->b.hook_count <= f->b.hook_cap);
		check_cqt_ordering(f, from);
		done(f);
	}
}

/* Non-coherent: a device context written but never cleaned is not seen; the backend's
 * cleans make the walker see the directory, the context and the tables. */
static void test_order_noncoherent_cleans(void **state)
{
	(void)state;
	for (size_t i = 0; i < NCOMBOS; i++) {
		if (combos[i].coherent)
			continue;
		struct fx *f = start_combo(&combos[i]);
		struct iomm_pool *p = fx_pool(f, P4K, 32);
		struct iomm_domain a = {0};
		struct iomm_dev dev = {0};
		uint32_t did = far_did(&combos[i]);
		assert_int_equal(fx_domain(f, &a, IOMM_DOMAIN_S1, 47, p, NULL), IOMM_OK);
		assert_int_equal(iomm_map(&a, 0x10000, 0x80010000, P4K, RW), IOMM_OK);
		uint64_t cleans = f->px.clean_calls;
		fx_attach(f, &dev, &a, did, 0);
		assert_true(f->px.clean_calls > cleans);
		assert_int_equal(fx_xlate(f, did, 0x10000, RD), 0x80010000);
		assert_int_equal(iomm_map(&a, 0x11000, 0x80021000, P4K, RW), IOMM_OK);
		assert_int_equal(fx_xlate(f, did, 0x11000, WR), 0x80021000);
		done(f);
	}
}

/* ==== 8. disable ============================================================= */

static void test_disable(void **state)
{
	struct fx *f = *state;
	struct iomm_riscv never;
	memset(&never, 0, sizeof(never));
	assert_int_equal(iomm_riscv_disable(NULL), IOMM_EINVAL);
	assert_int_equal(iomm_riscv_disable(&never), IOMM_EINVAL);
	fx_start(f);
	struct iomm_domain by = {0};
	struct iomm_dev dev = {0};
	assert_int_equal(fx_domain(f, &by, IOMM_DOMAIN_BYPASS, 0, NULL, NULL), IOMM_OK);
	fx_attach(f, &dev, &by, 7, 0);
	assert_int_equal(fx_xlate(f, 7, 0x5000, RD), 0x5000);
	assert_int_equal(iomm_riscv_disable(&f->rv), IOMM_OK);
	assert_int_equal(ddtp_mode(f), 0);
	assert_int_equal(fx_dma(f, 7, 0x5000, RD, NULL), CAUSE_OFF);
	assert_int_equal(fx_rd(f, RISCV_M_CQCSR) & (RISCV_M_CQCSR_CQEN | RISCV_M_CQCSR_CQON), 0);
	assert_int_equal(fx_rd(f, RISCV_M_FQCSR) & (RISCV_M_FQCSR_FQEN | RISCV_M_FQCSR_FQON), 0);
	assert_int_equal(riscv_model_dc_count(f->model), 0);
	assert_int_equal(iomm_riscv_disable(&f->rv), IOMM_OK);
	assert_int_equal(fx_dma(f, 7, 0x5000, RD, NULL), CAUSE_OFF);
	fx_check_hygiene(f);
}

static void test_disable_timeouts(void **state)
{
	(void)state;
	for (int k = 0; k < 3; k++) {
		struct fx *f = fresh();
		fx_start(f);
		if (k == 0)
			f->model->cfg.busy_reads = 1000000; /* ddtp never settles */
		else if (k == 1)
			f->drop_cqt = true; /* the cache invalidation never completes */
		else
			f->ignore_ddtp = true; /* ddtp stays on */
		assert_int_equal(iomm_riscv_disable(&f->rv), IOMM_ETIMEDOUT);
		f->model->cfg.busy_reads = 0;
		f->model->ddtp_busy = f->model->cq_busy = 0;
		f->drop_cqt = f->ignore_ddtp = false;
		/* a second disable (nothing of ours in flight any more) turns it off */
		assert_int_equal(iomm_riscv_disable(&f->rv), IOMM_OK);
		assert_int_equal(fx_dma(f, 1, 0x1000, RD, NULL), CAUSE_OFF);
		done(f);
	}
}

/* ==== 7. MSI page tables (flat) ============================================== */

#define CAUSE_INST_ACCESS 1
#define CAUSE_MSI_INVALID 262
#define MSI_GPA		  0x28000000ull /* the VM's virtual interrupt files: 8 pages */
#define MSI_HOST	  0x24000000ull /* the host's guest interrupt files */

struct msi_world {
	struct iomm_pool *p;
	struct iomm_domain d;
	struct iomm_dev dev;
	struct iomm_riscv_msi msi;
};

/* A G-stage domain with an 8-file MSI window at MSI_GPA, files 0 and 5 mapped. */
static void msi_world(struct fx *f, struct msi_world *w)
{
	w->p = fx_pool(f, P4K, 64);
	assert_int_equal(fx_domain(f, &w->d, IOMM_DOMAIN_S2, 50, w->p, NULL), IOMM_OK);
	assert_int_equal(iomm_map(&w->d, 0x40000000, 0x90000000, 4 * P4K, RW), IOMM_OK);
	/* a G-stage mapping inside the window: the MSI table takes precedence */
	assert_int_equal(iomm_map(&w->d, MSI_GPA + P4K, 0x91000000, P4K, RW), IOMM_OK);
	w->msi.addr_mask = 0x7;
	w->msi.addr_pattern = MSI_GPA >> 12;
	w->msi.table = fx_mem(f, P4K, P4K);
	memset(w->msi.table, 0xa5, P4K); /* the library zeroes it */
	w->msi.table_pa = (uint64_t)(uintptr_t)w->msi.table;
	w->msi.table_bytes = P4K;
	assert_int_equal(iomm_riscv_msi_enable(&w->d, &w->msi), IOMM_OK);
	assert_int_equal(iomm_riscv_msi_map(&w->d, 0, MSI_HOST), IOMM_OK);
	assert_int_equal(iomm_riscv_msi_map(&w->d, 5, MSI_HOST + 5 * P4K), IOMM_OK);
}

static void test_msi_translate(void **state)
{
	(void)state;
	for (int nc = 0; nc < 2; nc++) {
		struct fx *f = fresh();
		f->mcfg.caps |= RISCV_M_CAP_MSI_FLAT;
		f->coherent = nc == 0;
		fx_start(f);
		struct msi_world w = {0};
		msi_world(f, &w);
		fx_snap(f);
		fx_attach(f, &w.dev, &w.d, 4, 0);
		/* MSIs to mapped files land on the host's files, offset kept */
		assert_int_equal(fx_xlate(f, 4, MSI_GPA, WR), MSI_HOST);
		assert_int_equal(fx_xlate(f, 4, MSI_GPA + 5 * P4K + 4, WR), MSI_HOST + 5 * P4K + 4);
		assert_int_equal(fx_xlate(f, 4, MSI_GPA + 5 * P4K, RD), MSI_HOST + 5 * P4K);
		assert_int_equal(fx_dma(f, 4, MSI_GPA + 5 * P4K, RISCV_MODEL_ACC_X, NULL),
				 CAUSE_INST_ACCESS);
		/* an unmapped file faults, also where the G-stage maps the page */
		assert_int_equal(fx_dma(f, 4, MSI_GPA + P4K, WR, NULL), CAUSE_MSI_INVALID);
		assert_int_equal(fx_dma(f, 4, MSI_GPA + 3 * P4K, WR, NULL), CAUSE_MSI_INVALID);
		/* the rest of the guest goes through the G-stage */
		assert_int_equal(fx_xlate(f, 4, 0x40001008, WR), 0x90001008);
		assert_int_equal(fx_dma(f, 4, MSI_GPA + 8 * P4K, WR, NULL), CAUSE_WRITE_GUEST);
		/* the fault record of an unmapped file: a translation fault at the GPA */
		assert_int_equal(fx_poll(f), 4);
		assert_int_equal(f->faults[1].reason, IOMM_FAULT_TRANSLATION);
		assert_int_equal(f->faults[1].raw, CAUSE_MSI_INVALID);
		assert_int_equal(f->faults[1].addr, MSI_GPA + P4K);

		/* moving file 5 while in use: one IOTINVAL.GVMA of its page, one fence */
		fx_snap(f);
		assert_int_equal(iomm_riscv_msi_map(&w.d, 5, MSI_HOST + 7 * P4K), IOMM_OK);
		assert_int_equal(fx_cmds(f, RISCV_CMD_IOTINVAL_GVMA), 1);
		assert_int_equal(fx_cmds(f, RISCV_CMD_IOFENCE_C), 1);
		const uint64_t *cmd = cq_cmd(f, 2);
		assert_int_equal((cmd[0] >> 7) & 7, RISCV_M_IOTINVAL_GVMA);
		assert_true(cmd[0] & RISCV_M_CMD_AV);
		assert_true(cmd[0] & RISCV_M_CMD_GV);
		assert_int_equal((cmd[0] >> 44) & 0xffff, w.d.id);
		assert_int_equal(cmd[1] << 2, MSI_GPA + 5 * P4K); /* ADDR[63:12] in bits 63:10 */
		assert_int_equal(fx_xlate(f, 4, MSI_GPA + 5 * P4K, WR), MSI_HOST + 7 * P4K);
		/* unmapping a file: MSIs to it fault at once */
		assert_int_equal(iomm_riscv_msi_unmap(&w.d, 0), IOMM_OK);
		assert_int_equal(fx_dma(f, 4, MSI_GPA, WR, NULL), CAUSE_MSI_INVALID);
		assert_int_equal(fx_xlate(f, 4, MSI_GPA + 5 * P4K, WR), MSI_HOST + 7 * P4K);

		/* a nested domain under the parent: first-stage outputs in the window are MSIs */
		struct iomm_pool *cp = fx_pool(f, P4K, 16);
		void *va;
		uint64_t pa, size;
		assert_true(bfx_pool_region(&f->b, cp, &va, &pa, &size));
		uint64_t lo = pa & ~(uint64_t)(P4K - 1);
		uint64_t hi = (pa + size + P4K - 1) & ~(uint64_t)(P4K - 1);
		assert_int_equal(iomm_map(&w.d, lo, lo, hi - lo, RW), IOMM_OK);
		struct iomm_domain child = {0};
		struct iomm_dev d2 = {0};
		assert_int_equal(fx_domain(f, &child, IOMM_DOMAIN_NESTED, 38, cp, &w.d), IOMM_OK);
		assert_int_equal(iomm_map(&child, 0x100000, MSI_GPA + 5 * P4K, P4K, RW), IOMM_OK);
		assert_int_equal(iomm_map(&child, 0x101000, 0x40000000, P4K, RW), IOMM_OK);
		fx_attach(f, &d2, &child, 6, 0);
		assert_int_equal(fx_xlate(f, 6, 0x100010, WR), MSI_HOST + 7 * P4K + 0x10);
		assert_int_equal(fx_xlate(f, 6, 0x101010, WR), 0x90000010);
		/* a file change reaches the nested device's cached translation too */
		assert_int_equal(iomm_riscv_msi_map(&w.d, 5, MSI_HOST + 6 * P4K), IOMM_OK);
		assert_int_equal(fx_xlate(f, 6, 0x100010, WR), MSI_HOST + 6 * P4K + 0x10);

		assert_int_equal(iomm_detach(&d2), IOMM_OK);
		assert_int_equal(iomm_domain_destroy(&child), IOMM_OK);
		assert_int_equal(iomm_detach(&w.dev), IOMM_OK);
		assert_int_equal(iomm_domain_destroy(&w.d), IOMM_OK);
		assert_int_equal(f->rv.stats.cmd_errors, 0);
		fx_check_hygiene(f);
		done(f);
	}
}

/* Without a table the window is plain G-stage memory, and msiptp stays Off. */
static void test_msi_off_by_default(void **state)
{
	struct fx *f = *state;
	f->mcfg.caps |= RISCV_M_CAP_MSI_FLAT;
	fx_start(f);
	struct iomm_pool *p = fx_pool(f, P4K, 64);
	struct iomm_domain d = {0};
	struct iomm_dev dev = {0};
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 50, p, NULL), IOMM_OK);
	assert_int_equal(iomm_map(&d, MSI_GPA, 0x91000000, P4K, RW), IOMM_OK);
	fx_attach(f, &dev, &d, 4, 0);
	assert_int_equal(fx_xlate(f, 4, MSI_GPA + 8, WR), 0x91000008);
	assert_int_equal(fx_dma(f, 4, MSI_GPA + P4K, WR, NULL), CAUSE_WRITE_GUEST);
	assert_int_equal(iomm_riscv_msi_map(&d, 0, MSI_HOST), IOMM_EINVAL);
	assert_int_equal(iomm_riscv_msi_unmap(&d, 0), IOMM_EINVAL);
	bool off = false;
	for (unsigned i = 0; i < RISCV_MODEL_DC_MAX; i++)
		if (f->model->dcc[i].valid && f->model->dcc[i].did == 4)
			off = (f->model->dcc[i].dc[4] >> 60) == 0;
	assert_true(off);
}

static void test_msi_refusals(void **state)
{
	(void)state;
	/* a unit without MSI_FLAT */
	struct fx *f = fresh();
	fx_start(f);
	struct iomm_pool *p = fx_pool(f, P4K, 16);
	struct iomm_domain d = {0};
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_S2, 50, p, NULL), IOMM_OK);
	struct iomm_riscv_msi m = {0x7, MSI_GPA >> 12, fx_mem(f, P4K, P4K), 0, P4K};
	m.table_pa = (uint64_t)(uintptr_t)m.table;
	assert_int_equal(iomm_riscv_msi_enable(&d, &m), IOMM_ENOTSUP);
	assert_null(d.priv);
	done(f);

	f = fresh();
	f->mcfg.caps |= RISCV_M_CAP_MSI_FLAT;
	f->mcfg.caps &= ~RISCV_M_CAP_SV57X4; /* MGPAW 50 */
	fx_start(f);
	p = fx_pool(f, P4K, 32);
	struct iomm_domain s1 = {0}, g = {0};
	struct iomm_dev dev = {0};
	assert_int_equal(fx_domain(f, &s1, IOMM_DOMAIN_S1, 38, p, NULL), IOMM_OK);
	memset(&g, 0, sizeof(g));
	assert_int_equal(fx_domain(f, &g, IOMM_DOMAIN_S2, 50, p, NULL), IOMM_OK);
	uint8_t *t = fx_mem(f, 2 * P4K, 2 * P4K);
	memset(t, 0x5a, 2 * P4K);
	struct iomm_riscv_msi ok = {0x7, MSI_GPA >> 12, t, (uint64_t)(uintptr_t)t, P4K};
	struct iomm_riscv_msi bad;
	assert_int_equal(iomm_riscv_msi_enable(NULL, &ok), IOMM_EINVAL);
	assert_int_equal(iomm_riscv_msi_enable(&g, NULL), IOMM_EINVAL);
	assert_int_equal(iomm_riscv_msi_enable(&s1, &ok), IOMM_EINVAL);
	bad = ok;
	bad.addr_mask = 1ull << 38; /* MGPAW 50 (Sv48x4): bits 37:0 only */
	assert_int_equal(iomm_riscv_msi_enable(&g, &bad), IOMM_ERANGE);
	bad = ok;
	bad.addr_pattern = 1ull << 40;
	assert_int_equal(iomm_riscv_msi_enable(&g, &bad), IOMM_ERANGE);
	bad = ok;
	bad.addr_mask = 0x1fff; /* 13 bits: 8192 files */
	assert_int_equal(iomm_riscv_msi_enable(&g, &bad), IOMM_ERANGE);
	bad = ok;
	bad.table = NULL;
	assert_int_equal(iomm_riscv_msi_enable(&g, &bad), IOMM_EINVAL);
	bad = ok;
	bad.addr_mask = 0x1ff; /* 512 files: 8 KiB */
	assert_int_equal(iomm_riscv_msi_enable(&g, &bad), IOMM_EINVAL);
	bad.table_bytes = 2 * P4K;
	bad.table_pa += P4K; /* 4 KiB aligned, not 8 KiB */
	assert_int_equal(iomm_riscv_msi_enable(&g, &bad), IOMM_EINVAL);
	bad = ok;
	bad.table_pa = 1ull << 56; /* beyond PAS 56 */
	assert_int_equal(iomm_riscv_msi_enable(&g, &bad), IOMM_EINVAL);
	/* nothing changed: no table, memory untouched */
	assert_null(g.priv);
	assert_int_equal(t[0], 0x5a);
	assert_int_equal(t[P4K - 1], 0x5a);
	/* a domain in use cannot get one */
	fx_attach(f, &dev, &g, 3, 0);
	assert_int_equal(iomm_riscv_msi_enable(&g, &ok), IOMM_EBUSY);
	assert_int_equal(t[0], 0x5a);
	assert_int_equal(iomm_detach(&dev), IOMM_OK);
	/* 512 files in an 8 KiB table */
	bad = ok;
	bad.addr_mask = 0x1ff;
	bad.table_bytes = 2 * P4K;
	assert_int_equal(iomm_riscv_msi_enable(&g, &bad), IOMM_OK);
	assert_int_equal(t[2 * P4K - 1], 0);
	assert_int_equal(iomm_riscv_msi_enable(&g, &ok), IOMM_EBUSY);
	/* map / unmap arguments */
	assert_int_equal(iomm_riscv_msi_map(&g, 512, MSI_HOST), IOMM_ERANGE);
	assert_int_equal(iomm_riscv_msi_unmap(&g, 512), IOMM_ERANGE);
	assert_int_equal(iomm_riscv_msi_map(&g, 1, MSI_HOST + 8), IOMM_EINVAL);
	assert_int_equal(iomm_riscv_msi_map(&g, 1, 1ull << 56), IOMM_EINVAL);
	assert_int_equal(iomm_riscv_msi_map(NULL, 1, MSI_HOST), IOMM_EINVAL);
	assert_int_equal(iomm_riscv_msi_map(&s1, 1, MSI_HOST), IOMM_EINVAL);
	for (size_t i = 0; i < 2 * P4K; i++)
		assert_int_equal(t[i], 0);
	assert_int_equal(iomm_riscv_msi_map(&g, 511, MSI_HOST), IOMM_OK);
	const uint64_t *e = (const uint64_t *)(void *)t + 2 * 511;
	assert_int_equal(e[0], 1u | 3u << 1 | (MSI_HOST >> 12) << 10);
	assert_int_equal(e[1], 0);
	/* the MSI file numbers land under the mask: file 511 is the window's last page */
	fx_attach(f, &dev, &g, 3, 0);
	assert_int_equal(fx_xlate(f, 3, ((MSI_GPA >> 12 & ~0x1ffull) | 0x1ff) << 12, WR),
			 MSI_HOST);
	/* the unit stops answering: the map reports it */
	f->drop_cqt = true;
	assert_int_equal(iomm_riscv_msi_map(&g, 2, MSI_HOST), IOMM_ETIMEDOUT);
	f->drop_cqt = false;
	done(f);
}

/* The host role's doorbell needs a write-only page, which RISC-V tables cannot
 * express: assign says so (ENOTSUP) and leaves nothing behind; without a doorbell
 * the same VM assigns the device. */
static void test_vm_doorbell_refused(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	static struct iomm_vm_region a[1];
	static struct iomm_vm_endpoint eps[2];
	static struct iomm_vm vm;
	a[0].gpa = 0x40000000;
	a[0].hpa = 0x90000000;
	a[0].size = 16 * P4K;
	a[0].prot = RW;
	for (int with_db = 1; with_db >= 0; with_db--) {
		struct iomm_vm_cfg c;
		memset(&c, 0, sizeof(c));
		memset(&vm, 0, sizeof(vm));
		memset(eps, 0, sizeof(eps));
		c.regions = a;
		c.nregions = 1;
		c.pool = fx_pool(f, P4K, 16);
		c.endpoints = eps;
		c.nendpoints = 2;
		c.policy = IOMM_VM_CONFINE; /* assigned devices reach A at once */
		if (with_db) {
			c.doorbell.pa = 0x28000000;
			c.doorbell.iova = 0x8000000;
		}
		assert_int_equal(iomm_vm_init(&vm, &c), IOMM_OK);
		struct iomm_devid id = IOMM_SID(7);
		int rc = iomm_vm_assign(&vm, &f->rv.unit, &id, 1);
		if (with_db) {
			assert_int_equal(rc, IOMM_ENOTSUP);
			assert_int_equal(iomm_pool_used(c.pool), 0); /* A's domain is gone */
			assert_int_equal(fx_dma(f, 7, 0x40000000, RD, NULL), CAUSE_INVALID);
		} else {
			assert_int_equal(rc, IOMM_OK);
			assert_int_equal(fx_xlate(f, 7, 0x40001008, WR), 0x90001008);
			assert_int_equal(iomm_vm_unassign(&vm, 1), IOMM_OK);
		}
		assert_int_equal(iomm_vm_destroy(&vm), IOMM_OK);
	}
}

/* ==== runner ================================================================= */

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(int argc, char **argv)
{
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	const struct CMUnitTest tests[] = {
	    T(test_init_fail_closed),
	    T(test_init_depths),
	    T(test_init_refuses_args),
	    T(test_init_refuses_beyond_pas),
	    T(test_init_refuses_caps),
	    T(test_init_interrupts),
	    T(test_init_unit_failures),
	    T(test_init_over_live_unit),
	    T(test_translate_matrix),
	    T(test_nested_matrix),
	    T(test_bypass_blocked_detach),
	    T(test_domain_missing_mode),
	    T(test_context_id_exhaustion),
	    T(test_reattach_drops_cached_context),
	    T(test_stream_set_mask),
	    T(test_attach_refusals),
	    T(test_attach_pool_exhaustion),
	    T(test_unmap_invalidates),
	    T(test_inval_threshold_and_tables),
	    T(test_inval_removed_table),
	    T(test_inval_nested),
	    T(test_cmd_illegal),
	    T(test_cmd_queue_memory_fault),
	    T(test_fence_timeout),
	    T(test_small_queue_big_batch),
	    T(test_cmd_error_mid_batch),
	    T(test_small_queue_errors),
	    T(test_fault_poll),
	    T(test_fault_overflow_and_memory_fault),
	    T(test_decode_fault),
	    T(test_order_cqt_after_barrier),
	    T(test_order_noncoherent_cleans),
	    T(test_disable),
	    T(test_disable_timeouts),
	    T(test_msi_translate),
	    T(test_msi_off_by_default),
	    T(test_msi_refusals),
	    T(test_vm_doorbell_refused),
	};
	return cmocka_run_group_tests_name("riscv", tests, NULL, NULL);
}
