/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Object lifecycle on the SMMUv2 backend: a live domain cannot be
 * initialised again (IOMM_EBUSY, nothing changes), and the unit's domain
 * and device lists the core keeps stay intact through every step. Here a
 * second init used to program a second context bank under the same object.
 */
#include "smmuv2_fx.h"

#include <string.h>

#define RW   (IOMM_READ | IOMM_WRITE)
#define SZ4K UINT64_C(0x1000)

static unsigned ndomains(const struct iomm_unit *u)
{
	unsigned n = 0;
	for (const struct iomm_domain *d = u->domains; d && n < 100; d = d->next)
		n++;
	return n;
}

static unsigned ndevs(const struct iomm_unit *u)
{
	unsigned n = 0;
	for (const struct iomm_dev *d = u->devs; d && n < 100; d = d->next)
		n++;
	return n;
}

static void test_domain_init_twice_is_busy(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct iomm_unit *u = &f->smmu.unit;
	struct iomm_pool *pa = fx_pool(f, 4096, 16), *pb = fx_pool(f, 4096, 16);
	struct iomm_domain a = {0}, b = {0}, s2 = {0};
	struct iomm_dev dev;
	assert_int_equal(fx_domain(f, &a, IOMM_DOMAIN_S1, 0, pa, NULL), IOMM_OK);
	assert_int_equal(ndomains(u), 1);

	/* live and attached: refused, nothing changed */
	fx_attach(f, &dev, &a, 5, 0);
	assert_int_equal(iomm_map(&a, 0x10000, 0x40000, SZ4K, RW), IOMM_OK);
	struct iomm_domain snap = a;
	assert_int_equal(fx_domain(f, &a, IOMM_DOMAIN_S1, 0, pa, NULL), IOMM_EBUSY);
	assert_memory_equal(&a, &snap, sizeof(a));
	assert_int_equal(fx_xlate(f, 5, 0x10123, RD), 0x40123);

	/* live and detached (the case that used to link it twice): refused */
	assert_int_equal(iomm_detach(&dev), IOMM_OK);
	assert_int_equal(ndevs(u), 0);
	snap = a;
	assert_int_equal(fx_domain(f, &a, IOMM_DOMAIN_S1, 0, pa, NULL), IOMM_EBUSY);
	assert_int_equal(fx_domain(f, &a, IOMM_DOMAIN_S2, 0, pa, NULL), IOMM_EBUSY);
	assert_memory_equal(&a, &snap, sizeof(a));
	assert_int_equal(ndomains(u), 1);

	/* another domain still initialises, with its own context bank */
	assert_int_equal(fx_domain(f, &b, IOMM_DOMAIN_S1, 0, pb, NULL), IOMM_OK);
	assert_int_not_equal(b.priv_word, a.priv_word);
	assert_int_equal(fx_domain(f, &s2, IOMM_DOMAIN_S2, 0, fx_pool(f, 4096, 16), NULL),
			 IOMM_OK);
	assert_int_equal(ndomains(u), 3);

	/* destroy, then the object initialises again */
	assert_int_equal(iomm_domain_destroy(&a), IOMM_OK);
	assert_int_equal(iomm_domain_destroy(&a), IOMM_EINVAL);
	assert_int_equal(ndomains(u), 2);
	assert_int_equal(fx_domain(f, &a, IOMM_DOMAIN_S1, 0, pa, NULL), IOMM_OK);
	assert_int_equal(ndomains(u), 3);
	fx_attach(f, &dev, &a, 5, 0);
	assert_int_equal(iomm_map(&a, 0x20000, 0x50000, SZ4K, RW), IOMM_OK);
	assert_int_equal(fx_xlate(f, 5, 0x20010, WR), 0x50010);
	assert_int_equal(iomm_detach(&dev), IOMM_OK);
	assert_int_equal(iomm_domain_destroy(&a), IOMM_OK);
	assert_int_equal(iomm_domain_destroy(&b), IOMM_OK);
	assert_int_equal(iomm_domain_destroy(&s2), IOMM_OK);
	assert_int_equal(ndomains(u), 0);
	fx_check_hygiene(f);
}

/* Stream conflicts come from the core's device list: overlapping sets are refused,
 * disjoint ones (and a set freed by a detach) are accepted. */
static void test_stream_sets_from_core_list(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct iomm_unit *u = &f->smmu.unit;
	struct iomm_domain d = {0};
	assert_int_equal(fx_domain(f, &d, IOMM_DOMAIN_BYPASS, 0, NULL, NULL), IOMM_OK);
	struct iomm_dev a, b, c;
	fx_attach(f, &a, &d, 0x10, 0x3); /* 0x10..0x13 */
	struct iomm_devid id = IOMM_SID(0x12);
	assert_int_equal(iomm_dev_init(&b, u, &id), IOMM_OK);
	assert_int_equal(iomm_attach(&d, &b), IOMM_EBUSY);
	id = IOMM_SID(0x14);
	assert_int_equal(iomm_dev_init(&c, u, &id), IOMM_OK);
	assert_int_equal(iomm_attach(&d, &c), IOMM_OK);
	assert_int_equal(ndevs(u), 2);
	/* every stream of the set translates (bypass), the neighbour too */
	for (uint32_t sid = 0x10; sid <= 0x14; sid++)
		assert_int_equal(fx_xlate(f, sid, 0x1234000, RD), 0x1234000);
	assert_int_equal(iomm_detach(&a), IOMM_OK);
	assert_int_equal(iomm_attach(&d, &b), IOMM_OK);
	assert_int_equal(ndevs(u), 2);
	assert_int_equal(iomm_detach(&b), IOMM_OK);
	assert_int_equal(iomm_detach(&c), IOMM_OK);
	assert_int_equal(ndevs(u), 0);
	assert_int_equal(iomm_domain_destroy(&d), IOMM_OK);
	fx_check_hygiene(f);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(int argc, char **argv)
{
	if (argc > 1) /* run one test (or a wildcard pattern) only */
		cmocka_set_test_filter(argv[1]);
	const struct CMUnitTest tests[] = {
	    T(test_domain_init_twice_is_busy),
	    T(test_stream_sets_from_core_list),
	};
	return cmocka_run_group_tests_name("smmuv2_lifecycle", tests, NULL, NULL);
}
