/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ACPI discovery: IORT and DMAR tables built byte by byte from the
 * specifications' layouts (acpi_build.h), their malformed variants, and the
 * RSDP search / XSDT walk over a fake physical memory image.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <iommuman/discovery.h>

#include "acpi_build.h"

struct out {
	struct iomm_cfg_unit units[8];
	struct iomm_cfg_device devs[32];
	struct iomm_cfg_resv resv[8];
	struct iomm_discovery d;
};

static struct out *out_new(void)
{
	struct out *o = test_calloc(1, sizeof(*o));
	assert_int_equal(iomm_discovery_init(&o->d, o->units, 8, o->devs, 32, o->resv, 8), IOMM_OK);
	return o;
}

static void sid_is(const struct iomm_cfg_device *dev, uint32_t unit, uint32_t sid, uint32_t mask)
{
	assert_int_equal(dev->unit, unit);
	assert_int_equal(dev->id.kind, IOMM_DEVID_SID);
	assert_int_equal(dev->id.sid, sid);
	assert_int_equal(dev->id.mask, mask);
	assert_int_equal(dev->policy, IOMM_POLICY_BLOCKED);
}

/* A parser failure: @status, a message naming @part, and nothing appended. */
static void rejects(struct out *o, int rc, int status, const char *part)
{
	assert_int_equal(rc, status);
	assert_int_equal(o->d.nunits, 0);
	assert_int_equal(o->d.ndevices, 0);
	assert_int_equal(o->d.nresv, 0);
	if (part) {
		assert_non_null(o->d.msg);
		if (!strstr(o->d.msg, part))
			fail_msg("message \"%s\" lacks \"%s\"", o->d.msg, part);
	}
}

/* ---- IORT ---------------------------------------------------------------------- */

/* ITS, SMMUv3, root complex: RIDs 0-0xff -> SIDs 0x100-0x1ff, RIDs 0x100-0x1ff -> ITS. */
static void iort_basic(struct tb *t, uint32_t *smmu_off, uint32_t *rc_off)
{
	iort_begin(t, 3);
	uint32_t its = iort_its(t);
	uint32_t smmu = iort_smmuv3(t, 0x2b400000, 1, 300);
	uint32_t rc = iort_rc(t, 0, 2);
	iort_map(t, 0, 0xff, 0x100, smmu, 0);
	iort_map(t, 0x100, 0xff, 0x100, its, 0);
	iort_end_node(t, rc);
	tb_finish(t);
	if (smmu_off)
		*smmu_off = smmu;
	if (rc_off)
		*rc_off = rc;
}

static void test_iort_smmuv3_root_complex(void **state)
{
	(void)state;
	struct tb *t = test_malloc(sizeof(*t));
	struct out *o = out_new();
	uint32_t smmu;
	iort_basic(t, &smmu, NULL);
	assert_int_equal(iomm_acpi_parse_iort(&o->d, t->b, t->len), IOMM_OK);
	assert_null(o->d.msg);
	assert_int_equal(o->d.nunits, 1);
	assert_int_equal(o->units[0].type, IOMM_UNIT_SMMUV3);
	assert_int_equal(o->units[0].base, 0x2b400000);
	assert_int_equal(o->units[0].flags, IOMM_CFG_UNIT_COHERENT);
	assert_int_equal(o->units[0].fw_ref, smmu);
	assert_int_equal(o->units[0].nirqs, 4);
	assert_int_equal(o->units[0].irqs[0], 300);
	assert_int_equal(o->units[0].irqs[3], 303);
	assert_int_equal(o->d.ndevices, 1); /* the ITS mapping is MSI only */
	sid_is(&o->devs[0], 0, 0x100, 0xff);
	/* a second parse appends (a second table of the same machine) */
	assert_int_equal(iomm_acpi_parse_iort(&o->d, t->b, t->len), IOMM_OK);
	assert_int_equal(o->d.nunits, 2);
	sid_is(&o->devs[1], 1, 0x100, 0xff);
	test_free(o);
	test_free(t);
}

static void test_iort_smmuv2_named_component(void **state)
{
	(void)state;
	struct tb *t = test_malloc(sizeof(*t));
	struct out *o = out_new();
	iort_begin(t, 2);
	uint32_t smmu = iort_smmuv2(t, 0x2b500000, 0x10000, 2);
	uint32_t nc = iort_named(t, "\\_SB_.DMA0", 1);
	iort_map(t, 0, 0, 0x21, smmu, 1); /* single mapping */
	iort_end_node(t, nc);
	tb_finish(t);
	assert_int_equal(iomm_acpi_parse_iort(&o->d, t->b, t->len), IOMM_OK);
	assert_int_equal(o->units[0].type, IOMM_UNIT_SMMUV2);
	assert_int_equal(o->units[0].size, 0x10000);
	assert_int_equal(o->units[0].flags, IOMM_CFG_UNIT_COHERENT);
	assert_int_equal(o->units[0].irqs[0], 65);
	assert_int_equal(o->units[0].irqs[1], 66);
	assert_int_equal(o->d.ndevices, 1);
	sid_is(&o->devs[0], 0, 0x21, 0);
	assert_string_equal(o->devs[0].name, "\\_SB_.DMA0");
	test_free(o);
	test_free(t);
}

static void test_iort_unaligned_range_splits(void **state)
{
	(void)state;
	struct tb *t = test_malloc(sizeof(*t));
	struct out *o = out_new();
	iort_begin(t, 2);
	uint32_t smmu = iort_smmuv3(t, 0x2b400000, 0, 0);
	uint32_t rc = iort_rc(t, 0, 1);
	iort_map(t, 0x10, 0x18, 0x8, smmu, 0); /* 25 IDs at 8: 8-15, 16-31, 32 */
	iort_end_node(t, rc);
	tb_finish(t);
	assert_int_equal(iomm_acpi_parse_iort(&o->d, t->b, t->len), IOMM_OK);
	assert_int_equal(o->units[0].flags, 0);
	assert_int_equal(o->d.ndevices, 3);
	sid_is(&o->devs[0], 0, 0x8, 0x7);
	sid_is(&o->devs[1], 0, 0x10, 0xf);
	sid_is(&o->devs[2], 0, 0x20, 0);
	/* too small a device array: ENOSPC, nothing kept */
	struct out *s = test_calloc(1, sizeof(*s));
	assert_int_equal(iomm_discovery_init(&s->d, s->units, 1, s->devs, 2, NULL, 0), IOMM_OK);
	rejects(s, iomm_acpi_parse_iort(&s->d, t->b, t->len), IOMM_ENOSPC, "device array full");
	assert_int_equal(iomm_discovery_init(&s->d, s->units, 0, s->devs, 2, NULL, 0), IOMM_OK);
	rejects(s, iomm_acpi_parse_iort(&s->d, t->b, t->len), IOMM_ENOSPC, "unit array full");
	test_free(s);
	test_free(o);
	test_free(t);
}

/* Root complex -> named component (an intermediate) -> SMMU, with offsets. */
static void test_iort_follows_intermediate_nodes(void **state)
{
	(void)state;
	struct tb *t = test_malloc(sizeof(*t));
	struct out *o = out_new();
	iort_begin(t, 3);
	uint32_t smmu = iort_smmuv3(t, 0x2b400000, 0, 0);
	uint32_t mid = iort_named(t, "MID", 2);
	iort_map(t, 0x1000, 0xf, 0x40, smmu, 0); /* 0x1000-0x100f -> 0x40-0x4f */
	iort_map(t, 0x2000, 0xf, 0x80, smmu, 0); /* not reached */
	iort_end_node(t, mid);
	uint32_t rc = iort_rc(t, 1, 1);
	iort_map(t, 0, 0x7, 0x1008, mid, 0); /* RIDs 0-7 -> 0x1008-0x100f */
	iort_end_node(t, rc);
	tb_finish(t);
	assert_int_equal(iomm_acpi_parse_iort(&o->d, t->b, t->len), IOMM_OK);
	/* the intermediate's own mappings are followed once for itself... */
	assert_int_equal(o->d.ndevices, 3);
	sid_is(&o->devs[0], 0, 0x40, 0xf);
	sid_is(&o->devs[1], 0, 0x80, 0xf);
	/* ...and the root complex's IDs arrive at 0x48-0x4f */
	sid_is(&o->devs[2], 0, 0x48, 0x7);
	test_free(o);
	test_free(t);
}

