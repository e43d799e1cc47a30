/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ACPI: IORT (Arm DEN 0049), the MADT's GIC ITS structures and DMAR (Intel
 * VT-d specification, chapter 8)
 * read from table bytes the caller hands in, plus the RSDP search and the
 * RSDT/XSDT walk of the bare-metal x86 case. Every length, offset and count
 * is checked against the bytes actually present before it is used.
 */
#include "discovery_internal.h"

#include "iomm_internal.h"

/* ---- little-endian byte readers (any alignment) ---- */

static uint32_t rd8(const uint8_t *p, uint32_t off)
{
	return p[off];
}

static uint32_t rd16(const uint8_t *p, uint32_t off)
{
	return (uint32_t)p[off] | (uint32_t)p[off + 1] << 8;
}

static uint32_t rd32(const uint8_t *p, uint32_t off)
{
	return rd16(p, off) | rd16(p, off + 2) << 16;
}

static uint64_t rd64(const uint8_t *p, uint32_t off)
{
	return (uint64_t)rd32(p, off) | (uint64_t)rd32(p, off + 4) << 32;
}

static bool sig_eq(const uint8_t *p, const char *sig)
{
	for (unsigned i = 0; i < 4; i++)
		if (!sig[i] || p[i] != (uint8_t)sig[i])
			return false;
	return true;
}

static uint8_t sum8(const uint8_t *p, size_t len)
{
	uint8_t s = 0;
	for (size_t i = 0; i < len; i++)
		s = (uint8_t)(s + p[i]);
	return s;
}

int iomm_acpi_table_check(const void *tbl, size_t len, const char *sig, uint32_t *tbl_len)
{
	const uint8_t *p = tbl;
	if (!p || len < IOMM_ACPI_HDR_SIZE)
		return IOMM_EINVAL;
	uint32_t tl = rd32(p, 4);
	if (tl < IOMM_ACPI_HDR_SIZE || tl > len || (sig && !sig_eq(p, sig)))
		return IOMM_EINVAL;
	if (sum8(p, tl))
		return IOMM_EIO;
	if (tbl_len)
		*tbl_len = tl;
	return IOMM_OK;
}

/* Check the header; on failure record why. */
static int table_start(struct iomm_discovery *d, const struct iomm_disc_mark *m, const void *tbl,
		       size_t len, const char *sig, uint32_t min, uint32_t *tl)
{
	int rc = iomm_acpi_table_check(tbl, len, sig, tl);
	if (rc == IOMM_EIO)
		return iomm_disc_fail(d, m, rc, 9, "table checksum is wrong");
	if (rc)
		return iomm_disc_fail(
		    d, m, rc, 0, "not a table of this kind, or its length exceeds the bytes given");
	if (*tl < min)
		return iomm_disc_fail(d, m, IOMM_EINVAL, 4, "table too short for its fixed fields");
	return IOMM_OK;
}

/* ======================================================================== */
/* IORT                                                                     */
/* ======================================================================== */

#define IORT_HDR_END 48u /* header + node count + node array offset + reserved */
#define IORT_NODE_HDR 16u
#define IORT_MAP_SIZE 20u
#define IORT_MAX_DEPTH 8u

enum {
	IORT_ITS = 0,
	IORT_NAMED = 1,
	IORT_RC = 2,
	IORT_SMMU = 3,
	IORT_SMMUV3 = 4,
};

#define IORT_MAP_SINGLE 1u

struct iort {
	struct iomm_discovery *d;
	struct iomm_disc_mark m;
	const uint8_t *p;
	uint32_t len;  /* table length */
	uint32_t first, count; /* node array */
};

/* Whether @off is the start of one of the (already checked) nodes. */
static bool iort_is_node(const struct iort *t, uint32_t off)
{
	uint32_t at = t->first;
	for (uint32_t k = 0; k < t->count; k++) {
		if (at == off)
			return true;
		at += rd16(t->p, at + 1);
	}
	return false;
}

/* Check the node at @off (bounds, mapping array); return its length or 0. */
static uint32_t iort_node_len(const struct iort *t, uint32_t off, const char **why)
{
	if (off > t->len || t->len - off < IORT_NODE_HDR) {
		*why = "IORT node header beyond the table";
		return 0;
	}
	uint32_t nl = rd16(t->p, off + 1);
	if (nl < IORT_NODE_HDR || nl > t->len - off) {
		*why = "IORT node length too small or beyond the table";
		return 0;
	}
	uint64_t nmap = rd32(t->p, off + 8), mref = rd32(t->p, off + 12);
	if (nmap && (mref < IORT_NODE_HDR || mref + nmap * IORT_MAP_SIZE > nl)) {
		*why = "IORT ID mapping array beyond its node";
		return 0;
	}
	return nl;
}

