/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Misuse suite, part 5: the virtio-mmio path's hardware-facing failures,
 * both sides. The host's virtio-mmio front (vmmio.h) of VM A's device model
 * on the SMMUv3 register model (tests/roles fixture) gets a guest that
 * writes its rings by hand into a guest-memory model the front reaches only
 * through copy hooks refusing anything outside A; the guest's transport
 * (iomm_viommu_mmio_init) reaches the front through a trap shim that can
 * make the register window lie (MagicValue, Version, a Status that never
 * reads back 0 or drops FEATURES_OK, a QueueNumMax too small for the
 * paravirtual backend on top).
 *
 * Each case starts from a fresh VM with the front reset and both queues
 * ready, endpoint 8 in guest domain 1 with one mapping, and one fault
 * record waiting for the event queue. It makes one call, the runner checks
 * the documented code and, for EINVAL/ERANGE/ENOTSUP, the DEBUG line, and
 * the post-check what the failure leaves: the VM's tables, the model's
 * translations and the VM's books (tests/roles fingerprint) unchanged,
 * nothing used or written in guest memory, the record still waiting.
 *
 * The case table has the form scripts/check-error-paths.sh reads:
 * C(name) { ...; return iomm_fn(...); } and K(name, code, debug, post-check).
 */
#include "roles_fx.h"

#include <iommuman/paravirt.h>
#include <iommuman/vmmio.h>

/* Guest memory: R0 and R1 of A (guest-physical 0 .. 3 MiB). */
#define RAM_END 0x300000u
#define WIN ((uintptr_t)0x0a000000u)
#define QMEM_GPA 0x10000u
#define OUTSIDE 0x40000000u /* not in A */

#define QN 8u
#define DESC0 0x20000u
#define AVAIL0 0x20100u
#define USED0 0x20200u
#define DESC1 0x21000u
#define AVAIL1 0x21100u
#define USED1 0x21200u
#define BUF 0x30000u
#define EVBUF 0x31000u

#define D_NEXT 1u
#define D_WRITE 2u
#define D_INDIRECT 4u

struct world {
	struct rfx *r;
	uint8_t *gmem;
	struct iomm_vmmio_front front;
	struct iomm_vmmio_front_cfg fcfg;
	/* the guest's side of the trap shim */
	struct iomm_port gport;
	struct iomm_viommu_mmio mm;
	const struct iomm_viommu_transport *t;
	uint32_t magic_override, version_override;
	bool stuck;           /* Status never reads back 0 */
	bool fok_dropped;     /* Status reads back without FEATURES_OK */
	bool queue_small;     /* QueueNumMax reads 2 */
	struct iomm_paravirt pv;
	unsigned writes;      /* guest register writes */
	unsigned other_writes; /* of them, anything but Status = 0 */
	uint64_t now;
	uint64_t glog_debug;  /* DEBUG lines the guest's port received */
	char glog_last[256];
	/* fingerprint of VM A before the call */
	uint64_t fp;
};

static struct world *W;

/* ---- the hypervisor's copy hooks: A's RAM only ---- */
static uint8_t *in_a(struct world *w, uint64_t gpa, size_t len)
{
	if (gpa + len < gpa || gpa + len > RAM_END)
		return NULL;
	return w->gmem + gpa;
}

static int g_read(void *ctx, uint64_t gpa, void *buf, size_t len)
{
	uint8_t *p = in_a(ctx, gpa, len);
	if (!p)
		return IOMM_EFAULT;
	memcpy(buf, p, len);
	return IOMM_OK;
}

static int g_write(void *ctx, uint64_t gpa, const void *buf, size_t len)
{
	uint8_t *p = in_a(ctx, gpa, len);
	if (!p)
		return IOMM_EFAULT;
	memcpy(p, buf, len);
	return IOMM_OK;
}

/* ---- the trap shim ---- */
static uint32_t shim_read32(void *ctx, uintptr_t addr)
{
	struct world *w = ctx;
	uint32_t v = 0, off = (uint32_t)(addr - WIN);
	(void)iomm_vmmio_front_access(&w->front, off, 4, false, &v);
	if (off == 0x000 && w->magic_override)
		v = w->magic_override;
	if (off == 0x004 && w->version_override)
		v = w->version_override;
	if (off == 0x070 && w->stuck)
		v = 1;
	if (off == 0x070 && w->fok_dropped)
		v &= ~8u;
	if (off == 0x034 && w->queue_small)
		v = 2;
	return v;
}

