/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tests of the paravirtual backend (virtio-iommu guest driver) against the
 * device model of fake_viommu.c, through the loopback transport and
 * through the virtio-pci transport with split virtqueues in memory. The
 * fixture is in paravirt_fx.c; the tests of failing devices and transports
 * in paravirt_failures.c.
 */
#include "paravirt_fx.h"

/* ---- init: features, config, unit ---- */
void test_init(void **state)
{
	(void)state;
	struct fx *x = fx_up();
	assert_int_equal(x->f.accepted, IOMM_PARAVIRT_FEATURES);
	assert_int_equal(x->pv.unit.caps, IOMM_CAP_S1 | IOMM_CAP_REMOTE | IOMM_CAP_BYPASS);
	assert_int_equal(x->pv.unit.page_sizes, 0xfffffffffffff000ull);
	assert_int_equal(x->pv.unit.granules, 0x1000);
	assert_int_equal(x->pv.unit.ias, 48);
	assert_int_equal(x->pv.domain_start, 1);
	assert_int_equal(x->pv.probe_size, 0x200);
	assert_int_equal(x->f.cfg[IOMM_VIOMMU_CFG_BYPASS], 0); /* global bypass turned off */

	/* The legacy BYPASS feature is never accepted; VERSION_1 is required. */
	fake_init(&x->f);
	x->f.features |= 1ull << IOMM_VIOMMU_F_BYPASS;
	x->f.features &= ~(1ull << IOMM_VIOMMU_F_BYPASS_CONFIG);
	struct iomm_viommu_loopback_dev d = fake_loopback_dev(&x->f);
	const struct iomm_viommu_transport *t = iomm_viommu_loopback_init(&x->lb, &d);
	assert_int_equal(iomm_paravirt_init(&x->pv, &port, t, NULL), IOMM_OK);
	assert_false(x->f.accepted & (1ull << IOMM_VIOMMU_F_BYPASS));
	assert_int_equal(x->pv.unit.caps, IOMM_CAP_S1 | IOMM_CAP_REMOTE);
	x->f.features &= ~(1ull << IOMM_VIOMMU_F_VERSION_1);
	assert_int_equal(iomm_paravirt_init(&x->pv, &port, t, NULL), IOMM_ENODEV);
	fake_init(&x->f);
	iomm_put_le32(x->f.cfg + IOMM_VIOMMU_CFG_PROBE_SIZE, IOMM_PARAVIRT_PROBE_MAX + 4);
	assert_int_equal(iomm_paravirt_init(&x->pv, &port, t, NULL), IOMM_ENOTSUP);
	assert_int_equal(iomm_paravirt_init(NULL, &port, t, NULL), IOMM_EINVAL);
	assert_null(iomm_viommu_loopback_init(&x->lb, NULL));
}

/* ---- exact request bytes ---- */
static void expect_req(const struct fake_viommu *f, const uint8_t *want, size_t len)
{
	assert_int_equal(f->last_len, len);
	assert_memory_equal(f->last_req, want, len);
}

