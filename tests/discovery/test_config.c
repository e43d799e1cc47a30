/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Static configuration (config.h): boards validated and applied on the
 * SMMUv3 register model (DMA through the model proves the policy) and on
 * the paravirtual backend's loopback with the fake virtio-iommu. Every
 * validation error is checked for its status, the entry it names and that
 * nothing reached the hardware.
 */
#include "smmuv3_fx.h"

#include <string.h>

#include <iommuman/config.h>
#include <iommuman/discovery.h>
#include <iommuman/paravirt.h>

#include "acpi_build.h"
#include "fake_viommu.h"

#define KIB 1024ull
#define IOVA_A 0x100000ull
#define RESV_BASE 0x80000000ull

/* ---- SMMUv3 ----------------------------------------------------------------- */

struct board_fx {
	struct iomm_cfg_region r_dev1[2];
	struct iomm_cfg_region r_dev2[1];
	struct iomm_cfg_unit units[1];
	struct iomm_cfg_device devs[5];
	struct iomm_cfg_resv resv[1];
	struct iomm_board board;
	struct iomm_unit *bound[1];
	struct iomm_domain doms[8];
	struct iomm_dev devobj[8];
	struct iomm_config_storage st;
	uint8_t *buf; /* what dev 1 and 2 may reach */
	uint64_t buf_pa;
};

/* The board of the SMMUv3 tests:
 *   SID 1 confined: IOVA_A -> buf (RW, 8 KiB), IOVA_A + 1 MiB -> buf (R)
 *   SID 2 confined: IOVA_A -> buf + 4 KiB (read only)
 *   SID 3 bypass
 *   SID 4 blocked
 *   SID 5 blocked, but firmware needs RESV_BASE..+8 KiB identity mapped */
static void board_init(struct fx *f, struct board_fx *b)
{
	memset(b, 0, sizeof(*b));
	b->buf = fx_mem(f, 16 * KIB, 4096);
	b->buf_pa = fx_pa(f, b->buf);
	b->r_dev1[0] = (struct iomm_cfg_region){IOVA_A, b->buf_pa, 8 * KIB, IOMM_READ | IOMM_WRITE};
	b->r_dev1[1] = (struct iomm_cfg_region){IOVA_A + 0x100000, b->buf_pa, 4 * KIB, IOMM_READ};
	b->r_dev2[0] = (struct iomm_cfg_region){IOVA_A, b->buf_pa + 4 * KIB, 4 * KIB, IOMM_READ};
	b->units[0] = (struct iomm_cfg_unit){.type = IOMM_UNIT_SMMUV3, .base = FX_REGS,
					     .size = SMMUV3_M_MMIO_SIZE,
					     .flags = IOMM_CFG_UNIT_COHERENT, .name = "smmu0"};
	b->devs[0] = (struct iomm_cfg_device){.name = "dma1", .unit = 0, .id = IOMM_SID(1),
					      .policy = IOMM_POLICY_CONFINED,
					      .regions = b->r_dev1, .nregions = 2};
	b->devs[1] = (struct iomm_cfg_device){.name = "dma2", .unit = 0, .id = IOMM_SID(2),
					      .policy = IOMM_POLICY_CONFINED,
					      .regions = b->r_dev2, .nregions = 1};
	b->devs[2] = (struct iomm_cfg_device){.name = "trusted", .unit = 0, .id = IOMM_SID(3),
					      .policy = IOMM_POLICY_BYPASS};
	b->devs[3] = (struct iomm_cfg_device){.name = "untrusted", .unit = 0, .id = IOMM_SID(4)};
	b->devs[4] = (struct iomm_cfg_device){.name = "fwdev", .unit = 0, .id = IOMM_SID(5),
					      .mmio_base = 0x9000000, .mmio_size = 0x1000};
	b->resv[0] = (struct iomm_cfg_resv){.unit = 0, .id = IOMM_SID(5), .base = RESV_BASE,
					    .size = 8 * KIB};
	b->board = (struct iomm_board){b->units, 1, b->devs, 5, b->resv, 1};
	b->bound[0] = &f->smmu.unit;
	b->st = (struct iomm_config_storage){
	    .units = b->bound, .nunits = 1, .domains = b->doms, .ndomains = 8,
	    .devs = b->devobj, .ndevs = 8, .pool = fx_pool(f, 4096, 32)};
}

