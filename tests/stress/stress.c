/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Multi-threaded stress test of the library on the POSIX port, built with
 * ThreadSanitizer (tests/stress/CMakeLists.txt, -DIOMM_TSAN=ON, label "tsan").
 *
 * Threads, all at once:
 *  - three writers map and unmap in disjoint regions of ONE page table (A,
 *    4K stage 1) through iomm_pgt_map / iomm_pgt_unmap, each against its own
 *    shadow of its region (exact results: status, unmapped bytes, lookups);
 *  - three writers on three more tables: B (16K stage 2, its own pool), and
 *    C (64K stage 1) and C2 (64K stage 2), which take their pages from ONE
 *    shared pool;
 *  - three writers on an SMMUv3 (the register-level model of tools/models):
 *    two on disjoint regions of a stage-1 domain, one on a stage-2 domain,
 *    through iomm_map / iomm_unmap; after each unmap the range must fault for
 *    the domain's device at once;
 *  - a reader that translates random addresses of A, B and both domains with
 *    iomm_pgt_iova_to_phys / iomm_pgt_lookup / iomm_iova_to_phys, without any
 *    lock, while the writers work: every answer must be "not mapped" or the
 *    one output address the test ever maps there (output = input + a fixed
 *    offset), never anything torn or stale from another place;
 *  - a DMA thread that sends transactions through the model (under the
 *    port's lock: the model is not thread-safe) and checks the same rule;
 *  - a fault poller that drains the event queue with iomm_fault_poll.
 * At the end every table must hold exactly the union of the shadows, and
 * after everything is unmapped, detached and destroyed every pool is empty.
 *
 * Environment: IOMM_TEST_SEED, IOMM_STRESS_ITERATIONS (operations per writer,
 * default 60000).
 */
#define _XOPEN_SOURCE 700

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <iommuman/iommuman.h>
#include <iommuman/port_posix.h>
#include <iommuman/smmuv3.h>

#include "smmuv3_model.h"

#define OFF UINT64_C(0x0000040000000000) /* output = input + OFF, everywhere */
#define REGS ((uintptr_t)0x10000000u)
#define SID_S1 1u
#define SID_S2 2u

static void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("stress: FAIL: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fail(__VA_ARGS__);                                                         \
	} while (0)

/* ---- random numbers ---------------------------------------------------------- */

static uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

/* A well-mixed, non-zero seed for stream @i of @seed (splitmix64). */
static uint64_t rng_seed(uint64_t seed, uint64_t i)
{
	uint64_t z = seed + (i + 1) * UINT64_C(0x9e3779b97f4a7c15);
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	z ^= z >> 31;
	return z ? z : 1;
}

static uint64_t rng_below(uint64_t *s, uint64_t n)
{
	return rng_next(s) % n;
}

/* ---- the world ------------------------------------------------------------------ */

struct table {
	const char *name;
	struct iomm_pgt pgt;
	struct iomm_pool *pool;
	uint64_t page;
	unsigned root_pages;
};

struct domain {
	const char *name;
	struct iomm_domain dom;
	struct iomm_pool pool;
	struct iomm_dev dev;
	uint32_t sid;
	uint64_t page;
};

/* One writer: a region of a table or of a domain, and its shadow (a bit per page). */
struct writer {
	pthread_t thread;
	const char *name;
	struct table *t;    /* or */
	struct domain *d;
	uint64_t base, size; /* the region */
	uint64_t page;
	uint8_t *mapped; /* one byte per page */
	uint64_t seed;
	unsigned long maps, unmaps, refused;
};

static struct iomm_posix px;
static struct smmuv3_model model;
static struct iomm_smmuv3 smmu;
static struct table tab_a, tab_b, tab_c, tab_c2;
static struct iomm_pool pool_a, pool_b, pool_bc;
static struct domain dom1, dom2;
static unsigned long iterations = 60000;
static int writers_left;    /* atomic */
static uint64_t dma_faults; /* faults the DMA thread saw (events the model recorded) */
static uint64_t polled, polled_lost, polls;

static void *zalloc(size_t size, size_t align)
{
	void *p = aligned_alloc(align, (size + align - 1) & ~(align - 1));
	CHECK(p != NULL, "out of memory");
	memset(p, 0, size);
	return p;
}

static void port_lock(void)
{
	px.port.lock(px.port.ctx, &model);
}

static void port_unlock(void)
{
	px.port.unlock(px.port.ctx, &model);
}

/* ---- the SMMUv3 model behind the port ---------------------------------------------- */

static uint64_t mmio_read(void *ctx, uint64_t offset, unsigned width)
{
	return smmuv3_model_read(ctx, offset, width);
}

static void mmio_write(void *ctx, uint64_t offset, unsigned width, uint64_t val)
{
	smmuv3_model_write(ctx, offset, val, width);
}

static const struct iomm_posix_mmio_ops mmio_ops = {.read = mmio_read, .write = mmio_write};

/* One transaction from @sid at @iova; the model is used under the port's lock. */
static int dma(uint32_t sid, uint64_t iova, unsigned acc, uint64_t *pa)
{
	port_lock();
	int rc = smmuv3_model_dma(&model, sid, 0, false, iova, acc, pa);
	if (rc == -0x10)
		dma_faults++;
	port_unlock();
	return rc;
}

/* ---- writers --------------------------------------------------------------------------- */

static uint64_t pages_mapped(const struct writer *w, uint64_t off, uint64_t n)
{
	uint64_t c = 0;
	for (uint64_t i = 0; i < n; i++)
		c += w->mapped[off + i];
	return c;
}

static int do_map(struct writer *w, uint64_t iova, uint64_t size)
{
	uint32_t prot = IOMM_READ | IOMM_WRITE;
	if (w->t)
		return iomm_pgt_map(&w->t->pgt, iova, iova + OFF, size, prot);
	return iomm_map(&w->d->dom, iova, iova + OFF, size, prot);
}

static int do_unmap(struct writer *w, uint64_t iova, uint64_t size, uint64_t *unmapped)
{
	if (w->t) {
		struct iomm_gather g;
		iomm_gather_init(&g);
		int rc = iomm_pgt_unmap(&w->t->pgt, iova, size, &g, unmapped);
		/* standalone tables: no hardware to invalidate */
		iomm_pgt_gather_release(&g);
		return rc;
	}
	return iomm_unmap(&w->d->dom, iova, size, unmapped);
}

static int xlate(const struct writer *w, uint64_t iova, uint64_t *pa)
{
	if (w->t)
		return iomm_pgt_iova_to_phys(&w->t->pgt, iova, pa);
	return iomm_iova_to_phys(&w->d->dom, iova, pa);
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	uint64_t P = w->page, npages = w->size / P;
	uint64_t block = P == 4096 ? UINT64_C(0x200000) : P == 16384 ? UINT64_C(0x2000000) : UINT64_C(0x20000000);
	for (unsigned long it = 0; it < iterations; it++) {
		unsigned kind = (unsigned)rng_below(&w->seed, 10);
		uint64_t off, n;
		if (kind < 5) {
			/* map: a few pages, or a block when the region has room for one */
			if (kind == 0 && w->size >= 2 * block) {
				off = rng_below(&w->seed, w->size / block) * (block / P);
				n = block / P;
			} else {
				n = 1 + rng_below(&w->seed, 16);
				off = rng_below(&w->seed, npages - n + 1);
			}
			uint64_t iova = w->base + off * P;
			bool busy = pages_mapped(w, off, n) != 0;
			int rc = do_map(w, iova, n * P);
			if (busy) {
				CHECK(rc == IOMM_EEXIST, "%s: map over a mapping: %d", w->name, rc);
				w->refused++;
				continue;
			}
			CHECK(rc == IOMM_OK, "%s: map 0x%" PRIx64 " +0x%" PRIx64 ": %d", w->name, iova, n * P,
			      rc);
			memset(w->mapped + off, 1, n);
			w->maps++;
			uint64_t pa = 0;
			CHECK(xlate(w, iova + n * P - 1, &pa) == IOMM_OK && pa == iova + n * P - 1 + OFF,
			      "%s: a fresh mapping does not translate", w->name);
		} else {
			/* unmap any range: holes, partial blocks */
			n = 1 + rng_below(&w->seed, kind == 9 ? npages / 4 : 24);
			off = rng_below(&w->seed, npages - n + 1);
			uint64_t iova = w->base + off * P, unmapped = 0;
			uint64_t want = pages_mapped(w, off, n) * P;
			int rc = do_unmap(w, iova, n * P, &unmapped);
			CHECK(rc == IOMM_OK && unmapped == want,
			      "%s: unmap 0x%" PRIx64 " +0x%" PRIx64 ": %d, 0x%" PRIx64 " bytes, expected 0x%" PRIx64,
			      w->name, iova, n * P, rc, unmapped, want);
			memset(w->mapped + off, 0, n);
			w->unmaps++;
			uint64_t pa;
			CHECK(xlate(w, iova, &pa) == IOMM_ENOENT, "%s: unmapped page translates", w->name);
			if (w->d && want) {
				/* gone for the device at once: the invalidation completed */
				int drc = dma(w->d->sid, iova, SMMUV3_MODEL_ACC_R, &pa);
				CHECK(drc != 0, "%s: DMA at 0x%" PRIx64 " still translates after unmap", w->name,
				      iova);
			}
		}
	}
	__atomic_fetch_sub(&writers_left, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* ---- the reader, the DMA thread, the fault poller --------------------------------------- */

static struct writer *all_writers[16];
static unsigned nwriters;

static void *reader_main(void *arg)
{
	uint64_t seed = (uint64_t)(uintptr_t)arg | 1;
	unsigned long n = 0, hits = 0;
	while (__atomic_load_n(&writers_left, __ATOMIC_SEQ_CST) > 0 || n < 1000) {
		const struct writer *w = all_writers[rng_below(&seed, nwriters)];
		uint64_t iova = w->base + rng_below(&seed, w->size);
		uint64_t pa = 0;
		int rc = xlate(w, iova, &pa);
		CHECK(rc == IOMM_ENOENT || (rc == IOMM_OK && pa == iova + OFF),
		      "reader: %s 0x%" PRIx64 " -> %d 0x%" PRIx64 " (expected nothing or 0x%" PRIx64 ")",
		      w->name, iova, rc, pa, iova + OFF);
		if (w->t) {
			struct iomm_mapping m;
			rc = iomm_pgt_lookup(&w->t->pgt, iova, &m);
			CHECK(rc == IOMM_ENOENT ||
				      (rc == IOMM_OK && m.iova <= iova && iova - m.iova < m.size &&
				       m.pa == m.iova + OFF),
			      "reader: lookup %s 0x%" PRIx64 ": %d leaf 0x%" PRIx64 " -> 0x%" PRIx64, w->name,
			      iova, rc, m.iova, m.pa);
		}
		hits += rc == IOMM_OK;
		n++;
	}
	printf("reader: %lu lookups, %lu translated\n", n, hits);
	return NULL;
}

static void *dma_main(void *arg)
{
	uint64_t seed = (uint64_t)(uintptr_t)arg | 1;
	unsigned long n = 0, ok = 0;
	while (__atomic_load_n(&writers_left, __ATOMIC_SEQ_CST) > 0 || n < 1000) {
		const struct writer *w = all_writers[rng_below(&seed, nwriters)];
		if (!w->d) {
			n++;
			continue;
		}
		uint64_t iova = w->base + rng_below(&seed, w->size), pa = 0;
		int rc = dma(w->d->sid, iova, rng_below(&seed, 2) ? SMMUV3_MODEL_ACC_W : SMMUV3_MODEL_ACC_R,
			     &pa);
		CHECK(rc == -0x10 || (rc == 0 && pa == iova + OFF),
		      "dma: %s sid %u 0x%" PRIx64 " -> %d 0x%" PRIx64, w->name, w->d->sid, iova, rc, pa);
		ok += rc == 0;
		n++;
	}
	printf("dma: %lu transactions, %lu translated\n", n, ok);
	return NULL;
}

static void on_fault(void *arg, const struct iomm_fault *f)
{
	(void)arg;
	if (f->raw == 0 && f->lost) {
		polled_lost += f->lost;
		return;
	}
	CHECK(f->reason == IOMM_FAULT_TRANSLATION && (f->sid == SID_S1 || f->sid == SID_S2),
	      "fault: reason %d sid %u", (int)f->reason, f->sid);
	polled++;
	polled_lost += f->lost;
}

static void *poller_main(void *arg)
{
	(void)arg;
	while (__atomic_load_n(&writers_left, __ATOMIC_SEQ_CST) > 0) {
		int rc = iomm_fault_poll(&smmu.unit, on_fault, NULL);
		CHECK(rc >= 0, "fault poll: %d", rc);
		polls++;
		struct timespec ts = {0, 200000};
		nanosleep(&ts, NULL);
	}
	return NULL;
}

/* ---- setup and final checks ---------------------------------------------------------------- */

static void table_init(struct table *t, const char *name, struct iomm_pool *pool,
		       enum iomm_pgt_format fmt, uint32_t granule, uint8_t ias)
{
	struct iomm_pgt_cfg c;
	memset(&c, 0, sizeof(c));
	c.format = fmt;
	c.granule = granule;
	c.ias = ias;
	c.oas = 48;
	c.flags = 0; /* the port is coherent */
	t->name = name;
	t->pool = pool;
	t->page = granule;
	CHECK(iomm_pgt_init(&t->pgt, &c, pool, iomm_posix_port(&px)) == IOMM_OK, "init %s", name);
	struct iomm_lpae_regs r;
	iomm_pgt_lpae_regs(&t->pgt, &r);
	t->root_pages = r.concat;
}

static struct iomm_pool *region_pool(struct iomm_pool *p, size_t page, size_t npages)
{
	size_t bytes = (npages + 1) * page;
	void *mem = zalloc(bytes, page);
	CHECK(iomm_pool_init(p, iomm_posix_port(&px), mem, bytes, (uint64_t)(uintptr_t)mem, page) ==
		      IOMM_OK,
	      "pool init");
	return p;
}

static void smmu_init(void)
{
	struct smmuv3_model_cfg mc;
	smmuv3_model_cfg_default(&mc);
	CHECK(smmuv3_model_init(&model, &mc) == 0, "model init");
	CHECK(iomm_posix_add_mmio_model(&px, REGS, SMMUV3_M_MMIO_SIZE, &mmio_ops, &model) == IOMM_OK,
	      "mmio window");
	struct iomm_smmuv3_mem mem;
	memset(&mem, 0, sizeof(mem));
	mem.strtab_size = 64u << 8;
	mem.strtab = zalloc(mem.strtab_size, mem.strtab_size);
	mem.strtab_pa = (uint64_t)(uintptr_t)mem.strtab;
	mem.cmdq_size = 16u * 256u;
	mem.cmdq = zalloc(mem.cmdq_size, mem.cmdq_size);
	mem.cmdq_pa = (uint64_t)(uintptr_t)mem.cmdq;
	mem.evtq_size = 32u * 64u;
	mem.evtq = zalloc(mem.evtq_size, mem.evtq_size);
	mem.evtq_pa = (uint64_t)(uintptr_t)mem.evtq;
	struct iomm_smmuv3_cfg cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.sid_bits = 8;
	CHECK(iomm_smmuv3_init(&smmu, iomm_posix_port(&px), REGS, &mem, NULL, &cfg) == IOMM_OK,
	      "smmuv3 init");
}

static void domain_init(struct domain *d, const char *name, enum iomm_domain_type type,
			uint32_t sid)
{
	struct iomm_domain_cfg c;
	memset(&c, 0, sizeof(c));
	c.type = type;
	c.granule = 4096;
	c.pool = region_pool(&d->pool, 4096, 1024);
	d->name = name;
	d->sid = sid;
	d->page = 4096;
	CHECK(iomm_domain_init(&d->dom, &smmu.unit, &c) == IOMM_OK, "domain %s", name);
	struct iomm_devid id = IOMM_SID(sid);
	CHECK(iomm_dev_init(&d->dev, &smmu.unit, &id) == IOMM_OK, "dev init");
	CHECK(iomm_attach(&d->dom, &d->dev) == IOMM_OK, "attach %s", name);
}

static struct writer *add_writer(struct writer *w, const char *name, struct table *t,
				 struct domain *d, uint64_t base, uint64_t size, uint64_t seed)
{
	memset(w, 0, sizeof(*w));
	w->name = name;
	w->t = t;
	w->d = d;
	w->base = base;
	w->size = size;
	w->page = t ? t->page : d->page;
	w->mapped = zalloc(size / w->page, 8);
	w->seed = seed;
	CHECK(nwriters < sizeof(all_writers) / sizeof(all_writers[0]), "too many writers");
	all_writers[nwriters++] = w;
	return w;
}

struct check_arg {
	const struct writer *w;
	uint64_t bytes;
};

static int check_leaf(void *arg, const struct iomm_mapping *m)
{
	struct check_arg *c = arg;
	const struct writer *w = c->w;
	CHECK(m->pa == m->iova + OFF, "%s: leaf 0x%" PRIx64 " -> 0x%" PRIx64, w->name, m->iova, m->pa);
	for (uint64_t a = m->iova; a < m->iova + m->size; a += w->page)
		CHECK(a >= w->base && a < w->base + w->size && w->mapped[(a - w->base) / w->page],
		      "%s: 0x%" PRIx64 " is mapped, the shadow says not", w->name, a);
	c->bytes += m->size;
	return 0;
}

static void final_check(const struct writer *w)
{
	struct check_arg c = {w, 0};
	const struct iomm_pgt *pgt = w->t ? &w->t->pgt : &w->d->dom.pgt;
	CHECK(iomm_pgt_walk(pgt, w->base, w->size, check_leaf, &c) == IOMM_OK, "walk");
	uint64_t want = pages_mapped(w, 0, w->size / w->page) * w->page;
	CHECK(c.bytes == want, "%s: 0x%" PRIx64 " bytes mapped, the shadow has 0x%" PRIx64, w->name,
	      c.bytes, want);
	printf("%s: %lu maps, %lu refused, %lu unmaps; 0x%" PRIx64 " bytes mapped at the end\n",
	       w->name, w->maps, w->refused, w->unmaps, c.bytes);
}

int main(void)
{
	uint64_t seed = (uint64_t)time(NULL);
	const char *e = getenv("IOMM_TEST_SEED");
	if (e)
		seed = strtoull(e, NULL, 0);
	e = getenv("IOMM_STRESS_ITERATIONS");
	if (e)
		iterations = strtoul(e, NULL, 0);
	printf("stress: seed %" PRIu64 " (IOMM_TEST_SEED), %lu operations per writer\n", seed,
	       iterations);

	CHECK(iomm_posix_init(&px, IOMM_PORT_DMA_COHERENT) == IOMM_OK, "port init");
	iomm_posix_set_log(&px, IOMM_LOG_WARN, true);

	/* A: one table, three writers */
	region_pool(&pool_a, 4096, 4096);
	table_init(&tab_a, "A", &pool_a, IOMM_FMT_ARM_LPAE_S1, 4096, 48);
	/* B: its own pool; C and C2: two tables, one pool */
	region_pool(&pool_b, 16384, 512);
	table_init(&tab_b, "B", &pool_b, IOMM_FMT_ARM_LPAE_S2, 16384, 40);
	region_pool(&pool_bc, 65536, 512);
	table_init(&tab_c, "C", &pool_bc, IOMM_FMT_ARM_LPAE_S1, 65536, 42);
	table_init(&tab_c2, "C2", &pool_bc, IOMM_FMT_ARM_LPAE_S2, 65536, 40);

	smmu_init();
	domain_init(&dom1, "D1", IOMM_DOMAIN_S1, SID_S1);
	domain_init(&dom2, "D2", IOMM_DOMAIN_S2, SID_S2);

	static struct writer w[9];
	const uint64_t G = UINT64_C(1) << 30;
	add_writer(&w[0], "A.0", &tab_a, NULL, 1 * G, 8u << 20, rng_seed(seed, 1));
	add_writer(&w[1], "A.1", &tab_a, NULL, 1 * G + (8u << 20), 8u << 20, rng_seed(seed, 2));
	add_writer(&w[2], "A.2", &tab_a, NULL, 5 * G, 4u << 20, rng_seed(seed, 3));
	add_writer(&w[3], "B", &tab_b, NULL, 2 * G, 128u << 20, rng_seed(seed, 4));
	add_writer(&w[4], "C", &tab_c, NULL, 3 * G, 2 * G, rng_seed(seed, 5));
	add_writer(&w[5], "C2", &tab_c2, NULL, 3 * G, 2 * G, rng_seed(seed, 6));
	add_writer(&w[6], "D1.0", NULL, &dom1, 1 * G, 4u << 20, rng_seed(seed, 7));
	add_writer(&w[7], "D1.1", NULL, &dom1, 1 * G + (4u << 20), 4u << 20, rng_seed(seed, 8));
	add_writer(&w[8], "D2", NULL, &dom2, 2 * G, 8u << 20, rng_seed(seed, 9));

	writers_left = (int)nwriters;
	pthread_t reader, dmat, poller;
	for (unsigned i = 0; i < nwriters; i++)
		CHECK(pthread_create(&w[i].thread, NULL, writer_main, &w[i]) == 0, "thread");
	CHECK(pthread_create(&reader, NULL, reader_main, (void *)(uintptr_t)rng_seed(seed, 10)) == 0,
	      "thread");
	CHECK(pthread_create(&dmat, NULL, dma_main, (void *)(uintptr_t)rng_seed(seed, 11)) == 0,
	      "thread");
	CHECK(pthread_create(&poller, NULL, poller_main, NULL) == 0, "thread");
	for (unsigned i = 0; i < nwriters; i++)
		pthread_join(w[i].thread, NULL);
	pthread_join(reader, NULL);
	pthread_join(dmat, NULL);
	pthread_join(poller, NULL);

	/* final state: every table holds exactly what its writers' shadows say */
	for (unsigned i = 0; i < nwriters; i++)
		final_check(&w[i]);
	int rc = iomm_fault_poll(&smmu.unit, on_fault, NULL);
	CHECK(rc >= 0, "final fault poll: %d", rc);
	printf("faults: %" PRIu64 " delivered (%" PRIu64 " polls), %" PRIu64 " lost; the model wrote %" PRIu64
	       ", dropped %" PRIu64 "; the DMA saw %" PRIu64 " translation faults\n",
	       polled, polls, polled_lost, model.stats.events_written, model.stats.events_overflowed,
	       dma_faults);
	CHECK(polled == model.stats.events_written, "faults delivered %" PRIu64 " != written %" PRIu64,
	      polled, model.stats.events_written);
	CHECK((polled_lost != 0) == (model.stats.events_overflowed != 0), "lost records not reported");

	/* unmap everything, tear down: every pool empty again */
	for (unsigned i = 0; i < nwriters; i++) {
		uint64_t unmapped = 0;
		CHECK(do_unmap(&w[i], w[i].base, w[i].size, &unmapped) == IOMM_OK, "final unmap");
	}
	struct table *tabs[4] = {&tab_a, &tab_b, &tab_c, &tab_c2};
	for (unsigned i = 0; i < 4; i++)
		iomm_pgt_destroy(&tabs[i]->pgt);
	CHECK(iomm_pool_used(&pool_a) == 0 && iomm_pool_used(&pool_b) == 0 &&
		      iomm_pool_used(&pool_bc) == 0,
	      "table pages leaked: A %zu, B %zu, C %zu", iomm_pool_used(&pool_a), iomm_pool_used(&pool_b),
	      iomm_pool_used(&pool_bc));
	struct domain *doms[2] = {&dom1, &dom2};
	for (unsigned i = 0; i < 2; i++) {
		CHECK(iomm_detach(&doms[i]->dev) == IOMM_OK, "detach");
		CHECK(iomm_domain_destroy(&doms[i]->dom) == IOMM_OK, "destroy");
		CHECK(iomm_pool_used(&doms[i]->pool) == 0, "domain %s leaked %zu pages", doms[i]->name,
		      iomm_pool_used(&doms[i]->pool));
	}
	CHECK(iomm_smmuv3_disable(&smmu) == IOMM_OK, "disable");
	CHECK(px.lock_depth == 0, "port lock still held");
	CHECK(model.stats.cmd_errors == 0 && smmu.stats.cmd_errors == 0, "command errors");
	CHECK(iomm_posix_log_count(&px, IOMM_LOG_ERROR) == 0, "errors logged");
	printf("stress: passed\n");
	smmuv3_model_fini(&model);
	iomm_posix_fini(&px);
	return 0;
}
