/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Paravirtual backend tests: every way a device or transport can refuse or
 * misbehave (init, PROBE answers, fault records, the loopback transport's
 * own checks, a virtio-pci device on a fake clock).
 */
#include "paravirt_fx.h"

/* ---- a transport that fails on demand, around the loopback one ---- */
struct wrap {
	struct iomm_viommu_transport t;
	const struct iomm_viommu_transport *in;
	unsigned cfg_reads;  /* config reads so far */
	unsigned fail_cfg;   /* fail the n-th config read (1-based), 0: never */
	int fail_request;    /* non-zero: every request returns it */
	int fail_features;   /* non-zero: features_set returns it */
	int event_rc;        /* non-zero: event_get returns it */
};

static int w_request(void *ctx, const void *req, size_t len, void *resp, size_t cap)
{
	struct wrap *w = ctx;
	if (w->fail_request)
		return w->fail_request;
	return w->in->request(w->in->ctx, req, len, resp, cap);
}

static int w_config_read(void *ctx, uint32_t off, void *buf, size_t len)
{
	struct wrap *w = ctx;
	if (++w->cfg_reads == w->fail_cfg)
		return IOMM_EIO;
	return w->in->config_read(w->in->ctx, off, buf, len);
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
	if (w->fail_features)
		return w->fail_features;
	return w->in->features_set(w->in->ctx, features);
}

static int w_event_get(void *ctx, void *buf, size_t cap)
{
	struct wrap *w = ctx;
	if (w->event_rc)
		return w->event_rc;
	return w->in->event_get(w->in->ctx, buf, cap);
}

static const struct iomm_viommu_transport *wrap_up(struct wrap *w,
						   const struct iomm_viommu_transport *in)
{
	memset(w, 0, sizeof(*w));
	w->in = in;
	w->t = (struct iomm_viommu_transport){
	    .ctx = w,
	    .request = w_request,
	    .config_read = w_config_read,
	    .config_write = w_config_write,
	    .features_get = w_features_get,
	    .features_set = w_features_set,
	    .event_get = w_event_get,
	};
	return &w->t;
}

/* A device whose probe_size grows once the features are set: the
 * configuration read after FEATURES_OK is the one that counts. */
static void grow_probe_size(void *dev, uint64_t features)
{
	struct fake_viommu *f = dev;
	f->accepted = features;
	iomm_put_le32(f->cfg + IOMM_VIOMMU_CFG_PROBE_SIZE, IOMM_PARAVIRT_PROBE_MAX + 8);
}

