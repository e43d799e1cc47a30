/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Device tree discovery: the blobs QEMU 10 produced for virt with SMMUv3 and
 * with virtio-iommu and with a GICv3 ITS (data/README.md), blobs built here with libfdt's
 * sequential-write functions (SMMUv2 with two-cell specifiers, several
 * masters, /reserved-memory with iommu-addresses), and damaged variants.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libfdt.h>

#include <iommuman/discovery.h>

struct out {
	struct iomm_cfg_unit units[4];
	struct iomm_cfg_device devs[24];
	struct iomm_cfg_resv resv[4];
	struct iomm_discovery d;
};

static struct out *out_new(void)
{
	struct out *o = test_calloc(1, sizeof(*o));
	assert_int_equal(iomm_discovery_init(&o->d, o->units, 4, o->devs, 24, o->resv, 4), IOMM_OK);
	return o;
}

static void *load(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", IOMM_TEST_DATA, name);
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	void *buf = test_malloc(2u << 20);
	*len = fread(buf, 1, 2u << 20, fp);
	fclose(fp);
	assert_true(*len > 0);
	return buf;
}

static void sid_is(const struct iomm_cfg_device *dev, uint32_t unit, uint32_t sid, uint32_t mask)
{
	assert_int_equal(dev->unit, unit);
	assert_int_equal(dev->id.kind, IOMM_DEVID_SID);
	assert_int_equal(dev->id.sid, sid);
	assert_int_equal(dev->id.mask, mask);
	assert_int_equal(dev->policy, IOMM_POLICY_BLOCKED);
}

static void rejects(struct out *o, int rc, int status, const char *part)
{
	assert_int_equal(rc, status);
	assert_int_equal(o->d.nunits, 0);
	assert_int_equal(o->d.ndevices, 0);
	assert_int_equal(o->d.nresv, 0);
	assert_non_null(o->d.msg);
	if (!strstr(o->d.msg, part))
		fail_msg("message \"%s\" lacks \"%s\"", o->d.msg, part);
}

static void test_fdt_qemu_virt_smmuv3(void **state)
{
	(void)state;
	size_t len;
	void *fdt = load("virt-smmuv3.dtb", &len);
	struct out *o = out_new();
	assert_int_equal(iomm_fdt_parse(&o->d, fdt, len), IOMM_OK);
	assert_int_equal(o->d.nunits, 1);
	const struct iomm_cfg_unit *u = &o->units[0];
	assert_int_equal(u->type, IOMM_UNIT_SMMUV3);
	assert_int_equal(u->base, 0x9050000);
	assert_int_equal(u->size, 0x20000);
	assert_int_equal(u->flags, IOMM_CFG_UNIT_COHERENT);
	assert_int_equal(u->fw_ref, 0x8004);
	assert_int_equal(u->nirqs, 4);
	assert_int_equal(u->irqs[0], 32 + 74);
	assert_int_equal(u->irqs[3], 32 + 77);
	assert_string_equal(u->name, "smmuv3@9050000");
	/* the PCIe host bridge maps every RID one to one */
	assert_int_equal(o->d.ndevices, 1);
	sid_is(&o->devs[0], 0, 0, 0xffff);
	assert_string_equal(o->devs[0].name, "pcie@10000000");
	assert_int_equal(o->d.nresv, 0);

	uint32_t ph = 0, sid = 0;
	assert_int_equal(iomm_fdt_map_rid(fdt, len, 0x08, &ph, &sid), IOMM_OK); /* edu, 00:01.0 */
	assert_int_equal(ph, 0x8004);
	assert_int_equal(sid, 0x08);
	assert_int_equal(iomm_fdt_map_rid(fdt, len, 0x1234, &ph, &sid), IOMM_OK);
	assert_int_equal(sid, 0x1234);
	assert_int_equal(iomm_fdt_map_rid(fdt, len, 0x10000, &ph, &sid), IOMM_ENOENT);
	assert_int_equal(iomm_fdt_map_rid(fdt, 100, 0x08, &ph, &sid), IOMM_EINVAL);
	assert_int_equal(iomm_fdt_map_rid(NULL, len, 0x08, &ph, &sid), IOMM_EINVAL);

	/* the description is a board: confine edu by configuration and validate */
	struct iomm_cfg_region win = {0x100000, 0x40200000, 0x1000, IOMM_READ | IOMM_WRITE};
	struct iomm_devid all = {.kind = IOMM_DEVID_SID, .sid = 0, .mask = 0xffff};
	assert_int_equal(iomm_discovery_set_policy(&o->d, 0x9050000, &all, IOMM_POLICY_CONFINED,
						   &win, 1),
			 1);
	struct iomm_board b;
	assert_int_equal(iomm_discovery_board(&o->d, &b), IOMM_OK);
	assert_int_equal(iomm_config_validate(&b, NULL, NULL), IOMM_OK);
	test_free(o);
	test_free(fdt);
}

static void test_fdt_qemu_virt_virtio_iommu(void **state)
{
	(void)state;
	size_t len;
	void *fdt = load("virt-virtio-iommu.dtb", &len);
	struct out *o = out_new();
	assert_int_equal(iomm_fdt_parse(&o->d, fdt, len), IOMM_OK);
	assert_int_equal(o->d.nunits, 1);
	assert_int_equal(o->units[0].type, IOMM_UNIT_PARAVIRT);
	assert_int_equal(o->units[0].base, 0);
	assert_int_equal(o->units[0].pci_rid, 0x10); /* 00:02.0 */
	assert_int_equal(o->units[0].fw_ref, 0x8005);
	/* RIDs 0-0xf and 0x11-0xffff: one group, then 15 aligned groups */
	assert_int_equal(o->d.ndevices, 16);
	sid_is(&o->devs[0], 0, 0, 0xf);
	sid_is(&o->devs[1], 0, 0x11, 0);
	sid_is(&o->devs[2], 0, 0x12, 0x1);
	sid_is(&o->devs[3], 0, 0x14, 0x3);
	sid_is(&o->devs[4], 0, 0x18, 0x7);
	sid_is(&o->devs[15], 0, 0x8000, 0x7fff);
	uint32_t ph = 0, sid = 0;
	assert_int_equal(iomm_fdt_map_rid(fdt, len, 0x08, &ph, &sid), IOMM_OK);
	assert_int_equal(ph, 0x8005);
	assert_int_equal(sid, 0x08);
	assert_int_equal(iomm_fdt_map_rid(fdt, len, 0x10, &ph, &sid), IOMM_ENOENT);
	struct iomm_board b;
	assert_int_equal(iomm_discovery_board(&o->d, &b), IOMM_OK);
	assert_int_equal(iomm_config_validate(&b, NULL, NULL), IOMM_OK);
	/* too few device entries: nothing kept */
	struct out *s = test_calloc(1, sizeof(*s));
	assert_int_equal(iomm_discovery_init(&s->d, s->units, 1, s->devs, 10, NULL, 0), IOMM_OK);
	rejects(s, iomm_fdt_parse(&s->d, fdt, len), IOMM_ENOSPC, "device array full");
	assert_int_equal(iomm_discovery_init(&s->d, NULL, 0, s->devs, 10, NULL, 0), IOMM_OK);
	rejects(s, iomm_fdt_parse(&s->d, fdt, len), IOMM_ENOSPC, "unit array full");
	test_free(s);
	test_free(o);
	test_free(fdt);
}