static bool aborts(struct fx *f, uint32_t sid, uint64_t iova, unsigned acc)
{
	uint64_t pa;
	return fx_dma(f, sid, iova, acc, &pa) != 0;
}

/* Every stream aborts (nothing attached, nothing bypasses). */
static void all_blocked(struct fx *f)
{
	for (uint32_t sid = 0; sid < 8; sid++) {
		assert_true(aborts(f, sid, IOVA_A, RD));
		assert_true(aborts(f, sid, RESV_BASE, RD));
	}
}

static void test_needs_counts(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct board_fx *b = test_malloc(sizeof(*b));
	board_init(f, b);
	struct iomm_config_needs n;
	assert_int_equal(iomm_config_needs(&b->board, &n), IOMM_OK);
	assert_int_equal(n.domains, 4); /* one bypass, two confined, one for the RMRR-like device */
	assert_int_equal(n.devices, 5);
	assert_int_equal(n.tables, 3);
	assert_int_equal(iomm_config_needs(NULL, &n), IOMM_EINVAL);
	assert_int_equal(iomm_config_needs(&b->board, NULL), IOMM_EINVAL);
	b->board.devices = NULL;
	assert_int_equal(iomm_config_needs(&b->board, &n), IOMM_EINVAL);
	test_free(b);
}

static void test_apply_smmuv3_dma(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct board_fx *b = test_malloc(sizeof(*b));
	board_init(f, b);
	struct iomm_config_error err = {0};
	assert_int_equal(iomm_config_apply(&b->board, &b->st, &err), IOMM_OK);

	/* SID 1: its two windows, with their permissions, and nothing else */
	assert_int_equal(fx_xlate(f, 1, IOVA_A + 0x10, WR), b->buf_pa + 0x10);
	assert_int_equal(fx_xlate(f, 1, IOVA_A + 0x1ff8, RD), b->buf_pa + 0x1ff8);
	assert_int_equal(fx_xlate(f, 1, IOVA_A + 0x100000, RD), b->buf_pa);
	assert_true(aborts(f, 1, IOVA_A + 0x100000, WR));
	assert_true(aborts(f, 1, IOVA_A + 0x2000, RD));
	assert_true(aborts(f, 1, RESV_BASE, RD));
	/* SID 2: read-only window on the second page */
	assert_int_equal(fx_xlate(f, 2, IOVA_A + 8, RD), b->buf_pa + 4 * KIB + 8);
	assert_true(aborts(f, 2, IOVA_A + 8, WR));
	/* SID 3 bypasses, SID 4 aborts, SID 5 only reaches its reserved region */
	assert_int_equal(fx_xlate(f, 3, 0x12345678, WR), 0x12345678);
	assert_true(aborts(f, 4, IOVA_A, RD));
	assert_true(aborts(f, 4, 0x12345678, RD));
	assert_int_equal(fx_xlate(f, 5, RESV_BASE + 0x1004, WR), RESV_BASE + 0x1004);
	assert_true(aborts(f, 5, RESV_BASE + 0x2000, RD));
	assert_true(aborts(f, 5, IOVA_A, RD));
	/* a stream the board does not name aborts */
	assert_true(aborts(f, 6, 0x12345678, RD));

	assert_ptr_equal(iomm_config_domain(&b->board, &b->st, 0), &b->doms[1]);
	assert_ptr_equal(iomm_config_domain(&b->board, &b->st, 2), &b->doms[0]);
	assert_ptr_equal(iomm_config_domain(&b->board, &b->st, 4), &b->doms[3]);
	assert_null(iomm_config_domain(&b->board, &b->st, 3));
	assert_null(iomm_config_domain(&b->board, &b->st, 5));
	assert_null(iomm_config_domain(NULL, &b->st, 0));
	uint64_t pa;
	assert_int_equal(iomm_iova_to_phys(&b->doms[3], RESV_BASE, &pa), IOMM_OK);
	assert_int_equal(pa, RESV_BASE);

	/* removal blocks everything again and returns every table page */
	assert_int_equal(iomm_config_remove(&b->board, &b->st), IOMM_OK);
	all_blocked(f);
	assert_true(aborts(f, 3, 0x12345678, RD));
	assert_int_equal(iomm_pool_used(b->st.pool), 0);
	assert_int_equal(iomm_config_remove(NULL, &b->st), IOMM_EINVAL);
	fx_check_hygiene(f);
	test_free(b);
}

