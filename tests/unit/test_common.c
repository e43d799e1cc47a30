/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared code of the unit tests; see test_common.h. */
#include "test_common.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- failure reporting ---------------------------------------------------- */

static char g_context[512];
static bool g_seed_known;
static uint64_t g_seed;

void t_context(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(g_context, sizeof(g_context), fmt, ap);
	va_end(ap);
}

void t_fail(const char *file, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s:%d: FAILED: %s\n", file, line, msg);
	if (g_context[0])
		fprintf(stderr, "    while: %s\n", g_context);
	if (g_seed_known)
		fprintf(stderr, "    reproduce with IOMM_TEST_SEED=0x%016" PRIx64 "\n", g_seed);
	fflush(stderr);
	_fail(file, line);
}

/* ---- seeds, iterations, PRNG ------------------------------------------------- */

uint64_t t_seed(void)
{
	if (g_seed_known)
		return g_seed;
	const char *s = getenv("IOMM_TEST_SEED");
	if (s && *s) {
		g_seed = strtoull(s, NULL, 0);
	} else {
		struct timespec ts;
		timespec_get(&ts, TIME_UTC);
		g_seed = (uint64_t)ts.tv_sec * 1000000007ull ^ (uint64_t)ts.tv_nsec;
	}
	g_seed_known = true;
	printf("IOMM_TEST_SEED=0x%016" PRIx64 "\n", g_seed);
	fflush(stdout);
	return g_seed;
}