/* ---- blobs built here ------------------------------------------------------------- */

enum variant {
	V_GOOD,
	V_IOMMUS_ODD_LEN,    /* iommus of 5 bytes */
	V_IOMMUS_UNKNOWN,    /* iommus names phandle 99 */
	V_IOMMUS_TRUNCATED,  /* two-cell IOMMU given one cell */
	V_MAP_BAD_LEN,       /* iommu-map of 3 cells */
	V_MAP_TWO_CELLS,     /* iommu-map to an IOMMU with #iommu-cells = 2 */
	V_MAP_WRAPS,         /* iommu-map output beyond 32 bits */
	V_RESV_NOT_IDENTITY, /* iommu-addresses differs from reg */
	V_RESV_BAD_LEN,      /* iommu-addresses of 4 cells */
	V_RESV_UNKNOWN_DEV,  /* iommu-addresses names phandle 77 */
	V_RESV_CELLS,        /* /reserved-memory with #size-cells = 3 */
	V_SMMU_NO_REG,       /* an SMMU without reg */
	V_VIOMMU_NO_REG,     /* a virtio-iommu without reg */
};

#define CHECK_FDT(x) assert_int_equal((x), 0)

static void prop_cells(void *fdt, const char *name, const uint32_t *v, int n)
{
	fdt32_t c[16];
	for (int i = 0; i < n; i++)
		c[i] = cpu_to_fdt32(v[i]);
	CHECK_FDT(fdt_property(fdt, name, c, (int)(n * 4)));
}

/* / : gic (phandle 10, 3 cells), mmu-500 (phandle 1, #iommu-cells 2),
 * smmu-v3 (phandle 2), dma@1000 iommus <1 0x400 0x3f>, multi@2000 iommus
 * <2 5 2 6>, display (phandle 3) iommus <2 7>, pcie iommu-map <0 2 0x100
 * 0x100> with mask 0xff, /reserved-memory/fb@80000000 iommu-addresses. */
