/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Object lifecycle, the same on every backend: a live domain cannot be
 * initialised again (IOMM_EBUSY, nothing changes), and the unit's domain and
 * device lists the core keeps stay intact through every step. A domain linked
 * twice used to make the next hardware-tag search (ASID, context bank, domain
 * ID) loop for ever; here it would time the test out.
 *
 * Included once by each backend's test_<backend>_lifecycle.c after it has
 * defined the adapter macros below on top of its fixture:
 *   LC_NAME                 the cmocka group name
 *   LC_UNIT(f)              the struct iomm_unit of fixture @f
 *   LC_POOL(f)              a table pool for one domain (NULL where the
 *                           fixture gives domains their tables itself)
 *   LC_DOMAIN(f, d, p)      init translating domain @d on pool @p
 *   LC_OTHER(f, d, p)       init @d as another domain type, on pool @p
 *   LC_BYPASS(f, d)         init a bypass domain
 *   LC_ATTACH(f, dev, d, sid, mask)  dev_init + attach, asserting success
 *   LC_XLATE(f, sid, iova, write)    the model's translation of one access
 *   LC_TAG(d)               the hardware tag the backend chose for @d
 *   LC_SID                  a stream ID the fixture's model knows
 *   LC_SET                  base of a 4-stream set (mask 0x3) and its neighbour
 */
#ifndef IOMM_TEST_LIFECYCLE_CASES_H
#define IOMM_TEST_LIFECYCLE_CASES_H

#include <string.h>

#define LC_RW	(IOMM_READ | IOMM_WRITE)
#define LC_SZ4K UINT64_C(0x1000)

static unsigned lc_ndomains(const struct iomm_unit *u)
{
	unsigned n = 0;
	for (const struct iomm_domain *d = u->domains; d && n < 100; d = d->next)
		n++;
	return n;
}

static unsigned lc_ndevs(const struct iomm_unit *u)
{
	unsigned n = 0;
	for (const struct iomm_dev *d = u->devs; d && n < 100; d = d->next)
		n++;
	return n;
}

/* @a is still what @b was: every field but the padding (init copies a local). */
static void lc_assert_same(const struct iomm_domain *a, const struct iomm_domain *b)
{
	assert_ptr_equal(a->unit, b->unit);
	assert_ptr_equal(a->parent, b->parent);
	assert_ptr_equal(a->next, b->next);
	assert_ptr_equal(a->pgt.root, b->pgt.root);
	assert_int_equal(a->pgt.root_pa, b->pgt.root_pa);
	assert_int_equal(a->pgt.cfg.format, b->pgt.cfg.format);
	assert_int_equal(a->pgt.cfg.ias, b->pgt.cfg.ias);
	assert_int_equal(a->pgt.cfg.oas, b->pgt.cfg.oas);
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->live, b->live);
	assert_int_equal(a->id, b->id);
	assert_int_equal(a->ndevs, b->ndevs);
	assert_int_equal(a->nchildren, b->nchildren);
	assert_ptr_equal(a->priv, b->priv);
	assert_int_equal(a->priv_pa, b->priv_pa);
	assert_int_equal(a->priv_word, b->priv_word);
}

