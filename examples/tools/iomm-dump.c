/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iomm-dump: look into IOMMU memory from outside.
 *
 *   iomm-dump pgt --image FILE --base PA --root PA [options]
 *       Walk the Arm VMSAv8-64 (LPAE) translation tables rooted at PA in a
 *       raw memory image (the bytes of physical memory from PA --base on)
 *       and print the mappings as merged ranges with their permissions and
 *       memory attributes. Every descriptor on the way is checked against
 *       the architecture; a broken table is reported and the exit status is 1.
 *
 *   iomm-dump pgt --format vtd|x86 --image FILE --base PA --root PA [options]
 *       The same for Intel VT-d second-stage tables and x86-64 paging
 *       structures (VT-d first stage), checked against the VT-d
 *       specification (chapter 9).
 *
 *   iomm-dump vtd-ctx WORD0 WORD1
 *   iomm-dump vtd-smctx WORD0 ... WORD3
 *   iomm-dump vtd-pasid WORD0 ... WORD7
 *   iomm-dump vtd-ctx|vtd-smctx|vtd-pasid --image FILE --base PA --at PA
 *       Decode a VT-d legacy context entry (128 bits), scalable-mode context
 *       entry (256 bits) or scalable-mode PASID-table entry (512 bits) into
 *       named fields (VT-d 9.3, 9.4, 9.6), and print the pgt command that
 *       dumps the tables they point to.
 *
 *   iomm-dump ste WORD0 [WORD1 ... WORD7]
 *   iomm-dump cd  WORD0 [WORD1 ... WORD7]
 *   iomm-dump ste|cd --image FILE --base PA --at PA
 *       Decode an SMMUv3 stream table entry or context descriptor (64 bytes:
 *       eight 64-bit words, hex, missing words are zero; or read from the
 *       image) into named fields (Arm IHI 0070, 5.2 and 5.4), and print the
 *       pgt command that dumps the tables it points to.
 *
 * The walks are the independent walkers of the unit tests
 * (tools/walker/arm_walker.c, tools/walker/x86_walker.c), compiled in: the tool does not need the
 * library, and reads tables whoever built them. Hosted code.
 */
#include "iomm-dump.h"

/* What iomm_pgt_lpae_regs() reports as MAIR: index 0 WB, 1 NC, 2 Device-nGnRE. */
#define DEFAULT_MAIR UINT64_C(0x00000000000444ff)

const char *prog = "iomm-dump";

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage:\n"
	    "  %s pgt --image FILE --root PA [--base PA] [--format s1|s2] [--granule 4k|16k|64k]\n"
	    "            [--ias BITS] [--oas BITS] [--start-level L | --sl0 N] [--concat N]\n"
	    "            [--mair HEX] [--pa-range BITS] [--leaves]\n"
	    "  %s pgt --format vtd|x86 --image FILE --root PA [--base PA] [--ias BITS]\n"
	    "            [--oas BITS] [--levels 3|4|5] [--no-1g] [--no-superpages] [--strict-ad]\n"
	    "            [--leaves]\n"
	    "  %s ste|cd WORD0 [WORD1 ... WORD7]          (64-bit words, hex)\n"
	    "  %s vtd-ctx WORD0 WORD1 | vtd-smctx WORD0..3 | vtd-pasid WORD0..7\n"
	    "  %s ste|cd|vtd-ctx|vtd-smctx|vtd-pasid --image FILE [--base PA] --at PA\n"
	    "\n"
	    "pgt prints one line per range of consecutive leaves with contiguous output\n"
	    "addresses and equal attributes:\n"
	    "  FIRST-LAST -> PA size=BYTES PERMS MEMTYPE SHAREABILITY [nG] [NS] "
	    "leaves=COUNTxSIZE,...\n"
	    "PERMS is el1:rwx el0:rwx at stage 1 and s2:rwx at stage 2 ('-': not allowed);\n"
	    "sl:rw (VT-d second stage, SNP if set) or fl:rw with U (user) or S\n"
	    "(supervisor only) and the memory type from PCD/PWT/PAT (x86-64).\n"
	    "VT-d / x86-64 defaults: --ias 48 (x86: 47), --levels from --ias, --oas 48.\n"
	    "Defaults: --base 0, --format s1, --granule 4k, --ias 48, --oas 48, the start\n"
	    "level the input size implies (stage 2: the deepest one with at most 16\n"
	    "concatenated root tables), --mair 0x%" PRIx64 " (what iommuman programs).\n"
	    "Numbers are decimal or 0x hex; sizes may end in k, m or g.\n",
	    prog, prog, prog, prog, prog, DEFAULT_MAIR);
}