static void test_iort_cycle_is_refused(void **state)
{
	(void)state;
	struct tb *t = test_malloc(sizeof(*t));
	struct out *o = out_new();
	iort_begin(t, 3);
	(void)iort_smmuv3(t, 0x2b400000, 0, 0);
	uint32_t a = iort_named(t, "A", 1);
	uint32_t a_map = t->len;
	iort_map(t, 0, 0, 0, 0, 1);
	iort_end_node(t, a);
	uint32_t b = iort_named(t, "B", 1);
	iort_map(t, 0, 0, 0, a, 1);
	iort_end_node(t, b);
	tb_set(t, a_map + 12, b, 4); /* A -> B -> A -> ... */
	tb_finish(t);
	rejects(o, iomm_acpi_parse_iort(&o->d, t->b, t->len), IOMM_EINVAL, "cyclic");
	/* a reference that is not a node */
	tb_set(t, a_map + 12, b + 4, 4);
	tb_finish(t);
	rejects(o, iomm_acpi_parse_iort(&o->d, t->b, t->len), IOMM_EINVAL, "not a node");
	test_free(o);
	test_free(t);
}

static void test_iort_malformed(void **state)
{
	(void)state;
	struct tb *t = test_malloc(sizeof(*t));
	struct out *o = out_new();
	uint32_t smmu, rc;

	iort_basic(t, &smmu, &rc);
	rejects(o, iomm_acpi_parse_iort(&o->d, t->b, t->len - 1), IOMM_EINVAL, "length exceeds");
	rejects(o, iomm_acpi_parse_iort(&o->d, t->b, 20), IOMM_EINVAL, NULL);
	t->b[60] ^= 1;
	rejects(o, iomm_acpi_parse_iort(&o->d, t->b, t->len), IOMM_EIO, "checksum");

	iort_basic(t, &smmu, &rc);
	memcpy(t->b, "DMAR", 4);
	tb_sum(t);
	rejects(o, iomm_acpi_parse_iort(&o->d, t->b, t->len), IOMM_EINVAL, "not a table");

	iort_basic(t, &smmu, &rc); /* more nodes than there are */
	tb_set(t, 36, 4, 4);
	tb_sum(t);
	rejects(o, iomm_acpi_parse_iort(&o->d, t->b, t->len), IOMM_EINVAL, "beyond the table");

	iort_basic(t, &smmu, &rc); /* node array offset beyond the table */
	tb_set(t, 40, t->len, 4);
	tb_sum(t);
	rejects(o, iomm_acpi_parse_iort(&o->d, t->b, t->len), IOMM_EINVAL, "offset out of bounds");

	iort_basic(t, &smmu, &rc); /* a node length that overflows the table */
	tb_set(t, smmu + 1, 0xfff0, 2);
	tb_sum(t);
	rejects(o, iomm_acpi_parse_iort(&o->d, t->b, t->len), IOMM_EINVAL, "node length");

	iort_basic(t, &smmu, &rc); /* node length 0 */
	tb_set(t, smmu + 1, 0, 2);
	tb_sum(t);
	rejects(o, iomm_acpi_parse_iort(&o->d, t->b, t->len), IOMM_EINVAL, "node length");

	iort_basic(t, &smmu, &rc); /* mapping count whose array passes the node's end */
	tb_set(t, rc + 8, 0x10000000, 4);
	tb_sum(t);
	rejects(o, iomm_acpi_parse_iort(&o->d, t->b, t->len), IOMM_EINVAL, "mapping array");

	iort_basic(t, &smmu, &rc); /* mapping array offset huge (overflow) */
	tb_set(t, rc + 12, 0xfffffff0u, 4);
	tb_sum(t);
	rejects(o, iomm_acpi_parse_iort(&o->d, t->b, t->len), IOMM_EINVAL, "mapping array");

	iort_basic(t, &smmu, &rc); /* an SMMUv3 node cut short */
	tb_set(t, smmu + 1, 40, 2);
	tb_set(t, smmu + 40, 0, 1); /* the bytes after it become a node of type 0 ... */
	tb_sum(t);
	assert_int_not_equal(iomm_acpi_parse_iort(&o->d, t->b, t->len), IOMM_OK);
	assert_int_equal(o->d.nunits, 0);

	iort_basic(t, &smmu, &rc); /* SMMU without a base */
	tb_set(t, smmu + 16, 0, 8);
	tb_sum(t);
	rejects(o, iomm_acpi_parse_iort(&o->d, t->b, t->len), IOMM_EINVAL, "without a base");

	iort_basic(t, &smmu, &rc); /* stream IDs that wrap past 32 bits */
	tb_set(t, rc + 36 + 8, 0xffffff80u, 4);
	tb_sum(t);
	rejects(o, iomm_acpi_parse_iort(&o->d, t->b, t->len), IOMM_EINVAL, "wraps");

	/* named component whose name is not terminated inside the node */
	iort_begin(t, 1);
	uint32_t nc = iort_named(t, "ABC", 0);
	iort_end_node(t, nc);
	for (uint32_t i = nc + 29; i < t->len; i++)
		t->b[i] = 'x';
	tb_finish(t);
	rejects(o, iomm_acpi_parse_iort(&o->d, t->b, t->len), IOMM_EINVAL, "not terminated");

	/* SMMUv2 whose global interrupt array points outside the node */
	iort_begin(t, 1);
	smmu = iort_smmuv2(t, 0x2b500000, 0x10000, 0);
	tb_set(t, smmu + 40, 200, 4);
	tb_finish(t);
	rejects(o, iomm_acpi_parse_iort(&o->d, t->b, t->len), IOMM_EINVAL, "interrupt array");

	/* nodes shorter than their type's fixed fields */
	static const struct {
		uint8_t type;
		uint32_t len;
		const char *msg;
	} shorts[] = {
	    {4, 56, "SMMUv3 node too short"},
	    {3, 56, "SMMU node too short"},
	    {1, 28, "named component too short"},
	    {2, 32, "root complex node too short"},
	};
	for (size_t i = 0; i < sizeof(shorts) / sizeof(shorts[0]); i++) {
		iort_begin(t, 1);
		uint32_t n = iort_node(t, shorts[i].type, 0, 0);
		tb_put(t, 0, shorts[i].len - 16);
		iort_end_node(t, n);
		tb_finish(t);
		rejects(o, iomm_acpi_parse_iort(&o->d, t->b, t->len), IOMM_EINVAL, shorts[i].msg);
	}
	/* a table too short for the IORT's own fields; an unknown node type is skipped */
	tb_header(t, "IORT", 3);
	tb_put(t, 0, 4);
	tb_finish(t);
	rejects(o, iomm_acpi_parse_iort(&o->d, t->b, t->len), IOMM_EINVAL, "fixed fields");
	iort_begin(t, 1);
	uint32_t unk = iort_node(t, 0x7f, 0, 0);
	iort_end_node(t, unk);
	tb_finish(t);
	assert_int_equal(iomm_acpi_parse_iort(&o->d, t->b, t->len), IOMM_OK);
	assert_int_equal(o->d.nunits + o->d.ndevices, 0);

	assert_int_equal(iomm_acpi_parse_iort(NULL, t->b, t->len), IOMM_EINVAL);
	assert_int_equal(iomm_acpi_parse_iort(&o->d, NULL, 0), IOMM_EINVAL);
	test_free(o);
	test_free(t);
}