static int iort_add_smmu(struct iort *t, uint32_t off, uint32_t nl, uint32_t type)
{
	const uint8_t *p = t->p;
	struct iomm_cfg_unit u = {.fw_ref = off};
	if (type == IORT_SMMUV3) {
		if (nl < 60)
			return iomm_disc_fail(t->d, &t->m, IOMM_EINVAL, off,
					      "IORT SMMUv3 node too short");
		u.type = IOMM_UNIT_SMMUV3;
		u.base = rd64(p, off + 16);
		u.size = 0x20000;
		u.flags = (rd32(p, off + 24) & 1u) ? IOMM_CFG_UNIT_COHERENT : 0;
		u.nirqs = 4; /* event, PRI, GERR, sync GSIVs */
		for (uint32_t i = 0; i < 4; i++)
			u.irqs[i] = rd32(p, off + 44 + 4 * i);
		u.name = "smmuv3";
	} else {
		if (nl < 60)
			return iomm_disc_fail(t->d, &t->m, IOMM_EINVAL, off,
					      "IORT SMMU node too short");
		uint64_t gref = rd32(p, off + 40);
		if (gref < 60 || gref + 16 > nl)
			return iomm_disc_fail(t->d, &t->m, IOMM_EINVAL, off,
					      "IORT SMMU global interrupt array beyond its node");
		u.type = IOMM_UNIT_SMMUV2;
		u.base = rd64(p, off + 16);
		u.size = rd64(p, off + 24);
		u.flags = (rd32(p, off + 36) & 2u) ? IOMM_CFG_UNIT_COHERENT : 0;
		u.nirqs = 2; /* NSgIrpt, NSgCfgIrpt */
		u.irqs[0] = rd32(p, off + (uint32_t)gref);
		u.irqs[1] = rd32(p, off + (uint32_t)gref + 8);
		u.name = "smmu";
	}
	if (!u.base)
		return iomm_disc_fail(t->d, &t->m, IOMM_EINVAL, off,
				      "IORT SMMU node without a base address");
	if (iomm_disc_add_unit(t->d, &u))
		return iomm_disc_fail(t->d, &t->m, IOMM_ENOSPC, off, "unit array full");
	return IOMM_OK;
}

/* IDs [base, base + cnt] arrive at the node at @ref: follow them to an SMMU. */
static int iort_follow(struct iort *t, uint32_t ref, uint32_t base, uint32_t cnt, unsigned depth,
		       const char *name, uint32_t src)
{
	if (depth > IORT_MAX_DEPTH)
		return iomm_disc_fail(t->d, &t->m, IOMM_EINVAL, src,
				      "IORT ID mapping chain too deep or cyclic");
	if (!iort_is_node(t, ref))
		return iomm_disc_fail(t->d, &t->m, IOMM_EINVAL, src,
				      "IORT output reference is not a node");
	uint32_t type = rd8(t->p, ref);
	if (type == IORT_ITS)
		return IOMM_OK; /* MSI translation only */
	if (type == IORT_SMMU || type == IORT_SMMUV3) {
		int u = iomm_disc_find_unit(t->d, &t->m, ref);
		int rc = iomm_disc_add_sid_range(t->d, (uint32_t)u, base, (uint64_t)cnt + 1, name);
		if (rc == IOMM_ENOSPC)
			return iomm_disc_fail(t->d, &t->m, rc, src, "device array full");
		if (rc)
			return iomm_disc_fail(t->d, &t->m, rc, src, "IORT stream IDs wrap");
		return IOMM_OK;
	}
	/* an intermediate node: map through its own ID mappings */
	uint32_t nmap = rd32(t->p, ref + 8), mref = rd32(t->p, ref + 12);
	for (uint32_t k = 0; k < nmap; k++) {
		uint32_t mo = ref + mref + k * IORT_MAP_SIZE;
		uint64_t in = rd32(t->p, mo), n = rd32(t->p, mo + 4);
		uint64_t out = rd32(t->p, mo + 8);
		uint64_t lo = base > in ? base : in;
		uint64_t hi = (uint64_t)base + cnt < in + n ? (uint64_t)base + cnt : in + n;
		if (lo > hi)
			continue;
		uint64_t obase = out + (lo - in);
		uint64_t ocnt = hi - lo;
		if (rd32(t->p, mo + 16) & IORT_MAP_SINGLE) {
			obase = out;
			ocnt = 0;
		}
		if (obase + ocnt > UINT32_MAX)
			return iomm_disc_fail(t->d, &t->m, IOMM_EINVAL, mo,
					      "IORT ID mapping output wraps");
		int rc = iort_follow(t, rd32(t->p, mo + 12), (uint32_t)obase, (uint32_t)ocnt,
				     depth + 1, name, mo);
		if (rc)
			return rc;
	}
	return IOMM_OK;
}