void test_request_bytes(void **state)
{
	(void)state;
	struct fx *x = fx_up();
	dom_dev_up(x, IOMM_DOMAIN_S1, 0x0208);
	assert_int_equal(x->dom.id, 1); /* first ID of the domain range */

	assert_int_equal(iomm_attach(&x->dom, &x->dev), IOMM_OK);
	static const uint8_t attach[20] = {1, 0, 0, 0, 1, 0, 0, 0, 0x08, 0x02, 0, 0,
					   0, 0, 0, 0, 0, 0, 0, 0};
	expect_req(&x->f, attach, sizeof(attach));

	assert_int_equal(iomm_map(&x->dom, 0x123456000ull, 0x89abc000ull, 0x3000,
				  IOMM_READ | IOMM_WRITE | IOMM_MEM_DEVICE),
			 IOMM_OK);
	static const uint8_t map[36] = {3,    0,    0,    0,    1, 0, 0, 0, /* head, domain */
					0x00, 0x60, 0x45, 0x23, 1, 0, 0, 0, /* virt_start */
					0xff, 0x8f, 0x45, 0x23, 1, 0, 0, 0, /* virt_end */
					0x00, 0xc0, 0xab, 0x89, 0, 0, 0, 0, /* phys_start */
					7,    0,    0,    0};               /* R | W | MMIO */
	expect_req(&x->f, map, sizeof(map));

	uint64_t un = 0;
	assert_int_equal(iomm_unmap(&x->dom, 0x123456000ull, 0x3000, &un), IOMM_OK);
	assert_int_equal(un, 0x3000);
	static const uint8_t unmap[28] = {4,    0,    0,    0,    1, 0, 0, 0,
					  0x00, 0x60, 0x45, 0x23, 1, 0, 0, 0,
					  0xff, 0x8f, 0x45, 0x23, 1, 0, 0, 0,
					  0,    0,    0,    0};
	expect_req(&x->f, unmap, sizeof(unmap));

	assert_int_equal(iomm_detach(&x->dev), IOMM_OK);
	static const uint8_t detach[20] = {2, 0, 0, 0, 1, 0, 0, 0, 0x08, 0x02, 0, 0,
					   0, 0, 0, 0, 0, 0, 0, 0};
	expect_req(&x->f, detach, sizeof(detach));

	/* PROBE was sent once, before the first ATTACH: 72 device-readable bytes. */
	fake_init(&x->f);
	assert_int_equal(iomm_paravirt_probe(&x->pv, 0x77), IOMM_OK);
	uint8_t probe[72] = {5, 0, 0, 0, 0x77, 0, 0, 0};
	expect_req(&x->f, probe, sizeof(probe));
	unsigned n = x->f.nreq;
	assert_int_equal(iomm_paravirt_probe(&x->pv, 0x77), IOMM_OK);
	assert_int_equal(x->f.nreq, n); /* cached */

	/* Bypass domain: the ATTACH carries the bypass flag. */
	struct iomm_domain byp = {0};
	struct iomm_domain_cfg bc = {.type = IOMM_DOMAIN_BYPASS};
	assert_int_equal(iomm_domain_init(&byp, &x->pv.unit, &bc), IOMM_OK);
	assert_int_equal(iomm_attach(&byp, &x->dev), IOMM_OK);
	assert_int_equal(x->f.last_req[0], IOMM_VIOMMU_T_ATTACH);
	assert_int_equal(iomm_get_le32(x->f.last_req + IOMM_VIOMMU_ATTACH_DOMAIN), byp.id);
	assert_int_equal(iomm_get_le32(x->f.last_req + IOMM_VIOMMU_ATTACH_FLAGS), 1);
	assert_int_not_equal(byp.id, x->dom.id);
	assert_int_equal(iomm_detach(&x->dev), IOMM_OK);
	assert_int_equal(iomm_domain_destroy(&byp), IOMM_OK);
	assert_int_equal(iomm_domain_destroy(&x->dom), IOMM_OK);
}