/* ---- init: every way a device or transport can refuse ---- */
void test_init_failures(void **state)
{
	(void)state;
	struct fx *x = fx_up();
	struct iomm_viommu_loopback_dev d = fake_loopback_dev(&x->f);
	const struct iomm_viommu_transport *lb = iomm_viommu_loopback_init(&x->lb, &d);
	static struct wrap w;
	const struct iomm_viommu_transport *t = wrap_up(&w, lb);

	/* required hooks and arguments */
	struct iomm_viommu_transport bad = *t;
	bad.request = NULL;
	assert_int_equal(iomm_paravirt_init(&x->pv, &port, &bad, NULL), IOMM_EINVAL);
	bad = *t;
	bad.config_read = NULL;
	assert_int_equal(iomm_paravirt_init(&x->pv, &port, &bad, NULL), IOMM_EINVAL);
	bad = *t;
	bad.features_get = NULL;
	assert_int_equal(iomm_paravirt_init(&x->pv, &port, &bad, NULL), IOMM_EINVAL);
	bad = *t;
	bad.features_set = NULL;
	assert_int_equal(iomm_paravirt_init(&x->pv, &port, &bad, NULL), IOMM_EINVAL);
	assert_int_equal(iomm_paravirt_init(&x->pv, NULL, t, NULL), IOMM_EINVAL);
	assert_int_equal(iomm_paravirt_init(&x->pv, &port, NULL, NULL), IOMM_EINVAL);

	/* the transport fails: config reads (before and after FEATURES_OK), features */
	x->f.accepted = 0;
	w.fail_cfg = 1;
	assert_int_equal(iomm_paravirt_init(&x->pv, &port, t, NULL), IOMM_EIO);
	assert_int_equal(x->f.accepted, 0); /* nothing negotiated */
	/* a refused init leaves no half-initialised backend behind */
	assert_int_equal(iomm_paravirt_probe(&x->pv, 7), IOMM_EINVAL);
	assert_null(x->pv.unit.ops);
	w.cfg_reads = 0;
	w.fail_cfg = 2;
	assert_int_equal(iomm_paravirt_init(&x->pv, &port, t, NULL), IOMM_EIO);
	w.fail_cfg = 0;
	w.fail_features = IOMM_ENOTSUP;
	assert_int_equal(iomm_paravirt_init(&x->pv, &port, t, NULL), IOMM_ENOTSUP);
	w.fail_features = 0;

	/* malformed configurations: no page size, empty input or domain range */
	iomm_put_le64(x->f.cfg + IOMM_VIOMMU_CFG_PAGE_SIZE_MASK, 0);
	assert_int_equal(iomm_paravirt_init(&x->pv, &port, t, NULL), IOMM_ENODEV);
	fake_init(&x->f);
	iomm_put_le64(x->f.cfg + IOMM_VIOMMU_CFG_INPUT_START, 0x2000);
	iomm_put_le64(x->f.cfg + IOMM_VIOMMU_CFG_INPUT_END, 0x1fff);
	assert_int_equal(iomm_paravirt_init(&x->pv, &port, t, NULL), IOMM_ENODEV);
	fake_init(&x->f);
	iomm_put_le32(x->f.cfg + IOMM_VIOMMU_CFG_DOMAIN_START, 5);
	iomm_put_le32(x->f.cfg + IOMM_VIOMMU_CFG_DOMAIN_END, 4);
	assert_int_equal(iomm_paravirt_init(&x->pv, &port, t, NULL), IOMM_ENODEV);

	/* probe_size valid before FEATURES_OK, too large after */
	fake_init(&x->f);
	d.set_features = grow_probe_size;
	lb = iomm_viommu_loopback_init(&x->lb, &d);
	assert_int_equal(iomm_paravirt_init(&x->pv, &port, lb, NULL), IOMM_ENOTSUP);
	d.set_features = fake_set_features;

	/* global bypass on, but no way to write config.bypass: refused, not left on */
	fake_init(&x->f);
	x->f.cfg[IOMM_VIOMMU_CFG_BYPASS] = 1;
	d.config_write = NULL;
	lb = iomm_viommu_loopback_init(&x->lb, &d);
	assert_int_equal(iomm_paravirt_init(&x->pv, &port, lb, NULL), IOMM_EIO);
	t = wrap_up(&w, lb);
	w.t.config_write = NULL;
	assert_int_equal(iomm_paravirt_init(&x->pv, &port, t, NULL), IOMM_EIO);
	assert_int_equal(x->f.cfg[IOMM_VIOMMU_CFG_BYPASS], 1);
	d.config_write = fake_config_write;

	/* the driver asks for less: no ranges, no PROBE, no bypass */
	fake_init(&x->f);
	lb = iomm_viommu_loopback_init(&x->lb, &d);
	struct iomm_paravirt_cfg pc = {.features = (1ull << IOMM_VIOMMU_F_MAP_UNMAP)};
	assert_int_equal(iomm_paravirt_init(&x->pv, &port, lb, &pc), IOMM_OK);
	assert_int_equal(x->f.accepted,
			 (1ull << IOMM_VIOMMU_F_MAP_UNMAP) | (1ull << IOMM_VIOMMU_F_VERSION_1));
	assert_int_equal(x->pv.unit.caps, IOMM_CAP_S1 | IOMM_CAP_REMOTE);
	assert_int_equal(x->pv.unit.ias, 64); /* the whole input space */
	assert_int_equal(x->pv.domain_start, 0);
	unsigned n = x->f.nreq;
	assert_int_equal(iomm_paravirt_probe(&x->pv, 8), IOMM_OK); /* nothing to ask */
	assert_int_equal(x->f.nreq, n);
	dom_dev_up(x, IOMM_DOMAIN_S1, 8);
	assert_int_equal(iomm_attach(&x->dom, &x->dev), IOMM_OK);
	assert_int_equal(x->f.nreq, n + 1); /* ATTACH only, no PROBE */
	assert_int_equal(iomm_map(&x->dom, 0xfff0000000000000ull, 0x1000, 0x1000, IOMM_READ),
			 IOMM_OK);
	struct iomm_domain byp = {0};
	struct iomm_domain_cfg bc = {.type = IOMM_DOMAIN_BYPASS};
	assert_int_equal(iomm_domain_init(&byp, &x->pv.unit, &bc), IOMM_ENOTSUP);

	/* no MAP_UNMAP: only blocked domains */
	fake_init(&x->f);
	pc.features = 1ull << IOMM_VIOMMU_F_VERSION_1;
	assert_int_equal(iomm_paravirt_init(&x->pv, &port, lb, &pc), IOMM_OK);
	assert_int_equal(x->pv.unit.caps, IOMM_CAP_REMOTE);
	struct iomm_domain s1 = {0};
	struct iomm_domain_cfg sc = {.type = IOMM_DOMAIN_S1};
	assert_int_equal(iomm_domain_init(&s1, &x->pv.unit, &sc), IOMM_ENOTSUP);
	struct iomm_domain blk = {0};
	bc.type = IOMM_DOMAIN_BLOCKED;
	assert_int_equal(iomm_domain_init(&blk, &x->pv.unit, &bc), IOMM_OK);
	assert_int_equal(iomm_dev_init(&x->dev, &x->pv.unit, &IOMM_SID(8)), IOMM_OK);
	assert_int_equal(iomm_attach(&blk, &x->dev), IOMM_OK);
	assert_int_equal(iomm_get_le32(x->f.last_req + IOMM_VIOMMU_ATTACH_FLAGS), 0);
}