static int iort_map_node(struct iort *t, uint32_t off, uint32_t nl, uint32_t type)
{
	const uint8_t *p = t->p;
	const char *name = "pci";
	if (type == IORT_NAMED) {
		/* flags(4) memory properties(8) address size limit(1), then the name */
		uint32_t s = off + 29, end = off + nl;
		if (nl < 30)
			return iomm_disc_fail(t->d, &t->m, IOMM_EINVAL, off,
					      "IORT named component too short");
		uint32_t z = s;
		while (z < end && p[z])
			z++;
		if (z >= end)
			return iomm_disc_fail(t->d, &t->m, IOMM_EINVAL, off,
					      "IORT named component name not terminated");
		name = (const char *)(p + s);
	} else if (nl < 36) {
		return iomm_disc_fail(t->d, &t->m, IOMM_EINVAL, off,
				      "IORT root complex node too short");
	}
	uint32_t nmap = rd32(p, off + 8), mref = rd32(p, off + 12);
	for (uint32_t k = 0; k < nmap; k++) {
		uint32_t mo = off + mref + k * IORT_MAP_SIZE;
		uint64_t in = rd32(p, mo), n = rd32(p, mo + 4), out = rd32(p, mo + 8);
		bool single = rd32(p, mo + 16) & IORT_MAP_SINGLE;
		if (!single && (in + n > UINT32_MAX || out + n > UINT32_MAX))
			return iomm_disc_fail(t->d, &t->m, IOMM_EINVAL, mo,
					      "IORT ID mapping range wraps");
		int rc = iort_follow(t, rd32(p, mo + 12), (uint32_t)out, single ? 0 : (uint32_t)n, 1,
				     name, mo);
		if (rc)
			return rc;
	}
	return IOMM_OK;
}

int iomm_acpi_parse_iort(struct iomm_discovery *d, const void *tbl, size_t len)
{
	if (!d || !tbl)
		return IOMM_EINVAL;
	struct iort t = {.d = d, .p = tbl};
	iomm_disc_begin(d, &t.m);
	int rc = table_start(d, &t.m, tbl, len, "IORT", IORT_HDR_END, &t.len);
	if (rc)
		return rc;
	t.count = rd32(t.p, 36);
	t.first = rd32(t.p, 40);
	if (t.count && (t.first < IORT_HDR_END || t.first >= t.len))
		return iomm_disc_fail(d, &t.m, IOMM_EINVAL, 40,
				      "IORT node array offset out of bounds");
	/* pass 1: every node in bounds; SMMUs become units */
	uint32_t off = t.first;
	for (uint32_t k = 0; k < t.count; k++) {
		const char *why = NULL;
		uint32_t nl = iort_node_len(&t, off, &why);
		if (!nl)
			return iomm_disc_fail(d, &t.m, IOMM_EINVAL, off, why);
		uint32_t type = rd8(t.p, off);
		if (type == IORT_SMMU || type == IORT_SMMUV3) {
			rc = iort_add_smmu(&t, off, nl, type);
			if (rc)
				return rc;
		}
		off += nl;
	}
	/* pass 2: masters */
	off = t.first;
	for (uint32_t k = 0; k < t.count; k++) {
		uint32_t nl = rd16(t.p, off + 1);
		uint32_t type = rd8(t.p, off);
		if (type == IORT_NAMED || type == IORT_RC) {
			rc = iort_map_node(&t, off, nl, type);
			if (rc)
				return rc;
		}
		off += nl;
	}
	return IOMM_OK;
}

/* ---- MSIs: which ITS and DeviceID a requester reaches ---- */

/* Follow one ID arriving at the node at @ref to an ITS group (Arm DEN 0049,
 * 3.1 ID mappings: an SMMU node's range mappings carry its stream IDs on to
 * the ITS; single mappings are the SMMU's own interrupts and are skipped). */
static int iort_msi_follow(const struct iort *t, uint32_t ref, uint32_t id, unsigned depth,
			   uint32_t *its_id, uint32_t *devid)
{
	if (depth > IORT_MAX_DEPTH || !iort_is_node(t, ref))
		return IOMM_EINVAL;
	uint32_t type = rd8(t->p, ref);
	if (type == IORT_ITS) {
		/* ITS group: number of ITSs at 16, their identifiers from 20 */
		uint32_t nl = rd16(t->p, ref + 1);
		if (nl < 24 || rd32(t->p, ref + 16) == 0)
			return IOMM_EINVAL;
		*its_id = rd32(t->p, ref + 20);
		*devid = id;
		return IOMM_OK;
	}
	uint32_t nmap = rd32(t->p, ref + 8), mref = rd32(t->p, ref + 12);
	for (uint32_t k = 0; k < nmap; k++) {
		uint32_t mo = ref + mref + k * IORT_MAP_SIZE;
		uint64_t in = rd32(t->p, mo), n = rd32(t->p, mo + 4), out = rd32(t->p, mo + 8);
		if ((rd32(t->p, mo + 16) & IORT_MAP_SINGLE) || id < in || id > in + n)
			continue;
		if (out + (id - in) > UINT32_MAX)
			return IOMM_EINVAL;
		int rc = iort_msi_follow(t, rd32(t->p, mo + 12), (uint32_t)(out + (id - in)),
					 depth + 1, its_id, devid);
		if (rc != IOMM_ENOENT)
			return rc;
	}
	return IOMM_ENOENT;
}