/* ---- DMAR ---------------------------------------------------------------------- */

/* The DMAR QEMU 10 builds for q35 with intel-iommu: one INCLUDE_PCI_ALL
 * DRHD at 0xfed90000 whose scope names the I/O APIC (ID 0, 00:1f.0 path as
 * QEMU writes it: bus 0xff, 0:0... here bus 0, path 1f.7). */
static void dmar_qemu(struct tb *t)
{
	dmar_begin(t);
	uint32_t s = dmar_drhd(t, 1, 0, 0xfed90000);
	const uint8_t ioapic[2] = {0x1f, 0x7};
	dmar_scope(t, 3, 0, 1, ioapic);
	dmar_end(t, s);
	tb_finish(t);
}

static void test_dmar_include_all(void **state)
{
	(void)state;
	struct tb *t = test_malloc(sizeof(*t));
	struct out *o = out_new();
	dmar_qemu(t);
	assert_int_equal(iomm_acpi_parse_dmar(&o->d, t->b, t->len, NULL), IOMM_OK);
	assert_int_equal(o->d.nunits, 1);
	assert_int_equal(o->units[0].type, IOMM_UNIT_VTD);
	assert_int_equal(o->units[0].base, 0xfed90000);
	assert_int_equal(o->units[0].size, 0x1000);
	assert_int_equal(o->units[0].flags, IOMM_CFG_UNIT_ALL_PCI | IOMM_CFG_UNIT_INTR_REMAP);
	assert_int_equal(o->d.ndevices, 0); /* the I/O APIC is no DMA master */
	/* the table's flags: X2APIC_OPT_OUT too, then neither */
	tb_set(t, 37, 3, 1);
	tb_sum(t);
	assert_int_equal(iomm_discovery_init(&o->d, o->units, 8, o->devs, 32, o->resv, 8), IOMM_OK);
	assert_int_equal(iomm_acpi_parse_dmar(&o->d, t->b, t->len, NULL), IOMM_OK);
	assert_int_equal(o->units[0].flags, IOMM_CFG_UNIT_ALL_PCI | IOMM_CFG_UNIT_INTR_REMAP |
						IOMM_CFG_UNIT_X2APIC_OPT_OUT);
	tb_set(t, 37, 0, 1);
	tb_sum(t);
	assert_int_equal(iomm_discovery_init(&o->d, o->units, 8, o->devs, 32, o->resv, 8), IOMM_OK);
	assert_int_equal(iomm_acpi_parse_dmar(&o->d, t->b, t->len, NULL), IOMM_OK);
	assert_int_equal(o->units[0].flags, IOMM_CFG_UNIT_ALL_PCI);
	test_free(o);
	test_free(t);
}

/* Bridges seen by the fake PCI access: 00:1c.0 has buses 2-3. */
static int fake_read8(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	int *calls = ctx;
	(*calls)++;
	if (seg == 0 && bus == 0 && dev == 0x1c && fn == 0)
		return off == 0x19 ? 2 : off == 0x1a ? 3 : 0;
	return -1;
}

/* DRHD 0 (0xfed91000): endpoint 00:02.0, bridge 00:1c.0, endpoint behind
 * the bridge (path 1c.0 -> 00.0 = 02:00.0); DRHD 1 INCLUDE_PCI_ALL; RMRRs
 * for 00:14.0 (served by DRHD 1) and 00:02.0; ATSR on segment 0. */
static void dmar_full(struct tb *t, uint32_t *rmrr_off)
{
	dmar_begin(t);
	uint32_t s = dmar_drhd(t, 0, 0, 0xfed91000);
	const uint8_t gfx[2] = {2, 0}, bridge[2] = {0x1c, 0}, behind[4] = {0x1c, 0, 0, 0};
	dmar_scope(t, 1, 0, 1, gfx);
	dmar_scope(t, 2, 0, 1, bridge);
	dmar_scope(t, 1, 0, 2, behind);
	dmar_end(t, s);
	s = dmar_drhd(t, 1, 0, 0xfed90000);
	dmar_end(t, s);
	s = dmar_rmrr(t, 0, 0x7f000000, 0x7f00ffff);
	if (rmrr_off)
		*rmrr_off = s;
	const uint8_t usb[2] = {0x14, 0};
	dmar_scope(t, 1, 0, 1, usb);
	dmar_scope(t, 1, 0, 1, gfx);
	dmar_end(t, s);
	s = dmar_atsr(t, 1, 0);
	dmar_end(t, s);
	tb_finish(t);
}

static void pci_is(const struct iomm_cfg_device *d, uint32_t unit, unsigned bus, unsigned dev,
		   unsigned fn)
{
	assert_int_equal(d->unit, unit);
	assert_int_equal(d->id.kind, IOMM_DEVID_PCI);
	assert_int_equal(d->id.bus, bus);
	assert_int_equal(d->id.dev, dev);
	assert_int_equal(d->id.fn, fn);
}

static void test_dmar_scopes_rmrr_atsr(void **state)
{
	(void)state;
	struct tb *t = test_malloc(sizeof(*t));
	struct out *o = out_new();
	int calls = 0;
	struct iomm_acpi_pci pci = {&calls, fake_read8};
	dmar_full(t, NULL);
	assert_int_equal(iomm_acpi_parse_dmar(&o->d, t->b, t->len, &pci), IOMM_OK);
	assert_true(calls > 0);
	assert_int_equal(o->d.nunits, 2);
	assert_int_equal(o->units[0].base, 0xfed91000);
	assert_int_equal(o->units[0].flags, IOMM_CFG_UNIT_ATS | IOMM_CFG_UNIT_INTR_REMAP);
	assert_int_equal(o->units[1].flags,
			 IOMM_CFG_UNIT_ALL_PCI | IOMM_CFG_UNIT_ATS | IOMM_CFG_UNIT_INTR_REMAP);
	assert_int_equal(o->units[1].fw_ref, 1);
	/* 00:02.0, the bridge 00:1c.0, its buses 2 and 3, 02:00.0, then 00:14.0 for the RMRR */
	assert_int_equal(o->d.ndevices, 6);
	pci_is(&o->devs[0], 0, 0, 2, 0);
	pci_is(&o->devs[1], 0, 0, 0x1c, 0);
	pci_is(&o->devs[2], 0, 2, IOMM_ANY, IOMM_ANY);
	pci_is(&o->devs[3], 0, 3, IOMM_ANY, IOMM_ANY);
	pci_is(&o->devs[4], 0, 2, 0, 0);
	pci_is(&o->devs[5], 1, 0, 0x14, 0);
	assert_int_equal(o->d.nresv, 2);
	assert_int_equal(o->resv[0].unit, 1);
	assert_int_equal(o->resv[0].base, 0x7f000000);
	assert_int_equal(o->resv[0].size, 0x10000);
	assert_int_equal(o->resv[0].id.dev, 0x14);
	assert_int_equal(o->resv[1].unit, 0);
	assert_int_equal(o->resv[1].id.dev, 2);

	/* the description is a valid board (02:00.0 lies inside bus 2: the board
	 * says so, and validation refuses the overlap) */
	struct iomm_board b;
	struct iomm_config_error err;
	assert_int_equal(iomm_discovery_board(&o->d, &b), IOMM_OK);
	assert_int_equal(iomm_config_validate(&b, NULL, &err), IOMM_EBUSY);
	assert_int_equal(err.index, 4);
	o->d.ndevices = 4; /* drop 02:00.0 and 00:14.0 */
	o->d.nresv = 1;
	o->resv[0] = o->resv[1];
	assert_int_equal(iomm_discovery_board(&o->d, &b), IOMM_OK);
	assert_int_equal(iomm_config_validate(&b, NULL, &err), IOMM_OK);
	test_free(o);
	test_free(t);
}