/* ---- PROBE: malformed and oversized answers, endpoint limits ---- */
static void put_prop(struct fake_viommu *f, uint16_t type, uint16_t len)
{
	uint8_t *p = f->props + f->props_len;
	memset(p, 0, 4u + len);
	iomm_put_le16(p, type);
	iomm_put_le16(p + 2, len);
	f->props_len += 4u + len;
}

/*
 * A refused PROBE or ATTACH takes no endpoint slot: after more refusals than
 * there are slots, a new endpoint is still probed and attached.
 */
void test_refused_keep_slots(void **state)
{
	(void)state;
	struct fx *x = fx_up();
	fake_add_resv(&x->f, IOMM_VIOMMU_RESV_T_MSI, 0x8000000, 0x8000fff);
	x->f.force_status = IOMM_VIOMMU_S_IOERR;
	for (uint32_t i = 0; i < IOMM_PARAVIRT_MAX_EP + 2; i++)
		assert_int_equal(iomm_paravirt_probe(&x->pv, 100 + i), IOMM_EIO);
	/* refused attaches (probe refused too) of as many endpoints */
	struct iomm_domain_cfg c = {.type = IOMM_DOMAIN_S1};
	assert_int_equal(iomm_domain_init(&x->dom, &x->pv.unit, &c), IOMM_OK);
	for (uint32_t i = 0; i < IOMM_PARAVIRT_MAX_EP + 2; i++) {
		struct iomm_dev d;
		assert_int_equal(iomm_dev_init(&d, &x->pv.unit, &IOMM_SID(200 + i)), IOMM_OK);
		assert_int_equal(iomm_attach(&x->dom, &d), IOMM_EIO);
		assert_null(d.domain);
	}
	x->f.force_status = -1;
	assert_int_equal(iomm_paravirt_probe(&x->pv, 7), IOMM_OK);
	uint64_t s = 0, e = 0;
	assert_int_equal(iomm_paravirt_msi_region(&x->pv, 7, &s, &e), IOMM_OK);
	assert_int_equal(s, 0x8000000);
	assert_int_equal(iomm_dev_init(&x->dev, &x->pv.unit, &IOMM_SID(8)), IOMM_OK);
	assert_int_equal(iomm_attach(&x->dom, &x->dev), IOMM_OK);
	assert_int_equal(iomm_detach(&x->dev), IOMM_OK);
	assert_int_equal(iomm_domain_destroy(&x->dom), IOMM_OK);
}