/* ---- status codes ---- */
void test_status_map(void **state)
{
	(void)state;
	static const struct {
		uint8_t s;
		int rc;
	} tab[] = {
	    {IOMM_VIOMMU_S_OK, IOMM_OK},         {IOMM_VIOMMU_S_IOERR, IOMM_EIO},
	    {IOMM_VIOMMU_S_UNSUPP, IOMM_ENOTSUP}, {IOMM_VIOMMU_S_DEVERR, IOMM_EIO},
	    {IOMM_VIOMMU_S_INVAL, IOMM_EINVAL},  {IOMM_VIOMMU_S_RANGE, IOMM_ERANGE},
	    {IOMM_VIOMMU_S_NOENT, IOMM_ENOENT},  {IOMM_VIOMMU_S_FAULT, IOMM_EFAULT},
	    {IOMM_VIOMMU_S_NOMEM, IOMM_ENOMEM},  {200, IOMM_EIO},
	};
	struct fx *x = fx_up();
	dom_dev_up(x, IOMM_DOMAIN_S1, 8);
	assert_int_equal(iomm_attach(&x->dom, &x->dev), IOMM_OK);
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		assert_int_equal(iomm_paravirt_status(tab[i].s), tab[i].rc);
		x->f.force_status = tab[i].s;
		assert_int_equal(iomm_map(&x->dom, 0x10000, 0x20000, 0x1000, IOMM_READ), tab[i].rc);
		assert_int_equal(iomm_unmap(&x->dom, 0x10000, 0x1000, NULL), tab[i].rc);
	}
	x->f.force_status = -1;
	/* What the device itself answers: overlap S_INVAL, split S_RANGE, unknown S_NOENT. */
	assert_int_equal(iomm_map(&x->dom, 0x10000, 0x20000, 0x2000, IOMM_READ), IOMM_OK);
	assert_int_equal(iomm_map(&x->dom, 0x11000, 0x20000, 0x1000, IOMM_READ), IOMM_EINVAL);
	assert_int_equal(iomm_unmap(&x->dom, 0x10000, 0x1000, NULL), IOMM_ERANGE);
	struct iomm_dev ghost;
	assert_int_equal(iomm_dev_init(&ghost, &x->pv.unit, &IOMM_SID(0x123456)), IOMM_OK);
	struct iomm_domain d2 = {0};
	struct iomm_domain_cfg c = {.type = IOMM_DOMAIN_S1};
	assert_int_equal(iomm_domain_init(&d2, &x->pv.unit, &c), IOMM_OK);
	assert_int_equal(iomm_attach(&d2, &ghost), IOMM_ENOENT); /* PROBE answered S_NOENT */
}

/* ---- local checks before any request ---- */
void test_local_checks(void **state)
{
	(void)state;
	struct fx *x = fx_up();
	dom_dev_up(x, IOMM_DOMAIN_S1, 8);
	unsigned n = x->f.nreq;
	assert_int_equal(iomm_map(&x->dom, 0x10800, 0x20000, 0x1000, IOMM_READ), IOMM_EINVAL);
	assert_int_equal(iomm_map(&x->dom, 0x10000, 0x20800, 0x1000, IOMM_READ), IOMM_EINVAL);
	assert_int_equal(iomm_map(&x->dom, 0x10000, 0x20000, 0x800, IOMM_READ), IOMM_EINVAL);
	assert_int_equal(iomm_map(&x->dom, 0x10000, 0x20000, 0, IOMM_READ), IOMM_EINVAL);
	assert_int_equal(iomm_map(&x->dom, 0x10000, 0x20000, 0x1000, 0), IOMM_EINVAL);
	assert_int_equal(iomm_map(&x->dom, 1ull << 48, 0x20000, 0x1000, IOMM_READ), IOMM_ERANGE);
	assert_int_equal(iomm_map(&x->dom, (1ull << 48) - 0x1000, 0, 0x2000, IOMM_READ),
			 IOMM_ERANGE);
	assert_int_equal(iomm_unmap(&x->dom, 0x10800, 0x1000, NULL), IOMM_EINVAL);
	assert_int_equal(x->f.nreq, n); /* nothing was sent */

	/* No MMIO feature: device memory cannot be expressed. */
	fake_init(&x->f);
	x->f.features &= ~(1ull << IOMM_VIOMMU_F_MMIO);
	struct iomm_viommu_loopback_dev d = fake_loopback_dev(&x->f);
	const struct iomm_viommu_transport *t = iomm_viommu_loopback_init(&x->lb, &d);
	assert_int_equal(iomm_paravirt_init(&x->pv, &port, t, NULL), IOMM_OK);
	dom_dev_up(x, IOMM_DOMAIN_S1, 8);
	assert_int_equal(iomm_map(&x->dom, 0x10000, 0x20000, 0x1000, IOMM_READ | IOMM_MEM_DEVICE),
			 IOMM_ENOTSUP);
	assert_int_equal(iomm_map(&x->dom, 0x10000, 0x20000, 0x1000, IOMM_READ), IOMM_OK);
	assert_int_equal(iomm_get_le32(x->f.last_req + IOMM_VIOMMU_MAP_FLAGS), 1);
	/* Stream groups have no endpoint ID. */
	struct iomm_dev grp;
	struct iomm_devid id = {.kind = IOMM_DEVID_SID, .sid = 8, .mask = 1};
	assert_int_equal(iomm_dev_init(&grp, &x->pv.unit, &id), IOMM_OK);
	assert_int_equal(iomm_attach(&x->dom, &grp), IOMM_ENOTSUP);
}