int iomm_acpi_iort_msi(const void *tbl, size_t len, uint16_t segment, uint32_t rid,
		       uint32_t *its_id, uint32_t *devid)
{
	if (!tbl || !its_id || !devid)
		return IOMM_EINVAL;
	struct iort t = {.d = NULL, .p = tbl};
	int rc = iomm_acpi_table_check(tbl, len, "IORT", &t.len);
	if (rc)
		return rc;
	if (t.len < IORT_HDR_END)
		return IOMM_EINVAL;
	t.count = rd32(t.p, 36);
	t.first = rd32(t.p, 40);
	if (t.count && (t.first < IORT_HDR_END || t.first >= t.len))
		return IOMM_EINVAL;
	uint32_t off = t.first;
	for (uint32_t k = 0; k < t.count; k++) {
		const char *why = NULL;
		uint32_t nl = iort_node_len(&t, off, &why);
		if (!nl)
			return IOMM_EINVAL;
		off += nl;
	}
	off = t.first;
	for (uint32_t k = 0; k < t.count; k++) {
		uint32_t nl = rd16(t.p, off + 1);
		/* root complex: PCI segment number at 28 */
		if (rd8(t.p, off) == IORT_RC && nl >= 36 && rd32(t.p, off + 28) == segment) {
			rc = iort_msi_follow(&t, off, rid, 0, its_id, devid);
			if (rc != IOMM_ENOENT)
				return rc;
		}
		off += nl;
	}
	return IOMM_ENOENT;
}

/* MADT (ACPI 6.5, 5.2.12, "GIC ITS Structure"): 44 bytes of header and fixed fields, then
 * interrupt controller structures (type, length); GIC ITS is type 0xF:
 * GIC ITS ID at 4, physical base address at 8. */
#define MADT_FIRST 44u
#define MADT_GIC_ITS 0xfu
#define MADT_GIC_ITS_LEN 20u

int iomm_acpi_madt_its(const void *tbl, size_t len, uint32_t its_id, uint64_t *base)
{
	if (!tbl || !base)
		return IOMM_EINVAL;
	uint32_t tl = 0;
	int rc = iomm_acpi_table_check(tbl, len, "APIC", &tl);
	if (rc)
		return rc;
	const uint8_t *p = tbl;
	if (tl < MADT_FIRST)
		return IOMM_EINVAL;
	for (uint32_t off = MADT_FIRST; off < tl;) {
		if (tl - off < 2)
			return IOMM_EINVAL;
		uint32_t type = rd8(p, off), sl = rd8(p, off + 1);
		if (sl < 2 || sl > tl - off)
			return IOMM_EINVAL;
		if (type == MADT_GIC_ITS) {
			if (sl < MADT_GIC_ITS_LEN)
				return IOMM_EINVAL;
			if (rd32(p, off + 4) == its_id) {
				/* GICv3 (IHI 0069) 12.19: 64 KiB aligned frames */
				uint64_t b = rd64(p, off + 8);
				if (!b || (b & IOMM_GITS_ALIGN_MASK) ||
				    b + IOMM_GITS_TRANSLATER < b)
					return IOMM_EINVAL;
				*base = b;
				return IOMM_OK;
			}
		}
		off += sl;
	}
	return IOMM_ENOENT;
}

/* ======================================================================== */
/* DMAR                                                                     */
/* ======================================================================== */

#define DMAR_HDR_END 48u
enum {
	DMAR_DRHD = 0,
	DMAR_RMRR = 1,
	DMAR_ATSR = 2,
};
enum {
	SCOPE_ENDPOINT = 1,
	SCOPE_BRIDGE = 2,
	SCOPE_IOAPIC = 3,
	SCOPE_HPET = 4,
};
#define DRHD_INCLUDE_ALL 1u
#define DMAR_FLAGS 37u /* VT-d 8.1: INTR_REMAP (bit 0), X2APIC_OPT_OUT (bit 1) */
#define DMAR_F_INTR_REMAP 1u
#define DMAR_F_X2APIC_OPT_OUT 2u
#define PCI_SECONDARY_BUS 0x19u
#define PCI_SUBORDINATE_BUS 0x1au

struct dmar {
	struct iomm_discovery *d;
	struct iomm_disc_mark m;
	const uint8_t *p;
	uint32_t len;
	const struct iomm_acpi_pci *pci;
	/* iomm_acpi_dmar_irq_sources(): where the sources go, and how many were found */
	bool want_irq;
	struct iomm_irq_source *irq;
	uint32_t irq_cap, nirq;
};

struct scope {
	uint32_t type;
	uint16_t seg;
	uint8_t bus, dev, fn;
	uint8_t enum_id; /* I/O APIC ID or HPET number (types 3 and 4) */
};

/* Whether scope_parse() follows the path of a scope of @type across bridges
 * (the others are checked and skipped): PCI devices always, I/O APICs and
 * HPETs when their source-ids are asked for. */
static bool scope_resolved(const struct dmar *t, uint32_t type)
{
	return type == SCOPE_ENDPOINT || type == SCOPE_BRIDGE ||
	       (t->want_irq && (type == SCOPE_IOAPIC || type == SCOPE_HPET));
}

/* Check the scope at @at (before @end) and resolve its path. Returns its
 * length (> 0) or a negative status after recording why. */