void die_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	usage(stderr);
	exit(2);
}

static bool parse_u64(const char *s, int base, uint64_t *out)
{
	char *end;
	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, base);
	if (errno || end == s)
		return false;
	uint64_t mult = 1;
	if (*end == 'k' || *end == 'K')
		mult = 1024, end++;
	else if (*end == 'm' || *end == 'M')
		mult = 1024 * 1024, end++;
	else if (*end == 'g' || *end == 'G')
		mult = 1024 * 1024 * 1024, end++;
	if (*end)
		return false;
	if (mult > 1 && v > UINT64_MAX / mult)
		return false;
	*out = (uint64_t)v * mult;
	return true;
}

uint64_t need_u64(const char *opt, const char *s)
{
	uint64_t v;
	if (!parse_u64(s, 0, &v))
		die_usage("bad number for %s", opt);
	return v;
}

uint64_t hex_word(const char *s)
{
	uint64_t v;
	if (!parse_u64(s, 16, &v))
		die_usage("not a 64-bit hex word: %s", s);
	return v;
}

/* ---- the image -------------------------------------------------------------- */

void image_load(struct image *im, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		exit(2);
	}
	size_t cap = 1u << 20, n = 0;
	uint8_t *buf = malloc(cap);
	for (;;) {
		if (!buf) {
			fprintf(stderr, "%s: out of memory reading %s\n", prog, path);
			exit(2);
		}
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		cap *= 2;
		uint8_t *nb = realloc(buf, cap);
		if (!nb)
			free(buf);
		buf = nb;
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: %s: read error\n", prog, path);
		exit(2);
	}
	fclose(f);
	im->data = buf;
	im->size = n;
}

int image_read64(void *ctx, uint64_t pa, uint64_t *val)
{
	const struct image *im = ctx;
	if (pa < im->base || im->size < 8 || pa - im->base > im->size - 8)
		return -1;
	const uint8_t *p = im->data + (pa - im->base);
	uint64_t v = 0;
	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i); /* descriptors are little-endian */
	*val = v;
	return 0;
}

/* ---- pgt: walk and print ------------------------------------------------------ */

struct range {
	bool open;
	uint64_t iova, pa, size;
	char attrs[96];
	uint64_t nleaves[64]; /* leaves per log2 size */
};

struct dump {
	unsigned stage; /* 1, 2; 3 VT-d second stage, 4 x86-64 */
	bool each_leaf;
	struct range r;
	uint64_t ranges, leaves;
};

static const char *size_name(uint64_t size, char *buf, size_t len)
{
	static const char units[] = "KMGTP";
	if (size < 1024 || (size & 1023)) {
		snprintf(buf, len, "%" PRIu64, size);
		return buf;
	}
	unsigned u = 0;
	size >>= 10;
	while (size >= 1024 && !(size & 1023) && u < sizeof(units) - 2) {
		size >>= 10;
		u++;
	}
	snprintf(buf, len, "%" PRIu64 "%c", size, units[u]);
	return buf;
}

static const char *mem_name(unsigned stage, const struct aw_leaf *l, char *buf, size_t len)
{
	static const char *const dev[4] = {"DEV-nGnRnE", "DEV-nGnRE", "DEV-nGRE", "DEV-GRE"};
	switch (l->mem) {
	case AW_MEM_WB:
		return "WB";
	case AW_MEM_NC:
		return "NC";
	case AW_MEM_DEVICE:
		return dev[l->devtype & 3];
	default:
		snprintf(buf, len, "OTHER(0x%x)", stage == 1 ? l->mair_attr : l->memattr);
		return buf;
	}
}