/* ---- PROBE ---- */
void test_probe(void **state)
{
	(void)state;
	struct fx *x = fx_up();
	fake_add_resv(&x->f, IOMM_VIOMMU_RESV_T_MSI, 0x08020000, 0x08020fff);
	fake_add_resv(&x->f, IOMM_VIOMMU_RESV_T_RESERVED, 0x40000000, 0x4000ffff);
	fake_add_page_mask(&x->f, 0x10000ull | 0x200000ull); /* 64K and 2M pages only */
	dom_dev_up(x, IOMM_DOMAIN_S1, 8);
	uint64_t s = 0, e = 0;
	assert_int_equal(iomm_paravirt_msi_region(&x->pv, 8, &s, &e), IOMM_ENOENT);
	assert_int_equal(iomm_paravirt_probe(&x->pv, 8), IOMM_OK);
	assert_int_equal(iomm_paravirt_msi_region(&x->pv, 8, &s, &e), IOMM_OK);
	assert_int_equal(s, 0x08020000);
	assert_int_equal(e, 0x08020fff);
	struct iomm_paravirt_resv r;
	assert_int_equal(iomm_paravirt_resv_get(&x->pv, 8, 1, &r), IOMM_OK);
	assert_int_equal(r.subtype, IOMM_VIOMMU_RESV_T_RESERVED);
	assert_int_equal(r.start, 0x40000000);
	assert_int_equal(iomm_paravirt_resv_get(&x->pv, 8, 2, &r), IOMM_ENOENT);

	/* Before attach the domain has the device's page sizes; after, the endpoint's. */
	assert_int_equal(iomm_map(&x->dom, 0x1000, 0x1000, 0x1000, IOMM_READ), IOMM_OK);
	assert_int_equal(iomm_unmap(&x->dom, 0x1000, 0x1000, NULL), IOMM_OK);
	assert_int_equal(iomm_attach(&x->dom, &x->dev), IOMM_OK);
	assert_int_equal(iomm_map(&x->dom, 0x1000, 0x1000, 0x1000, IOMM_READ), IOMM_EINVAL);
	assert_int_equal(iomm_map(&x->dom, 0x10000, 0x10000, 0x10000, IOMM_READ), IOMM_OK);

	/* Reserved region: refused locally, MSI region: allowed (not translated anyway). */
	unsigned n = x->f.nreq;
	assert_int_equal(iomm_map(&x->dom, 0x3fff0000, 0, 0x20000, IOMM_READ), IOMM_ERANGE);
	assert_int_equal(iomm_map(&x->dom, 0x4000f000 & ~0xffffull, 0, 0x10000, IOMM_READ),
			 IOMM_ERANGE);
	assert_int_equal(x->f.nreq, n);
	assert_int_equal(iomm_map(&x->dom, 0x40010000, 0, 0x10000, IOMM_READ), IOMM_OK);
	assert_int_equal(iomm_map(&x->dom, 0x08020000 & ~0xffffull, 0, 0x10000, IOMM_READ),
			 IOMM_OK);
	/* A malformed property list is refused. */
	fake_init(&x->f);
	iomm_put_le16(x->f.props, IOMM_VIOMMU_PROP_RESV_MEM);
	iomm_put_le16(x->f.props + 2, 0x300); /* runs past probe_size */
	x->f.props_len = 8;
	assert_int_equal(iomm_paravirt_probe(&x->pv, 9), IOMM_EINVAL);
}