static void shim_write32(void *ctx, uintptr_t addr, uint32_t val)
{
	struct world *w = ctx;
	uint32_t off = (uint32_t)(addr - WIN);
	w->writes++;
	w->other_writes += !(off == 0x070 && val == 0);
	(void)iomm_vmmio_front_access(&w->front, off, 4, true, &val);
}

static uint64_t shim_now(void *ctx)
{
	struct world *w = ctx;
	return w->now += 1000;
}

static void shim_log(void *ctx, enum iomm_log_level level, const char *msg)
{
	struct world *w = ctx;
	if (level == IOMM_LOG_DEBUG) {
		w->glog_debug++;
		snprintf(w->glog_last, sizeof(w->glog_last), "%s", msg);
	}
}

/* ---- register and ring accessors ---- */
static int acc_w(struct world *w, uint32_t off, uint32_t v)
{
	return iomm_vmmio_front_access(&w->front, off, 4, true, &v);
}

static uint32_t acc_r(struct world *w, uint32_t off)
{
	uint32_t v = 0xdeadbeef;
	assert_int_equal(iomm_vmmio_front_access(&w->front, off, 4, false, &v), IOMM_OK);
	return v;
}

static void queue_regs(struct world *w, uint32_t q, uint64_t desc, uint64_t avail, uint64_t used)
{
	assert_int_equal(acc_w(w, 0x030, q), IOMM_OK);
	assert_int_equal(acc_w(w, 0x038, QN), IOMM_OK);
	assert_int_equal(acc_w(w, 0x080, (uint32_t)desc), IOMM_OK);
	assert_int_equal(acc_w(w, 0x084, 0), IOMM_OK);
	assert_int_equal(acc_w(w, 0x090, (uint32_t)avail), IOMM_OK);
	assert_int_equal(acc_w(w, 0x094, 0), IOMM_OK);
	assert_int_equal(acc_w(w, 0x0a0, (uint32_t)used), IOMM_OK);
	assert_int_equal(acc_w(w, 0x0a4, 0), IOMM_OK);
	assert_int_equal(acc_w(w, 0x044, 1), IOMM_OK);
}

static void put16(struct world *w, uint64_t gpa, uint16_t v)
{
	w->gmem[gpa] = (uint8_t)v;
	w->gmem[gpa + 1] = (uint8_t)(v >> 8);
}

static uint16_t get16(const struct world *w, uint64_t gpa)
{
	return (uint16_t)(w->gmem[gpa] | w->gmem[gpa + 1] << 8);
}

/* Split virtqueue descriptor (virtio 1.2, 2.7.5). */
static void desc(struct world *w, uint64_t table, uint16_t i, uint64_t addr, uint32_t len,
		 uint16_t flags, uint16_t next)
{
	uint8_t *d = w->gmem + table + 16u * i;
	iomm_put_le64(d, addr);
	iomm_put_le32(d + 8, len);
	d[12] = (uint8_t)flags;
	d[13] = (uint8_t)(flags >> 8);
	d[14] = (uint8_t)next;
	d[15] = (uint8_t)(next >> 8);
}

/* One more available entry (2.7.6) on the ring at @avail. */
static void offer(struct world *w, uint64_t avail, uint16_t head)
{
	uint16_t idx = get16(w, avail + 2);
	put16(w, avail + 4 + 2u * (idx % QN), head);
	put16(w, avail + 2, (uint16_t)(idx + 1));
}

/* Reset, negotiate what is offered, both queues ready, DRIVER_OK. */
static void front_ready(struct world *w)
{
	assert_int_equal(acc_w(w, 0x070, 0), IOMM_OK);
	assert_int_equal(acc_w(w, 0x070, 1), IOMM_OK);
	assert_int_equal(acc_w(w, 0x070, 3), IOMM_OK);
	for (uint32_t sel = 0; sel < 2; sel++) {
		assert_int_equal(acc_w(w, 0x014, sel), IOMM_OK);
		uint32_t f = acc_r(w, 0x010);
		assert_int_equal(acc_w(w, 0x024, sel), IOMM_OK);
		assert_int_equal(acc_w(w, 0x020, f), IOMM_OK);
	}
	assert_int_equal(acc_w(w, 0x070, 0xb), IOMM_OK);
	queue_regs(w, 0, DESC0, AVAIL0, USED0);
	queue_regs(w, 1, DESC1, AVAIL1, USED1);
	assert_int_equal(acc_w(w, 0x070, 0xf), IOMM_OK);
}