unsigned long t_iterations(unsigned long dflt)
{
	const char *s = getenv("IOMM_TEST_ITERATIONS");
	if (s && *s) {
		unsigned long v = strtoul(s, NULL, 0);
		if (v > 0)
			return v;
	}
	return dflt;
}

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void t_rng_seed(struct t_rng *r, uint64_t seed)
{
	uint64_t x = seed;
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t t_rng_next(struct t_rng *r)
{
	/* xoshiro256** */
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t t_rng_below(struct t_rng *r, uint64_t n)
{
	return n ? t_rng_next(r) % n : 0;
}

bool t_rng_chance(struct t_rng *r, unsigned num, unsigned den)
{
	return t_rng_below(r, den) < num;
}

/* ---- geometry and prot --------------------------------------------------------- */

const char *t_fmt_name(enum iomm_pgt_format f)
{
	return f == IOMM_FMT_ARM_LPAE_S1   ? "s1"
	       : f == IOMM_FMT_ARM_LPAE_S2 ? "s2"
	       : f == IOMM_FMT_VTD_SL	   ? "vtd"
	       : f == IOMM_FMT_X86_FL	   ? "x86"
	       : f == IOMM_FMT_RISCV_S1	   ? "rv1"
	       : f == IOMM_FMT_RISCV_G	   ? "rvg"
					   : "?";
}

uint64_t t_arch_leaf_sizes(uint32_t granule, unsigned oas)
{
	uint64_t m = granule;
	for (unsigned level = 0; level < 3; level++)
		if (aw_block_allowed(granule, level, oas))
			m |= aw_level_size(granule, level);
	return m;
}

uint32_t t_canon_prot(uint32_t prot, unsigned stage)
{
	uint32_t acc = prot & IOMM_PROT_ACCESS;
	if (stage == T_VTD)
		return acc & (IOMM_READ | IOMM_WRITE); /* no exec, privilege, attributes */
	if (stage == T_RV1 || stage == T_RVG) {
		/* read implied; the PMAs decide the memory type: no attributes */
		acc |= IOMM_READ;
		return stage == T_RVG ? acc & ~(uint32_t)IOMM_PRIV : acc;
	}
	if (stage == T_X86) {
		/* read implied; no exec; uncached for anything but write-back */
		acc = (acc & (IOMM_WRITE | IOMM_PRIV)) | IOMM_READ;
		return acc | ((prot & IOMM_MEM_MASK) == IOMM_MEM_WB ? IOMM_MEM_WB : IOMM_MEM_NC);
	}
	if (stage == 1) {
		if (acc & IOMM_WRITE)
			acc |= IOMM_READ; /* stage 1 has no write-only permission */
	} else {
		acc &= ~IOMM_PRIV; /* stage 2 has no privilege distinction */
	}
	uint32_t mem = prot & IOMM_MEM_MASK;
	uint32_t sh = prot & IOMM_SH_MASK;
	if (sh == IOMM_SH_DEFAULT)
		sh = mem == IOMM_MEM_WB ? IOMM_SH_INNER : IOMM_SH_OUTER;
	return acc | mem | sh;
}

uint32_t t_leaf_prot(const struct aw_leaf *l, unsigned stage)
{
	uint32_t p = 0;
	if (l->pr)
		p |= IOMM_READ;
	if (l->pw)
		p |= IOMM_WRITE;
	if (stage == 1) {
		if (l->px)
			p |= IOMM_EXEC;
		if (!l->ur) {
			p |= IOMM_PRIV;
			if (l->uw || l->ux)
				p |= 0x100;
		} else if (l->uw != l->pw || l->ux != l->px) {
			p |= 0x100; /* unprivileged and privileged rights differ otherwise */
		}
	} else {
		if (l->px && l->ux)
			p |= IOMM_EXEC;
		else if (l->px != l->ux)
			p |= 0x100;
	}
	switch (l->mem) {
	case AW_MEM_WB:
		p |= IOMM_MEM_WB;
		break;
	case AW_MEM_NC:
		p |= IOMM_MEM_NC;
		break;
	case AW_MEM_DEVICE:
		p |= l->devtype == AW_DEV_nGnRE ? IOMM_MEM_DEVICE : 0x200u;
		break;
	default:
		p |= 0x200;
		break;
	}
	switch (l->sh) {
	case 0:
		p |= IOMM_SH_NONE;
		break;
	case 2:
		p |= IOMM_SH_OUTER;
		break;
	default:
		p |= IOMM_SH_INNER;
		break;
	}
	return p;
}

uint32_t t_xleaf_prot(const struct xw_leaf *l, unsigned stage, bool snoop)
{
	uint32_t p = 0;
	if (stage == T_VTD) {
		if (l->r)
			p |= IOMM_READ;
		if (l->w)
			p |= IOMM_WRITE;
		if (l->snp != snoop)
			p |= 0x200;
		return p;
	}
	p = IOMM_READ;
	if (l->w)
		p |= IOMM_WRITE;
	if (!l->user)
		p |= IOMM_PRIV;
	if (l->pcd && l->pwt)
		p |= IOMM_MEM_NC; /* UC */
	else if (l->pcd || l->pwt || l->pat)
		p |= 0x200; /* write-through, UC-, or a PAT entry the library never selects */
	if (l->g || l->xd)
		p |= 0x100;
	return p;
}

uint32_t t_rleaf_prot(const struct rw_leaf *l, unsigned stage)
{
	uint32_t p = 0;
	if (l->r)
		p |= IOMM_READ;
	if (l->w)
		p |= IOMM_WRITE;
	if (l->x)
		p |= IOMM_EXEC;
	if (!l->u)
		p |= stage == T_RVG ? 0x100u : IOMM_PRIV;
	if (l->g || !l->a || !l->d)
		p |= 0x100;
	if (l->pbmt)
		p |= 0x200;
	return p;
}

const char *t_prot_str(uint32_t prot)
{
	static char buf[4][96];
	static unsigned k;
	char *b = buf[k++ & 3];
	static const char *mem[] = {"wb", "nc", "dev", "mem?"};
	static const char *sh[] = {"sh-dflt", "sh-none", "sh-outer", "sh-inner"};
	snprintf(b, sizeof(buf[0]), "%s%s%s%s|%s|%s%s%s", prot & IOMM_READ ? "r" : "-",
		 prot & IOMM_WRITE ? "w" : "-", prot & IOMM_EXEC ? "x" : "-",
		 prot & IOMM_PRIV ? "p" : "-", mem[(prot & IOMM_MEM_MASK) >> IOMM_MEM_SHIFT],
		 sh[(prot & IOMM_SH_MASK) >> IOMM_SH_SHIFT], prot & 0x100 ? "|PERM?" : "",
		 prot & 0x200 ? "|ATTR?" : "");
	return b;
}

/* ---- fixture ------------------------------------------------------------------------ */

static bool s2_any_valid(unsigned granule, unsigned ias, unsigned pa_range)
{
	char err[256];
	for (unsigned sl0 = 0; sl0 < 4; sl0++) {
		unsigned sl, concat;
		if (aw_s2_check(granule, ias, sl0, pa_range, &sl, &concat, err, sizeof(err)) == AW_OK)
			return true;
	}
	return false;
}

int tfix_inval_sync(void *arg, const struct iomm_gather *range)
{
	struct tfix *f = arg;
	/* leaves (a contiguous group) or tables (a map replacing empty tables) */
	T_CHECK(range->end > range->start && range->levels &&
			(range->leaf_sizes ? !range->tables && !range->nfreed
					   : range->tables && range->nfreed),
		"inval_sync: malformed range [0x%llx, 0x%llx)", (unsigned long long)range->start,
		(unsigned long long)range->end);
	/* every leaf of the range, or (tables) every entry of the shallowest level it names */
	uint64_t step = range->leaf_sizes
			    ? range->leaf_sizes & -range->leaf_sizes
			    : tfix_level_size(f, (unsigned)__builtin_ctz(range->levels));
	/* break-before-make: nothing of the range is reachable any more */
	for (uint64_t a = range->start; a < range->end; a += step) {
		struct twleaf l;
		uint64_t pa;
		int rc = tfix_translate(f, a, &l);
		T_CHECK(rc == TW_UNMAPPED, "inval_sync: 0x%llx still mapped for the walker (%d)",
			(unsigned long long)a, rc);
		T_CHECK(iomm_pgt_iova_to_phys(&f->pgt, a, &pa) == IOMM_ENOENT,
			"inval_sync: 0x%llx still mapped", (unsigned long long)a);
	}
	f->bbm_calls++;
	f->bbm_bytes += range->end - range->start;
	return f->bbm_fail;
}

int tfix_init(struct tfix *f, const struct iomm_pgt_cfg *cfg, size_t pool_bytes, uint64_t pool_pa,
	      bool port_pool)
{
	memset(f, 0, sizeof(*f));
	f->cfg = *cfg;
	f->stage = cfg->format == IOMM_FMT_ARM_LPAE_S2 ? 2 : cfg->format <= IOMM_FMT_ARM_LPAE_S1 ? 1 : (unsigned)cfg->format;
	f->x86 = t_fmt_x(cfg->format);
	f->rv = t_fmt_rv(cfg->format);
	f->pa_range = cfg->oas;
	/* A table with a small oas may still run on hardware with a larger PA
	 * range; where no stage-2 start level is valid with PAMax == oas, model
	 * such hardware instead (the library cannot do better). */
	if (!f->x86 && f->stage == 2 && !s2_any_valid(cfg->granule, cfg->ias, cfg->oas))
		f->pa_range = cfg->granule == 65536 ? 52 : 48;
	if (port_pool) {
		tport_init(&f->tp, pool_bytes, pool_pa, 0);
		T_RC(iomm_pool_init_port(&f->pool, &f->tp.port, cfg->granule,
					 pool_bytes / cfg->granule),
		     IOMM_OK);
	} else {
		tport_init(&f->tp, 0, 0, 0);
		size_t size = (pool_bytes + 65535) / 65536 * 65536;
		f->mem = aligned_alloc(65536, size);
		T_CHECK(f->mem != NULL, "cannot allocate %zu bytes", size);
		/* garbage where tables will come from (pages are handed out from the start) */
		memset(f->mem, 0xa5, size < (4u << 20) ? size : (4u << 20));
		f->mem_size = size;
		f->mem_pa = pool_pa;
		tport_add_region(&f->tp, f->mem, pool_pa, size);
		T_RC(iomm_pool_init(&f->pool, &f->tp.port, f->mem, size, pool_pa, cfg->granule),
		     IOMM_OK);
	}
	struct iomm_pgt_cfg c = *cfg;
	if (!c.inval_sync) {
		c.inval_sync = tfix_inval_sync;
		c.inval_arg = f;
		f->cfg = c;
	}
	int rc = iomm_pgt_init(&f->pgt, &c, &f->pool, &f->tp.port);
	if (rc != IOMM_OK)
		return rc;
	f->initialised = true;
	if (f->x86) {
		T_RC(iomm_pgt_lpae_regs(&f->pgt, &f->regs), IOMM_EINVAL);
		f->regs.ttbr = iomm_pgt_root_pa(&f->pgt);
		f->regs.start_level = (uint8_t)(5u - iomm_pgt_levels(&f->pgt));
		f->regs.concat = 1;
	} else {
		T_RC(iomm_pgt_lpae_regs(&f->pgt, &f->regs), IOMM_OK);
	}
	tfix_walker(f);
	return IOMM_OK;
}

static void tfix_xwalker(struct tfix *f)
{
	struct xw_config c;
	memset(&c, 0, sizeof(c));
	c.format = f->cfg.format == IOMM_FMT_VTD_SL ? XW_VTD_SL : XW_X86_FL;
	c.levels = iomm_pgt_levels(&f->pgt);
	c.ias = f->cfg.ias;
	c.haw = f->cfg.oas;
	c.root_pa = iomm_pgt_root_pa(&f->pgt);
	/* the unit's superpage support: what the configuration allows */
	c.large_pages = SZ_2M | SZ_1G;
	if (f->cfg.leaf_sizes)
		c.large_pages &= f->cfg.leaf_sizes;
	c.snoop_ctl = (f->cfg.flags & IOMM_PGT_SNOOP) != 0;
	c.require_ad = true;
	c.read = tport_read64;
	c.ctx = &f->tp;
	int rc = xw_init(&f->xw, &c);
	T_CHECK(rc == XW_OK, "%s ias %u oas %u: the walker rejects the table (%u levels, root 0x%llx): %s",
		t_fmt_name(f->cfg.format), f->cfg.ias, f->cfg.oas, c.levels,
		(unsigned long long)c.root_pa, f->xw.err);
}

static void tfix_rwalker(struct tfix *f)
{
	struct rw_config c;
	memset(&c, 0, sizeof(c));
	c.stage = f->cfg.format == IOMM_FMT_RISCV_G ? RW_GSTAGE : RW_FIRST;
	c.levels = iomm_pgt_levels(&f->pgt);
	c.ias = f->cfg.ias;
	c.pa_bits = f->cfg.oas;
	c.root_pa = iomm_pgt_root_pa(&f->pgt);
	c.require_ad = true;
	c.require_u = c.stage == RW_GSTAGE;
	c.read = tport_read64;
	c.ctx = &f->tp;
	int rc = rw_init(&f->rw, &c);
	T_CHECK(rc == RW_OK, "%s ias %u oas %u: the walker rejects the table (%u levels, root 0x%llx): %s",
		t_fmt_name(f->cfg.format), f->cfg.ias, f->cfg.oas, c.levels,
		(unsigned long long)c.root_pa, f->rw.err);
}

void tfix_walker(struct tfix *f)
{
	if (f->rv) {
		tfix_rwalker(f);
		return;
	}
	if (f->x86) {
		tfix_xwalker(f);
		return;
	}
	struct aw_config c;
	memset(&c, 0, sizeof(c));
	c.granule = f->cfg.granule;
	c.ias = f->cfg.ias;
	c.oas = f->cfg.oas;
	c.stage = f->stage;
	c.root_pa = f->regs.ttbr;
	c.mair = f->regs.mair;
	c.sl0 = f->regs.sl0;
	c.start_level = f->regs.start_level;
	c.concat = f->regs.concat;
	c.start_level_valid = true;
	c.pa_range = f->pa_range;
	c.s2_xnx = true;
	c.read = tport_read64;
	c.ctx = &f->tp;
	int rc = aw_init(&f->w, &c);
	T_CHECK(rc == AW_OK,
		"%uK %s ias %u oas %u: the walker rejects the table's registers "
		"(ttbr 0x%llx sl0 %u start_level %u concat %u tsz %u): %s",
		f->cfg.granule >> 10, t_fmt_name(f->cfg.format), f->cfg.ias, f->cfg.oas,
		(unsigned long long)f->regs.ttbr, f->regs.sl0, f->regs.start_level, f->regs.concat,
		f->regs.tsz, f->w.err);
}

unsigned tfix_root_pages(const struct tfix *f)
{
	if (f->rv)
		return f->cfg.format == IOMM_FMT_RISCV_G ? 4u : 1u; /* x4: 16 KiB root */
	return f->x86 ? 1u : f->w.root_pages;
}

unsigned tfix_min_tables(const struct tfix *f)
{
	unsigned n = tfix_root_pages(f);
	if (!f->x86)
		return n;
	for (unsigned level = tfix_start_level(f); level < 4; level++)
		if (xw_level_size(level) > (1ull << f->cfg.ias))
			n++;
	return n;
}

static void twleaf_from_aw(struct twleaf *t, const struct aw_leaf *l, unsigned stage)
{
	t->iova = l->iova;
	t->oa = l->oa;
	t->size = l->size;
	t->level = l->level;
	t->contig = l->contig;
	t->prot = t_leaf_prot(l, stage);
}

static void twleaf_from_xw(struct twleaf *t, const struct xw_leaf *l, const struct tfix *f)
{
	t->iova = l->iova;
	t->oa = l->oa;
	t->size = l->size;
	t->level = l->level;
	t->contig = false;
	t->prot = t_xleaf_prot(l, f->stage, (f->cfg.flags & IOMM_PGT_SNOOP) != 0);
}

/* RISC-V levels count up from the pages (i); the library's down from a 5-level root. */
static void twleaf_from_rw(struct twleaf *t, const struct rw_leaf *l, const struct tfix *f)
{
	t->iova = l->iova;
	t->oa = l->oa;
	t->size = l->size;
	t->level = 4u - l->level;
	t->contig = false;
	t->prot = t_rleaf_prot(l, f->stage);
}

int tfix_translate(struct tfix *f, uint64_t va, struct twleaf *l)
{
	int rc;
	memset(l, 0, sizeof(*l));
	if (f->rv) {
		struct rw_leaf r;
		rc = rw_translate(&f->rw, va, &r);
		if (rc == RW_OK)
			twleaf_from_rw(l, &r, f);
	} else if (f->x86) {
		struct xw_leaf x;
		rc = xw_translate(&f->xw, va, &x);
		if (rc == XW_OK)
			twleaf_from_xw(l, &x, f);
	} else {
		struct aw_leaf a;
		rc = aw_translate(&f->w, va, &a);
		if (rc == AW_OK)
			twleaf_from_aw(l, &a, f->stage);
	}
	return rc;
}

int tfix_descend(struct tfix *f, uint64_t va, unsigned *level, bool *leaf)
{
	if (f->rv) {
		int rc = rw_descend(&f->rw, va, level, leaf);
		if (rc == RW_OK)
			*level = 4u - *level;
		return rc;
	}
	return f->x86 ? xw_descend(&f->xw, va, level, leaf) : aw_descend(&f->w, va, level, leaf);
}

struct rw_tables_arg {
	aw_table_fn fn;
	void *arg;
};

static int rw_tables_cb(void *arg, uint64_t pa, uint64_t bytes, unsigned level)
{
	struct rw_tables_arg *a = arg;
	return a->fn(a->arg, pa, bytes, 4u - level);
}

int tfix_walk_tables(struct tfix *f, aw_table_fn fn, void *arg)
{
	if (f->rv) {
		struct rw_tables_arg a = {fn, arg};
		return rw_walk(&f->rw, NULL, rw_tables_cb, &a);
	}
	return f->x86 ? xw_walk(&f->xw, NULL, fn, arg) : aw_walk(&f->w, NULL, fn, arg);
}

const char *tfix_err(const struct tfix *f)
{
	if (f->rv)
		return f->rw.err;
	return f->x86 ? f->xw.err : f->w.err;
}

uint64_t tfix_level_size(const struct tfix *f, unsigned level)
{
	return f->x86 ? xw_level_size(level) : aw_level_size(f->cfg.granule, level);
}

unsigned tfix_contig_entries(const struct tfix *f, unsigned level)
{
	return f->x86 ? 0u : aw_contig_entries(f->cfg.granule, level);
}

unsigned tfix_start_level(const struct tfix *f)
{
	if (f->rv)
		return 4u - (f->rw.cfg.levels - 1u);
	return f->x86 ? f->xw.start_level : f->w.start_level;
}

unsigned tfix_last_level(const struct tfix *f)
{
	return f->x86 ? 4u : 3u;
}

void tfix_fini(struct tfix *f)
{
	if (f->initialised)
		iomm_pgt_destroy(&f->pgt);
	f->initialised = false;
	tport_fini(&f->tp);
	free(f->mem);
	f->mem = NULL;
}

/* ---- leaf lists --------------------------------------------------------------------------- */

void tleaves_free(struct tleaves *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

void tleaves_push(struct tleaves *l, const struct tleaf *x)
{
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 256;
		struct tleaf *n = realloc(l->v, ncap * sizeof(*n));
		if (!n)
			abort();
		l->v = n;
		l->cap = ncap;
	}
	l->v[l->n++] = *x;
}

struct lib_walk_arg {
	struct tleaves *out;
	unsigned stage;
};

static int lib_walk_cb(void *arg, const struct iomm_mapping *m)
{
	struct lib_walk_arg *a = arg;
	struct tleaf x = {m->iova, m->pa, m->size, t_canon_prot(m->prot, a->stage), m->level,
			  m->contig};
	tleaves_push(a->out, &x);
	return 0;
}

int tleaves_from_lib(struct tleaves *out, const struct iomm_pgt *pgt, unsigned stage, uint64_t iova,
		     uint64_t size)
{
	struct lib_walk_arg a = {out, stage};
	return iomm_pgt_walk(pgt, iova, size, lib_walk_cb, &a);
}

struct aw_walk_arg {
	struct tleaves *out;
	unsigned stage;
};

static int aw_walk_cb(void *arg, const struct aw_leaf *l)
{
	struct aw_walk_arg *a = arg;
	struct tleaf x = {l->iova, l->oa, l->size, t_leaf_prot(l, a->stage), (uint8_t)l->level,
			  l->contig};
	tleaves_push(a->out, &x);
	return 0;
}

struct xw_walk_arg {
	struct tleaves *out;
	const struct tfix *f;
};

static int xw_walk_cb(void *arg, const struct xw_leaf *l)
{
	struct xw_walk_arg *a = arg;
	struct twleaf t;
	twleaf_from_xw(&t, l, a->f);
	struct tleaf x = {t.iova, t.oa, t.size, t.prot, (uint8_t)t.level, false};
	tleaves_push(a->out, &x);
	return 0;
}

struct rw_walk_arg {
	struct tleaves *out;
	const struct tfix *f;
};

static int rw_walk_cb(void *arg, const struct rw_leaf *l)
{
	struct rw_walk_arg *a = arg;
	struct twleaf t;
	twleaf_from_rw(&t, l, a->f);
	struct tleaf x = {t.iova, t.oa, t.size, t.prot, (uint8_t)t.level, false};
	tleaves_push(a->out, &x);
	return 0;
}

void tleaves_from_walker(struct tleaves *out, struct tfix *f)
{
	int rc;
	if (f->rv) {
		struct rw_walk_arg a = {out, f};
		rc = rw_walk(&f->rw, rw_walk_cb, NULL, &a);
	} else if (f->x86) {
		struct xw_walk_arg a = {out, f};
		rc = xw_walk(&f->xw, xw_walk_cb, NULL, &a);
	} else {
		struct aw_walk_arg a = {out, f->stage};
		rc = aw_walk(&f->w, aw_walk_cb, NULL, &a);
	}
	T_CHECK(rc == AW_OK, "independent walker: %s", tfix_err(f));
}

void tfix_validate(struct tfix *f)
{
	int rc = f->rv ? rw_walk(&f->rw, NULL, NULL, NULL)
		 : f->x86 ? xw_walk(&f->xw, NULL, NULL, NULL) : aw_walk(&f->w, NULL, NULL, NULL);
	T_CHECK(rc == AW_OK, "independent walker: %s", tfix_err(f));
}

uint64_t tfix_allowed_leaves(const struct tfix *f)
{
	if (f->rv) {
		/* a leaf at every level; none above the root's entries */
		uint64_t m = SZ_4K;
		for (unsigned level = tfix_start_level(f); level < 4; level++)
			m |= rw_level_size(4u - level);
		if (f->cfg.leaf_sizes)
			m &= f->cfg.leaf_sizes | SZ_4K;
		return m;
	}
	if (f->x86) {
		uint64_t m = SZ_4K;
		for (unsigned level = f->xw.start_level; level < 4; level++)
			if (xw_large_allowed(&f->xw.cfg, level))
				m |= xw_level_size(level);
		return m;
	}
	uint64_t m = t_arch_leaf_sizes(f->cfg.granule, f->cfg.oas);
	/* no leaf above the start level */
	for (unsigned level = 0; level < f->w.start_level; level++)
		m &= ~aw_level_size(f->cfg.granule, level);
	if (f->cfg.leaf_sizes)
		m &= f->cfg.leaf_sizes | f->cfg.granule;
	uint64_t l1_64k = aw_level_size(65536, 1);
	if (f->cfg.granule == 65536 && !(iomm_pgt_page_sizes(&f->pgt) & l1_64k))
		m &= ~l1_64k;
	return m;
}

static unsigned level_of_size(const struct tfix *f, uint64_t size)
{
	for (unsigned level = 0; level <= tfix_last_level(f); level++)
		if (tfix_level_size(f, level) == size)
			return level;
	return 99;
}

static void expect_leaves(struct tleaves *out, const struct tfix *f, uint64_t iova, uint64_t pa,
			  uint64_t size, uint32_t prot, bool fresh)
{
	struct tfix *fm = (struct tfix *)f;
	uint64_t allowed = tfix_allowed_leaves(f);
	bool contig_ok = !(f->cfg.flags & IOMM_PGT_NO_CONTIG) && f->cfg.inval_sync;
	uint64_t a = iova, p = pa, r = size;
	uint32_t cp = t_canon_prot(prot, f->stage);
	size_t first_new = out->n;
	while (r) {
		unsigned stop = 0;
		bool leaf = false;
		if (!fresh) {
			int rc = tfix_descend(fm, a, &stop, &leaf);
			T_CHECK(rc == AW_OK && !leaf, "t_expect_leaves: 0x%llx is not free (%d %s)",
				(unsigned long long)a, rc, rc == AW_BAD ? tfix_err(f) : "");
		}
		uint64_t s = 0;
		for (int b = 63; b >= 0; b--) {
			uint64_t c = 1ull << b;
			if (!(allowed & c) || (a & (c - 1)) || (p & (c - 1)) || c > r)
				continue;
			/* an existing (empty) table at that level is reused, unless the
			 * table can replace it by the leaf (inval_sync) */
			if (!f->cfg.inval_sync && level_of_size(f, c) < stop)
				continue;
			s = c;
			break;
		}
		T_CHECK(s != 0, "t_expect_leaves: no leaf for 0x%llx -> 0x%llx",
			(unsigned long long)a, (unsigned long long)p);
		unsigned level = level_of_size(f, s);
		struct tleaf x = {a, p, s, cp, (uint8_t)level, false};
		tleaves_push(out, &x);
		a += s;
		p += s;
		r -= s;
	}
	/* the hint goes on every complete aligned group of equal leaves inside the range */
	for (size_t i = first_new; contig_ok && !f->x86 && i < out->n; i++) {
		const struct aw_walker *w = &f->w;
		struct tleaf *x = &out->v[i];
		unsigned n = aw_contig_entries(f->cfg.granule, x->level);
		uint64_t entries = x->level == w->start_level ? 1ull << w->root_bits
							       : 1ull << w->stride;
		if (!n || n > entries)
			continue;
		uint64_t g = x->size * n;
		uint64_t gs = x->iova & ~(g - 1);
		if (gs < iova || gs + g - 1 > iova + size - 1 || ((pa - iova) & (g - 1)))
			continue;
		/* the group's first leaf is at most n entries back */
		size_t j = i;
		while (j > first_new && out->v[j].iova > gs)
			j--;
		bool all = out->v[j].iova == gs && j + n <= out->n;
		for (unsigned k = 0; all && k < n; k++)
			all = out->v[j + k].size == x->size && out->v[j + k].iova == gs + k * x->size;
		x->contig = all;
	}
}

void t_expect_leaves(struct tleaves *out, const struct tfix *f, uint64_t iova, uint64_t pa,
		     uint64_t size, uint32_t prot)
{
	expect_leaves(out, f, iova, pa, size, prot, false);
}

void t_fresh_leaves(struct tleaves *out, const struct tfix *f, uint64_t iova, uint64_t pa,
		    uint64_t size, uint32_t prot)
{
	expect_leaves(out, f, iova, pa, size, prot, true);
}

void tleaves_merge(struct tleaves *l)
{
	size_t o = 0;
	for (size_t i = 0; i < l->n; i++) {
		struct tleaf x = l->v[i];
		x.level = 0;
		x.contig = false;
		if (o && l->v[o - 1].iova + l->v[o - 1].size == x.iova &&
		    l->v[o - 1].pa + l->v[o - 1].size == x.pa && l->v[o - 1].prot == x.prot) {
			l->v[o - 1].size += x.size;
			continue;
		}
		l->v[o++] = x;
	}
	l->n = o;
}

static void print_leaf(const char *name, size_t i, const struct tleaves *l)
{
	if (i >= l->n) {
		fprintf(stderr, "    %s[%zu]: (none)\n", name, i);
		return;
	}
	const struct tleaf *x = &l->v[i];
	fprintf(stderr, "    %s[%zu]: iova 0x%llx pa 0x%llx size 0x%llx L%u%s %s\n", name, i,
		(unsigned long long)x->iova, (unsigned long long)x->pa, (unsigned long long)x->size,
		x->level, x->contig ? " contig" : "", t_prot_str(x->prot));
}

bool tleaves_equal(const struct tleaves *a, const struct tleaves *b, bool extents_only)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const struct tleaf *x = &a->v[i], *y = &b->v[i];
		if (x->iova != y->iova || x->pa != y->pa || x->size != y->size || x->prot != y->prot)
			return false;
		if (!extents_only && (x->level != y->level || x->contig != y->contig))
			return false;
	}
	return true;
}

void tleaves_expect_equal(const struct tleaves *a, const char *an, const struct tleaves *b,
			  const char *bn, bool extents_only)
{
	size_t n = a->n < b->n ? a->n : b->n;
	size_t i;
	for (i = 0; i < n; i++) {
		const struct tleaf *x = &a->v[i], *y = &b->v[i];
		if (x->iova != y->iova || x->pa != y->pa || x->size != y->size || x->prot != y->prot)
			break;
		if (!extents_only && (x->level != y->level || x->contig != y->contig))
			break;
	}
	if (i == n && a->n == b->n)
		return;
	fprintf(stderr, "leaf lists differ at index %zu (%s has %zu, %s has %zu):\n", i, an, a->n,
		bn, b->n);
	for (size_t k = i ? i - 1 : 0; k < i + 2; k++) {
		print_leaf(an, k, a);
		print_leaf(bn, k, b);
	}
	t_fail(__FILE__, __LINE__, "%s and %s disagree (first difference at index %zu)", an, bn, i);
}

bool t_gather_covers(const struct iomm_gather *g, uint64_t iova, uint64_t size)
{
	return g->end > g->start && g->start <= iova && g->end - 1 >= iova + size - 1;
}