/* ---- loopback round trip with DMA through the model ---- */
void test_roundtrip(void **state)
{
	(void)state;
	struct fx *x = fx_up();
	dom_dev_up(x, IOMM_DOMAIN_S1, 8);
	uint64_t pa = 0;
	assert_false(fake_dma(&x->f, 8, 0x5000, false, &pa)); /* blocked before attach */
	assert_int_equal(iomm_attach(&x->dom, &x->dev), IOMM_OK);
	assert_false(fake_dma(&x->f, 8, 0x5000, false, &pa));
	assert_int_equal(iomm_map(&x->dom, 0x5000, 0xabc000, 0x2000, IOMM_READ), IOMM_OK);
	assert_true(fake_dma(&x->f, 8, 0x6010, false, &pa));
	assert_int_equal(pa, 0xabd010);
	assert_false(fake_dma(&x->f, 8, 0x6010, true, &pa)); /* read-only */
	assert_int_equal(iomm_unmap(&x->dom, 0x5000, 0x2000, NULL), IOMM_OK);
	assert_false(fake_dma(&x->f, 8, 0x6010, false, &pa));
	assert_int_equal(iomm_map(&x->dom, 0x5000, 0xabc000, 0x1000, IOMM_WRITE), IOMM_OK);
	assert_true(fake_dma(&x->f, 8, 0x5000, true, &pa));
	assert_int_equal(iomm_domain_destroy(&x->dom), IOMM_EBUSY);
	assert_int_equal(iomm_detach(&x->dev), IOMM_OK);
	assert_false(fake_dma(&x->f, 8, 0x5000, true, &pa));
	assert_int_equal(iomm_domain_destroy(&x->dom), IOMM_OK);

	/* Blocked domain: attached, but nothing can be mapped. */
	struct iomm_domain_cfg c = {.type = IOMM_DOMAIN_BLOCKED};
	assert_int_equal(iomm_domain_init(&x->dom, &x->pv.unit, &c), IOMM_OK);
	assert_int_equal(iomm_attach(&x->dom, &x->dev), IOMM_OK);
	assert_int_equal(iomm_map(&x->dom, 0x5000, 0, 0x1000, IOMM_READ), IOMM_EINVAL);
	assert_false(fake_dma(&x->f, 8, 0x5000, false, &pa));

	/* Domain IDs run out at IOMM_PARAVIRT_MAX_DOMAINS or the device's range. */
	fake_init(&x->f);
	iomm_put_le32(x->f.cfg + IOMM_VIOMMU_CFG_DOMAIN_START, 10);
	iomm_put_le32(x->f.cfg + IOMM_VIOMMU_CFG_DOMAIN_END, 11);
	struct iomm_viommu_loopback_dev d = fake_loopback_dev(&x->f);
	const struct iomm_viommu_transport *t = iomm_viommu_loopback_init(&x->lb, &d);
	assert_int_equal(iomm_paravirt_init(&x->pv, &port, t, NULL), IOMM_OK);
	struct iomm_domain a = {0}, b = {0}, z = {0};
	struct iomm_domain_cfg s1 = {.type = IOMM_DOMAIN_S1};
	assert_int_equal(iomm_domain_init(&a, &x->pv.unit, &s1), IOMM_OK);
	assert_int_equal(iomm_domain_init(&b, &x->pv.unit, &s1), IOMM_OK);
	assert_int_equal(a.id, 10);
	assert_int_equal(b.id, 11);
	assert_int_equal(iomm_domain_init(&z, &x->pv.unit, &s1), IOMM_ENOSPC);
	assert_int_equal(iomm_domain_destroy(&a), IOMM_OK);
	assert_int_equal(iomm_domain_init(&z, &x->pv.unit, &s1), IOMM_OK);
	assert_int_equal(z.id, 10);
}