static int scope_parse(struct dmar *t, uint32_t at, uint32_t end, uint16_t seg, struct scope *s)
{
	const uint8_t *p = t->p;
	if (end - at < 6)
		return iomm_disc_fail(t->d, &t->m, IOMM_EINVAL, at,
				      "DMAR device scope header truncated");
	uint32_t sl = rd8(p, at + 1);
	if (sl < 8 || (sl - 6) % 2 || sl > end - at)
		return iomm_disc_fail(t->d, &t->m, IOMM_EINVAL, at,
				      "DMAR device scope length malformed or beyond its structure");
	s->type = rd8(p, at);
	s->enum_id = (uint8_t)rd8(p, at + 4);
	s->seg = seg;
	s->dev = 0;
	s->fn = 0;
	uint32_t bus = rd8(p, at + 5);
	uint32_t steps = (sl - 6) / 2;
	for (uint32_t i = 0; i < steps; i++) {
		uint32_t dev = rd8(p, at + 6 + 2 * i), fn = rd8(p, at + 7 + 2 * i);
		if (dev > 31 || fn > 7)
			return iomm_disc_fail(
			    t->d, &t->m, IOMM_EINVAL, at,
			    "DMAR device scope path has a bad device or function");
		if (i + 1 < steps) {
			if (!scope_resolved(t, s->type))
				break; /* not resolved: skipped by the caller */
			if (!t->pci || !t->pci->read8)
				return iomm_disc_fail(
				    t->d, &t->m, IOMM_ENOTSUP, at,
				    "DMAR scope path crosses a bridge: PCI access needed");
			int sec = t->pci->read8(t->pci->ctx, seg, (uint8_t)bus, (uint8_t)dev,
						(uint8_t)fn, PCI_SECONDARY_BUS);
			if (sec < 0 || sec > 0xff)
				return iomm_disc_fail(t->d, &t->m, IOMM_ENODEV, at,
						      "DMAR scope path: bridge did not answer");
			bus = (uint32_t)sec;
		} else {
			s->dev = (uint8_t)dev;
			s->fn = (uint8_t)fn;
		}
	}
	s->bus = (uint8_t)bus;
	return (int)sl;
}

static struct iomm_devid pci_id(uint16_t seg, uint32_t bus, uint32_t dev, uint32_t fn)
{
	struct iomm_devid id = IOMM_PCI(bus, dev, fn);
	id.seg = seg;
	return id;
}

static int dmar_add_dev(struct dmar *t, uint32_t unit, struct iomm_devid id, uint32_t at)
{
	struct iomm_cfg_device dev = {
	    .name = "pci", .unit = unit, .id = id, .policy = IOMM_POLICY_BLOCKED};
	if (iomm_disc_add_device(t->d, &dev))
		return iomm_disc_fail(t->d, &t->m, IOMM_ENOSPC, at, "device array full");
	return IOMM_OK;
}

static int drhd_scopes(struct dmar *t, uint32_t off, uint32_t sl, uint32_t unit, uint16_t seg)
{
	for (uint32_t at = off + 16; at < off + sl;) {
		struct scope s = {0};
		int n = scope_parse(t, at, off + sl, seg, &s);
		if (n < 0)
			return n;
		if (s.type == SCOPE_ENDPOINT || s.type == SCOPE_BRIDGE) {
			int rc = dmar_add_dev(t, unit, pci_id(seg, s.bus, s.dev, s.fn), at);
			if (rc)
				return rc;
		}
		if (s.type == SCOPE_BRIDGE && t->pci && t->pci->read8) {
			int sec = t->pci->read8(t->pci->ctx, seg, s.bus, s.dev, s.fn,
						PCI_SECONDARY_BUS);
			int sub = t->pci->read8(t->pci->ctx, seg, s.bus, s.dev, s.fn,
						PCI_SUBORDINATE_BUS);
			if (sec < 0 || sub < 0 || sec > 0xff || sub > 0xff || sub < sec)
				return iomm_disc_fail(
				    t->d, &t->m, IOMM_ENODEV, at,
				    "DMAR bridge scope: bridge bus numbers unreadable");
			for (int b = sec; b <= sub; b++) {
				int rc = dmar_add_dev(t, unit, pci_id(seg, (uint32_t)b, IOMM_ANY, IOMM_ANY),
						      at);
				if (rc)
					return rc;
			}
		}
		at += (uint32_t)n;
	}
	return IOMM_OK;
}

static int dmar_drhd(struct dmar *t, uint32_t off, uint32_t sl, uint32_t index)
{
	const uint8_t *p = t->p;
	if (sl < 16)
		return iomm_disc_fail(t->d, &t->m, IOMM_EINVAL, off, "DMAR DRHD too short");
	uint32_t size_pages = rd8(p, off + 5) & 0xfu;
	struct iomm_cfg_unit u = {
	    .type = IOMM_UNIT_VTD,
	    .base = rd64(p, off + 8),
	    .size = UINT64_C(0x1000) << size_pages,
	    .flags = ((rd8(p, off + 4) & DRHD_INCLUDE_ALL) ? IOMM_CFG_UNIT_ALL_PCI : 0u) |
		     ((rd8(p, DMAR_FLAGS) & DMAR_F_INTR_REMAP) ? IOMM_CFG_UNIT_INTR_REMAP : 0u) |
		     ((rd8(p, DMAR_FLAGS) & DMAR_F_X2APIC_OPT_OUT) ? IOMM_CFG_UNIT_X2APIC_OPT_OUT
								  : 0u),
	    .segment = (uint16_t)rd16(p, off + 6),
	    .fw_ref = index,
	    .name = "vtd",
	};
	if (!u.base || (u.base & 0xfffu))
		return iomm_disc_fail(t->d, &t->m, IOMM_EINVAL, off,
				      "DMAR DRHD register base is not a page");
	if (iomm_disc_add_unit(t->d, &u))
		return iomm_disc_fail(t->d, &t->m, IOMM_ENOSPC, off, "unit array full");
	return drhd_scopes(t, off, sl, t->d->nunits - 1, u.segment);
}