static void leaf_attrs(const struct dump *d, const struct aw_leaf *l, char *out, size_t len)
{
	static const char *const sh[4] = {"NSH", "SH?", "OSH", "ISH"};
	char perms[32], mbuf[24];
	if (d->stage == 1) {
		snprintf(perms, sizeof(perms), "el1:%c%c%c el0:%c%c%c", l->pr ? 'r' : '-',
			 l->pw ? 'w' : '-', l->px ? 'x' : '-', l->ur ? 'r' : '-', l->uw ? 'w' : '-',
			 l->ux ? 'x' : '-');
	} else {
		char x = l->px && l->ux ? 'x' : l->px ? 'p' : l->ux ? 'u' : '-';
		snprintf(perms, sizeof(perms), "s2:%c%c%c", l->pr ? 'r' : '-', l->pw ? 'w' : '-',
			 x);
	}
	snprintf(out, len, "%s %s %s%s%s", perms, mem_name(d->stage, l, mbuf, sizeof(mbuf)),
		 sh[l->sh & 3], d->stage == 1 && l->ng ? " nG" : "",
		 d->stage == 1 && l->ns ? " NS" : "");
}

static void xleaf_attrs(const struct dump *d, const struct xw_leaf *l, char *out, size_t len)
{
	if (d->stage == 3) {
		snprintf(out, len, "sl:%c%c%s", l->r ? 'r' : '-', l->w ? 'w' : '-',
			 l->snp ? " SNP" : "");
		return;
	}
	/* memory type with the default PAT: index = PAT:PCD:PWT */
	static const char *const mt[8] = {"WB", "WT", "UC-", "UC", "PAT4", "PAT5", "PAT6", "PAT7"};
	unsigned idx = (l->pat ? 4u : 0u) | (l->pcd ? 2u : 0u) | (l->pwt ? 1u : 0u);
	snprintf(out, len, "fl:r%c %c %s%s%s", l->w ? 'w' : '-', l->user ? 'U' : 'S', mt[idx],
		 l->g ? " G" : "", l->xd ? " XD" : "");
}

static void flush_range(struct dump *d)
{
	struct range *r = &d->r;
	if (!r->open)
		return;
	char buf[32];
	printf("0x%016" PRIx64 "-0x%016" PRIx64 " -> 0x%016" PRIx64 " size=0x%" PRIx64
	       " %s leaves=",
	       r->iova, r->iova + r->size - 1, r->pa, r->size, r->attrs);
	bool first = true;
	for (unsigned k = 64; k-- > 0;) {
		if (!r->nleaves[k])
			continue;
		printf("%s%" PRIu64 "x%s", first ? "" : ",", r->nleaves[k],
		       size_name(UINT64_C(1) << k, buf, sizeof(buf)));
		first = false;
	}
	putchar('\n');
	d->ranges++;
	r->open = false;
}

/* One leaf, either format, with its attributes rendered. */
struct any_leaf {
	uint64_t iova, oa, size, desc, desc_pa;
	unsigned level;
	bool contig;
};

static int on_any_leaf(struct dump *d, const struct any_leaf *l, const char *attrs);

static int on_leaf(void *arg, const struct aw_leaf *l)
{
	struct dump *d = arg;
	char attrs[96];
	leaf_attrs(d, l, attrs, sizeof(attrs));
	struct any_leaf a = {l->iova, l->oa, l->size, l->desc, l->desc_pa, l->level, l->contig};
	return on_any_leaf(d, &a, attrs);
}

static int on_xleaf(void *arg, const struct xw_leaf *l)
{
	struct dump *d = arg;
	char attrs[96];
	xleaf_attrs(d, l, attrs, sizeof(attrs));
	struct any_leaf a = {l->iova, l->oa, l->size, l->desc, l->desc_pa, l->level, false};
	return on_any_leaf(d, &a, attrs);
}