static void test_dmar_without_pci_access(void **state)
{
	(void)state;
	struct tb *t = test_malloc(sizeof(*t));
	struct out *o = out_new();
	dmar_full(t, NULL);
	rejects(o, iomm_acpi_parse_dmar(&o->d, t->b, t->len, NULL), IOMM_ENOTSUP, "PCI access");
	/* a bridge that does not answer */
	int calls = 0;
	struct iomm_acpi_pci pci = {&calls, fake_read8};
	dmar_begin(t);
	uint32_t s = dmar_drhd(t, 0, 0, 0xfed91000);
	const uint8_t path[4] = {0x1d, 0, 0, 0};
	dmar_scope(t, 1, 0, 2, path);
	dmar_end(t, s);
	tb_finish(t);
	rejects(o, iomm_acpi_parse_dmar(&o->d, t->b, t->len, &pci), IOMM_ENODEV, "did not answer");
	/* a bridge scope whose bridge does not answer */
	dmar_begin(t);
	s = dmar_drhd(t, 0, 0, 0xfed91000);
	dmar_scope(t, 2, 0, 1, path);
	dmar_end(t, s);
	tb_finish(t);
	rejects(o, iomm_acpi_parse_dmar(&o->d, t->b, t->len, &pci), IOMM_ENODEV, "bus numbers");
	/* without PCI access a bridge scope covers the bridge alone */
	assert_int_equal(iomm_acpi_parse_dmar(&o->d, t->b, t->len, NULL), IOMM_OK);
	assert_int_equal(o->d.ndevices, 1);
	pci_is(&o->devs[0], 0, 0, 0x1d, 0);
	test_free(o);
	test_free(t);
}

/* Interrupt sources: DRHD 0 (0xfed91000) lists an endpoint, the I/O APIC
 * with ID 2 at 00:1f.0 and HPET 0 behind the bridge 00:1c.0 (path 1c.0 ->
 * 0f.0 = 02:0f.0); DRHD 1 (INCLUDE_PCI_ALL, 0xfed90000) the I/O APIC ID 8 as
 * QEMU lists it (bus 0xff, 00.0: source-id 0xff00). */
static void dmar_irq(struct tb *t)
{
	dmar_begin(t);
	uint32_t s = dmar_drhd(t, 0, 0, 0xfed91000);
	const uint8_t gfx[2] = {2, 0}, lpc[2] = {0x1f, 0}, hpet[4] = {0x1c, 0, 0x0f, 0};
	dmar_scope(t, 1, 0, 1, gfx);
	dmar_scope_id(t, 3, 2, 0, 1, lpc);
	dmar_scope_id(t, 4, 0, 0, 2, hpet);
	dmar_end(t, s);
	s = dmar_drhd(t, 1, 0, 0xfed90000);
	const uint8_t zero[2] = {0, 0};
	dmar_scope_id(t, 3, 8, 0xff, 1, zero);
	dmar_end(t, s);
	tb_finish(t);
}

static void irq_source_is(const struct iomm_irq_source *src, uint64_t unit_base, unsigned type,
			  unsigned enum_id, unsigned bus, unsigned dev, unsigned fn)
{
	assert_int_equal(src->unit_base, unit_base);
	assert_int_equal(src->type, type);
	assert_int_equal(src->enum_id, enum_id);
	assert_int_equal(src->id.kind, IOMM_DEVID_PCI);
	assert_int_equal(src->id.seg, 0);
	assert_int_equal(src->id.bus, bus);
	assert_int_equal(src->id.dev, dev);
	assert_int_equal(src->id.fn, fn);
}

static void test_dmar_irq_sources(void **state)
{
	(void)state;
	struct tb *t = test_malloc(sizeof(*t));
	int calls = 0;
	struct iomm_acpi_pci pci = {&calls, fake_read8};
	struct iomm_irq_source src[4];
	uint32_t n = 99;
	dmar_irq(t);
	assert_int_equal(iomm_acpi_dmar_irq_sources(t->b, t->len, &pci, src, 4, &n), IOMM_OK);
	assert_int_equal(n, 3);
	irq_source_is(&src[0], 0xfed91000, IOMM_IRQ_SOURCE_IOAPIC, 2, 0, 0x1f, 0);
	irq_source_is(&src[1], 0xfed91000, IOMM_IRQ_SOURCE_HPET, 0, 2, 0x0f, 0);
	irq_source_is(&src[2], 0xfed90000, IOMM_IRQ_SOURCE_IOAPIC, 8, 0xff, 0, 0);

	/* too small an array: the first ones, and how many there are */
	memset(src, 0xa5, sizeof(src));
	assert_int_equal(iomm_acpi_dmar_irq_sources(t->b, t->len, &pci, src, 1, &n), IOMM_ENOSPC);
	assert_int_equal(n, 3);
	irq_source_is(&src[0], 0xfed91000, IOMM_IRQ_SOURCE_IOAPIC, 2, 0, 0x1f, 0);
	assert_int_equal(src[1].unit_base, 0xa5a5a5a5a5a5a5a5ull); /* untouched */
	assert_int_equal(iomm_acpi_dmar_irq_sources(t->b, t->len, &pci, NULL, 0, &n), IOMM_ENOSPC);
	assert_int_equal(n, 3);

	/* the HPET's path crosses a bridge: configuration access needed, and answered */
	assert_int_equal(iomm_acpi_dmar_irq_sources(t->b, t->len, NULL, src, 4, &n), IOMM_ENOTSUP);
	/* parse_dmar skips the interrupt sources: no access needed for them */
	struct out *o = out_new();
	assert_int_equal(iomm_acpi_parse_dmar(&o->d, t->b, t->len, NULL), IOMM_OK);
	assert_int_equal(o->d.ndevices, 1); /* 00:02.0 only */
	pci_is(&o->devs[0], 0, 0, 2, 0);
	test_free(o);
	int dead_calls = 0;
	struct iomm_acpi_pci dead = {&dead_calls, fake_read8};
	dmar_begin(t);
	uint32_t s = dmar_drhd(t, 0, 0, 0xfed91000);
	const uint8_t nowhere[4] = {0x1d, 0, 0, 0};
	dmar_scope_id(t, 4, 1, 0, 2, nowhere);
	dmar_end(t, s);
	tb_finish(t);
	assert_int_equal(iomm_acpi_dmar_irq_sources(t->b, t->len, &dead, src, 4, &n), IOMM_ENODEV);
	assert_true(dead_calls > 0);

	/* no interrupt source at all */
	dmar_full(t, NULL);
	n = 99;
	assert_int_equal(iomm_acpi_dmar_irq_sources(t->b, t->len, &pci, NULL, 0, &n), IOMM_OK);
	assert_int_equal(n, 0);

	/* refusals: NULL arguments, a bad checksum, a malformed scope, a short DRHD */
	dmar_irq(t);
	assert_int_equal(iomm_acpi_dmar_irq_sources(NULL, t->len, &pci, src, 4, &n), IOMM_EINVAL);
	assert_int_equal(iomm_acpi_dmar_irq_sources(t->b, t->len, &pci, src, 4, NULL), IOMM_EINVAL);
	assert_int_equal(iomm_acpi_dmar_irq_sources(t->b, t->len, &pci, NULL, 4, &n), IOMM_EINVAL);
	assert_int_equal(iomm_acpi_dmar_irq_sources(t->b, t->len - 1, &pci, src, 4, &n),
			 IOMM_EINVAL);
	t->b[40] ^= 1;
	assert_int_equal(iomm_acpi_dmar_irq_sources(t->b, t->len, &pci, src, 4, &n), IOMM_EIO);
	t->b[40] ^= 1;
	t->b[48 + 16 + 8 + 1] = 7; /* the I/O APIC scope: odd length */
	tb_sum(t);
	assert_int_equal(iomm_acpi_dmar_irq_sources(t->b, t->len, &pci, src, 4, &n), IOMM_EINVAL);
	dmar_begin(t);
	s = dmar_struct(t, 0);
	tb_put(t, 0, 8); /* a DRHD of 12 bytes */
	dmar_end(t, s);
	tb_finish(t);
	assert_int_equal(iomm_acpi_dmar_irq_sources(t->b, t->len, &pci, src, 4, &n), IOMM_EINVAL);
	test_free(t);
}

