/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * make_image: test input for iomm-dump (tests/tools/test_iomm_dump.sh).
 *
 *   make_image NAME DIR
 *
 * Builds a page table with the library in a region pool at a fake physical
 * address, maps (and partly unmaps) a set of ranges, and writes:
 *   DIR/NAME.img       the pool memory: the raw image of physical memory
 *   DIR/NAME.args      the iomm-dump pgt arguments that describe it
 *   DIR/NAME.expected  the ranges iomm-dump must print, computed from the
 *                      map and unmap calls (a shadow model), not from the
 *                      tables: "FIRST-LAST -> PA size=BYTES ATTRIBUTES"
 *   DIR/NAME.ctx       (VT-d formats) the words of a VT-d context entry
 *                      (legacy for the second stage, a PASID-table entry
 *                      for x86-64) that points to the table
 * NAME "structs" instead writes DIR/structs.img with an SMMUv3 STE at
 * 0x1040 and a CD at 0x1080 (base 0x1000).
 *
 * Hosted test code.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iommuman/iommuman.h>

#include "shadow.h"

#define SZ_4K 0x1000ull
#define SZ_16K 0x4000ull
#define SZ_64K 0x10000ull
#define SZ_2M 0x200000ull
#define SZ_32M 0x2000000ull
#define SZ_512M 0x20000000ull
#define SZ_1G 0x40000000ull

#define RW (IOMM_READ | IOMM_WRITE)

struct op {
	int unmap; /* 0: map, 1: unmap */
	uint64_t iova, pa, size;
	uint32_t prot;
};

struct config {
	const char *name;
	enum iomm_pgt_format format;
	uint32_t granule;
	uint8_t ias, oas;
	uint32_t flags;
	uint64_t pool_pa;
	size_t pool_pages;
	const struct op *ops;
	size_t nops;
};

static const struct op ops_4k_s1[] = {
	{0, SZ_1G, 0x80000000ull, SZ_1G, RW},                             /* a 1G block */
	{0, 3 * SZ_1G, 0x100000000ull, 2 * SZ_2M, IOMM_READ},              /* two 2M blocks */
	{0, 0x10000, 0x30000, 16 * SZ_4K, RW | IOMM_EXEC},                 /* a contiguous group */
	{0, 0x200000, 0x400000, 3 * SZ_4K, RW | IOMM_PRIV},                /* privileged only */
	{0, 0x300000, 0x7000, SZ_4K, IOMM_WRITE | IOMM_MEM_NC},            /* write implies read */
	{0, 0x301000, 0x8000, SZ_4K, RW | IOMM_MEM_DEVICE},                /* next to it, other attrs */
	{0, 0x302000, 0x9000, SZ_4K, RW | IOMM_MEM_DEVICE},                /* merges with the previous */
	{0, 0x400000, 0xa0000, SZ_4K, RW | IOMM_SH_NONE},
	{0, 0x401000, 0xb0000, SZ_4K, RW | IOMM_SH_OUTER},                 /* contiguous IOVA, not PA */
	{0, 0x7ffffffff000ull, 0xc000, SZ_4K, IOMM_READ | IOMM_EXEC},      /* the last page */
	{0, 8 * SZ_1G, 0x200000000ull, SZ_1G + 5 * SZ_4K, RW},             /* block + pages */
	{1, 8 * SZ_1G + SZ_2M, 0, SZ_4K, 0},                               /* punch the block */
};

static const struct op ops_4k_s2[] = {
	{0, 0, 0x40000000ull, SZ_2M, RW},
	{0, SZ_2M, 0x40200000ull, SZ_2M, RW}, /* merges: contiguous in and out */
	{0, 0x1000000, 0x123000, 7 * SZ_4K, IOMM_READ},
	{0, 0x2000000, 0x200000, 4 * SZ_4K, IOMM_WRITE},
	{0, 0x3000000, 0x300000, 4 * SZ_4K, RW | IOMM_EXEC | IOMM_MEM_NC | IOMM_SH_INNER},
	{0, 0xff00000000ull, 0xff00000000ull, SZ_1G, RW}, /* the top of a 40-bit range */
	{1, 0xff00000000ull + 0x10000, 0, 0x3000, 0},
	{0, 0x5000000, 0x9000000, SZ_2M + SZ_4K, RW | IOMM_MEM_DEVICE},
	{1, 0x5000000 + SZ_4K, 0, SZ_4K, 0},
};

static const struct op ops_16k_s1[] = {
	{0, 0, 0x2000000, SZ_32M, RW | IOMM_EXEC},
	{0, SZ_32M, 0x8000000, 128 * SZ_16K, IOMM_READ}, /* a contiguous group of pages */
	{0, 0x800000000ull, 0x3ff0000000ull, 3 * SZ_16K, RW | IOMM_PRIV | IOMM_MEM_NC},
	{0, 0xfffffc000ull, 0x4000, SZ_16K, RW}, /* the last page of 36 bits */
};

