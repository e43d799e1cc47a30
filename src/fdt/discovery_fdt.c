/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Device tree discovery (optional component IOMM_DISCOVERY_FDT) on top of
 * libfdt: IOMMU nodes, `iommus` and `iommu-map` masters, /reserved-memory
 * regions with `iommu-addresses`; `msi-map` / `msi-parent` and the GICv3
 * ITS doorbell for the host role. The blob is checked whole first
 * (fdt_check_full), then every property length is checked before use.
 * Only libfdt's read-only functions are used; nothing is allocated.
 */
#include <libfdt.h>

#include "../discovery_internal.h"
#include "../iomm_internal.h"

struct fdtp {
	struct iomm_discovery *d;
	struct iomm_disc_mark m;
	const void *fdt;
};

static const char *const smmuv2_compat[] = {
    "arm,smmu-v1", "arm,smmu-v2", "arm,mmu-400", "arm,mmu-401", "arm,mmu-500",
};

static int check_blob(const void *fdt, size_t len)
{
	if (len < sizeof(struct fdt_header) || fdt_check_header(fdt) ||
	    fdt_totalsize(fdt) > len || fdt_check_full(fdt, fdt_totalsize(fdt)))
		return IOMM_EINVAL;
	return IOMM_OK;
}

static uint32_t cell(const fdt32_t *p, int i)
{
	return fdt32_ld(p + i);
}

/* @n cells (1 or 2) starting at @p as one number. */
static uint64_t cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = v << 32 | cell(p, i);
	return v;
}

/* The first (address, size) of a node's `reg`, in its parent's cells.
 * Returns false when absent or not representable. */
static bool first_reg(const void *fdt, int node, uint64_t *base, uint64_t *size)
{
	int parent = fdt_parent_offset(fdt, node);
	int ac = parent >= 0 ? fdt_address_cells(fdt, parent) : 2;
	int sc = parent >= 0 ? fdt_size_cells(fdt, parent) : 1;
	int len;
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
	if (!reg || ac < 1 || ac > 2 || sc < 0 || sc > 2 || len < 4 * (ac + sc))
		return false;
	*base = cells(reg, ac);
	*size = sc ? cells(reg + ac, sc) : 0;
	return true;
}

/* `#interrupt-cells` of the interrupt parent of @node, or -1. */
static int irq_cells(const void *fdt, int node)
{
	for (int n = node; n >= 0; n = fdt_parent_offset(fdt, n)) {
		int len;
		const fdt32_t *ip = fdt_getprop(fdt, n, "interrupt-parent", &len);
		if (ip && len == 4) {
			int ctl = fdt_node_offset_by_phandle(fdt, cell(ip, 0));
			const fdt32_t *ic = ctl >= 0 ? fdt_getprop(fdt, ctl, "#interrupt-cells", &len)
						     : NULL;
			return ic && len == 4 ? (int)cell(ic, 0) : -1;
		}
	}
	return -1;
}

static void read_irqs(const void *fdt, int node, struct iomm_cfg_unit *u)
{
	int len, ic = irq_cells(fdt, node);
	const fdt32_t *irq = fdt_getprop(fdt, node, "interrupts", &len);
	if (!irq || ic < 1 || ic > 4)
		return;
	int n = len / (4 * ic);
	for (int i = 0; i < n && u->nirqs < IOMM_CFG_UNIT_IRQS; i++) {
		const fdt32_t *c = irq + i * ic;
		uint32_t v = cell(c, 0);
		if (ic == 3) /* GIC: type, number, flags -> interrupt ID */
			v = cell(c, 1) + (cell(c, 0) == 1 ? 16u : 32u);
		u->irqs[u->nirqs++] = v;
	}
}

/* A unit from @node: a PCI function (@pci: `reg` is its PCI address, the
 * registers a BAR) or a platform device with `reg` and interrupts. */
static int add_unit(struct fdtp *t, int node, enum iomm_cfg_unit_type type, bool pci)
{
	const void *fdt = t->fdt;
	struct iomm_cfg_unit u = {.type = type, .fw_ref = fdt_get_phandle(fdt, node)};
	u.name = fdt_get_name(fdt, node, NULL);
	if (!u.fw_ref)
		return IOMM_OK; /* nothing can refer to it */
	if (fdt_getprop(fdt, node, "dma-coherent", NULL))
		u.flags |= IOMM_CFG_UNIT_COHERENT;
	if (pci) {
		int len;
		const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
		if (!reg || len < 4)
			return iomm_disc_fail(t->d, &t->m, IOMM_EINVAL, (uint32_t)node,
					      "PCI IOMMU node without a PCI address");
		u.pci_rid = (cell(reg, 0) >> 8) & 0xffffu;
	} else {
		if (!first_reg(fdt, node, &u.base, &u.size) || !u.base)
			return iomm_disc_fail(t->d, &t->m, IOMM_EINVAL, (uint32_t)node,
					      "IOMMU node without a usable reg");
		read_irqs(fdt, node, &u);
	}
	if (iomm_disc_add_unit(t->d, &u))
		return iomm_disc_fail(t->d, &t->m, IOMM_ENOSPC, (uint32_t)node, "unit array full");
	return IOMM_OK;
}