void test_probe_errors(void **state)
{
	(void)state;
	struct fx *x = fx_up();
	uint32_t ep = 100;
	/* RESV_MEM shorter than its layout */
	put_prop(&x->f, IOMM_VIOMMU_PROP_RESV_MEM, 8);
	assert_int_equal(iomm_paravirt_probe(&x->pv, ep++), IOMM_EINVAL);
	/* PAGE_SIZE_MASK shorter than its layout */
	x->f.props_len = 0;
	put_prop(&x->f, IOMM_PARAVIRT_PROP_PAGE_SIZE_MASK, 4);
	assert_int_equal(iomm_paravirt_probe(&x->pv, ep++), IOMM_EINVAL);
	/* RESV_MEM ending before it starts */
	x->f.props_len = 0;
	fake_add_resv(&x->f, IOMM_VIOMMU_RESV_T_RESERVED, 0x2000, 0x1fff);
	assert_int_equal(iomm_paravirt_probe(&x->pv, ep++), IOMM_EINVAL);
	/* more RESV_MEM regions than an endpoint can hold */
	x->f.props_len = 0;
	for (unsigned i = 0; i <= IOMM_PARAVIRT_MAX_RESV; i++)
		fake_add_resv(&x->f, IOMM_VIOMMU_RESV_T_RESERVED, 0x100000ull * (i + 1),
			      0x100000ull * (i + 1) + 0xfff);
	assert_int_equal(iomm_paravirt_probe(&x->pv, ep++), IOMM_ENOSPC);
	/* an unknown property (its type's top bits set too) is skipped */
	x->f.props_len = 0;
	put_prop(&x->f, 0x8007, 12);
	fake_add_resv(&x->f, IOMM_VIOMMU_RESV_T_MSI, 0x8000000, 0x8000fff);
	assert_int_equal(iomm_paravirt_probe(&x->pv, 7), IOMM_OK);
	uint64_t s = 0, e = 0;
	assert_int_equal(iomm_paravirt_msi_region(&x->pv, 7, &s, &e), IOMM_OK);
	assert_int_equal(s, 0x8000000);
	struct iomm_paravirt_resv r;
	assert_int_equal(iomm_paravirt_resv_get(&x->pv, 7, 0, &r), IOMM_OK);
	assert_int_equal(r.end, 0x8000fff);
	/* after the failures above nothing was recorded for those endpoints */
	assert_int_equal(iomm_paravirt_resv_get(&x->pv, 100, 0, &r), IOMM_ENOENT);
	assert_int_equal(iomm_paravirt_msi_region(&x->pv, 555, &s, &e), IOMM_ENOENT);
	/* argument checks */
	assert_int_equal(iomm_paravirt_probe(NULL, 7), IOMM_EINVAL);
	assert_int_equal(iomm_paravirt_resv_get(NULL, 7, 0, &r), IOMM_EINVAL);
	assert_int_equal(iomm_paravirt_resv_get(&x->pv, 7, 0, NULL), IOMM_EINVAL);
	assert_int_equal(iomm_paravirt_msi_region(NULL, 7, &s, &e), IOMM_EINVAL);
	assert_int_equal(iomm_paravirt_msi_region(&x->pv, 7, NULL, &e), IOMM_EINVAL);
	assert_int_equal(iomm_paravirt_msi_region(&x->pv, 7, &s, NULL), IOMM_EINVAL);
	/* an endpoint with no MSI region */
	x->f.props_len = 0;
	fake_add_resv(&x->f, IOMM_VIOMMU_RESV_T_RESERVED, 0x100000, 0x100fff);
	assert_int_equal(iomm_paravirt_probe(&x->pv, 6), IOMM_OK);
	assert_int_equal(iomm_paravirt_msi_region(&x->pv, 6, &s, &e), IOMM_ENOENT);

	/* endpoints: IOMM_PARAVIRT_MAX_EP of them are remembered */
	x->f.props_len = 0;
	unsigned n;
	for (uint32_t i = 0; i < IOMM_PARAVIRT_MAX_EP; i++) {
		int rc = iomm_paravirt_probe(&x->pv, 200 + i);
		assert_true(rc == IOMM_OK || rc == IOMM_ENOSPC);
	}
	assert_int_equal(iomm_paravirt_probe(&x->pv, 300), IOMM_ENOSPC);
	assert_int_equal(iomm_paravirt_probe(&x->pv, 7), IOMM_OK); /* known: no request */
	struct iomm_domain_cfg c = {.type = IOMM_DOMAIN_S1};
	assert_int_equal(iomm_domain_init(&x->dom, &x->pv.unit, &c), IOMM_OK);
	assert_int_equal(iomm_dev_init(&x->dev, &x->pv.unit, &IOMM_SID(301)), IOMM_OK);
	assert_int_equal(iomm_attach(&x->dom, &x->dev), IOMM_ENOSPC);

	/* the transport fails the PROBE request */
	x = fx_up();
	static struct wrap w;
	struct iomm_viommu_loopback_dev d = fake_loopback_dev(&x->f);
	const struct iomm_viommu_transport *t = wrap_up(&w, iomm_viommu_loopback_init(&x->lb, &d));
	assert_int_equal(iomm_paravirt_init(&x->pv, &port, t, NULL), IOMM_OK);
	w.fail_request = IOMM_ETIMEDOUT;
	assert_int_equal(iomm_paravirt_probe(&x->pv, 8), IOMM_ETIMEDOUT);
	w.fail_request = 0;

	/* an endpoint whose page sizes the domain can no longer use: endpoint
	 * 9 takes 4 KiB pages only, endpoint 10 1 GiB pages only */
	fake_add_page_mask(&x->f, 0x1000ull);
	assert_int_equal(iomm_paravirt_probe(&x->pv, 9), IOMM_OK);
	x->f.props_len = 0;
	fake_add_page_mask(&x->f, 0x40000000ull);
	assert_int_equal(iomm_paravirt_probe(&x->pv, 10), IOMM_OK);
	dom_dev_up(x, IOMM_DOMAIN_S1, 9);
	assert_int_equal(iomm_attach(&x->dom, &x->dev), IOMM_OK);
	struct iomm_dev d2;
	assert_int_equal(iomm_dev_init(&d2, &x->pv.unit, &IOMM_SID(10)), IOMM_OK);
	n = x->f.nreq;
	assert_int_equal(iomm_attach(&x->dom, &d2), IOMM_ENOTSUP);
	assert_int_equal(x->f.nreq, n); /* refused before any request */
	assert_int_equal(iomm_map(&x->dom, 0x1000, 0x1000, 0x1000, IOMM_READ), IOMM_OK);
}