static size_t build(void *fdt, size_t cap, enum variant v)
{
	CHECK_FDT(fdt_create(fdt, (int)cap));
	CHECK_FDT(fdt_finish_reservemap(fdt));
	CHECK_FDT(fdt_begin_node(fdt, ""));
	CHECK_FDT(fdt_property_u32(fdt, "#address-cells", 2));
	CHECK_FDT(fdt_property_u32(fdt, "#size-cells", 2));
	CHECK_FDT(fdt_property_u32(fdt, "interrupt-parent", 10));

	CHECK_FDT(fdt_begin_node(fdt, "intc@8000000"));
	CHECK_FDT(fdt_property_u32(fdt, "phandle", 10));
	CHECK_FDT(fdt_property_u32(fdt, "#interrupt-cells", 3));
	CHECK_FDT(fdt_end_node(fdt));

	CHECK_FDT(fdt_begin_node(fdt, "iommu@2b500000"));
	CHECK_FDT(fdt_property_string(fdt, "compatible", "arm,mmu-500"));
	if (v != V_SMMU_NO_REG) {
		const uint32_t reg[] = {0, 0x2b500000, 0, 0x10000};
		prop_cells(fdt, "reg", reg, 4);
	}
	const uint32_t irq[] = {0, 10, 4, 1, 3, 4};
	prop_cells(fdt, "interrupts", irq, 6);
	CHECK_FDT(fdt_property_u32(fdt, "#iommu-cells", 2));
	CHECK_FDT(fdt_property_u32(fdt, "phandle", 1));
	CHECK_FDT(fdt_end_node(fdt));

	CHECK_FDT(fdt_begin_node(fdt, "iommu@2b400000"));
	CHECK_FDT(fdt_property_string(fdt, "compatible", "arm,smmu-v3"));
	const uint32_t reg3[] = {0, 0x2b400000, 0, 0x20000};
	prop_cells(fdt, "reg", reg3, 4);
	CHECK_FDT(fdt_property(fdt, "dma-coherent", NULL, 0));
	CHECK_FDT(fdt_property_u32(fdt, "#iommu-cells", 1));
	CHECK_FDT(fdt_property_u32(fdt, "phandle", 2));
	CHECK_FDT(fdt_end_node(fdt));

	CHECK_FDT(fdt_begin_node(fdt, "dma@1000"));
	const uint32_t dreg[] = {0, 0x1000, 0, 0x100};
	prop_cells(fdt, "reg", dreg, 4);
	if (v == V_IOMMUS_ODD_LEN) {
		CHECK_FDT(fdt_property(fdt, "iommus", "\0\0\0\1\0", 5));
	} else if (v == V_IOMMUS_UNKNOWN) {
		const uint32_t io[] = {99, 0x400};
		prop_cells(fdt, "iommus", io, 2);
	} else if (v == V_IOMMUS_TRUNCATED) {
		const uint32_t io[] = {1, 0x400};
		prop_cells(fdt, "iommus", io, 2);
	} else {
		const uint32_t io[] = {1, 0x400, 0x3f};
		prop_cells(fdt, "iommus", io, 3);
	}
	CHECK_FDT(fdt_end_node(fdt));

	CHECK_FDT(fdt_begin_node(fdt, "multi@2000"));
	const uint32_t mio[] = {2, 5, 2, 6};
	prop_cells(fdt, "iommus", mio, 4);
	CHECK_FDT(fdt_end_node(fdt));

	CHECK_FDT(fdt_begin_node(fdt, "display"));
	CHECK_FDT(fdt_property_u32(fdt, "phandle", 3));
	const uint32_t dio[] = {2, 7};
	prop_cells(fdt, "iommus", dio, 2);
	CHECK_FDT(fdt_end_node(fdt));

	CHECK_FDT(fdt_begin_node(fdt, "pcie@40000000"));
	CHECK_FDT(fdt_property_string(fdt, "device_type", "pci"));
	if (v == V_MAP_BAD_LEN) {
		const uint32_t map[] = {0, 2, 0x100};
		prop_cells(fdt, "iommu-map", map, 3);
	} else if (v == V_MAP_TWO_CELLS) {
		const uint32_t map[] = {0, 1, 0x100, 0x100};
		prop_cells(fdt, "iommu-map", map, 4);
	} else if (v == V_MAP_WRAPS) {
		const uint32_t map[] = {0, 2, 0xffffff00u, 0x200};
		prop_cells(fdt, "iommu-map", map, 4);
	} else {
		const uint32_t map[] = {0, 2, 0x100, 0x100};
		prop_cells(fdt, "iommu-map", map, 4);
	}
	CHECK_FDT(fdt_property_u32(fdt, "iommu-map-mask", 0xff));
	CHECK_FDT(fdt_begin_node(fdt, "viommu@3,0"));
	CHECK_FDT(fdt_property_string(fdt, "compatible", "virtio,pci-iommu"));
	if (v != V_VIOMMU_NO_REG) {
		const uint32_t preg[] = {0x1800, 0, 0, 0, 0};
		prop_cells(fdt, "reg", preg, 5);
	}
	CHECK_FDT(fdt_property_u32(fdt, "#iommu-cells", 1));
	CHECK_FDT(fdt_property_u32(fdt, "phandle", 4));
	CHECK_FDT(fdt_end_node(fdt));
	CHECK_FDT(fdt_end_node(fdt));

	CHECK_FDT(fdt_begin_node(fdt, "reserved-memory"));
	CHECK_FDT(fdt_property_u32(fdt, "#address-cells", 2));
	CHECK_FDT(fdt_property_u32(fdt, "#size-cells", v == V_RESV_CELLS ? 3 : 2));
	CHECK_FDT(fdt_property(fdt, "ranges", NULL, 0));
	CHECK_FDT(fdt_begin_node(fdt, "fb@80000000"));
	const uint32_t freg[] = {0, 0x80000000u, 0, 0x100000};
	prop_cells(fdt, "reg", freg, 4);
	if (v == V_RESV_BAD_LEN) {
		const uint32_t ia[] = {3, 0, 0x80000000u, 0};
		prop_cells(fdt, "iommu-addresses", ia, 4);
	} else {
		const uint32_t ia[] = {v == V_RESV_UNKNOWN_DEV ? 77u : 3u, 0,
				       v == V_RESV_NOT_IDENTITY ? 0x90000000u : 0x80000000u, 0,
				       0x100000};
		prop_cells(fdt, "iommu-addresses", ia, 5);
	}
	CHECK_FDT(fdt_end_node(fdt));
	CHECK_FDT(fdt_begin_node(fdt, "hole")); /* an IOVA hole only: no reg */
	const uint32_t ia2[] = {3, 0, 0, 0, 0x1000};
	prop_cells(fdt, "iommu-addresses", ia2, 5);
	CHECK_FDT(fdt_end_node(fdt));
	CHECK_FDT(fdt_end_node(fdt));

	CHECK_FDT(fdt_end_node(fdt));
	CHECK_FDT(fdt_finish(fdt));
	return fdt_totalsize(fdt);
}

static void test_fdt_built_tree(void **state)
{
	(void)state;
	void *fdt = test_malloc(8192);
	size_t len = build(fdt, 8192, V_GOOD);
	struct out *o = out_new();
	assert_int_equal(iomm_fdt_parse(&o->d, fdt, len), IOMM_OK);
	assert_int_equal(o->d.nunits, 3);
	assert_int_equal(o->units[0].type, IOMM_UNIT_SMMUV2);
	assert_int_equal(o->units[0].base, 0x2b500000);
	assert_int_equal(o->units[0].flags, 0);
	assert_int_equal(o->units[0].nirqs, 2);
	assert_int_equal(o->units[0].irqs[0], 32 + 10); /* SPI 10 */
	assert_int_equal(o->units[0].irqs[1], 16 + 3);  /* PPI 3 */
	assert_int_equal(o->units[1].type, IOMM_UNIT_SMMUV3);
	assert_int_equal(o->units[1].flags, IOMM_CFG_UNIT_COHERENT);
	assert_int_equal(o->units[2].type, IOMM_UNIT_PARAVIRT);
	assert_int_equal(o->units[2].pci_rid, 0x18);
	/* dma@1000 (SID 0x400, mask 0x3f), multi@2000 (5 and 6), display (7), pcie (0x100-0x1ff) */
	assert_int_equal(o->d.ndevices, 5);
	sid_is(&o->devs[0], 0, 0x400, 0x3f);
	assert_int_equal(o->devs[0].mmio_base, 0x1000);
	assert_int_equal(o->devs[0].mmio_size, 0x100);
	sid_is(&o->devs[1], 1, 5, 0);
	sid_is(&o->devs[2], 1, 6, 0);
	sid_is(&o->devs[3], 1, 7, 0);
	sid_is(&o->devs[4], 1, 0x100, 0xff);
	/* the framebuffer stays mapped one to one for the display */
	assert_int_equal(o->d.nresv, 1);
	assert_int_equal(o->resv[0].unit, 1);
	assert_int_equal(o->resv[0].id.sid, 7);
	assert_int_equal(o->resv[0].base, 0x80000000u);
	assert_int_equal(o->resv[0].size, 0x100000);
	struct iomm_board b;
	assert_int_equal(iomm_discovery_board(&o->d, &b), IOMM_OK);
	assert_int_equal(iomm_config_validate(&b, NULL, NULL), IOMM_OK);
	/* iommu-map-mask: RID 0x305 is looked up as 0x05 */
	uint32_t ph, sid;
	assert_int_equal(iomm_fdt_map_rid(fdt, len, 0x305, &ph, &sid), IOMM_OK);
	assert_int_equal(ph, 2);
	assert_int_equal(sid, 0x105);
	/* a reserved-region array too small */
	struct out *s = test_calloc(1, sizeof(*s));
	assert_int_equal(iomm_discovery_init(&s->d, s->units, 4, s->devs, 24, NULL, 0), IOMM_OK);
	rejects(s, iomm_fdt_parse(&s->d, fdt, len), IOMM_ENOSPC, "reserved-region array full");
	test_free(s);
	test_free(o);
	test_free(fdt);
}