static void test_apply_unwinds_on_failure(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct board_fx *b = test_malloc(sizeof(*b));
	board_init(f, b);
	/* room for the first confined domain's tables (5 pages: root, L1, L2 and
	 * two leaf tables) only: the second one fails */
	b->st.pool = fx_pool(f, 4096, 7);
	struct iomm_config_error err = {0};
	int rc = iomm_config_apply(&b->board, &b->st, &err);
	assert_int_equal(rc, IOMM_ENOMEM);
	assert_int_equal(err.status, IOMM_ENOMEM);
	assert_true(err.kind == IOMM_CFG_DEVICE || err.kind == IOMM_CFG_REGION);
	assert_int_equal(err.index, 1);
	assert_non_null(err.msg);
	/* what was done before the failure is undone: SID 1 and bypass SID 3 abort */
	all_blocked(f);
	assert_true(aborts(f, 3, 0x12345678, RD));
	assert_int_equal(iomm_pool_used(b->st.pool), 0);
	/* with a larger pool the same board applies */
	b->st.pool = fx_pool(f, 4096, 32);
	assert_int_equal(iomm_config_apply(&b->board, &b->st, &err), IOMM_OK);
	assert_int_equal(fx_xlate(f, 2, IOVA_A, RD), b->buf_pa + 4 * KIB);
	test_free(b);
}

/* One rejected board: status, entry, message, and no command reached the SMMU. */
static void expect_reject(struct fx *f, struct board_fx *b, int status, enum iomm_config_kind kind,
			  uint32_t index, const char *msg_part)
{
	struct iomm_config_error err = {0};
	fx_snap(f);
	assert_int_equal(iomm_config_apply(&b->board, &b->st, &err), status);
	assert_int_equal(err.status, status);
	assert_int_equal(err.kind, kind);
	assert_int_equal(err.index, index);
	assert_non_null(err.msg);
	if (!strstr(err.msg, msg_part))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, msg_part);
	assert_int_equal(fx_consumed(f), 0);
	all_blocked(f);
	assert_true(aborts(f, 3, 0x12345678, RD));
	assert_int_equal(iomm_pool_used(b->st.pool), 0);
	board_init(f, b); /* fresh copy for the next case */
}

static void test_reject_units(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct board_fx *b = test_malloc(sizeof(*b));
	board_init(f, b);
	b->units[0].type = (enum iomm_cfg_unit_type)9;
	expect_reject(f, b, IOMM_EINVAL, IOMM_CFG_UNIT, 0, "unknown unit type");
	b->units[0].base = 0;
	expect_reject(f, b, IOMM_EINVAL, IOMM_CFG_UNIT, 0, "register base");
	b->units[0].size = UINT64_MAX;
	expect_reject(f, b, IOMM_EINVAL, IOMM_CFG_UNIT, 0, "wraps");
	b->units[0].nirqs = 5;
	expect_reject(f, b, IOMM_EINVAL, IOMM_CFG_UNIT, 0, "interrupts");
	/* a second unit whose registers overlap the first */
	struct iomm_cfg_unit two[2] = {b->units[0], b->units[0]};
	two[1].base = FX_REGS + 0x1000;
	struct iomm_unit *bound2[2] = {&f->smmu.unit, &f->smmu.unit};
	b->board.units = two;
	b->board.nunits = 2;
	b->st.units = bound2;
	b->st.nunits = 2;
	expect_reject(f, b, IOMM_EBUSY, IOMM_CFG_UNIT, 1, "overlaps another unit");
	/* binding: count mismatch, NULL unit */
	b->st.nunits = 0;
	expect_reject(f, b, IOMM_EINVAL, IOMM_CFG_STORAGE, 0, "bound units");
	b->bound[0] = NULL;
	expect_reject(f, b, IOMM_EINVAL, IOMM_CFG_UNIT, 0, "not bound");
	b->board.nunits = 3;
	b->board.units = NULL;
	expect_reject(f, b, IOMM_EINVAL, IOMM_CFG_BOARD, 0, "counts without arrays");
	test_free(b);
}

