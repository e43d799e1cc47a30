/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Misuse of the public API, on purpose: every documented refusal of the
 * pool, page-table, unit/domain/device and SMMUv3 calls, plus NULL,
 * uninitialised and destroyed objects. A live system is built first (an
 * SMMUv3 model with a stage-1 and a stage-2 domain, two devices attached, a
 * stand-alone table, mappings in all three); then each case
 *
 *  - makes one refused call and checks its status,
 *  - checks that nothing changed: the objects it could reach compare equal
 *    byte for byte, every mapping is still there (a walk of each table
 *    hashes the same), the pools hand out as many pages, the model consumed
 *    no command and the device still translates as before,
 *  - and, where the call reaches a port, checks the DEBUG line the library
 *    logged for it names the function (and the argument).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "acpi_build.h"
#include "smmuv3_fx.h"

#define P4K 4096u
#define RW  (IOMM_READ | IOMM_WRITE)

struct world {
	struct fx *f;
	struct iomm_pool *pool;  /* domains' tables */
	struct iomm_pool *tpool; /* the stand-alone table's */
	struct iomm_domain s1, s2, blocked, dead;
	struct iomm_dev dev1, dev2, loose, dead_dev;
	struct iomm_pgt pgt, dead_pgt;
	struct iomm_gather other; /* holds a page of s1's table */
	/* the host role: VM A with one assigned device (SID 0x44, endpoint 4) */
	struct iomm_vm vm, dead_vm;
	struct iomm_vm_cfg vcfg;
	struct iomm_vm_endpoint eps[4];
	struct iomm_vm_gdom gdoms[2];
	struct iomm_vm_mapping maps[8];
	struct iomm_vm_event evs[4];
	struct iomm_vm_irq irqs[2]; /* an interrupt quota, on a unit without IR */
	/* a board bound to the unit; discovery results */
	struct iomm_discovery disc;
	struct iomm_cfg_unit dunits[2];
	struct iomm_cfg_device ddevs[2];
	/* pools with no page left: a stand-alone table and a domain, each
	 * holding one 2 MiB block (so unmapping 4 KiB of it needs a page) */
	struct iomm_pool tiny_pool, small_pool;
	struct iomm_pgt tiny;
	struct iomm_domain small;
};

/* the APIC IDs VM A's interrupts may reach */
static const uint32_t vm_dests[] = {0};

static const struct iomm_vm_region vm_regions[] = {
    {.gpa = 0x40000000, .hpa = 0x80000000, .size = 0x100000, .prot = IOMM_READ | IOMM_WRITE},
};

static unsigned nbad;
#define bad(...) (print_error(__VA_ARGS__), print_error("\n"), nbad++)

/* Everything a refused call could have touched. */
struct snap {
	struct iomm_smmuv3 smmu;
	struct iomm_domain s1, s2, blocked, dead;
	struct iomm_dev dev1, dev2, loose, dead_dev;
	struct iomm_pgt pgt, dead_pgt;
	struct iomm_pool pool, tpool;
	struct iomm_vm vm, dead_vm;
	struct iomm_discovery disc;
	struct iomm_cfg_device ddevs[2];
	struct iomm_pool tiny_pool, small_pool;
	struct iomm_pgt tiny;
	struct iomm_domain small;
	size_t used, tused, tiny_used, small_used;
	uint64_t walk[5];
	uint64_t consumed;
	uint64_t xlate1, xlate2;
};

static int hash_leaf(void *arg, const struct iomm_mapping *m)
{
	uint64_t *h = arg;
	uint64_t v[4] = {m->iova, m->pa, m->size, m->prot};
	for (unsigned i = 0; i < 4; i++)
		*h = (*h ^ v[i]) * 0x100000001b3ull;
	return 0;
}

static uint64_t walk_hash(const struct iomm_pgt *pgt)
{
	uint64_t h = 0xcbf29ce484222325ull;
	assert_int_equal(iomm_pgt_walk(pgt, 0, 0, hash_leaf, &h), IOMM_OK);
	return h;
}

static void take(struct world *w, struct snap *s)
{
	memset(s, 0, sizeof(*s));
	s->smmu = w->f->smmu;
	s->s1 = w->s1;
	s->s2 = w->s2;
	s->blocked = w->blocked;
	s->dead = w->dead;
	s->dev1 = w->dev1;
	s->dev2 = w->dev2;
	s->loose = w->loose;
	s->dead_dev = w->dead_dev;
	s->pgt = w->pgt;
	s->dead_pgt = w->dead_pgt;
	s->pool = *w->pool;
	s->tpool = *w->tpool;
	s->vm = w->vm;
	s->dead_vm = w->dead_vm;
	s->disc = w->disc;
	s->disc.msg = NULL; /* the two fields a refused discovery call sets: why, */
	s->disc.offset = 0; /* and where in its input */
	/* the entries in use; a parser that fails may have written the free
	 * slots past iomm_discovery::ndevices (discovery.h) */
	memcpy(s->ddevs, w->ddevs, w->disc.ndevices * sizeof(s->ddevs[0]));
	s->tiny_pool = w->tiny_pool;
	s->small_pool = w->small_pool;
	s->tiny = w->tiny;
	s->small = w->small;
	s->tiny_used = iomm_pool_used(&w->tiny_pool);
	s->small_used = iomm_pool_used(&w->small_pool);
	s->walk[3] = walk_hash(&w->tiny);
	s->walk[4] = walk_hash(&w->small.pgt);
	s->used = iomm_pool_used(w->pool);
	s->tused = iomm_pool_used(w->tpool);
	s->walk[0] = walk_hash(&w->s1.pgt);
	s->walk[1] = walk_hash(&w->s2.pgt);
	s->walk[2] = walk_hash(&w->pgt);
	s->consumed = w->f->model.stats.cmds_consumed;
	s->xlate1 = fx_xlate(w->f, 0x11, 0x100000, RD);
	s->xlate2 = fx_xlate(w->f, 0x22, 0x40000000, RD);
}

#define SAME(field)                                                                                \
	do {                                                                                       \
		if (memcmp(&a->field, &b->field, sizeof(a->field)))                                \
			bad("%s changed %s", name, #field);                                        \
	} while (0)

static void same(const char *name, const struct snap *a, const struct snap *b)
{
	SAME(smmu);
	SAME(s1);
	SAME(s2);
	SAME(blocked);
	SAME(dead);
	SAME(dev1);
	SAME(dev2);
	SAME(loose);
	SAME(dead_dev);
	SAME(pgt);
	SAME(dead_pgt);
	SAME(pool);
	SAME(tpool);
	SAME(vm);
	SAME(dead_vm);
	SAME(disc);
	SAME(ddevs);
	SAME(tiny_pool);
	SAME(small_pool);
	SAME(tiny);
	SAME(small);
	SAME(tiny_used);
	SAME(small_used);
	SAME(used);
	SAME(tused);
	SAME(walk);
	SAME(consumed);
	SAME(xlate1);
	SAME(xlate2);
}

/* ---- the cases ---------------------------------------------------------- */

struct mcase {
	const char *name;
	int (*call)(struct world *w);
	int want;
	/* substrings of the DEBUG line; NULL: no port reachable, nothing logged */
	const char *fn, *arg;
};

static uint8_t spare_mem[2 * P4K] __attribute__((aligned(P4K)));
static void nop_fault(void *arg, const struct iomm_fault *f)
{
	(void)arg;
	(void)f;
}

#define PORT(w) iomm_posix_port(&(w)->f->px)

/* Physical memory with nothing in it: no RSDP anywhere. */
static int zero_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	(void)ctx;
	(void)pa;
	memset(buf, 0, len);
	return IOMM_OK;
}

/* A well-formed flattened device tree (version 17) holding only an empty
 * root node: no host bridge maps anything. Big-endian words. */
#define BE32(v) (uint8_t)((v) >> 24), (uint8_t)((v) >> 16), (uint8_t)((v) >> 8), (uint8_t)(v)
static const uint8_t empty_fdt[] __attribute__((aligned(8))) = {
    BE32(0xd00dfeedu), BE32(76u), /* magic, totalsize */
    BE32(56u), BE32(76u), BE32(40u), /* off_dt_struct, off_dt_strings, off_mem_rsvmap */
    BE32(17u), BE32(16u), BE32(0u), /* version, last_comp_version, boot_cpuid_phys */
    BE32(0u), BE32(20u), /* size_dt_strings, size_dt_struct */
    BE32(0u), BE32(0u), BE32(0u), BE32(0u), /* the empty memory reservation map */
    BE32(1u), BE32(0u), /* FDT_BEGIN_NODE "" (padded) */
    BE32(2u), BE32(9u), /* FDT_END_NODE, FDT_END */
    BE32(0u), /* padding to totalsize */
};

/* ---- firmware tables in fake physical memory ---- */
/* The ACPI checksum: the bytes of a table sum to zero (ACPI 6.5, 5.2.6). */
static void acpi_fix_sum(uint8_t *t, size_t len, size_t at)
{
	uint8_t sum = 0;
	t[at] = 0;
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + t[i]);
	t[at] = (uint8_t)(0u - sum);
}

/* A header (ACPI 6.5, 5.2.6) of @p len bytes, revision 1, checksum set. */
static void acpi_table(uint8_t *t, const char *sig, uint32_t len)
{
	memset(t, 0, len);
	memcpy(t, sig, 4);
	for (unsigned i = 0; i < 4; i++)
		t[4 + i] = (uint8_t)(len >> (8 * i));
	t[8] = 1;
	acpi_fix_sum(t, len, 9);
}

#define RSDP_PA 0xe0000u
#define RSDT_PA 0x1000u
#define DMAR_PA 0x2000u
/* An RSDP (revision 0, ACPI 6.5 5.2.5.3) -> an RSDT with one entry -> a
 * 48-byte DMAR with no remapping structures. bad_sum: the DMAR's checksum
 * is off by one. */
struct acpi_mem {
	uint8_t rsdp[20], rsdt[40], dmar[48];
	bool bad_sum;
};

static int acpi_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	const struct acpi_mem *m = ctx;
	memset(buf, 0, len);
	const struct {
		uint64_t pa;
		const uint8_t *p;
		size_t n;
	} r[3] = {{RSDP_PA, m->rsdp, 20}, {RSDT_PA, m->rsdt, 40}, {DMAR_PA, m->dmar, 48}};
	for (unsigned i = 0; i < 3; i++)
		if (pa >= r[i].pa && pa < r[i].pa + r[i].n) {
			size_t off = (size_t)(pa - r[i].pa), n = r[i].n - off;
			memcpy(buf, r[i].p + off, n < len ? n : len);
		}
	return IOMM_OK;
}