/* ---- fault events ---- */
void test_faults(void **state)
{
	(void)state;
	struct fx *x = fx_up();
	dom_dev_up(x, IOMM_DOMAIN_S1, 0x18);
	struct got g = {0};
	assert_int_equal(iomm_fault_poll(&x->pv.unit, on_fault, &g), 0);
	uint64_t pa;
	fake_dma(&x->f, 0x18, 0x9000, true, &pa); /* not attached */
	assert_int_equal(iomm_attach(&x->dom, &x->dev), IOMM_OK);
	assert_int_equal(iomm_map(&x->dom, 0x5000, 0xabc000, 0x1000, IOMM_READ), IOMM_OK);
	fake_dma(&x->f, 0x18, 0x5008, true, &pa);   /* permission */
	fake_dma(&x->f, 0x18, 0x7000, false, &pa);  /* translation */
	assert_int_equal(iomm_fault_poll(&x->pv.unit, on_fault, &g), 3);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.f[0].reason, IOMM_FAULT_BAD_STREAM);
	assert_int_equal(g.f[0].sid, 0x18);
	assert_int_equal(g.f[0].addr, 0x9000);
	assert_int_equal(g.f[1].reason, IOMM_FAULT_PERMISSION);
	assert_int_equal(g.f[1].flags, IOMM_FAULT_WRITE);
	assert_int_equal(g.f[1].addr, 0x5008);
	assert_int_equal(g.f[1].raw, 2u | (0x102u << 8));
	assert_int_equal(g.f[2].reason, IOMM_FAULT_TRANSLATION);
	assert_int_equal(g.f[2].flags, 0);
	assert_int_equal(g.f[2].addr, 0x7000);
	assert_int_equal(g.f[2].lost, 0);
	g.n = 0;
	assert_int_equal(iomm_fault_poll(&x->pv.unit, on_fault, &g), 0);

	/* Without the address flag the address is not reported. */
	uint8_t *e = x->f.events[0];
	memset(e, 0, IOMM_VIOMMU_FAULT_SIZE);
	e[0] = 0;
	iomm_put_le32(e + 8, 7);
	iomm_put_le64(e + 16, 0x1234);
	x->f.ev_head = 0;
	x->f.ev_count = 1;
	assert_int_equal(iomm_fault_poll(&x->pv.unit, on_fault, &g), 1);
	assert_int_equal(g.f[0].reason, IOMM_FAULT_OTHER);
	assert_int_equal(g.f[0].addr, 0);
	assert_int_equal(g.f[0].sid, 7);
}