static void test_domain_init_twice_is_busy(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct iomm_unit *u = LC_UNIT(f);
	struct iomm_pool *pa = LC_POOL(f), *pb = LC_POOL(f), *pc = LC_POOL(f);
	struct iomm_domain a = {0}, b = {0}, c = {0};
	struct iomm_dev dev;
	assert_int_equal(LC_DOMAIN(f, &a, pa), IOMM_OK);
	assert_int_equal(lc_ndomains(u), 1);

	/* live and attached: refused, nothing changed */
	LC_ATTACH(f, &dev, &a, LC_SID, 0);
	assert_int_equal(iomm_map(&a, 0x10000, 0x40000, LC_SZ4K, LC_RW), IOMM_OK);
	struct iomm_domain snap = a;
	assert_int_equal(LC_DOMAIN(f, &a, pa), IOMM_EBUSY);
	lc_assert_same(&a, &snap);
	assert_int_equal(LC_XLATE(f, LC_SID, 0x10123, false), 0x40123);

	/* live and detached (the case that used to link it twice): refused */
	assert_int_equal(iomm_detach(&dev), IOMM_OK);
	assert_int_equal(lc_ndevs(u), 0);
	snap = a;
	assert_int_equal(LC_DOMAIN(f, &a, pa), IOMM_EBUSY);
	assert_int_equal(LC_OTHER(f, &a, pa), IOMM_EBUSY);
	lc_assert_same(&a, &snap);
	assert_int_equal(lc_ndomains(u), 1);

	/* another domain still initialises, with its own hardware tag */
	assert_int_equal(LC_DOMAIN(f, &b, pb), IOMM_OK);
	assert_int_not_equal(LC_TAG(&b), LC_TAG(&a));
	assert_int_equal(LC_OTHER(f, &c, pc), IOMM_OK);
	assert_int_equal(lc_ndomains(u), 3);

	/* destroy, then the object initialises again */
	assert_int_equal(iomm_domain_destroy(&a), IOMM_OK);
	assert_int_equal(iomm_domain_destroy(&a), IOMM_EINVAL);
	assert_int_equal(lc_ndomains(u), 2);
	assert_int_equal(LC_DOMAIN(f, &a, pa), IOMM_OK);
	assert_int_equal(lc_ndomains(u), 3);
	LC_ATTACH(f, &dev, &a, LC_SID, 0);
	assert_int_equal(iomm_map(&a, 0x20000, 0x50000, LC_SZ4K, LC_RW), IOMM_OK);
	assert_int_equal(LC_XLATE(f, LC_SID, 0x20010, true), 0x50010);
	assert_int_equal(iomm_detach(&dev), IOMM_OK);
	assert_int_equal(iomm_domain_destroy(&a), IOMM_OK);
	assert_int_equal(iomm_domain_destroy(&b), IOMM_OK);
	assert_int_equal(iomm_domain_destroy(&c), IOMM_OK);
	assert_int_equal(lc_ndomains(u), 0);
	fx_check_hygiene(f);
}

/* Stream conflicts come from the core's device list: overlapping sets are
 * refused, disjoint ones (and a set freed by a detach) are accepted. */
static void test_stream_sets_from_core_list(void **state)
{
	struct fx *f = *state;
	fx_start(f);
	struct iomm_unit *u = LC_UNIT(f);
	struct iomm_domain d = {0};
	assert_int_equal(LC_BYPASS(f, &d), IOMM_OK);
	struct iomm_dev a, b, c;
	LC_ATTACH(f, &a, &d, LC_SET, 0x3); /* LC_SET .. LC_SET + 3 */
	struct iomm_devid id = IOMM_SID(LC_SET + 2);
	assert_int_equal(iomm_dev_init(&b, u, &id), IOMM_OK);
	assert_int_equal(iomm_attach(&d, &b), IOMM_EBUSY);
	id = IOMM_SID(LC_SET + 4);
	assert_int_equal(iomm_dev_init(&c, u, &id), IOMM_OK);
	assert_int_equal(iomm_attach(&d, &c), IOMM_OK);
	assert_int_equal(lc_ndevs(u), 2);
	/* every stream of the set translates (bypass), the neighbour too */
	for (uint32_t sid = LC_SET; sid <= LC_SET + 4; sid++)
		assert_int_equal(LC_XLATE(f, sid, 0x1234000, false), 0x1234000);
	assert_int_equal(iomm_detach(&a), IOMM_OK);
	assert_int_equal(iomm_attach(&d, &b), IOMM_OK);
	assert_int_equal(lc_ndevs(u), 2);
	assert_int_equal(iomm_detach(&b), IOMM_OK);
	assert_int_equal(iomm_detach(&c), IOMM_OK);
	assert_int_equal(lc_ndevs(u), 0);
	assert_int_equal(iomm_domain_destroy(&d), IOMM_OK);
	fx_check_hygiene(f);
}

#define LC_T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(int argc, char **argv)
{
	if (argc > 1) /* run one test (or a wildcard pattern) only */
		cmocka_set_test_filter(argv[1]);
	const struct CMUnitTest tests[] = {
	    LC_T(test_domain_init_twice_is_busy),
	    LC_T(test_stream_sets_from_core_list),
	};
	return cmocka_run_group_tests_name(LC_NAME, tests, NULL, NULL);
}

#endif /* IOMM_TEST_LIFECYCLE_CASES_H */