/* Coherence has one rule (port.h): the port says whether walks are coherent.
 * A board whose unit firmware calls non-coherent (no IOMM_CFG_UNIT_COHERENT)
 * bound to a unit whose port says coherent is refused: non-coherent wins. */
static void test_reject_coherent_port_on_noncoherent_unit(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	assert_true(f->smmu.unit.caps & IOMM_CAP_COHERENT);
	struct board_fx *b = test_malloc(sizeof(*b));
	board_init(f, b);
	b->units[0].flags = 0;
	expect_reject(f, b, IOMM_EINVAL, IOMM_CFG_UNIT, 0, "IOMM_CFG_UNIT_COHERENT");
	/* the flag set (board_init): accepted */
	struct iomm_config_error err = {0};
	assert_int_equal(iomm_config_validate(&b->board, &b->st, &err), IOMM_OK);
	test_free(b);
}

/* The same non-coherent unit on a port without IOMM_PORT_DMA_COHERENT (every
 * table write cleaned) is applied, and its devices reach their windows. */
static void test_noncoherent_unit_on_cleaning_port(void **state)
{
	struct fx *f = *state;
	f->port_flags = 0;
	fx_start(f);
	assert_false(f->smmu.unit.caps & IOMM_CAP_COHERENT);
	struct board_fx *b = test_malloc(sizeof(*b));
	board_init(f, b);
	b->units[0].flags = 0;
	struct iomm_config_error err = {0};
	assert_int_equal(iomm_config_apply(&b->board, &b->st, &err), IOMM_OK);
	assert_int_equal(fx_xlate(f, 1, IOVA_A + 0x10, WR), b->buf_pa + 0x10);
	assert_true(aborts(f, 4, IOVA_A, RD));
	assert_int_equal(iomm_config_remove(&b->board, &b->st), IOMM_OK);
	all_blocked(f);
	test_free(b);
}

static void test_reject_devices(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct board_fx *b = test_malloc(sizeof(*b));
	board_init(f, b);
	b->devs[2].unit = 1;
	expect_reject(f, b, IOMM_EINVAL, IOMM_CFG_DEVICE, 2, "unknown unit");
	b->devs[3].id = IOMM_PCI(0, 32, 0);
	expect_reject(f, b, IOMM_EINVAL, IOMM_CFG_DEVICE, 3, "malformed identity");
	b->devs[3].policy = (enum iomm_cfg_policy)7;
	expect_reject(f, b, IOMM_EINVAL, IOMM_CFG_DEVICE, 3, "unknown policy");
	b->devs[0].nregions = 0;
	expect_reject(f, b, IOMM_EINVAL, IOMM_CFG_DEVICE, 0, "without regions");
	b->devs[3].regions = b->r_dev2;
	b->devs[3].nregions = 1;
	expect_reject(f, b, IOMM_EINVAL, IOMM_CFG_DEVICE, 3, "not confined");
	b->devs[2].regions = b->r_dev2; /* bypass with regions */
	b->devs[2].nregions = 1;
	expect_reject(f, b, IOMM_EINVAL, IOMM_CFG_DEVICE, 2, "not confined");
	/* duplicate and overlapping identities on one unit */
	b->devs[3].id = IOMM_SID(2);
	expect_reject(f, b, IOMM_EBUSY, IOMM_CFG_DEVICE, 3, "overlaps another device");
	b->devs[4].id = (struct iomm_devid){.kind = IOMM_DEVID_SID, .sid = 0, .mask = 7};
	expect_reject(f, b, IOMM_EBUSY, IOMM_CFG_DEVICE, 4, "overlaps another device");
	/* MMIO windows */
	b->devs[3].mmio_base = 0x9000800;
	b->devs[3].mmio_size = 0x1000;
	expect_reject(f, b, IOMM_EBUSY, IOMM_CFG_DEVICE, 4, "MMIO window overlaps");
	b->devs[4].mmio_base = UINT64_MAX - 10;
	expect_reject(f, b, IOMM_EINVAL, IOMM_CFG_DEVICE, 4, "MMIO window wraps");
	/* wider than the unit's 8 stream ID bits */
	b->devs[3].id = IOMM_SID(0x100);
	expect_reject(f, b, IOMM_ERANGE, IOMM_CFG_DEVICE, 3, "wider than the unit");
	b->devs[3].id = IOMM_PCI(1, 0, 0);
	expect_reject(f, b, IOMM_ERANGE, IOMM_CFG_DEVICE, 3, "wider than the unit");
	/* a PCI wildcard that covers a raw stream ID of another device */
	b->devs[3].id = IOMM_PCI(0, 0, IOMM_ANY);
	expect_reject(f, b, IOMM_EBUSY, IOMM_CFG_DEVICE, 3, "overlaps another device");
	test_free(b);
}