static void test_dmar_malformed(void **state)
{
	(void)state;
	struct tb *t = test_malloc(sizeof(*t));
	struct out *o = out_new();
	int calls = 0;
	struct iomm_acpi_pci pci = {&calls, fake_read8};
	uint32_t rmrr;

	dmar_full(t, &rmrr);
	t->b[50] ^= 0x40;
	rejects(o, iomm_acpi_parse_dmar(&o->d, t->b, t->len, &pci), IOMM_EIO, "checksum");
	dmar_full(t, &rmrr);
	rejects(o, iomm_acpi_parse_dmar(&o->d, t->b, t->len - 4, &pci), IOMM_EINVAL,
		"length exceeds");

	dmar_full(t, &rmrr); /* the last structure's length runs past the table */
	tb_set(t, rmrr + 2, 0x400, 2);
	tb_sum(t);
	rejects(o, iomm_acpi_parse_dmar(&o->d, t->b, t->len, &pci), IOMM_EINVAL, "beyond the table");

	dmar_full(t, &rmrr); /* a structure length below its header */
	tb_set(t, 48 + 2, 2, 2);
	tb_sum(t);
	rejects(o, iomm_acpi_parse_dmar(&o->d, t->b, t->len, &pci), IOMM_EINVAL, "too small");

	dmar_full(t, NULL); /* a dangling 2-byte tail */
	tb_put(t, 0, 2);
	tb_finish(t);
	rejects(o, iomm_acpi_parse_dmar(&o->d, t->b, t->len, &pci), IOMM_EINVAL, "truncated");

	dmar_full(t, &rmrr); /* RMRR range inverted, unaligned, cut short */
	tb_set(t, rmrr + 16, 0x7effffff, 8);
	tb_sum(t);
	rejects(o, iomm_acpi_parse_dmar(&o->d, t->b, t->len, &pci), IOMM_EINVAL, "RMRR range");
	dmar_full(t, &rmrr);
	tb_set(t, rmrr + 8, 0x7f000800, 8);
	tb_sum(t);
	rejects(o, iomm_acpi_parse_dmar(&o->d, t->b, t->len, &pci), IOMM_EINVAL, "RMRR range");
	dmar_full(t, &rmrr);
	tb_set(t, rmrr + 2, 20, 2);
	tb_sum(t);
	assert_int_not_equal(iomm_acpi_parse_dmar(&o->d, t->b, t->len, &pci), IOMM_OK);
	assert_int_equal(o->d.nunits, 0);

	/* scope length odd, too small, past its structure; bad device number */
	dmar_full(t, NULL);
	t->b[48 + 16 + 1] = 7;
	tb_sum(t);
	rejects(o, iomm_acpi_parse_dmar(&o->d, t->b, t->len, &pci), IOMM_EINVAL, "scope length");
	dmar_full(t, NULL);
	t->b[48 + 16 + 1] = 4;
	tb_sum(t);
	rejects(o, iomm_acpi_parse_dmar(&o->d, t->b, t->len, &pci), IOMM_EINVAL, "scope length");
	dmar_full(t, NULL);
	t->b[48 + 16 + 1] = 200;
	tb_sum(t);
	rejects(o, iomm_acpi_parse_dmar(&o->d, t->b, t->len, &pci), IOMM_EINVAL, "scope length");
	dmar_full(t, NULL);
	t->b[48 + 16 + 6] = 32;
	tb_sum(t);
	rejects(o, iomm_acpi_parse_dmar(&o->d, t->b, t->len, &pci), IOMM_EINVAL, "bad device");

	/* DRHD with an unaligned or zero base; DRHD and ATSR too short */
	dmar_qemu(t);
	tb_set(t, 48 + 8, 0xfed90010, 8);
	tb_sum(t);
	rejects(o, iomm_acpi_parse_dmar(&o->d, t->b, t->len, &pci), IOMM_EINVAL, "register base");
	dmar_begin(t);
	uint32_t s = dmar_struct(t, 0);
	tb_put(t, 0, 8);
	dmar_end(t, s);
	tb_finish(t);
	rejects(o, iomm_acpi_parse_dmar(&o->d, t->b, t->len, &pci), IOMM_EINVAL, "DRHD too short");
	dmar_begin(t);
	s = dmar_struct(t, 2);
	dmar_end(t, s);
	tb_finish(t);
	rejects(o, iomm_acpi_parse_dmar(&o->d, t->b, t->len, &pci), IOMM_EINVAL, "ATSR too short");

	/* an RMRR for a device no DRHD serves (no INCLUDE_PCI_ALL unit) */
	dmar_begin(t);
	s = dmar_drhd(t, 0, 0, 0xfed91000);
	dmar_end(t, s);
	s = dmar_rmrr(t, 0, 0x7f000000, 0x7f000fff);
	const uint8_t usb[2] = {0x14, 0};
	dmar_scope(t, 1, 0, 1, usb);
	dmar_end(t, s);
	tb_finish(t);
	rejects(o, iomm_acpi_parse_dmar(&o->d, t->b, t->len, &pci), IOMM_ENOTSUP, "no DRHD serves");

	/* arrays too small */
	dmar_full(t, NULL);
	struct out *sm = test_calloc(1, sizeof(*sm));
	assert_int_equal(iomm_discovery_init(&sm->d, sm->units, 2, sm->devs, 6, sm->resv, 1),
			 IOMM_OK);
	rejects(sm, iomm_acpi_parse_dmar(&sm->d, t->b, t->len, &pci), IOMM_ENOSPC, "reserved");
	assert_int_equal(iomm_discovery_init(&sm->d, sm->units, 2, sm->devs, 5, sm->resv, 2),
			 IOMM_OK);
	rejects(sm, iomm_acpi_parse_dmar(&sm->d, t->b, t->len, &pci), IOMM_ENOSPC, "device array");
	assert_int_equal(iomm_discovery_init(&sm->d, sm->units, 1, sm->devs, 6, sm->resv, 2),
			 IOMM_OK);
	rejects(sm, iomm_acpi_parse_dmar(&sm->d, t->b, t->len, &pci), IOMM_ENOSPC, "unit array");
	test_free(sm);
	assert_int_equal(iomm_acpi_parse_dmar(NULL, t->b, t->len, NULL), IOMM_EINVAL);
	test_free(o);
	test_free(t);
}

