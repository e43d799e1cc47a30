/* SPDX-License-Identifier: BSD-3-Clause */
/* Object lifecycle on the VT-d backend: tests/common/lifecycle_cases.h. */
#include "vtd_fx.h"

#define LC_NAME			    "vtd_lifecycle"
#define LC_UNIT(f)		    (&(f)->vtd.unit)
#define LC_POOL(f)		    ((void)(f), (struct iomm_pool *)NULL) /* the fixture's pool */
#define LC_DOMAIN(f, d, p)	    ((void)(p), fx_domain((f), (d), IOMM_DOMAIN_S2, 0))
#define LC_OTHER(f, d, p)	    ((void)(p), fx_domain((f), (d), IOMM_DOMAIN_BYPASS, 0))
#define LC_BYPASS(f, d)		    fx_domain((f), (d), IOMM_DOMAIN_BYPASS, 0)
#define LC_ATTACH(f, dev, d, s, m)  vtd_lc_attach((f), (dev), (d), (s), (m))
#define LC_XLATE(f, sid, iova, wr)  fx_xlate((f), (uint16_t)(sid), (iova), (wr))
#define LC_TAG(d)		    ((d)->id) /* the domain ID */
#define LC_SID			    0x0105u
#define LC_SET			    0x0110u

static void vtd_lc_attach(struct fx *f, struct iomm_dev *dev, struct iomm_domain *d, uint32_t sid,
			  uint32_t mask)
{
	struct iomm_devid id = IOMM_SID(sid);
	id.mask = mask;
	assert_int_equal(iomm_dev_init(dev, &f->vtd.unit, &id), IOMM_OK);
	assert_int_equal(iomm_attach(d, dev), IOMM_OK);
}

#include "lifecycle_cases.h"