static void test_reject_regions(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct board_fx *b = test_malloc(sizeof(*b));
	board_init(f, b);
	b->r_dev1[1].size = 0;
	expect_reject(f, b, IOMM_EINVAL, IOMM_CFG_REGION, 0, "empty, unaligned or wrapping");
	b->r_dev1[0].iova += 0x10;
	expect_reject(f, b, IOMM_EINVAL, IOMM_CFG_REGION, 0, "unaligned");
	b->r_dev2[0].pa += 0x800;
	expect_reject(f, b, IOMM_EINVAL, IOMM_CFG_REGION, 1, "unaligned");
	b->r_dev2[0].iova = UINT64_MAX - 0xfff;
	b->r_dev2[0].size = 0x2000;
	expect_reject(f, b, IOMM_EINVAL, IOMM_CFG_REGION, 1, "wrapping");
	b->r_dev1[1].prot = IOMM_EXEC;
	expect_reject(f, b, IOMM_EINVAL, IOMM_CFG_REGION, 0, "permissions");
	b->r_dev1[1].prot = IOMM_READ | 0x100;
	expect_reject(f, b, IOMM_EINVAL, IOMM_CFG_REGION, 0, "unknown bits");
	b->r_dev1[1].iova = IOVA_A + 0x1000;
	struct iomm_config_error err;
	expect_reject(f, b, IOMM_EBUSY, IOMM_CFG_REGION, 0, "overlaps another region");
	b->r_dev1[1].iova = IOVA_A + 0x1000;
	assert_int_equal(iomm_config_validate(&b->board, NULL, &err), IOMM_EBUSY);
	assert_int_equal(err.sub, 1);
	test_free(b);
}

static void test_reject_resv(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct board_fx *b = test_malloc(sizeof(*b));
	board_init(f, b);
	b->resv[0].unit = 4;
	expect_reject(f, b, IOMM_EINVAL, IOMM_CFG_RESV, 0, "unknown unit");
	b->resv[0].id.kind = (enum iomm_devid_kind)0;
	expect_reject(f, b, IOMM_EINVAL, IOMM_CFG_RESV, 0, "malformed identity");
	b->resv[0].base += 0x200;
	expect_reject(f, b, IOMM_EINVAL, IOMM_CFG_RESV, 0, "unaligned");
	b->resv[0].prot = IOMM_PRIV;
	expect_reject(f, b, IOMM_EINVAL, IOMM_CFG_RESV, 0, "permissions");
	b->resv[0].id = IOMM_SID(7);
	expect_reject(f, b, IOMM_EINVAL, IOMM_CFG_RESV, 0, "matches no device");
	/* for SID 1 it would collide with one of its own regions */
	b->resv[0].id = IOMM_SID(1);
	b->resv[0].base = IOVA_A;
	expect_reject(f, b, IOMM_EBUSY, IOMM_CFG_RESV, 0, "overlaps a region");
	/* two reserved regions of one device that overlap */
	struct iomm_cfg_resv two[2] = {b->resv[0], b->resv[0]};
	two[1].base = RESV_BASE + 0x1000;
	b->board.resv = two;
	b->board.nresv = 2;
	expect_reject(f, b, IOMM_EBUSY, IOMM_CFG_RESV, 1, "another reserved region");
	test_free(b);
}

