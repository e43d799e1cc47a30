/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hosted (POSIX) port of iommuman. See include/iommuman/port_posix.h.
 *
 * This file is hosted code: libc, pthreads and the heap are fine here. The
 * library calls these hooks; it never calls libc itself.
 */
#define _XOPEN_SOURCE 700 /* PTHREAD_MUTEX_RECURSIVE, clock_gettime */

#include <iommuman/port_posix.h>

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RELAXED __ATOMIC_RELAXED

static inline void count(uint64_t *counter, uint64_t n)
{
	__atomic_fetch_add(counter, n, RELAXED);
}

/* ---- MMIO ------------------------------------------------------------- */

static const struct iomm_posix_window *find_window(const struct iomm_posix *p, uintptr_t addr)
{
	for (unsigned i = 0; i < p->nwindows; i++) {
		const struct iomm_posix_window *w = &p->windows[i];
		if (addr >= w->base && addr - w->base < w->size)
			return w;
	}
	return NULL;
}

static void record(struct iomm_posix *p, uintptr_t addr, uint64_t value, unsigned width,
		   bool write, bool model)
{
	count(write ? &p->mmio_writes : &p->mmio_reads, 1);
	if (!__atomic_load_n(&p->trace_enabled, RELAXED))
		return;
	size_t i = __atomic_fetch_add(&p->trace_count, 1, RELAXED);
	if (p->trace != NULL && i < p->trace_cap) {
		struct iomm_posix_mmio_access *a = &p->trace[i];
		a->addr = addr;
		a->value = value;
		a->width = (uint8_t)width;
		a->write = write;
		a->model = model;
	}
}

static uint64_t mmio_read(struct iomm_posix *p, uintptr_t addr, unsigned width)
{
	const struct iomm_posix_window *w = find_window(p, addr);
	uint64_t v;

	if (w != NULL) {
		v = w->ops->read != NULL ? w->ops->read(w->ctx, (uint64_t)(addr - w->base), width) : 0;
		if (width == 4)
			v &= 0xffffffffu;
	} else if (width == 4) {
		v = *(const volatile uint32_t *)addr;
	} else {
		v = *(const volatile uint64_t *)addr;
	}
	record(p, addr, v, width, false, w != NULL);
	return v;
}

static void mmio_write(struct iomm_posix *p, uintptr_t addr, unsigned width, uint64_t v)
{
	const struct iomm_posix_window *w = find_window(p, addr);

	if (w != NULL) {
		if (w->ops->write != NULL)
			w->ops->write(w->ctx, (uint64_t)(addr - w->base), width, v);
	} else if (width == 4) {
		*(volatile uint32_t *)addr = (uint32_t)v;
	} else {
		*(volatile uint64_t *)addr = v;
	}
	record(p, addr, v, width, true, w != NULL);
}

static uint32_t hook_read32(void *ctx, uintptr_t addr)
{
	return (uint32_t)mmio_read(ctx, addr, 4);
}

static void hook_write32(void *ctx, uintptr_t addr, uint32_t val)
{
	mmio_write(ctx, addr, 4, val);
}

static uint64_t hook_read64(void *ctx, uintptr_t addr)
{
	return mmio_read(ctx, addr, 8);
}

static void hook_write64(void *ctx, uintptr_t addr, uint64_t val)
{
	mmio_write(ctx, addr, 8, val);
}

/* ---- ordering --------------------------------------------------------- */

static void hook_wmb(void *ctx)
{
	struct iomm_posix *p = ctx;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	count(&p->wmb_calls, 1);
}

static void hook_mb(void *ctx)
{
	struct iomm_posix *p = ctx;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	count(&p->mb_calls, 1);
}

/* ---- table memory ----------------------------------------------------- */

static void *hook_page_alloc(void *ctx, size_t size, size_t align, uint64_t *pa)
{
	struct iomm_posix *p = ctx;

	if (size == 0 || align == 0 || (align & (align - 1)) != 0)
		return NULL;
	/* Each call consumes one unit of the fault-injection budget. */
	int64_t left = __atomic_load_n(&p->alloc_fail_after, RELAXED);
	for (;;) {
		if (left == 0)
			return NULL;
		if (left < 0)
			break;
		if (__atomic_compare_exchange_n(&p->alloc_fail_after, &left, left - 1, false,
						RELAXED, RELAXED))
			break;
	}
	if (align < sizeof(void *))
		align = sizeof(void *);
	size_t rounded = (size + align - 1) & ~(align - 1);
	void *va = aligned_alloc(align, rounded);
	if (va == NULL)
		return NULL;
	/* The library must not rely on zeroed memory: make that visible. */
	memset(va, 0xa5, rounded);
	if (pa != NULL)
		*pa = (uint64_t)(uintptr_t)va;
	count(&p->page_allocs, 1);
	count(&p->bytes_out, size);
	return va;
}

