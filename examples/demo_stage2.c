/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * demo_stage2: build the stage-2 page table that confines one guest's
 * passed-through device, then show what the IOMMU would let it do.
 *
 * A device that masters the bus (a NIC, a GPU, an NVMe drive) reads and
 * writes memory by itself, without going through the CPU's MMU. When such a
 * device is handed to a virtual machine, the host must make sure the device
 * can only reach that VM's memory. The IOMMU does this with a page table of
 * its own, the "stage-2" table: it translates the guest-physical addresses
 * the device uses into host-physical addresses, and blocks everything else.
 *
 * This program builds such a table with iommuman, entirely in memory (no
 * hardware is touched), for a guest that owns:
 *   - 64 MiB of RAM at guest address 0x40000000, backed by host memory at
 *     0x880000000, readable and writable by the device;
 *   - a 2 MiB read-only window at guest address 0x50000000 (say, a firmware
 *     image the device may fetch but must never overwrite), backed by host
 *     memory at 0x8c0000000.
 * It then prints the table's mappings, translates an address, and shows two
 * accesses the IOMMU refuses. It exits with status 1 if any result differs
 * from what is expected.
 *
 * Only the public API (<iommuman/iommuman.h>) is used.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <iommuman/iommuman.h>

#define KIB (UINT64_C(1) << 10)
#define MIB (UINT64_C(1) << 20)

#define GUEST_RAM_IPA UINT64_C(0x40000000)
#define GUEST_RAM_SIZE (64 * MIB)
#define HOST_RAM_PA UINT64_C(0x880000000)

#define GUEST_ROM_IPA UINT64_C(0x50000000)
#define GUEST_ROM_SIZE (2 * MIB)
#define HOST_ROM_PA UINT64_C(0x8c0000000)

#define GRANULE 4096u

/*
 * Table memory. The library never allocates: every table page comes from a
 * pool, and this pool is carved out of a static buffer. In a hypervisor the
 * buffer would be memory reserved for the IOMMU's tables and mem_pa its
 * physical address; in this hosted demo the buffer's own address stands in.
 */
static _Alignas(4096) uint8_t table_mem[32 * 4096];

/*
 * The port: the services the library needs from its environment. Building
 * a table in memory needs almost none of them. The port declares table
 * walks coherent (IOMM_PORT_DMA_COHERENT), so no cache-cleaning hook is needed;
 * the pool is a caller region, so no page allocator is needed; and this
 * program is single-threaded, so no lock hooks are needed.
 */
static const struct iomm_port demo_port = {
	.ctx = NULL,
	.flags = IOMM_PORT_DMA_COHERENT,
};

static unsigned checks;
static unsigned failures;

static void expect(bool ok, const char *what)
{
	checks++;
	if (!ok) {
		failures++;
		printf("  !! UNEXPECTED: %s\n", what);
	}
}

static const char *prot_words(uint32_t prot)
{
	switch (prot & (IOMM_READ | IOMM_WRITE)) {
	case IOMM_READ | IOMM_WRITE:
		return "read/write";
	case IOMM_READ:
		return "read-only";
	case IOMM_WRITE:
		return "write-only";
	default:
		return "no access";
	}
}

static void print_size(uint64_t bytes)
{
	if (bytes >= MIB && bytes % MIB == 0)
		printf("%" PRIu64 " MiB", bytes / MIB);
	else
		printf("%" PRIu64 " KiB", bytes / KIB);
}

/* Leaves reported by iomm_pgt_walk(), merged into contiguous ranges. */
struct range {
	uint64_t iova;
	uint64_t pa;
	uint64_t size;
	uint32_t prot;
	uint64_t leaves;
	uint64_t leaf_size;
	bool contig;
};

struct range_list {
	struct range r[8];
	unsigned n;
};

static int collect(void *arg, const struct iomm_mapping *m)
{
	struct range_list *list = arg;
	struct range *last = list->n ? &list->r[list->n - 1] : NULL;

	if (last && last->iova + last->size == m->iova && last->pa + last->size == m->pa &&
	    last->prot == m->prot) {
		last->size += m->size;
		last->leaves++;
		last->contig = last->contig || m->contig;
		return 0;
	}
	if (list->n == sizeof(list->r) / sizeof(list->r[0]))
		return 1; /* more ranges than this demo expects: stop */
	list->r[list->n++] = (struct range){
		.iova = m->iova,
		.pa = m->pa,
		.size = m->size,
		.prot = m->prot,
		.leaves = 1,
		.leaf_size = m->size,
		.contig = m->contig,
	};
	return 0;
}