/* ---- fault events: flags, short records, transport errors ---- */
static size_t short_then_full(void *dev, void *buf, size_t cap)
{
	struct fake_viommu *f = dev;
	if (f->nreq == 1000) /* a record too short to be a fault */
		return f->nreq++, 8;
	return fake_event(dev, buf, cap);
}

static size_t oversized(void *dev, void *buf, size_t cap)
{
	size_t n = fake_event(dev, buf, cap);
	return n ? 4096 : 0; /* claims more than the buffer holds */
}

void test_fault_records(void **state)
{
	(void)state;
	struct fx *x = fx_up();
	struct got g = {0};
	/* READ | EXEC with an address: a permission fault on a fetch */
	uint8_t *e = x->f.events[0];
	memset(e, 0, IOMM_VIOMMU_FAULT_SIZE);
	e[IOMM_VIOMMU_FAULT_REASON] = IOMM_VIOMMU_FAULT_R_MAPPING;
	iomm_put_le32(e + IOMM_VIOMMU_FAULT_FLAGS, IOMM_VIOMMU_FAULT_F_READ |
						   IOMM_VIOMMU_FAULT_F_EXEC |
						   IOMM_VIOMMU_FAULT_F_ADDRESS);
	iomm_put_le32(e + IOMM_VIOMMU_FAULT_ENDPOINT, 3);
	iomm_put_le64(e + IOMM_VIOMMU_FAULT_ADDRESS, 0xabc000);
	x->f.ev_head = 0;
	x->f.ev_count = 1;
	assert_int_equal(iomm_fault_poll(&x->pv.unit, on_fault, &g), 1);
	assert_int_equal(g.f[0].reason, IOMM_FAULT_PERMISSION);
	assert_int_equal(g.f[0].flags, IOMM_FAULT_READ | IOMM_FAULT_EXEC);
	assert_int_equal(g.f[0].addr, 0xabc000);

	/* a short record is counted as lost and reported with the next one */
	struct iomm_viommu_loopback_dev d = fake_loopback_dev(&x->f);
	d.event = short_then_full;
	const struct iomm_viommu_transport *t = iomm_viommu_loopback_init(&x->lb, &d);
	assert_int_equal(iomm_paravirt_init(&x->pv, &port, t, NULL), IOMM_OK);
	x->f.nreq = 1000;
	x->f.ev_head = 0;
	x->f.ev_count = 1;
	g.n = 0;
	assert_int_equal(iomm_fault_poll(&x->pv.unit, on_fault, &g), 1);
	assert_int_equal(g.f[0].lost, 1);
	assert_int_equal(x->pv.faults_lost, 1);
	assert_int_equal(g.f[0].sid, 3);

	/* a device claiming a longer record than the buffer: cut to the buffer */
	d.event = oversized;
	t = iomm_viommu_loopback_init(&x->lb, &d);
	assert_int_equal(iomm_paravirt_init(&x->pv, &port, t, NULL), IOMM_OK);
	x->f.ev_head = 0;
	x->f.ev_count = 1;
	g.n = 0;
	assert_int_equal(iomm_fault_poll(&x->pv.unit, on_fault, &g), 1);
	assert_int_equal(g.f[0].addr, 0xabc000);

	/* no event hook in the device: nothing to poll */
	d.event = NULL;
	t = iomm_viommu_loopback_init(&x->lb, &d);
	assert_int_equal(iomm_paravirt_init(&x->pv, &port, t, NULL), IOMM_OK);
	x->f.ev_count = 1;
	assert_int_equal(iomm_fault_poll(&x->pv.unit, on_fault, &g), 0);

	/* a transport without events, or failing */
	d.event = fake_event;
	static struct wrap w;
	t = wrap_up(&w, iomm_viommu_loopback_init(&x->lb, &d));
	assert_int_equal(iomm_paravirt_init(&x->pv, &port, t, NULL), IOMM_OK);
	w.event_rc = IOMM_EIO;
	assert_int_equal(iomm_fault_poll(&x->pv.unit, on_fault, &g), IOMM_EIO);
	w.t.event_get = NULL;
	assert_int_equal(iomm_fault_poll(&x->pv.unit, on_fault, &g), IOMM_ENOTSUP);
}

/* ---- the loopback transport's own checks ---- */
static size_t answer_n; /* what bad_handle claims to have written */

static size_t bad_handle(void *dev, const void *req, size_t len, void *resp, size_t cap)
{
	(void)dev;
	(void)req;
	(void)len;
	uint8_t *r = resp;
	memset(r, 0, cap);
	r[0] = IOMM_VIOMMU_S_RANGE; /* a short reply: tail first */
	return answer_n;
}