static void test_reject_storage(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct board_fx *b = test_malloc(sizeof(*b));
	board_init(f, b);
	b->st.ndomains = 3;
	expect_reject(f, b, IOMM_ENOSPC, IOMM_CFG_STORAGE, 0, "too few domain");
	b->st.ndevs = 4;
	expect_reject(f, b, IOMM_ENOSPC, IOMM_CFG_STORAGE, 0, "too few device");
	b->st.pool = NULL;
	expect_reject(f, b, IOMM_EINVAL, IOMM_CFG_STORAGE, 0, "no table pool");
	struct iomm_config_error err = {0};
	assert_int_equal(iomm_config_apply(&b->board, NULL, &err), IOMM_EINVAL);
	assert_int_equal(err.kind, IOMM_CFG_STORAGE);
	assert_int_equal(iomm_config_validate(NULL, NULL, NULL), IOMM_EINVAL);
	/* the board alone is fine without storage */
	assert_int_equal(iomm_config_validate(&b->board, NULL, NULL), IOMM_OK);
	test_free(b);
}

/* An IORT (hand-built) with the model's SMMU, one root complex: discovered,
 * overridden by configuration, applied, and proven with DMA. */
static void test_discovered_iort_applies(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct tb *t = test_malloc(sizeof(*t));
	iort_begin(t, 2);
	uint32_t smmu = iort_smmuv3(t, FX_REGS, 1, 100);
	uint32_t rc = iort_rc(t, 0, 1);
	iort_map(t, 0, 0xff, 0, smmu, 0); /* RIDs 0-255 -> SIDs 0-255 */
	iort_end_node(t, rc);
	tb_finish(t);

	struct iomm_cfg_unit units[2];
	struct iomm_cfg_device devs[4];
	struct iomm_cfg_resv resv[1];
	struct iomm_discovery d;
	assert_int_equal(iomm_discovery_init(&d, units, 2, devs, 4, resv, 1), IOMM_OK);
	assert_int_equal(iomm_acpi_parse_iort(&d, t->b, t->len), IOMM_OK);
	assert_int_equal(d.nunits, 1);
	assert_int_equal(d.ndevices, 1);
	assert_int_equal(units[0].base, FX_REGS);
	assert_int_equal(units[0].flags & IOMM_CFG_UNIT_COHERENT, IOMM_CFG_UNIT_COHERENT);

	uint8_t *buf = fx_mem(f, 4096, 4096);
	struct iomm_cfg_region win = {IOVA_A, fx_pa(f, buf), 4096, IOMM_READ | IOMM_WRITE};
	/* configuration overrides firmware: the whole bus is blocked, 00:01.0 confined */
	struct iomm_cfg_device edu = {.name = "edu", .unit = 0, .id = IOMM_PCI(0, 1, 0)};
	assert_int_equal(iomm_discovery_set_policy(&d, FX_REGS, &edu.id, IOMM_POLICY_CONFINED,
						   &win, 1),
			 IOMM_ENOENT); /* firmware named the whole range, not this function */
	/* the discovered range 0-255 would overlap: narrow it by configuration instead */
	devs[0].id = (struct iomm_devid){.kind = IOMM_DEVID_SID, .sid = 0x80, .mask = 0x7f};
	edu.policy = IOMM_POLICY_CONFINED;
	edu.regions = &win;
	edu.nregions = 1;
	assert_int_equal(iomm_discovery_add_device(&d, &edu), IOMM_OK);
	struct iomm_board board;
	assert_int_equal(iomm_discovery_board(&d, &board), IOMM_OK);

	struct iomm_unit *bound[1] = {&f->smmu.unit};
	struct iomm_domain doms[2] = {0};
	struct iomm_dev devo[4];
	struct iomm_config_storage st = {bound, 1, doms, 2, devo, 4, fx_pool(f, 4096, 16)};
	struct iomm_config_error err = {0};
	assert_int_equal(iomm_config_apply(&board, &st, &err), IOMM_OK);
	assert_int_equal(fx_xlate(f, 0x08, IOVA_A + 4, WR), fx_pa(f, buf) + 4);
	assert_true(aborts(f, 0x08, IOVA_A + 0x1000, RD));
	assert_true(aborts(f, 0x80, IOVA_A, RD));
	assert_true(aborts(f, 0x10, IOVA_A, RD));
	assert_int_equal(iomm_config_remove(&board, &st), IOMM_OK);
	assert_true(aborts(f, 0x08, IOVA_A, RD));

	/* an override whose identity covers the discovered range changes it */
	struct iomm_devid upper = {.kind = IOMM_DEVID_SID, .sid = 0x80, .mask = 0x7f};
	assert_int_equal(
	    iomm_discovery_set_policy(&d, FX_REGS, &upper, IOMM_POLICY_BYPASS, NULL, 0), 1);
	assert_int_equal(devs[0].policy, IOMM_POLICY_BYPASS);
	assert_int_equal(iomm_config_apply(&board, &st, &err), IOMM_OK);
	assert_int_equal(fx_xlate(f, 0x85, 0x4321000, RD), 0x4321000);
	assert_int_equal(iomm_discovery_set_policy(&d, FX_REGS + 0x1000, &upper,
						   IOMM_POLICY_BYPASS, NULL, 0),
			 IOMM_ENOENT);
	assert_int_equal(iomm_discovery_set_policy(NULL, FX_REGS, &upper, IOMM_POLICY_BYPASS, NULL,
						   0),
			 IOMM_EINVAL);
	test_free(t);
}