static const struct iomm_acpi_mem *acpi_fake(bool bad_sum)
{
	static struct acpi_mem m;
	static struct iomm_acpi_mem mem;
	memset(&m, 0, sizeof(m));
	memcpy(m.rsdp, "RSD PTR ", 8);
	for (unsigned i = 0; i < 4; i++)
		m.rsdp[16 + i] = (uint8_t)(RSDT_PA >> (8 * i));
	acpi_fix_sum(m.rsdp, 20, 8);
	acpi_table(m.rsdt, "RSDT", 40);
	for (unsigned i = 0; i < 4; i++)
		m.rsdt[36 + i] = (uint8_t)(DMAR_PA >> (8 * i));
	acpi_fix_sum(m.rsdt, 40, 9);
	acpi_table(m.dmar, "DMAR", 48);
	m.dmar[36] = 47; /* host address width - 1 */
	acpi_fix_sum(m.dmar, 48, 9);
	if (bad_sum)
		m.dmar[9]++;
	m.bad_sum = bad_sum;
	mem = (struct iomm_acpi_mem){.ctx = &m, .read = acpi_read};
	return &mem;
}

/* A table of @p len bytes with signature @p sig whose checksum is wrong. */
static const uint8_t *bad_table(const char *sig, uint32_t len)
{
	static uint8_t t[64];
	acpi_table(t, sig, len);
	t[9]++;
	return t;
}

/* ---- firmware tables with more than the discovery arrays hold ----------- */
/* The world's discovery object holds two units and two devices. */

/* A DMAR (VT-d 3.4, 8.1) with three DRHDs (8.3), each with one endpoint
 * scope (8.3.1) on bus 0: the third DRHD finds the unit array full. */
static const struct tb *dmar_three_units(void)
{
	static struct tb t;
	dmar_begin(&t);
	for (uint8_t i = 0; i < 3; i++) {
		uint32_t s = dmar_drhd(&t, 0, 0, 0xfed90000u + 0x1000u * i);
		const uint8_t path[2] = {(uint8_t)(2 + i), 0};
		dmar_scope(&t, 1, 0, 1, path);
		dmar_end(&t, s);
	}
	tb_finish(&t);
	return &t;
}

/* A DMAR with one DRHD whose endpoint scope (8.3.1) reaches 00:1c.0, a
 * bridge, then device 0 behind it: the secondary bus number must be read
 * from the bridge's configuration space. */
static const struct tb *dmar_behind_bridge(void)
{
	static struct tb t;
	dmar_begin(&t);
	uint32_t s = dmar_drhd(&t, 0, 0, 0xfed90000u);
	const uint8_t path[4] = {0x1c, 0, 0, 0};
	dmar_scope(&t, 1, 0, 2, path);
	dmar_end(&t, s);
	tb_finish(&t);
	return &t;
}

/* A DMAR with one DRHD listing two I/O APICs (scope type 3, 8.3.1): one
 * at 00:1f.0, one behind the bridge 00:1c.0 (a two-step path). */
static const struct tb *dmar_ioapics(void)
{
	static struct tb t;
	dmar_begin(&t);
	uint32_t s = dmar_drhd(&t, 0, 0, 0xfed90000u);
	const uint8_t lpc[2] = {0x1f, 0}, behind[4] = {0x1c, 0, 0, 0};
	dmar_scope_id(&t, 3, 0, 0, 1, lpc);
	dmar_scope_id(&t, 3, 1, 0, 2, behind);
	dmar_end(&t, s);
	tb_finish(&t);
	return &t;
}

/* A PCI configuration space where no function answers. */
static int pci_absent(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	(void)ctx;
	(void)seg;
	(void)bus;
	(void)dev;
	(void)fn;
	(void)off;
	return -1;
}

/* A PCI configuration space where every function is a bridge to bus 2. */
static int pci_bus2(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	(void)ctx;
	(void)seg;
	(void)bus;
	(void)dev;
	(void)fn;
	(void)off;
	return 2;
}

/* An IORT (Arm DEN 0049) with three SMMUv3 nodes (3.1.1.5). */
static const struct tb *iort_three_units(void)
{
	static struct tb t;
	iort_begin(&t, 3);
	for (uint32_t i = 0; i < 3; i++)
		(void)iort_smmuv3(&t, 0x2b400000u + 0x100000u * i, 0, 0);
	tb_finish(&t);
	return &t;
}

/* A flattened device tree (Devicetree Specification 0.4, chapter 5) whose
 * root holds @p n nodes compatible with @p compat, each with a reg and a
 * phandle (1, 2, ...). */
struct fdtb {
	/* libfdt refuses a blob that is not 8-byte aligned (FDT_ERR_ALIGNMENT) */
	_Alignas(8) uint8_t b[512];
	uint32_t len;
};

static void fdtb_be32(struct fdtb *t, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		t->b[t->len++] = (uint8_t)(v >> (24 - 8 * i));
}

/* FDT_PROP (5.4.1): length, offset of the name in the strings block,
 * value padded to 4 bytes. */
static void fdtb_prop(struct fdtb *t, uint32_t name, const void *v, uint32_t n)
{
	fdtb_be32(t, 3);
	fdtb_be32(t, n);
	fdtb_be32(t, name);
	memcpy(t->b + t->len, v, n);
	t->len = (t->len + n + 3u) & ~3u;
}

static void fdtb_prop_cells(struct fdtb *t, uint32_t name, const uint32_t *c, unsigned n)
{
	uint8_t v[16];
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = 0; j < 4; j++)
			v[4 * i + j] = (uint8_t)(c[i] >> (24 - 8 * j));
	fdtb_prop(t, name, v, 4u * n);
}

static const uint8_t *fdt_nodes(const char *compat, uint32_t n, size_t *len)
{
	static struct fdtb t;
	static const char strings[] = "#address-cells\0#size-cells\0compatible\0reg\0phandle";
	enum { S_AC = 0, S_SC = 15, S_COMPAT = 27, S_REG = 38, S_PH = 42 };
	memset(&t, 0, sizeof(t));
	t.len = 56; /* header (5.2), then the empty reservation map (5.3) at 40 */
	fdtb_be32(&t, 1); /* FDT_BEGIN_NODE "" */
	fdtb_be32(&t, 0);
	const uint32_t two = 2;
	fdtb_prop_cells(&t, S_AC, &two, 1);
	fdtb_prop_cells(&t, S_SC, &two, 1);
	for (uint32_t i = 0; i < n; i++) {
		char name[12] = "iommu@0";
		name[6] = (char)('0' + i);
		fdtb_be32(&t, 1);
		memcpy(t.b + t.len, name, 8);
		t.len += 8;
		fdtb_prop(&t, S_COMPAT, compat, (uint32_t)strlen(compat) + 1u);
		const uint32_t reg[4] = {0, 0x2b400000u + 0x100000u * i, 0, 0x20000};
		fdtb_prop_cells(&t, S_REG, reg, 4);
		const uint32_t ph = 1 + i;
		fdtb_prop_cells(&t, S_PH, &ph, 1);
		fdtb_be32(&t, 2); /* FDT_END_NODE */
	}
	fdtb_be32(&t, 2);
	fdtb_be32(&t, 9); /* FDT_END */
	uint32_t size_struct = t.len - 56, off_strings = t.len;
	memcpy(t.b + t.len, strings, sizeof(strings));
	t.len += (uint32_t)sizeof(strings);
	t.len = (t.len + 7u) & ~7u;
	const uint32_t hdr[10] = {0xd00dfeedu, t.len, 56, off_strings, 40, 17, 16, 0,
				  (uint32_t)sizeof(strings), size_struct};
	uint32_t end = t.len;
	t.len = 0;
	for (unsigned i = 0; i < 10; i++)
		fdtb_be32(&t, hdr[i]);
	t.len = end;
	*len = t.len;
	return t.b;
}

/* Take every page left in a pool (held by the test for good). */
static void spend(struct iomm_pool *p)
{
	uint64_t pa;
	while (iomm_pool_used(p) < iomm_pool_capacity(p))
		assert_non_null(iomm_pool_alloc(p, 1, &pa));
}

static uint8_t tiny_mem[IOMM_POOL_BYTES(8, P4K)] __attribute__((aligned(P4K)));
static uint8_t small_mem[IOMM_POOL_BYTES(8, P4K)] __attribute__((aligned(P4K)));

static struct iomm_pgt_cfg s1cfg(void)
{
	return (struct iomm_pgt_cfg){.format = IOMM_FMT_ARM_LPAE_S1, .granule = P4K};
}