/* The unit serving @id: the one whose scope lists it, else the segment's
 * INCLUDE_PCI_ALL unit. Returns -1 if none. */
static int dmar_unit_for(const struct dmar *t, struct iomm_devid id)
{
	const struct iomm_discovery *d = t->d;
	uint32_t s, m;
	(void)iomm_devid_resolve(&id, &s, &m);
	for (uint32_t i = t->m.ndevices; i < d->ndevices; i++) {
		const struct iomm_cfg_device *dev = &d->devices[i];
		uint32_t ds, dm;
		(void)iomm_devid_resolve(&dev->id, &ds, &dm);
		if (dev->id.seg == id.seg && d->units[dev->unit].type == IOMM_UNIT_VTD &&
		    ((ds ^ s) & ~dm) == 0)
			return (int)dev->unit;
	}
	for (uint32_t u = t->m.nunits; u < d->nunits; u++)
		if ((d->units[u].flags & IOMM_CFG_UNIT_ALL_PCI) && d->units[u].segment == id.seg)
			return (int)u;
	return -1;
}

static bool dmar_has_dev(const struct dmar *t, uint32_t unit, struct iomm_devid id)
{
	uint32_t s, m;
	(void)iomm_devid_resolve(&id, &s, &m);
	for (uint32_t i = t->m.ndevices; i < t->d->ndevices; i++) {
		const struct iomm_cfg_device *dev = &t->d->devices[i];
		uint32_t ds, dm;
		(void)iomm_devid_resolve(&dev->id, &ds, &dm);
		if (dev->unit == unit && ((ds ^ s) & ~(dm | m)) == 0)
			return true;
	}
	return false;
}

static int dmar_rmrr(struct dmar *t, uint32_t off, uint32_t sl)
{
	const uint8_t *p = t->p;
	if (sl < 24)
		return iomm_disc_fail(t->d, &t->m, IOMM_EINVAL, off, "DMAR RMRR too short");
	uint16_t seg = (uint16_t)rd16(p, off + 6);
	uint64_t base = rd64(p, off + 8), limit = rd64(p, off + 16);
	if ((base & 0xfffu) || limit < base || ((limit + 1) & 0xfffu) || limit == UINT64_MAX)
		return iomm_disc_fail(t->d, &t->m, IOMM_EINVAL, off,
				      "DMAR RMRR range unaligned or inverted");
	for (uint32_t at = off + 24; at < off + sl;) {
		struct scope s = {0};
		int n = scope_parse(t, at, off + sl, seg, &s);
		if (n < 0)
			return n;
		if (s.type == SCOPE_ENDPOINT) {
			struct iomm_devid id = pci_id(seg, s.bus, s.dev, s.fn);
			int u = dmar_unit_for(t, id);
			if (u < 0)
				return iomm_disc_fail(t->d, &t->m, IOMM_ENOTSUP, at,
						      "DMAR RMRR names a device no DRHD serves");
			if (!dmar_has_dev(t, (uint32_t)u, id)) {
				int rc = dmar_add_dev(t, (uint32_t)u, id, at);
				if (rc)
					return rc;
			}
			struct iomm_cfg_resv r = {
			    .unit = (uint32_t)u,
			    .id = id,
			    .base = base,
			    .size = limit - base + 1,
			    .prot = IOMM_READ | IOMM_WRITE,
			};
			if (iomm_disc_add_resv(t->d, &r))
				return iomm_disc_fail(t->d, &t->m, IOMM_ENOSPC, at,
						      "reserved-region array full");
		}
		at += (uint32_t)n;
	}
	return IOMM_OK;
}

static int dmar_atsr(struct dmar *t, uint32_t off, uint32_t sl)
{
	if (sl < 8)
		return iomm_disc_fail(t->d, &t->m, IOMM_EINVAL, off, "DMAR ATSR too short");
	uint16_t seg = (uint16_t)rd16(t->p, off + 6);
	for (uint32_t at = off + 8; at < off + sl;) {
		struct scope s = {0};
		int n = scope_parse(t, at, off + sl, seg, &s);
		if (n < 0)
			return n;
		at += (uint32_t)n;
	}
	for (uint32_t u = t->m.nunits; u < t->d->nunits; u++)
		if (t->d->units[u].segment == seg)
			t->d->units[u].flags |= IOMM_CFG_UNIT_ATS;
	return IOMM_OK;
}