/* ---- paravirt (loopback + fake virtio-iommu) ------------------------------------ */

static uint64_t pv_clock(void *ctx)
{
	static uint64_t t;
	(void)ctx;
	return t += 1000;
}

static const struct iomm_port pv_port = {.now_ns = pv_clock, .log_level = IOMM_LOG_ERROR};

struct pv_fx {
	struct fake_viommu f;
	struct iomm_viommu_loopback lb;
	struct iomm_paravirt pv;
	struct iomm_cfg_region win[40];
	struct iomm_cfg_unit units[1];
	struct iomm_cfg_device devs[3];
	struct iomm_board board;
	struct iomm_unit *bound[1];
	struct iomm_domain doms[4];
	struct iomm_dev devobj[3];
	struct iomm_config_storage st;
};

static struct pv_fx *pv_start(bool bypass_feature)
{
	struct pv_fx *x = test_calloc(1, sizeof(*x));
	fake_init(&x->f);
	if (!bypass_feature)
		x->f.features &= ~(1ull << IOMM_VIOMMU_F_BYPASS_CONFIG);
	struct iomm_viommu_loopback_dev d = fake_loopback_dev(&x->f);
	const struct iomm_viommu_transport *t = iomm_viommu_loopback_init(&x->lb, &d);
	assert_int_equal(iomm_paravirt_init(&x->pv, &pv_port, t, NULL), IOMM_OK);
	x->win[0] = (struct iomm_cfg_region){IOVA_A, 0x40000000, 8 * KIB, IOMM_READ | IOMM_WRITE};
	x->units[0] = (struct iomm_cfg_unit){.type = IOMM_UNIT_PARAVIRT, .fw_ref = 1, .name = "viommu"};
	x->devs[0] = (struct iomm_cfg_device){.name = "edu", .id = IOMM_SID(8),
					      .policy = IOMM_POLICY_CONFINED, .regions = x->win,
					      .nregions = 1};
	x->devs[1] = (struct iomm_cfg_device){.name = "trusted", .id = IOMM_SID(9),
					      .policy = IOMM_POLICY_BYPASS};
	x->devs[2] = (struct iomm_cfg_device){.name = "other", .id = IOMM_SID(10)};
	x->board = (struct iomm_board){x->units, 1, x->devs, 3, NULL, 0};
	x->bound[0] = &x->pv.unit;
	x->st = (struct iomm_config_storage){x->bound, 1, x->doms, 4, x->devobj, 3, NULL};
	return x;
}