static int find_units(struct fdtp *t)
{
	const void *fdt = t->fdt;
	for (int node = fdt_next_node(fdt, -1, NULL); node >= 0;
	     node = fdt_next_node(fdt, node, NULL)) {
		int rc = IOMM_OK;
		if (!fdt_node_check_compatible(fdt, node, "arm,smmu-v3")) {
			rc = add_unit(t, node, IOMM_UNIT_SMMUV3, false);
		} else if (!fdt_node_check_compatible(fdt, node, "virtio,pci-iommu")) {
			rc = add_unit(t, node, IOMM_UNIT_PARAVIRT, true);
		} else if (!fdt_node_check_compatible(fdt, node, "riscv,pci-iommu")) {
			/* Linux's riscv,iommu.yaml: a PCI function (the check comes first,
			 * as such a node may list riscv,iommu too) */
			rc = add_unit(t, node, IOMM_UNIT_RISCV, true);
		} else if (!fdt_node_check_compatible(fdt, node, "riscv,iommu")) {
			rc = add_unit(t, node, IOMM_UNIT_RISCV, false);
		} else {
			for (size_t i = 0; i < sizeof(smmuv2_compat) / sizeof(smmuv2_compat[0]); i++) {
				if (!fdt_node_check_compatible(fdt, node, smmuv2_compat[i])) {
					rc = add_unit(t, node, IOMM_UNIT_SMMUV2, false);
					break;
				}
			}
		}
		if (rc)
			return rc;
	}
	return IOMM_OK;
}

/* `#iommu-cells` of the node with @phandle, or -1 (-2: no such node). */
static int iommu_cells(const void *fdt, uint32_t phandle)
{
	int node = fdt_node_offset_by_phandle(fdt, phandle);
	if (node < 0)
		return -2;
	int len;
	const fdt32_t *c = fdt_getprop(fdt, node, "#iommu-cells", &len);
	return c && len == 4 && cell(c, 0) <= 2 ? (int)cell(c, 0) : -1;
}

/* One `iommus` list: call @fn for each specifier that names a known unit. */
static int walk_iommus(struct fdtp *t, int node,
		       int (*fn)(struct fdtp *t, int node, uint32_t unit, uint32_t sid,
				 uint32_t mask, void *arg),
		       void *arg)
{
	int len;
	const fdt32_t *p = fdt_getprop(t->fdt, node, "iommus", &len);
	if (!p)
		return IOMM_OK;
	int n = len / 4;
	if (len % 4)
		return iomm_disc_fail(t->d, &t->m, IOMM_EINVAL, (uint32_t)node,
				      "iommus length is not a whole number of cells");
	for (int i = 0; i < n;) {
		uint32_t ph = cell(p, i);
		int c = iommu_cells(t->fdt, ph);
		if (c < 0 || i + 1 + c > n)
			return iomm_disc_fail(t->d, &t->m, IOMM_EINVAL, (uint32_t)node,
					      "iommus names an unknown IOMMU or is truncated");
		int u = iomm_disc_find_unit(t->d, &t->m, ph);
		if (u >= 0) {
			uint32_t sid = c >= 1 ? cell(p, i + 1) : 0;
			uint32_t mask = c == 2 ? cell(p, i + 2) : 0;
			int rc = fn(t, node, (uint32_t)u, sid, mask, arg);
			if (rc)
				return rc;
		}
		i += 1 + c;
	}
	return IOMM_OK;
}

static int add_master(struct fdtp *t, int node, uint32_t unit, uint32_t sid, uint32_t mask,
		      void *arg)
{
	(void)arg;
	struct iomm_cfg_device dev = {
	    .name = fdt_get_name(t->fdt, node, NULL),
	    .unit = unit,
	    .id = {.kind = IOMM_DEVID_SID, .sid = sid & ~mask, .mask = mask},
	    .policy = IOMM_POLICY_BLOCKED,
	};
	if (!first_reg(t->fdt, node, &dev.mmio_base, &dev.mmio_size))
		dev.mmio_base = dev.mmio_size = 0;
	if (iomm_disc_add_device(t->d, &dev))
		return iomm_disc_fail(t->d, &t->m, IOMM_ENOSPC, (uint32_t)node,
				      "device array full");
	return IOMM_OK;
}