static void route(void *arg, const struct iomm_fault *f)
{
	struct world *w = arg;
	(void)iomm_vm_fault_route(&w->r->a.vm, U(w->r), f);
}

static void build(struct world *w)
{
	struct rfx *r = w->r;
	vm_up(r);
	iomm_posix_set_log(&r->f->px, IOMM_LOG_DEBUG, false);
	w->fcfg = (struct iomm_vmmio_front_cfg){
	    .vm = &r->a.vm, .ctx = w, .guest_read = g_read, .guest_write = g_write};
	assert_int_equal(iomm_vmmio_front_init(&w->front, &w->fcfg), IOMM_OK);
	w->gport = (struct iomm_port){.ctx = w,
				      .read32 = shim_read32,
				      .write32 = shim_write32,
				      .now_ns = shim_now,
				      .log = shim_log,
				      .log_level = IOMM_LOG_DEBUG};
	front_ready(w);
	assert_int_equal(attach(&r->a.vm, 1, 8, 0), IOMM_VIOMMU_S_OK);
	assert_int_equal(map(&r->a.vm, 1, 0x400000, 0x400fff, 0x1000, RW), IOMM_VIOMMU_S_OK);
	/* a DMA of endpoint 8 outside its mapping: one fault record for the guest */
	(void)fx_poll(r->f);
	assert_true(fx_dma(r->f, 8, 0x300010, RD, NULL) < 0);
	assert_true(iomm_fault_poll(U(r), route, w) >= 1);
	assert_int_equal(r->a.vm.ev_count, 1);
	w->gmem[BUF + 0x100] = 0xee;
	w->gmem[EVBUF] = 0xee;
	w->fp = fingerprint(r, &r->a);
}

static struct iomm_viommu_mmio_cfg guest_cfg(struct world *w)
{
	return (struct iomm_viommu_mmio_cfg){.base = WIN,
					     .mem = w->gmem + QMEM_GPA,
					     .mem_pa = QMEM_GPA,
					     .mem_size = iomm_viommu_mmio_mem_size(8),
					     .event_slots = 8,
					     .timeout_ns = 1000000};
}

/* clang-format off */
#define C(n) static int n(struct world *w)
/* the front: register file */
C(front_ro) { uint32_t v = 1; return iomm_vmmio_front_access(&w->front, 0x000, 4, true, &v); }
C(front_range) { uint32_t v = 0; return iomm_vmmio_front_access(&w->front, 0x200, 4, false, &v); }
/* the front: a request chain whose readable buffer lies outside A */
C(front_notify_fault) { desc(w, DESC0, 0, OUTSIDE, 40, D_NEXT, 1); desc(w, DESC0, 1, BUF + 0x100, 4, D_WRITE, 0); offer(w, AVAIL0, 0); uint32_t q = 0; return iomm_vmmio_front_access(&w->front, 0x050, 4, true, &q); }
/* the front: an indirect descriptor (VIRTIO_F_INDIRECT_DESC not offered) */
C(front_notify_indirect) { desc(w, BUF + 0x200, 0, BUF, 40, D_NEXT, 1); desc(w, BUF + 0x200, 1, BUF + 0x100, 4, D_WRITE, 0); desc(w, DESC0, 0, BUF + 0x200, 32, D_INDIRECT, 0); offer(w, AVAIL0, 0); uint32_t q = 0; return iomm_vmmio_front_access(&w->front, 0x050, 4, true, &q); }
/* the front: the event buffer outside A, or indirect */
C(front_poll_fault) { desc(w, DESC1, 0, OUTSIDE, IOMM_VIOMMU_FAULT_SIZE, D_WRITE, 0); offer(w, AVAIL1, 0); return iomm_vmmio_front_poll(&w->front); }
C(front_poll_indirect) { desc(w, BUF + 0x200, 0, EVBUF, IOMM_VIOMMU_FAULT_SIZE, D_WRITE, 0); desc(w, DESC1, 0, BUF + 0x200, 16, D_INDIRECT, 0); offer(w, AVAIL1, 0); return iomm_vmmio_front_poll(&w->front); }
/* the guest's transport */
C(mmio_init_magic) { struct iomm_viommu_mmio_cfg c = guest_cfg(w); w->magic_override = 0x12345678; return iomm_viommu_mmio_init(&w->mm, &w->gport, &c, &w->t); }
C(mmio_init_legacy) { struct iomm_viommu_mmio_cfg c = guest_cfg(w); w->version_override = 1; return iomm_viommu_mmio_init(&w->mm, &w->gport, &c, &w->t); }
/* the guest's backend over that transport: a device that drops FEATURES_OK
 * (virtio 1.2, 3.1.1 step 6), or whose queues are too small (4.2.3.2) */