static void test_fdt_malformed_properties(void **state)
{
	(void)state;
	static const struct {
		enum variant v;
		int status;
		const char *msg;
	} cases[] = {
	    {V_IOMMUS_ODD_LEN, IOMM_EINVAL, "whole number of cells"},
	    {V_IOMMUS_UNKNOWN, IOMM_EINVAL, "unknown IOMMU"},
	    {V_IOMMUS_TRUNCATED, IOMM_EINVAL, "truncated"},
	    {V_MAP_BAD_LEN, IOMM_EINVAL, "iommu-map is not a list"},
	    {V_MAP_TWO_CELLS, IOMM_EINVAL, "#iommu-cells = 1"},
	    {V_MAP_WRAPS, IOMM_EINVAL, "wrapping"},
	    {V_RESV_NOT_IDENTITY, IOMM_ENOTSUP, "not an identity"},
	    {V_RESV_BAD_LEN, IOMM_EINVAL, "iommu-addresses is not a list"},
	    {V_RESV_UNKNOWN_DEV, IOMM_EINVAL, "unknown device"},
	    {V_RESV_CELLS, IOMM_EINVAL, "cell sizes"},
	    {V_SMMU_NO_REG, IOMM_EINVAL, "without a usable reg"},
	    {V_VIOMMU_NO_REG, IOMM_EINVAL, "without a PCI address"},
	};
	void *fdt = test_malloc(8192);
	struct out *o = out_new();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = build(fdt, 8192, cases[i].v);
		rejects(o, iomm_fdt_parse(&o->d, fdt, len), cases[i].status, cases[i].msg);
	}
	size_t len = build(fdt, 8192, V_MAP_BAD_LEN);
	uint32_t ph, sid;
	assert_int_equal(iomm_fdt_map_rid(fdt, len, 0, &ph, &sid), IOMM_EINVAL);
	test_free(o);
	test_free(fdt);
}

/* Less common shapes: a bus with one-cell addresses, a non-GIC interrupt
 * controller, too many interrupts, an unknown interrupt parent, an SMMU
 * without phandle (nothing can name it), #iommu-cells 0, a PCI-addressed
 * master (no MMIO window), a phandle that is no known IOMMU, and (with
 * @bad) an IOMMU with #iommu-cells 3. */
static size_t build_odd(void *fdt, size_t cap, bool bad)
{
	CHECK_FDT(fdt_create(fdt, (int)cap));
	CHECK_FDT(fdt_finish_reservemap(fdt));
	CHECK_FDT(fdt_begin_node(fdt, ""));
	CHECK_FDT(fdt_property_u32(fdt, "#address-cells", 2));
	CHECK_FDT(fdt_property_u32(fdt, "#size-cells", 2));
	CHECK_FDT(fdt_begin_node(fdt, "intc"));
	CHECK_FDT(fdt_property_u32(fdt, "phandle", 10));
	CHECK_FDT(fdt_property_u32(fdt, "#interrupt-cells", 2));
	CHECK_FDT(fdt_end_node(fdt));
	CHECK_FDT(fdt_begin_node(fdt, "other-iommu"));
	CHECK_FDT(fdt_property_u32(fdt, "phandle", 3));
	CHECK_FDT(fdt_property_u32(fdt, "#iommu-cells", 1));
	CHECK_FDT(fdt_end_node(fdt));

	CHECK_FDT(fdt_begin_node(fdt, "bus"));
	CHECK_FDT(fdt_property_u32(fdt, "#address-cells", 1));
	CHECK_FDT(fdt_property_u32(fdt, "#size-cells", 1));
	CHECK_FDT(fdt_begin_node(fdt, "iommu@1000"));
	CHECK_FDT(fdt_property_string(fdt, "compatible", "arm,mmu-401"));
	const uint32_t r1[] = {0x1000, 0x100};
	prop_cells(fdt, "reg", r1, 2);
	CHECK_FDT(fdt_property_u32(fdt, "interrupt-parent", 10));
	const uint32_t irqs[] = {5, 0, 6, 0, 7, 0, 8, 0, 9, 0};
	prop_cells(fdt, "interrupts", irqs, 10);
	CHECK_FDT(fdt_property_u32(fdt, "#iommu-cells", 1));
	CHECK_FDT(fdt_property_u32(fdt, "phandle", 1));
	CHECK_FDT(fdt_end_node(fdt));
	CHECK_FDT(fdt_begin_node(fdt, "iommu@2000"));
	CHECK_FDT(fdt_property_string(fdt, "compatible", "arm,smmu-v2"));
	const uint32_t r2[] = {0x2000, 0x100};
	prop_cells(fdt, "reg", r2, 2);
	CHECK_FDT(fdt_end_node(fdt));
	CHECK_FDT(fdt_begin_node(fdt, "iommu@3000"));
	CHECK_FDT(fdt_property_string(fdt, "compatible", "arm,smmu-v1"));
	const uint32_t r3[] = {0x3000, 0x100};
	prop_cells(fdt, "reg", r3, 2);
	CHECK_FDT(fdt_property_u32(fdt, "interrupt-parent", 99));
	CHECK_FDT(fdt_property_u32(fdt, "interrupts", 4));
	CHECK_FDT(fdt_property_u32(fdt, "#iommu-cells", 0));
	CHECK_FDT(fdt_property_u32(fdt, "phandle", 2));
	CHECK_FDT(fdt_end_node(fdt));
	if (bad) {
		CHECK_FDT(fdt_begin_node(fdt, "iommu@5000"));
		CHECK_FDT(fdt_property_string(fdt, "compatible", "arm,mmu-500"));
		const uint32_t r5[] = {0x5000, 0x100};
		prop_cells(fdt, "reg", r5, 2);
		CHECK_FDT(fdt_property_u32(fdt, "#iommu-cells", 3));
		CHECK_FDT(fdt_property_u32(fdt, "phandle", 4));
		CHECK_FDT(fdt_end_node(fdt));
	}
	CHECK_FDT(fdt_begin_node(fdt, "dev@4000"));
	const uint32_t r4[] = {0x4000, 0x10};
	prop_cells(fdt, "reg", r4, 2);
	const uint32_t io[] = {1, 0x11, 2, 3, 5};
	prop_cells(fdt, "iommus", io, bad ? 2 : 3);
	CHECK_FDT(fdt_end_node(fdt));
	if (bad) {
		CHECK_FDT(fdt_begin_node(fdt, "dev@6000"));
		const uint32_t iob[] = {4, 1, 2, 3};
		prop_cells(fdt, "iommus", iob, 4);
		CHECK_FDT(fdt_end_node(fdt));
	}
	CHECK_FDT(fdt_end_node(fdt));

	CHECK_FDT(fdt_begin_node(fdt, "pci"));
	CHECK_FDT(fdt_property_u32(fdt, "#address-cells", 3));
	CHECK_FDT(fdt_property_u32(fdt, "#size-cells", 2));
	const uint32_t map[] = {0x100, 3, 0, 0x10};
	prop_cells(fdt, "iommu-map", map, 4); /* to an IOMMU nothing here drives */
	CHECK_FDT(fdt_begin_node(fdt, "ep@1,0"));
	const uint32_t pr[] = {0x800, 0, 0, 0, 0};
	prop_cells(fdt, "reg", pr, 5);
	const uint32_t pio[] = {1, 0x22, 3, 0x33};
	prop_cells(fdt, "iommus", pio, 4);
	CHECK_FDT(fdt_end_node(fdt));
	CHECK_FDT(fdt_end_node(fdt));

	CHECK_FDT(fdt_end_node(fdt));
	CHECK_FDT(fdt_finish(fdt));
	return fdt_totalsize(fdt);
}