/* The DMAR QEMU 10 really builds for q35 + intel-iommu (data/README.md). */
static void test_dmar_qemu_q35(void **state)
{
	(void)state;
	uint8_t *b = test_malloc(4096);
	FILE *fp = fopen(IOMM_TEST_DATA "/q35-intel-iommu-dmar.bin", "rb");
	assert_non_null(fp);
	size_t len = fread(b, 1, 4096, fp);
	fclose(fp);
	assert_int_equal(len, 120);
	struct out *o = out_new();
	assert_int_equal(iomm_acpi_parse_dmar(&o->d, b, len, NULL), IOMM_OK);
	assert_int_equal(o->d.nunits, 1);
	assert_int_equal(o->units[0].base, 0xfed90000);
	assert_int_equal(o->units[0].flags, IOMM_CFG_UNIT_INTR_REMAP); /* QEMU sets INTR_REMAP */
	assert_int_equal(o->d.ndevices, 6);
	pci_is(&o->devs[0], 0, 0, 0, 0);
	pci_is(&o->devs[2], 0, 0, 3, 0); /* edu */
	pci_is(&o->devs[5], 0, 0, 0x1f, 3);
	/* its I/O APIC: ID 0, source-id 0xff00 (bus 0xff, 00.0) */
	struct iomm_irq_source src[2];
	uint32_t n = 0;
	assert_int_equal(iomm_acpi_dmar_irq_sources(b, len, NULL, src, 2, &n), IOMM_OK);
	assert_int_equal(n, 1);
	irq_source_is(&src[0], 0xfed90000, IOMM_IRQ_SOURCE_IOAPIC, 0, 0xff, 0, 0);
	/* truncated copies of the real table are refused, and so is a flipped byte */
	assert_int_equal(iomm_discovery_init(&o->d, o->units, 8, o->devs, 32, o->resv, 8), IOMM_OK);
	for (size_t cut = 0; cut < len; cut += 7)
		rejects(o, iomm_acpi_parse_dmar(&o->d, b, cut, NULL),
			IOMM_EINVAL, NULL);
	b[70] ^= 0x10;
	rejects(o, iomm_acpi_parse_dmar(&o->d, b, len, NULL), IOMM_EIO, "checksum");
	test_free(o);
	test_free(b);
}

static void test_table_check(void **state)
{
	(void)state;
	struct tb *t = test_malloc(sizeof(*t));
	dmar_qemu(t);
	uint32_t len = 0;
	assert_int_equal(iomm_acpi_table_check(t->b, t->len, "DMAR", &len), IOMM_OK);
	assert_int_equal(len, t->len);
	assert_int_equal(iomm_acpi_table_check(t->b, t->len + 100, NULL, NULL), IOMM_OK);
	assert_int_equal(iomm_acpi_table_check(t->b, t->len, "IORT", NULL), IOMM_EINVAL);
	assert_int_equal(iomm_acpi_table_check(t->b, 35, NULL, NULL), IOMM_EINVAL);
	assert_int_equal(iomm_acpi_table_check(NULL, 100, NULL, NULL), IOMM_EINVAL);
	tb_set(t, 4, 20, 4); /* length below a header */
	assert_int_equal(iomm_acpi_table_check(t->b, t->len, NULL, NULL), IOMM_EINVAL);
	tb_set(t, 4, 0xffffffffu, 4); /* length that overflows */
	assert_int_equal(iomm_acpi_table_check(t->b, t->len, NULL, NULL), IOMM_EINVAL);
	test_free(t);
}

/* ---- RSDP and XSDT ----------------------------------------------------------------- */

#define MEM_SIZE 0x200000u

struct fake_mem {
	uint8_t *m;
	unsigned reads;
	uint64_t fail_at; /* a read touching this address fails (0: none) */
};

static int mem_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	struct fake_mem *fm = ctx;
	fm->reads++;
	if (pa > MEM_SIZE || len > MEM_SIZE - pa)
		return IOMM_EFAULT;
	if (fm->fail_at && fm->fail_at >= pa && fm->fail_at < pa + len)
		return IOMM_EIO;
	memcpy(buf, fm->m + pa, len);
	return IOMM_OK;
}

static void put_rsdp(uint8_t *p, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	memset(p, 0, 36);
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, "IOMMTS", 6);
	p[15] = rev;
	for (int i = 0; i < 4; i++)
		p[16 + i] = (uint8_t)(rsdt >> (8 * i));
	p[20] = 36;
	for (int i = 0; i < 8; i++)
		p[24 + i] = (uint8_t)(xsdt >> (8 * i));
	uint8_t s = 0;
	for (int i = 0; i < 20; i++)
		s = (uint8_t)(s + p[i]);
	p[8] = (uint8_t)(0x100 - s);
	s = 0;
	for (int i = 0; i < 36; i++)
		s = (uint8_t)(s + p[i]);
	p[32] = (uint8_t)(0x100 - s);
}

/* Memory with an EBDA at 0x9fc00 (decoy signature without a valid checksum),
 * the RSDP at 0xf5a40, an XSDT at 0x100000 listing an "APIC" and a DMAR at
 * 0x101000, and an RSDT at 0x100800 listing the DMAR. */
static void mem_image(struct fake_mem *fm, struct tb *dmar)
{
	memset(fm->m, 0, MEM_SIZE);
	fm->m[0x40e] = 0xc0;
	fm->m[0x40f] = 0x9f;
	memcpy(fm->m + 0x9fc10, "RSD PTR ", 8); /* no checksum: ignored */
	put_rsdp(fm->m + 0xf5a40, 2, 0x100800, 0x100000);
	struct tb *t = test_malloc(sizeof(*t));
	tb_header(t, "APIC", 1);
	tb_put(t, 0, 8);
	tb_finish(t);
	memcpy(fm->m + 0x100400, t->b, t->len);
	tb_header(t, "XSDT", 1);
	tb_put(t, 0x100400, 8);
	tb_put(t, 0x101000, 8);
	tb_finish(t);
	memcpy(fm->m + 0x100000, t->b, t->len);
	tb_header(t, "RSDT", 1);
	tb_put(t, 0x101000, 4);
	tb_finish(t);
	memcpy(fm->m + 0x100800, t->b, t->len);
	dmar_qemu(dmar);
	memcpy(fm->m + 0x101000, dmar->b, dmar->len);
	test_free(t);
}