C(pv_init_fok_dropped) { struct iomm_viommu_mmio_cfg c = guest_cfg(w); assert_int_equal(iomm_viommu_mmio_init(&w->mm, &w->gport, &c, &w->t), IOMM_OK); w->fok_dropped = true; return iomm_paravirt_init(&w->pv, &w->gport, w->t, NULL); }
C(pv_init_queue_small) { struct iomm_viommu_mmio_cfg c = guest_cfg(w); assert_int_equal(iomm_viommu_mmio_init(&w->mm, &w->gport, &c, &w->t), IOMM_OK); w->queue_small = true; return iomm_paravirt_init(&w->pv, &w->gport, w->t, NULL); }
C(mmio_init_stuck) { struct iomm_viommu_mmio_cfg c = guest_cfg(w); w->stuck = true; return iomm_viommu_mmio_init(&w->mm, &w->gport, &c, &w->t); }
/* clang-format on */

/* ---- what each failure leaves -------------------------------------------- */

/* VM A is as before: tables, translations, books; its fault record still
 * waits; nothing was used or written in guest memory. */
static void post_vm_same(struct world *w)
{
	assert_int_equal(fingerprint(w->r, &w->r->a), w->fp);
	check_contained(&w->r->a);
	assert_int_equal(w->r->a.vm.ev_count, 1);
	assert_int_equal(get16(w, USED0 + 2), 0);
	assert_int_equal(get16(w, USED1 + 2), 0);
	assert_int_equal(w->gmem[BUF + 0x100], 0xee);
	assert_int_equal(w->gmem[EVBUF], 0xee);
}

/* A refused register access: the device goes on working (no reset asked). */
static void post_reg_refused(struct world *w)
{
	post_vm_same(w);
	assert_int_equal(acc_r(w, 0x000), 0x74726976);
	assert_int_equal(acc_r(w, 0x070), 0xf);
	assert_int_equal(acc_r(w, 0x060), 0);
}

/* A broken ring: the front asks for a reset (2.1.2: DEVICE_NEEDS_RESET and a
 * configuration change interrupt) and refuses the queues until then. */
static void post_ring_broken(struct world *w)
{
	post_vm_same(w);
	assert_true(acc_r(w, 0x070) & 0x40);
	assert_true(acc_r(w, 0x060) & 2);
	assert_int_equal(acc_w(w, 0x050, 0), IOMM_EPERM);
	/* The reset resets the device model too (its records dropped); the
	 * front then works again. */
	put16(w, AVAIL0 + 2, 0);
	put16(w, AVAIL1 + 2, 0);
	front_ready(w);
	assert_int_equal(acc_r(w, 0x070), 0xf);
	assert_int_equal(acc_r(w, 0x060), 0);
	assert_int_equal(acc_w(w, 0x050, 0), IOMM_OK);
	assert_int_equal(iomm_vmmio_front_poll(&w->front), 0);
	check_contained(&w->r->a);
}

/* The window is not a virtio-iommu the transport drives: it wrote nothing
 * (the front is as the build left it). */
static void post_guest_nothing(struct world *w)
{
	post_vm_same(w);
	assert_int_equal(w->writes, 0);
	assert_int_equal(acc_r(w, 0x070), 0xf);
}

/* The reset never completed: the transport wrote the reset only (Status 0,
 * which the front did: it dropped the rings and the guest's domains, so
 * endpoint 8 is back to the VM's policy) and went no further (no
 * ACKNOWLEDGE). */