static void test_fdt_uncommon_shapes(void **state)
{
	(void)state;
	void *fdt = test_malloc(8192);
	size_t len = build_odd(fdt, 8192, false);
	struct out *o = out_new();
	assert_int_equal(iomm_fdt_parse(&o->d, fdt, len), IOMM_OK);
	assert_int_equal(o->d.nunits, 2); /* iommu@2000 has no phandle */
	assert_int_equal(o->units[0].type, IOMM_UNIT_SMMUV2);
	assert_int_equal(o->units[0].base, 0x1000);
	assert_int_equal(o->units[0].size, 0x100);
	assert_int_equal(o->units[0].nirqs, IOMM_CFG_UNIT_IRQS);
	assert_int_equal(o->units[0].irqs[0], 5); /* not a GIC: the first cell */
	assert_int_equal(o->units[0].irqs[3], 8);
	assert_int_equal(o->units[1].base, 0x3000);
	assert_int_equal(o->units[1].nirqs, 0); /* unknown interrupt parent */
	/* dev@4000: SID 0x11 on unit 0, SID 0 on the zero-cell unit 1; ep@1,0: 0x22 */
	assert_int_equal(o->d.ndevices, 3);
	sid_is(&o->devs[0], 0, 0x11, 0);
	assert_int_equal(o->devs[0].mmio_base, 0x4000);
	sid_is(&o->devs[1], 1, 0, 0);
	sid_is(&o->devs[2], 0, 0x22, 0);
	assert_int_equal(o->devs[2].mmio_base, 0); /* PCI addresses are no MMIO window */
	uint32_t ph, sid;
	assert_int_equal(iomm_fdt_map_rid(fdt, len, 0x105, &ph, &sid), IOMM_OK);
	assert_int_equal(ph, 3);
	assert_int_equal(sid, 5);
	assert_int_equal(iomm_fdt_map_rid(fdt, len, 0x5, &ph, &sid), IOMM_ENOENT);
	struct out *s = test_calloc(1, sizeof(*s));
	assert_int_equal(iomm_discovery_init(&s->d, s->units, 4, s->devs, 1, NULL, 0), IOMM_OK);
	rejects(s, iomm_fdt_parse(&s->d, fdt, len), IOMM_ENOSPC, "device array full");
	test_free(s);

	len = build_odd(fdt, 8192, true);
	struct out *b = out_new();
	rejects(b, iomm_fdt_parse(&b->d, fdt, len), IOMM_EINVAL, "unknown IOMMU");
	test_free(b);
	test_free(o);
	test_free(fdt);
}

static void test_fdt_damaged_blob(void **state)
{
	(void)state;
	void *fdt = test_malloc(8192);
	size_t len = build(fdt, 8192, V_GOOD);
	struct out *o = out_new();
	/* truncated: fewer bytes than the header says */
	rejects(o, iomm_fdt_parse(&o->d, fdt, len - 1), IOMM_EINVAL, "damaged or truncated");
	rejects(o, iomm_fdt_parse(&o->d, fdt, 8), IOMM_EINVAL, "damaged or truncated");
	/* bad magic */
	uint8_t *p = fdt;
	p[0] ^= 0xff;
	rejects(o, iomm_fdt_parse(&o->d, fdt, len), IOMM_EINVAL, "damaged");
	p[0] ^= 0xff;
	/* a structure block offset beyond the blob */
	uint8_t save[4];
	memcpy(save, p + 8, 4);
	p[8] = 0x7f;
	rejects(o, iomm_fdt_parse(&o->d, fdt, len), IOMM_EINVAL, "damaged");
	memcpy(p + 8, save, 4);
	/* a property length that runs past the structure block */
	int node = fdt_path_offset(fdt, "/dma@1000");
	assert_true(node >= 0);
	int plen;
	const struct fdt_property *prop = fdt_get_property(fdt, node, "iommus", &plen);
	assert_non_null(prop);
	uint8_t *lenp = (uint8_t *)&prop->len;
	memcpy(save, lenp, 4);
	lenp[0] = 0x7f;
	rejects(o, iomm_fdt_parse(&o->d, fdt, len), IOMM_EINVAL, "damaged");
	uint32_t ph, sid;
	assert_int_equal(iomm_fdt_map_rid(fdt, len, 0, &ph, &sid), IOMM_EINVAL);
	memcpy(lenp, save, 4);
	assert_int_equal(iomm_fdt_parse(&o->d, fdt, len), IOMM_OK);
	/* a blob without IOMMUs: nothing found, no error */
	struct out *e = out_new();
	CHECK_FDT(fdt_create_empty_tree(fdt, 4096));
	assert_int_equal(iomm_fdt_parse(&e->d, fdt, 4096), IOMM_OK);
	assert_int_equal(e->d.nunits + e->d.ndevices + e->d.nresv, 0);
	assert_int_equal(iomm_fdt_map_rid(fdt, 4096, 0, &ph, &sid), IOMM_ENOENT);
	assert_int_equal(iomm_fdt_parse(NULL, fdt, 4096), IOMM_EINVAL);
	test_free(e);
	test_free(o);
	test_free(fdt);
}