/* ---- virtio-pci transport with split virtqueues ---- */
void test_virtio_pci(void **state)
{
	(void)state;
	static struct fake_viommu f;
	static struct fake_pci fp;
	static struct iomm_viommu_pci vp;
	static struct iomm_paravirt pv;
	fake_init(&f);
	fake_add_resv(&f, IOMM_VIOMMU_RESV_T_MSI, 0x08020000, 0x08020fff);
	fpci_init(&fp, &f);
	struct iomm_viommu_pci_cfg c = {
	    .ctx = &fp,
	    .pci_read32 = fpci_cfg_read32,
	    .mmio_read = fpci_mmio_read,
	    .mmio_write = fpci_mmio_write,
	    .mem = qmem,
	    .mem_pa = (uint64_t)(uintptr_t)qmem,
	    .mem_size = sizeof(qmem),
	    .event_slots = 4,
	    .timeout_ns = 50000000,
	};
	c.bar[4] = (uintptr_t)fp.bar;
	const struct iomm_viommu_transport *t = NULL;
	assert_true(iomm_viommu_pci_mem_size(4) <= sizeof(qmem));
	assert_int_equal(iomm_viommu_pci_init(&vp, &port, &c, &t), IOMM_OK);
	assert_int_equal(fp.status, 3); /* ACKNOWLEDGE | DRIVER */
	assert_int_equal(iomm_paravirt_init(&pv, &port, t, NULL), IOMM_OK);
	assert_int_equal(fp.status, 0xf); /* + FEATURES_OK | DRIVER_OK */
	assert_int_equal(f.accepted, IOMM_PARAVIRT_FEATURES);
	assert_int_equal(fp.q[0].size, IOMM_VIOMMU_PCI_REQ_SLOTS);
	assert_int_equal(fp.q[1].size, 4);
	assert_int_equal(fp.q[0].enable, 1);
	assert_int_equal(pv.unit.ias, 48);
	assert_int_equal(f.cfg[IOMM_VIOMMU_CFG_BYPASS], 0);

	struct iomm_domain dom = {0};
	struct iomm_dev dev;
	struct iomm_domain_cfg dc = {.type = IOMM_DOMAIN_S1};
	assert_int_equal(iomm_domain_init(&dom, &pv.unit, &dc), IOMM_OK);
	assert_int_equal(iomm_dev_init(&dev, &pv.unit, &IOMM_SID(8)), IOMM_OK);
	assert_int_equal(iomm_attach(&dom, &dev), IOMM_OK); /* PROBE + ATTACH */
	uint64_t s, e;
	assert_int_equal(iomm_paravirt_msi_region(&pv, 8, &s, &e), IOMM_OK);
	assert_int_equal(s, 0x08020000);
	/* More requests than the ring has slots: indexes wrap. */
	for (unsigned i = 0; i < 10; i++) {
		assert_int_equal(iomm_map(&dom, 0x10000, 0x20000, 0x1000, IOMM_READ), IOMM_OK);
		assert_int_equal(iomm_map(&dom, 0x10000, 0x20000, 0x1000, IOMM_READ), IOMM_EINVAL);
		assert_int_equal(iomm_unmap(&dom, 0x10000, 0x1000, NULL), IOMM_OK);
	}
	static const uint8_t unmap[28] = {4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0,
					  0, 0, 0xff, 0x0f, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	assert_int_equal(f.last_len, sizeof(unmap));
	assert_memory_equal(f.last_req, unmap, sizeof(unmap));

	/* Events: more faults than event buffers, in several rounds; buffers are reposted. */
	struct got g = {0};
	uint64_t pa;
	for (unsigned round = 0; round < 3; round++) {
		g.n = 0;
		for (unsigned i = 0; i < 3; i++)
			fake_dma(&f, 8, 0x40000 + 0x1000 * i, true, &pa);
		fpci_pump_events(&fp);
		assert_int_equal(iomm_fault_poll(&pv.unit, on_fault, &g), 3);
		assert_int_equal(g.f[2].addr, 0x42000);
		assert_int_equal(g.f[2].sid, 8);
		assert_int_equal(g.f[2].reason, IOMM_FAULT_TRANSLATION);
	}
	assert_int_equal(iomm_detach(&dev), IOMM_OK);

	/* A device that never answers: ETIMEDOUT, then the transport stays down. */
	fp.mute = true;
	assert_int_equal(iomm_attach(&dom, &dev), IOMM_ETIMEDOUT);
	fp.mute = false;
	assert_int_equal(iomm_attach(&dom, &dev), IOMM_EIO);

	/* A reset that never completes. */
	fpci_init(&fp, &f);
	fp.reset_stuck = true;
	assert_int_equal(iomm_viommu_pci_init(&vp, &port, &c, &t), IOMM_ETIMEDOUT);
	/* Features the device refuses: FEATURES_OK does not stick. */
	fpci_init(&fp, &f);
	assert_int_equal(iomm_viommu_pci_init(&vp, &port, &c, &t), IOMM_OK);
	f.features &= ~(1ull << IOMM_VIOMMU_F_MMIO);
	assert_int_equal(t->features_set(t->ctx, IOMM_PARAVIRT_FEATURES), IOMM_ENOTSUP);
	assert_true(fp.status & 0x80); /* FAILED */
	/* Argument checks. */
	c.mem_size = 64;
	assert_int_equal(iomm_viommu_pci_init(&vp, &port, &c, &t), IOMM_ENOMEM);
	c.mem_size = sizeof(qmem);
	c.event_slots = 3;
	assert_int_equal(iomm_viommu_pci_init(&vp, &port, &c, &t), IOMM_EINVAL);
	c.event_slots = 4;
	c.bar[4] = 0;
	assert_int_equal(iomm_viommu_pci_init(&vp, &port, &c, &t), IOMM_ENODEV);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init),         cmocka_unit_test(test_request_bytes),
	    cmocka_unit_test(test_status_map),   cmocka_unit_test(test_local_checks),
	    cmocka_unit_test(test_probe),        cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_faults),       cmocka_unit_test(test_virtio_pci),
	    cmocka_unit_test(test_init_failures), cmocka_unit_test(test_probe_errors),
	    cmocka_unit_test(test_refused_keep_slots),
	    cmocka_unit_test(test_fault_records), cmocka_unit_test(test_loopback_checks),
	    cmocka_unit_test(test_virtio_pci_faults),
	};
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