static void test_rsdp_and_table_walk(void **state)
{
	(void)state;
	struct fake_mem fm = {.m = test_malloc(MEM_SIZE)};
	struct tb *dmar = test_malloc(sizeof(*dmar));
	struct tb *buf = test_malloc(sizeof(*buf));
	mem_image(&fm, dmar);
	struct iomm_acpi_mem mem = {&fm, mem_read};
	uint64_t rsdp = 0, pa = 0;
	uint32_t len = 0;
	assert_int_equal(iomm_acpi_find_rsdp(&mem, &rsdp), IOMM_OK);
	assert_int_equal(rsdp, 0xf5a40);
	assert_int_equal(iomm_acpi_find_table(&mem, rsdp, "DMAR", buf->b, sizeof(buf->b), &len, &pa),
			 IOMM_OK);
	assert_int_equal(pa, 0x101000);
	assert_int_equal(len, dmar->len);
	assert_memory_equal(buf->b, dmar->b, len);
	struct out *o = out_new();
	assert_int_equal(iomm_acpi_parse_dmar(&o->d, buf->b, len, NULL), IOMM_OK);
	assert_int_equal(o->units[0].base, 0xfed90000);
	assert_int_equal(iomm_acpi_find_table(&mem, rsdp, "IORT", buf->b, sizeof(buf->b), &len, NULL),
			 IOMM_ENOENT);
	assert_int_equal(iomm_acpi_find_table(&mem, rsdp, "DMAR", buf->b, 40, &len, NULL),
			 IOMM_ENOSPC);
	assert_int_equal(len, dmar->len);

	/* revision 0: the RSDT */
	put_rsdp(fm.m + 0xf5a40, 0, 0x100800, 0);
	assert_int_equal(iomm_acpi_find_table(&mem, rsdp, "DMAR", buf->b, sizeof(buf->b), &len, &pa),
			 IOMM_OK);
	assert_int_equal(pa, 0x101000);
	/* the RSDP in the EBDA wins */
	put_rsdp(fm.m + 0x9fc20, 2, 0x100800, 0x100000);
	assert_int_equal(iomm_acpi_find_rsdp(&mem, &rsdp), IOMM_OK);
	assert_int_equal(rsdp, 0x9fc20);

	/* damaged: XSDT checksum, DMAR checksum, XSDT signature, no RSDP at all */
	mem_image(&fm, dmar);
	fm.m[0x100000 + 40] ^= 1;
	assert_int_equal(iomm_acpi_find_table(&mem, 0xf5a40, "DMAR", buf->b, sizeof(buf->b), &len,
					      NULL),
			 IOMM_EIO);
	mem_image(&fm, dmar);
	fm.m[0x101000 + 40] ^= 1;
	assert_int_equal(iomm_acpi_find_table(&mem, 0xf5a40, "DMAR", buf->b, sizeof(buf->b), &len,
					      NULL),
			 IOMM_EIO);
	mem_image(&fm, dmar);
	fm.m[0x100000] = 'Y';
	assert_int_equal(iomm_acpi_find_table(&mem, 0xf5a40, "DMAR", buf->b, sizeof(buf->b), &len,
					      NULL),
			 IOMM_EINVAL);
	mem_image(&fm, dmar);
	fm.m[0x100000 + 4] = 8; /* XSDT length below a header */
	assert_int_equal(iomm_acpi_find_table(&mem, 0xf5a40, "DMAR", buf->b, sizeof(buf->b), &len,
					      NULL),
			 IOMM_EINVAL);
	mem_image(&fm, dmar);
	fm.m[0xf5a40 + 20] = 8; /* extended length too small */
	assert_int_equal(iomm_acpi_find_table(&mem, 0xf5a40, "DMAR", buf->b, sizeof(buf->b), &len,
					      NULL),
			 IOMM_EINVAL);
	mem_image(&fm, dmar);
	fm.m[0xf5a40 + 30] ^= 1; /* extended checksum */
	assert_int_equal(iomm_acpi_find_rsdp(&mem, &rsdp), IOMM_ENOENT);
	mem_image(&fm, dmar);
	fm.fail_at = 0x101000 + 20; /* reading the DMAR body fails */
	assert_int_equal(iomm_acpi_find_table(&mem, 0xf5a40, "DMAR", buf->b, sizeof(buf->b), &len,
					      NULL),
			 IOMM_EIO);
	fm.fail_at = 0x100000 + 40; /* reading the XSDT fails */
	assert_int_equal(iomm_acpi_find_table(&mem, 0xf5a40, "DMAR", buf->b, sizeof(buf->b), &len,
					      NULL),
			 IOMM_EIO);
	fm.fail_at = 0x40e;
	assert_int_equal(iomm_acpi_find_rsdp(&mem, &rsdp), IOMM_EIO);
	fm.fail_at = 0xe0000;
	assert_int_equal(iomm_acpi_find_rsdp(&mem, &rsdp), IOMM_EIO);
	fm.fail_at = 0;
	memset(fm.m + 0xf5a40, 0, 36);
	assert_int_equal(iomm_acpi_find_rsdp(&mem, &rsdp), IOMM_ENOENT);
	assert_int_equal(iomm_acpi_find_rsdp(NULL, &rsdp), IOMM_EINVAL);
	assert_int_equal(iomm_acpi_find_table(&mem, 0xf5a40, "DMA", buf->b, 10, &len, NULL),
			 IOMM_EINVAL);
	assert_int_equal(iomm_acpi_find_table(&mem, 0xf5a40, "DMAR", buf->b, 10, &len, NULL),
			 IOMM_EINVAL); /* no RSDP there any more */
	test_free(o);
	test_free(buf);
	test_free(dmar);
	test_free(fm.m);
}

static void test_discovery_arrays(void **state)
{
	(void)state;
	struct iomm_discovery d;
	struct iomm_cfg_unit u[1];
	assert_int_equal(iomm_discovery_init(NULL, u, 1, NULL, 0, NULL, 0), IOMM_EINVAL);
	assert_int_equal(iomm_discovery_init(&d, NULL, 1, NULL, 0, NULL, 0), IOMM_EINVAL);
	assert_int_equal(iomm_discovery_init(&d, u, 1, NULL, 0, NULL, 0), IOMM_OK);
	struct iomm_board b;
	assert_int_equal(iomm_discovery_board(&d, NULL), IOMM_EINVAL);
	assert_int_equal(iomm_discovery_board(&d, &b), IOMM_OK);
	assert_int_equal(b.nunits, 0);
	struct iomm_cfg_device dev = {.unit = 0, .id = IOMM_SID(1)};
	assert_int_equal(iomm_discovery_add_device(&d, &dev), IOMM_EINVAL); /* no unit 0 yet */
	assert_int_equal(iomm_discovery_add_device(NULL, &dev), IOMM_EINVAL);
	d.nunits = 1;
	u[0] = (struct iomm_cfg_unit){.type = IOMM_UNIT_PARAVIRT, .fw_ref = 7};
	assert_int_equal(iomm_discovery_add_device(&d, &dev), IOMM_ENOSPC);
	struct iomm_cfg_device devs[1];
	d.devices = devs;
	d.devices_cap = 1;
	assert_int_equal(iomm_discovery_add_device(&d, &dev), IOMM_OK);
	/* a paravirt unit is found by its firmware reference */
	assert_int_equal(iomm_discovery_set_policy(&d, 7, &IOMM_SID(1), IOMM_POLICY_BYPASS, NULL, 0),
			 1);
	struct iomm_devid bad = {.kind = IOMM_DEVID_PCI, .bus = 300};
	assert_int_equal(iomm_discovery_set_policy(&d, 7, &bad, IOMM_POLICY_BYPASS, NULL, 0),
			 IOMM_EINVAL);
	assert_int_equal(iomm_discovery_set_policy(&d, 7, &IOMM_SID(1), IOMM_POLICY_CONFINED, NULL, 1),
			 IOMM_EINVAL);
}

/* ---- MSIs: IORT ITS groups and the MADT's GIC ITS structures ------------------------ */

/* SMMUv3 node with @nmaps ID mappings to follow (iort_map, then iort_end_node). */
static uint32_t iort_smmuv3_maps(struct tb *t, uint64_t base, uint32_t nmaps)
{
	uint32_t n = iort_node(t, 4, nmaps, 68);
	tb_put(t, base, 8);
	tb_put(t, 0, 4);
	tb_put(t, 0, 4);
	tb_put(t, 0, 8);
	tb_put(t, 0, 4);
	for (uint32_t i = 0; i < 4; i++)
		tb_put(t, 0, 4);
	tb_put(t, 0, 4);
	tb_put(t, 0, 4);
	return n;
}

/* ITS group with two ITSs (7, 9); SMMUv3 mapping SIDs 0-0xff to DeviceIDs
 * 0x1000-0x10ff on it, its own interrupt a single mapping to 0x77; root
 * complex of segment 2: RIDs 0-0xff -> SMMU SIDs, RIDs 0x100-0x10f -> the
 * ITS directly at 0x2000; a root complex of segment 3 mapping nothing to
 * an ITS. */