/* clang-format off */
#define C(n) static int n(struct world *w __attribute__((unused)))
/* pools */
C(pool_init_null) { struct iomm_pool p; (void)p; return iomm_pool_init(NULL, PORT(w), spare_mem, sizeof(spare_mem), 0x1000000, P4K); }
C(pool_init_page) { struct iomm_pool p; return iomm_pool_init(&p, PORT(w), spare_mem, sizeof(spare_mem), (uint64_t)(uintptr_t)spare_mem, 8192); }
C(pool_init_align) { struct iomm_pool p; return iomm_pool_init(&p, PORT(w), spare_mem + 1, P4K, (uint64_t)(uintptr_t)spare_mem + 1, P4K); }
C(pool_init_congr) { struct iomm_pool p; return iomm_pool_init(&p, PORT(w), spare_mem, sizeof(spare_mem), 0x1008, P4K); }
C(pool_init_wrap) { struct iomm_pool p; return iomm_pool_init(&p, PORT(w), spare_mem, sizeof(spare_mem), UINT64_MAX & ~0xfffull, P4K); }
C(pool_init_small) { struct iomm_pool p; return iomm_pool_init(&p, PORT(w), spare_mem, 100, (uint64_t)(uintptr_t)spare_mem, P4K); }
C(pool_port_zero) { struct iomm_pool p; return iomm_pool_init_port(&p, PORT(w), P4K, 0); }
C(pool_port_hooks) { static struct iomm_port nohooks; nohooks = *PORT(w); nohooks.page_alloc = NULL; struct iomm_pool p; return iomm_pool_init_port(&p, &nohooks, P4K, 4); }
C(pool_release_null) { return iomm_pool_release(w->pool, NULL, 1); }
C(pool_release_count) { return iomm_pool_release(w->pool, w->s1.pgt.root, 3); }
C(pool_release_free) { uint64_t pa; void *p = iomm_pool_alloc(w->tpool, 1, &pa); (void)iomm_pool_release(w->tpool, p, 1); return iomm_pool_release(w->tpool, p, 1); }
C(pool_release_root) { return iomm_pool_release(w->pool, w->s1.pgt.root, 1); }
C(pool_release_foreign) { return iomm_pool_release(w->pool, spare_mem, 1); }
/* stand-alone tables */
C(pgt_init_null_cfg) { struct iomm_pgt p = {0}; return iomm_pgt_init(&p, NULL, w->tpool, PORT(w)); }
C(pgt_init_live) { struct iomm_pgt_cfg c = s1cfg(); return iomm_pgt_init(&w->pgt, &c, w->tpool, PORT(w)); }
C(pgt_init_format) { struct iomm_pgt p = {0}; struct iomm_pgt_cfg c = s1cfg(); c.format = (enum iomm_pgt_format)99; return iomm_pgt_init(&p, &c, w->tpool, PORT(w)); }
C(pgt_init_flag0) { struct iomm_pgt p = {0}; struct iomm_pgt_cfg c = s1cfg(); c.flags = 1u; return iomm_pgt_init(&p, &c, w->tpool, PORT(w)); }
C(pgt_init_fmtflag) { struct iomm_pgt p = {0}; struct iomm_pgt_cfg c = s1cfg(); c.flags = IOMM_PGT_SNOOP; return iomm_pgt_init(&p, &c, w->tpool, PORT(w)); }
C(pgt_init_granule) { struct iomm_pgt p = {0}; struct iomm_pgt_cfg c = s1cfg(); c.granule = 8192; return iomm_pgt_init(&p, &c, w->tpool, PORT(w)); }
C(pgt_init_ias) { struct iomm_pgt p = {0}; struct iomm_pgt_cfg c = s1cfg(); c.ias = 60; return iomm_pgt_init(&p, &c, w->tpool, PORT(w)); }
C(pgt_init_oas) { struct iomm_pgt p = {0}; struct iomm_pgt_cfg c = s1cfg(); c.oas = 52; return iomm_pgt_init(&p, &c, w->tpool, PORT(w)); }
C(pgt_init_poolgran) { struct iomm_pgt p = {0}; struct iomm_pgt_cfg c = s1cfg(); c.granule = 16384; return iomm_pgt_init(&p, &c, w->tpool, PORT(w)); }
C(pgt_init_noclean) { static struct iomm_port np; np = *PORT(w); np.clean_tables = NULL; struct iomm_pgt p = {0}; struct iomm_pgt_cfg c = s1cfg(); c.flags = IOMM_PGT_NONCOHERENT; return iomm_pgt_init(&p, &c, w->tpool, &np); }
C(pgt_map_null) { return iomm_pgt_map(NULL, 0, 0, P4K, RW); }
C(pgt_map_dead) { return iomm_pgt_map(&w->dead_pgt, 0, 0, P4K, RW); }
C(pgt_map_iova) { return iomm_pgt_map(&w->pgt, 0x10000100, 0x80000000, P4K, RW); }
C(pgt_map_zero) { return iomm_pgt_map(&w->pgt, 0x10000000, 0x80000000, 0, RW); }
C(pgt_map_wrap) { return iomm_pgt_map(&w->pgt, 0xfffffffffffff000ull, 0x80000000, 0x2000, RW); }
C(pgt_map_ias) { return iomm_pgt_map(&w->pgt, 1ull << 48, 0x80000000, P4K, RW); }
C(pgt_map_pa) { return iomm_pgt_map(&w->pgt, 0x10000000, 0x80000800, P4K, RW); }
C(pgt_map_oas) { return iomm_pgt_map(&w->pgt, 0x10000000, 1ull << 48, P4K, RW); }
C(pgt_map_prot0) { return iomm_pgt_map(&w->pgt, 0x10000000, 0x80000000, P4K, 0); }
C(pgt_map_protbits) { return iomm_pgt_map(&w->pgt, 0x10000000, 0x80000000, P4K, RW | 0x80000000u); }
C(pgt_map_overlap) { return iomm_pgt_map(&w->pgt, 0x200000, 0x80000000, P4K, RW); }
C(pgt_unmap_gather) { return iomm_pgt_unmap(&w->pgt, 0x200000, P4K, NULL, NULL); }
C(pgt_unmap_align) { struct iomm_gather g; iomm_gather_init(&g); return iomm_pgt_unmap(&w->pgt, 0x200800, P4K, &g, NULL); }
C(pgt_unmap_ias) { struct iomm_gather g; iomm_gather_init(&g); return iomm_pgt_unmap(&w->pgt, 1ull << 48, P4K, &g, NULL); }
C(pgt_unmap_other) { return iomm_pgt_unmap(&w->pgt, 0x200000, P4K, &w->other, NULL); }
C(pgt_i2p_null) { return iomm_pgt_iova_to_phys(&w->pgt, 0x200000, NULL); }
C(pgt_i2p_hole) { uint64_t pa; return iomm_pgt_iova_to_phys(&w->pgt, 0x7000000, &pa); }
C(pgt_lookup_null) { return iomm_pgt_lookup(&w->pgt, 0x200000, NULL); }
C(pgt_i2p_dead) { uint64_t pa; return iomm_pgt_iova_to_phys(&w->dead_pgt, 0x200000, &pa); }
C(pgt_i2p_nopgt) { uint64_t pa; return iomm_pgt_iova_to_phys(NULL, 0x200000, &pa); }
C(pgt_lookup_dead) { struct iomm_mapping m; return iomm_pgt_lookup(&w->dead_pgt, 0x200000, &m); }
C(pgt_lookup_nopgt) { struct iomm_mapping m; return iomm_pgt_lookup(NULL, 0x200000, &m); }
C(pgt_walk_null) { return iomm_pgt_walk(&w->pgt, 0, 0, NULL, NULL); }
C(pgt_walk_wrap) { uint64_t h = 0; return iomm_pgt_walk(&w->pgt, 0x2000, UINT64_MAX, hash_leaf, &h); }
C(pgt_regs_null) { return iomm_pgt_lpae_regs(&w->pgt, NULL); }
C(pgt_regs_dead) { struct iomm_lpae_regs r; return iomm_pgt_lpae_regs(&w->dead_pgt, &r); }
/* domains */
C(dom_init_null_cfg) { struct iomm_domain d = {0}; return iomm_domain_init(&d, &w->f->smmu.unit, NULL); }
C(dom_init_null_unit) { struct iomm_domain d = {0}; struct iomm_domain_cfg c = {.type = IOMM_DOMAIN_S1, .pool = w->pool}; return iomm_domain_init(&d, NULL, &c); }
C(dom_init_live) { struct iomm_domain_cfg c = {.type = IOMM_DOMAIN_S1, .pool = w->pool}; return iomm_domain_init(&w->s1, &w->f->smmu.unit, &c); }
C(dom_init_type) { struct iomm_domain d = {0}; struct iomm_domain_cfg c = {.type = (enum iomm_domain_type)77, .pool = w->pool}; return iomm_domain_init(&d, &w->f->smmu.unit, &c); }
C(dom_init_nested) { struct iomm_domain d = {0}; struct iomm_domain_cfg c = {.type = IOMM_DOMAIN_NESTED, .pool = w->pool, .parent = &w->s1}; return iomm_domain_init(&d, &w->f->smmu.unit, &c); }
C(dom_init_pool) { struct iomm_domain d = {0}; struct iomm_domain_cfg c = {.type = IOMM_DOMAIN_S2}; return iomm_domain_init(&d, &w->f->smmu.unit, &c); }
C(dom_init_granule) { struct iomm_domain d = {0}; struct iomm_domain_cfg c = {.type = IOMM_DOMAIN_S1, .granule = 8192, .pool = w->pool}; return iomm_domain_init(&d, &w->f->smmu.unit, &c); }
C(dom_init_ias) { struct iomm_domain d = {0}; struct iomm_domain_cfg c = {.type = IOMM_DOMAIN_S1, .ias = 60, .pool = w->pool}; return iomm_domain_init(&d, &w->f->smmu.unit, &c); }
C(dom_destroy_null) { return iomm_domain_destroy(NULL); }
C(dom_destroy_dead) { return iomm_domain_destroy(&w->dead); }
C(dom_destroy_busy) { return iomm_domain_destroy(&w->s1); }
C(map_null) { return iomm_map(NULL, 0, 0, P4K, RW); }
C(map_blocked) { return iomm_map(&w->blocked, 0, 0x80000000, P4K, RW); }
C(map_dead) { return iomm_map(&w->dead, 0, 0x80000000, P4K, RW); }
C(map_align) { return iomm_map(&w->s1, 0x300100, 0x80000000, P4K, RW); }
C(map_range) { return iomm_map(&w->s1, 1ull << 50, 0x80000000, P4K, RW); }
C(map_s2_priv) { return iomm_map(&w->s2, 0x50000000, 0x80000000, P4K, RW | IOMM_PRIV); }
C(map_overlap) { return iomm_map(&w->s1, 0x100000, 0x90000000, P4K, RW); }
C(unmap_null) { return iomm_unmap(NULL, 0, P4K, NULL); }
C(unmap_blocked) { return iomm_unmap(&w->blocked, 0, P4K, NULL); }
C(unmap_align) { return iomm_unmap(&w->s1, 0x100800, P4K, NULL); }
C(unmap_zero) { return iomm_unmap(&w->s1, 0x100000, 0, NULL); }
C(i2p_null) { return iomm_iova_to_phys(&w->s1, 0x100000, NULL); }
C(i2p_blocked) { uint64_t pa; return iomm_iova_to_phys(&w->blocked, 0, &pa); }
C(i2p_hole) { uint64_t pa; return iomm_iova_to_phys(&w->s1, 0x7000000, &pa); }
/* devices */
C(dev_init_null) { struct iomm_dev d; return iomm_dev_init(&d, &w->f->smmu.unit, NULL); }
C(dev_init_fn) { struct iomm_dev d; struct iomm_devid id = IOMM_PCI(0, 1, 9); return iomm_dev_init(&d, &w->f->smmu.unit, &id); }
C(dev_init_wide) { struct iomm_dev d; struct iomm_devid id = IOMM_SID(1u << 30); return iomm_dev_init(&d, &w->f->smmu.unit, &id); }
C(dev_init_nounit) { struct iomm_dev d; struct iomm_devid id = IOMM_SID(3); return iomm_dev_init(&d, NULL, &id); }
C(attach_null) { return iomm_attach(&w->s1, NULL); }
C(attach_busy) { return iomm_attach(&w->s2, &w->dev1); }
C(attach_dead_dom) { return iomm_attach(&w->dead, &w->loose); }
C(attach_dead_dev) { return iomm_attach(&w->s1, &w->dead_dev); }
C(detach_null) { return iomm_detach(NULL); }
C(detach_loose) { return iomm_detach(&w->loose); }
C(fault_null_fn) { return iomm_fault_poll(&w->f->smmu.unit, NULL, NULL); }
C(fault_null_unit) { return iomm_fault_poll(NULL, nop_fault, NULL); }
/* the SMMUv3 backend */
C(v3_init_null_port) { struct iomm_smmuv3 s = {0}; return iomm_smmuv3_init(&s, NULL, FX_REGS, &w->f->mem, NULL, NULL); }
C(v3_init_nomem) { struct iomm_smmuv3 s = {0}; return iomm_smmuv3_init(&s, PORT(w), FX_REGS, NULL, NULL, NULL); }
C(v3_disable_null) { return iomm_smmuv3_disable(NULL); }
C(v3_disable_never) { struct iomm_smmuv3 s = {0}; return iomm_smmuv3_disable(&s); }
C(v3_decode_null) { return iomm_smmuv3_decode_event(NULL, NULL); }
/* interrupt remapping (the SMMUv3 has none) */
C(irq_alloc_none) { struct iomm_irq q = {0}; struct iomm_msi_msg m; struct iomm_irq_cfg t = {.dest = 0, .vector = 0x40}; return iomm_irq_alloc(&w->f->smmu.unit, &w->dev1, &t, &q, &m); }
C(irq_alloc_null) { struct iomm_irq q = {0}; struct iomm_msi_msg m; return iomm_irq_alloc(&w->f->smmu.unit, &w->dev1, NULL, &q, &m); }
C(irq_update_never) { struct iomm_irq q = {0}; struct iomm_irq_cfg t = {.vector = 0x40}; return iomm_irq_update(&q, &t); }
C(irq_free_null) { return iomm_irq_free(NULL); }
C(vm_irq_alloc_dead) { struct iomm_msi_msg m; uint32_t h; struct iomm_irq_cfg t = {.vector = 0x40}; return iomm_vm_irq_alloc(&w->dead_vm, 4, &t, &m, &h); }
/* the host role */
static struct iomm_vm_cfg vcfg_of(struct world *w) { return w->vcfg; }
C(vm_init_null) { struct iomm_vm v = {0}; return iomm_vm_init(&v, NULL); }
C(vm_init_noregions) { struct iomm_vm v = {0}; struct iomm_vm_cfg c = vcfg_of(w); c.regions = NULL; return iomm_vm_init(&v, &c); }
C(vm_init_granule) { struct iomm_vm v = {0}; struct iomm_vm_cfg c = vcfg_of(w); c.granule = 8192; return iomm_vm_init(&v, &c); }
C(vm_init_region) { static const struct iomm_vm_region r = {.gpa = 0x1000800, .hpa = 0, .size = 0x1000, .prot = IOMM_READ}; struct iomm_vm v = {0}; struct iomm_vm_cfg c = vcfg_of(w); c.regions = &r; return iomm_vm_init(&v, &c); }
C(vm_init_overlap) { static const struct iomm_vm_region r[2] = {{.gpa = 0, .hpa = 0, .size = 0x2000, .prot = IOMM_READ}, {.gpa = 0x1000, .hpa = 0x10000, .size = 0x1000, .prot = IOMM_READ}}; struct iomm_vm v = {0}; struct iomm_vm_cfg c = vcfg_of(w); c.regions = r; c.nregions = 2; return iomm_vm_init(&v, &c); }
C(vm_init_input) { struct iomm_vm v = {0}; struct iomm_vm_cfg c = vcfg_of(w); c.input_start = 0x2000; c.input_end = 0x1000; return iomm_vm_init(&v, &c); }
C(vm_init_domids) { struct iomm_vm v = {0}; struct iomm_vm_cfg c = vcfg_of(w); c.domain_start = 9; c.domain_end = 3; return iomm_vm_init(&v, &c); }
C(vm_init_policy) { struct iomm_vm v = {0}; struct iomm_vm_cfg c = vcfg_of(w); c.policy = (enum iomm_vm_policy)9; return iomm_vm_init(&v, &c); }
C(vm_init_pagemask) { struct iomm_vm v = {0}; struct iomm_vm_cfg c = vcfg_of(w); c.page_size_mask = 0x800; return iomm_vm_init(&v, &c); }
C(vm_assign_noid) { return iomm_vm_assign(&w->vm, &w->f->smmu.unit, NULL, 5); }
C(vm_assign_badid) { struct iomm_devid id = IOMM_PCI(0, 1, 9); return iomm_vm_assign(&w->vm, &w->f->smmu.unit, &id, 5); }
C(vm_assign_dead) { struct iomm_devid id = IOMM_SID(0x55); return iomm_vm_assign(&w->dead_vm, &w->f->smmu.unit, &id, 5); }
C(vm_unassign_dead) { return iomm_vm_unassign(&w->dead_vm, 4); }
C(vm_destroy_dead) { return iomm_vm_destroy(&w->dead_vm); }
C(vm_walk_nofn) { return iomm_vm_walk(&w->vm, 4, NULL, NULL); }
C(vm_audit_dead) { return iomm_vm_audit(&w->dead_vm); }
C(vm_route_nofault) { return iomm_vm_fault_route(&w->vm, &w->f->smmu.unit, NULL); }
C(vdev_event_small) { uint8_t b[4]; return iomm_viommu_dev_next_event(&w->vm, b, sizeof(b)); }
C(vdev_config_small) { uint8_t b[4]; return iomm_viommu_dev_config(&w->vm, b, sizeof(b)); }
C(vdev_bypass_dead) { return iomm_viommu_dev_set_bypass(&w->dead_vm, 1); }
C(vdev_handle_noused) { uint8_t b[16] = {0}; return iomm_viommu_dev_handle(&w->vm, b, sizeof(b), b, sizeof(b), NULL); }
C(vdev_reset_dead) { return iomm_viommu_dev_reset(&w->dead_vm); }
/* board configuration */
C(cfg_needs_null) { return iomm_config_needs(NULL, NULL); }
C(cfg_validate_type) { static struct iomm_cfg_unit u = {.type = (enum iomm_cfg_unit_type)9, .base = 0x1000}; static struct iomm_unit *units[1]; units[0] = &w->f->smmu.unit; struct iomm_board b = {.units = &u, .nunits = 1}; struct iomm_config_storage st = {.units = units, .nunits = 1}; struct iomm_config_error e; return iomm_config_validate(&b, &st, &e); }
C(cfg_apply_nostorage) { struct iomm_board b = {0}; return iomm_config_apply(&b, NULL, NULL); }
C(cfg_remove_null) { return iomm_config_remove(NULL, NULL); }
/* discovery (no port: the reason goes to iomm_discovery::msg) */
C(disc_add_unit) { struct iomm_cfg_device d = {.unit = 7}; return iomm_discovery_add_device(&w->disc, &d); }
C(disc_policy_noid) { return iomm_discovery_set_policy(&w->disc, 0x1000, NULL, IOMM_POLICY_BLOCKED, NULL, 0); }
C(disc_init_null) { return iomm_discovery_init(NULL, NULL, 0, NULL, 0, NULL, 0); }
C(disc_iort_null) { return iomm_acpi_parse_iort(&w->disc, NULL, 0); }
C(disc_table_short) { static const uint8_t t[8]; uint32_t l; return iomm_acpi_table_check(t, sizeof(t), "IORT", &l); }
/* the other backends */
C(v2_init_null) { return iomm_smmuv2_init(NULL, PORT(w), 0x1000, NULL); }
C(v2_init_noclock) { static struct iomm_port np; np = *PORT(w); np.now_ns = NULL; struct iomm_smmuv2 v = {0}; return iomm_smmuv2_init(&v, &np, 0x1000, NULL); }
C(v2_decode_null) { return iomm_smmuv2_decode_fault(NULL, NULL); }
C(vtd_init_nomem) { struct iomm_vtd v = {0}; return iomm_vtd_init(&v, PORT(w), 0x1000, NULL, w->tpool, NULL); }
C(vtd_enable_never) { struct iomm_vtd v = {0}; return iomm_vtd_enable(&v); }
C(vtd_disable_null) { return iomm_vtd_disable(NULL); }
C(vtd_flush_never) { struct iomm_vtd v = {0}; return iomm_vtd_flush_all(&v); }
C(vtd_decode_null) { return iomm_vtd_decode_fault(NULL, NULL); }
C(pv_init_not) { struct iomm_paravirt pv = {0}; return iomm_paravirt_init(&pv, PORT(w), NULL, NULL); }
C(pv_probe_never) { struct iomm_paravirt pv = {0}; return iomm_paravirt_probe(&pv, 1); }
C(pv_resv_null) { return iomm_paravirt_resv_get(NULL, 1, 0, NULL); }
C(pv_pci_slots) { static uint8_t mem[1 << 16] __attribute__((aligned(4096))); struct iomm_viommu_pci p; const struct iomm_viommu_transport *t; struct iomm_viommu_pci_cfg c = {0}; c.pci_read32 = (uint32_t (*)(void *, uint16_t))1; c.mmio_read = (uint32_t (*)(void *, uintptr_t, unsigned))1; c.mmio_write = (void (*)(void *, uintptr_t, unsigned, uint32_t))1; c.mem = mem; c.mem_pa = (uint64_t)(uintptr_t)mem; c.mem_size = sizeof(mem); c.event_slots = 3; return iomm_viommu_pci_init(&p, PORT(w), &c, &t); }
/* status conversions (pure) */
C(st_ioerr) { return iomm_viommu_status_to_rc(IOMM_VIOMMU_S_IOERR); }
C(st_unsupp) { return iomm_viommu_status_to_rc(IOMM_VIOMMU_S_UNSUPP); }
C(st_inval) { return iomm_viommu_status_to_rc(IOMM_VIOMMU_S_INVAL); }
C(st_range) { return iomm_viommu_status_to_rc(IOMM_VIOMMU_S_RANGE); }
C(st_noent) { return iomm_viommu_status_to_rc(IOMM_VIOMMU_S_NOENT); }
C(st_fault) { return iomm_viommu_status_to_rc(IOMM_VIOMMU_S_FAULT); }
C(st_nomem) { return iomm_viommu_status_to_rc(IOMM_VIOMMU_S_NOMEM); }
C(pvst_unknown) { return iomm_paravirt_status(200); }
C(pvst_unsupp) { return iomm_paravirt_status(IOMM_VIOMMU_S_UNSUPP); }
C(pvst_inval) { return iomm_paravirt_status(IOMM_VIOMMU_S_INVAL); }
C(pvst_range) { return iomm_paravirt_status(IOMM_VIOMMU_S_RANGE); }
C(pvst_noent) { return iomm_paravirt_status(IOMM_VIOMMU_S_NOENT); }
C(pvst_fault) { return iomm_paravirt_status(IOMM_VIOMMU_S_FAULT); }
C(pvst_nomem) { return iomm_paravirt_status(IOMM_VIOMMU_S_NOMEM); }
/* tables: lookups, updates, and the small pool running out */
C(pgt_lookup_hole) { struct iomm_mapping m; return iomm_pgt_lookup(&w->pgt, 0x7000000, &m); }
C(pgt_update_align) { struct iomm_gather g; iomm_gather_init(&g); return iomm_pgt_update(&w->pgt, 0x200800, 0x90000000, P4K, RW, &g); }
C(pgt_update_ias) { struct iomm_gather g; iomm_gather_init(&g); return iomm_pgt_update(&w->pgt, 1ull << 48, 0x90000000, P4K, RW, &g); }
C(pgt_update_hole) { struct iomm_gather g; iomm_gather_init(&g); return iomm_pgt_update(&w->pgt, 0x7000000, 0x90000000, P4K, RW, &g); }
C(pgt_update_bbm) { struct iomm_gather g; iomm_gather_init(&g); return iomm_pgt_update(&w->pgt, 0x200000, 0x91000000, P4K, RW, &g); }
C(acpi_sum) { static const uint8_t t[36] = {'I', 'O', 'R', 'T', 36, 0, 0, 0, 1, 0x55}; uint32_t l; return iomm_acpi_table_check(t, sizeof(t), "IORT", &l); }
C(pgt_map_nomem) { return iomm_pgt_map(&w->tiny, 0x40000000, 0x80000000, P4K, RW); }
C(pgt_unmap_nomem) { struct iomm_gather g; iomm_gather_init(&g); return iomm_pgt_unmap(&w->tiny, 0x200000, P4K, &g, NULL); }
C(pgt_init_nomem) { struct iomm_pgt p = {0}; struct iomm_pgt_cfg c = s1cfg(); return iomm_pgt_init(&p, &c, &w->tiny_pool, PORT(w)); }
/* domains: ranges, holes, and a domain whose pool is spent */
C(unmap_range) { return iomm_unmap(&w->s1, 1ull << 50, P4K, NULL); }
C(unmap_gather_null) { return iomm_unmap_gather(&w->s1, 0x100000, P4K, NULL, NULL); }
C(unmap_gather_range) { struct iomm_gather g; iomm_gather_init(&g); return iomm_unmap_gather(&w->s1, 1ull << 50, P4K, &g, NULL); }
C(unmap_gather_nomem) { struct iomm_gather g; iomm_gather_init(&g); return iomm_unmap_gather(&w->small, 0x200000, P4K, &g, NULL); }
C(unmap_nomem) { return iomm_unmap(&w->small, 0x200000, P4K, NULL); }
C(map_nomem) { return iomm_map(&w->small, 0x40000000, 0x80000000, P4K, RW); }
C(dom_init_nomem) { struct iomm_domain d = {0}; struct iomm_domain_cfg c = {.type = IOMM_DOMAIN_S1, .pool = &w->small_pool}; return iomm_domain_init(&d, &w->f->smmu.unit, &c); }
C(gather_sync_null) { struct iomm_gather g; iomm_gather_init(&g); return iomm_gather_sync(NULL, &g); }
C(update_align) { return iomm_update(&w->s1, 0x100800, 0x80100000, P4K, RW); }
C(update_range) { return iomm_update(&w->s1, 1ull << 50, 0x80100000, P4K, RW); }
C(update_hole) { return iomm_update(&w->s1, 0x7000000, 0x80100000, P4K, RW); }
/* the host role: unknown endpoints, handles and streams */
C(vm_walk_noep) { uint64_t h = 0; return iomm_vm_walk(&w->vm, 9, hash_leaf, &h); }
C(vm_unassign_noep) { return iomm_vm_unassign(&w->vm, 9); }
C(vm_irq_free_dead) { return iomm_vm_irq_free(&w->dead_vm, 1); }
C(vm_irq_free_nohandle) { return iomm_vm_irq_free(&w->vm, 77); }
C(vm_irq_update_null) { return iomm_vm_irq_update(&w->vm, 77, NULL); }
C(vm_irq_update_nohandle) { struct iomm_irq_cfg t = {.vector = 0x40}; return iomm_vm_irq_update(&w->vm, 77, &t); }
C(vm_irq_alloc_noep) { struct iomm_msi_msg m; uint32_t h; struct iomm_irq_cfg t = {.vector = 0x40}; return iomm_vm_irq_alloc(&w->vm, 9, &t, &m, &h); }
C(vm_irq_alloc_policy) { struct iomm_msi_msg m; uint32_t h; struct iomm_irq_cfg t = {.dest = 7, .vector = 0x40}; return iomm_vm_irq_alloc(&w->vm, 4, &t, &m, &h); }
C(vm_irq_alloc_noir) { struct iomm_msi_msg m; uint32_t h; struct iomm_irq_cfg t = {.dest = 0, .vector = 0x40}; return iomm_vm_irq_alloc(&w->vm, 4, &t, &m, &h); }
C(vm_route_stranger) { struct iomm_fault ft = {.sid = 0x99, .addr = 0x1000, .reason = IOMM_FAULT_TRANSLATION}; return iomm_vm_fault_route(&w->vm, &w->f->smmu.unit, &ft); }
C(vm_assign_ep_used) { struct iomm_devid id = IOMM_SID(0x45); return iomm_vm_assign(&w->vm, &w->f->smmu.unit, &id, 4); }
C(vm_assign_owned) { struct iomm_devid id = IOMM_SID(0x44); return iomm_vm_assign(&w->vm, &w->f->smmu.unit, &id, 6); }
C(vm_assign_wide) { struct iomm_devid id = IOMM_SID(1u << 30); return iomm_vm_assign(&w->vm, &w->f->smmu.unit, &id, 6); }
/* discovery and configuration */
C(disc_policy_nomatch) { struct iomm_devid id = IOMM_SID(5); return iomm_discovery_set_policy(&w->disc, 0x1000, &id, IOMM_POLICY_BLOCKED, NULL, 0); }
C(disc_board_null) { return iomm_discovery_board(&w->disc, NULL); }
C(devid_null) { uint32_t s, m; return iomm_devid_resolve(NULL, &s, &m); }
C(rsdp_null) { uint64_t pa; return iomm_acpi_find_rsdp(NULL, &pa); }
C(rsdp_none) { struct iomm_acpi_mem mem = {.read = zero_read}; uint64_t pa; return iomm_acpi_find_rsdp(&mem, &pa); }
C(acpi_table_null) { uint32_t l; uint8_t b[64]; return iomm_acpi_find_table(NULL, 0xe0000, "DMAR", b, sizeof(b), &l, NULL); }
C(dmar_null) { return iomm_acpi_parse_dmar(&w->disc, NULL, 0, NULL); }
C(fdt_garbage) { static const uint8_t blob[64] = {1, 2, 3}; return iomm_fdt_parse(&w->disc, blob, sizeof(blob)); }
C(fdt_rid_garbage) { static const uint8_t blob[64] = {1, 2, 3}; uint32_t ph, sid; return iomm_fdt_map_rid(blob, sizeof(blob), 0x100, &ph, &sid); }
C(fdt_rid_nobridge) { uint32_t ph, sid; return iomm_fdt_map_rid(empty_fdt, sizeof(empty_fdt), 0x100, &ph, &sid); }
/* MSI discovery: an IORT without nodes and a MADT without structures (valid, checksummed) */
static void acpi_fix(uint8_t *t, uint32_t len, const char *sig)
{
	memcpy(t, sig, 4);
	t[4] = (uint8_t)len;
	t[9] = 0;
	uint8_t sum = 0;
	for (uint32_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + t[i]);
	t[9] = (uint8_t)(0x100 - sum);
}
C(iort_msi_null) { uint32_t its, id; return iomm_acpi_iort_msi(NULL, 48, 0, 8, &its, &id); }
C(iort_msi_sum) { uint8_t t[48] = {0}; acpi_fix(t, 48, "IORT"); t[20] ^= 1; uint32_t its, id; return iomm_acpi_iort_msi(t, 48, 0, 8, &its, &id); }
C(iort_msi_none) { uint8_t t[48] = {0}; acpi_fix(t, 48, "IORT"); uint32_t its, id; return iomm_acpi_iort_msi(t, 48, 0, 8, &its, &id); }
C(madt_its_null) { uint64_t b; return iomm_acpi_madt_its(NULL, 44, 0, &b); }
C(madt_its_sum) { uint8_t t[44] = {0}; acpi_fix(t, 44, "APIC"); t[20] ^= 1; uint64_t b; return iomm_acpi_madt_its(t, 44, 0, &b); }
C(madt_its_none) { uint8_t t[44] = {0}; acpi_fix(t, 44, "APIC"); uint64_t b; return iomm_acpi_madt_its(t, 44, 0, &b); }
C(fdt_msi_garbage) { static const uint8_t blob[64] = {1, 2, 3}; uint32_t ph, id; return iomm_fdt_map_msi(blob, sizeof(blob), 0x100, &ph, &id); }
C(fdt_msi_nobridge) { uint32_t ph, id; return iomm_fdt_map_msi(empty_fdt, sizeof(empty_fdt), 0x100, &ph, &id); }
C(fdt_db_garbage) { static const uint8_t blob[64] = {1, 2, 3}; uint64_t db; return iomm_fdt_msi_doorbell(blob, sizeof(blob), 1, &db); }
C(fdt_db_nophandle) { uint64_t db; return iomm_fdt_msi_doorbell(empty_fdt, sizeof(empty_fdt), 1, &db); }
C(fdt_parent_nullpath) { uint32_t ph, id; return iomm_fdt_msi_parent(empty_fdt, sizeof(empty_fdt), NULL, &ph, &id); }
C(fdt_parent_nonode) { uint32_t ph, id; return iomm_fdt_msi_parent(empty_fdt, sizeof(empty_fdt), "/nope", &ph, &id); }
C(cfg_validate_twice) { static struct iomm_cfg_unit u[2] = {{.type = IOMM_UNIT_SMMUV3, .base = 0x1000, .size = 0x20000}, {.type = IOMM_UNIT_SMMUV3, .base = 0x1000, .size = 0x20000}}; struct iomm_board b = {.units = u, .nunits = 2}; struct iomm_config_error e; return iomm_config_validate(&b, NULL, &e); }
C(cfg_validate_coherent) { static struct iomm_cfg_unit u = {.type = IOMM_UNIT_SMMUV3, .base = 0x1000}; static struct iomm_unit *units[1]; units[0] = &w->f->smmu.unit; struct iomm_board b = {.units = &u, .nunits = 1}; struct iomm_config_storage st = {.units = units, .nunits = 1}; struct iomm_config_error e; return iomm_config_validate(&b, &st, &e); }
C(cfg_validate_nostore) { static struct iomm_cfg_unit u = {.type = IOMM_UNIT_SMMUV3, .base = 0x1000, .flags = IOMM_CFG_UNIT_COHERENT}; static struct iomm_unit *units[1]; units[0] = &w->f->smmu.unit; struct iomm_cfg_device d = {.unit = 0, .id = IOMM_SID(0x70), .policy = IOMM_POLICY_BLOCKED}; struct iomm_board b = {.units = &u, .nunits = 1, .devices = &d, .ndevices = 1}; struct iomm_config_storage st = {.units = units, .nunits = 1}; struct iomm_config_error e; return iomm_config_validate(&b, &st, &e); }
C(find_table_none) { uint8_t b[64]; uint32_t l; return iomm_acpi_find_table(acpi_fake(false), RSDP_PA, "IORT", b, sizeof(b), &l, NULL); }
C(find_table_small) { uint8_t b[16]; uint32_t l; return iomm_acpi_find_table(acpi_fake(false), RSDP_PA, "DMAR", b, sizeof(b), &l, NULL); }
C(find_table_sum) { uint8_t b[64]; uint32_t l; return iomm_acpi_find_table(acpi_fake(true), RSDP_PA, "DMAR", b, sizeof(b), &l, NULL); }
C(iort_sum) { return iomm_acpi_parse_iort(&w->disc, bad_table("IORT", 48), 48); }
C(dmar_sum) { return iomm_acpi_parse_dmar(&w->disc, bad_table("DMAR", 48), 48, NULL); }
C(disc_add_full) { static struct iomm_cfg_unit u[1] = {{.type = IOMM_UNIT_SMMUV3, .base = 0x1000}}; struct iomm_discovery d; assert_int_equal(iomm_discovery_init(&d, u, 1, NULL, 0, NULL, 0), IOMM_OK); d.nunits = 1; struct iomm_cfg_device dev = {.unit = 0, .id = IOMM_SID(1)}; return iomm_discovery_add_device(&d, &dev); }
C(dmar_units_full) { const struct tb *t = dmar_three_units(); return iomm_acpi_parse_dmar(&w->disc, t->b, t->len, NULL); }
C(dmar_bridge_nopci) { const struct tb *t = dmar_behind_bridge(); return iomm_acpi_parse_dmar(&w->disc, t->b, t->len, NULL); }
C(dmar_bridge_absent) { static const struct iomm_acpi_pci pci = {.read8 = pci_absent}; const struct tb *t = dmar_behind_bridge(); return iomm_acpi_parse_dmar(&w->disc, t->b, t->len, &pci); }
C(dmar_irq_null) { uint32_t n; return iomm_acpi_dmar_irq_sources(NULL, 0, NULL, NULL, 0, &n); }
C(dmar_irq_sum) { uint32_t n; return iomm_acpi_dmar_irq_sources(bad_table("DMAR", 48), 48, NULL, NULL, 0, &n); }
C(dmar_irq_nopci) { uint32_t n; struct iomm_irq_source s[2]; const struct tb *t = dmar_ioapics(); return iomm_acpi_dmar_irq_sources(t->b, t->len, NULL, s, 2, &n); }
C(dmar_irq_absent) { static const struct iomm_acpi_pci pci = {.read8 = pci_absent}; uint32_t n; struct iomm_irq_source s[2]; const struct tb *t = dmar_ioapics(); return iomm_acpi_dmar_irq_sources(t->b, t->len, &pci, s, 2, &n); }
C(dmar_irq_full) { static const struct iomm_acpi_pci pci = {.read8 = pci_bus2}; uint32_t n = 0; struct iomm_irq_source one[1]; const struct tb *t = dmar_ioapics(); return iomm_acpi_dmar_irq_sources(t->b, t->len, &pci, one, 1, &n); }
C(iort_units_full) { const struct tb *t = iort_three_units(); return iomm_acpi_parse_iort(&w->disc, t->b, t->len); }
C(fdt_units_full) { size_t n; const uint8_t *b = fdt_nodes("arm,smmu-v3", 3, &n); return iomm_fdt_parse(&w->disc, b, n); }
C(fdt_db_v2m) { size_t n; uint64_t db = 0; const uint8_t *b = fdt_nodes("arm,gic-v2m-frame", 1, &n); return iomm_fdt_msi_doorbell(b, n, 1, &db); }
C(cfg_validate_wide) { static struct iomm_cfg_unit u = {.type = IOMM_UNIT_SMMUV3, .base = 0x1000, .flags = IOMM_CFG_UNIT_COHERENT}; static struct iomm_unit *units[1]; units[0] = &w->f->smmu.unit; struct iomm_cfg_device d = {.unit = 0, .id = IOMM_SID(1u << 30), .policy = IOMM_POLICY_BLOCKED}; struct iomm_board b = {.units = &u, .nunits = 1, .devices = &d, .ndevices = 1}; struct iomm_config_storage st = {.units = units, .nunits = 1}; struct iomm_config_error e; return iomm_config_validate(&b, &st, &e); }
/* the virtio-mmio transport (guest) and front (host) */
C(mmio_init_nocfg) { struct iomm_viommu_mmio m; const struct iomm_viommu_transport *t; return iomm_viommu_mmio_init(&m, PORT(w), NULL, &t); }
C(mmio_init_small) { struct iomm_viommu_mmio m; const struct iomm_viommu_transport *t = NULL; struct iomm_viommu_mmio_cfg c = {.base = 0x1000, .mem = spare_mem, .mem_pa = (uint64_t)(uintptr_t)spare_mem, .mem_size = 16, .event_slots = 4}; return iomm_viommu_mmio_init(&m, PORT(w), &c, &t); }
C(vfront_init_null) { return iomm_vmmio_front_init(NULL, NULL); }
C(vfront_access_never) { static struct iomm_vmmio_front fr; uint32_t v = 0; return iomm_vmmio_front_access(&fr, 0, 4, false, &v); }
C(vfront_poll_null) { return iomm_vmmio_front_poll(NULL); }
/* fault decoders */
C(v2_decode_nofault) { struct iomm_smmuv2_fault_regs r = {0}; struct iomm_fault ft; return iomm_smmuv2_decode_fault(&r, &ft); }
C(vtd_decode_nofault) { static const uint64_t rec[2] = {0, 0}; struct iomm_fault ft; return iomm_vtd_decode_fault(rec, &ft); }
C(pv_msi_none) { static struct iomm_paravirt pv; uint64_t s, e; return iomm_paravirt_msi_region(&pv, 1, &s, &e); }
C(pv_msi_null) { static struct iomm_paravirt pv; uint64_t s; return iomm_paravirt_msi_region(&pv, 1, &s, NULL); }
C(pv_resv_none) { static struct iomm_paravirt pv; struct iomm_paravirt_resv r; return iomm_paravirt_resv_get(&pv, 1, 0, &r); }
/* clang-format on */