static const struct op ops_64k_s2[] = {
	{0, 0, 0x000f000000000000ull, SZ_512M, RW}, /* PA[51:48] != 0 */
	{0, 0x000f000000000000ull, 0x0008000020000000ull, 2 * SZ_512M + 3 * SZ_64K, RW | IOMM_EXEC},
	{1, 0x000f000000000000ull + SZ_64K, 0, SZ_64K, 0},
	{0, 0x20000000ull, 0x10000, 5 * SZ_64K, IOMM_READ | IOMM_MEM_DEVICE},
};

static const struct op ops_vtd[] = {
	{0, SZ_1G, 0x80000000ull, SZ_1G, RW},                    /* a 1G superpage */
	{0, 3 * SZ_1G, 0x100000000ull, 2 * SZ_2M, IOMM_READ},     /* two 2M superpages */
	{0, 0x10000, 0x30000, 16 * SZ_4K, RW | IOMM_EXEC},        /* exec is not kept */
	{0, 0x200000, 0x400000, 3 * SZ_4K, IOMM_WRITE},           /* write-only */
	{0, 0x203000, 0x403000, SZ_4K, RW | IOMM_MEM_DEVICE},     /* memory type not kept: merges */
	{0, 0xffffffff000ull, 0xc000, SZ_4K, IOMM_READ},          /* the last page of 44 bits */
	{0, 8 * SZ_1G, 0x200000000ull, SZ_1G + 5 * SZ_4K, RW},    /* superpage + pages */
	{1, 8 * SZ_1G + SZ_2M, 0, SZ_4K, 0},                      /* punch the superpage */
};

static const struct op ops_x86[] = {
	{0, SZ_1G, 0x80000000ull, SZ_1G, RW},                        /* a 1G page */
	{0, 3 * SZ_1G, 0x100000000ull, 2 * SZ_2M, IOMM_READ},         /* two 2M pages */
	{0, 0x200000, 0x400000, 3 * SZ_4K, RW | IOMM_PRIV},           /* supervisor only */
	{0, 0x300000, 0x7000, SZ_4K, RW | IOMM_MEM_NC},               /* uncached */
	{0, 0x301000, 0x8000, SZ_4K, RW | IOMM_MEM_DEVICE},           /* uncached too: merges */
	{0, 0x7ffffffff000ull, 0xc000, SZ_4K, IOMM_READ | IOMM_EXEC}, /* the last page of 47 bits */
	{0, 8 * SZ_1G, 0x200000000ull, SZ_1G + 5 * SZ_4K, RW},
	{1, 8 * SZ_1G + SZ_2M, 0, SZ_4K, 0},
};

static const struct config configs[] = {
	{"vtd", IOMM_FMT_VTD_SL, 4096, 44, 46, IOMM_PGT_SNOOP, 0x3000000000ull,
	 64, ops_vtd, sizeof(ops_vtd) / sizeof(ops_vtd[0])},
	{"x86", IOMM_FMT_X86_FL, 4096, 47, 39, 0, 0x4000000000ull, 64, ops_x86,
	 sizeof(ops_x86) / sizeof(ops_x86[0])},
	{"4k_s1", IOMM_FMT_ARM_LPAE_S1, 4096, 48, 48, IOMM_PGT_NG,
	 0x80000000ull, 64, ops_4k_s1, sizeof(ops_4k_s1) / sizeof(ops_4k_s1[0])},
	{"4k_s2", IOMM_FMT_ARM_LPAE_S2, 4096, 40, 40, 0, 0x7000000000ull, 48,
	 ops_4k_s2, sizeof(ops_4k_s2) / sizeof(ops_4k_s2[0])},
	{"16k_s1", IOMM_FMT_ARM_LPAE_S1, 16384, 36, 42, IOMM_PGT_NS,
	 0x3000000000ull, 24, ops_16k_s1, sizeof(ops_16k_s1) / sizeof(ops_16k_s1[0])},
	{"64k_s2", IOMM_FMT_ARM_LPAE_S2, 65536, 52, 52, 0, 0x000a000000000000ull, 16,
	 ops_64k_s2, sizeof(ops_64k_s2) / sizeof(ops_64k_s2[0])},
};