static bool pv_passes(struct pv_fx *x, uint32_t ep, uint64_t iova, bool write, uint64_t *pa)
{
	uint64_t tmp;
	return fake_dma(&x->f, ep, iova, write, pa ? pa : &tmp);
}

static void test_paravirt_apply_dma(void **state)
{
	(void)state;
	struct pv_fx *x = pv_start(true);
	struct iomm_config_error err = {0};
	assert_int_equal(iomm_config_apply(&x->board, &x->st, &err), IOMM_OK);
	uint64_t pa = 0;
	assert_true(pv_passes(x, 8, IOVA_A + 0x1234, true, &pa));
	assert_int_equal(pa, 0x40001234);
	assert_false(pv_passes(x, 8, IOVA_A + 0x2000, false, NULL));
	assert_true(pv_passes(x, 9, 0x7654000, true, &pa));
	assert_int_equal(pa, 0x7654000);
	assert_false(pv_passes(x, 10, IOVA_A, false, NULL));
	assert_false(pv_passes(x, 11, IOVA_A, false, NULL));
	assert_int_equal(iomm_config_remove(&x->board, &x->st), IOMM_OK);
	assert_false(pv_passes(x, 8, IOVA_A, false, NULL));
	assert_false(pv_passes(x, 9, 0x7654000, false, NULL));
	test_free(x);
}

static void test_paravirt_unwinds_on_failure(void **state)
{
	(void)state;
	struct pv_fx *x = pv_start(true);
	/* more windows than the device keeps mappings: MAP fails midway */
	for (unsigned i = 0; i < 40; i++)
		x->win[i] = (struct iomm_cfg_region){IOVA_A + i * 0x10000ull, 0x40000000,
						     4 * KIB, IOMM_READ};
	x->devs[0].nregions = 40;
	struct iomm_config_error err = {0};
	int rc = iomm_config_apply(&x->board, &x->st, &err);
	assert_int_not_equal(rc, IOMM_OK);
	assert_int_equal(err.kind, IOMM_CFG_REGION);
	assert_int_equal(err.index, 0);
	assert_true(err.sub >= 1 && err.sub < 40);
	for (unsigned i = 0; i < FAKE_MAX_EPS; i++)
		assert_false(x->f.eps[i].used);
	assert_false(pv_passes(x, 8, IOVA_A, false, NULL));
	assert_false(pv_passes(x, 9, 0x7654000, false, NULL));
	test_free(x);
}

static void test_paravirt_bypass_needs_cap(void **state)
{
	(void)state;
	struct pv_fx *x = pv_start(false);
	assert_int_equal(x->pv.unit.caps & IOMM_CAP_BYPASS, 0);
	struct iomm_config_error err = {0};
	unsigned nreq = x->f.nreq;
	assert_int_equal(iomm_config_apply(&x->board, &x->st, &err), IOMM_ENOTSUP);
	assert_int_equal(err.kind, IOMM_CFG_DEVICE);
	assert_int_equal(err.index, 1);
	assert_non_null(strstr(err.msg, "bypass"));
	assert_int_equal(x->f.nreq, nreq); /* nothing was sent */
	/* without the bypass device the board applies, and needs no table pool */
	x->board.ndevices = 1;
	assert_int_equal(iomm_config_apply(&x->board, &x->st, &err), IOMM_OK);
	assert_true(pv_passes(x, 8, IOVA_A, false, NULL));
	test_free(x);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    T(test_needs_counts),
	    T(test_apply_smmuv3_dma),
	    T(test_apply_unwinds_on_failure),
	    T(test_reject_units),
	    T(test_reject_coherent_port_on_noncoherent_unit),
	    T(test_noncoherent_unit_on_cleaning_port),
	    T(test_reject_devices),
	    T(test_reject_regions),
	    T(test_reject_resv),
	    T(test_reject_storage),
	    T(test_discovered_iort_applies),
	    T(test_paravirt_apply_dma),
	    T(test_paravirt_unwinds_on_failure),
	    T(test_paravirt_bypass_needs_cap),
	};
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