static int on_any_leaf(struct dump *d, const struct any_leaf *l, const char *attrs)
{
	d->leaves++;
	if (d->each_leaf) {
		char buf[32];
		printf("0x%016" PRIx64 "-0x%016" PRIx64 " -> 0x%016" PRIx64
		       " %s level %u%s %s desc "
		       "0x%016" PRIx64 " at 0x%" PRIx64 "\n",
		       l->iova, l->iova + l->size - 1, l->oa, size_name(l->size, buf, sizeof(buf)),
		       l->level, l->contig ? " contig" : "", attrs, l->desc, l->desc_pa);
		return 0;
	}
	struct range *r = &d->r;
	if (r->open && r->iova + r->size == l->iova && r->pa + r->size == l->oa &&
	    strcmp(r->attrs, attrs) == 0) {
		r->size += l->size;
	} else {
		flush_range(d);
		r->open = true;
		r->iova = l->iova;
		r->pa = l->oa;
		r->size = l->size;
		snprintf(r->attrs, sizeof(r->attrs), "%s", attrs);
		memset(r->nleaves, 0, sizeof(r->nleaves));
	}
	r->nleaves[__builtin_ctzll(l->size)]++;
	return 0;
}

/* Stage 2 start level as iommuman chooses it: the deepest one SL0 can encode
 * that needs at most 16 concatenated root tables. */
static int s2_default_level(unsigned gshift, unsigned ias)
{
	unsigned stride = gshift - 3;
	unsigned shallowest = gshift == 12 ? 0 : 1, deepest = gshift == 12 ? 2 : 3;
	for (unsigned l = deepest + 1; l-- > shallowest;) {
		unsigned sh = gshift + (3 - l) * stride;
		if (ias > sh && ias - sh <= stride + 4)
			return (int)l;
	}
	return -1;
}

/* The VT-d second-stage (stage 3) and x86-64 (stage 4) walk of cmd_pgt. */
static int pgt_x86(const char *image_path, struct image *im, uint64_t root, unsigned stage,
		   unsigned ias, unsigned oas, int levels, uint64_t large, bool strict_ad,
		   bool each_leaf)
{
	struct xw_config c;
	memset(&c, 0, sizeof(c));
	c.format = stage == 3 ? XW_VTD_SL : XW_X86_FL;
	if (!ias)
		ias = stage == 3 ? 48 : 47;
	if (levels < 0) {
		/* what the input size needs: VT-d AGAW 39/48/57; x86-64 4 levels up to 47 bits */
		if (stage == 3)
			levels = ias <= 39 ? 3 : ias <= 48 ? 4 : 5;
		else
			levels = ias <= 47 ? 4 : 5;
	}
	c.levels = (unsigned)levels;
	c.ias = ias;
	c.haw = oas;
	c.root_pa = root;
	c.large_pages = large;
	c.snoop_ctl = true;
	c.require_ad = strict_ad;
	c.read = image_read64;
	c.ctx = im;
	image_load(im, image_path);
	struct xw_walker w;
	if (xw_init(&w, &c) != XW_OK) {
		fprintf(stderr, "%s: %s\n", prog, w.err);
		free(im->data);
		return 2;
	}
	printf("# %s, %u levels, ias %u, oas %u, root 0x%" PRIx64 ", image 0x%" PRIx64 "+0x%zx\n",
	       stage == 3 ? "VT-d second stage" : "x86-64 (VT-d first stage)", c.levels, ias, oas,
	       root, im->base, im->size);
	struct dump d;
	memset(&d, 0, sizeof(d));
	d.stage = stage;
	d.each_leaf = each_leaf;
	int rc = xw_walk(&w, on_xleaf, NULL, &d);
	flush_range(&d);
	printf("# %" PRIu64 " %s, %" PRIu64 " leaves\n", each_leaf ? d.leaves : d.ranges,
	       each_leaf ? "leaves" : "ranges", d.leaves);
	free(im->data);
	if (rc != XW_OK) {
		fprintf(stderr, "%s: the tables are broken: %s\n", prog, w.err);
		return 1;
	}
	return 0;
}