/* What iomm-dump prints for a mapping made with @prot. */
static void attrs(const struct config *c, uint32_t prot, char *out, size_t len)
{
	uint32_t mem = prot & IOMM_MEM_MASK, sh = prot & IOMM_SH_MASK;
	const char *mname = mem == IOMM_MEM_WB ? "WB" : mem == IOMM_MEM_NC ? "NC" : "DEV-nGnRE";
	if (sh == IOMM_SH_DEFAULT)
		sh = mem == IOMM_MEM_WB ? IOMM_SH_INNER : IOMM_SH_OUTER;
	const char *sname = sh == IOMM_SH_NONE ? "NSH" : sh == IOMM_SH_OUTER ? "OSH" : "ISH";
	bool w = (prot & IOMM_WRITE) != 0, x = (prot & IOMM_EXEC) != 0;
	if (c->format == IOMM_FMT_VTD_SL) {
		snprintf(out, len, "sl:%c%c%s", (prot & IOMM_READ) ? 'r' : '-', w ? 'w' : '-',
			 (c->flags & IOMM_PGT_SNOOP) ? " SNP" : "");
	} else if (c->format == IOMM_FMT_X86_FL) {
		snprintf(out, len, "fl:r%c %c %s", w ? 'w' : '-', (prot & IOMM_PRIV) ? 'S' : 'U',
			 mem == IOMM_MEM_WB ? "WB" : "UC");
	} else if (c->format == IOMM_FMT_ARM_LPAE_S1) {
		bool el0 = !(prot & IOMM_PRIV);
		snprintf(out, len, "el1:r%c%c el0:%c%c%c %s %s%s%s", w ? 'w' : '-', x ? 'x' : '-',
			 el0 ? 'r' : '-', el0 && w ? 'w' : '-', el0 && x ? 'x' : '-', mname, sname,
			 (c->flags & IOMM_PGT_NG) ? " nG" : "", (c->flags & IOMM_PGT_NS) ? " NS" : "");
	} else {
		snprintf(out, len, "s2:%c%c%c %s %s", (prot & IOMM_READ) ? 'r' : '-', w ? 'w' : '-',
			 x ? 'x' : '-', mname, sname);
	}
}

static int write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		return 1;
	}
	return 0;
}