#define K(n, want, fn, arg) {#n, n, want, fn, arg}
static const struct mcase cases[] = {
    K(pool_init_null, IOMM_EINVAL, "iomm_pool_init", "pool"),
    K(pool_init_page, IOMM_EINVAL, "iomm_pool_init", "page_size"),
    K(pool_init_align, IOMM_EINVAL, "iomm_pool_init", "mem"),
    K(pool_init_congr, IOMM_EINVAL, "iomm_pool_init", "congruent"),
    K(pool_init_wrap, IOMM_EINVAL, "iomm_pool_init", "wraps"),
    K(pool_init_small, IOMM_ENOMEM, "iomm_pool_init", "IOMM_POOL_BYTES"),
    K(pool_port_zero, IOMM_EINVAL, "iomm_pool_init_port", "max_pages"),
    K(pool_port_hooks, IOMM_EINVAL, "iomm_pool_init_port", "page_alloc"),
    K(pool_release_null, IOMM_EINVAL, "iomm_pool_release", "va"),
    K(pool_release_count, IOMM_EINVAL, "iomm_pool_release", "count"),
    K(pool_release_free, IOMM_EINVAL, "iomm_pool_release", "in use"),
    K(pool_release_root, IOMM_EBUSY, "iomm_pool_release", "live table"),
    K(pool_release_foreign, IOMM_EINVAL, "iomm_pool_release", "this pool"),
    K(pgt_init_null_cfg, IOMM_EINVAL, "iomm_pgt_init", "cfg"),
    K(pgt_init_live, IOMM_EBUSY, "iomm_pgt_init", "live"),
    K(pgt_init_format, IOMM_EINVAL, "iomm_pgt_init", "cfg->format"),
    K(pgt_init_flag0, IOMM_EINVAL, "iomm_pgt_init", "cfg->flags"),
    K(pgt_init_fmtflag, IOMM_EINVAL, "iomm_pgt_init", "this format"),
    K(pgt_init_granule, IOMM_ENOTSUP, "iomm_pgt_init", "cfg->granule"),
    K(pgt_init_ias, IOMM_ENOTSUP, "iomm_pgt_init", "cfg->ias"),
    K(pgt_init_oas, IOMM_ENOTSUP, "iomm_pgt_init", "oas"),
    K(pgt_init_poolgran, IOMM_EINVAL, "iomm_pgt_init", "pool"),
    K(pgt_init_noclean, IOMM_EINVAL, "iomm_pgt_init", "clean_tables"),
    K(pgt_map_null, IOMM_EINVAL, NULL, NULL),
    K(pgt_map_dead, IOMM_EINVAL, "iomm_pgt_map", "not live"),
    K(pgt_map_iova, IOMM_EINVAL, "iomm_pgt_map", "iova"),
    K(pgt_map_zero, IOMM_EINVAL, "iomm_pgt_map", "size"),
    K(pgt_map_wrap, IOMM_EINVAL, "iomm_pgt_map", "wrap"),
    K(pgt_map_ias, IOMM_ERANGE, "iomm_pgt_map", "cfg.ias"),
    K(pgt_map_pa, IOMM_EINVAL, "iomm_pgt_map", "pa"),
    K(pgt_map_oas, IOMM_ERANGE, "iomm_pgt_map", "cfg.oas"),
    K(pgt_map_prot0, IOMM_EINVAL, "iomm_pgt_map", "prot"),
    K(pgt_map_protbits, IOMM_EINVAL, "iomm_pgt_map", "prot"),
    K(pgt_map_overlap, IOMM_EEXIST, NULL, NULL),
    K(pgt_unmap_gather, IOMM_EINVAL, "iomm_pgt_unmap", "gather"),
    K(pgt_unmap_align, IOMM_EINVAL, "iomm_pgt_unmap", "iova"),
    K(pgt_unmap_ias, IOMM_ERANGE, "iomm_pgt_unmap", "cfg.ias"),
    K(pgt_unmap_other, IOMM_EINVAL, "iomm_pgt_unmap", "another table"),
    K(pgt_i2p_null, IOMM_EINVAL, "iomm_pgt_iova_to_phys", "pa"),
    K(pgt_i2p_hole, IOMM_ENOENT, NULL, NULL),
    K(pgt_lookup_null, IOMM_EINVAL, "iomm_pgt_lookup", "m"),
    K(pgt_i2p_dead, IOMM_EINVAL, "iomm_pgt_iova_to_phys", "pgt (live)"),
    K(pgt_i2p_nopgt, IOMM_EINVAL, NULL, NULL),
    K(pgt_lookup_dead, IOMM_EINVAL, "iomm_pgt_lookup", "pgt (live)"),
    K(pgt_lookup_nopgt, IOMM_EINVAL, NULL, NULL),
    K(pgt_walk_null, IOMM_EINVAL, "iomm_pgt_walk", "fn"),
    K(pgt_walk_wrap, IOMM_EINVAL, "iomm_pgt_walk", "wraps"),
    K(pgt_regs_null, IOMM_EINVAL, "iomm_pgt_lpae_regs", "regs"),
    K(pgt_regs_dead, IOMM_EINVAL, "iomm_pgt_lpae_regs", "live"),
    K(dom_init_null_cfg, IOMM_EINVAL, "iomm_domain_init", "cfg"),
    K(dom_init_null_unit, IOMM_EINVAL, NULL, NULL),
    K(dom_init_live, IOMM_EBUSY, "iomm_domain_init", "live"),
    K(dom_init_type, IOMM_EINVAL, "iomm_domain_init", "cfg->type"),
    K(dom_init_nested, IOMM_EINVAL, "iomm_domain_init", "cfg->parent"),
    K(dom_init_pool, IOMM_EINVAL, "iomm_domain_init", "cfg->pool"),
    K(dom_init_granule, IOMM_ENOTSUP, "iomm_domain_init", "cfg->granule"),
    K(dom_init_ias, IOMM_ENOTSUP, "iomm_domain_init", "cfg->ias"),
    K(dom_destroy_null, IOMM_EINVAL, NULL, NULL),
    K(dom_destroy_dead, IOMM_EINVAL, NULL, NULL),
    K(dom_destroy_busy, IOMM_EBUSY, NULL, NULL),
    K(map_null, IOMM_EINVAL, NULL, NULL),
    K(map_blocked, IOMM_EINVAL, "iomm_map", "dom"),
    K(map_dead, IOMM_EINVAL, NULL, NULL),
    K(map_align, IOMM_EINVAL, "iomm_pgt_map", "iova"),
    K(map_range, IOMM_ERANGE, "iomm_pgt_map", "cfg.ias"),
    K(map_s2_priv, IOMM_EINVAL, "iomm_pgt_map", "prot"),
    K(map_overlap, IOMM_EEXIST, NULL, NULL),
    K(unmap_null, IOMM_EINVAL, NULL, NULL),
    K(unmap_blocked, IOMM_EINVAL, "iomm_unmap", "dom"),
    K(unmap_align, IOMM_EINVAL, "iomm_pgt_unmap", "iova"),
    K(unmap_zero, IOMM_EINVAL, "iomm_pgt_unmap", "size"),
    K(i2p_null, IOMM_EINVAL, "iomm_iova_to_phys", "pa"),
    K(i2p_blocked, IOMM_EINVAL, "iomm_iova_to_phys", "dom"),
    K(i2p_hole, IOMM_ENOENT, NULL, NULL),
    K(dev_init_null, IOMM_EINVAL, "iomm_dev_init", "id"),
    K(dev_init_fn, IOMM_EINVAL, "iomm_dev_init", "id"),
    K(dev_init_wide, IOMM_ERANGE, "iomm_dev_init", "stream ID"),
    K(dev_init_nounit, IOMM_EINVAL, NULL, NULL),
    K(attach_null, IOMM_EINVAL, "iomm_attach", "dev"),
    K(attach_busy, IOMM_EBUSY, "iomm_attach", "attached"),
    K(attach_dead_dom, IOMM_EINVAL, "iomm_attach", "dom"),
    K(attach_dead_dev, IOMM_EINVAL, "iomm_attach", "dev"),
    K(detach_null, IOMM_EINVAL, NULL, NULL),
    K(detach_loose, IOMM_ENOENT, NULL, NULL),
    K(fault_null_fn, IOMM_EINVAL, "iomm_fault_poll", "fn"),
    K(fault_null_unit, IOMM_EINVAL, NULL, NULL),
    K(v3_init_null_port, IOMM_EINVAL, NULL, NULL),
    K(v3_init_nomem, IOMM_EINVAL, "iomm_smmuv3_init", "mem"),
    K(v3_disable_null, IOMM_EINVAL, NULL, NULL),
    K(v3_disable_never, IOMM_EINVAL, NULL, NULL),
    K(v3_decode_null, IOMM_EINVAL, NULL, NULL),
    K(irq_alloc_none, IOMM_ENOTSUP, "iomm_irq_alloc", "interrupt remapping"),
    K(irq_alloc_null, IOMM_EINVAL, "iomm_irq_alloc", "target"),
    K(irq_update_never, IOMM_EINVAL, NULL, NULL),
    K(irq_free_null, IOMM_EINVAL, NULL, NULL),
    K(vm_irq_alloc_dead, IOMM_EINVAL, NULL, NULL),
    K(vm_init_null, IOMM_EINVAL, NULL, NULL),
    K(vm_init_noregions, IOMM_EINVAL, "iomm_vm_init", "regions"),
    K(vm_init_granule, IOMM_EINVAL, "iomm_vm_init", "cfg->granule"),
    K(vm_init_region, IOMM_EINVAL, "iomm_vm_init", "cfg->regions"),
    K(vm_init_overlap, IOMM_EINVAL, "iomm_vm_init", "overlap"),
    K(vm_init_input, IOMM_EINVAL, "iomm_vm_init", "cfg->input_end"),
    K(vm_init_domids, IOMM_EINVAL, "iomm_vm_init", "cfg->domain_end"),
    K(vm_init_policy, IOMM_EINVAL, "iomm_vm_init", "cfg->policy"),
    K(vm_init_pagemask, IOMM_EINVAL, "iomm_vm_init", "page_size_mask"),
    K(vm_assign_noid, IOMM_EINVAL, "iomm_vm_assign", "id"),
    K(vm_assign_badid, IOMM_EINVAL, "iomm_vm_assign", "bus/dev/fn"),
    K(vm_assign_dead, IOMM_EINVAL, "iomm_vm_assign", "vm (initialised)"),
    K(vm_unassign_dead, IOMM_EINVAL, NULL, NULL),
    K(vm_destroy_dead, IOMM_EINVAL, NULL, NULL),
    K(vm_walk_nofn, IOMM_EINVAL, "iomm_vm_walk", "fn"),
    K(vm_audit_dead, IOMM_EINVAL, NULL, NULL),
    K(vm_route_nofault, IOMM_EINVAL, "iomm_vm_fault_route", "fault"),
    K(vdev_event_small, IOMM_EINVAL, "iomm_viommu_dev_next_event", "len"),
    K(vdev_config_small, IOMM_EINVAL, "iomm_viommu_dev_config", "len"),
    K(vdev_bypass_dead, IOMM_EINVAL, NULL, NULL),
    K(vdev_handle_noused, IOMM_EINVAL, "iomm_viommu_dev_handle", "used"),
    K(vdev_reset_dead, IOMM_EINVAL, NULL, NULL),
    K(cfg_needs_null, IOMM_EINVAL, NULL, NULL),
    K(cfg_validate_type, IOMM_EINVAL, "iomm_config_validate", "unknown unit type"),
    K(cfg_apply_nostorage, IOMM_EINVAL, NULL, NULL),
    K(cfg_remove_null, IOMM_EINVAL, NULL, NULL),
    K(disc_add_unit, IOMM_EINVAL, NULL, NULL),
    K(disc_policy_noid, IOMM_EINVAL, NULL, NULL),
    K(disc_init_null, IOMM_EINVAL, NULL, NULL),
    K(disc_iort_null, IOMM_EINVAL, NULL, NULL),
    K(disc_table_short, IOMM_EINVAL, NULL, NULL),
    K(v2_init_null, IOMM_EINVAL, "iomm_smmuv2_init", "smmu"),
    K(v2_init_noclock, IOMM_EINVAL, "iomm_smmuv2_init", "now_ns"),
    K(v2_decode_null, IOMM_EINVAL, NULL, NULL),
    K(vtd_init_nomem, IOMM_EINVAL, "iomm_vtd_init", "mem"),
    K(vtd_enable_never, IOMM_EINVAL, NULL, NULL),
    K(vtd_disable_null, IOMM_EINVAL, NULL, NULL),
    K(vtd_flush_never, IOMM_EINVAL, NULL, NULL),
    K(vtd_decode_null, IOMM_EINVAL, NULL, NULL),
    K(pv_init_not, IOMM_EINVAL, "iomm_paravirt_init", "t"),
    K(pv_probe_never, IOMM_EINVAL, NULL, NULL),
    K(pv_resv_null, IOMM_EINVAL, NULL, NULL),
    K(pv_pci_slots, IOMM_EINVAL, "iomm_viommu_pci_init", "event_slots"),
    K(st_ioerr, IOMM_EIO, NULL, NULL),
    K(st_unsupp, IOMM_ENOTSUP, NULL, NULL),
    K(st_inval, IOMM_EINVAL, NULL, NULL),
    K(st_range, IOMM_ERANGE, NULL, NULL),
    K(st_noent, IOMM_ENOENT, NULL, NULL),
    K(st_fault, IOMM_EFAULT, NULL, NULL),
    K(st_nomem, IOMM_ENOMEM, NULL, NULL),
    K(pvst_unknown, IOMM_EIO, NULL, NULL),
    K(pvst_unsupp, IOMM_ENOTSUP, NULL, NULL),
    K(pvst_inval, IOMM_EINVAL, NULL, NULL),
    K(pvst_range, IOMM_ERANGE, NULL, NULL),
    K(pvst_noent, IOMM_ENOENT, NULL, NULL),
    K(pvst_fault, IOMM_EFAULT, NULL, NULL),
    K(pvst_nomem, IOMM_ENOMEM, NULL, NULL),
    K(pgt_lookup_hole, IOMM_ENOENT, NULL, NULL),
    K(pgt_update_align, IOMM_EINVAL, "iomm_pgt_update", "iova"),
    K(pgt_update_ias, IOMM_ERANGE, "iomm_pgt_update", "cfg.ias"),
    K(pgt_update_hole, IOMM_ENOENT, NULL, NULL),
    K(pgt_update_bbm, IOMM_ENOTSUP, "iomm_pgt_update", "inval_sync"),
    K(acpi_sum, IOMM_EIO, NULL, NULL),
    K(pgt_map_nomem, IOMM_ENOMEM, NULL, NULL),
    K(pgt_unmap_nomem, IOMM_ENOMEM, NULL, NULL),
    K(pgt_init_nomem, IOMM_ENOMEM, NULL, NULL),
    K(unmap_range, IOMM_ERANGE, "iomm_pgt_unmap", "cfg.ias"),
    K(unmap_gather_null, IOMM_EINVAL, "iomm_unmap_gather", "gather"),
    K(unmap_gather_range, IOMM_ERANGE, "iomm_pgt_unmap", "cfg.ias"),
    K(unmap_gather_nomem, IOMM_ENOMEM, NULL, NULL),
    K(unmap_nomem, IOMM_ENOMEM, NULL, NULL),
    K(map_nomem, IOMM_ENOMEM, NULL, NULL),
    K(dom_init_nomem, IOMM_ENOMEM, NULL, NULL),
    K(gather_sync_null, IOMM_EINVAL, NULL, NULL),
    K(update_align, IOMM_EINVAL, "iomm_pgt_update", "iova"),
    K(update_range, IOMM_ERANGE, "iomm_pgt_update", "cfg.ias"),
    K(update_hole, IOMM_ENOENT, NULL, NULL),
    K(vm_walk_noep, IOMM_ENOENT, NULL, NULL),
    K(vm_unassign_noep, IOMM_ENOENT, NULL, NULL),
    K(vm_irq_free_dead, IOMM_EINVAL, NULL, NULL),
    K(vm_irq_free_nohandle, IOMM_ENOENT, NULL, NULL),
    K(vm_irq_update_null, IOMM_EINVAL, "iomm_vm_irq_update", "target"),
    K(vm_irq_update_nohandle, IOMM_ENOENT, NULL, NULL),
    K(vm_irq_alloc_noep, IOMM_ENOENT, NULL, NULL),
    K(vm_irq_alloc_policy, IOMM_EPERM, NULL, NULL),
    K(vm_irq_alloc_noir, IOMM_ENOTSUP, "iomm_irq_alloc", "interrupt remapping"),
    K(vm_route_stranger, IOMM_ENOENT, NULL, NULL),
    K(vm_assign_ep_used, IOMM_EEXIST, NULL, NULL),
    K(vm_assign_owned, IOMM_EBUSY, NULL, NULL),
    K(vm_assign_wide, IOMM_ERANGE, "iomm_dev_init", "stream ID"),
    K(disc_policy_nomatch, IOMM_ENOENT, NULL, NULL),
    K(disc_board_null, IOMM_EINVAL, NULL, NULL),
    K(devid_null, IOMM_EINVAL, NULL, NULL),
    K(rsdp_null, IOMM_EINVAL, NULL, NULL),
    K(rsdp_none, IOMM_ENOENT, NULL, NULL),
    K(acpi_table_null, IOMM_EINVAL, NULL, NULL),
    K(dmar_null, IOMM_EINVAL, NULL, NULL),
    K(fdt_garbage, IOMM_EINVAL, NULL, NULL),
    K(fdt_rid_garbage, IOMM_EINVAL, NULL, NULL),
    K(fdt_rid_nobridge, IOMM_ENOENT, NULL, NULL),
    K(iort_msi_null, IOMM_EINVAL, NULL, NULL),
    K(iort_msi_sum, IOMM_EIO, NULL, NULL),
    K(iort_msi_none, IOMM_ENOENT, NULL, NULL),
    K(madt_its_null, IOMM_EINVAL, NULL, NULL),
    K(madt_its_sum, IOMM_EIO, NULL, NULL),
    K(madt_its_none, IOMM_ENOENT, NULL, NULL),
    K(fdt_msi_garbage, IOMM_EINVAL, NULL, NULL),
    K(fdt_msi_nobridge, IOMM_ENOENT, NULL, NULL),
    K(fdt_db_garbage, IOMM_EINVAL, NULL, NULL),
    K(fdt_db_nophandle, IOMM_ENOENT, NULL, NULL),
    K(fdt_parent_nullpath, IOMM_EINVAL, NULL, NULL),
    K(fdt_parent_nonode, IOMM_ENOENT, NULL, NULL),
    K(cfg_validate_twice, IOMM_EBUSY, NULL, NULL),
    K(cfg_validate_coherent, IOMM_EINVAL, "iomm_config_validate", "IOMM_CFG_UNIT_COHERENT"),
    K(cfg_validate_nostore, IOMM_ENOSPC, "iomm_config_validate", "device objects"),
    K(find_table_none, IOMM_ENOENT, NULL, NULL),
    K(find_table_small, IOMM_ENOSPC, NULL, NULL),
    K(find_table_sum, IOMM_EIO, NULL, NULL),
    K(iort_sum, IOMM_EIO, NULL, NULL),
    K(dmar_units_full, IOMM_ENOSPC, NULL, NULL),
    K(dmar_bridge_nopci, IOMM_ENOTSUP, NULL, NULL),
    K(dmar_bridge_absent, IOMM_ENODEV, NULL, NULL),
    K(dmar_irq_null, IOMM_EINVAL, NULL, NULL),
    K(dmar_irq_sum, IOMM_EIO, NULL, NULL),
    K(dmar_irq_nopci, IOMM_ENOTSUP, NULL, NULL),
    K(dmar_irq_absent, IOMM_ENODEV, NULL, NULL),
    K(dmar_irq_full, IOMM_ENOSPC, NULL, NULL),
    K(iort_units_full, IOMM_ENOSPC, NULL, NULL),
    K(fdt_units_full, IOMM_ENOSPC, NULL, NULL),
    K(fdt_db_v2m, IOMM_ENOTSUP, NULL, NULL),
    K(dmar_sum, IOMM_EIO, NULL, NULL),
    K(disc_add_full, IOMM_ENOSPC, NULL, NULL),
    K(cfg_validate_wide, IOMM_ERANGE, "iomm_config_validate", "identity wider"),
    K(mmio_init_nocfg, IOMM_EINVAL, "iomm_viommu_mmio_init", "cfg"),
    K(mmio_init_small, IOMM_ENOMEM, NULL, NULL),
    K(vfront_init_null, IOMM_EINVAL, NULL, NULL),
    K(vfront_access_never, IOMM_EINVAL, NULL, NULL),
    K(vfront_poll_null, IOMM_EINVAL, NULL, NULL),
    K(v2_decode_nofault, IOMM_ENOENT, NULL, NULL),
    K(vtd_decode_nofault, IOMM_ENOENT, NULL, NULL),
    K(pv_msi_none, IOMM_ENOENT, NULL, NULL),
    K(pv_msi_null, IOMM_EINVAL, NULL, NULL),
    K(pv_resv_none, IOMM_ENOENT, NULL, NULL),
};