static void hook_page_free(void *ctx, void *va, size_t size)
{
	struct iomm_posix *p = ctx;

	if (va == NULL)
		return;
	free(va);
	count(&p->page_frees, 1);
	__atomic_fetch_sub(&p->bytes_out, size, RELAXED);
}

static void *hook_phys_to_virt(void *ctx, uint64_t pa)
{
	(void)ctx;
	return (void *)(uintptr_t)pa;
}

static void hook_clean_tables(void *ctx, const void *va, size_t len)
{
	struct iomm_posix *p = ctx;
	uint64_t i = __atomic_fetch_add(&p->clean_calls, 1, RELAXED);

	count(&p->clean_bytes, len);
	if (p->clean_log != NULL && i < p->clean_log_cap) {
		p->clean_log[i].va = va;
		p->clean_log[i].len = len;
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* ---- locking ---------------------------------------------------------- */

static void hook_lock(void *ctx, void *obj)
{
	struct iomm_posix *p = ctx;

	(void)obj;
	pthread_mutex_lock(&p->lock);
	/* Only the holder touches the depth fields. */
	p->lock_depth++;
	if (p->lock_depth > p->lock_max_depth)
		p->lock_max_depth = p->lock_depth;
	p->lock_calls++;
}

static void hook_unlock(void *ctx, void *obj)
{
	struct iomm_posix *p = ctx;

	(void)obj;
	if (p->lock_depth == 0) {
		fprintf(stderr, "iommuman posix port: unlock without lock\n");
		abort();
	}
	p->lock_depth--;
	pthread_mutex_unlock(&p->lock);
}

/* ---- time ------------------------------------------------------------- */

static uint64_t hook_now_ns(void *ctx)
{
	struct iomm_posix *p = ctx;
	struct timespec ts;

	count(&p->now_calls, 1);
	if (__atomic_load_n(&p->fake_clock, RELAXED))
		return __atomic_fetch_add(&p->fake_now, __atomic_load_n(&p->fake_step, RELAXED),
					  RELAXED);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void hook_relax(void *ctx)
{
	struct iomm_posix *p = ctx;

	count(&p->relax_calls, 1);
	if (!__atomic_load_n(&p->fake_clock, RELAXED))
		sched_yield();
}

/* ---- logging ---------------------------------------------------------- */

static const char *const level_names[4] = {"ERROR", "WARN", "INFO", "DEBUG"};

static void hook_log(void *ctx, enum iomm_log_level level, const char *msg)
{
	struct iomm_posix *p = ctx;
	unsigned l = (unsigned)level;

	if (l > 3)
		l = 3;
	if (msg == NULL)
		msg = "(null)";
	count(&p->log_count[l], 1);
	pthread_mutex_lock(&p->log_lock);
	snprintf(p->log_last, sizeof(p->log_last), "%s", msg);
	if (p->log_print && level <= p->log_print_level)
		fprintf(stderr, "iommuman %s: %s\n", level_names[l], msg);
	pthread_mutex_unlock(&p->log_lock);
}

/* ---- public functions ------------------------------------------------- */

int iomm_posix_init(struct iomm_posix *p, uint32_t port_flags)
{
	pthread_mutexattr_t attr;

	if (p == NULL)
		return IOMM_EINVAL;
	memset(p, 0, sizeof(*p));

	if (pthread_mutexattr_init(&attr) != 0)
		return IOMM_ENOMEM;
	if (pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE) != 0 ||
	    pthread_mutex_init(&p->lock, &attr) != 0) {
		pthread_mutexattr_destroy(&attr);
		return IOMM_ENOMEM;
	}
	pthread_mutexattr_destroy(&attr);
	if (pthread_mutex_init(&p->log_lock, NULL) != 0) {
		pthread_mutex_destroy(&p->lock);
		return IOMM_ENOMEM;
	}

	p->port.ctx = p;
	p->port.flags = port_flags;
	p->port.read32 = hook_read32;
	p->port.write32 = hook_write32;
	p->port.read64 = hook_read64;
	p->port.write64 = hook_write64;
	p->port.wmb = hook_wmb;
	p->port.mb = hook_mb;
	p->port.page_alloc = hook_page_alloc;
	p->port.page_free = hook_page_free;
	p->port.phys_to_virt = hook_phys_to_virt;
	p->port.clean_tables = hook_clean_tables;
	p->port.lock = hook_lock;
	p->port.unlock = hook_unlock;
	p->port.now_ns = hook_now_ns;
	p->port.relax = hook_relax;
	p->port.log = hook_log;
	p->port.log_level = IOMM_LOG_WARN;

	p->alloc_fail_after = -1;
	p->log_print = true;
	p->log_print_level = IOMM_LOG_WARN;
	return IOMM_OK;
}

void iomm_posix_fini(struct iomm_posix *p)
{
	if (p == NULL)
		return;
	pthread_mutex_destroy(&p->log_lock);
	pthread_mutex_destroy(&p->lock);
	p->port.lock = NULL;
	p->port.unlock = NULL;
	p->port.log = NULL;
}

const struct iomm_port *iomm_posix_port(struct iomm_posix *p)
{
	return &p->port;
}

int iomm_posix_add_mmio_model(struct iomm_posix *p, uintptr_t base, size_t size,
			      const struct iomm_posix_mmio_ops *ops, void *ctx)
{
	if (p == NULL || ops == NULL || size == 0 || base + (size - 1) < base)
		return IOMM_EINVAL;
	for (unsigned i = 0; i < p->nwindows; i++) {
		const struct iomm_posix_window *w = &p->windows[i];
		if (base <= w->base + (w->size - 1) && w->base <= base + (size - 1))
			return IOMM_EINVAL;
	}
	if (p->nwindows >= IOMM_POSIX_MAX_WINDOWS)
		return IOMM_ENOSPC;
	struct iomm_posix_window *w = &p->windows[p->nwindows++];
	w->base = base;
	w->size = size;
	w->ops = ops;
	w->ctx = ctx;
	return IOMM_OK;
}

int iomm_posix_remove_mmio_model(struct iomm_posix *p, uintptr_t base)
{
	if (p == NULL)
		return IOMM_EINVAL;
	for (unsigned i = 0; i < p->nwindows; i++) {
		if (p->windows[i].base == base) {
			p->windows[i] = p->windows[p->nwindows - 1];
			p->nwindows--;
			return IOMM_OK;
		}
	}
	return IOMM_ENOENT;
}

void iomm_posix_trace_set_buffer(struct iomm_posix *p, struct iomm_posix_mmio_access *buf,
				 size_t cap)
{
	p->trace = buf;
	p->trace_cap = buf != NULL ? cap : 0;
	p->trace_count = 0;
}

void iomm_posix_trace_enable(struct iomm_posix *p, bool on)
{
	__atomic_store_n(&p->trace_enabled, on, __ATOMIC_SEQ_CST);
}

void iomm_posix_trace_clear(struct iomm_posix *p)
{
	__atomic_store_n(&p->trace_count, 0, __ATOMIC_SEQ_CST);
}

size_t iomm_posix_trace_count(const struct iomm_posix *p)
{
	return __atomic_load_n(&p->trace_count, __ATOMIC_SEQ_CST);
}

const struct iomm_posix_mmio_access *iomm_posix_trace_get(const struct iomm_posix *p, size_t i)
{
	if (p->trace == NULL || i >= p->trace_cap || i >= iomm_posix_trace_count(p))
		return NULL;
	return &p->trace[i];
}

void iomm_posix_set_mmio64(struct iomm_posix *p, bool on)
{
	p->port.read64 = on ? hook_read64 : NULL;
	p->port.write64 = on ? hook_write64 : NULL;
}

void iomm_posix_clean_set_log(struct iomm_posix *p, struct iomm_posix_range *buf, size_t cap)
{
	p->clean_log = buf;
	p->clean_log_cap = buf != NULL ? cap : 0;
	iomm_posix_clean_reset(p);
}

void iomm_posix_clean_reset(struct iomm_posix *p)
{
	__atomic_store_n(&p->clean_calls, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&p->clean_bytes, 0, __ATOMIC_SEQ_CST);
}

uint64_t iomm_posix_clean_calls(const struct iomm_posix *p)
{
	return __atomic_load_n(&p->clean_calls, __ATOMIC_SEQ_CST);
}

uint64_t iomm_posix_clean_bytes(const struct iomm_posix *p)
{
	return __atomic_load_n(&p->clean_bytes, __ATOMIC_SEQ_CST);
}

void iomm_posix_fail_alloc_after(struct iomm_posix *p, int64_t n)
{
	__atomic_store_n(&p->alloc_fail_after, n < 0 ? -1 : n, __ATOMIC_SEQ_CST);
}

void iomm_posix_set_locking(struct iomm_posix *p, bool on)
{
	p->port.lock = on ? hook_lock : NULL;
	p->port.unlock = on ? hook_unlock : NULL;
}

void iomm_posix_set_fake_clock(struct iomm_posix *p, bool on, uint64_t step_ns)
{
	__atomic_store_n(&p->fake_step, step_ns, __ATOMIC_SEQ_CST);
	__atomic_store_n(&p->fake_clock, on, __ATOMIC_SEQ_CST);
}

void iomm_posix_clock_advance(struct iomm_posix *p, uint64_t ns)
{
	__atomic_fetch_add(&p->fake_now, ns, __ATOMIC_SEQ_CST);
}

void iomm_posix_set_log(struct iomm_posix *p, enum iomm_log_level level, bool print)
{
	p->port.log_level = level;
	p->log_print_level = level;
	p->log_print = print;
}

uint64_t iomm_posix_log_count(const struct iomm_posix *p, enum iomm_log_level level)
{
	unsigned l = (unsigned)level;
	return __atomic_load_n(&p->log_count[l > 3 ? 3 : l], __ATOMIC_SEQ_CST);
}
