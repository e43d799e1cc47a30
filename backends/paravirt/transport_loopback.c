/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loopback transport: requests go straight to a device model in the same
 * program through function pointers. Nothing here knows which model.
 */
#include <iommuman/paravirt.h>

#include "iomm_internal.h"

static int lb_request(void *ctx, const void *req, size_t req_len, void *resp, size_t resp_len)
{
	struct iomm_viommu_loopback *lb = ctx;
	if (resp_len < IOMM_VIOMMU_TAIL_SIZE)
		return IOMM_EINVAL;
	size_t n = lb->d.handle(lb->d.dev, req, req_len, resp, resp_len);
	if (n < IOMM_VIOMMU_TAIL_SIZE || n > resp_len)
		return IOMM_EIO;
	if (n < resp_len) {
		/* A short reply: its tail is the last four bytes written. */
		uint8_t *r = resp;
		uint8_t status = r[n - IOMM_VIOMMU_TAIL_SIZE];
		r[resp_len - IOMM_VIOMMU_TAIL_SIZE] = status;
	}
	return IOMM_OK;
}

static int lb_config_read(void *ctx, uint32_t off, void *buf, size_t len)
{
	struct iomm_viommu_loopback *lb = ctx;
	uint8_t tmp[64];
	size_t have = lb->d.config(lb->d.dev, tmp, sizeof(tmp));
	if (have > sizeof(tmp))
		have = sizeof(tmp);
	if (off > have || len > have - off)
		return IOMM_EINVAL;
	uint8_t *out = buf;
	for (size_t i = 0; i < len; i++)
		out[i] = tmp[off + i];
	return IOMM_OK;
}

static int lb_config_write(void *ctx, uint32_t off, const void *buf, size_t len)
{
	struct iomm_viommu_loopback *lb = ctx;
	if (!lb->d.config_write)
		return IOMM_EINVAL;
	lb->d.config_write(lb->d.dev, off, buf, len);
	return IOMM_OK;
}

static uint64_t lb_features_get(void *ctx)
{
	struct iomm_viommu_loopback *lb = ctx;
	return lb->d.features ? lb->d.features(lb->d.dev) : IOMM_PARAVIRT_FEATURES;
}

static int lb_features_set(void *ctx, uint64_t features)
{
	struct iomm_viommu_loopback *lb = ctx;
	if (features & ~lb_features_get(ctx))
		return IOMM_ENOTSUP;
	lb->features = features;
	if (lb->d.set_features)
		lb->d.set_features(lb->d.dev, features);
	return IOMM_OK;
}

static int lb_event_get(void *ctx, void *buf, size_t cap)
{
	struct iomm_viommu_loopback *lb = ctx;
	if (!lb->d.event)
		return 0;
	size_t n = lb->d.event(lb->d.dev, buf, cap);
	return n > cap ? (int)cap : (int)n;
}

const struct iomm_viommu_transport *iomm_viommu_loopback_init(struct iomm_viommu_loopback *lb,
							      const struct iomm_viommu_loopback_dev *dev)
{
	if (!lb || !dev || !dev->handle || !dev->config)
		return NULL;
	lb->d = *dev;
	lb->features = 0;
	lb->t = (struct iomm_viommu_transport){
	    .ctx = lb,
	    .request = lb_request,
	    .config_read = lb_config_read,
	    .config_write = lb_config_write,
	    .features_get = lb_features_get,
	    .features_set = lb_features_set,
	    .event_get = lb_event_get,
	};
	return &lb->t;
}