/* ---- the live system ---------------------------------------------------- */

static void build(struct world *w, struct fx *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	fx_start(f);
	w->pool = fx_pool(f, P4K, 64);
	w->tpool = fx_pool(f, P4K, 16);
	assert_int_equal(fx_domain(f, &w->s1, IOMM_DOMAIN_S1, 0, w->pool, NULL), IOMM_OK);
	assert_int_equal(fx_domain(f, &w->s2, IOMM_DOMAIN_S2, 0, w->pool, NULL), IOMM_OK);
	assert_int_equal(fx_domain(f, &w->blocked, IOMM_DOMAIN_BLOCKED, 0, NULL, NULL), IOMM_OK);
	assert_int_equal(fx_domain(f, &w->dead, IOMM_DOMAIN_S1, 0, w->pool, NULL), IOMM_OK);
	assert_int_equal(iomm_domain_destroy(&w->dead), IOMM_OK);
	fx_attach(f, &w->dev1, &w->s1, 0x11, 0);
	fx_attach(f, &w->dev2, &w->s2, 0x22, 0);
	struct iomm_devid id = IOMM_SID(0x33);
	assert_int_equal(iomm_dev_init(&w->loose, &f->smmu.unit, &id), IOMM_OK);
	/* a device object that was never initialised (zeroed) */
	memset(&w->dead_dev, 0, sizeof(w->dead_dev));
	assert_int_equal(iomm_map(&w->s1, 0x100000, 0x80100000, 0x200000, RW), IOMM_OK);
	assert_int_equal(iomm_map(&w->s2, 0x40000000, 0x80000000, 0x200000, RW), IOMM_OK);
	struct iomm_pgt_cfg c = s1cfg();
	assert_int_equal(iomm_pgt_init(&w->pgt, &c, w->tpool, iomm_posix_port(&f->px)), IOMM_OK);
	assert_int_equal(iomm_pgt_map(&w->pgt, 0x200000, 0x90000000, 0x10000, RW), IOMM_OK);
	assert_int_equal(iomm_pgt_init(&w->dead_pgt, &c, w->tpool, iomm_posix_port(&f->px)),
			 IOMM_OK);
	iomm_pgt_destroy(&w->dead_pgt);
	/* a gather already tied to s1's table */
	iomm_gather_init(&w->other);
	w->other.pgt = &w->s1.pgt;
	/* VM A, one device assigned */
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
	    .policy = IOMM_VM_BLOCK,
	    .irqs = w->irqs,
	    .nirqs = 2,
	    .irq_policy = {.dests = vm_dests, .ndests = 1, .vector_first = 0x20, .vector_last = 0x7f},
	};
	assert_int_equal(iomm_vm_init(&w->vm, &w->vcfg), IOMM_OK);
	struct iomm_devid vid = IOMM_SID(0x44);
	assert_int_equal(iomm_vm_assign(&w->vm, &f->smmu.unit, &vid, 4), IOMM_OK);
	/* the spent pools */
	assert_int_equal(iomm_pool_init(&w->tiny_pool, iomm_posix_port(&f->px), tiny_mem,
					 sizeof(tiny_mem), (uint64_t)(uintptr_t)tiny_mem, P4K),
			 IOMM_OK);
	assert_int_equal(iomm_pgt_init(&w->tiny, &c, &w->tiny_pool, iomm_posix_port(&f->px)),
			 IOMM_OK);
	assert_int_equal(iomm_pgt_map(&w->tiny, 0x200000, 0x80200000, 0x200000, RW), IOMM_OK);
	spend(&w->tiny_pool);
	assert_int_equal(iomm_pool_init(&w->small_pool, iomm_posix_port(&f->px), small_mem,
					 sizeof(small_mem), (uint64_t)(uintptr_t)small_mem, P4K),
			 IOMM_OK);
	assert_int_equal(fx_domain(f, &w->small, IOMM_DOMAIN_S1, 0, &w->small_pool, NULL), IOMM_OK);
	assert_int_equal(iomm_map(&w->small, 0x200000, 0x80200000, 0x200000, RW), IOMM_OK);
	spend(&w->small_pool);
	/* discovery holding one unit and one device */
	assert_int_equal(iomm_discovery_init(&w->disc, w->dunits, 2, w->ddevs, 2, NULL, 0), IOMM_OK);
}