static int add_map(struct fdtp *t, int node)
{
	int len;
	const fdt32_t *p = fdt_getprop(t->fdt, node, "iommu-map", &len);
	if (!p)
		return IOMM_OK;
	if (len <= 0 || len % 16)
		return iomm_disc_fail(t->d, &t->m, IOMM_EINVAL, (uint32_t)node,
				      "iommu-map is not a list of (rid, phandle, base, length)");
	for (int i = 0; i < len / 4; i += 4) {
		uint32_t ph = cell(p, i + 1), base = cell(p, i + 2), n = cell(p, i + 3);
		if (iommu_cells(t->fdt, ph) != 1)
			return iomm_disc_fail(t->d, &t->m, IOMM_EINVAL, (uint32_t)node,
					      "iommu-map names an IOMMU without #iommu-cells = 1");
		int u = iomm_disc_find_unit(t->d, &t->m, ph);
		if (u < 0 || n == 0)
			continue; /* an empty entry maps nothing (QEMU's riscv virt writes one) */
		int rc = iomm_disc_add_sid_range(t->d, (uint32_t)u, base, n,
						 fdt_get_name(t->fdt, node, NULL));
		if (rc == IOMM_ENOSPC)
			return iomm_disc_fail(t->d, &t->m, rc, (uint32_t)node, "device array full");
		if (rc)
			return iomm_disc_fail(t->d, &t->m, rc, (uint32_t)node,
					      "iommu-map entry wrapping");
	}
	return IOMM_OK;
}

struct resv_arg {
	uint64_t base, size;
};

static int add_resv(struct fdtp *t, int node, uint32_t unit, uint32_t sid, uint32_t mask,
		    void *arg)
{
	const struct resv_arg *a = arg;
	struct iomm_cfg_resv r = {
	    .unit = unit,
	    .id = {.kind = IOMM_DEVID_SID, .sid = sid & ~mask, .mask = mask},
	    .base = a->base,
	    .size = a->size,
	    .prot = IOMM_READ | IOMM_WRITE,
	};
	if (iomm_disc_add_resv(t->d, &r))
		return iomm_disc_fail(t->d, &t->m, IOMM_ENOSPC, (uint32_t)node,
				      "reserved-region array full");
	return IOMM_OK;
}

static int reserved_memory(struct fdtp *t)
{
	const void *fdt = t->fdt;
	int rm = fdt_path_offset(fdt, "/reserved-memory");
	if (rm < 0)
		return IOMM_OK;
	int ac = fdt_address_cells(fdt, rm), sc = fdt_size_cells(fdt, rm);
	if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
		return iomm_disc_fail(t->d, &t->m, IOMM_EINVAL, (uint32_t)rm,
				      "/reserved-memory cell sizes unsupported");
	int child;
	fdt_for_each_subnode(child, fdt, rm)
	{
		int len;
		const fdt32_t *ia = fdt_getprop(fdt, child, "iommu-addresses", &len);
		uint64_t base, size;
		if (!ia || !first_reg(fdt, child, &base, &size))
			continue; /* no mapping to keep (or only an IOVA hole) */
		int step = 1 + ac + sc;
		if (len % (4 * step))
			return iomm_disc_fail(
			    t->d, &t->m, IOMM_EINVAL, (uint32_t)child,
			    "iommu-addresses is not a list of (phandle, address, size)");
		for (int i = 0; i < len / 4; i += step) {
			struct resv_arg a = {cells(ia + i + 1, ac), cells(ia + i + 1 + ac, sc)};
			if (a.base != base || a.size != size || !a.size)
				return iomm_disc_fail(
				    t->d, &t->m, IOMM_ENOTSUP, (uint32_t)child,
				    "iommu-addresses is not an identity mapping of reg");
			int dev = fdt_node_offset_by_phandle(fdt, cell(ia, i));
			if (dev < 0)
				return iomm_disc_fail(t->d, &t->m, IOMM_EINVAL, (uint32_t)child,
						      "iommu-addresses names an unknown device");
			int rc = walk_iommus(t, dev, add_resv, &a);
			if (rc)
				return rc;
		}
	}
	return IOMM_OK;
}

int iomm_fdt_parse(struct iomm_discovery *d, const void *fdt, size_t len)
{
	if (!d || !fdt)
		return IOMM_EINVAL;
	struct fdtp t = {.d = d, .fdt = fdt};
	iomm_disc_begin(d, &t.m);
	if (check_blob(fdt, len))
		return iomm_disc_fail(d, &t.m, IOMM_EINVAL, 0,
				      "damaged or truncated device tree blob");
	int rc = find_units(&t);
	for (int node = fdt_next_node(fdt, -1, NULL); !rc && node >= 0;
	     node = fdt_next_node(fdt, node, NULL)) {
		rc = walk_iommus(&t, node, add_master, NULL);
		if (!rc)
			rc = add_map(&t, node);
	}
	if (!rc)
		rc = reserved_memory(&t);
	return rc;
}