static size_t big_config(void *dev, void *buf, size_t cap)
{
	(void)dev;
	memset(buf, 0x5a, cap);
	return 4096;
}

void test_loopback_checks(void **state)
{
	(void)state;
	struct fake_viommu f;
	fake_init(&f);
	struct iomm_viommu_loopback lb;
	struct iomm_viommu_loopback_dev d = fake_loopback_dev(&f);
	assert_null(iomm_viommu_loopback_init(NULL, &d));
	d.handle = NULL;
	assert_null(iomm_viommu_loopback_init(&lb, &d));
	d = fake_loopback_dev(&f);
	d.config = NULL;
	assert_null(iomm_viommu_loopback_init(&lb, &d));

	d = fake_loopback_dev(&f);
	d.handle = bad_handle;
	d.config = big_config;
	d.config_write = NULL;
	d.features = NULL;
	d.set_features = NULL;
	const struct iomm_viommu_transport *t = iomm_viommu_loopback_init(&lb, &d);
	assert_non_null(t);
	uint8_t req[20] = {IOMM_VIOMMU_T_DETACH};
	uint8_t resp[8];
	assert_int_equal(t->request(t->ctx, req, sizeof(req), resp, 3), IOMM_EINVAL);
	answer_n = 2; /* less than a tail */
	assert_int_equal(t->request(t->ctx, req, sizeof(req), resp, sizeof(resp)), IOMM_EIO);
	answer_n = 9; /* more than the buffer */
	assert_int_equal(t->request(t->ctx, req, sizeof(req), resp, sizeof(resp)), IOMM_EIO);
	answer_n = 4; /* short: the tail moves to the end */
	assert_int_equal(t->request(t->ctx, req, sizeof(req), resp, sizeof(resp)), IOMM_OK);
	assert_int_equal(resp[4], IOMM_VIOMMU_S_RANGE);
	/* configuration: what the device claims beyond 64 bytes is not read */
	uint8_t cfg[64];
	assert_int_equal(t->config_read(t->ctx, 0, cfg, 64), IOMM_OK);
	assert_int_equal(cfg[63], 0x5a);
	assert_int_equal(t->config_read(t->ctx, 60, cfg, 8), IOMM_EINVAL);
	assert_int_equal(t->config_read(t->ctx, 65, cfg, 0), IOMM_EINVAL);
	uint8_t one = 1;
	assert_int_equal(t->config_write(t->ctx, IOMM_VIOMMU_CFG_BYPASS, &one, 1), IOMM_EINVAL);
	/* features: the library's own set when the device names none */
	assert_int_equal(t->features_get(t->ctx), IOMM_PARAVIRT_FEATURES);
	assert_int_equal(t->features_set(t->ctx, IOMM_PARAVIRT_FEATURES), IOMM_OK);
	assert_int_equal(t->features_set(t->ctx, 1ull << IOMM_VIOMMU_F_BYPASS), IOMM_ENOTSUP);
}

/* ---- virtio-pci: a misbehaving device, on a fake clock ---- */
struct pwrap {
	struct fake_pci *fp;
	bool no_caps;       /* PCI status without the capability list */
	bool gen_moves;     /* config_generation changes on every read */
	int numq;           /* >= 0: num_queues reads this */
	int qmax;           /* >= 0: queue_size reads this */
	int used_id;        /* >= 0: after a request, the used element names this id */
	int used_len;       /* >= 0: ... and this length */
	uint64_t now, step; /* the fake clock */
	unsigned relaxed;
};

static uint64_t pw_now(void *ctx)
{
	struct pwrap *w = ctx;
	return w->now += w->step;
}

static void pw_relax(void *ctx)
{
	((struct pwrap *)ctx)->relaxed++;
}

static uint32_t pw_cfg_read32(void *ctx, uint16_t off)
{
	struct pwrap *w = ctx;
	uint32_t v = fpci_cfg_read32(w->fp, off);
	if (off == 0x04 && w->no_caps)
		v &= ~(1u << 20);
	return v;
}

static uint32_t pw_mmio_read(void *ctx, uintptr_t addr, unsigned width)
{
	struct pwrap *w = ctx;
	uintptr_t off = addr - (uintptr_t)w->fp->bar;
	static uint8_t gen;
	if (off == 0x15 && w->gen_moves)
		return gen++;
	if (off == 0x12 && w->numq >= 0)
		return (uint32_t)w->numq;
	if (off == 0x18 && w->qmax >= 0)
		return (uint32_t)w->qmax;
	return fpci_mmio_read(w->fp, addr, width);
}