static void test_every_refusal_changes_nothing_and_says_why(void **state)
{
	struct fx *f = *state;
	struct world *w = calloc(1, sizeof(*w));
	struct snap *before = calloc(1, sizeof(*before)), *after = calloc(1, sizeof(*after));
	assert_non_null(w);
	assert_non_null(before);
	assert_non_null(after);
	build(w, f);
	unsigned logged = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct mcase *c = &cases[i];
		take(w, before);
		uint64_t n0 = f->px.log_count[IOMM_LOG_DEBUG];
		f->px.log_last[0] = '\0';
		int rc = c->call(w);
		if (rc != c->want)
			bad("%s: returned %d (%s), expected %d (%s)", c->name, rc,
				 iomm_strerror(rc), c->want, iomm_strerror(c->want));
		take(w, after);
		same(c->name, before, after);
		if (c->fn) {
			if (f->px.log_count[IOMM_LOG_DEBUG] == n0)
				bad("%s: nothing logged at DEBUG", c->name);
			else if (!strstr(f->px.log_last, c->fn) || !strstr(f->px.log_last, c->arg))
				bad("%s: logged \"%s\", expected \"%s\" and \"%s\"", c->name,
					 f->px.log_last, c->fn, c->arg);
			logged++;
		}
	}
	print_message("%zu refused calls, state unchanged after each, %u with their DEBUG line\n",
		      sizeof(cases) / sizeof(cases[0]), logged);
	assert_int_equal(nbad, 0);
	/* discovery has no port: its refusals say why in iomm_discovery::msg */
	assert_int_equal(disc_add_unit(w), IOMM_EINVAL);
	assert_non_null(w->disc.msg);
	assert_non_null(strstr(w->disc.msg, "iomm_discovery_add_device"));
	free(after);
	free(before);
	free(w);
}

/* Below DEBUG nothing is formatted: the same refusal costs no log call. */
static void test_refusals_silent_below_debug(void **state)
{
	struct fx *f = *state;
	struct world *w = calloc(1, sizeof(*w));
	assert_non_null(w);
	build(w, f);
	iomm_posix_set_log(&f->px, IOMM_LOG_INFO, false);
	uint64_t n[4];
	memcpy(n, f->px.log_count, sizeof(n));
	assert_int_equal(pgt_map_iova(w), IOMM_EINVAL);
	assert_int_equal(dom_init_type(w), IOMM_EINVAL);
	assert_memory_equal(n, f->px.log_count, sizeof(n));
	free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_every_refusal_changes_nothing_and_says_why,
					    fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_refusals_silent_below_debug, fx_setup,
					    fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