/* Translate @rid through the first node's @map (with @mask), as the PCI
 * `iommu-map` and `msi-map` bindings define them: (rid-base, phandle,
 * out-base, length) cells. */
static int map_rid(const void *fdt, size_t len, const char *map, const char *mask, uint32_t rid,
		   uint32_t *phandle, uint32_t *out)
{
	if (!fdt || !phandle || !out || check_blob(fdt, len))
		return IOMM_EINVAL;
	for (int node = fdt_next_node(fdt, -1, NULL); node >= 0;
	     node = fdt_next_node(fdt, node, NULL)) {
		int plen, mlen;
		const fdt32_t *p = fdt_getprop(fdt, node, map, &plen);
		if (!p)
			continue;
		if (plen <= 0 || plen % 16)
			return IOMM_EINVAL;
		const fdt32_t *mp = fdt_getprop(fdt, node, mask, &mlen);
		uint32_t r = rid & (mp && mlen == 4 ? cell(mp, 0) : UINT32_MAX);
		for (int i = 0; i < plen / 4; i += 4) {
			uint64_t rb = cell(p, i), n = cell(p, i + 3);
			if (r >= rb && r < rb + n) {
				*phandle = cell(p, i + 1);
				*out = (uint32_t)(cell(p, i + 2) + (r - rb));
				return IOMM_OK;
			}
		}
		return IOMM_ENOENT; /* the first host bridge with a map decides */
	}
	return IOMM_ENOENT;
}

int iomm_fdt_map_rid(const void *fdt, size_t len, uint32_t rid, uint32_t *iommu_phandle,
		     uint32_t *sid)
{
	return map_rid(fdt, len, "iommu-map", "iommu-map-mask", rid, iommu_phandle, sid);
}

int iomm_fdt_map_msi(const void *fdt, size_t len, uint32_t rid, uint32_t *msi_phandle,
		     uint32_t *devid)
{
	return map_rid(fdt, len, "msi-map", "msi-map-mask", rid, msi_phandle, devid);
}

int iomm_fdt_msi_parent(const void *fdt, size_t len, const char *path, uint32_t *msi_phandle,
			uint32_t *devid)
{
	if (!fdt || !path || !msi_phandle || !devid || check_blob(fdt, len))
		return IOMM_EINVAL;
	int node = fdt_path_offset(fdt, path);
	if (node < 0)
		return IOMM_ENOENT;
	int plen, clen;
	const fdt32_t *p = fdt_getprop(fdt, node, "msi-parent", &plen);
	if (!p)
		return IOMM_ENOENT;
	if (plen < 4 || plen % 4)
		return IOMM_EINVAL;
	int ctl = fdt_node_offset_by_phandle(fdt, cell(p, 0));
	if (ctl < 0)
		return IOMM_EINVAL;
	/* #msi-cells: 0 (absent) or 1, the DeviceID (msi-controller binding) */
	const fdt32_t *mc = fdt_getprop(fdt, ctl, "#msi-cells", &clen);
	uint32_t ncells = mc && clen == 4 ? cell(mc, 0) : 0;
	if ((mc && clen != 4) || ncells > 1 || plen < 4 * (1 + (int)ncells))
		return IOMM_EINVAL;
	*msi_phandle = cell(p, 0);
	*devid = ncells ? cell(p, 1) : 0;
	return IOMM_OK;
}

int iomm_fdt_msi_doorbell(const void *fdt, size_t len, uint32_t msi_phandle, uint64_t *doorbell)
{
	if (!fdt || !doorbell || check_blob(fdt, len))
		return IOMM_EINVAL;
	int node = fdt_node_offset_by_phandle(fdt, msi_phandle);
	if (node < 0)
		return IOMM_ENOENT;
	if (fdt_node_check_compatible(fdt, node, "arm,gic-v3-its") != 0)
		return IOMM_ENOTSUP;
	uint64_t base = 0, size = 0;
	/* GICv3 (IHI 0069) 12.19: the ITS's register frames are 64 KiB each and
	 * 64 KiB aligned, GITS_TRANSLATER at 0x0040 of the second one. */
	if (!first_reg(fdt, node, &base, &size) || !base || (base & IOMM_GITS_ALIGN_MASK) ||
	    base + IOMM_GITS_TRANSLATER < base || (size && size <= IOMM_GITS_TRANSLATER))
		return IOMM_EINVAL;
	*doorbell = base + IOMM_GITS_TRANSLATER;
	return IOMM_OK;
}