static void iort_msi(struct tb *t)
{
	iort_begin(t, 4);
	uint32_t its = iort_node(t, 0, 0, 0);
	tb_put(t, 2, 4);
	tb_put(t, 7, 4);
	tb_put(t, 9, 4);
	iort_end_node(t, its);
	uint32_t smmu = iort_smmuv3_maps(t, 0x2b400000, 2);
	iort_map(t, 0, 0, 0x77, its, 1); /* single: the SMMU's own MSI */
	iort_map(t, 0, 0xff, 0x1000, its, 0);
	iort_end_node(t, smmu);
	uint32_t rc = iort_rc(t, 2, 2);
	iort_map(t, 0, 0xff, 0, smmu, 0);
	iort_map(t, 0x100, 0xf, 0x2000, its, 0);
	iort_end_node(t, rc);
	uint32_t rc3 = iort_rc(t, 3, 1);
	iort_map(t, 0, 0xff, 0x300, smmu, 0); /* SIDs 0x300-0x3ff: no ITS mapping */
	iort_end_node(t, rc3);
	tb_finish(t);
}

static void test_iort_msi(void **state)
{
	(void)state;
	struct tb *t = test_malloc(sizeof(*t));
	iort_msi(t);
	uint32_t its = 0, devid = 0;
	/* through the SMMU: RID 0x08 -> SID 0x08 -> DeviceID 0x1008 on ITS 7 */
	assert_int_equal(iomm_acpi_iort_msi(t->b, t->len, 2, 0x08, &its, &devid), IOMM_OK);
	assert_int_equal(its, 7);
	assert_int_equal(devid, 0x1008);
	assert_int_equal(iomm_acpi_iort_msi(t->b, t->len, 2, 0xff, &its, &devid), IOMM_OK);
	assert_int_equal(devid, 0x10ff);
	/* straight to the ITS */
	assert_int_equal(iomm_acpi_iort_msi(t->b, t->len, 2, 0x10f, &its, &devid), IOMM_OK);
	assert_int_equal(devid, 0x200f);
	assert_int_equal(iomm_acpi_iort_msi(t->b, t->len, 2, 0x110, &its, &devid), IOMM_ENOENT);
	assert_int_equal(iomm_acpi_iort_msi(t->b, t->len, 3, 0x08, &its, &devid), IOMM_ENOENT);
	assert_int_equal(iomm_acpi_iort_msi(t->b, t->len, 4, 0x08, &its, &devid), IOMM_ENOENT);
	assert_int_equal(iomm_acpi_iort_msi(NULL, t->len, 2, 0x08, &its, &devid), IOMM_EINVAL);
	assert_int_equal(iomm_acpi_iort_msi(t->b, t->len, 2, 0x08, NULL, &devid), IOMM_EINVAL);
	assert_int_equal(iomm_acpi_iort_msi(t->b, 40, 2, 0x08, &its, &devid), IOMM_EINVAL);
	/* an empty ITS group */
	tb_set(t, 48 + 16, 0, 4);
	tb_sum(t);
	assert_int_equal(iomm_acpi_iort_msi(t->b, t->len, 2, 0x08, &its, &devid), IOMM_EINVAL);
	tb_set(t, 48 + 16, 2, 4);
	tb_sum(t);
	t->b[9] ^= 1; /* checksum */
	assert_int_equal(iomm_acpi_iort_msi(t->b, t->len, 2, 0x08, &its, &devid), IOMM_EIO);
	t->b[9] ^= 1;
	/* the parse of the same table still makes only the SMMU's streams devices */
	struct out *o = out_new();
	assert_int_equal(iomm_acpi_parse_iort(&o->d, t->b, t->len), IOMM_OK);
	assert_int_equal(o->d.nunits, 1);
	test_free(o);
	test_free(t);
}

/* MADT: a GICC filler, GIC ITS 7 at @base7 and ITS 9 at 0x10080000. */
static void madt_at(struct tb *t, uint8_t its_len, uint64_t base7)
{
	tb_header(t, "APIC", 5);
	tb_put(t, 0, 4); /* local interrupt controller address */
	tb_put(t, 0, 4); /* flags */
	tb_put(t, 0xb, 1); /* GICC */
	tb_put(t, 80, 1);
	for (unsigned i = 0; i < 78; i++)
		tb_put(t, 0, 1);
	const uint32_t ids[2] = {7, 9};
	const uint64_t bases[2] = {base7, 0x10080000};
	for (unsigned i = 0; i < 2; i++) {
		tb_put(t, 0xf, 1);
		tb_put(t, its_len, 1);
		tb_put(t, 0, 2);
		tb_put(t, ids[i], 4);
		tb_put(t, bases[i], 8);
		tb_put(t, 0, 4);
	}
	tb_finish(t);
}

static void madt(struct tb *t, uint8_t its_len)
{
	madt_at(t, its_len, 0x8080000);
}

static void test_madt_its(void **state)
{
	(void)state;
	struct tb *t = test_malloc(sizeof(*t));
	madt(t, 20);
	uint64_t base = 0;
	assert_int_equal(iomm_acpi_madt_its(t->b, t->len, 9, &base), IOMM_OK);
	assert_int_equal(base, 0x10080000);
	assert_int_equal(iomm_acpi_madt_its(t->b, t->len, 7, &base), IOMM_OK);
	assert_int_equal(base + IOMM_GITS_TRANSLATER, 0x8090040);
	assert_int_equal(iomm_acpi_madt_its(t->b, t->len, 8, &base), IOMM_ENOENT);
	assert_int_equal(iomm_acpi_madt_its(t->b, t->len, 7, NULL), IOMM_EINVAL);
	madt(t, 16); /* a GIC ITS structure too short */
	assert_int_equal(iomm_acpi_madt_its(t->b, t->len, 7, &base), IOMM_EINVAL);
	madt(t, 20);
	t->b[44 + 1] = 0; /* a zero-length structure */
	tb_sum(t);
	assert_int_equal(iomm_acpi_madt_its(t->b, t->len, 7, &base), IOMM_EINVAL);
	madt(t, 20);
	memcpy(t->b, "IORT", 4);
	tb_sum(t);
	assert_int_equal(iomm_acpi_madt_its(t->b, t->len, 7, &base), IOMM_EINVAL);
	/* a base that no ITS can have (GICv3: 64 KiB frames): 0, off a 64 KiB
	 * boundary, or so high GITS_TRANSLATER would wrap; the other ITS is
	 * still found, and a refused look-up writes nothing */
	static const uint64_t bad[] = {0, 0x8088000, 0x8080040, UINT64_C(0xffffffffffff0000)};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		madt_at(t, 20, bad[i]);
		base = 1;
		assert_int_equal(iomm_acpi_madt_its(t->b, t->len, 7, &base), IOMM_EINVAL);
		assert_int_equal(base, 1);
		assert_int_equal(iomm_acpi_madt_its(t->b, t->len, 9, &base), IOMM_OK);
		assert_int_equal(base, 0x10080000);
	}
	test_free(t);
}

#define T(fn) cmocka_unit_test(fn)

int main(int argc, char **argv)
{
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	const struct CMUnitTest tests[] = {
	    T(test_iort_smmuv3_root_complex),
	    T(test_iort_smmuv2_named_component),
	    T(test_iort_unaligned_range_splits),
	    T(test_iort_follows_intermediate_nodes),
	    T(test_iort_cycle_is_refused),
	    T(test_iort_malformed),
	    T(test_iort_msi),
	    T(test_madt_its),
	    T(test_dmar_include_all),
	    T(test_dmar_scopes_rmrr_atsr),
	    T(test_dmar_irq_sources),
	    T(test_dmar_without_pci_access),
	    T(test_dmar_malformed),
	    T(test_dmar_qemu_q35),
	    T(test_table_check),
	    T(test_rsdp_and_table_walk),
	    T(test_discovery_arrays),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