static void le64(uint8_t *p, uint64_t v)
{
	for (unsigned i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static int make_structs(const char *dir)
{
	/* What the SMMUv3 backend writes: an S2 STE (VMID 5, 4K, 40-bit IPA,
	 * SL0 1, root 0x7000001000) and an S1 CD (ASID 3, 4K, 48-bit VA). */
	static const uint64_t ste[8] = {
	    0x000000000000000dull, 0x0000100000000000ull, 0x040a355800000005ull, 0x0000007000001000ull,
	    0, 0, 0, 0};
	static const uint64_t cd[8] = {
	    0x00036205c0003510ull, 0x0000000080004000ull, 0, 0x00000000000444ffull, 0, 0, 0, 0};
	uint8_t img[0x100];
	memset(img, 0, sizeof(img));
	for (unsigned i = 0; i < 8; i++) {
		le64(img + 0x40 + 8 * i, ste[i]);
		le64(img + 0x80 + 8 * i, cd[i]);
	}
	char path[4096];
	snprintf(path, sizeof(path), "%s/structs.img", dir);
	return write_file(path, img, sizeof(img));
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: make_image NAME DIR\n");
		return 2;
	}
	if (strcmp(argv[1], "structs") == 0)
		return make_structs(argv[2]);
	const struct config *c = NULL;
	for (size_t i = 0; i < sizeof(configs) / sizeof(configs[0]); i++)
		if (strcmp(argv[1], configs[i].name) == 0)
			c = &configs[i];
	if (!c) {
		fprintf(stderr, "make_image: unknown configuration %s\n", argv[1]);
		return 2;
	}

	struct iomm_port port;
	memset(&port, 0, sizeof(port));
	port.flags = IOMM_PORT_DMA_COHERENT;
	size_t bytes = (c->pool_pages + 1) * c->granule;
	uint8_t *mem = aligned_alloc(c->granule, bytes);
	if (!mem)
		return 1;
	memset(mem, 0xee, bytes); /* what the pool never hands out stays garbage */
	struct iomm_pool pool;
	struct iomm_pgt pgt = {0};
	struct iomm_pgt_cfg cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.format = c->format;
	cfg.granule = c->granule;
	cfg.ias = c->ias;
	cfg.oas = c->oas;
	cfg.flags = c->flags;
	if (iomm_pool_init(&pool, &port, mem, bytes, c->pool_pa, c->granule) != IOMM_OK ||
	    iomm_pgt_init(&pgt, &cfg, &pool, &port) != IOMM_OK) {
		fprintf(stderr, "make_image %s: init failed\n", c->name);
		return 1;
	}
	struct shadow sh;
	shadow_init(&sh);
	for (size_t i = 0; i < c->nops; i++) {
		const struct op *o = &c->ops[i];
		int rc;
		if (o->unmap) {
			struct iomm_gather g;
			iomm_gather_init(&g);
			rc = iomm_pgt_unmap(&pgt, o->iova, o->size, &g, NULL);
			iomm_pgt_gather_release(&g);
			shadow_unmap(&sh, o->iova, o->size, NULL, NULL);
		} else {
			rc = iomm_pgt_map(&pgt, o->iova, o->pa, o->size, o->prot);
			if (!shadow_map(&sh, o->iova, o->pa, o->size, o->prot))
				rc = -1;
		}
		if (rc) {
			fprintf(stderr, "make_image %s: operation %zu failed: %d\n", c->name, i, rc);
			return 1;
		}
	}
	struct iomm_lpae_regs r;
	memset(&r, 0, sizeof(r));
	bool x86 = c->format == IOMM_FMT_VTD_SL || c->format == IOMM_FMT_X86_FL;
	if (!x86)
		iomm_pgt_lpae_regs(&pgt, &r);

	char path[4096];
	snprintf(path, sizeof(path), "%s/%s.img", argv[2], c->name);
	if (write_file(path, mem, bytes))
		return 1;

	snprintf(path, sizeof(path), "%s/%s.args", argv[2], c->name);
	FILE *f = fopen(path, "w");
	if (!f)
		return 1;
	if (x86) {
		unsigned levels = iomm_pgt_levels(&pgt);
		uint64_t root = iomm_pgt_root_pa(&pgt);
		fprintf(f, "--format %s --ias %u --oas %u --levels %u --base 0x%" PRIx64
			   " --root 0x%" PRIx64 "\n",
			c->format == IOMM_FMT_VTD_SL ? "vtd" : "x86", c->ias, c->oas, levels, c->pool_pa,
			root);
		if (fclose(f) != 0)
			return 1;
		/* the entry that points the unit at the table: a legacy context entry
		 * (P, TT 0, SLPTPTR; AW from the levels, DID 7) or a PASID-table entry
		 * (P, PGTT first stage only, DID 7, FSPTPTR, FSPM from the levels) */
		snprintf(path, sizeof(path), "%s/%s.ctx", argv[2], c->name);
		f = fopen(path, "w");
		if (!f)
			return 1;
		if (c->format == IOMM_FMT_VTD_SL)
			fprintf(f, "0x%" PRIx64 " 0x%" PRIx64 "\n", root | 1u,
				(uint64_t)(levels - 2u) | (7u << 8));
		else
			fprintf(f, "0x%" PRIx64 " 0x7 0x%" PRIx64 " 0 0 0 0 0\n", (uint64_t)1 | (1u << 6),
				root | ((uint64_t)(levels - 4u) << 2));
	} else {
	fprintf(f, "--format %s --granule %u --ias %u --oas %u --base 0x%" PRIx64 " --root 0x%" PRIx64,
		c->format == IOMM_FMT_ARM_LPAE_S1 ? "s1" : "s2", c->granule, c->ias, c->oas,
		c->pool_pa, r.ttbr);
	if (c->format == IOMM_FMT_ARM_LPAE_S2)
		fprintf(f, " --sl0 %u --concat %u", r.sl0, r.concat);
	else
		fprintf(f, " --mair 0x%" PRIx64, r.mair);
	fprintf(f, "\n");
	}
	if (fclose(f) != 0)
		return 1;

	/* expected ranges: the model's extents, merged as the tool merges */
	snprintf(path, sizeof(path), "%s/%s.expected", argv[2], c->name);
	f = fopen(path, "w");
	if (!f)
		return 1;
	uint64_t iova = 0, pa = 0, size = 0;
	char cur[96] = "", a[96];
	for (size_t i = 0; i <= sh.n; i++) {
		const struct shadow_ext *e = i < sh.n ? &sh.v[i] : NULL;
		if (e)
			attrs(c, e->prot, a, sizeof(a));
		if (e && size && iova + size == e->iova && pa + size == e->pa && strcmp(a, cur) == 0) {
			size += e->size;
			continue;
		}
		if (size)
			fprintf(f, "0x%016" PRIx64 "-0x%016" PRIx64 " -> 0x%016" PRIx64 " size=0x%" PRIx64 " %s\n",
				iova, iova + size - 1, pa, size, cur);
		if (e) {
			iova = e->iova;
			pa = e->pa;
			size = e->size;
			memcpy(cur, a, sizeof(cur));
		}
	}
	if (fclose(f) != 0)
		return 1;
	shadow_fini(&sh);
	iomm_pgt_destroy(&pgt);
	free(mem);
	return 0;
}