/* ---- MSI controllers: msi-map, msi-parent, the ITS doorbell ------------------------ */

/* QEMU virt with a GICv3 ITS: pcie@10000000 has msi-map = <0 &its 0 0x10000>,
 * the ITS (phandle 0x8003) sits at 0x8080000; edu's MSIs (RID 0x08) reach
 * GITS_TRANSLATER at 0x8090040 with DeviceID 0x08. */
static void test_fdt_qemu_virt_its(void **state)
{
	(void)state;
	size_t len;
	void *fdt = load("virt-smmuv3-its.dtb", &len);
	uint32_t ph = 0, id = 0;
	uint64_t db = 0;
	assert_int_equal(iomm_fdt_map_msi(fdt, len, 0x08, &ph, &id), IOMM_OK);
	assert_int_equal(ph, 0x8003);
	assert_int_equal(id, 0x08);
	assert_int_equal(iomm_fdt_msi_doorbell(fdt, len, ph, &db), IOMM_OK);
	assert_int_equal(db, 0x8080000u + IOMM_GITS_TRANSLATER);
	assert_int_equal(db, 0x8090040u);
	/* the IOMMU map is a different property */
	assert_int_equal(iomm_fdt_map_rid(fdt, len, 0x08, &ph, &id), IOMM_OK);
	assert_int_equal(ph, 0x8004);
	assert_int_equal(iomm_fdt_map_msi(fdt, len, 0x10000, &ph, &id), IOMM_ENOENT);
	assert_int_equal(iomm_fdt_msi_doorbell(fdt, len, 0x8004, &db), IOMM_ENOTSUP); /* the SMMU */
	assert_int_equal(iomm_fdt_msi_doorbell(fdt, len, 0x9999, &db), IOMM_ENOENT);
	assert_int_equal(iomm_fdt_msi_doorbell(fdt, 100, 0x8003, &db), IOMM_EINVAL);
	assert_int_equal(iomm_fdt_msi_doorbell(fdt, len, 0x8003, NULL), IOMM_EINVAL);
	assert_int_equal(iomm_fdt_map_msi(NULL, len, 0x08, &ph, &id), IOMM_EINVAL);
	assert_int_equal(iomm_fdt_msi_parent(fdt, len, "/pcie@10000000", &ph, &id), IOMM_ENOENT);
	test_free(fdt);
}

/* / : an ITS (phandle 20, #msi-cells 1), a GICv2m frame (phandle 21, no
 * #msi-cells), an ITS whose reg is too small for GITS_TRANSLATER (22);
 * devices with msi-parent <20 0x42>, <21>, <20> (a cell short), none; a
 * host bridge with msi-map <0 20 0x1000 0x100>, msi-map-mask 0xff. */