/* The I/O APIC and HPET scopes of the DRHD at @off: their source-ids (VT-d
 * 8.3.1: the enumeration ID at 4, the path to the function whose requester
 * ID their interrupt requests carry). */
static int drhd_irq_sources(struct dmar *t, uint32_t off, uint32_t sl)
{
	if (sl < 16)
		return iomm_disc_fail(t->d, &t->m, IOMM_EINVAL, off, "DMAR DRHD too short");
	uint16_t seg = (uint16_t)rd16(t->p, off + 6);
	for (uint32_t at = off + 16; at < off + sl;) {
		struct scope s = {0};
		int n = scope_parse(t, at, off + sl, seg, &s);
		if (n < 0)
			return n;
		if (s.type == SCOPE_IOAPIC || s.type == SCOPE_HPET) {
			if (t->nirq < t->irq_cap)
				t->irq[t->nirq] = (struct iomm_irq_source){
				    .unit_base = rd64(t->p, off + 8),
				    .id = pci_id(seg, s.bus, s.dev, s.fn),
				    .type = (uint8_t)s.type,
				    .enum_id = s.enum_id,
				};
			t->nirq++;
		}
		at += (uint32_t)n;
	}
	return IOMM_OK;
}

/* Pass 0: every structure in bounds; 1: DRHDs; 2: RMRR, ATSR; 3: the
 * interrupt sources of the DRHDs' scopes. */
enum { DMAR_PASS_CHECK, DMAR_PASS_UNITS, DMAR_PASS_REGIONS, DMAR_PASS_IRQ };

/* Check the header, then run the passes in @passes (bit n: pass n), in order. */
static int dmar_run(struct dmar *t, size_t len, unsigned passes)
{
	struct iomm_discovery *d = t->d;
	iomm_disc_begin(d, &t->m);
	int rc = table_start(d, &t->m, t->p, len, "DMAR", DMAR_HDR_END, &t->len);
	if (rc)
		return rc;
	for (unsigned pass = DMAR_PASS_CHECK; pass <= DMAR_PASS_IRQ; pass++) {
		uint32_t index = 0;
		if (!(passes & (1u << pass)))
			continue;
		for (uint32_t off = DMAR_HDR_END; off < t->len;) {
			if (t->len - off < 4)
				return iomm_disc_fail(d, &t->m, IOMM_EINVAL, off,
						      "DMAR structure header truncated");
			uint32_t type = rd16(t->p, off), sl = rd16(t->p, off + 2);
			if (sl < 4 || sl > t->len - off)
				return iomm_disc_fail(
				    d, &t->m, IOMM_EINVAL, off,
				    "DMAR structure length too small or beyond the table");
			if (pass == DMAR_PASS_UNITS && type == DMAR_DRHD)
				rc = dmar_drhd(t, off, sl, index++);
			else if (pass == DMAR_PASS_REGIONS && type == DMAR_RMRR)
				rc = dmar_rmrr(t, off, sl);
			else if (pass == DMAR_PASS_REGIONS && type == DMAR_ATSR)
				rc = dmar_atsr(t, off, sl);
			else if (pass == DMAR_PASS_IRQ && type == DMAR_DRHD)
				rc = drhd_irq_sources(t, off, sl);
			if (rc)
				return rc;
			off += sl;
		}
	}
	return IOMM_OK;
}

int iomm_acpi_parse_dmar(struct iomm_discovery *d, const void *tbl, size_t len,
			 const struct iomm_acpi_pci *pci)
{
	if (!d || !tbl)
		return IOMM_EINVAL;
	struct dmar t = {.d = d, .p = tbl, .pci = pci};
	return dmar_run(&t, len,
			(1u << DMAR_PASS_CHECK) | (1u << DMAR_PASS_UNITS) | (1u << DMAR_PASS_REGIONS));
}

int iomm_acpi_dmar_irq_sources(const void *tbl, size_t len, const struct iomm_acpi_pci *pci,
			       struct iomm_irq_source *out, uint32_t cap, uint32_t *count)
{
	if (!tbl || !count || (cap && !out))
		return IOMM_EINVAL;
	struct iomm_discovery scratch = {0}; /* takes the failure record; no arrays */
	struct dmar t = {
	    .d = &scratch, .p = tbl, .pci = pci, .want_irq = true, .irq = out, .irq_cap = cap};
	int rc = dmar_run(&t, len, (1u << DMAR_PASS_CHECK) | (1u << DMAR_PASS_IRQ));
	if (rc)
		return rc;
	*count = t.nirq;
	return t.nirq > cap ? IOMM_ENOSPC : IOMM_OK;
}

/* ======================================================================== */
/* RSDP and RSDT/XSDT                                                       */
/* ======================================================================== */

#define RSDP_V1_LEN 20u
#define RSDP_V2_LEN 36u

/* Whether the 36 bytes at @b are a valid RSDP. */
static bool rsdp_valid(const uint8_t *b)
{
	static const char sig[8] = {'R', 'S', 'D', ' ', 'P', 'T', 'R', ' '};
	for (unsigned i = 0; i < 8; i++)
		if (b[i] != (uint8_t)sig[i])
			return false;
	if (sum8(b, RSDP_V1_LEN))
		return false;
	if (b[15] >= 2) {
		uint32_t l = rd32(b, 20);
		if (l < RSDP_V2_LEN || sum8(b, RSDP_V2_LEN))
			return false;
	}
	return true;
}