static void post_guest_not_reset(struct world *w)
{
	check_contained(&w->r->a);
	assert_true(w->writes > 0);
	assert_int_equal(w->other_writes, 0);
	assert_int_equal(acc_r(w, 0x070), 0);
}

/* The backend gave up during feature negotiation: the driver never set
 * DRIVER_OK (virtio 1.2, 2.1) and the object is not usable. */
static void post_guest_failed(struct world *w)
{
	check_contained(&w->r->a);
	assert_int_equal(acc_r(w, 0x070) & 4u, 0);
	struct iomm_domain d = {0};
	struct iomm_domain_cfg dc = {.type = IOMM_DOMAIN_S1};
	assert_int_not_equal(iomm_domain_init(&d, &w->pv.unit, &dc), IOMM_OK);
}

struct vcase {
	const char *name;
	int (*call)(struct world *w);
	int want;
	const char *debug; /* text the DEBUG line must hold, or NULL */
	void (*post)(struct world *w);
};

#define K(n, want, debug, post) {#n, n, want, debug, post}
static const struct vcase cases[] = {
    K(front_ro, IOMM_EPERM, NULL, post_reg_refused),
    K(front_range, IOMM_ERANGE, "iomm_vmmio_front_access: offset", post_reg_refused),
    K(front_notify_fault, IOMM_EFAULT, NULL, post_ring_broken),
    K(front_notify_indirect, IOMM_ENOTSUP, "INDIRECT", post_ring_broken),
    K(front_poll_fault, IOMM_EFAULT, NULL, post_ring_broken),
    K(front_poll_indirect, IOMM_ENOTSUP, "INDIRECT", post_ring_broken),
    K(mmio_init_magic, IOMM_ENODEV, NULL, post_guest_nothing),
    K(mmio_init_legacy, IOMM_ENOTSUP, "iomm_viommu_mmio_init: Version", post_guest_nothing),
    K(mmio_init_stuck, IOMM_ETIMEDOUT, NULL, post_guest_not_reset),
    K(pv_init_fok_dropped, IOMM_ENOTSUP, "iomm_paravirt_init: device: FEATURES_OK", post_guest_failed),
    K(pv_init_queue_small, IOMM_ENOTSUP, "iomm_paravirt_init: device: QueueNumMax", post_guest_failed),
};

static size_t which;

static void test_vmmio_failure(void **state)
{
	const struct vcase *c = &cases[which];
	struct world *w = W;
	memset(w->gmem, 0, RAM_END);
	uint8_t *gmem = w->gmem;
	memset(w, 0, sizeof(*w));
	w->gmem = gmem;
	w->r = *state;
	build(w);
	struct iomm_posix *px = &w->r->f->px;
	uint64_t n0 = px->log_count[IOMM_LOG_DEBUG] + w->glog_debug;
	px->log_last[0] = '\0';
	int rc = c->call(w);
	if (rc != c->want)
		fail_msg("%s: returned %d (%s), expected %d (%s)", c->name, rc, iomm_strerror(rc),
			 c->want, iomm_strerror(c->want));
	if (c->debug) {
		const char *last = w->glog_debug ? w->glog_last : px->log_last;
		if (px->log_count[IOMM_LOG_DEBUG] + w->glog_debug == n0)
			fail_msg("%s: nothing logged at DEBUG", c->name);
		if (!strstr(last, c->debug))
			fail_msg("%s: logged \"%s\", expected \"%s\"", c->name, last, c->debug);
	}
	w->magic_override = 0;
	w->version_override = 0;
	w->stuck = false;
	w->fok_dropped = false;
	w->queue_small = false;
	c->post(w);
}

int main(int argc, char **argv)
{
	struct CMUnitTest tests[1];
	int failed = 0;
	W = calloc(1, sizeof(*W));
	assert_non_null(W);
	W->gmem = calloc(1, RAM_END);
	assert_non_null(W->gmem);
	for (which = 0; which < sizeof(cases) / sizeof(cases[0]); which++) {
		if (argc > 1 && strcmp(argv[1], cases[which].name))
			continue;
		tests[0] = (struct CMUnitTest){cases[which].name, test_vmmio_failure, setup, teardown,
					       NULL};
		failed += _cmocka_run_group_tests(cases[which].name, tests, 1, NULL, NULL);
	}
	free(W->gmem);
	free(W);
	return failed;
}
