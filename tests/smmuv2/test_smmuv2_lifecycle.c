/* SPDX-License-Identifier: BSD-3-Clause */
/* Object lifecycle on the SMMUv2 backend: tests/common/lifecycle_cases.h. */
#include "smmuv2_fx.h"

#define LC_NAME			    "smmuv2_lifecycle"
#define LC_UNIT(f)		    (&(f)->smmu.unit)
#define LC_POOL(f)		    fx_pool((f), 4096, 16)
#define LC_DOMAIN(f, d, p)	    fx_domain((f), (d), IOMM_DOMAIN_S1, 0, (p), NULL)
#define LC_OTHER(f, d, p)	    fx_domain((f), (d), IOMM_DOMAIN_S2, 0, (p), NULL)
#define LC_BYPASS(f, d)		    fx_domain((f), (d), IOMM_DOMAIN_BYPASS, 0, NULL, NULL)
#define LC_ATTACH(f, dev, d, s, m)  fx_attach((f), (dev), (d), (s), (m))
#define LC_XLATE(f, sid, iova, wr)  fx_xlate((f), (sid), (iova), (wr) ? WR : RD)
#define LC_TAG(d)		    ((d)->priv_word) /* the context bank */
#define LC_SID			    5u
#define LC_SET			    0x10u

#include "lifecycle_cases.h"