static int scan(const struct iomm_acpi_mem *mem, uint64_t from, uint64_t to, uint64_t *pa)
{
	uint8_t b[RSDP_V2_LEN];
	for (uint64_t at = from; at + RSDP_V2_LEN <= to; at += 16) {
		int rc = mem->read(mem->ctx, at, b, RSDP_V1_LEN);
		if (rc)
			return rc;
		if (b[0] != 'R' || b[1] != 'S' || b[2] != 'D')
			continue;
		rc = mem->read(mem->ctx, at, b, RSDP_V2_LEN);
		if (rc)
			return rc;
		if (rsdp_valid(b)) {
			*pa = at;
			return IOMM_OK;
		}
	}
	return IOMM_ENOENT;
}

int iomm_acpi_find_rsdp(const struct iomm_acpi_mem *mem, uint64_t *rsdp_pa)
{
	if (!mem || !mem->read || !rsdp_pa)
		return IOMM_EINVAL;
	uint8_t seg[2];
	int rc = mem->read(mem->ctx, 0x40e, seg, 2);
	if (rc)
		return rc;
	uint64_t ebda = (uint64_t)rd16(seg, 0) << 4;
	if (ebda >= 0x80000 && ebda < 0xa0000) {
		rc = scan(mem, ebda, ebda + 1024, rsdp_pa);
		if (rc != IOMM_ENOENT)
			return rc;
	}
	return scan(mem, 0xe0000, 0x100000, rsdp_pa);
}

/* Read and check the header of the table at @pa; *tl gets its length. */
static int read_hdr(const struct iomm_acpi_mem *mem, uint64_t pa, uint8_t hdr[IOMM_ACPI_HDR_SIZE],
		    uint32_t *tl)
{
	int rc = mem->read(mem->ctx, pa, hdr, IOMM_ACPI_HDR_SIZE);
	if (rc)
		return rc;
	*tl = rd32(hdr, 4);
	return *tl < IOMM_ACPI_HDR_SIZE ? IOMM_EINVAL : IOMM_OK;
}

/* Checksum of @tl bytes at @pa, read in pieces. */
static int sum_at(const struct iomm_acpi_mem *mem, uint64_t pa, uint32_t tl, uint8_t *s)
{
	uint8_t b[64];
	*s = 0;
	for (uint32_t at = 0; at < tl;) {
		uint32_t n = tl - at < sizeof(b) ? tl - at : (uint32_t)sizeof(b);
		int rc = mem->read(mem->ctx, pa + at, b, n);
		if (rc)
			return rc;
		*s = (uint8_t)(*s + sum8(b, n));
		at += n;
	}
	return IOMM_OK;
}

int iomm_acpi_find_table(const struct iomm_acpi_mem *mem, uint64_t rsdp_pa, const char *sig,
			 void *buf, size_t cap, uint32_t *len, uint64_t *pa)
{
	if (!mem || !mem->read || !sig || !buf || !len)
		return IOMM_EINVAL;
	for (unsigned i = 0; i < 4; i++)
		if (!sig[i])
			return IOMM_EINVAL;
	uint8_t r[RSDP_V2_LEN];
	int rc = mem->read(mem->ctx, rsdp_pa, r, RSDP_V2_LEN);
	if (rc)
		return rc;
	if (!rsdp_valid(r))
		return IOMM_EINVAL;
	bool x = r[15] >= 2 && rd64(r, 24);
	uint64_t root = x ? rd64(r, 24) : rd32(r, 16);
	unsigned esz = x ? 8u : 4u;
	uint8_t hdr[IOMM_ACPI_HDR_SIZE];
	uint32_t tl;
	rc = read_hdr(mem, root, hdr, &tl);
	if (rc)
		return rc;
	if (!sig_eq(hdr, x ? "XSDT" : "RSDT"))
		return IOMM_EINVAL;
	uint8_t s;
	rc = sum_at(mem, root, tl, &s);
	if (rc)
		return rc;
	if (s)
		return IOMM_EIO;
	for (uint32_t at = IOMM_ACPI_HDR_SIZE; at + esz <= tl; at += esz) {
		uint8_t e[8];
		rc = mem->read(mem->ctx, root + at, e, esz);
		if (rc)
			return rc;
		uint64_t tpa = esz == 8 ? rd64(e, 0) : rd32(e, 0);
		uint32_t l;
		rc = read_hdr(mem, tpa, hdr, &l);
		if (rc)
			return rc;
		if (!sig_eq(hdr, sig))
			continue;
		*len = l;
		if (l > cap)
			return IOMM_ENOSPC;
		rc = mem->read(mem->ctx, tpa, buf, l);
		if (rc)
			return rc;
		if (sum8(buf, l))
			return IOMM_EIO;
		if (pa)
			*pa = tpa;
		return IOMM_OK;
	}
	return IOMM_ENOENT;
}