static size_t build_msi(void *fdt, size_t cap)
{
	CHECK_FDT(fdt_create(fdt, (int)cap));
	CHECK_FDT(fdt_finish_reservemap(fdt));
	CHECK_FDT(fdt_begin_node(fdt, ""));
	CHECK_FDT(fdt_property_u32(fdt, "#address-cells", 2));
	CHECK_FDT(fdt_property_u32(fdt, "#size-cells", 2));
	CHECK_FDT(fdt_begin_node(fdt, "its@8080000"));
	CHECK_FDT(fdt_property_string(fdt, "compatible", "arm,gic-v3-its"));
	const uint32_t reg[] = {0x1, 0x8080000, 0, 0x20000};
	prop_cells(fdt, "reg", reg, 4);
	CHECK_FDT(fdt_property(fdt, "msi-controller", NULL, 0));
	CHECK_FDT(fdt_property_u32(fdt, "#msi-cells", 1));
	CHECK_FDT(fdt_property_u32(fdt, "phandle", 20));
	CHECK_FDT(fdt_end_node(fdt));
	CHECK_FDT(fdt_begin_node(fdt, "v2m@8020000"));
	CHECK_FDT(fdt_property_string(fdt, "compatible", "arm,gic-v2m-frame"));
	const uint32_t vreg[] = {0, 0x8020000, 0, 0x1000};
	prop_cells(fdt, "reg", vreg, 4);
	CHECK_FDT(fdt_property(fdt, "msi-controller", NULL, 0));
	CHECK_FDT(fdt_property_u32(fdt, "phandle", 21));
	CHECK_FDT(fdt_end_node(fdt));
	CHECK_FDT(fdt_begin_node(fdt, "its@9000000"));
	CHECK_FDT(fdt_property_string(fdt, "compatible", "arm,gic-v3-its"));
	const uint32_t sreg[] = {0, 0x9000000, 0, 0x10000};
	prop_cells(fdt, "reg", sreg, 4);
	CHECK_FDT(fdt_property_u32(fdt, "#msi-cells", 1));
	CHECK_FDT(fdt_property_u32(fdt, "phandle", 22));
	CHECK_FDT(fdt_end_node(fdt));
	CHECK_FDT(fdt_begin_node(fdt, "dev@1000"));
	const uint32_t p1[] = {20, 0x42};
	prop_cells(fdt, "msi-parent", p1, 2);
	CHECK_FDT(fdt_end_node(fdt));
	CHECK_FDT(fdt_begin_node(fdt, "dev@2000"));
	CHECK_FDT(fdt_property_u32(fdt, "msi-parent", 21));
	CHECK_FDT(fdt_end_node(fdt));
	CHECK_FDT(fdt_begin_node(fdt, "dev@3000"));
	CHECK_FDT(fdt_property_u32(fdt, "msi-parent", 20));
	CHECK_FDT(fdt_end_node(fdt));
	CHECK_FDT(fdt_begin_node(fdt, "dev@4000"));
	CHECK_FDT(fdt_end_node(fdt));
	CHECK_FDT(fdt_begin_node(fdt, "dev@5000"));
	CHECK_FDT(fdt_property_u32(fdt, "msi-parent", 77));
	CHECK_FDT(fdt_end_node(fdt));
	CHECK_FDT(fdt_begin_node(fdt, "dev@6000"));
	CHECK_FDT(fdt_property(fdt, "msi-parent", "\0\0\x14", 3)); /* not whole cells */
	CHECK_FDT(fdt_end_node(fdt));
	CHECK_FDT(fdt_begin_node(fdt, "its@a000000"));
	CHECK_FDT(fdt_property_string(fdt, "compatible", "arm,gic-v3-its"));
	const uint32_t zreg[] = {0, 0, 0, 0x20000}; /* base 0: no doorbell */
	prop_cells(fdt, "reg", zreg, 4);
	CHECK_FDT(fdt_property_u32(fdt, "#msi-cells", 2)); /* the binding allows 0 or 1 */
	CHECK_FDT(fdt_property_u32(fdt, "phandle", 23));
	CHECK_FDT(fdt_end_node(fdt));
	CHECK_FDT(fdt_begin_node(fdt, "dev@7000"));
	const uint32_t p7[] = {23, 1, 2};
	prop_cells(fdt, "msi-parent", p7, 3);
	CHECK_FDT(fdt_end_node(fdt));
	CHECK_FDT(fdt_begin_node(fdt, "its@b000000"));
	CHECK_FDT(fdt_property_string(fdt, "compatible", "arm,gic-v3-its"));
	const uint32_t nreg[] = {0, 0xb000000, 0, 0}; /* size 0: unknown */
	prop_cells(fdt, "reg", nreg, 4);
	CHECK_FDT(fdt_property(fdt, "#msi-cells", "\0\0", 2)); /* malformed */
	CHECK_FDT(fdt_property_u32(fdt, "phandle", 24));
	CHECK_FDT(fdt_end_node(fdt));
	CHECK_FDT(fdt_begin_node(fdt, "dev@8000"));
	const uint32_t p8[] = {24, 5};
	prop_cells(fdt, "msi-parent", p8, 2);
	CHECK_FDT(fdt_end_node(fdt));
	CHECK_FDT(fdt_begin_node(fdt, "its@c008000"));
	CHECK_FDT(fdt_property_string(fdt, "compatible", "arm,gic-v3-its"));
	const uint32_t mreg[] = {0, 0xc008000, 0, 0x20000}; /* not 64 KiB aligned */
	prop_cells(fdt, "reg", mreg, 4);
	CHECK_FDT(fdt_property_u32(fdt, "phandle", 25));
	CHECK_FDT(fdt_end_node(fdt));
	CHECK_FDT(fdt_begin_node(fdt, "its@ffffffffffff0000"));
	CHECK_FDT(fdt_property_string(fdt, "compatible", "arm,gic-v3-its"));
	const uint32_t wreg[] = {0xffffffff, 0xffff0000, 0, 0}; /* the doorbell would wrap */
	prop_cells(fdt, "reg", wreg, 4);
	CHECK_FDT(fdt_property_u32(fdt, "phandle", 26));
	CHECK_FDT(fdt_end_node(fdt));
	CHECK_FDT(fdt_begin_node(fdt, "pcie@40000000"));
	const uint32_t map[] = {0, 20, 0x1000, 0x100};
	prop_cells(fdt, "msi-map", map, 4);
	CHECK_FDT(fdt_property_u32(fdt, "msi-map-mask", 0xff));
	CHECK_FDT(fdt_end_node(fdt));
	CHECK_FDT(fdt_end_node(fdt));
	CHECK_FDT(fdt_finish(fdt));
	return fdt_totalsize(fdt);
}