int main(void)
{
	struct iomm_pool pool;
	struct iomm_pgt pgt = {0};
	struct iomm_pgt_cfg cfg;
	struct iomm_lpae_regs regs;
	struct range_list list;
	struct iomm_mapping m;
	uint64_t pa = 0;
	int rc;

	printf("iommuman %d.%d.%d stage-2 demo\n", IOMM_VERSION_MAJOR, IOMM_VERSION_MINOR,
	       IOMM_VERSION_PATCH);
	printf("==========================\n\n");

	/* 1. A pool of 4 KiB table pages in our static buffer. */
	rc = iomm_pool_init(&pool, &demo_port, table_mem, sizeof(table_mem),
			    (uint64_t)(uintptr_t)table_mem, GRANULE);
	expect(rc == IOMM_OK, "iomm_pool_init succeeds");
	if (rc != IOMM_OK) {
		printf("cannot create the pool: %s\n", iomm_strerror(rc));
		return 1;
	}
	printf("Table memory: a pool of %zu pages of 4 KiB (the caller owns the memory).\n",
	       iomm_pool_capacity(&pool));

	/* 2. An empty stage-2 table: 40-bit guest and host address spaces. */
	memset(&cfg, 0, sizeof(cfg));
	cfg.format = IOMM_FMT_ARM_LPAE_S2;
	cfg.granule = GRANULE;
	cfg.ias = 40;
	cfg.oas = 40;
	rc = iomm_pgt_init(&pgt, &cfg, &pool, &demo_port);
	expect(rc == IOMM_OK, "iomm_pgt_init succeeds");
	if (rc != IOMM_OK) {
		printf("cannot create the table: %s\n", iomm_strerror(rc));
		return 1;
	}

	/* 3. The guest's memory: RAM read/write, the window read-only. */
	printf("\nThe host gives the guest's device access to:\n");
	printf("  guest 0x%09" PRIx64 " + 64 MiB -> host 0x%09" PRIx64 ", read/write (guest RAM)\n",
	       GUEST_RAM_IPA, HOST_RAM_PA);
	printf("  guest 0x%09" PRIx64 " +  2 MiB -> host 0x%09" PRIx64
	       ", read-only  (firmware window)\n",
	       GUEST_ROM_IPA, HOST_ROM_PA);
	rc = iomm_pgt_map(&pgt, GUEST_RAM_IPA, HOST_RAM_PA, GUEST_RAM_SIZE, IOMM_READ | IOMM_WRITE);
	expect(rc == IOMM_OK, "mapping guest RAM succeeds");
	rc = iomm_pgt_map(&pgt, GUEST_ROM_IPA, HOST_ROM_PA, GUEST_ROM_SIZE, IOMM_READ);
	expect(rc == IOMM_OK, "mapping the read-only window succeeds");
	printf("Done: the table uses %zu of the pool's pages.\n", iomm_pool_used(&pool));

	/* 4. What the table contains, leaf by leaf, merged into ranges. */
	memset(&list, 0, sizeof(list));
	rc = iomm_pgt_walk(&pgt, 0, 0, collect, &list);
	expect(rc == IOMM_OK, "walking the table succeeds");
	printf("\nThe IOMMU now translates (walking the table back):\n");
	for (unsigned i = 0; i < list.n; i++) {
		const struct range *r = &list.r[i];

		printf("  guest 0x%09" PRIx64 "-0x%09" PRIx64 " -> host 0x%09" PRIx64 "-0x%09" PRIx64
		       "  %-10s ",
		       r->iova, r->iova + r->size - 1, r->pa, r->pa + r->size - 1,
		       prot_words(r->prot));
		print_size(r->size);
		printf(" in %" PRIu64 " entr%s of ", r->leaves, r->leaves == 1 ? "y" : "ies");
		print_size(r->leaf_size);
		printf("%s\n", r->contig ? " (with the contiguous hint)" : "");
	}
	expect(list.n == 2, "the walk finds exactly two ranges");
	if (list.n == 2) {
		expect(list.r[0].iova == GUEST_RAM_IPA && list.r[0].pa == HOST_RAM_PA &&
			       list.r[0].size == GUEST_RAM_SIZE &&
			       (list.r[0].prot & IOMM_PROT_ACCESS) == (IOMM_READ | IOMM_WRITE),
		       "the first range is guest RAM, read/write");
		expect(list.r[1].iova == GUEST_ROM_IPA && list.r[1].pa == HOST_ROM_PA &&
			       list.r[1].size == GUEST_ROM_SIZE &&
			       (list.r[1].prot & IOMM_PROT_ACCESS) == IOMM_READ,
		       "the second range is the window, read-only");
	}

	/* 5. A translation, as the IOMMU performs it for each DMA. */
	printf("\nA device DMA to guest address 0x%09" PRIx64 ":\n", GUEST_RAM_IPA + 0x123456);
	rc = iomm_pgt_iova_to_phys(&pgt, GUEST_RAM_IPA + 0x123456, &pa);
	expect(rc == IOMM_OK && pa == HOST_RAM_PA + 0x123456,
	       "guest 0x40123456 translates to host 0x880123456");
	if (rc == IOMM_OK)
		printf("  allowed: it lands in host memory at 0x%09" PRIx64 ".\n", pa);
	else
		printf("  refused: %s\n", iomm_strerror(rc));

	/* 6. Outside the guest: no translation exists, the IOMMU blocks it. */
	printf("\nA device DMA to guest address 0x%09" PRIx64 " (outside the guest's memory):\n",
	       UINT64_C(0x60000000));
	rc = iomm_pgt_iova_to_phys(&pgt, UINT64_C(0x60000000), &pa);
	expect(rc == IOMM_ENOENT, "an address outside the guest has no translation (IOMM_ENOENT)");
	if (rc == IOMM_ENOENT)
		printf("  refused: no translation (%s); the IOMMU reports a translation fault\n"
		       "  and the access never reaches memory.\n",
		       iomm_strerror(rc));
	else
		printf("  unexpectedly got status %d (%s)\n", rc, iomm_strerror(rc));

	/* 7. A write to the read-only window: mapped, but without write permission. */
	printf("\nA device write to guest address 0x%09" PRIx64 " (the read-only window):\n",
	       GUEST_ROM_IPA + 0x1000);
	memset(&m, 0, sizeof(m));
	rc = iomm_pgt_lookup(&pgt, GUEST_ROM_IPA + 0x1000, &m);
	expect(rc == IOMM_OK, "the window is mapped");
	expect(rc == IOMM_OK && (m.prot & IOMM_READ) && !(m.prot & IOMM_WRITE),
	       "the window's mapping allows reads and no writes");
	if (rc == IOMM_OK) {
		printf("  the address is mapped (host 0x%09" PRIx64 ", ",
		       m.pa + (GUEST_ROM_IPA + 0x1000 - m.iova));
		print_size(m.size);
		printf(" entry, %s),\n", prot_words(m.prot));
		printf("  so reads are allowed, but a write is %s: the IOMMU reports a\n"
		       "  permission fault and the memory is left untouched.\n",
		       (m.prot & IOMM_WRITE) ? "ALLOWED" : "refused");
	}

	/* 8. The table never silently changes an existing mapping. */
	printf("\nAsking to map guest 0x%09" PRIx64 " again, to other host memory:\n",
	       GUEST_RAM_IPA + 2 * MIB);
	rc = iomm_pgt_map(&pgt, GUEST_RAM_IPA + 2 * MIB, UINT64_C(0x900000000), 2 * MIB,
			  IOMM_READ | IOMM_WRITE);
	expect(rc == IOMM_EEXIST, "mapping over an existing mapping fails with IOMM_EEXIST");
	printf("  refused: %s (status %d); the table is unchanged.\n", iomm_strerror(rc), rc);

	/* 9. What a backend would program into the SMMU for this table. */
	rc = iomm_pgt_lpae_regs(&pgt, &regs);
	expect(rc == IOMM_OK, "iomm_pgt_lpae_regs succeeds");
	if (rc == IOMM_OK)
		printf("\nAn SMMU walks this table from VTTBR=0x%" PRIx64
		       " (T0SZ=%u, start level %u, %u root page%s).\n",
		       regs.ttbr, (unsigned)regs.tsz, (unsigned)regs.start_level,
		       (unsigned)regs.concat, regs.concat == 1 ? "" : "s");

	/* 10. Tear down: every table page goes back to the pool. */
	iomm_pgt_destroy(&pgt);
	expect(iomm_pool_used(&pool) == 0, "destroying the table returns every page to the pool");

	printf("\n");
	if (failures) {
		printf("demo_stage2: %u of %u checks FAILED\n", failures, checks);
		return 1;
	}
	printf("demo_stage2: all %u checks passed\n", checks);
	return 0;
}
