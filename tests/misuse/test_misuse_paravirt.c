/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Misuse suite, part 4: the failures of the paravirtual guest backend and
 * its virtio-pci transport, against the virtio-iommu device of
 * tests/paravirt/fake_viommu.c. Each case starts from a fresh device with a
 * working backend on it (tests/paravirt's fixture), makes the device or the
 * transport fail, makes one call, and the runner checks the documented code
 * and what the failure leaves behind.
 *
 * Ways to fail: a transport whose configuration reads or feature
 * negotiation fail with a given code (the way a real transport reports a
 * timeout, a queue that does not fit or a refused feature set), a device
 * configuration the backend cannot use, PROBE answers that do not fit, a
 * virtio-pci function without capabilities, too little queue memory, a
 * reset that never completes, a device that drops FEATURES_OK or offers
 * queues too small.
 *
 * Cases that name a DEBUG text make their call with a port that keeps the
 * DEBUG lines (w->lport): the runner checks the last one holds the text.
 *
 * The case table has the form scripts/check-error-paths.sh reads:
 * C(name) { ...; return iomm_fn(...); } and K(name, code, debug, post-check).
 */
#include "paravirt_fx.h"

#include <stdio.h>
#include <stdlib.h>

/* A transport around the loopback one that fails on demand. */
struct wrap {
	struct iomm_viommu_transport t;
	const struct iomm_viommu_transport *in;
	int cfg_rc;  /* non-zero: every config read returns it */
	int feat_rc; /* non-zero: features_set returns it */
};

static int w_request(void *ctx, const void *req, size_t len, void *resp, size_t cap)
{
	struct wrap *w = ctx;
	return w->in->request(w->in->ctx, req, len, resp, cap);
}

static int w_config_read(void *ctx, uint32_t off, void *buf, size_t len)
{
	struct wrap *w = ctx;
	return w->cfg_rc ? w->cfg_rc : w->in->config_read(w->in->ctx, off, buf, len);
}

static int w_config_write(void *ctx, uint32_t off, const void *buf, size_t len)
{
	struct wrap *w = ctx;
	return w->in->config_write(w->in->ctx, off, buf, len);
}

static uint64_t w_features_get(void *ctx)
{
	struct wrap *w = ctx;
	return w->in->features_get(w->in->ctx);
}

static int w_features_set(void *ctx, uint64_t features)
{
	struct wrap *w = ctx;
	return w->feat_rc ? w->feat_rc : w->in->features_set(w->in->ctx, features);
}

static int w_event_get(void *ctx, void *buf, size_t cap)
{
	struct wrap *w = ctx;
	return w->in->event_get(w->in->ctx, buf, cap);
}

struct world {
	struct fx *x;
	struct wrap w;
	struct iomm_viommu_loopback lb2;
	struct iomm_paravirt pv2; /* the object the init cases initialise */
	struct fake_pci fp;
	struct iomm_viommu_pci vp;
	struct iomm_viommu_pci_cfg pc;
	const struct iomm_viommu_transport *pt;
	uint64_t accepted;
	/* the virtio-pci function misbehaving on demand */
	bool fok_dropped; /* device_status reads back without FEATURES_OK */
	bool queue_small; /* queue_size reads 2 */
	/* a port that keeps the DEBUG lines (for the cases that check them) */
	struct iomm_port lport;
	unsigned ndebug;
	char dlast[256];
};

static void keep_log(void *ctx, enum iomm_log_level level, const char *msg)
{
	struct world *w = ctx;
	if (level == IOMM_LOG_DEBUG) {
		w->ndebug++;
		snprintf(w->dlast, sizeof(w->dlast), "%s", msg);
	}
}

static uint32_t pw_cfg_read32(void *ctx, uint16_t off)
{
	return fpci_cfg_read32(&((struct world *)ctx)->fp, off);
}

/* Common configuration (virtio 1.2, 4.1.4.3): device_status at 0x14,
 * queue_size at 0x18, in BAR 4 at offset 0 (fake_viommu.h). */
static uint32_t pw_mmio_read(void *ctx, uintptr_t addr, unsigned width)
{
	struct world *w = ctx;
	uintptr_t off = addr - (uintptr_t)w->fp.bar;
	uint32_t v = fpci_mmio_read(&w->fp, addr, width);
	if (off == 0x14 && w->fok_dropped)
		v &= ~8u;
	if (off == 0x18 && w->queue_small)
		v = 2;
	return v;
}

static void pw_mmio_write(void *ctx, uintptr_t addr, unsigned width, uint32_t val)
{
	fpci_mmio_write(&((struct world *)ctx)->fp, addr, width, val);
}

static const struct iomm_viommu_transport *wrapped(struct world *w)
{
	struct iomm_viommu_loopback_dev d = fake_loopback_dev(&w->x->f);
	w->w.in = iomm_viommu_loopback_init(&w->lb2, &d);
	assert_non_null(w->w.in);
	w->w.t = (struct iomm_viommu_transport){
	    .ctx = &w->w,
	    .request = w_request,
	    .config_read = w_config_read,
	    .config_write = w_config_write,
	    .features_get = w_features_get,
	    .features_set = w_features_set,
	    .event_get = w_event_get,
	};
	return &w->w.t;
}

/* A virtio-pci function over the same device, answering within 1 ms. */
static void pci_up(struct world *w)
{
	fpci_init(&w->fp, &w->x->f);
	w->pc = (struct iomm_viommu_pci_cfg){
	    .ctx = w,
	    .pci_read32 = pw_cfg_read32,
	    .mmio_read = pw_mmio_read,
	    .mmio_write = pw_mmio_write,
	    .mem = qmem,
	    .mem_pa = (uint64_t)(uintptr_t)qmem,
	    .mem_size = sizeof(qmem),
	    .event_slots = 4,
	    .timeout_ns = 1000000,
	};
	w->pc.bar[4] = (uintptr_t)w->fp.bar;
}

/* clang-format off */
#define C(n) static int n(struct world *w)
C(init_cfg_eio) { const struct iomm_viommu_transport *t = wrapped(w); w->w.cfg_rc = IOMM_EIO; return iomm_paravirt_init(&w->pv2, &port, t, NULL); }
C(init_feat_timeout) { const struct iomm_viommu_transport *t = wrapped(w); w->w.feat_rc = IOMM_ETIMEDOUT; return iomm_paravirt_init(&w->pv2, &port, t, NULL); }
C(init_feat_refused) { const struct iomm_viommu_transport *t = wrapped(w); w->w.feat_rc = IOMM_ENOTSUP; return iomm_paravirt_init(&w->pv2, &port, t, NULL); }
C(init_feat_nomem) { const struct iomm_viommu_transport *t = wrapped(w); w->w.feat_rc = IOMM_ENOMEM; return iomm_paravirt_init(&w->pv2, &port, t, NULL); }
C(init_no_pages) { const struct iomm_viommu_transport *t = wrapped(w); iomm_put_le64(w->x->f.cfg + IOMM_VIOMMU_CFG_PAGE_SIZE_MASK, 0); return iomm_paravirt_init(&w->pv2, &port, t, NULL); }
C(probe_resv_full) { for (unsigned i = 0; i <= IOMM_PARAVIRT_MAX_RESV; i++) fake_add_resv(&w->x->f, IOMM_VIOMMU_RESV_T_RESERVED, 0x100000ull * (i + 1), 0x100000ull * (i + 1) + 0xfff); return iomm_paravirt_probe(&w->x->pv, 100); }
C(pci_small_mem) { pci_up(w); w->pc.mem_size = iomm_viommu_pci_mem_size(4) - 16; return iomm_viommu_pci_init(&w->vp, &port, &w->pc, &w->pt); }
C(pci_no_caps) { pci_up(w); memset(w->fp.cfgspace, 0, sizeof(w->fp.cfgspace)); return iomm_viommu_pci_init(&w->vp, &port, &w->pc, &w->pt); }
/* the backend over virtio-pci: a device that drops FEATURES_OK (virtio 1.2,
 * 3.1.1 step 6), or whose request queue is too small (4.1.5.1.3) */
C(pci_fok_dropped) { pci_up(w); assert_int_equal(iomm_viommu_pci_init(&w->vp, &w->lport, &w->pc, &w->pt), IOMM_OK); w->fok_dropped = true; return iomm_paravirt_init(&w->pv2, &w->lport, w->pt, NULL); }
C(pci_queue_small) { pci_up(w); assert_int_equal(iomm_viommu_pci_init(&w->vp, &w->lport, &w->pc, &w->pt), IOMM_OK); w->queue_small = true; return iomm_paravirt_init(&w->pv2, &w->lport, w->pt, NULL); }
C(pci_reset_stuck) { pci_up(w); w->fp.reset_stuck = true; return iomm_viommu_pci_init(&w->vp, &port, &w->pc, &w->pt); }
/* clang-format on */

/* ---- what each failure leaves -------------------------------------------- */

/* Nothing negotiated: the device's accepted features are as before, and the
 * object is not usable (a domain on it is refused). */
static void post_not_up(struct world *w)
{
	assert_int_equal(w->x->f.accepted, w->accepted);
	struct iomm_domain d = {0};
	struct iomm_domain_cfg c = {.type = IOMM_DOMAIN_S1};
	assert_int_not_equal(iomm_domain_init(&d, &w->pv2.unit, &c), IOMM_OK);
}

/* Nothing recorded for the endpoint; the backend still works. */
static void post_probe_nothing(struct world *w)
{
	struct iomm_paravirt_resv r;
	assert_int_equal(iomm_paravirt_resv_get(&w->x->pv, 100, 0, &r), IOMM_ENOENT);
	w->x->f.props_len = 0;
	assert_int_equal(iomm_paravirt_probe(&w->x->pv, 101), IOMM_OK);
}

/* The transport was not set up: no transport handed out, the device
 * untouched (no status bit set by the driver). */
static void post_pci_nothing(struct world *w)
{
	assert_null(w->pt);
	assert_int_equal(w->fp.status & 3u, 0);
}

/* The reset was started but never completed: no transport handed out and
 * the driver went no further (ACKNOWLEDGE not set). */
static void post_pci_not_reset(struct world *w)
{
	assert_null(w->pt);
	assert_int_equal(w->fp.status & 3u, 0);
}

/* Negotiation failed: the driver marked the device FAILED (virtio 1.2,
 * 3.1.1 step 6), never set DRIVER_OK, and the object is not usable. */
static void post_pci_failed(struct world *w)
{
	assert_true(w->fp.status & 0x80u);
	assert_int_equal(w->fp.status & 4u, 0);
	struct iomm_domain d = {0};
	struct iomm_domain_cfg c = {.type = IOMM_DOMAIN_S1};
	assert_int_not_equal(iomm_domain_init(&d, &w->pv2.unit, &c), IOMM_OK);
}

struct pcase {
	const char *name;
	int (*call)(struct world *w);
	int want;
	const char *debug; /* text the DEBUG line must hold (port w->lport), or NULL */
	void (*post)(struct world *w);
};

#define K(n, want, debug, post) {#n, n, want, debug, post}
static const struct pcase cases[] = {
    K(init_cfg_eio, IOMM_EIO, NULL, post_not_up),
    K(init_feat_timeout, IOMM_ETIMEDOUT, NULL, post_not_up),
    K(init_feat_refused, IOMM_ENOTSUP, NULL, post_not_up),
    K(init_feat_nomem, IOMM_ENOMEM, NULL, post_not_up),
    K(init_no_pages, IOMM_ENODEV, NULL, post_not_up),
    K(probe_resv_full, IOMM_ENOSPC, NULL, post_probe_nothing),
    K(pci_small_mem, IOMM_ENOMEM, NULL, post_pci_nothing),
    K(pci_no_caps, IOMM_ENODEV, NULL, post_pci_nothing),
    K(pci_reset_stuck, IOMM_ETIMEDOUT, NULL, post_pci_not_reset),
    K(pci_fok_dropped, IOMM_ENOTSUP, "iomm_paravirt_init: device: FEATURES_OK", post_pci_failed),
    K(pci_queue_small, IOMM_ENOTSUP, "iomm_paravirt_init: device: queue_size", post_pci_failed),
};

static size_t which;

static void test_paravirt_failure(void **state)
{
	(void)state;
	const struct pcase *c = &cases[which];
	struct world *w = calloc(1, sizeof(*w));
	assert_non_null(w);
	w->x = fx_up();
	w->accepted = w->x->f.accepted;
	w->lport = port;
	w->lport.ctx = w;
	w->lport.log = keep_log;
	w->lport.log_level = IOMM_LOG_DEBUG;
	int rc = c->call(w);
	if (rc != c->want)
		fail_msg("%s: returned %d (%s), expected %d (%s)", c->name, rc, iomm_strerror(rc),
			 c->want, iomm_strerror(c->want));
	if (c->debug && !w->ndebug)
		fail_msg("%s: nothing logged at DEBUG", c->name);
	if (c->debug && !strstr(w->dlast, c->debug))
		fail_msg("%s: logged \"%s\", expected \"%s\"", c->name, w->dlast, c->debug);
	w->fok_dropped = false;
	w->queue_small = false;
	c->post(w);
	free(w);
}

int main(int argc, char **argv)
{
	struct CMUnitTest tests[1];
	int failed = 0;
	for (which = 0; which < sizeof(cases) / sizeof(cases[0]); which++) {
		if (argc > 1 && strcmp(argv[1], cases[which].name))
			continue;
		tests[0] = (struct CMUnitTest){cases[which].name, test_paravirt_failure, NULL, NULL,
					       NULL};
		failed += _cmocka_run_group_tests(cases[which].name, tests, 1, NULL, NULL);
	}
	return failed;
}