static void test_fdt_msi_built(void **state)
{
	(void)state;
	void *fdt = test_malloc(4096);
	size_t len = build_msi(fdt, 4096);
	uint32_t ph = 0, id = 0;
	uint64_t db = 0;
	assert_int_equal(iomm_fdt_msi_parent(fdt, len, "/dev@1000", &ph, &id), IOMM_OK);
	assert_int_equal(ph, 20);
	assert_int_equal(id, 0x42);
	assert_int_equal(iomm_fdt_msi_doorbell(fdt, len, ph, &db), IOMM_OK);
	assert_int_equal(db, 0x108090040ull); /* two-cell base */
	assert_int_equal(iomm_fdt_msi_parent(fdt, len, "/dev@2000", &ph, &id), IOMM_OK);
	assert_int_equal(ph, 21);
	assert_int_equal(id, 0);
	/* a GICv2m frame carries no DeviceID: not a doorbell the host role maps */
	assert_int_equal(iomm_fdt_msi_doorbell(fdt, len, 21, &db), IOMM_ENOTSUP);
	assert_int_equal(iomm_fdt_msi_doorbell(fdt, len, 22, &db), IOMM_EINVAL); /* reg too small */
	assert_int_equal(iomm_fdt_msi_parent(fdt, len, "/dev@3000", &ph, &id), IOMM_EINVAL);
	assert_int_equal(iomm_fdt_msi_parent(fdt, len, "/dev@4000", &ph, &id), IOMM_ENOENT);
	assert_int_equal(iomm_fdt_msi_parent(fdt, len, "/dev@5000", &ph, &id), IOMM_EINVAL);
	assert_int_equal(iomm_fdt_msi_parent(fdt, len, "/nope", &ph, &id), IOMM_ENOENT);
	assert_int_equal(iomm_fdt_msi_parent(fdt, len, NULL, &ph, &id), IOMM_EINVAL);
	assert_int_equal(iomm_fdt_msi_parent(NULL, len, "/dev@1000", &ph, &id), IOMM_EINVAL);
	assert_int_equal(iomm_fdt_msi_parent(fdt, len, "/dev@1000", NULL, &id), IOMM_EINVAL);
	assert_int_equal(iomm_fdt_msi_parent(fdt, len, "/dev@1000", &ph, NULL), IOMM_EINVAL);
	assert_int_equal(iomm_fdt_msi_parent(fdt, 100, "/dev@1000", &ph, &id), IOMM_EINVAL);
	/* msi-parent of 3 bytes; #msi-cells 2; #msi-cells of 2 bytes */
	assert_int_equal(iomm_fdt_msi_parent(fdt, len, "/dev@6000", &ph, &id), IOMM_EINVAL);
	assert_int_equal(iomm_fdt_msi_parent(fdt, len, "/dev@7000", &ph, &id), IOMM_EINVAL);
	assert_int_equal(iomm_fdt_msi_parent(fdt, len, "/dev@8000", &ph, &id), IOMM_EINVAL);
	/* an ITS at address 0; one whose reg size is 0 (accepted: size unknown) */
	assert_int_equal(iomm_fdt_msi_doorbell(fdt, len, 23, &db), IOMM_EINVAL);
	db = 0;
	assert_int_equal(iomm_fdt_msi_doorbell(fdt, len, 24, &db), IOMM_OK);
	assert_int_equal(db, 0xb000000ull + IOMM_GITS_TRANSLATER);
	assert_int_equal(iomm_fdt_msi_doorbell(NULL, len, 20, &db), IOMM_EINVAL);
	/* an ITS base off a 64 KiB boundary is no ITS frame; one whose
	 * doorbell would wrap past 2^64: both refused, nothing written */
	db = 0;
	assert_int_equal(iomm_fdt_msi_doorbell(fdt, len, 25, &db), IOMM_EINVAL);
	assert_int_equal(iomm_fdt_msi_doorbell(fdt, len, 26, &db), IOMM_EINVAL);
	assert_int_equal(db, 0);
	/* msi-map with its mask: RID 0x1234 -> 0x34 -> DeviceID 0x1034 */
	assert_int_equal(iomm_fdt_map_msi(fdt, len, 0x1234, &ph, &id), IOMM_OK);
	assert_int_equal(ph, 20);
	assert_int_equal(id, 0x1034);
	assert_int_equal(iomm_fdt_map_rid(fdt, len, 0x1234, &ph, &id), IOMM_ENOENT);
	test_free(fdt);
}

/* QEMU riscv64 virt with riscv-iommu-pci at 00:01.0: a PCI-function unit (base 0,
 * RID 0x08); every other requester ID maps to itself. */
static void test_fdt_riscv_virt_pci(void **state)
{
	(void)state;
	size_t len;
	void *fdt = load("riscv-virt-iommu-pci.dtb", &len);
	struct out *o = out_new();
	assert_int_equal(iomm_fdt_parse(&o->d, fdt, len), IOMM_OK);
	assert_int_equal(o->d.nunits, 1);
	assert_int_equal(o->units[0].type, IOMM_UNIT_RISCV);
	assert_int_equal(o->units[0].base, 0);
	assert_int_equal(o->units[0].pci_rid, 0x08);
	assert_int_equal(o->units[0].fw_ref, 0x8000);
	uint32_t ph = 0, sid = 0;
	assert_int_equal(iomm_fdt_map_rid(fdt, len, 0x10, &ph, &sid), IOMM_OK); /* edu */
	assert_int_equal(ph, 0x8000);
	assert_int_equal(sid, 0x10);
	assert_int_equal(iomm_fdt_map_rid(fdt, len, 0x08, &ph, &sid), IOMM_ENOENT); /* itself */
	/* the board it describes validates */
	struct iomm_board b = {.units = o->units, .nunits = o->d.nunits, .devices = o->devs,
			       .ndevices = o->d.ndevices};
	assert_int_equal(iomm_config_validate(&b, NULL, NULL), IOMM_OK);
	test_free(o);
	test_free(fdt);
}

/* QEMU riscv64 virt,iommu-sys=on: a platform unit (riscv,iommu). QEMU 10.0 writes its
 * four wired interrupts as two-cell specifiers (number, type) under the PLIC, whose
 * #interrupt-cells is 1: read by the binding, that is eight one-cell interrupts (the
 * first IOMM_CFG_UNIT_IRQS kept). Its iommu-map starts with an empty entry, which maps
 * nothing. */
static void test_fdt_riscv_virt_sys(void **state)
{
	(void)state;
	size_t len;
	void *fdt = load("riscv-virt-iommu-sys.dtb", &len);
	struct out *o = out_new();
	assert_int_equal(iomm_fdt_parse(&o->d, fdt, len), IOMM_OK);
	assert_int_equal(o->d.nunits, 1);
	assert_int_equal(o->units[0].type, IOMM_UNIT_RISCV);
	assert_int_equal(o->units[0].base, 0x3010000);
	assert_int_equal(o->units[0].size, 0x1000);
	assert_int_equal(o->units[0].nirqs, IOMM_CFG_UNIT_IRQS < 8 ? IOMM_CFG_UNIT_IRQS : 8);
	assert_int_equal(o->units[0].irqs[0], 0x24);
	assert_int_equal(o->units[0].irqs[1], 1);
	assert_int_equal(o->units[0].irqs[2], 0x25);
	uint32_t ph = 0, sid = 0;
	assert_int_equal(iomm_fdt_map_rid(fdt, len, 0x10, &ph, &sid), IOMM_OK);
	assert_int_equal(ph, 0x8000);
	assert_int_equal(sid, 0x10);
	test_free(o);
	test_free(fdt);
}

#define T(fn) cmocka_unit_test(fn)

int main(int argc, char **argv)
{
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	const struct CMUnitTest tests[] = {
	    T(test_fdt_qemu_virt_smmuv3),
	    T(test_fdt_qemu_virt_virtio_iommu),
	    T(test_fdt_built_tree),
	    T(test_fdt_malformed_properties),
	    T(test_fdt_uncommon_shapes),
	    T(test_fdt_damaged_blob),
	    T(test_fdt_qemu_virt_its),
	    T(test_fdt_msi_built),
	    T(test_fdt_riscv_virt_pci),
	    T(test_fdt_riscv_virt_sys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