static int cmd_pgt(int argc, char **argv)
{
	const char *image_path = NULL;
	struct image im = {NULL, 0, 0};
	uint64_t root = 0, mair = DEFAULT_MAIR, granule = 4096;
	bool have_root = false, each_leaf = false, strict_ad = false, have_ias = false;
	unsigned stage = 1, ias = 48, oas = 48, pa_range = 0;
	int start_level = -1, sl0 = -1, concat = -1, levels = -1;
	uint64_t large = (UINT64_C(1) << 21) | (UINT64_C(1) << 30);

	for (int i = 0; i < argc; i++) {
		const char *o = argv[i];
		const char *v = NULL;
		char name[32];
		const char *eq = strchr(o, '=');
		if (strncmp(o, "--", 2) != 0)
			die_usage("unexpected argument: %s", o);
		if (eq) {
			size_t n = (size_t)(eq - o);
			if (n >= sizeof(name))
				die_usage("unknown option: %s", o);
			memcpy(name, o, n);
			name[n] = '\0';
			v = eq + 1;
		} else {
			snprintf(name, sizeof(name), "%s", o);
		}
		if (strcmp(name, "--leaves") == 0) {
			each_leaf = true;
			continue;
		}
		if (strcmp(name, "--no-1g") == 0) {
			large &= ~(UINT64_C(1) << 30);
			continue;
		}
		if (strcmp(name, "--no-superpages") == 0) {
			large = 0;
			continue;
		}
		if (strcmp(name, "--strict-ad") == 0) {
			strict_ad = true;
			continue;
		}
		if (strcmp(name, "--help") == 0) {
			usage(stdout);
			exit(0);
		}
		if (!v) {
			if (i + 1 >= argc)
				die_usage("%s needs a value", name);
			v = argv[++i];
		}
		if (strcmp(name, "--image") == 0) {
			image_path = v;
		} else if (strcmp(name, "--base") == 0) {
			im.base = need_u64(name, v);
		} else if (strcmp(name, "--root") == 0) {
			root = need_u64(name, v);
			have_root = true;
		} else if (strcmp(name, "--format") == 0) {
			if (strcmp(v, "s1") == 0)
				stage = 1;
			else if (strcmp(v, "s2") == 0)
				stage = 2;
			else if (strcmp(v, "vtd") == 0)
				stage = 3;
			else if (strcmp(v, "x86") == 0)
				stage = 4;
			else
				die_usage("--format is s1, s2, vtd or x86, not %s", v);
		} else if (strcmp(name, "--granule") == 0) {
			granule = need_u64(name, v);
		} else if (strcmp(name, "--ias") == 0) {
			ias = (unsigned)need_u64(name, v);
			have_ias = true;
		} else if (strcmp(name, "--levels") == 0) {
			levels = (int)need_u64(name, v);
		} else if (strcmp(name, "--oas") == 0) {
			oas = (unsigned)need_u64(name, v);
		} else if (strcmp(name, "--pa-range") == 0) {
			pa_range = (unsigned)need_u64(name, v);
		} else if (strcmp(name, "--start-level") == 0) {
			start_level = (int)need_u64(name, v);
		} else if (strcmp(name, "--sl0") == 0) {
			sl0 = (int)need_u64(name, v);
		} else if (strcmp(name, "--concat") == 0) {
			concat = (int)need_u64(name, v);
		} else if (strcmp(name, "--mair") == 0) {
			mair = hex_word(v);
		} else {
			die_usage("unknown option: %s", name);
		}
	}
	if (!image_path || !have_root)
		die_usage("%s", "pgt needs --image and --root");
	if (stage >= 3)
		return pgt_x86(image_path, &im, root, stage, have_ias ? ias : 0, oas, levels, large,
			       strict_ad, each_leaf);
	unsigned g = aw_granule_shift((unsigned)granule);
	if (!g || granule > 65536)
		die_usage("%s", "--granule is 4k, 16k or 64k");
	if (ias > 64 || oas > 64 || start_level > 3 || sl0 > 3 || concat > 16)
		die_usage("%s", "--ias/--oas/--start-level/--sl0/--concat out of range");

	struct aw_config c;
	memset(&c, 0, sizeof(c));
	c.granule = (unsigned)granule;
	c.ias = ias;
	c.oas = oas;
	c.stage = stage;
	c.root_pa = root;
	c.mair = mair;
	c.s2_xnx = true;
	c.read = image_read64;
	c.ctx = &im;
	if (stage == 1) {
		if (sl0 >= 0)
			die_usage("%s", "--sl0 is for stage 2");
		if (start_level >= 0) {
			c.start_level = (unsigned)start_level;
			c.start_level_valid = true;
		}
	} else {
		/* the start level: --sl0, --start-level, or iommuman's choice */
		if (sl0 < 0) {
			int l = start_level >= 0 ? start_level : s2_default_level(g, ias);
			if (l < 0)
				die_usage(
				    "%s",
				    "no stage-2 start level fits this --ias; give --start-level");
			sl0 = g == 12 ? 2 - l : 3 - l;
			if (sl0 < 0)
				die_usage("%s", "--start-level not encodable for this granule");
		}
		c.sl0 = (unsigned)sl0;
		int l = aw_s2_sl0_level((unsigned)granule, c.sl0);
		if (l < 0 || (start_level >= 0 && l != start_level))
			die_usage("%s", "--sl0 and --start-level disagree (or SL0 is reserved)");
		c.start_level = (unsigned)l;
		/* the number of root tables follows from ias and the start level */
		unsigned root_bits = ias > g + (3u - c.start_level) * (g - 3)
					 ? ias - (g + (3u - c.start_level) * (g - 3))
					 : 0;
		c.concat = root_bits > g - 3 ? 1u << (root_bits - (g - 3)) : 1u;
		if (concat >= 0 && (unsigned)concat != c.concat) {
			fprintf(
			    stderr,
			    "%s: --concat %d, but ias %u at start level %u means %u root tables\n",
			    prog, concat, ias, c.start_level, c.concat);
			return 2;
		}
		/* the PA range only gates SL0 validity; assume hardware that allows it */
		c.pa_range = pa_range ? pa_range : (granule == 65536 ? 52u : 48u);
		if (c.pa_range < oas)
			c.pa_range = oas;
	}

	image_load(&im, image_path);
	struct aw_walker w;
	if (aw_init(&w, &c) != AW_OK) {
		fprintf(stderr, "%s: %s\n", prog, w.err);
		return 2;
	}
	printf("# stage %u, %uK granule, ias %u, oas %u, start level %u", stage,
	       (unsigned)(granule >> 10), ias, oas, w.start_level);
	if (stage == 2)
		printf(" (SL0 %u, %u root table%s)", c.sl0, w.root_pages,
		       w.root_pages > 1 ? "s" : "");
	else
		printf(", MAIR 0x%016" PRIx64, mair);
	printf(", root 0x%" PRIx64 ", image 0x%" PRIx64 "+0x%zx\n", root, im.base, im.size);

	struct dump d;
	memset(&d, 0, sizeof(d));
	d.stage = stage;
	d.each_leaf = each_leaf;
	int rc = aw_walk(&w, on_leaf, NULL, &d);
	flush_range(&d);
	printf("# %" PRIu64 " %s, %" PRIu64 " leaves\n", each_leaf ? d.leaves : d.ranges,
	       each_leaf ? "leaves" : "ranges", d.leaves);
	free(im.data);
	if (rc != AW_OK) {
		fprintf(stderr, "%s: the tables are broken: %s\n", prog, w.err);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "pgt") == 0)
		return cmd_pgt(argc - 2, argv + 2);
	if (strcmp(argv[1], "ste") == 0)
		return cmd_struct(S_STE, argc - 2, argv + 2);
	if (strcmp(argv[1], "cd") == 0)
		return cmd_struct(S_CD, argc - 2, argv + 2);
	if (strcmp(argv[1], "vtd-ctx") == 0)
		return cmd_struct(S_VTD_CTX, argc - 2, argv + 2);
	if (strcmp(argv[1], "vtd-smctx") == 0)
		return cmd_struct(S_VTD_SMCTX, argc - 2, argv + 2);
	if (strcmp(argv[1], "vtd-pasid") == 0)
		return cmd_struct(S_VTD_PASID, argc - 2, argv + 2);
	die_usage("unknown command: %s", argv[1]);
	return 2;
}