static void pw_mmio_write(void *ctx, uintptr_t addr, unsigned width, uint32_t val)
{
	struct pwrap *w = ctx;
	fpci_mmio_write(w->fp, addr, width, val);
	uintptr_t off = addr - (uintptr_t)w->fp->bar;
	if (off >= 0x3000 && val == 0 && (w->used_id >= 0 || w->used_len >= 0)) {
		/* the request was just answered: rewrite its used element */
		uint8_t *u = (uint8_t *)(uintptr_t)w->fp->q[0].used;
		uint8_t *e = u + 4 + 8u * ((uint16_t)(w->fp->q[0].used_idx - 1) % w->fp->q[0].size);
		if (w->used_id >= 0)
			iomm_put_le32(e, (uint32_t)w->used_id);
		if (w->used_len >= 0)
			iomm_put_le32(e + 4, (uint32_t)w->used_len);
	}
}

void test_virtio_pci_faults(void **state)
{
	(void)state;
	static struct fake_viommu f;
	static struct fake_pci fp;
	static struct iomm_viommu_pci vp;
	static struct iomm_paravirt pv;
	static struct pwrap w;
	memset(&w, 0, sizeof(w));
	w.fp = &fp;
	w.numq = w.qmax = w.used_id = w.used_len = -1;
	w.step = 1000000; /* 1 ms per clock read */
	const struct iomm_port fport = {.now_ns = pw_now, .relax = pw_relax, .ctx = &w,
					.log_level = IOMM_LOG_ERROR};
	fake_init(&f);
	fpci_init(&fp, &f);
	struct iomm_viommu_pci_cfg c = {
	    .ctx = &w,
	    .pci_read32 = pw_cfg_read32,
	    .mmio_read = pw_mmio_read,
	    .mmio_write = pw_mmio_write,
	    .mem = qmem,
	    .mem_pa = (uint64_t)(uintptr_t)qmem,
	    .mem_size = sizeof(qmem),
	    .event_slots = 4,
	    .timeout_ns = 0, /* the default: 1 s */
	};
	c.bar[4] = (uintptr_t)fp.bar;
	const struct iomm_viommu_transport *t = NULL;

	/* argument checks */
	assert_int_equal(iomm_viommu_pci_init(NULL, &fport, &c, &t), IOMM_EINVAL);
	assert_int_equal(iomm_viommu_pci_init(&vp, &fport, &c, NULL), IOMM_EINVAL);
	struct iomm_viommu_pci_cfg bad = c;
	bad.mem = qmem + 8; /* not 16-byte aligned */
	assert_int_equal(iomm_viommu_pci_init(&vp, &fport, &bad, &t), IOMM_EINVAL);
	bad = c;
	bad.mmio_write = NULL;
	assert_int_equal(iomm_viommu_pci_init(&vp, &fport, &bad, &t), IOMM_EINVAL);
	assert_true(iomm_viommu_pci_mem_size(0) > iomm_viommu_pci_mem_size(4)); /* 0: 64 slots */

	/* no capability list: not a virtio-pci device */
	w.no_caps = true;
	assert_int_equal(iomm_viommu_pci_init(&vp, &fport, &c, &t), IOMM_ENODEV);
	w.no_caps = false;

	/* one request queue only, or queues too small: refused, FAILED set */
	w.numq = 1;
	assert_int_equal(iomm_viommu_pci_init(&vp, &fport, &c, &t), IOMM_OK);
	assert_int_equal(iomm_paravirt_init(&pv, &fport, t, NULL), IOMM_ENOTSUP);
	assert_true(fp.status & 0x80);
	w.numq = -1;
	fpci_init(&fp, &f);
	w.qmax = 2;
	assert_int_equal(iomm_viommu_pci_init(&vp, &fport, &c, &t), IOMM_OK);
	assert_int_equal(iomm_paravirt_init(&pv, &fport, t, NULL), IOMM_ENOTSUP);
	assert_true(fp.status & 0x80);
	w.qmax = -1;

	/* a configuration that never reads the same twice */
	fpci_init(&fp, &f);
	assert_int_equal(iomm_viommu_pci_init(&vp, &fport, &c, &t), IOMM_OK);
	w.gen_moves = true;
	assert_int_equal(iomm_paravirt_init(&pv, &fport, t, NULL), IOMM_EIO);
	w.gen_moves = false;

	/* a configuration that turns malformed once FEATURES_OK is set (an empty
	 * domain range): refused after the queues went live, so the device is
	 * reset: Status 0, no queue enabled, no event buffer of qmem held */
	fpci_init(&fp, &f);
	assert_int_equal(iomm_viommu_pci_init(&vp, &fport, &c, &t), IOMM_OK);
	iomm_put_le32(f.cfg + IOMM_VIOMMU_CFG_DOMAIN_START, 5);
	iomm_put_le32(f.cfg + IOMM_VIOMMU_CFG_DOMAIN_END, 4);
	assert_int_equal(iomm_paravirt_init(&pv, &fport, t, NULL), IOMM_ENODEV);
	assert_int_equal(fp.status, 0);
	assert_int_equal(fp.q[0].enable, 0);
	assert_int_equal(fp.q[1].enable, 0);
	/* and the transport sends nothing more */
	uint8_t dreq[20] = {IOMM_VIOMMU_T_DETACH};
	uint8_t dresp[4];
	assert_int_equal(t->request(t->ctx, dreq, sizeof(dreq), dresp, sizeof(dresp)), IOMM_EIO);
	fake_init(&f);

	/* a working device */
	fpci_init(&fp, &f);
	assert_int_equal(iomm_viommu_pci_init(&vp, &fport, &c, &t), IOMM_OK);
	assert_int_equal(iomm_paravirt_init(&pv, &fport, t, NULL), IOMM_OK);
	uint8_t cfg[8];
	assert_int_equal(t->config_read(t->ctx, 0, cfg, sizeof(cfg)), IOMM_OK);
	assert_int_equal(iomm_get_le64(cfg), iomm_get_le64(f.cfg));
	assert_int_equal(t->config_read(t->ctx, 36, cfg, 8), IOMM_EINVAL); /* beyond the device config */
	assert_int_equal(t->config_write(t->ctx, 40, cfg, 1), IOMM_EINVAL);
	uint8_t req[20] = {IOMM_VIOMMU_T_DETACH};
	uint8_t resp[8];
	assert_int_equal(t->request(t->ctx, req, 0, resp, 4), IOMM_EINVAL);
	assert_int_equal(t->request(t->ctx, req, sizeof(req), resp, 3), IOMM_EINVAL);
	assert_int_equal(t->request(t->ctx, req, sizeof(req), resp, 1u << 20), IOMM_EINVAL);
	/* a short reply: its tail is the last four bytes written */
	iomm_put_le32(req + 8, 0x1234); /* an endpoint in no domain: S_INVAL */
	w.used_len = 4;
	memset(resp, 0xee, sizeof(resp));
	assert_int_equal(t->request(t->ctx, req, sizeof(req), resp, sizeof(resp)), IOMM_OK);
	assert_int_equal(resp[4], 0); /* the device's first four bytes: zeroes */
	w.used_len = -1;
	assert_int_equal(t->request(t->ctx, req, sizeof(req), resp, sizeof(resp)), IOMM_OK);
	assert_int_equal(resp[4], IOMM_VIOMMU_S_INVAL);

	/* events: a longer record than the buffer is cut to the caller's buffer */
	uint64_t pa;
	fake_dma(&f, 0x55, 0x7000, false, &pa);
	fpci_pump_events(&fp);
	uint8_t ev[8];
	assert_int_equal(t->event_get(t->ctx, ev, sizeof(ev)), 8);
	assert_int_equal(t->event_get(t->ctx, ev, sizeof(ev)), 0);

	/* a used element naming a descriptor that was never posted: the
	 * transport stops (the device may be writing anywhere) */
	w.used_id = 7;
	assert_int_equal(t->request(t->ctx, req, sizeof(req), resp, sizeof(resp)), IOMM_EIO);
	w.used_id = -1;
	assert_int_equal(t->request(t->ctx, req, sizeof(req), resp, sizeof(resp)), IOMM_EIO);
	assert_int_equal(t->event_get(t->ctx, ev, sizeof(ev)), IOMM_EIO);

	/* the same for the event queue */
	fpci_init(&fp, &f);
	assert_int_equal(iomm_viommu_pci_init(&vp, &fport, &c, &t), IOMM_OK);
	assert_int_equal(iomm_paravirt_init(&pv, &fport, t, NULL), IOMM_OK);
	fake_dma(&f, 0x55, 0x7000, false, &pa);
	fpci_pump_events(&fp);
	uint8_t *u = (uint8_t *)(uintptr_t)fp.q[1].used;
	iomm_put_le32(u + 4 + 8u * ((uint16_t)(fp.q[1].used_idx - 1) % fp.q[1].size), 99);
	assert_int_equal(t->event_get(t->ctx, ev, sizeof(ev)), IOMM_EIO);

	/* a device that never answers: ETIMEDOUT after the default second of
	 * the port's clock, relaxing while it waits */
	fpci_init(&fp, &f);
	assert_int_equal(iomm_viommu_pci_init(&vp, &fport, &c, &t), IOMM_OK);
	assert_int_equal(iomm_paravirt_init(&pv, &fport, t, NULL), IOMM_OK);
	fp.mute = true;
	uint64_t t0 = w.now;
	w.relaxed = 0;
	assert_int_equal(t->request(t->ctx, req, sizeof(req), resp, sizeof(resp)), IOMM_ETIMEDOUT);
	assert_true(w.now - t0 >= 1000000000ull);
	assert_true(w.now - t0 < 1100000000ull);
	assert_true(w.relaxed > 0);
}
